"""Helpers for the shipcheck tests: small exports, the remark parser's marks, a library handle."""

from __future__ import annotations

import csv
import sqlite3

from conftest import order

from cstool.app.policy import Policy
from cstool.core import holds
from cstool.core.clock import Clock
from cstool.core.journal import Journal

HEADER = ("订单编号", "买家会员名", "订单状态", "订单创建时间", "订单付款时间", "宝贝标题", "宝贝总数量",
          "修改后的sku", "订单备注", "买家留言", "发票抬头", "分阶段订单信息", "物流公司", "物流单号",
          "收货人姓名", "联系手机", "收货地址")
KEYS = ("order_id", "buyer", "status", "created", "paid", "title", "count", "sku", "memo",
        "message", "invoice", "presale", "courier", "tracking", "name", "mobile", "address")
STATUS = {"paid": "买家已付款，等待卖家发货", "shipped": "卖家已发货，等待买家确认",
          "part_shipped": "卖家部分发货", "closed": "交易关闭", "signed": "买家已签收"}


def import_orders(run, tmp_path, *orders: dict) -> None:
    """Import orders written as a small classic export (times are shop-local text)."""
    path = tmp_path / "orders.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for o in orders:
            o = {"buyer": "tb_buyer", "title": "碳素钓鱼竿 2.7米", "count": 1, **o}
            o["status"] = STATUS.get(o["status"], o["status"])
            w.writerow([o.get(k, "") for k in KEYS])
    run(["agent", "add", "倩"], check=0)
    run(["--agent", "倩", "orders", "import", str(path)], check=0)


def mark_demo(journal: Journal) -> None:
    """What the remark parser marks on the demo orders: brushing, held, owner, waiting buyer."""
    at = "2026-11-22T01:00:00Z"
    for name in ("unpaid_brushing", "paid_brushing", "shipped_brushing"):
        holds.set_brushing(journal, order(name))
    holds.add(journal, order("paid_hold_until_25"), "until", at, until="2026-11-25",
              note="25日发货", agent="倩")
    holds.add(journal, order("paid_hold_until_21_due"), "until", at, until="2026-11-21",
              note="21日发货", agent="倩")
    holds.add(journal, order("paid_hold_owner"), "owner", at, owner="倩", agent="倩")
    holds.add(journal, order("paid_waiting_buyer"), "waiting_buyer", "2026-11-21T03:30:00Z",
              note="37码缺货,已旺旺问顾客是否换38码,等顾客回复", agent="倩")


def lib(journal: Journal, now: str = "2026-11-23 14:30"):
    """(journal, clock, policy) for calling the library the way a command does."""
    policy = Policy(journal)
    return journal, Clock(policy.get("timezone"), now), policy


def add_exception(journal: Journal, **values) -> int:
    """An abnormal-shipment case in the exception feature's table (created here when absent)."""
    journal.execute(
        "CREATE TABLE IF NOT EXISTS exceptions (id INTEGER PRIMARY KEY, order_id TEXT, kind TEXT, "
        "status TEXT, next_step TEXT, due_at TEXT, opened_at TEXT, closed_at TEXT)")
    for col in journal.query("PRAGMA table_info(exceptions)"):
        # the real table may demand more; fill what it requires with plausible values
        if col["notnull"] and col["dflt_value"] is None and not col["pk"]:
            values.setdefault(col["name"], "倩" if col["name"].endswith("_by") else "x")
    cols = ", ".join(values)
    try:
        cur = journal.execute(f"INSERT INTO exceptions ({cols}) VALUES "
                              f"({', '.join('?' * len(values))})", list(values.values()))
    except sqlite3.IntegrityError as e:  # pragma: no cover - only with a stricter real table
        import pytest

        pytest.skip(f"cannot fake a case in the installed exceptions table: {e}")
    return cur.lastrowid
