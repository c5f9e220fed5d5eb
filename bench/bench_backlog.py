"""A pathological backlog: the warehouse stopped and the newest paid orders never shipped.

A journal of ``--rows`` orders (one ``orders import`` of the realistic export) whose
``--backlog`` newest paid orders (default ROWS / 5: 200,000 of 1,000,000) are still to
ship. ``shipcheck`` with its default limit, whole process, median of ``--runs``:
target ≤ 250 ms, and the output says how many rows it left out. Anchors: ``python -c
"import click"``, and ``shipcheck --limit 0`` (every row) in the same run.
"""

from __future__ import annotations

import json
import re

from run import figure, scale_label

TARGET = 0.250


def run(ctx):
    journal, meta = ctx.backlog_journal()
    label = f"backlog {ctx.backlog:,} of {scale_label(ctx.rows)}"
    stats = ctx.repeat(ctx.runs, ctx.on(journal, "shipcheck"))
    out = stats.last.stdout + stats.last.stderr
    listed = len(json.loads(ctx.time(ctx.on(journal, "shipcheck", "--json"), sample=False).stdout))
    every = ctx.time(ctx.on(journal, "shipcheck", "--json", "--limit", "0"), sample=False)
    if every.returncode:
        raise SystemExit(f"shipcheck --limit 0 failed:\n{every.stderr}")
    total = len(json.loads(every.stdout))
    left = total - listed
    # After the table: "… and N more <check>, M more <check> … (--limit 0 for all)".
    # (in Chinese, the default: "……即将超时还有 N 单, …")
    said = sum(int((en or zh).replace(",", ""))
               for en, zh in re.findall(r"([\d,]+) more|还有 ([\d,]+) 单", out))
    says = "says so" if said == left else f"says {said:,} left out" if said else "does not say so"
    orders = meta.get("counts", {}).get("orders", 0)
    return [
        figure(f"{label}: shipcheck (default limit)", round(stats.median * 1000), "ms",
               f"≤ {TARGET * 1000:.0f}", stats.median <= TARGET, anchor=ctx.click_anchor(),
               note=f"{listed:,} rows listed, {left:,} left out: {says}; {stats.spread_ms()}; "
                    f"journal {orders:,} orders"),
        figure(f"{label}: shipcheck --limit 0 (every row)", round(every.seconds, 2), "s",
               anchor=f"default limit {stats.median * 1000:.0f} ms", note=f"{total:,} rows, one run"),
    ]
