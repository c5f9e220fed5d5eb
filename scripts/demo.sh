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
