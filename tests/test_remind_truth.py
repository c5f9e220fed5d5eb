"""remind tells the truth: a dry run shows what a real run would send, a capped message
says what it leaves out, and a run killed mid-send repeats at most the message in flight."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import FIXTURES, context, order

from cstool.app import remind
from cstool.app.remind import Item
from cstool.core.clock import Clock
from cstool.core.journal import Journal
from cstool.handover import register

sys.path.insert(0, str(FIXTURES))
from exportlib import CLASSIC_HEADER, classic_row, csv_line  # noqa: E402


@pytest.fixture
def chinese(monkeypatch):
    """Robot messages land in the team's Chinese group chat: the tests of what they say
    read them in Chinese."""
    monkeypatch.setenv("CSTOOL_LANG", "zh")

MORNING = "2026-11-24 10:30"


def handover_items(db, n, at="2026-11-23T14:00:00Z"):
    """``n`` open handover items registered the day before (due at 10:00 the next day)."""
    j = Journal.open(str(db))
    try:
        with j.write():
            for k in range(n):
                register.add(context(j, at, "倩"), category="callback", problem=f"要求回电 第{k}单",
                          buyer=f"tb_call{k:02d}", todo="上午回电")
    finally:
        j.close()


# --- --dry-run: what a real run would send now ------------------------------------------


def test_dry_run_shows_exactly_what_a_real_run_would_send(run, demo, chinese):
    first = run(["--now", MORNING, "remind"], check=0).stdout
    assert first.startswith("cstool 提醒 2026-11-24 10:30\n")
    # ten minutes later everything is in its cool-down: a real run would send nothing
    assert run(["--now", "2026-11-24 10:40", "remind", "--dry-run"], check=0).stdout == ""
    # one new item: the dry run shows that one, and the real run then sends just that
    run(["--agent", "倩", "--now", "2026-11-23 22:00", "handover", "add", "-c", "回访",
         "--buyer", "tb_lily", "-p", "要求退差价", "-t", "明天上午回电"], check=0)
    dry = run(["--now", "2026-11-24 10:40", "remind", "--dry-run"], check=0).stdout
    assert dry == ("cstool 提醒 2026-11-24 10:40\n"
                   "[交接] #1 回访 t***y: 要求退差价 → 明天上午回电 (未回执)\n"
                   "下一步: cstool handover list --open\n")
    real = run(["--now", "2026-11-24 10:40", "remind"], check=0).stdout
    assert real == dry


def test_dry_run_all_lists_every_due_item_with_why_it_is_held(run, demo, chinese):
    run(["--now", MORNING, "remind"], check=0)
    out = run(["--now", "2026-11-24 10:40", "remind", "--dry-run", "--all"], check=0).stdout
    lines = out.splitlines()
    assert lines[0] == f"这次不发({(len(lines) - 1) // 2}):"
    overdue = lines.index(next(x for x in lines if order("paid_80h_overdue") in x))
    assert lines[overdue].startswith("[发货] 已超时 ")
    assert lines[overdue + 1] == \
        "    原因: 冷却到 14:30(已于 11-24 10:30 发送,remind_cooldown_hours)"
    # at night the chase windows are closed: due, held, and said so
    night = run(["--now", "2026-11-24 23:50", "remind", "--dry-run", "--all", "--json"],
                check=0)
    rows = {r["key"]: r for r in json.loads(night.stdout)}
    big = rows[f"chase:{order('unpaid_40min_big')}:0"]
    # JSON reads alike in every language: the reason in English, the channel's value
    assert (big["send"], big["held"]) == (False, "window closed: wangwang opens 2026-11-25 09:00")
    assert rows[f"ship:{order('paid_80h_overdue')}:overdue"]["send"] is True
    # a plain dry run lists only what it would send
    plain = json.loads(run(["--now", "2026-11-24 23:50", "remind", "--dry-run", "--json"],
                           check=0).stdout)
    assert all(r["send"] for r in plain) and {r["key"] for r in plain} == \
        {k for k, r in rows.items() if r["send"]}


def test_dry_run_all_before_the_handover_hour_and_during_another_run(run, demo, journal):
    run(["--agent", "倩", "--now", "2026-11-23 22:00", "handover", "add", "-c", "回访",
         "--buyer", "tb_lily", "-p", "要求退差价", "-t", "明天上午回电"], check=0)
    early = json.loads(run(["--now", "2026-11-24 09:55", "remind", "--dry-run", "--all",
                            "--json"], check=0).stdout)
    item = next(r for r in early if r["key"] == "handover:1")
    assert item["held"] == "receipt expected by 10:00 (remind_handover_ack_by)"
    # another run is sending the overdue parcel right now
    key = f"ship:{order('paid_80h_overdue')}:overdue"
    journal.execute("INSERT INTO remind_items (key, kind, text, claimed_by, claimed_at) "
                    "VALUES (?, 'ship', 'x', 'other-run', '2026-11-24T02:28:00Z')", [key])
    busy = json.loads(run(["--now", MORNING, "remind", "--dry-run", "--all", "--json"],
                          check=0).stdout)
    held = next(r for r in busy if r["key"] == key)
    assert (held["send"], held["held"]) == (
        False, "being sent by another run since 10:28 (its claim lapses after 10 minutes)")
    assert journal.scalar("SELECT count(*) FROM remind_items") == 1  # the dry run wrote nothing


def test_dry_run_applies_the_robots_rate_limit(journal):
    many = [Item(f"chase:{n}", "chase", "亲,订单待付款 " + "很长的说明" * 40, str(n))
            for n in range(90)]
    clock = Clock("Asia/Shanghai", "2026-11-23 10:00")
    dry = remind.run(context(journal, clock), sources=[lambda ctx, **kw: list(many)],
                     channel="wecom", limit=2048, dry_run=True)
    sent = []
    real = remind.run(context(journal, clock), sources=[lambda ctx, **kw: list(many)],
                      channel="wecom", limit=2048, send=lambda text, title: sent.append(text))
    assert dry.messages == sent and len(sent) == 20
    assert [i.key for i in dry.held_back] == [i.key for i in real.held_back]
    assert dry.held[dry.held_back[0].key].startswith("held back by the robot's rate limit")


def test_json_prints_an_empty_list_when_nothing_is_due(run):
    run("agent add 倩", check=0)
    assert run(["--now", MORNING, "remind", "--json"], check=0).stdout == "[]\n"
    assert run(["--now", MORNING, "remind"], check=0).stdout == ""
    assert run(["--now", MORNING, "remind", "--dry-run", "--json"], check=0).stdout == "[]\n"


def test_all_goes_with_dry_run(run, demo):
    result = run(["--now", MORNING, "remind", "--all"])
    assert result.exit_code == 2 and "--all goes with --dry-run" in result.output


# --- capped messages say what they leave out --------------------------------------------


@pytest.fixture
def crowd(run, demo, tmp_path):
    """40 more unpaid orders (placed at 09:00 on the 24th) and 35 open handover items."""
    created = datetime(2026, 11, 24, 9, 0)
    rows = [classic_row(order_id=str(5118609024991100000 + n), buyer=f"tb_crowd{n:02d}",
                        status="unpaid", created=created + timedelta(seconds=n),
                        total=10000 + n * 100) for n in range(40)]
    export = tmp_path / "crowd.csv"
    export.write_bytes((csv_line(list(CLASSIC_HEADER)) + "".join(csv_line(r) for r in rows))
                       .encode("gb18030"))
    run(["--agent", "倩", "orders", "import", str(export)], check=0)
    handover_items(demo, 35)
    return demo


def test_a_capped_message_ends_with_how_many_more_and_the_command(run, crowd, chinese):
    due = run.json(["--now", MORNING, "chase", "due", "--limit", "0", "--json"])
    out = run(["--now", MORNING, "remind"], check=0).stdout.splitlines()
    chases = [x for x in out if x.startswith("[催付] ")]
    assert len(chases) == 30 and chases[0].startswith(f"[催付] {due[0]['order_id']} ")
    assert [x for x in out if x.startswith("[交接] ")][29].startswith("[交接] #30 ")
    assert out[-2:] == [f"还有 {len(due) - 30} 单未列出: cstool chase due",
                        "还有 5 单未列出: cstool handover list --open"]
    # the next run (the first 30 of each in their cool-down) lists the rest: no trailer left
    again = run(["--now", "2026-11-24 10:40", "remind"], check=0).stdout.splitlines()
    assert len([x for x in again if x.startswith("[催付] ")]) == len(due) - 30
    assert len([x for x in again if x.startswith("[交接] ")]) == 5
    assert not [x for x in again if x.startswith("还有 ")]


def test_a_capped_message_split_for_a_robot_stays_under_its_limit(run, crowd, chinese):
    from test_notify import Hook

    hook = Hook()
    try:
        run(["--now", MORNING, "remind", "--notify", "wecom", "--webhook", hook.url, "--text"],
            check=0)
    finally:
        hook.close()
    contents = [b["text"]["content"] for _, b in hook.received]
    assert all(len(c.encode()) <= 2048 for c in contents)
    assert contents[-1].endswith("还有 5 单未列出: cstool handover list --open")
    assert sum(c.count("\n[催付] ") for c in contents) == 30


# --- a run killed mid-send repeats at most the message in flight ------------------------


class StallingRobot:
    """A robot on 127.0.0.1 that answers ``answer`` posts, then holds the next one (the
    message in flight) until released; it counts every post."""

    def __init__(self, answer: int):
        self.posts: list[str] = []
        self.in_flight = threading.Event()
        self.release = threading.Event()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                robot.posts.append(body["text"]["content"])
                if len(robot.posts) == answer + 1 and not robot.release.is_set():
                    robot.in_flight.set()
                    robot.release.wait(30)
                    return  # the sender is dead by now: no answer
                data = b'{"errcode": 0, "errmsg": "ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/webhook/send?key=k"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()


def items_of(message: str) -> list[str]:
    return [x for x in message.splitlines()[1:] if x.startswith("[")]


def test_kill_9_mid_send_repeats_at_most_the_message_in_flight(crowd):
    robot = StallingRobot(answer=2)
    cmd = [sys.executable, "-m", "cstool", "--db", str(crowd), "remind", "--notify", "wecom",
           "--webhook", robot.url, "--text"]
    try:
        proc = subprocess.Popen(cmd + ["--now", MORNING], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        assert robot.in_flight.wait(60), "the run never reached its third message"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        first_run = list(robot.posts)
        assert len(first_run) == 3
        robot.release.set()
        # eleven minutes later the dead run's claims have lapsed (within the cool-down)
        again = subprocess.run(cmd + ["--now", "2026-11-24 10:41"], capture_output=True,
                               text=True, timeout=60)
        assert again.returncode == 0, again.stderr
        second_run = robot.posts[3:]
    finally:
        robot.close()
    confirmed = items_of(first_run[0]) + items_of(first_run[1])
    in_flight = set(items_of(first_run[2]))
    resent = [x for m in second_run for x in items_of(m)]
    repeated = set(resent) & (set(confirmed) | in_flight)
    assert repeated <= in_flight            # the answered messages were on record at once
    assert not set(resent) & set(confirmed)
    assert len(repeated) <= len(in_flight)
    j = Journal.open(str(crowd))
    try:
        due = remind.collect(context(j, MORNING))
        sends = dict(j.query("SELECT key, sends FROM remind_items"))
        # every due item went out, each once, but for the one message in flight
        assert {i.key for i in due} <= {k for k, n in sends.items() if n >= 1}
        assert sum(n - 1 for n in sends.values() if n > 1) <= len(in_flight)
        assert j.scalar("SELECT count(*) FROM remind_items WHERE claimed_by IS NOT NULL") == 0
    finally:
        j.close()


def test_the_library_records_each_message_as_soon_as_it_is_answered(journal):
    """The second message's send sees the first one's items on record already."""
    items = [Item(f"ship:{n}:overdue", "ship", f"订单 {n} 已超过发货时限 " + "说明" * 300, str(n))
             for n in range(4)]
    seen = []

    def send(text, title):
        seen.append(journal.scalar("SELECT count(*) FROM remind_items WHERE sent_at IS NOT NULL"))

    remind.run(context(journal, "2026-11-23 10:00"),
               sources=[lambda ctx, **kw: list(items)], channel="wecom", limit=2048, send=send)
    assert seen == [0, 1, 2, 3]


def test_a_dry_run_for_a_robot_plans_its_messages_without_a_webhook(run, crowd):
    from test_notify import Hook

    dry = run(["--now", MORNING, "remind", "--notify", "wecom", "--dry-run"], check=0).stdout
    hook = Hook()
    try:
        run(["--now", MORNING, "remind", "--notify", "wecom", "--webhook", hook.url, "--text"],
            check=0)
    finally:
        hook.close()
    assert dry == "".join(b["text"]["content"] + "\n" for _, b in hook.received)
