"""The journal: one SQLite file, WAL mode, migrations applied on every open.

Writes go through :meth:`Journal.write`, which starts ``BEGIN IMMEDIATE`` so
that concurrent agents and cron jobs queue for the write lock (the busy
timeout) instead of failing half-way through a read-then-write transaction.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Optional

from cstool import migrations
from cstool.core.errors import CstoolError
from cstool.core.i18n import M_
from cstool.core.location import default_db_path, read_only, resolve_path  # noqa: F401

BUSY_TIMEOUT_S = 15.0
MIGRATION_SET = "cstool"


def _create_file(path: str) -> None:
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        try:
            os.makedirs(folder, mode=0o700)
        except FileExistsError:
            pass
        except OSError as e:
            raise CstoolError(M_("cannot create the journal's folder {folder}: {strerror}",
                                 folder=folder, strerror=e.strerror)) from None
        os.chmod(folder, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process created it first
    except OSError as e:
        raise CstoolError(M_("cannot create the journal {path}: {strerror}", path=path,
                             strerror=e.strerror)) from None
    try:
        os.fchmod(fd, 0o600) if hasattr(os, "fchmod") else None
    finally:
        os.close(fd)


class NoJournal(CstoolError):
    """The journal file is not there (and the command does not create one)."""

    def __init__(self, path: str):
        from cstool.core.i18n import _

        super().__init__(_("no journal at {path} — create it with: cstool init (or check "
                           "CSTOOL_DB)").format(path=path))
        self.path = path


class Journal:
    def __init__(self, path: str, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self._depth = 0
        self._db = None
        self.readonly = False
        self.warnings: list[str] = []  # said once on stderr by the command that opened it

    # -- opening --

    @classmethod
    def open(cls, path: Optional[str] = None, create: bool = False, migrate: bool = True) -> Journal:
        """Open the journal at ``path``; a missing one is an error unless ``create``
        (only ``cstool init`` creates: a typo in a crontab must not start an empty journal)."""
        path = resolve_path(path)
        if not os.path.exists(path):
            if not create:
                raise NoJournal(path)
            _create_file(path)
        elif os.path.isdir(path):
            raise CstoolError(M_("{path} is a folder, not a journal file", path=path))
        journal = cls._connect(path)
        try:
            journal._configure()
            if migrate:
                journal.migrate()
        except sqlite3.DatabaseError as e:
            journal.conn.close()
            msg = str(e)
            if "not a database" in msg or "malformed" in msg:
                raise CstoolError(M_("{path} is not a cstool journal ({msg})", path=path,
                                     msg=msg)) from None
            if "readonly" in msg or "read-only" in msg:
                raise CstoolError(M_("the journal {path} is read-only ({msg})", path=path,
                                     msg=msg)) from None
            raise
        return journal

    @classmethod
    def _connect(cls, path: str) -> Journal:
        """Open read-write; a journal we may not write is opened read-only.

        A WAL database can't be read without its shared-memory file, which a
        reader without write access can't create: then it is opened immutable,
        which reads the file as last checkpointed.
        """
        from urllib.parse import quote

        attempts = [(path, False)]
        if not os.access(path, os.W_OK) or not os.access(os.path.dirname(path), os.W_OK):
            uri = "file:" + quote(path)
            attempts = [(path, False), (uri + "?mode=ro", True), (uri + "?mode=ro&immutable=1", True)]
        for target, readonly in attempts:
            try:
                conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                       check_same_thread=False, uri=readonly)
                conn.execute("PRAGMA schema_version").fetchone()
            except sqlite3.OperationalError as e:
                if target == attempts[-1][0] or not ("readonly" in str(e) or "unable to open" in str(e)):
                    raise CstoolError(M_("cannot open the journal {path}: {e}", path=path, e=e)) from None
                continue
            except sqlite3.Error as e:
                if "not a database" in str(e) or "malformed" in str(e):
                    raise CstoolError(M_("{path} is not a cstool journal ({e})", path=path, e=e)) from None
                raise CstoolError(M_("cannot open the journal {path}: {e}", path=path, e=e)) from None
            conn.row_factory = sqlite3.Row
            journal = cls(path, conn)
            journal.readonly = readonly or not os.access(path, os.W_OK)
            if "immutable=1" in target and os.path.exists(path + "-wal") \
                    and os.path.getsize(path + "-wal") > 0:
                journal.warnings.append(M_(
                    "the journal {path} is read-only and its -wal file (recent changes, "
                    "{size} bytes) cannot be read without a -shm file: what you see may be "
                    "stale; open it once with write access", path=path,
                    size=format(os.path.getsize(path + "-wal"), ",")))
            return journal
        raise CstoolError(M_("cannot open the journal {path}", path=path))  # pragma: no cover

    def _configure(self) -> None:
        c = self.conn
        c.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        c.execute("PRAGMA foreign_keys = ON")
        mode = c.execute("PRAGMA journal_mode").fetchone()[0]
        if mode.lower() != "wal" and not self.readonly:
            c.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL is safe against corruption and process crashes;
        # FULL also keeps the last commits across a power cut.
        c.execute("PRAGMA synchronous = FULL")

    def close(self) -> None:
        self.conn.close()

    # -- migrations --

    def applied_migrations(self) -> list[str]:
        try:
            rows = self.conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
                [MIGRATION_SET],
            ).fetchall()
        except sqlite3.OperationalError as e:
            if "no such table" in str(e):
                return []
            raise
        return [r[0] for r in rows]

    def pending_migrations(self) -> list[str]:
        done = set(self.applied_migrations())
        return [n for n in migrations.names() if n not in done]

    def migrate(self) -> list[str]:
        """Apply pending migrations, each in its own transaction. Returns their names.

        Two processes may open a new journal at once; the loser of a race
        sees its migration fail (the table exists, the record is taken),
        re-reads what is pending and carries on.
        """
        pending = self.pending_migrations()
        if not pending:
            return []
        if self.readonly or not os.access(self.path, os.W_OK):
            raise CstoolError(
                M_("the journal {path} is read-only and needs upgrading ({n} pending "
                   "migration(s)); open it once with write access", path=self.path,
                   n=len(pending))
            )
        registered = migrations.load()
        # A migration may rebuild a table others point at (SQLite's way of changing a
        # key): foreign keys are off while they run, and checked before the journal is used.
        self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            for attempt in range(8):
                try:
                    registered.apply(self.db)
                    break
                except (sqlite3.OperationalError, sqlite3.IntegrityError):
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    if not self.pending_migrations():
                        break
                    if attempt == 7:
                        raise
                    time.sleep(0.05 * (attempt + 1))
            dangling = self.conn.execute("PRAGMA foreign_key_check").fetchone()
            if dangling is not None:
                raise CstoolError(M_("the journal {path} has a row of {dangling} that "
                                     "points at a missing row of {dangling2} after "
                                     "upgrading", path=self.path, dangling=dangling[0],
                                     dangling2=dangling[2]))
        finally:
            self.conn.execute("PRAGMA foreign_keys = ON")
        return pending

    # -- access --

    @property
    def db(self):
        """A sqlite-utils Database over the same connection."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn, recursive_triggers=False, execute_plugins=False)
        return self._db

    @contextmanager
    def write(self) -> Iterator[Journal]:
        """One transaction for a command's writes; nested calls join it."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        if self.readonly:
            raise CstoolError(M_("the journal {path} is read-only: this command needs to "
                                 "write to it (check the file's permissions and owner)",
                                 path=self.path))
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self
        except BaseException:
            self._depth = 0
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        self.conn.execute("COMMIT")

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Any = ()) -> Optional[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    # -- status and backup --

    def tables(self) -> list[str]:
        return [r[0] for r in self.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name")]

    def status(self) -> dict:
        applied = self.applied_migrations()
        known = set(migrations.names())
        return {
            "path": self.path,
            "schema_version": applied[-1] if applied else None,
            "migrations_applied": len(applied),
            "pending_migrations": self.pending_migrations(),
            "unknown_migrations": [n for n in applied if n not in known],
            "journal_mode": self.scalar("PRAGMA journal_mode"),
            "size_bytes": os.path.getsize(self.path),
            "counts": {t: self.scalar(f'SELECT count(*) FROM "{t}"') for t in self.tables()},
        }

    def backups(self) -> list[str]:
        """The paths of the backups this journal has made."""
        try:
            return [r[0] for r in self.query("SELECT path FROM backups")]
        except sqlite3.OperationalError:
            return []  # a journal not yet upgraded (read-only)
