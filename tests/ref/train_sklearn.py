#!/usr/bin/python3
"""tests/ref/train_sklearn.py DATA.csv ALGO TARGET K=V: the reference
coefficients for tests/test_train.c, which compares them with `sextant train
DATA.csv --target TARGET --algo ALGO --param K=V --split none --json`.

The features are the number and bool columns x1, x2, x3 of the test data
(the test excludes the other targets); the models are scikit-learn's
LinearRegression, Ridge(alpha) and LogisticRegression(C) with their default
solvers. Prints {"coefficients": {FEATURE: V}, "intercept": V}."""
import json
import sys

import pandas as pd
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge


def main():
    path, algo, target, param = sys.argv[1:5]
    key, value = param.split("=", 1)
    df = pd.read_csv(path)
    features = ["x1", "x2", "x3"]
    X = df[features].to_numpy(dtype=float)
    y = df[target].to_numpy()
    if algo == "ols":
        m = LinearRegression()
    elif algo == "ridge":
        m = Ridge(alpha=float(value))
    elif algo == "logistic":
        m = LogisticRegression(C=float(value))
    else:
        raise SystemExit("unknown algo " + algo)
    m.fit(X, y)
    coef = m.coef_.ravel()
    intercept = float(m.intercept_[0]) if hasattr(m.intercept_, "__len__") else float(m.intercept_)
    out = {"coefficients": {f: float(c) for f, c in zip(features, coef)}, "intercept": intercept}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
