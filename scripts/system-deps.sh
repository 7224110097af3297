#!/bin/sh
# Debian packages the test suite needs beyond the Python in .venv; `make test` runs this first.
#   chromium                 Playwright browser tests (tests/ui, /usr/bin/chromium)
#   poppler-utils            PDF -> PNG and text checks (pdftoppm, pdftotext)
#   fonts-noto-core          the source of the bundled web fonts
#   gammu gammu-smsd         the SMS gateway tests
#   postgresql               server binaries (pg_ctl, initdb under /usr/lib/postgresql/*/bin)
#   python3-venv             only while .venv does not exist yet
# Idempotent and quick when everything is there: it looks for the commands and files, never asks apt.
# As root it installs what is missing; otherwise it stops at once with the command to run.
set -eu
need=""
[ -x /usr/bin/chromium ] || need="$need chromium"
{ command -v pdftoppm && command -v pdftotext; } >/dev/null 2>&1 || need="$need poppler-utils"
[ -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || need="$need fonts-noto-core"
command -v gammu >/dev/null 2>&1 || need="$need gammu"
command -v gammu-smsd >/dev/null 2>&1 || need="$need gammu-smsd"
pg_found=""
for bin in /usr/lib/postgresql/*/bin; do
    [ -x "$bin/pg_ctl" ] && [ -x "$bin/initdb" ] && pg_found=yes
done
[ -n "$pg_found" ] || need="$need postgresql"
if [ ! -x .venv/bin/python ] && ! "${PYTHON:-python3}" -c "import ensurepip, venv" >/dev/null 2>&1; then
    need="$need python3-venv"
fi
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    cat >&2 <<EOF
Missing Debian packages:$need
Run once, as root, then run make test again:
    sudo apt-get update && sudo apt-get install -y --no-install-recommends$need
EOF
    exit 1
fi
echo "Installing Debian packages:$need" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need
