"""The one clock, and the time formats of the journal and of the manuals.

Nothing else in cstool reads the wall clock: every "now" comes from a
:class:`Clock`, which is either pinned (``--now`` / ``CSTOOL_NOW``) or reads
the real time in :func:`wall_now`.

The journal stores instants as UTC text, ``YYYY-MM-DDTHH:MM:SSZ``: timezone
aware, sortable as text, and understood by SQLite's date functions. Output
shows them in the shop's zone with the offset (``2026-11-23T10:00:00+08:00``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from functools import cache
from typing import NamedTuple, Optional, Union

from cstool.core.errors import InputError
from cstool.core.i18n import M_
from cstool.core.limits import ERA, MAX_YEAR, MIN_YEAR, year_ok
from cstool.core.text import Lazy

DEFAULT_TZ = "Asia/Shanghai"
UTC = timezone.utc
DB_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@cache
def zone(name: str):
    """The ZoneInfo for ``name``; a clear error when the name is unknown."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            M_("unknown time zone {name}; use an IANA name such as Asia/Shanghai",
               name=repr(name))
        ) from None


def wall_now() -> datetime:
    """The real time: the only read of the wall clock in cstool."""
    return datetime.now(UTC)


def real_time_ms() -> int:
    """Milliseconds since the epoch by the real clock, whatever ``--now`` pins: for transport
    details a remote server checks against its own clock (a webhook signature's timestamp,
    which DingTalk refuses more than an hour off)."""
    return int(wall_now().timestamp() * 1000)


def to_db(dt: datetime) -> str:
    if dt.tzinfo is None:
        raise ValueError("naive datetime given to to_db")
    return dt.astimezone(UTC).strftime(DB_FORMAT)


_ERA_FIRST = datetime(MIN_YEAR, 1, 1, tzinfo=UTC)
_ERA_LAST = datetime(MAX_YEAR, 12, 31, 23, 59, 59, tzinfo=UTC)


def from_db(text: str) -> datetime:
    # Not strptime: its first call costs ~10 ms (locale, regexes), which
    # every command that prints a time would pay at start-up.
    if not _ERA_TEXT[0] <= text[:4] <= _ERA_TEXT[1]:
        # Stored by an older cstool, which took any year: read at the era's edge,
        # so date arithmetic on it cannot overflow (shipcheck names such orders).
        return _ERA_FIRST if text[:4] < _ERA_TEXT[0] else _ERA_LAST
    if len(text) == 20 and text[-1] == "Z":
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    return datetime.strptime(text, DB_FORMAT).replace(tzinfo=UTC)


_ERA_TEXT = (str(MIN_YEAR), str(MAX_YEAR))


_LOCAL_RE = Lazy(
    r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)


class OutOfEra(InputError):
    """A time a user gave outside the platforms' era (the message says so)."""


def parse_local(text: str, tz_name: str = DEFAULT_TZ) -> datetime:
    """Parse ``YYYY-MM-DD[ HH:MM[:SS]]`` as shop-local time (an explicit offset wins).

    Also accepts ``/`` or ``.`` between the date parts and a ``T`` separator.
    Raises InputError naming the value when it is not such a time.
    """
    if text and len(text) == 16 and text.isascii() and text[4] == text[7] == "-" \
            and text[10] == " " and text[13] == ":" \
            and (text[:4] + text[5:7] + text[8:10] + text[11:13] + text[14:]).isdigit():
        # ``YYYY-MM-DD HH:MM`` (--now, as scripts and cron give it), read without the pattern
        y, mo, d, hh, mi, ss, off = (text[:4], text[5:7], text[8:10], text[11:13], text[14:],
                                     None, None)
    else:
        m = _LOCAL_RE.match(text or "")
        if not m:
            raise InputError(M_("{text} is not a time; use YYYY-MM-DD HH:MM[:SS]",
                                text=repr(text)))
        y, mo, d, hh, mi, ss, off = m.groups()
    try:
        naive = datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0))
    except ValueError as e:
        raise InputError(M_("{text} is not a valid time ({e})", text=repr(text), e=e)) from None
    if not year_ok(naive.year):
        raise OutOfEra(M_("{text} is outside the years {era}", text=repr(text), era=ERA))
    if off:
        if off == "Z":
            return naive.replace(tzinfo=UTC)
        sign = 1 if off[0] == "+" else -1
        digits = off[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 23 or minutes > 59:  # (timezone() refuses a day or more: no zone is)
            raise InputError(M_("{text}: {offset} is no time zone's offset (-23:59 to "
                                "+23:59)", text=repr(text), offset=off))
        delta = timedelta(hours=hours, minutes=minutes)
        return naive.replace(tzinfo=timezone(sign * delta))
    return naive.replace(tzinfo=zone(tz_name))


class Clock:
    """Shop time: pinned by ``--now``/``CSTOOL_NOW`` or read from the wall clock."""

    def __init__(self, tz_name: str = DEFAULT_TZ, fixed: Union[str, datetime, None] = None):
        self.tz_name = tz_name
        self.tz = zone(tz_name)
        if isinstance(fixed, str):
            fixed = parse_local(fixed, tz_name)
        if fixed is not None and not year_ok(fixed.year):
            raise InputError(M_("{isoformat} is outside the years {era}",
                                isoformat=fixed.isoformat(), era=ERA))
        self.fixed: Optional[datetime] = fixed

    def now(self) -> datetime:
        """Now, as an aware datetime in the shop's zone."""
        return (self.fixed or wall_now()).astimezone(self.tz)

    def now_db(self) -> str:
        return to_db(self.now())

    def today(self) -> date:
        return self.now().date()

    def local(self, value: Union[str, datetime]) -> datetime:
        """A stored instant (or any aware datetime) in the shop's zone."""
        if isinstance(value, str):
            value = from_db(value)
        return value.astimezone(self.tz)

    def iso(self, value: Optional[str]) -> Optional[str]:
        """A stored instant as ISO 8601 with the shop's offset, for JSON."""
        if not value:
            return None
        return self.local(value).isoformat()

    def short(self, value: Optional[str]) -> str:
        """A stored instant as ``YYYY-MM-DD HH:MM`` shop time, for tables."""
        if not value:
            return ""
        return self.local(value).strftime("%Y-%m-%d %H:%M")

    def parse(self, text: str) -> datetime:
        """A user-given time (``YYYY-MM-DD[ HH:MM[:SS]]``) in shop time."""
        return parse_local(text, self.tz_name)

    def start_of(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=self.tz)

    def parse_since(self, text: str, past: Optional[bool] = True) -> datetime:
        """``--since`` values: ``today``, ``yesterday``, a span back from now (``12h``,
        ``7d``, ``2w``, ``3m`` months, ``1y``, ``30min``), or a date or time as people type
        it (:func:`typed_time`; ``past=None`` for an upper bound, which may lie ahead)."""
        t = (text or "").strip().lower()
        if t in ("today", "今天"):
            return self.start_of(self.today())
        if t in ("yesterday", "昨天"):
            return self.start_of(self.today() - timedelta(days=1))
        m = _SPAN.fullmatch(t)
        if m:
            n, unit = int(m.group(1)), m.group(2)
            try:
                since = self.now() - span(n, unit)
            except (OverflowError, ValueError):
                since = None
            if since is None or not year_ok(since.year):
                raise InputError(M_("{text} reaches back before {min_year}; give a shorter "
                                    "span", text=repr(text), min_year=MIN_YEAR))
            return since
        try:
            return typed_time(text, self.now(), past=past)
        except NotADate:
            raise InputError(M_("{text} is not a time; use YYYY-MM-DD[ HH:MM], today, "
                                "yesterday, 12h, 7d or 3m (months)", text=repr(text))) from None

    def parse_day(self, text: Optional[str]) -> date:
        """``--date`` values: ``today``, ``yesterday``, or a date as people type it
        (a date without a year is this year's, refused when still to come); default today."""
        if not text:
            return self.today()
        t = text.strip().lower()
        if t in ("today", "今天"):
            return self.today()
        if t in ("yesterday", "昨天"):
            return self.today() - timedelta(days=1)
        try:
            return typed_time(text, self.now(), past=True).date()
        except NotADate:
            raise InputError(M_("{text} is not a date; use YYYY-MM-DD, today, yesterday, "
                                "11.25 or Nov 25", text=repr(text))) from None


# --- spans and the dates people type ----------------------------------------------

_SPAN = Lazy(r"(\d{1,9})\s*(min|mo|[hdwmy])")


def span(n: int, unit: str):
    """``n`` units back or ahead: ``min`` minutes, ``h``, ``d``, ``w``, ``m``/``mo`` calendar
    months and ``y`` years (months and years by the calendar: 3m from 05-31 is 02-28)."""
    if unit in ("m", "mo", "y"):
        from dateutil.relativedelta import relativedelta

        return relativedelta(months=n) if unit != "y" else relativedelta(years=n)
    return {"min": timedelta(minutes=n), "h": timedelta(hours=n), "d": timedelta(days=n),
            "w": timedelta(weeks=n)}[unit]


class NotADate(InputError):
    """Text that is no date in any form we read (the caller says which forms it takes)."""

    def __init__(self, text: str, with_day: bool = False):
        super().__init__(
            M_("{text} is not a date; use 2026-11-25, 11.25, 11月25日, 25日 or Nov 25 (with "
               "the day)", text=repr(text)) if with_day else
            M_("{text} is not a date; use 2026-11-25, 11.25, 11月25日, 25日 or Nov 25",
               text=repr(text)))


def typed_time(text: str, now: datetime, past: Optional[bool] = None) -> datetime:
    """A date, maybe with a time, that a person typed on the command line, in shop time.

    The fixed form ``YYYY-MM-DD[ HH:MM[:SS]]`` first (fast), then the manuals' forms
    (``2026.11.25``, ``2026年11月25日 10:30``, ``11.25``, ``11月25日``, ``25日``), then what
    people write beyond them, through dateutil (``Nov 25``, ``25 November 2026 14:00``,
    ``2026/11/25 2pm``). A month and day without a year are this year's: a date is never
    moved to another year. So when ``past`` is True (``--since``, ``--date``) one still to
    come is refused, and when False (a ship date) one already past is, each with the year
    to give. A day alone (``25日``) is the nearest such day on the asked side.
    """
    tz = now.tzinfo
    s = (text or "").strip()
    if _LOCAL_RE.match(s):
        return parse_local(s, getattr(tz, "key", DEFAULT_TZ)).astimezone(tz)
    try:
        md = parse_manual_date(s, now, prefer="future" if past is False else "nearest")
    except InputError:
        md = None
    if md is not None:
        value = md.as_datetime(tz)
        if md.form == "d_cn" and past is True and value.date() > now.date():
            back = [c for c in (_safe_date(*_month_shift(now.year, now.month, k), value.day)
                                for k in (-1, -2)) if c]
            value = datetime(back[0].year, back[0].month, back[0].day, value.hour, value.minute,
                             value.second, tzinfo=tz)
        year_given = md.has_year or md.form == "d_cn"
    else:
        value, year_given = _dateutil(s, now)
    if year_given and not year_ok(value.year):
        raise OutOfEra(M_("{s} is outside the years {era}", s=repr(s), era=ERA))
    if not year_given:
        value = _this_year(s, value, now)
        if past is True and value.date() > now.date():
            raise InputError(M_("{s} is still to come; give the year if you mean {value}", s=s,
                                value=now.year - 1))
        if past is False and value.date() < now.date():
            raise InputError(M_("{s} is past; give the year if you mean {value}", s=s,
                                value=now.year + 1))
    return value


def check_month_days(text: str, now: datetime) -> None:
    """Refuse a month and day without a year, inside free text typed now about what is to
    come (a buyer's promise), that is already past this year: never read as next year's."""
    s = normalise_width(text or "")
    for md in iter_manual_dates(s, now, prefer="future"):
        if md.form in ("md", "md_cn") and md.value.year > now.year:
            this = _safe_date(now.year, md.value.month, md.value.day)
            if this is not None and this < now.date():
                raise InputError(M_("{strip} is past; give the year if you mean {year}",
                                    strip=s[md.start:md.end].strip(), year=md.value.year))


def _this_year(text: str, value: datetime, now: datetime) -> datetime:
    try:
        return value.replace(year=now.year)
    except ValueError:  # 2.29 in a year that has none
        raise InputError(M_("{text} is not a date in {year}; give the year", text=text,
                            year=now.year)) from None


def _dateutil(text: str, now: datetime) -> tuple[datetime, bool]:
    """dateutil's reading of ``text``, in shop time, and whether it gave the year.

    Parsed against two contrasting defaults: a field that differs between the two
    readings was not in the text. A day is required (``November`` alone is not a
    date), and a bare short number is not guessed at (``7`` is neither 7d nor 7日)."""
    from dateutil import parser

    if not text or (text.isdigit() and len(text) < 8) or len(text) > 64:
        raise NotADate(text)
    readings = []
    for default in (datetime(2000, 1, 1, 0, 0, 0), datetime(2004, 2, 2, 1, 1, 1)):
        try:
            readings.append(parser.parse(text, default=default))
        except (ValueError, OverflowError, parser.ParserError):
            raise NotADate(text) from None
    a, b = readings
    if a.day != b.day or a.month != b.month:
        raise NotADate(text, with_day=True)
    value = a  # the first default's fields are 0: a time without minutes is on the hour
    if value.tzinfo is None:
        value = value.replace(tzinfo=now.tzinfo)
    return value.astimezone(now.tzinfo), a.year == b.year


# --- the manuals' date forms --------------------------------------------------

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９：．－／　",
    "0123456789:.-/ ",
)


def normalise_width(text: str) -> str:
    """Full-width digits and date punctuation to ASCII (length-preserving)."""
    return text.translate(_FULLWIDTH)


_TIME = r"(?:\s*(?P<H>[01]?\d|2[0-3])[:点时](?P<M>[0-5]?\d)?(?:[:分](?P<S>[0-5]?\d)秒?)?)?"
# A number followed by one of these is a price or a size, not a month.day date.
_UNITS = r"(?:元|块|米|码|斤|寸|折|公斤|克|倍|件|个|%|cm|mm|kg|g\b|m\b)"
_FORM_PATTERNS = [
    # 2014年8月25日11:43:42, 2014年8月25日
    ("ymd_cn", (r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?" + _TIME)),
    # 2015.03.09, 2014.8.25, 2014-08-25 11:43, 2014/8/25
    ("ymd", (
        r"(?<![\d.])(?P<y>\d{4})(?P<sep>[.\-/])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d])"
        r"(?:\s+(?P<H>[01]?\d|2[0-3]):(?P<M>[0-5]\d)(?::(?P<S>[0-5]\d))?)?")),
    # 8月25日, 8月25号
    ("md_cn", (r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]" + _TIME)),
    # 8.25 (no year): not part of a longer number
    ("md", (r"(?<![\d.¥￥$])(?P<m>\d{1,2})\.(?P<d>\d{1,2})(?![\d.]|\s*" + _UNITS + ")")),
    # 25日, 25号 (day of month only)
    ("d_cn", (r"(?<![\d月.])(?P<d>\d{1,2})\s*[日号]")),
]


class _Forms:
    """The forms compiled on first use (a command that reads no manual date pays nothing),
    then iterated as a plain list: the remark parser runs them over every memo."""

    def __init__(self, patterns):
        self.patterns, self.compiled = patterns, None

    def __iter__(self):
        if self.compiled is None:
            self.compiled = [(form, re.compile(p)) for form, p in self.patterns]
        return iter(self.compiled)


_FORMS = _Forms(_FORM_PATTERNS)


class ManualDate(NamedTuple):
    """A date found in free text. ``value`` is a date, or an aware datetime when a time was given."""

    value: Union[date, datetime]
    form: str
    start: int
    end: int
    has_year: bool
    has_time: bool

    def as_datetime(self, tz) -> datetime:
        if isinstance(self.value, datetime):
            return self.value
        return datetime(self.value.year, self.value.month, self.value.day, tzinfo=tz)


def _safe_date(y: int, m: int, d: int) -> Optional[date]:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _closest(cands: list[date], ref: date, prefer: str) -> Optional[date]:
    cands = [c for c in cands if c is not None]
    if not cands:
        return None
    if prefer == "future":
        ahead = [c for c in cands if c >= ref]
        if ahead:
            return min(ahead)
    return min(cands, key=lambda c: (abs((c - ref).days), c < ref))


def _month_shift(y: int, m: int, k: int) -> tuple[int, int]:
    idx = y * 12 + (m - 1) + k
    return idx // 12, idx % 12 + 1


_YEAR_FORMS = ("ymd_cn", "ymd")


def out_of_era(text: str) -> list[str]:
    """Dates written with a year outside the platforms' era (``0001.01.01``): not read
    as dates; the remark parser names them as a problem."""
    s = normalise_width(text)
    return [m.group(0).strip() for form, rx in _FORMS if form in _YEAR_FORMS
            for m in rx.finditer(s) if not year_ok(int(m.group("y")))]


def find_manual_date(text: str, ref: datetime, prefer: str = "nearest") -> Optional[ManualDate]:
    """The first date in ``text`` in one of the manuals' forms, or None.

    ``ref`` is the time the text was written (aware); a date without a year
    takes the year that puts it nearest to ``ref`` (``prefer="future"``: the
    nearest one not before ``ref``'s day), a day without a month likewise.
    """
    found = list(iter_manual_dates(text, ref, prefer))
    return found[0] if found else None


def iter_manual_dates(text: str, ref: datetime, prefer: str = "nearest"):
    s = normalise_width(text)
    taken: list[tuple[int, int]] = []
    hits: list[ManualDate] = []
    for form, rx in _FORMS:
        for m in rx.finditer(s):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            md = _build(form, m, ref, prefer)
            if md is not None:
                taken.append((m.start(), m.end()))
                hits.append(md)
            elif form in _YEAR_FORMS and not year_ok(int(m.group("y"))):
                taken.append((m.start(), m.end()))  # not a date, nor are its parts
    hits.sort(key=lambda h: h.start)
    return iter(hits)


def _build(form: str, m: re.Match, ref: datetime, prefer: str) -> Optional[ManualDate]:
    g = m.groupdict()
    ref_day = ref.date()
    d = int(g["d"])
    if form in ("ymd_cn", "ymd"):
        if not year_ok(int(g["y"])):
            return None
        day = _safe_date(int(g["y"]), int(g["m"]), d)
        has_year = True
    elif form in ("md_cn", "md"):
        mo = int(g["m"])
        day = _closest([_safe_date(ref_day.year + k, mo, d) for k in (-1, 0, 1)], ref_day, prefer)
        has_year = False
    else:
        cands = []
        for k in (-1, 0, 1):
            y, mo = _month_shift(ref_day.year, ref_day.month, k)
            cands.append(_safe_date(y, mo, d))
        day = _closest(cands, ref_day, prefer)
        has_year = False
    if day is None:
        return None
    has_time = g.get("H") is not None
    value: Union[date, datetime] = day
    if has_time:
        value = datetime(day.year, day.month, day.day, int(g["H"]), int(g.get("M") or 0),
                         int(g.get("S") or 0), tzinfo=ref.tzinfo)
    return ManualDate(value, form, m.start(), m.end(), has_year, has_time)


def parse_manual_date(text: str, ref: datetime, prefer: str = "nearest") -> ManualDate:
    """Parse a value that must be exactly one date in a manual's form."""
    s = text.strip()
    md = find_manual_date(s, ref, prefer)
    if md is None and out_of_era(s):
        raise InputError(M_("{text} is outside the years {era}", text=repr(text), era=ERA))
    if md is None or md.start != 0 or normalise_width(s)[md.end:].strip(" 发货"):
        raise InputError(
            M_("{text} is not a date; use 2026-11-25, 2026.11.25, 11.25, 11月25日 or 25日",
               text=repr(text))
        )
    return md
