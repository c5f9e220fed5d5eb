"""cstool serve: the supervisors' web view."""

from __future__ import annotations

import os
import sys

import click

from cstool.cli._common import common_options, pass_app
from cstool.core import i18n
from cstool.core.errors import CstoolError
from cstool.core.i18n import N_, _

MIN_PASSWORD = 8
INSTALL_HINT = N_("the web view needs the optional 'web' extra (Datasette); install it "
                  "with: pip install 'cstool[web]'")


def is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _password(var: str | None) -> str | None:
    if not var:
        return None
    value = os.environ.get(var)
    if not value:
        raise click.BadParameter(_("the environment variable {var} is not set or is empty")
                                 .format(var=var), param_hint="'--password-env'")
    if len(value) < MIN_PASSWORD:
        raise click.BadParameter(_("the password in {var} is shorter than {n} characters")
                                 .format(var=var, n=MIN_PASSWORD), param_hint="'--password-env'")
    return value


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs --password-env.")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True,
              help="Port to listen on (0: any free port, printed at start).")
@click.option("--password-env", "password_env", metavar="VAR",
              help="Name of the environment variable that holds the password; then every "
                   "page asks for it (user name: supervisor).")
@click.option("--check", "check_", is_flag=True,
              help="Check that it can start (extra installed, journal readable, port free), "
                   "then exit: 0 it would, 1 it could not.")
@common_options
@pass_app
def serve(app, host, port, password_env, check_):
    """The supervisors' web view (主管看板) of the live journal, read-only.

    Overdue and due-soon orders, the chase queue and conversion by agent
    and channel, open abnormal shipments with their next step and money,
    open handover items and receipts, remark problems by agent, imports,
    the daily report and charts. Buyer names, phones and addresses are
    masked on every page; raw tables, SQL and downloads are not served.
    Agents and cron keep writing while it runs; a reload shows their work.

    \b
      cstool serve                                  # http://127.0.0.1:8001/
      CSTOOL_WEB_PASSWORD=… cstool serve --host 0.0.0.0 --password-env CSTOOL_WEB_PASSWORD
      cstool serve --check                          # would it start? (exit 0 / 1)

    Needs the web extra: pip install 'cstool[web]'.
    """
    password = _password(password_env)
    if not is_loopback(host) and not password:
        raise click.UsageError(_(
            "--host {host} lets other machines read the journal: it needs a password "
            "(put one in an environment variable and give --password-env VAR), or keep the "
            "default --host 127.0.0.1").format(host=host))
    # Like every command but init: a missing journal is refused (nothing created), and
    # opening it applies pending migrations now, while we may write; the view only reads.
    path = app.journal.path
    app.now_db()  # a bad --now is a usage error before anything starts
    app.close()
    try:
        import datasette  # noqa: F401
        import datasette_auth_passwords  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise CstoolError(_(INSTALL_HINT)) from None

    from cstool.web.app import Settings, build, listen, readable, run

    readable(path)
    # the web view speaks one language, chosen as the command line's is (CSTOOL_LANG,
    # the policy, the locale) when it starts: every request's thread reads it
    i18n.set_language(i18n.language())
    ds = build(Settings(path=path, now_text=app.now_text, password=password))
    sock = listen(host, port)
    bound = sock.getsockname()[1]
    if check_:
        sock.close()
        where = f"{host}:{port}" if port else _("{host} (any free port)").format(host=host)
        click.echo(_("cstool serve can start: the journal {path} reads, {where} is free").format(
            path=path, where=where))
        return
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    click.echo(_("cstool web view of {path}").format(path=path))
    click.echo(f"  http://{shown}:{bound}/   " + _("(read-only; Ctrl-C stops it)"))
    if password:
        click.echo("  " + _("user name: supervisor, password: the one in ${var}").format(
            var=password_env))
    if app.now_text:
        click.echo("  " + _("clock pinned at {now} (--now / CSTOOL_NOW)").format(now=app.now_text))
    sys.stdout.flush()
    run(ds, sock)
