"""Dates in a remark, found fast: looked for only from the first date-like token on, and
cached by that tail (memos share their signatures: ``---2026.11.23 倩``)."""

from __future__ import annotations

import re
from datetime import date, datetime

from cstool.core.clock import iter_manual_dates

FOUR_DIGITS = re.compile(r"\d{4}")
# Where a date in one of the manuals' forms can start: 2014年…, 2015.03.09, 8.25, 8月25日, 25日.
_DATE_START = re.compile(r"(?<![\d.])(?:\d{4}\s*[年.\-/]|\d{1,2}\s*(?:[.月日号]))")


class Dates:
    """Dates in a text via ``clock.iter_manual_dates``, looked for only from the
    first date-like token on, and cached by that tail (memos share their
    signatures: ``---2026.11.23 倩``)."""

    def __init__(self, ref: datetime):
        self.ref = ref
        self.cache: dict[str, list] = {}

    def __call__(self, s: str) -> list:
        m = _DATE_START.search(s)
        if m is None:
            return []
        start = m.start()
        tail = s[start:]
        found = self.cache.get(tail)
        if found is None:
            if len(self.cache) > 4096:  # tails with a time of day rarely repeat
                self.cache.clear()
            found = self.cache[tail] = list(iter_manual_dates(tail, self.ref))
        if not start:
            return found
        return [Shifted(d, start) for d in found]


class Shifted:
    """A ManualDate seen from further left in the text."""

    __slots__ = ("value", "form", "start", "end", "has_year", "has_time")

    def __init__(self, d, by: int):
        self.value, self.form, self.has_year, self.has_time = d.value, d.form, d.has_year, d.has_time
        self.start, self.end = d.start + by, d.end + by


def day_of(md) -> date:
    v = md.value
    return v.date() if isinstance(v, datetime) else v


def as_datetime(md, ref: datetime) -> datetime:
    v = md.value
    if isinstance(v, datetime):
        return v
    return datetime(v.year, v.month, v.day, tzinfo=ref.tzinfo)
