"""Exit codes are one rule, for every command.

2: the command line itself is wrong (an option missing or ruled out by another, a value
that does not parse or that the shop's rules do not allow, an unknown word), told in
click's usage style. 1: the command line is fine but the work fails (what it names is not
in the journal, the journal's state refuses it, a file is not what it should be), in one
line. Each leaf command has a row: one input mistake and one failure of the work.
"""

from __future__ import annotations

import pytest
from conftest import DEMO_CSV, ROOT, order
from test_every_command import leaf_commands

PAID, UNPAID, SHIPPED = order("paid_80h_overdue"), order("unpaid_40min_big"), \
    order("shipped_damaged_reported")
README = str(ROOT / "README.md")
MISSING = "{tmp}/nowhere/journal.db"  # a work failure any journal-reading command has

# name -> (an input mistake, a failure of the work); None where the command has none
# (it needs no journal and reads no file). argv run with --agent 倩 on the demo journal.
TABLE = {
    "init": (["init", "extra"], ["--db", "{tmp}", "init"]),
    "journal path": (["journal", "path", "extra"], None),
    "journal status": (["journal", "status", "--format", "xml"], ["--db", MISSING, "journal",
                                                                  "status"]),
    "journal backup": (["journal", "backup"], ["journal", "backup", "{db}"]),
    "policy show": (["policy", "show", "no_such_key"], ["--db", MISSING, "policy", "show"]),
    "policy set": (["policy", "set", "ship_deadline_hours", "three days"],
                   ["--db", MISSING, "policy", "set", "ship_deadline_hours", "48"]),
    "policy use": (["policy", "use", "manual-999"], ["--db", MISSING, "policy", "use",
                                                      "manual-000"]),
    "policy unset": (["policy", "unset", "ship_deadline_hours"],
                     ["--db", MISSING, "policy", "unset", "ship_deadline_hours", "--shop", "A"]),
    "policy presets": (["policy", "presets", "--format", "xml"], None),
    "agent add": (["agent", "add", "two words"], ["--db", MISSING, "agent", "add", "小雨"]),
    "agent list": (["agent", "list", "--json", "--format", "xml"], ["--db", MISSING, "agent",
                                                                    "list"]),
    "orders import": (["orders", "import", str(DEMO_CSV), "--format", "generic"],
                      ["orders", "import", README]),
    "orders list": (["orders", "list", "--since", "yesterdy"], ["--db", MISSING, "orders",
                                                                "list"]),
    "orders show": (["orders", "show"], ["orders", "show", "5118609024991039999"]),
    "remind": (["remind", "--all"], ["--db", MISSING, "remind"]),
    "report daily": (["report", "daily", "--date", "someday"], ["--db", MISSING, "report",
                                                                "daily"]),
    "chase due": (["chase", "due", "--channel", "微信"], ["--db", MISSING, "chase", "due"]),
    "chase log": (["chase", "log", UNPAID, "--channel", "旺旺", "--result", "declined",
                   "--promise", "明天"], ["chase", "log", PAID, "--channel", "旺旺"]),
    "chase stats": (["chase", "stats", "--since", "yesterdy"], ["--db", MISSING, "chase",
                                                                "stats"]),
    "chase template list": (["chase", "template", "list", "extra"],
                            ["--db", MISSING, "chase", "template", "list"]),
    "chase template set": (["chase", "template", "set", "sms", "亲 {nick}"],
                           ["--db", MISSING, "chase", "template", "set", "sms", "亲"]),
    "chase template reset": (["chase", "template", "reset", "微信"],
                             ["--db", MISSING, "chase", "template", "reset", "sms"]),
    "shipcheck": (["shipcheck", "--morning", "--only", "overdue"], ["--db", MISSING,
                                                                    "shipcheck"]),
    "shipcheck pack": (["shipcheck", "pack"], ["shipcheck", "pack", "5118609024991039999"]),
    "exception log": (["exception", "log", SHIPPED, "--kind", "破损", "--detail", " "],
                      ["exception", "log", UNPAID, "--kind", "破损", "--detail", "碎了"]),
    "exception update": (["exception", "update", "1", "--amount", "0", "--for", "refund"],
                         ["exception", "update", "9", "--note", "x"]),
    "exception close": (["exception", "close", "1", "--outcome", "丢了"],
                        ["exception", "close", "9", "--outcome", "received"]),
    "exception list": (["exception", "list", "--open", "--closed"], ["--db", MISSING,
                                                                     "exception", "list"]),
    "exception show": (["exception", "show", "abc"], ["exception", "show", "9"]),
    "exception report": (["exception", "report", "--until", "someday"],
                         ["--db", MISSING, "exception", "report"]),
    "exception playbook": (["exception", "playbook", "碎了"], ["--db", MISSING, "exception",
                                                               "playbook"]),
    "handover add": (["handover", "add", "-c", "联系快递", "-p", "物流不动"],
                     ["handover", "add", "-c", "回访", "-p", "回电", "--order", PAID,
                      "--buyer", "tb_someone_else"]),
    "handover list": (["handover", "list", "--date", "someday"], ["--db", MISSING, "handover",
                                                                  "list"]),
    "handover show": (["handover", "show", "abc"], ["handover", "show", "99"]),
    "handover ack": (["handover", "ack", "1", "-r", " "], ["handover", "ack", "99", "-r", "好"]),
    "handover export": (["handover", "export", "-o", "{tmp}/sheet.txt"],
                        ["handover", "export", "-o", "{tmp}/no/such/folder/sheet.xlsx"]),
    "handover import": (["handover", "import"], ["handover", "import", README]),
    "handover shifts": (["handover", "shifts", "--format", "xml"], ["--db", MISSING,
                                                                    "handover", "shifts"]),
    "remark add": (["remark", "add", PAID, "--kind", "note", "--reason", "客户要求发顺丰"],
                   ["remark", "add", "5118609024991039999", "--kind", "note", "--reason", "r",
                    "--action", "a"]),
    "remark parse": (["remark", "parse", "--at", "someday", "x"], None),
    "remark lint": (["remark", "lint", "--since", "yesterdy"], ["--db", MISSING, "remark",
                                                                "lint"]),
    "remark list": (["remark", "list"], ["remark", "list", "5118609024991039999"]),
    "serve": (["serve", "--host", "0.0.0.0", "--check"], ["--db", MISSING, "serve", "--check"]),
}


def test_the_table_covers_every_command():
    assert sorted(TABLE) == leaf_commands()


@pytest.fixture
def case_and_item(run, demo):
    run(["--agent", "倩", "exception", "log", SHIPPED, "--kind", "破损", "--detail", "碎了"],
        check=0)
    run(["--agent", "倩", "handover", "add", "-c", "回访", "--buyer", "tb1", "-p", "回电",
         "-t", "明天"], check=0)
    return demo


def invoke(run, argv, db, tmp_path):
    argv = [a.replace("{tmp}", str(tmp_path)).replace("{db}", str(db)) for a in argv]
    return run(["--agent", "倩", *argv])


@pytest.mark.parametrize("name", sorted(TABLE))
def test_an_input_mistake_exits_2_in_usage_style(run, case_and_item, tmp_path, name):
    result = invoke(run, TABLE[name][0], case_and_item, tmp_path)
    lines = result.output.splitlines()
    assert result.exit_code == 2, (name, result.output)
    assert lines[0].startswith(f"Usage: cstool {name}"), (name, result.output)
    assert lines[-1].startswith("Error: ") and "internal error" not in result.output, name


@pytest.mark.parametrize("name", sorted(n for n, (_, fail) in TABLE.items() if fail))
def test_a_failure_of_the_work_exits_1_in_one_line(run, case_and_item, tmp_path, name):
    result = invoke(run, TABLE[name][1], case_and_item, tmp_path)
    assert result.exit_code == 1, (name, result.output)
    errors = [x for x in result.output.splitlines() if x.startswith("Error: ")]
    assert len(errors) == 1 and "Usage:" not in result.output, (name, result.output)
    assert "internal error" not in result.output and "Traceback" not in result.output, name


def test_the_mistakes_the_issue_names(run, case_and_item):
    """remark add --kind note without --action was 2 while these two were 1."""
    todo = run(["--agent", "倩", "handover", "add", "-c", "联系快递", "--order", PAID, "-p",
                "物流不动"])
    assert todo.exit_code == 2 and todo.output.endswith(
        "Error: 联系快递 (courier) items need the buyer (--buyer, or an --order the journal "
        "knows) and what must be done (--todo): the next shift cannot act without them\n")
    since = run(["orders", "list", "--since", "yesterdy"])
    assert since.exit_code == 2 and since.output.endswith(
        "Error: Invalid value for '--since': 'yesterdy' is not a time; use YYYY-MM-DD[ HH:MM], "
        "today, yesterday, 12h, 7d or 3m (months)\n")
    assert run(["--agent", "倩", "remark", "add", PAID, "--kind", "note", "--reason",
                "x"]).exit_code == 2
