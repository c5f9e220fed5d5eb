"""What chasing achieved: orders chased, paid after the chase, conversion and speed;
and the buyers who promised to pay, for the next shift's handover sheet."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Optional

from cstool.core.clock import from_db, to_db
from cstool.core.errors import BadUsage
from cstool.core.i18n import M_
from cstool.core.orders import ref
from cstool.core.values import Instant
from cstool.core.vocab import PAID
from cstool.core.where import Where

# --- conversion ---------------------------------------------------------------------

STATS_BY = ("agent", "channel", "reason")


def stats(ctx, since: Optional[str] = None, by: Optional[str] = None,
          until: Optional[str] = None):
    """Orders chased, paid after the chase (from later imports), conversion, speed.

    Each chased order is credited to the chase that converted it: its last
    chase before the payment (the last chase, when the payment time is
    unknown or the order is not paid). ``by="reason"`` groups by the last
    reason recorded. Minutes to pay run from that chase to the payment time,
    for orders whose export gave one. ``since`` is a journal instant: only
    chases from then count. Returns one dict, or a list of groups with ``by``.
    """
    from statistics import median

    if by is not None and by not in STATS_BY:
        raise BadUsage(M_("--by {by}: use one of {items}", by=repr(by),
                          items=', '.join(STATS_BY)))
    w = Where().since("c.at", since).until("c.at", until).scope(ctx.scope, orders="o")
    sql = ("SELECT c.order_id, c.platform, c.agent, c.channel, c.reason, c.at, o.status, "
           "o.paid_at FROM chases c JOIN orders o ON o.order_id = c.order_id "
           "AND o.platform = c.platform" + w.sql() + " ORDER BY c.order_id, c.platform, c.at, c.id")
    per_order: dict[tuple[str, str], list] = {}
    for r in ctx.journal.query(sql, w.params):
        per_order.setdefault((r["order_id"], r["platform"]), []).append(r)
    groups: dict[Any, dict] = {}
    for rows in per_order.values():
        status, paid_at = rows[0]["status"], rows[0]["paid_at"]
        paid = status in PAID or paid_at is not None
        converted = paid and (paid_at is None or paid_at >= rows[0]["at"])
        credit = rows[-1]
        if converted and paid_at:
            credit = [r for r in rows if r["at"] <= paid_at][-1]
        if by == "reason":
            key = next((r["reason"] for r in reversed(rows) if r["reason"]), None)
        else:
            key = credit[by] if by else None
        g = groups.setdefault(key, {"chased": 0, "attempts": 0, "paid": 0, "still_unpaid": 0,
                                    "closed": 0, "minutes": []})
        g["chased"] += 1
        g["attempts"] += len(rows)
        if converted:
            g["paid"] += 1
            if paid_at:
                g["minutes"].append((from_db(paid_at) - from_db(credit["at"])).total_seconds() / 60)
        elif status == "unpaid":
            g["still_unpaid"] += 1
        elif status == "closed":
            g["closed"] += 1

    def figures(g: dict) -> dict:
        return {"chased": g["chased"], "attempts": g["attempts"], "paid": g["paid"],
                "conversion": round(g["paid"] / g["chased"], 3) if g["chased"] else None,
                "median_minutes_to_pay": round(median(g["minutes"])) if g["minutes"] else None,
                "still_unpaid": g["still_unpaid"], "closed": g["closed"]}

    if by is None:
        g = groups.get(None) or {"chased": 0, "attempts": 0, "paid": 0, "still_unpaid": 0,
                                 "closed": 0, "minutes": []}
        return {"since": Instant(since) if since else None, **figures(g)}
    ordered = sorted(groups.items(), key=lambda kv: (-kv[1]["chased"], str(kv[0] or "~")))
    return [{by: k, **figures(g)} for k, g in ordered]


# --- handover ----------------------------------------------------------------------


def handover_rows(ctx) -> list[dict]:
    """Buyers who promised to pay and have not: the next shift calls them back.

    One dict per order whose latest chase ended in a promise and which is
    still unpaid (not closed, not brushing): ``ref`` (stable), ``category``
    (``callback``), ``buyer``, ``order_id``, ``problem``, ``todo``, ``due_at``
    (when the promise falls due, when it could be read).
    """
    now = ctx.clock.now()
    policy = ctx.policy
    ages = [policy.get("chase_max_age_hours"), *policy.overrides("chase_max_age_hours").values()]
    oldest = to_db(now - timedelta(hours=max(ages)))
    w = Where().scope(ctx.scope, orders="o")
    rows = ctx.journal.query(
        "SELECT c.order_id, c.platform, c.promise, c.promise_due_at, c.agent, c.at, o.buyer, "
        "o.shop, o.created_at FROM chases c JOIN orders o ON o.order_id = c.order_id "
        "AND o.platform = c.platform "
        "WHERE o.status = 'unpaid' AND o.brushing = 0 AND o.created_at > ? "
        "AND c.result = 'promised' "
        "AND c.id = (SELECT c2.id FROM chases c2 WHERE c2.order_id = c.order_id "
        "            AND c2.platform = c.platform ORDER BY c2.at DESC, c2.id DESC LIMIT 1)"
        + w.also() + " ORDER BY c.promise_due_at IS NULL, c.promise_due_at, c.order_id",
        [oldest, *w.params])
    out = []
    for r in rows:
        age = timedelta(hours=policy.get("chase_max_age_hours", r["shop"]))
        if from_db(r["created_at"]) <= now - age:
            continue  # its own shop stopped chasing it
        promise = (r["promise"] or "付款").strip()
        if promise.startswith("顾客"):
            promise = promise[2:]
        out.append({
            "ref": f"chase:{ref(r['platform'], r['order_id'])}",
            "category": "callback",
            "buyer": r["buyer"],
            "order_id": r["order_id"],
            "platform": r["platform"],
            "problem": f"顾客承诺{promise},尚未付款",
            "todo": "跟进付款",
            "due_at": Instant(r["promise_due_at"]) if r["promise_due_at"] else None,
        })
    return out

