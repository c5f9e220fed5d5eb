"""Memo history is written by the import itself, no longer by triggers on `orders`.

The import now parses each memo while it reads the file (in its reader
process) and records the memo in the remark history already parsed, through
temporary triggers that exist only during an import. The permanent triggers
of m0001 would record every memo a second time, unparsed, so they go.
"""

from cstool.migrations import run_sql

SQL = """
DROP TRIGGER IF EXISTS orders_memo_insert;
DROP TRIGGER IF EXISTS orders_memo_update;
"""


def migrate(db):
    run_sql(db, SQL)
