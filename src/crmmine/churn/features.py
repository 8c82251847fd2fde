"""Leakage-free churn features: everything a feature sees has ``order_date <= cutoff``."""

from __future__ import annotations


import numpy as np
import pandas as pd

from ..errors import InputError, ParameterError
from ..validation import check_date, check_int

from .labels import _check_tx, _orders

_DAY_NS = 86_400 * 10**9


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an int64 array (a sort beats numpy's hash-based unique on 10M keys)."""
    a = np.sort(a)
    return a[np.r_[True, a[1:] != a[:-1]]] if a.size else a

__all__ = ['churn_features']

# --------------------------------------------------------------------------- features
def _window_counts(orders, cutoff, lo_days, hi_days):
    """Orders and spend per customer in (cutoff - hi_days, cutoff - lo_days]."""
    d = orders["order_date"]
    m = (d > cutoff - pd.Timedelta(days=hi_days)) & (d <= cutoff - pd.Timedelta(days=lo_days))
    g = orders.loc[m].groupby("customer_id", observed=True)["amount"]
    return g.size(), g.sum()


def churn_features(tx, *, cutoff, horizon_days=90, windows=(30, 90, 180), returns=None, bgnbd=True) -> pd.DataFrame:
    """Per-customer features from the history up to the cutoff only (``order_date <= cutoff``).

    Every line after the cutoff is dropped first, so no feature can look past it (a test changes and adds
    transactions after the cutoff and asserts the frame is unchanged).

    Parameters
    ----------
    tx : pandas.DataFrame or crmmine.engine.LazyTransactions
        Canonical transactions. Lines with ``quantity < 0`` count as returns when ``returns`` is None.
        A lazy table (DuckDB, Spark) is aggregated in its engine (the same features; ``returns``
        must then be lazy in the same engine).
    cutoff : date-like
        Last moment of history.
    horizon_days : int, default=90
        Horizon of the BG/NBD probability of no purchase.
    windows : sequence of int, default=(30, 90, 180)
        Recent windows in days.
    returns : pandas.DataFrame or None, default=None
        Return lines (e.g. ``load_clean(...).returns``; amounts negative or positive). None: the
        negative-quantity lines of ``tx``.
    bgnbd : bool, default=True
        Add the BG/NBD columns (model fitted on every customer's history up to the cutoff, time in days).
        They take about a second on 4,000 customers; ``False`` skips them (the baseline "bgnbd" then
        cannot be evaluated).

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (customers with at least one order on or before the cutoff, sorted). Columns:

        - ``recency_days``: days from the last order to the cutoff;
        - ``frequency``: number of orders; ``monetary_total``, ``monetary_mean``: spend and spend per order;
        - ``tenure_days``: days from the first order to the cutoff;
        - for each window ``w``: ``orders_{w}d``, ``spend_{w}d`` (in ``(cutoff - w, cutoff]``) and
          ``orders_trend_{w}d``, ``spend_trend_{w}d`` (last ``w`` days minus the ``w`` days before);
        - ``ipt_mean_days``, ``ipt_std_days``: mean and standard deviation (ddof=0) of the days between
          consecutive distinct purchase days (NaN with one purchase day); ``last_gap_ratio``: the latest
          completed gap over the mean;
          ``recency_ratio``: the current open gap (``recency_days``) over the mean;
        - ``returns_count`` (return lines), ``returns_value`` (absolute value), ``return_rate``
          (``returns_value / monetary_total``);
        - ``distinct_products``;
        - with ``bgnbd``: ``p_alive`` and ``p_no_purchase`` (no purchase in the next ``horizon_days``), from a
          :class:`crmmine.BetaGeoModel` fitted on :func:`crmmine.clv_summary` of the purchases up to the cutoff
          (``observation_end`` = the cutoff's date, time unit days).
    """
    from ..engine.lazy import is_lazy

    lazy = is_lazy(tx)
    if not lazy:
        _check_tx(tx)
    cutoff = check_date("cutoff", cutoff, none_ok=False)
    horizon_days = check_int("horizon_days", horizon_days, lo=1)
    try:
        windows = tuple(check_int("windows", w, lo=1) for w in windows)
    except TypeError:
        raise ParameterError(f"The 'windows' parameter must be a sequence of positive integers. Got {windows!r} instead.") from None
    if not windows or len(set(windows)) != len(windows):
        raise ParameterError(f"The 'windows' parameter must be a non-empty sequence of distinct positive integers. Got {windows!r} instead.")
    if lazy:  # aggregated in its engine (DuckDB, Spark), finished like below
        from ..engine import aggregate

        out = aggregate.churn_features(tx, cutoff=cutoff, windows=windows, returns=returns)
        if bgnbd:  # the same model on the engine's CLV summary of the purchases up to the cutoff
            from ..clv import BetaGeoModel, clv_summary

            summary = clv_summary(aggregate.purchases_until(tx, cutoff), observation_end=cutoff.normalize())
            bg = BetaGeoModel().fit(summary)
            out["p_alive"] = bg.probability_alive(summary).reindex(out.index).to_numpy(dtype="float64")
            out["p_no_purchase"] = bg.probability_no_purchase(float(horizon_days), summary).reindex(
                out.index).to_numpy(dtype="float64")
        return out
    if returns is not None:
        _check_tx(returns, "returns")
    # the purchase lines up to the cutoff as row numbers: the id columns are factorised over the whole
    # table and their codes taken at those rows, so no line (nor its text ids) is ever copied
    in_hist = (tx["order_date"] <= cutoff).to_numpy()
    buy = tx["quantity"] > 0 if "quantity" in tx.columns else tx["amount"] > 0
    rows = np.flatnonzero(in_hist & buy.fillna(False).to_numpy())
    del buy
    if not rows.size:
        raise InputError(f"No purchase on or before the cutoff {cutoff:%Y-%m-%d}; use a later 'cutoff'.")
    # customer ids factorised once (sorted: code order = index order), kept to those with a purchase line;
    # every feature is a bincount / reduceat over those codes: no groupby, no reindex (benchmarks/README.md)
    cust, ids = _codes_at(tx["customer_id"], rows, sort=True)
    n = len(ids)
    dates = tx["order_date"].to_numpy(dtype="datetime64[ns]").view(np.int64)[rows]
    amount = tx["amount"].to_numpy(dtype=float, na_value=np.nan)[rows]
    # orders: one per (customer, order id), dated by its first line, worth the sum of its lines
    ocode = _codes_at(tx["order_id"], rows)[0]
    # distinct products per customer code, first, so that the product codes and the row numbers go
    pcode = _codes_at(tx["product_id"], rows)[0] if "product_id" in tx.columns else ocode
    del rows
    pk = (cust >= 0) & (pcode >= 0)
    pairs = _sorted_unique(cust[pk].astype(np.int64) * np.int64(pcode.max() + 1) + pcode[pk])
    n_products = np.bincount(pairs // np.int64(pcode.max() + 1), minlength=n)
    del pk, pairs, pcode
    ok = (cust >= 0) & (ocode >= 0)
    okey = cust[ok].astype(np.int64) * np.int64(ocode.max() + 1) + ocode[ok]
    del ocode
    _, first_pos, inv = np.unique(okey, return_index=True, return_inverse=True)
    del okey
    inv = inv.reshape(-1)
    o_cust = cust[ok][first_pos].astype(np.int64)  # keys sort by customer first
    o_date = np.full(first_pos.size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(o_date, inv, dates[ok])
    o_amount = np.bincount(inv, weights=amount[ok], minlength=first_pos.size)
    del inv
    has_order = np.bincount(o_cust, minlength=n) > 0
    cut_ns = np.int64(cutoff.value)
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.minimum.at(first, o_cust, o_date)
    np.maximum.at(last, o_cust, o_date)
    frequency = np.bincount(o_cust, minlength=n)
    monetary = np.bincount(o_cust, weights=o_amount, minlength=n)
    sel = np.flatnonzero(has_order)
    remap = np.full(n, -1, dtype=np.int64)
    remap[sel] = np.arange(sel.size)
    m = sel.size
    oc = remap[o_cust]

    def per(x):
        return x[sel]

    out = pd.DataFrame(index=pd.Index(ids[sel], name="customer_id"))
    out["recency_days"] = per((cut_ns - last) / _DAY_NS)
    out["frequency"] = per(frequency).astype("int64")
    out["monetary_total"] = per(monetary).astype("float64")
    out["monetary_mean"] = out["monetary_total"] / out["frequency"]
    out["tenure_days"] = per((cut_ns - first) / _DAY_NS)
    age = cut_ns - o_date  # how long before the cutoff each order was placed (ns, >= 0)
    for w in windows:
        now = age < w * _DAY_NS
        prev = (age >= w * _DAY_NS) & (age < 2 * w * _DAY_NS)
        n_now, n_prev = np.bincount(oc[now], minlength=m), np.bincount(oc[prev], minlength=m)
        s_now = np.bincount(oc[now], weights=o_amount[now], minlength=m)
        s_prev = np.bincount(oc[prev], weights=o_amount[prev], minlength=m)
        out[f"orders_{w}d"] = n_now.astype("int64")
        out[f"spend_{w}d"] = s_now.astype("float64")
        out[f"orders_trend_{w}d"] = (n_now - n_prev).astype("int64")
        out[f"spend_trend_{w}d"] = (s_now - s_prev).astype("float64")
    # inter-purchase times between distinct purchase days
    o_day = np.floor_divide(o_date, _DAY_NS)
    d0 = o_day.min()
    dkey = _sorted_unique(oc * np.int64(o_day.max() - d0 + 1) + (o_day - d0))
    span = np.int64(o_day.max() - d0 + 1)
    dc, dd = dkey // span, dkey % span
    same = np.r_[False, dc[1:] == dc[:-1]]
    gap_c, gap = dc[same], np.diff(dd)[same[1:]].astype(float)
    n_gaps = np.bincount(gap_c, minlength=m)
    with np.errstate(invalid="ignore", divide="ignore"):
        ipt_mean = np.bincount(gap_c, weights=gap, minlength=m) / n_gaps
        ipt_std = np.sqrt(np.bincount(gap_c, weights=(gap - ipt_mean[gap_c]) ** 2, minlength=m) / n_gaps)
        last_gap = np.full(m, np.nan)
        last_gap[gap_c] = gap  # gaps are in time order: the last write is the latest gap
        mean_safe = np.where(ipt_mean > 0, ipt_mean, np.nan)
        out["ipt_mean_days"] = ipt_mean
        out["ipt_std_days"] = ipt_std
        out["last_gap_ratio"] = last_gap / mean_safe
        out["recency_ratio"] = out["recency_days"].to_numpy() / mean_safe
    # returns up to the cutoff
    if returns is None and "quantity" in tx.columns:
        ret = tx.loc[in_hist & (tx["quantity"] < 0).fillna(False).to_numpy(), ["customer_id", "amount"]]
    elif returns is not None:
        ret = returns.loc[(returns["order_date"] <= cutoff).to_numpy()]
    else:
        ret = tx.iloc[:0]
    del in_hist
    rc = out.index.get_indexer(ret["customer_id"]) if len(ret) else np.zeros(0, dtype=np.int64)
    rok = rc >= 0
    out["returns_count"] = np.bincount(rc[rok], minlength=m).astype("int64")
    out["returns_value"] = np.bincount(rc[rok], weights=np.nan_to_num(np.abs(ret["amount"].to_numpy(dtype=float, na_value=np.nan)))[rok],
                                       minlength=m).astype("float64")
    out["return_rate"] = out["returns_value"] / out["monetary_total"].where(out["monetary_total"] > 0)
    out["distinct_products"] = n_products[sel].astype("int64")
    if bgnbd:
        out["p_alive"], out["p_no_purchase"] = _bgnbd_columns(None, cutoff, horizon_days, out.index,
                                                              codes=(ids, cust, dates, amount))
    out.index.name = "customer_id"
    return out


def _codes_at(col: pd.Series, rows: np.ndarray, sort: bool = False):
    """``pandas.factorize(col.iloc[rows], sort=sort)`` without copying the column's values at ``rows``.

    The whole column is factorised and its codes taken at ``rows``; the uniques are then cut to the
    codes that occur there, renumbered in the same order, so codes and uniques are those of the subset
    (unsorted: in the whole column's order of first appearance, which the callers do not depend on).
    """
    codes, uniques = pd.factorize(col, sort=sort)
    small = np.int32 if len(uniques) < 2**31 - 1 else np.int64  # int32 codes: half the memory per line
    sub = codes[rows].astype(small)
    del codes
    valid = sub >= 0
    present = np.zeros(len(uniques), dtype=bool)
    present[sub[valid]] = True
    new = (np.cumsum(present) - 1).astype(small)
    out = np.where(valid, new[np.maximum(sub, 0)], small(-1))
    return out, uniques[present]


def _bgnbd_columns(lines, cutoff, horizon_days, index, codes=None):
    """BG/NBD (:class:`crmmine.BetaGeoModel`, time unit days) fitted on the purchase lines up to the cutoff.

    Returns P(alive) and P(no purchase in the next ``horizon_days``), Fader, Hardie & Lee (2005) eq. (6)
    likelihood; see :meth:`crmmine.BetaGeoModel.probability_no_purchase`. Input already validated.
    """
    from ..clv import BetaGeoModel, clv_summary

    if codes is None:
        summary = clv_summary(lines, observation_end=cutoff.normalize())
    else:  # the customer codes already made by churn_features: the same summary without factorising again
        from ..clv.summary import _summary_from_days

        ids, cust, dates, amount = codes
        ok = (cust >= 0) & ~np.isnan(amount)
        day = np.floor_divide(dates[ok], _DAY_NS)
        end_day = int(np.datetime64(cutoff.normalize().to_datetime64(), "D").view("int64"))
        summary = _summary_from_days(ids, cust[ok].astype(np.int64), day, amount[ok], end_day, "D", 1.0)
    bg = BetaGeoModel().fit(summary)
    p_alive = bg.probability_alive(summary).reindex(index).to_numpy(dtype="float64")
    p_none = bg.probability_no_purchase(float(horizon_days), summary).reindex(index).to_numpy(dtype="float64")
    return p_alive, p_none
