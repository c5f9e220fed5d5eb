"""Chase queue: `cstool chase due --json` vs the same SQL from a bare `python -c`.

Both are whole processes on the benchmark journal (``ctx.journal``). The bare
one opens the journal with the sqlite3 module, runs the queue's SQL
(``internals.chase_due_sql``: the queue's own, with the same parameters) and prints the
first 50 rows as JSON; cstool also starts click, reads the policy and the
templates, works out each order's channel and message, and renders.
Targets: cstool ≤ 250 ms, and ≤ 3× the bare run. Best of 7 runs each.
"""

from __future__ import annotations

import json

import internals
from run import BENCH_NOW, figure

BARE = """
import json, sqlite3, sys
sql, params, limit = json.loads(sys.argv[1])
conn = sqlite3.connect(sys.argv[2])
conn.row_factory = sqlite3.Row
rows = [dict(r) for r in conn.execute(sql, params).fetchmany(limit)]
sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
"""
LIMIT = 50  # `chase due`'s default
RUNS = 7


def run(ctx):
    sql, params, unpaid = internals.chase_due_sql(ctx.journal, BENCH_NOW)
    ours = ctx.best_of(RUNS, ctx.cs("chase", "due", "--json"))
    bare = ctx.best_of(RUNS, [ctx.python, "-c", BARE, json.dumps([sql, params, LIMIT]),
                              str(ctx.journal)])
    shown = len(json.loads(ours.stdout))
    if shown != len(json.loads(bare.stdout)):
        raise SystemExit(f"chase due listed {shown} orders, "
                         f"the bare query {len(json.loads(bare.stdout))}")
    ratio = ours.seconds / bare.seconds
    note = f"{ctx.rows:,} orders, {unpaid:,} unpaid, {shown} listed; best of {RUNS}"
    return [
        figure("cstool chase due --json", round(ours.seconds * 1000), "ms", "≤ 250",
               ours.seconds <= 0.250, note),
        figure("same SQL, bare python -c", round(bare.seconds * 1000), "ms", note=note),
        figure("chase due ratio cstool / bare", round(ratio, 2), "×", "≤ 3.0", ratio <= 3.0),
    ]
