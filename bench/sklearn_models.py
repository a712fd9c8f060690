#!/usr/bin/python3
"""bench/sklearn_models.py: scikit-learn's side of bench/bench_models.c.

Reads the raw file bench_models writes (ROWS x FEATURES doubles of X, row
by row, then ROWS of the linear target, then ROWS of the 0/1 target), and
times Ridge(alpha=1), LogisticRegression() (defaults: lbfgs, C 1, tol 1e-4)
and LinearRegression() on it, reading not timed. Prints one JSON object:
{"sklearn": VERSION, "ridge": {"seconds", "coef", "intercept"},
 "logistic": {..., "n_iter"}, "ols": {...}}.

Usage: sklearn_models.py FILE ROWS FEATURES
"""
import json
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge


def timed(model, X, y):
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return {"seconds": time.perf_counter() - t,
            "coef": [float(v) for v in np.ravel(model.coef_)],
            "intercept": float(np.ravel([model.intercept_])[0])}


def main(path, rows, features):
    n, p = int(rows), int(features)
    raw = np.fromfile(path, dtype=np.float64)
    X = raw[:n * p].reshape(n, p)
    y = raw[n * p:n * p + n]
    yb = raw[n * p + n:n * p + 2 * n]
    out = {"sklearn": sklearn.__version__}
    out["ridge"] = timed(Ridge(alpha=1.0), X, y)
    m = LogisticRegression()
    out["logistic"] = timed(m, X, yb)
    out["logistic"]["n_iter"] = int(m.n_iter_[0])
    out["ols"] = timed(LinearRegression(), X, y)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
