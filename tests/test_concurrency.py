"""Several agents and cron at the same journal: every write lands, nobody sees "locked"."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime

from conftest import FIXTURES

sys.path.insert(0, str(FIXTURES))
from exportlib import CLASSIC_HEADER, classic_row, csv_line  # noqa: E402

WORKERS, EACH = 8, 6
BASE = 5118609024991300000

# Each worker: wait for the start signal, then run its writes through the real CLI
# entry point, in-process (a subprocess per write would spread the writes out).
WORKER = r"""
import json, os, sys, time
from click.testing import CliRunner
from cstool.cli import cli

db, start, k, each, base = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
agent = f"a{k}"
env = {"CSTOOL_DB": db, "CSTOOL_NOW": "2026-11-23 14:30", "CSTOOL_AGENT": agent}
runner = CliRunner()
while not os.path.exists(start):
    time.sleep(0.001)
results = []
began = time.monotonic()
for j in range(each):
    order = str(base + k * each + j)
    for argv in (["chase", "log", order, "--channel", "旺旺", "--promise", "今晚付款"],
                 ["remark", "add", order, "--kind", "note", "--reason", f"客户要求发顺丰{j}",
                  "--action", "已改快递"],
                 ["handover", "add", "-c", "回访", "--order", order, "-p", f"回电{k}-{j}",
                  "-t", "明天"],
                 ["exception", "update", "1", "--note", f"worker {k} note {j}"]):
        r = runner.invoke(cli, argv, env=env)
        results.append([argv[0], r.exit_code, r.output])
print(json.dumps({"began": began, "ended": time.monotonic(), "results": results},
                 ensure_ascii=False))
"""


def test_eight_processes_writing_at_once_lose_nothing(run, env, tmp_path):
    rows = [classic_row(order_id=str(BASE + n), buyer=f"tb{n}", status="unpaid",
                        created=datetime(2026, 11, 23, 13, 0)) for n in range(WORKERS * EACH)]
    shipped = str(BASE - 1)
    rows.append(classic_row(order_id=shipped, buyer="tb_shipped", status="shipped",
                            created=datetime(2026, 11, 20, 9, 0), paid=datetime(2026, 11, 20, 9, 5),
                            tracking="773000000001", courier="中通快递"))
    export = tmp_path / "unpaid.csv"
    export.write_bytes((csv_line(list(CLASSIC_HEADER)) + "".join(map(csv_line, rows)))
                       .encode("gb18030"))
    for k in range(WORKERS):
        run(["agent", "add", f"a{k}"], check=0)
    run(["--agent", "a0", "orders", "import", str(export)], check=0)
    run(["--agent", "a0", "exception", "log", shipped, "--kind", "延迟", "--detail", "物流停滞"],
        check=0)

    start = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(env), str(start), str(k),
                               str(EACH), str(BASE)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for k in range(WORKERS)]
    time.sleep(1.0)  # let every worker import and wait at the line
    start.touch()
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * WORKERS, [o[1][-500:] for o in outs]
    reports = [json.loads(out) for out, _ in outs]
    # the workers really ran at the same time
    assert max(r["began"] for r in reports) < min(r["ended"] for r in reports)
    results = [r for rep in reports for r in rep["results"]]
    failures = [r for r in results if r[1] != 0]
    assert failures == []
    assert not any("locked" in r[2] or "busy" in r[2] for r in results)

    n = WORKERS * EACH
    db = str(env)
    import sqlite3

    conn = sqlite3.connect(db)
    q = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    assert q("SELECT count(*) FROM chases") == n
    assert q("SELECT count(DISTINCT order_id) FROM chases") == n
    assert q("SELECT count(*) FROM remarks WHERE source = 'cli'") == n
    assert q("SELECT count(*) FROM handover_items WHERE source = 'manual'") == n
    assert q("SELECT count(*) FROM exception_events WHERE exception_id = 1 "
             "AND note LIKE 'worker %'") == n
    assert q("PRAGMA integrity_check") == "ok"
