"""100M behaviour events in DuckDB: read, count, funnel (overall, by day, hour, category), visitors.

Run: .venv/bin/python benchmarks/bench_events_scale.py [--events 100000000] [--folder /tmp/crmmine-events-scale]
     [--memory-limit 4GB] [--base-visitors 1000000] [--generate-only]

Data: ``crmmine.datasets.make_events(1_000_000, random_state=0)`` (about 7.7M events, 1M
visitors) written once as ``base.parquet``, then tiled: copy ``i`` is the base with the prefix
``Tiii-`` on visitor and session ids and ``source_line`` offset by ``i * 10**9`` (new visitors,
the same items, times and funnels), until ``--events`` are reached. All missing copies are written
by one DuckDB process (two threads, one COPY per copy; it used to be a fresh process per copy at
about 40 s each). The worker runs in a fresh process and prints each step's wall and CPU time and
the peak RSS so far (``VmHWM``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pyarrow.parquet as pq
from _common import describe_machine, run_fresh

GENERATE = r"""
import json, sys, time
import crmmine
out, n = sys.argv[1], int(sys.argv[2])
t = time.perf_counter()
ev, _ = crmmine.datasets.make_events(n, random_state=0)
for c in ev.columns:
    if str(ev[c].dtype) == "category" or ev[c].dtype == object:
        ev[c] = ev[c].astype("string[pyarrow]")
ev.to_parquet(out, coerce_timestamps="us", allow_truncated_timestamps=False, index=False)
print(json.dumps({"events": len(ev), "s": time.perf_counter() - t}))
"""

TILE = r"""
import json, os, sys, time
import duckdb
base, folder, copies = sys.argv[1], sys.argv[2], [int(i) for i in sys.argv[3].split(",")]
t = time.perf_counter()
con = duckdb.connect(config={"threads": 2, "memory_limit": "2GB"})
con.execute(f"CREATE TEMP TABLE base AS SELECT * FROM read_parquet('{base}')")
for i in copies:
    out = os.path.join(folder, f"part-{i:03d}.parquet")
    con.execute(f"COPY (SELECT 'T{i:03d}-' || customer_id AS customer_id, item_id, category, event_type, event_time, "
                f"'T{i:03d}-' || session_id AS session_id, price, source_line + CAST({i} AS BIGINT) * 1000000000 "
                f"AS source_line FROM base) TO '{out}.partial' (FORMAT parquet)")
    os.replace(out + ".partial", out)
print(json.dumps({"copies": len(copies), "s": time.perf_counter() - t}))
"""

WORKER = r"""
import json, os, sys, time
import crmmine
def peak():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM")) / 1024
glob, mem, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
con = crmmine.engine.duckdb_connection(memory_limit=mem, temp_directory=tmp)
steps = {}
def step(name, f):
    t, c = time.perf_counter(), time.process_time(); out = f()
    steps[name] = {"wall_s": round(time.perf_counter() - t, 2), "cpu_s": round(time.process_time() - c, 2),
                   "peak_mb": round(peak()), "load": round(os.getloadavg()[0], 1)}
    print(name, steps[name], file=sys.stderr, flush=True)
    return out
ev = step("read_events (lazy)", lambda: crmmine.read_events(glob, engine=con))
n = step("count events", lambda: len(ev))
f = step("funnel", lambda: crmmine.funnel(ev))
for by in ("day", "hour", "category"):
    step(f"funnel by {by}", lambda: crmmine.funnel(ev, by=by))
v = step("visitors (count distinct)",
         lambda: ev.arrow("SELECT count(DISTINCT customer_id) AS n FROM {src}").column(0)[0].as_py())
print(json.dumps({"events": n, "visitors": v, "funnel_users": f["users"].tolist(), "steps": steps,
                  "peak_mb": round(peak())}))
"""


def generate(folder: Path, events: int, visitors: int = 1_000_000) -> tuple[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / "base.parquet"
    if not base.exists():
        print("  base:", run_fresh(GENERATE, base, visitors), flush=True)
    sub = folder / f"first-{events}"
    sub.mkdir(exist_ok=True)
    per_copy = pq.ParquetFile(base).metadata.num_rows
    copies = -(-events // per_copy)
    missing = [i for i in range(copies) if not (sub / f"part-{i:03d}.parquet").exists()]
    if missing:
        print(f"  copies {missing[0]}..{missing[-1]}:", run_fresh(TILE, base, sub, ",".join(map(str, missing))),
              flush=True)
    total = sum(pq.ParquetFile(sub / f"part-{i:03d}.parquet").metadata.num_rows for i in range(copies))
    return str(sub / "*.parquet"), total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000_000)
    ap.add_argument("--folder", default="/tmp/crmmine-events-scale")
    ap.add_argument("--memory-limit", default="4GB")
    ap.add_argument("--base-visitors", type=int, default=1_000_000, help="visitors of the generated base log")
    ap.add_argument("--generate-only", action="store_true", help="write the data and stop (no measurement)")
    args = ap.parse_args()
    print(describe_machine("duckdb", "pandas", "pyarrow"))
    glob, n = generate(Path(args.folder), args.events, args.base_visitors)
    spill = Path(args.folder) / "spill"
    spill.mkdir(exist_ok=True)
    print(f"{n:,} events: {glob}", flush=True)
    if args.generate_only:
        return
    print(json.dumps(run_fresh(WORKER, glob, args.memory_limit, spill)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
