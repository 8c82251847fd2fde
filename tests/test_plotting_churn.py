"""Churn figures (crmmine.plotting.churn): data and titles, not images."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from crmmine import churn_backtest, winback_list
from crmmine.datasets import make_transactions
from crmmine.errors import MissingColumnError, ParameterError
from crmmine.plotting import (
    plot_churn_calibration,
    plot_churn_gains,
    plot_churn_importance,
    plot_churn_pr,
    plot_churn_roc,
    plot_value_at_risk,
)


@pytest.fixture(scope="module")
def backtest():
    tx, _ = make_transactions(800, random_state=5)
    return churn_backtest(tx, train_cutoff="2025-03-01", test_cutoff="2025-06-01", random_state=0)


def test_roc_figure(backtest):
    fig = plot_churn_roc(backtest)
    assert isinstance(fig, go.Figure)
    assert fig.layout.title.text == "ROC curve: model vs baselines"
    assert fig.layout.xaxis.title.text == "False positive rate"
    names = [t.name for t in fig.data]
    auc = backtest.evaluation.metrics["roc_auc"]
    assert names[0] == f"logistic regression (AUC {auc['model']:.3f})"
    assert names[1].startswith("recency (days since last purchase) (AUC") and names[3] == "Random"
    roc = backtest.evaluation.roc
    np.testing.assert_array_equal(fig.data[2].y, roc.loc[roc["scorer"] == "bgnbd", "tpr"])
    assert plot_churn_roc(backtest.evaluation, lang="zh").layout.title.text == "ROC 曲线：模型与基线"


def test_pr_gains_calibration(backtest):
    ev = backtest.evaluation
    pr = plot_churn_pr(ev)
    assert pr.layout.yaxis.title.text == "Precision" and len(pr.data) == 4
    assert list(pr.data[-1].y) == [ev.metrics["churn_rate"].iloc[0]] * 2
    gains = plot_churn_gains(ev)
    assert gains.layout.title.text == "Cumulative gains"
    assert gains.data[0].y[-1] == 1.0 and gains.data[0].x[0] == 0.0
    cal = plot_churn_calibration(ev)
    assert [t.name for t in cal.data] == ["logistic regression", "recency (days since last purchase)",
                                          "BG/NBD P(no purchase)", "Perfectly calibrated"]
    assert cal.data[0].mode == "lines+markers"


def test_importance_figure(backtest):
    fig = plot_churn_importance(backtest, top_n=5)
    imp = backtest.evaluation.importance
    assert list(fig.data[0].y) == imp["feature"].head(5).tolist()[::-1]  # largest at the top
    assert fig.layout.xaxis.title.text == "Drop in ROC AUC"
    with pytest.raises(ParameterError, match=r"The 'top_n' parameter must be an integer >= 1. Got 0 instead."):
        plot_churn_importance(backtest, top_n=0)
    with pytest.raises(ParameterError, match=r"The 'result' parameter must be a ChurnEvaluation or ChurnBacktest. Got dict"):
        plot_churn_roc({})


def test_value_at_risk_figure():
    ids = pd.Index(list("abcd"), name="customer_id")
    w = winback_list(pd.Series([0.9, 0.6, 0.2, 0.7], index=ids), pd.Series([100.0, 10.0, 50.0, 20.0], index=ids))
    fig = plot_value_at_risk(w)
    assert fig.layout.title.text == "Value at risk by action tier"
    # a: 90 (win back now), b: 6 + d: 14 (low-cost reactivation), c: 10 (keep close: top 20% needs pct >= 0.8)
    assert dict(zip(fig.data[0].x, fig.data[0].y)) == pytest.approx(
        {"Win back now": 90.0, "Low-cost reactivation": 20.0, "No action": 10.0})
    assert list(fig.data[0].x) == ["Win back now", "Low-cost reactivation", "No action"]
    with pytest.raises(MissingColumnError, match=r"The 'winback' table has no column 'tier_label'"):
        plot_value_at_risk(w.drop(columns="tier_label"))
