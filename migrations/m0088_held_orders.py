"""How many open holds each order has (``orders.held``), kept by triggers on the holds,
and the orders still to pay or ship that have one (``orders_live_held``).

Holds stay open on orders long shipped: at 3M orders 63k open holds, of which 6.6k on
the 21k orders waiting to ship. shipcheck's held orders, the handover sheet's dated
holds and the deadline lists looked each waiting (or unpaid) order's holds up to learn
whether it had any, one index search an order; now they start from the orders that
have one. The chase counts, searching the unpaid orders by age (m0086), look up an
owner hold only for an order that has a hold (the count is in that index too).

Every writer of holds goes through the triggers (an order's count is counted again
from its open holds, so a count cannot drift); holds point at their order (a foreign
key), so an order exists before its first hold. A migration that rebuilds the orders
table must copy ``held`` (and these triggers live on the holds table).
"""

from cstool.migrations import run_sql

_COUNT = ("(SELECT count(*) FROM holds h WHERE h.order_id = {t}.order_id "
          "AND h.platform = {t}.platform AND h.released_at IS NULL)")
_SET = ("UPDATE orders SET held = {count} "
        "WHERE order_id = {t}.order_id AND platform = {t}.platform;")

SQL = f"""
ALTER TABLE orders ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
UPDATE orders SET held = {_COUNT.format(t="orders")}
    WHERE rowid IN (SELECT o.rowid FROM holds h JOIN orders o
                    ON o.order_id = h.order_id AND o.platform = h.platform
                    WHERE h.released_at IS NULL);
CREATE TRIGGER holds_held_insert AFTER INSERT ON holds WHEN NEW.released_at IS NULL
BEGIN
    {_SET.format(count=_COUNT.format(t="NEW"), t="NEW")}
END;
CREATE TRIGGER holds_held_update AFTER UPDATE OF released_at, order_id, platform ON holds
    WHEN OLD.released_at IS NOT NEW.released_at OR OLD.order_id IS NOT NEW.order_id
    OR OLD.platform IS NOT NEW.platform
BEGIN
    {_SET.format(count=_COUNT.format(t="NEW"), t="NEW")}
    {_SET.format(count=_COUNT.format(t="OLD"), t="OLD")[:-1]}
        AND (OLD.order_id IS NOT NEW.order_id OR OLD.platform IS NOT NEW.platform);
END;
CREATE TRIGGER holds_held_delete AFTER DELETE ON holds WHEN OLD.released_at IS NULL
BEGIN
    {_SET.format(count=_COUNT.format(t="OLD"), t="OLD")}
END;
DROP INDEX orders_unpaid_by_created;
CREATE INDEX orders_unpaid_by_created
    ON orders (created_at, order_id, platform, brushing, shop, held) WHERE status = 'unpaid';
CREATE INDEX orders_live_held
    ON orders (order_id, platform, brushing, status, held, paid_at, created_at, ship_by, shop)
    WHERE held > 0 AND status IN ('unpaid', 'paid', 'part_shipped');
"""


def migrate(db):
    run_sql(db, SQL)
