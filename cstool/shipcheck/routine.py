"""The shipping routine (跟进发货, 审单): its policy keys, its part of the handover sheet,
of reminders and of the daily report."""

from __future__ import annotations

from typing import Optional

from cstool.core.contract import MAX_PER_KIND, Due, Item, Reminder, Routine, Source, capped
from cstool.core.i18n import M_
from cstool.core.orders import ref
from cstool.core.policy import Key, date_or_none, time_of_day, whole
from cstool.shipcheck import checks

_LABEL = {"overdue": M_("overdue"), "due_soon": M_("due soon"), "hold_due": M_("hold due")}



def _sheet_rows(ctx, leave_out: frozenset = frozenset()):
    """The handover sheet's shipping rows (loaded for the sheet, not by every cron run);
    ``leave_out``: orders the sheet has rows for from a superseding source (dated holds)."""
    from cstool.shipcheck import sheet

    return sheet.handover_rows(ctx, leave_out)

def due_items(ctx, limit: Optional[int] = MAX_PER_KIND, held: bool = False,
              skip: frozenset = frozenset()) -> Due:
    """Paid orders past or near the ship deadline, and holds whose date has come
    (the most urgent ``limit`` of each check)."""
    skipped = sum(1 for k in skip if k.startswith("ship:"))
    report = checks.run(ctx, only=checks.FAILING, limit=limit + skipped if limit else None)
    out = Due()
    for check in checks.FAILING:
        part = capped([Item(key=f"ship:{ref(r['platform'], r['order_id'])}:{r['check']}",
                            kind="ship",
                            order_id=r["order_id"], buyer=r["buyer"],
                            text=_LABEL.get(check, check) + f" {r['order_id']} "
                                 f"{r['buyer'] or ''}: " + r["detail"])
                       for r in report.rows if r["check"] == check],
                      limit, skip, report.counts.get(check, 0))
        out.extend(part)
        out.cut, out.total = out.cut + part.cut, out.total + part.total
    return out


class Shipcheck(Routine):
    name = "shipcheck"
    cli = ("shipcheck",)
    keys = (
        Key("dispatch_time", "17:00", time_of_day,
            "the day's parcels are sealed and handed to the courier by this time"),
        Key("stalled_days", 7, whole(1, 90, "days"), "shipped this long and not signed → stalled"),
        Key("stalled_max_days", 30, whole(0, 365, "days"),
            "shipped longer ago → left out of stalled (the platform has closed it); 0: no limit"),
        Key("presale_ship_date", None, date_or_none,
            "ship date of presale orders that carry none (YYYY-MM-DD or none)"),
    )
    sheet = (Source("shipcheck", _sheet_rows, leaves_out=True),)
    reminders = (Reminder("ship", "发货", "cstool shipcheck", due_items),)
    sections = (("shipping", "发货 Shipping (deadline in the day; now)"),)

    def daily(self, ctx, since, until):
        from cstool.shipcheck import deadlines  # start-up: cron loads every declaration

        return {"shipping": deadlines.day(ctx, since, until)}


ROUTINE = Shipcheck()
