"""Order lines (子订单): what each order holds, from the platforms' item-level exports.

An item report (Taobao's 宝贝报表 and item exports, the per-item rows of JD, Douyin
and PDD) becomes lines, never orders. A line is known by its order, its platform and
``line_key``: the sub-order number when the export has one, else what identifies the
line in the export (its item id, or its title and SKU). Lines are not a foreign key
of the orders table: an item report may come before the order export that names its
order, and the lines wait for it.

``order_lines_refunding`` holds the few lines shipcheck must look at (closed, a
refund asked for or paid): a partly refunded order still ships, and says so.
"""

from cstool.migrations import run_sql

SQL = """
CREATE TABLE order_lines (
    id INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    line_key TEXT NOT NULL,
    sub_order_id TEXT,            -- 子订单编号, when the export has one
    title TEXT,
    sku TEXT,                     -- 商品属性 / 商品规格
    merchant_code TEXT,           -- 商家编码, else 外部系统编号
    item_id TEXT,                 -- the platform's product id (商品ID)
    quantity INTEGER,
    price_fen INTEGER,            -- unit price
    paid_fen INTEGER,             -- what the buyer paid for the line, when the export says
    status TEXT CHECK (status IN
        ('unpaid', 'paid', 'part_shipped', 'shipped', 'signed', 'finished', 'closed')),
    refund_status TEXT CHECK (refund_status IN
        ('none', 'requested', 'returning', 'refunded', 'rejected')),
    refund_fen INTEGER,
    compensation_fen INTEGER,     -- 赔付金额 / 主动赔付金额
    import_id INTEGER REFERENCES imports (id),  -- the last import that changed it
    UNIQUE (order_id, platform, line_key)
);
CREATE INDEX order_lines_refunding ON order_lines (order_id, platform)
    WHERE status = 'closed' OR refund_status IN ('requested', 'returning', 'refunded')
    OR refund_fen > 0;
CREATE INDEX order_lines_import ON order_lines (import_id);

-- What each import read: the platform's export, and the shop it was named for.
ALTER TABLE imports ADD COLUMN platform TEXT;
ALTER TABLE imports ADD COLUMN shop TEXT;
UPDATE imports SET platform = 'taobao';
"""


def migrate(db):
    run_sql(db, SQL)
