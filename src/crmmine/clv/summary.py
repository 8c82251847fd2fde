"""Per-customer summaries the buy-till-you-die models are fitted on.

:func:`clv_summary` turns clean transactions into frequency / recency / T / monetary value;
:func:`calibration_holdout_summary` splits them at a calibration date. Purchases are counted by
calendar day (Fader, Hardie & Lee 2005a).
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..validation import check_choice, check_date, check_table


__all__ = ['TIME_UNITS', 'DISCOUNT_PERIODS', 'clv_summary', 'calibration_holdout_summary']

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
    """Length in days of the summary time unit ``time_unit``."""
    return TIME_UNITS[check_choice("time_unit", time_unit, TIME_UNITS, hint="days, weeks, months of 30.4375 days")]


def _purchase_days(tx: pd.DataFrame, name: str = "tx"):
    """Check ``tx`` once and extract the usable lines as arrays.

    Returns ``(ids, codes, day, amount)``: ``ids`` the sorted distinct customer ids,
    ``codes`` each line's position in ``ids``, ``day`` its calendar day as int64 days since
    the epoch, ``amount`` its amount. Lines without customer id, date or amount are dropped.
    """
    check_table(tx, ("customer_id", "order_date", "amount"), name=name, what="of canonical transactions",
                datetime_columns=("order_date",), numeric_columns=("amount",),
                hint="Pass canonical transactions, e.g. crmmine.load_clean(path).transactions.")
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
    from ..engine.lazy import is_lazy

    if is_lazy(tx):  # aggregated in its engine (DuckDB, Spark), finished like below
        from ..engine import aggregate

        return aggregate.clv_summary(tx, end=end, time_unit=time_unit, unit=unit)
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
    cal_day = int(cal_end.to_datetime64().astype("datetime64[D]").view("int64"))
    from ..engine.lazy import is_lazy

    if is_lazy(tx):  # aggregated in its engine (DuckDB, Spark), finished like below
        from ..engine import aggregate

        return aggregate.calibration_holdout_summary(tx, cal_day=cal_day, end=end, time_unit=time_unit, unit=unit)
    ids, codes, day, amount = _purchase_days(tx)
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
