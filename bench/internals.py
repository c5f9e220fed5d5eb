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

Also runnable, for the figures that must run in a fresh process:
``python bench/internals.py import-with-hook|import-without-hook DB CSV NOW``.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from datetime import timedelta


def classic_header() -> tuple:
    from cstool.importer import CLASSIC_HEADER

    return CLASSIC_HEADER


def _open(path):
    from cstool.clock import Clock
    from cstool.journal import Journal
    from cstool.policy import Policy

    journal = Journal.open(str(path))
    policy = Policy(journal)
    return journal, policy, Clock


def chase_due_sql(journal_path, now: str) -> tuple[str, list, int]:
    """``chase due``'s statement and parameters at ``now``, and how many orders are unpaid."""
    from cstool.chase import due_query

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
    from cstool.shipcheck import Rules, plan

    journal, policy, Clock = _open(journal_path)
    try:
        p = plan(Rules.of(Clock(policy.get("timezone"), now), policy))
    finally:
        journal.close()
    return {"db": str(journal_path), "params": p.params, "sql": [sql for _, sql in p.statements]}


def populate_cases(journal_path, n: int, now: str, seed: int = 6) -> float:
    """Log ``n`` cases over the last 60 days in one transaction; the seconds it took."""
    import random

    from cstool import exceptions
    from cstool.clock import to_db
    from cstool.errors import InputError
    from cstool.playbooks import KIND

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
            case = exceptions.log(journal, policy, "bench", to_db(opened), oid, kind, "bench case")
            later = to_db(opened + timedelta(hours=rng.randint(1, 48)))
            try:
                exceptions.update(journal, policy, "bench", later, case["id"], done=True,
                                  note="checked")
            except InputError:  # a photos step: these cases stay at their first step
                pass
            if kind in ("lost", "refused"):
                exceptions.update(journal, policy, "bench", later, case["id"],
                                  amount=rng.randint(1, 300) * 100,
                                  money_for="claim" if kind == "lost" else "refund")
            if i % 3:
                end = to_db(opened + timedelta(hours=rng.randint(49, 400)))
                if end < clock.now_db():
                    exceptions.close(journal, policy, "bench", end, case["id"], "received")
    seconds = time.perf_counter() - t0
    journal.close()
    return seconds


def time_case_queues(journal_path, now: str, runs: int = 5) -> tuple[float, int, float]:
    """Best in-process times of ``due_steps`` (cron) and ``handover_rows`` (the sheet)."""
    from cstool import exceptions

    journal, policy, Clock = _open(journal_path)
    clock = Clock(fixed=now)
    best_due = best_sheet = float("inf")
    due: list = []
    for _ in range(runs):
        t0 = time.perf_counter()
        due = exceptions.due_steps(journal, clock)
        best_due = min(best_due, time.perf_counter() - t0)
        t0 = time.perf_counter()
        exceptions.handover_rows(journal, clock, policy)
        best_sheet = min(best_sheet, time.perf_counter() - t0)
    journal.close()
    return best_due, len(due), best_sheet


def fill_handover(journal_path, items: int, categories) -> None:
    """A new journal with ``items`` handover items spread over 18:00-23:00 of 2026-11-23."""
    from cstool import agents, handover
    from cstool.journal import Journal

    journal = Journal.open(str(journal_path), create=True)
    agents.add(journal, "bench", "2026-11-23T09:00:00Z")
    with journal.write():
        for i in range(items):
            minute = 18 * 60 + i * 300 // items
            at = f"2026-11-23T{(minute // 60) - 8:02d}:{minute % 60:02d}:00Z"
            handover.add(journal, category=categories[i % len(categories)],
                         problem=f"物流{i % 9 + 1}天未更新, 买家催问 第{i}单",
                         todo="联系快递查件, 回复买家", agent="bench", now_db=at,
                         order_id=str(5118609000000000000 + i), buyer=f"tb_buyer{i:05d}",
                         phone=f"138{i:08d}" if i % 5 == 0 else None)
    journal.close()


def time_xlsx_writer(journal_path, now: str, out) -> float:
    """The library's xlsx writer alone on the night sheet (building the sheet untimed)."""
    from cstool import handover

    journal, policy, Clock = _open(journal_path)
    clock = Clock("Asia/Shanghai", now)
    shift = handover.resolve_shift(clock, policy, "night")
    sheet = handover.build_sheet(journal, clock, policy, shift, "bench", clock.now_db(),
                                 include_journal=False)
    t0 = time.perf_counter()
    with open(out, "wb") as fh:
        handover.write_xlsx(sheet, fh, clock)
    seconds = time.perf_counter() - t0
    journal.close()
    return seconds


def import_in_process(db: str, csv: str, now: str, hook: bool) -> int:
    """A fresh journal gets ``csv`` with or without the remark hook; memos parsed."""
    from cstool.agents import add
    from cstool.clock import Clock
    from cstool.importer import after_rows_hook, import_files
    from cstool.journal import Journal

    j = Journal.open(db, create=True)
    clock = Clock("Asia/Shanghai", now)
    add(j, "bench", clock.now_db())
    import_files(j, [csv], agent="bench", now_db=clock.now_db(), tz_name="Asia/Shanghai",
                 after_rows=after_rows_hook() if hook else None)
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


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    if cmd in ("import-with-hook", "import-without-hook"):
        db, csv, now = args
        print(import_in_process(db, csv, now, hook=cmd == "import-with-hook"))
    else:
        raise SystemExit(f"unknown command {cmd!r}")
