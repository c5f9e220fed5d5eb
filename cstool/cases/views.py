"""Abnormal shipments read back: a case as the contract's object, one case with its course
and timeline, listings, and what is due (for cron and the handover sheet)."""


from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Optional

from cstool.cases.playbooks import (
    KIND,
    MONEY,
    OUTCOME,
    PAYER,
    RESOLUTION,
    STATUS,
    STEP,
)
from cstool.cases.present import _inst, present, shop_policy
from cstool.cases.timeline import _load, derive
from cstool.core.i18n import M_
from cstool.core.values import Instant, Money, Name, Phone
from cstool.core.where import Where, limit_sql

LIST_COLUMNS = ("id", "order_id", "buyer", "kind", "status", "resolution", "next_step", "due_at",
                "courier", "opened_by", "opened_at")

# --- reading -----------------------------------------------------------------------


_PHOTOS_NOTE = re.compile(r"(\d+) photo\(s\) on file")
_MONEY_NOTE = re.compile(r"(" + "|".join(MONEY.values) + r") (-?\d+\.\d\d)")


def _note(note: str) -> str:
    """An event's note: the ones cstool writes itself (kept in English in the journal)
    read in the reader's language; what an agent typed as typed."""
    if note == "playbook default":
        return M_("playbook default")
    m = _PHOTOS_NOTE.fullmatch(note)
    if m:
        return M_("{n} photo(s) on file", n=m.group(1))
    m = _MONEY_NOTE.fullmatch(note)
    if m:
        return M_("{kind} {amount}", kind=MONEY.word(m.group(1)), amount=m.group(2))
    return note


def _event_detail(e) -> str:
    a = e["action"]
    if a == "opened":
        return M_("{kind} ({label}): {detail}", kind=e["value"], label=KIND.label(e["value"]),
                  detail=e["note"])
    if a == "resolution":
        text = M_("{value} ({label})", value=e["value"], label=RESOLUTION.label(e["value"]))
    elif a == "step":
        text = M_("done: {step}", step=STEP.word(e["step"]))
    elif a == "money":
        text = M_("{kind} {amount}", kind=MONEY.word(e["value"]), amount=Money(e["amount_fen"]))
    elif a == "freight_payer":
        leg, _, payer = e["value"].partition(":")
        who = PAYER.word(payer)
        text = {"both": M_("{payer} pays the freight both ways", payer=who),
                "reship": M_("{payer} pays the reship freight", payer=who),
                "return": M_("{payer} pays the return freight", payer=who)}.get(
                    leg, M_("{payer} pays the freight", payer=who))
    elif a == "tracking":
        text = f"{e['value'] or ''} {e['tracking_no']}".strip()
    elif a == "closed":
        text = M_("{value} ({label})", value=e["value"], label=OUTCOME.label(e["value"]))
    elif a in ("photo", "status"):
        text = e["value"]
    else:
        text = ""
    if e["note"]:
        note = _note(e["note"])
        text = text + M_(" — ") + note if text else note
    return text


def _photo_state(journal_path: str, p) -> str:
    import hashlib  # only when photos are handled: it costs start-up

    path = os.path.join(os.path.dirname(os.path.abspath(journal_path)), p["path"])
    if not os.path.isfile(path):
        return "missing"
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return "ok" if h.hexdigest() == p["sha256"] else "altered"


def show(ctx, case_id) -> dict:
    """One case: its state, the order it is about, its course, photos and timeline."""
    journal, now_db, policy = ctx.journal, ctx.now_db(), ctx.policy
    row = _load(journal, case_id)
    case = present(row, now_db)
    order = journal.one("SELECT * FROM orders WHERE order_id = ? AND platform = ?",
                        [row["order_id"], row["platform"]])
    case["order_status"] = order["status"] if order else None
    case["receiver_name"] = Name(order["receiver_name"]) if order and order["receiver_name"] \
        else None
    case["receiver_phone"] = Phone(order["receiver_phone"]) if order and order["receiver_phone"] \
        else None
    events = [dict(e) for e in journal.query(
        "SELECT * FROM exception_events WHERE exception_id = ? ORDER BY id", [row["id"]])]
    st = derive(row["kind"], row["opened_at"], events, shop_policy(journal, policy, row))
    case["steps"] = [
        {"step": s.key, "what": s.text,
         "state": "done" if s.key in st.done else ("next" if s is st.step else "to do"),
         "hours": s.hours, "done_at": _inst(st.done.get(s.key)),
         "due_at": _inst(st.due_at) if s is st.step and not row["closed_at"] else None}
        for s in st.steps]
    case["photo_files"] = [
        {"path": p["path"], "type": p["type"], "bytes": p["bytes"], "sha256": p["sha256"],
         "file": _photo_state(journal.path, p)}
        for p in journal.query("SELECT * FROM exception_photos WHERE exception_id = ? "
                               "ORDER BY id", [row["id"]])]
    case["timeline"] = [
        {"at": Instant(e["at"]), "agent": e["agent"], "action": e["action"],
         "detail": _event_detail(e), "step": e["step"], "value": e["value"],
         "tracking_no": e["tracking_no"],
         "amount": Money(e["amount_fen"]) if e["amount_fen"] is not None else None,
         "note": e["note"]}
        for e in events]
    return case


ORDER_KEYS = ("id", "kind", "status", "resolution", "next_step", "due_at", "outcome",
              "opened_by", "opened_at", "closed_at")


def for_order(journal, order_id: str, platform: str = "taobao") -> list[dict]:
    """An order's cases, in short (for ``orders show``)."""
    return [{k: v for k, v in present(r).items() if k in ORDER_KEYS} for r in journal.query(
        "SELECT * FROM exceptions WHERE order_id = ? AND platform = ? ORDER BY id",
        [order_id, platform])]


def list_cases(ctx, *, open_only: bool = False, closed_only: bool = False,
               kinds: Sequence[str] = (), statuses: Sequence[str] = (), overdue: bool = False,
               courier: Optional[str] = None, order_id: Optional[str] = None,
               agent: Optional[str] = None, since: Optional[str] = None,
               limit: Optional[int] = None) -> list[dict]:
    """Cases in ``ctx.scope``, the most urgent first: open by due time, then the rest
    newest first."""
    now_db = ctx.now_db()
    w = (Where().term("closed_at IS NULL", when=open_only or overdue)
         .term("closed_at IS NOT NULL", when=closed_only)
         .term("due_at < ?", now_db, when=overdue)
         .any_of("kind", [KIND(k) for k in kinds])
         .any_of("status", [STATUS(s) for s in statuses]))
    if courier:
        w.term("(instr(courier, ?) > 0 OR instr(reship_courier, ?) > 0)", courier.strip(),
               courier.strip())
    w.eq("order_id", str(order_id).strip() if order_id else None).eq("opened_by", agent)
    w.since("opened_at", since).scope(ctx.scope, via="exceptions")
    sql = ("SELECT * FROM exceptions" + w.sql()
           + " ORDER BY closed_at IS NOT NULL, due_at IS NULL, due_at, "
           "coalesce(closed_at, opened_at) DESC, id DESC" + limit_sql(limit))
    return [present(r, now_db) for r in ctx.journal.query(sql, w.params)]
