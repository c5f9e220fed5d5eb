"""The daily commands on realistic journals: their cost should follow the answer, not the history.

On each ``--scale`` journal (default 1M and 3M orders; ``journals.realistic_journal``:
the history built through the CLI — one import of the orders as they stood 14 days
before, then those days replayed: three imports a day, a few hundred chases, abnormal
shipments and handover items), at the benchmark clock (a Monday, 15:00), each command
as a whole process, the median of ``--runs`` runs, as an agent types it (table output):

- ``chase due``, ``shipcheck``, ``remind`` (busy: a real run that sends to stdout; the
  journal is put back between runs, see ``internals.forget_reminders``), ``orders show``
  (the order of the latest abnormal shipment), ``exception list --open``, ``handover
  export`` (the sheet of the shift in progress, xlsx; the first run copies the journal's
  rows into items, the others find them; the items are removed after, so no later
  command or run reads them): ≤ 150 ms each, and the largest journal within 10 % of
  the smallest;
- ``report daily``: ≤ 1 s (aim 0.3 s); ``remark lint --since today``: ≤ 1 s.

The largest journal covers 90 days; each smaller one covers as many days as make an
ordinary day as busy (``Context.days``: 1M of 3M covers 26), so the journals hold the
same day's work and differ in history, which is what "cost follows the answer, not the
history" compares (``--equal-days``: every journal 90 days, the smaller ones with a
smaller day's work, as in the rounds before 2026-12-04).

Anchors: ``python -c "import click"`` (the floor of any click command) for the times,
the smallest journal for the scale ratios. The notes give the size of the answer (from
a ``--json`` run, untimed) and the journal's.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import internals
import measure
from run import DATA, figure

QUEUE = 0.150      # s, each queue
SCALE = 1.10       # largest journal / smallest
SLOW = 1.0         # s, report daily and remark lint


@dataclass
class Cmd:
    name: str
    argv: list
    target: float                 # seconds
    answer: list | None = None    # a --json form, run once untimed, to count the answer
    unit: str = ""
    ok: tuple = (0,)
    reset: bool = False           # the command writes: put the journal back before each run
    compare: bool = True          # in the largest / smallest comparison
    sheet: bool = False           # writes sheet items: removed after its runs (a later
    #                               remind would read them as open items)


def commands(show_order: str, sheet: Path) -> list[Cmd]:
    return [
        Cmd("chase due", ["chase", "due"], QUEUE, ["chase", "due", "--json"], "listed"),
        Cmd("shipcheck", ["shipcheck"], QUEUE, ["shipcheck", "--json"], "rows"),
        Cmd("remind (busy)", ["remind"], QUEUE, ["remind", "--dry-run", "--json"], "items sent",
            reset=True),
        Cmd("orders show", ["orders", "show", show_order], QUEUE),
        Cmd("exception list --open", ["exception", "list", "--open"], QUEUE,
            ["exception", "list", "--open", "--json"], "open cases"),
        Cmd("handover export", ["--agent", "倩", "handover", "export", "-o", str(sheet), "--force"],
            QUEUE, ["--agent", "倩", "handover", "export", "--json"], "sheet rows", sheet=True),
        Cmd("report daily", ["report", "daily"], SLOW, compare=False),
        Cmd("remark lint --since today", ["remark", "lint", "--since", "today"], SLOW,
            ["remark", "lint", "--since", "today", "--format", "jsonl"], "problems", ok=(0, 1),
            compare=False),
    ]


def _count(ctx, journal, cmd: Cmd) -> str:
    r = ctx.time(ctx.on(journal, *cmd.answer), sample=False)
    text = r.stdout.strip()
    if not text:
        return f"0 {cmd.unit}"
    try:
        rows = json.loads(text)
    except json.JSONDecodeError:  # jsonl
        rows = text.splitlines()
    if isinstance(rows, dict):  # a sheet: its rows are its items
        rows = rows.get("items", [rows])
    return f"{len(rows):,} {cmd.unit}"


def _journal_note(meta: dict) -> str:
    st = meta.get("generated", {}).get("statuses", {})
    c = meta.get("counts", {})
    return (f"journal: {c.get('orders', 0):,} orders ({st.get('unpaid', 0):,} unpaid, "
            f"{st.get('paid', 0):,} to ship), {c.get('remarks', 0):,} remarks, "
            f"{c.get('chases', 0):,} chases, {c.get('exceptions', 0):,} cases, "
            f"{c.get('handover_items', 0):,} handover items, {c.get('imports', 0):,} imports")


def _value(cmd: Cmd, seconds: float) -> tuple:
    if cmd.target < 1:
        return round(seconds * 1000), "ms", f"≤ {cmd.target * 1000:.0f}"
    aim = " (aim 0.3)" if cmd.name == "report daily" else ""
    return round(seconds, 2), "s", f"≤ {cmd.target:g}{aim}"


def run(ctx):
    """All journals first; then each command's runs alternate between them, so that the
    machine's drift does not land on one size (the comparison is what matters)."""
    floor = ctx.click_anchor()
    built = [(rows, *ctx.realistic(rows)) for rows in ctx.scales]
    stats: dict = {}
    answers: dict = {}
    with tempfile.TemporaryDirectory(prefix="cstool-bench-queues-", dir=DATA) as tmp:
        sheet = Path(tmp) / "handover.xlsx"
        cmds = {rows: commands(meta.get("show_order") or "", sheet) for rows, _j, meta in built}
        for rows, journal, meta in built:
            print(f"  {ctx.journal_label(rows)} {_journal_note(meta)}", file=sys.stderr, flush=True)
            if any(internals.remind_state(journal).values()):  # left by an interrupted run
                internals.forget_reminders(journal)
            if internals.sheet_items(journal):  # an earlier run's sheets: put back
                internals.forget_sheets(journal)
        for k in range(len(cmds[ctx.scales[0]])):
            for _ in range(ctx.runs):
                for rows, journal, _meta in built:
                    cmd = cmds[rows][k]
                    if cmd.reset:
                        internals.forget_reminders(journal)
                    one = ctx.repeat(1, ctx.on(journal, *cmd.argv), ok=cmd.ok)
                    stats.setdefault((k, rows), measure.Stats()).runs += one.runs
            for rows, journal, _meta in built:
                cmd = cmds[rows][k]
                if cmd.reset:
                    internals.forget_reminders(journal)
                answers[(k, rows)] = _count(ctx, journal, cmd) if cmd.answer else \
                    (f"order {cmd.argv[-1]}" if cmd.name == "orders show" else "")
                if cmd.sheet:  # the journal as built again, for the commands after
                    internals.forget_sheets(journal)
    figs = []
    for rows, _journal, meta in built:
        for k, cmd in enumerate(cmds[rows]):
            st = stats[(k, rows)]
            value, unit, target = _value(cmd, st.median)
            note = "; ".join(x for x in (answers[(k, rows)], st.spread_ms(),
                                         k == 0 and _journal_note(meta)) if x)
            figs.append(figure(f"{ctx.journal_label(rows)}: {cmd.name}", value, unit, target,
                               st.median <= cmd.target, anchor=floor, note=note))
    if len(built) > 1:
        lo, hi = ctx.scales[0], ctx.scales[-1]
        for k, cmd in enumerate(cmds[lo]):
            if not cmd.compare:
                continue
            a, b = stats[(k, lo)].median, stats[(k, hi)].median
            figs.append(figure(f"{cmd.name}: {ctx.journal_label(hi)} / {ctx.journal_label(lo)}",
                               round(b / a, 2), "×", f"≤ {SCALE}", b / a <= SCALE,
                               anchor=f"{ctx.journal_label(lo)} {a * 1000:.0f} ms",
                               note=f"{ctx.journal_label(hi)} {b * 1000:.0f} ms; runs alternate"))
    return figs
