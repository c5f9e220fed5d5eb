"""Abnormal shipments (异常件): cases, their append-only timeline, and evidence photos.

The timeline (``exception_events``) is the record; the case row carries the
state derived from it (status, next step, due time, money totals), rewritten
in the same transaction as each event. Triggers refuse edits to the timeline,
to the photos and to what a case was opened with.
"""

from cstool.migrations import run_sql

SQL = """
CREATE TABLE exceptions (
    id INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (order_id),
    buyer TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('wrong_item', 'missing_item', 'damaged', 'lost',
        'delayed', 'signed_not_received', 'out_of_area', 'undeliverable_buyer',
        'undeliverable_courier', 'refused', 'quality')),
    detail TEXT NOT NULL,
    courier TEXT,                 -- the order's courier when logged: the one that failed
    tracking_no TEXT,
    -- derived from the timeline:
    status TEXT NOT NULL CHECK (status IN
        ('open', 'waiting_buyer', 'waiting_courier', 'resolved', 'closed')),
    resolution TEXT CHECK (resolution IN ('reship', 'ship_missing', 'partial_compensation',
        'return_reship', 'refund', 'courier_claim', 'buyer_pickup', 'switch_courier',
        'recall', 'urge')),
    step TEXT,                    -- key of the next step (NULL: nothing left)
    next_step TEXT,               -- what to do next
    due_at TEXT,                  -- when the next step is due
    reship_courier TEXT,
    reship_tracking TEXT,
    freight_payer TEXT CHECK (freight_payer IN ('shop', 'buyer', 'courier')),
    return_freight_payer TEXT CHECK (return_freight_payer IN ('shop', 'buyer', 'courier')),
    photos INTEGER NOT NULL DEFAULT 0,
    compensation_fen INTEGER NOT NULL DEFAULT 0,  -- to the buyer; negative: the buyer paid us
    refund_fen INTEGER NOT NULL DEFAULT 0,
    freight_fen INTEGER NOT NULL DEFAULT 0,       -- freight the shop paid
    claim_fen INTEGER NOT NULL DEFAULT 0,         -- claimed from the courier
    outcome TEXT CHECK (outcome IN ('received', 'refunded', 'compensated', 'cancelled')),
    opened_by TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    updated_by TEXT,
    updated_at TEXT,
    closed_by TEXT,
    closed_at TEXT                -- open = closed_at IS NULL
);
CREATE INDEX exceptions_order ON exceptions (order_id);
CREATE INDEX exceptions_due ON exceptions (due_at) WHERE closed_at IS NULL;
CREATE INDEX exceptions_opened ON exceptions (opened_at);

CREATE TABLE exception_events (
    id INTEGER PRIMARY KEY,
    exception_id INTEGER NOT NULL REFERENCES exceptions (id),
    at TEXT NOT NULL,
    agent TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('opened', 'photo', 'resolution', 'freight_payer',
        'tracking', 'money', 'step', 'status', 'note', 'closed')),
    step TEXT,                    -- step: the step done
    value TEXT,                   -- resolution, status, payer, outcome, courier, money kind
    tracking_no TEXT,
    amount_fen INTEGER,
    note TEXT
);
CREATE INDEX exception_events_case ON exception_events (exception_id, id);

CREATE TABLE exception_photos (
    id INTEGER PRIMARY KEY,
    exception_id INTEGER NOT NULL REFERENCES exceptions (id),
    event_id INTEGER NOT NULL REFERENCES exception_events (id),
    path TEXT NOT NULL UNIQUE,    -- relative to the journal's folder
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    type TEXT NOT NULL,
    source_name TEXT
);
CREATE INDEX exception_photos_case ON exception_photos (exception_id);

CREATE TRIGGER exception_events_no_update BEFORE UPDATE ON exception_events
BEGIN SELECT RAISE(ABORT, 'the exception timeline is append-only'); END;
CREATE TRIGGER exception_events_no_delete BEFORE DELETE ON exception_events
BEGIN SELECT RAISE(ABORT, 'the exception timeline is append-only'); END;
CREATE TRIGGER exception_photos_no_update BEFORE UPDATE ON exception_photos
BEGIN SELECT RAISE(ABORT, 'exception photos are append-only'); END;
CREATE TRIGGER exception_photos_no_delete BEFORE DELETE ON exception_photos
BEGIN SELECT RAISE(ABORT, 'exception photos are append-only'); END;
CREATE TRIGGER exceptions_no_delete BEFORE DELETE ON exceptions
BEGIN SELECT RAISE(ABORT, 'exception cases are never deleted; close them'); END;
CREATE TRIGGER exceptions_fixed BEFORE UPDATE OF id, order_id, buyer, kind, detail, courier,
    tracking_no, opened_by, opened_at ON exceptions
BEGIN SELECT RAISE(ABORT, 'what an exception was opened with cannot change'); END;
"""


def migrate(db):
    run_sql(db, SQL)
