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

# --- chase ---
step cstool chase due --limit 4
step cstool chase log 5118609024991031604 --channel 旺旺 --reason 余额不足 --promise 明天下午付款
step cstool --agent 郑婷 chase log 5118609024991031604 --channel 电话 || true
step cstool chase due --all --channel 电话 --limit 3
step cstool chase stats --by channel
