"""The orders table: an order as the contract's object, one order, a listing.

Every routine that reads an order by its number goes through :func:`require`;
the full picture of one order (``orders show``) is the app layer's
(:mod:`cstool.app.order_view`), which asks each routine for its part.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from cstool.core.errors import BadUsage, NotFound
from cstool.core.limits import order_number
from cstool.core.values import Address, Instant, Memo, Money, Name, Phone
from cstool.core.where import Where, limit_sql

LIST_COLUMNS = ("order_id", "buyer", "status", "amount", "created_at", "paid_at", "shipped_at",
                "courier", "tracking_no", "flag", "seller_memo")


def instant(v: Optional[str]) -> Optional[Instant]:
    """A stored instant as a typed value (None stays None)."""
    return Instant(v) if v else None


def _money(v: Optional[int]) -> Optional[Money]:
    return Money(v) if v is not None else None


def present(r) -> dict:
    """An orders row as the contract's order object (plus a few more keys)."""
    total = r["total_fen"] if r["total_fen"] is not None else r["paid_fen"]
    return {
        "order_id": r["order_id"],
        "buyer": r["buyer"],
        "status": r["status"],
        "amount": _money(total),
        "created_at": instant(r["created_at"]),
        "paid_at": instant(r["paid_at"]),
        "shipped_at": instant(r["shipped_at"]),
        "courier": r["courier"],
        "tracking_no": r["tracking_no"],
        "seller_memo": Memo(r["seller_memo"]) if r["seller_memo"] else r["seller_memo"],
        "flag": r["flag"],
        "paid_amount": _money(r["paid_fen"]),
        "postage": _money(r["postage_fen"]),
        "close_reason": r["close_reason"],
        "item_title": r["item_title"],
        "item_count": r["item_count"],
        "sku": r["sku"],
        "buyer_message": r["buyer_message"],
        "invoice_title": r["invoice_title"],
        "brushing": bool(r["brushing"]),
        "receiver_name": Name(r["receiver_name"]) if r["receiver_name"] else None,
        "receiver_phone": Phone(r["receiver_phone"]) if r["receiver_phone"] else None,
        "receiver_address": Address(r["receiver_address"]) if r["receiver_address"] else None,
    }


def list_orders(journal, *, statuses: Sequence[str] = (), since: Optional[str] = None,
                until: Optional[str] = None, buyer: Optional[str] = None,
                limit: Optional[int] = 50) -> list[dict]:
    """Orders newest first; ``since``/``until`` are journal instants on the creation time."""
    w = (Where().any_of("status", list(statuses)).since("created_at", since)
         .until("created_at", until).eq("buyer", buyer))
    sql = ("SELECT * FROM orders" + w.sql() + " ORDER BY created_at DESC, order_id DESC"
           + limit_sql(limit))
    return [present(r) for r in journal.query(sql, w.params)]


def require(journal, order_id: str):
    """The orders row, or a NotFound naming the order (BadUsage when ``order_id`` cannot be
    an order number at all: 300 digits, a formula, letters of another script)."""
    try:
        oid = order_number(str(order_id).strip())
    except ValueError as e:
        raise BadUsage(str(e)) from None
    row = journal.one("SELECT * FROM orders WHERE order_id = ?", [oid])
    if row is None:
        raise NotFound(f"no order {order_id} in the journal (import the shop's export first)")
    return row


def buyer_of(journal, order_id: str) -> Optional[str]:
    """Who placed the order (None when the journal does not know the order or its buyer)."""
    return journal.scalar("SELECT buyer FROM orders WHERE order_id = ?", [order_id])


def known(journal, order_id: Optional[str]) -> bool:
    """Whether the journal has the order (a blank number is nobody's to check)."""
    return not order_id or journal.one("SELECT 1 FROM orders WHERE order_id = ?",
                                       [order_id]) is not None
