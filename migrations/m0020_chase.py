"""Chasing unpaid orders (催付): the chase log, message templates, the queue's index.

``chases`` holds one row per attempt. The partial unique index lets an order
have exactly one first chase, whatever two agents do at the same moment.

The queue reads unpaid orders most valuable first; its index covers only
unpaid orders (a few percent of the table), so an import pays for it only on
the rows that are or were unpaid.
"""

from cstool.migrations import run_sql

SQL = """
CREATE TABLE chases (
    id INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (order_id),
    channel TEXT NOT NULL CHECK (channel IN ('wangwang', 'phone', 'sms', 'remind')),
    result TEXT CHECK (result IN ('promised', 'no_answer', 'declined', 'paid', 'other')),
    reason TEXT CHECK (reason IN ('comparing', 'too_expensive', 'balance', 'payment_tool',
                                  'other')),
    promise TEXT,                 -- what the buyer said, as typed
    promise_due_at TEXT,          -- when the promise falls due, when it could be read
    note TEXT,
    first INTEGER NOT NULL DEFAULT 0 CHECK (first IN (0, 1)),
    agent TEXT NOT NULL,
    at TEXT NOT NULL,
    remark_id INTEGER REFERENCES remarks (id),         -- R4: 2015.03.09 郑婷已催付
    answer_remark_id INTEGER REFERENCES remarks (id)   -- R5: 2015.03.09 顾客明天下午付款
);
CREATE UNIQUE INDEX chases_first ON chases (order_id) WHERE first = 1;
CREATE INDEX chases_order ON chases (order_id, at);
CREATE INDEX chases_at ON chases (at);

-- A shop's own wording per channel; channels without a row use the default.
CREATE TABLE chase_templates (
    channel TEXT PRIMARY KEY CHECK (channel IN ('wangwang', 'phone', 'sms', 'remind')),
    text TEXT NOT NULL,
    set_by TEXT,
    set_at TEXT NOT NULL
);

-- The queue: unpaid orders, most valuable first, then oldest.
CREATE INDEX orders_unpaid_queue
    ON orders (coalesce(total_fen, paid_fen) DESC, created_at, order_id)
    WHERE status = 'unpaid';

-- Chase remarks (R4/R5) from imported memos: "nobody chases twice".
CREATE INDEX remarks_chase ON remarks (order_id) WHERE kind = 'chase';
"""


def migrate(db):
    run_sql(db, SQL)
