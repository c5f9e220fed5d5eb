"""A file the command line names to read: there, a file, readable, or one line why not.

Apart from :mod:`cstool.core.files` so that what files import (the evidence store)
can check its own inputs without importing files back.
"""

from __future__ import annotations

import os

from cstool.core.errors import InputError
from cstool.core.i18n import M_


def check_input(path: str, what: str = "", name: str = "") -> str:
    """``path``, a file the command line names to read, or the one line saying why not.

    The one rule of file mistakes (docs/cli-contract.md): the command line is judged by
    its text (a missing argument, an unknown word: exit 2, click's usage style); what is
    on the disk is the work's (no such file, a folder, unreadable, not what it should
    be: exit 1, an :class:`InputError` naming the file). ``what``: what the file
    should be ("an order export"); ``name``: how the message names it ("--spec x.json",
    default the path).
    """
    name = name or path
    what_ = M_(what) if what else M_("a file")
    if not os.path.lexists(path):
        raise InputError(M_("{name}: no such file", name=name))
    if os.path.isdir(path):
        raise InputError(M_("{name}: is a folder, not {what}", name=name, what=what_))
    if not os.path.exists(path):
        raise InputError(M_("{name}: a link to a file that does not exist", name=name))
    if not os.path.isfile(path):
        raise InputError(M_("{name}: not an ordinary file (a device or a pipe), not {what}",
                            name=name, what=what_))
    if not os.access(path, os.R_OK):
        raise InputError(M_("{name}: permission denied (cannot read it)", name=name))
    return path
