"""Import the platform's order exports into the journal.

Formats:

- ``taobao-csv``: the seller centre's classic ``ExportOrderList.csv`` (GB18030
  or UTF-8 with a BOM; ``="…"`` order numbers; ``'`` before phone numbers).
- ``taobao-xlsx``: the newer spreadsheet export (no payment time, masked
  address).
- ``generic``: any CSV, with ``--map SOURCE=field`` naming its columns.

Rows stream from the file into one ``INSERT … ON CONFLICT DO UPDATE``
(``executemany`` over a generator: constant memory). The upsert only touches
an order whose data changed, never moves an order back along its life
(an older export re-imported after a newer one changes nothing), and never
erases a value the file does not have. New seller memo texts reach the remark
history through triggers (see migration m0001).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from cstool.core.clock import LocalToUtc
from cstool.core.errors import BadUsage, CstoolError, InputError
from cstool.core.limits import (
    MAX_COUNT,
    MAX_NAME,
    MAX_ORDER_ID,
    OutOfRange,
    check_count,
    check_fen,
    order_number,
)
from cstool.core.values import money_fen
from cstool.core.vocab import COLOUR, STATUS, STATUS_RANK

csv.field_size_limit(16 * 1024 * 1024)

FORMATS = ("auto", "taobao-csv", "taobao-xlsx", "generic")
ENCODINGS = ("auto", "gb18030", "utf-8")

# The classic seller-centre export's header, in its order. Some names carry a
# trailing space in real files; the reader trims them.
CLASSIC_HEADER = (
    "订单编号", "买家会员名", "买家支付宝账号", "支付交易号", "买家应付货款", "买家应付邮费",
    "买家支付积分", "总金额", "返点积分", "买家实际支付金额", "买家实际支付积分", "订单状态",
    "买家留言", "收货人姓名", "收货地址", "运送方式", "联系电话", "联系手机", "订单创建时间",
    "订单付款时间", "宝贝标题", "宝贝种类", "物流单号", "物流公司", "订单备注", "宝贝总数量",
    "店铺Id", "店铺名称", "订单关闭原因", "卖家服务费", "买家服务费", "发票抬头", "是否手机订单",
    "分阶段订单信息", "定金排名", "修改后的sku", "修改后的收货地址", "异常信息", "天猫卡券抵扣",
    "集分宝抵扣", "是否是O2O交易",
)
# The newer xlsx export's header.
XLSX_HEADER = (
    "订单编号", "支付单号", "买家应付货款", "买家应付邮费", "总金额", "买家实付金额", "订单状态",
    "收货地址", "运送方式", "订单创建时间", "商品标题", "宝贝种类", "物流单号", "物流公司",
    "备注标签", "商家备注", "宝贝总数量", "开票信息", "手机订单", "商品属性SKU", "发货时间",
)

# Journal column -> header names in the exports (first match wins).
HEADERS: dict[str, tuple[str, ...]] = {
    "order_id": ("订单编号", "订单号", "主订单编号"),
    "buyer": ("买家会员名", "买家昵称", "买家旺旺"),
    "total_fen": ("总金额",),
    "postage_fen": ("买家应付邮费",),
    "paid_fen": ("买家实际支付金额", "买家实付金额"),
    "status": ("订单状态",),
    "close_reason": ("订单关闭原因",),
    "buyer_message": ("买家留言",),
    "receiver_name": ("收货人姓名",),
    "receiver_address": ("收货地址",),
    "modified_address": ("修改后的收货地址",),
    "receiver_phone": ("联系手机", "买家手机号"),
    "phone_landline": ("联系电话",),
    "created_at": ("订单创建时间",),
    "paid_at": ("订单付款时间",),
    "shipped_at": ("发货时间",),
    "item_title": ("宝贝标题", "商品标题"),
    "item_count": ("宝贝总数量",),
    "sku": ("修改后的sku", "商品属性SKU"),
    "tracking_no": ("物流单号",),
    "courier": ("物流公司",),
    "seller_memo": ("订单备注", "商家备注"),
    "flag": ("备注标签",),
    "invoice_title": ("发票抬头", "开票信息"),
    "presale_info": ("分阶段订单信息",),
}
REQUIRED = ("order_id", "status", "created_at")

# Columns of the orders table an import writes, in statement order. (The
# exports have more; each stored column costs import time, so only what a
# command uses is kept.)
COLUMNS = (
    "order_id", "buyer", "status", "close_reason", "total_fen", "postage_fen", "paid_fen",
    "created_at", "paid_at", "shipped_at", "item_title", "item_count", "sku",
    "courier", "tracking_no", "seller_memo", "flag", "buyer_message", "invoice_title",
    "presale_info", "receiver_name", "receiver_phone", "receiver_address",
)
# Fields a generic file may map its columns to (``--map SOURCE=field``).
GENERIC_FIELDS = COLUMNS + ("modified_address", "phone_landline")

MONEY = ("total_fen", "postage_fen", "paid_fen")
TIMES = ("created_at", "paid_at", "shipped_at")
LABELS = {col: names[0] for col, names in HEADERS.items()}


@dataclass
class FileResult:
    file: str
    format: str = ""
    encoding: Optional[str] = None
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {"file": self.file, "format": self.format, "encoding": self.encoding,
                "rows": self.rows, "inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": self.rejected, "dry_run": self.dry_run}


class RowError(ValueError):
    pass


# --- reading files -------------------------------------------------------------------


def sniff_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _clean_header(name: Any) -> str:
    return str(name or "").replace("\ufeff", "").strip()


def _resolve_headers(header: Sequence[str], mapping: Optional[dict[str, str]]) -> dict[str, int]:
    """Journal column -> index in the row."""
    names = [_clean_header(h) for h in header]
    index = {}
    if mapping is not None:
        for source, target in mapping.items():
            if source not in names:
                raise InputError(f"--map names column {source!r}, which the file does not have "
                                 f"(it has: {', '.join(n for n in names if n)})")
            index[target] = names.index(source)
        return index
    for col, aliases in HEADERS.items():
        for alias in aliases:
            if alias in names:
                index[col] = names.index(alias)
                break
    return index


class Source:
    """Rows of one file: header, then (line number, list of cells)."""

    def __init__(self, path: str, fmt: str, encoding: str):
        self.path = path
        self.fmt = fmt
        self.encoding = encoding
        self.size = os.path.getsize(path)

    def position(self) -> int:
        return 0


class CsvSource(Source):
    def __init__(self, path: str, fmt: str, encoding: str):
        super().__init__(path, fmt, encoding)
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
        if not head.strip():
            raise InputError(f"{path}: the file is empty")
        if b"\x00" in head:
            raise InputError(f"{path}: not a CSV order export (it holds binary data)")
        codec = sniff_encoding(head) if encoding == "auto" else encoding
        if codec.startswith("utf-8"):
            codec = "utf-8-sig"  # a BOM, if any, is not part of the first header
        self.encoding = "utf-8" if codec == "utf-8-sig" else codec
        self._raw = open(path, "rb")
        self._text = io.TextIOWrapper(self._raw, encoding=codec, newline="")
        self._reader = csv.reader(self._text)
        try:
            self.header = next(self._reader)
        except (StopIteration, UnicodeDecodeError) as e:
            self.close()
            if isinstance(e, UnicodeDecodeError):
                raise InputError(f"{path}: cannot read as {self.encoding}; try --encoding gb18030") from None
            raise InputError(f"{path}: the file is empty") from None

    def rows(self) -> Iterator[tuple[int, list]]:
        reader = self._reader
        line = reader.line_num
        try:
            for cells in reader:
                yield line + 1, cells
                line = reader.line_num
        except UnicodeDecodeError:
            raise InputError(f"{self.path}: cannot be read as {self.encoding} after line {line}; "
                             "give --encoding gb18030 or utf-8") from None
        except csv.Error as e:
            raise InputError(f"{self.path}: line {line + 1}: {e}") from None

    def position(self) -> int:
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        self._text.close()


# A sheet declaring more than this is not an order export (Taobao's has about 40
# columns); a real sheet never has more rows than Excel allows.
XLSX_MAX_COLUMNS = 512
XLSX_MAX_ROWS = 1_048_576


def open_xlsx(path: str, what: str = "an order export"):
    """``(workbook, first sheet)`` in read-only mode, its declared size checked.

    openpyxl pads every row to the declared width and the sheet to the declared
    height: a 1 MB file claiming ``A1:XFD200000`` would cost minutes to read.
    Such a sheet is refused at once; any other has its dimensions reset, so
    only the cells really there are read.
    """
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
    except Exception as e:  # openpyxl raises many kinds for a bad file
        raise InputError(f"{path}: cannot read it as an xlsx workbook ({type(e).__name__})") \
            from None
    cols, rows = ws.max_column or 0, ws.max_row or 0
    if cols > XLSX_MAX_COLUMNS or rows > XLSX_MAX_ROWS:
        wb.close()
        raise InputError(f"{path}: the sheet declares {cols:,} columns and {rows:,} rows; "
                         f"{what} has at most {XLSX_MAX_COLUMNS} columns: not {what}")
    ws.reset_dimensions()
    return wb, ws


class XlsxSource(Source):
    def __init__(self, path: str, fmt: str, encoding: str):
        super().__init__(path, fmt, None)
        self._wb, ws = open_xlsx(path)
        self._line = 0
        self.header = []
        try:
            for cells in ws.iter_rows(values_only=True, max_col=XLSX_MAX_COLUMNS):
                self._line += 1
                if any(c not in (None, "") for c in cells):
                    header = [_clean_header(c) for c in cells]
                    while header and not header[-1]:
                        header.pop()
                    self.header = header
                    break
        except Exception as e:  # a damaged sheet inside a valid zip
            self.close()
            raise InputError(f"{path}: the sheet cannot be read ({type(e).__name__})") from None
        if not self.header:
            self.close()
            raise InputError(f"{path}: the sheet is empty")
        # only the header's columns, from the row after it
        self._rows = ws.iter_rows(min_row=self._line + 1, max_col=len(self.header),
                                  values_only=True)

    def rows(self) -> Iterator[tuple[int, list]]:
        line = self._line
        try:
            for cells in self._rows:
                line += 1
                if not any(cells):
                    continue  # a blank row (or a gap in the sheet): nothing to read
                yield line, [_xlsx_cell(c) for c in cells]
        except InputError:
            raise
        except Exception as e:
            raise InputError(f"{self.path}: the sheet cannot be read after row {line} "
                             f"({type(e).__name__})") from None

    def close(self) -> None:
        self._wb.close()


def _xlsx_cell(value: Any) -> str:
    """Spreadsheet cells as the text the CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2 ** 53:
            return str(int(value))
        return repr(value)
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def open_source(path: str, fmt: str = "auto", encoding: str = "auto") -> Source:
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file")
    if os.path.isdir(path):
        raise InputError(f"{path}: is a folder, not an order export")
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if fmt == "auto":
        fmt = "taobao-xlsx" if magic == b"PK\x03\x04" else "taobao-csv"
    if fmt == "taobao-xlsx":
        if magic != b"PK\x03\x04":
            raise InputError(f"{path}: not an xlsx workbook")
        return XlsxSource(path, fmt, encoding)
    return CsvSource(path, fmt, encoding)


# --- normalising rows ----------------------------------------------------------------


def _order_id(text: str) -> str:
    s = text
    if s.startswith('="') and s.endswith('"'):
        s = s[2:-1]
    if s.isascii() and s.isdigit() and len(s) <= MAX_ORDER_ID:
        return s
    s = s.strip().lstrip("=").strip().strip('"').strip("'").strip()
    if not s:
        raise RowError("no order number")
    if re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", s):
        raise RowError(f"order number {text!r} was turned into a number by a spreadsheet; "
                       "export again and import the file unopened")
    try:
        return order_number(s)
    except ValueError as e:
        raise RowError(str(e)) from None


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
    for _word in [_canon] + [w for w, c in STATUS._lookup.items() if c == _canon]:
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


# --- the upsert ----------------------------------------------------------------------

_RANK = "CASE {t}.status " + " ".join(
    f"WHEN '{s}' THEN {r}" for s, r in STATUS_RANK.items()) + " END"
INSERT_COLUMNS = COLUMNS + ("import_id",)
# The seller memo: a blank one erases nothing, and a text already in the order's
# history is old news (an older export imported again must not bring it back).
_MEMO = ("CASE WHEN excluded.seller_memo IS NULL OR excluded.seller_memo = '' "
         "OR excluded.seller_memo IS orders.seller_memo THEN orders.seller_memo "
         "WHEN EXISTS (SELECT 1 FROM remarks r WHERE r.order_id = excluded.order_id "
         "AND r.source = 'platform' AND r.text = excluded.seller_memo) THEN orders.seller_memo "
         "ELSE excluded.seller_memo END")
# Rows per INSERT statement: binding many rows at once saves Python's
# per-statement overhead, the largest cost left on the writing side.
CHUNK = 50


def upsert_sql(rows: int = 1, import_id: int = 0) -> str:
    """Insert new orders; update changed ones, never backwards, never blanking.

    A value the file lacks or leaves blank (an xlsx export has no payment
    time) keeps what the journal knows; a status earlier in the order's life
    than the stored one (an older export imported late) changes nothing.
    """
    # the import's id is the same for every row: a literal, not a parameter to bind
    one = "(" + ", ".join("?" * len(COLUMNS)) + f", {int(import_id)})"
    sets, changed = [], []
    for c in COLUMNS[1:]:
        if c == "status":
            new = "excluded.status"
        elif c == "seller_memo":
            new = _MEMO
        else:
            new = f"coalesce(excluded.{c}, orders.{c})"
        sets.append(f"{c} = {new}")
        changed.append(f"orders.{c} IS NOT {new}")
    sets.append("import_id = excluded.import_id")
    return (
        f"INSERT INTO orders ({', '.join(INSERT_COLUMNS)}) VALUES {', '.join([one] * rows)} "
        f"ON CONFLICT (order_id) DO UPDATE SET {', '.join(sets)} "
        f"WHERE ({' OR '.join(changed)}) "
        f"AND {_RANK.format(t='excluded')} >= {_RANK.format(t='orders')}"
    )


# --- the memo history -------------------------------------------------------------------
#
# Every new seller memo text joins the order's remark history, already parsed.
# The reader parses each distinct memo text (the after-rows hook's memo_parser)
# and the writer keeps the parses in temp.memo_parse. After the rows, one
# statement records the memos this file brought: on the orders the file
# inserted or changed, a memo not yet in the order's history. (Per-row
# triggers did the same at a quarter of the writer's time.)

MEMO_PARSE_COLUMNS = ("kind", "flag", "flag_code", "reason", "action", "at", "author", "fields",
                      "problems")
_MEMO_PARSE_INSERT = (f"INSERT OR IGNORE INTO temp.memo_parse VALUES "
                      f"({', '.join('?' * (len(MEMO_PARSE_COLUMNS) + 2))})")
_MEMO_RECORD = (
    f"INSERT INTO remarks (order_id, source, text, {', '.join(MEMO_PARSE_COLUMNS)}, parsed, "
    f"created_at) SELECT o.order_id, 'platform', o.seller_memo, "
    f"{', '.join('p.' + c for c in MEMO_PARSE_COLUMNS)}, p.text IS NOT NULL, ? "
    f"FROM orders o LEFT JOIN temp.memo_parse p ON p.text = o.seller_memo "
    f"WHERE o.rowid > ? AND o.rowid <= ? AND o.import_id = ? AND o.seller_memo <> '' "
    f"AND NOT EXISTS (SELECT 1 FROM remarks r WHERE r.order_id = o.order_id "
    f"AND r.source = 'platform' AND r.text = o.seller_memo) ORDER BY o.rowid")
# SQLite stages an INSERT … SELECT that reads its own table (the NOT EXISTS on
# remarks) in a temporary table: by slices of orders, that stays small.
_MEMO_SLICE = 50_000


def _memo_parses(journal) -> None:
    """A fresh temp.memo_parse: memo text -> its parse, and what it asks the hook to do."""
    journal.execute("DROP TABLE IF EXISTS temp.memo_parse")
    journal.execute(f"CREATE TEMP TABLE memo_parse (text TEXT PRIMARY KEY, "
                    f"{', '.join(MEMO_PARSE_COLUMNS)}, acting INTEGER)")


BATCH = 40 * CHUNK
PARALLEL_MIN_BYTES = 8 << 20


MEMO_POS = COLUMNS.index("seller_memo")
CREATED_POS = COLUMNS.index("created_at")
SEEN_MEMOS = 50_000  # distinct memo texts a reader remembers (memory stays flat)


def _batches(source: Source, normalise: Callable, memo: Optional[Callable] = None
             ) -> Iterator[tuple]:
    """Batches of ``(chunks, rest, memos, rejected, bytes read)``.

    ``chunks`` are flat tuples of CHUNK rows each (for the multi-row
    statement), ``rest`` the rows left over at the end of the file, ``memos``
    the parses (``memo(text)``) of memo texts the batch brings for the first time.
    """
    from itertools import chain

    rows: list = []
    rejected: list = []
    memos: list = []
    seen: set = set()

    def cut(rows: list) -> tuple[list, list]:
        n = len(rows) - len(rows) % CHUNK
        chunks = [tuple(chain.from_iterable(rows[i:i + CHUNK])) for i in range(0, n, CHUNK)]
        return chunks, rows[n:]

    fast, check = normalise.fast, normalise  # the common case without a second call
    for line, cells in source.rows():
        try:
            row = fast(cells)
            if row[CREATED_POS] is None:
                raise ValueError
        except (ValueError, TypeError, IndexError, AttributeError):
            try:
                row = check(cells)
            except RowError as e:
                if str(e) != "empty row":
                    rejected.append({"row": line, "error": str(e)})
                continue
        rows.append(row)
        text = row[MEMO_POS]
        if memo is not None and text and text not in seen:
            if len(seen) >= SEEN_MEMOS:
                seen.clear()
            seen.add(text)
            memos.append((text, *memo(text)))
        if len(rows) >= BATCH:
            yield (*cut(rows), memos, rejected, source.position())
            rows, rejected, memos = [], [], []
    yield (*cut(rows), memos, rejected, source.size)


def _die_with(parent: int) -> None:
    """End this process when ``parent`` ends, however it ends (kill -9 included).

    Linux delivers a signal on the parent's death (prctl PR_SET_PDEATHSIG);
    elsewhere a thread watches the parent id. Either way a reader never
    outlives its writer holding the journal's files and the caller's stderr.
    """
    import signal

    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) != 0:  # PR_SET_PDEATHSIG
            raise OSError
        watch = False
    except (OSError, AttributeError, ImportError):
        watch = True
    if os.getppid() != parent:  # it died before the signal was armed
        os._exit(1)
    if watch:
        import threading
        import time

        def poll() -> None:
            while os.getppid() == parent:
                time.sleep(0.2)
            os._exit(1)

        threading.Thread(target=poll, daemon=True).start()


def _reader_main(send, source: Source, normalise: Callable, memo: Optional[Callable],
                 recv=None, parent: Optional[int] = None) -> None:
    """The forked reader: decode, parse and normalise, ship batches to the writer."""
    import gc
    import marshal

    if recv is not None:
        recv.close()  # the writer's end: kept open here, a dead writer would go unnoticed
    if parent is not None:
        _die_with(parent)
    gc.disable()
    try:
        for batch in _batches(source, normalise, memo):
            send.send_bytes(marshal.dumps(("rows", *batch)))
        send.send_bytes(marshal.dumps(("done",)))
    except (BrokenPipeError, ConnectionError):
        os._exit(1)  # the writer is gone: nobody to tell
    except CstoolError as e:
        _tell(send, ("error", str(e)))
    except Exception as e:  # reported by the writer as a failed file
        _tell(send, ("error", f"{source.path}: {type(e).__name__}: {e}"))
    finally:
        send.close()


def _tell(send, msg: tuple) -> None:
    import marshal

    try:
        send.send_bytes(marshal.dumps(msg))
    except OSError:
        os._exit(1)


def _forked_batches(source: Source, normalise: Callable, memo: Optional[Callable] = None
                    ) -> Iterator[tuple]:
    """Like :func:`_batches`, with the reading done by a forked process.

    The import is CPU-bound on both sides: parsing the file (Python) and
    inserting rows (SQLite). On two cores they overlap, which roughly halves
    the time of a large import.
    """
    import marshal
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    _widen(send)
    proc = ctx.Process(target=_reader_main, args=(send, source, normalise, memo, recv,
                                                  os.getpid()), daemon=True)
    proc.start()
    send.close()
    try:
        while True:
            try:
                msg = marshal.loads(recv.recv_bytes())
            except EOFError:
                raise CstoolError(f"{source.path}: the reader process stopped unexpectedly") from None
            if msg[0] == "rows":
                yield msg[1:]
            elif msg[0] == "done":
                break
            else:
                raise InputError(msg[1])
    finally:
        recv.close()
        if proc.is_alive():
            proc.terminate()
        proc.join()


def _widen(conn) -> None:
    """A pipe that holds a few batches, so the reader can run ahead of the writer
    instead of both waiting on each other batch by batch (Linux; else a no-op)."""
    try:
        import fcntl

        fcntl.fcntl(conn.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass


def _can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "darwin"


@contextmanager
def _no_gc():
    """Millions of short-lived tuples: the cyclic GC only slows the import down."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def import_file(journal, path: str, *, agent: Optional[str], now_db: str, tz_name: str,
                fmt: str = "auto", encoding: str = "auto", mapping: Optional[dict] = None,
                strict: bool = False, progress: Optional[Callable[[int, int], None]] = None,
                after_rows: Optional[Callable[[Any, int], None]] = None,
                parallel: Optional[bool] = None) -> FileResult:
    """Import one file inside the caller's transaction (``journal.write()``).

    ``progress(done_bytes, total_bytes)`` is called now and then.
    ``after_rows(journal, last_remark_id)`` runs after the rows are in,
    before the transaction ends, with the highest remark id from before
    the import: remarks above it are the memos this file brought (the
    remark parser hooks in there). ``parallel``: read in a forked process
    (default: for files over 8 MB, where fork exists).
    """
    if fmt == "generic" and not mapping:
        raise BadUsage(f"{path}: the generic format needs --map SOURCE=field for its columns")
    source = open_source(path, "taobao-csv" if fmt == "generic" else fmt, encoding)
    result = FileResult(file=path, format=fmt if fmt == "generic" else source.fmt,
                        encoding=source.encoding)
    rejected = result.rejected
    try:
        index = _resolve_headers(source.header, mapping if fmt == "generic" else None)
        missing = [c for c in REQUIRED if c not in index]
        if missing:
            names = ", ".join(LABELS[c] if fmt != "generic" else c for c in missing)
            raise InputError(f"{path}: not an order export: missing column(s) {names}")
        import_id = journal.execute(
            "INSERT INTO imports (file, format, encoding, agent, started_at) VALUES (?, ?, ?, ?, ?)",
            [os.path.basename(path), result.format, result.encoding, agent, now_db]).lastrowid
        normalise = build_normaliser(index, tz_name)
        if parallel is None:
            parallel = source.size >= PARALLEL_MIN_BYTES and _can_fork()
        memo = after_rows.memo_parser(journal, now_db) if hasattr(after_rows, "memo_parser") \
            else None
        last_remark = journal.scalar("SELECT coalesce(max(id), 0) FROM remarks")
        # orders are never deleted and new rows take max(rowid) + 1 (an upsert that
        # updates uses no rowid): the rowid range counts the new orders in O(log n)
        before = journal.scalar("SELECT coalesce(max(rowid), 0) FROM orders")
        cur = journal.conn.cursor()
        many, one = upsert_sql(CHUNK, import_id), upsert_sql(1, import_id)
        changed = 0
        with _no_gc():
            for chunks, rest, memos, bad, position in (_forked_batches if parallel else _batches)(
                    source, normalise, memo):
                if memos:  # before the rows: the memo triggers look the parses up
                    cur.executemany(_MEMO_PARSE_INSERT, memos)
                if chunks:
                    cur.executemany(many, chunks)
                    changed += cur.rowcount
                if rest:
                    cur.executemany(one, rest)
                    changed += cur.rowcount
                result.rows += len(chunks) * CHUNK + len(rest) + len(bad)
                rejected.extend(bad)
                if progress is not None:
                    progress(position, source.size)
        result.inserted = journal.scalar("SELECT coalesce(max(rowid), 0) FROM orders") - before
        if changed:
            top = journal.scalar("SELECT coalesce(max(rowid), 0) FROM orders")
            for lo in range(0, top, _MEMO_SLICE):
                journal.execute(_MEMO_RECORD, [now_db, lo, lo + _MEMO_SLICE, import_id])
        result.updated = changed - result.inserted
        result.unchanged = result.rows - len(rejected) - changed
    finally:
        source.close()
    if strict and rejected:
        first = rejected[0]
        raise InputError(f"{path}: {len(rejected)} row(s) rejected (--strict), nothing imported; "
                         f"first: line {first['row']}: {first['error']}")
    if after_rows is not None:
        after_rows(journal, last_remark)
    journal.execute(
        "UPDATE imports SET rows = ?, inserted = ?, updated = ?, unchanged = ?, rejected = ?, "
        "finished_at = ? WHERE id = ?",
        [result.rows, result.inserted, result.updated, result.unchanged, len(rejected), now_db,
         import_id])
    return result


def parse_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """``["Order No=order_id", ...]`` → ``{"Order No": "order_id"}`` (validated)."""
    mapping = {}
    for pair in pairs:
        source, sep, target = pair.rpartition("=")
        target = target.strip()
        if not sep or not source.strip():
            raise BadUsage(f"--map {pair!r}: use SOURCE=field, e.g. --map 'Order No=order_id'")
        if target not in GENERIC_FIELDS:
            raise BadUsage(f"--map {pair!r}: unknown field {target!r}; fields: "
                             + ", ".join(GENERIC_FIELDS))
        mapping[source.strip()] = target
    return mapping


def import_files(journal, paths: Sequence[str], *, agent: Optional[str], now_db: str,
                 tz_name: str, dry_run: bool = False, **kw) -> list[FileResult]:
    """Import several files as one transaction: all of them or nothing.

    ``dry_run`` does all the work, then rolls back: the counts are exact.
    """
    results: list[FileResult] = []
    # A 16 MB page cache keeps the indexes' hot pages in memory through a large
    # import (the default 2 MB spills them to the WAL and reads them back):
    # about 15 % faster on a million rows, for 14 MB more memory.
    cache = journal.scalar("PRAGMA cache_size")
    temp_store = journal.scalar("PRAGMA temp_store")
    journal.execute("PRAGMA cache_size = -16384")
    journal.execute("PRAGMA temp_store = MEMORY")  # the memo parses: looked up per memo
    try:
        with journal.write():
            _memo_parses(journal)
            for path in paths:
                results.append(import_file(journal, path, agent=agent, now_db=now_db,
                                           tz_name=tz_name, **kw))
            if dry_run:
                raise _DryRun()
    except _DryRun:
        for r in results:
            r.dry_run = True
    except sqlite3.OperationalError as e:
        if "full" not in str(e):
            raise
        raise CstoolError(f"the disk is full ({e}; journal {journal.path}): nothing was "
                          "imported; free some space and import again") from None
    finally:
        journal.execute(f"PRAGMA cache_size = {int(cache)}")
        journal.execute(f"PRAGMA temp_store = {int(temp_store)}")
    return results


class _DryRun(Exception):
    pass


def stderr_progress(label: str) -> Optional[Callable[[int, int], None]]:
    """A progress line on a terminal; None (no cost) when stderr is not one.

    Each percentage is written once, over the last; when a file is done the line is
    cleared, so only the import's result stays on the screen."""
    if not sys.stderr.isatty():
        return None
    shown: list[Optional[str]] = [None]

    def show(done: int, total: int) -> None:
        pct = 100 * done // total if total else 100
        text = f"{label}: {pct:3d}%"
        if done >= total:
            if shown[0] is not None:
                sys.stderr.write("\r" + " " * len(shown[0]) + "\r")
            shown[0] = None
        elif text != shown[0]:
            sys.stderr.write("\r" + text)
            shown[0] = text
        else:
            return
        sys.stderr.flush()

    return show


def after_rows_hook() -> Optional[Callable[[Any, int], None]]:
    """What runs after an import's rows are in: the remark parser applies the new memos.

    Its ``memo_parser(journal, now_db)`` gives the reader a function that parses
    a memo text into its remark columns (MEMO_PARSE_COLUMNS, then "acting": 0 nothing
    to apply, 1 marks brushing, 2 touches holds), kept in temp.memo_parse.
    """
    from cstool.remark.remarks import IMPORT_HOOK

    return IMPORT_HOOK
