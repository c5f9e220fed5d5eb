"""remark add: the house formats, refusals, the buyer check, flags by scheme, holds."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import DEMO_NOW, order

from cstool.core.clock import Clock
from cstool.core.journal import Journal
from cstool.core.policy import FLAG_SCHEMES
from cstool.remark.compose import compose
from cstool.remark.flags import Shop
from cstool.remark.parse import parse

ORDER = order("paid_yesterday_evening")  # paid, no memo, buyer known


def add(run, *args, check=0, agent="倩"):
    return run.json(["--agent", agent, "remark", "add", ORDER, *args, "--json"], check=check)


def buyer(run, order_id=ORDER):
    return run.json(["orders", "show", order_id, "--json"])["buyer"]


def count(env, sql, params=()):
    j = Journal.open(str(env))
    try:
        return j.scalar(sql, params)
    finally:
        j.close()


ROUND_TRIPS = [
    # kind, options, the text in the manual's format, what it reads back as
    ("note", ["--reason", "客户要求发顺丰", "--action", "已改快递"],
     "红旗 客户要求发顺丰 已改快递 2026.11.23 倩",
     dict(kind="note", flag="red", reason="客户要求发顺丰", action="已改快递")),
    ("note", ["--reason", "客户说尺码偏小", "--action", "换大一码"],
     "红旗 客户说尺码偏小,处理:换大一码 2026.11.23 倩",
     dict(kind="note", flag="red", reason="客户说尺码偏小", action="换大一码")),
    ("request", ["--request", "发顺丰"], "客户要求发顺丰---2026.11.23 倩",
     dict(kind="request", fields={"request": "发顺丰", "about": "courier", "courier": "顺丰"})),
    ("attr", ["--from", "白色M码", "--to", "白色L码"],
     "客户拍下白色M码,要求修改成白色L码,已修改妥当---2026.11.23 倩",
     dict(kind="attr", fields={"from": "白色M码", "to": "白色L码", "done": True})),
    ("slip", ["--to", "黑色"], "客户要求修改成黑色,已在发货单与快递单上修改妥当---2026.11.23 倩",
     dict(kind="slip", fields={"to": "黑色"})),
    ("courier", ["--courier", "sto"], "申通 倩 11.23",
     dict(kind="courier", fields={"courier": "申通"})),
    ("hold", ["--until", "2026-11-25"], "25日发货",
     dict(kind="hold", fields={"holds": [{"kind": "until", "until": "2026-11-25"}]})),
    ("hold", ["--until", "2026-12-20"], "12月20日发货",
     dict(kind="hold", fields={"holds": [{"kind": "until", "until": "2026-12-20"}]})),
    ("hold", ["--until", "12.1", "--presale"], "预售1日发货",
     dict(kind="hold", fields={"holds": [{"kind": "presale", "until": "2026-12-01"}]})),
    ("hold", ["--owner", "郑婷"], "必须由郑婷负责处理!",
     dict(kind="hold", fields={"holds": [{"kind": "owner", "owner": "郑婷"}]})),
    ("hold", ["--waiting-buyer", "--reason", "37码缺货"],
     "37码缺货,已联系顾客,等顾客回复---2026.11.23 倩",
     dict(kind="hold", reason="37码缺货", fields={"holds": [{"kind": "waiting_buyer"}]})),
    ("hold", ["--release"], "取消挂起,正常发货---2026.11.23 倩",
     dict(kind="hold", fields={"release": ["until", "owner", "waiting_buyer"]})),
    ("rebate", ["--promo-price", "108", "--paid-price", "128.50"],
     "活动价108元,实付128.50元,需返20.50元 2026.11.23 倩",
     dict(kind="rebate", fields={"promo_price": "108.00", "paid_price": "128.50",
                                 "refund": "20.50"})),
    ("gift", ["--gift", "茶巾一条"], "赠品:茶巾一条 2026.11.23 倩",
     dict(kind="gift", fields={"gift": "茶巾一条"})),
    ("sale", ["--job-no", "1024"], "工号1024 倩", dict(kind="sale", fields={"job_no": "1024"})),
    ("brush", ["--name", "刘晓庆"], "@@@刘晓庆", dict(kind="brush", fields={"name": "刘晓庆"})),
]


@pytest.mark.parametrize("kind,options,text,back", ROUND_TRIPS,
                         ids=[f"{k}:{t[:12]}" for k, _, t, _ in ROUND_TRIPS])
def test_compose_then_parse_round_trips(run, demo, kind, options, text, back):
    made = add(run, "--kind", kind, *options)
    assert made["text"] == text
    assert made["problems"] == []
    read = run.json(["remark", "parse", text, "--json"])
    for key, value in back.items():
        if key == "fields":
            assert {k: read["fields"].get(k) for k in value} == value
        else:
            assert read[key] == value, key
    assert read["kind"] == kind == made["kind"]
    assert read["problems"] == []
    signed = "---" in text or text.endswith(" 倩") or "2026.11.23" in text
    if signed:
        assert read["author"] == "倩"


def test_address_round_trips_and_is_masked_unless_revealed(run, demo):
    nick = buyer(run)
    made = add(run, "--kind", "address", "--address", "江苏省 南京市 鼓楼区 中山路100号",
               "--verified-buyer", nick)
    # the text to paste is whole (the agent's own input); the parsed fields are masked
    assert made["text"] == "客户要求修改地址,新地址为:江苏省 南京市 鼓楼区 中山路100号---2026.11.23 倩"
    assert made["fields"]["address"] == "江苏省 南京市 鼓楼区 ****"
    listed = run.json(["remark", "list", ORDER, "--json"])[-1]
    assert listed["text"] == "客户要求修改地址,新地址为:江苏省 南京市 鼓楼区 ****---2026.11.23 倩"
    shown = run.json(["--reveal", "remark", "list", ORDER, "--json"])[-1]
    assert shown["text"] == "客户要求修改地址,新地址为:江苏省 南京市 鼓楼区 中山路100号---2026.11.23 倩"
    read = run.json(["--reveal", "remark", "parse", shown["text"], "--json"])
    assert (read["kind"], read["author"], read["fields"]["address"]) == \
        ("address", "倩", "江苏省 南京市 鼓楼区 中山路100号")


def test_library_compose_round_trips_every_kind():
    clock = Clock("Asia/Shanghai", DEMO_NOW)
    ctx = Shop(scheme=FLAG_SCHEMES["team"], agents=frozenset({"倩", "郑婷"}))
    values = {"note": dict(reason="客户要求开发票", action="已开"), "request": dict(request="周末送货"),
              "address": dict(address="浙江省 杭州市 西湖区 文三路1号"),
              "attr": dict(from_="黑色", to="白色"), "slip": dict(to="白色"),
              "courier": dict(courier="韵达"), "hold": dict(until=date(2026, 11, 28)),
              "rebate": dict(promo_fen=9900, paid_fen=12800), "gift": dict(gift="贺卡"),
              "sale": dict(job_no="A07"), "brush": dict(name="王五")}
    for kind, fields in values.items():
        draft = compose(kind, author="倩", now=clock.now(), shop=ctx, **fields)
        back = parse(draft.text, clock.now(), ctx)
        assert (back.kind, back.problems) == (kind, []), draft.text
        assert draft.parsed.kind == kind


def test_the_flag_follows_the_shops_scheme(run, demo):
    assert [add(run, *a)["flag_code"] for a in (
        ["--kind", "note", "--reason", "r", "--action", "已a"], ["--kind", "brush"],
        ["--kind", "sale", "--job-no", "7"])] == [1, 5, 2]   # red, purple, yellow (R13)
    run(["policy", "use", "flags-shipping"], check=0)
    got = {a[1]: add(run, *a)["flag"] for a in (
        ["--kind", "note", "--reason", "r", "--action", "已a"], ["--kind", "request", "--request", "x"],
        ["--kind", "slip", "--to", "黑色"], ["--kind", "brush"], ["--kind", "hold", "--until", "25日"])}
    assert got == {"note": "red", "request": "yellow", "slip": "green", "brush": "red",
                   "hold": "red"}
    run(["policy", "set", "flag_scheme", "red=presale,green=sale,blue=rebate"], check=0)
    assert add(run, "--kind", "sale", "--job-no", "7")["flag"] == "green"
    assert add(run, "--kind", "rebate", "--promo-price", "1", "--paid-price", "2")["flag"] == "blue"


def test_an_after_sale_agents_note_takes_blue(run, demo):
    run(["agent", "add", "郑婷", "--role", "售后"], check=0)
    made = add(run, "--kind", "note", "--reason", "破损", "--action", "已补发", agent="郑婷")
    assert (made["flag"], made["text"]) == ("blue", "蓝旗 破损 已补发 2026.11.23 郑婷")


def test_chinese_words_for_kind_and_flag(run, demo):
    made = add(run, "--kind", "赠品", "--gift", "手机壳", "--flag", "红")
    assert (made["kind"], made["flag"], made["flag_code"]) == ("gift", "red", 1)
    assert add(run, "--kind", "刷单", "--flag", "紫旗")["kind"] == "brush"


def test_a_flag_that_contradicts_the_scheme_is_refused(run, demo):
    result = run(["--agent", "倩", "remark", "add", ORDER, "--kind", "note", "--reason", "r",
                  "--action", "已a", "--flag", "purple"])
    assert result.exit_code == 2
    assert "Error: flag purple (紫) means brush in the shop's scheme; a note remark takes " \
           "red (红)" in result.output
    result = run(["--agent", "倩", "remark", "add", ORDER, "--kind", "note", "--reason", "r",
                  "--action", "已a", "--flag", "none"])
    assert result.exit_code == 2
    assert "no flag (旗帜); a note remark takes red (红)" in result.output


@pytest.mark.parametrize("args,message", [
    (["--kind", "note", "--reason", "x"], "a note remark needs --action"),
    (["--kind", "attr"], "a attr remark needs --from and --to"),
    (["--kind", "rebate", "--promo-price", "99"], "a rebate remark needs --paid-price"),
    (["--kind", "hold"], "a hold remark needs --until DATE, --owner NAME, --waiting-buyer and "
                         "or --release"),
    (["--kind", "hold", "--waiting-buyer"], "a hold remark needs --reason"),
    (["--kind", "note", "--reason", "x", "--action", "y", "--address", "z"],
     "--address does not go with --kind note (a note remark takes --reason, --action)"),
])
def test_missing_or_stray_fields_are_usage_errors(run, demo, args, message):
    result = run(["--agent", "倩", "remark", "add", ORDER, *args])
    assert result.exit_code == 2
    assert message in result.output
    assert count(demo, "SELECT count(*) FROM remarks WHERE source = 'cli'") == 0


def test_an_address_change_needs_the_buyers_own_account(run, demo):
    args = ["--agent", "倩", "remark", "add", ORDER, "--kind", "address", "--address", "某地"]
    missing = run(args)
    assert missing.exit_code == 2  # an option the kind needs
    assert "an address change must be checked with the account that placed order " \
           f"{ORDER}: give --verified-buyer NICK" in missing.output
    scam = run(args + ["--verified-buyer", "tb_someone_else"])
    assert scam.exit_code == 1
    assert f"refused: tb_someone_else is not the account that placed order {ORDER}" in scam.output
    assert count(demo, "SELECT count(*) FROM remarks WHERE source = 'cli'") == 0
    ok = run(args + ["--verified-buyer", buyer(run), "--json"], check=0)
    assert '"kind": "address"' in ok.stdout


def test_a_cancellation_needs_the_buyers_own_account(run, demo):
    args = ["--agent", "倩", "remark", "add", ORDER, "--kind", "note", "--reason", "客户不想要了",
            "--action", "已通知打单作废"]
    result = run(args)
    assert result.exit_code == 2
    assert "a cancellation or refund must be checked with the account" in result.output
    assert run(args + ["--verified-buyer", buyer(run)]).exit_code == 0


def test_which_remarks_need_the_buyer_is_policy(run, demo):
    args = ["--agent", "倩", "remark", "add", ORDER, "--kind", "attr", "--from", "黑", "--to", "白"]
    run(["policy", "set", "remark.verify_buyer", "address,attr,slip,cancel"], check=0)
    result = run(args)
    assert result.exit_code == 2
    assert "an attribute change must be checked" in result.output
    run(["policy", "set", "remark.verify_buyer", "none"], check=0)
    assert run(["--agent", "倩", "remark", "add", ORDER, "--kind", "address", "--address",
                "某地"]).exit_code == 0
    bad = run(["policy", "set", "remark.verify_buyer", "address,nonsense"])
    assert bad.exit_code == 2
    assert "'nonsense': use kinds of remark add" in bad.output


def test_a_remark_over_the_memo_limit_is_refused(run, demo):
    text = "很" * 400  # 1200 bytes in UTF-8
    result = run(["--agent", "倩", "remark", "add", ORDER, "--kind", "request", "--request", text])
    assert result.exit_code == 2
    size = len(f"客户要求{text}---2026.11.23 倩".encode())
    assert f"Error: the remark is {size} bytes; the platform keeps at most 1000 (UTF-8)" in \
        result.output
    assert count(demo, "SELECT count(*) FROM remarks WHERE source = 'cli'") == 0


def test_a_remark_that_overfills_the_orders_memo_is_flagged(run, demo):
    run(["policy", "set", "remark.memo_max_bytes", "120"], check=0)
    memo_order = order("paid_courier_choice")  # memo "申通 倩 11.23"
    made = run.json(["--agent", "倩", "remark", "add", memo_order, "--kind", "request",
                     "--request", "很" * 28, "--json"])
    combined = len("申通 倩 11.23".encode()) + 1 + len(made["text"].encode())
    assert len(made["text"].encode()) <= 120 < combined
    assert made["problems"] == [f"with the order's memo the platform's memo becomes {combined} "
                                "bytes, over its 120: shorten the memo when you paste this"]
    assert made["id"] is not None


def test_dry_run_prints_and_records_nothing(run, demo):
    result = run(["--agent", "倩", "remark", "add", ORDER, "--kind", "hold", "--until", "25日",
                  "--dry-run"], check=0)
    assert result.stdout == (f"dry run, nothing recorded on order {ORDER}; paste it with a red flag "
                             "(红, 1):\n\n  25日发货\n\n")
    assert count(demo, "SELECT count(*) FROM remarks WHERE source = 'cli'") == 0
    assert count(demo, "SELECT count(*) FROM holds WHERE order_id = ?", [ORDER]) == 0
    assert add(run, "--kind", "gift", "--gift", "x", "--dry-run")["id"] is None


def test_the_text_to_paste_is_printed(run, demo):
    result = run(["--agent", "倩", "remark", "add", ORDER, "--kind", "request", "--request",
                  "周末送货"], check=0)
    rid = count(demo, "SELECT max(id) FROM remarks")
    assert result.stdout == (f"remark {rid} recorded on order {ORDER}; paste it with a red flag "
                             "(红, 1):\n\n  客户要求周末送货---2026.11.23 倩\n\n")


def test_a_hold_remark_opens_and_releases_holds(run, demo):
    made = add(run, "--kind", "hold", "--until", "2026-11-25", "--owner", "郑婷")
    assert made["text"] == "25日发货,必须由郑婷负责处理!"
    assert made["applied"] == ["held until 2026-11-25: ships that day",
                               "held for 郑婷: only 郑婷 handles this order"]
    shown = run.json(["orders", "show", ORDER, "--json"])
    assert [(h["kind"], h["until"], h["owner"], h["released_at"]) for h in shown["holds"]] == \
        [("until", "2026-11-25", None, None), ("owner", None, "郑婷", None)]
    again = add(run, "--kind", "hold", "--until", "2026-11-25")
    assert again["applied"] == []  # the same hold is open already
    released = add(run, "--kind", "hold", "--release")
    assert released["applied"] == ["released the hold for one agent",
                                   "released the hold until a ship date"]
    assert count(demo, "SELECT count(*) FROM holds WHERE order_id = ? AND released_at IS NULL",
                 [ORDER]) == 0
    assert count(demo, "SELECT released_by FROM holds WHERE order_id = ? AND kind = 'until'",
                 [ORDER]) == "倩"


def test_a_brush_remark_marks_the_order(run, demo):
    made = add(run, "--kind", "brush")
    assert (made["text"], made["applied"]) == ("@@@倩", ["marked as a brushing order (刷单)"])
    assert run.json(["orders", "show", ORDER, "--json"])["brushing"] is True


def test_a_sale_remark_takes_the_agents_job_number(run, demo):
    run(["agent", "add", "倩", "--job-no", "1024"], check=0)
    assert add(run, "--kind", "sale")["text"] == "工号1024 倩"
    result = run(["--agent", "郑婷", "remark", "add", ORDER, "--kind", "sale"])
    assert result.exit_code == 2
    assert "a sale remark needs --job-no" in result.output


def test_hold_dates_are_checked(run, demo):
    past = run(["--agent", "倩", "remark", "add", ORDER, "--kind", "hold", "--until", "2026-11-20"])
    assert past.exit_code == 2
    assert "--until 2026-11-20 is already past" in past.output
    bad = run(["--agent", "倩", "remark", "add", ORDER, "--kind", "hold", "--until", "soon"])
    assert bad.exit_code == 2
    assert "Invalid value for '--until'" in bad.output
    owner = run(["--agent", "倩", "remark", "add", ORDER, "--kind", "hold", "--owner", "路人"])
    assert owner.exit_code == 1
    assert "--owner 路人 is not a registered agent" in owner.output


def test_writing_needs_an_agent_and_an_order(run, demo):
    result = run(["remark", "add", ORDER, "--kind", "gift", "--gift", "x"])
    assert result.exit_code == 2
    assert "--agent" in result.output
    result = run(["--agent", "倩", "remark", "add", "123", "--kind", "gift", "--gift", "x"])
    assert result.exit_code == 1
    assert "Error: no order 123 in the journal" in result.output


def test_the_remark_is_recorded_with_who_and_when(run, demo):
    made = add(run, "--kind", "gift", "--gift", "茶巾一条")
    j = Journal.open(str(demo))
    row = dict(j.one("SELECT * FROM remarks WHERE id = ?", [made["id"]]))
    j.close()
    assert {k: row[k] for k in ("order_id", "source", "kind", "flag", "flag_code", "author",
                                "created_by", "at", "created_at", "parsed")} == {
        "order_id": ORDER, "source": "cli", "kind": "gift", "flag": "red", "flag_code": 1,
        "author": "倩", "created_by": "倩", "at": "2026-11-23T06:30:00Z",
        "created_at": "2026-11-23T06:30:00Z", "parsed": 1}
    assert made["at"] == made["recorded_at"] == "2026-11-23T14:30:00+08:00"


def test_every_courier_word_reads_back_as_a_courier():
    from cstool.core.vocab import COURIER
    from cstool.core.vocab import COURIER_WORDS as COURIERS

    assert all(COURIER.label(c) in COURIERS for c in COURIER.values)


def test_rebate_amounts_are_checked(run, demo):
    bad = run(["--agent", "倩", "remark", "add", ORDER, "--kind", "rebate", "--promo-price", "108",
               "--paid-price", "128", "--refund", "30"])
    assert bad.exit_code == 2
    assert "--refund 30 is not --paid-price 128 − --promo-price 108" in bad.output
    none = run(["--agent", "倩", "remark", "add", ORDER, "--kind", "rebate", "--promo-price", "128",
                "--paid-price", "108"])
    assert none.exit_code == 2
    assert "--paid-price is not above --promo-price: nothing to return" in none.output


def test_the_text_to_paste_is_the_real_text_while_listings_mask_it(run, demo):
    """The warehouse ships from the pasted text: a masked address would send the parcel nowhere."""
    address = "浙江省 杭州市 西湖区 文三路 88号 3幢"
    out = run(["--agent", "倩", "remark", "add", ORDER, "--kind", "address", "--address", address,
               "--verified-buyer", buyer(run)], check=0)
    whole = f"客户要求修改地址,新地址为:{address}---2026.11.23 倩"
    assert f"\n  {whole}\n" in out.stdout
    assert "****" not in out.output and "masked" not in out.output
    dry = run(["--agent", "倩", "remark", "add", ORDER, "--kind", "address", "--address", address,
               "--verified-buyer", buyer(run), "--dry-run"], check=0)
    assert f"\n  {whole}\n" in dry.stdout
    for argv in (["remark", "list", ORDER], ["orders", "show", ORDER]):
        shown = run(argv, check=0).stdout
        assert "文三路" not in shown and "西湖区 ****" in shown, argv
    assert "文三路 88号 3幢" in run(["--reveal", "remark", "list", ORDER], check=0).stdout


@pytest.mark.parametrize("typed", ["11.20", "11月20日", "Nov 20"])
def test_a_past_date_without_a_year_is_refused_not_moved_to_next_year(run, demo, typed):
    """On 11-23, --until 11.20 used to hold the order until 2027-11-20: gone from shipcheck."""
    result = run(["--agent", "倩", "remark", "add", ORDER, "--kind", "hold", "--until", typed])
    assert result.exit_code == 2
    assert result.output.endswith(
        f"Error: Invalid value for '--until': {typed} is past; give the year if you mean 2027\n")
    assert count(demo, "SELECT count(*) FROM holds WHERE order_id = ?", [ORDER]) == 0
    assert count(demo, "SELECT count(*) FROM remarks WHERE order_id = ? AND source = 'cli'",
                 [ORDER]) == 0


def test_a_typed_date_without_a_year_is_this_years(run, demo):
    made = add(run, "--kind", "hold", "--until", "11.25")
    assert (made["text"], made["fields"]["holds"]) == (
        "25日发货", [{"kind": "until", "until": "2026-11-25"}])
    made = add(run, "--kind", "hold", "--until", "2027-11-20")  # the year given: as asked
    assert (made["text"], made["fields"]["holds"]) == (
        "2027年11月20日发货", [{"kind": "until", "until": "2027-11-20"}])
    # a memo read from an export keeps the nearest-year rule: 11.20 written on 11-23 is past
    parsed = run.json(["remark", "parse", "11.20发货", "--json"])
    assert parsed["fields"]["holds"] == [{"kind": "until", "until": "2026-11-20"}]


def test_what_a_hold_remark_did_reads_as_a_sentence(run, demo):
    made = add(run, "--kind", "hold", "--until", "12.1", "--presale")
    assert made["applied"] == ["held for presale until 2026-12-01: ships that day"]
    waiting = add(run, "--kind", "hold", "--waiting-buyer", "--reason", "黑色缺货,是否换白色")
    assert waiting["applied"] == ["held: waiting for the buyer's answer"]
    out = run(["--agent", "倩", "remark", "add", ORDER, "--kind", "hold", "--release"],
              check=0).stdout
    assert out.endswith("\nreleased the hold waiting for the buyer\n")
