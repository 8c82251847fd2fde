"""Interactive panels for ``notebooks/explore.ipynb``: ipywidgets controls that re-run crmmine.

Each builder returns an :class:`ExplorerPanel`: a widget box (controls, a plotly figure, a
table) that displays itself in JupyterLab, plus the state a test or a student can read without
a browser (``panel.figure``, ``panel.table``, ``panel.controls``). Setting a control's value
(``panel.controls["k"].value = 5``) recomputes the panel through crmmine's public functions:

- :func:`segment_panel` - :class:`crmmine.CustomerSegmenter` on chosen features with k clusters;
- :func:`rules_panel` - rules mined once at the lowest thresholds (:func:`crmmine.mine_rules`),
  then filtered by the sliders (:func:`crmmine.filter_rules`), so moving a slider is instant;
- :func:`churn_panel` - a :class:`crmmine.ChurnModel` trained at ``as_of - horizon`` and
  scoring every customer at ``as_of``; the threshold marks who counts as at risk;
- :func:`customer_lookup` - one customer's lifecycle state, CLV, segment, churn risk and
  recommendations, read from the other panels' current state.

Figures are plain :class:`plotly.graph_objects.Figure` objects shown in an
:class:`ipywidgets.Output` (``go.FigureWidget`` needs ``anywidget`` with plotly >= 6, which
crmmine does not depend on).
"""

from __future__ import annotations

from pathlib import Path

import json

import pandas as pd

from ..errors import ParameterError
from ..text.labels import LABELS, label

__all__ = ["ExplorerPanel", "segment_panel", "rules_panel", "churn_panel", "customer_lookup", "explore_output_dir"]

_TABLE_ROWS = 15


class ExplorerPanel:
    """A box of controls, a figure and a table that recompute when a control changes.

    Attributes
    ----------
    widget : ipywidgets.VBox
        What the notebook displays (a panel displays as its widget).
    controls : dict of str to ipywidgets.Widget
        The controls by name; set ``.value`` to recompute.
    figure : plotly.graph_objects.Figure or None
        The current figure.
    table : pandas.DataFrame
        The current table (the first rows are shown).
    message : str
        The current one-sentence finding shown above the figure.
    """

    def __init__(self, title: str, controls: dict, update):
        import ipywidgets as w

        self.controls = controls
        self.figure = None
        self.table = pd.DataFrame()
        self.message = ""
        self._update = update
        self._title = w.HTML(f"<h3>{_esc(title)}</h3>")
        self._message = w.HTML()
        self._figure_out = w.Output()
        self._table = w.HTML()
        self.widget = w.VBox([self._title, w.HBox(list(controls.values())), self._message, self._figure_out,
                              self._table])
        for control in controls.values():
            control.observe(lambda _change: self.refresh(), names="value")
            if hasattr(control, "style") and hasattr(control.style, "description_width"):
                control.style.description_width = "initial"  # whole labels, not "Min confid…"

    def refresh(self) -> None:
        """Recompute from the controls' current values and redraw."""
        self.figure, self.table, self.message = self._update({k: c.value for k, c in self.controls.items()})
        self._message.value = f"<p>{_esc(self.message)}</p>"
        from .present import table

        self._table.value = str(table(self.table, max_rows=_TABLE_ROWS)) if len(self.table.columns) else ""
        # The figure goes into the Output widget's synced ``outputs`` directly, as the plotly mimetype
        # (JupyterLab's plotly extension draws it): no output capture, no clear_output, no renderer lookup.
        outputs = ()
        if self.figure is not None:
            bundle = {"application/vnd.plotly.v1+json": json.loads(self.figure.to_json()),
                      "text/plain": f"<{label('report.explore.figure_placeholder')}>"}
            outputs = ({"output_type": "display_data", "data": bundle, "metadata": {}},)
        self._figure_out.outputs = outputs

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def explore_output_dir(output_dir=None) -> Path:
    """Where the explorer writes: ``output_dir`` when given, else ``reports/explore`` of the repository
    (crmmine installed from a clone), else a new temporary folder; never ``notebooks/``."""
    import tempfile

    if output_dir not in (None, ""):
        return Path(output_dir)
    root = Path(__file__).resolve().parents[3]
    if (root / "notebooks").is_dir() and (root / "pyproject.toml").is_file():
        return root / "reports" / "explore"
    return Path(tempfile.mkdtemp(prefix="crmmine-explore-"))


def _esc(text: str) -> str:
    import html

    return html.escape(str(text))


def _product_names(tx: pd.DataFrame) -> pd.Series:
    """product_id -> its most frequent product_name (the id where there is none)."""
    if "product_name" not in tx.columns:
        return pd.Series(dtype=object)
    pairs = tx[["product_id", "product_name"]].dropna().astype(str)
    counts = pairs.value_counts().reset_index(name="n").sort_values(["product_id", "n", "product_name"],
                                                                     ascending=[True, False, True])
    return counts.drop_duplicates("product_id").set_index("product_id")["product_name"]


def _named(items, names: pd.Series) -> str:
    return " + ".join(sorted(str(names.get(str(i), i)) for i in items))


def _check_result(result):
    from ..data.clean import CleanResult

    if not isinstance(result, CleanResult):
        raise ParameterError(f"The 'result' parameter must be a CleanResult from crmmine.load_clean or crmmine.clean. "
                             f"Got {type(result).__name__} instead.")
    return result


# --------------------------------------------------------------------------- segments
def segment_panel(result, *, n_clusters: int = 4, features=None,
                  random_state: int = 0) -> ExplorerPanel:
    """Customer segments with k-means: choose the features and k.

    Parameters
    ----------
    result : crmmine.CleanResult
    n_clusters : int, default=4
        Initial k (slider from 2 to 10).
    features : sequence of str
        Initial features: numeric columns of :func:`crmmine.customer_table` without missing values;
        ``None`` (the default) starts from :class:`crmmine.CustomerSegmenter`'s own default features.
    random_state : int, default=0

    Returns
    -------
    ExplorerPanel
        Controls ``features`` and ``k``; ``panel.segments`` is the current segment name per customer.
    """
    import ipywidgets as w

    from ..customers import CustomerSegmenter, customer_table
    from ..customers.segment import DEFAULT_FEATURES
    from ..plotting import plot_cluster_scatter

    result = _check_result(result)
    customers = customer_table(result.transactions, returns=result.returns)
    numeric = [c for c in customers.columns
               if pd.api.types.is_numeric_dtype(customers[c]) and customers[c].notna().all()]
    if features is None:
        features = [f for f in DEFAULT_FEATURES if f in numeric]
    bad = [f for f in features if f not in numeric]
    if bad:
        raise ParameterError(f"The 'features' parameter must name numeric customer-table columns without missing "
                             f"values ({', '.join(numeric)}). Got {bad[0]!r} instead.")
    controls = {
        "features": w.SelectMultiple(options=numeric, value=tuple(features), rows=min(6, len(numeric)),
                                     description=label("report.explore.features")),
        "k": w.IntSlider(value=n_clusters, min=2, max=10, description=label("report.explore.k")),
    }

    def update(v):
        chosen = tuple(v["features"])
        if len(chosen) < 2:
            return None, pd.DataFrame(), label("report.explore.need_two_features")
        seg = CustomerSegmenter(v["k"], features=chosen, stability_runs=0, random_state=random_state).fit(customers)
        panel.segmenter = seg
        names = seg.names_.astype(str)
        twins = names.duplicated(keep=False)  # two clusters described alike get their number too
        names[twins] = [f"{n} ({label('segment.cluster', i=i)})" for i, n in zip(names.index[twins], names[twins])]
        panel.segments = seg.labels_.map(names).rename("segment")
        fig = plot_cluster_scatter(customers, seg, x=chosen[0], y=chosen[1])
        table = seg.profiles_.reset_index()
        biggest = seg.profiles_.sort_values("size", ascending=False).iloc[0]
        return fig, table, label("report.explore.segments_finding", k=seg.k_, name=biggest["name"],
                                 share=f"{biggest['share']:.0%}")

    panel = ExplorerPanel(label("report.explore.segments_title"), controls, update)
    panel.customers = customers
    panel.refresh()
    return panel


# --------------------------------------------------------------------------- rules
def rules_panel(result, *, min_support: float = 0.01, min_confidence: float = 0.3, min_lift: float = 1.0,
                lowest_support: float | None = None, lowest_confidence: float = 0.05, max_len: int = 3,
                level: str = "product") -> ExplorerPanel:
    """Association rules: mine once at the lowest thresholds, then filter with sliders.

    Parameters
    ----------
    result : crmmine.CleanResult
    min_support, min_confidence, min_lift : float
        Initial slider values.
    lowest_support : float, optional
        Support at which the rules are mined once (default: ``min_support``); the support slider
        cannot go below it.
    lowest_confidence : float, default=0.05
        Confidence at which the rules are mined once.
    max_len : int, default=3
        Largest itemset mined.
    level : {"product", "category"}, default="product"

    Returns
    -------
    ExplorerPanel
        Controls ``min_support``, ``min_confidence``, ``min_lift``; ``panel.rules`` is the
        current rule table (after filtering), ``panel.all_rules`` the mined one.
    """
    import ipywidgets as w

    from ..crosssell import filter_rules, make_baskets, mine_rules
    from ..plotting import plot_rules_scatter

    result = _check_result(result)
    lowest = min_support if lowest_support is None else lowest_support
    if lowest > min_support:
        raise ParameterError(f"The 'lowest_support' parameter must be at most min_support ({min_support}). "
                             f"Got {lowest} instead.")
    tx = result.transactions
    data = tx if level == "product" else make_baskets(tx, level=level)
    all_rules = mine_rules(data, min_support=lowest, min_confidence=min(lowest_confidence, min_confidence),
                           max_len=max_len, sort_by="lift")
    names = _product_names(tx)
    n_orders = tx["order_id"].nunique()
    controls = {
        "min_support": w.FloatSlider(value=min_support, min=lowest, max=max(0.1, min_support), step=lowest / 2,
                                     readout_format=".3f", description=label("report.explore.min_support")),
        "min_confidence": w.FloatSlider(value=min_confidence, min=min(lowest_confidence, min_confidence), max=1.0,
                                        step=0.05, description=label("report.explore.min_confidence")),
        "min_lift": w.FloatSlider(value=min_lift, min=0.5, max=max(20.0, min_lift), step=0.5,
                                  description=label("report.explore.min_lift")),
    }

    def update(v):
        rules = filter_rules(all_rules, min_support=v["min_support"], min_confidence=v["min_confidence"],
                             min_lift=v["min_lift"], sort_by="lift")
        panel.rules = rules
        if rules.empty:
            return None, pd.DataFrame(), label("report.explore.no_rules", n=f"{len(all_rules):,}")
        fig = plot_rules_scatter(rules)
        table = pd.DataFrame({
            "if_bought": [_named(a, names) for a in rules["antecedents"]],
            "then_buys": [_named(c, names) for c in rules["consequents"]],
            "support": rules["support"].to_numpy(), "confidence": rules["confidence"].to_numpy(),
            "lift": rules["lift"].to_numpy(),
        })
        return fig, table, label("report.explore.rules_finding", n=f"{len(rules):,}", total=f"{len(all_rules):,}",
                                 orders=f"{n_orders:,}")

    panel = ExplorerPanel(label("report.explore.rules_title"), controls, update)
    panel.all_rules = all_rules
    panel.names = names
    panel.level = level
    panel.refresh()
    return panel


# --------------------------------------------------------------------------- churn
def churn_panel(result, *, horizon_days: int = 90, threshold: float = 0.5, as_of=None, model: str = "logistic",
                random_state: int = 0) -> ExplorerPanel:
    """Churn risk now: trained on the window that ended at ``as_of``, scored at ``as_of``.

    For a horizon ``h`` the model learns from features at ``as_of - h`` (at the latest, ``h`` days
    before the last transaction day) and whether each customer bought in the ``h`` days after (:func:`crmmine.churn_labels`), then scores every customer at
    ``as_of`` (:func:`crmmine.churn_features`). Each horizon is fitted once and cached.

    Parameters
    ----------
    result : crmmine.CleanResult
    horizon_days : int, default=90
        Initial horizon (slider 30 to 180 days).
    threshold : float, default=0.5
        Initial risk threshold: customers with P(churn) at or above it are "at risk".
    as_of : date-like, optional
        Default: the day after the last transaction.
    model : {"logistic", "hgb"}, default="logistic"
    random_state : int, default=0

    Returns
    -------
    ExplorerPanel
        Controls ``horizon_days`` and ``threshold``; ``panel.risk`` is P(churn) per customer.
    """
    import ipywidgets as w
    import plotly.graph_objects as go

    from ..churn import ChurnModel, churn_features, churn_labels

    result = _check_result(result)
    tx = result.transactions
    last = tx["order_date"].max().normalize()
    as_of = last + pd.Timedelta(days=1) if as_of is None else pd.Timestamp(as_of)
    cache: dict[int, pd.Series] = {}

    def risk_for(h: int) -> pd.Series:
        if h not in cache:
            train_cutoff = min(as_of, last) - pd.Timedelta(days=h)  # its label window is observed
            X = churn_features(tx, cutoff=train_cutoff, horizon_days=h, returns=result.returns)
            y = churn_labels(tx, cutoff=train_cutoff, horizon_days=h)
            fitted = ChurnModel(model, random_state=random_state).fit(X, y)
            cache[h] = fitted.predict_proba(churn_features(tx, cutoff=as_of, horizon_days=h, returns=result.returns))
        return cache[h]

    controls = {
        "horizon_days": w.IntSlider(value=horizon_days, min=30, max=180, step=30,
                                    description=label("report.explore.horizon")),
        "threshold": w.FloatSlider(value=threshold, min=0.05, max=0.95, step=0.05,
                                   description=label("report.explore.threshold")),
    }

    def update(v):
        risk = risk_for(int(v["horizon_days"]))
        panel.risk = risk
        at_risk = risk[risk >= v["threshold"]].sort_values(ascending=False, kind="stable")
        fig = go.Figure(go.Histogram(x=risk.to_numpy(), xbins={"start": 0, "end": 1, "size": 0.05},
                                     name=label("report.explore.p_churn")))
        fig.add_vline(x=v["threshold"], line_dash="dash")
        fig.update_layout(title_text=label("report.explore.churn_figure", h=int(v["horizon_days"])),
                          xaxis_title=label("report.explore.p_churn"), yaxis_title=label("axis.customers"),
                          bargap=0.05)
        table = at_risk.rename("p_churn").reset_index()
        return fig, table, label("report.explore.churn_finding", n=f"{len(at_risk):,}",
                                 share=f"{len(at_risk) / max(len(risk), 1):.0%}", threshold=f"{v['threshold']:.2f}",
                                 h=int(v["horizon_days"]))

    panel = ExplorerPanel(label("report.explore.churn_title"), controls, update)
    panel.as_of = as_of
    panel.refresh()
    return panel


# --------------------------------------------------------------------------- one customer
def customer_lookup(result, *, segments: ExplorerPanel, rules: ExplorerPanel, churn: ExplorerPanel,
                    customer_id: str | None = None, top_n: int = 5, clv_horizon_days: int = 365,
                    discount_rate: float = 0.1) -> ExplorerPanel:
    """One customer at a glance: lifecycle state, CLV, segment, churn risk, recommendations.

    The segment, churn risk and rules come from the other panels' current settings, so moving a
    slider there changes what the lookup shows at its next refresh (changing the customer, or
    ``panel.refresh()``).

    Parameters
    ----------
    result : crmmine.CleanResult
    segments, rules, churn : ExplorerPanel
        From :func:`segment_panel`, :func:`rules_panel`, :func:`churn_panel`.
    customer_id : str, optional
        Initial customer (default: the one with the highest CLV).
    top_n : int, default=5
        Recommendations shown.
    clv_horizon_days, discount_rate
        Passed to :func:`crmmine.customer_value`.

    Returns
    -------
    ExplorerPanel
        Control ``customer_id``; ``panel.table`` holds the customer's summary row, ``panel.
        recommendations`` the recommendations, ``panel.figure`` the customer's monthly spend;
        :meth:`overview` is the whole customer table (state, CLV, segment, risk).
    """
    import ipywidgets as w
    import plotly.graph_objects as go

    from ..clv import customer_value
    from ..crosssell import recommend
    from ..customers import lifecycle_states

    result = _check_result(result)
    tx = result.transactions
    value = customer_value(tx, horizon_days=clv_horizon_days, discount_rate=discount_rate, returns=result.returns)
    states = lifecycle_states(segments.customers)
    ids = value.sort_values("predicted_value", ascending=False, kind="stable").index.astype(str)
    first = ids[0] if customer_id is None else str(customer_id)

    def overview() -> pd.DataFrame:
        out = pd.DataFrame(index=segments.customers.index)
        out["lifecycle_state"] = states.astype(object)
        out["historical_value"] = value["historical_value"]
        out["predicted_value"] = value["predicted_value"]
        out["probability_alive"] = value["probability_alive"]
        out["segment"] = getattr(segments, "segments", pd.Series(dtype=object))
        out["p_churn"] = churn.risk
        return out.reset_index()

    controls = {"customer_id": w.Combobox(value=first, options=tuple(ids[:5000]), ensure_option=False,
                                          description=label("report.explore.customer"))}

    def update(v):
        cid = str(v["customer_id"]).strip()
        mine = tx[tx["customer_id"].astype(str) == cid]
        if mine.empty:
            panel.recommendations = pd.DataFrame()
            return None, pd.DataFrame(), label("report.explore.unknown_customer", customer=cid)
        row = overview()
        row = row[row["customer_id"].astype(str) == cid].reset_index(drop=True)
        recs = recommend(tx, rules.rules, top_n=top_n, customers=[mine["customer_id"].iloc[0]], level=rules.level) \
            if not rules.rules.empty else pd.DataFrame(columns=["product_id"])
        recs = recs.assign(product_name=recs["product_id"].astype(str).map(rules.names)) if len(recs) else recs
        panel.recommendations = recs
        monthly = mine.groupby(mine["order_date"].dt.to_period("M"))["amount"].sum()
        fig = go.Figure(go.Bar(x=monthly.index.astype(str), y=monthly.to_numpy()))
        fig.update_layout(title_text=label("report.explore.customer_figure", customer=cid),
                          xaxis_title=label("axis.date"), yaxis_title=label("axis.revenue"))
        fig.update_xaxes(type="category")  # months as labels: one month is one bar, not a millisecond axis
        r = row.iloc[0]
        state = str(r["lifecycle_state"])
        state = label(f"lifecycle.state.{state}") if f"lifecycle.state.{state}" in LABELS else state
        message = label("report.explore.customer_finding", customer=cid, state=state,
                        clv=f"{r['predicted_value']:,.0f}", segment=r["segment"],
                        risk="?" if pd.isna(r["p_churn"]) else f"{r['p_churn']:.0%}", n=len(recs))
        table = row.copy()
        if len(recs):
            table["recommendations"] = "; ".join(recs["product_name"].fillna(recs["product_id"].astype(str)))
        return fig, table, message

    panel = ExplorerPanel(label("report.explore.customer_title"), controls, update)
    panel.overview = overview
    panel.value = value
    panel.refresh()
    return panel
