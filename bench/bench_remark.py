"""Remarks: what parsing the seller memos costs an import, and lint on a big journal.

The same import runs twice through the importer's library call (``internals.py
import-with-hook | import-without-hook``) in a fresh
process, once with the remark hook (parse, store, apply holds and brushing)
and once without; best of two each, alternating. Target: the hook adds
≤ 30 % (aim ≤ 15 %). Also: ``remark lint`` over the whole benchmark journal
(~300,000 memos at 1,000,000 orders; none of their authors is registered
there, so nearly every memo has a problem: the worst case), and ``remark
parse -`` over 10,000 lines.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from run import BENCH_NOW, figure

HOOK = str(Path(__file__).resolve().parent / "internals.py")


def run(ctx):
    tmp = Path(tempfile.mkdtemp(prefix="cstool-bench-remark-"))
    times: dict = {"hook": [], "none": []}
    parsed = 0
    try:
        for i in range(2):
            for mode in ("none", "hook") if i % 2 == 0 else ("hook", "none"):
                db = tmp / f"{mode}-{i}.db"
                t = ctx.time([ctx.python, HOOK, "import-with-hook" if mode == "hook"
                              else "import-without-hook", str(db), str(ctx.csv), BENCH_NOW],
                             sample=False)
                if t.returncode != 0:
                    raise SystemExit(t.stderr)
                times[mode].append(t.seconds)
                if mode == "hook":
                    parsed = int(t.stdout.strip() or 0)
                for suffix in ("", "-wal", "-shm"):
                    Path(str(db) + suffix).unlink(missing_ok=True)
        lint = ctx.time(ctx.cs("remark", "lint", "--format", "jsonl"), sample=True)
        by_agent = ctx.time(ctx.cs("remark", "lint", "--by", "agent", "--json"), sample=True)
        lines = tmp / "memos.txt"
        with open(lines, "w", encoding="utf-8") as fh:
            rows = subprocess.run(
                ["sqlite3", str(ctx.journal),
                 "SELECT replace(text, char(10), ' ') FROM remarks LIMIT 10000"],
                capture_output=True, text=True, check=True).stdout
            fh.write(rows)
        with open(lines, encoding="utf-8") as fh:
            parse = ctx.time(ctx.cs("remark", "parse", "-", "--format", "jsonl"), stdin=fh,
                             sample=False)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    hook, none = min(times["hook"]), min(times["none"])
    extra = hook / none - 1
    n = f"{ctx.rows:,} rows, {parsed:,} memos"
    return [
        figure("import without the remark hook", round(none, 2), "s", note=n),
        figure("import with memos parsed and applied", round(hook, 2), "s", note=n),
        figure("time the remark hook adds to an import", round(100 * extra, 1), "%",
               "≤ 30 (aim ≤ 15)", extra <= 0.30),
        figure("remark lint --format jsonl (every problem)", round(lint.seconds, 2), "s",
               "≤ 15", lint.seconds <= 15 and lint.returncode in (0, 1),
               note=f"{len(lint.stdout.splitlines()):,} problems, peak memory "
                    f"{lint.peak_mb:.0f} MB"),
        figure("remark lint --by agent", round(by_agent.seconds, 2), "s", "≤ 10",
               by_agent.seconds <= 10 and by_agent.returncode in (0, 1),
               note=f"peak memory {by_agent.peak_mb:.0f} MB"),
        figure("remark parse - (10,000 lines)", round(parse.seconds, 2), "s",
               "≤ 2", parse.seconds <= 2 and parse.returncode == 0),
    ]
