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

use_bench_database
odoo shell --log-level=warn < "$ADDON_DIR/bench/bench_dispatch.py"
