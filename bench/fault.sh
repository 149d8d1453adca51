#!/usr/bin/env bash
# Fault tolerance of parallel sending: two real cron workers (odoo-bin)
# send a committed run of 2,000 communications while one of them, at random,
# is SIGKILLed RA_BENCH_KILLS times (default 5) and restarted; reports lost
# and duplicate communications (target 0 and 0). See bench/parallel.sh.
#
#   bash bench/fault.sh
#   RA_BENCH_KILLS=10 RA_BENCH_BATCH=50 bash bench/fault.sh
exec bash "$(dirname "${BASH_SOURCE[0]}")/parallel.sh" --fault
