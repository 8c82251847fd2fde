"""customer_table: a hand-computed five-customer fixture, as_of, returns, errors, real data, generator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.errors import CrmmineWarning, InputError, MissingColumnError, ParameterError

COLUMNS = ["first_purchase", "last_purchase", "recency_days", "frequency", "monetary_total", "monetary_mean",
           "tenure_days", "mean_interpurchase_days", "distinct_products", "returns_count", "returns_value",
           "return_rate", "country"]


def make(rows):
    """rows: (customer_id, order_id, date, product_id, quantity, unit_price, country)."""
    df = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "product_id", "quantity",
                                     "unit_price", "country"])
    return crmmine.read_transactions(df)


TX = [
    # a: three orders (1 Jan, 11 Jan, 31 Jan), two products, 10 + 6 + 4 = 20
    ("a", "o1", "2011-01-01 10:00", "P1", 2, 5.0, "UK"),
    ("a", "o2", "2011-01-11 10:00", "P1", 1, 5.0, "UK"),
    ("a", "o2", "2011-01-11 10:00", "P2", 1, 1.0, "UK"),
    ("a", "o3", "2011-01-31 10:00", "P2", 4, 1.0, "France"),
    # b: one order, 30 on 15 Jan
    ("b", "o4", "2011-01-15 09:00", "P3", 3, 10.0, "Germany"),
    # c: two orders on 1 Jan and 21 Jan, 2 + 8 = 10; country tie France/Spain -> France
    ("c", "o5", "2011-01-01 12:00", "P1", 1, 2.0, "Spain"),
    ("c", "o6", "2011-01-21 12:00", "P1", 4, 2.0, "France"),
    # d: one order on 31 Jan, 100
    ("d", "o7", "2011-01-31 18:00", "P4", 1, 100.0, "UK"),
    # e: one order after as_of (1 Feb) -> absent when as_of = 2011-02-01
    ("e", "o8", "2011-02-01 08:00", "P1", 1, 3.0, "UK"),
]
RETURNS = [
    ("a", "Cr1", "2011-01-12", "P1", -1, 5.0, "UK"),   # 5 returned, one return order
    ("a", "Cr1", "2011-01-12", "P2", -1, 1.0, "UK"),   # same order: +1
    ("c", "Cr2", "2011-01-22", "P1", -2, 2.0, "France"),
    ("c", "Cr3", "2011-01-23", "P1", -1, 2.0, "France"),
    ("z", "Cr4", "2011-01-05", "P9", -1, 9.0, "UK"),   # no purchases: ignored
    ("b", "Cr5", "2011-02-03", "P3", -1, 10.0, "UK"),  # after as_of: ignored
]


@pytest.fixture
def table():
    return crmmine.customer_table(make(TX), as_of="2011-02-01", returns=make(RETURNS))


def test_columns_index_and_dtypes(table):
    assert list(table.columns) == COLUMNS
    assert table.index.name == "customer_id"
    assert table.index.tolist() == ["a", "b", "c", "d"]
    assert table["recency_days"].dtype == np.int64 and table["frequency"].dtype == np.int64
    assert str(table["first_purchase"].dtype) == "datetime64[ns]"


def test_hand_computed_values(table):
    assert table["frequency"].tolist() == [3, 1, 2, 1]
    assert table["monetary_total"].tolist() == [20.0, 30.0, 10.0, 100.0]
    assert table["monetary_mean"].tolist() == pytest.approx([20 / 3, 30.0, 5.0, 100.0])
    # as_of 2011-02-01 00:00: whole days since the last / first purchase
    assert table["recency_days"].tolist() == [0, 16, 10, 0]
    assert table["tenure_days"].tolist() == [30, 16, 30, 0]
    ip = table["mean_interpurchase_days"]
    assert ip["a"] == pytest.approx(15.0) and ip["c"] == pytest.approx(20.0)
    assert np.isnan(ip["b"]) and np.isnan(ip["d"])
    assert table["distinct_products"].tolist() == [2, 1, 1, 1]
    assert table.loc["a", "first_purchase"] == pd.Timestamp("2011-01-01 10:00")
    assert table.loc["a", "last_purchase"] == pd.Timestamp("2011-01-31 10:00")


def test_returns(table):
    assert table["returns_count"].tolist() == [1, 0, 2, 0]
    assert table["returns_value"].tolist() == [6.0, 0.0, 6.0, 0.0]
    assert table["return_rate"].tolist() == pytest.approx([0.3, 0.0, 0.6, 0.0])


def test_country_is_most_frequent_ties_alphabetical(table):
    assert table["country"].tolist() == ["UK", "Germany", "France", "UK"]


def test_default_as_of_is_the_day_after_the_last_line():
    t = crmmine.customer_table(make(TX))
    assert t.attrs["as_of"] == pd.Timestamp("2011-02-02")
    assert t.index.tolist() == ["a", "b", "c", "d", "e"]
    assert t.loc["e", "recency_days"] == 0 and t.loc["a", "recency_days"] == 1
    assert t["returns_count"].sum() == 0 and t["return_rate"].sum() == 0


def test_as_of_ignores_later_lines():
    t = crmmine.customer_table(make(TX), as_of="2011-01-20")
    assert t.loc["a", "frequency"] == 2 and t.loc["a", "monetary_total"] == 16.0
    assert t.loc["c", "frequency"] == 1 and "d" not in t.index


def test_sums_match_the_input():
    tx = make(TX)
    t = crmmine.customer_table(tx)
    assert t["monetary_total"].sum() == pytest.approx(tx["amount"].sum())
    assert t["frequency"].sum() == tx["order_id"].nunique()


def test_errors():
    tx = make(TX)
    with pytest.raises(InputError, match=r"No transaction in 'tx' is dated before as_of=2010-01-01.*later 'as_of'"):
        crmmine.customer_table(tx, as_of="2010-01-01")
    with pytest.raises(ParameterError, match=r"The 'as_of' parameter must be a date .* Got 'soon' instead"):
        crmmine.customer_table(tx, as_of="soon")
    with pytest.raises(MissingColumnError, match=r"The 'tx' table has no column 'amount'"):
        crmmine.customer_table(tx.drop(columns="amount"))
    with pytest.raises(MissingColumnError, match=r"The 'returns' table has no column 'order_id'"):
        crmmine.customer_table(tx, returns=tx.drop(columns="order_id"))
    guest = tx.copy()
    guest.loc[0, "customer_id"] = None
    with pytest.raises(InputError, match=r"lines without a customer id .* crmmine.clean\(tx\).transactions"):
        crmmine.customer_table(guest)


def test_warns_on_negative_quantities():
    with pytest.warns(CrmmineWarning, match=r"negative quantity .* CleanResult.returns"):
        crmmine.customer_table(make(TX + [("a", "C9", "2011-01-05", "P1", -1, 5.0, "UK")]))


def test_sample_is_consistent():
    r = crmmine.load_clean("sample")
    t = crmmine.customer_table(r.transactions, returns=r.returns)
    assert len(t) == r.transactions["customer_id"].nunique()
    assert t["monetary_total"].sum() == pytest.approx(r.transactions["amount"].sum())
    assert (t["recency_days"] <= t["tenure_days"]).all()
    assert (t["mean_interpurchase_days"].isna() == (t["frequency"] == 1)).all()


def test_generator_frequency_matches_orders():
    tx, truth = crmmine.datasets.make_transactions(300, random_state=1)
    t = crmmine.customer_table(tx)
    assert len(t) == 300
    orders = tx.groupby("customer_id")["order_id"].nunique()
    assert (t["frequency"] == orders.reindex(t.index)).all()
    # first purchase as planted (to the second)
    planted = truth.customers["first_purchase"].reindex(t.index)
    assert (t["first_purchase"] - planted).abs().max() <= pd.Timedelta(seconds=1)


@pytest.mark.slow
@pytest.mark.shared_data
def test_full_online_retail(online_retail_path):
    r = crmmine.load_clean(online_retail_path)
    t = crmmine.customer_table(r.transactions, returns=r.returns)
    assert len(t) == 4333
    assert t["monetary_total"].sum() == pytest.approx(r.transactions["amount"].sum(), rel=1e-12)
    assert t["monetary_total"].sum() == pytest.approx(8_491_574.44, abs=0.01)
    assert t["frequency"].sum() == r.transactions["order_id"].nunique()
    # returns of customers with at least one purchase only
    buyers = r.returns["customer_id"].isin(t.index)
    assert t["returns_value"].sum() == pytest.approx(-r.returns.loc[buyers, "amount"].sum())
    assert t.attrs["as_of"] == pd.Timestamp("2011-12-10")
    assert t["country"].notna().all()


def test_missing_order_and_product_ids_are_not_counted():
    tx = make(TX)
    tx.loc[0, "order_id"] = None  # a's first line (o1, P1)
    tx.loc[0, "product_id"] = None
    t = crmmine.customer_table(tx, as_of="2011-02-01")
    assert t.loc["a", "frequency"] == 2 and t.loc["a", "distinct_products"] == 2
    assert t.loc["a", "monetary_total"] == 20.0  # the line's amount still counts


def test_orders_shared_by_customers_count_for_each():
    # an order id reused by two customers (not the common case): counted once per customer
    tx = make([("a", "o1", "2011-01-01", "P1", 1, 1.0, "UK"), ("b", "o1", "2011-01-02", "P1", 1, 1.0, "UK"),
               ("b", "o2", "2011-01-03", "P1", 1, 1.0, "UK")])
    assert crmmine.customer_table(tx)["frequency"].tolist() == [1, 2]


def test_hand_made_table_with_integer_ids_and_no_country():
    tx = pd.DataFrame({"customer_id": [1, 1, 2], "order_id": ["a", "b", "c"],
                       "order_date": pd.to_datetime(["2011-01-01", "2011-01-05", "2011-01-03"]),
                       "product_id": ["p", "q", "p"], "quantity": [1.0, 1.0, 1.0], "amount": [1.0, 2.0, 3.0]})
    t = crmmine.customer_table(tx)
    assert t.index.tolist() == [1, 2] and t["frequency"].tolist() == [2, 1]
    assert t["country"].isna().all()
