"""`cstool remind` end to end: every routine's due items, silence, robots, overlapping runs."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.parse

import pytest
from conftest import order
from test_notify import Hook

from cstool.core.clock import real_time_ms
from cstool.core.notify import dingtalk_sign


@pytest.fixture
def chinese(monkeypatch):
    """Robot messages land in the team's Chinese group chat: the tests of what they say
    read them in Chinese."""
    monkeypatch.setenv("CSTOOL_LANG", "zh")

NEXT_MORNING = "2026-11-24 10:30"


def test_prints_what_is_due_then_stays_quiet(run, demo, chinese):
    run(["--agent", "倩", "--now", "2026-11-23 22:00", "handover", "add", "-c", "回访",
         "--buyer", "tb_lily", "-p", "要求退差价", "-t", "明天上午回电"], check=0)
    case = run.json(["--agent", "郑婷", "--now", "2026-11-23 10:00", "exception", "log",
                     order("shipped_damaged_reported"), "--kind", "破损", "--detail", "碎了",
                     "--json"])
    out = run(["--now", NEXT_MORNING, "remind"], check=0).stdout
    lines = out.splitlines()
    assert lines[0] == "cstool 提醒 2026-11-24 10:30"
    assert any(x.startswith("[催付] ") and order("unpaid_40min_big") in x for x in lines)
    assert any(x.startswith("[发货] 已超时 " + order("paid_80h_overdue")) for x in lines)
    assert any(x.startswith(f"[异常件] #{case['id']} 破损 ") for x in lines)
    # the buyer masked in the group chat; the commands to run next end the message
    assert any(x.startswith("[交接] ") and "t***y" in x for x in lines)
    assert "tb_lily" not in out and "tb_unpaid_40min_b04" not in out
    assert lines[-1] == ("下一步: cstool chase due · cstool shipcheck · cstool exception list "
                         "--overdue · cstool handover list --open")
    again = run(["--now", "2026-11-24 10:45", "remind"], check=0)
    assert (again.stdout, again.stderr) == ("", "")


def test_handover_items_wait_until_the_ack_hour(run, demo, chinese):
    run(["--agent", "倩", "--now", "2026-11-23 22:00", "handover", "add", "-c", "回访",
         "--buyer", "tb_lily", "-p", "要求退差价", "-t", "明天上午回电"], check=0)
    early = run(["--now", "2026-11-24 09:55", "remind", "--dry-run"], check=0).stdout
    assert "[交接]" not in early
    late = run(["--now", "2026-11-24 10:00", "remind", "--dry-run"], check=0).stdout
    assert "[交接] #1 回访 t***y: 要求退差价 → 明天上午回电 (未回执)" in late
    run(["--agent", "郑婷", "--now", "2026-11-24 10:01", "handover", "ack", "1", "--receipt",
         "已回电"], check=0)
    assert "[交接]" not in run(["--now", "2026-11-24 10:02", "remind", "--dry-run"], check=0).stdout


def test_nothing_due_is_silent(run, env):
    run("agent add 倩", check=0)
    result = run(["--now", NEXT_MORNING, "remind"])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_dingtalk_signed_post_then_nothing_twice(run, demo):
    hook = Hook()
    try:
        before = real_time_ms()
        result = run(["--now", NEXT_MORNING, "remind", "--notify", "dingtalk", "--webhook", hook.url,
                      "--secret", "SECdemo", "--json"], check=0)
        after = real_time_ms()
        sent = json.loads(result.stdout)
        assert sent and {i["kind"] for i in sent} >= {"chase", "ship"}
        path, body = hook.received[0]
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query))
        # signed with the real time (DingTalk allows an hour of skew), not the pinned clock
        ts = int(q["timestamp"])
        assert before <= ts <= after and ts != 1795487400000  # 2026-11-24 10:30 +08:00
        assert q["sign"] == urllib.parse.unquote_plus(dingtalk_sign("SECdemo", ts))
        assert body["msgtype"] == "markdown"
        n = len(hook.received)
        result = run(["--now", "2026-11-24 10:40", "remind", "--notify", "dingtalk",
                      "--webhook", hook.url, "--secret", "SECdemo"], check=0)
        assert len(hook.received) == n and result.stdout == ""
    finally:
        hook.close()


def test_wecom_splits_and_a_refusal_leaves_items_for_the_next_run(run, demo):
    bad = Hook(reply={"errcode": 93000, "errmsg": "invalid webhook url"})
    try:
        result = run(["--now", NEXT_MORNING, "remind", "--notify", "wecom", "--webhook", bad.url])
        assert result.exit_code == 1
        assert result.output.startswith("Error: wecom robot http://127.0.0.1:")
        assert "errcode 93000" in result.output and "abcdef123456" not in result.output
    finally:
        bad.close()
    good = Hook()
    try:
        run(["--now", "2026-11-24 10:31", "remind", "--notify", "wecom", "--webhook", good.url,
             "--text"], check=0)
        assert good.received
        contents = [b["text"]["content"] for _, b in good.received]
        assert all(len(c.encode()) <= 2048 for c in contents)
        assert any(order("paid_80h_overdue") in c for c in contents)
    finally:
        good.close()


def test_webhook_from_policy_never_printed(run, demo):
    hook = Hook(reply={"errcode": 1, "errmsg": "nope"})
    try:
        run(["policy", "set", "remind.wecom_webhook", hook.url], check=0)
        result = run(["--now", NEXT_MORNING, "remind", "--notify", "wecom"])
        assert result.exit_code == 1 and "abcdef123456" not in result.output
    finally:
        hook.close()


def test_overlapping_runs_never_both_send(demo, tmp_path):
    """Two cron runs at once against a slow robot: every item reaches the robot once."""
    hook = Hook()
    hook.delay = 0.5
    real = hook.server.RequestHandlerClass.do_POST

    def slow(self):
        time.sleep(hook.delay)
        real(self)

    hook.server.RequestHandlerClass.do_POST = slow
    try:
        cmd = [sys.executable, "-m", "cstool", "--db", str(demo), "--now", NEXT_MORNING, "remind",
               "--notify", "wecom", "--webhook", hook.url, "--json"]
        procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        outs = [p.communicate(timeout=60) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        keys = [i["key"] for o, _ in outs if o.strip() for i in json.loads(o)]
        assert keys and len(keys) == len(set(keys))
        posted = [line for _, b in hook.received for line in b["markdown"]["content"].split("\n\n")[1:]]
        # each message ends with the commands to run next; every item line is sent once
        items = [p for p in posted if not p.startswith(("Next: ", "下一步: "))]
        assert len(items) == len(set(items)) == len(keys)
    finally:
        hook.close()
