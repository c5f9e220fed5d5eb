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
from cstool.core.values import Instant, format_money

if TYPE_CHECKING:
    from cstool.shipcheck.checks import Rules


def _when(rules: Rules, value: datetime | str) -> str:
    return rules.clock.local(value).strftime("%Y-%m-%d %H:%M")


def _h(hours: float) -> str:
    return f"{abs(hours):.1f} h"


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
        return f"paid {_when(rules, r['paid_at'])}"
    return (f"created {_when(rules, r['created_at'])} (the export has no payment time: "
            f"counted from creation)")


def owner_of(hs: Optional[Iterable]) -> Optional[str]:
    for h in hs or ():
        if h["kind"] == "owner":
            return h["owner"]
    return None


def _with_owner(detail: str, owner: Optional[str], status: str) -> str:
    if status == "part_shipped":
        detail += " Part of it has shipped: send the rest."
    if owner:
        detail += f" Only {owner} handles this order (必须由{owner}负责处理)."
    return detail


def deadline_of(rules: Rules, r) -> tuple[datetime, str]:
    """When the order must ship, and what says so: the export's own ship-by time, else
    the shop's deadline from payment (``72 h``)."""
    if r["ship_by"]:
        return rules.clock.local(r["ship_by"]), "the export's ship-by time"
    return rules.deadline(rules.clock.local(r["base"])), f"the {rules.deadline_hours} h deadline"


def deadline_check(rules: Rules, r) -> str:
    """overdue / due_soon / ship_today for a waiting order."""
    due, _ = deadline_of(rules, r)
    left = due - rules.now
    if left < timedelta(0):
        return "overdue"
    if left <= timedelta(hours=rules.within_hours):
        return "due_soon"
    return "ship_today"


def deadline_row(rules: Rules, r, check: str, hs, note: str = "") -> dict:
    base = rules.clock.local(r["base"])
    due, what = deadline_of(rules, r)
    left = rules.hours_left(due)
    start = _clock_start(rules, r)
    if check == "overdue":
        detail = (f"{start}; {what} passed {_when(rules, due)} ({_h(left)} late): "
                  f"have it shipped now (联系物流部) and tell the buyer.")
    elif check == "due_soon":
        by = "must ship by" if not r["ship_by"] else "the export says ship by"
        detail = f"{start}; {by} {_when(rules, due)} ({_h(left)} left): push it into the next batch."
    else:
        day = rules.batch_day(base)
        due = rules.at(day, rules.dispatch)
        side = "before" if day == base.date() else "after"
        batch = {rules.today: "today's", rules.today + timedelta(1): "tomorrow's",
                 rules.today - timedelta(1): "yesterday's"}.get(day, f"the {day.isoformat()}")
        detail = f"{start}, {side} the {rules.cutoff} cutoff: "
        detail += (f"goes out in {batch} batch, sealed by {rules.dispatch}." if due >= rules.now
                   else f"it missed {batch} batch (sealed {rules.dispatch}): ship it first.")
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


def hold_dates(rules: Rules, r, hs) -> list[tuple[date, str]]:
    """The dates that hold an order back, each with what set it."""
    out = []
    for h in hs:
        if h["kind"] in ("until", "presale") and h["until"]:
            what = "presale, ships" if h["kind"] == "presale" else "held until"
            out.append((date.fromisoformat(h["until"]),
                        f"{what} {h['until']}" + (f" ({h['note']})" if h["note"] else "")))
    if not any(h["kind"] == "presale" for h in hs) and _is_presale(r):
        created = rules.clock.local(r["created_at"])
        day = presale_date(r["presale_info"], created)
        if day:
            out.append((day, f"presale, ships {day.isoformat()} ({r['presale_info']})"))
        elif rules.presale_date:
            out.append((rules.presale_date,
                        f"presale, ships {rules.presale_date.isoformat()} (policy presale_ship_date)"))
    return out


def _line_words(line) -> str:
    what = " ".join(x for x in (line["title"], line["sku"]) if x) or "a line"
    return f"{what} ×{line['quantity']}" if line["quantity"] else what


def refund_note(r, lines: list) -> tuple[Optional[str], bool]:
    """For a partly refunded order: what to say, and whether anything is left to ship
    (every line refunded or asked for: nothing)."""
    from cstool.core.vocab import REFUNDING

    out = [ln for ln in lines if ln["status"] == "closed" or ln["refund_status"] in REFUNDING
           or ln["refund_fen"]]
    ship = [ln for ln in lines if ln not in out and ln["status"] in (None, "paid", "part_shipped")]
    refunded = r["refund_fen"] or sum(ln["refund_fen"] or 0 for ln in out)
    if not out and not refunded:
        return None, True
    if lines and not ship:
        return None, False
    money = f" (¥{format_money(refunded)} refunded)" if refunded else ""
    if not lines:
        return f"Part of it was refunded{money}: ship what is left.", True
    return (f"{len(out)} of {len(lines)} lines refunded or asked for{money}: ship only "
            + "; ".join(_line_words(ln) for ln in ship) + ".", True)


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
            state = (f"{what} passed {_when(rules, due)}"
                     if left < 0 else f"it must ship by {_when(rules, due)} ({_h(left)} left)")
            detail = (f"waiting for the buyer's answer since {_when(rules, h['held_at'])}{asked}; "
                      f"{state}: ask again, or agree a date and remark it (XX日发货).")
            return row(rules, r, "waiting_buyer", due, _with_owner(detail, owner, r["status"]),
                       owner, "export" if r["ship_by"] else "policy")
    dates = hold_dates(rules, r, hs)
    if dates:
        day, why = max(dates)
        if day > rules.today:
            return None
        due = rules.at(day, rules.dispatch)
        late = "" if day == rules.today else f", due since {day.isoformat()}"
        detail = f"{why}{late}: ship it in today's batch (sealed by {rules.dispatch})."
        if refund:
            detail += " " + refund
        return row(rules, r, "hold_due", due, _with_owner(detail, owner, r["status"]), owner)
    note = ("Presale order with no ship date (set one: remark add --kind hold, or policy "
            "presale_ship_date);" if _is_presale(r) else "")
    if refund:
        note = (note + " " + refund).strip()
    return deadline_row(rules, r, deadline_check(rules, r), hs, note)


def _transit_start(rules: Rules, r) -> str:
    if r["shipped_at"]:
        return f"shipped {_when(rules, r['shipped_at'])}"
    if r["paid_at"]:
        return f"shipped ~{_when(rules, r['paid_at'])} (the export has no ship time: payment time used)"
    return f"shipped ~{_when(rules, r['created_at'])} (no ship or payment time: creation time used)"


def _parcel(r) -> str:
    parts = [p for p in (r["courier"], r["tracking_no"]) if p]
    return " ".join(parts) if parts else "no tracking number on record"


def stalled_row(rules: Rules, r, exception: Optional[str]) -> dict:
    base = rules.clock.local(r["base"])
    due = base + timedelta(days=rules.stalled_days)
    days = (rules.now - base).days
    detail = (f"{_transit_start(rules, r)}, {_parcel(r)}; not signed after {days} days: chase the "
              f"courier and extend the buyer's confirm-receipt time (延长收货时间).")
    if exception:
        detail += f" {exception}"
    return row(rules, r, "stalled", due, detail)


def brush_row(rules: Rules, r) -> dict:
    base = rules.clock.local(r["base"])
    detail = (f"brushing order (刷单) {_transit_start(rules, r)}, {_parcel(r)}: it must never ship; "
              f"have the courier recall the parcel (撤回) and find out how it left.")
    return row(rules, r, "brush_shipped", base, detail)


def due_key(rules: Rules, check: str, r) -> str:
    """How a check's rows are ordered: overdue and due soon by their deadline, the rest
    by when their clock started."""
    if check in ("overdue", "due_soon"):
        return to_db(deadline_of(rules, r)[0])
    return r["base"]
