"""An order as its lines say it: the status, amount and count of an order no order
export has named yet (``status_from = 'lines'``).

An import of items streams: the orders its lines name go into a temporary table as
the rows arrive (:class:`Touched`), and after the rows they are derived in SQL, a
slice of orders at a time in the orders table's own order (:func:`derive_orders`).
Nothing about the file's orders is held in Python, so memory stays flat however
big the file is.
"""

from __future__ import annotations

from cstool.core.vocab import SENT
from cstool.orders.readers import COLUMNS, LINE_COLUMNS

SLICE = 5000  # orders derived by one statement

# A line still part of what the buyer gets (not closed, not refunded).
_LIVE = "(l.status IS NOT 'closed' AND l.refund_status IS NOT 'refunded')"
# What the buyer paid for a line: its own amount, else its price times its quantity.
_AMOUNT = "coalesce(l.paid_fen, l.price_fen * coalesce(nullif(l.quantity, 0), 1))"
_SENT = ", ".join(f"'{s}'" for s in ("part_shipped", *SENT))
# The last resort of the status: the least advanced of the lines sent on.
_LEAST_SENT = ("CASE min(CASE l.status " + " ".join(
    f"WHEN '{s}' THEN {n}" for n, s in enumerate(SENT)) + " END) " + " ".join(
    f"WHEN {n} THEN '{s}'" for n, s in enumerate(SENT)) + " END")

# Each order of a slice as its lines say it. The status: all closed → closed; any
# unpaid → unpaid; some still to ship and some sent → part_shipped; some still to ship
# → paid; else part_shipped if a line says so, else the least advanced of the others.
# The amount: the lines not closed; the refund: what the closed or refunded lines gave
# back (their refund, else their amount) and any other line's refund; the item count:
# the live lines' quantities; the title: the first line still to be had, else the
# first line (by id: the order the lines came in).
_DERIVED = f"""
SELECT o.rowid AS rid,
  CASE WHEN sum(l.status IS NOT 'closed') = 0 THEN 'closed'
       WHEN sum(l.status IS 'unpaid') > 0 THEN 'unpaid'
       WHEN sum(l.status IS NULL OR l.status = 'paid') > 0 THEN
         CASE WHEN sum(l.status IN ({_SENT})) > 0 THEN 'part_shipped' ELSE 'paid' END
       WHEN sum(l.status IS 'part_shipped') > 0 THEN 'part_shipped'
       ELSE {_LEAST_SENT} END AS status,
  sum(CASE WHEN l.status IS NOT 'closed' THEN {_AMOUNT} END) AS total_fen,
  sum(CASE WHEN NOT {_LIVE} OR coalesce(l.refund_fen, 0) != 0
      THEN nullif(coalesce(l.refund_fen, {_AMOUNT}), 0) END) AS refund_fen,
  sum(CASE WHEN {_LIVE} THEN nullif(l.quantity, 0) END) AS item_count,
  coalesce(min(CASE WHEN {_LIVE} AND l.title != '' THEN l.id END),
           min(CASE WHEN l.title != '' THEN l.id END)) AS title_line
FROM temp.derive t JOIN orders o ON o.rowid = t.rid
JOIN order_lines l ON l.order_id = o.order_id AND l.platform = o.platform
WHERE t.rid > :lo AND t.rid <= :hi
GROUP BY o.rowid
"""

# The orders only lines speak for take their status, amount and refund from them; the
# title and item count too, and (``from_lines``) every order of the file takes those.
# A value the lines do not give keeps the order's. Only an order that changes is written.
_FROM = "orders.status_from = 'lines'"
_NEW = {
    "status": f"CASE WHEN {_FROM} THEN d.status ELSE orders.status END",
    "total_fen": f"CASE WHEN {_FROM} THEN coalesce(d.total_fen, orders.total_fen) "
                 "ELSE orders.total_fen END",
    "refund_fen": f"CASE WHEN {_FROM} THEN coalesce(d.refund_fen, orders.refund_fen) "
                  "ELSE orders.refund_fen END",
    "item_count": "coalesce(d.item_count, orders.item_count)",
    "item_title": "coalesce((SELECT title FROM order_lines WHERE id = d.title_line), "
                  "orders.item_title)",
}
_UPDATE = (
    "UPDATE orders SET " + ", ".join(f"{c} = {v}" for c, v in _NEW.items())
    + ", import_id = :import_id FROM (" + _DERIVED + ") d WHERE orders.rowid = d.rid AND ("
    + " OR ".join(f"orders.{c} IS NOT {v}" for c, v in _NEW.items()) + ")"
)


# What the lines decide of a new order (:func:`as_lines_say`): the columns a fill that
# brings them leaves alone on an order the journal has (the derivation decides them).
DERIVED = ("status", "total_fen", "refund_fen", "item_count", "item_title")
_AT = {c: COLUMNS.index(c) for c in DERIVED}
(_STATUS, _QTY, _PRICE, _PAID, _REFUND_STATUS, _REFUND, _TITLE) = (
    LINE_COLUMNS.index(c) for c in ("status", "quantity", "price_fen", "paid_fen",
                                    "refund_status", "refund_fen", "title"))
_SENT_SET = frozenset(("part_shipped", *SENT))
_SENT_RANK = {s: n for n, s in enumerate(SENT)}


def _add(total, value):
    """SQL's ``sum``, a value at a time: NULL until a value is not NULL."""
    return total if value is None else value if total is None else total + value


def as_lines_say(order: tuple, lines: list) -> tuple:
    """A new order with what its lines say of it, by :data:`_DERIVED`'s rules (an
    order only lines speak for, its lines all new: what :func:`derive_orders` would
    write over the order as the fill inserted it). ``lines``: its lines, in the file's
    order (the order their ids take)."""
    if len(lines) == 1:
        return _as_line_says(order, lines[0])
    total = refund = count = title = any_title = None
    closed = unpaid = to_ship = sent = part = 0
    least = None
    for line in lines:
        status = line[_STATUS]
        if line[_PAID] is not None:
            amount = line[_PAID]
        else:
            amount = None if line[_PRICE] is None else line[_PRICE] * (line[_QTY] or 1)
        live = status != "closed" and line[_REFUND_STATUS] != "refunded"
        if status == "closed":
            closed += 1
        else:
            total = _add(total, amount)
            if status == "unpaid":
                unpaid += 1
            elif status is None or status == "paid":
                to_ship += 1
            elif status == "part_shipped":
                part += 1
        if status in _SENT_SET:
            sent += 1
            if status in _SENT_RANK and (least is None
                                         or _SENT_RANK[status] < _SENT_RANK[least]):
                least = status
        back = line[_REFUND]
        if not live or (back or 0) != 0:
            refund = _add(refund, (amount if back is None else back) or None)
        if live:
            count = _add(count, line[_QTY] or None)
            if title is None and line[_TITLE]:
                title = line[_TITLE]
        if any_title is None and line[_TITLE]:
            any_title = line[_TITLE]
    if closed == len(lines):
        status = "closed"
    elif unpaid:
        status = "unpaid"
    elif to_ship:
        status = "part_shipped" if sent else "paid"
    elif part:
        status = "part_shipped"
    else:
        status = least
    row = list(order)
    row[_AT["status"]] = status
    for c, v in (("total_fen", total), ("refund_fen", refund), ("item_count", count),
                 ("item_title", title or any_title)):
        if v is not None:  # what the lines do not say, the order keeps
            row[_AT[c]] = v
    return tuple(row)


_ROW_STATUS, _ROW_TOTAL, _ROW_REFUND, _ROW_COUNT, _ROW_TITLE = (_AT[c] for c in DERIVED)


def _as_line_says(order: tuple, line: tuple) -> tuple:
    """:func:`as_lines_say` for an order of one line (most orders): its status is the
    line's (``paid`` when it says none), the rest as for many lines."""
    status, back = line[_STATUS], line[_REFUND]
    if line[_PAID] is not None:
        amount = line[_PAID]
    else:
        amount = None if line[_PRICE] is None else line[_PRICE] * (line[_QTY] or 1)
    live = status != "closed" and line[_REFUND_STATUS] != "refunded"
    row = list(order)
    row[_ROW_STATUS] = status or "paid"
    if status != "closed" and amount is not None:
        row[_ROW_TOTAL] = amount
    if (not live or (back or 0) != 0) and (refund := amount if back is None else back):
        row[_ROW_REFUND] = refund
    if live and line[_QTY]:
        row[_ROW_COUNT] = line[_QTY]
    if line[_TITLE]:
        row[_ROW_TITLE] = line[_TITLE]
    return tuple(row)


class Touched:
    """The order numbers an import of items names, in a temporary table (on disk with
    the import's ``temp_store = FILE``), not in a Python set."""

    def __init__(self, journal) -> None:
        self.conn = journal.conn
        self.conn.execute("DROP TABLE IF EXISTS temp.line_orders")
        # appended to, not indexed (an order named twice is twice in it): by far the
        # cheapest write; the derivation reads it once, through the orders' key
        self.conn.execute("CREATE TEMP TABLE line_orders (order_id TEXT)")
        self.any = False

    def add(self, order_ids) -> None:
        """Order numbers of a batch's lines (an order's lines are mostly together)."""
        ids = dict.fromkeys(order_ids)
        if ids:
            self.any = True
            self.conn.executemany("INSERT INTO temp.line_orders VALUES (?)",
                                  ((i,) for i in ids))

    def batch(self, top: int, orders: list, derive: list, lines_before: int) -> int:
        """After a batch's orders and lines: the orders the lines must decide after the
        rows. ``orders``: the numbers of the orders the batch sent, ``derive``: those
        of the orders the reader could not send with what their lines say; of the ones
        it did, an order the journal had already (the fill left the lines' columns
        alone) or with lines from before the file (``lines_before``: the highest line id
        then). ``top``: the orders' highest rowid before the batch; returns it after."""
        now = self.conn.execute("SELECT coalesce(max(rowid), 0) FROM orders").fetchone()[0]
        self.add(derive)
        if now - top != len(orders):  # not each one inserted: the others' lines decide
            new = {r[0] for r in self.conn.execute(
                "SELECT order_id FROM orders WHERE rowid > ? AND rowid <= ?", [top, now])}
            once: set = set()
            again = {o for o in orders if o in once or once.add(o)}
            self.add(o for o in orders if o not in new or o in again)
        if lines_before and now > top:
            # a new order's lines from before the file (they waited for it) count too
            if self.conn.execute(
                    "INSERT INTO temp.line_orders SELECT o.order_id FROM orders o "
                    "WHERE o.rowid > ? AND o.rowid <= ? AND EXISTS (SELECT 1 FROM order_lines "
                    "l WHERE l.order_id = o.order_id AND l.platform = o.platform "
                    "AND l.id <= ?)", [top, now, lines_before]).rowcount:
                self.any = True
        return now

    def close(self) -> None:
        self.conn.execute("DROP TABLE IF EXISTS temp.line_orders")
        self.conn.execute("DROP TABLE IF EXISTS temp.derive")
        self.conn.execute("DROP TABLE IF EXISTS temp.named")


# A line that will not ship as ordered (closed, a refund asked for or paid), of table l:
# the partial index order_lines_refunding repeats these words. An order with one says so
# (m0089: ``orders.lines_refunding``), looked up in that index.
_REFUNDING_L = ("(l.status = 'closed' OR l.refund_status IN ('requested', 'returning', "
                "'refunded') OR l.refund_fen > 0)")
_HAS_REFUNDING = ("EXISTS (SELECT 1 FROM order_lines l INDEXED BY order_lines_refunding "
                  "WHERE l.order_id = {order} AND l.platform = {platform} AND "
                  f"{_REFUNDING_L})")


def _mark_refunding(conn, import_id: int, lines_before: int, absent: bool) -> None:
    """``orders.lines_refunding`` after an import of lines (m0089), from the lines it wrote
    (a line's ``import_id`` is the last import that changed it; their index): an order
    with such a line that will not ship as ordered says so; an order with an older line
    that now ships after all is counted again from its lines. The orders still absent
    whose lines it wrote are noted again in ``lines_refunding_waiting`` when a line of
    theirs will not ship as ordered (``absent``: the file named such orders)."""
    imp = {"imp": import_id, "before": lines_before}
    written = ("FROM order_lines l INDEXED BY order_lines_import "
               "JOIN orders o ON o.order_id = l.order_id AND o.platform = l.platform "
               "WHERE l.import_id = :imp")
    conn.execute("UPDATE orders SET lines_refunding = 1 WHERE lines_refunding = 0 AND rowid IN "
                 f"(SELECT o.rowid {written} AND {_REFUNDING_L})", imp)
    has = _HAS_REFUNDING.format(order="orders.order_id", platform="orders.platform")
    conn.execute(f"UPDATE orders SET lines_refunding = {has} WHERE lines_refunding = 1 "
                 f"AND rowid IN (SELECT o.rowid {written} AND l.id <= :before "
                 f"AND {_REFUNDING_L} IS NOT 1) AND NOT {has}", imp)
    if absent:
        gone = ("SELECT DISTINCT l.order_id, l.platform FROM order_lines l "
                "INDEXED BY order_lines_import WHERE l.import_id = :imp AND NOT EXISTS "
                "(SELECT 1 FROM orders o WHERE o.order_id = l.order_id "
                "AND o.platform = l.platform)")
        conn.execute(f"DELETE FROM lines_refunding_waiting WHERE (order_id, platform) IN "
                     f"({gone})", imp)
        conn.execute(f"INSERT OR IGNORE INTO lines_refunding_waiting SELECT g.order_id, "
                     f"g.platform FROM ({gone}) g WHERE "
                     + _HAS_REFUNDING.format(order="g.order_id", platform="g.platform"), imp)


def refunding_orders_arrived(journal) -> None:
    """After an import that inserted orders: those whose lines came first and will not
    all ship as ordered (``lines_refunding_waiting``, m0089) say so now."""
    conn = journal.conn
    if not conn.execute("SELECT 1 FROM lines_refunding_waiting LIMIT 1").fetchone():
        return
    conn.execute("UPDATE orders SET lines_refunding = 1 FROM lines_refunding_waiting w "
                 "WHERE orders.order_id = w.order_id AND orders.platform = w.platform")
    conn.execute("DELETE FROM lines_refunding_waiting WHERE EXISTS (SELECT 1 FROM orders o "
                 "WHERE o.order_id = lines_refunding_waiting.order_id "
                 "AND o.platform = lines_refunding_waiting.platform)")


def derive_orders(journal, platform: str, import_id: int, from_lines: bool, *,
                  lines_before: int) -> int:
    """After an import of items: the orders only lines speak for (of those the file named,
    :class:`Touched`) take their status, amount, refund, item count and title from
    their lines; ``from_lines`` (a file with a row per item and no order-level title):
    every order of the file takes its title and item count from its lines. The title
    is the first line still to be had, the count the sum of those lines' quantities.
    Returns how many of the file's lines wait for an order the journal does not have
    yet (their order export, or an item report with the order's times, brings it).
    ``lines_before``: the highest line id before the file (its lines are the ones
    after); the orders' ``lines_refunding`` is kept here too (:func:`_mark_refunding`)."""
    conn = journal.conn
    p = {"p": platform}
    # each order once, in the orders' key order: the lookups below walk the key's pages
    # in order instead of at random
    conn.execute("DROP TABLE IF EXISTS temp.named")
    conn.execute("CREATE TEMP TABLE named AS SELECT DISTINCT order_id FROM temp.line_orders "
                 "ORDER BY order_id")
    # the orders the journal has, by rowid: each slice below reads and writes
    # neighbouring pages of the orders table (by order number every update was a random
    # page); ``lines``: only its lines speak for it
    conn.execute("DROP TABLE IF EXISTS temp.derive")
    conn.execute("CREATE TEMP TABLE derive (rid INTEGER PRIMARY KEY, lines INTEGER)")
    known = conn.execute(
        "INSERT OR IGNORE INTO temp.derive SELECT o.rowid, o.status_from = 'lines' "
        "FROM temp.named t JOIN orders o ON o.order_id = t.order_id AND o.platform = :p",
        p).rowcount
    waiting = 0
    if known < conn.execute("SELECT count(*) FROM temp.named").fetchone()[0]:
        waiting = conn.execute(
            "SELECT count(*) FROM temp.named t "
            "JOIN order_lines l ON l.order_id = t.order_id AND l.platform = :p "
            "WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_id = t.order_id "
            "AND o.platform = :p)", p).fetchone()[0]
    _mark_refunding(conn, import_id, lines_before, waiting > 0)
    conn.execute("DROP TABLE temp.named")
    if not from_lines:
        conn.execute("DELETE FROM temp.derive WHERE NOT lines")
    lo = 0
    while True:
        row = conn.execute("SELECT rid FROM temp.derive WHERE rid > ? ORDER BY rid "
                           "LIMIT 1 OFFSET ?", [lo, SLICE - 1]).fetchone()
        hi = row[0] if row else conn.execute("SELECT coalesce(max(rid), 0) FROM temp.derive"
                                             ).fetchone()[0]
        if hi <= lo:
            break
        conn.execute(_UPDATE, {"lo": lo, "hi": hi, "import_id": import_id})
        lo = hi
    return waiting
