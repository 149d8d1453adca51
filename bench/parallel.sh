#!/usr/bin/env bash
# Parallel sending of one dunning run by real cron workers: RA_BENCH_WORKERS
# odoo-bin servers (one cron thread each, no HTTP) on the benchmark database
# (bench/run.sh builds it), each running its own copy of the scheduled
# action "Reminders: dunning runs". A run of 2,000 communications is handed
# to them as a user's Send of a large run does; bench/bench_parallel.py
# reports the time to 'done', communications per second, lost and duplicate
# communications. Everything it creates is deleted afterwards.
#
#   bash bench/parallel.sh                 # 1 worker, then 2
#   bash bench/parallel.sh --fault         # (bench/fault.sh) 2 workers, SIGKILLed at random
#
# Environment (besides ODOO_SRC, RA_HOME and RA_BENCH_DB, as in bench/dunning.sh):
#   RA_BENCH_WORKER_COUNTS  worker counts measured in turn (default "1 2")
#   RA_BENCH_BATCH          communications per batch (default 100; --fault: 20)
#   RA_BENCH_NO_UPDATE=1    skip the module update
#   RA_BENCH_KILLS          --fault: SIGKILLs (default 5), each of a random
#                           worker after 1 to 6 s, which is then restarted
#   RA_BENCH_TIMEOUT        seconds a run may take before giving up (default 900)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
FAULT=0
[ "${1:-}" = "--fault" ] && FAULT=1
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/reminder_bench_parallel.XXXXXX")
TIMEOUT=${RA_BENCH_TIMEOUT:-900}
PIDS=()

use_bench_database

step() { RA_BENCH_STEP=$1 odoo shell --log-level=warn < "$ADDON_DIR/bench/bench_parallel.py"; }
run_state() {
    psql -d "$RA_BENCH_DB" -Atc "SELECT state FROM reminder_dunning_run WHERE id = $(
        python3 -c 'import json; print(json.load(open("/tmp/reminder_bench_parallel.json"))["run"])')"
}
start_worker() {  # start_worker N: a server with one cron thread, its pid in PIDS[N]
    "$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$RA_BENCH_DB" --no-http --max-cron-threads 1 \
        --log-level=info --logfile "$LOGS/worker-$1.log" &
    PIDS[$1]=$!
}
stop_workers() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    PIDS=()
}
trap 'stop_workers; [ -f /tmp/reminder_bench_parallel.json ] && step cleanup; [ -n "${RA_BENCH_KEEP_LOGS:-}" ] || rm -rf "$LOGS"' EXIT

measure() {  # measure WORKERS
    local workers=$1 kills=0 waited=0
    RA_BENCH_WORKERS=$workers step setup
    for n in $(seq 1 "$workers"); do start_worker "$n"; done
    # each worker has loaded its registry and run the warm-up jobs
    until [ "$(cat "$LOGS"/worker-*.log 2>/dev/null | grep -c 'Modules loaded')" -ge "$workers" ]; do sleep 1; done
    sleep 5
    step start
    while [ "$(run_state)" != done ] && [ "$waited" -lt "$TIMEOUT" ]; do
        if [ "$FAULT" = 1 ] && [ "$kills" -lt "${RA_BENCH_KILLS:-5}" ]; then
            local pause=$((RANDOM % 6 + 1)) victim=$((RANDOM % workers + 1))
            sleep "$pause"
            waited=$((waited + pause))
            [ "$(run_state)" = done ] && break
            kill -KILL "${PIDS[$victim]}"
            wait "${PIDS[$victim]}" 2>/dev/null || true
            kills=$((kills + 1))
            echo "[bench] SIGKILL $kills: worker $victim (pid ${PIDS[$victim]}) after ${waited} s"
            start_worker "$victim"
        else
            sleep 1
            waited=$((waited + 1))
        fi
    done
    step report
    stop_workers
    step cleanup
}

echo "[bench] $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$FAULT" = 1 ]; then
    RA_BENCH_BATCH=${RA_BENCH_BATCH:-20} measure 2
else
    for workers in ${RA_BENCH_WORKER_COUNTS:-1 2}; do
        measure "$workers"
    done
fi
