"""Domain words in English and in the manuals' Chinese.

Every domain value a user types (a status, a colour, a remark kind, a chase
channel ...) goes through a :class:`Vocabulary`, so ``--kind 破损`` and
``--kind damaged`` mean the same and a wrong word gets one message listing
what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Optional

from cstool.core.errors import InputError
from cstool.core.i18n import _, language, pgettext


class Vocabulary:
    """Canonical English values, each with Chinese (and other) aliases.

    People read a value in their language (:meth:`shown`): the canonical value in
    English, the first alias (the manuals' word) in Chinese. ``what`` (the kind of word,
    in English) is a message in the context ``vocabulary``: ``make messages`` takes it
    from every vocabulary (:data:`EVERY`)."""

    def __init__(self, what: str, values: dict[str, Iterable[str]]):
        EVERY.append(self)
        self.what = what
        self.values = list(values)
        self.aliases = {k: list(v) for k, v in values.items()}
        self.labels = {k: (v[0] if v else k) for k, v in self.aliases.items()}
        self._words: Optional[dict[str, str]] = None

    @staticmethod
    def _key(word: str) -> str:
        return word.strip().lower().replace("_", "-").replace(" ", "-")

    @property
    def words(self) -> dict[str, str]:
        """Every word (canonical, hyphenated, alias) in lookup form → its canonical value;
        made on first use (cron reads few of the house's words)."""
        if self._words is None:
            self._words = {}
            for canon, aliases in self.aliases.items():
                for word in (canon, canon.replace("_", "-"), *aliases):
                    self._words[self._key(word)] = canon
        return self._words

    def get(self, word: Optional[str]) -> Optional[str]:
        if word is None:
            return None
        return self.words.get(self._key(word))

    def __call__(self, word: str) -> str:
        canon = self.get(word)
        if canon is None:
            raise InputError(self.unknown(word))
        return canon

    def unknown(self, word: str) -> str:
        """What to say of a word that is none of these."""
        return _("unknown {what} {word}; use one of: {choices}").format(
            what=self.name(), word=repr(word), choices=self.choices())

    def name(self) -> str:
        """The kind of word, in the reader's language (``exception kind`` → 异常类型)."""
        return pgettext("vocabulary", self.what)

    def word(self, canon: str) -> Word:
        """``canon`` as a word in a :class:`~cstool.core.i18n.Message`: the value itself
        where the text is English (JSON), the manuals' word where it is shown in Chinese."""
        return Word(canon, self)

    def listed(self, canons: Iterable[str], sep: str = ", ") -> Words:
        """Several values as one text, each read in the reader's language when shown."""
        return Words(canons, self, sep)

    def shown(self, canon):
        """A canonical value as people read it: the manuals' word in Chinese, the value
        itself in English (anything else as it is)."""
        if language() == "zh" and isinstance(canon, str):
            return self.labels.get(canon, canon)
        return canon

    def __contains__(self, word: str) -> bool:
        return self.get(word) is not None

    def many(self, words) -> list[str]:
        """Several words to their canonical values, in order, each once."""
        out: list[str] = []
        for word in words:
            canon = self(word)
            if canon not in out:
                out.append(canon)
        return out

    def choices(self) -> str:
        return ", ".join(f"{v} ({self.labels[v]})" if self.labels[v] != v else v for v in self.values)

    def label(self, canon: str) -> str:
        """The Chinese word for a canonical value (for sheets and messages)."""
        return self.labels.get(canon, canon)


class Word(str):
    """A domain value that reads in the reader's language when shown (:meth:`shown`)."""

    def __new__(cls, canon: str, vocab: Vocabulary):
        obj = super().__new__(cls, canon)
        obj.vocab = vocab
        return obj

    def shown(self) -> str:
        return self.vocab.shown(str(self))


class Words(str):
    """Several domain values as one text (``verify, photos``) that reads in the reader's
    language when shown (``核实, 取证``): what an error lists, English in JSON."""

    def __new__(cls, canons: Iterable[str], vocab: Vocabulary, sep: str = ", "):
        canons = list(canons)
        obj = super().__new__(cls, sep.join(canons))
        obj.canons, obj.vocab, obj.sep = canons, vocab, sep
        return obj

    def shown(self) -> str:
        return self.sep.join(self.vocab.shown(c) for c in self.canons)


# Every vocabulary made, in order (the catalog's ``vocabulary`` messages come from here).
EVERY: list[Vocabulary] = []


def word(what: str, canon: str):
    """``canon`` as a :class:`Word` of the vocabulary named ``what`` when one is loaded (a
    routine's words another routine may not import: the command line loads them), else
    the value as it is."""
    vocab = next((v for v in EVERY if v.what == what), None)
    return vocab.word(canon) if vocab is not None and isinstance(canon, str) else canon

STATUS = Vocabulary("order status", {
    "unpaid": ["待付款", "等待买家付款"],
    "paid": ["待发货", "买家已付款,等待卖家发货", "等待卖家发货", "买家已付款"],
    "part_shipped": ["部分发货", "卖家部分发货"],
    "shipped": ["已发货", "卖家已发货,等待买家确认", "等待买家确认收货", "卖家已发货"],
    "signed": ["已签收", "买家已签收"],
    "finished": ["交易成功", "已完成"],
    "closed": ["交易关闭", "已关闭"],
})

# A line's refund (退款状态 / 售后状态): none asked, asked, goods on their way back,
# refunded, refused. A refund request withdrawn or closed is ``none`` again.
REFUND = Vocabulary("refund status", {
    "none": ["没有申请退款", "无退款申请", "无售后或售后取消", "退款关闭", "售后关闭", "无售后"],
    "requested": ["买家已经申请退款，等待卖家同意", "买家已经申请退款,等待卖家同意", "退款中",
                  "售后处理中", "申请退款"],
    "returning": ["卖家已经同意退款，等待买家退货", "卖家已经同意退款,等待买家退货",
                  "买家已经退货，等待卖家确认收货", "买家已经退货,等待卖家确认收货",
                  "商家同意退货退款，待买家发货", "商家同意退货退款,待买家发货", "退货中"],
    "refunded": ["退款成功", "已退款"],
    "rejected": ["卖家拒绝退款", "拒绝退款"],
})
# Refund states of a line that is not (or not all) going to ship as ordered.
REFUNDING = ("requested", "returning", "refunded")

# The platforms an order can come from (an order is its platform and its number).
PLATFORM = Vocabulary("platform", {
    "taobao": ["淘宝", "天猫", "tmall", "淘宝天猫", "千牛"],
    "pdd": ["拼多多", "pinduoduo", "多多"],
    "jd": ["京东", "jingdong", "京东pop"],
    "douyin": ["抖音", "抖店", "抖音小店", "doudian"],
    "youzan": ["有赞", "有赞微商城"],
})

# Statuses of an order that has left the warehouse: whole (SENT), or at least in part.
SENT = ("shipped", "signed", "finished")
SHIPPED = ("part_shipped",) + SENT
# Statuses after payment; an order can still be held (a date, a person) before it ships.
PAID = ("paid",) + SHIPPED
HOLDABLE = ("unpaid", "paid", "part_shipped")

# Rank of a status along an order's life; an import never moves an order back.
STATUS_RANK = {"unpaid": 0, "paid": 1, "part_shipped": 2, "shipped": 3, "signed": 4,
               "finished": 5, "closed": 5}

# The platform's flag colours and their numbers (0 = no flag).
COLOUR = Vocabulary("flag colour", {
    "none": ["无", "无旗", "灰", "灰旗", "0"],
    "red": ["红", "红旗", "红色", "1"],
    "yellow": ["黄", "黄旗", "黄色", "2"],
    "green": ["绿", "绿旗", "绿色", "3"],
    "blue": ["蓝", "蓝旗", "蓝色", "4"],
    "purple": ["紫", "紫旗", "紫色", "5"],
})
COLOUR_CODE = {"none": 0, "red": 1, "yellow": 2, "green": 3, "blue": 4, "purple": 5}

# What a flag colour can mean in a shop's scheme (domain.md §1).
FLAG_MEANING = Vocabulary("flag meaning", {
    "presale": ["售前"],
    "aftersale": ["售后"],
    "brush": ["刷单"],
    "problem": ["问题", "延迟或不发货"],
    "ship": ["发货", "正常发货"],
    "submitted": ["已提交", "已审单"],
    "return": ["退换货", "退货", "换货"],
    "sale": ["销售", "提成", "工号"],
    "rebate": ["返现", "差价"],
    "other": ["其他"],
})

ROLE = Vocabulary("role", {
    "presale": ["售前"],
    "aftersale": ["售后"],
    "supervisor": ["主管", "组长"],
})

COURIER = Vocabulary("courier", {
    "sf": ["顺丰", "顺丰速运", "shunfeng"],
    "sto": ["申通", "申通快递", "shentong"],
    "yto": ["圆通", "圆通速递", "yuantong"],
    "zto": ["中通", "中通快递", "zhongtong"],
    "yunda": ["韵达", "韵达快递"],
    "ems": ["EMS", "邮政", "中国邮政", "邮政EMS"],
    "best": ["百世", "百世快递", "汇通", "百世汇通"],
    "ttk": ["天天", "天天快递"],
    "zjs": ["宅急送"],
    "deppon": ["德邦", "德邦快递"],
    "jd": ["京东", "京东快递", "京东物流"],
    "jt": ["极兔", "极兔速递"],
    "uc": ["优速", "优速快递"],
})


def _short_names(vocab: Vocabulary) -> tuple[str, ...]:
    """The names as agents write them in a remark: each courier's aliases that hold no
    shorter one of its own (顺丰, not 顺丰速运) and are not pinyin."""
    out = []
    for canon in vocab.values:
        aliases = vocab.aliases[canon]
        out += [a for a in aliases if not a.islower()
                and not any(b != a and b in a for b in aliases)]
    return tuple(out)


# Courier names to look for in free text (a remark, a buyer's message), in this order.
COURIER_WORDS = _short_names(COURIER)
