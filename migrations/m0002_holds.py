"""Holds on orders: ship on a date, for one person, presale, or waiting for the buyer.

Remarks create them (``XX日发货``, ``必须由XX负责处理!``, an out-of-stock
question); ``shipcheck`` and ``chase`` read them; a later remark releases them.
"""

from cstool.migrations import run_sql

SQL = """
CREATE TABLE holds (
    id INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (order_id),
    kind TEXT NOT NULL CHECK (kind IN ('until', 'owner', 'presale', 'waiting_buyer')),
    until TEXT,                   -- shop-local date YYYY-MM-DD (until, presale)
    owner TEXT,                   -- agent who must handle it (owner)
    note TEXT,
    remark_id INTEGER REFERENCES remarks (id),
    created_by TEXT,
    created_at TEXT NOT NULL,
    released_at TEXT,
    released_by TEXT,
    release_note TEXT
);
CREATE INDEX holds_open ON holds (order_id) WHERE released_at IS NULL;
"""


def migrate(db):
    run_sql(db, SQL)
