#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium for the Playwright browser tests (Playwright's
# own browser download does not work here) and, for WeasyPrint, DejaVu fonts and HarfBuzz's
# subsetting library. Installs what is missing when run as root; otherwise only warns.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
for pkg in fonts-dejavu-core libharfbuzz-subset0 poppler-utils; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo ">> installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    echo "!! missing system packages: ${missing[*]} (not root or no apt-get: install them yourself;" >&2
    echo "   browser and PDF tests will fail without them)" >&2
fi
