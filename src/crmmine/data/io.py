"""Reading a shop's transaction file into the canonical table (see :mod:`crmmine.data.schema`).

One code path serves every source: the file is sniffed (CSV, gzip'd CSV, whitespace
separated text, XLSX, Parquet), its encoding detected (UTF-8, UTF-8 with BOM, GBK/GB18030),
its header matched against a preset or mapped with a user's dict, and its values
converted: ids keep their text form, numbers and dates are read column-wide, and values
that cannot be read become missing (``clean`` rejects those lines with a reason) unless
there are so many that the column is clearly wrong, which is an error.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .dates import parse_dates
from ..errors import (
    EmptySourceError,
    MappingError,
    MissingColumnError,
    NotATableError,
    ParameterError,
    SourceNotFoundError,
    UnknownSchemaError,
    UnparseableValuesError,
)
from .schema import CANONICAL_COLUMNS, NUMERIC_COLUMNS, STRING_DTYPE, TEXT_COLUMNS

__all__ = ["read_transactions", "PRESETS", "Preset"]


@dataclass(frozen=True)
class Preset:
    """A known source layout: canonical name -> source column, plus derived columns."""

    name: str
    title: str
    columns: Mapping[str, str]
    derive: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    header_names: tuple[str, ...] | None = field(default=None)  # names for header-less files


def _derive_cdnow(tx: pd.DataFrame) -> pd.DataFrame:
    """CDNOW has no order or product ids: one order per record, one product ("CD")."""
    day = tx["order_date"].dt.strftime("%Y%m%d").astype("string")
    cust = tx["customer_id"].astype("string")
    key = cust + "-" + day
    seq = key.groupby(key, sort=False).cumcount() + 1
    tx["order_id"] = (key + "-" + seq.astype("string")).astype(STRING_DTYPE)
    tx["product_id"] = pd.array(["CD"] * len(tx), dtype=STRING_DTYPE)
    return tx


PRESETS: dict[str, Preset] = {
    "online_retail": Preset(
        "online_retail",
        "UCI Online Retail",
        {"order_id": "InvoiceNo", "product_id": "StockCode", "product_name": "Description",
         "quantity": "Quantity", "order_date": "InvoiceDate", "unit_price": "UnitPrice",
         "customer_id": "CustomerID", "country": "Country"},
    ),
    "online_retail_ii": Preset(
        "online_retail_ii",
        "UCI Online Retail II",
        {"order_id": "Invoice", "product_id": "StockCode", "product_name": "Description",
         "quantity": "Quantity", "order_date": "InvoiceDate", "unit_price": "Price",
         "customer_id": "Customer ID", "country": "Country"},
    ),
    "cdnow": Preset(
        "cdnow",
        "CDNOW (Fader, Hardie & Lee 2005)",
        {"customer_id": "customer_id", "order_date": "date", "quantity": "number_of_cds",
         "amount": "dollar_value"},
        derive=_derive_cdnow,
        header_names=("customer_id", "date", "number_of_cds", "dollar_value"),
    ),
}
_CDNOW_SAMPLE_NAMES = ("customer_id", "sample_customer_id", "date", "number_of_cds", "dollar_value")

_MAGIC_NOT_TABLE = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"BM": None,  # checked with more context below
    b"\x7fELF": "a program (ELF binary)",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"\xd0\xcf\x11\xe0": "an old Office (.xls/.doc) file; save it as .xlsx or .csv",
}


def _fail_not_table(path: Path, what: str) -> None:
    raise NotATableError(
        f"{path} is not a table but {what}. Export the transactions as CSV, XLSX or Parquet and read that file."
    )


def _sniff_kind(path: Path, head: bytes) -> str:
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    for magic, what in _MAGIC_NOT_TABLE.items():
        if head.startswith(magic) and what:
            _fail_not_table(path, what)
    if head.startswith(b"BM") and path.suffix.lower() in {".bmp", ".csv", ".txt", ""}:
        if len(head) > 14 and b"\x00" in head[:64]:
            _fail_not_table(path, "a BMP image")
    return "text"


def _detect_encoding(sample: bytes, complete: bool) -> str:
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as err:
        # a multi-byte character cut at the end of a partial sample is fine
        if not complete and err.start >= len(sample) - 3:
            return "utf-8"
    try:
        sample.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        return "cp1252"


def _split_header(line: str) -> tuple[str | None, list[str]]:
    """The separator of a text table (None = whitespace) and the first line's fields."""
    counts = {sep: line.count(sep) for sep in ("\t", ",", ";", "|")}
    sep, n = max(counts.items(), key=lambda kv: kv[1])
    if n > 0:
        return sep, [c.strip().strip('"') for c in line.split(sep)]
    return None, line.split()


def _is_number(token: str) -> bool:
    try:
        float(token)
        return True
    except ValueError:
        return False


def _read_text(path: Path, kind: str, encoding: str, schema, source_name: str) -> tuple[pd.DataFrame, str, int]:
    """Read a text table; numbers the schema maps are parsed natively, the rest read as text.

    Returns (frame, encoding, line number of the first data row).
    """
    opener = gzip.open if kind == "gzip" else open
    with opener(path, "rb") as fh:
        sample = fh.read(1 << 16)
        complete = len(sample) < (1 << 16)
    if kind == "gzip":
        _sniff_kind(path, sample[:16])  # a gzip'd picture is still not a table
    if not sample.strip():
        raise EmptySourceError(f"{path} is empty. Check the export; it should hold a header line and transaction lines.")
    if b"\x00" in sample[:4096] and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        _fail_not_table(path, "a binary file")
    enc = _detect_encoding(sample, complete) if encoding == "auto" else encoding
    try:
        text_sample = sample.decode(enc, errors="replace")
    except LookupError:
        raise ParameterError(f"The 'encoding' parameter {encoding!r} is not a known encoding. Use e.g. 'utf-8' or 'gb18030'.") from None
    first_line = text_sample.lstrip("\ufeff").splitlines()[0] if text_sample.strip() else ""
    sep, fields = _split_header(first_line)
    header_less = all(_is_number(f) for f in fields if f) and len(fields) > 1
    names = None
    if header_less:
        if sep is None and len(fields) == 4:
            names = list(PRESETS["cdnow"].header_names)
        elif sep is None and len(fields) == 5:
            names = list(_CDNOW_SAMPLE_NAMES)
        else:
            names = [f"column_{i + 1}" for i in range(len(fields))]
    kwargs = dict(
        sep=r"\s+" if sep is None else sep,
        header=None if header_less else 0,
        names=names,
        keep_default_na=False,
        na_values=[""],
        compression="gzip" if kind == "gzip" else None,
        skipinitialspace=sep is not None,
    )
    if sep is not None:
        kwargs["engine"] = "c"
    try:
        header = list(pd.read_csv(path, encoding=enc, nrows=0, **kwargs).columns) if names is None else names
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError):
        header = None
    if header is not None:
        clean_header = [str(c).strip().lstrip("\ufeff") for c in header]
        mapping, _ = _resolve_schema(schema, clean_header, source_name)
        numeric_src = {mapping[c] for c in NUMERIC_COLUMNS if c in mapping}
        kwargs["dtype"] = {h: object for h, ch in zip(header, clean_header) if ch not in numeric_src}
        if sep is not None and names is None:
            frame = _read_delimited_arrow(path, kind, sep, enc, [h for h, ch in zip(header, clean_header)
                                                                 if ch not in numeric_src])
            if frame is not None:
                frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
                return frame, enc, 2
    else:
        kwargs["dtype"] = object
    try:
        frame = pd.read_csv(path, encoding=enc, **kwargs)
    except UnicodeDecodeError:
        if encoding != "auto":
            raise UnparseableValuesError(
                f"{path} cannot be decoded as {encoding!r}. Pass encoding='auto' or the file's real encoding."
            ) from None
        enc = "gb18030" if enc.startswith("utf-8") else "cp1252"
        frame = pd.read_csv(path, encoding=enc, **kwargs)
    except pd.errors.EmptyDataError:
        raise EmptySourceError(f"{path} is empty. Check the export; it should hold a header line and transaction lines.") from None
    except pd.errors.ParserError as err:
        raise NotATableError(f"{path} cannot be read as a table ({str(err).splitlines()[0]}). Check the separator and quoting.") from None
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    return frame, enc, (1 if header_less else 2)


def _read_delimited_arrow(path: Path, kind: str, sep: str, enc: str, text_columns: list[str]) -> pd.DataFrame | None:
    """Fast path: pyarrow's multi-threaded CSV reader; ``None`` when it cannot read the file
    (ragged lines, odd quoting), and the caller falls back to pandas' parser."""
    arrow_enc = "utf8" if enc in ("utf-8", "utf-8-sig") else enc
    try:
        stream = pa.input_stream(str(path), compression="gzip" if kind == "gzip" else None)
        table = pacsv.read_csv(
            stream,
            read_options=pacsv.ReadOptions(encoding=arrow_enc, block_size=1 << 23),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in text_columns}, strings_can_be_null=True,
                null_values=[""], quoted_strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError, LookupError):
        return None
    cols = {}
    for name, col in zip(table.column_names, table.columns):
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            cols[name] = pd.Series(pd.arrays.ArrowStringArray(col))
        elif pa.types.is_null(col.type):
            cols[name] = pd.Series(np.full(len(col), np.nan))
        else:
            try:
                cols[name] = pd.Series(col.to_numpy(zero_copy_only=False))
            except (pa.ArrowInvalid, TypeError):
                cols[name] = pd.Series(col.to_pandas())
    return pd.DataFrame(cols)


def _read_excel(path: Path, sheet_name) -> tuple[pd.DataFrame, np.ndarray]:
    try:
        sheets = pd.read_excel(path, sheet_name=sheet_name if sheet_name is not None else None, dtype=object)
    except Exception as err:  # openpyxl raises many kinds for a broken zip
        raise NotATableError(f"{path} cannot be read as an Excel workbook ({err}). Save it again as .xlsx or .csv.") from None
    if isinstance(sheets, pd.DataFrame):
        sheets = {str(sheet_name): sheets}
    frames = []
    for name, sheet in sheets.items():
        sheet = sheet.copy()
        sheet.columns = [str(c).strip() for c in sheet.columns]
        sheet["__line"] = np.arange(2, len(sheet) + 2)
        sheet["__sheet"] = name
        frames.append(sheet)
    frames = [f for f in frames if len(f)]
    if not frames:
        raise EmptySourceError(f"{path} has no data rows in any sheet.")
    if len(frames) > 1:
        first_cols = [c for c in frames[0].columns if not c.startswith("__")]
        if all([c for c in f.columns if not c.startswith("__")] == first_cols for f in frames):
            return _merge_overlapping_sheets(frames, first_cols), None
        frames = frames[:1]  # sheets of different layouts: the first one is the data
    frame = frames[0]
    return frame, None


def _merge_overlapping_sheets(frames: list[pd.DataFrame], cols: list[str]) -> pd.DataFrame:
    """Stack sheets of one layout; lines repeated in two sheets' overlapping period appear once.

    UCI Online Retail II's two sheets both hold 2010-12-01..2010-12-09. Within the date
    window where sheets overlap, a line that occurs k times in one sheet and m times in
    another is kept max(k, m) times: lines duplicated within a sheet stay (they are data
    for cleaning), lines repeated across sheets are read once. Outside the overlap
    nothing is dropped.
    """
    date_col = next((c for c in cols if "date" in c.lower()), None)
    out = [frames[0]]
    for nxt in frames[1:]:
        prev = pd.concat(out, ignore_index=True)
        if date_col is None:
            out.append(nxt)
            continue
        pd_dates = pd.to_datetime(prev[date_col], errors="coerce")
        nx_dates = pd.to_datetime(nxt[date_col], errors="coerce")
        lo, hi = max(pd_dates.min(), nx_dates.min()), min(pd_dates.max(), nx_dates.max())
        if pd.isna(lo) or pd.isna(hi) or lo > hi:
            out.append(nxt)
            continue
        in_prev = prev[(pd_dates >= lo) & (pd_dates <= hi)]
        in_next_mask = (nx_dates >= lo) & (nx_dates <= hi)
        in_next = nxt[in_next_mask]
        key_prev = in_prev[cols].astype(str).agg("\x1f".join, axis=1)
        key_next = in_next[cols].astype(str).agg("\x1f".join, axis=1)
        have = key_prev.value_counts()
        occurrence = key_next.groupby(key_next).cumcount() + 1
        already = key_next.map(have).fillna(0).to_numpy()
        keep_next = occurrence.to_numpy() > already
        kept = nxt[~in_next_mask.to_numpy()]
        out.append(pd.concat([in_next[keep_next], kept]).sort_values("__line", kind="stable"))
    return pd.concat(out, ignore_index=True)


def _read_source(source, *, encoding: str, sheet_name, schema) -> tuple[pd.DataFrame, np.ndarray, dict]:
    """Any source -> (frame of raw columns, source line per row, info)."""
    if isinstance(source, pd.DataFrame):
        if source.empty:
            raise EmptySourceError("The DataFrame passed as source has no rows.")
        frame = source.copy()
        frame.columns = [str(c).strip() for c in frame.columns]
        return frame, np.arange(1, len(frame) + 1), {"source": "DataFrame", "format": "DataFrame"}
    if not isinstance(source, (str, Path)):
        raise ParameterError(
            f"The 'source' parameter must be a file path or a pandas DataFrame. Got {type(source).__name__} instead."
        )
    path = Path(source).expanduser()
    if not path.exists():
        raise SourceNotFoundError(f"{path} does not exist. Check the path (working directory: {Path.cwd()}).")
    if path.is_dir():
        raise NotATableError(f"{path} is a folder, not a file. Give the path of the transaction file inside it.")
    if path.stat().st_size == 0:
        raise EmptySourceError(f"{path} is empty (0 bytes). Check the export; it should hold a header and transaction lines.")
    with open(path, "rb") as fh:
        head = fh.read(64)
    kind = _sniff_kind(path, head)
    info = {"source": str(path), "format": kind}
    if kind == "parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as err:
            raise NotATableError(f"{path} cannot be read as Parquet ({err}).") from None
        if frame.empty:
            raise EmptySourceError(f"{path} has no rows.")
        return frame, np.arange(1, len(frame) + 1), info
    if kind == "xlsx":
        frame, _ = _read_excel(path, sheet_name)
        lines = frame.pop("__line").to_numpy()
        frame.pop("__sheet")
        return frame, lines, info
    frame, enc, first = _read_text(path, kind, encoding, schema, str(path))
    if frame.empty:
        raise EmptySourceError(f"{path} has a header but no transaction lines.")
    info["encoding"] = enc
    return frame, np.arange(first, first + len(frame)), info


def _resolve_schema(schema, columns: list[str], source_name: str) -> tuple[dict[str, str], Preset | None]:
    """-> ({canonical: source column}, preset or None)."""
    if isinstance(schema, (str, Path)) and str(schema).lower().endswith(".json"):
        p = Path(schema)
        if not p.exists():
            raise SourceNotFoundError(f"The schema mapping file {p} does not exist.")
        try:
            schema = json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise MappingError(f"The schema mapping file {p} is not valid JSON ({err}).") from None
    if isinstance(schema, Mapping):
        unknown = [k for k in schema if k not in CANONICAL_COLUMNS]
        if unknown:
            raise MappingError(
                f"The schema mapping uses {unknown[0]!r}, which is not a canonical column. Canonical columns: "
                f"{', '.join(c for c in CANONICAL_COLUMNS if c != 'source_line')}."
            )
        for canon, col in schema.items():
            if col not in columns:
                raise MappingError(
                    f"The schema mapping points {canon!r} to column {col!r}, which is not in {source_name} "
                    f"(columns found: {', '.join(columns)})."
                )
        mapping = dict(schema)
        for c in CANONICAL_COLUMNS:  # canonical names already in the file are taken as they are
            if c not in mapping and c in columns and c not in mapping.values():
                mapping[c] = c
        return mapping, None
    if not isinstance(schema, str):
        raise ParameterError(
            f"The 'schema' parameter must be 'auto', a preset name, a dict or a .json mapping file. Got {schema!r} instead."
        )
    if schema == "auto":
        colset = set(columns)
        for preset in PRESETS.values():
            if set(preset.columns.values()) <= colset:
                return dict(preset.columns), preset
        canon = {c: c for c in CANONICAL_COLUMNS if c in colset}
        return canon, None
    if schema not in PRESETS:
        raise UnknownSchemaError(
            f"The schema {schema!r} is not a known preset. Known presets: {', '.join(PRESETS)}; "
            "or pass 'auto' or a mapping {canonical column: your column}."
        )
    preset = PRESETS[schema]
    missing = [src for src in preset.columns.values() if src not in columns]
    if missing:
        raise MissingColumnError(
            f"{source_name} has no column {missing[0]!r}, which the {preset.title} preset needs (columns found: "
            f"{', '.join(columns)}). Pass schema='auto' or a mapping."
        )
    return dict(preset.columns), preset


def _text_by_codes(values: pd.Series, clean_one) -> pd.Series:
    """Apply ``clean_one`` to each distinct value once, then take by code (fast on repeated text)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    cleaned = [clean_one(u) for u in np.asarray(uniques, dtype=object)]
    dictionary = pa.array(cleaned, type=pa.string())
    idx = pa.array(codes, mask=codes < 0, type=pa.int64())
    return pd.Series(pd.arrays.ArrowStringArray(dictionary.take(idx)), index=values.index)


def _clean_text(x) -> str | None:
    if x is None or (isinstance(x, float) and x != x) or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    t = str(x).strip()
    return t or None


def _arrow_text(values: pd.Series) -> pd.Series:
    """Trim whitespace, blank -> missing, in pyarrow compute (values already pyarrow strings)."""
    arr = pc.utf8_trim_whitespace(_as_arrow(values))
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=values.index)


def _is_arrow_text(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow" and \
        values.dtype.na_value is pd.NA


def _to_id(values: pd.Series) -> pd.Series:
    """Ids as text: integral floats lose the '.0' export artefact, leading zeros stay."""
    if _is_arrow_text(values):
    
        s = _arrow_text(values)
        arr = _as_arrow(s)
        uniques = pc.unique(arr).drop_null()
        if len(uniques) and pc.all(pc.match_substring_regex(uniques, r"^-?\d+\.0+$")).as_py():
            s = pd.Series(pd.arrays.ArrowStringArray(pc.replace_substring_regex(arr, r"\.0+$", "")),
                          index=values.index)
        return s
    s = _text_by_codes(values, _clean_text)
    uniques = pd.Series(s.unique()).dropna()
    if len(uniques) and uniques.astype("string").str.fullmatch(r"-?\d+\.0+").all():
        s = _text_by_codes(s, lambda t: None if t is None or t is pd.NA else t.split(".")[0])
    return s


def _to_text(values: pd.Series) -> pd.Series:
    if _is_arrow_text(values):
        return _arrow_text(values)
    return _text_by_codes(values, _clean_text)


def _as_arrow(values: pd.Series):
    """The pyarrow (chunked) array behind a pyarrow-backed Series."""
    return pa.array(values.array)


def _to_number(values: pd.Series, column: str, lines: np.ndarray, source_name: str,
               max_bad_fraction: float) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    text = values.astype("string").str.strip()
    blank = text.isna() | (text == "")
    num = pd.to_numeric(text.where(~blank), errors="coerce").astype("float64")
    bad = num.isna() & ~blank
    if bad.any():
        # decimal commas ("2,55") or thousands separators ("1,234.50")
        alt = text.str.replace(r"^(-?\d+),(\d+)$", r"\1.\2", regex=True).str.replace(",", "", regex=False)
        num2 = pd.to_numeric(alt.where(~blank), errors="coerce").astype("float64")
        if num2.notna().sum() > num.notna().sum():
            num = num2
            bad = num.isna() & ~blank
    n_filled = int((~blank).sum())
    if n_filled and bad.sum() > max_bad_fraction * n_filled:
        pos = np.flatnonzero(bad.to_numpy())[:3]
        examples = ", ".join(f"line {lines[i]}: {values.iloc[i]!r}" for i in pos)
        raise UnparseableValuesError(
            f"Column {column!r} of {source_name} cannot be read as numbers ({int(bad.sum())} of {n_filled} values "
            f"unreadable; {examples}). Fix the export or map another column with schema={{...}}."
        )
    return num


def _resolve_engine(source, engine):
    """``"pandas"``, ``"duckdb"`` or the engine object given (a SparkSession or duckdb connection)."""
    from ..engine.lazy import DUCKDB_THRESHOLD_BYTES, ENGINES, _is_duckdb_connection, _is_spark_session

    if _is_spark_session(engine) or _is_duckdb_connection(engine):
        return engine
    if engine not in ENGINES:
        raise ParameterError(
            f"The 'engine' parameter must be one of {', '.join(map(repr, ENGINES))}, a SparkSession or a duckdb "
            f"connection. Got {engine!r} instead."
        )
    if hasattr(source, "sparkSession") and type(source).__name__ == "DataFrame":  # a Spark DataFrame
        return source.sparkSession
    if engine != "auto":
        return engine
    if isinstance(source, (str, Path)):
        text = str(source)
        path = Path(text).expanduser()
        if any(ch in text for ch in "*?[") and not path.exists():
            return "duckdb"
        if path.is_dir():
            return "duckdb"
        try:
            big = path.is_file() and path.stat().st_size > DUCKDB_THRESHOLD_BYTES
        except OSError:
            big = False
        if big and path.name.lower().endswith((".parquet", ".pq", ".csv", ".csv.gz", ".tsv", ".txt")):
            return "duckdb"
    return "pandas"


def read_transactions(
    source,
    schema="auto",
    *,
    encoding: str = "auto",
    dayfirst: bool | None = None,
    sheet_name: str | int | None = None,
    max_bad_fraction: float = 0.1,
    engine="auto",
):
    """Read a transaction file (or DataFrame) into the canonical table.

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        A CSV (optionally gzip-compressed, any common separator or whitespace), XLSX or
        Parquet file, or a DataFrame with the source's columns.
    schema : {"auto", "online_retail", "online_retail_ii", "cdnow"}, dict or str, default="auto"
        How the source's columns map to canonical ones. ``"auto"`` recognises the presets
        from the header (and files already in canonical names); a dict maps canonical
        names to the source's columns, e.g. ``{"customer_id": "会员ID", "order_id": "订单号"}``;
        a path ending in ``.json`` holds such a dict.
    encoding : str, default="auto"
        Text encoding; ``"auto"`` detects UTF-8, UTF-8 with BOM and GBK/GB18030.
    dayfirst : bool or None, default=None
        Day/month order of dates like ``03/04/2011``; ``None`` decides from the data and
        raises if the data cannot tell.
    sheet_name : str, int or None, default=None
        For workbooks: one sheet; ``None`` reads every sheet of the same layout, lines
        repeated in the overlap of two sheets once (UCI Online Retail II).
    max_bad_fraction : float, default=0.1
        A numeric or date column with more unreadable values than this fraction is an
        error; fewer become missing values that :func:`crmmine.clean` rejects with a reason.
    engine : {"auto", "pandas", "duckdb"}, SparkSession or duckdb connection, default="auto"
        Where the lines live. ``"pandas"``: in memory, as a DataFrame. ``"duckdb"`` (or a
        duckdb connection): a :class:`crmmine.engine.LazyTransactions` held by DuckDB, which
        spills to disk, so a log larger than memory works. A ``SparkSession``: held by Spark
        (the ``crmmine[spark]`` extra). ``"auto"``: DuckDB for a folder or glob of
        Parquet/CSV files and for a file over :data:`crmmine.engine.DUCKDB_THRESHOLD_BYTES`,
        else pandas. Engine reads take Parquet or CSV with canonical column names, a preset
        without derived columns or a mapping dict; dates must already be timestamps or ISO text.

    Returns
    -------
    pandas.DataFrame
        Canonical columns (see :mod:`crmmine.data.schema`), in canonical order, one row per
        source line, in source order; ``source_line`` is the line (CSV) or row (sheet)
        number in the source. ``attrs["crmmine_source"]`` records the source, format,
        encoding and schema.

    Raises
    ------
    SourceNotFoundError, EmptySourceError, NotATableError
        The path is missing, empty or not a table.
    UnknownSchemaError, MappingError, MissingColumnError
        The schema is not a preset, a mapping points to a missing column, or a required
        column is missing.
    UnparseableValuesError
        Most values of a number or date column cannot be read.

    Examples
    --------
    >>> import crmmine
    >>> tx = crmmine.read_transactions(crmmine.datasets.online_retail_sample_path())
    >>> list(tx.columns[:4])
    ['customer_id', 'order_id', 'order_date', 'product_id']
    """
    if not 0 <= max_bad_fraction <= 1:
        raise ParameterError(f"The 'max_bad_fraction' parameter must be in [0, 1]. Got {max_bad_fraction!r} instead.")
    if not isinstance(encoding, str):
        raise ParameterError(f"The 'encoding' parameter must be a string such as 'auto'. Got {encoding!r} instead.")
    engine = _resolve_engine(source, engine)
    if engine != "pandas":
        from ..engine.lazy import read_lazy

        return read_lazy(source, schema, engine=engine)
    frame, lines, info = _read_source(source, encoding=encoding, sheet_name=sheet_name, schema=schema)
    source_name = info["source"] if info["source"] != "DataFrame" else "the DataFrame"
    columns = [str(c) for c in frame.columns]
    mapping, preset = _resolve_schema(schema, columns, source_name)
    has = set(mapping)
    needed = ["customer_id", "order_date", "quantity"]
    if not (preset and preset.derive):
        needed = ["customer_id", "order_id", "order_date", "product_id", "quantity"]
    missing = [c for c in needed if c not in has]
    if not missing and not ({"unit_price", "amount"} & has):
        missing = ["unit_price"]
    if missing:
        how = "recognised as no preset; " if schema == "auto" else ""
        raise MissingColumnError(
            f"{source_name} has no column for {missing[0]!r} ({how}columns found: {', '.join(columns)}). "
            f"Pass schema={{'{missing[0]}': '<your column>', ...}} to map it, or use a preset: {', '.join(PRESETS)}."
        )

    out: dict[str, pd.Series] = {}
    for canon, col in mapping.items():
        values = frame[col]
        if canon in TEXT_COLUMNS:
            is_id = canon in ("customer_id", "order_id", "product_id")
            out[canon] = _to_id(values) if is_id else _to_text(values)
        elif canon in NUMERIC_COLUMNS:
            out[canon] = _to_number(values, col, lines, source_name, max_bad_fraction)
        elif canon == "order_date":
            out[canon] = parse_dates(values, column=col, dayfirst=dayfirst, line_numbers=lines,
                                     max_bad_fraction=max_bad_fraction, source=source_name)
    tx = pd.DataFrame(out)
    tx.index = pd.RangeIndex(len(tx))
    if "amount" not in tx:
        tx["amount"] = tx["quantity"] * tx["unit_price"]
    elif "unit_price" not in tx:
        q = tx["quantity"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            tx["unit_price"] = np.where(q != 0, tx["amount"].to_numpy() / q, np.nan)
    tx["source_line"] = np.asarray(lines, dtype="int64")
    if preset and preset.derive:
        tx = preset.derive(tx)
    tx = tx[[c for c in CANONICAL_COLUMNS if c in tx.columns]]
    tx.attrs["crmmine_source"] = {**info, "schema": preset.name if preset else ("mapping" if isinstance(schema, Mapping) else str(schema)),
                                  "lines": int(len(tx))}
    return tx

