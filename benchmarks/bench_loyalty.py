"""Time loyalty_types and satisfaction_loyalty on synthetic shops of growing size and on the Olist sample.

    python benchmarks/bench_loyalty.py            # 10k and 100k customers, plus Olist when ../shared/data has it

Each size runs in a fresh process (its own peak memory); figures go to benchmarks/README.md by hand.
"""

from __future__ import annotations

import sys

from _common import SHARED_DATA, describe_machine, run_fresh

CODE = r'''
import json, resource, sys, time
import crmmine
from crmmine.datasets import load_olist, make_loyalty_shop
arg = sys.argv[1]
t = time.perf_counter()
shop = load_olist(arg) if not arg.isdigit() else make_loyalty_shop(int(arg), random_state=0)
t_make = time.perf_counter() - t
t = time.perf_counter()
types = crmmine.loyalty_types(shop.transactions, promoted_orders=shop.promoted_orders, reviews=shop.reviews,
                              campaigns=shop.campaigns)
t_types = time.perf_counter() - t
t = time.perf_counter()
sl = crmmine.satisfaction_loyalty(shop.transactions, shop.reviews, orders=shop.orders)
t_sat = time.perf_counter() - t
acc = None if shop.truth is None else float(
    (shop.truth["loyalty_type"].reindex(types.index).astype(str) == types["loyalty_type"].astype(str)).mean())
print(json.dumps({"customers": len(types), "lines": len(shop.transactions), "make_s": round(t_make, 2),
                  "loyalty_types_s": round(t_types, 2), "satisfaction_s": round(t_sat, 2), "recovered": acc,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
'''


def main() -> None:
    print(describe_machine("pandas", "numpy"))
    runs = ["10000", "100000"]
    olist = SHARED_DATA / "olist_sample"
    if olist.exists():
        runs.append(str(olist))
    print("| data | customers | lines | make/read s | loyalty_types s | satisfaction_loyalty s | planted recovered | peak MB |")
    print("|---|---|---|---|---|---|---|---|")
    for arg in runs:
        r = run_fresh(CODE, arg)
        name = "olist_sample" if not arg.isdigit() else f"make_loyalty_shop({int(arg):,})"
        rec = "" if r["recovered"] is None else f"{r['recovered']:.1%}"
        print(f"| {name} | {r['customers']:,} | {r['lines']:,} | {r['make_s']} | {r['loyalty_types_s']} | "
              f"{r['satisfaction_s']} | {rec} | {r['peak_mb']} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
