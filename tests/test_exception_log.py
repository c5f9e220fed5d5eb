"""exception log: refusals, evidence, money, the report, and what other features read."""

import hashlib
import os
import sqlite3
import stat

import pytest
from conftest import FIXTURES, context, order

from cstool.app.policy import Policy
from cstool.cases import due as case_due
from cstool.cases import timeline, views
from cstool.cases.playbooks import KIND
from cstool.core.clock import Clock
from cstool.core.errors import InputError, NotFound

PHOTOS = FIXTURES / "photos"
BOX, ITEM = str(PHOTOS / "damaged_box.png"), str(PHOTOS / "damaged_item.png")
NOT_IMAGE = str(PHOTOS / "not_an_image.png")
DAMAGED = "shipped_damaged_reported"


def counts(journal):
    return tuple(journal.scalar(f"SELECT count(*) FROM {t}")
                 for t in ("exceptions", "exception_events", "exception_photos"))


def evidence_files(env):
    folder = env.parent / "evidence"
    return sorted(os.listdir(folder)) if folder.exists() else []


def log(run, name, kind, *args, now="2026-11-23 14:30", check=0, detail="出问题了"):
    return run(["--now", now, "--agent", "倩", "exception", "log", order(name), "--kind", kind,
                "--detail", detail, *args], check=check)


# --- what is refused, and that nothing is written then --------------------------------


@pytest.mark.parametrize("args,code,message", [
    (["5118609024991039999", "--kind", "破损", "--detail", "x"], 1,
     "Error: no order 5118609024991039999 in the journal (import the shop's export first)\n"),
    ([order(DAMAGED), "--kind", "碎了", "--detail", "x"], 2, "unknown exception kind '碎了'"),
    ([order(DAMAGED), "--kind", "破损", "--detail", "x", "--resolution", "自提"], 2,
     "Error: damaged (破损) does not allow resolution buyer_pickup (自提); allowed: reship (重发), "
     "partial_compensation (差额赔偿), return_reship (退回重发)\n"),
    ([order(DAMAGED), "--kind", "破损", "--detail", "x", "--photo", "nowhere.jpg"], 1,
     "Error: photo nowhere.jpg: no such file\n"),
    ([order(DAMAGED), "--kind", "破损", "--detail", "x", "--photo", BOX, "--photo", NOT_IMAGE], 1,
     f"Error: photo {NOT_IMAGE}: not an image (JPEG, PNG, GIF, BMP, WebP or HEIC)\n"),
    ([order(DAMAGED), "--kind", "破损", "--detail", "x", "--photo", BOX, "--photo", BOX], 1,
     f"Error: photo {BOX} is the same picture as {BOX}\n"),
    ([order(DAMAGED), "--kind", "破损", "--detail", "  "], 2, "Error: say what happened with --detail\n"),
    ([order("unpaid_40min_big"), "--kind", "lost", "--detail", "x"], 1,
     f"Error: order {order('unpaid_40min_big')} is unpaid; an abnormal shipment needs a paid order\n"),
    ([order(DAMAGED), "--kind", "破损", "--detail", "x", "--amount", "12.345"], 2,
     "is not an amount"),
])
def test_log_refusals_write_nothing(run, demo, journal, args, code, message):
    result = run(["--agent", "倩", "exception", "log", *args], check=code)
    if code == 1:
        assert result.output == message
    else:
        assert message in result.output
    assert "Traceback" not in result.output
    assert counts(journal) == (0, 0, 0)
    assert evidence_files(demo) == []


def test_log_needs_an_agent(run, demo):
    result = run(["exception", "log", order(DAMAGED), "--kind", "破损", "--detail", "x"], check=2)
    assert "needs to know who you are" in result.output


def test_log_prints_id_next_step_and_due(run, demo):
    result = log(run, DAMAGED, "破损", "--photo", BOX)
    assert result.stdout == (
        f"logged exception 1: damaged (破损) on order {order(DAMAGED)}, 中通快递\n"
        "next: 核实:包裹是否完好、破损程度、破损件数 — due 2026-11-23 18:30 (4 h left)\n")


def test_log_json_contract(run, demo):
    case = run.json(["--agent", "倩", "exception", "log", order(DAMAGED), "--kind", "damaged",
                     "--detail", "茶具碎了两个", "--json"])
    assert {k: case[k] for k in ("id", "order_id", "kind", "status", "resolution", "next_step",
                                 "due_at", "opened_by", "opened_at", "closed_at")} == {
        "id": 1, "order_id": order(DAMAGED), "kind": "damaged", "status": "waiting_buyer",
        "resolution": None, "next_step": "核实:包裹是否完好、破损程度、破损件数",
        "due_at": "2026-11-23T18:30:00+08:00", "opened_by": "倩",
        "opened_at": "2026-11-23T14:30:00+08:00", "closed_at": None}
    assert (case["buyer"], case["courier"], case["tracking_no"], case["detail"]) == (
        "tb_shipped_damage38", "中通快递", "773055556666", "茶具碎了两个")
    assert (case["compensation"], case["money_out"], case["claim"]) == ("0.00", "0.00", "0.00")


def test_log_on_a_paid_unshipped_order_warns(run, demo):
    result = log(run, "paid_80h_overdue", "少件")
    assert result.stderr == (f"warning: order {order('paid_80h_overdue')} is not marked shipped "
                             "in the journal; import a newer export if it has shipped\n")


def test_second_open_case_of_a_kind_needs_again(run, demo, journal):
    log(run, DAMAGED, "破损")
    dup = log(run, DAMAGED, "damaged", check=1)
    assert dup.output == (f"Error: order {order(DAMAGED)} already has an open damaged case (1, "
                          "logged by 倩); add to it with: cstool exception update 1 (or log "
                          "another with --again)\n")
    assert counts(journal)[0] == 1
    log(run, DAMAGED, "lost")  # another kind is another case
    assert run.json(["--agent", "倩", "exception", "log", order(DAMAGED), "--kind", "破损",
                     "--detail", "第二箱也碎了", "--again", "--json"])["id"] == 3


def test_update_refusals(run, demo, journal):
    log(run, DAMAGED, "破损", "--photo", BOX)
    before = counts(journal)
    nothing = run(["--agent", "倩", "exception", "update", "1"], check=2)
    assert "nothing to record" in nothing.output
    assert run(["--agent", "倩", "exception", "update", "9", "--note", "x"], check=1).output == \
        "Error: no exception case 9; see: cstool exception list\n"
    assert run(["--agent", "倩", "exception", "update", "abc", "--note", "x"],
               check=2).output.endswith(
        "Error: 'abc' is not a case id (a number, as printed by exception log)\n")
    assert "--courier goes with --tracking" in run(
        ["--agent", "倩", "exception", "update", "1", "--courier", "顺丰"], check=2).output
    assert "has no resolution yet" in run(
        ["--agent", "倩", "exception", "update", "1", "--tracking", "773"], check=2).output
    assert "already on file for case 1 as evidence/tb_shipped_damage38_1_1.png" in run(
        ["--agent", "倩", "exception", "update", "1", "--photo", BOX], check=1).output
    assert "not an image" in run(
        ["--agent", "倩", "exception", "update", "1", "--photo", ITEM, "--photo", NOT_IMAGE],
        check=1).output
    assert counts(journal) == before
    assert evidence_files(demo) == ["tb_shipped_damage38_1_1.png"]


def test_a_refused_update_removes_the_photos_it_copied(run, demo, journal):
    log(run, DAMAGED, "破损", "--photo", BOX)
    before = counts(journal)
    # the second photo is copied, then the reship is refused (2 needed, 3 by this shop)
    run(["--agent", "倩", "policy", "set", "exception_min_photos", "damaged=3"], check=0)
    result = run(["--agent", "倩", "exception", "update", "1", "--photo", ITEM, "--resolution",
                  "reship", "--tracking", "773099990000"], check=1)
    assert "needs 3 photo(s) before 'reship' (2 on file)" in result.output
    assert counts(journal) == before
    assert evidence_files(demo) == ["tb_shipped_damage38_1_1.png"]


# --- evidence -----------------------------------------------------------------------


def test_evidence_named_by_buyer_case_and_sequence(run, demo, journal):
    log(run, DAMAGED, "破损", "--photo", BOX)
    log(run, DAMAGED, "丢件", "--photo", BOX)
    # a file already there under the next name is never overwritten
    (demo.parent / "evidence" / "tb_shipped_damage38_1_2.png").write_bytes(b"older")
    run(["--agent", "倩", "exception", "update", "1", "--photo", ITEM], check=0)
    assert evidence_files(demo) == ["tb_shipped_damage38_1_1.png", "tb_shipped_damage38_1_2.png",
                                    "tb_shipped_damage38_1_3.png", "tb_shipped_damage38_2_1.png"]
    folder = demo.parent / "evidence"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "tb_shipped_damage38_1_3.png").stat().st_mode) == 0o600
    assert (folder / "tb_shipped_damage38_1_2.png").read_bytes() == b"older"
    rows = journal.query("SELECT exception_id, path, sha256, bytes, type, source_name "
                         "FROM exception_photos ORDER BY id")
    item = (PHOTOS / "damaged_item.png").read_bytes()
    assert tuple(rows[2]) == (1, "evidence/tb_shipped_damage38_1_3.png",
                              hashlib.sha256(item).hexdigest(), len(item), "png",
                              "damaged_item.png")


def test_show_notices_altered_and_missing_photos(run, demo):
    log(run, DAMAGED, "破损", "--photo", BOX)
    run(["--agent", "倩", "exception", "update", "1", "--photo", ITEM], check=0)
    folder = demo.parent / "evidence"
    (folder / "tb_shipped_damage38_1_1.png").write_bytes(b"edited")
    (folder / "tb_shipped_damage38_1_2.png").unlink()
    shown = run.json(["exception", "show", "1", "--json"])
    assert [(p["path"], p["file"]) for p in shown["photo_files"]] == [
        ("evidence/tb_shipped_damage38_1_1.png", "altered"),
        ("evidence/tb_shipped_damage38_1_2.png", "missing")]


# --- the timeline ---------------------------------------------------------------------


def test_show_timeline_and_steps(run, demo):
    log(run, DAMAGED, "破损", "--photo", BOX, detail="茶具碎了两个")
    run(["--now", "2026-11-23 15:00", "--agent", "郑婷", "exception", "update", "1", "--done",
         "--note", "外箱完好"], check=0)
    shown = run.json(["--now", "2026-11-23 16:00", "exception", "show", "1", "--json"])
    assert [(e["at"], e["agent"], e["action"], e["detail"]) for e in shown["timeline"]] == [
        ("2026-11-23T14:30:00+08:00", "倩", "opened", "damaged (破损): 茶具碎了两个"),
        ("2026-11-23T14:30:00+08:00", "倩", "freight_payer",
         "shop pays the reship freight — playbook default"),
        ("2026-11-23T14:30:00+08:00", "倩", "photo", "evidence/tb_shipped_damage38_1_1.png"),
        ("2026-11-23T15:00:00+08:00", "郑婷", "step", "done: verify"),
        ("2026-11-23T15:00:00+08:00", "郑婷", "note", "外箱完好"),
    ]
    assert [(s["step"], s["state"], s["done_at"], s["due_at"]) for s in shown["steps"]] == [
        ("verify", "done", "2026-11-23T15:00:00+08:00", None),
        ("photos", "next", None, "2026-11-24T15:00:00+08:00"),
        ("apologise", "to do", None, None),
        ("decide", "to do", None, None),
    ]
    assert (shown["updated_by"], shown["hours_left"]) == ("郑婷", 23.0)


def test_show_masks_the_receiver_unless_reveal(run, demo, journal):
    log(run, DAMAGED, "破损")
    phone = journal.scalar("SELECT receiver_phone FROM orders WHERE order_id = ?",
                           [order(DAMAGED)])
    masked = run.json(["exception", "show", "1", "--json"])
    assert masked["receiver_phone"] == phone[:3] + "****" + phone[-4:]
    assert run.json(["exception", "show", "1", "--json", "--reveal"])["receiver_phone"] == phone
    assert phone not in run(["exception", "show", "1"], check=0).stdout


def test_timeline_and_photos_are_append_only(run, demo, journal):
    log(run, DAMAGED, "破损", "--photo", BOX)
    for sql in ("UPDATE exception_events SET note = 'x'", "DELETE FROM exception_events",
                "UPDATE exception_photos SET path = 'x'", "DELETE FROM exception_photos",
                "DELETE FROM exceptions", "UPDATE exceptions SET kind = 'lost'",
                "UPDATE exceptions SET opened_by = '郑婷'"):
        with pytest.raises(sqlite3.IntegrityError):
            journal.execute(sql)


def test_case_row_is_what_the_timeline_says(run, demo, journal):
    log(run, DAMAGED, "破损", "--photo", BOX)
    for now, args in [("2026-11-23 15:00", ["--done"]),
                      ("2026-11-23 16:00", ["--photo", ITEM, "--resolution", "reship"]),
                      ("2026-11-23 16:10", ["--done", "--tracking", "773099990000"]),
                      ("2026-11-23 16:20", ["--amount", "12", "--for", "freight",
                                            "--return-freight-payer", "buyer"])]:
        run(["--now", now, "--agent", "倩", "exception", "update", "1", *args], check=0)
    row = journal.one("SELECT * FROM exceptions WHERE id = 1")
    events = [dict(e) for e in journal.query("SELECT * FROM exception_events ORDER BY id")]
    st = timeline.derive(row["kind"], row["opened_at"], events, Policy(journal))
    assert (st.status, st.resolution, st.step.key, st.due_at, st.photos, st.money["freight"],
            st.freight_payer, st.return_freight_payer) == (
        row["status"], row["resolution"], row["step"], row["due_at"], row["photos"],
        row["freight_fen"], row["freight_payer"], row["return_freight_payer"])
    assert (row["step"], row["due_at"], row["freight_fen"], row["return_freight_payer"]) == (
        "follow_up", "2026-11-30T08:10:00Z", 1200, "buyer")


# --- money ------------------------------------------------------------------------------


def test_money_corrections_cannot_go_below_zero(run, demo):
    log(run, "finished_2", "拒收")
    run(["--agent", "倩", "exception", "update", "1", "--amount", "50", "--for", "refund"], check=0)
    too_much = run(["--agent", "倩", "exception", "update", "1", "--amount", "-60", "--for",
                    "退款"], check=1)
    assert too_much.output == ("Error: that would make the case's refund negative (-10.00); "
                               "a correction cannot exceed what was recorded\n")
    fixed = run.json(["--agent", "倩", "exception", "update", "1", "--amount", "-10.5", "--for",
                      "refund", "--note", "多退了", "--json"])
    assert (fixed["refund"], fixed["money_out"]) == ("39.50", "39.50")
    zero = run(["--agent", "倩", "exception", "update", "1", "--amount", "0", "--for", "refund"],
               check=2)
    assert "the amount is zero" in zero.output
    assert "--for goes with --amount" in run(
        ["--agent", "倩", "exception", "update", "1", "--for", "refund"], check=2).output


def test_a_retried_amount_is_refused_with_the_total_unless_again(run, demo, journal):
    """An agent retrying `--amount 30` must not pay the buyer 60.00 without a word."""
    log(run, DAMAGED, "破损", "--photo", BOX, "--photo", ITEM)
    pay = ["--agent", "倩", "exception", "update", "1", "--resolution", "差额赔偿", "--amount", "30"]
    first = run(pay, check=0)
    assert "money on case 1 so far: compensation 30.00; out 30.00, claimed back 0.00\n" \
        in first.stdout
    retry = run(pay, check=1)
    assert retry.output == ("Error: refused: the last money entry on case 1 is already "
                            "compensation 30.00 (by 倩); compensation so far 30.00. If this is a "
                            "second payment, give --again\n")
    assert journal.scalar("SELECT compensation_fen FROM exceptions WHERE id = 1") == 3000
    second = run(pay + ["--again"], check=0)
    assert "money on case 1 so far: compensation 60.00; out 60.00, claimed back 0.00\n" \
        in second.stdout
    # another kind of money, or another amount, is not a retry; each prints the totals
    freight = run(["--agent", "倩", "exception", "update", "1", "--amount", "12", "--for",
                   "freight"], check=0)
    assert "money on case 1 so far: compensation 60.00, freight 12.00; out 72.00, " \
        "claimed back 0.00\n" in freight.stdout
    assert run(["--agent", "倩", "exception", "update", "1", "--amount", "30", "--for",
                "compensation"], check=0).exit_code == 0
    assert run(["--agent", "倩", "exception", "update", "1", "--note", "x", "--again"],
               check=2).output.endswith("Error: --again goes with --amount (a second payment)\n")
    assert journal.scalar("SELECT compensation_fen FROM exceptions WHERE id = 1") == 9000


def test_log_with_an_amount_prints_the_totals(run, demo):
    out = log(run, "finished_2", "拒收", "--amount", "59").stdout
    assert "money on case 1 so far: refund 59.00; out 59.00, claimed back 0.00\n" in out


@pytest.fixture
def book(run, demo):
    """Five cases over three couriers and three agents, some closed, with money."""
    def go(now, agent, *args):
        run(["--now", now, "--agent", agent, "exception", *args], check=0)

    # 1 damaged, 中通, 倩: reship freight 12.00, closed after 2.5 days
    go("2026-11-20 10:00", "倩", "log", order(DAMAGED), "--kind", "破损", "--detail", "碎了",
       "--photo", BOX, "--photo", ITEM, "--resolution", "reship")
    go("2026-11-20 11:00", "倩", "update", "1", "--amount", "12.00", "--for", "freight")
    go("2026-11-22 22:00", "倩", "close", "1", "--outcome", "received")
    # 2 lost, 圆通, 郑婷: claim 199.00 from the courier, freight 10.00, closed after 1 day
    go("2026-11-21 09:00", "郑婷", "log", order("shipped_stalled_9days"), "--kind", "丢件",
       "--detail", "圆通确认丢件")
    go("2026-11-21 10:00", "郑婷", "update", "2", "--amount", "199", "--for", "claim")
    go("2026-11-21 10:30", "郑婷", "update", "2", "--amount", "10", "--for", "freight")
    go("2026-11-22 09:00", "郑婷", "close", "2", "--outcome", "received")
    # 3 refused, 圆通, 郑婷: refund 59.00, still open, its step overdue
    go("2026-11-21 12:00", "郑婷", "log", order("finished_2"), "--kind", "拒收", "--detail", "拒收",
       "--amount", "59")
    # 4 wrong item, 韵达, 倩: the buyer paid 15.50 back, closed after 0.5 day
    go("2026-11-22 08:00", "倩", "log", order("signed"), "--kind", "错发", "--detail", "发错颜色",
       "--photo", BOX, "--resolution", "多退少补", "--amount", "-15.50")
    go("2026-11-22 20:00", "倩", "close", "4", "--outcome", "compensated")
    # 5 delayed, 圆通, 小雨: open, not yet due
    go("2026-11-23 14:00", "小雨", "log", order("finished_2"), "--kind", "延迟", "--detail", "慢")
    return go


def test_report_by_courier(run, book):
    rows = run.json(["exception", "report", "--by", "courier", "--json"])
    assert rows == [
        {"courier": "圆通速递", "cases": 3, "open": 2, "closed": 1, "overdue": 1,
         "median_days_to_close": 1.0, "compensation": "0.00", "refund": "59.00",
         "freight": "10.00", "money_out": "69.00", "claimed": "199.00", "net_cost": "-130.00"},
        {"courier": "中通快递", "cases": 1, "open": 0, "closed": 1, "overdue": 0,
         "median_days_to_close": 2.5, "compensation": "0.00", "refund": "0.00",
         "freight": "12.00", "money_out": "12.00", "claimed": "0.00", "net_cost": "12.00"},
        {"courier": "韵达快递", "cases": 1, "open": 0, "closed": 1, "overdue": 0,
         "median_days_to_close": 0.5, "compensation": "-15.50", "refund": "0.00",
         "freight": "0.00", "money_out": "-15.50", "claimed": "0.00", "net_cost": "-15.50"},
        {"courier": "(all)", "cases": 5, "open": 2, "closed": 3, "overdue": 1,
         "median_days_to_close": 1.0, "compensation": "-15.50", "refund": "59.00",
         "freight": "22.00", "money_out": "65.50", "claimed": "199.00", "net_cost": "-133.50"},
    ]


def test_report_by_agent_and_kind_since(run, book):
    by_agent = run.json(["exception", "report", "--by", "agent", "--json"])
    assert [(r["agent"], r["cases"], r["closed"], r["money_out"]) for r in by_agent] == [
        ("倩", 2, 2, "-3.50"), ("郑婷", 2, 1, "69.00"), ("小雨", 1, 0, "0.00"),
        ("(all)", 5, 3, "65.50")]
    since = run.json(["exception", "report", "--since", "2026-11-22", "--json"])
    assert [(r["kind"], r["cases"], r["median_days_to_close"]) for r in since] == [
        ("delayed", 1, None), ("wrong_item", 1, 0.5), ("(all)", 2, 0.5)]
    csv = run(["exception", "report", "--by", "kind", "--until", "2026-11-21", "--format", "csv"],
              check=0)
    assert csv.stdout.splitlines() == [
        "kind,cases,open,closed,overdue,median_days_to_close,compensation,refund,freight,"
        "money_out,claimed,net_cost",
        "damaged,1,0,1,0,2.5,0.00,0.00,12.00,12.00,0.00,12.00",
        "(all),1,0,1,0,2.5,0.00,0.00,12.00,12.00,0.00,12.00"]
    empty = run(["exception", "report", "--since", "2026-12-01"], check=0)
    assert (empty.stdout, empty.stderr) == ("", "no exceptions in that period\n")


def test_list_filters_and_order(run, book):
    open_ = run.json(["exception", "list", "--open", "--json"])
    # open cases, most urgent first (3's contact step is two days late)
    assert [(r["id"], r["step"], r["due_at"]) for r in open_] == [
        (3, "contact", "2026-11-21T16:00:00+08:00"), (5, "notify", "2026-11-23T18:00:00+08:00")]
    everything = run.json(["exception", "list", "--json"])
    assert [r["id"] for r in everything] == [3, 5, 1, 4, 2]
    assert [r["id"] for r in run.json(["exception", "list", "--closed", "--json"])] == [1, 4, 2]
    assert [r["id"] for r in run.json(["exception", "list", "--kind", "丢件", "--kind", "错发",
                                       "--json"])] == [4, 2]
    assert [r["id"] for r in run.json(["exception", "list", "--opened-by", "郑婷", "--json"])] == \
        [3, 2]
    assert [r["id"] for r in run.json(["exception", "list", "--order", order("finished_2"),
                                       "--json"])] == [3, 5]
    assert [r["id"] for r in run.json(["exception", "list", "--status", "等买家", "--json"])] == [3]
    table = run(["exception", "list", "--open"], check=0).stdout.splitlines()
    assert table[0].split() == ["id", "order_id", "buyer", "kind", "status", "resolution",
                                "next_step", "due_at", "courier", "opened_by", "opened_at"]
    assert table[2].split()[:3] == ["3", order("finished_2"), "tb_finished_241"]
    assert "--open and --closed exclude each other" in run(
        ["exception", "list", "--open", "--closed"], check=2).output


# --- for cron and the handover sheet ------------------------------------------------------


def test_due_steps_for_remind(run, book, journal):
    clock = Clock(fixed="2026-11-23 18:30")
    due = case_due.due_steps(context(journal, clock))
    assert [(d["ref"], d["step"], d["overdue"], d["agent"]) for d in due] == [
        ("exception:3", "contact", True, "郑婷"), ("exception:5", "notify", True, "小雨")]
    assert due[0]["problem"] == "拒收:拒收(圆通速递 773022221111)"
    assert [d["ref"] for d in case_due.due_steps(context(journal, "2026-11-23 14:30"))] == \
        ["exception:3"]
    assert [d["ref"] for d in case_due.due_steps(context(journal, "2026-11-23 14:30"),
                                                   within_hours=4)] == \
        ["exception:3", "exception:5"]


def test_handover_rows(run, book, journal):
    # 6 quality (after-sale), photos due tomorrow 09:00; 7 damaged with its verify due at 03:00
    run(["--now", "2026-11-23 09:00", "--agent", "倩", "exception", "log", order("finished_1"),
         "--kind", "质量", "--detail", "鞋底开胶,买家很生气,要求换货并补偿来回运费,另外外包装也有压痕,"
         "鞋带也少了一根,需要一并处理"], check=0)
    run(["--now", "2026-11-23 23:00", "--agent", "倩", "exception", "log", order("part_shipped"),
         "--kind", "破损", "--detail", "杯子碎了"], check=0)
    clock = Clock(fixed="2026-11-23 23:30")
    rows = case_due.handover_rows(context(journal, clock))
    assert [(r["ref"], r["category"], r["buyer"], r["order_id"], r["todo"], r["due_at"],
             r["overdue"]) for r in rows] == [
        ("exception:3", "courier", "tb_finished_241", order("finished_2"), "联系买家,确认拒收原因",
         "2026-11-21T08:00:00Z", True),
        ("exception:5", "courier", "tb_finished_241", order("finished_2"),
         "通知买家延迟原因,并告知可派件时间", "2026-11-23T10:00:00Z", True),
        ("exception:7", "courier", "tb_part_shipped33", order("part_shipped"),
         "核实:包裹是否完好、破损程度、破损件数", "2026-11-23T19:00:00Z", False),
        ("exception:6", "aftersale", "tb_finished_140", order("finished_1"),
         "取证:请买家拍照证实质量问题(至少1张)", "2026-11-24T01:00:00Z", False),
    ]
    assert rows[3]["problem"] == ("质量:鞋底开胶,买家很生气,要求换货并补偿来回运费,另外外包装也有压痕,鞋带也少了一"
                                  "…(申通快递 773033332222)")
    # the end of the next shift, given by the handover sheet
    until = clock.parse("2026-11-24 08:00")
    assert [r["ref"] for r in case_due.handover_rows(context(journal, clock), until=until)] == \
        ["exception:3", "exception:5", "exception:7"]
    run(["--agent", "倩", "policy", "set", "exception_lookahead_hours", "2"], check=0)
    assert [r["ref"] for r in case_due.handover_rows(context(journal, clock))] == \
        ["exception:3", "exception:5"]


def test_orders_show_lists_the_cases(run, demo):
    log(run, DAMAGED, "破损")
    shown = run.json(["orders", "show", order(DAMAGED), "--json"])
    assert [(e["id"], e["kind"], e["status"]) for e in shown["exceptions"]] == \
        [(1, "damaged", "waiting_buyer")]


# --- the library directly ---------------------------------------------------------------


def test_library_log_update_close(demo, journal):
    case = timeline.log(context(journal, "2026-11-23T06:30:00Z", "倩"), order("signed"), "丢件",
                          "韵达说找不到")
    assert (case["id"], case["resolution"], case["step"], case["due_at"]) == (
        1, "reship", "verify", "2026-11-24T06:30:00Z")
    with pytest.raises(InputError, match="does not allow resolution urge"):
        timeline.update(context(journal, "2026-11-23T07:00:00Z", "倩"), 1, resolution="催件")
    with pytest.raises(NotFound):
        timeline.close(context(journal, "2026-11-23T07:00:00Z", "倩"), 2, "received")
    case = timeline.update(context(journal, "2026-11-23T07:00:00Z", "倩"), 1, done=True)
    assert (case["step"], case["due_at"], case["updated_by"]) == (
        "notify", "2026-11-23T09:00:00Z", "倩")
    closed = timeline.close(context(journal, "2026-11-23T08:00:00Z", "美美"), 1, "已退款")
    assert (closed["outcome"], closed["closed_at"], closed["pending"]) == (
        "refunded", "2026-11-23T08:00:00Z", ["notify", "reship", "claim"])
    assert views.for_order(journal, order("signed"))[0]["status"] == "closed"


def test_playbook_command(run, demo):
    rows = run.json(["exception", "playbook", "疑难件-买家", "--json"])
    assert [(r["resolution"], r["step"], r["hours"], r["done_by"]) for r in rows] == [
        ("", "contact", 96, "--done"),
        ("recall (追回) [default]", "recall", 168, "--done"),
        ("recall (追回) [default]", "wait_buyer", None, "--done"),
        ("urge (催件)", "urge", 24, "--done"),
        ("urge (催件)", "confirm", 72, "--done"),
        ("reship (重发)", "reship", 24, "tracking"),
        ("reship (重发)", "follow_up", 168, "--done"),
    ]
    every = run.json(["exception", "playbook", "--json"])
    assert sorted({r["kind"] for r in every}) == sorted(KIND.values)


def test_every_exception_command_has_help_with_an_example(run):
    for name in ("log", "update", "close", "list", "show", "report", "playbook"):
        text = run(["exception", name, "--help"], check=0).stdout
        assert "cstool exception " + name in text, name


# --- the playbooks as data, and their policy keys ----------------------------------------


def test_a_step_key_has_one_clock_within_a_kind():
    from cstool.cases.playbooks import GENERIC, PLAYBOOKS

    for kind, pb in PLAYBOOKS.items():
        hours = pb.default_hours()
        for r in pb.resolutions:
            for s in (*pb.lead, *pb.plan(r)):
                assert hours[s.key] == s.hours, (kind, r, s.key)
        assert set(pb.plans) <= set(pb.resolutions), kind
        assert set(pb.resolutions) <= set(GENERIC), kind


@pytest.mark.parametrize("key,value,message", [
    ("exception_hours.damaged", "reship=12,wait=3",
     "Error: policy exception_hours.damaged: damaged has no step 'wait'; its steps: verify, "
     "photos, apologise, decide, reship, follow_up,"),
    ("exception_hours.lost", "claim=soon",
     "Error: policy exception_hours.lost: step claim: 'soon' is not a whole number of hours"),
    ("exception_hours.lost", "claim=9000",
     "Error: policy exception_hours.lost: step claim: 9000 hours is outside 0..8760"),
    ("exception_hours.lost", "claim", "Error: policy exception_hours.lost: 'claim' is not "
     "name=value"),
    ("exception_resolutions.lost", "重发,飞走",
     "Error: policy exception_resolutions.lost: unknown resolution '飞走'; use one of:"),
    ("exception_resolutions.lost", "",
     "Error: policy exception_resolutions.lost: lost needs at least one resolution"),
    ("exception_min_photos", "碎了=2",
     "Error: policy exception_min_photos: unknown exception kind '碎了'"),
    ("exception_min_photos", "damaged=30",
     "Error: policy exception_min_photos: damaged: 30 photos is outside 0..20"),
])
def test_policy_values_are_validated(run, journal, key, value, message):
    result = run(["--agent", "倩", "policy", "set", key, value], check=2)
    assert result.output.splitlines()[-1].startswith(message)


def test_policy_merges_clocks_and_photos_over_the_defaults(run, journal):
    assert run(["policy", "set", "exception_hours.lost", "claim=72,follow_up=none"],
               check=0).stdout == ("exception_hours.lost = verify=24,notify=2,reship=24,claim=72,"
                                   "follow_up=none,refund=72\n")
    assert run(["policy", "set", "exception_min_photos", "质量=2,错发=0"], check=0).stdout == \
        "exception_min_photos = damaged=2,quality=2\n"
    assert run(["policy", "set", "exception_resolutions.damaged", "重发 差额赔偿"],
               check=0).stdout == "exception_resolutions.damaged = reship,partial_compensation\n"
