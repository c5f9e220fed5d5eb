"""Shop policy: defaults, validated values, presets that reproduce each manual."""

from __future__ import annotations

import pytest

from cstool.app.policy import Policy
from cstool.core.errors import InputError
from cstool.core.policy import flag_scheme as parse_scheme
from cstool.core.policy import windows as parse_windows


def test_defaults_without_a_journal():
    p = Policy(None)
    assert p["timezone"] == "Asia/Shanghai"
    assert p["ship_deadline_hours"] == 72
    assert p["same_day_cutoff"] == "16:00"
    assert p["unpaid_grace_minutes"] == 5
    assert p["chase_windows.phone"] == ["10:00-12:00", "15:00-17:00"]


def test_show_lists_every_key_with_its_source(run):
    rows = {r["key"]: r for r in run.json("policy show --json")}
    for key in ("timezone", "ship_deadline_hours", "same_day_cutoff", "unpaid_grace_minutes",
                "chase_windows.phone", "chase_windows.wangwang", "chase_windows.sms",
                "flag_scheme"):
        assert key in rows
    assert rows["ship_deadline_hours"] == {**rows["ship_deadline_hours"], "value": 72,
                                           "source": "default"}


def test_set_validates_and_stores(run):
    assert run("policy set ship_deadline_hours 48", check=0).output == "ship_deadline_hours = 48\n"
    assert run("policy show ship_deadline_hours", check=0).output == "48\n"
    run("policy set chase_windows.phone 10:00-12:00，15:00-17:00", check=0)
    assert run.json("policy show chase_windows.phone --json")["value"] == [
        "10:00-12:00", "15:00-17:00"]
    run(["policy", "set", "flag_scheme", "红=售前,蓝=售后,紫=刷单"], check=0)
    assert run.json("policy show flag_scheme --json")["value"] == {
        "red": "presale", "blue": "aftersale", "purple": "brush"}


@pytest.mark.parametrize("key, value, message", [
    ("ship_deadline_hours", "-3", "outside 1–720 hours"),
    ("ship_deadline_hours", "three days", "whole number"),
    ("chase_windows.phone", "10-8", "ends before it starts"),
    ("chase_windows.phone", "morning", "not HH:MM-HH:MM"),
    ("same_day_cutoff", "25:00", "not a time of day"),
    ("flag_scheme", "pink=presale", "unknown flag colour 'pink'"),
    ("flag_scheme", "red=vip", "unknown flag meaning 'vip'"),
    ("timezone", "China/Beijing", "unknown time zone"),
    ("no_such_key", "1", "unknown policy key"),
])
def test_bad_values_are_refused_with_what_is_allowed(run, key, value, message):
    result = run(["policy", "set", key, value])
    assert result.exit_code == 2  # a bad value: a usage error
    assert result.output.startswith("Usage: cstool policy set ")
    assert message in result.output.splitlines()[-1]
    assert [x for x in result.output.splitlines() if x.startswith("Error: ")] == \
        result.output.splitlines()[-1:]
    # nothing stored
    assert all(r["source"] == "default" for r in run.json("policy show --json"))


def test_presets_reproduce_the_manuals(run):
    run("policy use manual-000", check=0)
    assert run.json("policy show chase_windows.phone --json")["value"] == [
        "10:00-12:00", "15:00-17:00"]
    run("policy use manual-002", check=0)
    assert run.json("policy show chase_windows.wangwang --json")["value"] == ["09:00-11:00"]
    assert run.json("policy show chase_windows.phone --json")["value"] == ["12:00-20:30"]
    assert run.json("policy show flag_scheme --json")["value"]["blue"] == "aftersale"
    run("policy use flags-shipping", check=0)
    assert run.json("policy show flag_scheme --json")["value"] == {
        "red": "problem", "yellow": "ship", "green": "submitted", "purple": "return"}
    result = run("policy use manual-999")
    assert result.exit_code == 2 and "unknown preset" in result.output


def test_presets_listing(run):
    names = [r["preset"] for r in run.json("policy presets --json")]
    assert {"manual-000", "manual-002", "manual-003", "flags-team", "flags-shipping"} <= set(names)


def test_policy_set_records_who(run):
    run("--agent 倩 policy set shop_name 示范旗舰店", check=0)
    row = [r for r in run.json("policy show --json") if r["key"] == "shop_name"][0]
    assert row["set_by"] == "倩"
    assert row["set_at"] == "2026-11-23T14:30:00+08:00"


def test_parsers_directly():
    assert parse_windows("9-11 14:00-24:00") == ["09:00-11:00", "14:00-24:00"]
    assert parse_windows("none") == []
    assert parse_scheme("shipping")["yellow"] == "ship"
    with pytest.raises(InputError):
        parse_scheme("red")
