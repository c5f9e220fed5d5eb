"""cstool policy show|set|use|presets."""

import click

from cstool.app import policy as house
from cstool.app.policy import display, mask_secret
from cstool.cli._common import command, journal_optional, output_options, pass_app
from cstool.core.i18n import NC_, _, pgettext
from cstool.core.output import Listing

# A table shows each value as it is typed (10:00-12:00,15:00-17:00); scripts get the value.
LISTING = Listing(columns=("key", "value", "source", "help"),
                  table={"value": display, "help": _, "source": lambda s: pgettext("source", s)},
                  below="help")
PRESETS = Listing(below="sets", table={"about": _})
# Marked for extraction: the sources policy show names.
SOURCES = (NC_("source", "default"), NC_("source", "set"))


@click.group()
def policy():
    """Shop rules where the manuals differ: deadlines, chase hours, flag colours."""


@command(policy)
@click.argument("key", required=False)
@output_options
@pass_app
def show(app, key, fmt):
    """Show every policy key with its value (or one KEY's value).

    \b
      cstool policy show
      cstool policy show chase_windows.phone
    """

    if key:
        k = app.policy.key(key)
        value = app.policy.get(k.name)
        if k.secret:
            value = mask_secret(value)
        if fmt == "table":
            click.echo(display(value))
        else:
            app.emit({"key": k.name, "value": value}, fmt)
        return
    app.emit(app.policy.rows(), fmt, listing=LISTING)


@command(policy, name="set", context_settings={"ignore_unknown_options": True})
@click.argument("key")
@click.argument("value")
@pass_app
def set_(app, key, value):
    """Set KEY to VALUE (validated).

    \b
      cstool policy set ship_deadline_hours 48
      cstool policy set chase_windows.phone 10:00-12:00,15:00-17:00
      cstool policy set flag_scheme shipping
      cstool policy set flag_scheme red=problem,yellow=ship
    """

    k = app.policy.key(key)
    name = k.name
    value = app.policy.set(name, value, app.agent_name, app.now_db())
    click.echo(f"{name} = {mask_secret(value) if k.secret else display(value)}")


@command(policy)
@click.argument("preset")
@pass_app
def use(app, preset):
    """Apply a PRESET that reproduces one manual (see: cstool policy presets).

    \b
      cstool policy use manual-000
      cstool policy use flags-shipping
    """

    values = app.policy.use(preset, app.agent_name, app.now_db())
    for name, value in values.items():
        click.echo(f"{name} = {display(value)}")


@command(policy)
@output_options
@journal_optional
@pass_app
def presets(app, fmt):
    """List the presets and what they set.

    \b
      cstool policy presets
      cstool policy use manual-002
    """

    rows = [{"preset": name, "about": about,
             "sets": "; ".join(f"{k}={display(v)}" for k, v in values.items())}
            for name, (about, values) in house.presets().items()]
    app.emit(rows, fmt, listing=PRESETS)
