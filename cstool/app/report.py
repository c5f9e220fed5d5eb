"""The supervisor's daily page: one shop day, every routine, one report.

Each section reads the library of its routine, so the figures are the same
ones the routine's own commands show.
"""

from __future__ import annotations

import importlib
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Optional

from cstool.core.clock import to_db
from cstool.core.orders import _has_table as _has
from cstool.core.values import Instant

SHIPPED = ("part_shipped", "shipped", "signed", "finished")


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _pct(part: int, whole: int) -> Optional[str]:
    return f"{100 * part / whole:.1f}%" if whole else None


def imports(journal, since: str, until: str) -> dict:
    r = journal.one(
        "SELECT count(*) AS files, coalesce(sum(rows), 0) AS rows, "
        "coalesce(sum(inserted), 0) AS inserted, coalesce(sum(updated), 0) AS updated, "
        "coalesce(sum(rejected), 0) AS rejected FROM imports "
        "WHERE finished_at IS NOT NULL AND started_at >= ? AND started_at < ?", [since, until])
    return dict(r)


def chases(journal, clock, since: str, until: str) -> dict:
    chase = _module("cstool.chase.chase")
    if chase is None or not _has(journal, "chases"):
        return {}
    return {"total": chase.stats(journal, clock, since=since, until=until),
            "by_agent": chase.stats(journal, clock, since=since, until=until, by="agent"),
            "by_channel": chase.stats(journal, clock, since=since, until=until, by="channel")}


def shipping_by_day(journal, clock, policy, days: Sequence[tuple[str, str]]) -> list[dict]:
    """For each ``(since, until)``: orders whose ship deadline fell in it, shipped in time,
    late, or not yet — in one pass over the orders (the periods must not overlap).

    The classic export has no ship time: an order it shows shipped counts as
    shipped at an unknown time and is left out of the percentage.
    """
    hours = timedelta(hours=policy.get("ship_deadline_hours"))
    lows = [to_db(clock.local(since) - hours) for since, _ in days]
    highs = [to_db(clock.local(until) - hours) for _, until in days]
    order = sorted(range(len(days)), key=lambda i: lows[i])
    sorted_lows = [lows[i] for i in order]
    now_db = clock.now_db()
    tallies = [{"on_time": 0, "late": 0, "unknown": 0, "unshipped": 0} for _ in days]
    if not days:
        return []
    for r in journal.query(
            "SELECT status, coalesce(paid_at, created_at) AS base, shipped_at FROM orders "
            "WHERE status NOT IN ('unpaid', 'closed') AND brushing = 0 "
            "AND coalesce(paid_at, created_at) >= ? AND coalesce(paid_at, created_at) < ?",
            [min(lows), max(highs)]):
        k = bisect_right(sorted_lows, r["base"]) - 1
        if k < 0 or r["base"] >= highs[order[k]]:
            continue  # between two of the periods
        t = tallies[order[k]]
        deadline = to_db(clock.local(r["base"]) + hours)
        if r["shipped_at"]:
            t["on_time" if r["shipped_at"] <= deadline else "late"] += 1
        elif r["status"] in SHIPPED:
            t["unknown"] += 1
        elif deadline <= now_db:
            t["unshipped"] += 1
    out = []
    for t in tallies:
        judged = t["on_time"] + t["late"] + t["unshipped"]
        out.append({"deadline_in_day": judged + t["unknown"], "shipped_in_time": t["on_time"],
                    "shipped_late": t["late"], "shipped_time_unknown": t["unknown"],
                    "past_deadline_unshipped": t["unshipped"],
                    "in_time_pct": _pct(t["on_time"], judged)})
    return out


def shipping(journal, clock, policy, since: str, until: str) -> dict:
    """Orders whose ship deadline fell in the day (:func:`shipping_by_day`), and what is
    overdue or due soon now."""
    out = shipping_by_day(journal, clock, policy, [(since, until)])[0]
    shipcheck = _module("cstool.shipcheck.checks")
    if shipcheck is not None:
        counts = shipcheck.run(journal, clock, policy, only=("overdue", "due_soon"), limit=0).counts
        out["overdue_now"] = counts.get("overdue", 0)
        out["due_soon_now"] = counts.get("due_soon", 0)
    return out


def exceptions_(journal, since: str, until: str, now_db: str) -> dict:
    exc = _module("cstool.cases.cases")
    if exc is None or not _has(journal, "exceptions"):
        return {}
    closed = [dict(r) for r in journal.query(
        "SELECT kind, count(*) AS closed FROM exceptions WHERE closed_at >= ? AND closed_at < ? "
        "GROUP BY kind ORDER BY closed DESC, kind", [since, until])]
    return {"opened_by_kind": exc.report(journal, now_db, by="kind", since=since, until=until),
            "opened_by_courier": exc.report(journal, now_db, by="courier", since=since,
                                            until=until),
            "closed_by_kind": closed}


def remarks(journal, clock, policy, since: str) -> list[dict]:
    """Remark format problems by agent, for remarks written since the day began."""
    rem = _module("cstool.remark.remarks")
    if rem is None:
        return []
    return rem.lint_by_agent(rem.lint(journal, clock, policy, since=since))


def handover(journal, since: str, until: str) -> dict:
    if not _has(journal, "handover_items"):
        return {}
    r = journal.one(
        "SELECT count(*) AS items, count(acked_at) AS acknowledged, "
        "sum(acked_at IS NULL AND resolved_at IS NULL) AS still_open FROM handover_items "
        "WHERE created_at >= ? AND created_at < ?", [since, until])
    d = dict(r)
    d["still_open"] = d["still_open"] or 0
    d["acknowledged_pct"] = _pct(d["acknowledged"], d["items"])
    return d


def daily(journal, clock, policy, day: date) -> dict:
    """The day's figures, ``day`` in shop time; "now" figures are as of the clock."""
    start = clock.start_of(day)
    since, until = to_db(start), to_db(clock.start_of(day + timedelta(days=1)))
    now_db = clock.now_db()
    return {
        "date": day.isoformat(),
        "shop": policy.get("shop_name") or None,
        "generated_at": Instant(now_db),
        "imports": imports(journal, since, until),
        "chases": chases(journal, clock, since, until),
        "shipping": shipping(journal, clock, policy, since, until),
        "exceptions": exceptions_(journal, since, until, now_db),
        "remark_problems_by_agent": remarks(journal, clock, policy, since),
        "handover": handover(journal, since, until),
    }


# --- rendering for people ------------------------------------------------------------------


def _rows(value) -> list[dict]:
    if isinstance(value, dict):
        return [value]
    return list(value or [])


SECTIONS = [
    ("imports", "导入 Orders imported"),
    ("chases.total", "催付 Chases"),
    ("chases.by_agent", "催付 · 按客服 by agent"),
    ("chases.by_channel", "催付 · 按渠道 by channel"),
    ("shipping", "发货 Shipping (deadline in the day; now)"),
    ("exceptions.opened_by_kind", "异常件 · 新开 by kind"),
    ("exceptions.opened_by_courier", "异常件 · 新开 by courier"),
    ("exceptions.closed_by_kind", "异常件 · 结案 closed by kind"),
    ("remark_problems_by_agent", "备注问题 Remark problems by agent"),
    ("handover", "交接 Handover"),
]


def sections(report: dict) -> list[tuple[str, list[dict]]]:
    out = []
    for path, title in SECTIONS:
        value = report
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        rows = _rows(value)
        if rows:
            out.append((title, rows))
    return out


def render(report: dict, renderer, fmt: str) -> str:
    """``table`` (terminal) or ``md`` (paste into chat / a wiki)."""
    from tabulate import tabulate

    title = f"日报 Daily report {report['date']}" + (f" · {report['shop']}" if report["shop"] else "")
    parts = [f"# {title}" if fmt == "md" else title, ""]
    from cstool.core.values import format_ratio

    for heading, rows in sections(report):
        # shares read as chase stats shows them: 12.5%
        body = [renderer.row({k: format_ratio(v) if k == "conversion" else v
                              for k, v in r.items()}, text=True) for r in rows]
        keys = list(body[0])
        table = tabulate([[r.get(k, "") for k in keys] for r in body], headers=keys,
                         tablefmt="github" if fmt == "md" else "simple", disable_numparse=True)
        parts += [f"## {heading}" if fmt == "md" else heading, "", table, ""]
    return "\n".join(parts)

