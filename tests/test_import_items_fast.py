"""An export of items sends a new order with what its lines say of it when its rows are
together, so the derivation after the rows has nothing left to write for it; every
other order (its rows apart, a line twice, its cells not the same on each row, known
to the journal already, or with lines from before the file) is derived as before. The
journal is the same either way: compared here with the derivation doing it all."""

from __future__ import annotations

import random
import sqlite3
import sys

import pytest
from conftest import FIXTURES, context
from test_line_derivation import STATUS_WORDS, _check

from cstool.core.journal import Journal
from cstool.orders import importer, lines, parallel

sys.path.insert(0, str(FIXTURES))
import platform_exports as px  # noqa: E402

REFUNDS = ["没有申请退款", "退款成功", "买家已经申请退款，等待卖家同意", ""]


def _order_rows(rng: random.Random, oid: str, n: int, memo: str = "", first_sub: int = 0,
                created: str = "2026-11-20 10:00:00") -> list[list[str]]:
    """``n`` rows of one order, each its own line (sub-order ``oid`` + k)."""
    rows = []
    for k in range(first_sub, first_sub + n):
        price = rng.choice(["", "10.00", "25.50", "0.00"])
        rows.append(px._item_2020(
            f"{oid}{k:02d}", oid, rng.choice(["", "紫砂茶壶", "羊毛围巾", f"商品{k}"]), price,
            rng.choice([0, 1, 2, 5]), "颜色分类：白色", rng.choice(list(STATUS_WORDS)), f"C{k}",
            rng.choice(["", "", "30.00", price]), rng.choice(REFUNDS),
            rng.choice(["", "0.00", "5.00", "30.00"]), created, "", str(600000000000 + k),
            memo=memo))
    return rows


def _together(rng: random.Random, orders: int, first: int = 0, prefix: str = "37") -> list:
    """Orders whose rows are together, one to four lines each, some with a memo."""
    rows = []
    for n in range(first, first + orders):
        rows += _order_rows(rng, f"{prefix}{n:017d}", rng.randint(1, 4),
                            memo=f"2026.11.20 备注{n}" if n % 5 == 0 else "")
    return rows


def _mixed(rng: random.Random) -> list:
    """Orders together, and each case the reader or the writer must leave to the derivation."""
    rows = _together(rng, 20)
    split = _order_rows(rng, "3800000000000000001", 4)
    rows += split[:2] + _together(rng, 3, first=100) + split[2:]  # its rows apart
    twice = _order_rows(rng, "3800000000000000002", 2)
    rows += [twice[0], twice[1], list(twice[0])]  # a line twice
    memo = _order_rows(rng, "3800000000000000003", 3, memo="先发顺丰")
    memo[2][20] = "改发中通"  # the rows do not say the same order
    rows += memo
    rows += _order_rows(rng, "3800000000000000004", 11)  # longer than two batches (of 4)
    rows += _order_rows(rng, px.TAOBAO_ORDERS[0]["订单编号"][2:-1], 2)  # the order export's
    rows += _order_rows(rng, "3508286990564888402", 2)  # its 宝贝报表 lines came before
    rows += _order_rows(rng, "3800000000000000005", 2)  # its 宝贝报表 lines waited for it
    rows += _together(rng, 10, first=200)
    return rows


def _files(tmp_path, rng: random.Random) -> list:
    """An order export, a 宝贝报表 (its lines wait for their order, or join the order
    export's), the mixed item export, then a later one: new lines of known orders, new
    orders."""
    orders = px._csv(tmp_path / "ExportOrderList.csv", px.TAOBAO_ORDER_HEADER,
                     px.TAOBAO_ORDERS[:2])
    classic = px._csv(tmp_path / "ExportOrderDetailList.csv", px.TAOBAO_ITEMS_HEADER,
                      px.TAOBAO_ITEMS + [
                          ['="3800000000000000005"', "羊毛围巾 驼色", "69.00", "2", "WJ-TUO",
                           "颜色分类：驼色", "", "", "卖家已发货，等待买家确认", "WJ-TUO"]],
                      trailing_comma=True)
    first = px._csv(tmp_path / "items-a.csv", px.TAOBAO_ITEMS_2020_HEADER, _mixed(rng))
    later = (_order_rows(rng, "37" + f"{3:017d}", 2, first_sub=50)
             + _order_rows(rng, "3800000000000000001", 1, first_sub=60)
             + _together(rng, 5, first=300))
    second = px._csv(tmp_path / "items-b.csv", px.TAOBAO_ITEMS_2020_HEADER, later)
    return [orders, classic, first, second]


def _journal(db, files, **kw) -> str:
    j = Journal.open(str(db), create=True)
    try:
        ctx = context(j, "2026-11-23T06:30:00Z", agent="倩")
        for f in files:
            importer.import_files(ctx, [str(f)], **kw)
    finally:
        j.close()
    conn = sqlite3.connect(str(db))
    try:
        return "\n".join(x for x in conn.iterdump() if "_sqlite_migrations" not in x)
    finally:
        conn.close()


@pytest.fixture
def derived_after(monkeypatch):
    """The journal as the derivation alone makes it: no order is sent with what its
    lines say (every file then seems to name a column the lines decide)."""
    def switch(on: bool) -> None:
        if on:
            monkeypatch.setattr(importer, "DERIVED", ("order_id",))
        else:
            monkeypatch.setattr(importer, "DERIVED", lines.DERIVED)
    return switch


@pytest.mark.parametrize("batch", [4, parallel.BATCH])
def test_the_journal_is_the_one_the_derivation_alone_makes(tmp_path, monkeypatch,
                                                           derived_after, batch):
    monkeypatch.setattr(parallel, "BATCH", batch)
    files = _files(tmp_path, random.Random(90))
    fast = _journal(tmp_path / "fast.db", files)
    derived_after(True)
    slow = _journal(tmp_path / "slow.db", files)
    assert "3800000000000000004" in fast and "WJ-TUO" in fast
    assert fast == slow


def test_the_forked_reader_sends_the_same_orders(tmp_path):
    files = _files(tmp_path, random.Random(91))
    assert (_journal(tmp_path / "a.db", files, parallel=False)
            == _journal(tmp_path / "b.db", files, parallel=True))


def test_orders_together_are_what_their_lines_say(run, env, tmp_path):
    f = px._csv(tmp_path / "items.csv", px.TAOBAO_ITEMS_2020_HEADER,
                _together(random.Random(92), 300))
    run(["agent", "add", "倩"], check=0)
    out = run.json(["--agent", "倩", "orders", "import", str(f), "--json"])[0]
    assert (out["new_orders"], out["rejected"], out["waiting_lines"]) == (300, [], 0)
    assert _check(str(env), {}) == 300


def _derived(monkeypatch) -> list:
    """The order numbers the derivation after the rows is given, per file."""
    seen: list = []
    derive = importer.derive_orders

    def spy(journal, *a, **kw):
        seen.append({r[0] for r in journal.execute("SELECT order_id FROM temp.line_orders")})
        return derive(journal, *a, **kw)

    monkeypatch.setattr(importer, "derive_orders", spy)
    return seen


def test_only_what_the_reader_could_not_say_is_derived_after_the_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "BATCH", 4)
    seen = _derived(monkeypatch)
    files = _files(tmp_path, random.Random(93))
    _journal(tmp_path / "a.db", files)
    mixed = seen[1]  # (the order export derives nothing; seen[0]: the 宝贝报表)
    assert {"3800000000000000001", "3800000000000000002", "3800000000000000003",
            "3800000000000000004", "3508286990564888402", "3800000000000000005"} <= mixed
    assert not any(o.startswith("37") for o in mixed)  # the new orders together: none
    later = seen[2]
    assert {"37" + f"{3:017d}", "3800000000000000001"} <= later
    assert not any(o.startswith("37") and int(o) >= 37 * 10**17 + 300 for o in later)


def test_a_file_naming_an_order_column_the_lines_decide_derives_every_order(
        run, env, tmp_path, monkeypatch):
    """A file with, say, an order-level total: its orders are derived after the rows
    (the fill's values are the file's, the derivation's come after)."""
    seen = _derived(monkeypatch)
    monkeypatch.setattr(lines, "DERIVED", lines.DERIVED)
    monkeypatch.setattr(importer, "DERIVED", ("order_id",))
    f = px._csv(tmp_path / "items.csv", px.TAOBAO_ITEMS_2020_HEADER,
                _together(random.Random(94), 12))
    run(["agent", "add", "倩"], check=0)
    run.json(["--agent", "倩", "orders", "import", str(f), "--json"])
    assert len(seen[0]) == 12
    assert _check(str(env), {}) == 12
