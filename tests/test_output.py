"""One renderer: formats, JSON conventions, masking."""

from __future__ import annotations

import csv
import io
import json

import pytest

from cstool.core.clock import Clock
from cstool.core.errors import InputError
from cstool.core.output import Renderer
from cstool.core.values import (
    Account,
    Address,
    Instant,
    Money,
    Name,
    Phone,
    format_money,
    mask_address,
    mask_name,
    mask_phone,
    parse_money,
)

ROWS = [{"order_id": "5118609024991031607", "amount": Money(12850),
         "created_at": Instant("2026-11-23T02:00:00Z"), "receiver_phone": Phone("13812345678"),
         "receiver_name": Name("王小明"), "note": None}]


def render(fmt, reveal=False, rows=ROWS):
    out = io.StringIO()
    Renderer(Clock("Asia/Shanghai", "2026-11-23 14:30"), reveal=reveal).render(rows, fmt,
                                                                               out=out)
    return out.getvalue()


def test_json_conventions():
    data = json.loads(render("json"))
    assert data == [{"order_id": "5118609024991031607", "amount": "128.50",
                     "created_at": "2026-11-23T10:00:00+08:00",
                     "receiver_phone": "138****5678", "receiver_name": "王**", "note": None}]


def test_jsonl_one_object_a_line():
    lines = render("jsonl").splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["amount"] == "128.50"


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_delimited(fmt, delimiter):
    rows = list(csv.reader(io.StringIO(render(fmt)), delimiter=delimiter))
    assert rows[0] == ["order_id", "amount", "created_at", "receiver_phone", "receiver_name", "note"]
    assert rows[1] == ["5118609024991031607", "128.50", "2026-11-23T10:00:00+08:00",
                       "138****5678", "王**", ""]


def test_table_is_for_people():
    text = render("table")
    # a time of this year reads month-day and time, in the shop's zone
    assert "11-23 10:00" in text and "2026-11-23" not in text
    assert "128.50" in text and "138****5678" in text
    assert "5118609024991031607" in text  # never shown as a float


def test_a_table_time_of_another_year_says_the_year():
    out = io.StringIO()
    Renderer(Clock("Asia/Shanghai", "2027-01-02 09:00")).render(ROWS, "table", out=out)
    assert "2026-11-23 10:00" in out.getvalue()


def test_reveal_shows_pii():
    data = json.loads(render("json", reveal=True))
    assert data[0]["receiver_phone"] == "13812345678"
    assert data[0]["receiver_name"] == "王小明"


@pytest.mark.parametrize("value, masked", [
    ("13812345678", "138****5678"),
    ("0571-88886666", "057****6666"),
    ("12345", "***45"),
])
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize("value, masked", [
    ("浙江省 杭州市 西湖区 文三路100号5幢301室(310000)", "浙江省 杭州市 西湖区 ****"),
    ("上海 上海市 浦东新区 世纪大道1号", "上海 上海市 浦东新区 ****"),
    ("山东省 临沂市 沂南县 人民路8号", "山东省 临沂市 沂南县 ****"),
    ("浙江省杭州市西湖区文三路100号", "浙江省杭州市西湖区 ****"),
    ("某某路100号", "某某路****"),
])
def test_mask_address_cuts_after_the_district(value, masked):
    assert mask_address(value) == masked
    assert "100号" not in mask_address(value)


def test_mask_names_and_accounts():
    assert mask_name("王小明") == "王**"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("Tom") == "T***"
    assert Account("buyer@163.com").masked() == "b***@163.com"
    assert Address("北京 北京市 朝阳区 建国路1号").masked() == "北京 北京市 朝阳区 ****"


@pytest.mark.parametrize("text, fen", [
    ("128.50", 12850), ("128.5", 12850), ("128", 12800), ("¥1,280.00", 128000),
    ("0.01", 1), ("-3.20", -320), ("12元", 1200),
])
def test_parse_money(text, fen):
    assert parse_money(text) == fen


@pytest.mark.parametrize("text", ["12.345", "abc", "1.2.3", ""])
def test_parse_money_refuses(text):
    with pytest.raises(InputError):
        parse_money(text)


def test_format_money():
    assert format_money(12850) == "128.50"
    assert format_money(-5) == "-0.05"
    assert format_money(0) == "0.00"
