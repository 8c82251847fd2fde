"""Issue 17 on real shops and the generator: the chosen recommender vs "most popular", churn scores vs baselines.

Slow: reads the full UCI Online Retail file and CDNOW master from ../shared/data (CRMMINE_SHARED_DATA).
"""

from __future__ import annotations

import pytest

import crmmine

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def online_retail(online_retail_path):
    return crmmine.load_clean(online_retail_path)


def _at5(cmp):
    return cmp.curves[cmp.curves["k"] == 5].pivot(index="cutoff", columns="recommender", values="hit_rate")


@pytest.mark.shared_data
@pytest.mark.parametrize("exclude_purchased", [True, False])
def test_online_retail_chosen_recommender_beats_popular_at_every_cutoff(online_retail, exclude_purchased):
    tx = online_retail.transactions
    cmp = crmmine.compare_recommenders(tx, n_cutoffs=3, exclude_purchased=exclude_purchased)
    at5 = _at5(cmp)
    assert cmp.best != "popular"
    assert len(at5) == 3 and (at5[cmp.best] > at5["popular"]).all()
    assert (at5["popular"] > at5["random"]).all()
    # measured 2026-11-30 on the full file (cutoffs 2011-07-12, 08-11, 09-10): new items 38.6% (hybrid) vs 22.3%;
    # any items (repeats count) 72.1% (hybrid) vs 42.8%
    best = cmp.summary.set_index("recommender").loc[cmp.best, "hit_rate"]
    assert best > (0.35 if exclude_purchased else 0.65)


def test_generator_chosen_recommender_is_at_least_popular():
    # the generator draws every basket from one global popularity (no personal taste), so the most popular items
    # are the best one can do there: the chooser must say so rather than pick a worse personal recommender
    tx, _ = crmmine.datasets.make_transactions(20_000, random_state=0)
    cmp = crmmine.compare_recommenders(tx, n_cutoffs=3)
    at5 = _at5(cmp)
    assert (at5[cmp.best] >= at5["popular"]).all()
    if cmp.best == "popular":
        assert "no recommender beat the most popular items" in cmp.finding()


def test_generator_with_taste_chosen_recommender_beats_popular_at_every_cutoff():
    # with a favourite category per customer (taste=0.5) item similarities carry information; measured
    # 2026-11-30: item-CF 44.3% vs popular 36.9% hit rate at 5 (mean of 3 cutoffs), better at each
    tx, _ = crmmine.datasets.make_transactions(20_000, random_state=0, taste=0.5)
    cmp = crmmine.compare_recommenders(tx, n_cutoffs=3)
    at5 = _at5(cmp)
    assert cmp.best in ("item_cf", "hybrid")
    assert (at5[cmp.best] > at5["popular"]).all()


def _assert_chosen_not_worse(bt):
    t = bt.choice
    for b in ("recency", "bgnbd"):
        assert t.loc[bt.chosen, "roc_auc"] >= t.loc[b, "roc_auc"], (bt.chosen, b, t)
        assert t.loc[bt.chosen, "pr_auc"] >= t.loc[b, "pr_auc"], (bt.chosen, b, t)


@pytest.mark.shared_data
@pytest.mark.parametrize("model", ["logistic", "hgb"])
def test_online_retail_churn_scores_at_least_every_baseline(online_retail, model):
    tx = online_retail.transactions
    cuts = crmmine.churn_cutoffs(tx, horizon_days=90)
    bt = crmmine.churn_backtest(tx, train_cutoff=cuts["train_cutoff"], test_cutoff=cuts["test_cutoff"], model=model,
                                random_state=0, returns=online_retail.returns)
    _assert_chosen_not_worse(bt)
    # measured: logistic -> the model (ROC 0.740 / PR 0.630 vs BG/NBD 0.734 / 0.619); gradient boosting alone loses
    # to BG/NBD (0.715 / 0.591), so the choice falls on BG/NBD itself
    assert bt.chosen == ("model" if model == "logistic" else "bgnbd")


@pytest.mark.shared_data
def test_cdnow_churn_scores_at_least_every_baseline(cdnow_master_path):
    tx = crmmine.load_clean(cdnow_master_path).transactions
    cuts = crmmine.churn_cutoffs(tx, horizon_days=90)
    bt = crmmine.churn_backtest(tx, train_cutoff=cuts["train_cutoff"], test_cutoff=cuts["test_cutoff"], random_state=0)
    _assert_chosen_not_worse(bt)


def test_generator_churn_scores_at_least_every_baseline():
    tx, _ = crmmine.datasets.make_transactions(20_000, random_state=0)
    cuts = crmmine.churn_cutoffs(tx, horizon_days=90)
    bt = crmmine.churn_backtest(tx, train_cutoff=cuts["train_cutoff"], test_cutoff=cuts["test_cutoff"], random_state=0)
    _assert_chosen_not_worse(bt)
