"""Where the journal is (``--db``, CSTOOL_DB, the user's data folder) and a read-only
look at it that creates and migrates nothing: what the language and shell completion
read before any command opens the journal."""

from __future__ import annotations

import os
import sqlite3
import sys
from typing import Optional


def default_db_path() -> str:
    """``<user data dir>/cstool/journal.db`` (XDG_DATA_HOME on Linux and BSD)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser(r"~\AppData\Local")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Application Support")
    else:
        base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return os.path.join(base, "cstool", "journal.db")


def resolve_path(path: Optional[str]) -> str:
    return os.path.abspath(os.path.expanduser(path or os.environ.get("CSTOOL_DB") or default_db_path()))


def read_only(path: Optional[str] = None) -> Optional[sqlite3.Connection]:
    """A read-only connection to the journal at ``path`` for a quick look (the language a
    policy sets, the order numbers a shell completes): None when there is no journal
    file. Nothing is created or migrated; the caller closes it."""
    from urllib.parse import quote

    where = resolve_path(path)
    if not os.path.isfile(where):
        return None
    try:
        return sqlite3.connect(f"file:{quote(where)}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        return None
