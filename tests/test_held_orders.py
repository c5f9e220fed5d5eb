"""``orders.held``: how many open holds an order has, kept by triggers on the holds
(m0088), so that shipcheck and the handover sheet start from the orders still to ship
that have a hold instead of looking every such order's holds up."""

from __future__ import annotations

import sqlite3

from conftest import order

from cstool.core import holds
from cstool.core.journal import Journal

_OPEN = ("FROM holds h WHERE h.order_id = o.order_id AND h.platform = o.platform "
         "AND h.released_at IS NULL")
# every order whose count, or whose one hold's kind and date (m0090), is not its holds'
_DRIFT = f"""SELECT o.order_id, o.held, o.hold_kind, o.hold_until FROM orders o
    WHERE o.held IS NOT (SELECT count(*) {_OPEN})
    OR o.hold_kind IS NOT (SELECT CASE WHEN count(*) = 1 THEN max(h.kind) END {_OPEN})
    OR o.hold_until IS NOT (SELECT CASE WHEN count(*) = 1 THEN max(h.until) END {_OPEN})"""


def held(journal, oid: str) -> int:
    return journal.scalar("SELECT held FROM orders WHERE order_id = ?", [oid])


def test_an_orders_held_count_is_its_open_holds_through_every_writer(run, demo, journal):
    # the demo's memos open holds in the import (21日发货, 必须由…负责处理, presale dates)
    assert journal.query(_DRIFT) == []
    assert journal.scalar("SELECT count(*) FROM orders WHERE held > 0") >= 3
    oid = order("paid_hold_until_25")
    before = held(journal, oid)
    assert before == journal.scalar("SELECT count(*) FROM holds WHERE order_id = ? "
                                    "AND released_at IS NULL", [oid]) > 0
    # a hold of a new kind adds one; one of a kind it has replaces it (superseded)
    holds.add(journal, oid, "owner", "2026-11-23T01:00:00Z", owner="倩")
    assert held(journal, oid) == before + 1
    assert journal.query(_DRIFT) == []
    holds.add(journal, oid, "owner", "2026-11-23T02:00:00Z", owner="郑婷")
    assert held(journal, oid) == before + 1
    # releasing one kind, then all of them (as a remark does, through the command line)
    holds.release(journal, oid, "2026-11-23T03:00:00Z", kind="owner")
    assert held(journal, oid) == before
    run(["--agent", "倩", "remark", "add", oid, "--kind", "hold", "--release"], check=0)
    assert held(journal, oid) == 0
    # and a hold that is deleted outright (no command does: the count follows anyway)
    hid = holds.add(journal, oid, "waiting_buyer", "2026-11-23T04:00:00Z")
    assert held(journal, oid) == 1
    assert tuple(journal.one("SELECT hold_kind, hold_until FROM orders WHERE order_id = ?",
                             [oid])) == ("waiting_buyer", None)
    # a hold's kind or date changed in place (no command does): the order follows
    with journal.write():
        journal.execute("UPDATE holds SET kind = 'until', until = '2026-11-30' WHERE id = ?",
                        [hid])
    assert tuple(journal.one("SELECT held, hold_kind, hold_until FROM orders "
                             "WHERE order_id = ?", [oid])) == (1, "until", "2026-11-30")
    with journal.write():
        journal.execute("DELETE FROM holds WHERE id = ?", [hid])
    assert held(journal, oid) == 0
    assert journal.query(_DRIFT) == []


def test_an_import_that_changes_the_memos_keeps_the_counts(run, demo, journal, tmp_path):
    # a later export whose memo no longer holds the order releases its hold in the
    # import's memo pass (a hold the memo opened ends with the memo); the count follows
    from conftest import DEMO_CSV

    text = DEMO_CSV.read_bytes().decode("gb18030")
    assert "21日发货" in text
    later = tmp_path / "later.csv"
    later.write_bytes(text.replace("21日发货", "已核实地址").encode("gb18030"))
    oid = order("paid_hold_until_21_due")
    assert journal.scalar("SELECT count(*) FROM holds WHERE order_id = ? AND kind = 'until' "
                          "AND released_at IS NULL", [oid]) == 1 <= held(journal, oid)
    run(["--agent", "倩", "orders", "import", str(later)], check=0)
    assert journal.query(_DRIFT) == []
    assert journal.scalar("SELECT count(*) FROM holds WHERE order_id = ? AND kind = 'until' "
                          "AND released_at IS NULL", [oid]) == 0
    assert held(journal, oid) == journal.scalar(
        "SELECT count(*) FROM holds WHERE order_id = ? AND released_at IS NULL", [oid])


def test_the_migration_counts_the_open_holds_of_a_journal_made_before_it(demo, env):
    # a journal from before m0088, with open and released holds, and an order with two
    # open ones: opening it counts them
    j = Journal.open(str(env))
    released, two = order("paid_hold_until_25"), order("paid_hold_until_21_due")
    holds.release(j, released, "2026-11-23T01:00:00Z")
    holds.add(j, two, "owner", "2026-11-23T01:00:00Z", owner="倩")
    want = dict(j.query("SELECT order_id, held FROM orders WHERE held > 0"))
    assert j.scalar("SELECT count(*) FROM holds WHERE order_id = ? AND released_at IS NOT NULL",
                    [released]) >= 1
    j.close()
    assert released not in want and want[two] == 2 and len(want) >= 3
    conn = sqlite3.connect(env)
    conn.executescript("""
        DROP INDEX orders_live_held; DROP INDEX orders_unpaid_by_created;
        CREATE INDEX orders_unpaid_by_created ON orders (created_at, order_id, platform,
            brushing, shop) WHERE status = 'unpaid';
        DROP TRIGGER holds_held_insert; DROP TRIGGER holds_held_update;
        DROP TRIGGER holds_held_delete;
        ALTER TABLE orders DROP COLUMN held;
        DELETE FROM _sqlite_migrations WHERE name = 'm0088_held_orders';
    """)
    conn.close()
    j = Journal.open(str(env))
    try:
        assert j.pending_migrations() == []
        assert dict(j.query("SELECT order_id, held FROM orders WHERE held > 0")) == want
        assert j.query(_DRIFT) == []
    finally:
        j.close()


def test_the_migration_gives_each_order_with_one_hold_its_kind_and_date(demo, env):
    # a journal from before m0090: opening it reads the one hold of each order that has
    # one, and leaves an order with two (or none) without
    j = Journal.open(str(env))
    two = order("paid_hold_until_21_due")
    holds.add(j, two, "owner", "2026-11-23T01:00:00Z", owner="倩")
    want = j.query("SELECT order_id, held, hold_kind, hold_until FROM orders "
                   "WHERE held > 0 ORDER BY order_id")
    j.close()
    assert [tuple(r)[1:] for r in want if r[0] == two] == [(2, None, None)]
    assert any(r[1] == 1 and r[2] == "until" and r[3] for r in want)
    conn = sqlite3.connect(env)
    conn.executescript("""
        DROP INDEX orders_live_held;
        CREATE INDEX orders_live_held ON orders (order_id, platform, brushing, status, held,
            paid_at, created_at, ship_by, shop)
            WHERE held > 0 AND status IN ('unpaid', 'paid', 'part_shipped');
        ALTER TABLE orders DROP COLUMN hold_kind; ALTER TABLE orders DROP COLUMN hold_until;
        DELETE FROM _sqlite_migrations WHERE name = 'm0090_one_hold';
    """)
    conn.close()
    j = Journal.open(str(env))
    try:
        assert j.pending_migrations() == []
        assert [tuple(r) for r in j.query("SELECT order_id, held, hold_kind, hold_until "
                                          "FROM orders WHERE held > 0 ORDER BY order_id")] \
            == [tuple(r) for r in want]
        assert j.query(_DRIFT) == []
    finally:
        j.close()
