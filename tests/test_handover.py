"""Shift handover (交接): items, shifts, the sheet in four formats, receipts read back.

The demo clock is Monday 2026-11-23 14:30 (Asia/Shanghai); the default shifts
are manual 003's: day 09:00-17:30, night 17:30-23:30.
"""

import csv
import json
import re
from datetime import date

import openpyxl
import pytest
from conftest import FIXTURES, context, order

from cstool.app import routines
from cstool.app.policy import Policy
from cstool.core import holds
from cstool.core.clock import Clock
from cstool.core.contract import Source
from cstool.core.errors import InputError
from cstool.core.values import Instant
from cstool.handover import items, receipts, register, sheet, shifts
from cstool.handover.routine import ROUTINE as HANDOVER

hold_source = HANDOVER.sheet[0]

STALLED = order("shipped_stalled_9days")  # buyer tb_shipped_stalle35
DAMAGED = order("shipped_damaged_reported")  # buyer tb_shipped_damage38
PHOTO = FIXTURES / "photos" / "damaged_box.png"
HEADERS = ["编号", "类别", "买家", "订单编号", "联系电话", "问题", "待办", "期限", "图片", "来源",
           "登记人", "登记时间", "回执"]


@pytest.fixture(autouse=True)
def holds_only(monkeypatch, request):
    """Sheets here are built from this file's items and the holds its tests make;
    what the other routines (and the memos' own holds) contribute is tested in
    test_handover_sources.py."""
    registry = routines.sheet_sources()
    monkeypatch.setattr(routines, "sheet_sources", lambda: [hold_source])
    if "demo" in request.fixturenames:
        from cstool.core.journal import Journal

        j = Journal.open(str(request.getfixturevalue("demo")))
        with j.write():
            j.execute("DELETE FROM holds")  # the demo memos' holds (25日发货 …)
        j.close()
    return registry


@pytest.fixture
def cs(run, demo):
    """``cs(args, now=…)``: run as 倩 at a given time (default: the demo clock)."""

    def call(args, now=None, check=0, **kw):
        pre = ["--agent", "倩"] + (["--now", now] if now else [])
        return run(pre + list(args), check=check, **kw)

    call.json = lambda args, now=None: json.loads(call(args, now).stdout)
    return call


def add_courier(cs, now=None, **extra):
    args = ["handover", "add", "-c", "联系快递", "--order", STALLED, "-p", "物流9天未更新",
            "-t", "联系圆通查件, 回复买家", "--json"]
    for k, v in extra.items():
        args += [f"--{k}", v]
    return cs.json(args, now=now)


def add_callback(cs, now=None):
    return cs.json(["handover", "add", "-c", "callback", "--buyer", "tb_lily", "--phone",
                    "13812345678", "-p", "要求退差价, 手机13912345678", "-t", "下午回电",
                    "--json"], now=now)


# --- shifts --------------------------------------------------------------------------


def shift_at(now, journal, name=None, day=None):
    return shifts.resolve_shift(Clock("Asia/Shanghai", now), Policy(journal), name, day)


def test_current_shift_follows_the_clock(journal):
    day = shift_at("2026-11-23 14:30", journal)
    assert (day.name, day.date, day.hours) == ("day", date(2026, 11, 23), "09:00-17:30")
    assert day.start.isoformat() == "2026-11-23T09:00:00+08:00"
    assert day.end.isoformat() == "2026-11-23T17:30:00+08:00"
    night = shift_at("2026-11-23 23:50", journal)
    assert (night.name, night.date) == ("night", date(2026, 11, 23))
    # a night past midnight belongs to the date it started, until the day shift starts
    assert shift_at("2026-11-24 00:30", journal).date == date(2026, 11, 23)
    late = shift_at("2026-11-24 08:59", journal)
    assert (late.name, late.date) == ("night", date(2026, 11, 23))
    assert late.end.isoformat() == "2026-11-24T09:00:00+08:00"


def test_shift_option_means_its_latest_start(journal):
    # at 14:30 tonight's shift has not started: --shift night is last night's
    assert shift_at("2026-11-23 14:30", journal, "night").date == date(2026, 11, 22)
    assert shift_at("2026-11-23 18:00", journal, "晚班").date == date(2026, 11, 23)
    assert shift_at("2026-11-24 00:30", journal, "day").date == date(2026, 11, 23)
    given = shift_at("2026-11-24 00:30", journal, None, date(2026, 11, 20))
    assert (given.name, given.date) == ("night", date(2026, 11, 20))


def test_shifts_command(run):
    rows = run.json(["--now", "2026-11-24 00:30", "handover", "shifts", "--json"])
    assert rows == [
        {"shift": "day", "label": "白班", "date": "2026-11-23", "hours": "09:00-17:30",
         "start": "2026-11-23T09:00:00+08:00", "end": "2026-11-23T17:30:00+08:00",
         "in_progress": False},
        {"shift": "night", "label": "晚班", "date": "2026-11-23", "hours": "17:30-23:30",
         "start": "2026-11-23T17:30:00+08:00", "end": "2026-11-24T09:00:00+08:00",
         "in_progress": True},
    ]


def test_manual_presets_set_the_shifts(run):
    run(["init"], check=0)
    run(["policy", "use", "manual-000"], check=0)
    shown = run.json(["policy", "show", "handover.shifts", "--json"])
    assert shown["value"] == {"day": "08:30-14:30", "mid": "14:30-18:00", "night": "18:00-23:00"}
    rows = run.json(["--now", "2026-11-23 15:00", "handover", "shifts", "--json"])
    assert [(r["shift"], r["in_progress"]) for r in rows] == [
        ("day", False), ("mid", True), ("night", False)]
    run(["policy", "use", "manual-003"], check=0)
    shown = run.json(["policy", "show", "handover.shifts", "--json"])
    assert shown["value"] == {"day": "09:00-17:30", "night": "17:30-23:30"}


def test_policy_set_shifts_accepts_chinese_and_midnight(run, journal):
    result = run(["policy", "set", "handover.shifts", "晚班=18:00-01:00,白班=9:00-18:00"], check=0)
    assert result.output == "handover.shifts = day=09:00-18:00,night=18:00-01:00\n"
    late = shift_at("2026-11-24 00:30", journal)
    assert (late.name, late.date, late.hours) == ("night", date(2026, 11, 23), "18:00-01:00")


@pytest.mark.parametrize("value, message", [
    ("day=09:00", "'09:00' is not HH:MM-HH:MM"),
    ("day=9-17,day=17-23", "shift day is given twice"),
    ("lunch=12:00-13:00", "unknown shift 'lunch'"),
    ("day=25:00-26:00", "'25:00' is not a time of day"),
    ("day=09:00-17:00,night=09:00-23:00", "two shifts start at the same time"),
])
def test_policy_set_shifts_rejects(run, value, message):
    result = run(["policy", "set", "handover.shifts", value], check=2)
    assert message in result.output
    assert result.output.splitlines()[-1].startswith("Error: policy handover.shifts: ")


def test_a_shift_the_shop_does_not_have(cs):
    result = cs(["handover", "export", "--shift", "mid", "-f", "json"], check=2)
    assert result.output.endswith("Error: the shop has no mid shift (中班); policy handover.shifts "
                             "has: day (白班) 09:00-17:30, night (晚班) 17:30-23:30\n")


# --- add, list, ack ------------------------------------------------------------------


def test_add_prints_the_created_item(cs):
    item = add_courier(cs)
    assert item == {
        "id": 1, "category": "courier", "buyer": "tb_shipped_stalle35", "order_id": STALLED,
        "platform": "taobao", "phone": None, "problem": "物流9天未更新", "todo": "联系圆通查件, 回复买家",
        "due_at": None, "photos": [], "source": "manual", "ref": None, "created_by": "倩",
        "created_at": "2026-11-23T14:30:00+08:00", "receipt": None, "acked_by": None,
        "acked_at": None, "resolved_at": None, "resolved_note": None,
    }


def test_add_in_words(cs):
    out = cs(["handover", "add", "-c", "courier", "--order", STALLED, "-p", "物流9天未更新",
              "-t", "查件"], now="2026-11-24 00:30").output
    assert out == f"added item 1: 联系快递 · tb_shipped_stalle35 · {STALLED} (晚班 2026-11-23)\n"


def test_add_library(journal, demo):
    item = register.add(context(journal, "2026-11-23T06:30:00Z", "倩"), category="客诉",
                     problem=" 投诉发货慢 ", buyer="tb_z")
    assert (item["id"], item["category"], item["problem"], item["todo"]) == (
        1, "complaint", "投诉发货慢", None)
    assert item["created_at"] == Instant("2026-11-23T06:30:00Z")


def test_add_masks_phones(cs, run):
    item = add_callback(cs)
    assert (item["phone"], item["problem"]) == ("138****5678", "要求退差价, 手机139****5678")
    shown = run.json(["--reveal", "handover", "show", "1", "--json"])
    assert (shown["phone"], shown["problem"]) == ("13812345678", "要求退差价, 手机13912345678")


def test_add_needs_an_agent(run, demo):
    result = run(["handover", "add", "-c", "meeting", "-p", "新品上架"], check=2)
    assert "--agent" in result.output


def test_add_unknown_category_is_a_usage_error(cs):
    result = cs(["handover", "add", "-c", "快递员", "-p", "x"], check=2)
    assert "unknown handover category '快递员'; use one of: courier (联系快递)" in result.output


@pytest.mark.parametrize("args", [
    ["-c", "aftersale", "-p", "要退货"],
    ["-c", "联系售后", "-p", "要退货", "--buyer", "tb_a"],
    ["-c", "courier", "-p", "查件", "-t", "联系快递", "--order", "5118000000000000000"],
])
def test_contact_items_need_buyer_and_todo(cs, run, args):
    result = cs(["handover", "add"] + args, check=2)
    assert "items need the buyer (--buyer, or an --order the journal knows) and what must be " \
           "done (--todo)" in result.output
    assert run.json(["handover", "list", "--json"]) == []


def test_add_refuses_a_buyer_that_is_not_the_orders(cs):
    result = cs(["handover", "add", "-c", "courier", "--order", STALLED, "--buyer", "tb_other",
                 "-p", "x", "-t", "y"], check=1)
    assert result.output == (f"Error: order {STALLED} was placed by tb_shipped_stalle35, not "
                             "tb_other; check the order number and the buyer\n")


def test_add_unknown_order_is_noted(cs):
    result = cs(["handover", "add", "-c", "callback", "--order", "5118000000000000001",
                 "--buyer", "tb_new", "-p", "刚下单的顾客要改地址"])
    assert result.stderr == "note: order 5118000000000000001 is not in the journal (yet)\n"


def test_add_photo_is_filed_under_the_buyer(cs, env):
    item = add_courier(cs, photo=str(PHOTO))
    assert item["photos"] == ["evidence/tb_shipped_stalle35_handover1_1.png"]
    copied = env.parent / "evidence" / "tb_shipped_stalle35_handover1_1.png"
    assert copied.read_bytes() == PHOTO.read_bytes()


def test_add_bad_photo_writes_nothing(cs, run, env):
    result = cs(["handover", "add", "-c", "callback", "--buyer", "tb_a", "-p", "x", "--photo",
                 str(FIXTURES / "photos" / "not_an_image.png")], check=1)
    assert "not an image" in result.output
    assert run.json(["handover", "list", "--json"]) == []
    assert not (env.parent / "evidence").exists()


def test_list_open_and_by_shift(cs, run):
    add_courier(cs, now="2026-11-23 10:00")
    add_callback(cs, now="2026-11-23 19:00")
    cs(["handover", "ack", "1", "-r", "已查件"], now="2026-11-23 11:00")
    assert [i["id"] for i in run.json(["handover", "list", "--json"])] == [1, 2]
    assert [i["id"] for i in run.json(["handover", "list", "--open", "--json"])] == [2]
    night = run.json(["--now", "2026-11-24 08:00", "handover", "list", "--shift", "night",
                      "--json"])
    assert [i["id"] for i in night] == [2]
    assert [i["id"] for i in run.json(["handover", "list", "--shift", "day", "--date",
                                       "2026-11-23", "--json"])] == [1]
    assert [i["id"] for i in run.json(["handover", "list", "--date", "2026-11-23",
                                       "--json"])] == [1, 2]
    assert [i["id"] for i in run.json(["handover", "list", "-c", "回访", "--json"])] == [2]
    assert [i["id"] for i in run.json(["handover", "list", "--order", STALLED, "--json"])] == [1]


def test_list_table_shows_categories_in_the_readers_language(cs, run):
    add_courier(cs)
    out = run(["handover", "list"], check=0).output.splitlines()
    assert out[0].split() == ["id", "category", "buyer", "order_id", "problem", "todo",
                              "created_by", "created_at", "receipt", "acked_by"]
    assert out[2].split() == ["1", "courier", "tb_shipped_stalle35", STALLED, "物流9天未更新",
                              "联系圆通查件,", "回复买家", "倩", "11-23", "14:30"]
    # Chinese: the manual's words (联系快递), the headers too
    zh = run(["handover", "list"], env={"CSTOOL_LANG": "zh"}, check=0).output.splitlines()
    assert zh[0].split() == ["编号", "类别", "买家", "订单号", "问题", "待办", "登记人",
                             "创建时间", "回执", "回执人"]
    assert zh[2].split()[:2] == ["1", "联系快递"]


def test_ack_records_who_and_when(cs, run):
    add_courier(cs)
    acked = cs.json(["handover", "ack", "1", "--receipt", "已联系圆通, 明天派送", "--json"],
                    now="2026-11-24 09:20")
    assert (acked["receipt"], acked["acked_by"], acked["acked_at"]) == (
        "已联系圆通, 明天派送", "倩", "2026-11-24T09:20:00+08:00")
    # the same receipt again changes nothing (not even the time)
    again = cs.json(["handover", "ack", "1", "-r", "已联系圆通, 明天派送", "--json"],
                    now="2026-11-24 10:00")
    assert again["acked_at"] == "2026-11-24T09:20:00+08:00"


def test_ack_conflict_and_replace(cs, run):
    add_courier(cs)
    cs(["handover", "ack", "1", "-r", "已查件"])
    result = cs(["handover", "ack", "1", "-r", "买家已收到"], check=1)
    assert result.output == ("Error: item 1 already has the receipt '已查件' (倩); "
                             "give --replace to change it\n")
    replaced = cs.json(["handover", "ack", "1", "-r", "买家已收到", "--replace", "--json"])
    assert replaced["receipt"] == "买家已收到"


def test_ack_unknown_item_changes_nothing(cs, run):
    add_courier(cs)
    result = cs(["handover", "ack", "1", "7", "-r", "done"], check=1)
    assert result.output == "Error: no handover item 7; see: cstool handover list --open\n"
    assert run.json(["handover", "show", "1", "--json"])["receipt"] is None


def test_ack_library_several(journal, demo):
    for p in ("a", "b"):
        register.add(context(journal, "2026-11-23T01:00:00Z", "倩"), category="meeting", problem=p)
    acked = register.ack(context(journal, "2026-11-23T02:00:00Z", "郑婷"), [1, 2, 1], "已读")
    assert [(i["id"], i["receipt"], i["acked_by"]) for i in acked] == [
        (1, "已读", "郑婷"), (2, "已读", "郑婷")]
    with pytest.raises(InputError):
        register.ack(context(journal, "2026-11-23T02:00:00Z", "郑婷"), [1], " ")


def test_orders_show_lists_handover_items(cs, run):
    add_courier(cs)
    shown = run.json(["orders", "show", STALLED, "--json"])
    assert shown["handover"] == [{
        "id": 1, "category": "courier", "problem": "物流9天未更新", "todo": "联系圆通查件, 回复买家",
        "created_by": "倩", "created_at": "2026-11-23T14:30:00+08:00", "receipt": None,
        "acked_by": None, "acked_at": None}]


# --- the sheet -----------------------------------------------------------------------


def night_sheet(cs):
    """Items over two days, then it is 23:20 on Monday night."""
    add_courier(cs, now="2026-11-22 20:00")            # 1: Sunday night, still open: carried
    cs(["handover", "add", "-c", "meeting", "-p", "周一例会", "--json"], now="2026-11-23 09:30")
    cs(["handover", "ack", "2", "-r", "已读"], now="2026-11-23 10:00")  # 2: acked: not carried
    add_callback(cs, now="2026-11-23 18:10")           # 3: tonight
    cs(["handover", "add", "-c", "联系售后", "--order", DAMAGED, "-p", "茶具破损, 买家发来照片",
        "-t", "补发一套", "--photo", str(PHOTO)], now="2026-11-23 21:00")  # 4: tonight


def test_export_xlsx_cell_by_cell(cs, tmp_path):
    night_sheet(cs)
    out = tmp_path / "night.xlsx"
    result = cs(["handover", "export", "--shift", "night", "-o", str(out)], now="2026-11-23 23:20")
    assert result.output == (f"wrote {out}: 晚班 2026-11-23 17:30-23:30, 3 items (2 this shift, "
                             "1 carried over, 0 from the journal)\n")
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == "工作交接记录表 · 晚班 2026-11-23 17:30-23:30 · 交接人 倩 · 导出 2026-11-23 23:20"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:M1"]
    assert [c.value for c in ws[2]] == HEADERS
    assert ws.freeze_panes == "A3"
    # 22 characters wide as Excel shows it (the file stores it with its cell padding)
    assert int(ws.column_dimensions["D"].width) == 22
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    assert rows == [
        [1, "联系快递", "tb_shipped_stalle35", STALLED, None, "物流9天未更新", "联系圆通查件, 回复买家",
         None, None, "遗留", "倩", "2026-11-22 20:00", None],
        [4, "联系售后", "tb_shipped_damage38", DAMAGED, None, "茶具破损, 买家发来照片", "补发一套",
         None, "tb_shipped_damage38_handover4_1.png", "本班", "倩", "2026-11-23 21:00", None],
        [3, "回访", "tb_lily", None, "138****5678", "要求退差价, 手机139****5678", "下午回电", None,
         None, "本班", "倩", "2026-11-23 18:10", None],
    ]
    # order numbers are text cells, never numbers Excel would round
    assert ws["D3"].data_type == "s" and ws["D3"].number_format == "@"
    assert ws["D4"].data_type == "s" and ws["E5"].number_format == "@"


def test_export_xlsx_keeps_its_look_and_empty_number_cells_are_text(cs, tmp_path):
    night_sheet(cs)
    cs(["handover", "add", "-c", "联系售后", "--buyer", "tb_lily", "-p", "两张照片", "-t", "补发",
        "--photo", str(PHOTO), "--photo", str(FIXTURES / "photos" / "damaged_item.png")], now="2026-11-23 22:00")
    out = tmp_path / "night.xlsx"
    cs(["handover", "export", "--shift", "night", "-o", str(out)], now="2026-11-23 23:20")
    ws = openpyxl.load_workbook(out).active
    assert ws.title == "晚班2026-11-23" and ws.auto_filter.ref == "A2:M6"
    assert ws["A1"].font.b and ws["A1"].font.sz == 13
    assert all(c.font.b for c in ws[2]) and ws["M2"].fill.fgColor.rgb[-6:] == "FFF2CC"
    assert not ws["A3"].font.b and ws["A3"].data_type == "n"  # the id is a number
    # no phone on the courier item: the next shift may type one in, and it stays text
    assert ws["E3"].value is None and ws["E3"].number_format == "@"
    # photos one per line: wrapped when there are two
    photos = {c.value.count("\n") + 1: c.alignment.wrap_text for c in ws["I"][2:] if c.value}
    assert photos == {1: None, 2: True}
    assert [c.number_format for c in ws[4]][2:5] == ["@", "@", "@"]


def test_export_xlsx_reveal(cs, tmp_path):
    add_callback(cs)
    out = tmp_path / "s.xlsx"
    cs(["--reveal", "handover", "export", "-o", str(out)])
    ws = openpyxl.load_workbook(out).active
    assert (ws["E3"].value, ws["F3"].value) == ("13812345678", "要求退差价, 手机13912345678")


def test_export_csv_has_a_bom_and_text_order_numbers(cs, tmp_path):
    night_sheet(cs)
    out = tmp_path / "night.csv"
    cs(["handover", "export", "--shift", "晚班", "-o", str(out)], now="2026-11-23 23:20")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf\xe7\xbc\x96\xe5\x8f\xb7,")  # BOM, then 编号
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == HEADERS
    assert rows[1] == ["1", "联系快递", "tb_shipped_stalle35", f'="{STALLED}"', "", "物流9天未更新",
                       "联系圆通查件, 回复买家", "", "", "遗留", "倩", "2026-11-22 20:00", ""]
    assert rows[3][:6] == ["3", "回访", "tb_lily", "", "138****5678", "要求退差价, 手机139****5678"]
    assert len(rows) == 4


def test_export_markdown(cs):
    night_sheet(cs)
    out = cs(["handover", "export", "--shift", "night", "--format", "md"],
             now="2026-11-23 23:20").stdout
    assert out == f"""## 工作交接记录表 · 晚班 2026-11-23 17:30-23:30 · 交接人 倩 · 导出 2026-11-23 23:20

3 项: 本班 2 · 遗留 1 · 日志 0。回执请按编号填写。

### 联系快递 (1)

| 编号 | 买家 | 订单编号 | 问题 | 待办 | 来源 | 登记人 | 登记时间 | 回执 |
|---|---|---|---|---|---|---|---|---|
| 1 | tb_shipped_stalle35 | {STALLED} | 物流9天未更新 | 联系圆通查件, 回复买家 | 遗留 | 倩 | 2026-11-22 20:00 |  |

### 联系售后 (1)

| 编号 | 买家 | 订单编号 | 问题 | 待办 | 图片 | 来源 | 登记人 | 登记时间 | 回执 |
|---|---|---|---|---|---|---|---|---|---|
| 4 | tb_shipped_damage38 | {DAMAGED} | 茶具破损, 买家发来照片 | 补发一套 | tb_shipped_damage38_handover4_1.png | 本班 | 倩 | 2026-11-23 21:00 |  |

### 回访 (1)

| 编号 | 买家 | 联系电话 | 问题 | 待办 | 来源 | 登记人 | 登记时间 | 回执 |
|---|---|---|---|---|---|---|---|---|
| 3 | tb_lily | 138****5678 | 要求退差价, 手机139****5678 | 下午回电 | 本班 | 倩 | 2026-11-23 18:10 |  |
"""


def test_export_markdown_escapes_pipes_and_newlines(cs):
    cs(["handover", "add", "-c", "promotion", "-p", "满300减30 | 仅今天\n第二行"])
    out = cs(["handover", "export", "-f", "md"]).stdout
    assert "| 1 | 满300减30 \\| 仅今天<br>第二行 | 本班 | 倩 | 2026-11-23 14:30 |  |" in out


def test_export_json(cs, run):
    night_sheet(cs)
    sheet = cs.json(["handover", "export", "--shift", "night", "--json"], now="2026-11-23 23:20")
    assert {k: v for k, v in sheet.items() if k != "items"} == {
        "shop": "", "shift": "night", "label": "晚班", "date": "2026-11-23",
        "hours": "17:30-23:30", "start": "2026-11-23T17:30:00+08:00",
        "end": "2026-11-24T09:00:00+08:00", "agent": "倩",
        "generated_at": "2026-11-23T23:20:00+08:00",
        "counts": {"shift": 2, "carried": 1, "journal": 0}, "warnings": []}
    assert [(i["id"], i["from"], i["category"], i["category_label"]) for i in sheet["items"]] == [
        (1, "carried", "courier", "联系快递"), (4, "shift", "aftersale", "联系售后"),
        (3, "shift", "callback", "回访")]
    assert sheet["items"][2]["phone"] == "138****5678"
    assert sheet["items"][1]["photos"] == ["evidence/tb_shipped_damage38_handover4_1.png"]


def test_export_shop_name_in_the_title(cs, run):
    run(["policy", "set", "shop_name", "上上屋旗舰店"], check=0)
    out = cs(["handover", "export", "-f", "md"]).stdout
    assert out.startswith("## 上上屋旗舰店 工作交接记录表 · 白班 2026-11-23 09:00-17:30 · 交接人 倩")


def test_export_xlsx_default_name_and_no_overwrite(cs, run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    add_courier(cs)
    cs(["handover", "export"])
    assert (tmp_path / "handover-2026-11-23-day.xlsx").exists()
    result = cs(["handover", "export"], check=1)
    assert "handover-2026-11-23-day.xlsx already exists; give --force to replace it" in result.output
    cs(["handover", "export", "--force"])


def test_export_xlsx_to_stdout_is_refused(cs):
    result = cs(["handover", "export", "-f", "xlsx", "-o", "-"], check=2)
    assert "an xlsx sheet goes to a file; give -o FILE.xlsx" in result.output


def test_export_needs_an_agent(run, demo):
    assert "--agent" in run(["handover", "export", "-f", "json"], check=2).output


# --- rows from the journal -----------------------------------------------------------


def make_holds(journal):
    at = "2026-11-22T02:00:00Z"
    holds.add(journal, order("paid_hold_until_21_due"), "until", at, until="2026-11-21")  # 1
    holds.add(journal, order("paid_presale"), "presale", at, until="2026-11-24",
              note="定金已付")  # 2
    holds.add(journal, order("paid_hold_until_25"), "until", at, until="2026-11-25")  # 3: later
    holds.add(journal, order("paid_waiting_buyer"), "waiting_buyer", at)  # 4: not a date
    holds.add(journal, order("closed_refunded"), "until", at, until="2026-11-20")  # 5: closed
    holds.add(journal, order("paid_yesterday_evening"), "until", at, until="2026-11-22")  # 6
    holds.release(journal, order("paid_yesterday_evening"), at)


def test_hold_rows(journal, demo):
    make_holds(journal)
    from cstool.core import i18n

    rows = sheet.hold_rows(context(journal, "2026-11-23 14:30"))
    with i18n.using("zh"):  # the sheet reads them in its reader's language (English kept)
        rows = [{k: i18n.shown(v) for k, v in r.items()} for r in rows]
    assert rows == [
        {"ref": "hold:1", "category": "shipping", "buyer": "tb_paid_hold_unti17",
         "order_id": order("paid_hold_until_21_due"), "platform": "taobao",
         "problem": "挂起至2026-11-21发货",
         "todo": "已到期, 尽快安排发货", "due_at": "2026-11-20T16:00:00Z"},
        {"ref": "hold:2", "category": "shipping", "buyer": "tb_paid_presale21",
         "order_id": order("paid_presale"), "platform": "taobao",
         "problem": "预售至2026-11-24发货: 定金已付",
         "todo": "明天到期, 安排发货", "due_at": "2026-11-23T16:00:00Z"},
    ]


def test_hold_rows_look_up_the_holds_of_the_orders_to_ship(journal, demo, monkeypatch):
    # holds stay open on orders long shipped (a whole history of them): the sheet starts
    # from the orders still to ship and looks their holds up, never reads every open hold
    make_holds(journal)
    asked = []
    query = journal.query
    monkeypatch.setattr(journal, "query", lambda sql, params=(): asked.append((sql, params))
                        or query(sql, params))
    rows = sheet.hold_rows(context(journal, "2026-11-23 14:30"))
    assert [r["ref"] for r in rows] == ["hold:1", "hold:2"]
    (sql, params), = [(s, p) for s, p in asked if "FROM holds" in s or "holds h" in s]
    plan = " | ".join(r[3] for r in query("EXPLAIN QUERY PLAN " + sql, params))
    assert "SCAN h" not in plan and "SCAN holds" not in plan, plan
    # from the orders still to pay or ship that have an open hold (m0088; each one's row
    # read only for the holds due, for the buyer)
    assert plan.startswith("SCAN q USING INDEX orders_live_held |"), plan
    # each order's holds are one search, by the order alone (the kinds in the key would
    # make it a search per kind)
    searches = re.findall(r"SEARCH h USING (?:COVERING )?INDEX holds_open_kinds \(([^)]*)\)",
                          plan)
    assert searches and set(searches) == {"order_id=? AND platform=?"}, plan


def test_hold_rows_tomorrow_is_after_the_night_shift(journal, demo):
    make_holds(journal)
    # 00:30 on the 24th is still the night of the 23rd: tomorrow is the 24th
    rows = sheet.hold_rows(context(journal, "2026-11-24 00:30"))
    assert [r["ref"] for r in rows] == ["hold:1", "hold:2"]
    rows = sheet.hold_rows(context(journal, "2026-11-24 09:00"))
    assert [r["ref"] for r in rows] == ["hold:1", "hold:2", "hold:3"]


def test_journal_rows_on_the_sheet(cs, journal):
    make_holds(journal)
    add_courier(cs)
    sheet = cs.json(["handover", "export", "--json"])
    assert sheet["counts"] == {"shift": 1, "carried": 0, "journal": 2}
    assert [(i["id"], i["from"], i["ref"], i["source"], i["category"], i["due_at"])
            for i in sheet["items"]] == [
        (1, "shift", None, "manual", "courier", None),
        (2, "journal", "hold:1", "holds", "shipping", "2026-11-21T00:00:00+08:00"),
        (3, "journal", "hold:2", "holds", "shipping", "2026-11-24T00:00:00+08:00"),
    ]


def test_journal_rows_are_marked_on_the_sheet(cs, journal, tmp_path, monkeypatch):
    monkeypatch.setenv("CSTOOL_LANG", "zh")  # the sheet's own rows read in its language
    make_holds(journal)
    out = tmp_path / "s.xlsx"
    cs(["handover", "export", "-o", str(out)])
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[3]] == [
        1, "跟进发货", "tb_paid_hold_unti17", order("paid_hold_until_21_due"), None,
        "挂起至2026-11-21发货", "已到期, 尽快安排发货", "2026-11-21 00:00", None, "日志 hold:1", "倩",
        "2026-11-23 14:30", None]


def test_reexport_reuses_journal_items(cs, journal, run):
    make_holds(journal)
    first = cs.json(["handover", "export", "--json"])
    second = cs.json(["handover", "export", "--json"], now="2026-11-23 16:00")
    assert [i["id"] for i in first["items"]] == [1, 2]
    assert [i["id"] for i in second["items"]] == [1, 2]
    assert [i["id"] for i in run.json(["handover", "list", "--json"])] == [1, 2]


def test_journal_item_resolved_when_no_longer_open(cs, journal, run):
    make_holds(journal)
    cs(["handover", "export", "-f", "json"])
    holds.release(journal, order("paid_presale"), "2026-11-23T07:00:00Z")
    sheet = cs.json(["handover", "export", "--json"], now="2026-11-23 15:30")
    assert [i["ref"] for i in sheet["items"]] == ["hold:1"]
    gone = run.json(["handover", "show", "2", "--json"])
    assert (gone["resolved_at"], gone["resolved_note"]) == (
        "2026-11-23T15:30:00+08:00", "no longer open in the journal")
    assert [i["id"] for i in run.json(["handover", "list", "--open", "--json"])] == [1]


def test_acked_journal_item_that_is_still_open_gets_a_new_item(cs, journal):
    make_holds(journal)
    cs(["handover", "export", "-f", "json"], now="2026-11-23 23:00")
    cs(["handover", "ack", "1", "-r", "已通知仓库"], now="2026-11-24 09:10")
    sheet = cs.json(["handover", "export", "--json"], now="2026-11-24 17:00")
    assert [(i["id"], i["ref"], i["receipt"]) for i in sheet["items"]] == [
        (3, "hold:1", None), (2, "hold:2", None), (4, "hold:3", None)]


def test_no_journal_option(cs, journal, run):
    make_holds(journal)
    add_courier(cs)
    sheet = cs.json(["handover", "export", "--json", "--no-journal"])
    assert [i["id"] for i in sheet["items"]] == [1]
    assert len(run.json(["handover", "list", "--json"])) == 1


def test_failed_export_writes_nothing(cs, journal, run, tmp_path):
    make_holds(journal)
    out = tmp_path / "s.csv"
    out.write_text("keep me")
    cs(["handover", "export", "-o", str(out)], check=1)
    assert out.read_text() == "keep me"
    assert run.json(["handover", "list", "--json"]) == []


@pytest.fixture
def sources(monkeypatch):
    """The sheet's sources: a working extra one, a broken one and the holds."""
    def good(ctx):
        return [
            {"ref": "chase:7", "category": "回访", "buyer": "tb_unpaid_promise07",
             "order_id": order("unpaid_promised"), "problem": "顾客说明天下午付款",
             "todo": "下午旺旺提醒付款", "due_at": Instant("2026-11-24T06:00:00Z")},
            {"ref": "chase:7", "category": "callback", "problem": "duplicate ref: dropped"},
        ]

    def fail(ctx):
        raise KeyError("status")

    given = [Source("chase", good), Source("broken", fail), hold_source]
    monkeypatch.setattr(routines, "sheet_sources", lambda: given)
    return given


def test_the_routines_name_the_sheet_sources(holds_only):
    assert [s.name for s in holds_only] == ["exception", "chase", "shipcheck", "holds"]
    assert [s.supersedes for s in holds_only] == [(), (), (), ("shipcheck",)]


def test_registry_collects_present_sources(sources, cs, journal):
    make_holds(journal)
    result = cs(["handover", "export", "--json"])
    assert result.stderr == ("warning: open items from broken are missing from the sheet "
                             "(KeyError: 'status')\n")
    sheet = json.loads(result.stdout)
    assert sheet["warnings"] == ["open items from broken are missing from the sheet "
                                 "(KeyError: 'status')"]
    assert [(i["id"], i["ref"], i["source"], i["category"]) for i in sheet["items"]] == [
        (1, "chase:7", "chase", "callback"), (2, "hold:1", "holds", "shipping"),
        (3, "hold:2", "holds", "shipping")]
    chase = sheet["items"][0]
    assert (chase["buyer"], chase["order_id"], chase["problem"], chase["todo"],
            chase["due_at"]) == ("tb_unpaid_promise07", order("unpaid_promised"), "顾客说明天下午付款",
                                 "下午旺旺提醒付款", "2026-11-24T14:00:00+08:00")


def test_registry_library(sources, journal, demo):
    collected, warnings = sheet.collect(context(journal, "2026-11-23 14:30"), sources)
    assert list(collected) == ["chase", "holds"]
    assert collected["holds"] == []
    assert len(warnings) == 1


# --- receipts back -------------------------------------------------------------------


def exported_night(cs, tmp_path, fmt="xlsx"):
    night_sheet(cs)
    out = tmp_path / f"night.{fmt}"
    cs(["handover", "export", "--shift", "night", "-o", str(out)], now="2026-11-23 23:20")
    return out


def fill_xlsx(path, receipts, extra_rows=()):
    """Fill the receipt column (M) by item id, as the morning shift does in Excel."""
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for row in ws.iter_rows(min_row=3):
        if row[0].value in receipts:
            row[12].value = receipts[row[0].value]
    for extra in extra_rows:
        ws.append(extra)
    filled = path.with_name("filled-" + path.name)
    wb.save(filled)
    return filled


def items_state(run):
    return [(i["id"], i["receipt"], i["acked_by"], i["acked_at"])
            for i in run.json(["handover", "list", "--json"])]


def test_import_filled_xlsx_twice(cs, run, tmp_path):
    filled = fill_xlsx(exported_night(cs, tmp_path), {1: "已联系圆通, 今天派送", 4: " 已补发 "})
    result = run.json(["--agent", "郑婷", "--now", "2026-11-24 09:40", "handover", "import",
                       str(filled), "--json"])
    assert result == {"file": str(filled), "format": "xlsx", "rows": 3, "receipts": 2,
                      "recorded": 2, "unchanged": 0, "conflicts": [], "unknown": [],
                      "dry_run": False}
    state = items_state(run)
    assert state == [
        (1, "已联系圆通, 今天派送", "郑婷", "2026-11-24T09:40:00+08:00"),
        (2, "已读", "倩", "2026-11-23T10:00:00+08:00"),
        (3, None, None, None),
        (4, "已补发", "郑婷", "2026-11-24T09:40:00+08:00"),
    ]
    again = run(["--agent", "郑婷", "--now", "2026-11-24 10:00", "handover", "import",
                 str(filled)], check=0)
    assert again.output == (f"{filled}: 2 receipts in 3 rows: recorded 0, 2 unchanged, "
                            "0 conflicts, 0 unknown\n")
    assert items_state(run) == state


def test_import_conflict_is_reported_not_overwritten(cs, run, tmp_path):
    filled = fill_xlsx(exported_night(cs, tmp_path), {1: "已联系圆通", 3: "已回电"})
    cs(["handover", "ack", "1", "-r", "买家已签收"], now="2026-11-24 09:00")
    result = run(["--agent", "郑婷", "--now", "2026-11-24 09:40", "handover", "import",
                  str(filled)], check=0)
    assert result.stdout == (f"{filled}: 2 receipts in 3 rows: recorded 1, 0 unchanged, "
                             "1 conflicts, 0 unknown\n")
    assert result.stderr == ("  row 3: item 1 already has the receipt '买家已签收' (倩); the sheet "
                             "says '已联系圆通' (kept; change it with: cstool handover ack 1 "
                             "--replace -r …)\n")
    state = {i: r for i, r, _, _ in items_state(run)}
    assert (state[1], state[3]) == ("买家已签收", "已回电")


def test_import_conflict_json(cs, run, tmp_path):
    filled = fill_xlsx(exported_night(cs, tmp_path), {1: "已联系圆通"})
    cs(["handover", "ack", "1", "-r", "买家已签收"], now="2026-11-24 09:00")
    result = run.json(["--agent", "郑婷", "handover", "import", str(filled), "--json"])
    assert result["conflicts"] == [{"row": 3, "id": 1, "receipt": "已联系圆通",
                                    "recorded": "买家已签收", "acked_by": "倩",
                                    "acked_at": "2026-11-24T09:00:00+08:00"}]


def test_import_unknown_ids_are_reported_not_guessed(cs, run, tmp_path):
    filled = fill_xlsx(exported_night(cs, tmp_path), {3: "已回电"}, extra_rows=[
        [99, "回访", "tb_x", None, None, "新加的一行", None, None, None, None, None, None, "已处理"],
        [None, "客诉", "tb_y", None, None, "没有编号", None, None, None, None, None, None, "已道歉"],
        [4, "联系售后", "tb_shipped_damage38", STALLED, None, "编号对不上订单", None, None, None,
         None, None, None, "已补发"],
    ])
    result = run.json(["--agent", "郑婷", "handover", "import", str(filled), "--json"])
    assert (result["recorded"], result["conflicts"]) == (1, [])
    assert result["unknown"] == [
        {"row": 6, "id": 99, "error": "no handover item 99"},
        {"row": 7, "id": None, "error": "no item id in the row"},
        {"row": 8, "id": 4, "error": f"the row's order {STALLED} is not item 4's order {DAMAGED}"},
    ]
    assert {i: r for i, r, _, _ in items_state(run)} == {1: None, 2: "已读", 3: "已回电", 4: None}


def test_import_strict_and_dry_run(cs, run, tmp_path):
    filled = fill_xlsx(exported_night(cs, tmp_path), {3: "已回电"}, extra_rows=[
        [99, None, None, None, None, None, None, None, None, None, None, None, "x"]])
    before = items_state(run)
    result = run(["--agent", "郑婷", "handover", "import", str(filled), "--strict"], check=1)
    assert result.output == (f"Error: {filled}: 1 unknown and 0 conflicting row(s) (--strict), "
                             "nothing recorded; first: row 6, item 99\n")
    assert items_state(run) == before
    dry = run.json(["--agent", "郑婷", "handover", "import", str(filled), "--dry-run", "--json"])
    assert (dry["recorded"], dry["dry_run"]) == (1, True)
    assert items_state(run) == before


def test_import_filled_csv_utf8_and_gb18030(cs, run, tmp_path):
    out = exported_night(cs, tmp_path, "csv")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[1][12] = "已联系圆通"
    rows[1][3] = STALLED  # Excel saves ="…" back as plain digits
    filled = tmp_path / "filled.csv"
    with open(filled, "w", encoding="gb18030", newline="") as fh:  # as Excel saves it in China
        csv.writer(fh).writerows(rows)
    result = run.json(["--agent", "郑婷", "handover", "import", str(filled), "--json"])
    assert (result["format"], result["recorded"], result["unknown"]) == ("csv", 1, [])
    assert items_state(run)[0][:2] == (1, "已联系圆通")


def test_import_library_and_mangled_order_numbers(cs, journal, tmp_path):
    out = exported_night(cs, tmp_path)
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    ws["D3"] = float(STALLED)  # retyped as a number: cannot be checked, the id decides
    ws["M3"] = "已联系圆通"
    wb.save(out)
    result = receipts.import_receipts(context(journal, "2026-11-24T01:00:00Z", "郑婷"), str(out))
    assert (result.recorded, result.unknown) == (1, [])
    assert items.get(journal, 1)["receipt"] == "已联系圆通"


def test_import_rejects_files_that_are_not_sheets(cs, tmp_path):
    result = cs(["handover", "import", str(FIXTURES / "taobao_orders_utf8.csv")], check=1)
    assert result.output == (f"Error: {FIXTURES / 'taobao_orders_utf8.csv'}: not a handover "
                             "sheet: no header row with 编号 and 回执 in its first 20 rows\n")
    result = cs(["handover", "import", str(tmp_path / "nope.xlsx")], check=1)
    assert result.output == f"Error: {tmp_path / 'nope.xlsx'}: no such file\n"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    assert "cannot read it as an xlsx workbook" in cs(["handover", "import", str(bad)],
                                                      check=1).output


def test_every_handover_command_has_help_with_an_example(run):
    for name in ("add", "list", "show", "ack", "export", "import", "shifts"):
        out = run(["handover", name, "--help"], check=0).output
        assert "cstool handover" in out, name


@pytest.mark.parametrize("reveal", [False, True])
def test_sheet_cells_read_each_text_once_and_the_same(reveal):
    # the sheet reads a repeated text or time once; what it reads is what the renderer
    # reads, masked or revealed alike, and a message is read each time
    from cstool.core.i18n import M_
    from cstool.core.output import Renderer

    renderer = Renderer(Clock("Asia/Shanghai", "2026-11-23 15:00"), reveal=reveal)
    read = sheet._texts(renderer)
    values = ["买家电话 13812345678 改地址", Instant("2026-11-23T07:00:00Z"), None, "",
              M_("held: ships on {until}", until="2026-11-24"), 3,
              "买家电话 13812345678 改地址", Instant("2026-11-23T07:00:00Z"),
              M_("held: ships on {until}", until="2026-11-24")]
    assert [read(v) for v in values] == [renderer.text(v) for v in values]
    assert ("13812345678" in read(values[0])) is reveal
