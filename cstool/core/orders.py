"""The orders table: an order as the contract's object, one order, a listing, its lines.

An order is its platform and its number (``orders (order_id, platform)``); the
number alone names it unless two platforms have it (then the scope's platform, or
``--platform``, says which). Every routine that reads an order by its number goes
through :func:`require`; the full picture of one order (``orders show``) is the app
layer's (:mod:`cstool.app.order_view`), which asks each routine for its part.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Optional

from cstool.core.clock import DEFAULT_TZ, from_db, to_db, zone
from cstool.core.errors import BadUsage, NotFound, message
from cstool.core.i18n import _
from cstool.core.limits import order_number
from cstool.core.values import Address, Day, Instant, Money, Name, OrderText, Phone
from cstool.core.vocab import PLATFORM, REFUNDING
from cstool.core.where import Where, limit_sql

# The columns of a listing; what platforms and shops brought comes last (scripts that
# read the CSV by position keep their columns).
LIST_COLUMNS = ("order_id", "buyer", "status", "amount", "created_at", "paid_at", "shipped_at",
                "courier", "tracking_no", "flag", "seller_memo", "platform", "shop", "ship_by")
DEFAULT_PLATFORM = "taobao"

# The orders still to pay or ship with an open hold (``held``: kept by triggers on the
# holds); the partial index orders_live_held (m0088) repeats these words.
def live_held(t: str) -> str:
    """The terms naming the orders of ``orders_live_held``, of table (alias) ``t``."""
    return f"{t}.held > 0 AND {t}.status IN ('unpaid', 'paid', 'part_shipped')"


def ref(platform: Optional[str], order_id: str) -> str:
    """The order as a key of reminders and sheet rows: its number (a Taobao order, as
    before there were platforms), else ``platform:number``."""
    if not platform or platform == DEFAULT_PLATFORM:
        return order_id
    return f"{platform}:{order_id}"


def instant(v: Optional[str]) -> Optional[Instant]:
    """A stored instant as a typed value (None stays None)."""
    return Instant(v) if v else None


def created_day_only(order_id: str, created_at: Optional[str], tz: Any) -> bool:
    """Whether ``created_at`` is only the day the order number starts with, not a time an
    export gave: a PDD row with no time (``261123-…``) is dated the shop's midnight of
    that day (docs/import.md). ``tz``: the shop's zone (a tzinfo). The next export with
    the order's time replaces it; a real order made at 00:00:00 that day reads as
    day-only, which is what the journal can know of it anyway."""
    if not created_at or len(order_id) < 8 or order_id[6] != "-" \
            or not order_id[:6].isdigit():
        return False
    local = from_db(created_at).astimezone(tz)
    return (local.hour, local.minute, local.second) == (0, 0, 0) and \
        f"{local.year % 100:02d}{local.month:02d}{local.day:02d}" == order_id[:6]


def created(order_id: str, created_at: Optional[str], tz: Any) -> tuple[Optional[Instant], str]:
    """``(created_at as a value, its precision)``: a :class:`Day` and ``"day"`` when it is
    only the day of the order number, else an Instant and ``"second"``."""
    if created_at and created_day_only(order_id, created_at, tz):
        return Day(created_at), "day"
    return instant(created_at), "second"


def _money(v: Optional[int]) -> Optional[Money]:
    return Money(v) if v is not None else None


def ship_by(r, policy: Any) -> Optional[str]:
    """The ship-by time in force for an orders row: the export's own, else payment (or
    creation, when the export has no payment time) plus its shop's
    ``ship_deadline_hours``; None for an order never paid."""
    if r["ship_by"]:
        return r["ship_by"]
    if policy is None or (r["status"] in ("unpaid", "closed") and not r["paid_at"]):
        return None
    base = r["paid_at"] or r["created_at"]
    hours = policy.get("ship_deadline_hours", r["shop"])
    return to_db(from_db(base) + timedelta(hours=int(hours)))


def present(r, policy: Any = None) -> dict:
    """An orders row as the contract's order object (plus a few more keys). ``policy``
    gives the ship-by time in force when the export has none of its own; a row's
    ``lines_refunding`` (m0089) says whether a line will not ship as ordered."""
    total = r["total_fen"] if r["total_fen"] is not None else r["paid_fen"]
    lines_refunding = bool(r["lines_refunding"])
    refund = r["refund_fen"]
    due = ship_by(r, policy)
    made, precision = created(r["order_id"], r["created_at"],
                              zone(policy.get("timezone") if policy is not None else DEFAULT_TZ))
    return {
        "order_id": r["order_id"],
        "platform": r["platform"],
        "shop": r["shop"],
        "buyer": r["buyer"],
        "status": r["status"],
        "amount": _money(total),
        "created_at": made,
        "created_at_precision": precision,
        "paid_at": instant(r["paid_at"]),
        "ship_by": instant(due),
        "ship_by_source": ("export" if r["ship_by"] else "policy") if due else None,
        "shipped_at": instant(r["shipped_at"]),
        "courier": r["courier"],
        "tracking_no": r["tracking_no"],
        "seller_memo": (OrderText(r["seller_memo"], [r["receiver_name"]]) if r["seller_memo"]
                        else r["seller_memo"]),
        "flag": r["flag"],
        "paid_amount": _money(r["paid_fen"]),
        "postage": _money(r["postage_fen"]),
        "refund_amount": _money(refund),
        "part_refunded": r["status"] != "closed" and (bool(refund) or lines_refunding),
        "close_reason": r["close_reason"],
        "item_title": r["item_title"],
        "item_count": r["item_count"],
        "sku": r["sku"],
        "buyer_message": (OrderText(r["buyer_message"], [r["receiver_name"]])
                          if r["buyer_message"] else r["buyer_message"]),
        "invoice_title": r["invoice_title"],
        "brushing": bool(r["brushing"]),
        "receiver_name": Name(r["receiver_name"]) if r["receiver_name"] else None,
        "receiver_phone": Phone(r["receiver_phone"]) if r["receiver_phone"] else None,
        "receiver_address": Address(r["receiver_address"]) if r["receiver_address"] else None,
    }


def list_orders(ctx, *, statuses: Sequence[str] = (), since: Optional[str] = None,
                until: Optional[str] = None, buyer: Optional[str] = None,
                limit: Optional[int] = 50) -> list[dict]:
    """Orders in ``ctx.scope``, newest first; ``since``/``until`` are journal instants on
    the creation time."""
    w = (Where().any_of("o.status", list(statuses)).since("o.created_at", since)
         .until("o.created_at", until).eq("o.buyer", buyer).scope(ctx.scope, orders="o"))
    sql = ("SELECT o.* FROM orders o" + w.sql()
           + " ORDER BY o.created_at DESC, o.order_id DESC" + limit_sql(limit))
    return [present(r, ctx.policy) for r in ctx.journal.query(sql, w.params)]


def _number(order_id: str) -> str:
    try:
        return order_number(str(order_id).strip())
    except ValueError as e:
        raise BadUsage(message(e)) from None


def require(journal, order_id: str, scope: Any = None):
    """The orders row, or a NotFound naming the order.

    ``scope`` (a :class:`~cstool.core.context.Scope`) narrows it to a platform or shop.
    A number two platforms have is ambiguous without one: BadUsage naming them and
    ``--platform``. BadUsage too when ``order_id`` cannot be an order number at all
    (300 digits, a formula, letters of another script).
    """
    oid = _number(order_id)
    w = Where().eq("o.order_id", oid).scope(scope, orders="o")
    rows = journal.query("SELECT o.* FROM orders o"
                         + w.sql() + " ORDER BY o.platform", w.params)
    if len(rows) == 1:
        return rows[0]
    if rows:
        names = ", ".join(r["platform"] for r in rows)
        raise BadUsage(_("order {order} is in the journal on several platforms ({names}): say "
                         "which with --platform").format(order=oid, names=names),
                       option="--platform")
    where = f" ({scope.words()})" if scope else ""
    others = journal.query("SELECT platform, shop FROM orders WHERE order_id = ?", [oid]) \
        if scope else []
    if others:
        elsewhere = ", ".join(f"{r['platform']}" + (f" shop {r['shop']}" if r["shop"] else "")
                              for r in others)
        raise NotFound(_("no order {order}{where} in the journal; it has {oid} on {elsewhere}")
                       .format(order=order_id, where=where, oid=oid, elsewhere=elsewhere))
    raise NotFound(_("no order {order}{where} in the journal (import the shop's export first)")
                   .format(order=order_id, where=where))


def shops(journal) -> list[str]:
    """The shops the journal knows: its orders', those named on an import (``--shop``)
    and those with a policy of their own."""
    names = {r[0] for r in journal.query(
        "SELECT DISTINCT shop FROM orders WHERE shop IS NOT NULL "
        "UNION SELECT shop FROM imports WHERE shop IS NOT NULL "
        "UNION SELECT shop FROM shop_policy")}
    return sorted(n for n in names if n)


def platform_of(journal, order_id: Optional[str], scope: Any = None) -> Optional[str]:
    """The platform of the order the journal has under this number (None: none, or the
    number is on several platforms and the scope does not say which)."""
    if not order_id:
        return None
    w = Where().eq("order_id", order_id).scope(scope)
    rows = journal.query("SELECT platform FROM orders" + w.sql(), w.params)
    return rows[0][0] if len(rows) == 1 else (scope.platform if scope is not None else None)


def buyer_of(journal, order_id: str, platform: Optional[str] = None) -> Optional[str]:
    """Who placed the order (None when the journal does not know the order or its buyer)."""
    w = Where().eq("order_id", order_id).eq("platform", platform)
    return journal.scalar("SELECT buyer FROM orders" + w.sql() + " LIMIT 1", w.params)


def known(journal, order_id: Optional[str], platform: Optional[str] = None) -> bool:
    """Whether the journal has the order (a blank number is nobody's to check)."""
    if not order_id:
        return True
    w = Where().eq("order_id", order_id).eq("platform", platform)
    return journal.one("SELECT 1 FROM orders" + w.sql(), w.params) is not None


def lines(journal, order_id: str, platform: str) -> list[dict]:
    """The order's lines (子订单) as the contract's items, in the export's order."""
    return [{
        "sub_order_id": r["sub_order_id"],
        "title": r["title"],
        "sku": r["sku"],
        "merchant_code": r["merchant_code"],
        "quantity": r["quantity"],
        "price": _money(r["price_fen"]),
        "status": r["status"],
        "refund_status": r["refund_status"],
        "refund_amount": _money(r["refund_fen"]),
        "item_id": r["item_id"],
        "paid_amount": _money(r["paid_fen"]),
        "compensation": _money(r["compensation_fen"]),
    } for r in journal.query("SELECT * FROM order_lines WHERE order_id = ? AND platform = ? "
                             "ORDER BY id", [order_id, platform])]


def refunding(line: dict) -> bool:
    """A line that will not (all) ship as ordered: closed, a refund asked for or paid."""
    return (line["status"] == "closed" or line["refund_status"] in REFUNDING
            or bool(line["refund_amount"]))


def platform_word(value: Optional[str]) -> Optional[str]:
    """A ``--platform`` value (English or Chinese) as the journal's word."""
    return PLATFORM(value) if value else None
