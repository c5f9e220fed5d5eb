"""Several shops in one journal, as a new user meets them: each order speaks in its own
shop's name, the shops' files are read whole, and a mistyped shop or spec is refused
plainly (the platforms' real exports: fixtures/platform_exports.py)."""

from __future__ import annotations

import sys

import pytest
from conftest import FIXTURES

sys.path.insert(0, str(FIXTURES))
import platform_exports as px  # noqa: E402

DY_UNPAID = "6938000000000000002"


@pytest.fixture
def files(tmp_path):
    return px.write_all(tmp_path / "exports")


@pytest.fixture
def imp(run, env):
    run(["init"], check=0)
    run(["agent", "add", "倩"], check=0)

    def go(*args, check=0):
        return run(["--agent", "倩", "orders", "import", *map(str, args)], check=check)

    return go


def test_each_order_is_named_by_its_own_shop_not_the_journals(run, imp, files):
    imp(files["taobao_orders"])
    imp(files["douyin"], "--shop", px.DOUYIN_SHOP)
    run(["--agent", "倩", "policy", "set", "shop_name", "总店"], check=0)
    sms = run.json(["chase", "due", "--all", "--channel", "sms", "--shop", px.DOUYIN_SHOP,
                    "--json"])
    assert [r["order_id"] for r in sms] == [DY_UNPAID]
    assert sms[0]["message"].startswith(f"【{px.DOUYIN_SHOP}】")
    assert "总店" not in sms[0]["message"] and "飞鸽" in sms[0]["message"]
    report = run.json(["report", "daily", "--shop", px.DOUYIN_SHOP, "--json"])
    assert report["shop"] == px.DOUYIN_SHOP
    sheet = run(["--agent", "倩", "handover", "export", "--shift", "day", "--shop",
                 px.DOUYIN_SHOP, "-o", "-", "--format", "md"], check=0).output
    assert sheet.startswith(f"## {px.DOUYIN_SHOP} 工作交接记录表")
    # a shop's own display name is set per shop; the journal's names the rest
    run(["--agent", "倩", "policy", "set", "--shop", px.DOUYIN_SHOP, "shop_name", "抖音小店"],
        check=0)
    sms = run.json(["chase", "due", "--all", "--channel", "sms", "--shop", px.DOUYIN_SHOP,
                    "--json"])
    assert sms[0]["message"].startswith("【抖音小店】")
    assert run.json(["report", "daily", "--shop", px.DOUYIN_SHOP, "--json"])["shop"] == "抖音小店"
    assert run.json(["report", "daily", "--json"])["shop"] == "总店"
