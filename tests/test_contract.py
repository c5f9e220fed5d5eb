"""A routine is one package and one line: a tiny routine added to the list shows up in
``orders show``, the handover sheet, ``remind``, ``report daily`` and ``policy`` through
the contract alone."""

from __future__ import annotations

import pytest
from conftest import order

from cstool.app import routines
from cstool.core.contract import Item, Reminder, Routine, Source, capped
from cstool.core.policy import Key, whole

GIFT = order("paid_gift_and_card")


def gift_rows(ctx):
    """Orders that still need their gift packed (here: one fixed order)."""
    buyer = ctx.journal.scalar("SELECT buyer FROM orders WHERE order_id = ?", [GIFT])
    return [{"ref": f"gift:{GIFT}", "category": "promotion", "buyer": buyer, "order_id": GIFT,
             "problem": "赠品未放入", "todo": f"放入{ctx.policy.get('gifts.per_order')}份赠品"}]


def gift_due(ctx, limit=None, held=False, skip=frozenset()):
    items = [Item(f"gift:{r['order_id']}", "gift", f"{r['order_id']} {r['problem']}",
                  r["order_id"]) for r in gift_rows(ctx)]
    return capped(items, limit, skip, len(items))


class Gifts(Routine):
    name = "gifts"
    keys = (Key("gifts.per_order", 1, whole(0, 5, "gifts"), "gifts in each parcel"),)
    sheet = (Source("gifts", gift_rows),)
    reminders = (Reminder("gift", "赠品", "cstool orders show", gift_due),)
    sections = (("gifts", "赠品 Gifts"),)

    def order_view(self, ctx, order_id):
        return {"gifts": [r["todo"] for r in gift_rows(ctx) if r["order_id"] == order_id]}

    def daily(self, ctx, since, until):
        return {"gifts": {"orders": len(gift_rows(ctx))}}


@pytest.fixture
def gifts(monkeypatch, demo):
    monkeypatch.setattr(routines, "ROUTINES", routines.ROUTINES + (Gifts(),))


def test_the_order_view_has_its_section(run, gifts):
    shown = run.json(["orders", "show", GIFT, "--json"])
    assert list(shown)[-1] == "gifts" and shown["gifts"] == ["放入1份赠品"]
    assert run.json(["orders", "show", order("paid_80h_overdue"), "--json"])["gifts"] == []


def test_the_handover_sheet_has_its_rows(run, gifts):
    sheet = run.json(["--agent", "倩", "--now", "2026-11-23 23:20", "handover", "export",
                      "--shift", "night", "--json"])
    mine = [i for i in sheet["items"] if i["source"] == "gifts"]
    assert [(i["ref"], i["category"], i["order_id"], i["todo"], i["from"]) for i in mine] == [
        (f"gift:{GIFT}", "promotion", GIFT, "放入1份赠品", "journal")]


def test_remind_sends_its_items(run, gifts):
    sent = run.json(["--now", "2026-11-24 10:30", "remind", "--dry-run", "--json"])
    assert {"key": f"gift:{GIFT}", "kind": "gift", "order_id": GIFT,
            "text": f"{GIFT} 赠品未放入", "send": True, "held": None} in sent
    text = run(["--now", "2026-11-24 10:30", "remind", "--dry-run"], check=0).stdout
    assert f"[赠品] {GIFT} 赠品未放入" in text


def test_the_daily_report_has_its_section(run, gifts):
    assert run.json(["report", "daily", "--json"])["gifts"] == {"orders": 1}
    md = run(["report", "daily", "--format", "md"], check=0).stdout
    assert md.endswith("## Handover\n\n" + md.split("## Handover\n\n")[1].split("\n\n")[0]
                       + "\n\n## 赠品 Gifts\n\n| orders   |\n|----------|\n| 1        |\n\n")


def test_its_policy_key_is_shown_and_set(run, gifts):
    keys = [r["key"] for r in run.json(["policy", "show", "--json"])]
    assert keys[-1] == "gifts.per_order"
    run(["policy", "set", "gifts.per_order", "2"], check=0)
    shown = run.json(["orders", "show", GIFT, "--json"])
    assert shown["gifts"] == ["放入2份赠品"]
    assert run(["policy", "set", "gifts.per_order", "9"], check=2).exit_code == 2


def test_without_it_nothing_of_it_shows(run, demo):
    assert "gifts" not in run.json(["orders", "show", GIFT, "--json"])
    assert "gifts" not in run.json(["report", "daily", "--json"])

