"""Shop policy: the rules where the manuals differ, stored in the journal.

Each key has a kind that parses and validates the text a user types
(``cstool policy set chase_windows.phone 10:00-12:00,15:00-17:00``). Presets
reproduce the manuals where they disagree (``cstool policy use manual-000``).
Only keys a shop has set are stored; the rest read their defaults.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Optional

from cstool.core.errors import BadUsage, InputError
from cstool.core.vocab import COLOUR, FLAG_MEANING

# --- value kinds -------------------------------------------------------------------


def _int(minimum: int, maximum: int, unit: str) -> Callable[[Any], int]:
    """A whole number in ``minimum..maximum`` (a range a shop could mean)."""

    def parse(text: Any) -> int:
        s = str(text).strip()
        try:
            value = int(s) if len(s) <= 18 and not isinstance(text, bool) else None
        except ValueError:
            value = None
        if value is None:
            raise InputError(f"{s[:20]!r} is not a whole number of {unit} "
                             f"({minimum}–{maximum:,})")
        if not minimum <= value <= maximum:
            raise InputError(f"{value:,} {unit} is outside {minimum}–{maximum:,} {unit}")
        return value

    parse.checked_on_read = True  # type: ignore[attr-defined]
    return parse


_HHMM = re.compile(r"^([01]?\d|2[0-4])(?::([0-5]\d))?$")


def _minutes(text: str) -> int:
    m = _HHMM.match(text.strip())
    if not m:
        raise InputError(f"{text!r} is not a time of day; use HH:MM")
    value = int(m.group(1)) * 60 + int(m.group(2) or 0)
    if value > 24 * 60:
        raise InputError(f"{text!r} is past 24:00")
    return value


def _hhmm(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    return f"{hours:02d}:{mins:02d}"


def parse_time_of_day(text: Any) -> str:
    value = _minutes(str(text))
    if value >= 24 * 60:
        raise InputError(f"{text!r} is not a time of day; use 00:00-23:59")
    return _hhmm(value)


def split_list(text: Any, what: str, separators: str = r"[,，;\s]+") -> list[str]:
    """A list value as typed: a JSON list, or items separated by commas or spaces."""
    if isinstance(text, (list, tuple)):
        return [str(p) for p in text]
    s = str(text).strip()
    if s.startswith("["):
        try:
            return [str(p) for p in json.loads(s)]
        except ValueError:
            raise InputError(f"{text!r} is not a JSON list of {what}") from None
    return [p for p in re.split(separators, s) if p]


def parse_windows(text: Any) -> list[str]:
    """``10:00-12:00,15:00-17:00`` (or a JSON list) → ``["10:00-12:00", "15:00-17:00"]``."""
    if str(text).strip().lower() in ("", "none", "off", "无"):
        parts = []
    else:
        parts = split_list(text, "windows")
    out = []
    for p in parts:
        a, sep, b = p.replace("–", "-").replace("~", "-").partition("-")
        if not sep:
            raise InputError(f"window {p!r} is not HH:MM-HH:MM")
        start, end = _minutes(a), _minutes(b)
        if start >= end:
            raise InputError(f"window {p!r} ends before it starts")
        out.append(f"{_hhmm(start)}-{_hhmm(end)}")
    return out


parse_time_of_day.checked_on_read = True  # type: ignore[attr-defined]
parse_windows.checked_on_read = True  # type: ignore[attr-defined]


def window_bounds(window: str) -> tuple[int, int]:
    """``"10:00-12:00"`` → minutes since midnight ``(600, 720)``."""
    a, _, b = window.partition("-")
    return _minutes(a), _minutes(b)


def parse_zone(text: Any) -> str:
    from cstool.core.clock import zone

    name = str(text).strip()
    zone(name)
    return name


FLAG_SCHEMES = {
    # manual 002: colours by team
    "team": {"red": "presale", "blue": "aftersale", "purple": "brush"},
    # manual 003: colours by shipping state
    "shipping": {"red": "problem", "yellow": "ship", "green": "submitted", "purple": "return"},
}
_SCHEME_ALIASES = {"team": "team", "按团队": "team", "by-team": "team",
                   "shipping": "shipping", "按发货状态": "shipping", "by-shipping": "shipping",
                   "state": "shipping"}


def parse_scheme(text: Any) -> dict[str, str]:
    """A preset name (``team``/``shipping``), ``red=presale,blue=aftersale`` or a JSON object."""
    if isinstance(text, dict):
        pairs = list(text.items())
    else:
        s = str(text).strip()
        if s.lower() in _SCHEME_ALIASES:
            return dict(FLAG_SCHEMES[_SCHEME_ALIASES[s.lower()]])
        if s.startswith("{"):
            try:
                pairs = list(json.loads(s).items())
            except ValueError:
                raise InputError(f"{text!r} is not a JSON object of colour: meaning") from None
        else:
            pairs = []
            for part in re.split(r"[,，;\s]+", s):
                if not part:
                    continue
                colour, sep, meaning = part.partition("=")
                if not sep:
                    raise InputError(f"{part!r} is not colour=meaning (e.g. red=presale)")
                pairs.append((colour, meaning))
    scheme: dict[str, str] = {}
    for colour, meaning in pairs:
        c = COLOUR(str(colour))
        if c == "none":
            raise InputError("the scheme gives meanings to colours; 'none' has no colour")
        scheme[c] = FLAG_MEANING(str(meaning))
    if not scheme:
        raise InputError("a flag scheme needs at least one colour=meaning")
    return scheme


def _text(text: Any) -> str:
    return str(text).strip()


def _shifts(text: Any) -> dict[str, str]:
    from cstool.handover.handover import parse_shifts

    return parse_shifts(text)


def _chase_channels(text: Any) -> list[str]:
    from cstool.chase.chase import parse_channels

    return parse_channels(text)


def parse_date_or_none(text: Any) -> Optional[str]:
    """``YYYY-MM-DD`` (kept as text, a shop-local date) or ``none``."""
    from datetime import date

    s = "" if text is None else str(text).strip()
    if s.lower() in ("", "none", "off", "无"):
        return None
    try:
        day = date.fromisoformat(s)
    except ValueError:
        raise InputError(f"{text!r} is not a date; use YYYY-MM-DD or none") from None
    from cstool.core.limits import ERA, year_ok

    if not year_ok(day.year):
        raise InputError(f"{s} is outside the years {ERA}")
    return day.isoformat()


parse_date_or_none.checked_on_read = True  # type: ignore[attr-defined]


def _remark_verify(text: Any) -> list[str]:
    from cstool.remark.remarks import parse_verify  # remark feature; imported only when set

    return parse_verify(text)


@dataclass(frozen=True)
class Key:
    name: str
    default: Any
    parse: Callable[[Any], Any]
    help: str
    secret: bool = False    # shown masked by `policy show`


def _url(text: Any) -> str:
    s = str(text).strip()
    if s.lower() in ("", "none", "off"):
        return ""
    from cstool.core.notify import check_webhook

    return check_webhook(s)


KEYS: dict[str, Key] = {k.name: k for k in [
    Key("timezone", "Asia/Shanghai", parse_zone, "the shop's time zone (IANA name)"),
    Key("shop_name", "", _text, "shop name printed on sheets and reports"),
    Key("ship_deadline_hours", 72, _int(1, 720, "hours"), "hours from payment to ship (72 h rule)"),
    Key("same_day_cutoff", "16:00", parse_time_of_day, "paid before this ships today"),
    Key("unpaid_grace_minutes", 5, _int(0, 10080, "minutes"), "unpaid this long → due for a chase"),
    Key("chase_windows.phone", ["10:00-12:00", "15:00-17:00"], parse_windows,
        "hours for phone chasing (HH:MM-HH:MM list)"),
    Key("chase_windows.wangwang", ["09:00-23:30"], parse_windows,
        "hours for Wangwang (chat) chasing"),
    Key("chase_windows.sms", ["09:00-21:00"], parse_windows, "hours for SMS chasing"),
    Key("flag_scheme", FLAG_SCHEMES["team"], parse_scheme,
        "flag colour → meaning (team | shipping | red=presale,...)"),
    # remind (cron)
    Key("remind_cooldown_hours", 4, _int(1, 168, "hours"),
        "`remind` sends the same item again only after this long"),
    Key("remind_handover_ack_by", "10:00", parse_time_of_day,
        "handover items not acknowledged by this hour are reminded"),
    Key("remind.dingtalk_webhook", "", _url, "DingTalk robot webhook URL", secret=True),
    Key("remind.dingtalk_secret", "", _text, "DingTalk robot signing secret (SEC…)", secret=True),
    Key("remind.wecom_webhook", "", _url, "WeCom robot webhook URL", secret=True),
    # handover (issue 7): the shifts whose sheets `cstool handover export` writes.
    Key("handover.shifts", {"day": "09:00-17:30", "night": "17:30-23:30"}, _shifts,
        "shifts for handover sheets (day=09:00-17:30,night=17:30-23:30; a shift's sheet "
        "runs to the next shift's start)"),
    # chase (催付): the queue's rules beyond the grace period and the windows
    Key("chase_windows.remind", ["09:00-22:00"], parse_windows,
        "hours for the platform's remind-to-pay button (提醒付款)"),
    Key("chase_sequence", ["wangwang", "phone"], _chase_channels,
        "channels the chase queue offers, in order (add sms in campaigns, remind if used)"),
    Key("chase_cooldown_minutes", 120, _int(0, 10080, "minutes"),
        "after a chase, wait this long before the next one"),
    Key("chase_max_attempts", 2, _int(1, 20, "attempts"), "chase an order at most this many times"),
    Key("chase_max_age_hours", 72, _int(1, 720, "hours"),
        "stop chasing orders unpaid this long (the platform closes them)"),
    # shipcheck (issue 5): the rest of the shipping rules, domain.md §3
    Key("dispatch_time", "17:00", parse_time_of_day,
        "the day's parcels are sealed and handed to the courier by this time"),
    Key("stalled_days", 7, _int(1, 90, "days"), "shipped this long and not signed → stalled"),
    Key("stalled_max_days", 30, _int(0, 365, "days"),
        "shipped longer ago → left out of stalled (the platform has closed it); 0: no limit"),
    Key("presale_ship_date", None, parse_date_or_none,
        "ship date of presale orders that carry none (YYYY-MM-DD or none)"),
    # remark: the platform's memo limit; remarks checked with the buyer's own account
    Key("remark.memo_max_bytes", 1000, _int(50, 100_000, "bytes"),
        "the platform's seller-memo limit (UTF-8 bytes)"),
    Key("remark.verify_buyer", ["address", "cancel"], _remark_verify,
        "remarks that need --verified-buyer: kinds and/or cancel (address,attr,slip,cancel)"),
]}

# --- exception log (异常件登记): step clocks, resolutions and photos per kind ---
from cstool.cases import playbooks as _playbooks  # noqa: E402

KEYS.update((spec[0], Key(*spec)) for spec in _playbooks.policy_specs())

# Topic presets, and one preset per manual that combines them.
_CHASE_000 = {"chase_windows.phone": ["10:00-12:00", "15:00-17:00"],
              "chase_windows.wangwang": ["09:00-23:30"],
              "chase_windows.sms": ["09:00-21:00"],
              "chase_max_attempts": 2}  # 000: chat, then a call
_CHASE_002 = {"chase_windows.wangwang": ["09:00-11:00"],
              "chase_windows.phone": ["12:00-20:30"],
              "chase_windows.sms": ["09:00-20:30"],
              "chase_max_attempts": 3}  # 002: "及时且多次提醒客户"
PRESETS: dict[str, tuple[str, dict[str, Any]]] = {
    "manual-000": ("Tmall SOP (000): phone 10-12 and 15-17, chat at once", dict(_CHASE_000)),
    "manual-002": ("shop workflows (002): chat before 11:00, phone until 20:30; flags by team",
                   {**_CHASE_002, "flag_scheme": FLAG_SCHEMES["team"]}),
    "manual-003": ("training manual (003): flags by shipping state",
                   {"flag_scheme": FLAG_SCHEMES["shipping"]}),
    "chase-000": ("chase hours of manual 000", dict(_CHASE_000)),
    "chase-002": ("chase hours of manual 002", dict(_CHASE_002)),
    "flags-team": ("flag colours by team (002): red pre-sale, blue after-sale, purple brushing",
                   {"flag_scheme": FLAG_SCHEMES["team"]}),
    "flags-shipping": ("flag colours by shipping state (003): yellow ship, red problem, "
                       "green submitted, purple return", {"flag_scheme": FLAG_SCHEMES["shipping"]}),
}

# --- exception log (异常件登记): damaged parcels differ between manuals 000 and 002 ---
PRESETS["manual-000"][1].update(_playbooks.PRESETS_000)
PRESETS["manual-002"][1].update(_playbooks.PRESETS_002)
PRESETS["exceptions-000"] = ("damaged parcels (000): compensation or return and reship",
                             dict(_playbooks.PRESETS_000))
PRESETS["exceptions-002"] = ("damaged parcels (002): reship at once",
                             dict(_playbooks.PRESETS_002))


# handover (issue 7): shift times. Manual 003: day 9:00-17:30, night 17:30-23:30.
# Manual 000 (第二章): the day shift starts 8:30, the night shift arrives 14:30
# (the midday handover), the day shift leaves 18:00 and hands over to the night
# shift, which leaves 23:00; each handover starts the next sheet.
_SHIFTS_000 = {"day": "08:30-14:30", "mid": "14:30-18:00", "night": "18:00-23:00"}
_SHIFTS_003 = {"day": "09:00-17:30", "night": "17:30-23:30"}
PRESETS["manual-000"][1]["handover.shifts"] = _SHIFTS_000
PRESETS["manual-003"][1]["handover.shifts"] = _SHIFTS_003
PRESETS["shifts-000"] = ("handover shifts of manual 000: day 8:30, mid 14:30, night 18:00-23:00",
                         {"handover.shifts": _SHIFTS_000})
PRESETS["shifts-003"] = ("handover shifts of manual 003: day 9:00-17:30, night 17:30-23:30",
                         {"handover.shifts": _SHIFTS_003})


def key(name: str) -> Key:
    k = KEYS.get(name.strip())
    if k is None:
        raise BadUsage(f"unknown policy key {name!r}; see: cstool policy show")
    return k


def mask_secret(value: Any) -> str:
    s = str(value or "")
    if not s:
        return ""
    if s.startswith("http"):
        from cstool.core.notify import mask_url

        return mask_url(s)
    return "…" + s[-4:] if len(s) > 8 else "****"


def display(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value)) if value else "(none)"
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items())
    return str(value)


class Policy:
    """The journal's policy, read once per process."""

    def __init__(self, journal=None):
        self.journal = journal
        self._stored: dict[str, tuple[Any, Optional[str], Optional[str]]] = {}
        self.problems: list[str] = []  # stored values that are no longer valid
        if journal is not None:
            for row in journal.query("SELECT key, value, set_by, set_at FROM policy"):
                try:
                    value = json.loads(row[1])
                except ValueError:
                    self.problems.append(f"policy {row[0]} holds {row[1][:40]!r}, which is not "
                                         "a value; using the default")
                    continue
                k = KEYS.get(row[0])
                if k is not None and getattr(k.parse, "checked_on_read", False):
                    try:
                        value = k.parse(value)
                    except InputError as e:
                        self.problems.append(f"policy {k.name}: {e}; using the default "
                                             f"{display(k.default)} (fix it with: cstool policy "
                                             f"set {k.name} VALUE)")
                        continue
                self._stored[row[0]] = (value, row[2], row[3])

    def get(self, name: str) -> Any:
        if name in self._stored:
            return self._stored[name][0]
        return key(name).default

    __getitem__ = get

    def set(self, name: str, text: Any, agent: Optional[str], now_db: str) -> Any:
        k = key(name)
        try:
            value = k.parse(text)
        except InputError as e:
            raise BadUsage(f"policy {k.name}: {e}") from None
        self._store(k.name, value, agent, now_db)
        return value

    def use(self, preset: str, agent: Optional[str], now_db: str) -> dict[str, Any]:
        if preset not in PRESETS:
            raise BadUsage(f"unknown preset {preset!r}; use one of: {', '.join(PRESETS)}")
        values = PRESETS[preset][1]
        with self.journal.write():
            for name, value in values.items():
                self._store(name, value, agent, now_db)
        return dict(values)

    def _store(self, name: str, value: Any, agent: Optional[str], now_db: str) -> None:
        with self.journal.write():
            self.journal.execute(
                "INSERT INTO policy (key, value, set_by, set_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                "set_by = excluded.set_by, set_at = excluded.set_at",
                [name, json.dumps(value, ensure_ascii=False), agent, now_db],
            )
        self._stored[name] = (value, agent, now_db)

    def rows(self) -> list[dict]:
        from cstool.core.values import Instant

        out = []
        for name, k in KEYS.items():
            stored = self._stored.get(name)
            value = stored[0] if stored else k.default
            out.append({
                "key": name,
                "value": mask_secret(value) if k.secret else value,
                "source": "set" if stored else "default",
                "set_by": stored[1] if stored else None,
                "set_at": Instant(stored[2]) if stored and stored[2] else None,
                "help": k.help,
            })
        return out
