"""Canned queries, for what is plain SQL (finding an order, the import log), and their SQL functions.

Each query is fixed SQL with named parameters; personal data in it goes
through ``cstool_mask(kind, value)``, which calls the same maskers the CLI
uses, so a canned query's page and its JSON are masked like every other page.
"""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Any, Callable, Optional

from cstool.core.clock import DEFAULT_TZ, from_db, zone
from cstool.core.i18n import NC_, pgettext
from cstool.core.mask import mask_names
from cstool.core.values import format_money, mask_address, mask_name, mask_phone
from cstool.core.vocab import STATUS
from cstool.web.render import mask_text

MASKERS: dict[str, Callable[[str], str]] = {
    "phone": mask_phone, "name": mask_name, "address": mask_address, "text": mask_text,
}


def _mask(kind: str, value: Any) -> Optional[str]:
    if value is None or value == "":
        return value
    masker = MASKERS.get(kind)
    # An unknown kind is a mistake in a query: show nothing rather than the value.
    return masker(str(value)) if masker else "****"


def _mask_own(text: Any, name: Any) -> Optional[str]:
    """An order's free text masked, its receiver's name (``name``) included."""
    if text is None or text == "":
        return text
    return mask_names(mask_text(str(text)), [name] if name else [])


def _money(fen: Any) -> Optional[str]:
    return format_money(int(fen)) if isinstance(fen, int) else None


def _time(instant: Any, tz_json: Any = None) -> Optional[str]:
    """A journal instant in the shop's zone (``tz_json``: the policy's stored value)."""
    if not instant:
        return None
    try:
        name = json.loads(tz_json) if tz_json else DEFAULT_TZ
        return from_db(str(instant)).astimezone(zone(name)).strftime("%Y-%m-%d %H:%M")
    except Exception:  # a value this function cannot read is shown as stored
        return str(instant)


def _status(text: Any) -> Any:
    """A status word as typed (``待发货``) to the journal's value (``paid``)."""
    if text is None or str(text).strip() == "":
        return ""
    return STATUS.get(str(text)) or str(text).strip()


def register(conn: sqlite3.Connection) -> None:
    conn.create_function("cstool_mask", 2, _mask, deterministic=True)
    conn.create_function("cstool_mask_own", 2, _mask_own, deterministic=True)
    conn.create_function("cstool_money", 1, _money, deterministic=True)
    conn.create_function("cstool_time", 2, _time, deterministic=True)
    conn.create_function("cstool_status", 1, _status, deterministic=True)
    conn.create_function("cstool_basename", 1,
                         lambda p: os.path.basename(p) if p else p, deterministic=True)


_TZ = "(SELECT value FROM policy WHERE key = 'timezone')"

CANNED: dict[str, dict[str, Any]] = {
    "find_order": {
        "title": NC_("web", "Find an order"),
        "description": NC_("web", "By order number (or its start), buyer account and status "
                                  "(待发货, paid …); newest first, at most 100. The order number "
                                  "opens the order."),
        "sql": f"""SELECT order_id, platform, shop, buyer, status,
  cstool_money(coalesce(total_fen, paid_fen)) AS amount,
  cstool_time(created_at, {_TZ}) AS created_at,
  cstool_time(paid_at, {_TZ}) AS paid_at,
  cstool_time(shipped_at, {_TZ}) AS shipped_at,
  courier, tracking_no,
  cstool_mask('name', receiver_name) AS receiver_name,
  cstool_mask('phone', receiver_phone) AS receiver_phone,
  cstool_mask('address', receiver_address) AS receiver_address,
  cstool_mask_own(seller_memo, receiver_name) AS seller_memo
FROM orders WHERE rowid IN (
  -- the hundred orders first, so the masking runs on those alone
  SELECT rowid FROM orders
  WHERE (:order = '' OR order_id = trim(:order) OR order_id LIKE trim(:order) || '%')
    AND (:buyer = '' OR buyer LIKE '%' || trim(:buyer) || '%')
    AND (:status = '' OR status = cstool_status(:status))
  ORDER BY created_at DESC, order_id DESC LIMIT 100)
ORDER BY created_at DESC, order_id DESC""",
        "params": ["order", "buyer", "status"],
        "labels": {"order": NC_("web", "order"), "buyer": NC_("web", "buyer"),
                   "status": NC_("web", "status")},
        "hide_sql": True,
    },
    "import_log": {
        "title": NC_("web", "Imports"),
        "description": NC_("web", "Every order export imported, newest first: rows read, "
                                  "inserted, updated, unchanged and rejected (as `cstool orders "
                                  "import` reported)."),
        "sql": f"""SELECT id, cstool_basename(file) AS file, format, encoding, rows, inserted,
  updated, unchanged, rejected, agent,
  cstool_time(started_at, {_TZ}) AS started_at,
  cstool_time(finished_at, {_TZ}) AS finished_at
FROM imports ORDER BY id DESC LIMIT 200""",
        "hide_sql": True,
    },
}


def shown() -> dict[str, dict[str, Any]]:
    """The canned queries with their title, description and parameter labels in the
    language the web view was started in (Datasette reads them once, at start-up)."""
    out = {}
    for name, query in CANNED.items():
        q = {**query, "title": pgettext("web", query["title"]),
             "description": pgettext("web", query["description"])}
        if "labels" in query:
            q["labels"] = {k: pgettext("web", v) for k, v in query["labels"].items()}
        out[name] = q
    return out
