"""cstool remark add|parse|lint|list."""


import sys

import click

from cstool.cli._common import (
    LIMIT,
    Domain,
    Money,
    command,
    journal_optional,
    json_option,
    output_options,
    pass_app,
    scope_options,
)
from cstool.core import agents
from cstool.core.clock import typed_time
from cstool.core.errors import InputError
from cstool.core.i18n import N_, NC_, _, language, pgettext, reread
from cstool.core.i18n import shown as in_language
from cstool.core.output import Listing
from cstool.core.values import Memo, Pii, Verbatim
from cstool.core.vocab import COLOUR
from cstool.remark import compose, store
from cstool.remark import lint as remark_lint
from cstool.remark.flags import COMPOSE_KIND, KIND
from cstool.remark.parse import parse as parse_text
from cstool.remark.parse import parse_line

# Which of add's options each kind takes (anything else is a usage mistake).
KIND_OPTIONS = {
    "note": ("reason", "action"),
    "request": ("request",),
    "address": ("address",),
    "attr": ("from_", "to"),
    "slip": ("to",),
    "courier": ("courier",),
    "hold": ("until", "owner", "waiting_buyer", "presale", "release", "reason"),
    "rebate": ("promo_price", "paid_price", "refund"),
    "gift": ("gift",),
    "sale": ("job_no",),
    "brush": ("name",),
}


def _opt(name: str) -> str:
    return "--" + name.rstrip("_").replace("_", "-")


@click.group()
def remark():
    """Order remarks (卖家备注): write them in the shop's format, read and check them."""


@command(remark)
@click.argument("order_id", metavar="ORDER")
@click.option("--kind", required=True, type=Domain(COMPOSE_KIND),
              help="What the remark records (Chinese accepted: 地址, 挂起, 刷单 …).")
@click.option("--flag", type=Domain(COLOUR),
              help="Flag colour (default: the shop's scheme's colour for the kind).")
@click.option("--reason", help="note: the matter (原因); hold --waiting-buyer: what is asked.")
@click.option("--action", help="note: how it was handled (处理方式).")
@click.option("--request", help="request: what the buyer asked (courier, invoice title, card …).")
@click.option("--address", help="address: the new address.")
@click.option("--from", "from_", metavar="TEXT", help="attr: what the buyer ordered.")
@click.option("--to", metavar="TEXT", help="attr, slip: what it was changed to.")
@click.option("--courier", help="courier: 顺丰, 申通, 圆通, 中通, 韵达, EMS …")
@click.option("--until", metavar="DATE", help="hold: ship on this date (2026-11-25, 11.25, 25日).")
@click.option("--owner", metavar="NAME", help="hold: only this agent handles the order.")
@click.option("--waiting-buyer", is_flag=True, help="hold: waiting for the buyer's answer.")
@click.option("--presale", is_flag=True, help="hold: --until is a presale ship date.")
@click.option("--release", is_flag=True, help="hold: the order's holds are over (取消挂起).")
@click.option("--promo-price", type=Money(), help="rebate: activity price (活动价).")
@click.option("--paid-price", type=Money(), help="rebate: what the buyer paid (实付).")
@click.option("--refund", type=Money(), help="rebate: amount to return (default: the difference).")
@click.option("--gift", help="gift: what goes in the parcel (赠品).")
@click.option("--job-no", help="sale: job number (工号; default: the agent's registered one).")
@click.option("--name", help="brush: the name after @@@ (default: you).")
@click.option("--verified-buyer", metavar="NICK",
              help="The Wangwang account that asked; must be the order's buyer for address "
                   "changes and cancellations.")
@click.option("--dry-run", is_flag=True, help="Print the remark, record nothing.")
@scope_options
@json_option
@pass_app
def add(app, order_id, kind, flag, verified_buyer, dry_run, as_json, **options):
    """Write a remark in the house format: record it and print the text to paste.

    The text follows the manuals (docs/remark.md, R1–R14) and is signed with
    the agent and the time; the flag is the one the shop's scheme gives the
    kind. Address changes and cancellations need --verified-buyer. The text
    to paste is printed whole (it is your own input; the warehouse ships
    from it); remark list and orders show mask it unless --reveal.

    \b
      cstool remark add 5118609024991031624 --kind note --reason 客户要求发顺丰 --action 已改快递
      cstool remark add 5118609024991031624 --kind 地址 --address "江苏省 南京市 鼓楼区 中山路100号" \\
          --verified-buyer tb_buyer01
      cstool remark add 5118609024991031624 --kind hold --until 11.25
      cstool remark add 5118609024991031624 --kind rebate --promo-price 108 --paid-price 128
    """

    stray = [_opt(k) for k, v in options.items()
             if v not in (None, False) and k not in KIND_OPTIONS[kind]]
    if stray:
        takes = ", ".join(_opt(k) for k in KIND_OPTIONS[kind])
        raise click.UsageError(_("{options} does not go with --kind {kind} (a {kind} remark "
                                 "takes {takes})").format(options=", ".join(stray), kind=kind,
                                                          takes=takes))
    agent = app.agent()
    if kind == "sale" and not options["job_no"]:
        options["job_no"] = agents.get(app.journal, agent)["job_no"]
    if options["until"]:
        # A ship date: a month and day without a year that is past is refused, never
        # taken as next year's (the order would vanish from shipcheck for a year).
        try:
            options["until"] = typed_time(options["until"], app.clock.now(), past=False).date()
        except InputError as e:
            raise click.BadParameter(e.shown(), param_hint="'--until'") from None
    fields = {"promo_fen" if k == "promo_price" else "paid_fen" if k == "paid_price"
              else "refund_fen" if k == "refund" else k: v for k, v in options.items()}
    try:
        result = compose.add(app.writer(), order_id, kind, verified_buyer=verified_buyer,
                             dry_run=dry_run, flag=flag, **fields)
    except compose.MissingFields as e:
        raise click.UsageError(e.shown()) from None
    # The text to paste is the agent's own input and must reach the platform whole
    # (a masked address would send the parcel nowhere): never masked. Listings of the
    # remark history still mask it.
    paste = Verbatim(result["text"])
    if as_json:
        app.emit({**result, "text": paste}, "json")
        return
    head = _("dry run, nothing recorded") if dry_run else \
        _("remark {id} recorded").format(id=result["id"])
    click.echo(_("{head} on order {order}; paste it with a {flag} flag ({label}, {code}):").format(
        head=head, order=result["order_id"], flag=result["flag"],
        label=COLOUR.label(result["flag"]), code=result["flag_code"]) + "\n")
    click.echo(f"  {paste}\n")
    for change in result["applied"]:
        click.echo(in_language(change))
    for problem in result["problems"]:
        click.echo(_("warning: {problem}").format(problem=in_language(problem)), err=True)


@command(remark)
@click.argument("text")
@click.option("--at", "at_text", metavar="TIME",
              help="When the remark was written (default: now); a date without a year "
                   "takes the year nearest to it.")
@click.option("--flag", type=Domain(COLOUR), help="The flag the platform shows with it.")
@click.option("--check", is_flag=True, help="Exit 1 when a remark has problems.")
@output_options
@journal_optional
@pass_app
def parse(app, text, at_text, flag, check, fmt):
    """Read a remark in any of the manuals' formats: kind, flag, time, author, problems.

    TEXT is one remark (a memo of several lines is read line by line);
    '-' reads standard input, one remark a line. Uses the journal's agents
    and flag scheme when there is a journal, the defaults when there is none.

    \b
      cstool remark parse "退货/换货,换37码 2014年8月25日11:43:42 # 倩"
      cstool remark parse "2015.03.09 郑婷已催付" --json
      cut -f3 memos.tsv | cstool remark parse - --format jsonl
    """

    try:
        ref = app.clock.parse(at_text) if at_text else app.clock.now()
    except InputError as e:
        raise click.BadParameter(e.shown(), param_hint="'--at'") from None
    shop = store.shop_of(app.existing_journal(), app.policy)
    if text == "-":
        parsed = [parse_line(line, ref, shop, flag)
                  for line in sys.stdin.read().splitlines() if line.strip()]
        rows = [store.parse_for_output(p) for p in parsed]
        out = rows
    else:
        parsed = [parse_text(text, ref, shop, flag)]
        out = store.parse_for_output(parsed[0])
    app.emit(out, fmt, listing=Listing(
        columns=["kind", "flag", "at", "author", "reason", "action", "problems", "text"]
        if isinstance(out, list) else None, row=_flat, empty=N_("no remarks on standard input"),
        words={"kind": KIND, "flag": COLOUR}))
    if check and any(p.problems for p in parsed):
        raise click.exceptions.Exit(1)


# What the parser found, as a table names it (JSON keeps the key).
FIELDS = (NC_("remark field", "about"), NC_("remark field", "address"),
          NC_("remark field", "courier"), NC_("remark field", "done"),
          NC_("remark field", "from"), NC_("remark field", "gift"), NC_("remark field", "holds"),
          NC_("remark field", "job_no"), NC_("remark field", "name"),
          NC_("remark field", "paid_price"), NC_("remark field", "promo_price"),
          NC_("remark field", "refund"), NC_("remark field", "release"),
          NC_("remark field", "request"), NC_("remark field", "step"), NC_("remark field", "to"),
          NC_("remark field", "date_only"))


def _flat(d: dict, segments: bool = True) -> dict:
    """A parse for a table: fields as ``key=value`` text, a memo's lines as a table."""
    fields = {k: v for k, v in d["fields"].items() if k != "segments"}
    out = {k: v for k, v in d.items() if k != "fields"}
    # personal data (an address remark's new receiver) stays itself: the renderer masks it
    out["fields"] = {pgettext("remark field", k): v if isinstance(v, Pii) else _field(v, k)
                     for k, v in fields.items()} or _("(none)")
    if segments and d["fields"].get("segments"):
        out["lines"] = [_flat(s, False) for s in d["fields"]["segments"]]
    return out


def _field(value, key: str = "") -> str:
    """A field's value in a table: True/False in the reader's language (是/否), holds and
    the holds a remark releases by their kind's words (定日发货 2026-11-25), lists as
    text, never Python's ``['…']``."""
    if isinstance(value, bool):
        return pgettext("remark field", str(value))
    if isinstance(value, (list, tuple)):
        sep = "、" if language() == "zh" else ", "
        return sep.join(_field(v, key) for v in value) if value else _("(none)")
    if isinstance(value, dict):
        kind = value.get("kind")
        rest = " ".join(_field(v) for k, v in value.items() if k != "kind" and v is not None)
        head = pgettext("hold kind", kind) if key == "holds" and kind else kind
        return " ".join(x for x in (head, rest) if x) or _("(none)")
    if key == "release" and isinstance(value, str):
        return pgettext("hold kind", value)
    return str(value)


FIELD_VALUES = (NC_("remark field", "True"), NC_("remark field", "False"))


@command(remark)
@click.option("--since", metavar="DATE", help="Remarks written since (YYYY-MM-DD, today, 7d).")
@click.option("--author", metavar="NAME", help="Only this agent's remarks.")
@click.option("--by", "by", type=click.Choice(["remark", "agent"]), default="remark",
              show_default=True, help="One line per problem, or a summary per agent.")
@click.option("--limit", type=LIMIT, default=200, show_default=True,
              help="At most this many lines in a table (0: all); other formats list all.")
@scope_options
@output_options
@pass_app
def lint(app, since, author, by, limit, fmt):
    """Check every remark against the shop's format; exit 1 when any falls short.

    Checks the five items of R1 (flag, content, handling, time, author) and
    each kind's own fields, authors that are not registered agents, hold
    dates past on unshipped orders, brushing orders that shipped, memos over
    the platform's byte limit, and flags that contradict the shop's scheme.
    A platform memo is checked as the order's current memo. Prints one line
    per problem (order, author, what is wrong), or --by agent a summary.

    \b
      cstool remark lint
      cstool remark lint --since 7d --author 小雨
      cstool remark lint --by agent
      cstool remark lint --format jsonl | jq -r .problem | sort | uniq -c
    """

    since_db = app.since(since)
    stats = remark_lint.LintStats()
    rows = remark_lint.lint(app.ctx, since=since_db, author=author, stats=stats)
    if by == "agent":
        app.emit(remark_lint.lint_by_agent(rows), fmt, listing=BY_AGENT)
    elif fmt == "jsonl":
        renderer = app.renderer()
        for row in rows:  # streams: constant memory however many problems there are
            renderer.render([row], "jsonl")
    elif fmt == "table":
        shown = []
        for r in rows:
            if not limit or len(shown) < limit:
                shown.append({"order_id": r["order_id"], "author": r["author"], "kind": r["kind"],
                              "problem": r["problem"], "remark": _excerpt(r["text"])})
        app.emit(shown, fmt, listing=Listing(words={"kind": KIND}))
        if len(shown) < stats.problems:
            click.echo(_("… and {n} more (--limit 0, or --format csv|jsonl for all; --by agent "
                         "to sum up)").format(n=stats.problems - len(shown)), err=True)
    else:
        app.emit(list(rows), fmt, columns=_CSV)
    if fmt == "table" or by == "agent":
        click.echo(_("{problems} problem(s) in {remarks} remark(s); {checked} remark(s) "
                     "checked").format(problems=stats.problems, remarks=stats.remarks,
                                       checked=stats.checked) if stats.problems else
                   _("all {checked} remark(s) complete").format(checked=stats.checked),
                   err=True)
    if stats.problems:
        raise click.exceptions.Exit(1)


# Per agent, the checks read "missing_time 3, …" wherever a cell holds them.
BY_AGENT = Listing(cells={"by_check": lambda c: ", ".join(f"{k} {v}" for k, v in c.items())},
                   table={"by_check": lambda c: ", ".join(
                       f"{k} {v}" for k, v in remark_lint.Checks.shown(c).items())},
                   words={"agent": remark_lint.Checks, "most_common": remark_lint.Checks})
# Where a remark came from, as a table says it (JSON keeps the stored word).
SOURCES = {"platform": N_("the export's memo"), "cli": N_("written in cstool"),
           "chase": N_("the chase log")}
_CSV = ["order_id", "remark_id", "author", "source", "kind", "check", "at", "problem", "text"]


def _excerpt(text, n: int = 24):
    """The remark's first line, cut for a table (still masked by the renderer)."""

    first = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return Memo(first if len(first) <= n else first[:n - 1] + "…")


@command(remark, name="list")
@click.argument("order_id", metavar="ORDER")
@scope_options
@output_options
@pass_app
def list_(app, order_id, fmt):
    """An order's remark history, oldest first: platform memos, cstool remarks, chases.

    \b
      cstool remark list 5118609024991031607
      cstool remark list 5118609024991031607 --json
    """

    rows = compose.history(app.ctx, order_id)
    app.emit(rows, fmt, listing=Listing(
        columns=["id", "recorded_at", "source", "kind", "flag", "author", "text", "problems"],
        words={"kind": KIND, "flag": COLOUR}, empty=N_("no remarks on this order"),
        # stored as English: read back in the reader's language (JSON keeps them as stored)
        table={"problems": lambda problems: [reread(p) for p in problems],
               "source": lambda source: _(SOURCES[source]) if source in SOURCES else source}))
