"""One renderer for every listing: table, json, jsonl, csv, tsv.

Rows are dicts whose values may be the typed values of :mod:`cstool.core.values`;
this module is the single place that turns them into text, masks personal
data and applies the JSON conventions of the contract (ISO times with the
shop's offset, money as ``"128.50"``, order numbers as strings).

Tables are for people: times read ``11-23 14:30``, durations ``2天1小时`` / ``还剩3小时``
(:mod:`cstool.core.human`), headers are the listing's labels in the reader's language,
and the table fits the terminal (:mod:`cstool.core.table`). JSON, CSV and TSV keep
the values and keys as they are, whatever the language or the width.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import IO, Any, Callable, Optional

from cstool.core.i18n import Message, _
from cstool.core.mask import mask_text
from cstool.core.text import Lazy
from cstool.core.values import (
    AtMost,
    Day,
    Instant,
    Memo,
    Money,
    OrderText,
    Pii,
    Verbatim,
    format_money,
)

FORMATS = ("table", "json", "jsonl", "csv", "tsv")
# Keys whose values are identifiers, never free text: not searched for personal
# data (a buyer's nick or a tracking number that looks like a phone stays whole).
IDENTIFIERS = frozenset({
    "order_id", "sub_order_id", "buyer", "tracking_no", "reship_tracking", "sku",
    "merchant_code", "key", "ref", "path", "file", "photos", "sha256", "job_no", "short",
})
# Columns a table never wraps or cuts: what a person copies or types back.
WHOLE = (IDENTIFIERS - {"path", "file", "photos", "sha256", "ref"}) | {"id", "exception_id"}


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
    values as the library gives them.

    For the table alone: ``labels`` (key → header, an English msgid marked with ``N_``,
    shown translated; a key without one is its own header), ``kinds`` (key → a kind of
    :data:`cstool.core.human.FORMATS`: ``minutes``, ``hours_left`` …, beside the kinds
    the names already say, :data:`cstool.core.human.KINDS`), ``whole`` (keys never
    wrapped, beside :data:`WHOLE`), ``drop`` (keys left out when the terminal is narrow,
    first first), ``below`` (the long text column that moves under its row) and
    ``words`` (key → the :class:`~cstool.core.vocab.Vocabulary` of its values: a table
    shows them in the reader's language, 待发货 / paid).

    Headers are :func:`cstool.core.headers.header` of each key unless ``labels`` names
    one; ``empty`` is a message, translated when it is said."""

    __slots__ = ("columns", "table", "cells", "empty", "row", "labels", "kinds", "whole",
                 "drop", "below", "words")

    def __init__(self, columns: Optional[Sequence[str]] = None,
                 table: Optional[Mapping[str, Callable[[Any], Any]]] = None,
                 cells: Optional[Mapping[str, Callable[[Any], Any]]] = None,
                 empty: Optional[str] = None, row: Optional[Callable[[dict], dict]] = None,
                 labels: Optional[Mapping[str, str]] = None,
                 kinds: Optional[Mapping[str, str]] = None, whole: Sequence[str] = (),
                 drop: Sequence[str] = (), below: Optional[str] = None,
                 words: Optional[Mapping[str, Any]] = None):
        self.columns, self.empty, self.row = columns, empty, row
        self.table, self.cells = table or {}, cells or {}
        self.labels, self.kinds = labels or {}, kinds or {}
        if self.kinds:
            from cstool.core import human

            for kind in self.kinds.values():
                human.FORMATS[kind]  # a kind that does not exist fails where it is declared
        self.whole, self.drop, self.below = frozenset(whole), tuple(drop), below
        self.words = words or {}

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


NO_LISTING = Listing()


class Renderer:
    """``width``: the terminal's columns a table fits (None: every column, unwrapped);
    ``cut``: long cells may end in … (a terminal; never piped output)."""

    def __init__(self, clock, reveal: bool = False, width: Optional[int] = None,
                 cut: bool = False):
        self.clock = clock
        self.reveal = reveal
        self.width = width
        self.cut = cut

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
        if isinstance(value, Day) and text:  # the date alone: its time is not known
            return self.clock.local(value).strftime("%Y-%m-%d --:--")
        if isinstance(value, Instant):
            return self.clock.short(value) if text else self.clock.iso(value)
        if isinstance(value, bool):
            return (_("yes") if value else _("no")) if text else value
        if isinstance(value, dict):
            if text:
                return ", ".join(f"{k}={self.plain(v, True, k)}" for k, v in value.items())
            return {k: self.plain(v, text, k) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            if text:
                return ", ".join(str(self.plain(v, True, key)) for v in value)
            return [self.plain(v, False, key) for v in value]
        if isinstance(value, Message):  # each text it holds masked, shown in its language
            return value.read(lambda part: self.plain(part, False, key), shown=text)
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
        listing = listing or NO_LISTING
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
            self._record(rows, out, listing)
            return
        if not items:
            if empty:
                sys.stderr.write(_(empty) + "\n")
            return
        self._table(items, out, columns, listing)

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

    # -- tables --

    def cell(self, value: Any, key: Optional[str], listing: Listing = NO_LISTING) -> str:
        """A value as a table cell: times short (``11-23 14:30``), durations in words."""
        return self.column(key, listing)(value)

    def column(self, key: Optional[str], listing: Listing = NO_LISTING) -> Callable[[Any], str]:
        """:meth:`cell` for the values of one column: what the key and the listing say
        about it is looked up once, not for each row."""
        from cstool.core import human  # tables only: cron's runs print none

        if key in listing.words:
            words = listing.words[key]
        elif key == "platform":
            from cstool.core.vocab import PLATFORM

            words = PLATFORM
        else:
            words = None
        kind = listing.kinds.get(key) or human.KINDS.get(key) if key else None
        clock, plain = self.clock, self.plain
        # text as plain() reads it: masked unless revealed or an identifier
        whole = self.reveal or key in IDENTIFIERS

        def one(value: Any) -> str:
            if isinstance(value, Message):
                value = value.shown()
            if words is not None:
                value = words.shown(value)
            if type(value) is str:  # (not a typed value: those are str's subclasses)
                return value if whole else mask_text(value)
            if kind is not None and not isinstance(value, (str, bool)):
                if isinstance(value, AtMost):
                    return f"≤{human.cell(kind, value)}"
                return human.cell(kind, value) if value is not None else ""
            if isinstance(value, Instant):
                shown = human.brief_time(clock.local(value), clock.now())
                return shown[:-5] + "--:--" if isinstance(value, Day) else shown
            return str(plain(value, True, key))
        return one

    @staticmethod
    def header(key: str, listing: Listing = NO_LISTING) -> str:
        from cstool.core.headers import header

        return _(listing.labels[key]) if key in listing.labels else header(key)

    def _table(self, items, out, columns, listing: Listing = NO_LISTING) -> None:
        from cstool.core.table import layout

        keys = _with_platform(self._keys(items, columns), items)
        cells = [(k, self.column(k, listing)) for k in keys]
        body = [[cell(r.get(k)) for k, cell in cells] for r in items]
        headers = [self.header(k, listing) for k in keys]
        whole = WHOLE | listing.whole
        lines = layout(headers, body, self.width,
                       ids=[i for i, k in enumerate(keys) if k in whole],
                       drop=[keys.index(k) for k in listing.drop if k in keys],
                       below=keys.index(listing.below) if listing.below in keys else None,
                       cut=self.cut)
        out.write("\n".join(lines) + "\n")

    def _record(self, record: dict, out, listing: Listing = NO_LISTING) -> None:
        """One object: a two-column table, then each nested list as its own table."""
        from cstool.core.table import layout

        flat = [(self.header(k, listing), _("(none)") if v == [] else self.cell(v, k, listing))
                for k, v in record.items()
                if not (isinstance(v, list) and v and isinstance(v[0], dict))]
        out.write("\n".join(layout(None, flat, self.width, ids=[0], cut=self.cut)) + "\n")
        for k, v in record.items():
            if isinstance(v, list) and v and isinstance(v[0], dict):
                out.write(f"\n{self.header(k, listing)}:\n")
                self._table(v, out, None, listing)


def _with_platform(keys: list[str], items: list[dict]) -> list[str]:
    """A table whose orders come from several platforms shows each one's platform next to
    its number: the same number can be an order on two platforms."""
    if "order_id" not in keys or "platform" in keys:
        return keys
    if len({r.get("platform") for r in items if r.get("platform")}) < 2:
        return keys
    at = keys.index("order_id") + 1
    return [*keys[:at], "platform", *keys[at:]]


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
    if isinstance(value, Message):
        return value.map(lambda part: OrderText(part, names))
    if key in IDENTIFIERS or isinstance(value, (Instant, Verbatim)) or (
            isinstance(value, Pii) and not isinstance(value, Memo)):
        return value
    return OrderText(value, names) if isinstance(value, str) else value
