"""cstool orders import|list|show."""

import click

from cstool.app import order_view, routines
from cstool.cli._common import LIMIT, Domain, command, output_options, pass_app
from cstool.core.orders import LIST_COLUMNS, list_orders
from cstool.core.output import Listing
from cstool.core.vocab import STATUS
from cstool.orders import importer

# What a narrow terminal leaves out of orders list, first first (orders show has it all).
LIST_DROP = ("flag", "shipped_at", "courier", "tracking_no", "paid_at", "seller_memo")


@click.group()
def orders():
    """The shop's orders, from the platform's exports (订单导出)."""


@command(orders, name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "source_format", default="auto", show_default=True,
              type=click.Choice(["auto", "taobao-csv", "taobao-xlsx", "generic"]),
              help="The export's format.")
@click.option("--encoding", default="auto", show_default=True,
              type=click.Choice(["auto", "gb18030", "utf-8"]), help="CSV encoding.")
@click.option("--map", "maps", multiple=True, metavar="SOURCE=FIELD",
              help="For --format generic: which column holds which field (repeatable).")
@click.option("--dry-run", is_flag=True, help="Read and count everything, write nothing.")
@click.option("--strict", is_flag=True, help="Any rejected row fails the file; nothing is written.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON, one object per file.")
@pass_app
def import_(app, files, source_format, encoding, maps, dry_run, strict, as_json):
    """Import order exports: new orders are added, changed ones updated, nothing duplicated.

    Reads the seller centre's ExportOrderList.csv (GB18030 or UTF-8), the
    newer xlsx export, or any CSV with --format generic and --map. Rows that
    cannot be read are reported with their line number; the rest import. All
    files are one transaction.

    \b
      cstool orders import ExportOrderList.csv
      cstool orders import 订单导出.xlsx --dry-run
      cstool orders import jd.csv --format generic \\
          --map 订单号=order_id --map 状态=status --map 下单时间=created_at
    """

    mapping = importer.parse_mapping(maps) if maps else None
    if mapping and source_format != "generic":
        raise click.UsageError("--map goes with --format generic")
    ctx = app.writer()
    results = importer.import_files(
        ctx, files, fmt=source_format, encoding=encoding, mapping=mapping, strict=strict,
        dry_run=dry_run, progress=None if as_json else importer.stderr_progress("importing"),
        after_rows=routines.import_hook(ctx))
    if as_json:
        app.emit([r.as_dict() for r in results], "json")
        return
    for r in results:
        verb = "would import" if r.dry_run else "imported"
        click.echo(f"{r.file}: {verb} {r.rows} rows: {r.inserted} new, {r.updated} updated, "
                   f"{r.unchanged} unchanged, {len(r.rejected)} rejected")
        for rej in r.rejected[:20]:
            click.echo(f"  line {rej['row']}: {rej['error']}", err=True)
        if len(r.rejected) > 20:
            click.echo(f"  … and {len(r.rejected) - 20} more (use --json for all)", err=True)


@command(orders, name="list")
@click.option("--status", "statuses", multiple=True, type=Domain(STATUS),
              help="Only these statuses (repeatable; 待付款 etc. accepted).")
@click.option("--since", help="Created since (YYYY-MM-DD[ HH:MM], today, 7d).")
@click.option("--buyer", help="Only this buyer (买家会员名).")
@click.option("--limit", type=LIMIT, default=50, show_default=True,
              help="At most this many (0: all).")
@output_options
@pass_app
def list_(app, statuses, since, buyer, limit, fmt):
    """List orders, newest first.

    \b
      cstool orders list --status unpaid
      cstool orders list --status 待发货 --since 7d --json
    """

    since_db = app.since(since)
    rows = list_orders(app.journal, statuses=statuses, since=since_db, buyer=buyer, limit=limit)
    app.emit(rows, fmt, listing=Listing(columns=LIST_COLUMNS, drop=LIST_DROP,
                                        empty="no orders match"))


@command(orders)
@click.argument("order_id", metavar="ORDER")
@output_options
@pass_app
def show(app, order_id, fmt):
    """Show one order with its remarks, holds, chases, exceptions and handover items.

    \b
      cstool orders show 5118609024991031607
      cstool orders show 5118609024991031607 --reveal --json
    """

    app.emit(order_view.show(app.ctx, order_id), fmt)
