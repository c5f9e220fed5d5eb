"""A realistic Taobao seller-centre export for the benchmarks: 90 days of a team's orders.

    python bench/gen_export.py DIR --rows 1000000 [--parts orders,items:1000000,history]
           [--now "2026-11-23 15:00"] [--days 90] [--seed 15] [--backlog 0]

Nothing here is shared with the test fixtures or with cstool: the headers and the
value quirks are the real exports' as public code that reads them shows them (the
classic ExportOrderList with its sample rows, the 2020 item CSV), the order model is
this file's own. Deterministic for a given set of parameters; it streams (memory stays
flat with N: about 40 MB at any size).

Writes into DIR, each file to a temporary name and then renamed:

- ``orders.csv`` — the classic order export (61 columns, GB18030, every cell quoted,
  ``="…"`` order numbers, ``'`` before phones, ``0元``, ``订单未关闭``, the header's
  trailing spaces), one row per order as it stands at ``--now``, newest first.
- ``items-<L>.csv`` — the 2020 item-level export (子订单编号, 主订单编号 …, 28 columns)
  of the same orders, newest first, stopping before line L would be exceeded (``all``:
  every line). Some orders have several lines; some are partly refunded (one line
  交易关闭 / 退款成功 while the rest still ships); ``null`` attributes, ``No:`` tracking.
- ``history/`` — what a team importing three times a day (09:30, 15:30, 23:30) would have
  imported: one file per import holding the orders created or changed since the import
  before, as they stood then; ``plan.jsonl``, the chases, abnormal shipments and handover
  items the team logged in between (each at its time, on orders the journal knew by
  then); and ``manifest.json``. ``bench/journals.py`` replays it through the CLI.
- ``base-<D>d.csv`` — the classic export at the last import at least D days before
  ``--now`` (``base-<D>d.json`` says when): every order created by then, as it stood
  then. It is what replaying the history's imports up to that one leaves in the orders
  (not the memo versions in between): the journal builder imports it in their place.

The model (shop-local times):

- Orders arrive over ``--days`` days at a daily rhythm (quiet at 4:00, peaks 20:00–23:00),
  busier at weekends and around 11.11; across three shops (店铺名称) of different sizes,
  from repeat buyers; one to four lines each.
- Payment: most within minutes, some hours or a day or two later; 6.5 % never pay and
  are closed (买家未付款) by the buyer or by the platform after 72 h. So ``unpaid``
  exists only in the last three days.
- Shipping: the warehouse ships at 11:00 and 17:00; most orders go out in the first or
  second batch after payment, a few late (past 72 h). Held orders (``25日发货``) wait for
  their day. ``--backlog K``: the K newest paid orders have not shipped (a stalled
  warehouse; the pathological benchmark).
- After shipping: delivered in 1–5 days; the buyer confirms (交易成功) or the platform
  does 10 days after shipping. Refunds: 3 % before shipping and 1.5 % after (交易关闭,
  退款); a part of the multi-line orders has one line refunded and goes on.
- Seller memos (订单备注) on five orders in eight, written after the order was placed;
  a quarter of them holds or brushing marks (``25日发货``, ``必须由倩负责处理!``,
  ``@@@刘晓庆``), the rest in the manuals' forms (R1 red-flag notes, R2 returns with
  ``# 倩``, R4/R5 chase notes on orders that were slow to pay, R7/R8/R9/R10 changes,
  R11 courier, R13 job number, R14 gifts) or agents' shorthand; some memos grow a second
  entry later (a new version in the memo history). Brushing orders are paid at once and
  "shipped" with an empty parcel's tracking number (空包), as the platform records them.
- The team's log (``history/plan.jsonl``): about 300 chases (after the morning and
  afternoon imports, on orders still unpaid; the agent's R4 note goes into the memo),
  240 abnormal shipments (opened 1–6 days after shipping; photos, a note, most closed)
  and 240 handover items (night and day shift; acknowledged the next shift), whatever
  the number of orders: the journals of 1M and 3M orders differ in history, not in
  today's work.

Unverified choices (no source found): the line ending (CRLF), titles of a multi-line
order joined with ``，`` in 宝贝标题, the 支付单号 shape, the compensation rule.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import random
import sys
from datetime import datetime, timedelta

VERSION = 1  # bump when the output changes: cached data is keyed by it

# The 61-column ExportOrderList header as a seller-centre export writes it (copied
# from a public importer's comment), trailing spaces included.
ORDER_HEADER = (
    "订单编号", "买家会员名", "买家支付宝账号", "支付单号", "支付详情", "买家应付货款", "买家应付邮费",
    "买家支付积分", "总金额", "返点积分", "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言",
    "收货人姓名", "收货地址 ", "运送方式", "联系电话 ", "联系手机", "订单创建时间", "订单付款时间 ",
    "宝贝标题 ", "宝贝种类 ", "物流单号 ", "物流公司", "订单备注", "宝贝总数量", "店铺Id", "店铺名称",
    "订单关闭原因", "卖家服务费", "买家服务费", "发票抬头", "是否手机订单", "分阶段订单信息",
    "特权订金订单id", "是否上传合同照片", "是否上传小票", "是否代付", "定金排名", "修改后的sku",
    "修改后的收货地址", "异常信息", "天猫卡券抵扣", "集分宝抵扣", "是否是O2O交易", "新零售交易类型",
    "新零售导购门店名称", "新零售导购门店id", "新零售发货门店名称", "新零售发货门店id", "退款金额",
    "预约门店", "确认收货时间", "打款商家金额", "含应开票给个人的个人红包", "是否信用购", "体验期结束时间",
    "前N有礼", "配送类型", "主订单编号",
)
# The 2020 item-level CSV, ExportOrderDetailList*.csv (a public importer's column list).
ITEM_HEADER = (
    "子订单编号", "主订单编号", "标题", "价格", "购买数量", "外部系统编号", "商品属性", "套餐信息", "备注",
    "订单状态", "商家编码", "支付单号", "买家应付货款", "买家实际支付金额", "退款状态", "退款金额",
    "订单创建时间", "订单付款时间", "商品id", "分阶段订单信息", "主订单备注", "主订单买家留言", "发货时间",
    "物流单号", "物流公司", "是否赔付", "赔付金额", "赔付出账时间",
)
STATUS_TEXT = {"unpaid": "等待买家付款", "paid": "买家已付款，等待卖家发货",
               "shipped": "卖家已发货，等待买家确认", "finished": "交易成功", "closed": "交易关闭"}
IMPORT_TIMES = ((9, 30), (15, 30), (23, 30))   # when the team imports the day's export
BATCHES = (11, 17)                            # when the warehouse ships
HOUR = 3600
DAY = 86400

# Orders per hour of the day (relative): quiet at night, peaks after dinner.
HOUR_WEIGHT = (3.0, 1.8, 1.0, 0.6, 0.4, 0.4, 0.6, 1.2, 2.2, 3.2, 4.0, 4.2,
               3.8, 3.8, 4.0, 4.0, 3.8, 3.6, 3.8, 4.6, 5.4, 6.0, 5.6, 4.4)
CAMPAIGN = {(11, 10): 2.0, (11, 11): 6.0, (11, 12): 1.8, (9, 9): 1.5, (10, 1): 1.4}

# (short name, full name, role, job number): the team; their names appear in memos.
AGENTS = (("倩", "王倩", "presale", "1001"), ("郑婷", "郑婷", "presale", "1002"),
          ("小雨", "周小雨", "presale", "1003"), ("阿杰", "李杰", "aftersale", "2001"),
          ("美美", "陈美", "aftersale", "2002"), ("老周", "周建国", "supervisor", "9001"))
FORMER = "晓东"  # left the team: still author of old memos, not registered
PRESALE = ("倩", "郑婷", "小雨")
AFTERSALE = ("阿杰", "美美")

COURIERS = (("中通快递", "7", 14, "中通"), ("圆通速递", "YT", 13, "圆通"), ("韵达快递", "43", 13, "韵达"),
            ("申通快递", "77", 13, "申通"), ("极兔速递", "JT", 13, "极兔"), ("顺丰速运", "SF", 13, "顺丰"),
            ("邮政快递包裹", "98", 11, "邮政"), ("京东快递", "JDVA", 11, "京东"))
COURIER_CUM = (30, 52, 68, 78, 88, 95, 98, 100)

SURNAME = ("王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高梁郑罗宋谢唐韩曹许邓萧冯曾程蔡彭潘袁于董余苏叶吕魏"
           "蒋田杜丁沈姜范江傅钟卢汪戴崔任陆廖姚方金邱夏谭韦贾邹石熊孟秦阎薛侯雷白龙段郝孔邵史毛常万顾赖武康贺严尹钱施牛洪龚")
GIVEN = "一乙子小文明华国建军平志伟立新东海英玉秀兰丽芳燕静敏红霞桂娟美琴云莲春雪梅佳欣怡雨晨浩宇轩博涛鹏飞俊杰凯旭磊超勇斌宁琳倩婷颖洁薇璐瑶晶琪慧"
NICK_PART = ("小", "阿", "大", "老", "蓝", "白", "快乐的", "爱吃", "追风", "安静", "糖果", "星星", "木子",
             "夏天", "柠檬", "橘子", "兔兔", "熊猫", "一只", "喵", "月亮", "晴天", "南风", "北岛", "向日葵")
NICK_TAIL = ("", "", "", "88", "666", "2019", "_0", "天下", "宝宝", "妈妈", "的小店", "z", "ly", "hh", "1990")
PINYIN = ("congheng", "xiaoyu", "lele", "ajie", "mumu", "tiantian", "happy", "sunny", "kiki", "lucky",
          "coco", "dudu", "yoyo", "momo", "jiajia", "xixi")
MAIL = ("qq.com", "163.com", "126.com", "sina.com", "hotmail.com")
# (province, city, [districts], postcode prefix)
PLACES = (
    ("广东省", "广州市", ("越秀区", "天河区", "海珠区", "番禺区", "白云区"), "510"),
    ("广东省", "深圳市", ("南山区", "福田区", "宝安区", "龙岗区"), "518"),
    ("浙江省", "杭州市", ("西湖区", "拱墅区", "余杭区", "滨江区", "萧山区"), "310"),
    ("江苏省", "苏州市", ("姑苏区", "吴中区", "工业园区", "昆山市"), "215"),
    ("江苏省", "南京市", ("鼓楼区", "玄武区", "江宁区", "秦淮区"), "210"),
    ("上海", "上海市", ("浦东新区", "闵行区", "徐汇区", "静安区", "宝山区"), "200"),
    ("北京", "北京市", ("朝阳区", "海淀区", "丰台区", "昌平区"), "100"),
    ("四川省", "成都市", ("武侯区", "锦江区", "成华区", "双流区", "其它区"), "610"),
    ("湖北省", "武汉市", ("洪山区", "江汉区", "武昌区", "江夏区"), "430"),
    ("山东省", "青岛市", ("市南区", "崂山区", "黄岛区", "城阳区"), "266"),
    ("河南省", "郑州市", ("金水区", "二七区", "中原区"), "450"),
    ("福建省", "厦门市", ("思明区", "湖里区", "集美区"), "361"),
    ("湖南省", "长沙市", ("岳麓区", "天心区", "开福区"), "410"),
    ("陕西省", "西安市", ("雁塔区", "碑林区", "未央区"), "710"),
    ("安徽省", "合肥市", ("蜀山区", "包河区", "庐阳区"), "230"),
    ("广西壮族自治区", "南宁市", ("青秀区", "西乡塘区", "兴宁区"), "530"),
    ("辽宁省", "沈阳市", ("和平区", "沈河区", "浑南区"), "110"),
    ("重庆", "重庆市", ("渝北区", "江北区", "沙坪坝区", "九龙坡区"), "400"),
)
ROADS = ("环市东路", "中山大道", "人民路", "解放路", "建设路", "学院路", "长江路", "和平街", "文三路", "科技园路",
         "南京路", "金融街", "红旗路", "新华街", "湖滨路", "滨江大道", "东风路", "青年路", "幸福路", "朝阳路")
ESTATES = ("云鹤园", "中海兰庭", "绿洲茗苑", "嘉隆小区", "阳光花园", "万科城", "碧桂园", "翠湖苑", "金地名京",
           "保利花园", "世纪新城", "龙湖天街", "滨江花园", "锦绣家园", "东方明珠苑", "和谐家园")

# The shops: (name, share of the orders, catalogue). A catalogue entry: (title,
# price range in yuan, code, attribute name and values, size name and values).
CLOTH = ("黑色", "藏青", "军绿", "卡其", "灰色", "酒红", "白色", "蓝色")
SIZES = ("S", "M", "L", "XL", "XXL", "3XL")
KIDS = ("110", "120", "130", "140", "150", "160")
SHOPS = (
    ("山野户外旗舰店", 0.55, (
        ("山野户外冲锋衣男女三合一可拆卸两件套防水防风登山服", (399, 699), "CFY", CLOTH[:6], SIZES),
        ("速干T恤男夏季短袖户外运动透气冰丝上衣", (59, 89), "SGT", CLOTH, SIZES),
        ("户外登山鞋男防水防滑徒步鞋低帮耐磨", (269, 359), "DSX", CLOTH[:4],
         ("38", "39", "40", "41", "42", "43", "44", "45")),
        ("抓绒衣男女秋冬加厚保暖摇粒绒外套", (129, 189), "ZRY", CLOTH, SIZES),
        ("轻量羽绒服男短款立领白鸭绒保暖外套", (459, 599), "YRF", CLOTH[:5], SIZES),
        ("速干裤男弹力户外登山裤薄款", (99, 139), "SGK", CLOTH[:5], SIZES),
        ("双肩背包户外登山包40L大容量防水", (199, 259), "BB40", CLOTH[:4], ()),
        ("登山杖碳素超轻伸缩折叠手杖", (89, 129), "DSZ", (), ("单支", "一对")),
        ("户外帐篷3-4人全自动防雨野营", (299, 459), "ZP34", ("绿色", "卡其"), ()),
        ("防晒冰袖男女夏季UPF50+", (19.9, 29.9), "BX", ("白色", "黑色", "灰色"), ()),
        ("加厚羊毛袜子男女登山徒步袜3双装", (39, 59), "WZ3", ("混色",), ("M", "L")),
    )),
    ("山野户外童装店", 0.27, (
        ("儿童羽绒服男童女童中长款加厚外套", (199, 329), "ETYR", ("粉色", "蓝色", "黑色", "米白"), KIDS),
        ("儿童卫衣春秋款纯棉连帽上衣", (69, 99), "ETWY", ("灰色", "粉色", "蓝色", "黄色"), KIDS),
        ("儿童运动鞋男童网面透气跑步鞋", (129, 179), "ETX", ("黑色", "蓝色", "粉色"),
         ("26", "28", "30", "32", "34", "36")),
        ("婴儿连体衣纯棉哈衣爬服", (49, 79), "YELT", ("白色", "粉色", "蓝色"), ("59", "66", "73", "80", "90")),
        ("儿童书包小学生减负护脊双肩包", (159, 229), "ETSB", ("蓝色", "粉色", "紫色"), ()),
        ("女童连衣裙夏季公主裙", (89, 139), "NTQ", ("粉色", "白色", "黄色"), KIDS),
    )),
    ("拾光家居生活馆", 0.18, (
        ("北欧陶瓷餐具套装家用碗碟组合", (129, 299), "CJ", ("北欧蓝", "奶白"), ("4人份", "6人份")),
        ("纯棉四件套全棉床单被套", (259, 459), "SJT", ("灰色", "蓝色", "米白", "粉色"), ("1.5m床", "1.8m床")),
        ("乳胶枕头泰国天然护颈枕", (89, 159), "RJZ", (), ("单只装", "一对装")),
        ("加厚珊瑚绒毛毯午睡毯", (59, 129), "MT", ("灰色", "咖啡", "粉色"), ("100x150", "150x200")),
        ("厨房收纳置物架多层落地", (69, 149), "ZWJ", ("白色", "黑色"), ("三层", "四层", "五层")),
        ("香薰蜡烛礼盒家用卧室", (39, 89), "XX", ("白茶", "玫瑰", "雪松"), ()),
        ("保温杯316不锈钢大容量", (59, 99), "BWB", ("白色", "黑色", "绿色"), ("500ml", "750ml")),
    )),
)
COLOUR_CODE = {"黑色": "BK", "藏青": "NV", "军绿": "GN", "卡其": "KH", "灰色": "GY", "酒红": "RD", "白色": "WT",
               "蓝色": "BL", "粉色": "PK", "米白": "BG", "黄色": "YL", "紫色": "PU", "绿色": "GR", "混色": "MX",
               "北欧蓝": "NB", "奶白": "MW", "咖啡": "CF", "白茶": "T1", "玫瑰": "T2", "雪松": "T3"}
BUYER_NOTES = ("请尽快发货，谢谢", "发顺丰可以吗", "不要放快递柜，放门卫", "送人的，不要放发票", "周末在家，工作日放驿站",
               "尺码不确定，先发吧", "麻烦包装好一点")
GIFTS = ("手机壳一个", "袜子一双", "试用装两包", "钥匙扣", "收纳袋一个")
CASE_DETAIL = {
    "delayed": ("物流{n}天未更新，买家催问", "received"),
    "damaged": ("买家收到外箱破损，商品有划痕", "compensated"),
    "lost": ("快递确认包裹丢失", "received"),
    "wrong_item": ("买家拍的{a}，收到的是{b}", "received"),
    "missing_item": ("一单两件只收到一件", "received"),
    "quality": ("穿了一次开线", "refunded"),
    "refused": ("买家拒收，原件退回", "refunded"),
    "signed_not_received": ("物流显示已签收，买家说没收到", "received"),
    "out_of_area": ("快递不到该地址", "received"),
}
CASE_KINDS = tuple(CASE_DETAIL)
CASE_WEIGHT = (30, 18, 7, 10, 10, 9, 5, 7, 4)
PHOTO_KINDS = {"damaged": 2, "wrong_item": 1, "quality": 1}
HANDOVER = (
    ("courier", "物流{n}天未更新，买家催问", "联系快递查件，回复买家", "已联系快递，已回复买家"),
    ("aftersale", "买家申请换货，等仓库确认收到退货", "仓库确认后安排换货发出", "仓库已收到，换货已发"),
    ("callback", "买家要求明天上午回电，询问尺码", "上午十点前回电", "已回电，买家改拍L码"),
    ("complaint", "买家投诉客服回复慢，要求主管联系", "主管联系买家道歉", "主管已致电，买家接受"),
    ("external", "买家说快递员态度差，要投诉网点", "联系网点负责人", "网点已处理，给买家回复"),
    ("distribution", "分销商问补货时间", "确认到货日期后回复分销商", "已回复：下周二到货"),
)
HANDOVER_WEIGHT = (40, 20, 15, 10, 10, 5)


def _mix(x: int) -> int:
    """A 64-bit integer hash (splitmix64's finaliser): buyers' details come from it."""
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & 0xFFFFFFFFFFFFFFFF
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


def _pick(seq, weights, u: float):
    """The item of ``seq`` that ``u`` (uniform in [0, 1)) falls on, by weight."""
    u *= sum(weights)
    for item, w in zip(seq, weights):
        if u < w:
            return item
        u -= w
    return seq[-1]


def _money(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


class Clock:
    """Shop-local times as integer seconds from a base midnight, formatted fast."""

    def __init__(self, base: datetime):
        self.base = base
        self._minutes: dict[int, str] = {}

    def __call__(self, ts) -> str:
        if ts is None:
            return ""
        m, s = divmod(ts, 60)
        text = self._minutes.get(m)
        if text is None:
            text = self._minutes[m] = (self.base + timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M")
        return f"{text}:{s:02d}"

    def dt(self, ts: int) -> datetime:
        return self.base + timedelta(seconds=ts)


class Line:
    __slots__ = ("sub_id", "title", "price", "qty", "attrs", "code", "item_id", "refund_at")

    def __init__(self, sub_id, title, price, qty, attrs, code, item_id):
        self.sub_id, self.title, self.price, self.qty = sub_id, title, price, qty
        self.attrs, self.code, self.item_id, self.refund_at = attrs, code, item_id, None


class Order:
    __slots__ = ("oid", "shop", "buyer", "created", "paid", "pay_no", "closed", "close_reason",
                 "shipped", "finished", "courier", "tracking", "lines", "postage", "memos",
                 "message", "mobile", "refund_fen", "refund_at", "late", "goods", "qty", "titles",
                 "who")


class Generator:
    def __init__(self, rows: int, now: datetime, days: int = 90, seed: int = 15,
                 chases: int = 300, cases: int = 240, handovers: int = 240):
        self.rows, self.days, self.seed = rows, days, seed
        self.base = datetime(now.year, now.month, now.day) - timedelta(days=days + 1)
        self.fmt = Clock(self.base)
        self.now = int((now - self.base).total_seconds())
        self.start = self.now - days * DAY
        self.rng = random.Random(seed)
        self.catalogue = self._catalogue(random.Random(seed * 7919 + 1))
        self.pool = max(500, rows // 3)
        self.imports = self._import_times()
        # The team logs a few hundred of each over the window, whatever the shop's size:
        # the probabilities are per eligible order (rates measured on this generator).
        self.p_chase = min(1.0, chases / (rows * 0.155))
        self.p_case = min(1.0, cases / (rows * 0.86))
        self.p_handover = min(1.0, handovers / (rows * 0.86))
        self.plan: list[dict] = []
        self._ref = 0

    # -- the shape of the window ----------------------------------------------------
    def _catalogue(self, rng: random.Random):
        shops = []
        for s, (name, share, products) in enumerate(SHOPS):
            entries = []
            for p, (title, (lo, hi), code, colours, sizes) in enumerate(products):
                price = int(round(rng.uniform(lo, hi))) * 100 - rng.choice((0, 0, 10, 100))
                item_id = str(600000000000 + _mix(self.seed * 1000 + s * 100 + p) % 99999999999)
                entries.append((title, price, f"SY{s + 1}-{code}", colours, sizes, item_id))
            shops.append((name, share, entries))
        return shops

    def _import_times(self) -> list[int]:
        out = []
        day = self.start - self.start % DAY
        while day <= self.now:
            for h, m in IMPORT_TIMES:
                t = day + h * HOUR + m * 60
                if self.start < t < self.now:
                    out.append(t)
            day += DAY
        out.append(self.now)
        return out

    def _weight(self, t: int) -> float:
        d = self.fmt.dt(t)
        w = HOUR_WEIGHT[d.hour] * (1.12 if d.weekday() >= 5 else 1.0)
        return w * CAMPAIGN.get((d.month, d.day), 1.0)

    def busy_days(self) -> float:
        """The window's days weighed by how busy each hour is (a campaign day counts for
        more): ``rows / busy_days()`` orders make an ordinary day of this window."""
        hours = self.days * 24
        return sum(self._weight(self.now - (j + 1) * HOUR) for j in range(hours)) / sum(
            HOUR_WEIGHT) * (24 / len(HOUR_WEIGHT))

    def created_times(self):
        """Creation times, newest first: each hour gets its share of the rows exactly."""
        hours = self.days * 24
        weights = [self._weight(self.now - (j + 1) * HOUR) for j in range(hours)]
        total = sum(weights)
        rng, acc, done = self.rng, 0.0, 0
        for j, w in enumerate(weights):
            acc += w
            upto = self.rows if j == hours - 1 else int(self.rows * acc / total)
            n, done = upto - done, upto
            top = self.now - j * HOUR
            for off in sorted((rng.randrange(HOUR) for _ in range(n)), reverse=True):
                yield top - 1 - off

    # -- one order ------------------------------------------------------------------
    def _batch_after(self, t: int, k: int) -> int:
        """The k-th shipping batch (0: the first) at or after t."""
        day = t - t % DAY
        while True:
            for h in BATCHES:
                b = day + h * HOUR
                if b >= t:
                    if k == 0:
                        return b + self.rng.randrange(40 * 60)
                    k -= 1
            day += DAY

    def _buyer(self, b: int, brush: bool):
        h = _mix(b * 2 + brush + self.seed * 1_000_003)
        if brush or h % 100 < 42:
            nick = f"tb{10_000_000 + h % 990_000_000}"
        elif h % 100 < 52:
            nick = PINYIN[h >> 8 & 15] + NICK_PART[h >> 12 & 15] + str(h >> 20 & 255)
        else:
            nick = NICK_PART[(h >> 8) % len(NICK_PART)] + GIVEN[(h >> 16) % len(GIVEN)] + \
                NICK_TAIL[(h >> 24) % len(NICK_TAIL)]
        g = h >> 32
        name = SURNAME[g % len(SURNAME)] + GIVEN[(g >> 7) % len(GIVEN)] + \
            (GIVEN[(g >> 14) % len(GIVEN)] if g >> 21 & 1 else "")
        if g >> 22 & 7 == 0:
            name = SURNAME[g % len(SURNAME)] + ("先生" if g >> 25 & 1 else "女士")
        prov, city, districts, post = PLACES[(g >> 5) % len(PLACES)]
        addr = (f"{prov} {city} {districts[(g >> 9) % len(districts)]} "
                f"{ROADS[(g >> 13) % len(ROADS)]}{(g >> 18) % 400 + 1}号{ESTATES[(g >> 2) % len(ESTATES)]}"
                f"{(g >> 11) % 30 + 1}栋{(g >> 3) % 4 + 1}单元"
                f"{(g >> 15) % 28 + 1}0{(g >> 20) % 4 + 1}室"
                f"({post}{(g >> 7) % 1000:03d})")
        mobile = f"1{'3578'[(h >> 3) & 3]}{(h >> 5) % 10}{(h >> 9) % 100_000_000:08d}"
        alipay = mobile if h >> 40 & 1 else \
            f"{(h >> 12) % 9_000_000_000 + 100_000}@{MAIL[(h >> 50) % 5]}"
        return nick, alipay, name, addr, mobile

    def order(self, i: int, created: int) -> Order:
        rng = self.rng
        o = Order()
        o.created = created
        o.oid = str(3_800_000_000_000_000_000 + (i * 62_933_555_777_941_757 + 4_129_877) % 10 ** 17)
        u = rng.random()
        shop = 0 if u < SHOPS[0][1] else 1 if u < SHOPS[0][1] + SHOPS[1][1] else 2
        o.shop = shop
        _name, _share, products = self.catalogue[shop]
        brush = rng.random() < 0.625 * 0.25 * 0.40  # @@@: 2 in 5 of the memos that hold or mark
        o.buyer = int(self.pool * rng.random() ** 2.2) if not brush else -1 - rng.randrange(3000)
        o.who = self._buyer(o.buyer, brush)
        # lines
        u = rng.random()
        n_lines = 1 if u < 0.78 else 2 if u < 0.93 else 3 if u < 0.98 else 4
        o.lines = []
        for k in range(n_lines):
            title, price, code, colours, sizes, item_id = products[rng.randrange(len(products))]
            attrs, parts = [], [code]
            if colours:
                c = colours[rng.randrange(len(colours))]
                attrs.append(f"颜色分类：{c}")
                parts.append(COLOUR_CODE.get(c, "X"))
            if sizes:
                s = sizes[rng.randrange(len(sizes))]
                attrs.append(("尺码：" if len(s) < 5 else "规格：") + s)
                parts.append(s)
            qty = 1 if rng.random() < 0.82 else rng.choice((2, 2, 3, 4))
            sub = str(int(o.oid) * 10 + k + 1)[-19:] if k else o.oid
            o.lines.append(Line(sub, title, price, qty, ";".join(attrs), "-".join(parts), item_id))
        o.goods = sum(line.price * line.qty for line in o.lines)
        o.qty = sum(line.qty for line in o.lines)
        o.titles = "，".join(line.title for line in o.lines)
        o.postage = 0 if rng.random() < 0.88 else rng.choice((600, 800, 1000, 1200))
        o.message = BUYER_NOTES[rng.randrange(len(BUYER_NOTES))] if rng.random() < 0.09 else ""
        o.mobile = rng.random() < 0.84
        o.paid = o.closed = o.shipped = o.finished = o.refund_at = None
        o.close_reason, o.refund_fen, o.courier, o.tracking, o.late, o.memos = "", 0, None, "", False, []
        # payment
        u = rng.random()
        if not brush and u < 0.065:
            o.closed = created + (rng.randrange(600, 20 * HOUR) if rng.random() < 0.4 else 72 * HOUR)
            o.close_reason = "买家未付款"
        else:
            v = rng.random()
            delay = (rng.randrange(5, 180) if v < 0.72 or brush else rng.randrange(180, HOUR) if v < 0.86
                     else rng.randrange(HOUR, DAY) if v < 0.95 else rng.randrange(DAY, 70 * HOUR))
            o.paid = created + delay
        o.pay_no = f"{self.fmt(o.paid)[:10].replace('-', '')}2200{_mix(i + 77) % 10 ** 16:016d}" \
            if o.paid else ""
        # memos (written after the order was placed), holds first: they move the shipment
        hold_until = self._memos(o, brush, rng)
        # refunds before shipping, shipping, delivery, confirmation
        u = rng.random()
        if o.paid is not None:
            if u < 0.03 and not brush:
                o.closed, o.close_reason = o.paid + rng.randrange(1800, 40 * HOUR), "退款"
                o.refund_fen, o.refund_at = self.total(o), o.closed
            k = 0 if rng.random() < 0.68 else 1 if rng.random() < 0.7 else rng.choice((2, 2, 3, 4, 5))
            ship = self._batch_after(max(o.paid + 1800, hold_until or 0), 0 if brush else k)
            if o.closed is None or ship < o.closed:
                o.shipped, o.closed, o.close_reason = ship, None, ""
                o.refund_fen, o.refund_at = 0, None
                o.late = ship - o.paid > 72 * HOUR
            if o.shipped is not None:
                co = rng.choices(range(len(COURIERS)), cum_weights=COURIER_CUM)[0]
                _name, prefix, digits, _short = COURIERS[co]
                o.courier = co
                o.tracking = prefix + str(rng.randrange(10 ** (digits - 1), 10 ** digits))
                delivered = o.shipped + rng.randrange(20 * HOUR, 5 * DAY)
                auto = o.shipped + 10 * DAY
                if brush:
                    o.finished = o.shipped + rng.randrange(DAY, 3 * DAY)
                elif rng.random() < 0.015:
                    o.closed, o.close_reason = delivered + rng.randrange(DAY, 5 * DAY), "退款"
                    o.refund_fen, o.refund_at = self.total(o), o.closed
                else:
                    early = delivered + rng.randrange(600, 6 * DAY) if rng.random() < 0.55 else auto
                    o.finished = min(early, auto)
            if n_lines > 1 and rng.random() < 0.12 and o.closed is None:
                line = o.lines[rng.randrange(n_lines)]
                line.refund_at = o.paid + rng.randrange(HOUR, 30 * HOUR)
                if o.shipped is None or line.refund_at < o.shipped:
                    o.refund_fen, o.refund_at = line.price * line.qty, line.refund_at
                else:
                    line.refund_at = None
        self._plan(o, rng)
        return o

    def total(self, o: Order) -> int:
        return o.goods + o.postage

    def _memos(self, o: Order, brush: bool, rng: random.Random):
        """The memo's versions [(time, text)]; returns the hold date's start, if any."""
        created = o.created
        u = rng.random()
        agent = PRESALE[rng.randrange(3)] if rng.random() < 0.93 else FORMER
        at = created + rng.randrange(120, 8 * HOUR)
        dt = self.fmt.dt(at)
        d_dot, d_md = f"{dt.year}.{dt.month:02d}.{dt.day:02d}", f"{dt.month}.{dt.day}"
        hold = None
        if brush:
            o.memos.append((created + rng.randrange(60, 1800),
                            "@@@" + SURNAME[rng.randrange(len(SURNAME))] + GIVEN[rng.randrange(40)] +
                            GIVEN[rng.randrange(40, len(GIVEN))]))
            return None
        if u >= 0.6:  # with the @@@ orders: five orders in eight have a memo
            return None
        v = rng.random()
        slow = o.paid is None or o.paid - created > 600
        # A quarter of all memos are holds or @@@ marks: with the @@@ orders, one in six here.
        if v < 0.10:                   # holds: XX日发货 (a date a few days after payment)
            target = self.fmt.dt((o.paid or created) + rng.randrange(2 * DAY, 6 * DAY))
            hold = int((datetime(target.year, target.month, target.day, 9) - self.base).total_seconds())
            o.memos.append((at, f"{target.day}日发货"))
        elif v < 1 / 6:                # owner holds
            o.memos.append((at, f"必须由{PRESALE[rng.randrange(3)]}负责处理!"))
        elif v < 0.32 and slow:        # R4 / R5 on orders that were slow to pay
            at = created + rng.randrange(600, 3 * HOUR)
            if o.paid is not None:
                at = min(at, o.paid - 60)
            dt = self.fmt.dt(at)
            d_dot = f"{dt.year}.{dt.month:02d}.{dt.day:02d}"
            o.memos.append((at, f"{d_dot} {agent}已催付" if rng.random() < 0.6 else
                            f"{d_dot} " + rng.choice(("顾客明天下午付款", "顾客说工资到了就付", "顾客在对比其他家",
                                                      "顾客说支付宝额度不够"))))
        else:
            w = rng.random()
            if w < 0.14:
                what = rng.choice((("客户要求发顺丰", "已改快递"), ("客户要求开发票", "已登记"),
                                   ("缺货换色", "已联系客户"), ("客户要求周末送货", "已备注快递")))
                text = f"红旗 {what[0]} {what[1]} {dt.year}.{dt.month}.{dt.day} {agent}"
            elif w < 0.26:
                text = f"退货/换货,换{rng.choice(SIZES)}码 {dt.year}年{dt.month}月{dt.day}日{dt:%H:%M:%S} # " \
                       f"{AFTERSALE[rng.randrange(2)]}"
            elif w < 0.38:
                colours = o.lines[0].attrs or "颜色分类：黑色"
                was = colours.split(";")[0][5:]
                text = f"客户拍下{was},要求修改成{rng.choice(CLOTH)},已修改妥当---{d_dot} {agent}"
            elif w < 0.46:
                _n, _a, _nm, addr, _m = self._buyer(o.buyer + 7, False)
                text = f"客户要求修改地址,新地址为:{addr.replace(' ', '')}---{d_dot} {agent}"
            elif w < 0.58:
                text = f"客户要求{rng.choice(('发顺丰', '下午送货', '发票抬头:杭州山野贸易有限公司', '贺卡写:生日快乐'))}" \
                       f"---{d_dot} {agent}"
            elif w < 0.62:
                text = f"客户要求修改成{rng.choice(SIZES)}码,已在发货单与快递单上修改妥当---{d_dot} {agent}"
            elif w < 0.72:
                text = f"{COURIERS[rng.randrange(6)][3]} {agent} {d_md}"
            elif w < 0.78:
                job = {a[0]: a[3] for a in AGENTS}.get(agent, "1009")
                text = f"工号{job}"
            elif w < 0.88:
                text = f"赠品:{rng.choice(GIFTS)} {dt.year}.{dt.month}.{dt.day} {agent}"
            else:
                text = rng.choice(("发顺丰", "换大一码", "加急", "明天发", "不要放快递柜", "缺货等通知"))
            o.memos.append((at, text))
        if rng.random() < 0.08:        # a second entry, later
            later = at + rng.randrange(HOUR, 2 * DAY)
            ldt = self.fmt.dt(later)
            second = f"{ldt.year}.{ldt.month:02d}.{ldt.day:02d} {AFTERSALE[rng.randrange(2)]} 买家来电确认"
            o.memos.append((later, o.memos[-1][1] + "\n" + second))
        return hold

    # -- the team's log (history only) ----------------------------------------------
    def _at(self, ts: int) -> str:
        return self.fmt(ts)

    def _next_ref(self, prefix: str) -> str:
        self._ref += 1
        return f"{prefix}{self._ref}"

    def _plan(self, o: Order, rng: random.Random) -> None:
        u_chase, u_case, u_ho = rng.random(), rng.random(), rng.random()
        r1, r2, r3, r4 = rng.random(), rng.random(), rng.random(), rng.random()
        if u_chase < self.p_chase:
            self._plan_chase(o, r1, r2)
        if u_case < self.p_case and o.shipped is not None and o.closed is None:
            self._plan_case(o, r1, r2, r3, r4)
        if u_ho < self.p_handover and o.shipped is not None:
            self._plan_handover(o, r1, r2, r3)

    def _import_after(self, t: int) -> int:
        """The first import at or after t (the order is in the journal from then on)."""
        j = bisect.bisect_left(self.imports, t)
        return self.imports[j] if j < len(self.imports) else self.now + DAY

    def _plan_chase(self, o: Order, r1: float, r2: float) -> None:
        # The team chases after the morning and afternoon imports.
        t = o.created + 300
        while True:
            b = self._import_after(t)
            hm = self.fmt.dt(b)
            if (hm.hour, hm.minute) != (23, 30) or b == self.now:
                break
            t = b + 1
        at = b + 60 + int(r1 * 45 * 60)
        end = min(x for x in (o.paid, o.closed, self.now - 60) if x is not None)
        if at >= end:
            return
        agent = PRESALE[int(r2 * 3)]
        for _t, memo in o.memos:  # an order only its owner may handle (必须由XX负责处理!)
            if memo.startswith("必须由"):
                agent = memo[3:].split("负责")[0]
        channel = ("wangwang", "wangwang", "wangwang", "phone", "phone", "sms", "remind")[int(r1 * 7)]
        ev = {"at": self._at(at), "do": "chase", "order": o.oid, "agent": agent, "channel": channel}
        if r2 < 0.35:
            ev["promise"] = ("明天下午付款", "晚上下班付", "发工资就付")[int(r1 * 3)]
        elif r2 < 0.65:
            ev["result"] = "no_answer"
        elif r2 < 0.78:
            ev.update(result="declined", reason=("comparing", "too_expensive", "balance")[int(r1 * 3)])
        self.plan.append(ev)
        dt = self.fmt.dt(at)
        # The chase's own R4 note replaces a chase note the memo had (one chase, one note).
        o.memos = [(t, m) for t, m in o.memos if "催付" not in m and "顾客" not in m]
        o.memos.append((at + 60, f"{dt.year}.{dt.month:02d}.{dt.day:02d} {agent}已催付"))
        o.memos.sort()

    def _plan_case(self, o: Order, r1: float, r2: float, r3: float, r4: float) -> None:
        day = o.shipped + DAY + int(r1 * 5 * DAY)
        opened = day - day % DAY + 9 * HOUR + int(r2 * 12.5 * HOUR)
        if opened <= o.shipped + DAY or opened >= self.now - 600:
            return
        if o.finished is not None and opened > o.finished + 7 * DAY:
            return
        kind = _pick(CASE_KINDS, CASE_WEIGHT, r3)
        detail, outcome = CASE_DETAIL[kind]
        detail = detail.format(n=2 + int(r4 * 5), a="黑色XL", b="白色L")
        ref = self._next_ref("c")
        agent = AFTERSALE[int(r4 * 2)]
        self.plan.append({"at": self._at(opened), "do": "case", "ref": ref, "order": o.oid,
                          "agent": agent, "kind": kind, "detail": detail})
        t = opened + HOUR + int(r3 * 20 * HOUR)
        if kind in PHOTO_KINDS and t < self.now:
            self.plan.append({"at": self._at(t), "do": "case_photo", "ref": ref, "agent": agent,
                              "photos": PHOTO_KINDS[kind]})
        t2 = opened + 2 * HOUR + int(r1 * 30 * HOUR)
        if t2 < self.now:
            self.plan.append({"at": self._at(t2), "do": "case_note", "ref": ref, "agent": agent,
                              "note": ("已联系快递核实", "已安抚买家，等快递回复", "已登记，等仓库确认")[int(r2 * 3)]})
        end = opened + 20 * HOUR + int(r4 * 9 * DAY)
        if end < self.now - 600 and r3 < 0.93:
            self.plan.append({"at": self._at(max(end, t2 + 60)), "do": "case_close", "ref": ref,
                              "agent": agent, "outcome": outcome})

    def _plan_handover(self, o: Order, r1: float, r2: float, r3: float) -> None:
        day = o.shipped + DAY + int(r1 * 4 * DAY)
        day -= day % DAY
        night = r2 < 0.65
        at = day + (22 * HOUR if night else 16 * HOUR + 30 * 60) + int(r3 * 80 * 60)
        if at >= self.now or at < self._import_after(o.created):
            return
        cat, problem, todo, receipt = _pick(HANDOVER, HANDOVER_WEIGHT, r1)
        ref = self._next_ref("h")
        agent = (PRESALE + AFTERSALE)[int(r1 * 5)]
        ev = {"at": self._at(at), "do": "handover", "ref": ref, "agent": agent, "category": cat,
              "problem": problem.format(n=2 + int(r2 * 4)), "todo": todo}
        if cat != "callback":
            ev["order"] = o.oid
        else:
            nick, _a, _n, _addr, mobile = o.who
            ev.update(buyer=nick, phone=mobile)
        self.plan.append(ev)
        ack = at + (11 * HOUR + int(r2 * 90 * 60) if night else 100 * 60 + int(r2 * 80 * 60))
        if ack < self.now and r3 < 0.95:
            self.plan.append({"at": self._at(ack), "do": "ack", "ref": ref,
                              "agent": (PRESALE + AFTERSALE)[int(r3 * 5)], "receipt": receipt})

    # -- rows -----------------------------------------------------------------------
    def status(self, o: Order, t: int) -> str:
        if o.closed is not None and o.closed <= t:
            return "closed"
        if o.paid is None or o.paid > t:
            return "unpaid"
        if o.shipped is None or o.shipped > t:
            return "paid"
        if o.finished is not None and o.finished <= t:
            return "finished"
        return "shipped"

    def memo(self, o: Order, t: int) -> str:
        text = ""
        for at, m in o.memos:
            if at <= t:
                text = m
        return text

    def order_row(self, o: Order, t: int) -> str:
        """The order's row in the classic export as it stood at ``t``."""
        f = self.fmt
        st = self.status(o, t)
        nick, alipay, name, addr, mobile = o.who
        paid = o.paid is not None and o.paid <= t
        shipped = o.shipped is not None and o.shipped <= t
        refund = o.refund_fen if o.refund_at is not None and o.refund_at <= t else 0
        done = st == "finished"
        total = o.goods + o.postage
        tot = _money(total)
        memo = self.memo(o, t).replace('"', '""')
        return (f'="{o.oid}","{nick}","{alipay}","{o.pay_no if paid else ""}","","{_money(o.goods)}",'
                f'"{_money(o.postage)}","0","{tot}","0","{tot if paid else "0.00"}","0",'
                f'"{STATUS_TEXT[st]}",'
                f'"{o.message}","{name}","{addr}","快递","","\'{mobile}","{f(o.created)}",'
                f'"{f(o.paid) if paid else ""}","{o.titles}","{len(o.lines)}",'
                f'"{o.tracking if shipped else ""}",'
                f'"{COURIERS[o.courier][0] if shipped else ""}","{memo}","{o.qty}","0",'
                f'"{self.catalogue[o.shop][0]}",'
                f'"{o.close_reason if st == "closed" else "订单未关闭"}","0","0元",'
                f'"","{"手机订单" if o.mobile else ""}","",="",{_MIDDLE}"{_money(refund)}","",'
                f'"{f(o.finished) if done else ""}",'
                f'"{_money(total - refund) + "元" if done else ""}",'
                f'{_END}="{o.oid}"\r\n')

    def item_rows(self, o: Order, t: int) -> list[str]:
        f = self.fmt
        st = self.status(o, t)
        paid = o.paid is not None and o.paid <= t
        shipped = o.shipped is not None and o.shipped <= t
        memo = self.memo(o, t).replace('"', '""')
        out = []
        for k, line in enumerate(o.lines):
            amount = line.price * line.qty + (o.postage if k == 0 else 0)
            refunded = (o.refund_at is not None and o.refund_at <= t
                        and (st == "closed" or line.refund_at == o.refund_at))
            lst = "closed" if refunded else st
            comp = o.late and shipped and k == 0
            cells = (
                line.title, _money(line.price), str(line.qty), line.code, line.attrs or "null", "", "",
                STATUS_TEXT[lst], line.code, o.pay_no if paid else "", _money(line.price * line.qty),
                _money(amount) if paid else "0.00", "退款成功" if refunded else "没有申请退款",
                _money(line.price * line.qty if refunded else 0), f(o.created), f(o.paid) if paid else "",
                line.item_id, "", memo, o.message, f(o.shipped) if shipped else "",
                "No:" + o.tracking if shipped else "", COURIERS[o.courier][0] if shipped else "",
                "是" if comp else "否", _money(min(amount * 30 // 100, 50000)) if comp else "0.00",
                f(o.paid + 72 * HOUR + DAY) if comp else "",
            )
            out.append(f'="{line.sub_id}",="{o.oid}","' + '","'.join(cells) + '"\r\n')
        return out

    def events(self, o: Order) -> list[int]:
        """When the order's row changed: its imports are the first ones after these."""
        ts = [o.created]
        ts += [x for x in (o.paid, o.shipped, o.finished, o.closed, o.refund_at) if x is not None]
        ts += [at for at, _m in o.memos]
        return ts


# Cells 36-50 and 55-59 of a row: always the same in this shop's exports.
_MIDDLE = '"否","否","否",' + '"",' * 12
_END = '"",' * 5


def _quoted(cells) -> str:
    return '"' + '","'.join(c.replace('"', '""') for c in cells) + '"\r\n'


def generate(out_dir: str, rows: int, parts: dict, now: datetime, days: int = 90, seed: int = 15,
             backlog: int = 0) -> dict:
    """Write the requested parts (``orders``, ``items`` → line limit or None, ``history``)."""
    os.makedirs(out_dir, exist_ok=True)
    g = Generator(rows, now, days, seed)
    tmp: list[str] = []

    def open_part(name: str, buffer: int = 1 << 20):
        path = os.path.join(out_dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fh = open(path + ".tmp", "w", encoding="gb18030", newline="", buffering=buffer)
        tmp.append(path)
        return fh

    orders = open_part("orders.csv") if "orders" in parts else None
    if orders:
        orders.write(_quoted(ORDER_HEADER))
    items, item_budget = None, None
    if "items" in parts:
        item_budget = parts["items"]
        items = open_part(f"items-{item_budget or 'all'}.csv")
        items.write(_quoted(ITEM_HEADER))
    history = "history" in parts
    base, base_at = None, None
    if "base" in parts:  # the last import at least that many days before --now
        base_at = max(t for t in g.imports if t <= g.now - parts["base"] * DAY)
        base = open_part(f"base-{parts['base']}d.csv")
        base.write(_quoted(ORDER_HEADER))
    slices: dict[int, object] = {}
    counts = {"orders": 0, "lines": 0, "memos": 0, "statuses": {}, "history_rows": 0}
    unshipped_left = backlog
    for i, created in enumerate(g.created_times()):
        o = g.order(i, created)
        if unshipped_left and o.paid is not None and o.closed is None:
            o.shipped = o.finished = None
            o.courier, o.tracking, o.late = None, "", False
            unshipped_left -= 1
        st = g.status(o, g.now)
        counts["orders"] += 1
        counts["statuses"][st] = counts["statuses"].get(st, 0) + 1
        counts["memos"] += bool(g.memo(o, g.now))
        if orders:
            orders.write(g.order_row(o, g.now))
        if items and (item_budget is None or counts["lines"] + len(o.lines) <= item_budget):
            for line in g.item_rows(o, g.now):
                items.write(line)
            counts["lines"] += len(o.lines)
        if base and created <= base_at:
            base.write(g.order_row(o, base_at))
        if history:
            for j in sorted({bisect.bisect_left(g.imports, t) for t in g.events(o) if t <= g.now}):
                fh = slices.get(j)
                if fh is None:
                    at = g.fmt.dt(g.imports[j])
                    # ~270 files open at once: small buffers keep the memory flat
                    fh = slices[j] = open_part(f"history/{j:04d}-{at:%Y%m%dT%H%M}.csv", 1 << 15)
                    fh.write(_quoted(ORDER_HEADER))
                fh.write(g.order_row(o, g.imports[j]))
                counts["history_rows"] += 1
    manifest = None
    if history:
        g.plan.sort(key=lambda e: e["at"])
        plan_path = os.path.join(out_dir, "history", "plan.jsonl")
        with open(plan_path + ".tmp", "w", encoding="utf-8") as fh:
            for ev in g.plan:
                fh.write(json.dumps(ev, ensure_ascii=False) + "\n")
        tmp.append(plan_path)
        kinds: dict[str, int] = {}
        for ev in g.plan:
            kinds[ev["do"]] = kinds.get(ev["do"], 0) + 1
        manifest = {
            "version": VERSION, "rows": rows, "now": f"{now:%Y-%m-%d %H:%M}", "days": days,
            "seed": seed,
            "imports": [{"at": g.fmt(g.imports[j]), "file": os.path.basename(slices[j].name[:-4])}
                        for j in sorted(slices)],
            "agents": [list(a) for a in AGENTS], "plan": kinds, "counts": counts,
        }
    if base:
        counts["base_at"] = g.fmt(base_at)
        path = os.path.join(out_dir, f"base-{parts['base']}d.json")
        with open(path + ".tmp", "w", encoding="utf-8") as fh:
            json.dump({"at": g.fmt(base_at), "days": parts["base"]}, fh)
        tmp.append(path)
    for fh in [orders, items, base, *slices.values()]:
        if fh:
            fh.close()
    for path in tmp:
        os.replace(path + ".tmp", path)
    if manifest is not None:
        path = os.path.join(out_dir, "history", "manifest.json")
        with open(path + ".tmp", "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, ensure_ascii=False, indent=1)
        os.replace(path + ".tmp", path)
    return counts


def parse_parts(text: str) -> dict:
    parts: dict = {}
    for p in text.split(","):
        name, _, arg = p.strip().partition(":")
        if name not in ("orders", "items", "history", "base"):
            raise SystemExit(f"--parts: unknown part {name!r} "
                             "(orders, items[:LINES], history, base:DAYS)")
        if name == "items":
            parts[name] = None if arg in ("", "all") else int(arg)
        elif name == "base":
            parts[name] = int(arg or 14)
        else:
            parts[name] = True
    return parts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--parts", default="orders", help="orders, items[:LINES], history, base:DAYS")
    ap.add_argument("--now", default="2026-11-23 15:00")
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--backlog", type=int, default=0, help="the K newest paid orders never shipped")
    a = ap.parse_args()
    now = datetime.strptime(a.now, "%Y-%m-%d %H:%M")
    counts = generate(a.dir, a.rows, parse_parts(a.parts), now, a.days, a.seed, a.backlog)
    json.dump(counts, sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
