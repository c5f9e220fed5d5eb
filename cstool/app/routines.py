"""The one list of routines, and what the house gathers from it.

``orders show``, the handover sheet, ``remind``, ``report daily``, the policy keys and
presets, the import's hooks and the command line all read :data:`ROUTINES`. Adding a
routine is its package (with a ``routine.py``) and one line here.
"""

from __future__ import annotations

from cstool.cases.routine import ROUTINE as cases
from cstool.chase.routine import ROUTINE as chase
from cstool.core.contract import Reminder, Routine, Source
from cstool.handover.routine import ROUTINE as handover
from cstool.orders.routine import ROUTINE as orders
from cstool.remark.routine import ROUTINE as remark
from cstool.shipcheck.routine import ROUTINE as shipcheck

ROUTINES: tuple[Routine, ...] = (orders, chase, shipcheck, cases, remark, handover)


def gathered(part: str) -> list[Routine]:
    """The routines in the order their ``part`` is gathered: the list's, unless a
    routine's ``place`` moves that part (its default place is its position × 10)."""
    return sorted(ROUTINES, key=lambda r: r.place.get(part, 10 * (ROUTINES.index(r) + 1)))


def sheet_sources() -> list[Source]:
    """Where the handover sheet's journal rows come from."""
    return [s for r in gathered("sheet") for s in r.sheet]


def reminders() -> list[Reminder]:
    """Every kind of reminder ``cstool remind`` sends."""
    return [m for r in gathered("reminders") for m in r.reminders]


def import_hook(ctx):
    """What runs inside an order import: every routine's hook, in turn (None: none).

    The first hook that parses memos in the reader gives the import its
    ``memo_parser``."""
    hooks = [h for h in (r.import_hook(ctx) for r in ROUTINES) if h is not None]
    if not hooks:
        return None
    if len(hooks) == 1:
        return hooks[0]
    return _Hooks(hooks)


class _Hooks:
    def __init__(self, hooks):
        self.hooks = hooks
        parser = next((h for h in hooks if hasattr(h, "memo_parser")), None)
        if parser is not None:
            self.memo_parser = parser.memo_parser

    def __call__(self, journal, last_remark_id: int) -> None:
        for h in self.hooks:
            h(journal, last_remark_id)


def cli_groups() -> dict[str, Routine]:
    """Command group name → the routine that owns it."""
    return {name: r for r in ROUTINES for name in r.cli}
