"""Douyin's order export (抖店 订单管理 → 导出): one row per sub-order.

Headers from S15 (74 columns); ids and times start with a tab, placeholders ``-``
(S16); 订单状态 is each sub-order's, so an order's status comes from its lines; no
shop column (name the shop with ``--shop``).
"""

SPECS = [
    {
        "name": "douyin",
        "title": "抖店 订单导出",
        "platform": "douyin",
        "level": "order_lines",
        "status_from": "lines",
        "file": "csv (UTF-8 with a BOM, sometimes GBK) or xlsx",
        "fields": {
            "order_id": ["主订单编号"],
            "created_at": ["订单提交时间"],
            "paid_at": ["支付完成时间"],
            "ship_by": ["承诺发货时间"],
            "shipped_at": ["发货时间"],
            "seller_memo": ["商家备注"],
            "flag": ["旗帜颜色"],
            "buyer_message": ["买家留言"],
            "receiver_name": ["收件人"],
            "receiver_phone": ["收件人手机号"],
            "receiver_address": ["详细地址"],
            "receiver_province": ["省"],
            "receiver_city": ["市"],
            "receiver_district": ["区"],
            "receiver_street": ["街道"],
            "line.sub_order_id": ["子订单编号"],
            "line.title": ["选购商品"],
            "line.sku": ["商品规格"],
            "line.quantity": ["商品数量"],
            "line.item_id": ["商品ID"],
            "line.merchant_code": ["商家编码"],
            "line.price_fen": ["商品单价", "商品金额"],
            "line.paid_fen": ["订单应付金额"],
            "line.status": ["订单状态"],
            "line.refund_status": ["售后状态"],
        },
        "required": ["order_id", "line.sub_order_id", "created_at", "line.status"],
        "status": {
            "待支付": "unpaid",
            "备货中": "paid",
            "已发货": "shipped",
            "已完成": "finished",
            "已关闭": "closed",
        },
        "refund": {
            "售后关闭": "none",
            "售后中": "requested",
            "退款中": "requested",
            "退款成功": "refunded",
        },
        "empty": ["-", "--", "null", "#NULL!"],
        "clean": {"*": ["strip"], "line.item_id": ["digits"], "line.merchant_code": ["nospace"]},
        "sources": "S15 (74-column header), S16 (tabs, placeholders), S3 (status words)",
    },
]
