"""The real Taobao UserBehavior head file (../shared/data; research use, never shipped): the facts in its README."""

from __future__ import annotations

import pandas as pd
import pytest

import crmmine


@pytest.fixture(scope="module")
def log(taobao_path):
    return crmmine.read_events(taobao_path, schema="taobao")


def test_every_line_is_kept_or_rejected_and_the_cut_line_is_reported(log):
    audit = log.audit.set_index("rule")["lines"]
    assert audit["input"] == 84_476
    assert audit.drop("input").sum() == 84_476
    cut = log.rejected[log.rejected["reason"] == "truncated_line"]
    assert cut["source_line"].tolist() == [84_476] and cut["raw_line"].tolist() == ["100370,1968385,1875258,pv"]
    # the 35 events stamped before the data set's period (2017-11-25 .. 2017-12-03, China time)
    assert audit["out_of_window"] == 35 and audit["kept"] == 84_476 - 36


def test_the_readme_facts_without_the_last_user(log):
    ev = pd.concat([log.events, log.rejected[log.rejected["reason"] == "out_of_window"]])
    ev = ev[ev["customer_id"].astype(str) != "100370"]
    assert len(ev) == 84_287 and ev["customer_id"].nunique() == 814
    assert ev["event_type"].astype(str).value_counts().to_dict() == {"view": 75_693, "cart": 4_494,
                                                                     "favourite": 2_351, "purchase": 1_749}
    assert ev.loc[ev["event_type"] == "purchase", "customer_id"].nunique() == 558
    assert ev["item_id"].nunique() == 55_233 and ev["category"].nunique() == 2_911


def test_china_time_and_the_funnel(log):
    ev = log.events
    assert ev["event_time"].min() >= pd.Timestamp("2017-11-25") and ev["event_time"].max() < pd.Timestamp("2017-12-04")
    f = crmmine.funnel(ev).set_index("stage")
    assert f.loc["purchase", "users"] == 559 and f.loc["view", "events"] == 75_837
    m = crmmine.activity_matrix(ev)
    assert m.sum(axis=0).idxmax() in range(19, 24)            # evening peak in China time, not UTC's 13:00
    s = crmmine.traffic_summary(ev)
    assert s["uv"] == 815 and s["paying_rate"] == pytest.approx(559 / 815)


def test_propensity_backtest_runs_on_real_events(log):
    bt = crmmine.propensity_backtest(log.events, random_state=0)
    assert bt.horizon_days == 2 and bt.test_cutoff == pd.Timestamp("2017-12-02")
    assert set(bt.metrics.index) == {"model", "cart", "recency"}
    assert 0 < bt.metrics.loc["model", "purchase_rate"] < 1
