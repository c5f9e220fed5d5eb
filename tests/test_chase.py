"""chase: the unpaid-order queue, the chase log, templates and conversion (催付).

The demo clock is Monday 2026-11-23 14:30 (Asia/Shanghai). Expected values
come from the fixture scenarios (fixtures/make_fixtures.py) and the rules:
grace 5 minutes, cool-down 120 minutes, at most 2 attempts, sequence
wangwang → phone, phone 10:00-12:00 and 15:00-17:00, wangwang 09:00-23:30.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import subprocess
import sys
import time
from datetime import datetime

import pytest
from conftest import DEMO_CSV, order

from cstool.app.policy import Policy
from cstool.chase import log, queue, stats
from cstool.core import holds
from cstool.core.clock import Clock, zone
from cstool.core.context import Context
from cstool.core.journal import Journal
from cstool.core.values import Instant, Money

BIG = order("unpaid_40min_big")          # 499.00, created 13:50, 加厚羽绒服 黑色 L
OLD = order("unpaid_promised")           # 238.00, created 2026-11-22 10:05
DINNER = order("dinner_order")           # 238.00, created 14:15
YESTERDAY = order("unpaid_yesterday_chased")  # 158.00, created 2026-11-22 20:15
FIVE = order("unpaid_5min")              # 89.00, created 14:25:00
XLSX_NEW = order("xlsx_new_unpaid")      # 59.00, created 14:10, no buyer in the xlsx export
SMALL = order("unpaid_small")            # 19.90, created 13:30
BRUSH = order("unpaid_brushing")         # 199.00, created 14:00
THREE_H = order("unpaid_3h")             # 268.00, created 11:30, paid in the newer export

# The queue at 14:30, most valuable first, then oldest. Not in it: the brushing order
# (its memo says @@@), OLD (its memo records a chase and the buyer's promise to pay
# "明天下午", i.e. from 18:00 today). YESTERDAY's memo chase was yesterday: due again.
QUEUE_AT_1430 = [BIG, DINNER, YESTERDAY, FIVE, XLSX_NEW, SMALL]

WANGWANG_BIG = ("亲,您好呀~ 看到您今天拍下的「加厚羽绒服 黑色 L」还没有付款,是遇到什么问题了吗?"
                "宝贝现在有货,每天16:00前付款的订单当天就能发出哦。有任何疑问随时找我~")


def due(run, *args, now=None):
    argv = ["chase", "due", "--json", *args]
    if now:
        argv = ["--now", now, *argv]
    return run.json(argv)


def ids(rows):
    return [r["order_id"] for r in rows]


def lib(journal, now="2026-11-23 14:30"):
    policy = Policy(journal)
    return Clock(policy.get("timezone"), now), policy


def brush(journal, oid=BRUSH):
    holds.set_brushing(journal, oid)


def add_remark(journal, oid, text, at, created_at, author=None, kind="chase"):
    """A memo remark as the remark parser leaves it (kind 'chase', its own time)."""
    with journal.write():
        journal.execute(
            "INSERT INTO remarks (order_id, source, text, kind, at, author, parsed, created_at) "
            "VALUES (?, 'platform', ?, ?, ?, ?, 1, ?)", [oid, text, kind, at, author, created_at])


# --- the queue ------------------------------------------------------------------------


def test_queue_order_and_row(run, demo, journal):
    brush(journal)
    rows = due(run)
    assert ids(rows) == QUEUE_AT_1430
    assert rows[0] == {
        "order_id": BIG, "platform": "taobao", "shop": "示范旗舰店",
        "buyer": "tb_unpaid_40min_b04", "amount": "499.00",
        "created_at": "2026-11-23T13:50:00+08:00", "created_at_precision": "second",
        "unpaid_minutes": 40, "attempts": 0,
        "last_chased_at": None, "last_chased_by": None, "channel": "wangwang", "opens_at": None,
        "waits": None,
        "message": WANGWANG_BIG, "item_title": "加厚羽绒服 黑色 L", "phone": rows[0]["phone"],
        "owner": None}
    assert rows[0]["phone"][3:7] == "****"
    assert [r["unpaid_minutes"] for r in rows] == [40, 15, 1095, 5, 20, 60]
    assert [r["attempts"] for r in rows] == [0, 0, 1, 0, 0, 0]  # the memo's chase counts
    assert {r["channel"] for r in rows} == {"wangwang"}
    # the library gives the same queue with typed values
    clock, policy = lib(journal)
    got = queue.due(Context(journal, clock, policy))
    assert ids(got) == QUEUE_AT_1430
    assert got[0]["amount"] == Money(49900) and isinstance(got[0]["amount"], Money)
    assert got[0]["created_at"] == Instant("2026-11-23T05:50:00Z")
    assert ids(queue.due(Context(journal, clock, policy), limit=2)) == [BIG, DINNER]


def test_grace_boundary_4m59_vs_5m(run, demo, journal):
    rows = due(run, "--limit", "0")
    assert FIVE in ids(rows)                          # created 14:25:00, unpaid exactly 5:00
    assert order("unpaid_4min59") not in ids(rows)    # created 14:25:01
    assert order("unpaid_fresh_2min") not in ids(rows)
    later = due(run, "--limit", "0", now="2026-11-23 14:30:01")
    assert order("unpaid_4min59") in ids(later)
    clock, policy = lib(journal)
    assert order("unpaid_4min59") not in ids(queue.due(Context(journal, clock, policy)))


def test_closed_brushing_and_paid_orders_never_listed(run, demo, journal):
    # the import flagged the brushing order from its memo (@@@刘晓庆)
    assert journal.scalar("SELECT brushing FROM orders WHERE order_id = ?", [BRUSH]) == 1
    listed = ids(due(run, "--all", "--limit", "0"))
    for name in ("unpaid_brushing", "closed_unpaid", "closed_by_buyer", "paid_80h_overdue",
                 "unpaid_3h"):
        assert order(name) not in listed, name


def test_reimport_of_a_later_export_removes_paid_orders(run, env):
    run(["agent", "add", "倩"], check=0)
    run(["--agent", "倩", "orders", "import", str(DEMO_CSV)], check=0)
    before = ids(due(run, "--limit", "0"))
    assert before[:3] == [BIG, THREE_H, DINNER]
    from conftest import DEMO_XLSX

    run(["--agent", "倩", "orders", "import", str(DEMO_XLSX)], check=0)
    after = ids(due(run, "--limit", "0"))
    assert THREE_H not in after
    assert after[:3] == [BIG, DINNER, YESTERDAY]


def test_empty_queue_says_so_on_stderr(run, env):
    result = run(["chase", "due"], check=0)
    assert result.stdout == ""
    assert result.stderr == "no unpaid orders to chase now (--all shows later ones)\n"
    assert run.json(["chase", "due", "--json"]) == []


def test_max_age_stops_chasing_old_orders(run, demo):
    # OLD was placed 2026-11-22 10:05; the platform closes it after 72 hours.
    assert OLD in ids(due(run, now="2026-11-25 10:04"))
    assert OLD not in ids(due(run, "--all", now="2026-11-25 10:06"))


# --- windows and the channel sequence ------------------------------------------------


def test_due_at_0900_under_preset_000_offers_chat_not_phone(run, demo, journal):
    run(["policy", "use", "manual-000"], check=0)
    rows = due(run, now="2026-11-23 09:00")
    assert [(r["order_id"], r["channel"]) for r in rows] == [(YESTERDAY, "wangwang")]
    assert due(run, "--channel", "电话", now="2026-11-23 09:00") == []
    later = due(run, "--channel", "phone", "--all", now="2026-11-23 09:00")
    # OLD waits for the buyer's promise (18:00), then for the next phone window
    assert [(r["order_id"], r["opens_at"]) for r in later] == [
        (OLD, "2026-11-24T10:00:00+08:00"), (YESTERDAY, "2026-11-23T10:00:00+08:00")]
    clock, policy = lib(journal, "2026-11-23 09:00")
    assert [r["channel"] for r in queue.due(Context(journal, clock, policy))] == ["wangwang"]


def test_channel_sequence_chat_then_phone_in_its_window_then_done(run, demo):
    # YESTERDAY's memo chase (no channel named) is its first attempt; allow three
    run(["policy", "set", "chase_max_attempts", "3"], check=0)
    # 10:30: phone is open, but chat comes first in the sequence
    rows = due(run, now="2026-11-23 10:30")
    assert [(r["order_id"], r["channel"]) for r in rows] == [(YESTERDAY, "wangwang")]
    run(["--agent", "倩", "--now", "2026-11-23 10:30", "chase", "log", YESTERDAY,
         "--channel", "旺旺", "--result", "未回复"], check=0)
    # 12:30: cool-down over, chat used, phone closed (12:00-15:00)
    assert YESTERDAY not in ids(due(run, now="2026-11-23 12:30"))
    waiting = [r for r in due(run, "--all", now="2026-11-23 12:30") if r["order_id"] == YESTERDAY]
    assert [(r["channel"], r["opens_at"], r["attempts"]) for r in waiting] == [
        ("phone", "2026-11-23T15:00:00+08:00", 2)]
    # 15:00: the phone window opens
    row = [r for r in due(run, now="2026-11-23 15:00") if r["order_id"] == YESTERDAY][0]
    assert (row["channel"], row["attempts"], row["last_chased_at"], row["last_chased_by"]) == (
        "phone", 2, "2026-11-23T10:30:00+08:00", "倩")
    assert row["message"].startswith("您好,请问是tb_unpaid_yesterd06吗?我是示范旗舰店的客服,看到您昨天拍的")
    run(["--agent", "倩", "--now", "2026-11-23 15:00", "chase", "log", YESTERDAY,
         "--channel", "电话", "--result", "no-answer"], check=0)
    # three attempts (policy chase_max_attempts): never listed again
    assert YESTERDAY not in ids(due(run, "--all", "--limit", "0", now="2026-11-24 15:00"))


def test_the_count_of_what_is_due_reads_each_touched_orders_history_in_one_go(run, demo, journal):
    # logged chases (one declined, one promised, one in its cool-down) and memo chases
    run(["policy", "set", "chase_max_attempts", "3"], check=0)
    for oid, result in ((BIG, "declined"), (DINNER, "未回复"), (SMALL, "promised")):
        run(["--agent", "倩", "--now", "2026-11-23 14:35", "chase", "log", oid,
             "--channel", "旺旺", "--result", result]
            + (["--promise", "今晚8点"] if result == "promised" else []), check=0)
    keys = [(r["order_id"], r["platform"]) for r in journal.query(
        "SELECT order_id, platform FROM orders WHERE status = 'unpaid'")]
    tz = zone("Asia/Shanghai")
    together = queue.histories(journal, keys, tz)
    assert set(together) == set(keys)
    for key in keys:  # the same as each order's own history, read alone
        alone, one = queue.history(journal, key[0], tz, key[1]), together[key]
        assert [getattr(one, a) for a in queue.History.__slots__ if a != "log"] == \
            [getattr(alone, a) for a in queue.History.__slots__ if a != "log"], key
        assert [dict(r) for r in one.log] == [dict(r) for r in alone.log], key
    assert sum(bool(together[k].log) for k in keys) == 3
    # and the count agrees with the listing, at moments either side of the cool-down
    for now in ("2026-11-23 14:40", "2026-11-23 16:40", "2026-11-23 20:30"):
        counts: dict = {}
        clock, policy = lib(journal, now)
        rows = queue.due(Context(journal, clock, policy), counts=counts)
        assert counts["due"] == len(rows) > 0, now


def test_preset_002_phones_in_the_afternoon(run, demo):
    run(["policy", "use", "manual-002"], check=0)
    rows = due(run, now="2026-11-23 14:00")
    assert rows[0]["order_id"] == BIG
    assert {r["channel"] for r in rows} == {"phone"}   # chat only before 11:00
    morning = due(run, now="2026-11-23 10:00")
    assert {r["channel"] for r in morning} == {"wangwang"}


def test_cooldown(run, demo, journal):
    run(["--agent", "倩", "chase", "log", BIG, "--channel", "wangwang"], check=0)
    assert BIG not in ids(due(run, now="2026-11-23 16:29"))
    row = due(run, now="2026-11-23 16:30")[0]
    assert (row["order_id"], row["channel"], row["attempts"], row["last_chased_at"]) == (
        BIG, "phone", 1, "2026-11-23T14:30:00+08:00")
    early = [r for r in due(run, "--all", now="2026-11-23 15:00") if r["order_id"] == BIG]
    assert [(r["channel"], r["opens_at"]) for r in early] == [
        ("phone", "2026-11-23T16:30:00+08:00")]
    run(["policy", "set", "chase_cooldown_minutes", "30"], check=0)
    assert BIG in ids(due(run, now="2026-11-23 15:00"))
    clock, policy = lib(journal, "2026-11-23 15:00")
    assert BIG in ids(queue.due(Context(journal, clock, policy)))


def test_channel_option_lists_orders_for_that_channel(run, demo, journal):
    brush(journal)
    run(["policy", "set", "shop_name", "示范旗舰店"], check=0)
    rows = due(run, "--channel", "短信")
    assert ids(rows) == QUEUE_AT_1430
    assert rows[0]["channel"] == "sms"
    assert rows[0]["message"] == ("【示范旗舰店】亲,您今天拍下的「加厚羽绒服 黑色 L」还未付款,"
                                  "宝贝已为您留好,每天16:00前付款当天发货。有疑问可旺旺联系我们,"
                                  "祝您生活愉快~")
    run(["--agent", "倩", "chase", "log", SMALL, "--channel", "sms"], check=0)
    assert SMALL not in ids(due(run, "--channel", "sms", "--all", "--limit", "0",
                                now="2026-11-23 18:00"))
    # the platform's remind button sends no text of ours
    assert due(run, "--channel", "remind", "--limit", "1")[0]["message"] is None


def test_sequence_policy_accepts_chinese_and_rejects_unknown(run, env):
    run(["init"], check=0)
    result = run(["policy", "set", "chase_sequence", "旺旺,电话,短信"], check=0)
    assert result.output == "chase_sequence = wangwang,phone,sms\n"
    bad = run(["policy", "set", "chase_sequence", "旺旺,微信"], check=2)
    assert bad.output.endswith("Error: policy chase_sequence: unknown chase channel '微信'; use one of: "
                          "wangwang (旺旺), phone (电话), sms (短信), remind (提醒付款), "
                          "pdd_chat (拼多多聊天), feige (飞鸽), dongdong (咚咚), "
                          "youzan_chat (有赞客服)\n")
    run(["policy", "use", "manual-002"], check=0)
    assert run.json(["policy", "show", "chase_max_attempts", "--json"])["value"] == 3


# --- chases others recorded: the memo remarks ("nobody chases twice") ------------------


def test_imported_chase_remark_counts_as_a_chase(run, demo, journal):
    add_remark(journal, DINNER, "2026.11.23 14:20 郑婷已催付", at="2026-11-23T06:20:00Z",
               created_at="2026-11-23T06:25:00Z", author="郑婷")
    assert DINNER not in ids(due(run, "--limit", "0"))
    refused = run(["--agent", "倩", "chase", "log", DINNER, "--channel", "phone"], check=1)
    assert refused.output == (
        f"Error: order {DINNER} was already chased 10 minutes ago by 郑婷 at 2026-11-23 14:20 "
        "(memo remark); not recorded (give --again to record another attempt)\n")
    row = [r for r in due(run, now="2026-11-23 16:20") if r["order_id"] == DINNER][0]
    assert (row["attempts"], row["last_chased_at"], row["last_chased_by"]) == (
        1, "2026-11-23T14:20:00+08:00", "郑婷")


def test_memo_chases_from_the_export_count(run, demo):
    """The demo export's own memo "2026.11.22 郑婷已催付" is a chase by 郑婷 yesterday."""
    row = [r for r in due(run) if r["order_id"] == YESTERDAY][0]
    assert (row["attempts"], row["last_chased_at"], row["last_chased_by"]) == (
        1, "2026-11-22T23:59:59+08:00", "郑婷")


def test_date_only_remark_counts_until_the_import_that_brought_it(run, demo, journal):
    # "2026.11.23 倩已催付" has no time: it happened before the import at 14:20.
    add_remark(journal, SMALL, "2026.11.23 倩已催付", at="2026-11-22T16:00:00Z",
               created_at="2026-11-23T06:20:00Z", author="倩")
    assert SMALL not in ids(due(run, now="2026-11-23 16:19"))
    row = [r for r in due(run, now="2026-11-23 16:20") if r["order_id"] == SMALL][0]
    assert row["last_chased_at"] == "2026-11-23T14:20:00+08:00"


def test_handwritten_promise_in_a_memo_is_honoured(run, demo, journal):
    # OLD's memo in the export: "2026.11.22 倩已催付\n2026.11.22 顾客明天下午付款"
    assert journal.scalar("SELECT kind FROM remarks WHERE order_id = ? AND source = 'platform'",
                          [OLD]) == "chase"
    assert OLD not in ids(due(run, "--limit", "0"))
    row = [r for r in due(run, "--all", "--limit", "0") if r["order_id"] == OLD][0]
    assert (row["channel"], row["opens_at"], row["attempts"], row["last_chased_at"]) == (
        "wangwang", "2026-11-23T18:00:00+08:00", 1, "2026-11-22T23:59:59+08:00")


def test_owner_hold_only_that_agent_sees_and_logs(run, demo, journal):
    holds.add(journal, BIG, "owner", "2026-11-23T06:00:00Z", owner="郑婷", agent="倩")
    assert BIG not in ids(run.json(["--agent", "倩", "chase", "due", "--json"]))
    mine = run.json(["--agent", "郑婷", "chase", "due", "--json"])[0]
    assert (mine["order_id"], mine["owner"]) == (BIG, "郑婷")
    assert due(run)[0]["owner"] == "郑婷"  # a supervisor or cron without --agent sees it
    refused = run(["--agent", "倩", "chase", "log", BIG, "--channel", "旺旺"], check=1)
    assert refused.output == (f"Error: order {BIG} must be handled by 郑婷 (必须由郑婷负责处理!); "
                              "only 郑婷 can log a chase on it\n")
    run(["--agent", "郑婷", "chase", "log", BIG, "--channel", "旺旺"], check=0)


# --- chase log ----------------------------------------------------------------------


def test_log_writes_the_manuals_remarks(run, demo, journal):
    result = run(["--agent", "倩", "chase", "log", BIG, "--channel", "旺旺", "--reason", "余额不足",
                  "--promise", "明天下午付款"], check=0)
    assert result.output == (
        f"logged chase 1 on {BIG} (旺旺, first chase)\n"
        "remark: 2026.11.23 倩已催付\n"
        "remark: 2026.11.23 顾客余额不足或支付受限,明天下午付款\n"
        "follow up: 2026-11-24 18:00 if still unpaid\n")
    shown = run.json(["orders", "show", BIG, "--json"])
    assert [(r["source"], r["kind"], r["text"], r["author"], r["at"]) for r in shown["remarks"]] == [
        ("chase", "chase", "2026.11.23 倩已催付", "倩", "2026-11-23T14:30:00+08:00"),
        ("chase", "chase", "2026.11.23 顾客余额不足或支付受限,明天下午付款", "倩",
         "2026-11-23T14:30:00+08:00")]
    assert shown["chases"] == [{
        "id": 1, "order_id": BIG, "platform": "taobao", "agent": "倩", "channel": "wangwang",
        "result": "promised",
        "reason": "balance", "promise": "明天下午付款",
        "promise_due_at": "2026-11-24T18:00:00+08:00", "note": None, "first": True,
        "at": "2026-11-23T14:30:00+08:00",
        "remarks": ["2026.11.23 倩已催付", "2026.11.23 顾客余额不足或支付受限,明天下午付款"]}]


def test_log_json_prints_the_created_chase(run, demo):
    got = run.json(["--agent", "郑婷", "chase", "log", FIVE, "--channel", "phone",
                    "--result", "no-answer", "--note", "关机", "--json"])
    assert got == {
        "id": 1, "order_id": FIVE, "platform": "taobao", "agent": "郑婷", "channel": "phone",
        "result": "no_answer",
        "reason": None, "promise": None, "promise_due_at": None, "note": "关机", "first": True,
        "at": "2026-11-23T14:30:00+08:00", "remarks": ["2026.11.23 郑婷已催付"], "attempt": 1,
        "previous": None}


def test_log_library_and_again(journal, demo):
    clock, policy = lib(journal)
    first = log.log(Context(journal, clock, policy, "倩"), BIG, channel="wangwang",
                      result="declined", reason="too_expensive")
    assert (first["first"], first["attempt"], first["remarks"]) == (
        True, 1, ["2026.11.23 倩已催付", "2026.11.23 顾客觉得价格偏贵,表示不要了"])
    with pytest.raises(log.AlreadyChased) as e:
        log.log(Context(journal, clock, policy, "郑婷"), BIG, channel="phone")
    assert str(e.value) == (f"order {BIG} was already chased just now by 倩 at 2026-11-23 14:30 "
                            "on 旺旺; not recorded (give --again to record another attempt)")
    again = log.log(Context(journal, clock, policy, "郑婷"), BIG, channel="phone", again=True)
    assert (again["first"], again["attempt"], again["previous"]) == (
        False, 2, {"by": "倩", "at": Instant("2026-11-23T06:30:00Z"), "channel": "wangwang"})
    # the buyer declined: never in the queue again
    assert BIG not in ids(queue.due(Context(journal, *lib(journal, "2026-11-24 10:00")), all_=True))


@pytest.mark.parametrize("name,message", [
    ("paid_80h_overdue", "is already paid (status paid); nothing to chase"),
    ("paid_today_before_cutoff", "is already paid (status shipped); nothing to chase"),
    ("closed_unpaid", "is closed (未及时付款); a closed order cannot be paid, there is nothing to chase"),
    ("unpaid_brushing", "is a brushing order (刷单); it is never chased"),
])
def test_log_refuses_paid_closed_and_brushing_orders(run, demo, journal, name, message):
    brush(journal)
    before = journal.scalar("SELECT count(*) FROM remarks")
    result = run(["--agent", "倩", "chase", "log", order(name), "--channel", "电话"], check=1)
    assert result.output == f"Error: order {order(name)} {message}\n"
    assert journal.scalar("SELECT count(*) FROM chases") == 0
    assert journal.scalar("SELECT count(*) FROM remarks") == before


def test_log_refuses_unknown_order_and_bad_options(run, demo):
    result = run(["--agent", "倩", "chase", "log", "123", "--channel", "电话"], check=1)
    assert result.output == "Error: no order 123 in the journal (import the shop's export first)\n"
    assert run(["chase", "log", BIG, "--channel", "电话"], check=2).output.endswith(
        "needs to know who you are: give --agent NAME or set CSTOOL_AGENT "
        "(register with: cstool agent add NAME)\n")
    bad = run(["--agent", "倩", "chase", "log", BIG, "--channel", "电话", "--reason", "心情"], check=2)
    assert "unknown unpaid reason '心情'; use one of: comparing (对比), too_expensive (太贵), " \
           "balance (余额不足), payment_tool (支付工具), other (其他)" in bad.output
    mixed = run(["--agent", "倩", "chase", "log", BIG, "--channel", "电话", "--result", "declined",
                 "--promise", "明天"], check=2)
    assert mixed.output.endswith("Error: --promise goes with --result promised, not declined\n")


def test_promise_holds_the_order_until_it_falls_due(run, demo, journal):
    run(["--agent", "倩", "chase", "log", BIG, "--channel", "旺旺", "--promise", "明天下午付款"],
        check=0)
    assert BIG not in ids(due(run, now="2026-11-24 17:59"))
    waiting = [r for r in due(run, "--all", now="2026-11-24 17:59") if r["order_id"] == BIG]
    # promise due 18:00; the phone (000 hours) next opens the day after at 10:00
    assert [(r["channel"], r["opens_at"]) for r in waiting] == [
        ("phone", "2026-11-25T10:00:00+08:00")]
    # worded for when it is sent: placed on the 23rd, called on the 25th
    assert "看到您前天拍的「加厚羽绒服 黑色 L」" in waiting[0]["message"]
    run(["policy", "use", "manual-002"], check=0)   # phone until 20:30
    row = due(run, now="2026-11-24 18:00")[0]
    assert (row["order_id"], row["channel"], row["opens_at"]) == (BIG, "phone", None)


# --- two agents at once ----------------------------------------------------------------


def _race(env, extra=()):
    """Two real processes log the same order while a third holds the write lock."""
    blocker = sqlite3.connect(str(env), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    procs = [subprocess.Popen(
        [sys.executable, "-m", "cstool", "--agent", agent, "chase", "log", BIG,
         "--channel", "旺旺", "--json", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for agent in ("倩", "郑婷")]
    time.sleep(1.5)  # both are past start-up and waiting for the lock
    blocker.execute("COMMIT")
    blocker.close()
    return [(p.returncode, out, err) for p in procs for out, err in [p.communicate(timeout=60)]]


def test_two_processes_logging_at_once_make_exactly_one_first_chase(demo, env):
    results = _race(env)
    assert sorted(rc for rc, _, _ in results) == [0, 1]
    j = Journal.open(str(env))
    rows = [dict(r) for r in j.query("SELECT agent, first FROM chases")]
    assert len(rows) == 1 and rows[0]["first"] == 1
    winner = rows[0]["agent"]
    loser_err = [err for rc, _, err in results if rc == 1][0]
    assert loser_err == (f"Error: order {BIG} was already chased just now by {winner} at "
                         "2026-11-23 14:30 on 旺旺; not recorded (give --again to record another "
                         "attempt)\n")
    assert [r[0] for r in j.query("SELECT text FROM remarks WHERE source = 'chase'")] == [
        f"2026.11.23 {winner}已催付"]
    j.close()


def test_two_processes_with_again_both_record_but_one_is_first(demo, env):
    results = _race(env, ["--again"])
    assert [rc for rc, _, _ in results] == [0, 0]
    j = Journal.open(str(env))
    assert j.scalar("SELECT count(*) FROM chases") == 2
    assert j.scalar("SELECT count(*) FROM chases WHERE first = 1") == 1
    j.close()


# --- stats -------------------------------------------------------------------------------


LATER_EXPORT = (
    "订单号,状态,下单时间,付款时间\n"
    f"{BIG},paid,2026-11-23 13:50:00,2026-11-23 15:10:00\n"
    f"{DINNER},paid,2026-11-23 14:15:00,2026-11-23 16:00:00\n"
    f"{SMALL},closed,2026-11-23 13:30:00,\n"
)


def _chase_four_and_import_later(run, tmp_path):
    run(["--agent", "倩", "chase", "log", BIG, "--channel", "旺旺", "--result", "no-answer"], check=0)
    run(["--agent", "郑婷", "chase", "log", DINNER, "--channel", "电话", "--reason", "太贵"], check=0)
    run(["--agent", "倩", "chase", "log", SMALL, "--channel", "旺旺", "--reason", "余额不足",
         "--promise", "今晚"], check=0)
    run(["--agent", "倩", "chase", "log", FIVE, "--channel", "短信"], check=0)
    later = tmp_path / "later.csv"
    later.write_text(LATER_EXPORT, encoding="utf-8")
    run(["--agent", "倩", "--now", "2026-11-23 16:30", "orders", "import", str(later),
         "--format", "generic", "--map", "订单号=order_id", "--map", "状态=status",
         "--map", "下单时间=created_at", "--map", "付款时间=paid_at"], check=0)


def test_stats_conversion_from_later_imports(run, demo, journal, tmp_path):
    _chase_four_and_import_later(run, tmp_path)
    # BIG paid 40 minutes after its chase, DINNER 90; SMALL closed; FIVE still unpaid.
    assert run.json(["chase", "stats", "--json"]) == {
        "since": None, "chased": 4, "attempts": 4, "paid": 2, "conversion": 0.5,
        "median_minutes_to_pay": 65, "still_unpaid": 1, "closed": 1}
    assert run.json(["chase", "stats", "--by", "agent", "--json"]) == [
        {"agent": "倩", "chased": 3, "attempts": 3, "paid": 1, "conversion": 0.333,
         "median_minutes_to_pay": 40, "still_unpaid": 1, "closed": 1},
        {"agent": "郑婷", "chased": 1, "attempts": 1, "paid": 1, "conversion": 1.0,
         "median_minutes_to_pay": 90, "still_unpaid": 0, "closed": 0}]
    assert [(r["channel"], r["chased"], r["paid"]) for r in
            run.json(["chase", "stats", "--by", "channel", "--json"])] == [
        ("wangwang", 2, 1), ("phone", 1, 1), ("sms", 1, 0)]
    clock, policy = lib(journal, "2026-11-23 17:00")
    assert [(r["reason"], r["chased"], r["paid"], r["closed"])
            for r in stats.stats(Context(journal, clock, policy), by="reason")] == [
        (None, 2, 1, 0), ("balance", 1, 0, 1), ("too_expensive", 1, 1, 0)]


def test_stats_since_and_table(run, demo, tmp_path):
    _chase_four_and_import_later(run, tmp_path)
    none = run.json(["chase", "stats", "--since", "2026-11-23 15:00", "--json"])
    assert none == {"since": "2026-11-23T15:00:00+08:00", "chased": 0, "attempts": 0, "paid": 0,
                    "conversion": None, "median_minutes_to_pay": None, "still_unpaid": 0,
                    "closed": 0}
    table = run(["chase", "stats", "--since", "today"], check=0).output
    record = dict((line.split(None, 1) + [""])[:2] for line in table.splitlines())
    # a table reads times short and durations in words (JSON above keeps the minutes)
    assert record == {"since": "11-23 00:00", "chased": "4", "attempts": "4", "paid": "2",
                      "conversion": "50.0%", "median_minutes_to_pay": "1 h 5 min",
                      "still_unpaid": "1", "closed": "1"}


# --- handover -----------------------------------------------------------------------------


def test_handover_rows_list_promises_not_yet_paid(run, demo, journal, tmp_path):
    run(["--agent", "倩", "chase", "log", BIG, "--channel", "旺旺", "--promise", "明天下午付款"],
        check=0)
    run(["--agent", "倩", "chase", "log", DINNER, "--channel", "旺旺", "--promise", "下班回家付"],
        check=0)
    run(["--agent", "倩", "chase", "log", FIVE, "--channel", "旺旺", "--result", "declined"], check=0)
    run(["--agent", "倩", "chase", "log", SMALL, "--channel", "旺旺", "--promise", "再看看"], check=0)
    clock, policy = lib(journal)
    assert stats.handover_rows(Context(journal, clock, policy)) == [
        {"ref": f"chase:{DINNER}", "category": "callback", "buyer": "tb_dinner_order48",
         "order_id": DINNER, "platform": "taobao", "problem": "顾客承诺下班回家付,尚未付款", "todo": "跟进付款",
         "due_at": Instant("2026-11-23T12:00:00Z")},
        {"ref": f"chase:{BIG}", "category": "callback", "buyer": "tb_unpaid_40min_b04",
         "order_id": BIG, "platform": "taobao", "problem": "顾客承诺明天下午付款,尚未付款", "todo": "跟进付款",
         "due_at": Instant("2026-11-24T10:00:00Z")},
        {"ref": f"chase:{SMALL}", "category": "callback", "buyer": "tb_unpaid_small09",
         "order_id": SMALL, "platform": "taobao", "problem": "顾客承诺再看看,尚未付款", "todo": "跟进付款",
         "due_at": None}]
    later = tmp_path / "later.csv"
    later.write_text(LATER_EXPORT, encoding="utf-8")
    run(["--agent", "倩", "orders", "import", str(later), "--format", "generic",
         "--map", "订单号=order_id", "--map", "状态=status", "--map", "下单时间=created_at",
         "--map", "付款时间=paid_at"], check=0)
    assert stats.handover_rows(Context(journal, clock, policy)) == []  # paid, paid, closed


# --- templates ----------------------------------------------------------------------------


def test_templates_list_set_reset(run, demo, journal):
    listed = run.json(["chase", "template", "list", "--json"])
    assert [(t["channel"], t["source"]) for t in listed] == [
        ("wangwang", "default"), ("phone", "default"), ("sms", "default"), ("remind", "default"),
        ("pdd_chat", "default"), ("feige", "default"), ("dongdong", "default"),
        ("youzan_chat", "default")]
    assert listed[0]["text"] == queue.DEFAULT_TEMPLATES["wangwang"]
    got = run.json(["--agent", "倩", "chase", "template", "set", "旺旺",
                    "亲,{宝贝}共{金额}元,{截单时间}前付款当天发货~", "--json"])
    assert (got["channel"], got["source"], got["set_by"], got["set_at"]) == (
        "wangwang", "set", "倩", "2026-11-23T14:30:00+08:00")
    assert due(run)[0]["message"] == "亲,加厚羽绒服 黑色 L共499.00元,16:00前付款当天发货~"
    clock, policy = lib(journal)
    assert queue.due(Context(journal, clock, policy))[0]["message"] == \
        "亲,加厚羽绒服 黑色 L共499.00元,16:00前付款当天发货~"
    bad = run(["--agent", "倩", "chase", "template", "set", "wangwang", "亲 {nick}"], check=2)
    assert bad.output.endswith("Error: template: unknown placeholder {nick}; use {buyer}/{买家}, "
                          "{item}/{宝贝}, {amount}/{金额}, {cutoff}/{截单时间}, {day}/{下单日}, "
                          "{shop}/{店铺}, {chat}/{聊天工具}\n")
    run(["chase", "template", "set", "wangwang", "x"], check=2)  # writing needs --agent
    run(["--agent", "倩", "chase", "template", "reset", "wangwang"], check=0)
    assert due(run)[0]["message"] == WANGWANG_BIG


def test_template_set_reads_stdin(run, demo):
    run(["--agent", "倩", "chase", "template", "set", "sms", "-"],
        input="【{shop}】{buyer},您的订单{amount}元待付款\n", check=0)
    row = due(run, "--channel", "sms")[0]
    assert row["message"] == "【示范旗舰店】tb_unpaid_40min_b04,您的订单499.00元待付款"


# --- promises ----------------------------------------------------------------------------


NOW = datetime(2026, 11, 23, 14, 30, tzinfo=zone("Asia/Shanghai"))   # a Monday


@pytest.mark.parametrize("text,expected", [
    ("明天下午付款", (24, 18, 0)),
    ("今晚", (23, 22, 0)),
    ("后天上午", (25, 12, 0)),
    ("明天下午3点", (24, 15, 0)),
    ("晚上8点半", (23, 20, 30)),
    ("8点", (23, 20, 0)),
    ("上午", (24, 12, 0)),
    ("2小时后", (23, 16, 30)),
    ("半小时内", (23, 15, 0)),
    ("马上", (23, 15, 30)),
    ("周五", (27, 20, 0)),
    ("11.25付款", (25, 20, 0)),
    ("下班回家付款", (23, 20, 0)),
    ("明天下午三点", (24, 15, 0)),
])
def test_promise_due(text, expected):
    d, h, m = expected
    assert queue.promise_due(text, NOW) == datetime(2026, 11, d, h, m, tzinfo=NOW.tzinfo)


@pytest.mark.parametrize("text", ["再考虑一下", "", "等工资"])
def test_promise_without_a_time_is_not_guessed(text):
    assert queue.promise_due(text, NOW) is None


# --- help ---------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["chase"], ["chase", "due"], ["chase", "log"],
                                  ["chase", "stats"], ["chase", "template"],
                                  ["chase", "template", "list"], ["chase", "template", "set"],
                                  ["chase", "template", "reset"]])
def test_every_chase_command_has_help(run, argv):
    out = run([*argv, "--help"], check=0).output
    assert f" {' '.join(argv)} " in out.splitlines()[0]
    example = f"cstool {' '.join(argv)}"
    assert f"\n    {example}" in out  # the \b example block, kept unwrapped


def test_due_csv_for_scripts(run, demo, journal):
    brush(journal)
    out = run(["chase", "due", "--format", "csv", "--limit", "2"], check=0).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["order_id", "buyer", "amount", "unpaid_minutes", "attempts",
                       "last_chased_at", "channel", "message"]
    assert rows[1] == [BIG, "tb_unpaid_40min_b04", "499.00", "40", "0", "", "wangwang",
                       WANGWANG_BIG]
    assert rows[2][0] == DINNER


def test_reveal_adds_the_phone_column(run, demo, journal):
    brush(journal)
    masked = run(["chase", "due", "--format", "csv", "--limit", "1"], check=0).stdout
    assert "phone" not in masked.splitlines()[0]
    out = run(["chase", "due", "--reveal", "--format", "csv", "--limit", "1"], check=0).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][6:8] == ["phone", "channel"]
    phone = journal.scalar("SELECT receiver_phone FROM orders WHERE order_id = ?", [BIG])
    assert rows[1][6] == phone and len(phone) == 11 and "*" not in phone
    assert run.json(["chase", "due", "--json", "--limit", "1"])[0]["phone"] == \
        phone[:3] + "****" + phone[-4:]


def test_a_promised_date_without_a_year_that_is_past_is_refused(run, demo, journal):
    """--promise 11.20付款 on 11-23 would hold the order until 2027-11-20; refuse it."""
    oid = order("unpaid_40min_big")
    result = run(["--agent", "倩", "chase", "log", oid, "--channel", "旺旺",
                  "--promise", "11.20付款"])
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: Invalid value for '--promise': 11.20 is past; give the year if you mean 2027\n")
    assert journal.scalar("SELECT count(*) FROM chases") == 0
    ok = run.json(["--agent", "倩", "chase", "log", oid, "--channel", "旺旺",
                   "--promise", "11.25付款", "--json"])
    assert ok["promise_due_at"] == "2026-11-25T20:00:00+08:00"  # this year's, at 20:00


def test_due_later_says_what_the_order_waits_for(run, demo):
    run(["--agent", "倩", "chase", "log", BIG, "--channel", "旺旺", "--promise", "明天下午付款"],
        check=0)
    later = {r["order_id"]: r for r in due(run, "--all", now="2026-11-24 17:59")}
    assert later[BIG]["waits"] == "promise"        # first the promise, then the phone's hours
    night = {r["order_id"]: r for r in due(run, "--all", now="2026-11-23 23:50")}
    assert night[order("unpaid_small")]["waits"] == "window"
    assert all(r["waits"] is None for r in due(run))


def test_counting_the_untouched_orders_searches_the_unpaid_by_age_and_the_listing_walks_its_order(
        run, demo, journal):
    # the count searches the unpaid orders of the age range in their own index (age,
    # brushing and shop in it), not the queue's by amount; the listing walks the queue's order
    # (no sort of every unpaid order), so that a limited listing stops at its last row
    clock, policy = lib(journal)
    count_sql, count_params = queue._untouched_count(clock.now(), queue._Rules(policy, None),
                                                     None, None, None)
    plan = " | ".join(r[3] for r in journal.query("EXPLAIN QUERY PLAN " + count_sql,
                                                  count_params))
    assert plan.startswith("SEARCH o USING INDEX orders_unpaid_by_created (created_at>? "
                           "AND created_at<?)"), plan
    # and who owns each order is asked of the open owner holds alone (m0087)
    assert "SEARCH h USING INDEX holds_open_owner (order_id=? AND platform=?)" in plan, plan
    listing_sql, listing_params = queue.due_query(clock.now(), policy)
    plan = " | ".join(r[3] for r in journal.query("EXPLAIN QUERY PLAN " + listing_sql,
                                                  listing_params))
    assert plan.startswith("SCAN o USING INDEX orders_unpaid_queue"), plan
    assert "TEMP B-TREE" not in plan, plan
    assert "SEARCH h USING INDEX holds_open_owner (order_id=? AND platform=?)" in plan, plan
    # what both find is unchanged: the count is the untouched part of the listing
    listed = journal.query(listing_sql, listing_params)
    untouched = [r for r in listed if not r["logged"] and not r["remarked"]
                 and not r["owner"]]
    assert journal.scalar(count_sql, count_params) == len(untouched) > 0


@pytest.mark.parametrize("touched", [False, True])
def test_queue_reads_chase_remarks_from_their_own_index(run, demo, journal, touched):
    # an order's chase remarks are found through the index of chase remarks alone, not
    # by reading every remark of every unpaid order (memos, holds, notes: the history)
    clock, policy = lib(journal)
    # (the count of the untouched ones reads no remark: the orders say it, m0091)
    statements = [queue.due_query(clock.now(), policy, touched=touched)]
    for sql, params in statements:
        plan = " | ".join(r[3] for r in journal.query("EXPLAIN QUERY PLAN " + sql, params))
        assert "SEARCH r USING INDEX remarks_chase (order_id=?)" in plan, plan
        assert "remarks_order" not in plan and "SCAN r" not in plan, plan
    # and what it finds is what it found: a memo chase still counts as a chase
    add_remark(journal, BIG, "已催付", "2026-11-23T06:20:00Z", "2026-11-23T06:20:00Z")
    rows = queue.due(Context(journal, clock, policy), all_=True)
    assert BIG in ids(rows)
    assert next(r for r in rows if r["order_id"] == BIG)["attempts"] >= 1
