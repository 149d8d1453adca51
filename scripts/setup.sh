#!/usr/bin/env bash
# One command from a fresh Debian machine to a running Odoo 19 with
# reminder_automation installed on demo data.
#
#   bash scripts/setup.sh            # set up, then start Odoo on :8069
#   bash scripts/setup.sh --no-start # set up only
#   bash scripts/setup.sh --deps-only # packages, PostgreSQL, Odoo, venv: no
#                                     # config nor addons link (scripts/test.sh)
#
# Environment:
#   ODOO_SRC   Odoo 19.0 Community source tree (default /opt/odoo); cloned
#              from the official 19.0 branch when absent and online.
#   RA_HOME    where the venv, the addons folder and the config live
#              (default ~/.local/share/reminder_automation).
#   RA_DB      demo database name (default reminder_demo).
#   RA_PORT    HTTP port (default 8069).
# Running it twice is safe: every step checks before it acts.
set -euo pipefail

ADDON_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_SRC=${ODOO_SRC:-/opt/odoo}
RA_HOME=${RA_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/reminder_automation}
RA_DB=${RA_DB:-reminder_demo}
RA_PORT=${RA_PORT:-8069}
VENV=$RA_HOME/venv
ADDONS=$RA_HOME/addons
CONF=$RA_HOME/odoo.conf
DEBIAN_PACKAGES=(libldap2-dev libsasl2-dev libpq-dev python3-venv wkhtmltopdf
    chromium postgresql poppler-utils git)

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[setup] ERROR:\033[0m %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_debian_packages() {
    local missing=()
    for pkg in "${DEBIAN_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" \
            || missing+=("$pkg")
    done
    if [ ${#missing[@]} -eq 0 ]; then return 0; fi
    say "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

start_postgresql() {
    local cluster
    cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
    [ -n "$cluster" ] || die "no PostgreSQL cluster found (is the postgresql package installed?)"
    if ! pg_lsclusters --no-header | awk 'NR==1 {print $4}' | grep -q online; then
        say "Starting PostgreSQL cluster $cluster"
        # shellcheck disable=SC2086
        as_root pg_ctlcluster $cluster start
    fi
    local role
    role=$(id -un)
    if ! as_root su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$role'\"" | grep -q 1; then
        say "Creating PostgreSQL superuser role '$role'"
        as_root su postgres -c "createuser --superuser '$role'"
    fi
}

fetch_odoo_source() {
    if [ -f "$ODOO_SRC/odoo-bin" ]; then
        if [ -d "$ODOO_SRC/odoo/enterprise" ]; then
            die "$ODOO_SRC contains odoo/enterprise: this project runs on Odoo Community only"
        fi
        return 0
    fi
    say "No Odoo source at $ODOO_SRC: cloning the official 19.0 branch"
    as_root mkdir -p "$(dirname "$ODOO_SRC")"
    if ! git clone --depth 1 --branch 19.0 https://github.com/odoo/odoo "$ODOO_SRC"; then
        die "No Odoo 19.0 source at $ODOO_SRC and cloning it failed (offline?).
Put an Odoo 19.0 Community tree there or point ODOO_SRC at one
(see PLATFORM.md of the project's shared docs)."
    fi
}

create_venv() {
    local constraints=$RA_HOME/pip-constraints.txt
    mkdir -p "$RA_HOME"
    {
        echo "setuptools<81"
        echo "-c $ODOO_SRC/requirements.txt"
        if [ -f /etc/xdg/pip/constraints.txt ]; then echo "-c /etc/xdg/pip/constraints.txt"; fi
    } > "$constraints"
    export PIP_CONSTRAINT=$constraints PIP_DISABLE_PIP_VERSION_CHECK=1
    [ -x "$VENV/bin/python" ] || { say "Creating venv $VENV"; python3 -m venv "$VENV"; }
    local stamp=$VENV/.reminder_automation.stamp
    local wanted
    wanted=$(cat "$ODOO_SRC/requirements.txt" "$ADDON_DIR/requirements.txt" "$ADDON_DIR/test-requirements.txt" \
        "$constraints" | sha1sum | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
        return
    fi
    say "Installing Python dependencies into $VENV (first time: a few minutes)"
    "$VENV/bin/pip" install -q "setuptools<81" wheel
    "$VENV/bin/pip" install -q -r "$ODOO_SRC/requirements.txt"
    "$VENV/bin/pip" install -q -e "$ODOO_SRC" --config-settings editable_mode=compat
    "$VENV/bin/pip" install -q -r "$ADDON_DIR/requirements.txt" -r "$ADDON_DIR/test-requirements.txt"
    "$VENV/bin/pip" check >/dev/null || die "pip check failed in $VENV"
    echo "$wanted" > "$stamp"
}

write_config() {
    # Odoo finds an addon by its folder name; a clone may be named otherwise.
    mkdir -p "$ADDONS"
    ln -sfn "$ADDON_DIR" "$ADDONS/reminder_automation"
    cat > "$CONF" <<EOF
[options]
addons_path = $ODOO_SRC/addons,$ADDONS
data_dir = $RA_HOME/data
admin_passwd = admin
http_port = $RA_PORT
EOF
}

odoo() { "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" "$@"; }

create_demo_database() {
    if psql -lqt | cut -d'|' -f1 | grep -qw "$RA_DB"; then
        say "Updating reminder_automation in database $RA_DB"
        odoo -d "$RA_DB" -u reminder_automation --stop-after-init --log-level=warn
    else
        say "Creating database $RA_DB with demo data (a few minutes)"
        odoo -d "$RA_DB" -i reminder_automation --with-demo --stop-after-init --log-level=warn
    fi
}

main() {
    local start=1
    [ "${1:-}" = "--no-start" ] && start=0
    install_debian_packages
    start_postgresql
    fetch_odoo_source
    create_venv
    [ "${1:-}" = "--deps-only" ] && return
    write_config
    if [ $start = 1 ]; then
        create_demo_database
        say "Odoo runs on http://localhost:$RA_PORT (login admin / admin); Ctrl-C stops it"
        exec "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$RA_DB" --db-filter="^$RA_DB\$"
    fi
}

main "$@"
