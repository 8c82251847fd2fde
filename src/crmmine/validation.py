"""One place for the checks every stage makes at its boundary.

Each check takes the parameter's name and value, returns the value in its canonical form and
otherwise raises :class:`~crmmine.errors.ParameterError` (or, for tables,
:class:`~crmmine.errors.MissingColumnError`) with a message in the house form: it names the
parameter, states the rule, echoes the value and, where one helps, gives the fix:

    The 'min_support' parameter must be a number in (0, 1] (a share of orders, e.g. 0.01). Got 5 instead.

Functions check their inputs once with these, then trust them inside ("input already validated").
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import pandas as pd

from .errors import InputError, MissingColumnError, ParameterError

__all__ = [
    "check_int",
    "check_number",
    "check_fraction",
    "check_choice",
    "check_str",
    "check_date",
    "check_table",
]


def _or_none(none_ok: bool) -> str:
    return " or None" if none_ok else ""


def _note(hint: str | None) -> str:
    return f" ({hint})" if hint else ""


def check_int(name: str, value, *, lo: int | None = None, hi: int | None = None, none_ok: bool = False,
              allow_float: bool = False, hint: str | None = None) -> int | None:
    """``value`` as an ``int`` in ``[lo, hi]`` (``None`` passes when ``none_ok``).

    ``allow_float=True`` also accepts a whole float such as ``10.0`` (what a report parameter read
    from the command line or YAML may be). Booleans are never integers here.

    Examples
    --------
    >>> check_int("top_n", 5, lo=1)
    5
    >>> check_int("top_n", 0, lo=1)
    Traceback (most recent call last):
    ...
    crmmine.errors.ParameterError: The 'top_n' parameter must be an integer >= 1. Got 0 instead.
    """
    if value is None and none_ok:
        return None
    ok = not isinstance(value, bool) and isinstance(value, numbers.Integral)
    if not ok and allow_float and isinstance(value, float) and value.is_integer():
        ok, value = True, int(value)
    if ok and (lo is None or value >= lo) and (hi is None or value <= hi):
        return int(value)
    if not ok:  # the wrong kind of value: say what kind is wanted
        raise ParameterError(f"The '{name}' parameter must be an integer{_or_none(none_ok)}{_note(hint)}. "
                             f"Got {value!r} instead.")
    if lo is not None and hi is not None:
        rule = f"an integer in [{lo}, {hi}]"
    elif lo is not None:
        rule = f"an integer >= {lo}"
    elif hi is not None:
        rule = f"an integer <= {hi}"
    else:
        rule = "an integer"
    raise ParameterError(f"The '{name}' parameter must be {rule}{_or_none(none_ok)}{_note(hint)}. Got {value!r} instead.")


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def check_number(name: str, value, *, lo: float | None = None, hi: float | None = None, lo_open: bool = False,
                 hi_open: bool = False, none_ok: bool = False, hint: str | None = None) -> float | None:
    """``value`` as a finite ``float`` in the interval ``lo..hi`` (open ends as asked).

    Examples
    --------
    >>> check_number("min_support", 0.01, lo=0, hi=1, lo_open=True)
    0.01
    >>> check_number("min_support", 5, lo=0, hi=1, lo_open=True)
    Traceback (most recent call last):
    ...
    crmmine.errors.ParameterError: The 'min_support' parameter must be a number in (0, 1]. Got 5 instead.
    """
    if value is None and none_ok:
        return None
    ok = not isinstance(value, bool) and isinstance(value, numbers.Real) and not math.isnan(value)
    if ok:
        v = float(value)
        ok = (lo is None or (v > lo if lo_open else v >= lo)) and (hi is None or (v < hi if hi_open else v <= hi))
        if ok and math.isfinite(v):
            return v
    else:
        raise ParameterError(f"The '{name}' parameter must be a number{_or_none(none_ok)}{_note(hint)}. "
                             f"Got {value!r} instead.")
    if lo is not None and hi is not None:
        rule = f"a number in {'(' if lo_open else '['}{_fmt(lo)}, {_fmt(hi)}{')' if hi_open else ']'}"
    elif lo is not None:
        rule = f"a number {'>' if lo_open else '>='} {_fmt(lo)}"
    elif hi is not None:
        rule = f"a number {'<' if hi_open else '<='} {_fmt(hi)}"
    else:
        rule = "a finite number"
    raise ParameterError(f"The '{name}' parameter must be {rule}{_or_none(none_ok)}{_note(hint)}. Got {value!r} instead.")


def check_fraction(name: str, value, *, lo_open: bool = False, hi_open: bool = False, none_ok: bool = False,
                   hint: str | None = None) -> float | None:
    """``value`` as a ``float`` share in ``[0, 1]`` (either end open as asked)."""
    return check_number(name, value, lo=0, hi=1, lo_open=lo_open, hi_open=hi_open, none_ok=none_ok, hint=hint)


def check_choice(name: str, value, choices: Iterable, *, hint: str | None = None):
    """``value`` if it is one of ``choices``.

    Examples
    --------
    >>> check_choice("level", "sku", ("product", "category"))
    Traceback (most recent call last):
    ...
    crmmine.errors.ParameterError: The 'level' parameter must be one of 'product', 'category'. Got 'sku' instead.
    """
    choices = tuple(choices)
    try:
        ok = value in choices
    except TypeError:  # unhashable value against a set-like
        ok = False
    if not ok:
        raise ParameterError(
            f"The '{name}' parameter must be one of {', '.join(map(repr, choices))}{_note(hint)}. Got {value!r} instead."
        )
    return value


def check_str(name: str, value, *, none_ok: bool = False) -> str | None:
    """``value`` if it is a non-empty string."""
    if value is None and none_ok:
        return None
    if not isinstance(value, str) or not value:
        raise ParameterError(f"The '{name}' parameter must be a non-empty string{_or_none(none_ok)}. Got {value!r} instead.")
    return value


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
    except (ValueError, TypeError, OverflowError):
        ts = pd.NaT
    if pd.isna(ts):
        raise ParameterError(f"The '{name}' parameter must be a date like '2011-06-01'{_or_none(none_ok)}. "
                             f"Got {value!r} instead.")
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    return ts.normalize() if normalize else ts


def check_table(table, required: Iterable[str], *, name: str, what: str = "with these columns",
                hint: str = "", datetime_columns: Iterable[str] = (), numeric_columns: Iterable[str] = ()) -> pd.DataFrame:
    """Check that ``table`` is a DataFrame holding every ``required`` column; name all missing ones at once.

    Parameters
    ----------
    table : object
        The value passed as parameter ``name``.
    required : iterable of str
        Columns the caller needs.
    name : str
        The parameter name used in messages.
    what : str, default="with these columns"
        What the DataFrame should be, for the type error ("of canonical transactions").
    hint : str, default=""
        How to make a suitable table, appended to both messages.
    datetime_columns, numeric_columns : iterable of str
        Required columns that must also have a datetime / numeric dtype.

    Raises
    ------
    InputError
        ``table`` is not a DataFrame (a :class:`MissingColumnError`, which is an InputError).
    MissingColumnError
        Columns are missing: "The 'tx' table has no columns 'order_id', 'amount' (columns found: ...)."
    InputError
        A column has the wrong dtype.
    """
    tail = f" {hint}" if hint else ""
    if not isinstance(table, pd.DataFrame):
        raise MissingColumnError(
            f"The '{name}' parameter must be a pandas DataFrame {what}. Got {type(table).__name__} instead.{tail}"
        )
    missing = [c for c in required if c not in table.columns]
    if missing:
        cols = ", ".join(map(repr, missing))
        raise MissingColumnError(
            f"The '{name}' table has no column{'s' if len(missing) > 1 else ''} {cols} (columns found: "
            f"{', '.join(map(str, table.columns)) or 'none'}).{tail}"
        )
    for col in datetime_columns:
        if not pd.api.types.is_datetime64_any_dtype(table[col]):
            raise InputError(
                f"The '{name}' table's {col!r} column must hold datetimes. Got dtype {table[col].dtype} instead; "
                "read the file with crmmine.read_transactions."
            )
    for col in numeric_columns:
        s = table[col]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            raise InputError(f"The '{name}' table's {col!r} column must be numeric. Got dtype {s.dtype} instead.")
    return table
