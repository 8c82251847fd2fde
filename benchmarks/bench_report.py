"""`crmmine report` on the bundled sample and on the full Online Retail file, beside plain papermill + nbconvert.

Run: .venv/bin/python benchmarks/bench_report.py [--data sample full] [--reports segments crosssell churn] [--repeat 3]

Each contender runs as a fresh command in its own process tree:
- ``crmmine report <name> --data PATH --out DIR`` (checks, manifest with the cleaning audit, atomic folders, HTML);
- ``papermill <notebook> out.ipynb -p data_path PATH`` then ``jupyter nbconvert --to html --no-input`` (the
  obvious alternative: the same notebook and kernel, no checks, no manifest, HTML with the stock template);
- ``crmmine report all`` per data set (the README's command; goal on the sample: under 60 s): on the sample every
  report (each on its bundled sample), on the full file ``--data FILE`` (the transaction reports);
- ``plain python``: the code cells of the same reports' notebooks executed one after the other in ONE plain Python
  process (``--plain-child``; no kernel, no papermill, no HTML): the same analysis calls, the floor that
  ``crmmine report all`` is compared with (goal: at most 2x). ``--repeat N`` alternates the two N times and
  prints the ratio of the medians. ``--executors fork kernel`` runs ``report all`` once per executor in each
  round (``--executor fork``, the default: cells in a forked child of the warm runner; ``kernel``: a Jupyter
  kernel per report).
Wall time is one run each (report runs take tens of seconds); CPU time is the user + system time of the whole
process tree (kernels and workers included), which a busy machine inflates far less than wall time; peak memory is the largest sum of the resident sizes
of the command's process tree (the runner plus its Jupyter kernel), sampled every 0.1 s with psutil. Figures go
to stdout as a Markdown table; copy them with the machine line into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ONLINE_RETAIL, ROOT, describe_machine

import psutil

BIN = Path(sys.executable).parent
FULL = ONLINE_RETAIL
LAST_CPU = float("nan")
REPORTS_OF: dict[str, list[str]] = {}


def _measure(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """(seconds, peak tree RSS in MB, exit status) of one command; its CPU seconds go to ``LAST_CPU``."""
    global LAST_CPU
    before = os.times()
    t = time.perf_counter()
    proc = psutil.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        try:
            procs = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in procs if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.1)
    seconds = time.perf_counter() - t
    after = os.times()  # every process of the tree has been waited for: their CPU is in the children's times
    LAST_CPU = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    if proc.returncode != 0:
        print(f"  ! {' '.join(cmd)} exited {proc.returncode}: {proc.stderr.read().decode()[-500:]}", file=sys.stderr)
    return seconds, peak / 2**20, proc.returncode


def machine() -> str:
    return describe_machine("pandas", "papermill", "nbconvert", "plotly")


def _all_reports(data: str) -> list[str]:
    """What ``crmmine report all`` runs: every report on the bundled samples, the transaction reports on a file."""
    from crmmine.report import REPORTS
    from crmmine.report.runner import EVENT_REPORTS

    return [r for r in REPORTS if data == "sample" or r not in EVENT_REPORTS]


def plain_child(data: str, out: str) -> int:
    """Execute every code cell of the reports ``crmmine report all`` runs, in this one process (the floor).

    ``data`` is ``"sample"`` (each report its bundled sample, as ``crmmine report all``) or a transaction file
    (the transaction reports, as ``crmmine report all --data FILE``).
    """
    import nbformat

    from crmmine.report import REPORTS, notebook_parameters

    for report in _all_reports(data):
        nb_name = REPORTS[report]
        nb_path = ROOT / "notebooks" / nb_name
        scope = {name: d["default"] for name, d in notebook_parameters(nb_path).items()}
        scope.update(data_path=data, output_dir=str(Path(out) / report))
        nb = nbformat.read(str(nb_path), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
                exec(compile(cell.source, f"{nb_name}:{cell.id}", "exec"), scope)  # noqa: S102 - our notebooks
    return 0


def main() -> int:
    from crmmine.report import REPORTS

    if len(sys.argv) == 4 and sys.argv[1] == "--plain-child":
        return plain_child(sys.argv[2], sys.argv[3])

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", nargs="+", choices=["sample", "full"], default=["sample", "full"])
    ap.add_argument("--reports", nargs="*", choices=list(REPORTS), default=list(REPORTS))
    ap.add_argument("--repeat", type=int, default=1, help="rounds of 'report all' against the plain process")
    ap.add_argument("--executors", nargs="+", choices=["fork", "kernel"], default=["fork"],
                    help="'crmmine report all --executor X' for each X in every round (default: fork)")
    args = ap.parse_args()
    sample = ROOT / "data" / "sample" / "online_retail_sample.csv.gz"
    print(machine(), file=sys.stderr)
    rows = []
    for data in args.data:
        path = sample if data == "sample" else FULL
        if not path.exists():
            print(f"skipping {data}: {path} not found", file=sys.stderr)
            continue
        for report in args.reports:
            nb = ROOT / "notebooks" / REPORTS[report]
            with tempfile.TemporaryDirectory() as tmp:
                tmp = Path(tmp)
                s, mb, rc = _measure([str(BIN / "crmmine"), "report", report, "--data", str(path), "--out",
                                      str(tmp / "out")], ROOT)
                htmls = list((tmp / "out" / report).glob("*/report.html"))
                size = htmls[0].stat().st_size / 2**20 if htmls else float("nan")
                rows.append((data, report, "crmmine report", s, mb, size, rc, LAST_CPU, os.getloadavg()[0]))
                print(rows[-1], file=sys.stderr)
                s1, mb1, rc1 = _measure([str(BIN / "papermill"), str(nb), str(tmp / "out.ipynb"), "-p", "data_path",
                                         str(path), "-p", "output_dir", str(tmp / "art"), "-k", "python3",
                                         "--no-progress-bar", "--cwd", str(tmp)], ROOT)
                s2, mb2, rc2 = _measure([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                                         str(tmp / "out.ipynb")], ROOT)
                html = tmp / "out.html"
                size = html.stat().st_size / 2**20 if html.exists() else float("nan")
                rows.append((data, report, "papermill + nbconvert", s1 + s2, max(mb1, mb2), size, rc1 or rc2, float("nan"),
                             os.getloadavg()[0]))
                print(rows[-1], file=sys.stderr)
        where = "sample" if data == "sample" else str(path)
        REPORTS_OF[data] = _all_reports(where)
        for round_ in range(1, args.repeat + 1):  # alternating, so that both see the same load
            with tempfile.TemporaryDirectory() as tmp:
                for executor in args.executors:
                    load = os.getloadavg()[0]
                    s, mb, rc = _measure([str(BIN / "crmmine"), "report", "all", *([] if data == "sample" else
                                          ["--data", str(path)]), "--out", str(Path(tmp) / executor),
                                          "--executor", executor], ROOT)
                    label = "crmmine report all" + ("" if executor == "fork" else f" --executor {executor}")
                    rows.append((data, "all", label, s, mb, float("nan"), rc, LAST_CPU, load))
                    print(rows[-1], file=sys.stderr)
                load = os.getloadavg()[0]
                s2, mb2, rc2 = _measure([sys.executable, str(Path(__file__).resolve()), "--plain-child", where,
                                         str(Path(tmp) / "plain")], ROOT)
                rows.append((data, "all", "plain python, one process", s2, mb2, float("nan"), rc2, LAST_CPU, load))
                print(rows[-1], f"round {round_}: ratio {s / s2:.2f}x (the last executor)", file=sys.stderr)
        floor = [r for r in rows if r[0] == data and r[2] == "plain python, one process"]
        for label in dict.fromkeys(r[2] for r in rows if r[0] == data and r[2].startswith("crmmine report all")):
            mine = [r for r in rows if r[0] == data and r[2] == label]
            if mine and floor:
                wall = statistics.median(r[3] for r in mine) / statistics.median(r[3] for r in floor)
                cpu = statistics.median(r[7] for r in mine) / statistics.median(r[7] for r in floor)
                print(f"{data}: {label}: median wall {statistics.median(r[3] for r in mine):.1f} s, CPU "
                      f"{statistics.median(r[7] for r in mine):.1f} s; plain {statistics.median(r[3] for r in floor):.1f}"
                      f" s, CPU {statistics.median(r[7] for r in floor):.1f} s; ratio of medians wall {wall:.2f}x, "
                      f"CPU {cpu:.2f}x ({', '.join(REPORTS_OF[data])})")
    print("| data | report | command | wall time (s) | CPU time, process tree (s) | peak RSS, process tree (MB) "
          "| HTML (MB) | exit | load at start |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for data, report, cmd, s, mb, size, rc, cpu, load in rows:
        print(f"| {data} | {report} | {cmd} | {s:.1f} | {cpu:.1f} | {mb:.0f} | {size:.2f} | {rc} | {load:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
