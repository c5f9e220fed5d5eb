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


SPEC = {"name": "x", "platform": "jd", "level": "order",
        "fields": {"order_id": ["单号"], "status": ["状态"], "created_at": ["下单时间"]}}


@pytest.mark.parametrize("key, value, says", [
    ("empty_in", {"status": 5}, "empty_in.status must be a list of strings"),
    ("empty", 5, "empty must be a list of strings"),
    ("status", 5, "status must be an object"),
    ("status", {"W": 5}, "status 'W': 5 is not a status word"),
    ("clean", 5, "clean must be an object"),
    ("clean", {"order_id": 5}, "clean.order_id must be a list of strings"),
    ("required", 5, "required must be a list of strings"),
    ("refund", 5, "refund must be an object"),
    ("refund", {"退款中": 5}, "refund '退款中': 5 is not one of"),
    ("fields", 5, "fields must be an object"),
    ("fields", {"order_id": 5}, "fields.order_id must be a list of strings"),
    ("level", 5, "level must be a string"),
])
def test_a_spec_with_a_value_of_the_wrong_type_is_a_usage_error(imp, tmp_path, key, value,
                                                                says):
    import json

    spec = tmp_path / "s.json"
    spec.write_text(json.dumps({**SPEC, key: value}), encoding="utf-8")
    data = tmp_path / "o.csv"
    data.write_text("单号,状态,下单时间\n1,paid,2026-11-23 09:00:00\n", encoding="utf-8")
    out = imp(data, "--spec", spec, check=2).output
    assert f"--spec {spec}: {says}" in out
    assert "internal error" not in out and "Traceback" not in out


def test_a_spec_placeholder_given_as_one_string_is_one_placeholder(run, imp, tmp_path):
    import json

    spec = tmp_path / "s.json"
    spec.write_text(json.dumps({**SPEC, "fields": {**SPEC["fields"], "buyer": ["买家"]},
                                "empty": "null"}), encoding="utf-8")
    data = tmp_path / "o.csv"
    data.write_text("单号,状态,下单时间,买家\n1,paid,2026-11-23 09:00:00,null\n"
                    "2,paid,2026-11-23 09:00:00,n\n", encoding="utf-8")
    imp(data, "--spec", spec)
    buyers = {o["order_id"]: o["buyer"] for o in run.json(["orders", "list", "--json"])}
    assert buyers == {"1": None, "2": "n"}
