"""Shift handover (交接): items, the handover sheet, and receipts read back.

An agent registers an item (category, buyer, order, problem, what must be
done). At the end of a shift :func:`build_sheet` gathers the shift's items,
older items nobody has acknowledged yet, and what the journal knows is still
open (holds due, and the rows of the chase, shipcheck and exception modules),
sorted by category as manual 002 asks. The sheet goes out as xlsx, CSV,
Markdown or JSON; the next shift fills in the receipt column (回执) and
:func:`import_receipts` records each receipt against its item by id.

Journal rows are copied into ``handover_items`` when a sheet is exported, so
they have ids the receipts can find; re-exporting reuses the open item of the
same ``ref``.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import IO, Any, Callable, Optional

from cstool.core.clock import to_db
from cstool.core.errors import BadUsage, InputError, NotFound
from cstool.core.limits import MAX_ROW_ID, MAX_YEAR, MIN_YEAR, ascii_digits, order_number
from cstool.core.output import csv_cell
from cstool.core.values import FreeText, Instant, Phone, reveal_or_mask
from cstool.core.vocab import Vocabulary

MIN_TEXT, MAX_TEXT = str(MIN_YEAR), str(MAX_YEAR)

# The night sheet's categories (002) first, then the midday handover's (000);
# a sheet is sorted in this order.
CATEGORY = Vocabulary("handover category", {
    "courier": ["联系快递", "快递"],
    "aftersale": ["联系售后", "售后"],
    "external": ["联系外网", "外网"],
    "distribution": ["联系分销", "分销"],
    "callback": ["回访", "电话回访", "需回访"],
    "complaint": ["客诉", "投诉", "未处理客诉"],
    "promotion": ["促销", "促销商品", "当日促销"],
    "lost_property": ["遗失物品", "失物", "顾客遗失物品"],
    "meeting": ["晨会", "晨会内容", "例会"],
    "shipping": ["跟进发货", "发货", "审单"],
})
# Categories whose items the next shift must act on for a buyer: manual 002
# says such a handover always carries the buyer's id and what to do.
NEEDS_BUYER = ("courier", "aftersale", "external", "distribution")

SHIFT = Vocabulary("shift", {
    "day": ["白班", "早班"],
    "mid": ["中班", "半白班", "午班"],
    "night": ["晚班", "夜班"],
})

# Where a sheet row comes from, as the 来源 column says it.
FROM_LABEL = {"shift": "本班", "carried": "遗留", "journal": "日志"}

# Journal sources: name -> "module:function(journal, clock, policy) -> list[dict]".
# Modules not installed yet are skipped, so features can land in any order.
SOURCES: dict[str, str] = {
    "exception": "cstool.cases.cases:handover_rows",
    "chase": "cstool.chase.chase:handover_rows",
    "shipcheck": "cstool.shipcheck.checks:handover_rows",
    "holds": "cstool.handover.handover:hold_rows",
}

# The sheet's columns: key, header (manual 002's words), xlsx width.
COLUMNS: list[tuple[str, str, int]] = [
    ("id", "编号", 7),
    ("category", "类别", 10),
    ("buyer", "买家", 18),
    ("order_id", "订单编号", 22),
    ("phone", "联系电话", 14),
    ("problem", "问题", 40),
    ("todo", "待办", 30),
    ("due_at", "期限", 17),
    ("photos", "图片", 26),
    ("from", "来源", 16),
    ("created_by", "登记人", 8),
    ("created_at", "登记时间", 17),
    ("receipt", "回执", 32),
]
HEADERS = [h for _, h, _ in COLUMNS]
# Header names a receipt import accepts for the columns it reads.
_ID_HEADERS = ("编号", "id", "item", "item_id")
_RECEIPT_HEADERS = ("回执", "receipt")
_ORDER_HEADERS = ("订单编号", "order_id", "order")

FORMATS = ("xlsx", "csv", "md", "json")


# --- shifts ------------------------------------------------------------------------

_HM = re.compile(r"^([01]?\d|2[0-4])(?::([0-5]\d))?$")


def _minute(text: str, what: str) -> int:
    m = _HM.match(text.strip())
    if not m or int(m.group(1)) * 60 + int(m.group(2) or 0) > 24 * 60:
        raise InputError(f"shift {what}: {text!r} is not a time of day; use HH:MM")
    return int(m.group(1)) * 60 + int(m.group(2) or 0)


def _hm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_shifts(text: Any) -> dict[str, str]:
    """``day=09:00-17:30,night=17:30-23:30`` (or a JSON object) → ``{"day": "09:00-17:30", …}``.

    Names may be Chinese (白班, 晚班). A shift ending before it starts runs
    past midnight (``night=18:00-01:00``). Returned in order of start.
    """
    if isinstance(text, dict):
        pairs = [(str(k), str(v)) for k, v in text.items()]
    else:
        s = str(text).strip()
        if s.startswith("{"):
            try:
                pairs = [(str(k), str(v)) for k, v in json.loads(s).items()]
            except (ValueError, AttributeError):
                raise InputError(f"{text!r} is not a JSON object of shift: HH:MM-HH:MM") from None
        else:
            pairs = []
            for part in re.split(r"[,，;\s]+", s):
                if not part:
                    continue
                name, sep, window = part.partition("=")
                if not sep:
                    raise InputError(f"{part!r} is not shift=HH:MM-HH:MM (e.g. night=17:30-23:30)")
                pairs.append((name, window))
    shifts: dict[str, tuple[int, int]] = {}
    for name, window in pairs:
        canon = SHIFT(name)
        if canon in shifts:
            raise InputError(f"shift {canon} is given twice")
        a, sep, b = window.replace("–", "-").replace("~", "-").partition("-")
        if not sep:
            raise InputError(f"shift {canon}: {window!r} is not HH:MM-HH:MM")
        start, end = _minute(a, canon), _minute(b, canon)
        if start >= 24 * 60:
            raise InputError(f"shift {canon} starts at {a.strip()}; a shift starts before 24:00")
        if start == end % (24 * 60):
            raise InputError(f"shift {canon}: {window!r} starts and ends at the same time")
        shifts[canon] = (start, end)
    if not shifts:
        raise InputError("give at least one shift, e.g. day=09:00-17:30,night=17:30-23:30")
    starts = [s for s, _ in shifts.values()]
    if len(set(starts)) != len(starts):
        raise InputError("two shifts start at the same time")
    ordered = sorted(shifts.items(), key=lambda kv: kv[1][0])
    return {name: f"{_hm(s)}-{_hm(e)}" for name, (s, e) in ordered}


@dataclass(frozen=True)
class Shift:
    """One occurrence of a shift. Its sheet covers ``[start, end)``: from its
    start to the next shift's start, so a night that runs past midnight
    belongs to the date it started."""

    name: str
    date: date
    start: datetime
    end: datetime
    hours: str

    @property
    def label(self) -> str:
        return SHIFT.label(self.name)

    def as_dict(self) -> dict:
        return {"shift": self.name, "label": self.label, "date": self.date.isoformat(),
                "hours": self.hours, "start": Instant(to_db(self.start)),
                "end": Instant(to_db(self.end))}


def shift_table(policy) -> list[tuple[str, int, str]]:
    """``[(name, start minute, "HH:MM-HH:MM"), …]`` in order of start."""
    shifts = parse_shifts(policy.get("handover.shifts"))
    return [(name, _minute(hours.split("-")[0], name), hours) for name, hours in shifts.items()]


def _at(day: date, minute: int, tz) -> datetime:
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz)


def _occurrence(table, i: int, day: date, tz) -> Shift:
    name, start, hours = table[i]
    if i + 1 < len(table):
        end = _at(day, table[i + 1][1], tz)
    else:
        end = _at(day + timedelta(days=1), table[0][1], tz)
    return Shift(name, day, _at(day, start, tz), end, hours)


def current_shift(clock, policy, at: Optional[datetime] = None) -> Shift:
    """The shift in progress: the last one that has started (yesterday's last after midnight)."""
    now = (at or clock.now()).astimezone(clock.tz)
    table = shift_table(policy)
    minute = now.hour * 60 + now.minute
    started = [i for i, row in enumerate(table) if row[1] <= minute]
    if started:
        return _occurrence(table, started[-1], now.date(), clock.tz)
    return _occurrence(table, len(table) - 1, now.date() - timedelta(days=1), clock.tz)


def resolve_shift(clock, policy, name: Optional[str] = None,
                  day: Optional[date] = None) -> Shift:
    """``--shift``/``--date`` → a :class:`Shift`.

    Neither: the shift in progress. A shift alone: its latest start up to now.
    A date alone: that date's occurrence of the shift in progress.
    """
    table = shift_table(policy)
    names = [row[0] for row in table]
    if name is not None:
        name = SHIFT(name)
        if name not in names:
            known = ", ".join(f"{n} ({SHIFT.label(n)}) {h}" for n, _, h in table)
            raise BadUsage(f"the shop has no {name} shift ({SHIFT.label(name)}); "
                             f"policy handover.shifts has: {known}")
    if day is None:
        current = current_shift(clock, policy)
        if name is None or name == current.name:
            return current
        i = names.index(name)
        occ = _occurrence(table, i, clock.today(), clock.tz)
        if occ.start > clock.now():
            occ = _occurrence(table, i, clock.today() - timedelta(days=1), clock.tz)
        return occ
    if name is None:
        name = current_shift(clock, policy).name
    return _occurrence(table, names.index(name), day, clock.tz)


# --- items -------------------------------------------------------------------------

_PHONE_RE = re.compile(r"\+?[0-9][0-9 \-]{4,19}")


def clean_order_id(text: Any) -> Optional[str]:
    """An order number as text; ``="…"`` (Taobao/Excel) unwrapped. None when blank."""
    if text is None:
        return None
    s = str(text).strip()
    if s.startswith('="') and s.endswith('"'):
        s = s[2:-1].strip()
    s = s.strip("'").strip()
    if not s:
        return None
    if re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", s):
        raise InputError(f"order number {text!r} was turned into a number by a spreadsheet; "
                         "copy it from the order page")
    try:
        return order_number(s)
    except ValueError as e:
        raise InputError(str(e)) from None


def _required(text: Optional[str], what: str) -> str:
    s = (text or "").strip()
    if not s:
        raise BadUsage(f"{what} is empty; say what it is")
    return s


def _optional(text: Optional[str]) -> Optional[str]:
    s = (text or "").strip()
    return s or None


def _phone(text: Optional[str]) -> Optional[str]:
    s = _optional(text)
    if s is None:
        return None
    if not _PHONE_RE.fullmatch(s):
        raise BadUsage(f"--phone {text!r} is not a phone number")
    return s


def _inst(v: Optional[str]) -> Optional[Instant]:
    return Instant(v) if v else None


_ITEM_SQL = ("SELECT i.*, (SELECT group_concat(p.path, char(10)) FROM handover_photos p "
             "WHERE p.item_id = i.id) AS photo_paths FROM handover_items i")


def _item(r) -> dict:
    """A handover_items row as the contract's item object (plus a few keys)."""
    return {
        "id": r["id"],
        "category": r["category"],
        "buyer": r["buyer"],
        "order_id": r["order_id"],
        "phone": Phone(r["phone"]) if r["phone"] else None,
        "problem": FreeText(r["problem"]),
        "todo": FreeText(r["todo"]) if r["todo"] else None,
        "due_at": _inst(r["due_at"]),
        "photos": r["photo_paths"].split("\n") if r["photo_paths"] else [],
        "source": r["source"],
        "ref": r["ref"],
        "created_by": r["created_by"],
        "created_at": Instant(r["created_at"]),
        "receipt": FreeText(r["receipt"]) if r["receipt"] is not None else None,
        "acked_by": r["acked_by"],
        "acked_at": _inst(r["acked_at"]),
        "resolved_at": _inst(r["resolved_at"]),
        "resolved_note": r["resolved_note"],
    }


def get(journal, item_id: int) -> dict:
    row = journal.one(_ITEM_SQL + " WHERE i.id = ?", [int(item_id)]) \
        if 0 < int(item_id) <= MAX_ROW_ID else None
    if row is None:
        raise NotFound(f"no handover item {item_id}")
    return _item(row)


def add(journal, *, category: str, problem: str, agent: str, now_db: str,
        todo: Optional[str] = None, order_id: Optional[str] = None,
        buyer: Optional[str] = None, phone: Optional[str] = None,
        photos: Sequence[str] = ()) -> dict:
    """Register an item; photos are copied into ``evidence/`` named by the buyer's id.

    With a known order the buyer comes from it (and a different ``buyer`` is
    refused: it is the wrong order or the wrong account).
    """
    from cstool.core import evidence

    category = CATEGORY(category)
    problem = _required(problem, "--problem")
    todo = _optional(todo)
    order_id = clean_order_id(order_id)
    buyer = _optional(buyer)
    phone = _phone(phone)
    if order_id:
        row = journal.one("SELECT buyer FROM orders WHERE order_id = ?", [order_id])
        if row is not None and row["buyer"]:
            if buyer is None:
                buyer = row["buyer"]
            elif buyer != row["buyer"]:
                raise InputError(f"order {order_id} was placed by {row['buyer']}, not {buyer}; "
                                 "check the order number and the buyer")
    if category in NEEDS_BUYER and (buyer is None or todo is None):
        label = CATEGORY.label(category)
        raise BadUsage(f"{label} ({category}) items need the buyer (--buyer, or an --order "
                         "the journal knows) and what must be done (--todo): the next shift "
                         "cannot act without them")
    for p in photos:
        evidence.check(p)
    if photos:
        evidence.sweep(journal)
    copied: list[str] = []
    try:
        with journal.write():
            item_id = journal.execute(
                "INSERT INTO handover_items (category, buyer, order_id, phone, problem, todo, "
                "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [category, buyer, order_id, phone, problem, todo, agent, now_db]).lastrowid
            for p in photos:
                info = evidence.store(journal.path, p, buyer=buyer or "unknown",
                                      ref=f"handover{item_id}")
                copied.append(info["path"])
                journal.execute(
                    "INSERT INTO handover_photos (item_id, path, sha256, bytes, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [item_id, info["path"], info["sha256"], info["bytes"], now_db])
    except BaseException:
        for rel in copied:
            evidence.remove(journal.path, rel)
        raise
    evidence.publish(journal.path, copied)
    return get(journal, item_id)


def order_known(journal, order_id: Optional[str]) -> bool:
    if not order_id:
        return True
    return journal.one("SELECT 1 FROM orders WHERE order_id = ?", [order_id]) is not None


def list_items(journal, *, open_only: bool = False, since: Optional[str] = None,
               until: Optional[str] = None, category: Optional[str] = None,
               order_id: Optional[str] = None, limit: Optional[int] = None) -> list[dict]:
    """Items oldest first; ``since``/``until`` are journal instants on the registration time."""
    where, params = [], []
    if open_only:
        where.append("i.acked_at IS NULL AND i.resolved_at IS NULL")
    if since:
        where.append("i.created_at >= ?")
        params.append(since)
    if until:
        where.append("i.created_at < ?")
        params.append(until)
    if category:
        where.append("i.category = ?")
        params.append(CATEGORY(category))
    if order_id:
        where.append("i.order_id = ?")
        params.append(order_id)
    sql = _ITEM_SQL
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY i.created_at, i.id"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [_item(r) for r in journal.query(sql, params)]


def open_items(journal) -> list[dict]:
    """Items nobody has acknowledged (for reminders)."""
    return list_items(journal, open_only=True)


def ack(journal, item_ids: Iterable[int], receipt: str, agent: str, now_db: str,
        replace: bool = False) -> list[dict]:
    """Record the receipt on each item. The same receipt again changes nothing; a
    different one is refused unless ``replace``. All items or none."""
    receipt = _required(receipt, "--receipt")
    ids = list(dict.fromkeys(int(i) for i in item_ids))
    with journal.write():
        for item_id in ids:
            row = journal.one("SELECT receipt, acked_by, acked_at FROM handover_items "
                              "WHERE id = ?", [item_id]) if 0 < item_id <= MAX_ROW_ID else None
            if row is None:
                raise NotFound(f"no handover item {item_id}; see: cstool handover list --open")
            if row["receipt"] == receipt:
                continue
            if row["receipt"] is not None and not replace:
                raise InputError(
                    f"item {item_id} already has the receipt {row['receipt']!r} "
                    f"({row['acked_by']}); give --replace to change it")
            journal.execute("UPDATE handover_items SET receipt = ?, acked_by = ?, acked_at = ? "
                            "WHERE id = ?", [receipt, agent, now_db, item_id])
    return [get(journal, i) for i in ids]


# --- journal rows ------------------------------------------------------------------


def _load_source(target: str) -> Optional[Callable]:
    module, _, attr = target.partition(":")
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        # Only the source module itself missing means "not built yet"; a missing
        # import inside it is a real failure and is reported.
        if e.name and (module == e.name or module.startswith(e.name + ".")):
            return None
        raise
    return getattr(mod, attr, None)


def _due_db(value: Any) -> Optional[str]:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_db(value)
    s = str(value)
    if len(s) == 20 and s.endswith("Z"):
        return s
    return to_db(datetime.fromisoformat(s))


def _journal_row(row: dict, source: str) -> dict:
    ref = str(row.get("ref") or "").strip()
    if not ref:
        raise ValueError(f"a row without a ref: {row!r}")
    category = str(row.get("category") or "").strip()
    return {
        "ref": ref,
        "source": source,
        "category": CATEGORY.get(category) or category or "other",
        "buyer": _optional(row.get("buyer")),
        "order_id": _optional(str(row["order_id"]) if row.get("order_id") else None),
        "problem": _optional(row.get("problem")) or ref,
        "todo": _optional(row.get("todo")),
        "due_at": _due_db(row.get("due_at")),
    }


def collect(journal, clock, policy,
            sources: Optional[dict[str, str]] = None) -> tuple[dict[str, list[dict]], list[str]]:
    """Every present journal source's rows, by source; and warnings for those that failed.

    A failing source must not stop the sheet at 23:30: its rows are missing
    and the warning says so.
    """
    collected: dict[str, list[dict]] = {}
    warnings: list[str] = []
    for name, target in (SOURCES if sources is None else sources).items():
        try:
            fn = _load_source(target)
            if fn is None:
                continue
            rows, seen = [], set()
            for raw in fn(journal, clock, policy) or []:
                row = _journal_row(dict(raw), name)
                if row["ref"] not in seen:
                    seen.add(row["ref"])
                    rows.append(row)
        except Exception as e:
            warnings.append(f"open items from {name} are missing from the sheet "
                            f"({type(e).__name__}: {e})")
            continue
        collected[name] = rows
    # One matter, one row: a hold whose date has come is both a hold row and shipcheck's
    # hold_due; the hold's row (with its date and memo) is the one kept.
    held = {r["order_id"] for r in collected.get("holds", ())}
    if held and "shipcheck" in collected:
        collected["shipcheck"] = [r for r in collected["shipcheck"] if r["order_id"] not in held]
    return collected, warnings


def persist(journal, collected: dict[str, list[dict]], agent: str, now_db: str) -> list[int]:
    """Copy journal rows into items (reusing the open item of each ref); resolve the
    open items of a source that it no longer reports. Returns the items' ids."""
    ids: list[int] = []
    with journal.write():
        for source, rows in collected.items():
            keep: list[int] = []
            for r in rows:
                existing = journal.one(
                    "SELECT id FROM handover_items WHERE ref = ? AND acked_at IS NULL "
                    "AND resolved_at IS NULL", [r["ref"]])
                values = [r["category"], r["buyer"], r["order_id"], r["problem"], r["todo"],
                          r["due_at"], source]
                if existing:
                    item_id = existing["id"]
                    journal.execute(
                        "UPDATE handover_items SET category = ?, buyer = ?, order_id = ?, "
                        "problem = ?, todo = ?, due_at = ?, source = ? WHERE id = ?",
                        values + [item_id])
                else:
                    item_id = journal.execute(
                        "INSERT INTO handover_items (category, buyer, order_id, problem, todo, "
                        "due_at, source, ref, created_by, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        values + [r["ref"], agent, now_db]).lastrowid
                keep.append(item_id)
            journal.execute(
                "UPDATE handover_items SET resolved_at = ?, "
                "resolved_note = 'no longer open in the journal' "
                "WHERE source = ? AND acked_at IS NULL AND resolved_at IS NULL "
                "AND id NOT IN (SELECT value FROM json_each(?))",
                [now_db, source, json.dumps(keep)])
            ids.extend(keep)
    return ids


def hold_rows(journal, clock, policy) -> list[dict]:
    """Open ship-on-a-date and presale holds due by the next working day.

    "Tomorrow" is the day after the shift in progress, so a night sheet
    written after midnight still means the morning that follows it.
    """
    shift = current_shift(clock, policy)
    tomorrow = shift.date + timedelta(days=1)
    rows = journal.query(
        "SELECT h.id, h.kind, h.until, h.note, h.order_id, o.buyer FROM holds h "
        "JOIN orders o ON o.order_id = h.order_id "
        "WHERE h.released_at IS NULL AND h.kind IN ('until', 'presale') AND h.until <= ? "
        "AND o.status NOT IN ('shipped', 'signed', 'finished', 'closed') "
        "ORDER BY h.until, h.id", [tomorrow.isoformat()])
    out = []
    for r in rows:
        if not MIN_TEXT <= r["until"][:4] <= MAX_TEXT:
            continue  # a date from an older cstool no shop could mean: shipcheck names it
        until = date.fromisoformat(r["until"])
        what = "预售" if r["kind"] == "presale" else "挂起"
        problem = f"{what}至{r['until']}发货" + (f": {r['note']}" if r["note"] else "")
        todo = ("明天到期, 安排发货" if until == tomorrow else "已到期, 尽快安排发货")
        out.append({"ref": f"hold:{r['id']}", "category": "shipping", "buyer": r["buyer"],
                    "order_id": r["order_id"], "problem": problem, "todo": todo,
                    "due_at": Instant(to_db(clock.start_of(until)))})
    return out


# --- the sheet ---------------------------------------------------------------------


@dataclass
class Sheet:
    shop: str
    shift: Shift
    agent: str
    generated_at: str
    rows: list[dict]
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in FROM_LABEL}
        for r in self.rows:
            out[r["from"]] += 1
        return out

    def title(self, clock) -> str:
        shop = f"{self.shop} " if self.shop else ""
        return (f"{shop}工作交接记录表 · {self.shift.label} {self.shift.date.isoformat()} "
                f"{self.shift.hours} · 交接人 {self.agent} · 导出 {clock.short(self.generated_at)}")


def _category_rank(category: str) -> int:
    try:
        return CATEGORY.values.index(category)
    except ValueError:
        return len(CATEGORY.values)


_FROM_RANK = {"shift": 0, "carried": 1, "journal": 2}


def build_sheet(journal, clock, policy, shift: Shift, agent: str, now_db: str, *,
                include_journal: bool = True,
                sources: Optional[dict[str, str]] = None) -> Sheet:
    """The shift's sheet: its items, older open items, and the journal's open rows.

    Writes (journal rows become items), so call it inside the command's
    transaction when the sheet is written to a file.
    """
    start, end = to_db(shift.start), to_db(shift.end)
    with journal.write():
        warnings: list[str] = []
        journal_ids: list[int] = []
        if include_journal:
            collected, warnings = collect(journal, clock, policy, sources)
            journal_ids = persist(journal, collected, agent, now_db)
        rows = []
        for r in journal.query(_ITEM_SQL + " WHERE i.source = 'manual' AND i.created_at < ? "
                               "AND (i.created_at >= ? OR (i.acked_at IS NULL "
                               "AND i.resolved_at IS NULL))", [end, start]):
            item = _item(r)
            item["from"] = "shift" if r["created_at"] >= start else "carried"
            rows.append(item)
        if journal_ids:
            for r in journal.query(_ITEM_SQL + " WHERE i.id IN (SELECT value FROM json_each(?))",
                                   [json.dumps(journal_ids)]):
                item = _item(r)
                item["from"] = "journal"
                rows.append(item)
    # Within a category: this shift's items, then older ones, then the journal's,
    # most urgent first.
    rows.sort(key=lambda r: (_category_rank(r["category"]), _FROM_RANK[r["from"]],
                             r["due_at"] or "~", r["id"]))
    return Sheet(shop=policy.get("shop_name") or "", shift=shift, agent=agent,
                 generated_at=now_db, rows=rows, warnings=warnings)


def _cells(row: dict, clock, reveal: bool) -> dict[str, Any]:
    """One sheet row as the text a person reads (masked unless ``reveal``)."""
    source = FROM_LABEL[row["from"]]
    if row["from"] == "journal" and row["ref"]:
        source = f"{source} {row['ref']}"
    receipt = row["receipt"]
    return {
        "id": row["id"],
        "category": CATEGORY.label(row["category"]),
        "buyer": row["buyer"] or "",
        "order_id": row["order_id"] or "",
        "phone": reveal_or_mask(row["phone"], reveal) or "",
        "problem": reveal_or_mask(row["problem"], reveal),
        "todo": reveal_or_mask(row["todo"], reveal) or "",
        "due_at": clock.short(row["due_at"]),
        "photos": "\n".join(os.path.basename(p) for p in row["photos"]),
        "from": source,
        "created_by": row["created_by"],
        "created_at": clock.short(row["created_at"]),
        "receipt": reveal_or_mask(receipt, reveal) if receipt is not None else "",
    }


def _xlsx_text(value: Any) -> Any:
    """A cell value an xlsx can hold: control characters (a stray backspace in a
    typed problem) are dropped, as Excel cannot store them."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def write_xlsx(sheet: Sheet, out: IO[bytes], clock, reveal: bool = False) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = f"{sheet.shift.label}{sheet.shift.date.isoformat()}"
    title = sheet.title(clock)
    if sheet.warnings:
        title += " · 注意: " + "; ".join(sheet.warnings)
    ws.append([_xlsx_text(title)])
    ws["A1"].data_type = "s"  # the shop's name and the warnings are text
    ws.append(HEADERS)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws["A1"].font = Font(bold=True, size=13)
    bold = Font(bold=True)
    receipt_fill = PatternFill("solid", fgColor="FFF2CC")
    for i, (key, _, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
        cell = ws.cell(row=2, column=i)
        cell.font = bold
        if key == "receipt":
            cell.fill = receipt_fill
    # Order numbers and phones are text cells: a 19-digit number would be
    # rounded by Excel and never match its order again.
    text_cols = [i for i, (key, _, _) in enumerate(COLUMNS) if key in ("buyer", "order_id",
                                                                        "phone")]
    wrap = Alignment(wrap_text=True, vertical="top")
    photo_col = [k for k, _, _ in COLUMNS].index("photos")
    keys = [k for k, _, _ in COLUMNS]
    for n, row in enumerate(sheet.rows, start=3):
        cells = _cells(row, clock, reveal)
        ws.append([_xlsx_text(cells[k]) if cells[k] != "" else None for k in keys])
        for cell in ws[n]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text someone typed is never a formula
        for i in text_cols:
            ws.cell(row=n, column=i + 1).number_format = "@"
        if "\n" in cells["photos"]:
            ws.cell(row=n, column=photo_col + 1).alignment = wrap
    ws.freeze_panes = "A3"
    last = get_column_letter(len(COLUMNS))
    ws.auto_filter.ref = f"A2:{last}{max(2, len(sheet.rows) + 2)}"
    wb.save(out)


def _csv_order(value: str) -> str:
    # As the seller centre writes them: Excel shows ="…" as text, not 5.11861E+18.
    # Only a real order number goes inside the formula (never a quote or a call).
    if not value:
        return ""
    if not re.fullmatch(r"[0-9A-Za-z_\-]{1,40}", value):
        return csv_cell(value)
    return f'="{value}"'


def write_csv(sheet: Sheet, out: IO[str], clock, reveal: bool = False) -> None:
    """CSV for Excel: the caller opens ``out`` with ``utf-8-sig`` (a BOM)."""
    keys = [k for k, _, _ in COLUMNS]
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(HEADERS)
    for row in sheet.rows:
        cells = {k: csv_cell(v) for k, v in _cells(row, clock, reveal).items()}
        cells["order_id"] = _csv_order(row["order_id"] or "")
        w.writerow([cells[k] for k in keys])


def _md(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace(
        "\n", "<br>")


def write_md(sheet: Sheet, out: IO[str], clock, reveal: bool = False) -> None:
    """Markdown for pasting into chat: a table per category, empty columns left out."""
    counts = sheet.counts()
    out.write(f"## {sheet.title(clock)}\n\n")
    out.write(f"{len(sheet.rows)} 项: 本班 {counts['shift']} · 遗留 {counts['carried']} · "
              f"日志 {counts['journal']}。回执请按编号填写。\n")
    for w in sheet.warnings:
        out.write(f"\n> 注意: {_md(w)}\n")
    groups: dict[str, list[dict]] = {}
    for row in sheet.rows:
        groups.setdefault(row["category"], []).append(_cells(row, clock, reveal))
    for category, cells in groups.items():
        keys = [k for k, _, _ in COLUMNS if k != "category"
                and (k in ("id", "problem", "receipt") or any(c[k] != "" for c in cells))]
        headers = [h for k, h, _ in COLUMNS if k in keys]
        out.write(f"\n### {CATEGORY.label(category)} ({len(cells)})\n\n")
        out.write("| " + " | ".join(headers) + " |\n")
        out.write("|" + "---|" * len(headers) + "\n")
        for c in cells:
            out.write("| " + " | ".join(_md(c[k]) for k in keys) + " |\n")
    if not sheet.rows:
        out.write("\n(没有需要交接的事项)\n")


def sheet_object(sheet: Sheet, renderer) -> dict:
    """The sheet as JSON-ready data (renderer: masking and ISO times)."""
    return renderer.plain({
        "shop": sheet.shop,
        **sheet.shift.as_dict(),
        "agent": sheet.agent,
        "generated_at": Instant(sheet.generated_at),
        "counts": sheet.counts(),
        "warnings": sheet.warnings,
        "items": [{**r, "category_label": CATEGORY.label(r["category"])} for r in sheet.rows],
    })


def write_json(sheet: Sheet, out: IO[str], renderer) -> None:
    out.write(json.dumps(sheet_object(sheet, renderer), ensure_ascii=False, indent=2) + "\n")


def default_filename(shift: Shift, fmt: str) -> str:
    return f"handover-{shift.date.isoformat()}-{shift.name}.{fmt}"


def format_for(path: Optional[str], fmt: Optional[str]) -> str:
    """``--format``, else the output file's extension, else xlsx (the manual's sheet)."""
    if fmt:
        return fmt
    if path and path != "-":
        ext = os.path.splitext(path)[1].lower().lstrip(".")
        ext = {"markdown": "md", "xlsm": "xlsx"}.get(ext, ext)
        if ext in FORMATS:
            return ext
        raise BadUsage(f"cannot tell the format of {path} from its extension; "
                         f"give --format ({', '.join(FORMATS)})")
    return "xlsx"


def check_target(path: str, force: bool = False, journal=None, fmt: Optional[str] = None) -> str:
    """The absolute path to write a sheet to, or an error before any work is done.

    Never the journal or anything that belongs to it; an existing file is kept
    unless ``force`` (it may be a copy the next shift has already filled in),
    and even then only a sheet of the same kind is replaced.
    """
    from cstool.core.files import check_output

    path = os.path.abspath(os.path.expanduser(path))
    return check_output(path, journal_path=journal.path if journal is not None else None,
                        kind=fmt or format_for(path, None), force=force,
                        backups=journal.backups() if journal is not None else (),
                        hint=f" (import its receipts first: cstool handover import {path})")


def write_sheet(sheet: Sheet, fmt: str, path: str, renderer, force: bool = False,
                journal=None) -> None:
    """Write the sheet to ``path`` atomically (a half-written sheet never appears)."""
    from cstool.core.files import atomic_write

    if fmt not in FORMATS:
        raise InputError(f"unknown sheet format {fmt!r}; use one of: {', '.join(FORMATS)}")
    path = check_target(path, force, journal, fmt)
    if fmt == "xlsx":
        atomic_write(path, lambda fh: write_xlsx(sheet, fh, renderer.clock, renderer.reveal),
                     binary=True)
    else:
        atomic_write(path, lambda fh: write_text(sheet, fmt, fh, renderer),
                     encoding="utf-8-sig" if fmt == "csv" else "utf-8")


def write_text(sheet: Sheet, fmt: str, out: IO[str], renderer) -> None:
    if fmt == "csv":
        write_csv(sheet, out, renderer.clock, renderer.reveal)
    elif fmt == "md":
        write_md(sheet, out, renderer.clock, renderer.reveal)
    elif fmt == "json":
        write_json(sheet, out, renderer)
    else:
        raise InputError(f"{fmt} cannot be written as text; give -o FILE")


# --- receipts back -----------------------------------------------------------------


@dataclass
class ReceiptImport:
    file: str
    format: str = ""
    rows: int = 0
    receipts: int = 0
    recorded: int = 0
    unchanged: int = 0
    conflicts: list = field(default_factory=list)
    unknown: list = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {"file": self.file, "format": self.format, "rows": self.rows,
                "receipts": self.receipts, "recorded": self.recorded,
                "unchanged": self.unchanged, "conflicts": self.conflicts,
                "unknown": self.unknown, "dry_run": self.dry_run}


def _norm_header(value: Any) -> str:
    return str(value or "").replace("\ufeff", "").strip().lower()


def _find_header(rows: Iterable[tuple[int, list]], path: str):
    """``(index of id, receipt, order column or None)`` and the rows after the header."""
    it = iter(rows)
    for _ in range(20):
        try:
            _, cells = next(it)
        except StopIteration:
            break
        names = [_norm_header(c) for c in cells]
        id_col = next((names.index(h) for h in _ID_HEADERS if h in names), None)
        receipt_col = next((names.index(h) for h in _RECEIPT_HEADERS if h in names), None)
        if id_col is not None and receipt_col is not None:
            order_col = next((names.index(h) for h in _ORDER_HEADERS if h in names), None)
            return (id_col, receipt_col, order_col), it
    raise InputError(f"{path}: not a handover sheet: no header row with 编号 and 回执 "
                     "in its first 20 rows")


def _xlsx_rows(path: str) -> tuple[Iterable[tuple[int, list]], Callable[[], None]]:
    from cstool.orders.importer import open_xlsx

    wb, ws = open_xlsx(path, "a handover sheet")

    def rows():
        try:
            # the sheet cstool wrote is the first; its columns are few
            for n, cells in enumerate(ws.iter_rows(values_only=True, max_col=64), start=1):
                if any(c not in (None, "") for c in cells):
                    yield n, list(cells)
        except InputError:
            raise
        except Exception as e:  # a damaged sheet inside a valid zip
            raise InputError(f"{path}: the sheet cannot be read ({type(e).__name__})") from None

    return rows(), wb.close


def _csv_rows(path: str) -> Iterable[tuple[int, list]]:
    from cstool.orders.importer import sniff_encoding

    with open(path, "rb") as fh:
        data = fh.read()
    encoding = sniff_encoding(data[:1 << 16])
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: cannot decode it as {encoding} ({e})") from None
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)


def _id_value(value: Any) -> Optional[int]:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    s = ascii_digits(str(value).strip())
    if s.endswith(".0"):
        s = s[:-2]
    return int(s) if s.isascii() and s.isdigit() else None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _order_cell(value: Any) -> Optional[str]:
    """The row's order number, or None when the cell is blank or was mangled by a
    spreadsheet (then it cannot be checked, only the id counts)."""
    if value is None or isinstance(value, float):
        return None
    try:
        return clean_order_id(value)
    except InputError:
        return None


def file_format(path: str) -> str:
    if not os.path.isfile(path):
        raise InputError(f"{path}: no such file")
    ext = os.path.splitext(path)[1].lower()
    if ext in (".xlsx", ".xlsm"):
        return "xlsx"
    if ext == ".xls":
        raise InputError(f"{path}: the old .xls format cannot be read; save it as .xlsx")
    with open(path, "rb") as fh:
        head = fh.read(4)
    return "xlsx" if head == b"PK\x03\x04" else "csv"


def import_receipts(journal, path: str, agent: str, now_db: str, *, dry_run: bool = False,
                    strict: bool = False) -> ReceiptImport:
    """Record the receipts filled in on a sheet (xlsx or CSV), matched by item id.

    A row's receipt is recorded when its item has none; the same receipt again
    changes nothing; a different one already recorded is a conflict (kept, not
    overwritten); an id the journal does not know, or a row whose order number
    is not its item's, is reported and skipped, never guessed. ``strict``: any
    reported row fails the file and nothing is recorded.
    """
    fmt = file_format(path)
    result = ReceiptImport(file=path, format=fmt, dry_run=dry_run)
    close: Callable[[], None] = lambda: None  # noqa: E731
    if fmt == "xlsx":
        source, close = _xlsx_rows(path)
    else:
        source = _csv_rows(path)
    try:
        with journal.write():
            (id_col, receipt_col, order_col), rows = _find_header(source, path)
            for n, cells in rows:
                if not any(_cell_text(c) for c in cells):
                    continue
                result.rows += 1
                receipt = _cell_text(cells[receipt_col]) if receipt_col < len(cells) else ""
                if not receipt:
                    continue
                result.receipts += 1
                raw_id = cells[id_col] if id_col < len(cells) else None
                item_id = _id_value(raw_id)
                if item_id is None:
                    result.unknown.append({"row": n, "id": _cell_text(raw_id) or None,
                                           "error": "no item id in the row"})
                    continue
                item = journal.one("SELECT id, order_id, receipt, acked_by, acked_at "
                                   "FROM handover_items WHERE id = ?", [item_id]) \
                    if 0 < item_id <= MAX_ROW_ID else None
                if item is None:
                    result.unknown.append({"row": n, "id": item_id,
                                           "error": f"no handover item {item_id}"})
                    continue
                order = (_order_cell(cells[order_col])
                         if order_col is not None and order_col < len(cells) else None)
                if order and item["order_id"] and order != item["order_id"]:
                    result.unknown.append({
                        "row": n, "id": item_id,
                        "error": f"the row's order {order} is not item {item_id}'s order "
                                 f"{item['order_id']}"})
                    continue
                if item["receipt"] == receipt:
                    result.unchanged += 1
                elif item["receipt"] is not None:
                    result.conflicts.append({
                        "row": n, "id": item_id, "receipt": receipt,
                        "recorded": item["receipt"], "acked_by": item["acked_by"],
                        "acked_at": Instant(item["acked_at"]) if item["acked_at"] else None})
                else:
                    journal.execute("UPDATE handover_items SET receipt = ?, acked_by = ?, "
                                    "acked_at = ? WHERE id = ?",
                                    [receipt, agent, now_db, item_id])
                    result.recorded += 1
            if strict and (result.conflicts or result.unknown):
                first = (result.unknown + result.conflicts)[0]
                raise InputError(
                    f"{path}: {len(result.unknown)} unknown and {len(result.conflicts)} "
                    f"conflicting row(s) (--strict), nothing recorded; first: row {first['row']}"
                    f", item {first['id']}")
            if dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    finally:
        close()
    return result


class _DryRun(Exception):
    pass

