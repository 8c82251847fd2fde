"""Funnel, traffic and cart figures on a hand-computed log, and on a generated shop with planted rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.errors import MissingColumnError, ParameterError


@pytest.fixture(scope="module")
def tiny():
    rows = [  # visitor, item, type, time
        ("a", "x", "view", "2024-01-01 10:00"), ("a", "x", "view", "2024-01-01 10:05"),
        ("a", "x", "cart", "2024-01-01 10:06"), ("a", "x", "purchase", "2024-01-01 11:06"),
        ("b", "y", "view", "2024-01-01 12:00"), ("b", "y", "favourite", "2024-01-01 12:01"),
        ("b", "z", "view", "2024-01-02 09:00"),
        ("c", "x", "view", "2024-01-01 20:00"),                 # a bounce: one page view only
        ("d", "z", "cart", "2024-01-02 10:00"),                 # a cart without a logged view, never bought
    ]
    df = pd.DataFrame(rows, columns=["customer_id", "item_id", "event_type", "event_time"])
    df["category"] = df["item_id"].map({"x": "K1", "y": "K2", "z": "K2"})
    return crmmine.read_events(df).events


def test_funnel_by_hand(tiny):
    f = crmmine.funnel(tiny)
    assert f["stage"].tolist() == ["view", "cart_or_favourite", "purchase"]
    assert f["events"].tolist() == [5, 3, 1]
    assert f["users"].tolist() == [3, 3, 1]
    assert f["step_conversion"].iloc[1:].tolist() == pytest.approx([1.0, 1 / 3])
    assert f["overall_conversion"].tolist() == pytest.approx([1.0, 1.0, 1 / 3])
    f4 = crmmine.funnel(tiny, stages=("view", "cart", "purchase"))
    assert f4["users"].tolist() == [3, 2, 1]


def test_funnel_by_day_and_category(tiny):
    d = crmmine.funnel(tiny, by="day")
    day1 = d[d["day"] == pd.Timestamp("2024-01-01")].set_index("stage")["users"]
    day2 = d[d["day"] == pd.Timestamp("2024-01-02")].set_index("stage")["users"]
    assert day1.tolist() == [3, 2, 1] and day2.tolist() == [1, 1, 0]
    c = crmmine.funnel(tiny, by="category").set_index(["category", "stage"])["users"]
    assert c[("K1", "view")] == 2 and c[("K1", "purchase")] == 1 and c[("K2", "cart_or_favourite")] == 2
    h = crmmine.funnel(tiny, by="hour")
    assert set(h["hour"]) == {9, 10, 11, 12, 20}


def test_traffic_summary_by_hand(tiny):
    s = crmmine.traffic_summary(tiny, abandon_hours=12)
    assert (s["pv"], s["uv"], s["buyers"], s["purchases"]) == (5, 4, 1, 1)
    assert s["pv_per_uv"] == pytest.approx(1.25)
    assert s["paying_rate"] == pytest.approx(0.25)
    assert s["repurchase_rate"] == 0.0
    assert s["bounce_rate"] == pytest.approx(0.25)        # visitor c
    assert s["cart_abandonment_rate"] == 0.0               # only a's cart is old enough to judge; it was bought
    assert s["median_hours_to_purchase"] == pytest.approx(1.1)
    assert s["days"] == 2


def test_time_to_purchase_and_cart_outcomes(tiny):
    t = crmmine.time_to_purchase(tiny)
    assert t[["customer_id", "item_id"]].astype(str).values.tolist() == [["a", "x"]]
    assert t["hours"].item() == pytest.approx(66 / 60)
    o = crmmine.cart_outcomes(tiny, hours=12).set_index("customer_id")
    assert bool(o.loc["a", "bought_in_time"]) and not bool(o.loc["d", "bought_in_time"])
    assert bool(o.loc["a", "judged"]) and not bool(o.loc["d", "judged"])


def test_activity_matrix_and_traffic_by(tiny):
    m = crmmine.activity_matrix(tiny)
    assert m.shape == (7, 24) and m.to_numpy().sum() == len(tiny)
    assert m.loc[0, 10] == 3            # 2024-01-01 is a Monday: a views twice and carts at 10h
    assert crmmine.activity_matrix(tiny, value="users").loc[0, 10] == 1
    assert crmmine.activity_matrix(tiny, event_type="purchase").to_numpy().sum() == 1
    tb = crmmine.traffic_by(tiny, by="day")
    assert tb["uv"].tolist() == [3, 2] and tb["buyers"].tolist() == [1, 0]
    assert tb["paying_rate"].iloc[0] == pytest.approx(1 / 3)


def test_funnel_dropouts(tiny):
    d = crmmine.funnel_dropouts(tiny)
    assert sorted(d["customer_id"]) == ["b", "d"]
    assert d["customer_id"].tolist() == ["d", "b"]        # most recently active first


@pytest.mark.parametrize("kwargs, match", [
    ({"stages": ("view",)}, "The 'stages' parameter must be a sequence of at least two"),
    ({"stages": ("view", "basket")}, "names 'basket', which is not a stage"),
    ({"by": "month"}, "The 'by' parameter must be None or one of"),
])
def test_funnel_errors(tiny, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        crmmine.funnel(tiny, **kwargs)


def test_other_errors(tiny):
    with pytest.raises(MissingColumnError, match="no 'category' column, needed for by='category'"):
        crmmine.funnel(tiny.drop(columns="category"), by="category")
    with pytest.raises(ParameterError, match="The 'value' parameter must be one of 'events', 'users'"):
        crmmine.activity_matrix(tiny, value="pv")
    with pytest.raises(ParameterError, match="The 'event_type' parameter must be None or one of"):
        crmmine.activity_matrix(tiny, event_type="pv")
    with pytest.raises(ParameterError, match="The 'stage' parameter must be one of the stages before the last"):
        crmmine.funnel_dropouts(tiny, stage="purchase")
    with pytest.raises(ParameterError, match="The 'by' parameter must be one of 'day', 'hour', 'weekday'"):
        crmmine.traffic_by(tiny, by="category")
    with pytest.raises(ParameterError, match="The 'abandon_hours' parameter must be"):
        crmmine.traffic_summary(tiny, abandon_hours=0)


def test_planted_stage_rates_are_recovered():
    ev, truth = crmmine.datasets.make_events(20_000, random_state=3)
    v = truth.visitors
    normal = v.index[(v["kind"] == "normal") & (v["arrival"] < truth.observation_end - pd.Timedelta(days=7))]
    f = crmmine.funnel(ev[ev["customer_id"].isin(normal)]).set_index("stage")
    for stage, p in truth.stage_rates.items():
        n = f["users"].shift(1)[stage]
        se = np.sqrt(p * (1 - p) / n)
        assert abs(f.loc[stage, "step_conversion"] - p) < 3.5 * se, (stage, f.loc[stage, "step_conversion"], p)
    # bouncers are exactly the visitors with a single page view
    s = crmmine.traffic_summary(ev)
    assert s["bounce_rate"] == pytest.approx((v["kind"] == "bouncer").mean(), abs=0.002)


def test_cart_outcomes_as_of_sees_nothing_later(tiny):
    o = crmmine.cart_outcomes(tiny, hours=1, as_of="2024-01-01 10:30")
    assert o["customer_id"].astype(str).tolist() == ["a"]
    assert not o["bought_in_time"].item() and not o["judged"].item()   # the purchase at 11:06 is not seen yet
