#!/bin/sh
# Debian packages the test suite needs beyond Python: chromium (Playwright browser tests),
# poppler-utils (PDF -> PNG checks), Noto fonts (the bundled web font source). Idempotent.
set -eu
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium chromium-driver"
command -v pdftoppm >/dev/null 2>&1 || need="$need poppler-utils"
[ -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || need="$need fonts-noto-core"
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages:$need (run as root: apt-get install$need)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need
