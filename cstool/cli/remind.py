"""cstool remind: what is due now, for cron."""

import sys

import click

from cstool.cli._common import common_options, pass_app


@click.command()
@common_options
@click.option("--notify", "channel", type=click.Choice(["stdout", "dingtalk", "wecom"]),
              default="stdout", show_default=True, help="Where to send the reminders.")
@click.option("--webhook", envvar="CSTOOL_WEBHOOK", metavar="URL", show_envvar=True,
              help="Robot webhook (default: policy remind.dingtalk_webhook / remind.wecom_webhook).")
@click.option("--secret", envvar="CSTOOL_SECRET", metavar="SECRET", show_envvar=True,
              help="DingTalk signing secret (default: policy remind.dingtalk_secret).")
@click.option("--text", "plain", is_flag=True, help="Send plain text instead of markdown.")
@click.option("--dry-run", is_flag=True, help="Show what is due; send and record nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the items sent as JSON.")
@pass_app
def remind(app, channel, webhook, secret, plain, dry_run, as_json):
    """Send what is due now: chases in their window, ship deadlines, exception steps,
    handover items not acknowledged. For cron: prints nothing and exits 0 when
    nothing is due; never sends the same item twice within the policy's
    cool-down (remind_cooldown_hours); overlapping runs never both send.

    \b
      cstool remind
      cstool remind --notify dingtalk --webhook 'https://oapi.dingtalk.com/robot/send?access_token=…' --secret SEC…
      */10 9-23 * * *  cstool remind --notify wecom    # crontab, webhook from policy
    """
    from cstool import remind as lib

    journal = app.existing_journal()
    if journal is None:
        return  # no journal yet: nothing can be due
    policy, clock = app.policy, app.clock
    send, limit = _sender(channel, webhook, secret, plain, clock, policy, as_json)
    outcome = lib.run(journal, clock, policy, channel=channel, send=send, limit=limit,
                      dry_run=dry_run)
    if dry_run:
        for message in outcome.messages:
            click.echo(message)
        return
    if as_json and outcome.sent:
        import json

        click.echo(json.dumps([{"key": i.key, "kind": i.kind, "order_id": i.order_id,
                                "text": i.text} for i in outcome.sent], ensure_ascii=False,
                              indent=2))
    if outcome.held_back:
        click.echo(f"{len(outcome.held_back)} item(s) held back by the robot's rate limit; "
                   "the next run sends them", err=True)


def _sender(channel, webhook, secret, plain, clock, policy, as_json):
    if channel == "stdout":
        def echo(message, title):
            if not as_json:
                click.echo(message)
                sys.stdout.flush()
        return echo, None
    from cstool.notify import Robot

    webhook = webhook or policy.get(f"remind.{channel}_webhook")
    if not webhook:
        raise click.UsageError(
            f"--notify {channel} needs a webhook: --webhook URL, CSTOOL_WEBHOOK, "
            f"or: cstool policy set remind.{channel}_webhook URL")
    from cstool.errors import InputError
    from cstool.notify import check_webhook

    try:
        webhook = check_webhook(webhook)
    except InputError as e:
        raise click.BadParameter(str(e), param_hint="'--webhook' / CSTOOL_WEBHOOK / policy "
                                 f"remind.{channel}_webhook") from None
    if channel == "dingtalk":
        secret = secret or policy.get("remind.dingtalk_secret") or None
    robot = Robot(channel, webhook, secret, markdown=not plain)

    def post(message, title):
        robot.send(message, title, int(clock.now().timestamp() * 1000))

    return post, robot.limit
