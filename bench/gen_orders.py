"""Generate an N-row order export in the classic seller-centre format (GB18030).

    python bench/gen_orders.py 1000000 bench/data/orders-1000000.csv [--now "2026-11-23 15:00"]

Deterministic for a given N and seed. About 5 % of orders are unpaid, 8 %
paid and waiting to ship, 30 % shipped, the rest signed, finished or
closed; about 30 % carry a seller memo in one of the manuals' formats.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from datetime import datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fixtures"))

from exportlib import (  # noqa: E402
    CLOSE_REASONS,
    COURIERS,
    ITEMS,
    address,
    classic_row,
    csv_line,
    person,
    phone,
)
from internals import classic_header  # noqa: E402

CLASSIC_HEADER = classic_header()

AGENTS = ["倩", "郑婷", "小雨", "阿杰", "美美"]
MEMOS = [
    "红旗 客户要求发顺丰 已改快递 {d} {a}",
    "退货/换货,换37码 {cn} # {a}",
    "{d} {a}已催付",
    "{d} 顾客明天下午付款",
    "客户拍下黑色,要求修改成白色,已修改妥当---{d} {a}",
    "客户要求修改地址,新地址为:浙江省杭州市西湖区文一路1号---{d} {a}",
    "客户要求发顺丰---{d} {a}",
    "申通 {a} {md}",
    "{day}日发货",
    "@@@{p}",
    "赠品:手机壳一个 {d} {a}",
    "发顺丰",
    "换大一码",
]


def generate(n: int, path: str, now: datetime, seed: int = 20261123) -> None:
    rng = random.Random(seed)
    base_id = 5118609024991000000
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="gb18030", newline="") as fh:
        write = fh.write
        write(csv_line([h + (" " if i % 7 == 3 else "") for i, h in enumerate(CLASSIC_HEADER)]))
        for i in range(n):
            r = rng.random()
            created = now - timedelta(minutes=rng.randint(1, 60 * 24 * 60))
            if r < 0.05:
                status, created = "unpaid", now - timedelta(minutes=rng.randint(1, 60 * 48))
            elif r < 0.13:
                status, created = "paid", now - timedelta(minutes=rng.randint(10, 60 * 100))
            elif r < 0.43:
                status = "shipped"
            elif r < 0.50:
                status = "signed"
            elif r < 0.94:
                status = "finished"
            else:
                status = "closed"
            paid = None
            if status != "unpaid" and not (status == "closed" and rng.random() < 0.7):
                paid = created + timedelta(minutes=rng.randint(0, 60 * 30))
                if paid > now:
                    paid = now
            title, price = ITEMS[rng.randrange(len(ITEMS))]
            count = rng.choice((1, 1, 1, 2, 3))
            memo = ""
            if rng.random() < 0.30:
                d = created + timedelta(hours=1)
                memo = rng.choice(MEMOS).format(
                    d=d.strftime("%Y.%m.%d"), a=rng.choice(AGENTS), p=person(rng),
                    cn=d.strftime("%Y年%m月%d日%H:%M:%S"), md=f"{d.month}.{d.day}",
                    day=(d + timedelta(days=2)).day)
            shipped = status in ("shipped", "signed", "finished", "part_shipped")
            write(csv_line(classic_row(
                order_id=str(base_id + i), buyer=f"tb{rng.randint(10000000, 99999999)}",
                status=status, created=created, paid=paid, total=price * count,
                title=title, count=count, memo=memo, name=person(rng), addr=address(rng),
                mobile=phone(rng),
                tracking=str(rng.randint(10 ** 11, 10 ** 12)) if shipped else "",
                courier=rng.choice(COURIERS) if shipped else "",
                close_reason=rng.choice(CLOSE_REASONS) if status == "closed" else "",
                message="请尽快发货, 谢谢" if rng.random() < 0.1 else "")))
    os.replace(tmp, path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("path")
    ap.add_argument("--now", default="2026-11-23 15:00")
    ap.add_argument("--seed", type=int, default=20261123)
    a = ap.parse_args()
    os.makedirs(os.path.dirname(os.path.abspath(a.path)), exist_ok=True)
    generate(a.n, a.path, datetime.strptime(a.now, "%Y-%m-%d %H:%M"), a.seed)


if __name__ == "__main__":
    main()
