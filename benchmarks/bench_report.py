"""`crmmine report` on the bundled sample and on the full Online Retail file, beside plain papermill + nbconvert.

Run: .venv/bin/python benchmarks/bench_report.py [--data sample full] [--reports segments crosssell churn]

Each contender runs as a fresh command in its own process tree:
- ``crmmine report <name> --data PATH --out DIR`` (checks, manifest with the cleaning audit, atomic folders, HTML);
- ``papermill <notebook> out.ipynb -p data_path PATH`` then ``jupyter nbconvert --to html --no-input`` (the
  obvious alternative: the same notebook and kernel, no checks, no manifest, HTML with the stock template);
- ``crmmine report all`` once per data set (the README's command; goal on the sample: under 60 s);
- ``plain python``: the code cells of the three report notebooks executed one after the other in ONE plain Python
  process (``--plain-child``; no kernel, no papermill, no HTML): the same analysis calls, the floor that
  ``crmmine report all`` is compared with (goal: at most 2x).
Wall time is one run (report runs take tens of seconds); peak memory is the largest sum of the resident sizes
of the command's process tree (the runner plus its Jupyter kernel), sampled every 0.1 s with psutil. Figures go
to stdout as a Markdown table; copy them with the machine line into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ONLINE_RETAIL, ROOT, describe_machine

import psutil

BIN = Path(sys.executable).parent
FULL = ONLINE_RETAIL


def _measure(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """(seconds, peak tree RSS in MB, exit status) of one command."""
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
    if proc.returncode != 0:
        print(f"  ! {' '.join(cmd)} exited {proc.returncode}: {proc.stderr.read().decode()[-500:]}", file=sys.stderr)
    return seconds, peak / 2**20, proc.returncode


def machine() -> str:
    return describe_machine("pandas", "papermill", "nbconvert", "plotly")


def plain_child(data: str, out: str) -> int:
    """Execute every code cell of the three report notebooks in this one process (the plain-Python floor)."""
    import nbformat

    from crmmine.report import REPORTS, notebook_parameters

    for report, nb_name in REPORTS.items():
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
                rows.append((data, report, "crmmine report", s, mb, size, rc))
                print(rows[-1], file=sys.stderr)
                s1, mb1, rc1 = _measure([str(BIN / "papermill"), str(nb), str(tmp / "out.ipynb"), "-p", "data_path",
                                         str(path), "-p", "output_dir", str(tmp / "art"), "-k", "python3",
                                         "--no-progress-bar", "--cwd", str(tmp)], ROOT)
                s2, mb2, rc2 = _measure([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                                         str(tmp / "out.ipynb")], ROOT)
                html = tmp / "out.html"
                size = html.stat().st_size / 2**20 if html.exists() else float("nan")
                rows.append((data, report, "papermill + nbconvert", s1 + s2, max(mb1, mb2), size, rc1 or rc2))
                print(rows[-1], file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            s, mb, rc = _measure([str(BIN / "crmmine"), "report", "all", "--data", str(path), "--out",
                                  str(Path(tmp) / "out")], ROOT)
            rows.append((data, "all", "crmmine report all", s, mb, float("nan"), rc))
            print(rows[-1], file=sys.stderr)
            s2, mb2, rc2 = _measure([sys.executable, str(Path(__file__).resolve()), "--plain-child", str(path),
                                     str(Path(tmp) / "plain")], ROOT)
            rows.append((data, "all", "plain python, one process", s2, mb2, float("nan"), rc2))
            print(rows[-1], f"ratio {s / s2:.2f}x", file=sys.stderr)
    print("| data | report | command | wall time (s) | peak RSS, process tree (MB) | HTML (MB) | exit |")
    print("|---|---|---|---:|---:|---:|---:|")
    for data, report, cmd, s, mb, size, rc in rows:
        print(f"| {data} | {report} | {cmd} | {s:.1f} | {mb:.0f} | {size:.2f} | {rc} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
