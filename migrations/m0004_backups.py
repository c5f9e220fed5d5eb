"""Backups the journal has made (`cstool journal backup`), so no output can replace one."""

from cstool.migrations import run_sql

SQL = """
CREATE TABLE IF NOT EXISTS backups (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
"""


def migrate(db):
    run_sql(db, SQL)
