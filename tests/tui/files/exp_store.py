# tests/tui/files/exp_store.py: experiments and runs with fixed ids, authors,
# times and values for the Experiments pane's golden screens, written with
# SQL into the store of the working directory (made by `sextant init`, so
# the schema is migration 3's). The runs table rebuilds its summary rows
# from these tables when it reads them (core/runs.c).
#
#   demand-forecast (alice): an OLS baseline, a ridge sweep of 4 trials
#     (the best marked on rmse), a ridge run on a feature set that wins
#     overall but loses the north region, a failed run, a run with a CJK
#     name; per-group metrics by region, a validation set, environment,
#     resources, metric histories, comments and review statuses.
#   peak-events (bob): logistic runs (auc, logloss, f1: higher and lower
#     is better mixed).
import json
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1] if len(sys.argv) > 1 else ".sextant/store.db")
T0 = 1704164645000          # 2024-01-02T03:04:05Z


def uid(n):
    return "%08x-0000-4000-8000-%012x" % (n, n)


ds = db.execute("SELECT id FROM datasets ORDER BY created_at LIMIT 1").fetchone()
dataset_id = ds[0] if ds else None

db.execute("INSERT INTO experiments (id, name, author, created_ms) VALUES (?, ?, ?, ?)",
           (uid(0xe1), "demand-forecast", "alice", T0))
db.execute("INSERT INTO experiments (id, name, author, created_ms) VALUES (?, ?, ?, ?)",
           (uid(0xe2), "peak-events", "bob", T0 + 1000))

ENV = {"sextant": "0.5.0", "os": "Linux 6.1", "cpu": "x86_64, 2 cores",
       "libs": {"gsl": "2.7.1", "sqlite": "3.40.1"}}


def run(n, exp, name, author, *, minute, algo=None, status="finished", parent=None,
        kind="run", params=None, metrics=None, history=None, groups=None, validation=None,
        env=None, resources=None, notes="", review="", best=None, split=None,
        target=None, data=True):
    rid = uid(n)
    start = T0 + minute * 60000
    end = None if status == "running" else start + 4500
    db.execute(
        "INSERT INTO runs (id, experiment_id, name, author, status, start_ms, end_ms, "
        "parent_id, kind, algo, target, dataset_id, source_path, data_hash, split, "
        "groups_json, validation_json, env_json, resources_json, notes, review, "
        "best_metric, best_run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (rid, exp, name, author, status, start, end, parent and uid(parent), kind, algo,
         target, dataset_id if data else None, "data/energy_train.csv" if data else None,
         "943a9d6b" + "0" * 56 if data else None, split,
         json.dumps(groups) if groups else None,
         json.dumps(validation) if validation else None,
         json.dumps(env) if env else None,
         json.dumps(resources) if resources else None, notes, review,
         best and best[0], best and uid(best[1])))
    for k, v in (params or {}).items():
        db.execute("INSERT INTO run_params VALUES (?, ?, ?)", (rid, k, str(v)))
    for k, v in (metrics or {}).items():
        points = (history or {}).get(k, [v])
        for step, value in enumerate(points):
            db.execute("INSERT INTO run_metrics VALUES (?, ?, ?, ?, ?)",
                       (rid, k, step, start + 1000 * step, value))
        db.execute("INSERT INTO run_latest VALUES (?, ?, ?, ?, ?)",
                   (rid, k, len(points) - 1, start + 1000 * (len(points) - 1), points[-1]))
    return rid


def comment(n, run_n, author, minute, text, review=""):
    db.execute("INSERT INTO run_comments VALUES (?, ?, ?, ?, ?, ?)",
               (uid(0xc00 + n), uid(run_n), author, T0 + minute * 60000, text, review))


E1, E2 = uid(0xe1), uid(0xe2)
REG = lambda rmse, mae: {"rmse": rmse, "mae": mae}
run(1, E1, "ols-baseline", "alice", minute=1, algo="ols", target="demand", split="kfold:5",
    params={"features": "raw"},
    metrics={"rmse": 3.412, "mae": 2.61, "r2": 0.871, "mape": 0.094},
    history={"rmse": [4.9, 4.1, 3.7, 3.5, 3.412]},
    groups={"region": {"central": REG(3.30, 2.52), "north": REG(3.05, 2.31),
                       "south": REG(3.88, 2.95)}},
    validation={"energy_2023": {"rmse": 3.61, "mae": 2.77, "r2": 0.85}},
    env=ENV, resources={"wall_s": 0.84, "cpu_s": 1.52, "peak_rss_mb": 212, "rows_per_s": 260857},
    notes="Plain least squares on the raw columns.")
run(2, E1, "ridge-sweep", "alice", minute=2, algo="ridge", kind="sweep", target="demand",
    split="kfold:5", params={"features": "raw"}, metrics={"rmse": 3.281},
    best=("rmse", 5), env=ENV)
for i, (alpha, rmse, r2) in enumerate([(0.01, 3.409, 0.872), (0.1, 3.356, 0.876),
                                       (1, 3.281, 0.881), (10, 3.52, 0.862)]):
    run(3 + i, E1, "ridge-a%g" % alpha, "alice", minute=3 + i, algo="ridge", kind="trial",
        parent=2, target="demand", split="kfold:5",
        params={"alpha": alpha, "features": "raw"},
        metrics={"rmse": rmse, "mae": round(rmse * 0.77, 3), "r2": r2},
        history={"rmse": [5.0 - i * 0.1, 4.0, 3.6, rmse]})
run(7, E1, "ridge-fs", "bob", minute=8, algo="ridge", target="demand", split="time:date:year",
    params={"alpha": 1, "features": "fs-basic"},
    metrics={"rmse": 3.105, "mae": 2.40, "r2": 0.893, "mape": 0.081},
    history={"rmse": [4.6, 3.9, 3.4, 3.2, 3.105]},
    groups={"region": {"central": REG(2.95, 2.20), "north": REG(3.31, 2.49),
                       "south": REG(3.02, 2.36)}},
    validation={"energy_2023": {"rmse": 3.48, "mae": 2.66, "r2": 0.86}},
    env=dict(ENV, sextant="0.5.1"),
    resources={"wall_s": 1.21, "cpu_s": 2.3, "peak_rss_mb": 240, "rows_per_s": 181090},
    review="needs-work")
run(8, E1, "failed-run", "bob", minute=9, algo="ridge", status="failed",
    params={"alpha": 100, "features": "raw"}, data=False)
run(9, E1, "岭回归-日本", "alice", minute=10, algo="ridge", target="demand",
    params={"alpha": 0.5, "features": "raw"},
    metrics={"rmse": 3.3, "mae": 2.5, "r2": 0.879})
comment(1, 7, "alice", 20, "North got worse than the baseline: check the holiday feature.",
        "needs-work")
comment(2, 7, "bob", 25, "Agreed; the south win is real though.")
comment(3, 1, "bob", 30, "Baseline looks sane.", "reviewed")
db.execute("UPDATE runs SET review = 'reviewed' WHERE id = ?", (uid(1),))

for i, (c, auc, ll, f1) in enumerate([(0.1, 0.861, 0.402, 0.61), (1, 0.884, 0.371, 0.66),
                                      (10, 0.879, 0.378, 0.65)]):
    run(0x20 + i, E2, "logit-C%g" % c, "bob", minute=40 + i, algo="logistic",
        target="peak_event", split="stratified:5", params={"C": c},
        metrics={"auc": auc, "logloss": ll, "f1": f1, "accuracy": 0.9 + i / 100})
db.commit()
