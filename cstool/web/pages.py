"""The web view's pages: each calls the routines' library and lays its rows out.

Nothing here computes a rule of its own: deadlines and holds come from
:func:`cstool.shipcheck.checks.run`, the chase queue from :func:`cstool.chase.queue.due`,
conversion from :func:`cstool.chase.stats.stats`, next steps from
:mod:`cstool.cases.views`, and so on — the same figures the commands print.
Every call gets :attr:`Ctx.core`, the context whose scope (the page's
``platform=``/``shop=``) the library applies, as the command line's --platform/--shop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Optional

from cstool.app import order_view, report
from cstool.cases import report as cases_report
from cstool.cases import views as case_views
from cstool.cases.playbooks import ACTION, KIND, OUTCOME, PAYER, RESOLUTION, STEP
from cstool.cases.playbooks import STATUS as CASE_STATUS
from cstool.chase import queue as chase_queue
from cstool.chase import stats as chase_stats
from cstool.core.clock import to_db
from cstool.core.context import Context
from cstool.core.errors import InputError
from cstool.core.i18n import NC_, gettext, language, pgettext, reread
from cstool.core.vocab import COLOUR, PLATFORM, REFUND
from cstool.core.vocab import STATUS as ORDER_STATUS
from cstool.handover import items as handover
from cstool.remark import lint as remarks
from cstool.remark.flags import KIND as REMARK_KIND
from cstool.shipcheck import checks as shipcheck
from cstool.shipcheck import deadlines
from cstool.shipcheck import morning as morning_view
from cstool.web.charts import Series, bars
from cstool.web.filters import Filters, Scope
from cstool.web.render import Page, Section, Tile, WebRenderer, section

ROW_LIMIT = 200


class _InContext:
    """Words shown through their messages in a context (a step's state: 下一步)."""

    def __init__(self, context: str):
        self.context = context

    def shown(self, value: str) -> str:
        return pgettext(self.context, value)


class _MorningKind:
    """A morning row's kind: a check, what asked for a request, or a case's kind."""

    @staticmethod
    def shown(value: str) -> str:
        for vocab in (shipcheck.CHECK, morning_view.REQUEST, KIND):
            if value in vocab.labels:
                return vocab.shown(value)
        return value


# How a key's values read on every page: as the command line's tables read them (the
# manuals' words in Chinese, the values in English); a page's table adds its own.
WORDS: dict[str, Any] = {
    "platform": PLATFORM, "status": ORDER_STATUS, "order_status": ORDER_STATUS,
    "refund_status": REFUND, "channel": chase_queue.CHANNEL, "result": chase_queue.RESULT,
    "reason": chase_queue.REASON, "category": handover.CATEGORY, "resolution": RESOLUTION,
    "outcome": OUTCOME, "freight_payer": PAYER, "return_freight_payer": PAYER,
    "flag": COLOUR, "check": shipcheck.CHECK,
    # text cstool wrote in English and keeps in the journal, read back
    "problem": reread, "problems": reread, "todo": reread,
}
CASE_WORDS: dict[str, Any] = {"status": CASE_STATUS, "step": STEP, "action": ACTION,
                              "state": _InContext("step state"),
                              "file": _InContext("photo state")}
REMARK_WORDS: dict[str, Any] = {"kind": REMARK_KIND, "check": remarks.Checks,
                                "agent": remarks.Checks, "most_common": remarks.Checks,
                                "by_check": remarks.Checks}


@dataclass
class Ctx:
    """One request's view of the journal: its clock, policy, filters and scope."""

    journal: Any
    clock: Any
    policy: Any
    filters: Filters
    scope: Scope
    render: WebRenderer
    args: Mapping[str, str]

    @property
    def now_db(self) -> str:
        return self.clock.now_db()

    @property
    def core(self) -> Context:
        """The context the routines' library is called with (nobody's agent: read-only),
        limited to the page's platform and shop: every library function applies it."""
        return Context(self.journal, self.clock, self.policy, scope=self.scope.core)

    def since(self) -> str:
        return self.filters.since(self.clock)

    def until(self) -> str:
        return self.filters.until(self.clock)

    def link(self, path: str, **changes: Any) -> str:
        return path + self.filters.query(**changes)


def context(journal, clock, policy, args: Mapping[str, str]) -> Ctx:
    filters = Filters.parse(args, clock)
    return Ctx(journal=journal, clock=clock, policy=policy, filters=filters,
               scope=Scope(journal, filters), render=WebRenderer(clock, filters.query(), WORDS),
               args=args)


def _labelled(rows: Sequence[dict], key: str, label: Callable[[str], str]) -> list[dict]:
    """Rows with ``key`` shown as ``破损 damaged`` (the manuals' word, then the value) in
    English, as the manuals' word alone in Chinese (the command line's tables too)."""
    out = []
    chinese = language() == "zh"
    for r in rows:
        v = r.get(key)
        out.append({**r, key: label(v) if chinese and v else
                    f"{label(v)} {v}" if v and label(v) != v else v})
    return out


def _choice(ctx: Ctx, name: str, vocab) -> Optional[str]:
    text = (ctx.args.get(name) or "").strip()
    if not text:
        return None
    canon = vocab.get(text)
    if canon is None:
        raise InputError(f"{name}={text}: use one of {vocab.choices()}")
    return canon


def _number(ctx: Ctx, name: str, default: float, low: float, high: float) -> float:
    text = (ctx.args.get(name) or "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:
        raise InputError(f"{name}={text}: use a number from {low:g} to {high:g}")
    return value


# --- overview ---------------------------------------------------------------------------


def overview(ctx: Ctx) -> Page:
    c = ctx.clock
    ship = shipcheck.run(ctx.core, only=shipcheck.FAILING, limit=10)
    queue = chase_queue.due(ctx.core, limit=ROW_LIMIT)
    open_cases = case_views.list_cases(ctx.core, open_only=True)
    items = handover.list_items(ctx.core, open_only=True)
    n = ship.counts
    late = sum(1 for x in open_cases if x["overdue"])
    page = Page(title=pgettext("web", "Overview"), intro=pgettext("web", "Now {now}: what needs doing. The figures of a period are on the "
                "other pages.").format(now=c.now().strftime('%Y-%m-%d %H:%M')))
    page.tiles = [
        Tile(pgettext("web", "overdue"), str(n.get("overdue", 0)), ctx.link("/shipping") + "#overdue",
             alert=bool(n.get("overdue"))),
        Tile(pgettext("web", "due soon"), str(n.get("due_soon", 0)), ctx.link("/shipping") + "#due_soon",
             alert=bool(n.get("due_soon"))),
        Tile(pgettext("web", "hold due"), str(n.get("hold_due", 0)), ctx.link("/shipping") + "#hold_due"),
        Tile(pgettext("web", "to chase now"), f"{len(queue)}{'+' if len(queue) >= ROW_LIMIT else ''}",
             ctx.link("/chase")),
        Tile(pgettext("web", "open cases") + (pgettext("web", " · {n} late").format(n=late) if late else ""), str(len(open_cases)),
             ctx.link("/cases"), alert=bool(late)),
        Tile(pgettext("web", "handover open"), str(len(items)), ctx.link("/handover")),
    ]
    page.sections.append(section(
        ctx.render, pgettext("web", "Most urgent shipments"), ship.rows,
        ("check", "order_id", "buyer", "due_at", "hours_left", "detail"),
        total=sum(n.values()), empty=pgettext("web", "(nothing late or due soon)"),
        note=None if sum(n.values()) <= len(ship.rows) else
        pgettext("web", "all of them: see Shipping")))
    page.links = [(pgettext("web", "Charts: chase conversion, shipments on time, cases →"),
                   ctx.link("/charts"))]
    return page


# --- shipping ---------------------------------------------------------------------------

CHECK_TITLES = {
    "overdue": NC_("web", "Overdue: past the ship deadline"),
    "due_soon": NC_("web", "Due soon"),
    "hold_due": NC_("web", "Hold or presale date has come"),
    "brush_shipped": NC_("web", "Brushing orders that shipped"),
    "ship_today": NC_("web", "Today's (or tomorrow's) batch"),
    "waiting_buyer": NC_("web", "Waiting for the buyer's answer"),
    "stalled": NC_("web", "Shipped, not signed"),
}
MORNING_TITLES = {
    "unshipped": NC_("web", "1. Paid before today, not shipped (ship these first)"),
    "request": NC_("web", "2. Requests no remark marks as done"),
    "exception": NC_("web", "3. Open abnormal shipments, oldest first"),
}


def shipping(ctx: Ctx) -> Page:
    within = _number(ctx, "within", 24, 0, 24 * 14)
    only = _choice(ctx, "check", shipcheck.CHECK)
    morning = ctx.args.get("view") == "morning"
    page = Page(title=pgettext("web", "Shipping") + (pgettext("web", " · morning") if morning else ""),
                intro=pgettext("web", "The {hours} h deadline counts from payment; due soon = within "
                             "{within} h. Same rules as `cstool shipcheck`.").format(
                    hours=ctx.policy.get('ship_deadline_hours'), within=f"{within:g}"))
    page.links = [(pgettext("web", "all checks"), ctx.link("/shipping")),
                  (pgettext("web", "morning routine"), ctx.link("/shipping") + _amp(ctx, "view=morning"))]
    if morning:
        rep = morning_view.morning(ctx.core,
                             within_hours=within, limit=ROW_LIMIT)
        for key, title in MORNING_TITLES.items():
            rows = [r for r in rep.rows if r["section"] == key]
            page.sections.append(section(
                ctx.render, pgettext("web", title), rows,
                ("kind", "order_id", "buyer", "due_at", "hours_left", "detail", "exception_id"),
                total=rep.counts.get(key, len(rows)), anchor=key, words={"kind": _MorningKind}))
        return page
    rep = shipcheck.run(ctx.core, within_hours=within,
                         only=(only,) if only else (), limit=ROW_LIMIT)
    for check in shipcheck.CHECKS:
        if only and check != only:
            continue
        rows = [r for r in rep.rows if r["check"] == check]
        page.sections.append(section(
            ctx.render, pgettext("web", CHECK_TITLES[check]), rows,
            ("order_id", "buyer", "due_at", "hours_left", "owner", "detail"),
            total=rep.counts.get(check, len(rows)), anchor=check))
    return page


def _amp(ctx: Ctx, extra: str) -> str:
    return ("&" if ctx.filters.query() else "?") + extra


# --- chase ------------------------------------------------------------------------------


def chasing(ctx: Ctx) -> Page:
    all_ = ctx.args.get("all") in ("1", "on", "yes")
    channel = _choice(ctx, "channel", chase_queue.CHANNEL)
    queue = chase_queue.due(ctx.core, channel=channel, all_=all_, limit=ROW_LIMIT)
    page = Page(title=pgettext("web", "Chasing unpaid orders"),
                intro=pgettext("web", "The queue of `cstool chase due`: most valuable first, the channel open now "
                      "and the message to send; conversion as `cstool chase stats` counts it."))
    page.links = [(pgettext("web", "due now"), ctx.link("/chase")),
                  (pgettext("web", "all, with when they open"), ctx.link("/chase") + _amp(ctx, "all=1")),
                  (pgettext("web", "chart by day and agent"), ctx.link("/charts") + "#chase")]
    cols = ["order_id", "buyer", "amount", "unpaid_minutes", "attempts", "last_chased_at",
            "last_chased_by", "channel", "message", "owner"]
    if all_:
        cols.insert(8, "opens_at")
    page.sections.append(section(
        ctx.render, pgettext("web", "Queue (all)") if all_ else pgettext("web", "Queue (now)"),
        _labelled(queue, "channel", chase_queue.CHANNEL.label), cols, anchor="queue",
        empty=pgettext("web", "(nothing to chase now)"),
        note=pgettext("web", "The {n} most valuable; more wait behind them.").format(n=ROW_LIMIT) if len(queue) >= ROW_LIMIT
        else None))
    since, until = ctx.since(), ctx.until()
    total = chase_stats.stats(ctx.core, since=since, until=until)
    stat_cols = ["chased", "attempts", "paid", "conversion", "median_minutes_to_pay",
                 "still_unpaid", "closed"]
    page.sections.append(section(ctx.render, pgettext("web", "Conversion, {period}").format(period=ctx.filters.label()), [total],
                                 stat_cols, counted=False))
    for by, title in (("agent", pgettext("web", "by agent")), ("channel", pgettext("web", "by channel"))):
        rows = chase_stats.stats(ctx.core, since=since, until=until, by=by)
        if by == "channel":
            rows = _labelled(rows, "channel", chase_queue.CHANNEL.label)
        page.sections.append(section(ctx.render, pgettext("web", "Conversion {title}").format(title=title), rows, [by, *stat_cols],
                                     empty=pgettext("web", "(no chases in this period)")))
    return page


# --- abnormal shipments ----------------------------------------------------------------

CASE_COLUMNS = ("id", "order_id", "buyer", "kind", "status", "next_step", "due_at", "hours_left",
                "overdue", "courier", "money_out", "opened_by", "opened_at")
REPORT_COLUMNS = ("cases", "open", "closed", "overdue", "median_days_to_close", "money_out",
                  "claimed", "net_cost")


def cases(ctx: Ctx) -> Page:
    kind = _choice(ctx, "kind", KIND)
    open_ = case_views.list_cases(ctx.core, open_only=True,
                   kinds=(kind,) if kind else ())
    page = Page(title=pgettext("web", "Abnormal shipments"),
                intro=pgettext("web", "Open cases with their next step and its due time (the playbooks of "
                      "`cstool exception`), money out and claimed back."))
    page.links = [(pgettext("web", "chart by kind and courier"), ctx.link("/charts") + "#cases")]
    page.sections.append(section(ctx.render, pgettext("web", "Open cases, most urgent first"),
                                 _labelled(open_, "kind", KIND.label), CASE_COLUMNS, cases=True,
                                 empty=pgettext("web", "(no open cases)"), anchor="open",
                                 words=CASE_WORDS))
    for by, title in (("kind", pgettext("web", "by kind")), ("courier", pgettext("web", "by courier"))):
        rows = cases_report.report(ctx.core, by=by, since=ctx.since(),
                      until=ctx.until())
        if by == "kind":
            rows = _labelled(rows, "kind", KIND.label)
        page.sections.append(section(ctx.render, pgettext("web", "Opened {period}, {title}").format(period=ctx.filters.label(), title=title),
                                     rows, (by, *REPORT_COLUMNS),
                                     empty=pgettext("web", "(none opened in this period)"),
                                     words={by: cases_report.Groups()}))
    return page


def case(ctx: Ctx, case_id: str) -> Page:
    data = case_views.show(ctx.core, int(case_id))
    page = Page(title=pgettext("web", "Case #{id} · {kind}").format(id=data['id'], kind=KIND.label(data['kind'])),
                form=False)
    page.links = [(pgettext("web", "all cases"), ctx.link("/cases"))]
    keys = ("order_id", "buyer", "order_status", "status", "resolution", "next_step", "due_at",
            "hours_left", "overdue", "detail", "courier", "tracking_no", "reship_courier",
            "reship_tracking", "freight_payer", "compensation", "refund", "freight", "claim",
            "money_out", "outcome", "receiver_name", "receiver_phone", "opened_by", "opened_at",
            "updated_by", "updated_at", "closed_by", "closed_at")
    page.sections.append(Section(title=pgettext("web", "Case"),
                                 table=ctx.render.record(data, keys, CASE_WORDS)))
    page.sections.append(section(ctx.render, pgettext("web", "Steps"), data["steps"],
                                 ("step", "what", "state", "hours", "due_at", "done_at"),
                                 words=CASE_WORDS))
    page.sections.append(section(ctx.render, pgettext("web", "Timeline"), data["timeline"],
                                 ("at", "agent", "action", "detail"), words=CASE_WORDS))
    page.sections.append(section(ctx.render, pgettext("web", "Photos"), data["photo_files"],
                                 ("path", "type", "bytes", "file"), words=CASE_WORDS))
    return page


# --- handover ---------------------------------------------------------------------------


def handover_page(ctx: Ctx) -> Page:
    open_ = handover.list_items(ctx.core, open_only=True)
    done = [i for i in handover.list_items(ctx.core, since=ctx.since(), until=ctx.until())
            if i["acked_at"]]
    page = Page(title=pgettext("web", "Handover"),
                intro=pgettext("web", "Items no shift has acknowledged yet, and the receipts (回执) given in the "
                      "period, as `cstool handover list` shows them."))
    label = handover.CATEGORY.label
    page.sections.append(section(
        ctx.render, pgettext("web", "Open items"), _labelled(open_, "category", label),
        ("id", "category", "buyer", "order_id", "phone", "problem", "todo", "due_at", "created_by",
         "created_at"), empty=pgettext("web", "(nothing open)"), anchor="open"))
    page.sections.append(section(
        ctx.render, pgettext("web", "Receipts {period}").format(period=ctx.filters.label()), _labelled(done, "category", label),
        ("id", "category", "order_id", "problem", "receipt", "acked_by", "acked_at", "created_by",
         "created_at"), empty=pgettext("web", "(no receipts in this period)"), anchor="receipts"))
    return page


# --- remarks ----------------------------------------------------------------------------


def remark_problems(ctx: Ctx) -> Page:
    author = (ctx.args.get("author") or "").strip() or None
    found = remarks.lint(ctx.core, since=ctx.since(),
                           author=author)
    rows: list[dict] = []

    def first(stream):  # lint streams: count every problem, keep the first few to show
        for r in stream:
            if len(rows) < ROW_LIMIT:
                rows.append(r)
            yield r

    by_agent = remarks.lint_by_agent(first(found))
    page = Page(title=pgettext("web", "Remark problems") + (f" · {author}" if author else ""),
                intro=pgettext("web", "Remarks since {day} checked against the shop's format (`cstool remark "
                             "lint`): the five items the manuals demand.").format(
                    day=ctx.filters.first_day.isoformat()))
    sec = section(ctx.render, pgettext("web", "By agent"), by_agent,
                  ("agent", "remarks_with_problems", "problems", "most_common", "by_check"),
                  empty=pgettext("web", "(no problems)"), words=REMARK_WORDS)
    if sec.table:
        for row, r in zip(sec.table.rows, by_agent):
            if r["agent"] != "(no author)":
                row[0].href = ctx.link("/remarks") + _amp(ctx, "author=" + _q(r["agent"]))
    page.sections.append(sec)
    page.sections.append(section(ctx.render, pgettext("web", "Problems"), rows,
                                 ("order_id", "author", "kind", "check", "problem", "text", "at"),
                                 empty=pgettext("web", "(no problems)"),
                                 words=REMARK_WORDS,
                                 total=sum(a["problems"] for a in by_agent)))
    return page


def _q(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


# --- the daily report --------------------------------------------------------------------


def daily_report(ctx: Ctx) -> Page:
    day = ctx.filters.day
    data = report.daily(ctx.core, day)
    title = pgettext("web", "Daily report {date}").format(date=data['date']) + (f" · {data['shop']}" if data["shop"] else "")
    page = Page(title=title, intro=pgettext("web", "The page `cstool report daily` prints, for one shop day."),
                one_day=True)
    page.links = [("← " + (day - timedelta(days=1)).isoformat(),
                   ctx.link("/report", day=day - timedelta(days=1))),
                  ((day + timedelta(days=1)).isoformat() + " →",
                   ctx.link("/report", day=day + timedelta(days=1)))]
    for path, heading, rows in report.sections(data, paths=True):
        heading = pgettext("web", heading) if path not in report.TITLES else \
            gettext(report.TITLES[path])
        keys: list[str] = []
        for r in rows:
            keys += [k for k in r if k not in keys]
        page.sections.append(section(ctx.render, heading, rows, keys, counted=len(rows) > 1,
                                     words=report.part_words().get(path)))
    return page


# --- charts -----------------------------------------------------------------------------


def _days(ctx: Ctx) -> list[tuple[str, str, str]]:
    """(label, since, until) for each day of the period."""
    out = []
    for d in ctx.filters.day_list():
        out.append((d.strftime("%m-%d"), to_db(ctx.clock.start_of(d)),
                    to_db(ctx.clock.start_of(d + timedelta(days=1)))))
    return out


def _shipping_chart(ctx: Ctx) -> Section:
    days = _days(ctx)
    figures = deadlines.by_day(ctx.core,
                             [(since, until) for _, since, until in days])
    parts = (("shipped_in_time", pgettext("web", "on time"), "#38a169"), ("shipped_late", pgettext("web", "late"), "#e53e3e"),
             ("past_deadline_unshipped", pgettext("web", "past deadline, unshipped"), "#9b2c2c"),
             ("shipped_time_unknown", pgettext("web", "time unknown"), "#a0aec0"))
    series = [Series(name, [f[key] for f in figures], colour) for key, name, colour in parts]
    rows = [{"day": label, **{name: f[key] for key, name, _ in parts}, "in_time_pct":
             f["in_time_pct"]} for (label, _, _), f in zip(days, figures)]
    sec = section(ctx.render, pgettext("web", "Shipments on time vs late, by deadline day"), rows,
                  ["day", *(name for _, name, _ in parts), "in_time_pct"],
                  headers={"day": pgettext("web", "day"), "in_time_pct": pgettext("web", "in time")}, anchor="shipping",
                  counted=False)
    sec.chart = bars(pgettext("web", "Shipments on time vs late by day"), [d[0] for d in days], series,
                     stacked=True, chart_id="chart-shipping")
    return sec


def charts(ctx: Ctx) -> Page:
    page = Page(title=pgettext("web", "Charts"), intro=pgettext("web", "Period {period}; change it with the date and days fields "
                                                  "above.").format(period=ctx.filters.label()))
    days = _days(ctx)
    # chase conversion by day and agent
    per_day = [chase_stats.stats(ctx.core, since=since, until=until,
                              by="agent") for _, since, until in days]
    agents = sorted({str(r["agent"]) for rows in per_day for r in rows})
    series = []
    rows = []
    for a in agents:
        values: list[Optional[float]] = []
        for (label, _, _), day_rows in zip(days, per_day):
            r = next((x for x in day_rows if str(x["agent"]) == a), None)
            values.append(100 * r["conversion"] if r and r["conversion"] is not None else None)
            if r:
                rows.append({"day": label, "agent": a, "chased": r["chased"], "paid": r["paid"],
                             "conversion": r["conversion"]})
        series.append(Series(a, values))
    sec = section(ctx.render, pgettext("web", "Chase conversion by day and agent (% of chased orders paid after the chase)"), rows, ("day", "agent", "chased", "paid", "conversion"),
                  headers={"day": pgettext("web", "day")}, empty=pgettext("web", "(no chases in this period)"),
                  anchor="chase")
    sec.chart = bars(pgettext("web", "Chase conversion by day and agent"), [d[0] for d in days], series,
                     percent=True, chart_id="chart-chase")
    page.sections.append(sec)
    page.sections.append(_shipping_chart(ctx))
    for by, title in (("kind", pgettext("web", "by kind")), ("courier", pgettext("web", "by courier"))):
        rows = [r for r in cases_report.report(ctx.core, by=by,
                                          since=ctx.since(), until=ctx.until()) if r[by] != "(all)"]
        if by == "kind":
            rows = _labelled(rows, "kind", KIND.label)
        cats = [str(r[by]) for r in rows]
        series = [Series(pgettext("web", "open"), [r["open"] for r in rows], "#dd6b20"),
                  Series(pgettext("web", "closed"), [r["closed"] for r in rows], "#2b6cb0")]
        sec = section(ctx.render, pgettext("web", "Cases opened in the period, {title}").format(title=title), rows,
                      (by, *REPORT_COLUMNS), empty=pgettext("web", "(none opened)"),
                      anchor="cases" if by == "kind" else "cases-courier")
        label = pgettext("web", "Cases by kind") if by == "kind" else pgettext("web", "Cases by courier")
        sec.chart = bars(label, cats, series, stacked=True, chart_id=f"chart-cases-{by}")
        page.sections.append(sec)
    return page


# --- one order ---------------------------------------------------------------------------


def order(ctx: Ctx, order_id: str) -> Page:
    core = ctx.core
    if core.scope.platform is None:  # a number on several platforms: let the reader pick
        from urllib.parse import quote

        from cstool.core.vocab import PLATFORM
        from cstool.core.where import Where

        w = Where().eq("order_id", order_id).scope(core.scope)
        platforms = [r[0] for r in ctx.journal.query(
            "SELECT DISTINCT platform FROM orders" + w.sql() + " ORDER BY platform", w.params)]
        if len(platforms) > 1:
            page = Page(title=pgettext("web", "Order {id}").format(id=order_id), form=False,
                        intro=pgettext("web", "This order number is on several platforms: choose one."))
            page.links = [(f"{PLATFORM.label(p)} {p}",
                           ctx.link(f"/orders/{quote(order_id, safe='')}", platform=p))
                          for p in platforms]
            return page
    data = order_view.show(core, order_id)
    page = Page(title=pgettext("web", "Order {id}").format(id=data['order_id']),
                intro=pgettext("web", "As `cstool orders show` has it; personal data masked."), form=False)
    keys = ("buyer", "status", "amount", "paid_amount", "postage", "created_at", "paid_at",
            "shipped_at", "courier", "tracking_no", "flag", "seller_memo", "item_title",
            "item_count", "sku", "buyer_message", "invoice_title", "brushing", "close_reason",
            "receiver_name", "receiver_phone", "receiver_address")
    page.sections.append(Section(title=pgettext("web", "Order"), table=ctx.render.record(data, keys)))
    page.sections.append(section(ctx.render, pgettext("web", "Remarks"), data["remarks"],
                                 ("at", "recorded_at", "source", "kind", "flag", "author", "text",
                                  "problems"), words=REMARK_WORDS))
    page.sections.append(section(ctx.render, pgettext("web", "Holds"), data["holds"],
                                 ("kind", "until", "owner", "created_at", "released_at")))
    if "chases" in data:
        page.sections.append(section(ctx.render, pgettext("web", "Chases"), data["chases"],
                                     ("at", "agent", "channel", "result", "reason", "promise",
                                      "promise_due_at", "note")))
    if "exceptions" in data:
        page.sections.append(section(ctx.render, pgettext("web", "Cases"), data["exceptions"],
                                     ("id", "kind", "status", "resolution", "next_step", "due_at",
                                      "outcome", "opened_by", "opened_at", "closed_at"),
                                     cases=True, words=CASE_WORDS))
    page.sections.append(section(ctx.render, pgettext("web", "Handover"), data["handover"],
                                 ("id", "category", "problem", "todo", "created_by", "created_at",
                                  "receipt", "acked_by", "acked_at")))
    return page


# --- the site ---------------------------------------------------------------------------

# path -> page function; the menu follows this order.
PAGES: dict[str, Callable[[Ctx], Page]] = {
    "/": overview,
    "/shipping": shipping,
    "/chase": chasing,
    "/cases": cases,
    "/handover": handover_page,
    "/remarks": remark_problems,
    "/report": daily_report,
    "/charts": charts,
}
# regex -> page function taking the captured id
DETAIL_PAGES: dict[str, Callable[..., Page]] = {
    r"^/orders/(?P<key>[0-9A-Za-z_.-]{1,64})$": order,
    r"^/cases/(?P<key>[0-9]{1,12})$": case,
}
MENU = [
    ("/", NC_("web", "Overview")), ("/shipping", NC_("web", "Shipping")), ("/chase", NC_("web", "Chasing")),
    ("/cases", NC_("web", "Cases")), ("/handover", NC_("web", "Handover")), ("/remarks", NC_("web", "Remarks")),
    ("/report", NC_("web", "Daily report")), ("/charts", NC_("web", "Charts")),
    ("/journal/import_log", NC_("web", "Imports")), ("/journal/find_order", NC_("web", "Find an order")),
]
