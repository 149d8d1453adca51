#!/usr/bin/env bash
# Runs every test of reminder_automation on real Odoo 19 + PostgreSQL:
# a fresh database, the module installed, Odoo's own test runner
# (at_install and post_install tests, browser tours in headless Chromium).
# Then, on the same database, Odoo's own test classes listed in
# scripts/core_tests.txt, with this module's code in the registry
# (scripts/test_core.py): the module must not break Odoo.
#
#   bash scripts/test.sh                 # all tests of the module, then the core tests
#   RA_TEST_TAGS=/reminder_automation:TestRouting bash scripts/test.sh   # one class, no core tests
#   RA_CORE_TESTS=0 bash scripts/test.sh # the module's tests only
#   RA_ODOO_ARGS="--log-handler odoo.sql_db:DEBUG" bash scripts/test.sh  # extra odoo-bin options
#
# Prints "N passed, N failed" and exits non-zero on any failure, error,
# error log line, or when no test ran.
set -euo pipefail

# The tests never touch the user's installation (RA_HOME's odoo.conf and
# addons link, which the demo server runs on): they get an addons folder,
# configuration and data directory of their own, removed at the end, and
# share only the venv.
ADDON_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ADDON_DIR/scripts/setup.sh" --deps-only

ODOO_SRC=${ODOO_SRC:-/opt/odoo}
RA_HOME=${RA_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/reminder_automation}
RA_TEST_DB=${RA_TEST_DB:-reminder_test_$$}
RA_TEST_PORT=${RA_TEST_PORT:-8169}
RA_CORE_TESTS=${RA_CORE_TESTS:-$([ -z "${RA_TEST_TAGS:-}" ] && echo 1 || echo 0)}
RA_TEST_TAGS=${RA_TEST_TAGS:-/reminder_automation}
# the apps whose documents the dispatch sends (the module does not depend
# on them): installed in the test database to test their document types
RA_TEST_APPS=${RA_TEST_APPS-sale,purchase,stock}
LOG=${RA_TEST_LOG:-$RA_HOME/test-$RA_TEST_DB.log}
CORE_LOG=${LOG%.log}-core.log
PYTHON="$RA_HOME/venv/bin/python"
TEST_HOME=$(mktemp -d "${TMPDIR:-/tmp}/reminder_automation_test.XXXXXX")
mkdir "$TEST_HOME/addons"
ln -s "$ADDON_DIR" "$TEST_HOME/addons/reminder_automation"
cat >"$TEST_HOME/odoo.conf" <<EOF
[options]
addons_path = $ODOO_SRC/addons,$TEST_HOME/addons
data_dir = $TEST_HOME/data
admin_passwd = admin
EOF
ODOO_ARGS=(-c "$TEST_HOME/odoo.conf" -d "$RA_TEST_DB" --http-port "$RA_TEST_PORT" --http-interface 127.0.0.1
    --stop-after-init --log-level=test --db-filter="^$RA_TEST_DB\$")

cleanup() { dropdb --if-exists "$RA_TEST_DB" >/dev/null 2>&1 || true; }
trap 'cleanup; rm -rf "$TEST_HOME"' EXIT
cleanup

# run LOG COMMAND...: run an Odoo command, keep its log, show its notable lines
run() {
    local log=$1
    shift
    set +e
    "$@" ${RA_ODOO_ARGS:-} 2>&1 | tee -a "$log" | grep -E --line-buffered \
        ' (ERROR|CRITICAL|WARNING) |^(FAIL|ERROR):|Traceback|tests when loading| Ran [0-9]+ tests? ' \
        | grep -vE 'running as user .root.|wkhtmltopdf'
    local rc=${PIPESTATUS[0]}
    set -e
    return "$rc"
}

passed=0 failed=0 skipped=0 broken=0
# count LOG ODOO_EXIT_CODE: add a log's test results to the totals
count() {
    local log=$1 rc=$2 summary failures errors total stray skips
    summary=$(grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$log" | tail -1 || true)
    if [ -z "$summary" ]; then
        echo "[test] no test summary in $log (Odoo exit code $rc)"
        failed=$((failed + 1)) broken=1
        return
    fi
    read -r failures errors total < <(echo "$summary" | sed -E 's/([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests/\1 \2 \3/')
    skips=$(grep -cE ' INFO .* skipped ' "$log" || true)
    # An ERROR logged outside a test (a view that fails to load, a broken
    # data file) does not count as a test failure in Odoo's report.
    stray=$(grep -E ' (ERROR|CRITICAL) ' "$log" | grep -vcE 'tests when loading|(FAIL|ERROR): ' || true)
    echo "[test] $(basename "$log"): $summary; error log lines: $stray; skipped: $skips"
    failed=$((failed + failures + errors))
    passed=$((passed + (total > failures + errors ? total - failures - errors : 0)))
    skipped=$((skipped + skips))
    if [ "$total" -eq 0 ] || [ "$stray" -ne 0 ] || [ "$rc" -ne 0 ]; then
        broken=1
    fi
}

: >"$LOG"
echo "[test] installing reminder_automation (with ${RA_TEST_APPS:-no other app}) in fresh database $RA_TEST_DB, tags $RA_TEST_TAGS"
echo "[test] full log: $LOG"
rc=0
run "$LOG" "$PYTHON" "$ODOO_SRC/odoo-bin" "${ODOO_ARGS[@]}" \
    -i "reminder_automation${RA_TEST_APPS:+,$RA_TEST_APPS}" --test-enable --test-tags "$RA_TEST_TAGS" || rc=$?
count "$LOG" "$rc"

# the committed .pot must hold the strings Odoo exports from this database
if ! PYTHON=$PYTHON ODOO_SRC=$ODOO_SRC bash "$ADDON_DIR/scripts/check_pot.sh" "$TEST_HOME/odoo.conf" "$RA_TEST_DB"; then
    failed=$((failed + 1)) broken=1
fi

if [ "$RA_CORE_TESTS" = 1 ]; then
    core_tags=$(grep -vE '^\s*(#|$)' "$ADDON_DIR/scripts/core_tests.txt" | paste -sd, -)
    : >"$CORE_LOG"
    echo "[test] Odoo's own tests (scripts/core_tests.txt) with reminder_automation installed"
    echo "[test] full log: $CORE_LOG"
    rc=0
    run "$CORE_LOG" "$PYTHON" "$ODOO_SRC/odoo-bin" "${ODOO_ARGS[@]}" -i test_mail,test_mail_sms || rc=$?
    if [ "$rc" -eq 0 ]; then
        run "$CORE_LOG" "$PYTHON" "$ADDON_DIR/scripts/test_core.py" "${ODOO_ARGS[@]}" \
            --test-enable --test-tags "$core_tags" || rc=$?
    fi
    count "$CORE_LOG" "$rc"
fi

echo
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$failed" -ne 0 ] || [ "$broken" -ne 0 ]; then
    exit 1
fi
