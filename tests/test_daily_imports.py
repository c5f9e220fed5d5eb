"""The daily commands load what they use: orders show, shipcheck and handover export
leave the import machinery, remark's command module, the morning view, the packing
checklist and XlsxWriter unloaded (each compiles patterns or builds tables on import).
"""

from __future__ import annotations

import json
import subprocess
import sys

from cstool.cli import orders as orders_cli
from cstool.cli import remark as remark_cli

HEAVY = ("cstool.orders.importer", "cstool.cli.remark", "cstool.remark.compose",
         "cstool.shipcheck.morning", "cstool.shipcheck.packing", "xlsxwriter")


def loaded(args, env) -> tuple[set, str]:
    code = ("import sys, json\nfrom cstool.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
            "print('LOADED:' + json.dumps(sorted(m for m in sys.modules "
            f"if m in {HEAVY!r} or m.split('.')[0] == 'xlsxwriter')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    last = out.stdout.strip().splitlines()[-1]
    assert last.startswith("LOADED:"), out.stdout + out.stderr
    return set(json.loads(last[len("LOADED:"):])), out.stdout


def _env(tmp_path):
    import os

    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(tmp_path)}


def test_orders_show_loads_neither_the_importer_nor_remarks_commands(run, demo, tmp_path):
    mods, out = loaded(["orders", "show", "5118609024991031622"], _env(tmp_path))
    assert "5118609024991031622" in out  # it did show the order
    assert mods == set()


def test_shipcheck_loads_neither_the_morning_view_nor_the_packing_checklist(run, demo, tmp_path):
    mods, out = loaded(["shipcheck"], _env(tmp_path))
    assert out.count("\n") > 1  # it listed orders
    assert mods == set()
    mods, _ = loaded(["shipcheck", "--morning"], _env(tmp_path))
    assert mods == {"cstool.shipcheck.morning"}


def test_handover_export_writes_xlsx_without_xlsxwriter(run, demo, tmp_path):
    sheet = tmp_path / "s.xlsx"
    mods, _ = loaded(["--agent", "倩", "handover", "export", "-o", str(sheet)], _env(tmp_path))
    assert sheet.exists()
    assert mods == set()


def test_orders_show_says_where_a_remark_came_from_as_remark_list_does():
    assert orders_cli.SOURCES == remark_cli.SOURCES
