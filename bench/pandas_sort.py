#!/usr/bin/python3
"""bench/pandas_sort.py FILE COLUMN: the pandas side of bench/bench_tui.

Reads FILE with pandas.read_csv (default options) and sorts the frame by
COLUMN with DataFrame.sort_values (default options), timing the sort with a
monotonic clock. Prints one JSON object on stdout:
  {"read_csv": s, "sort_values": s, "rows": n, "pandas": "x.y.z"}"""
import json
import sys
import time

import pandas as pd


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: pandas_sort.py FILE COLUMN\n")
        return 2
    path, column = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    t1 = time.perf_counter()
    out = df.sort_values(column)
    t2 = time.perf_counter()
    json.dump({"read_csv": t1 - t0, "sort_values": t2 - t1, "rows": int(len(out)),
               "pandas": pd.__version__}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
