"""Churn on the full UCI Online Retail file: features + training + evaluation, per step and per model.

Run: .venv/bin/python benchmarks/bench_churn.py [--repeat 3]
Split: trained at 2011-06-01, evaluated at 2011-09-01, 90-day horizon. Each contender runs in a fresh
subprocess (its peak RSS is its own, and includes load_clean of the file, which is not timed); wall times are
medians of --repeat runs. The obvious alternative beside crmmine: plain pandas RFM (recency, frequency,
monetary) + an uncalibrated scikit-learn LogisticRegression, evaluated by ROC AUC on the same split.
Figures go to stdout as a Markdown table; copy them with the machine line into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from _common import ONLINE_RETAIL, describe_machine, run_fresh

DATA = ONLINE_RETAIL

CRMMINE = """
import crmmine
r = crmmine.load_clean(PATH); tx, ret = r.transactions, r.returns
steps = {{}}
t = time.perf_counter()
f_tr = crmmine.churn_features(tx, cutoff="2011-06-01", returns=ret)
l_tr = crmmine.churn_labels(tx, cutoff="2011-06-01")
f_te = crmmine.churn_features(tx, cutoff="2011-09-01", returns=ret)
l_te = crmmine.churn_labels(tx, cutoff="2011-09-01")
steps["features + labels (2 cutoffs)"] = time.perf_counter() - t
t = time.perf_counter()
m = crmmine.ChurnModel("{model}", random_state=0).fit(f_tr, l_tr)
steps["fit (calibrated, 3 folds)"] = time.perf_counter() - t
t = time.perf_counter()
ev = crmmine.evaluate_churn(m, f_te, l_te)
steps["evaluate (metrics, curves, permutation importance)"] = time.perf_counter() - t
t = time.perf_counter()
m.reason_contributions(f_te)
steps["reasons for every customer"] = time.perf_counter() - t
auc = float(ev.metrics.loc["model", "roc_auc"])
n = len(f_te)
"""

ALTERNATIVE = """
import numpy as np, pandas as pd, crmmine
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
r = crmmine.load_clean(PATH); tx = r.transactions
steps = {}
def rfm(cut):
    h = tx[tx["order_date"] <= cut]
    g = h.groupby("customer_id").agg(last=("order_date", "max"), frequency=("order_id", "nunique"),
                                     monetary=("amount", "sum"))
    g["recency"] = (cut - g["last"]).dt.days
    fut = tx[(tx["order_date"] > cut) & (tx["order_date"] <= cut + pd.Timedelta(days=90))]["customer_id"].unique()
    g["churned"] = ~g.index.isin(fut)
    return g
t = time.perf_counter()
a, b = rfm(pd.Timestamp("2011-06-01")), rfm(pd.Timestamp("2011-09-01"))
steps["features + labels (2 cutoffs)"] = time.perf_counter() - t
cols = ["recency", "frequency", "monetary"]
t = time.perf_counter()
lr = LogisticRegression(max_iter=1000).fit(np.log1p(a[cols].clip(lower=0)), a["churned"])
steps["fit (calibrated, 3 folds)"] = time.perf_counter() - t
t = time.perf_counter()
auc = roc_auc_score(b["churned"], lr.predict_proba(np.log1p(b[cols].clip(lower=0)))[:, 1])
steps["evaluate (metrics, curves, permutation importance)"] = time.perf_counter() - t
n = len(b)
"""

CODE = {
    "crmmine ChurnModel logistic": CRMMINE.format(model="logistic"),
    "crmmine ChurnModel hgb": CRMMINE.format(model="hgb"),
    "pandas RFM + sklearn LogisticRegression": ALTERNATIVE,
}

RUNNER = """
import json, resource, sys, time
PATH = sys.argv[1]
{code}
print(json.dumps({{"steps": steps, "auc": auc, "n": n,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

STEPS = ["features + labels (2 cutoffs)", "fit (calibrated, 3 folds)", "evaluate (metrics, curves, permutation importance)",
         "reasons for every customer"]


def machine() -> str:
    return describe_machine('numpy', 'pandas', 'sklearn')


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not DATA.exists():
        print(f"bench_churn: {DATA} not found; set CRMMINE_SHARED_DATA", file=sys.stderr)
        return 2
    results = {}
    for name, code in CODE.items():
        runs = []
        for _ in range(args.repeat):
            runs.append(run_fresh(RUNNER.format(code=code), DATA))
        steps = {s: statistics.median(r["steps"][s] for r in runs) for s in STEPS if s in runs[0]["steps"]}
        results[name] = {"steps": steps, "total": statistics.median(sum(r["steps"].values()) for r in runs),
                         "peak_mb": max(r["peak_mb"] for r in runs), "auc": runs[0]["auc"], "n": runs[0]["n"]}
    print(f"Machine: {machine()}")
    print(f"File: {DATA.name}; train 2011-06-01, test 2011-09-01, horizon 90 days; median of {args.repeat} runs, "
          "each contender in a fresh process (peak RSS includes load_clean, not timed)\n")
    print("| contender | " + " | ".join(STEPS) + " | total (s) | peak RSS (MB) | test ROC AUC | customers |")
    print("|---|" + "---:|" * (len(STEPS) + 4))
    for name, r in results.items():
        cells = [f"{r['steps'][s]:.2f}" if s in r["steps"] else "-" for s in STEPS]
        print(f"| {name} | " + " | ".join(cells) + f" | {r['total']:.2f} | {r['peak_mb']:.0f} | {r['auc']:.3f} | {r['n']:,} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
