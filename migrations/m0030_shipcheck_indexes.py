"""Partial indexes for shipcheck: only the subsets it reads, so imports pay little.

SQLite uses a partial index only when the query repeats the index's WHERE
term word for word; cstool/shipcheck.py builds its SQL from the same
fragments. ``orders_waiting`` carries ``order_id`` and ``brushing`` so the
deadline counts over every waiting order never touch the table.
"""

from cstool.migrations import run_sql

SQL = """
CREATE INDEX orders_waiting ON orders (coalesce(paid_at, created_at), order_id, brushing)
    WHERE status IN ('paid', 'part_shipped');

-- The few waiting orders the deadline alone cannot judge: a refund asked for, a presale.
CREATE INDEX orders_waiting_special ON orders (order_id)
    WHERE status IN ('paid', 'part_shipped')
    AND (instr(seller_memo, '退款') OR presale_info <> '' OR instr(item_title, '预售'));

CREATE INDEX orders_in_transit ON orders (coalesce(shipped_at, paid_at, created_at), brushing)
    WHERE status = 'shipped';

-- The brushing flag is set after import (by remarks), so this stays tiny.
CREATE INDEX orders_brushing ON orders (status) WHERE brushing = 1;

-- Remarks agents wrote in cstool (the platform memo history is the bulk of the table).
CREATE INDEX remarks_by_agents ON remarks (order_id) WHERE source <> 'platform';
"""


def migrate(db):
    run_sql(db, SQL)
