"""Read + clean of the full UCI Online Retail file, side by side with a bare pandas.read_csv.

Run: .venv/bin/python benchmarks/bench_read_clean.py [--repeat 5]
Each contender runs in a fresh subprocess (so peak memory is its own); wall time is the
median of --repeat runs. Figures go to stdout as a Markdown table; copy them with the
machine line into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from _common import ONLINE_RETAIL, describe_machine, run_fresh

DATA = ONLINE_RETAIL

CODE = {
    "bare pandas.read_csv": "import pandas as pd\nt=time.perf_counter(); df = pd.read_csv(PATH); n = len(df)",
    "crmmine.read_transactions": "import crmmine\nt=time.perf_counter(); tx = crmmine.read_transactions(PATH); n = len(tx)",
    "crmmine read + clean": ("import crmmine\nt=time.perf_counter(); tx = crmmine.read_transactions(PATH); "
                             "r = crmmine.clean(tx); n = len(r.transactions)"),
}

RUNNER = """
import json, resource, sys, time
PATH = sys.argv[1]
{code}
elapsed = time.perf_counter() - t
print(json.dumps({{"seconds": elapsed, "rows": n, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def machine() -> str:
    return describe_machine('numpy', 'pandas', 'pyarrow')


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if not DATA.exists():
        print(f"bench_read_clean: {DATA} not found; set CRMMINE_SHARED_DATA", file=sys.stderr)
        return 2
    results = {}
    for name, code in CODE.items():
        runs = []
        for _ in range(args.repeat):
            runs.append(run_fresh(RUNNER.format(code=code), DATA))
        results[name] = {"seconds": statistics.median(r["seconds"] for r in runs),
                         "peak_mb": max(r["peak_mb"] for r in runs), "rows": runs[0]["rows"]}
    base = results["bare pandas.read_csv"]["seconds"]
    print(f"Machine: {machine()}")
    print(f"File: {DATA.name} (541,909 lines), median of {args.repeat} runs, each in a fresh process\n")
    print("| step | wall time (s) | × bare read_csv | peak RSS (MB) | rows out |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['seconds']:.2f} | {r['seconds'] / base:.2f} | {r['peak_mb']:.0f} | {r['rows']:,} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
