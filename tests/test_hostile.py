"""The hostile-input corpus (tests/hostile, built by make_corpus.py): every case fails cleanly.

Each case is a command given bad input: a file broken one way, an option no
shop could mean, an output that would overwrite the journal. It must exit 1
or 2 as the case says, print one ``Error:`` line (no traceback, no "internal
error", no secret), leave the journal exactly as it was and leave no file
behind.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DEMO_CSV, DEMO_NOW, DEMO_XLSX, ROOT, dump

from cstool.cli import cli
from cstool.core.journal import Journal

CORPUS = Path(__file__).parent / "hostile"
CASES = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))


def test_the_corpus_is_large_and_every_file_is_used():
    assert len(CASES) >= 200
    used = {Path(a.replace("{files}/", "")).name for c in CASES
            for a in c["argv"] + [x for s in c.get("setup", []) for x in s[1:]]
            if a.startswith("{files}/")}
    assert used == {p.name for p in (CORPUS / "files").iterdir()}
    kinds = {c["exit"] for c in CASES}
    assert kinds == {1, 2}


@pytest.fixture(scope="module")
def base_journal(tmp_path_factory):
    """The demo shop with a case, three handover items (the second acknowledged, the third
    about an order), checkpointed."""
    path = tmp_path_factory.mktemp("hostile") / "journal.db"
    r = CliRunner()
    env = {"CSTOOL_DB": str(path), "CSTOOL_NOW": DEMO_NOW, "CSTOOL_AGENT": "倩"}
    for argv in (["init"], ["agent", "add", "倩"], ["agent", "add", "郑婷"],
                 ["orders", "import", str(DEMO_CSV), str(DEMO_XLSX)],
                 ["exception", "log", "5118609024991031638", "--kind", "延迟", "--detail", "物流不动"],
                 ["handover", "add", "-c", "回访", "--buyer", "tb1", "-p", "回电", "-t", "明天"],
                 ["handover", "add", "-c", "回访", "--buyer", "tb_lily", "-p", "回电"],
                 ["handover", "ack", "2", "--receipt", "已回电"],
                 ["handover", "add", "-c", "联系快递", "--order", "5118609024991031635",
                  "-p", "物流9天未更新", "-t", "联系圆通"]):
        res = r.invoke(cli, argv, env=env)
        assert res.exit_code == 0, (argv, res.output)
    Journal.open(str(path)).close()  # checkpoint: the file alone holds everything
    return path


def listing(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` with its size (the journal's -wal/-shm aside)."""
    out = {}
    for dirpath, dirs, names in os.walk(folder):
        for n in dirs + names:
            p = Path(dirpath) / n
            rel = str(p.relative_to(folder))
            if rel in ("journal.db-wal", "journal.db-shm"):
                continue
            out[rel] = -1 if p.is_dir() else p.lstat().st_size
    return out


def fill(text: str, tmp: Path) -> str:
    return (text.replace("{files}", str(CORPUS / "files")).replace("{db}", str(tmp / "journal.db"))
            .replace("{tmp}", str(tmp)).replace("{root}", str(ROOT)))


def setup_case(case: dict, tmp: Path, env: dict) -> None:
    for action, *args in case.get("setup", []):
        args = [fill(a, tmp) for a in args]
        if action == "copy":
            shutil.copy(args[0], args[1])
        elif action == "mkdir":
            os.makedirs(args[0])
        elif action == "symlink":
            os.symlink(args[0], args[1])
        elif action == "hardlink":
            os.link(args[0], args[1])
        elif action == "backup":
            res = CliRunner().invoke(cli, ["journal", "backup", args[0]], env=env)
            assert res.exit_code == 0, res.output
        else:  # pragma: no cover - a typo in the corpus
            raise AssertionError(f"unknown setup {action}")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_hostile_case_fails_cleanly(case, base_journal, tmp_path):
    tmp = tmp_path / "case"
    tmp.mkdir()
    db = tmp / "journal.db"
    shutil.copy(base_journal, db)
    env = {"CSTOOL_DB": str(db), "CSTOOL_NOW": DEMO_NOW, "CSTOOL_AGENT": "倩",
           "CSTOOL_WEBHOOK": None, "CSTOOL_SECRET": None, "CSTOOL_DEBUG": None}
    setup_case(case, tmp, env)
    before, files = dump(db), listing(tmp)
    argv = [fill(a, tmp) for a in case["argv"]]
    result = CliRunner().invoke(cli, argv, env={**env, **case.get("env", {})},
                                prog_name="cstool")
    out = result.output
    assert result.exit_code == case["exit"], (argv, out)
    assert "Traceback" not in out and "internal error" not in out, out
    errors = [line for line in out.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, out
    if case["exit"] == 1:  # one sentence (after any warnings), nothing else
        assert all(line.startswith(("Error: ", "warning: ")) for line in out.splitlines()), out
    assert case["message"] in errors[0], (case["message"], errors[0])
    if case.get("secret"):
        assert case["secret"] not in out
    assert dump(db) == before, "the journal changed"
    assert listing(tmp) == files, "a file was left behind"
