"""JD POP's order export (京东 商家后台 订单管理 → 导出): one row per item.

Headers from S17 (30 columns); a tab inside 下单时间 (S12); masked phones such as
``1******6198`` (S21).
"""

SPECS = [
    {
        "name": "jd",
        "title": "京东 POP 订单导出",
        "platform": "jd",
        "level": "order_lines",
        "file": "csv (GBK) or xlsx",
        "fields": {
            "order_id": ["订单号"],
            "shop": ["店铺名称"],
            "status": ["订单状态"],
            "created_at": ["下单时间"],
            "paid_at": ["付款确认时间"],
            "total_fen": ["订单金额"],
            "paid_fen": ["应付金额"],
            "postage_fen": ["运费金额"],
            "buyer": ["下单帐号", "下单账号"],
            "receiver_name": ["客户姓名"],
            "receiver_address": ["客户地址"],
            "receiver_phone": ["联系电话"],
            "buyer_message": ["订单备注"],
            "seller_memo": ["商家备注"],
            "invoice_title": ["发票抬头"],
            "line.item_id": ["商品ID"],
            "line.title": ["商品名称"],
            "line.quantity": ["订购数量"],
            "line.price_fen": ["京东价"],
            "line.merchant_code": ["货号", "商家SKUID"],
        },
        "required": ["order_id", "status", "created_at", "line.title"],
        "status": {
            "等待出库": "paid",
            "等待确认收货": "shipped",
            "完成": "finished",
            "锁定": ["paid", "requested"],
            "已锁定": ["paid", "requested"],
            "取消": "closed",
        },
        "clean": {"*": ["tabs"], "line.item_id": ["digits"]},
        "sources": "S17 (header, 2016), S12 (tab in 下单时间), S21, S3, idx:3522297708",
    },
]
