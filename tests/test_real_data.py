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
