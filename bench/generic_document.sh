#!/usr/bin/env bash
# Benchmark of the generic-document recipient count on the benchmark database
# (bench/run.sh builds it): updates reminder_automation in the database, then
# runs bench/bench_generic_document.py through odoo-bin shell.
#
#   bash bench/generic_document.sh
#
# Environment (besides ODOO_SRC and RA_HOME, as in scripts/setup.sh):
#   RA_BENCH_DB          database (default reminder_bench)
#   RA_BENCH_NO_UPDATE=1 skip the module update
#   RA_BENCH_PRODUCT     product bought (default "Steel beams")
#   RA_BENCH_REPEAT      counts measured (default 5)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

use_bench_database
odoo shell --log-level=warn < "$ADDON_DIR/bench/bench_generic_document.py"
