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

from cstool.core.errors import CstoolError, InputError
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


def _batches(source: Source, normalise: Callable, memo: Optional[Callable] = None
             ) -> Iterator[tuple]:
    """Batches of ``(chunks, rest, line_chunks, line_rest, memos, rejected, bytes read)``.

    ``chunks`` are flat tuples of CHUNK orders each (for the multi-row
    statement), ``rest`` the orders left over at the end of the file, the
    ``line_`` ones the same for lines (an export of items), ``memos`` the
    parses (``memo(text)``) of memo texts the batch brings for the first time.
    """
    if getattr(normalise, "lines", False):
        yield from _line_batches(source, normalise, memo)
        return
    cut = _cut
    rows: list = []
    rejected: list = []
    memos: list = []
    seen: set = set()

    fast, check = normalise.fast, normalise  # the common case without a second call
    for line, cells in source.rows():
        try:
            row = fast(cells)
            if row[CREATED_POS] is None:
                raise ValueError
        except (ValueError, TypeError, IndexError, AttributeError):
            try:
                row = check(cells)
            except RowError as e:
                if str(e) != "empty row":
                    rejected.append({"row": line, "error": str(e)})
                continue
        rows.append(row)
        text = row[MEMO_POS]
        if memo is not None and text and text not in seen:
            if len(seen) >= SEEN_MEMOS:
                seen.clear()
            seen.add(text)
            memos.append((text, *memo(text)))
        if len(rows) >= BATCH:
            yield (*cut(rows), [], [], memos, rejected, source.position())
            rows, rejected, memos = [], [], []
    yield (*cut(rows), [], [], memos, rejected, source.size)


def _line_batches(source: Source, normalise: Callable, memo: Optional[Callable] = None
                  ) -> Iterator[tuple]:
    """:func:`_batches` for an export of items: each row a line, and the order it names
    when the row carries one."""
    orders: list = []
    lines: list = []
    rejected: list = []
    memos: list = []
    seen: set = set()
    for line_no, cells in source.rows():
        try:
            order, line = normalise(cells)
        except RowError as e:
            if str(e) != "empty row":
                rejected.append({"row": line_no, "error": str(e)})
            continue
        lines.append(line)
        if order is not None:
            orders.append(order)
            text = order[MEMO_POS]
            if memo is not None and text and text not in seen:
                if len(seen) >= SEEN_MEMOS:
                    seen.clear()
                seen.add(text)
                memos.append((text, *memo(text)))
        if len(lines) >= BATCH:
            yield (*_cut(orders), *_cut(lines), memos, rejected, source.position())
            orders, lines, rejected, memos = [], [], [], []
    yield (*_cut(orders), *_cut(lines), memos, rejected, source.size)


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
                 recv=None, parent: Optional[int] = None) -> None:
    """The forked reader: decode, parse and normalise, ship batches to the writer."""
    import gc
    import marshal

    if recv is not None:
        recv.close()  # the writer's end: kept open here, a dead writer would go unnoticed
    if parent is not None:
        _die_with(parent)
    gc.disable()
    try:
        for batch in _batches(source, normalise, memo):
            send.send_bytes(marshal.dumps(("rows", *batch)))
        send.send_bytes(marshal.dumps(("done",)))
    except (BrokenPipeError, ConnectionError):
        os._exit(1)  # the writer is gone: nobody to tell
    except CstoolError as e:
        _tell(send, ("error", str(e)))
    except Exception as e:  # reported by the writer as a failed file
        _tell(send, ("error", f"{source.path}: {type(e).__name__}: {e}"))
    finally:
        send.close()


def _tell(send, msg: tuple) -> None:
    import marshal

    try:
        send.send_bytes(marshal.dumps(msg))
    except OSError:
        os._exit(1)


def _forked_batches(source: Source, normalise: Callable, memo: Optional[Callable] = None
                    ) -> Iterator[tuple]:
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
                                                  os.getpid()), daemon=True)
    proc.start()
    send.close()
    try:
        while True:
            try:
                msg = marshal.loads(recv.recv_bytes())
            except EOFError:
                raise CstoolError(f"{source.path}: the reader process stopped unexpectedly") from None
            if msg[0] == "rows":
                yield msg[1:]
            elif msg[0] == "done":
                break
            else:
                raise InputError(msg[1])
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

