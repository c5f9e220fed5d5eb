"""The remarks' times, indexed: a day's lint and the daily report read the remarks
written (or dated) since the day began, not the whole memo history.

``coalesce(at, created_at)`` is the remark's own time or, when it states none, when
it was recorded: the expression ``remark lint --since`` compares, word for word.
"""

from cstool.migrations import run_sql

SQL = """
CREATE INDEX remarks_when ON remarks (coalesce(at, created_at));
"""


def migrate(db):
    run_sql(db, SQL)
