"""Checking report parameters by name, right after papermill injects them.

papermill only warns about unknown parameter names and does not check types, so every
report notebook calls :func:`check_parameters` in the cell after its ``parameters`` cell.
Names this module knows are checked by their rule; other names pass through unchanged
(the report's own functions check them).
"""

from __future__ import annotations

import numbers
from pathlib import Path

import pandas as pd

from .errors import ParameterError

__all__ = ["check_parameters", "check_date", "PARAMETER_RULES"]


def _int(name, v, lo=None, none_ok=False):
    if v is None and none_ok:
        return None
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        else:
            raise ParameterError(f"The '{name}' parameter must be an integer{' or None' if none_ok else ''}. Got {v!r} instead.")
    if lo is not None and v < lo:
        raise ParameterError(f"The '{name}' parameter must be at least {lo}. Got {v!r} instead.")
    return int(v)


def _float(name, v, lo, hi, *, lo_open=False, hi_open=False, none_ok=False):
    if v is None and none_ok:
        return None
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise ParameterError(f"The '{name}' parameter must be a number{' or None' if none_ok else ''}. Got {v!r} instead.")
    v = float(v)
    ok_lo = v > lo if lo_open else v >= lo
    ok_hi = v < hi if hi_open else v <= hi
    if not (ok_lo and ok_hi):
        interval = f"{'(' if lo_open else '['}{lo}, {hi}{')' if hi_open else ']'}"
        raise ParameterError(f"The '{name}' parameter must be in {interval}. Got {v!r} instead.")
    return v


def check_date(name: str, value, *, none_ok: bool = True, normalize: bool = False) -> pd.Timestamp | None:
    """``value`` as a tz-naive ``pandas.Timestamp`` (or None when ``none_ok``), else a ParameterError.

    The one date check every crmmine function uses for ``as_of``, ``cutoff`` and the like:
    "The 'cutoff' parameter must be a date like '2011-06-01'. Got 'soon' instead."
    A time-zone-aware value is converted to UTC and made naive (transactions are naive);
    ``normalize=True`` drops the time of day.
    """
    if value is None and none_ok:
        return None
    try:
        ts = pd.Timestamp(value) if value is not None else pd.NaT
    except (ValueError, TypeError):
        ts = pd.NaT
    if pd.isna(ts):
        raise ParameterError(f"The '{name}' parameter must be a date like '2011-06-01'{' or None' if none_ok else ''}. "
                             f"Got {value!r} instead.")
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    return ts.normalize() if normalize else ts


def _date(name, v):
    if isinstance(v, str) and v.strip().lower() in ("", "none", "auto"):
        return None
    return check_date(name, v)


def _choice(name, v, choices):
    if v not in choices:
        raise ParameterError(f"The '{name}' parameter must be one of {', '.join(map(repr, choices))}. Got {v!r} instead.")
    return v


def _str(name, v):
    if not isinstance(v, str) or not v:
        raise ParameterError(f"The '{name}' parameter must be a non-empty string. Got {v!r} instead.")
    return v


def _data_path(name, v):
    if isinstance(v, Path):
        v = str(v)
    v = _str(name, v)
    if v != "sample" and not Path(v).expanduser().exists():
        raise ParameterError(
            f"The '{name}' parameter points to {v!r}, which does not exist. Give the path of a transaction file, "
            "or 'sample' for the bundled sample."
        )
    return v


def _schema(name, v):
    from .io import PRESETS

    if isinstance(v, dict):
        return v
    v = _str(name, v)
    if v == "auto" or v in PRESETS:
        return v
    if v.lower().endswith(".json"):
        if not Path(v).exists():
            raise ParameterError(f"The '{name}' parameter points to the mapping file {v!r}, which does not exist.")
        return v
    raise ParameterError(
        f"The '{name}' parameter must be 'auto', a preset ({', '.join(PRESETS)}), a dict or a .json mapping file. "
        f"Got {v!r} instead."
    )


def _lang(name, v):
    from .labels import LANGUAGES

    return _choice(name, v, LANGUAGES)


#: name -> checker(name, value) returning the checked value.
PARAMETER_RULES = {
    "data_path": _data_path,
    "schema": _schema,
    "as_of": _date,
    "cutoff": _date,
    "calibration_end": _date,
    "random_state": lambda n, v: _int(n, v, lo=0, none_ok=True),
    "n_clusters": lambda n, v: _int(n, v, lo=2, none_ok=True),
    "horizon_days": lambda n, v: _int(n, v, lo=1),
    "clv_horizon_days": lambda n, v: _int(n, v, lo=1),
    "discount_rate": lambda n, v: _float(n, v, 0.0, 1.0, hi_open=True),
    "currency": _str,
    "level": lambda n, v: _choice(n, v, ("product", "category")),
    "min_support": lambda n, v: _float(n, v, 0.0, 1.0, lo_open=True),
    "min_confidence": lambda n, v: _float(n, v, 0.0, 1.0),
    "min_lift": lambda n, v: _float(n, v, 0.0, float("inf"), lo_open=True, none_ok=True),
    "max_len": lambda n, v: _int(n, v, lo=1, none_ok=True),
    "top_n": lambda n, v: _int(n, v, lo=1),
    "model": lambda n, v: _choice(n, v, ("logistic", "hgb")),
    "output_dir": _str,
    "lang": _lang,
    # --- cross-sell: baskets and rules ---
    "min_len": lambda n, v: _int(n, v, lo=1),
    "max_rules": lambda n, v: _int(n, v, lo=1, none_ok=True),
    "max_basket_size": lambda n, v: _int(n, v, lo=1, none_ok=True),
}


def check_parameters(**values) -> dict:
    """Check report parameters by name and return them (dates as ``pandas.Timestamp``).

    Examples
    --------
    >>> from crmmine import check_parameters
    >>> check_parameters(min_support=0.01, top_n=5)
    {'min_support': 0.01, 'top_n': 5}
    >>> check_parameters(min_support=5)
    Traceback (most recent call last):
    ...
    crmmine.errors.ParameterError: The 'min_support' parameter must be in (0.0, 1.0]. Got 5.0 instead.
    """
    return {name: PARAMETER_RULES[name](name, v) if name in PARAMETER_RULES else v for name, v in values.items()}
