"""Read + clean of the full UCI Online Retail file beside pyarrow.csv.read_csv (the practical floor), and import time.

Run: .venv/bin/python benchmarks/bench_read_clean.py [--repeat 5]

1. Side by side in one process (issue 11): after one warm-up call of each, ``pyarrow.csv.read_csv(PATH)``
   (multi-threaded C++ CSV parsing and gzip inflation, no conversion at all) and ``crmmine.read_transactions``
   + ``crmmine.clean`` alternate ``--repeat`` times; the figure is the median of the per-pair ratios, so both
   sides see the same machine load. Also ``pandas.read_csv`` for scale.
2. Peak memory: read + clean in a fresh process (its own peak RSS), and pyarrow's read alone.
3. Import time: ``import pandas, sklearn`` and ``import crmmine`` each in a fresh process, interleaved,
   ``--repeat`` times, medians.

Figures go to stdout as Markdown; copy them with the machine line into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from _common import ONLINE_RETAIL, describe_machine, run_fresh

DATA = ONLINE_RETAIL

SIDE_BY_SIDE = """
import json, sys, time, warnings
import pandas as pd
import pyarrow.csv as pacsv
import crmmine
warnings.simplefilter("ignore")
PATH, REPEAT = sys.argv[1], int(sys.argv[2])

def arrow():
    return pacsv.read_csv(PATH).num_rows

def pandas_read():
    return len(pd.read_csv(PATH))

def crm():
    tx = crmmine.read_transactions(PATH)
    return len(crmmine.clean(tx).transactions)

def timed(fn):
    t = time.perf_counter(); n = fn(); return time.perf_counter() - t, n

for fn in (arrow, pandas_read, crm):
    fn()  # warm-up: first-call set-up of pandas/pyarrow is not what is compared
rows = {"arrow": [], "pandas": [], "crmmine": []}
for _ in range(REPEAT):
    for name, fn in (("arrow", arrow), ("crmmine", crm), ("pandas", pandas_read)):
        rows[name].append(timed(fn))
print(json.dumps({k: [[s, n] for s, n in v] for k, v in rows.items()}))
"""

PEAK = """
import json, resource, sys, time, warnings
PATH = sys.argv[1]
{code}
print(json.dumps({{"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
PEAK_CODE = {
    "pyarrow.csv.read_csv": "import pyarrow.csv as pacsv\nt = pacsv.read_csv(PATH)",
    "crmmine read + clean": ("import crmmine\nwarnings.simplefilter('ignore')\n"
                             "r = crmmine.clean(crmmine.read_transactions(PATH))"),
}

IMPORT = """
import json, time
t = time.perf_counter()
{code}
print(json.dumps({{"seconds": time.perf_counter() - t}}))
"""
IMPORT_CODE = {"import pandas, sklearn": "import pandas, sklearn", "import crmmine": "import crmmine"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if not DATA.exists():
        print(f"bench_read_clean: {DATA} not found; set CRMMINE_SHARED_DATA", file=sys.stderr)
        return 2
    print(f"Machine: {describe_machine('numpy', 'pandas', 'pyarrow', 'sklearn')}")
    print(f"File: {DATA.name} (541,909 lines), {args.repeat} rounds\n")

    res = run_fresh(SIDE_BY_SIDE, DATA, args.repeat)
    med = {k: statistics.median(s for s, _ in v) for k, v in res.items()}
    ratios = [c[0] / a[0] for a, c in zip(res["arrow"], res["crmmine"])]
    print("| step (one process, warm, alternating) | median wall time (s) | × pyarrow.csv.read_csv | rows out |")
    print("|---|---:|---:|---:|")
    print(f"| pyarrow.csv.read_csv | {med['arrow']:.2f} | 1.00 | {res['arrow'][0][1]:,} |")
    print(f"| pandas.read_csv | {med['pandas']:.2f} | {med['pandas'] / med['arrow']:.2f} | {res['pandas'][0][1]:,} |")
    print(f"| crmmine read_transactions + clean | {med['crmmine']:.2f} | {statistics.median(ratios):.2f} "
          f"(per round: {', '.join(f'{r:.2f}' for r in ratios)}) | {res['crmmine'][0][1]:,} |")

    print("\n| peak RSS, fresh process | MB |")
    print("|---|---:|")
    for name, code in PEAK_CODE.items():
        peak = max(run_fresh(PEAK.format(code=code), DATA)["peak_mb"] for _ in range(2))
        print(f"| {name} | {peak:.0f} |")

    times = {k: [] for k in IMPORT_CODE}
    for _ in range(args.repeat):
        for name, code in IMPORT_CODE.items():
            times[name].append(run_fresh(IMPORT.format(code=code))["seconds"])
    base = statistics.median(times["import pandas, sklearn"])
    print("\n| import, fresh process | median (s) | runs | minus pandas+sklearn (s) |")
    print("|---|---:|---|---:|")
    for name, t in times.items():
        m = statistics.median(t)
        print(f"| {name} | {m:.3f} | {', '.join(f'{x:.2f}' for x in t)} | {m - base:+.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
