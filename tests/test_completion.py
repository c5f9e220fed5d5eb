"""Shell completion (bash, zsh, fish): commands, domain words in both languages, and
order numbers from the journal, without importing what a Tab cannot afford."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT, order


def complete(run, words: str, shell: str = "bash", env=None) -> list[tuple[str, str]]:
    """(value, help) of what ``shell`` would offer for the command line ``words`` (the
    last word is the one being completed; a trailing space starts a new one)."""
    parts = words.split(" ")
    # fish gives the word being completed itself; bash and zsh its index
    cword = parts[-1] if shell == "fish" else str(len(parts) - 1)
    result = run([], env={"_CSTOOL_COMPLETE": f"{shell}_complete", "COMP_WORDS": words,
                          "COMP_CWORD": cword, **(env or {})}, check=0)
    out = "\n".join(line for line in result.stdout.splitlines() if line)
    assert result.exit_code == 0, result.output
    if shell == "bash":
        return [(line.split(",", 1)[1], "") for line in out.splitlines()]
    if shell == "zsh":
        lines = out.splitlines()
        return [(lines[i + 1], lines[i + 2] if lines[i + 2] != "_" else "")
                for i in range(0, len(lines), 3)]
    return [tuple((line.split(",", 1)[1].split("\t") + [""])[:2]) for line in out.splitlines()]


def values(items) -> list[str]:
    return [v for v, _ in items]


def test_command_names(run):
    assert values(complete(run, "cstool ha")) == ["handover"]
    assert "log" in values(complete(run, "cstool exception l"))
    assert values(complete(run, "cstool chase ")) == ["due", "log", "stats", "template"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_domain_words_in_english_and_chinese(run, shell):
    assert values(complete(run, "cstool exception log 1 --kind dam", shell)) == ["damaged"]
    assert "破损" in values(complete(run, "cstool exception log 1 --kind 破", shell))
    channels = complete(run, "cstool chase log 1 --channel ", shell)
    assert values(channels)[:4] == ["wangwang", "phone", "sms", "remind"]
    assert "feige" in values(channels)
    if shell != "bash":  # bash shows no descriptions
        assert dict(channels)["phone"] == "电话"
        assert dict(complete(run, "cstool exception log 1 --kind 破", shell))["破损"] == \
            "damaged"


def test_order_numbers_from_the_journal(run, demo):
    prefix = order("unpaid_40min_big")[:-2]
    found = complete(run, f"cstool chase log {prefix}", "zsh")
    assert order("unpaid_40min_big") in values(found)
    assert all(v.startswith(prefix) for v in values(found))
    helps = dict(found)
    assert helps[order("unpaid_40min_big")].startswith("tb_unpaid_40min_b04")
    # every command that takes an order: arguments, --order, several at once
    for line in (f"cstool exception log {prefix}", f"cstool handover list --order {prefix}",
                 f"cstool shipcheck pack {prefix}", f"cstool orders show {prefix}",
                 f"cstool remark list {prefix}"):
        assert order("unpaid_40min_big") in values(complete(run, line)), line
    assert complete(run, "cstool chase log 9999") == []


def test_order_numbers_from_the_journal_db_names(run, demo, tmp_path):
    other = tmp_path / "other.db"
    run(["--db", str(other), "init"], check=0)
    assert complete(run, f"cstool --db {other} chase log 5118") == []
    assert complete(run, "cstool chase log 5118")


def test_no_journal_completes_nothing_and_creates_nothing(run, tmp_path):
    missing = tmp_path / "none.db"
    assert complete(run, "cstool chase log 5", env={"CSTOOL_DB": str(missing)}) == []
    assert not missing.exists()


def test_a_tab_imports_nothing_heavy(demo):
    """Completion runs on every Tab: no tables, sheets, sqlite-utils or dateutil."""
    code = ("import sys\nfrom cstool.cli import cli\ntry:\n    cli.main(prog_name='cstool')\n"
            "except SystemExit:\n    pass\n"
            "heavy = ('tabulate', 'openpyxl', 'sqlite_utils', 'dateutil', 'wcwidth', 'json')\n"
            "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n")
    env = {**os.environ, "_CSTOOL_COMPLETE": "bash_complete",
           "COMP_WORDS": f"cstool exception log {order('unpaid_40min_big')[:-3]}",
           "COMP_CWORD": "3"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    assert order("unpaid_40min_big") in out.stdout
    assert out.stderr.strip().splitlines()[-1] == "[]"
