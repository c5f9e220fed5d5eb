"""Agents, policy, imports, orders, and the remark history that imports feed."""

from cstool.migrations import run_sql

SQL = """
CREATE TABLE agents (
    short TEXT PRIMARY KEY,
    name TEXT,
    job_no TEXT,
    role TEXT CHECK (role IN ('presale', 'aftersale', 'supervisor')),
    created_at TEXT NOT NULL
);

CREATE TABLE policy (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,          -- JSON
    set_by TEXT,
    set_at TEXT NOT NULL
);

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    format TEXT NOT NULL,
    encoding TEXT,
    rows INTEGER NOT NULL DEFAULT 0,
    inserted INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    agent TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT
);

CREATE TABLE orders (
    order_id TEXT PRIMARY KEY,
    buyer TEXT,
    status TEXT NOT NULL CHECK (status IN
        ('unpaid', 'paid', 'part_shipped', 'shipped', 'signed', 'finished', 'closed')),
    close_reason TEXT,
    total_fen INTEGER,            -- money in fen (分)
    postage_fen INTEGER,
    paid_fen INTEGER,
    created_at TEXT NOT NULL,     -- instants: UTC, YYYY-MM-DDTHH:MM:SSZ
    paid_at TEXT,                 -- NULL: the export did not say (never invented)
    shipped_at TEXT,
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
    import_id INTEGER REFERENCES imports (id)  -- the last import that changed it
);
-- Queue commands add partial indexes for the subsets they read; a full
-- secondary index here would tax every import of every order.

CREATE TABLE remarks (
    id INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (order_id),
    source TEXT NOT NULL,         -- platform | cli | chase
    text TEXT NOT NULL,
    kind TEXT,
    flag TEXT,
    flag_code INTEGER,
    reason TEXT,
    action TEXT,
    at TEXT,                      -- the remark's own time, when it states one
    author TEXT,
    fields TEXT,                  -- JSON
    problems TEXT,                -- JSON list
    parsed INTEGER NOT NULL DEFAULT 0,
    created_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX remarks_order ON remarks (order_id, id);

-- Every new seller memo text becomes part of the order's remark history.
CREATE TRIGGER orders_memo_insert AFTER INSERT ON orders
WHEN NEW.seller_memo <> ''
BEGIN
    INSERT INTO remarks (order_id, source, text, created_at)
    VALUES (NEW.order_id, 'platform', NEW.seller_memo,
            (SELECT started_at FROM imports WHERE id = NEW.import_id));
END;

CREATE TRIGGER orders_memo_update AFTER UPDATE OF seller_memo ON orders
WHEN NEW.seller_memo <> '' AND NEW.seller_memo IS NOT OLD.seller_memo
BEGIN
    INSERT INTO remarks (order_id, source, text, created_at)
    VALUES (NEW.order_id, 'platform', NEW.seller_memo,
            (SELECT started_at FROM imports WHERE id = NEW.import_id));
END;
"""


def migrate(db):
    run_sql(db, SQL)
