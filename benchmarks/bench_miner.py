"""crmmine's own frequent-itemset miner against pyfim (Borgelt's C FP-growth) at low supports, side by side.

Run: .venv/bin/python benchmarks/bench_miner.py [--repeat 3] [--supports 0.01 0.005 0.002 0.001]

Baskets: the full UCI Online Retail invoices after cleaning (``crmmine.make_baskets(crmmine.load_clean(...))``),
built once in a subprocess and saved. Every contender then runs in a fresh process (its own peak RSS,
``VmHWM``) from that file; its time covers mining and turning the result into its own output:

- ``crmmine``: ``crmmine.frequent_itemsets(baskets, min_support=s)`` (algorithm "auto": crmmine's own
  engine), a DataFrame of frozensets of item labels with support, count and length;
- ``crmmine engine``: the engine alone (``_itemsets.mine_vertical``: integer code matrices and counts,
  no DataFrame), to show what share of time and memory the user's frame takes;
- ``pyfim``: ``fim.fpgrowth(rows, target="s", supp=-minc, report="a")`` on the baskets as Python lists of
  integer codes (a list of (tuple, count)); the time to build those lists is reported apart ("input").
- ``baseline`` / ``baseline pyfim``: a process doing nothing but importing crmmine (pandas) / fim and loading
  the matrix: the floor under each contender's peak. "net" is the peak above its own floor.

All contenders use the same absolute count threshold ``ceil(s * N)``; the script asserts that every
contender found exactly the same itemsets with the same counts (that check runs after the peak is
read, so it is not in any peak). Wall time and CPU time (``time.process_time``, less
sensitive to other processes on a loaded machine): median of ``--repeat`` runs, interleaved.
"""

from __future__ import annotations

import argparse
import math
import pickle
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ONLINE_RETAIL, describe_machine

WORKER = r'''
import math, pickle, sys, time
from time import process_time as cpu
import numpy as np
import scipy.sparse as sp
contender, path, s, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
X = sp.load_npz(path).tocsr()
N = X.shape[0]
minc = max(1, math.ceil(s * N - 1e-9))
res, itemsets = {}, None


def peak_mb():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM")) / 1024


if contender == "crmmine":
    import pandas as pd
    import crmmine
    b = crmmine.Baskets(matrix=X.astype(bool), items=pd.Index(np.arange(X.shape[1]).astype(str), dtype="string"),
                        orders=pd.RangeIndex(N), n_orders=N, oversized=pd.RangeIndex(0))
    t0, c0 = time.perf_counter(), cpu()
    fi = crmmine.frequent_itemsets(b, min_support=s)
    res["s"], res["cpu_s"] = time.perf_counter() - t0, cpu() - c0
    res["input_s"] = 0.0
    res["peak_mb"] = peak_mb()
    itemsets = {tuple(sorted(int(i) for i in z)): int(c) for z, c in zip(fi["itemsets"], fi["count"])}
elif contender == "crmmine engine":
    from crmmine.crosssell import _itemsets as I
    t0, c0 = time.perf_counter(), cpu()
    tab = I.mine_vertical(X.astype(bool), minc, None)
    res["s"], res["cpu_s"] = time.perf_counter() - t0, cpu() - c0
    res["input_s"] = 0.0
    res["peak_mb"] = peak_mb()
    itemsets = {tuple(sorted(r)): int(c) for codes, cnt in zip(tab.codes, tab.counts)
                for r, c in zip(codes.tolist(), cnt.tolist())}
elif contender == "pyfim":
    import fim
    t0 = time.perf_counter()
    rows = [r.tolist() for r in np.split(X.indices.astype(np.int64), X.indptr[1:-1])]
    t1, c1 = time.perf_counter(), cpu()
    found = fim.fpgrowth(rows, target="s", supp=-minc, zmin=1, report="a")
    res["s"], res["cpu_s"] = time.perf_counter() - t1, cpu() - c1
    res["input_s"] = t1 - t0
    res["peak_mb"] = peak_mb()
    itemsets = {tuple(sorted(z)): int(c) for z, c in found}
elif contender == "baseline pyfim":  # what pyfim's process holds before mining (numpy, scipy, fim, the matrix)
    import fim
    res["s"] = res["input_s"] = res["cpu_s"] = 0.0
    res["peak_mb"] = peak_mb()
else:  # baseline: what the crmmine contenders hold before mining (pandas, crmmine, the matrix)
    import pandas as pd
    import crmmine
    res["s"] = res["input_s"] = res["cpu_s"] = 0.0
    res["peak_mb"] = peak_mb()
res["n"] = None if itemsets is None else len(itemsets)
with open(out, "wb") as f:
    pickle.dump((res, itemsets), f)
'''

BUILD = r"""
import sys
import scipy.sparse as sp
import crmmine
b = crmmine.make_baskets(crmmine.load_clean(sys.argv[1]))
sp.save_npz(sys.argv[2], b.matrix)
print(b.n_orders, b.n_items, b.matrix.nnz)
"""

CONTENDERS = ("baseline pyfim", "baseline", "pyfim", "crmmine", "crmmine engine")


def run(contender, path, s, tmp):
    out = tmp / "out.pkl"
    subprocess.run([sys.executable, "-c", WORKER, contender, str(path), str(s), str(out)], check=True)
    with open(out, "rb") as f:
        return pickle.load(f)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--supports", type=float, nargs="+", default=[0.01, 0.005, 0.002, 0.001])
    args = ap.parse_args()
    print(describe_machine("numpy", "pandas", "scipy"))
    with tempfile.TemporaryDirectory(prefix="crmmine-bench-miner-") as d:
        tmp = Path(d)
        path = tmp / "online_retail.npz"
        n, m, nnz = map(int, subprocess.run([sys.executable, "-c", BUILD, str(ONLINE_RETAIL), str(path)], check=True,
                                            capture_output=True, text=True).stdout.split())
        print(f"Online Retail, cleaned: {n:,} orders x {m:,} items, {nnz:,} lines\n")
        print("| min_support (count) | contender | itemsets | input (s) | mining + output (s) | × pyfim (time) "
              "| CPU (s) | × pyfim (CPU) "
              "| peak RSS (MB) | × pyfim (peak) | net peak (MB) | × pyfim (net) |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for s in args.supports:
            minc = max(1, math.ceil(s * n - 1e-9))
            results, ref = {}, None
            all_runs = {c: [] for c in CONTENDERS}
            for rep in range(args.repeat):  # interleaved, so that a change of the machine's load hits all alike
                for c in CONTENDERS:
                    if rep == 0 or not c.startswith("baseline"):
                        all_runs[c].append(run(c, path, s, tmp))
            for c in CONTENDERS:
                runs = all_runs[c]
                res, itemsets = runs[-1]
                res = {key: statistics.median(r[0][key] for r in runs) for key in ("s", "input_s", "cpu_s")} | {
                    "peak_mb": max(r[0]["peak_mb"] for r in runs), "n": res["n"]}
                if itemsets is not None:
                    if ref is None:
                        ref = (c, itemsets)
                    else:
                        assert itemsets == ref[1], f"{c} found other itemsets than {ref[0]} at {s}"
                results[c] = res
                print(f"  {s} {c}: {res}", file=sys.stderr, flush=True)
            py = results["pyfim"]
            floor = {"pyfim": results["baseline pyfim"]["peak_mb"]}
            py_net = py["peak_mb"] - floor["pyfim"]
            for c, res in results.items():
                base = c.startswith("baseline")
                ratio = f"{res['s'] / py['s']:.2f}" if not base else "–"
                cpu_r = f"{res['cpu_s'] / py['cpu_s']:.2f}" if not base else "–"
                mem = f"{res['peak_mb'] / py['peak_mb']:.2f}" if not base else "–"
                net = res["peak_mb"] - floor.get(c, results["baseline"]["peak_mb"])
                net_s = f"{net:.0f}" if not base else "–"
                net_r = f"{net / py_net:.2f}" if not base else "–"
                count = f"{res['n']:,}" if res["n"] is not None else "–"
                print(f"| {s} ({minc:,}) | {c} | {count} | {res['input_s']:.2f} "
                      f"| {res['s']:.2f} | {ratio} | {res['cpu_s']:.2f} | {cpu_r} | {res['peak_mb']:.0f} | {mem} | {net_s} | {net_r} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
