"""Customer value as CRM courses teach it: historical, predicted and potential value.

:func:`customer_value` decomposes each customer's value; :func:`summarise_value` and
:func:`summarise_calibration_holdout` put it in sentences for a report.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd

from ..errors import ConvergenceError, CrmmineWarning, InputError, ParameterError
from ..validation import check_date, check_int, check_number


from .beta_geo import BetaGeoModel
from .gamma_gamma import GammaGammaModel
from .summary import _purchase_days, _summary_from_days

#: The penalty :func:`customer_value` falls back to when an unpenalised BG/NBD or Gamma-Gamma fit does not converge.
GG_FALLBACK_PENALIZER = 0.001


def _fit_or_penalise(model_class, summary):
    """``model_class().fit(summary)``, or with the small L2 penalty its error recommends when that does not
    converge: the likelihood keeps rising towards the edge of the parameter space (a grocer's steady spend
    for Gamma-Gamma; almost no churn for BG/NBD); a warning says so."""
    try:
        return model_class().fit(summary)
    except ConvergenceError:
        model = model_class(penalizer=GG_FALLBACK_PENALIZER).fit(summary)
        warnings.warn(f"The {model_class.__name__} fit did not converge without a penalty (the data hardly identify "
                      f"its parameters); it was fitted with penalizer={GG_FALLBACK_PENALIZER}.",
                      CrmmineWarning, stacklevel=3)
        return model

__all__ = ['customer_value', 'summarise_value', 'summarise_calibration_holdout']

# --------------------------------------------------------------------------------------
# value decomposition
# --------------------------------------------------------------------------------------
def customer_value(
    tx: pd.DataFrame, *, as_of=None, horizon_days: int = 365, discount_rate: float = 0.10,
    potential_value: pd.Series | None = None, returns: pd.DataFrame | None = None, return_models: bool = False,
):
    """Historical, predicted and potential value of each customer (the CRM value decomposition).

    Customer value in the analytical-CRM texts has three parts: the *historical* value
    already realised, the *current* (predicted) value if the customer keeps behaving as so
    far, and the *potential* value of what else they could buy (cross-selling).
    Here the predicted value is the discounted CLV over ``horizon_days`` from BG/NBD +
    Gamma-Gamma fitted on ``tx`` before ``as_of`` (time unit days).

    Parameters
    ----------
    tx : pandas.DataFrame
        Canonical clean transactions. Only lines dated before ``as_of`` are used.
    as_of : date-like or None, default=None
        The analysis date (midnight); ``None``: the day after the last transaction.
    horizon_days : int, default=365
        Length of the prediction horizon in days.
    discount_rate : float, default=0.10
        Yearly discount rate, in [0, 1).
    potential_value : pandas.Series or None, default=None
        Potential value per customer (index ``customer_id``), e.g. from cross-sell
        recommendations; customers absent from it get 0. ``None``: 0 for everyone.
    returns : pandas.DataFrame or None, default=None
        The cleaning result's ``returns`` (negative ``amount``); when given, returned value
        before ``as_of`` is subtracted from ``historical_value`` (net spend).
    return_models : bool, default=False
        Also return the fitted models: ``(value, bg, gg)``.

    Returns
    -------
    value : pandas.DataFrame
        One row per customer who bought before ``as_of``, index ``customer_id``, columns

        - ``historical_value``: realised spend before ``as_of`` (net of returns if given);
        - ``frequency``, ``recency``, ``T``: the BG/NBD summary in days;
        - ``probability_alive``: BG/NBD P(alive) at ``as_of``;
        - ``expected_purchases``: expected purchase days within the horizon (eq. 10);
        - ``expected_spend``: Gamma-Gamma expected spend per purchase (eq. 5);
        - ``predicted_value``: discounted CLV over the horizon (monthly steps, yearly
          discounting, see :meth:`GammaGammaModel.customer_lifetime_value`);
        - ``potential_value``: as given, 0 where absent;
        - ``total_value`` = ``historical_value + predicted_value + potential_value``
          (realised plus future: what the customer is worth over the relationship).

        ``attrs`` hold ``as_of`` (ISO string), ``horizon_days``, ``discount_rate`` and the
        fitted parameters ``bg_params`` / ``gg_params`` as plain dicts (JSON-safe).
    bg, gg : BetaGeoModel, GammaGammaModel
        Only with ``return_models=True``.

    Notes
    -----
    If the fitted Gamma-Gamma ``q`` is at most 1 the population mean spend is infinite, so
    customers without repeat purchases get NaN ``expected_spend`` and ``predicted_value``
    (with a :class:`~crmmine.errors.CrmmineWarning`). The full Online Retail file gives
    q = 3.5. When an unpenalised fit does not converge because its likelihood keeps rising towards
    the edge of the parameter space (Gamma-Gamma on a grocer's steady spend, BG/NBD on a shop
    with almost no churn), that model is refitted with ``penalizer=0.001``
    (:data:`GG_FALLBACK_PENALIZER`), a :class:`~crmmine.errors.CrmmineWarning` says so and
    ``attrs["bg_penalizer"]`` / ``attrs["gg_penalizer"]`` record it (0.0 otherwise).

    Examples
    --------
    >>> import crmmine
    >>> tx = crmmine.load_clean("sample").transactions
    >>> value = crmmine.customer_value(tx)
    >>> list(value.columns)[:3]
    ['historical_value', 'frequency', 'recency']
    """
    horizon = check_int("horizon_days", horizon_days, lo=1, allow_float=True)
    rate = check_number("discount_rate", discount_rate, lo=0, hi=1, hi_open=True)
    as_of_ts = check_date("as_of", as_of, normalize=True)
    if potential_value is not None and (
        not isinstance(potential_value, pd.Series) or not pd.api.types.is_numeric_dtype(potential_value)
    ):
        raise ParameterError(
            "The 'potential_value' parameter must be None or a numeric pandas Series indexed by customer_id. "
            f"Got {type(potential_value).__name__} instead."
        )
    from ..engine.lazy import is_lazy

    if is_lazy(tx):  # the summary and spend counted in the engine (DuckDB, Spark); the models as below
        from ..engine import aggregate

        summary, hist, as_of_ts = aggregate.value_summary(tx, as_of=as_of_ts, returns=returns)
        summary.attrs["observation_end"] = str(as_of_ts.date())
        bg = _fit_or_penalise(BetaGeoModel, summary)
        gg = _fit_or_penalise(GammaGammaModel, summary)
        return _value_table(summary, hist, bg, gg, as_of_ts, horizon, rate, potential_value, return_models)
    ids, codes, day, amount = _purchase_days(tx)
    if as_of_ts is None:
        if day.size == 0:
            raise InputError("The 'tx' table has no transactions with a customer id, date and amount.")
        as_of_ts = pd.Timestamp(np.datetime64(int(day.max()) + 1, "D"))
    obs_end_day = int(as_of_ts.to_datetime64().astype("datetime64[D]").view("int64"))
    before = day < obs_end_day  # as_of is midnight: lines dated before it
    if not before.any():
        raise ParameterError(f"The 'as_of' parameter leaves no transactions before it. Got {as_of_ts.date()}; "
                             "choose a later date.")
    if not before.all():
        codes, day, amount = codes[before], day[before], amount[before]
    # T is measured up to as_of
    summary = _summary_from_days(ids, codes, day, amount, obs_end_day, "D", 1.0)
    summary.attrs["observation_end"] = str(as_of_ts.date())
    bg = _fit_or_penalise(BetaGeoModel, summary)
    gg = _fit_or_penalise(GammaGammaModel, summary)
    spent = np.bincount(codes, weights=amount, minlength=len(ids))
    hist = pd.Series(spent, index=ids).reindex(summary.index, fill_value=0.0).astype(float)
    if returns is not None:
        ids_r, codes_r, day_r, amount_r = _purchase_days(returns, name="returns")
        keep = day_r < obs_end_day
        ret = pd.Series(np.bincount(codes_r[keep], weights=amount_r[keep], minlength=len(ids_r)), index=ids_r)
        hist = hist - ret.abs().reindex(summary.index, fill_value=0.0).to_numpy()
    return _value_table(summary, hist.to_numpy(), bg, gg, as_of_ts, horizon, rate, potential_value, return_models)


def _value_table(summary, hist, bg, gg, as_of_ts, horizon, rate, potential_value, return_models):
    """The value table from the summary, the realised spend and the fitted models (inputs checked)."""
    out = pd.DataFrame(index=summary.index)
    out["historical_value"] = hist
    out["frequency"] = summary["frequency"]
    out["recency"] = summary["recency"]
    out["T"] = summary["T"]
    out["probability_alive"] = bg.probability_alive(summary)
    out["expected_purchases"] = bg.expected_purchases(float(horizon), summary)
    out["expected_spend"] = gg.expected_spend(summary)
    out["predicted_value"] = gg.customer_lifetime_value(bg, summary, horizon=float(horizon), discount_rate=rate,
                                                        freq_of_discount="year", time_unit="D")
    if potential_value is None:
        out["potential_value"] = 0.0
    else:
        pv = potential_value.groupby(level=0).sum().astype(float)
        pv.index = pv.index.astype(str)
        out["potential_value"] = pv.reindex(out.index.astype(str), fill_value=0.0).fillna(0.0).to_numpy()
    out["total_value"] = out["historical_value"] + out["predicted_value"] + out["potential_value"]
    out.attrs = {
        "as_of": str(as_of_ts.date()),
        "horizon_days": int(horizon),
        "discount_rate": float(rate),
        "bg_params": {k: float(v) for k, v in bg.params_.items()},
        "gg_params": {k: float(v) for k, v in gg.params_.items()},
        "bg_penalizer": float(bg.penalizer),
        "gg_penalizer": float(gg.penalizer),
    }
    if return_models:
        return out, bg, gg
    return out


# --------------------------------------------------------------------------------------
# findings in words (for the reports)
# --------------------------------------------------------------------------------------
def _money(amount: float, currency: str) -> str:
    return f"{currency}{amount:,.0f}"


def summarise_value(
    value: pd.DataFrame, *, top: float = 0.2, currency: str = "", horizon_days: int | None = None,
    discount_rate: float | None = None, lang: str | None = None,
) -> list[str]:
    """Three sentences about a :func:`customer_value` table, computed from it, in ``lang``.

    1. concentration: the share of predicted value held by the top ``top`` of customers;
    2. activity: the share of customers with P(alive) > 0.5 and of one-day buyers;
    3. the split between realised and predicted value.

    Parameters
    ----------
    value : pandas.DataFrame
        From :func:`customer_value`.
    top : float, default=0.2
        Fraction of customers (by predicted value) in the concentration sentence, in (0, 1).
    currency : str, default=""
        Prefix of money amounts, e.g. ``"£"``.
    horizon_days, discount_rate : int and float or None, default=None
        As passed to :func:`customer_value`; ``None`` reads ``value.attrs`` (pandas may drop
        ``attrs`` when the table is merged with others: then pass them).
    lang : {"en", "zh"} or None, default=None
        Language; ``None``: :func:`crmmine.text.labels.get_language`.

    Returns
    -------
    list of str
    """
    from ..text.labels import label

    need = ["historical_value", "frequency", "probability_alive", "predicted_value"]
    if not isinstance(value, pd.DataFrame) or any(c not in value.columns for c in need):
        raise InputError(
            f"The 'value' parameter must be the table of crmmine.customer_value (columns {', '.join(need)})."
        )
    if isinstance(top, bool) or not isinstance(top, numbers.Real) or not 0 < top < 1:
        raise ParameterError(f"The 'top' parameter must be in (0, 1). Got {top!r} instead.")
    if len(value) == 0:
        raise InputError("The 'value' table has no customers.")
    pred = np.sort(value["predicted_value"].to_numpy(dtype=float))[::-1]
    k = max(1, int(round(top * pred.size)))
    total = float(pred.sum())
    share = float(pred[:k].sum()) / total if total > 0 else 0.0
    horizon = horizon_days if horizon_days is not None else value.attrs.get("horizon_days")
    rate = discount_rate if discount_rate is not None else value.attrs.get("discount_rate")
    if horizon is None or rate is None:
        raise ParameterError(
            "The 'horizon_days' and 'discount_rate' parameters are needed when value.attrs does not hold them "
            "(e.g. after a merge). Pass the values given to crmmine.customer_value."
        )
    rate = float(rate)
    return [
        label("clv.finding.concentration", lang, top_pct=100 * top, share_pct=100 * share, horizon=horizon,
              total=_money(total, currency)),
        label("clv.finding.alive", lang, alive_pct=100 * float((value["probability_alive"] > 0.5).mean()),
              one_time_pct=100 * float((value["frequency"] == 0).mean())),
        label("clv.finding.split", lang, historical=_money(float(value["historical_value"].sum()), currency),
              predicted=_money(total, currency), horizon=horizon, rate_pct=100 * rate),
    ]


def summarise_calibration_holdout(bg: BetaGeoModel, cal: pd.DataFrame, *, lang: str | None = None) -> str:
    """One sentence: holdout purchase days, actual vs predicted by ``bg`` (fitted on ``cal``'s calibration part).

    Parameters
    ----------
    bg : BetaGeoModel
        Fitted on the calibration columns of ``cal``.
    cal : pandas.DataFrame
        From :func:`calibration_holdout_summary`.
    lang : {"en", "zh"} or None, default=None

    Returns
    -------
    str
    """
    from ..text.labels import label

    if not isinstance(cal, pd.DataFrame) or "frequency_holdout" not in cal.columns:
        raise InputError("The 'cal' parameter must be the table of crmmine.calibration_holdout_summary.")
    predicted = float(bg.expected_purchases(float(cal["duration_holdout"].iloc[0]), cal).sum())
    actual = float(cal["frequency_holdout"].sum())
    err = 100 * (predicted / actual - 1) if actual > 0 else float("nan")
    return label("clv.finding.holdout", lang, actual=actual, predicted=predicted, error_pct=err)
