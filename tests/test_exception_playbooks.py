"""Each kind's playbook walked step by step through the CLI with a pinned clock.

Expected next steps, due times and statuses are worked out by hand from the
playbooks (domain.md §4): a step's clock starts when the step before it is
done, or when the case opened, or when its resolution was chosen.
"""

import pytest
from conftest import FIXTURES, order

PHOTOS = FIXTURES / "photos"
BOX, ITEM = str(PHOTOS / "damaged_box.png"), str(PHOTOS / "damaged_item.png")


class Case:
    """Drive one case: ``c.log(...)``, ``c.at(now, *args)`` → the case JSON."""

    def __init__(self, run):
        self.run = run
        self.id = None

    def log(self, now, order_name, kind, *args, detail="出问题了"):
        case = self.run.json(["--now", now, "--agent", "倩", "exception", "log", order(order_name),
                              "--kind", kind, "--detail", detail, *args, "--json"])
        self.id = case["id"]
        return case

    def at(self, now, *args, check=0):
        argv = ["--now", now, "--agent", "倩", "exception", "update", str(self.id), *args, "--json"]
        if check:
            return self.run(argv, check=check)
        return self.run.json(argv)

    def expect(self, case, step, due, status):
        assert (case["step"], case["due_at"], case["status"]) == (step, due, status)


def due(text):
    return f"2026-{text}:00+08:00"


@pytest.fixture
def case(run, demo):
    return Case(run)


def test_damaged(case, run):
    c = case.log("2026-11-23 14:30", "shipped_damaged_reported", "破损", "--photo", BOX,
                 detail="茶具碎了两个,外箱完好")
    assert c["kind"] == "damaged" and c["photos"] == 1 and c["freight_payer"] == "shop"
    assert c["next_step"] == "核实:包裹是否完好、破损程度、破损件数"
    case.expect(c, "verify", due("11-23T18:30"), "waiting_buyer")
    # one photo is not enough: the photos step stays next, 24 h from the verify
    case.expect(case.at("2026-11-23 15:00", "--done"), "photos", due("11-24T15:00"),
                "waiting_buyer")
    refused = case.at("2026-11-23 16:00", "--resolution", "reship", "--tracking", "773099990000",
                      check=1)
    assert refused.output == ("Error: a damaged case needs 2 photo(s) before 'reship' "
                              "(1 on file); add them with --photo\n")
    case.expect(case.at("2026-11-23 16:00", "--photo", ITEM), "apologise", due("11-23T20:00"),
                "open")
    case.expect(case.at("2026-11-23 16:10", "--done"), "decide", due("11-23T20:10"),
                "waiting_buyer")
    c = case.at("2026-11-23 16:20", "--resolution", "重发")
    assert c["resolution"] == "reship"
    case.expect(c, "reship", due("11-24T16:20"), "open")
    late = run.json(["--now", "2026-11-24 17:00", "exception", "list", "--overdue", "--json"])
    assert [(r["id"], r["overdue"], r["hours_left"]) for r in late] == [(1, True, -0.7)]
    c = case.at("2026-11-24 17:00", "--tracking", "773099990000")
    assert (c["reship_courier"], c["reship_tracking"]) == ("中通快递", "773099990000")
    case.expect(c, "follow_up", due("12-01T17:00"), "waiting_courier")
    closed = run.json(["--now", "2026-11-26 10:00", "--agent", "郑婷", "exception", "close", "1",
                       "--outcome", "已收到", "--json"])
    assert (closed["status"], closed["outcome"], closed["closed_by"], closed["closed_at"],
            closed["pending"]) == ("closed", "received", "郑婷", due("11-26T10:00"), [])
    again = run(["--agent", "倩", "exception", "close", "1", "--outcome", "received"], check=1)
    assert again.output == "Error: case 1 is already closed (received, by 郑婷)\n"
    after = case.at("2026-11-26 11:00", "--note", "x", check=1)
    assert "Error: case 1 is closed (received)" in after.output


def test_lost_reship_claim_and_follow_up(case, run):
    c = case.log("2026-11-23 14:30", "shipped_stalled_9days", "丢件")
    # the manual's default course: reship, claim from the courier
    assert (c["resolution"], c["freight_payer"], c["courier"]) == ("reship", "courier", "圆通速递")
    case.expect(c, "verify", due("11-24T14:30"), "waiting_courier")
    case.expect(case.at("2026-11-23 20:00", "--done"), "notify", due("11-23T22:00"), "open")
    case.expect(case.at("2026-11-23 21:00", "--done"), "reship", due("11-24T21:00"), "open")
    case.expect(case.at("2026-11-24 10:00", "--tracking", "YT7000999"), "claim",
                due("12-01T10:00"), "waiting_courier")
    no_for = case.at("2026-11-25 09:00", "--amount", "199", check=2)
    assert "--for compensation|refund|freight|claim" in no_for.output
    c = case.at("2026-11-25 09:00", "--amount", "199.00", "--for", "理赔")
    assert c["claim"] == "199.00" and c["money_out"] == "0.00"
    case.expect(c, "follow_up", due("12-02T09:00"), "waiting_courier")


def test_lost_closed_before_claim_warns(case, run):
    case.log("2026-11-23 14:30", "shipped_stalled_9days", "lost")
    result = run(["--agent", "倩", "exception", "close", "1", "--outcome", "received"], check=0)
    assert result.stderr == "warning: closed with steps not done: verify, notify, reship, claim\n"
    assert result.stdout == "closed exception 1: received (已收到)\n"


def test_missing_item_and_a_resolution_added_by_policy(case, run):
    c = case.log("2026-11-23 14:30", "part_shipped", "少件")
    assert c["resolution"] == "ship_missing"
    case.expect(c, "verify", due("11-23T18:30"), "open")
    case.expect(case.at("2026-11-23 15:00", "--done"), "notify_warehouse", due("11-23T19:00"),
                "open")
    case.expect(case.at("2026-11-23 15:30", "--done"), "reship", due("11-24T15:30"), "open")
    refused = case.at("2026-11-23 16:00", "--resolution", "退款", check=2)
    assert refused.output.endswith("Error: missing_item (漏发) does not allow resolution refund (退款); "
                              "allowed: ship_missing (补发)\n")
    run(["--agent", "倩", "policy", "set", "exception_resolutions.missing_item", "补发,退款"],
        check=0)
    # refund's clock (72 h) runs from when it was chosen
    case.expect(case.at("2026-11-23 16:00", "--resolution", "refund"), "refund",
                due("11-26T16:00"), "open")


def test_wrong_item_buyer_keeps_it_and_pays_the_difference(case, run):
    no_photo = run(["--agent", "倩", "exception", "log", order("signed"), "--kind", "错发",
                    "--detail", "发成了黑色", "--resolution", "多退少补", "--amount", "20"], check=1)
    assert "needs 1 photo(s) before 'compensate' (0 on file)" in no_photo.output
    assert run.json(["exception", "list", "--json"]) == []
    c = case.log("2026-11-23 14:30", "signed", "wrong_item", "--photo", BOX, "--resolution",
                 "partial_compensation", "--amount", "-15.50")
    assert (c["compensation"], c["money_out"], c["freight_payer"], c["return_freight_payer"]) == \
        ("-15.50", "-15.50", "shop", "shop")
    # photos, decided, paid: nothing left but to close
    case.expect(c, None, None, "resolved")
    assert c["next_step"] is None
    text = run(["--agent", "倩", "exception", "update", "1", "--note", "买家已补差价"], check=0)
    assert text.stdout == ("exception 1: resolved, partial_compensation\n"
                           "next: nothing left to do; close it when the buyer has the goods or "
                           "the money\n")


def test_wrong_item_return_and_reship(case):
    case.log("2026-11-23 14:30", "signed", "错发", "--photo", BOX)
    c = case.at("2026-11-23 15:00", "--resolution", "寄回重发")
    case.expect(c, "return", due("11-30T15:00"), "waiting_buyer")
    case.expect(case.at("2026-11-27 11:00", "--done"), "inspect", due("11-28T11:00"), "open")
    case.expect(case.at("2026-11-27 12:00", "--done"), "reship", due("11-28T12:00"), "open")
    case.expect(case.at("2026-11-27 13:00", "--tracking", "773000000001"), "refund_freight",
                due("11-30T13:00"), "open")
    c = case.at("2026-11-27 14:00", "--amount", "12", "--for", "运费")
    assert c["freight"] == "12.00"
    case.expect(c, "follow_up", due("12-04T14:00"), "waiting_courier")


def test_delayed(case, run):
    c = case.log("2026-11-23 14:30", "shipped_full_width_status", "延迟")
    assert c["resolution"] == "urge"
    case.expect(c, "notify", due("11-23T18:30"), "open")
    case.expect(case.at("2026-11-23 15:00", "--done"), "urge", due("11-24T15:00"),
                "waiting_courier")
    refused = case.at("2026-11-23 15:10", "--resolution", "reship", check=2)
    assert "delayed (延迟) does not allow resolution reship (重发); allowed: urge (催件)" \
        in refused.output
    late = run.json(["--now", "2026-11-24 16:00", "exception", "list", "--overdue", "--json"])
    assert [r["id"] for r in late] == [1]
    case.expect(case.at("2026-11-24 16:00", "--done"), "confirm", due("11-27T16:00"),
                "waiting_courier")


def test_signed_not_received_changes_course(case):
    c = case.log("2026-11-23 14:30", "signed", "非正常签收")
    assert c["resolution"] is None
    case.expect(c, "verify", due("11-23T18:30"), "waiting_courier")
    case.expect(case.at("2026-11-23 15:30", "--done"), "decide", due("11-23T19:30"),
                "waiting_courier")
    # missed delivery → deliver today
    case.expect(case.at("2026-11-23 16:00", "--resolution", "催派"), "urge", due("11-24T00:00"),
                "waiting_courier")
    # out of the courier's area after all → the buyer picks it up
    case.expect(case.at("2026-11-24 10:00", "--resolution", "自提"), "pickup",
                due("11-24T14:00"), "open")
    case.expect(case.at("2026-11-24 11:00", "--done"), "picked_up", due("11-27T11:00"),
                "waiting_buyer")


def test_out_of_area_switch_courier(case, run):
    c = case.log("2026-11-23 14:30", "shipped_2days", "超区")
    case.expect(c, "contact", due("11-23T18:30"), "waiting_buyer")
    # choosing early does not skip the contact step or move its clock
    case.expect(case.at("2026-11-23 14:45", "--resolution", "转快递"), "contact",
                due("11-23T18:30"), "waiting_buyer")
    case.expect(case.at("2026-11-23 15:00", "--done"), "reship", due("11-24T15:00"), "open")
    no_courier = case.at("2026-11-23 16:00", "--tracking", "SF100200300", check=2)
    assert "a switch of courier needs the new courier: give --courier" in no_courier.output
    c = case.at("2026-11-23 16:00", "--tracking", "SF100200300", "--courier", "顺丰速运")
    assert (c["courier"], c["reship_courier"]) == ("申通快递", "顺丰速运")
    case.expect(c, "recall", due("11-30T16:00"), "waiting_courier")
    assert [r["id"] for r in run.json(["exception", "list", "--courier", "顺丰", "--json"])] == [1]
    assert [r["id"] for r in run.json(["exception", "list", "--courier", "申通", "--json"])] == [1]
    assert run.json(["exception", "list", "--courier", "韵达", "--json"]) == []


def test_undeliverable_buyer_four_days_then_a_week(case, run):
    c = case.log("2026-11-23 14:30", "finished_3", "疑难件-买家", detail="电话空号")
    assert c["resolution"] == "recall"
    case.expect(c, "contact", due("11-27T14:30"), "waiting_buyer")
    assert run.json(["--now", "2026-11-27 14:00", "exception", "list", "--overdue",
                     "--json"]) == []
    late = run.json(["--now", "2026-11-27 15:00", "exception", "list", "--overdue", "--json"])
    assert [(r["id"], r["hours_left"]) for r in late] == [(1, -0.5)]
    case.expect(case.at("2026-11-27 15:00", "--done", "--note", "4天联系不上"), "recall",
                due("12-04T15:00"), "waiting_courier")
    # returned: now it waits for the buyer, without a deadline
    case.expect(case.at("2026-12-04 10:00", "--done"), "wait_buyer", None, "waiting_buyer")
    assert run.json(["--now", "2026-12-31 10:00", "exception", "list", "--overdue",
                     "--json"]) == []
    case.expect(case.at("2026-12-06 09:00", "--resolution", "reship"), "reship",
                due("12-07T09:00"), "open")


def test_undeliverable_courier(case):
    c = case.log("2026-11-23 14:30", "part_shipped", "疑难件-快递", detail="爆仓")
    assert c["resolution"] == "urge"
    case.expect(c, "find_cause", due("11-23T18:30"), "waiting_courier")
    case.expect(case.at("2026-11-23 15:00", "--done"), "apologise", due("11-23T19:00"), "open")
    case.expect(case.at("2026-11-23 15:10", "--done"), "urge", due("11-24T15:10"),
                "waiting_courier")
    case.expect(case.at("2026-11-25 10:00", "--resolution", "重发"), "reship",
                due("11-26T10:00"), "open")
    case.expect(case.at("2026-11-25 11:00", "--tracking", "773000000002"), "recall",
                due("12-02T11:00"), "waiting_courier")


def test_refused_recall_then_refund(case, run):
    c = case.log("2026-11-23 14:30", "finished_2", "拒收")
    assert c["resolution"] == "refund"
    case.expect(c, "contact", due("11-23T18:30"), "waiting_buyer")
    case.expect(case.at("2026-11-23 15:00", "--done"), "recall", due("11-30T15:00"),
                "waiting_courier")
    case.expect(case.at("2026-11-28 10:00", "--done"), "inspect", due("11-29T10:00"), "open")
    case.expect(case.at("2026-11-28 12:00", "--done"), "refund", due("12-01T12:00"), "open")
    not_yet = case.at("2026-11-28 13:00", "--done", check=1)
    assert "step refund is done by recording the amount: --amount X --for refund" \
        in not_yet.output
    c = case.at("2026-11-28 13:00", "--amount", "59.00")
    assert (c["refund"], c["money_out"]) == ("59.00", "59.00")
    case.expect(c, None, None, "resolved")
    closed = run.json(["--agent", "倩", "exception", "close", "1", "--outcome", "refunded",
                       "--json"])
    assert (closed["outcome"], closed["pending"]) == ("refunded", [])


def test_quality_exchange(case):
    c = case.log("2026-11-23 14:30", "finished_1", "质量", detail="鞋底开胶")
    assert (c["freight_payer"], c["return_freight_payer"]) == ("shop", "shop")
    case.expect(c, "photos", due("11-24T14:30"), "waiting_buyer")
    case.expect(case.at("2026-11-23 15:00", "--photo", ITEM), "verify", due("11-23T19:00"), "open")
    case.expect(case.at("2026-11-23 15:30", "--done"), "decide", due("11-23T19:30"),
                "waiting_buyer")
    case.expect(case.at("2026-11-23 16:00", "--resolution", "换货"), "return", due("11-30T16:00"),
                "waiting_buyer")
    case.expect(case.at("2026-11-26 10:00", "--done"), "inspect", due("11-27T10:00"), "open")
    case.expect(case.at("2026-11-26 11:00", "--done"), "reship", due("11-27T11:00"), "open")
    case.expect(case.at("2026-11-26 12:00", "--tracking", "773000000003"), "refund_freight",
                due("11-29T12:00"), "open")
    case.expect(case.at("2026-11-26 13:00", "--amount", "10", "--for", "freight"), "follow_up",
                due("12-03T13:00"), "waiting_courier")


@pytest.mark.parametrize("alias,kind", [
    ("错发", "wrong_item"), ("漏发", "missing_item"), ("少件", "missing_item"),
    ("破损", "damaged"), ("丢件", "lost"), ("延迟", "delayed"),
    ("非正常签收", "signed_not_received"), ("超区", "out_of_area"),
    ("疑难件-买家", "undeliverable_buyer"), ("疑难件-快递", "undeliverable_courier"),
    ("拒收", "refused"), ("质量", "quality"), ("out-of-area", "out_of_area"),
])
def test_kind_aliases(case, alias, kind):
    assert case.log("2026-11-23 14:30", "shipped_stalled_9days", alias)["kind"] == kind


def test_step_option_and_status_override(case):
    case.log("2026-11-23 14:30", "shipped_damaged_reported", "damaged")
    # apologise first, out of order: verify stays next with its clock
    c = case.at("2026-11-23 14:40", "--step", "apologise")
    case.expect(c, "verify", due("11-23T18:30"), "waiting_buyer")
    c = case.at("2026-11-23 14:50", "--status", "等快递", "--note", "快递在查")
    assert c["status"] == "waiting_courier"
    # the next step done puts the status back in the playbook's hands
    case.expect(case.at("2026-11-23 15:00", "--done"), "photos", due("11-24T15:00"),
                "waiting_buyer")
    again = case.at("2026-11-23 15:10", "--step", "apologise", check=1)
    assert "step apologise of case 1 is already done" in again.output
    unknown = case.at("2026-11-23 15:10", "--step", "claim", check=2)
    assert ("case 1 has no step 'claim' now; its steps: verify, photos, apologise, decide"
            in unknown.output)
    decide = case.at("2026-11-23 15:10", "--step", "decide", check=1)
    assert ("step decide is done by choosing a resolution: --resolution "
            "reship|partial_compensation|return_reship") in decide.output
    closed = case.at("2026-11-23 15:10", "--status", "closed", check=2)
    assert "close a case with: cstool exception close 1 --outcome" in closed.output


def test_policy_clocks_and_photos(case, run):
    run(["--agent", "倩", "policy", "set", "exception_hours.damaged", "verify=1,photos=none"],
        check=0)
    run(["--agent", "倩", "policy", "set", "exception_min_photos", "破损=1"], check=0)
    c = case.log("2026-11-23 14:30", "shipped_damaged_reported", "破损")
    case.expect(c, "verify", due("11-23T15:30"), "waiting_buyer")
    c = case.at("2026-11-23 15:00", "--done")
    assert c["next_step"] == "取证:请买家拍破损产品细节图(至少1张)"
    case.expect(c, "photos", None, "waiting_buyer")
    case.expect(case.at("2026-11-23 15:10", "--photo", BOX), "apologise", due("11-23T19:10"), "open")


def test_preset_damaged_by_manual(run, case):
    run(["--agent", "倩", "policy", "use", "exceptions-002"], check=0)
    case.log("2026-11-23 14:30", "shipped_damaged_reported", "破损", "--photo", BOX, "--photo", ITEM)
    refused = case.at("2026-11-23 15:00", "--resolution", "差额赔偿", check=2)
    assert "allowed: reship (重发)" in refused.output
