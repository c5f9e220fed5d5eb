"""cstool agent add|list."""

import click

from cstool.cli._common import Domain, command, json_option, output_options, pass_app
from cstool.core import agents
from cstool.core.i18n import N_, _
from cstool.core.output import Listing
from cstool.core.vocab import ROLE


@click.group()
def agent():
    """The shop's agents (客服): short name, full name, job number (工号), role."""


@command(agent)
@click.argument("short")
@click.option("--name", help="Full name.")
@click.option("--job-no", help="Job number (工号), used for sale credit remarks.")
@click.option("--role", type=Domain(ROLE), help="presale (售前), aftersale (售后) or supervisor (主管).")
@json_option
@pass_app
def add(app, short, name, job_no, role, as_json):
    """Register an agent (or update one) by the short name used in remarks.

    \b
      cstool agent add 倩 --name 王倩 --job-no 1024 --role presale
    """

    row = agents.add(app.journal, short, app.now_db(), name=name, job_no=job_no, role=role)
    if as_json:
        app.emit(row, "json")
    else:
        click.echo((_("added agent {short}") if row["created"] else
                    _("updated agent {short}")).format(short=row["short"]))


@command(agent, name="list")
@output_options
@pass_app
def list_(app, fmt):
    """List registered agents.

    \b
      cstool agent list
      cstool agent list --json
    """

    app.emit(agents.list_(app.journal), fmt, listing=Listing(
        columns=["short", "name", "job_no", "role", "created_at"], words={"role": ROLE},
        empty=N_("no agents yet; add one with: cstool agent add NAME")))
