"""Secrets never print: webhooks are checked on input, tokens and passwords masked everywhere."""

from __future__ import annotations

import pytest
from test_notify import Hook

from cstool.core.mask import mask_secrets, mask_url

TOKEN = "TOPSECRET9f3a77c1"
WITH_PASSWORD = f"https://robot:hunter2pass@oapi.dingtalk.com/robot/send?access_token={TOKEN}"


def leaks(text: str) -> bool:
    return TOKEN in text or "hunter2pass" in text or "TOPSECRET" in text


@pytest.mark.parametrize("url, why", [
    (f"oapi.dingtalk.com/robot/send?access_token={TOKEN}", "with the scheme"),
    (f"http://oapi.dingtalk.com/robot/send?access_token={TOKEN}", "plain http"),
    (f"ftp://oapi.dingtalk.com/robot/send?access_token={TOKEN}", "not an https:// URL"),
    (f"https://oapi.dingtalk.com:99999/robot/send?access_token={TOKEN}", "not a URL"),
    (f"https:// oapi.dingtalk.com/robot/send?access_token={TOKEN}", "not a URL"),
])
def test_a_bad_webhook_is_a_usage_error_that_hides_the_token(run, demo, url, why):
    result = run(["--now", "2026-11-24 10:30", "remind", "--notify", "dingtalk",
                  "--webhook", url])
    assert result.exit_code == 2, result.output
    assert why in result.output
    assert not leaks(result.output) and "internal error" not in result.output
    stored = run(["policy", "set", "remind.dingtalk_webhook", url])
    assert stored.exit_code == 2 and why in stored.output and not leaks(stored.output)
    assert run.json(["policy", "show", "remind.dingtalk_webhook", "--json"])["value"] == ""


def test_http_is_allowed_to_a_robot_on_this_machine(run, demo):
    hook = Hook()
    try:
        run(["--now", "2026-11-24 10:30", "remind", "--notify", "wecom", "--webhook", hook.url],
            check=0)
        assert hook.received
    finally:
        hook.close()


def test_a_password_in_the_webhook_never_prints(run, env):
    out = run(["policy", "set", "remind.dingtalk_webhook", WITH_PASSWORD], check=0).output
    assert out == "remind.dingtalk_webhook = https://oapi.dingtalk.com/robot/send?access_token=…77c1\n"
    for fmt in ("table", "json", "jsonl", "csv", "tsv"):
        shown = run(["policy", "show", "--format", fmt], check=0).output
        assert "oapi.dingtalk.com/robot/send" in shown and not leaks(shown), fmt
    one = run(["policy", "show", "remind.dingtalk_webhook", "--json"], check=0).output
    assert "…77c1" in one and not leaks(one)


def test_an_unreachable_robot_error_hides_the_token_and_the_password(run, demo):
    url = f"http://robot:hunter2pass@127.0.0.1:9/robot/send?access_token={TOKEN}"
    result = run(["--now", "2026-11-24 10:30", "remind", "--notify", "dingtalk", "--webhook", url,
                  "--secret", "SEC0123456789abcdef0123456789"])
    assert result.exit_code == 1
    assert "could not be reached" in result.output
    assert not leaks(result.output) and "0123456789abcdef" not in result.output


def test_mask_url_and_mask_secrets():
    assert mask_url(WITH_PASSWORD) == "https://oapi.dingtalk.com/robot/send?access_token=…77c1"
    assert mask_url("https://h/x?key=abc&sign=zz&timestamp=1") == "https://h/x?key=…"
    text = (f"unknown url type: 'oapi.dingtalk.com/robot/send?access_token={TOKEN}' "
            "via https://u:hunter2pass@example.com/ with SECabcdef0123456789abcdef")
    masked = mask_secrets(text)
    assert not leaks(masked) and "abcdef0123456789" not in masked
    assert "access_token=…77c1" in masked and "https://***@example.com/" in masked
