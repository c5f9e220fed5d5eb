"""Ship deadlines met, by day: for the daily report and the web view's chart."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import timedelta

from cstool.core.clock import to_db
from cstool.core.values import percent
from cstool.core.vocab import SHIPPED
from cstool.shipcheck.checks import run


def by_day(ctx, days: Sequence[tuple[str, str]]) -> list[dict]:
    """For each ``(since, until)``: orders whose ship deadline fell in it, shipped in time,
    late, or not yet — in one pass over the orders (the periods must not overlap).

    The classic export has no ship time: an order it shows shipped counts as
    shipped at an unknown time and is left out of the percentage.
    """
    clock = ctx.clock
    hours = timedelta(hours=ctx.policy.get("ship_deadline_hours"))
    lows = [to_db(clock.local(since) - hours) for since, _ in days]
    highs = [to_db(clock.local(until) - hours) for _, until in days]
    order = sorted(range(len(days)), key=lambda i: lows[i])
    sorted_lows = [lows[i] for i in order]
    now_db = clock.now_db()
    tallies = [{"on_time": 0, "late": 0, "unknown": 0, "unshipped": 0} for _ in days]
    if not days:
        return []
    for r in ctx.journal.query(
            "SELECT status, coalesce(paid_at, created_at) AS base, shipped_at FROM orders "
            "WHERE status NOT IN ('unpaid', 'closed') AND brushing = 0 "
            "AND coalesce(paid_at, created_at) >= ? AND coalesce(paid_at, created_at) < ?",
            [min(lows), max(highs)]):
        k = bisect_right(sorted_lows, r["base"]) - 1
        if k < 0 or r["base"] >= highs[order[k]]:
            continue  # between two of the periods
        t = tallies[order[k]]
        deadline = to_db(clock.local(r["base"]) + hours)
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


def day(ctx, since: str, until: str) -> dict:
    """Orders whose ship deadline fell in the day (:func:`by_day`), and what is overdue or
    due soon now."""
    out = by_day(ctx, [(since, until)])[0]
    counts = run(ctx, only=("overdue", "due_soon"), limit=0).counts
    out["overdue_now"] = counts.get("overdue", 0)
    out["due_soon_now"] = counts.get("due_soon", 0)
    return out
