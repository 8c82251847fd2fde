"""Recommenders beyond rules and their comparison: hand-computed fixtures, planted taste, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.errors import ParameterError
from crmmine.plotting import plot_recommender_curves


def _tx(rows):
    """rows: (customer, order, date, product)."""
    c, o, d, p = zip(*rows)
    return pd.DataFrame({"customer_id": list(c), "order_id": list(o), "order_date": pd.to_datetime(list(d)),
                         "product_id": list(p), "quantity": 1.0, "amount": 1.0})


@pytest.fixture
def small():
    # a: {X, Y}; b: {X, Y}; c: {X}; d: {Y, Z}.  n_X = n_Y = 3, n_Z = 1; co-occurrence XY = 2, YZ = 1.
    return _tx([("a", "1", "2024-01-01", "X"), ("a", "1", "2024-01-01", "Y"),
                ("b", "2", "2024-01-02", "X"), ("b", "2", "2024-01-02", "Y"),
                ("c", "3", "2024-01-03", "X"),
                ("d", "4", "2024-01-04", "Y"), ("d", "4", "2024-01-04", "Z")])


def test_item_cf_hand_computed(small):
    # cosine: s(X,Y) = 2/3, s(Y,Z) = 1/sqrt(3); rows normalised: S[X] = {Y: 1},
    # S[Y] = {X: .667/(.667+.577), Z: .577/(.667+.577)}, S[Z] = {Y: 1}
    recs = crmmine.recommend_item_cf(small, top_n=3)
    assert list(recs.columns) == list(crmmine.RECOMMENDER_COLUMNS)
    sxy, syz = 2 / 3, 1 / np.sqrt(3)
    got = {(r.customer_id, r.product_id): r for r in recs.itertuples()}
    assert set(got) == {("a", "Z"), ("b", "Z"), ("c", "Y"), ("d", "X")}
    assert got[("c", "Y")].score == pytest.approx(1.0)
    assert got[("c", "Y")].because == "X" and got[("c", "Y")].confidence == pytest.approx(2 / 3)
    assert got[("d", "X")].score == pytest.approx(sxy / (sxy + syz))
    assert got[("d", "X")].because == "Y" and got[("d", "X")].confidence == pytest.approx(2 / 3)
    assert got[("a", "Z")].score == pytest.approx(syz / (sxy + syz))
    assert got[("a", "Z")].confidence == pytest.approx(1 / 3)
    assert got[("c", "Y")].reason == "Customers who bought X also bought this (67% of them)"
    assert (recs["method"] == "item_cf").all() and (recs["rank"] == 1).all()


def test_item_cf_repeat_purchases_allowed(small):
    recs = crmmine.recommend_item_cf(small, top_n=3, exclude_purchased=False, customers=["a"])
    assert recs["product_id"].tolist() == ["Y", "X", "Z"]  # scores 1, .536, .464
    assert recs["rank"].tolist() == [1, 2, 3]


def test_item_cf_keeps_only_n_neighbors(small):
    # with one neighbour per item, Y keeps only X (the more similar), so d gets nothing new from Z's row alone
    recs = crmmine.recommend_item_cf(small, top_n=3, n_neighbors=1, customers=["a", "d"])
    assert recs.set_index("customer_id")["product_id"].to_dict() == {"d": "X"}


def test_item_cf_chinese_reason(small):
    recs = crmmine.recommend_item_cf(small, customers=["c"], lang="zh")
    assert recs["reason"].iloc[0] == "购买了 X 的客户也购买了此商品（67%）"


def test_buy_again_hand_computed():
    tx = _tx([("a", "1", "2024-01-01", "X"), ("a", "1", "2024-01-01", "Y"), ("a", "2", "2024-02-01", "X"),
              ("a", "3", "2024-03-01", "Z"), ("b", "4", "2024-01-01", "Y")])
    recs = crmmine.recommend_buy_again(tx, top_n=5)
    a = recs[recs["customer_id"] == "a"]
    # X in 2 of 3 orders; Y and Z in 1 each, Z bought more recently so first
    assert a["product_id"].tolist() == ["X", "Z", "Y"]
    assert a["confidence"].tolist() == pytest.approx([2 / 3, 1 / 3, 1 / 3])
    assert a["reason"].iloc[0] == "Bought in 2 of 3 orders, last on 2024-02-01"
    assert (a["because"] == a["product_id"]).all()
    decayed = crmmine.recommend_buy_again(tx, half_life_days=7, customers=["a"])
    assert decayed["product_id"].iloc[0] == "Z"  # the recent order outweighs two old ones


def test_hybrid_fills_short_lists_with_popular(small):
    recs = crmmine.recommend_hybrid(small, top_n=3, weight=0.0, customers=["c"])
    assert recs["product_id"].tolist() == ["Y", "Z"]  # CF item first, then the popular fill (only 2 unbought)
    assert recs["reason"].iloc[1] == "Popular: bought by 25% of customers"
    only_pop = crmmine.recommend_hybrid(small, top_n=1, weight=1.0, customers=["d"])
    assert only_pop["product_id"].tolist() == ["X"]


def test_hybrid_explains_repeats(small):
    recs = crmmine.recommend_hybrid(small, top_n=3, exclude_purchased=False, customers=["c"])
    first = recs.iloc[0]
    assert first["product_id"] == "X" and first["reason"] == "You bought it in 1 of 1 orders"


def test_popular_and_random_baselines(small):
    pop = crmmine.recommend_with("popular", small, top_n=2, customers=["c", "d"])
    assert pop.groupby("customer_id")["product_id"].agg(list).to_dict() == {"c": ["Y", "Z"], "d": ["X"]}
    r1 = crmmine.recommend_random(small, top_n=2, random_state=1)
    r2 = crmmine.recommend_random(small, top_n=2, random_state=1)
    pd.testing.assert_frame_equal(r1, r2)
    owned = set(zip(small["customer_id"], small["product_id"]))
    assert not owned & set(zip(r1["customer_id"], r1["product_id"]))
    assert not r1.duplicated(["customer_id", "product_id"]).any()


def test_recommend_with_rules_gives_the_rule_as_reason(small):
    rules = crmmine.mine_rules(small, min_support=0.2, min_confidence=0.5)
    recs = crmmine.recommend_with("rules", small, rules=rules, customers=["c"])
    assert recs["method"].iloc[0] == "rules" and recs["reason"].iloc[0].startswith("Rule X -> this item")


def test_sparse_catalogue_of_100k_items_does_not_densify():
    rng = np.random.default_rng(0)
    n = 60_000
    tx = pd.DataFrame({"customer_id": rng.integers(0, 20_000, n).astype(str),
                       "order_id": np.arange(n).astype(str),
                       "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
                       "product_id": rng.integers(0, 100_000, n).astype(str), "quantity": 1.0})
    recs = crmmine.recommend_item_cf(tx, top_n=5)  # a dense 100k x 100k matrix would need 80 GB
    assert recs["rank"].max() <= 5


def _taste_shop(n_per_group=120, seed=0):
    """Two groups with their own items; the second group's items are the most popular overall."""
    rng = np.random.default_rng(seed)
    rows = []
    for g, (items, n) in enumerate(((["A1", "A2", "A3", "A4", "A5", "A6"], n_per_group),
                                    (["B1", "B2", "B3", "B4", "B5", "B6"], 2 * n_per_group))):
        for u in range(n):
            for o in range(4):
                day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 360)))
                for it in rng.choice(items, size=2, replace=False):
                    rows.append((f"{g}-{u}", f"{g}-{u}-{o}", day, it))
    return _tx(rows)


def test_compare_recommenders_picks_cf_when_taste_matters():
    cmp = crmmine.compare_recommenders(_taste_shop(), n_cutoffs=2, horizon_days=60, ks=range(1, 6))
    assert set(cmp.curves.columns) == set(crmmine.COMPARISON_COLUMNS)
    assert cmp.best in ("item_cf", "hybrid")
    at5 = cmp.curves[cmp.curves["k"] == 5].pivot(index="cutoff", columns="recommender", values="hit_rate")
    assert (at5[cmp.best] > at5["popular"]).all()
    for _, g in cmp.curves.groupby(["recommender", "cutoff"]):
        assert np.all(np.diff(g.sort_values("k")["hit_rate"].to_numpy()) >= 0)
    assert "the best recommender is" in cmp.finding()
    recs = cmp.recommend(_taste_shop(), top_n=3)
    assert (recs["method"] == cmp.best).all()
    fig = plot_recommender_curves(cmp, metric="precision", lang="zh")
    assert len(fig.data) == len(cmp.summary) and "精确率" in fig.layout.title.text


def test_compare_recommenders_picks_popular_honestly():
    tx, _ = crmmine.datasets.make_transactions(3000, random_state=0)  # baskets drawn from one global popularity
    cmp = crmmine.compare_recommenders(tx, n_cutoffs=2, ks=[1, 5, 10], recommenders=["item_cf"])
    s = cmp.summary.set_index("recommender")
    if cmp.best == "popular":
        assert "no recommender beat the most popular items" in cmp.finding()
        assert "没有推荐方法胜过热门商品" in cmp.finding(lang="zh")
    assert s.loc[cmp.best, "hit_rate"] >= s.loc["popular", "hit_rate"]


def test_compare_hit_rate_by_hand():
    # before 2024-03-01: u bought X, Y (X twice); v bought X; w bought Z. After: u buys Z (new), v buys Y (new).
    tx = _tx([("u", "1", "2024-01-01", "X"), ("u", "1", "2024-01-01", "Y"), ("u", "2", "2024-01-05", "X"),
              ("v", "3", "2024-01-02", "X"), ("w", "4", "2024-01-03", "Z"),
              ("u", "5", "2024-03-02", "Z"), ("v", "6", "2024-03-03", "Y")])
    cmp = crmmine.compare_recommenders(tx, cutoffs=["2024-03-01"], horizon_days=30, ks=[1, 2],
                                       recommenders=["item_cf"])
    c = cmp.curves.set_index(["recommender", "k"])
    # popular (by customers): X (2), then Y, Z (1 each; Y first). u is offered Z -> hit; v is offered Y -> hit
    assert c.loc[("popular", 1), "hit_rate"] == 1.0
    assert c.loc[("popular", 2), "precision"] == pytest.approx(0.5)
    # item_cf: v's X -> Y (s = 1/sqrt(2)); u's X, Y have no link to Z -> no hit for u
    assert c.loc[("item_cf", 1), "hit_rate"] == pytest.approx(0.5)
    assert c.loc[("item_cf", 1), "coverage"] == pytest.approx(0.5)
    assert cmp.best == "popular"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"recommenders": ["knn"]}, "The 'recommenders' parameter must name recommenders among"),
        ({"recommenders": ["buy_again"]}, "The 'buy_again' recommender only recommends items already bought"),
        ({"recommenders": ["rules"]}, "The 'min_support' parameter is needed"),
        ({"choice_k": 7, "ks": [1, 5]}, "The 'choice_k' parameter must be one of the list lengths"),
        ({"cutoffs": ["2030-01-01"]}, "The 'cutoffs' parameter must fall inside the data"),
        ({"horizon_days": 0}, "The 'horizon_days' parameter must be an integer >= 1. Got 0 instead."),
        ({"exclude_purchased": "yes"}, "The 'exclude_purchased' parameter must be True or False"),
    ],
)
def test_compare_errors(small, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        crmmine.compare_recommenders(small, **kwargs)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda tx: crmmine.recommend_with("knn", tx), "The 'method' parameter must be one of"),
        (lambda tx: crmmine.recommend_with("rules", tx), "The 'rules' parameter is needed for method='rules'"),
        (lambda tx: crmmine.recommend_item_cf(tx, n_neighbors=0), "The 'n_neighbors' parameter must be an integer >= 1"),
        (lambda tx: crmmine.recommend_hybrid(tx, weight=2), r"The 'weight' parameter must be"),
        (lambda tx: crmmine.recommend_buy_again(tx, half_life_days=0), "The 'half_life_days' parameter must be"),
        (lambda tx: crmmine.recommend_item_cf(tx, top_n=0), "The 'top_n' parameter must be an integer >= 1"),
        (lambda tx: crmmine.recommend_item_cf(tx.drop(columns="order_id")), "lack the column"),
        (lambda tx: plot_recommender_curves(tx), "The 'comparison' parameter must be"),
    ],
)
def test_recommender_errors(small, call, match):
    with pytest.raises(crmmine.CrmmineError, match=match):
        call(small)


def test_generator_taste_is_planted_and_off_by_default():
    plain, truth = crmmine.datasets.make_transactions(300, random_state=0)
    assert "favourite_category" not in truth.customers.columns
    tx, truth = crmmine.datasets.make_transactions(300, random_state=0, taste=0.8)
    fav = truth.customers["favourite_category"].reindex(tx["customer_id"].astype(str)).to_numpy()
    share = (tx["category"].astype(str).to_numpy() == fav).mean()
    assert share > 0.7  # 80% of lines drawn from the favourite (plus the chance draws); 1/20 without taste
    with pytest.raises(ParameterError, match=r"The 'taste' parameter must be in \[0, 1\]. Got 1.5 instead."):
        crmmine.datasets.make_transactions(10, taste=1.5)
