"""A big first import: the memos that act (holds, brushing) among many that do not, read
by the forked reader, applied by the import hook from its own small table of acting texts."""

from __future__ import annotations

import csv

from conftest import context

from cstool.app.routines import import_hook
from cstool.core.agents import add
from cstool.orders.importer import import_files

HEADER = ["订单编号", "订单状态", "订单创建时间", "订单付款时间", "订单备注"]
MAP = {"订单编号": ["order_id"], "订单状态": ["status"], "订单创建时间": ["created_at"],
       "订单付款时间": ["paid_at"], "订单备注": ["seller_memo"]}


def memo_of(i: int) -> str:
    if i % 97 == 0:
        return "25日发货"  # a hold until the 25th
    if i % 89 == 0:
        return f"@@@刘{i % 7}"  # brushing
    return f"发顺丰 倩 11.{i % 20 + 1}"  # acts on nothing


def write_export(path, n: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(1, n + 1):
            w.writerow([f"39{i:012d}", "paid", "2026-11-22 10:00:00", "2026-11-22 10:05:00",
                        memo_of(i)])


def test_a_forked_first_import_applies_exactly_the_memos_that_act(journal, tmp_path):
    n = 3000
    path = tmp_path / "big.csv"
    write_export(path, n)
    ctx = context(journal, agent="倩")
    add(journal, "倩", ctx.now_db())
    [result] = import_files(ctx, [str(path)], fmt="generic", mapping=MAP, parallel=True,
                            after_rows=import_hook(ctx))
    assert result.inserted == n and not result.rejected
    held = {i for i in range(1, n + 1) if i % 97 == 0}
    brushed = {i for i in range(1, n + 1) if i % 97 and i % 89 == 0}
    assert [tuple(r) for r in journal.query(
        "SELECT order_id, kind, until FROM holds ORDER BY order_id")] == [
        (f"39{i:012d}", "until", "2026-11-25") for i in sorted(held)]
    assert {r[0] for r in journal.query("SELECT order_id FROM orders WHERE brushing = 1")} == {
        f"39{i:012d}" for i in brushed}
    # every hold points at the memo that opened it
    assert journal.scalar("SELECT count(*) FROM holds h JOIN remarks r ON r.id = h.remark_id "
                          "AND r.order_id = h.order_id AND r.text = '25日发货'") == len(held)
    # the acting texts' table is the hook's own, gone when it is done
    assert journal.scalar("SELECT count(*) FROM sqlite_temp_master "
                          "WHERE name = 'memo_acting'") == 0
