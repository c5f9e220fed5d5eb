"""Memos drive behaviour: seller memos are parsed on import and applied (holds, brushing)."""

from __future__ import annotations

import csv

from conftest import DEMO_CSV, context, order

from cstool.app import routines
from cstool.core.journal import Journal
from cstool.remark import hook, store
from cstool.remark.hook import ImportedMemos

D = "T00:00:00+08:00"


def journal_rows(env, sql, params=()):
    j = Journal.open(str(env))
    try:
        return [tuple(r) for r in j.query(sql, params)]
    finally:
        j.close()


def newer_export(run, tmp_path, memos: dict, now="2026-11-23 16:00"):
    """Import a later export (generic CSV) where the named orders' memos changed."""
    path = tmp_path / "newer.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["订单编号", "订单状态", "订单创建时间", "订单备注"])
        for name, memo in memos.items():
            shown = run.json(["orders", "show", order(name), "--json"])
            w.writerow([order(name), shown["status"], shown["created_at"][:19].replace("T", " "),
                        memo])
    return run(["--agent", "倩", "--now", now, "orders", "import", str(path), "--format", "generic",
                "--map", "订单编号=order_id", "--map", "订单状态=status",
                "--map", "订单创建时间=created_at", "--map", "订单备注=seller_memo"], check=0)


def remark(run, name, index=-1):
    return run.json(["remark", "list", order(name), "--json"])[index]


def test_the_import_hook_is_the_remark_parser(journal):
    hook = routines.import_hook(context(journal))
    assert isinstance(hook, ImportedMemos) and hook.memo_parser


def test_imported_memos_are_parsed_and_stored(run, demo):
    got = {name: remark(run, name) for name in (
        "unpaid_yesterday_chased", "paid_80h_overdue", "paid_r2_exchange", "paid_sale_credit",
        "paid_incomplete_memo", "paid_70h_due_soon", "paid_courier_choice")}
    view = {k: (v["source"], v["kind"], v["flag"], v["flag_code"], v["at"], v["author"],
                v["problems"]) for k, v in got.items()}
    assert view == {
        "unpaid_yesterday_chased": ("platform", "chase", None, None, "2026-11-22" + D, "郑婷", []),
        "paid_80h_overdue": ("platform", "note", "red", 1, "2026-11-20" + D, "倩", []),
        "paid_r2_exchange": ("platform", "note", None, None, "2026-11-22T11:43:42+08:00", "倩",
                             []),
        "paid_sale_credit": ("platform", "sale", "yellow", 2, None, "倩", []),
        "paid_incomplete_memo": ("platform", "courier", None, None, None, None,
                                 ["no time (时间)", "no author (备注人)"]),
        # the newer export's 备注标签 column gives the flag
        "paid_70h_due_soon": ("platform", "note", "red", 1, "2026-11-23" + D, "倩", []),
        # "申通 倩 11.23": no year, read as the nearest 23 November
        "paid_courier_choice": ("platform", "courier", None, None, "2026-11-23" + D, "倩", []),
    }
    assert got["paid_r2_exchange"]["reason"] == "退货/换货"
    assert got["paid_r2_exchange"]["action"] == "换37码"
    assert got["paid_sale_credit"]["fields"] == {"job_no": "1024"}


def test_chase_memos_are_chase_remarks_with_their_date_and_author(run, demo):
    """What the chase queue reads: kind 'chase' with at and author (R4, R5)."""
    rows = journal_rows(demo, "SELECT order_id, at, author FROM remarks WHERE kind = 'chase' "
                              "ORDER BY order_id")
    assert rows == [(order("unpaid_yesterday_chased"), "2026-11-21T16:00:00Z", "郑婷"),
                    (order("unpaid_promised"), "2026-11-21T16:00:00Z", None)]
    promised = remark(run, "unpaid_promised")
    assert [(s["text"], s["kind"], s["author"], s["fields"]["step"])
            for s in promised["fields"]["segments"]] == [
        ("2026.11.22 倩已催付", "chase", "倩", "chased"),
        ("2026.11.22 顾客明天下午付款", "chase", None, "answer")]


def test_brushing_memos_mark_the_orders(run, demo):
    marked = journal_rows(demo, "SELECT order_id FROM orders WHERE brushing = 1 ORDER BY order_id")
    assert marked == [(order("unpaid_brushing"),), (order("paid_brushing"),),
                      (order("shipped_brushing"),)]


def test_hold_memos_and_presale_dates_open_holds(run, demo):
    holds = journal_rows(demo, "SELECT order_id, kind, until, owner, released_at FROM holds "
                               "ORDER BY order_id, kind")
    assert holds == [
        (order("paid_hold_until_25"), "until", "2026-11-25", None, None),
        (order("paid_hold_until_21_due"), "until", "2026-11-21", None, None),
        (order("paid_hold_owner"), "owner", None, "倩", None),
        (order("paid_waiting_buyer"), "waiting_buyer", None, None, None),
        (order("paid_presale"), "presale", "2026-12-01", None, None),  # 分阶段订单信息
    ]
    links = journal_rows(demo, "SELECT h.order_id, r.text FROM holds h "
                               "LEFT JOIN remarks r ON r.id = h.remark_id ORDER BY h.order_id")
    assert dict(links)[order("paid_hold_until_25")] == "25日发货"
    assert dict(links)[order("paid_presale")] is None


def test_importing_the_same_export_again_changes_nothing(run, demo):
    before = journal_rows(demo, "SELECT * FROM holds ORDER BY id")
    count = journal_rows(demo, "SELECT count(*) FROM remarks")
    run(["--agent", "倩", "orders", "import", str(DEMO_CSV)], check=0)
    assert journal_rows(demo, "SELECT * FROM holds ORDER BY id") == before
    assert journal_rows(demo, "SELECT count(*) FROM remarks") == count


def test_a_newer_memo_that_drops_a_hold_releases_it(run, demo, tmp_path):
    newer_export(run, tmp_path, {"paid_hold_until_25": "加急 2026.11.23 倩",
                                 "paid_brushing": "正常订单 2026.11.23 倩"})
    rid = remark(run, "paid_hold_until_25")["id"]
    assert journal_rows(demo, "SELECT kind, released_at, released_by, release_note FROM holds "
                              "WHERE order_id = ?", [order("paid_hold_until_25")]) == [
        ("until", "2026-11-23T08:00:00Z", "倩", f"the memo no longer says so (remark {rid})")]
    assert journal_rows(demo, "SELECT brushing FROM orders WHERE order_id = ?",
                        [order("paid_brushing")]) == [(0,)]


def test_a_later_line_saying_the_buyer_answered_releases_the_wait(run, demo, tmp_path):
    memo = ("37码缺货,已旺旺问顾客是否换38码,等顾客回复 2026.11.21 倩\n"
            "顾客回复换38码,已改 2026.11.23 倩")
    newer_export(run, tmp_path, {"paid_waiting_buyer": memo})
    assert journal_rows(demo, "SELECT kind, released_at IS NOT NULL, release_note FROM holds "
                              "WHERE order_id = ?", [order("paid_waiting_buyer")]) == [
        ("waiting_buyer", 1, f"the remark says it is over (remark "
                             f"{remark(run, 'paid_waiting_buyer')['id']})")]


def test_a_newer_memo_with_a_new_date_moves_the_hold(run, demo, tmp_path):
    newer_export(run, tmp_path, {"paid_hold_until_25": "28日发货"})
    assert journal_rows(demo, "SELECT until, release_note FROM holds WHERE order_id = ? "
                              "ORDER BY id", [order("paid_hold_until_25")]) == [
        ("2026-11-25", "superseded"), ("2026-11-28", None)]


def test_a_hold_memo_on_a_shipped_order_opens_nothing(run, demo, tmp_path):
    newer_export(run, tmp_path, {"shipped_2days": "30日发货"})
    assert journal_rows(demo, "SELECT count(*) FROM holds WHERE order_id = ?",
                        [order("shipped_2days")]) == [(0,)]
    assert remark(run, "shipped_2days")["kind"] == "hold"


def test_a_dry_run_import_applies_nothing(run, journal):
    run(["agent", "add", "倩"], check=0)
    run(["--agent", "倩", "orders", "import", str(DEMO_CSV), "--dry-run"], check=0)
    assert journal.scalar("SELECT count(*) FROM remarks") == 0
    assert journal.scalar("SELECT count(*) FROM holds") == 0


def test_memos_imported_before_the_parser_existed_are_linted_anyway(run, journal, monkeypatch):
    """An import without the hook leaves memos unparsed; lint reads them itself."""
    run(["agent", "add", "倩"], check=0)
    monkeypatch.setattr(routines, "import_hook", lambda ctx: None)
    run(["--agent", "倩", "orders", "import", str(DEMO_CSV)], check=0)
    assert journal.scalar("SELECT count(*) FROM remarks WHERE parsed = 0") == 23
    rows = run.json(["remark", "lint", "--json"], check=1)
    problems = {}
    for r in rows:
        problems.setdefault(r["order_id"], []).append(r["problem"])
    # only 倩 is registered: a name after a time is an author, even an unknown one …
    assert problems[order("paid_attr_change")] == [
        "author 小雨 is not a registered agent (cstool agent add 小雨)"]
    # … a bare word at the end is a name only when it is a registered agent
    assert problems[order("paid_sloppy_memo")] == ["no time (时间)", "no author (备注人)"]


def test_many_memos_are_parsed_on_two_cores_alike(monkeypatch):
    """Big imports parse half the texts in a forked child; the rows must not differ."""
    import os
    from datetime import datetime

    from cstool.core.clock import zone
    from cstool.remark.flags import Shop
    from cstool.remark.parse import Parser, parse

    ref = datetime(2026, 11, 23, 14, 30, tzinfo=zone("Asia/Shanghai"))
    texts = [f"@@@刘{i}" for i in range(2100)] + \
        [f"换货,换{i}码 2026年11月2日9:{i % 60:02d}:00 # 倩" for i in range(2100)] + ["21日发货"]
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    got = {r[0]: r for r in hook._parse_rows(Parser(ref, Shop()), texts)}
    assert forks == [1]
    assert len(got) == len(texts)
    for t in texts:
        p = parse(t, ref, Shop())
        assert got[t] == (t, *store.columns(p), p.brush() is not None,
                          bool(p.holds() or p.releases())), t
    assert got["21日发货"][-2:] == (False, True)
    assert got["@@@刘7"][1] == "brush"


def test_memos_are_applied_a_slice_at_a_time_alike(run, env, monkeypatch, tmp_path):
    """A big import applies its memos' holds and brushing marks a slice at a time (memory
    stays flat); with one memo a slice the journal ends the same."""
    from conftest import DEMO_XLSX

    monkeypatch.setattr(hook, "_SLICE", 1)
    for agent in ("倩", "郑婷", "小雨", "阿杰", "美美"):
        run(["agent", "add", agent], check=0)
    run(["--agent", "倩", "orders", "import", str(DEMO_CSV), str(DEMO_XLSX)], check=0)
    test_hold_memos_and_presale_dates_open_holds(run, env)
    test_brushing_memos_mark_the_orders(run, env)
    test_a_newer_memo_that_drops_a_hold_releases_it(run, env, tmp_path)
