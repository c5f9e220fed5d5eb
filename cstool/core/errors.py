"""Errors a user sees as one line: ``Error: <message>``."""

from __future__ import annotations


class CstoolError(Exception):
    """A failure the user can act on; the message is the whole explanation.

    The message may be a :class:`~cstool.core.i18n.Message` (``M_("no case {id}", id=7)``):
    ``str(e)`` is then its English (what JSON and the journal keep: an import's rejected
    rows) and :meth:`shown` the reader's language (what the command line prints)."""

    def shown(self) -> str:
        """The message in the reader's language."""
        message = self.args[0] if self.args else ""
        return message.shown() if hasattr(message, "shown") else str(self)


class NotFound(CstoolError):
    """An order, case, item or agent that the journal does not know."""


class InputError(CstoolError):
    """Bad input from a file or a value (not a usage error of the command line)."""


class BadUsage(InputError):
    """A mistake in the command line itself, whatever the journal holds: an option missing
    or ruled out by another, a value that cannot be right, an unknown word. The command
    shows it as a usage error (exit 2), naming ``option`` when one is to blame.

    Not for refusals that come from the journal's state (a closed case, an unpaid order,
    an unknown order number, a file that is not an export): those fail the work (exit 1).
    """

    def __init__(self, message: str, option: str | None = None):
        super().__init__(message)
        self.option = option


def message(error: BaseException) -> str:
    """What ``error`` says, kept as given: a :class:`~cstool.core.i18n.Message` stays one
    (English in JSON, translated where shown), anything else is its ``str``."""
    given = error.args[0] if len(error.args) == 1 else None
    return given if isinstance(given, str) else str(error)
