"""Figures of customer value: CLV distribution, calibration vs holdout purchases, P(alive) map."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..errors import InputError, ParameterError
from ..text.labels import LABELS, currency_unit as _unit, label

__all__ = ["plot_clv_distribution", "plot_calibration_holdout", "plot_probability_alive", "plot_value_decomposition",
           "plot_tracking", "plot_probability_alive_history"]


def _values(value_or_series, column):
    if isinstance(value_or_series, pd.DataFrame):
        if column not in value_or_series.columns:
            raise InputError(
                f"The table has no column {column!r} (columns found: {', '.join(map(str, value_or_series.columns))}). "
                "Pass crmmine.customer_value(...) or a Series of values."
            )
        s = value_or_series[column]
    elif isinstance(value_or_series, pd.Series):
        s = value_or_series
    else:
        raise ParameterError(
            "The 'value' parameter must be a DataFrame from crmmine.customer_value or a pandas Series. "
            f"Got {type(value_or_series).__name__} instead."
        )
    v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return v[np.isfinite(v)]


def plot_clv_distribution(value, *, column: str = "predicted_value", bins: int = 40, log: bool = True,
                          currency: str = "") -> go.Figure:
    """Histogram of customer value, with the mean and the median marked.

    Parameters
    ----------
    value : pandas.DataFrame or pandas.Series
        :func:`crmmine.customer_value` output (``column`` is plotted) or a Series of values
        (e.g. :meth:`crmmine.GammaGammaModel.customer_lifetime_value`).
    column : str, default="predicted_value"
        Column of a DataFrame to plot.
    bins : int, default=40
        Number of bins.
    log : bool, default=True
        Log-spaced bins on a log axis (CLV is heavy-tailed); values <= 0 are left out.
    currency : str, default=""
        Shown after the mean and median and beside the axis name.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace (customers per bin) and two vertical lines (mean, median).
    """
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ParameterError(f"The 'bins' parameter must be an integer >= 1. Got {bins!r} instead.")
    v = _values(value, column)
    if log:
        v = v[v > 0]
    if v.size == 0:
        raise InputError("There are no values to plot (none is finite" + (" and > 0)." if log else ")."))
    lo, hi = float(v.min()), float(v.max())
    if hi <= lo:
        hi = lo * 1.01 + 1e-9 if log else lo + 1.0
    edges = np.geomspace(lo, hi, bins + 1) if log else np.linspace(lo, hi, bins + 1)
    counts, edges = np.histogram(v, bins=edges)
    centres = np.sqrt(edges[:-1] * edges[1:]) if log else (edges[:-1] + edges[1:]) / 2
    name = label(f"clv.{column}") if f"clv.{column}" in LABELS else column
    fig = go.Figure(go.Bar(x=centres, y=counts, width=np.diff(edges), name=label("clv.axis.customers"),
                           customdata=np.c_[edges[:-1], edges[1:]],
                           hovertemplate="%{customdata[0]:,.2f} – %{customdata[1]:,.2f}: %{y}<extra></extra>"))
    # the x axis spans the bins exactly, so both lines and their labels are inside the plot area
    to_axis = np.log10 if log else (lambda x: x)
    x_lo, x_hi = float(to_axis(edges[0])), float(to_axis(edges[-1]))
    mean, median = float(np.mean(v)), float(np.median(v))
    for stat, key, dash in ((mean, "clv.legend.mean", "solid"), (median, "clv.legend.median", "dash")):
        i = int(stat > min(mean, median) or (stat == mean and mean == median))  # 0: the smaller value
        fig.add_vline(x=stat, line_dash=dash, line_color="#444", line_width=1)
        # a line's label (in axis units: a log axis places annotations by log10 of the value) stands on the
        # side away from the other line, and never beyond the edge it is nearer to
        pos = float(to_axis(stat))
        share = (pos - x_lo) / (x_hi - x_lo) if x_hi > x_lo else 0.5
        anchor = ("right" if i == 0 else "left") if 0.2 < share < 0.8 else ("left" if share <= 0.2 else "right")
        fig.add_annotation(x=pos, xref="x", y=0.98 - 0.08 * i, yref="paper", xanchor=anchor, yanchor="top",
                           text=f"{label(key)} {stat:,.0f} {currency}".rstrip(), showarrow=False, xshift=4 if anchor == "left" else -4,
                           bgcolor="rgba(255,255,255,0.8)")
    unit = _unit(currency)  # the amounts' currency beside the axis name
    fig.update_layout(title=label("clv.title.distribution"), xaxis_title=name + unit,
                      yaxis_title=label("clv.axis.customers"),
                      bargap=0.02, showlegend=False)
    fig.update_xaxes(range=[x_lo, x_hi], type="log" if log else None)
    fig.update_yaxes(range=[0, float(counts.max()) * 1.25 if counts.max() > 0 else 1])
    return fig


def plot_calibration_holdout(bg, cal: pd.DataFrame, *, max_frequency: int = 7) -> go.Figure:
    """Mean holdout purchases, actual vs predicted, by calibration frequency (FHL 2005a, Figure 4).

    Parameters
    ----------
    bg : BetaGeoModel
        Fitted on the calibration columns of ``cal``.
    cal : pandas.DataFrame
        From :func:`crmmine.calibration_holdout_summary`.
    max_frequency : int, default=7
        Customers with more calibration repeat purchases are pooled into the last group ("7+").

    Returns
    -------
    plotly.graph_objects.Figure
        Two traces, ``Actual`` and ``Predicted``; x = calibration frequency groups,
        y = mean purchase days per customer in the holdout period.
    """
    if isinstance(max_frequency, bool) or not isinstance(max_frequency, (int, np.integer)) or max_frequency < 1:
        raise ParameterError(f"The 'max_frequency' parameter must be an integer >= 1. Got {max_frequency!r} instead.")
    need = ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout"]
    if not isinstance(cal, pd.DataFrame) or any(c not in cal.columns for c in need):
        raise InputError("The 'cal' parameter must be the table of crmmine.calibration_holdout_summary "
                         f"(columns {', '.join(need)}).")
    summary = cal[["frequency_cal", "recency_cal", "T_cal"]].rename(columns=lambda c: c.removesuffix("_cal"))
    summary.attrs = dict(cal.attrs)
    duration = float(cal["duration_holdout"].iloc[0])
    predicted = bg.expected_purchases(duration, summary).to_numpy()
    group = np.minimum(cal["frequency_cal"].to_numpy(dtype=np.int64), max_frequency)
    counts = np.bincount(group, minlength=max_frequency + 1)
    act = np.bincount(group, weights=cal["frequency_holdout"].to_numpy(dtype=float), minlength=max_frequency + 1)
    pre = np.bincount(group, weights=predicted, minlength=max_frequency + 1)
    keep = counts > 0
    names = [str(i) for i in range(max_frequency)] + [f"{max_frequency}+"]
    x = [n for n, k in zip(names, keep) if k]
    n = counts[keep]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=act[keep] / n, mode="lines+markers", name=label("clv.legend.actual"),
                             customdata=n, hovertemplate="%{x}: %{y:.2f} (n=%{customdata})<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=pre[keep] / n, mode="lines+markers", name=label("clv.legend.predicted"),
                             line={"dash": "dash"}, customdata=n,
                             hovertemplate="%{x}: %{y:.2f} (n=%{customdata})<extra></extra>"))
    fig.update_layout(title=label("clv.title.calibration_holdout"), xaxis_title=label("clv.axis.frequency_cal"),
                      yaxis_title=label("clv.axis.mean_holdout"))
    fig.update_xaxes(type="category")
    return fig


def plot_probability_alive(bg, summary: pd.DataFrame, *, max_frequency: int | None = None,
                           n_recency: int = 50) -> go.Figure:
    """Heat map of P(alive) by frequency and recency, for a customer observed as long as the longest (max T).

    Uses :meth:`crmmine.BetaGeoModel.probability_alive` (Fader, Hardie & Lee 2008) on a
    grid; a customer with many purchases long ago (high frequency, low recency) is the
    likeliest to have left.

    Parameters
    ----------
    bg : BetaGeoModel
        A fitted model.
    summary : pandas.DataFrame
        From :func:`crmmine.clv_summary`; sets T (its maximum), the recency range and
        the time unit.
    max_frequency : int or None, default=None
        Largest frequency shown; ``None``: the 99th percentile of ``summary.frequency`` (at least 5).
    n_recency : int, default=50
        Number of recency steps between 0 and T.

    Returns
    -------
    plotly.graph_objects.Figure
        One heatmap trace: ``z[i, j]`` = P(alive) at frequency ``y[i]`` and recency ``x[j]``.
    """
    if not isinstance(summary, pd.DataFrame) or not {"frequency", "T"} <= set(summary.columns):
        raise InputError("The 'summary' parameter must be the table of crmmine.clv_summary (frequency, recency, T).")
    if max_frequency is None:
        max_frequency = max(5, int(np.ceil(summary["frequency"].quantile(0.99))))
    if isinstance(max_frequency, bool) or not isinstance(max_frequency, (int, np.integer)) or max_frequency < 1:
        raise ParameterError(
            f"The 'max_frequency' parameter must be an integer >= 1 or None. Got {max_frequency!r} instead."
        )
    if isinstance(n_recency, bool) or not isinstance(n_recency, (int, np.integer)) or n_recency < 2:
        raise ParameterError(f"The 'n_recency' parameter must be an integer >= 2. Got {n_recency!r} instead.")
    T = float(summary["T"].max())
    freq = np.arange(0, max_frequency + 1)
    rec = np.linspace(0.0, T, n_recency)
    F, R = np.meshgrid(freq, rec, indexing="ij")
    grid = pd.DataFrame({"frequency": F.ravel(), "recency": np.where(F.ravel() == 0, 0.0, R.ravel()),
                         "T": np.full(F.size, T)})
    z = bg.probability_alive(grid).to_numpy().reshape(F.shape)  # frequency 0: always 1 in BG/NBD
    unit = summary.attrs.get("time_unit") or getattr(bg, "time_unit_", None) or "D"
    fig = go.Figure(go.Heatmap(x=rec, y=freq, z=z, zmin=0.0, zmax=1.0, colorscale="Viridis",
                               colorbar={"title": {"text": label("clv.probability_alive")}}))
    fig.update_layout(title=label("clv.title.probability_alive"),
                      xaxis_title=label("clv.axis.recency", unit=label(f"clv.unit.{unit}")),
                      yaxis_title=label("clv.axis.frequency"))
    return fig


def plot_value_decomposition(value: pd.DataFrame, *, n_groups: int = 10) -> go.Figure:
    """Historical, predicted and potential value by customer group ranked on total value (stacked bars).

    Customers are sorted by ``total_value`` (highest first) and cut into ``n_groups`` groups
    of equal size (deciles by default); each bar stacks the groups' summed historical,
    predicted and potential value, so the chart shows both the concentration of value
    and how much of it is still to come.

    Parameters
    ----------
    value : pandas.DataFrame
        From :func:`crmmine.customer_value`.
    n_groups : int, default=10
        Number of groups (at most the number of customers).

    Returns
    -------
    plotly.graph_objects.Figure
        Three bar traces (historical, predicted, potential); x = group "1" (top) ... "n".
    """
    need = ["historical_value", "predicted_value", "potential_value", "total_value"]
    if not isinstance(value, pd.DataFrame) or any(c not in value.columns for c in need):
        raise InputError(
            f"The 'value' parameter must be the table of crmmine.customer_value (columns {', '.join(need)})."
        )
    if isinstance(n_groups, bool) or not isinstance(n_groups, (int, np.integer)) or n_groups < 1:
        raise ParameterError(f"The 'n_groups' parameter must be an integer >= 1. Got {n_groups!r} instead.")
    if len(value) == 0:
        raise InputError("The 'value' table has no customers.")
    k = min(int(n_groups), len(value))
    order = np.argsort(-value["total_value"].to_numpy(dtype=float), kind="stable")
    group = np.empty(len(value), dtype=np.int64)
    group[order] = np.arange(len(value)) * k // len(value)
    names = [str(i + 1) for i in range(k)]
    counts = np.bincount(group, minlength=k)
    fig = go.Figure()
    for col in ("historical_value", "predicted_value", "potential_value"):
        sums = np.bincount(group, weights=value[col].to_numpy(dtype=float), minlength=k)
        fig.add_trace(go.Bar(x=names, y=sums, name=label(f"clv.{col}"), customdata=counts,
                             hovertemplate="%{x}: %{y:,.0f} (n=%{customdata})<extra></extra>"))
    fig.update_layout(barmode="stack", title=label("clv.title.decomposition"),
                      xaxis_title=label("clv.axis.value_group", n=k), yaxis_title=label("clv.axis.value"))
    fig.update_xaxes(type="category")
    return fig


# --------------------------------------------------------------------------------------
# tracking plots (issue 13)
# --------------------------------------------------------------------------------------
def plot_tracking(tracking: pd.DataFrame, *, cumulative: bool = False) -> go.Figure:
    """Weekly (or cumulative) repeat purchase days, actual vs model, over calibration and holdout.

    The tracking plots of Fader, Hardie & Lee (2005, figures 2-3): the line the model draws from the
    calibration data alone, against what happened, with the end of the fitting period marked.

    Parameters
    ----------
    tracking : pandas.DataFrame
        From :func:`crmmine.tracking_table`.
    cumulative : bool, default=False
        Cumulative counts instead of weekly ones.

    Returns
    -------
    plotly.graph_objects.Figure
        Two line traces (actual, model) and a vertical line at the calibration end.
    """
    need = ["actual", "expected", "actual_cumulative", "expected_cumulative"]
    if not isinstance(tracking, pd.DataFrame) or any(c not in tracking.columns for c in need):
        raise InputError("The 'tracking' parameter must be the table of crmmine.tracking_table(...).")
    a, e = ("actual_cumulative", "expected_cumulative") if cumulative else ("actual", "expected")
    x = tracking.index
    fig = go.Figure([
        go.Scatter(x=x, y=tracking[a], mode="lines", name=label("clv.tracking.legend.actual")),
        go.Scatter(x=x, y=tracking[e], mode="lines", name=label("clv.tracking.legend.model"), line={"dash": "dash"}),
    ])
    cal_end = tracking.attrs.get("calibration_end")
    if cal_end:
        fig.add_vline(x=pd.Timestamp(cal_end).timestamp() * 1000, line_dash="dot",
                      annotation_text=label("clv.tracking.legend.calibration_end"))
    title = "clv.tracking.title.cumulative" if cumulative else "clv.tracking.title.incremental"
    fig.update_xaxes(tickformat="%Y-%m")  # numeric months: plotly's month names are English in every language
    fig.update_layout(title=label(title), xaxis_title=label("clv.tracking.axis.week"),
                      yaxis_title=label("clv.tracking.axis.repeat"))
    return fig


def plot_probability_alive_history(history: pd.DataFrame) -> go.Figure:
    """One customer's P(alive) day by day, purchases marked (Fader & Hardie's P(alive) over time).

    Parameters
    ----------
    history : pandas.DataFrame
        From :func:`crmmine.probability_alive_history`.

    Returns
    -------
    plotly.graph_objects.Figure
        A line of P(alive) and markers on purchase days.
    """
    if not isinstance(history, pd.DataFrame) or not {"probability_alive", "purchase"} <= set(history.columns):
        raise InputError("The 'history' parameter must be the table of crmmine.probability_alive_history(...).")
    buys = history[history["purchase"].astype(bool)]
    fig = go.Figure([
        go.Scatter(x=history.index, y=history["probability_alive"], mode="lines",
                   name=label("clv.alive_history.axis.probability")),
        go.Scatter(x=buys.index, y=buys["probability_alive"], mode="markers", marker={"symbol": "diamond", "size": 9},
                   name=label("clv.alive_history.legend.purchase")),
    ])
    fig.update_layout(title=label("clv.alive_history.title", customer=history.attrs.get("customer_id", "")),
                      xaxis_title=label("clv.alive_history.axis.date"),
                      yaxis_title=label("clv.alive_history.axis.probability"), yaxis_range=[0, 1.02])
    return fig
