"""Remarks in the journal: a parse as the remarks table's columns and as the object
commands print, the shop the parser reads with, and what a remark does to its
order's holds and brushing mark (:mod:`cstool.core.holds`).
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Optional

from cstool.core import holds as holds_
from cstool.core.clock import to_db
from cstool.core.i18n import M_, N_
from cstool.core.values import Address, Instant, Memo, Money
from cstool.core.vocab import COLOUR_CODE, HOLDABLE
from cstool.remark.flags import Shop

if TYPE_CHECKING:
    from cstool.remark.parse import Parsed

# -- output values ------------------------------------------------------------------------------

_FREE_TEXT = ("request", "gift", "from", "to")  # fields a buyer's data may be in


def typed_fields(fields: dict) -> dict:
    out: dict[str, Any] = {}
    for k, v in fields.items():
        if k.endswith("_fen") and isinstance(v, int):
            out[k[:-4]] = Money(v)
        elif k == "address" and v:
            out[k] = Address(v)
        elif k in _FREE_TEXT and isinstance(v, str):
            out[k] = Memo(v)
        elif k == "segments":
            out[k] = [typed_line(s) for s in v]
        else:
            out[k] = v
    return out


def memo_text(text: Optional[str]) -> Optional[Memo]:
    return Memo(text) if text else None


def typed_line(d: dict) -> dict:
    return {**d, "text": Memo(d["text"]), "reason": memo_text(d.get("reason")),
            "action": memo_text(d.get("action")), "at": Instant(d["at"]) if d.get("at") else None,
            "fields": typed_fields(d.get("fields") or {})}


# -- storing a parse ------------------------------------------------------------------------------


def _line_dict(p: Parsed) -> dict:
    return {"text": p.text, "kind": p.kind, "flag": p.flag, "reason": p.reason, "action": p.action,
            "at": to_db(p.at) if p.at else None, "author": p.author, "fields": p.fields,
            "problems": list(p.problems)}


def fields_of(p: Parsed) -> dict:
    f = dict(p.fields)
    if p.date_only:
        f["date_only"] = True
    if p.segments:
        f["segments"] = [_line_dict(s) for s in p.segments]
    return f


# json.dumps(…, ensure_ascii=False) made a new encoder for every call: an import
# stores two JSON texts for each of hundreds of thousands of memos (same output)
_JSON = json.JSONEncoder(ensure_ascii=False).encode


def columns(p: Parsed) -> tuple:
    """The remarks columns kind … problems of a parse, in that order."""
    f = fields_of(p)
    return (p.kind, p.flag, COLOUR_CODE.get(p.flag) if p.flag else None, p.reason, p.action,
            _db_time(p.at) if p.at else None, p.author,
            _JSON(f) if f else None,
            _JSON(p.problems) if p.problems else "[]")


@lru_cache(maxsize=4096)
def _db_time(at: datetime) -> str:
    return to_db(at)


SET_PARSE = ("kind = ?, flag = ?, flag_code = ?, reason = ?, action = ?, at = ?, author = ?, "
              "fields = ?, problems = ?, parsed = 1")


def present(row, with_order: bool = True) -> dict:
    """A remarks row as the object commands print."""
    fields = json.loads(row["fields"]) if row["fields"] else {}
    d = {"id": row["id"]}
    if with_order:
        d["order_id"] = row["order_id"]
    d.update({
        "source": row["source"], "kind": row["kind"], "flag": row["flag"],
        "flag_code": row["flag_code"], "text": Memo(row["text"]),
        "reason": memo_text(row["reason"]), "action": memo_text(row["action"]),
        "at": Instant(row["at"]) if row["at"] else None,
        "author": row["author"] or row["created_by"],
        "fields": typed_fields(fields),
        "problems": json.loads(row["problems"]) if row["problems"] else [],
        "recorded_by": row["created_by"], "recorded_at": Instant(row["created_at"]),
    })
    return d


def parse_for_output(p: Parsed) -> dict:
    """A parse as ``remark parse`` prints it (the contract's keys first)."""
    d = {"text": Memo(p.text), "kind": p.kind, "flag": p.flag,
         "flag_code": COLOUR_CODE.get(p.flag) if p.flag else None,
         "reason": memo_text(p.reason), "action": memo_text(p.action),
         "at": Instant(to_db(p.at)) if p.at else None, "author": p.author,
         "problems": list(p.problems), "fields": typed_fields(fields_of(p))}
    return d


# -- the shop: scheme, agents ------------------------------------------------------------------------


def shop_of(journal, policy) -> Shop:
    """The parser's view of the shop: flag scheme, registered agents and their roles."""
    roles: dict[str, Optional[str]] = {}
    if journal is not None:
        roles = {r[0]: r[1] for r in journal.query("SELECT short, role FROM agents")}
    return Shop(scheme=policy.get("flag_scheme"), agents=frozenset(roles),
                   roles={k: v for k, v in roles.items() if v})


# -- applying a remark: holds and the brushing mark -------------------------------------------------


def chunks(items: list, n: int = 500):
    for i in range(0, len(items), n):
        yield items[i:i + n]


def open_holds_of(journal, orders) -> dict[tuple[str, str], dict[str, Any]]:
    """``(order_id, platform)`` → kind → the open hold, for these orders."""
    wanted = set(orders)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for chunk in chunks(sorted({oid for oid, _ in wanted})):
        for r in journal.query(
                f"SELECT * FROM holds WHERE released_at IS NULL AND order_id IN "
                f"({','.join('?' * len(chunk))})", chunk):
            key = (r["order_id"], r["platform"])
            if key in wanted:
                out.setdefault(key, {})[r["kind"]] = r
    return out


def apply(journal, order, p: Parsed, *, remark_id: Optional[int], now_db: str,
          agent: Optional[str], open_holds: dict, prev: Optional[Parsed] = None,
          brushing: Optional[list] = None) -> list[str]:
    """Make the order's holds and brushing mark follow the remark. Returns what changed.

    ``order``: a row with order_id, platform, status, brushing. ``prev``: the memo
    this one replaces (an import): a hold or ``@@@`` the old memo had and the new
    one dropped is released. A hold the remark opens is added unless the same
    one is open; one it says is over (``取消挂起``, the buyer answered) is
    released. ``brushing``: collect ``(flag, order_id, platform)`` for one bulk
    update instead of writing each.
    """
    oid, platform = order["order_id"], order["platform"]
    changes: list[str] = []
    mark = None
    if p.brush() is not None and not order["brushing"]:
        mark, what = 1, M_("marked as a brushing order (刷单)")
    elif p.brush() is None and prev is not None and prev.brush() is not None and order["brushing"]:
        mark, what = 0, M_("brushing mark removed (the memo no longer has @@@)")
    if mark is not None:
        if brushing is None:
            holds_.set_brushing(journal, oid, bool(mark), platform=platform)
        else:
            brushing.append((mark, oid, platform))
        changes.append(what)
    want, released = p.holds(), p.releases()
    dropped = set(prev.holds()) - set(want) if prev is not None else set()
    if not (want or released or dropped):
        return changes
    for kind in sorted((released | dropped) & set(open_holds)):
        why = "the remark says it is over" if kind in released else "the memo no longer says so"
        holds_.release(journal, oid, now_db, kind=kind, agent=agent, platform=platform,
                       note=f"{why} (remark {remark_id})" if remark_id else why)
        del open_holds[kind]
        changes.append(M_(_RELEASED[kind]))
    if order["status"] not in HOLDABLE:
        return changes
    for kind, spec in want.items():
        cur = open_holds.get(kind)
        if cur is not None and cur["until"] == spec.get("until") \
                and cur["owner"] == spec.get("owner"):
            continue
        holds_.add(journal, oid, kind, now_db, until=spec.get("until"), owner=spec.get("owner"),
                   note=_short(p.text), remark_id=remark_id, agent=agent, platform=platform)
        open_holds[kind] = {"until": spec.get("until"), "owner": spec.get("owner")}
        changes.append(_held(kind, spec))
    return changes


# What a remark did to the order's holds, as a person reads it.
# (Messages: English in the journal and JSON, the reader's language when printed.)
_RELEASED = {"until": N_("released the hold until a ship date"),
             "presale": N_("released the presale hold"),
             "owner": N_("released the hold for one agent"),
             "waiting_buyer": N_("released the hold waiting for the buyer")}


def _held(kind: str, spec: dict) -> str:
    if kind == "until":
        return M_("held until {day}: ships that day", day=spec.get("until"))
    if kind == "presale":
        return M_("held for presale until {day}: ships that day", day=spec.get("until"))
    if kind == "owner":
        return M_("held for {owner}: only {owner} handles this order", owner=spec.get("owner"))
    return M_("held: waiting for the buyer's answer")


def _short(text: str, n: int = 60) -> str:
    s = " ".join(text.split())
    return s if len(s) <= n else s[:n - 1] + "…"

