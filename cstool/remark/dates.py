"""Dates in a remark, found fast: looked for only from the first date-like token on, and
cached by that tail (memos share their signatures: ``---2026.11.23 倩``)."""

from __future__ import annotations

import re
from datetime import date, datetime

from cstool.core.clock import ManualDate, iter_manual_dates
from cstool.core.limits import year_ok

FOUR_DIGITS = re.compile(r"\d{4}")
# Where a date in one of the manuals' forms can start: 2014年…, 2015.03.09, 8.25, 8月25日, 25日.
_DATE_START = re.compile(r"(?<![\d.])(?:\d{4}\s*[年.\-/]|\d{1,2}\s*(?:[.月日号]))")
# R2's signature, ``2014年8月25日11:43:42 # 倩``: a tail that is such a stamp (a valid time
# of day, two digits each) and then no digit at all (nor 秒, which would belong to it).
_STAMP = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?!秒)")
_ANY_DIGIT = re.compile(r"\d")


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
            found = self._stamp(tail)  # not kept: its time of day makes it unique
        if found is None:
            if len(self.cache) > 4096:  # tails with a time of day rarely repeat
                self.cache.clear()
            found = self.cache[tail] = list(iter_manual_dates(tail, self.ref))
        if not start:
            return found
        return [Shifted(d, start) for d in found]

    def _stamp(self, tail: str) -> list | None:
        """``iter_manual_dates(tail, ref)`` for a tail that is an R2 stamp and then no digit,
        without running the five forms: the stamp's date with its time (the year form
        takes the whole stamp; no other form can match a digit of it outside what it
        took, and there is no digit after it). None for any other tail, and for a stamp
        whose date is not a date of the era (the forms decide what it is then)."""
        m = _STAMP.match(tail)
        if m is None or _ANY_DIGIT.search(tail, m.end()):
            return None
        y, mo, d, hh, mi, ss = map(int, m.groups())
        if not year_ok(y):
            return None
        try:
            value = datetime(y, mo, d, hh, mi, ss, tzinfo=self.ref.tzinfo)
        except ValueError:
            return None
        return [ManualDate(value, "ymd_cn", 0, m.end(), True, True)]


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
