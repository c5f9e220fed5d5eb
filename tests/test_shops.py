"""Several shops in one journal, as a new user meets them: each order speaks in its own
shop's name, the shops' files are read whole, and a mistyped shop or spec is refused
plainly (the platforms' real exports: fixtures/platform_exports.py)."""

from __future__ import annotations

import sys

import pytest
from conftest import FIXTURES

sys.path.insert(0, str(FIXTURES))
import platform_exports as px  # noqa: E402

DY_UNPAID = "6938000000000000002"


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


def test_each_order_is_named_by_its_own_shop_not_the_journals(run, imp, files):
    imp(files["taobao_orders"])
    imp(files["douyin"], "--shop", px.DOUYIN_SHOP)
    run(["--agent", "倩", "policy", "set", "shop_name", "总店"], check=0)
    sms = run.json(["chase", "due", "--all", "--channel", "sms", "--shop", px.DOUYIN_SHOP,
                    "--json"])
    assert [r["order_id"] for r in sms] == [DY_UNPAID]
    assert sms[0]["message"].startswith(f"【{px.DOUYIN_SHOP}】")
    assert "总店" not in sms[0]["message"] and "飞鸽" in sms[0]["message"]
    report = run.json(["report", "daily", "--shop", px.DOUYIN_SHOP, "--json"])
    assert report["shop"] == px.DOUYIN_SHOP
    sheet = run(["--agent", "倩", "handover", "export", "--shift", "day", "--shop",
                 px.DOUYIN_SHOP, "-o", "-", "--format", "md"], check=0).output
    assert sheet.startswith(f"## {px.DOUYIN_SHOP} 工作交接记录表")
    # a shop's own display name is set per shop; the journal's names the rest
    run(["--agent", "倩", "policy", "set", "--shop", px.DOUYIN_SHOP, "shop_name", "抖音小店"],
        check=0)
    sms = run.json(["chase", "due", "--all", "--channel", "sms", "--shop", px.DOUYIN_SHOP,
                    "--json"])
    assert sms[0]["message"].startswith("【抖音小店】")
    assert run.json(["report", "daily", "--shop", px.DOUYIN_SHOP, "--json"])["shop"] == "抖音小店"
    assert run.json(["report", "daily", "--json"])["shop"] == "总店"


SPEC = {"name": "x", "platform": "jd", "level": "order",
        "fields": {"order_id": ["单号"], "status": ["状态"], "created_at": ["下单时间"]}}


@pytest.mark.parametrize("key, value, says", [
    ("empty_in", {"status": 5}, "empty_in.status must be a list of strings"),
    ("empty", 5, "empty must be a list of strings"),
    ("status", 5, "status must be an object"),
    ("status", {"W": 5}, "status 'W': 5 is not a status word"),
    ("clean", 5, "clean must be an object"),
    ("clean", {"order_id": 5}, "clean.order_id must be a list of strings"),
    ("required", 5, "required must be a list of strings"),
    ("refund", 5, "refund must be an object"),
    ("refund", {"退款中": 5}, "refund '退款中': 5 is not one of"),
    ("fields", 5, "fields must be an object"),
    ("fields", {"order_id": 5}, "fields.order_id must be a list of strings"),
    ("level", 5, "level must be a string"),
])
def test_a_spec_with_a_value_of_the_wrong_type_fails_naming_the_file(imp, tmp_path, key, value,
                                                                   says):
    """A spec file that is not what it should be is a file mistake: the work fails (exit 1),
    one line naming the file, as for an export that is not one."""
    import json

    spec = tmp_path / "s.json"
    spec.write_text(json.dumps({**SPEC, key: value}), encoding="utf-8")
    data = tmp_path / "o.csv"
    data.write_text("单号,状态,下单时间\n1,paid,2026-11-23 09:00:00\n", encoding="utf-8")
    out = imp(data, "--spec", spec, check=1).output
    assert f"--spec {spec}: {says}" in out
    assert "internal error" not in out and "Traceback" not in out


def test_a_spec_placeholder_given_as_one_string_is_one_placeholder(run, imp, tmp_path):
    import json

    spec = tmp_path / "s.json"
    spec.write_text(json.dumps({**SPEC, "fields": {**SPEC["fields"], "buyer": ["买家"]},
                                "empty": "null"}), encoding="utf-8")
    data = tmp_path / "o.csv"
    data.write_text("单号,状态,下单时间,买家\n1,paid,2026-11-23 09:00:00,null\n"
                    "2,paid,2026-11-23 09:00:00,n\n", encoding="utf-8")
    imp(data, "--spec", spec)
    buyers = {o["order_id"]: o["buyer"] for o in run.json(["orders", "list", "--json"])}
    assert buyers == {"1": None, "2": "n"}


# --- privacy: the order's own names inside its free text ----------------------------------

PAN = "3508286990564888402"


def _named_export(tmp_path):
    """Taobao's ExportOrderList where the buyer and the agent typed the receiver's name."""
    rows = [dict(r) for r in px.TAOBAO_ORDERS]
    pan = next(r for r in rows if PAN in r["订单编号"])
    pan["买家留言"] = "我是王芳 请周末送"
    pan["订单备注"] = "王芳来电要求周末送---2026.11.23 倩"
    return px._csv(tmp_path / "ExportOrderList-named.csv", px.TAOBAO_ORDER_HEADER, rows)


def test_the_receivers_name_is_masked_inside_the_orders_free_text(run, imp, tmp_path, journal):
    imp(_named_export(tmp_path))
    shown = run.json(["orders", "show", PAN, "--json"])
    assert shown["receiver_name"] == "王*"
    assert shown["buyer_message"] == "我是王* 请周末送"
    assert shown["seller_memo"].startswith("王*来电要求周末送")
    assert "王芳" not in run(["orders", "show", PAN], check=0).output
    assert "王芳" not in str(run.json(["orders", "list", "--json"]))
    assert "王芳" not in run(["remark", "list", PAN], check=0).output
    assert "王芳" not in run(["shipcheck", "pack", PAN], check=0).output
    assert "王芳" not in str(run.json(["shipcheck", "pack", PAN, "--json"]))
    revealed = run.json(["orders", "show", PAN, "--json", "--reveal"])
    assert revealed["buyer_message"] == "我是王芳 请周末送"
    assert "王芳" in run(["shipcheck", "pack", PAN, "--reveal"], check=0).output
    # the web view: the order's page and the find-an-order query
    pytest.importorskip("datasette", reason="the web extra is not installed")
    import sqlite3

    from cstool.app.policy import Policy
    from cstool.core.clock import Clock
    from cstool.web import pages, queries

    policy = Policy(journal)
    ctx = pages.context(journal, Clock(policy.get("timezone"), "2026-11-23 14:30"), policy, {})
    page = pages.order(ctx, PAN)
    cells = [c.text for s in page.sections if s.table for row in s.table.rows for c in row]
    assert "我是王* 请周末送" in cells and not any("王芳" in c for c in cells)
    conn = sqlite3.connect(str(journal.path))
    conn.row_factory = sqlite3.Row
    queries.register(conn)
    [row] = conn.execute(queries.CANNED["find_order"]["sql"],
                         {"order": PAN, "buyer": "", "status": ""}).fetchall()
    conn.close()
    assert row["seller_memo"].startswith("王*来电")


def test_the_newer_xlsx_one_receiver_cell_is_split_into_name_phone_address(run, imp, tmp_path):
    rows = [list(r) for r in px.TAOBAO_XLSX]
    rows[0][-1] = "张三，86-13900139000，广东省深圳市南山区科技园路1号，"
    f = px._xlsx(tmp_path / "订单导出.xlsx", px.TAOBAO_XLSX_HEADER, rows)
    imp(f)
    oid = rows[0][0]
    o = run.json(["orders", "show", oid, "--json", "--reveal"])
    assert (o["receiver_name"], o["receiver_phone"], o["receiver_address"]) == (
        "张三", "13900139000", "广东省深圳市南山区科技园路1号")
    masked = run.json(["orders", "show", oid, "--json"])
    assert (masked["receiver_name"], masked["receiver_phone"], masked["receiver_address"]) == (
        "张*", "139****9000", "广东省深圳市南山区 ****")
    # the export's own masked cell (…科技园***) still tells nothing of the address
    imp(px.write_all(tmp_path / "x")["taobao_xlsx"])
    o = run.json(["orders", "show", oid, "--json", "--reveal"])
    assert (o["receiver_name"], o["receiver_phone"]) == ("张三", "13900139000")


# --- the web view: an order is its platform and its number ---------------------------------


def _same_number_on_two_platforms(imp, tmp_path):
    for platform in ("jd", "pdd"):
        f = tmp_path / f"{platform}.csv"
        f.write_text("单号,状态,时间\n777,paid,2026-11-23 09:00:00\n", encoding="utf-8")
        imp(f, "--format", "generic", "--platform", platform, "--map", "单号=order_id",
            "--map", "状态=status", "--map", "时间=created_at")


def test_web_order_links_carry_the_rows_platform_and_an_ambiguous_number_offers_a_choice(
        imp, tmp_path, journal):
    pytest.importorskip("datasette", reason="the web extra is not installed")
    from cstool.app.policy import Policy
    from cstool.core.clock import Clock
    from cstool.web import app, pages

    _same_number_on_two_platforms(imp, tmp_path)
    policy = Policy(journal)

    def ctx(args=None):
        return pages.context(journal, Clock(policy.get("timezone"), "2026-11-23 14:30"), policy,
                             args or {})

    hrefs = {c.href for s in pages.shipping(ctx()).sections if s.table
             for row in s.table.rows for c in row if c.href and "/orders/777" in c.href}
    assert hrefs == {"/orders/777?platform=jd", "/orders/777?platform=pdd"}
    # a filter already in the page's links is kept, the platform set to the row's
    hrefs = {c.href for s in pages.shipping(ctx({"shop": ""})).sections if s.table
             for row in s.table.rows for c in row if c.href and "/orders/" in c.href}
    assert all("platform=" in h for h in hrefs)
    page = pages.order(ctx(), "777")
    assert page.status == 200 and "several platforms" in page.intro
    assert "--platform" not in page.intro
    assert [href for _, href in page.links] == ["/orders/777?platform=jd",
                                                "/orders/777?platform=pdd"]
    assert pages.order(ctx({"platform": "pdd"}), "777").title == "Order 777"
    # the find-an-order query's cells link with the platform too
    cell = app.Plugin(app.Settings(str(journal.path))).render_cell(
        {"order_id": "777", "platform": "pdd"}, "777", "order_id", "journal")
    assert 'href="/orders/777?platform=pdd"' in str(cell)


def test_the_daily_reports_imports_are_those_of_its_platform_and_shop(run, imp, files):
    imp(files["taobao_orders"])
    imp(files["douyin"], "--shop", px.DOUYIN_SHOP)
    imp(files["pdd"], "--shop", px.PDD_SHOP)
    every = run.json(["report", "daily", "--json"])["imports"]
    assert every["files"] == 3
    dy = run.json(["report", "daily", "--shop", px.DOUYIN_SHOP, "--json"])["imports"]
    assert (dy["files"], dy["rows"]) == (1, len(px.DOUYIN))
    tb = run.json(["report", "daily", "--platform", "taobao", "--json"])["imports"]
    assert (tb["files"], tb["rows"]) == (1, len(px.TAOBAO_ORDERS))
    # a file that names its shop (店铺名称) counts for that shop
    shop = run.json(["report", "daily", "--shop", px.TAOBAO_SHOP, "--json"])["imports"]
    assert shop["files"] == 1
    assert run.json(["report", "daily", "--platform", "jd", "--json"])["imports"]["files"] == 0


@pytest.mark.parametrize("name", ["pdd", "douyin"])
def test_a_reimport_that_only_names_the_shop_reports_the_orders_it_changed(run, imp, files,
                                                                          name):
    first = run.json(["--agent", "倩", "orders", "import", str(files[name]), "--json"])[0]
    again = run.json(["--agent", "倩", "orders", "import", str(files[name]), "--json"])[0]
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, first["rows"])
    moved = run.json(["--agent", "倩", "orders", "import", str(files[name]), "--shop", "A",
                      "--json"])[0]
    orders = run.json(["orders", "list", "--shop", "A", "--json"])
    assert moved["updated"] == len(orders) == first["new_orders"]
    assert moved["unchanged"] == first["rows"] - len(orders)


def test_an_order_with_a_row_per_item_is_named_and_counted_by_its_live_lines(run, imp, files):
    imp(files["jd"], "--status-map", "等待付款=unpaid")
    jd = run.json(["orders", "show", "3088888000001", "--json"])
    assert (jd["item_title"], jd["item_count"]) == ("保温饭盒 1.2L", 2)
    assert [i["title"] for i in jd["items"]] == ["保温饭盒 1.2L", "不锈钢餐具 套装"]
    imp(files["douyin"], "--shop", px.DOUYIN_SHOP)
    dy = run.json(["orders", "show", "6938000000000000001", "--json"])
    # the socks were closed: the sweatshirt is what ships, and the socks' 39.80 came back
    assert (dy["status"], dy["item_title"], dy["item_count"]) == ("paid", "加绒卫衣 男款", 1)
    assert (dy["part_refunded"], dy["refund_amount"]) == (True, "39.80")
    # importing the file again changes nothing, and says so
    again = run.json(["--agent", "倩", "orders", "import", str(files["douyin"]), "--shop",
                      px.DOUYIN_SHOP, "--json"])[0]
    assert (again["updated"], again["unchanged"]) == (0, len(px.DOUYIN))
    assert run.json(["orders", "show", "6938000000000000001", "--json"]) == dy


def test_a_mistyped_shop_is_refused_naming_the_shops_the_journal_knows(run, imp, files,
                                                                       journal):
    imp(files["douyin"], "--shop", px.DOUYIN_SHOP)
    imp(files["taobao_orders"])
    known = f"its shops: {', '.join(sorted([px.DOUYIN_SHOP, px.TAOBAO_SHOP]))}"
    bad = run(["--agent", "倩", "policy", "set", "--shop", "示范抖点", "ship_deadline_hours", "24"],
              check=2).output
    assert "no shop '示范抖点' in the journal" in bad and known in bad and "--new-shop" in bad
    assert journal.query("SELECT shop FROM shop_policy") == []  # nothing stored
    for args in (["orders", "list"], ["shipcheck"], ["chase", "due"], ["report", "daily"]):
        out = run([*args, "--shop", "不存在"], check=2).output
        assert "no shop '不存在' in the journal" in out and known in out, args
    # a shop declared before its first import, then its filter is valid
    run(["--agent", "倩", "policy", "set", "--shop", "新店", "ship_deadline_hours", "24",
         "--new-shop"], check=0)
    assert run.json(["orders", "list", "--shop", "新店", "--json"]) == []
    run(["--agent", "倩", "policy", "set", "--shop", px.DOUYIN_SHOP, "ship_deadline_hours",
         "24"], check=0)


def test_chase_due_for_one_chat_lists_only_the_orders_of_its_platform(run, imp, files, tmp_path,
                                                                      env):
    imp(files["douyin"], "--shop", px.DOUYIN_SHOP)
    imp(files["jd"], "--status-map", "等待付款=unpaid")
    unpaid = tmp_path / "ExportOrderList-unpaid.csv"
    row = px._taobao_order("3523333000000000007", "tb_unpaid_buyer", "等待买家付款", "88.00", "0.00",
                           "2026-11-23 13:00:00", "", "陶瓷茶具套装", 1, 1)
    px._csv(unpaid, px.TAOBAO_ORDER_HEADER, [row])
    imp(unpaid)
    every = {r["order_id"]: r["channel"] for r in run.json(["chase", "due", "--json"])}
    assert every == {"6938000000000000002": "feige", "3088888000003": "dongdong",
                     "3523333000000000007": "wangwang"}
    for word, oid in (("飞鸽", "6938000000000000002"), ("feige", "6938000000000000002"),
                      ("咚咚", "3088888000003"), ("wangwang", "3523333000000000007")):
        rows = run.json(["chase", "due", "--channel", word, "--json"])
        assert [(r["order_id"], r["channel"]) for r in rows] == [(oid, every[oid])], word
    assert run.json(["chase", "due", "--channel", "拼多多聊天", "--json"]) == []
    # a channel that is no chat still lists every platform's orders
    assert len(run.json(["chase", "due", "--channel", "sms", "--all", "--json"])) == 3
    # the library's count of what is due agrees with what it lists
    from conftest import context

    from cstool.chase import queue
    from cstool.core.journal import Journal

    j = Journal.open(str(env))
    try:
        for chat in ("feige", "dongdong", "wangwang", "pdd_chat"):
            counts: dict = {}
            rows = queue.due(context(j), channel=chat, counts=counts)
            assert counts["due"] == len(rows) == (0 if chat == "pdd_chat" else 1), chat
    finally:
        j.close()


def test_remind_for_one_shop_sends_its_own_and_the_team_run_never_sends_them_twice(
        run, demo, files):
    run(["--agent", "倩", "orders", "import", str(files["douyin"]), "--shop", px.DOUYIN_SHOP],
        check=0)
    taobao = {r["order_id"] for r in run.json(["orders", "list", "--platform", "taobao",
                                               "--json"])}
    due = run(["remind", "--dry-run"], check=0).stdout
    assert DY_UNPAID in due and any(t in due for t in taobao)  # both shops have work due
    shop = run(["remind", "--shop", px.DOUYIN_SHOP], check=0).stdout
    assert DY_UNPAID in shop and not any(t in shop for t in taobao)
    team = run(["remind"], check=0).stdout
    assert DY_UNPAID not in team  # sent by the shop's own run: in its cool-down
    assert [t for t in taobao if t in due] == [t for t in taobao if t in team]
    assert run(["remind", "--shop", "不存在的店"], check=2).exit_code == 2


def test_a_table_of_several_platforms_says_each_orders_platform(run, demo, files,
                                                                monkeypatch):
    run(["--agent", "倩", "orders", "import", str(files["douyin"]), "--shop", px.DOUYIN_SHOP],
        check=0)
    monkeypatch.setenv("COLUMNS", "80")
    both = run(["chase", "due"], check=0).stdout.splitlines()
    assert both[0].split()[:2] == ["order_id", "platform"]
    assert [ln.split()[1] for ln in both if ln.startswith(DY_UNPAID)] == ["douyin"]
    assert all(len(ln) <= 80 for ln in both)
    monkeypatch.setenv("CSTOOL_LANG", "zh")
    zh = run(["chase", "due"], check=0).stdout.splitlines()
    assert zh[0].split()[:2] == ["订单号", "平台"]
    assert [ln.split()[1] for ln in zh if ln.startswith(DY_UNPAID)] == ["抖音"]
    # one platform: nothing to tell apart, no column
    one = run(["chase", "due", "--platform", "taobao"], check=0).stdout.splitlines()
    assert "平台" not in one[0].split()
