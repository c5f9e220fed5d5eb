"""Each order keeps the digest of the export row that last wrote it.

An import of the same export, or of a daily export of the last three months, is
mostly rows the journal already has exactly as they are: the reader skips a row
whose digest the journal holds before parsing it into an order (see
``orders/parallel.py: Digests``). NULL: written before digests, or by an export of
items (lines have none yet): such rows are read as before.
"""

from cstool.migrations import run_sql

SQL = """
ALTER TABLE orders ADD COLUMN row_digest INTEGER;
"""


def migrate(db):
    run_sql(db, SQL)
