"""Youzan's order export (有赞 订单 → 导出, 订单维度).

Headers from S20 (60 columns) and S21; order numbers ``E`` and 23 digits; ``——`` for
empty; a tab before phone numbers (S19); the address in 收货人省份, 收货人城市,
收货人地区 and 详细收货地址/提货地址, composed into one like Douyin's and PDD's.
"""

SPECS = [
    {
        "name": "youzan",
        "title": "有赞 订单导出 (订单维度)",
        "platform": "youzan",
        "level": "order",
        "file": "csv or xlsx",
        "fields": {
            "order_id": ["订单号"],
            "shop": ["归属店铺"],
            "status": ["订单状态"],
            "created_at": ["订单创建时间", "买家付款时间"],
            "paid_at": ["买家付款时间"],
            "total_fen": ["应收订单金额", "订单实付金额"],
            "paid_fen": ["订单实付金额"],
            "postage_fen": ["运费"],
            "refund_fen": ["订单已退款金额"],
            "item_title": ["全部商品名称"],
            "buyer": ["买家昵称"],
            "receiver_name": ["收货人/提货人"],
            "receiver_phone": ["收货人手机号/提货人手机号"],
            "receiver_address": ["详细收货地址/提货地址"],
            # the address over four columns (S20, S21 has no 收货人城市): composed
            "receiver_province": ["收货人省份"],
            "receiver_city": ["收货人城市"],
            "receiver_district": ["收货人地区"],
            "buyer_message": ["买家备注"],
            "seller_memo": ["商家订单备注"],
        },
        "status": {
            "待发货": "paid",
            "已发货": "shipped",
            "交易成功": "finished",
            "交易完成": "finished",
            "交易关闭": "closed",
        },
        "empty": ["——"],
        "clean": {"*": ["strip"]},
        "sources": "S20 (60-column header), S21, S19 (tab before phones), S18",
    },
]
