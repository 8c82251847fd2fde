"""make_events: deterministic, canonical, its truth consistent with the log; bad parameters are one-line errors."""

from __future__ import annotations

import pandas as pd
import pytest

import crmmine
from crmmine.errors import ParameterError


def test_deterministic_and_canonical():
    a, ta = crmmine.datasets.make_events(800, random_state=4)
    b, tb = crmmine.datasets.make_events(800, random_state=4)
    pd.testing.assert_frame_equal(a, b)
    assert ta.high_intent.equals(tb.high_intent)
    assert crmmine.validate_events(a) is a
    assert list(a.columns) == ["customer_id", "item_id", "category", "event_type", "event_time", "session_id", "price",
                               "source_line"]
    assert a["event_time"].min() >= ta.observation_start and a["event_time"].max() < ta.observation_end
    # the log reads back through read_events unchanged
    back = crmmine.read_events(a.drop(columns="source_line")).events
    same = a.iloc[back["source_line"].to_numpy() - 1]
    assert len(a) - len(back) < 10         # only a few exact duplicates (two plantings in the same second)
    assert back["event_type"].astype(str).tolist() == same["event_type"].astype(str).tolist()
    assert (back["event_time"].to_numpy() == same["event_time"].to_numpy()).all()


def test_truth_matches_the_log():
    ev, truth = crmmine.datasets.make_events(3000, random_state=9)
    buyers = set(ev.loc[ev["event_type"] == "purchase", "customer_id"].astype(str))
    v = truth.visitors
    assert not buyers & set(truth.high_intent)
    assert (v.loc[truth.high_intent, "kind"] == "high_intent").all()
    assert buyers <= set(v.index[v["will_buy"]])
    # every buyer bought their target item
    bought = ev[ev["event_type"] == "purchase"]
    assert (bought["item_id"].astype(str).to_numpy() == v.loc[bought["customer_id"].astype(str), "target_item"].to_numpy()).all()


@pytest.mark.parametrize("kwargs, match", [
    ({"n_visitors": 0}, "The 'n_visitors' parameter must be a positive integer"),
    ({"p_engage": 1.5}, "The 'p_engage' parameter must be in \\[0.0, 1.0\\]"),
    ({"high_intent_share": 0.6, "bounce_share": 0.5}, "must add up to at most 1"),
    ({"item_pairs": ((("I00001", "X"), 0.1),)}, "The 'item_pairs' parameter must hold pairs of item ids"),
    ({"start": "someday"}, "The 'start' parameter must be a date"),
])
def test_errors(kwargs, match):
    kwargs.setdefault("n_visitors", 10)
    with pytest.raises(ParameterError, match=match):
        crmmine.datasets.make_events(**kwargs)
