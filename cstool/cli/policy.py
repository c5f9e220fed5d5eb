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
SHOP_LISTING = Listing(columns=("shop", "key", "value", "source", "help"),
                       table={"value": display, "help": _,
                              "source": lambda s: pgettext("source", s)},
                       below="help")
PRESETS = Listing(below="sets", table={"about": _})
# Marked for extraction: the sources policy show names.
SOURCES = (NC_("source", "default"), NC_("source", "set"), NC_("source", "shop"))


def _shop(shop):
    """``--shop NAME`` (None when not given); a blank name is a usage mistake."""
    if shop is None:
        return None
    if not shop.strip():
        raise click.BadParameter(_("give the shop's name (店铺名称)"), param_hint="'--shop'")
    return shop.strip()


@click.group()
def policy():
    """Shop rules where the manuals differ: deadlines, chase hours, flag colours."""


@command(policy)
@click.argument("key", required=False)
@click.option("--shop", metavar="NAME",
              help="The values one shop's orders read (店铺名称); source shop where it has its own.")
@output_options
@pass_app
def show(app, key, shop, fmt):
    """Show every policy key with its value (or one KEY's value).

    With --shop, the values that shop's orders are judged by: its own where
    it has set one (source shop), else the journal's.

    \b
      cstool policy show
      cstool policy show chase_windows.phone
      cstool policy show --shop 示范拼多多店
    """

    shop = _shop(shop)
    if key:
        k = app.policy.key(key)
        value = app.policy.get(k.name, shop)
        if k.secret:
            value = mask_secret(value)
        if fmt == "table":
            click.echo(display(value))
        else:
            app.emit({"key": k.name, "value": value}, fmt)
        return
    app.emit(app.policy.rows(shop), fmt, listing=SHOP_LISTING if shop else LISTING)


@command(policy, name="set", context_settings={"ignore_unknown_options": True})
@click.argument("key")
@click.argument("value")
@click.option("--shop", metavar="NAME",
              help="One shop's own value (店铺名称): it overrides the journal's for that "
                   "shop's orders.")
@click.option("--new-shop", is_flag=True,
              help="With --shop: a shop the journal has no order of yet (else a name it "
                   "does not know is refused as mistyped).")
@pass_app
def set_(app, key, value, shop, new_shop):
    """Set KEY to VALUE (validated); with --shop, for that shop's orders only.

    \b
      cstool policy set ship_deadline_hours 48
      cstool policy set --shop 示范拼多多店 ship_deadline_hours 48
      cstool policy set chase_windows.phone 10:00-12:00,15:00-17:00
      cstool policy set flag_scheme shipping
      cstool policy set flag_scheme red=problem,yellow=ship
    """

    k = app.policy.key(key)
    name = k.name
    shop = _shop(shop)
    if shop is not None and k.per_shop:  # (a key no shop may set is refused as that)
        app.check_shop(shop, new=new_shop)
    value = app.policy.set(name, value, app.agent_name, app.now_db(), shop=shop)
    where = f" (shop {shop})" if shop else ""
    click.echo(f"{name} = {mask_secret(value) if k.secret else display(value)}{where}")


@command(policy)
@click.argument("key")
@click.option("--shop", metavar="NAME", required=True,
              help="The shop whose own value is dropped (its orders read the journal's again).")
@pass_app
def unset(app, key, shop):
    """Drop a shop's own value of KEY: its orders read the journal's value again.

    \b
      cstool policy unset ship_deadline_hours --shop 示范拼多多店
    """

    shop = _shop(shop)
    k = app.policy.key(key)
    if app.policy.unset(k.name, shop):
        click.echo(f"{k.name}: shop {shop} reads the journal's value again "
                   f"({display(app.policy.get(k.name))})")
    else:
        click.echo(f"{k.name}: shop {shop} has no value of its own", err=True)


@command(policy)
@click.argument("preset")
@click.option("--shop", metavar="NAME",
              help="One shop's own value (店铺名称): it overrides the journal's for that "
                   "shop's orders.")
@click.option("--new-shop", is_flag=True,
              help="With --shop: a shop the journal has no order of yet.")
@pass_app
def use(app, preset, shop, new_shop):
    """Apply a PRESET that reproduces one manual (see: cstool policy presets).

    \b
      cstool policy use manual-000
      cstool policy use flags-shipping
    """

    shop = _shop(shop)
    if shop is not None:
        app.check_shop(shop, new=new_shop)
    values = app.policy.use(preset, app.agent_name, app.now_db(), shop=shop)
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
