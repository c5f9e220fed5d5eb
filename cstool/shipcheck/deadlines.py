"""Ship deadlines met, by day: for the daily report and the web view's chart."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import timedelta

from cstool.core.clock import to_db
from cstool.core.values import percent
from cstool.core.vocab import SHIPPED
from cstool.core.where import Where
from cstool.shipcheck.checks import run


def by_day(ctx, days: Sequence[tuple[str, str]]) -> list[dict]:
    """For each ``(since, until)``: orders in ``ctx.scope`` whose ship deadline fell in it
    (the export's own ship-by time, else payment plus the shop's hours), shipped in time,
    late, or not yet — in one pass over the orders (the periods must not overlap).

    The classic export has no ship time: an order it shows shipped counts as
    shipped at an unknown time and is left out of the percentage.
    """
    if not days:
        return []
    clock, policy = ctx.clock, ctx.policy
    hours = [policy.get("ship_deadline_hours"), *policy.overrides("ship_deadline_hours").values()]
    shop_hours: dict = {}
    starts = sorted(range(len(days)), key=lambda i: days[i][0])
    sorted_since = [days[i][0] for i in starts]
    lo, hi = min(d[0] for d in days), max(d[1] for d in days)
    now_db = clock.now_db()
    tallies = [{"on_time": 0, "late": 0, "unknown": 0, "unshipped": 0} for _ in days]
    w = Where().scope(ctx.scope)
    for r in ctx.journal.query(
            "SELECT status, coalesce(paid_at, created_at) AS base, shipped_at, ship_by, shop "
            "FROM orders WHERE status NOT IN ('unpaid', 'closed') AND brushing = 0 "
            "AND ((ship_by IS NULL AND coalesce(paid_at, created_at) >= ? "
            "AND coalesce(paid_at, created_at) < ?) OR (ship_by >= ? AND ship_by < ?))"
            + w.also(),
            [_shift(clock, lo, -max(hours)), _shift(clock, hi, -min(hours)), lo, hi, *w.params]):
        deadline = r["ship_by"]
        if not deadline:
            shop = r["shop"]
            if shop not in shop_hours:
                shop_hours[shop] = policy.get("ship_deadline_hours", shop)
            deadline = _shift(clock, r["base"], shop_hours[shop])
        k = bisect_right(sorted_since, deadline) - 1
        if k < 0 or deadline >= days[starts[k]][1]:
            continue  # between two of the periods, or outside them
        t = tallies[starts[k]]
        if r["shipped_at"]:
            t["on_time" if r["shipped_at"] <= deadline else "late"] += 1
        elif r["status"] in SHIPPED:
            t["unknown"] += 1
        elif deadline <= now_db:
            t["unshipped"] += 1
    out = []
    for t in tallies:
        judged = t["on_time"] + t["late"] + t["unshipped"]
        out.append({"deadline_in_day": judged + t["unknown"], "shipped_in_time": t["on_time"],
                    "shipped_late": t["late"], "shipped_time_unknown": t["unknown"],
                    "past_deadline_unshipped": t["unshipped"],
                    "in_time_pct": percent(t["on_time"], judged)})
    return out


def _shift(clock, instant: str, hours: int) -> str:
    return to_db(clock.local(instant) + timedelta(hours=hours))


def day(ctx, since: str, until: str) -> dict:
    """Orders whose ship deadline fell in the day (:func:`by_day`), and what is overdue or
    due soon now."""
    out = by_day(ctx, [(since, until)])[0]
    counts = run(ctx, only=("overdue", "due_soon"), limit=0).counts
    out["overdue_now"] = counts.get("overdue", 0)
    out["due_soon_now"] = counts.get("due_soon", 0)
    return out
