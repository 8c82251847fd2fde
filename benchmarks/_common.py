"""Shared by the benchmark scripts: where the reference data is, and a line describing the machine.

Scripts run as ``python benchmarks/bench_<area>.py``, so this folder is on ``sys.path`` and they
``from _common import ...``.
"""

from __future__ import annotations

import importlib
import os
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The reference data sets: $CRMMINE_SHARED_DATA, else ../shared/data beside the repository.
SHARED_DATA = Path(os.environ.get("CRMMINE_SHARED_DATA", ROOT.parent / "shared" / "data"))
ONLINE_RETAIL = SHARED_DATA / "online_retail" / "online_retail.csv.gz"


def describe_machine(*modules: str) -> str:
    """CPU model, cores, RAM, Python, the versions of ``modules`` (import names) and the load, as one line."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    names = {"sklearn": "scikit-learn"}
    versions = ", ".join(f"{names.get(m, m)} {importlib.import_module(m).__version__}" for m in modules)
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM; Python {platform.python_version()}, {versions}; "
            f"load average at start {os.getloadavg()[0]:.1f}")


def run_fresh(code: str, *args: object) -> dict:
    """Run ``python -c code args...`` in a fresh process (so its peak memory is its own).

    The script prints one JSON object as its last line of standard output; that object is returned.
    """
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])
