"""Remarks: find the orders an import gave a platform flag or a presale text.

The import hook (cstool.remarks.apply_imported_memos) reads those orders of
the import just made: the flag (备注标签) is part of how their memo reads, and
a presale ship date opens a presale hold. Few orders have either, so this
partial index is small and costs an import next to nothing, where the query
without it would scan every order.
"""

from cstool.migrations import run_sql

SQL = """
CREATE INDEX orders_flag_or_presale ON orders (import_id)
WHERE flag IS NOT NULL OR presale_info <> '';
"""


def migrate(db):
    run_sql(db, SQL)
