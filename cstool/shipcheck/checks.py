"""Shipping checks (跟进发货, 审单): the 72-hour deadline, holds, the same-day cutoff, stalled parcels.

The rules (domain.md §3, manuals 000 and 002):

- A paid order ships within ``ship_deadline_hours`` (72) of *payment*; an
  export without a payment time falls back to the creation time, and says so.
- Paid before ``same_day_cutoff`` (16:00) goes out in that day's batch, which
  is sealed by ``dispatch_time`` (17:00); paid later, in the next day's.
- Brushing orders (刷单) never ship; nor do closed ones, nor orders with a
  refund asked for (a remark that mentions 退款).
- Holds: ``XX日发货`` and presale dates keep an order off the list until
  that day (then ``hold_due``); an order waiting for the buyer's answer is
  ``waiting_buyer``, never ``overdue``; ``必须由XX负责处理`` names who handles it.
- Shipped and not signed after ``stalled_days`` (7): chase the courier and
  extend the buyer's confirm-receipt time. Orders shipped more than
  ``stalled_max_days`` ago are left out: the platform confirmed them long
  since, and the journal only lacks the newer export.

Each order gets at most one row, its most pressing check. Most of the work
is SQL over partial indexes (migration m0030), so a journal of a million
orders answers in a few tens of milliseconds; Python only looks at the rows
it shows and at the few orders held, presale or refunding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, Optional

from cstool.core import text
from cstool.core.clock import Clock, iter_manual_dates, to_db
from cstool.core.limits import ERA, MAX_YEAR, MIN_YEAR
from cstool.core.values import Instant
from cstool.core.vocab import Vocabulary

CHECK = Vocabulary("check", {
    "overdue": ["超时", "已超时", "超72小时"],
    "due_soon": ["即将超时", "快超时"],
    "hold_due": ["挂起到期", "到期发货"],
    "brush_shipped": ["刷单已发货", "刷单发货"],
    "ship_today": ["今日发货", "今天发货", "当天发货"],
    "waiting_buyer": ["等待买家", "等买家回复", "缺货等待"],
    "stalled": ["物流停滞", "未签收", "延长收货"],
})
# The order rows are listed in: what must leave now first, after-sale last.
CHECKS = tuple(CHECK.values)
# What ``--check`` (and cron) treats as a failure.
FAILING = ("overdue", "due_soon", "hold_due")
COLUMNS = ("check", "order_id", "buyer", "due_at", "hours_left", "detail")

# --- SQL ------------------------------------------------------------------------------
# The WHERE terms repeat the partial indexes of m0030 word for word.

_WAITING = "status IN ('paid', 'part_shipped')"
_BASE = "coalesce(paid_at, created_at)"
_O_BASE = "coalesce(o.paid_at, o.created_at)"
_SPECIAL = "(instr(seller_memo, '退款') OR presale_info <> '' OR instr(item_title, '预售'))"
_TRANSIT = "coalesce(shipped_at, paid_at, created_at)"
_OPEN_HOLD = ("EXISTS (SELECT 1 FROM holds h WHERE h.order_id = {o}order_id "
              "AND h.released_at IS NULL)")
_AGENT_REFUND = ("EXISTS (SELECT 1 FROM remarks r WHERE r.order_id = {o}order_id "
                 "AND r.source <> 'platform' AND instr(r.text, '退款'))")
_AGENT_REFUNDS = "SELECT order_id FROM remarks WHERE source <> 'platform' AND instr(text, '退款')"
_TEXT_SPECIAL = f"SELECT order_id FROM orders WHERE {_WAITING} AND {_SPECIAL}"
_ERA = "(substr({x}, 1, 4) BETWEEN :min_year AND :max_year)"
# Waiting orders the deadline alone decides. Each query starts from the waiting orders
# (their partial index) and looks an order's holds and remarks up, so the open holds of
# orders long shipped are never read. The rest ("special": held, presale, refund asked)
# are judged apart; the counts subtract them rather than test every waiting order.
_NORMAL = f"""{_WAITING} AND brushing = 0
    AND NOT {_OPEN_HOLD.format(o="orders.")}
    AND order_id NOT IN ({_TEXT_SPECIAL})
    AND NOT {_AGENT_REFUND.format(o="orders.")}"""
# The special orders, one light row each: what their holds say, judged in SQL as
# _special_row would (waiting for the buyer; else the latest hold date, due once it has
# come; else — only an owner — the deadline), so that counting thousands of held orders
# costs no Python call each. ``py``: the few only Python can judge (a refund asked for, a
# presale text to read, a time or date no shop could mean); they get every column.
# From the holds (when they are fewer than the orders waiting: a warehouse stopped) or
# from the waiting orders (the usual day), both in order number order (m0081).
_FROM_HOLDS = """holds h INDEXED BY holds_open_kinds
    CROSS JOIN orders o INDEXED BY orders_waiting_by_id ON o.order_id = h.order_id"""
_FROM_WAITING = """orders o INDEXED BY orders_waiting_by_id
    CROSS JOIN holds h INDEXED BY holds_open_kinds ON h.order_id = o.order_id"""
_JUDGED = f"""
    SELECT o.order_id, {_O_BASE} AS base,
           max(h.kind = 'waiting_buyer') AS wb,
           max(CASE WHEN h.kind IN ('until', 'presale') THEN h.until END) AS day,
           NOT {_ERA.format(x=_O_BASE)}
           OR max(h.kind IN ('until', 'presale') AND NOT {_ERA.format(x="h.until")}) AS py
    FROM {{source}}
    WHERE h.released_at IS NULL AND o.{_WAITING} AND o.brushing = 0
    GROUP BY {{side}}.order_id"""
_JUDGED_CHECK = """CASE WHEN wb THEN 'waiting_buyer'
         WHEN day IS NOT NULL THEN CASE WHEN day <= :today THEN 'hold_due' END
         WHEN base < :t_over THEN 'overdue' WHEN base <= :t_soon THEN 'due_soon'
         ELSE 'ship_today' END"""
_ROW = f"order_id, buyer, status, paid_at, created_at, {_BASE} AS base"
_SPECIAL_COLUMNS = f"""o.order_id, o.buyer, o.status, o.paid_at, o.created_at,
    coalesce(o.paid_at, o.created_at) AS base, o.presale_info, o.item_title,
    instr(coalesce(o.seller_memo, ''), '退款') > 0 OR {_AGENT_REFUND.format(o="o.")} AS refunding,
    h.kind, h.until, h.owner, h.note, h.created_at AS held_at, o.brushing"""


class Plan:
    """The statements one run executes, with their parameters (the benchmark replays them)."""

    def __init__(self, params: Optional[dict[str, Any]] = None):
        self.statements: list[tuple[str, str]] = []
        self.params: dict[str, Any] = params or {}

    def add(self, name: str, sql: str) -> None:
        self.statements.append((name, " ".join(sql.split())))


# --- the rules -----------------------------------------------------------------------


def _hhmm(value: str) -> tuple[int, int]:
    return divmod(text.minutes(value), 60)


class Rules(NamedTuple):
    """The policy's shipping rules, fixed at one instant."""

    clock: Clock
    now: datetime
    deadline_hours: int
    within_hours: float
    cutoff: str
    dispatch: str
    stalled_days: int
    stalled_max_days: int
    presale_date: Optional[date]

    @classmethod
    def of(cls, clock: Clock, policy, within_hours: float = 24.0) -> Rules:
        presale = policy.get("presale_ship_date")
        return cls(
            clock=clock,
            now=clock.now().replace(microsecond=0),
            deadline_hours=int(policy.get("ship_deadline_hours")),
            within_hours=float(within_hours),
            cutoff=policy.get("same_day_cutoff"),
            dispatch=policy.get("dispatch_time"),
            stalled_days=int(policy.get("stalled_days")),
            stalled_max_days=int(policy.get("stalled_max_days")),
            presale_date=date.fromisoformat(presale) if presale else None,
        )

    @property
    def today(self) -> date:
        return self.now.date()

    def at(self, day: date, hhmm: str) -> datetime:
        h, m = _hhmm(hhmm)
        return self.clock.start_of(day).replace(hour=h, minute=m)

    def deadline(self, base: datetime) -> datetime:
        return base + timedelta(hours=self.deadline_hours)

    def batch_day(self, paid: datetime) -> date:
        """The day whose batch an order paid at ``paid`` goes out in (the cutoff rule)."""
        local = self.clock.local(paid)
        h, m = _hhmm(self.cutoff)
        return local.date() if (local.hour, local.minute) < (h, m) else local.date() + timedelta(1)

    def deadline_check(self, base: datetime) -> str:
        """overdue / due_soon / ship_today for an order whose clock started at ``base``."""
        left = self.deadline(base) - self.now
        if left < timedelta(0):
            return "overdue"
        if left <= timedelta(hours=self.within_hours):
            return "due_soon"
        return "ship_today"

    def params(self) -> dict[str, Any]:
        deadline = timedelta(hours=self.deadline_hours)
        within = timedelta(seconds=int(self.within_hours * 3600))
        stalled = self.now - timedelta(days=self.stalled_days)
        oldest = (self.now - timedelta(days=self.stalled_max_days)
                  if self.stalled_max_days else datetime(1970, 1, 2, tzinfo=self.now.tzinfo))
        # overdue: base + deadline < now; due soon: base + deadline <= now + within
        return {"t_over": to_db(self.now - deadline), "t_soon": to_db(self.now + within - deadline),
                "t_stalled": to_db(stalled), "t_oldest": to_db(oldest)}

    def hours_left(self, due: datetime) -> float:
        return round((due - self.now).total_seconds() / 3600, 1) + 0.0  # never -0.0


# --- the report ----------------------------------------------------------------------


class Report:
    """Rows shown, and how many were found per check (or per morning section)."""

    def __init__(self, rows: list[dict], counts: dict[str, int], key: str = "check",
                 problems: Optional[list[str]] = None):
        self.rows, self.counts, self.key = rows, counts, key
        self.problems: list[str] = problems if problems is not None else []

    @property
    def shown(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rows:
            out[r[self.key]] = out.get(r[self.key], 0) + 1
        return out

    @property
    def hidden(self) -> dict[str, int]:
        """Per check (section), how many the limit left out."""
        shown = self.shown
        return {c: n - shown.get(c, 0) for c, n in self.counts.items() if n > shown.get(c, 0)}

    @property
    def failing(self) -> int:
        return sum(self.counts.get(c, 0) for c in FAILING)


def plan(rules: Rules, only: Sequence[str] = (), limit: Optional[int] = 50,
         paid_before: Optional[str] = None, from_holds: bool = False) -> Plan:
    """The SQL for a run; ``paid_before`` (a journal instant) keeps older orders only;
    ``from_holds``: read the held orders from the holds (fewer than the orders waiting)."""
    wanted = set(only or CHECKS)
    p = Plan(params={**rules.params(), "limit": limit if limit else -1, "before": paid_before,
                     "today": rules.today.isoformat(), "min_year": MIN_TEXT,
                     "max_year": MAX_TEXT})
    before = f" AND {_BASE} < :before" if paid_before else ""
    deadline = {"overdue": f"{_BASE} < :t_over",
                "due_soon": f"{_BASE} >= :t_over AND {_BASE} <= :t_soon",
                "ship_today": f"{_BASE} > :t_soon"}
    if wanted & set(deadline):
        # three ranges of the waiting orders' index, counted without a row
        p.add("deadline_counts", f"""
            SELECT (SELECT count(*) FROM orders WHERE {_WAITING} AND brushing = 0
                    AND {_BASE} < :t_over{before}),
                   (SELECT count(*) FROM orders WHERE {_WAITING} AND brushing = 0
                    AND {_BASE} >= :t_over AND {_BASE} <= :t_soon{before}),
                   (SELECT count(*) FROM orders WHERE {_WAITING} AND brushing = 0
                    AND {_BASE} > :t_soon{before})""")
    for check, term in deadline.items():
        if check in wanted:
            p.add(check, f"""SELECT {_ROW} FROM orders WHERE {_NORMAL} AND {term}{before}
                ORDER BY {_BASE}, order_id LIMIT :limit""")
    if wanted & {"overdue", "due_soon", "ship_today", "hold_due", "waiting_buyer"}:
        source = _FROM_HOLDS if from_holds else _FROM_WAITING
        p.add("held", f"""
            SELECT order_id, base, day, py, {_JUDGED_CHECK} AS chk
            FROM ({_JUDGED.format(source=source, side="h" if from_holds else "o")})""")
        # the waiting orders with a refund asked or a presale text: few, read in full
        p.add("unheld", f"""{_TEXT_SPECIAL} UNION SELECT r.order_id FROM remarks r
            CROSS JOIN orders o ON o.order_id = r.order_id WHERE r.source <> 'platform'
            AND instr(r.text, '退款') AND o.{_WAITING}""")
    if "stalled" in wanted and not paid_before:
        stalled = (f"status = 'shipped' AND brushing = 0 AND {_TRANSIT} <= :t_stalled"
                   f" AND {_TRANSIT} >= :t_oldest")
        p.add("stalled_count", f"SELECT count(*) FROM orders WHERE {stalled}")
        p.add("stalled", f"""
            SELECT order_id, buyer, status, courier, tracking_no, shipped_at, paid_at, created_at,
                   {_TRANSIT} AS base
            FROM orders WHERE {stalled} ORDER BY {_TRANSIT}, order_id LIMIT :limit""")
    if "brush_shipped" in wanted and not paid_before:
        brushed = "brushing = 1 AND status IN ('shipped', 'part_shipped')"
        p.add("brush_count", f"SELECT count(*) FROM orders WHERE {brushed}")
        p.add("brush_shipped", f"""
            SELECT order_id, buyer, status, courier, tracking_no, shipped_at, paid_at, created_at,
                   {_TRANSIT} AS base
            FROM orders WHERE {brushed} ORDER BY {_TRANSIT}, order_id LIMIT :limit""")
    return p


def run(ctx, *, within_hours: float = 24.0, only: Sequence[str] = (),
        limit: Optional[int] = 50, paid_before: Optional[str] = None) -> Report:
    """Every order needing shipping attention: at most ``limit`` rows per check (None: all).

    ``counts`` has every order found, shown or not. Rows are sorted by check
    (:data:`CHECKS` order), then by due time.
    """
    import heapq  # start-up: cron loads this module with every routine's declaration

    journal = ctx.journal
    rules = Rules.of(ctx.clock, ctx.policy, within_hours)
    p = plan(rules, only, limit, paid_before, from_holds=_holds_fewer(journal))
    res = {name: journal.query(sql, p.params) for name, sql in p.statements}
    wanted = tuple(c for c in CHECKS if c in set(only or CHECKS))
    found: dict[str, list[tuple[str, dict]]] = {c: [] for c in CHECKS}
    counts = dict.fromkeys(wanted, 0)

    buckets = dict(zip(("overdue", "due_soon", "ship_today"),
                       res["deadline_counts"][0] if "deadline_counts" in res else (0, 0, 0)))
    # The special orders: those judged in SQL are counted here, and only the first of
    # each check get their row built; those only Python can judge are read in full.
    judged: dict[str, list[tuple[str, str]]] = {c: [] for c in CHECKS}
    unheld = {r[0] for r in res.get("unheld", ())}
    read: list[str] = []
    t_over, t_soon = p.params["t_over"], p.params["t_soon"]
    for order_id, base, day, py, chk in res.get("held", ()):
        if py or order_id in unheld:
            read.append(order_id)
            continue
        if paid_before and base >= paid_before and day is None:
            continue  # newer than the morning's orders, and no hold date has come
        if not paid_before or base < paid_before:  # counted by the deadline above
            buckets["overdue" if base < t_over else "due_soon" if base <= t_soon
                    else "ship_today"] -= 1
        if chk in counts:
            counts[chk] += 1
            judged[chk].append((day if chk == "hold_due" else base, order_id))
    shown = {oid for c in CHECKS
             for _, oid in (heapq.nsmallest(limit, judged[c]) if limit else judged[c])}
    special: dict[str, list] = {}
    for r in _special_rows(journal, sorted(set(read) | unheld | shown)):
        if r["brushing"] == 0:  # (the unheld list did not look)
            special.setdefault(r["order_id"], []).append(r)
    read = sorted(set(read) | (unheld & set(special)))
    for order_id in read:  # counted by the deadline above, judged below
        base = special[order_id][0]["base"]
        if not paid_before or base < paid_before:
            buckets[_bucket(base, p.params)] -= 1
    if "deadline_counts" in res:
        for check, n in buckets.items():
            if check in counts:
                counts[check] += n or 0
    strange: list[str] = []  # orders whose stored times no shop could mean (an older cstool)

    def sane(r, check: Optional[str] = None) -> bool:
        if _in_era(r["base"]):
            return True
        strange.append(r["order_id"])
        if check in counts:
            counts[check] -= 1
        return False

    for check in ("overdue", "due_soon", "ship_today"):
        for r in res.get(check, ()):
            if sane(r, check):
                found[check].append((r["base"], _deadline_row(rules, r, check, ())))
    for order_id in shown:  # judged and counted in SQL: the rows shown
        rs = special[order_id]
        row = _special_row(rules, rs[0], [h for h in rs if h["kind"]])
        if row is not None and row["check"] in counts:
            found[row["check"]].append(
                (row["due_at"] if row["check"] == "hold_due" else rs[0]["base"], row))
    for order_id in read:
        rs = special[order_id]
        r, hs = rs[0], [h for h in rs if h["kind"]]
        if not sane(r):
            continue
        if not all(_in_era(h["until"]) for h in hs):  # a hold date from an older cstool
            strange.append(r["order_id"])
            hs = [h for h in hs if _in_era(h["until"])]
        if paid_before and r["base"] >= paid_before and not _dates(rules, r, hs):
            continue
        row = _special_row(rules, r, hs)
        if row is None or row["check"] not in counts:
            continue
        counts[row["check"]] += 1
        found[row["check"]].append((row["due_at"] if row["check"] == "hold_due" else r["base"], row))
    if "stalled" in res:
        counts["stalled"] = res["stalled_count"][0][0]
        notes = _open_exceptions(journal, [r["order_id"] for r in res["stalled"]])
        found["stalled"] = [(r["base"], _stalled_row(rules, r, notes.get(r["order_id"])))
                            for r in res["stalled"] if sane(r, "stalled")]
    if "brush_shipped" in res:
        counts["brush_shipped"] = res["brush_count"][0][0]
        found["brush_shipped"] = [(r["base"], _brush_row(rules, r)) for r in res["brush_shipped"]
                                  if sane(r, "brush_shipped")]

    rows: list[dict] = []
    for check in wanted:
        items = sorted(found[check], key=lambda kv: (kv[0], kv[1]["order_id"]))
        rows.extend(row for _, row in (items[:limit] if limit else items))
    problems = []
    if strange:
        problems.append(f"{len(set(strange))} order(s) carry times or hold dates outside the "
                        f"years {ERA} ({', '.join(sorted(set(strange))[:3])}"
                        f"{', …' if len(set(strange)) > 3 else ''}): left out, or the hold "
                        "ignored; import a fresh export or release the hold")
    return Report(rows=rows, counts=counts, problems=problems)


def _holds_fewer(journal) -> bool:
    """Are there fewer holds than orders waiting? Two reads of an index's last entry
    (holds are never deleted, so the highest id bounds the open ones) and one count of
    the waiting orders, stopped early: costs next to nothing either way."""
    holds = journal.scalar("SELECT max(id) FROM holds") or 0
    waiting = journal.scalar(f"SELECT count(*) FROM (SELECT 1 FROM orders INDEXED BY "
                             f"orders_waiting_by_id WHERE {_WAITING} LIMIT ?)", [holds + 1])
    return holds < waiting


def _special_rows(journal, order_ids: list[str]) -> list:
    """The special orders' rows, one per (order, open hold)."""
    if not order_ids:
        return []
    import json

    return journal.query(
        f"SELECT {_SPECIAL_COLUMNS} FROM orders o "
        "LEFT JOIN holds h ON h.order_id = o.order_id AND h.released_at IS NULL "
        "WHERE o.order_id IN (SELECT value FROM json_each(?)) ORDER BY o.order_id, h.id",
        [json.dumps(order_ids)])


def _in_era(instant: Optional[str]) -> bool:
    """A stored instant a shop could mean (older versions accepted any year)."""
    return not instant or MIN_TEXT <= instant[:4] <= MAX_TEXT


MIN_TEXT, MAX_TEXT = str(MIN_YEAR), str(MAX_YEAR)


def _bucket(base: str, params: dict) -> str:
    """The deadline check an order falls in by its start time, as the SQL counts it."""
    if base < params["t_over"]:
        return "overdue"
    return "due_soon" if base <= params["t_soon"] else "ship_today"


def check(ctx, within_hours: float = 24.0, limit: Optional[int] = None) -> list[dict]:
    """What must ship soon or is late: overdue, due_soon and hold_due rows (for cron)."""
    return run(ctx, within_hours=within_hours, only=FAILING, limit=limit).rows


# --- rows ------------------------------------------------------------------------------


def _when(rules: Rules, value: datetime | str) -> str:
    return rules.clock.local(value).strftime("%Y-%m-%d %H:%M")


def _h(hours: float) -> str:
    return f"{abs(hours):.1f} h"


def _row(rules: Rules, r, check: str, due: datetime, detail: str,
         owner: Optional[str] = None) -> dict:
    return {"order_id": r["order_id"], "buyer": r["buyer"], "check": check,
            "due_at": Instant(to_db(due)), "hours_left": rules.hours_left(due),
            "detail": detail, "owner": owner}


def _clock_start(rules: Rules, r) -> str:
    if r["paid_at"]:
        return f"paid {_when(rules, r['paid_at'])}"
    return (f"created {_when(rules, r['created_at'])} (the export has no payment time: "
            f"counted from creation)")


def _owner(hs: Optional[Iterable]) -> Optional[str]:
    for h in hs or ():
        if h["kind"] == "owner":
            return h["owner"]
    return None


def _with_owner(detail: str, owner: Optional[str], status: str) -> str:
    if status == "part_shipped":
        detail += " Part of it has shipped: send the rest."
    if owner:
        detail += f" Only {owner} handles this order (必须由{owner}负责处理)."
    return detail


def _deadline_row(rules: Rules, r, check: str, hs, note: str = "") -> dict:
    base = rules.clock.local(r["base"])
    due = rules.deadline(base)
    left = rules.hours_left(due)
    start = _clock_start(rules, r)
    d = rules.deadline_hours
    if check == "overdue":
        detail = (f"{start}; the {d} h deadline passed {_when(rules, due)} ({_h(left)} late): "
                  f"have it shipped now (联系物流部) and tell the buyer.")
    elif check == "due_soon":
        detail = (f"{start}; must ship by {_when(rules, due)} ({_h(left)} left): "
                  f"push it into the next batch.")
    else:
        day = rules.batch_day(base)
        due = rules.at(day, rules.dispatch)
        side = "before" if day == base.date() else "after"
        batch = {rules.today: "today's", rules.today + timedelta(1): "tomorrow's",
                 rules.today - timedelta(1): "yesterday's"}.get(day, f"the {day.isoformat()}")
        detail = f"{start}, {side} the {rules.cutoff} cutoff: "
        detail += (f"goes out in {batch} batch, sealed by {rules.dispatch}." if due >= rules.now
                   else f"it missed {batch} batch (sealed {rules.dispatch}): ship it first.")
    detail = (note + " " if note else "") + detail
    owner = _owner(hs)
    return _row(rules, r, check, due, _with_owner(detail, owner, r["status"]), owner)


_PRESALE_DATE_TAIL = text.Lazy(r"^\s*(?:开始)?发")


def presale_date(info: Optional[str], ref: datetime) -> Optional[date]:
    """The ship date in an export's presale text (``预售12月1日发货``), or None."""
    if not info:
        return None
    found = list(iter_manual_dates(info, ref, prefer="future"))
    for md in found:  # the date the text says it ships on, else the last one
        if _PRESALE_DATE_TAIL.match(info[md.end:]):
            return md.as_datetime(ref.tzinfo).date()
    return found[-1].as_datetime(ref.tzinfo).date() if found else None


def _is_presale(r) -> bool:
    return bool(r["presale_info"]) or "预售" in (r["item_title"] or "")


def _dates(rules: Rules, r, hs) -> list[tuple[date, str]]:
    """The dates that hold an order back, each with what set it."""
    out = []
    for h in hs:
        if h["kind"] in ("until", "presale") and h["until"]:
            what = "presale, ships" if h["kind"] == "presale" else "held until"
            out.append((date.fromisoformat(h["until"]),
                        f"{what} {h['until']}" + (f" ({h['note']})" if h["note"] else "")))
    if not any(h["kind"] == "presale" for h in hs) and _is_presale(r):
        created = rules.clock.local(r["created_at"])
        day = presale_date(r["presale_info"], created)
        if day:
            out.append((day, f"presale, ships {day.isoformat()} ({r['presale_info']})"))
        elif rules.presale_date:
            out.append((rules.presale_date,
                        f"presale, ships {rules.presale_date.isoformat()} (policy presale_ship_date)"))
    return out


def _special_row(rules: Rules, r, hs: list) -> Optional[dict]:
    """Held, presale and refunding orders: their own rules, else the deadline's."""
    if r["refunding"]:
        return None  # a refund was asked for: never asked to ship
    owner = _owner(hs)
    for h in hs:
        if h["kind"] == "waiting_buyer":
            base = rules.clock.local(r["base"])
            due = rules.deadline(base)
            left = rules.hours_left(due)
            asked = f" ({h['note']})" if h["note"] else ""
            state = (f"the {rules.deadline_hours} h deadline passed {_when(rules, due)}"
                     if left < 0 else f"it must ship by {_when(rules, due)} ({_h(left)} left)")
            detail = (f"waiting for the buyer's answer since {_when(rules, h['held_at'])}{asked}; "
                      f"{state}: ask again, or agree a date and remark it (XX日发货).")
            return _row(rules, r, "waiting_buyer", due, _with_owner(detail, owner, r["status"]),
                        owner)
    dates = _dates(rules, r, hs)
    if dates:
        day, why = max(dates)
        if day > rules.today:
            return None
        due = rules.at(day, rules.dispatch)
        late = "" if day == rules.today else f", due since {day.isoformat()}"
        detail = f"{why}{late}: ship it in today's batch (sealed by {rules.dispatch})."
        return _row(rules, r, "hold_due", due, _with_owner(detail, owner, r["status"]), owner)
    base = rules.clock.local(r["base"])
    note = ("Presale order with no ship date (set one: remark add --kind hold, or policy "
            "presale_ship_date);" if _is_presale(r) else "")
    return _deadline_row(rules, r, rules.deadline_check(base), hs, note)


def _transit_start(rules: Rules, r) -> str:
    if r["shipped_at"]:
        return f"shipped {_when(rules, r['shipped_at'])}"
    if r["paid_at"]:
        return f"shipped ~{_when(rules, r['paid_at'])} (the export has no ship time: payment time used)"
    return f"shipped ~{_when(rules, r['created_at'])} (no ship or payment time: creation time used)"


def _parcel(r) -> str:
    parts = [p for p in (r["courier"], r["tracking_no"]) if p]
    return " ".join(parts) if parts else "no tracking number on record"


def _stalled_row(rules: Rules, r, exception: Optional[str]) -> dict:
    base = rules.clock.local(r["base"])
    due = base + timedelta(days=rules.stalled_days)
    days = (rules.now - base).days
    detail = (f"{_transit_start(rules, r)}, {_parcel(r)}; not signed after {days} days: chase the "
              f"courier and extend the buyer's confirm-receipt time (延长收货时间).")
    if exception:
        detail += f" {exception}"
    return _row(rules, r, "stalled", due, detail)


def _brush_row(rules: Rules, r) -> dict:
    base = rules.clock.local(r["base"])
    detail = (f"brushing order (刷单) {_transit_start(rules, r)}, {_parcel(r)}: it must never ship; "
              f"have the courier recall the parcel (撤回) and find out how it left.")
    return _row(rules, r, "brush_shipped", base, detail)


def _open_exceptions(journal, order_ids: list[str]) -> dict[str, str]:
    """A note per order with an open abnormal-shipment case."""
    if not order_ids:
        return {}
    wanted = set(order_ids)
    out: dict[str, str] = {}
    # open cases are few; the shown orders may be many (--limit 0)
    for e in journal.query("SELECT id, order_id, kind FROM exceptions WHERE closed_at IS NULL "
                           "ORDER BY id"):
        if e["order_id"] in wanted:
            out.setdefault(e["order_id"], f"Abnormal shipment #{e['id']} ({e['kind']}) is open.")
    return out


# --- the handover sheet ---------------------------------------------------------------


def handover_rows(ctx) -> list[dict]:
    """Late and nearly late shipments for the shift handover sheet (交接).

    Category ``shipping`` (跟进发货), with every row about an order still to
    ship (docs/handover.md); the to-do says to push the shipping side (物流部),
    as manual 002 has whoever follows up shipping do near 72 hours. The courier
    category is for parcels already moving.
    """
    clock = ctx.clock
    rules = Rules.of(clock, ctx.policy)
    out = []
    for r in check(ctx):
        left = r["hours_left"]
        due_local = clock.local(r["due_at"])
        if r["check"] == "overdue":
            problem = f"超过{rules.deadline_hours}小时未发货,已超时{abs(left):.1f}小时"
            todo = "联系物流部立即发货,并告知买家"
        elif r["check"] == "due_soon":
            problem = f"{rules.deadline_hours}小时发货期限将至,还剩{left:.1f}小时"
            todo = f"{due_local:%m-%d %H:%M}前发货"
        else:
            problem = "挂起/预售的发货日已到,尚未发货"
            todo = f"安排当天发货({rules.dispatch}前封箱)"
        if r["owner"]:
            todo += f",必须由{r['owner']}负责处理"
        out.append({"ref": f"ship:{r['order_id']}", "category": "shipping",
                    "buyer": r["buyer"], "order_id": r["order_id"], "problem": problem,
                    "todo": todo, "due_at": r["due_at"]})
    return out


def memo_entries(text: Optional[str]) -> list[str]:
    """A memo's remarks, one per line; a line starting ``---``/``#`` signs the one before."""
    out: list[str] = []
    for line in (ln.strip() for ln in (text or "").splitlines()):
        if line and out and line[0] in "-—#":
            out[-1] += line
        elif line:
            out.append(line)
    return out
