"""Customer table + RFM + lifecycle + clustering + CLV fit, against bare pandas + scikit-learn.

Run: .venv/bin/python benchmarks/bench_segments.py [--customers 1000000] [--skip-real]

Two data sets: the full UCI Online Retail file (cleaned), and make_transactions(N)
(N = 1,000,000 customers is about 10M lines). Each data set is prepared once and saved as
Parquet in a temporary folder; each contender then runs in a fresh subprocess that reads it,
so its peak RSS is its own:

* crmmine: customer_table, rfm_scores + rfm_segments, lifecycle_states,
  CustomerSegmenter (automatic k, and the same k given), customer_value (BG/NBD +
  Gamma-Gamma fit and prediction);
* bare: the obvious pandas groupby for the same customer columns (first/last date, orders,
  spend, distinct products, most frequent country; no returns) and a bare scikit-learn
  KMeans with the k crmmine chose on the same log-scaled standardised features (KMeans up
  to 50,000 customers, MiniBatchKMeans above, n_init=4 as crmmine; the median of three
  seeds, since MiniBatchKMeans' time depends on when its early stopping fires).

Figures go to stdout as Markdown tables; copy them with the machine line into
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("CRMMINE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "online_retail" / "online_retail.csv.gz"

CRMMINE = r"""
import json, sys, time
import pandas as pd
PEAK
import crmmine
t0 = time.perf_counter(); tx = pd.read_parquet(sys.argv[1]); ret = pd.read_parquet(sys.argv[2]) if sys.argv[2] != "-" else None
steps = {"read parquet": time.perf_counter() - t0}
def step(name, f):
    t = time.perf_counter(); out = f(); steps[name] = time.perf_counter() - t; return out
c = step("customer_table", lambda: crmmine.customer_table(tx, returns=ret))
s = step("rfm_scores + rfm_segments", lambda: crmmine.rfm_segments(crmmine.rfm_scores(c)))
l = step("lifecycle_states", lambda: crmmine.lifecycle_states(c))
seg = step("CustomerSegmenter (automatic k)", lambda: crmmine.CustomerSegmenter(random_state=0).fit(c))
seg_k = step("CustomerSegmenter (k given)", lambda: crmmine.CustomerSegmenter(seg.k_, stability_runs=0, random_state=0).fit(c))
v = step("customer_value (BG/NBD + Gamma-Gamma fit, predict)", lambda: crmmine.customer_value(tx, returns=ret))
steps["total after read"] = sum(v for k, v in steps.items() if k != "read parquet")
print(json.dumps({"steps": steps, "k": seg.k_, "algorithm": seg.algorithm_, "customers": len(c),
                  "stability": seg.stability_, "peak_mb": peak_mb()}))
"""

BARE = r"""
import json, sys, time
import numpy as np, pandas as pd
PEAK
from sklearn.cluster import KMeans, MiniBatchKMeans
k = int(sys.argv[3])
t0 = time.perf_counter(); tx = pd.read_parquet(sys.argv[1])
steps = {"read parquet": time.perf_counter() - t0}
t = time.perf_counter()
as_of = tx["order_date"].max().normalize() + pd.Timedelta(days=1)
g = tx.groupby("customer_id", observed=True).agg(first=("order_date", "min"), last=("order_date", "max"),
                                                frequency=("order_id", "nunique"), monetary=("amount", "sum"),
                                                products=("product_id", "nunique"))
g["recency"] = (as_of - g["last"]).dt.days
steps["pandas groupby: dates, orders, spend, products"] = time.perf_counter() - t
t = time.perf_counter()
mode = (tx.groupby(["customer_id", "country"], observed=True).size().rename("n").reset_index()
        .sort_values(["customer_id", "n", "country"], ascending=[True, False, True]).drop_duplicates("customer_id"))
steps["pandas groupby: most frequent country"] = time.perf_counter() - t
X = np.log1p(g[["recency", "frequency", "monetary"]].to_numpy(float)); X = (X - X.mean(0)) / X.std(0)
runs = []
for seed in (0, 1, 2):  # MiniBatchKMeans' run time depends on when its early stopping fires: 3 seeds
    t = time.perf_counter()
    km = (MiniBatchKMeans(k, n_init=4, random_state=seed, batch_size=4096) if len(X) > 50_000
          else KMeans(k, n_init=4, random_state=seed)).fit(X)
    runs.append(time.perf_counter() - t)
steps[f"bare sklearn k-means, k={k} (median of seeds 0, 1, 2; min-max {min(runs):.1f}-{max(runs):.1f} s)"] = sorted(runs)[1]
steps["total after read"] = sum(v for n, v in steps.items() if n != "read parquet")
print(json.dumps({"steps": steps, "customers": len(g), "peak_mb": peak_mb()}))
"""


# peak RSS of this process from /proc (VmHWM resets at exec; ru_maxrss can carry the parent's peak)
PEAK = """
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")
"""
CRMMINE = CRMMINE.replace("PEAK", PEAK)
BARE = BARE.replace("PEAK", PEAK)


def machine() -> str:
    import numpy
    import pandas
    import sklearn

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
            f"pandas {pandas.__version__}, numpy {numpy.__version__}, scikit-learn {sklearn.__version__}")


def run(code: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONWARNINGS": "ignore",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, env=env)
    if out.returncode:
        sys.exit(f"bench_segments: a contender failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(name: str, lines: int, crm: dict, bare: dict) -> None:
    print(f"\n### {name}: {crm['customers']:,} customers, {lines:,} lines "
          f"(k chosen = {crm['k']}, {crm['algorithm']}, stability ARI {crm['stability']:.2f})\n")
    print("| contender | step | wall time (s) |")
    print("|---|---|---:|")
    for who, res in (("crmmine", crm), ("bare pandas + sklearn", bare)):
        for step, sec in res["steps"].items():
            print(f"| {who} | {step} | {sec:.2f} |")
        print(f"| {who} | **peak RSS (MB)** | {res['peak_mb']:,.0f} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--skip-real", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    import crmmine

    print(f"Machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if not args.skip_real:
            if not DATA.exists():
                print(f"bench_segments: {DATA} not found; set CRMMINE_SHARED_DATA", file=sys.stderr)
                return 2
            r = crmmine.load_clean(DATA)
            r.transactions.to_parquet(tmp / "real.parquet")
            r.returns.to_parquet(tmp / "real_returns.parquet")
            crm = run(CRMMINE, tmp / "real.parquet", tmp / "real_returns.parquet")
            bare = run(BARE, tmp / "real.parquet", "-", crm["k"])
            table("Online Retail (full, cleaned)", len(r.transactions), crm, bare)
            del r
        t = time.perf_counter()
        tx, _ = crmmine.datasets.make_transactions(args.customers, random_state=0)
        gen = time.perf_counter() - t
        n_lines = len(tx)
        tx.to_parquet(tmp / "synthetic.parquet")
        del tx
        crm = run(CRMMINE, tmp / "synthetic.parquet", "-")
        bare = run(BARE, tmp / "synthetic.parquet", "-", crm["k"])
        table(f"make_transactions({args.customers:,}) (generated in {gen:.1f} s)", n_lines, crm, bare)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
