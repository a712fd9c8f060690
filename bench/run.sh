#!/bin/sh
# bench/run.sh BUILD: run the benchmarks built into BUILD/bench (make bench):
# bench_load (loading and profiling), then bench_tui (the workbench), then
# bench_features (fitting and applying a feature set).
#   BENCH_SIZES   rows per generated file, comma-separated
#                 (default 1000000,10000000; a quick run: BENCH_SIZES=100000)
#   BENCH_REPEAT  measure each N times, keep the best wall time (default 1)
#   BENCH_STRICT  set to 1 to exit non-zero when a target fails
#   BENCH_DATA    where the generated CSVs are kept (default BUILD/bench-data)
#   BENCH_PYTHON  python with pandas (default /usr/bin/python3)
set -eu
BUILD=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bin="$BUILD/bench/bench_load"
if [ ! -x "$bin" ]; then
    echo "bench/run.sh: $bin is not built (run: make BUILD=$BUILD bench)" >&2
    exit 1
fi

set -- --sizes "${BENCH_SIZES:-1000000,10000000}" \
       --repeat "${BENCH_REPEAT:-1}" \
       --data "${BENCH_DATA:-$BUILD/bench-data}" \
       --python "${BENCH_PYTHON:-/usr/bin/python3}" \
       --pandas-script bench/pandas_bench.py
if [ "${BENCH_STRICT:-0}" = 1 ]; then
    set -- "$@" --strict
fi
rc=0
"$bin" "$@" || rc=$?

# The workbench benchmark (bench/bench_tui.c) on the largest file above.
tui="$BUILD/bench/bench_tui"
if [ -x "$tui" ]; then
    rows=$(echo "${BENCH_SIZES:-1000000,10000000}" | tr ',' '\n' | sort -n | tail -1)
    set -- --rows "$rows" --data "${BENCH_DATA:-$BUILD/bench-data}" --bin "$BUILD/sextant" \
           --python "${BENCH_PYTHON:-/usr/bin/python3}" --pandas-script bench/pandas_sort.py
    if [ "${BENCH_STRICT:-0}" = 1 ]; then
        set -- "$@" --strict
    fi
    "$tui" "$@" || rc=$?
fi

# The feature-set benchmark (bench/bench_features.c) on the largest file:
# fit and apply of the demo's feature set, and scikit-learn's
# SimpleImputer + StandardScaler + PCA + OneHotEncoder for the ratio.
feat="$BUILD/bench/bench_features"
if [ -x "$feat" ]; then
    rows=$(echo "${BENCH_SIZES:-1000000,10000000}" | tr ',' '\n' | sort -n | tail -1)
    set -- --rows "$rows" --data "${BENCH_DATA:-$BUILD/bench-data}" \
           --repeat "${BENCH_REPEAT:-1}" --python "${BENCH_PYTHON:-/usr/bin/python3}" \
           --sklearn-script bench/sklearn_features.py
    if [ "${BENCH_STRICT:-0}" = 1 ]; then
        set -- "$@" --strict
    fi
    "$feat" "$@" || rc=$?
fi
exit $rc
