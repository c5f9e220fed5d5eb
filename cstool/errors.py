"""Errors a user sees as one line: ``Error: <message>``."""


class CstoolError(Exception):
    """A failure the user can act on; the message is the whole explanation."""


class NotFound(CstoolError):
    """An order, case, item or agent that the journal does not know."""


class InputError(CstoolError):
    """Bad input from a file or a value (not a usage error of the command line)."""
