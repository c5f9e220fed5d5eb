"""shipcheck: the 72-hour rule, holds, the same-day cutoff, stalled parcels, --check, morning.

The demo clock is Monday 2026-11-23 14:30 (Asia/Shanghai). Expected values
are worked out from the rules and the scenarios in fixtures/make_fixtures.py.
"""

from __future__ import annotations

import json

import pytest
from conftest import order
from shiphelp import add_exception, import_orders, lib, mark_demo

from cstool.core import holds
from cstool.core.clock import to_db
from cstool.core.context import Context
from cstool.shipcheck import checks as shipcheck
from cstool.shipcheck import morning
from cstool.shipcheck import sheet as shipcheck_sheet

KEYS = {"order_id", "check", "due_at", "hours_left", "detail", "buyer", "owner", "platform",
        "shop", "ship_by_source", "part_refunded"}


@pytest.fixture
def marked(demo, journal):
    mark_demo(journal)
    return journal


def rows(run, *args, check=0):
    return run.json(["shipcheck", "--json", *args], check=check)


def by_order(data):
    return {r["order_id"]: r for r in data}


def names():
    from conftest import SCENARIOS

    return {v: k for k, v in SCENARIOS["orders"].items()}


# --- the whole afternoon list ------------------------------------------------------------


def test_demo_afternoon_list_in_order(run, marked):
    data = rows(run, check=None)
    got = [(r["check"], names()[r["order_id"]], r["due_at"], r["hours_left"]) for r in data]
    today = "2026-11-23T17:00:00+08:00"
    assert got == [
        ("overdue", "paid_80h_overdue", "2026-11-23T06:30:00+08:00", -8.0),
        ("overdue", "paid_missing_payment_time", "2026-11-23T11:30:00+08:00", -3.0),
        ("due_soon", "paid_70h_due_soon", "2026-11-23T16:30:00+08:00", 2.0),
        ("due_soon", "part_shipped", "2026-11-24T10:05:00+08:00", 19.6),
        ("hold_due", "paid_hold_until_21_due", "2026-11-21T17:00:00+08:00", -45.5),
        ("brush_shipped", "shipped_brushing", "2026-11-19T10:01:00+08:00", -100.5),
        ("ship_today", "paid_late_after_creation", "2026-11-22T17:00:00+08:00", -21.5),
        ("ship_today", "paid_r2_exchange", "2026-11-22T17:00:00+08:00", -21.5),
        ("ship_today", "paid_rebate", "2026-11-22T17:00:00+08:00", -21.5),
        ("ship_today", "paid_incomplete_memo", today, 2.5),
        ("ship_today", "paid_yesterday_evening", today, 2.5),
        ("ship_today", "slash_dates", today, 2.5),
        ("ship_today", "gift_only", today, 2.5),
        ("ship_today", "memo_with_quotes_newline", today, 2.5),
        ("ship_today", "mobile_landline_only", today, 2.5),
        ("ship_today", "paid_gift_and_card", today, 2.5),
        ("ship_today", "paid_hold_owner", today, 2.5),
        ("ship_today", "paid_sloppy_memo", today, 2.5),
        ("ship_today", "paid_attr_change", today, 2.5),
        ("ship_today", "paid_address_change", today, 2.5),
        ("ship_today", "unpaid_3h", today, 2.5),
        ("ship_today", "paid_courier_choice", today, 2.5),
        ("ship_today", "paid_slip_change", today, 2.5),
        ("ship_today", "big_order", today, 2.5),
        ("ship_today", "paid_sale_credit", today, 2.5),
        ("ship_today", "xlsx_new_paid", today, 2.5),
        ("waiting_buyer", "paid_waiting_buyer", "2026-11-24T11:05:00+08:00", 20.6),
        ("stalled", "shipped_stalled_9days", "2026-11-20T10:05:00+08:00", -76.4),
    ]
    assert all(set(r) == KEYS for r in data)


def test_library_gives_the_same_rows_with_typed_values(run, marked):
    report = shipcheck.run(Context(*lib(marked)))
    cli = rows(run, check=None)
    assert [r["order_id"] for r in report.rows] == [r["order_id"] for r in cli]
    first = report.rows[0]
    assert first["due_at"] == "2026-11-22T22:30:00Z"  # an Instant, UTC in the journal's form
    assert report.counts == {"overdue": 2, "due_soon": 2, "hold_due": 1, "brush_shipped": 1,
                             "ship_today": 20, "waiting_buyer": 1, "stalled": 1}
    assert report.failing == 5


def test_closed_brushing_presale_and_held_orders_are_not_asked_to_ship(run, marked):
    listed = by_order(rows(run, check=None))
    for name in ("closed_refunded", "closed_by_buyer", "closed_unpaid", "paid_brushing",
                 "paid_presale", "paid_hold_until_25", "unpaid_5min", "signed", "finished_1"):
        assert order(name) not in listed, name


# --- 72 hours from payment ---------------------------------------------------------------


def test_counted_from_payment_not_creation(run, demo):
    # created 19th 21:00, paid 21st 20:00: 72 h from creation would be the 22nd 21:00
    oid = order("paid_late_after_creation")
    on_23rd = by_order(rows(run, "--now", "2026-11-23 14:30", check=None))[oid]
    assert on_23rd["check"] == "ship_today"
    assert on_23rd["detail"].startswith("paid 2026-11-21 20:00, after the 16:00 cutoff")
    due = by_order(rows(run, "--now", "2026-11-24 19:00", "--only", "due_soon"))[oid]
    assert (due["due_at"], due["hours_left"]) == ("2026-11-24T20:00:00+08:00", 1.0)
    late = by_order(rows(run, "--now", "2026-11-24 21:00", "--only", "overdue", check=None))[oid]
    assert late["hours_left"] == -1.0
    assert late["detail"] == (
        "paid 2026-11-21 20:00; the 72 h deadline passed 2026-11-24 20:00 (1.0 h late): "
        "have it shipped now (联系物流部) and tell the buyer.")


def test_deadline_boundary(run, demo):
    # paid 2026-11-20 06:30: the deadline is 2026-11-23 06:30:00 exactly
    oid = order("paid_80h_overdue")
    at = [r for r in rows(run, "--now", "2026-11-23 06:30:00") if r["order_id"] == oid]
    assert [(r["check"], r["hours_left"]) for r in at] == [("due_soon", 0.0)]
    after = [r for r in rows(run, "--now", "2026-11-23 06:30:01") if r["order_id"] == oid]
    assert [(r["check"], r["hours_left"]) for r in after] == [("overdue", 0.0)]


def test_each_order_is_listed_once(run, marked):
    for now in ("2026-11-23 06:30:00", "2026-11-23 14:30", "2026-11-23 16:00", "2026-11-25 17:00"):
        ids = [r["order_id"] for r in rows(run, "--now", now, "--limit", "0")]
        assert len(ids) == len(set(ids)), now


def test_within_sets_due_soon(run, demo):
    oid = order("paid_70h_due_soon")  # deadline 16:30, 2 h after the demo clock
    assert by_order(rows(run, "--within", "2", check=None))[oid]["check"] == "due_soon"
    assert by_order(rows(run, "--within", "1.9", check=None))[oid]["check"] == "ship_today"


def test_policy_deadline_hours(run, demo):
    run(["policy", "set", "ship_deadline_hours", "48"], check=0)
    row = by_order(rows(run, check=None))[order("paid_late_after_creation")]
    assert (row["check"], row["due_at"], row["hours_left"]) == (
        "due_soon", "2026-11-23T20:00:00+08:00", 5.5)
    assert row["detail"] == ("paid 2026-11-21 20:00; must ship by 2026-11-23 20:00 (5.5 h left): "
                             "push it into the next batch.")


def test_missing_payment_time_falls_back_to_creation(run, demo):
    row = by_order(rows(run, check=None))[order("paid_missing_payment_time")]
    assert (row["check"], row["hours_left"]) == ("overdue", -3.0)
    assert row["detail"] == (
        "created 2026-11-20 11:30 (the export has no payment time: counted from creation); "
        "the 72 h deadline passed 2026-11-23 11:30 (3.0 h late): have it shipped now (联系物流部) "
        "and tell the buyer.")


# --- brushing, holds, presale, waiting for the buyer -------------------------------------


def test_brushing_never_ships_and_a_shipped_one_is_flagged(run, demo, journal):
    holds.set_brushing(journal, order("paid_brushing"))
    holds.set_brushing(journal, order("shipped_brushing"))
    listed = by_order(rows(run, check=None))
    assert order("paid_brushing") not in listed
    row = listed[order("shipped_brushing")]
    assert row["check"] == "brush_shipped"
    assert row["detail"] == (
        "brushing order (刷单) shipped ~2026-11-19 10:01 (the export has no ship time: payment "
        "time used), 中通快递 773011112222: it must never ship; have the courier recall the "
        "parcel (撤回) and find out how it left.")


def test_hold_until_a_date_then_due(run, demo, journal):
    oid = order("paid_hold_until_25")
    holds.add(journal, oid, "until", to_db(lib(journal)[1].now()), until="2026-11-25",
              note="25日发货", agent="倩")
    assert oid not in by_order(rows(run, check=None))
    assert oid not in by_order(rows(run, "--now", "2026-11-24 23:59", check=None))
    row = by_order(rows(run, "--now", "2026-11-25 10:00", check=None))[oid]
    assert (row["check"], row["due_at"], row["hours_left"]) == (
        "hold_due", "2026-11-25T17:00:00+08:00", 7.0)
    assert row["detail"] == ("held until 2026-11-25 (25日发货): ship it in today's batch "
                             "(sealed by 17:00).")
    # paid on the 22nd: its 72 h passed on the 25th 09:10, yet the hold decides
    later = by_order(rows(run, "--now", "2026-11-26 10:00", check=None))[oid]
    assert (later["check"], later["hours_left"]) == ("hold_due", -17.0)
    assert "due since 2026-11-25" in later["detail"]


def test_released_hold_puts_the_order_back_on_the_deadline(run, demo, journal):
    oid = order("paid_hold_until_25")
    holds.add(journal, oid, "until", "2026-11-22T01:00:00Z", until="2026-11-25")
    holds.release(journal, oid, "2026-11-23T01:00:00Z", agent="倩", note="buyer wants it now")
    row = by_order(rows(run, check=None))[oid]
    assert (row["check"], row["due_at"]) == ("ship_today", "2026-11-22T17:00:00+08:00")


def test_presale_from_the_export_ships_from_its_date(run, demo):
    oid = order("paid_presale")  # 定金已付,尾款已付,预售12月1日发货
    assert oid not in by_order(rows(run, "--now", "2026-11-30 20:00", check=None))
    row = by_order(rows(run, "--now", "2026-12-01 09:00", check=None))[oid]
    assert (row["check"], row["due_at"], row["hours_left"]) == (
        "hold_due", "2026-12-01T17:00:00+08:00", 8.0)
    assert row["detail"] == ("presale, ships 2026-12-01 (定金已付,尾款已付,预售12月1日发货): "
                             "ship it in today's batch (sealed by 17:00).")


def test_presale_hold_from_a_remark_wins_over_the_export(run, demo, journal):
    oid = order("paid_presale")
    holds.add(journal, oid, "presale", "2026-11-22T01:00:00Z", until="2026-11-27")
    row = by_order(rows(run, "--now", "2026-11-27 08:00", check=None))[oid]
    assert (row["check"], row["due_at"]) == ("hold_due", "2026-11-27T17:00:00+08:00")
    assert row["detail"].startswith("presale, ships 2026-11-27:")


def test_presale_date_from_policy_and_without_any(run, demo, tmp_path):
    import_orders(run, tmp_path, dict(order_id="7000000000000000001", status="paid",
                                      created="2026-11-18 10:00:00", paid="2026-11-18 10:05:00",
                                      title="加厚羽绒服 黑色 L [预售]"))
    oid = "7000000000000000001"
    row = by_order(rows(run, check=None))[oid]  # no date anywhere: the 72 h rule, said so
    assert (row["check"], row["hours_left"]) == ("overdue", -52.4)
    assert row["detail"].startswith("Presale order with no ship date (set one: remark add "
                                    "--kind hold, or policy presale_ship_date); paid 2026-11-18")
    run(["policy", "set", "presale_ship_date", "2026-11-24"], check=0)
    assert oid not in by_order(rows(run, check=None))
    row = by_order(rows(run, "--now", "2026-11-24 12:00", check=None))[oid]
    assert row["check"] == "hold_due"
    assert row["detail"].startswith("presale, ships 2026-11-24 (policy presale_ship_date):")


def test_waiting_buyer_is_not_overdue(run, demo, journal):
    oid = order("paid_waiting_buyer")
    holds.add(journal, oid, "waiting_buyer", "2026-11-21T03:30:00Z", note="37码缺货,等顾客回复")
    row = by_order(rows(run, check=None))[oid]
    assert (row["check"], row["due_at"], row["hours_left"]) == (
        "waiting_buyer", "2026-11-24T11:05:00+08:00", 20.6)
    late = by_order(rows(run, "--now", "2026-11-25 12:00"))[oid]
    assert (late["check"], late["hours_left"]) == ("waiting_buyer", -24.9)
    assert late["detail"] == (
        "waiting for the buyer's answer since 2026-11-21 11:30 (37码缺货,等顾客回复); the 72 h "
        "deadline passed 2026-11-24 11:05: ask again, or agree a date and remark it (XX日发货).")


def test_owner_hold_names_who_handles_it(run, demo, journal):
    oid = order("paid_hold_owner")
    holds.add(journal, oid, "owner", "2026-11-23T01:30:00Z", owner="倩")
    row = by_order(rows(run, check=None))[oid]
    assert (row["check"], row["owner"]) == ("ship_today", "倩")
    assert row["detail"] == ("paid 2026-11-23 09:20, before the 16:00 cutoff: goes out in today's "
                             "batch, sealed by 17:00. Only 倩 handles this order (必须由倩负责处理).")


def test_an_order_with_several_open_holds_is_judged_by_all_of_them(run, demo, journal):
    # most held orders have one open hold and are judged without grouping; one with
    # more is judged by all: waiting for the buyer wins, else the latest date
    due, later = order("paid_hold_until_21_due"), order("paid_hold_until_25")
    holds.add(journal, due, "owner", "2026-11-23T01:30:00Z", owner="倩")
    holds.add(journal, later, "waiting_buyer", "2026-11-23T01:30:00Z", note="缺货,问买家")
    presale = order("paid_gift_and_card")
    holds.add(journal, presale, "until", "2026-11-22T01:30:00Z", until="2026-11-22")
    holds.add(journal, presale, "presale", "2026-11-22T01:30:00Z", until="2026-11-28")
    assert [journal.scalar("SELECT held FROM orders WHERE order_id = ?", [o])
            for o in (due, later, presale)] == [2, 2, 2]
    listed = by_order(rows(run, check=None))
    assert (listed[due]["check"], listed[due]["owner"]) == ("hold_due", "倩")
    assert listed[later]["check"] == "waiting_buyer"
    assert presale not in listed  # its presale date (the 28th) has not come
    assert by_order(rows(run, "--now", "2026-11-28 10:00", check=None))[presale]["check"] == \
        "hold_due"


def test_refund_asked_in_a_memo_or_a_remark_is_not_asked_to_ship(run, demo, journal, tmp_path):
    import_orders(run, tmp_path,
                  dict(order_id="7000000000000000002", status="paid", created="2026-11-23 08:00:00",
                       paid="2026-11-23 08:01:00", memo="客户申请退款 2026.11.23 倩"),
                  dict(order_id="7000000000000000003", status="paid", created="2026-11-23 08:00:00",
                       paid="2026-11-23 08:02:00"))
    journal.execute("INSERT INTO remarks (order_id, source, text, created_at) VALUES "
                    "(?, 'cli', '顾客要退款,已同意 2026.11.23 倩', '2026-11-23T02:00:00Z')",
                    ["7000000000000000003"])
    listed = by_order(rows(run, check=None))
    assert "7000000000000000002" not in listed
    assert "7000000000000000003" not in listed
    assert listed[order("paid_gift_and_card")]["check"] == "ship_today"


# --- the same-day cutoff -----------------------------------------------------------------


@pytest.fixture
def cutoff_orders(run, tmp_path):
    import_orders(run, tmp_path,
                  dict(order_id="7000000000000000011", status="paid", created="2026-11-23 15:50:00",
                       paid="2026-11-23 15:59:00"),
                  dict(order_id="7000000000000000012", status="paid", created="2026-11-23 15:55:00",
                       paid="2026-11-23 16:01:00"),
                  dict(order_id="7000000000000000013", status="paid", created="2026-11-23 15:55:00",
                       paid="2026-11-23 16:00:00"))
    return "7000000000000000011", "7000000000000000012"


def test_paid_at_the_cutoff_is_after_it(run, cutoff_orders):
    row = by_order(rows(run, "--now", "2026-11-23 16:30"))["7000000000000000013"]
    assert (row["due_at"], row["hours_left"]) == ("2026-11-24T17:00:00+08:00", 24.5)


def test_cutoff_before_and_after_16(run, cutoff_orders):
    before, after = cutoff_orders
    listed = by_order(rows(run, "--now", "2026-11-23 16:30"))
    assert (listed[before]["due_at"], listed[before]["hours_left"]) == (
        "2026-11-23T17:00:00+08:00", 0.5)
    assert listed[before]["detail"] == ("paid 2026-11-23 15:59, before the 16:00 cutoff: goes out "
                                        "in today's batch, sealed by 17:00.")
    assert (listed[after]["due_at"], listed[after]["hours_left"]) == (
        "2026-11-24T17:00:00+08:00", 24.5)
    assert listed[after]["detail"] == ("paid 2026-11-23 16:01, after the 16:00 cutoff: goes out "
                                       "in tomorrow's batch, sealed by 17:00.")
    assert {listed[before]["check"], listed[after]["check"]} == {"ship_today"}


def test_after_the_dispatch_time_a_missed_order_says_so(run, cutoff_orders):
    before, _ = cutoff_orders
    row = by_order(rows(run, "--now", "2026-11-23 17:30"))[before]
    assert (row["check"], row["hours_left"]) == ("ship_today", -0.5)
    assert row["detail"] == ("paid 2026-11-23 15:59, before the 16:00 cutoff: it missed today's "
                             "batch (sealed 17:00): ship it first.")


def test_cutoff_and_dispatch_come_from_policy(run, cutoff_orders):
    before, _ = cutoff_orders
    run(["policy", "set", "same_day_cutoff", "15:00"], check=0)
    run(["policy", "set", "dispatch_time", "18:00"], check=0)
    row = by_order(rows(run, "--now", "2026-11-23 16:30"))[before]
    assert (row["due_at"], row["hours_left"]) == ("2026-11-24T18:00:00+08:00", 25.5)
    assert "after the 15:00 cutoff: goes out in tomorrow's batch, sealed by 18:00." in row["detail"]


# --- stalled parcels ---------------------------------------------------------------------


def test_stalled_counts_from_payment_when_the_export_has_no_ship_time(run, demo):
    row = by_order(rows(run, "--only", "stalled"))[order("shipped_stalled_9days")]
    assert (row["check"], row["due_at"], row["hours_left"]) == (
        "stalled", "2026-11-20T10:05:00+08:00", -76.4)
    assert row["detail"] == (
        "shipped ~2026-11-13 10:05 (the export has no ship time: payment time used), 圆通速递 "
        "YT7000123456789; not signed after 10 days: chase the courier and extend the buyer's "
        "confirm-receipt time (延长收货时间).")


def test_stalled_uses_the_ship_time_when_known_and_the_policy_days(run, demo):
    oid = order("paid_today_before_cutoff")  # the xlsx says shipped 2026-11-23 13:20
    assert oid not in by_order(rows(run, "--only", "stalled", "--now", "2026-11-30 13:19"))
    row = by_order(rows(run, "--only", "stalled", "--now", "2026-11-30 13:20"))[oid]
    assert row["detail"].startswith("shipped 2026-11-23 13:20, 中通快递 773077778888; "
                                    "not signed after 7 days")
    run(["policy", "set", "stalled_days", "3"], check=0)
    row = by_order(rows(run, "--only", "stalled", "--now", "2026-11-26 14:00"))[oid]
    assert (row["due_at"], row["hours_left"]) == ("2026-11-26T13:20:00+08:00", -0.7)


def test_stalled_leaves_out_orders_older_than_the_platform_keeps_them(run, demo):
    oid = order("shipped_stalled_9days")  # paid (≈ shipped) 2026-11-13 10:05
    assert oid in by_order(rows(run, "--only", "stalled", "--now", "2026-12-13 10:05"))
    assert oid not in by_order(rows(run, "--only", "stalled", "--now", "2026-12-13 10:06",
                                    check=None))
    run(["policy", "set", "stalled_max_days", "0"], check=0)
    assert oid in by_order(rows(run, "--only", "stalled", "--now", "2027-02-01 10:00"))


def test_stalled_mentions_an_open_abnormal_shipment(run, demo, journal):
    case = add_exception(journal, order_id=order("shipped_stalled_9days"), kind="delayed",
                         status="waiting_courier", next_step="催快递", due_at="2026-11-24T02:00:00Z",
                         opened_at="2026-11-21T02:00:00Z")
    row = by_order(rows(run, "--only", "stalled"))[order("shipped_stalled_9days")]
    assert row["detail"].endswith(f"Abnormal shipment #{case} (delayed) is open.")


# --- --check, --only, --limit, formats -----------------------------------------------------


def test_check_exit_codes(run, demo):
    result = run(["shipcheck", "--check"])
    assert result.exit_code == 1
    assert order("paid_80h_overdue") in result.stdout
    # stalled alone is not a failure
    assert run(["shipcheck", "--check", "--only", "stalled"]).exit_code == 0
    # on the 20th at noon nothing was late yet, nor due within 24 h; within 72 h two
    # were (paid_80h_overdue: deadline 23rd 06:30; paid_missing_payment_time: 23rd 11:30)
    early = run(["shipcheck", "--check", "--now", "2026-11-20 12:00"])
    assert early.exit_code == 0, early.output
    soon = run(["shipcheck", "--check", "--now", "2026-11-20 12:00", "--within", "72", "--json"])
    assert soon.exit_code == 1
    assert [(r["order_id"], r["check"]) for r in __import__("json").loads(soon.stdout)
            if r["check"] in ("overdue", "due_soon")] == [
        (order("paid_80h_overdue"), "due_soon"), (order("paid_missing_payment_time"), "due_soon")]


def test_check_passes_on_an_empty_journal(run):
    result = run(["shipcheck", "--check"])
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "nothing needs shipping attention\n"


def test_check_counts_orders_beyond_the_limit(run, demo):
    result = run(["shipcheck", "--check", "--only", "ship_today", "--only", "overdue",
                  "--limit", "1", "--json"])
    assert result.exit_code == 1
    assert [r["check"] for r in __import__("json").loads(result.stdout)] == [
        "overdue", "ship_today"]
    # overdue: paid_80h_overdue and paid_missing_payment_time (paid_hold_until_21_due is held
    # by its memo "21日发货": hold_due); ship_today: less the brushing and the waiting order
    assert result.stderr == ("… and 1 more overdue, 19 more ship_today (the most urgent are "
                             "shown; --limit 0 for all)\n")


def test_only_accepts_chinese_and_rejects_unknown(run, marked):
    data = rows(run, "--only", "超时", check=None)
    assert [names()[r["order_id"]] for r in data] == ["paid_80h_overdue", "paid_missing_payment_time"]
    bad = run(["shipcheck", "--only", "late"])
    assert bad.exit_code == 2
    assert "unknown check 'late'; use one of: overdue (超时)" in bad.output


def test_within_must_not_be_negative(run):
    result = run(["shipcheck", "--within", "-1"])
    assert result.exit_code == 2
    assert "--within" in result.output


def test_table_and_csv(run, marked):
    table = run(["shipcheck", "--only", "overdue"], check=None).stdout.splitlines()
    assert table[0].split() == ["check", "order_id", "buyer", "due_at", "hours_left", "detail"]
    # a table: times short, the time left in words; the CSV keeps ISO and the hours
    assert table[2].split()[:8] == ["overdue", order("paid_80h_overdue"), "tb_paid_80h_overd11",
                                    "11-23", "06:30", "8", "h", "late"]
    csv_out = run(["shipcheck", "--only", "waiting_buyer", "-f", "csv"], check=0).stdout
    assert csv_out.splitlines()[:2] == [
        "check,order_id,buyer,due_at,hours_left,detail",
        f"waiting_buyer,{order('paid_waiting_buyer')},tb_paid_waiting_b20,"
        f"2026-11-24T11:05:00+08:00,20.6,\"waiting for the buyer's answer since 2026-11-21 11:30 "
        f"(37码缺货,已旺旺问顾客是否换38码,等顾客回复); it must ship by 2026-11-24 11:05 (20.6 h left): "
        f"ask again, or agree a date and remark it (XX日发货).\""]


def test_check_library_function_for_cron(marked):
    got = [(r["check"], names()[r["order_id"]]) for r in shipcheck.check(Context(*lib(marked)))]
    assert got == [("overdue", "paid_80h_overdue"), ("overdue", "paid_missing_payment_time"),
                   ("due_soon", "paid_70h_due_soon"), ("due_soon", "part_shipped"),
                   ("hold_due", "paid_hold_until_21_due")]
    assert [r["check"] for r in shipcheck.check(Context(*lib(marked)), within_hours=3)] == [
        "overdue", "overdue", "due_soon", "hold_due"]


def test_handover_rows(marked):
    from cstool.core import i18n

    rows = shipcheck_sheet.handover_rows(Context(*lib(marked)))
    with i18n.using("zh"):  # the journal keeps the English; the sheet reads the language
        got = [{k: i18n.shown(v) for k, v in r.items()} for r in rows]
    with i18n.using("en"):
        english = [{k: i18n.shown(v) for k, v in r.items()} for r in rows]
    assert english[0]["problem"] == str(rows[0]["problem"]) == "not shipped within 72 h: 8 h late"
    assert (english[2]["problem"], english[2]["todo"]) == (
        "the 72 h ship deadline is near: 2 h left", "ship it by 11-23 16:30")
    assert [r["ref"] for r in got] == [
        f"ship:{order(n)}" for n in ("paid_80h_overdue", "paid_missing_payment_time",
                                     "paid_70h_due_soon", "part_shipped", "paid_hold_until_21_due")]
    assert got[0] == {"ref": f"ship:{order('paid_80h_overdue')}", "category": "shipping",
                      "buyer": "tb_paid_80h_overd11", "order_id": order("paid_80h_overdue"),
                      "platform": "taobao",
                      "problem": "超过72小时未发货,已超时8小时", "todo": "联系物流部立即发货,并告知买家",
                      "due_at": "2026-11-22T22:30:00Z"}
    assert (got[2]["problem"], got[2]["todo"]) == ("72小时发货期限将至,还剩2小时", "11-23 16:30前发货")
    assert (got[4]["problem"], got[4]["todo"]) == ("挂起/预售的发货日已到,尚未发货", "安排当天发货(17:00前封箱)")


# --- the morning view ----------------------------------------------------------------------


def test_morning_view_sections_in_order(run, marked, journal):
    old = add_exception(journal, order_id=order("shipped_damaged_reported"), kind="damaged",
                        status="open", next_step="补发", due_at="2026-11-23T10:00:00Z",
                        opened_at="2026-08-01T02:00:00Z")
    newer = add_exception(journal, order_id=order("shipped_full_width_status"), kind="delayed",
                          status="waiting_courier", next_step=None, due_at=None,
                          opened_at="2026-11-22T02:00:00Z")
    add_exception(journal, order_id=order("finished_2"), kind="lost", status="closed",
                  opened_at="2026-11-09T02:00:00Z", closed_at="2026-11-12T02:00:00Z")
    data = run.json(["shipcheck", "--morning", "--json", "--now", "2026-11-23 09:00"])
    got = [(r["section"], r["kind"], names()[r["order_id"]]) for r in data]
    assert got == [
        ("unshipped", "overdue", "paid_80h_overdue"),
        ("unshipped", "due_soon", "paid_missing_payment_time"),
        ("unshipped", "due_soon", "paid_70h_due_soon"),
        ("unshipped", "hold_due", "paid_hold_until_21_due"),
        ("unshipped", "ship_today", "part_shipped"),
        ("unshipped", "ship_today", "paid_late_after_creation"),
        ("unshipped", "ship_today", "paid_r2_exchange"),
        ("unshipped", "ship_today", "paid_rebate"),
        ("unshipped", "ship_today", "paid_incomplete_memo"),
        ("unshipped", "ship_today", "paid_yesterday_evening"),
        ("request", "remark", "paid_r2_exchange"),
        ("request", "remark", "paid_incomplete_memo"),
        ("request", "buyer_message", "memo_with_quotes_newline"),
        ("request", "buyer_message", "paid_gift_and_card"),
        ("request", "remark", "paid_sloppy_memo"),
        ("request", "remark", "xlsx_new_paid"),
        ("exception", "damaged", "shipped_damaged_reported"),
        ("exception", "delayed", "shipped_full_width_status"),
    ]
    assert data[-2]["exception_id"] == old and data[-1]["exception_id"] == newer
    assert data[-2]["detail"] == (f"damaged case #{old}, open, open 113 days (over three months: "
                                  "settle it first); next: 补发.")
    assert (data[-2]["due_at"], data[-2]["hours_left"]) == ("2026-11-23T18:00:00+08:00", 9.0)
    assert data[-1]["detail"] == f"delayed case #{newer}, waiting_courier, open 23 h."
    gift = data[13]
    assert gift["detail"] == ("the buyer wrote “送人的,请不要放发票,谢谢!”; no remark says it is done: "
                              "handle it and remark it before packing.")
    assert data[12]["detail"] == ("the buyer wrote “包装好一点,\"易碎\",谢谢” and the remark "
                                  "“客户要求发\"顺丰\",到付不要---2026.11.23 倩” asks for something; "
                                  "no remark says it is done: handle it and remark it before packing.")
    report = morning.morning(Context(*lib(journal, "2026-11-23 09:00")), limit=2)
    assert report.counts == {"unshipped": 10, "request": 6, "exception": 2}
    assert report.hidden == {"unshipped": 4, "request": 4}
    limited = run(["shipcheck", "--morning", "--limit", "2", "--json", "--now", "2026-11-23 09:00"])
    assert limited.stderr == ("… and 4 more unshipped, 4 more request (the most urgent are shown; "
                              "--limit 0 for all)\n")


def test_morning_table_has_three_titled_parts(run, demo):
    out = run(["shipcheck", "--morning"], check=0).stdout
    assert out.index("1. Paid before today, not shipped") < out.index(
        "2. Requests in messages and remarks not marked done") < out.index(
        "3. Open abnormal shipments, oldest first")
    assert out.rstrip().endswith("3. Open abnormal shipments, oldest first\n(none)")


def test_morning_takes_within_but_not_only(run, marked):
    data = run.json(["shipcheck", "--morning", "--json", "--within", "1", "--now",
                     "2026-11-23 09:00"])
    assert [(r["kind"], names()[r["order_id"]]) for r in data[:3]] == [
        ("overdue", "paid_80h_overdue"), ("hold_due", "paid_hold_until_21_due"),
        ("ship_today", "paid_missing_payment_time")]
    bad = run(["shipcheck", "--morning", "--only", "overdue"])
    assert bad.exit_code == 2
    assert "--only lists checks; the morning view has fixed sections" in bad.output


def test_morning_check_exits_1_when_anything_is_listed(run, demo):
    assert run(["shipcheck", "--morning", "--check"]).exit_code == 1
    run(["--db", str(demo) + ".empty", "init"], check=0)
    empty = run(["shipcheck", "--morning", "--check", "--db", str(demo) + ".empty"])
    assert empty.exit_code == 0


def test_a_special_orders_check_is_the_check_of_its_row(marked, monkeypatch):
    """A backlog counts thousands of held, presale and refunded orders and shows a few:
    each is judged without its row (special_check), the row built only when shown. The
    judgement is the row's, for every special order of the demo at several moments."""
    from cstool.shipcheck import rows as R

    built = []
    monkeypatch.setattr(shipcheck, "special_row",
                        lambda *a: built.append(a) or R.special_row(*a))
    for now in ("2026-11-23 09:00", "2026-11-23 15:00", "2026-11-25 18:00"):
        journal, clock, policy = lib(marked, now)
        ctx = Context(journal, clock, policy)
        rules = shipcheck.Rules.of(clock, policy)
        keys = [(r[0], r[1]) for r in journal.query(
            "SELECT order_id, platform FROM orders WHERE status IN ('paid', 'part_shipped')")]
        special: dict = {}
        for r in shipcheck._special_rows(journal, keys):
            special.setdefault((r["order_id"], r["platform"]), []).append(r)
        lines = shipcheck._lines_of(journal, list(special))
        judged = 0
        for key, rs in special.items():
            hs = [h for h in rs if h["kind"]]
            row = R.special_row(rules, rs[0], hs, lines.get(key, []))
            got = R.special_check(rules, rs[0], hs, lines.get(key, []))
            want = None if row is None else (
                row["check"], row["due_at"] if row["check"] == "hold_due" else None)
            assert (got and (got[0], got[1] and to_db(got[1]))) == want, key
            judged += row is not None
        assert judged >= 5
        # and with a limit of one, only the rows shown are built
        built.clear()
        report = shipcheck.run(ctx, limit=1)
        assert len(built) <= len(report.rows)
        assert report.rows == [r for r in shipcheck.run(ctx, limit=None).rows if r in report.rows]


# --- the SQL stays on its indexes ----------------------------------------------------------


def test_held_orders_are_counted_the_same_whatever_the_limit(marked):
    """The held orders are judged in SQL and only the first of each check get their rows
    built: every limit gives the same counts, and the rows of the unlimited list."""
    journal, clock, policy = lib(marked, "2026-11-23 15:00")
    ctx = Context(journal, clock, policy)
    expected = shipcheck.run(ctx, limit=None)
    for limit in (1, 2, 50):
        got = shipcheck.run(ctx, limit=limit)
        assert got.counts == expected.counts
        assert got.rows == [r for r in expected.rows if r in got.rows]
        assert len(got.rows) == sum(min(n, limit) for n in expected.counts.values())
    assert {r["check"] for r in expected.rows} >= {"hold_due", "waiting_buyer", "overdue"}


_OWN_NAMES = {"overdue", "overdue_by", "due_soon", "due_soon_by", "ship_today", "ship_today_by"}


def test_every_statement_uses_an_index(journal):
    _, clock, policy = lib(journal)
    p = shipcheck.plan(shipcheck.Rules.of(clock, policy), paid_before=None)
    for name, sql in p.statements:
        plan = " | ".join(r[3] for r in journal.query("EXPLAIN QUERY PLAN " + sql, p.params))
        assert "SCAN orders" not in plan.replace("SCAN orders USING", ""), (name, plan)
        assert "SCAN remarks" not in plan.replace("SCAN remarks USING", ""), (name, plan)
        # the holds of orders long shipped stay open: never read them all; the held
        # orders start from the orders to ship that have a hold (m0088)
        if name == "held":
            assert "SCAN o USING COVERING INDEX orders_live_held" in plan, plan
        assert "SCAN holds" not in plan and "SCAN h " not in plan + " ", (name, plan)
        assert "TEMP B-TREE FOR GROUP BY" not in plan, (name, plan)  # walked in order
        # no statement reads lines: an order says whether a line of it will not ship as
        # ordered (m0089), and those waiting are in the special orders' index
        assert "order_lines" not in sql and "SCAN l " not in plan + " ", (name, plan)
        if name == "unheld":
            assert "orders_waiting_special" in plan, plan
    names_ = [n for n, _ in p.statements]
    # each deadline check twice: by the shop's hours from payment, by the export's ship-by
    assert names_ == ["unheld", "deadline_counts", "overdue", "overdue_by", "due_soon",
                      "due_soon_by", "ship_today", "ship_today_by", "held", "stalled_count",
                      "stalled", "brush_count", "brush_shipped"]
    # the unheld special orders are found once, and each deadline statement leaves out
    # that list rather than build the three lists again
    assert p.feeds == {"unheld": "unheld"}
    for name, sql in p.statements:
        if name in _OWN_NAMES:
            assert ":unheld" in sql and "remarks" not in sql and "order_lines" not in sql, name


def _vm_steps(journal, sql, params) -> int:
    """The SQLite virtual machine's steps a statement takes (counted, not timed: the same
    on any machine), to the nearest ten."""
    steps = [0]

    def tick():
        steps[0] += 10
        return 0

    journal.conn.set_progress_handler(tick, 10)
    try:
        journal.query(sql, params)
    finally:
        journal.conn.set_progress_handler(None, 10)
    return steps[0]


def test_leaving_out_the_special_orders_costs_each_deadline_list_once_not_once_a_row(
        run, demo, journal, tmp_path):
    # each deadline list leaves out the unheld special orders (:unheld, thousands in a
    # backlog). Tested as a row value, SQLite read the whole list for every order the
    # list looked at (2,000 rows against 2,245 keys: 225 ms); as one value, through an
    # index of the list built once. So 3,000 keys may cost a few steps each, whatever
    # the number of orders each list looks at: here eight or more, by the shop's hours
    # and by the export's own ship-by time alike.
    paid = {"overdue": "2026-11-19 10:00", "due_soon": "2026-11-20 16:00",
            "ship_today": "2026-11-22 10:00"}
    made = [dict(order_id=f"71000000000000{k:02d}{n:02d}", status="paid",
                 created=f"{at}:00", paid=f"{at}:30")
            for k, at in enumerate(paid.values()) for n in range(16)]
    import_orders(run, tmp_path, *made)
    own = {"overdue": "2026-11-23T01:00:00Z", "due_soon": "2026-11-23T20:00:00Z",
           "ship_today": "2026-11-25T01:00:00Z"}  # the export's ship-by, around 14:30 on 23
    with journal.write():
        for k, by in enumerate(own.values()):
            journal.execute("UPDATE orders SET ship_by = ? WHERE order_id LIKE ?",
                            [by, f"71000000000000{k:02d}0%"])  # eight of each sixteen
    _, clock, policy = lib(journal)
    p = shipcheck.plan(shipcheck.Rules.of(clock, policy), paid_before=None)
    for name, sql in p.statements:
        if name not in _OWN_NAMES:
            continue
        cost = {}
        for k in (10, 3000):
            keys = json.dumps([[f"x{i}", "taobao"] for i in range(k)])
            params = {**p.params, "unheld": keys}
            cost[k] = _vm_steps(journal, sql, params)
        assert len(journal.query(sql, params)) >= 8, name
        assert (cost[3000] - cost[10]) / 2990 <= 15, (name, cost)


@pytest.mark.parametrize("within", [24.0, 2.01, 0.5, 0.0])
def test_a_deadline_is_judged_at_the_second_as_its_sql_bucket_counts_it(journal, within):
    # the special orders are judged in Python, and each one is taken off the deadline
    # bucket the SQL counted it in: the two must agree to the second, on the shop's
    # hours from the start of the clock and on the export's own ship-by time alike
    from datetime import timedelta

    from cstool.shipcheck import rows as R

    _, clock, policy = lib(journal)
    rules = shipcheck.Rules.of(clock, policy, within)
    hours = timedelta(hours=rules.deadline_hours)
    soon = timedelta(hours=within)
    seen = set()
    for edge in (rules.now - hours, rules.now + soon - hours):  # by the shop's hours
        for s in range(-3, 4):
            base = to_db(edge + timedelta(seconds=s))
            left = clock.local(base) + hours - rules.now
            want = ("overdue" if left < timedelta(0) else "due_soon" if left <= soon
                    else "ship_today")
            got = R.deadline_check(rules, {"base": base, "ship_by": None})
            assert got == want, (base, left)
            seen.add(got)
    for edge in (rules.now, rules.now + soon):  # by the export's ship-by
        for s in range(-3, 4):
            by = to_db(edge + timedelta(seconds=s))
            left = clock.local(by) - rules.now
            want = ("overdue" if left < timedelta(0) else "due_soon" if left <= soon
                    else "ship_today")
            got = R.deadline_check(rules, {"base": "2026-11-01T00:00:00Z", "ship_by": by})
            assert got == want, (by, left)
    assert seen == {"overdue", "due_soon", "ship_today"}


@pytest.mark.parametrize("argv", [["shipcheck", "--help"], ["shipcheck", "pack", "--help"]])
def test_help_has_examples(run, argv):
    out = run(argv, check=0).stdout
    assert "\n    cstool shipcheck pack 5118609024991031622\n" in out


@pytest.mark.parametrize("opened, old", [
    ("2026-08-24T01:00:00Z", False),   # 91 days, but not yet three calendar months
    ("2026-08-23T00:30:00Z", True),    # three months and a few hours
])
def test_after_sales_over_three_months_counts_calendar_months(run, marked, journal, opened, old):
    case = add_exception(journal, order_id=order("shipped_damaged_reported"), kind="damaged",
                         status="open", next_step="补发", due_at="2026-11-23T10:00:00Z",
                         opened_at=opened)
    data = run.json(["shipcheck", "--morning", "--json", "--now", "2026-11-23 09:00"])
    [row] = [r for r in data if r.get("exception_id") == case]
    assert ("(over three months: settle it first)" in row["detail"]) is old
