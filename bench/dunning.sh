#!/usr/bin/env bash
# Benchmark of the dunning engine on the benchmark database (bench/run.sh
# builds it): updates reminder_automation in the database (the code may have
# changed since it was built), vacuums the dunning tables, then runs bench/bench_dunning.py through
# odoo-bin shell. Everything the benchmark creates is rolled back.
#
#   bash bench/dunning.sh                              # prepare, send, deliver, PDFs, profile
#   RA_BENCH_PREPARE_ONLY=1 RA_BENCH_DB=reminder_bench_100k bash bench/dunning.sh
#
# Environment (besides ODOO_SRC and RA_HOME, as in scripts/setup.sh):
#   RA_BENCH_DB             database (default reminder_bench)
#   RA_BENCH_NO_UPDATE=1    skip the module update
#   RA_BENCH_PREPARE_ONLY=1 measure only the preparation of a run
#   RA_BENCH_REPEAT         preparations and sends measured (default 3)
#   RA_BENCH_PROFILE=0      no cProfile of a preparation and of the send
#   RA_BENCH_ANALYZE=0      no ANALYZE of the dunning tables between runs
#   RA_BENCH_PDF_CUSTOMERS  customers of the run with invoice PDFs (default 20)
#   RA_BENCH_DELIVER=0      no delivery through the mail queue to a local SMTP server
#   RA_BENCH_DELIVER_REPEAT whole runs (prepare, send, deliver) measured (default 1)
#   RA_BENCH_DELIVER_PROFILE_MAILS  mails whose delivery is profiled (default 500, 0: all)
#   RA_BENCH_EMAIL_COPIES   the policies' E-mail Copies: per_contact (default) or one
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

use_bench_database
# dead rows of earlier (rolled back) benchmark runs would slow the first run
psql -q -d "$RA_BENCH_DB" -c "VACUUM ANALYZE reminder_dunning_line, reminder_dunning_communication, \
reminder_dunning_run, mail_mail, mail_message, mail_message_res_partner_rel, mail_mail_res_partner_rel, \
mail_tracking_email, mail_tracking_event"
odoo shell --log-level=warn < "$ADDON_DIR/bench/bench_dunning.py"
