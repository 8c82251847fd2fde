"""The full real files in ../shared/data: known facts and the cleaning invariant (../shared/data/README.md)."""

from __future__ import annotations

import pandas as pd
import pytest

import crmmine

pytestmark = [pytest.mark.slow, pytest.mark.shared_data]


@pytest.fixture(scope="module")
def online_retail(online_retail_path):
    tx = crmmine.read_transactions(online_retail_path)
    return tx, crmmine.clean(tx)


def test_online_retail_known_facts(online_retail):
    tx, _ = online_retail
    assert len(tx) == 541_909
    assert tx["order_id"].nunique() == 25_900
    cancelled = tx["order_id"].str.startswith("C")
    assert tx.loc[cancelled, "order_id"].nunique() == 3_836 and int(cancelled.sum()) == 9_288
    assert tx["product_id"].nunique() == 4_070
    assert tx["customer_id"].nunique() == 4_372
    assert int(tx["customer_id"].isna().sum()) == 135_080
    assert tx["country"].nunique() == 38
    assert int(tx.drop(columns="source_line").duplicated(keep=False).sum()) > 0
    assert int(tx.drop(columns="source_line").duplicated().sum()) == 5_268
    assert int((tx["quantity"] < 0).sum()) == 10_624
    assert int((tx["unit_price"] == 0).sum()) == 2_515 and int((tx["unit_price"] < 0).sum()) == 2
    assert sorted(tx.loc[tx["order_id"].str.startswith("A"), "order_id"].unique()) == ["A563185", "A563186", "A563187"]
    assert int(tx["product_name"].isna().sum()) == 1_454
    assert tx["amount"].sum() == pytest.approx(9_747_747.93, abs=0.01)
    assert str(tx["order_date"].min()) == "2010-12-01 08:26:00" and str(tx["order_date"].max()) == "2011-12-09 12:50:00"
    assert not tx["customer_id"].dropna().str.endswith(".0").any()


def test_online_retail_every_line_accounted_for(online_retail):
    tx, r = online_retail
    assert len(tx) == len(r.transactions) + len(r.rejected) + len(r.returns)
    total = tx["amount"].sum()
    assert r.transactions["amount"].sum() + r.rejected["amount"].sum() + r.returns["amount"].sum() == \
        pytest.approx(total, abs=1e-6)
    lines = set(tx["source_line"])
    assert lines == set(r.transactions["source_line"]) | set(r.rejected["source_line"]) | set(r.returns["source_line"])
    audit = r.audit.set_index("rule")
    assert audit.loc["missing_customer_id", "lines"] == 135_080
    assert audit.loc["input", "lines"] == audit.drop("input")["lines"].sum()
    # the two famous bulk orders (and nothing ordinary) are extreme
    extreme = r.rejected[r.rejected["reason"] == "extreme_value"]
    assert sorted(extreme["quantity"].tolist()) == [74_215, 80_995]
    # clean lines are all products with positive price and quantity from known customers
    t = r.transactions
    assert (t["quantity"] > 0).all() and (t["unit_price"] > 0).all() and t["customer_id"].notna().all()
    assert not t["order_id"].str.startswith("C").any()
    assert not t["product_id"].isin(["POST", "M", "DOT", "BANK CHARGES", "AMAZONFEE", "D", "S", "B"]).any()
    # the bad-debt adjustments (guest lines with code B) are rejected, none kept
    assert set(r.rejected.loc[r.rejected["order_id"].str.startswith("A"), "reason"]) == {"missing_customer_id"}


def test_cdnow_files(cdnow_master_path, cdnow_sample_path):
    master = crmmine.read_transactions(cdnow_master_path)
    assert len(master) == 69_659 and master["customer_id"].nunique() == 23_570
    assert master.attrs["crmmine_source"]["schema"] == "cdnow"
    assert master["order_date"].min() == pd.Timestamp("1997-01-01")
    assert master["order_date"].max() == pd.Timestamp("1998-06-30")
    sample = crmmine.read_transactions(cdnow_sample_path, schema="cdnow")
    assert len(sample) == 6_919 and sample["customer_id"].nunique() == 2_357
    assert set(sample["customer_id"]) <= set(master["customer_id"])


# --- issue 11: the new real data through the documented mappings --------------------------------------

TAOBAO_MAPPING = {"customer_id": 0, "product_id": 1, "category": 2, "order_date": 4}  # README: headerless files
OLIST_MAPPING = {"customer_id": "customer_unique_id", "order_id": "order_id", "order_date": "order_purchase_timestamp",
                 "product_id": "product_id", "unit_price": "price", "category": "product_category_name"}


def test_taobao_events_without_a_header(shared_data):
    from crmmine.errors import MissingColumnError

    path = shared_data / "taobao_userbehavior" / "UserBehavior_head.csv"
    with pytest.raises(MissingColumnError, match=r"first line \(1, 2268318, 2520377, pv, 1511544070\) looks like "
                                                 r"data, not column names: pass header=False"):
        crmmine.read_transactions(path)
    # mapped by position, the only thing missing is money: Taobao's events carry no prices
    with pytest.raises(MissingColumnError, match=r"has no column for 'amount' .*columns found: column_1, column_2, "
                                                 r"column_3, column_4, column_5\)"):
        crmmine.read_transactions(path, header=False, schema=TAOBAO_MAPPING)


def test_taobao_buy_events_read_with_a_positional_mapping(shared_data, tmp_path):
    path = shared_data / "taobao_userbehavior" / "UserBehavior_head.csv"
    text = path.read_text()
    # the same file with a price column appended (1 per event): everything else is read from the file as it is
    priced = tmp_path / "priced.csv"
    priced.write_text("".join(line + ",1\n" for line in text.splitlines()))
    tx = crmmine.read_transactions(priced, header=False, schema={**TAOBAO_MAPPING, "unit_price": 5})
    assert len(tx) == 84_476 and tx["source_line"].iloc[0] == 1
    # the file ends in the middle of a line: that line has no timestamp and is rejected, not a crash
    r = crmmine.clean(tx)
    bad_dates = r.rejected[r.rejected["reason"] == "unparseable_date"]
    assert bad_dates["source_line"].tolist() == [84_476]
    last = tx.iloc[-1]
    assert last["customer_id"] == "100370" and pd.isna(last["order_date"])
    users = tx.loc[tx["customer_id"] != "100370", "customer_id"]
    assert users.nunique() == 814 and int((tx["customer_id"] != "100370").sum()) == 84_287
    # China time as Unix seconds: the data cover 2017-11-25..2017-12-03 (UTC a few hours earlier)
    assert tx["order_date"].quantile(0.5).strftime("%Y-%m") in ("2017-11", "2017-12")


def test_olist_order_items_joined_to_orders(shared_data, tmp_path):
    folder = shared_data / "olist_sample"
    oi = pd.read_csv(folder / "olist_order_items_dataset.csv", dtype=str)
    orders = pd.read_csv(folder / "olist_orders_dataset.csv", dtype=str)
    customers = pd.read_csv(folder / "olist_customers_dataset.csv", dtype=str)
    products = pd.read_csv(folder / "olist_products_dataset.csv", dtype=str)[["product_id", "product_category_name"]]
    joined = oi.merge(orders, on="order_id").merge(customers, on="customer_id").merge(products, on="product_id",
                                                                                      how="left")
    path = tmp_path / "olist_lines.csv"
    joined.to_csv(path, index=False)
    tx = crmmine.read_transactions(path, schema=OLIST_MAPPING)
    assert len(tx) == 17_071
    assert tx["quantity"].eq(1).all()  # one line per item: quantity defaults to 1, with a note
    assert any("quantity 1" in n for n in tx.attrs["crmmine_source"]["notes"])
    # 115 of the 15,000 orders have no items (cancelled or unavailable)
    assert tx["order_id"].nunique() == joined["order_id"].nunique() == 14_885
    assert tx["customer_id"].nunique() == joined["customer_unique_id"].nunique()
    assert tx["amount"].sum() == pytest.approx(pd.to_numeric(oi["price"]).sum())
    r = crmmine.clean(tx)
    assert r.transactions["amount"].sum() >= 0.99 * tx["amount"].sum()
    repeaters = r.transactions.groupby("customer_id")["order_id"].nunique()
    expected = joined.groupby("customer_unique_id")["order_id"].nunique()
    assert int((repeaters >= 2).sum()) == int((expected >= 2).sum()) <= 93  # README: 93 have two or more orders


def test_cdnow_master_cleans_without_loss(cdnow_master_path):
    tx = crmmine.read_transactions(cdnow_master_path)
    r = crmmine.clean(tx)
    assert r.transactions["amount"].sum() >= 0.99 * tx["amount"].sum()
    assert r.audit.set_index("rule").loc["extreme_value", "lines"] <= 0.005 * len(tx)
