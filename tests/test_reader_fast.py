"""The order import's reader, made faster: each fast path gives what the plain one gives.

The reader's batches against the rows normalised one by one and cut by ``_cut``; the
normaliser's inline times, addresses, tracking numbers and close reasons against the
converters they stand for; the memo parser's line cache, translation skip and word
tests against ``parse`` without them, over memos in the manuals' formats."""

from __future__ import annotations

import marshal
import sys
from datetime import datetime

import pytest
from conftest import FIXTURES

from cstool.core.i18n import portable
from cstool.orders import parallel
from cstool.orders.formats import builtin
from cstool.orders.normalise import _address, _text, _tracking, build_normaliser
from cstool.orders.parallel import CHUNK, Digests, _batches, _cut, _rejected
from cstool.orders.readers import COLUMNS, RowError, open_source
from cstool.orders.times import LocalToUtc
from cstool.remark import parse as parse_mod
from cstool.remark.flags import Shop
from cstool.remark.parse import _TRANS, Parser, _ascii_forms, parse
from cstool.remark.store import columns

sys.path.insert(0, str(FIXTURES))
from exportlib import CLASSIC_HEADER, classic_row, csv_line  # noqa: E402

SPEC = next(s for s in builtin() if s.name == "taobao-csv")
NAMES = list(CLASSIC_HEADER)
INDEX = SPEC.resolve(NAMES)
POS = {c: i for i, c in enumerate(COLUMNS)}


def row(n, **kw):
    base = dict(order_id=str(5118609024991100000 + n), buyer=f"tb{n}", status="paid",
                created=datetime(2026, 11, 22, 10, n % 60), paid=datetime(2026, 11, 22, 11, 5))
    base.update(kw)
    return classic_row(**base)


def cells_with(**by_header) -> list:
    """A classic row with some cells set by header name."""
    cells = row(1)
    for name, value in by_header.items():
        cells[NAMES.index(name)] = value
    return cells


def write(path, rows):
    with open(path, "w", encoding="gb18030", newline="") as fh:
        fh.write(csv_line(NAMES))
        for r in rows:
            fh.write(csv_line(r))
    return str(path)


# -- the batches ----------------------------------------------------------------------------


def _expected(path, normalise, digests, memo, batch):
    """What the reader sent before: each accepted row normalised on its own, its digest
    appended, rows skipped or rejected left out, every ``batch`` rows cut by ``_cut``."""
    source = open_source(path)
    out, rows, memos, rejected, seen, skipped = [], [], [], [], set(), 0
    for line, cells in source.rows():
        digest = digests(cells) if digests is not None else None
        if digests is not None and digests.unchanged(digest, cells):
            skipped += 1
            continue
        try:
            r = normalise(cells)
        except RowError as e:
            rejected.append(line) if str(e) != "empty row" else None
            continue
        if digests is not None:
            r = (*r, digest)
            digests.send(cells)
        rows.append(r)
        text = r[POS["seller_memo"]]
        if text and text not in seen:
            seen.add(text)
            memos.append((text, *memo(text)))
        if len(rows) >= batch:
            out.append((*_cut(rows), memos, rejected, skipped))
            rows, memos, rejected, skipped = [], [], [], 0
    out.append((*_cut(rows), memos, rejected, skipped))
    source.close()
    return out


@pytest.mark.parametrize("with_digests", ["none", "first import", "known"])
def test_the_batches_hold_the_rows_normalised_one_by_one_and_cut_for_the_statement(
        tmp_path, monkeypatch, with_digests):
    monkeypatch.setattr(parallel, "BATCH", 2 * CHUNK)  # several batches, a rest at the end
    rows = [row(n, memo=["", "25日发货", f"备注{n % 7}", "客户要求发顺丰\n2026.11.21 倩 已改"][n % 4],
                total=100 + n) for n in range(237)]
    rows[40] = row(40, status_text="???")  # rejected
    rows[41] = row(41, paid=datetime(2026, 11, 21, 9, 0))  # paid before created: rejected
    path = write(tmp_path / "a.csv", rows)
    normalise = build_normaliser(INDEX, "Asia/Shanghai", SPEC, NAMES)

    def memo(text):
        return (len(text), text[:2])

    def digests():
        if with_digests == "none":
            return None
        d = Digests("salt", None, INDEX["order_id"][0])
        if with_digests == "known":  # the journal has every third row as it is
            from array import array

            source = open_source(path)
            d.known = array("q", sorted(d(c) for i, (_, c) in enumerate(source.rows()) if i % 3 == 0))
            source.close()
        return d

    want = _expected(path, normalise, digests(), memo, 2 * CHUNK)
    source = open_source(path)
    got = [(b[0], b[1], b[4], [r["row"] for r in b[5]], b[7])
           for b in _batches(source, normalise, memo, digests())]
    source.close()
    assert got == want
    # batches, and a rest of single rows at the end
    assert len(got) >= (2 if with_digests == "known" else 3) and got[-1][1]
    assert sum(len(b[3]) for b in got) == 2
    if with_digests == "known":
        assert sum(b[4] for b in got) == 79
    # what crosses the pipe reads back as it was sent
    source = open_source(path)
    for b in _batches(source, normalise, memo, digests()):
        sent = _rejected(b, portable)  # as the forked reader sends it
        assert marshal.loads(marshal.dumps(sent)) == sent
    source.close()


def test_an_empty_file_and_a_file_of_rejected_rows_give_one_empty_batch(tmp_path):
    normalise = build_normaliser(INDEX, "Asia/Shanghai", SPEC, NAMES)
    for rows in ([], [row(1, status_text="???")]):
        path = write(tmp_path / "e.csv", rows)
        source = open_source(path)
        batches = list(_batches(source, normalise, None,
                                Digests("salt", None, INDEX["order_id"][0])))
        source.close()
        assert [(b[0], b[1], b[4]) for b in batches] == [([], [], [])]
        assert len(batches[0][5]) == len(rows)


# -- the normaliser's inline paths ----------------------------------------------------------

TIMES = ["2026-11-23 14:00:01", "2026-11-23 14:59:59", "2026-11-23 00:00:00",
         "2026/11/23 14:00", "2026-11-23 14:00", "2026年11月23日 下午2:30",
         "2026-03-08 02:30:00", "2026-11-01 01:30:00", "2026-03-29 02:30:00",
         "2026-11-23 14:60:00", "2026-11-23 24:00:00", "2026-13-01 10:00:00", "1900-01-01 10:00:00"]


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "America/New_York", "Europe/London",
                                "Asia/Kathmandu"])
def test_an_inline_time_is_what_the_converter_says(tz):
    """Every shape, the first time of its hour (through the converter) and again
    (inline); a zone with a DST gap and fold, and one whose offset is not whole hours."""
    normalise = build_normaliser(INDEX, tz, SPEC, NAMES)
    for text in TIMES:
        try:
            want = LocalToUtc(tz)(text)
        except ValueError:
            want = ValueError
        cells = cells_with(订单创建时间=text, 订单付款时间="")
        for _ in range(2):
            try:
                got = normalise(cells)[POS["created_at"]]
            except RowError:
                got = ValueError
            assert got == want, (tz, text)


def test_inline_addresses_tracking_numbers_and_close_reasons_read_as_their_functions():
    normalise = build_normaliser(INDEX, "Asia/Shanghai", SPEC, NAMES)
    for addr, modified in [("浙江省 杭州市 西湖区 文三路100号", ""), ("  杭州市 ", ""),
                           ("浙江省 杭州市 西湖区***", ""), ("", ""), (" ", " 新地址 1号 "),
                           ("旧地址", "浙江省***")]:
        got = normalise(cells_with(收货地址=addr, 修改后的收货地址=modified))
        assert got[POS["receiver_address"]] == (_address(modified) or _address(addr))
    for tracking in ["SF1234567", " SF1234567 ", "NO:123", " no: 45 ", "No:", "", "  "]:
        got = normalise(cells_with(物流单号=tracking))
        assert got[POS["tracking_no"]] == _tracking(tracking), tracking
    for reason in ["订单未关闭", " 订单未关闭 ", "买家不想买了", " 买家不想买了 ", "", "订单未关闭"]:
        got = normalise(cells_with(订单关闭原因=reason))
        assert got[POS["close_reason"]] == (None if reason.strip() == "订单未关闭"
                                            else _text(reason)), reason


# -- the memo parser --------------------------------------------------------------------------

REF = datetime(2026, 11, 23, 15, 0).astimezone()
LINES = [
    "2026.11.13 美美 买家来电确认", "2026.11.14 阿杰 买家来电确认", "25日发货",
    "客户要求发顺丰---2026.11.14 小雨", "退货/换货,换XXL码 2026年11月22日20:18:49 # 阿杰",
    "客户要求修改地址,新地址为:浙江省杭州市西湖区文三路100号---2026.11.20 倩",
    "客户拍下黑色,要求修改成蓝色,已修改妥当---2026.11.16 晓东", "@@@刘晓庆",
    "必须由倩处理 2026.11.20 郑婷", "已处理 2026.11.21 倩", "等买家回复 缺货 2026.11.20 倩",
    "2015.03.09 郑婷已催付", "工号:A01 客户下单 2026.11.20 倩",
    "客户要求修改成M码,已在发货单与快递单上修改妥当---2026.11.16 晓东",
    "红旗 客户说尺码偏小 处理:换大一码 2026.11.23 倩", "---2026.11.23 倩",
    "活动价:99 实付:120 应返:21 2026.11.20 倩", "赠品:袜子一双 2026.11.20 倩",
    "０００１.０１.０１ 倩", "红旗　客户要求发顺丰，已改快递　2014.8.25　倩",
]


def _memos():
    """Multi-line memos of the lines above, lines repeating from memo to memo."""
    import random

    rnd = random.Random(15)
    out = ["\n".join(rnd.choice(LINES) for _ in range(rnd.choice((2, 2, 3, 4))))
           for _ in range(300)]
    return out + ["\r\n".join(LINES[:3]), "\n".join(LINES), "  \n".join(LINES[5:9])]


@pytest.mark.parametrize("seen_lines", [4096, 3])
def test_a_parser_reads_multi_line_memos_as_parse_does(monkeypatch, seen_lines):
    """A Parser reuses the parse of a line it has read in an earlier memo: the columns
    stored for every memo are the ones ``parse`` gives without it (a cache that fills
    up and starts again too)."""
    monkeypatch.setattr(parse_mod, "SEEN_LINES", seen_lines)
    shop = Shop(agents=frozenset({"倩", "郑婷"}))
    parser = Parser(REF, shop)
    for text in _memos():
        assert columns(parser.fresh(text)) == columns(parse(text, REF, shop)), text
        assert columns(parser(text)) == columns(parse(text, REF, shop)), text
    assert len(parser._lines) <= seen_lines


def test_a_text_is_translated_only_when_it_has_something_to_translate():
    for ch in map(chr, _TRANS):
        for text in (ch, f"客户{ch}要求", f"2026{ch}11{ch}23 倩"):
            assert _ascii_forms(text) == text.translate(_TRANS)
    for text in LINES + ["", "abc", "客户要求发顺丰"]:
        assert _ascii_forms(text) == text.translate(_TRANS)


@pytest.mark.parametrize("text,kind,fields", [
    ("2015.03.09 郑婷已催付", "chase", {"step": "chased"}),
    ("工号:A01 客户下单 2026.11.20 倩", "sale", {"job_no": "A01"}),
    ("客户要求修改地址,新地址为:浙江省杭州市西湖区文三路100号---2026.11.20 倩", "address",
     {"address": "浙江省杭州市西湖区文三路100号"}),
    ("客户要求修改成M码,已在发货单与快递单上修改妥当---2026.11.16 晓东", "slip",
     {"to": "M码"}),
    ("客户拍下黑色,要求修改成蓝色,已修改妥当---2026.11.16 晓东", "attr",
     {"from": "黑色", "to": "蓝色", "done": True}),
    ("客户说尺码偏小 处理:换大一码 2026.11.23 倩", "note", {}),
    ("必须由倩处理 2026.11.20 郑婷", "hold", {"holds": [{"kind": "owner", "owner": "倩"}]}),
    ("已处理 2026.11.21 倩", "hold", {"release": ["owner"]}),
])
def test_each_rule_behind_a_word_test_still_reads_its_remark(text, kind, fields):
    """The rules ``_classify``/``_holds`` now reach only when the text has their word
    (催, 工号, 地址, 发货单, 拍下, 处理, 必须由) read the manuals' remarks as before."""
    p = parse(text, REF, Shop())
    assert p.kind == kind
    assert {k: p.fields.get(k) for k in fields} == fields
    if kind == "note":
        assert (p.reason, p.action) == ("客户说尺码偏小", "换大一码")


def _dates_as_before(s: str, ref) -> list:
    """Dates' answer before the stamp's fast path: the five forms over the tail from the
    first date-like token (the cache aside)."""
    from cstool.core.clock import iter_manual_dates
    from cstool.remark.dates import _DATE_START

    m = _DATE_START.search(s)
    if m is None:
        return []
    return [(d.value, d.form, d.start + m.start(), d.end + m.start(), d.has_year, d.has_time)
            for d in iter_manual_dates(s[m.start():], ref)]


STAMPS = [
    "退货/换货,换M码 2026年11月19日17:49:04 # 美美", "2026年11月19日17:49:04", "2026年1月5日09:05:00 #倩",
    "2026年11月19日23:59:59 # 阿杰", "2026年11月19日00:00:00", "2026年11月19日24:00:00 # 倩",
    "2026年11月19日17:60:00 # 倩", "2026年11月19日17:49:61", "2026年2月30日10:00:00 # 倩",
    "2026年13月1日10:00:00", "0001年11月19日17:49:04 # 倩", "9999年11月19日17:49:04",
    "2026年11月19日17:49:04秒 # 倩", "2026年11月19日17:49:04.5", "2026年11月19日17:49:04 8.25 倩",
    "2026年11月19日17:49:04 # 倩 25日发货", "2026年11月19日17:49:04 ２５日", "2026年11月19日17:49:04:",
    "2026年11月19日17:49:04日", "2026年11月19日17:49:04号", "2026年11月19日7:49:04 # 倩",
    "2026年11月19日17:49 # 倩", "2026年11月19号17:49:04 # 倩", "2026 年11月19日17:49:04",
    "12026年11月19日17:49:04", "2026年11月19日17:49:04 ---2026.11.20 倩", "换37码 2014年8月25日11:43:42 # 倩",
]


@pytest.mark.parametrize("ref", [REF, datetime(2026, 1, 2, 3, 0).astimezone()])
def test_a_signature_stamp_gives_the_dates_the_five_forms_give(ref):
    from cstool.remark.dates import Dates

    dates = Dates(ref)
    for s in STAMPS:
        got = [(d.value, d.form, d.start, d.end, d.has_year, d.has_time) for d in dates(s)]
        assert got == _dates_as_before(s, ref), s
    # and through the parser: the remark's time is the stamp's
    p = parse("退货/换货,换M码 2026年11月19日17:49:04 # 美美", REF, Shop())
    assert (p.at, p.author, p.date_only) == (datetime(2026, 11, 19, 17, 49, 4,
                                                       tzinfo=REF.tzinfo), "美美", False)
