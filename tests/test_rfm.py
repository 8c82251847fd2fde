"""RFM: tie-aware scores by hand, the segment map, custom maps, errors, real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.errors import InputError, MissingColumnError, ParameterError
from crmmine.text.labels import set_language
from crmmine.customers.rfm import tie_aware_scores


def test_no_ties_gives_quintiles():
    assert tie_aware_scores(np.arange(10), 5).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert tie_aware_scores(np.arange(10), 5, higher_is_better=False).tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_heavy_tie_takes_one_score_and_the_rest_are_spread():
    # 12 customers: 6 bought once (a tie of 50%), then 2,2,3,3,4,8.
    # bin 1 takes the tie (6). Left 6 over 4 bins, target 1.5 each:
    # bin 2 -> value 2 (cum 8, target 7.5), bin 3 -> 3 (cum 10, target 9.33),
    # bin 4 -> 4 (cum 11, target 10.5), bin 5 -> 8.
    x = [1] * 6 + [2, 2, 3, 3, 4, 8]
    assert tie_aware_scores(x, 5).tolist() == [1] * 6 + [2, 2, 3, 3, 4, 5]


def test_ties_never_split_and_scores_are_monotone():
    rng = np.random.default_rng(0)
    x = rng.geometric(0.5, size=2000)
    s = tie_aware_scores(x, 5)
    per_value = pd.Series(s).groupby(x).nunique()
    assert (per_value == 1).all()
    order = np.argsort(x, kind="stable")
    assert (np.diff(s[order]) >= 0).all()
    assert set(s) == {1, 2, 3, 4, 5}


def test_few_distinct_values_are_spread_and_constant_is_middle():
    assert tie_aware_scores([1, 1, 2], 5).tolist() == [1, 1, 5]
    assert tie_aware_scores([3, 3, 3], 5).tolist() == [3, 3, 3]
    assert tie_aware_scores([1, 2, 3], 5).tolist() == [1, 3, 5]


CUSTOMERS = pd.DataFrame(
    {
        "recency_days": [1, 3, 3, 10, 40, 60, 90, 90, 200, 300],
        "frequency": [12, 5, 1, 2, 1, 1, 4, 1, 1, 2],
        "monetary_total": [900.0, 300.0, 20.0, 60.0, 15.0, 15.0, 500.0, 30.0, 10.0, 80.0],
    },
    index=pd.Index([f"c{i}" for i in range(10)], name="customer_id"),
)


def test_rfm_scores_by_hand():
    s = crmmine.rfm_scores(CUSTOMERS)
    assert list(s.columns) == ["r_score", "f_score", "m_score", "rfm_score", "rfm_cell"]
    # Bins fill from the worst value; a run of values ends where its cumulative count is
    # closest to an equal share of the customers left (on a tie of distances: the shorter run).
    # recency, worst first: 300 200 | 90 90 | 60 40 | 10 | 3 3 1
    #   targets 2, 4, 6, 8 (cum 7 and 9 are equally close to 8 -> stop at 7), rest.
    assert s["r_score"].tolist() == [5, 5, 5, 4, 3, 3, 2, 2, 1, 1]
    # frequency: the five one-time buyers take score 1; then 2 2 | 4 | 5 | 12
    assert s["f_score"].tolist() == [5, 4, 1, 2, 1, 1, 3, 1, 1, 2]
    # monetary: 10 | 15 15 | 20 30 | 60 80 | 300 500 900 (targets 2, 3.25, 5.33, 7.5)
    assert s["m_score"].tolist() == [5, 5, 3, 4, 2, 2, 5, 3, 1, 4]
    assert s["rfm_cell"].tolist() == ["555", "545", "513", "424", "312", "312", "235", "213", "111", "124"]
    assert s["rfm_score"].tolist() == [15, 14, 9, 10, 6, 6, 10, 6, 3, 7]


def test_rfm_segments_by_hand():
    seg = crmmine.rfm_segments(crmmine.rfm_scores(CUSTOMERS))
    assert list(seg.columns) == ["rfm_segment", "rfm_segment_name"]
    assert seg["rfm_segment"].tolist() == [
        "champions",  # 555
        "champions",  # 545: r 5, fm 4.5
        "new",  # 513: r 5, f 1
        "loyal",  # 424: r 4, fm 3
        "about_to_sleep",  # 312: r 3, fm 1.5
        "about_to_sleep",
        "cant_lose_them",  # 235: r 2, fm 4
        "hibernating",  # 213: r 2, fm 2
        "lost",  # 111
        "at_risk",  # 124: r 1, fm 3
    ]
    assert seg["rfm_segment_name"].tolist()[:3] == ["Champions", "Champions", "New"]


@pytest.mark.parametrize(
    "r,f,m,expected",
    [
        (5, 5, 5, "champions"), (4, 4, 4, "champions"), (5, 3, 3, "loyal"), (3, 5, 5, "loyal"),
        (5, 1, 1, "new"), (5, 1, 5, "new"), (3, 1, 5, "need_attention"), (4, 1, 2, "promising"), (5, 2, 2, "potential_loyalist"),
        (4, 3, 2, "potential_loyalist"), (3, 2, 3, "need_attention"), (3, 1, 2, "about_to_sleep"),
        (2, 5, 4, "cant_lose_them"), (1, 4, 4, "cant_lose_them"), (2, 3, 3, "at_risk"), (1, 4, 2, "at_risk"),
        (2, 2, 1, "hibernating"), (1, 1, 2, "lost"), (1, 2, 3, "lost"),
    ],
)
def test_segment_rules(r, f, m, expected):
    seg = crmmine.rfm_segments(pd.DataFrame({"r_score": [r], "f_score": [f], "m_score": [m]}))
    assert seg["rfm_segment"].iloc[0] == expected


def test_every_five_point_cell_has_a_named_segment():
    grid = np.array(np.meshgrid(*[np.arange(1, 6)] * 3)).reshape(3, -1).T
    seg = crmmine.rfm_segments(pd.DataFrame(grid, columns=["r_score", "f_score", "m_score"]))
    assert (seg["rfm_segment"] != "other").all()
    assert set(seg["rfm_segment"]) == set(crmmine.RFM_SEGMENTS)


def test_names_follow_the_language():
    s = pd.DataFrame({"r_score": [5], "f_score": [5], "m_score": [5]})
    assert crmmine.rfm_segments(s)["rfm_segment_name"].iloc[0] == "Champions"
    set_language("zh")
    try:
        assert crmmine.rfm_segments(s)["rfm_segment_name"].iloc[0] == "冠军客户"
    finally:
        set_language("en")


def test_custom_map_and_other_fallback():
    s = pd.DataFrame({"r_score": [5, 1, 3], "f_score": [5, 1, 3], "m_score": [5, 1, 3]})
    seg = crmmine.rfm_segments(s, segment_map={"vip": {"r": (4, 5), "fm": (4, 5)}, "gone": {"r": (1, 1)}})
    assert seg["rfm_segment"].tolist() == ["vip", "gone", "other"]
    assert seg["rfm_segment_name"].tolist() == ["vip", "gone", "Other"]
    assert list(seg["rfm_segment"].cat.categories) == ["vip", "gone", "other"]


def test_errors():
    with pytest.raises(ParameterError, match=r"The 'n_bins' parameter must be an integer from 2 to 9. Got 10"):
        crmmine.rfm_scores(CUSTOMERS, n_bins=10)
    with pytest.raises(MissingColumnError, match=r"no frequency column 'orders'.*frequency='<column>'"):
        crmmine.rfm_scores(CUSTOMERS, frequency="orders")
    bad = CUSTOMERS.copy()
    bad.loc["c3", "monetary_total"] = np.nan
    with pytest.raises(InputError, match=r"column 'monetary_total' has missing values \(first: customer 'c3'\)"):
        crmmine.rfm_scores(bad)
    with pytest.raises(ParameterError, match=r"The 'customers' parameter must be a DataFrame.*Got list"):
        crmmine.rfm_scores([1, 2])
    s = crmmine.rfm_scores(CUSTOMERS)
    with pytest.raises(ParameterError, match=r"rule for 'x' has r=\(5, 1\); give an inclusive \(low, high\)"):
        crmmine.rfm_segments(s, segment_map={"x": {"r": (5, 1)}})
    with pytest.raises(ParameterError, match=r"rule for 'x' must be a dict with keys among r, f, m, fm"):
        crmmine.rfm_segments(s, segment_map={"x": {"recency": (1, 5)}})
    with pytest.raises(ParameterError, match=r"'segment_map' parameter must be a non-empty dict"):
        crmmine.rfm_segments(s, segment_map={})
    with pytest.raises(MissingColumnError, match=r"no column 'm_score'.*crmmine.rfm_scores"):
        crmmine.rfm_segments(s.drop(columns="m_score"))


def test_rfm_table_on_sample():
    r = crmmine.load_clean("sample")
    t = crmmine.rfm_table(r.transactions, returns=r.returns)
    assert len(t) == r.transactions["customer_id"].nunique()
    assert t.loc[t["frequency"] == 1, "f_score"].eq(1).all()
    assert set(t["r_score"]) == {1, 2, 3, 4, 5}
    assert (t["rfm_segment"] != "other").all()


@pytest.mark.slow
@pytest.mark.shared_data
def test_full_online_retail(online_retail_path):
    r = crmmine.load_clean(online_retail_path)
    t = crmmine.rfm_table(r.transactions, returns=r.returns)
    counts = {c: t[c].value_counts().sort_index() for c in ("r_score", "f_score", "m_score")}
    # without heavy ties recency and monetary bins are near-equal (4,333 / 5 = 866.6)
    assert counts["m_score"].between(860, 875).all()
    assert counts["r_score"].between(850, 890).all()
    # 1,505 one-time buyers share f_score 1 and nobody else has it
    assert counts["f_score"].loc[1] == (t["frequency"] == 1).sum() == 1505
    assert t.groupby("f_score")["frequency"].max().is_monotonic_increasing
    champions = t["rfm_segment"] == "champions"
    assert t.loc[champions, "monetary_total"].sum() / t["monetary_total"].sum() > 0.6


def test_segment_guide():
    g = crmmine.rfm_segment_guide()
    assert g.index.tolist() == list(crmmine.RFM_SEGMENTS) + ["other"]
    assert list(g.columns) == ["name", "rule", "action"]
    assert g.loc["loyal", "rule"] == "r 3-5, f 2-5, fm 3-5"
    assert g.loc["new", "rule"] == "r 5, f 1"
    assert (g["action"] != "").all()
    custom = crmmine.rfm_segment_guide({"vip": {"r": (4, 5)}})
    assert custom.loc["vip"].tolist() == ["vip", "r 4-5", ""]


def test_planted_vips_score_highest():
    tx, truth = crmmine.datasets.make_transactions(3000, random_state=2)
    t = crmmine.rfm_table(tx)
    seg = truth.segments.reindex(t.index)
    mean_score = t.groupby(seg)["rfm_score"].mean()
    assert mean_score["vip"] > mean_score["regular"] > mean_score["occasional"]
    assert (t.loc[seg == "vip", "rfm_segment"].isin(["champions", "loyal"])).mean() > 0.5
