#!/usr/bin/python3
"""bench/sklearn_features.py FILE: the scikit-learn side of
bench/bench_features.

Reads FILE (the demo CSV) with pandas.read_csv (not timed), then times, with
a monotonic clock, the scikit-learn counterpart of the demo feature set's
fitted transforms on the same rows:
  SimpleImputer(median) on humidity; StandardScaler on temperature,
  humidity, wind; PCA(2, svd_solver='full') on those three scaled columns;
  OneHotEncoder(max_categories=10, handle_unknown='infrequent_if_exist',
  sparse_output=False) on region.
"fit" is fitting all four (each fitted on the output of the previous, as
the spec does), "transform" is applying the fitted four to the frame.
Prints one JSON object on stdout:
  {"fit": s, "transform": s, "rows": n, "sklearn": "x.y.z"}"""
import json
import sys
import time

import numpy as np
import pandas as pd
import sklearn
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: sklearn_features.py FILE\n")
        return 2
    df = pd.read_csv(sys.argv[1], usecols=["region", "temperature", "humidity", "wind"])
    hum = df[["humidity"]].to_numpy()
    weather = df[["temperature", "humidity", "wind"]].to_numpy()
    region = df[["region"]].to_numpy()

    t0 = time.perf_counter()
    imp = SimpleImputer(strategy="median").fit(hum)
    w = weather.copy()
    w[:, 1:2] = imp.transform(hum)
    scaler = StandardScaler().fit(w)
    pca = PCA(n_components=2, svd_solver="full").fit(scaler.transform(w))
    enc = OneHotEncoder(max_categories=10, handle_unknown="infrequent_if_exist",
                        sparse_output=False).fit(region)
    t1 = time.perf_counter()
    w = weather.copy()
    w[:, 1:2] = imp.transform(hum)
    scaled = scaler.transform(w)
    scores = pca.transform(scaled)
    onehot = enc.transform(region)
    t2 = time.perf_counter()
    assert scores.shape == (len(df), 2) and onehot.shape[0] == len(df)
    json.dump({"fit": t1 - t0, "transform": t2 - t1, "rows": int(len(df)),
               "sklearn": sklearn.__version__}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
