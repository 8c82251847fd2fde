"""Tracking a purchase model over calendar time (Fader & Hardie's tracking plots) and one customer's P(alive).

:func:`tracking_table` gives, week by week over the calibration and holdout periods, the actual and the
expected number of repeat purchase days of the customers who first bought by the calibration end: the
expected cumulative count is ``sum_i E[X(t - f_i)]`` over customers with first purchase day ``f_i``
(the model's E[X(t)] of a new customer, Fader, Hardie & Lee 2005, figure 2 / eq. 9).
:func:`probability_alive_history` recomputes one customer's P(alive) at the end of every day from the
first purchase on (Fader & Hardie's "P(alive) over time" figure).
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from ..errors import InputError, ParameterError
from ..validation import check_date, check_table
from .summary import TIME_UNITS, _day_table, _purchase_days

__all__ = ["tracking_table", "probability_alive_history"]


def _unit_days(model) -> float:
    return TIME_UNITS.get(getattr(model, "time_unit_", None) or "D", 1.0)


def _by_covariates(model, covariates, ids):
    """(model copy without covariates, mask over ids) per distinct covariate row (Pareto/NBD with covariates)."""
    covs = tuple(getattr(model, "covariates_", ()) or ())
    if not covs:
        return [(model, np.ones(len(ids), dtype=bool))]
    if covariates is None:
        raise ParameterError("The model has covariates; pass 'covariates' (a DataFrame indexed by customer_id with "
                             f"the columns {', '.join(covs)}).")
    Z = covariates.reindex(ids)[list(covs)].to_numpy(dtype=float)
    if not np.isfinite(Z).all():
        raise InputError("The 'covariates' table lacks some customers of the calibration cohort.")
    rows, inv = np.unique(Z, axis=0, return_inverse=True)
    out = []
    p = model.params_
    k = len(covs)
    for j, z in enumerate(rows):  # one pass per distinct covariate row (a few groups)
        m = copy.copy(model)
        base = p.iloc[:4].copy()
        gp, gd = p.iloc[4:4 + k].to_numpy(), p.iloc[4 + k:4 + 2 * k].to_numpy()
        base["alpha"] = p["alpha"] * np.exp(-(z @ gp))
        if "beta" in base.index:  # Pareto/NBD: beta_i = beta exp(-gamma_dropout' z)
            base["beta"] = p["beta"] * np.exp(-(z @ gd))
        else:  # BG/NBD: a_i, b_i = a, b times exp(gamma_dropout' z)
            base["a"] = p["a"] * np.exp(z @ gd)
            base["b"] = p["b"] * np.exp(z @ gd)
        m.params_ = base
        m.covariates_ = ()
        out.append((m, np.asarray(inv).ravel() == j))
    return out


def tracking_table(model, tx: pd.DataFrame, *, calibration_end, observation_end=None,
                   covariates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Weekly actual and expected repeat purchase days of the calibration cohort, calibration + holdout.

    Parameters
    ----------
    model : fitted purchase model
        BetaGeoModel, ParetoNBDModel or ModifiedBetaGeoModel fitted on a summary of ``tx`` up to
        ``calibration_end`` (its ``time_unit_`` converts days).
    tx : pandas.DataFrame
        Canonical transactions.
    calibration_end : date-like
        Customers who first bought on or before this day form the cohort.
    observation_end : date-like or None, default=None
        Last day tracked; ``None``: the last transaction day.
    covariates : pandas.DataFrame or None
        Covariates by customer, needed when the model has some.

    Returns
    -------
    pandas.DataFrame
        Index ``week_start`` (7-day weeks from the first purchase day), columns ``actual``, ``expected``
        (repeat purchase days that week), ``actual_cumulative``, ``expected_cumulative``;
        ``attrs["calibration_end"]`` (ISO string).
    """
    model._check_fitted()
    if not hasattr(model, "expected_purchases_new"):
        raise ParameterError(f"The 'model' parameter must be a continuous-time purchase model (BG/NBD, Pareto/NBD, "
                             f"MBG/NBD). Got {type(model).__name__} instead.")
    cal_end = check_date("calibration_end", calibration_end, none_ok=False, normalize=True)
    end = check_date("observation_end", observation_end, normalize=True)
    cal_day = int(cal_end.to_datetime64().astype("datetime64[D]").view("int64"))
    from ..engine.lazy import is_lazy

    if is_lazy(tx):  # first days and daily repeat purchases counted in the engine (DuckDB, Spark)
        from ..engine import aggregate

        counted = aggregate.tracking_counts(tx, cal_day=cal_day, end=end)
        if counted is None:
            raise InputError("The 'tx' table has no dated lines with a customer id.")
        cohort_ids, cohort_first, rep_day, rep_n, end_day = counted
        _check_tracking_end(end_day, cal_day, cal_end, end)
        start = int(cohort_first.min()) if cohort_first.size else cal_day
        n_weeks = (end_day - start) // 7 + 1
        actual = np.bincount((rep_day - start) // 7, weights=rep_n, minlength=n_weeks)[:n_weeks].astype(float)
        return _tracking_frame(model, covariates, cohort_ids, cohort_first, actual, start, n_weeks, end_day, cal_end)
    ids, codes, day, amount = _purchase_days(tx)
    if day.size == 0:
        raise InputError("The 'tx' table has no dated lines with a customer id.")
    end_day = int(end.to_datetime64().astype("datetime64[D]").view("int64")) if end is not None else int(day.max())
    _check_tracking_end(end_day, cal_day, cal_end, end)
    cust, dday, _ = _day_table(codes, day, amount)
    first = np.full(len(ids), np.iinfo(np.int64).max)
    np.minimum.at(first, cust, dday)
    in_cohort = first <= cal_day
    start = int(first[in_cohort].min()) if in_cohort.any() else cal_day
    n_weeks = (end_day - start) // 7 + 1
    # actual: purchase days after each cohort customer's first day
    rep = in_cohort[cust] & (dday > first[cust]) & (dday <= end_day)
    week = (dday[rep] - start) // 7
    actual = np.bincount(week, minlength=n_weeks)[:n_weeks].astype(float)
    return _tracking_frame(model, covariates, ids[in_cohort], first[in_cohort], actual, start, n_weeks, end_day,
                           cal_end)


def _check_tracking_end(end_day: int, cal_day: int, cal_end, end) -> None:
    if end_day <= cal_day:
        raise ParameterError(f"The 'observation_end' parameter must be after calibration_end ({cal_end.date()}). "
                             f"Got {end.date() if end is not None else None} instead.")


def _tracking_frame(model, covariates, cohort_ids, cohort_first, actual, start, n_weeks, end_day, cal_end):
    """The tracking table from the cohort's first purchase days and the weekly actual counts."""
    # expected: sum over customers of E[X(week end - first day)], once per distinct first day
    week_end = np.minimum(start + 7 * np.arange(1, n_weeks + 1) - 1, end_day)  # last day of each week
    cum = np.zeros(n_weeks)
    unit = _unit_days(model)
    for m, mask in _by_covariates(model, covariates, cohort_ids):
        fd, cnt = np.unique(cohort_first[mask], return_counts=True)
        t = np.clip(week_end[None, :] + 1 - fd[:, None] - 1, 0, None) / unit  # days after the first purchase day
        with np.errstate(all="ignore"):
            ex = np.asarray(m.expected_purchases_new(t.ravel()), dtype=float).reshape(t.shape)
        cum += (ex * cnt[:, None]).sum(axis=0)
    out = pd.DataFrame({"actual": actual, "expected": np.diff(np.r_[0.0, cum])},
                       index=pd.Index(pd.to_datetime(start + 7 * np.arange(n_weeks), unit="D"), name="week_start"))
    out["actual_cumulative"] = out["actual"].cumsum()
    out["expected_cumulative"] = cum
    out.attrs["calibration_end"] = str(cal_end.date())
    return out


def probability_alive_history(model, tx: pd.DataFrame, customer_id, *, observation_end=None,
                              covariates: pd.DataFrame | None = None) -> pd.DataFrame:
    """One customer's P(alive) at the end of each day, from their first purchase to ``observation_end``.

    Parameters
    ----------
    model : fitted purchase model (days or the unit in ``model.time_unit_``)
    tx : pandas.DataFrame
        Canonical transactions.
    customer_id : str
    observation_end : date-like or None, default=None
        Last day; ``None``: the last transaction day in ``tx``.
    covariates : pandas.DataFrame or None
        The customer's covariates when the model has some.

    Returns
    -------
    pandas.DataFrame
        Index ``date``; columns ``frequency``, ``recency``, ``T`` (model units), ``purchase`` (bool: a
        purchase that day), ``probability_alive``; ``attrs["customer_id"]``.
    """
    check_table(tx, ["customer_id", "order_date"], name="tx", datetime_columns=["order_date"])
    end = check_date("observation_end", observation_end, normalize=True)
    mine = tx[tx["customer_id"].astype(str) == str(customer_id)]
    if mine.empty:
        raise InputError(f"The 'tx' table has no purchase of customer {customer_id!r}.")
    days = np.unique(mine["order_date"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").view("int64"))
    end_day = (int(end.to_datetime64().astype("datetime64[D]").view("int64")) if end is not None
               else int(tx["order_date"].max().to_datetime64().astype("datetime64[D]").view("int64")))
    days = days[days <= end_day]
    if days.size == 0:
        raise InputError(f"Customer {customer_id!r} has no purchase up to observation_end.")
    grid = np.arange(days[0], end_day + 1)
    n_by = np.searchsorted(days, grid, side="right")  # purchase days up to each day
    last = days[n_by - 1]
    unit = _unit_days(model)
    summary = pd.DataFrame({"frequency": (n_by - 1).astype(np.int64), "recency": (last - days[0]) / unit,
                            "T": (grid - days[0]) / unit}, index=pd.Index(pd.to_datetime(grid, unit="D"), name="date"))
    covs = tuple(getattr(model, "covariates_", ()) or ())
    if covs:
        if covariates is None or customer_id not in covariates.index:
            raise ParameterError(f"The model has covariates; pass 'covariates' with a row for {customer_id!r}.")
        for c in covs:
            summary[c] = float(covariates.loc[customer_id, c])
    summary["purchase"] = np.isin(grid, days)
    with np.errstate(all="ignore"):
        summary["probability_alive"] = model.probability_alive(summary).to_numpy()
    summary.attrs["customer_id"] = str(customer_id)
    return summary
