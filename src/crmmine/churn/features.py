"""Leakage-free churn features: everything a feature sees has ``order_date <= cutoff``."""

from __future__ import annotations


import pandas as pd

from ..errors import InputError, ParameterError
from ..validation import check_date, check_int

from .labels import _check_tx, _orders, _purchases

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
    tx : pandas.DataFrame
        Canonical transactions. Lines with ``quantity < 0`` count as returns when ``returns`` is None.
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
    _check_tx(tx)
    cutoff = check_date("cutoff", cutoff, none_ok=False)
    horizon_days = check_int("horizon_days", horizon_days, lo=1)
    try:
        windows = tuple(check_int("windows", w, lo=1) for w in windows)
    except TypeError:
        raise ParameterError(f"The 'windows' parameter must be a sequence of positive integers. Got {windows!r} instead.") from None
    if not windows or len(set(windows)) != len(windows):
        raise ParameterError(f"The 'windows' parameter must be a non-empty sequence of distinct positive integers. Got {windows!r} instead.")
    if returns is not None:
        _check_tx(returns, "returns")
    hist = tx.loc[(tx["order_date"] <= cutoff).to_numpy()]
    lines = _purchases(hist)
    if lines.empty:
        raise InputError(f"No purchase on or before the cutoff {cutoff:%Y-%m-%d}; use a later 'cutoff'.")
    orders = _orders(lines)
    day = pd.Timedelta(days=1)
    g = orders.groupby("customer_id", observed=True, sort=True)
    feat = g.agg(first=("order_date", "min"), last=("order_date", "max"), frequency=("order_id", "size"),
                 monetary_total=("amount", "sum"))
    out = pd.DataFrame(index=feat.index)
    out["recency_days"] = (cutoff - feat["last"]) / day
    out["frequency"] = feat["frequency"].astype("int64")
    out["monetary_total"] = feat["monetary_total"].astype("float64")
    out["monetary_mean"] = out["monetary_total"] / out["frequency"]
    out["tenure_days"] = (cutoff - feat["first"]) / day
    for w in windows:
        n_now, s_now = _window_counts(orders, cutoff, 0, w)
        n_prev, s_prev = _window_counts(orders, cutoff, w, 2 * w)
        n_now, s_now = n_now.reindex(out.index, fill_value=0), s_now.reindex(out.index, fill_value=0.0)
        out[f"orders_{w}d"] = n_now.astype("int64")
        out[f"spend_{w}d"] = s_now.astype("float64")
        out[f"orders_trend_{w}d"] = (n_now - n_prev.reindex(out.index, fill_value=0)).astype("int64")
        out[f"spend_trend_{w}d"] = (s_now - s_prev.reindex(out.index, fill_value=0.0)).astype("float64")
    # inter-purchase times between distinct purchase days (orders are sorted by customer, date)
    pdays = orders.assign(d=orders["order_date"].dt.normalize()).drop_duplicates(["customer_id", "d"])
    same = pdays["customer_id"].eq(pdays["customer_id"].shift()).fillna(False).to_numpy()
    gaps = pd.DataFrame({"customer_id": pdays["customer_id"], "gap": pdays["d"].diff() / day}).loc[same]
    gg = gaps.groupby("customer_id", observed=True)["gap"]
    ipt_mean = gg.mean().reindex(out.index)
    out["ipt_mean_days"] = ipt_mean
    out["ipt_std_days"] = gg.std(ddof=0).reindex(out.index)
    mean_safe = ipt_mean.where(ipt_mean > 0)
    out["last_gap_ratio"] = gg.last().reindex(out.index) / mean_safe
    out["recency_ratio"] = out["recency_days"] / mean_safe
    # returns up to the cutoff
    ret = hist.loc[(hist["quantity"] < 0).fillna(False).to_numpy()] if returns is None and "quantity" in hist.columns \
        else (returns.loc[(returns["order_date"] <= cutoff).to_numpy()] if returns is not None else hist.iloc[:0])
    rg = ret.assign(value=ret["amount"].abs()).groupby("customer_id", observed=True)["value"]
    out["returns_count"] = rg.size().reindex(out.index, fill_value=0).astype("int64")
    out["returns_value"] = rg.sum().reindex(out.index, fill_value=0.0).astype("float64")
    out["return_rate"] = out["returns_value"] / out["monetary_total"].where(out["monetary_total"] > 0)
    key = "product_id" if "product_id" in lines.columns else "order_id"
    out["distinct_products"] = lines.groupby("customer_id", observed=True)[key].nunique().reindex(out.index).astype("int64")
    if bgnbd:
        out["p_alive"], out["p_no_purchase"] = _bgnbd_columns(lines, cutoff, horizon_days, out.index)
    out.index.name = "customer_id"
    return out


def _bgnbd_columns(lines, cutoff, horizon_days, index):
    """BG/NBD (:class:`crmmine.BetaGeoModel`, time unit days) fitted on the purchase lines up to the cutoff.

    Returns P(alive) and P(no purchase in the next ``horizon_days``), Fader, Hardie & Lee (2005) eq. (6)
    likelihood; see :meth:`crmmine.BetaGeoModel.probability_no_purchase`. Input already validated.
    """
    from ..clv import BetaGeoModel, clv_summary

    summary = clv_summary(lines, observation_end=cutoff.normalize())
    bg = BetaGeoModel().fit(summary)
    p_alive = bg.probability_alive(summary).reindex(index).to_numpy(dtype="float64")
    p_none = bg.probability_no_purchase(float(horizon_days), summary).reindex(index).to_numpy(dtype="float64")
    return p_alive, p_none
