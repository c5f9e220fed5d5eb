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

from collections.abc import Sequence
from typing import Any, Optional

from cstool.core.clock import to_db
from cstool.core.i18n import M_, _
from cstool.core.limits import ERA, MAX_YEAR, MIN_YEAR
from cstool.core.orders import live_held
from cstool.core.values import Instant
from cstool.core.vocab import Vocabulary
from cstool.shipcheck.rows import (  # noqa: F401 (presale_date: packing's too)
    brush_row,
    deadline_check,
    deadline_row,
    due_key,
    hold_dates,
    presale_date,
    special_check,
    special_row,
    stalled_row,
)
from cstool.shipcheck.rules import Rules  # noqa: F401 (the callers' name for it)

CHECK = Vocabulary("check", {
    "overdue": ["超时", "已超时", "超72小时"],
    "due_soon": ["即将超时", "快超时"],
    "hold_due": ["挂起到期", "到期发货"],
    "brush_shipped": ["刷单已发货", "刷单发货"],
    "ship_today": ["今日发货", "今天发货", "当天发货"],
    "waiting_buyer": ["等待买家", "等买家回复", "缺货等待"],
    "stalled": ["物流停滞", "未签收", "延长收货"],
})
# What a morning view's request row says asked for it (here, not in .morning: the
# command line declares every vocabulary without importing the morning view).
REQUEST = Vocabulary("request source", {"buyer_message": ["买家留言"], "remark": ["备注"]})
# The order rows are listed in: what must leave now first, after-sale last.
CHECKS = tuple(CHECK.values)
# What ``--check`` (and cron) treats as a failure.
FAILING = ("overdue", "due_soon", "hold_due")
COLUMNS = ("check", "order_id", "buyer", "due_at", "hours_left", "detail")

# --- SQL ------------------------------------------------------------------------------
# The WHERE terms repeat the partial indexes of m0070 word for word.

_WAITING = "status IN ('paid', 'part_shipped')"
_BASE = "coalesce(paid_at, created_at)"
# (``lines_refunding``: a line will not ship as ordered; m0089 made the index again with it)
_SPECIAL = ("(instr(seller_memo, '退款') OR presale_info <> '' OR instr(item_title, '预售') "
            "OR refund_fen > 0 OR lines_refunding)")
_TRANSIT = "coalesce(shipped_at, paid_at, created_at)"
_AGENT_REFUNDS = ("SELECT order_id, platform FROM remarks WHERE source <> 'platform' "
                  "AND instr(text, '退款')")
# An order's key as one value: SQLite (3.40) tests a row value ``(order_id, platform)``
# against a subquery's list by reading the whole list for each row, a single value
# through an index of it (2,000 rows against 2,245 keys: 225 ms → 12 ms).
_KEY = "order_id || char(31) || platform"
# Waiting orders the deadline alone decides. The rest ("special": held, presale,
# refund asked, partly refunded) are few and judged in Python; the counts subtract
# them there rather than test every waiting order against these lists. The unheld
# special orders are found once (the ``unheld`` statement, run first) and each deadline
# statement leaves out that list (``:unheld``, fed by :meth:`Plan.run`): rebuilt in every
# statement, their three lists cost ten times the statement itself.
_NORMAL = f"""{_WAITING} AND brushing = 0 AND held = 0
    AND {_KEY} NOT IN (SELECT (value ->> 0) || char(31) || (value ->> 1)
                       FROM json_each(:unheld))"""
_ROW = f"order_id, platform, shop, buyer, status, paid_at, created_at, ship_by, {_BASE} AS base"
# The policy's deadline (no ship-by time of the export's own) and the export's own.
_POLICY = "ship_by IS NULL"
_OWN = {"overdue": "ship_by < :t_now",
        "due_soon": "ship_by >= :t_now AND ship_by <= :t_soon_by",
        "ship_today": "ship_by > :t_soon_by"}
_BY_POLICY = {"overdue": f"{_BASE} < :t_over",
              "due_soon": f"{_BASE} >= :t_over AND {_BASE} <= :t_soon",
              "ship_today": f"{_BASE} > :t_soon"}
_ERA = "(substr({x}, 1, 4) BETWEEN :min_year AND :max_year)"
# The held waiting orders, one light row each, judged in SQL as special_row would judge
# them, so that counting thousands of held orders costs no Python call each: waiting for
# the buyer; else the latest hold date (due once it has come, not listed before). ``py``:
# the few left to Python (only an owner, a time or date no shop could mean). They are
# read from the orders to ship that have an open hold (m0088: holds stay open on orders
# long shipped), in order number order through a covering index. An order with one open
# hold carries its kind and date (m0090): judged from the index alone; the few with
# more have their open holds looked up, grouped, their kinds and dates folded.
_HELD_WHERE = f"""{live_held("o")} AND o.{_WAITING} AND o.brushing = 0{{where}}"""


def _held(kind: str, until: str, fold: str = "") -> str:
    """The held orders' light rows from their holds' ``kind`` and ``until`` (columns),
    folded by ``fold`` (``max`` over a group, or nothing over an order's one hold)."""
    dated = f"{kind} IN ('until', 'presale')"
    return f"""
    SELECT o.order_id, o.platform, o.ship_by, coalesce(o.paid_at, o.created_at) AS base,
           {fold}({kind} = 'waiting_buyer') AS wb,
           {fold}(CASE WHEN {dated} THEN {until} END) AS day,
           NOT {_ERA.format(x="coalesce(o.paid_at, o.created_at)")}
           OR (o.ship_by IS NOT NULL AND NOT {_ERA.format(x="o.ship_by")})
           OR {fold}({dated} AND NOT {_ERA.format(x=until)}) AS py"""


_HELD = (f"{_held('o.hold_kind', 'o.hold_until')}\n"
         "    FROM orders o INDEXED BY orders_live_held\n"
         f"    WHERE o.held = 1 AND {_HELD_WHERE}\n    UNION ALL"
         f"{_held('h.kind', 'h.until', 'max')}\n"
         "    FROM orders o INDEXED BY orders_live_held\n"
         "    CROSS JOIN holds h INDEXED BY holds_open_kinds\n"
         "    ON h.order_id = o.order_id AND h.platform = o.platform\n"
         f"    WHERE o.held > 1 AND h.released_at IS NULL AND {_HELD_WHERE}\n"
         "    GROUP BY o.order_id, o.platform")
_HELD_CHECK = """CASE WHEN wb THEN 'waiting_buyer'
         WHEN day IS NOT NULL THEN CASE WHEN day <= :today THEN 'hold_due' END END"""
_HELD_BUCKET = f"""CASE WHEN ship_by IS NULL THEN CASE WHEN base < :t_over THEN 'overdue'
         WHEN base <= :t_soon THEN 'due_soon' ELSE 'ship_today' END
         ELSE CASE WHEN {_OWN['overdue']} THEN 'overdue' WHEN {_OWN['due_soon']} THEN 'due_soon'
         ELSE 'ship_today' END END"""
# The waiting orders a hold does not explain: a refund asked for or made (of the order or
# of a line), a presale text.
_UNHELD = f"""
    SELECT order_id, platform FROM orders WHERE {_WAITING} AND {_SPECIAL}
    UNION {_AGENT_REFUNDS}"""
_SPECIAL_COLUMNS = """o.order_id, o.platform, o.shop, o.buyer, o.status, o.paid_at,
    o.created_at, o.ship_by, o.refund_fen, coalesce(o.paid_at, o.created_at) AS base,
    o.presale_info, o.item_title, o.brushing,
    instr(coalesce(o.seller_memo, ''), '退款') > 0
    OR EXISTS (SELECT 1 FROM remarks r INDEXED BY remarks_by_agents
               WHERE r.order_id = o.order_id AND r.platform = o.platform
               AND r.source <> 'platform' AND instr(r.text, '退款')) AS refunding,
    o.refund_fen > 0 OR o.lines_refunding AS part_refunded,
    h.kind, h.until, h.owner, h.note, h.created_at AS held_at"""
# Keys whose values change which orders shipcheck finds: a shop that sets its own is
# checked apart, with its own SQL parameters.
GROUP_KEYS = ("ship_deadline_hours", "stalled_days", "stalled_max_days")


class Plan:
    """The statements one run executes, in order, with their parameters (the benchmark
    replays them). ``feeds``: a statement whose rows (order keys) become a parameter of
    the statements after it, as a JSON list."""

    def __init__(self, params: Optional[dict[str, Any]] = None):
        self.statements: list[tuple[str, str]] = []
        self.params: dict[str, Any] = params or {}
        self.feeds: dict[str, str] = {}

    def add(self, name: str, sql: str, feeds: Optional[str] = None) -> None:
        self.statements.append((name, " ".join(sql.split())))
        if feeds:
            self.feeds[name] = feeds
            self.params.setdefault(feeds, "[]")

    def run(self, journal) -> dict[str, list]:
        """Every statement's rows, by name."""
        params = dict(self.params)
        res = {}
        for name, sql in self.statements:
            res[name] = journal.query(sql, params)
            if name in self.feeds and res[name]:
                import json  # start-up: an idle remind finds no order

                params[self.feeds[name]] = json.dumps([tuple(r) for r in res[name]])
        return res


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


def scope_terms(scope: Any, params: dict[str, Any], alias: str = "") -> str:
    """`` AND platform = :s_platform …`` for a scope, its values put in ``params``."""
    p = f"{alias}." if alias else ""
    out = ""
    for part in ("platform", "shop"):
        value = getattr(scope, part, None) if scope is not None else None
        if value:
            params[f"s_{part}"] = value
            out += f" AND {p}{part} = :s_{part}"
    return out


def group_terms(group: Optional[tuple[str, ...]], own: bool, params: dict[str, Any],
                alias: str = "") -> str:
    """`` AND shop = :g0`` for one shop with rules of its own (``own``), or the shops that
    have none (`` AND (shop IS NULL OR shop NOT IN (…))``); nothing without such shops."""
    if not group:
        return ""
    p = f"{alias}." if alias else ""
    names = []
    for i, shop in enumerate(group):
        params[f"g{i}"] = shop
        names.append(f":g{i}")
    if own:
        return f" AND {p}shop = :g0"
    return f" AND ({p}shop IS NULL OR {p}shop NOT IN ({', '.join(names)}))"


def plan(rules: Rules, only: Sequence[str] = (), limit: Optional[int] = 50,
         paid_before: Optional[str] = None, scope: Any = None,
         group: Optional[tuple[str, ...]] = None, own: bool = False) -> Plan:
    """The SQL for a run (of one group of shops: see :func:`groups`); ``paid_before`` (a
    journal instant) keeps older orders only; ``scope`` limits platform and shop."""
    wanted = set(only or CHECKS)
    normal = _NORMAL
    p = Plan(params={**rules.params(), "limit": limit if limit else -1, "before": paid_before,
                     "today": rules.today.isoformat(), "min_year": MIN_TEXT,
                     "max_year": MAX_TEXT})
    where = scope_terms(scope, p.params) + group_terms(group, own, p.params)
    o_where = scope_terms(scope, {}, "o") + group_terms(group, own, {}, "o")
    before = f" AND {_BASE} < :before" if paid_before else ""
    if wanted & {"overdue", "due_soon", "ship_today", "hold_due", "waiting_buyer"}:
        p.add("unheld", f"""SELECT u.order_id, u.platform FROM ({_UNHELD}) u
            CROSS JOIN orders o ON o.order_id = u.order_id AND o.platform = u.platform
            WHERE o.{_WAITING} AND o.brushing = 0{o_where}""", feeds="unheld")
    if wanted & set(_OWN):
        # Each bucket is a range of an index, counted: a range of ``orders_waiting`` (by
        # the start of the clock) for the policy's deadline, of ``orders_waiting_by`` for
        # the export's own. One pass judging every waiting order in a CASE took 2.5 times
        # as long with 200k orders waiting.
        counts = [f"""(SELECT count(*) FROM orders WHERE {_WAITING} AND {_POLICY}
                  AND brushing = 0 AND {_BY_POLICY[c]}{before}{where})""" for c in _OWN]
        counts += [f"""(SELECT count(*) FROM orders INDEXED BY orders_waiting_by
                   WHERE {_WAITING} AND ship_by IS NOT NULL AND brushing = 0
                   AND {_OWN[c]}{before}{where})""" for c in _OWN]
        p.add("deadline_counts", "SELECT " + ", ".join(counts))
    for check in _OWN:
        if check in wanted:
            p.add(check, f"""SELECT {_ROW} FROM orders WHERE {normal} AND {_POLICY}
                AND {_BY_POLICY[check]}{before}{where} ORDER BY {_BASE}, order_id LIMIT :limit""")
            order = "ship_by" if check != "ship_today" else _BASE
            # (few orders have a ship-by time of their own: from its index, sorted after)
            p.add(check + "_by", f"""SELECT {_ROW} FROM orders INDEXED BY orders_waiting_by
                WHERE {normal} AND ship_by IS NOT NULL AND {_OWN[check]}{before}{where}
                ORDER BY {order}, order_id LIMIT :limit""")
    if wanted & {"overdue", "due_soon", "ship_today", "hold_due", "waiting_buyer"}:
        held = _HELD.format(where=o_where)
        p.add("held", f"""
            SELECT order_id, platform, base, day, py, {_HELD_CHECK} AS chk,
                   {_HELD_BUCKET} AS bucket, ship_by FROM ({held})""")
    if "stalled" in wanted and not paid_before:
        stalled = (f"status = 'shipped' AND brushing = 0 AND {_TRANSIT} <= :t_stalled"
                   f" AND {_TRANSIT} >= :t_oldest{where}")
        p.add("stalled_count", f"SELECT count(*) FROM orders WHERE {stalled}")
        p.add("stalled", f"""
            SELECT order_id, platform, shop, buyer, status, courier, tracking_no, shipped_at,
                   paid_at, created_at, {_TRANSIT} AS base
            FROM orders WHERE {stalled} ORDER BY {_TRANSIT}, order_id LIMIT :limit""")
    if "brush_shipped" in wanted and not paid_before:
        brushed = f"brushing = 1 AND status IN ('shipped', 'part_shipped'){where}"
        p.add("brush_count", f"SELECT count(*) FROM orders WHERE {brushed}")
        p.add("brush_shipped", f"""
            SELECT order_id, platform, shop, buyer, status, courier, tracking_no, shipped_at,
                   paid_at, created_at, {_TRANSIT} AS base
            FROM orders WHERE {brushed} ORDER BY {_TRANSIT}, order_id LIMIT :limit""")
    return p


def groups(policy) -> list[tuple[Any, Optional[tuple[str, ...]], bool]]:
    """``(policy, shops, own)`` for each group of shops one plan checks: every shop whose
    own values change :data:`GROUP_KEYS` apart (``own``), and the rest together
    (``shops`` then names the shops left out). One group, unfiltered, when no shop has
    rules of its own."""
    apart = tuple(policy.differs(GROUP_KEYS))
    if not apart:
        return [(policy, None, False)]
    return [(policy, apart, False)] + [(policy.shop(s), (s,), True) for s in apart]


def run(ctx, *, within_hours: float = 24.0, only: Sequence[str] = (),
        limit: Optional[int] = 50, paid_before: Optional[str] = None,
        leave_out: frozenset = frozenset()) -> Report:
    """Every order in ``ctx.scope`` needing shipping attention: at most ``limit`` rows per
    check (None: all), each order judged by its shop's rules.

    ``counts`` has every order found, shown or not. Rows are sorted by check
    (:data:`CHECKS` order), then by due time. ``leave_out``: (order, platform) keys
    whose rows are not wanted (the handover sheet has rows of its own for them): left
    out of the rows, and their rows never built, but counted; only with no ``limit``
    (the deadline lists are cut in SQL before they are left out).
    """
    if leave_out and limit:
        raise ValueError("leave_out lists every row: give no limit")
    wanted = tuple(c for c in CHECKS if c in set(only or CHECKS))
    found: dict[str, list[tuple[str, dict]]] = {c: [] for c in CHECKS}
    counts = dict.fromkeys(wanted, 0)
    strange: list[str] = []  # orders whose stored times no shop could mean (an older cstool)
    for policy, shops, own in groups(ctx.policy):
        _run_group(ctx, policy, shops, own, within_hours, only, limit, paid_before,
                   found, counts, strange, leave_out)
    rows: list[dict] = []
    for check in wanted:
        items = sorted(found[check], key=lambda kv: (kv[0], kv[1]["order_id"]))
        rows.extend(row() if isinstance(row, _Later) else row
                    for _, row in (items[:limit] if limit else items))
    problems = []
    if strange:
        problems.append(_("{n} order(s) carry times or hold dates outside the years {era} "
                          "({orders}): left out, or the hold ignored; import a fresh export or "
                          "release the hold").format(
            n=len(set(strange)), era=ERA, orders=", ".join(sorted(set(strange))[:3])
            + (", …" if len(set(strange)) > 3 else "")))
    return Report(rows=rows, counts=counts, problems=problems)


def _run_group(ctx, policy, shops, own, within_hours, only, limit, paid_before,
               found: dict, counts: dict, strange: list, leave_out: frozenset) -> None:
    journal = ctx.journal
    rules = Rules.of(ctx.clock, policy, within_hours)
    # the same-day cutoff and dispatch time are read per order, from its shop
    shop_rules: dict[Optional[str], Rules] = {}

    def rules_of(r) -> Rules:
        if own:
            return rules
        shop = r["shop"]
        if shop not in shop_rules:
            shop_rules[shop] = Rules.of(ctx.clock, ctx.policy.shop(shop), within_hours)
        return shop_rules[shop]

    p = plan(rules, only, limit, paid_before, ctx.scope, shops, own)
    res = p.run(journal)
    if "deadline_counts" in res:  # by the policy's deadline, then by the export's own
        n = res["deadline_counts"][0]
        buckets = {k: n[i] + n[i + len(_OWN)] for i, k in enumerate(_OWN)}
    else:
        buckets = {}
    # The held orders judged in SQL are counted here, and only the first of each check
    # get their rows built; the rest of the special orders are read and judged in full.
    unheld = {(r[0], r[1]) for r in res.get("unheld", ())}
    read = set(unheld)
    judged: dict[str, list] = {c: [] for c in CHECKS}
    # the dispatch time orders the hold_due rows: one for all, or each order is read
    one_dispatch = own or not ctx.policy.differs(("dispatch_time",))
    for order_id, platform, base, day, py, chk, bucket, ship_by in res.get("held", ()):
        key = (order_id, platform)
        if py or key in unheld or not one_dispatch or (chk is None and day is None
                                                       and ship_by is not None):
            read.add(key)  # left to Python
            continue
        if paid_before and base >= paid_before and day is None:
            continue  # newer than the morning's orders, and no hold date has come
        if chk is None and day is None:
            # only an owner: the deadline's check, already counted in its bucket; its
            # deadline is the group's hours after its start, so it sorts by the start
            if bucket in counts and key not in leave_out:
                judged[bucket].append((base, key))
            continue
        if buckets and (not paid_before or base < paid_before):
            buckets[bucket] -= 1  # counted by the deadline above, judged here
        if chk in counts:
            counts[chk] += 1
            if key not in leave_out:
                judged[chk].append((day if chk == "hold_due" else base, key))
    if limit and any(judged.values()):
        import heapq  # start-up: an idle remind finds no order

        shown = {key for rows in judged.values() for _, key in heapq.nsmallest(limit, rows)}
    else:
        shown = {key for rows in judged.values() for _, key in rows}
    special: dict[tuple[str, str], list] = {}
    for r in _special_rows(journal, sorted(read | shown)):
        if r["brushing"] == 0:
            special.setdefault((r["order_id"], r["platform"]), []).append(r)
    read &= set(special)
    if buckets:
        for key in read:  # counted by the deadline above, judged below
            rs = special[key]
            if not paid_before or rs[0]["base"] < paid_before:
                buckets[deadline_check(rules, rs[0])] -= 1
        for check, n in buckets.items():
            if check in counts:
                counts[check] += n

    def sane(r, check: Optional[str] = None) -> bool:
        if _in_era(r["base"]) and _in_era(r["ship_by"] if "ship_by" in r.keys() else None):
            return True
        strange.append(r["order_id"])
        if check in counts:
            counts[check] -= 1
        return False

    for check in _OWN:
        for r in (*res.get(check, ()), *res.get(check + "_by", ())):
            if sane(r, check) and (r["order_id"], r["platform"]) not in leave_out:
                rr = rules_of(r)
                found[check].append((due_key(rr, check, r), deadline_row(rr, r, check, ())))
    lines = _lines_of(journal, [k for k, rs in special.items() if rs[0]["part_refunded"]])
    for key in shown:  # judged and counted in SQL: the rows shown
        rs = special[key]
        r = rs[0]
        rr = rules_of(r)
        row = special_row(rr, r, [h for h in rs if h["kind"]], lines.get(key, []))
        if row is not None and row["check"] in counts:
            found[row["check"]].append((row["due_at"] if row["check"] == "hold_due"
                                        else due_key(rr, row["check"], r), row))
    for key in sorted(read):
        rs = special[key]
        r, hs = rs[0], [h for h in rs if h["kind"]]
        if not sane(r):
            continue
        if not all(_in_era(h["until"]) for h in hs):  # a hold date from an older cstool
            strange.append(r["order_id"])
            hs = [h for h in hs if _in_era(h["until"])]
        rr = rules_of(r)
        if paid_before and r["base"] >= paid_before and not hold_dates(rr, r, hs, words=False):
            continue
        # judged and counted here; the row is built if it is shown (:class:`_Later`)
        judged = special_check(rr, r, hs, lines.get(key, []))
        if judged is None or judged[0] not in counts:
            continue
        check, due = judged
        counts[check] += 1
        if key in leave_out:
            continue
        sort = Instant(to_db(due)) if check == "hold_due" else due_key(rr, check, r)
        found[check].append((sort, _Later(r["order_id"], special_row,
                                          (rr, r, hs, lines.get(key, [])))))
    if "stalled" in res:
        counts["stalled"] += res["stalled_count"][0][0]
        notes = _open_exceptions(journal, [(r["order_id"], r["platform"]) for r in res["stalled"]])
        found["stalled"] += [(r["base"], stalled_row(rules, r, notes.get((r["order_id"],
                                                                          r["platform"]))))
                             for r in res["stalled"] if sane(r, "stalled")
                             and (r["order_id"], r["platform"]) not in leave_out]
    if "brush_shipped" in res:
        counts["brush_shipped"] += res["brush_count"][0][0]
        found["brush_shipped"] += [(r["base"], brush_row(rules, r)) for r in res["brush_shipped"]
                                   if sane(r, "brush_shipped")
                                   and (r["order_id"], r["platform"]) not in leave_out]


class _Later:
    """A row built when it is shown: its order number (what ties sort by), and how."""

    __slots__ = ("order_id", "build", "args")

    def __init__(self, order_id: str, build, args: tuple):
        self.order_id, self.build, self.args = order_id, build, args

    def __getitem__(self, key: str):
        if key != "order_id":
            raise KeyError(key)
        return self.order_id

    def __call__(self) -> dict:
        return self.build(*self.args)


def _special_rows(journal, keys: list[tuple[str, str]]) -> list:
    """The special orders' rows, one per (order, open hold)."""
    if not keys:
        return []
    import json

    return journal.query(
        f"SELECT {_SPECIAL_COLUMNS} FROM orders o "
        "LEFT JOIN holds h ON h.order_id = o.order_id AND h.platform = o.platform "
        "AND h.released_at IS NULL WHERE (o.order_id, o.platform) IN "
        "(SELECT value ->> 0, value ->> 1 FROM json_each(?)) "
        "ORDER BY o.order_id, o.platform, h.id", [json.dumps(keys)])


def _lines_of(journal, keys: list[tuple[str, str]]) -> dict[tuple[str, str], list]:
    """The lines of these orders (the partly refunded ones a run shows: few)."""
    out: dict[tuple[str, str], list] = {}
    wanted = set(keys)
    for i in range(0, len(keys), 500):
        chunk = sorted({oid for oid, _ in keys[i:i + 500]})
        for r in journal.query(
                f"SELECT * FROM order_lines WHERE order_id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY id", chunk):
            if (r["order_id"], r["platform"]) in wanted:
                out.setdefault((r["order_id"], r["platform"]), []).append(r)
    return out


def _in_era(instant: Optional[str]) -> bool:
    """A stored instant a shop could mean (older versions accepted any year)."""
    return not instant or MIN_TEXT <= instant[:4] <= MAX_TEXT


MIN_TEXT, MAX_TEXT = str(MIN_YEAR), str(MAX_YEAR)


def check(ctx, within_hours: float = 24.0, limit: Optional[int] = None,
          leave_out: frozenset = frozenset()) -> list[dict]:
    """What must ship soon or is late: overdue, due_soon and hold_due rows (for cron);
    ``leave_out``: orders whose rows are not wanted (:func:`run`)."""
    return run(ctx, within_hours=within_hours, only=FAILING, limit=limit,
               leave_out=leave_out).rows


def _open_exceptions(journal, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """A note per order with an open abnormal-shipment case."""
    if not keys:
        return {}
    wanted = set(keys)
    out: dict[tuple[str, str], str] = {}
    # open cases are few; the shown orders may be many (--limit 0)
    for e in journal.query("SELECT id, order_id, platform, kind FROM exceptions "
                           "WHERE closed_at IS NULL ORDER BY id"):
        key = (e["order_id"], e["platform"])
        if key in wanted:
            out.setdefault(key, M_("Abnormal shipment #{id} ({kind}) is open.", id=e["id"],
                                   kind=e["kind"]))
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
