"""Datasets: the bundled sample and the synthetic shop's determinism and planted truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.datasets import DEFAULT_SEGMENTS, BEHAVIOURAL_SEGMENTS, make_transactions
from crmmine.errors import ParameterError


def test_sample_is_the_documented_subset():
    tx = crmmine.datasets.load_online_retail_sample()
    assert len(tx) == 92_069
    assert tx["customer_id"].nunique() == 1_000 and int(tx["customer_id"].isna().sum()) == 2_000
    assert tx["order_id"].str.startswith("C").sum() > 0
    assert tx.attrs["crmmine_source"]["schema"] == "online_retail"


def test_generator_is_deterministic():
    a, ta = make_transactions(300, random_state=7, return_rate=0.05)
    b, tb = make_transactions(300, random_state=7, return_rate=0.05)
    c, _ = make_transactions(300, random_state=8)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_series_equal(ta.dropout, tb.dropout)
    assert not a["amount"].equals(c["amount"])


def test_generator_output_is_canonical_and_clean():
    tx, truth = make_transactions(500, random_state=1)
    crmmine.validate_transactions(tx)
    r = crmmine.clean(tx, skip_rules=("extreme_value",))
    assert len(r.transactions) == len(tx)  # nothing to reject in a clean synthetic shop
    assert tx["customer_id"].nunique() == 500
    assert tx["order_date"].between(truth.observation_start, truth.observation_end).all()
    assert set(truth.segments.unique()) == set(DEFAULT_SEGMENTS)
    assert list(truth.params.columns) == ["share", "r", "alpha", "a", "b", "p", "q", "v"]


def test_dropout_truth_is_consistent_with_the_purchases():
    tx, truth = make_transactions(2_000, random_state=3)
    last = tx.groupby("customer_id")["order_date"].max()
    dropped = truth.dropout.dropna()
    # a customer drops out right after their last purchase: that purchase is the dropout date
    assert (last.loc[dropped.index] - dropped).abs().max() <= pd.Timedelta(seconds=1)
    assert (~truth.customers["alive"]).sum() == len(dropped)
    # dropouts happen more in the segment with the higher dropout probability
    rate = truth.dropout.notna().groupby(truth.segments).mean()
    assert rate["occasional"] > rate["vip"]


def test_rfm_segments_differ_jointly_in_recency_frequency_and_spend():
    tx, truth = make_transactions(3_000, random_state=4, segments=BEHAVIOURAL_SEGMENTS)
    assert list(truth.params.columns) == ["share", "r", "alpha", "a", "b", "p", "q", "v", "arrive_from", "arrive_to",
                                          "lapse_from", "lapse_to"]
    first = tx.groupby("customer_id")["order_date"].min()
    last = tx.groupby("customer_id")["order_date"].max()
    days = lambda d: (d - truth.observation_start).dt.total_seconds() / 86400  # noqa: E731
    seg = truth.segments.reindex(first.index)
    # arrival windows: new customers in the last 10% of the 730 days, the others before theirs closes
    assert days(first[seg == "new"]).min() >= 0.9 * 730 - 1e-6
    assert days(first[seg == "lapsing"]).max() <= 0.35 * 730 + 1e-6
    # a lapsing customer buys nothing after the lapse window and is marked inactive after the last purchase
    assert days(last[seg == "lapsing"]).max() <= 0.7 * 730 + 1e-6
    lapsing = truth.segments[truth.segments == "lapsing"].index
    assert not truth.customers.loc[lapsing, "alive"].any()
    assert (last.loc[lapsing] - truth.dropout.loc[lapsing]).abs().max() <= pd.Timedelta(seconds=1)
    # the groups differ in all three: recency, frequency and spend (medians per segment, pinned)
    c = crmmine.customer_table(tx)
    med = c.groupby(truth.segments.reindex(c.index))[["recency_days", "frequency", "monetary_total"]].median()
    assert med.loc["champions", "frequency"] > 2 * med.loc["loyal", "frequency"] > 4 * med.loc["new", "frequency"]
    assert med.loc["champions", "monetary_total"] > 3 * med.loc["loyal", "monetary_total"]
    assert med.loc["lapsing", "recency_days"] > 200 > 60 > med.loc["loyal", "recency_days"]
    assert med.loc["hibernating", "monetary_total"] < med.loc["new", "monetary_total"] < med.loc["loyal",
                                                                                               "monetary_total"]
    assert med.loc["hibernating", "recency_days"] > 200 and med.loc["hibernating", "frequency"] <= 2
    # segments without timing keys keep the old draws: the default shop is unchanged
    a, _ = make_transactions(300, random_state=7)
    b, _ = make_transactions(300, random_state=7, segments=DEFAULT_SEGMENTS)
    pd.testing.assert_frame_equal(a, b)


def test_segment_timing_errors():
    base = dict(BEHAVIOURAL_SEGMENTS["new"])
    with pytest.raises(ParameterError, match=r"Segment 'x' must give 'arrive_from' and 'arrive_to' together.*"
                                             r"0 <= arrive_from <= arrive_to <= 1. Got 0.9 and nan"):
        make_transactions(10, segments={"x": {**base, "arrive_to": None}})
    with pytest.raises(ParameterError, match=r"'lapse_from' and 'lapse_to'.*Got 0.8 and 0.2"):
        make_transactions(10, segments={"x": {**base, "lapse_from": 0.8, "lapse_to": 0.2}})
    with pytest.raises(ParameterError, match=r"unknown key 'arrival'"):
        make_transactions(10, segments={"x": {**base, "arrival": 0.5}})


def test_bgnbd_purchase_counts_match_the_parameters():
    """Mean repeat purchases by customer agree with the BG/NBD unconditional expectation (FHL 2005, eq. 9)."""
    from scipy.special import hyp2f1

    params = dict(r=0.8, alpha=60.0, a=0.8, b=3.0, p=6.0, q=4.0, v=80.0)
    tx, truth = make_transactions(20_000, random_state=11, params=params, acquisition_days=1, period_days=365,
                                  itemsets=())
    days = tx.assign(day=tx["order_date"].dt.floor("D")).groupby("customer_id")["day"].nunique() - 1
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    t = 364.5  # mean observation length after the first purchase
    z = t / (alpha + t)
    expected = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))
    se = days.std() / np.sqrt(len(days))
    assert abs(days.mean() - expected) < 4 * se + 0.02


def test_spend_follows_gamma_gamma():
    params = dict(r=2.0, alpha=40.0, a=1.0, b=20.0, p=6.0, q=4.0, v=80.0)
    tx, truth = make_transactions(5_000, random_state=5, params=params, itemsets=())
    order_value = tx.groupby("order_id")["amount"].sum()
    # E[z] = p * v / (q - 1) for the Gamma-Gamma model
    expected = params["p"] * params["v"] / (params["q"] - 1)
    assert order_value.mean() == pytest.approx(expected, rel=0.05)


def test_planted_itemsets_have_their_support_and_lift():
    tx, truth = make_transactions(5_000, random_state=2)
    orders = tx["order_id"].nunique()
    for row in truth.itemsets.itertuples():
        items = set(row.items)
        contains = tx[tx["product_id"].isin(items)].groupby("order_id")["product_id"].nunique() == len(items)
        support = contains.sum() / orders
        assert support == pytest.approx(row.support)
        assert support >= row.probability * 0.8
        assert row.lift > 10


def test_generator_parameter_errors():
    with pytest.raises(ParameterError, match=r"'n_customers' parameter must be a positive integer. Got 0"):
        make_transactions(0)
    with pytest.raises(ParameterError, match=r"either 'params' .* or 'segments'"):
        make_transactions(10, params={"r": 1}, segments={"x": {}})
    with pytest.raises(ParameterError, match=r"lacks the parameter 'alpha'"):
        make_transactions(10, params={"r": 1})
    with pytest.raises(ParameterError, match=r"'itemsets' parameter names product 'P9999'"):
        make_transactions(10, itemsets=((("P9999", "P0001"), 0.1),))
