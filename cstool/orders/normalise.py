"""One export row to the tuple the upsert stores: order numbers, money in fen, times in
UTC, statuses, phones; a row that cannot be read is rejected with the cell to blame."""


from typing import Any, Callable, Optional

from cstool.core.limits import (
    MAX_COUNT,
    MAX_NAME,
    MAX_ORDER_ID,
    OutOfRange,
    cell_order_number,
    check_count,
    check_fen,
)
from cstool.core.values import money_fen
from cstool.core.vocab import COLOUR, STATUS
from cstool.orders.readers import COLUMNS, LABELS, MONEY, TIMES, RowError
from cstool.orders.times import LocalToUtc

CREATED_POS = COLUMNS.index("created_at")

# --- normalising rows ----------------------------------------------------------------


def _order_id(text: str) -> str:
    s = text
    if s.startswith('="') and s.endswith('"'):
        s = s[2:-1]
    if s.isascii() and s.isdigit() and len(s) <= MAX_ORDER_ID:
        return s
    try:
        number = cell_order_number(text, "export again and import the file unopened")
    except ValueError as e:
        raise RowError(str(e)) from None
    if number is None:
        raise RowError("no order number")
    return number


def _nick(text: str) -> str:
    raise RowError(f"{LABELS['buyer']} is {len(text):,} characters long; a nick has at most "
                   f"{MAX_NAME}")


def _before_created(col: str, when: str, created: str) -> None:
    raise RowError(f"{LABELS[col]} {when.strip()!r} is before {LABELS['created_at']} "
                   f"{created.strip()!r}")


def _phone(text: str) -> Optional[str]:
    s = text.strip()
    if s.startswith("="):
        s = s[1:]
    s = s.strip().strip('"').lstrip("'").strip()
    return s or None


def _tracking(text: str) -> Optional[str]:
    s = text.strip()
    if s[:3].lower() == "no:":
        s = s[3:].strip()
    return s or None


def _fen(text: str) -> Optional[int]:
    if 3 < len(text) < 12 and text[-3] == "." and text[:-3].isdigit() and text[-2:].isdigit() \
            and text.isascii():
        fen = int(text[:-3]) * 100 + int(text[-2:])
    else:
        s = text.strip()
        if not s:
            return None
        fen = money_fen(s)
        if fen is None:
            raise ValueError(text)
    return check_fen(fen, negative=False)


def _int(text: str) -> Optional[int]:
    s = text.strip()
    if not s:
        return None
    if not s.isascii() or len(s) > 24:
        raise ValueError(text)
    if "." in s or "e" in s.lower():
        f = float(s)
        if not f.is_integer():
            raise ValueError(text)
        return check_count(int(f) if abs(f) <= MAX_COUNT else MAX_COUNT + 1)
    return check_count(int(s))


_STATUS = {}
for _canon in STATUS.values:
    for _word in [_canon] + [w for w, c in STATUS.words.items() if c == _canon]:
        _STATUS[_word] = _canon
        _STATUS[_word.replace(",", "，")] = _canon


def _status(text: str) -> str:
    canon = _STATUS.get(text) or STATUS.get(text.strip().replace("，", ","))
    if canon is None:
        raise RowError(f"unknown order status {text.strip()!r}")
    return canon


def _flag(text: str) -> Optional[str]:
    s = text.strip()
    if not s:
        return None
    return COLOUR.get(s) or s


def _text(text: str) -> Optional[str]:
    return text.strip() or None


def _address(text: str) -> Optional[str]:
    """An address; the newer export's masked one (``…西湖区***``) tells us nothing."""
    s = text.strip()
    return None if "*" in s else (s or None)


class _Cache(dict):
    """A column's converted values (amounts, statuses repeat): a dict lookup, not a call."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[str], Any]):
        super().__init__()
        self.fn = fn

    def __missing__(self, key: str) -> Any:
        value = self.fn(key)  # a bad value raises: the row takes the slow path
        if len(self) < 20_000:
            self[key] = value
        return value


def build_normaliser(index: dict[str, int], tz_name: str) -> Callable[[list], tuple]:
    """A function turning one row's cells into the tuple for the upsert.

    Generated once per file from its header, so that the per-row work is a
    single expression over the cells the file has: the import's hot loop.
    When the fast expression fails, a column-by-column pass finds the cell
    to blame for the row's error message.
    """
    to_utc = LocalToUtc(tz_name)
    conv: dict[str, Callable[[str], Any]] = {
        "order_id": _order_id, "status": _status, "item_count": _int, "flag": _flag,
        "tracking_no": _tracking, "seller_memo": str.strip,
        **{c: _fen for c in MONEY}, **{c: to_utc for c in TIMES},
    }
    cached = {"status", "item_count", "flag", *MONEY}
    money = _Cache(_fen)
    env: dict[str, Any] = {"_address": _address, "_phone": _phone, "_order_id": _order_id}
    # The common shapes inline (="123…", '138…), anything else through the function.
    phone = ("(_p[1:] if (_p := c[{i}])[:1] == \"'\" and _p[1:].isdigit() else "
             "_p if _p.isdigit() else _phone(_p))")
    exprs = []
    for col in COLUMNS:
        if col == "order_id":
            exprs.append(f"(_o[2:-1] if (_o := c[{index[col]}])[:2] == '=\"' and _o[-1:] == '\"' "
                         f"and len(_o) <= {MAX_ORDER_ID + 3} and _o[2:-1].isdigit() "
                         f"and _o.isascii() else _order_id(_o))")
        elif col == "receiver_phone":
            parts = [phone.format(i=index[k]) for k in ("receiver_phone", "phone_landline")
                     if k in index]
            exprs.append(" or ".join(parts) or "None")
        elif col == "receiver_address":
            parts = [f"_address(c[{index[k]}])" for k in ("modified_address", "receiver_address")
                     if k in index]
            exprs.append(" or ".join(parts) or "None")
        elif col not in index:
            exprs.append("None")
        elif col in cached:
            env[f"_{col}"] = money if col in MONEY else _Cache(conv[col])
            exprs.append(f"_{col}[c[{index[col]}]]")
        elif col in conv:
            env[f"_{col}"] = conv[col]
            exprs.append(f"_{col}(c[{index[col]}])")
        elif col == "buyer":
            env["_nick"] = _nick
            exprs.append(f"(_b if len(_b := c[{index[col]}]) <= {MAX_NAME} else _nick(_b)) or None")
        else:
            exprs.append(f"(c[{index[col]}] or None)")
    src = "def fast(c):\n    r = (" + ", ".join(exprs) + ",)\n"
    # a payment or a shipment before the order existed: a row to reject, not to store
    env["_before"] = _before_created
    for col in ("paid_at", "shipped_at"):
        if col in index:
            src += (f"    if (_t := r[{COLUMNS.index(col)}]) and _t < (r[{CREATED_POS}] or ''): "
                    f"_before({col!r}, c[{index[col]}], c[{index['created_at']}])\n")
    src += "    return r\n"
    exec(compile(src, "<normaliser>", "exec"), env)
    fast = env["fast"]
    width = max(index.values()) + 1

    def slow(cells: list) -> tuple:
        if not any(x.strip() for x in cells):
            raise RowError("empty row")
        if len(cells) < width:
            raise RowError(f"the row has {len(cells)} cells; the header has at least {width}")
        for col, i in index.items():
            fn = conv.get(col)
            if fn is None:
                continue
            try:
                fn(cells[i])
            except RowError:
                raise
            except OutOfRange as e:
                raise RowError(f"{LABELS.get(col, col)} {cells[i][:40]!r}: {e}") from None
            except (ValueError, TypeError):
                raise RowError(f"bad {LABELS.get(col, col)} {cells[i]!r}") from None
        return fast(cells)

    i_created = index["created_at"]
    created = COLUMNS.index("created_at")

    def normalise(cells: list) -> tuple:
        try:
            row = fast(cells)
        except (ValueError, TypeError, IndexError, AttributeError, RowError):
            row = slow(cells)
        if row[created] is None:
            raise RowError(f"no {LABELS['created_at']} ({cells[i_created]!r})")
        return row

    normalise.fast = fast  # type: ignore[attr-defined]
    return normalise

