"""A case as the contract's exception object: what ``exception show``/``list`` print and
JSON carries (apart from the recording in :mod:`cstool.cases.timeline`)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from cstool.core.clock import UTC
from cstool.core.values import Instant, Money


def _at(text: str) -> datetime:
    """A journal instant as a datetime (fromisoformat: strptime is slow over thousands of rows)."""
    return datetime.fromisoformat(text[:19]).replace(tzinfo=UTC)



def _inst(v: Optional[str]) -> Optional[Instant]:
    return Instant(v) if v else None


def _hours_left(due: Optional[str], now_db: Optional[str]) -> Optional[float]:
    if not due or not now_db:
        return None
    return round((_at(due) - _at(now_db)).total_seconds() / 3600, 1)


def present(r, now_db: Optional[str] = None) -> dict:
    """A case row as the contract's exception object (plus more keys)."""
    out = r["compensation_fen"] + r["refund_fen"] + r["freight_fen"]
    open_ = r["closed_at"] is None
    return {
        "id": r["id"],
        "order_id": r["order_id"],
        "platform": r["platform"],
        "buyer": r["buyer"],
        "kind": r["kind"],
        "status": r["status"],
        "resolution": r["resolution"],
        "step": r["step"],
        "next_step": r["next_step"],
        "due_at": _inst(r["due_at"]),
        "overdue": bool(open_ and r["due_at"] and now_db and r["due_at"] < now_db),
        "hours_left": _hours_left(r["due_at"], now_db) if open_ else None,
        "detail": r["detail"],
        "courier": r["courier"],
        "tracking_no": r["tracking_no"],
        "reship_courier": r["reship_courier"],
        "reship_tracking": r["reship_tracking"],
        "freight_payer": r["freight_payer"],
        "return_freight_payer": r["return_freight_payer"],
        "photos": r["photos"],
        "compensation": Money(r["compensation_fen"]),
        "refund": Money(r["refund_fen"]),
        "freight": Money(r["freight_fen"]),
        "claim": Money(r["claim_fen"]),
        "money_out": Money(out),
        "outcome": r["outcome"],
        "opened_by": r["opened_by"],
        "opened_at": Instant(r["opened_at"]),
        "updated_by": r["updated_by"],
        "updated_at": _inst(r["updated_at"]),
        "closed_by": r["closed_by"],
        "closed_at": _inst(r["closed_at"]),
    }


def shop_policy(journal, policy, row):
    """The policy as the shop of the case's order reads it."""
    return policy.shop(journal.scalar("SELECT shop FROM orders WHERE order_id = ? AND platform = ?",
                                      [row["order_id"], row["platform"]]))
