"""Receipts back (回执): the sheet the next shift filled in, read and recorded by item id."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from cstool.core.errors import InputError
from cstool.core.files import open_xlsx, sniff_encoding
from cstool.core.i18n import M_, N_
from cstool.core.limits import MAX_ROW_ID, ascii_digits
from cstool.core.values import Instant
from cstool.handover.items import clean_order_id

# Header names a receipt import accepts for the columns it reads.
_ID_HEADERS = ("编号", "id", "item", "item_id")
_RECEIPT_HEADERS = ("回执", "receipt")
_ORDER_HEADERS = ("订单编号", "order_id", "order")


# --- receipts back -----------------------------------------------------------------


@dataclass
class ReceiptImport:
    file: str
    format: str = ""
    rows: int = 0
    receipts: int = 0
    recorded: int = 0
    unchanged: int = 0
    conflicts: list = field(default_factory=list)
    unknown: list = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {"file": self.file, "format": self.format, "rows": self.rows,
                "receipts": self.receipts, "recorded": self.recorded,
                "unchanged": self.unchanged, "conflicts": self.conflicts,
                "unknown": self.unknown, "dry_run": self.dry_run}


def _norm_header(value: Any) -> str:
    return str(value or "").replace("\ufeff", "").strip().lower()


def _find_header(rows: Iterable[tuple[int, list]], path: str):
    """``(index of id, receipt, order column or None)`` and the rows after the header."""
    it = iter(rows)
    for _ in range(20):
        try:
            _, cells = next(it)
        except StopIteration:
            break
        names = [_norm_header(c) for c in cells]
        id_col = next((names.index(h) for h in _ID_HEADERS if h in names), None)
        receipt_col = next((names.index(h) for h in _RECEIPT_HEADERS if h in names), None)
        if id_col is not None and receipt_col is not None:
            order_col = next((names.index(h) for h in _ORDER_HEADERS if h in names), None)
            return (id_col, receipt_col, order_col), it
    raise InputError(M_("{path}: not a handover sheet: no header row with 编号 and 回执 in its "
                        "first 20 rows", path=path))


def _xlsx_rows(path: str) -> tuple[Iterable[tuple[int, list]], Callable[[], None]]:
    wb, ws = open_xlsx(path, "a handover sheet")

    def rows():
        try:
            # the sheet cstool wrote is the first; its columns are few
            for n, cells in enumerate(ws.iter_rows(values_only=True, max_col=64), start=1):
                if any(c not in (None, "") for c in cells):
                    yield n, list(cells)
        except InputError:
            raise
        except Exception as e:  # a damaged sheet inside a valid zip
            raise InputError(M_("{path}: the sheet cannot be read ({name})", path=path,
                                name=type(e).__name__)) from None

    return rows(), wb.close


def _csv_rows(path: str) -> Iterable[tuple[int, list]]:
    with open(path, "rb") as fh:
        data = fh.read()
    encoding = sniff_encoding(data[:1 << 16])
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        raise InputError(M_("{path}: cannot decode it as {encoding} ({e})", path=path,
                            encoding=encoding, e=e)) from None
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)


def _id_value(value: Any) -> Optional[int]:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    s = ascii_digits(str(value).strip())
    if s.endswith(".0"):
        s = s[:-2]
    return int(s) if s.isascii() and s.isdigit() else None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _order_cell(value: Any) -> Optional[str]:
    """The row's order number, or None when the cell is blank or was mangled by a
    spreadsheet (then it cannot be checked, only the id counts)."""
    if value is None or isinstance(value, float):
        return None
    try:
        return clean_order_id(value)
    except InputError:
        return None


def file_format(path: str) -> str:
    """``xlsx`` or ``csv``, from the file's first bytes (a name can lie: a CSV renamed
    .xlsx, a web page sent as .xls), or the one line saying what it is instead."""
    from cstool.core.files import check_input, sniff_kind

    check_input(path, N_("a handover sheet"))
    with open(path, "rb") as fh:
        kind, looks = sniff_kind(fh.read(1 << 12))
    if kind == "xlsx":
        return "xlsx"
    if kind == "xls":
        raise InputError(M_("{path}: the old .xls format cannot be read; save it as .xlsx",
                            path=path))
    if kind == "text":
        return "csv"
    raise InputError(M_("{path}: not a handover sheet: it is {looks}; save it as .xlsx or "
                        ".csv and import that", path=path, looks=looks))


def import_receipts(ctx, path: str, *, dry_run: bool = False,
                    strict: bool = False) -> ReceiptImport:
    """Record the receipts filled in on a sheet (xlsx or CSV), matched by item id.

    A row's receipt is recorded when its item has none; the same receipt again
    changes nothing; a different one already recorded is a conflict (kept, not
    overwritten); an id the journal does not know, or a row whose order number
    is not its item's, is reported and skipped, never guessed. ``strict``: any
    reported row fails the file and nothing is recorded. Recorded as ``ctx.agent``'s.
    """
    journal, agent, now_db = ctx.journal, ctx.agent, ctx.now_db()
    fmt = file_format(path)
    result = ReceiptImport(file=path, format=fmt, dry_run=dry_run)
    close: Callable[[], None] = lambda: None  # noqa: E731
    if fmt == "xlsx":
        source, close = _xlsx_rows(path)
    else:
        source = _csv_rows(path)
    try:
        with journal.write():
            (id_col, receipt_col, order_col), rows = _find_header(source, path)
            for n, cells in rows:
                if not any(_cell_text(c) for c in cells):
                    continue
                result.rows += 1
                receipt = _cell_text(cells[receipt_col]) if receipt_col < len(cells) else ""
                if not receipt:
                    continue
                result.receipts += 1
                raw_id = cells[id_col] if id_col < len(cells) else None
                item_id = _id_value(raw_id)
                if item_id is None:
                    result.unknown.append({"row": n, "id": _cell_text(raw_id) or None,
                                           "error": "no item id in the row"})
                    continue
                item = journal.one("SELECT id, order_id, receipt, acked_by, acked_at "
                                   "FROM handover_items WHERE id = ?", [item_id]) \
                    if 0 < item_id <= MAX_ROW_ID else None
                if item is None:
                    result.unknown.append({"row": n, "id": item_id,
                                           "error": f"no handover item {item_id}"})
                    continue
                order = (_order_cell(cells[order_col])
                         if order_col is not None and order_col < len(cells) else None)
                if order and item["order_id"] and order != item["order_id"]:
                    result.unknown.append({
                        "row": n, "id": item_id,
                        "error": f"the row's order {order} is not item {item_id}'s order "
                                 f"{item['order_id']}"})
                    continue
                if item["receipt"] == receipt:
                    result.unchanged += 1
                elif item["receipt"] is not None:
                    result.conflicts.append({
                        "row": n, "id": item_id, "receipt": receipt,
                        "recorded": item["receipt"], "acked_by": item["acked_by"],
                        "acked_at": Instant(item["acked_at"]) if item["acked_at"] else None})
                else:
                    journal.execute("UPDATE handover_items SET receipt = ?, acked_by = ?, "
                                    "acked_at = ? WHERE id = ?",
                                    [receipt, agent, now_db, item_id])
                    result.recorded += 1
            if strict and (result.conflicts or result.unknown):
                first = (result.unknown + result.conflicts)[0]
                raise InputError(
                    M_("{path}: {n} unknown and {n2} conflicting row(s) (--strict), "
                       "nothing recorded; first: row {row}, item {id}", path=path,
                       n=len(result.unknown), n2=len(result.conflicts), row=first['row'],
                       id=first['id']))
            if dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    finally:
        close()
    return result


class _DryRun(Exception):
    pass


