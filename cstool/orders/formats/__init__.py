"""The platforms' exports as data: one declarative spec per export, detected from headers.

A spec (a plain dict, the same shape as a shop's own JSON spec file) says:

- ``name``, ``title``, ``platform`` and ``level``: ``order`` (one row per order),
  ``lines`` (an item report: rows become order lines, never orders; an order they
  name and the journal lacks is created from the order fields they carry, its status
  derived from its lines) or ``order_lines`` (the platform's order export with one
  row per item: both, the order's fields repeated on each row);
- ``fields``: each journal field (``status``, ``line.title`` …) and the headers that
  may hold it, first present first; a value left empty in one falls back to the next.
  One header may feed several fields (PDD's 订单成交时间 is both created and paid);
- ``required``: the fields without which a file is not this export;
- ``status`` / ``refund``: the export's status words (on top of the shared ones);
  ``status_from``: ``lines`` when the status column is each line's (the order's is
  derived);
- ``empty`` / ``empty_in``: placeholders that mean empty, everywhere or in one field
  (``null``, ``订单未关闭``, ``——``, ``无退款申请``);
- ``receiver_contact``: one cell holding the receiver's name, phone and address
  (``张三，86-13900139000，广东省…``), split into the three where the file has no
  column of their own;
- ``created_from_id``: ``yymmdd`` when the order number starts with its creation date
  (PDD's ``261123-…``): a row with no creation time is dated that day, at the shop's
  midnight (PDD leaves every time empty on an unpaid row);
- ``clean``: value cleaners per field (``*``: every field): ``strip`` (a leading tab),
  ``tabs`` (a tab inside a time), ``digits``, ``nospace``, ``amount_head``.

The specs shipped are in this package's modules (one per platform); a shop adds its
own with ``orders import --spec FILE.json`` (see docs/import.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

from cstool.core.errors import BadUsage, InputError
from cstool.core.i18n import M_, N_
from cstool.core.vocab import PLATFORM, REFUND, STATUS

LEVELS = ("order", "lines", "order_lines")

# Journal field -> the kind of value it holds (what the normaliser does with a cell).
ORDER_FIELDS: dict[str, str] = {
    "order_id": "order_id", "buyer": "nick", "shop": "text", "status": "status",
    "close_reason": "text", "total_fen": "money", "postage_fen": "money", "paid_fen": "money",
    "refund_fen": "money", "created_at": "time", "paid_at": "time", "shipped_at": "time",
    "ship_by": "time", "item_title": "text", "item_count": "count", "sku": "text",
    "courier": "text", "tracking_no": "tracking", "seller_memo": "memo", "flag": "flag",
    "buyer_message": "text", "invoice_title": "text", "presale_info": "text",
    "receiver_name": "text", "receiver_phone": "phone", "phone_landline": "phone",
    "receiver_address": "address", "modified_address": "address",
    "receiver_contact": "contact",
    # an address split over columns (Douyin 省/市/区/街道/详细地址, PDD 省/市/区/街道/镇):
    # composed into receiver_address, which is then the detail after them
    "receiver_province": "address_part", "receiver_city": "address_part",
    "receiver_district": "address_part", "receiver_street": "address_part",
}
LINE_FIELDS: dict[str, str] = {
    "line.sub_order_id": "id", "line.title": "text", "line.sku": "text",
    "line.merchant_code": "text", "line.item_id": "id", "line.quantity": "count",
    "line.price_fen": "money", "line.paid_fen": "money", "line.status": "status",
    "line.refund_status": "refund", "line.refund_fen": "money",
    "line.compensation_fen": "money",
}
FIELDS = {**ORDER_FIELDS, **LINE_FIELDS}
CLEANERS = ("strip", "tabs", "digits", "nospace", "amount_head")
# What the shared vocabularies accept, whatever the export (``--status-map`` adds more).
STATUSES = tuple(STATUS.values)
REFUNDS = tuple(REFUND.values)


@dataclass(frozen=True)
class Spec:
    name: str
    title: str
    platform: str
    level: str
    fields: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]
    status: Mapping[str, tuple[str, Optional[str]]] = field(default_factory=dict)
    refund: Mapping[str, str] = field(default_factory=dict)
    status_from: str = "order"
    empty: tuple[str, ...] = ()
    empty_in: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    clean: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    file: str = "csv or xlsx"
    sources: str = ""
    created_from_id: str = ""

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], where: str = "spec") -> Spec:
        """A spec from its dict (a shop's JSON file, or one of ours), checked."""
        def bad(msg: str) -> InputError:
            return InputError(f"{where}: {msg}")

        if not isinstance(d, Mapping):
            raise bad(M_("a spec is a JSON object"))
        unknown = set(d) - {f.name for f in cls.__dataclass_fields__.values()}
        if unknown:
            raise bad(M_("unknown key(s) {items}", items=', '.join(sorted(unknown))))
        for key in ("name", "platform", "fields"):
            if not d.get(key):
                raise bad(M_("needs {key}", key=repr(key)))
        for key in ("name", "title", "platform", "level", "status_from", "file", "sources"):
            if d.get(key) is not None and not isinstance(d[key], str):
                raise bad(M_("{key} must be a string", key=key))
        name = str(d["name"]).strip()
        if not name.replace("-", "").replace("_", "").isalnum() or not name.isascii():
            raise bad(M_("name {name}: use letters, digits and - (e.g. my-erp)", name=repr(name)))
        platform = PLATFORM.get(str(d["platform"]))
        if platform is None:
            raise bad(M_("platform {platform}: use one of {choices}",
                         platform=repr(d['platform']), choices=PLATFORM.choices()))
        level = str(d.get("level") or "order")
        if level not in LEVELS:
            raise bad(M_("level {level}: use one of {items}", level=repr(level),
                         items=', '.join(LEVELS)))
        fields = {}
        for f, headers in _object(d["fields"], "fields", bad).items():
            if f not in FIELDS:
                raise bad(M_("unknown field {f}; fields: {items}", f=repr(f),
                             items=', '.join(FIELDS)))
            hs = _strings(headers, f"fields.{f}", bad)
            if not hs or not all(h.strip() for h in hs):
                raise bad(M_("field {f} needs the header(s) that hold it", f=repr(f)))
            fields[f] = tuple(h.strip() for h in hs)
        if level != "order" and "line.title" not in fields and "line.sub_order_id" not in fields:
            raise bad(M_("a spec of lines needs line.title or line.sub_order_id"))
        required = _strings(d.get("required"), "required", bad) or _default_required(level)
        for f in required:
            if f not in fields:
                raise bad(M_("required field {f} has no header", f=repr(f)))
        status = {}
        for word, value in _object(d.get("status"), "status", bad).items():
            status[str(word).strip()] = _status_value(value, f"{where}: status {word!r}")
        refund = {}
        for word, value in _object(d.get("refund"), "refund", bad).items():
            canon = REFUND.get(value) if isinstance(value, str) else None
            if canon is None:
                raise bad(M_("refund {word}: {value} is not one of {items}", word=repr(word),
                             value=repr(value), items=', '.join(REFUNDS)))
            refund[str(word).strip()] = canon
        created_from_id = d.get("created_from_id") or ""
        if created_from_id not in ("", "yymmdd"):
            raise bad(M_("created_from_id is yymmdd (or absent)"))
        status_from = str(d.get("status_from") or "order")
        if status_from not in ("order", "lines"):
            raise bad(M_("status_from is order or lines"))
        clean = {}
        for f, names in _object(d.get("clean"), "clean", bad).items():
            names = _strings(names, f"clean.{f}", bad)
            if f != "*" and f not in FIELDS:
                raise bad(M_("clean: unknown field {f}", f=repr(f)))
            for c in names:
                if c not in CLEANERS:
                    raise bad(M_("clean: unknown cleaner {c}; use {items}", c=repr(c),
                                 items=', '.join(CLEANERS)))
            clean[f] = names
        empty_in = {f: _strings(v, f"empty_in.{f}", bad)
                    for f, v in _object(d.get("empty_in"), "empty_in", bad).items()}
        for f in empty_in:
            if f not in FIELDS:
                raise bad(M_("empty_in: unknown field {f}", f=repr(f)))
        return cls(name=name, title=str(d.get("title") or name), platform=platform, level=level,
                   fields=fields, required=required, status=status, refund=refund,
                   status_from=status_from, empty=_strings(d.get("empty"), "empty", bad),
                   empty_in=empty_in, clean=clean, file=str(d.get("file") or "csv or xlsx"),
                   sources=str(d.get("sources") or ""), created_from_id=created_from_id)

    # -- reading a header --

    def resolve(self, names: Sequence[str]) -> dict[str, list[int]]:
        """Field -> the positions of its headers present in the file, in alias order."""
        at = {}
        for i, n in enumerate(names):
            at.setdefault(n, i)
        out = {}
        for f, aliases in self.fields.items():
            found = [at[a] for a in aliases if a in at]
            if found:
                out[f] = list(dict.fromkeys(found))
        return out

    def missing(self, index: Mapping[str, list[int]]) -> list[str]:
        return [f for f in self.required if f not in index]

    def label(self, f: str, names: Optional[Sequence[str]] = None,
              index: Optional[Mapping[str, list[int]]] = None) -> str:
        """The header a field is read from (the file's, when known, else the spec's first)."""
        if names is not None and index and f in index:
            return names[index[f][0]]
        return self.fields.get(f, (f,))[0]

    def statuses(self, extra: Mapping[str, str] = {}) -> dict[str, tuple[str, Optional[str]]]:
        """Every status word this export may hold -> (status, refund status or None)."""
        out: dict[str, tuple[str, Optional[str]]] = {}
        for word, canon in STATUS.words.items():
            out[word] = (canon, None)
        for canon in STATUS.values:
            for w in STATUS.aliases[canon]:
                out[w] = (canon, None)
        out.update(self.status)
        for word, value in extra.items():
            if value in STATUS.values:
                out[word] = (value, None)
        return {**out, **{w.replace(",", "，"): v for w, v in out.items() if "," in w},
                **{w.replace("，", ","): v for w, v in out.items() if "，" in w}}

    def refunds(self, extra: Mapping[str, str] = {}) -> dict[str, str]:
        out = {w: c for c in REFUND.values for w in (c, *REFUND.aliases[c])}
        out.update(self.refund)
        out.update({w: v for w, v in extra.items() if v in REFUND.values})
        return {**out, **{w.replace(",", "，"): v for w, v in out.items() if "," in w},
                **{w.replace("，", ","): v for w, v in out.items() if "，" in w}}


def _object(value: Any, what: str, bad) -> dict:
    """A JSON object of the spec (absent: empty)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise bad(M_("{what} must be an object (a JSON {{...}})", what=what))
    return dict(value)


def _strings(value: Any, what: str, bad) -> tuple[str, ...]:
    """A string or a list of strings of the spec (absent: none)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise bad(M_("{what} must be a list of strings", what=what))
    return tuple(value)


def _default_required(level: str) -> tuple[str, ...]:
    if level == "order":
        return ("order_id", "status", "created_at")
    return ("order_id",)


def _status_value(value: Any, where: str) -> tuple[str, Optional[str]]:
    """``"paid"`` or ``["paid", "requested"]`` (a status and the refund it implies)."""
    parts = [value] if isinstance(value, str) else list(value) if isinstance(
        value, (list, tuple)) else [None]
    if not all(isinstance(p, str) for p in parts):
        raise InputError(M_("{where}: {value} is not a status word (a string, or [status, "
                            "refund status])", where=where, value=repr(value)))
    status = STATUS.get(str(parts[0])) if parts else None
    if status is None or len(parts) > 2:
        raise InputError(M_("{where}: {value} is not one of {items}", where=where,
                            value=repr(value), items=', '.join(STATUSES)))
    refund = REFUND.get(str(parts[1])) if len(parts) == 2 else None
    if len(parts) == 2 and refund is None:
        raise InputError(M_("{where}: {parts_} is not one of {items}", where=where,
                            parts_=repr(parts[1]), items=', '.join(REFUNDS)))
    return status, refund


# --- the specs ------------------------------------------------------------------------


def builtin() -> list[Spec]:
    """The specs cstool ships, in the order detection prefers them on a tie."""
    from cstool.orders.formats import douyin, jd, pdd, taobao, youzan

    return [Spec.from_dict(d, f"spec {d['name']}")
            for m in (taobao, pdd, jd, douyin, youzan) for d in m.SPECS]


def load_file(path: str) -> Spec:
    """A shop's own spec, from a JSON file."""
    import json

    from cstool.core.files import check_input

    # a file mistake, missing or not a spec, fails the work (exit 1), naming the file
    check_input(path, N_("a JSON spec"), name=f"--spec {path}")
    try:
        with open(path, encoding="utf-8-sig") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as e:
        raise InputError(M_("--spec {path}: not a JSON spec ({e})", path=path, e=e)) from None
    return Spec.from_dict(data, f"--spec {path}")


def all_specs(extra: Iterable[Spec] = ()) -> list[Spec]:
    """A shop's specs first (they win a tie), then ours; a shop's spec may replace one of
    ours by giving its name."""
    mine = list(extra)
    names = {s.name for s in mine}
    return mine + [s for s in builtin() if s.name not in names]


def names(extra: Iterable[Spec] = ()) -> list[str]:
    return [s.name for s in all_specs(extra)]


def named(name: str, extra: Iterable[Spec] = ()) -> Spec:
    for s in all_specs(extra):
        if s.name == name:
            return s
    raise BadUsage(M_("unknown --format {name}; use auto, generic or one of: {items}",
                      name=repr(name), items=', '.join(names(extra))), option="--format")


def detect(path: str, header: Sequence[str], specs: Sequence[Spec],
           platform: Optional[str] = None) -> tuple[Spec, dict[str, list[int]]]:
    """The spec whose required headers the file has and which matches most of them
    (``platform``: among that platform's). An unknown file is refused naming the
    closest spec and what it lacks."""
    candidates = [s for s in specs if platform is None or s.platform == platform]
    if not candidates:
        raise BadUsage(M_("no export format of platform {platform}", platform=platform), option="--platform")
    best: Optional[tuple[int, int, Spec, dict]] = None
    closest: Optional[tuple[int, int, Spec, dict]] = None
    for rank, spec in enumerate(candidates):
        index = spec.resolve(header)
        score = (len({i for v in index.values() for i in v}), -rank)
        entry = (*score, spec, index)
        if not spec.missing(index):
            if best is None or entry[:2] > best[:2]:
                best = entry
        elif closest is None or entry[:2] > closest[:2]:
            closest = entry
    if best is not None:
        return best[2], best[3]
    spec, index = closest[2], closest[3]  # type: ignore[index]
    lacks = ", ".join(spec.label(f) for f in spec.missing(index))
    among = f" of {platform}" if platform else ""
    raise InputError(
        M_("{path}: not an order export{among}: missing column(s) {lacks} (the closest "
           "format is {name}, {title}); name another with --format, or read it with "
           "--format generic --map SOURCE=field", path=path, among=among, lacks=lacks,
           name=spec.name, title=spec.title))


def generic(mapping: Mapping[str, Sequence[str]], platform: Optional[str]) -> Spec:
    """The spec a ``--map`` makes: each source column to one or several fields."""
    fields: dict[str, list[str]] = {}
    for source, targets in mapping.items():
        for t in targets:
            fields.setdefault(t, []).append(source)
    lines = any(f.startswith("line.") for f in fields)
    level = "order" if not lines else ("order_lines" if "status" in fields else "lines")
    for f in ("order_id",) + (("status", "created_at") if level == "order" else ()):
        if f not in fields:
            raise BadUsage(M_("--map names no column for {f} (a generic file needs order_id, "
                              "status and created_at)", f=f) if level == "order" else
                           M_("--map names no column for {f} (a generic file needs order_id)",
                              f=f), option="--map")
    if level != "order" and "line.title" not in fields and "line.sub_order_id" not in fields:
        raise BadUsage(M_("--map: lines need a column for line.title or line.sub_order_id"),
                       option="--map")
    return Spec.from_dict({"name": "generic", "title": "--map", "level": level,
                           "platform": platform or "taobao", "fields": fields,
                           "required": ["order_id"]}, "--map")
