"""Churn reasons for every customer: the logistic model's shortcut against predicting each occluded table.

Run: .venv/bin/python benchmarks/bench_reasons.py [--customers 300000] [--repeat 3]

``ChurnModel.reason_contributions`` gives, per customer and feature, P(churn | x) - P(churn | x with the feature at
its training median). Two ways to compute it, side by side on the same generated shop (``make_transactions``,
fitted at 2025-03-01, scored at 2025-09-01, 90-day horizon; features and model built once and pickled, so each
contender in its fresh process only loads them): crmmine's path for the logistic model (one pass of the pipeline per
block, through the regression's score) and the model-agnostic occlusion (one prediction of the table per feature,
what the gradient-boosting model still uses). The two tables are compared (largest difference, and whether the
exact zeros agree). Wall and CPU time are medians of --repeat runs; peak RSS includes loading the pickle.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from _common import describe_machine, run_fresh

PREPARE = """
import pickle, sys, crmmine
from crmmine.datasets import make_transactions
tx, _ = make_transactions(int(sys.argv[2]), random_state=0)
f = crmmine.churn_features(tx, cutoff="2025-03-01")
model = crmmine.ChurnModel("logistic", random_state=0).fit(f, crmmine.churn_labels(tx, cutoff="2025-03-01"))
now = crmmine.churn_features(tx, cutoff="2025-09-01")
pickle.dump((model, now), open(sys.argv[1], "wb"), protocol=5)
print("{}")
"""

RUNNER = """
import json, pickle, resource, sys, time
import numpy as np
from crmmine.churn import model as M
model, now = pickle.load(open(sys.argv[1], "rb"))
if sys.argv[2] == "occlusion":
    M._linear_folds = lambda est, n: None  # the per-feature prediction, as for gradient boosting
w, c = time.perf_counter(), time.process_time()
out = model.reason_contributions(now).to_numpy()
wall, cpu = time.perf_counter() - w, time.process_time() - c
np.save(sys.argv[3], out)
print(json.dumps({"wall": wall, "cpu": cpu, "n": len(now), "features": out.shape[1],
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CONTENDERS = {"shortcut": "crmmine, logistic shortcut", "occlusion": "one prediction per feature"}


def main() -> int:
    import numpy as np

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=300_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "model.pkl"
        run_fresh(PREPARE, data, args.customers)
        results = {}
        for who in CONTENDERS:
            runs = [run_fresh(RUNNER, data, who, Path(tmp) / f"{who}.npy") for _ in range(args.repeat)]
            results[who] = {"wall": statistics.median(r["wall"] for r in runs),
                            "cpu": statistics.median(r["cpu"] for r in runs),
                            "peak_mb": max(r["peak_mb"] for r in runs), "n": runs[0]["n"], "features": runs[0]["features"]}
        a, b = np.load(Path(tmp) / "shortcut.npy"), np.load(Path(tmp) / "occlusion.npy")
    print(f"Machine: {describe_machine('numpy', 'pandas', 'sklearn')}")
    n, k = results["shortcut"]["n"], results["shortcut"]["features"]
    print(f"Generated shop: make_transactions({args.customers:,}); {n:,} customers scored, {k} features; median of "
          f"{args.repeat} runs, each in a fresh process\n")
    print("| contender | wall (s) | CPU (s) | peak RSS (MB) |")
    print("|---|---:|---:|---:|")
    for who, label in CONTENDERS.items():
        r = results[who]
        print(f"| {label} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['peak_mb']:.0f} |")
    same_zeros = bool(((a == 0) == (b == 0)).all())
    print(f"\nSame table: largest difference {np.abs(a - b).max():.1e}, exact zeros agree: {same_zeros}, "
          f"speed-up {results['occlusion']['wall'] / results['shortcut']['wall']:.1f}x wall")
    print(json.dumps({"largest_difference": float(np.abs(a - b).max()), "zeros_agree": same_zeros}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
