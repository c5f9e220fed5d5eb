"""Nothing is lost: crashes during an import, and arbitrary input to the importer."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime

import pytest
from conftest import FIXTURES, ROOT, context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cstool.core.clock import zone
from cstool.core.errors import InputError
from cstool.core.journal import Journal
from cstool.orders import importer
from cstool.remark.flags import KIND, Shop
from cstool.remark.parse import parse

sys.path.insert(0, str(FIXTURES))
sys.path.insert(0, str(ROOT / "bench"))
from exportlib import CLASSIC_HEADER, classic_row, csv_line  # noqa: E402

NOW_DB = "2026-11-23T06:30:00Z"
CSTOOL = [sys.executable, "-m", "cstool"]


def dump(db) -> tuple:
    """The journal's order data (without bookkeeping ids), for comparing two journals."""
    conn = sqlite3.connect(db)
    try:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(orders)") if r[1] != "import_id"]
        orders = conn.execute(f"SELECT {', '.join(cols)} FROM orders ORDER BY order_id").fetchall()
        remarks = conn.execute("SELECT order_id, source, text FROM remarks ORDER BY order_id, text"
                               ).fetchall()
        return orders, remarks
    finally:
        conn.close()


@pytest.fixture(scope="module")
def big_export(tmp_path_factory):
    from gen_orders import generate

    path = tmp_path_factory.mktemp("big") / "orders.csv"
    generate(150_000, str(path), datetime(2026, 11, 23, 15, 0))
    return path


def cs(db, *args, **kw):
    return subprocess.run([*CSTOOL, "--db", str(db), "--now", "2026-11-23 15:00", *args],
                          capture_output=True, text=True, **kw)


def test_kill_9_during_a_large_import_loses_nothing(tmp_path, big_export):
    db = tmp_path / "journal.db"
    assert cs(db, "init").returncode == 0
    assert cs(db, "agent", "add", "倩").returncode == 0
    proc = subprocess.Popen([*CSTOOL, "--db", str(db), "--now", "2026-11-23 15:00", "--agent", "倩",
                             "orders", "import", str(big_export)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    wal = tmp_path / "journal.db-wal"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not wal.exists() or wal.stat().st_size < 4 << 20):
        time.sleep(0.01)
    assert proc.poll() is None, "the import finished before it could be killed; use a bigger file"
    os.killpg(proc.pid, signal.SIGKILL)  # the importer and its forked reader
    proc.wait()

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 0  # all or nothing
    conn.close()
    status = cs(db, "journal", "status", "--json")
    assert status.returncode == 0, status.stderr

    again = cs(db, "--agent", "倩", "orders", "import", str(big_export), "--json")
    assert again.returncode == 0, again.stderr
    clean = tmp_path / "clean.db"
    cs(clean, "init")
    cs(clean, "agent", "add", "倩")
    assert cs(clean, "--agent", "倩", "orders", "import", str(big_export)).returncode == 0
    assert dump(db) == dump(clean)


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie may wait for a reaper that never comes)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux /proc")
def test_the_reader_exits_when_the_import_is_killed(tmp_path, big_export):
    db = tmp_path / "journal.db"
    assert cs(db, "agent", "add", "倩").returncode == 0
    err = tmp_path / "stderr"
    with open(err, "wb") as stderr:
        proc = subprocess.Popen([*CSTOOL, "--db", str(db), "--now", "2026-11-23 15:00", "--agent",
                                 "倩", "orders", "import", str(big_export)],
                                stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not children(proc.pid) and proc.poll() is None:
        time.sleep(0.01)
    [reader] = children(proc.pid)
    time.sleep(0.3)  # the reader is well into the file, the pipe full
    os.kill(proc.pid, signal.SIGKILL)  # the parent only, as `kill -9 $!` does
    proc.wait()
    gone = time.monotonic() + 1.0
    while running(reader) and time.monotonic() < gone:
        time.sleep(0.01)
    alive = running(reader)
    if alive:
        os.kill(reader, signal.SIGKILL)
    assert not alive, "the reader outlived its parent by more than a second"
    assert b"Traceback" not in err.read_bytes()


# --- arbitrary input -----------------------------------------------------------------------

GOOD = [classic_row(order_id=str(5118609024991200000 + n), buyer=f"tb{n}", status="paid",
                    created=datetime(2026, 11, 22, 10, n), paid=datetime(2026, 11, 22, 11, n),
                    memo="25日发货" if n % 2 else "")
        for n in range(4)]
cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
broken_row = st.lists(cell, min_size=0, max_size=len(CLASSIC_HEADER) + 3)


def import_quietly(path, **kw):
    """Import into a fresh journal; return (result or None, orders, imports) after the attempt."""
    db = path.with_suffix(".db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(str(db) + suffix):
            os.unlink(str(db) + suffix)
    j = Journal.open(str(db), create=True)
    try:
        try:
            result = importer.import_files(context(j, NOW_DB, "倩"), [str(path)], parallel=False,
                                           **kw)[0]
        except InputError:
            result = None
        return result, j.scalar("SELECT count(*) FROM orders"), j.scalar("SELECT count(*) FROM imports")
    finally:
        j.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000))
def test_any_bytes_fail_cleanly_or_import(tmp_path, data):
    f = tmp_path / "x.csv"
    f.write_bytes(data)
    result, orders, imports = import_quietly(f)
    if result is None:
        assert (orders, imports) == (0, 0)  # refused: nothing written
    else:
        assert result.inserted == orders and imports == 1


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.one_of(st.sampled_from(GOOD), broken_row), max_size=12),
       encoding=st.sampled_from(["gb18030", "utf-8", "utf-8-sig"]), strict=st.booleans())
def test_broken_rows_never_half_write(tmp_path, rows, encoding, strict):
    f = tmp_path / "x.csv"
    text = csv_line(list(CLASSIC_HEADER)) + "".join(csv_line(r) for r in rows)
    try:
        f.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        f.write_bytes(text.encode("utf-8"))
    result, orders, imports = import_quietly(f, strict=strict)
    good = {r[0] for r in rows if r in GOOD}
    if result is None:
        assert (orders, imports) == (0, 0)
        return
    assert orders == result.inserted <= len(good)
    assert result.rows == result.inserted + result.updated + result.unchanged + len(result.rejected)
    if strict:
        assert result.rejected == []
    # every good row made it in unless the file as a whole could not be read
    assert orders == len(good)


# --- the remark parser on anything an agent might type ------------------------------------

REF = datetime(2026, 11, 23, 14, 30, tzinfo=zone("Asia/Shanghai"))
PIECES = ["红旗", "黄旗", "@@@", "已催付", "顾客", "客户要求", "修改成", "---", "#", "日发货",
          "必须由", "负责处理!", "2026.11.23", "11.25", "25日", "2014年8月25日11:43:42", "倩",
          "郑婷", "顺丰", "申通", "工号1024", "赠品:", "活动价", "实付", "返", "元", ",", "，",
          "：", " ", "\n", "\t", "　"]
remark_text = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=14).map("".join),
)


@settings(max_examples=400, deadline=None)
@given(text=remark_text, flag=st.sampled_from([None, "red", "yellow", "purple"]),
       scheme=st.sampled_from([None, {"red": "presale", "blue": "aftersale", "purple": "brush"},
                               {"red": "problem", "yellow": "ship", "green": "submitted"}]))
def test_parser_never_fails_and_always_answers(text, flag, scheme):
    ctx = Shop(scheme=scheme, agents=frozenset({"倩", "郑婷"}))
    p = parse(text, REF, ctx, flag)
    assert p.kind in KIND.values
    assert isinstance(p.problems, list) and all(isinstance(x, str) for x in p.problems)
    assert p.at is None or p.at.tzinfo is not None
    p.holds(), p.releases(), p.brush()  # the behaviour derived from it never fails either


@settings(max_examples=60, deadline=None)
@given(text=remark_text)
def test_remark_parse_command_on_arbitrary_lines(text):
    from click.testing import CliRunner

    from cstool.cli import cli

    result = CliRunner().invoke(cli, ["--now", "2026-11-23 14:30", "remark", "parse", "-", "--json"],
                                input=text)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
