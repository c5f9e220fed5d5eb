"""The abnormal-shipment playbooks (异常件处理流程) as data, one per kind.

From domain.md §4 and the manuals it cites (000 天猫客服工作流程 and 非正常签收;
002 各类快递件问题处理 and 退换货). A playbook is: the kind's first steps
(verify, photos, apologise ...), the resolutions it allows, and for each
resolution the steps that carry it out, each with its clock in hours. The
clock of a step starts when the step before it is done (or the case is
opened). Shops adjust clocks, resolutions and the photos required through
policy (``exception_hours.<kind>``, ``exception_resolutions.<kind>``,
``exception_min_photos``); :func:`policy_specs` declares those keys.

Only the clocks the manuals give are theirs (2–3 photos, 4 days of contact
attempts, a week for the courier to return a parcel, refunds within 72 h);
the rest are house defaults a shop is expected to tune.

This module is data plus small helpers and imports nothing heavy: the cases
routine declares its policy keys from it, and every command reads the keys.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Optional

from cstool.core import text
from cstool.core.errors import InputError
from cstool.core.i18n import M_, N_
from cstool.core.vocab import Vocabulary

KIND = Vocabulary("exception kind", {
    "wrong_item": ["错发", "发错货", "货品不符"],
    "missing_item": ["漏发", "少件", "漏发/少件", "包裹少件"],
    "damaged": ["破损", "破损件", "货品损坏"],
    "lost": ["丢件", "丢失"],
    "delayed": ["延迟", "物流延迟"],
    "signed_not_received": ["非正常签收", "签收未收到"],
    "out_of_area": ["超区", "超区件"],
    "undeliverable_buyer": ["疑难件-买家", "客户原因疑难件", "疑难件买家"],
    "undeliverable_courier": ["疑难件-快递", "快递原因疑难件", "疑难件快递"],
    "refused": ["拒收", "取消配送"],
    "quality": ["质量", "质量问题"],
})

RESOLUTION = Vocabulary("resolution", {
    "reship": ["重发", "整单重发"],
    "ship_missing": ["补发", "补发缺件", "补寄"],
    "partial_compensation": ["差额赔偿", "部分赔偿", "补偿", "多退少补", "退差价"],
    "return_reship": ["退回重发", "寄回重发", "换货"],
    "refund": ["退款", "退货退款"],
    "courier_claim": ["理赔", "快递理赔"],
    "buyer_pickup": ["自提", "客户自提", "买家自提"],
    "switch_courier": ["转快递", "换快递", "转其他快递"],
    "recall": ["追回", "原件追回", "退回", "召回"],
    "urge": ["催件", "催派", "催派件"],
})

STATUS = Vocabulary("exception status", {
    "open": ["处理中", "待处理"],
    "waiting_buyer": ["等买家", "等待买家"],
    "waiting_courier": ["等快递", "等待快递"],
    "resolved": ["已解决"],
    "closed": ["已关闭", "已完结"],
})

OUTCOME = Vocabulary("outcome", {
    "received": ["已收到", "买家已收到", "已签收"],
    "refunded": ["已退款"],
    "compensated": ["已赔偿", "已补偿"],
    "cancelled": ["已取消", "取消"],
})

PAYER = Vocabulary("freight payer", {
    "shop": ["我方", "店铺", "商家", "卖家"],
    "buyer": ["买家", "客户", "顾客"],
    "courier": ["快递", "快递公司"],
})

# What an amount is: money out (compensation, refund, freight the shop pays)
# or claimed back from the courier. Compensation may be negative: 多退少补,
# the buyer pays the difference.
MONEY = Vocabulary("money kind", {
    "compensation": ["赔偿", "补偿", "差价"],
    "refund": ["退款"],
    "freight": ["运费"],
    "claim": ["理赔", "索赔"],
})
MONEY_OUT = ("compensation", "refund", "freight")

# What a timeline event is (``exception show``).
ACTION = Vocabulary("case event", {
    "opened": ["登记"], "resolution": ["方案"], "step": ["完成步骤"], "money": ["金额"],
    "freight_payer": ["运费承担"], "tracking": ["新运单"], "photo": ["照片"],
    "status": ["状态"], "note": ["备注"], "closed": ["结案"],
})

# The steps of the playbooks: the key is what JSON and the journal keep; people read the
# first word in Chinese, and `exception update --step` takes any of them.
STEP = Vocabulary("case step", {
    "verify": ["核实"], "photos": ["取证", "拍照", "照片"], "apologise": ["致歉", "道歉"],
    "notify": ["通知买家"], "contact": ["联系买家"], "find_cause": ["查明原因", "查原因"],
    "decide": ["定方案", "协商", "选方案"], "notify_warehouse": ["通知仓库"],
    "reship": ["重发", "补发"], "follow_up": ["跟进"], "compensate": ["赔付", "打款"],
    "return": ["买家寄回", "寄回"], "inspect": ["验收退件", "验货"], "refund": ["退款"],
    "refund_freight": ["退运费", "退还运费"], "claim": ["理赔", "快递理赔"],
    "pickup": ["通知自提"], "picked_up": ["买家取货", "已自提"], "recall": ["追回", "退回原件"],
    "urge": ["催件", "催派"], "confirm": ["确认收货"], "wait_buyer": ["等买家联系"],
})

# The money kind an --amount is taken as when --for is not given.
MONEY_FOR_RESOLUTION = {
    "partial_compensation": "compensation",
    "refund": "refund",
    "courier_claim": "claim",
}

# Steps that follow the parcel to the buyer: closing the case ends them.
FOLLOW_KEYS = frozenset({"follow_up", "confirm", "picked_up", "wait_buyer"})

WAITS_STATUS = {"buyer": "waiting_buyer", "courier": "waiting_courier", None: "open"}


# Plain classes, not dataclasses: this module is imported by every command (through
# policy), and generating dataclass methods costs milliseconds at start-up.
class Step(NamedTuple):
    key: str
    text: str                        # what to do, in the manuals' words
    hours: Optional[int]             # the default clock; None: no deadline
    waits: Optional[str] = None      # 'buyer' | 'courier': whom the case waits on meanwhile
    done_by: Optional[str] = None    # photos | resolution | tracking | money:<kind>; None: --done


class Playbook:
    def __init__(self, kind: str, category: str, source: str, *, lead: tuple[Step, ...],
                 resolutions: tuple[str, ...], default: Optional[str], decide: Step,
                 plans: dict[str, tuple[Step, ...]], photos: int = 0,
                 freight: tuple[Optional[str], Optional[str]] = (None, None)):
        self.kind = kind
        self.category = category      # handover sheet: courier (联系快递) or aftersale (联系售后)
        self.source = source
        self.lead = lead
        self.resolutions = resolutions
        self.default = default        # the manual's default course, if it names one
        self.decide = decide          # used while no resolution is chosen
        self.plans = plans
        self.photos = photos          # photos needed before any resolution step
        self.freight = freight        # who pays the (reship, return) freight

    @property
    def label(self) -> str:
        return KIND.label(self.kind)

    def plan(self, resolution: str) -> tuple[Step, ...]:
        return self.plans.get(resolution) or GENERIC[resolution]

    def step_keys(self) -> list[str]:
        keys: list[str] = []
        for s in (*self.lead, self.decide, *(s for p in self.plans.values() for s in p),
                  *(s for p in GENERIC.values() for s in p)):
            if s.key not in keys:
                keys.append(s.key)
        return keys

    def default_hours(self) -> dict[str, Optional[int]]:
        """The clock of each step of the kind's course (other steps keep their own)."""
        hours: dict[str, Optional[int]] = {}
        decide = () if self.default else (self.decide,)
        for s in (*self.lead, *decide, *(s for r in self.resolutions for s in self.plan(r))):
            hours.setdefault(s.key, s.hours)
        return hours


def _decide(text: str, hours: int = 4, waits: Optional[str] = "buyer") -> Step:
    return Step("decide", text, hours, waits, "resolution")


FOLLOW_UP = Step("follow_up", "跟进:跟进至买家收到货", 168, "courier")

# Steps of each resolution, used where a playbook has no steps of its own for it
# (so a resolution a shop adds by policy still has a course to follow).
GENERIC: dict[str, tuple[Step, ...]] = {
    "reship": (Step("reship", "重发:重新发出,登记新单号并告知买家", 24, done_by="tracking"),
               FOLLOW_UP),
    "ship_missing": (Step("notify_warehouse", "通知仓库补发:提供收件人信息,说明补发原因", 4),
                     Step("reship", "补发缺少的商品,登记新单号并告知买家", 24, done_by="tracking"),
                     FOLLOW_UP),
    "partial_compensation": (Step("compensate", "差额赔偿:按协商金额打款给买家(多退少补)", 24,
                                  done_by="money:compensation"),),
    "return_reship": (Step("return", "买家寄回:告知退货地址,登记退货单号", 168, "buyer"),
                      Step("inspect", "收到退件,核实无误", 24),
                      Step("reship", "重发:发出商品,登记新单号并告知买家", 24, done_by="tracking"),
                      FOLLOW_UP),
    "refund": (Step("refund", "退款给买家", 72, done_by="money:refund"),),
    "courier_claim": (Step("claim", "向快递理赔:商品+运费(月结扣除)", 168, "courier",
                           "money:claim"),),
    "buyer_pickup": (Step("pickup", "通知买家到网点自提,告知网点地址和电话", 4),
                     Step("picked_up", "跟进至买家取到货", 72, "buyer")),
    "switch_courier": (Step("reship", "转快递:改用能送到的快递发出,登记快递和单号", 24,
                            done_by="tracking"),
                       Step("recall", "通知原快递退回原件", 168, "courier"),
                       FOLLOW_UP),
    "recall": (Step("recall", "通知快递退回原件", 168, "courier"),
               Step("inspect", "收到退件,核实无误", 24)),
    "urge": (Step("urge", "联系快递网点催派件,告知买家进展", 24, "courier"),
             Step("confirm", "跟进至买家收到货", 72, "courier")),
}

def _returned(back: str, inspect: str) -> tuple[Step, Step]:
    """The buyer sends the goods back, freight paid in advance; the shop checks them."""
    return (Step("return", f"{back},登记退货单号", 168, "buyer"), Step("inspect", inspect, 24))


# The buyer advanced the return freight: the shop pays it back (manual 002, 退换货).
_REFUND_FREIGHT = Step("refund_freight", "退还买家垫付的运费(支付宝)", 72, done_by="money:freight")
_CLAIM = Step("claim", "向快递理赔:商品+运费(月结扣除)", 168, "courier", "money:claim")
_RESHIP_NOW = Step("reship", "马上重发,不影响我司服务,登记新单号并告知买家", 24,
                   done_by="tracking")

PLAYBOOKS: dict[str, Playbook] = {pb.kind: pb for pb in [
    Playbook(
        "wrong_item", "aftersale", "000 异常件处理跟进 1; 002 退换货 2.a",
        lead=(Step("photos", "核实错发:请买家拍收到的商品(至少{photos}张),与订单核对", 24, "buyer",
                   "photos"),),
        resolutions=("return_reship", "partial_compensation"), default=None,
        decide=_decide("与买家协商:寄回重发(我方承担来回运费),或买家留用、差价多退少补"),
        plans={
            "return_reship": (
                *_returned("买家先垫付运费寄回错发的商品", "收到退件核实,填写重发单"),
                Step("reship", "重发买家拍下的商品,通知买家单号", 24, done_by="tracking"),
                _REFUND_FREIGHT, FOLLOW_UP),
            "partial_compensation": (
                Step("compensate", "买家留用:按差价多退少补(支付宝转账)", 24,
                     done_by="money:compensation"),),
        },
        photos=1, freight=("shop", "shop")),
    Playbook(
        "missing_item", "aftersale", "000 异常件处理跟进 2",
        lead=(Step("verify", "核实少件:核对订单与出库记录", 4),),
        resolutions=("ship_missing",), default="ship_missing",
        decide=_decide("定方案:补发缺少的商品"),
        plans={}),
    Playbook(
        "damaged", "courier", "000 异常件处理跟进 3; 002 破损丢件",
        lead=(Step("verify", "核实:包裹是否完好、破损程度、破损件数", 4, "buyer"),
              Step("photos", "取证:请买家拍破损产品细节图(至少{photos}张)", 24, "buyer", "photos"),
              Step("apologise", "致歉:因此带给买家麻烦,向买家表示歉意", 4)),
        resolutions=("reship", "partial_compensation", "return_reship"), default=None,
        decide=_decide("定方案:马上重发,或买家接受差额赔偿,或退回重发"),
        plans={"reship": (_RESHIP_NOW,
                          Step("follow_up", "跟进至买家顺利收到,录入破损件信息", 168, "courier"))},
        photos=2, freight=("shop", None)),
    Playbook(
        "lost", "courier", "000 非正常签收 ①; 002 破损丢件",
        lead=(Step("verify", "核实:与快递公司核实确认丢件", 24, "courier"),
              Step("notify", "第一时间通知买家快递件情况,并致歉", 2)),
        resolutions=("reship", "refund"), default="reship",
        decide=_decide("定方案:马上重发,或退款"),
        plans={"reship": (_RESHIP_NOW, _CLAIM,
                          Step("follow_up", "跟进至买家顺利收到,录入丢失件信息", 168, "courier")),
               "refund": (Step("refund", "退款给买家", 72, done_by="money:refund"), _CLAIM)},
        freight=("courier", None)),
    Playbook(
        "delayed", "courier", "000 异常件处理跟进 4; 001",
        lead=(Step("notify", "通知买家延迟原因,并告知可派件时间", 4),),
        resolutions=("urge",), default="urge",
        decide=_decide("定方案:催快递派送"),
        plans={}),
    Playbook(
        "signed_not_received", "courier", "000 工作流程 3 (物流显示已签收)",
        lead=(Step("verify", "核实:致电快递网点和派件员,查快件去向", 4, "courier"),),
        resolutions=("reship", "buyer_pickup", "urge"), default=None,
        decide=_decide("定方案:已丢件→重发并理赔;超区→买家到网点自提;漏派送→催当天派送",
                       waits="courier"),
        plans={"reship": (_RESHIP_NOW, _CLAIM, FOLLOW_UP),
               "urge": (Step("urge", "漏派送:催快递当天派送", 8, "courier"),
                        Step("confirm", "跟进至买家收到货", 24, "courier"))}),
    Playbook(
        "out_of_area", "courier", "002 超区件",
        lead=(Step("contact", "告知买家超区情况,协商处理方式", 4, "buyer"),),
        resolutions=("reship", "switch_courier", "buyer_pickup"), default=None,
        decide=_decide("定方案:安排重发、原件追回;转其他能到的快递;或客户自提"),
        plans={"reship": (Step("reship", "安排重发,登记新单号并告知买家", 24, done_by="tracking"),
                          Step("recall", "追回原件", 168, "courier"),
                          FOLLOW_UP)}),
    Playbook(
        "undeliverable_buyer", "courier", "002 疑难件 (客户原因)",
        lead=(Step("contact", "电话联系、旺旺留言,确认正确的联系方式和地址", 96, "buyer"),),
        resolutions=("recall", "urge", "reship"), default="recall",
        decide=_decide("定方案:联系上→按正确信息派送;4天内联系不上→通知快递一周内退回"),
        plans={"recall": (Step("recall", "通知当地快递一周内将件退回", 168, "courier"),
                          Step("wait_buyer", "等买家主动联系,确认联系方式和地址后重新发送",
                               None, "buyer")),
               "urge": (Step("urge", "把正确的联系方式和地址告知快递,安排派送", 24, "courier"),
                        Step("confirm", "跟进至买家收到货", 72, "courier")),
               "reship": (Step("reship", "按确认的联系方式和地址重新发送,登记新单号", 24,
                               done_by="tracking"),
                          FOLLOW_UP)}),
    Playbook(
        "undeliverable_courier", "courier", "002 疑难件 (快递原因)",
        lead=(Step("find_cause", "查明原因:发错地址、爆仓、留仓、非本人签收", 4, "courier"),
              Step("apologise", "向买家致歉", 4)),
        resolutions=("urge", "reship"), default="urge",
        decide=_decide("定方案:协助催件;快递长时无法送货→重发并跟踪原件退回"),
        plans={"urge": (Step("urge", "协助买家催件,及时告知跟进情况", 24, "courier"),
                        Step("confirm", "跟进至货送到买家手中", 72, "courier")),
               "reship": (Step("reship", "及时安排重发,登记新单号", 24, done_by="tracking"),
                          Step("recall", "跟踪原件退回", 168, "courier"),
                          FOLLOW_UP)}),
    Playbook(
        "refused", "courier", "000 拒收、取消配送; 002",
        lead=(Step("contact", "联系买家,确认拒收原因", 4, "buyer"),),
        resolutions=("refund", "recall"), default="refund",
        decide=_decide("定方案:追回并退款,或只追回"),
        plans={"refund": (Step("recall", "通知快递退回", 168, "courier"),
                          Step("inspect", "收到退件,核实无误", 24),
                          Step("refund", "退款给买家", 72, done_by="money:refund"))}),
    Playbook(
        "quality", "aftersale", "002 退换货 3; 002 售后 ③④",
        lead=(Step("photos", "取证:请买家拍照证实质量问题(至少{photos}张)", 24, "buyer", "photos"),
              Step("verify", "核实问题", 4)),
        resolutions=("return_reship", "refund", "partial_compensation"), default=None,
        decide=_decide("协商:换货(我方承担来回运费)、退货退款,或补偿(补中样、退差价)"),
        plans={
            "return_reship": (
                *_returned("买家先垫付运费寄回", "收到退件核实"),
                Step("reship", "发出换货商品,通知买家单号", 24, done_by="tracking"),
                _REFUND_FREIGHT, FOLLOW_UP),
            "refund": (
                *_returned("买家先垫付运费寄回", "收到退件核实"),
                Step("refund", "退货款给买家", 72, done_by="money:refund"),
                _REFUND_FREIGHT),
            "partial_compensation": (
                Step("compensate", "补偿:补中样或退差价", 24, done_by="money:compensation"),),
        },
        photos=1, freight=("shop", "shop")),
]}

assert set(PLAYBOOKS) == set(KIND.values)


# --- the course of a case under the shop's policy --------------------------------


def hours_for(kind: str, policy) -> dict[str, Optional[int]]:
    hours = PLAYBOOKS[kind].default_hours()
    if policy is not None:
        hours.update(policy.get(f"exception_hours.{kind}") or {})
    return hours


def resolutions_for(kind: str, policy) -> tuple[str, ...]:
    if policy is None:
        return PLAYBOOKS[kind].resolutions
    return tuple(policy.get(f"exception_resolutions.{kind}"))


def min_photos(kind: str, policy) -> int:
    table = DEFAULT_PHOTOS if policy is None else policy.get("exception_min_photos")
    return int(table.get(kind, 0))


def default_resolution(kind: str, policy) -> Optional[str]:
    d = PLAYBOOKS[kind].default
    return d if d in resolutions_for(kind, policy) else None


def course(kind: str, resolution: Optional[str], policy) -> list[Step]:
    """The steps of a case in order, with the shop's clocks and photo count filled in."""
    pb = PLAYBOOKS[kind]
    steps = list(pb.lead)
    steps += list(pb.plan(resolution)) if resolution else [pb.decide]
    hours = hours_for(kind, policy)
    n = min_photos(kind, policy)
    return [s._replace(hours=hours.get(s.key, s.hours), text=s.text.replace("{photos}", str(n)))
            for s in steps]


def lead_keys(kind: str) -> set[str]:
    return {s.key for s in PLAYBOOKS[kind].lead}


# --- policy keys -------------------------------------------------------------------

DEFAULT_PHOTOS = {pb.kind: pb.photos for pb in PLAYBOOKS.values() if pb.photos}


def _pairs(value: Any, what: str) -> list[tuple[str, str]]:
    """``a=1,b=2`` (or a JSON object / dict) → pairs."""
    return text.pairs(value, what, M_("name=value (e.g. {example})", example=what), blank=False)


def _hours_value(v: str, step: str) -> Optional[int]:
    if v.lower() in ("none", "null", "-", "无"):
        return None
    try:
        n = int(v)
    except ValueError:
        raise InputError(M_("step {step}: {v} is not a whole number of hours (or none)",
                            step=STEP.word(step), v=repr(v))) from None
    if not 0 <= n <= 8760:
        raise InputError(M_("step {step}: {n} hours is outside 0..8760", step=STEP.word(step),
                            n=n))
    return n


def parse_hours(kind: str) -> Callable[[Any], dict]:
    def parse(text: Any) -> dict:
        pb = PLAYBOOKS[kind]
        known = pb.step_keys()
        hours = pb.default_hours()
        for step, v in _pairs(text, "photos=24,reship=12"):
            step = STEP.get(step) or step  # 取证=24 is photos=24
            if step not in known:
                raise InputError(M_("{kind} has no step {step}; its steps: {items}",
                                    kind=KIND.word(kind), step=repr(step),
                                    items=STEP.listed(known)))
            hours[step] = _hours_value(v, step)
        return hours

    return parse


def parse_resolutions(kind: str) -> Callable[[Any], list]:
    def parse(value: Any) -> list:
        out = RESOLUTION.many(text.split_list(value, N_("resolutions"), r"[,，;\s+]+"))
        if not out:
            raise InputError(M_("{kind} needs at least one resolution", kind=KIND.word(kind)))
        return out

    return parse


def parse_min_photos(text: Any) -> dict:
    table = dict(DEFAULT_PHOTOS)
    for kind, v in _pairs(text, "damaged=2,quality=1"):
        k = KIND(kind)
        try:
            n = int(v)
        except ValueError:
            raise InputError(M_("{kind}: {v} is not a whole number of photos", kind=kind,
                                v=repr(v))) from None
        if not 0 <= n <= 20:
            raise InputError(M_("{kind}: {n} photos is outside 0..20", kind=kind, n=n))
        table[k] = n
    return {k: table[k] for k in KIND.values if table.get(k)}


def _int_hours(text: Any) -> int:
    try:
        n = int(str(text).strip())
    except ValueError:
        raise InputError(M_("{text} is not a whole number of hours", text=repr(text))) from None
    if not 0 <= n <= 720:
        raise InputError(M_("{n} hours is outside 0..720", n=n))
    return n


def policy_specs() -> list[tuple[str, Any, Callable[[Any], Any], str]]:
    """The exception log's policy keys as (name, default, parser, help)."""
    specs: list[tuple[str, Any, Callable[[Any], Any], str]] = []
    for kind, pb in PLAYBOOKS.items():
        specs.append((f"exception_hours.{kind}", pb.default_hours(), parse_hours(kind),
                      f"{pb.label}: hours per step (step=hours,...; none: no deadline)"))
    for kind, pb in PLAYBOOKS.items():
        specs.append((f"exception_resolutions.{kind}", list(pb.resolutions),
                      parse_resolutions(kind), f"{pb.label}: allowed resolutions"))
    specs.append(("exception_min_photos", dict(DEFAULT_PHOTOS), parse_min_photos,
                  "photos needed before a resolution step, per kind (damaged=2,...)"))
    specs.append(("exception_lookahead_hours", 18, _int_hours,
                  "exception steps due within this many hours go on the handover sheet"))
    return specs


# Where the manuals differ: damaged parcels are reshipped at once (002) or
# settled by compensation or return-and-reship (000).
PRESETS_000 = {"exception_resolutions.damaged": ["partial_compensation", "return_reship"]}
PRESETS_002 = {"exception_resolutions.damaged": ["reship"]}
