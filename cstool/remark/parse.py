"""Read a remark (卖家备注) in any of the manuals' formats, R1–R14 of domain.md §1.

:func:`parse` takes the text an agent typed, or the platform's whole seller
memo (one remark a line), and returns a :class:`Parsed`: the kind, the flag
written in the text, reason and action, the remark's own time and author,
kind-specific fields, and the problems that make it incomplete.

It knows nothing of the journal: what it needs from the shop (the flag
scheme, the registered agents and their roles) comes in a :class:`Shop`.
Imports parse hundreds of thousands of memos, so the work is a few
precompiled regular expressions, dates are looked for only from the first
date-like token on, and :class:`Parser` caches by text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from cstool.core.clock import iter_manual_dates, out_of_era
from cstool.core.i18n import M_
from cstool.core.limits import ERA, year_ok
from cstool.core.values import format_money as fm
from cstool.core.vocab import COURIER_WORDS
from cstool.remark.dates import Dates, as_datetime, day_of
from cstool.remark.flags import KIND_FLAG, SIGNED_KINDS, Shop, flag_problem, side

# Kinds of hold a memo can open (cstool.holds.KINDS) and release.
RELEASABLE = ("until", "owner", "waiting_buyer")

# -- normalising: full-width forms to ASCII, the separators agents use ------------------------

_TRANS = str.maketrans({
    **{chr(0xFF10 + i): str(i) for i in range(10)},
    **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
    **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
    "，": ",", "：": ":", "；": ";", "！": "!", "？": "?", "（": "(", "）": ")", "＃": "#",
    "＠": "@", "．": ".", "／": "/", "－": "-", "—": "-", "–": "-", "─": "-", "～": "~",
    "　": " ", "·": " ", "•": " ", "＋": "+", "“": '"', "”": '"', "＂": '"', "\t": " ",
    "\u3002": ".",
})
# A text without any of them translates to itself: one search instead of a lookup a character.
_TRANS_CHARS = re.compile("[" + re.escape("".join(map(chr, _TRANS))) + "]")


def _ascii_forms(text: str) -> str:
    """``text.translate(_TRANS)``."""
    return text.translate(_TRANS) if _TRANS_CHARS.search(text) else text


_SEP = frozenset(" ,;:+-#.!?~、")
_SEP_STR = "".join(_SEP)

_FLAG_LEAD = re.compile(
    r"\s*[\[【(]?(?:标注|插上?|标)?小?(?P<c>[红黄绿蓝紫灰])色?旗帜?[\]】)]?(?:备注)?[\s,:;+]*")
_FLAG_WORD = {"红": "red", "黄": "yellow", "绿": "green", "蓝": "blue", "紫": "purple",
              "灰": "none"}
_DIGIT = re.compile(r"\d")
# Where a year of a dated form can be (four digits before 年 or a date separator): a
# text whose years are all in the era has no out-of-era date (out_of_era's forms take
# their year from such a place), so the forms are run only when one is not.
_YEARS = re.compile(r"\d{4}(?=\s*年|[.\-/])")
_SIGNATURE_FORMS = frozenset(("ymd_cn", "ymd", "md_cn", "md"))
_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{1,4}")
_ASCII_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.]{0,15}")
# Characters of the words around a name that are rarely in one (a name
# without a time next to it must pass this when no agent list is known).
_NOT_NAME = re.compile(r"[已发改换要码货退求缺问等回复款快递单址件元送赠旗催处理需请急色号日月年]")
_CONTINUATION = re.compile(
    r"\s*(?:[-#—]|\d{4}[.\-/年]\d{1,2}[.\-/月]\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*\S{0,6}\s*$)")

_BRUSH = re.compile(r"(?:刷单\s*)?@{2,}\s*(?P<name>[^\s@,;]*)")
_CHASED = re.compile(r"(?P<name>[^\s,;]{0,6}?)\s*(?:已经?|于)?\s*(?:电话|旺旺|短信)?\s*(?:已经?)?"
                     r"催(?:付|款)(?:款)?(?:过|了)?(?:[,;\s]+(?P<rest>.*))?$")
_BUYER_SAID = re.compile(r"(?:顾客|客户|买家|客人)(?!要求)(?:说|表示|称|回复|答复)?[:,]?\s*(?P<said>.+)$")
_PAY_TALK = re.compile(r"付|余额|U盾|网银|限额|不够|比较|考虑|再看看|工资|没钱")
_OWNER = re.compile(r"必须由\s*(?P<owner>[^\s,!负]{1,8}?)\s*(?:负责)?处理")
_OUT_OF_STOCK = re.compile(r"缺货|没货|无货|断货|没有货|没库存|无库存")
_ASKED = re.compile(r"(?:问|联系|询问|通知)了?(?:顾客|客户|买家)")
_WAIT_BUYER = re.compile(r"(?:等|待|等待)(?:顾客|客户|买家)?(?:的)?(?:回复|答复|确认|回应|回话|消息)")
_SHIP_ON = re.compile(r"\s*(?:再|才|开始|安排)?(?:发货|发出|再发|发)")
_PRESALE = re.compile(r"预售|定金|尾款")
_RELEASE_ALL = re.compile(r"取消挂起|解除挂起|挂起取消|可以发货|正常发货|立即发货|马上发货|不用等")
_BUYER_ANSWERED = re.compile(
    r"(?:顾客|客户|买家)(?:已经?)?(?:回复|答复|同意|确认|选了?|决定)|已回复|不换了")
_OWNER_DONE = re.compile(r"已处理|处理完|处理好")
# The remark says, in so many words, that the order is on hold (not that a hold ends).
_HELD = re.compile(r"(?<!取消)(?<!解除)挂起(?!取消)|暂不发货|先不发货|暂缓发货")
_MONEY = r"[¥￥]?\s*(\d+(?:\.\d{1,2})?)\s*元?"
_PROMO = re.compile(r"(?:活动价|促销价|活动价格|优惠价|折后价)\s*[:为是]?\s*" + _MONEY)
_PAID = re.compile(r"(?:实付|实际支付|实付款|拍下价)(?:金额|价格|款)?\s*[:为是]?\s*" + _MONEY)
_REFUND = re.compile(r"(?:需返|应返|返还|返现|退差价|退差|需退|应退)(?:金额)?\s*[:为是]?\s*" + _MONEY)
_REBATE = re.compile(r"返现|差价|需返|应返|返还|退差|活动价|促销价")
_JOB_NO = re.compile(r"工号\s*[:]?\s*(?P<no>[A-Za-z0-9_-]+)")
_GIFT = re.compile(r"(?:赠品|赠送|加送)\s*[:,]?\s*(?P<gift>.+)$")
_ADDRESS = re.compile(r"(?:修改|更改|改|变更)(?:收货)?地址|新地址|地址(?:改为|改成|更改为)")
_NEW_ADDRESS = re.compile(r"(?:新地址|地址改为|地址改成|地址更改为|更改地址为?|修改地址为)\s*(?:为|是)?\s*"
                          r"[:,]?\s*(?P<addr>.+)$")
_SLIP = re.compile(r"在发货单(?:与|和|及|、|跟)?快递单上(?:都)?(?:已经?)?修改")
_TO = re.compile(r"(?:修改|改|换)成\s*(?P<to>[^,;]+)")
_ATTR = re.compile(r"拍下(?:的是|了)?\s*(?P<from>[^,;]+?)\s*[,;]\s*(?:客户)?要求(?:修改|改|换|更换)成\s*"
                   r"(?P<to>[^,;]+)")
_DONE = re.compile(r"已经?(?:修改|改|更改|换)")
_REQUEST = re.compile(r"(?:客户|顾客|买家|客人)(?:要求|需要|希望|指定)\s*(?P<what>.+)$")
_ANY_COURIER = re.compile("|".join(COURIER_WORDS))
_COURIER = re.compile(r"(?:发|走|改发|改走|要发|用)?\s*(?P<c>" + "|".join(COURIER_WORDS) + r")")
HANDLED = re.compile(r"已经?|已于|已在")  # the part of a remark that says it was handled
_PARTS = re.compile(r"[,;\s]+")
_ACTION_MARK = re.compile(r"[,;\s]*(?:处理方式|处理)\s*:\s*")
_DELIVERY = re.compile(r"送货|送达|周末|上午|下午|晚上|时间|之前|以前")


@dataclass
class Parsed:
    text: str
    kind: str = "free"
    flag: Optional[str] = None      # the colour the text (or the platform) gives; None: unknown
    reason: Optional[str] = None
    action: Optional[str] = None
    at: Optional[datetime] = None   # the remark's own time (shop zone); midnight when date_only
    date_only: bool = False
    author: Optional[str] = None
    fields: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    segments: list = field(default_factory=list)  # the lines of a multi-line memo

    _fold: Optional[tuple] = field(default=None, repr=False, compare=False)

    def lines(self) -> list:
        return self.segments or [self]

    def holds(self) -> dict:
        """Holds the remark leaves open, by hold kind (later lines win)."""
        if self._fold is None:
            self._fold = fold_holds(self.lines())
        return self._fold[0]

    def releases(self) -> set:
        """Hold kinds the remark says are over."""
        if self._fold is None:
            self._fold = fold_holds(self.lines())
        return self._fold[1]

    def brush(self) -> Optional[str]:
        """The name after ``@@@`` when a line marks a brushing order, else None."""
        return next((s.fields.get("name") or "" for s in self.lines() if s.kind == "brush"), None)

    def acts(self) -> bool:
        """Whether the remark touches holds or the brushing mark."""
        return any(s.kind == "brush" or "holds" in s.fields or "release" in s.fields
                   for s in self.lines())


def fold_holds(lines: list) -> tuple[dict, set]:
    """Walk a memo's lines in order: the holds they leave open and the kinds released."""
    holds: dict[str, dict] = {}
    released: set[str] = set()
    for line in lines:
        for kind in line.fields.get("release", ()):
            holds.pop(kind, None)
            released.add(kind)
        for h in line.fields.get("holds", ()):
            holds[h["kind"]] = h
            released.discard(h["kind"])
    return holds, released



# -- the signature: time and author at the ends ------------------------------------------------


def _name_like(token: str, lenient: bool, shop: Shop) -> bool:
    if token in shop.agents:
        return True
    if not token or _DIGIT.search(token) or _ANY_COURIER.search(token):
        return False
    if lenient:
        return bool(_CJK_NAME.fullmatch(token) or _ASCII_NAME.fullmatch(token))
    # No time beside it: a registered agent only, when the journal has agents.
    return (not shop.agents and len(token) <= 3 and _CJK_NAME.fullmatch(token) is not None
            and not _NOT_NAME.search(token))


def _rstrip(s: str, b0: int, b1: int) -> int:
    while b1 > b0 and s[b1 - 1] in _SEP:
        b1 -= 1
    return b1


def _lstrip(s: str, b0: int, b1: int) -> int:
    while b0 < b1 and s[b0] in _SEP:
        b0 += 1
    return b0


def _signature(s: str, b0: int, dates: list, shop: Shop):
    """Peel the time and the author off the ends of ``s[b0:]``.

    Handles ``… 2014年8月25日11:43:42 # 倩`` (R2), ``…---2014.8.25 倩`` (R7–R10),
    ``… 2014.8.25 倩`` (R1, R6, R14), ``申通 倩 8.25`` (R11), ``2015.03.09 …``
    (R4, R5) and ``换大一码 小雨`` (a name without a time). Returns
    ``(body_start, body_end, date, author)``.
    """
    at = author = None
    b1 = len(s)
    sig = [d for d in dates if d.form in _SIGNATURE_FORMS]
    h = s.rfind("#", b0)
    if h > b0:
        tail = s[h + 1:].strip(_SEP_STR)
        if tail and _name_like(tail, True, shop):
            author, b1 = tail, h
    for _ in range(3):
        b1 = _rstrip(s, b0, b1)
        if b1 <= b0:
            break
        if at is None:
            d = next((d for d in sig if d.end == b1 and d.start > b0), None)
            if d is not None:
                at, b1 = d, d.start
                continue
        if author is None:
            start = b1
            while start > b0 and s[start - 1] not in _SEP:
                start -= 1
            if start > b0:
                before = _rstrip(s, b0, start)
                lenient = ("#" in s[before:start] or "-" in s[before:start]
                           or any(d.end == before and d.start > b0 for d in sig))
                if _name_like(s[start:b1], lenient, shop):
                    author, b1 = s[start:b1], start
                    continue
        break
    b1 = _rstrip(s, b0, b1)
    lead = next((d for d in sig if d.start == b0), None)
    if lead is not None and lead.end < b1 and s[lead.end] in " ,:-":
        if at is None or day_of(at) == day_of(lead):
            at = at or lead
            b0 = lead.end
    return _lstrip(s, b0, b1), b1, at, author


# -- kinds ---------------------------------------------------------------------------------------


def _fen(m) -> Optional[int]:
    if not m:
        return None
    whole, _, cents = m.group(1).partition(".")
    return int(whole) * 100 + int(cents.ljust(2, "0"))


def _split(body: str, r2: bool = False) -> tuple[Optional[str], Optional[str]]:
    """Reason and action: a part that says it was handled (``已…``) starts the action;
    otherwise (``r2``) R2's ``原因,需处理的问题`` splits at the first comma."""
    parts = [m for m in _PARTS.split(body) if m]
    if not parts:
        return None, None
    pos = 0
    starts = []
    for p in parts:
        pos = body.find(p, pos)
        starts.append(pos)
        pos += len(p)
    for i in range(len(parts) - 1, 0, -1):
        if HANDLED.match(parts[i]):
            return body[:starts[i]].strip(_SEP_STR) or None, body[starts[i]:].strip(_SEP_STR)
    m = ("处理" in body and _ACTION_MARK.search(body)) or (re.search(r"[,;]", body) if r2 else None)
    if m:
        return body[:m.start()].strip(_SEP_STR) or None, body[m.end():].strip(_SEP_STR) or None
    return body or None, None


def _courier_in(text: str) -> Optional[str]:
    m = _ANY_COURIER.search(text)
    return m.group(0) if m else None


def _about(what: str) -> str:
    if _courier_in(what) or "快递" in what:
        return "courier"
    if "发票" in what:
        return "invoice"
    if "贺卡" in what or "卡片" in what:
        return "card"
    if _DELIVERY.search(what):
        return "delivery"
    return "other"


def _holds(p: Parsed, s: str, b0: int, b1: int, dates: list) -> None:
    """R12 and its kin: ship on a date, one person handles it, waiting for the buyer.
    Holds are listed in the order the remark names them."""
    body = s[b0:b1]
    f = p.fields
    holds: list = []
    m = "必须由" in body and _OWNER.search(body)
    if m:
        holds.append((m.start(), {"kind": "owner", "owner": m.group("owner")}))
    wait = _WAIT_BUYER.search(body)
    if wait and (_OUT_OF_STOCK.search(body) or _ASKED.search(body) or _HELD.search(body)):
        holds.append((wait.start(), {"kind": "waiting_buyer"}))
    for d in dates:
        if b0 <= d.start and d.end <= b1 and _SHIP_ON.match(s, d.end):
            day = day_of(d)
            if not d.has_year and p.at is not None:
                # "25日发货" counts from the remark's own date, not from when it was read.
                again = list(iter_manual_dates(s[d.start:d.end], p.at))
                day = day_of(again[0]) if again else day
            kind = "presale" if _PRESALE.search(body) else "until"
            holds.append((d.start - b0, {"kind": kind, "until": day.isoformat()}))
            break
    release = []
    if _RELEASE_ALL.search(body):
        release = list(RELEASABLE)
    else:
        # "等买家确认" waits for an answer: the buyer's 确认 in it is not one
        if not any(h["kind"] == "waiting_buyer" for _, h in holds) and \
                _BUYER_ANSWERED.search(_WAIT_BUYER.sub("", body) if wait else body):
            release.append("waiting_buyer")
        if not m and "处" in body and _OWNER_DONE.search(body):
            release.append("owner")
    if holds:
        f["holds"] = [h for _, h in sorted(holds, key=lambda x: x[0])]
    if release:
        f["release"] = release


def _classify(p: Parsed, s: str, b0: int, b1: int, flag_led: bool) -> None:
    # (each ``"…" in body and`` is a word the expression after it cannot match without:
    # most remarks are ruled out by a substring test instead of a regular expression)
    body = s[b0:b1]
    f = p.fields
    m = "催" in body and _CHASED.match(body)
    if m:  # R4: 2015.03.09 郑婷已催付
        p.kind = "chase"
        f["step"] = "chased"
        name = m.group("name")
        if name and not p.author and _CJK_NAME.fullmatch(name):
            p.author = name
        p.action = body[m.end("name"):].strip(_SEP_STR) if name == p.author else body
        return
    m = _BUYER_SAID.match(body)
    if m and _PAY_TALK.search(body):  # R5: 2015.03.09 顾客明天下午付款
        p.kind = "chase"
        f["step"] = "answer"
        p.reason = body
        return
    holds = f.get("holds", ())
    waiting = any(h["kind"] == "waiting_buyer" for h in holds)
    if waiting or (holds and len(body) <= 24 and not _REQUEST.match(body)) or (
            f.get("release") and not holds and len(body) <= 16):
        p.kind = "hold"
        p.reason, p.action = _split(body, r2=True) if waiting else (body, None)
        return
    if _REBATE.search(body):
        promo, paid, refund = (_fen(rx.search(body)) for rx in (_PROMO, _PAID, _REFUND))
        if promo is not None or refund is not None:
            p.kind = "rebate"
            for k, v in (("promo_price_fen", promo), ("paid_price_fen", paid),
                         ("refund_fen", refund)):
                if v is not None:
                    f[k] = v
            p.reason = body
            return
    m = "工号" in body and _JOB_NO.search(body)
    if m:
        p.kind = "sale"
        f["job_no"] = m.group("no")
        p.reason = body
        return
    m = _GIFT.search(body)
    if m:
        p.kind = "gift"
        f["gift"] = m.group("gift").strip(_SEP_STR)
        p.reason = body
        return
    if "地址" in body and _ADDRESS.search(body):
        p.kind = "address"
        m = _NEW_ADDRESS.search(body)
        if m and m.group("addr").strip(_SEP_STR):
            f["address"] = m.group("addr").strip(_SEP_STR)
        p.reason = body
        return
    if "发货单" in body and _SLIP.search(body):
        p.kind = "slip"
        m = _TO.search(body)
        if m:
            f["to"] = m.group("to").strip()
        p.reason, p.action = _split(body)
        return
    m = "拍下" in body and _ATTR.search(body)
    if m:
        p.kind = "attr"
        f["from"], f["to"] = m.group("from").strip(), m.group("to").strip()
        f["done"] = _DONE.search(body, m.end()) is not None
        p.reason, p.action = _split(body)
        return
    reason, action = _split(body, r2=True)
    handled = action is not None and HANDLED.match(action) is not None
    if (flag_led and handled) or ("处理" in body and _ACTION_MARK.search(body)):
        # R1: flag + content + handling (+ time + author), or a marked 处理:
        p.kind, p.reason, p.action = "note", reason, action
        return
    m = _REQUEST.match(body)
    if m:  # R9: 客户要求<X>---<date> <name>
        p.kind = "request"
        what = m.group("what")
        if handled:
            what = what[:len(what) - len(action)].strip(_SEP_STR)
        f["request"] = what
        f["about"] = _about(what)
        courier = _courier_in(what)
        if courier:
            f["courier"] = courier
        p.reason, p.action = (reason, action) if handled else (body, None)
        return
    m = _COURIER.match(body)
    if m:  # R11: 申通 倩 8.25
        p.kind = "courier"
        f["courier"] = m.group("c")
        p.reason, p.action = body, None
        return
    p.kind = "note" if (flag_led or p.at is not None or p.author) else "free"
    p.reason, p.action = reason, action


def _problems(p: Parsed, flag_led: bool, shop: Shop) -> None:
    k, f, out = p.kind, p.fields, p.problems
    if k == "brush":
        if not f.get("name"):
            out.append(M_("no name after @@@ (刷单人)"))
    elif k == "chase":
        if p.at is None:
            out.append(M_("no time (时间)"))
        if f.get("step") == "chased" and not p.author:
            out.append(M_("no author (备注人)"))
    elif k in SIGNED_KINDS:
        if k == "note" and not (p.reason or p.action):
            out.append(M_("no content (内容)"))
        if p.at is None:
            out.append(M_("no time (时间)"))
        if not p.author:
            out.append(M_("no author (备注人)"))
    if k == "note" and flag_led and not p.action:
        out.append(M_("no handling (处理方式)"))
    elif k == "request" and not f.get("request"):
        out.append(M_("does not say what the buyer asked (客户要求…)"))
    elif k == "address" and not f.get("address"):
        out.append(M_("no new address (新地址为:…)"))
    elif k == "attr" and not f.get("done"):
        out.append(M_("does not say the change was made (已修改妥当)"))
    elif k == "slip" and not f.get("to"):
        out.append(M_("does not say what was changed (修改成…)"))
    elif k == "rebate":
        names = (("promo_price_fen", M_("no activity price (活动价)")),
                 ("paid_price_fen", M_("no paid price (实付)")),
                 ("refund_fen", M_("no amount to return (应返)")))
        out.extend(msg for key, msg in names if key not in f)
        if all(key in f for key, _ in names) and \
                f["paid_price_fen"] - f["promo_price_fen"] != f["refund_fen"]:
            out.append(M_("amount to return {refund} is not paid {paid} − activity price "
                          "{promo}", refund=fm(f["refund_fen"]), paid=fm(f["paid_price_fen"]),
                          promo=fm(f["promo_price_fen"])))
    role = shop.roles.get(p.author) if p.author else None
    problem = flag_problem(k, p.flag, shop.scheme, side(role), p.text)
    if problem:
        out.append(problem)


# -- one remark, a memo, many memos ----------------------------------------------------------------


def parse_line(text: str, ref: datetime, shop: Shop, flag: Optional[str] = None,
               dates: Optional[Dates] = None) -> Parsed:
    """One remark. ``ref``: when it was written or read (aware, shop zone); a date
    without a year takes the year nearest to it. ``flag``: the platform's flag."""
    s = _ascii_forms(text).strip()
    p = Parsed(text=text.strip(), flag=flag)
    b0 = 0
    m = _FLAG_LEAD.match(s)
    flag_led = m is not None and m.end() < len(s)
    if flag_led:
        p.flag = _FLAG_WORD[m.group("c")]
        b0 = m.end()
    m = _BRUSH.match(s, b0)
    if m:  # R3: @@@刘晓庆
        p.kind = "brush"
        p.fields["name"] = m.group("name")
        if m.group("name"):
            p.reason = s[b0:].strip()
        _problems(p, flag_led, shop)
        return p
    found = (dates or Dates(ref))(s)
    b0, b1, at, p.author = _signature(s, b0, found, shop)
    if at is not None:
        p.at = as_datetime(at, ref)
        p.date_only = not at.has_time
    _holds(p, s, b0, b1, found)
    _classify(p, s, b0, b1, flag_led)
    _problems(p, flag_led, shop)
    if _YEARS.search(s) and _out_of_era_year(s):
        p.problems.extend(M_("date {date} is outside the years {era}; ignored", date=d, era=ERA)
                          for d in out_of_era(s))
    return p


def _out_of_era_year(s: str) -> bool:
    return any(not year_ok(int(m.group())) for m in _YEARS.finditer(s))


def split_lines(text: str) -> list[str]:
    """A memo's remarks, one a line; a line that only finishes the one before
    (``---2026.11.23 倩`` on its own line) is joined to it."""
    lines: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if lines and _CONTINUATION.match(_ascii_forms(line)):
            lines[-1] = lines[-1] + " " + line
        else:
            lines.append(line)
    return lines


def parse(text: str, ref: datetime, shop: Optional[Shop] = None,
          flag: Optional[str] = None, dates: Optional[Dates] = None,
          seen: Optional[dict] = None) -> Parsed:
    """A remark or a whole memo. A memo of several lines is summed up by its last
    line (the newest); ``segments`` holds every line and ``problems`` name the line.

    ``seen``: the lines of earlier memos (same ``ref`` and ``shop``) and their parses,
    reused for a line read again: a line's parse depends on nothing else, and memos
    share their lines (``2026.11.13 美美 买家来电确认`` under many orders)."""
    shop = shop or Shop()
    if "\n" not in text and "\r" not in text:
        return parse_line(text, ref, shop, flag, dates)
    lines = split_lines(text)
    if len(lines) <= 1:
        return parse_line(lines[0] if lines else "", ref, shop, flag, dates)
    if seen is None:
        segs = [parse_line(line, ref, shop, None, dates) for line in lines]
    else:
        segs = []
        for line in lines:
            seg = seen.get(line)
            if seg is None:
                if len(seen) >= SEEN_LINES:
                    seen.clear()  # memory stays flat; the common lines come back at once
                seg = seen[line] = parse_line(line, ref, shop, None, dates)
            segs.append(seg)
    last = segs[-1]
    p = Parsed(text=text.strip(), kind=last.kind, flag=flag if flag is not None else last.flag,
               reason=last.reason, action=last.action, at=last.at, date_only=last.date_only,
               author=last.author, fields=dict(last.fields), segments=segs)
    for i, seg in enumerate(segs, 1):
        p.problems.extend(M_("line {n}: {problem}", n=i, problem=x) for x in seg.problems)
    if flag is not None and shop.scheme:
        # The platform's one flag covers the memo: it contradicts only if no line agrees.
        found = [flag_problem(s.kind, flag, shop.scheme,
                              side(shop.roles.get(s.author or "")), s.text)
                 for s in segs if s.kind in KIND_FLAG]
        if found and all(found):
            p.problems.append(found[-1])
    return p


SEEN_LINES = 4096  # lines of multi-line memos a Parser remembers


class Parser:
    """Parse many memos read at one time (an import): cached by text and flag, and the
    lines of multi-line memos by line (``parse``'s ``seen``)."""

    def __init__(self, ref: datetime, shop: Optional[Shop] = None):
        self.ref = ref
        self.shop = shop or Shop()
        self._cache: dict = {}
        self._dates = Dates(ref)
        self._lines: dict = {}

    def __call__(self, text: str, flag: Optional[str] = None) -> Parsed:
        key = (text, flag)
        p = self._cache.get(key)
        if p is None:
            p = self._cache[key] = parse(text, self.ref, self.shop, flag, self._dates,
                                         self._lines)
        return p

    def fresh(self, text: str, flag: Optional[str] = None) -> Parsed:
        """Parse without keeping the result (a text seen once)."""
        return parse(text, self.ref, self.shop, flag, self._dates, self._lines)
