"""Several platforms and shops: the real exports' headers and quirks, order lines, ship-by,
scope, per-shop policy and each platform's chat (fixtures/platform_exports.py)."""

from __future__ import annotations

import sys

import pytest
from conftest import DEMO_CSV, FIXTURES

sys.path.insert(0, str(FIXTURES))
import platform_exports as px  # noqa: E402

TEAPOT = "3515313147329357901"     # one line refunded, one to ship
PAN = "3508286990564888402"        # in the classic 宝贝报表
LATE = "3519977000000000003"       # in the order export and the 2020 item CSV
QIANNIU = "3521111000000000004"    # Qianniu item xlsx: 应发货时间 past
XLSX = "3522222000000000005"       # the newer order xlsx: 应发货时间 past


@pytest.fixture
def files(tmp_path):
    return px.write_all(tmp_path / "exports")


@pytest.fixture
def imp(run, env):
    run(["init"], check=0)
    run(["agent", "add", "倩"], check=0)

    def go(*args, check=0):
        return run(["--agent", "倩", "orders", "import", *map(str, args)], check=check)

    return go


def dump_orders_and_lines(db) -> tuple:
    """What the journal knows of orders and lines, without which import wrote it."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(orders)") if r[1] != "import_id"]
        orders = conn.execute(f"SELECT {', '.join(cols)} FROM orders ORDER BY order_id").fetchall()
        lcols = [r[1] for r in conn.execute("PRAGMA table_info(order_lines)")
                 if r[1] not in ("id", "import_id")]
        lines = conn.execute(f"SELECT {', '.join(lcols)} FROM order_lines "
                             "ORDER BY order_id, line_key").fetchall()
        remarks = conn.execute("SELECT order_id, platform, source, text FROM remarks "
                               "ORDER BY order_id, text").fetchall()
    finally:
        conn.close()
    return orders, lines, remarks


# --- order lines ------------------------------------------------------------------------


def test_item_file_first_or_last_gives_the_same_journal(run, imp, env, files, tmp_path):
    imp(files["taobao_orders"])
    imp(files["taobao_items_2020"])
    after = dump_orders_and_lines(str(env))
    other = str(tmp_path / "other.db")
    run(["--db", other, "init"], check=0)
    run(["--db", other, "agent", "add", "倩"], check=0)
    for f in (files["taobao_items_2020"], files["taobao_orders"]):
        run(["--db", other, "--agent", "倩", "orders", "import", str(f)], check=0)
    before = dump_orders_and_lines(other)
    assert after == before
    assert len(after[1]) == 5  # lines, never orders: the item file made no order of its own
    assert len(after[0]) == 4


def test_a_partly_refunded_order_stays_to_ship_with_its_lines(run, imp, files):
    imp(files["taobao_items_2020"])  # first: the refunded line must not close the order
    imp(files["taobao_orders"])
    o = run.json(["orders", "show", TEAPOT, "--json"])
    assert (o["status"], o["part_refunded"], o["refund_amount"]) == ("paid", True, "69.00")
    assert [(i["sub_order_id"], i["title"], i["status"], i["refund_status"], i["refund_amount"])
            for i in o["items"]] == [
        ("3515313147329357911", "紫砂茶壶 西施壶", "paid", "none", "0.00"),
        ("3515313147329357912", "羊毛围巾 驼色", "closed", "refunded", "69.00")]
    assert set(o["items"][0]) >= {"sub_order_id", "title", "sku", "merchant_code", "quantity",
                                  "price", "status", "refund_status", "refund_amount"}
    assert o["items"][1]["sku"] is None  # 商品属性 'null' is empty
    row = next(r for r in run.json(["shipcheck", "--json", "--limit", "0"])
               if r["order_id"] == TEAPOT)
    assert row["part_refunded"] is True
    assert "ship only 紫砂茶壶 西施壶" in row["detail"] and "¥69.00 refunded" in row["detail"]
    pack = run.json(["shipcheck", "pack", TEAPOT, "--json"])
    assert [(ln["title"], ln["pack"]) for ln in pack["lines"]] == [
        ("紫砂茶壶 西施壶", True), ("羊毛围巾 驼色", False)]
    assert pack["quantity"] == 1 and pack["item_no"] == "ZS-XS-200"
    assert "do not pack 羊毛围巾 驼色 ×1 (closed)" in pack["warnings"]


def test_an_item_file_creates_the_order_it_names_with_the_status_of_its_lines(run, imp, files):
    imp(files["taobao_items_2020"])
    o = run.json(["orders", "show", LATE, "--json"])
    assert (o["status"], o["amount"], o["created_at"]) == (
        "paid", "318.00", "2026-11-22T20:00:00+08:00")
    assert o["seller_memo"] == "晚上8点后送货 2026.11.22 倩"  # 主订单备注
    imp(files["taobao_orders"])
    assert run.json(["orders", "show", LATE, "--json"])["buyer"] == "tb_late_export"


def test_the_classic_item_report_fills_the_packing_checklist(run, imp, files):
    imp(files["taobao_orders"])
    before = run.json(["shipcheck", "pack", PAN, "--json"])
    assert (before["item_no"], before["colour"]) == (None, None)  # the order export alone
    out = imp(files["taobao_items"]).output
    assert "imported 2 rows (lines): 2 new" in out  # rows end with a comma: read all the same
    pack = run.json(["shipcheck", "pack", PAN, "--json"])
    assert (pack["item_no"], pack["colour"], pack["quantity"]) == ("YO-PAN-20", "20厘米锅-不含盖", 1)
    text = run(["shipcheck", "pack", PAN], check=0).output
    assert "YO-PAN-20" in text and "  item no         YO-PAN-20" in text


def test_an_item_report_alone_is_not_refused_as_a_broken_order_export(run, imp, files):
    out = run.json(["--agent", "倩", "orders", "import", str(files["taobao_items"]), "--json"])
    assert (out[0]["format"], out[0]["level"], out[0]["rejected"]) == ("taobao-items", "lines", [])
    assert out[0]["waiting_lines"] == 2  # no order export yet, and no times to create one


# --- every platform, without --map ---------------------------------------------------------


@pytest.mark.parametrize("name, fmt, platform, extra", [
    ("taobao_orders", "taobao-csv", "taobao", []),
    ("taobao_xlsx", "taobao-xlsx", "taobao", []),
    ("qianniu_items", "qianniu-items", "taobao", []),
    ("pdd", "pdd", "pdd", ["--shop", px.PDD_SHOP]),
    ("jd", "jd", "jd", ["--status-map", "等待付款=unpaid"]),
    ("douyin", "douyin", "douyin", ["--shop", px.DOUYIN_SHOP]),
    ("youzan", "youzan", "youzan", []),
])
def test_every_platform_imports_without_map(run, imp, files, name, fmt, platform, extra):
    out = run.json(["--agent", "倩", "orders", "import", str(files[name]), *extra, "--json"])[0]
    assert (out["format"], out["platform"]) == (fmt, platform)
    listed = run.json(["orders", "list", "--platform", platform, "--json", "--limit", "0"])
    assert listed and {o["platform"] for o in listed} == {platform}


def test_the_quirks_of_each_export_are_read(run, imp, files):
    imp(files["pdd"], "--shop", px.PDD_SHOP)
    pdd = run.json(["orders", "show", "261123-607198974342001", "--json"])
    assert (pdd["shop"], pdd["status"], pdd["ship_by"]) == (
        px.PDD_SHOP, "paid", "2026-11-25T09:20:00+08:00")
    assert pdd["items"][0]["sku"] == "28cm 带盖" and pdd["items"][0]["merchant_code"] == "GUO-28-1"
    imp(files["jd"], "--status-map", "等待付款=unpaid", "--shop", px.JD_SHOP)
    jd = run.json(["orders", "show", "3088888000001", "--json"])
    assert jd["created_at"] == "2026-11-23T09:10:00+08:00"  # the tab inside 下单时间
    assert [i["title"] for i in jd["items"]] == ["保温饭盒 1.2L", "不锈钢餐具 套装"]
    assert jd["shop"] == px.JD_SHOP  # the file has no 店铺名称: --shop names it
    imp(files["douyin"], "--shop", px.DOUYIN_SHOP)
    dy = run.json(["orders", "show", "6938000000000000001", "--json"])
    assert dy["order_id"] == "6938000000000000001"  # the leading tab is gone
    assert dy["status"] == "paid" and dy["part_refunded"] is True  # the socks were closed
    assert [i["merchant_code"] for i in dy["items"]] == ["WY-H-XL", "WZ-5B"]
    assert dy["items"][0]["price"] is None and dy["amount"] == "1299.00"  # "1,299.00"
    imp(files["youzan"])
    yz = run.json(["orders", "show", "E20261123091500065306159", "--json", "--reveal"])
    assert (yz["seller_memo"], yz["buyer_message"], yz["receiver_phone"], yz["shop"]) == (
        "", None, "13999999999", px.YOUZAN_SHOP)  # —— is empty; the tab before the phone goes


def test_an_unknown_file_names_the_closest_format_and_what_is_missing(imp, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("订单号,商品名称,订购数量\n1,杯子,1\n", encoding="utf-8")
    out = imp(f, check=1).output
    assert "not an order export: missing column(s) 订单状态, 下单时间 (the closest format is jd" \
        in out


def test_platform_forces_the_format_family(imp, files):
    out = imp(files["taobao_orders"], "--platform", "pdd", check=1).output
    assert "not an order export of pdd: missing column(s)" in out


def test_an_unknown_status_word_is_refused_with_the_row_and_the_fix(run, imp, files):
    out = run.json(["--agent", "倩", "orders", "import", str(files["jd"]), "--json"])[0]
    assert out["rejected"] == [{"row": 5, "error": (
        "unknown order status '等待付款': map it with --status-map '等待付款=STATUS' (STATUS one of "
        "unpaid, paid, part_shipped, shipped, signed, finished, closed)")}]
    fixed = run.json(["--agent", "倩", "orders", "import", str(files["jd"]), "--status-map",
                      "等待付款=unpaid", "--json"])[0]
    assert fixed["rejected"] == []
    assert run.json(["orders", "show", "3088888000003", "--json"])["status"] == "unpaid"
    bad = imp(files["jd"], "--status-map", "等待付款=waiting", check=2)
    assert "--status-map '等待付款=waiting': use WORD=STATUS" in bad.output


def test_one_column_feeds_two_fields(run, imp, tmp_path):
    f = tmp_path / "erp.csv"
    f.write_text("单号,状态,成交时间,金额\nA-1,已揽收,2026-11-23 09:00:00,10.00\n", encoding="utf-8")
    imp(f, "--format", "generic", "--platform", "jd", "--map", "单号=order_id",
        "--map", "状态=status", "--map", "成交时间=created_at,paid_at", "--map", "金额=total_fen",
        "--status-map", "已揽收=shipped")
    o = run.json(["orders", "show", "A-1", "--platform", "jd", "--json"])
    assert (o["platform"], o["status"], o["created_at"], o["paid_at"], o["amount"]) == (
        "jd", "shipped", "2026-11-23T09:00:00+08:00", "2026-11-23T09:00:00+08:00", "10.00")
    # PDD's own spec does the same with 订单成交时间
    pdd = px.write_all(tmp_path / "p")["pdd"]
    imp(pdd, "--shop", px.PDD_SHOP)
    p = run.json(["orders", "show", "261123-607198974342001", "--json"])
    assert p["created_at"] == p["paid_at"] == "2026-11-23T09:20:00+08:00"


# --- platform and shop -----------------------------------------------------------------------


def test_platform_and_shop_filters(run, imp, files):
    imp(files["taobao_orders"])
    imp(files["douyin"], "--shop", px.DOUYIN_SHOP)
    imp(files["pdd"], "--shop", px.PDD_SHOP)
    mine = run.json(["orders", "list", "--shop", px.DOUYIN_SHOP, "--json"])
    assert {o["shop"] for o in mine} == {px.DOUYIN_SHOP} and len(mine) == 3
    assert {r["platform"] for r in run.json(["shipcheck", "--platform", "拼多多", "--json"])} \
        == {"pdd"}
    assert [r["order_id"] for r in run.json(["chase", "due", "--platform", "douyin", "--json"])] \
        == ["6938000000000000002"]
    assert run.json(["chase", "due", "--platform", "taobao", "--json"]) == []
    report = run.json(["report", "daily", "--shop", px.PDD_SHOP, "--json"])
    assert report["shop"] == px.PDD_SHOP
    # an order named out of its scope is not found, and says where it is
    miss = run(["orders", "show", TEAPOT, "--platform", "pdd"], check=1).output
    assert f"no order {TEAPOT} (platform pdd) in the journal; it has {TEAPOT} on taobao" in miss


def test_the_same_number_on_two_platforms_needs_platform(run, imp, tmp_path):
    for platform in ("jd", "pdd"):
        f = tmp_path / f"{platform}.csv"
        f.write_text("单号,状态,时间\n777,paid,2026-11-23 09:00:00\n", encoding="utf-8")
        imp(f, "--format", "generic", "--platform", platform, "--map", "单号=order_id",
            "--map", "状态=status", "--map", "时间=created_at")
    bad = run(["orders", "show", "777"], check=2).output
    assert "order 777 is in the journal on several platforms (jd, pdd): say which with " \
           "--platform" in bad
    assert run.json(["orders", "show", "777", "--platform", "pdd", "--json"])["platform"] == "pdd"


def test_a_shops_own_policy_overrides_the_journals(run, imp, files):
    imp(files["pdd"], "--shop", px.PDD_SHOP)
    imp(files["taobao_orders"])
    run(["--agent", "倩", "policy", "set", "--shop", px.PDD_SHOP, "ship_deadline_hours", "24"],
        check=0)
    shown = run.json(["policy", "show", "--shop", px.PDD_SHOP, "--json"])
    assert next(r for r in shown if r["key"] == "ship_deadline_hours")["source"] == "shop"
    assert run.json(["policy", "show", "ship_deadline_hours", "--json"])["value"] == 72
    # PDD's own 承诺发货时间 still wins; a Taobao order keeps the journal's 72 h
    assert run.json(["orders", "show", "261123-607198974342001", "--json"])["ship_by"] == \
        "2026-11-25T09:20:00+08:00"
    assert run.json(["orders", "show", TEAPOT, "--json"])["ship_by"] == "2026-11-25T10:00:31+08:00"
    run(["--agent", "倩", "policy", "set", "--shop", px.TAOBAO_SHOP, "ship_deadline_hours", "24"],
        check=0)
    teapot = run.json(["orders", "show", TEAPOT, "--json"])
    assert teapot["ship_by"] == "2026-11-23T10:00:31+08:00"
    row = next(r for r in run.json(["shipcheck", "--json"]) if r["order_id"] == TEAPOT)
    assert row["check"] == "overdue"
    run(["--agent", "倩", "policy", "unset", "ship_deadline_hours", "--shop", px.TAOBAO_SHOP],
        check=0)
    assert run.json(["orders", "show", TEAPOT, "--json"])["ship_by"] == "2026-11-25T10:00:31+08:00"
    bad = run(["--agent", "倩", "policy", "set", "--shop", "A", "timezone", "Asia/Tokyo"], check=2)
    assert "policy timezone is the journal's, not a shop's" in bad.output


def test_the_exports_ship_by_time_makes_an_order_overdue(run, imp, files):
    imp(files["taobao_xlsx"])
    imp(files["qianniu_items"])
    rows = {r["order_id"]: r for r in run.json(["shipcheck", "--json"])}
    for oid in (XLSX, QIANNIU):  # paid yesterday morning: 72 h would say ship today
        assert (rows[oid]["check"], rows[oid]["ship_by_source"]) == ("overdue", "export")
        assert rows[oid]["due_at"] == "2026-11-23T09:00:00+08:00"
        assert "the export's ship-by time passed 2026-11-23 09:00" in rows[oid]["detail"]
    assert run.json(["orders", "show", XLSX, "--json"])["amount"] == "1088.00"  # "1,088.00"


def test_the_chase_channel_is_the_platforms_own_chat(run, imp, files):
    imp(files["douyin"], "--shop", px.DOUYIN_SHOP)
    imp(files["jd"], "--status-map", "等待付款=unpaid")
    rows = {r["order_id"]: r for r in run.json(["chase", "due", "--json"])}
    assert (rows["6938000000000000002"]["channel"], rows["3088888000003"]["channel"]) == (
        "feige", "dongdong")
    table = run(["chase", "due"], check=0).output
    assert "feige" in table and "dongdong" in table
    logged = run(["--agent", "倩", "chase", "log", "6938000000000000002", "--channel", "飞鸽"],
                 check=0).output
    assert "(飞鸽, first chase)" in logged
    # any chat on the command line means the order's platform's own
    again = run.json(["--agent", "倩", "chase", "log", "3088888000003", "--channel", "旺旺",
                      "--json"])
    assert again["channel"] == "dongdong"
    run(["--agent", "倩", "chase", "template", "set", "sms", "-"],
        input="有疑问可{chat}联系我们\n", check=0)
    sms = run.json(["chase", "due", "--channel", "sms", "--all", "--json"])
    assert sorted(r["message"] for r in sms) == ["有疑问可咚咚联系我们", "有疑问可飞鸽联系我们"]


# --- PDD's unpaid rows ------------------------------------------------------------------


def test_a_pdd_unpaid_row_without_times_creates_its_order_from_the_number(run, imp, files):
    """PDD leaves 订单成交时间/支付时间 empty on a 待支付 row: the order is created, dated the
    day its number says (the shop's midnight), and can be chased."""
    out = imp(files["pdd"], "--shop", px.PDD_SHOP, "--json").output
    result = __import__("json").loads(out)[0]
    assert result["rejected"] == []
    order = run.json(["orders", "show", "261123-607198974342003", "--json"])
    assert (order["status"], order["created_at"], order["paid_at"]) == (
        "unpaid", "2026-11-23T00:00:00+08:00", None)
    assert order["items"][0]["title"] == "硅胶锅铲 套装"
    due = {r["order_id"] for r in run.json(["chase", "due", "--all", "--json"])}
    assert "261123-607198974342003" in due


def test_a_pdd_unpaid_row_takes_its_creation_from_xiadan_shijian(run, imp, tmp_path):
    header = px.PDD_HEADER + ["下单时间"]
    rows = [px.PDD[2] + ["2026-11-23 13:05:00"]]
    path = px._csv(tmp_path / "订单明细-pdd.csv", header, rows, encoding="utf-8")
    imp(path, "--shop", px.PDD_SHOP)
    order = run.json(["orders", "show", "261123-607198974342003", "--json"])
    assert (order["status"], order["created_at"]) == ("unpaid", "2026-11-23T13:05:00+08:00")


def test_an_address_split_over_columns_is_composed_and_masked(run, imp, tmp_path):
    """Douyin's 省/市/区/街道/详细地址 and PDD's 省,市,区,街道/镇 make one address."""
    header = px.DOUYIN_HEADER + ["收件人", "收件人手机号", "省", "市", "区", "街道", "详细地址"]
    rows = [px.DOUYIN[0] + ["王小明", "13800138000", "广东省", "深圳市", "南山区", "粤海街道",
                            "科技园南路1号"]]
    dy = px._csv(tmp_path / "dy.csv", header, rows, encoding="utf-8")
    imp(dy, "--shop", px.DOUYIN_SHOP)
    oid = "6938000000000000001"
    revealed = run.json(["orders", "show", oid, "--reveal", "--json"])
    assert revealed["receiver_address"] == "广东省深圳市南山区粤海街道科技园南路1号"
    masked = run.json(["orders", "show", oid, "--json"])["receiver_address"]
    assert masked.startswith("广东省深圳市南山区") and "科技园" not in masked
    pheader = px.PDD_HEADER + ["省", "市", "区", "街道/镇"]
    pdd = px._csv(tmp_path / "pdd.csv", pheader, [px.PDD[0] + ["北京市", "北京市", "朝阳区", "望京街道"]],
                  encoding="utf-8")
    imp(pdd, "--shop", px.PDD_SHOP)
    order = run.json(["orders", "show", "261123-607198974342001", "--reveal", "--json"])
    assert order["receiver_address"] == "北京市朝阳区望京街道"


def test_the_import_result_names_the_shops_of_the_file(imp, files):
    import json

    taobao = json.loads(imp(files["taobao_orders"], "--json").output)[0]
    assert taobao["shops"] == [px.TAOBAO_SHOP]
    pdd = json.loads(imp(files["pdd"], "--shop", px.PDD_SHOP, "--json").output)[0]
    assert (pdd["shop"], pdd["shops"]) == (px.PDD_SHOP, [px.PDD_SHOP])


def test_the_import_result_names_only_the_shops_it_wrote(imp, tmp_path):
    """A first import names its rows' shops; a later file names only the shops of the
    orders it inserted or changed (not a shop whose rows changed nothing), and an order
    named twice counts with the shop its last row gave it."""
    import json

    def order(oid, shop, status="买家已付款，等待卖家发货", created="2026-11-22 09:58:12"):
        row = px._taobao_order(oid, "tb_buyer", status, "59.00", "59.00", created,
                               "2026-11-22 10:00:31", "纯棉短袖T恤 白色", 1, 1)
        return [(shop if h == "店铺名称" else row[h]) for h in px.TAOBAO_ORDER_HEADER]

    def shops(name, rows):
        path = px._csv(tmp_path / name, px.TAOBAO_ORDER_HEADER, rows)
        return json.loads(imp(path, "--json").output)[0]["shops"]

    first = [order("3500000000000000001", "甲店"), order("3500000000000000002", "乙店")]
    assert shops("first.csv", first) == ["乙店", "甲店"]
    # 甲店's order ships, 乙店's is the same as before
    assert shops("second.csv", [order("3500000000000000001", "甲店", "卖家已发货，等待买家确认"),
                                first[1]]) == ["甲店"]
    assert shops("third.csv", [first[1]]) == []
    # a new order named twice: once under 丙店, then under 丁店
    assert shops("twice.csv", [order("3500000000000000003", "丙店"),
                               order("3500000000000000003", "丁店")]) == ["丁店"]


def test_remark_add_json_says_the_orders_platform(run, imp, files):
    imp(files["pdd"], "--shop", px.PDD_SHOP)
    out = run.json(["--agent", "倩", "remark", "add", "261123-607198974342001", "--kind", "note",
                    "--reason", "买家要求", "--action", "改地址", "--json"])
    assert (out["order_id"], out["platform"]) == ("261123-607198974342001", "pdd")


@pytest.mark.parametrize("paid_before, shop", [
    (None, None),
    ("newest", None),  # the morning view's older orders: the newest due by its export's time out
    (None, "its"),                    # the shop of an order due by its export's time
])
def test_the_counts_of_a_limited_shipcheck_take_in_the_exports_own_ship_by_times(
        run, imp, files, env, paid_before, shop):
    """Each check's count (what ``--limit`` left out is worked out from it) is every order
    the check finds, by the shop's hours and by the export's own ship-by time alike, for
    the morning view's older orders and for one shop too."""
    from collections import Counter

    from conftest import context

    from cstool.core.context import Scope
    from cstool.core.journal import Journal
    from cstool.shipcheck import checks

    imp(DEMO_CSV)  # the classic export: no ship-by time, the shop's 72 hours
    for name in ("taobao_orders", "taobao_xlsx", "qianniu_items"):
        imp(files[name])
    j = Journal.open(str(env))
    try:
        ctx = context(j)
        if paid_before:
            paid_before = j.scalar("SELECT max(coalesce(paid_at, created_at)) FROM orders "
                                   "WHERE ship_by IS NOT NULL AND status = 'paid'")
        if shop:
            shop = next(r["shop"] for r in checks.run(ctx, limit=None).rows
                        if r.get("ship_by_source") == "export")
            ctx.scope = Scope(shop=shop)
        every = checks.run(ctx, limit=None, paid_before=paid_before).rows
        limited = checks.run(ctx, limit=1, paid_before=paid_before)
    finally:
        j.close()
    found = Counter(r["check"] for r in every)
    own = Counter(r["check"] for r in every if r.get("ship_by_source") == "export")
    assert own["overdue"] >= 1 and found["overdue"] > own["overdue"]  # both kinds counted
    assert {c: n for c, n in limited.counts.items() if n} == dict(found)
    assert all(n <= 1 for n in limited.shown.values())
