"""cstool orders import|list|show."""

import click

from cstool.app import order_view, routines
from cstool.cli._common import LIMIT, Domain, command, output_options, pass_app, scope_options
from cstool.core.i18n import N_, NC_, _, pgettext, shown
from cstool.core.orders import LIST_COLUMNS, list_orders
from cstool.core.output import Listing
from cstool.core.vocab import PLATFORM, REFUND, STATUS
from cstool.orders import formats

# orders show loads neither the importer (cstool.orders.importer: the import's readers,
# normaliser, forked batches) nor remark's command module: their patterns compile on import.

# What a narrow terminal leaves out of orders list, first first (orders show has it all).
LIST_DROP = ("flag", "shipped_at", "courier", "tracking_no", "paid_at", "seller_memo", "ship_by",
             "platform", "shop")


def list_drop(scope) -> tuple:
    """What a narrow terminal leaves out of orders list, first first: a column the scope
    fixes (``--platform``, ``--shop``: the same word on every row) goes first."""
    fixed = tuple(k for k, v in (("platform", scope.platform), ("shop", scope.shop)) if v)
    return fixed + tuple(k for k in LIST_DROP if k not in fixed)


@click.group()
def orders():
    """The shop's orders, from the platform's exports (订单导出)."""


@command(orders, name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--format", "source_format", default="auto", show_default=True, metavar="FORMAT",
              help="The export's format: auto (from its header), generic (with --map), or "
                   "one of " + ", ".join(formats.names()) + " (see docs/import.md).")
@click.option("--platform", type=Domain(PLATFORM),
              help="Only that platform's formats (with generic: the file's platform; "
                   "default taobao).")
@click.option("--shop", metavar="NAME",
              help="The shop of rows that name none (a file without 店铺名称: PDD, Douyin).")
@click.option("--encoding", default="auto", show_default=True,
              type=click.Choice(["auto", "gb18030", "utf-8"]), help="CSV encoding.")
@click.option("--map", "maps", multiple=True, metavar="SOURCE=FIELD[,FIELD]",
              help="For --format generic: which column holds which field (repeatable); "
                   "one column may feed several fields.")
@click.option("--status-map", "status_maps", multiple=True, metavar="WORD=STATUS",
              help="A status word the export uses that cstool does not know (repeatable), "
                   "e.g. '已揽收=shipped'; a refund word maps to a refund status.")
@click.option("--spec", "spec_files", multiple=True, type=click.Path(),
              metavar="FILE.json", help="A format of the shop's own (repeatable; docs/import.md).")
@click.option("--dry-run", is_flag=True, help="Read and count everything, write nothing.")
@click.option("--strict", is_flag=True, help="Any rejected row fails the file; nothing is written.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON, one object per file.")
@pass_app
def import_(app, files, source_format, platform, shop, encoding, maps, status_maps, spec_files,
            dry_run, strict, as_json):
    """Import order exports: new orders are added, changed ones updated, nothing duplicated.

    Reads the platforms' exports, recognised by their headers: Taobao/Tmall's
    ExportOrderList.csv, the newer xlsx, the item reports (宝贝报表, the 2020
    item CSV, Qianniu's item xlsx), PDD's, JD's, Douyin's and Youzan's order
    exports; or any CSV with --format generic and --map. Item reports become
    the orders' lines. Rows that cannot be read are reported with their line
    number; the rest import. All files are one transaction.

    \b
      cstool orders import ExportOrderList.csv ExportOrderDetailList.csv
      cstool orders import 订单导出.xlsx --dry-run
      cstool orders import 抖店订单.csv --shop 示范抖店
      cstool orders import erp.csv --format generic --platform jd \\
          --map 订单号=order_id --map 状态=status --map 下单时间=created_at,paid_at
    """
    from cstool.orders import importer

    mapping = importer.parse_mapping(maps) if maps else None
    if mapping and source_format != "generic":
        raise click.UsageError("--map goes with --format generic")
    specs = [formats.load_file(f) for f in spec_files]
    if source_format not in ("auto", "generic"):
        formats.named(source_format, specs)  # an unknown one is a usage mistake
    status_map = importer.parse_status_map(status_maps) if status_maps else None
    ctx = app.writer()
    results = importer.import_files(
        ctx, files, fmt=source_format, encoding=encoding, mapping=mapping, strict=strict,
        dry_run=dry_run, progress=None if as_json else importer.stderr_progress(_("importing")),
        after_rows=routines.import_hook(ctx), platform=platform, shop=shop,
        status_map=status_map, specs=specs)
    for r in results:
        for w in r.warnings:
            click.echo(_("warning: {problem}").format(problem=shown(w)), err=True)
    if as_json:
        app.emit([r.as_dict() for r in results], "json")
        return
    for r in results:
        counts = dict(file=r.file, rows=r.rows, new=r.inserted, updated=r.updated,
                      unchanged=r.unchanged, rejected=len(r.rejected))
        if r.dry_run:
            said = (_("{file}: would import {rows} rows: {new} new, {updated} updated, "
                      "{unchanged} unchanged, {rejected} rejected") if r.level == "order" else
                    _("{file}: would import {rows} rows (lines): {new} new, {updated} updated, "
                      "{unchanged} unchanged, {rejected} rejected"))
        else:
            said = (_("{file}: imported {rows} rows: {new} new, {updated} updated, "
                      "{unchanged} unchanged, {rejected} rejected") if r.level == "order" else
                    _("{file}: imported {rows} rows (lines): {new} new, {updated} updated, "
                      "{unchanged} unchanged, {rejected} rejected"))
        click.echo(said.format(**counts))
        if r.level != "order" and (r.new_orders or r.waiting_lines):
            click.echo(_("  {format}: {orders} new order(s); {lines} line(s) wait for their "
                         "order's export").format(format=r.format, orders=r.new_orders,
                                                  lines=r.waiting_lines)
                       if r.waiting_lines else
                       _("  {format}: {orders} new order(s)").format(format=r.format,
                                                                     orders=r.new_orders))
        for rej in r.rejected[:20]:
            click.echo(_("  line {row}: {error}").format(row=rej["row"],
                                                         error=shown(rej["error"])), err=True)
        if len(r.rejected) > 20:
            click.echo(_("  … and {n} more (use --json for all)").format(
                n=len(r.rejected) - 20), err=True)


@command(orders, name="list")
@click.option("--status", "statuses", multiple=True, type=Domain(STATUS),
              help="Only these statuses (repeatable; 待付款 etc. accepted).")
@click.option("--since", help="Created since (YYYY-MM-DD[ HH:MM], today, 7d).")
@click.option("--buyer", help="Only this buyer (买家会员名).")
@click.option("--limit", type=LIMIT, default=50, show_default=True,
              help="At most this many (0: all).")
@scope_options
@output_options
@pass_app
def list_(app, statuses, since, buyer, limit, fmt):
    """List orders, newest first.

    \b
      cstool orders list --status unpaid
      cstool orders list --status 待发货 --since 7d --json
    """

    since_db = app.since(since)
    rows = list_orders(app.ctx, statuses=statuses, since=since_db, buyer=buyer, limit=limit)
    app.emit(rows, fmt, listing=Listing(columns=LIST_COLUMNS, drop=list_drop(app.scope),
                                        words={"status": STATUS, "platform": PLATFORM},
                                        empty=N_("no orders match")))


@command(orders)
@click.argument("order_id", metavar="ORDER")
@scope_options
@output_options
@pass_app
def show(app, order_id, fmt):
    """Show one order with its lines, remarks, holds, chases, exceptions and handover items.

    An order is its platform and its number: give --platform when two platforms
    have the number.

    \b
      cstool orders show 5118609024991031607
      cstool orders show 5118609024991031607 --reveal --json
      cstool orders show 261123-607198974342001 --platform pdd
    """

    order = order_view.show(app.ctx, order_id)
    if fmt == "table":  # the table says it by the time itself: 11-23 --:--
        order.pop("created_at_precision", None)
    # the order's and its lines' status words in the reader's language, as orders list
    app.emit(order, fmt, listing=Listing(words={"status": STATUS, "refund_status": REFUND},
                                         table=SHOW_TABLE))


def _cases_shown(cases):
    """An order's cases as exception list shows them (a case's own status words)."""
    from cstool.cases.playbooks import KIND, OUTCOME, RESOLUTION
    from cstool.cases.playbooks import STATUS as CASE_STATUS

    return [{**c, **{k: vocab.shown(c[k]) for k, vocab in (
        ("kind", KIND), ("status", CASE_STATUS), ("resolution", RESOLUTION),
        ("outcome", OUTCOME)) if isinstance(c.get(k), str)}} for c in cases]


# What each kind of hold is, as orders show's table names it (JSON keeps the kind).
HOLD_KINDS = (NC_("hold kind", "until"), NC_("hold kind", "presale"),
              NC_("hold kind", "owner"), NC_("hold kind", "waiting_buyer"))


# Where a remark came from, as a table says it: remark list's words, the msgids of
# cstool.cli.remark's SOURCES (marked there; tests/test_daily_commands.py keeps them the same).
SOURCES = {"platform": "the export's memo", "cli": "written in cstool",
           "chase": "the chase log"}


def _remarks_shown(remarks):
    """An order's remarks as remark list shows them: where each came from, its kind and
    flag in words, its stored problems read back in the reader's language."""
    from cstool.core.i18n import reread
    from cstool.core.vocab import COLOUR
    from cstool.remark.flags import KIND

    return [{**r, "source": _(SOURCES[r["source"]]) if r.get("source") in SOURCES
             else r.get("source"), "kind": KIND.shown(r.get("kind")),
             "flag": COLOUR.shown(r.get("flag")),
             "problems": [reread(p) for p in r.get("problems") or ()]} for r in remarks]


def _holds_shown(holds):
    return [{**h, "kind": pgettext("hold kind", h["kind"]) if h.get("kind") else h.get("kind")}
            for h in holds]


def _handover_shown(rows):
    """An order's handover items as handover list shows them (stored English read back)."""
    from cstool.core.i18n import reread
    from cstool.handover.items import CATEGORY

    return [{**r, "category": CATEGORY.shown(r.get("category")),
             "problem": reread(r.get("problem")), "todo": reread(r.get("todo"))}
            for r in rows]


def _chases_shown(chases):
    """An order's chases: channel, result and reason in words; the remarks each chase
    wrote under a header of their own (the chase's note is 备注 already)."""
    from cstool.chase.queue import CHANNEL, REASON, RESULT
    from cstool.core.i18n import language

    out = []
    for c in chases:
        row = {k: v for k, v in c.items() if k != "remarks"}
        row.update({k: vocab.shown(c[k]) for k, vocab in (
            ("channel", CHANNEL), ("result", RESULT), ("reason", REASON)) if c.get(k)})
        row["remarks_written"] = ("，" if language() == "zh" else "; ").join(
            c.get("remarks") or ())
        out.append(row)
    return out


# Where an order's deadline comes from, as a table says it (JSON keeps the word).
SHIP_BY_SOURCES = (NC_("ship by source", "export"), NC_("ship by source", "policy"))
SHOW_TABLE = {"exceptions": _cases_shown, "remarks": _remarks_shown, "holds": _holds_shown,
              "handover": _handover_shown, "chases": _chases_shown,
              "ship_by_source": lambda v: pgettext("ship by source", v) if v else v}
