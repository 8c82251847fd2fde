"""Figures of loyalty: the attachment x repeat-purchase map and review scores against repeat purchase.

Every function takes a crmmine result and returns a ``plotly.graph_objects.Figure``; titles and
axis labels come from :mod:`crmmine.text.labels` (the current language).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..text.labels import label
from ..validation import check_table

__all__ = ["plot_loyalty_map", "plot_satisfaction_repeat"]

_MAX_POINTS = 5000


def plot_loyalty_map(types: pd.DataFrame, *, random_state: int = 0) -> go.Figure:
    """Scatter of orders (log axis, x) against attachment (y), one colour per loyalty type.

    The dashed lines are the thresholds of high repeat purchase and high attachment
    (``types.attrs``), so the four quadrants are Dick & Basu's (1994) cells. At most 5,000
    customers are drawn (a seeded sample), with a little jitter on the orders.

    Parameters
    ----------
    types : pandas.DataFrame
        Output of :func:`crmmine.loyalty_types`.
    random_state : int, default=0
        Seed of the sample and the jitter.
    """
    check_table(types, ["orders", "attachment", "loyalty_type", "loyalty_type_name"], name="types",
                what="the output of crmmine.loyalty_types", hint="Make it with crmmine.loyalty_types(tx).")
    rng = np.random.default_rng(random_state)
    t = types if len(types) <= _MAX_POINTS else types.iloc[np.sort(rng.choice(len(types), _MAX_POINTS, replace=False))]
    fig = go.Figure()
    jitter = np.exp(rng.uniform(-0.08, 0.08, size=len(t)))
    for key in t["loyalty_type"].cat.categories:
        m = (t["loyalty_type"] == key).to_numpy()
        if not m.any():
            continue
        fig.add_trace(go.Scattergl(x=t["orders"].to_numpy(dtype=float)[m] * jitter[m], y=t["attachment"].to_numpy()[m],
                                   mode="markers", name=str(t["loyalty_type_name"].iloc[np.flatnonzero(m)[0]]),
                                   marker={"size": 5, "opacity": 0.6}, text=t.index[m].astype(str),
                                   hovertemplate="%{text}<br>%{x:.0f} / %{y:.2f}<extra></extra>"))
    rep, att = types.attrs.get("repeat_threshold"), types.attrs.get("attachment_threshold")
    if rep is not None:
        fig.add_vline(x=rep - 0.5, line_dash="dash", line_color="grey")
    if att is not None:
        fig.add_hline(y=att, line_dash="dash", line_color="grey")
    fig.update_layout(title=label("loyalty.figure.map"), xaxis_title=label("loyalty.column.orders"),
                      yaxis_title=label("loyalty.column.attachment"), xaxis_type="log", template="plotly_white")
    return fig


def plot_satisfaction_repeat(result) -> go.Figure:
    """Bars of the share of customers who bought again per review score (the line: mean revenue).

    Parameters
    ----------
    result : crmmine.SatisfactionLoyalty
        Output of :func:`crmmine.satisfaction_loyalty`.
    """
    s = result.by_score
    fig = go.Figure()
    fig.add_trace(go.Bar(x=s.index.to_numpy(), y=s["repeat_rate"].to_numpy(),
                         name=label("satisfaction.column.repeat_rate"),
                         text=s["customers"].to_numpy(), hovertemplate="%{x}: %{y:.1%} (n=%{text})<extra></extra>"))
    fig.add_trace(go.Scatter(x=s.index.to_numpy(), y=s["mean_revenue"].to_numpy(), yaxis="y2", mode="lines+markers",
                             name=label("satisfaction.column.mean_revenue")))
    fig.update_layout(title=label("satisfaction.figure.repeat"), xaxis_title=label("satisfaction.column.score"),
                      yaxis={"title": label("satisfaction.column.repeat_rate"), "tickformat": ".1%"},  # rates under 1% too
                      yaxis2={"title": label("satisfaction.column.mean_revenue"), "overlaying": "y", "side": "right"},
                      template="plotly_white", legend={"orientation": "h"})
    return fig
