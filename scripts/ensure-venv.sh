#!/usr/bin/env bash
# Create .venv (Python >= 3.12) if it is missing or broken, and install the production lock
# (requirements.txt) and the development lock (requirements-dev.txt) only when either is newer
# than the stamp .venv/.installed. Repeated runs take ~0.1 s.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
STAMP="$VENV/.installed"

if ! "$VENV/bin/python" -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1; then
    py=${PYTHON:-}
    if [ -z "$py" ]; then
        py=$(scripts/find-python.sh)
    fi
    echo ">> creating $VENV with $py ($("$py" -V 2>&1))"
    "$py" -m venv --clear "$VENV"
    rm -f "$STAMP"
fi

if [ ! -e "$STAMP" ] || [ requirements.txt -nt "$STAMP" ] || [ requirements-dev.txt -nt "$STAMP" ]; then
    echo ">> installing requirements.txt and requirements-dev.txt into $VENV"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r requirements.txt -r requirements-dev.txt
    touch "$STAMP"
fi
