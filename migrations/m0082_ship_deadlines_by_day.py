"""The orders whose ship deadline fell in a day, for the daily report and its chart.

``report daily`` counts the orders whose clock started (``coalesce(paid_at,
created_at)``) in the day before the deadline: with this index a range of it (a
day's orders, looked up), instead of every order of the history. Only the time is
indexed: an entry moves when an order is paid, not each time its status or ship
time changes, so an import pays little for it. The WHERE terms repeat
``shipcheck/deadlines.py`` word for word.
"""

from cstool.migrations import run_sql

SQL = """
CREATE INDEX orders_by_base ON orders (coalesce(paid_at, created_at))
    WHERE status NOT IN ('unpaid', 'closed') AND brushing = 0;
"""


def migrate(db):
    run_sql(db, SQL)
