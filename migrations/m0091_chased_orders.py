"""Whether a chase has touched an order (``orders.chased``): a chase logged, or a chase
remark (from the memo, or added), kept by triggers on the chases and the remarks.

The chase queue's count of the orders due now (``chase due``'s "N more", busy
``remind``) looked each unpaid order of the age range up in the chases and in the chase
remarks, two index searches an order (at 3M orders 7.9k unpaid, 10.7 ms, 8 of them
the chase remarks' index of 68k entries); the touched ones, judged one by one, the
same. Now the count is a range of the unpaid orders' index by age, which carries the
flag (``orders_unpaid_by_created``).

Each trigger asks again whether the order has a chase or a chase remark, so a flag
cannot drift; a remark's kind can change when memos are parsed again, and the
triggers on the remarks fire only for remarks that are, or were, chase remarks. The
triggers search the chase remarks through ``remarks_chase`` by name: a migration that
makes that index again must keep its name (or make these triggers again).
"""

from cstool.migrations import run_sql

_TOUCHED = ("(EXISTS (SELECT 1 FROM chases c WHERE c.order_id = {t}.order_id "
            "AND c.platform = {t}.platform) OR EXISTS (SELECT 1 FROM remarks r "
            "INDEXED BY remarks_chase WHERE r.order_id = {t}.order_id "
            "AND r.platform = {t}.platform AND r.kind = 'chase'))")
_SET = ("UPDATE orders SET chased = {value} WHERE order_id = {t}.order_id "
        "AND platform = {t}.platform AND chased IS NOT {value};")


def _again(t: str) -> str:
    return _SET.format(value=_TOUCHED.format(t=t), t=t)


SQL = f"""
ALTER TABLE orders ADD COLUMN chased INTEGER NOT NULL DEFAULT 0;
UPDATE orders SET chased = 1 WHERE rowid IN (
    SELECT o.rowid FROM chases c JOIN orders o
        ON o.order_id = c.order_id AND o.platform = c.platform
    UNION SELECT o.rowid FROM remarks r INDEXED BY remarks_chase JOIN orders o
        ON o.order_id = r.order_id AND o.platform = r.platform WHERE r.kind = 'chase');
CREATE TRIGGER chases_chased_insert AFTER INSERT ON chases
BEGIN
    {_SET.format(value=1, t="NEW")}
END;
CREATE TRIGGER chases_chased_update AFTER UPDATE OF order_id, platform ON chases
BEGIN
    {_again("NEW")}
    {_again("OLD")}
END;
CREATE TRIGGER chases_chased_delete AFTER DELETE ON chases
BEGIN
    {_again("OLD")}
END;
CREATE TRIGGER remarks_chased_insert AFTER INSERT ON remarks WHEN NEW.kind = 'chase'
BEGIN
    {_SET.format(value=1, t="NEW")}
END;
CREATE TRIGGER remarks_chased_update AFTER UPDATE OF kind, order_id, platform ON remarks
    WHEN (OLD.kind IS 'chase' OR NEW.kind IS 'chase') AND (OLD.kind IS NOT NEW.kind
    OR OLD.order_id IS NOT NEW.order_id OR OLD.platform IS NOT NEW.platform)
BEGIN
    {_again("NEW")}
    {_again("OLD")}
END;
CREATE TRIGGER remarks_chased_delete AFTER DELETE ON remarks WHEN OLD.kind = 'chase'
BEGIN
    {_again("OLD")}
END;
DROP INDEX orders_unpaid_by_created;
CREATE INDEX orders_unpaid_by_created
    ON orders (created_at, order_id, platform, brushing, shop, held, chased)
    WHERE status = 'unpaid';
"""


def migrate(db):
    run_sql(db, SQL)
