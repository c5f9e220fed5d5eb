"""Import: `cstool orders import` of the realistic export beside the sqlite3 shell's `.import`.

The anchor is the sqlite3 shell reading the very same file through iconv
(GB18030 → UTF-8) into a table without an index: ``iconv -f gb18030 -t utf-8 FILE |
sqlite3 DB '.mode csv' '.import /dev/stdin orders'``. The two alternate (cstool, shell,
cstool, shell …; ``--pairs``, default 3) because this VM's speed drifts from minute
to minute; each pair's ratio is printed and the target applies to the median of the
paired ratios. The file is read once before, so no run pays for a cold cache.

Targets:
- ``--rows`` classic rows (realistic export, ``gen_export.py``): ≤ 1.6× the shell;
- peak RSS of the largest process ≤ 100 MB at every ``--scale`` size (1M and 3M: flat);
- re-importing the same file, every row unchanged: ≤ 0.5× the first import, and its
  peak RSS ≤ 100 MB too (the journal's digests load before the rows are read);
- the item-level export (2020 item CSV) of ``--rows`` lines: ≤ 2× the shell — skipped,
  with the reason, while cstool does not read item exports as order lines.
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
from pathlib import Path

from run import DATA, figure, scale_label, skipped

RATIO = 1.6        # orders import / shell
ITEM_RATIO = 2.0   # item export import / shell
RSS_MB = 100
REIMPORT = 0.5     # re-import / first import


def _shell(ctx, csv: Path, db: Path):
    return ctx.time(f"iconv -f gb18030 -t utf-8 '{csv}' | sqlite3 '{db}' '.mode csv' "
                    f"'.import /dev/stdin orders'", shell=True)


def _journal(ctx, db: Path) -> None:
    for args in (["init"], ["agent", "add", "bench"]):
        r = ctx.time(ctx.on(db, *args), sample=False)
        if r.returncode:
            raise SystemExit(f"cstool {' '.join(args)} failed:\n{r.stderr}")


def _import(ctx, db: Path, csv: Path, expect: int):
    """One sampled `orders import --json`; checks every row was read and none rejected."""
    r = ctx.time(ctx.on(db, "--agent", "bench", "orders", "import", str(csv), "--json"))
    if r.returncode:
        raise SystemExit(f"cstool orders import {csv} failed (exit {r.returncode}):\n"
                         f"{r.stderr[-2000:]}")
    res = json.loads(r.stdout)[0]
    if res["rows"] != expect:
        raise SystemExit(f"cstool read {res['rows']:,} rows of {csv}, the file has {expect:,}")
    return r, res


def _warm(path: Path) -> None:
    with open(path, "rb") as fh:
        while fh.read(1 << 24):
            pass


_ROWS: dict = {}


def _rows_in(path: Path) -> int:
    """Records of an export (quoted newlines in memos make lines a poor count)."""
    import csv

    if path not in _ROWS:
        with open(path, encoding="gb18030", newline="") as fh:
            _ROWS[path] = sum(1 for _ in csv.reader(fh)) - 1
    return _ROWS[path]


def _pairs(ctx, csv: Path, tmp: Path, label: str, target: float, keep_last: bool = False):
    """Alternating cstool / shell imports: figures, and the last cstool journal (if kept)."""
    _warm(csv)
    expect = _rows_in(csv)
    ours, shell, results = [], [], []
    kept = None
    tag = label.replace(" ", "-")
    for n in range(ctx.pairs):
        db = tmp / f"{tag}-{n}.db"
        _journal(ctx, db)
        r, res = _import(ctx, db, csv, expect)
        ours.append(r)
        results.append(res)
        shell_db = tmp / f"{tag}-shell-{n}.db"
        s = _shell(ctx, csv, shell_db)
        if s.returncode:
            raise SystemExit(f"the sqlite3 shell's import failed:\n{s.stderr}")
        shell.append(s)
        shell_db.unlink()
        if keep_last and n == ctx.pairs - 1:
            kept = (db, r)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
    ratios = [a.seconds / b.seconds for a, b in zip(ours, shell)]
    med = statistics.median(ratios)
    shell_med = statistics.median(s.seconds for s in shell)
    ours_med = statistics.median(r.seconds for r in ours)
    rejected = sum(len(res["rejected"]) for res in results)
    anchor = f"shell {shell_med:.2f} s"
    n_rows = f"{expect:,} rows"
    figs = [figure(f"{label}: cstool orders import", round(ours_med, 2), "s", anchor=anchor,
                   note=f"{n_rows}, median of {ctx.pairs}"
                        + (f"; {rejected:,} rows rejected" if rejected else "; none rejected"))]
    for n, (a, b) in enumerate(zip(ours, shell), 1):
        figs.append(figure(f"{label}: pair {n} cstool / shell", round(a.seconds / b.seconds, 2), "×",
                           anchor=f"shell {b.seconds:.2f} s", note=f"cstool {a.seconds:.2f} s"))
    figs.append(figure(f"{label}: median of the paired ratios", round(med, 2), "×", f"≤ {target}",
                       med <= target, anchor=anchor, note=f"{n_rows}, {ctx.pairs} pairs"))
    return figs, ours, shell, kept


def run(ctx):
    tmp = Path(tempfile.mkdtemp(prefix="cstool-bench-import-", dir=DATA))
    try:
        return _run(ctx, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run(ctx, tmp: Path):
    label = scale_label(ctx.rows)
    ds = ctx.dataset(ctx.rows, ["orders"])
    csv = ds / "orders.csv"
    figs, ours, shell, kept = _pairs(ctx, csv, tmp, f"import {label}", RATIO, keep_last=True)

    # Memory: the largest single process, at every size asked for.
    peaks = {ctx.rows: (max(ours, key=lambda r: r.peak_mb), max(shell, key=lambda s: s.peak_mb))}
    for rows in ctx.scales:
        if rows in peaks:
            continue
        other = ctx.dataset(rows, ["orders"]) / "orders.csv"
        _warm(other)
        db = tmp / f"rss-{rows}.db"
        _journal(ctx, db)
        r, _res = _import(ctx, db, other, _rows_in(other))
        s = _shell(ctx, other, tmp / f"rss-{rows}-shell.db")
        peaks[rows] = (r, s)
        figs.append(figure(f"import {scale_label(rows)}: cstool orders import (one run)",
                           round(r.seconds, 2), "s", anchor=f"shell {s.seconds:.2f} s",
                           note=f"{rows:,} rows; cstool / shell {r.seconds / s.seconds:.2f}×"))
        for path in tmp.glob(f"rss-{rows}*"):
            path.unlink()
    smallest = min(peaks)
    for rows in sorted(peaks):
        r, sh = peaks[rows]
        grow = "" if rows == smallest else \
            f"; {r.peak_mb - peaks[smallest][0].peak_mb:+.1f} MB from {scale_label(smallest)}"
        figs.append(figure(f"import {scale_label(rows)}: peak RSS, largest process",
                           round(r.peak_mb, 1), "MB", f"≤ {RSS_MB}", r.peak_mb <= RSS_MB,
                           anchor=f"shell {sh.peak_mb:.1f} MB",
                           note=f"the largest: {r.largest} of {r.processes} processes; the "
                                f"shell's: {sh.largest}{grow}"))

    # Re-import of the same file into the last pair's journal: every row unchanged.
    db, first = kept
    again, res = _import(ctx, db, csv, _rows_in(csv))
    ratio = again.seconds / first.seconds
    figs.append(figure(f"import {label}: re-import, all unchanged", round(again.seconds, 2), "s",
                       anchor=f"first import {first.seconds:.2f} s",
                       note=f"{res['unchanged']:,} unchanged, {res['updated']:,} updated, "
                            f"{res['inserted']:,} inserted"))
    figs.append(figure(f"import {label}: re-import / first import", round(ratio, 2), "×",
                       f"≤ {REIMPORT}", ratio <= REIMPORT,
                       anchor=f"first import {first.seconds:.2f} s"))
    figs.append(figure(f"import {label}: re-import peak RSS, largest process",
                       round(again.peak_mb, 1), "MB", f"≤ {RSS_MB}", again.peak_mb <= RSS_MB,
                       anchor=f"first import {first.peak_mb:.1f} MB",
                       note=f"the largest: {again.largest} of {again.processes} processes "
                            "(the journal's digests load before the rows are read)"))

    # The item-level export, once cstool reads it.
    supported, why = ctx.items_support()
    name = f"items {label} lines: median of the paired ratios"
    if not supported:
        figs.append(skipped(name, "×", f"≤ {ITEM_RATIO}", why,
                            anchor="the shell's .import of the file"))
    else:
        items = ctx.dataset(ctx.rows, ["orders", f"items:{ctx.rows}"]) / f"items-{ctx.rows}.csv"
        item_figs, *_ = _pairs(ctx, items, tmp, f"items {label} lines", ITEM_RATIO)
        figs += item_figs
    return figs
