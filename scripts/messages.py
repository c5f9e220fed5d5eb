"""The message catalogs: extract the msgids, update each language's .po, compile the .mo.

    make messages                           # extract → update .po → compile .mo
    python scripts/messages.py --check      # exit 1, saying what, when anything is stale

Messages come from three places, all English msgids:

- cstool's code: ``_()``, ``ngettext()``, ``pgettext()`` and ``N_()`` calls (Babel's
  Python extractor, so ``_("…")`` written anywhere is found);
- click's own words (``Usage:``, ``Error: {message}``, ``Missing option`` …), extracted
  from the installed click, which :func:`cstool.cli._i18n.route_click` routes here;
- the command line's help texts (docstrings and ``help=``), collected by walking the
  commands in :data:`HELP_SCOPE` (``cstool.cli._i18n.localize`` translates them when shown);
- the names of the domain vocabularies (``order status``, ``exception kind`` …), in the
  context ``vocabulary``.

``cstool/locale/cstool.pot`` is the template; ``cstool/locale/<lang>/LC_MESSAGES/cstool.po``
the translations (a new message starts empty in ``zh`` and as its msgid in ``en``); the
``.mo`` beside each is what the package ships and reads. Locations are written without
line numbers, and a file is rewritten only when its messages change, so the catalogs
change in a diff exactly where a message did.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "cstool" / "locale"
TEMPLATE = LOCALE / "cstool.pot"
LANGUAGES = ("zh", "en")
# The commands whose help texts are extracted: a command path ("cstool", "cstool chase
# due") takes that command's own help and its options' help; "*" takes every command.
# Help texts outside it are shown in English until they are in the catalog.
HELP_SCOPE: tuple[str, ...] = ("*",)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "N_": None, "NC_": ((1, "c"), 2), "M_": None}
COMMENT_TAGS = ["Translators:"]
HEADER = {"header_comment": "# The messages of cstool: msgids in English (docs/i18n.md).\n"
                            "# Edit the msgstr lines, then run: make messages\n#",
          "copyright_holder": "the cstool authors", "msgid_bugs_address": "",
          "last_translator": "", "language_team": ""}


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "cstool.po"


def mo_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "cstool.mo"


def extract():
    """The template: every msgid of the code, of click and of the help texts in scope."""
    import click
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    import cstool

    catalog = Catalog(project="cstool", version=cstool.__version__, charset="utf-8",
                      fuzzy=False, **HEADER)
    sources = [(ROOT / "cstool", "cstool"), (Path(click.__file__).parent, "click")]
    for folder, prefix in sources:
        for filename, _lineno, message, comments, context in extract_from_dir(
                str(folder), method_map=[("**.py", "python")], keywords=KEYWORDS,
                comment_tags=COMMENT_TAGS, strip_comment_tags=True):
            if not (message if isinstance(message, str) else message[0]):
                continue
            catalog.add(message, locations=[(f"{prefix}/{filename}", None)],
                        auto_comments=comments, context=context)
    for where, text in help_texts(HELP_SCOPE):
        catalog.add(text, locations=[(where, None)], auto_comments=["help text"])
    for where, what in vocabularies():
        catalog.add(what, locations=[(where, None)], context="vocabulary",
                    auto_comments=["the kind of a domain word (Vocabulary.what)"])
    for where, text in policy_texts():
        catalog.add(text, locations=[(where, None)], auto_comments=["policy show / presets"])
    return catalog


def policy_texts():
    """(where, text) of every policy key's help and every preset's description."""
    from cstool.app import policy

    for k in policy.keys():
        if k.help:
            yield "cstool/app/policy.py (Key.help)", k.help
    for about, _values in policy.presets().values():
        if about:
            yield "cstool/app/policy.py (presets)", about


def vocabularies():
    """(where, what) of every domain vocabulary (the command line imports them all)."""
    from cstool.core import vocab

    list(help_texts(("*",)))  # loads every command's module, and with them the routines'
    for v in vocab.EVERY:
        yield "cstool/core/vocab.py (Vocabulary)", v.what


def help_texts(scope):
    """(where, text) for the help of each command in ``scope`` and of its parameters."""
    import click

    from cstool.cli import cli
    from cstool.cli._i18n import english

    def walk(command, path, ctx):
        yield path, command
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None:
                    yield from walk(sub, f"{path} {name}", ctx)

    everything = "*" in scope
    root = click.Context(cli, info_name="cstool")
    for path, command in walk(cli, "cstool", root):
        if not everything and path not in scope:
            continue
        module = sys.modules[command.callback.__module__].__file__ if command.callback \
            else "cstool/cli/__init__.py"
        where = f"{os.path.relpath(module, ROOT)} ({path})"
        for obj in (command, *command.params):
            for text in english(obj).values():
                if text:
                    yield where, text


def rel(path: Path) -> str:
    """A path as the messages name it: from the repository's root when inside it."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def _key(message):
    return (message.id, message.context)


def messages_of(catalog) -> dict:
    """A catalog's messages as comparable data: msgid → (msgstr, fuzzy, where)."""
    return {_key(m): (m.string, m.fuzzy, sorted(m.locations)) for m in catalog if m.id}


def read(path: Path, lang=None):
    from babel.messages.pofile import read_po

    with open(path, "rb") as fh:
        return read_po(fh, locale=lang)


def write(path: Path, catalog) -> bytes:
    from babel.messages.pofile import write_po

    buf = io.BytesIO()
    write_po(buf, catalog, width=100, include_lineno=False, ignore_obsolete=True,
             sort_output=False)
    return buf.getvalue()


def updated(template, lang: str):
    """``lang``'s catalog over the template: kept translations, new messages added (empty
    in Chinese, the msgid itself in English), vanished ones dropped."""
    from babel.messages.catalog import Catalog

    path = po_path(lang)
    catalog = read(path, lang) if path.exists() else Catalog(
        locale=lang, project="cstool", fuzzy=False, **HEADER)
    catalog.update(template, no_fuzzy_matching=True)
    if lang == "en":
        for m in catalog:
            if m.id and not _filled(m.string):
                m.string = m.id
    return catalog


def _filled(string) -> bool:
    return all(string) if isinstance(string, (tuple, list)) else bool(string)


def compiled(catalog) -> bytes:
    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def mo_messages(data: bytes) -> dict:
    """What a compiled catalog answers: msgid (or msgid with context) → translation."""
    import gettext

    return {k: v for k, v in gettext.GNUTranslations(io.BytesIO(data))._catalog.items()
            if k != ""}


def check() -> list[str]:
    """What is stale: a message in the code missing from a catalog (or the reverse), an
    untranslated one, a .mo that is not its .po compiled. Empty when all is in order."""
    problems = []
    template = extract()
    want = {_key(m) for m in template if m.id}
    if not TEMPLATE.exists() or {_key(m) for m in read(TEMPLATE) if m.id} != want:
        problems.append(f"{rel(TEMPLATE)} is not what the code holds")
    for lang in LANGUAGES:
        po, mo = po_path(lang), mo_path(lang)
        if not po.exists():
            problems.append(f"{rel(po)} is missing")
            continue
        catalog = read(po, lang)
        have = {_key(m) for m in catalog if m.id}
        for key in sorted(want - have, key=str):
            problems.append(f"{lang}: {key[0]!r} is not in {rel(po)}")
        for key in sorted(have - want, key=str):
            problems.append(f"{lang}: {key[0]!r} is no longer in the code")
        for m in catalog:
            if m.id and (m.fuzzy or not _filled(m.string)):
                problems.append(f"{lang}: {m.id!r} has no translation" +
                                (" (fuzzy)" if m.fuzzy else ""))
        if not mo.exists() or mo_messages(mo.read_bytes()) != mo_messages(compiled(catalog)):
            problems.append(f"{rel(mo)} is not {po.name} compiled")
    return problems


def _save(path: Path, data: bytes, same) -> bool:
    if path.exists() and same(path):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    if "--check" in argv:
        problems = check()
        for p in problems:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    template = extract()
    want = messages_of(template)
    changed = []
    if _save(TEMPLATE, write(TEMPLATE, template),
             lambda p: messages_of(read(p)) == want):
        changed.append(TEMPLATE)
    for lang in LANGUAGES:
        catalog = updated(template, lang)
        po, mo = po_path(lang), mo_path(lang)
        if _save(po, write(po, catalog),
                 lambda p, c=catalog, lang=lang: messages_of(read(p, lang)) == messages_of(c)):
            changed.append(po)
        data = compiled(catalog)
        if _save(mo, data, lambda p, d=data: mo_messages(p.read_bytes()) == mo_messages(d)):
            changed.append(mo)
        missing = [m.id for m in catalog if m.id and (m.fuzzy or not _filled(m.string))]
        if missing:
            print(f"{rel(po)}: {len(missing)} message(s) to translate",
                  file=sys.stderr)
    for path in changed:
        print(f"wrote {rel(path)}")
    if not changed:
        print("the catalogs are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
