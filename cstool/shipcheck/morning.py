"""Manual 000's morning routine (``shipcheck --morning``): yesterday's unshipped orders
first, then requests no remark marks as done, then open abnormal shipments."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Optional

from cstool.core.clock import from_db, span, to_db
from cstool.core.context import Scope
from cstool.core.i18n import M_, Message
from cstool.core.values import Instant
from cstool.core.vocab import COURIER_WORDS, word
from cstool.core.where import Where
from cstool.shipcheck.checks import (  # noqa: F401 (REQUEST: the web view reads it here)
    _BASE,
    _WAITING,
    REQUEST,
    Report,
    Rules,
    memo_entries,
    run,
)

MORNING_COLUMNS = ("section", "kind", "order_id", "buyer", "due_at", "hours_left", "detail")
SECTIONS = ("unshipped", "request", "exception")

# A request in a remark or a buyer's message, and a remark saying it is done.
_REQUEST = re.compile(r"要求|需要|请|麻烦|希望|务必|不要|指定|换|改|"
                      r"发\W{0,2}(?:" + "|".join(COURIER_WORDS) + ")")
_DONE = re.compile(r"已(?!催付|付款)|妥当|完成|办好|搞定|处理好|新地址为")
_THANKS = re.compile(r"[谢亲哦啦呀~～!！。.,，\s]+")


def morning(ctx, *, within_hours: float = 24.0, limit: Optional[int] = 50) -> Report:
    """Manual 000's morning routine, in its order (at most ``limit`` rows per section).

    1. ``unshipped``: orders paid before today still waiting to ship (and holds due);
    2. ``request``: waiting orders whose buyer message or remark asks for
       something that no remark says is done;
    3. ``exception``: open abnormal shipments, oldest first.
    """
    journal = ctx.journal
    rules = Rules.of(ctx.clock, ctx.policy, within_hours)
    before = to_db(ctx.clock.start_of(rules.today))
    ship = run(ctx, within_hours=within_hours, limit=limit, paid_before=before,
               only=("overdue", "due_soon", "hold_due", "ship_today"))
    unshipped = [{"section": "unshipped", "kind": r["check"], **{k: r[k] for k in (
        "order_id", "platform", "shop", "buyer", "due_at", "hours_left", "detail")}}
                 for r in ship.rows]
    requests = open_requests(journal, ctx.scope)
    exceptions = open_exceptions(journal, rules, ctx.scope)
    rows = unshipped + [r for part in (requests, exceptions)
                        for r in (part[:limit] if limit else part)]
    for r in rows:
        r.setdefault("exception_id", None)
    counts = {"unshipped": sum(ship.counts.values()), "request": len(requests),
              "exception": len(exceptions)}
    return Report(rows=rows, counts=counts, key="section", problems=ship.problems)


def open_requests(journal, scope: Optional[Scope] = None) -> list[dict]:
    """Waiting orders whose message or remarks ask for something no remark marks as done."""
    w = Where().scope(scope)
    rows = journal.query(f"""
        SELECT order_id, platform, shop, buyer, seller_memo, buyer_message FROM orders
        WHERE {_WAITING} AND brushing = 0 AND (buyer_message <> '' OR seller_memo <> '')
        {w.also()} ORDER BY {_BASE}, order_id""", w.params)
    agent: dict[tuple[str, str], list[str]] = {}
    for r in journal.query("SELECT order_id, platform, text FROM remarks "
                           "WHERE source <> 'platform' ORDER BY id"):
        agent.setdefault((r["order_id"], r["platform"]), []).append(r["text"])
    out = []
    for r in rows:
        texts = memo_entries(r["seller_memo"]) + [
            e for t in agent.get((r["order_id"], r["platform"]), []) for e in memo_entries(t)]
        if any(_DONE.search(t) for t in texts):
            continue
        message = (r["buyer_message"] or "").strip()
        if not _THANKS.sub("", message):
            message = ""
        asks = [t for t in texts if _REQUEST.search(t)]
        if not (message or asks):
            continue
        said = []
        if message:
            said.append(M_("the buyer wrote \u201c{message}\u201d", message=message))
        if asks:
            said.append(M_("the remark \u201c{remark}\u201d asks for something", remark=asks[-1]))
        kind = "buyer_message" if message else "remark"
        detail = (said[0] + M_(" and ") + said[1] if len(said) > 1 else said[0]) + M_(
            "; no remark says it is done: handle it and remark it before packing.")
        out.append({"section": "request", "kind": kind, "order_id": r["order_id"],
                    "platform": r["platform"], "shop": r["shop"], "buyer": r["buyer"],
                    "due_at": None, "hours_left": None, "detail": detail})
    return out


def _age(delta: timedelta) -> Message:
    if delta.days >= 1:
        return (M_("{days} days", days=delta.days) if delta.days > 1 else
                M_("{days} day", days=delta.days))
    return M_("{hours} h", hours=int(delta.total_seconds() // 3600))


def _instant(value: Optional[str]) -> Optional[Instant]:
    """A journal instant from the cases routine's table; None when absent or not one."""
    try:
        return Instant(to_db(from_db(value))) if value else None
    except ValueError:
        return None


def open_exceptions(journal, rules: Rules, scope: Optional[Scope] = None) -> list[dict]:
    """Open abnormal shipments (the cases routine's table), oldest first."""
    three_months_ago = rules.now - span(3, "m")  # by the calendar, as manual 000 counts
    out = []
    w = Where().scope(scope, orders="o")
    for e in journal.query(f"""
            SELECT e.id, e.order_id, e.platform, o.shop, e.kind, e.status, e.next_step,
                   e.due_at, e.opened_at, o.buyer FROM exceptions e
            LEFT JOIN orders o ON o.order_id = e.order_id AND o.platform = e.platform
            WHERE e.closed_at IS NULL{w.also()} ORDER BY e.opened_at, e.id""", w.params):
        opened, due = _instant(e["opened_at"]), _instant(e["due_at"])
        detail = M_("{kind} case #{id}, {status}", kind=word("exception kind", e["kind"]),
                    id=e["id"], status=word("exception status", e["status"]))
        if opened:
            age = rules.now - from_db(opened)
            detail += M_(", open {age}", age=_age(age))
            if from_db(opened) < three_months_ago:
                detail += M_(" (over three months: settle it first)")
        detail += (M_("; next: {step}.", step=e["next_step"]) if e["next_step"] else
                   M_("."))
        out.append({"section": "exception", "kind": e["kind"], "order_id": e["order_id"],
                    "platform": e["platform"], "shop": e["shop"], "buyer": e["buyer"],
                    "due_at": due,
                    "hours_left": rules.hours_left(from_db(due)) if due else None,
                    "detail": detail, "exception_id": e["id"]})
    return out

