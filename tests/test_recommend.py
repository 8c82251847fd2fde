"""Recommendations: bought together, top-N per customer, potential value, item frequency."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.errors import CrmmineWarning, InputError, MissingColumnError, ParameterError
from crmmine.crosssell.recommend import RECOMMENDATION_COLUMNS


def _tx(rows):
    """Canonical-looking table from (customer, order, date, product, quantity, amount) tuples."""
    df = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "product_id", "quantity", "amount"])
    df["order_date"] = pd.to_datetime(df["order_date"])
    for c in ("customer_id", "order_id", "product_id"):
        df[c] = df[c].astype("string[pyarrow]")
    df["quantity"] = df["quantity"].astype(float)
    df["amount"] = df["amount"].astype(float)
    return df


@pytest.fixture
def tx():
    return _tx(
        [
            ("c1", "o1", "2024-01-01", "A", 1, 10.0),
            ("c1", "o2", "2024-02-01", "B", 2, 20.0),
            ("c2", "o3", "2024-01-02", "A", 1, 12.0),
            ("c3", "o4", "2024-01-03", "A", 1, 14.0),
            ("c3", "o4", "2024-01-03", "C", 1, 5.0),
            ("c4", "o5", "2024-01-04", "D", 1, 8.0),
            ("c4", "o6", "2024-01-05", "B", -1, -20.0),  # a return is not a purchase
        ]
    )


@pytest.fixture
def rules():
    return pd.DataFrame(
        {
            "antecedents": [frozenset({"A"}), frozenset({"A", "C"}), frozenset({"A"})],
            "consequents": [frozenset({"B"}), frozenset({"D"}), frozenset({"C", "D"})],
            "support": [0.4, 0.2, 0.1],
            "confidence": [0.6, 0.9, 0.3],
            "lift": [1.2, 3.0, 2.0],
        }
    )


def _triples(recs, item="product_id"):
    return list(zip(recs["customer_id"], recs["rank"], recs[item], recs["rule"]))


# --- recommend: exact expected lists -------------------------------------------------
def test_recommend_hand_computed(tx, rules):
    recs = crmmine.recommend(tx, rules)
    assert list(recs.columns) == list(RECOMMENDATION_COLUMNS)
    # c1 owns A, B: A -> B is excluded (B bought); A -> C + D gives C and D (tie broken by item id)
    # c2 owns A: B (0.6), then C and D from A -> C + D (0.3)
    # c3 owns A, C: D comes from the better rule A + C -> D (0.9), not A -> C + D (0.3); then B
    # c4 owns D only: no rule fires (its B line is a return)
    assert _triples(recs) == [
        ("c1", 1, "C", "A -> C + D"),
        ("c1", 2, "D", "A -> C + D"),
        ("c2", 1, "B", "A -> B"),
        ("c2", 2, "C", "A -> C + D"),
        ("c2", 3, "D", "A -> C + D"),
        ("c3", 1, "D", "A + C -> D"),
        ("c3", 2, "B", "A -> B"),
    ]
    np.testing.assert_allclose(recs["score"], [0.3, 0.3, 0.6, 0.3, 0.3, 0.9, 0.6])
    np.testing.assert_allclose(recs["confidence"], recs["score"])
    np.testing.assert_allclose(recs["lift"], [2.0, 2.0, 1.2, 2.0, 2.0, 3.0, 1.2])
    assert recs.loc[5, "antecedents"] == frozenset({"A", "C"})
    assert recs.loc[5, "consequents"] == frozenset({"D"})
    assert recs["rank"].dtype == np.int64
    assert str(recs["customer_id"].dtype) == str(tx["customer_id"].dtype)


def test_recommend_never_recommends_owned_items(tx, rules):
    recs = crmmine.recommend(tx, rules)
    owned = set(zip(tx["customer_id"], tx["product_id"]))
    assert not any((c, p) in owned for c, p in zip(recs["customer_id"], recs["product_id"]))


def test_recommend_without_exclusion(tx, rules):
    recs = crmmine.recommend(tx, rules, exclude_purchased=False)
    got = recs[recs["customer_id"].isin(["c1", "c3"])]
    assert _triples(got) == [
        ("c1", 1, "B", "A -> B"),
        ("c1", 2, "C", "A -> C + D"),
        ("c1", 3, "D", "A -> C + D"),
        ("c3", 1, "D", "A + C -> D"),
        ("c3", 2, "B", "A -> B"),
        ("c3", 3, "C", "A -> C + D"),
    ]


def test_recommend_score_lift(tx, rules):
    recs = crmmine.recommend(tx, rules, score="lift")
    c2 = recs[recs["customer_id"] == "c2"]
    assert list(c2["product_id"]) == ["C", "D", "B"]  # lift 2, 2, 1.2
    np.testing.assert_allclose(c2["score"], [2.0, 2.0, 1.2])


def test_recommend_top_n_customers_and_as_of(tx, rules):
    assert _triples(crmmine.recommend(tx, rules, top_n=1, customers=["c2", "c3"])) == [
        ("c2", 1, "B", "A -> B"),
        ("c3", 1, "D", "A + C -> D"),
    ]
    # before 2024-02-01 c1 has not bought B yet, so B is recommended to c1
    recs = crmmine.recommend(tx, rules, as_of="2024-02-01", customers=["c1"])
    assert list(recs["product_id"]) == ["B", "C", "D"]


def test_recommend_is_deterministic_whatever_the_rule_order(tx, rules):
    a = crmmine.recommend(tx, rules)
    b = crmmine.recommend(tx.iloc[::-1], rules.iloc[[2, 0, 1]].reset_index(drop=True))
    pd.testing.assert_frame_equal(a, b)


def test_recommend_at_category_level(tx, rules):
    cat = tx.rename(columns={"product_id": "category"})
    recs = crmmine.recommend(cat, rules, level="category")
    assert "category" in recs.columns and "product_id" not in recs.columns
    assert list(recs["category"]) == list(crmmine.recommend(tx, rules)["product_id"])


def test_recommend_empty_results_keep_columns(tx, rules):
    none_fire = crmmine.recommend(tx, rules, customers=["c4"])
    assert none_fire.empty and list(none_fire.columns) == list(crmmine.recommend(tx, rules).columns)
    assert crmmine.recommend(tx, rules.iloc[:0]).empty


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"top_n": 0}, ParameterError, r"The 'top_n' parameter must be an integer >= 1. Got 0 instead."),
        ({"score": "gain"}, ParameterError, r"The 'score' parameter must be one of 'confidence', 'lift'. Got 'gain'"),
        ({"level": "brand"}, ParameterError, r"The 'level' parameter must be one of 'product', 'category'"),
        ({"level": "category"}, MissingColumnError, r"lack the column 'category' that level='category' needs"),
        ({"customers": "c1"}, ParameterError,
         r"The 'customers' parameter must be a list of customer ids or None. Got 'c1'; wrap a single id in a list."),
        ({"customers": 7}, ParameterError, r"The 'customers' parameter must be a list of customer ids or None. Got 7"),
        ({"as_of": "not a date"}, ParameterError,
         r"The 'as_of' parameter must be a date like '2011-06-01' or None. Got 'not a date' instead."),
        ({"exclude_purchased": "yes"}, ParameterError, r"The 'exclude_purchased' parameter must be True or False"),
    ],
)
def test_recommend_parameter_errors(tx, rules, kwargs, error, match):
    with pytest.raises(error, match=match):
        crmmine.recommend(tx, rules, **kwargs)


def test_recommend_rule_table_errors(tx, rules):
    with pytest.raises(MissingColumnError, match=r"The rules table lacks the column 'lift'"):
        crmmine.recommend(tx, rules.drop(columns="lift"))
    with pytest.raises(ParameterError, match=r"The 'rules' parameter must be a DataFrame"):
        crmmine.recommend(tx, [("A", "B")])
    bad = rules.assign(antecedents=["A", "A", "A"])
    with pytest.raises(InputError, match=r"column 'antecedents' must hold sets of item labels .* Row 0 holds 'A'"):
        crmmine.recommend(tx, bad)
    empty = rules.copy()
    empty.loc[1, "antecedents"] = frozenset()
    with pytest.raises(InputError, match=r"column 'antecedents' must hold non-empty item sets. Row 1 is empty"):
        crmmine.recommend(tx, empty)
    with pytest.raises(MissingColumnError, match=r"The transactions lack the column 'product_id'"):
        crmmine.recommend(tx.drop(columns="product_id"), rules)


# --- bought together ---------------------------------------------------------------------
def test_bought_together_hand_computed(rules):
    more = pd.concat(
        [rules, pd.DataFrame({"antecedents": [frozenset({"C"})], "consequents": [frozenset({"A"})],
                              "support": [0.2], "confidence": [0.7], "lift": [1.1]})],
        ignore_index=True,
    )
    bt = crmmine.bought_together(more)
    assert list(bt.columns) == ["product_id", "rank", "recommended", "confidence", "lift", "support", "rule"]
    # A + C -> D has two antecedent items: not a "bought with A" suggestion
    assert list(zip(bt["product_id"], bt["rank"], bt["rule"])) == [
        ("A", 1, "A -> B"),
        ("A", 2, "A -> C + D"),
        ("C", 1, "C -> A"),
    ]
    assert bt.loc[1, "recommended"] == frozenset({"C", "D"})
    np.testing.assert_allclose(bt["confidence"], [0.6, 0.3, 0.7])
    assert list(crmmine.bought_together(more, "A", top_n=1)["rule"]) == ["A -> B"]
    assert list(crmmine.bought_together(more, ["C"])["rule"]) == ["C -> A"]


def test_bought_together_unknown_product_warns(rules):
    with pytest.warns(CrmmineWarning, match=r"The product 'Z' is the sole antecedent of no rule"):
        out = crmmine.bought_together(rules, "Z")
    assert out.empty and list(out.columns)[:3] == ["product_id", "rank", "recommended"]
    with pytest.raises(ParameterError, match=r"The 'product' parameter must be a product id, a list of them, or None"):
        crmmine.bought_together(rules, 5)
    with pytest.raises(ParameterError, match=r"The 'top_n' parameter must be an integer >= 1. Got -1"):
        crmmine.bought_together(rules, top_n=-1)


# --- potential value -----------------------------------------------------------------
def test_potential_value_hand_computed(tx, rules):
    recs = crmmine.recommend(tx, rules)
    value = crmmine.potential_value(recs, tx)
    # median line value: A 12, B 20 (the return is not a purchase), C 5, D 8
    expected = {
        "c1": 0.3 * 5 + 0.3 * 8,
        "c2": 0.6 * 20 + 0.3 * 5 + 0.3 * 8,
        "c3": 0.9 * 8 + 0.6 * 20,
        "c4": 0.0,
    }
    assert value.name == "potential_value" and value.index.name == "customer_id"
    assert list(value.index) == list(expected)
    np.testing.assert_allclose(value.to_numpy(), list(expected.values()))
    mean = crmmine.potential_value(recs, tx, statistic="mean", customers=["c2", "c9"])
    np.testing.assert_allclose(mean.to_numpy(), [0.6 * 20 + 0.3 * 5 + 0.3 * 8, 0.0])
    # as_of: B's line (2024-02-01) is not yet there to price B
    early = crmmine.potential_value(recs, tx, as_of="2024-02-01")
    assert early["c2"] == pytest.approx(0.3 * 5 + 0.3 * 8)


def test_potential_value_errors(tx, rules):
    recs = crmmine.recommend(tx, rules)
    with pytest.raises(ParameterError, match=r"The 'statistic' parameter must be one of 'median', 'mean'. Got 'max'"):
        crmmine.potential_value(recs, tx, statistic="max")
    with pytest.raises(MissingColumnError, match=r"The recommendations lack the column 'confidence'"):
        crmmine.potential_value(recs.drop(columns="confidence"), tx)
    with pytest.raises(ParameterError, match=r"The 'customers' parameter must be a list of customer ids or None"):
        crmmine.potential_value(recs, tx, customers="c1")
    with pytest.raises(ParameterError, match=r"The 'as_of' parameter must be a date .* Got 'soon' instead"):
        crmmine.potential_value(recs, tx, as_of="soon")
    with pytest.raises(ParameterError, match=r"The 'recommendations' parameter must be the DataFrame"):
        crmmine.potential_value(None, tx)


# --- text helpers, item frequency, findings -----------------------------------------------
def test_rule_text_and_sets_to_text(rules):
    assert crmmine.rule_text({"B", "A"}, frozenset({"C"})) == "A + B -> C"
    text = crmmine.sets_to_text(rules)
    assert list(text["antecedents"]) == ["A", "A|C", "A"]
    assert list(text["consequents"]) == ["B", "D", "C|D"]
    assert text["support"].dtype == np.float64
    assert isinstance(rules.loc[0, "antecedents"], frozenset)  # input untouched


def test_item_frequency_hand_computed(tx):
    freq = crmmine.item_frequency(tx)
    assert list(freq.columns) == ["item", "item_name", "n_orders", "support"]
    # 5 purchase orders (o6 is a return): A in 3, B, C, D in 1 each
    assert freq.attrs["n_orders"] == 5
    assert list(freq["item"]) == ["A", "B", "C", "D"]
    assert list(freq["n_orders"]) == [3, 1, 1, 1]
    np.testing.assert_allclose(freq["support"], [0.6, 0.2, 0.2, 0.2])
    assert list(crmmine.item_frequency(tx, top_n=2)["item"]) == ["A", "B"]


def test_findings_are_computed_from_the_data(tx, rules):
    freq = crmmine.item_frequency(tx)
    assert crmmine.summarise_item_frequency(freq, k=2) == (
        "The most frequent item, A (A), is in 60.0% of the 5 orders; the top 2 items are each in at least 20.0%."
    )
    assert crmmine.summarise_item_frequency(freq.iloc[:0]) == "The data hold no purchase, so there is nothing to count."
    assert "没有商品单独构成规则的前项" in crmmine.summarise_bought_together(crmmine.bought_together(rules.iloc[:0]), lang="zh")
    recs = crmmine.recommend(tx, rules)
    value = crmmine.potential_value(recs, tx)
    assert crmmine.summarise_recommendations(recs, value) == (
        "3 of 4 customers (75.0%) get at least one recommendation, 2.3 on average; the expected extra revenue "
        "(confidence × typical line value) totals 39."
    )
    assert crmmine.summarise_recommendations(recs, value, currency="GBP").endswith("totals 39 GBP.")
    assert crmmine.summarise_bought_together(crmmine.bought_together(rules)).startswith(
        "1 products have a 'bought together' suggestion; the most confident is A -> B (confidence 60.0%)"
    )


# --- planted truth ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def synthetic():
    tx, truth = crmmine.datasets.make_transactions(3000, random_state=7)
    return tx, truth


def test_planted_pairs_are_recommended(synthetic):
    tx, truth = synthetic
    rules = crmmine.mine_rules(tx, min_support=0.01, min_confidence=0.2)
    recs = crmmine.recommend(tx, rules, top_n=5)
    for a, b in [("P0101", "P0102"), ("P0102", "P0101"), ("P0201", "P0202"), ("P0202", "P0201")]:
        owners = set(tx.loc[tx["product_id"] == a, "customer_id"])
        partners = set(tx.loc[tx["product_id"] == b, "customer_id"])
        target = sorted(owners - partners)
        assert len(target) >= 5, (a, b)
        got = recs[recs["customer_id"].isin(target) & (recs["product_id"] == b)]
        # every customer who bought one item of a planted pair but not the other gets the other
        assert got["customer_id"].nunique() == len(target), (a, b)
        assert all(a in s for s in got["antecedents"])


def test_planted_pairs_top_bought_together(synthetic):
    tx, truth = synthetic
    rules = crmmine.mine_rules(tx, min_support=0.01, min_confidence=0.2)
    bt = crmmine.bought_together(rules, ["P0101", "P0201", "P0301"], top_n=1)
    first = dict(zip(bt["product_id"], bt["recommended"]))
    assert first["P0101"] == frozenset({"P0102"})
    assert first["P0201"] == frozenset({"P0202"})
    assert first["P0301"] <= {"P0302", "P0303"}


# --- real data -----------------------------------------------------------------------------
def test_sample_recommendations_invariants():
    tx = crmmine.load_clean("sample").transactions
    rules = crmmine.mine_rules(tx, min_support=0.02, min_confidence=0.3)
    recs = crmmine.recommend(tx, rules, top_n=5)
    assert recs["customer_id"].nunique() > 100
    assert recs.groupby("customer_id")["rank"].max().max() <= 5
    owned = pd.MultiIndex.from_frame(tx[["customer_id", "product_id"]].astype(str))
    assert not pd.MultiIndex.from_frame(recs[["customer_id", "product_id"]].astype(str)).isin(owned).any()
    # every explanation holds: the customer bought the whole antecedent, the item is in the consequent
    hist = tx.groupby(tx["customer_id"].astype(str))["product_id"].agg(lambda s: set(s.astype(str)))
    for row in recs.head(300).itertuples():
        assert row.antecedents <= set(hist[row.customer_id])
        assert row.product_id in row.consequents
    value = crmmine.potential_value(recs, tx)
    assert len(value) == tx["customer_id"].nunique() and (value >= 0).all() and value.sum() > 0


@pytest.mark.slow
def test_real_file_recommendations(online_retail_path):
    tx = crmmine.load_clean(online_retail_path).transactions
    rules = crmmine.mine_rules(tx, min_support=0.01, min_confidence=0.3)
    recs = crmmine.recommend(tx, rules, top_n=5)
    assert 0.5 < recs["customer_id"].nunique() / tx["customer_id"].nunique() <= 1
    owned = pd.MultiIndex.from_frame(tx[["customer_id", "product_id"]].astype(str))
    assert not pd.MultiIndex.from_frame(recs[["customer_id", "product_id"]].astype(str)).isin(owned).any()
    bt = crmmine.bought_together(rules)
    assert bt["product_id"].is_monotonic_increasing and (bt["rank"] <= 5).all()


def _reference(tx, rules, customers, top_n, score="confidence"):
    """A plain per-customer loop with the documented ranking (the oracle)."""
    hist = {}
    for c, p in zip(tx["customer_id"].astype(str), tx["product_id"].astype(str)):
        hist.setdefault(c, set()).add(p)
    s = rules[score].to_numpy()
    table = [((-s[k], -r.confidence, -r.lift, -r.support, crmmine.rule_text(r.antecedents, r.consequents)),
              r.antecedents, r.consequents) for k, r in enumerate(rules.itertuples())]
    out = []
    for c in customers:
        best = {}
        for key, ante, cons in table:
            if ante <= hist[c]:
                for it in cons:
                    if it not in hist[c] and (it not in best or key < best[it]):
                        best[it] = key
        ranked = sorted(best.items(), key=lambda kv: (kv[1], kv[0]))[:top_n]
        out += [(c, i + 1, it, key[4]) for i, (it, key) in enumerate(ranked)]
    return out


@pytest.fixture(scope="module")
def sample_many_rules():
    tx = crmmine.load_clean("sample").transactions
    return tx, crmmine.mine_rules(tx, min_support=0.01, min_confidence=0.1)


@pytest.mark.parametrize("score", ["confidence", "lift"])
def test_recommend_agrees_with_a_plain_loop_on_many_rules(score, sample_many_rules):
    # > 1,000 rules: the block-wise search (best rules first, finished customers leave) must
    # give exactly the per-customer loop's lists
    tx, rules = sample_many_rules
    assert len(rules) > 1000
    customers = sorted(tx["customer_id"].astype(str).unique())[::5]
    recs = crmmine.recommend(tx, rules, top_n=7, customers=customers, score=score)
    assert _triples(recs) == _reference(tx, rules, customers, 7, score)


def test_recommend_accepts_numeric_customer_ids_and_object_columns(tx, rules):
    plain = tx.assign(customer_id=tx["customer_id"].str[1:].astype(int), product_id=tx["product_id"].astype(object))
    recs = crmmine.recommend(plain, rules, customers=[3])
    assert list(zip(recs["customer_id"], recs["product_id"])) == [("3", "D"), ("3", "B")]
    value = crmmine.potential_value(crmmine.recommend(plain, rules), plain)
    assert list(value.index) == ["1", "2", "3", "4"]
