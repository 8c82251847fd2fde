"""Canonical behaviour events (one row per view, cart, favourite or purchase) read from any log.

:func:`read_events` reads a log (CSV with or without header, gzip'd CSV, Parquet, XLSX or a
DataFrame), maps its columns to the canonical ones (a preset such as ``"taobao"`` or a
mapping) and its own words for the behaviour to the four canonical event types, and splits
the lines into kept events and rejected lines, each with a reason, plus an audit whose lines
add up to the input, as :func:`crmmine.clean` does for transactions.

==============  ==================  ==================================================
column          dtype               notes
==============  ==================  ==================================================
customer_id     category (text)     customer or visitor id
item_id         category (text)     item (product) id
category        category (text)     optional: item category
event_type      ordered category    view < cart < favourite < purchase
event_time      datetime64[ns]      local wall-clock time of the shop (``tz``), naive
session_id      category (text)     optional: the log's session id
price           float64             optional: item price
source_line     int64               line (row) of the source the event came from
==============  ==================  ==================================================

Text columns are pandas categoricals: an event log repeats a few hundred thousand ids over
millions of lines, and integer codes keep 100M events in memory (see ``benchmarks/README.md``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from ..data.dates import parse_dates
from ..data.schema import EVENT_TYPE_DTYPE, EVENT_TYPES
from ..errors import (
    CrmmineError,
    EmptySourceError,
    InputError,
    MappingError,
    MissingColumnError,
    NotATableError,
    ParameterError,
    SourceNotFoundError,
    UnknownSchemaError,
)
from ..text.labels import label

__all__ = [
    "EVENT_COLUMNS",
    "EVENT_TYPES",
    "EVENT_PRESETS",
    "EVENT_RULES",
    "EVENT_TYPE_WORDS",
    "EventPreset",
    "EventLog",
    "read_events",
    "validate_events",
    "events_to_transactions",
    "sessionize",
    "load_events",
]

#: Canonical event columns, in order.
EVENT_COLUMNS: tuple[str, ...] = ("customer_id", "item_id", "category", "event_type", "event_time", "session_id",
                                  "price", "source_line")
_REQUIRED = ("customer_id", "item_id", "event_type", "event_time")
_TEXT = ("customer_id", "item_id", "category", "session_id")

#: A log's words for behaviour (lower case) -> canonical event type; ``None`` = not a funnel event (ignored
#: with a reason). Used when ``event_types`` is not given; a preset's own words come first.
EVENT_TYPE_WORDS: dict[str, str | None] = {
    **dict.fromkeys(("view", "views", "pv", "page_view", "pageview", "detail", "detail_view", "click", "browse",
                     "浏览", "点击"), "view"),
    **dict.fromkeys(("cart", "addtocart", "add_to_cart", "add-to-cart", "addcart", "add", "加购", "加入购物车"), "cart"),
    **dict.fromkeys(("fav", "favourite", "favorite", "wishlist", "like", "collect", "收藏"), "favourite"),
    **dict.fromkeys(("buy", "purchase", "transaction", "order", "checkout", "sale", "购买", "下单"), "purchase"),
    **dict.fromkeys(("remove_from_cart", "removefromcart", "remove", "remove-from-cart"), None),
}

#: Every rule of :func:`read_events`, in the order applied (a line takes the first reason it meets).
EVENT_RULES: tuple[str, ...] = ("truncated_line", "malformed_line", "unparseable_time", "missing_customer_id",
                                "missing_item_id", "unknown_event_type", "ignored_event_type", "duplicate",
                                "out_of_window")
_SWITCHABLE = ("duplicate", "out_of_window")


@dataclass(frozen=True)
class EventPreset:
    """A known event-log layout: canonical name -> source column, words, time zone, window."""

    name: str
    title: str
    columns: Mapping[str, str]
    header_names: tuple[str, ...] | None = None  # names of a header-less file's fields
    event_types: Mapping[str, str | None] | None = None
    tz: str | None = None
    window: tuple[str, str] | None = None


EVENT_PRESETS: dict[str, EventPreset] = {
    # Zhu et al. (2018), Alibaba Tianchi "User Behavior Data from Taobao for Recommendation"
    "taobao": EventPreset(
        "taobao", "Taobao UserBehavior (Alibaba Tianchi)",
        {"customer_id": "user_id", "item_id": "item_id", "category": "category_id", "event_type": "behavior_type",
         "event_time": "timestamp"},
        header_names=("user_id", "item_id", "category_id", "behavior_type", "timestamp"),
        event_types={"pv": "view", "cart": "cart", "fav": "favourite", "buy": "purchase"},
        tz="Asia/Shanghai",
        window=("2017-11-25", "2017-12-04"),  # the data set's documented period (to 2017-12-03 inclusive)
    ),
    # RetailRocket e-commerce data set (Kaggle), events.csv
    "retailrocket": EventPreset(
        "retailrocket", "RetailRocket events",
        {"customer_id": "visitorid", "item_id": "itemid", "event_type": "event", "event_time": "timestamp"},
        event_types={"view": "view", "addtocart": "cart", "transaction": "purchase"},
    ),
    # REES46 "eCommerce behavior data from multi category store" (Kaggle)
    "rees46": EventPreset(
        "rees46", "REES46 multi-category store",
        {"customer_id": "user_id", "item_id": "product_id", "category": "category_id", "event_type": "event_type",
         "event_time": "event_time", "session_id": "user_session", "price": "price"},
        event_types={"view": "view", "cart": "cart", "remove_from_cart": None, "purchase": "purchase"},
    ),
}


@dataclass
class EventLog:
    """What :func:`read_events` returns.

    Attributes
    ----------
    events : pandas.DataFrame
        The kept events (canonical columns, source order).
    rejected : pandas.DataFrame
        The rejected lines: the canonical columns as far as they could be read, ``source_event`` (the
        log's word for the behaviour), ``raw_line`` (the text of a line that could not be split) and
        ``reason`` (a rule of :data:`EVENT_RULES`).
    audit : pandas.DataFrame
        ``rule``, ``description``, ``lines``, ``share_of_lines``: the input first, then one row per rule,
        then the kept events; the rows after the first add up to it.
    source : dict
        The source, format, schema, time zone and window.
    """

    events: pd.DataFrame
    rejected: pd.DataFrame
    audit: pd.DataFrame
    source: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"EventLog(events={len(self.events):,}, rejected={len(self.rejected):,})"


# --------------------------------------------------------------------------- reading raw fields
def _check_source(source) -> Path | None:
    if isinstance(source, pd.DataFrame):
        if source.empty:
            raise EmptySourceError("The DataFrame passed as source has no rows.")
        return None
    if not isinstance(source, (str, Path)):
        raise ParameterError(f"The 'source' parameter must be a file path or a pandas DataFrame. "
                             f"Got {type(source).__name__} instead.")
    path = Path(source).expanduser()
    if not path.exists():
        raise SourceNotFoundError(f"{path} does not exist. Check the path (working directory: {Path.cwd()}).")
    if path.is_dir():
        raise NotATableError(f"{path} is a folder, not a file. Give the path of the event log inside it.")
    if path.stat().st_size == 0:
        raise EmptySourceError(f"{path} is empty (0 bytes). Check the export; it should hold event lines.")
    return path


def _head_bytes(path: Path, n: int = 1 << 16) -> tuple[bytes, bool]:
    import gzip

    with open(path, "rb") as fh:
        magic = fh.read(2)
    opener = gzip.open if magic == b"\x1f\x8b" else open
    with opener(path, "rb") as fh:
        data = fh.read(n)
    return data, magic == b"\x1f\x8b"


def _ends_with_newline(path: Path, gz: bool) -> bool:
    if gz:
        import gzip

        last = b""
        with gzip.open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                last = chunk
        return last.endswith(b"\n")
    with open(path, "rb") as fh:
        fh.seek(-1, 2)
        return fh.read(1) == b"\n"


def _last_line(path: Path) -> str | None:
    """The text of a plain file's last line when the file does not end with a newline, else None."""
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 4096))
        tail = fh.read()
    if tail.endswith(b"\n") or b"\n" not in tail:
        return None
    return tail.rsplit(b"\n", 1)[1].decode("utf-8", errors="replace").rstrip("\r")


def _encoding(sample: bytes) -> str:
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as err:
        if err.start >= len(sample) - 3:
            return "utf-8"
    return "gb18030"


def _is_number(token: str) -> bool:
    try:
        float(token)
        return True
    except ValueError:
        return False


def _read_text(path: Path, schema) -> tuple[pd.DataFrame, np.ndarray, list[tuple[int, str, bool]], dict]:
    """A text log -> (frame of text columns, source line of each row, [(line, text, truncated)], info)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    sample, gz = _head_bytes(path)
    if b"\x00" in sample[:4096]:
        raise NotATableError(f"{path} is not a table but a binary file. Export the events as CSV or Parquet.")
    enc = _encoding(sample)
    text = sample.decode(enc, errors="replace").lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    counts = {sep: first.count(sep) for sep in (",", "\t", ";", "|")}
    sep = max(counts, key=counts.get)
    if counts[sep] == 0:
        raise NotATableError(f"{path} cannot be read as a table: its first line has no separator (, ; | or tab). "
                             "Export the events as CSV.")
    fields = [f.strip().strip('"') for f in first.split(sep)]
    preset = EVENT_PRESETS.get(schema) if isinstance(schema, str) else None
    header_less = preset is not None and preset.header_names is not None
    if schema == "auto" and len(fields) == 5 and _is_number(fields[0]) and _is_number(fields[-1]) \
            and fields[3].lower() in EVENT_PRESETS["taobao"].event_types:
        header_less, preset = True, EVENT_PRESETS["taobao"]
    if header_less and len(fields) != len(preset.header_names):
        raise MissingColumnError(
            f"{path} has {len(fields)} fields per line, but the {preset.title} layout has {len(preset.header_names)} "
            f"({', '.join(preset.header_names)}). Pass another schema or a mapping.")
    names = list(preset.header_names) if header_less else None
    bad: list[tuple[int | None, str]] = []

    def handler(row):
        bad.append((row.number, row.text))
        return "skip"

    def read(threads: bool):
        bad.clear()
        stream = pa.input_stream(str(path), compression="gzip" if gz else None)
        ropts = pacsv.ReadOptions(encoding="utf8" if enc.startswith("utf-8") else enc, use_threads=threads,
                                  block_size=1 << 23, column_names=names)
        copts = pacsv.ConvertOptions(strings_can_be_null=True, null_values=[""], quoted_strings_can_be_null=True,
                                     column_types=None)
        return pacsv.read_csv(stream, read_options=ropts,
                              parse_options=pacsv.ParseOptions(delimiter=sep, invalid_row_handler=handler),
                              convert_options=copts)

    try:
        names_known = names if names is not None else [f for f in fields]
        table = read(True)
        if bad and any(n is None for n, _ in bad):
            last = _last_line(path) if not gz and len(bad) == 1 else None
            if last is not None and bad[0][1] == last:  # the usual case: only the last line is cut off
                bad[0] = ((1 if names is not None else 2) + table.num_rows, last)
            else:
                table = read(False)  # line numbers of bad rows are only known single-threaded
    except (pa.ArrowInvalid, UnicodeDecodeError) as err:
        raise NotATableError(f"{path} cannot be read as a table ({str(err).splitlines()[0]}). "
                             "Check the separator and quoting.") from None
    del names_known
    frame = pd.DataFrame({c: pd.Series(col.to_pandas(types_mapper=None)) if not pa.types.is_string(col.type)
                          else pd.Series(pd.arrays.ArrowStringArray(col.cast(pa.string())))
                          for c, col in zip(table.column_names, table.columns)})
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    first_data = 1 if header_less else 2
    n_lines = len(frame) + len(bad)
    lines_all = np.arange(first_data, first_data + n_lines)
    bad_lines = np.array([n for n, _ in bad], dtype=np.int64)
    lines = np.setdiff1d(lines_all, bad_lines, assume_unique=True) if len(bad) else lines_all
    ends_nl = _ends_with_newline(path, gz) if bad else True
    last_line = first_data + n_lines - 1
    malformed = [(int(n), t, (not ends_nl) and n == last_line) for n, t in bad]
    info = {"source": str(path), "format": "gzip" if gz else "text", "encoding": enc, "header": not header_less}
    return frame, lines, malformed, {**info, "preset": preset.name if header_less else None}


def _read_frame(source, schema) -> tuple[pd.DataFrame, np.ndarray, list, dict]:
    path = _check_source(source)
    if path is None:
        frame = source.copy()
        frame.columns = [str(c).strip() for c in frame.columns]
        return frame, np.arange(1, len(frame) + 1), [], {"source": "DataFrame", "format": "DataFrame"}
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic == b"PAR1":
        try:
            frame = pd.read_parquet(path)
        except Exception as err:  # noqa: BLE001 - pyarrow raises many kinds
            raise NotATableError(f"{path} cannot be read as Parquet ({err}).") from None
        return frame, np.arange(1, len(frame) + 1), [], {"source": str(path), "format": "parquet"}
    if magic.startswith(b"PK"):
        try:
            frame = pd.read_excel(path, dtype=object)
        except Exception as err:  # noqa: BLE001
            raise NotATableError(f"{path} cannot be read as an Excel workbook ({err}).") from None
        frame.columns = [str(c).strip() for c in frame.columns]
        return frame, np.arange(2, len(frame) + 2), [], {"source": str(path), "format": "xlsx"}
    return _read_text(path, schema)


def _load_mapping(schema):
    if isinstance(schema, (str, Path)) and str(schema).lower().endswith(".json"):
        p = Path(schema).expanduser()
        if not p.exists():
            raise SourceNotFoundError(f"The schema mapping file {p} does not exist.")
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise MappingError(f"The schema mapping file {p} is not valid JSON ({err}).") from None
    return schema


def _resolve(schema, columns: list[str], source_name: str, detected: str | None) -> tuple[dict, EventPreset | None]:
    """-> ({canonical: source column}, preset or None)."""
    if isinstance(schema, Mapping):
        unknown = [k for k in schema if k not in EVENT_COLUMNS or k == "source_line"]
        if unknown:
            raise MappingError(f"The schema mapping uses {unknown[0]!r}, which is not a canonical event column. "
                               f"Canonical event columns: {', '.join(EVENT_COLUMNS[:-1])}.")
        for canon, col in schema.items():
            if col not in columns:
                raise MappingError(f"The schema mapping points {canon!r} to column {col!r}, which is not in "
                                   f"{source_name} (columns found: {', '.join(columns)}).")
        mapping = dict(schema)
        for c in EVENT_COLUMNS[:-1]:
            if c not in mapping and c in columns and c not in mapping.values():
                mapping[c] = c
        return mapping, None
    if not isinstance(schema, str):
        raise ParameterError(f"The 'schema' parameter must be 'auto', an event preset ({', '.join(EVENT_PRESETS)}), "
                             f"a dict or a .json mapping file. Got {schema!r} instead.")
    if detected is not None:
        schema = detected
    if schema == "auto":
        colset = set(columns)
        for preset in EVENT_PRESETS.values():
            if preset.header_names is None and set(preset.columns.values()) <= colset:
                return dict(preset.columns), preset
        return {c: c for c in EVENT_COLUMNS[:-1] if c in colset}, None
    if schema not in EVENT_PRESETS:
        raise UnknownSchemaError(f"The schema {schema!r} is not a known event preset. Known presets: "
                                 f"{', '.join(EVENT_PRESETS)}; or pass 'auto' or a mapping {{canonical column: your column}}.")
    preset = EVENT_PRESETS[schema]
    missing = [src for src in preset.columns.values() if src not in columns]
    if missing:
        raise MissingColumnError(f"{source_name} has no column {missing[0]!r}, which the {preset.title} preset needs "
                                 f"(columns found: {', '.join(columns)}). Pass schema='auto' or a mapping.")
    return dict(preset.columns), preset


# --------------------------------------------------------------------------- converting columns
def _as_text_arrow(values: pd.Series):
    """Trimmed text with blanks as nulls, as one pyarrow string array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    if pd.api.types.is_float_dtype(values):
        ok = values.notna() & np.isfinite(values.fillna(0)) & (values.fillna(0) % 1 == 0)
        if bool(ok[values.notna()].all()):
            values = values.astype("Int64")
    try:
        arr = pa.array(values.array) if isinstance(values.dtype, pd.StringDtype) else None
    except (pa.ArrowInvalid, TypeError):
        arr = None
    if arr is None or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pa.array(values.astype("string").array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = arr.cast(pa.string())
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def _to_category(values: pd.Series) -> pd.Categorical:
    """Ids and names as a categorical (codes in order of first appearance); '12.0' export artefacts -> '12'."""
    arr = _as_text_arrow(values)
    enc = arr.dictionary_encode()
    codes = enc.indices.to_numpy(zero_copy_only=False)
    codes = np.where(np.asarray(enc.indices.is_null()), -1, codes).astype(np.int64)
    cats = pd.Index(enc.dictionary.to_pylist(), dtype=object)
    if len(cats) and cats.str.fullmatch(r"-?\d+\.0+").all():
        cats = cats.str.replace(r"\.0+$", "", regex=True)
        fixed, uniq = pd.factorize(cats)
        codes = np.where(codes >= 0, fixed[np.maximum(codes, 0)], -1)
        cats = pd.Index(uniq, dtype=object)
    return pd.Categorical.from_codes(codes.astype(np.int32), categories=pd.Index(cats, dtype="str"))


_OFFSET = re.compile(r"(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})$")


def _to_time(values: pd.Series, column: str, tz: str | None, lines: np.ndarray, source_name: str) -> pd.Series:
    """Event times as naive local wall-clock time in ``tz``; NaT where unreadable.

    Unix epochs and times with an offset (``Z``, ``UTC``, ``+08:00``) are instants: converted to ``tz``
    (UTC when ``tz`` is None). Times without an offset are taken as already local.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        if getattr(values.dt, "tz", None) is not None:
            out = values.dt.tz_convert(tz or "UTC").dt.tz_localize(None)
            return out.astype("datetime64[ns]")
        return values.astype("datetime64[ns]")
    instant = False
    if pd.api.types.is_numeric_dtype(values):
        instant = True
        text = None
    else:
        text = pd.Series(_as_text_arrow(values).to_pandas(types_mapper=pd.ArrowDtype), index=values.index)
        text = text.astype("string")
        sample = text.dropna().iloc[:2000]
        num = pd.to_numeric(sample, errors="coerce")
        if len(sample) and num.notna().mean() > 0.9:
            instant = True
            values = pd.to_numeric(text, errors="coerce")
        elif len(sample) and sample.str.contains(_OFFSET).mean() > 0.5:
            norm = text.str.replace(r"\s*(UTC|GMT)$", "+00:00", regex=True)
            parsed = pd.to_datetime(norm, format="ISO8601", utc=True, errors="coerce")
            if parsed.notna().sum() >= 0.9 * text.notna().sum():
                out = parsed.dt.tz_convert(tz or "UTC").dt.tz_localize(None).astype("datetime64[ns]")
                _check_bad(out, text.notna(), values, column, lines, source_name)
                return out
    out = parse_dates(values if text is None or instant else text, column=column, line_numbers=lines,
                      source=source_name, max_bad_fraction=0.1)
    if instant and tz is not None:
        out = out.dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None).astype("datetime64[ns]")
    return out


def _check_bad(out, filled, values, column, lines, source_name):
    from ..errors import UnparseableValuesError

    bad = out.isna() & filled
    if bad.sum() > 0.1 * max(int(filled.sum()), 1):
        pos = np.flatnonzero(bad.to_numpy())[:3]
        examples = ", ".join(f"line {lines[i]}: {values.iloc[i]!r}" for i in pos)
        raise UnparseableValuesError(f"Column {column!r} of {source_name} cannot be read as times ({int(bad.sum())} "
                                     f"values unreadable; {examples}). Use ISO times or Unix seconds.")


def _event_words(event_types, preset: EventPreset | None) -> dict[str, str | None]:
    if event_types is None:
        words = dict(EVENT_TYPE_WORDS)
        if preset is not None and preset.event_types:
            words.update(preset.event_types)
        return words
    if not isinstance(event_types, Mapping) or not event_types:
        raise ParameterError("The 'event_types' parameter must be a non-empty dict {your word: canonical type}, e.g. "
                             f"{{'pv': 'view', 'addtocart': 'cart'}}. Got {event_types!r} instead.")
    bad = [v for v in event_types.values() if v is not None and v not in EVENT_TYPES]
    if bad:
        raise ParameterError(f"The 'event_types' parameter maps to {bad[0]!r}, which is not an event type. Event "
                             f"types: {', '.join(EVENT_TYPES)} (or None to ignore a word).")
    return {str(k).strip().lower(): v for k, v in event_types.items()}


def _check_tz(tz):
    if tz is None:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(tz, str) or not tz:
        raise ParameterError(f"The 'tz' parameter must be a time zone name such as 'Asia/Shanghai' or None. "
                             f"Got {tz!r} instead.")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ParameterError(f"The 'tz' parameter must be a time zone name such as 'Asia/Shanghai' or 'UTC'. "
                             f"Got {tz!r} instead.") from None
    return tz


def _check_window(window):
    if window is None:
        return None
    from ..validation import check_date

    if not isinstance(window, (tuple, list)) or len(window) != 2:
        raise ParameterError(f"The 'window' parameter must be None or a pair (start, end) of dates. Got {window!r} "
                             "instead.")
    start, end = check_date("window", window[0]), check_date("window", window[1])
    if start is not None and end is not None and end <= start:
        raise ParameterError(f"The 'window' parameter's end must be after its start. Got {window!r} instead.")
    return start, end


# --------------------------------------------------------------------------- read_events
def read_events(source, schema="auto", *, event_types=None, tz="preset", window="preset", skip=(),
                engine=None) -> EventLog:
    """Read a behaviour log into canonical events; every line kept or rejected with a reason.

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        A CSV (any common separator, with or without header, optionally gzip'd), Parquet or XLSX file, or
        a DataFrame with the log's columns.
    schema : {"auto", "taobao", "retailrocket", "rees46"}, dict or str, default="auto"
        How the log's columns map to canonical ones. ``"taobao"`` reads Alibaba's UserBehavior layout (no
        header; ``user_id, item_id, category_id, behavior_type, timestamp``); ``"auto"`` recognises it and
        the other presets, and files in canonical names; a dict maps canonical names to the log's columns,
        e.g. ``{"customer_id": "visitorid", "event_type": "event", ...}``; a path ending in ``.json`` holds one.
    event_types : dict or None, default=None
        The log's words -> canonical event type (``"view"``, ``"cart"``, ``"favourite"``, ``"purchase"``)
        or ``None`` for a word that is not a funnel event (e.g. ``remove_from_cart``: rejected as
        ``ignored_event_type``). Matched case-insensitively. ``None`` uses the preset's words and
        :data:`EVENT_TYPE_WORDS`.
    tz : str, None or "preset", default="preset"
        The shop's time zone: ``event_time`` is the local wall-clock time there. Unix epochs and times
        with an offset are converted to it; times without an offset are taken as local already.
        ``"preset"`` uses the preset's zone (Taobao: ``"Asia/Shanghai"``, China time UTC+8), else None
        (UTC for instants).
    window : (start, end), None or "preset", default="preset"
        Events outside ``[start, end)`` (local time) are rejected as ``out_of_window``. ``"preset"`` uses
        the preset's documented period (Taobao: 2017-11-25 to 2017-12-03), else None (no window).
    skip : iterable of str, default=()
        Rules to turn off: ``"duplicate"`` (an event equal to an earlier one in every column) and
        ``"out_of_window"``.
    engine : None, "pandas", "duckdb", a DuckDB connection or a SparkSession, default=None
        With an engine, a log of canonical columns (or mapped by a dict ``schema``; ``event_time`` a
        timestamp column, e.g. an EventLog's events written to Parquet), a folder or a glob of
        Parquet/CSV files, stays in the engine: the result is a :class:`crmmine.engine.LazyEvents`
        that :func:`crmmine.funnel` counts in the engine (no rejection audit; ``event_types`` maps
        words exactly, events of other words are dropped; ``tz``, ``window`` and ``skip`` are not
        applied).

    Returns
    -------
    EventLog
        ``.events`` (kept, canonical columns), ``.rejected`` (with ``reason``), ``.audit``, ``.source``.
        With an engine: a :class:`crmmine.engine.LazyEvents`.

    Raises
    ------
    SourceNotFoundError, EmptySourceError, NotATableError
        The path is missing, empty or not a table.
    UnknownSchemaError, MappingError, MissingColumnError
        Not a preset, a mapping points to a missing column, or a required column is missing.
    UnparseableValuesError
        Most event times cannot be read.

    Examples
    --------
    >>> import crmmine
    >>> log = crmmine.read_events(crmmine.datasets.events_sample_path())
    >>> list(log.events.columns[:5])
    ['customer_id', 'item_id', 'category', 'event_type', 'event_time']
    """
    if engine is not None and not (isinstance(engine, str) and engine == "pandas"):
        from ..engine.lazy import read_events_lazy

        if isinstance(engine, str) and engine != "duckdb":
            raise ParameterError(f"The 'engine' parameter must be None, 'pandas', 'duckdb', a DuckDB connection or a "
                                 f"SparkSession. Got {engine!r} instead.")
        if isinstance(schema, str) and schema != "auto":
            raise ParameterError(f"The 'schema' parameter must be 'auto' or a dict when the log is read by an engine. "
                                 f"Got {schema!r} instead.")
        return read_events_lazy(source, None if isinstance(schema, str) else schema, engine=engine,
                                event_types=event_types)
    schema = _load_mapping(schema)
    skip = (skip,) if isinstance(skip, str) else tuple(skip)
    unknown = [s for s in skip if s not in _SWITCHABLE]
    if unknown:
        raise ParameterError(f"The 'skip' parameter names {unknown[0]!r}, which is not a switchable rule. "
                             f"Switchable rules: {', '.join(_SWITCHABLE)}.")
    frame, lines, malformed, info = _read_frame(source, schema)
    source_name = info["source"] if info["source"] != "DataFrame" else "the DataFrame"
    columns = [str(c) for c in frame.columns]
    mapping, preset = _resolve(schema, columns, source_name, info.pop("preset", None))
    missing = [c for c in _REQUIRED if c not in mapping]
    if missing:
        how = "recognised as no preset; " if schema == "auto" else ""
        raise MissingColumnError(
            f"{source_name} has no column for {missing[0]!r} ({how}columns found: {', '.join(columns)}). Pass "
            f"schema={{'{missing[0]}': '<your column>', ...}} to map it, or use a preset: {', '.join(EVENT_PRESETS)}.")
    tz = _check_tz(preset.tz if (tz == "preset" and preset) else (None if tz == "preset" else tz))
    window = _check_window(preset.window if (window == "preset" and preset) else (None if window == "preset" else window))
    words = _event_words(event_types, preset)

    n = len(frame)
    out: dict[str, object] = {}
    for canon in ("customer_id", "item_id", "category"):
        if canon in mapping:
            out[canon] = _to_category(frame[mapping[canon]])
    raw_type = _to_category(frame[mapping["event_type"]])
    lower = pd.Index(raw_type.categories.astype(str)).str.lower()
    mapped = np.array([words.get(w, "__unknown__") if w in words else "__unknown__" for w in lower], dtype=object)
    type_codes = np.full(len(lower) + 1, -1, dtype=np.int8)  # last slot: a missing word
    for i, m in enumerate(mapped):
        type_codes[i] = EVENT_TYPES.index(m) if m in EVENT_TYPES else (-2 if m is None else -1)
    type_codes[-1] = -1
    codes = type_codes[np.where(raw_type.codes >= 0, raw_type.codes, len(lower))]
    out["event_type"] = pd.Categorical.from_codes(np.maximum(codes, -1).astype(np.int8), dtype=EVENT_TYPE_DTYPE)
    out["event_time"] = _to_time(frame[mapping["event_time"]], mapping["event_time"], tz, lines, source_name)
    if "session_id" in mapping:
        out["session_id"] = _to_category(frame[mapping["session_id"]])
    if "price" in mapping:
        out["price"] = pd.to_numeric(pd.Series(frame[mapping["price"]]).astype("string").str.strip()
                                     if not pd.api.types.is_numeric_dtype(frame[mapping["price"]])
                                     else frame[mapping["price"]], errors="coerce").astype("float64").to_numpy()
    out["source_line"] = np.asarray(lines, dtype=np.int64)
    ev = pd.DataFrame({k: out[k] for k in EVENT_COLUMNS if k in out})
    ev.index = pd.RangeIndex(n)
    source_event = raw_type

    # rules, in order; 0 = kept
    code_of = {r: i + 1 for i, r in enumerate(EVENT_RULES)}
    reason = np.zeros(n, dtype=np.int8)
    undecided = np.ones(n, dtype=bool)

    def mark(rule, mask):
        hit = mask & undecided
        reason[hit] = code_of[rule]
        undecided[hit] = False

    mark("unparseable_time", ev["event_time"].isna().to_numpy())
    mark("missing_customer_id", ev["customer_id"].isna().to_numpy())
    mark("missing_item_id", ev["item_id"].isna().to_numpy())
    mark("unknown_event_type", codes == -1)
    mark("ignored_event_type", codes == -2)
    if "duplicate" not in skip:
        cols = [c for c in ev.columns if c != "source_line"]
        mark("duplicate", ev.duplicated(subset=cols, keep="first").to_numpy())
    if window is not None and "out_of_window" not in skip:
        t = ev["event_time"]
        outside = np.zeros(n, dtype=bool)
        if window[0] is not None:
            outside |= (t < window[0]).to_numpy()
        if window[1] is not None:
            outside |= (t >= window[1]).to_numpy()
        mark("out_of_window", outside)

    events = ev.loc[undecided].reset_index(drop=True)
    rej = ev.loc[~undecided].copy()
    rej["source_event"] = pd.Series(source_event, index=ev.index).loc[~undecided].astype(object)
    rej["raw_line"] = None
    rej["reason"] = pd.Categorical.from_codes(reason[~undecided] - 1, categories=list(EVENT_RULES))
    if malformed:
        mal = pd.DataFrame({"source_line": np.array([m[0] for m in malformed], dtype=np.int64),
                            "raw_line": [m[1] for m in malformed],
                            "reason": pd.Categorical(["truncated_line" if m[2] else "malformed_line" for m in malformed],
                                                     categories=list(EVENT_RULES))})
        rej = pd.concat([rej, mal], ignore_index=True)
        for c in ("event_type",):
            rej[c] = pd.Categorical(rej[c], dtype=EVENT_TYPE_DTYPE)
    rej = rej.sort_values("source_line", kind="stable").reset_index(drop=True)

    total = n + len(malformed)
    counts = rej["reason"].value_counts().reindex(list(EVENT_RULES), fill_value=0)
    rows = [("input", label("events.audit.input"), total)]
    rows += [(r, label(f"events.reason.{r}"), int(counts[r])) for r in EVENT_RULES]
    rows.append(("kept", label("events.audit.kept"), len(events)))
    audit = pd.DataFrame(rows, columns=["rule", "description", "lines"])
    audit["share_of_lines"] = audit["lines"] / max(total, 1)
    if int(audit["lines"].iloc[1:].sum()) != total:
        raise CrmmineError("Internal error: reading events did not account for every line; please report it.")
    info.update(schema=preset.name if preset else ("mapping" if isinstance(schema, Mapping) else str(schema)),
                tz=tz, window=None if window is None else [None if w is None else f"{w:%Y-%m-%d %H:%M:%S}"
                                                           for w in window],
                lines=total, events=len(events), rejected=len(rej))
    events.attrs["crmmine_source"] = dict(info)
    return EventLog(events=events, rejected=rej, audit=audit, source=info)


# --------------------------------------------------------------------------- checks and conversions
def _lazy(events):
    """The :class:`crmmine.engine.LazyEvents` of ``events`` (itself, or an EventLog's), else None."""
    from ..engine.lazy import LazyEvents

    if isinstance(events, EventLog):
        events = events.events
    return events if isinstance(events, LazyEvents) else None


def validate_events(events, *, name: str = "events") -> pd.DataFrame:
    """Check that ``events`` is a canonical event table (or an :class:`EventLog`) and return the table.

    Raises
    ------
    MissingColumnError
        Not a DataFrame, a required column is missing, ``event_time`` is not a datetime column, or
        ``event_type`` holds values other than the canonical types.
    """
    if isinstance(events, EventLog):
        events = events.events
    if not isinstance(events, pd.DataFrame):
        raise MissingColumnError(f"The '{name}' parameter must be a DataFrame of canonical events or an EventLog. "
                                 f"Got {type(events).__name__} instead; read a log with crmmine.read_events(path).")
    missing = [c for c in _REQUIRED if c not in events.columns]
    if missing:
        raise MissingColumnError(f"The '{name}' table has no column {missing[0]!r} (columns found: "
                                 f"{', '.join(map(str, events.columns))}). Read the log with crmmine.read_events.")
    if not pd.api.types.is_datetime64_any_dtype(events["event_time"]):
        raise MissingColumnError(f"The '{name}' table's 'event_time' column must hold datetimes. Got dtype "
                                 f"{events['event_time'].dtype} instead; read the log with crmmine.read_events.")
    et = events["event_type"]
    if not (isinstance(et.dtype, pd.CategoricalDtype) and list(et.cat.categories) == list(EVENT_TYPES)):
        bad = pd.Index(et.dropna().unique()).difference(list(EVENT_TYPES))
        if len(bad):
            raise MissingColumnError(f"The '{name}' table's 'event_type' column holds {bad[0]!r}, which is not an "
                                     f"event type ({', '.join(EVENT_TYPES)}). Map the log's words with "
                                     "read_events(..., event_types={...}).")
        events = events.assign(event_type=pd.Categorical(et, dtype=EVENT_TYPE_DTYPE))
    return events


def events_to_transactions(events, *, order_by="session") -> pd.DataFrame:
    """Purchase events as canonical transactions, so the rest of crmmine runs on them.

    One order line per purchase event: ``quantity`` 1, ``unit_price`` and ``amount`` the event's price.
    Purchases of one customer form one order per session (``session_id``) when the log has sessions and
    ``order_by="session"``, else per event time to the second.

    Parameters
    ----------
    events : pandas.DataFrame or EventLog
        Canonical events with a ``price`` column.
    order_by : {"session", "time"}, default="session"

    Returns
    -------
    pandas.DataFrame
        Canonical transaction columns: customer_id, order_id, order_date, product_id, quantity, unit_price,
        amount, category (when present), source_line. Lines without a price have a missing amount, which
        :func:`crmmine.clean` rejects with a reason.

    Raises
    ------
    MissingColumnError
        The events have no ``price`` column.
    """
    ev = validate_events(events)
    if order_by not in ("session", "time"):
        raise ParameterError(f"The 'order_by' parameter must be one of 'session', 'time'. Got {order_by!r} instead.")
    if "price" not in ev.columns:
        raise MissingColumnError("The events have no 'price' column, so purchases cannot become transactions. "
                                 "Map the log's price column with read_events(..., schema={'price': '<column>', ...}).")
    from ..data.schema import STRING_DTYPE

    buy = ev.loc[(ev["event_type"] == "purchase").to_numpy()]
    cust = buy["customer_id"].astype(STRING_DTYPE)
    if order_by == "session" and "session_id" in buy.columns and buy["session_id"].notna().any():
        key = buy["session_id"].astype(STRING_DTYPE).fillna(buy["event_time"].dt.strftime("%Y%m%d%H%M%S").astype(STRING_DTYPE))
    else:
        key = buy["event_time"].dt.strftime("%Y%m%d%H%M%S").astype(STRING_DTYPE)
    tx = pd.DataFrame({
        "customer_id": cust.to_numpy(),
        "order_id": (cust + "-" + key).astype(STRING_DTYPE).to_numpy(),
        "order_date": buy["event_time"].to_numpy(),
        "product_id": buy["item_id"].astype(STRING_DTYPE).to_numpy(),
        "quantity": np.ones(len(buy)),
        "unit_price": buy["price"].to_numpy(dtype="float64"),
        "amount": buy["price"].to_numpy(dtype="float64"),
    })
    for c in ("customer_id", "order_id", "product_id"):
        tx[c] = tx[c].astype(STRING_DTYPE)
    if "category" in buy.columns:
        tx["category"] = buy["category"].astype(STRING_DTYPE).to_numpy()
    tx["source_line"] = buy["source_line"].to_numpy(dtype="int64") if "source_line" in buy else np.arange(1, len(buy) + 1)
    return tx.reset_index(drop=True)


def sessionize(events, *, gap_minutes: int = 30) -> pd.Series:
    """Session numbers from inactivity gaps: a new session starts after ``gap_minutes`` without an event.

    The usual web-analytics rule (a 30-minute inactivity timeout; Catledge & Pitkow 1995 measured a mean
    gap of 9.3 minutes between a user's actions and derived 25.5 minutes). Vectorised: one sort.

    Returns
    -------
    pandas.Series of int64
        Index like ``events``: a session number, unique over the whole log, increasing with time per customer.
    """
    from ..validation import check_int

    ev = validate_events(events)
    gap_minutes = check_int("gap_minutes", gap_minutes, lo=1)
    cust = ev["customer_id"].cat.codes.to_numpy() if isinstance(ev["customer_id"].dtype, pd.CategoricalDtype) \
        else pd.factorize(ev["customer_id"])[0]
    t = ev["event_time"].to_numpy().astype("datetime64[s]").astype(np.int64)
    order = np.lexsort((t, cust))
    c, tt = cust[order], t[order]
    new = np.ones(len(c), dtype=bool)
    new[1:] = (c[1:] != c[:-1]) | (tt[1:] - tt[:-1] > 60 * gap_minutes)
    sid = np.cumsum(new) - 1
    out = np.empty(len(c), dtype=np.int64)
    out[order] = sid
    return pd.Series(out, index=ev.index, name="session")


#: At most this much memory for DuckDB when it holds an event log (bytes; 40 % of the machine below it). Less than for
#: order lines (4 GiB): the behaviour report keeps per-visitor tables of millions of visitors (features at two cutoffs,
#: scores, the prospect list) beside the engine; on 100M generated events (13M visitors) the report peaked at 11.2 GiB
#: with 4 GiB (benchmarks/README.md). DuckDB spills what does not fit to disk.
EVENTS_MEMORY_CAP = 3 * 2**30


def load_events(data_path="sample", *, schema="auto", engine=None, **options) -> EventLog:
    """Read an event log: :func:`read_events` of a file, or ``"sample"`` for the bundled generated sample.

    Parameters
    ----------
    data_path : str or pathlib.Path, default="sample"
    schema : str or dict, default="auto"
    engine : None, "pandas", "auto" or "duckdb", default=None
        ``"duckdb"``: the events stay in DuckDB (``.events`` is a :class:`crmmine.engine.LazyEvents` that
        the behaviour functions aggregate there). A Parquet file, folder or glob of canonical columns
        (or mapped by a dict ``schema``) is read by DuckDB itself, with no rejection audit (the audit says
        every line was kept; ``tz``, ``window`` and ``skip`` are not applied); anything else (the sample,
        a CSV, a preset such as ``"taobao"``) is read and checked by :func:`read_events` as usual, and its
        kept events are handed to DuckDB. ``"auto"``: DuckDB for a folder or glob, else pandas.
    **options
        Passed to :func:`read_events` (``event_types``, ``tz``, ``window``, ``skip``).
    """
    if str(data_path) == "sample":
        from ..datasets import events_sample_path

        data_path = events_sample_path()
    if engine not in (None, "pandas", "auto", "duckdb"):
        raise ParameterError(f"The 'engine' parameter must be one of 'pandas', 'auto', 'duckdb'. Got {engine!r} "
                             "instead.")
    many = any(ch in str(data_path) for ch in "*?[") or Path(str(data_path)).is_dir()
    if engine == "auto":
        engine = "duckdb" if many else None
    if engine != "duckdb":
        return read_events(data_path, schema=schema, **options)
    from ..engine.lazy import default_memory_limit, duckdb_connection, expand_source, read_events_lazy

    con = duckdb_connection(memory_limit=default_memory_limit(EVENTS_MEMORY_CAP))
    parquet = (many or str(data_path).lower().endswith((".parquet", ".pq"))) and all(
        f.lower().endswith((".parquet", ".pq")) for f in expand_source(data_path))
    if parquet and (isinstance(schema, Mapping) or schema == "auto"):
        lazy = read_events_lazy(str(data_path), dict(schema) if isinstance(schema, Mapping) else None, engine=con,
                                event_types=options.get("event_types"))
        n = len(lazy)
        audit = pd.DataFrame([("input", label("events.audit.input"), n), ("kept", label("events.audit.kept"), n)],
                             columns=["rule", "description", "lines"])
        audit["share_of_lines"] = audit["lines"] / max(n, 1)
        info = {"source": str(data_path), "format": "parquet", "engine": "duckdb",
                "schema": "mapping" if isinstance(schema, Mapping) else "canonical", "tz": None, "window": None,
                "lines": n, "events": n, "rejected": 0}
        rejected = pd.DataFrame({c: pd.Series(dtype=object) for c in ("source_line", "reason")})
        return EventLog(events=lazy, rejected=rejected, audit=audit, source=info)
    log = read_events(data_path, schema=schema, **options)  # read and checked as usual, then handed to DuckDB
    lazy = read_events_lazy(log.events, None, engine=con)
    return EventLog(events=lazy, rejected=log.rejected, audit=log.audit, source={**log.source, "engine": "duckdb"})
