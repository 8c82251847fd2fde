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

With ``--models`` (issue 13): the Pareto/NBD and modified BG/NBD fits against crmmine's BG/NBD fit on the
same 1M-customer summary (goal: each within 3x), and, with ``--lifetimes-python PATH`` (the interpreter of a
throwaway venv holding ``lifetimes==0.11.3``), lifetimes' ParetoNBDFitter, ModifiedBetaGeoFitter and
BetaGeoFitter on it (goal: crmmine at least 5x faster).

Figures go to stdout as Markdown; copy them with the machine line into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from _common import ROOT, SHARED_DATA, describe_machine

SHARED = SHARED_DATA

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


MODEL_CODE = {  # imports (crmmine's fits import scipy.optimize on first use) are not timed, as for lifetimes
    "crmmine BetaGeoModel.fit": CODE["crmmine BetaGeoModel.fit"].replace("import crmmine\n", "import crmmine, scipy.optimize\n"),
    "crmmine ParetoNBDModel.fit": LOAD_SUMMARY + (
        "import crmmine, scipy.optimize\nt = time.perf_counter(); c0 = time.process_time(); m = crmmine.ParetoNBDModel().fit(s)\n"
        "out = {'params': m.params_.tolist(), 'll': m.log_likelihood_, 'nit': m.n_iter_}"),
    "crmmine ModifiedBetaGeoModel.fit": LOAD_SUMMARY + (
        "import crmmine, scipy.optimize\nt = time.perf_counter(); c0 = time.process_time(); m = crmmine.ModifiedBetaGeoModel().fit(s)\n"
        "out = {'params': m.params_.tolist(), 'll': m.log_likelihood_, 'nit': m.n_iter_}"),
}

LIFETIMES_CODE = {
    f"lifetimes {cls}.fit": LOAD_SUMMARY + (
        f"import lifetimes, warnings\nwarnings.simplefilter('ignore')\nt = time.perf_counter(); c0 = time.process_time()\n"
        f"m = lifetimes.{cls}().fit(s['frequency'], s['recency'], s['T'])\n"
        "out = {'params': [float(v) for v in m.params_.values]}")
    for cls in ("BetaGeoFitter", "ParetoNBDFitter", "ModifiedBetaGeoFitter")
}


def run_models(inputs: dict, repeat: int, lifetimes_python: str | None, pareto_max: int, timeout: float) -> None:
    """The issue-13 comparison: new models vs BG/NBD, and vs lifetimes in a throwaway venv."""
    import pandas as pd

    print(f"crmmine: median of {repeat} runs, each in a fresh process; lifetimes: one run (ParetoNBDFitter only on "
          f"summaries of at most {pareto_max:,} customers), stopped after {timeout:.0f} s. Loading is not timed.\n")
    print("| data | customers | step | wall time (s) | CPU time (s) | CPU × crmmine BG/NBD | lifetimes CPU ÷ crmmine "
          "CPU | iterations | peak RSS (MB) | log-likelihood | parameters |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for data, path in inputs.items():
        n = len(pd.read_parquet(path, columns=["frequency"]))
        res = {name: run(code, path, repeat) for name, code in MODEL_CODE.items()}
        if lifetimes_python:
            for name, code in LIFETIMES_CODE.items():
                if "ParetoNBD" in name and n > pareto_max:
                    continue
                try:
                    res[name] = run(code, path, 1, python=lifetimes_python, with_crmmine=False, timeout=timeout)
                except subprocess.CalledProcessError as err:  # lifetimes fails on some data: report it
                    res[name] = {"failed": (err.stderr or "").strip().splitlines()[-1:]}
                except subprocess.TimeoutExpired:
                    res[name] = {"failed": [f"not finished after {timeout:.0f} s (stopped)"]}
        base = res["crmmine BetaGeoModel.fit"]["cpu"]
        for name, r in res.items():
            if "failed" in r:
                print(f"| {data} | {n:,} | {name} | failed: {' '.join(r['failed'])[:80]} | | | | | | | |")
                continue
            ll = r["out"].get("ll")
            vs = ""
            if name.startswith("lifetimes"):
                own = {"BetaGeoFitter": "BetaGeoModel", "ParetoNBDFitter": "ParetoNBDModel",
                       "ModifiedBetaGeoFitter": "ModifiedBetaGeoModel"}[name.split()[1].split(".")[0]]
                vs = f"{r['cpu'] / res[f'crmmine {own}.fit']['cpu']:.1f}"
            params = ", ".join(f"{v:.6g}" for v in r["out"]["params"])
            print(f"| {data} | {n:,} | {name} | {r['seconds']:.2f} | {r['cpu']:.2f} | {r['cpu'] / base:.2f} | {vs} | "
                  f"{r['out'].get('nit', '')} | {r['peak_mb']:.0f} | {'' if ll is None else f'{ll:.2f}'} | {params} |")


def machine() -> str:
    return describe_machine('numpy', 'pandas', 'scipy')


def run(code: str, path: Path, repeat: int, *, python: str | None = None, with_crmmine: bool = True,
        timeout: float | None = None) -> dict:
    runs = []
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    if not with_crmmine:
        env.pop("PYTHONPATH", None)
    for _ in range(repeat):
        out = subprocess.run([python or sys.executable, "-c", RUNNER.format(code=code), str(path)], check=True,
                             capture_output=True, text=True, env=env, timeout=timeout)
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
    ap.add_argument("--models", action="store_true", help="the issue-13 comparison of Pareto/NBD, MBG/NBD, BG/NBD")
    ap.add_argument("--lifetimes-python", default=None, help="python of a venv with lifetimes==0.11.3")
    ap.add_argument("--subset", type=int, default=100_000,
                    help="with --models, also the first N customers of the synthetic summary (0: none)")
    ap.add_argument("--lifetimes-pareto-max", type=int, default=100_000,
                    help="run lifetimes' ParetoNBDFitter only on summaries of at most this many customers")
    ap.add_argument("--lifetimes-timeout", type=float, default=600.0, help="seconds before a lifetimes fit is stopped")
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    inputs, synth_tx = prepare(args.cache, args.customers)
    if args.models:
        import pandas as pd

        synth = next(iter(inputs.items()))
        models_inputs = {synth[0]: synth[1]}
        if args.subset and args.subset < args.customers:
            sub = args.cache / f"synthetic_{args.customers}_first_{args.subset}.parquet"
            pd.read_parquet(synth[1]).iloc[: args.subset].to_parquet(sub)
            models_inputs[f"synthetic, first {args.subset:,}"] = sub
        models_inputs.update({k: v for k, v in inputs.items() if k != synth[0]})
        print(f"Machine: {machine()}\n")
        run_models(models_inputs, args.repeat, args.lifetimes_python, args.lifetimes_pareto_max,
                   args.lifetimes_timeout)
        return 0

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
