"""Pages as data, and the one place their values become text: masked, linked, in shop time.

Library rows carry typed values (:mod:`cstool.core.values`); :class:`WebRenderer`
turns them into cells the way the CLI's renderer (:class:`cstool.output.Renderer`)
does without ``--reveal``: personal data masked by its kind, and every other piece
of text except identifiers passed through the one free-text masker, so a phone
number or a new address that someone typed into a note, a detail or a message
never reaches a page. There is no ``--reveal`` on the web.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import quote

from cstool.core import mask
from cstool.core.i18n import NC_, Message, language, pgettext
from cstool.core.output import IDENTIFIERS as CLI_IDENTIFIERS
from cstool.core.values import Instant, Money, Pii, format_money

# Keys whose values are identifiers, not text: never run through the free-text masker
# (a tracking number may look like a mobile number). The CLI's renderer's, and the
# pages' own row ids.
IDENTIFIERS = CLI_IDENTIFIERS | {"id", "exception_id", "remark_id"}

HEADERS = {
    "order_id": "订单编号", "buyer": "买家", "status": "状态", "amount": "金额",
    "created_at": "下单时间", "paid_at": "付款时间", "shipped_at": "发货时间",
    "courier": "快递", "tracking_no": "运单号", "flag": "旗", "seller_memo": "卖家备注",
    "check": "检查", "due_at": "截止", "hours_left": "剩余小时", "detail": "说明",
    "owner": "负责人", "unpaid_minutes": "未付分钟", "attempts": "已催次数",
    "last_chased_at": "上次催付", "last_chased_by": "上次催付人", "channel": "渠道",
    "message": "话术", "opens_at": "可催时间", "agent": "客服", "chased": "催付单数",
    "paid": "催后付款", "conversion": "转化率", "median_minutes_to_pay": "付款中位分钟",
    "still_unpaid": "仍未付", "closed": "已关闭", "id": "编号", "kind": "类型",
    "next_step": "下一步", "money_out": "支出", "opened_by": "登记人", "opened_at": "登记时间",
    "resolution": "处理方式", "cases": "件数", "open": "未结", "overdue": "超时",
    "median_days_to_close": "结案中位天数", "claimed": "索赔", "net_cost": "净成本",
    "category": "类别", "problem": "问题", "todo": "待办", "created_by": "登记人",
    "receipt": "回执", "acked_by": "回执人", "acked_at": "回执时间", "author": "作者",
    "remarks_with_problems": "有问题的备注", "problems": "问题", "most_common": "最常见",
    "by_check": "按检查", "text": "备注原文", "section": "部分", "file": "文件",
    "rows": "行数", "inserted": "新增", "updated": "更新", "rejected": "拒收",
    "paid_amount": "实付", "postage": "邮费", "item_title": "宝贝", "item_count": "数量",
    "buyer_message": "买家留言", "invoice_title": "发票抬头", "brushing": "刷单",
    "close_reason": "关闭原因", "receiver_name": "收货人", "receiver_phone": "手机",
    "receiver_address": "收货地址", "phone": "电话", "at": "时间", "recorded_at": "记录时间",
    "source": "来源", "result": "结果", "reason": "原因", "promise": "承诺",
    "promise_due_at": "承诺时间", "note": "备注", "until": "到期", "released_at": "解除时间",
    "step": "步骤", "what": "内容", "state": "状态", "hours": "时限(小时)", "done_at": "完成时间",
    "action": "动作", "path": "文件", "type": "类型", "bytes": "字节", "order_status": "订单状态",
    "updated_by": "更新人", "updated_at": "更新时间", "closed_by": "结案人", "closed_at": "结案时间",
    "compensation": "赔偿", "refund": "退款", "freight": "运费", "claim": "索赔", "outcome": "结果",
    "reship_courier": "补发快递", "reship_tracking": "补发单号", "freight_payer": "运费承担",
}


@dataclass
class Cell:
    text: str
    href: Optional[str] = None
    cls: str = ""


@dataclass
class Table:
    columns: list[str]
    headers: list[str]
    rows: list[list[Cell]]


@dataclass
class Section:
    title: str
    table: Optional[Table] = None
    chart: Optional[str] = None  # inline SVG built by cstool.web.charts (its text escaped)
    note: Optional[str] = None
    empty: str = NC_("web", "(none)")
    count: Optional[int] = None
    anchor: Optional[str] = None


@dataclass
class Tile:
    label: str
    value: str
    href: str
    alert: bool = False


@dataclass
class Page:
    title: str
    sections: list[Section] = field(default_factory=list)
    tiles: list[Tile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    intro: Optional[str] = None
    status: int = 200
    form: bool = True  # the period and shop filters apply to this page
    one_day: bool = False  # the page is about one day: no "days" field


def mask_text(text: str) -> str:
    """Free text as the web shows it: the CLI's one masker (:func:`cstool.mask.mask_text`),
    so a page masks mobiles, landlines, ID-card numbers and addresses exactly as the
    command line does without ``--reveal``."""
    return mask.mask_text(text)


class WebRenderer:
    """Typed values to cells for one request (its clock, its filters for links).

    ``words``: how a key's values read, as the command line's tables read them (key →
    a :class:`~cstool.core.vocab.Vocabulary`, or a function of the value: ``reread``);
    a table or a record may add its own (``status`` is an order's or a case's)."""

    def __init__(self, clock, query: str = "", words: Optional[Mapping[str, Any]] = None):
        self.clock = clock
        self.query = query
        self.words = dict(words or {})

    def text(self, key: str, value: Any, words: Optional[Mapping[str, Any]] = None) -> str:
        if value is None:
            return ""
        reader = words[key] if words and key in words else self.words.get(key)
        if reader is not None and isinstance(value, (str, dict)):
            value = reader.shown(value) if hasattr(reader, "shown") else reader(value)
        if isinstance(value, Message):  # each text it holds masked, shown in its language
            keep = key in IDENTIFIERS

            def masked(part):
                if isinstance(part, Pii):
                    return part.masked()
                return part if keep or not isinstance(part, str) else mask_text(part)

            return value.map(masked).shown()
        if hasattr(value, "shown"):  # a domain word, text said in another process
            value = value.shown()
        if isinstance(value, Pii):
            return value.masked()  # as the CLI's renderer: each kind's own masking
        if isinstance(value, Money):
            return format_money(value) or ""
        if isinstance(value, Instant):
            return self.clock.short(value)
        if isinstance(value, bool):
            return pgettext("web", "yes") if value else pgettext("web", "no")
        if isinstance(value, float):
            return f"{value:.1f}" if key != "conversion" else f"{100 * value:.1f}%"
        if isinstance(value, dict):
            return ", ".join(f"{k}={self.text(k, v)}" for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return ", ".join(self.text(key, v, words) for v in value)
        text = str(value)
        return text if key in IDENTIFIERS else mask_text(text)

    def href(self, key: str, value: Any, row: dict, cases: bool = False) -> Optional[str]:
        if value in (None, ""):
            return None
        if key == "order_id":
            return f"/orders/{quote(str(value), safe='')}" + self._with_platform(row)
        if key == "exception_id" or (key == "id" and cases):
            return f"/cases/{int(value)}{self.query}"
        return None

    def _with_platform(self, row: dict) -> str:
        """The page's query, naming the row's platform: an order is its platform and its
        number, and a number may be on two platforms."""
        platform = row.get("platform") if isinstance(row, dict) else None
        if not platform:
            return self.query
        from urllib.parse import parse_qsl, urlencode

        params = dict(parse_qsl(self.query.lstrip("?")))
        params["platform"] = str(platform)
        return "?" + urlencode(params)

    def table(self, rows: Iterable[dict], columns: Sequence[str], cases: bool = False,
              headers: Optional[dict[str, str]] = None,
              words: Optional[Mapping[str, Any]] = None) -> Table:
        # Chinese reads the manuals' words; English the keys, as the command line's tables
        labels = {**(HEADERS if language() == "zh" else {}), **(headers or {})}
        body = []
        for r in rows:
            cells = []
            for k in columns:
                v = r.get(k)
                cls = "num" if isinstance(v, (int, float)) and not isinstance(v, bool) else \
                    "time" if isinstance(v, Instant) else ""
                if k == "hours_left" and isinstance(v, (int, float)) and v < 0:
                    cls += " late"
                cells.append(Cell(self.text(k, v, words), self.href(k, v, r, cases),
                                  cls.strip()))
            body.append(cells)
        return Table(columns=list(columns), headers=[labels.get(k) or pgettext("column", k) for k in columns], rows=body)

    def record(self, obj: dict, keys: Optional[Sequence[str]] = None,
               words: Optional[Mapping[str, Any]] = None) -> Table:
        """One object as a two-column table (nested lists of objects left out)."""
        keys = keys or [k for k, v in obj.items()
                        if not (isinstance(v, list) and v and isinstance(v[0], dict))]
        names = HEADERS if language() == "zh" else {}
        rows = [[Cell(names.get(k) or pgettext("column", k), cls="key"),
                 Cell(self.text(k, obj.get(k), words), self.href(k, obj.get(k), obj))]
                for k in keys]
        return Table(columns=["key", "value"], headers=["", ""], rows=rows)


def section(render: WebRenderer, title: str, rows: Sequence[dict], columns: Sequence[str], *,
            limit: Optional[int] = 200, total: Optional[int] = None, cases: bool = False,
            note: Optional[str] = None, empty: str = NC_("web", "(none)"), anchor: Optional[str] = None,
            headers: Optional[dict[str, str]] = None, counted: bool = True,
            words: Optional[Mapping[str, Any]] = None) -> Section:
    """A titled table of at most ``limit`` rows, saying how many more there are.

    ``counted=False`` for a table of figures rather than a list (no "(n)" after the title).
    """
    total = len(rows) if total is None else total
    shown = list(rows[:limit]) if limit else list(rows)
    if total > len(shown):
        more = pgettext("web", "… {n} more not shown (the most urgent first)").format(
            n=f"{total - len(shown):,}")
        note = f"{note} {more}" if note else more
    return Section(title=title, table=render.table(shown, columns, cases, headers, words) if shown else None,
                   note=note, empty=pgettext("web", empty), count=total if counted else None, anchor=anchor)
