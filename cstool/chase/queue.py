"""The chase queue (催付): who to chase now, on which channel, with which message.

The manuals (domain.md §2): an order unpaid five minutes after it was placed
is due for a chase; chat at once, phone inside its hours, bulk SMS in
campaigns; never chase anyone twice, and remark the order (``2015.03.09
郑婷已催付``, then what the buyer said) so colleagues know.

:func:`due` is the queue: unpaid orders past the grace period, not chased
within the cool-down, not brushing, most valuable first, each with the
channel to use now and the message to send; ``cstool remind`` reuses it.
Here too: the channels' words, the message templates, the channels' hours,
when a buyer's promise falls due, and an order's chase :func:`history`
(our own log and the chase remarks imports bring from the platform's memo).
Logging a chase is :mod:`cstool.chase.log`, conversion :mod:`cstool.chase.stats`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Optional

from cstool.chase.promises import promise_due  # noqa: F401 (log's name for it)
from cstool.core import text as typed
from cstool.core.clock import from_db, to_db
from cstool.core.errors import BadUsage, InputError
from cstool.core.i18n import M_
from cstool.core.orders import created as created_value
from cstool.core.values import AtMost, Instant, Money, Phone, format_money
from cstool.core.vocab import Vocabulary
from cstool.core.where import Where

CHANNEL = Vocabulary("chase channel", {
    "wangwang": ["旺旺", "旺旺留言", "千牛", "chat", "聊天"],
    "phone": ["电话", "打电话", "电话催付", "call"],
    "sms": ["短信", "群发短信", "text"],
    "remind": ["提醒付款", "提示付款", "催付按钮"],
    "pdd_chat": ["拼多多聊天", "商家客服", "多多客服", "拼多多客服"],
    "feige": ["飞鸽", "飞鸽客服", "抖店客服"],
    "dongdong": ["咚咚", "京东咚咚", "京麦"],
    "youzan_chat": ["有赞客服", "有赞聊天"],
})
# Each platform's own chat with its buyers. In a channel sequence, a chat window key
# (chase_windows.wangwang) or --channel, any chat stands for the order's platform's.
PLATFORM_CHAT = {"taobao": "wangwang", "pdd": "pdd_chat", "douyin": "feige", "jd": "dongdong",
                 "youzan": "youzan_chat"}
CHATS = frozenset(PLATFORM_CHAT.values())
CHAT = "wangwang"  # how the policy names chat (its keys predate the other platforms)


def platform_channel(channel: str, platform: Optional[str]) -> str:
    """The channel as used on an order of ``platform``: a chat is that platform's chat."""
    if channel in CHATS:
        return PLATFORM_CHAT.get(platform or "taobao", CHAT)
    return channel


def policy_channel(channel: str) -> str:
    """The channel as the policy's sequence and windows name it (every chat is ``wangwang``)."""
    return CHAT if channel in CHATS else channel
RESULT = Vocabulary("chase result", {
    "promised": ["答应付款", "承诺付款", "会付款"],
    "no_answer": ["未回复", "没回复", "未接", "无人接听", "不在线"],
    "declined": ["不要了", "不买了", "拒绝"],
    "paid": ["已付款", "付了"],
    "other": ["其他", "其它"],
})
REASON = Vocabulary("unpaid reason", {
    "comparing": ["对比", "考虑", "对比其他产品", "再看看"],
    "too_expensive": ["太贵", "价格太贵", "嫌贵"],
    "balance": ["余额不足", "支付受限", "额度不够"],
    "payment_tool": ["支付工具", "支付工具问题", "U盾", "证书"],
    "other": ["其他", "其它"],
})


# Statuses after payment; a closed order counts as paid when it has a payment time.

def parse_channels(value: Any) -> list[str]:
    """``wangwang,phone,remind`` (Chinese accepted, or a JSON list) → canonical channels."""
    out = CHANNEL.many(typed.split_list(value, "channels", r"[,，;\s>→]+"))
    if not out:
        raise InputError(M_("name at least one channel: {choices}", choices=CHANNEL.choices()))
    return out


# --- message templates ------------------------------------------------------------

DEFAULT_TEMPLATES = {
    "wangwang": "亲,您好呀~ 看到您{day}拍下的「{item}」还没有付款,是遇到什么问题了吗?"
                "宝贝现在有货,每天{cutoff}前付款的订单当天就能发出哦。有任何疑问随时找我~",
    "phone": "您好,请问是{buyer}吗?我是{shop}的客服,看到您{day}拍的「{item}」还没有付款,"
             "想问问是不是付款时遇到了什么问题,需要帮忙吗?每天{cutoff}前付款的订单当天就能发货哦。"
             "(对方不方便就道歉并礼貌挂断;挂断后点“提醒付款”,再旺旺留言)",
    "sms": "【{shop}】亲,您{day}拍下的「{item}」还未付款,宝贝已为您留好,"
           "每天{cutoff}前付款当天发货。有疑问可{chat}联系我们,祝您生活愉快~",
    "remind": "",
}
DEFAULT_TEMPLATES["phone"] = DEFAULT_TEMPLATES["phone"].replace("再旺旺留言", "再{chat}留言")
for _chat in ("pdd_chat", "feige", "dongdong", "youzan_chat"):
    DEFAULT_TEMPLATES[_chat] = DEFAULT_TEMPLATES["wangwang"]
# Placeholder → its Chinese alias; templates may use either.
PLACEHOLDERS = {"buyer": "买家", "item": "宝贝", "amount": "金额", "cutoff": "截单时间",
                "day": "下单日", "shop": "店铺", "chat": "聊天工具"}
ITEM_CHARS = 20


def check_template(text: str) -> str:
    """The template if every ``{placeholder}`` is known; InputError naming the bad one."""
    import string

    allowed = set(PLACEHOLDERS) | set(PLACEHOLDERS.values())
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as e:
        raise BadUsage(M_("template {text}: {e} (write {{{{ and }}}} for literal braces)",
                          text=repr(text), e=e)) from None
    for f in fields:
        if f not in allowed:
            names = ", ".join(f"{{{k}}}/{{{v}}}" for k, v in PLACEHOLDERS.items())
            raise BadUsage(M_("template: unknown placeholder {{{f}}}; use {names}", f=f,
                              names=names))
    return text


def templates(journal) -> dict[str, str]:
    """Channel → template text: the shop's own, else the default."""
    out = dict(DEFAULT_TEMPLATES)
    for r in journal.query("SELECT channel, text FROM chase_templates"):
        out[r[0]] = r[1]
    return out


def template_rows(journal) -> list[dict]:
    stored = {r["channel"]: r for r in journal.query("SELECT * FROM chase_templates")}
    rows = []
    for c in CHANNEL.values:
        s = stored.get(c)
        rows.append({"channel": c, "text": s["text"] if s else DEFAULT_TEMPLATES[c],
                     "source": "set" if s else "default", "set_by": s["set_by"] if s else None,
                     "set_at": Instant(s["set_at"]) if s else None})
    return rows


def set_template(ctx, channel: str, template: str) -> dict:
    """The shop's own message for ``channel``, set by ``ctx.agent``."""
    journal = ctx.journal
    channel = CHANNEL(channel)
    check_template(template)
    with journal.write():
        journal.execute(
            "INSERT INTO chase_templates (channel, text, set_by, set_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (channel) DO UPDATE SET text = excluded.text, set_by = excluded.set_by, "
            "set_at = excluded.set_at", [channel, template, ctx.agent, ctx.now_db()])
    return next(r for r in template_rows(journal) if r["channel"] == channel)


def reset_template(ctx, channel: str) -> dict:
    journal = ctx.journal
    channel = CHANNEL(channel)
    with journal.write():
        journal.execute("DELETE FROM chase_templates WHERE channel = ?", [channel])
    return next(r for r in template_rows(journal) if r["channel"] == channel)


def _day_word(created_local: datetime, today) -> str:
    days = (today - created_local.date()).days
    return {0: "今天", 1: "昨天", 2: "前天"}.get(days, f"{created_local.month}月{created_local.day}日")


def render(template: str, values: dict[str, str]) -> Optional[str]:
    """The message for one order; None when the channel sends no text of ours."""
    if not template:
        return None
    both = {**values, **{PLACEHOLDERS[k]: v for k, v in values.items()}}
    return template.format_map(both)


def message_values(order: dict, sent_at: datetime, policy) -> dict[str, str]:
    """Placeholder values for one order (``policy``: as its shop reads it); ``sent_at``
    (aware) words the day (今天, 昨天)."""
    item = (order.get("item_title") or "宝贝").strip()
    if len(item) > ITEM_CHARS:
        item = item[:ITEM_CHARS] + "…"
    created = order["created_at"]
    if isinstance(created, str):
        created = from_db(created)
    return {"buyer": order.get("buyer") or "亲", "item": item,
            "amount": format_money(order["amount_fen"]) or "",
            "cutoff": policy.get("same_day_cutoff"),
            "day": _day_word(created.astimezone(sent_at.tzinfo), sent_at.date()),
            "shop": policy.label() or "本店",
            "chat": CHANNEL.label(platform_channel(CHAT, order.get("platform")))}


# --- windows ----------------------------------------------------------------------


def _bounds(windows: list[str]) -> list[tuple[int, int]]:
    return sorted(typed.window_bounds(w) for w in windows)


def next_open(bounds: list[tuple[int, int]], t: datetime) -> Optional[datetime]:
    """The first moment at or after ``t`` (shop-local) inside one of the windows."""
    if not bounds:
        return None
    for d in range(8):
        day = t.date() + timedelta(days=d)
        midnight = datetime(day.year, day.month, day.day, tzinfo=t.tzinfo)
        for a, b in bounds:
            start, end = midnight + timedelta(minutes=a), midnight + timedelta(minutes=b)
            if start <= t < end:
                return t
            if start > t:
                return start
    return None


# --- an order's chase history -----------------------------------------------------


class History:
    """What the journal knows about chasing one order."""

    __slots__ = ("log", "remarks", "attempts", "last_at", "last_by", "last_channel",
                 "used", "stop", "promise_due_at")

    def __init__(self) -> None:
        self.log: list = []
        # (when it happened, author, text, the time it states)
        self.remarks: list[tuple[str, Optional[str], str, str]] = []
        self.attempts = 0
        self.last_at: Optional[str] = None
        self.last_by: Optional[str] = None
        self.last_channel: Optional[str] = None
        self.used: set[str] = set()
        self.stop: Optional[str] = None
        self.promise_due_at: Optional[str] = None

    def last_words(self, tz) -> str:
        """``倩 at 2026-11-23 14:31 on 旺旺``, for messages."""
        when = from_db(self.last_at).astimezone(tz).strftime("%Y-%m-%d %H:%M")
        how = f" on {CHANNEL.label(self.last_channel)}" if self.last_channel else " (memo remark)"
        return f"{self.last_by or 'someone'} at {when}{how}"


EMPTY = History()


def _remark_time(at: Optional[str], recorded: str, tz) -> str:
    """When an imported chase remark happened, as best the journal can tell.

    ``2015.03.09 郑婷已催付`` has a date and no time; taking midnight would let
    the same order be chased again that afternoon. A date-only remark counts
    as the end of its day, but never later than the import that brought it.
    """
    if not at:
        return recorded
    local = from_db(at).astimezone(tz)
    if (local.hour, local.minute, local.second) != (0, 0, 0):
        return at
    end = to_db(local + timedelta(days=1) - timedelta(seconds=1))
    return min(end, recorded)


def history(journal, order_id: str, tz, platform: str = "taobao") -> History:
    log = journal.query(
        "SELECT * FROM chases WHERE order_id = ? AND platform = ? ORDER BY at, id",
        [order_id, platform])
    remarks = journal.query(
        "SELECT at, created_at, author, text FROM remarks WHERE order_id = ? "
        "AND platform = ? AND kind = 'chase' AND source <> 'chase' ORDER BY id",
        [order_id, platform])
    return _history(log, remarks, tz)


def histories(journal, keys, tz) -> dict[tuple[str, str], History]:
    """:func:`history` of each ``(order_id, platform)``, in two queries (none for none)."""
    if not keys:
        return {}
    import json  # start-up: an idle remind has no order to read

    keys = json.dumps([list(k) for k in keys])
    pick = "(order_id, platform) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))"
    logs: dict[tuple[str, str], list] = {}
    for r in journal.query(f"SELECT * FROM chases WHERE {pick} ORDER BY at, id", [keys]):
        logs.setdefault((r["order_id"], r["platform"]), []).append(r)
    remarks: dict[tuple[str, str], list] = {}
    for r in journal.query(
            "SELECT order_id, platform, at, created_at, author, text FROM remarks "
            f"WHERE {pick} AND kind = 'chase' AND source <> 'chase' ORDER BY id", [keys]):
        remarks.setdefault((r["order_id"], r["platform"]), []).append(r)
    return {tuple(k): _history(logs.get(tuple(k), []), remarks.get(tuple(k), []), tz)
            for k in json.loads(keys)}


def _history(log: list, remarks: list, tz) -> History:
    h = History()
    h.log = log
    for r in remarks:
        h.remarks.append((_remark_time(r["at"], r["created_at"], tz), r["author"], r["text"],
                          r["at"] or r["created_at"]))
    log_days = set()
    for r in h.log:
        log_days.add(from_db(r["at"]).astimezone(tz).date())
        h.used.add(policy_channel(r["channel"]))
        if r["result"] in ("declined", "paid"):
            h.stop = r["result"]
        if h.last_at is None or r["at"] >= h.last_at:
            h.last_at, h.last_by, h.last_channel = r["at"], r["agent"], r["channel"]
    if h.log:
        last = h.log[-1]
        h.promise_due_at = last["promise_due_at"] if last["result"] == "promised" else None
    # A memo remark on a day the log already covers is the same chase, pasted back.
    remark_days = set()
    last_logged = h.log[-1]["at"] if h.log else ""
    for at, author, text, stated in h.remarks:
        remark_days.add(from_db(at).astimezone(tz).date())
        if h.last_at is None or at > h.last_at:
            h.last_at, h.last_by, h.last_channel = at, author, None
        # "2015.03.09 顾客明天下午付款" written by hand: the same promise as a logged one.
        # A memo grows line by line; its last answer is the one that holds.
        _, customer, said = text.rpartition("顾客")
        said = said.split("\n", 1)[0]
        if customer and said and at > last_logged:
            due_at = promise_due(said, from_db(stated).astimezone(tz))
            if due_at is not None:
                due_db = to_db(due_at)
                h.promise_due_at = max(h.promise_due_at or "", due_db)
    h.attempts = len(h.log) + len(remark_days - log_days)
    return h


# --- the queue ----------------------------------------------------------------------

QUEUE_COLUMNS = ("order_id", "buyer", "amount", "unpaid_minutes", "attempts", "last_chased_at",
                 "channel", "message")


def _loosest(policy, key: str, pick) -> Any:
    """The journal's value of ``key`` or a shop's, whichever ``pick`` (min, max) chooses:
    the SQL selects as widely as any shop's rule, each order is judged by its own shop's."""
    return pick([policy.get(key), *policy.overrides(key).values()])


_LOGGED = ("EXISTS (SELECT 1 FROM chases c WHERE c.order_id = o.order_id "
           "AND c.platform = o.platform)")
# (the chase remarks' own index: the planner would take the order's every remark instead)
_REMARKED = ("EXISTS (SELECT 1 FROM remarks r INDEXED BY remarks_chase "
             "WHERE r.order_id = o.order_id AND r.platform = o.platform AND r.kind = 'chase')")
_OWNER = ("(SELECT h.owner FROM holds h WHERE h.order_id = o.order_id AND h.platform = o.platform "
          "AND h.released_at IS NULL AND h.kind = 'owner' ORDER BY h.id DESC LIMIT 1)")


def due_query(now: datetime, policy, all_: bool = False, scope: Any = None,
              touched: bool = False) -> tuple[str, list]:
    """The queue's SQL: unpaid, not brushing orders in age range (of any shop's rules),
    in scope, most valuable first; ``touched``: only those a chase touched (a log, or a
    chase remark from the memo), in no order — the ones a count judges one by one."""
    params = [to_db(now - timedelta(hours=_loosest(policy, "chase_max_age_hours", max)))]
    young = " AND o.created_at <= ?"
    if all_ and not touched:
        params.append(to_db(now))
    else:
        grace = _loosest(policy, "unpaid_grace_minutes", min)
        params.append(to_db(now - timedelta(minutes=grace)))
    w = Where().scope(scope, orders="o")
    # the listing is walked in the queue's order, so that a limited one stops at its last
    # row (the planner would rather search the age range in orders_unpaid_by_created and
    # sort all of it)
    source = "orders o" if touched else "orders o INDEXED BY orders_unpaid_queue"
    sql = (
        "SELECT o.order_id, o.platform, o.shop, o.buyer, "
        "coalesce(o.total_fen, o.paid_fen) AS amount_fen, "
        f"o.created_at, o.item_title, o.receiver_phone, {_LOGGED} AS logged, "
        f"{_REMARKED} AS remarked, {_OWNER} AS owner "
        f"FROM {source} "
        "WHERE o.status = 'unpaid' AND o.brushing = 0 AND o.created_at > ?" + young + w.also())
    if touched:  # (``chased``: kept by triggers, m0091)
        return f"{sql} AND o.chased = 1", params + w.params
    return (sql + " ORDER BY coalesce(o.total_fen, o.paid_fen) DESC, o.created_at, o.order_id",
            params + w.params)


def _untouched_count(now: datetime, rules: _Rules, scope: Any, shops: Optional[list],
                     agent: Optional[str]) -> tuple[str, list]:
    """Count the orders no chase touched that are due now under one shop's ``rules``
    (``shops``: those shops; None: every shop but the ones listed apart, see
    :func:`_count_due`). Each starts now, so it is due when a channel is open now. Read
    from the unpaid orders' index by age, which says whether a chase touched an order
    (``chased``, m0091) and whether it has a hold (``held``, m0088)."""
    w = Where().scope(scope, orders="o")
    sql = ("SELECT count(*) FROM orders o WHERE o.status = 'unpaid' AND o.brushing = 0 "
           "AND o.created_at > ? AND o.created_at <= ? AND o.chased = 0 "
           f"AND (o.held = 0 OR coalesce(nullif({_OWNER}, '') = ?, 1))" + w.also())
    params = [to_db(now - rules.max_age), to_db(now - rules.grace), agent, *w.params]
    if shops is not None:
        sql += f" AND o.shop IN ({', '.join('?' * len(shops))})"
    elif rules.apart:
        sql += f" AND (o.shop IS NULL OR o.shop NOT IN ({', '.join('?' * len(rules.apart))}))"
    return sql, params + list(shops if shops is not None else rules.apart)


class _Rules:
    """One shop's chase rules, read once per queue."""

    __slots__ = ("policy", "grace", "cooldown", "max_attempts", "max_age", "sequence", "bounds",
                 "apart")

    def __init__(self, policy, channel: Optional[str]):
        self.policy = policy
        self.grace = timedelta(minutes=policy.get("unpaid_grace_minutes"))
        self.cooldown = timedelta(minutes=policy.get("chase_cooldown_minutes"))
        self.max_attempts = policy.get("chase_max_attempts")
        self.max_age = timedelta(hours=policy.get("chase_max_age_hours"))
        self.sequence = ([policy_channel(channel)] if channel
                         else list(dict.fromkeys(map(policy_channel, policy.get("chase_sequence")))))
        self.bounds = {c: _bounds(policy.get(f"chase_windows.{c}")) for c in self.sequence}
        self.apart: list[str] = []  # (the journal's rules) the shops whose own rules differ

    def open_now(self, now: datetime) -> bool:
        """A channel of the sequence open at ``now`` (aware, shop time)?"""
        return any(next_open(self.bounds[c], now) == now for c in self.sequence)


# The keys a chase's timing reads: a shop that sets its own is counted apart.
_RULE_KEYS = ("unpaid_grace_minutes", "chase_cooldown_minutes", "chase_max_attempts",
              "chase_max_age_hours", "chase_sequence",
              *(f"chase_windows.{c}" for c in ("wangwang", "phone", "sms", "remind")))


def _count_due(ctx, channel: Optional[str]) -> int:
    """How many orders in scope are due now (for ``ctx.agent``), listed or not.

    An order no chase touched starts now (its grace over): it is due exactly when a
    channel of its shop's sequence is open now, so those are one SQL count per set of
    rules (the journal's, and each shop's that differ). The few a chase touched (a log
    or a chase remark in the memo) are judged one by one, as :func:`due` judges them.
    """
    if channel in CHATS:  # a platform's chat: the orders of its platforms
        from cstool.core.context import Scope

        scope = ctx.scope
        if scope.platform:
            if platform_channel(channel, scope.platform) != channel:
                return 0
        else:
            return sum(_count_due(ctx.scoped(Scope(p, scope.shop)), channel)
                       for p, c in PLATFORM_CHAT.items() if c == channel)
    journal, policy, agent = ctx.journal, ctx.policy, ctx.agent
    now = ctx.clock.now()
    local = now.astimezone(ctx.clock.tz)
    apart = policy.differs(_RULE_KEYS)
    plain = _Rules(policy, channel)
    plain.apart = apart
    n = 0
    for rules, shops in [(plain, None), *((_Rules(policy.shop(s), channel), [s]) for s in apart)]:
        if rules.open_now(local):
            n += journal.scalar(*_untouched_count(now, rules, ctx.scope, shops, agent))
    shops: dict[Optional[str], _Rules] = {}
    opens: dict = {}
    sql, params = due_query(now, policy, False, ctx.scope, touched=True)
    touched = [row for row in journal.execute(sql, params)
               if not (row["owner"] and agent and row["owner"] != agent)]
    known = histories(journal, [(r["order_id"], r["platform"]) for r in touched], ctx.clock.tz)
    for row in touched:
        rules = shops.get(row["shop"])
        if rules is None:
            rules = shops[row["shop"]] = _Rules(policy.shop(row["shop"]), channel)
        h = known[(row["order_id"], row["platform"])]
        pick = _judge(rules, row, h, now, ctx.clock.tz, opens, False)
        if pick is not None and pick[0] <= now:
            n += 1
    return n


def _judge(rules: _Rules, row, h: History, now: datetime, tz, opens: dict,
           all_: bool) -> Optional[tuple[datetime, str, Optional[str]]]:
    """``(when, channel, what it waits for)`` for one unpaid order, or None: not chased
    (again), or (without ``all_``) not yet. ``opens`` caches each channel's next window."""
    created = from_db(row["created_at"])
    if created <= now - rules.max_age or (not all_ and created + rules.grace > now):
        return None  # another shop's rules brought it into the SQL's range
    if h.stop or h.attempts >= rules.max_attempts:
        return None
    start, waits = now, None
    starts = [(created + rules.grace, "grace")]
    if h.last_at:
        starts.append((from_db(h.last_at) + rules.cooldown, "cooldown"))
    if h.promise_due_at:
        starts.append((from_db(h.promise_due_at), "promise"))
    for at, why in starts:
        if at > start:
            start, waits = at, why
    start = start.astimezone(tz)
    pick: Optional[tuple[datetime, str]] = None
    for c in rules.sequence:
        if c in h.used:
            continue
        key = (row["shop"], c, start)
        when = (opens[key] if key in opens
                else opens.setdefault(key, next_open(rules.bounds[c], start)))
        if when is not None and (pick is None or when < pick[0]):
            pick = (when, c)
            if when == start:
                break  # open at once: no later channel in the sequence can beat it
    if pick is None or (pick[0] > now and not all_):
        return None
    return pick[0], pick[1], waits


def due(ctx, channel: Optional[str] = None, all_: bool = False, limit: Optional[int] = None,
        counts: Optional[dict] = None) -> list[dict]:
    """Unpaid orders in ``ctx.scope`` to chase now, most valuable first (then oldest).

    Each row names the channel to use now (the first channel of the policy's
    sequence not yet used on the order and open now; a chat is the order's
    platform's own: 旺旺, 拼多多聊天, 飞鸽, 咚咚, 有赞客服) and the message to send.
    Each order is judged by its shop's policy. ``channel``: only orders to chase
    by that channel now, whatever the sequence (``sms`` for a campaign's bulk
    messages; a chat, the orders of the platforms it is the chat of: ``feige``
    Douyin's, ``wangwang`` Taobao's). ``all_``: also orders that become due later
    (grace, cool-down, a promise, a closed window), with ``opens_at`` and ``waits``
    (what it waits for: ``grace``, ``cooldown``, ``promise`` or ``window``). Orders
    held for another agent than ``ctx.agent`` (``必须由XX负责处理!``) are left out.
    ``counts``: set ``counts["due"]`` to every order due now, however many ``limit``
    lists (:func:`_count_due`: counted in SQL but for the few a chase touched, so the
    count costs little more than the rows listed).
    """
    journal, clock, policy, agent = ctx.journal, ctx.clock, ctx.policy, ctx.agent
    now = clock.now()
    tz = clock.tz
    shops: dict[Optional[str], _Rules] = {}
    texts = templates(journal)
    # Most rows start "now": each channel's window is looked up once per start.
    opens: dict[tuple[Optional[str], str, datetime], Optional[datetime]] = {}
    if counts is not None:
        counts["due"] = _count_due(ctx, channel)
    if not all_ and not policy.differs(_RULE_KEYS) \
            and not _Rules(policy, channel).open_now(now.astimezone(tz)):
        return []  # every order due now would be chased by a channel open now
    sql, params = due_query(now, policy, all_, ctx.scope)
    out: list[dict] = []
    chat = channel if channel in CHATS else None  # a platform's chat: that platform's orders
    for row in journal.execute(sql, params):
        if limit and len(out) >= limit:
            break
        if chat and platform_channel(chat, row["platform"]) != chat:
            continue
        owner = row["owner"]
        if owner and agent and owner != agent:
            continue
        shop = row["shop"]
        rules = shops.get(shop)
        if rules is None:
            rules = shops[shop] = _Rules(policy.shop(shop), channel)
        h = (history(journal, row["order_id"], tz, row["platform"])
             if row["logged"] or row["remarked"] else EMPTY)
        judged = _judge(rules, row, h, now, tz, opens, all_)
        if judged is None:
            continue
        when, chosen, waits = judged
        created = from_db(row["created_at"])
        # a PDD order the export dated only by its number's day: shown as the date, and
        # unpaid at most since that midnight (grace and age count from it: docs/chase.md)
        made, precision = created_value(row["order_id"], row["created_at"], tz)
        unpaid = int((now - created).total_seconds() // 60)
        chosen = platform_channel(chosen, row["platform"])
        # Worded for the moment it is sent: "昨天拍下" stays true when it opens tomorrow.
        message = render(texts[chosen], message_values(dict(row), max(when, now), rules.policy))
        out.append({
            "order_id": row["order_id"],
            "platform": row["platform"],
            "shop": shop,
            "buyer": row["buyer"],
            "amount": Money(row["amount_fen"]) if row["amount_fen"] is not None else None,
            "created_at": made,
            "created_at_precision": precision,
            "unpaid_minutes": AtMost(unpaid) if precision == "day" else unpaid,
            "attempts": h.attempts,
            "last_chased_at": Instant(h.last_at) if h.last_at else None,
            "last_chased_by": h.last_by,
            "channel": chosen,
            "opens_at": Instant(to_db(when)) if when > now else None,
            # what holds it first: grace, a chase's cool-down or a promise, else the window
            "waits": None if when <= now else waits or "window",
            "message": message,
            "item_title": row["item_title"],
            "phone": Phone(row["receiver_phone"]) if row["receiver_phone"] else None,
            "owner": owner,
        })
    return out
