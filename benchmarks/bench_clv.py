"""CLV: crmmine's BG/NBD fit against the fastest plain-scipy fit, and clv_summary on ~10M lines.

Run: .venv/bin/python benchmarks/bench_clv.py [--customers 1000000] [--repeat 3]

Data: make_transactions(--customers, random_state=0) (the default three-segment shop,
about 10 lines per customer), written once to a temporary Parquet file with its
clv_summary; plus the CDNOW sample (39-week calibration, weeks) and the full Online Retail
file (clean, days) when ../shared/data is present.

Contenders, each in a fresh subprocess (peak RSS is its own), wall time = median of
--repeat runs, loading the input is not timed:

- ``crmmine BetaGeoModel.fit``: the package (includes the standard errors);
- ``plain scipy BG/NBD fit``: written here as fast as we know how without crmmine -
  L-BFGS-B on log-parameters with the analytic gradient, terms in x alone computed once
  per distinct x, one row per customer, a moment-based start;
- ``crmmine GammaGammaModel.fit``, ``customer_lifetime_value`` (12 monthly steps);
- ``crmmine.clv_summary`` on the raw lines against the obvious pandas groupby
  (customer, day) -> customer aggregation.

Figures go to stdout as Markdown; copy them with the machine line into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CRMMINE_SHARED_DATA", ROOT.parent / "shared" / "data"))

PLAIN_FIT = r'''
import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma, gammaln

def plain_bgnbd_fit(x, tx, T):
    """BG/NBD (FHL 2005a eq. 6) by L-BFGS-B, analytic gradient, x-only terms once per distinct x."""
    xu, xi = np.unique(x, return_inverse=True)
    pos = x > 0
    xp, txp = x[pos], tx[pos]
    n = x.size

    def f(lp):
        r, al, a, b = np.exp(lp)
        gl = gammaln(r + xu) + gammaln(b + xu) - gammaln(a + b + xu)
        dr, dabx, dbx = digamma(r + xu), digamma(a + b + xu), digamma(b + xu)
        rx = r + x
        laT = np.log(al + T)
        A3 = -rx * laT
        rxp = rx[pos]
        latp = np.log(al + txp)
        bx1 = b + xp - 1
        A4 = np.log(a) - np.log(bx1) - rxp * latp
        mixp = np.logaddexp(A3[pos], A4)
        wt = np.exp(A4 - mixp)
        ll = (gl[xi].sum() + A3[~pos].sum() + mixp.sum()
              + n * (r * np.log(al) - gammaln(r) + gammaln(a + b) - gammaln(b)))
        dab = digamma(a + b)
        g = np.array([
            dr[xi].sum() - laT.sum() + (wt * (laT[pos] - latp)).sum() + n * (np.log(al) - digamma(r)),
            n * r / al - (rx / (al + T)).sum() + (wt * rxp * (1 / (al + T[pos]) - 1 / (al + txp))).sum(),
            n * dab - dabx[xi].sum() + wt.sum() / a,
            n * (dab - digamma(b)) + (dbx[xi] - dabx[xi]).sum() - (wt / bx1).sum(),
        ])
        return -ll / n, -g * np.exp(lp) / n

    x0 = np.log([1.0, T.mean() / max(x.mean(), 0.05), 1.0, 1.0])
    res = minimize(f, x0, jac=True, method="L-BFGS-B")
    return np.exp(res.x), -res.fun * n, res.nit
'''

RUNNER = """
import json, resource, sys, time
import numpy as np, pandas as pd
def rss(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
INPUT = sys.argv[1]
{code}
elapsed, cpu = time.perf_counter() - t, time.process_time() - c0
print(json.dumps({{"seconds": elapsed, "cpu": cpu, "peak_mb": rss(), "loaded_mb": loaded_mb, "out": out}}))
"""

LOAD_SUMMARY = ("s = pd.read_parquet(INPUT).set_index('customer_id'); s.attrs['time_unit'] = 'W' if 'cdnow' in INPUT "
                "else 'D'\nx, tx, T = (s[c].to_numpy(float) for c in ('frequency', 'recency', 'T'))\nloaded_mb = rss()\n")

CODE = {
    "crmmine BetaGeoModel.fit": LOAD_SUMMARY + (
        "import crmmine\nt = time.perf_counter(); c0 = time.process_time(); bg = crmmine.BetaGeoModel().fit(s)\n"
        "out = {'params': bg.params_.tolist(), 'll': bg.log_likelihood_, 'nit': bg.n_iter_}"),
    "plain scipy BG/NBD fit": LOAD_SUMMARY + PLAIN_FIT + (
        "t = time.perf_counter(); c0 = time.process_time(); p, ll, nit = plain_bgnbd_fit(x, tx, T)\n"
        "out = {'params': p.tolist(), 'll': ll, 'nit': int(nit)}"),
    "crmmine GammaGammaModel.fit": LOAD_SUMMARY + (
        "import crmmine\nt = time.perf_counter(); c0 = time.process_time(); gg = crmmine.GammaGammaModel().fit(s)\n"
        "out = {'params': gg.params_.tolist(), 'll': gg.log_likelihood_, 'nit': gg.n_iter_}"),
    "crmmine customer_lifetime_value (12 months)": LOAD_SUMMARY + (
        "import crmmine\nbg = crmmine.BetaGeoModel().fit(s); gg = crmmine.GammaGammaModel().fit(s)\n"
        "h = 52.0 if 'cdnow' in INPUT else 365.0\n"
        "t = time.perf_counter(); c0 = time.process_time(); clv = gg.customer_lifetime_value(bg, s, horizon=h)\n"
        "out = {'total': float(clv.sum())}"),
}

SUMMARY_CODE = {
    "crmmine.clv_summary": (
        "import crmmine\ntx = pd.read_parquet(INPUT, columns=['customer_id', 'order_date', 'amount'])\n"
        "loaded_mb = rss()\nt = time.perf_counter(); c0 = time.process_time(); s = crmmine.clv_summary(tx)\n"
        "out = {'customers': len(s), 'repeat': int(s['frequency'].sum())}"),
    "pandas groupby summary": (
        "tx = pd.read_parquet(INPUT, columns=['customer_id', 'order_date', 'amount'])\nloaded_mb = rss()\n"
        "t = time.perf_counter(); c0 = time.process_time()\n"
        "end = tx['order_date'].max().normalize() + pd.Timedelta(days=1)\n"
        "days = tx.assign(day=tx['order_date'].dt.normalize()).groupby(['customer_id', 'day'], observed=True)"
        "['amount'].sum().reset_index()\n"
        "g = days.groupby('customer_id', observed=True).agg(first=('day', 'min'), last=('day', 'max'), "
        "n=('day', 'size'), total=('amount', 'sum'), first_amount=('amount', 'first'))\n"
        "one = pd.Timedelta(days=1)\n"
        "s = pd.DataFrame({'frequency': g['n'] - 1, 'recency': (g['last'] - g['first']) / one, "
        "'T': (end - g['first']) / one})\n"
        "s['monetary_value'] = ((g['total'] - g['first_amount']) / s['frequency']).where(s['frequency'] > 0, 0.0)\n"
        "out = {'customers': len(s), 'repeat': int(s['frequency'].sum())}"),
}


def machine() -> str:
    import numpy
    import pandas
    import scipy

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
            f"pandas {pandas.__version__}, numpy {numpy.__version__}, scipy {scipy.__version__}")


def run(code: str, path: Path, repeat: int) -> dict:
    runs = []
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", RUNNER.format(code=code), str(path)], check=True,
                             capture_output=True, text=True, env=env)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {"seconds": statistics.median(r["seconds"] for r in runs), "cpu": statistics.median(r["cpu"] for r in runs),
            "peak_mb": max(r["peak_mb"] for r in runs),
            "loaded_mb": max(r["loaded_mb"] for r in runs), "out": runs[0]["out"]}


def prepare(cache: Path, n_customers: int) -> dict[str, Path]:
    """Write the inputs as Parquet (one subprocess per data set, so the parent stays small)."""
    inputs = {}
    synth_tx, synth_summary = cache / f"synthetic_{n_customers}_tx.parquet", cache / f"synthetic_{n_customers}.parquet"
    if not synth_summary.exists():
        code = (
            "import sys, time, resource, crmmine\nfrom crmmine.datasets import make_transactions\n"
            f"t = time.perf_counter(); c0 = time.process_time(); tx, _ = make_transactions({n_customers}, random_state=0)\n"
            "print(f'generated {len(tx):,} lines in {time.perf_counter() - t:.1f} s', file=sys.stderr)\n"
            f"tx[['customer_id', 'order_date', 'amount']].to_parquet(r'{synth_tx}')\n"
            f"crmmine.clv_summary(tx).reset_index().to_parquet(r'{synth_summary}')\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True,
                       env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))
    inputs[f"synthetic, {n_customers:,} customers"] = synth_summary
    cdnow = SHARED / "cdnow" / "CDNOW_sample.txt"
    if cdnow.exists():
        path = cache / "cdnow_cal.parquet"
        code = (
            "import crmmine\ncal = crmmine.calibration_holdout_summary(crmmine.datasets.load_cdnow_sample(), "
            "calibration_end='1997-09-30', observation_end='1998-06-30', time_unit='W')\n"
            "s = cal[['frequency_cal', 'recency_cal', 'T_cal', 'monetary_value_cal']]"
            ".rename(columns=lambda c: c.removesuffix('_cal'))\n"
            f"s.reset_index().to_parquet(r'{path}')\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))
        inputs["CDNOW sample (weeks)"] = path
    retail = SHARED / "online_retail" / "online_retail.csv.gz"
    if retail.exists():
        path = cache / "online_retail.parquet"
        code = (f"import crmmine\ns = crmmine.clv_summary(crmmine.load_clean(r'{retail}').transactions)\n"
                f"s.reset_index().to_parquet(r'{path}')\n")
        subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))
        inputs["Online Retail, clean (days)"] = path
    return inputs, synth_tx


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "crmmine_bench_clv")
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    inputs, synth_tx = prepare(args.cache, args.customers)

    print(f"Machine: {machine()}")
    print(f"Median of {args.repeat} runs, each in a fresh process; loading the input is not timed. CPU time is the "
          "process's own (fairer than wall time when other work shares the cores).\n")
    print("| data | customers | step | wall time (s) | CPU time (s) | CPU × plain scipy | iterations | peak RSS (MB) "
          "| max rel. diff of params vs plain |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for data, path in inputs.items():
        import pandas as pd

        n = len(pd.read_parquet(path, columns=["frequency"]))
        res = {name: run(code, path, args.repeat) for name, code in CODE.items()}
        base = res["plain scipy BG/NBD fit"]
        for name, r in res.items():
            ratio = f"{r['cpu'] / base['cpu']:.2f}" if "BetaGeo" in name or "plain" in name else ""
            diff = ""
            if name == "crmmine BetaGeoModel.fit":
                import numpy as np

                a, b = np.array(r["out"]["params"]), np.array(base["out"]["params"])
                diff = f"{np.max(np.abs(a / b - 1)):.1e} (LL {r['out']['ll']:.1f} vs {base['out']['ll']:.1f})"
            nit = r["out"].get("nit", "")
            print(f"| {data} | {n:,} | {name} | {r['seconds']:.3f} | {r['cpu']:.3f} | {ratio} | {nit} | "
                  f"{r['peak_mb']:.0f} | {diff} |")
    print()
    lines = len(pd.read_parquet(synth_tx, columns=["amount"]))
    print(f"clv_summary on the synthetic shop's {lines:,} lines (peak RSS after loading the three columns in brackets):\n")
    print("| step | wall time (s) | CPU time (s) | peak RSS (MB) | customers | repeat purchase days |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, code in SUMMARY_CODE.items():
        r = run(code, synth_tx, args.repeat)
        print(f"| {name} | {r['seconds']:.2f} | {r['cpu']:.2f} | {r['peak_mb']:.0f} ({r['loaded_mb']:.0f}) | "
              f"{r['out']['customers']:,} | {r['out']['repeat']:,} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
