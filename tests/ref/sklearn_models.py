#!/usr/bin/python3
"""tests/ref/sklearn_models.py: reference fits from scikit-learn for
test_models (../../shared/STATS.md sections 11 and 13).

Reads a CSV whose last column is the target and whose other columns are the
features, with Python's csv module (every number goes through float(), so
the C test's %.17g values come back as the same doubles), fits one model
and prints one JSON object on stdout:

  ols:      {"sklearn": "1.2.1", "coef": [...], "intercept": x, "rank": r}
            LinearRegression() (scipy lstsq, gelsd, min-norm)
  ridge:    {"sklearn": ..., "coef": [...], "intercept": x}
            Ridge(alpha=A) (solver 'auto')
  logistic: {"sklearn": ..., "coef": [...], "intercept": x,
             "n_iter": k,
             "newton": {"coef": [...], "intercept": x, "grad": g, "iter": k}}
            LogisticRegression(C=C) with its defaults (lbfgs, tol 1e-4,
            max_iter 100), and the exact optimum of
            C * sum(log(1 + e^z) - y z) + 0.5 ||w||^2 (z = Xw + b, b not
            penalised) found by Newton's method with step halving in numpy,
            iterated until max |gradient| <= 2e-15 max(1, C n) or the step no
            longer changes the coefficients; "grad" is its final
            max |gradient|.

Usage: sklearn_models.py FILE.csv ols|ridge|logistic [--alpha A] [--C C]
"""
import csv
import json
import sys
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge


def read(path):
    with open(path, newline="") as fp:
        r = csv.reader(fp)
        next(r)
        data = np.array([[float(c) for c in row] for row in r], dtype=np.float64)
    return data[:, :-1], data[:, -1]


def objective(X, y, C, w, b):
    z = X @ w + b
    return C * np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * w @ w


def gradient_hessian(X, y, C, w, b):
    z = X @ w + b
    sig = np.where(z >= 0, 1.0 / (1.0 + np.exp(-np.abs(z))),
                   np.exp(-np.abs(z)) / (1.0 + np.exp(-np.abs(z))))
    A = np.hstack([X, np.ones((X.shape[0], 1))])
    g = C * A.T @ (sig - y)
    g[:-1] += w
    s = sig * (1.0 - sig)
    H = C * (A.T * s) @ A
    H[np.arange(len(w)), np.arange(len(w))] += 1.0
    return g, H


def newton(X, y, C):
    p = X.shape[1]
    theta = np.zeros(p + 1)
    it = 0
    for it in range(1, 201):
        w, b = theta[:-1], theta[-1]
        g, H = gradient_hessian(X, y, C, w, b)
        if np.max(np.abs(g)) <= 2e-15 * max(1.0, C * len(y)):
            break
        d = np.linalg.solve(H, -g)
        f0 = objective(X, y, C, w, b)
        t = 1.0
        while t > 1e-12:
            cand = theta + t * d
            if objective(X, y, C, cand[:-1], cand[-1]) <= f0 + 1e-4 * t * (g @ d) + 1e-13 * abs(f0):
                break
            t *= 0.5
        new = theta + t * d
        if np.array_equal(new, theta) or np.max(np.abs(new - theta)) <= 1e-17 * np.max(np.abs(theta)):
            theta = new
            break
        theta = new
    g, _ = gradient_hessian(X, y, C, theta[:-1], theta[-1])
    return theta, float(np.max(np.abs(g))), it


def main(argv):
    path, algo = argv[1], argv[2]
    opts = dict(zip(argv[3::2], argv[4::2]))
    X, y = read(path)
    out = {"sklearn": sklearn.__version__}
    if algo == "ols":
        m = LinearRegression().fit(X, y)
        out["rank"] = int(m.rank_)
    elif algo == "ridge":
        m = Ridge(alpha=float(opts.get("--alpha", 1.0))).fit(X, y)
    elif algo == "logistic":
        C = float(opts.get("--C", 1.0))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = LogisticRegression(C=C).fit(X, y)
        out["n_iter"] = int(m.n_iter_[0])
        theta, grad, it = newton(X, y, C)
        out["newton"] = {"coef": [float(v) for v in theta[:-1]], "intercept": float(theta[-1]),
                         "grad": grad, "iter": it}
    else:
        sys.exit("unknown algorithm " + algo)
    out["coef"] = [float(v) for v in np.ravel(m.coef_)]
    out["intercept"] = float(np.ravel([m.intercept_])[0])
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)
