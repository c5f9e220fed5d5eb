"""What every page can be narrowed by: a period of shop days and a shop/platform scope.

The query parameters are the same on every page (``?date=2026-11-23&days=7&shop=…&platform=…``)
and links between pages carry them. :class:`Scope` is the one place the
shop/platform filter is applied: it passes ``shop=``/``platform=`` to a library
function that takes them, and otherwise keeps the rows whose order is in scope
(a figure it cannot split is named on the page). A journal without those
columns shows every shop, and says so.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Callable, Optional
from urllib.parse import urlencode

from cstool.core.clock import to_db
from cstool.core.errors import InputError

DEFAULT_DAYS = 7
MAX_DAYS = 92
# The order columns a page can be scoped by, in the order they narrow.
SCOPE = ("platform", "shop")
LABELS = {"platform": "平台 platform", "shop": "店铺 shop"}


@dataclass(frozen=True)
class Filters:
    """A page's period (``days`` shop days ending with ``day``) and scope."""

    day: date
    days: int = DEFAULT_DAYS
    platform: Optional[str] = None
    shop: Optional[str] = None
    date_text: Optional[str] = None  # as given (``yesterday`` stays relative in links)

    @classmethod
    def parse(cls, args: Mapping[str, str], clock) -> Filters:
        """From a request's query; a bad value is an InputError naming the parameter."""
        text = (args.get("date") or "").strip() or None
        try:
            day = clock.parse_day(text)
        except InputError:
            raise InputError(f"date={text}: not a day; use YYYY-MM-DD, today or yesterday") from None
        raw = (args.get("days") or "").strip()
        if raw:
            if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
                raise InputError(f"days={raw}: use a whole number of days from 1 to {MAX_DAYS}")
            days = int(raw)
        else:
            days = DEFAULT_DAYS
        scope = {c: (args.get(c) or "").strip() or None for c in SCOPE}
        return cls(day=day, days=days, date_text=text, **scope)

    @property
    def first_day(self) -> date:
        return self.day - timedelta(days=self.days - 1)

    def day_list(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range(self.days)]

    def since(self, clock) -> str:
        """The period's start as a journal instant."""
        return to_db(clock.start_of(self.first_day))

    def until(self, clock) -> str:
        """The period's end (the start of the day after ``day``) as a journal instant."""
        return to_db(clock.start_of(self.day + timedelta(days=1)))

    def label(self) -> str:
        if self.days == 1:
            return self.day.isoformat()
        return f"{self.first_day.isoformat()} – {self.day.isoformat()} ({self.days} 天 days)"

    def params(self) -> dict[str, str]:
        """The query parameters that differ from the defaults, for links."""
        out = {}
        if self.date_text:
            out["date"] = self.date_text
        if self.days != DEFAULT_DAYS:
            out["days"] = str(self.days)
        for c in SCOPE:
            if getattr(self, c):
                out[c] = getattr(self, c)
        return out

    def query(self, **changes: Any) -> str:
        """``?…`` carrying these filters (``changes`` override them), or ``""``."""
        f = replace(self, **changes) if changes else self
        if "day" in changes and "date_text" not in changes:
            f = replace(f, date_text=changes["day"].isoformat())
        params = f.params()
        return "?" + urlencode(params) if params else ""


def _order_columns(journal) -> set[str]:
    return {r[1] for r in journal.query("PRAGMA table_info(orders)")}


class Scope:
    """The shop/platform a page is limited to, over one journal."""

    def __init__(self, journal, filters: Filters):
        wanted = {c: getattr(filters, c) for c in SCOPE if getattr(filters, c)}
        self.columns = [c for c in SCOPE if c in _order_columns(journal)]
        self.active = {c: v for c, v in wanted.items() if c in self.columns}
        self.missing = [c for c in wanted if c not in self.columns]
        self.journal = journal
        self.unsplit: list[str] = []
        self._ids: Optional[set[str]] = None

    def call(self, fn: Callable, *args: Any, what: str = "", **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` for the orders in scope.

        A library function that takes ``shop``/``platform`` gets them; one that
        does not is called for every row (``limit=None``) and the rows whose
        ``order_id`` is out of scope are dropped. A result that has no order
        per row (a count, a conversion figure) is returned whole and named
        in :attr:`unsplit`.
        """
        if not self.active:
            return fn(*args, **kwargs)
        accepted = inspect.signature(fn).parameters
        given = {c: v for c, v in self.active.items() if c in accepted}
        if len(given) == len(self.active):
            return fn(*args, **kwargs, **given)
        if "limit" in kwargs:
            kwargs["limit"] = None
        return self._keep(fn(*args, **kwargs, **given), what or fn.__name__)

    def _keep(self, result: Any, what: str) -> Any:
        if inspect.isgenerator(result):
            result = list(result)
        if _per_order(result):
            return [r for r in result if r["order_id"] in self.order_ids()]
        rows = getattr(result, "rows", None)
        if rows is not None and _per_order(rows):
            result.rows = [r for r in rows if r["order_id"] in self.order_ids()]
            key = getattr(result, "key", None)
            if key and isinstance(getattr(result, "counts", None), dict):
                result.counts = {c: sum(1 for r in result.rows if r[key] == c)
                                 for c in result.counts}
            return result
        if what not in self.unsplit:
            self.unsplit.append(what)
        return result

    def order_ids(self) -> set[str]:
        if self._ids is None:
            where = " AND ".join(f'"{c}" = ?' for c in self.active)
            self._ids = {r[0] for r in self.journal.query(
                f"SELECT order_id FROM orders WHERE {where}", list(self.active.values()))}
        return self._ids

    def choices(self) -> dict[str, list[str]]:
        """The values each scope column takes in the journal (for the filter form)."""
        return {c: [r[0] for r in self.journal.query(
            f'SELECT DISTINCT "{c}" FROM orders WHERE "{c}" IS NOT NULL AND "{c}" <> \'\' '
            f'ORDER BY 1 LIMIT 200')] for c in self.columns}

    def notes(self) -> list[str]:
        out = []
        for c in self.missing:
            out.append(f"这个日志还没有{LABELS[c].split()[0]}列: 显示全部 — the journal has no {c} "
                       f"column yet, so every {c} is shown.")
        if self.unsplit:
            which = " / ".join(f"{k}={v}" for k, v in self.active.items())
            out.append(f"Not split by {which} yet (shown for all): {', '.join(self.unsplit)}.")
        return out


def _per_order(rows: Any) -> bool:
    return isinstance(rows, list) and all(isinstance(r, dict) and "order_id" in r for r in rows)
