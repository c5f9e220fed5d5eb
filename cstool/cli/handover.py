"""cstool handover add|list|show|ack|export|import|shifts."""

import sys

import click

from cstool.app import routines
from cstool.cli._common import (
    LIMIT,
    Domain,
    command,
    json_option,
    output_options,
    pass_app,
    scope_options,
)
from cstool.core import orders
from cstool.core.clock import to_db
from cstool.core.errors import InputError
from cstool.core.i18n import N_, _, reread
from cstool.core.output import Listing
from cstool.handover import items, receipts, register
from cstool.handover import sheet as lib
from cstool.handover.items import CATEGORY, clean_order_id
from cstool.handover.sheet import FORMATS
from cstool.handover.shifts import SHIFT, current_shift, resolve_shift, shift_table

# A table names the category in the manual's words (联系快递); scripts get the value.
LISTING = Listing(columns=("id", "category", "buyer", "order_id", "problem", "todo", "created_by",
                           "created_at", "receipt", "acked_by"),
                  words={"category": CATEGORY}, empty=N_("no handover items match"),
                  drop=("acked_by", "receipt", "created_by", "created_at"),
                  # a journal row's problem and to-do are kept in English: read them back
                  table={"problem": reread, "todo": reread})


@click.group()
def handover():
    """Shift handover (交接): items for the next shift, the sheet, receipts (回执)."""


def _shift(app, shift, day):
    return resolve_shift(app.clock, app.policy, shift, app.day(day) if day else None)


def _order_option(order_id):
    """--order as an order number; one that cannot be one is a usage error."""

    try:
        return clean_order_id(order_id)
    except InputError as e:
        raise click.BadParameter(e.shown(), param_hint="'--order'") from None


@command(handover)
@click.option("--category", "-c", required=True, type=Domain(CATEGORY),
              help="courier (联系快递), aftersale (联系售后), external (联系外网), distribution "
                   "(联系分销), callback (回访), complaint (客诉), promotion (促销), "
                   "lost_property (遗失物品), meeting (晨会), shipping (跟进发货).")
@click.option("--problem", "-p", required=True, help="What happened, in short (问题).")
@click.option("--todo", "-t", help="What the next shift must do (待办).")
@click.option("--order", "order_id", metavar="ORDER", help="Order number (订单编号).")
@click.option("--buyer", metavar="NICK", help="Buyer id (买家会员名); taken from --order if known.")
@click.option("--phone", help="Contact number for a call-back (masked in every output).")
@click.option("--photo", "photos", multiple=True, type=click.Path(),
              help="Photo to keep with the item, filed under the buyer's id (repeatable).")
@scope_options
@json_option
@pass_app
def add(app, category, problem, todo, order_id, buyer, phone, photos, as_json):
    """Register an item for the next shift (交接事项).

    Contact items (courier, aftersale, external, distribution) need the buyer
    and --todo: the next shift cannot act on a problem alone.

    \b
      cstool handover add -c 联系快递 --order 5118609024991031635 \\
          -p "物流9天未更新" -t "联系圆通查件, 回复买家"
      cstool handover add -c callback --buyer tb_lily --phone 13812345678 \\
          -p "要求退差价" -t "下午回电" --json
      cstool handover add -c 联系售后 --order 5118609024991031638 \\
          -p "茶具破损" -t "补发" --photo box.jpg
    """

    _order_option(order_id)
    item = register.add(app.writer(), category=category, problem=problem, todo=todo,
                     order_id=order_id, buyer=buyer, phone=phone, photos=photos)
    if not orders.known(app.journal, item["order_id"]):
        click.echo(_("note: order {order} is not in the journal (yet)").format(
            order=item["order_id"]), err=True)
    if as_json:
        app.emit(item, "json")
        return
    shift = current_shift(app.clock, app.policy)
    who = " · ".join(x for x in (item["buyer"], item["order_id"]) if x)
    click.echo(_("added item {id}: {category}").format(
        id=item["id"], category=CATEGORY.label(item["category"]))
        + f"{' · ' + who if who else ''} ({shift.label} {shift.date})")
    for p in item["photos"]:
        click.echo("  " + _("photo {path}").format(path=p))


@command(handover, name="list")
@click.option("--open", "open_only", is_flag=True, help="Only items without a receipt.")
@click.option("--shift", type=Domain(SHIFT), help="Only items registered in this shift.")
@click.option("--date", "day", help="Only items of this date's shift (YYYY-MM-DD, today, "
                                    "yesterday); with no --shift, the whole day.")
@click.option("--category", "-c", type=Domain(CATEGORY), help="Only this category.")
@click.option("--order", "order_id", metavar="ORDER", help="Only items about this order.")
@click.option("--limit", type=LIMIT, default=0, help="At most this many (0: all).")
@scope_options
@output_options
@pass_app
def list_(app, open_only, shift, day, category, order_id, limit, fmt):
    """List handover items, oldest first.

    \b
      cstool handover list --open
      cstool handover list --shift night --date yesterday
      cstool handover list --open --json
    """
    from datetime import timedelta


    since = until = None
    if shift:
        s = _shift(app, shift, day)
        since, until = to_db(s.start), to_db(s.end)
    elif day:
        d = app.day(day)
        since = to_db(app.clock.start_of(d))
        until = to_db(app.clock.start_of(d + timedelta(days=1)))
    rows = items.list_items(app.ctx, open_only=open_only, since=since, until=until,
                      category=category, order_id=_order_option(order_id), limit=limit)
    app.emit(rows, fmt, listing=LISTING)


@command(handover)
@click.argument("item_id", metavar="ITEM", type=int)
@output_options
@pass_app
def show(app, item_id, fmt):
    """Show one item with its photos and receipt.

    \b
      cstool handover show 12
    """

    app.emit(items.get(app.journal, item_id), fmt)


@command(handover)
@click.argument("item_ids", metavar="ITEM...", nargs=-1, required=True, type=int)
@click.option("--receipt", "-r", required=True, help="The receipt (回执): what was done.")
@click.option("--replace", is_flag=True, help="Replace a different receipt already recorded.")
@json_option
@pass_app
def ack(app, item_ids, receipt, replace, as_json):
    """Record the receipt (回执) on items, with who and when.

    \b
      cstool handover ack 12 --receipt "已联系圆通, 明天派送"
      cstool handover ack 12 13 -r 已处理
    """

    acked = register.ack(app.writer(), item_ids, receipt, replace=replace)
    if as_json:
        app.emit(acked if len(acked) > 1 else acked[0], "json")
        return
    for item in acked:
        click.echo(_("item {id}: receipt by {who} at {at}").format(
            id=item["id"], who=item["acked_by"], at=app.clock.short(item["acked_at"])))


@command(handover)
@click.option("--shift", type=Domain(SHIFT),
              help="day (白班), mid (中班) or night (晚班); default: the shift in progress.")
@click.option("--date", "day", help="The shift's date (YYYY-MM-DD, today, yesterday); a night "
                                    "past midnight belongs to the date it started.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS),
              help="Sheet format (default: from -o's extension, else xlsx).")
@click.option("--json", "as_json", is_flag=True, help="Shortcut for --format json.")
@click.option("-o", "--output", metavar="FILE",
              help="Write here ('-' for stdout). Default: stdout for csv/md/json, "
                   "handover-DATE-SHIFT.xlsx for xlsx.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.option("--no-journal", is_flag=True,
              help="Only registered items, not what the journal knows is open.")
@scope_options
@pass_app
def export(app, shift, day, fmt, as_json, output, force, no_journal):
    """Write the handover sheet (工作交接记录表) for a shift.

    Rows: the shift's items, older items without a receipt (遗留), and what the
    journal knows is still open (日志): exceptions with a step due, buyers who
    promised to pay, holds due tomorrow, late shipments. Sorted by category,
    with an id (编号) per row and a blank receipt column (回执) for the next
    shift; read it back with `cstool handover import`. Buyer phones are masked
    unless --reveal.

    \b
      cstool handover export --shift night -o 交接-晚班.xlsx
      cstool handover export --format md          # paste into the group chat
      cstool handover export --shift day --date yesterday --json
    """

    fmt = "json" if as_json else lib.format_for(output, fmt)
    if fmt == "xlsx" and output == "-":
        raise click.UsageError(_("an xlsx sheet goes to a file; give -o FILE.xlsx"))
    ctx = app.writer()
    journal = ctx.journal
    sheet_shift = _shift(app, shift, day)
    renderer = app.renderer()
    path = output if output and output != "-" else None
    if fmt == "xlsx" and path is None:
        path = lib.default_filename(sheet_shift, "xlsx")
    if path is not None:
        lib.check_target(path, force, journal, fmt)
    with journal.write():
        sheet = lib.build_sheet(ctx, sheet_shift, include_journal=not no_journal,
                                sources=routines.sheet_sources())
        if path is not None:
            lib.write_sheet(sheet, fmt, path, renderer, force=force, journal=journal)
    for w in sheet.warnings:
        click.echo(_("warning: {problem}").format(problem=w), err=True)
    if path is None:
        lib.write_text(sheet, fmt, sys.stdout, renderer)
        return
    c = sheet.counts()
    click.echo(_("wrote {path}: {shift} {date} {hours}, {n} items ({this} this shift, "
                 "{carried} carried over, {journal} from the journal)").format(
        path=path, shift=sheet.shift.label, date=sheet.shift.date, hours=sheet.shift.hours,
        n=len(sheet.rows), this=c["shift"], carried=c["carried"], journal=c["journal"]))


@command(handover, name="import")
@click.argument("file", type=click.Path())
@click.option("--dry-run", is_flag=True, help="Read and count everything, record nothing.")
@click.option("--strict", is_flag=True,
              help="Any unknown or conflicting row fails the file; nothing is recorded.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def import_(app, file, dry_run, strict, as_json):
    """Record the receipts (回执) the next shift wrote on a sheet (xlsx or CSV).

    Each receipt is matched to its item by the id column (编号). Importing the
    same sheet again changes nothing; a receipt that differs from one already
    recorded is reported as a conflict and not overwritten; unknown ids are
    reported, never guessed.

    \b
      cstool handover import 交接-晚班.xlsx
      cstool handover import handover-2026-11-23-night.csv --dry-run --json
    """

    result = receipts.import_receipts(app.writer(), file, dry_run=dry_run, strict=strict)
    if as_json:
        app.emit(result.as_dict(), "json")
        return
    counts = dict(file=file, receipts=result.receipts, rows=result.rows, n=result.recorded,
                  unchanged=result.unchanged, conflicts=len(result.conflicts),
                  unknown=len(result.unknown))
    click.echo((_("{file}: {receipts} receipts in {rows} rows: would record {n}, {unchanged} "
                  "unchanged, {conflicts} conflicts, {unknown} unknown") if dry_run else
                _("{file}: {receipts} receipts in {rows} rows: recorded {n}, {unchanged} "
                  "unchanged, {conflicts} conflicts, {unknown} unknown")).format(**counts))
    mask = app.renderer().mask
    for c in result.conflicts:
        click.echo("  " + _("row {row}: item {id} already has the receipt {recorded} ({by}); "
                            "the sheet says {receipt} (kept; change it with: cstool handover "
                            "ack {id} --replace -r …)").format(
            row=c["row"], id=c["id"], recorded=mask(repr(c["recorded"])), by=c["acked_by"],
            receipt=mask(repr(c["receipt"]))), err=True)
    for u in result.unknown:
        click.echo("  " + _("row {row}: {error}; not recorded").format(
            row=u["row"], error=u["error"]), err=True)


@command(handover)
@output_options
@pass_app
def shifts(app, fmt):
    """The shop's shifts (policy handover.shifts) and the one in progress.

    \b
      cstool handover shifts
      cstool policy set handover.shifts day=09:00-17:30,night=17:30-23:30
    """

    now = current_shift(app.clock, app.policy)
    rows = []
    for name, _start, _hours in shift_table(app.policy):
        s = now if name == now.name else resolve_shift(app.clock, app.policy, name)
        rows.append({**s.as_dict(), "in_progress": name == now.name})
    app.emit(rows, fmt, listing=Listing(
        columns=["shift", "label", "hours", "date", "start", "end", "in_progress"],
        words={"shift": SHIFT}))
