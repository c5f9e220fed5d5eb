"""Writing a remark (``remark add``): composed in the manuals' format, checked against
the shop's rules (who may ask for it, the platform's memo limit), recorded, applied."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from cstool.core.clock import iter_manual_dates, to_db
from cstool.core.errors import BadUsage, CstoolError, InputError
from cstool.core.i18n import M_
from cstool.core.orders import require
from cstool.core.output import own_names
from cstool.core.values import Instant, Memo
from cstool.core.vocab import COLOUR_CODE, COURIER
from cstool.remark.flags import COMPOSE_KINDS, KIND, flag_problem, kind_colours, side
from cstool.remark.parse import HANDLED, Parsed, Shop, parse_line
from cstool.remark.store import (
    apply,
    columns,
    fields_of,
    memo_text,
    open_holds_of,
    present,
    shop_of,
    typed_fields,
)

# -- composing a remark ---------------------------------------------------------------------------


class MissingFields(InputError):
    """A kind's required options are missing (the command line turns this into a usage error)."""

    def __init__(self, kind: str, options: list[str]):
        self.kind, self.options = kind, options
        super().__init__(M_("a {kind} remark needs {options}", kind=kind, options=_and(options)))


def _and(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return M_("{items} and {last}", items=", ".join(items[:-1]), last=items[-1])


@dataclass
class Draft:
    """A composed remark, before it is recorded."""

    kind: str
    text: str
    flag: str
    parsed: Parsed


def _dot(d: datetime) -> str:
    return f"{d.year}.{d.month:02d}.{d.day:02d}"


def _yuan(fen: int) -> str:
    return str(fen // 100) if fen % 100 == 0 else f"{fen // 100}.{fen % 100:02d}"


def _ship_date(until: date, now: datetime) -> str:
    """The shortest of ``25日`` / ``12月1日`` / ``2027年1月5日`` that reads back as ``until``."""
    for text in (f"{until.day}日", f"{until.month}月{until.day}日",
                 f"{until.year}年{until.month}月{until.day}日"):
        found = list(iter_manual_dates(text, now))
        if found and found[0].value == until:
            return text
    raise InputError(M_("cannot write the date {until}", until=until))


def _clean(value: Optional[str], option: str) -> Optional[str]:
    """Free text for a remark: one line; commas inside a field would split it when read back."""
    if value is None:
        return None
    s = " ".join(str(value).split())
    if "#" in s or "---" in s:
        raise BadUsage(M_("{option} must not contain '#' or '---' (they end a remark)",
                          option=option))
    return s or None


def _no_commas(value: Optional[str]) -> Optional[str]:
    return None if value is None else re.sub(r"[,，;；]", "、", value)


def compose(kind: str, *, author: str, now: datetime, shop: Shop, flag: Optional[str] = None,
            reason: Optional[str] = None, action: Optional[str] = None,
            request: Optional[str] = None, address: Optional[str] = None,
            from_: Optional[str] = None, to: Optional[str] = None,
            courier: Optional[str] = None, until: Optional[date] = None,
            owner: Optional[str] = None, waiting_buyer: bool = False, presale: bool = False,
            release: bool = False, promo_fen: Optional[int] = None,
            paid_fen: Optional[int] = None, refund_fen: Optional[int] = None,
            gift: Optional[str] = None, job_no: Optional[str] = None,
            name: Optional[str] = None) -> Draft:
    """A remark of ``kind`` in the manuals' format (domain.md §1), with its flag colour.

    Raises :class:`MissingFields` naming the options a kind needs, and
    InputError when a value cannot be written or the flag contradicts the
    shop's scheme.
    """
    kind = KIND(kind)
    if kind not in COMPOSE_KINDS:
        raise BadUsage(M_("{kind} remarks are not written with remark add; use one of: "
                          "{items}", kind=kind, items=", ".join(COMPOSE_KINDS)))
    reason, action = _clean(reason, "--reason"), _clean(action, "--action")
    request, address = _clean(request, "--request"), _clean(address, "--address")
    from_, to = _no_commas(_clean(from_, "--from")), _no_commas(_clean(to, "--to"))
    gift, name = _clean(gift, "--gift"), _clean(name, "--name")
    sig = f"{_dot(now)} {author}"
    missing: list[str] = []

    def need(**values):
        missing.extend(f"--{k.rstrip('_').replace('_', '-')}" for k, v in values.items()
                       if v is None)

    if kind == "note":  # R1: flag + content + handling + time + author
        need(reason=reason, action=action)
        if reason and action and ("处理:" in reason or "处理：" in reason):
            raise BadUsage(M_("--reason must not contain '处理:' (it starts the handling)"))
        plain = bool(action and HANDLED.match(action) and not re.search(r"[,;，；\s]", action))
        body = f"{reason} {action}" if plain else f"{reason},处理:{action}"
        text = f"{_FLAG_TEXT[flag or _default_flag(kind, shop, author, body)]} {body} {sig}"
    elif kind == "request":
        need(request=request)
        text = f"客户要求{request}---{sig}"
    elif kind == "address":
        need(address=address)
        text = f"客户要求修改地址,新地址为:{address}---{sig}"
    elif kind == "attr":
        need(from_=from_, to=to)
        text = f"客户拍下{from_},要求修改成{to},已修改妥当---{sig}"
    elif kind == "slip":
        need(to=to)
        text = f"客户要求修改成{to},已在发货单与快递单上修改妥当---{sig}"
    elif kind == "courier":
        need(courier=courier)
        label = COURIER.label(COURIER(courier)) if courier else ""
        text = f"{label} {author} {now.month}.{now.day}"
    elif kind == "hold":
        parts = []
        if release:
            if until or owner or waiting_buyer:
                raise BadUsage(M_("--release ends holds; it does not go with --until, "
                                  "--owner or --waiting-buyer"))
            parts.append("取消挂起,正常发货")
        if until is not None:
            if until < now.date():
                raise BadUsage(M_("--until {until} is already past", until=until))
            parts.append(("预售" if presale else "") + _ship_date(until, now) + "发货")
        elif presale:
            raise BadUsage(M_("--presale goes with --until DATE (the presale ship date)"))
        if owner:
            if owner not in shop.agents and shop.agents:
                raise InputError(M_("--owner {owner} is not a registered agent (cstool "
                                    "agent add {owner})", owner=owner))
            parts.append(f"必须由{owner}负责处理!")
        if waiting_buyer:
            need(reason=reason)
            parts.append(f"{reason},已联系顾客,等顾客回复")
        if not parts:
            raise MissingFields(kind, ["--until DATE", "--owner NAME", "--waiting-buyer",
                                       "or --release"])
        text = ",".join(parts)
        if waiting_buyer or release:
            text += f"---{sig}"
    elif kind == "rebate":
        need(promo_price=promo_fen, paid_price=paid_fen)
        if promo_fen is not None and paid_fen is not None:
            if paid_fen <= promo_fen:
                raise BadUsage(M_("--paid-price is not above --promo-price: nothing to "
                                  "return"))
            if refund_fen is None:
                refund_fen = paid_fen - promo_fen
            if paid_fen - promo_fen != refund_fen:
                raise BadUsage(M_("--refund {refund_fen} is not --paid-price {paid_fen} − "
                                  "--promo-price {promo_fen}", refund_fen=_yuan(refund_fen),
                                  paid_fen=_yuan(paid_fen), promo_fen=_yuan(promo_fen)))
        text = (f"活动价{_yuan(promo_fen or 0)}元,实付{_yuan(paid_fen or 0)}元,"
                f"需返{_yuan(refund_fen or 0)}元 {sig}")
    elif kind == "gift":
        need(gift=gift)
        text = f"赠品:{gift} {sig}"
    elif kind == "sale":
        need(job_no=job_no)
        if job_no and not re.fullmatch(r"[A-Za-z0-9_-]+", job_no):
            raise BadUsage(M_("--job-no {job_no} is not a job number (letters and digits)",
                              job_no=repr(job_no)))
        text = f"工号{job_no} {author}"
    else:  # brush
        text = f"@@@{name or author}"
    if missing:
        raise MissingFields(kind, missing)
    team = side(shop.roles.get(author))
    if flag is None:
        flag = _default_flag(kind, shop, author, text)
    else:
        problem = flag_problem(kind, flag, shop.scheme, team, text)
        if problem:
            raise BadUsage(M_("{problem}; leave --flag out, or change the scheme with: "
                              "cstool policy set flag_scheme …", problem=problem))
    return Draft(kind, text, flag, parse_line(text, now, shop, flag))


# R1 writes the flag into the text too (CSV exports have no flag column).
_FLAG_TEXT = {"red": "红旗", "yellow": "黄旗", "green": "绿旗", "blue": "蓝旗", "purple": "紫旗",
              "none": ""}


def _default_flag(kind: str, shop: Shop, author: str, text: str) -> str:
    return kind_colours(kind, shop.scheme or {}, side(shop.roles.get(author)), text)[0]


# -- remark add ---------------------------------------------------------------------------------


_CANCEL = re.compile(r"取消(?!挂起)|退款|作废|不想要|不要了|不想买|关闭订单|撤销|退单")
_VERIFY_WHY = {"address": "an address change", "attr": "an attribute change",
               "slip": "a change on the printed slips"}


def needs_verified_buyer(kind: str, text: str, verify: list) -> Optional[str]:
    """Why this remark must be checked with the buyer's own account, or None."""
    if kind in verify:
        return _VERIFY_WHY.get(kind, f"a {kind} remark")
    if "cancel" in verify and kind not in ("brush", "sale", "rebate") and _CANCEL.search(text):
        return "a cancellation or refund"
    return None


def add(ctx, order_id: str, kind: str, *, verified_buyer: Optional[str] = None,
        dry_run: bool = False, **fields) -> dict:
    """Compose, check and record a remark by ``ctx.agent``; apply its holds and brushing mark.

    Returns the remark object (``id`` None on a dry run) with ``applied``:
    what it changed to holds and the brushing mark.
    """
    journal, policy, agent = ctx.journal, ctx.policy, ctx.agent
    order = require(journal, order_id, ctx.scope)
    oid, platform = order["order_id"], order["platform"]
    policy = policy.shop(order["shop"])
    now = ctx.clock.now()
    draft = compose(kind, author=agent, now=now, shop=shop_of(journal, policy), **fields)
    why = needs_verified_buyer(draft.kind, draft.text, policy.get("remark.verify_buyer"))
    if why:
        if not verified_buyer:
            raise BadUsage(
                M_("{why} must be checked with the account that placed order {oid}: give "
                   "--verified-buyer NICK, the Wangwang account that asked (account a / "
                   "account b)", why=why, oid=oid))
        if not order["buyer"]:
            raise CstoolError(
                M_("refused: the journal does not know who placed order {oid} (the export "
                   "had no 买家会员名); import the classic order export first", oid=oid))
        if verified_buyer.strip() != order["buyer"]:
            raise CstoolError(
                M_("refused: {strip} is not the account that placed order {oid}; never "
                   "change or cancel an order on another account's word (account a / "
                   "account b)", strip=verified_buyer.strip(), oid=oid))
    limit = policy.get("remark.memo_max_bytes")
    size = len(draft.text.encode("utf-8"))
    if size > limit:
        raise BadUsage(M_("the remark is {size} bytes; the platform keeps at most {limit} "
                          "(UTF-8): shorten it", size=size, limit=limit))
    problems = list(draft.parsed.problems)
    memo = order["seller_memo"] or ""
    combined = len(memo.encode("utf-8")) + 1 + size if memo else size
    if combined > limit:
        problems.append(M_("with the order's memo the platform's memo becomes {combined} bytes, "
                           "over its {limit}: shorten the memo when you paste this",
                           combined=combined, limit=limit))
    p = draft.parsed
    p.problems = problems
    p.at, p.date_only = now, False  # written now: the time is known to the second
    now_db = to_db(now)
    result = {"id": None, "order_id": oid, "platform": platform, "source": "cli",
              "kind": draft.kind,
              "flag": draft.flag, "flag_code": COLOUR_CODE[draft.flag],
              "text": Memo(draft.text), "reason": memo_text(p.reason), "action": memo_text(p.action),
              "at": Instant(now_db), "author": agent, "fields": typed_fields(fields_of(p)),
              "problems": problems, "recorded_by": agent, "recorded_at": Instant(now_db),
              "applied": [], "dry_run": dry_run}
    if dry_run:
        return result
    with journal.write():
        cols = columns(p)
        cur = journal.execute(
            "INSERT INTO remarks (order_id, platform, source, text, kind, flag, flag_code, reason, "
            "action, at, author, fields, problems, parsed, created_by, created_at) "
            "VALUES (?, ?, 'cli', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            [oid, platform, draft.text, draft.kind, draft.flag, COLOUR_CODE[draft.flag],
             *cols[3:6], agent, *cols[7:], agent, now_db])
        result["id"] = cur.lastrowid
        key = (oid, platform)
        result["applied"] = apply(journal, order, p, remark_id=cur.lastrowid, now_db=now_db,
                                  agent=agent, open_holds=open_holds_of(journal, [key]).get(key, {}))
    return result


# -- history ----------------------------------------------------------------------------------------


def history(ctx, order_id: str) -> list[dict]:
    """The order's remarks, oldest first (platform memos, cli remarks, chase remarks)."""
    order = require(ctx.journal, order_id, ctx.scope)
    return own_names([present(r, with_order=False) for r in ctx.journal.query(
        "SELECT * FROM remarks WHERE order_id = ? AND platform = ? ORDER BY created_at, id",
        [order["order_id"], order["platform"]])], [order["receiver_name"]])
