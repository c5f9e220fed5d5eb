"""Orders in the journal: listing and the full picture of one order."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Optional

from cstool.core.errors import NotFound
from cstool.core.values import Address, Instant, Memo, Money, Name, Phone

LIST_COLUMNS = ("order_id", "buyer", "status", "amount", "created_at", "paid_at", "shipped_at",
                "courier", "tracking_no", "flag", "seller_memo")


def _inst(v: Optional[str]) -> Optional[Instant]:
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
        "created_at": _inst(r["created_at"]),
        "paid_at": _inst(r["paid_at"]),
        "shipped_at": _inst(r["shipped_at"]),
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
    where, params = [], []
    if statuses:
        where.append(f"status IN ({','.join('?' * len(statuses))})")
        params += list(statuses)
    if since:
        where.append("created_at >= ?")
        params.append(since)
    if until:
        where.append("created_at < ?")
        params.append(until)
    if buyer:
        where.append("buyer = ?")
        params.append(buyer)
    sql = "SELECT * FROM orders"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY created_at DESC, order_id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [present(r) for r in journal.query(sql, params)]


def require(journal, order_id: str):
    """The orders row, or a NotFound naming the order (BadUsage when ``order_id`` cannot be
    an order number at all: 300 digits, a formula, letters of another script)."""
    from cstool.core.errors import BadUsage
    from cstool.core.limits import order_number

    try:
        oid = order_number(str(order_id).strip())
    except ValueError as e:
        raise BadUsage(str(e)) from None
    row = journal.one("SELECT * FROM orders WHERE order_id = ?", [oid])
    if row is None:
        raise NotFound(f"no order {order_id} in the journal (import the shop's export first)")
    return row


def _has_table(journal, name: str) -> bool:
    return journal.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]) is not None


def show(journal, order_id: str) -> dict:
    """One order with its remarks and holds (and, once recorded, chases, exceptions, handover)."""
    order = present(require(journal, order_id))
    oid = order["order_id"]
    order["remarks"] = [
        {"id": r["id"], "source": r["source"], "kind": r["kind"], "flag": r["flag"],
         "text": Memo(r["text"]), "author": r["author"] or r["created_by"],
         "at": _inst(r["at"]), "recorded_at": _inst(r["created_at"]),
         "problems": json.loads(r["problems"]) if r["problems"] else []}
        for r in journal.query("SELECT * FROM remarks WHERE order_id = ? ORDER BY id", [oid])]
    order["holds"] = [
        {"id": r["id"], "kind": r["kind"], "until": r["until"], "owner": r["owner"],
         "created_at": _inst(r["created_at"]), "released_at": _inst(r["released_at"])}
        for r in journal.query("SELECT * FROM holds WHERE order_id = ? ORDER BY id", [oid])]
    from cstool.handover.handover import list_items

    order["handover"] = [
        {k: i[k] for k in ("id", "category", "problem", "todo", "created_by", "created_at",
                           "receipt", "acked_by", "acked_at")}
        for i in list_items(journal, order_id=oid)]
    if _has_table(journal, "chases"):
        from cstool.chase.chase import order_chases

        order["chases"] = order_chases(journal, oid)
    if _has_table(journal, "exceptions"):
        from cstool.cases.cases import for_order

        order["exceptions"] = for_order(journal, oid)
    return order
