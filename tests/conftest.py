"""Every test gets its own journal, a pinned clock and a clean environment."""

from __future__ import annotations

import json
import os
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cstool.cli import cli
from cstool.core import i18n
from cstool.core.journal import Journal

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SCENARIOS = json.loads((FIXTURES / "scenarios.json").read_text(encoding="utf-8"))
DEMO_NOW = SCENARIOS["demo_now"]
DEMO_CSV = FIXTURES / "taobao_orders_demo.csv"
DEMO_XLSX = FIXTURES / "taobao_orders_newer.xlsx"
DEMO_UTF8 = FIXTURES / "taobao_orders_utf8.csv"
# What decides the language and a table's width: each test starts without them.
LOCALE_VARS = ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "COLUMNS", "LINES")


def dump(db) -> list[str]:
    """Everything in the journal at ``db``, as SQL: to show a command changed nothing."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def order(name: str) -> str:
    """The order number of a named fixture scenario (see fixtures/make_fixtures.py)."""
    return SCENARIOS["orders"][name]


@pytest.fixture(scope="session")
def new_journal(tmp_path_factory):
    """A journal fresh from `cstool init`, made once; each test gets a copy."""
    path = tmp_path_factory.mktemp("init") / "journal.db"
    result = CliRunner().invoke(cli, ["--db", str(path), "init"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(autouse=True)
def env(tmp_path, monkeypatch, new_journal):
    """Own journal (as `cstool init` leaves it), own data dir, clock pinned at the demo
    time, no agent, English, no terminal width (tables unwrapped, as when piped). Only `init` creates a journal: a test about a missing one uses
    another path (or removes this one)."""
    for var in list(os.environ):
        if var.startswith("CSTOOL_") or var in LOCALE_VARS:
            monkeypatch.delenv(var)
    # The suite's assertions read English; the tests of the Chinese (the default) and of
    # how the language is chosen set or remove CSTOOL_LANG themselves.
    monkeypatch.setenv("CSTOOL_LANG", "en")
    i18n.reset()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    db = tmp_path / "journal.db"
    shutil.copy(new_journal, db)
    monkeypatch.setenv("CSTOOL_DB", str(db))
    monkeypatch.setenv("CSTOOL_NOW", DEMO_NOW)
    return db


class Run:
    """``run("orders list --json")`` → the CliRunner result; ``run.json(...)`` parses stdout."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, args, input=None, env=None, check=None):
        argv = shlex.split(args) if isinstance(args, str) else [str(a) for a in args]
        result = self.runner.invoke(cli, argv, input=input, env=env, catch_exceptions=False,
                                    prog_name="cstool")
        if check is not None:
            assert result.exit_code == check, (result.exit_code, result.output)
        return result

    def json(self, args, **kw):
        result = self(args, check=kw.pop("check", 0), **kw)
        return json.loads(result.stdout)


@pytest.fixture
def run():
    return Run()


@pytest.fixture
def journal(env):
    j = Journal.open(str(env))
    yield j
    j.close()


@pytest.fixture
def demo(run, env):
    """A journal with the demo agents and both demo exports imported."""
    for agent in ("倩", "郑婷", "小雨", "阿杰", "美美"):
        run(["agent", "add", agent], check=0)
    run(["--agent", "倩", "orders", "import", str(DEMO_CSV), str(DEMO_XLSX)], check=0)
    return env


def context(journal, now=DEMO_NOW, agent=None, policy=None):
    """The context a command hands the routines: this journal, its policy, the clock at
    ``now`` (a Clock, shop time, or a journal instant ``…Z``), the acting agent."""
    from cstool.app.policy import Policy
    from cstool.core.clock import Clock, from_db
    from cstool.core.context import Context

    policy = policy if policy is not None else Policy(journal)
    if not isinstance(now, Clock):
        now = Clock(policy.get("timezone"), from_db(now) if now.endswith("Z") else now)
    return Context(journal, now, policy, agent)
