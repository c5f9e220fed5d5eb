"""shipcheck's rows on the shift handover sheet (交接): the late and nearly late
shipments, category ``shipping`` (跟进发货)."""

from __future__ import annotations

from typing import Optional

from cstool.core import human
from cstool.core.i18n import M_
from cstool.core.orders import ref
from cstool.shipcheck.checks import check
from cstool.shipcheck.rules import Rules


def handover_rows(ctx, leave_out: frozenset = frozenset()) -> list[dict]:
    """Late and nearly late shipments for the shift handover sheet (交接).

    Category ``shipping`` (跟进发货), with every row about an order still to
    ship (docs/handover.md); the to-do says to push the shipping side (物流部),
    as manual 002 has whoever follows up shipping do near 72 hours. The courier
    category is for parcels already moving. ``leave_out``: (order, platform) keys whose rows
    are not wanted (the sheet has other rows for them).
    """
    clock = ctx.clock
    out = []
    shop_rules: dict[Optional[str], Rules] = {}
    for r in check(ctx, leave_out=leave_out):
        rules = shop_rules.get(r["shop"])
        if rules is None:
            rules = shop_rules[r["shop"]] = Rules.of(clock, ctx.policy.shop(r["shop"]))
        left = r["hours_left"]
        due_local = clock.local(r["due_at"])
        own = r["ship_by_source"] == "export"  # the export's own ship-by time (应发货时间)
        # a duration as people read it (已超时8小时 / 8 h late), in the language of
        # whoever reads the sheet: the journal keeps the English (format at export)
        when = human.left_message(left * 60)
        if r["check"] == "overdue":
            problem = (M_("past the ship-by time and not shipped: {left}", left=when) if own else
                       M_("not shipped within {hours} h: {left}", hours=rules.deadline_hours,
                          left=when))
            todo = M_("have the shipping side ship it now, and tell the buyer")
        elif r["check"] == "due_soon":
            problem = (M_("the ship-by time is near: {left}", left=when) if own else
                       M_("the {hours} h ship deadline is near: {left}",
                          hours=rules.deadline_hours, left=when))
            todo = M_("ship it by {at}", at=due_local.strftime("%m-%d %H:%M"))
        else:
            problem = M_("the hold's or presale's ship date has come; not shipped yet")
            todo = M_("ship it today (sealed by {dispatch})", dispatch=rules.dispatch)
        if r["owner"]:
            todo += M_("; {owner} must handle it", owner=r["owner"])
        out.append({"ref": f"ship:{ref(r['platform'], r['order_id'])}", "category": "shipping",
                    "buyer": r["buyer"], "order_id": r["order_id"], "platform": r["platform"],
                    "problem": problem, "todo": todo, "due_at": r["due_at"]})
    return out
