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
from cstool.core.i18n import N_, NC_

# The click modules that call gettext; each is patched once it is imported.
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types",
                 "termui", "utils", "shell_completion", "_termui_impl", "_compat",
                 "_winconsole", "testing")


# The words of a usage line that click keeps as attributes, not as gettext calls.
OPTIONS_METAVAR = N_("[OPTIONS]")
SUBCOMMAND_METAVAR = N_("COMMAND [ARGS]...")
# click passes this one to gettext through a variable, where extraction cannot see it.
REQUIRED = N_("required")
# The placeholders of options and arguments (``--since DATE``, ``ORDER``), in the
# context ``metavar``: a usage line reads ``cstool chase log [选项] 订单号``.
METAVARS = (
    NC_("metavar", "AMOUNT"), NC_("metavar", "BOOLEAN"), NC_("metavar", "DATE"),
    NC_("metavar", "FIELD"), NC_("metavar", "COLUMN"), NC_("metavar", "FILE"),
    NC_("metavar", "FILES"), NC_("metavar", "HOURS"), NC_("metavar", "ID"),
    NC_("metavar", "INTEGER RANGE"), NC_("metavar", "INTEGER"), NC_("metavar", "ITEM"),
    NC_("metavar", "KEY"), NC_("metavar", "NAME"), NC_("metavar", "NICK"),
    NC_("metavar", "NUMBER"), NC_("metavar", "ORDER"), NC_("metavar", "PATH"),
    NC_("metavar", "PRESET"), NC_("metavar", "SECRET"), NC_("metavar", "SHORT"),
    NC_("metavar", "SOURCE"), NC_("metavar", "STEP"), NC_("metavar", "TEXT"),
    NC_("metavar", "TIME"), NC_("metavar", "URL"), NC_("metavar", "VALUE"),
    NC_("metavar", "VAR"), NC_("metavar", "FLOAT"), NC_("metavar", "KIND"),
    NC_("metavar", "CHANNEL"),
)
_METAVAR_WORD = None


def metavar(text: str) -> str:
    """A placeholder in the reader's language: each upper-case word of it (``ORDER``,
    ``INTEGER RANGE``) translated, a choice list (``[phone|sms]``) as it is."""
    global _METAVAR_WORD
    if not text or text.isascii() and not any(c.isupper() for c in text):
        return text
    if _METAVAR_WORD is None:
        import re

        _METAVAR_WORD = re.compile(r"[A-Z][A-Z _]*[A-Z]|[A-Z]")
    return _METAVAR_WORD.sub(lambda m: i18n.pgettext("metavar", m.group(0)), text)


def _as_written(message: str) -> str:
    return message


def _localized_first(method):
    """A command's help, usage or short help, its texts translated first: a command line
    that prints none of them (cron's) never resolves the language nor reads a catalog."""
    def wrapped(self, *args, **kwargs):
        localize(self)
        return method(self, *args, **kwargs)

    wrapped._cstool = True
    return wrapped


def _full_stop(format_message):
    """click ends "Missing argument 'X'" with an English full stop: Chinese takes 。."""
    def wrapped(self):
        text = format_message(self)
        if i18n.language() == "zh" and text.endswith("."):
            text = text[:-1] + "。"
        return text

    wrapped._cstool = True
    return wrapped


def _translated_metavar(make):
    def make_metavar(self, *args, **kwargs):
        return metavar(make(self, *args, **kwargs))

    make_metavar._cstool = True
    return make_metavar


def route_click() -> None:
    """Point click's gettext names at our catalog (modules imported so far; call again
    after importing another click module, e.g. shell completion), and its measure of
    help text at display columns."""
    for name in CLICK_MODULES:
        module = sys.modules.get(f"click.{name}")
        if module is None:
            continue
        if name == "decorators":
            # The help and version options' texts, made on every command line: kept in
            # English here and translated with the rest of the help when it is shown
            # (localize), so a run that prints no help reads no catalog.
            module._ = _as_written
        elif hasattr(module, "_"):
            module._ = i18n.gettext
        if hasattr(module, "ngettext"):
            module.ngettext = i18n.ngettext
    core = sys.modules["click.core"]
    if getattr(core, "_make_default_short_help", _short_help) is not _short_help:
        _ORIGINAL["short_help"], core._make_default_short_help = \
            core._make_default_short_help, _short_help
    for name in ("get_help", "get_usage", "get_short_help_str"):
        method = getattr(click.Command, name)
        if not getattr(method, "_cstool", False):
            setattr(click.Command, name, _localized_first(method))
    missing = click.exceptions.MissingParameter
    if not getattr(missing.format_message, "_cstool", False):
        missing.format_message = _full_stop(missing.format_message)
    for cls in (click.Parameter, click.Argument):
        if "make_metavar" in cls.__dict__ and not getattr(cls.make_metavar, "_cstool", False):
            cls.make_metavar = _translated_metavar(cls.make_metavar)
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
        _ORIGINAL["split"], wrap.TextWrapper._split = wrap.TextWrapper._split, _split
    return _ORIGINAL["wrap_text"](*args, **kwargs)


def _choices(chunk: str) -> list[str]:
    """A list of choices (``[wangwang|phone|sms]``) breaks after a ``|``, never inside
    a value."""
    if "|" not in chunk or len(chunk) < 20:
        return [chunk]
    parts = chunk.split("|")
    return [p + "|" for p in parts[:-1]] + [parts[-1]]


def _split(self, text: str) -> list[str]:
    """textwrap's chunks, where Chinese text breaks between any two characters, except
    before closing punctuation and after opening punctuation (避头尾)."""
    chunks = [piece for chunk in _ORIGINAL["split"](self, text) for piece in _choices(chunk)]
    if text.isascii():
        return chunks
    from unicodedata import combining

    from cstool.core.table import NO_END, NO_START

    out: list[str] = []
    for piece in chunks:
        if piece.isascii():
            out.append(piece)
            continue
        cur, after_wide = "", False
        for ch in piece:
            wide = columns(ch) > 1
            if cur and (wide or after_wide) and ch not in NO_START and not combining(ch) \
                    and cur[-1] not in NO_END:
                out.append(cur)
                cur = ""
            cur += ch
            after_wide = wide
        out.append(cur)
    return out


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
