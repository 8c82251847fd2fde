"""Cohorts and concentration: cohort tables by hand, ABC classes, Lorenz, Gini, value ranking, real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.customers.cohorts import top_share
from crmmine.errors import InputError, MissingColumnError, ParameterError


def make(rows):
    df = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "amount"])
    df["product_id"] = "P1"
    df["quantity"] = 1.0
    return crmmine.read_transactions(df)


TX = make([
    ("a", "1", "2011-01-05", 10.0), ("a", "2", "2011-02-10", 20.0), ("a", "3", "2011-04-01", 5.0),
    ("b", "4", "2011-01-20", 7.0), ("b", "5", "2011-01-25", 3.0),
    ("c", "6", "2011-02-03", 4.0), ("c", "7", "2011-03-03", 6.0),
])
NAN = np.nan


def test_cohort_customers_by_hand():
    c = crmmine.cohort_table(TX)
    assert [str(p) for p in c.index] == ["2011-01", "2011-02"]
    assert c.index.name == "cohort" and c.columns.name == "periods_since_first"
    assert list(c.columns) == [0, 1, 2, 3]
    np.testing.assert_array_equal(c.to_numpy(), [[2, 1, 0, 1], [1, 1, 0, NAN]])


def test_cohort_revenue_and_normalised():
    r = crmmine.cohort_table(TX, value="revenue")
    np.testing.assert_array_equal(r.to_numpy(), [[20, 20, 0, 5], [4, 6, 0, NAN]])
    n = crmmine.cohort_table(TX, normalize=True)
    np.testing.assert_array_equal(n.to_numpy(), [[1, 0.5, 0, 0.5], [1, 1, 0, NAN]])


def test_cohort_quarters_and_weeks():
    q = crmmine.cohort_table(TX, period="Q")
    assert [str(p) for p in q.index] == ["2011Q1"]
    np.testing.assert_array_equal(q.to_numpy(), [[3, 1]])
    w = crmmine.cohort_table(TX, period="W")
    # 2011-01-05 is a Wednesday: week of Monday 3 January
    assert str(w.index[0]) == "2011-01-03/2011-01-09"
    assert w.iloc[0, 0] == 1  # a; b's first week is 2011-01-17
    assert w.loc[pd.Period("2011-01-17", "W"), 1] == 1  # b bought again on the 25th, one week later


def test_cohort_sizes_add_up_on_sample():
    r = crmmine.load_clean("sample")
    c = crmmine.cohort_table(r.transactions)
    assert c[0].sum() == r.transactions["customer_id"].nunique()
    rev = crmmine.cohort_table(r.transactions, value="revenue")
    assert np.nansum(rev.to_numpy()) == pytest.approx(r.transactions["amount"].sum())


def test_pareto_classes_by_hand():
    c = pd.DataFrame({"monetary_total": [5.0, 10.0, 50.0, 5.0, 30.0]}, index=["z", "x", "v", "y", "w"])
    p = crmmine.pareto_classes(c)
    assert p.index.tolist() == ["v", "w", "x", "y", "z"]  # ties (y, z) by id
    assert p["rank"].tolist() == [1, 2, 3, 4, 5]
    # share held by those above: 0, .5, .8, .9, .95
    assert p["abc_class"].tolist() == ["A", "A", "B", "B", "C"]
    assert p["value_share"].tolist() == pytest.approx([0.5, 0.8, 0.9, 0.95, 1.0])
    assert p["customer_share"].tolist() == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    assert crmmine.pareto_classes(c, a=0.5, b=0.9)["abc_class"].tolist() == ["A", "B", "B", "C", "C"]


def test_lorenz_and_gini_by_hand():
    lc = crmmine.lorenz_curve([5, 1, 4, 2, 3])
    assert lc["customer_share"].tolist() == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert lc["value_share"].tolist() == pytest.approx([0, 1 / 15, 3 / 15, 6 / 15, 10 / 15, 1.0])
    assert crmmine.gini([1, 2, 3, 4, 5]) == pytest.approx(4 / 15)
    assert crmmine.gini([7, 7, 7]) == 0.0
    assert crmmine.gini([0, 0, 0, 0, 10]) == pytest.approx(0.8)  # (n - 1) / n


def test_gini_is_one_minus_twice_the_lorenz_area():
    x = np.random.default_rng(3).lognormal(3, 1.5, size=1000)
    lc = crmmine.lorenz_curve(x)
    area = np.trapezoid(lc["value_share"], lc["customer_share"])
    assert crmmine.gini(x) == pytest.approx(1 - 2 * area, abs=1e-12)


def test_top_share():
    assert top_share([1, 1, 1, 1, 6], 0.2) == pytest.approx(0.6)
    assert top_share(np.ones(10), 0.3) == pytest.approx(0.3)


def test_value_ranking_by_hand():
    c = pd.DataFrame({"monetary_total": [100.0, 80.0, 50.0], "frequency": [4, 1, 2],
                      "returns_value": [40.0, 0.0, 60.0], "returns_count": [2, 0, 1]}, index=["x", "y", "z"])
    v = crmmine.value_ranking(c, return_cost=5.0, order_cost=1.0)
    assert list(v.columns) == ["gross_value", "returns_value", "service_cost", "net_value", "rank", "net_share",
                               "cumulative_net_share"]
    # x: 100 - 40 - 10 - 4 = 46; y: 80 - 0 - 0 - 1 = 79; z: 50 - 60 - 5 - 2 = -17
    assert v.index.tolist() == ["y", "x", "z"]
    assert v["net_value"].tolist() == [79.0, 46.0, -17.0]
    assert v["service_cost"].tolist() == [1.0, 14.0, 7.0]
    assert v["net_share"].tolist() == pytest.approx([79 / 108, 46 / 108, -17 / 108])
    assert v["cumulative_net_share"].iloc[-1] == pytest.approx(1.0)


def test_errors():
    with pytest.raises(ParameterError, match=r"The 'value' parameter must be one of 'customers', 'revenue'. Got 'sales'"):
        crmmine.cohort_table(TX, value="sales")
    with pytest.raises(ParameterError, match=r"The 'period' parameter must be one of 'M', 'Q', 'W'. Got 'D'"):
        crmmine.cohort_table(TX, period="D")
    with pytest.raises(InputError, match=r"must not be negative .* Got -1; clip or drop"):
        crmmine.gini([3, -1])
    with pytest.raises(InputError, match=r"The 'values' parameter is empty"):
        crmmine.lorenz_curve([])
    with pytest.raises(InputError, match=r"sums to 0"):
        crmmine.gini([0, 0])
    with pytest.raises(InputError, match=r"missing values \(first at position 1\)"):
        crmmine.gini([1, np.nan])
    c = pd.DataFrame({"monetary_total": [1.0, 2.0]})
    with pytest.raises(ParameterError, match=r"The 'a' parameter must be smaller than 'b'. Got a=0.9 and b=0.8"):
        crmmine.pareto_classes(c, a=0.9, b=0.8)
    with pytest.raises(ParameterError, match=r"The 'b' parameter must be a number in \(0, 1\). Got 95"):
        crmmine.pareto_classes(c, b=95)
    with pytest.raises(MissingColumnError, match=r"no column 'revenue'.*value='<column>'"):
        crmmine.pareto_classes(c, value="revenue")
    with pytest.raises(MissingColumnError, match=r"no column 'frequency'.*returns="):
        crmmine.value_ranking(c)
    with pytest.raises(ParameterError, match=r"The 'return_cost' parameter must be a non-negative number. Got -2"):
        crmmine.value_ranking(c, return_cost=-2)


@pytest.mark.slow
@pytest.mark.shared_data
def test_full_online_retail(online_retail_path):
    r = crmmine.load_clean(online_retail_path)
    ct = crmmine.customer_table(r.transactions, returns=r.returns)
    # the example finding: the top 20% of customers bring about 74% of revenue
    assert top_share(ct["monetary_total"], 0.2) == pytest.approx(0.739, abs=0.001)
    assert crmmine.gini(ct["monetary_total"]) == pytest.approx(0.708, abs=0.001)
    p = crmmine.pareto_classes(ct)
    assert (p["abc_class"] == "A").sum() == 1163
    c = crmmine.cohort_table(r.transactions)
    assert str(c.index[0]) == "2010-12" and str(c.index[-1]) == "2011-12"
    assert c[0].sum() == 4333 and c.loc[pd.Period("2010-12", "M"), 0] == 884
    v = crmmine.value_ranking(ct)
    assert v["net_value"].sum() == pytest.approx(ct["monetary_total"].sum() - ct["returns_value"].sum())


def test_generator_cohort_sizes_match_planted_first_purchases():
    tx, truth = crmmine.datasets.make_transactions(2000, random_state=3)
    c = crmmine.cohort_table(tx)
    planted = truth.customers["first_purchase"].dt.to_period("M").value_counts().sort_index()
    assert c[0].astype(int).to_dict() == planted.reindex(c.index, fill_value=0).to_dict()
