"""What reports show people: escaping, labelled and formatted tables, run summaries, the action lists."""

from __future__ import annotations

import re
import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.errors import ParameterError
from crmmine.report import (
    choose_min_support,
    contact_list,
    customer_offers,
    escape,
    load_data,
    rule_sides,
    run_summary,
    show,
    table,
    winback_actions,
)
from crmmine.text.labels import LABELS

EVIL = "<script>alert(1)</script>"


def test_escape_is_the_one_place():
    assert escape(EVIL) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert escape('a"b&c') == "a&quot;b&amp;c"
    assert escape(None) == "" and escape(float("nan")) == ""
    html = str(show(f"The best seller is {EVIL}.", heading=EVIL, title=EVIL))
    assert "<script>" not in html and html.count("&lt;script&gt;") == 3


def test_table_labels_formats_and_escapes():
    df = pd.DataFrame({"customer_share": [0.2104, 0.0042], "revenue": [123456.789, 12.5],
                       "frequency": [3, 12000], "lift": [np.inf, 1.23456e-7], "rfm_segment": ["champions", EVIL]},
                      index=pd.Index(["a", "b"], name="customer_id"))
    html = str(table(df, index=True, currency="EUR"))
    assert ">Customer</th>" in html and ">Share of customers</th>" in html and ">Champions</th>" not in html
    assert ">21%<" in html and ">0.4%<" in html
    assert ">123,457 EUR<" in html and ">12.50 EUR<" in html and ">12,000<" in html
    assert ">∞<" in html and "e-07" not in html and "e+" not in html
    assert ">Champions<" in html  # row keys labelled
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "customer_share" not in html and "rfm_segment" not in html  # no raw column name


def test_table_in_chinese_and_trimmed():
    df = pd.DataFrame({"customers": range(40), "revenue_share": np.linspace(0, 1, 40)})
    html = str(table(df, max_rows=10, lang="zh"))
    assert ">客户数</th>" in html and ">收入占比</th>" in html
    assert html.count("<tr>") == 11 and "40" in html and "CSV" in html


def test_every_column_label_has_both_languages():
    cols = [k for k in LABELS if k.startswith("column.")]
    assert cols
    assert all(LABELS[k].get("en") and LABELS[k].get("zh") for k in cols)


def test_table_rejects_unknown_columns():
    with pytest.raises(ParameterError, match="names columns the table lacks: 'nope'"):
        table(pd.DataFrame({"a": [1]}), columns=["nope"])


@pytest.fixture(scope="module")
def sample():
    return crmmine.load_clean("sample")


def test_run_summary_says_what_the_report_ran_on(sample):
    html = str(run_summary(sample, data_path="sample", as_of="2011-12-10", parameters={"min_support": 0.01}))
    lines = f"{int(sample.audit['lines'].iloc[0]):,}"
    assert "online_retail_sample.csv.gz" in html and lines in html
    assert "Missing customer id" in html and "of revenue" in html and "2011-12-10" in html
    assert "minimum support (min_support) = 1%" in html  # a share as a percentage
    zh = str(run_summary(sample, lang="zh"))
    assert "读取" in zh and "Missing" not in zh


def test_run_summary_lists_parameters_in_the_report_language(sample):
    import re

    params = {"cutoff": None, "horizon_days": 90, "model": "logistic", "engine": "duckdb", "n_clusters": None,
              "dayfirst": True, "skip_rules": "", "level": "product", "lang": "zh"}
    zh = str(run_summary(sample, lang="zh", parameters=params))
    line = zh.split("参数：")[1].split("</p>")[0]
    assert "流失判定期（天） = 90" in line and "模型 = 逻辑回归" in line and "评估截止日期 = 自动" in line
    assert "日期日在前 = 是" in line and "商品层级 = 商品" in line
    assert re.findall(r"[a-z_]{3,}", line.replace("DuckDB", "")) == [], line  # no parameter name or English value
    en = str(run_summary(sample, lang="en", parameters=params))
    assert "churn horizon (days) (horizon_days) = 90" in en and "model (model) = logistic regression" in en
    assert "evaluation cutoff (cutoff) = automatic" in en and "day first in dates (dayfirst) = yes" in en
    from crmmine.text.labels import get_language, set_language
    before = get_language()
    set_language("zh")  # as the notebooks do: the language set once, lang not passed
    try:
        assert "(horizon_days)" not in str(run_summary(sample, parameters=params))
    finally:
        set_language(before)
    # every parameter of every report notebook has a label in both languages
    import json
    from pathlib import Path

    from crmmine.text.labels import LABELS
    names = set()
    for nb in Path(__file__).resolve().parents[1].glob("notebooks/*_report.ipynb"):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        src = "".join(next(c["source"] for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])))
        names |= set(re.findall(r"^(\w+) =", src, flags=re.M))
    names -= {"output_dir"}
    assert names and not [n for n in names if f"report.param.{n}" not in LABELS]


def test_run_summary_names_a_rule_that_removed_much_revenue(sample):
    loud = str(run_summary(sample, loud_share=0.001))
    first = loud.split("</p>")[0]
    assert "Attention" in first and "skip_rules=" in first


def test_load_data_passes_cleaning_choices(sample):
    kept = load_data("sample", skip_rules="duplicate")
    assert len(kept.transactions) > len(sample.transactions)
    assert "duplicate" in kept.params.get("skip_rules", kept.params.get("skip"))


def test_load_data_names_an_option_the_reader_lacks(monkeypatch):
    from crmmine.datasets import _loaders

    def older_reader(data_path, *, schema="auto", encoding="auto", dayfirst=None):  # a reader without header=
        raise AssertionError("not called")

    monkeypatch.setattr(_loaders, "load_clean", older_reader)
    with pytest.raises(ParameterError, match="The 'header' parameter needs crmmine.read_transactions"):
        load_data("sample", header=False)


def test_load_data_reads_a_file_without_header(tmp_path):
    raw = crmmine.datasets.load_online_retail_sample()
    path = tmp_path / "no_header.csv"
    src = __import__("pandas").read_csv(crmmine.datasets.online_retail_sample_path(), dtype=str).head(200)
    src.to_csv(path, index=False, header=False)
    mapping = {"order_id": "column_1", "product_id": "column_2", "product_name": "column_3", "quantity": "column_4",
               "order_date": "column_5", "unit_price": "column_6", "customer_id": "column_7", "country": "column_8"}
    result = load_data(str(path), schema=mapping, header=False)
    assert int(result.audit["lines"].iloc[0]) == 200 and len(raw) > 200


def test_contact_list_has_everyone_with_reason_and_action(sample):
    customers = crmmine.rfm_table(sample.transactions)
    contacts = contact_list(customers)
    assert len(contacts) == len(customers) and contacts["customer_id"].is_unique
    assert contacts["action"].str.len().min() > 10 and not contacts["action"].str.endswith("…").any()
    assert contacts["why"].str.contains("days ago").all()
    assert contacts["segment_name"].iloc[0] == "Champions"
    zh = contact_list(customers, lang="zh")
    assert zh["segment_name"].iloc[0] == "冠军客户"


def _winback(p, value, recency, ipt):
    ids = [f"c{i}" for i in range(len(p))]
    wb = pd.DataFrame({"customer_id": ids, "p_churn": p, "predicted_value": value})
    wb["value_at_risk"] = wb["p_churn"] * wb["predicted_value"]
    feats = pd.DataFrame({"recency_days": recency, "ipt_mean_days": ipt}, index=pd.Index(ids, name="customer_id"))
    return wb, feats


def test_winback_top_tier_is_never_empty_and_never_led_by_recent_buyers():
    # low churn everywhere (P < 0.5 for all): the absolute tiers leave "win back now" empty
    p = np.array([0.05, 0.10, 0.20, 0.30, 0.40, 0.45])
    value = np.array([5000.0, 100.0, 800.0, 50.0, 900.0, 10.0])
    recency = np.array([1.0, 200.0, 150.0, 90.0, 120.0, 300.0])  # c0 bought yesterday
    wb, feats = _winback(p, value, recency, ipt=[30.0] * 6)
    out = winback_actions(wb, feats)
    assert (out["tier"] == "win_back_now").sum() >= 1
    assert out.loc[0, "customer_id"] != "c0" and out.loc[0, "tier"] == "win_back_now"
    assert out.loc[out["customer_id"] == "c0", "tier"].item() == "recent"
    recent_rank = out.loc[out["customer_id"] == "c0", "rank"].item()
    assert recent_rank > out.loc[out["tier"].isin(["win_back_now", "keep_close", "low_cost_reactivation"]), "rank"].max()
    assert out["action"].str.len().min() > 5 and out["reason"].str.contains("days since last purchase").all()
    assert out["rank"].tolist() == list(range(1, 7))


def test_winback_rejects_bad_share():
    wb, feats = _winback([0.5], [1.0], [10.0], [5.0])
    with pytest.raises(ParameterError, match="The 'share_now' parameter must be in"):
        winback_actions(wb, feats, share_now=2)


def test_choose_min_support_fits_a_big_catalogue():
    # 2,000 orders over 5,000 products: no item reaches 1% of orders, a chosen support still finds items
    rng = np.random.default_rng(0)
    baskets = [[f"p{j}" for j in rng.choice(5000, size=4, replace=False)] + ["p1", "p2"] * (i % 50 == 0)
               for i in range(2000)]
    b = crmmine.make_baskets(baskets)
    s = choose_min_support(b)
    assert s < 0.01 and s >= 5 / 2000
    assert len(crmmine.frequent_itemsets(b, min_support=s)) >= 2
    assert choose_min_support(b, min_support=0.2) == 0.2


def test_rule_sides_and_offers_carry_names():
    rules = crmmine.mine_rules([["a", "b"], ["a", "b"], ["a"]], min_support=0.5, min_confidence=0.6)
    names = pd.Series({"a": "Apples", "b": EVIL})
    sides = rule_sides(rules, names)
    assert set(sides["if_bought"]) == {"Apples (a)", f"{EVIL} (b)"}
    recs = pd.DataFrame({"customer_id": ["x"], "rank": [1], "product_id": ["b"], "confidence": [0.7],
                         "antecedents": [frozenset({"a"})]})
    offers = customer_offers(recs, names)
    assert offers.loc[0, "offer"] == f"{EVIL} (b)" and offers.loc[0, "because_bought"] == "Apples (a)"
    assert "<script>" not in str(table(offers))


def test_churn_features_get_readable_names():
    import plotly.graph_objects as go

    from crmmine.report import feature_label, readable_features

    assert feature_label("spend_trend_180d") == "Spend trend, last 180 days vs the 180 before"
    assert feature_label("orders_30d", lang="zh") == "近 30 天订单数"
    assert feature_label("unknown_thing") == "unknown_thing"
    fig = readable_features(go.Figure(go.Bar(x=[0.1, 0.2], y=["recency_days", "p_no_purchase"], orientation="h")))
    assert list(fig.data[0].y) == ["Days since last purchase", "BG/NBD P(no purchase)"]


def test_offer_reasons_and_bought_together_name_the_products():
    from crmmine.report.actions import customer_offers

    names = {"23293": "SET OF 12 FAIRY CAKE BAKING CASES", "23307": "SET OF 60 PANTRY DESIGN CAKE CASES"}
    recs = pd.DataFrame({"customer_id": ["12349", "12350"], "rank": [1, 1], "product_id": ["23307", "23307"],
                         "because": ["23293", "99999"], "method": ["item_cf", "item_cf"],
                         "reason": ["Customers who bought 23293 also bought this (49% of them)",
                                    "Customers who bought 99999 also bought this (5% of them)"]})
    offers = customer_offers(recs, names)
    assert offers["reason"].tolist() == [
        "Customers who bought SET OF 12 FAIRY CAKE BAKING CASES (23293) also bought this (49% of them)",
        "Customers who bought 99999 also bought this (5% of them)"]  # no name known: the code stays
    together = pd.DataFrame({"product_id": ["22916"], "rank": [1], "recommended": [frozenset({"22917"})], "confidence": [1.0],
                             "lift": [84.8], "support": [0.01], "rule": ["22916 -> 22917"]})  # bought_together's columns
    text = crmmine.summarise_bought_together(together, names={"22916": "HERB MARKER THYME",
                                                              "22917": "HERB MARKER ROSEMARY"}, lang="en")
    assert "HERB MARKER THYME (22916) → HERB MARKER ROSEMARY (22917)" in text
    assert "22916 -> 22917" in crmmine.summarise_bought_together(together, lang="en")


def test_recommender_summary_rows_and_columns_are_labelled_in_both_languages():
    summary = pd.DataFrame({"recommender": ["hybrid", "item_cf", "rules", "popular", "random", "buy_again"],
                            "hit_rate": [0.35] * 6, "catalog_coverage": [0.0077] * 6, "n_cutoffs": [3] * 6,
                            "cutoffs_beating_popular": [3] * 6})
    for lang in ("en", "zh"):
        html = str(table(summary, lang=lang))
        for raw in ("hybrid", "item_cf", "buy_again", "random", "n_cutoffs", "Cutoffs beating", "0.0077"):
            assert raw not in html, (lang, raw)
        assert "0.8%" in html  # a share, shown as a percent
    assert "Hybrid (personal + best sellers)" in str(table(summary, lang="en"))
    assert "混合" in str(table(summary, lang="zh"))


def test_numbers_are_right_aligned_also_when_formatted_before():
    import pandas as pd

    df = pd.DataFrame({"name": ["a", "b"], "orders": [1, 20], "shown": ["1,234 GBP", "–"], "pct": ["21%", "3%"],
                       "customer_id": ["12583", "12584"]})
    html = str(table(df, keep_labels=True))
    cells = re.findall(r"<td([^>]*)>([^<]*)</td>", html)
    right = {text for attrs, text in cells if 'class="num"' in attrs and "text-align:right" in attrs}
    assert {"1", "20", "1,234 GBP", "21%", "3%"} <= right
    assert not {"a", "b", "12583"} & right  # words and ids stay left
    ids = str(table(pd.DataFrame({"customer_id": [12583], "n": pd.Series([1537], dtype=object)})))
    assert ">12583<" in ids and ">1,537<" in ids  # an id as it is, a count with its thousands separator


def test_files_table_says_what_each_file_holds_in_the_report_language(tmp_path):
    import pandas as pd

    from crmmine.report import files_table

    files = [crmmine.write_table(pd.DataFrame({"x": [1]}), tmp_path, "contact_list"),
             crmmine.write_table(pd.DataFrame({"x": [1]}), tmp_path, "something_new")]
    zh = str(files_table(files, lang="zh"))
    assert "联系名单" in zh and "报告写出的数据表" in zh and "contact_list.csv, contact_list.parquet" in zh
    words = re.findall(r"<td[^>]*>([^<]*)</td>", zh)
    descriptions = words[0::3]  # the first column: what the file holds, in Chinese, no English word
    assert descriptions and all(not re.search(r"[A-Za-z]{3,}", d) for d in descriptions), descriptions
    assert "Contact list" in str(files_table(files, lang="en"))


def test_currency_and_shares_in_the_report_language(sample):
    from crmmine.report import report_currency
    from crmmine.text.labels import get_language, set_language

    before = get_language()
    try:
        set_language("zh")
        assert report_currency(sample, "GBP") == "英镑" and report_currency(sample, "XYZ") == "XYZ"
        set_language("en")
        assert report_currency(sample, "GBP") == "GBP"
    finally:
        set_language(before)
    en = str(run_summary(sample, lang="en", parameters={"min_support": 0.01, "min_confidence": 0.3}))
    assert "(min_support) = 1%" in en and "(min_confidence) = 30%" in en


def test_big_baskets_are_reported_kept_or_dropped():
    from crmmine.datasets import make_shop
    from crmmine.report import basket_note, choose_min_support

    tx, _ = make_shop("huge_basket", 120, random_state=0)
    clean = crmmine.clean(tx.drop(columns=["source_line"])).transactions
    baskets = crmmine.make_baskets(clean)
    support = choose_min_support(baskets)
    rules = crmmine.mine_rules(baskets, min_support=support, min_confidence=0.3)
    kept = basket_note(baskets, support, rules)
    big = baskets.basket_sizes.idxmax()
    assert kept.startswith(f"Big baskets: the largest order ({big}) holds 262 different items")
    assert "all were kept" in kept and f"{rules.attrs['n_itemsets']:,} itemsets" in kept
    dropped = crmmine.make_baskets(clean, max_basket_size=50, oversized="drop")
    sizes = clean.groupby("order_id", observed=True)["product_id"].nunique()
    zh = basket_note(dropped, support, None, max_basket_size=50, dropped_sizes=sizes, lang="zh")
    assert zh.startswith("大购物篮：1 笔商品种类超过 50 种的订单未参与挖掘") and f"{big} 包含 262 种商品" in zh
    small = crmmine.make_baskets([["a", "b"], ["b"]])
    assert basket_note(small, 0.5, None) == ""
