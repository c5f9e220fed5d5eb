"""cstool report daily."""

import click

from cstool.app import report as lib
from cstool.cli._common import command, pass_app, scope_options


@click.group()
def report():
    """Reports for supervisors (主管).

    \b
      cstool report daily
      cstool report daily --date yesterday --format md > 日报.md
    """

@command(report)
@click.option("--date", "day", metavar="DATE", help="The shop day (YYYY-MM-DD, today, yesterday; "
              "default today).")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "md", "json"]), default="table",
              show_default=True, help="Output format.")
@click.option("--json", "as_json", is_flag=True, help="Shortcut for --format json.")
@scope_options
@pass_app
def daily(app, day, fmt, as_json):
    """The day on one page: orders imported; chases and conversion by agent and
    channel; ship deadlines met and overdue now; abnormal shipments opened and
    closed by kind and courier with money out and claimed back; remark problems
    by agent; handover items acknowledged.

    \b
      cstool report daily
      cstool report daily --date 2026-11-22 --format md
      cstool report daily --platform pdd --shop 示范拼多多店
      cstool report daily --json | jq .shipping
    """

    the_day = app.day(day)
    data = lib.daily(app.ctx, the_day)
    if as_json or fmt == "json":
        app.emit(data, "json")
        return
    click.echo(lib.render(data, app.renderer(), fmt))
