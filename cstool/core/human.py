"""Durations and times as people read them: ``2天1小时``, ``还剩3小时``, ``已超时1天2小时``,
``11-23 14:30`` (English: ``2 d 1 h``, ``3 h left``, ``1 d 2 h late``).

Tables show these; JSON, CSV and TSV keep the numbers and the full ISO times. A listing
names the kind of a column (:data:`KINDS`, or its own ``Listing(kinds=…)``) and the
renderer formats its cells with :func:`cell`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Optional

from cstool.core.i18n import M_, Message

# A duration reads in its two largest units: days and hours, hours and minutes, minutes.
MINUTES_PER_DAY = 24 * 60


def duration_message(minutes: float) -> Message:
    """:func:`duration` as a :class:`~cstool.core.i18n.Message` (English as its value)."""
    total = int(round(abs(minutes)))
    days, rest = divmod(total, MINUTES_PER_DAY)
    hours, mins = divmod(rest, 60)
    if days:
        if hours:
            return M_("{days} d {hours} h", days=days, hours=hours)
        return M_("{days} d", days=days)
    if hours:
        if mins:
            return M_("{hours} h {minutes} min", hours=hours, minutes=mins)
        return M_("{hours} h", hours=hours)
    return M_("{minutes} min", minutes=mins)


def duration(minutes: float) -> str:
    """A length of time, rounded to the minute: ``2天1小时``, ``3小时20分``, ``45分钟``
    (``2 d 1 h``, ``3 h 20 min``, ``45 min``); the sign is dropped."""
    return duration_message(minutes).shown()


def left_message(minutes: float) -> Message:
    """:func:`left` as a :class:`~cstool.core.i18n.Message` (English as its value)."""
    if abs(minutes) < 0.5:
        return M_("due now")
    if minutes > 0:
        return M_("{duration} left", duration=duration_message(minutes))
    return M_("{duration} late", duration=duration_message(minutes))


def left(minutes: float) -> str:
    """Time to a deadline: ``还剩3小时`` (``3 h left``), past it ``已超时1天2小时``
    (``1 d 2 h late``), within the minute ``已到期`` (``due now``)."""
    return left_message(minutes).shown()


def brief_time(moment: datetime, now: Optional[datetime] = None) -> str:
    """A time in a table: ``11-23 14:30``, with the year when it is not ``now``'s."""
    if now is not None and moment.year != now.year:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.strftime("%m-%d %H:%M")


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _kind(convert: Callable[[float], str], scale: float) -> Callable[[Any], Any]:
    def format_(value: Any) -> Any:
        n = _number(value)
        return value if n is None else convert(n * scale)

    return format_


# How a column of each kind reads in a table; a value that is not a number stays as it is.
FORMATS: dict[str, Callable[[Any], Any]] = {
    "minutes": _kind(duration, 1),
    "hours": _kind(duration, 60),
    "days": _kind(duration, MINUTES_PER_DAY),
    "minutes_left": _kind(left, 1),
    "hours_left": _kind(left, 60),
}

# Columns whose kind the name says, in every listing (a Listing's ``kinds`` adds to these).
KINDS = {
    "hours_left": "hours_left",
    "unpaid_minutes": "minutes",
    "median_minutes_to_pay": "minutes",
    "median_days_to_close": "days",
}


def cell(kind: str, value: Any) -> Any:
    """``value`` (a number of the kind's unit) as a table shows it."""
    return FORMATS[kind](value)
