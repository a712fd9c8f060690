#!/usr/bin/python3
"""tests/ref/sklearn_metrics.py: reference metrics and group folds from
scikit-learn 1.2.1 for test_validate and test_metrics_cli
(../../shared/STATS.md sections 1, 8 and 13).

Reads a CSV with Python's csv module: numbers go through float() (which
rounds correctly), an empty cell is missing, group labels are kept as the
exact strings, true/false (as pandas spells them) are 1 and 0. Prints one
JSON object on stdout.

  sklearn_metrics.py metrics FILE.csv regression|binary ACTUAL PRED [SCORE|-] [GROUP|-]
      {"sklearn": "1.2.1", "overall": {...}, "groups": {LABEL: {...}}}
    The metrics of sextant's contract (rmse mse mae r2 mape, or accuracy
    precision recall f1 auc logloss), rows dropped when ACTUAL, PRED or
    SCORE is missing (listwise deletion), groups sorted by their UTF-8
    bytes, rows with a missing group counted overall only (a group whose
    rows were all dropped has n 0 and null metrics). An undefined
    value (R2 of one row, AUC of one class, no SCORE) is null; every group
    also carries "n".

  sklearn_metrics.py groupkfold FILE.csv GROUP K
      {"sklearn": "1.2.1", "fold": [test fold of each row, in file order]}
    GroupKFold(K) on the rows (labels as strings; every row must have one).

  sklearn_metrics.py stratified_allocation FILE.csv Y K
      {"sklearn": "1.2.1", "allocation": [[count of class c in fold f]...]}
    StratifiedKFold's per-fold class counts (which rows go where depends on
    numpy's random stream; the counts do not).
"""
import csv
import json
import math
import sys
import warnings

import numpy as np
import sklearn
from sklearn import metrics
from sklearn.model_selection import GroupKFold, StratifiedKFold

EPS = np.finfo(np.float64).eps


def read(path):
    with open(path, newline="", encoding="utf-8") as fp:
        r = csv.reader(fp)
        header = next(r)
        rows = [dict(zip(header, row)) for row in r]
    return header, rows


def num(cell):
    if cell == "":
        return math.nan
    if cell in ("true", "True", "TRUE"):
        return 1.0
    if cell in ("false", "False", "FALSE"):
        return 0.0
    return float(cell)


def out(v):
    if v is None:
        return None
    v = float(v)
    if math.isnan(v):
        return None
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def regression(y, p):
    r = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r["rmse"] = metrics.mean_squared_error(y, p, squared=False)
        r["mse"] = metrics.mean_squared_error(y, p)
        r["mae"] = metrics.mean_absolute_error(y, p)
        r["r2"] = metrics.r2_score(y, p)
        r["mape"] = metrics.mean_absolute_percentage_error(y, p)
    return r


def binary(y, p, s):
    r = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r["accuracy"] = metrics.accuracy_score(y, p)
        r["precision"] = metrics.precision_score(y, p)
        r["recall"] = metrics.recall_score(y, p)
        r["f1"] = metrics.f1_score(y, p)
        if s is None:
            r["auc"] = None
            r["logloss"] = None
        else:
            try:
                r["auc"] = metrics.roc_auc_score(y, s)
            except ValueError:
                r["auc"] = None
            r["logloss"] = metrics.log_loss(y, s, labels=[0, 1])
    return r


def compute(task, y, p, s):
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    if task == "regression":
        r = regression(y, p)
    else:
        r = binary(y.astype(np.int64), p.astype(np.int64),
                   None if s is None else np.asarray(s, dtype=np.float64))
    return {k: out(v) for k, v in r.items()}


def cmd_metrics(argv):
    path, task, a, pcol, scol, gcol = argv
    scol = None if scol == "-" else scol
    gcol = None if gcol == "-" else gcol
    _, rows = read(path)
    # Listwise deletion per metric (STATS.md section 1): the label metrics
    # (every regression metric) need the actual value and the prediction,
    # auc and logloss the actual value and the score.
    keep = []
    for row in rows:
        vals = [num(row[a]), num(row[pcol])] + ([num(row[scol])] if scol else [])
        if math.isnan(vals[0]):
            continue
        keep.append((vals, row[gcol] if gcol else ""))

    def run(sel):
        names = (["rmse", "mse", "mae", "r2", "mape"] if task == "regression" else
                 ["accuracy", "precision", "recall", "f1", "auc", "logloss"])
        r = {k: None for k in names}
        lab = [v for v, _ in sel if not math.isnan(v[1])]
        if lab:
            got = compute(task, [v[0] for v in lab], [v[1] for v in lab], None)
            for k in names[:4] if task == "binary" else names:
                r[k] = got[k]
        if scol:
            sco = [v for v, _ in sel if not math.isnan(v[2])]
            if sco:
                y = [v[0] for v in sco]
                got = compute(task, y, y, [v[2] for v in sco])
                r["auc"], r["logloss"] = got["auc"], got["logloss"]
        r["n"] = len(lab)
        return r

    res = {"sklearn": sklearn.__version__, "overall": run(keep), "groups": {}}
    if gcol:
        labels = sorted({row[gcol] for row in rows if row[gcol] != ""},
                        key=lambda t: t.encode("utf-8"))
        for lab in labels:
            res["groups"][lab] = run([k for k in keep if k[1] == lab])
    return res


def cmd_groupkfold(argv):
    path, gcol, k = argv
    _, rows = read(path)
    groups = np.array([row[gcol] for row in rows])
    fold = [0] * len(rows)
    for f, (_, test) in enumerate(GroupKFold(n_splits=int(k)).split(groups, groups=groups)):
        for i in test:
            fold[int(i)] = f
    return {"sklearn": sklearn.__version__, "fold": fold}


def cmd_stratified_allocation(argv):
    path, ycol, k = argv
    _, rows = read(path)
    y = np.array([int(float(row[ycol])) for row in rows])
    k = int(k)
    classes = sorted(set(y.tolist()))
    alloc = [[0] * len(classes) for _ in range(k)]
    skf = StratifiedKFold(n_splits=k, shuffle=True, random_state=0)
    for f, (_, test) in enumerate(skf.split(np.zeros(len(y)), y)):
        for c_i, c in enumerate(classes):
            alloc[f][c_i] = int(np.sum(y[test] == c))
    return {"sklearn": sklearn.__version__, "allocation": alloc}


def main():
    cmds = {"metrics": cmd_metrics, "groupkfold": cmd_groupkfold,
            "stratified_allocation": cmd_stratified_allocation}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    json.dump(cmds[sys.argv[1]](sys.argv[2:]), sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
