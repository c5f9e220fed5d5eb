"""The small grammars of what people type: times of day, lists, name=value pairs.

Every command, policy key and sheet reads these forms through this module, so
``HH:MM`` or ``day=09:00-17:30,night=17:30-23:30`` means the same wherever it is
typed. Only ``re`` (and ``json`` for a JSON value): cheap to import.
"""

from __future__ import annotations

import re
from typing import Any

from cstool.core.errors import InputError
from cstool.core.i18n import M_, N_


class Lazy:
    """A regular expression compiled on first use: importing a module that defines many
    costs nothing until one is used (a cron run with nothing to say compiles none)."""

    __slots__ = ("args", "rx")

    def __init__(self, *args):
        self.args, self.rx = args, None

    def __getattr__(self, name):
        if self.rx is None:
            self.rx = re.compile(*self.args)
        return getattr(self.rx, name)


# --- times of day ---------------------------------------------------------------------

_HHMM = Lazy(r"^([01]?\d|2[0-4])(?::([0-5]\d))?$")


def minutes(text: str) -> int:
    """``HH:MM`` (or ``H``) → minutes since midnight, 0..1440 (``24:00`` is the day's end)."""
    s = str(text).strip()
    # ``HH:MM`` as the policy keeps it, read without the pattern (a cron run reads a dozen
    # and would compile it for them): what the pattern reads, it reads the same
    if len(s) == 5 and s[2] == ":" and s.isascii() and s[:2].isdigit() and s[3:].isdigit() \
            and s[0] in "012" and (s[0] != "2" or s[1] in "01234") and s[3] in "012345":
        value = int(s[:2]) * 60 + int(s[3:])
        if value > 24 * 60:
            raise InputError(M_("{text} is past 24:00", text=repr(text)))
        return value
    m = _HHMM.match(s)
    if not m:
        raise InputError(M_("{text} is not a time of day; use HH:MM", text=repr(text)))
    value = int(m.group(1)) * 60 + int(m.group(2) or 0)
    if value > 24 * 60:
        raise InputError(M_("{text} is past 24:00", text=repr(text)))
    return value


def hhmm(minute: int) -> str:
    """Minutes since midnight → ``HH:MM``."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def time_of_day(text: Any) -> str:
    """A time of day as typed → ``HH:MM`` (00:00–23:59)."""
    value = minutes(str(text))
    if value >= 24 * 60:
        raise InputError(M_("{text} is not a time of day; use 00:00-23:59", text=repr(text)))
    return hhmm(value)


def span(text: str) -> tuple[str, str, str]:
    """``10:00-12:00`` (``–`` and ``~`` too) → ``("10:00", "-", "12:00")`` as typed;
    the separator is empty when there is none."""
    return str(text).replace("–", "-").replace("~", "-").partition("-")


def window_bounds(window: str) -> tuple[int, int]:
    """``"10:00-12:00"`` → minutes since midnight ``(600, 720)``."""
    a, _, b = span(window)
    return minutes(a), minutes(b)


# --- lists and pairs ----------------------------------------------------------------------

LIST_SEPARATORS = r"[,，;\s]+"


def split_list(text: Any, what: str, separators: str = LIST_SEPARATORS) -> list[str]:
    """A list value as typed: a JSON list, or items separated by commas or spaces."""
    if isinstance(text, (list, tuple)):
        return [str(p) for p in text]
    s = str(text).strip()
    if s.startswith("["):
        try:
            import json  # cheap to leave out when no value is JSON

            return [str(p) for p in json.loads(s)]
        except ValueError:
            raise InputError(M_("{text} is not a JSON list of {what}", text=repr(text),
                                what=_said(what))) from None
    return [p for p in re.split(separators, s) if p]


def pairs(text: Any, of: str, form: str, blank: bool = True) -> list[tuple[str, str]]:
    """``a=1,b=2``, a JSON object or a dict → ``[("a", "1"), ("b", "2")]``.

    ``of`` names what a JSON object holds (``colour: meaning``), ``form`` one pair as
    it is written (``colour=meaning (e.g. red=presale)``), for the messages;
    ``blank=False`` refuses a pair with an empty side.
    """
    if isinstance(text, dict):
        return [(str(k), str(v)) for k, v in text.items()]
    s = str(text).strip()
    if s.startswith("{"):
        try:
            import json

            return [(str(k), str(v)) for k, v in json.loads(s).items()]
        except (ValueError, AttributeError):
            raise InputError(M_("{text} is not a JSON object of {of}", text=repr(text),
                                of=_said(of))) from None
    out = []
    for part in re.split(LIST_SEPARATORS, s):
        if not part:
            continue
        k, sep, v = part.partition("=")
        if not sep or (not blank and not (k.strip() and v.strip())):
            raise InputError(M_("{part} is not {form}", part=repr(part), form=_said(form)))
        out.append((k.strip(), v.strip()))
    return out


# What callers say they parse (``split_list(v, "channels")``): English msgids, marked
# here for the catalog and shown translated.
NOUNS = (N_("channels"), N_("resolutions"), N_("shift: HH:MM-HH:MM"),
         N_("shift=HH:MM-HH:MM (e.g. night=17:30-23:30)"))


def _said(what: Any) -> Any:
    """A caller's noun (an English msgid) as a message, unless it is one already."""
    return what if hasattr(what, "shown") else M_(str(what))


def is_off(text: Any) -> bool:
    """Whether a value says "nothing" (``none``, ``off``, ``无`` or blank)."""
    return str("" if text is None else text).strip().lower() in ("", "none", "off", "无")
