"""shipcheck: `cstool shipcheck --json` vs the same SQL from a bare `python -c`.

The bare process gets the very statements and parameters cstool runs
(``internals.shipcheck_statements``), fetches every row and writes them as JSON: what
is left of the difference is cstool's own start-up and work.
Targets: whole process ≤ 250 ms, and ≤ 3× the bare SQL.
Also shown, without a target: every row (``--limit 0``) and the morning view.
"""

from __future__ import annotations

import json
import sys

import internals
from run import BENCH_NOW, figure

BARE = """
import json, sqlite3, sys
a = json.loads(sys.argv[1])
c = sqlite3.connect(a["db"])
out, params = [], a["params"]
for name, sql in zip(a["names"], a["sql"]):
    out.append(c.execute(sql, params).fetchall())
    if name in a["feeds"]:  # a statement's keys are a parameter of those after it
        params[a["feeds"][name]] = json.dumps(out[-1])
sys.stdout.write(json.dumps(out, ensure_ascii=False))
"""


def run(ctx):
    argv = ctx.cs("shipcheck", "--json")
    ours = ctx.best_of(5, argv)
    rows = len(json.loads(ours.stdout))
    bare = ctx.best_of(5, [ctx.python, "-c", BARE,
                           json.dumps(internals.shipcheck_statements(ctx.journal, BENCH_NOW))])
    ratio = ours.seconds / bare.seconds
    everything = ctx.time(ctx.cs("shipcheck", "--json", "--limit", "0"), sample=False)
    morning = ctx.time(ctx.cs("shipcheck", "--morning", "--json"), sample=False)
    for t in (everything, morning):
        if t.returncode != 0:
            sys.exit(f"benchmark command failed:\n{t.stderr}")
    n = f"{ctx.rows:,} orders"
    return [
        figure("cstool shipcheck --json", round(ours.seconds * 1000), "ms", "≤ 250",
               ours.seconds <= 0.25, f"{n}, {rows} rows (50 per check)"),
        figure("same SQL, bare python -c", round(bare.seconds * 1000), "ms", note=n),
        figure("shipcheck ratio cstool / bare", round(ratio, 2), "×", "≤ 3", ratio <= 3),
        figure("shipcheck --json --limit 0", round(everything.seconds, 2), "s",
               note=f"every row: {len(json.loads(everything.stdout)):,}"),
        figure("shipcheck --morning --json", round(morning.seconds, 2), "s",
               note=f"{len(json.loads(morning.stdout)):,} rows"),
    ]
