#!/bin/sh
# tests/run.sh BUILD: fetch the external test suites (csv-spectrum, with npm,
# into BUILD/npm; nothing of it is committed), then run every test binary in
# BUILD/tests and every tests/*.sh script. Exits non-zero if any fails.
set -eu
BUILD=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

spectrum="$BUILD/npm/node_modules/csv-spectrum"
# Version 2: version 1 lacks location_coordinates.csv (see tests/test_csv.c).
if [ ! -f "$spectrum/csvs/location_coordinates.csv" ]; then
    mkdir -p "$BUILD/npm"
    npm install --silent --no-audit --no-fund --prefix "$BUILD/npm" csv-spectrum@2 >/dev/null
fi

SEXTANT_BIN="$top/$BUILD/sextant"
SEXTANT_BUILD="$top/$BUILD"
SEXTANT_SPECTRUM="$top/$spectrum"
SEXTANT_SRC="$top"
export SEXTANT_BIN SEXTANT_BUILD SEXTANT_SPECTRUM SEXTANT_SRC

fail=0
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    echo "== $(basename "$t")"
    if ! "$t" --jobs 2 --short-filename; then
        echo "FAILED: $t" >&2
        fail=1
    fi
done
for s in tests/*.sh; do
    [ "$s" = tests/run.sh ] && continue
    [ -x "$s" ] || continue
    echo "== $(basename "$s")"
    if ! "$s" "$BUILD"; then
        echo "FAILED: $s" >&2
        fail=1
    fi
done
exit $fail
