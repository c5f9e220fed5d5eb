"""Abnormal shipments summed up (``exception report``), and the playbooks for people."""


from __future__ import annotations

from typing import Optional

from cstool.cases.playbooks import (
    KIND,
    MONEY_OUT,
    PLAYBOOKS,
    RESOLUTION,
    Step,
    course,
    default_resolution,
    hours_for,
    resolutions_for,
)
from cstool.cases.present import _at
from cstool.cases.timeline import MONEY_COLUMNS
from cstool.core.errors import BadUsage
from cstool.core.i18n import M_, NC_, pgettext
from cstool.core.values import Money
from cstool.core.where import Where

# --- report ------------------------------------------------------------------------

REPORT_BY = {"kind": "kind", "courier": "courier", "agent": "opened_by"}


def _median(values: list[float]) -> Optional[float]:
    if not values:
        return None
    from statistics import median

    return round(median(values), 1)


def report(ctx, *, by: str = "kind", since: Optional[str] = None,
           until: Optional[str] = None) -> list[dict]:
    """Cases opened in [since, until) grouped by kind, courier or agent, with a total row.

    Per group: cases, open, closed, overdue (open with a step past due), median
    days from opening to closing, money out (compensation + refund + freight)
    and money claimed back from couriers, and the net cost.
    """
    if by not in REPORT_BY:
        raise BadUsage(M_("--by is one of: {items}", items=', '.join(REPORT_BY)))
    col = REPORT_BY[by]
    now_db = ctx.now_db()
    w = (Where().since("opened_at", since).until("opened_at", until)
         .scope(ctx.scope, via="exceptions"))
    sql = (f"SELECT {col} AS grp, opened_at, closed_at, due_at, compensation_fen, refund_fen, "
           "freight_fen, claim_fen FROM exceptions" + w.sql())
    groups: dict[str, dict] = {}
    total = _bucket()
    for r in ctx.journal.query(sql, w.params):
        name = r["grp"] or "(none)"
        for b in (groups.setdefault(name, _bucket()), total):
            b["cases"] += 1
            if r["closed_at"]:
                b["closed"] += 1
                b["days"].append((_at(r["closed_at"]) - _at(r["opened_at"]))
                                 .total_seconds() / 86400)
            else:
                b["open"] += 1
                if r["due_at"] and r["due_at"] < now_db:
                    b["overdue"] += 1
            for k in MONEY_COLUMNS:
                b[k] += r[MONEY_COLUMNS[k]]
    order = sorted(groups, key=lambda g: (-groups[g]["cases"], g))
    rows = [_report_row(by, g, groups[g]) for g in order]
    if rows:
        rows.append(_report_row(by, TOTAL, total))
    return rows


TOTAL = NC_("report", "(all)")  # the group of the last row: every group's together


class Groups:
    """A report row's group as a table reads it: the total row's ``(all)`` in the
    reader's language, a kind as the manuals' word (``vocab``); JSON keeps both."""

    def __init__(self, vocab=None):
        self.vocab = vocab

    def shown(self, value):
        if value == TOTAL:
            return pgettext("report", value)
        return self.vocab.shown(value) if self.vocab is not None else value


def _bucket() -> dict:
    return {"cases": 0, "open": 0, "closed": 0, "overdue": 0, "days": [],
            **dict.fromkeys(MONEY_COLUMNS, 0)}


def _report_row(by: str, name: str, b: dict) -> dict:
    out = sum(b[k] for k in MONEY_OUT)
    return {by: name, "cases": b["cases"], "open": b["open"], "closed": b["closed"],
            "overdue": b["overdue"], "median_days_to_close": _median(b["days"]),
            "compensation": Money(b["compensation"]), "refund": Money(b["refund"]),
            "freight": Money(b["freight"]), "money_out": Money(out),
            "claimed": Money(b["claim"]), "net_cost": Money(out - b["claim"])}


# --- the playbooks, for people -----------------------------------------------------


def playbook_rows(kind: str, policy) -> list[dict]:
    """The course of a kind under the shop's policy: first steps, then each resolution's steps."""
    kind = KIND(kind)
    pb = PLAYBOOKS[kind]
    hours = hours_for(kind, policy)
    rows = []
    for s in course(kind, None, policy):
        if s.key != "decide":
            rows.append(_pb_row(kind, None, s))
    allowed = resolutions_for(kind, policy)
    default = default_resolution(kind, policy)
    if default is None:
        rows.append(_pb_row(kind, None, pb.decide, hours.get("decide")))
    for r in allowed:
        for s in course(kind, r, policy)[len(pb.lead):]:
            rows.append(_pb_row(kind, r, s, default=r == default))
    return rows


def _pb_row(kind: str, resolution: Optional[str], s: Step, hours: Optional[int] = None,
            default: bool = False) -> dict:
    label = f"{resolution} ({RESOLUTION.label(resolution)})" if resolution else ""
    if default:
        label += " [default]"
    return {"kind": kind, "resolution": label, "step": s.key, "what": s.text,
            "hours": s.hours if hours is None else hours, "waits": s.waits or "",
            "done_by": s.done_by or "--done"}


