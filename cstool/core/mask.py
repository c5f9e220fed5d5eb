"""The one masker: personal data and secrets inside any text we print or send.

Buyers and agents type phone numbers, addresses and ID-card numbers into
messages, remarks, problems and receipts. :func:`mask_text` finds them inside
free text and masks them the way the typed values are masked
(:mod:`cstool.core.values`): mobiles ``139****6666`` (with spaces or dashes
too), landlines ``0571-****6666``, ID-card numbers ``330***********1234``,
addresses cut after the district. The renderer applies it to every text
value unless ``--reveal``; robot messages always.

:func:`mask_secrets` does the same for webhook tokens, passwords and signing
secrets inside messages and errors. Only ``re``: cheap to import.
"""

from __future__ import annotations

import re
from functools import lru_cache

from cstool.core.text import Lazy as _Lazy

# --- personal data -------------------------------------------------------------------

def mask_phone(value: str) -> str:
    s = str(value).strip()
    if not s:
        return s
    if len(s) >= 8:
        return s[:3] + "****" + s[-4:]
    return "*" * (len(s) - 2) + s[-2:] if len(s) > 2 else "*" * len(s)


def mask_name(value: str) -> str:
    s = str(value).strip()
    if not s:
        return s
    if s.isascii():
        return s[0] + "***"
    return s[0] + "*" * (len(s) - 1) if len(s) > 1 else "*"


def mask_names(value, names) -> str:
    """Text with each of ``names`` (the order's receiver …) masked where it appears: a
    name is nothing :func:`mask_text` can find by its shape."""
    s = str(value)
    for n in sorted({str(n).strip() for n in names if n}, key=len, reverse=True):
        if len(n) >= 2 and n in s:
            s = s.replace(n, mask_name(n))
    return s


_DISTRICT = _Lazy(r"^(.{2,24}?(?:区|县|旗|市辖区|自治县|林区|特区))")
_CITY = _Lazy(r"^(.{2,16}?市)")


def mask_nick(value: str) -> str:
    """A buyer's account name where others read it (a group chat): its first and last
    characters (two each when it is long), the rest ``***`` (``tb***04``, ``王***``)."""
    s = str(value).strip()
    if len(s) <= 1:
        return s
    keep = 2 if len(s) >= 8 else 1
    return s[:keep] + "***" + (s[-keep:] if len(s) > 3 else "")


def mask_address(value: str) -> str:
    """Keep the address up to its district (区/县), hide the rest."""
    s = " ".join(str(value).split())
    if not s:
        return s
    parts = s.split(" ")
    if len(parts) >= 4 and any(p.endswith(("区", "县", "旗", "市")) for p in parts[1:3]):
        # Taobao's form: 省 市 区 street...
        for i in range(1, min(4, len(parts))):
            if parts[i].endswith(("区", "县", "旗")):
                return " ".join(parts[: i + 1]) + " ****"
        return " ".join(parts[:3]) + " ****"
    compact = s.replace(" ", "")
    m = _DISTRICT.match(compact) or _CITY.match(compact)
    if m and len(m.group(1)) < len(compact):
        return m.group(1) + " ****"
    return compact[:3] + "****"



# "新地址为: …", "地址: …": everything up to the signature or the end of the sentence.
_KEYED_ADDRESS = _Lazy(
    r"((?:新地址|收货地址|收件地址|送货地址|地址改为|地址改成|地址更改为|更改地址为?|修改地址为|"
    r"地址)\s*(?:为|是)?\s*[:：]?\s*)"
    r"([^,，;；。!！?？\n]+?)(?=-{2,}|—|[,，;；。!！?？\n]|$)")
_ADDRESS_LIKE = _Lazy(r"[省市区县旗镇乡村路街道巷弄号栋幢室]")
# An address as an agent writes the buyer's new one: the receiver's name, then the phone
# (张三 13812345678 浙江省…, or already masked: 张三138****5678…): the name goes too.
_NAME_BEFORE_PHONE = _Lazy(
    r"^(\s*)([\u4e00-\u9fff]{2,4})(?=[\s,，:：]*(?:(?:\+?86)?1[3-9]\d|\d{3}\*{4}\d{4}))")
# A street-level address without a keyword: "…文三路8号", "…小区3栋2单元501".
_NUM = r"[0-9０-９一二三四五六七八九十百零〇]+"
_UNIT = r"(?:号楼|号院|号|弄|栋|幢|单元|室|楼|层|组|座|户)"
_STREET = _Lazy(
    r"[\u4e00-\u9fffA-Za-z0-9][\u4e00-\u9fffA-Za-z0-9 ]{0,20}?"
    r"(?:大街|大道|胡同|小区|花园|公寓|大厦|广场|新村|家园|社区|路|街|巷|弄|村|镇|乡|苑)"
    rf"\s*{_NUM}\s*{_UNIT}(?:[\s\-－]*[0-9０-９A-Za-z一二三四五六七八九十]+\s*{_UNIT}?)*")
_ID_CARD = _Lazy(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"\d{3}[0-9Xx](?![0-9A-Za-z])")
_LANDLINE = _Lazy(
    r"(?<!\d)(?:\((?P<a1>0\d{2,3})\)|（(?P<a2>0\d{2,3})）|(?P<a3>0\d{2,3}))[\s\-－]?"
    r"(?P<n>\d{3,4}[\s\-－]?\d{4})(?:[\s\-－]?(?:转|ext\.?|x)\s*\d{1,6})?(?!\d)")
_MOBILE = _Lazy(r"(?<!\d)(?:(?:\+|00)?86[\s\-－]?)?1[3-9]\d(?:[\s\-－]?\d){8}(?!\d)")
_HINT = _Lazy(r"[0-9０-９号栋幢室弄]")
# A contact number as an agent types one (a mobile, a landline, with its area code).
_PHONE = _Lazy(r"\+?[0-9][0-9 \-]{4,19}")


def is_phone(text: str) -> bool:
    """Whether ``text`` is a contact number an agent could have typed (``--phone``)."""
    return _PHONE.fullmatch(text) is not None


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _mobile(m: re.Match) -> str:
    d = _digits(m.group(0))[-11:]
    return d[:3] + "****" + d[-4:]


def _landline(m: re.Match) -> str:
    area = m.group("a1") or m.group("a2") or m.group("a3")
    return f"{area}-****{m.group('n')[-4:]}"


def _id_card(m: re.Match) -> str:
    s = m.group(0)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


def _address(m: re.Match) -> str:
    return mask_address(m.group(0))


def _keyed(m: re.Match) -> str:
    rest = m.group(2)
    if not _ADDRESS_LIKE.search(rest) and not _digits(rest):
        return m.group(0)
    return m.group(1) + mask_address(mask_name_before_phone(rest))


def mask_name_before_phone(value: str) -> str:
    """An address that starts with its receiver's name and phone, the name masked."""
    return _NAME_BEFORE_PHONE.sub(lambda m: m.group(1) + mask_name(m.group(2)), str(value),
                                  count=1)


def mask_text(value) -> str:
    """Free text with the mobiles, landlines, ID-card numbers and addresses in it masked."""
    if value is None:
        return value
    return _masked(str(value))


@lru_cache(maxsize=4096)
def _masked(s: str) -> str:
    # (the same texts recur in a listing: a check's words, a courier, a deadline's note)
    if "地址" in s:
        s = _KEYED_ADDRESS.sub(_keyed, s)
    if not _HINT.search(s):
        return s
    s = _STREET.sub(_address, s)
    s = _ID_CARD.sub(_id_card, s)
    s = _LANDLINE.sub(_landline, s)
    return _MOBILE.sub(_mobile, s)


# --- secrets -------------------------------------------------------------------------

# Query parameters and words that carry a secret.
_SECRET_PARAM = _Lazy(
    r"((?:access_token|token|key|secret|sign|password|passwd|pwd)=)([^&\s'\"]+)", re.I)
_USERINFO = _Lazy(r"(\b[a-z][a-z0-9+.\-]*://)[^/\s@'\"]+@", re.I)
_SEC = _Lazy(r"\bSEC[0-9a-f]{16,}\b")


def _tail(value: str) -> str:
    return "…" + value[-4:] if len(value) > 8 else "…"


def mask_url(url: str) -> str:
    """A webhook URL safe to print: scheme, host and path; no user or password; each
    token cut to its last 4 characters; the signature dropped."""
    import urllib.parse

    try:
        parts = urllib.parse.urlsplit(str(url).strip())
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return mask_secrets(str(url))
    netloc = ("[" + host + "]" if ":" in host else host) + (f":{port}" if port else "")
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    shown = "&".join(f"{k}={_tail(v)}" if v else k for k, v in query
                     if k not in ("sign", "timestamp"))
    if not parts.scheme and not netloc:
        return mask_secrets(str(url))
    head = f"{parts.scheme}://{netloc}" if parts.scheme else netloc
    return head + parts.path + (f"?{shown}" if shown else "")


def mask_secrets(text) -> str:
    """Text (an error, a message) with tokens, passwords and signing secrets cut."""
    s = str(text)
    s = _USERINFO.sub(r"\1***@", s)
    s = _SECRET_PARAM.sub(lambda m: m.group(1) + _tail(m.group(2)), s)
    return _SEC.sub(lambda m: "SEC" + _tail(m.group(0)), s)
