"""Property-based fuzzing of what reads other people's input: the importer, the remark
parser, the receipt reader and the policy setter.

A few seconds' worth in ``make test``; ``make fuzz`` sets FUZZ_SECONDS and each target
keeps drawing new examples until its time is up (4 targets x 150 s = 10 minutes). The
property everywhere: bad input is refused with a CstoolError (what the CLI prints as one
line), never another exception, and whatever is accepted never breaks a routine later.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import time
from datetime import datetime

import pytest
from conftest import DEMO_CSV, DEMO_NOW, FIXTURES, context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cstool.app.policy import Policy, keys
from cstool.app.routines import import_hook
from cstool.core.clock import zone
from cstool.core.errors import CstoolError
from cstool.core.journal import Journal
from cstool.core.limits import MAX_YEAR, MIN_YEAR
from cstool.orders import importer

sys.path.insert(0, str(FIXTURES))
from exportlib import CLASSIC_HEADER, XLSX_HEADER, classic_row, csv_line  # noqa: E402


def xlsx_safe(values: list) -> list:
    """Values as a test can put them in a workbook (openpyxl refuses control characters)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values]


SECONDS = float(os.environ.get("FUZZ_SECONDS") or 0)  # per target; 0: one short round
ROUND = settings(max_examples=25 if not SECONDS else 200, deadline=None, database=None,
                 suppress_health_check=list(HealthCheck))
NOW_DB = "2026-11-23T06:30:00Z"
H = list(CLASSIC_HEADER)


def keep_drawing(fn) -> int:
    """Run the @given function ``fn`` once, or again and again for FUZZ_SECONDS."""
    rounds, end = 0, time.monotonic() + SECONDS
    while True:
        fn()
        rounds += 1
        if time.monotonic() >= end:
            return rounds


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A journal fresh from init with the agent 倩: copied for each example."""
    path = tmp_path_factory.mktemp("fuzz") / "template.db"
    j = Journal.open(str(path), create=True)  # as `cstool init` makes it
    j.execute("INSERT INTO agents (short, created_at) VALUES ('倩', ?)", [NOW_DB])
    j.close()
    return path


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory, template):
    """The demo shop (both exports imported), for the policy fuzzer."""
    path = tmp_path_factory.mktemp("fuzzdemo") / "demo.db"
    shutil.copy(template, path)
    j = Journal.open(str(path))
    ctx = context(j, NOW_DB, "倩")
    importer.import_files(ctx, [str(DEMO_CSV)], parallel=False,
                          after_rows=import_hook(ctx))
    j.close()
    return path


class Fresh:
    """A fresh copy of a template journal per example."""

    def __init__(self, template, folder):
        self.template, self.folder, self.n = template, folder, 0

    def __call__(self) -> Journal:
        self.n += 1
        path = self.folder / f"j{self.n}.db"
        shutil.copy(self.template, path)
        return Journal.open(str(path))


def routines(journal, policy=None) -> None:
    """Every routine that reads what was stored, and every output format of the orders."""
    from cstool.app import remind, report
    from cstool.app import routines as house
    from cstool.cases import due as exceptions
    from cstool.chase import queue as chase
    from cstool.core.orders import list_orders
    from cstool.core.output import Renderer
    from cstool.handover import sheet as handover
    from cstool.remark import lint as remarks
    from cstool.shipcheck import checks as shipcheck
    from cstool.shipcheck import morning

    policy = policy or Policy(journal)
    ctx = context(journal, DEMO_NOW, policy=policy)
    clock = ctx.clock
    shipcheck.run(ctx, limit=None)
    morning.morning(ctx, limit=None)
    chase.due(ctx, all_=True, limit=None)
    remind.collect(ctx)
    exceptions.due_steps(ctx)
    report.daily(ctx, clock.today())
    list(remarks.lint(ctx))
    _, warnings = handover.collect(ctx, house.sheet_sources())
    assert warnings == []
    rows = list_orders(ctx, limit=None)
    for fmt in ("json", "csv", "table"):
        Renderer(clock).render(rows, fmt, out=io.StringIO())


# --- the importer ---------------------------------------------------------------------------

def _digits(n: int) -> st.SearchStrategy[str]:
    return st.integers(0, 10 ** n).map(str)


years = st.one_of(st.integers(0, 9999), st.integers(MIN_YEAR - 2, MAX_YEAR + 2))
times = st.builds(lambda y, mo, d, h, mi, s: f"{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}",
                  years, st.integers(0, 13), st.integers(0, 32), st.integers(0, 25),
                  st.integers(0, 61), st.integers(0, 61))
money = st.one_of(st.decimals(allow_nan=True, allow_infinity=True).map(str),
                  st.builds(lambda a, b: f"{a}.{b:02d}", _digits(25), st.integers(0, 99)),
                  st.sampled_from(["-0.01", "1e23", "¥12.50", "１２.５０", "12,345.00", "NaN",
                                   "=1+1", "9" * 5000]))
counts = st.one_of(st.integers(-10, 10 ** 25).map(str), st.floats().map(str),
                   st.sampled_from(["1e23", "-3", "1.5", "٣", "ⅳ", "²"]))
order_ids = st.one_of(
    _digits(40), st.text(alphabet="0123456789０１２３４５６７８９٠١٢٣٤٥٦٧٨٩⁰¹²³-_AZ", max_size=40),
    st.sampled_from(['="5118609024991300001"', "5.11861E+18", "=HYPERLINK(1)", "", "1" * 300]))
hostile_text = st.one_of(st.text(max_size=40),
                         st.sampled_from(["=1+1", "@SUM(A1)", "+cmd", "-1-1", "\t=x",
                                          "---0001.01.01", "9999年12月31日", "电话13900001111",
                                          "x" * 10000]))
FIELD = {"订单编号": order_ids, "订单创建时间": times, "订单付款时间": times, "总金额": money,
         "买家实际支付金额": money, "买家应付邮费": money, "宝贝总数量": counts,
         "买家会员名": hostile_text, "订单备注": hostile_text, "买家留言": hostile_text,
         "宝贝标题": hostile_text, "订单状态": st.sampled_from(["买家已付款，等待卖家发货",
                                                               "交易关闭", "??", ""])}


@st.composite
def export_rows(draw) -> list[list[str]]:
    rows = []
    for n in range(draw(st.integers(1, 6))):
        row = classic_row(order_id=str(5118609024991300000 + n), buyer=f"tb{n}", status="paid",
                          created=datetime(2026, 11, 22, 10, n), paid=datetime(2026, 11, 22, 11, n))
        for column in draw(st.lists(st.sampled_from(sorted(FIELD)), max_size=3, unique=True)):
            row[H.index(column)] = draw(FIELD[column])
        rows.append(row)
    return rows


def test_fuzz_the_importer(template, tmp_path):
    fresh = Fresh(template, tmp_path)

    @ROUND
    @given(rows=export_rows(), encoding=st.sampled_from(["gb18030", "utf-8-sig"]),
           strict=st.booleans(), as_xlsx=st.booleans())
    def one(rows, encoding, strict, as_xlsx):
        path = tmp_path / ("x.xlsx" if as_xlsx else "x.csv")
        if as_xlsx:
            from openpyxl import Workbook

            wb = Workbook()
            wb.active.append(list(XLSX_HEADER))
            for r in rows:
                wb.active.append(xlsx_safe([r[H.index(h)] if h in H else "" for h in XLSX_HEADER]))
            wb.save(path)
        else:
            text = csv_line(H) + "".join(csv_line(r) for r in rows)
            try:
                path.write_bytes(text.encode(encoding))
            except UnicodeEncodeError:
                path.write_bytes(text.encode("utf-8"))
        j = fresh()
        try:
            try:
                ctx = context(j, NOW_DB, "倩")
                [result] = importer.import_files(
                    ctx, [str(path)], strict=strict, parallel=False, after_rows=import_hook(ctx))
            except CstoolError:
                assert j.scalar("SELECT count(*) FROM orders") == 0
                return
            assert result.rows == (result.inserted + result.updated + result.unchanged
                                   + len(result.rejected))
            for bad in (j.query("SELECT order_id, created_at, paid_at, total_fen, item_count "
                                "FROM orders")):
                assert bad["order_id"].isascii() and len(bad["order_id"]) <= 32
                for t in (bad["created_at"], bad["paid_at"]):
                    assert t is None or str(MIN_YEAR) <= t[:4] <= str(MAX_YEAR)
            routines(j)
        finally:
            j.close()

    keep_drawing(one)


# --- the remark parser -----------------------------------------------------------------------

DATE_BITS = st.builds(lambda y, m, d, sep: f"{y}{sep}{m}{sep}{d}", st.integers(0, 99999),
                      st.integers(0, 99), st.integers(0, 99), st.sampled_from([".", "-", "/"]))
CN_DATE = st.builds(lambda y, m, d, h: f"{y}年{m}月{d}日{h}:00:00", st.integers(0, 9999),
                    st.integers(0, 99), st.integers(0, 99), st.integers(0, 30))
PIECES = ["红旗", "@@@", "已催付", "顾客", "客户要求", "修改成", "---", "#", "日发货", "必须由",
          "负责处理!", "倩", "顺丰", "活动价", "实付", "返", "元", "新地址为:", "13900001111", " "]
remark_text = st.lists(st.one_of(st.sampled_from(PIECES), DATE_BITS, CN_DATE, st.text(max_size=8)),
                       max_size=12).map("".join)


def test_fuzz_the_remark_parser():
    from cstool.remark.flags import Shop
    from cstool.remark.parse import parse
    from cstool.remark.store import parse_for_output

    ref = datetime(2026, 11, 23, 14, 30, tzinfo=zone("Asia/Shanghai"))
    ctx = Shop(agents=frozenset({"倩"}))

    @ROUND
    @given(text=remark_text, flag=st.sampled_from([None, "red", "purple"]))
    def one(text, flag):
        p = parse(text, ref, ctx, flag)
        out = parse_for_output(p)
        assert p.at is None or MIN_YEAR <= p.at.year <= MAX_YEAR
        for hold in p.holds().values():
            if hold.get("until"):
                assert MIN_YEAR - 1 <= int(hold["until"][:4]) <= MAX_YEAR + 1
        assert isinstance(out["problems"], list)

    keep_drawing(one)


# --- the receipt reader -----------------------------------------------------------------------

cells = st.one_of(st.none(), st.integers(-2 ** 70, 2 ** 70), st.floats(), st.booleans(),
                  st.text(max_size=20), st.sampled_from(["1", "2", "１", "¹", "=1", "1.0", "2e3",
                                                         "5118609024991031635", '="1"']))


def test_fuzz_the_receipt_reader(template, tmp_path):
    from cstool.handover import receipts, register

    base = tmp_path / "base.db"
    shutil.copy(template, base)
    j = Journal.open(str(base))
    for n in range(3):
        register.add(context(j, NOW_DB, "倩"), category="callback", problem=f"p{n}", buyer="tb1",
                  order_id=None if n else "5118609024991031635")
    j.close()
    fresh = Fresh(base, tmp_path)

    @ROUND
    @given(rows=st.lists(st.lists(cells, max_size=8), max_size=8),
           header=st.permutations(["编号", "回执", "订单编号", "问题", "x"]),
           as_xlsx=st.booleans(), strict=st.booleans(), dry_run=st.booleans())
    def one(rows, header, as_xlsx, strict, dry_run):
        path = tmp_path / ("r.xlsx" if as_xlsx else "r.csv")
        if as_xlsx:
            from openpyxl import Workbook

            wb = Workbook()
            wb.active.append(list(header))
            for r in rows:
                try:
                    wb.active.append(xlsx_safe(r))
                except (ValueError, TypeError):  # a value openpyxl itself won't store
                    wb.active.append(xlsx_safe([str(c) for c in r]))
            wb.save(path)
        else:
            import csv

            with open(path, "w", encoding="utf-8-sig", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(header)
                w.writerows([["" if c is None else c for c in r] for r in rows])
        j = fresh()
        try:
            try:
                result = receipts.import_receipts(context(j, NOW_DB, "倩"), str(path),
                                                  dry_run=dry_run, strict=strict)
            except CstoolError:
                assert j.scalar("SELECT count(*) FROM handover_items WHERE receipt IS NOT NULL") \
                    == 0
                return
            recorded = j.scalar("SELECT count(*) FROM handover_items WHERE receipt IS NOT NULL")
            assert recorded == (0 if dry_run else result.recorded)
        finally:
            j.close()

    keep_drawing(one)


# --- the policy setter ------------------------------------------------------------------------

numbers = st.one_of(st.integers(-10 ** 20, 10 ** 20).map(str), st.floats().map(str),
                    st.sampled_from(["1e20", "1e9", "1000000000000", "0", "-1", "nan", "inf",
                                     "720", "721", "168", "90", "24:00", "00:00-24:00"]))
values = st.one_of(numbers, st.text(max_size=30),
                   st.sampled_from(["9999-12-31", "0001-01-01", "2026-11-25", "none",
                                    "day=00:00-23:59", "night=23:00-01:00", "[]", "{}", "[1]",
                                    '{"red": "presale"}', "https://oapi.dingtalk.com/robot/send",
                                    "http://127.0.0.1:9/x", "Etc/GMT+14", "Pacific/Kiritimati"]))


def test_fuzz_the_policy_setter(demo_template, tmp_path):
    fresh = Fresh(demo_template, tmp_path)

    @ROUND
    @given(changes=st.lists(st.tuples(st.sampled_from(sorted(k.name for k in keys())), values), min_size=1,
                            max_size=4))
    def one(changes):
        j = fresh()
        try:
            policy = Policy(j)
            for key, value in changes:
                try:
                    policy.set(key, value, "倩", NOW_DB)
                except CstoolError:
                    pass
            again = Policy(j)  # what the next command reads
            assert again.problems == []
            routines(j, again)
        finally:
            j.close()

    keep_drawing(one)
