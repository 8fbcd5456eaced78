#!/usr/bin/env bash
# Every test: the strict book build first (warnings are errors, a cell error fails), then pytest
# over everything -- unit and property tests, the notebooks (papermill, nbval) and the built site
# in Chromium.  Exits non-zero on any failure and ends with pytest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || PY=python3

echo "== build: $PY scripts/build_book.py"
"$PY" scripts/build_book.py

echo "== tests: $PY -m pytest (unit, notebooks, browser)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
"$PY" -m pytest -ra "$@" 2>&1 | tee "$log" || status=$?
summary=$(grep -E '^=+ .*(passed|failed|error|skipped|no tests ran).* =+$' "$log" | tail -n 1 || true)
echo "== pytest summary: ${summary:-no summary line (pytest did not finish)}"
exit "$status"
