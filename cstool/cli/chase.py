"""cstool chase due|log|stats|template."""

import click

from cstool.chase import log as chase_log
from cstool.chase import queue
from cstool.chase import stats as chase_stats
from cstool.chase.queue import CHANNEL, REASON, RESULT
from cstool.chase.stats import STATS_BY
from cstool.cli._common import (
    LIMIT,
    Domain,
    command,
    json_option,
    output_options,
    pass_app,
    scope_options,
)
from cstool.core.clock import check_month_days
from cstool.core.errors import InputError
from cstool.core.i18n import _
from cstool.core.output import Listing
from cstool.core.values import format_ratio

# At a narrow terminal the message goes under its row; these columns go first.
DUE_DROP = ("last_chased_at", "attempts", "phone")


def _none(value):
    return _("(none)") if value is None else value


@click.group()
def chase():
    """Chase unpaid orders (催付): the queue, the chase log, conversion.

    \b
      cstool chase due
      cstool chase log 5118609024991031604 --channel 旺旺 --promise 明天下午付款
      cstool chase stats --since 7d --by agent
    """

@command(chase)
@click.option("--channel", type=Domain(CHANNEL),
              help="Only orders to chase by this channel now (电话, 短信, 提醒付款; a chat: "
                   "the orders of its platform, 旺旺 Taobao, 拼多多聊天 PDD, 飞鸽 Douyin, "
                   "咚咚 JD, 有赞客服 Youzan), whatever the policy's sequence.")
@click.option("--all", "all_", is_flag=True,
              help="Also orders due later (grace, cool-down, promise, closed window), "
                   "with opens_at.")
@click.option("--limit", type=LIMIT, default=50, show_default=True,
              help="At most this many (0: all).")
@scope_options
@output_options
@pass_app
def due(app, channel, all_, limit, fmt):
    """Unpaid orders to chase now, most valuable first, with the channel and the message.

    An order is due once unpaid for the grace period (policy
    unpaid_grace_minutes); it is left out while chased within the cool-down,
    after the policy's attempts, when the buyer declined or promised a time
    not yet come, and when it is a brushing order. The channel is the first
    of the policy's chase_sequence not yet used on the order whose hours are
    open now. Orders held for another agent (必须由XX负责处理!) are hidden
    from you.

    \b
      cstool chase due
      cstool chase due --channel 电话 --reveal
      cstool chase due --channel sms --limit 0 --format csv > 短信.csv
      cstool chase due --all --json
    """

    rows = queue.due(app.ctx, channel=channel, all_=all_, limit=limit or None)
    columns = list(queue.QUEUE_COLUMNS)
    if all_:
        columns.insert(columns.index("channel") + 1, "opens_at")
    if app.reveal:
        columns.insert(columns.index("channel"), "phone")
    app.emit(rows, fmt, listing=Listing(
        columns=columns, below="message", drop=DUE_DROP, words={"channel": CHANNEL},
        empty=_("no unpaid orders to chase now") if all_ else
        _("no unpaid orders to chase now (--all shows later ones)")))


@command(chase)
@click.argument("order_id", metavar="ORDER")
@click.option("--channel", required=True, type=Domain(CHANNEL),
              help="How you chased: phone (电话), wangwang (旺旺), sms (短信), remind (提醒付款).")
@click.option("--result", type=Domain(RESULT),
              help="promised (答应付款), no-answer (未回复), declined (不要了), paid, other.")
@click.option("--reason", type=Domain(REASON),
              help="Why unpaid: comparing (对比), too-expensive (太贵), balance (余额不足), "
                   "payment-tool (支付工具), other (其他).")
@click.option("--promise", metavar="TEXT",
              help="What the buyer promised, e.g. 明天下午付款 (implies --result promised).")
@click.option("--note", metavar="TEXT", help="Anything else worth keeping.")
@click.option("--again", is_flag=True,
              help="Record it even though the order was chased within the cool-down.")
@scope_options
@json_option
@pass_app
def log(app, order_id, channel, result, reason, promise, note, again, as_json):
    """Record a chase and write the manual's remarks into the order's history.

    Writes "YYYY.MM.DD <you>已催付" and, when the buyer answered,
    "YYYY.MM.DD 顾客<answer>"; paste them into the platform's memo. A paid,
    closed or brushing order is refused, and so is an order someone chased
    within the cool-down: you are told who and when.

    \b
      cstool chase log 5118609024991031604 --channel 旺旺 --result no-answer
      cstool chase log 5118609024991031604 --channel 电话 --reason 余额不足 \\
          --promise 明天下午付款
    """

    if promise:
        try:
            check_month_days(promise, app.clock.now())
        except InputError as e:
            raise click.BadParameter(e.shown(), param_hint="'--promise'") from None
    row = chase_log.log(app.writer(), order_id, channel=channel, result=result, reason=reason,
                        promise=promise, note=note, again=again)
    if as_json:
        app.emit(row, "json")
        return
    first = _("first chase") if row["first"] else _("attempt {n}").format(n=row["attempt"])
    click.echo(_("logged chase {id} on {order} ({channel}, {first})").format(
        id=row["id"], order=row["order_id"], channel=CHANNEL.label(row["channel"]), first=first))
    if row["previous"]:
        prev = row["previous"]
        how = _(" by {channel}").format(channel=CHANNEL.label(prev["channel"])) \
            if prev["channel"] else ""
        click.echo(_("before: {who} at {at}{how}").format(
            who=prev["by"] or _("someone"), at=app.clock.short(prev["at"]), how=how))
    for text in row["remarks"]:
        click.echo(_("remark: {text}").format(text=text))
    if row["promise_due_at"]:
        click.echo(_("follow up: {at} if still unpaid").format(
            at=app.clock.short(row["promise_due_at"])))


@command(chase)
@click.option("--since", help="Chases since (YYYY-MM-DD[ HH:MM], today, yesterday, 7d).")
@click.option("--by", type=click.Choice(STATS_BY), help="One row per agent, channel or reason.")
@scope_options
@output_options
@pass_app
def stats(app, since, by, fmt):
    """Orders chased, paid after the chase (from later imports), conversion.

    Each order is credited to its last chase before the payment; minutes to
    pay count from that chase to the payment time of the export.

    \b
      cstool chase stats
      cstool chase stats --since 7d --by agent
      cstool chase stats --by reason --json
    """

    since_db = app.since(since)
    result = chase_stats.stats(app.ctx, since=since_db, by=by)
    # shares read as 12.5% (JSON keeps the fraction); a group without a name is (none)
    table = {"conversion": format_ratio, **({by: _none} if by else {})}
    app.emit(result, fmt, listing=Listing(
        table=table, words={"channel": CHANNEL, "reason": REASON},
        empty=_("no chases logged since then") if since else _("no chases logged")))


@chase.group()
def template():
    """The message sent on each channel, with {buyer} {item} {amount} {cutoff} {day} {shop}.

    \b
      cstool chase template list
      cstool chase template set 短信 '【{shop}】亲,您{day}拍的{item}还未付款哦~'
    """

@command(template, name="list")
@output_options
@pass_app
def template_list(app, fmt):
    """List the message template of every channel (the shop's own or the default).

    \b
      cstool chase template list
    """

    app.emit(queue.template_rows(app.journal), fmt,
             listing=Listing(columns=["channel", "source", "text"], words={"channel": CHANNEL}))


@command(template, name="set")
@click.argument("channel", type=Domain(CHANNEL))
@click.argument("text")
@json_option
@pass_app
def template_set(app, channel, text, as_json):
    """Set CHANNEL's message to TEXT ("-" reads it from stdin).

    Placeholders: {buyer} {item} {amount} {cutoff} {day} {shop}, or in
    Chinese {买家} {宝贝} {金额} {截单时间} {下单日} {店铺}. An empty TEXT
    sends no message on that channel.

    \b
      cstool chase template set 旺旺 '亲,您{day}拍的{item}还没付款哦,{cutoff}前付款当天发货~'
      cstool chase template set sms - < sms.txt
    """

    if text == "-":
        import sys

        text = sys.stdin.read().strip()
    row = queue.set_template(app.writer(), channel, text)
    if as_json:
        app.emit(row, "json")
    else:
        click.echo(f"{CHANNEL.shown(row['channel'])}: " + (row["text"] or _("(no message)")))


@command(template, name="reset")
@click.argument("channel", type=Domain(CHANNEL))
@json_option
@pass_app
def template_reset(app, channel, as_json):
    """Go back to cstool's default message for CHANNEL.

    \b
      cstool chase template reset 旺旺
    """

    row = queue.reset_template(app.writer(), channel)
    if as_json:
        app.emit(row, "json")
    else:
        click.echo(f"{CHANNEL.shown(row['channel'])}: " + (row["text"] or _("(no message)"))
                   + " " + _("(default)"))
