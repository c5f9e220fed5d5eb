"""Remarks (卖家备注): compose them in the house format, record them, read the
platform's memos on import, and lint every remark against the shop's rules.

The parser itself is :mod:`cstool.remark.parse`; this module is where
remarks meet the journal: the ``remarks`` table (migration m0001), the holds
and brushing mark they drive (:mod:`cstool.core.holds`), the shop's flag scheme
and agents.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Optional

from cstool.core import holds as holds_
from cstool.core.clock import from_db, iter_manual_dates, to_db, zone
from cstool.core.errors import BadUsage, CstoolError, InputError
from cstool.core.values import Address, Instant, Memo, Money
from cstool.core.vocab import COLOUR, COLOUR_CODE, Vocabulary
from cstool.remark.parse import (
    COMPOSE_KIND,
    COMPOSE_KINDS,
    HANDLED,
    KIND,
    Context,
    Parsed,
    Parser,
    flag_problem,
    kind_colours,
    parse_line,
    side,
)

# Orders that can still be held: a hold on a shipped or closed order means nothing.
HOLDABLE = ("unpaid", "paid", "part_shipped")
SHIPPED = ("part_shipped", "shipped", "signed", "finished")

COURIER = Vocabulary("courier", {
    "sf": ["顺丰", "顺丰速运", "shunfeng"],
    "sto": ["申通", "申通快递", "shentong"],
    "yto": ["圆通", "圆通速递", "yuantong"],
    "zto": ["中通", "中通快递", "zhongtong"],
    "yunda": ["韵达", "韵达快递"],
    "ems": ["EMS", "邮政", "中国邮政", "邮政EMS"],
    "best": ["百世", "百世快递", "汇通", "百世汇通"],
    "ttk": ["天天", "天天快递"],
    "zjs": ["宅急送"],
    "deppon": ["德邦", "德邦快递"],
    "jd": ["京东", "京东快递", "京东物流"],
    "jt": ["极兔", "极兔速递"],
    "uc": ["优速", "优速快递"],
})

_CANCEL = re.compile(r"取消(?!挂起)|退款|作废|不想要|不要了|不想买|关闭订单|撤销|退单")


# -- output values ------------------------------------------------------------------------------

_FREE_TEXT = ("request", "gift", "from", "to")  # fields a buyer's data may be in


def _typed_fields(fields: dict) -> dict:
    out: dict[str, Any] = {}
    for k, v in fields.items():
        if k.endswith("_fen") and isinstance(v, int):
            out[k[:-4]] = Money(v)
        elif k == "address" and v:
            out[k] = Address(v)
        elif k in _FREE_TEXT and isinstance(v, str):
            out[k] = Memo(v)
        elif k == "segments":
            out[k] = [_typed_line(s) for s in v]
        else:
            out[k] = v
    return out


def _memo(text: Optional[str]) -> Optional[Memo]:
    return Memo(text) if text else None


def _typed_line(d: dict) -> dict:
    return {**d, "text": Memo(d["text"]), "reason": _memo(d.get("reason")),
            "action": _memo(d.get("action")), "at": Instant(d["at"]) if d.get("at") else None,
            "fields": _typed_fields(d.get("fields") or {})}


# -- storing a parse ------------------------------------------------------------------------------


def _line_dict(p: Parsed) -> dict:
    return {"text": p.text, "kind": p.kind, "flag": p.flag, "reason": p.reason, "action": p.action,
            "at": to_db(p.at) if p.at else None, "author": p.author, "fields": p.fields,
            "problems": list(p.problems)}


def _fields(p: Parsed) -> dict:
    f = dict(p.fields)
    if p.date_only:
        f["date_only"] = True
    if p.segments:
        f["segments"] = [_line_dict(s) for s in p.segments]
    return f


def columns(p: Parsed) -> tuple:
    """The remarks columns kind … problems of a parse, in that order."""
    f = _fields(p)
    return (p.kind, p.flag, COLOUR_CODE.get(p.flag) if p.flag else None, p.reason, p.action,
            _db_time(p.at) if p.at else None, p.author,
            json.dumps(f, ensure_ascii=False) if f else None,
            json.dumps(p.problems, ensure_ascii=False) if p.problems else "[]")


@lru_cache(maxsize=4096)
def _db_time(at: datetime) -> str:
    return to_db(at)


_SET_PARSE = ("kind = ?, flag = ?, flag_code = ?, reason = ?, action = ?, at = ?, author = ?, "
              "fields = ?, problems = ?, parsed = 1")


def present(row, with_order: bool = True) -> dict:
    """A remarks row as the object commands print."""
    fields = json.loads(row["fields"]) if row["fields"] else {}
    d = {"id": row["id"]}
    if with_order:
        d["order_id"] = row["order_id"]
    d.update({
        "source": row["source"], "kind": row["kind"], "flag": row["flag"],
        "flag_code": row["flag_code"], "text": Memo(row["text"]),
        "reason": _memo(row["reason"]), "action": _memo(row["action"]),
        "at": Instant(row["at"]) if row["at"] else None,
        "author": row["author"] or row["created_by"],
        "fields": _typed_fields(fields),
        "problems": json.loads(row["problems"]) if row["problems"] else [],
        "recorded_by": row["created_by"], "recorded_at": Instant(row["created_at"]),
    })
    return d


def parse_for_output(p: Parsed) -> dict:
    """A parse as ``remark parse`` prints it (the contract's keys first)."""
    d = {"text": Memo(p.text), "kind": p.kind, "flag": p.flag,
         "flag_code": COLOUR_CODE.get(p.flag) if p.flag else None,
         "reason": _memo(p.reason), "action": _memo(p.action),
         "at": Instant(to_db(p.at)) if p.at else None, "author": p.author,
         "problems": list(p.problems), "fields": _typed_fields(_fields(p))}
    return d


# -- the shop: scheme, agents ------------------------------------------------------------------------


def context(journal, policy) -> Context:
    """The parser's view of the shop: flag scheme, registered agents and their roles."""
    roles: dict[str, Optional[str]] = {}
    if journal is not None:
        roles = {r[0]: r[1] for r in journal.query("SELECT short, role FROM agents")}
    return Context(scheme=policy.get("flag_scheme"), agents=frozenset(roles),
                   roles={k: v for k, v in roles.items() if v})


# -- applying a remark: holds and the brushing mark -------------------------------------------------


def _chunks(items: list, n: int = 500):
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _open_holds(journal, order_ids) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(list(order_ids)):
        for r in journal.query(
                f"SELECT * FROM holds WHERE released_at IS NULL AND order_id IN "
                f"({','.join('?' * len(chunk))})", chunk):
            out.setdefault(r["order_id"], {})[r["kind"]] = r
    return out


def apply(journal, order, p: Parsed, *, remark_id: Optional[int], now_db: str,
          agent: Optional[str], open_holds: dict, prev: Optional[Parsed] = None,
          brushing: Optional[list] = None) -> list[str]:
    """Make the order's holds and brushing mark follow the remark. Returns what changed.

    ``order``: a row with order_id, status, brushing. ``prev``: the memo this
    one replaces (an import): a hold or ``@@@`` the old memo had and the new
    one dropped is released. A hold the remark opens is added unless the same
    one is open; one it says is over (``取消挂起``, the buyer answered) is
    released. ``brushing``: collect ``(flag, order_id)`` for one bulk update
    instead of writing each.
    """
    oid = order["order_id"]
    changes: list[str] = []
    mark = None
    if p.brush() is not None and not order["brushing"]:
        mark, what = 1, "marked as a brushing order (刷单)"
    elif p.brush() is None and prev is not None and prev.brush() is not None and order["brushing"]:
        mark, what = 0, "brushing mark removed (the memo no longer has @@@)"
    if mark is not None:
        if brushing is None:
            holds_.set_brushing(journal, oid, bool(mark))
        else:
            brushing.append((mark, oid))
        changes.append(what)
    want, released = p.holds(), p.releases()
    dropped = set(prev.holds()) - set(want) if prev is not None else set()
    if not (want or released or dropped):
        return changes
    for kind in sorted((released | dropped) & set(open_holds)):
        why = "the remark says it is over" if kind in released else "the memo no longer says so"
        holds_.release(journal, oid, now_db, kind=kind, agent=agent,
                       note=f"{why} (remark {remark_id})" if remark_id else why)
        del open_holds[kind]
        changes.append(_RELEASED[kind])
    if order["status"] not in HOLDABLE:
        return changes
    for kind, spec in want.items():
        cur = open_holds.get(kind)
        if cur is not None and cur["until"] == spec.get("until") \
                and cur["owner"] == spec.get("owner"):
            continue
        holds_.add(journal, oid, kind, now_db, until=spec.get("until"), owner=spec.get("owner"),
                   note=_short(p.text), remark_id=remark_id, agent=agent)
        open_holds[kind] = {"until": spec.get("until"), "owner": spec.get("owner")}
        changes.append(_held(kind, spec))
    return changes


# What a remark did to the order's holds, as a person reads it.
_RELEASED = {"until": "released the hold until a ship date",
             "presale": "released the presale hold",
             "owner": "released the hold for one agent",
             "waiting_buyer": "released the hold waiting for the buyer"}


def _held(kind: str, spec: dict) -> str:
    if kind == "until":
        return f"held until {spec.get('until')}: ships that day"
    if kind == "presale":
        return f"held for presale until {spec.get('until')}: ships that day"
    if kind == "owner":
        return f"held for {spec.get('owner')}: only {spec.get('owner')} handles this order"
    return "held: waiting for the buyer's answer"


def _short(text: str, n: int = 60) -> str:
    s = " ".join(text.split())
    return s if len(s) <= n else s[:n - 1] + "…"


# -- the import hook ----------------------------------------------------------------------------------

_NEW_MEMOS = "remarks.id > ? AND remarks.source = 'platform'"


class ImportedMemos:
    """The import's hook for memos (``importer.after_rows_hook``).

    ``memo_parser`` gives the import's reader a function that parses a memo
    text into its remark columns, so memos arrive in the history parsed;
    calling the hook afterwards applies what the memos say (brushing, holds).
    """

    def memo_parser(self, journal, now_db: str) -> Callable[[str], tuple]:
        from cstool.core.policy import Policy

        policy = Policy(journal)
        parser = Parser(from_db(now_db).astimezone(zone(policy.get("timezone"))),
                        context(journal, policy))

        def parse_memo(text: str) -> tuple:
            p = parser.fresh(text)
            acting = 2 if p.holds() or p.releases() else 1 if p.brush() is not None else 0
            return (*columns(p), acting)

        return parse_memo

    def __call__(self, journal, last_remark_id: int) -> None:
        apply_imported_memos(journal, last_remark_id)


IMPORT_HOOK = ImportedMemos()


def apply_imported_memos(journal, last_remark_id: int) -> None:
    """Apply the seller memos an import just added (remarks above ``last_remark_id``):
    brushing mark, holds, releases; presale ship dates in the export's presale
    column open presale holds.

    Runs inside the import's transaction (``importer.import_file``). The memos
    normally arrive parsed (the import's reader parsed each distinct text);
    any that did not are parsed here, each text once, and stored with one
    ``UPDATE … FROM``. Only memos that touch holds or the brushing mark come
    back to Python.
    """
    imp = journal.one("SELECT id, agent, started_at FROM imports ORDER BY id DESC LIMIT 1")
    if imp is None:
        return
    from cstool.core.policy import Policy

    policy = Policy(journal)
    ref = from_db(imp["started_at"]).astimezone(zone(policy.get("timezone")))
    parser = Parser(ref, context(journal, policy))
    last = last_remark_id
    # In an import, temp.memo_parse holds the parses the reader made (with what
    # each memo asks for); memos it lacks arrive unparsed and are parsed here.
    in_import = journal.one("SELECT 1 FROM sqlite_temp_master WHERE name = 'memo_parse'")
    texts = [r[0] for r in journal.query(
        f"SELECT DISTINCT text FROM remarks WHERE {_NEW_MEMOS} AND parsed = 0", [last])]
    todo: list = []  # (remark id, order row, parse, the memo it replaces)
    brushing: list = []  # (1 or 0, order id): one bulk update at the end
    acting_sql = []
    if texts:
        journal.execute("CREATE TEMP TABLE IF NOT EXISTS memo_reparse (text TEXT PRIMARY KEY, "
                        "kind, flag, flag_code, reason, action, at, author, fields, problems, "
                        "brush INTEGER, holds INTEGER)")
        journal.execute("DELETE FROM temp.memo_reparse")
        journal.conn.executemany("INSERT INTO temp.memo_reparse VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                                 _parse_rows(parser, texts))
        journal.execute(
            "UPDATE remarks SET kind = p.kind, flag = p.flag, flag_code = p.flag_code, "
            "reason = p.reason, action = p.action, at = p.at, author = p.author, "
            f"fields = p.fields, problems = p.problems, parsed = 1 FROM temp.memo_reparse p "
            f"WHERE {_NEW_MEMOS} AND remarks.parsed = 0 AND p.text = remarks.text", [last])
        acting_sql.append("SELECT remarks.id FROM remarks WHERE remarks.id > ? AND "
                          "remarks.source = 'platform' AND remarks.text IN "
                          "(SELECT text FROM temp.memo_reparse WHERE brush OR holds)")
    if in_import:
        # parsed by the import's reader: brushing marks need no second parse, and
        # only memos about holds come back as parses. (One UPDATE per order: a
        # single statement over thousands of orders would keep a statement journal
        # of every page it touches, in memory during an import.)
        for r in journal.query(
                "SELECT remarks.id, remarks.text, o.order_id, o.status, o.brushing, p.acting "
                "FROM remarks JOIN temp.memo_parse p ON p.text = remarks.text "
                "JOIN orders o ON o.order_id = remarks.order_id "
                f"WHERE {_NEW_MEMOS} AND p.acting > 0 ORDER BY remarks.id", [last]):
            if r["acting"] == 2:
                todo.append((r["id"], r, parser(r["text"]), None))
            elif not r["brushing"]:
                brushing.append((1, r["order_id"]))
    if acting_sql:
        ids = " UNION ".join(acting_sql)
        for r in journal.query(
                "SELECT remarks.id, remarks.text, o.order_id, o.status, o.brushing FROM remarks "
                f"JOIN orders o ON o.order_id = remarks.order_id WHERE remarks.id IN ({ids}) "
                "ORDER BY remarks.id", [last] * len(acting_sql)):
            p = parser(r["text"])
            if p.holds() or p.releases():
                todo.append((r["id"], r, p, None))
            elif not r["brushing"]:
                brushing.append((1, r["order_id"]))
    if texts:
        journal.execute("DROP TABLE temp.memo_reparse")
    new_memos = journal.scalar(f"SELECT EXISTS (SELECT 1 FROM remarks WHERE {_NEW_MEMOS})",
                               [last])
    if last and new_memos:
        todo = _replaced_memos(journal, parser, last, todo)
    # The export's own flag (备注标签) and presale column, for the orders it changed.
    special = journal.query(
        "SELECT order_id, flag, presale_info, status, brushing FROM orders WHERE import_id = ? "
        "AND (flag IS NOT NULL OR presale_info <> '')", [imp["id"]])
    flags = {r["order_id"]: COLOUR.get(r["flag"]) for r in special if COLOUR.get(r["flag"] or "")}
    if flags and new_memos:
        _store_flagged(journal, parser, last, flags)
    now_db, agent = imp["started_at"], imp["agent"]
    open_ = _open_holds(journal, {t[1]["order_id"] for t in todo}
                        | {r["order_id"] for r in special if r["presale_info"]})
    for remark_id, order, p, prev in todo:
        apply(journal, order, p, remark_id=remark_id, now_db=now_db,
              agent=p.author if p.author in parser.ctx.agents else agent,
              open_holds=open_.setdefault(order["order_id"], {}), prev=prev, brushing=brushing)
    for r in special:
        p = parse_line(r["presale_info"], ref, Context()) if r["presale_info"] else None
        if p is not None and "presale" in p.holds():
            only = Parsed(text=p.text, fields={"holds": [p.holds()["presale"]]})
            apply(journal, r, only, remark_id=None, now_db=now_db, agent=agent,
                  open_holds=open_.setdefault(r["order_id"], {}))
    if brushing:
        journal.conn.executemany("UPDATE orders SET brushing = ? WHERE order_id = ?", brushing)


def _parse_rows(parser: Parser, texts: list) -> Iterator[tuple]:
    """``(text, columns…, brush, holds)`` for each text, streamed.

    The texts are distinct, so their parses are not kept (the import's
    memory stays flat). Many texts are parsed on two cores: a forked child
    takes every other one (DISTINCT hands them sorted, and similar texts
    cost alike) and writes its rows in chunks to an unlinked temporary file,
    read back once the parent has done its share.
    """
    import os

    from cstool.orders.importer import _can_fork

    def rows(chunk):
        for t in chunk:
            p = parser.fresh(t)
            yield (t, *columns(p), p.brush() is not None, bool(p.holds() or p.releases()))

    if len(texts) < 4000 or (os.cpu_count() or 1) < 2 or not _can_fork():
        yield from rows(texts)
        return
    import marshal
    import tempfile

    spool = tempfile.TemporaryFile()
    pid = os.fork()
    if pid == 0:  # the child: parse, write, leave without running any cleanup
        code = 1
        try:
            batch: list = []
            for row in rows(texts[1::2]):
                batch.append(row)
                if len(batch) == 2000:
                    marshal.dump(batch, spool)
                    batch = []
            marshal.dump(batch, spool)
            spool.flush()
            code = 0
        finally:
            os._exit(code)
    try:
        yield from rows(texts[0::2])
        _, status = os.waitpid(pid, 0)
        if status != 0:  # the child failed: do its share here
            yield from rows(texts[1::2])
            return
        spool.seek(0)
        while True:
            try:
                yield from marshal.load(spool)
            except EOFError:
                break
    finally:
        spool.close()


def _replaced_memos(journal, parser: Parser, last: int, todo: list) -> list:
    """Add the new memos of orders whose previous memo held a hold or ``@@@``:
    what the new memo dropped is released."""
    prev: dict[str, Parsed] = {}
    for r in journal.query(
            "SELECT order_id, text FROM remarks WHERE id IN ("
            " SELECT max(id) FROM remarks WHERE id <= ? AND source = 'platform' AND order_id IN"
            " (SELECT order_id FROM remarks WHERE id > ? AND source = 'platform')"
            " GROUP BY order_id)", [last, last]):
        p = parser(r[1])
        if p.acts():
            prev[r[0]] = p
    if not prev:
        return todo
    seen = {}
    for item in todo:
        seen[item[1]["order_id"]] = item
    for chunk in _chunks(list(prev)):
        for r in journal.query(
                "SELECT remarks.id, remarks.text, o.order_id, o.status, o.brushing FROM remarks "
                f"JOIN orders o ON o.order_id = remarks.order_id WHERE {_NEW_MEMOS} "
                f"AND remarks.order_id IN ({','.join('?' * len(chunk))})", [last, *chunk]):
            seen[r["order_id"]] = (r["id"], r, parser(r["text"]), prev[r["order_id"]])
    return sorted(seen.values(), key=lambda t: t[0])


def _store_flagged(journal, parser: Parser, last: int, flags: dict) -> None:
    """Memos whose order carries the platform's flag: parse again with it (flag problems)."""
    updates = []
    for chunk in _chunks(list(flags)):
        for rid, oid, text in journal.query(
                f"SELECT id, order_id, text FROM remarks WHERE {_NEW_MEMOS} "
                f"AND order_id IN ({','.join('?' * len(chunk))})", [last, *chunk]):
            updates.append((*columns(parser(text, flags[oid])), rid))
    journal.conn.executemany(f"UPDATE remarks SET {_SET_PARSE} WHERE id = ?", updates)


# -- composing a remark ---------------------------------------------------------------------------


class MissingFields(InputError):
    """A kind's required options are missing (the command line turns this into a usage error)."""

    def __init__(self, kind: str, options: list[str]):
        self.kind, self.options = kind, options
        super().__init__(f"a {kind} remark needs {_and(options)}")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@dataclass
class Draft:
    """A composed remark, before it is recorded."""

    kind: str
    text: str
    flag: str
    parsed: Parsed


def _dot(d: datetime) -> str:
    return f"{d.year}.{d.month:02d}.{d.day:02d}"


def _yuan(fen: int) -> str:
    return str(fen // 100) if fen % 100 == 0 else f"{fen // 100}.{fen % 100:02d}"


def _ship_date(until: date, now: datetime) -> str:
    """The shortest of ``25日`` / ``12月1日`` / ``2027年1月5日`` that reads back as ``until``."""
    for text in (f"{until.day}日", f"{until.month}月{until.day}日",
                 f"{until.year}年{until.month}月{until.day}日"):
        found = list(iter_manual_dates(text, now))
        if found and found[0].value == until:
            return text
    raise InputError(f"cannot write the date {until}")


def _clean(value: Optional[str], option: str) -> Optional[str]:
    """Free text for a remark: one line; commas inside a field would split it when read back."""
    if value is None:
        return None
    s = " ".join(str(value).split())
    if "#" in s or "---" in s:
        raise BadUsage(f"{option} must not contain '#' or '---' (they end a remark)")
    return s or None


def _no_commas(value: Optional[str]) -> Optional[str]:
    return None if value is None else re.sub(r"[,，;；]", "、", value)


def compose(kind: str, *, author: str, now: datetime, ctx: Context, flag: Optional[str] = None,
            reason: Optional[str] = None, action: Optional[str] = None,
            request: Optional[str] = None, address: Optional[str] = None,
            from_: Optional[str] = None, to: Optional[str] = None,
            courier: Optional[str] = None, until: Optional[date] = None,
            owner: Optional[str] = None, waiting_buyer: bool = False, presale: bool = False,
            release: bool = False, promo_fen: Optional[int] = None,
            paid_fen: Optional[int] = None, refund_fen: Optional[int] = None,
            gift: Optional[str] = None, job_no: Optional[str] = None,
            name: Optional[str] = None) -> Draft:
    """A remark of ``kind`` in the manuals' format (domain.md §1), with its flag colour.

    Raises :class:`MissingFields` naming the options a kind needs, and
    InputError when a value cannot be written or the flag contradicts the
    shop's scheme.
    """
    kind = KIND(kind)
    if kind not in COMPOSE_KINDS:
        raise BadUsage(f"{kind} remarks are not written with remark add; use one of: "
                         + ", ".join(COMPOSE_KINDS))
    reason, action = _clean(reason, "--reason"), _clean(action, "--action")
    request, address = _clean(request, "--request"), _clean(address, "--address")
    from_, to = _no_commas(_clean(from_, "--from")), _no_commas(_clean(to, "--to"))
    gift, name = _clean(gift, "--gift"), _clean(name, "--name")
    sig = f"{_dot(now)} {author}"
    missing: list[str] = []

    def need(**values):
        missing.extend(f"--{k.rstrip('_').replace('_', '-')}" for k, v in values.items()
                       if v is None)

    if kind == "note":  # R1: flag + content + handling + time + author
        need(reason=reason, action=action)
        if reason and action and ("处理:" in reason or "处理：" in reason):
            raise BadUsage("--reason must not contain '处理:' (it starts the handling)")
        plain = bool(action and HANDLED.match(action) and not re.search(r"[,;，；\s]", action))
        body = f"{reason} {action}" if plain else f"{reason},处理:{action}"
        text = f"{_FLAG_TEXT[flag or _default_flag(kind, ctx, author, body)]} {body} {sig}"
    elif kind == "request":
        need(request=request)
        text = f"客户要求{request}---{sig}"
    elif kind == "address":
        need(address=address)
        text = f"客户要求修改地址,新地址为:{address}---{sig}"
    elif kind == "attr":
        need(from_=from_, to=to)
        text = f"客户拍下{from_},要求修改成{to},已修改妥当---{sig}"
    elif kind == "slip":
        need(to=to)
        text = f"客户要求修改成{to},已在发货单与快递单上修改妥当---{sig}"
    elif kind == "courier":
        need(courier=courier)
        label = COURIER.label(COURIER(courier)) if courier else ""
        text = f"{label} {author} {now.month}.{now.day}"
    elif kind == "hold":
        parts = []
        if release:
            if until or owner or waiting_buyer:
                raise BadUsage("--release ends holds; it does not go with --until, --owner "
                                 "or --waiting-buyer")
            parts.append("取消挂起,正常发货")
        if until is not None:
            if until < now.date():
                raise BadUsage(f"--until {until} is already past")
            parts.append(("预售" if presale else "") + _ship_date(until, now) + "发货")
        elif presale:
            raise BadUsage("--presale goes with --until DATE (the presale ship date)")
        if owner:
            if owner not in ctx.agents and ctx.agents:
                raise InputError(f"--owner {owner} is not a registered agent "
                                 f"(cstool agent add {owner})")
            parts.append(f"必须由{owner}负责处理!")
        if waiting_buyer:
            need(reason=reason)
            parts.append(f"{reason},已联系顾客,等顾客回复")
        if not parts:
            raise MissingFields(kind, ["--until DATE", "--owner NAME", "--waiting-buyer",
                                       "or --release"])
        text = ",".join(parts)
        if waiting_buyer or release:
            text += f"---{sig}"
    elif kind == "rebate":
        need(promo_price=promo_fen, paid_price=paid_fen)
        if promo_fen is not None and paid_fen is not None:
            if paid_fen <= promo_fen:
                raise BadUsage("--paid-price is not above --promo-price: nothing to return")
            if refund_fen is None:
                refund_fen = paid_fen - promo_fen
            if paid_fen - promo_fen != refund_fen:
                raise BadUsage(f"--refund {_yuan(refund_fen)} is not --paid-price "
                                 f"{_yuan(paid_fen)} − --promo-price {_yuan(promo_fen)}")
        text = (f"活动价{_yuan(promo_fen or 0)}元,实付{_yuan(paid_fen or 0)}元,"
                f"需返{_yuan(refund_fen or 0)}元 {sig}")
    elif kind == "gift":
        need(gift=gift)
        text = f"赠品:{gift} {sig}"
    elif kind == "sale":
        need(job_no=job_no)
        if job_no and not re.fullmatch(r"[A-Za-z0-9_-]+", job_no):
            raise BadUsage(f"--job-no {job_no!r} is not a job number (letters and digits)")
        text = f"工号{job_no} {author}"
    else:  # brush
        text = f"@@@{name or author}"
    if missing:
        raise MissingFields(kind, missing)
    team = side(ctx.roles.get(author))
    if flag is None:
        flag = _default_flag(kind, ctx, author, text)
    else:
        problem = flag_problem(kind, flag, ctx.scheme, team, text)
        if problem:
            raise BadUsage(f"{problem}; leave --flag out, or change the scheme with: "
                             "cstool policy set flag_scheme …")
    return Draft(kind, text, flag, parse_line(text, now, ctx, flag))


# R1 writes the flag into the text too (CSV exports have no flag column).
_FLAG_TEXT = {"red": "红旗", "yellow": "黄旗", "green": "绿旗", "blue": "蓝旗", "purple": "紫旗",
              "none": ""}


def _default_flag(kind: str, ctx: Context, author: str, text: str) -> str:
    return kind_colours(kind, ctx.scheme or {}, side(ctx.roles.get(author)), text)[0]


# -- remark add ---------------------------------------------------------------------------------


_VERIFY_WHY = {"address": "an address change", "attr": "an attribute change",
               "slip": "a change on the printed slips"}


def needs_verified_buyer(kind: str, text: str, verify: list) -> Optional[str]:
    """Why this remark must be checked with the buyer's own account, or None."""
    if kind in verify:
        return _VERIFY_WHY.get(kind, f"a {kind} remark")
    if "cancel" in verify and kind not in ("brush", "sale", "rebate") and _CANCEL.search(text):
        return "a cancellation or refund"
    return None


def add(journal, order_id: str, kind: str, *, agent: str, clock, policy,
        verified_buyer: Optional[str] = None, dry_run: bool = False, **fields) -> dict:
    """Compose, check and record a remark; apply its holds and brushing mark.

    Returns the remark object (``id`` None on a dry run) with ``applied``:
    what it changed to holds and the brushing mark.
    """
    from cstool.core.orders import require

    order = require(journal, order_id)
    oid = order["order_id"]
    ctx = context(journal, policy)
    now = clock.now()
    draft = compose(kind, author=agent, now=now, ctx=ctx, **fields)
    why = needs_verified_buyer(draft.kind, draft.text, policy.get("remark.verify_buyer"))
    if why:
        if not verified_buyer:
            raise BadUsage(
                f"{why} must be checked with the account that placed order {oid}: give "
                "--verified-buyer NICK, the Wangwang account that asked (account a / account b)")
        if not order["buyer"]:
            raise CstoolError(
                f"refused: the journal does not know who placed order {oid} (the export had no "
                "买家会员名); import the classic order export first")
        if verified_buyer.strip() != order["buyer"]:
            raise CstoolError(
                f"refused: {verified_buyer.strip()} is not the account that placed order {oid}; "
                "never change or cancel an order on another account's word (account a / account b)")
    limit = policy.get("remark.memo_max_bytes")
    size = len(draft.text.encode("utf-8"))
    if size > limit:
        raise BadUsage(f"the remark is {size} bytes; the platform keeps at most {limit} "
                         "(UTF-8): shorten it")
    problems = list(draft.parsed.problems)
    memo = order["seller_memo"] or ""
    combined = len(memo.encode("utf-8")) + 1 + size if memo else size
    if combined > limit:
        problems.append(f"with the order's memo the platform's memo becomes {combined} bytes, "
                        f"over its {limit}: shorten the memo when you paste this")
    p = draft.parsed
    p.problems = problems
    p.at, p.date_only = now, False  # written now: the time is known to the second
    now_db = to_db(now)
    result = {"id": None, "order_id": oid, "source": "cli", "kind": draft.kind,
              "flag": draft.flag, "flag_code": COLOUR_CODE[draft.flag],
              "text": Memo(draft.text), "reason": _memo(p.reason), "action": _memo(p.action),
              "at": Instant(now_db), "author": agent, "fields": _typed_fields(_fields(p)),
              "problems": problems, "recorded_by": agent, "recorded_at": Instant(now_db),
              "applied": [], "dry_run": dry_run}
    if dry_run:
        return result
    with journal.write():
        cols = columns(p)
        cur = journal.execute(
            "INSERT INTO remarks (order_id, source, text, kind, flag, flag_code, reason, action, "
            "at, author, fields, problems, parsed, created_by, created_at) "
            "VALUES (?, 'cli', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            [oid, draft.text, draft.kind, draft.flag, COLOUR_CODE[draft.flag], *cols[3:6], agent,
             *cols[7:], agent, now_db])
        result["id"] = cur.lastrowid
        result["applied"] = apply(journal, order, p, remark_id=cur.lastrowid, now_db=now_db,
                                  agent=agent, open_holds=_open_holds(journal, [oid]).get(oid, {}))
    return result


# -- history ----------------------------------------------------------------------------------------


def history(journal, order_id: str) -> list[dict]:
    """The order's remarks, oldest first (platform memos, cli remarks, chase remarks)."""
    from cstool.core.orders import require

    oid = require(journal, order_id)["order_id"]
    return [present(r, with_order=False) for r in journal.query(
        "SELECT * FROM remarks WHERE order_id = ? ORDER BY created_at, id", [oid])]


# -- lint -------------------------------------------------------------------------------------------

_CHECKS = (  # a parse problem's opening words -> its check, for --by agent and scripts
    ("no time", "missing_time"), ("no author", "missing_author"), ("no flag", "missing_flag"),
    ("no handling", "missing_handling"), ("no content", "missing_content"),
    ("flag ", "flag_scheme"), ("amount to return", "rebate_sum"),
)


def _check(problem: str) -> str:
    text = problem.split(": ", 1)[1] if problem.startswith("line ") else problem
    return next((c for prefix, c in _CHECKS if text.startswith(prefix)), "incomplete")


@dataclass
class LintStats:
    checked: int = 0      # remarks looked at
    problems: int = 0
    remarks: int = 0      # remarks (or orders) with at least one problem


def lint(journal, clock, policy, *, since: Optional[str] = None, author: Optional[str] = None,
         stats: Optional[LintStats] = None) -> Iterator[dict]:
    """Every remark checked against the shop's format: yields one row per problem.

    Checked: cli and chase remarks, and each order's current platform memo
    (older versions of a memo are history). ``since``: a journal instant,
    compared with the remark's own time (or when it was recorded);
    ``author``: one agent's remarks. ``stats`` is filled in as rows go by.
    Rows stream: a journal of a million orders is linted in constant memory.
    """
    stats = stats if stats is not None else LintStats()
    ctx = context(journal, policy)
    limit = policy.get("remark.memo_max_bytes")
    jobs = {r[0]: r[1] for r in journal.query("SELECT short, job_no FROM agents WHERE job_no <> ''")}
    sql = ("SELECT r.id, r.order_id, r.source, r.text, r.flag, r.author, r.created_by, r.at, "
           "r.created_at, o.seller_memo, o.flag AS order_flag FROM remarks r "
           "JOIN orders o ON o.order_id = r.order_id "
           "WHERE (r.source <> 'platform' OR (r.text = o.seller_memo AND r.id = "
           "(SELECT max(x.id) FROM remarks x WHERE x.order_id = r.order_id "
           "AND x.source = 'platform')))")
    params: list = []
    if since:
        sql += " AND coalesce(r.at, r.created_at) >= ?"
        params.append(since)
    parsers: dict[str, Parser] = {}
    for r in journal.execute(sql + " ORDER BY r.id", params):
        parser = parsers.get(r["created_at"])
        if parser is None:
            ref = from_db(r["created_at"]).astimezone(clock.tz)
            parser = parsers[r["created_at"]] = Parser(ref, ctx)
        platform = r["source"] == "platform"
        flag = r["flag"] if not platform else COLOUR.get(r["order_flag"]) if r["order_flag"] \
            else None
        p = parser(r["text"], flag)
        who = p.author if platform else (r["author"] or r["created_by"])
        if author and who != author:
            continue
        stats.checked += 1
        found = [(_check(x), x) for x in p.problems
                 if not (r["source"] == "chase" and _check(x) == "missing_author")]
        for line in p.lines():
            a = line.author if platform else who
            if a and a not in ctx.agents:
                found.append(("unknown_author",
                              f"author {a} is not a registered agent (cstool agent add {a})"))
            for h in line.fields.get("holds", ()):
                if h.get("owner") and h["owner"] not in ctx.agents:
                    found.append(("unknown_author",
                                  f"hold owner {h['owner']} is not a registered agent"))
            job = line.fields.get("job_no")
            if line.kind == "sale" and a in jobs and job and job != jobs[a]:
                found.append(("job_no", f"工号{job} is not {a}'s job number ({jobs[a]})"))
        if platform:
            size = len((r["seller_memo"] or "").encode("utf-8"))
            if size > limit:
                found.append(("too_long", f"memo is {size} bytes; the platform keeps {limit}"))
        if found:
            stats.remarks += 1
        for check, problem in dict.fromkeys(found):
            stats.problems += 1
            yield _finding(r["order_id"], who, p.kind, check, problem, r["id"], r["source"],
                           r["at"], r["text"])
    yield from _order_checks(journal, clock, since, author, stats)


def _finding(order_id, author, kind, check, problem, remark_id, source, at, text) -> dict:
    return {"order_id": order_id, "author": author, "kind": kind, "check": check,
            "problem": problem, "remark_id": remark_id, "source": source,
            "at": Instant(at) if at else None, "text": Memo(text or "")}


def _order_checks(journal, clock, since, author, stats: LintStats) -> Iterator[dict]:
    """Holds whose date passed on unshipped orders; brushing orders that shipped."""
    today = clock.today().isoformat()
    holds = journal.execute(
        "SELECT h.order_id, h.kind, h.until, h.remark_id, r.text, r.author, r.created_by, "
        "r.source, r.kind AS rkind, r.at, r.created_at FROM holds h "
        "JOIN orders o ON o.order_id = h.order_id LEFT JOIN remarks r ON r.id = h.remark_id "
        "WHERE h.released_at IS NULL AND h.kind IN ('until', 'presale') AND h.until < ? "
        "AND o.status IN ('unpaid', 'paid', 'part_shipped') ORDER BY h.order_id", [today])
    shipped = ",".join(f"'{s}'" for s in SHIPPED)
    brushing = journal.execute(
        "SELECT o.order_id, r.id AS remark_id, r.text, r.author, r.created_by, r.source, r.at, "
        "r.created_at FROM orders o LEFT JOIN remarks r ON r.id = (SELECT max(id) FROM remarks "
        "WHERE order_id = o.order_id AND kind = 'brush') "
        f"WHERE o.brushing = 1 AND o.status IN ({shipped}) ORDER BY o.order_id")
    for rows, check in ((holds, "hold_past"), (brushing, "brush_shipped")):
        for h in rows:
            who = h["author"] or h["created_by"]
            if author and who != author:
                continue
            if since and (h["at"] or h["created_at"] or "") < since:
                continue
            if check == "hold_past":
                what = "presale date" if h["kind"] == "presale" else "hold date"
                problem, kind = (f"{what} {h['until']} has passed and the order has not shipped",
                                 h["rkind"])
            else:
                problem, kind = "brushing order (@@@) has shipped", "brush"
            stats.problems += 1
            stats.remarks += 1
            yield _finding(h["order_id"], who, kind, check, problem, h["remark_id"], h["source"],
                           h["at"], h["text"])


def lint_by_agent(rows) -> list[dict]:
    """Problems per agent, for supervisors: how many, of which checks, the most common."""
    per: dict[str, Counter] = {}
    remarks: dict[str, set] = {}
    for r in rows:
        who = r["author"] or "(no author)"
        per.setdefault(who, Counter())[r["check"]] += 1
        remarks.setdefault(who, set()).add(r["remark_id"] or ("order", r["order_id"]))
    out = []
    for who in sorted(per, key=lambda w: (-sum(per[w].values()), w)):
        c = per[who]
        out.append({"agent": who, "remarks_with_problems": len(remarks[who]),
                    "problems": sum(c.values()), "most_common": c.most_common(1)[0][0],
                    "by_check": dict(c.most_common())})
    return out


def parse_verify(text: Any) -> list[str]:
    """Policy ``remark.verify_buyer``: ``address,cancel`` (or a list, or ``none``)."""
    if isinstance(text, list):
        parts = [str(p) for p in text]
    else:
        s = str(text).strip()
        parts = [] if s.lower() in ("", "none", "off", "无") else re.split(r"[,，;\s]+", s)
    out: list[str] = []
    for part in filter(None, parts):
        if part.lower() in ("cancel", "取消", "退款"):
            word = "cancel"
        else:
            word = COMPOSE_KIND.get(part)
            if word is None:
                raise InputError(f"{part!r}: use kinds of remark add ({', '.join(COMPOSE_KINDS)}) "
                                 "or cancel")
        if word not in out:
            out.append(word)
    return out
