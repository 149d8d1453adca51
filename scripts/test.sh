#!/usr/bin/env bash
# Runs every test of reminder_automation on real Odoo 19 + PostgreSQL:
# a fresh database, the module installed, Odoo's own test runner
# (at_install and post_install tests, browser tours in headless Chromium).
#
#   bash scripts/test.sh                 # all tests of the module
#   RA_TEST_TAGS=/reminder_automation:TestRouting bash scripts/test.sh
#   RA_ODOO_ARGS="--log-handler odoo.sql_db:DEBUG" bash scripts/test.sh  # extra odoo-bin options
#
# Prints "N passed, N failed" and exits non-zero on any failure, error,
# error log line, or when no test ran.
set -euo pipefail

ADDON_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ADDON_DIR/scripts/setup.sh" --no-start

ODOO_SRC=${ODOO_SRC:-/opt/odoo}
RA_HOME=${RA_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/reminder_automation}
RA_TEST_DB=${RA_TEST_DB:-reminder_test_$$}
RA_TEST_PORT=${RA_TEST_PORT:-8169}
RA_TEST_TAGS=${RA_TEST_TAGS:-/reminder_automation}
LOG=${RA_TEST_LOG:-$RA_HOME/test-$RA_TEST_DB.log}

cleanup() { dropdb --if-exists "$RA_TEST_DB" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup

echo "[test] installing reminder_automation in fresh database $RA_TEST_DB, tags $RA_TEST_TAGS"
echo "[test] full log: $LOG"
set +e
"$RA_HOME/venv/bin/python" "$ODOO_SRC/odoo-bin" -c "$RA_HOME/odoo.conf" \
    -d "$RA_TEST_DB" -i reminder_automation --test-enable --test-tags "$RA_TEST_TAGS" \
    --http-port "$RA_TEST_PORT" --http-interface 127.0.0.1 --stop-after-init --log-level=test \
    --db-filter="^$RA_TEST_DB\$" ${RA_ODOO_ARGS:-} 2>&1 | tee "$LOG" | grep -E --line-buffered \
    ' (ERROR|CRITICAL|WARNING) |^(FAIL|ERROR):|Traceback|tests when loading| Ran [0-9]+ tests? ' \
    | grep -vE 'running as user .root.|wkhtmltopdf'
odoo_rc=${PIPESTATUS[0]}
set -e

summary=$(grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$LOG" | tail -1 || true)
if [ -z "$summary" ]; then
    echo "[test] no test summary in the log (Odoo exit code $odoo_rc)"
    echo "0 passed, 1 failed"
    exit 1
fi
read -r failures errors total < <(echo "$summary" | sed -E 's/([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests/\1 \2 \3/')
skipped=$(grep -cE ' INFO .* skipped ' "$LOG" || true)
# An ERROR logged outside a test (a view that fails to load, a broken
# data file) does not count as a test failure in Odoo's report.
stray_errors=$(grep -E ' (ERROR|CRITICAL) ' "$LOG" | grep -vcE 'tests when loading|(FAIL|ERROR): ' || true)
failed=$((failures + errors))
passed=$((total > failed ? total - failed : 0))
echo
echo "[test] odoo: $summary; error log lines: $stray_errors; skipped: $skipped"
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$total" -eq 0 ] || [ "$failed" -ne 0 ] || [ "$stray_errors" -ne 0 ] || [ "$odoo_rc" -ne 0 ]; then
    exit 1
fi
