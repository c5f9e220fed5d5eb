"""What every command shares: the App context, common options, output, domain choices.

Commands stay thin: parse options, call a library function, hand the result
to :meth:`App.emit`. The journal, the policy and the clock are opened lazily,
so a command pays only for what it touches.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Sequence
from typing import Any, Callable, Optional

import click

from cstool.app.policy import Policy
from cstool.core import agents, i18n
from cstool.core.clock import Clock, to_db
from cstool.core.context import Context, Scope
from cstool.core.errors import BadUsage, CstoolError
from cstool.core.i18n import N_, _, shown
from cstool.core.journal import Journal, resolve_path
from cstool.core.limits import MAX_HOURS, MAX_TEXT
from cstool.core.output import FORMATS, Listing, Renderer
from cstool.core.values import parse_money


class App:
    """Per-invocation settings and lazily opened resources (``ctx.obj``)."""

    def __init__(self) -> None:
        self.db_path: Optional[str] = None
        self.now_text: Optional[str] = None
        self.agent_name: Optional[str] = None
        self.reveal = False
        self.wide = False  # --wide: tables print every column, unwrapped
        # Commands that work without a journal (journal path, policy presets, remark
        # parse) set this: the policy and the clock then take their defaults.
        self.journal_optional = False
        self._journal = None
        self._policy = None
        self._clock = None
        self._ctx = None
        self.scope = Scope()  # --platform / --shop

    # -- resources --

    @property
    def journal(self):
        """The journal; a missing one is an error (only ``cstool init`` creates it)."""
        if self._journal is None:
            self._journal = Journal.open(self.db_path)
            for warning in self._journal.warnings:
                click.echo(_("warning: {problem}").format(problem=shown(warning)), err=True)
        return self._journal

    def existing_journal(self):
        """The journal if it exists, else None (for commands that work without one)."""
        if self._journal is None:
            if not os.path.exists(resolve_path(self.db_path)):
                return None
        return self.journal

    @property
    def policy(self):
        """The shop's policy: read from the journal, which must exist unless the
        command is one that works without it."""
        if self._policy is None:
            self._policy = Policy(self.existing_journal() if self.journal_optional
                                  else self.journal)
            for problem in self._policy.problems:
                click.echo(_("warning: {problem}").format(problem=shown(problem)), err=True)
        return self._policy

    @property
    def clock(self):
        if self._clock is None:
            tz = self.policy.get("timezone")
            try:
                self._clock = Clock(tz, self.now_text)
            except CstoolError as e:
                raise click.BadParameter(e.shown(), param_hint="'--now' / CSTOOL_NOW") from None
        return self._clock

    def now_db(self) -> str:
        return self.clock.now_db()

    def since(self, text: Optional[str], option: str = "--since",
              past: Optional[bool] = True) -> Optional[str]:
        """A ``--since``-style value as a journal instant (None when not given); a value
        that is not a time is a usage error naming the option."""
        if not text:
            return None
        clock = self.clock  # its own errors (the journal, --now) are not this option's
        try:
            return to_db(clock.parse_since(text, past=past))
        except CstoolError as e:
            raise click.BadParameter(e.shown(), param_hint=f"'{option}'") from None

    def day(self, text: Optional[str], option: str = "--date"):
        """A ``--date`` value (default today); a bad one is a usage error naming the option."""
        clock = self.clock
        try:
            return clock.parse_day(text)
        except CstoolError as e:
            raise click.BadParameter(e.shown(), param_hint=f"'{option}'") from None

    def agent(self) -> str:
        """The acting agent for a write: given, and registered."""
        if not self.agent_name:
            raise click.UsageError(_(
                "this command writes to the journal and needs to know who you are: "
                "give --agent NAME or set CSTOOL_AGENT (register with: cstool agent add NAME)"))
        agents.get(self.journal, self.agent_name)
        return self.agent_name

    @property
    def ctx(self) -> Context:
        """The context every routine is given: this command's journal, clock, policy,
        agent (as given, for reading) and renderer."""
        if self._ctx is None:
            if self.scope.shop:
                self.check_shop(self.scope.shop)
            self._ctx = Context(self.journal, self.clock, self.policy, self.agent_name,
                                self.renderer(), self.scope)
        return self._ctx

    def check_shop(self, shop: str, new: Optional[bool] = None) -> str:
        """A shop the journal knows (a mistyped name would silently match nothing); ``new``
        (a command with ``--new-shop``): True for one declared before its first import."""
        from cstool.core.orders import shops

        known = shops(self.journal)
        if new or shop in known:
            return shop
        listed = ", ".join(known) if known else _("none yet (import a shop's export first)")
        raise click.BadParameter(
            (_("no shop {shop} in the journal; its shops: {listed} (a shop not imported yet: "
               "add --new-shop)") if new is not None else
             _("no shop {shop} in the journal; its shops: {listed}")).format(
                shop=repr(shop), listed=listed), param_hint="'--shop'")

    def writer(self) -> Context:
        """The context of a command that writes: the agent must be given and registered."""
        self.agent()
        return self.ctx

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    # -- output --

    def renderer(self) -> Renderer:
        """Tables fit the terminal (COLUMNS, or the tty's width) unless --wide; piped
        output is fitted only when COLUMNS asks, and never cut."""
        from cstool.core.table import is_tty, terminal_width

        width = None if self.wide else terminal_width(sys.stdout)
        return Renderer(self.clock, reveal=self.reveal, width=width,
                        cut=width is not None and is_tty(sys.stdout))

    def emit(self, rows: Any, fmt: str = "table", columns: Optional[Sequence[str]] = None,
             empty: Optional[str] = None, listing: Optional[Listing] = None) -> None:
        self.renderer().render(rows, fmt, out=sys.stdout, columns=columns, empty=empty,
                               listing=listing)


pass_app = click.make_pass_decorator(App, ensure=True)


# -- common options: accepted before the command (cstool --db X orders list)
#    and after it (cstool orders list --db X); the later one wins.


def _setter(attr: str) -> Callable:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is None or value is False:
            return
        app = ctx.ensure_object(App)
        setattr(app, attr, value)
        if attr == "db_path":
            i18n.configure(value)  # the language may be this journal's policy

    return callback


def _global_option(*decls: str, attr: str, envvar: Optional[str], help: str, is_flag=False,
                   metavar: Optional[str] = None) -> Callable:
    return click.option(*decls, envvar=envvar, expose_value=False, is_eager=True,
                        callback=_setter(attr), is_flag=is_flag, default=None if not is_flag else False,
                        help=help, metavar=metavar, show_envvar=bool(envvar))


def global_options(f: Callable, envvars: bool = True) -> Callable:
    opts = [
        _global_option("--db", attr="db_path", envvar="CSTOOL_DB" if envvars else None,
                       metavar="PATH", help=N_("Journal file (default: user data dir/cstool/journal.db).")),
        _global_option("--now", attr="now_text", envvar="CSTOOL_NOW" if envvars else None,
                       metavar="TIME", help=N_("Pin the clock: 'YYYY-MM-DD HH:MM[:SS]', shop time.")),
        _global_option("--agent", attr="agent_name", envvar="CSTOOL_AGENT" if envvars else None,
                       metavar="NAME", help=N_("Acting agent's short name (needed to write).")),
        _global_option("--reveal", attr="reveal", envvar=None, is_flag=True,
                       help=N_("Show buyer names, phones and addresses unmasked.")),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def common_options(f: Callable) -> Callable:
    """Per-command copies of the global options (no envvar: the group reads those).

    Every leaf command has them, so this is also where a library's
    :class:`~cstool.errors.BadUsage` becomes click's usage error (exit 2)."""

    @functools.wraps(f)
    def usage_errors(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except BadUsage as e:
            ctx = click.get_current_context()
            if e.option:
                raise click.BadParameter(e.shown(), ctx=ctx, param_hint=f"'{e.option}'") from None
            raise click.UsageError(e.shown(), ctx=ctx) from None

    return global_options(usage_errors, envvars=False)


def output_options(f: Callable) -> Callable:
    """``--format`` and ``--json``; the command receives ``fmt``."""

    @click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table",
                  show_default=True, help=N_("Output format."))
    @click.option("--json", "as_json", is_flag=True, help=N_("Shortcut for --format json."))
    @click.option("--wide", is_flag=True, expose_value=False, callback=_setter("wide"),
                  help=N_("Tables: every column, nothing wrapped (the terminal's width is "
                          "COLUMNS, else the terminal's own; piped output is never cut)."))
    @functools.wraps(f)
    def wrapper(*args, fmt: str, as_json: bool, **kwargs):
        return f(*args, fmt="json" if as_json else fmt, **kwargs)

    return wrapper


def _scope(part: str) -> Callable:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is None:
            return
        if part == "shop" and not value.strip():
            raise click.BadParameter("give the shop's name (店铺名称)", ctx=ctx, param=param)
        app = ctx.ensure_object(App)
        scope = app.scope
        app.scope = Scope(value if part == "platform" else scope.platform,
                          value if part == "shop" else scope.shop)

    return callback


def scope_options(f: Callable) -> Callable:
    """``--platform`` and ``--shop``: only that platform's or shop's orders, on every
    listing, queue, sheet and report; a command that names an order looks for it there
    (``--platform`` says which order a number means when two platforms have it)."""
    from cstool.core.vocab import PLATFORM

    f = click.option("--shop", metavar="NAME", expose_value=False, callback=_scope("shop"),
                     help="Only this shop's orders (店铺名称).")(f)
    return click.option("--platform", type=Domain(PLATFORM), expose_value=False,
                        callback=_scope("platform"),
                        help="Only this platform's orders: taobao (淘宝/天猫), pdd (拼多多), "
                             "jd (京东), douyin (抖音), youzan (有赞).")(f)


def json_option(f: Callable) -> Callable:
    """``--json`` for commands that create something: print the created object."""
    return click.option("--json", "as_json", is_flag=True,
                        help=N_("Print the created object as JSON."))(f)


class Domain(click.ParamType):
    """A domain word from a :class:`cstool.vocab.Vocabulary` (English or Chinese)."""

    def __init__(self, vocab) -> None:
        self.vocab = vocab
        self.name = vocab.what

    def get_metavar(self, param, *args, **kwargs) -> str:
        return "[" + "|".join(self.vocab.values) + "]"

    def shell_complete(self, ctx, param, incomplete):
        """The vocabulary's words, English or Chinese as typed (cli/_complete.py)."""
        from cstool.cli._complete import complete_words

        return complete_words(self.vocab, incomplete)

    def convert(self, value, param, ctx):
        if value is None:
            return None
        canon = self.vocab.get(value)
        if canon is None:
            self.fail(self.vocab.unknown(value), param, ctx)
        return canon


class Money(click.ParamType):
    """An amount in yuan (``128.50``), converted to fen."""

    name = "amount"

    def convert(self, value, param, ctx):
        if value is None or isinstance(value, int):
            return value
        try:
            return parse_money(value)
        except CstoolError as e:
            self.fail(e.shown(), param, ctx)


def journal_optional(f: Callable) -> Callable:
    """For commands that need no journal (reference lists, pure text tools): without
    one they run on the default policy instead of refusing."""

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        click.get_current_context().ensure_object(App).journal_optional = True
        return f(*args, **kwargs)

    return wrapper


class Hours(click.ParamType):
    """A number of hours, finite and at most a year (``--within 12``)."""

    name = "hours"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        try:
            hours = float(value)
        except (TypeError, ValueError):
            self.fail(_("{value} is not a number of hours").format(value=repr(value)), param, ctx)
        if not 0 <= hours <= MAX_HOURS:  # also false for nan
            self.fail(_("{value} hours is outside 0..{max} (a year)").format(
                value=repr(value), max=MAX_HOURS), param, ctx)
        return hours


# --limit: 0 (all) up to what a listing could ever hold
LIMIT = click.IntRange(0, 10 ** 9)


def check_lengths(ctx: click.Context, values: dict) -> None:
    """No text option longer than a person types (MAX_TEXT): a usage error naming it."""
    for param in ctx.command.params:
        value = values.get(param.name)
        for v in value if isinstance(value, (tuple, list)) else (value,):
            if isinstance(v, str) and len(v) > MAX_TEXT:
                raise click.BadParameter(_("{n} characters is more than the {max} a value may "
                                           "have").format(n=f"{len(v):,}", max=f"{MAX_TEXT:,}"),
                                         ctx=ctx, param=param)


def command(group: click.Group, name: Optional[str] = None, **kw) -> Callable:
    """``@group.command`` with the common options attached (and text lengths checked)."""

    def decorator(f: Callable) -> click.Command:
        @functools.wraps(f)
        def checked(*args, **kwargs):
            check_lengths(click.get_current_context(), kwargs)
            return f(*args, **kwargs)

        return group.command(name=name, **kw)(common_options(checked))

    return decorator
