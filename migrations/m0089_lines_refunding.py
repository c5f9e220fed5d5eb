"""Whether an order has a line that will not ship as ordered (``orders.lines_refunding``),
kept by the imports, and the lines that wait for their order (``lines_refunding_waiting``).

shipcheck looked each waiting order's lines up to learn whether one was closed or
refunded (at 3M orders, 21k searches of the refunded lines' index on every run of
shipcheck, remind and handover export), or read every refunded line ever when those
were fewer. Now the order says it, and the waiting orders that will not ship as ordered
are a range of ``orders_waiting_special`` like those with a refund or a presale text.

Only an import writes lines (``cstool.orders.lines._mark_refunding`` and
``refunding_orders_arrived``). After its rows, from the lines it wrote (a line's
``import_id`` is the last import that changed it): an order with such a line that will
not ship as ordered says so, and an order one of whose older lines now ships after all
is counted again from its lines. Lines may come before their order (an item report
before the order export): such an order, when a line of it will not ship as ordered, is
in ``lines_refunding_waiting`` until an import brings it.
"""

from cstool.migrations import run_sql

_REFUNDING = ("(l.status = 'closed' OR l.refund_status IN ('requested', 'returning', "
              "'refunded') OR l.refund_fen > 0)")

SQL = f"""
ALTER TABLE orders ADD COLUMN lines_refunding INTEGER NOT NULL DEFAULT 0;
UPDATE orders SET lines_refunding = 1
    WHERE rowid IN (SELECT o.rowid FROM order_lines l INDEXED BY order_lines_refunding
                    JOIN orders o ON o.order_id = l.order_id AND o.platform = l.platform
                    WHERE {_REFUNDING});
CREATE TABLE lines_refunding_waiting (
    order_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    PRIMARY KEY (order_id, platform)
) WITHOUT ROWID;
INSERT OR IGNORE INTO lines_refunding_waiting
    SELECT l.order_id, l.platform FROM order_lines l INDEXED BY order_lines_refunding
    WHERE {_REFUNDING} AND NOT EXISTS (SELECT 1 FROM orders o
        WHERE o.order_id = l.order_id AND o.platform = l.platform);
DROP INDEX orders_waiting_special;
CREATE INDEX orders_waiting_special ON orders (order_id, platform)
    WHERE status IN ('paid', 'part_shipped')
    AND (instr(seller_memo, '退款') OR presale_info <> '' OR instr(item_title, '预售')
         OR refund_fen > 0 OR lines_refunding);
"""


def migrate(db):
    run_sql(db, SQL)
