"""Run every benchmark in bench/ and print all figures in one table.

    make bench                              # 1,000,000 orders (generated once, cached)
    make bench BENCH_ARGS="--rows 100000"   # quicker
    make bench BENCH_ARGS="--only import"   # one benchmark

Each ``bench/bench_<name>.py`` defines ``run(ctx) -> list[dict]`` returning
figures ``{"name", "value", "unit", "target", "ok", "note"}``. ``ctx`` is a
:class:`Context`: the generated export, a journal holding it (built once),
and helpers that time whole processes the way a user or cron sees them.
Results are also written to ``bench/data/results-<rows>.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = Path(os.environ.get("CSTOOL_BENCH_DATA") or HERE / "data")
BENCH_NOW = "2026-11-23 15:00"


def _tree_rss_kb(pid: int) -> int:
    """Memory of a process and all its descendants, from /proc.

    Proportional set size (Pss) where the kernel gives it: pages a forked child
    shares with its parent count once, split between them, rather than twice as
    summed RSS would count them. Falls back to VmRSS.
    """
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            try:
                with open(f"/proc/{p}/smaps_rollup") as fh:
                    total += next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
            except (FileNotFoundError, StopIteration):
                with open(f"/proc/{p}/status") as fh:
                    total += next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError, StopIteration):
            continue
    return total


@dataclass
class Timing:
    seconds: float
    peak_mb: float
    returncode: int
    stdout: str = ""
    stderr: str = ""


@dataclass
class Context:
    rows: int
    csv: Path
    journal: Path
    cstool: str
    python: str = sys.executable
    env: dict = field(default_factory=dict)

    def time(self, argv, env=None, stdin=None, shell=False, sample=True) -> Timing:
        """Run a whole process; wall time and peak memory (PSS) of its process tree."""
        full_env = {**os.environ, **self.env, **(env or {})}
        # An installed cstool has its bytecode cached; this workplace's
        # PYTHONDONTWRITEBYTECODE=1 would make every run compile from source.
        full_env.pop("PYTHONDONTWRITEBYTECODE", None)
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, env=full_env, stdin=stdin, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, shell=shell, text=True)
        peak = 0
        if sample:
            import threading

            out: dict = {}

            def communicate():
                out["o"], out["e"] = proc.communicate()

            th = threading.Thread(target=communicate)
            th.start()
            while th.is_alive():
                peak = max(peak, _tree_rss_kb(proc.pid))
                th.join(0.1)  # light sampling: the benchmarked processes need the cores
            stdout, stderr = out.get("o", ""), out.get("e", "")
        else:
            stdout, stderr = proc.communicate()
        seconds = time.perf_counter() - t0
        return Timing(seconds, peak / 1024, proc.returncode, stdout, stderr)

    def best_of(self, n: int, argv, **kw) -> Timing:
        runs = [self.time(argv, sample=False, **kw) for _ in range(n)]
        for r in runs:
            if r.returncode != 0:
                raise SystemExit(f"benchmark command failed: {argv}\n{r.stderr}")
        return min(runs, key=lambda r: r.seconds)

    def cs(self, *args: str) -> list[str]:
        """argv for cstool on the benchmark journal with the benchmark clock."""
        return [self.cstool, "--db", str(self.journal), "--now", BENCH_NOW, *args]


def figure(name, value, unit, target=None, ok=None, note=""):
    return {"name": name, "value": value, "unit": unit, "target": target, "ok": ok, "note": note}


def ensure_data(rows: int, cstool: str) -> Context:
    DATA.mkdir(exist_ok=True)
    csv = DATA / f"orders-{rows}.csv"
    if not csv.exists():
        print(f"generating {rows:,} orders → {csv} …", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / "gen_orders.py"), str(rows), str(csv),
                        "--now", BENCH_NOW], check=True)
    journal = DATA / f"journal-{rows}.db"
    stamp = DATA / f"journal-{rows}.stamp"
    # Rebuild the journal when the schema (migrations) changed since it was built.
    key = ",".join(sorted(p.name for p in (ROOT / "migrations").glob("m*.py")))
    if not journal.exists() or not stamp.exists() or stamp.read_text() != key:
        for suffix in ("", "-wal", "-shm"):
            Path(str(journal) + suffix).unlink(missing_ok=True)
        print(f"building the benchmark journal {journal} …", file=sys.stderr)
        base = [cstool, "--db", str(journal), "--now", BENCH_NOW]
        subprocess.run(base + ["init"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(base + ["agent", "add", "bench"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(base + ["--agent", "bench", "orders", "import", str(csv)], check=True,
                       stdout=subprocess.DEVNULL)
        stamp.write_text(key)
    return Context(rows=rows, csv=csv, journal=journal, cstool=cstool)


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"bench_{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    ap = argparse.ArgumentParser(description="cstool benchmarks")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--only", action="append", help="run only this benchmark (repeatable)")
    a = ap.parse_args()
    cstool = shutil.which("cstool", path=str(Path(sys.executable).parent)) or "cstool"
    ctx = ensure_data(a.rows, cstool)
    names = sorted(p.stem[len("bench_"):] for p in HERE.glob("bench_*.py"))
    if a.only:
        names = [n for n in names if n in a.only]
    results = []
    for name in names:
        print(f"running {name} …", file=sys.stderr)
        for fig in load(name).run(ctx):
            results.append({"bench": name, **fig})
    from tabulate import tabulate

    table = [[r["bench"], r["name"], r["value"], r["unit"], r["target"] or "",
              {True: "ok", False: "MISSED", None: ""}[r["ok"]], r["note"]] for r in results]
    print(f"\ncstool benchmarks — {a.rows:,} orders — {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, "
          f"SQLite {__import__('sqlite3').sqlite_version}")
    print(tabulate(table, headers=["bench", "figure", "value", "unit", "target", "", "note"],
                   disable_numparse=True))
    out = DATA / f"results-{a.rows}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    if any(r["ok"] is False for r in results):
        print("\nsome targets were missed", file=sys.stderr)


if __name__ == "__main__":
    main()
