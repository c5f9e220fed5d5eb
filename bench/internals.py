"""The one place the benchmarks reach inside cstool. Everything else drives the CLI.

When cstool's modules move, fix the imports here and nothing else. Each function
names what it needs and why the CLI cannot give it:

- the SQL a queue runs, so a bare ``python -c`` can run the very same statements
  (the "cstool / bare SQL" figures of chase and shipcheck);
- bulk fills of 10,000 cases or handover items, which through the CLI would take
  10,000 processes (the exception and handover benchmarks);
- an import with and without the remark hook (the hook is not an option);
- in-process timings of library calls cron and the sheet make;
- putting a journal back after a real ``remind`` run, so that every timed run finds
  the same items due (remind has no undo);
- the classic header, for ``gen_orders.py``'s quick export (the tests use it too).

- where an import's time goes (decode, parse, normalise, memos, SQLite), stage by stage.

Also runnable, for the figures that must run in a fresh process:
``python bench/internals.py import-with-hook|import-without-hook|import-profile DB CSV NOW``.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from datetime import timedelta


def classic_header() -> tuple:
    from cstool.orders.readers import CLASSIC_HEADER

    return CLASSIC_HEADER


def _open(path):
    from cstool.app.policy import Policy
    from cstool.core.clock import Clock
    from cstool.core.journal import Journal

    journal = Journal.open(str(path))
    policy = Policy(journal)
    return journal, policy, Clock


def _context(journal, policy, clock, agent=None):
    from cstool.core.context import Context

    return Context(journal, clock, policy, agent)


def _at(journal, policy, instant: str, agent: str = "bench"):
    """A context at a stored instant (UTC ``YYYY-MM-DDTHH:MM:SSZ``), by ``agent``."""
    from cstool.core.clock import Clock, from_db

    return _context(journal, policy, Clock("Asia/Shanghai", from_db(instant)), agent)


def chase_due_sql(journal_path, now: str) -> tuple[str, list, int]:
    """``chase due``'s statement and parameters at ``now``, and how many orders are unpaid."""
    from cstool.chase.queue import due_query

    # Opening once applies pending migrations (the queue's index) outside the timings.
    journal, policy, Clock = _open(journal_path)
    try:
        sql, params = due_query(Clock(policy.get("timezone"), now).now(), policy)
        unpaid = journal.scalar("SELECT count(*) FROM orders WHERE status = 'unpaid'")
    finally:
        journal.close()
    return sql, params, unpaid


def shipcheck_statements(journal_path, now: str) -> dict:
    """``shipcheck``'s statements and parameters at ``now``, as the bare runner takes them."""
    from cstool.shipcheck.checks import Rules, plan

    journal, policy, Clock = _open(journal_path)
    try:
        p = plan(Rules.of(Clock(policy.get("timezone"), now), policy))
    finally:
        journal.close()
    return {"db": str(journal_path), "params": p.params, "sql": [sql for _, sql in p.statements],
            "names": [name for name, _ in p.statements], "feeds": p.feeds}


def populate_cases(journal_path, n: int, now: str, seed: int = 6) -> float:
    """Log ``n`` cases over the last 60 days in one transaction; the seconds it took."""
    import random

    from cstool.cases import timeline
    from cstool.cases.playbooks import KIND
    from cstool.core.clock import to_db
    from cstool.core.errors import InputError

    rng = random.Random(seed)
    journal, policy, Clock = _open(journal_path)
    clock = Clock(fixed=now)
    orders = [r[0] for r in journal.query(
        "SELECT order_id FROM orders WHERE status IN ('shipped', 'signed', 'finished') "
        "LIMIT ?", [n])]
    t0 = time.perf_counter()
    with journal.write():
        for i, oid in enumerate(orders):
            kind = KIND.values[i % len(KIND.values)]
            opened = clock.now() - timedelta(minutes=rng.randint(60, 60 * 24 * 60))
            case = timeline.log(_at(journal, policy, to_db(opened)), oid, kind, "bench case")
            later = _at(journal, policy, to_db(opened + timedelta(hours=rng.randint(1, 48))))
            try:
                timeline.update(later, case["id"], done=True, note="checked")
            except InputError:  # a photos step: these cases stay at their first step
                pass
            if kind in ("lost", "refused"):
                timeline.update(later, case["id"], amount=rng.randint(1, 300) * 100,
                                money_for="claim" if kind == "lost" else "refund")
            if i % 3:
                end = to_db(opened + timedelta(hours=rng.randint(49, 400)))
                if end < clock.now_db():
                    timeline.close(_at(journal, policy, end), case["id"], "received")
    seconds = time.perf_counter() - t0
    journal.close()
    return seconds


def time_case_queues(journal_path, now: str, runs: int = 5) -> tuple[float, int, float]:
    """Best in-process times of ``due_steps`` (cron) and ``handover_rows`` (the sheet)."""
    from cstool.cases import due as cases_due

    journal, policy, Clock = _open(journal_path)
    ctx = _context(journal, policy, Clock(fixed=now))
    best_due = best_sheet = float("inf")
    due: list = []
    for _ in range(runs):
        t0 = time.perf_counter()
        due = cases_due.due_steps(ctx)
        best_due = min(best_due, time.perf_counter() - t0)
        t0 = time.perf_counter()
        cases_due.handover_rows(ctx)
        best_sheet = min(best_sheet, time.perf_counter() - t0)
    journal.close()
    return best_due, len(due), best_sheet


def fill_handover(journal_path, items: int, categories) -> None:
    """A new journal with ``items`` handover items spread over 18:00-23:00 of 2026-11-23."""
    from cstool.core import agents
    from cstool.core.journal import Journal
    from cstool.handover import register

    journal = Journal.open(str(journal_path), create=True)
    agents.add(journal, "bench", "2026-11-23T09:00:00Z")
    with journal.write():
        for i in range(items):
            minute = 18 * 60 + i * 300 // items
            at = f"2026-11-23T{(minute // 60) - 8:02d}:{minute % 60:02d}:00Z"
            register.add(_at(journal, None, at), category=categories[i % len(categories)],
                         problem=f"物流{i % 9 + 1}天未更新, 买家催问 第{i}单",
                         todo="联系快递查件, 回复买家", order_id=str(5118609000000000000 + i),
                         buyer=f"tb_buyer{i:05d}", phone=f"138{i:08d}" if i % 5 == 0 else None)
    journal.close()


def time_xlsx_writer(journal_path, now: str, out) -> float:
    """The library's xlsx writer alone on the night sheet (building the sheet untimed)."""
    from cstool.handover import sheet as sheets
    from cstool.handover.shifts import resolve_shift

    journal, policy, Clock = _open(journal_path)
    ctx = _context(journal, policy, Clock("Asia/Shanghai", now), "bench")
    sheet = sheets.build_sheet(ctx, resolve_shift(ctx.clock, policy, "night"),
                               include_journal=False)
    t0 = time.perf_counter()
    with open(out, "wb") as fh:
        sheets.write_xlsx(sheet, fh, ctx.renderer)
    seconds = time.perf_counter() - t0
    journal.close()
    return seconds


def import_in_process(db: str, csv: str, now: str, hook: bool) -> int:
    """A fresh journal gets ``csv`` with or without the routines' import hook (the
    remark parser); the memos parsed."""
    from cstool.app.policy import Policy
    from cstool.app.routines import import_hook
    from cstool.core.agents import add
    from cstool.core.clock import Clock
    from cstool.core.journal import Journal
    from cstool.orders.importer import import_files

    j = Journal.open(db, create=True)
    ctx = _context(j, Policy(j), Clock("Asia/Shanghai", now), "bench")
    add(j, "bench", ctx.now_db())
    import_files(ctx, [csv], after_rows=import_hook(ctx) if hook else None)
    return j.scalar("SELECT count(*) FROM remarks WHERE parsed = 1")


# The tables a real `cstool remind` run writes: what it claimed and sent, and its messages.
REMIND_TABLES = ("remind_items", "remind_messages")


def remind_state(journal_path) -> dict[str, int]:
    with sqlite3.connect(journal_path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in REMIND_TABLES}


def forget_reminders(journal_path) -> None:
    """Put a journal back as it was before any ``remind`` run (the benchmark's only write)."""
    conn = sqlite3.connect(journal_path)
    try:
        with conn:
            for t in REMIND_TABLES:
                conn.execute(f"DELETE FROM {t}")
    finally:
        conn.close()

def forget_sheets(journal_path) -> None:
    """Put a journal back as it was before any ``handover export``: the items a sheet
    copied from the journal (every item but those an agent registered) are removed, so
    a later run's ``remind`` does not read them as open items."""
    conn = sqlite3.connect(journal_path)
    try:
        with conn:
            conn.execute("DELETE FROM handover_photos WHERE item_id IN "
                         "(SELECT id FROM handover_items WHERE source <> 'manual')")
            conn.execute("DELETE FROM handover_items WHERE source <> 'manual'")
    finally:
        conn.close()


def sheet_items(journal_path) -> int:
    """How many items sheets copied from the journal (see :func:`forget_sheets`)."""
    conn = sqlite3.connect(journal_path)
    try:
        return conn.execute("SELECT count(*) FROM handover_items WHERE source <> 'manual'"
                            ).fetchone()[0]
    finally:
        conn.close()


def import_profile(db: str, csv: str, now: str) -> dict[str, float]:
    """Where an import's time goes, in seconds, each stage timed alone in this process:
    ``decode`` (the file's bytes to text), ``parse`` (CSV records; with decode),
    ``normalise`` (the rows to the upsert's tuples; with both), ``memos`` (each distinct
    memo text parsed by the remark routine; with all three), and ``serial``: the whole
    import into a fresh journal in one process (the reader's work plus SQLite's). What
    ``serial`` adds to ``memos`` is SQLite's share (and the memo and hold pass)."""
    import io

    from cstool.app.policy import Policy
    from cstool.app.routines import import_hook
    from cstool.core.agents import add
    from cstool.core.clock import Clock
    from cstool.core.journal import Journal
    from cstool.orders.importer import _spec, import_files
    from cstool.orders.normalise import build_normaliser
    from cstool.orders.parallel import _batches
    from cstool.orders.readers import _clean_header, open_source

    out: dict[str, float] = {}
    t = time.perf_counter()
    with open(csv, "rb") as raw, io.TextIOWrapper(raw, encoding="gb18030", newline="") as fh:
        while fh.read(1 << 20):
            pass
    out["decode"] = time.perf_counter() - t
    src = open_source(csv, "auto", "auto")
    t = time.perf_counter()
    for _ in src.rows():
        pass
    out["parse"] = time.perf_counter() - t
    src.close()

    j = Journal.open(db, create=True)
    ctx = _context(j, Policy(j), Clock("Asia/Shanghai", now), "bench")
    add(j, "bench", ctx.now_db())
    for stage, memo in (("normalise", None), ("memos", import_hook(ctx).memo_parser())):
        src = open_source(csv, "auto", "auto")
        names = [_clean_header(h) for h in src.header]
        spec, index = _spec(csv, names, "auto", None, None, ())
        normalise = build_normaliser(index, ctx.clock.tz_name, spec, names)
        t = time.perf_counter()
        for _ in _batches(src, normalise, memo):
            pass
        out[stage] = time.perf_counter() - t
        src.close()
    t = time.perf_counter()
    import_files(ctx, [csv], after_rows=import_hook(ctx), parallel=False)
    out["serial"] = time.perf_counter() - t
    j.close()
    return out


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    if cmd in ("import-with-hook", "import-without-hook"):
        db, csv, now = args
        print(import_in_process(db, csv, now, hook=cmd == "import-with-hook"))
    elif cmd == "import-profile":
        import json

        db, csv, now = args
        print(json.dumps(import_profile(db, csv, now)))
    else:
        raise SystemExit(f"unknown command {cmd!r}")
