"""Shipcheck's rows: what each check says about one order, for people and scripts.

:mod:`cstool.shipcheck.checks` finds the orders; here each becomes its row: the
deadline in force (the export's own ship-by time, else payment plus the shop's
``ship_deadline_hours``), the batch it goes out in, holds and presale dates, parcels
that stalled, brushing orders that shipped, and the lines of a partly refunded order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Optional

from cstool.core import text
from cstool.core.clock import iter_manual_dates, to_db
from cstool.core.i18n import M_
from cstool.core.values import Instant, format_money

if TYPE_CHECKING:
    from cstool.shipcheck.rules import Rules


def _when(rules: Rules, value: datetime | str) -> str:
    return rules.clock.local(value).strftime("%Y-%m-%d %H:%M")


def _created_when(rules: Rules, r) -> str:
    """The order's creation as a detail says it: the date alone (``--:--``) when the
    export gave only the day of its number (PDD), whose midnight the deadline counts from."""
    from cstool.core.orders import created_day_only

    if created_day_only(r["order_id"], r["created_at"], rules.clock.tz):
        return rules.clock.local(r["created_at"]).strftime("%Y-%m-%d --:--")
    return _when(rules, r["created_at"])


class _Hours(str):
    """A length of hours in a detail: ``8.0 h`` as its value (JSON, the journal, robot
    messages keep it), shown as people read one: ``8小时``, ``19小时36分`` (``8 h``)."""

    def __new__(cls, hours: float):
        obj = super().__new__(cls, f"{abs(hours):.1f} h")
        obj.hours = abs(hours)
        return obj

    def shown(self) -> str:
        from cstool.core.human import duration  # only when a detail is read

        return duration(self.hours * 60)


def _h(hours: float) -> str:
    return _Hours(hours)


def row(rules: Rules, r, check: str, due: datetime, detail: str,
        owner: Optional[str] = None, deadline: Optional[str] = None) -> dict:
    """A row; ``deadline``: what set the ship deadline it is judged by (``export``: the
    export's own ship-by time, ``policy``: the shop's hours from payment)."""
    keys = r.keys()
    return {"order_id": r["order_id"], "platform": r["platform"], "shop": r["shop"],
            "buyer": r["buyer"], "check": check, "due_at": Instant(to_db(due)),
            "hours_left": rules.hours_left(due), "detail": detail, "owner": owner,
            "ship_by_source": deadline,
            "part_refunded": bool(r["part_refunded"]) if "part_refunded" in keys else False}


def _clock_start(rules: Rules, r) -> str:
    if r["paid_at"]:
        return M_("paid {at}", at=_when(rules, r["paid_at"]))
    return M_("created {at} (the export has no payment time: counted from creation)",
        at=_created_when(rules, r))


def owner_of(hs: Optional[Iterable]) -> Optional[str]:
    for h in hs or ():
        if h["kind"] == "owner":
            return h["owner"]
    return None


def _with_owner(detail: str, owner: Optional[str], status: str) -> str:
    if status == "part_shipped":
        detail += M_(" Part of it has shipped: send the rest.")
    if owner:
        detail += M_(" Only {owner} handles this order (必须由{owner}负责处理).", owner=owner)
    return detail


def deadline_of(rules: Rules, r) -> tuple[datetime, str]:
    """When the order must ship, and what says so: the export's own ship-by time, else
    the shop's deadline from payment (``72 h``)."""
    if r["ship_by"]:
        return rules.clock.local(r["ship_by"]), M_("the export's ship-by time")
    return rules.deadline(rules.clock.local(r["base"])), M_("the {hours} h deadline",
        hours=rules.deadline_hours)


def deadline_time(rules: Rules, r) -> datetime:
    """:func:`deadline_of`'s time, without the words saying what set it (a backlog sorts
    thousands of orders by it)."""
    return (rules.clock.local(r["ship_by"]) if r["ship_by"] else
            rules.deadline(rules.clock.local(r["base"])))


def deadline_check(rules: Rules, r) -> str:
    """overdue / due_soon / ship_today for a waiting order: its ship-by time, else the
    start of its clock, against the instants the deadline buckets' SQL compares it with
    (:attr:`Rules.edges`), so that an order is judged here as its bucket counted it (and
    a backlog judges thousands without a date conversion each)."""
    over, soon, now, soon_by = rules.edges
    by = r["ship_by"]
    if by:
        return "overdue" if by < now else "due_soon" if by <= soon_by else "ship_today"
    base = r["base"]
    return "overdue" if base < over else "due_soon" if base <= soon else "ship_today"


def deadline_row(rules: Rules, r, check: str, hs, note: str = "") -> dict:
    base = rules.clock.local(r["base"])
    due, what = deadline_of(rules, r)
    left = rules.hours_left(due)
    start = _clock_start(rules, r)
    if check == "overdue":
        detail = M_("{start}; {what} passed {at} ({late} late): have it shipped now (联系物流部) "
                    "and tell the buyer.", start=start, what=what, at=_when(rules, due),
                    late=_h(left))
    elif check == "due_soon":
        values = {"start": start, "at": _when(rules, due), "left": _h(left)}
        detail = (M_("{start}; must ship by {at} ({left} left): push it into the next batch.",
                     **values) if not r["ship_by"] else
                  M_("{start}; the export says ship by {at} ({left} left): push it into the next "
                     "batch.", **values))
    else:
        day = rules.batch_day(base)
        due = rules.at(day, rules.dispatch)
        before = day == base.date()
        batch = {rules.today: M_("today's"), rules.today + timedelta(1): M_("tomorrow's"),
                 rules.today - timedelta(1): M_("yesterday's")}.get(
            day, M_("the {day}", day=day.isoformat()))
        detail = (M_("{start}, before the {cutoff} cutoff: ", start=start, cutoff=rules.cutoff)
                  if before else
                  M_("{start}, after the {cutoff} cutoff: ", start=start, cutoff=rules.cutoff))
        detail += (M_("goes out in {batch} batch, sealed by {dispatch}.", batch=batch,
                      dispatch=rules.dispatch) if due >= rules.now else
                   M_("it missed {batch} batch (sealed {dispatch}): ship it first.", batch=batch,
                      dispatch=rules.dispatch))
    detail = (note + " " if note else "") + detail
    owner = owner_of(hs)
    return row(rules, r, check, due, _with_owner(detail, owner, r["status"]), owner,
               "export" if r["ship_by"] else "policy")


_PRESALE_DATE_TAIL = text.Lazy(r"^\s*(?:开始)?发")


def presale_date(info: Optional[str], ref: datetime) -> Optional[date]:
    """The ship date in an export's presale text (``预售12月1日发货``), or None."""
    if not info:
        return None
    found = list(iter_manual_dates(info, ref, prefer="future"))
    for md in found:  # the date the text says it ships on, else the last one
        if _PRESALE_DATE_TAIL.match(info[md.end:]):
            return md.as_datetime(ref.tzinfo).date()
    return found[-1].as_datetime(ref.tzinfo).date() if found else None


def _is_presale(r) -> bool:
    return bool(r["presale_info"]) or "预售" in (r["item_title"] or "")


def hold_dates(rules: Rules, r, hs, words: bool = True) -> list[tuple[date, Optional[str]]]:
    """The dates that hold an order back, each with what set it (None without ``words``:
    a count needs the dates only)."""
    out: list[tuple[date, Optional[str]]] = []
    for h in hs:
        if h["kind"] in ("until", "presale") and h["until"]:
            what = None
            if words:
                what = (M_("presale, ships {day}", day=h["until"]) if h["kind"] == "presale"
                        else M_("held until {day}", day=h["until"]))
                what += f" ({h['note']})" if h["note"] else ""
            out.append((date.fromisoformat(h["until"]), what))
    if not any(h["kind"] == "presale" for h in hs) and _is_presale(r):
        created = rules.clock.local(r["created_at"])
        day = presale_date(r["presale_info"], created)
        if day:
            what = None
            if words:
                what = M_("presale, ships {day}", day=day.isoformat()) + f" ({r['presale_info']})"
            out.append((day, what))
        elif rules.presale_date:
            what = None
            if words:
                what = (M_("presale, ships {day}", day=rules.presale_date.isoformat())
                        + " (" + M_("policy presale_ship_date") + ")")
            out.append((rules.presale_date, what))
    return out


def _line_words(line) -> str:
    what = " ".join(x for x in (line["title"], line["sku"]) if x) or M_("a line")
    return what + f" ×{line['quantity']}" if line["quantity"] else what


def _refunded_lines(r, lines: list) -> tuple[list, list, int]:
    """The lines refunded or asked for, the lines left to ship, the amount refunded."""
    from cstool.core.vocab import REFUNDING

    out = [ln for ln in lines if ln["status"] == "closed" or ln["refund_status"] in REFUNDING
           or ln["refund_fen"]]
    ship = [ln for ln in lines if ln not in out and ln["status"] in (None, "paid", "part_shipped")]
    return out, ship, r["refund_fen"] or sum(ln["refund_fen"] or 0 for ln in out)


def _anything_to_ship(r, lines: list) -> bool:
    """Whether anything is left to ship (every line refunded or asked for: nothing), the
    decision :func:`refund_note` words."""
    if not lines:
        return True
    out, ship, refunded = _refunded_lines(r, lines)
    return not (out or refunded) or bool(ship)


def refund_note(r, lines: list) -> tuple[Optional[str], bool]:
    """For a partly refunded order: what to say, and whether anything is left to ship
    (every line refunded or asked for: nothing)."""
    if not _anything_to_ship(r, lines):
        return None, False
    out, ship, refunded = _refunded_lines(r, lines)
    if not out and not refunded:
        return None, True
    money = M_(" (¥{amount} refunded)", amount=format_money(refunded)) if refunded else ""
    if not lines:
        return M_("Part of it was refunded{money}: ship what is left.", money=money), True
    return (M_("{n} of {total} lines refunded or asked for{money}: ship only {lines}.",
        n=len(out), total=len(lines), money=money,
        lines="; ".join(_line_words(ln) for ln in ship)), True)


def special_check(rules: Rules, r, hs: list, lines: list) -> Optional[tuple[str, Optional[datetime]]]:
    """What :func:`special_row` decides, without its row: ``(check, due)``, ``due`` the
    row's deadline for ``hold_due`` (what those rows are sorted by), else None; None when
    it makes no row. A backlog counts thousands of such orders and shows fifty."""
    if r["refunding"]:
        return None
    if not _anything_to_ship(r, lines):
        return None
    if any(h["kind"] == "waiting_buyer" for h in hs):
        return "waiting_buyer", None
    dates = hold_dates(rules, r, hs, words=False)
    if dates:
        day = max(d for d, _ in dates)
        return None if day > rules.today else ("hold_due", rules.at(day, rules.dispatch))
    return deadline_check(rules, r), None


def special_row(rules: Rules, r, hs: list, lines: list) -> Optional[dict]:
    """Held, presale, partly refunded and refunding orders: their own rules, else the
    deadline's."""
    if r["refunding"]:
        return None  # a refund was asked for: never asked to ship
    refund, anything = refund_note(r, lines)
    if not anything:
        return None  # every line refunded or asked for: nothing left to ship
    owner = owner_of(hs)
    for h in hs:
        if h["kind"] == "waiting_buyer":
            due, what = deadline_of(rules, r)
            left = rules.hours_left(due)
            asked = f" ({h['note']})" if h["note"] else ""
            state = (M_("{what} passed {at}", what=what, at=_when(rules, due))
                     if left < 0 else M_("it must ship by {at} ({left} left)",
                         at=_when(rules, due), left=_h(left)))
            detail = M_("waiting for the buyer's answer since {since}{asked}; {state}: ask "
                       "again, or agree a date and remark it (XX日发货).",
                since=_when(rules, h["held_at"]), asked=asked, state=state)
            return row(rules, r, "waiting_buyer", due, _with_owner(detail, owner, r["status"]),
                       owner, "export" if r["ship_by"] else "policy")
    dates = hold_dates(rules, r, hs)
    if dates:
        day, why = max(dates)
        if day > rules.today:
            return None
        due = rules.at(day, rules.dispatch)
        late = "" if day == rules.today else M_(", due since {day}", day=day.isoformat())
        detail = M_("{why}{late}: ship it in today's batch (sealed by {dispatch}).",
            why=why, late=late, dispatch=rules.dispatch)
        if refund:
            detail += " " + refund
        return row(rules, r, "hold_due", due, _with_owner(detail, owner, r["status"]), owner)
    note = (M_("Presale order with no ship date (set one: remark add --kind hold, or policy "
              "presale_ship_date);") if _is_presale(r) else "")
    if refund:
        note = note + " " + refund if note else refund
    return deadline_row(rules, r, deadline_check(rules, r), hs, note)


def _transit_start(rules: Rules, r) -> str:
    if r["shipped_at"]:
        return M_("shipped {at}", at=_when(rules, r["shipped_at"]))
    if r["paid_at"]:
        return M_("shipped ~{at} (the export has no ship time: payment time used)",
            at=_when(rules, r["paid_at"]))
    return M_("shipped ~{at} (no ship or payment time: creation time used)",
        at=_created_when(rules, r))


def _parcel(r) -> str:
    parts = [p for p in (r["courier"], r["tracking_no"]) if p]
    return " ".join(parts) if parts else M_("no tracking number on record")


def stalled_row(rules: Rules, r, exception: Optional[str]) -> dict:
    base = rules.clock.local(r["base"])
    due = base + timedelta(days=rules.stalled_days)
    days = (rules.now - base).days
    detail = M_("{shipped}, {parcel}; not signed after {days} days: chase the courier and extend "
               "the buyer's confirm-receipt time (延长收货时间).",
        shipped=_transit_start(rules, r), parcel=_parcel(r), days=days)
    if exception:
        detail += " " + exception
    return row(rules, r, "stalled", due, detail)


def brush_row(rules: Rules, r) -> dict:
    base = rules.clock.local(r["base"])
    detail = M_("brushing order (刷单) {shipped}, {parcel}: it must never ship; have the courier "
               "recall the parcel (撤回) and find out how it left.",
        shipped=_transit_start(rules, r), parcel=_parcel(r))
    return row(rules, r, "brush_shipped", base, detail)


def due_key(rules: Rules, check: str, r) -> str:
    """How a check's rows are ordered: overdue and due soon by their deadline, the rest
    by when their clock started."""
    if check in ("overdue", "due_soon"):
        return to_db(deadline_time(rules, r))
    return r["base"]
