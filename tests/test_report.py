"""`cstool report daily`: the supervisor's page, figures checked by hand from the fixtures."""

from __future__ import annotations

from conftest import order


def ship(run, tmp_path, rows):
    f = tmp_path / "shipped.csv"
    f.write_text("订单号,状态,下单时间,发货时间\n" + "".join(
        f"{oid},shipped,{created},{shipped}\n" for oid, created, shipped in rows), encoding="utf-8")
    run(["--agent", "倩", "orders", "import", "--format", "generic", str(f), "--map", "订单号=order_id",
         "--map", "状态=status", "--map", "下单时间=created_at", "--map", "发货时间=shipped_at"],
        check=0)


def test_daily_report_figures(run, demo, tmp_path):
    # shipped before its deadline (23rd 16:30) and after its deadline (23rd 06:30)
    ship(run, tmp_path, [(order("paid_70h_due_soon"), "2026-11-20 16:10:00", "2026-11-23 12:00:00"),
                         (order("paid_80h_overdue"), "2026-11-20 05:30:00", "2026-11-23 13:00:00")])
    run(["--agent", "倩", "--now", "2026-11-23 14:00", "chase", "log", order("unpaid_40min_big"),
         "--channel", "旺旺"], check=0)
    paid = tmp_path / "paid.csv"
    paid.write_text(f"订单号,状态,下单时间,付款时间\n{order('unpaid_40min_big')},paid,"
                    "2026-11-23 13:50:00,2026-11-23 14:20:00\n", encoding="utf-8")
    run(["--agent", "倩", "orders", "import", "--format", "generic", str(paid), "--map",
         "订单号=order_id", "--map", "状态=status", "--map", "下单时间=created_at",
         "--map", "付款时间=paid_at"], check=0)
    case = run.json(["--agent", "郑婷", "exception", "log", order("shipped_damaged_reported"),
                     "--kind", "丢件", "--detail", "快递确认丢失", "--json"])
    run(["--agent", "倩", "handover", "add", "-c", "回访", "--buyer", "tb_lily", "-p", "退差价",
         "-t", "回电"], check=0)
    run(["--agent", "郑婷", "handover", "ack", "1", "--receipt", "已回电"], check=0)

    r = run.json("report daily --json")
    assert r["date"] == "2026-11-23"
    assert r["imports"] == {"files": 4, "rows": 60, "inserted": 52, "updated": 7, "rejected": 0}
    # chased at 14:00, paid at 14:20 according to a later export
    total = r["chases"]["total"]
    assert (total["chased"], total["paid"], total["conversion"],
            total["median_minutes_to_pay"]) == (1, 1, 1.0, 20)
    assert [(a["agent"], a["chased"]) for a in r["chases"]["by_agent"]] == [("倩", 1)]
    assert r["shipping"] == {**r["shipping"], "deadline_in_day": 4, "shipped_in_time": 1,
                             "shipped_late": 1, "shipped_time_unknown": 1,
                             "past_deadline_unshipped": 1, "in_time_pct": "33.3%"}
    assert r["shipping"]["overdue_now"] >= 1
    [lost] = [k for k in r["exceptions"]["opened_by_kind"] if k["kind"] == "lost"]
    assert (lost["cases"], lost["open"]) == (1, 1)
    assert r["exceptions"]["closed_by_kind"] == []
    assert r["handover"] == {"items": 1, "acknowledged": 1, "still_open": 0,
                             "acknowledged_pct": "100.0%"}
    assert case["id"] == 1


def test_another_day_and_markdown(run, demo):
    r = run.json("report daily --date 2026-11-22 --json")
    assert r["imports"]["files"] == 0
    md = run("report daily --format md", check=0).stdout
    assert md.startswith("# Daily report 2026-11-23\n")
    assert "## Orders imported" in md and "| files |" in md.replace("   ", " ")
    zh = run("report daily --format md", env={"CSTOOL_LANG": "zh"}, check=0).stdout
    assert zh.startswith("# 日报 2026-11-23\n")
    assert "## 导入" in zh and "| 文件数 |" in zh.replace("   ", " ")


def test_bad_date(run, demo):
    result = run("report daily --date someday")
    assert result.exit_code == 2 and "'someday' is not a date" in result.output


def test_remark_problems_by_agent(run, demo):
    r = run.json("report daily --json")
    by = {a["agent"]: a for a in r["remark_problems_by_agent"]}
    # "发顺丰" and "@@@张三"-style memos name nobody; "换大一码 小雨" has no time
    assert by["(no author)"]["problems"] >= 2
    assert by["小雨"]["by_check"] == {"missing_time": 1}
    table = run("report daily", check=0).stdout
    assert "Remark problems by agent" in table and "missing_time=1" in table


def test_conversion_reads_the_same_in_the_report_and_in_chase_stats(run, demo):
    run(["--agent", "倩", "chase", "log", order("unpaid_40min_big"), "--channel", "旺旺"], check=0)
    stats = run(["chase", "stats", "--since", "today"], check=0).stdout
    shown = dict((line.split(None, 1) + [""])[:2] for line in stats.splitlines())["conversion"]
    assert shown == "0.0%"
    md = run("report daily --format md", check=0).stdout
    chases = md.split("## Chases\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    head = [c.strip() for c in chases[0].strip("|").split("|")]
    row = [c.strip() for c in chases[2].strip("|").split("|")]
    assert dict(zip(head, row))["conversion"] == shown
    assert run.json("report daily --json")["chases"]["total"]["conversion"] == 0.0


def test_deadlines_by_day_counted_in_sql_as_on_the_shops_clock(demo, journal):
    """The day's deadline figures are counted in SQL (UTC arithmetic) where the shop's
    clock keeps one offset; the same tallies as working each deadline out on the clock."""
    from datetime import timedelta

    from conftest import context

    from cstool.core.clock import to_db
    from cstool.shipcheck import deadlines

    ctx = context(journal, "2026-11-23 15:00")
    clock = ctx.clock
    days = [(to_db(clock.start_of(clock.today() + timedelta(days=d))),
             to_db(clock.start_of(clock.today() + timedelta(days=d + 1)))) for d in range(-5, 1)]
    got = deadlines.by_day(ctx, days)
    hours = [ctx.policy.get("ship_deadline_hours")]
    slow = deadlines._on_the_clock(ctx, days, hours)
    assert [(g["shipped_in_time"], g["shipped_late"], g["shipped_time_unknown"],
             g["past_deadline_unshipped"]) for g in got] == \
        [(t["on_time"], t["late"], t["unknown"], t["unshipped"]) for t in slow]
    assert sum(g["deadline_in_day"] for g in got) > 0
