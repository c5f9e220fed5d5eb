"""The clock, the journal's time format, and the manuals' date forms."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from cstool.core.clock import (
    Clock,
    find_manual_date,
    from_db,
    iter_manual_dates,
    parse_local,
    parse_manual_date,
    to_db,
    typed_time,
    zone,
)
from cstool.core.errors import InputError
from cstool.orders.times import LocalToUtc

SH = zone("Asia/Shanghai")


def ref(y, m, d, hh=12, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def test_pinned_clock_is_shop_local_and_stored_as_utc():
    clock = Clock("Asia/Shanghai", "2026-11-23 10:00")
    assert clock.now() == datetime(2026, 11, 23, 10, 0, tzinfo=SH)
    assert clock.now_db() == "2026-11-23T02:00:00Z"
    assert clock.iso("2026-11-23T02:00:00Z") == "2026-11-23T10:00:00+08:00"
    assert clock.short("2026-11-23T02:00:00Z") == "2026-11-23 10:00"
    assert clock.today() == date(2026, 11, 23)


def test_clock_in_another_zone():
    clock = Clock("Europe/Berlin", "2026-07-01 12:00")
    assert clock.now_db() == "2026-07-01T10:00:00Z"  # summer time, +02:00
    assert clock.iso("2026-07-01T10:00:00Z") == "2026-07-01T12:00:00+02:00"


def test_db_format_round_trips_and_sorts_as_text():
    a = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert to_db(a) == "2026-01-02T03:04:05Z"
    assert from_db(to_db(a)) == a
    assert to_db(datetime(2026, 1, 1, 23, 0, tzinfo=SH)) < to_db(a)
    with pytest.raises(ValueError):
        to_db(datetime(2026, 1, 1))  # naive


@pytest.mark.parametrize("text, expected", [
    ("2026-11-23 10:00", datetime(2026, 11, 23, 10, 0, tzinfo=SH)),
    ("2026-11-23 10:00:30", datetime(2026, 11, 23, 10, 0, 30, tzinfo=SH)),
    ("2026/11/23 9:05", datetime(2026, 11, 23, 9, 5, tzinfo=SH)),
    ("2026-11-23", datetime(2026, 11, 23, 0, 0, tzinfo=SH)),
    ("2026-11-23T10:00:00+08:00", datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)),
])
def test_parse_local(text, expected):
    assert parse_local(text) == expected


@pytest.mark.parametrize("text", ["tomorrow", "2026-13-01 10:00", "23/11/2026", ""])
def test_parse_local_refuses_nonsense(text):
    with pytest.raises(InputError):
        parse_local(text)


def test_bad_now_is_a_usage_error(run):
    result = run(["--now", "yesterday-ish", "orders", "list"])
    assert result.exit_code == 2
    assert "--now" in result.output


def test_since_forms():
    clock = Clock("Asia/Shanghai", "2026-11-23 10:00")
    assert clock.parse_since("today") == datetime(2026, 11, 23, tzinfo=SH)
    assert clock.parse_since("yesterday") == datetime(2026, 11, 22, tzinfo=SH)
    assert clock.parse_since("7d") == datetime(2026, 11, 16, 10, 0, tzinfo=SH)
    assert clock.parse_since("12h") == datetime(2026, 11, 22, 22, 0, tzinfo=SH)
    assert clock.parse_since("2026-11-01") == datetime(2026, 11, 1, tzinfo=SH)
    with pytest.raises(InputError, match="7d"):
        clock.parse_since("last week")


def test_since_spans_count_months_by_the_calendar():
    """3m is three calendar months (relativedelta), not 90 days nor three minutes."""
    clock = Clock("Asia/Shanghai", "2026-05-31 10:00")
    assert clock.parse_since("3m") == datetime(2026, 2, 28, 10, 0, tzinfo=SH)
    assert clock.parse_since("1mo") == datetime(2026, 4, 30, 10, 0, tzinfo=SH)
    assert clock.parse_since("1y") == datetime(2025, 5, 31, 10, 0, tzinfo=SH)
    assert clock.parse_since("2w") == datetime(2026, 5, 17, 10, 0, tzinfo=SH)
    assert clock.parse_since("30min") == datetime(2026, 5, 31, 9, 30, tzinfo=SH)


@pytest.mark.parametrize("text, expected", [
    ("2026.11.20", datetime(2026, 11, 20, tzinfo=SH)),
    ("2026年11月20日 10:30", datetime(2026, 11, 20, 10, 30, tzinfo=SH)),
    ("11.20", datetime(2026, 11, 20, tzinfo=SH)),            # this year's
    ("11月20日", datetime(2026, 11, 20, tzinfo=SH)),
    ("20日", datetime(2026, 11, 20, tzinfo=SH)),
    ("25日", datetime(2026, 10, 25, tzinfo=SH)),             # a day alone: the last one
    ("Nov 20", datetime(2026, 11, 20, tzinfo=SH)),           # dateutil, beyond the fixed forms
    ("20 November 2026 14:00", datetime(2026, 11, 20, 14, 0, tzinfo=SH)),
    ("2026/11/20 2pm", datetime(2026, 11, 20, 14, 0, tzinfo=SH)),
    ("Nov 20, 2025", datetime(2025, 11, 20, tzinfo=SH)),
    ("20261120", datetime(2026, 11, 20, tzinfo=SH)),
    ("2026-11-20T10:00:00Z", datetime(2026, 11, 20, 18, 0, tzinfo=SH)),
])
def test_since_takes_dates_as_people_type_them(text, expected):
    assert Clock("Asia/Shanghai", "2026-11-23 10:00").parse_since(text) == expected


@pytest.mark.parametrize("text, message", [
    ("12.25", "12.25 is still to come; give the year if you mean 2025"),
    ("Dec 25", "Dec 25 is still to come; give the year if you mean 2025"),
    ("yesterdy", "'yesterdy' is not a time"),
    ("7", "'7' is not a time"),
    ("November", "'November' is not a time"),
])
def test_since_never_moves_a_date_to_another_year(text, message):
    with pytest.raises(InputError, match=re.escape(message)):
        Clock("Asia/Shanghai", "2026-11-23 10:00").parse_since(text)


def test_a_ship_date_without_a_year_is_this_years_or_refused():
    now = datetime(2026, 11, 23, 10, 0, tzinfo=SH)
    assert typed_time("11.25", now, past=False).date() == date(2026, 11, 25)
    assert typed_time("21日", now, past=False).date() == date(2026, 12, 21)  # next 21st
    for text in ("11.20", "11月20日", "Nov 20"):
        with pytest.raises(InputError, match=f"^{text} is past; give the year if you mean 2027$"):
            typed_time(text, now, past=False)
    assert typed_time("2027-11-20", now, past=False).date() == date(2027, 11, 20)


def test_date_option_forms():
    clock = Clock("Asia/Shanghai", "2026-11-23 10:00")
    assert clock.parse_day("11.20") == date(2026, 11, 20)
    assert clock.parse_day("Nov 20") == date(2026, 11, 20)
    with pytest.raises(InputError, match="11.25 is still to come"):
        clock.parse_day("11.25")
    with pytest.raises(InputError, match="'someday' is not a date"):
        clock.parse_day("someday")


def test_unknown_zone():
    with pytest.raises(InputError, match="unknown time zone"):
        zone("Mars/Olympus")


# --- export times -----------------------------------------------------------------


def test_export_times_fast_and_loose_forms():
    conv = LocalToUtc("Asia/Shanghai")
    assert conv("2026-11-23 10:20:30") == "2026-11-23T02:20:30Z"
    assert conv("2026-11-23 03:20:30") == "2026-11-22T19:20:30Z"  # crosses midnight
    assert conv("2026/11/23 10:20") == "2026-11-23T02:20:00Z"
    assert conv("2026/1/3 9:05") == "2026-01-03T01:05:00Z"
    assert conv("") is None
    for bad in ("2026-11-31 10:00:00", "yesterday", "2026-11-23 10:61"):
        with pytest.raises(ValueError):
            conv(bad)


@pytest.mark.parametrize("text", [
    "2026年11月23日 10:20:30", "2026年11月23日 上午10:20:30", "2026年11月23日10时20分30秒",
    "11/23/2026 10:20:30 AM", "Nov 23, 2026 10:20:30", "2026-11-23T02:20:30Z",
    "2026-11-23T10:20:30+08:00", "20261123102030", "2026.11.23 10:20:30.500",
])
def test_export_times_in_other_platforms_forms(text):
    """After the fast forms fail: Chinese dates and parts of the day, then dateutil."""
    assert LocalToUtc("Asia/Shanghai")(text) == "2026-11-23T02:20:30Z"


@pytest.mark.parametrize("text", ["11月23日 10:20", "Nov 23 10:20", "1732345800", "下午"])
def test_export_times_need_a_year_and_a_day(text):
    with pytest.raises(ValueError):
        LocalToUtc("Asia/Shanghai")(text)


def test_export_times_in_a_zone_with_half_hour_offset():
    conv = LocalToUtc("Asia/Kolkata")  # +05:30: the hour cache can't be used
    assert conv("2026-11-23 10:20:30") == "2026-11-23T04:50:30Z"


# --- the manuals' date forms -------------------------------------------------------------


@pytest.mark.parametrize("text, at, expected_value, has_time", [
    ("2014年8月25日11:43:42", ref(2014, 8, 26), datetime(2014, 8, 25, 11, 43, 42, tzinfo=SH), True),
    ("2014年8月25日", ref(2015, 1, 1), date(2014, 8, 25), False),
    ("2015.03.09", ref(2015, 3, 10), date(2015, 3, 9), False),
    ("2014.8.25", ref(2014, 8, 25), date(2014, 8, 25), False),
    ("2014-08-25 11:43", ref(2014, 8, 25), datetime(2014, 8, 25, 11, 43, tzinfo=SH), True),
    ("8.25", ref(2014, 8, 26), date(2014, 8, 25), False),
    ("12.25", ref(2027, 1, 2), date(2026, 12, 25), False),   # nearest: last year's
    ("1.3", ref(2026, 12, 30), date(2027, 1, 3), False),     # nearest: next year's
    ("8月25日", ref(2014, 8, 20), date(2014, 8, 25), False),
    ("25日", ref(2026, 11, 20), date(2026, 11, 25), False),
    ("3日", ref(2026, 11, 29), date(2026, 12, 3), False),     # nearest: next month
    ("２０１５．０３．０９", ref(2015, 3, 10), date(2015, 3, 9), False),  # full width
])
def test_manual_date_forms(text, at, expected_value, has_time):
    found = parse_manual_date(text, at)
    assert found.value == expected_value
    assert found.has_time is has_time


def test_day_only_prefer_future_for_holds():
    # written on the 28th, "25日发货" means next month's 25th
    found = find_manual_date("25日发货", ref(2026, 11, 28), prefer="future")
    assert found.value == date(2026, 12, 25)
    assert find_manual_date("25日发货", ref(2026, 11, 28)).value == date(2026, 11, 25)


def test_dates_inside_remarks():
    text = "退货/换货,换37码/更改地址XXXX 2014年8月25日11:43:42 # 倩"
    found = find_manual_date(text, ref(2014, 8, 25))
    assert found.value == datetime(2014, 8, 25, 11, 43, 42, tzinfo=SH)
    assert text[found.start:found.end] == "2014年8月25日11:43:42"
    assert find_manual_date("申通 倩 8.25", ref(2014, 8, 25)).value == date(2014, 8, 25)


def test_prices_and_sizes_are_not_dates():
    assert find_manual_date("活动价108.50元,实付128.00元", ref(2026, 11, 23)) is None
    assert find_manual_date("换37码 发顺丰", ref(2026, 11, 23)) is None
    assert find_manual_date("碳素钓鱼竿 2.7米", ref(2026, 11, 23)) is None
    assert find_manual_date("打9.5折", ref(2026, 11, 23)) is None
    assert find_manual_date("¥12.50", ref(2026, 11, 23)) is None


def test_all_dates_in_order():
    found = list(iter_manual_dates("2015.03.09 顾客说3月12日付款", ref(2015, 3, 9)))
    assert [f.value for f in found] == [date(2015, 3, 9), date(2015, 3, 12)]


def test_invalid_calendar_dates_are_ignored():
    assert find_manual_date("2014.2.30", ref(2014, 2, 1)) is None
    with pytest.raises(InputError):
        parse_manual_date("tomorrow", ref(2014, 2, 1))


def test_the_usual_forms_are_read_without_the_patterns_and_read_the_same():
    """``HH:MM`` (a dozen in every cron run) and ``--now YYYY-MM-DD HH:MM`` are read by
    hand, without compiling their patterns: whatever they are given, what the pattern
    would read, they read the same, and refuse what it refuses."""
    import itertools
    import random
    from datetime import datetime

    from cstool.core import clock, text
    from cstool.core.errors import InputError

    def by_pattern(s):
        m = text._HHMM.match(s.strip())
        if not m:
            return "refused"
        value = int(m.group(1)) * 60 + int(m.group(2) or 0)
        return "past" if value > 24 * 60 else value

    def read(s):
        try:
            return text.minutes(s)
        except InputError as e:
            return "past" if "24:00" in str(e) else "refused"

    for chars in itertools.product("0125679:٣ ", repeat=5):
        s = "".join(chars)
        assert read(s) == by_pattern(s), s
    rng = random.Random(15)
    for _ in range(20000):
        s = list("2026-11-23 15:00")
        for _k in range(rng.randint(0, 3)):
            s[rng.randrange(16)] = rng.choice("0123456789-/ :T٣x")
        s = "".join(s)
        m = clock._LOCAL_RE.match(s)
        if m and m.group(7):
            continue  # an offset: the pattern's path alone
        try:
            got = clock.parse_local(s)
        except InputError:
            got = None
        want = None
        if m:
            y, mo, d, hh, mi, ss, _off = m.groups()
            try:
                naive = datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0),
                                 int(ss or 0))
                want = naive.replace(tzinfo=clock.zone("Asia/Shanghai")) \
                    if clock.year_ok(naive.year) else None
            except ValueError:
                pass
        assert got == want, s


@pytest.mark.parametrize("text", ["2026-11-23T10:00:00-75:00", "2026-11-23T10:00:00+24:00",
                                  "2026-11-23T10:00:00+05:75"])
def test_an_offset_no_zone_has_is_a_clear_error(run, env, text):
    """No zone is a day or more off UTC, and an offset's minutes stop at 59: such an
    offset is refused like any bad time, in one line naming the value and what an offset
    may be, never an internal error (nor read as another offset: +05:75 is not +06:15)."""
    from cstool.core.clock import parse_local
    from cstool.core.errors import InputError

    with pytest.raises(InputError, match="no time zone's offset"):
        parse_local(text)
    for lang, head in (("en", "Error: "), ("zh", "错误: ")):
        r = run(["--now", text, "chase", "due"], check=2, env={"CSTOOL_LANG": lang})
        assert "Traceback" not in r.stderr and "internal" not in r.stderr
        last = r.stderr.strip().splitlines()[-1]
        assert last.startswith(head) and text in last and "23:59" in last, last
        assert ("时区的偏移" in last and "offset" not in last) if lang == "zh" else \
            "no time zone's offset" in last, last
