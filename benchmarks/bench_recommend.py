"""Top-N recommendations per customer: crmmine.recommend vs the per-customer Python loop; recommenders beyond rules.

Run: .venv/bin/python benchmarks/bench_recommend.py [--repeat 3] [--customers 200000]
     .venv/bin/python benchmarks/bench_recommend.py --part beyond [--beyond-customers 1000000]

Part "beyond" (issue 17): the rule recommender side by side with item-based collaborative filtering, the hybrid,
"buy again" and the most-popular list (top-5 per customer), and the recommenderlab-style evaluation
(crmmine.compare_recommenders: 3 cutoffs, K = 1..20, rules + item-CF + hybrid + popular + random), each in a fresh
process (wall time of the step, peak RSS of the process including loading its inputs), one run each, on the full
Online Retail file and on make_transactions(--beyond-customers).

The "obvious alternative" is what tutorials write after mining rules: for each customer,
take the set of items bought, loop over the rules, keep those whose antecedent is a subset,
and collect the consequent items not yet bought with the best confidence, then sort. Both
contenders get the same history and rules (prepared once and pickled) and must return the
same top-5 lists. Each contender runs in a fresh subprocess (its own peak RSS, which
includes loading the pickled inputs); wall time is the median of --repeat runs and covers
only the recommendation step. Data sets: the full cleaned UCI Online Retail file (rules at
min_support 0.005, min_confidence 0.1) and the synthetic shop (make_transactions) with
--customers customers (rules at min_support 0.002, min_confidence 0.05).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from _common import ONLINE_RETAIL, describe_machine, run_fresh

DATA = ONLINE_RETAIL
TOP_N = 5

CODE = {
    "crmmine.recommend": """
import crmmine
t = time.perf_counter()
recs = crmmine.recommend(tx, rules, top_n=TOP_N)
out = sorted(zip(recs["customer_id"].astype(str), recs["rank"], recs["product_id"].astype(str)))
""",
    "per-customer loop": """
t = time.perf_counter()
hist = {}
for c, p in zip(tx["customer_id"].astype(str), tx["product_id"].astype(str)):
    hist.setdefault(c, set()).add(p)
rl = [(frozenset(a), frozenset(c), cf, li, " + ".join(sorted(a)) + " -> " + " + ".join(sorted(c)))
      for a, c, cf, li in zip(rules["antecedents"], rules["consequents"], rules["confidence"], rules["lift"])]
out = []
for cust, items in sorted(hist.items()):
    best = {}
    for a, c, cf, li, text in rl:
        if a <= items:
            for it in c:
                if it not in items:
                    key = (-cf, -li, text)
                    if it not in best or key < best[it]:
                        best[it] = key
    ranked = sorted(best.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0]))[:TOP_N]
    out += [(cust, r + 1, it) for r, (it, _) in enumerate(ranked)]
out.sort()
""",
}

RUNNER = """
import hashlib, json, pickle, resource, sys, time
TOP_N = {top_n}
with open(sys.argv[1], "rb") as f:
    tx, rules = pickle.load(f)
{code}
elapsed = time.perf_counter() - t
digest = hashlib.sha256(repr(out).encode()).hexdigest()[:12]
print(json.dumps({{"seconds": elapsed, "rows": len(out), "digest": digest,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


BEYOND = {
    "rules (crmmine.recommend)": "recs = crmmine.recommend(tx, rules, top_n=5)",
    "item_cf": "recs = crmmine.recommend_item_cf(tx, top_n=5)",
    "hybrid": "recs = crmmine.recommend_hybrid(tx, top_n=5)",
    "buy_again": "recs = crmmine.recommend_buy_again(tx, top_n=5)",
    "popular": "recs = crmmine.recommend_with('popular', tx, top_n=5)",
    "evaluation (compare_recommenders)": (
        "cmp = crmmine.compare_recommenders(tx, n_cutoffs=3, ks=range(1, 21), min_support=MS, min_confidence=MC)\n"
        "recs = cmp.curves\nprint(cmp.summary.to_string(), file=sys.stderr)"
    ),
}

BEYOND_RUNNER = """
import json, pickle, resource, sys, time
import crmmine
with open(sys.argv[1], "rb") as f:
    tx, rules, MS, MC = pickle.load(f)
t = time.perf_counter()
{code}
elapsed = time.perf_counter() - t
print(json.dumps({{"seconds": elapsed, "rows": len(recs),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def beyond(n_customers: int, folder: Path) -> list[tuple]:
    """Part "beyond": every recommender and the evaluation, one fresh process each."""
    import pickle

    import crmmine

    rows = []
    for name in ("online_retail", "synthetic"):
        if name == "online_retail":
            tx = crmmine.load_clean(DATA).transactions
            ms, mc = 0.005, 0.1
        else:
            tx, _ = crmmine.datasets.make_transactions(n_customers, random_state=0)
            ms, mc = 0.002, 0.05
        tx = tx.loc[tx["quantity"] > 0, ["customer_id", "order_id", "order_date", "product_id", "quantity"]]
        tx = tx.reset_index(drop=True)
        rules = crmmine.mine_rules(tx, min_support=ms, min_confidence=mc)
        path = folder / f"beyond_{name}.pkl"
        with open(path, "wb") as f:
            pickle.dump((tx, rules[["antecedents", "consequents", "support", "confidence", "lift"]], ms, mc), f)
        info = {"customers": tx["customer_id"].nunique(), "lines": len(tx), "rules": len(rules),
                "products": tx["product_id"].nunique()}
        del tx, rules
        for contender, code in BEYOND.items():
            out = run_fresh(BEYOND_RUNNER.format(code=code), path)
            rows.append((name, info, contender, out["seconds"], out["peak_mb"], out["rows"]))
            print(f"  {name} {contender}: {out['seconds']:.1f} s, {out['peak_mb']:.0f} MB", file=sys.stderr)
    return rows


def machine() -> str:
    return describe_machine('mlxtend', 'numpy', 'pandas', 'scipy')


def prepare(name: str, n_customers: int, folder: Path) -> tuple[Path, dict]:
    import crmmine

    if name == "online_retail":
        tx = crmmine.load_clean(DATA).transactions
        rules = crmmine.mine_rules(tx, min_support=0.005, min_confidence=0.1)
    else:
        tx, _ = crmmine.datasets.make_transactions(n_customers, random_state=0)
        rules = crmmine.mine_rules(tx, min_support=0.002, min_confidence=0.05)
    tx = tx[["customer_id", "order_id", "order_date", "product_id", "quantity"]]
    # the loop treats every line as a purchase, so give both contenders purchases only
    tx = tx[tx["quantity"] > 0].reset_index(drop=True)
    path = folder / f"{name}.pkl"
    with open(path, "wb") as f:
        pickle.dump((tx, rules[["antecedents", "consequents", "support", "confidence", "lift"]]), f)
    info = {"customers": tx["customer_id"].nunique(), "lines": len(tx), "rules": len(rules)}
    return path, info


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--customers", type=int, default=200_000)
    ap.add_argument("--part", choices=("loop", "beyond", "all"), default="all")
    ap.add_argument("--beyond-customers", type=int, default=1_000_000)
    args = ap.parse_args()
    if not DATA.exists():
        print(f"bench_recommend: {DATA} not found; set CRMMINE_SHARED_DATA", file=sys.stderr)
        return 2
    if args.part in ("beyond", "all"):
        with tempfile.TemporaryDirectory() as tmp:
            rows = beyond(args.beyond_customers, Path(tmp))
        print(f"Machine: {machine()}")
        print("Top-5 per customer and the evaluation, one run each in a fresh process\n")
        print("| data | customers | products | lines | contender | wall time (s) | peak RSS (MB) | rows out |")
        print("|---|---:|---:|---:|---|---:|---:|---:|")
        for data_name, info, name, sec, mb, n in rows:
            print(f"| {data_name} | {info['customers']:,} | {info['products']:,} | {info['lines']:,} | {name} | "
                  f"{sec:.1f} | {mb:.0f} | {n:,} |")
        if args.part == "beyond":
            return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for data_name in ("online_retail", "synthetic"):
            path, info = prepare(data_name, args.customers, Path(tmp))
            digests = {}
            for name, code in CODE.items():
                runs = []
                for _ in range(args.repeat):
                    out = subprocess.run([sys.executable, "-c", RUNNER.format(code=code, top_n=TOP_N), str(path)],
                                         check=True, capture_output=True, text=True, env=os.environ)
                    runs.append(json.loads(out.stdout))
                digests[name] = runs[0]["digest"]
                rows.append((data_name, info, name, statistics.median(r["seconds"] for r in runs),
                             max(r["peak_mb"] for r in runs), runs[0]["rows"]))
            if len(set(digests.values())) != 1:
                print(f"bench_recommend: the contenders disagree on {data_name}: {digests}", file=sys.stderr)
                return 1
    print(f"Machine: {machine()}")
    print(f"Top-{TOP_N} per customer, median of {args.repeat} runs, each in a fresh process; identical lists checked\n")
    print("| data | customers | rules | contender | wall time (s) | × crmmine | peak RSS (MB) | rows out |")
    print("|---|---:|---:|---|---:|---:|---:|---:|")
    base = {}
    for data_name, info, name, sec, mb, n in rows:
        base.setdefault(data_name, sec)
        print(f"| {data_name} | {info['customers']:,} | {info['rules']:,} | {name} | {sec:.2f} | "
              f"{sec / base[data_name]:.1f} | {mb:.0f} | {n:,} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
