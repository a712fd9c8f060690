#!/bin/sh
# bench/run.sh BUILD: run the benchmarks built into BUILD/bench (make bench):
# bench_load (loading and profiling), then bench_tui (the workbench), then
# bench_features (fitting and applying a feature set), then bench_models
# (training ridge and logistic regression; BENCH_MODEL_ROWS, default 1000000).
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

# The training benchmark (bench/bench_models.c): ridge and logistic
# regression on 1M rows x 20 features generated in memory from a fixed seed,
# against one XT X pass by gsl_blas_dgemm and scikit-learn's Ridge,
# LogisticRegression and LinearRegression (bench/sklearn_models.py).
models="$BUILD/bench/bench_models"
if [ -x "$models" ]; then
    set -- --rows "${BENCH_MODEL_ROWS:-1000000}" --data "${BENCH_DATA:-$BUILD/bench-data}" \
           --repeat "${BENCH_REPEAT:-1}" --python "${BENCH_PYTHON:-/usr/bin/python3}" \
           --sklearn-script bench/sklearn_models.py
    if [ "${BENCH_STRICT:-0}" = 1 ]; then
        set -- "$@" --strict
    fi
    "$models" "$@" || rc=$?
fi

# The experiment-tracking benchmark (bench/bench_runs.c): `sextant log batch`
# of 1M metric points and single `sextant log metric` calls through the real
# binary, and the runs table of 100,000 runs (built once into BENCH_DATA):
# load, sort by a metric, filter.
runs="$BUILD/bench/bench_runs"
if [ -x "$runs" ]; then
    set -- --bin "$BUILD/sextant" --data "${BENCH_DATA:-$BUILD/bench-data}" \
           --repeat "${BENCH_REPEAT:-1}"
    if [ "${BENCH_STRICT:-0}" = 1 ]; then
        set -- "$@" --strict
    fi
    "$runs" "$@" || rc=$?
fi
exit $rc
