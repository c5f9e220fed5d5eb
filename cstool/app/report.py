"""The supervisor's daily page: one shop day, every routine, one report.

Each routine adds its part (:meth:`cstool.core.contract.Routine.daily`) from its own
library, so the figures are the ones the routine's own commands show; its
``sections`` say how the part reads as tables.
"""

from __future__ import annotations

from datetime import date, timedelta

from cstool.app import routines
from cstool.core.clock import to_db
from cstool.core.values import Instant, format_ratio


def daily(ctx, day: date) -> dict:
    """The day's figures, ``day`` in shop time; "now" figures are as of the clock."""
    clock = ctx.clock
    since, until = to_db(clock.start_of(day)), to_db(clock.start_of(day + timedelta(days=1)))
    report = {
        "date": day.isoformat(),
        "shop": ctx.policy.get("shop_name") or None,
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


def sections(report: dict) -> list[tuple[str, list[dict]]]:
    """``(title, rows)`` of each part of the report that has rows, in the report's order."""
    out = []
    for r in routines.gathered("daily"):
        for path, title in r.sections:
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

    from cstool.core.table import layout

    title = f"日报 Daily report {report['date']}" + (f" · {report['shop']}" if report["shop"] else "")
    parts = [f"# {title}" if fmt == "md" else title, ""]
    for heading, rows in sections(report):
        # shares read as chase stats shows them: 12.5%
        body = [renderer.row({k: format_ratio(v) if k == "conversion" else v
                              for k, v in r.items()}, text=True) for r in rows]
        keys = list(body[0])
        if fmt == "md":
            table = tabulate([[r.get(k, "") for k in keys] for r in body], headers=keys,
                             tablefmt="github", disable_numparse=True)
        else:  # the terminal's table: as every listing's, fitted to its width
            table = "\n".join(layout(keys, [[str(r.get(k, "")) for k in keys] for r in body],
                                      renderer.width, cut=renderer.cut))
        parts += [f"## {heading}" if fmt == "md" else heading, "", table, ""]
    return "\n".join(parts)
