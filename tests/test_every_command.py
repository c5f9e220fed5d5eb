"""Every command against an empty journal, a missing folder, a read-only file and an
older schema: a correct result or one clear line, never a traceback."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess

import click
import pytest
from conftest import DEMO_CSV, FIXTURES

from cstool.cli import cli
from cstool.core.journal import Journal

OID = "5118609024991031611"
PHOTO = str(FIXTURES / "photos" / "damaged_box.png")

# One typical invocation of every leaf command. (writes?, argv)
INVOCATIONS = {
    "init": (True, ["init"]),
    "journal path": (False, ["journal", "path"]),
    "journal status": (False, ["journal", "status"]),
    "journal backup": (False, ["journal", "backup", "{tmp}/backup.db"]),
    "policy show": (False, ["policy", "show"]),
    "policy set": (True, ["policy", "set", "ship_deadline_hours", "48"]),
    "policy use": (True, ["policy", "use", "manual-002"]),
    "policy unset": (True, ["policy", "unset", "ship_deadline_hours", "--shop", "示范店"]),
    "policy presets": (False, ["policy", "presets"]),
    "agent add": (True, ["agent", "add", "小雨"]),
    "agent list": (False, ["agent", "list"]),
    "orders import": (True, ["orders", "import", str(DEMO_CSV)]),
    "orders list": (False, ["orders", "list"]),
    "orders show": (False, ["orders", "show", OID]),
    "remind": (True, ["remind"]),
    "report daily": (False, ["report", "daily"]),
    "chase due": (False, ["chase", "due"]),
    "chase log": (True, ["chase", "log", "5118609024991031604", "--channel", "旺旺"]),
    "chase stats": (False, ["chase", "stats"]),
    "chase template list": (False, ["chase", "template", "list"]),
    "chase template set": (True, ["chase", "template", "set", "sms", "亲,{item}还没付款哦"]),
    "chase template reset": (True, ["chase", "template", "reset", "sms"]),
    "shipcheck": (False, ["shipcheck"]),
    "shipcheck pack": (False, ["shipcheck", "pack", OID]),
    "exception log": (True, ["exception", "log", OID, "--kind", "破损", "--detail", "碎了",
                             "--photo", PHOTO]),
    "exception update": (True, ["exception", "update", "1", "--note", "已联系"]),
    "exception close": (True, ["exception", "close", "1", "--outcome", "cancelled"]),
    "exception list": (False, ["exception", "list"]),
    "exception show": (False, ["exception", "show", "1"]),
    "exception report": (False, ["exception", "report"]),
    "exception playbook": (False, ["exception", "playbook", "破损"]),
    "handover add": (True, ["handover", "add", "-c", "回访", "--buyer", "tb1", "-p", "回电",
                            "-t", "明天"]),
    "handover list": (False, ["handover", "list"]),
    "handover show": (False, ["handover", "show", "1"]),
    "handover ack": (True, ["handover", "ack", "1", "--receipt", "好"]),
    "handover export": (True, ["handover", "export", "-o", "{tmp}/sheet.xlsx"]),
    "handover import": (True, ["handover", "import", "{tmp}/sheet.xlsx"]),
    "handover shifts": (False, ["handover", "shifts"]),
    "remark add": (True, ["remark", "add", OID, "--kind", "note", "--reason", "客户要求发顺丰",
                          "--action", "已改快递"]),
    "remark parse": (False, ["remark", "parse", "2015.03.09 郑婷已催付"]),
    "remark lint": (False, ["remark", "lint"]),
    "remark list": (False, ["remark", "list", OID]),
    "serve": (False, ["serve", "--check", "--port", "0"]),
}


def command_tree():
    """``(path, command)`` of every command of the CLI, groups included."""
    ctx = click.Context(cli)
    todo = [((n,), cli.get_command(ctx, n)) for n in cli.list_commands(ctx)]
    while todo:
        path, cmd = todo.pop()
        if isinstance(cmd, click.Group):
            todo += [(path + (n,), cmd.get_command(ctx, n)) for n in cmd.list_commands(ctx)]
        yield path, cmd


def leaf_commands() -> list[str]:
    return sorted(" ".join(path) for path, cmd in command_tree()
                  if not isinstance(cmd, click.Group)
                  or getattr(cmd, "invoke_without_command", False))


def test_the_table_covers_every_command():
    assert sorted(INVOCATIONS) == leaf_commands()


# check-style commands exit 1 when they find something (not an error)
CHECKS = {"remark lint"}


def check_clear(result, name):
    out = result.output
    assert "Traceback" not in out and "internal error" not in out, (name, out)
    assert result.exit_code in (0, 1, 2), (name, result.exit_code, out)
    if result.exit_code == 1 and not (name in CHECKS and "Error: " not in out):
        errors = [line for line in out.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1, (name, out)


def invoke(run, name, tmp_path, extra=()):
    writes, argv = INVOCATIONS[name]
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    return run(["--agent", "倩", *extra, *argv])


@pytest.mark.parametrize("name", sorted(INVOCATIONS))
def test_on_an_empty_journal(run, env, tmp_path, name):
    run("agent add 倩", check=0)
    result = invoke(run, name, tmp_path)
    check_clear(result, name)
    if not INVOCATIONS[name][0] and name not in ("orders show", "shipcheck pack",
                                                   "exception show", "handover show",
                                                   "remark list"):
        assert result.exit_code == 0, (name, result.output)  # reading nothing is not an error


# Commands that need no journal: where it would be, the presets, the remark parser.
NO_JOURNAL = {"journal path", "remark parse", "policy presets"}


def _tree(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("name", sorted(INVOCATIONS))
def test_with_a_missing_journal_folder(run, tmp_path, name):
    """Only init creates a journal; every other command refuses, and creates nothing."""
    db = tmp_path / "not" / "yet" / "journal.db"
    before = _tree(tmp_path)
    result = invoke(run, name, tmp_path, extra=["--db", str(db)])
    check_clear(result, name)
    if name == "init":
        assert result.exit_code == 0 and db.exists(), (name, result.output)
        return
    if name in NO_JOURNAL:
        assert result.exit_code == 0, (name, result.output)
    else:
        assert (result.exit_code, result.output) == (
            1, f"Error: no journal at {db} — create it with: cstool init (or check CSTOOL_DB)\n")
    assert _tree(tmp_path) == before, name  # no journal, no folder, no sheet, no backup


@pytest.fixture(scope="module")
def demo_journal(tmp_path_factory):
    """A demo journal with one of everything, built once and copied per test."""
    from click.testing import CliRunner

    path = tmp_path_factory.mktemp("demo") / "journal.db"
    r = CliRunner()
    env = {"CSTOOL_DB": str(path), "CSTOOL_NOW": "2026-11-23 14:30", "CSTOOL_AGENT": "倩"}
    for argv in (["init"], ["agent", "add", "倩"], ["orders", "import", str(DEMO_CSV)],
                 ["exception", "log", OID, "--kind", "延迟", "--detail", "物流不动"],
                 ["handover", "add", "-c", "回访", "--buyer", "tb1", "-p", "回电", "-t", "明天"]):
        res = r.invoke(cli, argv, env=env)
        assert res.exit_code == 0, res.output
    Journal.open(str(path)).close()  # checkpoint: the file alone holds everything
    return path


def _immutable(path, on: bool) -> bool:
    if os.geteuid() != 0:
        os.chmod(path, 0o444 if on else 0o644)
        return True
    if not shutil.which("chattr"):
        return False
    return subprocess.run(["chattr", "+i" if on else "-i", str(path)],
                          capture_output=True).returncode == 0


@pytest.mark.parametrize("name", sorted(INVOCATIONS))
def test_on_a_read_only_journal(run, tmp_path, demo_journal, name):
    db = tmp_path / "ro" / "journal.db"
    db.parent.mkdir()
    shutil.copy(demo_journal, db)
    if not _immutable(db, True):
        pytest.skip("cannot make a file read-only here (root without chattr)")
    try:
        result = invoke(run, name, tmp_path, extra=["--db", str(db)])
    finally:
        _immutable(db, False)
    check_clear(result, name)
    writes = INVOCATIONS[name][0]
    if writes and name not in ("remind", "init"):  # nothing due / already there: nothing to write
        assert result.exit_code != 0, (name, result.output)
        if result.exit_code == 1 and "no such file" not in result.output:
            assert "read-only" in result.output, (name, result.output)
    elif not writes:
        assert result.exit_code == (1 if name in CHECKS else 0), (name, result.output)


@pytest.mark.parametrize("name", sorted(INVOCATIONS))
def test_on_a_journal_from_an_older_schema(run, tmp_path, demo_journal, name):
    """A journal made before any feature migration: opened, upgraded, then the command runs."""
    from cstool.migrations import load, names
    from sqlite_utils import Database

    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    load().apply(Database(conn), stop_before=names()[2])
    conn.execute("INSERT INTO agents (short, created_at) VALUES ('倩', '2026-01-01T00:00:00Z')")
    conn.commit()
    conn.close()
    run(["--agent", "倩", "--db", str(db), "orders", "import", str(DEMO_CSV)], check=0)
    result = invoke(run, name, tmp_path, extra=["--db", str(db)])
    check_clear(result, name)
    assert Journal.open(str(db)).pending_migrations() == []
