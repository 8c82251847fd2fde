"""Churn scores at least as good as the best baseline: the choice rule, the stacked model, the backtest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.churn.select import choose_scorer
from crmmine.errors import NotFittedError, ParameterError


def _table(rows):
    return pd.DataFrame(rows, columns=["scorer", "roc_auc", "pr_auc"]).set_index("scorer")


def test_choose_a_learned_scorer_only_when_it_matches_both_baselines_on_both_measures():
    t = _table([("stacked", 0.80, 0.60), ("model", 0.82, 0.58), ("bgnbd", 0.79, 0.59), ("recency", 0.70, 0.50)])
    assert choose_scorer(t) == "stacked"  # the model loses on PR AUC to BG/NBD, so it does not qualify
    t = _table([("stacked", 0.78, 0.60), ("model", 0.76, 0.58), ("bgnbd", 0.79, 0.59), ("recency", 0.70, 0.62)])
    assert choose_scorer(t) == "bgnbd"  # nothing learned qualifies: the baseline with the better mean
    t = _table([("stacked", 0.80, 0.60), ("model", 0.80, 0.60), ("bgnbd", 0.70, 0.50), ("recency", 0.70, 0.50)])
    assert choose_scorer(t) == "stacked"  # a tie goes to the stacked model


@pytest.fixture(scope="module")
def backtest():
    tx, _ = crmmine.datasets.make_transactions(1500, random_state=3)
    cuts = crmmine.churn_cutoffs(tx, horizon_days=90)
    return crmmine.churn_backtest(tx, train_cutoff=cuts["train_cutoff"], test_cutoff=cuts["test_cutoff"],
                                  random_state=0)


def test_backtest_reports_every_candidate_and_the_choice(backtest):
    t = backtest.choice
    assert list(t.index) == ["stacked", "model", "bgnbd", "recency"]
    assert t["chosen"].sum() == 1 and t.index[t["chosen"]][0] == backtest.chosen
    assert backtest.selected.selection_.loc[backtest.chosen, "chosen"]
    # the model row of the choice table is the backtest's own model evaluation
    assert t.loc["model", "roc_auc"] == pytest.approx(backtest.metrics.loc["model", "roc_auc"], abs=0.02)
    p = backtest.selected.predict_proba(backtest.test_features)
    assert p.name == "p_churn" and p.between(0, 1).all() and p.index.equals(backtest.test_features.index)
    text = crmmine.churn_choice_finding(backtest)
    assert "chosen by cross-validation at the training cutoff" in text
    assert "交叉验证" in crmmine.churn_choice_finding(backtest, lang="zh")


def test_the_chosen_scores_are_at_least_the_baselines_on_the_generator(backtest):
    t = backtest.choice
    c = backtest.chosen
    for b in ("recency", "bgnbd"):
        assert t.loc[c, "roc_auc"] >= t.loc[b, "roc_auc"]
        assert t.loc[c, "pr_auc"] >= t.loc[b, "pr_auc"]


def test_choose_false_keeps_the_old_backtest():
    tx, _ = crmmine.datasets.make_transactions(600, random_state=1)
    cuts = crmmine.churn_cutoffs(tx, horizon_days=90)
    bt = crmmine.churn_backtest(tx, train_cutoff=cuts["train_cutoff"], test_cutoff=cuts["test_cutoff"], choose=False)
    assert bt.choice is None and bt.selected is None and bt.chosen == "model"
    with pytest.raises(ParameterError, match="The 'backtest' parameter must be a ChurnBacktest made with choose=True"):
        crmmine.churn_choice_finding(bt)


def test_selected_model_errors(backtest):
    with pytest.raises(NotFittedError, match="This SelectedChurnModel is not fitted yet"):
        crmmine.SelectedChurnModel().predict_proba(backtest.test_features)
    with pytest.raises(crmmine.CrmmineError, match="The 'cv' parameter must be an integer >= 2. Got 1 instead."):
        crmmine.SelectedChurnModel(cv=1).fit(backtest.train_features, backtest.train_labels)
    with pytest.raises(crmmine.CrmmineError, match="has no column 'p_no_purchase'"):
        crmmine.SelectedChurnModel().fit(backtest.train_features.drop(columns="p_no_purchase"), backtest.train_labels)
    with pytest.raises(ParameterError, match="SelectedChurnModel has no parameter 'depth'"):
        crmmine.SelectedChurnModel().set_params(depth=3)
    assert np.isfinite(backtest.choice[["roc_auc", "pr_auc"]].to_numpy()).all()


# ----------------------------------------------------------------------------- fitting on a sample of customers
@pytest.fixture(scope="module")
def cutoff_tables():
    tx, _ = crmmine.datasets.make_transactions(1500, random_state=3)
    cuts = crmmine.churn_cutoffs(tx, horizon_days=90)
    feats = crmmine.churn_features(tx, cutoff=cuts["train_cutoff"], horizon_days=90)
    labels = crmmine.churn_labels(tx, cutoff=cuts["train_cutoff"], horizon_days=90)
    return tx, cuts, feats, labels


def test_models_fit_on_a_stratified_sample_above_max_fit_customers(cutoff_tables):
    """Above the bound the models are fitted on exactly max_fit_customers customers, churned and retained in
    proportion, the same sample for the same random_state; every customer is still scored."""
    _, _, feats, labels = cutoff_tables
    n = len(feats.index.intersection(labels.index))
    assert n > 600
    m = crmmine.ChurnModel(random_state=0, max_fit_customers=400).fit(feats, labels)
    assert (m.n_customers_, m.n_fit_customers_) == (n, 400)
    rate = float(labels.loc[feats.index.intersection(labels.index), "churned"].mean())
    assert abs(m.churn_rate_ - rate) <= 1 / 400 + 1e-12  # stratified: the churn share of all the labelled customers
    again = crmmine.ChurnModel(random_state=0, max_fit_customers=400).fit(feats, labels)
    p = m.predict_proba(feats)
    pd.testing.assert_series_equal(p, again.predict_proba(feats), check_exact=True)
    assert len(p) == len(feats) and p.notna().all()
    other = crmmine.ChurnModel(random_state=1, max_fit_customers=400).fit(feats, labels)
    assert not np.array_equal(other.predict_proba(feats).to_numpy(), p.to_numpy())  # another seed, another sample
    full = crmmine.ChurnModel(random_state=0, max_fit_customers=None).fit(feats, labels)
    assert full.n_fit_customers_ == n and not np.array_equal(full.predict_proba(feats).to_numpy(), p.to_numpy())
    # at or below the bound nothing changes
    same = crmmine.ChurnModel(random_state=0, max_fit_customers=n).fit(feats, labels)
    pd.testing.assert_series_equal(same.predict_proba(feats), full.predict_proba(feats), check_exact=True)
    pd.testing.assert_frame_equal(same.reason_contributions(feats), full.reason_contributions(feats), check_exact=True)

    s = crmmine.SelectedChurnModel(random_state=0, max_fit_customers=400).fit(feats, labels)
    assert (s.n_customers_, s.n_fit_customers_) == (n, 400) and s.model_.n_fit_customers_ == 400
    pd.testing.assert_series_equal(s.predict_proba(feats),
                                   crmmine.SelectedChurnModel(random_state=0, max_fit_customers=400)
                                   .fit(feats, labels).predict_proba(feats), check_exact=True)
    assert len(s.predict_proba(feats)) == len(feats)
    with pytest.raises(ParameterError, match="max_fit_customers"):
        crmmine.ChurnModel(max_fit_customers=0).fit(feats, labels)


def test_backtest_says_when_the_models_were_fitted_on_a_sample(cutoff_tables):
    from crmmine.churn import summarise_fit_sample

    tx, cuts, _, _ = cutoff_tables
    bt = crmmine.churn_backtest(tx, train_cutoff=cuts["train_cutoff"], test_cutoff=cuts["test_cutoff"],
                                random_state=0, max_fit_customers=400)
    assert bt.model.n_fit_customers_ == 400 and bt.selected.n_fit_customers_ == 400
    assert bt.evaluation.metrics["n_customers"].iloc[0] == len(bt.test_labels.index.intersection(bt.test_features.index))
    n = f"{bt.model.n_customers_:,}"
    en = summarise_fit_sample(bt, lang="en")
    assert "random sample of 400" in en and n in en and f"{cuts['train_cutoff']:%Y-%m-%d}" in en
    zh = summarise_fit_sample(bt, lang="zh")
    assert "400" in zh and n in zh and "随机" in zh
    full = crmmine.churn_backtest(tx, train_cutoff=cuts["train_cutoff"], test_cutoff=cuts["test_cutoff"], random_state=0)
    assert summarise_fit_sample(full) == "" and full.model.n_fit_customers_ == full.model.n_customers_
