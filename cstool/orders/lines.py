"""An order as its lines say it: the status, amount and count of an order no order
export has named yet (``status_from = 'lines'``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Optional

from cstool.core.vocab import SENT, STATUS_RANK

_WAITING = (None, "paid")


def status_of(statuses: Sequence[Optional[str]]) -> str:
    """An order's status from its lines': all closed → closed; any unpaid → unpaid; some
    still to ship and some sent → part_shipped; else the least advanced of the others."""
    live = [s for s in statuses if s != "closed"]
    if not live:
        return "closed" if statuses else "paid"
    if "unpaid" in live:
        return "unpaid"
    waiting = [s for s in live if s in _WAITING]
    sent = [s for s in live if s in SENT or s == "part_shipped"]
    if waiting:
        return "part_shipped" if sent else "paid"
    if "part_shipped" in live:
        return "part_shipped"
    return min(live, key=lambda s: STATUS_RANK[s])


def _amount(rows) -> Optional[int]:
    amounts = [r["paid_fen"] if r["paid_fen"] is not None
               else (r["price_fen"] * (r["quantity"] or 1) if r["price_fen"] is not None else None)
               for r in rows if r["status"] != "closed"]
    known = [a for a in amounts if a is not None]
    return sum(known) if known else None


def derive_orders(journal, platform: str, order_ids: Iterable[str], import_id: int) -> int:
    """After an import of items: the orders only lines speak for take their status, amount,
    item count and title from them. Returns how many of the file's lines wait for an
    order the journal does not have yet (their order export, or an item report with
    the order's times, brings it)."""
    ids = sorted(set(order_ids))
    waiting = 0
    updates = []
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        known = {r[0]: r[1] for r in journal.query(
            f"SELECT order_id, status_from FROM orders WHERE platform = ? "
            f"AND order_id IN ({marks})", [platform, *chunk])}
        waiting += journal.scalar(
            f"SELECT count(*) FROM order_lines WHERE platform = ? AND order_id IN ({marks}) "
            f"AND order_id NOT IN (SELECT order_id FROM orders WHERE platform = ? "
            f"AND order_id IN ({marks}))", [platform, *chunk, platform, *chunk])
        lines: dict[str, list] = {}
        for r in journal.query(
                f"SELECT order_id, status, quantity, price_fen, paid_fen, title FROM order_lines "
                f"WHERE platform = ? AND order_id IN ({marks}) ORDER BY id", [platform, *chunk]):
            lines.setdefault(r["order_id"], []).append(r)
        for oid, rows in lines.items():
            if known.get(oid) != "lines":
                continue  # an order export says what the order is
            counts = [r["quantity"] for r in rows if r["status"] != "closed" and r["quantity"]]
            titles = [r["title"] for r in rows if r["title"]]
            updates.append((status_of([r["status"] for r in rows]), _amount(rows),
                            sum(counts) if counts else None, titles[0] if titles else None,
                            import_id, oid, platform))
    journal.conn.executemany(
        "UPDATE orders SET status = ?, total_fen = coalesce(?, total_fen), "
        "item_count = coalesce(?, item_count), item_title = coalesce(item_title, ?), "
        "import_id = ? WHERE order_id = ? AND platform = ? AND status_from = 'lines'", updates)
    return waiting
