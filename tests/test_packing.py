"""shipcheck pack: the packing checklist from an order's items, remarks and holds."""

from __future__ import annotations

import re

import pytest
from conftest import order
from shiphelp import import_orders, lib

from cstool.core import holds
from cstool.core.context import Context
from cstool.core.orders import require
from cstool.shipcheck.packing import checklist

CHECKS = [
    "item number, colour and size match the order",
    "QUANTITY ×2: count twice",
    "no damage, no dirt",
    "gift bag and card set, cards clean and unused",
    "gift inside: 茶巾一条",
    "card written: “生日快乐”",
    "box of the right size, neatly sealed",
    "nothing wrong, nothing missing",
    "courier: the shop default; sealed and handed over by 17:00",
]


def pack(run, name_or_id, *args):
    oid = order(name_or_id) if not name_or_id.isdigit() else name_or_id
    return run.json(["shipcheck", "pack", oid, "--json", *args])


def test_gift_card_and_invoice(run, demo, journal):
    got = pack(run, "paid_gift_and_card")
    raw = require(journal, order("paid_gift_and_card"))
    assert {k: got[k] for k in ("order_id", "status", "paid_at", "item", "item_no", "colour",
                                "size", "quantity", "changes", "gifts", "card", "courier",
                                "invoice_title", "invoice_in_parcel", "delivery_window",
                                "new_address", "buyer_message", "remarks", "warnings")} == {
        "order_id": order("paid_gift_and_card"), "status": "paid",
        "paid_at": "2026-11-23T08:45:00+08:00", "item": "陶瓷茶具套装", "item_no": None,
        "colour": None, "size": None, "quantity": 2, "changes": [], "gifts": ["茶巾一条"],
        "card": "生日快乐", "courier": None, "invoice_title": "杭州某某科技有限公司",
        "invoice_in_parcel": False, "delivery_window": None, "new_address": None,
        "buyer_message": "送人的,请不要放发票,谢谢!",
        "remarks": ['赠品:茶巾一条,贺卡写"生日快乐" 2026.11.23 倩'], "warnings": []}
    assert got["checks"] == CHECKS
    # personal data masked unless --reveal
    assert re.fullmatch(r"1\d\d\*{4}\d{4}", got["receiver_phone"])
    assert got["receiver_phone"] != raw["receiver_phone"]
    assert got["receiver_address"].endswith(" ****")
    assert raw["receiver_address"] not in str(got)
    shown = pack(run, "paid_gift_and_card", "--reveal")
    assert (shown["receiver_name"], shown["receiver_phone"], shown["receiver_address"]) == (
        raw["receiver_name"], raw["receiver_phone"], raw["receiver_address"])


def test_library_returns_typed_personal_data(demo, journal):
    from cstool.core.values import Address, Phone

    c = checklist(Context(*lib(journal)), order("paid_gift_and_card"))
    assert isinstance(c["receiver_phone"], Phone) and isinstance(c["receiver_address"], Address)
    assert c["gifts"] == ["茶巾一条"] and c["quantity"] == 2


def test_attribute_change_remark_overrides_the_export(run, demo):
    got = pack(run, "paid_attr_change")
    assert (got["item"], got["colour"], got["size"]) == ("纯棉短袖T恤 白色", "白色", "L码")
    assert got["changes"] == ["白色M码 → 白色L码 (客户拍下白色M码,要求修改成白色L码,已修改妥当"
                              "---2026.11.23 小雨)"]


def test_slip_change_and_exchange(run, demo):
    slip = pack(run, "paid_slip_change")
    assert (slip["colour"], slip["size"]) == ("黑色", "2.7米")
    assert slip["changes"] == ["as ordered → 黑色 (客户要求修改成黑色,已在发货单与快递单上修改妥当"
                               "---2026.11.23 阿杰)"]
    same = pack(run, "paid_r2_exchange")  # 换37码 on a 37码 order: nothing changes
    assert (same["size"], same["changes"]) == ("37码", [])


def test_vague_size_change_is_a_warning(run, demo):
    got = pack(run, "paid_sloppy_memo")
    assert got["size"] == "2.7米" and got["changes"] == []
    assert got["warnings"] == ["a remark asks for 大一码 (换大一码 小雨): confirm the exact size "
                               "with its author before packing"]


def test_address_changed_by_remark(run, demo):
    got = pack(run, "paid_address_change")
    assert got["new_address"] == "江苏省 南京市 鼓楼区 ****"
    assert got["warnings"] == ["the address was changed by remark: use the new address, "
                               "not the export's"]
    assert pack(run, "paid_address_change", "--reveal")["new_address"] == "江苏省 南京市 鼓楼区 中山路100号"


def test_courier_from_remarks(run, demo):
    assert pack(run, "paid_courier_choice")["courier"] == "申通"
    quoted = pack(run, "memo_with_quotes_newline")
    assert quoted["courier"] == "顺丰"
    assert quoted["remarks"] == ['客户要求发"顺丰",到付不要---2026.11.23 倩']
    assert quoted["checks"][-1] == "courier: 顺丰; sealed and handed over by 17:00"


def test_courier_the_buyer_does_not_want(run, tmp_path):
    import_orders(run, tmp_path, dict(order_id="7000000000000000025", status="paid",
                                      created="2026-11-23 09:00:00", paid="2026-11-23 09:01:00",
                                      message="不要发申通,谢谢", memo="发韵达 2026.11.23 倩"))
    got = pack(run, "7000000000000000025")
    assert got["courier"] == "韵达"
    assert got["warnings"] == ["the buyer does not want 申通"]


def test_delivery_window_and_already_shipped(run, demo):
    got = pack(run, "finished_2")
    assert got["delivery_window"] == "周末送货"
    assert got["warnings"] == ["already shipped (finished: 圆通速递 773022221111)"]


def test_warnings_for_brushing_unpaid_holds_and_presale(run, demo, journal):
    assert pack(run, "paid_brushing")["warnings"] == ["brushing order (刷单): never ship it"]
    assert pack(run, "unpaid_brushing")["warnings"] == [
        "the order is unpaid: do not ship it", "brushing order (刷单): never ship it"]
    holds.add(journal, order("paid_hold_until_25"), "until", "2026-11-22T01:00:00Z",
              until="2026-11-25")
    assert pack(run, "paid_hold_until_25")["warnings"] == [
        "held until 2026-11-25: do not ship before"]
    holds.add(journal, order("paid_hold_until_21_due"), "until", "2026-11-18T01:00:00Z",
              until="2026-11-21")
    assert pack(run, "paid_hold_until_21_due")["warnings"] == [
        "the hold until 2026-11-21 is due: ship it today"]
    holds.add(journal, order("paid_hold_owner"), "owner", "2026-11-23T01:30:00Z", owner="倩")
    holds.add(journal, order("paid_hold_owner"), "waiting_buyer", "2026-11-23T01:30:00Z")
    assert pack(run, "paid_hold_owner")["warnings"] == [
        "only 倩 handles this order (必须由倩负责处理)",
        "waiting for the buyer's answer: do not pack yet"]
    assert pack(run, "paid_presale")["warnings"] == ["presale: ships 2026-12-01, not before"]
    assert pack(run, "part_shipped")["warnings"] == [
        "part of it has shipped: pack only what is still missing"]


def test_sku_and_title_give_item_number_colour_and_size(run, tmp_path):
    import_orders(run, tmp_path,
                  dict(order_id="7000000000000000021", status="paid", created="2026-11-23 09:00:00",
                       paid="2026-11-23 09:01:00", title="男士夹克", count=3,
                       sku="颜色分类:黑色;尺码:XL;货号:YR-2026"),
                  dict(order_id="7000000000000000022", status="paid", created="2026-11-23 09:00:00",
                       paid="2026-11-23 09:02:00", title="男士夹克 JK-8821 藏青色 XXL"),
                  dict(order_id="7000000000000000023", status="paid", created="2026-11-23 09:00:00",
                       paid="2026-11-23 09:03:00", title="儿童保温杯 500ml", sku="粉色"))
    a = pack(run, "7000000000000000021")
    assert (a["item_no"], a["colour"], a["size"], a["quantity"]) == ("YR-2026", "黑色", "XL", 3)
    assert a["checks"][1] == "QUANTITY ×3: count twice"
    b = pack(run, "7000000000000000022")
    assert (b["item_no"], b["colour"], b["size"]) == ("JK-8821", "藏青色", "XXL")
    c = pack(run, "7000000000000000023")
    assert (c["item_no"], c["colour"], c["size"]) == (None, "粉色", "500ml")


def test_a_remark_added_in_cstool_counts_too(run, journal, tmp_path):
    import_orders(run, tmp_path, dict(order_id="7000000000000000024", status="paid",
                                      created="2026-11-23 09:00:00", paid="2026-11-23 09:01:00",
                                      title="纯棉短袖T恤 白色 M", memo="顾客要求退款 2026.11.23 倩"))
    journal.execute("INSERT INTO remarks (order_id, source, text, created_at) VALUES (?, 'cli', ?, "
                    "'2026-11-23T02:00:00Z')", ["7000000000000000024", "客户要求修改成红色L码,已修改妥当"
                                                "---2026.11.23 倩"])
    got = pack(run, "7000000000000000024")
    assert (got["colour"], got["size"]) == ("红色", "L码")
    assert got["changes"] == ["白色/M → 红色L码 (客户要求修改成红色L码,已修改妥当---2026.11.23 倩)"]
    assert got["warnings"] == ["a remark mentions a refund (退款): check before packing"]


def test_several_orders_and_the_printed_slip(run, demo, journal):
    both = run.json(["shipcheck", "pack", order("paid_gift_and_card"), order("paid_presale"),
                     "--json"])
    assert [c["order_id"] for c in both] == [order("paid_gift_and_card"), order("paid_presale")]
    text = run(["shipcheck", "pack", order("paid_gift_and_card"), order("paid_presale")],
               check=0).stdout
    lines = text.splitlines()
    assert lines[0] == (f"packing checklist · order {order('paid_gift_and_card')} · "
                        f"tb_paid_gift_and_22 · paid 2026-11-23 08:45")
    assert "  QUANTITY        ×2   ◀◀ count twice" in lines
    assert "  invoice         杭州某某科技有限公司 — NOT in the parcel (the buyer asked): send it " \
           "separately" in lines
    assert "    [ ] gift inside: 茶巾一条" in lines
    presale = lines.index(f"packing checklist · order {order('paid_presale')} · "
                          f"tb_paid_presale21 · paid 2026-11-15 10:02")
    assert lines[presale + 1] == "!! presale: ships 2026-12-01, not before"
    assert require(journal, order("paid_gift_and_card"))["receiver_name"] not in text


@pytest.mark.parametrize("args", [["shipcheck", "pack", "123"], ["shipcheck", "pack", "123", "--json"]])
def test_unknown_order(run, args):
    result = run(args)
    assert result.exit_code == 1
    assert result.output == "Error: no order 123 in the journal (import the shop's export first)\n"


def test_pack_needs_an_order(run):
    result = run(["shipcheck", "pack"])
    assert result.exit_code == 2
    assert "Missing argument 'ORDER...'" in result.output


def test_packing_finds_every_courier_the_remark_parser_reads():
    """One vocabulary of couriers: packing once missed 优速 in ``优速 倩 8.25`` (R11)."""
    from datetime import datetime

    from cstool.core.clock import zone
    from cstool.core.vocab import COURIER_WORDS
    from cstool.remark.parse import parse
    from cstool.shipcheck.packing import _courier

    ref = datetime(2026, 11, 23, 14, 30, tzinfo=zone("Asia/Shanghai"))
    assert _courier(["优速 倩 8.25"]) == ("优速", [])
    for word in COURIER_WORDS:
        p = parse(f"{word} 倩 8.25", ref)
        assert (p.kind, p.fields.get("courier")) == ("courier", word), word
        assert _courier([f"{word} 倩 8.25"]) == (word, []), word


def test_gift_address_and_brushing_come_from_the_parsed_remarks(run, tmp_path):
    import_orders(run, tmp_path, dict(order_id="7000000000000000026", status="paid",
                                      created="2026-11-23 09:00:00", paid="2026-11-23 09:01:00",
                                      memo="优速 倩 11.23\n赠品:袜子一双,小卡片 2026.11.23 倩\n"
                                           "客户要求修改地址,新地址为:浙江省 杭州市 西湖区 文三路8号"
                                           "---2026.11.23 倩\n@@@李四"))
    got = pack(run, "7000000000000000026", "--reveal")
    assert (got["courier"], got["gifts"], got["new_address"]) == (
        "优速", ["袜子一双"], "浙江省 杭州市 西湖区 文三路8号")
    assert got["warnings"][0] == "brushing order (刷单): never ship it"
