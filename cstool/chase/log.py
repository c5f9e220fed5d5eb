"""Logging a chase (``chase log``): the attempt and its remarks, in one transaction."""

from __future__ import annotations

from datetime import timedelta
from typing import Optional

from cstool.chase.queue import CHANNEL, REASON, RESULT, history, platform_channel, promise_due
from cstool.core import remarks
from cstool.core.clock import from_db, to_db
from cstool.core.errors import BadUsage, CstoolError
from cstool.core.i18n import M_
from cstool.core.orders import require
from cstool.core.values import Instant

# What the buyer said, for the R5 remark ("2015.03.09 顾客明天下午付款").
_REASON_SAID = {"comparing": "还在对比考虑", "too_expensive": "觉得价格偏贵",
                "balance": "余额不足或支付受限", "payment_tool": "支付工具有问题"}
_RESULT_SAID = {"declined": "表示不要了", "paid": "表示已付款"}


class AlreadyChased(CstoolError):
    """Someone chased the order within the cool-down."""


# --- logging a chase ----------------------------------------------------------------


def _refuse(row) -> None:
    oid, status = row["order_id"], row["status"]
    if status == "closed":
        why = f" ({row['close_reason']})" if row["close_reason"] else ""
        raise CstoolError(M_("order {oid} is closed{why}; a closed order cannot be paid, "
                             "there is nothing to chase", oid=oid, why=why))
    if status != "unpaid":
        raise CstoolError(M_("order {oid} is already paid (status {status}); nothing to "
                             "chase", oid=oid, status=status))
    if row["brushing"]:
        raise CstoolError(M_("order {oid} is a brushing order (刷单); it is never chased", oid=oid))


def answer_text(result: Optional[str], reason: Optional[str], promise: Optional[str]) -> str:
    """What the buyer said, for the R5 remark, or "" when they said nothing."""
    parts = []
    if reason and reason in _REASON_SAID:
        parts.append(_REASON_SAID[reason])
    if promise:
        p = promise.strip()
        parts.append(p[2:] if p.startswith("顾客") else p)
    elif result in _RESULT_SAID:
        parts.append(_RESULT_SAID[result])
    return ",".join(parts)


def log(ctx, order_id: str, *, channel: str,
        result: Optional[str] = None, reason: Optional[str] = None,
        promise: Optional[str] = None, note: Optional[str] = None,
        again: bool = False) -> dict:
    """Record a chase attempt and its remarks (R4, and R5 when the buyer answered).

    Refused for an unknown, paid, closed or brushing order, an order held for
    another agent, and an order someone chased within the cool-down (unless
    ``again``): the message says who chased it and when. A chat is recorded as the
    order's platform's own (旺旺 on Taobao, 飞鸽 on Douyin …).
    """
    journal, clock, policy, agent = ctx.journal, ctx.clock, ctx.policy, ctx.agent
    channel = CHANNEL(channel)
    result = RESULT(result) if result else None
    reason = REASON(reason) if reason else None
    promise = (promise or "").strip() or None
    note = (note or "").strip() or None
    if promise and result is None:
        result = "promised"
    if promise and result != "promised":
        raise BadUsage(M_("--promise goes with --result promised, not {result}", result=result))
    now = clock.now()
    now_db = to_db(now)
    tz = clock.tz
    with journal.write():
        row = require(journal, order_id, ctx.scope)
        oid, platform = row["order_id"], row["platform"]
        channel = platform_channel(channel, platform)
        cooldown = timedelta(minutes=policy.get("chase_cooldown_minutes", row["shop"]))
        _refuse(row)
        owner = journal.scalar(
            "SELECT owner FROM holds WHERE order_id = ? AND platform = ? AND kind = 'owner' "
            "AND released_at IS NULL ORDER BY id DESC LIMIT 1", [oid, platform])
        if owner and owner != agent:
            raise CstoolError(M_("order {oid} must be handled by {owner} "
                                 "(必须由{owner}负责处理!); only {owner} can log a chase on it",
                                 oid=oid, owner=owner))
        h = history(journal, oid, tz, platform)
        if h.last_at and not again and from_db(h.last_at) > now - cooldown:
            ago = int((now - from_db(h.last_at)).total_seconds() // 60)
            raise AlreadyChased(
                M_("order {oid} was already chased {ago} by {last_words}; not recorded "
                   "(give --again to record another attempt)", oid=oid,
                   ago=M_("{n} minutes ago", n=ago) if ago else M_("just now"),
                   last_words=h.last_words(tz)))
        first = not h.log and not h.remarks
        due_at = promise_due(promise, now) if promise else None
        date = now.strftime("%Y.%m.%d")
        remark_id = _remark(journal, oid, platform, f"{date} {agent}已催付", agent, now_db,
                            {"channel": channel, "result": result}, reason)
        said = answer_text(result, reason, promise)
        answer_id = None
        if said:
            answer_id = _remark(journal, oid, platform, f"{date} 顾客{said}", agent, now_db,
                                {"promise": promise, "due_at": to_db(due_at) if due_at else None},
                                reason)
        chase_id = journal.execute(
            "INSERT INTO chases (order_id, platform, channel, result, reason, promise, "
            "promise_due_at, note, first, agent, at, remark_id, answer_remark_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [oid, platform, channel, result, reason, promise, to_db(due_at) if due_at else None,
             note, 1 if first else 0, agent, now_db, remark_id, answer_id]).lastrowid
    chase = get(journal, chase_id)
    chase["attempt"] = h.attempts + 1
    chase["previous"] = ({"by": h.last_by, "at": Instant(h.last_at), "channel": h.last_channel}
                         if h.last_at else None)
    return chase


def _remark(journal, oid: str, platform: str, said: str, agent: str, now_db: str, fields: dict,
            reason: Optional[str]) -> int:
    return remarks.insert(journal, oid, "chase", said, platform=platform, kind="chase",
                          reason=REASON.label(reason) if reason else None, at=now_db,
                          author=agent, fields=fields, created_by=agent, created_at=now_db)


def _chase_row(r, remarks: dict[int, str]) -> dict:
    return {
        "id": r["id"], "order_id": r["order_id"], "platform": r["platform"], "agent": r["agent"],
        "channel": r["channel"],
        "result": r["result"], "reason": r["reason"], "promise": r["promise"],
        "promise_due_at": Instant(r["promise_due_at"]) if r["promise_due_at"] else None,
        "note": r["note"], "first": bool(r["first"]), "at": Instant(r["at"]),
        "remarks": [remarks[i] for i in (r["remark_id"], r["answer_remark_id"]) if i in remarks],
    }


def _remark_texts(journal, rows) -> dict[int, str]:
    ids = [i for r in rows for i in (r["remark_id"], r["answer_remark_id"]) if i]
    if not ids:
        return {}
    return {r[0]: r[1] for r in journal.query(
        f"SELECT id, text FROM remarks WHERE id IN ({','.join('?' * len(ids))})", ids)}


def get(journal, chase_id: int) -> dict:
    rows = journal.query("SELECT * FROM chases WHERE id = ?", [chase_id])
    if not rows:
        raise CstoolError(M_("no chase {chase_id}", chase_id=chase_id))
    return _chase_row(rows[0], _remark_texts(journal, rows))


def order_chases(journal, order_id: str, platform: str = "taobao") -> list[dict]:
    """An order's chase log, oldest first (for ``orders show``)."""
    rows = journal.query("SELECT * FROM chases WHERE order_id = ? AND platform = ? "
                         "ORDER BY at, id", [order_id, platform])
    texts = _remark_texts(journal, rows)
    return [_chase_row(r, texts) for r in rows]


