"""What every page can be narrowed by: a period of shop days and a shop/platform scope.

The query parameters are the same on every page (``?date=2026-11-23&days=7&shop=…&platform=…``)
and links between pages carry them. :class:`Scope` turns the shop/platform filter
into the context's scope (:class:`cstool.core.context.Scope`), which every library
function applies through the one WHERE builder, as ``--platform``/``--shop`` do on
the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Optional
from urllib.parse import urlencode

from cstool.core.clock import to_db
from cstool.core.context import Scope as CoreScope
from cstool.core.errors import InputError
from cstool.core.i18n import pgettext

DEFAULT_DAYS = 7
MAX_DAYS = 92
# The order columns a page can be scoped by, in the order they narrow.
SCOPE = ("platform", "shop")


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
        return pgettext("web", "{first} – {last} ({n} days)").format(
            first=self.first_day.isoformat(), last=self.day.isoformat(), n=self.days)

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


class Scope:
    """The platform/shop a page is limited to: the command line's scope
    (:class:`cstool.core.context.Scope`, carried by the context every library call
    gets and applied by the one WHERE builder), plus what the filter form shows."""

    def __init__(self, journal, filters: Filters):
        from cstool.core.vocab import PLATFORM

        platform = filters.platform
        if platform is not None:
            canon = PLATFORM.get(platform)
            if canon is None:
                raise InputError(f"platform={platform}: use one of {PLATFORM.choices()}")
            platform = canon
        self.core = CoreScope(platform, filters.shop)
        self.active = {c: getattr(self.core, c) for c in SCOPE if getattr(self.core, c)}
        self.journal = journal

    def choices(self) -> dict[str, list[str]]:
        """The values each scope column takes in the journal (for the filter form)."""
        return {c: [r[0] for r in self.journal.query(
            f'SELECT DISTINCT "{c}" FROM orders WHERE "{c}" IS NOT NULL AND "{c}" <> \'\' '
            f'ORDER BY 1 LIMIT 200')] for c in SCOPE}

    def notes(self) -> list[str]:
        """What the page says of its scope (nothing: every figure is split by it)."""
        return []
