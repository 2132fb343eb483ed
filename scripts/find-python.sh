#!/usr/bin/env bash
# Print the path of a Python interpreter >= 3.12 (Django 6 needs it), or fail with a message.
# Order: python3.13 / python3.12 on PATH (pyenv shims count only if they really run), then
# /root/.pyenv/versions/3.13*, 3.12*, then the same under `pyenv root`.
set -uo pipefail

ok() {  # ok <interpreter>: true if it runs and is >= 3.12; prints its real path
    local exe
    exe=$("$1" -c 'import sys; assert sys.version_info >= (3, 12); print(sys.executable)' 2>/dev/null) || return 1
    [ -n "$exe" ] && printf '%s\n' "$exe"
}

candidates=()
for name in python3.13 python3.12; do
    if command -v "$name" >/dev/null 2>&1; then candidates+=("$(command -v "$name")"); fi
done
roots=(/root/.pyenv)
if command -v pyenv >/dev/null 2>&1; then
    r=$(pyenv root 2>/dev/null) && [ -n "$r" ] && roots+=("$r")
fi
for root in "${roots[@]}"; do
    for minor in 3.13 3.12; do
        # newest patch release first
        for p in $(ls -d "$root"/versions/"$minor"*/bin/python 2>/dev/null | sort -rV); do
            candidates+=("$p")
        done
    done
done

for c in "${candidates[@]}"; do
    if ok "$c"; then exit 0; fi
done

echo "error: no Python >= 3.12 found (tried python3.13, python3.12 on PATH, /root/.pyenv/versions/3.13*|3.12*, and \`pyenv root\`)." >&2
echo "       Install Python 3.12 or 3.13 (e.g. 'pyenv install 3.13') or run 'make PYTHON=/path/to/python3.13 ...'." >&2
exit 1
