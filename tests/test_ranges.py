"""Every value has a range a shop could mean: a bad one rejects its row or its option,
and one already stored never breaks a routine later."""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import datetime

import pytest
from conftest import FIXTURES, order

sys.path.insert(0, str(FIXTURES))
from exportlib import CLASSIC_HEADER, classic_row, csv_line  # noqa: E402

H = list(CLASSIC_HEADER)
BASE = 5118609024991200000


def row(n: int, **kw) -> list[str]:
    fields = dict(order_id=str(BASE + n), buyer=f"tb{n}", status="paid",
                  created=datetime(2026, 11, 22, 10, 0), paid=datetime(2026, 11, 22, 11, 0))
    fields.update(kw)
    return classic_row(**fields)


def with_cell(n: int, column: str, value: str, **kw) -> list[str]:
    r = row(n, **kw)
    r[H.index(column)] = value
    return r


def export(path, rows) -> str:
    path.write_bytes((csv_line(H) + "".join(csv_line(r) for r in rows)).encode("gb18030"))
    return str(path)


# (row, the reason the line is rejected with)
BAD_ROWS = [
    (with_cell(2, "总金额", "99999999999999999999.00"), "总金额 '99999999999999999999.00': over 10,000,000 yuan"),
    (with_cell(3, "宝贝总数量", "1e23"), "宝贝总数量 '1e23': over 100,000"),
    (with_cell(4, "订单创建时间", "0001-01-01"), "订单创建时间 '0001-01-01': outside the years 2003–2100"),
    (with_cell(5, "订单付款时间", "9999-12-31 23:00:00"), "订单付款时间 '9999-12-31 23:00:00': outside the years 2003–2100"),
    (with_cell(6, "订单编号", '="' + "1" * 300 + '"'), "is 300 characters long; an order number has at most 32"),
    (with_cell(7, "总金额", "-5.00"), "总金额 '-5.00': negative"),
    (with_cell(8, "宝贝总数量", "-3"), "宝贝总数量 '-3': negative"),
    (row(9, paid=datetime(2026, 11, 21, 10, 0)),
     "订单付款时间 '2026-11-21 10:00:00' is before 订单创建时间 '2026-11-22 10:00:00'"),
    (with_cell(10, "买家会员名", "x" * 10000), "买家会员名 is 10,000 characters long; a nick has at most 64"),
    (with_cell(11, "订单编号", '="５１１８６０９０２４９９１２０００订单"'), "is not a number"),
]


def test_each_bad_value_rejects_its_row_alone(run, env, tmp_path):
    run("agent add 倩", check=0)
    good = [row(1, memo="客户要求发顺丰---0001.01.01"), row(12)]
    f = export(tmp_path / "x.csv", [good[0]] + [r for r, _ in BAD_ROWS] + [good[1]])
    out = run.json(["--agent", "倩", "orders", "import", f, "--json"])[0]
    assert (out["rows"], out["inserted"]) == (len(BAD_ROWS) + 2, 2)
    got = {r["row"]: r["error"] for r in out["rejected"]}
    for line, (_, reason) in enumerate(BAD_ROWS, start=3):
        assert reason in got.pop(line), line
    assert got == {}
    # the memo's impossible date is ignored, with a problem noted
    memo = run.json(["remark", "list", str(BASE + 1), "--json"])[0]
    assert memo["at"] is None
    assert "date 0001.01.01 is outside the years 2003–2100; ignored" in memo["problems"]


def test_strict_import_of_a_bad_value_writes_nothing(run, env, tmp_path):
    run("agent add 倩", check=0)
    f = export(tmp_path / "x.csv", [row(1), BAD_ROWS[0][0]])
    result = run(["--agent", "倩", "orders", "import", f, "--strict"])
    assert result.exit_code == 1
    assert "line 3: 总金额 '99999999999999999999.00': over 10,000,000 yuan" in result.output
    assert run.json("orders list --json") == []


def test_remark_parse_ignores_an_impossible_date(run):
    got = run.json(["remark", "parse", "客户要求发顺丰---0001.01.01", "--json"])
    assert got["at"] is None and got["kind"] == "request"
    assert "date 0001.01.01 is outside the years 2003–2100; ignored" in got["problems"]
    got = run.json(["remark", "parse", "9999年12月31日23:59:59 # 倩", "--json"])
    assert got["at"] is None and got["author"] == "倩"


def script(digits: str, zero: str) -> str:
    return "".join(chr(ord(zero) + int(d)) for d in digits)


SUPERSCRIPT = dict(zip("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


@pytest.mark.parametrize("digits", [
    script(str(BASE + 1), "０"),  # full-width
    script(str(BASE + 1), "٠"),  # Arabic-Indic
    script(str(BASE + 1), "०"),  # Devanagari
    "".join(SUPERSCRIPT[d] for d in str(BASE + 1)),
])
def test_confusable_digits_are_the_same_order(run, env, tmp_path, digits):
    run("agent add 倩", check=0)
    plain = export(tmp_path / "a.csv", [row(1)])
    run(["--agent", "倩", "orders", "import", plain], check=0)
    odd = row(1, status="shipped", tracking="773099990000", courier="中通快递")
    odd[0] = f'="{digits}"'
    out = run.json(["--agent", "倩", "orders", "import", export(tmp_path / "b.csv", [odd]),
                    "--json"])[0]
    assert (out["inserted"], out["updated"], out["rejected"]) == (0, 1, [])
    assert [o["order_id"] for o in run.json("orders list --json")] == [str(BASE + 1)]
    assert run.json(["orders", "show", digits, "--json"])["status"] == "shipped"


def test_an_agent_name_of_ten_thousand_characters_is_refused(run, env):
    result = run(["agent", "add", "x" * 10000])
    assert result.exit_code == 2
    assert "Invalid value for 'SHORT': 10,000 characters is more than the 2,000" in result.output
    result = run(["agent", "add", "倩", "--name", "王" * 10000])
    assert result.exit_code == 2 and "10,000 characters is more than the 2,000" in result.output
    result = run(["agent", "add", "x" * 100])  # a bad value: a usage error like the others
    assert result.exit_code == 2
    assert result.output.endswith("\nError: an agent's short name has at most 32 characters "
                                  "(it goes into every remark), not 100\n")
    result = run(["agent", "add", "倩", "--name", "王" * 65])
    assert result.exit_code == 2 and "--name has at most 64 characters, not 65" in result.output
    assert run.json("agent list --json") == []


@pytest.mark.parametrize("argv, hint", [
    (["shipcheck", "--within", "1e12"], "--within"),
    (["shipcheck", "--within", "nan"], "--within"),
    (["shipcheck", "--within", "inf"], "--within"),
    (["shipcheck", "--morning", "--within", "-1"], "--within"),
    (["orders", "list", "--since", "99999999d"], "--since"),
    (["orders", "list", "--since", "0001-01-01"], "--since"),
    (["exception", "report", "--until", "99999999h"], "--until"),
    (["report", "daily", "--date", "9999-12-31"], "--date"),
    (["handover", "list", "--date", "0001-01-01"], "--date"),
    (["remark", "parse", "申通 倩 8.25", "--at", "9999-12-31 00:00"], "--at"),
    (["remark", "add", order("paid_hold_until_25"), "--kind", "hold", "--until", "9999.01.01"],
     "--until"),
    (["exception", "log", order("paid_80h_overdue"), "--kind", "破损", "--detail", "x",
      "--amount", "99999999999999999999"], "--amount"),
    (["orders", "list", "--limit", "99999999999999999999"], "--limit"),
])
def test_absurd_options_are_usage_errors(run, demo, argv, hint):
    result = run(["--agent", "倩", *argv])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{hint}" in result.output
    assert "internal error" not in result.output


def test_an_absurd_clock_is_a_usage_error(run, demo):
    result = run(["shipcheck"], env={"CSTOOL_NOW": "0001-01-01 00:00"})
    assert result.exit_code == 2
    assert "'0001-01-01 00:00' is outside the years 2003–2100" in result.output


@pytest.mark.parametrize("argv", [
    ["handover", "show", "99999999999999999999"],
    ["exception", "show", "99999999999999999999"],
    ["exception", "close", "99999999999999999999", "--outcome", "received"],
])
def test_an_id_beyond_any_row_is_not_found(run, demo, argv):
    result = run(["--agent", "倩", *argv])
    assert result.exit_code == 1 and result.output.startswith("Error: no ")


@pytest.mark.parametrize("key, value, allowed", [
    ("ship_deadline_hours", "1e20", "1–720"),
    ("remind_cooldown_hours", "1000000000000", "1–168"),
    ("stalled_days", "1e9", "1–90"),
    ("unpaid_grace_minutes", "1e15", "0–10,080"),
    ("chase_max_age_hours", "1e9", "1–720"),
    ("chase_max_age_hours", "100000", "1–720"),
    ("presale_ship_date", "9999-12-31", "2003–2100"),
])
def test_policy_values_have_ranges_a_shop_could_mean(run, demo, key, value, allowed):
    result = run(["policy", "set", key, value])
    assert result.exit_code == 2  # a value the shop's policy does not allow: a usage error
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and allowed in errors[0], result.output
    stored = {r["key"]: r["source"] for r in run.json(["policy", "show", "--json"])}
    assert stored[key] == "default"


def store(db, sql, params=()):
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(sql, params)
    conn.close()


def test_a_bad_policy_value_already_stored_falls_back_with_a_warning(run, demo):
    store(demo, "INSERT INTO policy (key, value, set_by, set_at) VALUES (?, ?, 'x', "
                "'2026-01-01T00:00:00Z')", ["stalled_days", json.dumps(1_000_000_000)])
    result = run(["shipcheck", "--json"])
    assert result.exit_code == 0
    assert result.stderr.startswith("warning: policy stalled_days: 1,000,000,000 days is outside "
                                    "1–90 days; using the default 7")
    assert run.json(["policy", "show", "stalled_days", "--json"])["value"] == 7


def test_a_stored_time_out_of_range_leaves_its_order_out_not_the_routine(run, demo):
    oid = order("paid_yesterday_evening")
    store(demo, "UPDATE orders SET paid_at = '9999-12-31T15:00:00Z' WHERE order_id = ?", [oid])
    for argv in (["shipcheck"], ["shipcheck", "--check"], ["--now", "2026-11-24 10:30", "remind",
                                                             "--dry-run"]):
        result = run(argv)
        assert result.exit_code in (0, 1) and "internal error" not in result.output, argv
        assert oid not in result.stdout
    warned = run(["shipcheck", "--json"])
    assert warned.stderr == (f"warning: 1 order(s) carry times or hold dates outside the years "
                             f"2003–2100 ({oid}): left out, or the hold ignored; import a fresh "
                             "export or release the hold\n")
    assert oid not in {r["order_id"] for r in json.loads(warned.stdout)}


def test_a_stored_hold_date_out_of_range_is_ignored_with_a_warning(run, demo, tmp_path):
    oid = order("paid_hold_until_25")
    store(demo, "UPDATE holds SET until = '0001-01-01' WHERE order_id = ?", [oid])
    result = run(["shipcheck", "--json"])
    assert result.exit_code == 0 and "internal error" not in result.output
    assert f"hold dates outside the years 2003–2100 ({oid}): left out, or the hold ignored" in \
        result.stderr
    sheet = run(["--agent", "倩", "handover", "export", "--format", "md"])
    assert sheet.exit_code == 0 and "missing from the sheet" not in sheet.output


def test_stored_instants_at_the_ends_of_time_break_no_command(run, demo):
    """Rows an older cstool may have stored: every reading command still answers."""
    run(["--agent", "倩", "exception", "log", order("shipped_damaged_reported"), "--kind", "破损",
         "--detail", "碎了"], check=0)
    run(["--agent", "倩", "handover", "add", "-c", "回访", "--buyer", "tb1", "-p", "回电"], check=0)
    for sql in ("UPDATE remarks SET at = '9999-12-31T23:59:59Z' WHERE id % 2 = 0",
                "UPDATE remarks SET at = '0001-01-01T00:00:00Z' WHERE id % 2 = 1",
                "UPDATE handover_items SET created_at = '0001-01-01T00:00:00Z', "
                "due_at = '9999-12-31T20:00:00Z'",
                "UPDATE exceptions SET due_at = '9999-12-31T23:59:59Z'",
                "UPDATE orders SET shipped_at = '0001-01-01T00:00:00Z' WHERE status = 'shipped'",
                "UPDATE orders SET created_at = '9999-12-31T23:59:59Z' WHERE status = 'unpaid'"):
        store(demo, sql)
    for argv in (["orders", "list", "--json"], ["orders", "show", order("paid_80h_overdue")],
                 ["shipcheck"], ["shipcheck", "--morning"], ["chase", "due", "--all"],
                 ["chase", "stats"], ["--now", "2026-11-24 10:30", "remind", "--dry-run"],
                 ["report", "daily"], ["exception", "list"], ["exception", "show", "1"],
                 ["handover", "list"], ["--agent", "倩", "handover", "export", "--format", "md"],
                 ["remark", "lint", "--format", "csv"], ["remark", "list", order("signed")]):
        result = run(argv)
        assert result.exit_code in (0, 1), (argv, result.output)
        assert "internal error" not in result.output and "missing from the sheet" not in \
            result.output, (argv, result.output)
