"""A small xlsx can't tie up the CPU: absurd declared sizes are refused, stray far cells ignored."""

from __future__ import annotations

import re
import sys
import zipfile
from datetime import datetime

from conftest import FIXTURES

from cstool.orders.readers import open_source

sys.path.insert(0, str(FIXTURES))
from exportlib import XLSX_HEADER, xlsx_row  # noqa: E402

OID = "5118609024991039200"


def workbook(path, rows=1):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(list(XLSX_HEADER))
    for n in range(rows):
        wb.active.append(xlsx_row(order_id=str(int(OID) + n), status="paid",
                                  created=datetime(2026, 11, 22, 10, 0)))
    wb.save(path)
    return path


def rewrite_sheet(path, change) -> None:
    """Rewrite the first sheet's XML of an xlsx in place (as a hostile tool would)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    name = "xl/worksheets/sheet1.xml"
    parts[name] = change(parts[name].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


def test_a_sheet_claiming_a_huge_size_is_refused_at_once(run, env, tmp_path):
    path = workbook(tmp_path / "huge.xlsx")
    rewrite_sheet(path, lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD200000"',
                                           xml))
    run("agent add 倩", check=0)
    result = run(["--agent", "倩", "orders", "import", str(path)])
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}: the sheet declares 16,384 columns and 200,000 rows; "
                             "an order export has at most 512 columns: not an order export\n")
    receipts = run(["--agent", "倩", "handover", "import", str(path)])
    assert receipts.exit_code == 1 and "not a handover sheet" in receipts.output


def test_stray_cells_far_away_are_not_read(run, env, tmp_path):
    path = workbook(tmp_path / "stray.xlsx", rows=2)
    far = ('<row r="200000"><c r="XFD200000" t="inlineStr"><is><t>x</t></is></c></row>'
           '</sheetData>')
    rewrite_sheet(path, lambda xml: re.sub(r"<dimension [^>]*/>", "", xml)
                  .replace('</row><row r="2">', '<c r="XFD1" t="inlineStr"><is><t> </t></is></c>'
                           '</row><row r="2">', 1)
                  .replace("</sheetData>", far))
    source = open_source(str(path))
    try:
        assert source.header == list(XLSX_HEADER)  # the far blank header cell is no column
        rows = list(source.rows())
    finally:
        source.close()
    # two orders, each exactly the header's width; the row at 200000 holds nothing it names
    assert [line for line, _ in rows] == [2, 3]
    assert all(len(cells) == len(XLSX_HEADER) for _, cells in rows)
    run("agent add 倩", check=0)
    out = run.json(["--agent", "倩", "orders", "import", str(path), "--json"])[0]
    assert (out["inserted"], out["rejected"]) == (2, [])
