"""The abnormal-shipment routine (异常件登记): its policy keys and presets, its part of the
order view, of the handover sheet, of reminders and of the daily report."""

from __future__ import annotations

from typing import Optional

from cstool.cases import due, playbooks
from cstool.core.contract import MAX_PER_KIND, Due, Item, Reminder, Routine, Source, capped
from cstool.core.i18n import M_
from cstool.core.policy import Key
from cstool.core.where import Where


def due_items(ctx, limit: Optional[int] = MAX_PER_KIND, held: bool = False,
              skip: frozenset = frozenset()) -> Due:
    """Abnormal-shipment cases whose next step is due now (most overdue first)."""
    items = []
    for d in due.due_steps(ctx):
        from cstool.core.human import left_message

        late = left_message(d["hours_left"] * 60) if d["overdue"] else M_("due now")
        items.append(Item(
            key=f"exception:{d['id']}:{d['step']}", kind="exception", order_id=d["order_id"],
            buyer=d["buyer"],
            text=M_("#{id} {kind} {order} {buyer}: {step} ({late}, {agent})", id=d["id"],
                    kind=playbooks.KIND.word(d["kind"]), order=d["order_id"],
                    buyer=d["buyer"] or "", step=d["next_step"], late=late,
                    agent=d["agent"] or "")))
    return capped(items, limit, skip, len(items))


def closed_by_kind(ctx, since: str, until: str) -> list[dict]:
    w = Where().scope(ctx.scope, via="exceptions")
    return [dict(r) for r in ctx.journal.query(
        "SELECT kind, count(*) AS closed FROM exceptions WHERE closed_at >= ? AND closed_at < ?"
        + w.also() + " GROUP BY kind ORDER BY closed DESC, kind", [since, until, *w.params])]


class Cases(Routine):
    name = "cases"
    cli = ("exception",)
    keys = tuple(Key(*spec) for spec in playbooks.policy_specs())
    presets = {
        "exceptions-000": ("damaged parcels (000): compensation or return and reship",
                           dict(playbooks.PRESETS_000)),
        "exceptions-002": ("damaged parcels (002): reship at once", dict(playbooks.PRESETS_002)),
    }
    manuals = {"manual-000": playbooks.PRESETS_000, "manual-002": playbooks.PRESETS_002}
    sheet = (Source("exception", due.handover_rows),)
    reminders = (Reminder("exception", "异常件", "cstool exception list --overdue", due_items),)
    sections = (("exceptions.opened_by_kind", "异常件 · 新开 by kind"),
                ("exceptions.opened_by_courier", "异常件 · 新开 by courier"),
                ("exceptions.closed_by_kind", "异常件 · 结案 closed by kind"))
    place = {"sheet": 15}  # its rows are the sheet's first items

    def order_view(self, ctx, order_id):
        from cstool.cases import views  # start-up: cron loads every declaration

        return {"exceptions": views.for_order(ctx.journal, order_id,
                                              ctx.scope.platform or "taobao")}

    def daily(self, ctx, since, until):
        from cstool.cases import report

        return {"exceptions": {
            "opened_by_kind": report.report(ctx, by="kind", since=since, until=until),
            "opened_by_courier": report.report(ctx, by="courier", since=since, until=until),
            "closed_by_kind": closed_by_kind(ctx, since, until)}}


ROUTINE = Cases()
