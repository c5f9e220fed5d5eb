"""The command line in the reader's language: click's own words and the help texts.

click marks its strings (``Usage:``, ``Options:``, ``Error:``, ``Missing option``,
``No such command`` …) with the standard gettext, bound in each of its modules as
``_`` and ``ngettext``. :func:`route_click` points those names at our catalog, so
click's words come out in the language :mod:`cstool.core.i18n` resolved; the
catalog holds their Chinese (``make messages`` extracts them from click itself).

click measures help text in characters; :func:`route_click` also has it measure in
display columns (a Chinese character is two), so Chinese help wraps inside the
terminal instead of running twice as wide.

Help texts stay where the house style puts them (docstrings, ``help=``): they are
msgids as written, and :func:`localize` translates a command's help, short help,
epilog and its parameters' help each time the command is looked up, from the
English it keeps aside, so one process can show either language.
"""

from __future__ import annotations

import inspect
import sys

import click

from cstool.core import i18n
from cstool.core.i18n import N_

# The click modules that call gettext; each is patched once it is imported.
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types",
                 "termui", "utils", "shell_completion", "_termui_impl", "_compat",
                 "_winconsole", "testing")


# The words of a usage line that click keeps as attributes, not as gettext calls.
OPTIONS_METAVAR = N_("[OPTIONS]")
SUBCOMMAND_METAVAR = N_("COMMAND [ARGS]...")


def route_click() -> None:
    """Point click's gettext names at our catalog (modules imported so far; call again
    after importing another click module, e.g. shell completion), and its measure of
    help text at display columns."""
    for name in CLICK_MODULES:
        module = sys.modules.get(f"click.{name}")
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = i18n.gettext
        if hasattr(module, "ngettext"):
            module.ngettext = i18n.ngettext
    core = sys.modules["click.core"]
    if getattr(core, "_make_default_short_help", _short_help) is not _short_help:
        _ORIGINAL["short_help"], core._make_default_short_help = \
            core._make_default_short_help, _short_help
    formatting = sys.modules["click.formatting"]
    if formatting.wrap_text is not _wrap_text:
        _ORIGINAL["wrap_text"], formatting.wrap_text = formatting.wrap_text, _wrap_text
        _ORIGINAL["term_len"], formatting.term_len = formatting.term_len, _term_len


def _wrap_text(*args, **kwargs):
    """click's wrap_text, its wrapper measuring display columns (patched on first use:
    a command that prints no help never imports the wrapper)."""
    import click._textwrap as wrap

    if wrap.term_len is not _term_len:
        wrap.term_len = _term_len
        if hasattr(wrap, "_truncate_visible"):
            _ORIGINAL["truncate"], wrap._truncate_visible = wrap._truncate_visible, \
                _truncate_visible
    return _ORIGINAL["wrap_text"](*args, **kwargs)


_ORIGINAL: dict = {}


def _short_help(help: str, max_length: int = 45) -> str:
    """A command's line in its group's list: click's for English; for Chinese, the first
    sentence (up to 。) cut to ``max_length`` display columns."""
    if help.isascii():
        return _ORIGINAL["short_help"](help, max_length)
    first = help.partition("\n\n")[0]
    if "。" not in first and sum(not c.isascii() for c in first) * 2 < len(first):
        # English with a Chinese word or two: click's cut, leaving room for the wide ones
        extra = columns(first) - len(first)
        return _ORIGINAL["short_help"](help, max(max_length - extra, 3))
    text = " ".join(w for w in help.partition("\n\n")[0].split() if w != "\b")
    for end in ("。", ". "):
        if end in text:
            text = text.split(end, 1)[0] + end.strip()
            break
    if columns(text) <= max_length:
        return text
    return _truncate_visible(text, max(max_length - 1, 1)) + "…"


def columns(text: str) -> int:
    """Columns ``text`` takes on a terminal, by the Unicode East Asian width (wide and
    full-width characters two, combining marks none): enough for help text, and without
    wcwidth's tables, which help does not pay for."""
    from unicodedata import combining, east_asian_width

    return sum(0 if combining(c) else 2 if east_asian_width(c) in "WF" else 1 for c in text)


def _term_len(text: str) -> int:
    """click's measure of help text (its own for plain ASCII)."""
    if text.isascii():
        return _ORIGINAL["term_len"](text)
    from click._compat import strip_ansi

    return columns(strip_ansi(text))


def _truncate_visible(text: str, n: int) -> str:
    """The longest start of ``text`` that fits ``n`` columns, cut between characters
    (a combining mark stays with its letter)."""
    if text.isascii():
        return _ORIGINAL["truncate"](text, n)
    from unicodedata import combining

    used = 0
    for i, c in enumerate(text):
        w = columns(c)
        if used + w > n and not combining(c):
            return text[:i]
        used += w
    return text


def help_msgid(text):
    """A help text as click shows it (and as it is extracted): dedented, up to ``\\f``."""
    if not text:
        return text
    return inspect.cleandoc(text).partition("\f")[0]


_ENGLISH = "_cstool_english"
# click makes each command's --help option once, with its help in the language of that
# moment: its English is this.
HELP_OPTION = "Show this message and exit."


def localize(command: click.Command) -> click.Command:
    """Translate ``command``'s help texts (and its subcommands' loaded so far) into the
    current language; the English stays aside, so a later call may pick the other."""
    for obj, help_option in _walk(command):
        for name, text in english(obj, help_option).items():
            setattr(obj, name, i18n.gettext(text) if text else text)
        if isinstance(obj, click.Command):
            obj.options_metavar = i18n.gettext(OPTIONS_METAVAR)
            if isinstance(obj, click.Group):
                obj.subcommand_metavar = i18n.gettext(SUBCOMMAND_METAVAR)
    return command


def english(obj, help_option: bool = False) -> dict:
    """The help texts of a command or a parameter as written (the msgids), by attribute."""
    found = obj.__dict__.get(_ENGLISH)
    if found is None:
        if help_option:
            found = {"help": HELP_OPTION}
        elif isinstance(obj, click.Command):
            found = {n: help_msgid(getattr(obj, n, None)) for n in ("help", "short_help", "epilog")}
        else:
            found = {"help": help_msgid(getattr(obj, "help", None))}
        obj.__dict__[_ENGLISH] = found
    return found


def _walk(command: click.Command):
    yield command, False
    for param in command.params:
        yield param, False
    if getattr(command, "_help_option", None) is not None:
        yield command._help_option, True
    for sub in getattr(command, "commands", {}).values():
        yield from _walk(sub)
