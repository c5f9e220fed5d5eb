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
import time
from pathlib import Path

from run import figure

ITEMS = 10_000
NOW = "2026-11-23 23:20"
CATEGORIES = ["courier", "aftersale", "external", "distribution", "callback", "complaint"]


def _fill(journal_path: Path) -> None:
    from cstool.core import agents
    from cstool.core.clock import Clock, from_db
    from cstool.core.context import Context
    from cstool.core.journal import Journal
    from cstool.handover import register

    journal = Journal.open(str(journal_path), create=True)
    agents.add(journal, "bench", "2026-11-23T09:00:00Z")
    with journal.write():
        for i in range(ITEMS):
            minute = 18 * 60 + i * 300 // ITEMS  # spread over 18:00-23:00
            at = f"2026-11-23T{(minute // 60) - 8:02d}:{minute % 60:02d}:00Z"
            ctx = Context(journal, Clock("Asia/Shanghai", from_db(at)), None, "bench")
            register.add(ctx, category=CATEGORIES[i % len(CATEGORIES)],
                      problem=f"物流{i % 9 + 1}天未更新, 买家催问 第{i}单",
                      todo="联系快递查件, 回复买家", order_id=str(5118609000000000000 + i),
                      buyer=f"tb_buyer{i:05d}", phone=f"138{i:08d}" if i % 5 == 0 else None)
    journal.close()


def _library_xlsx(journal_path: Path, out: Path) -> float:
    from cstool.app.policy import Policy
    from cstool.core.clock import Clock
    from cstool.core.context import Context
    from cstool.core.journal import Journal
    from cstool.handover import sheet as sheets
    from cstool.handover.shifts import resolve_shift

    journal = Journal.open(str(journal_path))
    clock = Clock("Asia/Shanghai", NOW)
    policy = Policy(journal)
    ctx = Context(journal, clock, policy, "bench")
    sheet = sheets.build_sheet(ctx, resolve_shift(clock, policy, "night"), include_journal=False)
    t0 = time.perf_counter()
    with open(out, "wb") as fh:
        sheets.write_xlsx(sheet, fh, ctx.renderer)
    seconds = time.perf_counter() - t0
    journal.close()
    return seconds


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
        _fill(db)
        base = [ctx.cstool, "--db", str(db), "--now", NOW, "--agent", "bench", "handover"]
        xlsx, csv_out = tmp / "night.xlsx", tmp / "night.csv"
        export = ctx.best_of(3, base + ["export", "--shift", "night", "-o", str(xlsx),
                                        "--force"])
        as_csv = ctx.best_of(3, base + ["export", "--shift", "night", "-o", str(csv_out),
                                        "--force"])
        writer = min(_library_xlsx(db, tmp / "lib.xlsx") for _ in range(3))
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
