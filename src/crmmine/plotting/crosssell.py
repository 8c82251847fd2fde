"""Cross-sell figures: rules scatter, rule matrix, rule network, item frequency, evaluation.

Each ``plot_*`` function takes a crmmine result (a rules table from
:func:`crmmine.mine_rules`, an :func:`crmmine.item_frequency` table, a
:class:`crmmine.RecommendationEvaluation`) and returns a ``plotly.graph_objects.Figure``;
none calls ``show()``. Titles and axes come from :mod:`crmmine.text.labels`. The figures follow
the standard visualisations of association rules of Hahsler & Chelluboina (2011):
scatter plot of support vs confidence shaded by lift, matrix of antecedents vs
consequents, and a graph with items and rules as vertices.

References
----------
.. [1] M. Hahsler, S. Chelluboina (2011), "Visualizing association rules: introduction to
   the R-extension package arulesViz", R project module, 223-238.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..errors import ParameterError
from ..validation import check_int
from ..text.labels import label
from ..crosssell.recommend import _check_rules, _item_lists, rule_text

__all__ = [
    "plot_rules_scatter",
    "plot_rule_matrix",
    "plot_rule_network",
    "plot_item_frequency",
    "plot_evaluation",
]

_COLORSCALE = "Viridis"


def _top_rules(rules: pd.DataFrame, top_n: int | None) -> pd.DataFrame:
    """Rules sorted by lift, then confidence, then support, then text (deterministic)."""
    rules = _check_rules(rules)
    if top_n is not None:
        top_n = check_int("top_n", top_n, lo=1)
    ante = _item_lists(rules["antecedents"], "antecedents")
    cons = _item_lists(rules["consequents"], "consequents")
    out = pd.DataFrame(
        {
            "ante": ante,
            "cons": cons,
            "ante_text": [" + ".join(a) for a in ante],
            "cons_text": [" + ".join(c) for c in cons],
            "rule": [rule_text(a, c) for a, c in zip(ante, cons)],
            "support": rules["support"].to_numpy(dtype=float),
            "confidence": rules["confidence"].to_numpy(dtype=float),
            "lift": rules["lift"].to_numpy(dtype=float),
        }
    )
    out = out.sort_values(["lift", "confidence", "support", "rule"], ascending=[False, False, False, True],
                          kind="stable", ignore_index=True)
    return out if top_n is None else out.head(top_n)


def _hover(t: pd.DataFrame) -> list[str]:
    s, c, lf = label("reco.axis.support"), label("reco.axis.confidence"), label("reco.axis.lift")
    return [f"{r}<br>{s}: {sp:.1%}<br>{c}: {cf:.0%}<br>{lf}: {li:.2f}"
            for r, sp, cf, li in zip(t["rule"], t["support"], t["confidence"], t["lift"])]


def plot_rules_scatter(rules: pd.DataFrame) -> go.Figure:
    """Support (x) vs confidence (y) of every rule, coloured by lift (Hahsler & Chelluboina 2011).

    Parameters
    ----------
    rules : pandas.DataFrame
        Rules as :func:`crmmine.mine_rules` returns.

    Returns
    -------
    plotly.graph_objects.Figure
        One scatter trace; hover text gives each rule and its measures.
    """
    t = _top_rules(rules, None).iloc[::-1]  # strongest drawn last, on top
    fig = go.Figure(
        go.Scatter(
            x=t["support"].to_numpy(),
            y=t["confidence"].to_numpy(),
            mode="markers",
            marker={"color": t["lift"].to_numpy(), "colorscale": _COLORSCALE, "showscale": True, "size": 8,
                    "colorbar": {"title": {"text": label("reco.axis.lift")}}, "opacity": 0.8},
            text=_hover(t),
            hoverinfo="text",
            name=label("reco.heading.rules"),
        )
    )
    fig.update_layout(title=label("reco.title.rules_scatter"), xaxis_title=label("reco.axis.support"),
                      yaxis_title=label("reco.axis.confidence"), template="plotly_white",
                      xaxis_tickformat=".1%", yaxis_tickformat=".0%")  # shares as percentages
    return fig


def plot_rule_matrix(rules: pd.DataFrame, *, top_n: int = 30) -> go.Figure:
    """Heat map of the ``top_n`` rules by lift: antecedent (rows) x consequent (columns), colour = lift.

    The matrix visualisation of Hahsler & Chelluboina (2011). Cells without a rule are empty.

    Parameters
    ----------
    rules : pandas.DataFrame
        Rules as :func:`crmmine.mine_rules` returns.
    top_n : int, default=30
        Rules shown (strongest by lift, then confidence).
    """
    t = _top_rules(rules, top_n)
    rows = sorted(t["ante_text"].unique())
    cols = sorted(t["cons_text"].unique())
    z = np.full((len(rows), len(cols)), np.nan)
    hover = np.full((len(rows), len(cols)), "", dtype=object)
    ri = pd.Index(rows).get_indexer(t["ante_text"])
    ci = pd.Index(cols).get_indexer(t["cons_text"])
    z[ri, ci] = t["lift"].to_numpy()
    hover[ri, ci] = _hover(t)
    fig = go.Figure(
        go.Heatmap(z=z, x=cols, y=rows, colorscale=_COLORSCALE, text=hover, hoverinfo="text",
                   colorbar={"title": {"text": label("reco.axis.lift")}}, hoverongaps=False)
    )
    fig.update_layout(title=label("reco.title.rule_matrix"), xaxis_title=label("reco.axis.consequents"),
                      yaxis_title=label("reco.axis.antecedents"), template="plotly_white")
    # axis labels shortened (each product name to a few words, its code kept); the full rule is on hover
    fig.update_layout(height=max(450, 24 * len(rows) + 320))  # a row per antecedent that can be read
    fig.update_xaxes(type="category", tickmode="array", tickvals=cols, ticktext=[_short_side(c) for c in cols])
    fig.update_yaxes(type="category", tickmode="array", tickvals=rows, ticktext=[_short_side(r) for r in rows])
    return fig


_ITEM_WITH_CODE = __import__("re").compile(r"^(?P<name>.+) \((?P<code>[^()]+)\)$")


def _short_side(text: str, width: int = 16) -> str:
    """``"HERB MARKER ROSEMARY (22917) + HERB MARKER MINT (22919)"`` -> ``"HERB MA…ROSEMARY (22917) + HERB MARKER
    MINT (22919)"``: each name cut to ``width`` characters in its middle, codes kept (an axis label, not the full
    text)."""
    parts = []
    for part in str(text).split(" + "):
        m = _ITEM_WITH_CODE.match(part)
        name, code = (m["name"], f" ({m['code']})") if m else (part, "")
        if len(name) > width:  # the start and the end (where names often differ: "HERB MARKER ROSEMARY")
            head = (width - 1) // 2
            name = name[:head].rstrip() + "…" + name[-(width - 1 - head):].lstrip()
        parts.append(name + code)
    return " + ".join(parts)


def _node_text(item, name_of: dict) -> str:
    """A node's label: the product name (shortened) with its code, or the code alone."""
    name = name_of.get(item)
    if not isinstance(name, str) or not name.strip() or name == item:
        return str(item)
    name = name.strip()
    return f"{name[:22].rstrip()}… ({item})" if len(name) > 24 else f"{name} ({item})"


def plot_rule_network(rules: pd.DataFrame, *, top_n: int = 20, names=None) -> go.Figure:
    """The ``top_n`` rules by lift as a graph: items and rules are vertices (Hahsler & Chelluboina 2011).

    Edges run from each antecedent item to the rule's vertex and from it to each
    consequent item. The layout is deterministic and needs no graph library: items sit on
    a circle in the order they first appear among the rules (strongest first), each rule
    on an inner circle at the circular mean of its items' angles. A rule vertex's colour is
    its lift, its size its confidence.

    Parameters
    ----------
    rules : pandas.DataFrame
        Rules as :func:`crmmine.mine_rules` returns.
    top_n : int, default=20
        Rules drawn.
    names : dict or pandas.Series or None, default=None
        Item id -> display name for hover text (e.g. product names).
    """
    t = _top_rules(rules, top_n)
    order: dict[str, int] = {}
    for a, c in zip(t["ante"], t["cons"]):
        for it in [*a, *c]:
            order.setdefault(it, len(order))
    items = list(order)
    n = max(len(items), 1)
    ang = 2 * np.pi * np.arange(len(items)) / n
    ix, iy = np.cos(ang), np.sin(ang)
    rx, ry = np.zeros(len(t)), np.zeros(len(t))
    edge_x: list[float | None] = []
    edge_y: list[float | None] = []
    for k, (a, c) in enumerate(zip(t["ante"], t["cons"])):
        idx = [order[i] for i in [*a, *c]]
        theta = np.arctan2(np.sin(ang[idx]).mean(), np.cos(ang[idx]).mean()) + 0.04 * (k % 3 - 1)
        radius = 0.55 - 0.08 * (k % 4)
        rx[k], ry[k] = radius * np.cos(theta), radius * np.sin(theta)
        for i in a:
            edge_x += [ix[order[i]], rx[k], None]
            edge_y += [iy[order[i]], ry[k], None]
        for i in c:
            edge_x += [rx[k], ix[order[i]], None]
            edge_y += [ry[k], iy[order[i]], None]
    name_of = dict(names) if names is not None else {}
    conf = t["confidence"].to_numpy()
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=edge_x, y=edge_y, mode="lines", line={"color": "#b0b0b0", "width": 1},
                             hoverinfo="skip", showlegend=False))
    fig.add_trace(
        go.Scatter(
            x=rx, y=ry, mode="markers",
            marker={"symbol": "diamond", "size": 8 + 16 * conf, "color": t["lift"].to_numpy(),
                    "colorscale": _COLORSCALE, "showscale": True,
                    "colorbar": {"title": {"text": label("reco.axis.lift")}}},
            text=_hover(t), hoverinfo="text", name=label("reco.heading.rules"), showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=ix, y=iy, mode="markers+text", text=[_node_text(i, name_of) for i in items], textposition="top center",
            marker={"size": 12, "color": "#4c78a8"},
            hovertext=[f"{i}<br>{name_of.get(i, '')}" if i in name_of else i for i in items], hoverinfo="text",
            name=label("reco.axis.item"), showlegend=False,
        )
    )
    fig.update_layout(title=label("reco.title.rule_network"), template="plotly_white",
                      xaxis={"visible": False, "scaleanchor": "y"}, yaxis={"visible": False})
    return fig


def plot_item_frequency(frequency: pd.DataFrame, *, top_n: int = 20) -> go.Figure:
    """Horizontal bars: share of orders containing each of the ``top_n`` most frequent items.

    Parameters
    ----------
    frequency : pandas.DataFrame
        The table :func:`crmmine.item_frequency` returns (``item``, ``item_name``, ``support``).
    top_n : int, default=20
        Items shown.
    """
    if not isinstance(frequency, pd.DataFrame) or not {"item", "item_name", "support"} <= set(frequency.columns):
        raise ParameterError(
            "The 'frequency' parameter must be the table crmmine.item_frequency returns "
            f"(columns item, item_name, support). Got {type(frequency).__name__} instead."
        )
    top_n = check_int("top_n", top_n, lo=1)
    t = frequency.head(top_n).iloc[::-1]
    ylab = [f"{n} ({i})" if str(n) != str(i) else str(i) for i, n in zip(t["item"], t["item_name"])]
    fig = go.Figure(
        go.Bar(x=t["support"].to_numpy(), y=ylab, orientation="h", marker={"color": "#4c78a8"},
               hovertemplate="%{y}<br>%{x:.2%}<extra></extra>", name=label("reco.axis.share_of_orders"))
    )
    fig.update_layout(title=label("reco.title.item_frequency"), xaxis_title=label("reco.axis.share_of_orders"),
                      yaxis_title=label("reco.axis.item"), template="plotly_white", xaxis_tickformat=".0%")
    return fig


def plot_evaluation(evaluation) -> go.Figure:
    """Grouped bars: hit rate, precision@K, recall@K and coverage of the rules vs the baseline.

    Parameters
    ----------
    evaluation : RecommendationEvaluation
        What :func:`crmmine.evaluate_recommendations` returns.
    """
    table = getattr(evaluation, "table", None)
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(
            "The 'evaluation' parameter must be what crmmine.evaluate_recommendations returns. "
            f"Got {type(evaluation).__name__} instead."
        )
    metrics = ["hit_rate", "precision_at_k", "recall_at_k", "coverage"]
    x = [label(f"reco.metric.{m}") for m in metrics]
    fig = go.Figure()
    for _, row in table.iterrows():
        fig.add_trace(go.Bar(x=x, y=[row[m] for m in metrics], name=label(f"reco.recommender.{row['recommender']}"),
                             hovertemplate="%{x}: %{y:.1%}<extra></extra>"))
    fig.update_layout(title=label("reco.title.evaluation"), xaxis_title=label("reco.axis.metric"),
                      yaxis_title=label("reco.axis.value"), barmode="group", template="plotly_white",
                      yaxis_tickformat=".0%")
    return fig
