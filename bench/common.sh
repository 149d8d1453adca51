# Sourced by the benchmark scripts: paths (ODOO_SRC and RA_HOME as in
# scripts/setup.sh), the benchmark database, and odoo(), which runs odoo-bin
# on that database without HTTP.
ADDON_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_SRC=${ODOO_SRC:-/opt/odoo}
RA_HOME=${RA_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/reminder_automation}
RA_BENCH_DB=${RA_BENCH_DB:-reminder_bench}
PY=$RA_HOME/venv/bin/python
CONF=$RA_HOME/odoo.conf

# odoo [subcommand] options...: odoo-bin wants its subcommand first.
odoo() {
    local cmd=()
    case "${1:-}" in -*) ;; *) cmd=("$1"); shift ;; esac
    "$PY" "$ODOO_SRC/odoo-bin" "${cmd[@]}" -c "$CONF" -d "$RA_BENCH_DB" --no-http "$@"
}

# use_bench_database: the dataset of bench/run.sh must exist; the module is
# updated in it unless RA_BENCH_NO_UPDATE=1.
use_bench_database() {
    if ! psql -lqt | cut -d'|' -f1 | grep -qw "$RA_BENCH_DB"; then
        echo "[bench] no database $RA_BENCH_DB: build it with bench/run.sh" >&2
        exit 1
    fi
    if [ "${RA_BENCH_NO_UPDATE:-0}" != 1 ]; then
        local start
        start=$(date +%s)
        odoo -u reminder_automation --stop-after-init --log-level=warn
        echo "[bench] module updated in $(( $(date +%s) - start )) s"
    fi
}
