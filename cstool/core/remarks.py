"""The remarks table: every remark on an order, whoever wrote it.

Three routines write here: ``remark add`` (source ``cli``), ``chase log``
(``chase``) and an order import (``platform``: each new seller memo, parsed by the
remark routine's import hook). They write through this module.
"""

from __future__ import annotations

import json
from typing import Any, Optional

# What a parse fills in, in the table's order (the import hook's memo_parser returns
# these, then whether the memo acts on holds or the brushing mark).
MEMO_PARSE_COLUMNS = ("kind", "flag", "flag_code", "reason", "action", "at", "author", "fields",
                      "problems")


def insert(journal, order_id: str, source: str, text: str, *, created_by: Optional[str],
           created_at: str, platform: str = "taobao", kind: Optional[str] = None,
           flag: Optional[str] = None, flag_code: Optional[int] = None,
           reason: Optional[str] = None, action: Optional[str] = None, at: Optional[str] = None,
           author: Optional[str] = None, fields: Optional[Any] = None,
           problems: Any = "[]") -> int:
    """Record one remark on the order ``(order_id, platform)``, parsed (``fields``: a dict
    or its JSON). Returns its id."""
    if isinstance(fields, dict):
        fields = json.dumps(fields, ensure_ascii=False)
    return journal.execute(
        "INSERT INTO remarks (order_id, platform, source, text, kind, flag, flag_code, reason, "
        "action, at, author, fields, problems, parsed, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
        [order_id, platform, source, text, kind, flag, flag_code, reason, action, at, author,
         fields, problems, created_by, created_at]).lastrowid


# --- the platform's memos, as an import brings them ------------------------------------
#
# Every new seller memo text joins the order's remark history, already parsed.
# The reader parses each distinct memo text (the after-rows hook's memo_parser)
# and the writer keeps the parses in temp.memo_parse. After the rows, one
# statement records the memos this file brought: on the orders the file
# inserted or changed, a memo not yet in the order's history. (Per-row
# triggers did the same at a quarter of the writer's time.) While a file only
# inserts orders, the same statement runs after each batch, on the rowids the
# batch added (:class:`MemoStream`).

_MEMO_PARSE_INSERT = (f"INSERT OR IGNORE INTO {{table}} VALUES "
                      f"({', '.join('?' * (len(MEMO_PARSE_COLUMNS) + 2))})")
# The parses live in a scratch database file attached for the import (its own small
# page cache: held in memory they grew with the file, 40 MB more at 300,000 rows),
# seen through the view temp.memo_parse. The journal's temporary storage stays in
# memory: every multi-row upsert keeps a statement journal of the pages it touches
# (a hundred or so), and in a temporary file that was a million writes per 200,000
# rows, a fifth of the writer's time.
MEMO_SCRATCH = "memo_scratch"
_MEMO_RECORD = (
    f"INSERT INTO remarks (order_id, platform, source, text, {', '.join(MEMO_PARSE_COLUMNS)}, "
    f"parsed, created_at) SELECT o.order_id, o.platform, 'platform', o.seller_memo, "
    f"{', '.join('p.' + c for c in MEMO_PARSE_COLUMNS)}, p.text IS NOT NULL, ? "
    f"FROM orders o LEFT JOIN temp.memo_parse p ON p.text = o.seller_memo "
    f"WHERE o.rowid > ? AND o.rowid <= ? AND o.import_id = ? AND o.seller_memo <> '' "
    f"AND NOT EXISTS (SELECT 1 FROM remarks r WHERE r.order_id = o.order_id "
    f"AND r.platform = o.platform AND r.source = 'platform' AND r.text = o.seller_memo) "
    f"ORDER BY o.rowid")
# SQLite stages an INSERT … SELECT that reads its own table (the NOT EXISTS on
# remarks) in a temporary table: by slices of orders, that stays small.
# (in memory: 10,000 orders' remarks are a few MB)
MEMO_SLICE = 10_000
# The same for orders the import has just inserted (MemoStream): such an order has no
# history to look in (a remark points at its order: the foreign key), so its memo is
# recorded without the NOT EXISTS, and without staging the rows.
_NEW_ORDERS_MEMO_RECORD = _MEMO_RECORD.replace(
    "AND NOT EXISTS (SELECT 1 FROM remarks r WHERE r.order_id = o.order_id "
    "AND r.platform = o.platform AND r.source = 'platform' AND r.text = o.seller_memo) ", "")
assert _NEW_ORDERS_MEMO_RECORD != _MEMO_RECORD


def attach_memo_scratch(journal) -> bool:
    """Attach the scratch file the memo parses live in (before the import's
    transaction: SQLite attaches outside one). False when it cannot be (inside a
    caller's transaction): the parses are then a temporary table."""
    if journal.conn.in_transaction:
        return False
    import os
    import tempfile

    fd, path = tempfile.mkstemp(prefix="cstool-memos-", suffix=".db")
    os.close(fd)
    try:
        journal.execute(f"ATTACH DATABASE ? AS {MEMO_SCRATCH}", [path])
    finally:
        os.unlink(path)  # open, it lives on; whatever ends the process, nothing is left
    # scratch: no rollback journal, no syncing, a 2 MB cache
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -2048"):
        journal.execute(f"PRAGMA {MEMO_SCRATCH}.{pragma}")
    return True


def detach_memo_scratch(journal) -> None:
    journal.execute("DROP VIEW IF EXISTS temp.memo_parse")
    journal.execute(f"DETACH DATABASE {MEMO_SCRATCH}")


def new_memo_parses(journal, scratch: bool = False) -> None:
    """A fresh temp.memo_parse: memo text -> its parse, and what it asks the hook to do
    (``scratch``: a view of the table in the attached scratch file)."""
    journal.execute("DROP VIEW IF EXISTS temp.memo_parse")
    journal.execute("DROP TABLE IF EXISTS temp.memo_parse")
    table = f"{MEMO_SCRATCH}.memo_parse" if scratch else "temp.memo_parse"
    if scratch:
        journal.execute(f"DROP TABLE IF EXISTS {table}")
    journal.execute(f"CREATE TABLE {table} (text TEXT PRIMARY KEY, "
                    f"{', '.join(MEMO_PARSE_COLUMNS)}, acting INTEGER)")
    if scratch:
        journal.execute(f"CREATE TEMP VIEW memo_parse AS SELECT * FROM {table}")


def memo_parse_insert(journal) -> str:
    """The statement that adds ``(text, parse…, acting)`` rows to the import's parses."""
    scratch = journal.scalar(f"SELECT 1 FROM pragma_database_list WHERE name = '{MEMO_SCRATCH}'")
    return _MEMO_PARSE_INSERT.format(
        table=f"{MEMO_SCRATCH}.memo_parse" if scratch else "temp.memo_parse")




def record_memos(journal, now_db: str, import_id: int, lo: int = 0,
                 hi: Optional[int] = None, new: bool = False) -> None:
    """Record each new memo the import brought (on an order it inserted or changed) in
    the order's history, with the parse the reader made of it. ``lo``, ``hi``: only the
    orders of that rowid range (``lo`` < rowid <= ``hi``; default: every order);
    ``new``: orders the import inserted, which have no history yet."""
    top = journal.scalar("SELECT coalesce(max(rowid), 0) FROM orders") if hi is None else hi
    sql = _NEW_ORDERS_MEMO_RECORD if new else _MEMO_RECORD
    for start in range(lo, top, MEMO_SLICE):
        journal.execute(sql, [now_db, start, min(start + MEMO_SLICE, top), import_id])


class MemoStream:
    """The memo history recorded batch by batch while an order export is read (the
    writer waits for the reader anyway), instead of in a pass after the rows.

    While every row of the file has inserted an order (a first import, or the new
    orders of a daily file before its first known one), each batch's new orders are
    the rowid range it added, and their memos are recorded at once, in rowid order:
    the remarks (and their ids) a pass after the rows would make. Once a batch updates
    an order, the rows that follow may change one already recorded, so recording stops
    and :meth:`finish` does what the pass after the rows did: the memos recorded so far
    are taken back (remark ids are reused: ``INTEGER PRIMARY KEY``) and every order the
    file wrote is recorded with its final memo.
    """

    def __init__(self, journal, now_db: str, import_id: int, top: int):
        self.journal, self.now_db, self.import_id = journal, now_db, import_id
        self.first_remark = journal.scalar("SELECT coalesce(max(id), 0) FROM remarks")
        self.top = top  # the orders up to here are recorded (or were there before)
        self.streaming = True
        self.recorded = False

    def batch(self, written: int) -> None:
        """After a batch's upserts (``written``: the rows they inserted or updated)."""
        if not self.streaming:
            return
        top = self.journal.scalar("SELECT coalesce(max(rowid), 0) FROM orders")
        if written != top - self.top:  # an update: the pass after the rows decides
            self.streaming = False
            return
        if top > self.top:
            record_memos(self.journal, self.now_db, self.import_id, self.top, top, new=True)
            self.recorded = True
            self.top = top

    def finish(self) -> None:
        """After the rows: what the streaming could not record."""
        if self.streaming:
            return
        if self.recorded:
            self.journal.execute("DELETE FROM remarks WHERE id > ?", [self.first_remark])
        record_memos(self.journal, self.now_db, self.import_id)
