"""Schema migrations of the journal (installed as ``cstool.migrations``).

One module per migration, ``mNNNN_<what>.py``, with a ``migrate(db)``
function that receives a sqlite-utils ``Database``. They are applied in name
order by sqlite-utils' ``Migrations``, each in its own transaction together
with its record in ``_sqlite_migrations``.

Number ranges by area, so parallel work does not collide: 0001-0009
foundation, 0010 remark, 0020 chase, 0030 shipcheck, 0040 exception,
0050 handover, 0060 remind and reports, 0070 platforms, shops and order
lines, 0080 indexes the daily commands start from.

:func:`names` reads the folder without importing anything, so opening an
up-to-date journal costs one query and no sqlite-utils import.
"""

from __future__ import annotations

import os
import re

_HERE = os.path.dirname(os.path.abspath(__file__))
_NAME = re.compile(r"^(m\d{4}_[a-z0-9_]+)\.py$")


def names() -> list[str]:
    return sorted(m.group(1) for m in map(_NAME.match, os.listdir(_HERE)) if m)


def load():
    """A sqlite-utils ``Migrations`` with every migration registered in order."""
    import importlib

    from sqlite_utils import Migrations

    migrations = Migrations("cstool")
    for name in names():
        module = importlib.import_module(f"cstool.migrations.{name}")
        migrations(name=name)(module.migrate)
    return migrations


def run_sql(db, script: str) -> None:
    """Run a script statement by statement inside the migration's transaction.

    (``executescript`` would commit first and break the one-transaction rule.)
    """
    import sqlite3

    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                db.execute(buf)
            buf = ""
    if buf.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buf[:60]!r}")
