"""Reminders for cron: what is due now, sent once, by one run at a time.

A run collects due items from each routine (chases in their window, ship
deadlines, exception steps, unacknowledged handover items), then, in one
short transaction, *claims* the items that were not sent within the
cool-down and that no other run is sending. It sends them message by
message, and records each message's items as sent the moment the robot
answers ok (one small transaction per message); what failed is released so
the next run retries. A second run that overlaps finds everything claimed
and exits quietly: never two sends. A crashed run's claims lapse after
CLAIM_MINUTES, so a run killed while a message was in flight repeats at most
that one message; every message before it is on record.

A dry run makes the same plan without writing: the messages it shows are
the ones a real run would send at that moment.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Callable, Optional

from cstool.app import routines
from cstool.core.clock import to_db
from cstool.core.contract import MAX_PER_KIND, Item
from cstool.core.i18n import N_, _, shown
from cstool.core.notify import split_lines

CLAIM_MINUTES = 10
# How a message names each kind, in the reader's language (a routine's kind outside this
# list keeps the label its declaration gives).
LABELS = {"chase": N_("Chase"), "ship": N_("Shipping"), "exception": N_("Exception"),
          "handover": N_("Handover")}


def labels() -> dict[str, str]:
    """Kind → how a message names it (``[催付]`` / ``[Chase]``)."""
    return {m.kind: _(LABELS[m.kind]) if m.kind in LABELS else m.label
            for m in routines.reminders()}


def line(item: Item, label: Optional[dict[str, str]] = None) -> str:
    """One item as a message line: ``[催付] …``."""
    return f"[{(label or labels()).get(item.kind, item.kind)}] {shown(item.text)}"


class Collected(list):
    """Every source's items; per kind, due items the caps left out and all due."""

    def __init__(self, items=(), cut: Optional[dict[str, int]] = None,
                 total: Optional[dict[str, int]] = None):
        super().__init__(items)
        self.cut: dict[str, int] = cut or {}
        self.total: dict[str, int] = total or {}


class Outcome:
    """What one run found and did."""

    def __init__(self, due: Optional[list[Item]] = None):
        self.due: list[Item] = due or []
        self.sent: list[Item] = []
        self.skipped = 0  # due, but sent within the cool-down or claimed by another run
        self.held_back: list[Item] = []  # over the robot's rate: next run
        self.messages: list[str] = []
        self.error: Optional[str] = None
        # why each due item is not in this run's messages (key -> reason); with dry_run
        # and every_item, also the items the routines hold and those over the cap
        self.held: dict[str, str] = {}
        # dry_run + every_item: due items the run's sources did not list (over the cap, in
        # their cool-down, held by their routine)
        self.unlisted: list[Item] = []
        self.more: dict[str, int] = {}  # per kind: due, not in the messages


def collect(ctx, sources: Optional[list[Callable]] = None, every_item: bool = False,
            skip: frozenset = frozenset()) -> Collected:
    """The due items of every source (``due(ctx, limit, held, skip)``; by default each
    routine's reminders), the most urgent of each kind; ``skip``: keys to leave out before
    that cap; ``every_item``: every item, with those a routine holds back (``Item.held``)."""
    items: list[Item] = []
    cut: dict[str, int] = {}
    total: dict[str, int] = {}
    seen = set()
    if sources is None:
        sources = [m.due for m in routines.reminders()]
    for due in sources:
        found = (due(ctx, limit=None, held=True, skip=frozenset()) if every_item
                 else due(ctx, limit=MAX_PER_KIND, held=False, skip=skip))
        for item in found:
            if item.key not in seen:
                seen.add(item.key)
                items.append(item)
        if getattr(found, "cut", 0) and found:
            kind = found[0].kind
            cut[kind] = cut.get(kind, 0) + found.cut
            total[kind] = total.get(kind, 0) + found.total
    return Collected(items, cut, total)


def _why_not(row, now, cooldown_from: str, lease_from: str, clock) -> Optional[str]:
    """Why an item with this remind_items row is not sent now, or None."""
    if row is None:
        return None
    if row["sent_at"] and row["sent_at"] > cooldown_from:
        until = clock.local(row["sent_at"]) + (now - clock.local(cooldown_from))
        return _("cool-down until {until} (sent {sent}, remind_cooldown_hours)").format(
            until=f"{until:%H:%M}", sent=clock.short(row["sent_at"])[5:])
    if row["claimed_by"] and row["claimed_at"] and row["claimed_at"] > lease_from:
        return _("being sent by another run since {since} (its claim lapses after {n} "
                 "minutes)").format(since=clock.short(row["claimed_at"])[11:], n=CLAIM_MINUTES)
    return None


def _resting(journal, cooldown_from: str, lease_from: str) -> frozenset:
    """Keys sent within the cool-down or claimed by a live run: not to be sent now."""
    return frozenset(r[0] for r in journal.query(
        "SELECT key FROM remind_items WHERE sent_at > ? OR claimed_at > ?",
        [cooldown_from, lease_from]))


def _row(journal, key: str):
    return journal.one("SELECT sent_at, claimed_by, claimed_at FROM remind_items WHERE key = ?",
                       [key])


def _judge(journal, items: list[Item], now, clock, cooldown_from: str,
           lease_from: str) -> tuple[list[Item], dict[str, str]]:
    """The items to send now, and why each other one is not (without writing)."""
    ok, held = [], {}
    for item in items:
        if item.held:
            held[item.key] = item.held
            continue
        why = _why_not(_row(journal, item.key), now, cooldown_from, lease_from, clock)
        if why:
            held[item.key] = why
        else:
            ok.append(item)
    return ok, held


def _claim(journal, items: list[Item], run_id: str, now_db: str, now, clock,
           cooldown_from: str, lease_from: str) -> tuple[list[Item], dict[str, str]]:
    """Claim the items no one sent within the cool-down and no other run is sending."""
    with journal.write():
        claimed, held = _judge(journal, items, now, clock, cooldown_from, lease_from)
        journal.conn.executemany(
            "INSERT INTO remind_items (key, kind, order_id, text, claimed_by, claimed_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            "text = excluded.text, claimed_by = excluded.claimed_by, "
            "claimed_at = excluded.claimed_at",
            [(i.key, i.kind, i.order_id, i.text, run_id, now_db) for i in claimed])
    return claimed, held


def _release(journal, items: list[Item], run_id: str) -> None:
    with journal.write():
        journal.conn.executemany(
            "UPDATE remind_items SET claimed_by = NULL, claimed_at = NULL "
            "WHERE key = ? AND claimed_by = ?", [(i.key, run_id) for i in items])


def _mark_sent(journal, items: list[Item], run_id: str, channel: str, now_db: str,
               message: str) -> None:
    """Record one message's items as sent: called the moment the robot answered ok."""
    with journal.write():
        journal.conn.executemany(
            "UPDATE remind_items SET claimed_by = NULL, claimed_at = NULL, sent_at = ?, "
            "channel = ?, sends = sends + 1 WHERE key = ?",
            [(now_db, channel, i.key) for i in items])
        journal.execute(
            "INSERT INTO remind_messages (channel, run_id, items, bytes, sent_at) VALUES (?, ?, ?, ?, ?)",
            [channel, run_id, len(items), len(message.encode()), now_db])


def _budget(journal, channel: str, now, per_minute: int) -> int:
    since = to_db(now - timedelta(minutes=1))
    used = journal.scalar("SELECT count(*) FROM remind_messages WHERE channel = ? AND sent_at > ?",
                          [channel, since])
    return max(per_minute - used, 0)


def _unlisted(due: Collected, sent: list[Item]) -> dict[str, int]:
    """For each kind whose cap left items out, every due item of the kind that this
    run's messages do not carry."""
    counts = {}
    for kind, total in due.total.items():
        n = total - sum(1 for i in sent if i.kind == kind)
        if due.cut.get(kind) and n > 0:
            counts[kind] = n
    return counts


def _unlisted_lines(due: Collected, sent: list[Item]) -> list[str]:
    """``还有 N 单未列出: cstool chase due``: nothing dropped without a word."""
    commands = {m.kind: m.command for m in routines.reminders()}
    return [_("{n} more not listed: {command}").format(
        n=n, command=commands.get(kind, "cstool " + kind)) for kind, n in _unlisted(due, sent).items()]


def _plan(due: Collected, items: list[Item], budget: int, limit: int, title: str):
    """The messages to send now (items, text), the items held back by the rate, and the
    lines saying what the messages leave out (appended to the last message sent)."""
    reserve = sum(len(line.encode()) + 1 for line in _unlisted_lines(due, []))
    groups = _group(items, max(limit - reserve, 256), title)
    now_groups, later = groups[:budget], [i for its, _ in groups[budget:] for i in its]
    sent = [i for its, _ in now_groups for i in its]
    tail = _unlisted_lines(due, sent)
    if now_groups and tail:
        its, msg = now_groups[-1]
        now_groups[-1] = (its, msg + "\n" + "\n".join(tail))
    return now_groups, later


def run(ctx, *, channel: str = "stdout",
        send: Optional[Callable[[str, str], None]] = None, limit: Optional[int] = None,
        per_minute: int = 20, sources: Optional[list] = None, dry_run: bool = False,
        every_item: bool = False, run_id: Optional[str] = None) -> Outcome:
    """One reminder run. ``send(text, title)`` delivers one message (raises on failure).

    For stdout, ``send`` is the printer; messages are split by ``limit`` bytes
    for the robots. ``dry_run`` plans the same run without claiming, sending or
    recording: ``messages`` are what a real run would send now, ``held`` why each
    other due item is not in them (with ``every_item``: every item due, including
    those the routines hold and those over a kind's cap, in ``unlisted``).
    """
    journal, clock, policy = ctx.journal, ctx.clock, ctx.policy
    now = clock.now()
    now_db = to_db(now)
    cooldown_from = to_db(now - timedelta(hours=policy.get("remind_cooldown_hours")))
    lease_from = to_db(now - timedelta(minutes=CLAIM_MINUTES))
    due = collect(ctx, sources, skip=_resting(journal, cooldown_from, lease_from))
    out = Outcome(due=[i for i in due if not i.held])
    if dry_run and every_item:
        _every_item(out, ctx, sources, due, now, cooldown_from, lease_from)
    if not due:
        return out
    title = _("cstool reminders {time}").format(time=f"{now:%Y-%m-%d %H:%M}")
    limit = limit or 1 << 30
    budget = per_minute if channel == "stdout" else _budget(journal, channel, now, per_minute)
    if dry_run:
        ready, held = _judge(journal, list(due), now, clock, cooldown_from, lease_from)
        out.held.update(held)
        out.skipped = sum(1 for i in due if i.key in held and not i.held)
        groups, later = _plan(due, ready, budget, limit, title)
        out.messages = [msg for _, msg in groups]
        out.sent = [i for its, _ in groups for i in its]  # would be sent
        _held_back(out, later)
        out.more = _unlisted(due, out.sent)
        return out
    run_id = run_id or f"{os.getpid()}-{now_db}"
    claimed, held = _claim(journal, list(due), run_id, now_db, now, clock, cooldown_from,
                           lease_from)
    out.held.update(held)
    out.skipped = sum(1 for i in due if i.key in held and not i.held)
    if not claimed:
        return out
    groups, later = _plan(due, claimed, budget, limit, title)
    _held_back(out, later)
    try:
        for items, message in groups:
            send(message, title)
            # on record at once: a crash later in the run can repeat only the message in flight
            _mark_sent(journal, items, run_id, channel, now_db, message)
            out.sent.extend(items)
            out.messages.append(message)
    except Exception as e:
        out.error = str(e)
        raise
    finally:
        unsent = [i for i in claimed if i not in set(out.sent)]
        if unsent:
            _release(journal, unsent, run_id)
    out.more = _unlisted(due, out.sent)
    return out


def _held_back(out: Outcome, later: list[Item]) -> None:
    out.held_back = later
    for i in later:
        out.held[i.key] = _("held back by the robot's rate limit (20 messages a minute): "
                            "next run")


def _group(items: list[Item], limit: int, title: str) -> list[tuple[list[Item], str]]:
    """Messages of at most ``limit`` bytes, with the items each one carries; each ends
    with the commands to run next (``下一步: cstool chase due · cstool shipcheck``)."""
    if not items:
        return []
    label = labels()
    commands = {m.kind: m.command for m in routines.reminders()}

    def nexts(batch: list[Item]) -> str:
        return _("Next: {commands}").format(commands=" · ".join(
            dict.fromkeys(commands.get(i.kind, "cstool " + i.kind) for i in batch)))

    groups: list[tuple[list[Item], str]] = []
    k = 0
    # room for the longest "next" line a message could end with
    reserve = len(nexts(items).encode()) + 1
    for chunk in split_lines([line(i, label) for i in items], limit - reserve, title):
        batch, k = items[k:k + len(chunk)], k + len(chunk)
        groups.append((batch, "\n".join(([title] if title else []) + chunk + [nexts(batch)])))
    n = len(groups)
    if n > 1:
        groups = [(its, msg.replace(title, f"{title} ({k}/{n})", 1))
                  for k, (its, msg) in enumerate(groups, 1)]
    return groups


def _every_item(out: Outcome, ctx, sources, due: Collected, now,
                cooldown_from: str, lease_from: str) -> None:
    """For a dry run's full listing: every due item, with the routines' held ones."""
    journal, clock = ctx.journal, ctx.clock
    listed = {i.key for i in due}
    everything = collect(ctx, sources, every_item=True)
    for item in everything:
        if item.key not in listed:
            out.unlisted.append(item)
            out.held[item.key] = item.held or _why_not(
                _row(journal, item.key), now, cooldown_from, lease_from, clock) or (
                _("not listed: over {n} {kind} lines a run (the most urgent go first; the next "
                  "run lists them)").format(n=MAX_PER_KIND, kind=labels().get(item.kind, item.kind)))
