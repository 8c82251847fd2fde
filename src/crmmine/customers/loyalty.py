"""Loyalty types and satisfaction against loyalty, from a shop's log and what it has beside it.

Loyalty types (:func:`loyalty_types`)
-------------------------------------
The CRM course material crmmine follows sorts loyal customers by their **attachment** (the
attitude towards the shop) against their **repeat purchase** (the behaviour), refining the
attitude x repeat-patronage grid of Dick & Basu (1994):

=================  ==========================================  ============================
type               what it looks like in a shop's log           Dick & Basu cell (usual)
=================  ==========================================  ============================
super_value        high repeat, high attachment                 true loyalty
inertia            high repeat, low attachment (habit)          spurious loyalty
incentive          repeat purchase mostly on promotion or in    spurious loyalty
                   campaigns; no full-price order after them
price              low repeat, low attachment, buys cheap       no loyalty
                   (discounts, vouchers, below-typical prices)
none               low repeat, not price-driven                 latent or no loyalty
monopoly           high repeat, low attachment, *no choice*     spurious loyalty
=================  ==========================================  ============================

Monopoly loyalty cannot be told from a shop log: it needs to know whether the customer had
an alternative (market data), and in a shop's log it looks exactly like inertia. crmmine
says so in every inertia reason instead of guessing.

The measures, per customer, on lines before ``as_of``:

* ``orders``: distinct orders. **High repeat** is ``orders >= repeat_threshold``; by default
  the threshold is the best two-group split (Otsu 1979, the cut that maximises the
  between-group variance) of ``log(orders)`` over all customers, at least 2.
* ``promotion_share``: share of orders on promotion (a line with ``discount > 0``, or the
  order id among ``promoted_orders``: vouchers, coupons); ``promotion_spend_share`` the
  same for spend. ``campaign_share``: share of orders placed inside a campaign period.
  ``promotion_dependence`` is the promotion share (the campaign share when the data have
  no promotion marks: a campaign running is weaker evidence than a promotion used); a customer is
  **promotion-dependent** when it reaches ``promotion_threshold`` (default 0.5).
  ``orders_off_promotion``: orders neither on promotion nor in a campaign, placed after the
  customer's first promoted order: 0 means buying stopped whenever promotions did.
* ``price_index``: what the customer paid over what the same quantities cost at each
  product's median unit price in the shop (1 = typical prices; 0.8 = 20% below).
  **Price-sensitive**: ``price_index <= 1 - price_threshold`` or promotion-dependent.
* attachment components, each in [0, 1]: ``full_price_share`` (1 - promotion spend share),
  ``satisfaction`` ((mean review score - 1) / 4, where the customer reviewed), ``breadth``
  (1 - the Herfindahl index of their spend over categories, or products when there are no
  categories: 0 = one category only), ``tenure`` (days between first and last purchase
  over 365, at most 1). ``attachment`` is their mean over the components the customer has.
  **High attachment** is ``attachment >= attachment_threshold``; by default the Otsu split of
  the high-repeat customers' attachment (attitude matters most where behaviour is loyal),
  else of all customers'.

Types are assigned by the first rule that holds: incentive (high repeat and
promotion-dependent), super_value (high repeat, high attachment), inertia (high repeat),
price (low repeat, low attachment, price-sensitive), none. The Dick & Basu cell is
attachment x repeat: true (high, high), latent (high, low), spurious (low, high), none.

Satisfaction is not loyalty (:func:`satisfaction_loyalty`)
---------------------------------------------------------
Review scores crossed with repeat purchase and value; the drivers of low scores the data
holds (delivery later than promised, freight share of the order) with their effect sizes
(risk ratio of a low score with a 95% confidence interval, Katz et al. 1978; difference of
mean scores); and the two lists the course asks for: customers satisfied but gone, and
customers unhappy but staying.

References
----------
A. S. Dick, K. Basu (1994), "Customer loyalty: toward an integrated conceptual framework",
Journal of the Academy of Marketing Science 22(2), 99-113.
N. Otsu (1979), "A threshold selection method from gray-level histograms", IEEE Transactions on
Systems, Man, and Cybernetics 9(1), 62-66.
D. Katz, J. Baptista, S. P. Azen, M. C. Pike (1978), "Obtaining confidence intervals for the risk
ratio in cohort studies", Biometrics 34(3), 469-474.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter

import numpy as np
import pandas as pd

from ..data.schema import validate_transactions
from ..errors import InputError, ParameterError
from ..text.labels import LABELS, LANGUAGES, get_language, label
from ..validation import check_choice, check_date, check_fraction, check_int, check_table

__all__ = ["loyalty_types", "loyalty_summary", "summarise_loyalty", "satisfaction_loyalty", "SatisfactionLoyalty",
           "summarise_resources", "readable", "two_group_split", "LOYALTY_TYPES", "DICK_BASU_CELLS"]

#: The loyalty types :func:`loyalty_types` assigns, in the order of its rules.
LOYALTY_TYPES: tuple[str, ...] = ("incentive", "super_value", "inertia", "price", "none")
#: Dick & Basu's (1994) cells: attachment x repeat purchase.
DICK_BASU_CELLS: tuple[str, ...] = ("true", "latent", "spurious", "none")

_COMPONENTS = ("full_price_share", "satisfaction", "breadth", "tenure")


def two_group_split(values, *, floor: float | None = None) -> float:
    """The Otsu (1979) threshold of ``values``: the smallest value of the upper group.

    The cut between two consecutive distinct values that maximises the between-group
    variance ``w0 * w1 * (mean0 - mean1) ** 2``. With fewer than two distinct values,
    NaN.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    uniq, counts = np.unique(x, return_counts=True)
    if uniq.size < 2:
        return float("nan")
    w = np.cumsum(counts)[:-1].astype(float)
    s = np.cumsum(uniq * counts)[:-1]
    n, total = float(x.size), float(x.sum())
    m0 = s / w
    m1 = (total - s) / (n - w)
    between = w * (n - w) * (m0 - m1) ** 2
    return float(uniq[int(np.argmax(between)) + 1])


def _fill(template: str, columns: dict[str, pd.Series], index) -> pd.Series:
    """``template.format(**row)`` for every row, by column concatenation (no loop per row)."""
    out = pd.Series("", index=index, dtype=object)
    for literal, name, _spec, _conv in Formatter().parse(template):
        out = out + literal
        if name is not None:
            out = out + columns[name].astype(object)
    return out


_REASON_BLOCK = 500_000


def _reasons(out, code, tenure_days, templates, of_5, unknown, *, repeat_threshold, attachment_threshold):
    """The reason sentences of a block of customers (rows of ``out``), as a pandas string array."""
    idx = out.index
    cols = {
        "orders": out["orders"].astype(str), "repeat_threshold": pd.Series(str(repeat_threshold), index=idx),
        "attachment": _num(out["attachment"]), "attachment_threshold": pd.Series(f"{attachment_threshold:.2f}",
                                                                                  index=idx),
        "promotion": _pct(out["promotion_dependence"], unknown), "off": _num(out["orders_off_promotion"], 0),
        "price_index": _num(out["price_index"], missing=unknown), "full_price": _pct(out["full_price_share"], unknown),
        "satisfaction": _num(out["satisfaction"] * 4 + 1, 1, missing=unknown).where(
            out["satisfaction"].isna().to_numpy(),
            _fill(of_5, {"score": _num(out["satisfaction"] * 4 + 1, 1)}, idx)),
        "breadth": _num(out["breadth"], missing=unknown),
        "tenure_days": pd.Series(np.round(tenure_days).astype(int).astype(str), index=idx),
    }
    reason = pd.Series("", index=idx, dtype=object)
    for k, template in enumerate(templates):
        hit = code == k
        if hit.any():
            sub = {c: v[hit] for c, v in cols.items()}
            reason[hit] = _fill(template, sub, idx[hit]).to_numpy()
    return pd.array(reason.to_numpy(), dtype="string")


def _pct(x, missing: str = "-") -> pd.Series:
    x = pd.Series(x)
    return ((x * 100).round().astype("Int64").astype("string") + "%").fillna(missing)


def _num(x, digits=2, *, missing: str = "-") -> pd.Series:
    x = pd.Series(x, dtype=float)
    text = np.char.mod(f"%.{digits}f", x.to_numpy())
    return pd.Series(np.where(np.isfinite(x.to_numpy()), text, missing), index=x.index, dtype=object)


def _order_table(tx: pd.DataFrame, promoted_orders) -> pd.DataFrame:
    """One row per order: customer, date, amount, promoted (line discount or listed order)."""
    disc = tx["discount"].to_numpy(dtype=float, na_value=0.0) if "discount" in tx.columns else np.zeros(len(tx))
    g = pd.DataFrame({"order_id": tx["order_id"].to_numpy(), "customer_id": tx["customer_id"].to_numpy(),
                      "order_date": tx["order_date"].to_numpy(), "amount": tx["amount"].to_numpy(dtype=float),
                      "discounted": disc > 0})
    orders = g.groupby("order_id", sort=False).agg(customer_id=("customer_id", "first"),
                                                   order_date=("order_date", "min"), amount=("amount", "sum"),
                                                   promoted=("discounted", "any"))
    if promoted_orders is not None:
        orders["promoted"] |= orders.index.isin(pd.Index(promoted_orders).astype(str))
    return orders


def _promoted_ids(promoted_orders):
    if promoted_orders is None:
        return None
    if isinstance(promoted_orders, pd.Series) and promoted_orders.dtype == bool:
        return promoted_orders.index[promoted_orders.to_numpy()]
    if isinstance(promoted_orders, str) or not hasattr(promoted_orders, "__iter__"):
        raise ParameterError("The 'promoted_orders' parameter must be a collection of order ids (orders paid with "
                             f"a voucher or coupon) or a boolean Series indexed by order id. Got {promoted_orders!r} "
                             "instead.")
    return list(promoted_orders)


def _campaign_mask(dates: pd.Series, campaigns: pd.DataFrame) -> np.ndarray:
    """True where a date falls inside a campaign (start day through end day, inclusive)."""
    start = campaigns["start"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    end = campaigns["end"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    order = np.argsort(start)
    start, end = start[order], end[order]
    d = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    i = np.searchsorted(start, d, side="right") - 1
    ok = i >= 0
    inside = np.zeros(d.size, dtype=bool)
    inside[ok] = d[ok] <= np.maximum.accumulate(end)[i[ok]]
    return inside


def _review_scores(reviews, orders: pd.DataFrame) -> pd.DataFrame:
    """Reviews with a customer id (from the order when the table has none)."""
    check_table(reviews, ["review_score"], name="reviews", what="review scores",
                hint="Give order_id (or customer_id) and review_score columns.", numeric_columns=["review_score"])
    if "customer_id" in reviews.columns:
        r = reviews[["customer_id", "review_score", *(["order_id"] if "order_id" in reviews.columns else [])]].copy()
    else:
        check_table(reviews, ["order_id", "review_score"], name="reviews", what="review scores",
                    hint="Give order_id (or customer_id) and review_score columns.")
        r = reviews[["order_id", "review_score"]].copy()
        r["customer_id"] = r["order_id"].astype(str).map(orders["customer_id"])
    if "order_id" in r.columns:  # only reviews of orders the analysis sees (before as_of)
        r = r[r["order_id"].astype(str).isin(orders.index)]
    r = r[r["review_score"].notna() & r["customer_id"].notna()]
    bad = r["review_score"][(r["review_score"] < 1) | (r["review_score"] > 5)]
    if len(bad):
        raise InputError(f"The 'reviews' table's review_score must be from 1 to 5. Got {float(bad.iloc[0]):g} "
                         f"instead (row {bad.index[0]!r}).")
    r["customer_id"] = r["customer_id"].astype(str)
    return r


def loyalty_types(
    tx: pd.DataFrame,
    *,
    promoted_orders=None,
    reviews: pd.DataFrame | None = None,
    campaigns: pd.DataFrame | None = None,
    as_of=None,
    repeat_threshold: int | None = None,
    attachment_threshold: float | None = None,
    promotion_threshold: float = 0.5,
    price_threshold: float = 0.1,
    lang: str | None = None,
) -> pd.DataFrame:
    """Each customer's loyalty type (course types) and Dick & Basu cell, with the reason in words.

    Parameters
    ----------
    tx : pandas.DataFrame
        Clean canonical order lines. A ``discount`` column (money off the line) marks lines
        on promotion; ``category`` (when present) measures breadth.
    promoted_orders : collection of order ids, boolean Series by order id, or None
        Orders paid with a voucher or coupon (e.g. ``ShopData.promoted_orders``).
    reviews : pandas.DataFrame or None
        ``review_score`` (1-5) with ``order_id`` or ``customer_id``.
    campaigns : pandas.DataFrame or None
        Campaign periods, columns ``start`` and ``end`` (inclusive days).
    as_of : date-like or None
        Only lines before it count; None: the day after the last line.
    repeat_threshold : int or None
        Orders that count as high repeat purchase; None: derived (module docstring).
    attachment_threshold : float or None
        Attachment that counts as high, in [0, 1]; None: derived (module docstring).
    promotion_threshold : float, default=0.5
        Share of orders on promotion (or in campaigns) from which a customer is
        promotion-dependent.
    price_threshold : float, default=0.1
        A customer paying at least this share below typical prices is price-sensitive.
    lang : {"en", "zh"} or None
        Language of the names and reasons; None: :func:`crmmine.text.get_language`.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (sorted). Columns ``orders``, ``revenue``, ``repeat_high``,
        ``promotion_share``, ``promotion_spend_share``, ``campaign_share``,
        ``promotion_dependence``, ``orders_off_promotion``, ``price_index``,
        ``price_sensitive``, ``full_price_share``, ``satisfaction``, ``reviews``,
        ``breadth``, ``tenure``, ``attachment``, ``attachment_high``, ``loyalty_type``
        (categorical of :data:`LOYALTY_TYPES`), ``loyalty_type_name``, ``dick_basu``
        (categorical of :data:`DICK_BASU_CELLS`), ``dick_basu_name`` and ``reason``.
        Measures the data cannot give are NaN. ``attrs`` (plain JSON values, so the table
        can be written to Parquet) holds ``repeat_threshold``, ``attachment_threshold``,
        ``components`` (the attachment components used), ``as_of`` (ISO text) and ``notes``:
        sentences saying what the data cannot tell apart.

    References
    ----------
    Dick & Basu (1994); Otsu (1979); see the module docstring.

    Examples
    --------
    >>> import crmmine
    >>> shop = crmmine.datasets.make_loyalty_shop(300, random_state=1)
    >>> lt = crmmine.loyalty_types(shop.transactions, promoted_orders=shop.promoted_orders,
    ...                            reviews=shop.reviews, campaigns=shop.campaigns)
    >>> bool((lt["loyalty_type"] == shop.truth["loyalty_type"].reindex(lt.index).astype(str)).mean() > 0.8)
    True
    """
    from ..engine.lazy import is_lazy

    lazy = is_lazy(tx)
    if not lazy:
        validate_transactions(tx)
    as_of = check_date("as_of", as_of)
    repeat_threshold = check_int("repeat_threshold", repeat_threshold, lo=2, none_ok=True)
    attachment_threshold = check_fraction("attachment_threshold", attachment_threshold, none_ok=True)
    promotion_threshold = check_fraction("promotion_threshold", promotion_threshold, lo_open=True)
    price_threshold = check_fraction("price_threshold", price_threshold, hi_open=True)
    if lang is not None:
        check_choice("lang", lang, LANGUAGES)
    lang = lang or get_language()
    if campaigns is not None:
        check_table(campaigns, ["start", "end"], name="campaigns", what="campaign periods",
                    hint="Give one row per campaign with its first and last day.",
                    datetime_columns=["start", "end"])
    if as_of is None:
        if lazy:
            from ..engine.aggregate import line_bounds

            as_of = line_bounds(tx)[1].normalize() + pd.Timedelta(days=1)
        else:
            as_of = tx["order_date"].max().normalize() + pd.Timedelta(days=1)
    measures = _lazy_measures if lazy else _pandas_measures
    out, has_promo, in_camp, price_varies, tenure_days, dependent, used = measures(
        tx, as_of=as_of, promoted_orders=promoted_orders, reviews=reviews, campaigns=campaigns,
        promotion_threshold=promotion_threshold, price_threshold=price_threshold)
    idx = out.index

    # --- thresholds -------------------------------------------------------------------------------
    if repeat_threshold is None:
        t = two_group_split(np.log(out["orders"].to_numpy(dtype=float)))
        repeat_threshold = max(2, int(np.ceil(np.exp(t) - 1e-9))) if np.isfinite(t) else 2
    out["repeat_high"] = (out["orders"] >= repeat_threshold).to_numpy()
    if attachment_threshold is None:
        pool = out.loc[out["repeat_high"], "attachment"]
        if pool.nunique() < 2:
            pool = out["attachment"]
        t = two_group_split(pool.to_numpy())
        attachment_threshold = float(t) if np.isfinite(t) else 0.5
    out["attachment_high"] = (out["attachment"] >= attachment_threshold).to_numpy()

    # --- types ----------------------------------------------------------------------------------------
    rep, att = out["repeat_high"].to_numpy(), out["attachment_high"].to_numpy()
    price = out["price_sensitive"].to_numpy()
    code = np.select([rep & dependent, rep & att, rep, ~rep & ~att & price], [0, 1, 2, 3], default=4)
    out["loyalty_type"] = pd.Categorical.from_codes(code, categories=list(LOYALTY_TYPES))
    names = np.array([label(f"loyalty.type.{k}", lang) for k in LOYALTY_TYPES], dtype=object)
    out["loyalty_type_name"] = pd.array(names[code], dtype="string")
    cell = np.select([att & rep, att & ~rep, ~att & rep], [0, 1, 2], default=3)
    out["dick_basu"] = pd.Categorical.from_codes(cell, categories=list(DICK_BASU_CELLS))
    cell_names = np.array([label(f"loyalty.cell.{k}", lang) for k in DICK_BASU_CELLS], dtype=object)
    out["dick_basu_name"] = pd.array(cell_names[cell], dtype="string")

    # --- reasons --------------------------------------------------------------------------------------
    # one sentence per customer, built by column concatenation a block of customers at a time: the texts of a
    # block are Python strings until they become one Arrow string array, so millions of customers never hold
    # eleven columns of Python strings at once
    unknown = label("loyalty.unknown", lang)  # a part the data cannot give is said in words, not as a dash or NaN
    templates = [label(f"loyalty.reason.{key}", lang) for key in LOYALTY_TYPES]
    of_5 = label("loyalty.satisfaction_of_5", lang)
    parts = []
    for s in range(0, len(idx), _REASON_BLOCK):
        parts.append(_reasons(out.iloc[s:s + _REASON_BLOCK], code[s:s + _REASON_BLOCK],
                              tenure_days[s:s + _REASON_BLOCK], templates, of_5, unknown,
                              repeat_threshold=repeat_threshold, attachment_threshold=attachment_threshold))
    out["reason"] = (pd.concat([pd.Series(p) for p in parts], ignore_index=True).array if len(parts) > 1 else
                     parts[0] if parts else pd.array([], dtype="string"))
    notes = [label("loyalty.note.monopoly", lang)]
    if not has_promo and in_camp is None:
        notes.append(label("loyalty.note.no_promotions", lang))
    elif in_camp is None:
        notes.append(label("loyalty.note.no_campaigns", lang))
    if reviews is None:
        notes.append(label("loyalty.note.no_reviews", lang))
    if not price_varies:
        notes.append(label("loyalty.note.no_price_variation", lang))
    order = ["orders", "revenue", "repeat_high", "promotion_share", "promotion_spend_share", "campaign_share",
             "promotion_dependence", "orders_off_promotion", "price_index", "price_sensitive", *_COMPONENTS,
             "reviews", "attachment", "attachment_high", "loyalty_type", "loyalty_type_name", "dick_basu",
             "dick_basu_name", "reason"]
    out = out[order]
    out.attrs = {"as_of": as_of.isoformat(), "repeat_threshold": int(repeat_threshold),
                 "attachment_threshold": float(attachment_threshold), "components": used,
                 "promotion_threshold": promotion_threshold, "price_threshold": price_threshold, "notes": notes,
                 "lang": lang}
    return out


def _pandas_measures(tx, *, as_of, promoted_orders, reviews, campaigns, promotion_threshold, price_threshold):
    """The per-customer measures of :func:`loyalty_types` from a pandas table (input already validated)."""
    tx = tx[(tx["order_date"] < as_of).to_numpy(dtype=bool, na_value=False)]
    if tx.empty:
        raise InputError(f"No order line of 'tx' falls before as_of={as_of.date()}; choose a later date.")
    promoted = _promoted_ids(promoted_orders)
    orders = _order_table(tx, promoted)
    has_promo = promoted is not None or ("discount" in tx.columns and tx["discount"].notna().any())
    cid = orders["customer_id"].astype(str)
    by = orders.groupby(cid, sort=True)
    out = pd.DataFrame({"orders": by.size().astype("int64"), "revenue": by["amount"].sum()})
    out.index = pd.Index(out.index.astype(str), name="customer_id")
    idx = out.index
    first = by["order_date"].min()
    last = by["order_date"].max()

    # --- promotions and campaigns -----------------------------------------------------------
    nan = np.full(len(out), np.nan)
    promo = orders["promoted"].to_numpy(dtype=bool)
    amount = orders["amount"].to_numpy(dtype=float)
    if has_promo:
        out["promotion_share"] = pd.Series(promo, index=orders.index).groupby(cid).mean().reindex(idx).to_numpy()
        spend_p = pd.Series(np.where(promo, amount, 0.0), index=orders.index).groupby(cid).sum().reindex(idx)
        out["promotion_spend_share"] = np.where(out["revenue"] > 0, spend_p.to_numpy() / out["revenue"].to_numpy(),
                                                0.0)
    else:
        out["promotion_share"] = nan
        out["promotion_spend_share"] = nan
    in_camp = _campaign_mask(orders["order_date"], campaigns) if campaigns is not None and len(campaigns) else None
    if in_camp is not None:
        out["campaign_share"] = pd.Series(in_camp, index=orders.index).groupby(cid).mean().reindex(idx).to_numpy()
    else:
        out["campaign_share"] = nan
    # promotion marks say whether an order used a promotion; campaign periods only say one was running,
    # so they stand in for the marks only when the data have none
    dep = out["promotion_share"] if has_promo else out["campaign_share"]
    out["promotion_dependence"] = dep.to_numpy()
    if has_promo or in_camp is not None:
        on = promo | (in_camp if in_camp is not None else False)
        t = orders["order_date"]
        first_on = pd.Series(np.where(on, t.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT")),
                             index=orders.index).groupby(cid).min().reindex(idx)
        after = (~on) & (t.to_numpy(dtype="datetime64[ns]") > cid.map(first_on).to_numpy(dtype="datetime64[ns]"))
        off = pd.Series(after, index=orders.index).groupby(cid).sum().reindex(idx)
        out["orders_off_promotion"] = np.where(first_on.isna(), np.nan, off.to_numpy(dtype=float))
    else:
        out["orders_off_promotion"] = nan

    # --- prices ---------------------------------------------------------------------------------
    qty = tx["quantity"].to_numpy(dtype=float)
    unit = tx["amount"].to_numpy(dtype=float) / np.where(qty != 0, qty, np.nan)
    typical = pd.Series(unit).groupby(tx["product_id"].to_numpy()).transform("median").to_numpy()
    tcust = tx["customer_id"].astype(str).to_numpy()
    paid = pd.Series(tx["amount"].to_numpy(dtype=float)).groupby(tcust).sum()
    at_typ = pd.Series(qty * typical).groupby(tcust).sum()
    pi = (paid / at_typ.where(at_typ > 0)).reindex(idx)
    out["price_index"] = pi.to_numpy()
    price_varies = bool((np.abs(unit - typical) > 1e-9 * np.maximum(1.0, np.abs(typical))).any())
    sens = (out["price_index"] <= 1 - price_threshold).to_numpy(dtype=bool)
    dependent = (out["promotion_dependence"] >= promotion_threshold).to_numpy(dtype=bool)
    out["price_sensitive"] = sens | dependent

    # --- attachment ---------------------------------------------------------------------------
    out["full_price_share"] = 1.0 - out["promotion_spend_share"]
    n_reviews = pd.Series(0, index=idx, dtype="int64")
    if reviews is not None:
        r = _review_scores(reviews, orders)
        g = r.groupby("customer_id")["review_score"]
        out["satisfaction"] = ((g.mean() - 1.0) / 4.0).reindex(idx).to_numpy()
        n_reviews = g.size().reindex(idx, fill_value=0).astype("int64")
    else:
        out["satisfaction"] = nan
    out["reviews"] = n_reviews.to_numpy()
    level = "category" if "category" in tx.columns and tx["category"].notna().any() else "product_id"
    item = tx[level].astype(str).fillna("").to_numpy()
    spend = pd.Series(np.clip(tx["amount"].to_numpy(dtype=float), 0, None)).groupby([tcust, item]).sum()
    tot = spend.groupby(level=0).transform("sum")
    hhi = ((spend / tot.where(tot > 0)) ** 2).groupby(level=0).sum(min_count=1)
    out["breadth"] = (1.0 - hhi).reindex(idx).to_numpy()
    tenure_days = (last - first).dt.total_seconds().reindex(idx).to_numpy() / 86400.0
    out["tenure"] = np.minimum(1.0, tenure_days / 365.0)
    comp = out[list(_COMPONENTS)]
    used = [c for c in _COMPONENTS if comp[c].notna().any()]
    out["attachment"] = comp[used].mean(axis=1, skipna=True).to_numpy()
    return out, has_promo, in_camp, price_varies, tenure_days, dependent, used


def _lazy_measures(tx, *, as_of, promoted_orders, reviews, campaigns, promotion_threshold, price_threshold):
    """:func:`_pandas_measures` of a lazy table (DuckDB, Spark): orders and lines counted in the engine
    (:func:`crmmine.engine.aggregate.loyalty_measures`), the same shares and indices computed here."""
    from ..engine.aggregate import loyalty_measures

    if reviews is not None:
        raise ParameterError("The 'reviews' parameter needs the order lines in pandas; with a lazy table "
                             "(DuckDB, Spark) give reviews=None, or pass the lines as a DataFrame.")
    promoted = _promoted_ids(promoted_orders)
    raw, has_discount = loyalty_measures(tx, as_of=as_of, promoted=promoted, campaigns=campaigns)
    if raw.empty:
        raise InputError(f"No order line of 'tx' falls before as_of={as_of.date()}; choose a later date.")
    has_promo = promoted is not None or has_discount
    idx = pd.Index(pd.Index(raw["customer_id"].to_numpy(dtype=object)).astype(str), name="customer_id")
    n = len(idx)
    nan = np.full(n, np.nan)
    orders = raw["orders"].to_numpy(dtype=np.int64)
    revenue = raw["revenue"].to_numpy(dtype=float)
    out = pd.DataFrame({"orders": orders, "revenue": revenue}, index=idx)
    if has_promo:
        out["promotion_share"] = raw["promo_orders"].to_numpy(dtype=float) / orders
        with np.errstate(invalid="ignore", divide="ignore"):
            out["promotion_spend_share"] = np.where(revenue > 0, raw["promo_spend"].to_numpy(dtype=float) / revenue, 0.0)
    else:
        out["promotion_share"] = nan
        out["promotion_spend_share"] = nan
    in_camp = campaigns if campaigns is not None and len(campaigns) else None
    out["campaign_share"] = raw["camp_orders"].to_numpy(dtype=float) / orders if in_camp is not None else nan
    dep = out["promotion_share"] if has_promo else out["campaign_share"]
    out["promotion_dependence"] = dep.to_numpy()
    if has_promo or in_camp is not None:
        out["orders_off_promotion"] = np.where(raw["first_on"].isna().to_numpy(), np.nan,
                                               raw["orders_off"].to_numpy(dtype=float))
    else:
        out["orders_off_promotion"] = nan
    at_typ = raw["at_typical"].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["price_index"] = np.where(at_typ > 0, raw["paid"].to_numpy(dtype=float, na_value=np.nan) / at_typ, np.nan)
    price_varies = bool(np.nansum(raw["varies"].to_numpy(dtype=float, na_value=np.nan)) > 0)
    sens = (out["price_index"] <= 1 - price_threshold).to_numpy(dtype=bool)
    dependent = (out["promotion_dependence"] >= promotion_threshold).to_numpy(dtype=bool)
    out["price_sensitive"] = sens | dependent
    out["full_price_share"] = 1.0 - out["promotion_spend_share"]
    out["satisfaction"] = nan
    out["reviews"] = np.zeros(n, dtype=np.int64)
    out["breadth"] = 1.0 - raw["hhi"].to_numpy(dtype=float, na_value=np.nan)
    first = raw["first_order"].to_numpy(dtype="datetime64[ns]")
    last = raw["last_order"].to_numpy(dtype="datetime64[ns]")
    tenure_days = (last - first).astype("timedelta64[ns]").astype(np.int64) / 1e9 / 86400.0
    out["tenure"] = np.minimum(1.0, tenure_days / 365.0)
    comp = out[list(_COMPONENTS)]
    used = [c for c in _COMPONENTS if comp[c].notna().any()]
    out["attachment"] = comp[used].mean(axis=1, skipna=True).to_numpy()
    return out, has_promo, in_camp, price_varies, tenure_days, dependent, used


def loyalty_summary(types: pd.DataFrame) -> pd.DataFrame:
    """Customers, revenue and the typical measures per loyalty type (rows in :data:`LOYALTY_TYPES` order).

    Parameters
    ----------
    types : pandas.DataFrame
        Output of :func:`loyalty_types`.

    Returns
    -------
    pandas.DataFrame
        Index ``loyalty_type``; columns ``name``, ``customers``, ``customer_share``,
        ``revenue_share``, ``mean_orders``, ``mean_attachment``, ``mean_promotion_dependence``,
        ``mean_price_index`` and ``dick_basu`` (the most common cell's name).
    """
    check_table(types, ["loyalty_type", "loyalty_type_name", "orders", "revenue", "attachment",
                        "promotion_dependence", "price_index", "dick_basu_name"], name="types",
                what="the output of crmmine.loyalty_types", hint="Make it with crmmine.loyalty_types(tx).")
    g = types.groupby("loyalty_type", observed=False)
    rev = types["revenue"].sum()
    out = pd.DataFrame({
        "name": g["loyalty_type_name"].first(),
        "customers": g.size().astype("int64"),
        "customer_share": g.size() / max(len(types), 1),
        "revenue_share": g["revenue"].sum() / rev if rev else np.nan,
        "mean_orders": g["orders"].mean(),
        "mean_attachment": g["attachment"].mean(),
        "mean_promotion_dependence": g["promotion_dependence"].mean(),
        "mean_price_index": g["price_index"].mean(),
        "dick_basu": g["dick_basu_name"].agg(lambda s: s.mode().iloc[0] if len(s) else pd.NA),
    })
    missing = out["name"].isna()
    if missing.any():
        lang = types.attrs.get("lang")
        out.loc[missing, "name"] = [label(f"loyalty.type.{k}", lang) for k in out.index[missing]]
    out.index = pd.Index(out.index.astype(str), name="loyalty_type")
    return out


# ----------------------------------------------------------------------------------------------------
# satisfaction vs loyalty
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SatisfactionLoyalty:
    """What :func:`satisfaction_loyalty` found.

    Attributes
    ----------
    customers : pandas.DataFrame
        One row per reviewing customer (index ``customer_id``): ``mean_score``,
        ``reviews``, ``orders``, ``repeat`` (2+ orders), ``revenue``, ``recency_days``,
        ``satisfied``, ``unhappy``, ``gone``, ``bought_after_low_score`` and ``status``
        (``satisfied_loyal``, ``satisfied_gone``, ``unhappy_staying``, ``unhappy_gone``,
        ``neutral``).
    by_score : pandas.DataFrame
        Per rounded mean score 1-5: ``customers``, ``repeat_rate``, ``mean_orders``,
        ``mean_revenue``, ``gone_rate``.
    drivers : pandas.DataFrame
        Per driver the data holds (``late_delivery``, ``high_freight_share``): ``name``,
        ``orders_with``, ``orders_without``, ``low_rate_with``, ``low_rate_without``,
        ``risk_ratio``, ``risk_ratio_low``, ``risk_ratio_high`` (95% CI),
        ``mean_score_with``, ``mean_score_without``, ``score_difference``.
    satisfied_but_gone, unhappy_but_staying : pandas.DataFrame
        The two lists (rows of ``customers``), highest revenue first.
    gone_days : int
        Days without a purchase after which a customer counts as gone.
    """

    customers: pd.DataFrame
    by_score: pd.DataFrame
    drivers: pd.DataFrame
    satisfied_but_gone: pd.DataFrame
    unhappy_but_staying: pd.DataFrame
    gone_days: int

    def finding(self, lang: str | None = None) -> str:
        """One or two sentences: repeat rate of the satisfied against the unhappy, and the strongest driver."""
        c = self.customers
        sat = c.loc[c["satisfied"], "repeat"].mean() if c["satisfied"].any() else float("nan")
        unh = c.loc[c["unhappy"], "repeat"].mean() if c["unhappy"].any() else float("nan")
        # one decimal when both rates are under 10% (so that 1.4% vs 0.5% does not read "1% vs 0%")
        digits = 1 if max(abs(sat) if sat == sat else 0.0, abs(unh) if unh == unh else 0.0) < 0.1 else 0
        text = label("satisfaction.finding.repeat", lang, satisfied=_share(sat, digits), unhappy=_share(unh, digits),
                     gone=f"{len(self.satisfied_but_gone):,}", staying=f"{len(self.unhappy_but_staying):,}")
        d = self.drivers.dropna(subset=["risk_ratio"])
        if len(d):
            top = d.sort_values("risk_ratio", ascending=False).iloc[0]
            text += " " + label("satisfaction.finding.driver", lang, driver=top["name"], with_=top["low_rate_with"],
                                without=top["low_rate_without"], rr=top["risk_ratio"], lo=top["risk_ratio_low"],
                                hi=top["risk_ratio_high"])
        return text


def _share(x: float, digits: int) -> str:
    """A share as a percentage with ``digits`` decimals ("–" when unknown)."""
    return "–" if x != x else f"{x:.{digits}%}"


def _risk_ratio(a: float, n1: float, c: float, n0: float) -> tuple[float, float, float]:
    """Risk ratio (a/n1)/(c/n0) with the Katz log 95% interval; 0.5 added to every cell when one is empty."""
    b, d = n1 - a, n0 - c
    if min(n1, n0) == 0:
        return (np.nan, np.nan, np.nan)
    if min(a, c) == 0:
        a, c, n1, n0 = a + 0.5, c + 0.5, n1 + 1.0, n0 + 1.0
        b, d = n1 - a, n0 - c
    rr = (a / n1) / (c / n0)
    se = np.sqrt(max(b / (a * n1) + d / (c * n0), 0.0))
    return (float(rr), float(rr * np.exp(-1.96 * se)), float(rr * np.exp(1.96 * se)))


def satisfaction_loyalty(
    tx: pd.DataFrame,
    reviews: pd.DataFrame,
    *,
    orders: pd.DataFrame | None = None,
    as_of=None,
    satisfied_min: int = 4,
    unhappy_max: int = 2,
    gone_days: int | None = None,
    lang: str | None = None,
) -> SatisfactionLoyalty:
    """Satisfaction is not loyalty: review scores against repeat purchase and value, and what drives low scores.

    Parameters
    ----------
    tx : pandas.DataFrame
        Clean canonical order lines.
    reviews : pandas.DataFrame
        ``order_id`` and ``review_score`` (1-5); ``customer_id`` optional.
    orders : pandas.DataFrame or None
        One row per order with ``order_id`` and any of ``promised_date`` and
        ``delivered_date`` (late delivery: delivered on a later day than promised) and
        ``freight_value`` (freight share: freight / (order amount + freight); "high" is the
        top quarter of the reviewed orders). None: no drivers.
    as_of : date-like or None
        Only lines and reviews before it count; None: the day after the last line.
    satisfied_min, unhappy_max : int, default=4, 2
        A mean score of at least ``satisfied_min`` is satisfied, of at most ``unhappy_max``
        unhappy; a review of at most ``unhappy_max`` is a low score.
    gone_days : int or None
        A customer without a purchase for more than this many days is gone; None: the 90th
        percentile of the gaps between consecutive orders of repeat buyers (at least 30;
        365 when there are fewer than 20 gaps).
    lang : {"en", "zh"} or None
        Language of the driver names and the finding.

    Returns
    -------
    SatisfactionLoyalty

    Notes
    -----
    "Satisfied but gone": satisfied and no purchase for more than ``gone_days``.
    "Unhappy but staying": unhappy, and bought again after their first low-scored order. The effect
    of a driver is the risk ratio of a low score with the driver against without it, with
    the Katz et al. (1978) log interval, and the difference in mean score.

    Examples
    --------
    >>> import crmmine
    >>> shop = crmmine.datasets.make_loyalty_shop(400, random_state=2)
    >>> sl = crmmine.satisfaction_loyalty(shop.transactions, shop.reviews, orders=shop.orders)
    >>> float(sl.drivers.loc["late_delivery", "risk_ratio"]) > 2
    True
    """
    from ..engine.lazy import is_lazy

    lazy = is_lazy(tx)
    if not lazy:
        validate_transactions(tx)
    as_of = check_date("as_of", as_of)
    satisfied_min = check_int("satisfied_min", satisfied_min, lo=1, hi=5)
    unhappy_max = check_int("unhappy_max", unhappy_max, lo=1, hi=5)
    if unhappy_max >= satisfied_min:
        raise ParameterError(f"The 'unhappy_max' parameter must be below satisfied_min={satisfied_min}. "
                             f"Got {unhappy_max!r} instead.")
    gone_days = check_int("gone_days", gone_days, lo=1, none_ok=True)
    check_table(reviews, ["order_id", "review_score"], name="reviews", what="review scores",
                hint="Give one row per review with order_id and review_score (1-5).", numeric_columns=["review_score"])
    if orders is not None:
        check_table(orders, ["order_id"], name="orders", what="one row per order",
                    hint="Give order_id and promised_date, delivered_date or freight_value.")
    if as_of is None:
        as_of = tx["order_date"].max().normalize() + pd.Timedelta(days=1)
    tx = tx[(tx["order_date"] < as_of).to_numpy(dtype=bool, na_value=False)]
    if tx.empty:
        raise InputError(f"No order line of 'tx' falls before as_of={as_of.date()}; choose a later date.")
    ot = _order_table(tx, None)
    r = _review_scores(reviews[["order_id", "review_score"]], ot)
    r = r[r["order_id"].astype(str).isin(ot.index)].copy()
    if r.empty:
        raise InputError("No review in 'reviews' matches an order of 'tx' before as_of; check the order ids.")
    r["order_id"] = r["order_id"].astype(str)
    r["order_date"] = r["order_id"].map(ot["order_date"])
    r["low"] = r["review_score"] <= unhappy_max

    cid = ot["customer_id"].astype(str)
    by = ot.groupby(cid)
    cust = pd.DataFrame({"orders": by.size().astype("int64"), "revenue": by["amount"].sum(),
                         "last": by["order_date"].max()})
    if gone_days is None:
        s = ot.sort_values("order_date")
        gaps = s.groupby(s["customer_id"].astype(str))["order_date"].diff().dropna().dt.total_seconds() / 86400
        gone_days = 365 if len(gaps) < 20 else max(30, int(np.ceil(np.quantile(gaps, 0.9))))
    g = r.groupby("customer_id")
    first_low = r.loc[r["low"]].groupby("customer_id")["order_date"].min()
    c = pd.DataFrame({"mean_score": g["review_score"].mean(), "reviews": g.size().astype("int64")})
    c.index = pd.Index(c.index.astype(str), name="customer_id")
    c = c.join(cust, how="left")
    c["repeat"] = c["orders"] >= 2
    c["recency_days"] = ((as_of - c["last"]).dt.total_seconds() / 86400).to_numpy()
    c["satisfied"] = c["mean_score"] >= satisfied_min
    c["unhappy"] = c["mean_score"] <= unhappy_max
    c["gone"] = c["recency_days"] > gone_days
    fl = first_low.reindex(c.index)
    c["bought_after_low_score"] = (c["last"] > fl).fillna(False).to_numpy(dtype=bool)
    status = np.select(
        [c["unhappy"] & c["bought_after_low_score"], c["unhappy"], c["satisfied"] & c["gone"], c["satisfied"]],
        ["unhappy_staying", "unhappy_gone", "satisfied_gone", "satisfied_loyal"], default="neutral")
    c["status"] = pd.Categorical(status, categories=["satisfied_loyal", "satisfied_gone", "unhappy_staying",
                                                     "unhappy_gone", "neutral"])
    c = c.drop(columns="last")
    band = np.clip(np.rint(c["mean_score"]), 1, 5).astype(int)
    gb = c.groupby(band)
    by_score = pd.DataFrame({"customers": gb.size().astype("int64"), "repeat_rate": gb["repeat"].mean(),
                             "mean_orders": gb["orders"].mean(), "mean_revenue": gb["revenue"].mean(),
                             "gone_rate": gb["gone"].mean()}).reindex(range(1, 6))
    by_score["customers"] = by_score["customers"].fillna(0).astype("int64")
    by_score.index.name = "score"

    rows = {}
    if orders is not None:
        o = orders.copy()
        o["order_id"] = o["order_id"].astype(str)
        o = o.drop_duplicates("order_id").set_index("order_id")
        rr = r.set_index("order_id")
        if {"promised_date", "delivered_date"} <= set(o.columns):
            d = o.reindex(rr.index)
            ok = (d["promised_date"].notna() & d["delivered_date"].notna()).to_numpy()
            late = (d["delivered_date"].dt.normalize() > d["promised_date"].dt.normalize()).to_numpy(dtype=bool)
            rows["late_delivery"] = (ok, late)
        if "freight_value" in o.columns:
            f = o["freight_value"].reindex(rr.index).to_numpy(dtype=float)
            amt = rr.index.map(ot["amount"]).to_numpy(dtype=float)
            share = f / (amt + f)
            ok = np.isfinite(share)
            high = np.zeros(share.size, dtype=bool)
            if ok.sum() >= 8:
                high[ok] = share[ok] > np.quantile(share[ok], 0.75)
                rows["high_freight_share"] = (ok, high)
        low = rr["low"].to_numpy(dtype=bool)
        score = rr["review_score"].to_numpy(dtype=float)
    table = []
    for key, (ok, flag) in rows.items():
        w, wo = ok & flag, ok & ~flag
        rr_, lo_, hi_ = _risk_ratio(float(low[w].sum()), float(w.sum()), float(low[wo].sum()), float(wo.sum()))
        table.append({"driver": key, "name": label(f"satisfaction.driver.{key}", lang),
                      "orders_with": int(w.sum()), "orders_without": int(wo.sum()),
                      "low_rate_with": low[w].mean() if w.any() else np.nan,
                      "low_rate_without": low[wo].mean() if wo.any() else np.nan,
                      "risk_ratio": rr_, "risk_ratio_low": lo_, "risk_ratio_high": hi_,
                      "mean_score_with": score[w].mean() if w.any() else np.nan,
                      "mean_score_without": score[wo].mean() if wo.any() else np.nan})
    drivers = pd.DataFrame(table, columns=["driver", "name", "orders_with", "orders_without", "low_rate_with",
                                           "low_rate_without", "risk_ratio", "risk_ratio_low", "risk_ratio_high",
                                           "mean_score_with", "mean_score_without"]).set_index("driver")
    drivers["score_difference"] = drivers["mean_score_with"] - drivers["mean_score_without"]
    gone_list = c[c["status"] == "satisfied_gone"].sort_values(["revenue"], ascending=False, kind="stable")
    stay_list = c[c["status"] == "unhappy_staying"].sort_values(["revenue"], ascending=False, kind="stable")
    return SatisfactionLoyalty(customers=c, by_score=by_score, drivers=drivers, satisfied_but_gone=gone_list,
                               unhappy_but_staying=stay_list, gone_days=int(gone_days))


def readable(table: pd.DataFrame, area: str, *, lang: str | None = None, digits: int = 2) -> pd.DataFrame:
    """``table`` for a reader: columns renamed by their labels ``<area>.column.<name>``, numbers rounded.

    Shares and rates (columns ending in ``_share`` or ``_rate``, and ``promotion_dependence``)
    are shown as percentages. Columns without a label keep their name. Use it on the few
    columns a reader needs; the full table goes to the CSV artefact.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmmine.customers.loyalty import readable
    >>> list(readable(pd.DataFrame({"orders": [1], "x": [0.123]}), "loyalty").columns)
    ['Orders', 'x']
    """
    names = {c: label(f"{area}.column.{c}", lang) for c in table.columns if f"{area}.column.{c}" in LABELS}
    out = table.copy()
    for c in out.columns:
        if str(c).endswith(("_share", "_rate")) or "_rate_" in str(c) or c == "promotion_dependence":
            x = pd.to_numeric(out[c], errors="coerce")
            out[c] = _pct(x).where(x.notna(), "").to_numpy()
    out = out.rename(columns=names)
    if out.index.name and f"{area}.column.{out.index.name}" in LABELS:
        out.index.name = label(f"{area}.column.{out.index.name}", lang)
    out = out.round(digits)
    return out.astype(object).where(out.notna(), "–")  # a missing value reads as a dash, not NaN


def summarise_loyalty(types: pd.DataFrame, *, truth: pd.Series | None = None, lang: str | None = None) -> str:
    """Sentences for a report: the largest loyalty type, the super-value customers, the thresholds.

    Parameters
    ----------
    types : pandas.DataFrame
        Output of :func:`crmmine.loyalty_types`.
    truth : pandas.Series or None
        Planted type per customer (``ShopData.truth["loyalty_type"]``); adds the share recovered.
    lang : {"en", "zh"} or None
        Language; None: the current one.
    """
    s = loyalty_summary(types)
    top = s["customers"].idxmax()
    text = label("loyalty.finding.types", lang, top=s.loc[top, "name"], share=s.loc[top, "customer_share"],
                 revenue=s.loc[top, "revenue_share"], super=s.loc["super_value", "customer_share"],
                 super_revenue=s.loc["super_value", "revenue_share"])
    comps = label("loyalty.list_join", lang).join(label(f"loyalty.component.{c}", lang)
                                                  for c in types.attrs.get("components", []))
    text += " " + label("loyalty.thresholds", lang, repeat=types.attrs.get("repeat_threshold"),
                        attachment=types.attrs.get("attachment_threshold", float("nan")), components=comps)
    if truth is not None:
        planted = truth.reindex(types.index).astype(str)
        text += " " + label("loyalty.finding.recovery", lang,
                            accuracy=float((planted == types["loyalty_type"].astype(str)).mean()))
    return text


def summarise_resources(ranking: pd.DataFrame, *, fraction: float = 0.2, lang: str | None = None) -> str:
    """One sentence on a ranking by value per resource: what the top customers bring and what they use.

    ``ranking`` is :func:`crmmine.value_ranking` with cost columns or ``rank_by="value_per_resource"``.
    """
    check_table(ranking, ["demand_value", "resources", "value_per_resource"], name="ranking",
                what="crmmine.value_ranking(..., rank_by='value_per_resource')",
                hint="Rank with crmmine.value_ranking(customers, cost_columns=[...], rank_by='value_per_resource').")
    fraction = check_fraction("fraction", fraction, lo_open=True)
    r = ranking.sort_values("value_per_resource", ascending=False, na_position="last", kind="stable")
    k = max(1, int(round(fraction * len(r))))
    dem, res = r["demand_value"].sum(), r["resources"].sum()
    return label("value.finding.per_resource", lang, top=fraction,
                 share=r["demand_value"].iloc[:k].sum() / dem if dem else float("nan"),
                 resources=r["resources"].iloc[:k].sum() / res if res else float("nan"))
