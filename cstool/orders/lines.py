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


def _live(r) -> bool:
    """A line still part of what the buyer gets (not closed, not refunded)."""
    return r["status"] != "closed" and r["refund_status"] != "refunded"


def _refunded(rows) -> Optional[int]:
    """What the closed or refunded lines gave back: their refund, else their amount."""
    out = None
    for r in rows:
        if _live(r) and not r["refund_fen"]:
            continue
        fen = r["refund_fen"] if r["refund_fen"] is not None else r["paid_fen"] if \
            r["paid_fen"] is not None else (r["price_fen"] * (r["quantity"] or 1)
                                            if r["price_fen"] is not None else None)
        if fen:
            out = (out or 0) + fen
    return out


def derive_orders(journal, platform: str, order_ids: Iterable[str], import_id: int,
                  from_lines: bool = False) -> int:
    """After an import of items: the orders only lines speak for take their status, amount,
    refund, item count and title from them; ``from_lines`` (a file with a row per item
    and no order-level title): every order of the file takes its title and item count
    from its lines. The title is the first line still to be had, the count the sum of
    those lines' quantities. Returns how many of the file's lines wait for an order the
    journal does not have yet (their order export, or an item report with the order's
    times, brings it)."""
    ids = sorted(set(order_ids))
    waiting = 0
    updates = []
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        known = {r[0]: r for r in journal.query(
            f"SELECT order_id, status_from, status, total_fen, refund_fen, item_count, "
            f"item_title, rowid FROM orders WHERE platform = ? "
            f"AND order_id IN ({marks})", [platform, *chunk])}
        waiting += journal.scalar(
            f"SELECT count(*) FROM order_lines WHERE platform = ? AND order_id IN ({marks}) "
            f"AND order_id NOT IN (SELECT order_id FROM orders WHERE platform = ? "
            f"AND order_id IN ({marks}))", [platform, *chunk, platform, *chunk])
        lines: dict[str, list] = {}
        for r in journal.query(
                f"SELECT order_id, status, refund_status, refund_fen, quantity, price_fen, "
                f"paid_fen, title FROM order_lines "
                f"WHERE platform = ? AND order_id IN ({marks}) ORDER BY id", [platform, *chunk]):
            lines.setdefault(r["order_id"], []).append(r)
        for oid, rows in lines.items():
            o = known.get(oid)
            if o is None or (o["status_from"] != "lines" and not from_lines):
                continue  # an order export says what the order is
            live = [r for r in rows if _live(r)]
            counts = [r["quantity"] for r in live if r["quantity"]]
            titles = [r["title"] for r in live if r["title"]] or [
                r["title"] for r in rows if r["title"]]
            new = {"item_count": sum(counts) if counts else o["item_count"],
                   "item_title": titles[0] if titles else o["item_title"]}
            if o["status_from"] == "lines":
                amount, refund = _amount(rows), _refunded(rows)
                new.update(status=status_of([r["status"] for r in rows]),
                           total_fen=amount if amount is not None else o["total_fen"],
                           refund_fen=refund if refund is not None else o["refund_fen"])
            if any(new[k] != o[k] for k in new):
                updates.append((o["rowid"], new))
    # in the table's order: each page of orders read and written once, not once an order
    # (by order number, every update was a random page, spilled and read back)
    updates.sort(key=lambda u: u[0])
    for rowid, new in updates:
        sets = ", ".join(f"{k} = ?" for k in new)
        journal.conn.execute(f"UPDATE orders SET {sets}, import_id = ? WHERE rowid = ?",
                             [*new.values(), import_id, rowid])
    return waiting
