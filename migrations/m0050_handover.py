"""Handover items (交接) and their photos.

An item is registered by an agent (``source = 'manual'``) or copied from
what the journal knows is still open when a sheet is exported (``source`` is
the journal source's name, ``ref`` its stable reference such as
``exception:12``), so that a receipt read back from the sheet finds it by id.
"""

from cstool.migrations import run_sql

SQL = """
CREATE TABLE handover_items (
    id INTEGER PRIMARY KEY,
    category TEXT NOT NULL,
    buyer TEXT,
    order_id TEXT,                -- text; not a foreign key: an item may precede the order's import
    phone TEXT,                   -- a contact for call-backs (masked on output)
    problem TEXT NOT NULL,
    todo TEXT,
    source TEXT NOT NULL DEFAULT 'manual',
    ref TEXT,                     -- journal-derived items: the source's reference
    due_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    receipt TEXT,                 -- 回执, written by the next shift
    acked_by TEXT,
    acked_at TEXT,
    resolved_at TEXT,             -- journal-derived items the journal no longer reports
    resolved_note TEXT
);
CREATE INDEX handover_items_created ON handover_items (created_at);
CREATE INDEX handover_items_order ON handover_items (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX handover_items_open ON handover_items (created_at)
    WHERE acked_at IS NULL AND resolved_at IS NULL;
-- One open item per journal reference: re-exporting reuses it, and once it is
-- acknowledged a problem that is still open gets a new item on the next sheet.
CREATE UNIQUE INDEX handover_items_open_ref ON handover_items (ref)
    WHERE ref IS NOT NULL AND acked_at IS NULL AND resolved_at IS NULL;

CREATE TABLE handover_photos (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES handover_items (id),
    path TEXT NOT NULL,           -- relative to the journal's folder (evidence/...)
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX handover_photos_item ON handover_photos (item_id, id);
"""


def migrate(db):
    run_sql(db, SQL)
