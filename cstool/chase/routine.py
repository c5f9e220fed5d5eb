"""The chase routine (催付): its policy keys and presets, its part of the order view, of
the handover sheet, of reminders and of the daily report."""

from __future__ import annotations

from typing import Optional

from cstool.chase import queue
from cstool.core.contract import MAX_PER_KIND, Due, Item, Reminder, Routine, Source, capped
from cstool.core.i18n import M_
from cstool.core.orders import ref
from cstool.core.policy import Key, whole, windows

# The manuals' chase hours (domain.md §2): 000 chats at once and calls in office hours;
# 002 chats before 11:00 and calls until 20:30, and chases more often.
_CHASE_000 = {"chase_windows.phone": ["10:00-12:00", "15:00-17:00"],
              "chase_windows.wangwang": ["09:00-23:30"],
              "chase_windows.sms": ["09:00-21:00"],
              "chase_max_attempts": 2}  # 000: chat, then a call
_CHASE_002 = {"chase_windows.wangwang": ["09:00-11:00"],
              "chase_windows.phone": ["12:00-20:30"],
              "chase_windows.sms": ["09:00-20:30"],
              "chase_max_attempts": 3}  # 002: "及时且多次提醒客户"


def promised(ctx) -> list[dict]:
    """Buyers who promised to pay: the next shift's call-backs (the sheet's source)."""
    from cstool.chase import stats  # start-up: cron loads every declaration

    return stats.handover_rows(ctx)


def _of(skip: frozenset, kind: str) -> int:
    return sum(1 for k in skip if k.startswith(kind + ":"))


def due_items(ctx, limit: Optional[int] = MAX_PER_KIND, held: bool = False,
              skip: frozenset = frozenset()) -> Due:
    """Unpaid orders to chase now, by the channel open now (most valuable first);
    ``held``: also those due but with no channel open now."""
    counts: dict = {}
    items = []
    from cstool.core.human import duration_message as duration

    channel = queue.CHANNEL.word
    rows = queue.due(ctx.as_agent(None), all_=held, counts=counts,
                     limit=limit + _of(skip, "chase") if limit else None)
    for row in rows:
        if row["opens_at"] and row["waits"] != "window":
            continue  # not due yet (grace, a chase's cool-down, a promise)
        how = M_("chase by {channel} now", channel=channel(row["channel"]))
        why = None
        if row["opens_at"]:
            opens = ctx.clock.short(row["opens_at"])
            why = M_("window closed: {channel} opens {at}", channel=channel(row["channel"]),
                     at=opens)
            how = M_("chase by {channel} from {time}", channel=channel(row["channel"]),
                     time=opens[11:])
        items.append(Item(
            key=f"chase:{ref(row['platform'], row['order_id'])}:{row['attempts']}", kind="chase",
            order_id=row["order_id"], held=why, buyer=row["buyer"],
            text=M_("{order} {buyer} ¥{amount} unpaid for {duration}, {how}",
                    order=row["order_id"], buyer=row["buyer"] or "", amount=row["amount"],
                    duration=duration(row["unpaid_minutes"]), how=how)))
    return capped(items, limit, skip, counts.get("due", 0))


class Chase(Routine):
    name = "chase"
    cli = ("chase",)
    keys = (
        Key("chase_windows.remind", ["09:00-22:00"], windows,
            "hours for the platform's remind-to-pay button (提醒付款)"),
        Key("chase_sequence", ["wangwang", "phone"], queue.parse_channels,
            "channels the chase queue offers, in order (add sms in campaigns, remind if used)"),
        Key("chase_cooldown_minutes", 120, whole(0, 10080, "minutes"),
            "after a chase, wait this long before the next one"),
        Key("chase_max_attempts", 2, whole(1, 20, "attempts"),
            "chase an order at most this many times"),
        Key("chase_max_age_hours", 72, whole(1, 720, "hours"),
            "stop chasing orders unpaid this long (the platform closes them)"),
    )
    presets = {"chase-000": ("chase hours of manual 000", dict(_CHASE_000)),
               "chase-002": ("chase hours of manual 002", dict(_CHASE_002))}
    manuals = {"manual-000": _CHASE_000, "manual-002": _CHASE_002}
    sheet = (Source("chase", promised),)
    reminders = (Reminder("chase", "催付", "cstool chase due", due_items),)
    sections = (("chases.total", "催付 Chases"),
                ("chases.by_agent", "催付 · 按客服 by agent"),
                ("chases.by_channel", "催付 · 按渠道 by channel"))

    def order_view(self, ctx, order_id):
        from cstool.chase import log

        return {"chases": log.order_chases(ctx.journal, order_id, ctx.scope.platform or "taobao")}

    def daily(self, ctx, since, until):
        from cstool.chase import stats

        return {"chases": {"total": stats.stats(ctx, since=since, until=until),
                           "by_agent": stats.stats(ctx, since=since, until=until, by="agent"),
                           "by_channel": stats.stats(ctx, since=since, until=until,
                                                     by="channel")}}


ROUTINE = Chase()
