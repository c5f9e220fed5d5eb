"""Personal data inside free text: masked in every output and every robot message."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import datetime

import pytest
from conftest import FIXTURES
from test_notify import Hook

from cstool.core.mask import mask_text

sys.path.insert(0, str(FIXTURES))
from exportlib import CLASSIC_HEADER, classic_row, csv_line  # noqa: E402

OID = "5118609024991039001"
MESSAGE = "收件人改成张三 电话13900001111 地址杭州市西湖区文三路8号"
PROBLEM = "座机0571-88886666, 手机 139 0000 6666"
# Every digit run and street of the texts above, none of which may be printed.
SECRETS = ["13900001111", "88886666", "139 0000 6666", "文三路8号", "0000 6666"]


@pytest.mark.parametrize("text, masked", [
    (MESSAGE, "收件人改成张三 电话139****1111 地址杭州市西湖区 ****"),
    (PROBLEM, "座机0571-****6666, 手机 139****6666"),
    ("手机139-0000-6666", "手机139****6666"),
    ("+86 139 0000 6666 找王先生", "139****6666 找王先生"),
    ("电话(010)12345678转123", "电话010-****5678"),
    ("身份证330106199001011234开发票", "身份证330***********1234开发票"),
    ("请寄到浙江省杭州市西湖区文三路8号谢谢", "请寄到浙江省杭州市西湖区 ****谢谢"),
    ("幸福小区3栋2单元501室 放门口", "幸福小区 **** 放门口"),
    ("客户要求修改地址,新地址为:江苏省 南京市 鼓楼区 中山路100号---2026.11.23 倩",
     "客户要求修改地址,新地址为:江苏省 南京市 鼓楼区 ****---2026.11.23 倩"),
])
def test_the_masker_finds_personal_data_inside_text(text, masked):
    assert mask_text(text) == masked
    assert mask_text(masked) == masked  # masking twice changes nothing


@pytest.mark.parametrize("text", [
    "订单5118609024991031607 已超时 80 h", "红旗 客户要求发顺丰 已改快递 2026.11.20 倩",
    "活动价108元,实付128元", "12月25号发货", "2026-11-23 14:30", "班次 08:30-14:30",
    "圆通 YT7730999900001", "地址不对, 请核实",
])
def test_the_masker_leaves_ordinary_text_alone(text):
    assert mask_text(text) == text


@pytest.fixture
def shop(run, demo, tmp_path):
    """The demo shop, one more paid order whose buyer wrote a phone and an address."""
    f = tmp_path / "msg.csv"
    row = classic_row(order_id=OID, buyer="tb_zhang", status="paid",
                      created=datetime(2026, 11, 22, 20, 0), paid=datetime(2026, 11, 22, 20, 5),
                      message=MESSAGE, memo="客户要求送货前打电话13900001111---2026.11.22 倩")
    f.write_bytes((csv_line(list(CLASSIC_HEADER)) + csv_line(row)).encode("gb18030"))
    run(["--agent", "倩", "orders", "import", str(f)], check=0)
    run(["--agent", "倩", "--now", "2026-11-22 22:00", "handover", "add", "-c", "回访",
         "--buyer", "tb_zhang", "-p", PROBLEM, "-t", "回电 0571-88886666"], check=0)
    return demo


def assert_masked(text: str) -> None:
    for s in SECRETS:
        assert s not in text, (s, text)


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_orders_show_masks_the_buyers_message(run, shop, fmt):
    out = run(["orders", "show", OID, "--format", fmt], check=0).stdout
    assert_masked(out)
    assert "电话139****1111 地址杭州市西湖区 ****" in out
    revealed = run(["--reveal", "orders", "show", OID, "--format", fmt], check=0).stdout
    assert "13900001111" in revealed and "文三路8号" in revealed


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_shipcheck_morning_masks_requests(run, shop, fmt):
    out = run(["shipcheck", "--morning", "--format", fmt], check=0).stdout
    assert "139****1111" in out
    assert_masked(out)


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_packing_slip_masks_message_and_remarks(run, shop, fmt):
    out = run(["shipcheck", "pack", OID, "--format", fmt], check=0).stdout
    assert "139****1111" in out
    assert_masked(out)


def test_handover_list_and_every_sheet_format(run, shop, tmp_path):
    assert_masked(run(["handover", "list", "--format", "csv"], check=0).stdout)
    assert_masked(run(["handover", "list", "--json"], check=0).stdout)
    for fmt in ("csv", "md", "json"):
        out = run(["--agent", "倩", "handover", "export", "--format", fmt], check=0).stdout
        assert "0571-****6666" in out and "139****6666" in out
        assert_masked(out)
    from openpyxl import load_workbook

    path = tmp_path / "sheet.xlsx"
    run(["--agent", "倩", "handover", "export", "-o", path], check=0)
    cells = [str(c) for row in load_workbook(path).active.iter_rows(values_only=True)
             for c in row if c is not None]
    assert "座机0571-****6666, 手机 139****6666" in cells
    assert_masked("\n".join(cells))


def test_robot_messages_are_masked_even_with_reveal(run, shop):
    hook = Hook()
    try:
        run(["--reveal", "--now", "2026-11-24 10:30", "remind", "--notify", "dingtalk",
             "--webhook", hook.url, "--json"], check=0)
        sent = json.dumps([body for _, body in hook.received], ensure_ascii=False)
        assert "座机0571-****6666, 手机 139****6666" in sent
        assert_masked(sent)
    finally:
        hook.close()
    out = run(["--reveal", "--now", "2026-11-24 10:30", "remind", "--dry-run"], check=0).stdout
    assert_masked(out)


def test_every_listing_masks_free_text(run, shop):
    """Each listing command in CSV: no personal data from the texts above in any cell."""
    for argv in (["orders", "list", "--limit", "0"], ["remark", "list", OID],
                 ["remark", "lint", "--limit", "0"], ["handover", "list"],
                 ["chase", "due", "--all", "--limit", "0"], ["shipcheck", "--limit", "0"],
                 ["exception", "list"]):
        out = run([*argv, "--format", "csv"]).stdout
        for row in csv.reader(io.StringIO(out)):
            assert_masked(" ".join(row))


@pytest.mark.parametrize("fmt", ["json", "table", "csv"])
def test_an_address_remark_masks_the_new_receivers_name_and_phone(run, env, fmt):
    """An address remark names the buyer's new receiver and phone before the address
    (地址改为 张三 13812345678 浙江省…): its parsed address field, not only its text, is
    masked: the phone and the name, in every format, unless --reveal."""
    remark = "地址改为 张三 13812345678 浙江省杭州市西湖区文三路100号 2026.11.24 倩"
    out = run(["remark", "parse", remark, "--format", fmt], check=0).stdout
    assert "13812345678" not in out and "张三" not in out and "文三路" not in out, out
    assert "138****5678" in out and "张*" in out
    shown = run(["remark", "parse", remark, "--json", "--reveal"]).stdout
    assert json.loads(shown)["fields"]["address"] == "张三 13812345678 浙江省杭州市西湖区文三路100号"


@pytest.mark.parametrize("address, masked", [
    ("浙江省 杭州市 西湖区 文三路100号", "浙江省 杭州市 西湖区 ****"),  # an export's: no name
    ("北京市 朝阳区 13812345678", "北京市朝阳区 ****"),  # a province is not a name
])
def test_an_address_without_a_receiver_before_its_phone_keeps_its_words(address, masked):
    from cstool.core.values import Address

    assert Address(address).masked() == masked
