"""The same scenarios in Chinese and in English: what each says, that Chinese output has
no English word left in it (what a person types or copies aside), and that what scripts
read (JSON, CSV, TSV, exit codes) is the same byte for byte in either language."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from conftest import order
from langhelp import allowed_words, english_words

ZH = {"CSTOOL_LANG": "zh", "COLUMNS": "80"}
EN = {"CSTOOL_LANG": "en", "COLUMNS": "80"}
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def allowed():
    return allowed_words()


@pytest.fixture
def shop(run, demo):
    """The demo journal with a case, a handover item, a chase and a case's money."""
    run(["--agent", "倩", "exception", "log", order("shipped_damaged_reported"), "--kind", "破损",
         "--detail", "茶具碎了两个,外箱完好"], check=0)
    run(["--agent", "倩", "--now", "2026-11-23 10:00", "handover", "add", "-c", "联系快递",
         "--order", order("shipped_stalled_9days"), "-p", "物流9天未更新", "-t", "联系圆通查件"],
        check=0)
    run(["--agent", "倩", "chase", "log", order("unpaid_small"), "--channel", "电话"], check=0)
    return demo


def both(run, args, **kw):
    return run(args, env=ZH, **kw), run(args, env=EN, **kw)


def no_english(text: str, allowed) -> None:
    assert english_words(text, allowed) == [], text


# --- the same scenario, in each language ---------------------------------------------------


def test_chase_due_in_both_languages(run, shop):
    zh, en = both(run, "chase due --limit 2", check=0)
    assert zh.stdout.splitlines()[0].split()[:4] == ["订单号", "买家", "金额", "未付款时长"]
    assert en.stdout.splitlines()[0].split()[:4] == ["order_id", "buyer", "amount",
                                                     "unpaid_minutes"]
    first_zh, first_en = zh.stdout.splitlines()[2], en.stdout.splitlines()[2]
    assert first_zh.split()[0] == first_en.split()[0] == order("unpaid_40min_big")
    assert "  40分钟  " in first_zh and first_zh.endswith("旺旺")
    assert "  40 min  " in first_en and first_en.endswith("wangwang")


def test_shipcheck_in_both_languages(run, shop):
    zh, en = both(run, "shipcheck --only overdue --limit 1", check=0)
    assert zh.stdout.splitlines()[2].split()[:2] == ["超时", order("paid_80h_overdue")]
    assert zh.stdout.splitlines()[2].endswith("已超时8小时")
    assert zh.stdout.splitlines()[3].strip().startswith("2026-11-20 06:30 付款;72 小时时限已于")
    assert en.stdout.splitlines()[2].split()[:2] == ["overdue", order("paid_80h_overdue")]
    assert en.stdout.splitlines()[2].endswith("8 h late")
    assert en.stdout.splitlines()[3].strip().startswith("paid 2026-11-20 06:30; the 72 h deadline")
    # the detail's durations read as the table's do, not as hours with a decimal
    assert "过去(超时8小时):" in zh.stdout and "(8 h late):" in en.stdout


def test_a_due_soon_detail_reads_hours_and_minutes(run, shop):
    zh, en = both(run, "shipcheck --only due_soon --json", check=0)
    assert zh.stdout == en.stdout
    zh, en = both(run, "shipcheck --only due_soon --wide", check=0)
    assert "(还剩19小时36分)" in zh.stdout and "19.6" not in zh.stdout
    assert "(19 h 36 min left)" in en.stdout


def test_the_morning_views_requests_and_cases_in_both_languages(run, shop):
    zh, en = both(run, "shipcheck --morning", check=0)
    gift = order("paid_gift_and_card")
    zh_lines, en_lines = zh.stdout.splitlines(), en.stdout.splitlines()
    i = next(n for n, x in enumerate(zh_lines) if gift in x)
    assert zh_lines[i].startswith("买家留言 ")
    assert zh_lines[i + 1].strip().startswith("买家留言“") and zh_lines[i + 1].endswith(
        ";没有备注说已办好:打包前处理并备注。")
    j = next(n for n, x in enumerate(en_lines) if gift in x)
    assert en_lines[j].startswith("buyer_message ")
    assert en_lines[j + 1].strip().startswith("the buyer wrote “")
    case = order("shipped_damaged_reported")
    i = next(n for n, x in enumerate(zh_lines) if case in x)
    assert zh_lines[i].startswith("破损 ") and zh_lines[i + 1].strip().startswith(
        "破损异常件 #1,等买家,已开")
    j = next(n for n, x in enumerate(en_lines) if case in x)
    assert en_lines[j].startswith("damaged ") and en_lines[j + 1].strip().startswith(
        "damaged case #1, waiting_buyer, open ")


def test_the_packing_checklist_in_both_languages(run, shop):
    args = f"shipcheck pack {order('paid_gift_and_card')} {order('paid_presale')}"
    zh, en = both(run, args, check=0)
    zh_lines, en_lines = zh.stdout.splitlines(), en.stdout.splitlines()
    assert zh_lines[0].startswith(f"打包核对 · 订单 {order('paid_gift_and_card')} · ")
    assert "  数量            ×2   ◀◀ 数两遍" in zh_lines
    assert "    [ ] 快递:店铺默认;17:00前封箱交接" in zh_lines
    assert "!! 预售:2026-12-01发货,之前不发" in zh_lines
    assert en_lines[0].startswith(f"packing checklist · order {order('paid_gift_and_card')} · ")
    assert "    [ ] courier: the shop default; sealed and handed over by 17:00" in en_lines
    assert "!! presale: ships 2026-12-01, not before" in en_lines


REBATE = "'返现 活动价100 实付120 应返30'"


def test_remark_problems_in_both_languages(run, shop, allowed):
    zh, en = both(run, f"remark parse {REBATE}", check=0)
    assert "没有时间, 没有备注人, 应返30.00不等于实付120.00 − 活动价100.00" in zh.stdout
    assert "no time (时间), no author (备注人), amount to return 30.00 is not" in en.stdout
    zh, en = both(run, "remark lint --limit 0", check=1)  # exit 1: there are problems
    no_english(zh.stdout + zh.stderr, allowed)
    held = order("paid_hold_until_21_due")
    assert any(held in x and "挂起日2026-11-21已过,订单还没" in x for x in zh.stdout.splitlines())
    assert any(held in x and "hold date 2026-11-21 has" in x for x in en.stdout.splitlines())


def test_a_cases_timeline_in_both_languages(run, shop, allowed):
    from conftest import FIXTURES

    photos = FIXTURES / "photos"
    run(["--agent", "倩", "exception", "update", "1", "--photo", str(photos / "damaged_box.png"),
         "--photo", str(photos / "damaged_item.png"), "--amount", "12", "--for", "compensation"],
        check=0)
    zh, en = both(run, "exception show 1", check=0)
    timeline = zh.stdout.split("时间线:")[1]
    for text in ("登记      破损:茶具碎了两个", "运费承担  我方承担重发运费 — 按处理手册默认",
                 "— 已有2张照片", "金额      赔偿 12.00"):
        assert text in timeline, text
    timeline = en.stdout.split("timeline:")[1]
    for text in ("opened         damaged (破损): 茶具碎了两个", "freight_payer  shop pays the reship freight",
                 "— 2 photo(s) on file", "money          compensation 12.00"):
        assert text in timeline, text
    no_english(zh.stdout.split("时间线:")[1], allowed)
    zh, en = both(run, "exception show 1 --json")
    assert zh.stdout == en.stdout


def test_a_confirmation_and_an_error_in_both_languages(run, shop):
    zh = run(["--agent", "倩", "handover", "ack", "1", "--receipt", "已联系"], env=ZH, check=0)
    assert zh.stdout.startswith("事项 1: 回执人 倩,时间 ")
    en = run(["--agent", "倩", "chase", "log", order("unpaid_4min59"), "--channel", "sms"], env=EN,
             check=0)
    assert en.stdout.startswith(f"logged chase 2 on {order('unpaid_4min59')} (短信, first chase)")
    zh, en = both(run, "orders show 404")
    assert zh.exit_code == en.exit_code == 1
    assert zh.stderr == "错误: 日志里没有订单 404(请先导入店铺的导出)\n"
    assert en.stderr == "Error: no order 404 in the journal (import the shop's export first)\n"


def test_a_robot_message_reads_as_one_language(run, shop):
    zh, en = both(run, "--now '2026-11-24 10:30' remind --dry-run", check=0)
    for out, title, chase, nxt in ((zh.stdout, "cstool 提醒 2026-11-24 10:30", "[催付] ", "下一步: "),
                                   (en.stdout, "cstool reminders 2026-11-24 10:30", "[Chase] ",
                                    "Next: ")):
        lines = out.splitlines()
        assert lines[0] == title and lines[-1].startswith(nxt + "cstool chase due")
        big = next(x for x in lines if order("unpaid_40min_big") in x)
        assert big.startswith(chase) and "¥499.00" in big
        # the buyer's account masked, never whole
        assert "tb***04" in big and "tb_unpaid_40min_b04" not in out
    big_en = next(x for x in en.stdout.splitlines() if order("unpaid_40min_big") in x)
    assert big_en.endswith("unpaid for 20 h 40 min, chase by wangwang now") and \
        not CJK.search(big_en)
    big_zh = next(x for x in zh.stdout.splitlines() if order("unpaid_40min_big") in x)
    assert big_zh.endswith("未付款20小时40分,现在用旺旺催付")


def test_the_daily_report_in_both_languages(run, shop):
    zh, en = both(run, "report daily --format md", check=0)
    assert zh.stdout.startswith("# 日报 2026-11-23") and "## 催付 · 按客服" in zh.stdout
    assert en.stdout.startswith("# Daily report 2026-11-23") and "## Chases by agent" in en.stdout


# --- what scripts read is the same --------------------------------------------------------

SCRIPTED = [
    "chase due --all --json", "chase due --format csv", "shipcheck --json",
    "shipcheck --format tsv", "shipcheck --morning --json", "exception list --json",
    "exception show 1 --json", "exception report --json", "exception playbook --json",
    "handover list --json", "handover shifts --json",
    "--agent 倩 handover export --format json", "orders list --json", "orders list --format csv",
    f"orders show {order('paid_gift_and_card')} --json", "policy show --json",
    "policy presets --json", "agent list --json", "chase stats --by agent --json",
    "chase template list --json", f"remark list {order('paid_hold_until_25')} --json",
    "remark lint --format jsonl",
    f"shipcheck pack {order('paid_gift_and_card')} {order('paid_presale')} --json", "report daily --json", "journal status --json",
    "--now '2026-11-24 10:30' remind --dry-run --all --json", "remark parse 2015.03.09郑婷已催付 --json",
    f"remark parse {REBATE} --json",
]


@pytest.mark.parametrize("args", SCRIPTED)
def test_json_csv_and_exit_codes_are_byte_identical_in_both_languages(run, shop, args):
    zh, en = both(run, args)
    assert zh.exit_code == en.exit_code
    assert zh.stdout == en.stdout and zh.stdout


@pytest.mark.parametrize("args, code", [
    ("nope", 2), ("chase due --limit x", 2), ("exception list --kind nope", 2),
    ("chase log", 2), ("orders show 404", 1), ("exception show 99", 1), ("remark lint", 1),
])
def test_exit_codes_do_not_change_with_the_language(run, shop, args, code):
    zh, en = both(run, args)
    assert zh.exit_code == en.exit_code == code


# --- no English word in Chinese -------------------------------------------------------------


def commands():
    import click

    from cstool.cli import cli

    out = []

    def walk(cmd, path, ctx):
        out.append(path)
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                walk(sub, [*path, name], click.Context(sub, parent=ctx, info_name=name))

    walk(cli, [], click.Context(cli, info_name="cstool"))
    return out


def test_every_commands_help_is_chinese(run, allowed):
    for path in commands():
        result = run([*path, "--help"], env=ZH, check=0)
        assert result.stdout.startswith("用法: cstool"), path
        no_english(result.stdout, allowed)


@pytest.mark.parametrize("args", [
    "nope", "chase due --limit -1", "chase due --nope", "chase due --format xml",
    "exception list --kind nope", "chase log", "exception log 1", "policy set language klingon",
    "orders show 404", "remind --all", "exception list --open --closed",
    "exception update 1", "handover export --format xlsx -o -",
    # the routines' own errors (raised inside cases, chase, handover, remark, policy, import)
    "--agent 倩 exception update 1 --courier sf", "exception show x",
    "--agent 倩 exception update 99 --note x",
    f"--agent 倩 chase log {order('paid_gift_and_card')} --channel phone",
    "--agent nobody handover ack 1 --receipt ok", "--agent 倩 handover ack 99 --receipt ok",
    f"--agent 倩 remark add {order('paid_presale')} --kind note",
    f"--agent 倩 remark add {order('paid_presale')} --kind hold --until 2020-01-01",
    "policy set timezone Mars/Base", "--agent 倩 orders import /nonexistent.csv",
])
def test_errors_are_chinese(run, shop, allowed, args):
    result = run(args, env=ZH)
    assert result.exit_code in (1, 2) and result.stderr
    assert "错误: " in result.stderr
    no_english(result.stderr, allowed | set(args.split()))  # the words typed come back


@pytest.mark.parametrize("args", [
    "chase due --all", "shipcheck", "shipcheck --morning", "handover list",
    f"shipcheck pack {order('paid_gift_and_card')} {order('paid_presale')}", "exception list", "orders list",
    "agent list", "chase stats --by agent", "chase template list", "policy show",
    "policy presets", "handover shifts", "report daily", "--now '2026-11-24 10:30' remind --dry-run",
    "--now '2026-11-24 10:30' remind --dry-run --all",
])
def test_tables_reminders_and_reports_are_chinese(run, shop, allowed, args):
    result = run(args, env=ZH, check=0)
    assert result.stdout and CJK.search(result.stdout)
    no_english(result.stdout + result.stderr, allowed)


def test_the_check_finds_english(allowed):
    """The check is not vacuous: a sentence left in English is found; identifiers and
    the words people type are not."""
    assert english_words("已超时 the parcel is late", allowed) == ["the", "parcel", "is", "late"]
    assert english_words("订单 5118609024991031604 tb_lily --kind damaged 用 wangwang "
                         "https://oapi.dingtalk.com/robot/send JSON", allowed) == []


# --- help keeps its shape ----------------------------------------------------------------


def test_help_examples_keep_their_lines_in_chinese(run):
    """An example block (click's \\b paragraph) is one command a line in Chinese as in
    English: the comment after ``#`` is translated, the command is not rewrapped."""
    seen = 0
    for path in commands():
        en = run([*path, "--help"], env=EN, check=0).stdout
        zh = run([*path, "--help"], env=ZH, check=0).stdout
        zh_lines = [x.split("#")[0].rstrip() for x in zh.splitlines()]
        for line in en.split("\nOptions:")[0].splitlines():
            if line.startswith("    cstool "):
                seen += 1
                assert line.split("#")[0].rstrip() in zh_lines, (path, line)
    assert seen > 20  # the examples of cstool, shipcheck, remind, handover export …
    zh = run(["--help"], env=ZH, check=0).stdout.splitlines()
    start = zh.index("  开始:")
    assert zh[start + 1:start + 5] == ["    cstool init",
                                       "    cstool agent add 倩 --name 王倩 --role presale",
                                       "    cstool orders import ExportOrderList.csv --agent 倩",
                                       "    cstool orders list --status unpaid"]


def test_every_translation_keeps_its_unwrapped_paragraphs():
    """click keeps a paragraph after a line of ``\\b`` as written: a translation that
    drops the marker has its examples run together into one paragraph."""
    from babel.messages.pofile import read_po

    from cstool.core.i18n import LOCALEDIR

    for lang in ("zh", "en"):
        with open(f"{LOCALEDIR}/{lang}/LC_MESSAGES/cstool.po", "rb") as fh:
            catalog = read_po(fh)
        for m in catalog:
            ids = m.id if isinstance(m.id, str) else m.id[0]
            text = m.string if isinstance(m.string, str) else m.string[0]
            if ids and text:
                assert text.count("\b") == ids.count("\b"), (lang, ids[:60])


# --- the routines' errors and the import's rejections -------------------------------------


def test_a_routines_error_in_both_languages(run, shop):
    paid = order("paid_gift_and_card")
    zh, en = both(run, f"--agent 倩 chase log {paid} --channel phone")
    assert zh.exit_code == en.exit_code == 1
    assert zh.stderr == f"错误: 订单 {paid} 已付款(状态 paid);无需催付\n"
    assert en.stderr == f"Error: order {paid} is already paid (status paid); nothing to chase\n"
    zh, en = both(run, "--agent 倩 exception update 1 --courier sf")
    assert zh.exit_code == en.exit_code == 2
    assert "错误: --courier 要和 --tracking 一起给(新包裹的快递)" in zh.stderr
    assert "Error: --courier goes with --tracking (the courier of the new parcel)" in en.stderr


def _bad_rows(tmp_path, n=3):
    import sys

    from conftest import FIXTURES

    sys.path.insert(0, str(FIXTURES))
    from datetime import datetime

    from exportlib import CLASSIC_HEADER, classic_row, csv_line

    rows = [classic_row(order_id=str(5118609024991200000 + i), buyer=f"tb{i}", status="paid",
                        created=datetime(2026, 11, 22, 10, 0), paid=datetime(2026, 11, 22, 10, 5))
            for i in range(n)]
    rows[1] = classic_row(order_id="5118609024991200001", buyer="tb1", status="paid",
                          status_text="???",
                          created=datetime(2026, 11, 22, 10, 0))
    path = tmp_path / "bad.csv"
    with open(path, "w", encoding="gb18030", newline="") as fh:
        fh.write(csv_line(list(CLASSIC_HEADER)))
        for r in rows:
            fh.write(csv_line(r))
    return path


def test_an_imports_rejected_rows_in_both_languages(run, shop, tmp_path, allowed):
    path = _bad_rows(tmp_path)
    zh = run(["--agent", "倩", "orders", "import", str(path), "--dry-run"], env=ZH, check=0)
    en = run(["--agent", "倩", "orders", "import", str(path), "--dry-run"], env=EN, check=0)
    assert "将导入 3 行:新增 2,更新 0,未变 0,拒收 1" in zh.stdout
    assert "  第 3 行:未知的订单状态 '???':用 --status-map '???=STATUS' 映射" in zh.stderr
    assert "would import 3 rows: 2 new, 0 updated, 0 unchanged, 1 rejected" in en.stdout
    assert "  line 3: unknown order status '???': map it with --status-map" in en.stderr
    no_english(zh.stdout + zh.stderr, allowed | {"STATUS", path.name, "bad"})
    # what scripts read keeps the English reason, whatever the language
    zh, en = both(run, ["--agent", "倩", "orders", "import", str(path), "--dry-run", "--json"])
    assert zh.stdout == en.stdout
    assert '"error": "unknown order status \'???\': map it with --status-map' in zh.stdout
    zh, en = both(run, ["--agent", "倩", "orders", "import", str(path), "--strict"])
    assert zh.exit_code == en.exit_code == 1
    assert "1 行被拒收(--strict),什么也没导入;第一处:第 3 行:未知的订单状态" in zh.stderr
    assert "1 row(s) rejected (--strict), nothing imported; first: line 3: unknown" in en.stderr


def test_a_rejection_read_in_a_forked_reader_reads_in_either_language(tmp_path):
    """Big files are read in another process: its rejections cross a pipe and still read
    in the reader's language, English in JSON."""
    from conftest import context

    from cstool.core import i18n
    from cstool.core.journal import Journal
    from cstool.orders import importer

    path = _bad_rows(tmp_path, 300)
    out = {}
    for parallel in (False, True):
        j = Journal.open(str(tmp_path / f"{parallel}.db"), create=True)
        try:
            with i18n.using("zh"):
                r = importer.import_files(context(j, "2026-11-23T06:30:00Z", agent="倩"),
                                          [str(path)], parallel=parallel)[0]
                out[parallel] = [(x["row"], str(x["error"]), i18n.shown(x["error"]))
                                 for x in r.rejected]
        finally:
            j.close()
    assert out[True] == out[False]
    (row, english, chinese), = out[True]
    assert row == 3 and english.startswith("unknown order status '???'")
    assert chinese.startswith("未知的订单状态 '???'")


# --- exception show, remark add / parse / list -------------------------------------------


def test_exception_show_reads_whole_in_both_languages(run, shop, allowed):
    zh, en = both(run, "exception show 1", check=0)
    for text in ("重发快递", "退货运费承担方", "更新人", "结案人", "订单状态        已发货",
                 "照片文件        (无)", "\n步骤:\n"):
        assert text in zh.stdout, text
    steps = zh.stdout.split("\n步骤:\n")[1].split("时间线:")[0]
    assert "下一步" in steps and "待办" in steps and "to do" not in steps
    # a step's key is what `exception update --step KEY` takes: typed, so kept
    keys = {s["step"] for s in run.json("exception show 1 --json")["steps"]}
    no_english(zh.stdout, allowed | keys)
    assert "reship_courier" in en.stdout and "\nsteps:\n" in en.stdout
    steps = en.stdout.split("\nsteps:\n")[1].split("timeline:")[0]
    assert " next " in steps and " to do " in steps
    assert "order_status          shipped" in en.stdout


def test_a_cases_photos_read_in_both_languages(run, shop, allowed):
    from conftest import FIXTURES

    run(["--agent", "倩", "exception", "update", "1", "--photo",
         str(FIXTURES / "photos" / "damaged_box.png")], check=0)
    zh, en = both(run, "exception show 1", check=0)
    photos = zh.stdout.split("照片文件:")[1].split("\n\n")[0]
    assert "完好" in photos and " ok" not in photos
    keys = {s["step"] for s in run.json("exception show 1 --json")["steps"]}
    no_english(zh.stdout, allowed | keys | {"png", "image"})
    assert " ok" in en.stdout.split("photo_files:")[1].split("\n\n")[0]


def test_remark_adds_warning_and_parses_header_in_both_languages(run, shop, allowed):
    run("policy set remark.memo_max_bytes 60", check=0)
    args = ["--agent", "倩", "remark", "add", order("paid_hold_until_25"), "--kind", "note",
            "--reason", "买家要求改色", "--action", "已改为红色", "--dry-run"]
    zh, en = run(args, env=ZH, check=0), run(args, env=EN, check=0)
    memo = len(run.json(f"orders show {order('paid_hold_until_25')} --json")["seller_memo"]
               .encode())
    assert memo + 1 + len("红旗 买家要求改色 已改为红色 2026.11.23 倩".encode()) > 60  # the setting
    assert "警告: 加上订单原有的备注,平台备注将有" in zh.stderr and "超过上限 60" in zh.stderr
    assert "warning: with the order's memo the platform's memo becomes" in en.stderr
    assert "粘贴时插红旗(旗帜代码 1)" in zh.stdout
    no_english(zh.stdout + zh.stderr, allowed)
    zh, en = both(run, ["remark", "parse", "红旗 买家要求改色"], check=0)
    assert "\n旗帜代码  1\n" in zh.stdout and "flag_code" not in zh.stdout
    assert "\nflag_code  1\n" in en.stdout
    no_english(zh.stdout, allowed)


def test_remark_problems_kept_in_the_journal_read_in_both_languages(run, shop, allowed):
    """Problems are stored as English (JSON reads them so); a table reads them in the
    reader's language, the same words `remark parse` says."""
    oid = next(r["order_id"] for r in run.json("remark lint --format json", check=1)
               if r["problem"] == "no time (时间)")
    zh, en = both(run, f"remark list {oid}", check=0)
    assert "没有时间" in zh.stdout and "no time" not in zh.stdout
    assert "no time (时间)" in en.stdout
    no_english(zh.stdout, allowed)
    zh, en = both(run, f"remark list {oid} --json", check=0)
    assert zh.stdout == en.stdout and '"no time (时间)"' in zh.stdout


def test_remark_list_says_where_each_remark_came_from_in_the_readers_language(run, shop):
    oid = order("paid_hold_until_25")  # a memo from the export, then one typed in cstool
    run(["--agent", "倩", "remark", "add", oid, "--kind", "note", "--reason", "买家要求改色",
         "--action", "已改为红色"],
        check=0)
    zh, en = both(run, f"remark list {oid} --wide", check=0)
    assert "导出的备注" in zh.stdout and "cstool 录入" in zh.stdout
    assert not {"cli", "platform"} & set(zh.stdout.split())
    assert "the export's memo" in en.stdout and "written in cstool" in en.stdout
    sources = {r["source"] for r in run.json(f"remark list {oid} --json", env=ZH)}
    assert sources == {"platform", "cli"}  # JSON keeps the stored word


def test_english_read_back_is_the_message_it_was(shop):
    """Every problem the parser finds in the demo's memos, stored as English and read
    back, says in Chinese what the parser said: no message is taken for another."""
    import sqlite3
    from datetime import datetime, timezone

    from cstool.core import i18n
    from cstool.remark.parse import parse

    texts = [r[0] for r in sqlite3.connect(shop).execute("SELECT text FROM remarks")]
    texts += ["返现 活动价100 实付120 应返30", "2015.13.45 郑婷已催付", "红旗 hello"]
    seen = 0
    with i18n.using("zh"):
        for text in texts:
            for problem in parse(text, datetime(2026, 11, 23, tzinfo=timezone.utc)).problems:
                again = i18n.reread(str(problem))
                assert str(again) == str(problem)
                assert i18n.shown(again) == problem.shown() != str(problem)
                seen += 1
    assert seen > 10


# --- the handover sheet's own rows ---------------------------------------------------------


def test_the_handover_sheets_shipping_rows_follow_the_language(run, shop, tmp_path, allowed):
    late = order("paid_80h_overdue")
    zh, en = both(run, "--agent 倩 handover export --format md", check=0)
    row = next(x for x in zh.stdout.splitlines() if late in x)
    assert "| 超过72小时未发货,已超时8小时 | 联系物流部立即发货,并告知买家 |" in row
    row = next(x for x in en.stdout.splitlines() if late in x)
    assert "| not shipped within 72 h: 8 h late | have the shipping side ship it now, and tell " \
           "the buyer |" in row
    assert "8.0" not in zh.stdout + en.stdout
    import openpyxl

    for lang, env in (("zh", ZH), ("en", EN)):
        path = tmp_path / f"{lang}.xlsx"
        run(["--agent", "倩", "handover", "export", "-o", str(path)], env=env, check=0)
        cells = [c for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)
                 if late in [str(x) for x in r] for c in r if isinstance(c, str)]
        assert ("超过72小时未发货,已超时8小时" if lang == "zh" else
                "not shipped within 72 h: 8 h late") in cells
    # the CSV sheet (opened in Excel by the next shift, Chinese headers) reads as the xlsx
    zh, en = both(run, "--agent 倩 handover export --format csv", check=0)
    row = next(x for x in zh.stdout.splitlines() if late in x)
    assert "超过72小时未发货,已超时8小时" in row and "not shipped" not in row
    assert "not shipped within 72 h: 8 h late" in next(
        x for x in en.stdout.splitlines() if late in x)
    # kept in the journal as English, read back in the reader's language
    zh, en = both(run, "handover list --wide", check=0)
    assert "超过72小时未发货,已超时8小时" in zh.stdout and "not shipped" not in zh.stdout
    assert "not shipped within 72 h: 8 h late" in en.stdout
    no_english(zh.stdout, allowed)
    zh, en = both(run, "--now '2026-11-24 10:30' remind --dry-run --all", check=0)
    reminder = next(x for x in zh.stdout.splitlines() if late in x and x.startswith("[交接]"))
    assert "超过72小时未发货,已超时" in reminder and "→ 联系物流部立即发货" in reminder
    no_english(zh.stdout, allowed)
    assert any(late in x and "not shipped within 72 h" in x for x in en.stdout.splitlines())


# --- the web view ------------------------------------------------------------------------


def _page_text(page) -> str:
    out = [page.title, page.intro or "", *page.notes, *(t.label for t in page.tiles),
           *(label for label, _href in page.links)]
    for s in page.sections:
        out += [s.title, s.note or "", s.empty if s.table is None and not s.chart else ""]
        if s.table:
            out += [h for h in s.table.headers]
            out += [c.text for row in s.table.rows for c in row if c.cls == "key"]
    return "\n".join(out)


@contextmanager
def page_context(journal_path):
    """A web page's context over the journal at ``journal_path``, at the demo's now (what
    a request of `cstool serve` is given), the journal closed after."""
    from conftest import DEMO_NOW

    from cstool.app.policy import Policy
    from cstool.core.clock import Clock
    from cstool.core.journal import Journal
    from cstool.web import pages

    journal = Journal.open(str(journal_path))
    try:
        policy = Policy(journal)
        yield pages.context(journal, Clock(policy.get("timezone"), DEMO_NOW), policy, {})
    finally:
        journal.close()


def test_the_web_views_pages_in_both_languages(shop, allowed):
    """Every page's titles, intros, tiles, section titles and column labels: Chinese
    with no English word left, English in English (the rows are the routines' words)."""
    from cstool.core import i18n
    from cstool.web import pages

    texts = {}
    with page_context(shop) as ctx:
        for lang in ("zh", "en"):
            with i18n.using(lang):
                texts[lang] = {path: _page_text(fn(ctx)) for path, fn in pages.PAGES.items()}
                texts[lang]["/cases/1"] = _page_text(pages.case(ctx, "1"))
                texts[lang]["/orders"] = _page_text(pages.order(ctx, order("paid_gift_and_card")))
                ctx.args = {"view": "morning"}
                texts[lang]["morning"] = _page_text(pages.shipping(ctx))
                ctx.args = {}
    zh, en = texts["zh"], texts["en"]
    assert zh["/"].startswith("概览\n现在 ") and en["/"].startswith("Overview\nNow ")
    assert "超时未发" in zh["/"] and "overdue" in en["/"]
    assert zh["/cases/1"].startswith("异常件 #1 · 破损") and "步骤" in zh["/cases/1"]
    assert en["/cases/1"].startswith("Case #1 · 破损") and "Steps" in en["/cases/1"]
    assert "1. 昨天及以前付款未发(先发这些)" in zh["morning"]
    assert "1. Paid before today, not shipped (ship these first)" in en["morning"]
    assert "\n买家\n状态\n" in zh["/orders"] and "\nbuyer\nstatus\n" in en["/orders"]
    for path, text in zh.items():
        assert english_words(text, allowed | {"lint"}) == [], (path, text)  # lint: typed


def served(journal, *paths) -> dict[str, list[str]]:
    """The web view's pages at ``paths``, as ``cstool serve`` answers them when started in
    each language (language → the pages' HTML)."""
    import asyncio

    pytest.importorskip("datasette", reason="the web extra is not installed")
    from cstool.core import i18n
    from cstool.web.app import Settings, build

    async def get(ds):
        return [(await ds.client.get(p)).text for p in paths]

    html = {}
    try:
        for lang in ("zh", "en"):
            i18n.set_language(lang)  # what `cstool serve` does at start-up
            html[lang] = asyncio.run(get(build(Settings(path=str(journal),
                                                        now_text="2026-11-23 14:30"))))
    finally:
        i18n.reset()
    return html


def test_the_web_views_html_in_both_languages(run, shop, allowed):
    """Served: the menu, the page's title, our template's words and the canned queries'
    titles and labels in the language the view was started in."""
    import re as re_

    html = served(shop, "/", "/journal/find_order", "/journal/orders")
    (home, find, refused), (home_en, find_en, refused_en) = html["zh"], html["en"]
    assert "<h1>概览</h1>" in home and "<h1>Overview</h1>" in home_en
    menu = re_.search(r'<nav class="cstool-menu">(.*?)</nav>', home).group(1)
    assert ">发货</a>" in menu and ">找订单</a>" in menu
    no_english(re_.sub(r"<[^>]+>", " ", menu), allowed)
    assert ">Shipping</a>" in home_en and ">Find an order</a>" in home_en
    assert "<label>日期 <input" in home and 'value="查看"' in home
    assert "<label>date <input" in home_en and 'value="Show"' in home_en
    assert "<h1>找订单</h1>" in find and "订单编号 <input" in find and 'value="查找"' in find
    assert "<h1>Find an order</h1>" in find_en and "order <input" in find_en
    assert "<h1>403 不开放</h1>" in refused and "<h1>403 Not available</h1>" in refused_en


def test_a_handover_sheet_that_is_not_one_is_refused_in_the_readers_language(run, shop,
                                                                              tmp_path):
    old = tmp_path / "交接.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)  # Excel 97-2003
    page = tmp_path / "交接.xlsx"
    page.write_text("<html><body><table><tr><td>编号</td></tr></table></body></html>")
    for path, zh_words, en_words in (
            (old, "无法读取旧的 .xls 格式", "the old .xls format cannot be read"),
            (page, "不是交接表", "not a handover sheet")):
        zh, en = both(run, ["--agent", "倩", "handover", "import", str(path)])
        assert zh.exit_code == en.exit_code == 1
        assert str(path) in zh.output and zh_words in zh.output and en_words not in zh.output
        assert en_words in en.output


# --- a case's steps: a Chinese word to read and to type, the key in JSON -------------------


STEP_KEYS = re.compile(r"\b(verify|photos|apologise|decide|reship|follow_up|compensate)\b")


def test_a_cases_steps_read_in_chinese_and_keep_their_keys_in_json(run, shop, allowed):
    zh, en = both(run, "exception show 1", check=0)
    assert "\n步骤            核实\n" in zh.stdout and "\nstep                  verify\n" in en.stdout
    steps = zh.stdout.split("\n步骤:\n")[1].split("时间线:")[0].splitlines()[2:]
    assert [x.split()[0] for x in steps if x and not x.startswith(" ")] == \
        ["核实", "取证", "致歉", "定方案"]
    steps = en.stdout.split("\nsteps:\n")[1].split("timeline:")[0].splitlines()[2:]
    assert [x.split()[0] for x in steps if x and not x.startswith(" ")] == \
        ["verify", "photos", "apologise", "decide"]
    # the step keys are vocabulary words (allowed); they must not be what Chinese shows
    assert not STEP_KEYS.search(zh.stdout), zh.stdout
    no_english(zh.stdout, allowed)
    zh, en = both(run, "exception show 1 --json")
    assert zh.stdout == en.stdout and '"step": "verify"' in zh.stdout


def test_a_step_is_typed_in_either_language(run, shop, allowed):
    done = run(["--agent", "倩", "exception", "update", "1", "--step", "核实"], env=ZH, check=0)
    assert done.stdout.startswith("异常 1: ")
    case = run.json("exception show 1 --json")
    assert [s["state"] for s in case["steps"]][:2] == ["done", "next"]
    assert [e["step"] for e in case["timeline"] if e["action"] == "step"] == ["verify"]
    zh, en = both(run, "exception show 1", check=0)
    assert "完成:核实" in zh.stdout and "done: verify" in en.stdout
    # the same step again, in the other language: refused, naming the step in each
    zh, en = both(run, "--agent 倩 exception update 1 --step verify")
    assert zh.exit_code == en.exit_code == 1
    assert zh.stderr == "错误: 异常件 1 的步骤 核实 已完成\n"
    assert en.stderr == "Error: step verify of case 1 is already done\n"
    zh, en = both(run, "--agent 倩 exception update 1 --step 包装")
    assert zh.exit_code == en.exit_code == 2
    assert "错误: 异常件 1 现在没有步骤 '包装';它的步骤:核实, 取证, 致歉, 定方案" in zh.stderr
    assert "its steps: verify, photos, apologise, decide" in en.stderr
    for args, zh_text, en_text in (
            ("--step 取证", "步骤 取证 需要 2 张照片(已有 0 张)",
             "step photos needs 2 photo(s) (0 on file)"),
            ("--step decide", "--resolution 重发|差额赔偿|退回重发",
             "--resolution reship|partial_compensation|return_reship")):
        zh, en = both(run, f"--agent 倩 exception update 1 {args}")
        assert zh.exit_code == en.exit_code == 1
        assert zh_text in zh.stderr and en_text in en.stderr
        assert not STEP_KEYS.search(zh.stderr.replace("--resolution", "")), zh.stderr
        no_english(zh.stderr, allowed | set(args.split()))
    zh = run(["--agent", "倩", "exception", "close", "1", "--outcome", "已退款"], env=ZH, check=0)
    assert "警告: 关闭时仍有未完成的步骤: 取证, 致歉, 定方案" in zh.stderr


def test_a_kinds_playbook_reads_in_chinese(run, shop, allowed):
    zh, en = both(run, "exception playbook 破损 --wide", check=0)
    first = zh.stdout.splitlines()[2].split()
    assert first[:2] == ["核实", "核实:包裹是否完好、破损程度、破损件数"] and first[-2:] == \
        ["买家", "--done"]
    assert "照片(--photo)" in zh.stdout and "新单号(--tracking)" in zh.stdout
    assert "金额(--amount,--for 赔偿)" in zh.stdout and "差额赔偿  赔付" in zh.stdout
    assert not STEP_KEYS.search(zh.stdout) and " buyer " not in zh.stdout
    no_english(zh.stdout, allowed - {"buyer", "courier", "photos", "tracking", "resolution"})
    first = en.stdout.splitlines()[2].split()
    assert first[:2] == ["verify", "核实:包裹是否完好、破损程度、破损件数"]
    assert first[-2:] == ["buyer", "--done"] and "money:compensation" in en.stdout
    zh, en = both(run, "exception playbook --json")
    assert zh.stdout == en.stdout and '"done_by": "photos"' in zh.stdout


def test_the_shops_step_clocks_take_the_chinese_word_too(run, shop):
    run("policy set exception_hours.damaged 取证=12,verify=2", check=0)
    hours = next(k["value"] for k in run.json("policy show --json")
                 if k["key"] == "exception_hours.damaged")
    assert hours["photos"] == 12 and hours["verify"] == 2
    zh, en = both(run, "policy set exception_hours.damaged 包装=3")
    assert zh.exit_code == en.exit_code
    assert "核实, 取证, 致歉" in zh.stderr and "verify, photos, apologise" in en.stderr


def test_step_words_complete_in_both_languages(run, shop):
    from test_completion import complete, values

    assert values(complete(run, "cstool exception update 1 --step ph", "zsh")) == ["photos"]
    assert dict(complete(run, "cstool exception update 1 --step ver", "zsh"))["verify"] == "核实"
    found = complete(run, "cstool exception update 1 --step 核", "zsh")
    assert values(found) == ["核实"] and dict(found)["核实"] == "verify"


# --- orders import: a file that is not what its name says ----------------------------------


def _not_what_it_says(tmp_path, name: str):
    """Files as they arrive named as exports: what a back-end, Excel or a zip tool made."""
    import zipfile

    f = tmp_path / name
    if name == "订单.xls":  # the HTML table some back-ends send as "Excel"
        f.write_text('<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta '
                     'charset="utf-8"></head><body><table><tr><th>订单编号</th><th>买家会员名'
                     '</th></tr></table></body></html>', encoding="utf-8")
    elif name == "jd.xls":  # Excel 2003's XML spreadsheet
        f.write_text('<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:'
                     'spreadsheet"><Worksheet ss:Name="订单"><Table><Row><Cell><Data ss:Type='
                     '"String">订单号</Data></Cell></Row></Table></Worksheet></Workbook>',
                     encoding="utf-8")
    elif name == "unicode.csv":  # Excel's "Unicode text": UTF-16 with a BOM, tabs
        f.write_bytes("订单编号\t买家会员名\n5118609024991031604\ttb_lily\n".encode("utf-16"))
    elif name == "orders.xlsx":  # a PDF someone saved under the export's name
        f.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    elif name == "抖店订单.xlsx":  # a zip of exports, renamed
        with zipfile.ZipFile(f, "w") as z:
            z.writestr("抖店订单.csv", "订单号,买家昵称\n")
    elif name == "youzan.xlsx":  # tab-separated text, renamed
        f.write_text("订单号\t买家\n1\ttb\n", encoding="utf-8")
    return f


@pytest.mark.parametrize("name, zh_text, en_text", [
    ("订单.xls", "不是工作簿,而是网页(HTML 表格),有些后台导出的 .xls 就是这样;cstool 不读这种文件:"
     "用 Excel 或 WPS 打开,另存为 .xlsx 或 .csv 后再导入",
     "not a workbook but a web page (an HTML table), as some back-ends send for .xls; cstool "
     "does not read it: open it in Excel or WPS, save it as .xlsx or .csv (另存为)"),
    ("jd.xls", "不是工作簿,而是XML 电子表格(Excel 2003 XML);cstool 不读这种文件",
     "not a workbook but an XML spreadsheet (Excel 2003 XML); cstool does not read it"),
    ("unicode.csv", "不是订单导出,而是UTF-16 文本(Excel 的“Unicode 文本”,制表符分隔)",
     "not an order export: it is UTF-16 text (Excel's \"Unicode text\", tab-separated)"),
    ("orders.xlsx", "不是订单导出,而是PDF 文档", "not an order export: it is a PDF document"),
    ("抖店订单.xlsx", "这是 ZIP 压缩包,不是工作簿(里面有 抖店订单.csv):先解压,再导入里面的导出文件",
     "a zip archive, not a workbook (it holds 抖店订单.csv): unzip it and import the export"),
    ("youzan.xlsx", "文件名是 .xlsx,但既不是工作簿,也不是 CSV(第一行没有逗号);用 Excel 或 WPS",
     "named .xlsx but not a workbook, and not CSV either (its first line has no commas); open"),
])
def test_a_file_that_is_not_what_its_name_says_is_refused_in_both_languages(
        run, shop, tmp_path, allowed, name, zh_text, en_text):
    f = _not_what_it_says(tmp_path, name)
    zh, en = both(run, ["--agent", "倩", "orders", "import", str(f)])
    assert zh.exit_code == en.exit_code == 1
    assert zh.stderr == f"错误: {f}:{zh_text}" + zh.stderr.split(zh_text, 1)[1]
    assert zh.stderr.count("\n") == 1 and en.stderr.count("\n") == 1
    assert en.stderr.startswith(f"Error: {f}: {en_text}")
    no_english(zh.stderr.replace(str(f), ""), allowed)


def test_a_csv_renamed_xlsx_is_read_with_a_warning_in_both_languages(run, shop, tmp_path,
                                                                      allowed):
    from conftest import DEMO_CSV

    f = tmp_path / "ExportOrderList.xlsx"
    f.write_bytes(DEMO_CSV.read_bytes())
    zh, en = both(run, ["--agent", "倩", "orders", "import", str(f), "--dry-run"], check=0)
    assert zh.stderr == f"警告: {f}:文件名是 .xlsx,但内容是 CSV 文本,不是工作簿:已按 CSV 读取\n"
    assert en.stderr == (f"warning: {f}: named .xlsx but it is CSV text, not a workbook: "
                         "read as CSV\n")
    no_english(zh.stdout + zh.stderr.replace(str(f), ""), allowed)
    zh, en = both(run, ["--agent", "倩", "orders", "import", str(f), "--dry-run", "--json"])
    assert zh.stdout == en.stdout and "named .xlsx but it is CSV text" in zh.stdout
    zh, en = both(run, ["--agent", "倩", "orders", "import", str(f), "--format", "taobao-xlsx"])
    assert zh.exit_code == en.exit_code == 1
    assert zh.stderr == f"错误: {f}: 不是 xlsx 工作簿(它是文本(CSV))\n"
    assert en.stderr == f"Error: {f}: not an xlsx workbook (it is text (CSV))\n"


def test_a_handover_sheet_that_is_a_pdf_says_so_in_chinese(run, shop, tmp_path, allowed):
    f = tmp_path / "交接.xlsx"
    f.write_bytes(b"%PDF-1.4\n")
    zh, en = both(run, ["--agent", "倩", "handover", "import", str(f)])
    assert zh.exit_code == en.exit_code == 1
    assert "不是交接表,而是PDF 文档" in zh.stderr and "it is a PDF document" in en.stderr
    no_english(zh.stderr.replace(str(f), ""), allowed)


# --- the nouns and units callers give the library's errors -----------------------------------

# Words an error is given by its caller (a unit, what an amount is): allowed elsewhere as
# words people type, so each check below takes them out of what is allowed.
NOUNS = {"amount", "hours", "minutes", "days", "bytes", "attempts", "windows", "channels",
         "resolutions", "journal", "integer", "colour", "meaning", "shift", "name", "value",
         "Nov"}


@pytest.mark.parametrize("args, zh_text, en_text", [
    ("--agent 倩 exception update 1 --amount 12.345", "金额 '12.345' 无效;请用元,最多两位小数",
     "amount '12.345' is not an amount; use yuan"),
    ("--agent 倩 exception update 1 --amount 99999999", "金额 '99999999' 超过 10,000,000 元",
     "amount '99999999' is over 10,000,000 yuan"),
    ("policy set ship_deadline_hours abc", "'abc' 不是整数(应为 1–720 小时)",
     "'abc' is not a whole number of hours (1–720)"),
    ("policy set remark.memo_max_bytes 10", "10 字节超出范围 50–100,000 字节",
     "10 bytes is outside 50–100,000 bytes"),
    ("policy set chase_cooldown_minutes 99999", "99,999 分钟超出范围 0–10,080 分钟",
     "99,999 minutes is outside 0–10,080 minutes"),
    ("policy set chase_max_attempts 0", "0 次超出范围 1–20 次", "0 attempts is outside 1–20"),
    ("policy set stalled_days x", "'x' 不是整数(应为 1–90 天)", "'x' is not a whole number of days"),
    ("policy set chase_windows.phone [10:00", "'[10:00' 不是时段的 JSON 列表",
     "'[10:00' is not a JSON list of windows"),
    ("policy set chase_sequence [phone", "不是渠道的 JSON 列表", "is not a JSON list of channels"),
    ("policy set exception_resolutions.damaged [x", "不是处理方式的 JSON 列表",
     "is not a JSON list of resolutions"),
    ("policy set exception_resolutions.damaged ,", "破损 至少要有一种处理方式",
     "damaged needs at least one resolution"),
    ("policy set flag_scheme red", "'red' 不是 颜色=含义(例如 red=presale 或 红=售前)",
     "'red' is not colour=meaning (e.g. red=presale)"),
    ("policy set flag_scheme {red", "不是“颜色: 含义”的 JSON 对象",
     "is not a JSON object of colour: meaning"),
    ("policy set handover.shifts night", "'night' 不是 班次=HH:MM-HH:MM(例如 night=17:30-23:30)",
     "'night' is not shift=HH:MM-HH:MM (e.g. night=17:30-23:30)"),
    ("policy set exception_hours.damaged verify", "'verify' 不是 名称=值(例如 photos=24,reship=12)",
     "'verify' is not name=value (e.g. photos=24,reship=12)"),
    ("policy set exception_hours.damaged 核实=x", "步骤 核实:'x' 不是整数小时",
     "step verify: 'x' is not a whole number of hours"),
    ("handover ack abc --receipt ok", "'abc' 不是有效的数字。", "'abc' is not a valid integer."),
    (f"--agent 倩 remark add {order('paid_presale')} --kind hold --until soon",
     "'soon' 不是日期;请用 2026-11-25、11.25、11月25日 或 25日",
     "'soon' is not a date; use 2026-11-25, 11.25, 11月25日, 25日 or Nov 25"),
    ("report daily --date soon", "'soon' 不是日期;请用 YYYY-MM-DD、today、yesterday、11.25 或 11月25日",
     "'soon' is not a date; use YYYY-MM-DD, today, yesterday, 11.25 or Nov 25"),
    ("journal backup /nonexistent/folder/b.db", "无法备份到 /nonexistent/folder/b.db:文件夹",
     "cannot back up to /nonexistent/folder/b.db: the folder"),
])
def test_a_callers_nouns_and_units_read_in_chinese(run, shop, allowed, args, zh_text, en_text):
    zh, en = both(run, args)
    assert zh.exit_code == en.exit_code and zh.exit_code in (1, 2)
    assert zh_text in zh.stderr, zh.stderr
    assert en_text in en.stderr, en.stderr
    typed = set(re.findall(r"[A-Za-z]+", args))
    no_english(zh.stderr, (allowed - NOUNS) | typed)


def test_the_journal_is_named_in_chinese_when_it_would_be_overwritten(run, shop, allowed):
    zh, en = both(run, ["journal", "backup", str(shop)])
    assert zh.exit_code == en.exit_code == 1
    assert zh.stderr == f"错误: {shop} 是 日志;cstool 从不覆盖它(请换个文件名)\n"
    assert en.stderr == f"Error: {shop} is the journal; cstool never writes over it (give " \
                        "another file name)\n"
    no_english(zh.stderr.replace(str(shop), ""), allowed - NOUNS)


# --- the policy loader's warnings ------------------------------------------------------------


def test_a_stored_policy_value_that_no_longer_passes_is_warned_of_in_both_languages(
        run, shop, allowed):
    """A value an older cstool (or a hand edit) left in the journal: said on every run,
    in the reader's language, and the default used."""
    import sqlite3

    conn = sqlite3.connect(shop)
    with conn:
        conn.executemany("INSERT OR REPLACE INTO policy (key, value, set_by, set_at) "
                         "VALUES (?, ?, '倩', '2026-11-01T00:00:00Z')",
                         [("ship_deadline_hours", "9999"), ("chase_windows.phone", "not json"),
                          ("remark.memo_max_bytes", '"abc"')])
    conn.close()
    zh, en = both(run, "orders list --limit 1", check=0)
    assert zh.stderr.splitlines() == [
        "警告: 策略 ship_deadline_hours:9,999 小时超出范围 1–720 小时;已改用默认值 72(修改:"
        "cstool policy set ship_deadline_hours 值)",
        "警告: 策略 chase_windows.phone 存的是 'not json',不是有效的值;已改用默认值",
        "警告: 策略 remark.memo_max_bytes:'abc' 不是整数(应为 50–100,000 字节);已改用默认值 "
        "1000(修改:cstool policy set remark.memo_max_bytes 值)"]
    assert en.stderr.splitlines() == [
        "warning: policy ship_deadline_hours: 9,999 hours is outside 1–720 hours; using the "
        "default 72 (fix it with: cstool policy set ship_deadline_hours VALUE)",
        "warning: policy chase_windows.phone holds 'not json', which is not a value; using "
        "the default",
        "warning: policy remark.memo_max_bytes: 'abc' is not a whole number of bytes "
        "(50–100,000); using the default 1000 (fix it with: cstool policy set "
        "remark.memo_max_bytes VALUE)"]
    no_english(zh.stderr, (allowed - NOUNS) | {"not", "json", "abc"})  # the stored text
    zh, en = both(run, "orders list --limit 1 --json", check=0)
    assert zh.stdout == en.stdout


def test_a_cstool_lang_that_is_no_language_is_warned_of_in_the_locales_language(run, shop,
                                                                                 allowed):
    zh = run("orders list --limit 1", env={"CSTOOL_LANG": "fr", "LANG": "zh_CN.UTF-8"}, check=0)
    en = run("orders list --limit 1", env={"CSTOOL_LANG": "fr", "LANG": "en_US.UTF-8"}, check=0)
    assert zh.stderr == "警告: CSTOOL_LANG='fr' 既不是 zh 也不是 en;已忽略\n"
    assert en.stderr == "warning: CSTOOL_LANG='fr' is neither zh nor en; ignored\n"
    no_english(zh.stderr, (allowed - NOUNS) | {"fr"})


# --- the web view's rows and charts --------------------------------------------------------


def _pages_with_rows(shop, lang):
    """Every page as text, its rows' cells and its charts' labels included."""
    from cstool.core import i18n
    from cstool.web import pages

    def text(page):
        out = [_page_text(page)]
        for s in page.sections:
            if s.table:
                out += [c.text for row in s.table.rows for c in row]
            if s.chart:
                out += re.findall(r'aria-label="([^"]*)"', s.chart)
                out += [re.sub(r"<[^>]+>", " ", s.chart)]
        return "\n".join(out)

    with page_context(shop) as ctx, i18n.using(lang):
        got = {path: text(fn(ctx)) for path, fn in pages.PAGES.items()}
        got["/cases/1"] = text(pages.case(ctx, "1"))
        got["/orders"] = text(pages.order(ctx, order("shipped_damaged_reported")))
        ctx.args = {"view": "morning"}
        got["morning"] = text(pages.shipping(ctx))
    return got


def test_the_web_views_rows_read_as_the_command_lines_tables(run, shop, allowed):
    """The rows are the routines' own, shown as the command line's tables show them: the
    details and timelines in the reader's language, domain words as the manuals'."""
    run(["--agent", "倩", "exception", "update", "1", "--step", "核实"], check=0)
    zh, en = _pages_with_rows(shop, "zh"), _pages_with_rows(shop, "en")
    late = "2026-11-20 06:30 付款;72 小时时限已于"
    assert late in zh["/"] and "过去(超时8小时)" in zh["/"] and "8.0 h" not in zh["/"]
    assert "paid 2026-11-20 06:30; the 72 h deadline passed" in en["/"] and "(8 h late)" in en["/"]
    case = zh["/cases/1"]
    for word in ("\n核实\n", "\n取证\n", "\n下一步\n", "\n待办\n", "\n已完成\n", "\n登记\n",
                 "\n完成步骤\n", "完成:核实", "我方承担重发运费 — 按处理手册默认", "\n等买家\n",
                 "\n已发货\n"):
        assert word in case, word
    case = en["/cases/1"]
    for word in ("\nverify\n", "\nphotos\n", "\nnext\n", "\nto do\n", "\ndone: verify",
                 "shop pays the reship freight — playbook default", "\nwaiting_buyer\n"):
        assert word in case, word
    assert "\n等买家\n" in zh["/cases"] and "\n等买家\n" in zh["/orders"]
    assert "挂起日2026-11-21已过,订单还没" in zh["/remarks"]
    assert "hold date 2026-11-21 has passed" in en["/remarks"]
    assert "\n超时\n" in zh["/"] and "\noverdue\n" in en["/"]
    for path, text in zh.items():
        assert not STEP_KEYS.search(text), path
        assert english_words(text, allowed | {"lint"}) == [], path


def test_the_charts_labels_are_in_the_readers_language(shop):
    zh, en = _pages_with_rows(shop, "zh")["/charts"], _pages_with_rows(shop, "en")["/charts"]
    for label in ("每天各客服的催付转化", "每天准时与超时发货", "按类型的异常件", "按快递的异常件"):
        assert label in zh, label
    for label in ("Chase conversion by day and agent", "Shipments on time vs late by day",
                  "Cases by kind", "Cases by courier"):
        assert label in en and label not in zh, label


def test_an_empty_chart_says_so_in_the_readers_language(env):
    from cstool.core import i18n
    from cstool.web import pages

    said = {}
    with page_context(env) as ctx:  # nothing imported: every chart is empty
        for lang in ("zh", "en"):
            with i18n.using(lang):
                said[lang] = "".join(s.chart or "" for s in pages.charts(ctx).sections)
    assert said["zh"].count("(这段时间没有数据)") == 4 and "nothing" not in said["zh"]
    assert said["en"].count("(nothing in this period)") == 4 and "这段" not in said["en"]


def test_the_web_views_footer_is_in_its_language(shop, allowed):
    """Datasette's footer, through our template: its words in the view's language."""
    footers = {lang: [re.search(r"<footer[^>]*>(.*?)</footer>", html, re.S).group(1)
                      for html in pages]
               for lang, pages in served(shop, "/", "/journal/find_order").items()}
    for footer in footers["zh"]:
        assert "本页由 <a href=\"https://datasette.io/\"" in footer and "Powered" not in footer
        no_english(re.sub(r"<[^>]+>", " ", footer).replace("&middot;", "·"), allowed)
    assert "查询用时" in footers["zh"][1] and "Queries took" not in footers["zh"][1]
    assert all("Powered by <a" in f for f in footers["en"]) and "queries took" in footers["en"][1]


# --- what a walk through the tool in Chinese found -------------------------------------------

# Stored words and keys that are English however they are allowed elsewhere (typed)
STORED = re.compile(r"\b(damaged|waiting_buyer|paid_amount|item_title|close_reason|brushing|"
                    r"missing_time|missing_author|hold_past|brush_shipped|no author|\(all\)|"
                    r"ship_by_source|exceptions|chases|holds|remarks)\b")


def test_an_orders_fields_and_cases_read_in_chinese(run, shop, allowed):
    oid = order("shipped_damaged_reported")
    zh, en = both(run, f"orders show {oid}", check=0)
    for text in ("\n时限来源  店铺的发货时限\n", "\n实付      238.00\n", "\n宝贝      陶瓷茶具套装\n",
                 "\n刷单      否\n", "\n催付记录  (无)\n", "\n异常件:\n", "\n类型      破损\n",
                 "\n状态      等买家\n"):
        assert text in zh.stdout, text
    for text in ("\nship_by_source    policy\n", "\npaid_amount       238.00\n", "\nexceptions:\n",
                 "\nkind        damaged\n", "\nstatus      waiting_buyer\n"):
        assert text in en.stdout, text
    assert not STORED.search(zh.stdout), STORED.search(zh.stdout)
    no_english(zh.stdout, allowed)
    zh, en = both(run, f"orders show {oid} --json")
    assert zh.stdout == en.stdout and '"ship_by_source": "policy"' in zh.stdout


def test_exception_reports_groups_read_in_chinese(run, shop):
    zh, en = both(run, "exception report", check=0)
    assert "\n类型            破损\n" in "\n" + zh.stdout and "类型            (合计)\n" in zh.stdout
    assert "kind                  damaged\n" in en.stdout and "kind                  (all)\n" in \
        en.stdout
    assert not STORED.search(zh.stdout)
    zh, en = both(run, "exception report --json")
    assert zh.stdout == en.stdout and '"kind": "(all)"' in zh.stdout


def test_remark_checks_read_in_chinese_by_agent_and_in_the_daily_report(run, shop, allowed):
    zh, en = both(run, "remark lint --by agent", check=1)
    lines = zh.stdout.splitlines()
    assert lines[2].startswith("(无备注人)  3") and "缺时间  缺时间 1, 缺备注人 1, 挂起已过期 1" in \
        lines[2]
    assert en.stdout.splitlines()[3].startswith("(no author)  3") and \
        "missing_time  missing_time 1," in en.stdout
    assert not STORED.search(zh.stdout)
    no_english(zh.stdout, allowed)
    zh, en = both(run, "remark lint --by agent --json", check=1)
    assert zh.stdout == en.stdout and '"most_common": "missing_time"' in zh.stdout
    zh, en = both(run, "report daily", check=0)
    part = zh.stdout.split("备注问题 · 按客服")[1].split("\n\n交接")[0]
    assert "(无备注人)" in part and "缺时间=1, 缺备注人=1" in part and not STORED.search(part)
    assert "missing_time=1," in en.stdout and "(no author)" in en.stdout
    zh, en = both(run, "report daily --format md", check=0)
    assert "| (无备注人) " in zh.stdout and "| (no author) " in en.stdout


def test_the_web_views_remark_checks_and_report_totals_read_in_chinese(run, shop):
    zh, en = _pages_with_rows(shop, "zh"), _pages_with_rows(shop, "en")
    for path in ("/remarks", "/report", "/cases"):
        assert not STORED.search(zh[path].replace("remarks", "")), (path, STORED.search(zh[path]))
    assert "缺时间=1, 缺备注人=1" in zh["/remarks"] and "(无备注人)" in zh["/remarks"]
    assert "missing_time=1, missing_author=1" in en["/remarks"]
    assert "(合计)" in zh["/cases"] and "(all)" in en["/cases"]


def test_a_remarks_fields_read_in_chinese(run, shop, allowed):
    zh, en = both(run, f"remark parse {REBATE}", check=0)
    assert "\n字段      活动价=100.00, 实付=120.00, 应返=30.00\n" in zh.stdout
    assert "\nfields     promo_price=100.00, paid_price=120.00, refund=30.00\n" in en.stdout
    no_english(zh.stdout, allowed - {"refund"})
    zh, en = both(run, ["remark", "parse", "返现 活动价100 实付120 应返20 2026.11.23 倩"], check=0)
    assert "应返=20.00, 只有日期=是" in zh.stdout and "refund=20.00, date_only=True" in en.stdout
    zh, en = both(run, f"remark parse {REBATE} --json", check=0)
    assert zh.stdout == en.stdout and '"promo_price": "100.00"' in zh.stdout


def test_a_shop_the_journal_does_not_know_is_refused_in_chinese(run, shop, allowed):
    zh, en = both(run, "policy set --shop 不存在 shop_name 新店")
    assert zh.exit_code == en.exit_code == 2
    assert "错误: '--shop' 的值无效: 日志里没有店铺 '不存在';已有的店铺:示范旗舰店(还没导入过的店铺:加 " \
           "--new-shop)" in zh.stderr
    assert "no shop '不存在' in the journal; its shops: 示范旗舰店 (a shop not imported" in en.stderr
    no_english(zh.stderr, allowed)
    zh = run("orders list --shop 不存在", env=ZH)
    assert "日志里没有店铺 '不存在';已有的店铺:示范旗舰店\n" in zh.stderr


def test_what_a_remark_did_to_the_orders_holds_is_said_in_both_languages(run, shop, allowed):
    oid = order("paid_gift_and_card")
    args = ["--agent", "倩", "remark", "add", oid, "--kind", "hold", "--until", "2026-11-30",
            "--reason", "等货"]
    zh = run(args, env=ZH, check=0)
    assert zh.stdout.splitlines()[-1] == "挂起到 2026-11-30:当天发货"
    no_english(zh.stdout, allowed)
    en = run([*args[:-4], "--owner", "小雨", "--reason", "等货", "--json"], env=EN, check=0)
    assert '"held for 小雨: only 小雨 handles this order"' in en.stdout
    zh = run([*args[:-4], "--owner", "阿杰", "--reason", "等货"], env=ZH, check=0)
    assert zh.stdout.splitlines()[-1] == "挂起给 阿杰:只由 阿杰 处理此单"


def test_every_playbook_step_has_a_chinese_word():
    from cstool.cases.playbooks import PLAYBOOKS, STEP

    keys = {k for pb in PLAYBOOKS.values() for k in pb.step_keys()}
    assert keys == set(STEP.values)
    assert all(STEP.labels[k] != k and not STEP.labels[k].isascii() for k in keys)


def test_an_orders_remarks_holds_chases_and_handover_read_in_chinese(run, shop, allowed):
    """orders show's own tables read as remark list, handover list and chase log do: where
    a remark came from, a hold's kind, a chase's channel and result in words; JSON keeps
    the stored words."""
    held = order("paid_hold_owner")
    zh, en = both(run, f"orders show {held}", check=0)
    holds = zh.stdout.split("\n挂起:\n")[1]
    assert holds.splitlines()[0].split() == ["编号", "类型", "截至", "负责人", "创建时间",
                                             "解除时间"]
    assert "专人处理" in holds and "导出的备注" in zh.stdout
    assert "\nholds:\n" in en.stdout and "owner" in en.stdout.split("\nholds:\n")[1]
    no_english(zh.stdout, allowed)
    chased = order("unpaid_small")
    run(["--agent", "倩", "handover", "add", "-c", "回访", "--order", chased, "-p", "顾客说晚上付",
         "-t", "跟进付款"], check=0)
    zh, en = both(run, f"orders show {chased}", check=0)
    chases = zh.stdout.split("\n催付记录:\n")[1]
    assert "\n渠道        电话\n" in chases and "\n写入的备注  " in chases, chases
    assert "催付记录" in zh.stdout.split("\n备注:\n")[1]  # the remark's source, in words
    handover = zh.stdout.split("\n交接:\n")[1].splitlines()
    assert handover[0].split()[:3] == ["编号", "类别", "问题"] and handover[2].split()[1] == "回访"
    assert "\nchannel          phone\n" in en.stdout and "the chase" in en.stdout
    assert not STORED.search(zh.stdout), STORED.search(zh.stdout)
    no_english(zh.stdout, allowed)
    zh, en = both(run, f"orders show {chased} --json")
    assert zh.stdout == en.stdout and '"channel": "phone"' in zh.stdout
    assert '"source": "chase"' in zh.stdout and '"category": "callback"' in zh.stdout


def test_an_unset_policy_value_reads_as_the_word_policy_set_takes(run, demo, allowed):
    run(["--agent", "倩", "policy", "set", "exception_hours.delayed", "notify=none"], check=0)
    run(["--agent", "倩", "policy", "set", "chase_windows.sms", "none"], check=0)
    for env in (ZH, EN):
        table = run("policy show", env=env, check=0).stdout
        assert "None" not in table and "(none)" not in table
        assert re.search(r"\npresale_ship_date +none ", table)
        assert re.search(r"\nexception_hours\.delayed +notify=none,urge=24", table)
        assert re.search(r"\nchase_windows\.sms +none ", table)
        assert run("policy show presale_ship_date", env=env).stdout == "none\n"
    zh, en = both(run, "policy show --json")
    assert zh.stdout == en.stdout and '"value": null' in zh.stdout and '"value": []' in zh.stdout


def test_a_remarks_holds_parse_into_words_not_python(run, demo, allowed):
    zh, en = both(run, ["remark", "parse", "11.25发货，必须由小雨负责处理! #倩"], check=0)
    assert "\n字段      挂起=定日发货 2026-11-25、专人处理 小雨\n" in zh.stdout
    assert "\nfields     holds=until 2026-11-25, owner 小雨\n" in en.stdout
    zh, en = both(run, ["remark", "parse", "客户已回复，可以发货 #倩"], check=0)
    assert "解除挂起=定日发货、专人处理、等买家回复" in zh.stdout
    assert "release=until, owner, waiting_buyer" in en.stdout
    for out in (zh.stdout, en.stdout):
        assert "[" not in out and "{" not in out
    no_english(zh.stdout, allowed)
    zh, en = both(run, ["remark", "parse", "11.25发货，必须由小雨负责处理! #倩", "--json"])
    assert zh.stdout == en.stdout and '"kind": "owner"' in zh.stdout


def test_a_held_orders_sheet_row_with_its_note_reads_back_whole(run, demo, tmp_path, allowed):
    """A hold's row on the sheet names the date and the remark's words; kept as an item
    and read back in Chinese, the date stays a date (not the note run into it)."""
    run(["--agent", "倩", "--now", "2026-11-23 23:20", "handover", "export", "--shift", "night",
         "-o", str(tmp_path / "night.md")], check=0)
    zh, en = both(run, ["--now", "2026-11-24 09:30", "handover", "list", "--wide"], check=0)
    held = order("paid_hold_until_21_due")
    zh_row = next(line for line in zh.stdout.splitlines() if held in line)
    en_row = next(line for line in en.stdout.splitlines() if held in line)
    assert "挂起至2026-11-21发货: 21日发货" in zh_row and "发货发货" not in zh_row, zh_row
    assert "held: ships on 2026-11-21: 21日发货" in en_row, en_row
    no_english(zh_row, allowed)
