"""Loyalty types, satisfaction vs loyalty, value per resource, the eight RFM classes, the shop data sets.

Planted truth (crmmine.datasets.make_loyalty_shop), hand-computed fixtures and the real Olist sample
(../shared/data/olist_sample through the shared_data fixture).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.customers.loyalty import readable, two_group_split
from crmmine.datasets import catalogue, load_olist, load_shop, make_loyalty_shop
from crmmine.errors import InputError, MissingColumnError, ParameterError, SourceNotFoundError
from crmmine.text.labels import LABELS


@pytest.fixture(scope="module")
def shop():
    return make_loyalty_shop(1500, random_state=0)


@pytest.fixture(scope="module")
def types(shop):
    return crmmine.loyalty_types(shop.transactions, promoted_orders=shop.promoted_orders, reviews=shop.reviews,
                                 campaigns=shop.campaigns)


# --- planted truth ------------------------------------------------------------------------------------


def test_planted_types_recovered(shop, types):
    planted = shop.truth["loyalty_type"].reindex(types.index).astype(str)
    found = types["loyalty_type"].astype(str)
    assert (planted == found).mean() >= 0.95
    for kind in ("super_value", "inertia", "incentive", "price", "none"):
        m = planted == kind
        assert (found[m] == kind).mean() >= 0.9, kind
    # Dick & Basu: super-value is true loyalty, inertia and incentive spurious
    assert (types.loc[planted == "super_value", "dick_basu"] == "true").mean() >= 0.95
    assert (types.loc[planted == "inertia", "dick_basu"] == "spurious").mean() >= 0.95
    assert set(types["dick_basu"].cat.categories) == set(crmmine.DICK_BASU_CELLS)


def test_types_table_shape_and_words(types):
    assert types.index.name == "customer_id" and types.index.is_unique
    assert {"orders", "promotion_dependence", "orders_off_promotion", "price_index", "attachment", "loyalty_type",
            "loyalty_type_name", "dick_basu", "dick_basu_name", "reason"} <= set(types.columns)
    assert types["reason"].notna().all() and (types["reason"].str.len() > 20).all()
    inertia = types[types["loyalty_type"] == "inertia"]
    assert inertia["reason"].str.contains("Monopoly").all()  # the type the data cannot tell from inertia
    assert any("Monopoly loyalty" in n for n in types.attrs["notes"])
    assert types.attrs["components"] == ["full_price_share", "satisfaction", "breadth", "tenure"]
    assert types.attrs["repeat_threshold"] >= 2 and 0 < types.attrs["attachment_threshold"] < 1


def test_chinese_words(shop):
    zh = crmmine.loyalty_types(shop.transactions, promoted_orders=shop.promoted_orders, reviews=shop.reviews,
                               campaigns=shop.campaigns, lang="zh")
    assert set(zh["loyalty_type_name"]) <= {"超值忠诚", "惰性忠诚", "激励忠诚", "价格忠诚", "无忠诚类型（重复购买少）"}
    assert zh.loc[zh["loyalty_type"] == "inertia", "reason"].str.contains("垄断忠诚").all()


def test_generator_deterministic():
    a, b = make_loyalty_shop(100, random_state=3), make_loyalty_shop(100, random_state=3)
    pd.testing.assert_frame_equal(a.transactions, b.transactions)
    pd.testing.assert_frame_equal(a.reviews, b.reviews)
    assert crmmine.validate_transactions(a.transactions) is not None


def test_without_promotion_data_says_so(shop):
    tx = shop.transactions.drop(columns="discount")
    t = crmmine.loyalty_types(tx, reviews=shop.reviews)
    assert t["promotion_share"].isna().all()
    assert (t["loyalty_type"] == "incentive").sum() == 0  # cannot be told apart: never guessed
    assert any("incentive loyalty cannot be told" in n for n in t.attrs["notes"])
    t2 = crmmine.loyalty_types(tx)
    assert any("without satisfaction" in n for n in t2.attrs["notes"])
    assert t2.attrs["components"] == ["full_price_share", "breadth", "tenure"] or \
        t2.attrs["components"] == ["breadth", "tenure"]


# --- hand-computed fixture -------------------------------------------------------------------------------


def _tiny():
    rows = [  # customer, order, date, product, category, quantity, amount, discount
        ("a", "o1", "2024-01-01", "p1", "X", 1, 10.0, 0.0),
        ("a", "o2", "2024-04-01", "p2", "Y", 1, 10.0, 0.0),
        ("a", "o3", "2024-07-01", "p3", "Z", 1, 10.0, 0.0),
        ("b", "o4", "2024-02-01", "p1", "X", 1, 8.0, 2.0),
        ("b", "o5", "2024-03-01", "p1", "X", 1, 8.0, 2.0),
        ("b", "o6", "2024-05-01", "p1", "X", 1, 10.0, 0.0),
        ("c", "o7", "2024-06-01", "p2", "Y", 2, 20.0, 0.0),
    ]
    tx = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "product_id", "category", "quantity",
                                     "amount", "discount"])
    tx["order_date"] = pd.to_datetime(tx["order_date"])
    tx["unit_price"] = tx["amount"] / tx["quantity"]
    for c in ("customer_id", "order_id", "product_id", "category"):
        tx[c] = tx[c].astype("string")
    return tx


def test_loyalty_types_by_hand():
    tx = _tiny()
    reviews = pd.DataFrame({"order_id": ["o1", "o6"], "review_score": [5, 2]})
    t = crmmine.loyalty_types(tx, reviews=reviews, promoted_orders=["o7"], as_of="2024-08-01", repeat_threshold=3,
                              attachment_threshold=0.6)
    a, b, c = t.loc["a"], t.loc["b"], t.loc["c"]
    assert (a["orders"], b["orders"], c["orders"]) == (3, 3, 1)
    assert b["promotion_share"] == pytest.approx(2 / 3) and b["promotion_spend_share"] == pytest.approx(16 / 26)
    assert c["promotion_share"] == 1.0 and a["promotion_share"] == 0.0
    # b: one order off promotion after the first promoted one
    assert b["orders_off_promotion"] == 1 and np.isnan(a["orders_off_promotion"])
    # typical price of p1 = median(10, 8, 8, 10) = 9: b paid 26 for 3 units -> 26/27; a paid 30 for p1, p2, p3
    # at typical 9 + 10 + 10
    assert b["price_index"] == pytest.approx(26 / 27) and a["price_index"] == pytest.approx(30 / 29)
    assert a["breadth"] == pytest.approx(1 - 3 * (1 / 3) ** 2) and b["breadth"] == 0.0
    assert a["tenure"] == pytest.approx(182 / 365) and c["tenure"] == 0.0
    assert a["satisfaction"] == 1.0 and b["satisfaction"] == 0.25 and np.isnan(c["satisfaction"])
    assert a["attachment"] == pytest.approx((1 + 1 + 2 / 3 + 182 / 365) / 4)
    assert b["attachment"] == pytest.approx((10 / 26 + 0.25 + 0 + 90 / 365) / 4)
    assert c["attachment"] == pytest.approx((0 + 0 + 0) / 3)
    # a: high repeat, attached -> super-value (true); b: promotion-dependent repeat -> incentive;
    # c: one order on promotion, not attached -> price loyalty
    assert list(t["loyalty_type"].astype(str)) == ["super_value", "incentive", "price"]
    assert list(t["dick_basu"].astype(str)) == ["true", "spurious", "none"]
    assert "Orders: 3" in a["reason"] and "67%" in b["reason"]


def test_campaign_periods_stand_in_for_promotion_marks():
    tx = _tiny().drop(columns="discount")
    camp = pd.DataFrame({"start": pd.to_datetime(["2024-01-25", "2024-04-28"]),
                         "end": pd.to_datetime(["2024-03-05", "2024-05-02"])})
    t = crmmine.loyalty_types(tx, campaigns=camp, repeat_threshold=3, attachment_threshold=0.6)
    assert t.loc["b", "campaign_share"] == 1.0 and t.loc["a", "campaign_share"] == 0.0
    assert t.loc["b", "promotion_dependence"] == 1.0 and t.loc["b", "loyalty_type"] == "incentive"
    assert t.loc["b", "orders_off_promotion"] == 0


def test_two_group_split():
    assert two_group_split([1, 1, 1, 10, 10, 10]) == 10
    assert two_group_split([0.1, 0.2, 0.3, 0.8, 0.9]) == 0.8
    assert np.isnan(two_group_split([2, 2]))


def test_loyalty_errors(shop):
    tx = shop.transactions
    with pytest.raises(ParameterError, match=r"The 'promotion_threshold' parameter must be a number in \(0, 1\]. Got 2"):
        crmmine.loyalty_types(tx, promotion_threshold=2)
    with pytest.raises(ParameterError, match=r"The 'repeat_threshold' parameter must be an integer >= 2"):
        crmmine.loyalty_types(tx, repeat_threshold=1)
    with pytest.raises(ParameterError, match=r"The 'promoted_orders' parameter must be a collection of order ids"):
        crmmine.loyalty_types(tx, promoted_orders="S0000001")
    with pytest.raises(MissingColumnError, match=r"The 'campaigns' table has no column 'end'"):
        crmmine.loyalty_types(tx, campaigns=pd.DataFrame({"start": pd.to_datetime(["2024-01-01"])}))
    bad = shop.reviews.assign(review_score=6)
    with pytest.raises(InputError, match=r"review_score must be from 1 to 5. Got 6"):
        crmmine.loyalty_types(tx, reviews=bad)
    with pytest.raises(InputError, match=r"No order line of 'tx' falls before as_of=2000-01-01"):
        crmmine.loyalty_types(tx, as_of="2000-01-01")
    with pytest.raises(ParameterError, match=r"The 'lang' parameter must be one of 'en', 'zh'. Got 'fr'"):
        crmmine.loyalty_types(tx, lang="fr")


def test_loyalty_summary_and_sentence(shop, types):
    s = crmmine.loyalty_summary(types)
    assert list(s.index) == list(crmmine.LOYALTY_TYPES)
    assert s["customers"].sum() == len(types) and s["revenue_share"].sum() == pytest.approx(1.0)
    text = crmmine.summarise_loyalty(types, truth=shop.truth["loyalty_type"])
    assert "Planted types recovered" in text and "High repeat purchase" in text
    assert list(readable(s[["customers"]], "loyalty").columns) == ["Customers"]


# --- satisfaction vs loyalty -------------------------------------------------------------------------------


def test_satisfaction_drivers_planted(shop):
    sl = crmmine.satisfaction_loyalty(shop.transactions, shop.reviews, orders=shop.orders)
    late = sl.drivers.loc["late_delivery"]
    # planted: a late order loses two stars
    assert late["risk_ratio"] > 2 and late["risk_ratio_low"] > 1.5
    assert late["score_difference"] < -1.2
    assert "high_freight_share" in sl.drivers.index
    # the lists follow their definitions
    g, s = sl.satisfied_but_gone, sl.unhappy_but_staying
    assert len(g) and len(s)
    assert (g["mean_score"] >= 4).all() and (g["recency_days"] > sl.gone_days).all()
    assert (s["mean_score"] <= 2).all() and s["bought_after_low_score"].all()
    assert g["revenue"].is_monotonic_decreasing
    # planted inertia customers (habitual, unhappy) are the ones staying
    planted = shop.truth["loyalty_type"].reindex(s.index).astype(str)
    assert (planted == "inertia").mean() > 0.5
    assert sl.by_score["customers"].sum() == len(sl.customers)
    assert "Satisfaction is not loyalty" in sl.finding() and "满意不等于忠诚" in sl.finding("zh")


def test_satisfaction_by_hand():
    tx = _tiny()
    reviews = pd.DataFrame({"order_id": ["o1", "o4", "o7"], "review_score": [5, 1, 4]})
    orders = pd.DataFrame({"order_id": ["o1", "o4", "o7"],
                           "promised_date": pd.to_datetime(["2024-01-10", "2024-02-10", "2024-06-10"]),
                           "delivered_date": pd.to_datetime(["2024-01-05", "2024-02-15", "2024-06-09"])})
    sl = crmmine.satisfaction_loyalty(tx, reviews, orders=orders, as_of="2024-08-01", gone_days=60)
    c = sl.customers
    assert c.loc["b", "status"] == "unhappy_staying"  # scored 1, then bought twice more
    assert c.loc["a", "status"] == "satisfied_loyal" and c.loc["c", "status"] == "satisfied_gone"
    d = sl.drivers.loc["late_delivery"]
    assert (d["orders_with"], d["orders_without"]) == (1, 2)
    assert d["low_rate_with"] == 1.0 and d["low_rate_without"] == 0.0
    assert d["score_difference"] == pytest.approx(1 - 4.5)


def test_satisfaction_errors(shop):
    with pytest.raises(ParameterError, match=r"The 'unhappy_max' parameter must be below satisfied_min=4. Got 4"):
        crmmine.satisfaction_loyalty(shop.transactions, shop.reviews, unhappy_max=4)
    with pytest.raises(MissingColumnError, match=r"The 'reviews' table has no column 'review_score'"):
        crmmine.satisfaction_loyalty(shop.transactions, shop.reviews.drop(columns="review_score"))
    with pytest.raises(InputError, match=r"No review in 'reviews' matches an order"):
        crmmine.satisfaction_loyalty(shop.transactions, shop.reviews.assign(order_id="nope"))


# --- value ranking net of resources --------------------------------------------------------------------------


def _customers():
    return pd.DataFrame({"monetary_total": [100.0, 80.0, 50.0], "frequency": [2, 1, 1],
                         "returns_value": [40.0, 0.0, 0.0], "returns_count": [1, 0, 0],
                         "freight": [6.0, 20.0, np.nan], "service": [0.0, 0.0, 0.0]}, index=["x", "y", "z"])


def test_value_ranking_default_unchanged():
    r = crmmine.value_ranking(_customers(), return_cost=5.0)
    assert list(r.columns) == ["gross_value", "returns_value", "service_cost", "net_value", "rank", "net_share",
                               "cumulative_net_share"]
    assert r["net_value"].to_dict() == {"y": 80.0, "x": 55.0, "z": 50.0}


def test_value_per_resource_by_hand():
    r = crmmine.value_ranking(_customers(), return_cost=5.0, cost_columns=["freight", "service"],
                              rank_by="value_per_resource")
    # x: demand 60, resources 5 + 6 = 11; y: 80 / 20; z: no resources -> last
    assert list(r.index) == ["x", "y", "z"]
    assert r.loc["x", "value_per_resource"] == pytest.approx(60 / 11)
    assert r.loc["y", "value_per_resource"] == pytest.approx(4.0)
    assert np.isnan(r.loc["z", "value_per_resource"])
    assert r.loc["x", "net_value"] == pytest.approx(49.0) and r.loc["x", "resources"] == pytest.approx(11.0)
    assert list(r["rank"]) == [1, 2, 3]
    assert r["resource_share"].sum() == pytest.approx(1.0)
    assert "top 20%" in crmmine.summarise_resources(r)


def test_value_ranking_errors():
    c = _customers()
    with pytest.raises(ParameterError, match=r"The 'rank_by' parameter must be one of 'net_value', "
                                             r"'value_per_resource'. Got 'ratio'"):
        crmmine.value_ranking(c, rank_by="ratio")
    with pytest.raises(MissingColumnError, match=r"The 'customers' table has no column 'delivery'"):
        crmmine.value_ranking(c, cost_columns=["delivery"])
    with pytest.raises(InputError, match=r"The 'customers' column 'freight' holds a negative cost"):
        crmmine.value_ranking(c.assign(freight=-1.0), cost_columns="freight")


# --- the eight RFM classes ---------------------------------------------------------------------------------


def test_cn8_by_hand():
    # means: r 3.0, f 2.5, m 3.0; "above" is strictly above the mean
    s = pd.DataFrame({"r_score": [5, 5, 1, 1, 3, 3], "f_score": [5, 1, 4, 1, 2, 2], "m_score": [5, 4, 4, 1, 1, 3]},
                     index=list("abcdef"))
    seg = crmmine.rfm_segments(s, rfm_scheme="cn8")
    assert seg["rfm_segment"].astype(str).to_dict() == {
        "a": "important_value", "b": "important_development", "c": "important_retention", "d": "general_winback",
        "e": "general_winback", "f": "general_winback"}
    assert list(seg["rfm_segment"].cat.categories) == list(crmmine.RFM_CN8_CLASSES)
    s2 = pd.DataFrame({"r_score": [1, 5, 5, 1], "f_score": [1, 5, 1, 5], "m_score": [5, 1, 1, 1]})
    assert crmmine.rfm_segments(s2, rfm_scheme="cn8")["rfm_segment"].astype(str).tolist() == [
        "important_winback", "general_value", "general_development", "general_retention"]
    from crmmine.text.labels import label
    assert label("rfm.segment.important_value", "zh") == "重要价值客户"
    assert label("rfm.segment.general_winback", "zh") == "一般挽留客户"


def test_cn8_table_and_guide():
    r = crmmine.load_clean("sample")
    t = crmmine.rfm_table(r.transactions, rfm_scheme="cn8")
    assert set(t["rfm_segment"].astype(str)) <= set(crmmine.RFM_CN8_CLASSES)
    assert t["rfm_segment_name"].notna().all()
    default = crmmine.rfm_table(r.transactions)
    assert "champions" in set(default["rfm_segment"].astype(str))  # the default stays
    g = crmmine.rfm_segment_guide(rfm_scheme="cn8")
    assert list(g.index) == list(crmmine.RFM_CN8_CLASSES) and (g["action"].str.len() > 10).all()
    for k in crmmine.RFM_CN8_CLASSES:
        assert LABELS[f"rfm.action.{k}"]["zh"] and LABELS[f"rfm.segment.{k}"]["en"]


def test_cn8_errors():
    s = pd.DataFrame({"r_score": [5], "f_score": [5], "m_score": [5]})
    with pytest.raises(ParameterError, match=r"The 'rfm_scheme' parameter must be one of 'default', 'cn8'. Got 'rfm8'"):
        crmmine.rfm_segments(s, rfm_scheme="rfm8")
    with pytest.raises(ParameterError, match=r"The 'segment_map' parameter applies to rfm_scheme='default' only"):
        crmmine.rfm_segments(s, rfm_scheme="cn8", segment_map={"x": {"r": (1, 5)}})
    with pytest.raises(ParameterError, match=r"The 'rfm_scheme' parameter must be one of"):
        crmmine.check_parameters(rfm_scheme="eight")
    assert crmmine.check_parameters(rfm_scheme="cn8", synthetic_customers=10) == {"rfm_scheme": "cn8",
                                                                                    "synthetic_customers": 10}
    with pytest.raises(ParameterError, match=r"The 'answers' parameter must be True or False. Got 'yes'"):
        crmmine.check_parameters(answers="yes")


# --- data sets ------------------------------------------------------------------------------------------------


def test_catalogue_lists_every_data_set():
    cat = catalogue()
    assert cat.index.is_unique
    assert {"kind", "loader", "source", "licence", "shipped", "size", "columns", "concepts"} <= set(cat.columns)
    loaders = " ".join(cat["loader"])
    for name in crmmine.datasets.__all__:
        if name.startswith(("load_", "make_")) and name not in ("load_shop", "load_clean"):
            assert f"{name}(" in loaders, f"crmmine.datasets.{name} is not in the catalogue"
    assert not cat.loc["olist_sample", "shipped"] and not cat.loc["taobao_userbehavior_head", "shipped"]
    assert cat["concepts"].str.len().gt(0).all()


def test_generator_errors():
    with pytest.raises(ParameterError, match=r"The 'n_customers' parameter must be an integer >= 1. Got 0"):
        make_loyalty_shop(0)
    with pytest.raises(ParameterError, match=r"The 'shares' parameter must map types among"):
        make_loyalty_shop(10, shares={"loyal": 1.0})
    with pytest.raises(SourceNotFoundError, match=r"lacks olist_orders_dataset.csv"):
        load_olist("/nonexistent-olist-folder")


def test_plots(shop, types):
    from crmmine.plotting import plot_loyalty_map, plot_satisfaction_repeat

    fig = plot_loyalty_map(types)
    assert {t.name for t in fig.data} == set(types["loyalty_type_name"])
    assert fig.layout.title.text.startswith("Attachment")
    sl = crmmine.satisfaction_loyalty(shop.transactions, shop.reviews)
    fig = plot_satisfaction_repeat(sl)
    assert list(fig.data[0].x) == [1, 2, 3, 4, 5]


# --- the real Olist sample ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def olist(shared_data):
    return load_olist(shared_data / "olist_sample")


def test_olist_mapping(olist):
    # facts of ../shared/data/README.md: 15,000 orders of 14,904 people, 631 orders paid with vouchers
    assert len(olist.orders) == 15_000 and olist.orders["order_id"].is_unique
    assert olist.orders["customer_id"].nunique() == 14_904
    assert int(olist.orders["voucher"].sum()) == 631
    assert olist.reviews["order_id"].is_unique and olist.reviews["review_score"].between(1, 5).all()
    tx = olist.transactions
    crmmine.validate_transactions(tx)
    assert tx["order_id"].nunique() <= 15_000 and (tx["quantity"] >= 1).all()
    assert not tx.duplicated(["order_id", "product_id"]).any()
    # amount is the price of the items only; freight is a resource in the order table
    assert olist.costs()["freight_value"].gt(0).any()


def test_olist_loyalty_and_satisfaction(olist):
    t = crmmine.loyalty_types(olist.transactions, promoted_orders=olist.promoted_orders, reviews=olist.reviews)
    assert t.attrs["repeat_threshold"] == 2  # sampled by order: almost every customer bought once
    repeat = int((t["orders"] >= 2).sum())
    assert 50 <= repeat <= 93
    assert (t["loyalty_type"].isin(["super_value", "inertia", "incentive"])).sum() == repeat
    assert any("No campaign periods" in n for n in t.attrs["notes"])
    sl = crmmine.satisfaction_loyalty(olist.transactions, olist.reviews, orders=olist.orders)
    late = sl.drivers.loc["late_delivery"]
    # late deliveries are the known main cause of bad Olist reviews
    assert late["risk_ratio_low"] > 3 and late["score_difference"] < -1.5
    assert len(sl.satisfied_but_gone) > 1000
    # numbers for people: thousands separators, rates under 10% with one decimal (not "1% vs 0%")
    finding = sl.finding()
    assert f"{len(sl.satisfied_but_gone):,} satisfied customers are gone" in finding
    assert re.search(r"\d\.\d% of satisfied reviewers bought again, against \d\.\d% of unhappy ones", finding), finding


def test_load_shop_kinds(shared_data):
    assert load_shop(synthetic_customers=50).truth is not None
    assert load_shop(shared_data / "olist_sample").reviews is not None
    s = load_shop("sample")
    assert s.reviews is None and s.promoted_orders is None and s.costs().shape[1] == 0
    assert s.notes["clean"].transactions is s.transactions  # the report's opening: what it was run on
    t = crmmine.loyalty_types(s.transactions)
    assert any("no promotion marks" in n for n in t.attrs["notes"])


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["synthetic", "olist"])
def test_loyalty_report_runs(kind, tmp_path, shared_data):
    papermill = pytest.importorskip("papermill")
    from pathlib import Path

    nb = Path(__file__).resolve().parents[1] / "notebooks" / "loyalty_report.ipynb"
    params = {"output_dir": str(tmp_path / "artifacts"), "lang": "zh" if kind == "olist" else "en"}
    if kind == "synthetic":
        params["synthetic_customers"] = 800
    else:
        params["data_path"] = str(shared_data / "olist_sample")
    papermill.execute_notebook(str(nb), str(tmp_path / "out.ipynb"), parameters=params, kernel_name="python3",
                               cwd=str(tmp_path), progress_bar=False)
    out = pd.read_csv(tmp_path / "artifacts" / "loyalty_types.csv")
    assert len(out) > 500
    assert (tmp_path / "artifacts" / "satisfaction_drivers.parquet").exists()


def test_reviews_after_as_of_are_not_seen():
    tx = _tiny()
    reviews = pd.DataFrame({"order_id": ["o1", "o6"], "review_score": [5, 2]})
    t = crmmine.loyalty_types(tx, reviews=reviews, as_of="2024-04-15", repeat_threshold=2)
    assert np.isnan(t.loc["b", "satisfaction"]) and t.loc["b", "reviews"] == 0  # o6 is dated 2024-05-01
    assert t.loc["a", "satisfaction"] == 1.0 and t.loc["a", "orders"] == 2


@pytest.mark.slow
def test_crmmine_report_loyalty_on_an_olist_folder(shared_data, tmp_path):
    from crmmine.report import run_report

    run = run_report("loyalty", parameters={"data_path": str(shared_data / "olist_sample"), "top_n": 3},
                     out=tmp_path)
    assert run.status == "ok"
    files = {f["file"] for f in run.manifest["input"]["files"]}
    assert "olist_orders_dataset.csv" in files and all(len(f["sha256"]) == 64 for f in run.manifest["input"]["files"])
    assert (run.artifacts / "satisfaction_drivers.csv").exists()
