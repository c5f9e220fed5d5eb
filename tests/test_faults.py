"""Every fault is a sentence: a full disk, a kill mid-write, a read-only journal's stale view."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys

from conftest import DEMO_CSV, DEMO_NOW, FIXTURES, dump, order

from cstool.core import evidence
from cstool.core.journal import Journal

PHOTO = str(FIXTURES / "photos" / "damaged_box.png")
PHOTO2 = str(FIXTURES / "photos" / "damaged_item.png")
OID = order("shipped_damaged_reported")


def files(folder) -> list[str]:
    """Every file in the evidence folder, hidden ones too."""
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def tiny_disk(monkeypatch, db) -> None:
    """From now on the journal's file cannot grow (its free pages used up first): SQLite
    then reports SQLITE_FULL, exactly as on a full disk."""
    conn = sqlite3.connect(db)
    conn.execute("VACUUM")  # no free pages left to fill instead
    conn.close()
    configure = Journal._configure

    def limited(self):
        configure(self)
        pages = self.conn.execute("PRAGMA page_count").fetchone()[0]
        self.conn.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(Journal, "_configure", limited)


def test_a_full_disk_during_an_import_is_a_sentence(run, env, monkeypatch):
    run("agent add 倩", check=0)
    tiny_disk(monkeypatch, env)
    before = dump(env)
    result = run(["--agent", "倩", "orders", "import", str(DEMO_CSV)])
    assert result.exit_code == 1
    assert result.output == (f"Error: the disk is full (database or disk is full; journal {env}): "
                             "nothing was imported; free some space and import again\n")
    assert dump(env) == before


def test_a_full_disk_in_any_other_write_is_a_sentence(run, demo, monkeypatch):
    tiny_disk(monkeypatch, demo)
    before = dump(demo)
    result = run(["--agent", "倩", "exception", "log", OID, "--kind", "破损", "--detail",
                  "碎" * 1999])  # 6 KB, twice: more than the pages the journal has
    assert result.exit_code == 1
    assert result.output == (f"Error: the disk is full (database or disk is full, journal {demo}): "
                             "nothing was changed; free some space and run it again\n")
    assert dump(demo) == before


def test_a_photo_copy_on_a_full_disk_leaves_no_file(run, demo, monkeypatch):
    def half_then_full(src, fd, digest):
        os.write(fd, src.read(64))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(evidence, "_copy", half_then_full)
    before = dump(demo)
    result = run(["--agent", "倩", "exception", "log", OID, "--kind", "破损", "--detail", "碎了",
                  "--photo", PHOTO])
    assert result.exit_code == 1
    assert result.output == ("Error: the disk is full: nothing was written; free some space and "
                             "run it again\n")
    assert files(demo.parent / "evidence") == []
    assert dump(demo) == before
    result = run(["--agent", "倩", "handover", "add", "-c", "回访", "--buyer", "tb1", "-p", "x",
                  "--photo", PHOTO])
    assert result.exit_code == 1 and files(demo.parent / "evidence") == []


KILLED = """
import os, signal, sys
from cstool.core import evidence
from cstool.cases import timeline as exceptions
where = sys.argv[1]
if where == "before-commit":
    save = exceptions._Case.save
    def save_and_die(self):
        save(self)
        os.kill(os.getpid(), signal.SIGKILL)  # photos copied, journal not yet committed
    exceptions._Case.save = save_and_die
else:
    def die(*a):
        os.kill(os.getpid(), signal.SIGKILL)  # committed, photos not yet in place
    evidence.publish = die
from cstool.cli import main
main(sys.argv[2:])
"""


def killed_log(db, where: str):
    return subprocess.run(
        [sys.executable, "-c", KILLED, where, "--db", str(db), "--now", DEMO_NOW, "--agent", "倩",
         "exception", "log", OID, "--kind", "破损", "--detail", "碎了", "--photo", PHOTO,
         "--photo", PHOTO2], capture_output=True, text=True)


def age(folder) -> None:
    """Make the left-behind copies look a minute old (the sweep spares younger ones)."""
    for name in files(folder):
        os.utime(folder / name, (os.stat(folder / name).st_atime - 60,) * 2)


def test_a_kill_before_the_commit_leaves_no_orphan_photo(run, demo):
    folder = demo.parent / "evidence"
    before = dump(demo)
    result = killed_log(demo, "before-commit")
    assert result.returncode == -9, result.stderr
    assert dump(demo) == before  # nothing committed
    assert [n for n in files(folder) if not n.startswith(".")] == []  # no photo appeared
    age(folder)
    run(["--agent", "倩", "handover", "add", "-c", "回访", "--buyer", "tb1", "-p", "x", "--photo",
         PHOTO], check=0)
    assert files(folder) == ["tb1_handover1_1.png"]  # the dead command's copies are gone


def test_a_kill_after_the_commit_loses_no_photo(run, demo):
    folder = demo.parent / "evidence"
    result = killed_log(demo, "after-commit")
    assert result.returncode == -9, result.stderr
    case = run.json(["exception", "show", "1", "--json"])
    named = sorted(os.path.basename(p["path"]) for p in case["photo_files"])
    assert len(named) == 2
    age(folder)
    run(["--agent", "倩", "exception", "update", "1", "--photo",
         str(FIXTURES / "photos" / "damaged_box.png")])  # any photo command sweeps
    assert [n for n in files(folder) if not n.startswith(".")] == named  # moved into place
    assert not [n for n in files(folder) if n.startswith(".")]


def test_a_read_only_journal_with_an_unreadable_wal_warns(run, demo, tmp_path, monkeypatch):
    """A read-only file system: the -wal holds recent changes, no -shm can be made, so
    SQLite can only read the file as last checkpointed."""
    import shutil

    holder = sqlite3.connect(demo)  # keeps the -wal from being checkpointed away
    holder.execute("PRAGMA wal_autocheckpoint = 0")
    holder.execute("UPDATE agents SET name = 'fresh' WHERE short = '倩'")
    holder.commit()
    ro = tmp_path / "ro"
    ro.mkdir()
    for suffix in ("", "-wal"):
        shutil.copy(str(demo) + suffix, ro / ("journal.db" + suffix))
    holder.close()
    db = str(ro / "journal.db")
    access, connect = os.access, sqlite3.connect
    monkeypatch.setattr(os, "access", lambda p, m, *a, **k: False if str(p).startswith(str(ro))
                        else access(p, m, *a, **k))

    def no_shm(target, *a, **kw):  # as on a read-only file system: only immutable opens
        if str(target).find(str(ro)) >= 0 and "immutable=1" not in str(target):
            raise sqlite3.OperationalError("unable to open database file")
        return connect(target, *a, **kw)

    monkeypatch.setattr(sqlite3, "connect", no_shm)
    result = run(["--db", db, "agent", "list", "--json"])
    assert result.exit_code == 0
    assert result.stderr.startswith(f"warning: the journal {db} is read-only and its -wal file")
    assert "what you see may be stale" in result.stderr
