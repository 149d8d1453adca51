#!/usr/bin/env bash
# Fails when i18n/reminder_automation.pot is not what Odoo exports from a
# database where the module is installed: a translatable string was added,
# changed or removed without refreshing the template. Only the msgids are
# compared (not the header, dates, references or comments).
#
#   bash scripts/check_pot.sh ODOO_CONF DATABASE   # run by scripts/test.sh
#
# To refresh the template (it is written into the module's i18n folder):
#   odoo-bin i18n export -c ODOO_CONF -d DATABASE reminder_automation
set -euo pipefail

ADDON_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CONF=$1 DB=$2
ODOO_SRC=${ODOO_SRC:-/opt/odoo}
PYTHON=${PYTHON:-python3}
POT="$ADDON_DIR/i18n/reminder_automation.pot"
exported=$(mktemp "${TMPDIR:-/tmp}/reminder_automation.XXXXXX.pot")
trap 'rm -f "$exported"' EXIT

if ! "$PYTHON" "$ODOO_SRC/odoo-bin" i18n export -c "$CONF" -d "$DB" reminder_automation \
    -o "$exported" >"$exported.log" 2>&1; then
    cat "$exported.log"
    rm -f "$exported.log"
    echo "[pot] could not export the translatable strings of reminder_automation from $DB"
    exit 1
fi
rm -f "$exported.log"

"$PYTHON" - "$POT" "$exported" <<'PY'
import sys
from babel.messages.pofile import read_po


def msgids(path):
    with open(path, "rb") as file:
        return {message.id for message in read_po(file) if message.id}


committed, exported = (msgids(path) for path in sys.argv[1:3])
if committed != exported:
    for label, ids in (("missing from", exported - committed), ("obsolete in", committed - exported)):
        for msgid in sorted(ids, key=str):
            print(f"[pot] {label} i18n/reminder_automation.pot: {msgid!r}"[:200])
    print(
        "[pot] i18n/reminder_automation.pot is out of date; refresh it with "
        "'odoo-bin i18n export -c ODOO_CONF -d DATABASE reminder_automation' "
        "(see scripts/check_pot.sh)"
    )
    sys.exit(1)
print(f"[pot] i18n/reminder_automation.pot is current ({len(committed)} msgids)")
PY
