"""Covering indexes for shipcheck's held orders, read from whichever side is smaller.

Holds stay open on orders that shipped long ago (a hold is never deleted), so the
open holds grow with the history while the orders waiting to ship do not. Shipcheck
joins the two: ``holds_open_kinds`` (an order's open holds, with what they say) and
``orders_waiting_by_id`` (the waiting orders by number, with what the deadline needs)
let it walk the smaller one in order and look the other up, both without touching a
table row. ``holds_open_kinds`` begins with ``order_id``, so it replaces ``holds_open``.
"""

from cstool.migrations import run_sql

SQL = """
CREATE INDEX holds_open_kinds ON holds (order_id, platform, kind, until, released_at)
    WHERE released_at IS NULL;
DROP INDEX holds_open;
CREATE INDEX orders_waiting_by_id
    ON orders (order_id, platform, brushing, status, paid_at, created_at, ship_by, shop)
    WHERE status IN ('paid', 'part_shipped');
"""


def migrate(db):
    run_sql(db, SQL)
