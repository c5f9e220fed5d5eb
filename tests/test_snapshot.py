"""What every command prints on the demo journal, and how it exits, is what it printed
before: `tests/snapshot/make_snapshot.py` wrote the expected output from the code as
it was; here the same steps run again and every byte is compared."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "snapshot"))
import make_snapshot  # noqa: E402

EXPECTED = json.loads(make_snapshot.EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def steps(tmp_path_factory):
    tmp = os.path.realpath(tmp_path_factory.mktemp("snapshot"))
    cwd = os.getcwd()
    os.chdir(tmp)
    try:
        return make_snapshot.run_all(tmp)
    finally:
        os.chdir(cwd)


def test_the_fixture_has_every_step():
    assert [s["argv"] for s in EXPECTED] == [argv for argv, _ in make_snapshot.STEPS]


def test_every_leaf_command_is_in_the_steps():
    from test_every_command import leaf_commands

    ran = {" ".join(a for a in argv[:3] if not a.startswith(("-", "{")) and a.isascii()
                    and not a.isdigit() and a.isalpha() or a in ("template",))
           for argv, _ in make_snapshot.STEPS}
    missing = [c for c in leaf_commands() if not any(r.startswith(c) for r in ran)]
    assert missing == []


@pytest.mark.parametrize("n", range(len(EXPECTED)),
                         ids=[" ".join(s["argv"])[:60] for s in EXPECTED])
def test_the_command_prints_what_it_printed(steps, n):
    assert steps[n] == EXPECTED[n]
