"""The supervisor's daily page: one shop day, every routine, one report.

Each routine adds its part (:meth:`cstool.core.contract.Routine.daily`) from its own
library, so the figures are the ones the routine's own commands show; its
``sections`` say how the part reads as tables.
"""

from __future__ import annotations

from datetime import date, timedelta

from cstool.app import routines
from cstool.core.clock import to_db
from cstool.core.i18n import N_, _
from cstool.core.values import Instant, format_ratio

# The report's parts in the reader's language, by their path in the report (a routine
# outside this list keeps the title its declaration gives).
TITLES = {
    "imports": N_("Orders imported"),
    "chases.total": N_("Chases"),
    "chases.by_agent": N_("Chases by agent"),
    "chases.by_channel": N_("Chases by channel"),
    "shipping": N_("Shipping (deadlines of the day; now)"),
    "exceptions.opened_by_kind": N_("Abnormal shipments opened, by kind"),
    "exceptions.opened_by_courier": N_("Abnormal shipments opened, by courier"),
    "exceptions.closed_by_kind": N_("Abnormal shipments closed, by kind"),
    "remark_problems_by_agent": N_("Remark problems by agent"),
    "handover": N_("Handover"),
}


def daily(ctx, day: date) -> dict:
    """The day's figures, ``day`` in shop time; "now" figures are as of the clock."""
    clock = ctx.clock
    since, until = to_db(clock.start_of(day)), to_db(clock.start_of(day + timedelta(days=1)))
    scope = ctx.scope
    report = {
        "date": day.isoformat(),
        "shop": ctx.policy.shop_label(scope.shop) or None,
        "platform": scope.platform,
        "generated_at": Instant(clock.now_db()),
    }
    for r in routines.gathered("daily"):
        report.update(r.daily(ctx, since, until))
    return report


# --- rendering for people ------------------------------------------------------------------


def _rows(value) -> list[dict]:
    if isinstance(value, dict):
        return [value]
    return list(value or [])


def sections(report: dict, paths: bool = False) -> list[tuple]:
    """``(title, rows)`` of each part of the report that has rows, in the report's order
    (``paths``: ``(path, title, rows)``)."""
    out = []
    for r in routines.gathered("daily"):
        for path, title in r.sections:
            value = report
            for part in path.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            rows = _rows(value)
            if rows:
                out.append((path, title, rows) if paths else (title, rows))
    return out


def part_words() -> dict:
    """The domain words of the report's tables, by part: shown in the reader's language."""
    from cstool.cases.playbooks import KIND
    from cstool.cases.report import Groups
    from cstool.chase.queue import CHANNEL
    from cstool.remark.lint import Checks

    return {"exceptions.opened_by_kind": {"kind": Groups(KIND)},
            "exceptions.closed_by_kind": {"kind": KIND},
            "chases.by_channel": {"channel": CHANNEL},
            "remark_problems_by_agent": {"agent": Checks, "most_common": Checks,
                                         "by_check": Checks}}


def render(report: dict, renderer, fmt: str) -> str:
    """``table`` (terminal) or ``md`` (paste into chat / a wiki)."""
    from tabulate import tabulate

    from cstool.core.headers import header
    from cstool.core.table import layout

    title = _("Daily report {date}").format(date=report["date"]) + \
        (f" · {report['shop']}" if report["shop"] else "")
    parts = [f"# {title}" if fmt == "md" else title, ""]
    words = part_words()
    for path, heading, rows in sections(report, paths=True):
        heading = _(TITLES[path]) if path in TITLES else heading
        shown = words.get(path, {})
        # shares read as chase stats shows them: 12.5%
        body = [renderer.row({k: format_ratio(v) if k == "conversion" else
                              shown[k].shown(v) if k in shown else v
                              for k, v in r.items()}, text=True) for r in rows]
        keys = list(body[0])
        heads = [header(k) for k in keys]
        if fmt == "md":
            table = tabulate([[r.get(k, "") for k in keys] for r in body], headers=heads,
                             tablefmt="github", disable_numparse=True)
        else:  # the terminal's table: as every listing's, fitted to its width
            table = "\n".join(layout(heads, [[str(r.get(k, "")) for k in keys] for r in body],
                                      renderer.width, cut=renderer.cut))
        parts += [f"## {heading}" if fmt == "md" else heading, "", table, ""]
    return "\n".join(parts)
