"""The one WHERE builder: a listing's filters as SQL terms and their parameters.

Each ``add``-style call takes a value as the user gave it and adds its term only
when there is one (``None``, ``""`` and an empty list filter nothing), so a
listing reads as the list of its filters::

    w = Where().any_of("status", statuses).since("created_at", since).eq("buyer", buyer)
    rows = journal.query("SELECT * FROM orders" + w.sql() + " ORDER BY …", w.params)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional


class Where:
    def __init__(self) -> None:
        self.terms: list[str] = []
        self.params: list[Any] = []

    def term(self, sql: str, *params: Any, when: bool = True) -> Where:
        """A term of its own (``closed_at IS NULL``), with its parameters, when ``when``."""
        if when:
            self.terms.append(sql)
            self.params.extend(params)
        return self

    def eq(self, column: str, value: Any) -> Where:
        return self.term(f"{column} = ?", value, when=value not in (None, ""))

    def any_of(self, column: str, values: Sequence[Any]) -> Where:
        return self.term(f"{column} IN ({','.join('?' * len(values))})", *values,
                         when=bool(values))

    def since(self, column: str, instant: Optional[str]) -> Where:
        """``column >= instant`` (a journal instant)."""
        return self.term(f"{column} >= ?", instant, when=bool(instant))

    def until(self, column: str, instant: Optional[str]) -> Where:
        """``column < instant``: the period ends before it."""
        return self.term(f"{column} < ?", instant, when=bool(instant))

    def scope(self, scope: Any, orders: str = "", via: str = "") -> Where:
        """The platform and shop of a :class:`~cstool.core.context.Scope` (None: all).

        ``orders``: the alias of the orders table in the query (``o``), or "" when it
        is the query's only table. ``via``: the alias of a table that names an order
        by ``order_id`` and ``platform`` (chases, exceptions …): its orders' shop is
        looked up. A table that may name no order (handover items) keeps, under a
        scope, only the rows whose order is in it.
        """
        if scope is None:
            return self
        if via:
            self.term(f"{via}.platform = ?", scope.platform, when=bool(scope.platform))
            return self.term(
                f"EXISTS (SELECT 1 FROM orders scope_o WHERE scope_o.order_id = {via}.order_id "
                f"AND scope_o.platform = {via}.platform AND scope_o.shop = ?)", scope.shop,
                when=bool(scope.shop))
        p = f"{orders}." if orders else ""
        return self.eq(f"{p}platform", scope.platform).eq(f"{p}shop", scope.shop)

    def sql(self) -> str:
        """`` WHERE a AND b`` (or nothing)."""
        return " WHERE " + " AND ".join(self.terms) if self.terms else ""

    def also(self) -> str:
        """`` AND a AND b`` (or nothing): the terms after a WHERE of the query's own."""
        return "".join(f" AND {t}" for t in self.terms)


def limit_sql(n: Optional[int]) -> str:
    """`` LIMIT n`` for a listing's ``--limit`` (0 or None: every row)."""
    return f" LIMIT {int(n)}" if n else ""
