"""Shop policy: the rules where the manuals differ, stored in the journal.

Each key has a kind that parses and validates the text a user types
(``cstool policy set chase_windows.phone 10:00-12:00,15:00-17:00``). The keys the
command-line contract names are here (:data:`BASE_KEYS`); each routine declares its
own (:class:`cstool.core.contract.Routine`) and the app layer hands the whole set to
:class:`Policy`. Only keys a shop has set are stored; the rest read their defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Callable, Optional

from cstool.core import text
from cstool.core.clock import zone
from cstool.core.errors import BadUsage, InputError
from cstool.core.i18n import M_, N_
from cstool.core.limits import ERA, year_ok
from cstool.core.mask import mask_url
from cstool.core.values import Instant
from cstool.core.vocab import COLOUR, FLAG_MEANING

# --- value kinds ---------------------------------------------------------------------
# A kind marked ``checked_on_read`` is parsed again when the policy is read: a value an
# older cstool stored that no longer passes is reported and its default used.


def checked_on_read(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    parse.checked_on_read = True  # type: ignore[attr-defined]
    return parse


# The units a key's number is in (``whole(1, 720, "hours")``), shown translated.
UNITS = (N_("hours"), N_("minutes"), N_("days"), N_("bytes"), N_("attempts"))


def whole(minimum: int, maximum: int, unit: str) -> Callable[[Any], int]:
    """A whole number in ``minimum..maximum`` (a range a shop could mean) of ``unit``
    (one of :data:`UNITS`, or another English msgid)."""

    def parse(value: Any) -> int:
        unit_ = M_(unit)
        s = str(value).strip()
        try:
            n = int(s) if len(s) <= 18 and not isinstance(value, bool) else None
        except ValueError:
            n = None
        if n is None:
            raise InputError(M_("{s} is not a whole number of {unit} ({minimum}–{maximum})",
                                s=repr(s[:20]), unit=unit_, minimum=minimum,
                                maximum=format(maximum, ',')))
        if not minimum <= n <= maximum:
            raise InputError(M_("{n} {unit} is outside {minimum}–{maximum} {unit}",
                                n=format(n, ','), unit=unit_, minimum=minimum,
                                maximum=format(maximum, ',')))
        return n

    return checked_on_read(parse)


@checked_on_read
def time_of_day(value: Any) -> str:
    return text.time_of_day(value)


@checked_on_read
def windows(value: Any) -> list[str]:
    """``10:00-12:00,15:00-17:00`` (or a JSON list) → ``["10:00-12:00", "15:00-17:00"]``."""
    out = []
    for p in [] if text.is_off(value) else text.split_list(value, N_("windows")):
        a, sep, b = text.span(p)
        if not sep:
            raise InputError(M_("window {p} is not HH:MM-HH:MM", p=repr(p)))
        start, end = text.minutes(a), text.minutes(b)
        if start >= end:
            raise InputError(M_("window {p} ends before it starts", p=repr(p)))
        out.append(f"{text.hhmm(start)}-{text.hhmm(end)}")
    return out


def zone_name(value: Any) -> str:
    name = str(value).strip()
    zone(name)
    return name


def plain(value: Any) -> str:
    return str(value).strip()


@checked_on_read
def language(value: Any) -> str:
    """``zh``, ``en`` (or 中文, English, zh_CN …), or ``auto``: CSTOOL_LANG, else the locale."""
    from cstool.core.i18n import normalise

    word = str(value).strip()
    if word.lower() in ("auto", "", "自动"):
        return "auto"
    lang = normalise(word)
    if lang is None:
        from cstool.core.i18n import _

        raise InputError(_("{word} is not a language; use zh, en or auto").format(
            word=repr(word[:20])))
    return lang


@checked_on_read
def date_or_none(value: Any) -> Optional[str]:
    """``YYYY-MM-DD`` (kept as text, a shop-local date) or ``none``."""
    from datetime import date

    if text.is_off(value):
        return None
    s = str(value).strip()
    try:
        day = date.fromisoformat(s)
    except ValueError:
        raise InputError(M_("{value} is not a date; use YYYY-MM-DD or none", value=repr(value))) from None
    if not year_ok(day.year):
        raise InputError(M_("{s} is outside the years {era}", s=s, era=ERA))
    return day.isoformat()


FLAG_SCHEMES = {
    # manual 002: colours by team
    "team": {"red": "presale", "blue": "aftersale", "purple": "brush"},
    # manual 003: colours by shipping state
    "shipping": {"red": "problem", "yellow": "ship", "green": "submitted", "purple": "return"},
}
_SCHEME_ALIASES = {"team": "team", "按团队": "team", "by-team": "team",
                   "shipping": "shipping", "按发货状态": "shipping", "by-shipping": "shipping",
                   "state": "shipping"}


def flag_scheme(value: Any) -> dict[str, str]:
    """A preset name (``team``/``shipping``), ``red=presale,blue=aftersale`` or a JSON object."""
    if not isinstance(value, dict) and str(value).strip().lower() in _SCHEME_ALIASES:
        return dict(FLAG_SCHEMES[_SCHEME_ALIASES[str(value).strip().lower()]])
    scheme: dict[str, str] = {}
    for colour, meaning in text.pairs(value, N_("colour: meaning"),
                                      N_("colour=meaning (e.g. red=presale)")):
        c = COLOUR(colour)
        if c == "none":
            raise InputError(M_("the scheme gives meanings to colours; 'none' has no colour"))
        scheme[c] = FLAG_MEANING(meaning)
    if not scheme:
        raise InputError(M_("a flag scheme needs at least one colour=meaning"))
    return scheme


# --- keys ----------------------------------------------------------------------------


class Key:
    """A policy key: its name, default, the parser of what people type, its help; a
    ``secret`` one is shown masked by ``policy show``; a ``per_shop`` one may be set for
    one shop (``policy set --shop``), and the routines read the order's shop's value."""

    __slots__ = ("name", "default", "parse", "help", "secret", "per_shop")

    def __init__(self, name: str, default: Any, parse: Callable[[Any], Any], help: str,
                 secret: bool = False, per_shop: bool = True):
        self.name, self.default, self.parse, self.help, self.secret = (
            name, default, parse, help, secret)
        self.per_shop = per_shop and not secret


# The keys the command-line contract names (and the shop's name): read by several routines.
BASE_KEYS = (
    Key("timezone", "Asia/Shanghai", zone_name, "the shop's time zone (IANA name)",
        per_shop=False),
    Key("shop_name", "", plain, "shop name printed on sheets and reports"),
    Key("ship_deadline_hours", 72, whole(1, 720, "hours"), "hours from payment to ship (72 h rule)"),
    Key("same_day_cutoff", "16:00", time_of_day, "paid before this ships today"),
    Key("unpaid_grace_minutes", 5, whole(0, 10080, "minutes"), "unpaid this long → due for a chase"),
    Key("chase_windows.phone", ["10:00-12:00", "15:00-17:00"], windows,
        "hours for phone chasing (HH:MM-HH:MM list)"),
    Key("chase_windows.wangwang", ["09:00-23:30"], windows, "hours for Wangwang (chat) chasing"),
    Key("chase_windows.sms", ["09:00-21:00"], windows, "hours for SMS chasing"),
    Key("flag_scheme", FLAG_SCHEMES["team"], flag_scheme,
        "flag colour → meaning (team | shipping | red=presale,...)"),
    # Read by cstool.core.i18n straight from the journal: help is printed before a policy.
    Key("language", "auto", language,
        "language of help, tables and messages: zh, en, or auto (CSTOOL_LANG, else the "
        "locale, else zh)"),
)


def _json():
    import json

    return json


def mask_secret(value: Any) -> str:
    s = str(value or "")
    if not s:
        return ""
    if s.startswith("http"):
        return mask_url(s)
    return "…" + s[-4:] if len(s) > 8 else "****"


def display(value: Any) -> str:
    """A value as ``policy set`` takes it: an empty list, no date or no limit is ``none``
    (the word to type, in either language), never Python's ``None``."""
    if value is None:
        return "none"
    if isinstance(value, list):
        return ",".join(map(display, value)) if value else "none"
    if isinstance(value, dict):
        return ",".join(f"{k}={display(v)}" for k, v in value.items())
    return str(value)


class Policy:
    """The journal's policy over a set of keys, read once per process; a shop's own
    values (``shop_policy``) override the journal's for that shop's orders."""

    def __init__(self, journal=None, keys: Iterable[Key] = BASE_KEYS,
                 presets: Optional[Mapping[str, tuple[str, dict]]] = None):
        self.journal = journal
        self.keys: dict[str, Key] = {k.name: k for k in keys}
        self.presets: Mapping[str, tuple[str, dict]] = presets or {}
        self._stored: dict[str, tuple[Any, Optional[str], Optional[str]]] = {}
        self._shops: dict[str, dict[str, tuple[Any, Optional[str], Optional[str]]]] = {}
        self.problems: list[str] = []  # stored values that are no longer valid
        if journal is None:
            return
        rows = journal.query("SELECT key, value, set_by, set_at FROM policy")
        try:
            shop_rows = journal.query(
                "SELECT shop, key, value, set_by, set_at FROM shop_policy ORDER BY shop, key")
        except Exception:  # a read-only journal of an older cstool: no shop has its own
            shop_rows = []
        for row in rows:
            value = self._read(row[0], row[1], "")
            if value is not _BAD:
                self._stored[row[0]] = (value, row[2], row[3])
        for row in shop_rows:
            value = self._read(row[1], row[2], f" --shop {row[0]}")
            if value is not _BAD:
                self._shops.setdefault(row[0], {})[row[1]] = (value, row[3], row[4])

    def _read(self, name: str, stored: str, where: str) -> Any:
        import json  # stored as JSON: a journal with no policy set never loads the decoder

        try:
            value = json.loads(stored)
        except ValueError:
            self.problems.append(M_("policy {name}{where} holds {stored}, which is not a "
                                    "value; using the default", name=name, where=where,
                                    stored=repr(stored[:40])))
            return _BAD
        k = self.keys.get(name)
        if k is not None and getattr(k.parse, "checked_on_read", False):
            try:
                value = k.parse(value)
            except InputError as e:
                self.problems.append(M_("policy {name}{where}: {problem}; using the default "
                                        "{default} (fix it with: cstool policy set{where} "
                                        "{name} VALUE)", name=k.name, where=where, problem=e,
                                        default=display(k.default)))
                return _BAD
        return value

    def key(self, name: str) -> Key:
        k = self.keys.get(name.strip())
        if k is None:
            raise BadUsage(M_("unknown policy key {name}; see: cstool policy show",
                              name=repr(name)))
        return k

    def get(self, name: str, shop: Optional[str] = None) -> Any:
        """The key's value for ``shop``'s orders (the shop's own, else the journal's, else
        the default); ``shop`` None: the journal's."""
        if shop:
            own = self._shops.get(shop)
            if own and name in own:
                return own[name][0]
        if name in self._stored:
            return self._stored[name][0]
        return self.key(name).default

    __getitem__ = get

    def shop_label(self, shop: Optional[str]) -> str:
        """The name to print for ``shop``: its own ``shop_name`` (``policy set --shop``),
        else the shop's name; with no shop, the journal's ``shop_name`` ("" when unset).
        The journal's ``shop_name`` never renames a shop that has a name of its own."""
        if shop:
            own = self._shops.get(shop)
            return (own["shop_name"][0] if own and "shop_name" in own else "") or shop
        return self.get("shop_name") or ""

    def shop(self, shop: Optional[str]) -> ShopPolicy:
        """The policy as one shop's orders read it (``policy.shop(order_shop).get(key)``)."""
        return ShopPolicy(self, shop)

    def shops(self) -> list[str]:
        """The shops that have a value of their own."""
        return sorted(self._shops)

    def overrides(self, name: str) -> dict[str, Any]:
        """Shop → its own value of ``name``, for the shops that set one."""
        return {shop: own[name][0] for shop, own in sorted(self._shops.items()) if name in own}

    def differs(self, names: Iterable[str]) -> list[str]:
        """The shops whose own values change any of ``names`` from the journal's."""
        names = list(names)
        return [shop for shop in self.shops()
                if any(self.get(n, shop) != self.get(n) for n in names)]

    def _per_shop(self, k: Key, shop: str) -> str:
        if not k.per_shop:
            raise BadUsage(M_("policy {name} is the journal's, not a shop's: set it "
                              "without --shop", name=k.name), option="--shop")
        shop = shop.strip()
        if not shop:
            raise BadUsage(M_("--shop needs a shop name"), option="--shop")
        return shop

    def set(self, name: str, value: Any, agent: Optional[str], now_db: str,
            shop: Optional[str] = None) -> Any:
        k = self.key(name)
        if shop is not None:
            shop = self._per_shop(k, shop)
        try:
            parsed = k.parse(value)
        except InputError as e:
            raise BadUsage(M_("policy {name}: {e}", name=k.name, e=e)) from None
        self._store(k.name, parsed, agent, now_db, shop)
        return parsed

    def unset(self, name: str, shop: str) -> bool:
        """Drop the shop's own value of ``name`` (its orders read the journal's again)."""
        k = self.key(name)
        shop = self._per_shop(k, shop)
        with self.journal.write():
            n = self.journal.execute("DELETE FROM shop_policy WHERE shop = ? AND key = ?",
                                     [shop, k.name]).rowcount
        self._shops.get(shop, {}).pop(k.name, None)
        return bool(n)

    def use(self, preset: str, agent: Optional[str], now_db: str,
            shop: Optional[str] = None) -> dict[str, Any]:
        if preset not in self.presets:
            raise BadUsage(M_("unknown preset {preset}; use one of: {items}",
                              preset=repr(preset), items=', '.join(self.presets)))
        values = self.presets[preset][1]
        if shop is not None:
            for name in values:
                shop = self._per_shop(self.key(name), shop)
        with self.journal.write():
            for name, value in values.items():
                self._store(name, value, agent, now_db, shop)
        return dict(values)

    def _store(self, name: str, value: Any, agent: Optional[str], now_db: str,
               shop: Optional[str] = None) -> None:
        text = _json().dumps(value, ensure_ascii=False)
        with self.journal.write():
            if shop is None:
                self.journal.execute(
                    "INSERT INTO policy (key, value, set_by, set_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                    "set_by = excluded.set_by, set_at = excluded.set_at",
                    [name, text, agent, now_db])
            else:
                self.journal.execute(
                    "INSERT INTO shop_policy (shop, key, value, set_by, set_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT(shop, key) DO UPDATE SET "
                    "value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at",
                    [shop, name, text, agent, now_db])
        if shop is None:
            self._stored[name] = (value, agent, now_db)
        else:
            self._shops.setdefault(shop, {})[name] = (value, agent, now_db)

    def rows(self, shop: Optional[str] = None) -> list[dict]:
        """Every key with its value; for ``shop``, the value its orders read, ``source``
        ``shop`` where the shop has its own."""
        out = []
        own = self._shops.get(shop, {}) if shop else {}
        for name, k in self.keys.items():
            stored = own.get(name) if k.per_shop else None
            source = "shop" if stored else None
            if stored is None:
                stored = self._stored.get(name)
                source = "set" if stored else "default"
            value = stored[0] if stored else k.default
            row = {
                "key": name,
                "value": mask_secret(value) if k.secret else value,
                "source": source,
                "set_by": stored[1] if stored else None,
                "set_at": Instant(stored[2]) if stored and stored[2] else None,
                "help": k.help,
            }
            if shop:
                row = {"shop": shop, **row}
            out.append(row)
        return out


_BAD = object()


class ShopPolicy:
    """One shop's view of the policy: ``get`` (and ``[]``) read its own value first."""

    __slots__ = ("policy", "name")

    def __init__(self, policy: Policy, name: Optional[str]):
        self.policy, self.name = policy, name

    def get(self, key: str) -> Any:
        return self.policy.get(key, self.name)

    __getitem__ = get

    def label(self) -> str:
        """The shop's name as printed (:meth:`Policy.shop_label`)."""
        return self.policy.shop_label(self.name)
