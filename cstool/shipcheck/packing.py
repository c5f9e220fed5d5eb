"""The packing checklist (打包核对) for one order, from its items, remarks and holds.

Manual 003 has the packer check item number, colour, size, quantity and
shipping method, quantity most; manual 000 adds the gift bag and a clean
card set, damage and dirt, the right box, nothing wrong or missing. The
remarks say what changed since the buyer ordered (R7 attribute, R8 address,
R10 slips), what goes in (R14 gifts, cards) and how it goes (R9 requests,
R11 courier); later remarks win over earlier ones and over the export.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Optional

from cstool.core import holds
from cstool.core.i18n import M_, _
from cstool.core.orders import lines as order_lines
from cstool.core.orders import refunding, require
from cstool.core.output import own_names
from cstool.core.values import Address, Instant, Name, Phone
from cstool.core.vocab import COURIER_WORDS, REFUND, SENT, STATUS
from cstool.shipcheck.checks import memo_entries, presale_date

_COLOUR = re.compile(r"(?:酒红|军绿|天蓝|浅蓝|深蓝|浅灰|深灰|藏青|藏蓝|卡其|咖啡|玫红|米白|"
                     r"[黑白红蓝绿黄紫灰粉橙棕驼米银金杏])色|透明")
_SIZE = re.compile(r"\d{2}(?:\.5)?码|均码|(?<![A-Za-z0-9.])(?:[2-5]XL|X{1,3}L|XS|S|M|L)码?"
                   r"(?![A-Za-z0-9])")
_SPEC = re.compile(r"\d+(?:\.\d+)?\s*(?:米|cm|CM|mm|ml|mL|ML|毫升|升|寸|克|kg|g)(?![A-Za-z])")
_ITEM_NO = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,4}-?\d{3,}(?![A-Za-z0-9])")
_SKU_KEYS = {"colour": ("颜色分类", "颜色", "色"), "size": ("尺码", "尺寸", "鞋码", "码数", "规格",
             "容量", "长度"), "item_no": ("货号", "款号", "商家编码", "编码")}
# 客户拍下白色M码,要求修改成白色L码 (R7) · 客户要求修改成黑色 (R10) · 换37码 (R2)
_CHANGE = re.compile(r"(?:拍下(?P<a>[^,，;；]+?)[,，]?\s*)?(?:要求|需要)?(?:修改|更改|改|换)成"
                     r"(?P<b>[^,，;；。\s]+)")
_SWAP = re.compile(r"换(?P<b>\d{2}(?:\.5)?码|[大小][一1]码|" + _COLOUR.pattern + ")")
_COURIER = re.compile("|".join(COURIER_WORDS))
_NOT = re.compile(r"(?:不要|别|不|勿)[发用走寄\W]{0,2}$")
_WINDOW = re.compile(r"(?:周末|周六|周日|工作日|节假日|上午|下午|晚上|白天|"
                     r"\d{1,2}\s*[点:：]\s*\d{0,2}\s*(?:之?[前后以]))[^,，;；。]{0,4}?[送收派到][货件达]?")
_NO_INVOICE = re.compile(r"(?:不要|别|不用|无需|不需要)[^,，;；。]{0,3}发票|"
                         r"发票[^,，;；。]{0,6}(?:另寄|单独|分开)")
_CARD = re.compile(r"(?:贺卡|卡片|祝福卡)[^\"“”「」]{0,6}[\"“「](?P<t>[^\"”」]+)[\"”」]")
_FIRST = re.compile(r"[^,，;；。\s]+")


def _first(rx: re.Pattern, text: str) -> Optional[str]:
    m = rx.search(text or "")
    return m.group(0) if m else None


def _sku_fields(sku: str) -> dict[str, str]:
    """``颜色分类:黑色;尺码:XL`` → {"colour": "黑色", "size": "XL"}."""
    out: dict[str, str] = {}
    for part in re.split(r"[;；]", sku or ""):
        key, sep, value = part.replace("：", ":").partition(":")
        if not sep:
            continue
        for field, keys in _SKU_KEYS.items():
            if key.strip() in keys and value.strip():
                out.setdefault(field, value.strip())
    return out


def _item(order) -> dict:
    """Item number, colour and size as the order was placed (sku first, then the title)."""
    title, sku = order["item_title"] or "", order["sku"] or ""
    fields = _sku_fields(sku)
    free = sku if not fields else ""
    return {
        "item_no": fields.get("item_no") or _first(_ITEM_NO, free) or _first(_ITEM_NO, title),
        "colour": fields.get("colour") or _first(_COLOUR, free) or _first(_COLOUR, title),
        "size": (fields.get("size") or _first(_SIZE, free) or _first(_SIZE, title)
                 or _first(_SPEC, free) or _first(_SPEC, title)),
    }


def _line(line: dict) -> dict:
    """One line (子订单) as the packer reads it: colour, size and item number from its SKU
    (商品属性 ``颜色分类：黑色;尺码：XL``) and 商家编码, whether it goes in the parcel."""
    fields = _sku_fields(line["sku"] or "")
    free = (line["sku"] or "") if not fields else ""
    title = line["title"] or ""
    return {
        "title": line["title"],
        "sku": line["sku"],
        "merchant_code": line["merchant_code"],
        "item_no": line["merchant_code"] or fields.get("item_no") or _first(_ITEM_NO, free),
        "colour": fields.get("colour") or _first(_COLOUR, free) or _first(_COLOUR, title),
        "size": (fields.get("size") or _first(_SIZE, free) or _first(_SIZE, title)
                 or _first(_SPEC, free) or _first(_SPEC, title)),
        "quantity": line["quantity"],
        "status": line["status"],
        "refund_status": line["refund_status"],
        "pack": not refunding(line) and line["status"] not in SENT,
    }


def _remark_lines(journal, order) -> list[str]:
    """The order's remarks, oldest first: the platform memo's, then those added in cstool."""
    lines = memo_entries(order["seller_memo"])
    for r in journal.query("SELECT text FROM remarks WHERE order_id = ? AND platform = ? "
                           "AND source <> 'platform' ORDER BY id",
                           [order["order_id"], order["platform"]]):
        lines += [ln for ln in memo_entries(r["text"]) if ln not in lines]
    return lines


def _parsed(journal, order) -> list[dict]:
    """What the remark parser stored of the order's remarks, line by line, oldest first:
    the platform memo's, then those added in cstool (``text``, ``kind``, ``fields``)."""
    import json

    out: list[dict] = []
    for r in journal.query(
            "SELECT text, kind, fields FROM remarks WHERE order_id = ? AND platform = ? "
            "AND parsed = 1 AND (source <> 'platform' OR text = ?) "
            "ORDER BY source = 'platform' DESC, id",
            [order["order_id"], order["platform"], order["seller_memo"] or ""]):
        fields = json.loads(r["fields"]) if r["fields"] else {}
        segments = fields.get("segments") or [{**fields, "text": r["text"], "kind": r["kind"],
                                               "fields": fields}]
        out += [s for s in segments if s["text"] not in {o["text"] for o in out}]
    return out


def _courier(texts: list[str]) -> tuple[Optional[str], list[str]]:
    """The last courier asked for, and the ones the buyer does not want (``不要发申通``),
    wherever the message or a remark names one (a note's reason, a request, R11)."""
    chosen, avoid = None, []
    for text in texts:
        for m in _COURIER.finditer(text):
            if _NOT.search(text[max(0, m.start() - 4):m.start()]):
                avoid.append(m.group(0))
            else:
                chosen = m.group(0)
    return chosen, avoid


def checklist(ctx, order_id: str) -> dict:
    """Everything the packer must check for one order, warnings first; an order with lines
    (an item export was imported) is packed line by line, from their SKU and 商家编码."""
    journal, clock = ctx.journal, ctx.clock
    order = require(journal, order_id, ctx.scope)
    oid = order["order_id"]
    policy = ctx.policy.shop(order["shop"])
    items = [_line(ln) for ln in order_lines(journal, oid, order["platform"])]
    packed = [ln for ln in items if ln["pack"]]
    item = _item(order)
    if len(packed) == 1 or (packed and len({(ln["colour"], ln["size"]) for ln in packed}) == 1):
        first = packed[0]
        item = {k: first[k] for k in ("item_no", "colour", "size")}  # the line's, not the title's
        if len(packed) > 1 and len({ln["item_no"] for ln in packed}) > 1:
            item["item_no"] = None  # several items: each line says its own
    lines = _remark_lines(journal, order)
    message = (order["buyer_message"] or "").strip()
    texts = ([message] if message else []) + lines
    warnings: list[str] = []
    changes: list[str] = []

    for text in lines:
        for m in list(_CHANGE.finditer(text)) + list(_SWAP.finditer(text)):
            to = m.group("b")
            if re.fullmatch(r"[大小][一1]码", to):
                warnings.append(M_("a remark asks for {to} ({text}): confirm the exact size "
                                   "with its author before packing", to=to, text=text))
                continue
            colour, size = _first(_COLOUR, to), _first(_SIZE, to) or _first(_SPEC, to)
            if (colour or item["colour"], size or item["size"]) == (item["colour"], item["size"]):
                continue  # nothing new (or not an attribute)
            was = m.groupdict().get("a") or "/".join(
                old for old, new in ((item["colour"], colour), (item["size"], size)) if new and old)
            changes.append(M_("{was} → {to} ({text})", was=was or M_("as ordered"), to=to,
                              text=text))
            item["colour"] = colour or item["colour"]
            item["size"] = size or item["size"]

    parsed = _parsed(journal, order)
    kinds = {}
    for r in parsed:
        kinds.setdefault(r["kind"], []).append(r.get("fields") or {})
    courier, avoid = _courier(texts)
    gifts = [_FIRST.match(f["gift"]).group(0) for f in kinds.get("gift", ()) if f.get("gift")]
    card = next((m.group("t") for t in texts for m in _CARD.finditer(t)), None)
    window = next((m.group(0) for t in reversed(texts) for m in _WINDOW.finditer(t)), None)
    no_invoice = next((t for t in texts if _NO_INVOICE.search(t)), None)
    new_address = next((f["address"] for f in reversed(kinds.get("address", []))
                        if f.get("address")), None)

    status = order["status"]
    if order["brushing"] or "brush" in kinds:
        warnings.insert(0, M_("brushing order (刷单): never ship it"))
    if status in ("unpaid", "closed"):
        warnings.insert(0, M_("the order is {status}: do not ship it",
                              status=STATUS.word(status)))
    elif status == "part_shipped":
        warnings.append(M_("part of it has shipped: pack only what is still missing"))
    elif status in SENT:
        sent = " ".join(v for v in (order["courier"], order["tracking_no"]) if v)
        warnings.append(M_("already shipped ({status}: {sent})", status=STATUS.word(status),
                           sent=sent) if sent else
                        M_("already shipped ({status})", status=STATUS.word(status)))
    if any("退款" in t for t in lines):
        warnings.append(M_("a remark mentions a refund (退款): check before packing"))
    presale_held = False
    for ln in items:
        if not ln["pack"] and ln["status"] not in SENT:
            what = " ".join(x for x in (ln["title"], ln["sku"]) if x)
            why = (STATUS.word("closed") if ln["status"] == "closed"
                   else M_("refund {status}", status=REFUND.word(ln["refund_status"]))
                   if ln["refund_status"] else M_("refund paid"))
            warnings.append(M_("do not pack {what} ×{n} ({why})", what=what,
                               n=ln["quantity"] or "?", why=why))
    for h in holds.open_holds(journal, oid, order["platform"]):
        if h["kind"] == "presale":
            presale_held = True
            day = date.fromisoformat(h["until"])
            warnings.append(M_("presale: ships {day}, not before", day=h["until"])
                            if day > clock.today() else
                            M_("presale ships {day}: ship it today", day=h["until"]))
        elif h["kind"] == "until":
            day = date.fromisoformat(h["until"])
            warnings.append(M_("held until {day}: do not ship before", day=h["until"])
                            if day > clock.today() else
                            M_("the hold until {day} is due: ship it today", day=h["until"]))
        elif h["kind"] == "owner":
            warnings.append(M_("only {owner} handles this order (必须由{owner}负责处理)",
                               owner=h["owner"]))
        else:
            warnings.append(M_("waiting for the buyer's answer: do not pack yet"))
    presale = presale_date(order["presale_info"], clock.local(order["created_at"]))
    if presale and presale > clock.today() and not presale_held:
        warnings.append(M_("presale: ships {day}, not before", day=presale.isoformat()))
    if new_address:
        warnings.append(M_("the address was changed by remark: use the new address, not the "
                           "export's"))
    if avoid:
        warnings.append(M_("the buyer does not want {couriers}",
                           couriers="/".join(dict.fromkeys(avoid))))

    quantity = order["item_count"]
    if items:  # what the lines still to pack add up to
        quantity = sum(ln["quantity"] or 0 for ln in packed) if all(
            ln["quantity"] is not None for ln in packed) else None
    checks = [
        M_("item number, colour and size match the order"),
        M_("QUANTITY ×{n}: count twice", n=quantity if quantity is not None else "?"),
        M_("no damage, no dirt"),
        M_("gift bag and card set, cards clean and unused"),
    ]
    if gifts:
        checks.append(M_("gift inside: {gifts}", gifts=", ".join(gifts)))
    if card:
        checks.append(M_("card written: “{card}”", card=card))
    checks += [
        M_("box of the right size, neatly sealed"),
        M_("nothing wrong, nothing missing"),
        M_("courier: {courier}; sealed and handed over by {time}",
           courier=courier or M_("the shop default"), time=policy.get("dispatch_time")),
    ]
    invoice = order["invoice_title"]
    return own_names({
        "order_id": oid,
        "buyer": order["buyer"],
        "status": status,
        "paid_at": Instant(order["paid_at"]) if order["paid_at"] else None,
        "item": order["item_title"],
        "item_no": item["item_no"],
        "colour": item["colour"],
        "size": item["size"],
        "quantity": quantity,
        "lines": items,
        "changes": changes,
        "gifts": gifts,
        "card": card,
        "courier": courier,
        "invoice_title": invoice,
        "invoice_in_parcel": None if not invoice else no_invoice is None,
        "delivery_window": window,
        "receiver_name": Name(order["receiver_name"]) if order["receiver_name"] else None,
        "receiver_phone": Phone(order["receiver_phone"]) if order["receiver_phone"] else None,
        "receiver_address": (Address(order["receiver_address"])
                             if order["receiver_address"] else None),
        "new_address": Address(new_address) if new_address else None,
        "buyer_message": message or None,
        "remarks": lines,
        "warnings": warnings,
        "checks": checks,
    }, [order["receiver_name"]])


def render_text(c: dict, renderer) -> str:
    """The checklist as a slip to print or read at the packing table."""
    def v(value) -> str:
        return str(renderer.plain(value, text=True)) if value not in (None, "", []) else "—"

    out = [_("packing checklist · order {order} · {buyer}").format(
        order=c["order_id"], buyer=c["buyer"] or "—")
           + (_(" · paid {at}").format(at=v(c["paid_at"])) if c["paid_at"] else "")]
    def mask(text) -> str:  # warnings, changes and remarks quote what agents typed
        return str(renderer.plain(own_names(text, [c["receiver_name"]]), text=True))

    out += [f"!! {mask(w)}" for w in c["warnings"]]
    invoice = v(c["invoice_title"])
    if c["invoice_title"] and not c["invoice_in_parcel"]:
        invoice += _(" — NOT in the parcel (the buyer asked): send it separately")
    ship_to = " · ".join(v(c[k]) for k in ("receiver_name", "receiver_phone", "receiver_address"))
    if c["new_address"]:
        ship_to = _("NEW ADDRESS {new} (export had: {old})").format(
            new=v(c["new_address"]), old=v(c["receiver_address"]))
    quantity = c["quantity"] if c["quantity"] is not None else "?"
    fields = [
        (_("item"), v(c["item"])),
        (_("item no"), v(c["item_no"]) if c["item_no"] else
         _("— (not in the export: check the label against the title)")),
        (_("colour"), v(c["colour"])),
        (_("size"), v(c["size"])),
        (_("QUANTITY"), _("×{n}   ◀◀ count twice").format(n=quantity)),
        *[((_("lines") if i == 0 else ""), _line_text(ln, v))
          for i, ln in enumerate(c.get("lines") or [])],
        (_("changed"), "; ".join(mask(x) for x in c["changes"]) or "—"),
        (_("gifts"), v(c["gifts"])),
        (_("card"), f"“{mask(c['card'])}”" if c["card"] else "—"),
        (_("invoice"), invoice),
        (_("courier"), v(c["courier"])),
        (_("delivery"), v(c["delivery_window"])),
        (_("ship to"), ship_to),
        (_("message"), v(c["buyer_message"])),
    ]
    out += [f"  {_pad(label)}{value}" for label, value in fields]
    remarks = _("remarks")
    out += [f"  {_pad(remarks if i == 0 else '')}{mask(line)}"
            for i, line in enumerate(c["remarks"] or ["—"])]
    out.append("  " + _("checks"))
    out += [f"    [ ] {mask(check)}" for check in c["checks"]]
    return "\n".join(out) + "\n"


def _pad(label: str, columns: int = 16) -> str:
    """``label`` padded to ``columns`` columns on the screen (a Chinese character is two)."""
    from cstool.core.table import width

    return label + " " * max(1, columns - width(label))


def _line_text(ln: dict, v) -> str:
    """``[ ] 雪平锅 颜色分类：20厘米锅-不含盖 · YO-PAN-20 ×1`` (a line not to pack says so)."""
    what = " ".join(str(x) for x in (ln["title"], ln["sku"]) if x) or "—"
    code = f" · {ln['item_no']}" if ln["item_no"] else ""
    box = "[ ]" if ln["pack"] else "[x] " + _("NOT PACKED:")
    return f"{box} {v(what)}{code} ×{ln['quantity'] if ln['quantity'] is not None else '?'}"
