"""Ship deadlines met, by day: for the daily report and the web view's chart."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import timedelta

from cstool.core.clock import to_db
from cstool.core.values import percent
from cstool.core.vocab import SHIPPED
from cstool.shipcheck.checks import run

_DAY_ROWS = ("FROM orders WHERE status NOT IN ('unpaid', 'closed') AND brushing = 0 "
             "AND coalesce(paid_at, created_at) >= ? AND coalesce(paid_at, created_at) < ?")


def by_day(ctx, days: Sequence[tuple[str, str]]) -> list[dict]:
    """For each ``(since, until)``: orders whose ship deadline fell in it, shipped in time,
    late, or not yet — each period a range of the index of the orders' start times
    (m0082), counted in SQL (the periods must not overlap).

    The classic export has no ship time: an order it shows shipped counts as
    shipped at an unknown time and is left out of the percentage.
    """
    clock = ctx.clock
    hours = timedelta(hours=ctx.policy.get("ship_deadline_hours"))
    lows = [to_db(clock.local(since) - hours) for since, _ in days]
    highs = [to_db(clock.local(until) - hours) for _, until in days]
    if not days:
        return []
    now_db = clock.now_db()
    shipped = ", ".join(f"'{s}'" for s in SHIPPED)
    # A deadline is the start plus the hours on the shop's clock; where the clock keeps
    # one offset from UTC over the periods (no DST change), that is UTC arithmetic.
    first, last = clock.local(min(lows)), clock.local(max(highs)) + hours
    tallies = []
    if first.utcoffset() == last.utcoffset():
        deadline = f"strftime('%Y-%m-%dT%H:%M:%SZ', coalesce(paid_at, created_at), " \
                   f"'+{int(hours.total_seconds())} seconds')"
        for low, high in zip(lows, highs):
            row = ctx.journal.query(
                f"SELECT sum(shipped_at <= d), sum(shipped_at > d), "
                f"sum(shipped_at IS NULL AND status IN ({shipped})), "
                f"sum(shipped_at IS NULL AND status NOT IN ({shipped}) AND d <= ?) "
                f"FROM (SELECT shipped_at, status, {deadline} AS d {_DAY_ROWS})",
                [now_db, low, high])[0]
            tallies.append(dict(zip(("on_time", "late", "unknown", "unshipped"),
                                    (n or 0 for n in row))))
    else:
        tallies = _by_day_on_the_clock(ctx, lows, highs, hours, now_db)
    out = []
    for t in tallies:
        judged = t["on_time"] + t["late"] + t["unshipped"]
        out.append({"deadline_in_day": judged + t["unknown"], "shipped_in_time": t["on_time"],
                    "shipped_late": t["late"], "shipped_time_unknown": t["unknown"],
                    "past_deadline_unshipped": t["unshipped"],
                    "in_time_pct": percent(t["on_time"], judged)})
    return out


def _by_day_on_the_clock(ctx, lows, highs, hours, now_db) -> list[dict]:
    """:func:`by_day`'s tallies with each deadline worked out on the shop's clock (the
    periods span a change of its offset), one pass over the periods' orders."""
    clock = ctx.clock
    order = sorted(range(len(lows)), key=lambda i: lows[i])
    sorted_lows = [lows[i] for i in order]
    tallies = [{"on_time": 0, "late": 0, "unknown": 0, "unshipped": 0} for _ in lows]
    for r in ctx.journal.query(
            f"SELECT status, coalesce(paid_at, created_at) AS base, shipped_at {_DAY_ROWS}",
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
    return tallies


def day(ctx, since: str, until: str) -> dict:
    """Orders whose ship deadline fell in the day (:func:`by_day`), and what is overdue or
    due soon now."""
    out = by_day(ctx, [(since, until)])[0]
    counts = run(ctx, only=("overdue", "due_soon"), limit=0).counts
    out["overdue_now"] = counts.get("overdue", 0)
    out["due_soon_now"] = counts.get("due_soon", 0)
    return out
