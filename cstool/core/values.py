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

import re
from typing import Optional

from cstool.core.errors import InputError
from cstool.core.limits import MAX_FEN


class Money(int):
    """An amount in fen (分)."""

    __slots__ = ()

    def __str__(self) -> str:
        return format_money(self)


class Instant(str):
    """A journal instant, ``YYYY-MM-DDTHH:MM:SSZ``."""

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
    __slots__ = ()

    def masked(self) -> str:
        return mask_address(self)


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

_MONEY_RE = re.compile(r"^(-)?(\d+)(?:\.(\d{1,2})0*)?$")


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


def parse_money(text, what: str = "amount") -> int:
    """``"128.5"`` / ``"¥1,280.00"`` / ``128`` → fen. Raises InputError on anything else."""
    if isinstance(text, int):
        return text * 100
    fen = money_fen(text)
    if fen is None:
        raise InputError(f"{what} {text!r} is not an amount; use yuan with at most two decimals, e.g. 128.50")
    if abs(fen) > MAX_FEN:
        raise InputError(f"{what} {text!r} is over {MAX_FEN // 100:,} yuan; check the amount")
    return fen


def format_ratio(value: Optional[float]) -> str:
    """A share for people: ``0.125`` → ``"12.5%"`` (JSON keeps the fraction)."""
    return "" if value is None else f"{value * 100:.1f}%"


def format_money(fen: Optional[int]) -> Optional[str]:
    if fen is None:
        return None
    sign = "-" if fen < 0 else ""
    q, r = divmod(abs(int(fen)), 100)
    return f"{sign}{q}.{r:02d}"


# --- masking -------------------------------------------------------------------


def mask_phone(value: str) -> str:
    s = str(value).strip()
    if not s:
        return s
    if len(s) >= 8:
        return s[:3] + "****" + s[-4:]
    return "*" * (len(s) - 2) + s[-2:] if len(s) > 2 else "*" * len(s)


def mask_name(value: str) -> str:
    s = str(value).strip()
    if not s:
        return s
    if s.isascii():
        return s[0] + "***"
    return s[0] + "*" * (len(s) - 1) if len(s) > 1 else "*"


_DISTRICT = re.compile(r"^(.{2,24}?(?:区|县|旗|市辖区|自治县|林区|特区))")
_CITY = re.compile(r"^(.{2,16}?市)")


def mask_address(value: str) -> str:
    """Keep the address up to its district (区/县), hide the rest."""
    s = " ".join(str(value).split())
    if not s:
        return s
    parts = s.split(" ")
    if len(parts) >= 4 and any(p.endswith(("区", "县", "旗", "市")) for p in parts[1:3]):
        # Taobao's form: 省 市 区 street...
        for i in range(1, min(4, len(parts))):
            if parts[i].endswith(("区", "县", "旗")):
                return " ".join(parts[: i + 1]) + " ****"
        return " ".join(parts[:3]) + " ****"
    compact = s.replace(" ", "")
    m = _DISTRICT.match(compact) or _CITY.match(compact)
    if m and len(m.group(1)) < len(compact):
        return m.group(1) + " ****"
    return compact[:3] + "****"


def reveal_or_mask(value, reveal: bool):
    if isinstance(value, Pii) and not reveal:
        return value.masked()
    return value


# --- free text that may carry personal data -------------------------------------


def mask_memo(value: str) -> str:
    """A remark with the personal data inside it masked (see :func:`cstool.mask.mask_text`)."""
    from cstool.core.mask import mask_text

    return mask_text(value)


class Memo(Pii):
    """A seller memo or remark: free text that may hold a buyer's new address or phone."""

    __slots__ = ()

    def masked(self) -> str:
        return mask_memo(self)


class FreeText(Memo):
    """Any text someone typed (a problem, a receipt, a buyer's message)."""

    __slots__ = ()
