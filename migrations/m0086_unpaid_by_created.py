"""The unpaid orders by creation time, with what the chase counts test on each
(brushing, shop): ``remind`` and ``chase due`` count the orders no chase touched in an age
range, which read every unpaid order's row through ``orders_unpaid_queue`` (ordered by
amount) to learn its age and whether it is brushing (18 ms warm at 1M orders, 2.6k
unpaid). With this the range is searched and no order row is read (about 12 ms, most of
it the chase, remark and hold lookups each counted order needs). Only unpaid orders are
in it: a few days' worth, whatever the history."""

from cstool.migrations import run_sql

SQL = """
CREATE INDEX orders_unpaid_by_created ON orders (created_at, order_id, platform, brushing, shop)
    WHERE status = 'unpaid';
"""


def migrate(db):
    run_sql(db, SQL)
