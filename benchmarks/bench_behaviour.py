"""Behaviour events at scale: funnel + prospects on 10M generated events, against a plain pandas groupby funnel.

Run: .venv/bin/python benchmarks/bench_behaviour.py [--events 10000000] [--repeat 1]
The event log is generated once (crmmine.datasets.make_events, random_state 0) and stored as Parquet in a
temporary folder; each contender then runs in a fresh process that loads it (not timed), so its peak RSS is its
own and includes the loaded table. Contenders:

- pandas groupby funnel: users and events per stage (view, cart or favourite, purchase) with plain
  ``groupby(...).nunique()`` and ``value_counts`` on the same table - the obvious alternative;
- crmmine.funnel: the same table (stages, events, users, step and overall conversion);
- crmmine funnel + traffic: funnel, funnel by day, traffic_summary (PV/UV, paying, repurchase, bounce, cart
  abandonment, time to purchase), activity_matrix;
- crmmine prospects: propensity_backtest (features + labels at two cutoffs, fit, evaluation against the cart
  and recency baselines), the final fit, prospect_list (reasons, items to remind) and abandoned_carts.

Figures go to stdout as a Markdown table; copy them with the machine line into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from _common import describe_machine, run_fresh

MAKE = """
import json, sys, time, crmmine
t = time.perf_counter()
n = int(sys.argv[2])
ev, truth = crmmine.datasets.make_events(max(1, round(n / 7.5)), n_items=200_000, n_categories=2_000,
                                     item_pairs=((("I000001", "I000002"), 0.03),), random_state=0)
ev.to_parquet(sys.argv[1], index=False)
print(json.dumps({"events": len(ev), "visitors": int(ev["customer_id"].nunique()), "seconds": time.perf_counter() - t}))
"""

RUNNER = """
import json, resource, sys, time
import numpy as np, pandas as pd, crmmine
ev = pd.read_parquet(sys.argv[1])
ev["event_type"] = pd.Categorical(ev["event_type"], categories=list(crmmine.EVENT_TYPES), ordered=True)
steps = {{}}
{code}
print(json.dumps({{"steps": steps, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

PANDAS = """
t = time.perf_counter()
et = ev["event_type"]
users = ev.groupby("event_type", observed=True)["customer_id"].nunique()
events = et.value_counts()
cf = et.isin(["cart", "favourite"])
table = pd.DataFrame({"stage": ["view", "cart_or_favourite", "purchase"],
                      "events": [events["view"], events["cart"] + events["favourite"], events["purchase"]],
                      "users": [users["view"], ev.loc[cf, "customer_id"].nunique(), users["purchase"]]})
table["step_conversion"] = table["users"] / table["users"].shift(1)
table["overall_conversion"] = table["users"] / table["users"].iloc[0]
steps["funnel"] = time.perf_counter() - t
"""

FUNNEL = """
t = time.perf_counter()
table = crmmine.funnel(ev)
steps["funnel"] = time.perf_counter() - t
"""

TRAFFIC = FUNNEL + """
t = time.perf_counter()
crmmine.funnel(ev, by="day"); crmmine.traffic_summary(ev); crmmine.activity_matrix(ev)
steps["by day + traffic summary + heat map"] = time.perf_counter() - t
"""

PROSPECTS = FUNNEL + """
t = time.perf_counter()
bt = crmmine.propensity_backtest(ev, random_state=0)
steps["propensity backtest (2 cutoffs, fit, evaluate)"] = time.perf_counter() - t
t = time.perf_counter()
final = crmmine.PropensityModel(random_state=0).fit(bt.test_features, bt.test_labels)
pl = crmmine.prospect_list(ev, final, as_of=bt.as_of)
steps["prospect list (final fit, reasons, items)"] = time.perf_counter() - t
t = time.perf_counter()
ac = crmmine.abandoned_carts(ev)
steps["abandoned carts"] = time.perf_counter() - t
"""

CODE = {
    "pandas groupby funnel": PANDAS,
    "crmmine.funnel": FUNNEL,
    "crmmine funnel + traffic": TRAFFIC,
    "crmmine funnel + prospects": PROSPECTS,
}
STEPS = ["funnel", "by day + traffic summary + heat map", "propensity backtest (2 cutoffs, fit, evaluate)",
         "prospect list (final fit, reasons, items)", "abandoned carts"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.parquet"
        made = run_fresh(MAKE, path, args.events)
        results = {}
        for name, code in CODE.items():
            runs = [run_fresh(RUNNER.format(code=code), path) for _ in range(args.repeat)]
            steps = {s: statistics.median(r["steps"][s] for r in runs) for s in STEPS if s in runs[0]["steps"]}
            results[name] = {"steps": steps, "total": statistics.median(sum(r["steps"].values()) for r in runs),
                             "peak_mb": max(r["peak_mb"] for r in runs)}
    print(f"Machine: {describe_machine('numpy', 'pandas', 'pyarrow', 'sklearn')}")
    print(f"Log: {made['events']:,} generated events of {made['visitors']:,} visitors (make_events, random_state 0; "
          f"generated in {made['seconds']:.0f} s, not timed); median of {args.repeat} run(s), each contender in a fresh "
          "process (peak RSS includes the loaded table)\n")
    base = results["pandas groupby funnel"]["steps"]["funnel"]
    print("| contender | " + " | ".join(STEPS) + " | total (s) | funnel × pandas | peak RSS (MB) |")
    print("|---|" + "---:|" * (len(STEPS) + 3))
    for name, r in results.items():
        cells = [f"{r['steps'][s]:.2f}" if s in r["steps"] else "-" for s in STEPS]
        print(f"| {name} | " + " | ".join(cells) + f" | {r['total']:.2f} | {r['steps']['funnel'] / base:.2f} | "
              f"{r['peak_mb']:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
