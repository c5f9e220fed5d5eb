"""Pinduoduo's order export (拼多多 商家后台 订单查询 → 导出).

Headers from S2 (82 columns, 2023) and S24 (23 columns); order numbers like
``261123-607198974342001``; one row per order line; no shop column (name the shop
with ``--shop``). An unpaid row (待支付) has no time at all: its order is dated the
day its number starts with (S24 recovered the period the same way).
"""

SPECS = [
    {
        "name": "pdd",
        "title": "拼多多 订单导出",
        "platform": "pdd",
        "level": "order_lines",
        "file": "csv (UTF-8 or GBK) or xlsx",
        "fields": {
            "order_id": ["订单号"],
            "status": ["订单状态"],
            "created_at": ["订单成交时间", "支付时间", "下单时间"],
            "paid_at": ["支付时间", "订单成交时间"],
            "ship_by": ["承诺发货时间"],
            "shipped_at": ["发货时间"],
            "total_fen": ["用户实付金额(元)"],
            "paid_fen": ["用户实付金额(元)"],
            "postage_fen": ["邮费(元)"],
            "seller_memo": ["商家备注"],
            "buyer_message": ["买家留言"],
            "courier": ["快递公司"],
            "tracking_no": ["快递单号"],
            "receiver_phone": ["用户购买手机号"],
            "receiver_province": ["省"],
            "receiver_city": ["市"],
            "receiver_district": ["区"],
            "receiver_street": ["街道/镇"],
            "line.title": ["商品"],
            "line.quantity": ["商品数量(件)"],
            "line.item_id": ["商品id"],
            "line.sku": ["商品规格"],
            "line.merchant_code": ["商家编码-规格维度", "商家编码-商品维度"],
            "line.refund_status": ["售后状态"],
        },
        "required": ["order_id", "status", "created_at", "line.title"],
        "status": {
            "待支付": "unpaid",
            "待发货": "paid",
            "已发货，待签收": "shipped",
            "已发货，待收货": "shipped",
            "已签收": "signed",
            "已收货": "finished",
            "已取消": "closed",
            "交易关闭": "closed",
            "未发货，退款成功": ["closed", "refunded"],
            "已发货，退款成功": ["closed", "refunded"],
            "已收货，退款成功": ["closed", "refunded"],
            "已取消，退款成功": ["closed", "refunded"],
            "未成交，退款成功": ["closed", "refunded"],
        },
        "refund": {
            "无售后或售后取消": "none",
            "售后处理中": "requested",
            "商家同意退货退款，待买家发货": "returning",
            "退款成功": "refunded",
        },
        "empty_in": {"line.sku": ["无规格"]},
        "created_from_id": "yymmdd",
        "clean": {"line.item_id": ["digits"]},
        "sources": "S2 (82-column header, status and after-sale enums), S24, S3, S23",
    },
]
