"""Every command on the demo journal: what it prints and how it exits, as a fixture.

``python tests/snapshot/make_snapshot.py`` (``make snapshot``) runs STEPS in order on a
fresh journal, in a temporary folder, and writes ``expected.json`` beside this file:
for each step its arguments, exit code, standard output and standard error (the
temporary folder and the repository written as ``{tmp}`` and ``{root}``). A sheet
written to a file is recorded by its content: text as it is, an xlsx as its cells.
``tests/test_snapshot.py`` runs the same steps and compares every byte, so a change
of structure that changes what any command prints, or how it exits, fails there.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EXPECTED = HERE / "expected.json"
FIX = "{root}/fixtures"

# (argv, extra environment); the clock, journal and agent are set for every step:
# CSTOOL_NOW at the demo time, CSTOOL_AGENT 倩 (a step may override either).
A = "5118609024991031604"  # unpaid, 40 min, the biggest
HELD = "5118609024991031615"
PACK = "5118609024991031622"
DAMAGED = "5118609024991031638"
STALLED = "5118609024991031635"
SHOW = "5118609024991031611"


def _both(*argv: str, now: str | None = None) -> list[tuple[list[str], dict]]:
    """A listing as a person reads it and as a script does."""
    env = {"CSTOOL_NOW": now} if now else {}
    return [(list(argv), env), ([*argv, "--json"], env)]


STEPS: list[tuple[list[str], dict]] = [
    (["init"], {}),
    (["journal", "path"], {}),
    (["agent", "add", "倩", "--name", "王倩", "--job-no", "1024", "--role", "售前", "--json"], {}),
    (["agent", "add", "郑婷", "--role", "aftersale"], {}),
    (["agent", "add", "小雨", "--role", "presale", "--json"], {}),
    *_both("agent", "list"),
    (["orders", "import", f"{FIX}/taobao_orders_demo.csv", "--json"], {}),
    (["orders", "import", f"{FIX}/taobao_orders_newer.xlsx"], {}),
    (["orders", "import", f"{FIX}/taobao_orders_demo.csv", "--dry-run", "--json"], {}),
    *_both("orders", "list", "--status", "unpaid"),
    (["orders", "list", "--since", "7d", "--format", "csv"], {}),
    (["orders", "list", "--limit", "3", "--format", "tsv"], {}),
    (["orders", "list", "--status", "paid", "--format", "jsonl"], {}),
    *_both("orders", "show", PACK),
    *_both("orders", "show", SHOW),
    (["orders", "show", "404"], {}),
    (["orders", "show", "x" * 40], {}),
    *_both("policy", "presets"),
    (["policy", "use", "manual-000"], {}),
    *_both("policy", "show"),
    (["policy", "show", "chase_windows.phone"], {}),
    (["policy", "show", "handover.shifts", "--json"], {}),
    (["policy", "set", "shop_name", "示范店"], {}),
    (["policy", "set", "ship_deadline_hours", "abc"], {}),
    (["policy", "set", "no_such_key", "1"], {}),
    (["policy", "set", "--shop", "示范旗舰店", "ship_deadline_hours", "48"], {}),
    (["policy", "show", "ship_deadline_hours", "--shop", "示范旗舰店"], {}),
    (["policy", "set", "--shop", "示范旗舰店", "timezone", "Asia/Tokyo"], {}),
    (["policy", "unset", "ship_deadline_hours", "--shop", "示范旗舰店"], {}),
    (["journal", "status", "--json"], {}),
    # remark
    (["remark", "parse", "退货/换货,换37码 2014年8月25日11:43:42 # 倩"], {}),
    (["remark", "parse", "2015.03.09 郑婷已催付", "--json"], {}),
    (["remark", "parse", "申通 倩 8.25\n红旗 客户要求发顺丰 已改快递 2014.8.25 倩", "--json"], {}),
    (["remark", "add", HELD, "--kind", "note", "--reason", "客户要求发顺丰", "--action",
      "已改快递", "--json"], {}),
    (["remark", "add", HELD, "--kind", "hold", "--until", "11.25"], {}),
    (["remark", "add", HELD, "--kind", "地址", "--address", "江苏省 南京市 鼓楼区 中山路100号",
      "--verified-buyer", "tb_paid_yesterday15", "--json"], {}),
    (["remark", "add", HELD, "--kind", "地址", "--address", "江苏省 南京市 鼓楼区 中山路100号"], {}),
    (["remark", "add", PACK, "--kind", "courier", "--courier", "优速", "--dry-run", "--json"], {}),
    (["remark", "add", PACK, "--kind", "rebate", "--promo-price", "108", "--paid-price",
      "128"], {}),
    *_both("remark", "list", HELD),
    (["remark", "lint"], {}),
    (["remark", "lint", "--by", "agent"], {}),
    (["remark", "lint", "--json"], {}),
    (["remark", "lint", "--by", "agent", "--json"], {}),
    (["remark", "lint", "--format", "csv", "--since", "7d"], {}),
    (["remark", "lint", "--format", "jsonl", "--author", "倩"], {}),
    # chase
    *_both("chase", "due", "--limit", "4"),
    (["chase", "due", "--all", "--channel", "电话", "--limit", "3", "--json"], {}),
    (["chase", "due", "--format", "csv", "--reveal"], {}),
    (["chase", "log", A, "--channel", "旺旺", "--reason", "余额不足", "--promise", "明天下午付款"],
     {}),
    (["chase", "log", A, "--channel", "电话", "--json"], {"CSTOOL_AGENT": "郑婷"}),
    (["chase", "log", "5118609024991031605", "--channel", "电话", "--result", "no-answer",
      "--json"], {}),
    (["chase", "log", SHOW, "--channel", "电话"], {}),
    *_both("chase", "stats", "--by", "channel"),
    *_both("chase", "stats"),
    (["chase", "stats", "--by", "agent", "--since", "today", "--format", "csv"], {}),
    *_both("chase", "template", "list"),
    (["chase", "template", "set", "sms", "亲,{item}还没付款哦", "--json"], {}),
    (["chase", "template", "set", "sms", "{nope}"], {}),
    (["chase", "template", "reset", "sms"], {}),
    # shipcheck
    *_both("shipcheck", "--limit", "3"),
    (["shipcheck", "--only", "overdue", "--only", "due_soon", "--check"], {}),
    (["shipcheck", "--only", "stalled", "--format", "csv", "--limit", "0"], {}),
    *_both("shipcheck", "--morning", "--limit", "5"),
    *_both("shipcheck", "pack", PACK),
    (["shipcheck", "pack", HELD, DAMAGED, "--json"], {}),
    (["shipcheck", "pack", HELD, "--reveal"], {}),
    # exception
    *_both("exception", "playbook", "破损"),
    (["exception", "playbook", "--format", "csv"], {}),
    (["exception", "log", DAMAGED, "--kind", "破损", "--detail", "茶具碎了两个,外箱完好",
      "--photo", f"{FIX}/photos/damaged_box.png", "--json"], {}),
    (["exception", "log", STALLED, "--kind", "lost", "--detail", "圆通确认丢件"], {}),
    (["exception", "log", DAMAGED, "--kind", "破损", "--detail", "again"], {}),
    (["exception", "update", "1", "--done", "--note", "外箱完好,碎了两个杯子"],
     {"CSTOOL_NOW": "2026-11-23 15:00"}),
    (["exception", "update", "1", "--photo", f"{FIX}/photos/damaged_item.png", "--json"],
     {"CSTOOL_NOW": "2026-11-23 16:00"}),
    (["exception", "update", "1", "--done", "--resolution", "差额赔偿", "--amount", "30.00"],
     {"CSTOOL_NOW": "2026-11-23 16:10"}),
    (["exception", "update", "1", "--amount", "30.00"], {"CSTOOL_NOW": "2026-11-23 16:10"}),
    *_both("exception", "show", "1", now="2026-11-23 16:10"),
    *_both("exception", "list", "--open"),
    (["exception", "list", "--overdue", "--format", "tsv"], {"CSTOOL_NOW": "2026-11-25 10:00"}),
    *_both("exception", "report", "--by", "courier"),
    (["exception", "report", "--by", "kind", "--since", "30d", "--format", "csv"], {}),
    # handover
    (["handover", "add", "-c", "联系快递", "--order", STALLED, "-p", "物流9天未更新", "-t",
      "联系圆通查件, 回复买家", "--json"], {}),
    (["handover", "add", "-c", "联系售后", "--order", DAMAGED, "-p", "茶具破损, 买家发来照片",
      "-t", "补发一套", "--photo", f"{FIX}/photos/damaged_box.png"],
     {"CSTOOL_NOW": "2026-11-23 21:05"}),
    (["handover", "add", "-c", "回访", "--buyer", "tb_lily", "--phone", "13812345678", "-p",
      "要求退差价", "-t", "明天上午回电", "--json"], {"CSTOOL_NOW": "2026-11-23 21:40"}),
    (["handover", "add", "-c", "联系快递", "-p", "x"], {}),
    *_both("handover", "shifts", now="2026-11-23 23:20"),
    (["handover", "export", "--shift", "night", "-o", "{tmp}/night.xlsx"],
     {"CSTOOL_NOW": "2026-11-23 23:20"}),
    (["handover", "export", "--shift", "night", "--format", "md"],
     {"CSTOOL_NOW": "2026-11-23 23:20"}),
    (["handover", "export", "--shift", "night", "--format", "csv", "-o", "{tmp}/night.csv"],
     {"CSTOOL_NOW": "2026-11-23 23:25"}),
    (["handover", "export", "--shift", "night", "--json"], {"CSTOOL_NOW": "2026-11-23 23:25"}),
    (["handover", "export", "--shift", "night", "-o", "{tmp}/night.xlsx"],
     {"CSTOOL_NOW": "2026-11-23 23:30"}),
    *_both("handover", "list", "--open", now="2026-11-24 09:00"),
    (["handover", "list", "--format", "csv"], {}),
    *_both("handover", "show", "2"),
    (["handover", "ack", "1", "--receipt", "已联系圆通, 今天派送", "--json"],
     {"CSTOOL_NOW": "2026-11-24 09:30", "CSTOOL_AGENT": "郑婷"}),
    (["handover", "ack", "1", "--receipt", "别的"], {"CSTOOL_NOW": "2026-11-24 09:31"}),
    (["handover", "import", "{tmp}/night.csv", "--json"],
     {"CSTOOL_NOW": "2026-11-24 09:40", "CSTOOL_AGENT": "郑婷"}),
    (["handover", "import", "{tmp}/night.xlsx", "--dry-run"], {"CSTOOL_NOW": "2026-11-24 09:40"}),
    # remind (cron) and the daily report
    (["remind", "--dry-run", "--all"], {"CSTOOL_NOW": "2026-11-24 10:30"}),
    (["remind", "--dry-run", "--all", "--json"], {"CSTOOL_NOW": "2026-11-24 10:30"}),
    (["remind", "--dry-run", "--notify", "wecom"], {"CSTOOL_NOW": "2026-11-24 10:30"}),
    (["remind"], {"CSTOOL_NOW": "2026-11-24 10:30"}),
    (["remind"], {"CSTOOL_NOW": "2026-11-24 10:40"}),
    (["remind", "--json"], {"CSTOOL_NOW": "2026-11-24 16:00"}),
    (["remind", "--notify", "dingtalk"], {"CSTOOL_NOW": "2026-11-24 16:00"}),
    (["report", "daily", "--date", "yesterday"], {"CSTOOL_NOW": "2026-11-24 00:10"}),
    (["report", "daily", "--date", "yesterday", "--format", "md"],
     {"CSTOOL_NOW": "2026-11-24 00:10"}),
    (["report", "daily", "--json"], {"CSTOOL_NOW": "2026-11-23 23:50"}),
    (["report", "daily", "--date", "someday"], {}),
    # the rest
    (["orders", "show", DAMAGED, "--json"], {"CSTOOL_NOW": "2026-11-24 10:00"}),
    (["exception", "close", "1", "--outcome", "compensated", "--note", "买家收到赔偿", "--json"],
     {"CSTOOL_NOW": "2026-11-24 10:00"}),
    (["exception", "close", "1", "--outcome", "received"], {"CSTOOL_NOW": "2026-11-24 10:00"}),
    (["exception", "close", "2", "--outcome", "received"], {"CSTOOL_NOW": "2026-11-24 10:00"}),
    (["orders", "show", DAMAGED], {"CSTOOL_NOW": "2026-11-24 10:00"}),
    (["journal", "backup", "{tmp}/backup.db", "--json"], {}),
    (["journal", "status"], {}),
    (["serve", "--check", "--port", "0"], {}),
]


def run_all(tmp: str) -> list[dict]:
    """Run STEPS on a new journal in ``tmp``; what each printed, paths made neutral."""
    from click.testing import CliRunner

    from cstool.cli import cli

    runner = CliRunner()
    base = {"CSTOOL_DB": f"{tmp}/journal.db", "CSTOOL_NOW": "2026-11-23 14:30",
            "CSTOOL_AGENT": "倩", "CSTOOL_LANG": "en", "CSTOOL_WEBHOOK": None,
            "CSTOOL_SECRET": None, "CSTOOL_DEBUG": None, "XDG_DATA_HOME": f"{tmp}/xdg",
            # tables as an agent's 80-column terminal shows them; the locale decides nothing
            "COLUMNS": "80", "LINES": None, "LANG": None, "LC_ALL": None, "LC_MESSAGES": None}
    out = []

    def neutral(text: str) -> str:
        return text.replace(tmp, "{tmp}").replace(str(ROOT), "{root}")

    for argv, env in STEPS:
        args = [a.replace("{tmp}", tmp).replace("{root}", str(ROOT)) for a in argv]
        result = runner.invoke(cli, args, env={**base, **env}, prog_name="cstool")
        step = {"argv": argv, "env": env, "exit": result.exit_code,
                "stdout": neutral(result.stdout), "stderr": neutral(result.stderr)}
        if result.exception and not isinstance(result.exception, SystemExit):
            step["exception"] = repr(result.exception)
        for a in args:
            if a.startswith(tmp) and a.endswith((".xlsx", ".csv")) and os.path.exists(a):
                step["file"] = _content(a)
        out.append(step)
    return out


def _content(path: str):
    if path.endswith(".xlsx"):
        from openpyxl import load_workbook

        wb = load_workbook(path)
        ws = wb.active
        cells = [[c.value for c in row] for row in ws.iter_rows()]
        return {"title": ws.title, "cells": cells,
                "merged": sorted(str(r) for r in ws.merged_cells.ranges),
                "text": sorted(c.coordinate for row in ws.iter_rows() for c in row
                               if c.number_format == "@")}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return fh.read()


def main() -> None:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="cstool-snapshot-") as tmp:
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            steps = run_all(os.path.realpath(tmp))
        finally:
            os.chdir(cwd)
    EXPECTED.write_text(json.dumps(steps, ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
    print(f"wrote {EXPECTED.relative_to(ROOT)}: {len(steps)} steps")


if __name__ == "__main__":
    main()
