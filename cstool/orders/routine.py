"""The orders routine: the platform's exports read into the journal (``orders``)."""

from __future__ import annotations

from cstool.core.contract import Routine


def imported(ctx, since: str, until: str) -> dict:
    """The imports that started in ``[since, until)`` and finished: files, rows, changes.
    Within ``ctx.scope``: the imports of its platform that were named for its shop
    (``--shop``) or changed an order (or an order's line) of that shop."""
    scope, terms, params = ctx.scope, "", [since, until]
    if scope.platform:
        terms += " AND i.platform = ?"
        params.append(scope.platform)
    if scope.shop:
        terms += (" AND (i.shop = ? OR EXISTS (SELECT 1 FROM orders o WHERE o.shop = ? "
                  "AND o.platform = i.platform AND o.import_id = i.id) OR EXISTS (SELECT 1 "
                  "FROM order_lines l JOIN orders o ON o.order_id = l.order_id AND o.platform "
                  "= l.platform WHERE l.import_id = i.id AND o.shop = ?))")
        params += [scope.shop] * 3
    r = ctx.journal.one(
        "SELECT count(*) AS files, coalesce(sum(rows), 0) AS rows, "
        "coalesce(sum(inserted), 0) AS inserted, coalesce(sum(updated), 0) AS updated, "
        "coalesce(sum(rejected), 0) AS rejected FROM imports i "
        "WHERE finished_at IS NOT NULL AND started_at >= ? AND started_at < ?" + terms, params)
    return dict(r)


class Orders(Routine):
    name = "orders"
    cli = ("orders",)
    sections = (("imports", "导入 Orders imported"),)

    def daily(self, ctx, since, until):
        return {"imports": imported(ctx, since, until)}


ROUTINE = Orders()
