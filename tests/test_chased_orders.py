"""``orders.chased``: whether a chase touched the order (a chase logged, or a chase remark
from the memo or added), kept by triggers (m0091), so that the chase queue counts the
orders due from the unpaid orders' index instead of looking each one's chases up."""

from __future__ import annotations

import sqlite3

from conftest import DEMO_CSV, order

from cstool.core.journal import Journal

_DRIFT = """SELECT o.order_id, o.chased FROM orders o WHERE o.chased IS NOT (
    EXISTS (SELECT 1 FROM chases c WHERE c.order_id = o.order_id AND c.platform = o.platform)
    OR EXISTS (SELECT 1 FROM remarks r WHERE r.order_id = o.order_id
               AND r.platform = o.platform AND r.kind = 'chase'))"""


def chased(journal, oid: str) -> int:
    return journal.scalar("SELECT chased FROM orders WHERE order_id = ?", [oid])


def test_the_flag_follows_every_writer_of_chases_and_chase_remarks(run, demo, journal, tmp_path):
    # the demo export's memo "2026.11.22 郑婷已催付": a chase remark, made by the import
    # (inserted, then its kind set when the memo is parsed)
    assert journal.query(_DRIFT) == []
    assert journal.scalar("SELECT count(*) FROM orders WHERE chased = 1") >= 1
    oid = order("unpaid_40min_big")
    assert chased(journal, oid) == 0
    run(["--agent", "倩", "chase", "log", oid, "--channel", "旺旺"], check=0)
    assert chased(journal, oid) == 1
    # a remark whose kind a later parse changes (no command does: the flag follows)
    other = order("unpaid_3h")
    with journal.write():
        rid = journal.execute(
            "INSERT INTO remarks (order_id, platform, source, text, kind, created_at) "
            "VALUES (?, 'taobao', 'platform', '2026.11.23 倩已催付', 'chase', "
            "'2026-11-23T06:00:00Z')", [other]).lastrowid
    assert chased(journal, other) == 1
    with journal.write():
        journal.execute("UPDATE remarks SET kind = 'note' WHERE id = ?", [rid])
    assert chased(journal, other) == 0
    with journal.write():
        journal.execute("UPDATE remarks SET kind = 'chase' WHERE id = ?", [rid])
        journal.execute("DELETE FROM remarks WHERE id = ?", [rid])
    assert chased(journal, other) == 0
    # the log wrote its chase remark too: deleting the chase alone leaves it chased
    with journal.write():
        journal.execute("DELETE FROM chases WHERE order_id = ?", [oid])
    assert chased(journal, oid) == 1
    assert journal.query(_DRIFT) == []
    # a chase with no remark of its own (written behind the CLI), then deleted outright
    small = order("unpaid_small")
    assert chased(journal, small) == 0
    with journal.write():
        journal.execute("INSERT INTO chases (order_id, platform, channel, agent, at) "
                        "VALUES (?, 'taobao', 'phone', '倩', '2026-11-23T06:00:00Z')", [small])
    assert chased(journal, small) == 1
    with journal.write():
        journal.execute("DELETE FROM chases WHERE order_id = ?", [small])
    assert chased(journal, small) == 0
    # an import again (the memos' remarks are recorded once) keeps every flag
    run(["--agent", "倩", "orders", "import", str(DEMO_CSV)], check=0)
    assert journal.query(_DRIFT) == []


def test_the_queue_count_reads_no_chase_and_no_remark(run, demo, journal):
    # the orders due now that no chase touched are counted from the unpaid orders' index
    # alone (the flag in it); the count still agrees with the listing after a chase
    from conftest import context

    from cstool.chase import queue

    clock_ctx = context(journal, "2026-11-23 14:30")
    sql, params = queue._untouched_count(clock_ctx.clock.now(),
                                         queue._Rules(clock_ctx.policy, None), None, None, None)
    plan = " | ".join(r[3] for r in journal.query("EXPLAIN QUERY PLAN " + sql, params))
    assert "chases" not in sql and "remarks" not in sql
    assert plan.startswith("SEARCH o USING INDEX orders_unpaid_by_created"), plan
    assert " c " not in plan + " " and " r " not in plan + " ", plan
    counts: dict = {}
    before = queue.due(clock_ctx, counts=counts)
    assert counts["due"] == len(before) > 0
    run(["--agent", "倩", "chase", "log", before[0]["order_id"], "--channel", "旺旺"], check=0)
    after = queue.due(context(journal, "2026-11-23 14:30"), counts=counts)
    assert counts["due"] == len(after) == len(before) - 1


def test_the_migration_flags_the_orders_chased_before_it(run, demo, env):
    run(["--agent", "倩", "chase", "log", order("unpaid_40min_big"), "--channel", "旺旺"], check=0)
    j = Journal.open(str(env))
    want = dict(j.query("SELECT order_id, chased FROM orders WHERE chased = 1"))
    j.close()
    assert order("unpaid_40min_big") in want and len(want) >= 2  # a log, a memo remark
    conn = sqlite3.connect(env)
    conn.executescript("""
        DROP INDEX orders_unpaid_by_created;
        CREATE INDEX orders_unpaid_by_created ON orders (created_at, order_id, platform,
            brushing, shop, held) WHERE status = 'unpaid';
        DROP TRIGGER chases_chased_insert; DROP TRIGGER chases_chased_update;
        DROP TRIGGER chases_chased_delete; DROP TRIGGER remarks_chased_insert;
        DROP TRIGGER remarks_chased_update; DROP TRIGGER remarks_chased_delete;
        ALTER TABLE orders DROP COLUMN chased;
        DELETE FROM _sqlite_migrations WHERE name = 'm0091_chased_orders';
    """)
    conn.close()
    j = Journal.open(str(env))
    try:
        assert j.pending_migrations() == []
        assert dict(j.query("SELECT order_id, chased FROM orders WHERE chased = 1")) == want
        assert j.query(_DRIFT) == []
    finally:
        j.close()
