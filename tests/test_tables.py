"""Tables for people: durations and times in words, and tables that fit the terminal."""

from __future__ import annotations

import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cstool.core import human, i18n
from cstool.core.clock import Clock
from cstool.core.output import Listing, Renderer
from cstool.core.table import layout, width, wrap
from cstool.core.values import Instant

SHANGHAI = ZoneInfo("Asia/Shanghai")

# --- durations and times ------------------------------------------------------------------


@pytest.mark.parametrize("minutes, zh, en", [
    (0, "0分钟", "0 min"),
    (45, "45分钟", "45 min"),
    (60, "1小时", "1 h"),
    (200, "3小时20分", "3 h 20 min"),
    (49 * 60, "2天1小时", "2 d 1 h"),
    (49 * 60 + 59, "2天1小时", "2 d 1 h"),  # two units: the minutes go
    (3 * 24 * 60, "3天", "3 d"),
    (-90, "1小时30分", "1 h 30 min"),  # a length has no sign
])
def test_a_duration_in_two_units(minutes, zh, en):
    with i18n.using("zh"):
        assert human.duration(minutes) == zh
    with i18n.using("en"):
        assert human.duration(minutes) == en


@pytest.mark.parametrize("hours, zh, en", [
    (3, "还剩3小时", "3 h left"),
    (19.6, "还剩19小时36分", "19 h 36 min left"),
    (-26, "已超时1天2小时", "1 d 2 h late"),
    (-0.004, "已到期", "due now"),
])
def test_time_to_a_deadline(hours, zh, en):
    with i18n.using("zh"):
        assert human.cell("hours_left", hours) == zh
    with i18n.using("en"):
        assert human.cell("hours_left", hours) == en


def test_a_kind_leaves_what_is_not_a_number():
    assert human.cell("minutes", None) is None
    assert human.cell("hours_left", "n/a") == "n/a"
    assert human.cell("days", 1.5) in ("1 d 12 h", "1天12小时")


def test_times_in_tables_are_short_in_the_shops_zone():
    now = datetime(2026, 11, 23, 14, 30, tzinfo=SHANGHAI)
    assert human.brief_time(datetime(2026, 1, 2, 3, 4, tzinfo=SHANGHAI), now) == "01-02 03:04"
    assert human.brief_time(datetime(2025, 12, 31, 23, 59, tzinfo=SHANGHAI), now) == \
        "2025-12-31 23:59"


def render(rows, fmt="table", listing=None, width_=None, lang="en", clock=None):
    out = io.StringIO()
    with i18n.using(lang):
        Renderer(clock or Clock("Asia/Shanghai", "2026-11-23 14:30"), width=width_).render(
            rows, fmt, out=out, listing=listing)
    return out.getvalue()


ROWS = [{"order_id": "5118609024991031611", "due_at": Instant("2026-11-22T22:30:00Z"),
         "hours_left": -26.0, "unpaid_minutes": 2905}]


def test_a_table_reads_durations_and_times_in_the_readers_language():
    zh, en = render(ROWS, lang="zh"), render(ROWS)
    assert "已超时1天2小时" in zh and "2天0小时" not in zh and "2天" in zh and "11-23 06:30" in zh
    assert "1 d 2 h late" in en and "2 d" in en and "11-23 06:30" in en


def test_json_and_csv_keep_the_numbers_and_iso_times_in_either_language():
    for fmt in ("json", "csv", "tsv", "jsonl"):
        assert render(ROWS, fmt, lang="zh") == render(ROWS, fmt, lang="en")
    data = json.loads(render(ROWS, "json", lang="zh"))[0]
    assert data["hours_left"] == -26.0 and data["unpaid_minutes"] == 2905
    assert data["due_at"] == "2026-11-23T06:30:00+08:00"


def test_a_listing_names_its_own_kinds_and_labels():
    listing = Listing(columns=("order_id", "waited"), kinds={"waited": "minutes"},
                      labels={"order_id": "Usage:"})  # a msgid the catalog has
    text = render([{"order_id": "1", "waited": 61}], listing=listing, lang="zh")
    assert text.splitlines()[0].split() == ["用法:", "waited"]
    assert "1小时1分" in text
    with pytest.raises(KeyError):
        Listing(kinds={"x": "fortnights"})


# --- the layout ------------------------------------------------------------------------------

ORDER = "5118609024991031604"
MESSAGE = ("亲,您好呀~ 看到您今天拍下的「加厚羽绒服 黑色 L」还没有付款,是遇到什么问题了吗?宝贝现在"
           "有货,每天16:00前付款的订单当天就能发出哦。有任何疑问随时找我~")


def test_width_counts_a_chinese_character_as_two():
    assert width("订单") == 4 and width("ab") == 2 and width("e\u0301") == 1


def test_width_counts_clusters_as_the_terminal_draws_them_measured_twice_or_once():
    # width() counts without building clusters, and remembers what it measured: the
    # same answer as drawing each grapheme, for joiners, marks, flags and controls
    from cstool.core.table import _cluster_width, graphemes

    cases = ["已超时7天16小时", "a\u0301bc", "👨\u200d👩\u200d👧x", "\u200dab中", "中\ufe0f文",
             "e\u0301\u0301中文", "x\u200d中", "\x07铃", "👍🏻好", "🇨🇳ok", "　全角!"]
    for text in cases * 2:  # the second time from what it remembered
        assert width(text) == sum(_cluster_width(g) for g in graphemes(text)), text
    assert width("👨\u200d👩\u200d👧") == 2 and width("中\ufe0f") == 2 and width("\x07铃") == 2


def test_wrapping_never_splits_a_character_and_loses_nothing():
    for w in (7, 8, 11, 20):
        lines = wrap(MESSAGE, w)
        assert all(width(line) <= w for line in lines)
        assert "".join(lines).replace(" ", "") == MESSAGE.replace(" ", "")
        # closing punctuation never starts a line (it joins the line above)
        assert not any(line[0] in "。,?~」" for line in lines[1:] if line)


def _fill_by_remeasuring(line: str, w: int) -> list[str]:
    """Greedy filling as its definition reads: each piece joins the line if the line, its
    end's spaces left out, still fits once measured whole (quadratic; the oracle)."""
    from cstool.core.table import _pieces, _segments, clip

    lines: list[str] = []
    cur = ""
    for seg in _segments(line):
        if width((cur + seg).rstrip()) <= w:
            cur += seg
            continue
        if cur.strip():
            lines.append(cur.rstrip())
        cur = ""
        if width(seg.rstrip()) <= w:
            cur = seg
            continue
        for piece in _pieces(seg, w):
            if width((cur + piece).rstrip()) <= w:
                cur += piece
                continue
            if cur.strip():
                lines.append(cur.rstrip())
            while width(piece.rstrip()) > w:
                head = clip(piece, w) or piece[0]
                lines.append(head)
                piece = piece[len(head):]
            cur = piece
    if cur.strip() or not lines:
        lines.append(cur.rstrip())
    return lines


_PIECES = ["买家", "催付", "。", ",", "(", ")", " ", "  ", "\u3000", "ship_by", "reship=24", "14:30",
           "a,b;c/d", "e\u0301", "👨\u200d👩\u200d👧", "中\ufe0f", "👍🏻", "x", "JT2036167226519",
           "已超时2天4小时", "——", "…", "\t",
           # a separator a joiner, a skin tone or a mark holds on to (one grapheme)
           ",\u200d", "/👍🏻", "_\U0001F3FB", ":\u0301", "=\ufe0f"]


@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.integers(min_value=2, max_value=30))
@settings(max_examples=300, deadline=None)
def test_filling_a_line_keeps_its_width_and_wraps_as_remeasuring_would(parts, w):
    # the filler adds up the widths of what it put on the line instead of measuring the
    # line again for each piece: the same lines, for wide, joined and spaced text
    from cstool.core.table import _fill

    line = "".join(parts)
    assert _fill(line, w) == _fill_by_remeasuring(line, w)


def test_a_long_word_breaks_after_its_separators_but_never_inside_a_grapheme():
    from cstool.core.table import _pieces

    assert _pieces("reship=24,follow_up", 8) == ["reship=", "24,", "follow_", "up"]
    assert _pieces("14:30,15:45", 6) == ["14:30,", "15:45"]  # never inside a time
    # a comma a joiner holds on to is part of the emoji sequence after it: no break there
    assert _pieces("ab,\u200d👍cd", 3) == ["ab,\u200d👍cd"]


def test_a_grapheme_stays_whole():
    family = "👨\u200d👩\u200d👧"
    text = ("买家" + family) * 6
    for w in (3, 4, 5):
        assert all(family in line or "\u200d" not in line for line in wrap(text, w))


def test_cut_on_a_terminal_ends_in_an_ellipsis_piped_never():
    long = "很长的一段文字" * 30
    assert len(wrap(long, 20)) > 4 and "…" not in "".join(wrap(long, 20))
    cut = wrap(long, 20, cut=True)
    assert len(cut) == 4 and cut[-1].endswith("…") and width(cut[-1]) <= 20


def test_a_table_that_fits_is_left_alone():
    lines = layout(["id", "text"], [["1", "短"]], 80)
    assert lines == ["id  text", "--  ----", "1   短"]


def test_identifiers_stay_whole_and_text_wraps():
    rows = [[ORDER, "tb_buyer_with_long_nick", MESSAGE]]
    lines = layout(["order_id", "buyer", "message"], rows, 60, ids=[0, 1])
    assert all(width(line) <= 60 for line in lines)
    assert lines[2].startswith(ORDER + "  tb_buyer_with_long_nick  ")


def test_the_long_column_moves_under_its_row_and_columns_are_let_go():
    rows = [[ORDER, "tb_buyer", "11-23 06:30", "1 d 2 h late", MESSAGE]]
    lines = layout(["order_id", "buyer", "due_at", "hours_left", "detail"], rows, 50,
                   ids=[0, 1], drop=[2], below=4)
    assert lines[0].split() == ["order_id", "buyer", "hours_left"]
    assert lines[2].startswith(ORDER)
    assert lines[3].startswith("    亲,您好呀~") and all(width(x) <= 50 for x in lines)


def test_too_many_columns_become_records():
    heads = [f"column_{i}" for i in range(12)]
    lines = layout(heads, [[ORDER] + ["12.50"] * 11, [ORDER] + ["0.00"] * 11], 80, ids=[0])
    assert lines[0] == f"column_0   {ORDER}" and "" in lines
    assert all(width(x) <= 80 for x in lines)


def test_no_width_prints_every_column_unwrapped():
    lines = layout(["order_id", "message"], [[ORDER, MESSAGE]], None)
    assert lines[2] == f"{ORDER}  {MESSAGE}"


# --- through the command line ----------------------------------------------------------------


def test_columns_fits_a_table_and_wide_undoes_it(run, demo):
    narrow = run("chase due --limit 3", env={"COLUMNS": "80"}, check=0).stdout
    assert max(width(line) for line in narrow.splitlines()) <= 80
    assert narrow.splitlines()[0].split() == ["order_id", "buyer", "amount", "unpaid_minutes",
                                              "channel"]
    wide = run("chase due --limit 3 --wide", env={"COLUMNS": "80"}, check=0).stdout
    assert "last_chased_at" in wide.splitlines()[0] and "message" in wide.splitlines()[0]
    assert max(width(line) for line in wide.splitlines()) > 80
    assert wide == run("chase due --limit 3", check=0).stdout  # piped: no width at all


def test_json_is_the_same_at_any_width(run, demo):
    for args in ("chase due --json", "shipcheck --json", "exception list --json"):
        assert run(args, env={"COLUMNS": "40"}, check=0).stdout == run(args, check=0).stdout


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_four_listings_fit_80_columns(run, demo, lang):
    from conftest import order

    run(["exception", "log", order("shipped_damaged_reported"), "--kind", "破损", "--detail",
         "茶具碎了两个,外箱完好", "--agent", "倩"], check=0)
    run(["handover", "add", "-c", "联系快递", "--order", order("shipped_stalled_9days"), "-p",
         "物流9天未更新,丢件:圆通确认丢件(圆通速递 YT7000123456789)", "-t",
         "联系圆通查件, 回复买家", "--agent", "倩"], check=0)
    for args, ids in [("chase due --all", ["order_id"]), ("shipcheck", ["order_id"]),
                      ("handover list", ["id", "order_id"]),
                      ("exception list", ["id", "order_id"])]:
        out = run(args, env={"COLUMNS": "80", "CSTOOL_LANG": lang}, check=0).stdout
        assert out and max(width(line) for line in out.splitlines()) <= 80, args
        for row in run.json(f"{args} --json"):
            for key in ids:
                if row.get(key):
                    assert any(str(row[key]) in line.split() for line in out.splitlines()), \
                        (args, key, row[key])
