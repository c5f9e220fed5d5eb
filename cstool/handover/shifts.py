"""Shifts (班次): the shop's shifts from policy ``handover.shifts``, and which one is on.

A shift's sheet covers from its start to the next shift's start, so a night that
runs past midnight belongs to the date it started.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, Optional

from cstool.core import text as typed
from cstool.core.clock import to_db
from cstool.core.errors import BadUsage, InputError
from cstool.core.i18n import M_
from cstool.core.values import Instant
from cstool.core.vocab import Vocabulary

SHIFT = Vocabulary("shift", {
    "day": ["白班", "早班"],
    "mid": ["中班", "半白班", "午班"],
    "night": ["晚班", "夜班"],
})


# --- shifts ------------------------------------------------------------------------

def _minute(text: str, what: str) -> int:
    try:
        return typed.minutes(text)
    except InputError:
        raise InputError(M_("shift {what}: {text} is not a time of day; use HH:MM", what=what,
                            text=repr(text))) from None


_hm = typed.hhmm


def parse_shifts(text: Any) -> dict[str, str]:
    """``day=09:00-17:30,night=17:30-23:30`` (or a JSON object) → ``{"day": "09:00-17:30", …}``.

    Names may be Chinese (白班, 晚班). A shift ending before it starts runs
    past midnight (``night=18:00-01:00``). Returned in order of start.
    """
    pairs = typed.pairs(text, "shift: HH:MM-HH:MM", "shift=HH:MM-HH:MM (e.g. night=17:30-23:30)")
    shifts: dict[str, tuple[int, int]] = {}
    for name, window in pairs:
        canon = SHIFT(name)
        if canon in shifts:
            raise InputError(M_("shift {canon} is given twice", canon=canon))
        a, sep, b = typed.span(window)
        if not sep:
            raise InputError(M_("shift {canon}: {window} is not HH:MM-HH:MM", canon=canon,
                                window=repr(window)))
        start, end = _minute(a, canon), _minute(b, canon)
        if start >= 24 * 60:
            raise InputError(M_("shift {canon} starts at {strip}; a shift starts before "
                                "24:00", canon=canon, strip=a.strip()))
        if start == end % (24 * 60):
            raise InputError(M_("shift {canon}: {window} starts and ends at the same time",
                                canon=canon, window=repr(window)))
        shifts[canon] = (start, end)
    if not shifts:
        raise InputError(M_("give at least one shift, e.g. "
                            "day=09:00-17:30,night=17:30-23:30"))
    starts = [s for s, _ in shifts.values()]
    if len(set(starts)) != len(starts):
        raise InputError(M_("two shifts start at the same time"))
    ordered = sorted(shifts.items(), key=lambda kv: kv[1][0])
    return {name: f"{_hm(s)}-{_hm(e)}" for name, (s, e) in ordered}


class Shift(NamedTuple):
    """One occurrence of a shift. Its sheet covers ``[start, end)``: from its
    start to the next shift's start, so a night that runs past midnight
    belongs to the date it started."""

    name: str
    date: date
    start: datetime
    end: datetime
    hours: str

    @property
    def label(self) -> str:
        return SHIFT.label(self.name)

    def as_dict(self) -> dict:
        return {"shift": self.name, "label": self.label, "date": self.date.isoformat(),
                "hours": self.hours, "start": Instant(to_db(self.start)),
                "end": Instant(to_db(self.end))}


def shift_table(policy) -> list[tuple[str, int, str]]:
    """``[(name, start minute, "HH:MM-HH:MM"), …]`` in order of start."""
    shifts = parse_shifts(policy.get("handover.shifts"))
    return [(name, _minute(hours.split("-")[0], name), hours) for name, hours in shifts.items()]


def _at(day: date, minute: int, tz) -> datetime:
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz)


def _occurrence(table, i: int, day: date, tz) -> Shift:
    name, start, hours = table[i]
    if i + 1 < len(table):
        end = _at(day, table[i + 1][1], tz)
    else:
        end = _at(day + timedelta(days=1), table[0][1], tz)
    return Shift(name, day, _at(day, start, tz), end, hours)


def current_shift(clock, policy, at: Optional[datetime] = None) -> Shift:
    """The shift in progress: the last one that has started (yesterday's last after midnight)."""
    now = (at or clock.now()).astimezone(clock.tz)
    table = shift_table(policy)
    minute = now.hour * 60 + now.minute
    started = [i for i, row in enumerate(table) if row[1] <= minute]
    if started:
        return _occurrence(table, started[-1], now.date(), clock.tz)
    return _occurrence(table, len(table) - 1, now.date() - timedelta(days=1), clock.tz)


def resolve_shift(clock, policy, name: Optional[str] = None,
                  day: Optional[date] = None) -> Shift:
    """``--shift``/``--date`` → a :class:`Shift`.

    Neither: the shift in progress. A shift alone: its latest start up to now.
    A date alone: that date's occurrence of the shift in progress.
    """
    table = shift_table(policy)
    names = [row[0] for row in table]
    if name is not None:
        name = SHIFT(name)
        if name not in names:
            known = ", ".join(f"{n} ({SHIFT.label(n)}) {h}" for n, _, h in table)
            raise BadUsage(M_("the shop has no {name} shift ({label}); policy "
                              "handover.shifts has: {known}", name=name, label=SHIFT.label(name),
                              known=known))
    if day is None:
        current = current_shift(clock, policy)
        if name is None or name == current.name:
            return current
        i = names.index(name)
        occ = _occurrence(table, i, clock.today(), clock.tz)
        if occ.start > clock.now():
            occ = _occurrence(table, i, clock.today() - timedelta(days=1), clock.tz)
        return occ
    if name is None:
        name = current_shift(clock, policy).name
    return _occurrence(table, names.index(name), day, clock.tz)

