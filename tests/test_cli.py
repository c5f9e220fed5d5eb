"""The command line as a whole: help, errors, output formats, privacy, start-up."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import click
import pytest
from conftest import order

from cstool.cli import COMMANDS, cli


def all_commands():
    ctx = click.Context(cli)
    todo = [((name,), cli.get_command(ctx, name)) for name in cli.list_commands(ctx)]
    while todo:
        path, cmd = todo.pop()
        yield path, cmd
        if isinstance(cmd, click.Group):
            todo += [(path + (n,), cmd.get_command(ctx, n)) for n in cmd.list_commands(ctx)]


def test_every_command_is_registered_and_loads():
    ctx = click.Context(cli)
    for name in COMMANDS:
        assert cli.get_command(ctx, name) is not None, name


@pytest.mark.parametrize("path", [p for p, c in all_commands()], ids=" ".join)
def test_every_command_has_help(run, path):
    result = run([*path, "--help"], check=0)
    assert result.output.startswith("Usage: cstool " + " ".join(path))
    cmd = dict(all_commands())[path]
    assert cmd.help and len(cmd.help.strip()) > 20, f"{path} needs a real help text"
    if not isinstance(cmd, click.Group):
        assert "--db" in result.output  # the common options work after the command too


def test_leaf_commands_show_an_example():
    missing = [" ".join(p) for p, c in all_commands()
               if not isinstance(c, click.Group) and "\b" not in (c.help or "")
               and p[-1] not in ("path",)]
    assert missing == []


def test_files_named_in_help_exist_in_the_repo():
    """remark add --help sent people to domain.md, which is not in the repo."""
    import re

    from conftest import ROOT

    # a file the help points at, not one an example writes (> 日报.md, -o x.md)
    named = {(" ".join(p), f) for p, c in all_commands()
             for f in re.findall(r"(?<!> )(?<!-o )(?<![\w./-])[\w./-]+\.md\b", c.help or "")}
    assert ("remark add", "docs/remark.md") in named
    assert [(p, f) for p, f in sorted(named) if not (ROOT / f).is_file()] == []


def test_python_dash_m(tmp_path):
    out = subprocess.run([sys.executable, "-m", "cstool", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.startswith("cstool, version ")


def test_unknown_order_is_one_line_exit_1(run, demo):
    result = run("orders show 123")
    assert result.exit_code == 1
    assert result.output == "Error: no order 123 in the journal (import the shop's export first)\n"


def test_usage_errors_exit_2(run):
    assert run("orders list --limit -1").exit_code == 2
    assert run("orders frobnicate").exit_code == 2
    result = run("orders list --status lost")
    assert result.exit_code == 2 and "unknown order status 'lost'" in result.output


def test_writes_need_a_registered_agent(run, demo):
    result = run(["--agent", "nobody", "orders", "import", "fixtures/taobao_orders_demo.csv"])
    assert result.exit_code == 1
    assert result.output == ("Error: agent 'nobody' is not registered; add it with: "
                             "cstool agent add nobody\n")


def test_agents(run):
    assert run("agent add 倩 --name 王倩 --job-no 1024 --role 售前", check=0).output == "added agent 倩\n"
    assert run("agent add 倩 --role aftersale", check=0).output == "updated agent 倩\n"
    [a] = run.json("agent list --json")
    assert (a["short"], a["name"], a["job_no"], a["role"]) == ("倩", "王倩", "1024", "aftersale")
    assert a["created_at"] == "2026-11-23T14:30:00+08:00"
    assert run("agent add 'two words'").exit_code == 2
    created = run.json("agent add 小雨 --json")
    assert created["short"] == "小雨" and created["created"] is True


def test_orders_list_filters(run, demo):
    unpaid = run.json("orders list --status unpaid --limit 0 --json")
    assert len(unpaid) == 10
    assert {o["status"] for o in unpaid} == {"unpaid"}
    assert unpaid == sorted(unpaid, key=lambda o: o["created_at"], reverse=True)
    assert len(run.json("orders list --status 待付款 --status 交易关闭 --limit 0 --json")) == 13
    today = run.json("orders list --since today --limit 0 --json")
    assert all(o["created_at"] >= "2026-11-23T00:00:00+08:00" for o in today) and today
    mine = run.json(["orders", "list", "--buyer", "tb_paid_80h_overd11", "--json"])
    assert [o["order_id"] for o in mine] == [order("paid_80h_overdue")]
    assert len(run.json("orders list --json")) == 50  # default limit


def test_order_object_keys(run, demo):
    o = run.json(["orders", "show", order("shipped_2days"), "--json"])
    for key in ("order_id", "buyer", "status", "amount", "created_at", "paid_at", "shipped_at",
                "courier", "tracking_no", "seller_memo", "flag", "remarks", "holds"):
        assert key in o
    assert isinstance(o["order_id"], str)


def test_pii_masked_everywhere_unless_revealed(run, demo):
    o = run.json(["orders", "show", order("paid_80h_overdue"), "--json"])
    assert "****" in o["receiver_phone"] and o["receiver_address"].endswith("****")
    assert "*" in o["receiver_name"]
    table = run(["orders", "show", order("paid_80h_overdue")], check=0).output
    revealed = run.json(["orders", "show", order("paid_80h_overdue"), "--json", "--reveal"])
    assert revealed["receiver_phone"] not in table
    assert revealed["receiver_address"] not in table
    assert "*" not in revealed["receiver_phone"]
    rows = list(csv.DictReader(io.StringIO(run("orders list --format csv", check=0).output)))
    assert rows and all(set(r) == {"order_id", "buyer", "status", "amount", "created_at",
                                   "paid_at", "shipped_at", "courier", "tracking_no", "flag",
                                   "seller_memo", "platform", "shop", "ship_by"} for r in rows)


def test_jsonl_and_tsv(run, demo):
    lines = run("orders list --status unpaid --format jsonl", check=0).output.splitlines()
    assert len(lines) == 10
    tsv = run("orders list --status unpaid --format tsv", check=0).output.splitlines()
    assert tsv[0].split("\t")[:3] == ["order_id", "buyer", "status"]


def test_empty_listing_says_so_on_stderr_only(run, demo):
    result = run("orders list --buyer nobody")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "no orders match\n"


def test_startup_imports_only_what_it_needs():
    """`cstool --help` (and so any cron run) must not pay for tables, Excel or sqlite-utils."""
    code = ("import sys\nfrom cstool.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('LOADED:' + ' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('tabulate', 'openpyxl', 'sqlite_utils', 'wcwidth'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Commands:" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "LOADED:"
