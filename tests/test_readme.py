"""The README's cron example does what it says, run by hand with --now values."""

from __future__ import annotations

import re
import shlex

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
    assert first.exit_code == 0 and first.stdout.startswith("cstool 提醒 2026-11-24 10:30\n")
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
    assert report.stdout.startswith("# 日报 Daily report 2026-11-23\n")
