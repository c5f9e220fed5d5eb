"""The journal: where it lives, how it is created, migrations, status and backup."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys

import pytest

from cstool.core.errors import CstoolError
from cstool.core.journal import Journal, default_db_path


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_init_creates_journal_0600_in_a_0700_folder(run, tmp_path, monkeypatch):
    monkeypatch.delenv("CSTOOL_DB")
    result = run("init", check=0)
    expected = tmp_path / "xdg" / "cstool" / "journal.db"
    assert result.output.strip() == str(expected)
    assert mode(expected) == 0o600
    assert mode(expected.parent) == 0o700


def test_default_path_respects_xdg_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    if sys.platform.startswith("linux"):
        assert default_db_path() == str(tmp_path / "data" / "cstool" / "journal.db")


def test_init_is_idempotent_and_keeps_data(run, env):
    run("init", check=0)
    run("agent add 倩", check=0)
    run("init", check=0)
    assert run.json("agent list --json")[0]["short"] == "倩"


def test_db_option_beats_environment(run, tmp_path):
    other = tmp_path / "other.db"
    assert run(["--db", str(other), "init"], check=0).output.strip() == str(other)
    # and after the command name as well
    third = tmp_path / "third.db"
    assert run(["journal", "path", "--db", str(third)], check=0).output.strip() == str(third)
    assert not third.exists()  # `journal path` never creates it


def test_journal_uses_wal_busy_timeout_and_foreign_keys(journal):
    assert journal.scalar("PRAGMA journal_mode") == "wal"
    assert journal.scalar("PRAGMA busy_timeout") >= 5000
    assert journal.scalar("PRAGMA foreign_keys") == 1


def test_status_reports_schema_and_counts(run, demo):
    info = run.json("journal status --json")
    from cstool.migrations import names

    assert info["schema_version"] == names()[-1]
    assert info["pending_migrations"] == []
    assert info["counts"]["orders"] == 52
    assert info["counts"]["agents"] == 5
    assert info["journal_mode"] == "wal"


def test_migrations_bring_an_older_journal_up_to_date(env):
    """A journal made by an older cstool (only the first migration) is upgraded on open."""
    from cstool.migrations import load, names
    from sqlite_utils import Database

    env.unlink()  # not the test's own journal: one an older cstool made
    conn = sqlite3.connect(env)
    db = Database(conn)
    load().apply(db, stop_before=names()[1])
    db.execute("INSERT INTO agents (short, created_at) VALUES ('倩', '2026-01-01T00:00:00Z')")
    conn.commit()
    conn.close()
    assert "holds" not in Database(sqlite3.connect(env)).table_names()

    j = Journal.open(str(env))
    assert j.pending_migrations() == []
    assert j.applied_migrations() == names()
    assert j.scalar("SELECT count(*) FROM holds") == 0
    assert j.scalar("SELECT short FROM agents") == "倩"  # data kept


def test_each_migration_is_its_own_transaction(env, monkeypatch):
    """A migration that fails leaves the earlier ones applied and itself pending."""
    from cstool import migrations as mig

    env.unlink()  # a journal being created

    real_load = mig.load

    def failing_load():
        m = real_load()
        broken = m._migrations[-1]

        def boom(db):
            db.execute("CREATE TABLE half_done (x)")
            raise sqlite3.OperationalError("disk on fire")

        broken.fn = boom
        return m

    monkeypatch.setattr(mig, "load", failing_load)
    with pytest.raises(sqlite3.OperationalError):
        Journal.open(str(env), create=True)
    conn = sqlite3.connect(env)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
    assert "half_done" not in tables
    assert applied == mig.names()[:-1]


def test_not_a_journal_is_a_clear_error(run, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"order_id,buyer\n" * 200)
    result = run(["--db", str(junk), "orders", "list"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "not a cstool journal" in result.output
    assert "Traceback" not in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_journal_needing_upgrade_is_a_clear_error(env, run):
    Journal.open(str(env)).close()
    conn = sqlite3.connect(env)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm0002_holds'")
    conn.commit()
    conn.close()
    os.chmod(env, 0o400)
    result = run("orders list")
    assert result.exit_code == 1
    assert "read-only" in result.output


def test_read_only_message_when_pending_and_not_writable(env, monkeypatch):
    """The check itself (root can't be denied writes, so patch os.access)."""
    Journal.open(str(env)).close()
    conn = sqlite3.connect(env)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm0002_holds'")
    conn.execute("DROP TABLE holds")
    conn.commit()
    conn.close()
    monkeypatch.setattr(os, "access", lambda path, how: False)
    with pytest.raises(CstoolError, match="read-only and needs upgrading"):
        Journal.open(str(env))


def test_write_rolls_back_everything_on_error(journal):
    with pytest.raises(RuntimeError):
        with journal.write():
            journal.execute("INSERT INTO agents (short, created_at) VALUES ('a', 'x')")
            with journal.write():  # nested: joins the outer transaction
                journal.execute("INSERT INTO agents (short, created_at) VALUES ('b', 'x')")
            raise RuntimeError("stop")
    assert journal.scalar("SELECT count(*) FROM agents") == 0


def test_backup_is_a_consistent_copy_while_another_process_writes(run, demo, tmp_path):
    writer = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], timeout=15, isolation_level=None)\n"
        "for i in range(300):\n"
        "    c.execute('BEGIN IMMEDIATE')\n"
        "    c.execute(\"INSERT INTO agents (short, created_at) VALUES (?, 'x')\", ['w%d' % i])\n"
        "    c.execute('COMMIT')\n"), str(demo)])
    copy = tmp_path / "backup.db"
    result = run(["journal", "backup", str(copy), "--json"], check=0)
    writer.wait(timeout=60)
    assert writer.returncode == 0
    import json

    info = json.loads(result.output)
    assert info["check"] == "ok"
    assert mode(copy) == 0o600
    b = sqlite3.connect(copy)
    assert b.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert b.execute("SELECT count(*) FROM orders").fetchone()[0] == 52
    agents = b.execute("SELECT count(*) FROM agents").fetchone()[0]
    assert 5 <= agents <= 305  # a snapshot: somewhere in the middle of the writes is fine


def test_backup_refuses_to_overwrite(run, demo, tmp_path):
    existing = tmp_path / "exists.db"
    existing.write_text("keep me")
    result = run(["journal", "backup", str(existing)])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert existing.read_text() == "keep me"


def test_two_processes_opening_a_new_journal_at_once(tmp_path):
    """Both race to apply the migrations; both succeed and the schema is applied once."""
    db = tmp_path / "race.db"
    code = ("import sys\nfrom cstool.core.journal import Journal\n"
            "j = Journal.open(sys.argv[1], create=True)\nprint(len(j.pending_migrations()))\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outs
    assert all(o[0].strip() == "0" for o in outs)
    conn = sqlite3.connect(db)
    from cstool.migrations import names

    assert [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")] == names()


def test_no_command_creates_the_default_journal(run, tmp_path, monkeypatch):
    """Without CSTOOL_DB the default path is used, and it is refused like any other."""
    monkeypatch.delenv("CSTOOL_DB")
    default = tmp_path / "xdg" / "cstool" / "journal.db"
    for argv in (["shipcheck", "--check"], ["remind"], ["report", "daily"], ["policy", "show"]):
        result = run(argv)
        assert (result.exit_code, result.output) == (
            1, f"Error: no journal at {default} — create it with: cstool init "
               "(or check CSTOOL_DB)\n"), argv
    assert not (tmp_path / "xdg").exists()
    assert run("journal path", check=0).output == f"{default}\n"
    assert run("init", check=0).output == f"{default}\n" and default.exists()


def test_an_orders_hold_history_is_read_by_its_order_not_every_hold(demo, journal):
    """orders show reads an order's holds, released ones too, through an index of the
    order (not a scan of every hold: that grows with the journal's history)."""
    from cstool.core import holds

    oid = "5118609024991031617"
    ran = []  # the statement holds.history itself runs, explained
    journal.conn.set_trace_callback(ran.append)
    try:
        got = holds.history(journal, oid)
    finally:
        journal.conn.set_trace_callback(None)
    (sql,) = [s for s in ran if "FROM holds" in s]
    plan = " | ".join(r[3] for r in journal.query("EXPLAIN QUERY PLAN " + sql))
    assert "USING INDEX holds_order (order_id=? AND platform=?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
    assert got and [h["id"] for h in got] == sorted(h["id"] for h in got)
    assert all(h["order_id"] == oid for h in got)
