"""Import the platforms' order exports into the journal.

Which export a file is comes from its header (:mod:`cstool.orders.formats`: one spec
per export, Taobao's five, PDD's, JD's, Douyin's and Youzan's), or ``--format``;
``generic`` reads any CSV with ``--map SOURCE=field``.

Rows stream from the file into one ``INSERT … ON CONFLICT DO UPDATE``
(``executemany`` over a generator: constant memory). An order export's upsert only
touches an order whose data changed, never moves an order back along its life
(an older export re-imported after a newer one changes nothing), and never erases
a value the file does not have. An item export writes lines (``order_lines``), and
only fills in what no order export has said of their orders: a new order it names
takes its status from its lines, and an order export's status, once there, wins.
So an item export imported before or after the order export gives the same
journal. New seller memo texts reach the remark history batch by batch while an
order export only inserts orders, else after the rows
(:class:`cstool.core.remarks.MemoStream`, :func:`cstool.core.remarks.record_memos`).
"""



import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from typing import Any, Callable, Optional

from cstool.core import remarks
from cstool.core.errors import BadUsage, CstoolError, InputError
from cstool.core.files import can_fork
from cstool.core.i18n import M_
from cstool.core.vocab import PLATFORM, STATUS_RANK
from cstool.orders import formats
from cstool.orders.lines import DERIVED, Touched, derive_orders, refunding_orders_arrived
from cstool.orders.normalise import build_normaliser
from cstool.orders.parallel import CHUNK, Digests, _batches, _forked_batches, _no_gc
from cstool.orders.readers import COLUMNS, LINE_COLUMNS, FileResult, _clean_header, open_source

# --- the upserts ---------------------------------------------------------------------

_RANK = "CASE {t}.status " + " ".join(
    f"WHEN '{s}' THEN {r}" for s, r in STATUS_RANK.items()) + " END"
INSERT_COLUMNS = COLUMNS + ("platform", "status_from", "import_id")
# The seller memo: a blank one erases nothing, and a text already in the order's
# history is old news (an older export imported again must not bring it back).
def _memo(history: Optional[int] = None) -> str:
    """The seller memo's update. ``history``: the order's history as it was up to that
    remark id (the memos a file records as it goes are not old news to its own rows)."""
    upto = "" if history is None else f" AND r.id <= {int(history)}"
    return ("CASE WHEN excluded.seller_memo IS NULL OR excluded.seller_memo = '' "
            "OR excluded.seller_memo IS orders.seller_memo THEN orders.seller_memo "
            "WHEN EXISTS (SELECT 1 FROM remarks r WHERE r.order_id = excluded.order_id "
            "AND r.platform = excluded.platform "
            f"AND r.source = 'platform' AND r.text = excluded.seller_memo{upto}) "
            "THEN orders.seller_memo ELSE excluded.seller_memo END")


_LINES_ONLY = "orders.status_from = 'lines'"


def _literal(word: str) -> str:
    """A platform word as an SQL literal (it comes from the vocabulary: letters only)."""
    if not word.replace("_", "").isalpha() or not word.isascii():
        raise ValueError(f"not a platform word: {word!r}")
    return f"'{word}'"


def _values(rows: int, n: int, *literals: str) -> str:
    one = "(" + ", ".join("?" * n) + (", " + ", ".join(literals) if literals else "") + ")"
    return ", ".join([one] * rows)


def upsert_sql(rows: int = 1, import_id: int = 0, platform: str = "taobao",
               status_from: str = "order", digest: bool = False,
               kept: tuple[str, ...] = (), history: Optional[int] = None) -> str:
    """An order export: insert new orders; update changed ones, never backwards, never
    blanking.

    A value the file lacks or leaves blank (an xlsx export has no payment
    time) keeps what the journal knows; a status earlier in the order's life
    than the stored one (an older export imported late) changes nothing, unless
    only the order's lines had said it (``status_from``: what the status is from).
    ``kept``: columns each row of a file with a row per item would overwrite with its
    own item's value: an update keeps them, and the lines decide them after the rows.
    ``history``: the highest remark id from before the file (the memo history its rows
    are judged by, though the file records memos as it goes).
    """
    # the platform and the import's id are the same for every row: literals, not parameters
    sets, changed = [], []
    for c in COLUMNS[1:] + ("status_from",):
        if c in kept:
            continue
        if c in ("status", "status_from"):
            new = f"excluded.{c}"
        elif c == "seller_memo":
            new = _memo(history)
        else:
            new = f"coalesce(excluded.{c}, orders.{c})"
        sets.append(f"{c} = {new}")
        changed.append(f"orders.{c} IS NOT {new}")
    sets.append("import_id = excluded.import_id")
    # ``digest``: each row ends with its digest, stored when the row writes the order
    columns = (COLUMNS + ("row_digest",) if digest else COLUMNS) + INSERT_COLUMNS[len(COLUMNS):]
    if digest:
        sets.append("row_digest = excluded.row_digest")
    return (
        f"INSERT INTO orders ({', '.join(columns)}) VALUES "
        f"{_values(rows, len(COLUMNS) + digest, _literal(platform), repr(status_from), str(int(import_id)))} "
        f"ON CONFLICT (order_id, platform) DO UPDATE SET {', '.join(sets)} "
        f"WHERE ({' OR '.join(changed)}) "
        f"AND ({_LINES_ONLY} OR {_RANK.format(t='excluded')} >= {_RANK.format(t='orders')})"
    )


def fill_sql(rows: int = 1, import_id: int = 0, platform: str = "taobao",
             kept: tuple[str, ...] = (), history: Optional[int] = None) -> str:
    """An export of items: the orders it names, new ones inserted (their status the lines'),
    known ones only filled in where no order export has said anything (the order
    export's values win, whichever came first). ``history``: as for :func:`upsert_sql`."""
    sets, changed = [], []
    for c in COLUMNS[1:]:
        if c == "status" or c in kept:
            continue  # the lines decide it, after the rows (orders.lines.derive_orders)
        # (an order export's blank cell said nothing: the item export's value fills it)
        if c == "seller_memo":
            new = (f"CASE WHEN {_LINES_ONLY} THEN {_memo(history)} "
                   "ELSE coalesce(nullif(orders.seller_memo, ''), excluded.seller_memo) END")
        else:
            new = (f"CASE WHEN {_LINES_ONLY} THEN coalesce(excluded.{c}, orders.{c}) "
                   f"ELSE coalesce(nullif(orders.{c}, ''), excluded.{c}) END")
        sets.append(f"{c} = {new}")
        changed.append(f"orders.{c} IS NOT {new}")
    sets.append("import_id = excluded.import_id")
    return (
        f"INSERT INTO orders ({', '.join(INSERT_COLUMNS)}) VALUES "
        f"{_values(rows, len(COLUMNS), _literal(platform), repr('lines'), str(int(import_id)))} "
        f"ON CONFLICT (order_id, platform) DO UPDATE SET {', '.join(sets)} "
        f"WHERE {' OR '.join(changed)}"
    )


def line_sql(rows: int = 1, import_id: int = 0, platform: str = "taobao") -> str:
    """Lines: new ones inserted, changed ones updated, never blanking, a line's status
    never moved back (an older item report imported late changes nothing)."""
    cols = LINE_COLUMNS + ("platform", "import_id")
    sets, changed = [], []
    for c in LINE_COLUMNS[2:]:
        new = f"coalesce(excluded.{c}, order_lines.{c})"
        sets.append(f"{c} = {new}")
        changed.append(f"order_lines.{c} IS NOT {new}")
    sets.append("import_id = excluded.import_id")
    rank = _RANK.format(t="{t}")
    return (
        f"INSERT INTO order_lines ({', '.join(cols)}) VALUES "
        f"{_values(rows, len(LINE_COLUMNS), _literal(platform), str(int(import_id)))} "
        f"ON CONFLICT (order_id, platform, line_key) DO UPDATE SET {', '.join(sets)} "
        f"WHERE ({' OR '.join(changed)}) AND (excluded.status IS NULL "
        f"OR order_lines.status IS NULL "
        f"OR {rank.format(t='excluded')} >= {rank.format(t='order_lines')})"
    )


PARALLEL_MIN_BYTES = 8 << 20
# Bump when what a row's cells become changes (a normaliser's rule): every stored
# digest then differs, and the next import reads every row again.
DIGEST_VERSION = 1


def _digests(journal, path: str, size: int, spec, index: dict, shop: Optional[str],
             status_map: Optional[dict], tz_name: str,
             small_cache: bool = False) -> Optional[Digests]:
    """Row digests for an order export, with the journal's when the file is big beside
    the journal (a daily export of three months is mostly rows already imported: each
    skipped before it is parsed). Loading them reads every order's digest, so a small
    file beside a big journal is just read. None for an export of items."""
    if spec.level != "order":
        return None
    salt = json.dumps([DIGEST_VERSION, spec.name, spec.platform, sorted(index.items()), shop,
                       sorted((status_map or {}).items()), tz_name], ensure_ascii=False)
    known = None
    orders = journal.scalar("SELECT coalesce(max(rowid), 0) FROM orders")
    if orders and size >= PARALLEL_MIN_BYTES and size // ROW_BYTES * 4 >= orders:
        known = _known_digests(journal, spec.platform, small_cache)
    return Digests(salt, known, index["order_id"][0])


def _known_digests(journal, platform: str, small_cache: bool = False):
    """The digests the journal stored for ``platform``'s orders, sorted, in an
    ``array('q')``: 8 bytes an order, about twice that while they load.

    ``ORDER BY row_digest`` would sort them in SQLite's sorter, in memory during an
    import (``temp_store = MEMORY``): some 45 bytes an order, 1M orders took the
    re-import's peak from 84 to 115 MB. They are read unsorted instead, into 256 arrays
    by their top byte, each sorted on its own (a few thousand at a time) and dropped
    once copied; at 1M orders this is also faster than the sorter. ``small_cache``:
    the scan goes through a 2 MB page cache instead of filling the import's 32 MB with
    the whole table's pages, for a transaction that has written nothing yet (a smaller
    cache would spill an earlier file's written pages to the WAL, to be read back).
    """
    from array import array

    buckets: list = [array("q") for _ in range(256)]
    appends = [b.append for b in buckets]
    cache = journal.scalar("PRAGMA cache_size") if small_cache else None
    if small_cache:
        journal.execute("PRAGMA cache_size = -2048")
    try:
        for (d,) in journal.execute("SELECT row_digest FROM orders WHERE platform = ? "
                                    "AND row_digest IS NOT NULL", [platform]):
            appends[(d >> 56) + 128](d)  # signed: the top byte runs -128 … 127
    finally:
        if small_cache:
            journal.execute(f"PRAGMA cache_size = {int(cache)}")
    del appends
    known = array("q")
    for i, b in enumerate(buckets):
        known.extend(sorted(b))
        buckets[i] = None
    return known


ROW_BYTES = 600  # about what a row of the classic export takes


def _spec(path: str, names: list[str], fmt: str, mapping: Optional[dict],
          platform: Optional[str], specs: Sequence[formats.Spec]):
    """The file's spec and where its fields are (``--format``, else its header)."""
    if fmt == "generic":
        for source in mapping or {}:
            if source not in names:
                raise InputError(_missing_map_column(path, source, names))
        spec = formats.generic(mapping or {}, platform)
        return spec, spec.resolve(names)
    if fmt == "auto":
        return formats.detect(path, names, formats.all_specs(specs), platform)
    spec = formats.named(fmt, specs)
    if platform and spec.platform != platform:
        raise BadUsage(M_("--format {fmt} is a {platform} export, not {platform2}'s", fmt=fmt,
                          platform=spec.platform, platform2=platform),
                       option="--platform")
    index = spec.resolve(names)
    missing = spec.missing(index)
    if missing:
        raise InputError(M_("{path}: not a {name} export ({title}): missing column(s) "
                            "{items}", path=path, name=spec.name, title=spec.title,
                            items=", ".join(spec.label(f) for f in missing)))
    return spec, index


def _missing_map_column(path: str, source: str, names: list[str]) -> str:
    """``--map SOURCE=…`` naming a column the file lacks: the file, the column, the
    closest of its columns, and its columns."""
    from difflib import get_close_matches

    have = [n for n in names if n]
    close = get_close_matches(source, have, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    shown = ", ".join(have[:20]) + (f", … ({len(have)} columns)" if len(have) > 20 else "")
    return (f"{path}: --map names column {source!r}, which the file does not have{hint} "
            f"(its columns: {shown or 'none'})")


def import_file(ctx, path: str, *, fmt: str = "auto", encoding: str = "auto",
                mapping: Optional[dict] = None, strict: bool = False,
                progress: Optional[Callable[[int, int], None]] = None,
                after_rows: Optional[Callable[[Any, int], None]] = None,
                parallel: Optional[bool] = None, platform: Optional[str] = None,
                shop: Optional[str] = None, status_map: Optional[dict] = None,
                specs: Sequence[formats.Spec] = (), cache_clean: bool = False) -> FileResult:
    """Import one file inside the caller's transaction (``journal.write()``), by
    ``ctx.agent`` at ``ctx.clock``'s now, its times read in the clock's zone.

    ``platform``: only that platform's formats (or, with ``generic``, the file's
    platform; default taobao). ``shop``: the shop of rows that name none (a file
    without 店铺名称). ``status_map``: status and refund words the export uses that
    cstool does not know (``{"已揽收": "shipped"}``). ``specs``: a shop's own.
    ``progress(done_bytes, total_bytes)`` is called now and then.
    ``after_rows(journal, last_remark_id)`` runs after the rows are in,
    before the transaction ends, with the highest remark id from before
    the import: remarks above it are the memos this file brought (the
    routines' import hooks run there: the remark parser's). Its
    ``memo_parser()``, when it has one, parses each memo text in the reader.
    ``parallel``: read in a forked process (default: for files over 8 MB,
    where fork exists). ``cache_clean``: the transaction has written nothing yet (the
    first file of :func:`import_files`), so the journal's digests may load through a
    small page cache (:func:`_known_digests`).
    """
    journal, agent, now_db = ctx.journal, ctx.agent, ctx.now_db()
    if fmt == "generic" and not mapping:
        raise BadUsage(M_("{path}: the generic format needs --map SOURCE=field for its "
                          "columns", path=path))
    platform = PLATFORM(platform) if platform else None
    shop = (shop or "").strip() or None
    source = open_source(path, fmt, encoding)
    result = FileResult(file=path, encoding=source.encoding, shop=shop,
                        warnings=[source.note] if source.note else [])
    rejected = result.rejected
    try:
        names = [_clean_header(h) for h in source.header]
        spec, index = _spec(path, names, fmt, mapping, platform, specs)
        result.format, result.platform, result.level = spec.name, spec.platform, spec.level
        import_id = journal.execute(
            "INSERT INTO imports (file, format, encoding, agent, started_at, platform, shop) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [os.path.basename(path), result.format, result.encoding, agent, now_db,
             spec.platform, shop]).lastrowid
        normalise = build_normaliser(index, ctx.clock.tz_name, spec, names, shop,
                                     status_map or {})
        if parallel is None:
            parallel = source.size >= PARALLEL_MIN_BYTES and can_fork()
        memo = after_rows.memo_parser() if hasattr(after_rows, "memo_parser") else None
        last_remark = journal.scalar("SELECT coalesce(max(id), 0) FROM remarks")
        # orders and lines are never deleted and new rows take max(rowid) + 1 (an upsert
        # that updates uses no rowid): the rowid range counts the new ones in O(log n)
        before = journal.scalar("SELECT coalesce(max(rowid), 0) FROM orders")
        lines_before = journal.scalar("SELECT coalesce(max(id), 0) FROM order_lines")
        cur = journal.conn.cursor()
        digests = _digests(journal, path, source.size, spec, index, shop, status_map,
                           ctx.clock.tz_name, cache_clean)
        # a file with a row per item and no order-level title: each row names its own item,
        # so the order's title (and, when its lines say it, its status) is the lines'
        own_title = spec.level != "order" and "item_title" not in index
        from_lines = own_title and spec.level == "order_lines"
        kept = (("item_title",) if own_title else ()) + (
            ("status",) if spec.status_from == "lines" else ())
        if spec.level == "lines":
            # the file says none of what the lines decide of an order: a new order can be
            # sent with it (orders.parallel._line_batches), and an order the journal has
            # keeps its own until the derivation
            normalise.derive = not any(c in index for c in DERIVED)  # type: ignore[attr-defined]
            filled = kept + (DERIVED if normalise.derive else ())  # type: ignore[attr-defined]
            many, one = (fill_sql(CHUNK, import_id, spec.platform, filled, last_remark),
                         fill_sql(1, import_id, spec.platform, filled, last_remark))
            normalise.unwritten = tuple(COLUMNS.index(c) for c in ("status", *kept))  # type: ignore[attr-defined]
        else:
            many, one = (upsert_sql(CHUNK, import_id, spec.platform, spec.status_from,
                                    digests is not None, kept, last_remark),
                         upsert_sql(1, import_id, spec.platform, spec.status_from,
                                    digests is not None, kept, last_remark))
            normalise.unwritten = tuple(COLUMNS.index(c) for c in kept)  # type: ignore[attr-defined]
        # the memos are recorded as the batches come while the file only inserts orders
        # (an export of items too: the orders it names, each sent once where its rows
        # are together), else after the rows
        stream = remarks.MemoStream(journal, now_db, import_id, before)
        many_lines, one_line = (line_sql(CHUNK, import_id, spec.platform),
                                line_sql(1, import_id, spec.platform))
        changed = changed_lines = 0
        # the orders the lines name: in a temporary table, not in memory
        touched = Touched(journal) if normalise.lines else None
        memo_insert = remarks.memo_parse_insert(journal)
        # the shops of the order rows sent (an order export): when each of them inserted
        # an order, they are the shops the file wrote, without reading the orders back
        sent_shops: Optional[set] = None if normalise.lines else set()
        sent, shop_at, width_o = 0, COLUMNS.index("shop"), len(COLUMNS) + (digests is not None)
        with _no_gc():
            top = before
            for chunks, rest, lchunks, lrest, *derive, memos, bad, position, skipped in (
                    _forked_batches if parallel else _batches)(source, normalise, memo,
                                                               digests):
                if memos:  # before the rows: the memo record looks the parses up
                    cur.executemany(memo_insert, memos)
                written = changed
                if chunks:
                    cur.executemany(many, chunks)
                    changed += cur.rowcount
                if rest:
                    cur.executemany(one, rest)
                    changed += cur.rowcount
                if sent_shops is not None:
                    sent += len(chunks) * CHUNK + len(rest)
                    sent_shops.update(*(c[shop_at::width_o] for c in chunks),
                                      (r[shop_at] for r in rest))
                stream.batch(changed - written)
                if lchunks:
                    cur.executemany(many_lines, lchunks)
                    changed_lines += cur.rowcount
                if lrest:
                    cur.executemany(one_line, lrest)
                    changed_lines += cur.rowcount
                if touched is not None:
                    top = touched.batch(top, [*(o for c in chunks for o in c[0::width_o]),
                                              *(r[0] for r in rest)], derive[0], lines_before)
                result.rows += ((len(lchunks) * CHUNK + len(lrest)) if normalise.lines
                                else len(chunks) * CHUNK + len(rest)) + len(bad) + skipped
                rejected.extend(bad)
                if progress is not None:
                    progress(position, source.size)
        result.new_orders = journal.scalar("SELECT coalesce(max(rowid), 0) FROM orders") - before
        stream.finish()
        if result.new_orders:  # some may be orders whose lines came first
            refunding_orders_arrived(journal)
        if normalise.lines:
            result.inserted = (journal.scalar("SELECT coalesce(max(id), 0) FROM order_lines")
                               - lines_before)
            # a row is its line and (some of) its order: either may be what changed
            result.updated = max(changed_lines - result.inserted, changed - result.new_orders)
            result.unchanged = max(0, result.rows - len(rejected) - result.inserted
                                   - result.updated)
            result.waiting_lines = derive_orders(journal, spec.platform, import_id, from_lines,
                                                 lines_before=lines_before)
            touched.close()
        else:
            result.inserted = result.new_orders
            result.updated = changed - result.inserted
            result.unchanged = result.rows - len(rejected) - changed
        # the shops of the orders this file wrote (a file with 店铺名称 may hold several)
        result.shops = sorted(_written_shops(journal, import_id, spec.platform, sent_shops,
                                             sent == changed == result.new_orders)
                              | ({shop} if shop else set()))
    finally:
        source.close()
    if strict and rejected:
        first = rejected[0]
        raise InputError(M_("{path}: {n} row(s) rejected (--strict), nothing imported; "
                            "first: line {row}: {error}", path=path, n=len(rejected),
                            row=first['row'], error=first['error']))
    if after_rows is not None:
        after_rows(journal, last_remark)
    journal.execute(
        "UPDATE imports SET rows = ?, inserted = ?, updated = ?, unchanged = ?, rejected = ?, "
        "finished_at = ? WHERE id = ?",
        [result.rows, result.inserted, result.updated, result.unchanged, len(rejected), now_db,
         import_id])
    return result


def _written_shops(journal, import_id: int, platform: str, sent: Optional[set],
                   all_new: bool) -> set:
    """The shops of the orders the import wrote. ``sent``: the shops of the order rows it
    sent (None: not known), ``all_new``: each of those rows inserted an order.

    Every order it wrote was written by a row it sent, with that row's shop (unless the
    row had none: the order kept its own): so when every row inserted, the rows' shops are
    the answer; else each of them is looked for among its own orders, newest first (what
    an import writes is mostly recent), instead of reading every order of the journal."""
    if sent is not None and None not in sent:
        if all_new:
            return sent
        return {s for s in sent if journal.execute(
            "SELECT 1 FROM orders WHERE shop = ? AND platform = ? AND import_id = ? "
            "ORDER BY rowid DESC LIMIT 1",
            [s, platform, import_id]).fetchone()}
    return {r[0] for r in journal.execute(
        "SELECT DISTINCT shop FROM orders WHERE import_id = ? AND shop IS NOT NULL",
        [import_id])}


def parse_mapping(pairs: Sequence[str]) -> dict[str, list[str]]:
    """``["Order No=order_id", "成交时间=created_at,paid_at"]`` → ``{"Order No":
    ["order_id"], "成交时间": ["created_at", "paid_at"]}`` (validated): one column may
    feed several fields."""
    mapping: dict[str, list[str]] = {}
    for pair in pairs:
        source, sep, targets = pair.rpartition("=")
        if not sep or not source.strip() or not targets.strip():
            raise BadUsage(M_("--map {pair}: use SOURCE=field, e.g. --map 'Order "
                              "No=order_id' (or SOURCE=field,field for one column feeding "
                              "two)", pair=repr(pair)))
        for target in (t.strip() for t in targets.split(",")):
            if target not in formats.FIELDS:
                raise BadUsage(M_("--map {pair}: unknown field {target}; fields: {items}",
                                  pair=repr(pair), target=repr(target),
                                  items=", ".join(formats.FIELDS)))
            mapping.setdefault(source.strip(), []).append(target)
    return mapping


def parse_status_map(pairs: Sequence[str]) -> dict[str, str]:
    """``["已揽收=shipped", "售后中=requested"]`` → word → status (or refund status)."""
    from cstool.core.vocab import REFUND, STATUS

    out: dict[str, str] = {}
    for pair in pairs:
        word, sep, value = pair.rpartition("=")
        canon = STATUS.get(value) or REFUND.get(value)
        if not sep or not word.strip() or canon is None:
            raise BadUsage(M_("--status-map {pair}: use WORD=STATUS, STATUS one of {items} "
                              "(or a refund status: {items2})", pair=repr(pair),
                              items=', '.join(formats.STATUSES),
                              items2=', '.join(formats.REFUNDS)), option="--status-map")
        out[word.strip()] = canon
    return out


def import_files(ctx, paths: Sequence[str], *, dry_run: bool = False, **kw) -> list[FileResult]:
    """Import several files as one transaction: all of them or nothing (``kw``: as
    :func:`import_file` takes them).

    ``dry_run`` does all the work, then rolls back: the counts are exact.
    """
    journal = ctx.journal
    results: list[FileResult] = []
    # A 32 MB page cache keeps the indexes' hot pages in memory through a large
    # import (a smaller one spills them to the WAL and reads them back; the primary
    # key takes random inserts): at 1M rows 16 MB → 32 MB halved the writer's system
    # time (21 → 11 s) and took 13 % off its CPU, for 16 MB more peak memory (85 MB).
    cache = journal.scalar("PRAGMA cache_size")
    temp_store = journal.scalar("PRAGMA temp_store")
    journal.execute("PRAGMA cache_size = -32768")
    # Temporary storage in memory (the upserts' statement journals, small), the memo
    # parses in a scratch file (they grow with the file): see cstool.core.remarks.
    # (inside a caller's transaction SQLite changes neither: the parses are then a
    # temporary table wherever temporary storage is)
    nested = journal.conn.in_transaction
    if not nested:
        journal.execute("PRAGMA temp_store = MEMORY")
    scratch = remarks.attach_memo_scratch(journal)
    try:
        with journal.write():
            remarks.new_memo_parses(journal, scratch)
            for path in paths:
                results.append(import_file(ctx, path, cache_clean=not nested and not results,
                                           **kw))
            if dry_run:
                raise _DryRun()
    except _DryRun:
        for r in results:
            r.dry_run = True
    except sqlite3.OperationalError as e:
        if "full" not in str(e):
            raise
        raise CstoolError(M_("the disk is full ({e}; journal {path}): nothing was "
                             "imported; free some space and import again", e=e,
                             path=journal.path)) from None
    finally:
        if scratch:
            remarks.detach_memo_scratch(journal)
        journal.execute(f"PRAGMA cache_size = {int(cache)}")
        if not nested:
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
