"""Prospects: features see nothing after the cutoff, the model is judged on a later window against its
baselines, planted high-intent visitors come first, abandoned carts by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.errors import InputError, NotFittedError, ParameterError


@pytest.fixture(scope="module")
def shop():
    return crmmine.datasets.make_events(15_000, random_state=7)


@pytest.fixture(scope="module")
def backtest(shop):
    return crmmine.propensity_backtest(shop[0], random_state=0)


def test_features_see_nothing_after_the_cutoff(shop):
    ev, _ = shop
    cut = pd.Timestamp("2026-10-15")
    a = crmmine.propensity_features(ev, cutoff=cut)
    b = crmmine.propensity_features(ev[ev["event_time"] <= cut], cutoff=cut)
    pd.testing.assert_frame_equal(a, b)
    assert (a["purchases"] == 0).all() and (a["hours_since_last_event"] >= 0).all()


def test_labels_by_hand():
    df = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c"], "item_id": ["x"] * 5,
                       "event_type": ["view", "purchase", "view", "purchase", "view"],
                       "event_time": pd.to_datetime(["2024-01-01 00:00", "2024-01-02 12:00", "2024-01-01 00:00", "2024-01-05 00:00",
                                                     "2024-01-03 00:00"])})
    ev = crmmine.read_events(df).events
    lab = crmmine.propensity_labels(ev, cutoff="2024-01-02", horizon_days=1)
    assert lab.to_dict() == {"a": True, "b": False}        # c is not seen by the cutoff
    f = crmmine.propensity_features(ev, cutoff="2024-01-02")
    assert f.index.tolist() == ["a", "b"] and f.loc["a", "hours_since_last_event"] == 24


def test_backtest_is_a_time_split_and_the_model_beats_its_baselines(backtest):
    assert backtest.train_cutoff + pd.Timedelta(days=backtest.horizon_days) == backtest.test_cutoff
    m = backtest.metrics
    assert list(m.index) == ["model", "cart", "recency"]
    assert m.loc["model", "roc_auc"] > max(m.loc["cart", "roc_auc"], m.loc["recency", "roc_auc"])
    assert m.loc["model", "pr_auc"] > m.loc["cart", "pr_auc"]
    assert m.loc["model", "top_decile_lift"] > 3
    assert "beats" in crmmine.propensity_finding(backtest) or "优于" in crmmine.propensity_finding(backtest)


def test_planted_high_intent_visitors_rank_first(shop, backtest):
    from sklearn.metrics import roc_auc_score

    ev, truth = shop
    model = crmmine.PropensityModel(random_state=0).fit(backtest.test_features, backtest.test_labels)
    pl = crmmine.prospect_list(ev, model, n_items=2)
    planted = pl["customer_id"].isin(truth.high_intent)
    assert planted.sum() == len(truth.high_intent)
    assert roc_auc_score(planted, pl["p_purchase"]) > 0.9
    k = int(planted.sum())
    assert planted.iloc[:k].mean() > 0.3              # vs a base rate of k / len(pl)
    assert planted.iloc[:k].mean() > 10 * planted.mean()
    top = pl.iloc[0]
    assert top["rank"] == 1 and top["reason"] and 1 <= len(top["remind_items"].split("|")) <= 2
    # the target item of a planted visitor is the first item to remind them of
    hi = pl[planted].head(20)
    assert (hi["remind_items"].str.split("|").str[0] == truth.visitors.loc[hi["customer_id"], "target_item"].to_numpy()).all()


def test_abandoned_carts_by_hand():
    df = pd.DataFrame({"customer_id": ["a", "a", "a", "d", "d", "e"], "item_id": ["x", "x", "x", "z", "z", "w"],
                       "event_type": ["view", "cart", "purchase", "view", "cart", "cart"],
                       "event_time": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:06", "2024-01-01 11:00",
                                                     "2024-01-02 09:00", "2024-01-02 10:00", "2024-01-02 23:00"]),
                       "price": [5.0, 5.0, 5.0, 7.5, 7.5, 1.0]})
    ev = crmmine.read_events(df).events
    ac = crmmine.abandoned_carts(ev, hours=12, as_of="2024-01-03")
    assert ac[["customer_id", "item_id"]].values.tolist() == [["d", "z"]]   # e's cart is only 1 hour old
    assert ac["hours_since_cart"].item() == 14 and ac["item_views"].item() == 1 and ac["price"].item() == 7.5
    assert not ac["customer_has_bought"].item()
    assert len(crmmine.abandoned_carts(ev, hours=1, as_of="2024-01-03")) == 2


def test_errors(shop, backtest):
    ev, _ = shop
    with pytest.raises(NotFittedError, match="This PropensityModel is not fitted yet"):
        crmmine.PropensityModel().predict_proba(backtest.test_features)
    with pytest.raises(ParameterError, match="The 'model' parameter must be one of 'logistic', 'hgb'"):
        crmmine.PropensityModel("forest").fit(backtest.train_features, backtest.train_labels)
    with pytest.raises(InputError, match="too short for a training cutoff"):
        crmmine.propensity_cutoffs(ev, horizon_days=20)
    with pytest.raises(ParameterError, match="The 'horizon_days' parameter must be"):
        crmmine.propensity_cutoffs(ev, horizon_days=0)
    with pytest.raises(ParameterError, match="The 'metric' parameter must be one of"):
        crmmine.propensity_finding(backtest, metric="accuracy")
    with pytest.raises(ParameterError, match="must be a PropensityBacktest or PropensityEvaluation"):
        crmmine.propensity_finding(42)
    with pytest.raises(InputError, match="at least 2 buyers and 2 non-buyers"):
        crmmine.PropensityModel().fit(backtest.train_features, backtest.train_labels & False)


def test_hgb_model_runs(backtest):
    m = crmmine.PropensityModel("hgb", random_state=0, max_iter=50).fit(backtest.train_features, backtest.train_labels)
    ev = crmmine.evaluate_propensity(m, backtest.test_features, backtest.test_labels)
    assert ev.metrics.loc["model", "roc_auc"] > 0.8


def test_backtest_without_the_training_tables_judges_the_same(shop, backtest):
    """keep_train=False (the report, for logs of millions of visitors) drops the training cutoff's tables once the
    model is fitted: the same model, evaluation and test tables; empty training tables."""
    ev, _ = shop
    slim = crmmine.propensity_backtest(ev, random_state=0, keep_train=False)
    assert len(backtest.train_features) > 0 and len(slim.train_features) == 0 and len(slim.train_labels) == 0
    assert list(slim.train_features.columns) == list(backtest.train_features.columns)
    pd.testing.assert_frame_equal(slim.metrics, backtest.metrics)
    pd.testing.assert_frame_equal(slim.test_features, backtest.test_features)
    pd.testing.assert_series_equal(slim.test_labels, backtest.test_labels)
    pd.testing.assert_frame_equal(slim.evaluation.scores, backtest.evaluation.scores)
