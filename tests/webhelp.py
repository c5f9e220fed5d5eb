"""A journal for the web view's tests: the demo, plus what agents type that holds personal data."""

from __future__ import annotations

import re
import sqlite3

from conftest import DEMO_CSV, DEMO_XLSX, order

# Typed by agents into free text (a case's detail, a handover problem, a chase note):
# the web view must mask them although no library row marks them as personal data.
TYPED_PHONES = ("13700001111", "13912345678", "15855556666", "13812345678")
NEW_ADDRESS_STREET = "中山路100号"


def generic(run, tmp_path, name, header, rows, mapping):
    f = tmp_path / name
    f.write_text(",".join(header) + "\n" + "".join(",".join(r) + "\n" for r in rows),
                 encoding="utf-8")
    args = ["--agent", "倩", "orders", "import", "--format", "generic", str(f)]
    for src, dst in mapping:
        args += ["--map", f"{src}={dst}"]
    run(args, check=0)


def build(run, tmp_path) -> None:
    """Demo exports, two shipments with ship times, chases (one converted), a case, handover."""
    for agent in ("倩", "郑婷", "小雨", "阿杰", "美美"):
        run(["agent", "add", agent], check=0)
    run(["--agent", "倩", "orders", "import", str(DEMO_CSV), str(DEMO_XLSX)], check=0)
    # shipped in time (deadline 23rd 16:30) and late (deadline 23rd 06:30)
    generic(run, tmp_path, "shipped.csv", ["订单号", "状态", "下单时间", "发货时间"],
            [[order("paid_70h_due_soon"), "shipped", "2026-11-20 16:10:00", "2026-11-23 12:00:00"],
             [order("paid_80h_overdue"), "shipped", "2026-11-20 05:30:00", "2026-11-23 13:00:00"]],
            [("订单号", "order_id"), ("状态", "status"), ("下单时间", "created_at"),
             ("发货时间", "shipped_at")])
    run(["--agent", "倩", "--now", "2026-11-23 14:00", "chase", "log", order("unpaid_40min_big"),
         "--channel", "旺旺", "--note", f"买家留了电话{TYPED_PHONES[2]}"], check=0)
    run(["--agent", "郑婷", "--now", "2026-11-23 14:05", "chase", "log", order("unpaid_small"),
         "--channel", "电话", "--result", "no_answer"], check=0)
    generic(run, tmp_path, "paid.csv", ["订单号", "状态", "下单时间", "付款时间"],
            [[order("unpaid_40min_big"), "paid", "2026-11-23 13:50:00", "2026-11-23 14:20:00"]],
            [("订单号", "order_id"), ("状态", "status"), ("下单时间", "created_at"),
             ("付款时间", "paid_at")])
    run(["--agent", "郑婷", "exception", "log", order("shipped_damaged_reported"), "--kind", "破损",
         "--detail", f"茶具碎了两个,买家电话{TYPED_PHONES[0]}"], check=0)
    run(["--agent", "倩", "handover", "add", "-c", "回访", "--buyer", "tb_lily", "--phone",
         TYPED_PHONES[3], "-p", f"要求退差价,回电{TYPED_PHONES[1]}", "-t", "明天上午回电"], check=0)
    run(["--agent", "倩", "remark", "add", order("paid_yesterday_evening"), "--kind", "address",
         "--address", f"江苏省 南京市 鼓楼区 {NEW_ADDRESS_STREET}", "--verified-buyer",
         "tb_paid_yesterday15"], check=0)


def _street(address: str) -> str:
    """The part of an address after its district: what must never be shown."""
    parts = address.split()
    for i, p in enumerate(parts):
        if p.endswith(("区", "县", "旗")) and i + 1 < len(parts):
            rest = " ".join(parts[i + 1:])
            m = re.match(r"^.*?号", rest)
            return m.group(0) if m else rest[:6]
    return address[-8:]


def personal_data(db_path) -> list[str]:
    """Every phone number and street the journal holds, as they would leak onto a page."""
    conn = sqlite3.connect(str(db_path))
    rows = conn.execute("SELECT receiver_phone, receiver_address FROM orders").fetchall()
    conn.close()
    found = set(TYPED_PHONES) | {NEW_ADDRESS_STREET}
    for phone, address in rows:
        digits = re.sub(r"\D", "", phone or "")
        if len(digits) >= 7:
            found |= {digits, (phone or "").strip("' ")}
        if address:
            found.add(_street(address))
    return sorted(found)
