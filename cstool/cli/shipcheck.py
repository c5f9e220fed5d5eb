"""cstool shipcheck [--morning] | shipcheck pack ORDER..."""

import click

from cstool.cases.playbooks import KIND
from cstool.cli._common import (
    LIMIT,
    Domain,
    Hours,
    command,
    common_options,
    output_options,
    pass_app,
    scope_options,
)
from cstool.core.i18n import N_, _
from cstool.core.output import Listing
from cstool.shipcheck import checks as lib
from cstool.shipcheck.checks import CHECK, REQUEST

# The morning view (cstool.shipcheck.morning) and the packing checklist (.packing) are
# imported when asked for: a plain shipcheck does not compile their patterns.


class _MorningKind:
    """A morning row's kind: a check, what asked for a request, or a case's kind."""

    @staticmethod
    def shown(value):
        for vocab in (CHECK, REQUEST, KIND):
            if value in vocab.labels:
                return vocab.shown(value)
        return value


@click.group(invoke_without_command=True)
@click.option("--within", type=Hours(), default=24, show_default=True,
              metavar="HOURS", help="due_soon: the deadline falls within this many hours.")
@click.option("--only", "only", multiple=True, type=Domain(CHECK),
              help="Only this check (repeatable; 超时, 今日发货 … accepted).")
@click.option("--limit", type=LIMIT, default=50, show_default=True,
              help="At most this many orders per check, most urgent first (0: all).")
@click.option("--morning", is_flag=True,
              help="The morning view: yesterday's unshipped orders, open requests, "
                   "open abnormal shipments.")
@click.option("--check", "check_", is_flag=True,
              help="Exit 1 when an order is overdue, due soon or its hold is due "
                   "(with --morning: when anything is listed).")
@scope_options
@output_options
@common_options
@pass_app
@click.pass_context
def shipcheck(ctx, app, within, only, limit, morning, check_, fmt):
    """Paid orders that need shipping attention (跟进发货): one row per order.

    The deadline is the export's own ship-by time (应发货时间, 承诺发货时间)
    when it gives one, else 72 h from payment (the shop's policy
    ship_deadline_hours; from creation when the export has no payment time). Each row's check is,
    most pressing first: overdue, due_soon, hold_due (a hold or presale
    date has come), brush_shipped (a brushing order went out), ship_today
    (paid before the 16:00 cutoff: today's batch; after it, tomorrow's),
    waiting_buyer, stalled (shipped, not signed after 7 days). Brushing,
    closed and refunding orders are never asked to ship; held and presale
    orders only from their date. The cutoff, dispatch time and stalled
    days are policy keys.

    \b
      cstool shipcheck
      cstool shipcheck --within 12 --check     # for cron: exit 1 when late
      cstool shipcheck --only stalled --json
      cstool shipcheck --morning
      cstool shipcheck pack 5118609024991031622
    """
    if ctx.invoked_subcommand:
        return

    limit = limit or None
    if morning:
        if only:
            raise click.UsageError(_("--only lists checks; the morning view has fixed sections"))
        from cstool.shipcheck.morning import morning as morning_view

        report = morning_view(app.ctx, within_hours=within, limit=limit)
        _emit_morning(app, report.rows, fmt)
    else:
        report = lib.run(app.ctx, within_hours=within, only=only, limit=limit)
        app.emit(report.rows, fmt, listing=Listing(
            columns=lib.COLUMNS, below="detail", drop=("due_at",), words={"check": CHECK},
            empty=N_("nothing needs shipping attention")))
    for problem in report.problems:
        click.echo(_("warning: {problem}").format(problem=problem), err=True)
    hidden = report.hidden
    if hidden:
        more = ", ".join(_("{n} more {check}").format(n=f"{n:,}", check=CHECK.shown(c))
                         for c, n in hidden.items())
        click.echo(_("… and {more} (the most urgent are shown; --limit 0 for all)").format(
            more=more), err=True)
    if check_ and (report.rows if morning else report.failing):
        ctx.exit(1)


def _emit_morning(app, rows, fmt):
    from cstool.shipcheck.morning import MORNING_COLUMNS, SECTIONS

    if fmt != "table":
        app.emit(rows, fmt, columns=MORNING_COLUMNS)
        return
    titles = {"unshipped": _("1. Paid before today, not shipped (ship these first)"),
              "request": _("2. Requests in messages and remarks not marked done"),
              "exception": _("3. Open abnormal shipments, oldest first")}
    for i, section in enumerate(SECTIONS):
        part = [r for r in rows if r["section"] == section]
        click.echo(("\n" if i else "") + titles[section])
        if part:
            # the detail goes under its row when narrow
            app.emit(part, "table", listing=Listing(
                columns=MORNING_COLUMNS[1:], below="detail", drop=("due_at",),
                words={"kind": _MorningKind}))
        else:
            click.echo(_("(none)"))


@command(shipcheck)
@click.argument("order_ids", nargs=-1, required=True, metavar="ORDER...")
@scope_options
@output_options
@pass_app
def pack(app, order_ids, fmt):
    """The packing checklist for an order (打包核对): item, colour, size, QUANTITY, extras, checks.

    Built from the order's items and remarks: attribute changes, gifts
    and greeting cards, courier, invoice title, delivery window, and the
    manuals' checks (damage, dirt, box size, nothing missing). Warnings
    come first: brushing, holds, refunds, an address changed by remark.

    \b
      cstool shipcheck pack 5118609024991031622
      cstool shipcheck pack 5118609024991031622 5118609024991031623 --json
    """

    from cstool.shipcheck.packing import checklist, render_text

    lists = [checklist(app.ctx, oid) for oid in order_ids]
    if fmt == "table":
        renderer = app.renderer()
        click.echo("\n".join(render_text(c, renderer) for c in lists), nl=False)
        return
    app.emit(lists[0] if len(lists) == 1 else lists, fmt)
