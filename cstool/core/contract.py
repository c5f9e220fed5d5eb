"""The routine contract: what a routine adds to the house, declared in one place.

A routine (orders, chase, shipcheck, cases, remark, handover) is a package whose
``routine.py`` holds one :class:`Routine`. Every part has a default that adds
nothing, so a routine declares only what it has:

- ``keys``, ``presets``, ``manuals``: its policy keys, its own presets, and what it
  sets in each manual's preset (``manual-000`` …);
- :meth:`order_view`: its section of ``orders show``;
- ``sheet``: the sources of the handover sheet's journal rows;
- ``reminders``: what ``cstool remind`` sends for it;
- :meth:`daily` and ``sections``: its part of ``report daily``;
- :meth:`import_hook`: what runs inside an order import (the remark parser's memos);
- ``cli``: the command groups it owns (``cstool/cli/<name>.py``).

The app layer (:mod:`cstool.app.routines`) holds the one list of routines and every
reader of it. Parts are gathered in the order of that list; ``place`` moves a part
of one kind elsewhere among the others (its default is the routine's position × 10),
which keeps the order of what the commands print as it has always been.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Optional

from cstool.core.i18n import Message
from cstool.core.mask import mask_nick, mask_text


class Source:
    """Open matters for the handover sheet: ``rows(ctx)`` gives dicts with ``ref``,
    ``category``, ``buyer``, ``order_id``, ``problem``, ``todo``, ``due_at``. ``name`` is
    stored with each row's item; ``supersedes``: sources whose rows for the same order
    this one replaces (one matter, one row). ``leaves_out``: ``rows(ctx, leave_out=keys)``
    takes the (order_id, platform) keys a superseding source has rows for (it runs
    first), and may leave those orders out: their rows would be dropped. Only a source
    that supersedes none is told (else what it leaves out would not replace the rows of
    those it supersedes)."""

    __slots__ = ("name", "rows", "supersedes", "leaves_out")

    def __init__(self, name: str, rows: Callable[..., list], supersedes: tuple[str, ...] = (),
                 leaves_out: bool = False):
        self.name, self.rows, self.supersedes = name, rows, supersedes
        self.leaves_out = leaves_out


class Reminder:
    """One kind of reminder: ``kind``, its ``label`` in a message (``[催付]``), the
    ``command`` where a person sees every due item of the kind, and ``due(ctx, limit,
    held, skip)``: a :class:`Due` of items, the most urgent first, at most ``limit``
    (None: all), leaving out the keys in ``skip`` before the limit, and with ``held``
    also those due but held back (each saying why in ``Item.held``)."""

    __slots__ = ("kind", "label", "command", "due")

    def __init__(self, kind: str, label: str, command: str, due: Callable[..., Any]):
        self.kind, self.label, self.command, self.due = kind, label, command, due


# A reminder is read by people: the most urgent lines of a kind first, the rest next run.
MAX_PER_KIND = 30


class _Item(NamedTuple):
    key: str
    kind: str
    text: str
    order_id: Optional[str] = None
    held: Optional[str] = None


class Item(_Item):
    """A thing to do now, as a reminder line: ``key`` is stable for the same thing to do
    (the cool-down is per key), ``kind`` the Reminder's, ``text`` one line an agent can
    act on, ``held`` why a routine holds it now (never sent). What goes to a group chat
    never carries a buyer's phone or address, nor the buyer's account name (``buyer``,
    wherever the text has it, reads ``tb***04``): the text is masked when the item is
    made."""

    __slots__ = ()

    def __new__(cls, key: str, kind: str, text: str, order_id: Optional[str] = None,
                held: Optional[str] = None, buyer: Optional[str] = None):
        def masked(s: str) -> str:
            if buyer and buyer.strip():
                s = s.replace(buyer, mask_nick(buyer))
            return mask_text(s)

        text = text.map(masked) if isinstance(text, Message) else masked(text)
        return super().__new__(cls, key, kind, text, order_id, held)


class Due(list):
    """A reminder's items (the most urgent first); ``cut``: due items its cap left out;
    ``total``: every item of the kind due now (listed, skipped or cut)."""

    def __init__(self, items=(), cut: int = 0, total: int = 0):
        super().__init__(items)
        self.cut, self.total = cut, total


def capped(items: list, limit: Optional[int], skip: frozenset, total: int) -> Due:
    """The first ``limit`` of ``items`` (most urgent first) that are not in ``skip``."""
    fresh = [i for i in items if i.key not in skip]
    listed = fresh[:limit] if limit else fresh
    return Due(listed, cut=max(total - len(listed) - (len(items) - len(fresh)), 0), total=total)


class Routine:
    """A routine's contributions; subclass it and set or override what it has."""

    name: str = ""
    cli: tuple[str, ...] = ()
    keys: tuple = ()                       # cstool.core.policy.Key
    presets: dict[str, tuple[str, dict]] = {}
    manuals: dict[str, dict] = {}
    sheet: tuple[Source, ...] = ()
    reminders: tuple[Reminder, ...] = ()
    sections: tuple[tuple[str, str], ...] = ()  # (path in the daily report, title)
    place: dict[str, int] = {}

    def order_view(self, ctx, order_id: str) -> dict:
        """Keys to add to ``orders show`` for the order (already known to exist)."""
        return {}

    def daily(self, ctx, since: str, until: str) -> dict:
        """Keys to add to the daily report for the shop day ``[since, until)``."""
        return {}

    def import_hook(self, ctx) -> Optional[Any]:
        """What runs inside an order import: ``hook(journal, last_remark_id)`` after the
        rows; its ``memo_parser()``, if it has one, parses memo texts in the reader."""
        return None
