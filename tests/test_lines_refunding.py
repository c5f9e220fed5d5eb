"""``orders.lines_refunding``: whether a line of the order will not ship as ordered, kept
by the imports (m0089), so that shipcheck finds the partly refunded orders waiting in an
index of the orders instead of looking every waiting order's lines up.

Built from the platforms' real exports (fixtures/platform_exports.py): the 2020 item CSV
(a refunded scarf, a refund asked for a cup), the classic 宝贝报表 (no times: its lines
wait for their order), the order export, JD and Douyin (a row per item)."""

from __future__ import annotations

import sqlite3
import sys

import pytest
from conftest import FIXTURES

from cstool.core.journal import Journal

sys.path.insert(0, str(FIXTURES))
import platform_exports as px  # noqa: E402

TEAPOT = "3515313147329357901"   # the scarf refunded (交易关闭, 退款成功)
LATE = "3519977000000000003"     # the cup: 买家已经申请退款
PAN = "3508286990564888402"

_REFUNDING = ("(l.status = 'closed' OR l.refund_status IN ('requested', 'returning', "
              "'refunded') OR l.refund_fen > 0)")
# every order whose flag is not what its lines say
_DRIFT = f"""SELECT o.order_id, o.platform, o.lines_refunding FROM orders o
    WHERE o.lines_refunding IS NOT EXISTS (SELECT 1 FROM order_lines l
        WHERE l.order_id = o.order_id AND l.platform = o.platform AND {_REFUNDING})"""
# the orders absent from the journal that have such a line, as the waiting table must hold
_ABSENT = f"""SELECT DISTINCT l.order_id, l.platform FROM order_lines l WHERE {_REFUNDING}
    AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_id = l.order_id
                    AND o.platform = l.platform) ORDER BY 1, 2"""


def state(db) -> tuple[list, list, list, dict]:
    conn = sqlite3.connect(db)
    try:
        return (conn.execute(_DRIFT).fetchall(), conn.execute(_ABSENT).fetchall(),
                conn.execute("SELECT order_id, platform FROM lines_refunding_waiting "
                             "ORDER BY 1, 2").fetchall(),
                dict(conn.execute("SELECT order_id, lines_refunding FROM orders")))
    finally:
        conn.close()


def consistent(db) -> dict:
    drift, absent, waiting, flags = state(db)
    assert drift == [], drift
    assert waiting == absent, (waiting, absent)
    return flags


@pytest.fixture
def imp(run, env):
    run(["init"], check=0)
    run(["agent", "add", "倩"], check=0)

    def go(*args):
        return run(["--agent", "倩", "orders", "import", *map(str, args)], check=0)

    return go


def _items_report(path, rows):
    """The classic 宝贝报表 (no times, no refund columns: a line's 订单状态 says it)."""
    return px._csv(path, px.TAOBAO_ITEMS_HEADER, rows, trailing_comma=True)


def test_each_import_order_leaves_the_flag_what_the_lines_say(run, imp, env, tmp_path):
    files = px.write_all(tmp_path / "exports")
    # the 宝贝报表 first: the scarf's line is closed and its order not there yet
    report = _items_report(tmp_path / "ExportOrderDetailList1.csv", [
        [f'="{TEAPOT}"', "紫砂茶壶 西施壶", "169.00", "1", "ZS", "", "", "", "买家已付款，等待卖家发货", "ZS"],
        [f'="{TEAPOT}"', "羊毛围巾 驼色", "69.00", "1", "WJ", "", "", "", "交易关闭", "WJ"],
        *px.TAOBAO_ITEMS])
    imp(report)
    consistent(env)
    assert state(env)[2] == [(TEAPOT, "taobao")]  # waits for its order
    imp(files["taobao_orders"])  # the order export brings it
    flags = consistent(env)
    assert state(env)[2] == []
    assert flags[TEAPOT] == 1 and flags[PAN] == 0
    # the 2020 item CSV: the cup's refund asked for, on an order the journal has
    imp(files["taobao_items_2020"])
    flags = consistent(env)
    assert flags[LATE] == 1 and flags[TEAPOT] == 1
    # the buyer withdraws the request (退款关闭, nothing refunded): the order ships whole
    withdrawn = [list(r) for r in px.TAOBAO_ITEMS_2020]
    cup = next(r for r in withdrawn if r[2].startswith("儿童保温杯"))
    cup[14], cup[15] = "退款关闭", "0.00"
    imp(px._csv(tmp_path / "ExportOrderDetailList2.csv", px.TAOBAO_ITEMS_2020_HEADER, withdrawn))
    flags = consistent(env)
    assert flags[LATE] == 0 and flags[TEAPOT] == 1
    # and shipcheck says so: the cup's order is an ordinary one again
    rows = {r["order_id"]: r for r in run.json(["shipcheck", "--json", "--limit", "0"])}
    assert rows[TEAPOT]["part_refunded"] is True and rows[LATE]["part_refunded"] is False


def test_orders_an_item_file_inserts_take_the_flag_from_their_new_lines(imp, env, files):
    imp(files["taobao_items_2020"])  # makes the orders it has times for
    imp(files["douyin"], "--shop", px.DOUYIN_SHOP)  # a row per item: the socks closed
    imp(files["jd"], "--status-map", "等待付款=unpaid", "--shop", px.JD_SHOP)
    flags = consistent(env)
    assert flags[TEAPOT] == flags[LATE] == 1
    assert flags["6938000000000000001"] == 1 and flags["6938000000000000002"] == 0
    assert flags["3088888000001"] == 0
    # the same files again change nothing
    imp(files["taobao_items_2020"])
    imp(files["douyin"], "--shop", px.DOUYIN_SHOP)
    assert consistent(env) == flags


@pytest.fixture
def files(tmp_path):
    return px.write_all(tmp_path / "exports")


def _cup(refund_status: str, refund: str, times: bool) -> list:
    """The 2020 item CSV's two lines of LATE (the cup's refund as given); without
    ``times`` the file cannot create the order, and its lines wait for it."""
    rows = [list(r) for r in px.TAOBAO_ITEMS_2020 if r[1] == f'="{LATE}"']
    for r in rows:
        if not times:
            r[16] = r[17] = ""  # 订单创建时间, 订单付款时间
        if r[2].startswith("儿童保温杯"):
            r[14], r[15] = refund_status, refund
    return rows


def test_a_refund_withdrawn_before_its_order_arrives_is_forgotten(imp, env, tmp_path):
    # the cup's refund is asked for while its order is not in the journal (it waits),
    # then withdrawn, still before the order: when the order comes it ships whole
    def items(name, *cup):
        return px._csv(tmp_path / name, px.TAOBAO_ITEMS_2020_HEADER, _cup(*cup))

    imp(items("ExportOrderDetailList1.csv", "买家已经申请退款，等待卖家同意", "50.00", False))
    consistent(env)
    assert state(env)[2] == [(LATE, "taobao")]
    imp(items("ExportOrderDetailList2.csv", "退款关闭", "0.00", False))
    consistent(env)
    assert state(env)[2] == []
    imp(items("ExportOrderDetailList3.csv", "退款关闭", "0.00", True))  # brings the order
    assert consistent(env)[LATE] == 0


def test_the_migration_sets_the_flag_and_the_waiting_lines_of_an_older_journal(
        imp, env, files, tmp_path):
    imp(files["taobao_items_2020"])
    imp(_items_report(tmp_path / "r.csv", [
        ['="3599999000000000001"', "围巾", "69.00", "1", "WJ", "", "", "", "交易关闭", "WJ"]]))
    want = consistent(env)
    assert want[TEAPOT] == 1 and state(env)[2] == [("3599999000000000001", "taobao")]
    conn = sqlite3.connect(env)
    conn.executescript("""
        DROP INDEX orders_waiting_special;
        CREATE INDEX orders_waiting_special ON orders (order_id, platform)
            WHERE status IN ('paid', 'part_shipped')
            AND (instr(seller_memo, '退款') OR presale_info <> '' OR instr(item_title, '预售')
                 OR refund_fen > 0);
        ALTER TABLE orders DROP COLUMN lines_refunding;
        DROP TABLE lines_refunding_waiting;
        DELETE FROM _sqlite_migrations WHERE name = 'm0089_lines_refunding';
    """)
    conn.close()
    j = Journal.open(str(env))
    try:
        assert j.pending_migrations() == []
    finally:
        j.close()
    assert consistent(env) == want
    assert state(env)[2] == [("3599999000000000001", "taobao")]


# --- one order's lines, line by line (the 2020 item CSV; without times its lines wait) ---
X = "3599999000000000001"
A, B = "3599999000000000011", "3599999000000000021"
PAID, CLOSED, DONE = "买家已付款，等待卖家发货", "交易关闭", "交易成功"


def _line(sub: str, status: str, refund: str = "没有申请退款", amount: str = "0.00",
          times: bool = False) -> list:
    return px._item_2020(sub, X, f"商品{sub[-2]}", "50.00", 1, "null", status, "C" + sub[-2],
                         "50.00", refund, amount, "2026-11-22 09:58:12" if times else "",
                         "2026-11-22 10:00:31" if times else "", "6000" + sub[-2])


def _items(tmp_path, name: str, *rows):
    return px._csv(tmp_path / name, px.TAOBAO_ITEMS_2020_HEADER, list(rows))


def test_an_absent_orders_refunded_line_keeps_it_waiting_while_another_line_changes(
        imp, env, tmp_path):
    # the file writes only the other line: the waiting entry of the order must stay
    imp(_items(tmp_path, "1.csv", _line(A, CLOSED, "退款成功", "50.00"), _line(B, PAID)))
    assert state(env)[2] == [(X, "taobao")]
    imp(_items(tmp_path, "2.csv", _line(A, CLOSED, "退款成功", "50.00"), _line(B, DONE)))
    consistent(env)
    assert state(env)[2] == [(X, "taobao")]
    imp(_items(tmp_path, "3.csv", _line(A, CLOSED, "退款成功", "50.00", times=True),
               _line(B, DONE, times=True)))  # brings the order
    assert consistent(env)[X] == 1 and state(env)[2] == []


def test_a_line_that_ships_after_all_clears_the_flag_when_its_refund_columns_are_empty(
        imp, env, tmp_path):
    # the classic 宝贝报表 has no refund columns: a line closed, then finished, has NULL
    # refund status and amount, and "will not ship as ordered" is NULL, not false
    def report(name, status):
        return _items_report(tmp_path / name, [
            [f'="{X}"', "商品1", "50.00", "1", "C1", "", "", "", status, "C1"]])

    imp(report("r1.csv", CLOSED))
    imp(_items(tmp_path, "t.csv", _line(B, PAID, times=True)))  # brings the order
    assert consistent(env)[X] == 1
    imp(report("r2.csv", DONE))
    assert consistent(env)[X] == 0
