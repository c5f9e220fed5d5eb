"""``orders show``: one order as the contract's object, its lines, and each routine's part
of it (remarks and holds, handover items, chases, abnormal shipments …)."""

from __future__ import annotations

from cstool.app import routines
from cstool.core.context import Scope
from cstool.core.orders import lines, present, require
from cstool.core.output import own_names


def show(ctx, order_id: str) -> dict:
    """The order the number names within ``ctx.scope``. Each routine is asked for its
    part within the order's own platform and shop (``ctx.scope`` of its ``order_view``)."""
    row = require(ctx.journal, order_id, ctx.scope)
    order = present(row, ctx.policy)
    order["items"] = lines(ctx.journal, row["order_id"], row["platform"])
    own = ctx.scoped(Scope(row["platform"], row["shop"]))
    for r in routines.gathered("order_view"):
        order.update(r.order_view(own, order["order_id"]))
    return own_names(order, [row["receiver_name"]])
