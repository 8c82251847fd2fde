"""Lifecycle states and transitions: rules by hand, derived thresholds, a transition matrix by hand, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.errors import InputError, MissingColumnError, ParameterError

TH = {"at_risk_after_days": 20, "lost_after_days": 40, "loyal_min_orders": 3}


def make(rows):
    df = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date"])
    df["product_id"] = "P1"
    df["quantity"] = 1.0
    df["unit_price"] = 10.0
    return crmmine.read_transactions(df)


TX = make([
    ("A", "1", "2011-01-01"), ("A", "2", "2011-01-11"), ("A", "3", "2011-01-21"), ("A", "4", "2011-03-01"),
    ("B", "5", "2011-02-20"),
    ("C", "6", "2011-01-05"), ("C", "7", "2011-01-15"),
    ("D", "8", "2011-03-05"),
    ("E", "9", "2011-01-30"),
])


def test_states_by_hand():
    c = pd.DataFrame({"recency_days": [3, 3, 3, 3, 21, 40, 41, 25],
                      "frequency": [1, 2, 3, 9, 5, 1, 7, 1],
                      "mean_interpurchase_days": [np.nan, 5, 5, 5, 5, np.nan, 5, np.nan]},
                     index=list("abcdefgh"))
    s = crmmine.lifecycle_states(c, thresholds=TH)
    assert s.name == "lifecycle_state"
    assert s.tolist() == ["new", "active", "loyal", "loyal", "at_risk", "at_risk", "lost", "at_risk"]
    assert list(s.cat.categories) == list(crmmine.LIFECYCLE_STATES)
    assert s.attrs["thresholds"] == TH


def test_thresholds_derived_by_hand():
    c = pd.DataFrame({"recency_days": [1] * 7, "frequency": [2, 3, 4, 5, 6, 1, 1],
                      "mean_interpurchase_days": [10.0, 20.0, 30.0, 40.0, 50.0, np.nan, np.nan]})
    th = crmmine.lifecycle_thresholds(c)
    # gaps 10..50: 80th percentile 42, 95th 48; median orders of repeat buyers 4
    assert th.to_dict() == {"at_risk_after_days": 42, "lost_after_days": 48, "loyal_min_orders": 4}
    s = crmmine.lifecycle_states(c, thresholds={"loyal_min_orders": 6})
    assert s.attrs["thresholds"] == {"at_risk_after_days": 42, "lost_after_days": 48, "loyal_min_orders": 6}
    assert s.tolist() == ["active"] * 4 + ["loyal", "new", "new"]


def test_transition_matrix_by_hand():
    m = crmmine.state_transitions(TX, from_date="2011-02-01", to_date="2011-03-10", thresholds=TH)
    # at 1 Feb: A loyal (3 orders, 11 days), C active (2 orders, 17 days), E new (2 days)
    # at 10 Mar: A loyal (9 days), C lost (54 days > 40), E at_risk (39 days: > 20, <= 40),
    #            B new (18 days), D new (5 days); B and D were prospects on 1 Feb
    assert list(m.index) == ["prospect", "new", "active", "loyal", "at_risk", "lost"]
    assert list(m.columns) == ["new", "active", "loyal", "at_risk", "lost"]
    expected = pd.DataFrame(0, index=m.index, columns=m.columns)
    expected.loc["prospect", "new"] = 2
    expected.loc["loyal", "loyal"] = 1
    expected.loc["active", "lost"] = 1
    expected.loc["new", "at_risk"] = 1
    pd.testing.assert_frame_equal(m, expected.astype("int64"), check_names=False)
    assert m.index.name == "from_state" and m.columns.name == "to_state"
    assert m.attrs["from_date"] == pd.Timestamp("2011-02-01")


def test_transitions_before_any_purchase_are_all_prospects():
    m = crmmine.state_transitions(TX, from_date="2010-06-01", to_date="2011-01-20", thresholds=TH)
    assert m.loc["prospect"].sum() == 2 and m.drop(index="prospect").to_numpy().sum() == 0


def test_transitions_default_thresholds_come_from_to_date():
    m = crmmine.state_transitions(TX, from_date="2011-02-01", to_date="2011-03-10")
    after = crmmine.customer_table(TX, as_of="2011-03-10")
    assert m.attrs["thresholds"] == crmmine.lifecycle_thresholds(after).to_dict()
    assert m.to_numpy().sum() == 5


def test_errors():
    c = pd.DataFrame({"recency_days": [1, 2], "frequency": [1, 1], "mean_interpurchase_days": [np.nan, np.nan]})
    with pytest.raises(InputError, match=r"No customer in 'customers' bought twice.*pass thresholds="):
        crmmine.lifecycle_thresholds(c)
    with pytest.raises(ParameterError, match=r"unknown key 'lost_days'; known keys: at_risk_after_days"):
        crmmine.lifecycle_states(c, thresholds={"lost_days": 3})
    with pytest.raises(ParameterError, match=r"The threshold 'loyal_min_orders' must be a positive number. Got -1"):
        crmmine.lifecycle_states(c, thresholds={**TH, "loyal_min_orders": -1})
    with pytest.raises(ParameterError, match=r"'lost_after_days' must be larger than 'at_risk_after_days'. Got 10"):
        crmmine.lifecycle_states(c, thresholds={**TH, "lost_after_days": 10})
    with pytest.raises(ParameterError, match=r"The 'thresholds' parameter must be a dict .* Got list"):
        crmmine.lifecycle_states(c, thresholds=[1, 2])
    with pytest.raises(MissingColumnError, match=r"no column 'recency_days'.*crmmine.customer_table"):
        crmmine.lifecycle_states(c.drop(columns="recency_days"), thresholds=TH)
    with pytest.raises(ParameterError, match=r"'from_date' parameter must be before 'to_date'. Got from_date=2011-03-10"):
        crmmine.state_transitions(TX, from_date="2011-03-10", to_date="2011-02-01")
    with pytest.raises(ParameterError, match=r"The 'to_date' parameter must be a date like"):
        crmmine.state_transitions(TX, from_date="2011-03-10", to_date="later")


def test_sample_states_cover_everyone():
    r = crmmine.load_clean("sample")
    c = crmmine.customer_table(r.transactions)
    s = crmmine.lifecycle_states(c)
    assert len(s) == len(c) and s.notna().all()
    th = s.attrs["thresholds"]
    assert (c.loc[s == "lost", "recency_days"] > th["lost_after_days"]).all()
    assert (c.loc[s == "new", "frequency"] == 1).all()


@pytest.mark.slow
@pytest.mark.shared_data
def test_full_online_retail(online_retail_path):
    r = crmmine.load_clean(online_retail_path)
    c = crmmine.customer_table(r.transactions)
    th = crmmine.lifecycle_thresholds(c)
    assert th.to_dict() == {"at_risk_after_days": 107, "lost_after_days": 213, "loyal_min_orders": 4}
    m = crmmine.state_transitions(r.transactions, from_date="2011-09-01", to_date="2011-12-01")
    after = crmmine.customer_table(r.transactions, as_of="2011-12-01")
    before = crmmine.customer_table(r.transactions, as_of="2011-09-01")
    assert m.to_numpy().sum() == len(after)
    assert m.loc["prospect"].sum() == len(after) - len(before)
    # nobody becomes "new" again, and a quarter is too short to fall from loyal to lost
    assert m.loc[["active", "loyal", "at_risk", "lost"], "new"].sum() == 0
    assert m.loc["loyal", "lost"] == 0


def test_planted_dropouts_are_mostly_lost_or_at_risk():
    # one population buying about every 30 days (lambda ~ Gamma(8, 1/240)), dropping out with p ~ Beta(2, 8)
    params = {"r": 8.0, "alpha": 240.0, "a": 2.0, "b": 8.0, "p": 8.0, "q": 20.0, "v": 100.0}
    tx, truth = crmmine.datasets.make_transactions(3000, random_state=4, params=params)
    c = crmmine.customer_table(tx, as_of=truth.observation_end)
    s = crmmine.lifecycle_states(c)
    alive = truth.customers["alive"].reindex(c.index).to_numpy()
    gone = s.isin(["at_risk", "lost"]).to_numpy()
    # customers the generator made inactive are nearly all lost or at risk (measured: 98%);
    # still-active ones are mostly loyal, but a long last gap flags some (measured: 28%)
    assert gone[~alive].mean() > 0.9
    assert gone[alive].mean() < 0.35
    assert (s[alive] == "loyal").mean() > 0.6
