"""Shift handover (交接): items, the handover sheet, and receipts read back.

An agent registers an item (category, buyer, order, problem, what must be
done). At the end of a shift :func:`build_sheet` gathers the shift's items,
older items nobody has acknowledged yet, and what the journal knows is still
open (holds due, and the rows of the chase, shipcheck and exception modules),
sorted by category as manual 002 asks. The sheet goes out as xlsx, CSV,
Markdown or JSON; the next shift fills in the receipt column (回执) and
:func:`import_receipts` records each receipt against its item by id.

Journal rows are copied into ``handover_items`` when a sheet is exported, so
they have ids the receipts can find; re-exporting reuses the open item of the
same ``ref``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import IO, Any, Optional

from cstool.core import files
from cstool.core.clock import to_db
from cstool.core.contract import Source
from cstool.core.errors import BadUsage, InputError
from cstool.core.i18n import M_
from cstool.core.limits import MAX_YEAR, MIN_YEAR
from cstool.core.orders import live_held
from cstool.core.output import csv_cell
from cstool.core.values import Instant
from cstool.core.where import Where
from cstool.handover.items import _ITEM_SQL, CATEGORY, _item, _optional, in_scope
from cstool.handover.shifts import Shift, current_shift

MIN_TEXT, MAX_TEXT = str(MIN_YEAR), str(MAX_YEAR)

# Where a sheet row comes from, as the 来源 column says it.
FROM_LABEL = {"shift": "本班", "carried": "遗留", "journal": "日志"}

# The sheet's columns: key, header (manual 002's words), xlsx width.
COLUMNS: list[tuple[str, str, int]] = [
    ("id", "编号", 7),
    ("category", "类别", 10),
    ("buyer", "买家", 18),
    ("order_id", "订单编号", 22),
    ("phone", "联系电话", 14),
    ("problem", "问题", 40),
    ("todo", "待办", 30),
    ("due_at", "期限", 17),
    ("photos", "图片", 26),
    ("from", "来源", 16),
    ("created_by", "登记人", 8),
    ("created_at", "登记时间", 17),
    ("receipt", "回执", 32),
]
HEADERS = [h for _, h, _ in COLUMNS]

FORMATS = ("xlsx", "csv", "md", "json")

# --- journal rows ------------------------------------------------------------------


def _said(text: Any) -> Optional[str]:
    """A source's problem or to-do: a message kept whole (it reads in the language of the
    sheet), other text stripped."""
    if hasattr(text, "shown") and str(text) and str(text).strip() == str(text):
        return text
    return _optional(text)


def _due_db(value: Any) -> Optional[str]:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_db(value)
    s = str(value)
    if len(s) == 20 and s.endswith("Z"):
        return s
    return to_db(datetime.fromisoformat(s))


def _journal_row(row: dict, source: str) -> dict:
    ref = str(row.get("ref") or "").strip()
    if not ref:
        raise ValueError(f"a row without a ref: {row!r}")
    category = str(row.get("category") or "").strip()
    return {
        "ref": ref,
        "source": source,
        "category": CATEGORY.get(category) or category or "other",
        "buyer": _optional(row.get("buyer")),
        "order_id": _optional(str(row["order_id"]) if row.get("order_id") else None),
        "platform": _optional(row.get("platform")),
        "problem": _said(row.get("problem")) or ref,
        "todo": _said(row.get("todo")),
        "due_at": _due_db(row.get("due_at")),
    }


def collect(ctx, sources: Sequence[Source]) -> tuple[dict[str, list[dict]], list[str]]:
    """Every source's rows, by source; and warnings for those that failed.

    A failing source must not stop the sheet at 23:30: its rows are missing
    and the warning says so. One matter, one row: a source's rows replace those
    of the sources it supersedes for the same order (a hold whose date has come
    is both a hold row and shipcheck's hold_due; the hold's row, with its date
    and memo, is the one kept).
    """
    collected: dict[str, list[dict]] = {}
    warnings: list[str] = []
    # a source that supersedes others runs first: those that take ``leave_out`` (and
    # supersede none) are told the orders it has rows for, and need not build their rows
    covered: dict[str, set] = {}
    for source in sorted(sources, key=lambda s: not s.supersedes):
        told = source.leaves_out and not source.supersedes
        leave_out = frozenset().union(*(covered.get(s.name, ()) for s in sources
                                        if source.name in s.supersedes)) if told else ()
        try:
            rows, seen = [], set()
            for raw in (source.rows(ctx, leave_out=leave_out) if leave_out
                        else source.rows(ctx)) or []:
                row = _journal_row(dict(raw), source.name)
                if row["ref"] not in seen:
                    seen.add(row["ref"])
                    rows.append(row)
        except Exception as e:
            warnings.append(f"open items from {source.name} are missing from the sheet "
                            f"({type(e).__name__}: {e})")
            continue
        collected[source.name] = rows
        covered[source.name] = {(r["order_id"], r["platform"]) for r in rows}
    # in the sources' order (the items they become are numbered in it)
    collected = {s.name: collected[s.name] for s in sources if s.name in collected}
    for source in sources:
        held = {(r["order_id"], r["platform"]) for r in collected.get(source.name, ())}
        for other in source.supersedes:
            if held and other in collected:
                collected[other] = [r for r in collected[other]
                                    if (r["order_id"], r["platform"]) not in held]
    return collected, warnings


def persist(ctx, collected: dict[str, list[dict]]) -> list[int]:
    """Copy journal rows into items (reusing the open item of each ref); resolve the
    open items of a source that it no longer reports. Returns the items' ids."""
    journal, agent, now_db = ctx.journal, ctx.agent, ctx.now_db()
    ids: list[int] = []
    # Under a scope the sources report only its orders: the others' items stay open.
    scope = in_scope(Where(), ctx.scope, "handover_items")
    with journal.write():
        for source, rows in collected.items():
            keep: list[int] = []
            # the open items of these refs, in one query (handover_items_open_ref)
            open_ids = {r[0]: r[1] for r in journal.query(
                "SELECT ref, id FROM handover_items WHERE ref IN (SELECT value FROM json_each(?)) "
                "AND acked_at IS NULL AND resolved_at IS NULL",
                [json.dumps([r["ref"] for r in rows])])}
            changed: list[list] = []
            for r in rows:
                values = [r["category"], r["buyer"], r["order_id"], r["platform"], r["problem"],
                          r["todo"], r["due_at"], source]
                if r["ref"] in open_ids:
                    item_id = open_ids[r["ref"]]
                    changed.append(values + [item_id])
                else:
                    item_id = journal.execute(
                        "INSERT INTO handover_items (category, buyer, order_id, platform, "
                        "problem, todo, due_at, source, ref, created_by, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        values + [r["ref"], agent, now_db]).lastrowid
                keep.append(item_id)
            journal.conn.executemany(
                "UPDATE handover_items SET category = ?, buyer = ?, order_id = ?, platform = ?, "
                "problem = ?, todo = ?, due_at = ?, source = ? WHERE id = ? AND NOT ("
                "category IS ? AND buyer IS ? AND order_id IS ? AND platform IS ? "
                "AND problem IS ? AND todo IS ? AND due_at IS ? AND source IS ?)",
                [v + v[:8] for v in changed])
            journal.execute(
                "UPDATE handover_items SET resolved_at = ?, "
                "resolved_note = 'no longer open in the journal' "
                "WHERE source = ? AND acked_at IS NULL AND resolved_at IS NULL "
                "AND id NOT IN (SELECT value FROM json_each(?))" + scope.also(),
                [now_db, source, json.dumps(keep), *scope.params])
            ids.extend(keep)
    return ids


def hold_rows(ctx) -> list[dict]:
    """Open ship-on-a-date and presale holds due by the next working day.

    "Tomorrow" is the day after the shift in progress, so a night sheet
    written after midnight still means the morning that follows it.
    """
    clock = ctx.clock
    shift = current_shift(clock, ctx.policy)
    tomorrow = shift.date + timedelta(days=1)
    # From the orders still to pay or ship that have an open hold (m0088), whose holds
    # are looked up: holds stay open on orders long shipped, and are never read all
    # (CROSS JOIN: the planner would rather read every open hold and test its order).
    # An order with one open hold says its kind and date (m0090): only those due, and the
    # orders with more, have their holds searched, one search per order, its few open
    # holds read through (with the kinds in the key, ``+h.kind``, a search per kind); the
    # order's row is read only for the holds due (its buyer), through the index's row id
    # (joined again by its key, two searches).
    w = Where().scope(ctx.scope, orders="q")
    by = tomorrow.isoformat()
    rows = ctx.journal.query(
        "SELECT h.id, h.kind, h.until, h.note, h.order_id, h.platform, q.buyer FROM "
        "orders q INDEXED BY orders_live_held "
        "CROSS JOIN holds h INDEXED BY holds_open_kinds "
        "ON h.order_id = q.order_id AND h.platform = q.platform "
        f"WHERE {live_held('q')} AND (q.held > 1 OR (q.hold_kind IN ('until', 'presale') "
        "AND q.hold_until <= ?)) AND h.released_at IS NULL "
        "AND +h.kind IN ('until', 'presale') AND h.until <= ?" + w.also()
        + " ORDER BY h.until, h.id", [by, by, *w.params])
    out = []
    for r in rows:
        if not MIN_TEXT <= r["until"][:4] <= MAX_TEXT:
            continue  # a date from an older cstool no shop could mean: shipcheck names it
        until = date.fromisoformat(r["until"])
        # one message with the note: read back from a stored item, "held: ships on {until}"
        # alone would take the note for part of the date
        if r["note"]:
            problem = (M_("presale: ships on {until}: {note}", until=r["until"], note=r["note"])
                       if r["kind"] == "presale" else
                       M_("held: ships on {until}: {note}", until=r["until"], note=r["note"]))
        else:
            problem = (M_("presale: ships on {until}", until=r["until"])
                       if r["kind"] == "presale" else
                       M_("held: ships on {until}", until=r["until"]))
        todo = (M_("due tomorrow: arrange the shipping") if until == tomorrow else
                M_("due: arrange the shipping soon"))
        out.append({"ref": f"hold:{r['id']}", "category": "shipping", "buyer": r["buyer"],
                    "order_id": r["order_id"], "platform": r["platform"], "problem": problem,
                    "todo": todo,
                    "due_at": Instant(to_db(clock.start_of(until)))})
    return out


# --- the sheet ---------------------------------------------------------------------


class Sheet:
    """A shift's handover sheet: its rows, and warnings about sources that failed."""

    def __init__(self, shop: str, shift: Shift, agent: str, generated_at: str,
                 rows: list[dict], warnings: Optional[list[str]] = None):
        self.shop, self.shift, self.agent, self.generated_at = shop, shift, agent, generated_at
        self.rows = rows
        self.warnings: list[str] = warnings if warnings is not None else []

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in FROM_LABEL}
        for r in self.rows:
            out[r["from"]] += 1
        return out

    def title(self, clock) -> str:
        shop = f"{self.shop} " if self.shop else ""
        return (f"{shop}工作交接记录表 · {self.shift.label} {self.shift.date.isoformat()} "
                f"{self.shift.hours} · 交接人 {self.agent} · 导出 {clock.short(self.generated_at)}")


def _category_rank(category: str) -> int:
    try:
        return CATEGORY.values.index(category)
    except ValueError:
        return len(CATEGORY.values)


_FROM_RANK = {"shift": 0, "carried": 1, "journal": 2}


def build_sheet(ctx, shift: Shift, *, include_journal: bool = True,
                sources: Sequence[Source] = ()) -> Sheet:
    """The shift's sheet by ``ctx.agent``: its items, older open items, and the open
    rows of the journal ``sources`` (the routines' and this routine's holds).

    Writes (journal rows become items), so call it inside the command's
    transaction when the sheet is written to a file.
    """
    journal, agent, now_db = ctx.journal, ctx.agent, ctx.now_db()
    start, end = to_db(shift.start), to_db(shift.end)
    with journal.write():
        warnings: list[str] = []
        journal_ids: list[int] = []
        if include_journal:
            collected, warnings = collect(ctx, sources)
            journal_ids = persist(ctx, collected)
        rows = []
        scope = in_scope(Where(), ctx.scope)
        for r in journal.query(_ITEM_SQL + " WHERE i.source = 'manual' AND i.created_at < ? "
                               "AND (i.created_at >= ? OR (i.acked_at IS NULL "
                               "AND i.resolved_at IS NULL))" + scope.also(),
                               [end, start, *scope.params]):
            item = _item(r)
            item["from"] = "shift" if r["created_at"] >= start else "carried"
            rows.append(item)
        if journal_ids:
            # the journal keeps a row's problem and to-do in English; the sheet reads
            # them as the source said them, in the reader's language
            said = {r["ref"]: r for found in collected.values() for r in found}
            for r in journal.query(_ITEM_SQL + " WHERE i.id IN (SELECT value FROM json_each(?))",
                                   [json.dumps(journal_ids)]):
                item = _item(r)
                item["from"] = "journal"
                fresh = said.get(item["ref"])
                for key in ("problem", "todo"):
                    if fresh is not None and str(fresh[key]) == item[key]:
                        item[key] = fresh[key]
                rows.append(item)
    # Within a category: this shift's items, then older ones, then the journal's,
    # most urgent first.
    rows.sort(key=lambda r: (_category_rank(r["category"]), _FROM_RANK[r["from"]],
                             r["due_at"] or "~", r["id"]))
    shop = ctx.scope.shop
    return Sheet(shop=ctx.policy.shop_label(shop), shift=shift, agent=agent,
                 generated_at=now_db, rows=rows, warnings=warnings)


def _texts(renderer):
    """``renderer.text``, each plain text and instant read once per sheet: the journal's
    rows share their registration time and a few deadlines, and a time or a text reads
    the same in every row (a message is read each time: two can share their English)."""
    memo: dict = {}
    text = renderer.text

    def one(value: Any) -> Any:
        kind = type(value)
        if kind is not str and kind is not Instant:
            return text(value)
        got = memo.get((kind, value))
        if got is None:
            got = memo[(kind, value)] = text(value)
        return got
    return one


def _cells(row: dict, renderer, text=None) -> dict[str, Any]:
    """One sheet row as the text a person reads (masked unless the renderer reveals);
    ``text``: the renderer's reading of a value (:func:`_texts`)."""
    text = text or renderer.text
    source = FROM_LABEL[row["from"]]
    if row["from"] == "journal" and row["ref"]:
        source = f"{source} {row['ref']}"
    receipt = row["receipt"]
    return {
        "id": row["id"],
        "category": CATEGORY.label(row["category"]),
        "buyer": row["buyer"] or "",
        "order_id": row["order_id"] or "",
        "phone": text(row["phone"]),
        "problem": text(row["problem"]),
        "todo": text(row["todo"]),
        "due_at": text(row["due_at"]),
        "photos": "\n".join(os.path.basename(p) for p in row["photos"]),
        "from": source,
        "created_by": row["created_by"],
        "created_at": text(row["created_at"]),
        "receipt": text(receipt),
    }


# What an xlsx cannot store (a stray backspace in a typed problem): dropped. The same
# set openpyxl refuses, so a sheet cstool writes is one openpyxl can read back.
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _xlsx_text(value: Any) -> Any:
    """A cell value an xlsx can hold: control characters are dropped."""
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)
    return value


def write_xlsx(sheet: Sheet, out: IO[bytes], renderer) -> None:
    """The sheet as an xlsx workbook, streamed row by row (:mod:`cstool.handover.xlsx`:
    the parts XlsxWriter wrote, without its cost per cell; openpyxl reads the filled-in
    sheet back).

    Every cell that holds text is a text cell: a problem someone typed as
    ``=HYPERLINK(...)`` is shown, never evaluated. Order numbers and phones also carry
    the text format ``@``, empty ones too, so Excel never rounds a 19-digit number the
    next shift types in.
    """
    from cstool.handover.xlsx import Sheet as Xlsx

    book = Xlsx(out, f"{sheet.shift.label}{sheet.shift.date.isoformat()}",
                [width for _, _, width in COLUMNS], len(sheet.rows),
                created=sheet.generated_at)  # made when the sheet was (the one clock)
    title = sheet.title(renderer.clock)
    if sheet.warnings:
        title += " · 注意: " + "; ".join(sheet.warnings)
    book.title(_xlsx_text(title))  # the shop's name: text
    book.header([h for _, h, _ in COLUMNS],
                ["receipt" if key == "receipt" else "bold" for key, _, _ in COLUMNS])
    plain = [(k, "text" if k in ("buyer", "order_id", "phone") else None)
             for k, _, _ in COLUMNS]
    read = _texts(renderer)
    for row in sheet.rows:
        cells = _cells(row, renderer, read)
        book.row(_xlsx_cell(cells[k], k, style) for k, style in plain)
    book.close()


def _xlsx_cell(value: Any, key: str, style: Optional[str]) -> tuple[Any, Optional[str]]:
    if value is None or value == "" or (isinstance(value, (int, float))
                                        and not isinstance(value, bool)):
        return value, style
    text = _xlsx_text(str(value))
    return text, "wrap" if key == "photos" and "\n" in text else style


def _csv_order(value: str) -> str:
    # As the seller centre writes them: Excel shows ="…" as text, not 5.11861E+18.
    # Only a real order number goes inside the formula (never a quote or a call).
    if not value:
        return ""
    if not re.fullmatch(r"[0-9A-Za-z_\-]{1,40}", value):
        return csv_cell(value)
    return f'="{value}"'


def write_csv(sheet: Sheet, out: IO[str], renderer) -> None:
    """CSV for Excel: the caller opens ``out`` with ``utf-8-sig`` (a BOM)."""
    keys = [k for k, _, _ in COLUMNS]
    import csv

    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(HEADERS)
    # A sheet for the next shift, as the xlsx: its text in the reader's language (the
    # headers and the 编号/回执 columns `handover import` reads are the same in either)
    text = _texts(renderer)
    for row in sheet.rows:
        cells = {k: csv_cell(v) for k, v in _cells(row, renderer, text).items()}
        cells["order_id"] = _csv_order(row["order_id"] or "")
        w.writerow([cells[k] for k in keys])


def _md(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace(
        "\n", "<br>")


def write_md(sheet: Sheet, out: IO[str], renderer) -> None:
    """Markdown for pasting into chat: a table per category, empty columns left out."""
    counts = sheet.counts()
    out.write(f"## {sheet.title(renderer.clock)}\n\n")
    out.write(f"{len(sheet.rows)} 项: 本班 {counts['shift']} · 遗留 {counts['carried']} · "
              f"日志 {counts['journal']}。回执请按编号填写。\n")
    for w in sheet.warnings:
        out.write(f"\n> 注意: {_md(w)}\n")
    groups: dict[str, list[dict]] = {}
    text = _texts(renderer)
    for row in sheet.rows:
        groups.setdefault(row["category"], []).append(_cells(row, renderer, text))
    for category, cells in groups.items():
        keys = [k for k, _, _ in COLUMNS if k != "category"
                and (k in ("id", "problem", "receipt") or any(c[k] != "" for c in cells))]
        headers = [h for k, h, _ in COLUMNS if k in keys]
        out.write(f"\n### {CATEGORY.label(category)} ({len(cells)})\n\n")
        out.write("| " + " | ".join(headers) + " |\n")
        out.write("|" + "---|" * len(headers) + "\n")
        for c in cells:
            out.write("| " + " | ".join(_md(c[k]) for k in keys) + " |\n")
    if not sheet.rows:
        out.write("\n(没有需要交接的事项)\n")


def sheet_object(sheet: Sheet, renderer) -> dict:
    """The sheet as JSON-ready data (renderer: masking and ISO times)."""
    return renderer.plain({
        "shop": sheet.shop,
        **sheet.shift.as_dict(),
        "agent": sheet.agent,
        "generated_at": Instant(sheet.generated_at),
        "counts": sheet.counts(),
        "warnings": sheet.warnings,
        "items": [{**r, "category_label": CATEGORY.label(r["category"])} for r in sheet.rows],
    })


def write_json(sheet: Sheet, out: IO[str], renderer) -> None:
    out.write(json.dumps(sheet_object(sheet, renderer), ensure_ascii=False, indent=2) + "\n")


def default_filename(shift: Shift, fmt: str) -> str:
    return f"handover-{shift.date.isoformat()}-{shift.name}.{fmt}"


def format_for(path: Optional[str], fmt: Optional[str]) -> str:
    """``--format``, else the output file's extension, else xlsx (the manual's sheet)."""
    if fmt:
        return fmt
    if path and path != "-":
        ext = os.path.splitext(path)[1].lower().lstrip(".")
        ext = {"markdown": "md", "xlsm": "xlsx"}.get(ext, ext)
        if ext in FORMATS:
            return ext
        raise BadUsage(M_("cannot tell the format of {path} from its extension; give "
                          "--format ({items})", path=path, items=', '.join(FORMATS)))
    return "xlsx"


def check_target(path: str, force: bool = False, journal=None, fmt: Optional[str] = None) -> str:
    """The absolute path to write a sheet to, or an error before any work is done.

    Never the journal or anything that belongs to it; an existing file is kept
    unless ``force`` (it may be a copy the next shift has already filled in),
    and even then only a sheet of the same kind is replaced.
    """
    path = os.path.abspath(os.path.expanduser(path))
    return files.check_output(path, journal_path=journal.path if journal is not None else None,
                        kind=fmt or format_for(path, None), force=force,
                        backups=journal.backups() if journal is not None else (),
                        hint=f" (import its receipts first: cstool handover import {path})")


def write_sheet(sheet: Sheet, fmt: str, path: str, renderer, force: bool = False,
                journal=None) -> None:
    """Write the sheet to ``path`` atomically (a half-written sheet never appears)."""
    if fmt not in FORMATS:
        raise InputError(M_("unknown sheet format {fmt}; use one of: {items}", fmt=repr(fmt),
                            items=', '.join(FORMATS)))
    path = check_target(path, force, journal, fmt)
    if fmt == "xlsx":
        files.atomic_write(path, lambda fh: write_xlsx(sheet, fh, renderer),
                     binary=True)
    else:
        files.atomic_write(path, lambda fh: write_text(sheet, fmt, fh, renderer),
                     encoding="utf-8-sig" if fmt == "csv" else "utf-8")


def write_text(sheet: Sheet, fmt: str, out: IO[str], renderer) -> None:
    if fmt == "csv":
        write_csv(sheet, out, renderer)
    elif fmt == "md":
        write_md(sheet, out, renderer)
    elif fmt == "json":
        write_json(sheet, out, renderer)
    else:
        raise InputError(M_("{fmt} cannot be written as text; give -o FILE", fmt=fmt))

