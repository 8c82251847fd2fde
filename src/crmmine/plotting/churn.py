"""Figures of the churn report: model vs baselines, gains, calibration, importance, value at risk.

Each ``plot_*`` takes a :class:`crmmine.ChurnEvaluation` (or a :class:`crmmine.ChurnBacktest`) or a win-back
list and returns a ``plotly.graph_objects.Figure``; titles and axes come from :mod:`crmmine.text.labels`.
"""

from __future__ import annotations

import numbers

import pandas as pd
import plotly.graph_objects as go

from ..churn import SCORERS, ChurnBacktest, ChurnEvaluation
from ..errors import MissingColumnError, ParameterError
from ..text.labels import currency_unit as _unit, label

__all__ = [
    "plot_churn_roc",
    "plot_churn_pr",
    "plot_churn_gains",
    "plot_churn_calibration",
    "plot_churn_importance",
    "plot_value_at_risk",
]

_DASH = {"model": "solid", "recency": "dash", "bgnbd": "dot"}


def _evaluation(result) -> ChurnEvaluation:
    if isinstance(result, ChurnBacktest):
        return result.evaluation
    if not isinstance(result, ChurnEvaluation):
        raise ParameterError(
            f"The 'result' parameter must be a ChurnEvaluation or ChurnBacktest. Got {type(result).__name__} instead.")
    return result


def _name(scorer, ev, lang):
    if scorer == "model":
        return label(f"churn.model.{ev.model_name}", lang)
    return label(f"churn.scorer.{scorer}", lang)


def _curves(ev, table, x, y, title, xlab, ylab, lang, diagonal=None):
    fig = go.Figure()
    for s in SCORERS:
        d = table[table["scorer"] == s]
        if d.empty:
            continue
        fig.add_trace(go.Scatter(x=d[x], y=d[y], mode="lines", name=_name(s, ev, lang), line={"dash": _DASH[s]}))
    if diagonal is not None:
        fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=diagonal,
                                 line={"color": "grey", "dash": "dashdot", "width": 1}))
    fig.update_layout(title=label(title, lang), xaxis_title=label(xlab, lang), yaxis_title=label(ylab, lang),
                      template="plotly_white", xaxis_tickformat=".0%", yaxis_tickformat=".0%")  # rates as percentages
    return fig


def plot_churn_roc(result, *, lang=None) -> go.Figure:
    """ROC curves of the model and both baselines on the evaluation cutoff (AUC in the legend)."""
    ev = _evaluation(result)
    fig = _curves(ev, ev.roc, "fpr", "tpr", "churn.fig.roc", "churn.axis.fpr", "churn.axis.tpr", lang,
                  diagonal=label("churn.random", lang))
    for tr in fig.data:
        for s in SCORERS:
            if tr.name == _name(s, ev, lang):
                tr.name = f"{tr.name} (AUC {ev.metrics.loc[s, 'roc_auc']:.3f})"
    return fig


def plot_churn_pr(result, *, lang=None) -> go.Figure:
    """Precision-recall curves of the model and both baselines (churn rate as the no-skill line)."""
    ev = _evaluation(result)
    fig = _curves(ev, ev.pr, "recall", "precision", "churn.fig.pr", "churn.axis.recall", "churn.axis.precision", lang)
    rate = float(ev.metrics["churn_rate"].iloc[0])
    fig.add_trace(go.Scatter(x=[0, 1], y=[rate, rate], mode="lines", name=label("churn.random", lang),
                             line={"color": "grey", "dash": "dashdot", "width": 1}))
    return fig


def plot_churn_gains(result, *, lang=None) -> go.Figure:
    """Cumulative gains: share of churners reached when targeting the top share of customers by score."""
    ev = _evaluation(result)
    return _curves(ev, ev.gains, "fraction_targeted", "fraction_churners", "churn.fig.gains",
                   "churn.axis.fraction_targeted", "churn.axis.fraction_churners", lang, diagonal=label("churn.random", lang))


def plot_churn_calibration(result, *, lang=None) -> go.Figure:
    """Reliability curve: observed churn rate against mean predicted probability (10 quantile bins)."""
    ev = _evaluation(result)
    fig = _curves(ev, ev.calibration, "mean_predicted", "fraction_churned", "churn.fig.calibration",
                  "churn.axis.mean_predicted", "churn.axis.fraction_churned", lang, diagonal=label("churn.perfect", lang))
    for tr in fig.data[:-1]:
        tr.mode = "lines+markers"
    return fig


def plot_churn_importance(result, *, top_n=15, lang=None) -> go.Figure:
    """Permutation importance of the model's features (drop in ROC AUC, with its standard deviation)."""
    ev = _evaluation(result)
    if isinstance(top_n, bool) or not isinstance(top_n, numbers.Integral) or top_n < 1:
        raise ParameterError(f"The 'top_n' parameter must be an integer >= 1. Got {top_n!r} instead.")
    d = ev.importance.head(top_n).iloc[::-1]
    fig = go.Figure(go.Bar(x=d["importance_mean"], y=d["feature"], orientation="h",
                           error_x={"type": "data", "array": d["importance_std"]}))
    fig.update_layout(title=label("churn.fig.importance", lang), xaxis_title=label("churn.axis.importance", lang),
                      yaxis_title=label("churn.axis.feature", lang), template="plotly_white")
    return fig


def plot_value_at_risk(winback, *, currency: str = "", lang=None) -> go.Figure:
    """Total value at risk per action tier of a :func:`crmmine.winback_list` (customers in the hover)."""
    if not isinstance(winback, pd.DataFrame):
        raise ParameterError(f"The 'winback' parameter must be the DataFrame of winback_list. Got {type(winback).__name__} instead.")
    for col in ("tier_label", "value_at_risk"):
        if col not in winback.columns:
            raise MissingColumnError(f"The 'winback' table has no column {col!r}; pass the result of winback_list.")
    g = winback.groupby("tier_label", sort=False).agg(value_at_risk=("value_at_risk", "sum"),
                                                       customers=("value_at_risk", "size"))
    g = g.sort_values("value_at_risk", ascending=False, kind="stable")
    fig = go.Figure(go.Bar(x=g.index.tolist(), y=g["value_at_risk"], customdata=g["customers"],
                           text=g["customers"], texttemplate="%{text:,}",
                           hovertemplate="%{x}: %{y:,.0f} (%{customdata:,})<extra></extra>"))
    fig.update_layout(title=label("churn.fig.value_at_risk", lang), xaxis_title=label("churn.axis.tier", lang),
                      yaxis_title=label("churn.axis.value_at_risk", lang) + _unit(currency, lang),
                      template="plotly_white")
    return fig
