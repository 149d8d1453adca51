#!/usr/bin/env bash
# Benchmark of the meeting reminders against Odoo's own calendar e-mail
# alarms (bench/bench_meeting.py), through odoo-bin shell. Installs
# reminder_automation in the benchmark database when it is missing there,
# updates it otherwise; everything the benchmark creates is rolled back.
#
#   bash bench/meeting.sh
#   RA_BENCH_MEETINGS=50000 RA_BENCH_DUE=2000 bash bench/meeting.sh
#
# Environment (besides ODOO_SRC and RA_HOME, as in scripts/setup.sh):
#   RA_BENCH_DB          database (default reminder_bench)
#   RA_BENCH_NO_UPDATE=1 skip the module update
#   RA_BENCH_MEETINGS    meetings over a year (default 50,000)
#   RA_BENCH_DUE         of which due in the current cron window (default 2,000)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

start=$(date +%s)
if ! psql -lqt | cut -d'|' -f1 | grep -qw "$RA_BENCH_DB"; then
    odoo -i reminder_automation --stop-after-init --log-level=warn
    echo "[bench] module installed in $(( $(date +%s) - start )) s"
elif [ "${RA_BENCH_NO_UPDATE:-0}" != 1 ]; then
    odoo -u reminder_automation --stop-after-init --log-level=warn
    echo "[bench] module updated in $(( $(date +%s) - start )) s"
fi
psql -q -d "$RA_BENCH_DB" -c "VACUUM ANALYZE calendar_event, reminder_meeting, mail_mail, mail_message"
odoo shell --log-level=warn < "$ADDON_DIR/bench/bench_meeting.py"
