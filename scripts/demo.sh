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

# --- shipcheck ---
step cstool shipcheck --limit 3
step cstool shipcheck --only overdue --only due_soon --check || echo "(exit $?: something is late or due soon)"
step cstool shipcheck --morning --limit 5
step cstool shipcheck pack 5118609024991031622
