"""An order's holds, released ones too, by the order: ``orders show`` lists an order's
hold history, which read every hold of the journal (``holds_open_kinds`` holds only
the open ones), so it grew with history (11 ms warm, ~80 ms cold at 1M orders).
It is also the index the holds' foreign key to orders wants."""

from cstool.migrations import run_sql

SQL = """
CREATE INDEX holds_order ON holds (order_id, platform, id);
"""


def migrate(db):
    run_sql(db, SQL)
