"""Two cstool checkouts, one command, whole processes in alternating turns.

    python bench/alternate.py --old /tmp/base --runs 9 --db COPY.db -- shipcheck
    python bench/alternate.py --old /tmp/base --db COPY.db --forget-reminders -- remind

``--old`` is a tree of the older cstool (``git archive COMMIT | tar -x -C DIR``), run
by this checkout's interpreter with that tree first on ``sys.path``; the newer is this
checkout. Each turn runs old then new, so a shared machine's drift lands on both.
Prints each side's median wall and CPU (user + sys) time and the median of the paired
new / old wall ratios. Bytecode is cached apart for each side (``PYTHONPYCACHEPREFIX``),
never in either tree. ``--forget-reminders``: empty the journal's reminder tables
before each run (a real ``remind`` writes them; use a COPY of a journal).
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CSTOOL = Path(sys.executable).with_name("cstool")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", required=True, help="a tree of the older cstool")
    ap.add_argument("--db", required=True, help="the journal (a copy: handover export writes)")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--now", default="2026-11-23 15:00")
    ap.add_argument("--forget-reminders", action="store_true")
    ap.add_argument("args", nargs="+", help="the command's arguments (after --)")
    a = ap.parse_args()
    cache = Path(tempfile.gettempdir()) / "cstool-alternate"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["CSTOOL_NOW"] = a.now
    sides = {"old": dict(env, PYTHONPATH=a.old, PYTHONPYCACHEPREFIX=str(cache / "old")),
             "new": dict(env, PYTHONPYCACHEPREFIX=str(cache / "new"))}
    wall: dict[str, list[float]] = {k: [] for k in sides}
    cpu: dict[str, list[float]] = {k: [] for k in sides}
    for _ in range(a.runs):
        for side, side_env in sides.items():
            if a.forget_reminders:
                conn = sqlite3.connect(a.db)
                with conn:
                    for table in ("remind_items", "remind_messages"):
                        conn.execute(f"DELETE FROM {table}")
                conn.close()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            p = subprocess.run([str(CSTOOL), "--db", a.db, *a.args], env=side_env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            wall[side].append(time.perf_counter() - t)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if p.returncode not in (0, 1):
                sys.exit(f"{side}: exit {p.returncode}\n{p.stderr.decode()[-2000:]}")
            cpu[side].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    for side in sides:
        print(f"{side}: wall median {statistics.median(wall[side]) * 1000:.0f} ms "
              f"(best {min(wall[side]) * 1000:.0f}), "
              f"cpu median {statistics.median(cpu[side]) * 1000:.0f} ms")
    ratios = [n / o for n, o in zip(wall["new"], wall["old"])]
    print(f"paired new / old: median {statistics.median(ratios):.2f} ({a.runs} turns)")


if __name__ == "__main__":
    main()
