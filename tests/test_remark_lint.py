"""remark lint (every remark against the shop's format) and remark list (an order's history)."""

from __future__ import annotations

import csv
import io

from conftest import DEMO_CSV, DEMO_UTF8, SCENARIOS, order

from cstool.core.journal import Journal

# What the demo journal's memos lack (fixtures/make_fixtures.py), by hand from the rules.
DEMO_PROBLEMS = [
    ("paid_incomplete_memo", None, "missing_time", "no time (时间)"),          # 发顺丰
    ("paid_incomplete_memo", None, "missing_author", "no author (备注人)"),
    ("paid_sloppy_memo", "小雨", "missing_time", "no time (时间)"),            # 换大一码 小雨
    ("paid_hold_until_21_due", None, "hold_past",                             # 21日发货, unshipped
     "hold date 2026-11-21 has passed and the order has not shipped"),
    ("shipped_brushing", None, "brush_shipped", "brushing order (@@@) has shipped"),  # @@@王五
]


def insert_chase(env, order_id, text, author):
    """A remark as the chase feature writes it (source and kind 'chase', not parsed)."""
    j = Journal.open(str(env))
    with j.write():
        j.execute("INSERT INTO remarks (order_id, source, text, kind, author, at, created_by, "
                  "created_at) VALUES (?, 'chase', ?, 'chase', ?, '2026-11-23T06:30:00Z', ?, "
                  "'2026-11-23T06:30:00Z')", [order_id, text, author, author])
    j.close()


def found(rows):
    names = {v: k for k, v in SCENARIOS["orders"].items()}
    return [(names[r["order_id"]], r["author"], r["check"], r["problem"]) for r in rows]


def test_lint_finds_the_demo_journals_incomplete_memos(run, demo):
    assert found(run.json(["remark", "lint", "--json"], check=1)) == DEMO_PROBLEMS


def test_lint_table_and_summary(run, demo):
    result = run(["remark", "lint"], check=1)
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["order_id", "author", "kind", "problem", "remark"]
    assert len(lines) == 2 + len(DEMO_PROBLEMS)
    assert lines[2].split() == [order("paid_incomplete_memo"), "courier", "no", "time", "(时间)",
                                "发顺丰"]
    assert "5 problem(s) in 4 remark(s); 25 remark(s) checked" in result.stderr


def test_lint_table_is_cut_at_the_limit(run, demo):
    result = run(["remark", "lint", "--limit", "2"], check=1)
    assert len(result.stdout.splitlines()) == 2 + 2
    assert "… and 3 more (--limit 0, or --format csv|jsonl for all" in result.stderr
    assert len(run(["remark", "lint", "--limit", "0"], check=1).stdout.splitlines()) == 2 + 5


def test_lint_by_agent_for_supervisors(run, demo):
    rows = run.json(["remark", "lint", "--by", "agent", "--json"], check=1)
    assert rows == [
        {"agent": "(no author)", "remarks_with_problems": 3, "problems": 4,
         "most_common": "missing_time",
         "by_check": {"missing_time": 1, "missing_author": 1, "hold_past": 1,
                      "brush_shipped": 1}},
        {"agent": "小雨", "remarks_with_problems": 1, "problems": 1, "most_common": "missing_time",
         "by_check": {"missing_time": 1}},
    ]


def test_lint_filters_by_author_and_time(run, demo):
    assert found(run.json(["remark", "lint", "--author", "小雨", "--json"], check=1)) == \
        [("paid_sloppy_memo", "小雨", "missing_time", "no time (时间)")]
    assert run.json(["remark", "lint", "--author", "美美", "--json"], check=0) == []
    # memos were imported at 14:30 today and state no time: nothing since 15:00
    later = run(["remark", "lint", "--since", "2026-11-23 15:00"], check=0)
    assert later.stdout == ""
    assert "all 0 remark(s) complete" in later.stderr


def test_lint_csv_columns(run, demo):
    out = run(["remark", "lint", "--format", "csv"], check=1).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["order_id", "remark_id", "author", "source", "kind", "check", "at",
                       "problem", "text"]
    assert rows[1][:1] + rows[1][2:] == [order("paid_incomplete_memo"), "", "platform", "courier",
                                         "missing_time", "", "no time (时间)", "发顺丰"]


def test_lint_exits_0_when_every_remark_is_complete(run, journal):
    for agent in ("倩", "郑婷"):
        run(["agent", "add", agent], check=0)
    # five orders of the demo export, with complete memos (or none)
    run(["--agent", "倩", "orders", "import", str(DEMO_UTF8)], check=0)
    oid = order("unpaid_4min59")
    for args in (["--kind", "note", "--reason", "客户要求发顺丰", "--action", "已改快递"],
                 ["--kind", "hold", "--until", "2026-11-25"],
                 ["--kind", "gift", "--gift", "茶巾一条"]):
        run(["--agent", "郑婷", "remark", "add", oid, *args], check=0)
    insert_chase(journal.path, oid, "2026.11.23 顾客明天下午付款", "倩")
    result = run(["remark", "lint"], check=0)
    assert result.stdout == ""
    # the five orders have no memo: three cli remarks and one chase remark
    assert journal.scalar("SELECT count(*) FROM remarks") == 4
    assert "all 4 remark(s) complete" in result.stderr


def test_unknown_authors_and_owners(run, journal):
    run(["agent", "add", "倩"], check=0)
    run(["--agent", "倩", "orders", "import", str(DEMO_CSV)], check=0)
    rows = run.json(["remark", "lint", "--json"], check=1)
    unknown = sorted({(r["order_id"], r["problem"]) for r in rows if r["check"] == "unknown_author"})
    assert unknown == sorted([
        (order("unpaid_yesterday_chased"), "author 郑婷 is not a registered agent "
                                           "(cstool agent add 郑婷)"),
        (order("paid_attr_change"), "author 小雨 is not a registered agent (cstool agent add 小雨)"),
        (order("paid_slip_change"), "author 阿杰 is not a registered agent (cstool agent add 阿杰)"),
        (order("finished_2"), "author 美美 is not a registered agent (cstool agent add 美美)"),
    ])


def test_a_job_number_that_is_not_the_authors(run, demo):
    run(["agent", "add", "倩", "--job-no", "2048"], check=0)
    rows = run.json(["remark", "lint", "--json"], check=1)
    assert [(r["order_id"], r["check"], r["problem"]) for r in rows if r["check"] == "job_no"] == \
        [(order("paid_sale_credit"), "job_no", "工号1024 is not 倩's job number (2048)")]


def test_flags_are_checked_under_the_current_scheme(run, demo):
    oid = order("paid_yesterday_evening")
    run(["--agent", "倩", "remark", "add", oid, "--kind", "brush"], check=0)
    assert run.json(["remark", "lint", "--json", "--author", "倩"], check=0) == []
    run(["policy", "use", "flags-shipping"], check=0)  # by shipping state: red is "don't ship"
    rows = run.json(["remark", "lint", "--json", "--author", "倩"], check=1)
    assert [(r["order_id"], r["check"], r["problem"]) for r in rows] == [
        # the imported R6 memo's red flag: a rebate order ships (yellow) there
        (order("paid_rebate"), "flag_scheme", "flag red (红) means problem in the shop's scheme; "
                                              "a rebate remark takes yellow (黄)"),
        (oid, "flag_scheme", "flag purple (紫) means return in the shop's scheme; "
                             "a brush remark takes red (红)")]


def test_a_memo_over_the_platforms_limit(run, demo):
    run(["policy", "set", "remark.memo_max_bytes", "99"], check=0)
    memo = "客户要求修改地址,新地址为:江苏省 南京市 鼓楼区 中山路100号---2026.11.23 倩"
    assert len(memo.encode("utf-8")) == 100  # the demo's longest memo
    rows = run.json(["remark", "lint", "--json"], check=1)
    assert [(r["order_id"], r["problem"]) for r in rows if r["check"] == "too_long"] == \
        [(order("paid_address_change"), "memo is 100 bytes; the platform keeps 99")]


def test_only_the_current_version_of_a_memo_is_linted(run, demo, tmp_path):
    from test_remark_import import newer_export

    newer_export(run, tmp_path, {"paid_incomplete_memo": "客户要求发顺丰---2026.11.23 倩"})
    rows = run.json(["remark", "lint", "--json"], check=1)
    assert order("paid_incomplete_memo") not in {r["order_id"] for r in rows}


def test_chase_remarks_need_no_author_in_their_text(run, demo):
    oid = order("unpaid_3h")
    insert_chase(demo, oid, "2026.11.23 顾客明天下午付款", "郑婷")
    insert_chase(demo, oid, "2026.11.23 郑婷已催付", "郑婷")
    assert run.json(["remark", "lint", "--json", "--author", "郑婷"], check=0) == []


def test_list_shows_the_history_oldest_first(run, demo):
    oid = order("unpaid_yesterday_chased")
    run(["--agent", "倩", "remark", "add", oid, "--kind", "note", "--reason", "顾客说晚上付",
         "--action", "已记录"], check=0)
    insert_chase(demo, oid, "2026.11.23 倩已催付", "倩")
    rows = run.json(["remark", "list", oid, "--json"])
    assert [(r["source"], r["kind"], r["author"], r["text"]) for r in rows] == [
        ("platform", "chase", "郑婷", "2026.11.22 郑婷已催付"),
        ("cli", "note", "倩", "红旗 顾客说晚上付 已记录 2026.11.23 倩"),
        ("chase", "chase", "倩", "2026.11.23 倩已催付"),
    ]
    table = run(["remark", "list", oid], check=0).stdout.splitlines()
    assert table[0].split() == ["id", "recorded_at", "source", "kind", "flag", "author", "text",
                                "problems"]
    assert len(table) == 5


def test_list_of_an_unknown_order(run, demo):
    result = run(["remark", "list", "42"])
    assert result.exit_code == 1
    assert result.output == "Error: no order 42 in the journal (import the shop's export first)\n"


def test_every_remark_command_has_help_with_an_example(run):
    for name in ("add", "parse", "lint", "list"):
        result = run(["remark", name, "--help"], check=0)
        assert "cstool remark " + name in result.output, name


def test_orders_show_masks_addresses_in_memos(run, demo):
    oid = order("paid_address_change")
    shown = run.json(["orders", "show", oid, "--json"])
    masked = "客户要求修改地址,新地址为:江苏省 南京市 鼓楼区 ****---2026.11.23 倩"
    assert shown["seller_memo"] == masked
    assert [r["text"] for r in shown["remarks"]] == [masked]
    revealed = run.json(["--reveal", "orders", "show", oid, "--json"])
    assert revealed["seller_memo"] == masked.replace("****", "中山路100号")


def test_lint_since_finds_the_holds_and_brushing_marks_of_those_remarks(run, demo):
    # the demo's memos were imported at 14:30: since 14:00 is every remark, and the checks of
    # the orders (a hold past its date, a brushing order shipped) come from the same remarks
    since = run.json(["remark", "lint", "--since", "2026-11-23 14:00", "--json"], check=1)
    assert found(since) == DEMO_PROBLEMS
    by_agent = run.json(["remark", "lint", "--since", "2026-11-23 14:00", "--by", "agent",
                         "--json"], check=1)
    assert by_agent == run.json(["remark", "lint", "--by", "agent", "--json"], check=1)
