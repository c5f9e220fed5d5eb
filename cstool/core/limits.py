"""Sane ranges for every value cstool accepts: what a shop could mean.

A value outside them is a typing slip, a spreadsheet accident or a hostile
file; it is refused where it comes in (a file's row, an option, a policy
key), with the range in the message, so it can never reach date or integer
arithmetic that would overflow later.
"""

from __future__ import annotations

import re
from typing import Optional

from cstool.core.i18n import M_, N_

# The platforms' era: Taobao opened in 2003; nothing a shop records is past 2100.
MIN_YEAR = 2003
MAX_YEAR = 2100
ERA = f"{MIN_YEAR}–{MAX_YEAR}"
# One order's money: 10 million yuan (in fen). Counts of items in one order.
MAX_FEN = 10_000_000_00
MAX_COUNT = 100_000
# Order numbers: Taobao 18–20 digits, JD 11–14, PDD 22 with a dash; Youzan 24.
MAX_ORDER_ID = 32
# SQLite's integer ids.
MAX_ROW_ID = 2 ** 63 - 1
# Hours an option may look ahead or back (a year and a day).
MAX_HOURS = 24 * 366
# Text a person types on the command line.
MAX_SHORT_NAME = 32    # an agent's short name (the ``# 倩`` of a remark)
MAX_NAME = 64          # a full name, a job number, a buyer's nick
MAX_TEXT = 2000        # a problem, a detail, a note, a receipt


_ORDER_ID = r"[0-9A-Za-z_\-]+"


class OutOfRange(ValueError):
    """A value outside its range; the message says the range ("over 100,000")."""


def year_ok(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


def check_year(value, what: str = N_("the date")) -> None:
    """Raise OutOfRange unless ``value`` (a date or datetime) lies in the platforms' era."""
    if not year_ok(value.year):
        raise OutOfRange(M_("{what} {value} is outside the years {era}", what=M_(what),
                            value=value.isoformat()[:10], era=ERA))


def check_fen(fen: int, negative: bool = True) -> int:
    """``fen`` unless over MAX_FEN (or below zero when not ``negative``): OutOfRange."""
    if not negative and fen < 0:
        raise OutOfRange(M_("negative"))
    if abs(fen) > MAX_FEN:
        raise OutOfRange(M_("over {value} yuan", value=format(MAX_FEN // 100, ',')))
    return fen


def check_count(n: int) -> int:
    if n < 0:
        raise OutOfRange(M_("negative"))
    if n > MAX_COUNT:
        raise OutOfRange(M_("over {max_count}", max_count=format(MAX_COUNT, ',')))
    return n


def ascii_digits(text: str) -> str:
    """Digits of any script (full-width ５, Arabic-Indic ٥, superscript ⁵ …) as ASCII.

    Other characters are kept as they are (after Unicode compatibility
    folding), so a caller can still refuse what is not an order number.
    """
    if text.isascii():
        return text
    import unicodedata

    s = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.decimal(c)) if not c.isascii() and c.isdecimal() else c
                   for c in s)


_SCIENTIFIC = re.compile(r"\d+(\.\d+)?[eE]\+?\d+")


def cell_order_number(text, hint: str, what: str = "order number") -> Optional[str]:
    """An order number as an export or a sheet holds it: ``="…"`` (how the seller centre
    keeps it text), a stray ``=``, quotes and a leading ``'`` taken off; None when blank.

    ValueError saying why when it is no order number; one a spreadsheet turned into
    ``5.11861E+18`` is named as such, with ``hint``: what to do instead.
    """
    s = str(text)
    if s.startswith('="') and s.endswith('"'):
        s = s[2:-1]
    s = s.strip().lstrip("=").strip().strip('"').strip("'").strip()
    if not s:
        return None
    if _SCIENTIFIC.fullmatch(s):
        raise ValueError(M_("{what} {text} was turned into a number by a spreadsheet; {hint}",
                            what=_what(what), text=repr(text), hint=hint))
    return order_number(s, what)


def _what(what: str):
    return M_("order number") if what == "order number" else M_("number")


def order_number(text: str, what: str = "order number") -> str:
    """An order number in ASCII (other scripts' digits folded), or ValueError saying why not.

    Letters, digits, ``-`` and ``_``, at most MAX_ORDER_ID characters: a
    300-digit number or one in full-width digits is never a distinct order.
    """
    s = ascii_digits(text)
    if not re.fullmatch(_ORDER_ID, s):
        raise ValueError(M_("{what} {text} is not a number", what=_what(what), text=repr(text)))
    if len(s) > MAX_ORDER_ID:
        raise OutOfRange(M_("{what} {text}… is {n} characters long; an order number "
                            "has at most {max_order_id}", what=_what(what), text=repr(text[:24]),
                            n=len(s), max_order_id=MAX_ORDER_ID))
    return s
