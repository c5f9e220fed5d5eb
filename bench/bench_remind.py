"""Start-up: an idle `cstool remind` (nothing due), next to `python -c "import click"`,
and one single-write command.

Targets: idle remind ≤ 120 ms, whole process, and ≤ 1.5× `python -c "import click"`
(cron pays for click, the journal and the routines' queries, nothing more). The two
are timed in turns, 21 pairs, best of each: the machine's speed drifts between runs.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from run import BENCH_NOW, figure

PAIRS = 21


def run(ctx):
    tmp = Path(tempfile.mkdtemp(prefix="cstool-bench-"))
    try:
        db = tmp / "journal.db"
        base = [ctx.cstool, "--db", str(db), "--now", BENCH_NOW]
        ctx.time(base + ["init"])
        ctx.time(base + ["agent", "add", "bench"])
        idle_runs, click_runs = [], []
        for _ in range(PAIRS):
            idle_runs.append(ctx.time(base + ["remind"], sample=False))
            click_runs.append(ctx.time([ctx.python, "-c", "import click"], sample=False))
        for r in idle_runs:
            if r.returncode or r.stdout:
                raise SystemExit(f"remind was not idle: {r.stdout[:200]}{r.stderr[:200]}")
        idle = min(idle_runs, key=lambda r: r.seconds)
        click = min(click_runs, key=lambda r: r.seconds)
        bare = ctx.best_of(15, [ctx.python, "-c", "pass"])
        write = ctx.best_of(15, base + ["--agent", "bench", "policy", "set", "shop_name", "示范店"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ms = lambda t: round(t.seconds * 1000)  # noqa: E731
    ratio = idle.seconds / click.seconds
    return [
        figure("idle cstool remind (whole process)", ms(idle), "ms", "≤ 120", idle.seconds <= 0.120,
               f"best of {PAIRS}"),
        figure("python -c 'import click'", ms(click), "ms", note=f"best of {PAIRS}, in turns"),
        figure("idle remind / import click", round(ratio, 2), "×", "≤ 1.5", ratio <= 1.5),
        figure("python -c 'pass'", ms(bare), "ms", note="best of 15"),
        figure("single write (policy set)", ms(write), "ms", note="best of 15"),
    ]
