"""Exception log: one write, the queue queries and the report, next to all the shop's orders.

On a copy of the benchmark journal (so other benchmarks see it unchanged),
10,000 cases are logged through the library (``internals.populate_cases``) over
the last 60 days, with steps done, money recorded and two thirds closed. Then, whole processes:
`exception log` (one write), `exception list --overdue`, `exception report
--by courier`; and in-process `due_steps` / `handover_rows` (what cron and
the handover sheet call).
Targets: log ≤ 300 ms, list --overdue ≤ 500 ms, report ≤ 1 s; due_steps and
handover_rows ≤ 100 ms with about 4,000 steps due (a stress case: a real shop
has tens).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

import internals
from run import BENCH_NOW, figure

CASES = 10_000


def _copy(src: Path, dest: Path) -> None:
    with sqlite3.connect(src) as a, sqlite3.connect(dest) as b:
        a.backup(b)


def run(ctx):
    tmp = Path(tempfile.mkdtemp(prefix="cstool-bench-exc-"))
    try:
        db = tmp / "journal.db"
        _copy(ctx.journal, db)
        fill = internals.populate_cases(db, CASES, BENCH_NOW)
        base = [ctx.cstool, "--db", str(db), "--now", BENCH_NOW, "--agent", "bench"]
        shipped = sqlite3.connect(db).execute(
            "SELECT order_id FROM orders WHERE status = 'shipped' ORDER BY order_id DESC "
            "LIMIT 5").fetchall()
        logs = [ctx.time(base + ["exception", "log", oid, "--kind", "damaged", "--detail", "x"],
                         sample=False) for (oid,) in shipped]
        for r in logs:
            if r.returncode:
                raise SystemExit(r.stderr)
        log = min(r.seconds for r in logs)
        overdue = ctx.best_of(3, base + ["exception", "list", "--overdue", "--format", "tsv"])
        report = ctx.best_of(3, base + ["exception", "report", "--by", "courier", "--json"])

        best_due, n_due, best_sheet = internals.time_case_queues(db, BENCH_NOW)
        n_over = overdue.stdout.count("\n") - 1
        return [
            figure("log 10k cases (library, one transaction)", round(fill, 2), "s",
                   note=f"{CASES:,} cases with steps, money, closes"),
            figure("exception log (whole process)", round(log * 1000), "ms", "≤ 300",
                   log <= 0.3, "best of 5, one write"),
            figure("exception list --overdue", round(overdue.seconds * 1000), "ms", "≤ 500",
                   overdue.seconds <= 0.5, f"{n_over:,} overdue cases listed"),
            figure("exception report --by courier", round(report.seconds * 1000), "ms", "≤ 1000",
                   report.seconds <= 1.0, f"{CASES:,} cases"),
            figure("due_steps (in process)", round(best_due * 1000, 1), "ms", "≤ 100",
                   best_due <= 0.1, f"{n_due:,} steps due"),
            figure("handover_rows (in process)", round(best_sheet * 1000, 1), "ms", "≤ 100",
                   best_sheet <= 0.1, "next 18 h"),
        ]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
