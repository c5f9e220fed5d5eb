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



import os
import sqlite3
import sys
from collections.abc import Sequence
from typing import Any, Callable, Optional

from cstool.core import remarks
from cstool.core.errors import BadUsage, CstoolError, InputError
from cstool.core.files import can_fork
from cstool.core.vocab import STATUS_RANK
from cstool.orders.normalise import build_normaliser
from cstool.orders.parallel import CHUNK, _batches, _forked_batches, _no_gc
from cstool.orders.readers import (
    COLUMNS,
    GENERIC_FIELDS,
    LABELS,
    REQUIRED,
    FileResult,
    _resolve_headers,
    open_source,
)

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


PARALLEL_MIN_BYTES = 8 << 20

def import_file(ctx, path: str, *, fmt: str = "auto", encoding: str = "auto",
                mapping: Optional[dict] = None, strict: bool = False,
                progress: Optional[Callable[[int, int], None]] = None,
                after_rows: Optional[Callable[[Any, int], None]] = None,
                parallel: Optional[bool] = None) -> FileResult:
    """Import one file inside the caller's transaction (``journal.write()``), by
    ``ctx.agent`` at ``ctx.clock``'s now, its times read in the clock's zone.

    ``progress(done_bytes, total_bytes)`` is called now and then.
    ``after_rows(journal, last_remark_id)`` runs after the rows are in,
    before the transaction ends, with the highest remark id from before
    the import: remarks above it are the memos this file brought (the
    routines' import hooks run there: the remark parser's). Its
    ``memo_parser()``, when it has one, parses each memo text in the reader.
    ``parallel``: read in a forked process (default: for files over 8 MB,
    where fork exists).
    """
    journal, agent, now_db = ctx.journal, ctx.agent, ctx.now_db()
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
        normalise = build_normaliser(index, ctx.clock.tz_name)
        if parallel is None:
            parallel = source.size >= PARALLEL_MIN_BYTES and can_fork()
        memo = after_rows.memo_parser() if hasattr(after_rows, "memo_parser") else None
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
                    cur.executemany(remarks.MEMO_PARSE_INSERT, memos)
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
            remarks.record_memos(journal, now_db, import_id)
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


def import_files(ctx, paths: Sequence[str], *, dry_run: bool = False, **kw) -> list[FileResult]:
    """Import several files as one transaction: all of them or nothing (``kw``: as
    :func:`import_file` takes them).

    ``dry_run`` does all the work, then rolls back: the counts are exact.
    """
    journal = ctx.journal
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
            remarks.new_memo_parses(journal)
            for path in paths:
                results.append(import_file(ctx, path, **kw))
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
