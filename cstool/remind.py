"""Reminders for cron: what is due now, sent once, by one run at a time.

A run collects due items from each routine (chases in their window, ship
deadlines, exception steps, unacknowledged handover items), then, in one
short transaction, *claims* the items that were not sent within the
cool-down and that no other run is sending. It sends, then records what was
sent; what failed is released so the next run retries. A second run that
overlaps finds everything claimed and exits quietly: never two sends.
A crashed run's claims lapse after CLAIM_MINUTES.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable, Optional

from cstool.clock import to_db

CLAIM_MINUTES = 10

# "module:function" returning a list of Item; a module not present is skipped.
SOURCES = [
    "cstool.remind:chase_items",
    "cstool.remind:ship_items",
    "cstool.remind:exception_items",
    "cstool.remind:handover_items",
]

KIND_LABEL = {"chase": "催付", "ship": "发货", "exception": "异常件", "handover": "交接"}


@dataclass(frozen=True)
class Item:
    key: str          # stable for the same thing to do: the cool-down is per key
    kind: str         # chase | ship | exception | handover
    text: str         # one line an agent can act on
    order_id: Optional[str] = None

    def __post_init__(self) -> None:
        # What goes to a group chat never carries a buyer's phone or address.
        from cstool.mask import mask_text

        object.__setattr__(self, "text", mask_text(self.text))

    def line(self) -> str:
        return f"[{KIND_LABEL.get(self.kind, self.kind)}] {self.text}"


@dataclass
class Outcome:
    due: list[Item] = field(default_factory=list)
    sent: list[Item] = field(default_factory=list)
    skipped: int = 0            # due, but sent within the cool-down or claimed by another run
    held_back: list[Item] = field(default_factory=list)  # over the robot's rate: next run
    messages: list[str] = field(default_factory=list)
    error: Optional[str] = None


def collect(journal, clock, policy, sources: Optional[list] = None) -> list[Item]:
    items: list[Item] = []
    seen = set()
    for ref in sources if sources is not None else SOURCES:
        fn = ref
        if isinstance(ref, str):
            module, _, name = ref.partition(":")
            try:
                fn = getattr(importlib.import_module(module), name)
            except (ImportError, AttributeError):
                continue
        for item in fn(journal, clock, policy):
            if item.key not in seen:
                seen.add(item.key)
                items.append(item)
    return items


def _claim(journal, items: list[Item], run_id: str, now_db: str, cooldown_from: str,
           lease_from: str) -> tuple[list[Item], int]:
    """Claim the items no one sent within the cool-down and no other run is sending."""
    claimed, skipped = [], 0
    with journal.write():
        for item in items:
            row = journal.one("SELECT sent_at, claimed_by, claimed_at FROM remind_items WHERE key = ?",
                              [item.key])
            if row is not None:
                if row["sent_at"] and row["sent_at"] > cooldown_from:
                    skipped += 1
                    continue
                if row["claimed_by"] and row["claimed_at"] and row["claimed_at"] > lease_from:
                    skipped += 1
                    continue
            journal.execute(
                "INSERT INTO remind_items (key, kind, order_id, text, claimed_by, claimed_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                "text = excluded.text, claimed_by = excluded.claimed_by, "
                "claimed_at = excluded.claimed_at",
                [item.key, item.kind, item.order_id, item.text, run_id, now_db])
            claimed.append(item)
    return claimed, skipped


def _release(journal, items: list[Item], run_id: str) -> None:
    with journal.write():
        journal.conn.executemany(
            "UPDATE remind_items SET claimed_by = NULL, claimed_at = NULL "
            "WHERE key = ? AND claimed_by = ?", [(i.key, run_id) for i in items])


def _mark_sent(journal, items: list[Item], run_id: str, channel: str, now_db: str,
               message: str) -> None:
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


def run(journal, clock, policy, *, channel: str = "stdout",
        send: Optional[Callable[[str, str], None]] = None, limit: Optional[int] = None,
        per_minute: int = 20, sources: Optional[list] = None, dry_run: bool = False,
        run_id: Optional[str] = None) -> Outcome:
    """One reminder run. ``send(text, title)`` delivers one message (raises on failure).

    For stdout, ``send`` is the printer; messages are split by ``limit`` bytes
    for the robots. ``dry_run`` collects and renders without claiming or recording.
    """
    from cstool.notify import split_message

    now = clock.now()
    now_db = to_db(now)
    out = Outcome(due=collect(journal, clock, policy, sources))
    if not out.due:
        return out
    title = f"cstool 提醒 {now:%Y-%m-%d %H:%M}"
    if dry_run:
        out.messages = split_message([i.line() for i in out.due], limit or 1 << 30, title)
        return out
    run_id = run_id or f"{os.getpid()}-{now_db}"
    cooldown = timedelta(hours=policy.get("remind_cooldown_hours"))
    claimed, out.skipped = _claim(journal, out.due, run_id, now_db, to_db(now - cooldown),
                                  to_db(now - timedelta(minutes=CLAIM_MINUTES)))
    if not claimed:
        return out
    budget = per_minute if channel == "stdout" else _budget(journal, channel, now, per_minute)
    groups = _group(claimed, limit or 1 << 30, title)
    try:
        for n, (items, message) in enumerate(groups):
            if n >= budget:
                out.held_back.extend(items)
                continue
            send(message, title)
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
    return out


def _group(items: list[Item], limit: int, title: str) -> list[tuple[list[Item], str]]:
    """Messages of at most ``limit`` bytes, with the items each one carries."""
    from cstool.notify import split_message

    groups: list[tuple[list[Item], str]] = []
    batch: list[Item] = []
    for item in items:
        trial = split_message([i.line() for i in batch + [item]], limit, title)
        if batch and len(trial) > 1:
            groups.append((batch, split_message([i.line() for i in batch], limit, title)[0]))
            batch = []
        batch.append(item)
    if batch:
        groups.append((batch, split_message([i.line() for i in batch], limit, title)[0]))
    n = len(groups)
    if n > 1:
        groups = [(its, msg.replace(title, f"{title} ({k}/{n})", 1))
                  for k, (its, msg) in enumerate(groups, 1)]
    return groups


# --- sources: each routine's "due now", as reminder items ------------------------------

MAX_PER_KIND = 30  # a reminder is read by people: the most urgent first, the rest next run


def _masked(value) -> str:
    from cstool.values import reveal_or_mask

    return "" if value is None else str(reveal_or_mask(value, False))


def chase_items(journal, clock, policy) -> list[Item]:
    """Unpaid orders to chase now, by the channel open now (most valuable first)."""
    from cstool import chase

    items = []
    for row in chase.due(journal, clock, policy, limit=MAX_PER_KIND):
        items.append(Item(
            key=f"chase:{row['order_id']}:{row['attempts']}", kind="chase",
            order_id=row["order_id"],
            text=(f"{row['order_id']} {row['buyer'] or ''} ¥{row['amount']} 未付款 "
                  f"{row['unpaid_minutes']} 分钟, 现在用 {chase.CHANNEL.label(row['channel'])} 催付")))
    return items


def handover_items(journal, clock, policy) -> list[Item]:
    """Handover items still without a receipt after the policy's hour on the next day."""
    from cstool import handover
    from cstool.policy import window_bounds

    now = clock.now()
    ack_by, _ = window_bounds(policy.get("remind_handover_ack_by") + "-24:00")
    if now.hour * 60 + now.minute < ack_by:
        return []
    cutoff = to_db(clock.start_of(clock.today()))
    items = []
    for it in handover.open_items(journal):
        if it["created_at"] >= cutoff:
            continue  # today's items: the shift is still on them
        label = handover.CATEGORY.label(it["category"])
        who = " ".join(x for x in (it["buyer"], it["order_id"]) if x)
        items.append(Item(
            key=f"handover:{it['id']}", kind="handover", order_id=it["order_id"],
            text=(f"#{it['id']} {label} {who}: {_masked(it['problem'])}"
                  + (f" → {_masked(it['todo'])}" if it["todo"] else "") + " (未回执)")))
        if len(items) >= MAX_PER_KIND:
            break
    return items


def exception_items(journal, clock, policy) -> list[Item]:
    """Abnormal-shipment cases whose next step is due now (most overdue first)."""
    from cstool import exceptions
    from cstool.playbooks import KIND

    items = []
    for d in exceptions.due_steps(journal, clock)[:MAX_PER_KIND]:
        late = f"已超时 {-d['hours_left']:.0f} 小时" if d["overdue"] else "到期"
        items.append(Item(
            key=f"exception:{d['id']}:{d['step']}", kind="exception", order_id=d["order_id"],
            text=(f"#{d['id']} {KIND.label(d['kind'])} {d['order_id']} {d['buyer'] or ''}: "
                  f"{d['next_step']} ({late}, {d['agent'] or ''})")))
    return items


def ship_items(journal, clock, policy) -> list[Item]:
    """Paid orders past or near the ship deadline, and holds whose date has come."""
    from cstool import shipcheck

    label = {"overdue": "已超时", "due_soon": "将超时", "hold_due": "挂起到期"}
    return [Item(key=f"ship:{r['order_id']}:{r['check']}", kind="ship", order_id=r["order_id"],
                 text=f"{label.get(r['check'], r['check'])} {r['order_id']} {r['buyer'] or ''}: "
                      f"{r['detail']}")
            for r in shipcheck.check(journal, clock, policy, limit=MAX_PER_KIND)]
