"""An export's local times as journal instants, fast: millions of them in one import."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Optional

from cstool.core.clock import DEFAULT_TZ, normalise_width, to_db, zone
from cstool.core.i18n import M_
from cstool.core.limits import ERA, OutOfRange, year_ok

# ":MM:SS" of a valid time: the fast path's check that minutes and seconds exist.
_MINUTE_SECOND = frozenset(f":{m:02d}:{s:02d}" for m in range(60) for s in range(60))


class LocalToUtc:
    """Fast conversion of an export's local timestamps to journal instants.

    Exports hold millions of ``yyyy-MM-dd HH:mm:ss`` strings; converting each
    through datetime is the slowest part of an import. The zone's offset is
    looked up once per distinct (date, hour) and the rest is string slicing.
    Other platforms' free-form columns (``2026年11月23日 下午2:30``, ``11/23/2026
    2:30 PM``, ``2026-11-23T14:30:00+08:00``) take the slow way, through dateutil,
    only after that fails. Returns None for an empty value and raises ValueError for
    a bad one (and for one without a year or a day).
    """

    _LOOSE = re.compile(
        r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?\s*$"
    )

    def __init__(self, tz_name: str = DEFAULT_TZ):
        self.tz = zone(tz_name)
        self._hours: dict[str, Optional[str]] = {}

    def __call__(self, text: str) -> Optional[str]:
        if not text:
            return None
        if len(text) == 19 and text[4] == "-" and (rest := text[13:]) in _MINUTE_SECOND:
            key = text[:13]
        else:
            try:
                key, rest = self._canonical(text)
            except ValueError:
                return self._free(text)
        head = self._hours.get(key)
        if head is None:
            head = self._hours[key] = self._hour_head(key)
        if head == "":  # offset not a whole hour (or a DST gap): do it the slow way
            return self._slow(key + rest)
        return head + rest + "Z"

    def expression(self, text: str, call: str) -> tuple[str, dict]:
        """``call(text)`` as an expression for a generated normaliser (``call`` names this
        converter there): the common shape, in an hour converted before, without the call;
        anything else (and the first time of each hour) through ``call``. Also the names
        the expression reads, for the normaliser's namespace."""
        return (f"(_h + _t[13:] + 'Z' if len(_t := {text}) == 19 and _t[4] == '-' "
                f"and _t[13:] in _ms and (_h := _hours.get(_t[:13])) else {call}(_t))",
                {"_hours": self._hours, "_ms": _MINUTE_SECOND})

    def _canonical(self, text: str) -> tuple[str, str]:
        m = self._LOOSE.match(text)
        if not m:
            raise ValueError(M_("bad time {text}", text=repr(text)))
        y, mo, d, hh, mi, ss = m.groups()
        canon = (f"{y}-{int(mo):02d}-{int(d):02d} "
                 f"{int(hh or 0):02d}:{int(mi or 0):02d}:{int(ss or 0):02d}")
        if int(mi or 0) > 59 or int(ss or 0) > 59:
            raise ValueError(M_("bad time {text}", text=repr(text)))
        return canon[:13], canon[13:]

    def _free(self, text: str) -> str:
        """A time in another form than the exports' usual one: Chinese dates and parts
        of the day made plain, then the fast form again, then dateutil."""
        plain = _plain_time(text)
        if plain != text:
            try:
                key, rest = self._canonical(plain)
                return self(key + rest)
            except ValueError:
                pass
        from dateutil import parser

        try:
            a = parser.parse(plain, default=datetime(2000, 1, 1))
            b = parser.parse(plain, default=datetime(2004, 2, 2))
        except (ValueError, OverflowError):
            raise ValueError(M_("bad time {text}", text=repr(text))) from None
        if (a.year, a.month, a.day) != (b.year, b.month, b.day):
            raise ValueError(M_("bad time {text} (no year or no day)", text=repr(text)))
        if a.tzinfo is None:
            a = a.replace(tzinfo=self.tz)
        return to_db(a.replace(microsecond=0))

    def _hour_head(self, key: str) -> str:
        try:
            naive = datetime.strptime(key, "%Y-%m-%d %H")
        except ValueError:
            raise ValueError(M_("bad time {key}", key=repr(key))) from None
        if not year_ok(naive.year):
            raise OutOfRange(M_("outside the years {era}", era=ERA))
        local = naive.replace(tzinfo=self.tz)
        off = local.utcoffset()
        if off is None or off.total_seconds() % 3600:
            return ""
        return (naive - off).strftime("%Y-%m-%dT%H")

    def _slow(self, canon: str) -> str:
        try:
            naive = datetime.strptime(canon, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            raise ValueError(M_("bad time {canon}", canon=repr(canon))) from None
        return to_db(naive.replace(tzinfo=self.tz))


_ZH_PARTS = [(re.compile(r"(上午|早上|凌晨)\s*(\d{1,2}(?::\d{1,2}){0,2})"), r"\2 AM"),
             (re.compile(r"(下午|晚上|中午)\s*(\d{1,2}(?::\d{1,2}){0,2})"), r"\2 PM")]
_ZH_UNITS = str.maketrans({"年": "-", "月": "-", "日": " ", "号": " ", "时": ":", "点": ":",
                           "分": ":", "秒": " "})


def _plain_time(text: str) -> str:
    """``2026年11月23日 下午2:30`` → ``2026-11-23 2:30 PM``: what the fast form or dateutil read."""
    s = normalise_width(text).translate(_ZH_UNITS)
    for rx, repl in _ZH_PARTS:
        s = rx.sub(repl, s)
    s = re.sub(r"(\d):(?=\s|$)", r"\1:00", s)  # 9时 → 9:00, 14时30分 → 14:30:00
    return " ".join(s.split())
