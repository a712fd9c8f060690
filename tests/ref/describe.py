#!/usr/bin/python3
"""tests/ref/describe.py: reference profiles from pandas for test_profile.

Reads a CSV with pandas (float_precision='round_trip', pandas' default
missing-value tokens) and prints, as one JSON object on stdout, what
pandas' describe() gives for every column (../../shared/STATS.md section 9):

  {"rows": N, "default_parser_agrees": true|false,
   "columns": [{"name", "kind": "numeric", "count", "mean", "std", "min",
                "25%", "50%", "75%", "max", "hist": [...]} |
               {"name", "kind": "categorical", "count", "unique", "top",
                "freq", "ties": [...]}],
   "corr": {"names": [...], "r": [[...]...]}}          (with --corr)

"ties" lists every value whose count equals freq, in first-seen order;
"hist" is numpy.histogram(values, bins=B)[0] (--bins B, default 20).
"default_parser_agrees" says whether pandas' default float parser reads
every numeric column to the same doubles as the correctly rounded one.
NaN prints as null, infinities as "inf"/"-inf".

Usage: describe.py FILE.csv [COL=TYPE ...] [--bins B] [--corr]
TYPE: str (read as strings: categorical), float, int, bool,
      date (YYYY-MM-DD, described as days since 1970-01-01),
      datetime (YYYY-MM-DD HH:MM:SS, described as seconds).
"""
import json
import math
import sys

import numpy as np
import pandas as pd


def num(v):
    """A JSON-safe number: NaN as None, infinities as strings."""
    if v is None:
        return None
    v = float(v)
    if math.isnan(v):
        return None
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def text(v):
    """A categorical value as sextant prints it (bools as true/false)."""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    return str(v)


def as_epoch(s, unit):
    """A date or datetime string column as float days or seconds (NaN when missing)."""
    fmt = "%Y-%m-%d" if unit == "date" else None
    t = pd.to_datetime(s, format=fmt)
    ns = t.values.astype("datetime64[ns]").astype(np.int64).astype(np.float64)
    ns[t.isna().values] = np.nan
    scale = 86400e9 if unit == "date" else 1e9
    return pd.Series(ns / scale, name=s.name)


def describe_numeric(name, s, bins):
    d = s.describe()
    vals = s.dropna().to_numpy(dtype=np.float64)
    hist = np.histogram(vals, bins=bins)[0].tolist() if len(vals) else []
    out = {"name": name, "kind": "numeric", "count": int(d["count"])}
    for k in ("mean", "std", "min", "25%", "50%", "75%", "max"):
        out[k] = num(d[k])
    out["hist"] = hist
    return out


def describe_categorical(name, s):
    d = s.describe()
    counts = {}
    for v in s.dropna():
        key = text(v)
        counts[key] = counts.get(key, 0) + 1
    freq = max(counts.values()) if counts else None
    ties = [k for k, c in counts.items() if c == freq] if counts else []
    top = d.get("top")
    return {
        "name": name,
        "kind": "categorical",
        "count": int(d["count"]),
        "unique": int(d["unique"]),
        "top": None if top is None or (isinstance(top, float) and math.isnan(top)) else text(top),
        "freq": None if freq is None else int(d["freq"]),
        "ties": ties,
    }


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        sys.stderr.write(__doc__)
        return 2
    path = argv[1]
    hints = {}
    bins = 20
    corr = False
    args = argv[2:]
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--corr":
            corr = True
        elif a == "--bins":
            i += 1
            bins = int(args[i])
        elif "=" in a:
            col, typ = a.split("=", 1)
            hints[col] = typ
        else:
            sys.stderr.write("describe.py: unexpected argument %r\n" % a)
            return 2
        i += 1

    read_dtype = {}
    for col, typ in hints.items():
        if typ in ("str", "date", "datetime"):
            read_dtype[col] = str
        elif typ == "float":
            read_dtype[col] = np.float64
        elif typ in ("int", "bool"):
            pass  # let pandas infer (ints with missing cells become float)
        else:
            sys.stderr.write("describe.py: unknown type %r\n" % typ)
            return 2

    df = pd.read_csv(path, float_precision="round_trip", dtype=read_dtype or None)
    plain = pd.read_csv(path, dtype=read_dtype or None)

    agrees = True
    for col in df.columns:
        a, b = df[col], plain[col]
        if a.dtype.kind == "f" and b.dtype.kind == "f":
            x, y = a.to_numpy(), b.to_numpy()
            same = (x == y) | (np.isnan(x) & np.isnan(y))
            if not bool(np.all(same)):
                agrees = False

    columns = []
    numeric = {}
    for col in df.columns:
        s = df[col]
        typ = hints.get(col)
        if typ in ("date", "datetime"):
            s = as_epoch(s, typ)
        if typ != "str" and s.dtype.kind in "fiu":
            columns.append(describe_numeric(col, s.astype(np.float64), bins))
            numeric[col] = s.astype(np.float64)
            if typ in ("date", "datetime"):
                numeric.pop(col)
        else:
            columns.append(describe_categorical(col, s))
            present = s.dropna()
            if s.dtype.kind == "b" or (
                    len(present) and all(isinstance(v, (bool, np.bool_)) for v in present)):
                numeric[col] = s.map({True: 1.0, False: 0.0}).astype(np.float64)

    out = {"rows": int(len(df)), "default_parser_agrees": agrees, "columns": columns}
    if corr:
        names = list(numeric)
        m = pd.DataFrame(numeric, columns=names).corr()
        out["corr"] = {
            "names": names,
            "r": [[num(m.iloc[i, j]) for j in range(len(names))] for i in range(len(names))],
        }
    json.dump(out, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
