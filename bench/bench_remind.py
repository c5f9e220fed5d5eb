"""Start-up: an idle `cstool remind` (nothing due), beside `python -c "import click"`.

What cron pays every ten minutes when nothing is due. Whole processes, medians of 15
runs each, in a fresh journal. Targets: idle remind ≤ 1.5× ``import click`` and
≤ 120 ms. Also shown: ``python -c pass`` and one single-write command.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from run import figure

RUNS = 15
RATIO = 1.5
MS = 120


def run(ctx):
    tmp = Path(tempfile.mkdtemp(prefix="cstool-bench-"))
    try:
        db = tmp / "journal.db"
        ctx.time(ctx.on(db, "init"), sample=False)
        ctx.time(ctx.on(db, "agent", "add", "bench"), sample=False)
        idle = ctx.repeat(RUNS, ctx.on(db, "remind"))
        if idle.last.stdout:
            raise SystemExit(f"remind was not idle: {idle.last.stdout[:200]}")
        click = ctx.repeat(RUNS, [ctx.python, "-c", "import click"])
        bare = ctx.repeat(RUNS, [ctx.python, "-c", "pass"])
        write = ctx.repeat(RUNS, ctx.on(db, "--agent", "bench", "policy", "set", "shop_name",
                                        "示范店"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ms = lambda s: round(s.median * 1000)  # noqa: E731
    anchor = f"import click {ms(click)} ms"
    ratio = idle.median / click.median
    return [
        figure("idle cstool remind / import click", round(ratio, 2), "×", f"≤ {RATIO}",
               ratio <= RATIO, anchor=anchor, note=f"remind {ms(idle)} ms; medians of {RUNS}"),
        figure("idle cstool remind (whole process)", ms(idle), "ms", f"≤ {MS}",
               idle.median <= MS / 1000, anchor=anchor, note=idle.spread_ms()),
        figure("python -c 'import click'", ms(click), "ms", note=click.spread_ms()),
        figure("python -c 'pass'", ms(bare), "ms", note=bare.spread_ms()),
        figure("single write (policy set)", ms(write), "ms", anchor=anchor, note=write.spread_ms()),
    ]
