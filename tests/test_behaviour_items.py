"""Items: conversion per item and category by hand; planted viewed-together pairs found by the rule engine."""

from __future__ import annotations

import pandas as pd
import pytest

import crmmine
from crmmine.errors import MissingColumnError, ParameterError


@pytest.fixture(scope="module")
def tiny():
    rows = [("a", "x", "view", "2024-01-01 10:00"), ("a", "y", "view", "2024-01-01 10:01"),
            ("a", "x", "purchase", "2024-01-01 10:30"), ("b", "x", "view", "2024-01-01 11:00"),
            ("b", "y", "view", "2024-01-01 11:02"), ("b", "y", "cart", "2024-01-01 11:03"),
            ("c", "x", "view", "2024-01-02 09:00"), ("c", "z", "purchase", "2024-01-02 09:10")]
    df = pd.DataFrame(rows, columns=["customer_id", "item_id", "event_type", "event_time"])
    df["category"] = df["item_id"].map({"x": "K1", "y": "K1", "z": "K2"})
    return crmmine.read_events(df).events


def test_item_conversion_by_hand(tiny):
    c = crmmine.item_conversion(tiny)
    assert c.index.tolist() == ["x", "y", "z"]
    assert c.loc["x", ["views", "viewers", "purchases", "buyers"]].tolist() == [3, 3, 1, 1]
    assert c.loc["x", "view_to_buy"] == pytest.approx(1 / 3)
    assert c.loc["y", "cart_to_buy"] == 0.0
    assert pd.isna(c.loc["z", "view_to_buy"])             # bought without a logged view: no viewers
    k = crmmine.item_conversion(tiny, level="category")
    assert k.loc["K1", "viewers"] == 3 and k.loc["K1", "buyers"] == 1 and k.loc["K2", "buyers"] == 1


def test_viewed_not_bought(tiny):
    v = crmmine.viewed_not_bought(tiny, min_viewers=2)
    # overall rate: 1 buyer among 5 (viewer, item) pairs = 0.2; y (2 viewers, 0 bought) falls short by 0.4
    assert v.index.tolist() == ["y"]
    assert v.attrs["overall_view_to_buy"] == pytest.approx(0.2)
    assert v["missing_buyers"].item() == pytest.approx(0.4)


def test_event_baskets_by_hand(tiny):
    b = crmmine.event_baskets(tiny, by="user_day")
    assert b.groupby("order_id")["product_id"].apply(sorted).to_dict() == {
        "a-20240101": ["x", "y"], "b-20240101": ["x", "y"], "c-20240102": ["x"]}
    s = crmmine.event_baskets(tiny, event_type=("view", "cart"), by="session", gap_minutes=30)
    assert s["order_id"].nunique() == 3
    rules = crmmine.mine_rules(b, min_support=0.5, min_confidence=0.5)
    assert len(rules) == 2 and rules["confidence"].min() == pytest.approx(2 / 3)


def test_planted_pairs_top_the_viewed_together_rules():
    ev, truth = crmmine.datasets.make_events(20_000, random_state=5)
    b = crmmine.event_baskets(ev, by="session")
    rules = crmmine.mine_rules(b, min_support=0.005, min_confidence=0.2, max_len=2)
    top = rules.sort_values("lift", ascending=False).head(2 * len(truth.item_pairs))
    found = {frozenset(a | c) for a, c in zip(top["antecedents"], top["consequents"])}
    assert found == {frozenset(p) for p in truth.item_pairs["items"]}


def test_errors(tiny):
    with pytest.raises(ParameterError, match="The 'level' parameter must be one of 'item', 'category'"):
        crmmine.item_conversion(tiny, level="brand")
    with pytest.raises(MissingColumnError, match="no 'category' column, needed for level='category'"):
        crmmine.item_conversion(tiny.drop(columns="category"), level="category")
    with pytest.raises(ParameterError, match="The 'event_type' parameter must be event types"):
        crmmine.event_baskets(tiny, event_type="pv")
    with pytest.raises(ParameterError, match="The 'by' parameter must be one of 'user_day', 'session'"):
        crmmine.event_baskets(tiny, by="week")
