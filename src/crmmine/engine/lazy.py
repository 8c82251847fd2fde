"""A transaction log that stays in its engine (DuckDB or Spark) until it is aggregated.

:class:`LazyTransactions` is what :func:`crmmine.read_transactions` returns for a folder or
glob of Parquet/CSV files, a file over :data:`DUCKDB_THRESHOLD_BYTES`, ``engine="duckdb"``
or ``engine=spark_session``. It holds a view of canonical columns inside the engine; the
analysis functions (:func:`crmmine.customer_table`, :func:`crmmine.clv_summary`,
:func:`crmmine.rfm_table`, :func:`crmmine.cohort_table`, :func:`crmmine.make_baskets`,
:func:`crmmine.clean`, and the churn steps :func:`crmmine.churn_cutoffs`, :func:`crmmine.churn_labels`,
:func:`crmmine.churn_features`, :func:`crmmine.churn_backtest`, :func:`crmmine.customer_value`)
recognise it and aggregate in the engine, bringing back one row per customer (or item) as pandas.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path

import pandas as pd

from ..errors import InputError, MissingColumnError, ParameterError
from ._sql import DUCKDB, SPARK, Dialect

__all__ = ["LazyTransactions", "LazyEvents", "read_events_lazy", "DUCKDB_THRESHOLD_BYTES", "ENGINES", "duckdb_connection", "is_lazy"]

#: Files larger than this (bytes) are read with DuckDB instead of pandas by default (1 GiB).
DUCKDB_THRESHOLD_BYTES = 2**30
#: Engine names ``read_transactions`` accepts (or a SparkSession / duckdb connection object).
ENGINES = ("auto", "pandas", "duckdb")

_REQUIRED = ("customer_id", "order_id", "order_date", "product_id", "quantity")
_OPTIONAL_TEXT = ("product_name", "country", "category")
_OPTIONAL_NUMBER = ("unit_price", "discount")
_names = itertools.count()


def _view_name() -> str:
    return f"crmmine_v{os.getpid()}_{next(_names)}"


def is_lazy(obj) -> bool:
    """True for a :class:`LazyTransactions` (or a lazy clean result's parts)."""
    return isinstance(obj, LazyTransactions)


def default_memory_limit(cap: int = 4 * 2**30) -> str:
    """DuckDB's default ``memory_limit`` here: 40 % of the machine's memory, at most ``cap`` bytes."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(1, int(min(total * 0.4, cap) / 2**20))}MB"


def duckdb_connection(*, memory_limit: str | None = None, temp_directory: str | os.PathLike | None = None,
                      threads: int | None = None):
    """A DuckDB connection set up to work out of core.

    Parameters
    ----------
    memory_limit : str or None, default=None
        DuckDB's ``memory_limit`` (e.g. ``"4GB"``); ``None``: 40 % of the machine's memory, at
        most 4 GiB, so that the per-customer tables brought back to pandas still fit beside it
        (DuckDB spills the rest to ``temp_directory``). With 4 GiB, 101M generated lines (9.5M
        customers) went through read, clean, customer table, RFM, CLV fit, segments, rules and
        churn features at under 12 GB for the whole process (``benchmarks/README.md``, scale).
    temp_directory : path or None, default=None
        Where DuckDB spills; ``None``: a ``crmmine-duckdb`` folder in the system temp folder.
    threads : int or None, default=None
        DuckDB's threads; ``None``: its default (all cores).
    """
    import duckdb

    if memory_limit is None:
        memory_limit = default_memory_limit()
    if temp_directory is None:
        temp_directory = Path(tempfile.gettempdir()) / "crmmine-duckdb"
    Path(temp_directory).mkdir(parents=True, exist_ok=True)
    config = {"memory_limit": str(memory_limit), "temp_directory": str(temp_directory),
              "preserve_insertion_order": False}
    if threads is not None:
        config["threads"] = int(threads)
    con = duckdb.connect(":memory:", config=config)
    try:  # the allocator hands freed memory back to the system in the background (not only when DuckDB exits)
        con.execute("SET allocator_background_threads = true")
    except duckdb.Error:  # a DuckDB without the setting
        pass
    return con


def release_memory() -> None:
    """Hand memory freed by DuckDB, pyarrow and the C allocator back to the system (all keep freed pages
    for reuse, so after a result of millions of rows the process would keep its size; milliseconds)."""
    import pyarrow as pa

    purge_duckdb()
    pa.default_memory_pool().release_unused()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


_PURGE = None


def purge_duckdb() -> None:
    """Hand the memory DuckDB's queries freed back to the system now.

    DuckDB's allocator (jemalloc, built into the duckdb module) keeps freed pages for about ten seconds before
    returning them; meanwhile pandas builds the result's table, so both were counted at once. Measured: a traffic
    summary of 23M events left 3.3 GB in the process after the query (0 in DuckDB's own accounting), 0.2 GB after
    this purge, which takes microseconds when there is nothing to return (about 0.2 s for gigabytes). Uses the
    allocator's ``mallctl("arena.<all>.purge")``; a no-op where the duckdb module does not export it."""
    global _PURGE
    if _PURGE is None:
        _PURGE = False
        try:
            import ctypes

            import duckdb

            lib = getattr(duckdb, "_duckdb", None) or __import__("_duckdb")
            fn = ctypes.CDLL(lib.__file__).duckdb_je_mallctl
            fn.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
            fn.restype = ctypes.c_int
            _PURGE = fn
        except (ImportError, OSError, AttributeError):  # another build of DuckDB: its allocator purges on its own
            pass
    if _PURGE:
        _PURGE(b"arena.4096.purge", None, None, None, 0)  # 4096: MALLCTL_ARENAS_ALL


class _DuckBackend:
    dialect: Dialect = DUCKDB
    name = "duckdb"

    def __init__(self, con):
        self.con = con

    def arrow(self, sql: str):
        table = self.con.sql(sql).to_arrow_table()
        purge_duckdb()  # the query's working memory, before the caller converts the result
        return table

    def batches(self, sql: str, rows: int):
        """The result as a pyarrow RecordBatchReader: DuckDB streams it, a batch at a time."""
        return self.con.sql(sql).to_arrow_reader(rows)

    def view(self, sql: str) -> str:
        name = _view_name()
        self.con.execute(f"CREATE TEMP VIEW {name} AS {sql}")
        return name

    def materialize(self, sql: str) -> str:
        name = _view_name()
        self.con.execute(f"CREATE TEMP TABLE {name} AS {sql}")
        return name

    def columns(self, src: str) -> list[str]:
        return [c for c in self.con.sql(f"SELECT * FROM {src} LIMIT 0").columns]

    def types(self, src: str) -> dict[str, str]:
        rel = self.con.sql(f"SELECT * FROM {src} LIMIT 0")
        return {c: str(t).upper() for c, t in zip(rel.columns, rel.types)}

    def same(self, other) -> bool:
        return isinstance(other, _DuckBackend) and other.con is self.con


class _SparkBackend:
    dialect: Dialect = SPARK
    name = "spark"

    def __init__(self, spark):
        self.spark = spark

    def arrow(self, sql: str):
        return self.spark.sql(sql).toArrow()

    def batches(self, sql: str, rows: int):
        import pyarrow as pa

        table = self.spark.sql(sql).toArrow()  # Spark hands over the whole result; cut here
        return pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=rows))

    def view(self, sql: str) -> str:
        name = _view_name()
        self.spark.sql(sql).createOrReplaceTempView(name)
        return name

    def materialize(self, sql: str) -> str:
        from pyspark import StorageLevel

        name = _view_name()
        self.spark.sql(sql).persist(StorageLevel.MEMORY_AND_DISK).createOrReplaceTempView(name)
        return name

    def columns(self, src: str) -> list[str]:
        return list(self.spark.table(src).columns)

    def types(self, src: str) -> dict[str, str]:
        return {f.name: f.dataType.simpleString().upper() for f in self.spark.table(src).schema.fields}

    def same(self, other) -> bool:
        return isinstance(other, _SparkBackend) and other.spark is self.spark


def _is_spark_session(obj) -> bool:
    return type(obj).__name__ == "SparkSession" and hasattr(obj, "read") and hasattr(obj, "sql")


def _is_duckdb_connection(obj) -> bool:
    return type(obj).__name__ == "DuckDBPyConnection"


class LazyTransactions:
    """Canonical transactions held by DuckDB or Spark; aggregated in the engine.

    Made by :func:`crmmine.read_transactions` (a glob or folder of Parquet/CSV files, a large
    file, ``engine="duckdb"`` or ``engine=spark_session``) and by :func:`crmmine.clean` on a
    lazy input. Pass it to the analysis functions as you would a DataFrame.

    Attributes
    ----------
    engine : {"duckdb", "spark"}
        The engine that holds the lines.
    columns : list of str
        The canonical columns present.
    source : str
        What was read (a path, glob, or "DataFrame").
    """

    def __init__(self, backend, view: str, *, source: str = "", columns: list[str] | None = None,
                 attrs: dict | None = None):
        self._backend = backend
        self.view = view
        self.source = source
        self.columns = list(columns) if columns is not None else backend.columns(view)
        #: what the pandas reader keeps in ``DataFrame.attrs`` (``crmmine_source``: the preset read with)
        self.attrs = dict(attrs or {})

    # -------------------------------------------------------------- basics
    @property
    def engine(self) -> str:
        return self._backend.name

    @property
    def dialect(self) -> Dialect:
        return self._backend.dialect

    def arrow(self, sql: str):
        """Run ``sql`` (``{src}`` stands for this table) and return a pyarrow Table."""
        return self._backend.arrow(sql.replace("{src}", self.view))

    def frame(self, sql: str, *, rows: int = 1_000_000) -> pd.DataFrame:
        """Run ``sql`` (``{src}`` stands for this table) and return the result as pandas, like
        ``_arrow_to_pandas(self.arrow(sql))`` but converted a batch of ``rows`` at a time, so a result
        of millions of rows is never held twice (as Arrow and as pandas) at once."""
        reader = self._backend.batches(sql.replace("{src}", self.view), rows)
        parts: dict[str, list] = {name: [] for name in reader.schema.names}
        n = 0
        for batch in reader:
            conv = _arrow_to_pandas(batch)
            del batch
            for name in parts:
                parts[name].append(conv.pop(name))
            n += len(conv.index)
            del conv
        purge_duckdb()  # the query's working memory, before the columns are joined
        if n == 0:
            return _arrow_to_pandas(reader.schema.empty_table())
        out = pd.DataFrame(index=pd.RangeIndex(n))
        for name in list(parts):
            chunks = parts.pop(name)
            out[name] = _own(chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True), len(chunks))
            del chunks
        if n > rows:
            release_memory()
        return out

    def owned_columns(self, sql: str, *, rows: int = 1_000_000) -> dict:
        """Run ``sql`` (``{src}`` stands for this table) and return its columns, name -> pyarrow ChunkedArray, read a
        batch of ``rows`` at a time and copied into buffers of their own. An imported batch keeps every one of its
        columns alive while any of them is referenced; owned, each column is freed as soon as it is converted
        (``dict.pop``), so a result of millions of rows is not held twice, as Arrow and as pandas."""
        import pyarrow as pa

        reader = self._backend.batches(sql.replace("{src}", self.view), rows)
        schema = reader.schema
        parts: dict[str, list] = {name: [] for name in schema.names}
        n_batches = 0
        for batch in reader:
            for i, name in enumerate(schema.names):
                parts[name].append(pa.concat_arrays([batch.column(i)]))  # a copy: the batch can go
            del batch
            n_batches += 1
        out = {name: pa.chunked_array(parts.pop(name), type=schema.field(name).type) for name in schema.names}
        if n_batches > 1:
            release_memory()
        else:
            purge_duckdb()  # the query's working memory, before the caller converts the columns
        return out

    def derive(self, sql: str, *, materialize: bool = False) -> "LazyTransactions":
        """A new lazy table defined by ``sql`` over this one (``{src}``)."""
        sql = sql.replace("{src}", self.view)
        view = self._backend.materialize(sql) if materialize else self._backend.view(sql)
        return LazyTransactions(self._backend, view, source=self.source, attrs=self.attrs)

    def same_engine(self, other: "LazyTransactions") -> bool:
        return isinstance(other, LazyTransactions) and self._backend.same(other._backend)

    def __len__(self) -> int:
        return int(self.arrow("SELECT count(*) AS n FROM {src}").column(0)[0].as_py())

    def to_pandas(self, limit: int | None = None) -> pd.DataFrame:
        """The lines as a canonical pandas DataFrame (all of them, or the first ``limit``)."""
        from ..data.schema import STRING_DTYPE

        order = " ORDER BY source_line" if "source_line" in self.columns else ""  # the source's order
        sql = "SELECT * FROM {src}" + order + (f" LIMIT {int(limit)}" if limit is not None else "")
        df = _arrow_to_pandas(self.arrow(sql))
        for c in df.columns:
            if c in ("customer_id", "order_id", "product_id") + _OPTIONAL_TEXT:
                df[c] = df[c].astype(STRING_DTYPE)
        return df

    def head(self, n: int = 5) -> pd.DataFrame:
        return self.to_pandas(limit=n)

    def __repr__(self) -> str:
        return f"LazyTransactions(engine={self.engine!r}, source={self.source!r}, columns={self.columns})"


def _own(col: pd.Series, n_chunks: int) -> pd.Series:
    """``col`` in memory of its own. Text converted from Arrow batches still points into the batches'
    buffers (which hold every column of the batch: on 9.5M customers the ids kept 2 GB of
    converted batches alive), and a single batch's columns are views into it; both are copied."""
    arr = col.array
    if isinstance(arr, pd.arrays.ArrowStringArray):
        return pd.Series(pd.arrays.ArrowStringArray(owned_text(arr._pa_array)), dtype=col.dtype)
    return col.copy(deep=True) if n_chunks == 1 else col


def owned_text(col):
    """A pyarrow string column (Array or ChunkedArray) as one chunk in new buffers: a column imported from an
    engine keeps its whole record batch (every column) alive while any of its buffers is referenced."""
    import pyarrow as pa

    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    return pa.chunked_array([pa.concat_arrays(chunks) if chunks else pa.array([], type=col.type)])


def _arrow_to_pandas(table) -> pd.DataFrame:
    """A pyarrow Table as pandas: timestamps as datetime64[ns], text as pyarrow strings."""
    import pyarrow as pa

    from ..data.schema import STRING_DTYPE

    out = {}
    for name, col in zip(table.column_names, table.columns):
        t = col.type
        if pa.types.is_timestamp(t):
            out[name] = pd.Series(col.to_numpy().astype("datetime64[ns]") if col.null_count == 0
                                  else col.to_pandas().astype("datetime64[ns]"))
        elif pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
            out[name] = pd.Series(pd.arrays.ArrowStringArray(col.cast(pa.large_string())), dtype=STRING_DTYPE)
        elif pa.types.is_decimal(t):
            out[name] = pd.Series(col.cast(pa.float64()).to_numpy(zero_copy_only=False))
        else:
            out[name] = col.to_pandas()
    return pd.DataFrame(out)


# ------------------------------------------------------------------------------ reading
def _one_column_error(types: dict[str, str], source: str) -> MissingColumnError | None:
    """The error for a text file read as one column (its separator not recognised), or None."""
    if len(types) != 1:
        return None
    name = next(iter(types))
    if not (any(ch.isspace() for ch in name.strip()) or any(ch in name for ch in ",;|")):
        return None
    return MissingColumnError(
        f"The separator of {source} was not recognised: the engine read it as one column, {name!r}. Convert the "
        "file to a comma-separated CSV or Parquet, or read it with engine='pandas'."
    )


def _canonical_select(types: dict[str, str], mapping: dict[str, str], d: Dialect, *, trim: bool = True,
                      date: str | None = None, source: str = "the source", derived: tuple[str, ...] = ()) -> str:
    """``SELECT`` turning the source's columns into canonical ones (ids trimmed, blank -> NULL,
    integral ids written as floats lose their ``.0``; numbers as DOUBLE; the date as a tz-naive
    timestamp, or the expression ``date`` when given; ``amount = quantity * unit_price`` when absent).
    Columns already of the canonical type pass through untouched, and text from typed sources
    (Parquet, DataFrames) is taken as it is (``trim=False``): a string operation per line costs as
    much as the aggregation. Numbers written as text that are no numbers become NULL (as in pandas).
    ``derived``: required columns a preset's SQL adds afterwards."""
    missing = [c for c in _REQUIRED if c not in mapping and c not in derived]
    if missing or not ({"amount", "unit_price"} & set(mapping)):
        err = _one_column_error(types, source)
        if err is not None:
            raise err
        need = missing[0] if missing else "unit_price"
        raise MissingColumnError(
            f"The source has no column for {need!r} (columns found: {', '.join(types)}). Pass "
            f"schema={{'{need}': '<your column>', ...}} to map it."
        )
    sel = []
    for canon in ("customer_id", "order_id", "product_id") + _OPTIONAL_TEXT:
        if canon not in mapping:
            continue
        src = d.ident(mapping[canon])
        if _is_text(types[mapping[canon]]) and not trim:
            sel.append(f"{src} AS {canon}")
            continue
        text = f"NULLIF(trim(CAST({src} AS STRING)), '')"
        if canon in ("customer_id", "order_id", "product_id") and types[mapping[canon]].startswith(("DOUBLE", "FLOAT")):
            text = f"regexp_replace({text}, {d.regex(_TRAILING_ZEROS)}, '')"
        sel.append(f"{text} AS {canon}")

    def q(c):
        return d.ident(mapping[c])

    def num(c):
        t = types[mapping[c]]
        if t == "DOUBLE":
            return f"{q(c)} AS {c}"
        return f"TRY_CAST(trim({q(c)}) AS DOUBLE) AS {c}" if _is_text(t) else f"CAST({q(c)} AS DOUBLE) AS {c}"

    ts = types[mapping["order_date"]]
    if date is not None:
        sel.append(f"{date} AS order_date")
    else:
        sel.append(f"{q('order_date')} AS order_date" if ts in (d.timestamp_type, "TIMESTAMP_NS") and d is DUCKDB
                   or ts == d.timestamp_type else f"CAST({q('order_date')} AS {d.timestamp_type}) AS order_date")
    sel.append(num("quantity"))
    for canon in _OPTIONAL_NUMBER:
        if canon in mapping:
            sel.append(num(canon))
    if "amount" in mapping:
        sel.append(num("amount"))
    else:
        sel.append(f"CAST({q('quantity')} AS DOUBLE) * CAST({q('unit_price')} AS DOUBLE) AS amount")
    if "source_line" in mapping:
        sel.append(f"CAST({q('source_line')} AS BIGINT) AS source_line")
    return "SELECT " + ", ".join(sel)


#: the '.0' of an integral id written as a float
_TRAILING_ZEROS = r"\.0+$"


def _is_text(type_name: str) -> bool:
    return type_name.startswith(("VARCHAR", "STRING"))


_INTEGER_TYPES = ("BIGINT", "INTEGER", "INT", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "USMALLINT",
                  "UTINYINT")
_SAMPLE_DATES = 5000


def _number_date_sql(backend, raw: str, types: dict[str, str], column: str) -> str | None:
    """SQL reading the date column ``column`` when it holds numbers (an integer column, or text of digits):
    YYYYMMDD, Excel serial days or Unix seconds/milliseconds, the form chosen from the first
    ``_SAMPLE_DATES`` values by the pandas reader's own rule (:func:`crmmine.data.dates._from_numbers`);
    values outside the form become NULL, so cleaning rejects them as unparseable dates. None when the
    column holds no numbers (the engine's CAST reads it)."""
    from ..data.dates import _from_numbers

    t = types[column]
    if not (_is_text(t) or t in _INTEGER_TYPES or t in ("DOUBLE", "FLOAT", "REAL")):
        return None
    d = backend.dialect
    col = d.ident(column)
    values = _arrow_to_pandas(backend.arrow(
        f"SELECT {col} AS v FROM {raw} WHERE {col} IS NOT NULL LIMIT {_SAMPLE_DATES}"))["v"]
    if _is_text(t):  # numbers written as text, by parse_dates' rule: nine in ten read as numbers
        text = values.astype("string").str.strip()
        values = pd.to_numeric(text[text != ""], errors="coerce")
        if values.empty or not values.notna().mean() > 0.9:
            return None
    got = _from_numbers(pd.to_numeric(values, errors="coerce").astype(float).reset_index(drop=True))
    if got is None:
        return None
    n = f"TRY_CAST(trim(CAST({col} AS STRING)) AS DOUBLE)" if _is_text(t) else f"CAST({col} AS DOUBLE)"
    form = got[1]
    if form == "YYYYMMDD":
        text = f"CAST(CAST({n} AS BIGINT) AS STRING)"
        return (f"CASE WHEN {n} >= 19000101 AND {n} <= 21001231 AND {n} = floor({n}) THEN {d.yyyymmdd(text)} "
                "END")
    lo, hi, us = {"Excel serial": ("1", "200000", f"({n} - 25569) * 86400000000"),  # 25569: 1970-01-01
                  "Unix seconds": ("1e8", "1e10", f"{n} * 1000000"),
                  "Unix milliseconds": ("1e11", "1e13", f"{n} * 1000")}[form]
    return f"CASE WHEN {n} >= {lo} AND {n} < {hi} THEN {d.epoch_us(f'CAST(round({us}) AS BIGINT)')} END"


def _cdnow_sql(select: str, d: Dialect) -> str:
    """The CDNOW preset's derived columns (:func:`crmmine.data.io._derive_cdnow`) over the canonical ``select``:
    one order per record, ``order_id = customer_id-YYYYMMDD-n`` with n numbering the customer's records of
    the day, and one product, "CD". pandas numbers the records in file order, which SQL does not keep; here
    they are numbered by quantity, then amount. Records of a customer and day that tie on both are the same
    record but for their number, so every per-customer table (orders, spend, dates) is the pandas one."""
    day = d.day_text("order_date")
    n = "row_number() OVER (PARTITION BY customer_id, CAST(order_date AS DATE) ORDER BY quantity, amount)"
    return (f"SELECT customer_id, customer_id || '-' || {day} || '-' || CAST({n} AS STRING) AS order_id, "
            f"order_date, 'CD' AS product_id, quantity, amount FROM ({select}) c")


#: Presets whose derived columns the engines write in SQL: preset name -> (SQL over the canonical select,
#: the columns it adds).
_DERIVED_SQL = {"cdnow": (_cdnow_sql, ("order_id", "product_id"))}


def _engine_preset(preset) -> bool:
    return preset.derive is None or preset.name in _DERIVED_SQL


def _mapping(schema, columns: list[str]) -> tuple[dict[str, str], str | None]:
    """-> ({canonical: source column}, the preset's name or None)."""
    from ..data.io import PRESETS
    from ..data.schema import CANONICAL_COLUMNS

    if isinstance(schema, dict):
        mapping = {str(k): str(v) for k, v in schema.items()}
        bad = [v for v in mapping.values() if v not in columns]
        if bad:
            raise MissingColumnError(
                f"The schema maps to the column {bad[0]!r}, which the source does not have (columns found: "
                f"{', '.join(columns)})."
            )
        return mapping, None
    if schema in PRESETS and _engine_preset(PRESETS[schema]):
        return dict(PRESETS[schema].columns), schema
    if schema == "auto":
        # the presets first, as the pandas reader does (CDNOW's columns include 'customer_id')
        for name, preset in PRESETS.items():
            if _engine_preset(preset) and all(v in columns for v in preset.columns.values()):
                return dict(preset.columns), name
        return {c: c for c in CANONICAL_COLUMNS if c in columns}, None
    raise ParameterError(
        f"The 'schema' parameter must be 'auto', a preset the engines can read "
        f"({', '.join(k for k, p in PRESETS.items() if _engine_preset(p))}) or a dict for engine reads. "
        f"Got {schema!r} instead."
    )


def _source_kind(paths: list[str]) -> str:
    first = paths[0].lower()
    if first.endswith((".parquet", ".pq")):
        return "parquet"
    if first.endswith((".csv", ".csv.gz", ".txt", ".tsv", ".csv.zst")):
        return "csv"
    raise InputError(
        f"The engine reads Parquet or CSV files; {paths[0]!r} is neither. Convert it, or read it with engine='pandas'."
    )


def expand_source(source) -> list[str]:
    """The files a path, folder or glob names (sorted), or an error naming the source."""
    from ..errors import SourceNotFoundError

    s = str(source)
    p = Path(s).expanduser()
    if p.is_dir():
        files = sorted(str(f) for f in p.iterdir() if f.is_file() and not f.name.startswith((".", "_")))
    elif any(ch in s for ch in "*?["):
        import glob

        files = sorted(glob.glob(str(p), recursive=True))
    else:
        files = [str(p)] if p.exists() else []
    if not files:
        raise SourceNotFoundError(f"No file matches {s!r}. Check the path, folder or glob pattern.")
    return files


def _sniff_layout(files: list[str]):
    """What the pandas reader's sniffing decides for the first of ``files`` (its first 64 KB: the separator,
    None for whitespace, whether a header line comes first, the column names, CDNOW's for a header-less
    file of 4 or 5 whitespace-separated fields); None when it cannot tell (then the engine detects)."""
    from ..data import io
    from ..errors import CrmmineError

    path = Path(files[0])
    try:
        with open(path, "rb") as fh:
            kind = io._sniff_kind(path, fh.read(64))
        if kind not in ("text", "gzip"):
            return None
        return io._sniff_text(path, kind, "auto", None, "auto")
    except (CrmmineError, OSError):
        return None


def _split_lines_sql(lines: str, column: str, names: list[str], has_header: bool, d: Dialect) -> str:
    """The lines of a whitespace-separated file (the view ``lines``, text column ``column``) split into the
    fields ``names``, as text (ids keep their leading zeros); blank lines and every file's header line go."""
    lead = d.regex(r"^\s+")  # as pandas' str.split(): runs of whitespace (the CR of CRLF lines too)
    fields = d.split(f"regexp_replace(coalesce({column}, ''), {lead}, '')", r"\s+")
    cols = ", ".join(f"{d.element('f', i + 1)} AS {d.ident(n)}" for i, n in enumerate(names))
    keep = f"{d.element('f', 1)} <> ''"
    if has_header:
        same = " AND ".join(f"{d.element('f', i + 1)} = {d.string(n)}" for i, n in enumerate(names))
        keep += f" AND NOT ({same})"
    return f"SELECT {cols} FROM (SELECT {fields} AS f FROM {lines}) s WHERE {keep}"


def _engine_encoding(layout, files: list[str], engine: str) -> str | None:
    """The encoding option for the engine's CSV reader (None: UTF-8, its default), or an error naming the file
    and the encoding the sniffing found when the engine cannot decode it (DuckDB without extensions reads UTF-8, UTF-16 and
    Latin-1; Spark's CSV reader UTF-8 and Latin-1 (Spark 4 accepts a few more names, but splits UTF-16 lines
    wrongly), its text reader, used for whitespace-separated files, only UTF-8)."""
    enc = (layout.encoding if layout is not None else "utf-8").lower()
    if enc in ("utf-8", "utf-8-sig", "ascii"):
        return None
    known = {"duckdb": {"latin-1": "latin-1", "iso8859-1": "latin-1", "utf-16": "utf-16"},
             "spark": {"latin-1": "iso-8859-1", "iso8859-1": "iso-8859-1"}}[engine]
    if enc in known and not (engine == "spark" and layout.sep is None):
        return known[enc]
    raise InputError(
        f"{files[0]} is encoded in {enc}, which the {engine} engine does not read"
        f"{' for whitespace-separated text' if engine == 'spark' and enc in known else ''}. Convert the file to "
        f"UTF-8 (e.g. iconv -f {enc} -t utf-8), or read it with engine='pandas'."
    )


def _raw_view(source, engine):
    """``source`` (path, folder, glob, pandas/Spark DataFrame, DuckDB relation) as a view of ``engine``:
    the backend, the view's name, a label and whether its text needs trimming (CSV).

    Text files are read as the pandas reader sniffs the first one: a whitespace-separated file line by line,
    split into fields in SQL; a header-less file with the sniffed names."""
    if _is_spark_session(engine) or type(source).__name__ == "DataFrame" and hasattr(source, "sparkSession"):
        spark = engine if _is_spark_session(engine) else source.sparkSession
        backend = _SparkBackend(spark)
        trim = False
        if hasattr(source, "sparkSession"):
            raw = _view_name()
            source.createOrReplaceTempView(raw)
            label = "Spark DataFrame"
        else:
            files = expand_source(source)
            kind = _source_kind(files)
            layout = _sniff_layout(files) if kind == "csv" else None
            reader = spark.read
            encoding = _engine_encoding(layout, files, "spark") if kind == "csv" else None
            if encoding is not None:
                reader = reader.option("encoding", encoding)
            raw = _view_name()
            if kind == "parquet":
                df = reader.parquet(*files)
            elif layout is not None and layout.sep is None:
                lines = _view_name()
                reader.text(files).createOrReplaceTempView(lines)
                df = spark.sql(_split_lines_sql(lines, "value", layout.names, layout.has_header, SPARK))
            elif layout is not None:
                df = reader.csv(files, header=layout.has_header, inferSchema=True, sep=layout.sep)
                if not layout.has_header:
                    df = df.toDF(*layout.names)
            else:
                df = reader.csv(files, header=True, inferSchema=True)
            trim = kind == "csv"
            df.createOrReplaceTempView(raw)
            label = str(source)
    else:
        con = engine if _is_duckdb_connection(engine) else duckdb_connection()
        backend = _DuckBackend(con)
        raw = _view_name()
        trim = False
        if isinstance(source, pd.DataFrame):
            con.register(raw + "_df", source)
            con.execute(f"CREATE TEMP VIEW {raw} AS SELECT * FROM {raw}_df")
            label = "DataFrame"
        elif type(source).__name__ == "DuckDBPyRelation":
            source.create_view(raw)
            label = "DuckDB relation"
        else:
            files = expand_source(source)
            kind = _source_kind(files)
            layout = _sniff_layout(files) if kind == "csv" else None
            lst = "[" + ", ".join(DUCKDB.string(f) for f in files) + "]"
            encoding = _engine_encoding(layout, files, "duckdb") if kind == "csv" else None
            enc = f", encoding = {DUCKDB.string(encoding)}" if encoding else ""
            if kind == "parquet":
                sql = f"SELECT * FROM read_parquet({lst}, union_by_name = true)"
            elif layout is not None and layout.sep is None:
                # every line as one text field: a delimiter that text does not hold (the unit separator)
                lines = (f"(SELECT line FROM read_csv({lst}, columns = {{'line': 'VARCHAR'}}, header = false, "
                         f"delim = '{chr(31)}', quote = '', escape = '', auto_detect = false{enc}))")
                sql = _split_lines_sql(lines, "line", layout.names, layout.has_header, DUCKDB)
            elif layout is not None:
                names = "" if layout.has_header else ", names = [" + ", ".join(map(DUCKDB.string, layout.names)) + "]"
                sql = (f"SELECT * FROM read_csv_auto({lst}, union_by_name = true, delim = {DUCKDB.string(layout.sep)}, "
                       f"header = {str(layout.has_header).lower()}{names}{enc})")
            else:
                sql = f"SELECT * FROM read_csv_auto({lst}, union_by_name = true, header = true)"
            con.execute(f"CREATE TEMP VIEW {raw} AS {sql}")
            trim = kind == "csv"
            label = str(source)
    return backend, raw, label, trim


def read_lazy(source, schema="auto", *, engine) -> LazyTransactions:
    """Read ``source`` (path, folder, glob, pandas/Spark DataFrame, DuckDB relation) into ``engine``."""
    backend, raw, label, trim = _raw_view(source, engine)
    types = backend.types(raw)
    mapping, preset = _mapping(schema, list(types))
    if preset is None:  # a mapping that is a preset's
        from ..data.io import PRESETS

        preset = next((k for k, p in PRESETS.items() if p.derive is None and dict(p.columns) == mapping), None)
    date = _number_date_sql(backend, raw, types, mapping["order_date"]) if mapping.get("order_date") in types \
        else None
    d = backend.dialect
    derive, derived = _DERIVED_SQL.get(preset, (None, ()))
    select = f"{_canonical_select(types, mapping, d, trim=trim, date=date, source=label, derived=derived)} FROM {raw}"
    if derive is not None:
        select = derive(select, d)
    view = backend.view(select)
    return LazyTransactions(backend, view, source=label, attrs={"crmmine_source": {"schema": preset}} if preset else None)


class LazyEvents(LazyTransactions):
    """A canonical behaviour log (``customer_id``, ``item_id``, ``event_type``, ``event_time``,
    optionally ``category``) held by DuckDB or Spark; :func:`crmmine.funnel` counts it in the engine.
    Made by :func:`crmmine.read_events` with ``engine=``."""

    def __repr__(self) -> str:
        return f"LazyEvents(engine={self.engine!r}, source={self.source!r}, columns={self.columns})"


_EVENT_REQUIRED = ("customer_id", "event_type", "event_time")


def read_events_lazy(source, schema=None, *, engine, event_types=None) -> LazyEvents:
    """A behaviour log of canonical columns (or mapped by ``schema``, a dict canonical -> source
    column; ``session_id`` and ``price`` are kept when present) read into ``engine``; ``event_types`` maps the log's words to the canonical types
    (``view``, ``cart``, ``favourite``, ``purchase``; a word mapped to None, or not mapped when a
    mapping is given, is dropped). ``event_time`` must be a timestamp column (wall-clock time)."""
    from ..data.schema import EVENT_TYPES

    backend, raw, label, trim = _raw_view(source, engine)
    types = backend.types(raw)
    d = backend.dialect
    mapping = {c: c for c in ("customer_id", "item_id", "category", "event_type", "event_time", "session_id", "price")
               if c in types}
    if schema is not None:
        if not isinstance(schema, dict):
            raise ParameterError(f"The 'schema' parameter must be None or a dict (canonical column -> source column) "
                                 f"when the log is read by an engine. Got {schema!r} instead.")
        mapping.update({str(k): str(v) for k, v in schema.items()})
    missing = [c for c in _EVENT_REQUIRED if c not in mapping or mapping[c] not in types]
    if missing:
        raise MissingColumnError(
            f"The log has no column for {missing[0]!r} (columns found: {', '.join(types)}). Pass "
            f"schema={{'{missing[0]}': '<your column>', ...}} to map it."
        )
    def q(c):
        return d.ident(mapping[c])

    sel = []
    for c in ("customer_id", "item_id", "category"):
        if c in mapping:
            text = f"CAST({q(c)} AS STRING)"
            sel.append(f"NULLIF(trim({text}), '') AS {c}" if trim else f"{text} AS {c}")
    et = f"CAST({q('event_type')} AS STRING)"
    if event_types is not None:
        if not isinstance(event_types, dict):
            raise ParameterError(f"The 'event_types' parameter must be a dict (word in the log -> event type). Got "
                                 f"{event_types!r} instead.")
        bad = [v for v in event_types.values() if v is not None and v not in EVENT_TYPES]
        if bad:
            raise ParameterError(f"The 'event_types' parameter maps to {bad[0]!r}, which is not an event type "
                                 f"({', '.join(EVENT_TYPES)}).")
        cases = " ".join(f"WHEN {d.string(k)} THEN {d.string(v)}" for k, v in event_types.items() if v is not None)
        et = f"CASE {et} {cases} END" if cases else "CAST(NULL AS STRING)"
    sel.append(f"{et} AS event_type")
    ts = types[mapping["event_time"]]
    sel.append(f"{q('event_time')} AS event_time" if ts.startswith("TIMESTAMP") and "TIME ZONE" not in ts
               else f"CAST({q('event_time')} AS {d.timestamp_type}) AS event_time")
    if "session_id" in mapping and mapping["session_id"] in types:  # sessions of the viewed-together baskets
        text = f"CAST({q('session_id')} AS STRING)"
        sel.append(f"NULLIF(trim({text}), '') AS session_id" if trim else f"{text} AS session_id")
    if "price" in mapping and mapping["price"] in types:
        sel.append(f"CAST({q('price')} AS DOUBLE) AS price")
    inner = f"SELECT {', '.join(sel)} FROM {raw}"
    known = ", ".join(d.string(t) for t in EVENT_TYPES)
    view = backend.view(f"SELECT * FROM ({inner}) e WHERE event_type IN ({known}) AND event_time IS NOT NULL")
    return LazyEvents(backend, view, source=label)
