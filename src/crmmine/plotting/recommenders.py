"""Figures of the recommender comparison (:func:`crmmine.compare_recommenders`)."""

from __future__ import annotations

import plotly.graph_objects as go

from ..errors import ParameterError
from ..text.labels import label
from ..validation import check_choice

__all__ = ["plot_recommender_curves"]

_METRICS = ("hit_rate", "precision", "recall", "coverage", "catalog_coverage")


def plot_recommender_curves(comparison, *, metric: str = "hit_rate", lang: str | None = None) -> go.Figure:
    """One line per recommender: ``metric`` against the list length K, the mean over the cutoffs.

    The recommenderlab-style "topNList" curve (Hahsler 2022): the chosen recommender is drawn
    thicker, the baselines ("most popular", "random") dashed; the hover shows the value at
    each cutoff's mean.

    Parameters
    ----------
    comparison : RecommenderComparison
        What :func:`crmmine.compare_recommenders` returns.
    metric : {"hit_rate", "precision", "recall", "coverage", "catalog_coverage"}, default="hit_rate"
    lang : {"en", "zh"} or None, default=None

    Returns
    -------
    plotly.graph_objects.Figure
    """
    if not hasattr(comparison, "mean_curves") or not hasattr(comparison, "best"):
        raise ParameterError("The 'comparison' parameter must be what crmmine.compare_recommenders returns. "
                             f"Got {type(comparison).__name__} instead.")
    check_choice("metric", metric, _METRICS)
    curves = comparison.mean_curves()
    key = {"hit_rate": "reco.metric.hit_rate", "coverage": "reco.metric.coverage"}.get(metric, f"reco.metric.{metric}")
    name_metric = label(key, lang=lang)
    fig = go.Figure()
    for name, g in curves.groupby("recommender", sort=False, observed=True):
        name = str(name)
        baseline = name in ("popular", "random")
        chosen = name == comparison.best
        fig.add_trace(go.Scatter(
            x=g["k"].to_numpy(), y=g[metric].to_numpy(), mode="lines+markers", name=label(f"reco.recommender.{name}", lang=lang),
            line={"width": 4 if chosen else 2, "dash": "dash" if baseline else "solid"},
            hovertemplate="K=%{x}: %{y:.1%}<extra></extra>",
        ))
    fig.update_layout(title=label("reco.title.comparison", lang=lang, metric=name_metric, n=len(comparison.cutoffs)),
                      xaxis_title=label("reco.axis.list_length", lang=lang), yaxis_title=name_metric,
                      template="plotly_white", yaxis_tickformat=".0%")
    return fig
