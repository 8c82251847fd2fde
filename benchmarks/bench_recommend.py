"""Top-N recommendations per customer: crmmine.recommend vs the per-customer Python loop.

Run: .venv/bin/python benchmarks/bench_recommend.py [--repeat 3] [--customers 200000]

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
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("CRMMINE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "online_retail" / "online_retail.csv.gz"
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


def machine() -> str:
    import mlxtend
    import numpy
    import pandas
    import scipy

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM; Python {platform.python_version()}, "
            f"pandas {pandas.__version__}, numpy {numpy.__version__}, scipy {scipy.__version__}, "
            f"mlxtend {mlxtend.__version__}")


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
    args = ap.parse_args()
    if not DATA.exists():
        print(f"bench_recommend: {DATA} not found; set CRMMINE_SHARED_DATA", file=sys.stderr)
        return 2
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
