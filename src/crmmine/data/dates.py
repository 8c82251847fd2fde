"""Reading dates as shops export them: ISO and other common strings, Excel serials, Unix epochs.

:func:`parse_dates` chooses one format for the whole column (the one that reads the most
values of a sample), so a column is never read half day-first and half month-first.
Day/month order is decided from the data when some value proves it (a day above 12);
when every value fits both orders, ``dayfirst`` must be given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError, UnparseableValuesError

__all__ = ["parse_dates"]

# Formats tried for text dates, in this order, after ISO 8601.
_DMY = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
        "%d.%m.%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%y %H:%M", "%d/%m/%y")
_MDY = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%m-%d-%Y %H:%M:%S", "%m-%d-%Y %H:%M",
        "%m-%d-%Y", "%m/%d/%y %H:%M", "%m/%d/%y")
_UNAMBIGUOUS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y.%m.%d", "%d %b %Y",
                "%d-%b-%Y", "%d %B %Y", "%b %d %Y", "%B %d, %Y", "%d-%b-%y", "%Y年%m月%d日",
                "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M")

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SAMPLE = 2000
# the range datetime64[ns] holds; dates outside it (placeholders such as 9999-12-31) become NaT
_NS_MIN = np.datetime64("1677-09-22", "s")
_NS_MAX = np.datetime64("2262-04-11", "s")


def _as_ns(out: pd.Series) -> tuple[pd.Series, int]:
    """``out`` as naive datetime64[ns] (aware values converted to UTC first); values outside
    the nanosecond range become NaT. Returns (series, number of values out of range)."""
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_convert("UTC").dt.tz_localize(None)
    if out.dtype == "datetime64[ns]":
        return out, 0
    vals = out.to_numpy()
    inside = (vals >= _NS_MIN) & (vals <= _NS_MAX)
    n_out = int((~inside & ~np.isnat(vals)).sum())
    vals = np.where(inside, vals, np.datetime64("NaT"))
    return pd.Series(vals.astype("datetime64[ns]"), index=out.index), n_out


def _from_numbers(num: pd.Series) -> tuple[pd.Series, str] | None:
    """Numbers as dates: YYYYMMDD, Excel serial days, Unix epoch seconds or milliseconds.

    The form is chosen from the bulk of the column (its 1st to 99th percentile), so a few
    stray values (a placeholder 0, a 7-digit typo) do not hide the form of the rest; values
    outside the chosen form's range become NaT (rejected lines).
    """
    v = num.dropna()
    if v.empty:
        return None
    vals = v.to_numpy(dtype=float)
    lo, hi = (float(x) for x in np.quantile(vals, [0.01, 0.99]))
    integral = bool(np.all(np.mod(vals, 1) == 0))
    x = num.to_numpy(dtype=float)
    if integral and 19000101 <= lo and hi <= 21001231:
        ok = (x >= 19000101) & (x <= 21001231)
        text = pd.Series(np.where(ok, x, np.nan), index=num.index).astype("Int64").astype("string")
        return pd.to_datetime(text, format="%Y%m%d", errors="coerce"), "YYYYMMDD"
    if 1 <= lo and hi < 200000:  # Excel serial days (1900-01-01 .. 2447)
        days = np.where((x >= 1) & (x < 200000), x, np.nan)
        return pd.Series(_EXCEL_EPOCH + pd.to_timedelta(days, unit="D"), index=num.index), "Excel serial"
    if 1e8 <= lo and hi < 1e10:
        secs = np.where((x >= 1e8) & (x < 1e10), x, np.nan)
        return pd.Series(pd.to_datetime(secs, unit="s", errors="coerce"), index=num.index), "Unix seconds"
    if 1e11 <= lo and hi < 1e13:
        ms = np.where((x >= 1e11) & (x < 1e13), x, np.nan)
        return pd.Series(pd.to_datetime(ms, unit="ms", errors="coerce"), index=num.index), "Unix milliseconds"
    return None


def _show(v) -> str:
    """A value for a message: whole floats without '.0' (a date column of numbers)."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return repr(str(int(v)))
    return repr(v if not isinstance(v, np.generic) else v.item())


def _not_dates(values: pd.Series, filled: np.ndarray, lines, column: str, source: str) -> None:
    pos = np.flatnonzero(filled)[:3]
    examples = ", ".join(f"line {lines[i]}: {_show(values.iloc[i])}" for i in pos)
    raise UnparseableValuesError(
        f"Column {column!r} of {source} holds numbers that are not dates ({examples}). Numbers are read "
        "as dates when they are YYYYMMDD (8 digits), Excel serial days or Unix seconds/milliseconds; "
        "map the date column with schema={'order_date': '<column>'}."
    )


def _try(text: pd.Series, fmt: str) -> pd.Series:
    if fmt == "ISO8601":  # offsets may differ from line to line: all go to UTC
        return pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
    return pd.to_datetime(text, format=fmt, errors="coerce")


def _try_arrow(text: pd.Series, fmt: str) -> pd.Series | None:
    """pyarrow's strptime for a whole pyarrow-backed column (several times faster); None if unusable."""
    if not (isinstance(text.dtype, pd.StringDtype) and text.dtype.storage == "pyarrow") or "%b" in fmt \
            or "%B" in fmt or "年" in fmt or "%y" in fmt:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        parsed = pc.strptime(pa.array(text.array), format=fmt, unit="s", error_is_null=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return pd.Series(parsed.to_numpy(zero_copy_only=False), index=text.index)


def parse_dates(
    values: pd.Series,
    *,
    column: str = "order_date",
    dayfirst: bool | None = None,
    line_numbers: np.ndarray | None = None,
    max_bad_fraction: float = 0.1,
    source: str = "the source",
    problems: list | None = None,
) -> pd.Series:
    """Parse a column of dates; unreadable values become ``NaT``.

    Parameters
    ----------
    values : pandas.Series
        Strings, numbers or datetimes.
    column : str, default="order_date"
        The column's name in the source, for messages.
    dayfirst : bool or None, default=None
        Day/month order of slash- or dot-separated dates. ``None`` decides from the data
        and raises if the data fits both orders.
    line_numbers : ndarray or None
        The source line of each value, for messages (default: position + 2).
    max_bad_fraction : float, default=0.1
        More unreadable values than this fraction is an error, not a few rejected lines.
    source : str
        The file name, for messages.
    problems : list or None
        When given, a sentence is appended for values that were read as missing (a few
        unreadable values, dates out of the supported range 1677-2262 such as the
        placeholder ``9999-12-31``); their lines are rejected by :func:`crmmine.clean`.

    Returns
    -------
    pandas.Series of datetime64[ns]
        Time zones are dropped after conversion to UTC (a column may mix offsets).

    Raises
    ------
    UnparseableValuesError
        More than ``max_bad_fraction`` of the values cannot be read, or day/month order
        is ambiguous and ``dayfirst`` was not given.
    """
    if dayfirst not in (None, True, False):
        raise ParameterError(f"The 'dayfirst' parameter must be None, True or False. Got {dayfirst!r} instead.")
    lines = np.arange(2, len(values) + 2) if line_numbers is None else np.asarray(line_numbers)
    if pd.api.types.is_datetime64_any_dtype(values):
        out, n_out = _as_ns(values)
        if n_out and problems is not None:
            problems.append(f"column {column!r}: {n_out} dates outside 1677-2262 read as missing")
        return out

    missing = values.isna()
    out: pd.Series | None = None
    if pd.api.types.is_numeric_dtype(values):
        got = _from_numbers(pd.to_numeric(values, errors="coerce"))
        out = got[0] if got else None
        if out is None and values.notna().any():
            _not_dates(values, ~values.isna().to_numpy(), lines, column, source)
    else:
        text = values.astype("string").str.strip()
        missing = missing | (text == "").fillna(True)
        nonblank = text[~missing]
        numeric = pd.to_numeric(nonblank.iloc[:_SAMPLE], errors="coerce")
        if len(nonblank) and numeric.notna().mean() > 0.9:
            got = _from_numbers(pd.to_numeric(text.where(~missing), errors="coerce"))
            if got is not None:
                out = got[0]
            elif nonblank.str.fullmatch(r"-?\d+(\.\d+)?").fillna(False).all():
                _not_dates(values, ~missing.to_numpy(), lines, column, source)
        if out is None and len(nonblank):
            sample = nonblank.iloc[:: max(1, len(nonblank) // _SAMPLE)].iloc[:_SAMPLE]
            if dayfirst is None:
                candidates = (*_UNAMBIGUOUS, "ISO8601", *_DMY, *_MDY)
            elif dayfirst:
                candidates = (*_UNAMBIGUOUS, "ISO8601", *_DMY)
            else:
                candidates = (*_UNAMBIGUOUS, "ISO8601", *_MDY)
            scores = {}
            for fmt in candidates:
                scores[fmt] = _try(sample, fmt).notna().mean()
                if scores[fmt] == 1.0 and fmt not in _DMY + _MDY:
                    break  # an unambiguous format reads every sampled value
            best = max(scores, key=lambda f: scores[f])  # first best in candidate order
            if dayfirst is None and best in _DMY + _MDY:
                twin = _MDY if best in _DMY else _DMY
                rival = max(twin, key=lambda f: scores[f])
                if scores[rival] >= scores[best]:
                    whole_best = _try(nonblank, best).notna().mean()
                    whole_rival = _try(nonblank, rival).notna().mean()
                    if whole_rival >= whole_best:
                        raise UnparseableValuesError(
                            f"The dates in column {column!r} of {source} fit both day/month orders (e.g. "
                            f"{nonblank.iloc[0]!r}). Pass dayfirst=True (for {best if best in _DMY else rival}) "
                            f"or dayfirst=False to say which."
                        )
                    if whole_rival > whole_best:
                        best = rival
            out = _try_arrow(text, best) if best != "ISO8601" else None
            if out is None:
                out = _try(text, best)
    if out is None:
        out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    out, n_out = _as_ns(out)
    bad = out.isna() & ~missing
    n_filled = int((~missing).sum())
    if n_filled == 0:
        raise UnparseableValuesError(
            f"Column {column!r} of {source} holds no dates (every one of its {len(values):,} values is empty). Map "
            "the date column with schema={'order_date': '<column>'}, or check the separator."
        )
    if bad.sum() > max_bad_fraction * n_filled:
        pos = np.flatnonzero(bad.to_numpy() if n_filled else (~out.notna()).to_numpy())[:3]
        examples = ", ".join(f"line {lines[i]}: {_show(values.iloc[i])}" for i in pos)
        raise UnparseableValuesError(
            f"Column {column!r} of {source} cannot be read as dates ({int(bad.sum())} of {n_filled} values "
            f"unreadable; {examples}). Use ISO dates (YYYY-MM-DD), pass dayfirst=, or map another column "
            "with schema={'order_date': '<column>'}."
        )
    if bad.any() and problems is not None:
        pos = np.flatnonzero(bad.to_numpy())[:3]
        examples = ", ".join(f"line {lines[i]}: {_show(values.iloc[i])}" for i in pos)
        problems.append(f"column {column!r}: {int(bad.sum())} unreadable or out-of-range dates ({examples}); those "
                        "lines are rejected as unparseable_date")
    return out
