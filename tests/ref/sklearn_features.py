#!/usr/bin/python3
"""tests/ref/sklearn_features.py: reference fits from scikit-learn for
test_features (../../shared/STATS.md sections 10 and 13).

Reads a CSV of numeric columns with Python's csv module (every number goes
through float(), which rounds correctly; an empty cell is missing) and
prints one JSON object on stdout:

  {"sklearn": "1.2.1",
   "standard": {"columns": [...], "mean": [...], "var": [...], "scale": [...],
                "n_samples_seen": [...], "transform": [[row]...]},
   "minmax": {"columns": [...], "data_min": [...], "data_max": [...],
              "scale": [...], "min": [...], "transform": [[row]...]},
   "pca": [{"columns": [...], "k": K, "rows": [row indices fitted on],
            "mean": [...], "components": [[...]...],
            "explained_variance": [...], "explained_variance_ratio": [...],
            "singular_values": [...], "noise_variance": x,
            "transform": [[row]...]}...]}

StandardScaler and MinMaxScaler ignore missing values when fitting and
keep them missing (null) in "transform". PCA(svd_solver='full') is fitted
on the rows complete in its columns (listwise deletion, as sextant does);
its "transform" covers those rows only, in file order. NaN prints as null.

Usage: sklearn_features.py FILE.csv [--standard A,B,...] [--minmax A,B,...]
                                    [--pca K A,B,...]...
"""
import csv
import json
import math
import sys

import numpy as np
import sklearn
from sklearn.decomposition import PCA
from sklearn.preprocessing import MinMaxScaler, StandardScaler


def num(v):
    v = float(v)
    if math.isnan(v):
        return None
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def nums(a):
    return [num(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def rows(a):
    return [nums(r) for r in np.asarray(a, dtype=np.float64)]


def read(path):
    with open(path, newline="") as fp:
        r = csv.reader(fp)
        header = next(r)
        data = [[float(c) if c != "" else math.nan for c in row] for row in r]
    return header, np.array(data, dtype=np.float64).reshape(len(data), len(header))


def pick(header, data, names):
    idx = [header.index(n) for n in names]
    return np.ascontiguousarray(data[:, idx])


def main(argv):
    path = argv[1]
    header, data = read(path)
    out = {"sklearn": sklearn.__version__, "pca": []}
    i = 2
    while i < len(argv):
        opt = argv[i]
        if opt == "--standard":
            cols = argv[i + 1].split(",")
            x = pick(header, data, cols)
            s = StandardScaler().fit(x)
            out["standard"] = {"columns": cols, "mean": nums(s.mean_), "var": nums(s.var_),
                               "scale": nums(s.scale_),
                               "n_samples_seen": nums(s.n_samples_seen_),
                               "transform": rows(s.transform(x))}
            i += 2
        elif opt == "--minmax":
            cols = argv[i + 1].split(",")
            x = pick(header, data, cols)
            m = MinMaxScaler().fit(x)
            out["minmax"] = {"columns": cols, "data_min": nums(m.data_min_),
                             "data_max": nums(m.data_max_), "scale": nums(m.scale_),
                             "min": nums(m.min_), "transform": rows(m.transform(x))}
            i += 2
        elif opt == "--pca":
            k = int(argv[i + 1])
            cols = argv[i + 2].split(",")
            x = pick(header, data, cols)
            keep = ~np.isnan(x).any(axis=1)
            xc = np.ascontiguousarray(x[keep])
            p = PCA(n_components=k, svd_solver="full").fit(xc)
            out["pca"].append({"columns": cols, "k": k,
                               "rows": [int(r) for r in np.nonzero(keep)[0]],
                               "mean": nums(p.mean_), "components": rows(p.components_),
                               "explained_variance": nums(p.explained_variance_),
                               "explained_variance_ratio": nums(p.explained_variance_ratio_),
                               "singular_values": nums(p.singular_values_),
                               "noise_variance": num(p.noise_variance_),
                               "transform": rows(p.transform(xc))})
            i += 3
        else:
            sys.exit("sklearn_features.py: unknown option " + opt)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)
