"""Start-up: an idle `cstool remind` (nothing due), beside `python -c "import click"`.

What cron pays every ten minutes when nothing is due: click, the journal and the
routines' reminder queries, nothing more. Whole processes in a fresh journal. The two
are timed in turns, 21 pairs, so both see the same drift of a shared machine.
Targets: idle remind ≤ 1.5× ``import click`` (the best of each, as the routine
contract's start-up was measured; the note gives the medians too) and ≤ 120 ms (the
median). Also shown: ``python -c pass`` and one single-write command.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import measure
from run import figure

PAIRS = 21
RUNS = 15
RATIO = 1.5
MS = 120


def run(ctx):
    tmp = Path(tempfile.mkdtemp(prefix="cstool-bench-"))
    try:
        db = tmp / "journal.db"
        ctx.time(ctx.on(db, "init"), sample=False)
        ctx.time(ctx.on(db, "agent", "add", "bench"), sample=False)
        idle, click = measure.Stats(), measure.Stats()
        for _ in range(PAIRS):
            idle.runs.append(ctx.time(ctx.on(db, "remind"), sample=False))
            click.runs.append(ctx.time([ctx.python, "-c", "import click"], sample=False))
        for r in idle.runs:
            if r.returncode or r.stdout:
                raise SystemExit(f"remind was not idle (exit {r.returncode}): "
                                 f"{r.stdout[:200]}{r.stderr[:200]}")
        bare = ctx.repeat(RUNS, [ctx.python, "-c", "pass"])
        write = ctx.repeat(RUNS, ctx.on(db, "--agent", "bench", "policy", "set", "shop_name",
                                        "示范店"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ms = lambda s: round(s.median * 1000)  # noqa: E731
    anchor = f"import click {ms(click)} ms"
    ratio = idle.best / click.best
    medians = idle.median / click.median
    return [
        figure("idle cstool remind / import click", round(ratio, 2), "×", f"≤ {RATIO}",
               ratio <= RATIO, anchor=f"import click {click.best * 1000:.0f} ms (best)",
               note=f"best of {PAIRS} in turns: {idle.best * 1000:.0f} / "
                    f"{click.best * 1000:.0f} ms; medians {ms(idle)} / {ms(click)} ms "
                    f"= {medians:.2f}"),
        figure("idle cstool remind (whole process)", ms(idle), "ms", f"≤ {MS}",
               idle.median <= MS / 1000, anchor=anchor, note=f"median; {idle.spread_ms()}"),
        figure("python -c 'import click'", ms(click), "ms",
               note=f"median, in turns; {click.spread_ms()}"),
        figure("python -c 'pass'", ms(bare), "ms", note=bare.spread_ms()),
        figure("single write (policy set)", ms(write), "ms", anchor=anchor, note=write.spread_ms()),
    ]
