"""The orders routine: the platform's exports read into the journal (``orders``)."""

from __future__ import annotations

from cstool.core.contract import Routine


def imported(ctx, since: str, until: str) -> dict:
    """The imports that started in ``[since, until)`` and finished: files, rows, changes."""
    r = ctx.journal.one(
        "SELECT count(*) AS files, coalesce(sum(rows), 0) AS rows, "
        "coalesce(sum(inserted), 0) AS inserted, coalesce(sum(updated), 0) AS updated, "
        "coalesce(sum(rejected), 0) AS rejected FROM imports "
        "WHERE finished_at IS NOT NULL AND started_at >= ? AND started_at < ?", [since, until])
    return dict(r)


class Orders(Routine):
    name = "orders"
    cli = ("orders",)
    sections = (("imports", "导入 Orders imported"),)

    def daily(self, ctx, since, until):
        return {"imports": imported(ctx, since, until)}


ROUTINE = Orders()
