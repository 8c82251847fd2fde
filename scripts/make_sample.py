"""Derive data/sample/ from the real UCI Online Retail file in ../shared/data (deterministic).

The sample holds every line of N customers drawn at random (seeded) from the file's
4,372 customers, plus a seeded draw of guest lines (no customer id), in the file's
original order and format, so ``crmmine.clean`` has real work: cancellations, returns,
duplicates, postage and other non-product lines come with the customers' own lines.

Usage::

    python scripts/make_sample.py [--source ../shared/data/online_retail/online_retail.csv.gz]
                                  [--n-customers 1000] [--guest-lines 2000] [--seed 20111209]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "sample" / "online_retail_sample.csv.gz"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default=str(ROOT.parent / "shared" / "data" / "online_retail" / "online_retail.csv.gz"))
    ap.add_argument("--n-customers", type=int, default=1000)
    ap.add_argument("--guest-lines", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=20111209)
    args = ap.parse_args(argv)
    src = Path(args.source)
    if not src.exists():
        print(f"make_sample: {src} does not exist; pass --source", file=sys.stderr)
        return 2
    raw = pd.read_csv(src, dtype=str, keep_default_na=False)
    rng = np.random.default_rng(args.seed)
    customers = np.sort(raw.loc[raw["CustomerID"] != "", "CustomerID"].unique())
    chosen = set(rng.choice(customers, size=args.n_customers, replace=False))
    guest_pos = np.flatnonzero((raw["CustomerID"] == "").to_numpy())
    guests = rng.choice(guest_pos, size=min(args.guest_lines, guest_pos.size), replace=False)
    keep = raw["CustomerID"].isin(chosen).to_numpy(copy=True)
    keep[guests] = True
    sample = raw.loc[keep]
    buf = io.BytesIO()
    sample.to_csv(buf, index=False, lineterminator="\n", encoding="utf-8")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    tmp = OUT.with_suffix(".tmp")
    with open(tmp, "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0, compresslevel=9) as gz:
        gz.write(buf.getvalue())
    tmp.replace(OUT)
    digest = hashlib.sha256(OUT.read_bytes()).hexdigest()
    print(f"wrote {OUT.relative_to(ROOT)}: {len(sample):,} lines, {len(chosen):,} customers, "
          f"{len(guests):,} guest lines; sha256 {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
