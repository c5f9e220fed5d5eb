"""The reader's language: how it is chosen, click's own words in Chinese, the catalogs.

The suite runs in English (conftest sets CSTOOL_LANG=en); the tests here set or remove
it to see the other sources decide."""

from __future__ import annotations

import fnmatch
import sqlite3
import sys
from configparser import ConfigParser
from pathlib import Path

import pytest

from cstool.core import i18n
from cstool.core.i18n import journal_language, normalise, resolve

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import messages  # noqa: E402


@pytest.fixture
def no_language(monkeypatch):
    """Nothing decides: no CSTOOL_LANG, no locale (the journal's policy may)."""
    for var in ("CSTOOL_LANG", "LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    i18n.reset()


# --- which language -----------------------------------------------------------------------


@pytest.mark.parametrize("given, lang", [
    ("zh", "zh"), ("ZH", "zh"), ("zh_CN.UTF-8", "zh"), ("zh-Hans", "zh"), ("中文", "zh"),
    ("en", "en"), ("en_US.UTF-8", "en"), ("English", "en"), ("英文", "en"),
    ("fr_FR.UTF-8", None), ("C", None), ("C.UTF-8", None), ("POSIX", None), ("", None),
])
def test_a_language_from_what_people_write(given, lang):
    assert normalise(given) == lang


def test_cstool_lang_comes_first(env, run):
    run("policy set language en", check=0)
    assert resolve(str(env), {"CSTOOL_LANG": "zh", "LANG": "en_US.UTF-8"}) == "zh"
    assert resolve(str(env), {"CSTOOL_LANG": "en", "LC_ALL": "zh_CN.UTF-8"}) == "en"


def test_then_the_journals_policy(env, run):
    assert journal_language(str(env)) is None  # a new journal says auto
    run("policy set language zh", check=0)
    assert journal_language(str(env)) == "zh"
    assert resolve(str(env), {"LANG": "en_US.UTF-8"}) == "zh"
    run("policy set language auto", check=0)
    assert resolve(str(env), {"LANG": "en_US.UTF-8"}) == "en"


def test_then_the_locale_lc_all_over_lc_messages_over_lang(env):
    assert resolve(str(env), {"LANG": "en_US.UTF-8"}) == "en"
    assert resolve(str(env), {"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}) == "zh"
    assert resolve(str(env), {"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}) == "en"
    # POSIX: the first one set decides, even when it is neither language
    assert resolve(str(env), {"LANG": "en_US.UTF-8", "LC_ALL": "C.UTF-8"}) == "zh"


def test_else_chinese(env, tmp_path):
    assert resolve(str(env), {}) == "zh"
    assert resolve(str(tmp_path / "none.db"), {"LANG": "fr_FR.UTF-8"}) == "zh"


def test_reading_the_policy_creates_no_journal_and_survives_a_bad_file(tmp_path):
    missing = tmp_path / "missing.db"
    assert journal_language(str(missing)) is None and not missing.exists()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert journal_language(str(junk)) is None
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert journal_language(str(empty)) is None


def test_a_cstool_lang_that_is_no_language_is_said_and_ignored(run, demo, monkeypatch):
    monkeypatch.setenv("CSTOOL_LANG", "fr")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    result = run("orders list --limit 1", check=0)
    assert "warning: CSTOOL_LANG='fr' is neither zh nor en; ignored" in result.stderr
    assert result.stdout.startswith("order_id")


def test_policy_language_is_validated(run):
    result = run("policy set language klingon")
    assert result.exit_code == 2
    assert "'klingon' is not a language; use zh, en or auto" in result.stderr
    run("policy set language 中文", check=0)
    assert run.json("policy show language --json") == {"key": "language", "value": "zh"}


def test_the_policy_language_reaches_the_command_line(run, env, no_language):
    run("policy set language en", check=0)
    assert run("--help", check=0).stdout.startswith("Usage: cstool [OPTIONS]")
    run("policy set language zh", check=0)
    assert run("--help", check=0).stdout.startswith("用法: cstool [选项] 命令 [参数]...")


def test_db_on_the_command_line_is_the_journal_whose_policy_counts(run, env, tmp_path,
                                                                   no_language):
    other = tmp_path / "other.db"
    run(["--db", str(other), "init"], check=0)
    run(["--db", str(other), "policy", "set", "language", "en"], check=0)
    assert "Error: No such command 'nope'." in run(["--db", str(other), "nope"]).stderr
    assert "错误: 没有命令 'nope'。" in run(["nope"]).stderr  # CSTOOL_DB's journal: auto


def test_using_forces_a_language_in_a_block():
    with i18n.using("zh"):
        assert i18n.language() == "zh" and i18n.gettext("Usage:") == "用法:"
        with i18n.using("en"):
            assert i18n.gettext("Usage:") == "Usage:"
        assert i18n.ngettext("Did you mean {possibility}?",
                             "(Did you mean one of: {possibilities}?)", 2).startswith("你是")
    with pytest.raises(ValueError):
        with i18n.using("fr"):
            pass


# --- click's own words ---------------------------------------------------------------------


def zh(run, args, **kw):
    return run(args, env={"CSTOOL_LANG": "zh"}, **kw)


def test_help_in_chinese_has_clicks_words(run):
    out = zh(run, "--help", check=0).stdout
    for words in ("用法: cstool [选项] 命令 [参数]...", "选项:", "命令:", "显示本帮助并退出。",
                  "显示版本并退出。", "日志文件", "环境变量", "淘宝/天猫、拼多多、京东、抖店、有赞店铺的客服工作台"):
        assert words in out
    for english in ("Usage:", "Options:", "Commands:", "Show this message", "env var"):
        assert english not in out


def test_a_commands_help_in_chinese(run):
    out = zh(run, "chase due --help", check=0).stdout
    assert out.startswith("用法: cstool chase due [选项]")
    assert "选项:" in out and "默认: 50" in out and "输出格式。" in out and "显示本帮助并退出。" in out


def test_clicks_errors_in_chinese_and_english(run, demo):
    cases = [
        ("nope", "错误: 没有命令 'nope'。", "Error: No such command 'nope'."),
        ("chase log", "错误: 缺少参数 '订单号'。", "Error: Missing argument 'ORDER'."),
        ("chase log 5118609024991031604", "错误: 缺少选项 '--channel'",
         "Error: Missing option '--channel'"),
        ("chase due --limit x", "错误: '--limit' 的值无效:", "Error: Invalid value for '--limit':"),
        ("chase due --nope", "错误: 没有选项 '--nope'。", "Error: No such option '--nope'."),
        ("chase due --format xml", "错误: '-f' / '--format' 的值无效: 'xml' 不是可选的值",
         "Error: Invalid value for '-f' / '--format': 'xml' is not one of"),
    ]
    for args, chinese, english in cases:
        a = zh(run, args)
        b = run(args)
        assert a.exit_code == b.exit_code == 2, args
        assert chinese in a.stderr and "用 'cstool" in a.stderr and "查看帮助。" in a.stderr, a.stderr
        assert english in b.stderr, b.stderr
        assert "Error" not in a.stderr and "Usage" not in a.stderr and "Try" not in a.stderr


def test_an_error_of_the_work_keeps_exit_1_in_both(run, demo):
    a, b = zh(run, "orders show 404"), run("orders show 404")
    assert a.exit_code == b.exit_code == 1
    assert a.stderr.startswith("错误: ") and b.stderr.startswith("Error: ")


@pytest.mark.parametrize("args", [
    "orders list --status unpaid --json", "chase due --all --json", "shipcheck --json",
    "policy show --json", "remark parse 2015.03.09郑婷已催付 --json", "orders list --format csv",
    "shipcheck --format tsv", "chase due --format jsonl",
])
def test_scripts_formats_do_not_change_with_the_language(run, demo, args):
    a, b = zh(run, args), run(args)
    assert a.exit_code == b.exit_code
    assert a.stdout == b.stdout and a.stdout


def test_one_process_shows_either_language(run):
    for _ in range(2):
        assert "显示本帮助并退出。" in zh(run, "chase due --help", check=0).stdout
        english = run("chase due --help", check=0).stdout
        assert "Show this message and exit." in english and "显示" not in english


def test_every_click_module_is_routed_to_the_catalog():
    import click.shell_completion  # noqa: F401  (imported on demand; routed again)

    from cstool.cli._i18n import _as_written, route_click

    route_click()
    for name, module in list(sys.modules.items()):
        if name == "click.decorators":  # the help option's words: translated when shown
            assert module._ is _as_written
        elif name.startswith("click.") and getattr(module, "_", None) is not None:
            assert module._ is i18n.gettext, name
        if name.startswith("click.") and getattr(module, "ngettext", None) is not None:
            assert module.ngettext is i18n.ngettext, name


def test_chinese_help_fits_the_terminal(run):
    """click wraps help in characters; a Chinese character takes two columns (the test
    runner fixes click's width at 80)."""
    from cstool.cli._i18n import columns

    for args in ("--help", "chase due --help"):
        out = run(args, env={"CSTOOL_LANG": "zh"}, check=0).stdout
        assert max(columns(line) for line in out.splitlines()) <= 80, args


# --- the catalogs ---------------------------------------------------------------------------


def test_the_catalogs_are_up_to_date_and_complete():
    """Every msgid of the code, of click and of the help in scope is in the template and
    in both .po files, translated (not fuzzy), and each .mo is its .po compiled: after
    adding or changing a message, run `make messages` and translate what it lists."""
    assert messages.check() == []


def test_every_message_has_a_chinese_and_an_english_text():
    for lang in messages.LANGUAGES:
        catalog = messages.read(messages.po_path(lang), lang)
        ids = [m.id for m in catalog if m.id]
        assert len(ids) > 80  # click's own words (73) and ours
        for m in catalog:
            if m.id:
                strings = m.string if isinstance(m.string, tuple) else (m.string,)
                assert all(s.strip() for s in strings) and not m.fuzzy, (lang, m.id)


def test_the_check_sees_a_stale_catalog(monkeypatch, tmp_path):
    """The check is not vacuous: a message missing from a .po, and a .mo from another
    .po, are both reported."""
    import shutil

    locale = tmp_path / "locale"
    shutil.copytree(messages.LOCALE, locale)
    monkeypatch.setattr(messages, "LOCALE", locale)
    monkeypatch.setattr(messages, "TEMPLATE", locale / "cstool.pot")
    po = messages.po_path("zh")
    text = po.read_text(encoding="utf-8").replace('msgid "Usage:"\nmsgstr "用法:"\n', "")
    po.write_text(text, encoding="utf-8")
    problems = messages.check()
    assert "zh: 'Usage:' is not in" in " ".join(problems)
    assert any("cstool.mo is not cstool.po compiled" in p for p in problems)


def test_the_compiled_catalogs_ship_in_the_package():
    cfg = ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    patterns = cfg["options.package_data"]["cstool"].split()
    for lang in ("zh", "en"):
        mo = f"locale/{lang}/LC_MESSAGES/cstool.mo"
        assert (ROOT / "cstool" / mo).is_file()
        assert any(fnmatch.fnmatch(mo, p) for p in patterns), patterns


def test_a_missing_catalog_reads_messages_as_written(monkeypatch, tmp_path):
    monkeypatch.setattr(i18n, "LOCALEDIR", str(tmp_path))
    monkeypatch.setattr(i18n, "_catalogs", {})
    with i18n.using("zh"):
        assert i18n.gettext("Usage:") == "Usage:"



def test_a_run_that_prints_no_help_reads_no_catalog(run, demo, monkeypatch):
    """cron's idle remind resolves no language and reads no catalog (start-up)."""
    monkeypatch.delenv("CSTOOL_LANG")
    monkeypatch.setattr(i18n, "_catalogs", {})
    result = run(["--now", "2026-01-01 03:00", "remind"], check=0)
    assert result.stdout == "" and i18n._catalogs == {} and i18n._state["resolved"] is None
    # the help still reads Chinese (the language is the default: no locale here)
    assert "显示本帮助并退出。" in run("remind --help", check=0).stdout


def test_a_message_may_have_a_placeholder_named_parts():
    """``parts`` is a placeholder like any other (Message keeps its own pieces apart)."""
    from cstool.core.i18n import M_, reread, using

    m = M_("money on case {id} so far: {parts}; out {out}, claimed back {claim}", id=3,
           parts="退款 10.00", out="10.00", claim="0.00")
    assert str(m) == "money on case 3 so far: 退款 10.00; out 10.00, claimed back 0.00"
    with using("zh"):  # (reading English back is for a reader of another language)
        back = reread(str(m))
        assert str(back) == str(m)
        assert back.shown() == m.shown() != str(m)
        assert "退款 10.00" in back.shown() and "3" in back.shown()
