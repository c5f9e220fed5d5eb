"""The platforms' exports as rows: the columns an import writes, the file readers.

Which export a file is, and what each header means, is its spec's
(:mod:`cstool.orders.formats`); here the file is read: CSV (GB18030 or UTF-8,
detected) or xlsx (by its first bytes), header first.
"""


import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Optional

from cstool.core.errors import InputError
from cstool.core.files import XLSX_MAX_COLUMNS, check_input, open_xlsx, sniff_encoding, sniff_kind
from cstool.core.i18n import M_, N_

csv.field_size_limit(16 * 1024 * 1024)

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

# Columns of the orders table an import writes, in statement order. (The
# exports have more; each stored column costs import time, so only what a
# command uses is kept.) The platform is the file's, a literal of the statement.
COLUMNS = (
    "order_id", "buyer", "status", "close_reason", "total_fen", "postage_fen", "paid_fen",
    "created_at", "paid_at", "shipped_at", "item_title", "item_count", "sku",
    "courier", "tracking_no", "seller_memo", "flag", "buyer_message", "invoice_title",
    "presale_info", "receiver_name", "receiver_phone", "receiver_address", "shop", "ship_by",
    "refund_fen",
)
# Columns of the order_lines table an import writes.
LINE_COLUMNS = (
    "order_id", "line_key", "sub_order_id", "title", "sku", "merchant_code", "item_id",
    "quantity", "price_fen", "paid_fen", "status", "refund_status", "refund_fen",
    "compensation_fen",
)
# Fields a generic file may map its columns to (``--map SOURCE=field``).
GENERIC_FIELDS = tuple(f for f in COLUMNS if f != "line_key") + (
    "modified_address", "phone_landline") + tuple(f"line.{c}" for c in LINE_COLUMNS[2:])


@dataclass
class FileResult:
    """One file's import. ``inserted``/``updated``/``unchanged`` count the file's rows by
    what they did: an order (an order export), or a line (an export of items)."""

    file: str
    format: str = ""
    encoding: Optional[str] = None
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list = field(default_factory=list)
    dry_run: bool = False
    platform: str = ""
    shop: Optional[str] = None
    level: str = "order"
    new_orders: int = 0       # orders the file brought that the journal did not have
    waiting_lines: int = 0    # lines of orders the journal does not have yet
    shops: list = field(default_factory=list)  # the shops of the orders the file wrote
    warnings: list = field(default_factory=list)  # what the reader assumed (a renamed CSV)

    def as_dict(self) -> dict:
        return {"file": self.file, "format": self.format, "encoding": self.encoding,
                "rows": self.rows, "inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": self.rejected, "dry_run": self.dry_run,
                "platform": self.platform, "shop": self.shop, "level": self.level,
                "new_orders": self.new_orders, "waiting_lines": self.waiting_lines,
                "shops": self.shops, "warnings": self.warnings}


class RowError(ValueError):
    pass


# --- reading files -------------------------------------------------------------------


def _clean_header(name: Any) -> str:
    return str(name or "").replace("\ufeff", "").strip()


class Source:
    """Rows of one file: header, then (line number, list of cells)."""

    def __init__(self, path: str, fmt: str, encoding: str):
        self.path = path
        self.fmt = fmt
        self.encoding = encoding
        self.size = os.path.getsize(path)
        self.note = ""  # what the reader had to assume, said beside the result

    def position(self) -> int:
        return 0


class CsvSource(Source):
    def __init__(self, path: str, fmt: str, encoding: str):
        super().__init__(path, fmt, encoding)
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
        if not head.strip():
            raise InputError(M_("{path}: the file is empty", path=path))
        if b"\x00" in head:
            raise InputError(M_("{path}: not a CSV order export (it holds binary data)",
                                path=path))
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
                raise InputError(M_("{path}: cannot read as {encoding}; try --encoding "
                                    "gb18030", path=path, encoding=self.encoding)) from None
            raise InputError(M_("{path}: the file is empty", path=path)) from None

    def rows(self) -> Iterator[tuple[int, list]]:
        reader = self._reader
        line = reader.line_num
        try:
            for cells in reader:
                yield line + 1, cells
                line = reader.line_num
        except UnicodeDecodeError:
            raise InputError(M_("{path}: cannot be read as {encoding} after line {line}; "
                                "give --encoding gb18030 or utf-8", path=self.path,
                                encoding=self.encoding, line=line)) from None
        except csv.Error as e:
            raise InputError(M_("{path}: line {value}: {e}", path=self.path, value=line + 1, e=e)) from None

    def position(self) -> int:
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        self._text.close()


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
            raise InputError(M_("{path}: the sheet cannot be read ({name})", path=path,
                                name=type(e).__name__)) from None
        if not self.header:
            self.close()
            raise InputError(M_("{path}: the sheet is empty", path=path))
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
            raise InputError(M_("{path}: the sheet cannot be read after row {line} ({name})",
                                path=self.path, line=line, name=type(e).__name__)) from None

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


# Names a workbook goes by: such a file that is not a zip is refused or, when it is
# CSV text (an export renamed), read as CSV and said so.
WORKBOOK_NAMES = (".xlsx", ".xlsm", ".xls")
_SAVE_AS = N_("open it in Excel or WPS, save it as .xlsx or .csv (另存为) and import that")


def open_source(path: str, fmt: str = "auto", encoding: str = "auto") -> Source:
    """The file's rows: a workbook (by its first bytes, whatever its name) or CSV.

    A file named ``.xlsx``/``.xls`` that is not a zip is what its first bytes say:
    an old Excel 97-2003 workbook, a web page (the HTML table some back-ends send
    as ``.xls``) or Excel 2003's XML spreadsheet is refused, saying what it is and
    how to save it; CSV text is read as CSV (``note`` says so); anything else is
    refused.
    """
    check_input(path, N_("an order export"))
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    kind, looks = sniff_kind(head)
    ext = os.path.splitext(path)[1].lower()
    if kind == "xlsx":
        inside = _zip_members(path)
        if inside is not None and "xl/workbook.xml" not in inside:
            shown = ", ".join(inside[:3]) + (", …" if len(inside) > 3 else "")
            raise InputError(M_("{path}: a zip archive, not a workbook (it holds {members}): "
                                "unzip it and import the export inside", path=path,
                                members=shown) if shown else
                             M_("{path}: an empty zip archive, not a workbook", path=path))
        return XlsxSource(path, "xlsx", encoding)
    if kind == "xls":
        raise InputError(M_("{path}: an old Excel .xls workbook, which cstool does not "
                            "read; save it as .xlsx or .csv (Excel or WPS: 另存为) and import "
                            "that", path=path))
    if kind in ("html", "xml"):
        raise InputError(M_("{path}: not a workbook but {looks}, as some back-ends send for "
                            ".xls; cstool does not read it: {how}", path=path, looks=looks,
                            how=M_(_SAVE_AS)) if kind == "html" else
                         M_("{path}: not a workbook but {looks}; cstool does not read it: {how}",
                            path=path, looks=looks, how=M_(_SAVE_AS)))
    if fmt.endswith("-xlsx") or fmt == "qianniu-items":
        raise InputError(M_("{path}: not an xlsx workbook (it is {looks})", path=path,
                            looks=looks))
    if kind == "binary":
        raise InputError(M_("{path}: not a CSV order export (it holds {looks})", path=path,
                            looks=looks) if looks == "binary data" else
                         M_("{path}: not an order export: it is {looks}", path=path, looks=looks))
    source = CsvSource(path, "csv", encoding)
    if ext in WORKBOOK_NAMES:
        if len([h for h in source.header if h.strip()]) < 2:
            source.close()
            raise InputError(M_("{path}: named {ext} but not a workbook, and not CSV either "
                                "(its first line has no commas); {how}", path=path, ext=ext,
                                how=M_(_SAVE_AS)))
        source.note = M_("{path}: named {ext} but it is CSV text, not a workbook: read as CSV",
                         path=path, ext=ext)
    return source


def _zip_members(path: str) -> Optional[list[str]]:
    """The names in a zip (None when it cannot be opened: the workbook reader says why)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            return [n.replace("\\", "/") for n in z.namelist()]
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
