"""serve: every page of the web view, fetched over HTTP from `cstool serve` on the benchmark journal.

The time is what a supervisor's reload waits for: the request, the routines'
library over the whole journal, the HTML. Best of 3, after one warm-up load.
Targets: the queues ≤ 1 s; the charts ≤ 2 s (one pass over the orders whose
deadline fell in the 7 days); the remark problems and the daily report do the
work of `cstool remark lint --by agent` and `cstool report daily`, and may take
at most 1.5× those whole commands.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.request

from run import BENCH_NOW, figure

QUEUES = ("/", "/shipping", "/shipping?view=morning", "/chase", "/cases", "/handover",
          "/journal/find_order", "/journal/find_order?buyer=tb_0012", "/journal/import_log")
# page -> the command doing the same work (the period: the 7 days up to the bench day)
LIKE_A_COMMAND = {"/remarks": ("remark", "lint", "--by", "agent", "--since", "2026-11-17"),
                  "/report": ("report", "daily", "--json")}
assert BENCH_NOW.startswith("2026-11-23")


def _get(url: str) -> float:
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:
        r.read()
        assert r.status == 200, (url, r.status)
    return time.perf_counter() - t0


def run(ctx):
    env = {**os.environ, **ctx.env, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(ctx.cs("serve", "--port", "0"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        banner = ""
        for line in proc.stdout:
            banner += line
            if "CSTOOL_NOW" in line:  # the banner's last line, in either language
                break
        m = re.search(r"(http://127\.0\.0\.1:\d+)/", banner)
        if not m:
            raise SystemExit("serve did not start:\n" + banner + proc.stderr.read())
        base = m.group(1)
        out = []

        def page(path: str) -> float:
            _get(base + path)
            return min(_get(base + path) for _ in range(3))

        n = f"{ctx.rows:,} orders"
        for path in QUEUES:
            best = page(path)
            out.append(figure(f"GET {path}", round(best * 1000), "ms", "≤ 1000", best <= 1.0, n))
        best = page("/charts")
        out.append(figure("GET /charts", round(best * 1000), "ms", "≤ 2000", best <= 2.0, n))
        for path, argv in LIKE_A_COMMAND.items():
            best = page(path)
            runs = [ctx.time(ctx.cs(*argv), sample=False) for _ in range(3)]
            if any(r.returncode not in (0, 1) for r in runs):  # lint exits 1 on problems
                raise SystemExit(f"benchmark command failed: {argv}\n{runs[0].stderr}")
            cli = min(r.seconds for r in runs)
            out.append(figure(f"GET {path}", round(best * 1000), "ms", note=n))
            out.append(figure(f"  … / cstool {' '.join(argv[:2])}", round(best / cli, 2), "×",
                              "≤ 1.5", best / cli <= 1.5, f"the command: {round(cli * 1000)} ms"))
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)
