"""One-sentence findings computed from the data, for the segment report.

Each function takes a crmmine result and returns one sentence in the current language
(:func:`crmmine.text.labels.set_language`); the wording lives in :mod:`crmmine.text.labels`
(keys ``segment_report.finding.*``), the numbers come from the data. A report section
opens with one of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import MissingColumnError, ParameterError
from .labels import label

__all__ = [
    "finding_overview",
    "finding_concentration",
    "finding_rfm",
    "finding_lifecycle",
    "finding_transitions",
    "finding_cohorts",
    "finding_clusters",
    "finding_value",
    "finding_returns",
    "heading",
    "note",
]


def heading(name: str) -> str:
    """A section heading of the segment report, e.g. ``heading("rfm")``."""
    return label(f"segment_report.h.{name}")


def note(name: str) -> str:
    """A short "how to read" note of the segment report, e.g. ``note("cohorts")``."""
    return label(f"segment_report.note.{name}")


def _money(amount: float, currency: str) -> str:
    return label("segment_report.money", amount=float(amount), currency=currency)


def _need(df, cols, name, fix):
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"The '{name}' parameter must be a DataFrame ({fix}). Got {type(df).__name__} instead.")
    for c in cols:
        if c not in df.columns:
            raise MissingColumnError(f"The '{name}' table has no column {c!r}; make it with {fix}.")


def finding_overview(customers: pd.DataFrame, *, currency: str = "GBP") -> str:
    """How many customers bought how much, between which dates.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmmine.text.findings import finding_overview
    >>> c = pd.DataFrame({"frequency": [2, 1], "monetary_total": [30.0, 20.0],
    ...                   "first_purchase": pd.to_datetime(["2011-01-03", "2011-02-01"]),
    ...                   "last_purchase": pd.to_datetime(["2011-03-01", "2011-02-01"])})
    >>> finding_overview(c)
    '2 customers placed 3 orders worth 50 GBP between 2011-01-03 and 2011-03-01.'
    """
    _need(customers, ["frequency", "monetary_total", "first_purchase", "last_purchase"], "customers",
          "crmmine.customer_table(tx)")
    return label("segment_report.finding.overview", n=len(customers), orders=int(customers["frequency"].sum()),
                 revenue=_money(customers["monetary_total"].sum(), currency),
                 start=customers["first_purchase"].min().date(), end=customers["last_purchase"].max().date())


def finding_concentration(customers: pd.DataFrame, *, fraction: float = 0.2, value: str = "monetary_total") -> str:
    """"The top 20% of customers bring 74% of revenue (Gini 0.71)."

    Examples
    --------
    >>> import pandas as pd
    >>> from crmmine.text.findings import finding_concentration
    >>> finding_concentration(pd.DataFrame({"monetary_total": [1.0, 1.0, 1.0, 1.0, 6.0]}))
    'The top 20% of customers bring 60% of revenue (Gini 0.40).'
    """
    from ..customers.cohorts import gini, top_share

    _need(customers, [value], "customers", "crmmine.customer_table(tx)")
    x = customers[value].clip(lower=0)
    return label("segment_report.finding.concentration", fraction=fraction, share=top_share(x, fraction), gini=gini(x))


def finding_rfm(rfm: pd.DataFrame) -> str:
    """Which RFM segment brings the most revenue, and how many customers are slipping away.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmmine import rfm_segments
    >>> from crmmine.text.findings import finding_rfm
    >>> s = pd.DataFrame({"r_score": [5, 1, 1, 2], "f_score": [5, 1, 1, 1], "m_score": [5, 1, 1, 1],
    ...                   "monetary_total": [80.0, 5.0, 5.0, 10.0]})
    >>> finding_rfm(s.join(rfm_segments(s)))
    'Champions are 25% of customers and bring 80% of revenue; 75% of customers are at risk, hibernating or lost.'
    """
    _need(rfm, ["rfm_segment", "rfm_segment_name", "monetary_total"], "rfm", "crmmine.rfm_table(tx)")
    g = rfm.groupby("rfm_segment", observed=True).agg(name=("rfm_segment_name", "first"),
                                                      n=("monetary_total", "size"), rev=("monetary_total", "sum"))
    top = g["rev"].idxmax()
    slipping = rfm["rfm_segment"].isin(["at_risk", "cant_lose_them", "hibernating", "lost",  # default scheme
                                        # the eight classes (rfm_scheme="cn8"): recency at or below average
                                        "important_retention", "important_winback", "general_retention",
                                        "general_winback"]).mean()
    return label("segment_report.finding.rfm", segment=g.loc[top, "name"], customers=g.loc[top, "n"] / len(rfm),
                 revenue=g.loc[top, "rev"] / g["rev"].sum(), slipping=slipping)


def finding_lifecycle(customers: pd.DataFrame, states: pd.Series | None = None) -> str:
    """How many customers are loyal, and how many are at risk or lost (with their past revenue share).

    ``states`` defaults to the ``lifecycle_state`` column of ``customers``.
    """
    if states is None:
        _need(customers, ["lifecycle_state", "monetary_total"], "customers", "crmmine.lifecycle_states")
        states = customers["lifecycle_state"]
    else:
        _need(customers, ["monetary_total"], "customers", "crmmine.customer_table(tx)")
    s = states.reindex(customers.index).astype(str)
    m = customers["monetary_total"].to_numpy(dtype=float)
    gone = s.isin(["at_risk", "lost"]).to_numpy()
    return label("segment_report.finding.lifecycle", n=len(s), loyal=int((s == "loyal").sum()),
                 loyal_share=float((s == "loyal").mean()), gone=int(gone.sum()), gone_share=float(gone.mean()),
                 gone_revenue=float(m[gone].sum() / m.sum()) if m.sum() else 0.0)


def finding_transitions(matrix: pd.DataFrame) -> str:
    """"Between 2011-09-01 and 2011-12-01, 76 of 826 loyal customers (9%) became at risk; 979 were acquired."

    Parameters
    ----------
    matrix : pandas.DataFrame
        From :func:`crmmine.state_transitions`.
    """
    if not isinstance(matrix, pd.DataFrame) or matrix.index.name != "from_state":
        raise ParameterError("The 'matrix' parameter must be a table from crmmine.state_transitions(tx, ...).")
    loyal = int(matrix.loc["loyal"].sum())
    moved = int(matrix.loc["loyal", ["at_risk", "lost"]].sum())
    a = matrix.attrs
    return label("segment_report.finding.transitions", start=pd.Timestamp(a["from_date"]).date(),
                 end=pd.Timestamp(a["to_date"]).date(), moved=moved, loyal=loyal,
                 share=moved / loyal if loyal else 0.0, acquired=int(matrix.loc["prospect"].sum()))


def finding_cohorts(cohorts: pd.DataFrame) -> str:
    """Share of a period's new customers who buy again in the next period (pooled over cohorts).

    Parameters
    ----------
    cohorts : pandas.DataFrame
        :func:`crmmine.cohort_table` with ``value="customers"`` and ``normalize=False``.

    Examples
    --------
    >>> import crmmine
    >>> from crmmine.text.findings import finding_cohorts
    >>> tx = crmmine.load_clean("sample").transactions
    >>> finding_cohorts(crmmine.cohort_table(tx)).startswith("On average")
    True
    """
    if not isinstance(cohorts, pd.DataFrame) or cohorts.columns.name != "periods_since_first":
        raise ParameterError("The 'cohorts' parameter must be a table from crmmine.cohort_table(tx).")
    if cohorts.shape[1] < 2:
        return label("segment_report.finding.cohorts_short")
    size, nxt = cohorts[0].to_numpy(dtype=float), cohorts[1].to_numpy(dtype=float)
    ok = np.isfinite(nxt)
    pooled = nxt[ok].sum() / size[ok].sum() if size[ok].sum() else 0.0
    best = cohorts.index[ok][int(np.argmax(np.where(size[ok] > 0, nxt[ok] / np.maximum(size[ok], 1), -1)))]
    best_rate = float(cohorts.loc[best, 1] / cohorts.loc[best, 0]) if cohorts.loc[best, 0] else 0.0
    return label("segment_report.finding.cohorts", share=pooled, best=str(best), best_share=best_rate)


def finding_clusters(segmenter) -> str:
    """How many clusters the data support (or were asked for) and what the most valuable one looks like."""
    from ..customers.segment import CustomerSegmenter

    if not isinstance(segmenter, CustomerSegmenter):
        raise ParameterError("The 'segmenter' parameter must be a fitted crmmine.CustomerSegmenter.")
    segmenter._check_fitted()
    p = segmenter.profiles_
    ks = segmenter.k_scores_.set_index("k")
    sil = ks.loc[segmenter.k_, "silhouette"]
    eligible = ks[ks["eligible"]] if ks["eligible"].any() else ks
    best_k = int(eligible["silhouette"].fillna(-1).idxmax())
    key = {"given": "segment_report.finding.clusters_given", "largest_near_best": "segment_report.finding.clusters",
           "best_silhouette": "segment_report.finding.clusters_best",
           "none_eligible": "segment_report.finding.clusters_none"}[segmenter.k_reason_]
    next_k = segmenter.k_ + 1
    nxt = float(ks.loc[next_k, "silhouette"]) if next_k in ks.index else np.nan
    if key == "segment_report.finding.clusters_best" and next_k not in ks.index:
        key = "segment_report.finding.clusters_best_top"  # the top of the range: nothing finer was tried
    elif key == "segment_report.finding.clusters_best" and not ks.loc[next_k, "eligible"]:
        key = "segment_report.finding.clusters_best_unstable"
    return label(key, k=segmenter.k_, silhouette=float(sil), best=float(ks.loc[best_k, "silhouette"]), best_k=best_k,
                 next_k=next_k, next=nxt,
                 floor=float(segmenter.min_cluster_share), name=p.loc[0, "name"], customers=float(p.loc[0, "share"]),
                 revenue=float(p.loc[0, "revenue_share"]), stability=float(segmenter.stability_))


def finding_value(value: pd.DataFrame, *, currency: str = "GBP", fraction: float = 0.1) -> str:
    """Expected spend over the CLV horizon and its concentration (from :func:`crmmine.customer_value`)."""
    from ..customers.cohorts import top_share

    _need(value, ["predicted_value"], "value", "crmmine.customer_value(tx)")
    pv = value["predicted_value"].clip(lower=0)
    return label("segment_report.finding.value", horizon=value.attrs.get("horizon_days", "?"),
                 total=_money(pv.sum(), currency), fraction=fraction, share=top_share(pv, fraction) if pv.sum() else 0.0)


def finding_returns(ranking: pd.DataFrame) -> str:
    """Share of purchase value returned and customers worth less than nothing after returns.

    Parameters
    ----------
    ranking : pandas.DataFrame
        From :func:`crmmine.value_ranking`.
    """
    _need(ranking, ["gross_value", "returns_value", "net_value"], "ranking", "crmmine.value_ranking(customers)")
    gross = ranking["gross_value"].sum()
    return label("segment_report.finding.returns", share=ranking["returns_value"].sum() / gross if gross else 0.0,
                 negative=int((ranking["net_value"] < 0).sum()), n=len(ranking))
