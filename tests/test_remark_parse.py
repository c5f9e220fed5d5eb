"""The remark parser's corpus: every format of R1–R14 (domain.md §1), the manuals'
own examples, agents' sloppy variants and full-width punctuation.

Expectations are written by hand from the formats. The remarks are read at
the demo clock (2026-11-23 14:30, Asia/Shanghai) under the default flag
scheme (by team: red pre-sale, blue after-sale, purple brushing), with no
agents registered.
"""

from __future__ import annotations

import json

import pytest
from conftest import DEMO_NOW

from cstool.core.clock import Clock
from cstool.core.output import Renderer
from cstool.core.policy import FLAG_SCHEMES
from cstool.remark.flags import Shop
from cstool.remark.parse import parse, split_lines
from cstool.remark.store import parse_for_output

CLOCK = Clock("Asia/Shanghai", DEMO_NOW)
TEAM = Shop(scheme=FLAG_SCHEMES["team"])
D = "T00:00:00+08:00"  # a date without a time of day: midnight, shop time
NO_TIME, NO_AUTHOR = "no time (时间)", "no author (备注人)"


def case(text, kind, *, flag=None, reason=None, action=None, at=None, author=None,
         problems=(), **fields):
    return pytest.param(text, dict(kind=kind, flag=flag, reason=reason, action=action, at=at,
                                   author=author, problems=list(problems)), fields, id=text[:30])


CORPUS = [
    # R1: red flag + content + handling + time + author
    case("红旗 客户要求发顺丰 已改快递 2014.8.25 倩", "note", flag="red",
         reason="客户要求发顺丰", action="已改快递", at="2014-08-25" + D, author="倩"),
    case("红旗 · 客户要求发顺丰 · 已改快递 · 2014.8.25 · 倩", "note", flag="red",
         reason="客户要求发顺丰", action="已改快递", at="2014-08-25" + D, author="倩"),
    case("【红旗】客户要求发顺丰，已改快递　2014.8.25　倩", "note", flag="red",
         reason="客户要求发顺丰", action="已改快递", at="2014-08-25" + D, author="倩"),
    case("红旗 客户要求发顺丰 已改快递", "note", flag="red", reason="客户要求发顺丰",
         action="已改快递", problems=[NO_TIME, NO_AUTHOR]),
    case("红旗 客户说尺码偏小 2026.11.23 倩", "note", flag="red", reason="客户说尺码偏小",
         at="2026-11-23" + D, author="倩", problems=["no handling (处理方式)"]),
    # R2: reason / what to handle + time + # + short name
    case("退货/换货,换37码 2014年8月25日11:43:42 # 倩", "note", reason="退货/换货",
         action="换37码", at="2014-08-25T11:43:42+08:00", author="倩"),
    case("退货/换货,换37码/更改地址XXXX 2014年8月25日11:43:42 # 倩", "address",
         reason="退货/换货,换37码/更改地址XXXX", at="2014-08-25T11:43:42+08:00", author="倩",
         address="XXXX"),
    case("换货,换38码 2026年11月22日9:05:00 #小雨", "note", reason="换货", action="换38码",
         at="2026-11-22T09:05:00+08:00", author="小雨"),
    case("售后 客户说鞋子开胶,已补发新鞋 2026年11月20日15:30 ＃ 郑婷", "note",
         reason="售后 客户说鞋子开胶", action="已补发新鞋", at="2026-11-20T15:30:00+08:00",
         author="郑婷"),
    # R3: brushing
    case("@@@刘晓庆", "brush", reason="@@@刘晓庆", name="刘晓庆"),
    case("＠＠＠王五", "brush", reason="@@@王五", name="王五"),
    case("紫旗 @@@张三", "brush", flag="purple", reason="@@@张三", name="张三"),
    case("@@@", "brush", name="", problems=["no name after @@@ (刷单人)"]),
    # R4: chased
    case("2015.03.09 郑婷已催付", "chase", action="已催付", at="2015-03-09" + D,
         author="郑婷", step="chased"),
    case("2015.03.09 郑婷 已催付", "chase", action="已催付", at="2015-03-09" + D,
         author="郑婷", step="chased"),
    case("2026.11.22 倩电话催付", "chase", action="电话催付", at="2026-11-22" + D,
         author="倩", step="chased"),
    case("已催付", "chase", action="已催付", step="chased", problems=[NO_TIME, NO_AUTHOR]),
    # R5: what the buyer said
    case("2015.03.09 顾客明天下午付款", "chase", reason="顾客明天下午付款",
         at="2015-03-09" + D, step="answer"),
    case("2026.11.22 买家说U盾不在身边,晚上回家付", "chase",
         reason="买家说U盾不在身边,晚上回家付", at="2026-11-22" + D, step="answer"),
    case("顾客明天下午付款", "chase", reason="顾客明天下午付款", step="answer",
         problems=[NO_TIME]),
    # R6: rebate
    case("红旗 活动价108元,实付128元,需返20元 2026.11.22 倩", "rebate", flag="red",
         reason="活动价108元,实付128元,需返20元", at="2026-11-22" + D, author="倩",
         promo_price="108.00", paid_price="128.00", refund="20.00"),
    case("活动价108元,实付128元,需返30元 2026.11.22 倩", "rebate",
         reason="活动价108元,实付128元,需返30元", at="2026-11-22" + D, author="倩",
         problems=["amount to return 30.00 is not paid 128.00 − activity price 108.00"]),
    case("红旗 返现20元 2026.11.22 倩", "rebate", flag="red", reason="返现20元",
         at="2026-11-22" + D, author="倩", refund="20.00",
         problems=["no activity price (活动价)", "no paid price (实付)"]),
    # R7: attribute change
    case("客户拍下白色M码,要求修改成白色L码,已修改妥当---2026.11.23 小雨", "attr",
         reason="客户拍下白色M码,要求修改成白色L码", action="已修改妥当",
         at="2026-11-23" + D, author="小雨", done=True, **{"from": "白色M码", "to": "白色L码"}),
    case("客户拍下黑色，要求修改成白色，已修改妥当——2014.8.25 倩", "attr",
         reason="客户拍下黑色,要求修改成白色", action="已修改妥当", at="2014-08-25" + D,
         author="倩", done=True, **{"from": "黑色", "to": "白色"}),
    case("客户拍下37码,要求修改成38码---2026.11.23 倩", "attr",
         reason="客户拍下37码,要求修改成38码", at="2026-11-23" + D, author="倩", done=False,
         problems=["does not say the change was made (已修改妥当)"]),
    # R8: address change
    case("客户要求修改地址,新地址为:江苏省 南京市 鼓楼区 中山路100号---2026.11.23 倩", "address",
         reason="客户要求修改地址,新地址为:江苏省 南京市 鼓楼区 中山路100号",
         at="2026-11-23" + D, author="倩", address="江苏省 南京市 鼓楼区 中山路100号"),
    case("客户要求修改地址---2026.11.23 倩", "address", reason="客户要求修改地址",
         at="2026-11-23" + D, author="倩", problems=["no new address (新地址为:…)"]),
    # R9: special requests
    case("客户要求发顺丰---2026.11.23 美美", "request", reason="客户要求发顺丰",
         at="2026-11-23" + D, author="美美", request="发顺丰", about="courier", courier="顺丰"),
    case("客户要求发票抬头写杭州某某科技有限公司---2026.11.23 倩", "request",
         reason="客户要求发票抬头写杭州某某科技有限公司", at="2026-11-23" + D, author="倩",
         request="发票抬头写杭州某某科技有限公司", about="invoice"),
    case("客户要求贺卡写生日快乐---2026.11.23 倩", "request", reason="客户要求贺卡写生日快乐",
         at="2026-11-23" + D, author="倩", request="贺卡写生日快乐", about="card"),
    case("2026.11.08 顾客要求周末送货---2026.11.08 美美", "request", reason="顾客要求周末送货",
         at="2026-11-08" + D, author="美美", request="周末送货", about="delivery"),
    case("红旗 客户要求开发票 2026.11.23 倩", "request", flag="red", reason="客户要求开发票",
         at="2026-11-23" + D, author="倩", request="开发票", about="invoice"),
    # R10: changed on the printed slips
    case("客户要求修改成黑色,已在发货单与快递单上修改妥当---2026.11.23 阿杰", "slip",
         reason="客户要求修改成黑色", action="已在发货单与快递单上修改妥当",
         at="2026-11-23" + D, author="阿杰", to="黑色"),
    # R11: courier + name + date (a date without a year: the nearest year)
    case("申通 倩 8.25", "courier", reason="申通", at="2026-08-25" + D, author="倩",
         courier="申通"),
    case("申通+倩+8.25", "courier", reason="申通", at="2026-08-25" + D, author="倩",
         courier="申通"),
    case("发顺丰", "courier", reason="发顺丰", courier="顺丰", problems=[NO_TIME, NO_AUTHOR]),
    # R12: holds
    case("25日发货", "hold", reason="25日发货", holds=[{"kind": "until", "until": "2026-11-25"}]),
    case("1日发货", "hold", reason="1日发货", holds=[{"kind": "until", "until": "2026-12-01"}]),
    case("12月1日发货", "hold", reason="12月1日发货",
         holds=[{"kind": "until", "until": "2026-12-01"}]),
    case("预售12月1日发货", "hold", reason="预售12月1日发货",
         holds=[{"kind": "presale", "until": "2026-12-01"}]),
    case("必须由倩负责处理!", "hold", reason="必须由倩负责处理",
         holds=[{"kind": "owner", "owner": "倩"}]),
    case("必须由郑婷负责处理！", "hold", reason="必须由郑婷负责处理",
         holds=[{"kind": "owner", "owner": "郑婷"}]),
    case("37码缺货,已旺旺问顾客是否换38码,等顾客回复 2026.11.21 倩", "hold", reason="37码缺货",
         action="已旺旺问顾客是否换38码,等顾客回复", at="2026-11-21" + D, author="倩",
         holds=[{"kind": "waiting_buyer"}]),
    # a hold in so many words, waiting for the buyer; the buyer's 确认 awaited is no answer
    case("挂起,等买家确认颜色 2026.11.21 倩", "hold", reason="挂起", action="等买家确认颜色",
         at="2026-11-21" + D, author="倩", holds=[{"kind": "waiting_buyer"}]),
    case("等买家确认颜色", "free", reason="等买家确认颜色", problems=[NO_TIME, NO_AUTHOR]),
    case("买家确认了颜色,可以发货 2026.11.22 倩", "hold", reason="买家确认了颜色,可以发货",
         at="2026-11-22" + D, author="倩", release=["until", "owner", "waiting_buyer"]),
    case("买家已确认颜色 2026.11.22 倩", "hold", reason="买家已确认颜色", at="2026-11-22" + D,
         author="倩", release=["waiting_buyer"]),
    case("取消挂起,正常发货---2026.11.23 倩", "hold", reason="取消挂起,正常发货",
         at="2026-11-23" + D, author="倩", release=["until", "owner", "waiting_buyer"]),
    # R13: sale credit
    case("黄旗 工号1024 倩", "sale", flag="yellow", reason="工号1024", author="倩",
         job_no="1024"),
    case("插小黄旗 工号1024", "sale", flag="yellow", reason="工号1024", job_no="1024"),
    case("工号:A07", "sale", reason="工号:A07", job_no="A07"),
    # R14: gifts
    case("赠品:茶巾一条 2026.11.23 倩", "gift", reason="赠品:茶巾一条", at="2026-11-23" + D,
         author="倩", gift="茶巾一条"),
    case("赠品：手机壳一个", "gift", reason="赠品:手机壳一个", gift="手机壳一个",
         problems=[NO_TIME, NO_AUTHOR]),
    # what agents actually type
    case("换大一码 小雨", "note", reason="换大一码", author="小雨", problems=[NO_TIME]),
    case("加急 2026.11.23 倩", "note", reason="加急", at="2026-11-23" + D, author="倩"),
    case("加急", "free", reason="加急", problems=[NO_TIME, NO_AUTHOR]),
    # flags that contradict the scheme (by team)
    case("蓝旗 @@@张三", "brush", flag="blue", reason="@@@张三", name="张三",
         problems=["flag blue (蓝) means aftersale in the shop's scheme; "
                   "a brush remark takes purple (紫)"]),
    case("绿旗 客户要求发顺丰 已改快递 2026.11.20 倩", "note", flag="green",
         reason="客户要求发顺丰", action="已改快递", at="2026-11-20" + D, author="倩",
         problems=["flag green (绿) has no meaning in the shop's scheme; "
                   "a note remark takes red (红)"]),
]


def _plain(p) -> dict:
    return Renderer(CLOCK, reveal=True).plain(parse_for_output(p))


@pytest.mark.parametrize("text,want,fields", CORPUS)
def test_corpus(text, want, fields):
    got = _plain(parse(text, CLOCK.now(), TEAM))
    assert {k: got[k] for k in want} == want
    assert {k: got["fields"].get(k) for k in fields} == fields


def test_corpus_is_big_enough():
    assert len(CORPUS) >= 40


def test_corpus_through_the_command_line(run):
    """The same remarks through ``cstool remark parse -``, one a line."""
    lines = [p.values[0] for p in CORPUS]
    result = run(["--reveal", "remark", "parse", "-", "--format", "jsonl"],
                 input="\n".join(lines) + "\n", check=0)
    got = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(got) == len(CORPUS)
    for g, p in zip(got, CORPUS):
        text, want, fields = p.values
        assert {k: g[k] for k in want} == want, text
        assert {k: g["fields"].get(k) for k in fields} == fields, text


def test_parse_one_remark_json(run):
    got = run.json(["remark", "parse", "2015.03.09 郑婷已催付", "--json"])
    assert got == {"text": "2015.03.09 郑婷已催付", "kind": "chase", "flag": None,
                   "flag_code": None, "reason": None, "action": "已催付",
                   "at": "2015-03-09T00:00:00+08:00", "author": "郑婷", "problems": [],
                   "fields": {"step": "chased", "date_only": True}}


def test_multi_line_memo_is_read_line_by_line():
    p = parse("2026.11.22 倩已催付\n2026.11.22 顾客明天下午付款", CLOCK.now(), TEAM)
    got = _plain(p)
    # summed up by its newest (last) line, every line kept
    assert (got["kind"], got["at"], got["author"]) == ("chase", "2026-11-22" + D, None)
    assert [(s["kind"], s["author"], s["fields"]["step"]) for s in got["fields"]["segments"]] == \
        [("chase", "倩", "chased"), ("chase", None, "answer")]
    assert got["problems"] == []


def test_problems_of_a_multi_line_memo_name_the_line():
    p = parse("发顺丰\n加急 2026.11.23 倩", CLOCK.now(), TEAM)
    assert p.kind == "note"
    assert p.problems == ["line 1: no time (时间)", "line 1: no author (备注人)"]


def test_a_signature_on_its_own_line_belongs_to_the_remark_above():
    assert split_lines('客户要求发"顺丰",到付不要\n---2026.11.23 倩') == \
        ['客户要求发"顺丰",到付不要 ---2026.11.23 倩']
    got = _plain(parse('客户要求发"顺丰",到付不要\n---2026.11.23 倩', CLOCK.now(), TEAM))
    assert (got["kind"], got["author"], got["at"], got["problems"]) == \
        ("request", "倩", "2026-11-23" + D, [])


def test_a_date_without_a_year_takes_the_nearest_year(run):
    """Written on 2 January 2027, "12.30" is three days ago, not eleven months ahead."""
    late = run.json(["remark", "parse", "申通 倩 12.30", "--at", "2027-01-02 10:00", "--json"])
    assert late["at"] == "2026-12-30" + D
    early = run.json(["remark", "parse", "申通 倩 1.3", "--at", "2026-12-30 10:00", "--json"])
    assert early["at"] == "2027-01-03" + D


def test_shipping_scheme_reads_flags_by_shipping_state():
    shipping = Shop(scheme=FLAG_SCHEMES["shipping"])
    # purple is return/exchange there; brushing is a problem order: red
    brush = parse("紫旗 @@@张三", CLOCK.now(), shipping)
    assert brush.problems == ["flag purple (紫) means return in the shop's scheme; "
                              "a brush remark takes red (红)"]
    assert parse("红旗 @@@张三", CLOCK.now(), shipping).problems == []
    # the yellow flag of a sale credit is "ship it" there, and agrees
    assert parse("黄旗 工号1024 倩", CLOCK.now(), shipping).problems == []


def test_registered_agents_decide_a_name_without_a_time():
    agents = Shop(scheme=FLAG_SCHEMES["team"], agents=frozenset({"小雨"}))
    assert parse("换大一码 小雨", CLOCK.now(), agents).author == "小雨"
    # not an agent of the shop: part of the content, not an author
    p = parse("新地址为:北京市 朝阳区 望京", CLOCK.now(), agents)
    assert (p.kind, p.author) == ("address", None)


def test_the_author_role_decides_pre_or_after_sale_colour():
    ctx = Shop(scheme=FLAG_SCHEMES["team"], agents=frozenset({"郑婷"}),
                  roles={"郑婷": "aftersale"})
    assert parse("红旗 退货,已退款 2026.11.23 郑婷", CLOCK.now(), ctx).problems == [
        "flag red (红) means presale in the shop's scheme; a note remark takes blue (蓝)"]
    assert parse("蓝旗 退货,已退款 2026.11.23 郑婷", CLOCK.now(), ctx).problems == []


def test_check_exits_1_when_a_remark_has_problems(run):
    assert run(["remark", "parse", "发顺丰", "--check"]).exit_code == 1
    assert run(["remark", "parse", "客户要求发顺丰---2026.11.23 美美", "--check"]).exit_code == 0


def test_parse_does_not_create_a_journal(run, env):
    env.unlink()
    run(["remark", "parse", "25日发货"], check=0)
    assert not env.exists()


def test_parse_table_shows_fields(run):
    out = run(["remark", "parse", "活动价108元,实付128元,需返20元 2026.11.22 倩"], check=0).stdout
    assert "promo_price=108.00, paid_price=128.00, refund=20.00, date_only=True" in out


def test_a_buyers_address_or_phone_in_a_remark_is_masked(run):
    text = "客户要求修改地址,新地址为:江苏省 南京市 鼓楼区 中山路100号 13812345678---2026.11.23 倩"
    got = run.json(["remark", "parse", text, "--json"])
    assert got["text"] == "客户要求修改地址,新地址为:江苏省 南京市 鼓楼区 ****---2026.11.23 倩"
    assert got["reason"] == "客户要求修改地址,新地址为:江苏省 南京市 鼓楼区 ****"
    assert got["fields"]["address"] == "江苏省 南京市 鼓楼区 ****"
    call = run.json(["remark", "parse", "客户要求送货前打电话13812345678---2026.11.23 倩", "--json"])
    assert call["fields"]["request"] == "送货前打电话138****5678"
    assert run.json(["--reveal", "remark", "parse", text, "--json"])["text"] == text


def test_a_bad_at_is_a_usage_error(run):
    result = run(["remark", "parse", "申通 倩 8.25", "--at", "tomorrow"])
    assert result.exit_code == 2
    assert "Invalid value for '--at': 'tomorrow' is not a time" in result.output


ERA_PROBLEM = "date {} is outside the years 2003–2100; ignored"


@pytest.mark.parametrize("text, dates", [
    ("晚上8点后送货 2026.11.22 倩", []),
    ("退货/换货,换L码 2026年11月22日18:02:24 # 阿杰", []),
    ("客户要求发顺丰---0001.01.01 小雨", ["0001.01.01"]),
    ("退货/换货,换L码 1999年11月22日18:02:24 # 阿杰", ["1999年11月22日18:02:24"]),
    ("１９９９．１１．２２ 顾客明天下午付款", ["1999.11.22"]),  # full-width, as agents type
    ("尺码2100 码 9999/1/2 发货", ["9999/1/2"]),
    ("订单12026年1月3日 到货", []),  # 2026 inside a longer number is still a year in the era
    ("订单11999年1月3日 到货", ["1999年1月3日"]),
    ("2026.11.22 郑婷已催付\n2001-01-05 美美 买家来电确认", ["2001-01-05"]),
    ("型号 1999 黑色 2026.11.20 倩", []),  # four digits that are not a date's year
])
def test_dates_outside_the_era_are_named_and_only_they(text, dates):
    """A memo names each dated form whose year is outside the era, and a memo whose dates
    are all inside it names none (the check runs the dated forms only when a year that
    can start one is outside the era)."""
    p = parse(text, CLOCK.now(), Shop())
    named = [x for x in p.problems if "outside the years" in x]
    assert [x.split(": ", 1)[-1] for x in named] == [ERA_PROBLEM.format(d) for d in dates]
