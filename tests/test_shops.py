"""The zoo of shop shapes (issue 11): every shape reads back from a file and cleans without silent loss."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.datasets import SHOP_SHAPES, make_shop
from crmmine.errors import CrmmineWarning, ParameterError

SOURCE_NAMES = {"customer_id": "Customer", "order_id": "Basket", "order_date": "Date", "product_id": "Item",
                "product_name": "Name", "quantity": "Qty", "unit_price": "Price", "amount": "Sales",
                "country": "Country", "category": "Dept"}


@pytest.fixture(scope="module", params=sorted(SHOP_SHAPES))
def shop(request):
    tx, truth = make_shop(request.param, 300, random_state=7)
    return request.param, tx


def _as_file(tx: pd.DataFrame, path):
    """Write a shop as a user's export would look: its own column names, dates as text."""
    out = tx.drop(columns=["source_line"]).rename(columns=SOURCE_NAMES)
    out["Date"] = out["Date"].dt.strftime("%Y-%m-%d %H:%M:%S")
    out.to_csv(path, index=False)
    return {canon: name for canon, name in SOURCE_NAMES.items() if name in out.columns}


def test_every_shape_reads_back_from_a_file(shop, tmp_path):
    shape, tx = shop
    mapping = _as_file(tx, tmp_path / f"{shape}.csv")
    back = crmmine.read_transactions(tmp_path / f"{shape}.csv", schema=mapping)
    assert len(back) == len(tx)
    assert back["amount"].sum() == pytest.approx(tx["amount"].sum(), rel=1e-9)
    ids = tx["customer_id"].astype(object).where(tx["customer_id"].notna(), None).tolist()
    assert back["customer_id"].astype(object).where(back["customer_id"].notna(), None).tolist() == ids
    assert back["order_id"].tolist() == tx["order_id"].tolist()
    assert (back["order_date"] == tx["order_date"]).all()


def test_every_shape_cleans_and_accounts_for_every_line(shop):
    shape, tx = shop
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = crmmine.clean(tx)
    assert len(tx) == len(r.transactions) + len(r.rejected) + len(r.returns)
    warned = [w for w in caught if issubclass(w.category, CrmmineWarning)]
    if shape == "guests_only":  # every line is a guest line: said loudly, not silently
        assert r.transactions.empty and len(warned) == 1 and "Missing customer id" in str(warned[0].message)
        assert r.audit.set_index("rule").loc["missing_customer_id", "notable"]
    else:
        kept = r.transactions["amount"].sum() / tx["amount"].sum()
        assert kept >= 0.99, (shape, kept)
        assert not warned


def test_grocer_shape_is_the_complete_journey_shape():
    tx, _ = make_shop("grocer", 1000, random_state=0)
    assert (tx["quantity"] == 1).mean() == pytest.approx(0.80, abs=0.02)
    assert tx["customer_id"].str.fullmatch(r"\d+").all() and tx["product_id"].str.fullmatch(r"\d+").all()
    r = crmmine.clean(tx)
    # the old MAD rule rejected every quantity >= 2 here (20% of the lines, a third of the revenue)
    assert r.transactions["amount"].sum() >= 0.99 * tx["amount"].sum()
    assert (r.transactions["quantity"] >= 2).sum() == (tx["quantity"].between(2, 100)).sum()
    extreme = r.rejected[r.rejected["reason"] == "extreme_value"]
    assert set(extreme["product_name"]) == {"KIOSK-GAS"}  # only the fuel lines (thousands of units)


def test_shapes_are_what_they_say():
    tx, _ = make_shop("two_weeks", 200, random_state=1)
    assert (tx["order_date"].max() - tx["order_date"].min()) <= pd.Timedelta(days=14)
    tx, _ = make_shop("big_catalogue", 200, random_state=1)
    assert tx["product_id"].nunique() > 1000 and tx["product_id"].str.len().max() == 6  # P + 5 digits: 100k codes
    tx, _ = make_shop("huge_basket", 200, random_state=1)
    assert tx.groupby("order_id")["product_id"].nunique().max() == 262
    tx, _ = make_shop("no_product_names", 200, random_state=1)
    assert "product_name" not in tx and "category" not in tx
    tx, _ = make_shop("guests_only", 200, random_state=1)
    assert tx["customer_id"].isna().all()
    _, truth = make_shop("low_churn", 500, random_state=1)
    assert truth.customers["alive"].mean() > 0.8
    a, _ = make_shop("integer_ids", 100, random_state=3)
    b, _ = make_shop("integer_ids", 100, random_state=3)
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ParameterError, match=r"The 'shape' parameter must be one of 'grocer', .* Got 'bakery' instead"):
        make_shop("bakery")


def test_huge_basket_does_not_blow_up_mining():
    tx, _ = make_shop("huge_basket", 300, random_state=2)
    r = crmmine.clean(tx)
    rules = crmmine.mine_rules(r, min_support=0.005, min_confidence=0.3)
    assert rules.attrs["n_itemsets"] < 1_000_000
