"""Orders of several platforms and shops: an order is its platform and its number.

The orders table is rebuilt with ``platform`` and ``shop`` and the primary key
``(order_id, platform)`` (the number first: a lookup by number alone still uses it),
plus what the platforms' exports say and the classic one did not: the export's own
ship-by time (``ship_by``), the refunded amount (``refund_fen``) and where the
status comes from (``status_from``: an order export, or the order's lines when no
order export has named the order yet). Existing orders are Taobao's, of the shop the
policy names (``shop_name``), if it names one.

Every table that points at an order (remarks, holds, chases, exceptions) gains the
order's ``platform`` and a foreign key on both columns; handover items, which may
name an order the journal does not know yet, gain a plain ``platform`` column. The
chase tables accept the platforms' own chats as channels. Foreign keys are off
while migrations run (``Journal.migrate``), so the tables can be rebuilt in place;
the journal is checked for dangling references before it is used again.
"""

from __future__ import annotations

import re
import sqlite3

from cstool.migrations import run_sql

CHANNELS = ("wangwang", "pdd_chat", "feige", "dongdong", "youzan_chat", "phone", "sms",
            "remind")
_CHECK = "CHECK (channel IN (" + ", ".join(f"'{c}'" for c in CHANNELS) + "))"

ORDERS = """
CREATE TABLE orders_new (
    order_id TEXT NOT NULL,       -- the platform's order number, as text
    platform TEXT NOT NULL DEFAULT 'taobao',
    shop TEXT,                    -- 店铺名称, or the shop named on import
    buyer TEXT,
    status TEXT NOT NULL CHECK (status IN
        ('unpaid', 'paid', 'part_shipped', 'shipped', 'signed', 'finished', 'closed')),
    status_from TEXT NOT NULL DEFAULT 'order' CHECK (status_from IN ('order', 'lines')),
    close_reason TEXT,
    total_fen INTEGER,            -- money in fen (分)
    postage_fen INTEGER,
    paid_fen INTEGER,
    refund_fen INTEGER,           -- refunded, as the order export says it
    created_at TEXT NOT NULL,     -- instants: UTC, YYYY-MM-DDTHH:MM:SSZ
    paid_at TEXT,                 -- NULL: the export did not say (never invented)
    shipped_at TEXT,
    ship_by TEXT,                 -- the export's own ship-by time (NULL: the shop's policy)
    item_title TEXT,
    item_count INTEGER,
    sku TEXT,
    courier TEXT,
    tracking_no TEXT,
    seller_memo TEXT,             -- NULL: no export has said
    flag TEXT,
    buyer_message TEXT,
    invoice_title TEXT,
    presale_info TEXT,
    receiver_name TEXT,
    receiver_phone TEXT,
    receiver_address TEXT,
    brushing INTEGER NOT NULL DEFAULT 0,
    import_id INTEGER REFERENCES imports (id),  -- the last import that changed it
    PRIMARY KEY (order_id, platform)
);
INSERT INTO orders_new (order_id, platform, shop, buyer, status, close_reason, total_fen,
    postage_fen, paid_fen, created_at, paid_at, shipped_at, item_title, item_count, sku,
    courier, tracking_no, seller_memo, flag, buyer_message, invoice_title, presale_info,
    receiver_name, receiver_phone, receiver_address, brushing, import_id)
SELECT order_id, 'taobao',
    (SELECT nullif(trim(json_extract(value, '$')), '') FROM policy WHERE key = 'shop_name'),
    buyer, status, close_reason, total_fen, postage_fen, paid_fen, created_at, paid_at,
    shipped_at, item_title, item_count, sku, courier, tracking_no, seller_memo, flag,
    buyer_message, invoice_title, presale_info, receiver_name, receiver_phone,
    receiver_address, brushing, import_id
FROM orders ORDER BY rowid;
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;

-- The partial indexes of m0010, m0020 and m0030, with the platform wherever a
-- subquery names an order, and the export's own ship-by time.
CREATE INDEX orders_flag_or_presale ON orders (import_id)
WHERE flag IS NOT NULL OR presale_info <> '';
CREATE INDEX orders_unpaid_queue
    ON orders (coalesce(total_fen, paid_fen) DESC, created_at, order_id, platform)
    WHERE status = 'unpaid';
CREATE INDEX orders_waiting
    ON orders (coalesce(paid_at, created_at), order_id, platform, brushing, ship_by, shop)
    WHERE status IN ('paid', 'part_shipped');
CREATE INDEX orders_waiting_by ON orders (ship_by, order_id, platform, brushing, shop)
    WHERE status IN ('paid', 'part_shipped') AND ship_by IS NOT NULL;
CREATE INDEX orders_waiting_special ON orders (order_id, platform)
    WHERE status IN ('paid', 'part_shipped')
    AND (instr(seller_memo, '退款') OR presale_info <> '' OR instr(item_title, '预售')
         OR refund_fen > 0);
CREATE INDEX orders_in_transit
    ON orders (coalesce(shipped_at, paid_at, created_at), brushing, platform, shop)
    WHERE status = 'shipped';
CREATE INDEX orders_brushing ON orders (status) WHERE brushing = 1;
CREATE INDEX orders_shop ON orders (shop, platform);
"""


def _rebuild(db, table: str, edit) -> None:
    """Rebuild ``table`` from its own CREATE statement as ``edit`` changes it, with its
    rows, indexes and triggers (SQLite's way of changing a table's constraints)."""
    conn = db.conn
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                       [table]).fetchone()[0]
    extras = [r[0] for r in conn.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL ORDER BY type, name", [table])]
    old = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
    new_sql = edit(sql).replace(f"CREATE TABLE {table} ", f"CREATE TABLE {table}_new ", 1)
    conn.execute(new_sql)
    cols = ", ".join(f'"{c}"' for c in old)
    conn.execute(f'INSERT INTO "{table}_new" ({cols}) SELECT {cols} FROM "{table}" '
                 "ORDER BY rowid")
    conn.execute(f'DROP TABLE "{table}"')
    conn.execute(f'ALTER TABLE "{table}_new" RENAME TO "{table}"')
    for extra in extras:
        conn.execute(extra)


def _with_platform(sql: str) -> str:
    """``order_id … REFERENCES orders (order_id)`` → the order's number and platform, and
    a foreign key on both."""
    sql, n = re.subn(r"order_id TEXT NOT NULL REFERENCES orders \(order_id\),",
                     "order_id TEXT NOT NULL,\n    platform TEXT NOT NULL DEFAULT 'taobao',", sql)
    if n != 1:
        raise sqlite3.OperationalError(f"unexpected table definition: {sql[:80]!r}")
    head, _, tail = sql.rpartition(")")
    # on a line of its own: the last column may end with a comment
    return (head.rstrip() + "\n    , FOREIGN KEY (order_id, platform) "
            "REFERENCES orders (order_id, platform)\n)" + tail)


def _channels(sql: str) -> str:
    sql, n = re.subn(r"CHECK \(channel IN \([^)]*\)\)", _CHECK, sql)
    if n != 1:
        raise sqlite3.OperationalError(f"unexpected table definition: {sql[:80]!r}")
    return sql


def migrate(db):
    if "platform" in {r[1] for r in db.conn.execute("PRAGMA table_info(orders)")}:
        # Another process applied it between our look at the record and now: the
        # journal's opener rolls back, sees nothing pending, and goes on.
        raise sqlite3.OperationalError("m0070_platforms: already applied")
    run_sql(db, ORDERS)
    for table in ("remarks", "holds", "exceptions"):
        _rebuild(db, table, _with_platform)
    _rebuild(db, "chases", lambda sql: _channels(_with_platform(sql)))
    _rebuild(db, "chase_templates", _channels)
    run_sql(db, """
        DROP INDEX chases_first;
        CREATE UNIQUE INDEX chases_first ON chases (order_id, platform) WHERE first = 1;
        ALTER TABLE handover_items ADD COLUMN platform TEXT;  -- NULL: an order not known yet
        UPDATE handover_items SET platform = 'taobao' WHERE order_id IS NOT NULL;
    """)
