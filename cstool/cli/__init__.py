"""The ``cstool`` command: a lazily loaded group of command modules.

Each command group lives in its own module (``cstool/cli/<name>.py``) and is
imported only when used, so ``cstool remind`` from cron does not pay for
spreadsheet or table libraries. The routines' groups are the ones their
declarations name (:data:`cstool.app.routines.ROUTINES`); the house's own are
:data:`HOUSE`.
"""

from __future__ import annotations

import gc

# Start-up creates a few hundred thousand objects (click, the routines' declarations),
# none of them garbage: collecting while they are made is wasted work, and once made
# they are set apart (gc.freeze) so later collections do not walk them again.
gc.disable()

import errno  # noqa: E402
import importlib  # noqa: E402
import os  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402

import click  # noqa: E402

from cstool import __version__  # noqa: E402
from cstool.app.routines import cli_groups  # noqa: E402
from cstool.cli._common import App, global_options  # noqa: E402
from cstool.cli._i18n import route_click  # noqa: E402
from cstool.core import i18n  # noqa: E402
from cstool.core.errors import CstoolError  # noqa: E402
from cstool.core.i18n import N_, _  # noqa: E402
from cstool.core.journal import resolve_path  # noqa: E402
from cstool.core.mask import mask_secrets  # noqa: E402

# The house's commands (not a routine's): name -> the module of cstool/cli that has it.
HOUSE = {"init": "journal", "journal": "journal", "policy": "policy", "agent": "agent",
         "remind": "remind", "report": "report", "serve": "serve"}
# Every command: name -> its module; a routine's group is cstool/cli/<group>.py.
COMMANDS = {**HOUSE, **{name: name for name in cli_groups()}}
route_click()
gc.freeze()
gc.enable()


class LazyGroup(click.Group):
    def main(self, *args, **kwargs):
        # Each command line resolves its language afresh (CSTOOL_LANG, the journal, the
        # locale): a test or a long-lived caller may change them between two runs.
        i18n.reset()
        return super().main(*args, **kwargs)

    def _main_shell_completion(self, ctx_args, prog_name, complete_var=None):
        if complete_var is None:
            complete_var = f"_{prog_name.replace('-', '_').replace('.', '_')}_COMPLETE".upper()
        if not os.environ.get(complete_var):
            return None
        import click.shell_completion  # noqa: F401  (its words, routed to the catalog)

        route_click()
        _COMPLETING.append(True)
        try:
            return super()._main_shell_completion(ctx_args, prog_name, complete_var)
        finally:
            _COMPLETING.clear()

    def list_commands(self, ctx):
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx, name):
        if name in self.commands:
            return _completing(self.commands[name])
        module = COMMANDS.get(name)
        if module is None:
            return None
        # A command module is imported when its command runs: cron pays for one (without
        # collecting garbage while it loads, as at start-up).
        enabled = gc.isenabled()
        gc.disable()
        try:
            loaded = importlib.import_module(f"cstool.cli.{module}")
        finally:
            if enabled:
                gc.freeze()
                gc.enable()
        return _completing(getattr(loaded, name))

    def invoke(self, ctx):
        for problem in i18n.problems():
            click.echo(i18n.gettext("warning: {problem}").format(problem=problem.shown()),
                       err=True)
        try:
            return super().invoke(ctx)
        except CstoolError as e:
            raise click.ClickException(mask_secrets(e.shown())) from None
        except sqlite3.OperationalError as e:
            if "full" in str(e):
                raise click.ClickException(_(
                    "the disk is full ({error}, journal {path}): nothing was changed; free "
                    "some space and run it again").format(error=e, path=_journal_path(ctx))) \
                    from None
            if "locked" in str(e) or "busy" in str(e):
                raise click.ClickException(_(
                    "the journal stayed busy (another cstool is writing); nothing was changed, "
                    "try again")) from None
            if "readonly" in str(e):
                raise click.ClickException(_("the journal is read-only: {error}").format(
                    error=e)) from None
            raise self._internal(e) from None
        except sqlite3.DatabaseError as e:
            raise click.ClickException(mask_secrets(_("journal error: {error}").format(
                error=e))) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # `cstool orders list | head`: the reader went away; stop quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise click.exceptions.Exit(1) from None
        except OSError as e:
            raise click.ClickException(mask_secrets(os_error(e))) from None
        except Exception as e:
            if os.environ.get("CSTOOL_DEBUG"):
                raise
            raise self._internal(e) from None
        finally:
            app = ctx.find_object(App)
            if app is not None:
                app.close()

    @staticmethod
    def _internal(e: Exception) -> click.ClickException:
        return click.ClickException(mask_secrets(_(
            "internal error: {type}: {error} (set CSTOOL_DEBUG=1 for a traceback, and please "
            "report it)").format(type=type(e).__name__, error=e)))


_COMPLETING: list = []  # non-empty while a shell asks for completions


def _completing(command):
    """``command``, with order numbers completing from the journal when a shell asks."""
    if _COMPLETING:
        from cstool.cli._complete import attach

        attach(command)
    return command


def _journal_path(ctx) -> str:
    app = ctx.find_object(App)
    return resolve_path(app.db_path if app is not None else None)


def os_error(e: OSError) -> str:
    """A failed file operation as a sentence: what, where, and that nothing was left behind."""
    where = f" ({e.filename})" if e.filename else ""
    if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return _("the disk is full{where}: nothing was written; free some space and run it "
                 "again").format(where=where)
    if e.errno == errno.EROFS:
        return _("the file system is read-only{where}: nothing was written").format(where=where)
    if e.errno in (errno.EACCES, errno.EPERM):
        return _("permission denied{where}: nothing was written").format(where=where)
    return _("{error}{where}: nothing was written").format(error=e.strerror or e, where=where)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
# The words are given, not click's defaults: those are translated once, on import.
@click.version_option(__version__, prog_name="cstool", message="%(prog)s, version %(version)s",
                      help=N_("Show the version and exit."))
@global_options
@click.pass_context
def cli(ctx):
    """Customer-service routines (客服) for shops on Taobao/Tmall, PDD, JD, Douyin, Youzan.

    One local SQLite journal holds the shops' orders, remarks, chases,
    abnormal shipments and handover items; every command reads or writes it.

    \b
    Start:
      cstool init
      cstool agent add 倩 --name 王倩 --role presale
      cstool orders import ExportOrderList.csv --agent 倩
      cstool orders list --status unpaid
    """
    ctx.ensure_object(App)


def main(argv=None, prog_name: str = "cstool"):
    return cli.main(args=argv, prog_name=prog_name)
