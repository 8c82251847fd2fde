"""A data-quality profile of a transaction file: the first thing to run on a new export."""

from __future__ import annotations

import pandas as pd

from ..errors import CrmmineWarning
from .clean import CleanResult, clean
from .io import read_transactions

__all__ = ["profile", "format_profile"]


def profile(source, *, schema="auto", encoding: str = "auto", dayfirst: bool | None = None,
            header: bool | None = None, sheet_name=None, **clean_options) -> dict:
    """Read and clean ``source`` and summarise what it holds.

    Returns
    -------
    dict
        ``source``, ``format``, ``encoding``, ``schema``, ``lines``, ``customers``,
        ``orders``, ``products``, ``countries``, ``first_date``, ``last_date``,
        ``amount`` (sum of all lines), ``clean_lines``, ``clean_customers`` and
        ``audit`` (list of {rule, lines, amount, share_of_amount, notable}) and ``notes``
        (what reading chose or could not read, and the notable cleaning rules).
    """
    import warnings

    tx = read_transactions(source, schema=schema, encoding=encoding, dayfirst=dayfirst, header=header,
                           sheet_name=sheet_name)
    with warnings.catch_warnings():  # the notes below say it; no second copy on stderr
        warnings.simplefilter("ignore", CrmmineWarning)
        result: CleanResult = clean(tx, **clean_options)
    info = tx.attrs.get("crmmine_source", {})
    dates = tx["order_date"]
    return {
        "source": info.get("source"),
        "format": info.get("format"),
        "encoding": info.get("encoding"),
        "schema": info.get("schema"),
        "lines": int(len(tx)),
        "customers": int(tx["customer_id"].nunique()),
        "orders": int(tx["order_id"].nunique()),
        "products": int(tx["product_id"].nunique()),
        "countries": int(tx["country"].nunique()) if "country" in tx else None,
        "first_date": None if dates.isna().all() else str(dates.min()),
        "last_date": None if dates.isna().all() else str(dates.max()),
        "amount": round(float(tx["amount"].sum()), 2),
        "clean_lines": int(len(result.transactions)),
        "clean_customers": int(result.transactions["customer_id"].nunique()),
        "audit": [
            {"rule": r.rule, "lines": int(r.lines), "amount": round(float(r.amount), 2),
             "share_of_amount": round(float(r.share_of_amount), 4), "notable": bool(r.notable)}
            for r in result.audit.itertuples()
        ],
        "notes": list(info.get("notes", [])) + list(result.notes),
    }


def format_profile(summary: dict) -> str:
    """The profile as aligned plain text."""
    head = [
        ("source", summary["source"]),
        ("format", f"{summary['format']}" + (f", {summary['encoding']}" if summary.get("encoding") else "")),
        ("schema", summary["schema"]),
        ("lines", f"{summary['lines']:,}"),
        ("customers", f"{summary['customers']:,}"),
        ("orders", f"{summary['orders']:,}"),
        ("products", f"{summary['products']:,}"),
    ]
    if summary.get("countries") is not None:
        head.append(("countries", f"{summary['countries']:,}"))
    head += [
        ("date range", f"{summary['first_date']} .. {summary['last_date']}"),
        ("amount", f"{summary['amount']:,.2f}"),
        ("clean lines", f"{summary['clean_lines']:,} ({summary['clean_customers']:,} customers)"),
    ]
    width = max(len(k) for k, _ in head)
    lines = [f"{k.ljust(width)}  {v}" for k, v in head]
    lines.append("")
    lines.append("cleaning audit")
    audit = pd.DataFrame(summary["audit"])
    rw = max(len(r) for r in audit["rule"])
    for r in summary["audit"]:
        share = r["lines"] / max(summary["lines"], 1)
        flag = "  <- notable" if r.get("notable") else ""
        lines.append(f"  {r['rule'].ljust(rw)}  {r['lines']:>10,}  {share:7.2%}  {r['amount']:>16,.2f}{flag}")
    if summary.get("notes"):
        lines.append("")
        lines.append("notes")
        lines.extend(f"  - {n}" for n in summary["notes"])
    return "\n".join(lines)
