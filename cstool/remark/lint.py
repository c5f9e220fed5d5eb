"""Remark lint: every remark checked against the shop's format, one row per problem."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Optional

from cstool.core.clock import from_db
from cstool.core.i18n import M_, NC_, pgettext
from cstool.core.values import Instant, Memo
from cstool.core.vocab import COLOUR, SHIPPED
from cstool.core.where import Where
from cstool.remark.parse import Parser
from cstool.remark.store import shop_of

# -- lint -------------------------------------------------------------------------------------------

_CHECKS = (  # a parse problem's opening words -> its check, for --by agent and scripts
    ("no time", "missing_time"), ("no author", "missing_author"), ("no flag", "missing_flag"),
    ("no handling", "missing_handling"), ("no content", "missing_content"),
    ("flag ", "flag_scheme"), ("amount to return", "rebate_sum"),
)


# Each check's name as people read it (JSON, CSV and JSONL keep the name itself).
CHECK_NAMES = (
    NC_("remark check", "missing_time"), NC_("remark check", "missing_author"),
    NC_("remark check", "missing_flag"), NC_("remark check", "missing_handling"),
    NC_("remark check", "missing_content"), NC_("remark check", "flag_scheme"),
    NC_("remark check", "rebate_sum"), NC_("remark check", "incomplete"),
    NC_("remark check", "hold_past"), NC_("remark check", "brush_shipped"),
    NC_("remark check", "(no author)"))


class Checks:
    """Check names (and ``--by agent``'s "(no author)") in the reader's language, for
    tables: one name, or a count per name (``by_check``)."""

    @staticmethod
    def shown(value):
        if isinstance(value, dict):
            return {Checks.shown(k): n for k, n in value.items()}
        return pgettext("remark check", value) if value in CHECK_NAMES else value


def _check(problem: str) -> str:
    text = problem.split(": ", 1)[1] if problem.startswith("line ") else problem
    return next((c for prefix, c in _CHECKS if text.startswith(prefix)), "incomplete")


@dataclass
class LintStats:
    checked: int = 0      # remarks looked at
    problems: int = 0
    remarks: int = 0      # remarks (or orders) with at least one problem


def lint(ctx, *, since: Optional[str] = None, author: Optional[str] = None,
         stats: Optional[LintStats] = None) -> Iterator[dict]:
    """Every remark checked against the shop's format: yields one row per problem.

    Checked: cli and chase remarks, and each order's current platform memo
    (older versions of a memo are history). ``since``: a journal instant,
    compared with the remark's own time (or when it was recorded);
    ``author``: one agent's remarks. ``stats`` is filled in as rows go by.
    Rows stream: a journal of a million orders is linted in constant memory.
    """
    journal, clock, policy = ctx.journal, ctx.clock, ctx.policy
    stats = stats if stats is not None else LintStats()
    known = shop_of(journal, policy)
    limits: dict = {}  # the platform's memo limit, as each shop's policy says it
    jobs = {r[0]: r[1] for r in journal.query("SELECT short, job_no FROM agents WHERE job_no <> ''")}
    sql = ("SELECT r.id, r.order_id, r.platform, r.source, r.text, r.flag, r.author, "
           "r.created_by, r.at, r.created_at, o.seller_memo, o.flag AS order_flag, o.shop "
           "FROM remarks r CROSS JOIN orders o "  # remarks first, as written
           "ON o.order_id = r.order_id AND o.platform = r.platform "
           "WHERE (r.source <> 'platform' OR (r.text = o.seller_memo AND r.id = "
           "(SELECT max(x.id) FROM remarks x WHERE x.order_id = r.order_id "
           "AND x.platform = r.platform AND x.source = 'platform')))")
    w = Where().scope(ctx.scope, orders="o")
    sql += w.also()
    params: list = list(w.params)
    order = " ORDER BY r.id"  # the whole history streams in the table's order
    if since:
        # From the index of the remarks' times (m0080): a day's remarks, not the history;
        # "+" so that SQLite does not walk the table to save sorting a day's rows.
        sql += " AND coalesce(r.at, r.created_at) >= ?"
        params.append(since)
        order = " ORDER BY +r.id"
    parsers: dict[str, Parser] = {}
    for r in journal.execute(sql + order, params):
        parser = parsers.get(r["created_at"])
        if parser is None:
            ref = from_db(r["created_at"]).astimezone(clock.tz)
            parser = parsers[r["created_at"]] = Parser(ref, known)
        platform = r["source"] == "platform"
        flag = r["flag"] if not platform else COLOUR.get(r["order_flag"]) if r["order_flag"] \
            else None
        p = parser(r["text"], flag)
        who = p.author if platform else (r["author"] or r["created_by"])
        if author and who != author:
            continue
        stats.checked += 1
        found = [(_check(x), x) for x in p.problems
                 if not (r["source"] == "chase" and _check(x) == "missing_author")]
        for line in p.lines():
            a = line.author if platform else who
            if a and a not in known.agents:
                found.append(("unknown_author",
                              M_("author {a} is not a registered agent (cstool agent add {a})",
                                 a=a)))
            for h in line.fields.get("holds", ()):
                if h.get("owner") and h["owner"] not in known.agents:
                    found.append(("unknown_author",
                                  M_("hold owner {owner} is not a registered agent",
                                     owner=h["owner"])))
            job = line.fields.get("job_no")
            if line.kind == "sale" and a in jobs and job and job != jobs[a]:
                found.append(("job_no", M_("工号{job} is not {a}'s job number ({known})",
                                           job=job, a=a, known=jobs[a])))
        if platform:
            size = len((r["seller_memo"] or "").encode("utf-8"))
            if r["shop"] not in limits:
                limits[r["shop"]] = policy.get("remark.memo_max_bytes", r["shop"])
            limit = limits[r["shop"]]
            if size > limit:
                found.append(("too_long", M_("memo is {size} bytes; the platform keeps {limit}",
                                             size=size, limit=limit)))
        if found:
            stats.remarks += 1
        for check, problem in dict.fromkeys(found):
            stats.problems += 1
            yield _finding(r["order_id"], who, p.kind, check, problem, r["id"], r["source"],
                           r["at"], r["text"], r["platform"])
    yield from _order_checks(journal, clock, since, author, stats, ctx.scope)


def _finding(order_id, author, kind, check, problem, remark_id, source, at, text,
             platform) -> dict:
    return {"order_id": order_id, "platform": platform, "author": author, "kind": kind,
            "check": check,
            "problem": problem, "remark_id": remark_id, "source": source,
            "at": Instant(at) if at else None, "text": Memo(text or "")}


# Orders still to ship, from the queues' partial indexes (the open orders, not the history).
_OPEN_ORDERS = ("SELECT order_id, platform FROM orders WHERE status = 'unpaid' UNION ALL "
                "SELECT order_id, platform FROM orders WHERE status IN ('paid', 'part_shipped')")


def _order_checks(journal, clock, since, author, stats: LintStats,
                  scope=None) -> Iterator[dict]:
    """Holds whose date passed on unshipped orders; brushing orders that shipped.

    Holds are read from the orders still open; with ``since``, the brushing marks
    from the remarks written since (the index of the remarks' times; CROSS JOIN keeps
    that order), so a day's lint costs the day, not every brushing order there was.
    """
    today = clock.today().isoformat()
    w = Where().scope(scope, orders="o")
    when = " AND coalesce(r.at, r.created_at, '') >= ?" if since else ""
    holds = journal.execute(
        "SELECT h.order_id, h.platform, h.kind, h.until, h.remark_id, r.text, r.author, "
        "r.created_by, r.source, r.kind AS rkind, r.at, r.created_at FROM holds h "
        "JOIN orders o ON o.order_id = h.order_id AND o.platform = h.platform "
        "LEFT JOIN remarks r ON r.id = h.remark_id "
        f"WHERE (h.order_id, h.platform) IN ({_OPEN_ORDERS}) "
        "AND h.released_at IS NULL AND h.kind IN ('until', 'presale') AND h.until < ? "
        f"AND o.status IN ('unpaid', 'paid', 'part_shipped'){when}" + w.also()
        + " ORDER BY h.order_id", [today, *([since] if since else []), *w.params])
    shipped = ",".join(f"'{s}'" for s in SHIPPED)
    if since:
        brushing = journal.execute(
            "SELECT o.order_id, o.platform, r.id AS remark_id, r.text, r.author, r.created_by, "
            "r.source, r.at, r.created_at FROM remarks r CROSS JOIN orders o "
            "ON o.order_id = r.order_id AND o.platform = r.platform "
            "WHERE coalesce(r.at, r.created_at) >= ? AND r.kind = 'brush' "
            "AND r.id = (SELECT max(id) FROM remarks WHERE order_id = r.order_id "
            "AND platform = r.platform AND kind = 'brush') "
            f"AND o.brushing = 1 AND o.status IN ({shipped}){w.also()} ORDER BY o.order_id",
            [since, *w.params])
    else:
        brushing = journal.execute(
            "SELECT o.order_id, o.platform, r.id AS remark_id, r.text, r.author, r.created_by, "
            "r.source, r.at, r.created_at FROM orders o LEFT JOIN remarks r ON r.id = "
            "(SELECT max(id) FROM remarks WHERE order_id = o.order_id AND platform = o.platform "
            "AND kind = 'brush') "
            f"WHERE o.brushing = 1 AND o.status IN ({shipped}){w.also()} ORDER BY o.order_id",
            w.params)
    for rows, check in ((holds, "hold_past"), (brushing, "brush_shipped")):
        for h in rows:
            who = h["author"] or h["created_by"]
            if author and who != author:
                continue
            if check == "hold_past":
                problem, kind = ((M_("presale date {day} has passed and the order has not "
                                     "shipped", day=h["until"]) if h["kind"] == "presale" else
                                  M_("hold date {day} has passed and the order has not shipped",
                                     day=h["until"])), h["rkind"])
            else:
                problem, kind = M_("brushing order (@@@) has shipped"), "brush"
            stats.problems += 1
            stats.remarks += 1
            yield _finding(h["order_id"], who, kind, check, problem, h["remark_id"], h["source"],
                           h["at"], h["text"], h["platform"])


def lint_by_agent(rows) -> list[dict]:
    """Problems per agent, for supervisors: how many, of which checks, the most common."""
    per: dict[str, Counter] = {}
    remarks: dict[str, set] = {}
    for r in rows:
        who = r["author"] or "(no author)"
        per.setdefault(who, Counter())[r["check"]] += 1
        remarks.setdefault(who, set()).add(r["remark_id"] or ("order", r["order_id"]))
    out = []
    for who in sorted(per, key=lambda w: (-sum(per[w].values()), w)):
        c = per[who]
        out.append({"agent": who, "remarks_with_problems": len(remarks[who]),
                    "problems": sum(c.values()), "most_common": c.most_common(1)[0][0],
                    "by_check": dict(c.most_common())})
    return out

