"""The README runs as written: every command block, in order, against the demo journal;
and its cron example does what it says, run by hand with --now values."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, order

README = (ROOT / "README.md").read_text(encoding="utf-8")


def crontab():
    block = re.search(r"```cron\n(.*?)```", README, re.S).group(1)
    env, jobs = {}, []
    for line in block.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if re.match(r"^[A-Z_]+=", line):
            k, _, v = line.partition("=")
            env[k] = v
            continue
        fields = line.split(None, 5)
        jobs.append((fields[:5], shlex.split(fields[5])))
    return env, jobs


def test_the_crontab_has_the_four_jobs():
    env, jobs = crontab()
    assert set(env) == {"CSTOOL_DB", "CSTOOL_AGENT"}
    assert [argv[:2] for _, argv in jobs] == [["cstool", "remind"], ["cstool", "shipcheck"],
                                               ["cstool", "handover"], ["cstool", "report"]]


def test_the_crontab_jobs_do_what_the_readme_says(run, demo, tmp_path):
    _, jobs = crontab()
    run("agent add cron --role supervisor", check=0)
    sheet = tmp_path / "交接-晚班.xlsx"

    def job(i, now):
        argv = [a.replace("/srv/cstool/交接-晚班.xlsx", str(sheet)) for a in jobs[i][1][1:]]
        if "--notify" in argv:  # no robot in a test: the reminders print, as without a webhook
            k = argv.index("--notify")
            del argv[k:k + 2]
        return run(["--agent", "cron", "--now", now, *argv])

    # */10 9-23: what is due goes out once; the next run ten minutes later is silent
    first = job(0, "2026-11-24 10:30")
    assert first.exit_code == 0 and first.stdout.startswith("cstool reminders 2026-11-24 10:30\n")
    assert order("paid_80h_overdue") in first.stdout
    again = job(0, "2026-11-24 10:40")
    assert (again.exit_code, again.stdout) == (0, "")
    # 15:30: exit 1 and the late parcels on stdout, for cron to mail
    late = job(1, "2026-11-23 15:30")
    assert late.exit_code == 1 and order("paid_80h_overdue") in late.stdout
    # ... and exit 0, silent, on a day when nothing is late (before anything was paid)
    calm = job(1, "2026-11-01 15:30")
    assert (calm.exit_code, calm.stdout) == (0, "")
    # 23:20: the night sheet, written again every night (--force)
    assert job(2, "2026-11-23 23:20").exit_code == 0 and sheet.exists()
    assert job(2, "2026-11-24 23:20").exit_code == 0
    # 00:10: yesterday on one page
    report = job(3, "2026-11-24 00:10")
    assert report.exit_code == 0
    assert report.stdout.startswith("# Daily report 2026-11-23\n")


# --- every command block, as printed ------------------------------------------------------


def sh_blocks() -> list[list[str]]:
    """The README's ```sh blocks, as their command lines."""
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    return [[line for line in b.replace("\\\n", " ").splitlines()
             if line.strip() and not line.lstrip().startswith("#")] for b in blocks]


def test_the_readme_says_how_to_follow_it_on_the_demo_journal():
    exports = [line for block in sh_blocks() for line in block if line.startswith("export ")]
    assert exports and exports[0].startswith('export CSTOOL_DB=demo/journal.db CSTOOL_NOW="')


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make, as the README does")
def test_every_command_block_runs_as_printed_in_order(tmp_path):
    """`make demo`, then each line of each block in a shell, as a reader pastes them: exit 0,
    or 1 where the README says a check exits 1; never an error line of another kind."""
    os.symlink(ROOT / "fixtures", tmp_path / "fixtures")
    if (ROOT / ".venv").is_dir():
        os.symlink(ROOT / ".venv", tmp_path / ".venv")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSTOOL_")}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env["PATH"]
    blocks = sh_blocks()
    assert blocks[0] == ["make demo   # creates .venv, installs cstool, builds a demo journal "
                         "from fixtures/ and tours the commands",
                         "make test   # the test suite (creates/updates the same .venv)"]
    # `make demo` into this test's folder; STAMP= skips the install step (this test runs
    # from the installed package already; `make test` saw to that)
    built = subprocess.run(["make", "-s", "-C", str(ROOT), "demo", f"DEMO={tmp_path / 'demo'}",
                            "STAMP="], capture_output=True, text=True, env=env, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    ran = 0
    for block in blocks[1:]:
        for line in block:
            if line.startswith("export "):  # the shell evaluates it; later lines see the result
                out = subprocess.run(["sh", "-c", f"{line}\nenv -0"], cwd=tmp_path, env=env,
                                     capture_output=True, check=True).stdout
                env = dict(x.split("=", 1) for x in out.decode().split("\0") if "=" in x)
                continue
            assert line.startswith("cstool "), line
            done = subprocess.run(["sh", "-c", line], cwd=tmp_path, env=env,
                                  capture_output=True, text=True, timeout=60)
            allowed = (0, 1) if "exit 1" in line else (0,)
            assert done.returncode in allowed, (line, done.stdout[-1500:], done.stderr[-1500:])
            assert "internal error" not in done.stderr and "Traceback" not in done.stderr, line
            if done.returncode == 1:
                assert not [x for x in done.stderr.splitlines() if x.startswith("Error: ")], line
            ran += 1
    assert ran >= 30


# --- the output the README shows ------------------------------------------------------------


def text_blocks() -> list[tuple[str, str]]:
    """The README's ```text blocks that show a command (``$ …``) and what it prints."""
    out = []
    for block in re.findall(r"```text\n(.*?)```", README, re.S):
        first, _, printed = block.partition("\n")
        if first.startswith("$ "):
            out.append((first[2:], printed))
    return out


def test_the_readme_shows_chinese_output_first():
    blocks = text_blocks()
    assert blocks and not blocks[0][0].startswith("CSTOOL_LANG=en")
    assert re.search(r"[\u4e00-\u9fff]", blocks[0][1].splitlines()[0])  # a Chinese header
    assert any(cmd.startswith("CSTOOL_LANG=en ") for cmd, _ in blocks)


@pytest.mark.parametrize("n", range(len(text_blocks())))
def test_the_output_the_readme_shows_is_what_cstool_prints(run, demo, n):
    """On the demo journal at an 80-column terminal; Chinese unless the line says en."""
    command, printed = text_blocks()[n]
    lang = "zh"
    if command.startswith("CSTOOL_LANG="):
        assignment, command = command.split(" ", 1)
        lang = assignment.split("=", 1)[1]
    argv = shlex.split(command)
    assert argv[0] == "cstool"
    result = run(argv[1:], env={"CSTOOL_LANG": lang, "COLUMNS": "80"})
    assert result.stdout == printed
