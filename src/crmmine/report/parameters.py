"""Checking report parameters by name, right after papermill injects them.

papermill only warns about unknown parameter names and does not check types, so every
report notebook calls :func:`check_parameters` in the cell after its ``parameters`` cell.
Names this module knows are checked by their rule; other names pass through unchanged
(the report's own functions check them).
"""

from __future__ import annotations

from pathlib import Path


from ..errors import ParameterError
from ..validation import check_choice, check_date, check_int, check_number, check_str

__all__ = ["check_parameters", "PARAMETER_RULES"]


def _int(name, v, lo=None, none_ok=False):
    return check_int(name, v, lo=lo, none_ok=none_ok, allow_float=True)


def _float(name, v, lo, hi, *, lo_open=False, hi_open=False, none_ok=False):
    return check_number(name, v, lo=lo, hi=None if hi == float("inf") else hi, lo_open=lo_open, hi_open=hi_open,
                        none_ok=none_ok)


def _bool(name, v):
    if not isinstance(v, bool):
        raise ParameterError(f"The '{name}' parameter must be True or False. Got {v!r} instead.")
    return v


def _date(name, v):
    if isinstance(v, str) and v.strip().lower() in ("", "none", "auto"):
        return None
    return check_date(name, v)


_choice = check_choice
_str = check_str


def _glob_matches(v: str) -> bool:
    """A glob pattern (``orders/*.parquet``) that names at least one file."""
    import glob

    return any(ch in v for ch in "*?[") and bool(glob.glob(str(Path(v).expanduser()), recursive=True))


def _data_path(name, v):
    if isinstance(v, Path):
        v = str(v)
    v = _str(name, v)
    if v != "sample" and not Path(v).expanduser().exists() and not _glob_matches(v):
        raise ParameterError(
            f"The '{name}' parameter points to {v!r}, which does not exist. Give the path of a transaction file, "
            "or 'sample' for the bundled sample."
        )
    return v


def _schema(name, v):
    from ..behaviour.events import EVENT_PRESETS
    from ..data.io import PRESETS

    if isinstance(v, dict):
        return v
    v = _str(name, v)
    if v == "auto" or v in PRESETS or v in EVENT_PRESETS:
        return v
    if v.lower().endswith(".json"):
        if not Path(v).exists():
            raise ParameterError(f"The '{name}' parameter points to the mapping file {v!r}, which does not exist.")
        return v
    raise ParameterError(
        f"The '{name}' parameter must be 'auto', a preset ({', '.join([*PRESETS, *EVENT_PRESETS])}), a dict or a .json "
        "mapping file. "
        f"Got {v!r} instead."
    )


def _lang(name, v):
    from ..text.labels import LANGUAGES

    return _choice(name, v, LANGUAGES)


def _currency(name, v):
    if not isinstance(v, str):
        raise ParameterError(f"The '{name}' parameter must be text such as 'EUR', or '' for none. Got {v!r} instead.")
    return v


def _bool(name, v, none_ok=False):
    if v is None and none_ok:
        return None
    if not isinstance(v, bool):
        raise ParameterError(f"The '{name}' parameter must be True or False{' or None' if none_ok else ''}. "
                             f"Got {v!r} instead.")
    return v


def _dayfirst(name, v):
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, str) and v.strip().lower() in ("yes", "no", "true", "false", "none"):
        return {"yes": True, "true": True, "no": False, "false": False, "none": None}[v.strip().lower()]
    raise ParameterError(f"The '{name}' parameter must be True, False or None. Got {v!r} instead.")


def _skip_rules(name, v):
    from ..data.clean import SWITCHABLE_RULES

    if isinstance(v, (list, tuple)):
        v = ",".join(map(str, v))
    if not isinstance(v, str):
        raise ParameterError(f"The '{name}' parameter must be rule names separated by commas, e.g. "
                             f"'extreme_value'. Got {v!r} instead.")
    rules = [r.strip() for r in v.split(",") if r.strip()]
    bad = [r for r in rules if r not in SWITCHABLE_RULES]
    if bad:
        raise ParameterError(f"The '{name}' parameter must name rules among {', '.join(SWITCHABLE_RULES)}. "
                             f"Got {bad[0]!r} instead.")
    return ",".join(rules)


#: name -> checker(name, value) returning the checked value.
PARAMETER_RULES = {
    "data_path": _data_path,
    "schema": _schema,
    "as_of": _date,
    "cutoff": _date,
    "calibration_end": _date,
    "random_state": lambda n, v: _int(n, v, lo=0, none_ok=True),
    "max_fit_customers": lambda n, v: _int(n, v, lo=1, none_ok=True),
    "max_fit_visitors": lambda n, v: _int(n, v, lo=10, none_ok=True),
    "n_clusters": lambda n, v: _int(n, v, lo=2, none_ok=True),
    "horizon_days": lambda n, v: _int(n, v, lo=1),
    "clv_horizon_days": lambda n, v: _int(n, v, lo=1),
    "discount_rate": lambda n, v: _float(n, v, 0.0, 1.0, hi_open=True),
    "currency": lambda n, v: _currency(n, v),
    "level": lambda n, v: _choice(n, v, ("product", "category")),
    "min_support": lambda n, v: _float(n, v, 0.0, 1.0, lo_open=True, none_ok=True),
    "min_confidence": lambda n, v: _float(n, v, 0.0, 1.0),
    "min_lift": lambda n, v: _float(n, v, 0.0, float("inf"), lo_open=True, none_ok=True),
    "max_len": lambda n, v: _int(n, v, lo=1, none_ok=True),
    "top_n": lambda n, v: _int(n, v, lo=1),
    "model": lambda n, v: _choice(n, v, ("logistic", "hgb")),
    "output_dir": lambda n, v: _str(n, v, none_ok=True),
    "lang": _lang,
    # --- cross-sell: baskets and rules ---
    "min_len": lambda n, v: _int(n, v, lo=1),
    "max_rules": lambda n, v: _int(n, v, lo=1, none_ok=True),
    "max_basket_size": lambda n, v: _int(n, v, lo=1, none_ok=True),
    # --- loyalty, and the RFM scheme of the segment report ---
    "rfm_scheme": lambda n, v: check_choice(n, v, ("default", "cn8")),
    "synthetic_customers": lambda n, v: _int(n, v, lo=0),
    "promotion_threshold": lambda n, v: _float(n, v, 0.0, 1.0, lo_open=True),
    "answers": lambda n, v: _bool(n, v),
    # --- scale: where the log is read and cleaned ---
    "engine": lambda n, v: _choice(n, v, ("auto", "pandas", "duckdb")),
    # --- behaviour: events, funnel, prospects ---
    "tz": lambda n, v: v if v in (None, "preset") else _str(n, v),
    "prediction_days": lambda n, v: _int(n, v, lo=1, none_ok=True),
    "abandon_hours": lambda n, v: _int(n, v, lo=1),
    "basket_by": lambda n, v: _choice(n, v, ("user_day", "session")),
    "rules_level": lambda n, v: _choice(n, v, ("item", "category")),
    # --- cleaning choices of every report (passed to read_transactions / clean) ---
    "encoding": lambda n, v: _str(n, v),
    "dayfirst": lambda n, v: _dayfirst(n, v),
    "header": lambda n, v: _bool(n, v, none_ok=True),
    "skip_rules": lambda n, v: _skip_rules(n, v),
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
    crmmine.errors.ParameterError: The 'min_support' parameter must be a number in (0, 1] or None. Got 5 instead.
    """
    return {name: PARAMETER_RULES[name](name, v) if name in PARAMETER_RULES else v for name, v in values.items()}
