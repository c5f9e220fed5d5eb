"""The remind engine: silence, cool-down, claims against overlapping runs, failures, rate."""

from __future__ import annotations

import pytest
from conftest import context

from cstool.app import remind
from cstool.app.remind import Item
from cstool.core.clock import Clock
from cstool.core.notify import NotifyError


@pytest.fixture
def chinese(monkeypatch):
    """Robot messages land in the team's Chinese group chat: the tests of what they say
    read them in Chinese."""
    monkeypatch.setenv("CSTOOL_LANG", "zh")

ITEMS = [Item(f"ship:{n}:overdue", "ship", f"订单 {n} 已超过发货时限", str(n)) for n in range(3)]


def source(items):
    return lambda ctx, **kw: list(items)


def go(journal, at, items=ITEMS, **kw):
    clock = Clock("Asia/Shanghai", at)
    sent = []
    kw.setdefault("send", lambda text, title: sent.append(text))
    out = remind.run(context(journal, clock), sources=[source(items)], **kw)
    return out, sent


def test_nothing_due_sends_nothing(journal):
    out, sent = go(journal, "2026-11-23 10:00", items=[])
    assert (out.due, out.sent, sent) == ([], [], [])


def test_sends_once_within_the_cooldown(journal, chinese):
    out, sent = go(journal, "2026-11-23 10:00")
    assert [i.key for i in out.sent] == [i.key for i in ITEMS]
    assert len(sent) == 1 and "[发货] 订单 0 已超过发货时限" in sent[0]
    out, sent = go(journal, "2026-11-23 13:59")     # cool-down 4 h
    assert (out.sent, out.skipped, sent) == ([], 3, [])
    out, sent = go(journal, "2026-11-23 14:01")
    assert len(out.sent) == 3
    assert journal.scalar("SELECT sends FROM remind_items WHERE key = 'ship:0:overdue'") == 2


def test_new_items_go_out_while_old_ones_cool_down(journal):
    go(journal, "2026-11-23 10:00")
    extra = Item("exception:9", "exception", "破损件待补发", "9")
    out, sent = go(journal, "2026-11-23 10:10", items=ITEMS + [extra])
    assert out.sent == [extra] and out.skipped == 3


def test_a_run_that_overlaps_a_sending_run_sends_nothing(journal, env):
    """While run A is sending (its items claimed), run B finds nothing to send."""
    from cstool.core.journal import Journal

    other = Journal.open(str(env))
    seen_by_b = {}

    def send_a(text, title):
        out_b, sent_b = go(other, "2026-11-23 10:00:30")
        seen_by_b["sent"], seen_by_b["skipped"] = sent_b, out_b.skipped

    go(journal, "2026-11-23 10:00", send=send_a)
    assert seen_by_b == {"sent": [], "skipped": 3}
    assert journal.scalar("SELECT count(*) FROM remind_messages") == 1
    other.close()


def test_a_crashed_runs_claims_lapse(journal):
    journal.execute("INSERT INTO remind_items (key, kind, text, claimed_by, claimed_at) "
                    "VALUES ('ship:0:overdue', 'ship', 'x', 'dead-run', '2026-11-23T01:55:00Z')")
    out, _ = go(journal, "2026-11-23 10:00")      # 5 minutes after the claim: still held
    assert [i.key for i in out.sent] == ["ship:1:overdue", "ship:2:overdue"]
    out, _ = go(journal, "2026-11-23 10:06")      # 11 minutes: the claim lapsed
    assert [i.key for i in out.sent] == ["ship:0:overdue"]


def test_a_failed_send_leaves_items_unsent_for_the_next_run(journal):
    def fail(text, title):
        raise NotifyError("webhook http://x could not be reached (timed out)")

    with pytest.raises(NotifyError):
        go(journal, "2026-11-23 10:00", send=fail)
    assert journal.scalar("SELECT count(*) FROM remind_items WHERE sent_at IS NOT NULL") == 0
    assert journal.scalar("SELECT count(*) FROM remind_items WHERE claimed_by IS NOT NULL") == 0
    out, sent = go(journal, "2026-11-23 10:01")
    assert len(out.sent) == 3


def test_robot_rate_limit_holds_back_the_rest(journal):
    many = [Item(f"chase:{n}", "chase", "亲,订单待付款 " + "很长的说明" * 40, str(n))
            for n in range(90)]
    out, sent = go(journal, "2026-11-23 10:00", items=many, channel="wecom", limit=2048,
                   per_minute=20)
    assert len(sent) == 20 and all(len(m.encode()) <= 2048 for m in sent)
    assert out.held_back and len(out.sent) + len(out.held_back) == len(many)
    assert len(out.held_back) == len(many) - len(out.sent)
    out2, sent2 = go(journal, "2026-11-23 10:00:30", items=many, channel="wecom", limit=2048)
    assert sent2 == []                              # still the same minute
    out3, sent3 = go(journal, "2026-11-23 10:01:30", items=many, channel="wecom", limit=2048)
    assert len(out3.sent) == len(out.held_back) and sent3


def test_dry_run_records_nothing(journal):
    out, sent = go(journal, "2026-11-23 10:00", dry_run=True)
    assert sent == [] and len(out.messages) == 1
    assert journal.scalar("SELECT count(*) FROM remind_items") == 0


def test_cli_refuses_a_missing_journal(run, env, tmp_path):
    """A typo in the crontab's CSTOOL_DB is loud, never an empty journal that is never due."""
    typo = tmp_path / "srv" / "jounral.db"
    result = run(["--db", str(typo), "remind"])
    assert (result.exit_code, result.output) == (
        1, f"Error: no journal at {typo} — create it with: cstool init (or check CSTOOL_DB)\n")
    assert not typo.parent.exists()


def test_cli_webhook_needed(run, journal):
    result = run("remind --notify dingtalk")
    assert result.exit_code == 2 and "needs a webhook" in result.output


def test_secrets_are_masked_in_policy_show(run):
    run(["policy", "set", "remind.wecom_webhook",
         "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa"],
        check=0)
    run(["policy", "set", "remind.dingtalk_secret", "SEC1234567890abcdef"], check=0)
    shown = run("policy show", check=0).output
    assert "693a91f6" not in shown and "key=…5aaa" in shown
    assert "SEC1234567890abcdef" not in shown and "…cdef" in shown


def test_reading_english_back_compiles_only_the_patterns_it_may_match():
    """A remind run reads the handover items' stored English back into Chinese: each
    text is tried only against the messages whose literal pieces it holds, and finds the
    message the full, in-order search over every pattern would find."""
    import re
    from string import Formatter

    from cstool.core import i18n

    with i18n.using("zh"):
        known = i18n.catalog("en")._catalog
        msgids = [m for m in known if isinstance(m, str) and "{" in m and "\x04" not in m]
        texts = []
        for m in msgids[:200]:
            try:
                names = {n for _, n, _, _ in Formatter().parse(m) if n}
                texts.append(m.format(**{n: "7" for n in names}))
            except (ValueError, KeyError, IndexError):
                continue
        texts += ["not a message at all", "8 h late"]
        i18n._REREAD.clear()
        got = [i18n.reread(t) for t in texts]
        compiled = sum(1 for e in i18n._REREAD if not isinstance(e[1], str))
        assert 0 < compiled < len(i18n._REREAD) / 2
        every = [(e[0], re.compile(e[1] if isinstance(e[1], str) else e[1].pattern, re.S), e[3])
                 for e in i18n._REREAD]

        def eager(text, inner=False):  # every pattern compiled, tried in turn
            if text in known:
                return i18n.Message(text)
            for lit, p, m in every:
                if lit < 6 and not inner:
                    break
                found = p.fullmatch(text)
                if found:
                    return i18n.Message(m, **{k: eager(v, True)
                                              for k, v in found.groupdict().items()})
            return text

        for text, found in zip(texts, got):
            want = eager(text)
            assert (type(found), str(found), i18n.shown(found)) == \
                (type(want), str(want), i18n.shown(want)), text
        assert len(texts) > 100 and sum(isinstance(f, i18n.Message) for f in got) > 100
