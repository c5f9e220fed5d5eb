"""Start-up: an idle `cstool remind` (nothing due), next to `python -c "import click"`,
and one single-write command. Target: idle remind ≤ 120 ms, whole process."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from run import BENCH_NOW, figure


def run(ctx):
    tmp = Path(tempfile.mkdtemp(prefix="cstool-bench-"))
    try:
        db = tmp / "journal.db"
        base = [ctx.cstool, "--db", str(db), "--now", BENCH_NOW]
        ctx.time(base + ["init"])
        ctx.time(base + ["agent", "add", "bench"])
        idle = ctx.best_of(15, base + ["remind"])
        if idle.stdout:
            raise SystemExit(f"remind was not idle: {idle.stdout[:200]}")
        click = ctx.best_of(15, [ctx.python, "-c", "import click"])
        bare = ctx.best_of(15, [ctx.python, "-c", "pass"])
        write = ctx.best_of(15, base + ["--agent", "bench", "policy", "set", "shop_name", "示范店"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ms = lambda t: round(t.seconds * 1000)  # noqa: E731
    return [
        figure("idle cstool remind (whole process)", ms(idle), "ms", "≤ 120", idle.seconds <= 0.120,
               "best of 15"),
        figure("python -c 'import click'", ms(click), "ms", note="best of 15"),
        figure("python -c 'pass'", ms(bare), "ms", note="best of 15"),
        figure("single write (policy set)", ms(write), "ms", note="best of 15"),
    ]
