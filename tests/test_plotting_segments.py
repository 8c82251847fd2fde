"""Figures of customer value: each returns a plotly Figure with the expected data and labelled titles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import crmmine
from crmmine import plotting
from crmmine.errors import MissingColumnError, ParameterError
from crmmine.text.labels import set_language


@pytest.fixture(scope="module")
def sample():
    r = crmmine.load_clean("sample")
    t = crmmine.rfm_table(r.transactions, returns=r.returns)
    t["lifecycle_state"] = crmmine.lifecycle_states(t)
    return r, t


@pytest.fixture(scope="module")
def segmenter(sample):
    return crmmine.CustomerSegmenter(3, stability_runs=0, random_state=0).fit(sample[1])


def test_rfm_grid_counts_match_the_table(sample):
    _, t = sample
    fig = plotting.plot_rfm_grid(t)
    assert isinstance(fig, go.Figure) and fig.layout.title.text == "Customers by recency and frequency score"
    z = np.asarray(fig.data[0].z)
    assert z.shape == (5, 5) and z.sum() == len(t)
    assert z[4, 4] == ((t["r_score"] == 5) & (t["f_score"] == 5)).sum()  # row = f_score, column = r_score
    rev = np.asarray(plotting.plot_rfm_grid(t, value="revenue").data[0].z)
    assert rev.sum() == pytest.approx(t["monetary_total"].sum())
    with pytest.raises(ParameterError, match=r"The 'value' parameter must be one of 'customers', 'revenue'"):
        plotting.plot_rfm_grid(t, value="orders")
    with pytest.raises(MissingColumnError, match=r"no column 'f_score'"):
        plotting.plot_rfm_grid(t.drop(columns="f_score"))


def test_rfm_treemap(sample):
    _, t = sample
    fig = plotting.plot_rfm_treemap(t)
    assert sum(fig.data[0].values) == len(t)
    assert "Champions" in fig.data[0].labels
    assert sum(fig.data[0].marker.colors) == pytest.approx(1.0)


def test_segment_sizes(sample):
    _, t = sample
    fig = plotting.plot_segment_sizes(t)
    assert [tr.name for tr in fig.data] == ["Share of customers", "Share of revenue"]
    assert sum(fig.data[0].y) == pytest.approx(100) and sum(fig.data[1].y) == pytest.approx(100)
    life = plotting.plot_segment_sizes(t, segment="lifecycle_state")
    assert list(life.data[0].x) == ["New", "Active (repeat)", "Loyal", "At risk", "Lost"]


def test_cohort_heatmap(sample):
    r, _ = sample
    c = crmmine.cohort_table(r.transactions, normalize=True)
    fig = plotting.plot_cohort_heatmap(c)
    assert fig.layout.title.text == "Acquisition cohorts"
    assert fig.data[0].text[0][0] == "100%"
    with pytest.raises(ParameterError, match=r"must be a table from crmmine.cohort_table"):
        plotting.plot_cohort_heatmap(pd.DataFrame({"a": [1]}))


def test_lorenz_curve_title_has_the_gini(sample):
    _, t = sample
    fig = plotting.plot_lorenz_curve(t["monetary_total"])
    g = crmmine.gini(t["monetary_total"])
    assert fig.layout.title.text == f"Concentration of customer value (Gini {g:.2f})"
    assert fig.data[0].x[0] == 0 and fig.data[0].y[-1] == pytest.approx(100)


def test_cluster_figures(sample, segmenter):
    _, t = sample
    sc = plotting.plot_cluster_scatter(t, segmenter)
    assert len(sc.data) == 3 and sum(len(tr.x) for tr in sc.data) == len(t)
    assert [tr.name for tr in sc.data] == segmenter.names_.tolist()
    assert sc.layout.xaxis.type == "log" and sc.layout.xaxis.title.text == "Orders"
    small = plotting.plot_cluster_scatter(t, segmenter, max_points=200)
    assert sum(len(tr.x) for tr in small.data) == 200
    prof = plotting.plot_cluster_profiles(segmenter)
    assert np.asarray(prof.data[0].z).shape == (3, 4)  # recency, orders, order value, tenure
    assert list(prof.data[0].x) == ["Days since last purchase", "Orders", "Mean order value", "Days since first purchase"]
    ks = plotting.plot_k_selection(segmenter)
    assert list(ks.data[0].x) == [3]
    assert [tr.name for tr in ks.data] == ["Silhouette", "Stability (agreement of refits)",
                                           "Inertia (within-cluster sum of squares)"]
    with pytest.raises(ParameterError, match=r"must be a fitted crmmine.CustomerSegmenter"):
        plotting.plot_cluster_profiles("kmeans")


def test_lifecycle_transitions(sample):
    r, _ = sample
    m = crmmine.state_transitions(r.transactions, from_date="2011-09-01", to_date="2011-12-01")
    fig = plotting.plot_lifecycle_transitions(m)
    assert fig.layout.title.text == "Lifecycle transitions from 2011-09-01 to 2011-12-01"
    z = np.asarray(fig.data[0].z)
    rows = m.to_numpy().sum(axis=1) > 0
    np.testing.assert_allclose(z[rows].sum(axis=1), 1.0)
    raw = plotting.plot_lifecycle_transitions(m, normalize=False)
    assert np.asarray(raw.data[0].z).sum() == m.to_numpy().sum()
    set_language("zh")
    try:
        assert plotting.plot_lifecycle_transitions(m).data[0].y[0] == "尚未成为客户"
    finally:
        set_language("en")
