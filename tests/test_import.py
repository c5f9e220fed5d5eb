"""Importing the platform's order exports."""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import datetime

import pytest
from conftest import DEMO_CSV, DEMO_UTF8, DEMO_XLSX, FIXTURES, context, order

from cstool.app import routines
from cstool.core.errors import InputError
from cstool.core.journal import Journal
from cstool.orders import importer

sys.path.insert(0, str(FIXTURES))
from exportlib import CLASSIC_HEADER, classic_row, csv_line  # noqa: E402

NOW_DB = "2026-11-23T06:30:00Z"


def write_export(path, rows, header=CLASSIC_HEADER, encoding="gb18030"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        fh.write(csv_line(list(header)))
        for row in rows:
            fh.write(csv_line(row) if isinstance(row, list) else row)
    return path


def row(n, **kw):
    base = dict(order_id=str(5118609024991100000 + n), buyer=f"tb{n}", status="paid",
                created=datetime(2026, 11, 22, 10, 0), paid=datetime(2026, 11, 22, 10, 5))
    base.update(kw)
    return classic_row(**base)


def agent(run):
    run("agent add 倩", check=0)


def imp(run, *args, check=0):
    return run(["--agent", "倩", "orders", "import", *map(str, args)], check=check)


def db_rows(path, sql, params=()):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_classic_gb18030_export(run, env):
    agent(run)
    result = run.json(["--agent", "倩", "orders", "import", str(DEMO_CSV), "--json"])
    assert result == [{"file": str(DEMO_CSV), "format": "taobao-csv", "encoding": "gb18030",
                       "rows": 50, "inserted": 50, "updated": 0, "unchanged": 0,
                       "rejected": [], "dry_run": False, "platform": "taobao", "shop": None,
                       "level": "order", "new_orders": 50, "waiting_lines": 0,
                       "shops": ["示范旗舰店"], "warnings": []}]
    o = run.json(["orders", "show", order("paid_80h_overdue"), "--json", "--reveal"])
    assert o["status"] == "paid"
    assert o["amount"] == "128.00"
    assert o["created_at"] == "2026-11-20T05:30:00+08:00"
    assert o["paid_at"] == "2026-11-20T06:30:00+08:00"
    assert o["seller_memo"] == "红旗 客户要求发顺丰 已改快递 2026.11.20 倩"  # header "订单备注 "
    assert o["receiver_phone"].isdigit() and len(o["receiver_phone"]) == 11  # "'" stripped


def test_order_numbers_stay_exact_text(run, env):
    agent(run)
    imp(run, DEMO_CSV)
    ids = db_rows(env, "SELECT order_id, typeof(order_id) FROM orders ORDER BY order_id LIMIT 2")
    assert ids == [(order("unpaid_fresh_2min"), "text"), (order("unpaid_4min59"), "text")]
    assert int(ids[0][0]) > 2 ** 53


def test_utf8_export_with_bom(run, env):
    agent(run)
    out = run.json(["--agent", "倩", "orders", "import", str(DEMO_UTF8), "--json"])
    assert out[0]["encoding"] == "utf-8"
    assert out[0]["inserted"] == 5
    assert db_rows(env, "SELECT buyer FROM orders WHERE order_id = ?",
                   [order("unpaid_fresh_2min")]) == [("tb_unpaid_fresh_201",)]


def test_memo_with_quotes_and_newline(run, demo):
    o = run.json(["orders", "show", order("memo_with_quotes_newline"), "--json"])
    assert o["seller_memo"] == '客户要求发"顺丰",到付不要\n---2026.11.23 倩'
    assert o["buyer_message"] == '包装好一点,"易碎",谢谢'


def test_spreadsheet_dates_and_landline(run, demo):
    o = run.json(["orders", "show", order("slash_dates"), "--json"])
    assert o["created_at"] == "2026-11-23T06:00:00+08:00"
    assert o["paid_at"] == "2026-11-23T06:05:00+08:00"
    o = run.json(["orders", "show", order("mobile_landline_only"), "--json", "--reveal"])
    assert o["receiver_phone"] == "0571-88886666"


def test_full_width_comma_in_status(run, demo):
    assert run.json(["orders", "show", order("shipped_full_width_status"), "--json"])[
        "status"] == "shipped"


FIX = ("map it with --status-map '神秘状态=STATUS' (STATUS one of unpaid, paid, part_shipped, "
       "shipped, signed, finished, closed)")


def test_bad_rows_are_rejected_with_line_and_reason(run, env, tmp_path):
    agent(run)
    f = write_export(tmp_path / "bad.csv", [
        row(1),
        row(2, created=None),                                  # line 3: no creation time
        row(3),
        row(4, order_id=""),                                   # line 5: no order number
        row(5, status_text="神秘状态"),                          # line 6
        row(6),
    ])
    # hand-break two cells: line 2's payment time and line 7's amount
    text = f.read_bytes().decode("gb18030").replace("2026-11-22 10:05:00", "2026-13-45 10:05:00", 1)
    lines = text.split("\r\n")
    lines[6] = lines[6].replace("128.00", "12八.00")
    f.write_bytes("\r\n".join(lines).encode("gb18030"))
    out = run.json(["--agent", "倩", "orders", "import", str(f), "--json"])[0]
    assert out["rows"] == 6
    assert out["inserted"] == 1
    assert out["rejected"] == [
        {"row": 2, "error": "bad 订单付款时间 '2026-13-45 10:05:00'"},
        {"row": 3, "error": "no 订单创建时间 ('')"},
        {"row": 5, "error": "no order number"},
        {"row": 6, "error": "unknown order status '神秘状态': " + FIX},
        {"row": 7, "error": "bad 总金额 '12八.00'"},
    ]
    assert db_rows(env, "SELECT count(*) FROM orders") == [(1,)]


def test_strict_rejects_the_whole_file(run, env, tmp_path):
    agent(run)
    f = write_export(tmp_path / "bad.csv", [row(1), row(2, status_text="神秘状态"), row(3)])
    result = imp(run, "--strict", f, check=1)
    assert result.output.strip() == (
        f"Error: {f}: 1 row(s) rejected (--strict), nothing imported; "
        "first: line 3: unknown order status '神秘状态': " + FIX)
    assert db_rows(env, "SELECT count(*) FROM orders") == [(0,)]
    assert db_rows(env, "SELECT count(*) FROM imports") == [(0,)]


def test_reimport_changes_nothing(run, demo):
    before = db_rows(demo, "SELECT * FROM orders ORDER BY order_id")
    remarks = db_rows(demo, "SELECT count(*) FROM remarks")
    out = run.json(["--agent", "倩", "orders", "import", str(DEMO_CSV), str(DEMO_XLSX), "--json"])
    assert [(r["inserted"], r["updated"], r["unchanged"]) for r in out] == [(0, 0, 50), (0, 0, 7)]
    assert db_rows(demo, "SELECT * FROM orders ORDER BY order_id") == before
    assert db_rows(demo, "SELECT count(*) FROM remarks") == remarks


def test_newer_xlsx_export_updates_without_inventing_or_erasing(run, env):
    agent(run)
    imp(run, DEMO_CSV)
    before = run.json(["orders", "show", order("paid_today_before_cutoff"), "--json", "--reveal"])
    out = run.json(["--agent", "倩", "orders", "import", str(DEMO_XLSX), "--json"])[0]
    assert (out["format"], out["rows"], out["inserted"], out["updated"]) == ("taobao-xlsx", 7, 2, 4)
    shipped = run.json(["orders", "show", order("paid_today_before_cutoff"), "--json", "--reveal"])
    assert shipped["status"] == "shipped"
    assert shipped["shipped_at"] == "2026-11-23T13:20:00+08:00"
    assert shipped["tracking_no"] == "773077778888"
    assert shipped["paid_at"] == before["paid_at"]                   # xlsx has no payment time
    assert shipped["receiver_address"] == before["receiver_address"]  # xlsx address is masked
    assert shipped["buyer"] == before["buyer"]                        # xlsx has no buyer column
    # an order paid only according to the xlsx: its payment time stays unknown
    assert run.json(["orders", "show", order("unpaid_3h"), "--json"])["paid_at"] is None
    new = run.json(["orders", "show", order("xlsx_new_paid"), "--json"])
    assert (new["status"], new["paid_at"], new["amount"]) == ("paid", None, "89.00")
    flagged = run.json(["orders", "show", order("paid_70h_due_soon"), "--json"])
    assert flagged["flag"] == "red"


def test_an_older_export_never_moves_orders_back(run, env):
    agent(run)
    imp(run, DEMO_CSV, DEMO_XLSX)
    out = run.json(["--agent", "倩", "orders", "import", str(DEMO_CSV), "--json"])[0]
    assert out["updated"] == 0
    assert run.json(["orders", "show", order("paid_today_before_cutoff"), "--json"])[
        "status"] == "shipped"
    assert run.json(["orders", "show", order("shipped_2days"), "--json"])["status"] == "signed"


def test_a_later_export_closes_or_ships(run, env, tmp_path):
    agent(run)
    imp(run, write_export(tmp_path / "a.csv", [row(1, status="unpaid", paid=None)]))
    out = run.json(["--agent", "倩", "orders", "import", str(write_export(
        tmp_path / "b.csv", [row(1, status="closed", paid=None, close_reason="买家不想买了")])),
        "--json"])[0]
    assert out["updated"] == 1
    assert db_rows(env, "SELECT status, close_reason FROM orders") == [("closed", "买家不想买了")]


def test_memos_become_remark_history_once(run, demo):
    platform = db_rows(demo, "SELECT order_id, text FROM remarks WHERE source = 'platform' "
                             "ORDER BY id")
    memos = db_rows(demo, "SELECT order_id, seller_memo FROM orders WHERE seller_memo <> '' "
                          "ORDER BY order_id")
    # every order with a memo has exactly that memo in its history, once
    assert sorted(platform) == memos
    assert dict(platform)[order("paid_70h_due_soon")] == "加急 2026.11.23 倩"  # from the xlsx


def test_a_changed_memo_adds_to_history_and_an_old_one_never_returns(run, env, tmp_path):
    agent(run)
    a = write_export(tmp_path / "a.csv", [row(1, memo="25日发货")])
    b = write_export(tmp_path / "b.csv", [row(1, memo="25日发货,已改27日发货")])
    imp(run, a)
    imp(run, b)
    out = run.json(["--agent", "倩", "orders", "import", str(a), "--json"])[0]  # old export again
    assert out["unchanged"] == 1
    assert db_rows(env, "SELECT seller_memo FROM orders") == [("25日发货,已改27日发货",)]
    assert db_rows(env, "SELECT text FROM remarks ORDER BY id") == [
        ("25日发货",), ("25日发货,已改27日发货",)]
    # an export with the memo column blank doesn't erase it
    imp(run, write_export(tmp_path / "c.csv", [row(1)]))
    assert db_rows(env, "SELECT seller_memo FROM orders") == [("25日发货,已改27日发货",)]


@pytest.mark.parametrize("content, message", [
    ("订单号码,买家\n1,2\n", "not an order export: missing column(s) 订单编号, 订单状态, 订单创建时间"),
    ("", "the file is empty"),
    ("\x00\x01\x02binary", "binary data"),
])
def test_files_that_are_not_exports(run, env, tmp_path, content, message):
    agent(run)
    f = tmp_path / "x.csv"
    f.write_bytes(content.encode("utf-8"))
    result = imp(run, f, check=1)
    assert message in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_missing_file(run, env, tmp_path):
    agent(run)
    result = run(["--agent", "倩", "orders", "import", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'nope.csv'}: no such file\n"


def test_several_files_are_one_transaction(run, env, tmp_path):
    agent(run)
    bad = tmp_path / "bad.csv"
    bad.write_text("hello,world\n", encoding="utf-8")
    result = imp(run, DEMO_CSV, bad, check=1)
    assert "missing column" in result.output
    assert db_rows(env, "SELECT count(*) FROM orders") == [(0,)]


def test_wrong_encoding_is_reported_with_the_line(run, env):
    agent(run)
    result = imp(run, "--encoding", "utf-8", DEMO_CSV, check=1)
    assert "cannot" in result.output and "gb18030" in result.output
    assert db_rows(env, "SELECT count(*) FROM orders") == [(0,)]


def test_dry_run_writes_nothing(run, env):
    agent(run)
    out = run.json(["--agent", "倩", "orders", "import", "--dry-run", str(DEMO_CSV), "--json"])
    assert out[0]["inserted"] == 50 and out[0]["dry_run"] is True
    assert db_rows(env, "SELECT count(*) FROM orders") == [(0,)]
    assert db_rows(env, "SELECT count(*) FROM imports") == [(0,)]


def test_generic_csv_with_a_mapping(run, env, tmp_path):
    agent(run)
    f = tmp_path / "jd.csv"
    f.write_text("订单号,买家账号,状态,下单时间,付款时间,应付金额\n"
                 "JD10001,jd_user1,paid,2026-11-22 09:00:00,2026-11-22 09:30:00,99.90\n"
                 "JD10002,jd_user2,等待买家付款,2026-11-23 09:00,,10\n", encoding="utf-8")
    out = run.json(["--agent", "倩", "orders", "import", "--format", "generic", str(f), "--json",
                    "--map", "订单号=order_id", "--map", "买家账号=buyer", "--map", "状态=status",
                    "--map", "下单时间=created_at", "--map", "付款时间=paid_at",
                    "--map", "应付金额=total_fen"])[0]
    assert (out["format"], out["inserted"]) == ("generic", 2)
    o = run.json(["orders", "show", "JD10001", "--json"])
    assert (o["buyer"], o["status"], o["amount"], o["paid_at"]) == (
        "jd_user1", "paid", "99.90", "2026-11-22T09:30:00+08:00")
    assert run.json(["orders", "show", "JD10002", "--json"])["amount"] == "10.00"


def test_free_form_times_of_other_exports_are_read_after_the_fast_form(run, env, tmp_path):
    """A Douyin-style export writes 2026/11/22 09:30:00; others write Chinese dates, US times
    or ISO with an offset. Each reads as the same instant; a time without a year is refused."""
    agent(run)
    f = tmp_path / "doudian.csv"
    f.write_text("主订单编号,下单时间,支付完成时间,订单状态\n"
                 "DY1,2026/11/22 09:00:00,2026年11月22日 上午9:30,待发货\n"
                 "DY2,2026-11-22 09:00,11/22/2026 9:30:00 AM,待发货\n"
                 "DY3,2026-11-22T01:00:00Z,2026-11-22T09:30:00+08:00,待发货\n"
                 "DY4,2026年11月22日9时,Nov 22 2026 9:30 AM,待发货\n"
                 "DY5,11月22日 09:00,,待发货\n", encoding="utf-8")
    out = run.json(["--agent", "倩", "orders", "import", "--format", "generic", str(f), "--json",
                    "--map", "主订单编号=order_id", "--map", "下单时间=created_at",
                    "--map", "支付完成时间=paid_at", "--map", "订单状态=status"])[0]
    assert out["inserted"] == 4
    assert [r["row"] for r in out["rejected"]] == [6]
    assert "11月22日 09:00" in out["rejected"][0]["error"]
    for oid in ("DY1", "DY2", "DY3", "DY4"):
        o = run.json(["orders", "show", oid, "--json"])
        assert (o["created_at"], o["paid_at"]) == (
            "2026-11-22T09:00:00+08:00", "2026-11-22T09:30:00+08:00"), oid


def test_generic_mapping_errors(run, env, tmp_path):
    agent(run)
    f = tmp_path / "jd.csv"
    f.write_text("订单号,状态\nA1,paid\n", encoding="utf-8")
    r = imp(run, "--format", "generic", f, check=2)
    assert "needs --map" in r.output
    r = imp(run, "--format", "generic", "--map", "订单号=order_no", f, check=2)
    assert "unknown field 'order_no'" in r.output
    r = imp(run, "--format", "generic", "--map", "订单=order_id", f, check=1)
    assert "which the file does not have" in r.output
    r = imp(run, "--map", "订单号=order_id", f, check=2)
    assert "--map goes with --format generic" in r.output


def test_mangled_order_number_is_rejected(run, env, tmp_path):
    agent(run)
    f = write_export(tmp_path / "x.csv", [row(1, order_id="1")])
    f.write_text(f.read_text(encoding="gb18030").replace('="1"', "5.11861E+18"),
                 encoding="gb18030")
    out = run.json(["--agent", "倩", "orders", "import", str(f), "--json"])[0]
    assert out["rejected"][0]["row"] == 2
    assert "turned into a number by a spreadsheet" in out["rejected"][0]["error"]


def test_xlsx_wrong_header(run, env, tmp_path):
    from openpyxl import Workbook

    agent(run)
    wb = Workbook()
    wb.active.append(["商品", "数量"])
    wb.active.append(["茶杯", 2])
    f = tmp_path / "stock.xlsx"
    wb.save(f)
    out = imp(run, f, check=1).output
    # its one known header is PDD's 商品: the closest format, and what it lacks
    assert "missing column(s) 订单号, 订单状态, 订单成交时间 (the closest format is pdd" in out


def test_an_old_excel_xls_is_refused_saying_how_to_save_it(run, env, tmp_path):
    # Excel 97-2003 (.xls) is an OLE2 compound file: its first bytes are D0 CF 11 E0.
    agent(run)
    f = tmp_path / "ExportOrderList.xls"
    f.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    out = imp(run, f, check=1).output
    assert "old Excel .xls workbook" in out and "save it as .xlsx or .csv" in out
    assert len(out.strip().splitlines()) == 1 and "Traceback" not in out
    assert run.json(["orders", "list", "--json"]) == []


# --- the library ------------------------------------------------------------------------


def import_lib(path, files, hook=None, **kw):
    j = Journal.open(str(path), create=True)
    try:
        ctx = context(j, NOW_DB, agent="倩")
        if hook is not None:
            kw["after_rows"] = hook(ctx)
        return importer.import_files(ctx, [str(f) for f in files], **kw)
    finally:
        j.close()


def test_forked_reader_gives_the_same_journal(tmp_path):
    """Big files are read in a forked process; the result must not depend on it."""
    rows = [row(n, memo=f"备注{n}" if n % 3 == 0 else "", total=100 + n) for n in range(333)]
    rows[100] = row(100, status_text="???")
    rows[200] = row(5)  # a duplicate order number: the later row updates the earlier
    f = write_export(tmp_path / "many.csv", rows)
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    ra = import_lib(a, [f], parallel=False)[0]
    rb = import_lib(b, [f], parallel=True)[0]
    assert ra.as_dict() == rb.as_dict()
    assert (ra.rows, ra.inserted, ra.updated, len(ra.rejected)) == (333, 331, 1, 1)
    dump = "SELECT * FROM orders ORDER BY order_id"
    assert db_rows(a, dump) == db_rows(b, dump)
    assert db_rows(a, "SELECT order_id, text FROM remarks ORDER BY id") == \
        db_rows(b, "SELECT order_id, text FROM remarks ORDER BY id")


def _after_the_rows(monkeypatch):
    """The memo history recorded only after the rows, as it was before it streamed."""
    from cstool.core import remarks

    monkeypatch.setattr(remarks.MemoStream, "batch",
                        lambda self, written: setattr(self, "streaming", False))


_MEMOS = ["25日发货", "@@@张三", "2026.11.22 郑婷已催付", "发顺丰", "28日发货 客户要求发顺丰"]
_TABLES = ("SELECT * FROM orders ORDER BY order_id", "SELECT * FROM remarks ORDER BY id",
           "SELECT * FROM holds ORDER BY id")


@pytest.mark.parametrize("parallel", [False, True])
def test_memos_recorded_batch_by_batch_as_the_file_is_read(tmp_path, monkeypatch, parallel):
    """A file of new orders records its memos batch by batch while it is read, and ends
    with the history, holds and brushing marks a pass after the rows gives."""
    from cstool.orders import parallel as reader

    monkeypatch.setattr(reader, "BATCH", 7)
    rows = [row(n, memo=_MEMOS[n % len(_MEMOS)] if n % 4 else "") for n in range(60)]
    f = write_export(tmp_path / "new.csv", rows)
    seen: list = []

    def progress(done, total):
        seen.append(j.scalar("SELECT count(*) FROM remarks"))

    j = Journal.open(str(tmp_path / "s.db"), create=True)
    try:
        ctx = context(j, NOW_DB, agent="倩")
        importer.import_files(ctx, [str(f)], after_rows=routines.import_hook(ctx),
                              progress=progress, parallel=parallel)
    finally:
        j.close()
    assert seen[0] > 0 and seen == sorted(seen) and len(set(seen)) > 5  # as the rows came
    assert seen[-1] == sum(1 for n in range(60) if n % 4)
    _after_the_rows(monkeypatch)
    import_lib(tmp_path / "r.db", [f], hook=routines.import_hook, parallel=parallel)
    for sql in _TABLES:
        assert db_rows(tmp_path / "s.db", sql) == db_rows(tmp_path / "r.db", sql), sql


def test_an_order_named_again_in_a_later_batch_records_as_after_the_rows(tmp_path,
                                                                          monkeypatch):
    """An order named again batches later (a newer memo, then the first memo again) and a
    daily file over a journal that has some of its orders: the history, holds and marks
    are those of a pass after the rows (the memos recorded so far are taken back)."""
    from cstool.orders import parallel as reader

    monkeypatch.setattr(reader, "BATCH", 5)
    first = [row(n, memo=_MEMOS[n % len(_MEMOS)] if n % 3 else "") for n in range(30)]
    again = (first[:12] + [row(4, status="shipped", memo="发顺丰 改了")] + first[12:20]
             + [row(4, status="shipped", memo=_MEMOS[4])] + first[20:])
    daily = [row(n, memo=_MEMOS[(n + 1) % len(_MEMOS)]) for n in range(25, 45)]
    files = [write_export(tmp_path / "a.csv", again), write_export(tmp_path / "d.csv", daily)]
    dbs = tmp_path / "s.db", tmp_path / "r.db"
    results = []
    for db in dbs:
        if db == dbs[1]:
            _after_the_rows(monkeypatch)
        results.append([import_lib(db, [f], hook=routines.import_hook)[0].as_dict()
                        for f in files])
    assert results[0] == results[1]
    assert db_rows(dbs[0], "SELECT text FROM remarks WHERE order_id = ?",
                   [str(5118609024991100004)]) == [(_MEMOS[4],)]  # the file's last word
    for sql in _TABLES:
        assert db_rows(dbs[0], sql) == db_rows(dbs[1], sql), sql


def _item_rows(orders: int, memo) -> list:
    """A 2020 item CSV's rows (the real export's 28 columns): two lines an order."""
    sys.path.insert(0, str(FIXTURES))
    import platform_exports as px

    out = []
    for n in range(orders):
        oid = str(3519977000000000000 + n)
        for k in (1, 2):
            out.append(px._item_2020(f"{oid[:-2]}{k}{n % 10}", oid, f"儿童保温杯 {k}", "50.00", k,
                                     "颜色分类：天蓝色", "买家已付款，等待卖家发货", f"BW-{k}", "50.00",
                                     "没有申请退款", "0.00", "2026-11-22 20:00:00",
                                     "2026-11-22 20:01:00", f"6000{n:08d}", memo=memo(n)))
    return out


@pytest.mark.parametrize("parallel", [False, True])
def test_an_item_export_records_its_memos_as_it_is_read(tmp_path, monkeypatch, parallel):
    """An export of items records the memos of the orders it brings batch by batch, and
    ends with the orders, lines, history, holds and marks of a pass after the rows, also
    when an order's rows come apart over batches with a newer memo, then its first one."""
    from cstool.orders import parallel as reader

    sys.path.insert(0, str(FIXTURES))
    import platform_exports as px

    monkeypatch.setattr(reader, "BATCH", 6)
    rows = _item_rows(30, lambda n: _MEMOS[n % len(_MEMOS)] if n % 4 else "")
    # order 1 (rows 2 and 3, memo @@@张三) again batches later with a newer memo, then
    # with its first memo again
    newer = _item_rows(2, lambda n: "发顺丰 改了")[2:4]
    again = rows[:20] + newer + rows[20:40] + rows[2:4] + rows[40:]
    files = [px._csv(tmp_path / "items.csv", px.TAOBAO_ITEMS_2020_HEADER, rows),
             px._csv(tmp_path / "again.csv", px.TAOBAO_ITEMS_2020_HEADER, again)]
    seen: list = []
    j = Journal.open(str(tmp_path / "s.db"), create=True)
    try:
        ctx = context(j, NOW_DB, agent="倩")
        importer.import_files(ctx, [str(files[0])], after_rows=routines.import_hook(ctx),
                              parallel=parallel, progress=lambda done, total: seen.append(
                                  j.scalar("SELECT count(*) FROM remarks")))
    finally:
        j.close()
    assert seen[0] > 0 and seen == sorted(seen) and len(set(seen)) > 5  # as the rows came
    tables = (*_TABLES, "SELECT * FROM order_lines ORDER BY id")
    for name, f in (("first", files[0]), ("again", files[1])):
        dbs = tmp_path / f"{name}-s.db", tmp_path / f"{name}-r.db"
        with monkeypatch.context() as m:
            results = [import_lib(dbs[0], [f], hook=routines.import_hook, parallel=parallel)]
            _after_the_rows(m)
            results.append(import_lib(dbs[1], [f], hook=routines.import_hook, parallel=parallel))
        assert results[0][0].as_dict() == results[1][0].as_dict()
        for sql in tables:
            assert db_rows(dbs[0], sql) == db_rows(dbs[1], sql), (name, sql)
    # the file's last word on order 1: its first memo again, after a newer one
    assert db_rows(tmp_path / "again-s.db", "SELECT seller_memo FROM orders WHERE order_id = ?",
                   ["3519977000000000001"]) == [(_MEMOS[1],)]


def test_memo_parses_leave_no_file_and_work_inside_a_callers_transaction(tmp_path,
                                                                          monkeypatch):
    """The memo parses live in a scratch file attached for the import, gone when it ends
    (whatever ends it); inside a caller's transaction, where SQLite cannot attach, they
    are a temporary table, and the journal ends the same."""
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    rows = [row(n, memo=_MEMOS[n % len(_MEMOS)] if n % 4 else "") for n in range(40)]
    f = write_export(tmp_path / "a.csv", rows)
    seen: list = []
    attached = "SELECT count(*) FROM pragma_database_list WHERE name = 'memo_scratch'"
    j = Journal.open(str(tmp_path / "s.db"), create=True)
    try:
        ctx = context(j, NOW_DB, agent="倩")
        importer.import_files(ctx, [str(f)], after_rows=routines.import_hook(ctx),
                              progress=lambda *a: seen.append(
                                  (sorted(p.name for p in scratch.iterdir()),
                                   j.scalar("SELECT count(*) FROM temp.memo_parse"),
                                   j.scalar(attached))))
        assert seen and all(files == [] and parses > 0 and on for files, parses, on in seen)
        assert not j.scalar(attached)
    finally:
        j.close()
    j = Journal.open(str(tmp_path / "t.db"), create=True)
    try:
        ctx = context(j, NOW_DB, agent="倩")
        with j.write():
            importer.import_files(ctx, [str(f)], after_rows=routines.import_hook(ctx))
    finally:
        j.close()
    for sql in _TABLES[1:]:
        assert db_rows(tmp_path / "s.db", sql) == db_rows(tmp_path / "t.db", sql), sql
    assert list(scratch.iterdir()) == []


def test_memos_parsed_by_the_reader_equal_memos_parsed_afterwards(tmp_path):
    """Memos parsed while the file is read (forked or not) are stored exactly as the
    hook alone would store them, and bring the same holds and brushing marks."""
    from cstool.remark.hook import ImportedMemos, apply_imported_memos

    memos = ["25日发货", "@@@张三", "2026.11.22 郑婷已催付", "发顺丰", "必须由倩负责处理!",
             "红旗 客户要求发顺丰 已改快递 2026.11.20 倩", "客户要求修改地址,新地址为:浙江省 杭州市 "
             "西湖区 文三路1号---2026.11.23 倩"]
    rows = [row(n, memo=memos[n % len(memos)] if n % 4 else "") for n in range(120)]
    f = write_export(tmp_path / "memos.csv", rows)
    dumps = []
    after = lambda ctx: lambda journal, last: apply_imported_memos(ctx, last)  # noqa: E731
    for name, hook, parallel in (("forked", ImportedMemos, True),
                                 ("inline", ImportedMemos, False),
                                 ("after", after, False)):
        db = tmp_path / f"{name}.db"
        import_lib(db, [f], hook=hook, parallel=parallel)
        dumps.append((db_rows(db, "SELECT order_id, text, kind, flag, reason, action, at, author, "
                                  "fields, problems, parsed FROM remarks ORDER BY id"),
                      db_rows(db, "SELECT order_id, kind, until, owner FROM holds ORDER BY id"),
                      db_rows(db, "SELECT order_id FROM orders WHERE brushing = 1")))
    assert dumps[0] == dumps[1] == dumps[2]
    remark_rows, hold_rows, brushed = dumps[0]
    assert all(r[-1] == 1 for r in remark_rows) and len(remark_rows) == 90
    assert len(hold_rows) > 0 and len(brushed) > 0


def test_forked_reader_reports_file_errors(tmp_path):
    """A decoding error in the forked reader reaches the user with its line."""
    f = tmp_path / "x.csv"
    f.write_bytes(csv_line(list(CLASSIC_HEADER)).encode("utf-8")
                  + "".join(csv_line(row(n)) for n in range(500)).encode("utf-8")
                  + csv_line(row(999)).encode("gb18030"))
    with pytest.raises(InputError, match=r"cannot be read as utf-8 after line \d+"):
        import_lib(tmp_path / "a.db", [f], parallel=True, encoding="utf-8")


def test_progress_reaches_the_end(tmp_path):
    f = write_export(tmp_path / "x.csv", [row(n) for n in range(5000)])
    seen = []
    import_lib(tmp_path / "a.db", [f], progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (f.stat().st_size, f.stat().st_size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_progress_line_is_written_once_per_step_and_cleared_when_done(tmp_path, monkeypatch):
    import io
    import re

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    term = Terminal()
    monkeypatch.setattr("sys.stderr", term)
    f = write_export(tmp_path / "x.csv", [row(n) for n in range(20000)])
    import_lib(tmp_path / "a.db", [f, f], progress=importer.stderr_progress("importing"))
    out = term.getvalue()
    assert "\n" not in out  # nothing left behind: the result lines stand alone
    steps = re.findall(r"\rimporting: +(\d+)%", out)
    assert steps and len(steps) == len(set(steps)) * 2  # two files, each step once per file
    blank = "\r" + " " * len("importing: 100%") + "\r"
    assert out.endswith(blank) and out.count(blank) == 2
    assert out.replace(blank, "").count("\r") == len(steps)


def test_after_rows_hook_sees_the_new_memos(tmp_path):
    f = write_export(tmp_path / "x.csv", [row(1, memo="25日发货"), row(2), row(3, memo="@@@张三")])
    seen = {}

    def hook(journal, last_remark_id):
        seen["new"] = [r[0] for r in journal.query(
            "SELECT text FROM remarks WHERE id > ? ORDER BY id", [last_remark_id])]

    import_lib(tmp_path / "a.db", [f], after_rows=hook)
    assert seen["new"] == ["25日发货", "@@@张三"]
    import_lib(tmp_path / "a.db", [f], after_rows=hook)
    assert seen["new"] == []


def test_chunk_boundaries(tmp_path):
    """Rows go to SQLite in multi-row statements; counts are exact around the edges."""
    n = importer.CHUNK * 2 + 7
    f = write_export(tmp_path / "x.csv", [row(i) for i in range(n)])
    r = import_lib(tmp_path / "a.db", [f])[0]
    assert (r.rows, r.inserted) == (n, n)
    g = write_export(tmp_path / "y.csv", [row(i, status="shipped") if i % 2 else row(i)
                                          for i in range(n + 3)])
    r = import_lib(tmp_path / "a.db", [g])[0]
    assert (r.rows, r.inserted, r.updated, r.unchanged) == (n + 3, 3, n // 2, n - n // 2)
    assert json.loads(json.dumps(r.as_dict()))["rejected"] == []


# --- rows skipped by their digest (a big file beside the journal) -------------------------


@pytest.fixture
def digests_always(monkeypatch):
    """The journal's row digests are loaded whatever the file's size (a big export beside
    the journal, in small)."""
    monkeypatch.setattr(importer, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(importer, "ROW_BYTES", 1)


@pytest.mark.parametrize("parallel", [False, True])
def test_rows_imported_as_they_are_are_skipped_and_counted(tmp_path, digests_always, parallel,
                                                           monkeypatch):
    from cstool.orders import parallel as reader

    rows = [row(n, memo=f"25日发货 {n}" if n % 4 == 0 else "", total=100 + n) for n in range(120)]
    first = write_export(tmp_path / "a.csv", rows)
    db = tmp_path / "j.db"
    import_lib(db, [first], parallel=parallel)
    before = db_rows(db, "SELECT * FROM orders ORDER BY order_id")
    assert db_rows(db, "SELECT count(*) FROM orders WHERE row_digest IS NULL") == [(0,)]
    parsed = []
    batches = reader._batches

    def counting(source, normalise, *args):
        def check(cells):
            parsed.append(1)
            return normalise(cells)

        check.fast, check.lines = (lambda cells: parsed.append(1) or normalise.fast(cells),
                                   normalise.lines)
        return batches(source, check, *args)

    if not parallel:  # (the forked reader would count in its own process)
        monkeypatch.setattr(importer, "_batches", counting)
    again = import_lib(db, [first], parallel=parallel)[0]
    assert parsed == []  # no row was parsed into an order
    assert (again.rows, again.inserted, again.updated, again.unchanged) == (120, 0, 0, 120)
    assert db_rows(db, "SELECT * FROM orders ORDER BY order_id") == before
    # one row changed, one new: read and written; the rest skipped
    rows[7] = row(7, status="shipped", total=107)
    rows.append(row(500))
    third = import_lib(db, [write_export(tmp_path / "c.csv", rows)], parallel=parallel)[0]
    assert (third.rows, third.inserted, third.updated, third.unchanged) == (121, 1, 1, 119)
    assert db_rows(db, "SELECT status FROM orders WHERE order_id = ?",
                   [str(5118609024991100007)]) == [("shipped",)]


def test_a_row_skipped_by_its_digest_leaves_the_journal_as_reading_it_would(
        tmp_path, digests_always, monkeypatch):
    """The same order twice in a file (its newer row first, then the row the journal
    already has), an older export, a rejected row: skipping changes nothing a full
    read would not."""
    a = write_export(tmp_path / "a.csv", [row(1, memo="25日发货"), row(2), row(3)])
    b = write_export(tmp_path / "b.csv", [
        row(1, status="shipped", memo="28日发货"), row(1, memo="25日发货"), row(2),
        row(3, status_text="???"), row(4)])
    older = write_export(tmp_path / "old.csv", [row(2, status="unpaid", paid=None)])
    dump = "SELECT * FROM orders ORDER BY order_id"
    skipped, read = tmp_path / "s.db", tmp_path / "r.db"
    for db in (skipped, read):
        if db == read:
            monkeypatch.setattr(importer, "_digests", lambda *a, **k: None)
        results = [import_lib(db, [f], hook=routines.import_hook)[0].as_dict()
                   for f in (a, b, older, b)]
        for r in results:
            r.pop("file")
        if db == skipped:
            with_skips = results
    assert with_skips == results
    columns = [c[1] for c in db_rows(skipped, "PRAGMA table_info(orders)")]
    keep = [i for i, c in enumerate(columns) if c not in ("row_digest", "import_id")]
    assert [[r[i] for i in keep] for r in db_rows(skipped, dump)] == \
        [[r[i] for i in keep] for r in db_rows(read, dump)]
    for table in ("holds", "remarks"):
        assert db_rows(skipped, f"SELECT * FROM {table} ORDER BY id") == \
            db_rows(read, f"SELECT * FROM {table} ORDER BY id")


def test_a_row_is_read_again_when_the_shop_reads_times_in_another_zone(tmp_path,
                                                                          digests_always):
    f = write_export(tmp_path / "a.csv", [row(1), row(2)])
    db = tmp_path / "j.db"
    import_lib(db, [f])
    from cstool.core.clock import Clock

    j = Journal.open(str(db))
    try:
        ctx = context(j, Clock("Asia/Tokyo", "2026-11-23 15:30"), agent="倩")
        again = importer.import_files(ctx, [str(f)])[0]
    finally:
        j.close()
    assert (again.updated, again.unchanged) == (2, 0)  # the same cells, other instants


@pytest.mark.parametrize("small_cache", [True, False])
def test_the_journals_digests_load_sorted_across_the_signed_range_one_platform_only(
        tmp_path, small_cache):
    """The stored digests come back in the order ``bisect`` needs (signed 64-bit, so the
    negative ones first, whatever their top byte), only the platform's, none that is
    NULL; through a small page cache only when the transaction has written nothing (an
    earlier file's pages would spill), and the import's cache is back afterwards."""
    import random

    db = tmp_path / "j.db"
    import_lib(db, [write_export(tmp_path / "a.csv", [row(1)])])
    rnd = random.Random(15)
    values = [-2 ** 63, 2 ** 63 - 1, -1, 0, 1, -(2 ** 56), 2 ** 56, 2 ** 56 - 1, 7, 7,
              *(rnd.randrange(-2 ** 63, 2 ** 63) for _ in range(3000)),
              *(rnd.randrange(2 ** 56, 2 ** 57) for _ in range(500))]  # a crowded bucket
    j = Journal.open(str(db))
    try:
        with j.write():
            j.execute("UPDATE orders SET row_digest = NULL")  # as an older cstool left it
            insert = ("INSERT INTO orders (order_id, platform, status, created_at, row_digest) "
                      "VALUES (?, ?, 'closed', '2026-11-01T00:00:00Z', ?)")
            for n, d in enumerate(values):
                j.execute(insert, [f"T{n}", "taobao", d])
            j.execute(insert, ["J1", "jd", 5])
        j.execute("PRAGMA cache_size = -32768")
        said: list[str] = []
        j.conn.set_trace_callback(said.append)
        known = importer._known_digests(j, "taobao", small_cache)
        j.conn.set_trace_callback(None)
        assert j.scalar("PRAGMA cache_size") == -32768
    finally:
        j.close()
    assert list(known) == sorted(values)
    assert known.typecode == "q"
    assert ("PRAGMA cache_size = -2048" in said) is small_cache


def test_only_the_first_file_of_an_import_loads_the_digests_through_a_small_cache(
        tmp_path, digests_always, monkeypatch):
    """Files imported together are one transaction: once the first has written its rows,
    a smaller page cache would spill them to the WAL, so a later file's digests load
    through the import's own cache."""
    a = write_export(tmp_path / "a.csv", [row(n) for n in range(1, 6)])
    b = write_export(tmp_path / "b.csv", [row(n, status="shipped") for n in range(3, 9)])
    db = tmp_path / "j.db"
    import_lib(db, [a])
    real, small = importer._known_digests, []
    monkeypatch.setattr(importer, "_known_digests",
                        lambda j, platform, cache=False: small.append(cache) or
                        real(j, platform, cache))
    first, second = import_lib(db, [a, b])
    assert small == [True, False]
    assert (first.unchanged, second.updated, second.inserted) == (5, 3, 3)
