"""The order import's hook for seller memos: parsed in the import's reader, applied after
its rows (brushing marks, holds, releases), inside the import's transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Optional

from cstool.core.files import can_fork
from cstool.core.vocab import COLOUR
from cstool.remark.parse import Parsed, Parser, Shop, parse_line
from cstool.remark.store import SET_PARSE, apply, chunks, columns, open_holds_of, shop_of

# -- the import hook ----------------------------------------------------------------------------------

_NEW_MEMOS = "remarks.id > ? AND remarks.source = 'platform'"
_SLICE = 5000  # acting memos applied at a time


class ImportedMemos:
    """The import's hook for memos (the remark routine's ``import_hook``).

    ``memo_parser`` gives the import's reader a function that parses a memo
    text into its remark columns, so memos arrive in the history parsed;
    calling the hook afterwards applies what the memos say (brushing, holds).
    """

    def __init__(self, ctx):
        self.ctx = ctx

    def memo_parser(self) -> Callable[[str], tuple]:
        ctx = self.ctx
        parser = Parser(ctx.clock.local(ctx.now_db()), shop_of(ctx.journal, ctx.policy))

        def parse_memo(text: str) -> tuple:
            p = parser.fresh(text)
            acting = 2 if p.holds() or p.releases() else 1 if p.brush() is not None else 0
            return (*columns(p), acting)

        return parse_memo

    def __call__(self, journal, last_remark_id: int) -> None:
        apply_imported_memos(self.ctx, last_remark_id)


def apply_imported_memos(ctx, last_remark_id: int) -> None:
    """Apply the seller memos an import just added (remarks above ``last_remark_id``):
    brushing mark, holds, releases; presale ship dates in the export's presale
    column open presale holds.

    Runs inside the import's transaction (``importer.import_file``). The memos
    normally arrive parsed (the import's reader parsed each distinct text);
    any that did not are parsed here, each text once, and stored with one
    ``UPDATE … FROM``. Only memos that touch holds or the brushing mark come
    back to Python.
    """
    journal = ctx.journal
    imp = journal.one("SELECT id, agent, started_at FROM imports ORDER BY id DESC LIMIT 1")
    if imp is None:
        return
    ref = ctx.clock.local(imp["started_at"])
    parser = Parser(ref, shop_of(journal, ctx.policy))
    last = last_remark_id
    # In an import, temp.memo_parse holds the parses the reader made (with what
    # each memo asks for); memos it lacks arrive unparsed and are parsed here.
    in_import = journal.one("SELECT 1 FROM sqlite_temp_master WHERE name = 'memo_parse'")
    texts = [r[0] for r in journal.query(
        f"SELECT DISTINCT text FROM remarks WHERE {_NEW_MEMOS} AND parsed = 0", [last])]
    todo: list = []  # (remark id, order row, parse, the memo it replaces)
    brushing: list = []  # (1 or 0, order id, platform): one bulk update at the end
    acting_sql = []
    if texts:
        journal.execute("CREATE TEMP TABLE IF NOT EXISTS memo_reparse (text TEXT PRIMARY KEY, "
                        "kind, flag, flag_code, reason, action, at, author, fields, problems, "
                        "brush INTEGER, holds INTEGER)")
        journal.execute("DELETE FROM temp.memo_reparse")
        journal.conn.executemany("INSERT INTO temp.memo_reparse VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                                 _parse_rows(parser, texts))
        journal.execute(
            "UPDATE remarks SET kind = p.kind, flag = p.flag, flag_code = p.flag_code, "
            "reason = p.reason, action = p.action, at = p.at, author = p.author, "
            f"fields = p.fields, problems = p.problems, parsed = 1 FROM temp.memo_reparse p "
            f"WHERE {_NEW_MEMOS} AND remarks.parsed = 0 AND p.text = remarks.text", [last])
        acting_sql.append("SELECT remarks.id FROM remarks WHERE remarks.id > ? AND "
                          "remarks.source = 'platform' AND remarks.text IN "
                          "(SELECT text FROM temp.memo_reparse WHERE brush OR holds)")
    now_db, agent = imp["started_at"], imp["agent"]

    def apply_all(todo: list) -> None:
        """Apply ``todo`` (remark id order), then the brushing marks gathered so far."""
        open_ = open_holds_of(journal, {(t[1]["order_id"], t[1]["platform"]) for t in todo})
        for remark_id, order, p, prev in todo:
            apply(journal, order, p, remark_id=remark_id, now_db=now_db,
                  agent=p.author if p.author in parser.shop.agents else agent,
                  open_holds=open_.setdefault((order["order_id"], order["platform"]), {}),
                  prev=prev, brushing=brushing)
        if brushing:
            journal.conn.executemany(
                "UPDATE orders SET brushing = ? WHERE order_id = ? AND platform = ?", brushing)
            brushing.clear()

    streamed: set = set()  # (with an earlier memo) the orders the stream below applied
    if in_import:
        # Parsed by the import's reader: brushing marks need no second parse, and only
        # memos about holds come back as parses, a slice of remark ids at a time, each
        # applied before the next is read (memory stays flat however big the file).
        # (One UPDATE per order: a single statement over thousands of orders would keep
        # a statement journal of every page it touches, in memory during an import.)
        earlier = last and journal.scalar(
            "SELECT EXISTS (SELECT 1 FROM remarks WHERE id <= ? AND source = 'platform')", [last])
        # The few texts that act, apart (in memory): each new memo is looked up there, not
        # in every parse of the file (a scratch table far bigger than its cache: at 1M
        # orders a read from the file for most of the 665,000 memos).
        journal.execute("DROP TABLE IF EXISTS temp.memo_acting")
        journal.execute("CREATE TEMP TABLE memo_acting (text TEXT PRIMARY KEY, acting INTEGER)")
        journal.execute("INSERT INTO temp.memo_acting SELECT text, acting FROM temp.memo_parse "
                        "WHERE acting > 0")
        cursor = last
        while True:
            # (CROSS JOIN: the new memos in id order outside, the acting texts looked up)
            rows = journal.query(
                "SELECT remarks.id, remarks.text, o.order_id, o.platform, o.status, o.brushing, "
                "p.acting FROM remarks CROSS JOIN temp.memo_acting p ON p.text = remarks.text "
                "JOIN orders o ON o.order_id = remarks.order_id AND o.platform = remarks.platform "
                f"WHERE {_NEW_MEMOS} ORDER BY remarks.id LIMIT {_SLICE}",
                [cursor])
            if not rows:
                break
            cursor = rows[-1]["id"]
            todo = []
            for r in rows:
                if r["acting"] == 2:
                    todo.append((r["id"], r, parser(r["text"]), None))
                elif not r["brushing"]:
                    brushing.append((1, r["order_id"], r["platform"]))
            if earlier:
                todo = _replaced_memos(journal, parser, last, todo,
                                       [(r["order_id"], r["platform"]) for r in rows])
                streamed.update((r["order_id"], r["platform"]) for r in rows)
            apply_all(todo)
        journal.execute("DROP TABLE temp.memo_acting")
    if acting_sql:
        ids = " UNION ".join(acting_sql)
        for r in journal.query(
                "SELECT remarks.id, remarks.text, o.order_id, o.platform, o.status, o.brushing "
                "FROM remarks JOIN orders o ON o.order_id = remarks.order_id "
                f"AND o.platform = remarks.platform WHERE remarks.id IN ({ids}) "
                "ORDER BY remarks.id", [last] * len(acting_sql)):
            p = parser(r["text"])
            if p.holds() or p.releases():
                todo.append((r["id"], r, p, None))
            elif not r["brushing"]:
                brushing.append((1, r["order_id"], r["platform"]))
    if texts:
        journal.execute("DROP TABLE temp.memo_reparse")
    new_memos = journal.scalar(f"SELECT EXISTS (SELECT 1 FROM remarks WHERE {_NEW_MEMOS})",
                               [last])
    if last and new_memos:
        # the orders whose new memo acts on nothing, but whose previous memo did
        todo = _replaced_memos(journal, parser, last, todo, skip=streamed)
    # The export's own flag (备注标签) and presale column, for the orders it changed.
    special = journal.query(
        "SELECT order_id, platform, flag, presale_info, status, brushing FROM orders "
        "WHERE import_id = ? AND (flag IS NOT NULL OR presale_info <> '')", [imp["id"]])
    flags = {(r["order_id"], r["platform"]): COLOUR.get(r["flag"]) for r in special
             if COLOUR.get(r["flag"] or "")}
    if flags and new_memos:
        _store_flagged(journal, parser, last, flags)
    apply_all(todo)
    open_ = open_holds_of(journal, {(r["order_id"], r["platform"]) for r in special
                                    if r["presale_info"]})
    for r in special:
        p = parse_line(r["presale_info"], ref, Shop()) if r["presale_info"] else None
        if p is not None and "presale" in p.holds():
            only = Parsed(text=p.text, fields={"holds": [p.holds()["presale"]]})
            apply(journal, r, only, remark_id=None, now_db=now_db, agent=agent,
                  open_holds=open_.setdefault((r["order_id"], r["platform"]), {}))
    if brushing:
        journal.conn.executemany(
            "UPDATE orders SET brushing = ? WHERE order_id = ? AND platform = ?", brushing)


def _parse_rows(parser: Parser, texts: list) -> Iterator[tuple]:
    """``(text, columns…, brush, holds)`` for each text, streamed.

    The texts are distinct, so their parses are not kept (the import's
    memory stays flat). Many texts are parsed on two cores: a forked child
    takes every other one (DISTINCT hands them sorted, and similar texts
    cost alike) and writes its rows in chunks to an unlinked temporary file,
    read back once the parent has done its share.
    """
    import os

    def rows(chunk):
        for t in chunk:
            p = parser.fresh(t)
            yield (t, *columns(p), p.brush() is not None, bool(p.holds() or p.releases()))

    if len(texts) < 4000 or (os.cpu_count() or 1) < 2 or not can_fork():
        yield from rows(texts)
        return
    import marshal
    import tempfile

    spool = tempfile.TemporaryFile()
    pid = os.fork()
    if pid == 0:  # the child: parse, write, leave without running any cleanup
        code = 1
        try:
            batch: list = []
            for row in rows(texts[1::2]):
                batch.append(row)
                if len(batch) == 2000:
                    marshal.dump(batch, spool)
                    batch = []
            marshal.dump(batch, spool)
            spool.flush()
            code = 0
        finally:
            os._exit(code)
    try:
        yield from rows(texts[0::2])
        _, status = os.waitpid(pid, 0)
        if status != 0:  # the child failed: do its share here
            yield from rows(texts[1::2])
            return
        spool.seek(0)
        while True:
            try:
                yield from marshal.load(spool)
            except EOFError:
                break
    finally:
        spool.close()


def _replaced_memos(journal, parser: Parser, last: int, todo: list,
                    orders: Optional[list] = None, skip: frozenset = frozenset()) -> list:
    """Add the new memos of orders whose previous memo held a hold or ``@@@``:
    what the new memo dropped is released. ``orders``: only these (a slice of the
    stream), else every order with a new memo but those in ``skip``."""
    prev: dict[tuple[str, str], Parsed] = {}
    if orders is not None:
        wanted = "(SELECT value ->> 0, value ->> 1 FROM json_each(?))"
        params = [last, json.dumps(orders)]
    else:
        wanted = "(SELECT order_id, platform FROM remarks WHERE id > ? AND source = 'platform')"
        params = [last, last]
    for r in journal.query(
            "SELECT order_id, platform, text FROM remarks WHERE id IN ("
            " SELECT max(id) FROM remarks WHERE id <= ? AND source = 'platform' "
            f" AND (order_id, platform) IN {wanted}"
            " GROUP BY order_id, platform)", params):
        if (r[0], r[1]) in skip:
            continue
        p = parser(r[2])
        if p.acts():
            prev[(r[0], r[1])] = p
    if not prev:
        return todo
    seen = {}
    for item in todo:
        seen[(item[1]["order_id"], item[1]["platform"])] = item
    for chunk in chunks(sorted({oid for oid, _ in prev})):
        for r in journal.query(
                "SELECT remarks.id, remarks.text, o.order_id, o.platform, o.status, o.brushing "
                "FROM remarks JOIN orders o ON o.order_id = remarks.order_id "
                f"AND o.platform = remarks.platform WHERE {_NEW_MEMOS} "
                f"AND remarks.order_id IN ({','.join('?' * len(chunk))})", [last, *chunk]):
            key = (r["order_id"], r["platform"])
            if key in prev:
                seen[key] = (r["id"], r, parser(r["text"]), prev[key])
    return sorted(seen.values(), key=lambda t: t[0])


def _store_flagged(journal, parser: Parser, last: int, flags: dict) -> None:
    """Memos whose order carries the platform's flag: parse again with it (flag problems)."""
    updates = []
    for chunk in chunks(sorted({oid for oid, _ in flags})):
        for rid, oid, platform, text in journal.query(
                f"SELECT id, order_id, platform, text FROM remarks WHERE {_NEW_MEMOS} "
                f"AND order_id IN ({','.join('?' * len(chunk))})", [last, *chunk]):
            if (oid, platform) in flags:
                updates.append((*columns(parser(text, flags[(oid, platform)])), rid))
    journal.conn.executemany(f"UPDATE remarks SET {SET_PARSE} WHERE id = ?", updates)

