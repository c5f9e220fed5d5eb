"""Chase queue: `cstool chase due --json` vs the same SQL from a bare `python -c`.

Both are whole processes on the benchmark journal (``ctx.journal``). The bare
one opens the journal with the sqlite3 module, runs the queue's SQL
(:func:`cstool.chase.queue.due_query`, with the same parameters) and prints the
first 50 rows as JSON; cstool also starts click, reads the policy and the
templates, works out each order's channel and message, and renders.
Targets: cstool ≤ 250 ms, and ≤ 3× the bare run. Best of 7 runs each.
"""

from __future__ import annotations

import json

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
    from cstool.app.policy import Policy
    from cstool.chase.queue import due_query
    from cstool.core.clock import Clock
    from cstool.core.journal import Journal

    # Opening once applies pending migrations (the queue's index) outside the timings.
    journal = Journal.open(str(ctx.journal))
    policy = Policy(journal)
    clock = Clock(policy.get("timezone"), BENCH_NOW)
    sql, params = due_query(clock.now(), policy)
    unpaid = journal.scalar("SELECT count(*) FROM orders WHERE status = 'unpaid'")
    journal.close()

    # An installed cstool runs from bytecode caches (pip writes them); an
    # inherited PYTHONDONTWRITEBYTECODE would make every run recompile cstool.
    env = {"PYTHONDONTWRITEBYTECODE": ""}
    ours = ctx.best_of(RUNS, ctx.cs("chase", "due", "--json"), env=env)
    bare = ctx.best_of(RUNS, [ctx.python, "-c", BARE, json.dumps([sql, params, LIMIT]),
                              str(ctx.journal)], env=env)
    shown = len(json.loads(ours.stdout))
    if shown != len(json.loads(bare.stdout)):
        raise SystemExit(f"chase due listed {shown} orders, the bare query {len(json.loads(bare.stdout))}")
    ratio = ours.seconds / bare.seconds
    note = f"{ctx.rows:,} orders, {unpaid:,} unpaid, {shown} listed; best of {RUNS}"
    return [
        figure("cstool chase due --json", round(ours.seconds * 1000), "ms", "≤ 250",
               ours.seconds <= 0.250, note),
        figure("same SQL, bare python -c", round(bare.seconds * 1000), "ms", note=note),
        figure("chase due ratio cstool / bare", round(ratio, 2), "×", "≤ 3.0", ratio <= 3.0),
    ]
