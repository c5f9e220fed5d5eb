"""Reading an export in batches, and in a forked process for a big file.

The import is CPU-bound on both sides: parsing the file (Python) and inserting
rows (SQLite). On two cores they overlap, which roughly halves the time of a
large import: the reader process parses, normalises and ships batches to the
writer through a pipe.
"""


import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Callable, Optional

from cstool.core.errors import CstoolError, InputError, message
from cstool.core.i18n import M_, portable, restored
from cstool.orders.readers import COLUMNS, RowError, Source

# Rows per INSERT statement: binding many rows at once saves Python's
# per-statement overhead, the largest cost left on the writing side.
CHUNK = 50
BATCH = 40 * CHUNK
MEMO_POS = COLUMNS.index("seller_memo")
CREATED_POS = COLUMNS.index("created_at")
SEEN_MEMOS = 50_000  # distinct memo texts a reader remembers (memory stays flat)


def _cut(rows: list) -> tuple[list, list]:
    """Flat tuples of CHUNK rows each (for the multi-row statement), and the rest."""
    from itertools import chain

    n = len(rows) - len(rows) % CHUNK
    chunks = [tuple(chain.from_iterable(rows[i:i + CHUNK])) for i in range(0, n, CHUNK)]
    return chunks, rows[n:]


class Digests:
    """Each row of an order export as a 64-bit digest of its cells (and of how the file
    is read: its format, columns, shop, status words and time zone), and the digests
    the journal stored for the rows it last wrote: a row whose digest is there was
    imported as it is and changed nothing since, so it is skipped before it is parsed
    into an order (``known``: sorted, in an ``array('q')`` — 8 bytes an order).

    ``key``: the cell of the order number; once a row of an order is sent on, a later
    row of the same order in the file is never skipped (the journal's digests are from
    before the file), and past ``MAX_SENT`` such orders nothing more is skipped.
    """

    MAX_SENT = 200_000

    def __init__(self, salt: str, known, key: int):
        from bisect import bisect_left
        from hashlib import blake2b

        self._blake2b, self._bisect = blake2b, bisect_left
        self._key = blake2b(salt.encode(), digest_size=32).digest()
        self.known, self.key = known, key
        self.sent: set = set()

    def __call__(self, cells: list) -> int:
        return int.from_bytes(self._blake2b("\x1f".join(cells).encode(), digest_size=8,
                                            key=self._key).digest(), "big", signed=True)

    def unchanged(self, digest: int, cells: list) -> bool:
        known = self.known
        if not known or len(self.sent) >= self.MAX_SENT:
            return False
        i = self._bisect(known, digest)
        return i < len(known) and known[i] == digest and cells[self.key] not in self.sent

    def send(self, cells: list) -> None:
        if self.known and len(self.sent) < self.MAX_SENT:
            self.sent.add(cells[self.key])


def _batches(source: Source, normalise: Callable, memo: Optional[Callable] = None,
             digests: Optional[Digests] = None) -> Iterator[tuple]:
    """Batches of ``(chunks, rest, line_chunks, line_rest, memos, rejected, bytes read,
    rows skipped)``.

    ``chunks`` are flat tuples of CHUNK orders each (for the multi-row
    statement), ``rest`` the orders left over at the end of the file, the
    ``line_`` ones the same for lines (an export of items), ``memos`` the
    parses (``memo(text)``) of memo texts the batch brings for the first time.
    ``digests``: each order ends with its row's digest, and the rows the journal
    has as they are are skipped (counted, not sent).

    The orders are gathered flat (one list the rows extend, cut into the
    statement's tuples at the batch's end) and the digest is computed inline: the
    same tuples as :func:`_cut` of the rows, without a tuple per row built twice.
    """
    if getattr(normalise, "lines", False):
        yield from _line_batches(source, normalise, memo)
        return
    flat: list = []
    rows = 0
    width = 0  # values an order takes in ``flat`` (known from the first row)
    rejected: list = []
    memos: list = []
    seen: set = set()
    skipped = 0

    fast, check = normalise.fast, normalise  # the common case without a second call
    if digests is not None:
        blake2b, key, from_bytes = digests._blake2b, digests._key, int.from_bytes
        # a first import has no stored digests: nothing to skip, nothing to remember
        checking = bool(digests.known)
        unchanged, send = digests.unchanged, digests.send
    for line, cells in source.rows():
        if digests is not None:
            digest = from_bytes(blake2b("\x1f".join(cells).encode(), digest_size=8,
                                        key=key).digest(), "big", signed=True)
            if checking and unchanged(digest, cells):
                skipped += 1
                continue
        try:
            row = fast(cells)
            if row[CREATED_POS] is None:
                raise ValueError
        except (ValueError, TypeError, IndexError, AttributeError):
            try:
                row = check(cells)
            except RowError as e:
                if str(e) != "empty row":
                    rejected.append({"row": line, "error": message(e)})
                continue
        flat += row
        if digests is not None:
            flat.append(digest)
            if checking:
                send(cells)
        rows += 1
        text = row[MEMO_POS]
        if memo is not None and text and text not in seen:
            if len(seen) >= SEEN_MEMOS:
                seen.clear()
            seen.add(text)
            memos.append((text, *memo(text)))
        if rows >= BATCH:
            width = width or len(flat) // rows
            yield (*_flat_cut(flat, width), [], [], memos, rejected, source.position(), skipped)
            flat, rows, rejected, memos, skipped = [], 0, [], [], 0
    width = width or (len(flat) // rows if rows else 1)
    yield (*_flat_cut(flat, width), [], [], memos, rejected, source.size, skipped)


def _flat_cut(flat: list, width: int) -> tuple[list, list]:
    """:func:`_cut` of rows of ``width`` values laid end to end in ``flat``."""
    step = width * CHUNK
    n = len(flat) - len(flat) % step
    chunks = [tuple(flat[i:i + step]) for i in range(0, n, step)]
    return chunks, [tuple(flat[i:i + width]) for i in range(n, len(flat), width)]


def _line_batches(source: Source, normalise: Callable, memo: Optional[Callable] = None
                  ) -> Iterator[tuple]:
    """:func:`_batches` for an export of items: each row a line, and the order it names
    when the row carries one; after the lines, the order numbers whose orders the lines
    must decide after the rows (:func:`cstool.orders.lines.derive_orders`).

    An order's rows are mostly together (a run), each repeating the order's cells: a
    row whose order is the previous row's, in every column its statement writes
    (``normalise.unwritten``: the positions it leaves alone), would change nothing
    and is not sent. ``normalise.derive`` (the file names none of
    :data:`~cstool.orders.lines.DERIVED` for its orders): a run whose rows all say the
    same order, each line once, sends its order once, at the run's end, with what its
    lines say of it (:func:`~cstool.orders.lines.as_lines_say`): if it inserts the
    order and no line of the order was there before, nothing is left to derive (the
    writer checks both). Any other run's order is derived after the rows. A batch ends
    where a run does."""
    from operator import itemgetter

    from cstool.orders.lines import as_lines_say

    unwritten = set(getattr(normalise, "unwritten", ()))
    written = itemgetter(*(i for i in range(len(COLUMNS)) if i not in unwritten))
    precompute = getattr(normalise, "derive", False)
    last = None
    orders: list = []
    lines: list = []
    derive: list = []
    rejected: list = []
    memos: list = []
    seen: set = set()
    run_id: object = None
    run_orders: list = []  # the orders the run's rows say (None: a row says none)
    run_start = 0  # where the run's lines start in ``lines``
    broken = False  # the run is over two batches

    def send(order: tuple) -> None:
        orders.append(order)
        text = order[MEMO_POS]
        if memo is not None and text and text not in seen:
            if len(seen) >= SEEN_MEMOS:
                seen.clear()
            seen.add(text)
            memos.append((text, *memo(text)))

    def end_run() -> None:
        nonlocal last
        if not run_orders:
            return
        if len(run_orders) == 1:  # most orders: one line, one row
            order = run_orders[0]
            if order is not None and (says := written(order)) != last:
                last = says
                if precompute and not broken:
                    send(as_lines_say(order, lines[-1:]))
                    return
                send(order)
            derive.append(run_id)
            return
        said = [None if o is None else written(o) for o in run_orders]
        run = lines[run_start:]
        if (precompute and not broken and said[0] is not None and said[0] != last
                and said.count(said[0]) == len(said)
                and len({line[1] for line in run}) == len(run)):
            last = said[0]
            send(as_lines_say(run_orders[0], run))
            return
        for order, says in zip(run_orders, said):
            if order is not None and says != last:
                last = says
                send(order)
        derive.append(run_id)

    for line_no, cells in source.rows():
        try:
            order, line = normalise(cells)
        except RowError as e:
            if str(e) != "empty row":
                rejected.append({"row": line_no, "error": message(e)})
            continue
        if line[0] != run_id:
            end_run()
            if len(lines) >= BATCH:
                yield (*_cut(orders), *_cut(lines), derive, memos, rejected,
                       source.position(), 0)
                orders, lines, derive, rejected, memos = [], [], [], [], []
            run_id, run_orders, run_start, broken = line[0], [], len(lines), False
        lines.append(line)
        run_orders.append(order)
        if len(lines) >= 2 * BATCH:  # a run this long is derived, a batch at a time
            broken = True
            end_run()
            yield (*_cut(orders), *_cut(lines), derive, memos, rejected, source.position(), 0)
            orders, lines, derive, rejected, memos = [], [], [], [], []
            run_orders, run_start = [], 0
    end_run()
    yield (*_cut(orders), *_cut(lines), derive, memos, rejected, source.size, 0)


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
                 recv=None, parent: Optional[int] = None,
                 digests: Optional[Digests] = None) -> None:
    """The forked reader: decode, parse and normalise, ship batches to the writer."""
    import gc
    import marshal

    if recv is not None:
        recv.close()  # the writer's end: kept open here, a dead writer would go unnoticed
    if parent is not None:
        _die_with(parent)
    gc.disable()
    try:
        for batch in _batches(source, normalise, memo, digests):
            send.send_bytes(marshal.dumps(("rows", *_rejected(batch, portable))))
        send.send_bytes(marshal.dumps(("done",)))
    except (BrokenPipeError, ConnectionError):
        os._exit(1)  # the writer is gone: nobody to tell
    except CstoolError as e:
        _tell(send, ("error", portable(message(e))))
    except Exception as e:  # reported by the writer as a failed file
        _tell(send, ("error", f"{source.path}: {type(e).__name__}: {e}"))
    finally:
        send.close()


def _rejected(batch: tuple, how: Callable) -> tuple:
    """A batch with its rejected rows' reasons made ``how`` (:func:`portable` to cross
    the pipe, :func:`restored` after): a reason reads in either language."""
    if not batch[-3]:
        return batch
    rejected = [{**r, "error": how(r["error"])} for r in batch[-3]]
    return (*batch[:-3], rejected, *batch[-2:])


def _tell(send, msg: tuple) -> None:
    import marshal

    try:
        send.send_bytes(marshal.dumps(msg))
    except OSError:
        os._exit(1)


def _forked_batches(source: Source, normalise: Callable, memo: Optional[Callable] = None,
                    digests: Optional[Digests] = None) -> Iterator[tuple]:
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
                                                  os.getpid(), digests), daemon=True)
    proc.start()
    send.close()
    try:
        while True:
            try:
                msg = marshal.loads(recv.recv_bytes())
            except EOFError:
                raise CstoolError(M_("{path}: the reader process stopped unexpectedly",
                                     path=source.path)) from None
            if msg[0] == "rows":
                yield _rejected(msg[1:], restored)
            elif msg[0] == "done":
                break
            else:
                raise InputError(restored(msg[1]))
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

