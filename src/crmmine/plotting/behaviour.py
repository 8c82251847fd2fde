"""Figures of the behaviour report: the funnel, activity by weekday and hour, conversion by category,
visitors and buyers per day, time to purchase, and the prospects model's gains against its baselines.

Each ``plot_*`` takes a table (or result) of :mod:`crmmine.behaviour` and returns a
``plotly.graph_objects.Figure``; titles and axes come from :mod:`crmmine.text`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..behaviour import PropensityBacktest, PropensityEvaluation
from ..errors import MissingColumnError, ParameterError
from ..text.labels import label

__all__ = [
    "plot_funnel",
    "plot_activity_heatmap",
    "plot_conversion_by_category",
    "plot_traffic_by_day",
    "plot_time_to_purchase",
    "plot_propensity_gains",
]

_DASH = {"model": "solid", "cart": "dash", "recency": "dot"}


def _need(df, cols, name, source):
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"The '{name}' parameter must be the DataFrame of {source}. Got {type(df).__name__} instead.")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise MissingColumnError(f"The '{name}' table has no column {missing[0]!r}; pass the result of {source}.")


def plot_funnel(funnel_table, *, lang=None) -> go.Figure:
    """The funnel (a table of :func:`crmmine.funnel` without ``by``): visitors per stage, with conversion."""
    _need(funnel_table, ["stage", "users"], "funnel_table", "crmmine.funnel")
    if "stage" in funnel_table and funnel_table["stage"].duplicated().any():
        raise ParameterError("The 'funnel_table' parameter must be one funnel (crmmine.funnel without 'by').")
    names = [label(f"behaviour.stage.{s}", lang) for s in funnel_table["stage"]]
    users = funnel_table["users"].to_numpy(dtype=float)
    first = users[0] if len(users) and users[0] > 0 else float("nan")
    prev = np.r_[users[:1], users[:-1]]
    # the cell text in the report's language (plotly's own textinfo words are English)
    text = [label("behaviour.funnel.cell", lang, n=f"{int(u):,}", initial=f"{u / first:.0%}",
                  previous=f"{(u / p if p > 0 else float('nan')):.0%}") for u, p in zip(users, prev)]
    fig = go.Figure(go.Funnel(y=names, x=funnel_table["users"].tolist(), text=text, textinfo="text",
                              hoverinfo="text+y"))
    fig.update_layout(title=label("behaviour.plot.funnel", lang), template="plotly_white")
    return fig


def plot_activity_heatmap(matrix, *, lang=None) -> go.Figure:
    """Weekday x hour heat map of :func:`crmmine.activity_matrix`."""
    if not isinstance(matrix, pd.DataFrame) or matrix.shape != (7, 24):
        raise ParameterError("The 'matrix' parameter must be the 7 x 24 DataFrame of crmmine.activity_matrix.")
    days = [label(f"behaviour.weekday.{d}", lang) for d in range(7)]
    fig = go.Figure(go.Heatmap(z=matrix.to_numpy(), x=list(range(24)), y=days, colorscale="Blues",
                               colorbar={"title": label("behaviour.axis.events", lang)}))
    fig.update_layout(title=label("behaviour.plot.heatmap", lang), xaxis_title=label("behaviour.axis.hour", lang),
                      yaxis_title=label("behaviour.axis.weekday", lang), yaxis={"autorange": "reversed"},
                      template="plotly_white")
    return fig


def plot_conversion_by_category(conversion, *, top_n=20, lang=None) -> go.Figure:
    """View-to-buy conversion of the ``top_n`` most viewed categories (:func:`crmmine.item_conversion`)."""
    _need(conversion, ["viewers", "view_to_buy"], "conversion", "crmmine.item_conversion(level='category')")
    top = conversion.sort_values("viewers", ascending=False, kind="stable").head(top_n)
    top = top.sort_values("view_to_buy", kind="stable")
    fig = go.Figure(go.Bar(x=top["view_to_buy"], y=[str(i) for i in top.index], orientation="h",
                           customdata=top["viewers"], hovertemplate="%{y}: %{x:.1%} (%{customdata} viewers)<extra></extra>"))
    fig.update_layout(title=label("behaviour.plot.category", lang), xaxis_title=label("behaviour.axis.view_to_buy", lang),
                      yaxis_title=label("behaviour.axis.category", lang), xaxis_tickformat=".0%", yaxis_type="category",
                      template="plotly_white")
    return fig


def plot_traffic_by_day(traffic, *, lang=None) -> go.Figure:
    """Visitors (UV) and buyers per day (:func:`crmmine.traffic_by` with ``by="day"``)."""
    _need(traffic, ["uv", "buyers"], "traffic", "crmmine.traffic_by(by='day')")
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=traffic.index, y=traffic["uv"], mode="lines+markers", name=label("behaviour.series.uv", lang)))
    fig.add_trace(go.Scatter(x=traffic.index, y=traffic["buyers"], mode="lines+markers",
                             name=label("behaviour.series.buyers", lang)))
    fig.update_layout(title=label("behaviour.plot.daily", lang), xaxis_title=label("behaviour.axis.day", lang),
                      yaxis_title=label("behaviour.axis.users", lang), template="plotly_white",
                      xaxis_tickformat="%Y-%m-%d")  # numbers, not English month names
    return fig


def plot_time_to_purchase(ttp, *, lang=None) -> go.Figure:
    """Histogram of hours from first view to purchase (:func:`crmmine.time_to_purchase`), log-spaced bins."""
    _need(ttp, ["hours"], "ttp", "crmmine.time_to_purchase")
    h = ttp["hours"].to_numpy(dtype=float)
    edges = np.array([0, 0.25, 0.5, 1, 2, 4, 8, 12, 24, 48, 96, 168, np.inf])
    counts = np.histogram(h, bins=edges)[0]
    names = [f"{a:g}-{b:g} h" if np.isfinite(b) else f"> {a:g} h" for a, b in zip(edges[:-1], edges[1:])]
    fig = go.Figure(go.Bar(x=names, y=counts))
    fig.update_layout(title=label("behaviour.plot.time_to_purchase", lang),
                      xaxis_title=label("behaviour.axis.hours_to_purchase", lang),
                      yaxis_title=label("behaviour.axis.purchases", lang), template="plotly_white")
    return fig


def plot_propensity_gains(result, *, lang=None) -> go.Figure:
    """Cumulative gains of the model and its baselines on the test window (:func:`crmmine.propensity_backtest`)."""
    ev = result.evaluation if isinstance(result, PropensityBacktest) else result
    if not isinstance(ev, PropensityEvaluation):
        raise ParameterError(f"The 'result' parameter must be a PropensityBacktest or PropensityEvaluation. "
                             f"Got {type(result).__name__} instead.")
    fig = go.Figure()
    for s in ("model", "cart", "recency"):
        d = ev.gains[ev.gains["scorer"] == s]
        if len(d) > 2_001:  # a curve of millions of visitors drawn through 2,001 of its points (same shape)
            d = d.iloc[np.unique(np.linspace(0, len(d) - 1, 2_001).round().astype(np.int64))]
        fig.add_trace(go.Scatter(x=d["fraction_targeted"], y=d["fraction_buyers"], mode="lines",
                                 name=label(f"behaviour.scorer.{s}", lang), line={"dash": _DASH[s]}))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=label("behaviour.axis.random", lang),
                             line={"color": "grey", "dash": "dashdot", "width": 1}))
    fig.update_layout(title=label("behaviour.plot.gains", lang), xaxis_title=label("behaviour.axis.fraction_targeted", lang),
                      yaxis_title=label("behaviour.axis.fraction_buyers", lang), xaxis_tickformat=".0%",
                      yaxis_tickformat=".0%", template="plotly_white")
    return fig
