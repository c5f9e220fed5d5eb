#!/bin/sh
# The demo tour: builds a journal from fixtures/ and runs the main routines.
# Run through `make demo` (which installs cstool into .venv first).
set -eu
DEMO_DIR=${DEMO_DIR:-demo}
rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"
export CSTOOL_DB="$DEMO_DIR/journal.db"
export CSTOOL_NOW="$(python3 -c 'import json; print(json.load(open("fixtures/scenarios.json"))["demo_now"])')"
export CSTOOL_AGENT=倩

step() {
    printf '\n\033[1m$ %s\033[0m\n' "$*"
    "$@"
}

echo "cstool demo — journal $CSTOOL_DB, clock pinned at $CSTOOL_NOW (CSTOOL_NOW), agent $CSTOOL_AGENT"
step cstool init
step cstool agent add 倩 --name 王倩 --job-no 1024 --role 售前
step cstool agent add 郑婷 --role aftersale
step cstool agent add 小雨 --role presale
step cstool orders import fixtures/taobao_orders_demo.csv
step cstool orders import fixtures/taobao_orders_newer.xlsx
step cstool orders list --status unpaid
step cstool orders show 5118609024991031622
step cstool policy use manual-000
step cstool policy show
step cstool journal status

# --- remark ---
step cstool remark parse "退货/换货,换37码 2014年8月25日11:43:42 # 倩"
step cstool remark add 5118609024991031615 --kind note --reason 客户要求发顺丰 --action 已改快递
step cstool remark add 5118609024991031615 --kind hold --until 11.25
step cstool remark add 5118609024991031615 --kind 地址 --address "江苏省 南京市 鼓楼区 中山路100号" \
    --verified-buyer tb_paid_yesterday15
step cstool remark list 5118609024991031615
# lint exits 1 when it finds something (the demo export has incomplete memos)
step cstool remark lint || true
step cstool remark lint --by agent || true

# --- chase ---
step cstool chase due --limit 4
step cstool chase log 5118609024991031604 --channel 旺旺 --reason 余额不足 --promise 明天下午付款
step cstool --agent 郑婷 chase log 5118609024991031604 --channel 电话 || true
step cstool chase due --all --channel 电话 --limit 3
step cstool chase stats --by channel

# --- shipcheck ---
step cstool shipcheck --limit 3
step cstool shipcheck --only overdue --only due_soon --check || echo "(exit $?: something is late or due soon)"
step cstool shipcheck --morning --limit 5
step cstool shipcheck pack 5118609024991031622

# --- exception log (异常件登记) ---
# manual-000 (applied above): a damaged parcel is settled by compensation or return and reship
step cstool exception playbook 破损
step cstool exception log 5118609024991031638 --kind 破损 --detail "茶具碎了两个,外箱完好" \
    --photo fixtures/photos/damaged_box.png
EX=$(cstool exception list --order 5118609024991031638 --format tsv | sed -n 2p | cut -f1)
step cstool --now "2026-11-23 15:00" exception update "$EX" --done --note "外箱完好,碎了两个杯子"
step cstool --now "2026-11-23 16:00" exception update "$EX" --photo fixtures/photos/damaged_item.png
step cstool --now "2026-11-23 16:10" exception update "$EX" --done --resolution 差额赔偿 --amount 30.00
step cstool --now "2026-11-23 16:10" exception show "$EX"
step cstool --now "2026-11-24 10:00" exception close "$EX" --outcome compensated --note "买家收到赔偿"
step cstool --now "2026-11-24 10:00" exception report --by courier

# --- handover ---
step cstool handover add -c 联系快递 --order 5118609024991031635 -p "物流9天未更新" -t "联系圆通查件, 回复买家"
step cstool --now "2026-11-23 21:05" handover add -c 联系售后 --order 5118609024991031638 \
    -p "茶具破损, 买家发来照片" -t "补发一套" --photo fixtures/photos/damaged_box.png
step cstool --now "2026-11-23 21:40" handover add -c 回访 --buyer tb_lily --phone 13812345678 \
    -p "要求退差价" -t "明天上午回电"
step cstool --now "2026-11-23 23:20" handover export --shift night -o "$DEMO_DIR/handover-night.xlsx"
step cstool --now "2026-11-23 23:20" handover export --shift night -o "$DEMO_DIR/handover-night.md"
step cat "$DEMO_DIR/handover-night.md"
printf '\n(the morning shift fills in the 回执 column in Excel)\n'
python3 - "$DEMO_DIR/handover-night.xlsx" "$DEMO_DIR/handover-night-filled.xlsx" <<'PY'
import sys

import openpyxl

wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.active
receipts = {"联系快递": "已联系圆通, 今天派送", "联系售后": "已补发, 单号773099990000"}
for row in ws.iter_rows(min_row=3):
    if row[1].value in receipts:
        row[12].value = receipts[row[1].value]
wb.save(sys.argv[2])
PY
step cstool --agent 郑婷 --now "2026-11-24 09:30" handover import "$DEMO_DIR/handover-night-filled.xlsx"
step cstool --now "2026-11-24 09:30" handover list --open

# --- remind (cron) and the daily report ---
step cstool --now "2026-11-24 10:30" remind
printf '(run again at once: nothing new is due, so cron gets no mail)\n'
step cstool --now "2026-11-24 10:40" remind
printf '(why not? a dry run says what a run would send now, --all what it holds back and why)\n'
step cstool --now "2026-11-24 10:40" remind --dry-run --all
step cstool --now "2026-11-24 00:10" report daily --date yesterday --format md

# --- a second shop on another platform (抖店) and the item report of the first ---
step python3 fixtures/platform_exports.py "$DEMO_DIR/exports"
step cstool orders import "$DEMO_DIR/exports/抖店订单.csv" --shop 示范抖店
step cstool orders import "$DEMO_DIR/exports/ExportOrderList202611231430.csv" \
    "$DEMO_DIR/exports/ExportOrderDetailList2020.csv"
step cstool orders list --platform douyin
step cstool policy set --shop 示范抖店 ship_deadline_hours 48
step cstool policy show --shop 示范抖店 ship_deadline_hours
step cstool chase due --platform 抖音
step cstool shipcheck --shop 示范抖店
step cstool orders show 3515313147329357901
step cstool shipcheck pack 3515313147329357901

# --- the supervisors' web view ---
bin=$(command -v cstool)
case $bin in "$PWD"/*) bin=${bin#"$PWD"/} ;; esac
printf '\n\033[1mThe supervisors'"'"' web view of this journal\033[0m (read-only; Ctrl-C stops it):\n'
printf '  %s --db %s --now "2026-11-24 10:40" serve\n' "$bin" "$CSTOOL_DB"
printf 'then open http://127.0.0.1:8001/\n'
