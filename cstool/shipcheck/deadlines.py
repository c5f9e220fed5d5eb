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

# The orders that can ship, by when their deadline comes: the export's own ship-by time,
# else when their clock started (payment, else creation). Each is a range of an index
# (m0082, m0083) whose WHERE terms these repeat word for word.
_CAN_SHIP = "status NOT IN ('unpaid', 'closed') AND brushing = 0"
_BY_BASE = (f"FROM orders WHERE {_CAN_SHIP} AND ship_by IS NULL "
            "AND coalesce(paid_at, created_at) >= ? AND coalesce(paid_at, created_at) < ?")
_BY_SHIP_BY = f"FROM orders WHERE {_CAN_SHIP} AND ship_by IS NOT NULL AND ship_by >= ? AND ship_by < ?"


def by_day(ctx, days: Sequence[tuple[str, str]]) -> list[dict]:
    """For each ``(since, until)``: orders in ``ctx.scope`` whose ship deadline fell in it
    (the export's own ship-by time, else payment plus the shop's hours), shipped in time,
    late, or not yet (the periods must not overlap).

    Each period reads its own orders from the indexes of the deadlines, and is counted
    in SQL where the shop's clock keeps one offset from UTC over the periods (no DST
    change: the hours after payment are then UTC arithmetic); else each deadline is
    worked out on the clock in Python, as before.

    The classic export has no ship time: an order it shows shipped counts as
    shipped at an unknown time and is left out of the percentage.
    """
    if not days:
        return []
    clock, policy = ctx.clock, ctx.policy
    hours = [policy.get("ship_deadline_hours"), *policy.overrides("ship_deadline_hours").values()]
    lo, hi = min(d[0] for d in days), max(d[1] for d in days)
    first, last = clock.local(_shift(clock, lo, -max(hours))), clock.local(hi)
    if first.utcoffset() == last.utcoffset():
        tallies = [_counted(ctx, since, until, hours) for since, until in days]
    else:
        tallies = _on_the_clock(ctx, days, hours)
    out = []
    for t in tallies:
        judged = t["on_time"] + t["late"] + t["unshipped"]
        out.append({"deadline_in_day": judged + t["unknown"], "shipped_in_time": t["on_time"],
                    "shipped_late": t["late"], "shipped_time_unknown": t["unknown"],
                    "past_deadline_unshipped": t["unshipped"],
                    "in_time_pct": percent(t["on_time"], judged)})
    return out


def _counted(ctx, since: str, until: str, hours: list) -> dict:
    """One period's tallies, counted in SQL (deadlines in UTC arithmetic)."""
    clock, policy = ctx.clock, ctx.policy
    w = Where().scope(ctx.scope)
    shops = policy.overrides("ship_deadline_hours")
    seconds = "CASE shop " + "".join(f"WHEN ? THEN {int(h) * 3600} " for h in shops.values()) \
        + f"ELSE {int(policy.get('ship_deadline_hours')) * 3600} END" if shops \
        else str(int(policy.get("ship_deadline_hours")) * 3600)
    deadline = (f"strftime('%Y-%m-%dT%H:%M:%SZ', coalesce(paid_at, created_at), "
                f"'+' || ({seconds}) || ' seconds')")
    shipped = ", ".join(f"'{s}'" for s in SHIPPED)
    row = ctx.journal.query(
        "SELECT sum(shipped_at <= d), sum(shipped_at > d), "
        f"sum(shipped_at IS NULL AND status IN ({shipped})), "
        f"sum(shipped_at IS NULL AND status NOT IN ({shipped}) AND d <= ?) FROM ("
        f"SELECT shipped_at, status, {deadline} AS d {_BY_BASE}{w.also()} "
        f"UNION ALL SELECT shipped_at, status, ship_by AS d {_BY_SHIP_BY}{w.also()}"
        ") WHERE d >= ? AND d < ?",
        [clock.now_db(), *shops, _shift(clock, since, -max(hours)),
         _shift(clock, until, -min(hours)), *w.params, since, until, *w.params, since, until])[0]
    return dict(zip(("on_time", "late", "unknown", "unshipped"), (n or 0 for n in row)))


def _on_the_clock(ctx, days: Sequence[tuple[str, str]], hours: list) -> list[dict]:
    """The tallies with each deadline worked out on the shop's clock (the periods span a
    change of its offset from UTC), one pass over the periods' orders."""
    clock, policy = ctx.clock, ctx.policy
    shop_hours: dict = {}
    starts = sorted(range(len(days)), key=lambda i: days[i][0])
    sorted_since = [days[i][0] for i in starts]
    lo, hi = min(d[0] for d in days), max(d[1] for d in days)
    now_db = clock.now_db()
    tallies = [{"on_time": 0, "late": 0, "unknown": 0, "unshipped": 0} for _ in days]
    w = Where().scope(ctx.scope)
    columns = "SELECT status, coalesce(paid_at, created_at) AS base, shipped_at, ship_by, shop "
    for r in ctx.journal.query(
            f"{columns}{_BY_BASE}{w.also()} UNION ALL {columns}{_BY_SHIP_BY}{w.also()}",
            [_shift(clock, lo, -max(hours)), _shift(clock, hi, -min(hours)), *w.params,
             lo, hi, *w.params]):
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
    return tallies


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
