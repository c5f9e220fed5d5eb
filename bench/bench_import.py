"""Import: `cstool orders import` vs the sqlite3 shell's `.import` of the same file.

Both read the same GB18030 export: the shell through `iconv | sqlite3 .import`
(no normalisation, no upsert, no indexes), cstool with everything it does.
Target: ratio ≤ 2.0 and peak memory ≤ 100 MB (the whole process tree, PSS).
Also: re-importing the same file (every row unchanged).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from run import BENCH_NOW, figure

RUNS = 3


def run(ctx):
    """Each side three times, alternating (this VM's speed drifts by several per cent
    from run to run); the ratio compares the best runs, the median is shown too."""
    tmp = Path(tempfile.mkdtemp(prefix="cstool-bench-"))
    ours, shell = [], []
    try:
        for n in range(RUNS):
            db = tmp / f"journal-{n}.db"
            base = [ctx.cstool, "--db", str(db), "--now", BENCH_NOW]
            ctx.time(base + ["init"])
            ctx.time(base + ["agent", "add", "bench"])
            t = ctx.time(base + ["--agent", "bench", "orders", "import", str(ctx.csv)])
            if t.returncode != 0:
                raise SystemExit(t.stderr)
            ours.append(t)
            shell_db = tmp / f"shell-{n}.db"
            t = ctx.time(f"iconv -f gb18030 -t utf-8 '{ctx.csv}' | sqlite3 '{shell_db}' "
                         f"'.mode csv' '.import /dev/stdin orders'", shell=True)
            if t.returncode != 0:
                raise SystemExit(t.stderr)
            shell.append(t)
            shell_db.unlink()
        again = ctx.time(base + ["--agent", "bench", "orders", "import", str(ctx.csv)])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    best, best_shell = min(t.seconds for t in ours), min(t.seconds for t in shell)
    ratio = best / best_shell
    median = sorted(a.seconds / b.seconds for a, b in zip(ours, shell))[RUNS // 2]
    rss = max(t.peak_mb for t in ours)
    n = f"{ctx.rows:,} rows, best of {RUNS}"
    return [
        figure("cstool orders import", round(best, 2), "s", note=n),
        figure("sqlite3 shell .import (iconv pipe)", round(best_shell, 2), "s", note=n),
        figure("import ratio cstool / shell", round(ratio, 2), "×", "≤ 2.0", ratio <= 2.0,
               f"median of the paired runs {median:.2f}"),
        figure("import peak memory (PSS, all processes)", round(rss, 1), "MB", "≤ 100", rss <= 100,
               "the reader shares pages with the writer: counted once"),
        figure("re-import, all unchanged", round(again.seconds, 2), "s", note=f"{ctx.rows:,} rows"),
    ]
