"""Import: `cstool orders import` vs the sqlite3 shell's `.import` of the same file.

Both read the same GB18030 export: the shell through `iconv | sqlite3 .import`
(no normalisation, no upsert, no indexes), cstool with everything it does.
Target: ratio ≤ 2.0 and peak RSS ≤ 100 MB (the whole process tree).
Also: re-importing the same file (every row unchanged).
"""

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
        ctx.time(base + ["agent", "add", "bench"])
        ours = ctx.time(base + ["--agent", "bench", "orders", "import", str(ctx.csv)])
        if ours.returncode != 0:
            raise SystemExit(ours.stderr)
        again = ctx.time(base + ["--agent", "bench", "orders", "import", str(ctx.csv)])
        shell_db = tmp / "shell.db"
        shell = ctx.time(f"iconv -f gb18030 -t utf-8 '{ctx.csv}' | sqlite3 '{shell_db}' "
                         f"'.mode csv' '.import /dev/stdin orders'", shell=True)
        if shell.returncode != 0:
            raise SystemExit(shell.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ratio = ours.seconds / shell.seconds
    n = f"{ctx.rows:,} rows"
    return [
        figure("cstool orders import", round(ours.seconds, 2), "s", note=n),
        figure("sqlite3 shell .import (iconv pipe)", round(shell.seconds, 2), "s", note=n),
        figure("import ratio cstool / shell", round(ratio, 2), "×", "≤ 2.0", ratio <= 2.0),
        figure("import peak RSS (all processes)", round(ours.peak_rss_mb, 1), "MB", "≤ 100",
               ours.peak_rss_mb <= 100),
        figure("re-import, all unchanged", round(again.seconds, 2), "s", note=n),
    ]
