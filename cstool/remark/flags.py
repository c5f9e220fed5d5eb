"""Remark kinds and what their flag colours mean under a shop's scheme.

A kind (R1–R14 of docs/domain.md) has the meanings a flag on it may carry, best
first; the shop's flag scheme (policy ``flag_scheme``) maps colours to meanings.
The parser, the composer and lint ask here which colour a kind takes and whether
a flag contradicts the scheme.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from cstool.core.errors import InputError
from cstool.core.i18n import M_
from cstool.core.text import Lazy
from cstool.core.vocab import COLOUR, FLAG_MEANING, Vocabulary

_KIND_WORDS = {
    "note": ["备注", "说明", "一般"],
    "request": ["要求", "特殊要求", "客户要求"],
    "address": ["地址", "改地址", "修改地址"],
    "attr": ["属性", "改属性", "修改属性", "颜色尺码", "sku"],
    "slip": ["发货单", "改单", "快递单"],
    "courier": ["快递", "物流", "指定快递"],
    "hold": ["挂起", "暂缓发货"],
    "rebate": ["返现", "差价", "退差价", "打款"],
    "gift": ["赠品"],
    "sale": ["工号", "提成", "销售"],
    "brush": ["刷单"],
    "chase": ["催付"],
    "free": ["其他", "自由"],
}
KIND = Vocabulary("remark kind", _KIND_WORDS)
# Kinds an agent composes with `remark add`; `chase` remarks are written by
# `chase log`, and `free` is what the parser calls a remark in no format.
COMPOSE_KINDS = ("note", "request", "address", "attr", "slip", "courier", "hold", "rebate",
                 "gift", "sale", "brush")
COMPOSE_KIND = Vocabulary("remark kind", {k: _KIND_WORDS[k] for k in COMPOSE_KINDS})

# What a flag on each kind means, best first, and the colour the manuals give
# it when the shop's scheme has none of those meanings (R13's 小黄旗). Where a
# kind's meanings say presale, an after-sale agent's remark means aftersale
# (see kind_colours).
KIND_FLAG: dict[str, tuple[tuple[str, ...], str]] = {
    "note": (("presale", "problem"), "red"),
    "request": (("presale", "ship", "problem"), "red"),
    "address": (("presale", "ship", "problem"), "red"),
    "attr": (("presale", "ship", "problem"), "red"),
    "slip": (("presale", "submitted", "problem"), "red"),
    "courier": (("presale", "ship", "problem"), "red"),
    "hold": (("problem", "presale"), "red"),
    "rebate": (("rebate", "presale", "ship"), "red"),
    "gift": (("presale", "ship"), "red"),
    "sale": (("sale", "ship"), "yellow"),
    "brush": (("brush", "problem"), "purple"),
}
# Kinds whose manual format includes the flag (R1, R6, R13; 002 第五篇 "后台红旗备注").
FLAGGED_KINDS = frozenset(("note", "request", "address", "attr", "slip", "courier", "rebate",
                           "sale"))
# Kinds that must say when and who (R1's five items; accountability, domain.md §6).
SIGNED_KINDS = frozenset(("note", "request", "address", "attr", "slip", "courier", "rebate",
                          "gift", "free"))

_AFTERSALE = Lazy(r"退货|换货|退款|售后|补发|重发|破损|漏发|错发|退换")


def side(role: Optional[str]) -> Optional[str]:
    """``presale`` or ``aftersale`` when the author's role says so; else None.

    The content can't decide it (a pre-sale agent changes a size before
    shipping with the words of an exchange); it only leans the default colour.
    """
    return role if role in ("presale", "aftersale") else None


def kind_colours(kind: str, scheme: dict, side: Optional[str],
                 content: str = "") -> tuple[str, set]:
    """The colour a kind takes under ``scheme`` and every colour that agrees with it.

    ``side``: the author's team, when known; otherwise both teams' colours
    agree, and the default leans after-sale when the content is after-sale work.
    """
    if kind not in KIND_FLAG:
        return "none", set(COLOUR.values)
    meanings, fallback = KIND_FLAG[kind]
    if "presale" in meanings and side != "presale":
        i = meanings.index("presale")
        if side == "aftersale":
            teams: tuple[str, ...] = ("aftersale",)
        elif _AFTERSALE.search(content):
            teams = ("aftersale", "presale")
        else:
            teams = ("presale", "aftersale")
        meanings = meanings[:i] + teams + meanings[i + 1:]
    by_meaning: dict[str, str] = {}
    for colour, meaning in scheme.items():
        by_meaning.setdefault(meaning, colour)
    colours = [by_meaning[m] for m in meanings if m in by_meaning]
    return (colours[0], set(colours)) if colours else (fallback, {fallback})


def flag_problem(kind: str, flag: Optional[str], scheme: Optional[dict],
                 team: Optional[str], content: str = "") -> Optional[str]:
    """Why ``flag`` contradicts the kind under the shop's scheme, or None."""
    if not scheme or flag is None or kind not in KIND_FLAG:
        return None
    expected, ok = kind_colours(kind, scheme, team, content)
    if flag == "none":
        if kind in FLAGGED_KINDS:
            return M_("no flag (旗帜); a {kind} remark takes {expected} ({label})",
                      kind=KIND.word(kind), expected=expected, label=COLOUR.label(expected))
        return None
    if flag in ok:
        return None
    meaning = scheme.get(flag)
    what = (M_("means {meaning} in the shop's scheme", meaning=FLAG_MEANING.word(meaning))
            if meaning else M_("has no meaning in the shop's scheme"))
    return M_("flag {flag} ({label}) {what}; a {kind} remark takes {expected} ({expected_label})",
              flag=flag, label=COLOUR.label(flag), what=what, kind=KIND.word(kind),
              expected=expected, expected_label=COLOUR.label(expected))


class Shop:
    """What the parser needs from the shop; every part optional: the flag scheme
    (colour -> meaning, policy flag_scheme), the registered short names, and their
    roles (short name -> presale|aftersale|supervisor)."""

    __slots__ = ("scheme", "agents", "roles")

    def __init__(self, scheme: Optional[dict] = None, agents: frozenset = frozenset(),
                 roles: Optional[dict] = None):
        self.scheme, self.agents, self.roles = scheme, agents, roles if roles is not None else {}


def parse_verify(text: Any) -> list[str]:
    """Policy ``remark.verify_buyer``: ``address,cancel`` (or a list, or ``none``)."""
    if isinstance(text, list):
        parts = [str(p) for p in text]
    else:
        s = str(text).strip()
        parts = [] if s.lower() in ("", "none", "off", "无") else re.split(r"[,，;\s]+", s)
    out: list[str] = []
    for part in filter(None, parts):
        if part.lower() in ("cancel", "取消", "退款"):
            word = "cancel"
        else:
            word = COMPOSE_KIND.get(part)
            if word is None:
                raise InputError(M_("{part}: use kinds of remark add ({items}) or cancel",
                                    part=repr(part), items=', '.join(COMPOSE_KINDS)))
        if word not in out:
            out.append(word)
    return out

