#!/usr/bin/env bash
# Benchmark of the document dispatch on the benchmark database (bench/run.sh
# builds it): updates reminder_automation in the database, then runs
# bench/bench_dispatch.py through odoo-bin shell. Everything it creates is
# rolled back.
#
#   bash bench/dispatch.sh
#
# Environment (besides ODOO_SRC and RA_HOME, as in scripts/setup.sh):
#   RA_BENCH_DB             database (default reminder_bench)
#   RA_BENCH_NO_UPDATE=1    skip the module update
#   RA_BENCH_REPEAT         measures of each step (default 3)
#   RA_BENCH_SEND           invoices sent (default 2000)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if ! psql -lqt | cut -d'|' -f1 | grep -qw "$RA_BENCH_DB"; then
    echo "[bench] no database $RA_BENCH_DB: build it with bench/run.sh" >&2
    exit 1
fi
if [ "${RA_BENCH_NO_UPDATE:-0}" != 1 ]; then
    start=$(date +%s)
    odoo -u reminder_automation --stop-after-init --log-level=warn
    echo "[bench] module updated in $(( $(date +%s) - start )) s"
fi
odoo shell --log-level=warn < "$ADDON_DIR/bench/bench_dispatch.py"
