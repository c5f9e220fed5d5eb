"""The handover sheet's own xlsx writer writes the parts XlsxWriter wrote, byte for byte.

The reference is XlsxWriter driven the way ``handover export`` drove it before
(constant memory, text never guessed, the same formats in the same order), on cells
chosen to reach every rule: escapes, spaces kept, control characters, the UTF-16
limit, numbers, blank styled cells, wrapped photo lists, an empty sheet.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest

from cstool.handover.sheet import COLUMNS
from cstool.handover.xlsx import Sheet, column

WIDTHS = [w for _, _, w in COLUMNS]
HEADERS = [h for _, h, _ in COLUMNS]
TEXT = {"buyer", "order_id", "phone"}
CREATED = "2026-11-23T07:00:00Z"


def reference(name: str, title: str, rows: list[list]) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                   "strings_to_numbers": False, "strings_to_urls": False})
    wb.set_properties({"created": datetime.strptime(CREATED, "%Y-%m-%dT%H:%M:%SZ")})
    ws = wb.add_worksheet(name)
    for i, w in enumerate(WIDTHS):
        ws.set_column(i, i, w)
    ws.freeze_panes(2, 0)
    title_style = wb.add_format({"bold": True, "font_size": 13})
    bold = wb.add_format({"bold": True})
    receipt = wb.add_format({"bold": True, "pattern": 1, "fg_color": "#FFF2CC"})
    as_text = wb.add_format({"num_format": "@"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    last = len(COLUMNS) - 1
    ws.merge_range(0, 0, 0, last, title, title_style)
    for c, (key, h, _) in enumerate(COLUMNS):
        ws.write_string(1, c, h, receipt if key == "receipt" else bold)
    r = 1
    for r, row in enumerate(rows, start=2):
        for c, ((key, _, _), value) in enumerate(zip(COLUMNS, row)):
            style = as_text if key in TEXT else None
            if value is None or value == "":
                if style is not None:
                    ws.write_blank(r, c, None, style)
            elif isinstance(value, int):
                ws.write_number(r, c, value, style)
            else:
                ws.write_string(r, c, value, wrap if key == "photos" and "\n" in value
                                else style)
    ws.autofilter(1, 0, r, last)
    wb.close()
    return out.getvalue()


def ours(name: str, title: str, rows: list[list]) -> bytes:
    out = io.BytesIO()
    book = Sheet(out, name, WIDTHS, len(rows), created=CREATED)
    book.title(title)
    book.header(HEADERS, ["receipt" if k == "receipt" else "bold" for k, _, _ in COLUMNS])
    for row in rows:
        book.row((v, "wrap" if k == "photos" and isinstance(v, str) and "\n" in v
                  else "text" if k in TEXT else None) for (k, _, _), v in zip(COLUMNS, row))
    book.close()
    return out.getvalue()


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def row(n: int, **cells) -> list:
    base = {"id": n, "category": "跟进发货", "buyer": "tb12345", "order_id": "3818202244294148110",
            "phone": "", "problem": "挂起至2026-11-21发货", "todo": "尽快安排发货",
            "due_at": "2026-11-21 00:00", "photos": "", "from": "日志 hold:2009",
            "created_by": "倩", "created_at": "2026-11-23 15:00", "receipt": ""}
    base.update(cells)
    return [base[k] for k, _, _ in COLUMNS]


CASES = {
    "plain": [row(1), row(2, phone="138****5678", receipt="已处理")],
    "escapes": [row(7, problem='a & b < c > d "quoted" \'single\'', todo="<r>not rich</r>x")],
    "spaces": [row(8, problem=" leading", todo="trailing ", receipt="\tboth\n")],
    "control": [row(9, problem="line\r\nbreak", todo="_x0041_ looks escaped", receipt="a\x1fb")],
    "photos": [row(10, photos="a.jpg\nb.jpg"), row(11, photos="one.jpg")],
    "long": [row(12, problem="长" * 40000), row(13, problem="😀" * 17000),
             row(14, todo="x" * 32767)],
    "numbers": [row(0), row(10**15), row(2**31)],
    "empty": [],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_parts_equal_xlsxwriters(case):
    rows = CASES[case]
    title = "工作交接记录表 · 白班 2026-11-23 09:00-17:30 · 交接人 倩 & <店>"
    expected, got = parts(reference("白班2026-11-23", title, rows)), \
        parts(ours("白班2026-11-23", title, rows))
    assert list(got) == list(expected)
    for name in expected:
        assert got[name] == expected[name], name


def test_sheet_name_with_a_quote_is_quoted_in_the_filter():
    got = parts(ours("it's-1", "t", [row(1)]))
    assert b"<sheet name=\"it's-1\"" in got["xl/workbook.xml"]
    assert b"'it''s-1'!$A$2:$M$3" in got["xl/workbook.xml"]


def test_columns_are_named_as_excel_names_them():
    assert [column(c) for c in (0, 12, 25, 26, 51, 52, 701, 702)] == \
        ["A", "M", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_exported_sheet_reads_back_in_openpyxl(demo, run, tmp_path):
    """Through the command: the file opens, its cells are what the JSON sheet says."""
    import openpyxl

    run(["--agent", "郑婷", "handover", "add", "--category", "courier", "--problem",
         "圆通 & <中通> 未揽收", "--buyer", "tb12345", "--todo", "催 <圆通>"], check=0)
    out = tmp_path / "s.xlsx"
    run(["--agent", "郑婷", "handover", "export", "-o", str(out)], check=0)
    sheet = run.json(["--agent", "郑婷", "handover", "export", "--json"])
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[2]] == HEADERS
    problems = [ws.cell(r, 6).value for r in range(3, ws.max_row + 1)]
    assert "圆通 & <中通> 未揽收" in problems
    assert problems == [i["problem"] for i in sheet["items"]]

