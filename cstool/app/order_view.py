"""``orders show``: one order as the contract's object, with each routine's part of it
(remarks and holds, handover items, chases, abnormal shipments …)."""

from __future__ import annotations

from cstool.app import routines
from cstool.core.orders import present, require


def show(ctx, order_id: str) -> dict:
    order = present(require(ctx.journal, order_id))
    for r in routines.gathered("order_view"):
        order.update(r.order_view(ctx, order["order_id"]))
    return order
