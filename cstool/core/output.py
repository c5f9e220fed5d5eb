"""One renderer for every listing: table, json, jsonl, csv, tsv.

Rows are dicts whose values may be the typed values of :mod:`cstool.core.values`;
this module is the single place that turns them into text, masks personal
data and applies the JSON conventions of the contract (ISO times with the
shop's offset, money as ``"128.50"``, order numbers as strings).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import IO, Any, Callable, Optional

from cstool.core.mask import mask_text
from cstool.core.text import Lazy
from cstool.core.values import Instant, Memo, Money, OrderText, Pii, Verbatim, format_money

FORMATS = ("table", "json", "jsonl", "csv", "tsv")
# Keys whose values are identifiers, never free text: not searched for personal
# data (a buyer's nick or a tracking number that looks like a phone stays whole).
IDENTIFIERS = frozenset({
    "order_id", "sub_order_id", "buyer", "tracking_no", "reship_tracking", "sku",
    "merchant_code", "key", "ref", "path", "file", "photos", "sha256", "job_no", "short",
})


# A cell a spreadsheet would run as a formula (OWASP's list: = + - @ tab CR).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = Lazy(r"-?\d+(?:\.\d+)?")


def csv_cell(value: Any) -> Any:
    """A cell for a CSV/TSV someone may open in Excel: text that a spreadsheet would
    run as a formula gets a leading ``'`` (as OWASP recommends); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and \
            not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class Listing:
    """How a listing reads, beside its rows: the keys its table and CSV show (JSON keeps
    every key), how a value reads for people (``table``: in a table; ``cells``: in a
    table, CSV or TSV, where a cell holds text, not data; ``row``: a whole row as a table
    reads it), and what a table says when there is nothing. Scripts' formats keep the
    values as the library gives them."""

    __slots__ = ("columns", "table", "cells", "empty", "row")

    def __init__(self, columns: Optional[Sequence[str]] = None,
                 table: Optional[Mapping[str, Callable[[Any], Any]]] = None,
                 cells: Optional[Mapping[str, Callable[[Any], Any]]] = None,
                 empty: Optional[str] = None, row: Optional[Callable[[dict], dict]] = None):
        self.columns, self.empty, self.row = columns, empty, row
        self.table, self.cells = table or {}, cells or {}

    def shown(self, rows: Any, fmt: str) -> Any:
        """``rows`` with the ``fmt``'s own readings applied (a new list; rows stay whole)."""
        use = {**(self.cells if fmt in ("table", "csv", "tsv") else {}),
               **(self.table if fmt == "table" else {})}
        whole = self.row if fmt == "table" else None
        if not use and whole is None:
            return rows

        def one(r: dict) -> dict:
            r = whole(r) if whole is not None else r
            return {k: use[k](v) if k in use else v for k, v in r.items()}

        return one(rows) if isinstance(rows, dict) else [one(r) for r in rows]


class Renderer:
    def __init__(self, clock, reveal: bool = False):
        self.clock = clock
        self.reveal = reveal

    # -- value conversion --

    def plain(self, value: Any, text: bool = False, key: Optional[str] = None) -> Any:
        """A value as JSON-ready data (``text=True``: as it reads in a table).

        Text is searched for personal data (phones, addresses, ID numbers) and
        masked unless ``reveal``; ``key`` names the field, and identifiers
        (order numbers, buyer nicks, tracking numbers …) are left whole.
        """
        if value is None:
            return "" if text else None
        if isinstance(value, Pii):
            return str(value) if self.reveal else value.masked()
        if isinstance(value, Verbatim):
            return str(value)
        if isinstance(value, Money):
            return format_money(value)
        if isinstance(value, Instant):
            return self.clock.short(value) if text else self.clock.iso(value)
        if isinstance(value, bool):
            return ("yes" if value else "no") if text else value
        if isinstance(value, dict):
            if text:
                return ", ".join(f"{k}={self.plain(v, True, k)}" for k, v in value.items())
            return {k: self.plain(v, text, k) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            if text:
                return ", ".join(str(self.plain(v, True, key)) for v in value)
            return [self.plain(v, False, key) for v in value]
        if isinstance(value, str) and not self.reveal and key not in IDENTIFIERS:
            return mask_text(value)
        return value

    def text(self, value: Any, key: Optional[str] = None) -> Any:
        """A value as it reads in a table or a sheet (``""`` for nothing)."""
        return self.plain(value, True, key)

    def mask(self, text: Any) -> str:
        """Free text as printed: personal data masked unless ``reveal``."""
        if isinstance(text, Pii) and not self.reveal:
            return text.masked()
        return str(text) if self.reveal else mask_text(str(text))

    def row(self, row: dict, text: bool = False) -> dict:
        return {k: self.plain(v, text, k) for k, v in row.items()}

    # -- formats --

    def render(
        self,
        rows: Any,
        fmt: str = "table",
        out: Optional[IO[str]] = None,
        columns: Optional[Sequence[str]] = None,
        empty: Optional[str] = None,
        listing: Optional[Listing] = None,
    ) -> None:
        """Write ``rows`` (a list of dicts, or one dict) to ``out`` in ``fmt``.

        ``columns`` picks and orders the keys for table/csv/tsv; JSON keeps
        every key. ``empty`` is printed (to stderr, table only) when there
        are no rows, so pipelines see nothing. ``listing`` gives both, and how
        values read in a table (:class:`Listing`).
        """

        import json  # only when something is rendered

        if listing is not None:
            rows = listing.shown(rows, fmt)
            columns = columns or listing.columns
            empty = empty or listing.empty
        out = out or sys.stdout
        single = isinstance(rows, dict)
        if fmt == "json":
            data = self.plain(rows)
            out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return
        items = [rows] if single else list(rows)
        if fmt == "jsonl":
            for r in items:
                out.write(json.dumps(self.plain(r), ensure_ascii=False) + "\n")
            return
        if fmt in ("csv", "tsv"):
            self._delimited(items, out, columns, "," if fmt == "csv" else "\t")
            return
        if single:
            self._record(rows, out)
            return
        if not items:
            if empty:
                sys.stderr.write(empty + "\n")
            return
        self._table(items, out, columns)

    def _keys(self, items: list[dict], columns: Optional[Sequence[str]]) -> list[str]:
        if columns:
            return list(columns)
        keys: list[str] = []
        for r in items:
            for k in r:
                if k not in keys:
                    keys.append(k)
        return keys

    def _delimited(self, items, out, columns, delimiter) -> None:
        import csv
        import json

        keys = self._keys(items, columns)
        w = csv.writer(out, delimiter=delimiter, lineterminator="\n")
        w.writerow([csv_cell(k) for k in keys])
        for r in items:
            vals = []
            for k in keys:
                v = self.plain(r.get(k), False, k)
                if isinstance(v, (dict, list)):
                    v = json.dumps(v, ensure_ascii=False)
                elif v is None:
                    v = ""
                elif isinstance(v, bool):
                    v = "1" if v else "0"
                vals.append(csv_cell(v))
            w.writerow(vals)

    def _table(self, items, out, columns) -> None:
        from tabulate import tabulate

        keys = self._keys(items, columns)
        body = [[self.plain(r.get(k), True, k) for k in keys] for r in items]
        out.write(tabulate(body, headers=keys, disable_numparse=True) + "\n")

    def _record(self, record: dict, out) -> None:
        """One object: a two-column table, then each nested list as its own table."""
        from tabulate import tabulate

        flat = [(k, "(none)" if v == [] else self.plain(v, True, k)) for k, v in record.items()
                if not (isinstance(v, list) and v and isinstance(v[0], dict))]
        out.write(tabulate(flat, tablefmt="plain", disable_numparse=True) + "\n")
        for k, v in record.items():
            if isinstance(v, list) and v and isinstance(v[0], dict):
                out.write(f"\n{k}:\n")
                self._table(v, out, None)


def own_names(value: Any, names: Sequence[Optional[str]], key: Optional[str] = None) -> Any:
    """``value`` (one order's object, or rows about it) with every free text in it an
    :class:`OrderText` that masks ``names`` (the order's receiver) too; identifiers and
    typed values are left as they are."""
    names = tuple(n for n in names if n)
    if not names:
        return value
    if isinstance(value, dict):
        return {k: own_names(v, names, k) for k, v in value.items()}
    if isinstance(value, list):
        return [own_names(v, names, key) for v in value]
    if key in IDENTIFIERS or isinstance(value, (Instant, Verbatim)) or (
            isinstance(value, Pii) and not isinstance(value, Memo)):
        return value
    return OrderText(value, names) if isinstance(value, str) else value
