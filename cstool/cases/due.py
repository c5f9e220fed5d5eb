"""What of the open cases is due: for cron's reminders and the handover sheet."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from cstool.cases.playbooks import KIND, PLAYBOOKS
from cstool.core.clock import to_db
from cstool.core.values import Instant
from cstool.core.where import Where


def _due(journal, until_db: str, now_db: str, scope=None) -> list[dict]:
    w = Where().scope(scope, via="e")
    rows = journal.query(
        "SELECT id, order_id, platform, buyer, kind, status, step, next_step, due_at, courier, "
        "tracking_no, detail, coalesce(updated_by, opened_by) AS agent, "
        "strftime('%s', due_at) - strftime('%s', ?) AS seconds_left FROM exceptions e "
        "WHERE closed_at IS NULL AND due_at <= ?" + w.also() + " ORDER BY due_at, id",
        [now_db, until_db, *w.params])
    out = []
    for r in rows:
        out.append({
            "ref": f"exception:{r['id']}",
            "id": r["id"],
            "order_id": r["order_id"],
            "platform": r["platform"],
            "buyer": r["buyer"],
            "kind": r["kind"],
            "status": r["status"],
            "step": r["step"],
            "next_step": r["next_step"],
            "due_at": Instant(r["due_at"]),
            "overdue": r["due_at"] < now_db,
            "hours_left": round(r["seconds_left"] / 3600, 1),
            "courier": r["courier"],
            "agent": r["agent"],
            "problem": problem(r),
        })
    return out


def problem(r) -> str:
    """A short Chinese sentence for sheets and messages: ``破损:茶具碎了两个(中通快递 773…)``."""
    detail = " ".join(str(r["detail"]).split())
    if len(detail) > 40:
        detail = detail[:39] + "…"
    where = " ".join(x for x in (r["courier"], r["tracking_no"]) if x)
    return f"{KIND.label(r['kind'])}:{detail}" + (f"({where})" if where else "")


def due_steps(ctx, within_hours: float = 0) -> list[dict]:
    """Open cases whose next step is due now (or within ``within_hours``), the most overdue first.

    Each dict: ``ref`` (``exception:<id>``), ``id``, ``order_id``, ``buyer``, ``kind``,
    ``status``, ``step``, ``next_step``, ``due_at`` (Instant), ``overdue``, ``hours_left``,
    ``courier``, ``agent`` (who last worked on it), ``problem``.
    """
    now = ctx.clock.now()
    return _due(ctx.journal, to_db(now + timedelta(hours=within_hours)), to_db(now), ctx.scope)


def handover_rows(ctx, until: Optional[datetime] = None) -> list[dict]:
    """Open cases with a step due by the end of the next shift (or overdue), for the sheet.

    ``until`` is the end of the next shift; by default now plus the policy's
    ``exception_lookahead_hours``. Each dict: ``ref``, ``category`` (``courier`` for
    parcels the courier side handles, ``aftersale`` otherwise), ``buyer``, ``order_id``,
    ``problem``, ``todo``, ``due_at`` (Instant), and ``overdue``, ``kind``, ``id``.
    """
    now = ctx.clock.now()
    if until is None:
        until = now + timedelta(hours=ctx.policy.get("exception_lookahead_hours"))
    return [{"ref": d["ref"], "category": PLAYBOOKS[d["kind"]].category, "buyer": d["buyer"],
             "order_id": d["order_id"], "platform": d["platform"], "problem": d["problem"],
             "todo": d["next_step"], "due_at": d["due_at"], "overdue": d["overdue"],
             "kind": d["kind"], "id": d["id"]}
            for d in _due(ctx.journal, to_db(until), to_db(now), ctx.scope)]


