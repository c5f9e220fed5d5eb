"""The language people read: Chinese (``zh``, the default) or English (``en``).

Which one (the command-line contract): ``CSTOOL_LANG`` (zh|en), else the journal's
policy ``language``, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``zh_*`` or
``en_*``), else Chinese. JSON keys and values, exit codes and file formats never
depend on it.

Messages are gettext msgids in English, looked up in the catalogs shipped in the
package (``cstool/locale/<lang>/LC_MESSAGES/cstool.mo``, compiled from the ``.po``
beside them by ``make messages``; see docs/i18n.md)::

    from cstool.core.i18n import _, ngettext, N_
    _("no handover items match")
    ngettext("{n} order", "{n} orders", n).format(n=n)
    LABELS = {"order_id": N_("order")}   # marked for extraction, translated when shown

Start-up pays for nothing it does not use: the standard gettext module (click has
imported it already), one small catalog read on the first message, and, only when
neither ``CSTOOL_LANG`` nor a forced language decides, one read-only query of the
journal's policy.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Optional

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
DOMAIN = "cstool"
LOCALEDIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "locale")
# The words a person may give for a language (CSTOOL_LANG, policy set language …).
_NAMES = {"zh": "zh", "cn": "zh", "chinese": "zh", "中文": "zh", "汉语": "zh", "简体中文": "zh",
          "en": "en", "english": "en", "英文": "en", "英语": "en"}

# A language forced for this thread or task (tests, a web request): over everything.
_forced: ContextVar[Optional[str]] = ContextVar("cstool_language", default=None)
_state: dict[str, Any] = {"resolved": None, "db": None, "problems": []}
_catalogs: dict[str, Any] = {}


def normalise(value: Any) -> Optional[str]:
    """``zh``, ``zh_CN.UTF-8``, ``zh-Hans``, ``中文`` → ``zh``; ``en_US`` → ``en``; else None."""
    if value is None:
        return None
    word = str(value).strip().lower()
    if word in _NAMES:
        return _NAMES[word]
    for sep in "_-.@":
        word = word.split(sep, 1)[0]
    return word if word in LANGUAGES else None


def from_locale(environ: Optional[Any] = None) -> Optional[str]:
    """The locale's language, as POSIX reads it: the first of LC_ALL, LC_MESSAGES, LANG
    that is set decides (``C`` or ``fr_FR`` decide too: neither zh nor en)."""
    environ = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var)
        if value:
            return normalise(value)
    return None


def journal_language(path: Optional[str] = None) -> Optional[str]:
    """The policy ``language`` stored in the journal at ``path`` (default: CSTOOL_DB or the
    user's journal), read-only; None when there is no journal, no such key, or ``auto``.
    Never creates or migrates a journal: that is the command's business."""
    import sqlite3

    from cstool.core.location import read_only

    conn = read_only(path)
    if conn is None:
        return None
    try:
        row = conn.execute("SELECT value FROM policy WHERE key = 'language'").fetchone()
    except sqlite3.Error:
        return None  # not a journal, or one from before policies: the command will say so
    finally:
        conn.close()
    return normalise(str(row[0]).strip().strip('"')) if row else None


def resolve(db_path: Optional[str] = None, environ: Optional[Any] = None) -> str:
    """The language by the contract's order (see the module's docstring)."""
    environ = os.environ if environ is None else environ
    problems: list[str] = []
    given = environ.get("CSTOOL_LANG")
    lang = normalise(given) if given else None
    if given and lang is None:
        problems.append(f"CSTOOL_LANG={given[:20]!r} is neither zh nor en; ignored")
    lang = lang or journal_language(db_path) or from_locale(environ) or DEFAULT
    _state["problems"] = problems
    return lang


def language() -> str:
    """The language of this process (or of this task, when one is forced)."""
    forced = _forced.get()
    if forced is not None:
        return forced
    lang = _state["resolved"]
    if lang is None:
        lang = _state["resolved"] = resolve(_state["db"])
    return lang


def problems() -> list[str]:
    """What is wrong with how the language is asked for (a CSTOOL_LANG that is no
    language); it costs no journal read, so a run that says nothing resolves nothing."""
    given = os.environ.get("CSTOOL_LANG")
    if given and normalise(given) is None:
        return [M_("CSTOOL_LANG={given} is neither zh nor en; ignored", given=repr(given[:20]))]
    return []


def configure(db_path: Optional[str] = None) -> None:
    """The journal the language is read from (``--db``): resolved again on next use."""
    _state["db"] = db_path
    _state["resolved"] = None


def reset() -> None:
    """Forget the resolved language (each command line resolves it afresh)."""
    configure(None)


def set_language(lang: str) -> None:
    """Fix the process's language (a caller that has decided: the web view, a script)."""
    lang_ = normalise(lang)
    if lang_ is None:
        raise ValueError(f"{lang!r} is neither zh nor en")
    _state["resolved"] = lang_


@contextmanager
def using(lang: str) -> Iterator[str]:
    """Messages in ``lang`` inside the block (this thread or task only)."""
    lang_ = normalise(lang)
    if lang_ is None:
        raise ValueError(f"{lang!r} is neither zh nor en")
    token = _forced.set(lang_)
    try:
        yield lang_
    finally:
        _forced.reset(token)


def catalog(lang: Optional[str] = None):
    """The compiled catalog of ``lang`` (default: the current language); a missing file
    reads every message as its msgid rather than failing a command."""
    lang = lang or language()
    found = _catalogs.get(lang)
    if found is None:
        import gettext as stdlib

        path = os.path.join(LOCALEDIR, lang, "LC_MESSAGES", DOMAIN + ".mo")
        try:
            with open(path, "rb") as fh:
                found = stdlib.GNUTranslations(fh)
        except OSError:
            found = stdlib.NullTranslations()
        _catalogs[lang] = found
    return found


def gettext(message: str) -> str:
    """``message`` (an English msgid) in the current language."""
    return catalog().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message for ``n``, in the current language (Chinese
    has one form: the catalog's plural rule picks it)."""
    return catalog().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in a context (the same English word meaning two things)."""
    return catalog().pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction only: it is translated where it is shown."""
    return message


def NC_(context: str, message: str) -> str:
    """Mark ``message`` in ``context`` for extraction only (shown with :func:`pgettext`)."""
    return message


class Message(str):
    """Text whose value is English (what JSON, CSV and the journal keep, whatever the
    language) and that people read in theirs (:meth:`shown`)::

        detail = M_("paid {at}", at="2026-11-20 06:30") + M_(" Part of it has shipped.")
        str(detail)      # 'paid 2026-11-20 06:30 Part of it has shipped.'
        detail.shown()   # '2026-11-20 06:30 付款 已部分发货…' in Chinese

    A value given to a message may be a message itself, or anything else with a
    ``shown()`` (a domain word: ``Vocabulary.word``); ``+`` keeps both readings;
    :meth:`map` applies a function (a masker) to every text it holds."""

    def __new__(cls, msgid: str = "", _parts: Optional[tuple] = None, **values: Any):
        # (``_parts``, not ``parts``: a message may have a placeholder named parts)
        if _parts is None:
            parts = ((msgid, values),)
            english = msgid.format(**{k: str(v) for k, v in values.items()}) if values \
                else msgid
        else:
            parts = _parts
            english = "".join([_english(p) for p in parts])
        obj = super().__new__(cls, english)
        obj.parts = parts
        return obj

    def shown(self) -> str:
        """The text in the current language."""
        parts = self.parts
        if len(parts) == 1:
            return _translated(parts[0])
        return "".join([_translated(p) for p in parts])

    def __add__(self, other):
        if not isinstance(other, str):
            return NotImplemented
        return Message(_parts=self.parts + _parts(other))

    def __radd__(self, other):
        if not isinstance(other, str):
            return NotImplemented
        return Message(_parts=_parts(other) + self.parts)

    def map(self, fn) -> Message:
        """This message with ``fn`` applied to each literal and each value it holds."""
        def one(p):
            if isinstance(p, str):
                return fn(p)
            msgid, values = p
            # a domain word (it has shown()) holds no one's data: it stays a word
            return (msgid, {k: v.map(fn) if isinstance(v, Message) else
                            v if hasattr(v, "shown") else
                            fn(v) if isinstance(v, str) else v for k, v in values.items()})
        return Message(_parts=tuple(one(p) for p in self.parts))


    def read(self, fn, shown: bool = True) -> str:
        """``self.map(fn).shown()`` (``shown=False``: ``str(self.map(fn))``), read without
        building the mapped message (a table reads thousands: a masker over each)."""
        out = []
        for p in self.parts:
            if isinstance(p, str):
                out.append(fn(p))
                continue
            msgid, values = p
            text = gettext(msgid) if shown else msgid
            if not values:
                out.append(text)
                continue
            read = {}
            for k, v in values.items():
                if isinstance(v, Message):
                    v = v.read(fn, shown)
                elif not hasattr(v, "shown") and isinstance(v, str):
                    v = fn(v)
                read[k] = _shown_value(v) if shown else str(v)
            out.append(text.format(**read))
        return "".join(out)


def _parts(text: str) -> tuple:
    return text.parts if isinstance(text, Message) else (str(text),)


def _english(part) -> str:
    if isinstance(part, str):
        return part
    msgid, values = part
    return msgid.format(**{k: str(v) for k, v in values.items()}) if values else msgid


def _translated(part) -> str:
    if isinstance(part, str):
        return part
    msgid, values = part
    text = gettext(msgid)
    return text.format(**{k: _shown_value(v) for k, v in values.items()}) if values else text


def _shown_value(value: Any) -> Any:
    """A value in the reader's language: a message or a word, or an error holding one."""
    if hasattr(value, "shown"):
        return value.shown()
    if isinstance(value, BaseException) and len(value.args) == 1 and \
            hasattr(value.args[0], "shown"):
        return value.args[0].shown()
    return value


def M_(msgid: str, **values: Any) -> Message:
    """A :class:`Message` (marked for extraction): English as its value, shown translated."""
    return Message(msgid, **values)


def shown(value: Any) -> Any:
    """A :class:`Message` (or :class:`Said`) in the current language; anything else as it is."""
    return value.shown() if isinstance(value, (Message, Said, Written)) else value


class Said(str):
    """Text already put into the reader's language: English as its value, ``shown()``
    as it was said (a message that crossed a process boundary, :func:`portable`)."""

    def __new__(cls, english: str, said: str):
        obj = super().__new__(cls, english)
        obj.said = said
        return obj

    def shown(self) -> str:
        return self.said


_REREAD: list = []


class Written(str):
    """English cstool kept as text (a handover row's problem in the journal) that reads
    in the reader's language when shown (:func:`reread`, paid for only then)."""

    def shown(self) -> str:
        found = reread(str(self))
        return found.shown() if isinstance(found, Message) else str(self)


def reread(text: Any, _inner: bool = False) -> Any:
    """English that cstool wrote earlier and kept as text (a remark's problems in the
    journal) as a :class:`Message` again, so it reads in the current language: the
    catalog's most specific message it is an instance of, its values read back the same
    way (a value may be a short message: ``8 h late``). Its ``str`` is ``text`` exactly;
    text that is no message stays as it is."""
    if not isinstance(text, str) or hasattr(text, "shown") or not text or language() == "en":
        return text
    known = catalog("en")._catalog if hasattr(catalog("en"), "_catalog") else {}
    if text in known:
        return Message(text)
    if not _REREAD:
        _REREAD.extend(_patterns(known))
    for entry in _REREAD:
        literal, pieces, msgid = entry[0], entry[2], entry[3]
        if literal < 6 and not _inner:
            break
        # a message whose literal pieces are not all in the text, in order, cannot match
        # it: most are passed over without their pattern (compiled when first needed:
        # compiling the catalog's every pattern took a remind run ~100 ms)
        at = 0
        for piece in pieces:
            at = text.find(piece, at)
            if at < 0:
                break
            at += len(piece)
        else:
            if isinstance(entry[1], str):
                import re

                entry[1] = re.compile(entry[1], re.S)
            found = entry[1].fullmatch(text)
            if found:
                return Message(msgid, **{k: reread(v, True)
                                         for k, v in found.groupdict().items()})
    return text


def _patterns(known) -> list:
    """Each message with values as ``[literal length, pattern, literal pieces, msgid]``,
    the most literal text first; the pattern is its source until :func:`reread` needs it."""
    import re
    from string import Formatter

    out = []
    for msgid in known:
        if not isinstance(msgid, str) or "{" not in msgid or "\x04" in msgid:
            continue
        try:
            pieces = list(Formatter().parse(msgid))
        except ValueError:
            continue
        regex, literal, names, texts = "", 0, set(), []
        for text, name, spec, conversion in pieces:
            regex += re.escape(text)
            literal += len(text)
            if text:
                texts.append(text)
            if name is None:
                continue
            if not name.isidentifier() or spec or conversion:
                break
            regex += f"(?P={name})" if name in names else f"(?P<{name}>.+?)"
            names.add(name)
        else:
            if literal >= 2:
                out.append([literal, regex, tuple(texts), msgid])
    out.sort(key=lambda x: -x[0])
    return out


_PORTABLE = "\x00said"


def portable(text: Any) -> Any:
    """``text`` as plain data (marshal, a pipe): a message becomes a tuple of its English
    and its text in the current language; :func:`restored` makes it a :class:`Said`."""
    return (_PORTABLE, str(text), text.shown()) if isinstance(text, (Message, Said, Written)) else text


def restored(value: Any) -> Any:
    """What :func:`portable` made, back as text that reads in either language."""
    if isinstance(value, tuple) and len(value) == 3 and value[0] == _PORTABLE:
        return Said(value[1], value[2])
    return value


_ = gettext
