"""cstool remind: what is due now, for cron."""

import sys

import click

from cstool.app import remind as lib
from cstool.cli._common import common_options, pass_app, scope_options
from cstool.core.clock import real_time_ms
from cstool.core.errors import InputError
from cstool.core.i18n import _, shown
from cstool.core.notify import LIMITS, Robot, check_webhook


@click.command()
@common_options
@click.option("--notify", "channel", type=click.Choice(["stdout", "dingtalk", "wecom"]),
              default="stdout", show_default=True, help="Where to send the reminders.")
@click.option("--webhook", envvar="CSTOOL_WEBHOOK", metavar="URL", show_envvar=True,
              help="Robot webhook (default: policy remind.dingtalk_webhook / remind.wecom_webhook).")
@click.option("--secret", envvar="CSTOOL_SECRET", metavar="SECRET", show_envvar=True,
              help="DingTalk signing secret (default: policy remind.dingtalk_secret).")
@click.option("--text", "plain", is_flag=True, help="Send plain text instead of markdown.")
@click.option("--dry-run", is_flag=True,
              help="Show exactly what a real run would send now (cool-down, other runs' "
                   "claims and the robot's rate applied); send and record nothing.")
@click.option("--all", "all_", is_flag=True,
              help="With --dry-run: also list every due item a run would not send now, and "
                   "why (cool-down until HH:MM, window closed, over a kind's 30 lines …).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the items sent as JSON ([] when nothing was due).")
@scope_options
@pass_app
def remind(app, channel, webhook, secret, plain, dry_run, all_, as_json):
    """Send what is due now: chases in their window, ship deadlines, exception steps,
    handover items not acknowledged. For cron: prints nothing and exits 0 when
    nothing is due; never sends the same item twice within the policy's
    cool-down (remind_cooldown_hours); overlapping runs never both send. A
    message lists at most 30 items of a kind (of each check, for shipping), the
    most urgent first, and ends with how many more there are and the command
    that lists them all; the next run lists the next ones.

    \b
      cstool remind
      cstool remind --dry-run --all        # why is something not sent?
      cstool remind --notify dingtalk --webhook 'https://oapi.dingtalk.com/robot/send?access_token=…' --secret SEC…
      */10 9-23 * * *  cstool remind --notify wecom    # crontab, webhook from policy
    """

    if all_ and not dry_run:
        raise click.UsageError(_("--all goes with --dry-run (a real run sends what is due now)"))
    ctx = app.ctx
    policy, clock = ctx.policy, ctx.clock
    if dry_run and channel != "stdout":  # planned to the robot's size; no webhook needed

        send, limit = None, LIMITS[channel]
    else:
        send, limit = _sender(channel, webhook, secret, plain, clock, policy, as_json)
    outcome = lib.run(ctx, channel=channel, send=send, limit=limit,
                      dry_run=dry_run, every_item=all_)
    if dry_run:
        _dry_run(outcome, all_, as_json)
        return
    if as_json:
        _json([_item(i) for i in outcome.sent])
    if outcome.held_back:
        click.echo(_("{n} item(s) held back by the robot's rate limit; the next run sends "
                     "them").format(n=len(outcome.held_back)), err=True)


def _item(i, **extra) -> dict:
    return {"key": i.key, "kind": i.kind, "order_id": i.order_id, "text": i.text, **extra}


def _json(rows) -> None:
    import json

    click.echo(json.dumps(rows, ensure_ascii=False, indent=2))


def _dry_run(outcome, all_: bool, as_json: bool) -> None:
    """What a real run would send now; with --all, every other due item and why not."""
    sent = {i.key for i in outcome.sent}
    others = [i for i in outcome.due + outcome.unlisted if i.key not in sent] if all_ else []
    if as_json:
        _json([_item(i, send=True, held=None) for i in outcome.sent]
              + [_item(i, send=False, held=outcome.held.get(i.key)) for i in others])
        return
    for message in outcome.messages:
        click.echo(message)
    if outcome.held_back:
        click.echo(_("{n} item(s) would be held back by the robot's rate limit; the next run "
                     "sends them").format(n=len(outcome.held_back)), err=True)
    if others:
        click.echo(("\n" if outcome.messages else "")
                   + _("not sent now ({n}):").format(n=len(others)))
        for i in others:
            click.echo(lib.line(i) + "\n    " + _("held: {why}").format(
                why=shown(outcome.held.get(i.key))))


def _sender(channel, webhook, secret, plain, clock, policy, as_json):
    if channel == "stdout":
        def echo(message, title):
            if not as_json:
                click.echo(message)
                sys.stdout.flush()
        return echo, None

    webhook = webhook or policy.get(f"remind.{channel}_webhook")
    if not webhook:
        raise click.UsageError(_(
            "--notify {channel} needs a webhook: --webhook URL, CSTOOL_WEBHOOK, "
            "or: cstool policy set remind.{channel}_webhook URL").format(channel=channel))

    try:
        webhook = check_webhook(webhook)
    except InputError as e:
        raise click.BadParameter(e.shown(), param_hint="'--webhook' / CSTOOL_WEBHOOK / policy "
                                 f"remind.{channel}_webhook") from None
    if channel == "dingtalk":
        secret = secret or policy.get("remind.dingtalk_secret") or None
    robot = Robot(channel, webhook, secret, markdown=not plain)

    def post(message, title):
        # The signature's timestamp is checked against DingTalk's own clock: the real
        # time, even when --now pins the shop's clock.
        robot.send(message, title, real_time_ms())

    return post, robot.limit
