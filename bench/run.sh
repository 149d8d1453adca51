#!/usr/bin/env bash
# Builds the benchmark database: a fresh DB with reminder_automation (no demo
# data) and the deterministic dataset of bench/dataset.py.
#
#   bash bench/run.sh                                  # 2,000 customers x 5 invoices
#   RA_BENCH_CUSTOMERS=20000 bash bench/run.sh         # 100,000 invoices
#   RA_BENCH_KEEP=1 bash bench/run.sh                  # reuse an existing DB
#
# Environment (besides ODOO_SRC and RA_HOME, as in scripts/setup.sh):
#   RA_BENCH_DB          database name (default reminder_bench); dropped and
#                        re-created unless RA_BENCH_KEEP=1
#   RA_BENCH_CUSTOMERS   customer companies (default 2000)
#   RA_BENCH_INVOICES    posted invoices per customer (default 5)
#   RA_BENCH_CURRENCIES  e.g. EUR,RON: ~1 invoice in 5 in one of these
#   RA_BENCH_SEED, RA_BENCH_BATCH, RA_BENCH_MIN_DAYS, RA_BENCH_MAX_DAYS,
#   RA_BENCH_SALESPEOPLE see bench/dataset.py
# Runs scripts/setup.sh --no-start first (idempotent) unless RA_BENCH_NO_SETUP=1.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ "${RA_BENCH_NO_SETUP:-0}" != 1 ]; then
    bash "$ADDON_DIR/scripts/setup.sh" --no-start
fi

start=$(date +%s)
if [ "${RA_BENCH_KEEP:-0}" != 1 ] || ! psql -lqt | cut -d'|' -f1 | grep -qw "$RA_BENCH_DB"; then
    echo "[bench] creating database $RA_BENCH_DB with reminder_automation (no demo data)"
    dropdb --if-exists "$RA_BENCH_DB"
    odoo -i reminder_automation --stop-after-init --log-level=warn
    echo "[bench] module installed in $(( $(date +%s) - start )) s"
fi
gen=$(date +%s)
odoo shell --log-level=warn < "$ADDON_DIR/bench/dataset.py"
echo "[bench] dataset generated in $(( $(date +%s) - gen )) s (whole run $(( $(date +%s) - start )) s)"
