"""Customer lifetime value: the BG/NBD and Gamma-Gamma models, and the value decomposition.

- :func:`clv_summary` and :func:`calibration_holdout_summary` turn clean transactions into
  the per-customer frequency / recency / T / monetary value the models need;
- :class:`BetaGeoModel` (BG/NBD, Fader, Hardie & Lee 2005a) predicts purchases and the
  probability a customer is still active; :class:`GammaGammaModel` (Fader, Hardie & Lee
  2005b) predicts spend per purchase and, with a BG/NBD model, discounted CLV;
- :func:`customer_value` is the decomposition taught in CRM courses: historical value
  (realised), predicted value (discounted CLV over a horizon) and potential value
  (from cross-selling).

Both models are fitted by maximum likelihood with scipy's L-BFGS-B on log-parameters
with analytic gradients; customers are grouped by distinct ``(x, t_x, T)`` so a million
customers fit in about a second. They reproduce the published CDNOW estimates.

References
----------
.. [1] P. S. Fader, B. G. S. Hardie, K. L. Lee (2005a), "'Counting Your Customers' the
   Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284.
.. [2] P. S. Fader, B. G. S. Hardie, K. L. Lee (2005b), "RFM and CLV: Using Iso-Value
   Curves for Customer Base Analysis", Journal of Marketing Research 42(4), 415-430.
.. [3] P. S. Fader, B. G. S. Hardie, K. L. Lee (2008), "Computing P(alive) Using the
   BG/NBD Model", http://brucehardie.com/notes/021/.
.. [4] P. S. Fader, B. G. S. Hardie (2013), "The Gamma-Gamma Model of Monetary Value",
   http://brucehardie.com/notes/025/.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import hyp2f1

from . import _clv_kernels as K
from .errors import (
    ConvergenceError,
    CrmmineWarning,
    InputError,
    MissingColumnError,
    NotFittedError,
    ParameterError,
)
from .parameters import check_date

__all__ = [
    "TIME_UNITS",
    "clv_summary",
    "calibration_holdout_summary",
    "BetaGeoModel",
    "GammaGammaModel",
    "customer_value",
    "summarise_value",
    "summarise_calibration_holdout",
]

#: Length of each time unit in days. A month is 365.25 / 12 = 30.4375 days.
TIME_UNITS: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 30.4375}
#: Length of each discounting period in days (a year is 365.25 days).
DISCOUNT_PERIODS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 30.4375, "year": 365.25}

#: |log-parameter| (internal units) beyond which an estimate is reported as at the edge.
_EDGE = 12.0


# --------------------------------------------------------------------------------------
# summaries
# --------------------------------------------------------------------------------------
def _check_time_unit(time_unit) -> float:
    if time_unit not in TIME_UNITS:
        raise ParameterError(
            f"The 'time_unit' parameter must be one of {', '.join(map(repr, TIME_UNITS))} (days, weeks, "
            f"months of 30.4375 days). Got {time_unit!r} instead."
        )
    return TIME_UNITS[time_unit]


def _purchase_days(tx: pd.DataFrame, name: str = "tx"):
    """Check ``tx`` once and extract the usable lines as arrays.

    Returns ``(ids, codes, day, amount)``: ``ids`` the sorted distinct customer ids,
    ``codes`` each line's position in ``ids``, ``day`` its calendar day as int64 days since
    the epoch, ``amount`` its amount. Lines without customer id, date or amount are dropped.
    """
    if not isinstance(tx, pd.DataFrame):
        raise MissingColumnError(
            f"The '{name}' parameter must be a pandas DataFrame of canonical transactions. "
            f"Got {type(tx).__name__} instead; read a file with crmmine.read_transactions(path)."
        )
    for col in ("customer_id", "order_date", "amount"):
        if col not in tx.columns:
            raise MissingColumnError(
                f"The '{name}' table has no column {col!r} (columns found: {', '.join(map(str, tx.columns))}). "
                "Pass canonical transactions, e.g. crmmine.load_clean(path).transactions."
            )
    if not pd.api.types.is_datetime64_any_dtype(tx["order_date"]):
        raise MissingColumnError(
            f"The '{name}' table's 'order_date' column must hold datetimes. Got dtype {tx['order_date'].dtype} "
            "instead; read the file with crmmine.read_transactions."
        )
    if not pd.api.types.is_numeric_dtype(tx["amount"]):
        raise InputError(f"The '{name}' table's 'amount' column must be numeric. Got dtype {tx['amount'].dtype}.")
    codes, ids = pd.factorize(tx["customer_id"], sort=True)
    dates = tx["order_date"]
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert(None)
    day = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").view("int64")
    ok = (codes >= 0) & (dates.notna().to_numpy())
    amount = tx["amount"].to_numpy(dtype=float, na_value=np.nan)
    ok &= ~np.isnan(amount)
    if not ok.all():
        codes, day, amount = codes[ok], day[ok], amount[ok]
    return ids, codes.astype(np.int64), day, amount


def _day_table(codes, day, amount):
    """Collapse lines to one row per (customer, day): (cust, day, spend), sorted by customer then day.

    The key ``customer * span + day`` is sorted by a two-pass LSD radix sort on 16-bit
    digits (numpy's stable sort of uint16 is a counting sort, linear time); keys wider
    than 32 bits fall back to a stable comparison sort of the high part.
    """
    if codes.size == 0:
        return codes, day, amount
    d0 = day.min()
    span = int(day.max() - d0) + 1
    key = codes * span + (day - d0)
    o1 = np.argsort((key & 0xFFFF).astype(np.uint16), kind="stable")
    k1 = key[o1]
    hi = k1 >> 16
    o2 = np.argsort(hi.astype(np.uint16) if hi.max() < 65536 else hi, kind="stable")
    order = o1[o2]
    ks = k1[o2]
    new = np.empty(ks.size, dtype=bool)
    new[0] = True
    np.not_equal(ks[1:], ks[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    spend = np.add.reduceat(amount[order], starts)
    ukey = ks[starts]
    return ukey // span, ukey % span + d0, spend


def _per_customer(cust, day, spend):
    """Code, first day, last day, number of purchase days, first-day spend and total spend per customer."""
    if cust.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty, np.zeros(0), np.zeros(0)
    starts = np.flatnonzero(np.r_[True, cust[1:] != cust[:-1]])
    ends = np.r_[starts[1:], cust.size] - 1
    n_days = ends - starts + 1
    return cust[starts], day[starts], day[ends], n_days, spend[starts], np.add.reduceat(spend, starts)


def clv_summary(tx: pd.DataFrame, *, observation_end=None, time_unit: str = "D") -> pd.DataFrame:
    """Per-customer frequency, recency, T and monetary value, the inputs of BG/NBD and Gamma-Gamma.

    Purchases are counted by calendar day: all lines of a customer on one day (however
    many orders) make one purchase, whose spend is the sum of their ``amount``. This is
    the convention of Fader, Hardie & Lee (2005a) and of the published CDNOW results.

    Parameters
    ----------
    tx : pandas.DataFrame
        Canonical clean transactions (``crmmine.load_clean(...).transactions``); uses
        ``customer_id``, ``order_date`` and ``amount``. Lines without a customer id, date
        or amount are ignored.
    observation_end : date-like or None, default=None
        The last day of the observation period (only its date counts). Lines dated after
        that day are ignored; ``T`` is measured up to it. ``None``: the day after the
        last transaction, so every line counts and the last purchase day has ``T >= 1`` day.
    time_unit : {"D", "W", "M"}, default="D"
        Unit of ``recency`` and ``T``: days, weeks (7 days) or months (30.4375 days).

    Returns
    -------
    pandas.DataFrame
        One row per customer with at least one purchase up to ``observation_end``,
        index ``customer_id`` (sorted), columns:

        - ``frequency`` (int64): repeat purchase days = distinct purchase days - 1;
        - ``recency`` (float64): from the first to the last purchase day;
        - ``T`` (float64): from the first purchase day to ``observation_end``;
        - ``monetary_value`` (float64): mean spend per repeat purchase day (the first
          purchase excluded, as in Fader, Hardie & Lee 2005b); 0 when ``frequency == 0``.

        ``attrs["time_unit"]`` holds ``time_unit`` and ``attrs["observation_end"]`` the
        ISO date string (plain strings, so the table writes to Parquet).

    Raises
    ------
    ParameterError
        ``time_unit`` or ``observation_end`` is invalid.
    MissingColumnError
        ``tx`` lacks ``customer_id``, ``order_date`` or ``amount``.

    See Also
    --------
    calibration_holdout_summary : the same, split at a calibration date.
    BetaGeoModel, GammaGammaModel : the models that take this table.

    Examples
    --------
    >>> import pandas as pd, crmmine
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...                    "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-08", "2024-01-03"]),
    ...                    "amount": [10.0, 5.0, 20.0, 7.0]})
    >>> crmmine.clv_summary(tx, observation_end="2024-01-11")  # doctest: +NORMALIZE_WHITESPACE
                 frequency  recency     T  monetary_value
    customer_id
    a                    1      7.0  10.0            20.0
    b                    0      0.0   8.0             0.0
    """
    unit = _check_time_unit(time_unit)
    end = check_date("observation_end", observation_end, normalize=True)
    ids, codes, day, amount = _purchase_days(tx)
    if end is None:
        end_day = int(day.max()) + 1 if day.size else None
    else:
        end_day = int(end.to_datetime64().astype("datetime64[D]").view("int64"))
    return _summary_from_days(ids, codes, day, amount, end_day, time_unit, unit)


def _summary_from_days(ids, codes, day, amount, end_day, time_unit, unit):
    """clv_summary on already extracted arrays (lines with day > end_day are dropped)."""
    if end_day is not None:
        keep = day <= end_day
        if not keep.all():
            codes, day, amount = codes[keep], day[keep], amount[keep]
    cust, dday, spend = _day_table(codes, day, amount)
    present, first, last, n_days, first_spend, total = _per_customer(cust, dday, spend)
    freq = n_days - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(freq > 0, (total - first_spend) / np.maximum(freq, 1), 0.0)
    end_day_f = float(end_day) if end_day is not None else 0.0
    out = pd.DataFrame(
        {
            "frequency": freq.astype(np.int64),
            "recency": (last - first).astype(float) / unit,
            "T": (end_day_f - first).astype(float) / unit,
            "monetary_value": monetary.astype(float),
        },
        index=pd.Index(ids[present] if len(ids) else ids[:0], name="customer_id"),
    )
    out.attrs["time_unit"] = time_unit
    out.attrs["observation_end"] = (
        str(np.datetime64(end_day, "D")) if end_day is not None else None
    )
    return out


def calibration_holdout_summary(
    tx: pd.DataFrame, *, calibration_end, observation_end=None, time_unit: str = "D"
) -> pd.DataFrame:
    """Split the summary at ``calibration_end``: fit on the calibration period, score on the holdout.

    Parameters
    ----------
    tx : pandas.DataFrame
        Canonical clean transactions (see :func:`clv_summary`).
    calibration_end : date-like
        Last day of the calibration period (lines on that day belong to it).
    observation_end : date-like or None, default=None
        Last day of the holdout period; ``None``: the day after the last transaction.
        Lines after it are ignored.
    time_unit : {"D", "W", "M"}, default="D"
        Unit of the time columns.

    Returns
    -------
    pandas.DataFrame
        One row per customer whose first purchase is on or before ``calibration_end``
        (customers who first bought later are excluded: the models cannot score them),
        index ``customer_id``, columns ``frequency_cal``, ``recency_cal``, ``T_cal``,
        ``monetary_value_cal`` (as in :func:`clv_summary` up to ``calibration_end``),
        ``frequency_holdout`` (purchase days in the holdout; all are repeat purchases),
        ``monetary_value_holdout`` (mean spend per holdout purchase day, 0 when none) and
        ``duration_holdout`` (``observation_end - calibration_end``, the same for all).
        ``attrs`` hold ``time_unit``, ``calibration_end`` and ``observation_end`` (ISO strings).

    Raises
    ------
    ParameterError
        ``calibration_end`` is missing or not before ``observation_end``.

    Examples
    --------
    >>> import pandas as pd, crmmine
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...                    "order_date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-20", "2024-01-15"]),
    ...                    "amount": [10.0, 5.0, 20.0, 7.0]})
    >>> cal = crmmine.calibration_holdout_summary(tx, calibration_end="2024-01-10", observation_end="2024-01-31")
    >>> cal[["frequency_cal", "T_cal", "frequency_holdout", "duration_holdout"]]  # doctest: +NORMALIZE_WHITESPACE
                 frequency_cal  T_cal  frequency_holdout  duration_holdout
    customer_id
    a                        1    9.0                  1              21.0
    """
    unit = _check_time_unit(time_unit)
    cal_end = check_date("calibration_end", calibration_end, none_ok=False, normalize=True)
    end = check_date("observation_end", observation_end, normalize=True)
    ids, codes, day, amount = _purchase_days(tx)
    cal_day = int(cal_end.to_datetime64().astype("datetime64[D]").view("int64"))
    if end is None:
        end_day = int(day.max()) + 1 if day.size else cal_day + 1
    else:
        end_day = int(end.to_datetime64().astype("datetime64[D]").view("int64"))
    if end_day <= cal_day:
        raise ParameterError(
            f"The 'calibration_end' parameter must be before observation_end ({np.datetime64(end_day, 'D')}). "
            f"Got {cal_end.date()} instead; choose an earlier calibration end."
        )
    keep = day <= end_day
    codes, day, amount = codes[keep], day[keep], amount[keep]
    cust, dday, spend = _day_table(codes, day, amount)
    in_cal = dday <= cal_day
    # calibration part
    c_cust, c_day, c_spend = cust[in_cal], dday[in_cal], spend[in_cal]
    present, first, last, n_days, first_spend, total = _per_customer(c_cust, c_day, c_spend)
    freq = n_days - 1
    monetary = np.where(freq > 0, (total - first_spend) / np.maximum(freq, 1), 0.0)
    # holdout part, for customers present in the calibration period
    h_cust, h_spend = cust[~in_cal], spend[~in_cal]
    n_ids = len(ids)
    h_n = np.bincount(h_cust, minlength=n_ids)[present]
    h_sum = np.bincount(h_cust, weights=h_spend, minlength=n_ids)[present]
    out = pd.DataFrame(
        {
            "frequency_cal": freq.astype(np.int64),
            "recency_cal": (last - first).astype(float) / unit,
            "T_cal": (cal_day - first).astype(float) / unit,
            "monetary_value_cal": monetary.astype(float),
            "frequency_holdout": h_n.astype(np.int64),
            "monetary_value_holdout": np.where(h_n > 0, h_sum / np.maximum(h_n, 1), 0.0),
            "duration_holdout": np.full(present.size, (end_day - cal_day) / unit),
        },
        index=pd.Index(ids[present] if len(ids) else ids[:0], name="customer_id"),
    )
    out.attrs["time_unit"] = time_unit
    out.attrs["calibration_end"] = str(np.datetime64(cal_day, "D"))
    out.attrs["observation_end"] = str(np.datetime64(end_day, "D"))
    return out


# --------------------------------------------------------------------------------------
# validation of summaries
# --------------------------------------------------------------------------------------
def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _first_bad(summary, mask, cols):
    i = int(np.flatnonzero(mask)[0])
    vals = ", ".join(f"{c}={_plain(summary[c].iloc[i])!r}" for c in cols)
    return f"First bad customer: {summary.index[i]!r} ({vals})."


def _summary_arrays(summary, *, name="summary", need=("frequency", "recency", "T"), cols=None):
    """Check a summary table once and return its columns as float arrays."""
    if not isinstance(summary, pd.DataFrame):
        raise InputError(
            f"The '{name}' parameter must be a pandas DataFrame from crmmine.clv_summary. "
            f"Got {type(summary).__name__} instead."
        )
    if cols is None:
        # a calibration/holdout table is read through its calibration columns (frequency_cal, ...)
        cols = {c: c if c in summary.columns or f"{c}_cal" not in summary.columns else f"{c}_cal" for c in need}
    for role, col in cols.items():
        if col not in summary.columns:
            raise MissingColumnError(
                f"The '{name}' table has no column {col!r} (columns found: {', '.join(map(str, summary.columns))}). "
                "Make it with crmmine.clv_summary(transactions)."
            )
    out = {}
    for role, col in cols.items():
        s = summary[col]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            raise InputError(f"The '{name}' table's {col!r} column must be numeric. Got dtype {s.dtype} instead.")
        a = s.to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(a)
        if bad.any():
            raise InputError(f"The '{name}' table's {col!r} column has missing or infinite values. "
                             + _first_bad(summary, bad, [col]))
        bad = a < 0
        if bad.any():
            raise InputError(f"The '{name}' table's {col!r} column must not be negative. "
                             + _first_bad(summary, bad, [col]))
        out[role] = a
    if "frequency" in out:
        x = out["frequency"]
        bad = x != np.round(x)
        if bad.any():
            raise InputError(f"The '{name}' table's {cols['frequency']!r} column must hold whole numbers "
                             "(repeat purchase days). " + _first_bad(summary, bad, [cols["frequency"]]))
    if "recency" in out and "T" in out:
        bad = out["recency"] > out["T"] * (1 + 1e-12)
        if bad.any():
            raise InputError(
                f"Some values in {cols['recency']!r} are larger than {cols['T']!r} in the '{name}' table. "
                + _first_bad(summary, bad, [cols["recency"], cols["T"]])
                + " Make both with one observation_end, e.g. with crmmine.clv_summary."
            )
        if "frequency" in out:
            bad = (out["frequency"] == 0) & (out["recency"] > 0)
            if bad.any():
                raise InputError(
                    f"Customers with {cols['frequency']!r} 0 must have {cols['recency']!r} 0 in the '{name}' table. "
                    + _first_bad(summary, bad, [cols["frequency"], cols["recency"]])
                )
    return out


def _check_penalizer(value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (value >= 0) or not math.isfinite(value):
        raise ParameterError(f"The 'penalizer' parameter must be a number >= 0. Got {value!r} instead.")
    return float(value)


def _check_max_iter(value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ParameterError(f"The 'max_iter' parameter must be an integer >= 1. Got {value!r} instead.")
    return int(value)


def _check_horizon(name, t):
    arr = np.asarray(t, dtype=float) if not isinstance(t, (str, bytes)) else np.array(np.nan)
    if arr.ndim > 1 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ParameterError(
            f"The '{name}' parameter must be a number >= 0 (or a 1-d array of them). Got {t!r} instead."
        )
    return arr


class _Model:
    """Shared plumbing: parameter access, repr, fitted check."""

    _param_names: tuple[str, ...] = ()

    def get_params(self, deep: bool = True) -> dict:
        """The constructor parameters (scikit-learn convention)."""
        return {k: getattr(self, k) for k in self._init_names}

    def set_params(self, **params):
        """Set constructor parameters (scikit-learn convention); returns self."""
        for k, v in params.items():
            if k not in self._init_names:
                raise ParameterError(
                    f"{type(self).__name__} has no parameter {k!r}. Valid: {', '.join(self._init_names)}."
                )
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._init_names)
        return f"{type(self).__name__}({args})"

    def _check_fitted(self):
        if not hasattr(self, "params_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with a summary from "
                "crmmine.clv_summary before using it."
            )

    def _minimize(self, fun, x0s, args, bounds):
        best = None
        for x0 in x0s:
            with np.errstate(all="ignore"):  # extreme trial points; the result is checked below
                res = minimize(fun, x0, args=args, jac=True, method="L-BFGS-B", bounds=bounds,
                               options={"maxiter": self.max_iter, "ftol": 1e-14, "gtol": 1e-9, "maxcor": 20})
            if np.all(np.isfinite(res.x)) and np.isfinite(res.fun) and (best is None or res.fun < best.fun - 1e-12):
                best = res
            if best is not None and best.success and np.max(np.abs(best.jac)) < 1e-4:
                break
        ok = best is not None and np.isfinite(best.fun) and (best.success or np.max(np.abs(best.jac)) < 1e-4)
        if not ok:
            msg = best.message if best is not None else "the likelihood was not finite"
            raise ConvergenceError(
                f"{type(self).__name__} did not converge ({msg}). Try a small 'penalizer' (e.g. 0.001), a larger "
                "'max_iter', or check the summary (time unit, customers' values)."
            )
        edge = (np.abs(best.x) > _EDGE) & ~self._benign_edge(best.x)
        if edge.any():
            names = [n for n, e in zip(self._param_names, edge) if e]
            values = ", ".join(f"{n}={v:.3g}" for n, v in zip(self._param_names, np.exp(best.x)) if n in names)
            warnings.warn(
                f"{type(self).__name__}: the estimate of {', '.join(map(repr, names))} ran to the edge of the "
                f"parameter space ({values}"
                " in internal units): the data hardly identify it (e.g. almost no repeat purchases, or all customers "
                "alike) and predictions may be unreliable. Check the time unit and observation period, or try a small "
                "'penalizer' (e.g. 0.001).",
                CrmmineWarning, stacklevel=3,
            )
        return best

    def _benign_edge(self, logp):
        """Edges that are a meaningful answer, not a failure (none by default)."""
        return np.zeros(len(logp), dtype=bool)

    def _standard_errors(self, grad, theta):
        with np.errstate(all="ignore"):
            H = K.hessian_from_grad(grad, theta)
        try:
            cov = np.linalg.inv(-H)
            se = np.sqrt(np.where(np.diag(cov) > 0, np.diag(cov), np.nan))
        except np.linalg.LinAlgError:
            se = np.full(theta.size, np.nan)
        return pd.Series(se, index=list(self._param_names), name="standard_error")


# --------------------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------------------
class BetaGeoModel(_Model):
    """The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005a).

    While active, a customer buys by a Poisson process with rate ``lambda``; after each
    purchase they become inactive with probability ``p``. Across customers
    ``lambda ~ Gamma(r, alpha)`` and ``p ~ Beta(a, b)``. Parameters are estimated by
    maximum likelihood (eq. 6 of [1]) with L-BFGS-B on log-parameters, analytic gradient,
    customers grouped by distinct ``(x, t_x, T)``, times rescaled internally so that
    ``T`` is of order 10 (the reported ``alpha`` is in the summary's time unit).

    Parameters
    ----------
    penalizer : float, default=0.0
        L2 penalty ``penalizer * (r**2 + alpha**2 + a**2 + b**2)`` added to the mean
        negative log-likelihood (the lifetimes convention; ``alpha`` in summary units).
        A small value (1e-3) helps on data with almost no repeat purchases.
    max_iter : int, default=1000
        Maximum L-BFGS-B iterations per start.
    initial_params : dict or None, default=None
        Starting values ``{r, alpha, a, b}`` (alpha in summary units); ``None`` uses
        moment-based starts, retried from other points if the first does not converge.

    Attributes
    ----------
    params_ : pandas.Series
        ``r, alpha, a, b``.
    standard_errors_ : pandas.Series
        Asymptotic standard errors from the inverse Hessian of the log-likelihood at the
        optimum (numerical derivative of the analytic gradient); NaN where it is not
        negative definite.
    log_likelihood_ : float
        Total log-likelihood at the optimum (summary time units; without the penalty).
    n_customers_ : int
        Customers in the fitted summary.
    time_unit_ : str or None
        ``summary.attrs["time_unit"]`` of the fitted summary.
    n_iter_ : int
        L-BFGS-B iterations of the retained start.

    Notes
    -----
    An estimate of ``a`` near 0 or of ``b`` very large means the data show (almost) no
    dropout: the mean dropout probability ``a / (a + b)`` is about 0 and P(alive) about 1
    for everyone; the likelihood is then flat along a ridge, so ``a`` and ``b`` themselves
    are poorly determined (the full Online Retail year gives ``a`` = 0.004, ``b`` = 7.2
    with a standard error of 24; cut at other dates, ``b`` runs to 10^4-10^6). A
    :class:`~crmmine.errors.CrmmineWarning` is issued when ``r`` or ``alpha`` (or ``a``
    upwards, ``b`` downwards) runs to the edge of the parameter space (e.g. no repeat
    purchases at all), where predictions are unreliable.

    References
    ----------
    .. [1] Fader, Hardie & Lee (2005a), Marketing Science 24(2), 275-284.
    .. [2] Fader, Hardie & Lee (2008), "Computing P(alive) Using the BG/NBD Model".

    Examples
    --------
    >>> import crmmine
    >>> from crmmine.datasets import make_transactions
    >>> tx, truth = make_transactions(2000, random_state=1)
    >>> bg = crmmine.BetaGeoModel().fit(crmmine.clv_summary(tx))
    >>> list(bg.params_.index)
    ['r', 'alpha', 'a', 'b']
    """

    _param_names = ("r", "alpha", "a", "b")
    _init_names = ("penalizer", "max_iter", "initial_params")

    def __init__(self, *, penalizer: float = 0.0, max_iter: int = 1000, initial_params: dict | None = None):
        self.penalizer = penalizer
        self.max_iter = max_iter
        self.initial_params = initial_params

    def fit(self, summary: pd.DataFrame) -> BetaGeoModel:
        """Estimate ``r, alpha, a, b`` from a summary.

        Parameters
        ----------
        summary : pandas.DataFrame
            From :func:`clv_summary`: columns ``frequency``, ``recency``, ``T``; or the
            table of :func:`calibration_holdout_summary`, read through its calibration
            columns (``frequency_cal``, ``recency_cal``, ``T_cal``), as are the predictions.

        Returns
        -------
        self

        Raises
        ------
        InputError
            A column is missing, negative, not whole (frequency), or recency > T.
        ConvergenceError
            The optimiser did not reach a maximum from any start.
        """
        penalizer = _check_penalizer(self.penalizer)
        _check_max_iter(self.max_iter)
        v = _summary_arrays(summary)
        x, tx, T = v["frequency"], v["recency"], v["T"]
        if x.size == 0:
            raise InputError("The 'summary' table has no customers; there is nothing to fit.")
        if not (T > 0).any():
            raise InputError("Every customer in the 'summary' table has T == 0; choose a later observation_end.")
        scale = float(T.max()) / 10.0
        d_user = K.BGData(x, tx, T)  # grouped by distinct (x, t_x, T)
        d = d_user.scaled(scale)
        mean_x = max(float(np.average(d.x, weights=d.w)), 0.05)
        mean_T = float(np.average(d.T, weights=d.w))
        if self.initial_params is not None:
            ip = self._check_initial(self.initial_params)
            starts = [np.log([ip["r"], ip["alpha"] / scale, ip["a"], ip["b"]])]
        else:
            starts = [
                np.log([1.0, mean_T / mean_x, 1.0, 1.0]),
                np.log([0.5, 0.5 * mean_T / mean_x, 0.5, 2.0]),
                np.log([2.0, 2.0 * mean_T / mean_x, 2.0, 10.0]),
            ]
        bounds = [(-K._LOG_BOUND, K._LOG_BOUND)] * 4
        res = self._minimize(K.bg_objective, starts, (d, penalizer, scale), bounds)
        r, al, a, b = np.exp(res.x)
        ll_int = -(res.fun if penalizer == 0 else K.bg_objective(res.x, d, 0.0, scale)[0]) * d.n
        # times in internal units: LL_user = LL_int - sum(x) log(scale), alpha_user = alpha * scale
        self.log_likelihood_ = float(ll_int - float(x.sum()) * math.log(scale))
        theta = np.array([r, al * scale, a, b])
        mult = np.array([1.0, scale, 1.0, 1.0])
        se = self._standard_errors(lambda th: K.bg_total_loglik_grad(th, d), theta / mult)
        self.standard_errors_ = se * mult
        self.n_customers_ = int(x.size)
        self.time_unit_ = summary.attrs.get("time_unit")
        self.n_iter_ = int(res.nit)
        self.params_ = pd.Series(theta, index=list(self._param_names), name="value")
        return self

    def _benign_edge(self, logp):
        # a -> 0 or b -> infinity: the mean dropout probability a / (a + b) -> 0, i.e. the data
        # show no dropout; P(alive) -> 1 and predictions stay finite
        return np.array([False, False, logp[2] < 0, logp[3] > 0])

    @staticmethod
    def _check_initial(ip):
        if not isinstance(ip, dict) or set(ip) != {"r", "alpha", "a", "b"} or any(
            not isinstance(ip[k], numbers.Real) or not ip[k] > 0 for k in ip
        ):
            raise ParameterError(
                f"The 'initial_params' parameter must be None or a dict of positive numbers with keys r, alpha, a, b. "
                f"Got {ip!r} instead."
            )
        return {k: float(v) for k, v in ip.items()}

    # -- predictions ---------------------------------------------------------------------
    def _p(self):
        self._check_fitted()
        return self.params_.to_numpy()

    def _xtT(self, summary):
        v = _summary_arrays(summary)
        return v["frequency"], v["recency"], v["T"]

    def _series(self, values, summary, name):
        return pd.Series(values, index=summary.index, name=name)

    def _log_odds_dead(self, x, tx, T):
        """log of the second term of the P(alive) denominator; -inf for x == 0."""
        r, al, a, b = self._p()
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.log(a) - np.log(b + np.maximum(x, 1) - 1) + (r + x) * (np.log(al + T) - np.log(al + tx))
            return np.where(x > 0, z, -np.inf)

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(active at T | x, t_x, T) (Fader, Hardie & Lee 2008, "Computing P(alive) Using the BG/NBD Model").

        ``1 / (1 + [x > 0] * a / (b + x - 1) * ((alpha + T) / (alpha + t_x))**(r + x))``;
        1 for customers without repeat purchases (in BG/NBD they cannot drop out
        before their first repeat purchase).

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``probability_alive``.
        """
        x, tx, T = self._xtT(summary)
        return self._series(self._palive(x, tx, T), summary, "probability_alive")

    def _palive(self, x, tx, T):
        z = self._log_odds_dead(x, tx, T)
        return np.exp(-np.logaddexp(0.0, z))

    def expected_purchases_new(self, t):
        """Expected purchases E[X(t)] of a new customer in a period of length t (FHL 2005a eq. 9).

        ``(a + b - 1) / (a - 1) * [1 - (alpha / (alpha + t))**r * 2F1(r, b; a + b - 1; t / (alpha + t))]``.

        Parameters
        ----------
        t : float or array-like
            Period length(s) in the summary's time unit.

        Returns
        -------
        float or numpy.ndarray
        """
        r, al, a, b = self._p()
        tt = _check_horizon("t", t)
        z = tt / (al + tt)
        val = (a + b - 1) / (a - 1) * (1 - (al / (al + tt)) ** r * hyp2f1(r, b, a + b - 1, z))
        return float(val) if np.ndim(val) == 0 else val

    def _cond_expected(self, t, x, tx, T):
        if x.size > 10_000:  # hyp2f1 is the cost: evaluate once per distinct (x, t_x, T)
            ux, utx, uT, inv = K.unique_rows(x, tx, T)
            return self._cond_expected_rows(t, ux, utx, uT)[inv]
        return self._cond_expected_rows(t, x, tx, T)

    def _cond_expected_rows(self, t, x, tx, T):
        r, al, a, b = self._p()
        aT = al + T
        z = t / (aT + t)
        head = (a + b + x - 1) / (a - 1)
        body = 1 - (aT / (aT + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
        return head * body * self._palive(x, tx, T)

    def expected_purchases(self, t, summary: pd.DataFrame) -> pd.Series:
        """Conditional expected purchases in (T, T + t] given x, t_x, T (FHL 2005a eq. 10).

        ``(a + b + x - 1) / (a - 1) * [1 - ((alpha + T) / (alpha + T + t))**(r + x) *
        2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))] * P(alive)``.

        Parameters
        ----------
        t : float
            Length of the future period in the summary's time unit.
        summary : pandas.DataFrame
            From :func:`clv_summary` (``frequency``, ``recency``, ``T``).

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``expected_purchases``.
        """
        tt = float(_check_scalar_horizon("t", t))
        x, tx, T = self._xtT(summary)
        return self._series(self._cond_expected(tt, x, tx, T), summary, "expected_purchases")

    def probability_no_purchase(self, t, summary: pd.DataFrame) -> pd.Series:
        """P(no purchase in (T, T + t] | x, t_x, T).

        The customer is inactive, or active and does not buy:
        ``1 - P(alive) + P(alive) * ((alpha + T) / (alpha + T + t))**(r + x)``, the ratio
        of the BG/NBD likelihoods (FHL 2005a eq. 6) at ``T + t`` and ``T``.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``probability_no_purchase``.
        """
        tt = float(_check_scalar_horizon("t", t))
        x, tx, T = self._xtT(summary)
        r, al, a, b = self._p()
        pa = self._palive(x, tx, T)
        stay = ((al + T) / (al + T + tt)) ** (r + x)
        return self._series(1 - pa + pa * stay, summary, "probability_no_purchase")


def _check_scalar_horizon(name, t):
    if isinstance(t, bool) or not isinstance(t, numbers.Real) or not math.isfinite(t) or t < 0:
        raise ParameterError(f"The '{name}' parameter must be a number >= 0 (summary time units). Got {t!r} instead.")
    return t


# --------------------------------------------------------------------------------------
# Gamma-Gamma
# --------------------------------------------------------------------------------------
class GammaGammaModel(_Model):
    """The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005b).

    A customer's purchase values are ``Gamma(p, nu)`` around their mean ``p / nu``;
    across customers ``nu ~ Gamma(q, v)``. Fitted by maximum likelihood on the repeat
    buyers' mean repeat spend (the density of the mean given x, integrated over nu;
    Fader & Hardie 2013), spend rescaled internally to mean 1 (the reported ``v`` is in
    currency units).

    Parameters
    ----------
    penalizer : float, default=0.0
        L2 penalty ``penalizer * (p**2 + q**2 + v**2)`` on the mean negative log-likelihood.
    max_iter : int, default=1000
        Maximum L-BFGS-B iterations per start.

    Attributes
    ----------
    params_ : pandas.Series
        ``p, q, v``.
    standard_errors_ : pandas.Series
        From the inverse Hessian at the optimum.
    log_likelihood_ : float
        Total log-likelihood (currency units).
    n_customers_ : int
        Repeat buyers used (``frequency > 0``).

    References
    ----------
    .. [1] Fader, Hardie & Lee (2005b), JMR 42(4), 415-430, eq. (5) for the expected spend.
    .. [2] Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value".
    """

    _param_names = ("p", "q", "v")
    _init_names = ("penalizer", "max_iter")

    def __init__(self, *, penalizer: float = 0.0, max_iter: int = 1000):
        self.penalizer = penalizer
        self.max_iter = max_iter

    def _xm(self, summary):
        v = _summary_arrays(summary, need=("frequency", "monetary_value"))
        x, m = v["frequency"], v["monetary_value"]
        bad = (x > 0) & (m <= 0)
        if bad.any():
            raise InputError(
                "The 'summary' table's 'monetary_value' must be > 0 for customers with frequency > 0. "
                + _first_bad(summary, bad, ["frequency", "monetary_value"])
                + " Use clean transactions (crmmine.clean drops returns and zero prices)."
            )
        return x, m

    def fit(self, summary: pd.DataFrame) -> GammaGammaModel:
        """Estimate ``p, q, v`` from the customers with ``frequency > 0``.

        Parameters
        ----------
        summary : pandas.DataFrame
            From :func:`clv_summary`: columns ``frequency`` and ``monetary_value`` (or
            ``frequency_cal`` and ``monetary_value_cal`` of :func:`calibration_holdout_summary`).

        Returns
        -------
        self

        Raises
        ------
        InputError
            A column is missing or invalid, ``monetary_value <= 0`` for a repeat buyer, or
            fewer than 2 repeat buyers.
        ConvergenceError
            The optimiser did not reach a maximum.
        """
        penalizer = _check_penalizer(self.penalizer)
        _check_max_iter(self.max_iter)
        x, m = self._xm(summary)
        rep = x > 0
        x, m = x[rep], m[rep]
        if x.size < 2:
            raise InputError(
                f"The Gamma-Gamma model needs at least 2 customers with frequency > 0. Got {x.size}; use a longer "
                "observation period."
            )
        scale = float(m.mean())
        d = K.GGData(x, m / scale)  # spend in internal units (mean 1)
        starts = [np.log([1.0, 2.0, 1.0]), np.log([4.0, 4.0, 3.0]), np.log([0.5, 1.5, 0.5])]
        bounds = [(-K._LOG_BOUND, K._LOG_BOUND)] * 3
        res = self._minimize(K.gg_objective, starts, (d, penalizer, scale), bounds)
        p, q, v = np.exp(res.x)
        ll_int = -(res.fun if penalizer == 0 else K.gg_objective(res.x, d, 0.0, scale)[0]) * d.n
        # the density of m picks up 1/scale per customer: LL_user = LL_int - n log(scale)
        self.log_likelihood_ = float(ll_int - x.size * math.log(scale))
        theta = np.array([p, q, v * scale])
        mult = np.array([1.0, 1.0, scale])
        se = self._standard_errors(lambda th: K.gg_total_loglik_grad(th, d), theta / mult)
        self.standard_errors_ = se * mult
        self.n_customers_ = int(x.size)
        self.n_iter_ = int(res.nit)
        self.params_ = pd.Series(theta, index=list(self._param_names), name="value")
        return self

    def _spend(self, x, m):
        p, q, v = self.params_.to_numpy()
        if q <= 1 and (x == 0).any():
            warnings.warn(
                f"The fitted Gamma-Gamma q = {q:.3g} <= 1, so the population mean spend is infinite; expected spend "
                "of customers with frequency 0 is NaN. Fit on more repeat buyers or use a penalizer.",
                CrmmineWarning, stacklevel=3,
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            out = p * (v + x * m) / (p * x + q - 1)
        return np.where((x == 0) & (q <= 1), np.nan, out)

    def expected_spend(self, summary: pd.DataFrame) -> pd.Series:
        """E[M | x, m_x], the expected spend per purchase (FHL 2005b eq. 5).

        ``p * (v + x * m_x) / (p * x + q - 1)``, a weighted mean of the population mean
        ``p * v / (q - 1)`` and the customer's own mean ``m_x``; customers with
        ``frequency == 0`` get the population mean.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``expected_spend``.
        """
        self._check_fitted()
        x, m = self._xm(summary)
        return pd.Series(self._spend(x, m), index=summary.index, name="expected_spend")

    def customer_lifetime_value(
        self, bg: BetaGeoModel, summary: pd.DataFrame, *, horizon: float = 365, discount_rate: float = 0.10,
        freq_of_discount: str = "year", time_unit: str | None = None,
    ) -> pd.Series:
        """Discounted expected value of each customer's purchases in (T, T + horizon].

        The horizon is cut into steps of one month (30.4375 days; the last step may be
        shorter). The expected purchases in step k come from BG/NBD eq. (10) (difference
        of cumulative expectations), each valued at E[M] (FHL 2005b eq. 5) and discounted
        to the end of the step: ``CLV = E[M] * sum_k dE[Y]_k / (1 + discount_rate) ** (t_k / P)``
        where ``t_k`` is the end of step k and ``P`` the discounting period
        (``freq_of_discount``). This is the discrete version of FHL 2005b eq. (2).

        Parameters
        ----------
        bg : BetaGeoModel
            A fitted BG/NBD model (same time unit as ``summary``).
        summary : pandas.DataFrame
            From :func:`clv_summary`.
        horizon : float, default=365
            Length of the future period in the summary's time unit.
        discount_rate : float, default=0.10
            Discount rate per ``freq_of_discount`` period, in [0, 1).
        freq_of_discount : {"year", "month", "week", "day"}, default="year"
            The period ``discount_rate`` applies to.
        time_unit : {"D", "W", "M"} or None, default=None
            Time unit of ``summary``; ``None`` reads ``summary.attrs["time_unit"]``, else
            the unit ``bg`` was fitted in, else days.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``clv``.
        """
        self._check_fitted()
        if not isinstance(bg, BetaGeoModel):
            raise ParameterError(f"The 'bg' parameter must be a fitted BetaGeoModel. Got {type(bg).__name__} instead.")
        bg._check_fitted()
        horizon = float(_check_scalar_horizon("horizon", horizon))
        if isinstance(discount_rate, bool) or not isinstance(discount_rate, numbers.Real) or not 0 <= discount_rate < 1:
            raise ParameterError(f"The 'discount_rate' parameter must be in [0, 1). Got {discount_rate!r} instead.")
        if freq_of_discount not in DISCOUNT_PERIODS:
            raise ParameterError(
                f"The 'freq_of_discount' parameter must be one of {', '.join(map(repr, DISCOUNT_PERIODS))}. "
                f"Got {freq_of_discount!r} instead."
            )
        unit = time_unit or summary.attrs.get("time_unit") or bg.time_unit_ or "D"
        unit_days = _check_time_unit(unit)
        x, m = self._xm(summary)
        v = _summary_arrays(summary)
        tx, T = v["recency"], v["T"]
        spend = self._spend(x, m)
        step = DISCOUNT_PERIODS["month"] / unit_days
        n_steps = max(1, math.ceil(horizon / step - 1e-9))
        ends = np.minimum(np.arange(1, n_steps + 1) * step, horizon)
        period = DISCOUNT_PERIODS[freq_of_discount] / unit_days
        factors = (1.0 + discount_rate) ** (-ends / period)
        ux, utx, uT, inv = K.unique_rows(x, tx, T)  # predictions once per distinct (x, t_x, T)
        total = np.zeros(ux.size)
        prev = np.zeros(ux.size)
        if horizon > 0:
            for t_k, f_k in zip(ends, factors):  # one vectorised pass per month of the horizon
                cum = bg._cond_expected_rows(float(t_k), ux, utx, uT)
                total += (cum - prev) * f_k
                prev = cum
        return pd.Series(spend * total[inv], index=summary.index, name="clv")


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
    q = 3.5.

    Examples
    --------
    >>> import crmmine
    >>> tx = crmmine.load_clean("sample").transactions
    >>> value = crmmine.customer_value(tx)
    >>> list(value.columns)[:3]
    ['historical_value', 'frequency', 'recency']
    """
    from .parameters import check_parameters

    checked = check_parameters(horizon_days=horizon_days, discount_rate=discount_rate)
    horizon = checked["horizon_days"]
    rate = checked["discount_rate"]
    as_of_ts = check_date("as_of", as_of, normalize=True)
    if potential_value is not None and (
        not isinstance(potential_value, pd.Series) or not pd.api.types.is_numeric_dtype(potential_value)
    ):
        raise ParameterError(
            "The 'potential_value' parameter must be None or a numeric pandas Series indexed by customer_id. "
            f"Got {type(potential_value).__name__} instead."
        )
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
    bg = BetaGeoModel().fit(summary)
    gg = GammaGammaModel().fit(summary)
    spent = np.bincount(codes, weights=amount, minlength=len(ids))
    hist = pd.Series(spent, index=ids).reindex(summary.index, fill_value=0.0).astype(float)
    if returns is not None:
        ids_r, codes_r, day_r, amount_r = _purchase_days(returns, name="returns")
        keep = day_r < obs_end_day
        ret = pd.Series(np.bincount(codes_r[keep], weights=amount_r[keep], minlength=len(ids_r)), index=ids_r)
        hist = hist - ret.abs().reindex(summary.index, fill_value=0.0).to_numpy()
    out = pd.DataFrame(index=summary.index)
    out["historical_value"] = hist.to_numpy()
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
        Language; ``None``: :func:`crmmine.labels.get_language`.

    Returns
    -------
    list of str
    """
    from .labels import label

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
    from .labels import label

    if not isinstance(cal, pd.DataFrame) or "frequency_holdout" not in cal.columns:
        raise InputError("The 'cal' parameter must be the table of crmmine.calibration_holdout_summary.")
    predicted = float(bg.expected_purchases(float(cal["duration_holdout"].iloc[0]), cal).sum())
    actual = float(cal["frequency_holdout"].sum())
    err = 100 * (predicted / actual - 1) if actual > 0 else float("nan")
    return label("clv.finding.holdout", lang, actual=actual, predicted=predicted, error_pct=err)
