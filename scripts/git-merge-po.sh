#!/usr/bin/env bash
# Git merge driver for gettext catalogues: the union of both sides' entries, "ours" winning
# where both translated the same message differently. Line references and obsolete entries are
# tidied by the next `make messages`. Enable once per clone:
#   git config merge.po.driver "scripts/git-merge-po.sh %O %A %B"
# (.gitattributes names the driver for *.po).
set -euo pipefail
base=$1 ours=$2 theirs=$3
tmp=$(mktemp)
if msgcat --use-first --no-wrap -o "$tmp" "$ours" "$theirs" 2>/dev/null; then
    mv "$tmp" "$ours"
    exit 0
fi
rm -f "$tmp"
exit 1
