"""Registering handover items (``handover add``) and their receipts by hand (``handover ack``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Optional

from cstool.core import evidence
from cstool.core import orders as orders_
from cstool.core.errors import BadUsage, InputError, NotFound
from cstool.core.i18n import M_
from cstool.core.limits import MAX_ROW_ID
from cstool.core.mask import is_phone
from cstool.handover.items import CATEGORY, _optional, clean_order_id, get

# Categories whose items the next shift must act on for a buyer: manual 002
# says such a handover always carries the buyer's id and what to do.
NEEDS_BUYER = ("courier", "aftersale", "external", "distribution")


def _required(text: Optional[str], what: str) -> str:
    s = (text or "").strip()
    if not s:
        raise BadUsage(M_("{what} is empty; say what it is", what=what))
    return s


def _phone(text: Optional[str]) -> Optional[str]:
    s = _optional(text)
    if s is None:
        return None
    if not is_phone(s):
        raise BadUsage(M_("--phone {text} is not a phone number", text=repr(text)))
    return s


def add(ctx, *, category: str, problem: str, todo: Optional[str] = None, order_id: Optional[str] = None,
        buyer: Optional[str] = None, phone: Optional[str] = None,
        photos: Sequence[str] = ()) -> dict:
    """Register an item; photos are copied into ``evidence/`` named by the buyer's id.

    With a known order the buyer comes from it (and a different ``buyer`` is
    refused: it is the wrong order or the wrong account). Registered by ``ctx.agent``.
    """
    journal, agent, now_db = ctx.journal, ctx.agent, ctx.now_db()
    category = CATEGORY(category)
    problem = _required(problem, "--problem")
    todo = _optional(todo)
    order_id = clean_order_id(order_id)
    buyer = _optional(buyer)
    phone = _phone(phone)
    platform = None
    known = bool(order_id) and orders_.known(journal, order_id)
    if known:
        platform = orders_.require(journal, order_id, ctx.scope)["platform"]
    elif order_id:
        platform = ctx.scope.platform  # an order to come: its platform if given
    placed_by = orders_.buyer_of(journal, order_id, platform) if order_id else None
    if placed_by:
        if buyer is None:
            buyer = placed_by
        elif buyer != placed_by:
            raise InputError(M_("order {order_id} was placed by {placed_by}, not {buyer}; "
                                "check the order number and the buyer", order_id=order_id,
                                placed_by=placed_by, buyer=buyer))
    # a known order reaches its buyer through the platform's chat even when its export
    # names no buyer (PDD's and Douyin's have no nick column)
    if category in NEEDS_BUYER and ((buyer is None and not known) or todo is None):
        label = CATEGORY.label(category)
        raise BadUsage(M_("{label} ({category}) items need the buyer (--buyer, or an "
                          "--order the journal knows) and what must be done (--todo): the "
                          "next shift cannot act without them", label=label, category=category))
    for p in photos:
        evidence.check(p)
    if photos:
        evidence.sweep(journal)
    copied: list[str] = []
    try:
        with journal.write():
            item_id = journal.execute(
                "INSERT INTO handover_items (category, buyer, order_id, platform, phone, problem, "
                "todo, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [category, buyer, order_id, platform, phone, problem, todo, agent,
                 now_db]).lastrowid
            for p in photos:
                info = evidence.store(journal.path, p, buyer=buyer or "unknown",
                                      ref=f"handover{item_id}")
                copied.append(info["path"])
                journal.execute(
                    "INSERT INTO handover_photos (item_id, path, sha256, bytes, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [item_id, info["path"], info["sha256"], info["bytes"], now_db])
    except BaseException:
        for rel in copied:
            evidence.remove(journal.path, rel)
        raise
    evidence.publish(journal.path, copied)
    return get(journal, item_id)


def ack(ctx, item_ids: Iterable[int], receipt: str, replace: bool = False) -> list[dict]:
    """Record ``ctx.agent``'s receipt on each item. The same receipt again changes nothing;
    a different one is refused unless ``replace``. All items or none."""
    journal, agent, now_db = ctx.journal, ctx.agent, ctx.now_db()
    receipt = _required(receipt, "--receipt")
    ids = list(dict.fromkeys(int(i) for i in item_ids))
    with journal.write():
        for item_id in ids:
            row = journal.one("SELECT receipt, acked_by, acked_at FROM handover_items "
                              "WHERE id = ?", [item_id]) if 0 < item_id <= MAX_ROW_ID else None
            if row is None:
                raise NotFound(M_("no handover item {item_id}; see: cstool handover list "
                                  "--open", item_id=item_id))
            if row["receipt"] == receipt:
                continue
            if row["receipt"] is not None and not replace:
                raise InputError(
                    M_("item {item_id} already has the receipt {receipt} ({acked_by}); "
                       "give --replace to change it", item_id=item_id,
                       receipt=repr(row['receipt']), acked_by=row['acked_by']))
            journal.execute("UPDATE handover_items SET receipt = ?, acked_by = ?, acked_at = ? "
                            "WHERE id = ?", [receipt, agent, now_db, item_id])
    return [get(journal, i) for i in ids]

