"""Handover items (交接事项): registered by an agent, or copied from the journal for a
sheet; acknowledged with a receipt (回执) by the next shift."""

from __future__ import annotations

from typing import Any, Optional

from cstool.core.errors import InputError, NotFound, message
from cstool.core.i18n import M_
from cstool.core.limits import MAX_ROW_ID, cell_order_number
from cstool.core.values import FreeText, Instant, Phone
from cstool.core.vocab import Vocabulary
from cstool.core.where import Where, limit_sql

# The night sheet's categories (002) first, then the midday handover's (000);
# a sheet is sorted in this order.
CATEGORY = Vocabulary("handover category", {
    "courier": ["联系快递", "快递"],
    "aftersale": ["联系售后", "售后"],
    "external": ["联系外网", "外网"],
    "distribution": ["联系分销", "分销"],
    "callback": ["回访", "电话回访", "需回访"],
    "complaint": ["客诉", "投诉", "未处理客诉"],
    "promotion": ["促销", "促销商品", "当日促销"],
    "lost_property": ["遗失物品", "失物", "顾客遗失物品"],
    "meeting": ["晨会", "晨会内容", "例会"],
    "shipping": ["跟进发货", "发货", "审单"],
})

# --- items -------------------------------------------------------------------------

def clean_order_id(text: Any) -> Optional[str]:
    """An order number as text, as a sheet holds it (:func:`cell_order_number`); None when
    blank."""
    if text is None:
        return None
    try:
        return cell_order_number(text, M_("copy it from the order page"))
    except ValueError as e:
        raise InputError(message(e)) from None


def _optional(text: Optional[str]) -> Optional[str]:
    s = (text or "").strip()
    return s or None


def _inst(v: Optional[str]) -> Optional[Instant]:
    return Instant(v) if v else None


_ITEM_SQL = ("SELECT i.*, (SELECT group_concat(p.path, char(10)) FROM handover_photos p "
             "WHERE p.item_id = i.id) AS photo_paths FROM handover_items i")


def _item(r) -> dict:
    """A handover_items row as the contract's item object (plus a few keys)."""
    return {
        "id": r["id"],
        "category": r["category"],
        "buyer": r["buyer"],
        "order_id": r["order_id"],
        "platform": r["platform"],
        "phone": Phone(r["phone"]) if r["phone"] else None,
        "problem": FreeText(r["problem"]),
        "todo": FreeText(r["todo"]) if r["todo"] else None,
        "due_at": _inst(r["due_at"]),
        "photos": r["photo_paths"].split("\n") if r["photo_paths"] else [],
        "source": r["source"],
        "ref": r["ref"],
        "created_by": r["created_by"],
        "created_at": Instant(r["created_at"]),
        "receipt": FreeText(r["receipt"]) if r["receipt"] is not None else None,
        "acked_by": r["acked_by"],
        "acked_at": _inst(r["acked_at"]),
        "resolved_at": _inst(r["resolved_at"]),
        "resolved_note": r["resolved_note"],
    }


def get(journal, item_id: int) -> dict:
    row = journal.one(_ITEM_SQL + " WHERE i.id = ?", [int(item_id)]) \
        if 0 < int(item_id) <= MAX_ROW_ID else None
    if row is None:
        raise NotFound(M_("no handover item {item_id}", item_id=item_id))
    return _item(row)


def in_scope(w: Where, scope: Any, alias: str = "i") -> Where:
    """Under a scope, only the items about an order of that platform and shop (an item
    whose platform is not known yet goes by its order number)."""
    if not scope:
        return w
    terms = "".join(f" AND s.{part} = ?" for part in ("platform", "shop")
                    if getattr(scope, part))
    return w.term(f"EXISTS (SELECT 1 FROM orders s WHERE s.order_id = {alias}.order_id "
                  f"AND ({alias}.platform IS NULL OR s.platform = {alias}.platform){terms})",
                  *[v for v in (scope.platform, scope.shop) if v])


def list_items(ctx, *, open_only: bool = False, since: Optional[str] = None,
               until: Optional[str] = None, category: Optional[str] = None,
               order_id: Optional[str] = None, platform: Optional[str] = None,
               limit: Optional[int] = None) -> list[dict]:
    """Items in ``ctx.scope``, oldest first; ``since``/``until`` are journal instants on the
    registration time; ``order_id`` and ``platform``: one order's (an item whose platform
    is not known yet counts as the order's)."""
    w = (Where().term("i.acked_at IS NULL AND i.resolved_at IS NULL", when=open_only)
         .since("i.created_at", since).until("i.created_at", until)
         .eq("i.category", CATEGORY(category) if category else None).eq("i.order_id", order_id)
         .term("(i.platform IS NULL OR i.platform = ?)", platform, when=bool(platform)))
    in_scope(w, ctx.scope)
    sql = _ITEM_SQL + w.sql() + " ORDER BY i.created_at, i.id" + limit_sql(limit)
    return [_item(r) for r in ctx.journal.query(sql, w.params)]


def open_items(ctx) -> list[dict]:
    """Items in ``ctx.scope`` nobody has acknowledged (for reminders)."""
    return list_items(ctx, open_only=True)
