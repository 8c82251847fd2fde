"""Logs larger than memory: DuckDB vs a plain DuckDB group-by, pandas vs DuckDB, Spark local (record).

Run: .venv/bin/python benchmarks/bench_scale.py [--lines 10000000] [--duckdb-lines 100000000]
     [--skip-pandas] [--skip-spark] [--folder /tmp/crmmine-scale] [--generated-chunks 7]

Data: ``crmmine.datasets.make_transactions`` in chunks of 500,000 customers (about 5.3M
lines; ids prefixed by the chunk so customers and orders never collide; 2 % returns),
each chunk written as one Parquet file, so no process ever holds the whole log. The files
of the largest size are reused for the smaller ones (the first files). With
``--generated-chunks G`` only the first G chunks are generated (1-5 min each on this
machine); chunk i >= G is chunk i mod G copied by DuckDB with the prefix of i on its customer
and order ids (12-40 s each): new customers and orders with the same catalogue, dates and
basket shapes, so 100M lines take minutes instead of an hour. Tiling keeps every per-customer
distribution and every item's support; it repeats baskets exactly, so itemsets are those of
the G generated chunks.

Contenders, each in a fresh process (its own peak RSS, ``VmHWM``):

* ``duckdb group-by``: plain DuckDB ``SELECT customer_id, count(*), sum(amount) ... GROUP BY``
  over the files, fetched as Arrow (the reference of the 3x goal);
* ``crmmine duckdb``: ``read_transactions(glob)`` -> ``customer_table`` (the 3x goal), then the
  pipeline: ``clean``, ``customer_table`` with returns, ``rfm_table``, ``clv_summary`` +
  BG/NBD + Gamma-Gamma fit, ``CustomerSegmenter`` (k=4 given), then (the per-customer tables
  dropped) ``mine_rules(lines, min_support=0.001)``: item counts and pruning in the engine,
  crmmine's miner on the frequent items' codes per order; ``cohort_table``, ``churn_features``.
  A 6th argument ``noraw`` to the worker skips the customer table of the raw lines;
* ``crmmine pandas``: the same pipeline on the lines read with ``pandas.read_parquet`` (the folder as one
  dataset), the raw lines dropped after ``clean``, plus ``cohort_table`` and ``churn_features`` (one cutoff,
  BG/NBD on; the engines run it too). Each step's own peak RSS is read
  (``VmHWM`` reset through ``/proc/self/clear_refs`` before the step).
* ``crmmine spark``: ``read_transactions(glob, engine=spark)`` in local mode (2 cores) ->
  ``customer_table`` and ``clv_summary`` (recorded, no goal).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from _common import describe_machine, run_fresh

CHUNK_CUSTOMERS = 500_000

GENERATE = r"""
import json, sys, time
import numpy as np, pandas as pd
import crmmine
folder, chunk, n_cust = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t = time.perf_counter()
tx, _ = crmmine.datasets.make_transactions(n_cust, random_state=chunk, return_rate=0.02)
for c in ("customer_id", "order_id"):
    tx[c] = (f"{chunk:03d}-" + tx[c].astype(str)).astype("string[pyarrow]")
tx["source_line"] = np.arange(len(tx), dtype="int64") + chunk * 10**9
tx.to_parquet(f"{folder}/part-{chunk:03d}.parquet", coerce_timestamps="us", allow_truncated_timestamps=False,
              index=False)
print(json.dumps({"lines": len(tx), "s": time.perf_counter() - t}))
"""

PEAK = r"""
def peak_mb():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM")) / 1024
"""

GROUPBY = PEAK + r"""
import json, sys, time, glob
import duckdb
files = sys.argv[1]
con = duckdb.connect(config={"memory_limit": sys.argv[2], "temp_directory": sys.argv[3]})
t, c = time.perf_counter(), time.process_time()
res = con.sql(f"SELECT customer_id, count(*) AS n, sum(amount) AS s FROM read_parquet('{files}') GROUP BY customer_id").to_arrow_table()
print(json.dumps({"steps": {"group-by (count, sum)": time.perf_counter() - t}, "cpu_s": time.process_time() - c,
                  "customers": res.num_rows, "peak_mb": peak_mb()}))
"""

PIPELINE = PEAK + r"""
import json, sys, time, warnings
import numpy as np, pandas as pd
import crmmine
glob, engine, mem, tmp = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
files = sorted(__import__("glob").glob(glob))
full = sys.argv[5] == "1"
raw_table = len(sys.argv) <= 6 or sys.argv[6] != "noraw"  # "noraw": skip the customer table of the raw lines
steps, peaks, cpu = {}, {}, {}
def step(name, f):
    try:  # reset the peak (VmHWM) so that each step's own peak is read
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass
    t, c = time.perf_counter(), time.process_time(); out = f()
    steps[name] = round(time.perf_counter() - t, 2); cpu[name] = round(time.process_time() - c, 2)
    peaks[name] = round(peak_mb())
    print(f"{name}: {steps[name]} s wall, {cpu[name]} s CPU, peak {peaks[name]} MB, "
          f"load {__import__('os').getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    return out
if engine == "pandas":  # the folder as one Parquet dataset: one Arrow table, converted once (no concat copy)
    tx = step("read", lambda: pd.read_parquet(__import__("os").path.dirname(glob)))
elif engine == "duckdb":
    con = crmmine.engine.duckdb_connection(memory_limit=mem, temp_directory=tmp)
    tx = step("read", lambda: crmmine.read_transactions(glob, engine=con))
else:
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false").config("spark.driver.memory", mem)
             .config("spark.sql.session.timeZone", "UTC").config("spark.local.dir", tmp)
             .config("spark.sql.shuffle.partitions", "8").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    tx = step("read", lambda: crmmine.read_transactions(spark.read.parquet(*files)))
if engine != "pandas" and raw_table:
    step("customer_table (no clean)", lambda: crmmine.customer_table(tx))
if full:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = step("clean", lambda: crmmine.clean(tx))
        del tx  # the raw lines are not used after cleaning (the report notebooks drop them too)
        c = step("customer_table (with returns)", lambda: crmmine.customer_table(r.transactions, returns=r.returns))
        rfm = step("rfm_table", lambda: crmmine.rfm_table(r.transactions, returns=r.returns))
        s = step("clv_summary", lambda: crmmine.clv_summary(r.transactions))
        bg = step("BG/NBD + Gamma-Gamma fit", lambda: (crmmine.BetaGeoModel().fit(s),
                                                       crmmine.GammaGammaModel().fit(s[s["frequency"] > 0])))
        seg = step("CustomerSegmenter (k=4)", lambda: crmmine.CustomerSegmenter(4, stability_runs=0, random_state=0).fit(c))
        n_customers, last = len(c), c["last_purchase"].max()
        del rfm, s, bg, seg, c  # per-customer results a report would have written out by now
        # item counts and pruning in the engine (pandas: in numpy), then crmmine's miner; one call
        rules = step("item counts + mine_rules (0.001, conf 0.3)",
                     lambda: crmmine.mine_rules(r.transactions, min_support=0.001, min_confidence=0.3))
        step("cohort_table", lambda: crmmine.cohort_table(r.transactions))
        cut = last - pd.Timedelta(days=90)  # churn windows run in the engines too
        cf = step("churn_features (one cutoff, BG/NBD)",
                  lambda: crmmine.churn_features(r.transactions, cutoff=cut, returns=r.returns))
        out = {"customers": n_customers, "rules": len(rules), "itemsets": rules.attrs["n_itemsets"],
               "kept": int(r.audit.set_index("rule").loc["kept", "lines"])}
else:
    s = step("clv_summary", lambda: crmmine.clv_summary(tx))
    out = {"customers": len(s)}
steps["total"] = round(sum(steps.values()), 2)
print(json.dumps({"steps": steps, "cpu_s": cpu, "step_peaks_mb": peaks, **out, "peak_mb": max(peaks.values())}))
"""


TILE = r"""
import json, sys, time
import duckdb
folder, chunk, src = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t = time.perf_counter()
con = duckdb.connect(config={"threads": 1, "memory_limit": "1GB"})
con.execute("SET enable_progress_bar = false")
new, old = f"{chunk:03d}-", f"{src:03d}-"
sql = (f"COPY (SELECT '{new}' || substr(customer_id, 5) AS customer_id, '{new}' || substr(order_id, 5) AS order_id, "
       f"* EXCLUDE (customer_id, order_id, source_line), source_line + {(chunk - src) * 10**9} AS source_line "
       f"FROM read_parquet('{folder}/part-{src:03d}.parquet')) TO '{folder}/part-{chunk:03d}.parquet' (FORMAT parquet)")
con.execute(sql)
n = con.sql(f"SELECT count(*) FROM read_parquet('{folder}/part-{chunk:03d}.parquet')").fetchall()[0][0]
print(json.dumps({"lines": n, "s": time.perf_counter() - t}))
"""


def generate(folder: Path, lines: int, generated_chunks: int | None = None) -> tuple[str, int]:
    """The first ``lines`` lines (whole chunks) of ``folder``, generating what is missing: chunks
    ``0 .. generated_chunks - 1`` by ``make_transactions``, every later chunk ``i`` as a copy of chunk
    ``i mod generated_chunks`` whose customer and order ids carry the prefix of ``i`` (new customers
    and orders, the same catalogue and dates): cheap and exact where a 100M-line generation is not."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = folder / "meta.json"
    info = json.loads(meta.read_text()) if meta.exists() else {"chunks": []}
    total = sum(c["lines"] for c in info["chunks"])
    while total < lines:
        chunk = len(info["chunks"])
        if generated_chunks is not None and chunk >= generated_chunks:
            res = run_fresh(TILE, folder, chunk, chunk % generated_chunks)
        else:
            res = run_fresh(GENERATE, folder, chunk, CHUNK_CUSTOMERS)
        info["chunks"].append({"file": str(folder / f"part-{chunk:03d}.parquet"), "lines": res["lines"]})
        total += res["lines"]
        meta.write_text(json.dumps(info))
        print(f"  generated chunk {chunk}: {res['lines']:,} lines in {res['s']:.0f} s (total {total:,})", flush=True)
    sub = folder / f"first-{lines}"
    sub.mkdir(exist_ok=True)
    n = 0
    for c in info["chunks"]:
        if n >= lines:
            break
        link = sub / Path(c["file"]).name
        if not link.exists():
            link.symlink_to(c["file"])
        n += c["lines"]
    return str(sub / "*.parquet"), n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=10_000_000, help="lines for pandas vs DuckDB (and Spark)")
    ap.add_argument("--duckdb-lines", type=int, default=100_000_000, help="lines for the DuckDB-only run")
    ap.add_argument("--folder", default="/tmp/crmmine-scale")
    ap.add_argument("--memory-limit", default="8GB", help="DuckDB memory_limit")
    ap.add_argument("--generated-chunks", type=int, default=None,
                    help="generate this many chunks, then tile them (copies with new customer/order ids)")
    ap.add_argument("--skip-pandas", action="store_true")
    ap.add_argument("--skip-spark", action="store_true")
    ap.add_argument("--skip-large", action="store_true")
    ap.add_argument("--skip-duckdb", action="store_true", help="only the pandas (and Spark) contenders")
    args = ap.parse_args()
    folder = Path(args.folder)
    tmp = str(folder / "spill")
    Path(tmp).mkdir(parents=True, exist_ok=True)
    print(describe_machine("duckdb", "pandas", "numpy", "pyarrow"))
    rows = []

    def record(size, who, res):
        for k, v in res["steps"].items():
            rows.append((size, who, k, v, ""))
        rows.append((size, who, "peak RSS (MB)", round(res["peak_mb"]), json.dumps({k: v for k, v in res.items()
                                                                                     if k not in ("steps", "peak_mb")})))
        print(f"  {who} on {size:,}: {json.dumps(res)}", flush=True)

    sizes = [args.lines] + ([] if args.skip_large or args.duckdb_lines <= args.lines else [args.duckdb_lines])
    for size in sizes:
        fl, n = generate(folder, size, args.generated_chunks)
        print(f"{n:,} lines: {fl}", flush=True)
        if not args.skip_duckdb:
            record(n, "duckdb group-by", run_fresh(GROUPBY, fl, args.memory_limit, tmp))
            record(n, "crmmine duckdb", run_fresh(PIPELINE, fl, "duckdb", args.memory_limit, tmp, "1"))
        if size == args.lines and not args.skip_pandas:
            try:
                record(n, "crmmine pandas", run_fresh(PIPELINE, fl, "pandas", "-", tmp, "1"))
            except Exception as e:  # noqa: BLE001 - record the failure (e.g. out of memory)
                rows.append((n, "crmmine pandas", "failed", str(e)[:200], ""))
        if size == args.lines and not args.skip_spark:
            try:
                record(n, "crmmine spark (local[2])", run_fresh(PIPELINE, fl, "spark", "6g", tmp, "0"))
            except Exception as e:  # noqa: BLE001
                rows.append((n, "crmmine spark", "failed", str(e)[:200], ""))
    print("\n| lines | contender | step | wall time (s) / value | notes |\n|---:|---|---|---:|---|")
    for r in rows:
        print(f"| {r[0]:,} | {r[1]} | {r[2]} | {r[3]} | {r[4]} |")


if __name__ == "__main__":
    sys.exit(main())
