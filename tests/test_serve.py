"""cstool serve: what it refuses before it starts, the URL guard, Datasette's permissions,
and the pages' library (the browser tests are in test_serve_browser.py)."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import subprocess
import sys

import pytest
import webhelp
from conftest import DEMO_NOW, ROOT, order

from cstool.app.policy import Policy
from cstool.core.clock import Clock
from cstool.core.errors import InputError
from cstool.core.journal import Journal
from cstool.web import charts, guard, pages, queries
from cstool.web.render import Page


def cstool(*args, env=None, timeout=60):
    """A real cstool process (a serve that wrongly starts would hang: the timeout fails it)."""
    base = {**{k: v for k, v in os.environ.items() if not k.startswith("CSTOOL_")},
            "CSTOOL_LANG": "en"}  # the messages asserted are the English ones
    return subprocess.run([sys.executable, "-m", "cstool", *args], capture_output=True, text=True,
                          timeout=timeout, env={**base, **(env or {})}, cwd=ROOT)


# --- refusals before anything listens ------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "shop-pc.local"])
def test_a_host_other_than_loopback_needs_a_password(env, host):
    r = cstool("--db", str(env), "serve", "--host", host)
    assert r.returncode == 2
    assert f"--host {host} lets other machines read the journal" in r.stderr
    assert "--password-env VAR" in r.stderr
    assert r.stdout == ""


def test_password_env_names_a_variable_that_holds_a_real_password(env):
    r = cstool("--db", str(env), "serve", "--password-env", "CSTOOL_TEST_PW")
    assert r.returncode == 2
    assert "the environment variable CSTOOL_TEST_PW is not set or is empty" in r.stderr
    r = cstool("--db", str(env), "serve", "--host", "0.0.0.0", "--password-env", "SHOP_PW",
               env={"SHOP_PW": "1234567"})
    assert r.returncode == 2
    assert "the password in SHOP_PW is shorter than 8 characters" in r.stderr
    assert "1234567" not in r.stderr + r.stdout  # a secret is never echoed


def test_without_the_web_extra_serve_says_how_to_install_it(env):
    code = ("import sys; sys.modules['datasette'] = None\n"
            "from cstool.cli import main\n"
            "main(['serve'])\n")
    base = {**{k: v for k, v in os.environ.items() if not k.startswith("CSTOOL_")},
            "CSTOOL_LANG": "en"}  # the messages asserted are the English ones
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env={**base, "CSTOOL_DB": str(env)})
    assert r.returncode == 1
    assert r.stderr == ("Error: the web view needs the optional 'web' extra (Datasette); install "
                        "it with: pip install 'cstool[web]'\n")


def test_serve_needs_an_existing_journal(env):
    env.unlink()  # the test's journal, made by init: gone, as after a typo in CSTOOL_DB
    r = cstool("--db", str(env), "serve", "--port", "0")
    assert r.returncode == 1
    assert r.stderr == f"Error: no journal at {env} — create it with: cstool init (or check CSTOOL_DB)\n"
    assert not env.exists()


def test_a_port_in_use_is_a_clear_error(run, env):
    pytest.importorskip("datasette", reason="the web extra is not installed")
    import socket

    run("init", check=0)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        r = cstool("--db", str(env), "serve", "--port", str(port))
    finally:
        taken.close()
    assert r.returncode == 1
    assert r.stderr.startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")
    assert "give another with --port" in r.stderr


def test_check_says_whether_it_would_start(run, env):
    pytest.importorskip("datasette", reason="the web extra is not installed")
    run("init", check=0)
    r = run("serve --check --port 0", check=0)
    assert r.output == (f"cstool serve can start: the journal {env} reads, 127.0.0.1 (any free "
                        "port) is free\n")
    env.write_bytes(b"not a journal at all" * 100)
    r = run("serve --check --port 0", check=1)
    assert r.output.startswith(f"Error: {env} is not a cstool journal")


def test_other_commands_never_import_datasette():
    code = ("import sys\nfrom cstool.cli import main\n"
            "for argv in (['--help'], ['serve', '--help'], ['remind', '--help']):\n"
            "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('datasette', 'uvicorn', 'jinja2', 'cstool') and (m.startswith('cstool.web') "
            "or not m.startswith('cstool')))\n"
            "print(heavy, file=sys.stderr)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stderr.strip() == "[]"
    assert "Usage: cstool serve" in r.stdout


def test_loopback_hosts():
    from cstool.cli.serve import is_loopback

    assert all(map(is_loopback, ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.168.1.5", "10.0.0.1", "shop.local"]))


# --- the URL guard ---------------------------------------------------------------------------

SERVED = ["/", "/shipping", "/chase", "/cases", "/handover", "/remarks", "/report", "/charts",
          f"/orders/{order('paid_80h_overdue')}", "/cases/1", "/journal/find_order",
          "/journal/find_order.json", "/journal/import_log", "/-/static/app.css", "/favicon.ico"]
REFUSED = ["/journal", "/journal.db", "/journal.json", "/journal/orders", "/journal/orders.json",
           "/journal/orders.csv", f"/journal/orders/{order('paid_80h_overdue')}",
           "/journal/agents", "/journal/policy", "/journal/find_order.csv",
           "/journal/~6Frders", "/journal/%6Frders", "/-/metadata", "/-/databases", "/-/threads",
           "/-/versions", "/-/plugins", "/-/settings", "/-/config", "/-/actor", "/-/permissions",
           "/-/messages", "/-/patterns", "/-/allow-debug", "/-/login", "/-/password-tool",
           "/-/static-plugins/x/y.js", "/_internal", "/_memory", "/_memory.json"]


@pytest.mark.parametrize("path", SERVED)
def test_the_guard_serves_our_pages(path):
    assert guard.judge("GET", path) == guard.OK


@pytest.mark.parametrize("path", REFUSED)
def test_the_guard_refuses_raw_tables_sql_downloads_and_introspection(path):
    assert guard.judge("GET", path) == guard.FORBIDDEN


def test_the_guard_refuses_sql_anywhere_and_writes():
    assert guard.judge("GET", "/journal", "sql=select+*+from+orders") == guard.FORBIDDEN
    assert guard.judge("GET", "/journal/find_order", "sql=select+1") == guard.FORBIDDEN
    assert guard.judge("GET", "/shipping", "_where=1") == guard.FORBIDDEN
    assert guard.judge("POST", "/journal/find_order") == guard.NOT_ALLOWED
    assert guard.judge("GET", "/nonsense") == guard.NOT_FOUND
    assert guard.judge("GET", "/journal/find_order", "order=511&status=paid") == guard.OK


# --- Datasette's permissions: the second wall ------------------------------------------------


def test_datasette_permissions_allow_only_our_canned_queries(run, env):
    pytest.importorskip("datasette", reason="the web extra is not installed")
    from cstool.web.app import Settings, build

    run("init", check=0)

    async def checks(ds):
        allowed = ds.permission_allowed
        return {
            "instance": await allowed(None, "view-instance"),
            "database": await allowed(None, "view-database", "journal"),
            "orders": await allowed(None, "view-table", ("journal", "orders")),
            "sql": await allowed(None, "execute-sql", "journal"),
            "download": await allowed(None, "view-database-download", "journal"),
            "find_order": await allowed(None, "view-query", ("journal", "find_order")),
            "debug": await allowed({"id": "root"}, "permissions-debug"),
        }

    open_ = asyncio.run(checks(build(Settings(path=str(env)))))
    assert open_ == {"instance": True, "database": False, "orders": False, "sql": False,
                     "download": False, "find_order": True, "debug": False}
    ds = build(Settings(path=str(env), password="correct horse"))
    assert asyncio.run(ds.permission_allowed(None, "view-instance")) is False
    assert asyncio.run(ds.permission_allowed({"id": "supervisor"}, "view-instance")) is True
    assert "correct horse" not in repr(ds.metadata())


# --- the pages' library ----------------------------------------------------------------------


def ctx_for(journal, args=None):
    policy = Policy(journal)
    return pages.context(journal, Clock(policy.get("timezone"), DEMO_NOW), policy, args or {})


def page_text(page: Page) -> str:
    out = [page.title, page.intro or "", *page.notes, *(t.label + t.value for t in page.tiles)]
    for s in page.sections:
        out += [s.title, s.note or "", s.chart or ""]
        if s.table:
            out += [c.text for row in s.table.rows for c in row]
    return "\n".join(out)


def test_the_shipping_page_lists_the_overdue_order_first(demo, journal):
    page = pages.shipping(ctx_for(journal))
    overdue = next(s for s in page.sections if s.anchor == "overdue")
    first = overdue.table.rows[0]
    assert first[0].text == order("paid_80h_overdue")
    assert first[0].href == f"/orders/{order('paid_80h_overdue')}?platform=taobao"
    assert first[2].text == "2026-11-23 06:30"  # 72 h after payment, in shop time
    assert first[3].text == "-8.0" and "late" in first[3].cls  # 80 h since payment, 72 h allowed
    assert overdue.count == 2  # and the order the export gave no payment time (75 h)


def test_the_overview_counts_are_shipchecks(demo, journal):
    from cstool.shipcheck import checks as shipcheck

    ctx = ctx_for(journal)
    counts = shipcheck.run(ctx.core).counts
    tiles = {t.label: t.value for t in pages.overview(ctx).tiles}
    assert tiles["overdue"] == str(counts["overdue"]) == "2"
    assert tiles["due soon"] == str(counts["due_soon"])


def test_every_page_masks_personal_data_typed_anywhere(run, env, tmp_path):
    webhelp.build(run, tmp_path)
    secrets = webhelp.personal_data(env)
    j = Journal.open(str(env))
    try:
        ctx = ctx_for(j)
        texts = [page_text(fn(ctx)) for fn in pages.PAGES.values()]
        texts.append(page_text(pages.shipping(ctx_for(j, {"view": "morning"}))))
        texts.append(page_text(pages.chasing(ctx_for(j, {"all": "1"}))))
        texts += [page_text(pages.order(ctx, oid)) for (oid,) in j.query(
            "SELECT order_id FROM orders")]
        texts.append(page_text(pages.case(ctx, "1")))
    finally:
        j.close()
    everything = "\n".join(texts)
    assert "137****1111" in everything  # the phone typed into the case's detail, masked
    assert "鼓楼区 ****" in everything  # the new address in the remark, cut after the district
    leaks = [s for s in secrets if s in everything]
    assert leaks == []


def test_a_case_page_has_its_steps_and_timeline(run, env, tmp_path):
    webhelp.build(run, tmp_path)
    j = Journal.open(str(env))
    try:
        page = pages.case(ctx_for(j), "1")
    finally:
        j.close()
    titles = [s.title for s in page.sections]
    assert titles == ["Case", "Steps", "Timeline", "Photos"]
    assert page.title == "Case #1 · 破损"
    steps = page.sections[1].table.rows
    assert [r[2].text for r in steps].count("next") == 1


def test_a_bad_filter_names_the_parameter(demo, journal):
    with pytest.raises(InputError, match="date=31.13: not a day"):
        ctx_for(journal, {"date": "31.13"})
    with pytest.raises(InputError, match="days=0: use a whole number of days from 1 to 92"):
        ctx_for(journal, {"days": "0"})
    with pytest.raises(InputError, match="check=late: use one of overdue"):
        pages.shipping(ctx_for(journal, {"check": "late"}))


def test_filters_carry_over_in_links(demo, journal):
    ctx = ctx_for(journal, {"date": "yesterday", "days": "14", "shop": "示范旗舰店"})
    assert ctx.filters.day.isoformat() == "2026-11-22"
    assert ctx.link("/chase") == "/chase?date=yesterday&days=14&shop=%E7%A4%BA%E8%8C%83%E6%97%97%E8%88%B0%E5%BA%97"
    assert ctx.filters.since(ctx.clock) == "2026-11-08T16:00:00Z"  # 14 days to the 22nd


# --- the shop/platform scope: applied in one place --------------------------------------------


def test_the_page_scope_is_the_contexts_scope(demo, journal):
    ctx = ctx_for(journal, {"shop": "示范旗舰店", "platform": "淘宝"})
    assert (ctx.core.scope.platform, ctx.core.scope.shop) == ("taobao", "示范旗舰店")
    assert ctx.scope.active == {"platform": "taobao", "shop": "示范旗舰店"}
    assert ctx.scope.notes() == []
    assert ctx_for(journal).core.scope.platform is None  # no filter: every shop
    with pytest.raises(InputError, match="platform=amazon: use one of"):
        ctx_for(journal, {"platform": "amazon"})


def test_rows_outside_the_shop_are_dropped_by_the_library(demo, journal):
    journal.execute("UPDATE orders SET shop = 'A'")
    journal.execute("UPDATE orders SET shop = 'B' WHERE order_id = ?", [order("paid_80h_overdue")])
    ctx = ctx_for(journal, {"shop": "A"})
    overdue = next(s for s in pages.shipping(ctx).sections if s.anchor == "overdue")
    assert [r[0].text for r in overdue.table.rows] == [order("paid_missing_payment_time")]
    assert overdue.count == 1
    b = next(s for s in pages.shipping(ctx_for(journal, {"shop": "B"})).sections
             if s.anchor == "overdue")
    assert [r[0].text for r in b.table.rows] == [order("paid_80h_overdue")]
    queue = pages.chasing(ctx_for(journal, {"shop": "B"})).sections[0]
    assert queue.count == 0  # shop B's one order is paid: nothing to chase there
    assert ctx.scope.choices() == {"platform": ["taobao"], "shop": ["A", "B"]}


def test_a_shop_filter_matching_nothing_shows_nothing(demo, journal):
    ctx = ctx_for(journal, {"shop": "没有这个店"})
    assert all(sec.count in (0, None) for sec in pages.shipping(ctx).sections)


# --- canned queries and charts -----------------------------------------------------------------


def test_find_order_masks_through_the_same_maskers(demo, env):
    conn = sqlite3.connect(str(env))
    conn.row_factory = sqlite3.Row
    queries.register(conn)
    params = {"order": order("paid_address_change"), "buyer": "", "status": ""}
    [row] = conn.execute(queries.CANNED["find_order"]["sql"], params).fetchall()
    raw = conn.execute("SELECT receiver_phone, receiver_name FROM orders WHERE order_id = ?",
                       [order("paid_address_change")]).fetchone()
    assert row["receiver_phone"] == raw[0][:3] + "****" + raw[0][-4:]
    assert row["receiver_name"] == raw[1][0] + "*" * (len(raw[1]) - 1)
    assert row["seller_memo"] == "客户要求修改地址,新地址为:江苏省 南京市 鼓楼区 ****---2026.11.23 倩"
    assert row["created_at"] == "2026-11-23 11:00" and row["amount"] == "89.00"
    paid = conn.execute(queries.CANNED["find_order"]["sql"],
                        {"order": "", "buyer": "", "status": "待发货"}).fetchall()
    assert paid and {r["status"] for r in paid} == {"paid"}
    conn.close()


def test_bars_draw_zero_and_leave_out_no_data():
    svg = charts.bars("t", ["11-22", "11-23"], [charts.Series("倩", [None, 0.0]),
                                               charts.Series("<b>", [50.0, 100.0])], percent=True)
    assert svg.count('class="bar"') == 3  # None is no bar; 0 % is a hairline
    assert 'data-series="倩" data-value="0"' in svg
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert "nothing in this period" not in svg
    empty = charts.bars("t", ["11-22"], [charts.Series("a", [None])])
    assert 'class="bar"' not in empty and "nothing in this period" in empty


def test_stacked_bars_reach_the_total():
    svg = charts.bars("t", ["d"], [charts.Series("a", [3]), charts.Series("b", [1])], stacked=True)
    heights = [float(h) for h in re.findall(r'class="bar"[^>]* height="([0-9.]+)"', svg)]
    assert len(heights) == 2
    # the axis runs to 4: the two bars fill the plot's height together
    assert sum(heights) == pytest.approx(charts.HEIGHT - charts.TOP - charts.BOTTOM)


def test_shipping_by_day_is_the_daily_reports_figure_for_each_day(run, env, tmp_path):
    from datetime import date, timedelta

    from cstool.core.clock import to_db
    from cstool.core.context import Context
    from cstool.shipcheck import deadlines

    webhelp.build(run, tmp_path)
    j = Journal.open(str(env))
    try:
        policy = Policy(j)
        clock = Clock(policy.get("timezone"), DEMO_NOW)
        days = [date(2026, 11, 17) + timedelta(days=i) for i in range(8)]
        bounds = [(to_db(clock.start_of(d)), to_db(clock.start_of(d + timedelta(days=1))))
                  for d in days]
        ctx = Context(j, clock, policy)
        one_pass = deadlines.by_day(ctx, bounds)
        each = [deadlines.day(ctx, s, u) for s, u in bounds]
    finally:
        j.close()
    assert one_pass == [{k: v for k, v in d.items() if not k.endswith("_now")} for d in each]
    assert one_pass[6]["shipped_in_time"] == one_pass[6]["shipped_late"] == 1  # the 23rd
    assert sum(d["deadline_in_day"] for d in one_pass) > 5


# --- the same masking as the command line ---------------------------------------------------


@pytest.mark.parametrize("key, value", [
    ("buyer_message", "收件人改成张三 电话13900001111 地址杭州市西湖区文三路8号"),
    ("problem", "座机0571-88886666, 手机 139 0000 6666"),
    ("detail", "身份证330106199001011234开发票"),
    ("note", "幸福小区3栋2单元501室 放门口"),
    ("buyer", "tb_13900001111"),  # an identifier: whole, on the web as in the CLI
    ("tracking_no", "13900001111"),
    ("order_id", "5118609024991031607"),
    ("receiver_phone", "Phone:13900001111"),
    ("receiver_address", "Address:浙江省 杭州市 西湖区 文三路8号"),
    ("receiver_name", "Name:王小明"),
    ("seller_memo", "Memo:客户要求修改地址,新地址为:江苏省 南京市 鼓楼区 中山路100号---2026.11.23 倩"),
])
def test_a_page_cell_is_masked_exactly_as_the_cli_prints_it(key, value):
    from cstool.core import values
    from cstool.core.output import Renderer
    from cstool.web.render import WebRenderer

    kind, _, text = value.partition(":")
    if kind in ("Phone", "Address", "Name", "Memo"):
        value = getattr(values, kind)(text)
    clock = Clock("Asia/Shanghai", DEMO_NOW)
    cli = Renderer(clock).plain(value, True, key)
    assert WebRenderer(clock).text(key, value) == cli
    assert not any(s in cli for s in ("13900001111", "88886666", "0000 6666", "文三路8号",
                                      "199001011234", "501室", "中山路100号", "小明")) \
        or key in ("buyer", "tracking_no")


def test_the_order_page_shows_what_orders_show_prints(run, demo, journal):
    oid = order("paid_address_change")
    run(["--agent", "倩", "handover", "add", "-c", "回访", "--order", oid, "-p",
         "座机0571-88886666, 手机 139 0000 6666", "-t", "回电"], check=0)
    cli = run.json(["orders", "show", oid, "--json"])
    page = pages.order(ctx_for(journal), oid)
    record = {row[0].text: row[1].text for row in page.sections[0].table.rows}
    for key in ("buyer", "seller_memo", "receiver_name", "receiver_phone", "receiver_address"):
        assert record[key] == (cli[key] or ""), key  # English reads the keys
    handover = next(s for s in page.sections if s.title == "Handover")
    assert handover.table.rows[-1][2].text == cli["handover"][-1]["problem"] == \
        "座机0571-****6666, 手机 139****6666"
