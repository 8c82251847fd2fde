"""Generate data/sample/events_sample.csv.gz: a shop's behaviour log from crmmine.datasets.make_events.

Not real data: the real Taobao log in ../shared/data is for research only and is never shipped. The file
has canonical column names (customer_id, item_id, category, event_type, event_time, session_id, price), so
``crmmine.read_events`` reads it with ``schema="auto"``. Deterministic: the gzip has a fixed timestamp.

Usage::

    python scripts/make_events_sample.py [--n-visitors 3000] [--seed 2026]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
from pathlib import Path

import crmmine

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "sample" / "events_sample.csv.gz"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-visitors", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)
    events, truth = crmmine.datasets.make_events(args.n_visitors, random_state=args.seed)
    text = events.drop(columns="source_line").to_csv(index=False, lineterminator="\n",
                                                     date_format="%Y-%m-%d %H:%M:%S")
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as gz:
        gz.write(text.encode("utf-8"))
    OUT.write_bytes(buf.getvalue())
    counts = events["event_type"].value_counts()
    print(f"{OUT}: {len(events):,} events of {events['customer_id'].nunique():,} visitors "
          f"({', '.join(f'{k} {v:,}' for k, v in counts.items())}), {len(truth.high_intent)} planted high-intent "
          f"prospects; {OUT.stat().st_size:,} bytes, sha256 {hashlib.sha256(buf.getvalue()).hexdigest()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
