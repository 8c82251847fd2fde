"""The win-back list (crmmine.winback_list)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine import ChurnModel, churn_features, churn_labels, winback_list
from crmmine.datasets import make_transactions
from crmmine.errors import InputError, MissingColumnError, ParameterError
from crmmine.churn.winback import DEFAULT_TIERS, reason_text, summarise_winback

IDS = ["a", "b", "c", "d", "e"]


@pytest.fixture
def scores():
    return pd.Series([0.9, 0.2, 0.6, 0.8, 0.1], index=pd.Index(IDS, name="customer_id"), name="p_churn")


@pytest.fixture
def value():
    # value percentile ranks: a 0.6, b 1.0, c 0.4, d 0.8, e 0.2
    return pd.Series([30.0, 100.0, 20.0, 50.0, 10.0], index=pd.Index(IDS, name="customer_id"))


def test_ranking_and_tiers_hand_computed(scores, value):
    w = winback_list(scores, value)
    assert list(w.columns) == ["rank", "customer_id", "p_churn", "predicted_value", "value_at_risk", "value_pct", "tier",
                               "tier_label", "top_reasons", "reason_features"]
    # value at risk: a 27, b 20, c 12, d 40, e 1
    assert w["customer_id"].tolist() == ["d", "a", "b", "c", "e"]
    assert w["rank"].tolist() == [1, 2, 3, 4, 5]
    assert w["value_at_risk"].tolist() == pytest.approx([40, 27, 20, 12, 1])
    # default tiers: win back now = P(churn) >= 0.5 and value in the top 20% (pct >= 0.8)
    assert w.set_index("customer_id")["tier"].to_dict() == {
        "d": "win_back_now", "a": "low_cost_reactivation", "b": "keep_close", "c": "low_cost_reactivation", "e": "other"}
    assert w.loc[0, "tier_label"] == "Win back now"
    assert (w["top_reasons"] == "").all()


def test_value_table_and_zh_labels(scores, value):
    table = pd.DataFrame({"predicted_value": value, "historical_value": 1.0})
    w = winback_list(scores.to_frame(), table, lang="zh")
    assert w.loc[0, "customer_id"] == "d" and w.loc[0, "tier_label"] == "立即挽回"
    w = winback_list(scores, table, value_column="historical_value")
    assert w["value_at_risk"].tolist() == [0.9, 0.8, 0.6, 0.2, 0.1]


def test_custom_tiers_with_other_fallback(scores, value):
    tiers = {"urgent": {"min_p_churn": 0.85}, "watch": {"min_p_churn": 0.5, "max_value_pct": 0.5}}
    w = winback_list(scores, value, tiers=tiers).set_index("customer_id")
    assert w["tier"].to_dict() == {"d": "other", "a": "urgent", "b": "other", "c": "watch", "e": "other"}
    assert w.loc["a", "tier_label"] == "urgent"  # no label for a custom tier: its name is shown


def test_missing_and_negative_value_count_as_zero(scores, value):
    v = value.copy()
    v["a"], v["b"] = np.nan, -5.0
    w = winback_list(scores, v).set_index("customer_id")
    assert w.loc["a", "value_at_risk"] == 0 and w.loc["b", "predicted_value"] == 0


def test_only_common_customers_are_listed(scores, value):
    w = winback_list(scores.drop("a"), value.drop("e"))
    assert sorted(w["customer_id"]) == ["b", "c", "d"]


@pytest.mark.parametrize("kw, exc, match", [
    ({"tiers": {}}, ParameterError, r"The 'tiers' parameter must be a non-empty dict name -> bounds. Got \{\} instead."),
    ({"tiers": {"other": {}}}, ParameterError, r"must not define 'other': it is the fallback"),
    ({"tiers": {"x": {"min_risk": 0.5}}}, ParameterError, r"The 'tiers' rule for 'x' must be a dict with keys among "
                                                          r"max_p_churn, max_value_pct, min_p_churn, min_value_pct"),
    ({"top_reasons": -1}, ParameterError, r"The 'top_reasons' parameter must be an integer >= 0. Got -1 instead."),
    ({"model": ChurnModel()}, ParameterError, r"The 'model' and 'features' parameters go together"),
])
def test_parameter_errors(scores, value, kw, exc, match):
    with pytest.raises(exc, match=match):
        winback_list(scores, value, **kw)


def test_input_errors(scores, value):
    with pytest.raises(InputError, match=r"The 'scores' must be probabilities in \[0, 1\]. Got 1.5 instead."):
        winback_list(scores.replace(0.9, 1.5), value)
    with pytest.raises(MissingColumnError, match=r"The 'value' table has no column 'predicted_value'"):
        winback_list(scores, value.to_frame("clv"))
    with pytest.raises(ParameterError, match=r"The 'value_column' parameter must be a column name. Got 3 instead."):
        winback_list(scores, value.to_frame("clv"), value_column=3)
    with pytest.raises(InputError, match=r"The 'scores' parameter must be a pandas Series indexed by customer_id. Got list"):
        winback_list([0.5], value)
    with pytest.raises(InputError, match=r"The 'scores' and 'value' share no customer_id"):
        winback_list(scores, value.set_axis(list("vwxyz")))
    with pytest.raises(InputError, match=r"The 'value' values must be numbers. Got dtype"):
        winback_list(scores, value.astype(str))


def test_reason_text():
    assert reason_text("recency_days", 120.4) == "120 days since last purchase"
    assert reason_text("orders_trend_90d", -3) == "order trend -3 (last 90 days vs the 90 before)"
    assert reason_text("ipt_mean_days", float("nan")) == "only one purchase day so far"
    assert reason_text("mystery", 0.25) == "mystery = 0.25"
    assert reason_text("recency_days", 7, lang="zh") == "距上次购买 7 天"
    # amounts of money carry the report's currency, wherever the label puts the number
    assert reason_text("monetary_mean", 1815.2, currency="GBP") == "spend per order 1,815 GBP"
    assert reason_text("spend_90d", 90, lang="zh", currency="英镑") == "近 90 天消费 90 英镑"
    assert reason_text("recency_days", 90, currency="GBP") == "90 days since last purchase"


def test_reasons_are_the_features_that_raise_risk():
    tx, _ = make_transactions(1500, random_state=2)
    cutoff = "2025-03-01"
    f = churn_features(tx, cutoff=cutoff)
    model = ChurnModel(random_state=0).fit(f, churn_labels(tx, cutoff=cutoff))
    f_now = churn_features(tx, cutoff="2025-09-01")
    value = crmmine.customer_value(tx, as_of="2025-09-01")
    w = winback_list(model.predict_proba(f_now), value, model=model, features=f_now, top_reasons=2)
    assert len(w) == len(f_now)
    contrib = model.reason_contributions(f_now)
    top = w.set_index("customer_id").head(50)
    for cid, row in top.iterrows():  # check the first 50 rows against the contributions
        feats = [x for x in row["reason_features"].split(",") if x]
        assert len(feats) <= 2
        assert all(contrib.loc[cid, x] > 0 for x in feats)
        expected = contrib.loc[cid].sort_values(ascending=False, kind="stable")
        assert feats == [x for x in expected.index[:2] if expected[x] > 0]
        assert row["top_reasons"].count(";") == max(len(feats) - 1, 0)
    assert (w["top_reasons"] != "").mean() > 0.9
    assert set(w["tier"]) <= set(DEFAULT_TIERS) | {"other"}


def test_summarise_winback(scores, value):
    w = winback_list(scores, value)
    # win back now: d with 40 of the 100 at risk
    assert summarise_winback(w) == (
        'The tier "Win back now" holds 1 of the listed customers and 40 of value at risk (40% of the 100 in total).')
    assert summarise_winback(w, tier="other").startswith('The tier "No action" holds 1 of the listed customers and 1 ')
    with pytest.raises(MissingColumnError, match=r"The 'winback' table has no column 'tier'"):
        summarise_winback(w.drop(columns="tier"))


def test_blocks_give_the_list_of_one_block(monkeypatch):
    """Millions of customers are predicted, explained and worded in blocks, in the list's order: small blocks must
    give exactly the list (and the campaign table) of one block, on a shuffled features table with integer ids."""
    import crmmine.churn.model as model_module
    import crmmine.churn.winback as winback_module
    import crmmine.report.actions as actions_module

    tx, _ = make_transactions(800, random_state=3)
    tx["customer_id"] = pd.factorize(tx["customer_id"])[0] + 1  # integer ids: text order differs from number order
    f = churn_features(tx, cutoff="2025-03-01")
    model = ChurnModel(random_state=0).fit(f, churn_labels(tx, cutoff="2025-03-01"))
    f_now = churn_features(tx, cutoff="2025-09-01").sample(frac=1, random_state=0)
    value = crmmine.customer_value(tx, as_of="2025-09-01")

    def lists():
        w = winback_list(model.predict_proba(f_now), value, model=model, features=f_now, currency="GBP")
        return w, crmmine.report.winback_actions(w, f_now)

    whole, whole_actions = lists()
    monkeypatch.setattr(model_module, "_BLOCK", 97)
    monkeypatch.setattr(winback_module, "_TEXT_BLOCK", 13)
    monkeypatch.setattr(actions_module, "_TEXT_BLOCK", 11)
    blocks, blocks_actions = lists()
    # predictions in blocks may differ in the last bits (the linear algebra groups sums by its input's size)
    pd.testing.assert_frame_equal(whole, blocks, check_exact=False, rtol=1e-12)
    assert (whole["customer_id"] == blocks["customer_id"]).all()
    assert (whole["top_reasons"] == blocks["top_reasons"]).all() and (whole["top_reasons"] != "").mean() > 0.5
    pd.testing.assert_frame_equal(whole_actions, blocks_actions, check_exact=False, rtol=1e-12)
    # ties of value at risk are broken by the id as text ("10" before "9"), as pandas sorts text
    ranked = whole.sort_values(["value_at_risk", "customer_id"], ascending=[False, True], kind="stable")
    assert ranked["customer_id"].tolist() == whole["customer_id"].tolist()
    assert whole["customer_id"].str.len().nunique() > 1


def test_stable_order_is_pandas_sort_values():
    from crmmine.data._order import positions_in, stable_order

    rng = np.random.default_rng(0)
    n = 500
    df = pd.DataFrame({"a": rng.integers(0, 3, n).astype(np.int8), "v": rng.choice([0.0, 1.5, np.nan, 2.0, -1.0], n),
                       "id": pd.Series(rng.choice(["b", "a", "ä", "10", "9", "Z", "日"], n), dtype="str")})
    for asc in ([True, False, True], [False, True, False]):
        expected = df.sort_values(["a", "v", "id"], ascending=asc, kind="stable", na_position="last").index.to_numpy()
        got = stable_order((df["a"].to_numpy(), not asc[0]), (df["v"].to_numpy(), not asc[1]), (df["id"], not asc[2]))
        assert got.tolist() == expected.tolist()
    keys = pd.Index(["x", "y", "z"])
    assert positions_in(pd.Series(["z", "q", "x"], dtype="str"), keys).tolist() == [2, -1, 0]
    assert positions_in(pd.Series(["3", "1"]), pd.Index([1, 2, 3])).tolist() == [2, 0]  # ids compared as text
    with pytest.raises(InputError, match="'y' more than once"):
        positions_in(pd.Series(["x"]), pd.Index(["x", "y", "y"]), what="'features' table")


def test_predictions_check_the_table_before_taking_blocks(monkeypatch):
    """ChurnModel.predict_proba takes its blocks of rows from the features: a wrong input still gets the clear error."""
    import crmmine.churn.model as model_module

    tx, _ = make_transactions(400, random_state=1)
    f = churn_features(tx, cutoff="2025-03-01")
    model = ChurnModel(random_state=0).fit(f, churn_labels(tx, cutoff="2025-03-01"))
    with pytest.raises(InputError, match="must be a DataFrame from churn_features. Got ndarray"):
        model.predict_proba(f.to_numpy())
    with pytest.raises(MissingColumnError, match="no column 'recency_days'"):
        model.predict_proba(f.drop(columns="recency_days"))
    whole = model.predict_proba(f)
    monkeypatch.setattr(model_module, "_BLOCK", 7)
    pd.testing.assert_series_equal(model.predict_proba(f), whole, check_exact=False, rtol=1e-12)


@pytest.mark.parametrize("kind, calibration", [("logistic", "sigmoid"), ("logistic", "isotonic"), ("hgb", "sigmoid")])
def test_reason_contributions_are_those_of_predicting_each_occluded_table(kind, calibration, monkeypatch):
    """The logistic model's contributions come from one pass of its pipeline per block (a shortcut through the
    regression's score); they must be those of predicting the table with each feature at its reference."""
    from crmmine.churn import model as M

    tx, _ = make_transactions(1500, random_state=4)
    f = churn_features(tx, cutoff="2025-03-01")
    model = ChurnModel(kind, calibration=calibration, random_state=0).fit(f, churn_labels(tx, cutoff="2025-03-01"))
    now = churn_features(tx, cutoff="2025-09-01")
    arr = now.loc[:, list(model.feature_names_in_)].to_numpy(dtype="float64")
    ref = model.reference_[list(model.feature_names_in_)].to_numpy(dtype="float64")
    expected = M._occluded_contributions(model.estimator_, arr, ref)
    folds = M._linear_folds(model.estimator_, arr.shape[1])
    assert (folds is not None) == (kind == "logistic")
    if folds is not None:  # the shortcut itself, not the guarded fallback
        np.testing.assert_allclose(M._linear_contributions(folds, arr, ref), expected, rtol=0, atol=1e-12)
    monkeypatch.setattr(M, "_BLOCK", 400)  # several blocks
    got = model.reason_contributions(now).to_numpy()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert ((got == 0) == (expected == 0)).all()  # a feature at its reference gives exactly no reason
    assert (got != 0).mean() > 0.3  # isotonic calibration is flat in places
    if kind == "logistic":  # a shortcut that misreads the pipeline is caught on the first rows, and not used
        monkeypatch.setattr(M, "_linear_contributions", lambda folds, part, ref: np.zeros_like(part))
        np.testing.assert_array_equal(model.reason_contributions(now).to_numpy(), expected)
