"""Run the benchmarks in bench/ and print every figure beside its target and its anchor.

    make bench                                   # 1,000,000 rows; realistic journals of 1M and 3M
    make bench BENCH_ARGS="--only import"        # one benchmark (repeatable)
    make bench BENCH_ARGS="--rows 20000"         # quick: 20k rows, realistic journals of 20k and 60k
    make bench BENCH_ARGS="--scale 1m,3m"        # the realistic journals' sizes
    make bench BENCH_ARGS="--equal-days"         # every realistic journal 90 days long
    make bench BENCH_ARGS="--pairs 5 --runs 11"  # more alternating import pairs, more runs per median

Each ``bench/bench_<name>.py`` defines ``run(ctx) -> list[dict]`` returning figures
made by :func:`figure` (or :func:`skipped`): a value with its unit, the target, the
anchor it is measured against in the same run (the sqlite3 shell, ``python -c "import
click"``, the smaller journal …), ok/miss, a note. ``ctx`` is a :class:`Context`: the
sizes asked for, the cached data (``journals.py``), and helpers that time whole
processes the way a user or cron sees them (``measure.py``). Results also go to
``bench/data/results-<rows>.json``.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import journals  # noqa: E402
import measure  # noqa: E402
from journals import BENCH_NOW, DATA  # noqa: E402,F401  (BENCH_NOW: the benchmarks' clock)


def figure(name, value, unit, target=None, ok=None, note="", anchor=""):
    return {"name": name, "value": value, "unit": unit, "target": target, "ok": ok,
            "note": note, "anchor": anchor}


def skipped(name, unit, target, why, anchor=""):
    """A figure that could not be measured in this run, and why."""
    return {**figure(name, "—", unit, target, None, f"skipped: {why}", anchor), "skipped": True}


def scale_label(n: int) -> str:
    for div, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= div and n % (div // 10) == 0:
            return f"{n / div:g}{suffix}"
    return f"{n:,}"


def parse_count(text: str) -> int:
    t = text.strip().lower().replace("_", "").replace(",", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    try:
        return int(float(t[:-1] if mult > 1 else t) * mult)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a count: {text!r} (e.g. 20000, 20k, 1m)") from None


@functools.cache
def _busy_days(days: int) -> float:
    """The generator's window of ``days`` days before the benchmark clock, its days
    weighed by how busy they are (``gen_export.Generator.busy_days``)."""
    from datetime import datetime

    from gen_export import Generator

    return Generator(1, datetime.strptime(BENCH_NOW, "%Y-%m-%d %H:%M"), days).busy_days()


@dataclass
class Context:
    rows: int
    scales: list[int]
    cstool: str
    pairs: int = 3
    runs: int = 7
    backlog: int = 200_000
    rebuild: bool = False
    equal_days: bool = False      # every realistic journal 90 days (else the same orders a day)
    python: str = sys.executable
    env: dict = field(default_factory=dict)
    _legacy: tuple | None = None
    _cache: dict = field(default_factory=dict)

    # -- timing whole processes ----------------------------------------------------
    def time(self, argv, env=None, stdin=None, shell=False, sample=True) -> measure.Run:
        """One whole process: wall time, peak RSS of its largest process, its output."""
        return measure.run(argv, env={**os.environ, **self.env, **(env or {})}, stdin=stdin,
                           shell=shell, sample=sample)

    def repeat(self, n: int, argv, ok=(0,), between=None, **kw) -> measure.Stats:
        env = {**os.environ, **self.env, **kw.pop("env", {})}
        return measure.repeat(n, argv, ok=ok, between=between, env=env, **kw)

    def best_of(self, n: int, argv, **kw) -> measure.Run:
        stats = self.repeat(n, argv, **kw)
        return min(stats.runs, key=lambda r: r.seconds)

    def on(self, journal, *args: str, now: str = BENCH_NOW) -> list[str]:
        """argv for cstool on ``journal`` with the benchmark clock."""
        return [self.cstool, "--db", str(journal), "--now", now, *args]

    def cs(self, *args: str) -> list[str]:
        """argv for cstool on the quick journal (``gen_orders.py``) with the benchmark clock."""
        return self.on(self.journal, *args)

    def click_floor(self) -> measure.Stats:
        """``python -c "import click"``: the start-up any click CLI pays, measured once a run."""
        if "click" not in self._cache:
            self._cache["click"] = self.repeat(max(self.runs, 9),
                                               [self.python, "-c", "import click"])
        return self._cache["click"]

    def click_anchor(self) -> str:
        return f"import click {self.click_floor().median * 1000:.0f} ms"

    # -- data ------------------------------------------------------------------------
    def dataset(self, rows: int, parts: list[str], backlog: int = 0) -> Path:
        return journals.dataset(rows, parts, backlog=backlog)

    def items_support(self) -> tuple[bool, str]:
        if "items" not in self._cache:
            self._cache["items"] = journals.items_support(self.cstool)
        return self._cache["items"]

    def days(self, rows: int) -> int:
        """Days of history of the realistic journal of ``rows`` orders: the largest covers
        90 days and each smaller one as many days as make an ordinary day as busy as the
        largest one's (1M of 3M: 26 days, because campaign days weigh more in a shorter
        window), so that the journals differ in history, not in the day's work (with
        ``--equal-days``, every journal covers 90 days)."""
        if self.equal_days or rows >= max(self.scales):
            return journals.DAYS
        rate = max(self.scales) / _busy_days(journals.DAYS)
        return min(range(1, journals.DAYS + 1), key=lambda d: abs(rows / _busy_days(d) - rate))

    def journal_label(self, rows: int) -> str:
        days = self.days(rows)
        return scale_label(rows) + ("" if days == journals.DAYS else f" ({days} d)")

    def realistic(self, rows: int) -> tuple[Path, dict]:
        """The realistic journal of ``rows`` orders over :meth:`days` days (lines too, once
        cstool reads them)."""
        key = ("realistic", rows, self.days(rows))
        if key not in self._cache:
            lines, _why = self.items_support()
            self._cache[key] = journals.realistic_journal(self.cstool, rows, lines=lines,
                                                          rebuild=self.rebuild,
                                                          days=self.days(rows))
        return self._cache[key]

    def backlog_journal(self) -> tuple[Path, dict]:
        """``rows`` orders, the ``backlog`` newest paid ones never shipped."""
        key = ("backlog", self.rows, self.backlog)
        if key not in self._cache:
            self._cache[key] = journals.backlog_journal(self.cstool, self.rows, self.backlog,
                                                        rebuild=self.rebuild)
        return self._cache[key]

    @property
    def csv(self) -> Path:
        return self._quick()[0]

    @property
    def journal(self) -> Path:
        return self._quick()[1]

    def _quick(self) -> tuple[Path, Path]:
        """The quick export (``gen_orders.py``, shared with the tests) and a journal of it,
        for the benchmarks that predate the realistic data; built on first use."""
        if self._legacy is None:
            self._legacy = ensure_quick(self.rows, self.cstool)
        return self._legacy


def ensure_quick(rows: int, cstool: str) -> tuple[Path, Path]:
    DATA.mkdir(parents=True, exist_ok=True)
    csv = DATA / f"orders-{rows}.csv"
    if not csv.exists():
        print(f"generating {rows:,} orders → {csv} …", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / "gen_orders.py"), str(rows), str(csv),
                        "--now", BENCH_NOW], check=True)
    journal = DATA / f"journal-{rows}.db"
    stamp = DATA / f"journal-{rows}.stamp"
    now = journals.schema(cstool)
    key = json.dumps(now, sort_keys=True)
    if journal.exists() and stamp.exists() and stamp.read_text() != key and \
            journals.migrated(cstool, journal, json.loads(stamp.read_text()), now):
        stamp.write_text(key)  # built at an older schema, migrated as a shop's would be
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
    return csv, journal


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"bench_{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _load_average() -> str:
    try:
        with open("/proc/loadavg") as fh:
            return fh.read().split()[0]
    except OSError:
        return "?"


VERDICT = {True: "ok", False: "miss", None: ""}


def main() -> None:
    names = sorted(p.stem[len("bench_"):] for p in HERE.glob("bench_*.py"))
    ap = argparse.ArgumentParser(description="cstool benchmarks",
                                 epilog=f"benchmarks: {', '.join(names)}")
    ap.add_argument("--rows", type=parse_count, default=1_000_000,
                    help="rows of the export the import figures read (default 1m)")
    ap.add_argument("--scale", type=lambda s: [parse_count(x) for x in s.split(",") if x.strip()],
                    help="sizes of the realistic journals, e.g. 1m,3m (default: ROWS and 3×ROWS)")
    ap.add_argument("--backlog", type=parse_count,
                    help="paid, unshipped orders of the backlog journal (default: ROWS / 5)")
    ap.add_argument("--pairs", type=int, default=3, help="alternating import pairs (default 3)")
    ap.add_argument("--runs", type=int, default=7, help="runs per median (default 7)")
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="run only this benchmark (repeatable)")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached journals")
    ap.add_argument("--equal-days", action="store_true",
                    help="every realistic journal covers 90 days (default: the largest does, and "
                         "each smaller one as many days as make an ordinary day as busy)")
    a = ap.parse_args()
    if a.only and set(a.only) - set(names):
        ap.error(f"--only: no benchmark {', '.join(sorted(set(a.only) - set(names)))} "
                 f"(there are: {', '.join(names)})")
    cstool = shutil.which("cstool", path=str(Path(sys.executable).parent)) or "cstool"
    ctx = Context(rows=a.rows, scales=sorted(a.scale or [a.rows, 3 * a.rows]), cstool=cstool,
                  pairs=max(1, a.pairs), runs=max(1, a.runs),
                  backlog=a.backlog if a.backlog is not None else a.rows // 5, rebuild=a.rebuild,
                  equal_days=a.equal_days)
    load_start = _load_average()
    results = []
    for name in (n for n in names if not a.only or n in a.only):
        print(f"running {name} …", file=sys.stderr)
        for fig in load(name).run(ctx):
            results.append({"bench": name, **fig})
    from tabulate import tabulate

    table = [[r["bench"], r["name"], r["value"], r["unit"], r["target"] or "", r.get("anchor") or "",
              "skip" if r.get("skipped") else VERDICT[r["ok"]], r["note"]] for r in results]
    shell = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True)
    sqlite = shell.stdout.split()[:1]
    print(f"\ncstool benchmarks — {a.rows:,} rows, realistic journals "
          f"{', '.join(ctx.journal_label(s) for s in ctx.scales)} — {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, "
          f"SQLite {__import__('sqlite3').sqlite_version} (shell {''.join(sqlite) or '?'}), "
          f"load {load_start} → {_load_average()}")
    print(tabulate(table, headers=["bench", "figure", "value", "unit", "target", "anchor", "", "note"],
                   disable_numparse=True))
    out = DATA / f"results-{a.rows}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rows": a.rows, "scales": ctx.scales,
                               "days": [ctx.days(x) for x in ctx.scales], "pairs": ctx.pairs,
                               "runs": ctx.runs, "figures": results}, ensure_ascii=False, indent=1))
    if any(r["ok"] is False for r in results):
        print("\nsome targets were missed", file=sys.stderr)


if __name__ == "__main__":
    main()
