"""The daily commands on their fast paths: orders show, shipcheck and handover export
leave the import machinery, remark's command module, the morning view, the packing
checklist and XlsxWriter unloaded (each compiles patterns or builds tables on import),
and a message's masked reading is what its masked copy reads.
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


def test_a_messages_masked_reading_is_its_masked_copys_reading():
    """Message.read(fn) is map(fn) then shown() (or str()), in either language: nested
    messages, domain words, plain values and literals all go through fn or stay."""
    from cstool.core import i18n
    from cstool.core.i18n import M_
    from cstool.core.mask import mask_text
    from cstool.core.vocab import STATUS

    inner = M_("{duration} left", duration=M_("{hours} h", hours=3))
    msg = (M_("paid {at}", at="13812345678 2026-11-20") + " 地址 北京市朝阳区建国路88号 "
           + M_("{kind} case #{id}, {status}", kind=STATUS.word("paid"), id=7, status=inner))
    for lang in ("zh", "en"):
        with i18n.using(lang):
            assert msg.read(mask_text) == msg.map(mask_text).shown()
            assert msg.read(mask_text, shown=False) == str(msg.map(mask_text))
    assert "13812345678" not in msg.read(mask_text)
