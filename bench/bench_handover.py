"""Handover: a night sheet of 10,000 items written to xlsx, and its receipts read back.

Target: `cstool handover export` of 10,000 items to xlsx in ≤ 2 s, timed as a
whole process (start-up, journal, holds source, building and saving the
workbook). Also reported: the library's xlsx writer alone, the same export as
CSV, and `cstool handover import` of the sheet with every receipt filled in.
The items live in their own journal (the sheet does not depend on orders).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import internals
from run import figure

ITEMS = 10_000
NOW = "2026-11-23 23:20"
CATEGORIES = ["courier", "aftersale", "external", "distribution", "callback", "complaint"]


def _filled_copy(sheet: Path, filled: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(sheet)
    ws = wb.active
    for row in ws.iter_rows(min_row=3):
        row[12].value = f"已处理 {row[0].value}"
    wb.save(filled)


def run(ctx):
    tmp = Path(tempfile.mkdtemp(prefix="cstool-bench-handover-"))
    try:
        db = tmp / "journal.db"
        internals.fill_handover(db, ITEMS, CATEGORIES)
        base = [ctx.cstool, "--db", str(db), "--now", NOW, "--agent", "bench", "handover"]
        xlsx, csv_out = tmp / "night.xlsx", tmp / "night.csv"
        export = ctx.best_of(3, base + ["export", "--shift", "night", "-o", str(xlsx),
                                        "--force"])
        as_csv = ctx.best_of(3, base + ["export", "--shift", "night", "-o", str(csv_out),
                                        "--force"])
        writer = min(internals.time_xlsx_writer(db, NOW, tmp / "lib.xlsx") for _ in range(3))
        filled = tmp / "filled.xlsx"
        _filled_copy(xlsx, filled)
        imported = ctx.time(base + ["import", str(filled)])
        if imported.returncode != 0:
            raise SystemExit(imported.stderr)
        again = ctx.time(base + ["import", str(filled)])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    n = f"{ITEMS:,} items"
    return [
        figure("handover export → xlsx (whole process)", round(export.seconds, 2), "s", "≤ 2.0",
               export.seconds <= 2.0, n),
        figure("xlsx writer alone (library call)", round(writer, 2), "s", note=n),
        figure("handover export → csv (whole process)", round(as_csv.seconds, 2), "s", note=n),
        figure("handover import of the filled xlsx", round(imported.seconds, 2), "s",
               note=f"{n}, all receipts new"),
        figure("handover import again (all unchanged)", round(again.seconds, 2), "s", note=n),
    ]
