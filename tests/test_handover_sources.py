"""The handover sheet pulls what the journal knows is still open from every routine."""

from __future__ import annotations

import json

import pytest
from conftest import DEMO_CSV, context, order

from cstool.app import routines
from cstool.core.contract import Source
from cstool.core.journal import Journal
from cstool.handover import sheet as handover_sheet


def sheet(run, now="2026-11-23 23:20"):
    out = run(["--agent", "倩", "--now", now, "handover", "export", "--shift", "night",
               "--format", "json", "-o", "-"], check=0)
    return json.loads(out.stdout)


def test_chase_promises_ship_deadlines_and_exception_steps_reach_the_sheet(run, demo):
    run(["--agent", "倩", "chase", "log", order("unpaid_40min_big"), "--channel", "旺旺",
         "--promise", "明天下午付款"], check=0)
    case = run.json(["--agent", "郑婷", "exception", "log", order("shipped_damaged_reported"),
                     "--kind", "破损", "--detail", "茶具碎了两个", "--json"])
    items = {i["ref"]: i for i in sheet(run)["items"] if i["source"] != "manual"}

    promise = items[f"chase:{order('unpaid_40min_big')}"]
    assert (promise["category"], promise["from"]) == ("callback", "journal")
    assert promise["due_at"] == "2026-11-24T18:00:00+08:00"

    overdue = items[f"ship:{order('paid_80h_overdue')}"]
    assert overdue["category"] == "shipping"  # 跟进发货, with every row about shipping
    assert overdue["due_at"] == "2026-11-23T06:30:00+08:00"  # paid 20th 06:30 + 72 h

    step = items[f"exception:{case['id']}"]
    assert step["order_id"] == order("shipped_damaged_reported")
    assert step["category"] == "courier"


def test_journal_rows_are_not_duplicated_by_a_second_export(run, demo):
    first = sheet(run)
    second = sheet(run, now="2026-11-23 23:25")
    refs = [i["ref"] for i in second["items"] if i["ref"]]
    assert len(refs) == len(set(refs))
    assert {i["id"] for i in first["items"]} == {i["id"] for i in second["items"]}


def test_a_paid_order_leaves_the_sheet_once_its_chase_is_answered(run, demo, tmp_path):
    run(["--agent", "倩", "chase", "log", order("unpaid_40min_big"), "--channel", "旺旺",
         "--promise", "今晚付款"], check=0)
    ref = f"chase:{order('unpaid_40min_big')}"
    assert ref in {i["ref"] for i in sheet(run)["items"]}
    # a later export shows the order paid
    csv_path = tmp_path / "later.csv"
    data = DEMO_CSV.read_bytes().decode("gb18030")
    line = next(x for x in data.split("\r\n") if order("unpaid_40min_big") in x)
    paid = line.replace("等待买家付款", "买家已付款，等待卖家发货").replace(
        "2026-11-23 13:50:00,", "2026-11-23 13:50:00,2026-11-23 22:00:00", 1)
    header = data.split("\r\n")[0]
    csv_path.write_bytes((header + "\r\n" + paid + "\r\n").encode("gb18030"))
    run(["--agent", "倩", "orders", "import", str(csv_path)], check=0)
    assert ref not in {i["ref"] for i in sheet(run, now="2026-11-23 23:30")["items"]
                       if i["resolved_at"] is None}


def test_each_journal_matter_is_listed_once_in_its_category(run, demo):
    """Order …617 (held until the 21st, due) was listed twice: 联系分销 and 跟进发货."""
    rows = sheet(run)["items"]
    held = [r for r in rows if r["order_id"] == order("paid_hold_until_21_due")]
    assert [(r["category"], r["ref"], r["problem"]) for r in held] == [
        ("shipping", held[0]["ref"], "held: ships on 2026-11-21: 21日发货")]  # JSON: English
    assert held[0]["ref"].startswith("hold:")
    late = [r for r in rows if r["ref"] and r["ref"].startswith("ship:")]
    assert late and {r["category"] for r in late} == {"shipping"}
    keys = [(r["order_id"], r["category"]) for r in rows if r["from"] == "journal"
            and r["category"] == "shipping"]
    assert len(keys) == len(set(keys))
    md = run(["--agent", "倩", "--now", "2026-11-23 23:20", "handover", "export", "--shift",
              "night", "--format", "md"], check=0).stdout
    assert md.count(order("paid_hold_until_21_due")) == 1 and "联系分销" not in md


def test_shipcheck_builds_no_row_for_an_order_the_holds_have_a_row_for(demo, monkeypatch):
    # a hold whose date has come is both a hold row and shipcheck's hold_due; the hold's
    # row is kept, so the holds run first and shipcheck is told to leave those orders
    # out (at 3M orders, 602 rows built and dropped): the sheet is the same either way
    from cstool.shipcheck import checks

    j = Journal.open(str(demo))
    try:
        ctx = context(j, "2026-11-23 14:30")
        due = order("paid_hold_until_21_due")  # the demo's memo: 21日发货
        everything = checks.run(ctx, only=checks.FAILING, limit=None).rows
        assert due in {r["order_id"] for r in everything if r["check"] == "hold_due"}
        built = []
        special_row = checks.special_row
        monkeypatch.setattr(checks, "special_row", lambda rules, r, *a: built.append(
            r["order_id"]) or special_row(rules, r, *a))
        # shipcheck building every row, the sheet dropping the held orders' ones
        plain = [Source(s.name, s.rows, s.supersedes) for s in routines.sheet_sources()]
        assert not any(s.leaves_out for s in plain)
        want = handover_sheet.collect(ctx, plain)
        assert due in built
        built.clear()
        got, warnings = handover_sheet.collect(ctx, routines.sheet_sources())
        assert (got, warnings) == want and warnings == []
        held = {r["order_id"] for r in got["holds"]}
        assert due in held and not held & set(built), (held, built)
        assert not held & {r["order_id"] for r in got["shipcheck"]}
        assert list(got) == [s.name for s in plain]  # in the sources' order (the items' ids)
        # a limited run cannot leave rows out (its deadline lists are cut in SQL first)
        with pytest.raises(ValueError):
            checks.run(ctx, only=checks.FAILING, limit=5, leave_out=frozenset({(due, "taobao")}))
    finally:
        j.close()
