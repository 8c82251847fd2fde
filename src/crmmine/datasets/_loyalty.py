"""Shops with promotions, reviews and deliveries: ``make_loyalty_shop`` (planted loyalty types) and ``load_olist``.

Both return a :class:`ShopData`: the canonical transactions plus the tables a shop has beside
its order lines (one row per order with the delivery promise, the delivery and the freight;
review scores; campaign periods). :func:`crmmine.loyalty_types` and
:func:`crmmine.satisfaction_loyalty` take them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParameterError, SourceNotFoundError
from ..validation import check_int, check_number

__all__ = ["ShopData", "make_loyalty_shop", "load_olist", "load_shop", "LOYALTY_TYPE_SHARES", "OLIST_FILES"]

#: Planted loyalty types of :func:`make_loyalty_shop` and their default share of customers.
LOYALTY_TYPE_SHARES: dict[str, float] = {
    "super_value": 0.12,
    "inertia": 0.12,
    "incentive": 0.12,
    "price": 0.20,
    "none": 0.44,
}

#: The Olist tables :func:`load_olist` reads (file names as published on Kaggle).
OLIST_FILES: dict[str, str] = {
    "orders": "olist_orders_dataset.csv",
    "customers": "olist_customers_dataset.csv",
    "items": "olist_order_items_dataset.csv",
    "payments": "olist_order_payments_dataset.csv",
    "reviews": "olist_order_reviews_dataset.csv",
    "products": "olist_products_dataset.csv",
    "translation": "product_category_name_translation.csv",
}


@dataclass(frozen=True)
class ShopData:
    """A shop's order lines and the tables beside them.

    Attributes
    ----------
    transactions : pandas.DataFrame
        Canonical order lines (:mod:`crmmine.data.schema`); ``discount`` is the money taken
        off the line (0 at full price; ``amount`` is what was paid).
    orders : pandas.DataFrame or None
        One row per order: ``order_id``, ``customer_id``, ``order_date``,
        ``promised_date`` (delivery promised), ``delivered_date`` (NaT when not delivered),
        ``freight_value`` and ``voucher`` (paid at least partly with a voucher or coupon).
    reviews : pandas.DataFrame or None
        ``order_id``, ``customer_id``, ``review_score`` (1-5), ``review_date``.
    campaigns : pandas.DataFrame or None
        Promotion campaign periods, ``start`` and ``end`` (inclusive days); None when unknown.
    truth : pandas.DataFrame or None
        For generated shops: per customer the planted ``loyalty_type``; None for real data.
    source : str
        Where the data come from (and its licence).
    """

    transactions: pd.DataFrame
    orders: pd.DataFrame | None
    reviews: pd.DataFrame | None
    campaigns: pd.DataFrame | None = None
    truth: pd.DataFrame | None = None
    source: str = ""
    notes: dict = field(default_factory=dict)

    @property
    def promoted_orders(self) -> pd.Index | None:
        """The ids of the orders paid with a voucher or coupon (None when the shop has no order table)."""
        if self.orders is None or "voucher" not in self.orders.columns:
            return None
        return pd.Index(self.orders.loc[self.orders["voucher"].to_numpy(dtype=bool), "order_id"], name="order_id")

    def costs(self, *, as_of=None) -> pd.DataFrame:
        """Resources each customer used that the shop's tables hold: ``freight_value`` (orders before ``as_of``).

        Index ``customer_id``; no columns when the shop has no order table with freight.
        """
        if self.orders is None or "freight_value" not in self.orders.columns:
            from ..data.schema import STRING_DTYPE
            from ..engine.lazy import is_lazy

            dtype = STRING_DTYPE if is_lazy(self.transactions) else self.transactions["customer_id"].dtype
            return pd.DataFrame(index=pd.Index([], name="customer_id", dtype=dtype))
        o = self.orders
        if as_of is not None:
            o = o[(o["order_date"] < pd.Timestamp(as_of)).to_numpy(dtype=bool, na_value=False)]
        if "status" in o.columns:
            o = o[~o["status"].isin(["canceled", "unavailable"]).to_numpy(dtype=bool)]
        out = o.groupby("customer_id")[["freight_value"]].sum()
        out.index.name = "customer_id"
        return out


def _string(values) -> pd.api.extensions.ExtensionArray:
    from ..data.schema import STRING_DTYPE

    return pd.array(np.asarray(values, dtype=object), dtype=STRING_DTYPE)


def make_loyalty_shop(
    n_customers: int = 1000,
    *,
    random_state: int | None = None,
    shares: dict | None = None,
    start: str = "2024-01-01",
    period_days: int = 730,
    n_products: int = 300,
    n_categories: int = 12,
    n_campaigns: int = 10,
    campaign_days: int = 14,
    late_rate: float = 0.12,
) -> ShopData:
    """A synthetic shop whose customers have planted loyalty types (course types, Dick & Basu 1994).

    Each customer is drawn with one of five planted behaviours:

    ==============  ===========================================================================
    type            how the customer is simulated
    ==============  ===========================================================================
    super_value     5 + Poisson(5) orders spread over the window, full price, baskets across
                    the whole range, reviews of 4-5 stars
    inertia         5 + Poisson(5) orders, full price, always the same two products (habit),
                    reviews of 1-3 stars
    incentive       buys only inside promotion campaigns (one order in ~95% of the campaigns
                    after the first purchase), every order discounted 20-35%, half with a voucher
    price           1-2 orders, mostly discounted 25-40% or with a voucher, low repeat
    none            one order (15% a second one), full price, any score
    ==============  ===========================================================================

    Deliveries are promised 15 days after the order; a share ``late_rate`` of orders is
    delivered late (16-30 days), and a late order's review loses two stars (at least 1):
    late delivery is the planted driver of low scores. Freight is about 5 plus 8% of the
    order value and has no planted effect on scores. Customers review an order with
    probability 0.7 (inertia 0.5).

    Parameters
    ----------
    n_customers : int, default=1000
        Number of customers.
    random_state : int or None, default=None
        Seed; the same seed gives identical tables.
    shares : dict or None, default=None
        ``type -> share`` (normalised); ``None`` uses :data:`LOYALTY_TYPE_SHARES`.
    start : str, default="2024-01-01"
        First day of the window.
    period_days : int, default=730
        Length of the window; customers arrive during its first half.
    n_products, n_categories : int, default=300, 12
        Catalogue size and number of categories.
    n_campaigns, campaign_days : int, default=10, 14
        Campaigns of ``campaign_days`` days, evenly spread over the window.
    late_rate : float, default=0.12
        Share of deliveries that arrive after the promised date.

    Returns
    -------
    ShopData
        ``truth`` holds the planted ``loyalty_type`` per customer.

    Examples
    --------
    >>> from crmmine.datasets import make_loyalty_shop
    >>> shop = make_loyalty_shop(200, random_state=0)
    >>> sorted(shop.truth["loyalty_type"].unique())
    ['incentive', 'inertia', 'none', 'price', 'super_value']
    """
    n = check_int("n_customers", n_customers, lo=1)
    check_int("period_days", period_days, lo=60)
    check_int("n_products", n_products, lo=10)
    check_int("n_categories", n_categories, lo=2, hi=n_products)
    check_int("n_campaigns", n_campaigns, lo=1)
    check_int("campaign_days", campaign_days, lo=1, hi=max(1, period_days // (2 * n_campaigns)),
              hint="campaigns must not overlap")
    check_number("late_rate", late_rate, lo=0, hi=1)
    shares = dict(LOYALTY_TYPE_SHARES if shares is None else shares)
    unknown = [k for k in shares if k not in LOYALTY_TYPE_SHARES]
    if unknown or not shares or any(not isinstance(v, (int, float)) or v < 0 for v in shares.values()) \
            or sum(shares.values()) <= 0:
        raise ParameterError(f"The 'shares' parameter must map types among {', '.join(LOYALTY_TYPE_SHARES)} to "
                             f"non-negative numbers with a positive sum. Got {shares!r} instead.")
    types = np.array(list(LOYALTY_TYPE_SHARES), dtype=object)
    p = np.array([shares.get(t, 0.0) for t in types], dtype=float)
    rng = np.random.default_rng(random_state)
    start_ts = pd.Timestamp(start)
    T = float(period_days)

    # campaigns evenly spread; the first starts after a gap, the last ends inside the window
    gap = T / n_campaigns
    camp_start = gap * np.arange(n_campaigns) + (gap - campaign_days) / 2
    camp_end = camp_start + campaign_days

    kind = rng.choice(len(types), size=n, p=p / p.sum())  # 0 super, 1 inertia, 2 incentive, 3 price, 4 none
    first = rng.uniform(0.0, T / 2, size=n)
    # incentive customers arrive in a campaign of the first half
    first_camp = rng.integers(0, max(1, n_campaigns // 2), size=n)
    inc = kind == 2
    first[inc] = camp_start[first_camp[inc]] + rng.uniform(0, campaign_days, size=inc.sum())

    # --- repeat orders ---------------------------------------------------------------
    n_rep = np.zeros(n, dtype=np.int64)
    high = kind <= 1
    n_rep[high] = 4 + rng.poisson(5, size=high.sum())
    n_rep[kind == 3] = rng.binomial(1, 0.35, size=(kind == 3).sum())
    n_rep[kind == 4] = rng.binomial(1, 0.15, size=(kind == 4).sum())
    cust = np.repeat(np.arange(n), n_rep)
    u = rng.uniform(size=cust.size)
    rep_time = first[cust] + u * (T - first[cust])
    # price customers' second order falls inside a campaign when there is one later
    is_price = kind[cust] == 3
    later = np.searchsorted(camp_start, first[cust], side="right")
    has_later = later < n_campaigns
    pc = is_price & has_later
    rep_time[pc] = camp_start[later[pc]] + rng.uniform(0, campaign_days, size=pc.sum())
    # incentive: one order in each later campaign with probability 0.95
    inc_idx = np.flatnonzero(inc)
    ci, cj = np.meshgrid(inc_idx, np.arange(n_campaigns), indexing="ij")
    ci, cj = ci.ravel(), cj.ravel()
    take = (camp_start[cj] > first[ci] + campaign_days) & (rng.uniform(size=ci.size) < 0.95)
    ci, cj = ci[take], cj[take]
    inc_time = camp_start[cj] + rng.uniform(0, campaign_days, size=ci.size)
    ord_cust = np.concatenate([np.arange(n), cust, ci])
    ord_time = np.concatenate([first, rep_time, inc_time])
    o = np.lexsort((ord_cust, ord_time))
    ord_cust, ord_time = ord_cust[o], ord_time[o]
    n_orders = ord_cust.size
    ord_kind = kind[ord_cust]

    # --- promotions and vouchers ---------------------------------------------------------
    disc_rate = np.zeros(n_orders)
    voucher = np.zeros(n_orders, dtype=bool)
    m = ord_kind == 2
    disc_rate[m] = rng.uniform(0.20, 0.35, size=m.sum())
    voucher[m] = rng.uniform(size=m.sum()) < 0.5
    m = ord_kind == 3
    promo = rng.uniform(size=m.sum()) < 0.85
    disc_rate[np.flatnonzero(m)[promo]] = rng.uniform(0.25, 0.40, size=promo.sum())
    voucher[np.flatnonzero(m)] = rng.uniform(size=m.sum()) < 0.4

    # --- baskets -----------------------------------------------------------------------
    prod_cat = rng.integers(0, n_categories, size=n_products)
    list_price = np.round(np.exp(rng.normal(3.0, 0.6, size=n_products)), 2)
    sizes = np.where(ord_kind == 0, 2 + rng.poisson(1.5, size=n_orders),
                     np.where(ord_kind == 1, 1 + rng.binomial(1, 0.5, size=n_orders),
                              1 + rng.poisson(1.0, size=n_orders)))
    line_order = np.repeat(np.arange(n_orders), sizes)
    line_prod = rng.integers(0, n_products, size=line_order.size)
    # inertia: the customer's two habitual products (same category)
    fav = rng.integers(0, n_products, size=(n, 2))
    inert_line = ord_kind[line_order] == 1
    line_prod[inert_line] = fav[ord_cust[line_order[inert_line]], rng.integers(0, 2, size=inert_line.sum())]
    key = np.unique(line_order.astype(np.int64) * n_products + line_prod)
    line_order, line_prod = key // n_products, key % n_products
    qty = 1.0 + rng.poisson(0.5, size=line_order.size)
    gross = qty * list_price[line_prod]
    discount = np.round(gross * disc_rate[line_order], 2)
    amount = gross - discount

    # --- deliveries, freight, reviews ------------------------------------------------------
    order_value = np.bincount(line_order, weights=amount, minlength=n_orders)
    late = rng.uniform(size=n_orders) < late_rate
    deliver_days = np.where(late, rng.uniform(16, 30, size=n_orders), rng.uniform(2, 14, size=n_orders))
    freight = np.round(5.0 + 0.08 * order_value * rng.uniform(0.5, 1.5, size=n_orders), 2)
    base = np.select(
        [ord_kind == 0, ord_kind == 1, ord_kind == 2, ord_kind == 3],
        [rng.choice([4, 5], p=[0.3, 0.7], size=n_orders), rng.choice([1, 2, 3], p=[0.2, 0.4, 0.4], size=n_orders),
         rng.choice([3, 4, 5], size=n_orders), rng.choice([2, 3, 4, 5], size=n_orders)],
        rng.choice([1, 2, 3, 4, 5], p=[0.05, 0.05, 0.15, 0.35, 0.4], size=n_orders),
    )
    score = np.where(late, np.maximum(1, base - 2), base)
    reviewed = rng.uniform(size=n_orders) < np.where(ord_kind == 1, 0.5, 0.7)

    # --- assemble -----------------------------------------------------------------------
    day = np.timedelta64(1, "D")
    t0 = start_ts.to_datetime64().astype("datetime64[s]")
    ord_dates = t0 + np.round(ord_time * 86400).astype("int64").astype("timedelta64[s]")
    ord_dates = ord_dates.astype("datetime64[ns]")
    cust_ids = np.array([f"L{i:06d}" for i in range(n)], dtype=object)
    order_ids = np.array([f"S{i:07d}" for i in range(n_orders)], dtype=object)
    prod_ids = np.array([f"P{i:04d}" for i in range(n_products)], dtype=object)
    cats = np.array([f"Category {i:02d}" for i in range(n_categories)], dtype=object)
    tx = pd.DataFrame({
        "customer_id": _string(cust_ids[ord_cust[line_order]]),
        "order_id": _string(order_ids[line_order]),
        "order_date": ord_dates[line_order],
        "product_id": _string(prod_ids[line_prod]),
        "product_name": _string(np.char.add("Product ", prod_ids[line_prod].astype(str)).astype(object)),
        "quantity": qty,
        "unit_price": amount / qty,
        "amount": amount,
        "category": _string(cats[prod_cat[line_prod]]),
        "discount": discount,
    })
    tx = tx.sort_values(["order_date", "order_id", "product_id"], kind="stable", ignore_index=True)
    tx["source_line"] = np.arange(1, len(tx) + 1, dtype="int64")
    promised = (ord_dates.astype("datetime64[D]") + 15 * day).astype("datetime64[ns]")
    delivered = ord_dates + np.round(deliver_days * 86400).astype("int64").astype("timedelta64[s]")
    end_ts = start_ts + pd.Timedelta(days=period_days)
    delivered = np.where(delivered < end_ts.to_datetime64(), delivered, np.datetime64("NaT"))
    orders = pd.DataFrame({
        "order_id": _string(order_ids),
        "customer_id": _string(cust_ids[ord_cust]),
        "order_date": ord_dates,
        "promised_date": promised,
        "delivered_date": pd.to_datetime(delivered),
        "freight_value": freight,
        "voucher": voucher,
    })
    has_review = reviewed & ~pd.isna(orders["delivered_date"]).to_numpy()
    reviews = pd.DataFrame({
        "order_id": orders["order_id"].to_numpy()[has_review],
        "customer_id": orders["customer_id"].to_numpy()[has_review],
        "review_score": score[has_review].astype("int64"),
        "review_date": orders["delivered_date"].to_numpy()[has_review] + np.timedelta64(1, "D"),
    })
    reviews["order_id"] = _string(reviews["order_id"])
    reviews["customer_id"] = _string(reviews["customer_id"])
    campaigns = pd.DataFrame({
        "start": (t0 + np.round(camp_start * 86400).astype("int64").astype("timedelta64[s]")).astype("datetime64[D]")
        .astype("datetime64[ns]"),
        "end": (t0 + np.round(camp_end * 86400).astype("int64").astype("timedelta64[s]")).astype("datetime64[D]")
        .astype("datetime64[ns]"),
    })
    truth = pd.DataFrame({"loyalty_type": pd.Categorical(types[kind], categories=list(types)),
                          "orders": np.bincount(ord_cust, minlength=n)},
                         index=pd.Index(_string(cust_ids), name="customer_id"))
    return ShopData(transactions=tx, orders=orders, reviews=reviews, campaigns=campaigns, truth=truth,
                    source="crmmine.datasets.make_loyalty_shop (synthetic, planted loyalty types)",
                    notes={"late_orders": pd.Index(_string(order_ids[late]), name="order_id"),
                           "random_state": random_state})


def load_olist(path) -> ShopData:
    """Read the Olist Brazilian e-commerce tables from a folder into a :class:`ShopData`.

    Olist's public data set (Kaggle "olistbr/brazilian-ecommerce", CC BY-NC-SA 4.0; never
    shipped with crmmine: give the folder you downloaded). The mapping:

    =====================  ================================================================
    crmmine                Olist
    =====================  ================================================================
    customer_id            ``customer_unique_id`` (the person; Olist's ``customer_id`` is per order)
    order_id, order_date   ``order_id``, ``order_purchase_timestamp``
    product_id, category   ``product_id``, the English category name (Portuguese when no translation)
    quantity, unit_price   item rows of the product in the order, their mean ``price``
    amount                 sum of ``price`` (freight is a resource, kept in ``orders.freight_value``)
    discount               0 (Olist has no line discounts; vouchers are in ``orders.voucher``)
    country                ``"BR"``
    promised_date          ``order_estimated_delivery_date``
    delivered_date         ``order_delivered_customer_date``
    voucher                a payment of type ``voucher`` on the order
    review_score           ``review_score`` (the first review of an order, when it has several)
    =====================  ================================================================

    Order lines of canceled or unavailable orders are left out of ``transactions`` (they
    stay in ``orders`` with their ``status``).

    Parameters
    ----------
    path : str or pathlib.Path
        The folder holding the files of :data:`OLIST_FILES`.

    Returns
    -------
    ShopData
        ``campaigns`` and ``truth`` are None.

    Raises
    ------
    SourceNotFoundError
        The folder or one of its files is missing (all missing files are named).
    """
    folder = Path(path).expanduser()
    missing = [f for f in OLIST_FILES.values() if not (folder / f).exists()]
    if missing:
        raise SourceNotFoundError(
            f"The Olist folder {str(folder)!r} lacks {', '.join(missing)}. Download the Olist data set "
            "(Kaggle 'olistbr/brazilian-ecommerce') and give the folder that holds its CSV files."
        )
    read = {k: pd.read_csv(folder / f, dtype_backend="pyarrow") for k, f in OLIST_FILES.items()}
    o = read["orders"]
    people = read["customers"][["customer_id", "customer_unique_id"]]
    o = o.merge(people, on="customer_id", how="left", validate="many_to_one")
    ts = {c: pd.to_datetime(o[c].astype("string"), errors="coerce").astype("datetime64[ns]") for c in
          ("order_purchase_timestamp", "order_estimated_delivery_date", "order_delivered_customer_date")}
    pay = read["payments"]
    voucher_ids = pd.Index(pay.loc[(pay["payment_type"] == "voucher").to_numpy(dtype=bool), "order_id"].unique())
    items = read["items"]
    freight = items.groupby("order_id")["freight_value"].sum().astype(float)
    orders = pd.DataFrame({
        "order_id": _string(o["order_id"]),
        "customer_id": _string(o["customer_unique_id"]),
        "order_date": ts["order_purchase_timestamp"].to_numpy(),
        "promised_date": ts["order_estimated_delivery_date"].to_numpy(),
        "delivered_date": ts["order_delivered_customer_date"].to_numpy(),
        "freight_value": o["order_id"].map(freight).astype(float).fillna(0.0).to_numpy(),
        "voucher": o["order_id"].isin(voucher_ids).to_numpy(dtype=bool),
        "status": _string(o["order_status"]),
    })
    products = read["products"][["product_id", "product_category_name"]].merge(
        read["translation"], on="product_category_name", how="left")
    cat = products["product_category_name_english"].fillna(products["product_category_name"])
    cat_of = pd.Series(cat.astype("string").to_numpy(), index=products["product_id"].astype("string").to_numpy())
    ok_orders = orders.loc[~orders["status"].isin(["canceled", "unavailable"]).to_numpy(dtype=bool)]
    it = items.merge(ok_orders[["order_id", "customer_id", "order_date"]].astype({"order_id": "string"}),
                     left_on=items["order_id"].astype("string"), right_on="order_id", how="inner",
                     suffixes=("_item", ""))
    # one line per (order, product): Olist repeats a product's row once per unit
    it["product_id"] = it["product_id"].astype("string")
    it["price"] = it["price"].astype(float)
    it = it.groupby(["order_id", "product_id"], sort=False).agg(
        customer_id=("customer_id", "first"), order_date=("order_date", "first"), quantity=("price", "size"),
        amount=("price", "sum"), first_item=("order_item_id", "min")).reset_index()
    it = it.sort_values(["order_date", "order_id", "first_item"], kind="stable", ignore_index=True)
    qty = it["quantity"].to_numpy(dtype=float)
    amount = it["amount"].to_numpy(dtype=float)
    tx = pd.DataFrame({
        "customer_id": _string(it["customer_id"]),
        "order_id": _string(it["order_id"]),
        "order_date": it["order_date"].to_numpy(),
        "product_id": _string(it["product_id"]),
        "quantity": qty,
        "unit_price": amount / qty,
        "amount": amount,
        "country": _string(np.full(len(it), "BR", dtype=object)),
        "category": _string(it["product_id"].astype("string").map(cat_of)),
        "discount": np.zeros(len(it)),
        "source_line": np.arange(1, len(it) + 1, dtype="int64"),
    })
    rv = read["reviews"].merge(o[["order_id", "customer_unique_id"]], on="order_id", how="inner")
    rv = rv.sort_values(["order_id", "review_creation_date"], kind="stable").drop_duplicates("order_id")
    reviews = pd.DataFrame({
        "order_id": _string(rv["order_id"]),
        "customer_id": _string(rv["customer_unique_id"]),
        "review_score": rv["review_score"].astype("int64").to_numpy(),
        "review_date": pd.to_datetime(rv["review_creation_date"].astype("string"), errors="coerce")
        .astype("datetime64[ns]").to_numpy(),
    }).reset_index(drop=True)
    return ShopData(transactions=tx, orders=orders, reviews=reviews, campaigns=None, truth=None,
                    source=f"Olist Brazilian e-commerce (CC BY-NC-SA 4.0), read from {folder}")


def load_shop(data_path="sample", *, schema="auto", synthetic_customers: int = 0,
              random_state: int | None = 0, cleaned=None) -> ShopData:
    """The shop a loyalty report reads: a synthetic shop, an Olist folder, or a transaction file.

    Parameters
    ----------
    data_path : str or pathlib.Path, default="sample"
        ``"sample"`` (the bundled Online Retail sample) or a transaction file: read and
        cleaned by :func:`crmmine.load_clean` (no orders, reviews or campaigns); a folder
        holding the Olist tables: :func:`load_olist`.
    schema : str or dict, default="auto"
        Column mapping of a transaction file (:func:`crmmine.read_transactions`).
    synthetic_customers : int, default=0
        When positive, ``data_path`` is ignored and a :func:`make_loyalty_shop` of this many
        customers is generated.
    random_state : int or None, default=0
        Seed of the synthetic shop.
    cleaned : crmmine.CleanResult or None, default=None
        The transaction file ``data_path`` already read and cleaned (e.g. by
        :func:`crmmine.report.load_data` with a report's cleaning choices: encoding, day-first
        dates, header, rules to skip); used instead of reading the file again. Ignored for a
        synthetic shop and an Olist folder.

    Returns
    -------
    ShopData
        For a transaction file ``orders`` and ``reviews`` are None, and ``notes["clean"]`` holds
        the :class:`crmmine.CleanResult` (the report opens with what it was run on).
    """
    synthetic_customers = check_int("synthetic_customers", synthetic_customers, lo=0)
    if synthetic_customers:
        return make_loyalty_shop(synthetic_customers, random_state=random_state)
    if str(data_path) != "sample" and Path(data_path).expanduser().is_dir():
        return load_olist(data_path)
    from ._loaders import load_clean

    result = load_clean(data_path, schema=schema) if cleaned is None else cleaned
    source = Path(result.params.get("source_file") or "online_retail_sample.csv.gz").name if str(data_path) == "sample" \
        else str(data_path)
    return ShopData(transactions=result.transactions, orders=None, reviews=None, campaigns=None, truth=None,
                    source=source, notes={"returns": result.returns, "clean": result})
