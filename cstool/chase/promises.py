"""When a buyer said they would pay: a chase's promise (明天上午, 8点半, 两小时后 …) as a
time, read in the shop's zone at the moment of the chase."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Optional

from cstool.core.clock import find_manual_date, normalise_width

_CN_NUM = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9, "十": 10}
_DAYS = (("大后天", 3), ("后天", 2), ("明天", 1), ("明日", 1), ("明早", 1), ("明晚", 1),
         ("今天", 0), ("今日", 0), ("今晚", 0), ("今早", 0))
# A part of the day → the time by which the buyer said they would have paid.
_PARTS = (("凌晨", 6, 0), ("早上", 10, 0), ("早", 10, 0), ("上午", 12, 0), ("中午", 14, 0),
          ("下午", 18, 0), ("傍晚", 19, 0), ("晚上", 22, 0), ("晚", 22, 0), ("下班", 20, 0))
_PM_PARTS = ("下午", "傍晚", "晚上", "晚", "下班")
_PATTERNS = {
    "hour": r"(\d{1,2}|[零一二两三四五六七八九十]{1,3})\s*[点:：时]\s*(半|(\d{1,2})\s*分?)?",
    "soon": r"马上|立刻|立即|现在|一会|待会|等会|稍后|等下|晚点",
    "in": r"(\d{1,3}|[一二两三四五六七八九十半]{1,3})\s*(分钟|个?小时|个?钟头?)\s*(后|内|以内|之内)?",
    "week": r"(?:周|星期|礼拜)([一二三四五六日天])",
}
DEFAULT_PROMISE_HOUR = 20  # a day without a time: by the evening


def _rx(name: str) -> re.Pattern:
    # Compiled on first use: the queue rarely needs them and must start fast.
    return re.compile(_PATTERNS[name])


def _cn_int(s: str) -> Optional[int]:
    if s.isdigit():
        return int(s)
    if s == "半":
        return None
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_NUM.get(s[1:], 0)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return _CN_NUM.get(tens, 0) * 10 + (_CN_NUM.get(ones, 0) if ones else 0)
    return _CN_NUM.get(s)


def promise_due(text: str, now: datetime) -> Optional[datetime]:
    """When a buyer's promise falls due (``明天下午`` → tomorrow 18:00), or None.

    Reads days (今天, 明天, 后天, 周五, 11.25, 25号), parts of the day (上午,
    下午, 晚上), hours (3点, 下午三点半), and "soon" (马上, 一会儿, 2小时后).
    ``now`` is aware, in shop time. Anything else is not guessed: None.
    """
    s = normalise_width(text or "").replace(" ", "")
    if not s:
        return None
    m = _rx("in").search(s)
    if m:
        n = 0.5 if m.group(1) == "半" else _cn_int(m.group(1))
        if n:
            minutes = n if m.group(2) == "分钟" else n * 60
            return now + timedelta(minutes=minutes)
    day_offset: Optional[int] = None
    for word, off in _DAYS:
        if word in s:
            day_offset = off
            break
    day = None
    if day_offset is not None:
        day = now.date() + timedelta(days=day_offset)
    else:
        w = _rx("week").search(s)
        if w:
            target = "一二三四五六日".find(w.group(1)) if w.group(1) != "天" else 6
            day = now.date() + timedelta(days=(target - now.weekday()) % 7)
        else:
            md = find_manual_date(s, now, prefer="future")
            if md is not None:
                day = md.value.date() if isinstance(md.value, datetime) else md.value
    part = next(((h, mi, w) for w, h, mi in _PARTS if w in s), None)
    hour = _rx("hour").search(s)
    hm: Optional[tuple[int, int]] = None
    if hour:
        h = _cn_int(hour.group(1))
        if h is not None and h <= 24:
            mi = 30 if hour.group(2) == "半" else int(hour.group(3) or 0)
            if part and part[2] in _PM_PARTS and h < 12:
                h += 12
            hm = (h % 24, min(mi, 59))
    elif part:
        hm = (part[0], part[1])
    if day is None and hm is None:
        if _rx("soon").search(s):
            return now + timedelta(hours=1)
        return None

    def at(d, h: int, mi: int) -> datetime:
        return datetime(d.year, d.month, d.day, h, mi, tzinfo=now.tzinfo)

    if day is not None:
        h, mi = hm or (DEFAULT_PROMISE_HOUR, 0)
        return at(day, h, mi)
    h, mi = hm
    today = now.date()
    if at(today, h, mi) > now:
        return at(today, h, mi)
    if hour and not part and h < 12 and at(today, h + 12, mi) > now:
        return at(today, h + 12, mi)  # "8点" said in the afternoon: tonight
    return at(today + timedelta(days=1), h, mi)
