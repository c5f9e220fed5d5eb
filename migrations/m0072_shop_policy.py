"""Policy per shop: a shop's own value of a key overrides the journal's for its orders."""

from cstool.migrations import run_sql

SQL = """
CREATE TABLE shop_policy (
    shop TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,          -- JSON
    set_by TEXT,
    set_at TEXT NOT NULL,
    PRIMARY KEY (shop, key)
);
"""


def migrate(db):
    run_sql(db, SQL)
