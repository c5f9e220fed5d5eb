"""The last pieces of the platforms' real exports: Youzan's address over four columns, and
PDD's order numbers that carry their day when the export gives no time
(fixtures/platform_exports.py and the headers of docs/import.md's sources)."""

from __future__ import annotations

import json
import sys

import pytest
from conftest import FIXTURES

sys.path.insert(0, str(FIXTURES))
import platform_exports as px  # noqa: E402

# Youzan's order-level export, all 60 columns in their order (S20; 分销员 twice).
YOUZAN_S20 = (
    "订单号,销售渠道,归属店铺,订单类型,订单状态,推广方式,订单来源,订单创建时间,买家付款时间,交易成功时间,"
    "付款方式,支付流水号,商品金额合计,运费,店铺优惠合计,应收订单金额,订单实付金额,支付优惠合计,订单实收金额,"
    "订单抵用积分数,店铺优惠方式,支付优惠方式,全部商品名称,商品种类数,订单配送方式,同城送达时间/提货时间,"
    "收货人省份,收货人城市,收货人地区,详细收货地址/提货地址,收货人/提货人,收货人手机号/提货人手机号,买家备注,"
    "订单星级,买家昵称,买家是否会员,买家手机号,下单网点,收银员,分销员,销售导购,专属导购,订单退款状态,"
    "订单已退款金额,商家订单备注,桌号,挂账主体,挂账手机号,团长订单,订单风险标签,分销员,分销员手机号,"
    "分销员所属店铺,分销员所属团队,分销员所属分组,分销员等级,订单佣金类型,订单佣金金额,订单下级卖货提成类型,"
    "订单下级卖货提成金额").split(",")


def youzan_row(**cells) -> list:
    row = dict.fromkeys(range(len(YOUZAN_S20)), "——")
    for name, value in cells.items():
        row[YOUZAN_S20.index(name)] = value
    return [row[i] for i in range(len(YOUZAN_S20))]


@pytest.fixture
def imp(run, env):
    run(["agent", "add", "倩"], check=0)

    def go(*args, check=0):
        return run(["--agent", "倩", "orders", "import", *map(str, args)], check=check)

    return go


def test_youzan_s20_address_is_composed_from_its_four_columns_and_masked(run, imp, tmp_path):
    base = {"归属店铺": "示范有赞店", "订单状态": "待发货", "订单创建时间": "2026-11-23 09:10:00",
            "买家付款时间": "2026-11-23 09:15:00", "订单实付金额": "68.00", "全部商品名称": "手工皂",
            "收货人/提货人": "赵小明", "收货人手机号/提货人手机号": "\t13999999999",
            "买家昵称": "yz_soap", "订单配送方式": "快递发货"}
    rows = [
        youzan_row(**base, 订单号="E20261123091000065306101", 收货人省份="浙江省",
                   收货人城市="杭州市", 收货人地区="西湖区", **{"详细收货地址/提货地址": "文三路100号"}),
        # a municipality: its city is its province, said once
        youzan_row(**base, 订单号="E20261123091000065306102", 收货人省份="上海市",
                   收货人城市="上海市", 收货人地区="浦东新区", **{"详细收货地址/提货地址": "世纪大道1号"}),
        # a detail that already starts with the province is kept as it is
        youzan_row(**base, 订单号="E20261123091000065306103", 收货人省份="江苏省",
                   收货人城市="南京市", 收货人地区="鼓楼区",
                   **{"详细收货地址/提货地址": "江苏省南京市鼓楼区中山路1号"}),
    ]
    f = px._csv(tmp_path / "有赞订单.csv", YOUZAN_S20, rows, encoding="utf-8", quote_all=False)
    result = run.json(["--agent", "倩", "orders", "import", str(f), "--json"])
    assert (result[0]["format"], result[0]["inserted"]) == ("youzan", 3)
    addresses = {o["order_id"]: o["receiver_address"] for o in run.json(
        ["orders", "list", "--reveal", "--json"])}
    assert addresses == {"E20261123091000065306101": "浙江省杭州市西湖区文三路100号",
                         "E20261123091000065306102": "上海市浦东新区世纪大道1号",
                         "E20261123091000065306103": "江苏省南京市鼓楼区中山路1号"}
    shown = run.json(["orders", "show", "E20261123091000065306101", "--json"])
    assert shown["receiver_address"] == "浙江省杭州市西湖区 ****"
    assert shown["receiver_phone"] == "139****9999"
    table = run(["orders", "show", "E20261123091000065306101"], check=0).output
    assert "文三路" not in table and "13999999999" not in table


def test_youzan_s21_address_without_a_city_column_is_composed(run, imp, files_dir):
    """The fixture's header (S21) has 收货人省份 and 收货人地区 but no 收货人城市."""
    imp(files_dir["youzan"])
    order = run.json(["orders", "show", px.YOUZAN[0][0], "--reveal", "--json"])
    assert order["receiver_address"] == "浙江省西湖区文三路100号"
    assert run.json(["orders", "show", px.YOUZAN[0][0], "--json"])["receiver_address"] == \
        "浙江省西湖区 ****"


@pytest.fixture
def files_dir(tmp_path):
    return px.write_all(tmp_path / "exports")


# --- PDD: a created time that is only the day of the order number ------------------------

UNPAID = "261123-607198974342003"  # 待支付: 订单成交时间 empty, no 下单时间 column
PAID = "261123-607198974342001"    # 待发货, 订单成交时间 2026-11-23 09:20:00


def pdd_file(tmp_path, rows, header=px.PDD_HEADER, name="订单明细-pdd.csv"):
    return px._csv(tmp_path / name, header, rows, encoding="utf-8", quote_all=False)


def test_a_day_only_created_time_says_so_in_the_order_json(run, imp, files_dir):
    imp(files_dir["pdd"], "--shop", px.PDD_SHOP)
    order = run.json(["orders", "show", UNPAID, "--json"])
    assert (order["created_at"], order["created_at_precision"]) == (
        "2026-11-23T00:00:00+08:00", "day")
    paid = run.json(["orders", "show", PAID, "--json"])
    assert (paid["created_at"], paid["created_at_precision"]) == (
        "2026-11-23T09:20:00+08:00", "second")
    listed = {o["order_id"]: o["created_at_precision"]
              for o in run.json(["orders", "list", "--platform", "pdd", "--json"])}
    assert listed == {UNPAID: "day", PAID: "second", "261121-607198974342002": "second",
                      "261115-607198974342004": "second"}
    # every other platform's times are the export's own
    for key in ("taobao_orders", "jd", "douyin", "youzan"):
        imp(files_dir[key], "--shop", "某店")
    others = [o for o in run.json(["orders", "list", "--limit", "0", "--json"])
              if o["platform"] != "pdd"]
    assert others and {o["created_at_precision"] for o in others} == {"second"}


def test_a_table_shows_the_day_without_a_made_up_time(run, imp, files_dir, monkeypatch):
    monkeypatch.setenv("CSTOOL_LANG", "zh")
    monkeypatch.setenv("COLUMNS", "80")
    imp(files_dir["pdd"], "--shop", px.PDD_SHOP)
    table = run(["orders", "list", "--platform", "pdd"], check=0).output
    line = next(x for x in table.splitlines() if x.startswith(UNPAID))
    assert "11-23 --:--" in line and "00:00" not in line
    assert "11-23 09:20" in next(x for x in table.splitlines() if x.startswith(PAID))
    shown = run(["orders", "show", UNPAID], check=0).output
    assert "11-23 --:--" in shown and "00:00" not in shown


def test_the_next_export_with_the_time_makes_it_exact(run, imp, tmp_path, files_dir):
    imp(files_dir["pdd"], "--shop", px.PDD_SHOP)
    paid = list(px.PDD[2])
    paid[0], paid[3] = "2026-11-23 09:40:00", "待发货"  # the buyer paid: 订单成交时间 is there
    imp(pdd_file(tmp_path, [paid], name="later.csv"), "--shop", px.PDD_SHOP)
    order = run.json(["orders", "show", UNPAID, "--json"])
    assert (order["created_at"], order["created_at_precision"], order["status"]) == (
        "2026-11-23T09:40:00+08:00", "second", "paid")


def test_a_real_time_at_midnight_on_another_day_is_not_day_only(run, imp, tmp_path):
    """Only the midnight of the number's own day is the marker: an order created at
    00:00:00 the next day (its 订单成交时间 says so) keeps its time."""
    row = list(px.PDD[0])
    row[0] = "2026-11-24 00:00:00"
    imp(pdd_file(tmp_path, [row]), "--shop", px.PDD_SHOP)
    assert run.json(["orders", "show", PAID, "--json"])["created_at_precision"] == "second"


def test_chase_due_marks_the_day_and_counts_unpaid_at_most_since_midnight(run, imp,
                                                                          files_dir):
    """Decided: a day-only order is chased from the day it was made (the grace counts from
    midnight: it was already in an export) and its unpaid time is an upper bound."""
    imp(files_dir["pdd"], "--shop", px.PDD_SHOP)
    rows = {r["order_id"]: r for r in run.json(["chase", "due", "--all", "--json"])}
    row = rows[UNPAID]
    assert (row["created_at"], row["created_at_precision"], row["unpaid_minutes"]) == (
        "2026-11-23T00:00:00+08:00", "day", 870)   # now is 14:30: at most 14 h 30 min
    table = run(["chase", "due", "--all", "--format", "table"], check=0).output
    assert "≤14 h 30 min" in next(x for x in table.splitlines() if x.startswith(UNPAID))


def test_shipcheck_counts_a_day_only_order_from_its_midnight_and_says_the_day(run, imp,
                                                                             tmp_path):
    """A paid row with neither 订单成交时间 nor 支付时间 (S24: the column empty on whole
    files): its deadline counts from the earliest it can have been made, so it is never
    judged later than the platform judges it; the detail says the date, not 00:00."""
    row = list(px.PDD[0])
    row[0], row[-1] = "", ""  # no 订单成交时间, no 承诺发货时间
    imp(pdd_file(tmp_path, [row]), "--shop", px.PDD_SHOP)
    run(["policy", "set", "ship_deadline_hours", "24"], check=0)
    rows = run.json(["--now", "2026-11-24 06:00", "shipcheck", "--json"])
    mine = next(r for r in rows if r["order_id"] == PAID)
    assert mine["due_at"] == "2026-11-24T00:00:00+08:00" and mine["check"] == "overdue"
    assert mine["detail"].startswith("created 2026-11-23 --:-- (the export has no payment")


# --- a new user with every platform's file, in Chinese at 80 columns --------------------


@pytest.fixture
def every_platform(run, imp, files_dir, monkeypatch):
    for key in ("taobao_orders", "taobao_items", "pdd", "jd", "douyin", "youzan"):
        imp(files_dir[key])
    monkeypatch.setenv("CSTOOL_LANG", "zh")
    monkeypatch.setenv("COLUMNS", "80")
    return files_dir


def test_a_listing_of_one_platform_leaves_out_its_platform_first(run, every_platform):
    """--platform pdd: every row says 拼多多, so that column goes before the ship-by time."""
    table = run(["orders", "list", "--platform", "pdd"], check=0).output
    head = table.splitlines()[0]
    assert "平台" not in head and "发货时限" in head
    assert max(len(x) for x in table.splitlines()) <= 80
    assert "11-25 09:20" in next(x for x in table.splitlines() if x.startswith(PAID))
    # --shop alike: the shop column goes first
    imp_shop = run(["orders", "list", "--shop", px.YOUZAN_SHOP], check=0).output
    assert "店铺" not in imp_shop.splitlines()[0] and "平台" in imp_shop.splitlines()[0]


def test_orders_show_says_the_status_words_in_the_readers_language(run, every_platform):
    order = run(["orders", "show", "6938000000000000001"], check=0).output
    lines = order.splitlines()
    assert next(x for x in lines if x.startswith("状态")).split()[-1] == "待发货"
    assert "paid" not in order.split()  # nor in its lines: 待发货 there too
    as_json = run.json(["orders", "show", "6938000000000000001", "--json"])
    assert as_json["status"] == "paid" and {i["status"] for i in as_json["items"]} <= {
        "paid", "closed", "shipped", "finished", "unpaid", "signed", "part_shipped"}


def test_a_contact_item_on_a_known_order_whose_export_has_no_buyer(run, every_platform):
    """PDD's and Douyin's exports name no buyer: the known order is how the next shift
    reaches them (the platform's chat), as the refusal itself says."""
    result = run(["--agent", "倩", "handover", "add", "-c", "联系售后", "--order", PAID,
                  "-p", "买家说少件", "-t", "核对发货", "--json"], check=0)
    item = json.loads(result.stdout)
    assert (item["order_id"], item["buyer"], item["category"]) == (PAID, None, "aftersale")
    # an order the journal does not know still needs --buyer
    refused = run(["--agent", "倩", "handover", "add", "-c", "联系售后", "--order",
                   "261123-000000000000999", "-p", "x", "-t", "y"])
    assert refused.exit_code == 2
