"""A synthetic shop with planted truth: ``make_transactions``.

Purchase timing follows the BG/NBD process of Fader, Hardie & Lee (2005), spend the
Gamma-Gamma model of Fader, Hardie & Lee (2005, "RFM and CLV"), each within behavioural
segments with their own parameters; a few product pairs and triples are planted in
baskets with a known probability. Everything is vectorised (no loop per customer or
line), so a million customers take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..data.schema import STRING_DTYPE

__all__ = ["make_transactions", "SyntheticTruth", "DEFAULT_SEGMENTS", "DEFAULT_ITEMSETS", "BEHAVIOURAL_SEGMENTS"]

_PARAM_NAMES = ("r", "alpha", "a", "b", "p", "q", "v")
# optional timing of a segment, as fractions of the window: when its customers arrive, and
# a window in which each of them stops buying for good (a lapse)
_TIMING_NAMES = ("arrive_from", "arrive_to", "lapse_from", "lapse_to")

#: Default behavioural segments: share of customers and BG/NBD (r, alpha, a, b, time unit
#: days) + Gamma-Gamma (p, q, v) parameters. Within a segment the heterogeneity is low
#: (large r, q), so the segments are well apart in recency/frequency/monetary space.
DEFAULT_SEGMENTS: dict[str, dict[str, float]] = {
    "vip": {"share": 0.15, "r": 8.0, "alpha": 400.0, "a": 2.0, "b": 60.0, "p": 8.0, "q": 20.0, "v": 500.0},
    "regular": {"share": 0.35, "r": 8.0, "alpha": 1200.0, "a": 2.0, "b": 20.0, "p": 8.0, "q": 20.0, "v": 120.0},
    "occasional": {"share": 0.50, "r": 8.0, "alpha": 4000.0, "a": 2.0, "b": 4.0, "p": 8.0, "q": 20.0, "v": 25.0},
}

#: Behavioural segments like a real shop's, differing jointly in recency, frequency and spend:
#: champions (recent, frequent, high order value; 10%), loyal regulars (steady, mid value;
#: 20%), new customers (arrived in the last tenth of the window; 15%), lapsing former good
#: customers (frequent buyers who stop for good between 45% and 70% of the window; 20%) and
#: hibernating low-value occasional buyers (mostly one order, long ago; 35%). Purchase rates
#: and order values vary within each segment (Gamma shapes r = 4-8, q = 20), so neighbouring
#: segments overlap a little, as in a real shop. ``arrive_from/arrive_to`` and
#: ``lapse_from/lapse_to`` are fractions of the window (see :func:`make_transactions`). Use it
#: with ``make_transactions(segments=BEHAVIOURAL_SEGMENTS)``; the default shop keeps
#: :data:`DEFAULT_SEGMENTS` (spend-only groups), on which many pinned results rest.
BEHAVIOURAL_SEGMENTS: dict[str, dict[str, float]] = {
    "champions": {"share": 0.10, "r": 8.0, "alpha": 96.0, "a": 1.0, "b": 1000.0, "p": 6.0, "q": 20.0, "v": 380.0,
                  "arrive_from": 0.0, "arrive_to": 0.6},
    "loyal": {"share": 0.20, "r": 8.0, "alpha": 320.0, "a": 1.0, "b": 1000.0, "p": 6.0, "q": 20.0, "v": 190.0,
              "arrive_from": 0.0, "arrive_to": 0.6},
    "new": {"share": 0.15, "r": 6.0, "alpha": 240.0, "a": 1.0, "b": 20.0, "p": 6.0, "q": 20.0, "v": 160.0,
            "arrive_from": 0.9, "arrive_to": 1.0},
    "lapsing": {"share": 0.20, "r": 8.0, "alpha": 160.0, "a": 1.0, "b": 40.0, "p": 6.0, "q": 20.0, "v": 250.0,
                "arrive_from": 0.0, "arrive_to": 0.35, "lapse_from": 0.45, "lapse_to": 0.7},
    "hibernating": {"share": 0.35, "r": 4.0, "alpha": 4000.0, "a": 2.0, "b": 4.0, "p": 6.0, "q": 20.0, "v": 80.0,
                    "arrive_from": 0.0, "arrive_to": 0.7},
}

#: Default planted itemsets: (product ids, probability that an order contains the whole set).
DEFAULT_ITEMSETS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("P0101", "P0102"), 0.04),
    (("P0201", "P0202"), 0.03),
    (("P0301", "P0302", "P0303"), 0.02),
    (("P0401", "P0402", "P0403"), 0.015),
)


@dataclass(frozen=True)
class SyntheticTruth:
    """What :func:`make_transactions` planted.

    Attributes
    ----------
    params : pandas.DataFrame
        One row per segment (index: segment name), columns ``r, alpha, a, b`` (BG/NBD,
        time unit one day) and ``p, q, v`` (Gamma-Gamma on order value), plus ``share``.
        A single-population shop has one row, ``"all"``. Segments given with timing
        (:data:`BEHAVIOURAL_SEGMENTS`) add the columns ``arrive_from, arrive_to, lapse_from, lapse_to``.
    segments : pandas.Series
        customer_id -> segment name.
    itemsets : pandas.DataFrame
        The planted itemsets: ``items`` (tuple of product ids), ``probability`` (chance
        an order contains them all by planting), and the realised ``support``
        (fraction of orders containing them), ``expected_support`` (support if items were
        independent, from the realised item supports) and ``lift`` = support / expected_support.
    dropout : pandas.Series
        customer_id -> the date the customer became inactive (right after their last
        purchase), or NaT if still active at ``observation_end`` (a lapsed customer of
        :data:`BEHAVIOURAL_SEGMENTS` is inactive from their last purchase before the lapse).
    customers : pandas.DataFrame
        Per customer: ``segment``, ``first_purchase``, the latent ``purchase_rate``
        (lambda, per day), ``dropout_probability`` (p), ``mean_order_value`` (zeta), and
        ``alive`` at the end of the observation.
    observation_start, observation_end : pandas.Timestamp
        The window simulated.
    """

    params: pd.DataFrame
    segments: pd.Series
    itemsets: pd.DataFrame
    dropout: pd.Series
    customers: pd.DataFrame
    observation_start: pd.Timestamp
    observation_end: pd.Timestamp
    random_state: int | None = field(default=None)


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    """``prefix`` + zero-padded 0..n-1, e.g. C0000001 (vectorised)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    digits = pc.utf8_lpad(pa.array(np.arange(n, dtype=np.int64)).cast(pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "").to_numpy(zero_copy_only=False)


def _take(labels: np.ndarray, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``labels[codes]`` as a canonical string array, without a Python string per row."""
    import pyarrow as pa

    taken = pa.array(labels, type=pa.string()).take(pa.array(codes))
    return pd.arrays.ArrowStringArray(taken)


def _check_segments(segments, params) -> pd.DataFrame:
    if params is not None and segments is not None:
        raise ParameterError("Give either 'params' (one population) or 'segments', not both.")
    if params is not None:
        if not isinstance(params, dict):
            raise ParameterError(
                f"The 'params' parameter must be a dict with keys {', '.join(_PARAM_NAMES)}. "
                f"Got {type(params).__name__} instead."
            )
        segments = {"all": {"share": 1.0, **params}}
    if segments is None:
        segments = DEFAULT_SEGMENTS
    if not isinstance(segments, dict) or not segments:
        raise ParameterError(
            "The 'segments' parameter must be a non-empty dict: name -> {share, r, alpha, a, b, p, q, v}. "
            f"Got {segments!r} instead."
        )
    table = pd.DataFrame.from_dict(segments, orient="index")
    if "share" not in table:
        table["share"] = 1.0 / len(table)
    missing = [c for c in _PARAM_NAMES if c not in table]
    if missing:
        raise ParameterError(
            f"The 'segments' parameter lacks the parameter {missing[0]!r} (needs {', '.join(_PARAM_NAMES)})."
        )
    unknown = [c for c in table if c not in ("share", *_PARAM_NAMES, *_TIMING_NAMES)]
    if unknown:
        raise ParameterError(
            f"The 'segments' parameter has an unknown key {unknown[0]!r} (known: share, {', '.join(_PARAM_NAMES)}, "
            f"{', '.join(_TIMING_NAMES)})."
        )
    timing = [c for c in _TIMING_NAMES if c in table]
    values = table[["share", *_PARAM_NAMES]].astype(float)
    bad = values[(values <= 0).any(axis=1) | values.isna().any(axis=1)]
    if len(bad):
        raise ParameterError(
            f"Every segment parameter must be a positive number. Segment {bad.index[0]!r} has "
            f"{bad.iloc[0].to_dict()}."
        )
    if timing:  # fractions of the window; a missing value: arrival over acquisition_days, no lapse
        times = table.reindex(columns=list(_TIMING_NAMES)).astype(float)
        for lo, hi in (("arrive_from", "arrive_to"), ("lapse_from", "lapse_to")):
            given = times[[lo, hi]].notna()
            both = given.all(axis=1)
            wrong = (given.any(axis=1) & ~both) | (both & ~((times[lo] >= 0) & (times[lo] <= times[hi])
                                                            & (times[hi] <= 1)))
            if wrong.any():
                name = wrong.index[wrong.to_numpy()][0]
                raise ParameterError(
                    f"Segment {name!r} must give {lo!r} and {hi!r} together, as fractions of the window with "
                    f"0 <= {lo} <= {hi} <= 1. Got {float(times.loc[name, lo])} and {float(times.loc[name, hi])} instead."
                )
        values = pd.concat([values, times], axis=1)
    table = values
    table["share"] = table["share"] / table["share"].sum()
    table.index.name = "segment"
    return table


def make_transactions(
    n_customers: int = 1000,
    *,
    random_state: int | None = None,
    segments: dict | None = None,
    params: dict | None = None,
    start: str = "2024-01-01",
    acquisition_days: int = 365,
    period_days: int = 730,
    n_products: int = 500,
    mean_basket_size: float = 2.5,
    itemsets=DEFAULT_ITEMSETS,
    n_categories: int = 20,
    countries: tuple[str, ...] = ("United Kingdom", "Germany", "France", "Netherlands", "Spain"),
    return_rate: float = 0.0,
    taste: float = 0.0,
) -> tuple[pd.DataFrame, SyntheticTruth]:
    """Simulate a shop's canonical transaction table with known truth.

    Customers arrive uniformly during the first ``acquisition_days`` of a window of
    ``period_days``. Each belongs to a segment; within it, the BG/NBD story
    (Fader, Hardie & Lee 2005, section 2) holds: while active, a customer buys by a
    Poisson process with rate ``lambda ~ Gamma(r, scale=1/alpha)`` per day; after each
    repeat purchase they become inactive with probability ``p ~ Beta(a, b)``. Each
    order's value is ``z ~ Gamma(p_gg, scale=1/nu)`` with ``nu ~ Gamma(q, scale=1/v)``
    (the Gamma-Gamma model, Fader, Hardie & Lee 2005b, eq. 1-2), so a customer's mean
    order value is ``zeta = p_gg / nu``. An order's value is split over its lines.

    Baskets draw ``1 + Poisson(mean_basket_size - 1)`` products from a Zipf-like
    popularity; each planted itemset is added whole to an order with its probability.

    Parameters
    ----------
    n_customers : int, default=1000
        Number of customers (each makes at least the first purchase).
    random_state : int or None, default=None
        Seed; the same seed and parameters give an identical table.
    segments : dict or None, default=None
        ``name -> {share, r, alpha, a, b, p, q, v}``; ``None`` uses :data:`DEFAULT_SEGMENTS`.
        A segment may also give its timing, as fractions of the window: ``arrive_from`` and
        ``arrive_to`` (its customers' first purchases fall uniformly in that part of the
        window instead of the first ``acquisition_days``) and ``lapse_from`` and ``lapse_to``
        (each customer stops buying for good at a uniform time in that part of the window:
        a lapsed former customer). :data:`BEHAVIOURAL_SEGMENTS` uses both to plant segments that
        differ jointly in recency, frequency and spend.
    params : dict or None, default=None
        ``{r, alpha, a, b, p, q, v}`` for a single homogeneous population (segment
        ``"all"``); use it to test parameter recovery. Exclusive with ``segments``.
    start : str, default="2024-01-01"
        First day of the window.
    acquisition_days, period_days : int, default=365, 730
        Customers arrive during the first ``acquisition_days``; the window lasts
        ``period_days`` days.
    n_products : int, default=500
        Catalogue size (ids ``P0000`` ...).
    mean_basket_size : float, default=2.5
        Mean number of lines of an order before planting.
    itemsets : sequence of (tuple of product ids, probability), default=DEFAULT_ITEMSETS
        Product sets planted together; empty for none.
    n_categories : int, default=20
        Products are spread over this many categories.
    countries : tuple of str
        Customers' countries, the first one most common.
    return_rate : float, default=0.0
        Fraction of order lines later returned (a negative-quantity line in a ``C``
        order within 30 days). Returns do not change the planted purchase truth.
    taste : float, default=0.0
        Personal taste: each customer has a favourite category, and each line is drawn, with
        probability ``taste``, from that category's products (by the same popularity) instead
        of the whole catalogue. 0 (the default) draws every basket from one global popularity,
        where the most popular items are the best possible recommendation; with taste, item
        similarities carry information. The favourite is in ``truth.customers["favourite_category"]``.

    Returns
    -------
    transactions : pandas.DataFrame
        The canonical table (see :mod:`crmmine.data.schema`), sorted by date.
    truth : SyntheticTruth
        The planted parameters, segments, itemsets and dropout dates.

    Examples
    --------
    >>> from crmmine.datasets import make_transactions
    >>> tx, truth = make_transactions(200, random_state=0)
    >>> sorted(truth.params.index)
    ['occasional', 'regular', 'vip']
    >>> tx["customer_id"].nunique()
    200
    """
    if not isinstance(n_customers, (int, np.integer)) or n_customers < 1:
        raise ParameterError(f"The 'n_customers' parameter must be a positive integer. Got {n_customers!r} instead.")
    if not 0 < acquisition_days <= period_days:
        raise ParameterError(
            f"The 'acquisition_days' parameter must be in (0, period_days={period_days}]. Got {acquisition_days!r} instead."
        )
    if mean_basket_size < 1:
        raise ParameterError(f"The 'mean_basket_size' parameter must be at least 1. Got {mean_basket_size!r} instead.")
    if not 0 <= taste <= 1:
        raise ParameterError(f"The 'taste' parameter must be in [0, 1]. Got {taste!r} instead.")
    if not 0 <= return_rate < 1:
        raise ParameterError(f"The 'return_rate' parameter must be in [0, 1). Got {return_rate!r} instead.")
    seg = _check_segments(segments, params)
    rng = np.random.default_rng(random_state)
    n = int(n_customers)
    start_ts = pd.Timestamp(start)
    T_end = float(period_days)

    # --- customers -----------------------------------------------------------------
    seg_idx = rng.choice(len(seg), size=n, p=seg["share"].to_numpy())
    P = {k: seg[k].to_numpy()[seg_idx] for k in _PARAM_NAMES}
    lam = rng.gamma(P["r"], 1.0 / P["alpha"])
    drop_p = rng.beta(P["a"], P["b"])
    nu = rng.gamma(P["q"], 1.0 / P["v"])
    if "arrive_from" in seg:  # segments with their own timing (fractions of the window)
        lo = seg["arrive_from"].fillna(0.0).to_numpy()[seg_idx] * T_end
        hi = seg["arrive_to"].fillna(acquisition_days / T_end).to_numpy()[seg_idx] * T_end
        first = rng.uniform(lo, hi)
    else:
        first = rng.uniform(0.0, float(acquisition_days), size=n)
    T = T_end - first  # time each customer is observed after the first purchase
    lapsed = np.zeros(n, dtype=bool)
    if "lapse_from" in seg:  # a forced lapse: no purchase after a time drawn in the segment's window
        has_lapse = seg["lapse_from"].notna().to_numpy()[seg_idx]
        lapse = rng.uniform(seg["lapse_from"].fillna(1.0).to_numpy()[seg_idx] * T_end,
                            seg["lapse_to"].fillna(1.0).to_numpy()[seg_idx] * T_end)
        lapsed = has_lapse & (lapse < T_end)
        T = np.where(lapsed, np.maximum(lapse - first, 0.0), T)

    # --- repeat purchases (BG/NBD): N ~ Poisson(lam*T) events if never inactive, the
    # customer stops after J ~ Geometric(p) repeat purchases -------------------------
    n_events = rng.poisson(lam * T)
    J = rng.geometric(drop_p)
    x = np.minimum(n_events, J)
    dropped = J <= n_events
    cust_of_repeat = np.repeat(np.arange(n), n_events)
    u = rng.uniform(0.0, 1.0, size=cust_of_repeat.size) * T[cust_of_repeat]
    order = np.lexsort((u, cust_of_repeat))
    u = u[order]
    rank = np.arange(u.size) - np.repeat(np.cumsum(n_events) - n_events, n_events)
    keep = rank < x[cust_of_repeat]
    rep_cust = cust_of_repeat[keep]
    rep_time = first[rep_cust] + u[keep]
    # dropout time = time of the J-th (last) repeat purchase, when within the window
    last_time = np.full(n, np.nan)
    has_rep = x > 0
    ends = np.cumsum(x) - 1
    last_time[has_rep] = rep_time[ends[has_rep]]
    dropout_time = np.where(dropped, last_time, np.nan)
    if lapsed.any():  # a lapsed customer became inactive right after their last purchase
        gone = lapsed & ~dropped
        dropout_time[gone] = np.where(has_rep[gone], last_time[gone], first[gone])
        dropped = dropped | lapsed

    ord_cust = np.concatenate([np.arange(n), rep_cust])
    ord_time = np.concatenate([first, rep_time])
    o = np.lexsort((ord_cust, ord_time))
    ord_cust, ord_time = ord_cust[o], ord_time[o]
    n_orders = ord_cust.size
    # order value from Gamma-Gamma
    ord_value = rng.gamma(P["p"][ord_cust], 1.0 / nu[ord_cust])

    # --- baskets -----------------------------------------------------------------
    pop = 1.0 / np.arange(1, n_products + 1) ** 0.9
    perm = rng.permutation(n_products)
    pop = pop[perm] / pop.sum()
    sizes = 1 + rng.poisson(mean_basket_size - 1.0, size=n_orders)
    line_order = np.repeat(np.arange(n_orders), sizes)
    line_prod = rng.choice(n_products, size=line_order.size, p=pop)
    prod_cat = favourite = None
    if taste > 0:  # personal taste: some lines come from the customer's favourite category
        prod_cat = rng.integers(0, n_categories, size=n_products)
        favourite = rng.integers(0, n_categories, size=n)
        mine = np.flatnonzero(rng.uniform(size=line_order.size) < taste)
        by_cat = np.argsort(prod_cat, kind="stable")
        cum = np.cumsum(pop[by_cat])
        start = np.r_[0.0, cum][np.searchsorted(prod_cat[by_cat], np.arange(n_categories))]
        end = np.r_[0.0, cum][np.searchsorted(prod_cat[by_cat], np.arange(n_categories), side="right")]
        fav = favourite[ord_cust[line_order[mine]]]
        ok = end[fav] > start[fav]  # a category without products keeps the global draw
        target = start[fav] + rng.uniform(size=mine.size) * (end[fav] - start[fav])
        pick = np.minimum(np.searchsorted(cum, target, side="right"), n_products - 1)
        line_prod[mine[ok]] = by_cat[pick[ok]]
    prod_ids = np.array([f"P{i:04d}" for i in range(n_products)], dtype=object)
    prod_pos = {pid: i for i, pid in enumerate(prod_ids)}
    planted_rows = []
    extra_o, extra_p = [], []
    for items, prob in itemsets:
        idx = []
        for it in items:
            if it not in prod_pos:
                raise ParameterError(
                    f"The 'itemsets' parameter names product {it!r}, which is not in the catalogue "
                    f"P0000..P{n_products - 1:04d}; raise n_products or rename it."
                )
            idx.append(prod_pos[it])
        hit = np.flatnonzero(rng.uniform(size=n_orders) < prob)
        extra_o.append(np.repeat(hit, len(idx)))
        extra_p.append(np.tile(np.array(idx), hit.size))
        planted_rows.append((tuple(items), float(prob)))
    if extra_o:
        line_order = np.concatenate([line_order, *extra_o])
        line_prod = np.concatenate([line_prod, *extra_p])
    key = np.sort(line_order.astype(np.int64) * n_products + line_prod)
    key = key[np.r_[True, key[1:] != key[:-1]]]  # distinct (order, product), sorted
    line_order, line_prod = key // n_products, key % n_products
    n_lines_per_order = np.bincount(line_order, minlength=n_orders)

    # split the order value over its lines (Dirichlet(1,...)) into quantity x price
    w = rng.exponential(size=line_order.size)
    w = w / np.bincount(line_order, weights=w, minlength=n_orders)[line_order]
    line_amount = ord_value[line_order] * w
    base_price = np.round(np.exp(rng.normal(1.0, 0.8, size=n_products)), 2) + 0.05
    qty = np.maximum(1.0, np.round(line_amount / base_price[line_prod]))
    unit_price = line_amount / qty
    del n_lines_per_order

    # --- realised itemset supports ---------------------------------------------------
    item_support = np.bincount(line_prod, minlength=n_products) / n_orders
    rows = []
    for items, prob in planted_rows:
        idx = np.array([prod_pos[i] for i in items])
        in_set = np.isin(line_prod, idx)
        counts = np.bincount(line_order[in_set], minlength=n_orders)
        support = float(np.mean(counts == len(idx)))
        expected = float(np.prod(item_support[idx]))
        rows.append({"items": items, "probability": prob, "support": support,
                     "expected_support": expected, "lift": support / expected if expected > 0 else np.nan})
    itemsets_df = pd.DataFrame(rows, columns=["items", "probability", "support", "expected_support", "lift"])

    # --- assemble (strings built once per distinct value, then taken by code) --------
    cust_ids = _ids("C", n, 7)
    categories = np.array([f"Category {i:02d}" for i in range(n_categories)], dtype=object)
    if prod_cat is None:
        prod_cat = rng.integers(0, n_categories, size=n_products)
    cw = 1.0 / np.arange(1, len(countries) + 1) ** 2
    cust_country = rng.choice(len(countries), size=n, p=cw / cw.sum())
    line_cust = ord_cust[line_order]
    # dates: round to the second for a realistic log
    seconds = np.round(ord_time[line_order] * 86400.0).astype("int64")
    dates = start_ts.to_datetime64().astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    tx = pd.DataFrame(
        {
            "customer_id": _take(cust_ids, line_cust),
            "order_id": _take(_ids("O", n_orders, 8), line_order),
            "order_date": dates.astype("datetime64[ns]"),
            "product_id": _take(prod_ids, line_prod),
            "product_name": _take(np.array([f"Product {p}" for p in prod_ids], dtype=object), line_prod),
            "quantity": qty,
            "unit_price": unit_price,
            "amount": qty * unit_price,
            "country": _take(np.array(countries, dtype=object), cust_country[line_cust]),
            "category": _take(categories, prod_cat[line_prod]),
        }
    )
    if return_rate > 0:
        ret = np.flatnonzero(rng.uniform(size=len(tx)) < return_rate)
        delay = pd.to_timedelta(np.round(rng.uniform(1, 30, size=ret.size) * 86400).astype("int64"), unit="s")
        r = tx.iloc[ret].copy()
        r["order_id"] = pd.array(("C" + r["order_id"].astype(str)).to_numpy(), dtype=STRING_DTYPE)
        r["order_date"] = r["order_date"] + delay
        r["quantity"] = -r["quantity"]
        r["amount"] = r["quantity"] * r["unit_price"]
        r = r[r["order_date"] <= start_ts + pd.Timedelta(days=period_days)]
        tx = pd.concat([tx, r], ignore_index=True)
        tx = tx.sort_values(["order_date", "order_id"], kind="stable", ignore_index=True)
    tx["source_line"] = np.arange(1, len(tx) + 1, dtype="int64")

    end_ts = start_ts + pd.Timedelta(days=period_days)
    drop_dates = start_ts + pd.to_timedelta(np.round(np.nan_to_num(dropout_time, nan=0) * 86400).astype("int64"), unit="s")
    drop_series = pd.Series(np.where(np.isnan(dropout_time), pd.NaT, drop_dates), index=cust_ids, name="dropout")
    drop_series = drop_series.astype("datetime64[ns]")
    drop_series.index = pd.Index(drop_series.index, dtype=STRING_DTYPE, name="customer_id")
    seg_names = seg.index.to_numpy()[seg_idx]
    customers = pd.DataFrame(
        {
            "segment": seg_names,
            "first_purchase": np.asarray(start_ts + pd.to_timedelta(np.round(first * 86400).astype("int64"), unit="s"),
                                         dtype="datetime64[ns]"),
            "purchase_rate": lam,
            "dropout_probability": drop_p,
            "mean_order_value": P["p"] / nu,
            "alive": ~dropped,
        },
        index=drop_series.index,
    )
    if favourite is not None:
        customers["favourite_category"] = pd.array(categories[favourite], dtype=STRING_DTYPE)
    truth = SyntheticTruth(
        params=seg.copy(),
        segments=customers["segment"].rename("segment"),
        itemsets=itemsets_df,
        dropout=drop_series,
        customers=customers,
        observation_start=start_ts,
        observation_end=end_ts,
        random_state=random_state,
    )
    return tx, truth
