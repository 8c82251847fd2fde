"""Figures of customer value: RFM grid and treemap, segment sizes, cohorts, Lorenz curve, clusters, lifecycle.

Every function takes a crmmine result and returns a ``plotly.graph_objects.Figure``;
titles and axis labels come from :mod:`crmmine.text.labels` (the current language).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..errors import MissingColumnError, ParameterError
from ..text.labels import label

__all__ = [
    "plot_rfm_grid",
    "plot_rfm_treemap",
    "plot_segment_sizes",
    "plot_cohort_heatmap",
    "plot_lorenz_curve",
    "plot_cluster_scatter",
    "plot_cluster_profiles",
    "plot_k_selection",
    "plot_lifecycle_transitions",
]

_MAX_POINTS = 5000


def _need(df, cols, name, fix):
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"The '{name}' parameter must be a DataFrame ({fix}). Got {type(df).__name__} instead.")
    for c in cols:
        if c not in df.columns:
            raise MissingColumnError(f"The '{name}' table has no column {c!r}; make it with {fix}.")


def plot_rfm_grid(rfm: pd.DataFrame, *, value: str = "customers") -> go.Figure:
    """Heatmap of recency score (x) against frequency score (y).

    Parameters
    ----------
    rfm : pandas.DataFrame
        :func:`crmmine.rfm_table` (or :func:`crmmine.rfm_scores` joined with
        ``monetary_total``).
    value : {"customers", "revenue", "mean_monetary"}, default="customers"
        Number of customers, their total ``monetary_total``, or its mean per cell.
    """
    if value not in ("customers", "revenue", "mean_monetary"):
        raise ParameterError(
            f"The 'value' parameter must be one of 'customers', 'revenue', 'mean_monetary'. Got {value!r} instead."
        )
    cols = ["r_score", "f_score"] + ([] if value == "customers" else ["monetary_total"])
    _need(rfm, cols, "rfm", "crmmine.rfm_table(tx)")
    n = int(max(rfm["r_score"].max(), rfm["f_score"].max()))
    key = (rfm["f_score"].to_numpy() - 1) * n + (rfm["r_score"].to_numpy() - 1)
    count = np.bincount(key, minlength=n * n).reshape(n, n).astype(float)
    if value == "customers":
        z = count
    else:
        total = np.bincount(key, weights=rfm["monetary_total"].to_numpy(dtype=float), minlength=n * n).reshape(n, n)
        z = total if value == "revenue" else np.where(count > 0, total / np.maximum(count, 1), np.nan)
    scores = list(range(1, n + 1))
    text = [[f"{v:,.0f}" if np.isfinite(v) else "" for v in row] for row in z]
    fig = go.Figure(go.Heatmap(z=z, x=scores, y=scores, text=text, texttemplate="%{text}", colorscale="Blues",
                               colorbar={"title": label(f"rfm.grid.{value}")}))
    fig.update_layout(title=label("rfm.grid.title"), xaxis_title=label("rfm.axis.r_score"),
                      yaxis_title=label("rfm.axis.f_score"))
    return fig


def plot_rfm_treemap(rfm: pd.DataFrame) -> go.Figure:
    """Treemap of the RFM segments: area = customers, colour = share of revenue.

    Parameters
    ----------
    rfm : pandas.DataFrame
        :func:`crmmine.rfm_table` (needs ``rfm_segment``, ``rfm_segment_name``,
        ``monetary_total``).
    """
    _need(rfm, ["rfm_segment", "rfm_segment_name", "monetary_total"], "rfm", "crmmine.rfm_table(tx)")
    g = rfm.groupby("rfm_segment", observed=True).agg(name=("rfm_segment_name", "first"),
                                                      customers=("monetary_total", "size"),
                                                      revenue=("monetary_total", "sum"))
    share = g["revenue"] / g["revenue"].sum()
    fig = go.Figure(go.Treemap(
        labels=g["name"].astype(str).tolist(), parents=[""] * len(g), values=g["customers"].tolist(),
        marker={"colors": share.tolist(), "colorscale": "Blues", "colorbar": {"title": label("segment.axis.revenue_share")}},
        customdata=np.c_[share.to_numpy() * 100], texttemplate="%{label}<br>%{value:,} · %{customdata[0]:.1f}%",
        hovertemplate="%{label}<br>" + label("axis.customers") + ": %{value:,}<br>"
                      + label("segment.axis.revenue_share") + ": %{customdata[0]:.1f}%<extra></extra>",
    ))
    fig.update_layout(title=label("rfm.treemap.title"))
    return fig


def plot_segment_sizes(customers: pd.DataFrame, *, segment: str = "rfm_segment_name") -> go.Figure:
    """Share of customers and share of revenue per segment, side by side.

    Parameters
    ----------
    customers : pandas.DataFrame
        A customer table with ``monetary_total`` and a segment column.
    segment : str, default="rfm_segment_name"
        The column that names the segment (e.g. ``lifecycle_state``, ``cluster_name``);
        ``lifecycle_state`` and ``rfm_segment`` keys are shown by their labels.
    """
    _need(customers, [segment, "monetary_total"], "customers", "crmmine.rfm_table(tx)")
    seg = customers[segment]
    g = customers.groupby(seg.astype(str) if not isinstance(seg.dtype, pd.CategoricalDtype) else seg,
                          observed=True, sort=isinstance(seg.dtype, pd.CategoricalDtype))["monetary_total"]
    size = g.size()
    revenue = g.sum()
    if not isinstance(seg.dtype, pd.CategoricalDtype):
        order = size.sort_values(ascending=False, kind="stable").index
        size, revenue = size.loc[order], revenue.loc[order]
    prefix = {"lifecycle_state": "lifecycle.state.", "rfm_segment": "rfm.segment."}.get(segment)
    names = [label(f"{prefix}{i}") if prefix and _has_label(f"{prefix}{i}") else str(i) for i in size.index]
    fig = go.Figure([
        go.Bar(name=label("segment.axis.customer_share"), x=names, y=(size / size.sum() * 100).tolist()),
        go.Bar(name=label("segment.axis.revenue_share"), x=names, y=(revenue / revenue.sum() * 100).tolist()),
    ])
    fig.update_layout(barmode="group", title=label("segment.sizes.title"), yaxis_title=label("segment.axis.percent"),
                      xaxis_title=label("segment.axis.segment"))
    return fig


def plot_cohort_heatmap(cohorts: pd.DataFrame) -> go.Figure:
    """Heatmap of a cohort table (:func:`crmmine.cohort_table`): cohort x periods since first purchase."""
    if not isinstance(cohorts, pd.DataFrame) or cohorts.columns.name != "periods_since_first":
        raise ParameterError(
            "The 'cohorts' parameter must be a table from crmmine.cohort_table(tx). "
            f"Got {type(cohorts).__name__} instead."
        )
    z = cohorts.to_numpy(dtype=float)
    normalised = np.nanmax(z, initial=0) <= 1.0 + 1e-12
    text = [[("" if not np.isfinite(v) else (f"{v:.0%}" if normalised else f"{v:,.0f}")) for v in row] for row in z]
    fig = go.Figure(go.Heatmap(z=z, x=[int(c) for c in cohorts.columns], y=[str(p) for p in cohorts.index], text=text,
                               texttemplate="%{text}", colorscale="Blues", hoverongaps=False))
    fig.update_layout(title=label("cohort.heatmap.title"), xaxis_title=label("cohort.axis.periods_since_first"),
                      yaxis_title=label("cohort.axis.cohort"), yaxis={"autorange": "reversed"})
    return fig


def plot_lorenz_curve(values) -> go.Figure:
    """The Lorenz curve of customer value with the line of equality; the Gini in the title.

    Parameters
    ----------
    values : array-like or pandas.Series
        Non-negative value per customer (e.g. ``monetary_total``).
    """
    from ..customers.cohorts import gini, lorenz_curve

    lc = lorenz_curve(values)
    g = gini(values)
    # at most ~2,000 points drawn (the curve is smooth); ends kept
    step = max(1, len(lc) // 2000)
    lc = pd.concat([lc.iloc[::step], lc.iloc[[-1]]]).drop_duplicates()
    fig = go.Figure([
        go.Scatter(x=lc["customer_share"] * 100, y=lc["value_share"] * 100, mode="lines",
                   name=label("concentration.lorenz"), fill="tonexty"),
        go.Scatter(x=[0, 100], y=[0, 100], mode="lines", name=label("concentration.equality"),
                   line={"dash": "dash", "color": "grey"}),
    ])
    fig.update_layout(title=label("concentration.lorenz.title", gini=g),
                      xaxis_title=label("concentration.axis.customer_share"),
                      yaxis_title=label("concentration.axis.value_share"))
    return fig


def _check_segmenter(segmenter):
    from ..customers.segment import CustomerSegmenter

    if not isinstance(segmenter, CustomerSegmenter):
        raise ParameterError(
            f"The 'segmenter' parameter must be a fitted crmmine.CustomerSegmenter. Got {type(segmenter).__name__} instead."
        )
    segmenter._check_fitted()


def plot_cluster_scatter(customers: pd.DataFrame, segmenter, *, x: str = "frequency", y: str = "monetary_total",
                         max_points: int = _MAX_POINTS, random_state: int = 0) -> go.Figure:
    """Customers in two features (log axes), coloured by cluster name.

    At most ``max_points`` customers are drawn (a fixed random sample), so the figure stays
    light on a million customers.
    """
    _check_segmenter(segmenter)
    _need(customers, [x, y], "customers", "crmmine.customer_table(tx)")
    labels = segmenter.labels_.reindex(customers.index)
    if labels.isna().any():
        labels = segmenter.predict(customers)
    idx = np.arange(len(customers))
    if len(idx) > max_points:
        idx = np.sort(np.random.default_rng(random_state).choice(len(idx), size=max_points, replace=False))
    sub = customers.iloc[idx]
    lab = labels.to_numpy()[idx]
    traces = []
    for k, name in segmenter.names_.items():  # one trace per cluster (k_ traces)
        m = lab == k
        traces.append(go.Scattergl(x=sub[x].to_numpy()[m], y=sub[y].to_numpy()[m], mode="markers", name=str(name),
                                   marker={"size": 5, "opacity": 0.6}))
    fig = go.Figure(traces)
    fig.update_layout(title=label("segment.scatter.title"), xaxis_title=label(f"customer.column.{x}")
                      if _has_label(f"customer.column.{x}") else x,
                      yaxis_title=label(f"customer.column.{y}") if _has_label(f"customer.column.{y}") else y)
    fig.update_xaxes(type="log")
    fig.update_yaxes(type="log")
    return fig


def _has_label(key: str) -> bool:
    from ..text.labels import LABELS

    return key in LABELS


def _feature_label(f: str) -> str:
    return label(f"customer.column.{f}") if _has_label(f"customer.column.{f}") else f


#: profile features that are amounts of money (their cells carry the currency)
_MONEY_FEATURES = frozenset({"monetary_total", "monetary_mean", "mean_order_value", "total_value", "predicted_value",
                             "historical_value"})


def plot_cluster_profiles(segmenter, *, currency: str = "") -> go.Figure:
    """Cluster profiles: each cluster's centre in standard deviations from the average customer.

    Cells show the cluster's mean of each feature on its original scale (amounts of money with
    ``currency``, whole numbers from 100 on); the colour is the standardised (log-scale) centre,
    so features on different scales compare.
    """
    _check_segmenter(segmenter)
    feats = list(segmenter.feature_names_in_)
    prof = segmenter.profiles_
    z = segmenter.cluster_centers_

    def cell(v, f):
        text = f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}"
        return f"{text} {currency}" if currency and (f in _MONEY_FEATURES or f.startswith("monetary")) else text

    text = [[cell(float(prof.iloc[i][f]), f) for f in feats] for i in range(len(prof))]
    names = [f"{n} ({s:.0%})" for n, s in zip(prof["name"], prof["share"])]
    fig = go.Figure(go.Heatmap(z=z, x=[_feature_label(f) for f in feats], y=names, text=text,
                               texttemplate="%{text}", colorscale="RdBu", zmid=0,
                               colorbar={"title": label("segment.axis.z")}))
    fig.update_layout(title=label("segment.profiles.title"), yaxis={"autorange": "reversed"})
    return fig


def plot_k_selection(segmenter) -> go.Figure:
    """Silhouette, stability and inertia of each k tried (the chosen k marked)."""
    _check_segmenter(segmenter)
    ks = segmenter.k_scores_
    fig = go.Figure([
        go.Scatter(x=ks["k"], y=ks["silhouette"], mode="lines+markers", name=label("segment.axis.silhouette")),
        go.Scatter(x=ks["k"], y=ks["stability"], mode="lines+markers", name=label("segment.axis.stability"),
                   line={"dash": "dot"}),
        go.Scatter(x=ks["k"], y=ks["inertia"], mode="lines+markers", name=label("segment.axis.inertia"), yaxis="y2"),
    ])
    fig.add_vline(x=segmenter.k_, line_dash="dash", annotation_text=label("segment.k_chosen", k=segmenter.k_))
    fig.update_layout(title=label("segment.k.title"), xaxis_title="k",
                      yaxis={"title": label("segment.axis.silhouette")},
                      yaxis2={"title": label("segment.axis.inertia"), "overlaying": "y", "side": "right"},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left", "x": 0})
    return fig


def plot_lifecycle_transitions(matrix: pd.DataFrame, *, normalize: bool = True) -> go.Figure:
    """Heatmap of a lifecycle transition matrix (:func:`crmmine.state_transitions`).

    ``normalize=True`` colours each row by the share of the from-state that went to each
    to-state; the cells show the counts either way.
    """
    if not isinstance(matrix, pd.DataFrame) or matrix.index.name != "from_state":
        raise ParameterError(
            "The 'matrix' parameter must be a table from crmmine.state_transitions(tx, ...). "
            f"Got {type(matrix).__name__} instead."
        )
    counts = matrix.to_numpy(dtype=float)
    rows = counts.sum(axis=1, keepdims=True)
    z = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0) if normalize else counts
    text = [[f"{int(c):,}" + (f"<br>{s:.0%}" if normalize and r > 0 else "") for c, s in zip(crow, zrow)]
            for crow, zrow, r in zip(counts, z, rows[:, 0])]
    fig = go.Figure(go.Heatmap(
        z=z, x=[label(f"lifecycle.state.{s}") for s in matrix.columns],
        y=[label(f"lifecycle.state.{s}") for s in matrix.index], text=text, texttemplate="%{text}",
        colorscale="Blues", colorbar={"title": label("lifecycle.axis.share" if normalize else "axis.customers")}))
    a = matrix.attrs
    title = label("lifecycle.transitions.title")
    if "from_date" in a and "to_date" in a:
        title = label("lifecycle.transitions.title_dates", start=pd.Timestamp(a["from_date"]).date(),
                      end=pd.Timestamp(a["to_date"]).date())
    fig.update_layout(title=title, xaxis_title=label("lifecycle.axis.to"), yaxis_title=label("lifecycle.axis.from"),
                      yaxis={"autorange": "reversed"})
    return fig
