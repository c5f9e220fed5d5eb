"""An order only its lines speak for: its status, amount, refund, item count and title,
derived in SQL slice by slice after an import of items, checked line by line against
the rules written out in Python (docs/import.md: "Item exports")."""

from __future__ import annotations

import random
import sqlite3
import sys

import pytest
from conftest import FIXTURES

sys.path.insert(0, str(FIXTURES))
import platform_exports as px  # noqa: E402

from cstool.orders import lines  # noqa: E402

STATUS_WORDS = {"等待买家付款": "unpaid", "买家已付款，等待卖家发货": "paid", "部分发货": "part_shipped",
                "卖家已发货，等待买家确认": "shipped", "买家已签收": "signed", "交易成功": "finished",
                "交易关闭": "closed", "": None}
REFUND_WORDS = ["没有申请退款", "退款成功", "买家已经申请退款，等待卖家同意", ""]
RANK = {"unpaid": 0, "paid": 1, "part_shipped": 2, "shipped": 3, "signed": 4, "finished": 5,
        "closed": 5}


def _status(statuses: list) -> str:
    live = [s for s in statuses if s != "closed"]
    if not live:
        return "closed"
    if "unpaid" in live:
        return "unpaid"
    waiting = [s for s in live if s in (None, "paid")]
    sent = [s for s in live if s in ("part_shipped", "shipped", "signed", "finished")]
    if waiting:
        return "part_shipped" if sent else "paid"
    if "part_shipped" in live:
        return "part_shipped"
    return min(live, key=RANK.__getitem__)


def _fen(r) -> int | None:
    if r["paid_fen"] is not None:
        return r["paid_fen"]
    return r["price_fen"] * (r["quantity"] or 1) if r["price_fen"] is not None else None


def _live(r) -> bool:
    return r["status"] != "closed" and r["refund_status"] != "refunded"


def expected(rows: list, order) -> dict:
    """The order as the rules say its lines make it (``rows`` in the order they came)."""
    live = [r for r in rows if _live(r)]
    counts = [r["quantity"] for r in live if r["quantity"]]
    titles = [r["title"] for r in live if r["title"]] or [r["title"] for r in rows if r["title"]]
    out = {"item_count": sum(counts) if counts else order["item_count"],
           "item_title": titles[0] if titles else order["item_title"]}
    if order["status_from"] != "lines":
        return out
    amounts = [a for r in rows if r["status"] != "closed" and (a := _fen(r)) is not None]
    refunds = [fen for r in rows if not (_live(r) and not r["refund_fen"])
               and (fen := r["refund_fen"] if r["refund_fen"] is not None else _fen(r))]
    out.update(status=_status([r["status"] for r in rows]),
               total_fen=sum(amounts) if amounts else order["total_fen"],
               refund_fen=sum(refunds) if refunds else order["refund_fen"])
    return out


def _random_rows(rng: random.Random, orders: int, first: int = 0) -> list[list[str]]:
    rows = []
    for n in range(first, first + orders):
        oid = f"36{n:017d}"
        created = f"2026-11-{1 + n % 20:02d} 10:{n % 60:02d}:00"
        for k in range(rng.randint(1, 4)):
            price = rng.choice(["", "10.00", "25.50", "0.00"])
            paid = rng.choice(["", "", "30.00", price])
            refund = rng.choice(["", "0.00", "5.00", "30.00"])
            title = rng.choice(["", "紫砂茶壶", "羊毛围巾", f"商品{k}"])
            rows.append(px._item_2020(f"{oid}{k}", oid, title, price, rng.choice([0, 1, 2, 5]),
                                      "颜色分类：白色", rng.choice(list(STATUS_WORDS)),
                                      f"C{k}", paid, rng.choice(REFUND_WORDS), refund,
                                      created, "", str(600000000000 + k)))
    rng.shuffle(rows)  # an order's lines need not be together
    return rows


def _orders(db: str) -> dict:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return {r["order_id"]: dict(r) for r in conn.execute("SELECT * FROM orders")}
    finally:
        conn.close()


def _check(db: str, before: dict) -> int:
    """Every order as the rules make it of its lines; what the lines do not say is what the
    order was before the import (an order the file created knew nothing: its first row's
    title is a line's title, so no title of the lines means none)."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        checked = 0
        for order in conn.execute("SELECT * FROM orders").fetchall():
            rows = conn.execute("SELECT * FROM order_lines WHERE order_id = ? AND platform = ? "
                                "ORDER BY id", [order["order_id"], order["platform"]]).fetchall()
            was = before.get(order["order_id"]) or dict.fromkeys(
                ("item_count", "item_title", "total_fen", "refund_fen"))
            want = expected(rows, {**was, "status_from": order["status_from"]})
            assert {k: order[k] for k in want} == want, order["order_id"]
            checked += 1
        return checked
    finally:
        conn.close()


@pytest.fixture
def imp(run):
    run(["init"], check=0)
    run(["agent", "add", "倩"], check=0)
    return lambda *a: run.json(["--agent", "倩", "orders", "import", *map(str, a), "--json"])


def test_each_order_is_what_its_lines_say_across_slices(imp, env, tmp_path, monkeypatch):
    monkeypatch.setattr(lines, "SLICE", 7)  # many slices, each boundary crossed
    rng = random.Random(15)
    first = px._csv(tmp_path / "a.csv", px.TAOBAO_ITEMS_2020_HEADER, _random_rows(rng, 120))
    out = imp(first)[0]
    assert (out["level"], out["rejected"], out["waiting_lines"]) == ("lines", [], 0)
    assert _check(str(env), {}) == 120
    # a later report: new lines for half the orders (sub-order numbers past the first's),
    # and orders it alone names
    later = _random_rows(rng, 120)
    for r in later:
        r[0] = r[0][:-2] + "9" + r[0][-2:]
    later = later[: len(later) // 2] + _random_rows(rng, 30, first=500)
    before = _orders(str(env))
    imp(px._csv(tmp_path / "b.csv", px.TAOBAO_ITEMS_2020_HEADER, later))
    assert _check(str(env), before) == 150


def _classic_rows(rng: random.Random, orders: int) -> list[list[str]]:
    """宝贝报表 rows (no sub-order numbers): an order's items, some twice alike, its rows
    spread over the file."""
    rows = []
    for n in range(orders):
        oid = f'="35{n:017d}"'
        for _ in range(rng.randint(1, 4)):
            title, code = rng.choice([("紫砂茶壶 西施壶", "ZS-XS"), ("羊毛围巾 驼色", "WJ-TUO")])
            rows.append([oid, title, "69.00", "1", code, "颜色分类：驼色", "", "",
                         "买家已付款，等待卖家发货", code])
    rng.shuffle(rows)
    return rows


def test_lines_without_sub_order_numbers_keep_their_keys_however_far_apart(
        run, tmp_path, monkeypatch):
    from cstool.orders import normalise

    path = px._csv(tmp_path / "ExportOrderDetailList.csv", px.TAOBAO_ITEMS_HEADER,
                   _classic_rows(random.Random(14), 200), trailing_comma=True)
    dumps = []
    for recent in (10_000, 3):  # every order's keys in memory; all but the last three's spilled
        monkeypatch.setattr(normalise._LineKeys, "RECENT", recent)
        db = str(tmp_path / f"{recent}.db")
        run(["--db", db, "init"], check=0)
        run(["--db", db, "agent", "add", "倩"], check=0)
        run(["--db", db, "--agent", "倩", "orders", "import", str(path)], check=0)
        conn = sqlite3.connect(db)
        try:
            dumps.append(conn.execute("SELECT order_id, line_key, title, quantity FROM order_lines "
                                      "ORDER BY order_id, line_key").fetchall())
        finally:
            conn.close()
    assert dumps[0] == dumps[1]
    keys = [k for _, k, *_ in dumps[0]]
    assert len(keys) == sum(1 for _ in _classic_rows(random.Random(14), 200))  # no line merged
    assert any(k.endswith("#3") for k in keys) and any(k.endswith("#2") for k in keys)
