"""Holds: an order that must not ship (or be chased) until a date, a person, or the buyer.

Written by remarks (``XX日发货``, ``必须由XX负责处理!``, presale dates, an
out-of-stock question to the buyer) and read by ``shipcheck`` and ``chase``.
A hold is never deleted: releasing it records who, when and why.
"""

from __future__ import annotations

from typing import Optional

from cstool.core.errors import InputError, NotFound
from cstool.core.i18n import M_
from cstool.core.values import Instant

KINDS = ("until", "owner", "presale", "waiting_buyer")


def add(journal, order_id: str, kind: str, now_db: str, *, until: Optional[str] = None,
        owner: Optional[str] = None, note: Optional[str] = None,
        remark_id: Optional[int] = None, agent: Optional[str] = None,
        platform: str = "taobao") -> int:
    """Record a hold; ``until`` is a shop-local date ``YYYY-MM-DD``. Returns its id.

    An open hold of the same kind on the order is released first (superseded),
    so an order has at most one open hold of each kind.
    """
    if kind not in KINDS:
        raise InputError(M_("unknown hold kind {kind}", kind=repr(kind)))
    if kind in ("until", "presale") and not until:
        raise InputError(M_("a {kind} hold needs a date", kind=kind))
    if kind == "owner" and not owner:
        raise InputError(M_("an owner hold needs the person who must handle the order"))
    with journal.write():
        journal.execute(
            "UPDATE holds SET released_at = ?, released_by = ?, release_note = 'superseded' "
            "WHERE order_id = ? AND platform = ? AND kind = ? AND released_at IS NULL",
            [now_db, agent, order_id, platform, kind])
        cur = journal.execute(
            "INSERT INTO holds (order_id, platform, kind, until, owner, note, remark_id, "
            "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [order_id, platform, kind, until, owner, note, remark_id, agent, now_db])
    return cur.lastrowid


def release(journal, order_id: str, now_db: str, *, kind: Optional[str] = None,
            agent: Optional[str] = None, note: Optional[str] = None,
            platform: str = "taobao") -> int:
    """Release the order's open holds (of one kind, or all). Returns how many."""
    sql = ("UPDATE holds SET released_at = ?, released_by = ?, release_note = ? "
           "WHERE order_id = ? AND platform = ? AND released_at IS NULL")
    params = [now_db, agent, note, order_id, platform]
    if kind:
        sql += " AND kind = ?"
        params.append(kind)
    with journal.write():
        return journal.execute(sql, params).rowcount


def open_holds(journal, order_id: str, platform: str = "taobao") -> list[dict]:
    return [_row(r) for r in journal.query(
        "SELECT * FROM holds WHERE order_id = ? AND platform = ? AND released_at IS NULL "
        "ORDER BY id", [order_id, platform])]


def history(journal, order_id: str, platform: str = "taobao") -> list[dict]:
    return [_row(r) for r in journal.query(
        "SELECT * FROM holds WHERE order_id = ? AND platform = ? ORDER BY id",
        [order_id, platform])]


def set_brushing(journal, order_id: str, brushing: bool = True,
                 platform: str = "taobao") -> None:
    with journal.write():
        cur = journal.execute("UPDATE orders SET brushing = ? WHERE order_id = ? AND platform = ?",
                              [1 if brushing else 0, order_id, platform])
    if cur.rowcount == 0:
        raise NotFound(M_("no order {order_id} in the journal", order_id=order_id))


def _row(r) -> dict:
    d = dict(r)
    for k in ("created_at", "released_at"):
        d[k] = Instant(d[k]) if d[k] else None
    return d
