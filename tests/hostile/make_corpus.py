"""Build the hostile-input corpus: files in tests/hostile/files and tests/hostile/cases.json.

    python tests/hostile/make_corpus.py        (or: make corpus)

Each case is a command that must fail cleanly: exit 1 (the work failed) or 2
(a usage mistake), one ``Error:`` line, no traceback, no "internal error",
the journal unchanged and no file left behind (tests/test_hostile.py runs
them all). The files are built from the real exports' headers and quirks
(fixtures/exportlib.py), then broken one way each: values out of range,
confusable digits, formulas, broken encodings, crafted workbooks, sheets
that are not sheets. Placeholders in a case's argv: ``{files}`` (this
corpus), ``{tmp}`` (the case's own folder) and ``{db}`` (its journal).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
import zipfile
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "fixtures"))
sys.path.insert(0, ROOT)

from exportlib import CLASSIC_HEADER, XLSX_HEADER, classic_row, csv_line, xlsx_row  # noqa: E402

FILES = os.path.join(HERE, "files")
H = list(CLASSIC_HEADER)
BASE = 5118609024991300000
CREATED = datetime(2026, 11, 22, 10, 0)
PAID = datetime(2026, 11, 22, 11, 0)
# Orders of the demo journal the tests build (fixtures/scenarios.json).
PAID_ORDER = "5118609024991031611"
UNPAID_ORDER = "5118609024991031604"
SHIPPED_ORDER = "5118609024991031635"
FIXED_TIME = (2026, 11, 23, 14, 30, 0)  # zip entry times: the corpus rebuilds byte for byte

cases: list[dict] = []


def case(name: str, argv: list[str], exit: int, message: str = "", **extra) -> None:
    assert exit in (1, 2)
    assert not any(c["name"] == name for c in cases), name
    cases.append({"name": name, "argv": argv, "exit": exit, "message": message, **extra})


def write(name: str, data: bytes) -> str:
    with open(os.path.join(FILES, name), "wb") as fh:
        fh.write(data)
    return "{files}/" + name


def good_row(n: int = 0, **kw) -> list[str]:
    fields = dict(order_id=str(BASE + n), buyer=f"tb_hostile{n}", status="paid", created=CREATED,
                  paid=PAID)
    fields.update(kw)
    return classic_row(**fields)


def export(name: str, rows: list[list[str]], encoding: str = "gb18030",
           header: list[str] = H) -> str:
    text = csv_line(header) + "".join(csv_line(r) for r in rows)
    return write(name, text.encode(encoding))


def cell(column: str, value: str, n: int = 1, **kw) -> list[str]:
    r = good_row(n, **kw)
    r[H.index(column)] = value
    return r


def fixed_zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(zipfile.ZipInfo(name, FIXED_TIME), data)
    return buf.getvalue()


def workbook(rows: list[list], header: tuple = XLSX_HEADER) -> dict[str, bytes]:
    """An xlsx as openpyxl writes it, as {part: bytes} (so a test can break one part)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.created = wb.properties.modified = datetime(*FIXED_TIME)
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    # openpyxl stamps "modified" with the time of saving: pin it, so the corpus
    # rebuilds byte for byte.
    fixed = datetime(*FIXED_TIME).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    parts["docProps/core.xml"] = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + fixed,
                                        parts["docProps/core.xml"])
    return parts


def xlsx(name: str, parts: dict[str, bytes]) -> str:
    return write(name, fixed_zip(parts))


def sheet_xml(parts: dict[str, bytes], change) -> dict[str, bytes]:
    key = "xl/worksheets/sheet1.xml"
    return {**parts, key: change(parts[key].decode()).encode()}


def imp(path: str, *more: str) -> list[str]:
    return ["orders", "import", path, *more]


def build() -> None:
    """Write every file and define every case."""
    # --- 1. order exports with one bad value (--strict: the file fails, nothing is written) --------

    BAD_VALUES = {
        "created_year_1": ("订单创建时间", "0001-01-01"),
        "created_year_9999": ("订单创建时间", "9999-12-31 23:59:59"),
        "created_2002": ("订单创建时间", "2002-12-31 23:00:00"),
        "created_2101": ("订单创建时间", "2101-01-01 00:00:00"),
        "created_month_13": ("订单创建时间", "2026-13-01 10:00:00"),
        "created_feb_30": ("订单创建时间", "2026-02-30 10:00:00"),
        "created_minute_61": ("订单创建时间", "2026-11-22 10:61:00"),
        "created_hour_25": ("订单创建时间", "2026-11-22 25:00:00"),
        "created_word": ("订单创建时间", "昨天"),
        "created_empty": ("订单创建时间", ""),
        "created_epoch": ("订单创建时间", "1764000000"),
        "paid_year_9999": ("订单付款时间", "9999-12-31 23:00:00"),
        "paid_year_1": ("订单付款时间", "0001-01-01 00:00:00"),
        "paid_before_created": ("订单付款时间", "2026-11-21 10:00:00"),
        "paid_garbage": ("订单付款时间", "2026-11-22T10:00:00+99:99"),
        "total_huge": ("总金额", "99999999999999999999.00"),
        "total_over_limit": ("总金额", "10000000.01"),
        "total_negative": ("总金额", "-5.00"),
        "total_exponent": ("总金额", "1e23"),
        "total_nan": ("总金额", "NaN"),
        "total_infinity": ("总金额", "∞"),
        "total_three_decimals": ("总金额", "12.345"),
        "total_many_digits": ("总金额", "9" * 5000),
        "total_formula": ("总金额", "=1+1"),
        "postage_negative": ("买家应付邮费", "-0.01"),
        "paid_amount_huge": ("买家实际支付金额", "123456789012.00"),
        "count_exponent": ("宝贝总数量", "1e23"),
        "count_negative": ("宝贝总数量", "-3"),
        "count_fraction": ("宝贝总数量", "1.5"),
        "count_huge": ("宝贝总数量", "9" * 30),
        "count_over_limit": ("宝贝总数量", "100001"),
        "count_nan": ("宝贝总数量", "nan"),
        "count_fullwidth_letters": ("宝贝总数量", "ＩＶ"),
        "status_unknown": ("订单状态", "已被外星人劫持"),
        "status_empty": ("订单状态", ""),
        "order_300_digits": ("订单编号", '="' + "1" * 300 + '"'),
        "order_33_chars": ("订单编号", "A" * 33),
        "order_spaces": ("订单编号", "5118 6090 2499"),
        "order_formula": ("订单编号", '=HYPERLINK("http://evil.example/","5118")'),
        "order_quotes": ("订单编号", '="1"&"2"'),
        "order_emoji": ("订单编号", "5118😀"),
        "order_chinese": ("订单编号", "订单五一一八"),
        "order_empty": ("订单编号", ""),
        "order_scientific": ("订单编号", "5.11861E+18"),
        "order_fullwidth_with_word": ("订单编号", '="５１１８６０９０订单"'),
        "order_arabic_with_slash": ("订单编号", "٥١١٨/٦٠٩٠"),
        "order_null_byte": ("订单编号", "5118\x006090"),
        "buyer_10000_chars": ("买家会员名", "买" * 10000),
    }
    for name, (column, value) in BAD_VALUES.items():
        path = export(f"order_{name}.csv", [good_row(0), cell(column, value)])
        case(f"import --strict: {name}", imp(path, "--strict"), 1,
             "holds binary data" if "\x00" in value else "(--strict), nothing imported")

    # shipped before created needs the xlsx export's 发货时间; the classic export has none
    rows = [xlsx_row(order_id=str(BASE + 1), status="shipped", created=CREATED,
                     shipped=datetime(2026, 11, 21, 9, 0))]
    case("import --strict: xlsx shipped before created",
         imp(xlsx("xlsx_shipped_before_created.xlsx", workbook(rows)), "--strict"), 1,
         "is before 订单创建时间")
    case("import --strict: row shorter than the header",
         imp(export("order_short_row.csv", [good_row(0), good_row(1)[:5]]), "--strict"), 1,
         "cells; the header has at least")

    # --- 2. files that are not order exports at all (the file fails even without --strict) ------

    NOT_EXPORTS = {
        "empty.csv": b"",
        "blank_lines.csv": b"\r\n\r\n\r\n",
        "binary.csv": bytes(range(256)) * 4,
        "nul_bytes.csv": b"\x00" * 100,
        "png_named_csv.csv": b"\x89PNG\r\n\x1a\n" + b"\x00" * 50,
        "header_only_unrelated.csv": "商品,数量\r\n茶杯,2\r\n".encode("gb18030"),
        "missing_status_column.csv": ("订单编号,订单创建时间\r\n" + '="5118609024991300001",'
                                      "2026-11-22 10:00:00\r\n").encode("gb18030"),
        "html_error_page.csv": b"<html><body>502 Bad Gateway</body></html>\n",
        "json_named_csv.csv": b'{"orders": []}\n',
        "bom_only.csv": b"\xef\xbb\xbf",
        "utf16.csv": ("\ufeff" + ",".join(H) + "\r\n").encode("utf-16"),
    }
    for name, data in NOT_EXPORTS.items():
        case(f"import: {name}", imp(write(name, data)), 1)
    case("import --strict: unterminated quote",
         imp(write("unterminated_quote.csv", (csv_line(H) + '="5118",tb,"unterminated\r\n')
                   .encode("gb18030")), "--strict"), 1, "nothing imported")
    case("import: wrong encoding given", imp(export("gb_as_utf8.csv", [good_row(0)]), "--encoding",
                                              "utf-8"), 1, "cannot")
    case("import: a folder", imp("{files}"), 1, "is a folder")
    case("import: no such file", imp("{tmp}/missing.csv"), 1, "no such file")
    case("import: generic without --map", imp(export("generic.csv", [good_row(0)]), "--format",
                                               "generic"), 2, "needs --map")
    case("import: generic unknown field", imp("{files}/generic.csv", "--format", "generic", "--map",
                                              "订单编号=order_no"), 2, "unknown field")
    case("import: generic column not in file", imp("{files}/generic.csv", "--format", "generic",
                                                    "--map", "订单号=order_id"), 1, "does not have")
    case("import: --map without generic", imp("{files}/generic.csv", "--map", "订单编号=order_id"),
         2, "--map goes with --format generic")
    case("import: bad --map pair", imp("{files}/generic.csv", "--format", "generic", "--map",
                                       "no-equals-sign"), 2, "use SOURCE=field")
    case("import: unknown encoding", imp("{files}/generic.csv", "--encoding", "latin-1"), 2)

    XLSX_BAD = {
        "not_a_zip.xlsx": b"this is not a workbook",
        "zip_without_workbook.xlsx": fixed_zip({"hello.txt": b"hi"}),
        "truncated.xlsx": fixed_zip(workbook([]))[:300],
        "empty_zip.xlsx": fixed_zip({}),
    }
    for name, data in XLSX_BAD.items():
        case(f"import: {name}", imp(write(name, data)), 1)
    case("import: xlsx declaring A1:XFD200000",
         imp(xlsx("declares_xfd200000.xlsx", sheet_xml(workbook([]), lambda x: re.sub(
             r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD200000"', x)))), 1,
         "the sheet declares 16,384 columns and 200,000 rows")
    case("import: xlsx declaring 2,000,000 rows",
         imp(xlsx("declares_2m_rows.xlsx", sheet_xml(workbook([]), lambda x: re.sub(
             r'<dimension ref="[^"]*"', '<dimension ref="A1:U2000000"', x)))), 1, "declares")
    case("import: xlsx wrong header", imp(xlsx("xlsx_wrong_header.xlsx",
                                               workbook([["茶杯", 2]], ["商品", "数量"]))), 1,
         "missing column(s)")
    case("import: xlsx empty sheet", imp(xlsx("xlsx_empty.xlsx", sheet_xml(workbook([]), lambda x: re.sub(
        r"<sheetData>.*</sheetData>", "<sheetData/>", x)))), 1, "the sheet is empty")
    case("import: xlsx broken sheet xml", imp(xlsx("xlsx_broken_xml.xlsx", sheet_xml(
        workbook([]), lambda x: x.replace("</sheetData>", "<row r=")))), 1)
    for name, value in [("created_text_year_1", "0001-01-01 00:00:00"),
                        ("created_text_garbage", "not a time"),
                        ("total_text_huge", "99999999999999999999"),
                        ("count_negative", -4)]:
        row = xlsx_row(order_id=str(BASE + 5), status="paid", created=CREATED)
        col = {"created_text_year_1": "订单创建时间", "created_text_garbage": "订单创建时间",
               "total_text_huge": "总金额", "count_negative": "宝贝总数量"}[name]
        row[list(XLSX_HEADER).index(col)] = value
        case(f"import --strict: xlsx {name}",
             imp(xlsx(f"xlsx_{name}.xlsx", workbook([row])), "--strict"), 1, "nothing imported")

    # --- 3. handover receipts: sheets that are not sheets, rows that must not be recorded -------

    HEAD = ["编号", "类别", "买家", "订单编号", "问题", "回执"]


    def sheet_csv(name: str, rows: list[list[str]], header: list[str] = HEAD) -> str:
        import csv

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)
        return write(name, ("\ufeff" + buf.getvalue()).encode("utf-8"))


    def receipts(path: str, *more: str) -> list[str]:
        return ["handover", "import", path, *more]


    case("receipts: an order export is no sheet", receipts("{files}/generic.csv"), 1,
         "not a handover sheet")
    for name, data in [("receipt_empty.csv", b""), ("receipt_binary.csv", bytes(range(256)) * 8),
                       ("receipt_not_utf.csv", "编号,回执\r\n1,好\r\n".encode("utf-16"))]:
        case(f"receipts: {name}", receipts(write(name, data)), 1)
    case("receipts: no 回执 column", receipts(sheet_csv("receipt_no_receipt_column.csv", [["1", "x"]],
                                                       ["编号", "备注"])), 1, "no header row")
    case("receipts: old xls", receipts(write("receipt_old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 60)),
         1, ".xls format cannot be read")
    case("receipts: not a zip", receipts(write("receipt_not_a_zip.xlsx", b"PK\x03\x04 broken")), 1)
    case("receipts: xlsx declaring A1:XFD200000", receipts("{files}/declares_xfd200000.xlsx"), 1,
         "declares")
    case("receipts: missing file", receipts("{tmp}/nope.csv"), 1, "no such file")
    case("receipts: a folder", receipts("{files}"), 1, "is a folder")
    STRICT_ROWS = {
        "unknown_id": [["999", "回访", "", "", "x", "已处理"]],
        "huge_id": [["99999999999999999999", "回访", "", "", "x", "已处理"]],
        "negative_id": [["-1", "回访", "", "", "x", "已处理"]],
        "word_id": [["一", "回访", "", "", "x", "已处理"]],
        "fullwidth_word_id": [["１x", "回访", "", "", "x", "已处理"]],
        "formula_id": [["=1", "回访", "", "", "x", "已处理"]],
        "no_id": [["", "回访", "", "", "x", "已处理"]],
        "conflict": [["2", "回访", "tb_lily", "", "回电", "完全不同的回执"]],
        "wrong_order": [["3", "联系快递", "", "5118609024991099999", "x", "已处理"]],
    }
    for name, rows in STRICT_ROWS.items():
        case(f"receipts --strict: {name}", receipts(sheet_csv(f"receipt_{name}.csv", rows),
                                                    "--strict"), 1, "(--strict), nothing recorded")

    # --- 4. outputs that must never be written -----------------------------------------------------

    EXPORT = ["handover", "export"]
    for target, what in [("{db}", "is the journal"), ("{db}-wal", "-wal file"),
                         ("{db}-shm", "-shm file"), ("{db}-journal", "-journal file")]:
        for fmt in ("md", "csv", "json", "xlsx"):
            case(f"export over {target[4:] or 'the journal'} as {fmt}",
                 [*EXPORT, "--format", fmt, "--force", "-o", target], 1, what)
    case("export over a link to the journal", [*EXPORT, "-f", "md", "--force", "-o",
                                               "{tmp}/link.md"], 1, "is the journal",
         setup=[["symlink", "{db}", "{tmp}/link.md"]])
    case("export over a hard link to the journal", [*EXPORT, "-f", "md", "--force", "-o",
                                                    "{tmp}/hard.md"], 1, "is the journal",
         setup=[["hardlink", "{db}", "{tmp}/hard.md"]])
    case("export over a recorded backup", [*EXPORT, "-f", "md", "--force", "-o", "{tmp}/b.md"], 1,
         "is a backup of the journal", setup=[["backup", "{tmp}/b.md"]])
    case("export over another database", [*EXPORT, "-f", "csv", "--force", "-o",
                                          "{tmp}/other.csv"], 1, "is a SQLite database",
         setup=[["copy", "{files}/other_database.csv", "{tmp}/other.csv"]])
    database("other_database.csv")
    case("export into the evidence folder", [*EXPORT, "-o", "{tmp}/evidence/sheet.xlsx"], 1,
         "evidence folder", setup=[["mkdir", "{tmp}/evidence"]])
    case("export into a missing folder", [*EXPORT, "-o", "{tmp}/no/such/sheet.xlsx"], 1,
         "does not exist")
    case("export onto a folder", [*EXPORT, "-f", "md", "-o", "{tmp}"], 1, "is a folder")
    case("export over an existing sheet without --force", [*EXPORT, "-o", "{tmp}/sheet.md"], 1,
         "already exists; give --force", setup=[["copy", "{files}/old_sheet.md", "{tmp}/sheet.md"]])
    write("old_sheet.md", "## 工作交接记录表 (old)\n".encode())
    for name, data, fmt in [("notes.xlsx", b"not a workbook", "xlsx"),
                            ("binary.md", b"\x00\x01\x02", "md"),
                            ("plan.txt", b"my plan", "md"),
                            ("data.json.gz", b"\x1f\x8b\x08", "json")]:
        write(f"force_{name}", data)
        case(f"export --force over {name}", [*EXPORT, "-f", fmt, "--force", "-o", f"{{tmp}}/{name}"],
             1, "is not a sheet cstool would have written",
             setup=[["copy", f"{{files}}/force_{name}", f"{{tmp}}/{name}"]])
    case("export xlsx to stdout", [*EXPORT, "-f", "xlsx", "-o", "-"], 2, "goes to a file")
    case("export unknown extension", [*EXPORT, "-o", "{tmp}/sheet.docx"], 2,
         "cannot tell the format")
    case("export a day out of range", [*EXPORT, "--date", "9999-12-31", "-f", "md"], 2, "--date")
    case("export a shift the shop lacks", [*EXPORT, "--shift", "mid", "-f", "md"], 2, "no mid shift")

    BACKUP = ["journal", "backup"]
    case("backup over the journal", [*BACKUP, "{db}"], 1, "is the journal")
    case("backup over the -wal", [*BACKUP, "{db}-wal"], 1, "-wal file")
    case("backup into a missing folder", [*BACKUP, "{tmp}/nodir/b.db"], 1, "does not exist")
    case("backup over an existing file", [*BACKUP, "{tmp}/exists.db"], 1, "already exists",
         setup=[["copy", "{files}/old_sheet.md", "{tmp}/exists.db"]])
    case("backup into the evidence folder", [*BACKUP, "{tmp}/evidence/b.db"], 1, "evidence folder",
         setup=[["mkdir", "{tmp}/evidence"]])
    case("backup onto a folder", [*BACKUP, "{tmp}"], 1, "is a folder")

    # --- 5. photos -------------------------------------------------------------------------------

    write("not_an_image.jpg", b"GIF? no: plain text pretending")
    write("empty.png", b"")
    write("truncated_header.png", b"\x89PN")
    write("svg_named_png.png", b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    for name in ("not_an_image.jpg", "empty.png", "truncated_header.png", "svg_named_png.png"):
        case(f"exception log --photo {name}", ["exception", "log", SHIPPED_ORDER, "--kind", "破损",
                                               "--detail", "碎了", "--photo", f"{{files}}/{name}"], 1,
             "photo")
        case(f"handover add --photo {name}", ["handover", "add", "-c", "回访", "--buyer", "tb1",
                                              "-p", "x", "--photo", f"{{files}}/{name}"], 1, "photo")
    case("exception log --photo missing", ["exception", "log", SHIPPED_ORDER, "--kind", "破损",
                                           "--detail", "碎了", "--photo", "{tmp}/none.jpg"], 1,
         "no such file")
    case("exception update --photo a folder", ["exception", "update", "1", "--photo", "{files}"], 1,
         "is a folder")
    case("exception log same photo twice", ["exception", "log", SHIPPED_ORDER, "--kind", "破损",
                                            "--detail", "碎了", "--photo",
                                            "{root}/fixtures/photos/damaged_box.png", "--photo",
                                            "{root}/fixtures/photos/damaged_box.png"], 1,
         "the same picture")

    # --- 6. options with values no shop could mean -----------------------------------------------

    BIG = "99999999999999999999"
    OPTIONS = [
        (["shipcheck", "--within", "1e12"], "--within"),
        (["shipcheck", "--within", "nan"], "--within"),
        (["shipcheck", "--within", "inf"], "--within"),
        (["shipcheck", "--within", "-inf"], "--within"),
        (["shipcheck", "--within", "-1"], "--within"),
        (["shipcheck", "--within", "1e308"], "--within"),
        (["shipcheck", "--within", "ten"], "--within"),
        (["shipcheck", "--morning", "--within", "nan"], "--within"),
        (["shipcheck", "--limit", BIG], "--limit"),
        (["shipcheck", "--limit", "-1"], "--limit"),
        (["shipcheck", "--only", "everything"], "--only"),
        (["shipcheck", "--morning", "--only", "overdue"], "--only lists checks"),
        (["orders", "list", "--since", "99999999d"], "--since"),
        (["orders", "list", "--since", "99999999999999999999h"], "--since"),
        (["orders", "list", "--since", "0001-01-01"], "--since"),
        (["orders", "list", "--since", "9999-12-31 23:59"], "--since"),
        (["orders", "list", "--since", "yesterdy"], "--since"),
        (["orders", "list", "--limit", BIG], "--limit"),
        (["orders", "list", "--status", "lost_in_space"], "--status"),
        (["exception", "list", "--since", "99999999m"], "--since"),
        (["exception", "report", "--until", "99999999d"], "--until"),
        (["exception", "report", "--since", "2002-01-01"], "--since"),
        (["exception", "list", "--kind", "stolen_by_aliens"], "--kind"),
        (["chase", "stats", "--since", "9999-12-31"], "--since"),
        (["chase", "due", "--limit", BIG], "--limit"),
        (["chase", "due", "--channel", "pigeon"], "--channel"),
        (["remark", "lint", "--since", "99999999d"], "--since"),
        (["remark", "lint", "--limit", "1e9"], "--limit"),
        (["remark", "parse", "申通 倩 8.25", "--at", "9999-12-31 00:00"], "--at"),
        (["remark", "parse", "申通 倩 8.25", "--at", "0001-01-01"], "--at"),
        (["remark", "parse", "申通 倩 8.25", "--flag", "rainbow"], "--flag"),
        (["report", "daily", "--date", "9999-12-31"], "--date"),
        (["report", "daily", "--date", "0001-01-01"], "--date"),
        (["report", "daily", "--date", "someday"], "--date"),
        (["handover", "list", "--date", "0001-01-01"], "--date"),
        (["handover", "list", "--shift", "night", "--date", "9999-12-31"], "--date"),
        (["handover", "list", "--limit", BIG], "--limit"),
        (["remark", "add", PAID_ORDER, "--kind", "hold", "--until", "9999.01.01"], "--until"),
        (["remark", "add", PAID_ORDER, "--kind", "hold", "--until", "0001-01-01"], "--until"),
        (["remark", "add", PAID_ORDER, "--kind", "rebate", "--promo-price", BIG, "--paid-price", "1"],
         "--promo-price"),
        (["remark", "add", PAID_ORDER, "--kind", "rebate", "--promo-price", "1e9", "--paid-price",
          "1"], "--promo-price"),
        (["remark", "add", PAID_ORDER, "--kind", "spell"], "--kind"),
        (["exception", "log", SHIPPED_ORDER, "--kind", "破损", "--detail", "x", "--amount", BIG],
         "--amount"),
        (["exception", "log", SHIPPED_ORDER, "--kind", "破损", "--detail", "x", "--amount", "nan"],
         "--amount"),
        (["exception", "log", SHIPPED_ORDER, "--kind", "破损", "--detail", "x", "--amount",
          "12.345"], "--amount"),
        (["exception", "update", "1", "--amount", "inf"], "--amount"),
        (["exception", "close", "1", "--outcome", "vanished"], "--outcome"),
        (["handover", "add", "-c", "teleport", "-p", "x"], "--category"),
        (["handover", "show", "1e3"], "ITEM"),
        (["handover", "ack", "-5", "--receipt", "x"], "No such option"),
        (["exception", "show", "-1"], "No such option"),
        (["agent", "add", "倩", "--role", "overlord"], "--role"),
    ]
    for n, (argv, hint) in enumerate(OPTIONS):
        case(f"option {n:02d}: {' '.join(argv)[:60]}", argv, 2, hint)
    for now in ("0001-01-01 00:00", "9999-12-31 23:59", "2026-13-45 99:99", "now", "1764000000"):
        case(f"clock {now}", ["--now", now, "shipcheck"], 2, "--now")
    case("clock from the environment", ["shipcheck"], 2, "CSTOOL_NOW",
         env={"CSTOOL_NOW": "0001-01-01 00:00"})
    LONG = "长" * 2001
    for argv in (["agent", "add", "x" * 10000], ["handover", "add", "-c", "回访", "--buyer", "tb1",
                                                 "-p", LONG],
                 ["exception", "log", SHIPPED_ORDER, "--kind", "破损", "--detail", LONG],
                 ["chase", "log", UNPAID_ORDER, "--channel", "旺旺", "--promise", LONG],
                 ["chase", "template", "set", "sms", LONG], ["remark", "parse", LONG],
                 ["remark", "add", PAID_ORDER, "--kind", "note", "--reason", LONG, "--action", "x"]):
        case(f"text over 2,000 characters: {' '.join(argv[:2])}", argv, 2,
             "is more than the 2,000 a value may have")

    # --- 7. ids and order numbers that are no row ----------------------------------------------------

    # What the command line names is not in the journal, or the journal refuses it: exit 1.
    for argv, msg in [
        (["handover", "show", BIG], "no handover item"),
        (["handover", "ack", BIG, "--receipt", "x"], "no handover item"),
        (["handover", "ack", "0", "--receipt", "x"], "no handover item"),
        (["exception", "show", BIG], "no exception case"),
        (["handover", "show", BIG + BIG], "no handover item"),
        (["exception", "update", BIG, "--note", "x"], "no exception case"),
        (["exception", "close", BIG, "--outcome", "received"], "no exception case"),
        (["orders", "show", "5118609024991099999"], "no order"),
        (["chase", "log", PAID_ORDER, "--channel", "旺旺"], "paid"),
        (["exception", "log", UNPAID_ORDER, "--kind", "破损", "--detail", "x"], "unpaid"),
        (["--agent", "nobody", "handover", "add", "-c", "回访", "--buyer", "tb", "-p", "x"],
         "not registered"),
    ]:
        case(f"no such row: {' '.join(argv)[:60]}", argv, 1, msg)
    # A value that cannot be what the command line says it is (an id, an order number, a
    # name): a usage mistake, whatever the journal holds, exit 2.
    for argv, msg in [
        (["exception", "show", "#x"], "is not a case id"),
        (["exception", "show", "１.5"], "is not a case id"),
        (["orders", "show", "1" * 300], "at most 32"),
        (["orders", "show", "５１１８订单"], "is not a number"),
        (["orders", "show", "=HYPERLINK(1)"], "is not a number"),
        (["remark", "list", "1" * 40], "at most 32"),
        (["shipcheck", "pack", "٥١١٨/١"], "is not a number"),
        (["remark", "add", "1" * 300, "--kind", "note", "--reason", "x", "--action", "y"],
         "at most 32"),
        (["exception", "log", "1" * 300, "--kind", "破损", "--detail", "x"], "at most 32"),
        (["chase", "log", "1" * 300, "--channel", "旺旺"], "at most 32"),
        (["handover", "add", "-c", "回访", "--buyer", "tb", "-p", "x", "--order", "1" * 300],
         "at most 32"),
        (["handover", "add", "-c", "回访", "--buyer", "tb", "-p", "x", "--order", "5.11861E+18"],
         "turned into a number"),
        (["agent", "add", "x" * 33], "at most 32 characters"),
        (["agent", "add", "倩", "--name", "王" * 65], "at most 64 characters"),
        (["agent", "add", "倩 倩"], "one word"),
    ]:
        case(f"not a value: {' '.join(argv)[:60]}", argv, 2, msg)

    # --- 8. policy values no shop could mean ----------------------------------------------------------

    NUMERIC = {"ship_deadline_hours": "1–720", "unpaid_grace_minutes": "0–10,080",
               "remind_cooldown_hours": "1–168", "chase_cooldown_minutes": "0–10,080",
               "chase_max_attempts": "1–20", "chase_max_age_hours": "1–720", "stalled_days": "1–90",
               "stalled_max_days": "0–365", "remark.memo_max_bytes": "50–100,000"}
    for key, allowed in NUMERIC.items():
        for value in ("1e20", "-1", "1000000000000", "nan", "", "1.5", "9" * 40):
            case(f"policy {key} {value[:14] or 'empty'}", ["policy", "set", key, value], 2, allowed)
    for key, value, msg in [
        ("presale_ship_date", "9999-12-31", "2003–2100"),
        ("presale_ship_date", "0001-01-01", "2003–2100"),
        ("presale_ship_date", "tomorrow", "not a date"),
        ("same_day_cutoff", "25:00", "time of day"),
        ("same_day_cutoff", "24:00", "time of day"),
        ("dispatch_time", "-1:00", "time of day"),
        ("chase_windows.phone", "25:00-26:00", "not a time of day"),
        ("chase_windows.phone", "12:00-10:00", "ends before it starts"),
        ("chase_windows.sms", "[1, 2]", "not HH:MM-HH:MM"),
        ("chase_windows.wangwang", "[not json", "not a JSON list"),
        ("handover.shifts", "day=09:00-09:00", "starts and ends at the same time"),
        ("handover.shifts", "{}", "at least one shift"),
        ("handover.shifts", "brunch=09:00-10:00", "shift"),
        ("flag_scheme", '{"red": 1}', "unknown flag meaning"),
        ("flag_scheme", "pink=presale", "unknown flag colour"),
        ("flag_scheme", "none=presale", "no colour"),
        ("timezone", "../../etc/passwd", "unknown time zone"),
        ("timezone", "Mars/Olympus", "unknown time zone"),
        ("chase_sequence", "pigeon", "channel"),
        ("exception_hours.damaged", "photos=99999", "outside 0..8760"),
        ("exception_hours.damaged", "teleport=1", "has no step"),
        ("exception_min_photos", "damaged=99", "outside 0..20"),
        ("exception_lookahead_hours", "1e9", "whole number"),
        ("remind.dingtalk_webhook", "oapi.dingtalk.com/robot/send?access_token=TOPSECRET1234",
         "with the scheme"),
        ("remind.dingtalk_webhook", "http://oapi.dingtalk.com/robot/send?access_token=TOPSECRET1234",
         "plain http"),
        ("remind.wecom_webhook", "javascript:alert(1)", "not a URL"),
        ("remind.wecom_webhook", "https://u:TOPSECRETpw@qyapi.weixin.qq.com:99999/x", "not a URL"),
        ("no.such.key", "1", "unknown policy key"),
    ]:
        case(f"policy {key} {value[:20]}", ["policy", "set", key, value], 2, msg,
             secret="TOPSECRET")
    case("policy use unknown preset", ["policy", "use", "manual-999"], 2, "unknown preset")

    # --- 9. robots ----------------------------------------------------------------------------------

    for url, msg in [
        ("oapi.dingtalk.com/robot/send?access_token=TOPSECRET1234", "with the scheme"),
        ("http://oapi.dingtalk.com/robot/send?access_token=TOPSECRET1234", "plain http"),
        ("ftp://oapi.dingtalk.com/robot/send?access_token=TOPSECRET1234", "not an https:// URL"),
        ("https:// oapi.dingtalk.com/?access_token=TOPSECRET1234", "not a URL"),
        ("https://user:TOPSECRETpw@[::1/robot?access_token=TOPSECRET1234", "not a URL"),
        ("file:///etc/passwd?access_token=TOPSECRET1234", "not a URL"),
    ]:
        for channel in ("dingtalk", "wecom"):
            case(f"remind --notify {channel} --webhook {url[:30]}",
                 ["--now", "2026-11-24 10:30", "remind", "--notify", channel, "--webhook", url], 2,
                 msg, secret="TOPSECRET")
    case("remind --notify without any webhook", ["remind", "--notify", "wecom"], 2, "needs a webhook")

    # --- 10. the web view: refused before anything listens --------------------------------------------

    for argv, env, msg in [
        (["--host", "0.0.0.0"], {}, "needs a password"),
        (["--host", "::"], {}, "needs a password"),
        (["--host", "shop-pc.local", "--port", "80"], {}, "needs a password"),
        (["--host", "h" * 3000], {}, "needs a password"),
        (["--password-env", "CSTOOL_TEST_NO_SUCH_PW"], {}, "is not set or is empty"),
        (["--password-env", "X" * 10000], {}, "is not set or is empty"),
        (["--host", "0.0.0.0", "--password-env", "SHOP_PW"], {"SHOP_PW": "TOPSECR"},
         "shorter than 8 characters"),
        (["--host", "0.0.0.0", "--password-env", "SHOP_PW"], {"SHOP_PW": ""}, "is not set"),
        (["--port", "70000"], {}, "--port"),
        (["--port", "-1"], {}, "--port"),
        (["--port", "nan"], {}, "--port"),
        (["--port", "8001.5"], {}, "--port"),
    ]:
        name = f"serve {' '.join(argv)[:50]}" + (f" (SHOP_PW={env['SHOP_PW']!r})" if env else "")
        extra = {"env": env, "secret": env["SHOP_PW"]} if env.get("SHOP_PW") else \
            {"env": env} if env else {}
        case(name, ["serve", "--check", *argv], 2, msg, **extra)
    case("serve with an absurd clock", ["--now", "0001-01-01 00:00", "serve", "--check",
                                        "--port", "0"], 2, "--now")
    case("serve without a journal", ["--db", "{tmp}/nowhere/journal.db", "serve", "--check",
                                     "--port", "0"], 1, "no journal at")
    case("serve a file that is no journal", ["--db", "{tmp}/page.db", "serve", "--check",
                                             "--port", "0"], 1, "is not a cstool journal",
         setup=[["copy", "{files}/html_error_page.csv", "{tmp}/page.db"]])


def database(name: str) -> str:
    """A small SQLite database that is not a journal (outputs must never replace one)."""
    import sqlite3

    path = os.path.join(FILES, name)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.commit()
    conn.close()
    return "{files}/" + name


def main() -> None:
    if os.path.isdir(FILES):
        shutil.rmtree(FILES)
    os.makedirs(FILES)
    build()
    with open(os.path.join(HERE, "cases.json"), "w", encoding="utf-8") as fh:
        json.dump(cases, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    print(f"{len(cases)} cases, {len(os.listdir(FILES))} files in {os.path.relpath(FILES, ROOT)}")


if __name__ == "__main__":
    main()
