"""Frequent itemsets + association rules: crmmine vs the tutorial approach vs pyfim, same baskets, one run.

Run: .venv/bin/python benchmarks/bench_rules.py [--repeat 3] [--skip-1m] [--tutorial-cap-s 300]

Baskets: (1) the full UCI Online Retail invoices after cleaning (crmmine.load_clean), at
min_support 0.02, 0.01 and 0.005; (2) a synthetic shop of about 1M orders
(crmmine.datasets.make_transactions(260_000, random_state=0)) at 0.005 and 0.001.
Each basket matrix is built once and saved; every contender then runs in a fresh
subprocess (its own peak RSS) from that file, and its time includes turning the matrix
into its own input format:

- crmmine (algorithm="auto", its own vertical engine): frequent_itemsets, then mine_rules
  (single_consequent=True, min_confidence=0.8, which mines again and computes all 18 measures);
- crmmine on mlxtend (algorithm="fpgrowth", sparse input): the same calls;
- tutorial: dense one-hot pandas DataFrame (groupby/unstack) + mlxtend apriori +
  association_rules, under a memory limit (resource.setrlimit RLIMIT_AS) and a time cap;
- pyfim (Borgelt's C library; the `bench` extra): fim.fpgrowth for the itemsets, then
  fim.arules(mode="o") for the rules (rule support = support of body and head, as arules).

All contenders use the same absolute count threshold ceil(min_support * N); the script
asserts that every contender that finished found exactly the same itemsets (with counts)
and the same number of rules. Wall time: median of --repeat runs for the fast contenders,
one run for the slow ones. "input" is the time to turn the shared CSR matrix into the
contender's own input (Python lists for pyfim, the dense one-hot table for the tutorial);
"× pyfim" compares itemsets + rules without it.
"""

from __future__ import annotations

import argparse
import json
import math
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
MIN_CONFIDENCE = 0.8

WORKER = r'''
import json, math, pickle, resource, sys, time
import numpy as np
import scipy.sparse as sp
contender, path, min_support, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
X = sp.load_npz(path).tocsr()
N = X.shape[0]
minc = max(1, math.ceil(min_support * N - 1e-9))
res = {}
if contender.startswith("crmmine"):
    import pandas as pd
    import crmmine
    algo = "auto" if contender == "crmmine" else "fpgrowth"
    tp = time.perf_counter()
    b = crmmine.Baskets(matrix=X.astype(bool), items=pd.Index(np.arange(X.shape[1]).astype(str), dtype="string"),
                        orders=pd.RangeIndex(N), n_orders=N, oversized=pd.RangeIndex(0))
    t0 = time.perf_counter()
    fi = crmmine.frequent_itemsets(b, min_support=min_support, algorithm=algo)
    t1 = time.perf_counter()
    rules = crmmine.mine_rules(b, min_support=min_support, min_confidence=%(conf)r, single_consequent=True,
                               algorithm=algo)
    t2 = time.perf_counter()
    itemsets = {tuple(sorted(int(i) for i in s)): int(c) for s, c in zip(fi["itemsets"], fi["count"])}
    res.update(prep_s=t0 - tp, itemsets_s=t1 - t0, rules_s=t2 - t1, total_s=t2 - tp, n_rules=len(rules))
elif contender == "pyfim":
    import fim
    tp = time.perf_counter()
    rows = np.split(X.indices.astype(np.int64), X.indptr[1:-1])
    rows = [r.tolist() for r in rows]
    t0 = time.perf_counter()
    found = fim.fpgrowth(rows, target="s", supp=-minc, zmin=1, report="a")
    t1 = time.perf_counter()
    rules = fim.arules(rows, supp=-minc, conf=%(conf_pct)r, zmin=2, mode="o", report="a")
    t2 = time.perf_counter()
    itemsets = {tuple(sorted(s)): int(c) for s, c in found}
    res.update(prep_s=t0 - tp, itemsets_s=t1 - t0, rules_s=t2 - t1, total_s=t2 - tp, n_rules=len(rules))
elif contender == "tutorial":
    import pandas as pd
    from mlxtend.frequent_patterns import apriori, association_rules
    lim = int(float(sys.argv[5]) * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    tp = time.perf_counter()
    try:
        lines = pd.DataFrame({"order": np.repeat(np.arange(N), np.diff(X.indptr)), "item": X.indices})
        onehot = lines.groupby(["order", "item"]).size().unstack(fill_value=0) > 0   # the tutorial's table
        t0 = time.perf_counter()
        fi = apriori(onehot, min_support=(minc - 0.5) / N, use_colnames=True)
        t1 = time.perf_counter()
        rules = association_rules(fi, num_itemsets=N, metric="confidence", min_threshold=%(conf)r)
        rules = rules[rules["consequents"].map(len) == 1]
        t2 = time.perf_counter()
        itemsets = {tuple(sorted(int(i) for i in s)): int(round(v * N)) for s, v in zip(fi["itemsets"], fi["support"])}
        res.update(prep_s=t0 - tp, itemsets_s=t1 - t0, rules_s=t2 - t1, total_s=t2 - tp, n_rules=len(rules))
    except MemoryError as e:
        what = str(e).split(" for an array")[0].replace("Unable to allocate", "needs")
        res.update(error=f"MemoryError ({float(sys.argv[5]):.0f} GB limit) after {time.perf_counter() - tp:.1f} s: "
                         f"{what or 'out of memory'}")
        itemsets = None
with open("/proc/self/status") as f:  # VmHWM: this process's own peak RSS
    res["peak_mb"] = next(int(l.split()[1]) for l in f if l.startswith("VmHWM")) / 1024
res["n_itemsets"] = None if itemsets is None else len(itemsets)
with open(out, "wb") as f:
    pickle.dump((res, itemsets), f)
'''.replace("%(conf)r", repr(MIN_CONFIDENCE)).replace("%(conf_pct)r", repr(MIN_CONFIDENCE * 100))

FAST = ("crmmine", "pyfim")


def machine() -> str:
    import mlxtend
    import numpy
    import pandas
    import scipy

    try:
        import fim

        fim_v = getattr(fim, "__version__", None) or "installed"
    except ImportError:
        fim_v = "not installed"
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM; Python {platform.python_version()}, "
            f"pandas {pandas.__version__}, numpy {numpy.__version__}, scipy {scipy.__version__}, "
            f"mlxtend {mlxtend.__version__}, pyfim {fim_v}")


BUILD = r"""
import json, sys
import scipy.sparse as sp
import crmmine
data, tmp, skip_1m = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
sets = []
if data:
    b = crmmine.make_baskets(crmmine.load_clean(data))
    sp.save_npz(tmp + "/online_retail.npz", b.matrix)
    sets.append(["Online Retail, cleaned", tmp + "/online_retail.npz", b.n_orders, b.n_items, int(b.matrix.nnz),
                 [0.02, 0.01, 0.005]])
if not skip_1m:
    tx, _ = crmmine.datasets.make_transactions(260_000, random_state=0)
    b = crmmine.make_baskets(tx)
    del tx
    sp.save_npz(tmp + "/generator_1m.npz", b.matrix)
    sets.append(["make_transactions, ~1M orders", tmp + "/generator_1m.npz", b.n_orders, b.n_items,
                 int(b.matrix.nnz), [0.005, 0.001]])
print(json.dumps(sets))
"""


def build_baskets(tmp: Path, skip_1m: bool):
    """Build the basket matrices in a subprocess (the parent stays small: a child inherits its peak RSS)."""
    if not DATA.exists():
        print(f"bench_rules: {DATA} not found (set CRMMINE_SHARED_DATA); skipping the real data", file=sys.stderr)
    out = subprocess.run([sys.executable, "-c", BUILD, str(DATA) if DATA.exists() else "", str(tmp),
                          "1" if skip_1m else "0"], check=True, capture_output=True, text=True)
    return [(name, Path(p), n, m, nnz, tuple(sup)) for name, p, n, m, nnz, sup in json.loads(out.stdout)]


def run(contender, path, support, tmp, cap_s, mem_gb):
    out = tmp / f"{contender}-{path.stem}-{support}.pkl"
    try:
        subprocess.run([sys.executable, "-c", WORKER, contender, str(path), str(support), str(out), str(mem_gb)],
                       check=True, capture_output=True, text=True, timeout=cap_s)
    except subprocess.TimeoutExpired:
        return {"error": f"over the {cap_s:.0f} s cap"}, None
    except subprocess.CalledProcessError as e:
        last = (e.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": last[:120]}, None
    with open(out, "rb") as f:
        return pickle.load(f)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs of the fast contenders (median)")
    ap.add_argument("--skip-1m", action="store_true", help="only the real data")
    ap.add_argument("--tutorial-cap-s", type=float, default=300.0, help="time cap of the slow contenders")
    ap.add_argument("--tutorial-mem-gb", type=float, default=6.0, help="address-space limit of the tutorial run")
    args = ap.parse_args()
    try:
        import fim  # noqa: F401

        contenders = ["crmmine", "pyfim", "crmmine-mlxtend", "tutorial"]
    except ImportError:
        print("bench_rules: pyfim not installed (pip install 'crmmine[bench]'); running without it", file=sys.stderr)
        contenders = ["crmmine", "crmmine-mlxtend", "tutorial"]
    rows = []
    with tempfile.TemporaryDirectory(prefix="crmmine-bench-rules-") as d:
        tmp = Path(d)
        for name, path, n, m, nnz, supports in build_baskets(tmp, args.skip_1m):
            for s in supports:
                results, reference = {}, None
                for c in contenders:
                    reps = args.repeat if c in FAST else 1
                    runs = [run(c, path, s, tmp, args.tutorial_cap_s, args.tutorial_mem_gb) for _ in range(reps)]
                    res, itemsets = runs[-1]
                    if "error" not in res:
                        for key in ("prep_s", "itemsets_s", "rules_s", "total_s"):
                            res[key] = statistics.median(r[0][key] for r in runs)
                        res["peak_mb"] = max(r[0]["peak_mb"] for r in runs)
                        if reference is None:
                            reference = (c, itemsets, res["n_rules"])
                        else:
                            assert itemsets == reference[1], f"{c} found other itemsets than {reference[0]} ({name}, {s})"
                            assert res["n_rules"] == reference[2], f"{c}: {res['n_rules']} rules, {reference[0]}: {reference[2]}"
                    results[c] = res
                    print(f"{name} {s} {c}: {res}", file=sys.stderr, flush=True)
                py = results.get("pyfim", {})
                base = py["itemsets_s"] + py["rules_s"] if "itemsets_s" in py else None
                minc = max(1, math.ceil(s * n - 1e-9))
                for c, res in results.items():
                    rows.append((name, n, m, nnz, s, minc, c, res, base))
    print(f"Machine: {machine()}")
    print(f"min_confidence {MIN_CONFIDENCE}, single-item consequents; fast contenders: median of {args.repeat} runs\n")
    print("| baskets | min_support (count) | contender | itemsets | rules | input (s) | itemsets (s) | rules (s) "
          "| total (s) | × pyfim (itemsets + rules) | peak RSS (MB) |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, n, m, nnz, s, minc, c, res, base in rows:
        label = f"{name} ({n:,} × {m:,})"
        if "error" in res:
            print(f"| {label} | {s} ({minc:,}) | {c} | – | – | – | – | – | {res['error']} | – | "
                  f"{res.get('peak_mb', float('nan')):.0f} |")
            continue
        ratio = f"{(res['itemsets_s'] + res['rules_s']) / base:.1f}" if base else "–"
        print(f"| {label} | {s} ({minc:,}) | {c} | {res['n_itemsets']:,} | {res['n_rules']:,} | {res['prep_s']:.2f} "
              f"| {res['itemsets_s']:.2f} "
              f"| {res['rules_s']:.2f} | {res['total_s']:.2f} | {ratio} | {res['peak_mb']:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
