"""Robots: DingTalk signing, WeCom splitting, failures that leave items unsent."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from cstool.core.notify import NotifyError, Robot, dingtalk_sign, mask_url, split_message


class Hook:
    """A local robot endpoint that records what it receives."""

    def __init__(self, reply=None, status=200):
        self.received = []
        self.reply = reply if reply is not None else {"errcode": 0, "errmsg": "ok"}
        self.status = status
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.received.append((self.path, json.loads(body)))
                data = json.dumps(hook.reply).encode()
                self.send_response(hook.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/robot/send?access_token=abcdef123456"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def hook():
    h = Hook()
    yield h
    h.close()


def test_dingtalk_signature_matches_the_documented_algorithm():
    secret, ts = "SECabc123", 1700000000000
    expected = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert urllib.parse.unquote_plus(dingtalk_sign(secret, ts)) == expected
    assert "+" not in dingtalk_sign(secret, ts) and "/" not in dingtalk_sign(secret, ts)


def test_dingtalk_post_carries_timestamp_and_sign(hook):
    Robot("dingtalk", hook.url, "SECabc123").send("第一行\n第二行", "cstool 提醒", 1700000000000)
    path, body = hook.received[0]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query))
    assert query["access_token"] == "abcdef123456"
    assert query["timestamp"] == "1700000000000"
    assert query["sign"] == urllib.parse.unquote_plus(dingtalk_sign("SECabc123", 1700000000000))
    assert body == {"msgtype": "markdown",
                    "markdown": {"title": "cstool 提醒", "text": "第一行\n\n第二行"}}


def test_wecom_text_message(hook):
    Robot("wecom", hook.url, markdown=False).send("订单 1 超时", "t", 0)
    assert hook.received == [("/robot/send?access_token=abcdef123456",
                              {"msgtype": "text", "text": {"content": "订单 1 超时"}})]


def test_robot_refusal_is_an_error_naming_the_masked_webhook():
    h = Hook(reply={"errcode": 310000, "errmsg": "sign not match"})
    try:
        with pytest.raises(NotifyError) as e:
            Robot("dingtalk", h.url, "SECx").send("x", "t", 1)
        assert "errcode 310000 sign not match" in str(e.value)
        assert "abcdef123456" not in str(e.value) and "…3456" in str(e.value)
    finally:
        h.close()


def test_unreachable_webhook_times_out_cleanly():
    with pytest.raises(NotifyError, match="could not be reached"):
        Robot("wecom", "http://127.0.0.1:9/cgi-bin/webhook/send?key=zzzz", timeout=2).send("x", "t", 0)


def test_split_keeps_lines_whole_and_under_the_limit():
    lines = [f"第{i}行 订单 51186090249910316{i:02d} 已超时,请尽快发货" for i in range(200)]
    messages = split_message(lines, 2048, "cstool 提醒")
    assert len(messages) > 1
    assert all(len(m.encode()) <= 2048 for m in messages)
    assert messages[0].startswith(f"cstool 提醒 (1/{len(messages)})\n")
    body = [line for m in messages for line in m.split("\n")[1:]]
    assert body == lines


def test_one_huge_line_is_cut():
    [m] = split_message(["字" * 5000], 2048, "")
    assert len(m.encode()) <= 2048 and m.endswith("…")


def test_mask_url():
    assert mask_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa") == \
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…5aaa"
