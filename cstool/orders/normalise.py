"""One export row to the tuples the upserts store: the order's (order numbers, money in
fen, times in UTC, statuses, phones) and, for an item-level export, the line's; a row
that cannot be read is rejected with the cell to blame."""


import re
from datetime import datetime
from typing import Any, Callable, Optional

from cstool.core.errors import message
from cstool.core.i18n import M_
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
from cstool.core.vocab import COLOUR, REFUND, STATUS
from cstool.orders.formats import FIELDS, STATUSES, Spec
from cstool.orders.readers import COLUMNS, LINE_COLUMNS, RowError
from cstool.orders.times import LocalToUtc

CREATED_POS = COLUMNS.index("created_at")
STATUS_POS = COLUMNS.index("status")

# --- values ----------------------------------------------------------------------------


def _order_id(text: str) -> str:
    s = text
    if s.startswith('="') and s.endswith('"'):
        s = s[2:-1]
    if s.isascii() and s.isdigit() and len(s) <= MAX_ORDER_ID:
        return s
    try:
        number = cell_order_number(text, M_("export again and import the file unopened"))
    except ValueError as e:
        raise RowError(message(e)) from None
    if number is None:
        raise RowError(M_("no order number"))
    return number


def _line_id(text: str) -> Optional[str]:
    """A sub-order number (子订单编号) or a product id, as text; None when blank."""
    try:
        return cell_order_number(text, M_("export again and import the file unopened"),
                                 "number")
    except ValueError as e:
        raise RowError(message(e)) from None


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


_CONTACT_PHONE = re.compile(r"(?:\+?86-?)?([0-9][0-9*\- ]{4,19})")


def _contact(text: str) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """One cell of name, phone and address (``张三，86-13900139000，广东省深圳市…``) as the
    three; a cell not of that shape is only an address."""
    parts = [p.strip() for p in re.split(r"[，,]", text.strip(), maxsplit=2)]
    if len(parts) == 3 and (m := _CONTACT_PHONE.fullmatch(parts[1])):
        return parts[0] or None, m.group(1).strip(), _address(parts[2].rstrip("，, "))
    return None, None, _address(text)


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


# Text fields whose few values repeat over a file (a close reason): when a spec cleans
# them first, cleaned and read once per distinct cell.
REPEATING = frozenset(("close_reason", "courier", "shop"))

_AMOUNT_HEAD = re.compile(r"\s*[-¥￥]?\s*[\d,]+(?:\.\d+)?")
CLEANERS: dict[str, Callable[[str], str]] = {
    "strip": str.strip,
    "tabs": lambda s: s.replace("\t", " ").strip(),
    "digits": lambda s: s if s.isdigit() else "".join(ch for ch in s if ch.isdigit()),
    "nospace": lambda s: "".join(s.split()),
    "amount_head": lambda s: (m.group(0) if (m := _AMOUNT_HEAD.match(s)) else s),
}


def _pre(spec: Spec, f: str) -> Optional[Callable[[str], str]]:
    """What a cell of field ``f`` goes through before it is read: the spec's cleaners,
    then its placeholders meaning empty; None when nothing."""
    cleaners = [CLEANERS[c] for c in (*spec.clean.get("*", ()), *spec.clean.get(f, ()))]
    empty = frozenset((*spec.empty, *spec.empty_in.get(f, ())))
    if not cleaners and not empty:
        return None
    if len(cleaners) == 1 and not empty:
        return cleaners[0]

    def pre(text: str) -> str:
        for c in cleaners:
            text = c(text)
        return "" if text.strip() in empty else text

    return pre


def _words(spec: Spec, status_map: dict[str, str]):
    statuses = spec.statuses(status_map)
    refunds = spec.refunds(status_map)

    def lookup(text: str, table: dict) -> Any:
        s = text.strip()
        return table.get(s) or table.get(s.replace("，", ",")) or table.get(s.lower())

    def status(text: str) -> Optional[str]:
        if not text.strip():
            return None
        hit = lookup(text, statuses)
        if hit is None:
            word = text.strip()
            raise RowError(M_("unknown order status {word}: map it with --status-map "
                              "'{word2}=STATUS' (STATUS one of {items})", word=repr(word),
                              word2=word, items=', '.join(STATUSES)))
        return hit[0]

    def implied(text: str) -> Optional[str]:
        hit = lookup(text, statuses) if text.strip() else None
        return hit[1] if hit else None

    def refund(text: str) -> Optional[str]:
        if not text.strip():
            return None
        hit = lookup(text, refunds)
        if hit is None:
            word = text.strip()
            raise RowError(M_("unknown refund status {word}: map it with --status-map "
                              "'{word2}=REFUND' (REFUND one of {items})", word=repr(word),
                              word2=word, items=', '.join(REFUND.values)))
        return hit

    return status, implied, refund


# --- the normaliser --------------------------------------------------------------------


def build_normaliser(index: dict[str, list[int]], tz_name: str, spec: Optional[Spec] = None,
                     names: Optional[list[str]] = None, shop: Optional[str] = None,
                     status_map: Optional[dict[str, str]] = None) -> Callable[[list], Any]:
    """A function turning one row's cells into the order's tuple (``spec.level`` order), or
    ``(order tuple or None, line tuple)`` (an item-level export).

    Generated once per file from its header, so that the per-row work is a
    single expression over the cells the file has: the import's hot loop.
    When the fast expression fails, a field-by-field pass finds the cell to
    blame for the row's error message.
    """
    from cstool.orders.formats import builtin

    spec = spec or next(s for s in builtin() if s.name == "taobao-csv")
    lines = spec.level != "order"
    to_utc = LocalToUtc(tz_name)
    status, implied, refund = _words(spec, dict(status_map or {}))
    conv: dict[str, Callable[[str], Any]] = {}
    for f, kind in FIELDS.items():
        conv[f] = {"order_id": _order_id, "status": status, "count": _int, "flag": _flag,
                   "tracking": _tracking, "memo": str.strip, "money": _fen, "time": to_utc,
                   "refund": refund, "id": _line_id}.get(kind, _text)
    if "status" in index:  # the order's own status: a row without one says nothing
        status_label = spec.label("status", names, index)

        def order_status(text: str) -> str:
            value = status(text)
            if value is None:
                raise RowError(M_("no {status_label}", status_label=status_label))
            return value

        conv["status"] = order_status
    cached = {f for f, kind in FIELDS.items() if kind in ("status", "count", "flag", "money",
                                                           "refund")}
    money = _Cache(_fen)
    env: dict[str, Any] = {"_address": _address, "_phone": _phone, "_order_id": _order_id,
                           "_contact": _contact,
                           "_shop": shop, "_implied": _Cache(implied), "_nick": _nick_error}
    pres = {f: p for f in index if (p := _pre(spec, f)) is not None}

    def label(f: str) -> str:
        return spec.label(f, names, index)

    def cell(f: str, i: int) -> str:
        if f in pres:
            env[f"_pre_{_ident(f)}"] = pres[f]
            return f"_pre_{_ident(f)}(c[{i}])"
        return f"c[{i}]"

    def raw(f: str) -> str:
        """The field's text: the first of its columns that is not empty."""
        cells = [cell(f, i) for i in index[f]]
        return cells[0] if len(cells) == 1 else "(" + " or ".join(cells) + ")"

    def value(f: str) -> str:
        if f not in index:
            return "None"
        name = f"_{_ident(f)}"
        if f in cached:
            env[name] = money if FIELDS[f] == "money" else _Cache(conv[f])
            return f"{name}[{raw(f)}]"
        if FIELDS[f] == "id":  # the common shapes (="123…", 123…) inline, else the function
            env["_line_id"] = _line_id
            return (f"(_d[2:-1] if (_d := {raw(f)})[:2] == '=\"' and _d[-1:] == '\"' "
                    f"and 3 < len(_d) <= {MAX_ORDER_ID + 3} and _d[2:-1].isdigit() "
                    f"and _d.isascii() else _d if _d.isdigit() and len(_d) <= {MAX_ORDER_ID} "
                    f"and _d.isascii() else _line_id(_d))")
        if FIELDS[f] == "time" and conv[f] is to_utc:  # the common shape inline
            env[name] = to_utc
            expr, names_ = to_utc.expression(raw(f), name)
            env.update(names_)
            return expr
        if FIELDS[f] == "text" and f in pres and f in REPEATING and len(index[f]) == 1:
            env[name] = _Cache(lambda text, pre=pres[f], fn=conv[f]: fn(pre(text)))
            return f"{name}[c[{index[f][0]}]]"
        if FIELDS[f] == "tracking" and f not in pres:  # _tracking inline but for ``NO:``
            env[name] = conv[f]
            return (f"((_k if (_k := {raw(f)}.strip())[:3].lower() != 'no:' else {name}(_k))"
                    " or None)")
        if FIELDS[f] in ("text", "nick") and f not in pres:
            if FIELDS[f] == "nick":
                return (f"((_b if len(_b := {raw(f)}) <= {MAX_NAME} else _nick({label(f)!r}, _b))"
                        " or None)")
            return f"({raw(f)} or None)"
        env[name] = conv[f]
        return f"{name}({raw(f)})"

    # the common shapes inline (="123…", '138…), anything else through the function
    phone = ("(_p[1:] if (_p := {c})[:1] == \"'\" and _p[1:].isdigit() else "
             "_p if _p.isdigit() else _phone(_p))")
    exprs = []
    # a file with one cell for the receiver: its name, phone and address, where the file
    # has no column of their own
    contact = {col: f"_contact({cell('receiver_contact', index['receiver_contact'][0])})[{k}]"
               for k, col in enumerate(("receiver_name", "receiver_phone", "receiver_address"))
               if "receiver_contact" in index}
    for col in COLUMNS:
        if col == "order_id":
            if "order_id" in pres:
                exprs.append(f"_order_id({raw('order_id')})")
            else:
                i = index["order_id"][0]
                exprs.append(f"(_o[2:-1] if (_o := c[{i}])[:2] == '=\"' and _o[-1:] == '\"' "
                             f"and len(_o) <= {MAX_ORDER_ID + 3} and _o[2:-1].isdigit() "
                             f"and _o.isascii() else _order_id(_o))")
        elif col == "receiver_phone":
            parts = [phone.format(c=cell(k, i)) for k in ("receiver_phone", "phone_landline")
                     for i in index.get(k, ())]
            exprs.append(" or ".join(parts) or "None")
        elif col == "receiver_address":
            # _address inline: stripped, None when empty or masked (``…西湖区***``)
            parts = [f"(None if '*' in (_a := {cell(k, i)}.strip()) else _a or None)"
                     for k in ("modified_address", "receiver_address") for i in index.get(k, ())]
            split = [k for k in ADDRESS_PARTS if k in index]
            if split:  # the address over several columns: composed, the detail last
                detail = (cell("receiver_address", index["receiver_address"][0])
                          if "receiver_address" in index else "''")
                heads = ", ".join(cell(k, index[k][0]) for k in split)
                env["_compose"] = _compose_address
                parts = parts[:len(index.get("modified_address", ()))] + [
                    f"_compose(({heads},), {detail})"]
            exprs.append(" or ".join(parts) or "None")
        elif col == "shop":
            exprs.append(f"({value('shop')} or _shop)" if "shop" in index else "_shop")
        elif col == "item_title" and lines and col not in index and "line.title" in index:
            exprs.append(value("line.title"))  # the order named after (one of) its items
        elif col == "status" and lines and "status" not in index:
            exprs.append(value("line.status") + " or 'paid'")  # the lines decide, later
        else:
            exprs.append(value(col))
        if col in contact:
            exprs[-1] = f"({exprs[-1]} or {contact[col]})"
    src = "def fast(c):\n    r = (" + ", ".join(exprs) + ",)\n"
    # a payment or a shipment before the order existed: a row to reject, not to store
    env["_before"] = _before_created
    for col in ("paid_at", "shipped_at"):
        if col in index:
            src += (f"    if (_t := r[{COLUMNS.index(col)}]) and _t < (r[{CREATED_POS}] or ''): "
                    f"_before({label(col)!r}, {raw(col)}, {label('created_at')!r}, "
                    f"{raw('created_at') if 'created_at' in index else repr('')})\n")
    if lines:
        parts = []
        for col in LINE_COLUMNS:
            f = "line." + col
            if col == "order_id":
                parts.append("r[0]")
            elif col == "line_key":
                parts.append("None")
            elif col == "status" and f not in index:
                parts.append(f"r[{STATUS_POS}]" if spec.level == "order_lines" else "None")
            elif col == "refund_status":
                # a status word may say the refund too (PDD 已发货，退款成功; JD 锁定)
                said = "line.status" if "line.status" in index else "status"
                implied_expr = f"_implied[{raw(said)}]" if said in index else "None"
                parts.append(f"({value(f)} or {implied_expr})" if f in index else implied_expr)
            else:
                parts.append(value(f))
        src += "    return r, (" + ", ".join(parts) + ",)\n"
    else:
        src += "    return r\n"
    exec(compile(src, "<normaliser>", "exec"), env)
    fast = env["fast"]
    width = max(i for v in index.values() for i in v) + 1
    checks = [(f, i) for f, positions in index.items() for i in positions if f in conv]

    def slow(cells: list) -> Any:
        if not any(x.strip() for x in cells):
            raise RowError(M_("empty row"))
        if len(cells) < width:
            raise RowError(M_("the row has {n} cells; the header has at least {width}",
                              n=len(cells), width=width))
        for f, i in checks:
            text = pres[f](cells[i]) if f in pres else cells[i]
            try:
                conv[f](text)
                if FIELDS[f] == "nick" and len(text) > MAX_NAME:
                    _nick_error(label(f), text)
            except RowError:
                raise
            except OutOfRange as e:
                raise RowError(M_("{f} {value}: {e}", f=label(f), value=repr(cells[i][:40]), e=e)) from None
            except (ValueError, TypeError):
                raise RowError(M_("bad {f} {cells}", f=label(f), cells=repr(cells[i]))) from None
        return fast(cells)

    created_label = label("created_at") if "created_at" in index else "订单创建时间"
    i_created = index["created_at"][0] if "created_at" in index else None
    keys = _LineKeys() if lines else None
    by_id = spec.created_from_id == "yymmdd"

    def normalise(cells: list) -> Any:
        try:
            row = fast(cells)
        except (ValueError, TypeError, IndexError, AttributeError, RowError):
            row = slow(cells)
        if not lines:
            if row[CREATED_POS] is None:
                raise RowError(M_("no {created_label} ({value})", created_label=created_label,
                                  value=repr(cells[i_created] if i_created is not None else '')))
            return row
        order, line = row
        if order[CREATED_POS] is None and by_id:
            order = _created_from_id(order, to_utc)
        return (order if order[CREATED_POS] is not None else None), keys(line)

    normalise.fast = fast if not lines else normalise  # type: ignore[attr-defined]
    normalise.lines = lines  # type: ignore[attr-defined]
    return normalise


class _LineKeys:
    """A line's key: its sub-order number, else its product id and SKU, else its title,
    SKU and merchant code; the second line of the same key in an order is ``…#2``.

    Counting the keys of a file without sub-order numbers must remember every order's,
    as an order's rows may come apart; memory stays flat all the same: the keys of the
    last ``RECENT`` orders are held in a dict, older ones go to a private temporary
    database, and a bit filter of the orders sent there says when to look one up (an
    order's rows are mostly together: a file read in order never looks)."""

    RECENT = 20_000
    BITS = 1 << 25  # 4 MB: a few per cent of false alarms at 3M orders, each one lookup

    def __init__(self) -> None:
        self.recent: dict[str, dict[str, int]] = {}
        self.sent: Optional[bytearray] = None
        self.spill: Any = None

    def __call__(self, line: tuple) -> tuple:
        oid, _, sub, title, sku, code, item = line[:7]
        if sub:
            return (oid, sub, *line[2:])
        if item:
            key = f"item:{item}|{sku or ''}"
        elif title or sku or code:
            key = f"title:{title or ''}|{sku or ''}|{code or ''}"
        else:
            raise RowError(M_("a line with no sub-order number, product or title"))
        counts = self.recent.get(oid)
        if counts is None:
            counts = self._counts(oid)
        n = counts[key] = counts.get(key, 0) + 1
        return (oid, key if n == 1 else f"{key}#{n}", *line[2:])

    def _counts(self, oid: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        sent = self.sent
        if sent is not None:
            h = hash(oid)  # the same within the process that reads the file: all it needs
            a, b = h & (self.BITS - 1), (h >> 32) & (self.BITS - 1)
            if sent[a >> 3] >> (a & 7) & 1 and sent[b >> 3] >> (b & 7) & 1:
                got = self.spill.execute("SELECT counts FROM seen WHERE oid = ?",
                                         [oid]).fetchone()
                if got is not None:
                    counts = self._loads(got[0])
        self.recent[oid] = counts
        if len(self.recent) > self.RECENT:
            self._evict()
        return counts

    def _evict(self) -> None:
        """The older half of the recent orders to the temporary database, one row each."""
        import marshal

        if self.spill is None:
            import sqlite3

            self.spill = sqlite3.connect("")  # private, on disk, gone when closed
            self.spill.execute("CREATE TABLE seen (oid TEXT PRIMARY KEY, counts BLOB) "
                               "WITHOUT ROWID")
            self.sent = bytearray(self.BITS >> 3)
            self._loads = marshal.loads
        sent, recent, mask, dumps = self.sent, self.recent, self.BITS - 1, marshal.dumps
        assert sent is not None
        rows = []
        for oid in list(recent)[: len(recent) // 2]:
            rows.append((oid, dumps(recent.pop(oid))))
            h = hash(oid)
            a, b = h & mask, (h >> 32) & mask
            sent[a >> 3] |= 1 << (a & 7)
            sent[b >> 3] |= 1 << (b & 7)
        rows.sort()  # the table's order: each page written once a batch
        self.spill.executemany("INSERT OR REPLACE INTO seen VALUES (?, ?)", rows)


def _ident(f: str) -> str:
    return f.replace(".", "_")


def _nick_error(label: str, text: str) -> None:
    raise RowError(M_("{label} is {n} characters long; a nick has at most {max_name}",
                      label=label, n=format(len(text), ','), max_name=MAX_NAME))


ADDRESS_PARTS = ("receiver_province", "receiver_city", "receiver_district", "receiver_street")


def _compose_address(heads: tuple, detail: str) -> Optional[str]:
    """省, 市, 区, 街道 and the detail as one address; a detail that already starts with
    them (some exports repeat them) is kept as it is."""
    heads = [h.strip() for h in heads if h.strip()]
    detail = detail.strip()
    if heads and detail.startswith(heads[0]):
        heads = []
    out = []
    for h in heads:  # 北京市 北京市 朝阳区: a municipality's city is its province
        if not out or out[-1] != h:
            out.append(h)
    return _address("".join(out) + detail)


def _created_from_id(order: tuple, to_utc: Callable[[str], Any]) -> tuple:
    """The order dated the day its number starts with (``261123-…``: 2026-11-23, at the
    shop's midnight), when the number does; else as it was."""
    oid = order[0]
    if len(oid) > 7 and oid[6] == "-" and oid[:6].isdigit():
        try:
            day = datetime.strptime(oid[:6], "%y%m%d")
        except ValueError:
            return order
        return order[:CREATED_POS] + (to_utc(day.strftime("%Y-%m-%d 00:00:00")),) + \
            order[CREATED_POS + 1:]
    return order


def _before_created(col: str, when: str, created_label: str, created: str) -> None:
    raise RowError(M_("{col} {strip} is before {created_label} {strip2}", col=col,
                      strip=repr(when.strip()), created_label=created_label,
                      strip2=repr(created.strip())))


# The shared status words (the fuzzers and older callers read them here).
_STATUS = {w: c for c in STATUS.values for w in (c, *STATUS.aliases[c])}
