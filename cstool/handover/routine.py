"""The handover routine (交接): its shifts key and presets, its part of the order view,
its own rows of the sheet (holds due), its reminders and its daily figures."""

from __future__ import annotations

from typing import Optional

from cstool.core.clock import to_db
from cstool.core.contract import MAX_PER_KIND, Due, Item, Reminder, Routine, Source, capped
from cstool.core.i18n import M_, Written
from cstool.core.policy import Key
from cstool.core.text import minutes
from cstool.core.values import percent, reveal_or_mask
from cstool.core.where import Where
from cstool.handover import items, shifts

# Manual 003: day 9:00-17:30, night 17:30-23:30. Manual 000 (第二章): the day shift
# starts 8:30, the night shift arrives 14:30 (the midday handover), the day shift
# leaves 18:00 and hands over to the night shift, which leaves 23:00; each handover
# starts the next sheet.
_SHIFTS_000 = {"day": "08:30-14:30", "mid": "14:30-18:00", "night": "18:00-23:00"}
_SHIFTS_003 = {"day": "09:00-17:30", "night": "17:30-23:30"}


def _masked(value) -> str:
    return "" if value is None else str(reveal_or_mask(value, False))


def due_items(ctx, limit: Optional[int] = MAX_PER_KIND, held: bool = False,
              skip: frozenset = frozenset()) -> Due:
    """Handover items still without a receipt after the policy's hour on the next day;
    ``held``: before that hour, those it will remind of."""
    clock = ctx.clock
    now = clock.now()
    hour = ctx.policy.get("remind_handover_ack_by")
    early = now.hour * 60 + now.minute < minutes(hour)
    if early and not held:
        return Due()
    why = M_("receipt expected by {hour} (remind_handover_ack_by)", hour=hour) if early else None
    cutoff = to_db(clock.start_of(clock.today()))
    out = []
    for it in items.open_items(ctx):
        if it["created_at"] >= cutoff:
            continue  # today's items: the shift is still on them
        label = items.CATEGORY.word(it["category"])
        who = " ".join(x for x in (it["buyer"], it["order_id"]) if x)
        out.append(Item(
            key=f"handover:{it['id']}", kind="handover", order_id=it["order_id"], held=why,
            buyer=it["buyer"],
            text=M_("#{id} {category} {who}: {problem}", id=it["id"], category=label, who=who,
                    problem=Written(_masked(it["problem"])))
            + (M_(" → {todo}", todo=Written(_masked(it["todo"]))) if it["todo"] else "")
            + " " + M_("(no receipt)")))
    return capped(out, limit, skip, 0 if why else len(out))


def holds_due(ctx) -> list[dict]:
    """Dated and presale holds due by the next working day (the sheet's own rows)."""
    from cstool.handover import sheet  # start-up: cron loads every declaration

    return sheet.hold_rows(ctx)


def registered(ctx, since: str, until: str) -> dict:
    """Items registered in ``[since, until)``: how many, acknowledged, still open."""
    w = items.in_scope(Where(), ctx.scope, "handover_items")
    r = ctx.journal.one(
        "SELECT count(*) AS items, count(acked_at) AS acknowledged, "
        "sum(acked_at IS NULL AND resolved_at IS NULL) AS still_open FROM handover_items "
        "WHERE created_at >= ? AND created_at < ?" + w.also(), [since, until, *w.params])
    d = dict(r)
    d["still_open"] = d["still_open"] or 0
    d["acknowledged_pct"] = percent(d["acknowledged"], d["items"])
    return d


_ORDER_KEYS = ("id", "category", "problem", "todo", "created_by", "created_at", "receipt",
               "acked_by", "acked_at")


class Handover(Routine):
    name = "handover"
    cli = ("handover",)
    keys = (Key("handover.shifts", {"day": "09:00-17:30", "night": "17:30-23:30"},
                shifts.parse_shifts,
                "shifts for handover sheets (day=09:00-17:30,night=17:30-23:30; a shift's sheet "
                "runs to the next shift's start)", per_shop=False),)
    presets = {
        "shifts-000": ("handover shifts of manual 000: day 8:30, mid 14:30, night 18:00-23:00",
                       {"handover.shifts": _SHIFTS_000}),
        "shifts-003": ("handover shifts of manual 003: day 9:00-17:30, night 17:30-23:30",
                       {"handover.shifts": _SHIFTS_003}),
    }
    manuals = {"manual-000": {"handover.shifts": _SHIFTS_000},
               "manual-003": {"handover.shifts": _SHIFTS_003}}
    sheet = (Source("holds", holds_due, supersedes=("shipcheck",)),)
    reminders = (Reminder("handover", "交接", "cstool handover list --open", due_items),)
    sections = (("handover", "交接 Handover"),)
    place = {"order_view": 12, "keys": 15}  # after the remarks; its key first of the routines'

    def order_view(self, ctx, order_id):
        return {"handover": [{k: i[k] for k in _ORDER_KEYS}
                             for i in items.list_items(ctx, order_id=order_id,
                                                       platform=ctx.scope.platform)]}

    def daily(self, ctx, since, until):
        return {"handover": registered(ctx, since, until)}


ROUTINE = Handover()
