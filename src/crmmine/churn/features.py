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
    return _features(tx, cutoff, horizon_days, windows, returns, bgnbd)


def _features(tx, cutoff, horizon_days, windows, returns, bgnbd) -> pd.DataFrame:
    """:func:`churn_features` on a pandas table (input checked).

    No line is copied: the purchase lines up to the cutoff are row numbers, the text ids are dictionary-encoded
    over the whole column (int32 codes taken at those rows), every feature is a bincount over integer codes (no
    groupby, no reindex), and each line-length array is freed, or overwritten in place, as soon as it is used
    (benchmarks/README.md, "The pandas path on 10M lines").
    """
    in_hist = (tx["order_date"] <= cutoff).to_numpy()
    buy = tx["quantity"] > 0 if "quantity" in tx.columns else tx["amount"] > 0
    rows = np.flatnonzero(in_hist & buy.fillna(False).to_numpy())
    del buy
    if not rows.size:
        raise InputError(f"No purchase on or before the cutoff {cutoff:%Y-%m-%d}; use a later 'cutoff'.")
    # customer ids factorised once (sorted: code order = index order), kept to those with a purchase line
    cust, ids = _codes_at(tx["customer_id"], rows, sort=True)
    n = len(ids)
    dates = tx["order_date"].to_numpy(dtype="datetime64[ns]").view(np.int64)[rows]
    amount = tx["amount"].to_numpy(dtype=float, na_value=np.nan)[rows]
    ocode = _codes_at(tx["order_id"], rows)[0]
    pcode = _codes_at(tx["product_id"], rows)[0] if "product_id" in tx.columns else ocode
    del rows
    _release_arrow_memory()  # the encoders' transient buffers
    n_products = _distinct_per_customer(cust, pcode, n)
    del pcode
    # orders: one per (customer, order id), dated by its first line, worth the sum of its lines
    o_cust, o_date, o_amount = _orders_of(cust, ocode, dates, amount)
    del ocode
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
    del o_cust, remap

    def per(x):
        return x[sel]

    out = pd.DataFrame(index=pd.Index(ids[sel], name="customer_id"))
    out["recency_days"] = per((cut_ns - last) / _DAY_NS)
    out["frequency"] = per(frequency).astype("int64")
    out["monetary_total"] = per(monetary).astype("float64")
    out["monetary_mean"] = out["monetary_total"] / out["frequency"]
    out["tenure_days"] = per((cut_ns - first) / _DAY_NS)
    del first, last, frequency, monetary
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
    del age, o_amount
    # inter-purchase times between distinct purchase days
    o_day = np.floor_divide(o_date, _DAY_NS)
    del o_date
    d0 = o_day.min()
    dkey = _sorted_unique(oc * np.int64(o_day.max() - d0 + 1) + (o_day - d0))
    span = np.int64(o_day.max() - d0 + 1)
    del oc, o_day
    dc, dd = dkey // span, dkey % span
    del dkey
    same = np.r_[False, dc[1:] == dc[:-1]]
    gap_c, gap = dc[same], np.diff(dd)[same[1:]].astype(float)
    del dc, dd, same
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
    del gap_c, gap
    # returns up to the cutoff
    if returns is None and "quantity" in tx.columns:
        ret = tx.loc[in_hist & (tx["quantity"] < 0).fillna(False).to_numpy(), ["customer_id", "amount"]]
    elif returns is not None:
        ret = returns.loc[(returns["order_date"] <= cutoff).to_numpy()]
    else:
        ret = tx.iloc[:0]
    del in_hist
    rc = _positions_in(out.index, ret["customer_id"]) if len(ret) else np.zeros(0, dtype=np.int64)
    rok = rc >= 0
    out["returns_count"] = np.bincount(rc[rok], minlength=m).astype("int64")
    out["returns_value"] = np.bincount(rc[rok], weights=np.nan_to_num(np.abs(ret["amount"].to_numpy(dtype=float, na_value=np.nan)))[rok],
                                       minlength=m).astype("float64")
    out["return_rate"] = out["returns_value"] / out["monetary_total"].where(out["monetary_total"] > 0)
    out["distinct_products"] = n_products[sel].astype("int64")
    del ret, rc, rok
    if bgnbd:
        lines = [cust, dates, amount]  # handed over: overwritten in place and freed inside
        del cust, dates, amount
        out["p_alive"], out["p_no_purchase"] = _bgnbd_columns(None, cutoff, horizon_days, out.index,
                                                              codes=(ids, lines, sel))
    out.index.name = "customer_id"
    return out


def _release_arrow_memory() -> None:
    """Hand the memory pyarrow freed back to the system (its allocator keeps freed pages for reuse,
    so a process that encoded 10M ids holds their transient buffers long after; microseconds)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _arrow_text(values):
    """The pyarrow chunked array of a pyarrow-backed text column, else None."""
    arr = getattr(values, "_pa_array", None)
    if arr is None or type(values) is not pd.arrays.ArrowStringArray:
        return None
    import pyarrow as pa

    return arr if pa.types.is_large_string(arr.type) or pa.types.is_string(arr.type) else None


def _factorize(col: pd.Series, sort: bool = False):
    """``pandas.factorize(col, sort=sort)`` with int32 codes when they fit.

    A pyarrow text column is dictionary-encoded by pyarrow chunk by chunk into one int32 array (one
    dictionary for all chunks, codes in order of first appearance, as pandas'); sorted, the dictionary is
    ordered by pyarrow's sort (pandas' too) and the codes renumbered through a small rank table. pandas
    would join the chunks and make int64 codes, twice when sorting: 10M ids cost 3-4 line-length arrays.
    """
    arr = _arrow_text(col.array)
    if arr is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        enc = pc.dictionary_encode(arr)
        chunks = [c for c in enc.chunks if len(c)]
        dic = chunks[-1].dictionary if chunks else pa.array([], type=arr.type)
        if all(len(c.dictionary) == len(dic) for c in chunks):  # one dictionary, as pyarrow makes it
            codes = np.empty(len(col), dtype=np.int32)
            at = 0
            for c in chunks:
                idx = c.indices
                codes[at:at + len(c)] = (idx.fill_null(-1) if idx.null_count else idx).to_numpy()
                at += len(c)
            del enc, chunks
            uniques = col.array._from_pyarrow_array(dic)
            if sort and len(dic):
                order = pc.array_sort_indices(dic).to_numpy()
                rank = np.empty(len(dic) + 1, dtype=np.int32)
                rank[order] = np.arange(len(dic), dtype=np.int32)
                rank[-1] = -1  # code -1 (missing) stays -1
                codes = rank[codes]
                uniques = uniques.take(order)
            return codes, uniques
    codes, uniques = pd.factorize(col, sort=sort)
    small = np.int32 if len(uniques) < 2**31 - 1 else np.int64  # int32 codes: half the memory per line
    return codes.astype(small), uniques


def _codes_at(col: pd.Series, rows: np.ndarray, sort: bool = False):
    """``pandas.factorize(col.iloc[rows], sort=sort)`` without copying the column's values at ``rows``.

    The whole column is factorised and its codes taken at ``rows``; the uniques are then cut to the
    codes that occur there, renumbered in the same order, so codes and uniques are those of the subset
    (unsorted: in the whole column's order of first appearance, which the callers do not depend on).
    """
    codes, uniques = _factorize(col, sort=sort)
    sub = codes[rows]
    del codes
    present = np.zeros(len(uniques), dtype=bool)
    present[sub[sub >= 0]] = True
    new = np.empty(len(uniques) + 1, dtype=sub.dtype)
    np.cumsum(present, out=new[:-1])
    new -= 1
    new[-1] = -1  # code -1 (missing) stays -1
    return new[sub], uniques[present]


def _distinct_per_customer(cust: np.ndarray, code: np.ndarray, n: int) -> np.ndarray:
    """Number of distinct ``code`` per customer code (0..n-1), lines with a missing code of either left out."""
    ok = (cust >= 0) & (code >= 0)
    width = np.int64(code.max(initial=-1) + 1)
    key = cust.astype(np.int64) if ok.all() else cust[ok].astype(np.int64)
    key *= width
    key += code if key.size == code.size else code[ok]
    del ok
    key.sort()
    new = np.empty(key.size, dtype=bool)
    new[:1] = True
    np.not_equal(key[1:], key[:-1], out=new[1:])
    key = key[new]
    del new
    key //= max(width, 1)
    return np.bincount(key, minlength=n)


def _orders_of(cust, ocode, dates, amount):
    """Customer code, date (first line's) and amount (sum of its lines, in line order) of each order, an order
    being one (customer, order id); orders sorted by customer code, then order code (as ``np.unique`` of the
    pair key sorts them).

    When every order id belongs to one customer (and no id is missing), the orders are the order codes
    themselves: ranked by (customer, code) over the few million orders instead of sorting the lines' keys.
    """
    k = int(ocode.max(initial=-1)) + 1
    if (cust >= 0).all() and (ocode >= 0).all():
        owner = np.empty(k, dtype=cust.dtype)
        owner[ocode] = cust
        if np.array_equal(owner[ocode], cust):  # one customer per order id
            order = np.argsort(owner, kind="stable")  # by customer, then order code
            rank = np.empty(k, dtype=np.int32 if k < 2**31 - 1 else np.int64)
            rank[order] = np.arange(k)
            inv = rank[ocode]
            del rank
            o_cust = owner[order].astype(np.int64)
            del owner, order
            o_date = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(o_date, inv, dates)
            return o_cust, o_date, np.bincount(inv, weights=amount, minlength=k)
        del owner
    ok = (cust >= 0) & (ocode >= 0)
    okey = cust[ok].astype(np.int64) * np.int64(k) + ocode[ok]
    _, first_pos, inv = np.unique(okey, return_index=True, return_inverse=True)
    del okey
    inv = inv.reshape(-1)
    o_cust = cust[ok][first_pos].astype(np.int64)  # keys sort by customer first
    o_date = np.full(first_pos.size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(o_date, inv, dates[ok])
    return o_cust, o_date, np.bincount(inv, weights=amount[ok], minlength=first_pos.size)


def _positions_in(index: pd.Index, values: pd.Series) -> np.ndarray:
    """``index.get_indexer(values)`` (index unique, without missing values); pyarrow text on both sides is
    looked up by pyarrow, which spares the index its cached hash table of Python strings."""
    a, b = _arrow_text(index.array), _arrow_text(values.array)
    if a is None or b is None:
        return index.get_indexer(values)
    import pyarrow.compute as pc

    pos = pc.index_in(b, value_set=a.combine_chunks() if a.num_chunks != 1 else a.chunk(0))
    return pos.fill_null(-1).to_numpy().astype(np.int64, copy=False)


def _bgnbd_columns(lines, cutoff, horizon_days, index, codes=None):
    """BG/NBD (:class:`crmmine.BetaGeoModel`, time unit days) fitted on the purchase lines up to the cutoff.

    Returns P(alive) and P(no purchase in the next ``horizon_days``), Fader, Hardie & Lee (2005) eq. (6)
    likelihood; see :meth:`crmmine.BetaGeoModel.probability_no_purchase`. Input already validated.

    ``codes`` (from :func:`_features`): ``(ids, [cust, dates, amount], sel)``, the customer ids, the purchase
    lines' customer codes, dates (int64 ns) and amounts, and the codes of ``index``'s customers. The same
    frequency, recency and T as :func:`crmmine.clv_summary` of those lines are computed from their distinct
    (customer, day) keys, made in place in the dates' array (the list is emptied: its arrays are freed here).
    """
    from ..clv import BetaGeoModel, clv_summary

    if codes is None:
        summary = clv_summary(lines, observation_end=cutoff.normalize())
        bg = BetaGeoModel().fit(summary)
        p_alive = bg.probability_alive(summary).reindex(index).to_numpy(dtype="float64")
        p_none = bg.probability_no_purchase(float(horizon_days), summary).reindex(index).to_numpy(dtype="float64")
        return p_alive, p_none
    ids, arrays, sel = codes
    summary, present = _day_summary(ids, arrays, cutoff)
    bg = BetaGeoModel().fit(summary)
    at = np.full(len(ids), -1, dtype=np.int64)
    at[present] = np.arange(present.size)
    at = at[sel]  # each index row's row in the summary (-1: not in it)

    def on_index(values: pd.Series) -> np.ndarray:
        v = values.to_numpy(dtype="float64")
        return np.where(at >= 0, v[np.maximum(at, 0)], np.nan) if v.size else np.full(at.size, np.nan)

    return (on_index(bg.probability_alive(summary)),
            on_index(bg.probability_no_purchase(float(horizon_days), summary)))


def _day_summary(ids, arrays: list, cutoff):
    """(``clv_summary`` of the lines ``arrays = [cust, dates, amount]`` with observation_end the cutoff's day
    and time unit days, its columns ``frequency``, ``recency`` and ``T``; the customer code of each row).

    The same integers and floats as clv_summary (lines without customer or amount dropped, a purchase per
    customer and calendar day), from the sorted distinct (customer, day) keys; ``arrays`` is emptied.
    """
    cust, dates, amount = arrays
    arrays.clear()
    end_day = int(np.datetime64(cutoff.normalize().to_datetime64(), "D").view("int64"))
    day = np.floor_divide(dates, _DAY_NS, out=dates)  # in place: the dates are not needed any more
    del dates
    ok = (cust >= 0) & ~np.isnan(amount)
    del amount
    ok &= day <= end_day
    if not ok.all():
        cust, day = cust[ok], day[ok]
    del ok
    if day.size:
        d0 = int(day.min())
        span = np.int64(int(day.max()) - d0 + 1)
        day -= d0
        key = cust.astype(np.int64)
        del cust
        key *= span
        key += day
        del day
        key.sort()
        new = np.empty(key.size, dtype=bool)
        new[0] = True
        np.not_equal(key[1:], key[:-1], out=new[1:])
        key = key[new]
        del new
        c, d = np.divmod(key, span)
        del key
        d += d0
        starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
        ends = np.r_[starts[1:], c.size] - 1
        present, first, last, n_days = c[starts], d[starts], d[ends], ends - starts + 1
    else:
        present = first = last = n_days = np.zeros(0, dtype=np.int64)
    freq = n_days - 1
    end_day_f = float(end_day)
    summary = pd.DataFrame(
        {
            "frequency": freq.astype(np.int64),
            "recency": (last - first).astype(float) / 1.0,
            "T": (end_day_f - first).astype(float) / 1.0,
        },
        index=pd.Index(ids[present] if len(ids) else ids[:0], name="customer_id"),
    )
    summary.attrs["time_unit"] = "D"
    summary.attrs["observation_end"] = str(np.datetime64(end_day, "D"))
    return summary, present
