"""Typed values for output: money, instants and personal data.

Library functions put these in the rows they return; the renderer
(:mod:`cstool.core.output`) turns them into text for the chosen format, so every
command shows money, times and masked buyer data the same way.

- :class:`Money` is an int of fen, shown as ``"128.50"``.
- :class:`Instant` is a journal time (UTC text), shown in shop time.
- :class:`Phone`, :class:`Address`, :class:`Name`, :class:`Account` are
  personal data, masked unless the user asked for ``--reveal``.
"""

from __future__ import annotations

from typing import Optional

from cstool.core.errors import InputError
from cstool.core.i18n import M_, N_
from cstool.core.limits import MAX_FEN
from cstool.core.mask import (
    mask_address,
    mask_name,
    mask_name_before_phone,
    mask_names,
    mask_phone,
    mask_text,
)
from cstool.core.text import Lazy

__all__ = ["mask_address", "mask_name", "mask_phone"]  # the typed values' maskers, for queries


class Money(int):
    """An amount in fen (分)."""

    __slots__ = ()

    def __str__(self) -> str:
        return format_money(self)


class Instant(str):
    """A journal instant, ``YYYY-MM-DDTHH:MM:SSZ``."""

    __slots__ = ()


class Day(Instant):
    """A journal instant that is only a day: the shop's midnight of a date an export gave
    without a time (a PDD order number's ``261123-…``). JSON says the instant, as for
    any time (with ``created_at_precision: "day"`` beside it); a table shows the date with
    ``--:--`` for the time it does not know."""

    __slots__ = ()


class AtMost(int):
    """A count that is an upper bound (minutes unpaid since a :class:`Day`'s midnight): JSON
    says the number, a table puts ``≤`` before it."""

    __slots__ = ()


class Verbatim(str):
    """Text printed exactly as it is, never masked: what someone typed that must reach
    its destination whole (the remark text an agent pastes into the platform)."""

    __slots__ = ()


class Pii(str):
    """Personal data; subclasses say how to mask it."""

    __slots__ = ()

    def masked(self) -> str:
        raise NotImplementedError


class Phone(Pii):
    __slots__ = ()

    def masked(self) -> str:
        return mask_phone(self)


class Address(Pii):
    """An address; one an agent wrote into a remark may start with the receiver's name
    and phone (张三 13812345678 浙江省…): masked too."""

    __slots__ = ()

    def masked(self) -> str:
        return mask_text(mask_address(mask_name_before_phone(self)))


class Name(Pii):
    __slots__ = ()

    def masked(self) -> str:
        return mask_name(self)


class Account(Pii):
    """A payment account: a phone number or an e-mail address."""

    __slots__ = ()

    def masked(self) -> str:
        if "@" in self:
            local, _, domain = self.partition("@")
            return (local[:1] + "***@" + domain) if local else "***@" + domain
        return mask_phone(self)


# --- money ---------------------------------------------------------------------

_MONEY_RE = Lazy(r"^(-)?(\d+)(?:\.(\d{1,2})0*)?$")


def money_fen(text) -> Optional[int]:
    """``"128.5"`` / ``"¥1,280.00"`` → fen, or None when the text is not an amount."""
    s = str(text).strip().replace(",", "").replace("，", "").lstrip("¥￥").strip()
    if s.endswith("元"):
        s = s[:-1].strip()
    m = _MONEY_RE.match(s)
    if not m:
        return None
    sign, whole, cents = m.groups()
    if len(whole) > 15:
        return MAX_FEN * 10 * (-1 if sign else 1)  # over any limit, without a huge int
    fen = int(whole) * 100 + int((cents or "0").ljust(2, "0"))
    return -fen if sign else fen


def parse_money(text, what: str = N_("amount")) -> int:
    """``"128.5"`` / ``"¥1,280.00"`` / ``128`` → fen. Raises InputError on anything else.
    ``what``: what the amount is, an English msgid (shown translated)."""
    if isinstance(text, int):
        return text * 100
    fen = money_fen(text)
    if fen is None:
        raise InputError(M_("{what} {text} is not an amount; use yuan with at most two "
                            "decimals, e.g. 128.50", what=M_(what), text=repr(text)))
    if abs(fen) > MAX_FEN:
        raise InputError(M_("{what} {text} is over {value} yuan; check the amount", what=M_(what),
                            text=repr(text), value=format(MAX_FEN // 100, ',')))
    return fen


def format_ratio(value: Optional[float]) -> str:
    """A share for people: ``0.125`` → ``"12.5%"`` (JSON keeps the fraction)."""
    return "" if value is None else f"{value * 100:.1f}%"


def percent(part: int, whole: int) -> Optional[str]:
    """``part`` of ``whole`` as ``"12.5%"`` (None when there is no whole)."""
    return f"{100 * part / whole:.1f}%" if whole else None


def format_money(fen: Optional[int]) -> Optional[str]:
    if fen is None:
        return None
    sign = "-" if fen < 0 else ""
    q, r = divmod(abs(int(fen)), 100)
    return f"{sign}{q}.{r:02d}"


def reveal_or_mask(value, reveal: bool):
    if isinstance(value, Pii) and not reveal:
        return value.masked()
    return value


# --- free text that may carry personal data -------------------------------------


def mask_memo(value: str) -> str:
    """A remark with the personal data inside it masked (see :func:`cstool.mask.mask_text`)."""
    return mask_text(value)


class Memo(Pii):
    """A seller memo or remark: free text that may hold a buyer's new address or phone."""

    __slots__ = ()

    def masked(self) -> str:
        return mask_memo(self)


class FreeText(Memo):
    """Any text someone typed (a problem, a receipt, a buyer's message)."""

    __slots__ = ()


class OrderText(FreeText):
    """Free text of one order (the buyer's message, a memo, a remark): the order's own
    names (its receiver's) are masked in it too, which no pattern could find."""

    def __new__(cls, value: str, names=()):
        self = super().__new__(cls, value)
        self.names = tuple(n for n in names if n)
        return self

    def masked(self) -> str:
        return mask_names(mask_text(self), self.names)
