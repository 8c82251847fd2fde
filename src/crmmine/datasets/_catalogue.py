"""``catalogue()``: every data set crmmine bundles, reads or generates, and what each one teaches."""

from __future__ import annotations

import pandas as pd

__all__ = ["catalogue"]

_CONCEPTS = {
    "value": "customer value (historical, predicted, potential)",
    "states": "customer states and lifecycle",
    "rfm": "RFM and the eight classes",
    "segments": "segmentation",
    "baskets": "market baskets and cross-sell",
    "churn": "churn and win-back",
    "clv_models": "buy-till-you-die CLV models",
    "loyalty": "loyalty types",
    "satisfaction": "satisfaction vs loyalty",
    "resources": "value ranking net of resources",
    "prospects": "prospects and conversion",
    "cleaning": "data cleaning and audit",
}

_ROWS = [
    {
        "name": "online_retail_sample", "kind": "bundled", "loader": "crmmine.datasets.load_online_retail_sample()",
        "source": "UCI Online Retail (Chen, Sain & Guo 2012), every line of ~1,000 customers drawn at random",
        "licence": "CC BY 4.0", "shipped": True,
        "size": "about 1,000 customers and 25,000 lines, 2010-12 to 2011-12",
        "columns": "customer_id, order_id, order_date, product_id, product_name, quantity, unit_price, amount, "
                   "country, source_line",
        "concepts": ("cleaning", "value", "states", "rfm", "segments", "baskets", "churn", "prospects"),
    },
    {
        "name": "online_retail", "kind": "reference (../shared/data, not shipped)",
        "loader": "crmmine.read_transactions(shared_data_dir() / 'online_retail/online_retail.csv.gz')",
        "source": "UCI Online Retail (Chen, Sain & Guo 2012), the full file", "licence": "CC BY 4.0", "shipped": False,
        "size": "541,909 lines, 4,372 customers, 25,900 invoices",
        "columns": "InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country",
        "concepts": ("cleaning", "rfm", "segments", "baskets", "churn"),
    },
    {
        "name": "cdnow_sample", "kind": "reference (../shared/data, not shipped)",
        "loader": "crmmine.datasets.load_cdnow_sample()",
        "source": "CDNOW 1/10 cohort sample (Fader, Hardie & Lee 2005), as shipped with lifetimes",
        "licence": "MIT (lifetimes)", "shipped": False, "size": "2,357 customers, 6,919 records",
        "columns": "customer_id, order_id, order_date, product_id, quantity, unit_price, amount, source_line",
        "concepts": ("clv_models", "value"),
    },
    {
        "name": "btyd_reference", "kind": "reference (../shared/data, not shipped)",
        "loader": "pandas.read_csv(shared_data_dir() / 'btyd_reference/...')",
        "source": "CDNOW summary and donations (Fader, Hardie & Shang 2010), from lifetimes",
        "licence": "MIT (lifetimes)", "shipped": False, "size": "2,357 + 11,104 customers (summaries)",
        "columns": "frequency, recency, T (CDNOW); frequency, recency, periods, weights (donations)",
        "concepts": ("clv_models",),
    },
    {
        "name": "olist_sample", "kind": "reference (../shared/data, not shipped)",
        "loader": "crmmine.datasets.load_olist(folder)",
        "source": "Olist Brazilian e-commerce (Kaggle olistbr/brazilian-ecommerce), 15,000 orders sampled",
        "licence": "CC BY-NC-SA 4.0", "shipped": False,
        "size": "15,000 orders, 14,904 customers (93 with 2+ orders), 17,071 items, 14,944 reviews",
        "columns": "transactions (canonical) + orders (promised/delivered dates, freight, voucher) + reviews "
                   "(review_score)",
        "concepts": ("satisfaction", "loyalty", "resources"),
    },
    {
        "name": "taobao_userbehavior_head", "kind": "reference (../shared/data, not shipped; research only)",
        "loader": "crmmine.read_events(shared_data_dir() / 'taobao_userbehavior/UserBehavior_head.csv', "
                  "schema='taobao')",
        "source": "Alibaba Tianchi UserBehavior (Zhu et al. 2018), first 84,476 lines",
        "licence": "research use, not stated", "shipped": False,
        "size": "84,287 events of 814 users", "columns": "user_id, item_id, category_id, behavior_type, timestamp",
        "concepts": ("prospects",),
    },
    {
        "name": "make_transactions", "kind": "generated",
        "loader": "crmmine.datasets.make_transactions(n, random_state=0)",
        "source": "crmmine's generator: BG/NBD purchases, Gamma-Gamma spend, planted segments and itemsets",
        "licence": "MIT (crmmine)", "shipped": True, "size": "any number of customers (default 1,000)",
        "columns": "canonical transactions + SyntheticTruth (parameters, segments, itemsets, dropout dates)",
        "concepts": ("value", "clv_models", "segments", "baskets", "churn", "states"),
    },
    {
        "name": "make_shop", "kind": "generated",
        "loader": "crmmine.datasets.make_shop(shape, n, random_state=0)",
        "source": "crmmine's generator (make_transactions) bent into one of SHOP_SHAPES: a grocer, integer ids, "
                  "two weeks of history, a 100k-product catalogue, ...",
        "licence": "MIT (crmmine)", "shipped": True, "size": "any number of customers (default 500)",
        "columns": "canonical transactions (raw, not cleaned) + SyntheticTruth",
        "concepts": ("cleaning", "baskets", "rfm"),
    },
    {
        "name": "events_sample", "kind": "bundled (generated)", "loader": "crmmine.load_events('sample')",
        "source": "crmmine.datasets.make_events(3000, random_state=2026), written by scripts/make_events_sample.py "
                  "(not real data: the Taobao log is research-only and never shipped)",
        "licence": "MIT (crmmine)", "shipped": True, "size": "3,000 visitors, about 22,700 events over 21 days",
        "columns": "customer_id, item_id, category, event_type, event_time, session_id, price",
        "concepts": ("prospects",),
    },
    {
        "name": "make_events", "kind": "generated", "loader": "crmmine.datasets.make_events(n, random_state=0)",
        "source": "crmmine's generator: views, carts, favourites, purchases with planted stage rates, high-intent "
                  "visitors and item pairs",
        "licence": "MIT (crmmine)", "shipped": True, "size": "any number of visitors (default 5,000)",
        "columns": "events (customer_id, item_id, category, event_type, event_time, session_id, price) + EventTruth",
        "concepts": ("prospects", "baskets"),
    },
    {
        "name": "make_loyalty_shop", "kind": "generated",
        "loader": "crmmine.datasets.make_loyalty_shop(n, random_state=0)",
        "source": "crmmine's generator: planted loyalty types, promotions, campaigns, vouchers, deliveries, reviews",
        "licence": "MIT (crmmine)", "shipped": True, "size": "any number of customers (default 1,000)",
        "columns": "transactions (with discount) + orders (promised/delivered dates, freight, voucher) + reviews + "
                   "campaigns + truth (planted loyalty_type)",
        "concepts": ("loyalty", "satisfaction", "resources", "rfm"),
    },
]


def catalogue() -> pd.DataFrame:
    """Every data set crmmine bundles, reads from the reference folder or generates.

    Returns
    -------
    pandas.DataFrame
        Index ``name``; columns ``kind`` (bundled, reference or generated), ``loader`` (the
        call that gives it), ``source``, ``licence``, ``shipped`` (inside the crmmine
        package), ``size``, ``columns`` and ``concepts`` (what it teaches, in words).

    Examples
    --------
    >>> from crmmine.datasets import catalogue
    >>> "make_loyalty_shop" in catalogue().index
    True
    """
    rows = [{**r, "concepts": "; ".join(_CONCEPTS[c] for c in r["concepts"])} for r in _ROWS]
    return pd.DataFrame(rows).set_index("name")[["kind", "loader", "source", "licence", "shipped", "size", "columns",
                                                 "concepts"]]
