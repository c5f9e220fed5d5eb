"""What `cstool remind` has sent, and the claims that stop two runs sending the same item."""

from cstool.migrations import run_sql

SQL = """
CREATE TABLE remind_items (
    key TEXT PRIMARY KEY,         -- stable per item, e.g. ship:<order>:overdue
    kind TEXT NOT NULL,
    order_id TEXT,
    text TEXT NOT NULL,
    claimed_by TEXT,              -- the run sending it right now
    claimed_at TEXT,
    sent_at TEXT,
    channel TEXT,
    sends INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE remind_messages (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    run_id TEXT NOT NULL,
    items INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE INDEX remind_messages_recent ON remind_messages (channel, sent_at);
"""


def migrate(db):
    run_sql(db, SQL)
