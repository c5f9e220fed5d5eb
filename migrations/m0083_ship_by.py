"""The orders whose export gave a ship-by time, by that time: the daily report reads
the day's deadlines from it and from ``orders_by_base`` (m0082), never the history.
The classic export has no ship-by column: for a shop that imports only it, this index
holds nothing and costs its imports nothing. The WHERE terms repeat
``shipcheck/deadlines.py`` word for word."""

from cstool.migrations import run_sql

SQL = """
CREATE INDEX orders_ship_by ON orders (ship_by)
    WHERE status NOT IN ('unpaid', 'closed') AND brushing = 0 AND ship_by IS NOT NULL;
"""


def migrate(db):
    run_sql(db, SQL)
