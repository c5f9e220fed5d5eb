"""A table's headers: each key's name for people, in the reader's language.

A header is the key's message in the context ``column``: English reads the key as it
is (what ``--format csv`` and JSON call it, so a table and a script name a column
alike), Chinese reads the manuals' words (``order_id`` → 订单号). A key without a
message here is its own header in either language; a listing may give its own labels
(``Listing(labels=…)``).
"""

from __future__ import annotations

from cstool.core.i18n import NC_, pgettext

CONTEXT = "column"

# Marked for extraction (make messages); translated where a table is drawn.
KEYS = (
    NC_("column", "id"), NC_("column", "order_id"), NC_("column", "sub_order_id"),
    NC_("column", "platform"), NC_("column", "shop"), NC_("column", "buyer"),
    NC_("column", "status"), NC_("column", "amount"), NC_("column", "created_at"),
    NC_("column", "paid_at"), NC_("column", "ship_by"), NC_("column", "shipped_at"),
    NC_("column", "courier"), NC_("column", "tracking_no"), NC_("column", "seller_memo"),
    NC_("column", "flag"), NC_("column", "items"), NC_("column", "title"),
    NC_("column", "sku"), NC_("column", "merchant_code"), NC_("column", "quantity"),
    NC_("column", "price"), NC_("column", "refund_status"), NC_("column", "refund_amount"),
    NC_("column", "receiver_name"), NC_("column", "receiver_phone"),
    NC_("column", "receiver_address"), NC_("column", "buyer_message"),
    NC_("column", "unpaid_minutes"), NC_("column", "attempts"),
    NC_("column", "last_chased_at"), NC_("column", "last_chased_by"),
    NC_("column", "channel"), NC_("column", "opens_at"), NC_("column", "message"),
    NC_("column", "phone"), NC_("column", "check"), NC_("column", "due_at"),
    NC_("column", "hours_left"), NC_("column", "detail"), NC_("column", "kind"),
    NC_("column", "resolution"), NC_("column", "next_step"), NC_("column", "opened_by"),
    NC_("column", "opened_at"), NC_("column", "closed_at"), NC_("column", "category"),
    NC_("column", "problem"), NC_("column", "todo"), NC_("column", "created_by"),
    NC_("column", "receipt"), NC_("column", "acked_by"), NC_("column", "acked_at"),
    NC_("column", "author"), NC_("column", "text"), NC_("column", "problems"),
    NC_("column", "recorded_at"), NC_("column", "source"), NC_("column", "remark"),
    NC_("column", "key"), NC_("column", "value"), NC_("column", "help"),
    NC_("column", "preset"), NC_("column", "about"), NC_("column", "sets"),
    NC_("column", "steps"), NC_("column", "photo_files"), NC_("column", "reship_courier"),
    NC_("column", "reship_tracking"), NC_("column", "return_freight_payer"),
    NC_("column", "updated_by"), NC_("column", "updated_at"), NC_("column", "closed_by"),
    NC_("column", "order_status"), NC_("column", "flag_code"),
    NC_("column", "name"), NC_("column", "short"), NC_("column", "job_no"),
    NC_("column", "role"), NC_("column", "agent"), NC_("column", "at"),
    NC_("column", "action"), NC_("column", "by"), NC_("column", "date"),
    NC_("column", "shift"), NC_("column", "start"), NC_("column", "end"),
    NC_("column", "label"), NC_("column", "file"), NC_("column", "files"),
    NC_("column", "rows"), NC_("column", "inserted"), NC_("column", "updated"),
    NC_("column", "unchanged"), NC_("column", "rejected"), NC_("column", "since"),
    NC_("column", "chased"), NC_("column", "paid"), NC_("column", "conversion"),
    NC_("column", "median_minutes_to_pay"), NC_("column", "still_unpaid"),
    NC_("column", "closed"), NC_("column", "step"), NC_("column", "what"),
    NC_("column", "state"), NC_("column", "hours"), NC_("column", "done_at"),
    NC_("column", "done_by"), NC_("column", "pay"), NC_("column", "to_pay"),
    NC_("column", "waits"), NC_("column", "unshipped"), NC_("column", "in_progress"),
    NC_("column", "still_open"), NC_("column", "acknowledged"),
    NC_("column", "acknowledged_pct"), NC_("column", "path"), NC_("column", "bytes"),
    NC_("column", "table"), NC_("column", "type"), NC_("column", "unknown"),
    NC_("column", "section"), NC_("column", "reason"), NC_("column", "result"),
    NC_("column", "promise"), NC_("column", "note"), NC_("column", "outcome"),
    NC_("column", "freight_payer"), NC_("column", "photos"), NC_("column", "timeline"),
    NC_("column", "most_common"), NC_("column", "by_check"),
    NC_("column", "remarks_with_problems"), NC_("column", "total"), NC_("column", "open"),
    NC_("column", "overdue"), NC_("column", "median_days_to_close"),
    NC_("column", "money_out"), NC_("column", "count"), NC_("column", "in_time_pct"),
    NC_("column", "shipped_in_time"), NC_("column", "shipped_late"),
    NC_("column", "past_deadline_unshipped"), NC_("column", "kind_label"),
    NC_("column", "category_label"), NC_("column", "exception_id"), NC_("column", "until"),
    NC_("column", "set_by"), NC_("column", "set_at"), NC_("column", "colour"),
    NC_("column", "meaning"), NC_("column", "count_open"), NC_("column", "sent_at"),
    NC_("column", "sends"), NC_("column", "schema_version"), NC_("column", "journal"),
    NC_("column", "deadline_in_day"), NC_("column", "shipped_time_unknown"),
    NC_("column", "overdue_now"), NC_("column", "due_soon_now"), NC_("column", "opened"),
    NC_("column", "money_claimed"), NC_("column", "claimed"), NC_("column", "compensation"),
    NC_("column", "refund"), NC_("column", "freight"), NC_("column", "claim"),
    NC_("column", "attempt"), NC_("column", "first"), NC_("column", "created"),
    NC_("column", "cases"), NC_("column", "fields"), NC_("column", "net_cost"),
    NC_("column", "closed_by_kind"),
    # an order's own fields and what it lists (orders show)
    NC_("column", "ship_by_source"), NC_("column", "paid_amount"), NC_("column", "postage"),
    NC_("column", "part_refunded"), NC_("column", "close_reason"), NC_("column", "item_title"),
    NC_("column", "item_count"), NC_("column", "invoice_title"), NC_("column", "brushing"),
    NC_("column", "remarks"), NC_("column", "holds"), NC_("column", "handover"),
    NC_("column", "chases"), NC_("column", "exceptions"), NC_("column", "item_id"),
    NC_("column", "owner"), NC_("column", "released_at"), NC_("column", "promise_due_at"),
    NC_("column", "remarks_written"),
)


def header(key: str) -> str:
    """The header of column ``key`` in the reader's language."""
    return pgettext(CONTEXT, key)
