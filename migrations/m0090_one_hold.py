"""An order with one open hold carries that hold's kind and date (``orders.hold_kind``,
``orders.hold_until``), kept by the triggers that count its holds (m0088).

Most held orders have one open hold (every one of the 6,641 held orders waiting in the
benchmark's 3M journal, and of the 18k of a stopped warehouse): shipcheck judged each
one by searching its holds, one index search an order, for a kind and a date. Now the orders still to ship that have one
hold are judged from ``orders_live_held`` alone; only an order with more holds has
them read. With no open hold or more than one, both are NULL.

The triggers replace m0088's: each write of a hold counts the order's open holds again
and reads the kind and date of the one there is (so they cannot drift), and a change
of a hold's kind or date counts too. The backfill is the triggers' statement, over
every order with an open hold or a count.
"""

from cstool.migrations import run_sql

_OPEN = ("FROM holds h WHERE h.order_id = {t}.order_id AND h.platform = {t}.platform "
         "AND h.released_at IS NULL")
_SET = ("UPDATE orders SET (held, hold_kind, hold_until) = (SELECT count(*), "
        "CASE WHEN count(*) = 1 THEN max(h.kind) END, "
        "CASE WHEN count(*) = 1 THEN max(h.until) END " + _OPEN + ") "
        "WHERE order_id = {t}.order_id AND platform = {t}.platform")

SQL = f"""
ALTER TABLE orders ADD COLUMN hold_kind TEXT;
ALTER TABLE orders ADD COLUMN hold_until TEXT;
UPDATE orders SET (held, hold_kind, hold_until) = (SELECT count(*),
    CASE WHEN count(*) = 1 THEN max(h.kind) END, CASE WHEN count(*) = 1 THEN max(h.until) END
    {_OPEN.format(t="orders")})
    WHERE held > 0 OR rowid IN (SELECT o.rowid FROM holds h JOIN orders o
        ON o.order_id = h.order_id AND o.platform = h.platform WHERE h.released_at IS NULL);
DROP TRIGGER holds_held_insert;
DROP TRIGGER holds_held_update;
DROP TRIGGER holds_held_delete;
CREATE TRIGGER holds_held_insert AFTER INSERT ON holds WHEN NEW.released_at IS NULL
BEGIN
    {_SET.format(t="NEW")};
END;
CREATE TRIGGER holds_held_update
    AFTER UPDATE OF released_at, order_id, platform, kind, until ON holds
    WHEN OLD.released_at IS NOT NEW.released_at OR OLD.order_id IS NOT NEW.order_id
    OR OLD.platform IS NOT NEW.platform OR OLD.kind IS NOT NEW.kind
    OR OLD.until IS NOT NEW.until
BEGIN
    {_SET.format(t="NEW")};
    {_SET.format(t="OLD")}
        AND (OLD.order_id IS NOT NEW.order_id OR OLD.platform IS NOT NEW.platform);
END;
CREATE TRIGGER holds_held_delete AFTER DELETE ON holds WHEN OLD.released_at IS NULL
BEGIN
    {_SET.format(t="OLD")};
END;
DROP INDEX orders_live_held;
CREATE INDEX orders_live_held
    ON orders (order_id, platform, brushing, status, held, paid_at, created_at, ship_by, shop,
               hold_kind, hold_until)
    WHERE held > 0 AND status IN ('unpaid', 'paid', 'part_shipped');
"""


def migrate(db):
    run_sql(db, SQL)
