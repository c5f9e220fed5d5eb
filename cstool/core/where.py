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

    def sql(self) -> str:
        """`` WHERE a AND b`` (or nothing)."""
        return " WHERE " + " AND ".join(self.terms) if self.terms else ""


def limit_sql(n: Optional[int]) -> str:
    """`` LIMIT n`` for a listing's ``--limit`` (0 or None: every row)."""
    return f" LIMIT {int(n)}" if n else ""
