"""cstool init · cstool journal path|status|backup."""

import click

from cstool.cli._common import (
    command,
    common_options,
    journal_optional,
    output_options,
    pass_app,
)
from cstool.core import files
from cstool.core.i18n import _
from cstool.core.journal import Journal, resolve_path


@click.command(name="init")
@common_options
@pass_app
def init(app):
    """Create the journal (if missing) and print its path. Safe to run again.

    The only command that creates a journal: every other one refuses a path
    with no journal, so a typo in CSTOOL_DB fails loudly instead of starting
    an empty journal.

    \b
      cstool init
      cstool --db ./shop.db init
    """

    app._journal = Journal.open(app.db_path, create=True)
    click.echo(app._journal.path)


@click.group()
def journal():
    """The journal file: where it is, its state, an online backup."""


@command(journal, name="path")
@journal_optional
@pass_app
def path_(app):
    """Print the journal's path (without creating it)."""

    click.echo(resolve_path(app.db_path))


@command(journal)
@output_options
@pass_app
def status(app, fmt):
    """Schema version, pending migrations and row counts.

    \b
      cstool journal status
      cstool journal status --json
    """
    info = app.journal.status()
    if fmt == "table":
        _field(_("path:"), info["path"])
        _field(_("schema version:"), _("{version} ({n} migrations)").format(
            version=info["schema_version"], n=info["migrations_applied"]))
        _field(_("pending:"), ", ".join(info["pending_migrations"]) or _("none"))
        if info["unknown_migrations"]:
            _field(_("newer than this cstool:"), ", ".join(info["unknown_migrations"]))
        _field(_("mode:"), _("{mode}, {size} bytes").format(
            mode=info["journal_mode"], size=f"{info['size_bytes']:,}"))
        app.emit([{"table": t, "rows": n} for t, n in info["counts"].items()], "table")
    else:
        app.emit(info, fmt)


def _field(label: str, value: str) -> None:
    """``label:`` and its value, the values lined up (labels measured in columns)."""
    from cstool.cli._i18n import columns

    click.echo(label + " " * max(17 - columns(label), 1) + str(value))


@command(journal)
@click.argument("file", type=click.Path())
@output_options
@pass_app
def backup(app, file, fmt):
    """Copy the journal to FILE with SQLite's online backup (safe while others write).

    \b
      cstool journal backup ~/backups/journal-$(date +%F).db
    """
    result = files.backup(app.journal, file, app.now_db())
    if fmt == "table":
        click.echo(_("backed up {size} bytes to {path} ({check})").format(
            size=f"{result['size_bytes']:,}", path=result["path"], check=result["check"]))
    else:
        app.emit(result, fmt)
