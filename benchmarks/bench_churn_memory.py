"""Peak memory of ``churn_features`` alone on a table of lines read from Parquet (one version of crmmine).

Run: PYTHONPATH=<src folder of the version> .venv/bin/python benchmarks/bench_churn_memory.py <file or folder>

Reads the table (``pandas.read_parquet``), resets the process's peak RSS (``VmHWM``, through
``/proc/self/clear_refs``), calls ``crmmine.churn_features(tx, cutoff=last line - 90 days)`` (BG/NBD on)
and prints the RSS before, the peak during the call and the CPU time. Run it once per version (a
``git archive <commit> src`` unpacked elsewhere) to compare them on the same table.
"""

import sys
import time
import warnings

import pandas as pd

import crmmine


def status(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key)) / 1024


def main() -> None:
    warnings.simplefilter("ignore")
    tx = pd.read_parquet(sys.argv[1])
    cut = tx["order_date"].max() - pd.Timedelta(days=90)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = status("VmRSS")
    t = time.process_time()
    crmmine.churn_features(tx, cutoff=cut)
    peak = status("VmHWM")
    print(f"{crmmine.__file__}: {len(tx):,} lines, RSS before {before:.0f} MB, peak {peak:.0f} MB "
          f"(+{peak - before:.0f}), CPU {time.process_time() - t:.1f} s")


if __name__ == "__main__":
    main()
