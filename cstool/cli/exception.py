"""cstool exception log|update|close|list|show|report|playbook."""

import click

from cstool.cases import report as cases_report
from cstool.cases import timeline, views
from cstool.cases.playbooks import ACTION, KIND, MONEY, OUTCOME, PAYER, RESOLUTION, STATUS, STEP
from cstool.cli._common import (
    LIMIT,
    Domain,
    Money,
    command,
    json_option,
    output_options,
    pass_app,
    scope_options,
)
from cstool.core import orders
from cstool.core.i18n import N_, NC_, _, pgettext
from cstool.core.output import Listing
from cstool.core.vocab import STATUS as ORDER_STATUS

# A case in a table: its timeline and photos in short (the JSON has every field).
# What a narrow terminal leaves out of the list, first first (exception show has it all).
LIST_DROP = ("opened_at", "opened_by", "resolution", "courier", "buyer")
WORDS = {"kind": KIND, "status": STATUS, "resolution": RESOLUTION, "outcome": OUTCOME,
         "freight_payer": PAYER, "return_freight_payer": PAYER, "order_status": ORDER_STATUS,
         "step": STEP}
# A step's state in exception show (JSON keeps the English word).
STEP_STATES = (NC_("step state", "done"), NC_("step state", "next"), NC_("step state", "to do"))
CASE = Listing(words=WORDS, table={
    "steps": lambda steps: [{**s, "step": STEP.shown(s["step"]),
                             "state": pgettext("step state", s["state"])} for s in steps],
    "timeline": lambda events: [{"at": e["at"], "agent": e["agent"],
                                 "action": ACTION.shown(e["action"]), "detail": e["detail"]}
                                for e in events],
    "photo_files": lambda photos: [{**{k: p[k] for k in ("path", "type", "bytes")},
                                    "file": pgettext("photo state", p["file"])}
                                   for p in photos]})
PHOTO_STATES = (NC_("photo state", "ok"), NC_("photo state", "missing"),
                NC_("photo state", "altered"))


class StepWord(click.ParamType):
    """A playbook step, by its key or its Chinese word (``verify``, ``核实``); a word that
    is no step is left to the case to refuse, naming the steps it has."""

    name = "step"

    def shell_complete(self, ctx, param, incomplete):
        from cstool.cli._complete import complete_words

        return complete_words(STEP, incomplete)

    def convert(self, value, param, ctx):
        return STEP.get(value) or value if value is not None else None


@click.group()
def exception():
    """Abnormal shipments (异常件登记): wrong, missing, damaged, lost, refused parcels …

    Each kind has a playbook (steps, clocks, allowed resolutions) from the
    manuals; a case follows it until the buyer has the goods or the money.
    """

def _photo_option(f):
    return click.option("--photo", "photos", multiple=True, type=click.Path(),
                        help="Evidence photo (repeatable); copied next to the journal.")(f)


def _money_options(f):
    f = click.option("--for", "money_for", type=Domain(MONEY),
                     help="What --amount is: compensation (negative: the buyer pays the "
                          "difference), refund, freight (the shop paid), claim (from the "
                          "courier). Default: from the resolution.")(f)
    return click.option("--amount", type=Money(), help="An amount in yuan, e.g. 25.50.")(f)


def _due_text(app, case) -> str:
    if not case["next_step"]:
        return _("next: nothing left to do; close it when the buyer has the goods or the money")
    if not case["due_at"]:
        return _("next: {step} (no deadline)").format(step=case["next_step"])
    from cstool.core.human import left as time_left

    return _("next: {step} — due {at} ({left})").format(
        step=case["next_step"], at=app.clock.short(case["due_at"]),
        left=time_left(case["hours_left"] * 60))


def _money_text(case) -> str:
    """The case's running totals, printed by every command that moves money."""
    parts = [f"{MONEY.shown(k)} {case[k]}" for k in ("compensation", "refund", "freight", "claim")
             if case[k]]
    return _("money on case {id} so far: {parts}; out {out}, claimed back {claim}").format(
        id=case["id"], parts=", ".join(parts) or _("none"), out=case["money_out"],
        claim=case["claim"])


def _warn_order(app, case):
    from cstool.core.context import Scope

    scope = Scope(case.get("platform") or app.scope.platform, app.scope.shop)
    if orders.require(app.journal, case["order_id"], scope)["status"] == "paid":
        click.echo(_("warning: order {order} is not marked shipped in the journal; import a "
                     "newer export if it has shipped").format(order=case["order_id"]), err=True)


@command(exception)
@click.argument("order_id", metavar="ORDER")
@click.option("--kind", required=True, type=Domain(KIND), help="What went wrong (错发, 破损 …).")
@click.option("--detail", required=True, help="What happened, in the buyer's or courier's words.")
@_photo_option
@click.option("--resolution", type=Domain(RESOLUTION),
              help="How it will be put right, if already agreed (must be allowed for the kind).")
@click.option("--freight-payer", type=Domain(PAYER),
              help="Who pays the freight both ways: shop, buyer or courier (default: the kind's).")
@_money_options
@click.option("--again", is_flag=True, help="Log even if the order has an open case of this kind.")
@scope_options
@json_option
@pass_app
def log(app, order_id, kind, detail, photos, resolution, freight_payer, amount, money_for,
        again, as_json):
    """Log an abnormal shipment on ORDER; prints the case id, next step and when it is due.

    \b
      cstool exception log 5118609024991031638 --kind 破损 \\
          --detail "茶具碎了两个,外箱完好" --photo box.jpg --photo cups.jpg
      cstool exception log 5118609024991031635 --kind lost --detail "圆通确认丢件"
      cstool exception log 5118609024991031639 --kind 错发 --detail "发成了黑色" \\
          --resolution 多退少补 --amount 20 --json
    """

    case = timeline.log(app.writer(), order_id, kind, detail, photos=photos, resolution=resolution, freight_payer=freight_payer,
                          amount=amount, money_for=money_for, again=again)
    _warn_order(app, case)
    if as_json:
        app.emit(case, "json")
        return
    click.echo(_("logged exception {id}: {kind} ({label}) on order {order}").format(
        id=case["id"], kind=case["kind"], label=KIND.label(case["kind"]), order=case["order_id"])
        + (f", {case['courier']}" if case["courier"] else ""))
    if amount is not None:
        click.echo(_money_text(case))
    click.echo(_due_text(app, case))


@command(exception)
@click.argument("case_id", metavar="ID")
@click.option("--done", is_flag=True, help="The next step is done.")
@click.option("--step", type=StepWord(), metavar="STEP",
              help="Mark this step done instead of the next one, in either language "
                   "(verify or 核实; see: exception show).")
@click.option("--status", type=Domain(STATUS),
              help="Set the status (open, waiting_buyer, waiting_courier, resolved).")
@click.option("--resolution", type=Domain(RESOLUTION), help="Choose or change the resolution.")
@click.option("--note", help="A note for the timeline.")
@_photo_option
@click.option("--tracking", metavar="NUMBER", help="Tracking number of the reshipped parcel.")
@click.option("--courier", help="Courier of the reshipped parcel (default: the order's).")
@_money_options
@click.option("--again", is_flag=True,
              help="--amount is a second payment: record it even though it equals the "
                   "case's last money entry (otherwise refused as a retry).")
@click.option("--freight-payer", type=Domain(PAYER), help="Who pays the freight both ways.")
@click.option("--return-freight-payer", type=Domain(PAYER),
              help="Who pays the freight of the return leg only.")
@json_option
@pass_app
def update(app, case_id, done, step, status, resolution, note, photos, tracking, courier,
           amount, money_for, again, freight_payer, return_freight_payer, as_json):
    """Add to case ID's timeline: a step done, photos, resolution, tracking, money, a note.

    Recording what a step asks for completes it: enough photos, the
    resolution, the reship's tracking number, the amount paid or claimed.
    An amount prints the case's running totals; one equal to the case's last
    money entry is refused as a retry unless --again.

    \b
      cstool exception update 3 --done --note "外箱完好,碎了两个杯子"
      cstool exception update 3 --photo cups2.jpg --resolution 重发
      cstool exception update 3 --tracking 773099990000 --amount 12 --for freight
      cstool exception update 5 --amount 128.00 --for claim
    """

    if money_for and amount is None:
        raise click.UsageError(_("--for goes with --amount"))
    if again and amount is None:
        raise click.UsageError(_("--again goes with --amount (a second payment)"))
    if not any([done, step, status, resolution, note, photos, tracking, courier,
                amount is not None, freight_payer, return_freight_payer]):
        raise click.UsageError(_("nothing to record: give --done, --note, --photo, --resolution, "
                                 "--tracking, --amount, --status or a freight payer"))
    case = timeline.update(
        app.writer(), case_id, status=status,
        resolution=resolution, note=note, photos=photos, tracking=tracking, courier=courier,
        amount=amount, money_for=money_for, freight_payer=freight_payer,
        return_freight_payer=return_freight_payer, done=done, step=step, again=again)
    if as_json:
        app.emit(case, "json")
        return
    click.echo(_("exception {id}: {status}").format(id=case["id"], status=STATUS.shown(case["status"]))
               + (f", {RESOLUTION.shown(case['resolution'])}" if case["resolution"] else ""))
    if amount is not None:
        click.echo(_money_text(case))
    click.echo(_due_text(app, case))


@command(exception)
@click.argument("case_id", metavar="ID")
@click.option("--outcome", required=True, type=Domain(OUTCOME),
              help="received (the buyer has the goods), refunded, compensated or cancelled.")
@click.option("--note", help="A note for the timeline.")
@json_option
@pass_app
def close(app, case_id, outcome, note, as_json):
    """Close case ID with its outcome. Steps left undone are listed as a warning.

    \b
      cstool exception close 3 --outcome received --note "买家已收到补发的茶具"
      cstool exception close 7 --outcome 已退款
    """

    case = timeline.close(app.writer(), case_id, outcome, note=note)
    if case["pending"]:
        click.echo(_("warning: closed with steps not done: {steps}").format(
            steps=STEP.listed(case["pending"]).shown()), err=True)
    if as_json:
        app.emit(case, "json")
        return
    click.echo(_("closed exception {id}: {outcome} ({label})").format(
        id=case["id"], outcome=case["outcome"], label=OUTCOME.label(case["outcome"])))


@command(exception, name="list")
@click.option("--open", "open_only", is_flag=True, help="Only open cases.")
@click.option("--closed", "closed_only", is_flag=True, help="Only closed cases.")
@click.option("--kind", "kinds", multiple=True, type=Domain(KIND), help="Only these kinds.")
@click.option("--status", "statuses", multiple=True, type=Domain(STATUS), help="Only these statuses.")
@click.option("--overdue", is_flag=True, help="Only open cases whose next step is past due.")
@click.option("--courier", help="Only parcels of this courier (part of the name: 中通).")
@click.option("--order", "order_id", metavar="ORDER", help="Only this order's cases.")
@click.option("--opened-by", metavar="NAME", help="Only cases this agent logged.")
@click.option("--since", help="Opened since (YYYY-MM-DD[ HH:MM], today, 7d).")
@click.option("--limit", type=LIMIT, default=0, help="At most this many (0: all).")
@scope_options
@output_options
@pass_app
def list_(app, open_only, closed_only, kinds, statuses, overdue, courier, order_id, opened_by,
          since, limit, fmt):
    """List cases: open ones by due time (most urgent first), then closed ones.

    \b
      cstool exception list --open
      cstool exception list --overdue --courier 中通
      cstool exception list --kind 破损 --since 30d --json
    """

    if open_only and closed_only:
        raise click.UsageError(_("--open and --closed exclude each other"))
    since_db = app.since(since)
    rows = views.list_cases(
        app.ctx, open_only=open_only, closed_only=closed_only, kinds=kinds,
        statuses=statuses, overdue=overdue, courier=courier, order_id=order_id, agent=opened_by,
        since=since_db, limit=limit)
    app.emit(rows, fmt, listing=Listing(columns=views.LIST_COLUMNS, below="next_step",
                                        drop=LIST_DROP, words=WORDS,
                                        empty=N_("no exceptions match")))


@command(exception)
@click.argument("case_id", metavar="ID")
@output_options
@pass_app
def show(app, case_id, fmt):
    """Show case ID: its state, its playbook's steps, photos and the whole timeline.

    \b
      cstool exception show 3
      cstool exception show 3 --json
    """

    app.emit(views.show(app.ctx, case_id), fmt, listing=CASE)


@command(exception)
@click.option("--by", type=click.Choice(["kind", "courier", "agent"]), default="kind",
              show_default=True, help="Group by kind, by courier or by the agent who logged it.")
@click.option("--since", help="Cases opened since (YYYY-MM-DD[ HH:MM], today, 30d).")
@click.option("--until", help="… and before this time.")
@scope_options
@output_options
@pass_app
def report(app, by, since, until, fmt):
    """Counts, open vs closed, median days to close, overdue steps, money out and claimed back.

    Money out is compensation + refunds + freight the shop paid; claimed is
    what couriers owe back. The last row totals all groups.

    \b
      cstool exception report --by courier
      cstool exception report --since 30d --by agent --format csv
    """

    since_db = app.since(since)
    until_db = app.since(until, "--until", past=None)
    rows = cases_report.report(app.ctx, by=by, since=since_db, until=until_db)
    app.emit(rows, fmt, listing=Listing(
        words={by: cases_report.Groups(KIND if by == "kind" else None)},
        empty=N_("no exceptions in that period")))


@command(exception)
@click.argument("kind", required=False, type=Domain(KIND))
@output_options
@pass_app
def playbook(app, kind, fmt):
    """Show the playbook of KIND (or of every kind) under the shop's policy.

    \b
      cstool exception playbook 破损
      cstool exception playbook --json
    """

    kinds = [kind] if kind else list(KIND.values)
    rows = [r for k in kinds for r in cases_report.playbook_rows(k, app.policy)]
    app.emit(rows, fmt, listing=Listing(
        columns=None if kind is None else
        ["resolution", "step", "what", "hours", "waits", "done_by"],
        words={"kind": KIND, "step": STEP, "waits": PAYER},
        table={"resolution": _course_shown, "done_by": _done_by_shown}))


# How a step is done, as a playbook's table reads it (JSON keeps the word).
DONE_BY = (NC_("done by", "--done"), NC_("done by", "photos"), NC_("done by", "resolution"),
           NC_("done by", "tracking"), NC_("done by", "money:{kind}"))


def _done_by_shown(how: str) -> str:
    if how.startswith("money:"):
        return pgettext("done by", "money:{kind}").format(kind=MONEY.shown(how[6:]))
    return pgettext("done by", how)


def _course_shown(label: str) -> str:
    """``reship (重发) [default]`` (the playbook row's text) as the table reads it:
    as it is in English, ``重发 [默认]`` in Chinese."""
    import re

    m = re.fullmatch(r"([a-z_]+) \((.*)\)( \[default\])?", label or "")
    if not m:
        return label
    shown = RESOLUTION.shown(m.group(1))
    text = shown if shown != m.group(1) else f"{m.group(1)} ({m.group(2)})"
    return text + (pgettext("playbook", " [default]") if m.group(3) else "")
