#!/usr/bin/python3
"""bench/pandas_bench.py FILE: the pandas side of bench/bench_load.

Reads FILE with pandas.read_csv (default options, as a user would) and
summarises it with DataFrame.describe(include='all'), timing each step with
a monotonic clock. Prints one JSON object on stdout:
  {"read_csv": s, "describe": s, "read_csv_cpu": s, "describe_cpu": s,
   "rows": n, "columns": n, "described": n, "pandas": "x.y.z"}
(wall seconds, then CPU seconds of the whole process). Peak memory is not
measured here: bench_load measures this whole process (interpreter and
import included) with wait4()."""
import json
import sys
import time

import pandas as pd


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: pandas_bench.py FILE\n")
        return 2
    path = sys.argv[1]
    t0, c0 = time.perf_counter(), time.process_time()
    df = pd.read_csv(path)
    t1, c1 = time.perf_counter(), time.process_time()
    summary = df.describe(include="all")
    t2, c2 = time.perf_counter(), time.process_time()
    json.dump({"read_csv": t1 - t0, "describe": t2 - t1,
               "read_csv_cpu": c1 - c0, "describe_cpu": c2 - c1,
               "rows": int(len(df)), "columns": int(len(df.columns)),
               "described": int(summary.shape[1]),
               "pandas": pd.__version__}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
