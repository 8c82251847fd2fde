"""What a report shows a person: escaped text, labelled and formatted tables, what the run was run on.

Every value that comes from the data (a product name, a customer id, a country) reaches a report page
through this module, and this module escapes it: :func:`escape` is the one place. Report notebooks
show text with :func:`show` (headings and paragraphs as HTML, never Markdown built from data) and
tables with :func:`table` (labels from :mod:`crmmine.text` in the report's language, percent,
money and thousands formatted, no index, no scientific notation, at most ``max_rows`` rows; the full
table goes to the CSV artefact).
"""

from __future__ import annotations

import html as _html
import inspect
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..text.labels import LABELS, get_language, label

__all__ = [
    "escape",
    "show",
    "table",
    "column_label",
    "format_money",
    "format_percent",
    "load_data",
    "prepared_key",
    "run_summary",
    "report_currency",
    "headline",
    "history_window",
    "lines_before",
    "evaluation_cutoff",
    "skipped_text",
    "files_table",
    "reconcile_at_risk",
    "feature_label",
    "readable_features",
    "importance_text",
    "PRESET_CURRENCY",
]


# how a column is shown, by name (a name may also be given explicitly to table())
_PERCENT = frozenset({
    "customer_share", "revenue_share", "share", "share_of_lines", "share_of_revenue", "p_churn", "probability_alive",
    "confidence", "support", "return_rate", "value_pct", "antecedent_support", "consequent_support", "hit_rate",
    "precision", "recall", "coverage", "precision_at_k", "recall_at_k", "churn_rate", "p_alive", "p_no_purchase",
    "score", "item_share", "order_share", "retention", "catalog_coverage",
})
_MONEY = frozenset({
    "monetary_total", "monetary_mean", "revenue", "historical_value", "predicted_value", "potential_value",
    "total_value", "expected_spend", "value_at_risk", "gross_value", "returns_value", "net_value", "amount",
    "mean_value", "spend", "expected_value", "typical_value", "line_value", "clv",
})
_INT_DAYS = frozenset({"recency_days", "tenure_days", "mean_interpurchase_days", "days_since_last_purchase"})


# --------------------------------------------------------------------------- text
def escape(value) -> str:
    """A value from the data as text that HTML and Markdown show literally (the one escape of the reports).

    ``<``, ``>``, ``&`` and quotes become HTML entities; Markdown punctuation is left alone because
    report text is shown as HTML (:func:`show`), never parsed as Markdown.

    Examples
    --------
    >>> escape("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return _html.escape(str(value), quote=True)


class _Html:
    """An HTML fragment with ``_repr_html_`` (what Jupyter and nbconvert show) and ``str``."""

    def __init__(self, fragment: str):
        self.fragment = fragment

    def _repr_html_(self) -> str:
        return self.fragment

    def __str__(self) -> str:
        return self.fragment

    def __repr__(self) -> str:  # plain-text output of the cell: nothing raw (the HTML is what people see)
        return ""


def show(*paragraphs, heading: str | None = None, level: int = 2, title: str | None = None) -> _Html:
    """Headings and paragraphs as escaped HTML: the way report notebooks show words.

    Parameters
    ----------
    *paragraphs : str
        Sentences (e.g. findings); each becomes a ``<p>``, escaped. ``None`` and ``""`` are skipped.
    heading : str, optional
        A section heading (``<h{level}>``).
    level : int, default=2
    title : str, optional
        The report's title (``<h1>``), shown before the heading.
    """
    parts = []
    if title:
        parts.append(f"<h1>{escape(title)}</h1>")
    if heading:
        parts.append(f"<h{int(level)}>{escape(heading)}</h{int(level)}>")
    for p in paragraphs:
        if p is None or p == "":
            continue
        if isinstance(p, _Html):
            parts.append(p.fragment)
        elif isinstance(p, (list, tuple)):
            parts.append("<ul>" + "".join(f"<li>{escape(x)}</li>" for x in p) + "</ul>")
        else:
            parts.append(f"<p>{escape(p)}</p>")
    return _Html("\n".join(parts))


# --------------------------------------------------------------------------- numbers
def format_money(amount, currency: str = "") -> str:
    """``1234.5`` -> ``"1,235 EUR"`` (or ``"1,235"`` without a currency); no decimals above 100."""
    if amount is None or (isinstance(amount, float) and not math.isfinite(amount)):
        return "–" if amount is None or math.isnan(amount) else ("∞" if amount > 0 else "−∞")
    amount = float(amount)
    text = f"{amount:,.0f}" if abs(amount) >= 100 else f"{amount:,.2f}"
    return f"{text} {currency}".strip() if currency else text


def format_percent(share) -> str:
    """``0.2104`` -> ``"21%"``; below 1% one decimal (``"0.4%"``); ``nan`` -> ``"–"``."""
    if share is None or not np.isfinite(share):
        return "–"
    pct = 100 * float(share)
    if pct != 0 and abs(pct) < 1:
        return f"{pct:.1f}%"
    return f"{pct:.0f}%"


def _format_number(x) -> str:
    if x is None:
        return "–"
    if isinstance(x, (bool, np.bool_)):
        return label("report.yes") if x else label("report.no")
    if isinstance(x, (int, np.integer)):
        return f"{int(x):,}"
    x = float(x)
    if math.isnan(x):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x.is_integer() and abs(x) < 1e15:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 0.01 or x == 0:
        return f"{x:,.2f}"
    return f"{x:.4f}"


def column_label(name: str, lang: str | None = None) -> str:
    """The readable label of a column name (``"monetary_total"`` -> ``"Total spend"``), in ``lang``.

    Looks up ``column.<name>`` then ``customer.column.<name>`` in :data:`crmmine.text.LABELS`.
    """
    for key in (f"column.{name}", f"customer.column.{name}"):
        if key in LABELS:
            return label(key, lang)
    return str(name).replace("_", " ").capitalize()


_VALUE_LABELS = {
    "rfm_segment": "rfm.segment.{}",
    "lifecycle_state": "lifecycle.state.{}",
    "tier": "churn.tier.{}",
    "from_state": "lifecycle.state.{}",
    "to_state": "lifecycle.state.{}",
    "status": "report.status.{}",
    "recommender": "column.recommender.{}",
    "model": "column.model.{}",
    "rule": "column.rule.{}",
}


def _value_labels(col: str, values: pd.Series, lang) -> pd.Series:
    pattern = _VALUE_LABELS.get(col)
    if pattern is None:
        return values
    mapping = {v: label(pattern.format(v), lang) for v in pd.unique(values.dropna()) if pattern.format(v) in LABELS}
    return values.map(lambda v: mapping.get(v, v))


def _kind(col: str, s: pd.Series, money, percent, integer, text) -> str:
    if col in text:
        return "text"
    if col in percent:
        return "percent"
    if col in money:
        return "money"
    if col in integer:
        return "integer"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "date"
    if pd.api.types.is_bool_dtype(s):
        return "number"
    if pd.api.types.is_numeric_dtype(s):
        if col in _PERCENT or col.endswith("_share") or col.endswith("_rate") and col != "frequency":
            return "percent"
        if col in _MONEY or col.endswith("_value") or col.startswith("monetary") or col.endswith("_spend"):
            return "money"
        if col in _INT_DAYS or col.endswith("_days"):
            return "integer"
        return "number"
    return "text"


def _format_column(s: pd.Series, kind: str, currency: str) -> list[str]:
    if kind == "percent":
        return [format_percent(v) for v in s.astype(float)]
    if kind == "money":
        return [format_money(v, currency) if pd.notna(v) else "–" for v in s.astype(float)]
    if kind == "integer":
        return ["–" if pd.isna(v) else ("∞" if np.isinf(v) else f"{float(v):,.0f}") for v in s.astype(float)]
    if kind == "date":
        return ["–" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d") for v in s]
    if kind == "number":
        return [_format_number(v) if not (isinstance(v, float) and math.isnan(v)) else "–" for v in s.tolist()]
    out = []
    for v in s.tolist():
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            out.append("–")
        elif isinstance(v, (set, frozenset, tuple, list)):
            out.append(", ".join(sorted(map(str, v))))
        elif isinstance(v, (float, np.floating, int, np.integer)) and not isinstance(v, (bool, np.bool_)):
            out.append(_format_number(v))  # a number in a column of mixed values: thousands separated
        else:
            out.append(str(v))
    return out


# a number as a table shows it: "1,234", "21%", "0.4%", "1,234 GBP", "−3.5", "12 KB", "3 天", "–" (missing)
_NUMBER_TEXT = __import__("re").compile(
    r"^[-−+]?(\d{1,3}(,\d{3})*|\d+)(\.\d+)?\s*(%|[A-Z]{3}|KB|MB|x|×|倍|天|元|英镑|美元|欧元)?$|^[–—-]$|^[-−]?∞$")


def _looks_numeric(cells: list[str]) -> bool:
    """A text column that holds only numbers (formatted before, e.g. by a readable() helper): aligned right."""
    values = [c for c in cells if c not in ("", "–", "—", "-")]
    return bool(values) and all(_NUMBER_TEXT.match(str(c).strip()) for c in values)


def _align(a: str) -> str:
    """Numbers are right-aligned (class ``num``, so a page's style can find them), words left-aligned."""
    return ' class="num" style="text-align:right;white-space:nowrap"' if a == "right" else ' style="text-align:left"'


def table(df, *, columns=None, labels: dict | None = None, money=(), percent=(), integer=(), text=(),
          currency: str = "", max_rows: int | None = 15, index: bool | str = False, lang: str | None = None,
          caption: str | None = None, keep_labels: bool = False) -> _Html:
    """A table for people: labelled columns, formatted numbers, no index, escaped, at most ``max_rows`` rows.

    Parameters
    ----------
    df : pandas.DataFrame or pandas.Series
    columns : list of str, optional
        The columns to show, in order (default: all). The full table belongs in the CSV artefact.
    labels : dict, optional
        ``column -> label`` overriding :func:`column_label`.
    money, percent, integer, text : iterable of str
        Columns to show as money (with ``currency``), percent, whole numbers or plain text; other
        columns are recognised by name (``*_share`` percent, ``*_value`` money, ...) and dtype.
    currency : str, default=""
        Shown after money amounts ("" shows plain numbers).
    max_rows : int or None, default=15
        Rows shown; a note says how many more the CSV has.
    index : bool or str, default=False
        Show the index as the first column (``True``), or under the given column name.
    lang : {"en", "zh"}, optional
    caption : str, optional
        A line above the table.
    keep_labels : bool, default=False
        The columns already carry people's names (e.g. from ``crmmine.behaviour.readable_table``):
        shown as they are, not looked up again.
    """
    if isinstance(df, pd.Series):  # keys -> labels in a first column, values beside them
        df = pd.DataFrame({"measure": [column_label(str(k), lang) for k in df.index],
                           (df.name if isinstance(df.name, str) and df.name else "value"): df.to_numpy()})
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"The 'df' parameter must be a pandas DataFrame. Got {type(df).__name__} instead.")
    if index:
        name = index if isinstance(index, str) else (df.index.name or "index")
        df = df.rename_axis(name).reset_index()
    cols = list(df.columns) if columns is None else list(columns)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ParameterError(f"The 'columns' parameter names columns the table lacks: {', '.join(map(repr, missing))}.")
    total = len(df)
    shown = df if max_rows is None else df.head(max_rows)
    labels = {**({str(c): str(c) for c in df.columns} if keep_labels else {}), **(labels or {})}
    money, percent, integer, text = set(money), set(percent), set(integer), set(text)
    body_cols = []
    aligns = []
    for c in cols:
        s = _value_labels(str(c), shown[c], lang)
        kind = _kind(str(c), s, money, percent, integer, text)
        is_id = str(c).endswith("_id") and c not in money | percent | integer
        kind = "text" if is_id else kind
        cells = [("–" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)) for v in s.tolist()] \
            if is_id else _format_column(s, kind, currency)  # an id is shown as it is (no thousands separator)
        numeric = kind not in ("text", "date") or (c not in text and not str(c).endswith("_id")
                                                   and _looks_numeric(cells))
        aligns.append("right" if numeric else "left")
        body_cols.append(cells)
    head = "".join(f'<th{_align(a)}>{escape(labels.get(c) or column_label(str(c), lang))}</th>'
                   for c, a in zip(cols, aligns))
    rows = []
    for i in range(len(shown)):
        cells = "".join(f'<td{_align(a)}>{escape(col[i])}</td>' for col, a in zip(body_cols, aligns))
        rows.append(f"<tr>{cells}</tr>")
    parts = []
    if caption:
        parts.append(f"<p>{escape(caption)}</p>")
    parts.append('<table class="crmmine-table"><thead><tr>' + head + "</tr></thead><tbody>" + "".join(rows)
                 + "</tbody></table>")
    if max_rows is not None and total > max_rows:
        parts.append(f'<p class="crmmine-more">{escape(label("report.more_rows", lang, shown=max_rows, n=f"{total:,}"))}</p>')
    return _Html("\n".join(parts))


# --------------------------------------------------------------------------- data and what it was
def _split_rules(skip_rules) -> tuple[str, ...]:
    if skip_rules is None or skip_rules == "":
        return ()
    if isinstance(skip_rules, str):
        return tuple(r.strip() for r in skip_rules.split(",") if r.strip())
    return tuple(skip_rules)


def _supported(func, name: str) -> bool:
    try:
        return name in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


def load_data(data_path="sample", *, schema="auto", encoding="auto", dayfirst=None, header=None, skip_rules="",
              engine="auto", lazy: bool = False):
    """Read and clean a report's data with the report's cleaning choices (a :class:`crmmine.CleanResult`).

    The cleaning choices are report parameters so that every option an error message recommends can be
    given to a report: ``encoding``, ``dayfirst``, ``header`` and ``engine`` go to
    :func:`crmmine.load_clean` (and so to :func:`crmmine.read_transactions`), ``skip_rules``
    (comma-separated rule names) to :func:`crmmine.clean`. An option this version of the reader does not
    have is an error naming it (at its default it is not passed at all). Cleaning's warning about a
    notable rule is not repeated: :func:`run_summary` names such a rule in the report's first paragraph.

    When ``crmmine report`` runs the notebook, the data it already read and cleaned for its checks is
    handed over (the environment variable ``CRMMINE_PREPARED_DATA`` names a private folder), so the
    kernel does not read the file again.

    ``lazy=True`` (for reports whose sections all take an engine's table): when the engine holds
    the lines (DuckDB, e.g. ``engine="duckdb"`` or a folder of Parquet files), the clean result
    stays there (a :class:`crmmine.engine.LazyCleanResult`) instead of coming back as pandas.
    """
    if lazy:
        from ..data.clean import clean
        from ..data.io import read_transactions
        from ..datasets import online_retail_sample_path
        from ..engine.lazy import is_lazy

        path = online_retail_sample_path() if str(data_path) == "sample" else data_path
        many = str(data_path) != "sample" and (Path(str(path)).is_dir() or any(ch in str(path) for ch in "*?["))
        if engine == "duckdb" or engine == "auto" and many:  # the engine holds the lines
            import warnings

            from ..errors import CrmmineWarning

            handed = _prepared_lazy(data_path, schema=schema, encoding=encoding, dayfirst=dayfirst, header=header,
                                    skip_rules=skip_rules, engine=engine)
            if handed is not None:  # crmmine report cleaned the lines once and wrote them for every kernel
                return handed
            tx = read_transactions(path, schema=schema, encoding=encoding, dayfirst=dayfirst, header=header,
                                   engine=engine)
            if is_lazy(tx):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", CrmmineWarning)
                    result = clean(tx, **({"skip_rules": _split_rules(skip_rules)} if _split_rules(skip_rules) else {}))
                result.params["source_file"] = Path(str(path)).name
                return result
    import warnings

    from ..datasets import _loaders
    from ..errors import CrmmineWarning

    prepared = _prepared(data_path, schema=schema, encoding=encoding, dayfirst=dayfirst, header=header,
                         skip_rules=skip_rules, engine=engine)
    if prepared is not None:
        return prepared
    loader = _loaders.load_clean
    kw = {}
    for name, value, default in (("encoding", encoding, "auto"), ("dayfirst", dayfirst, None),
                                 ("header", header, None), ("engine", engine, "auto")):
        if _supported(loader, name):
            kw[name] = value
        elif not (value is default or (value == default and type(value) is type(default))):
            raise ParameterError(f"The '{name}' parameter needs crmmine.read_transactions({name}=...), which this "
                                 f"version of crmmine does not have yet. Leave '{name}' at its default {default!r}.")
    skip = _split_rules(skip_rules)
    if skip:
        kw["skip_rules"] = skip
    with warnings.catch_warnings():  # a notable rule is named in the report's first paragraph instead
        warnings.simplefilter("ignore", CrmmineWarning)
        result = loader(data_path, schema=schema, **kw)
    from ..datasets import online_retail_sample_path

    path = online_retail_sample_path() if str(data_path) == "sample" else data_path
    if isinstance(getattr(result, "params", None), dict):
        result.params["source_file"] = Path(str(path)).name
    return result


def prepared_key(data_path, **options) -> str:
    """The key under which ``crmmine report`` hands a cleaned data set to a kernel."""
    import hashlib
    import json

    from ..datasets import online_retail_sample_path

    path = online_retail_sample_path() if str(data_path) == "sample" else Path(str(data_path)).expanduser()
    try:
        st = Path(path).resolve().stat()
        stamp = [str(Path(path).resolve()), st.st_size, st.st_mtime_ns]
    except OSError:
        stamp = [str(path)]
    blob = json.dumps([stamp, {k: options[k] for k in sorted(options)}], default=str, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _prepared(data_path, **options):
    folder = os.environ.get("CRMMINE_PREPARED_DATA")
    if not folder:
        return None
    file = Path(folder) / f"{prepared_key(data_path, **options)}.pickle"
    if not file.is_file():
        return None
    import pickle

    with open(file, "rb") as fh:
        return pickle.load(fh)  # noqa: S301 - a private file written by this user's own runner


_LAZY_PARTS = ("transactions", "returns", "rejected")


def hand_over_lazy(result, folder):
    """Write an engine's clean result for the report kernels and return it read back from there.

    ``crmmine report`` cleans a large input once, in DuckDB, for its checks; the kept lines, the
    returns and the rejected lines are then written as Parquet files into ``folder`` (a private
    folder of the run) with the audit beside them, and every kernel reads them through
    :func:`load_data` (``lazy=True``) instead of reading and cleaning the input again. The result
    returned reads the same files, so later queries of the runner do not redo the cleaning either.
    Another engine's result (Spark) is returned unchanged.
    """
    import pickle

    tx = result.transactions
    if getattr(tx, "engine", None) != "duckdb":
        return result
    folder = Path(folder)
    tmp = folder.with_name(folder.name + ".partial")
    tmp.mkdir(parents=True, exist_ok=True)
    con = tx._backend.con
    from ..engine.lazy import DUCKDB

    for part in _LAZY_PARTS:
        lazy = getattr(result, part)
        con.execute(f"COPY (SELECT * FROM {lazy.view}) TO {DUCKDB.string(str(tmp / (part + '.parquet')))} "
                    "(FORMAT parquet)")
    meta = {"audit": result.audit, "params": dict(result.params), "notes": list(result.notes),
            "source": tx.source, "attrs": dict(tx.attrs), "columns": {p: list(getattr(result, p).columns)
                                                                       for p in _LAZY_PARTS}}
    with open(tmp / "meta.pickle", "wb") as fh:
        pickle.dump(meta, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, folder)
    return _read_handed_over(folder)


def _read_handed_over(folder):
    import pickle

    from ..engine.aggregate import LazyCleanResult
    from ..engine.lazy import DUCKDB, LazyTransactions, _DuckBackend, duckdb_connection

    folder = Path(folder)
    with open(folder / "meta.pickle", "rb") as fh:
        meta = pickle.load(fh)  # noqa: S301 - a private file written by this user's own runner
    backend = _DuckBackend(duckdb_connection())
    parts = {}
    for part in _LAZY_PARTS:
        cols = ", ".join(f'"{c}"' for c in meta["columns"][part])
        view = backend.view(f"SELECT {cols} FROM read_parquet({DUCKDB.string(str(folder / (part + '.parquet')))})")
        parts[part] = LazyTransactions(backend, view, source=meta["source"], columns=meta["columns"][part],
                                       attrs=meta["attrs"])
    return LazyCleanResult(parts["transactions"], parts["rejected"], parts["returns"], meta["audit"],
                           meta["params"], meta["notes"])


def _prepared_lazy(data_path, **options):
    folder = os.environ.get("CRMMINE_PREPARED_DATA")
    if not folder:
        return None
    d = Path(folder) / f"{prepared_key(data_path, **options)}.lazy"
    return _read_handed_over(d) if (d / "meta.pickle").is_file() else None


def _audit_rows(result) -> list[dict]:
    # shares of the gross sales value of the input (returns, negative, as their absolute share)
    audit = result.audit
    parts = audit[~audit["rule"].isin(["input", "kept"])]
    kept = audit.loc[audit["rule"] == "kept", "amount"]
    gross = float(parts["amount"].clip(lower=0).sum()) + (float(kept.iloc[0]) if len(kept) else 0.0)
    rows = []
    for rec in audit.to_dict("records"):
        rows.append({"rule": rec["rule"], "lines": int(rec["lines"]), "amount": float(rec["amount"]),
                     "revenue_share": abs(float(rec["amount"])) / gross if gross else float("nan"),
                     "notable": isinstance(rec.get("notable"), (bool, np.bool_)) and bool(rec.get("notable"))})
    return rows


def _line_facts(tx):
    """Lines, first and last order date, distinct customers and orders (one query for a lazy table)."""
    from ..engine.lazy import is_lazy

    if is_lazy(tx):
        t = tx.arrow("SELECT count(*) AS n, min(order_date) AS a, max(order_date) AS b, "
                     "count(DISTINCT customer_id) AS c, count(DISTINCT order_id) AS o FROM {src}").to_pylist()[0]
        return (int(t["n"]), pd.Timestamp(t["a"]) if t["a"] is not None else None,
                pd.Timestamp(t["b"]) if t["b"] is not None else None, int(t["c"]), int(t["o"]))
    if not len(tx):
        return 0, None, None, 0, 0
    return (len(tx), tx["order_date"].min(), tx["order_date"].max(), int(tx["customer_id"].nunique()),
            int(tx["order_id"].nunique()))


def sample_lines(result, *, max_lines: int = 500_000, lang: str | None = None):
    """The lines a report section that needs lines works on, and a sentence saying so when sampled.

    A pandas result: its transactions, and ``None``. A result held by an engine (DuckDB, Spark;
    ``load_data(..., lazy=True)``): all its lines as pandas when there are at most ``max_lines``,
    otherwise the lines of the customers whose hashed id falls in a share that gives about
    ``max_lines`` lines (every line of a sampled customer, so per-customer histories stay whole),
    with a sentence for the report naming the share.
    """
    from ..engine.lazy import is_lazy

    tx = result.transactions
    if not is_lazy(tx):
        return tx, None
    n = len(tx)
    if n <= max_lines:
        return tx.to_pandas(), None
    per = max(1, int(10_000 * max_lines / n))  # customers kept per 10,000 (by a hash of the id)
    modulo = "pmod(hash(customer_id), 10000)" if tx.engine == "spark" else "hash(customer_id) % 10000"
    sample = tx.derive(f"SELECT * FROM {{src}} WHERE {modulo} < {per}").to_pandas()
    return sample, label("report.sample_note", lang, lines=f"{len(sample):,}", total=f"{n:,}",
                         customers=f"{sample['customer_id'].nunique():,}", share=format_percent(per / 10_000))


def run_summary(result, *, data_path="sample", as_of=None, parameters: dict | None = None,
                currency: str = "", lang: str | None = None, loud_share: float = 0.02) -> _Html:
    """The opening of every report: what it was run on, and any cleaning rule that removed a lot.

    File name; lines read, kept, rejected by reason with their share of revenue; returns;
    customers, orders, date range, as-of date and the parameters. A rule that removed more than
    ``loud_share`` (2%) of revenue is named first, with the parameter that turns it off.
    """
    from ..data.clean import SWITCHABLE_RULES

    tx = result.transactions
    name = result.params.get("source_file") or (Path(str(data_path)).name if str(data_path) != "sample"
                                                 else "online_retail_sample.csv.gz")
    rows = _audit_rows(result)
    by_rule = {r["rule"]: r for r in rows}
    n_in = by_rule.get("input", {}).get("lines", None)
    kept = by_rule.get("kept", None)
    if n_in is None or kept is None:
        n_in = len(tx) if n_in is None else n_in
        kept = {"lines": len(tx), "revenue_share": 1.0} if kept is None else kept
    loud = [r for r in rows if r["rule"] not in ("input", "kept", "return") and r["lines"] > 0
            and (r["revenue_share"] > loud_share or r["notable"])]
    paragraphs = []
    for r in loud:
        hint = (label("report.summary.skip_hint", lang, rule=r["rule"]) if r["rule"] in SWITCHABLE_RULES else "")
        paragraphs.append(label("report.summary.loud", lang, reason=_reason(r["rule"], lang),
                                share=format_percent(r["revenue_share"]), lines=f"{r['lines']:,}") + hint)
    n_lines, start, end, n_customers, n_orders = _line_facts(tx)
    if n_lines:
        dates = label("report.summary.dates", lang, start=f"{start:%Y-%m-%d}", end=f"{end:%Y-%m-%d}")
    else:
        dates = ""
    paragraphs.append(label(
        "report.summary.read", lang, file=name, lines=f"{n_in:,}", kept=f"{kept['lines']:,}",
        kept_share=format_percent(kept["revenue_share"]),
        customers=f"{n_customers:,}" if n_lines else "0",
        orders=f"{n_orders:,}" if n_lines else "0") + " " + dates)
    rejected = [label("report.summary.reason", lang, reason=_reason(r["rule"], lang), lines=f"{r['lines']:,}",
                      share=format_percent(r["revenue_share"]))
                for r in rows if r["rule"] not in ("input", "kept") and r["lines"] > 0]
    if rejected:
        paragraphs.append(label("report.summary.rejected", lang) + " " + label("report.list_join", lang).join(rejected)
                          + label("report.full_stop", lang))
    paragraphs.append(label("report.profile_note", lang))
    if as_of is not None:
        paragraphs.append(label("report.summary.as_of", lang, as_of=f"{pd.Timestamp(as_of):%Y-%m-%d}"))
    if parameters:
        shown = [_param_item(k, v, lang) for k, v in parameters.items() if k not in ("output_dir",)]
        paragraphs.append(label("report.summary.parameters", lang) + " " + label("report.list_join", lang).join(shown)
                          + label("report.full_stop", lang))
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    klass = "crmmine-summary crmmine-warn" if loud else "crmmine-summary"
    return _Html(f'<div class="{klass}">{body}</div>')


_AUTOMATIC = frozenset({"n_clusters", "as_of", "cutoff", "min_support", "dayfirst", "calibration_end"})


#: parameters that are shares: shown as percentages ("minimum support = 1%", not 0.01)
_SHARES = frozenset({"min_support", "min_confidence", "discount_rate", "promotion_threshold"})


def _param_item(name, v, lang=None) -> str:
    """``label = value`` of one report parameter in the report's language: the English edition keeps the
    ``-p`` name in brackets so the reader can run the report again with another value."""
    key = f"report.param.{name}"
    if key not in LABELS:
        return f"{name} = {_param_text(name, v, lang)}"
    shown = label(key, lang)
    if (lang or get_language()) == "en":
        shown = f"{shown} ({name})"
    return f"{shown} = {_param_text(name, v, lang)}"


def _param_text(name, v, lang=None) -> str:
    if v is None:
        return label("report.auto", lang) if name in _AUTOMATIC else label("report.none", lang)
    if isinstance(v, bool):
        return label("report.yes" if v else "report.no", lang)
    if isinstance(v, pd.Timestamp):
        return f"{v:%Y-%m-%d}"
    if isinstance(v, str) and v == "":
        return label("report.none", lang)
    if name in _SHARES and isinstance(v, (int, float)) and not isinstance(v, bool):
        return format_percent(v)
    if name == "skip_rules" and (lang or get_language()) != "en":  # the rules by name (English keeps the -p value)
        return label("report.list_join", lang).join(_reason(r, lang) for r in _split_rules(v))
    if isinstance(v, str) and f"report.param_value.{v}" in LABELS:
        return label(f"report.param_value.{v}", lang)
    return str(v)


def _reason(rule: str, lang) -> str:
    key = "reason.return" if rule == "return" else f"reason.{rule}"
    return label(key, lang) if key in LABELS else rule


# --------------------------------------------------------------------------- small pieces the notebooks use
#: Currency of the known presets (the UCI Online Retail shop sells in pounds; CDNOW in dollars).
PRESET_CURRENCY = {"online_retail": "GBP", "online_retail_ii": "GBP", "cdnow": "USD"}


def report_currency(result, currency: str = "") -> str:
    """The currency a report shows: the parameter when given, else the preset's, else none (``""``).

    A known code is shown by its name in the report's language (``"GBP"`` -> ``"英镑"`` in Chinese);
    other text is shown as given.
    """
    if not currency:
        source = getattr(result, "transactions", pd.DataFrame()).attrs.get("crmmine_source", {}) or {}
        currency = PRESET_CURRENCY.get(str(source.get("schema", "")), "")
    key = f"report.currency.{str(currency).upper()}"
    return label(key) if currency and key in LABELS else str(currency)


def headline(text: str) -> None:
    """Record a report's headline finding for the runs index (written only under ``crmmine report``)."""
    import json

    folder = os.environ.get("CRMMINE_RUN_DIR")
    if not folder or not text:
        return
    path = Path(folder) / "headline.json"
    try:
        lines = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    except (OSError, ValueError):
        lines = []
    lines.append(str(text))
    path.write_text(json.dumps(lines, ensure_ascii=False), encoding="utf-8")


def _first_date(tx):
    """The first ``order_date`` of a DataFrame or an engine's lines (None when there is no dated line)."""
    from ..engine.lazy import is_lazy

    if is_lazy(tx):
        from ..engine.aggregate import first_date

        return first_date(tx)
    first = tx["order_date"].min() if len(tx) else None
    return None if first is None or pd.isna(first) else pd.Timestamp(first)


def lines_before(tx, date):
    """The lines of ``tx`` dated strictly before ``date``: a DataFrame's rows, or (for an engine's
    lines, :func:`load_data` with ``lazy=True``) a lazy table of them that stays in the engine."""
    from ..engine.lazy import is_lazy

    if is_lazy(tx):
        from ..engine.aggregate import lines_before as lazy_before

        return lazy_before(tx, date)
    return tx[tx["order_date"] < pd.Timestamp(date)]


def history_window(tx: pd.DataFrame, as_of, days: int, *, min_days: int = 14) -> int | None:
    """A time window that fits the data: ``days`` when the history before ``as_of`` has at least twice that,
    else half the history (at least ``min_days``), else ``None`` (the section is skipped and says so).
    ``tx`` is a DataFrame or an engine's lines."""
    first = _first_date(tx)
    if first is None:
        return None
    span = (pd.Timestamp(as_of) - first).days
    if span >= 2 * days:
        return int(days)
    half = span // 2
    return int(half) if half >= min_days else None


def evaluation_cutoff(tx: pd.DataFrame, cutoff=None, *, days: int = 90):
    """The start of a test window that fits the data: ``cutoff`` when given, else ``days`` (or half the
    history when shorter, at least 14 days) before the day after the last purchase; ``None`` when the data
    are too short (the section is skipped and says so)."""
    if cutoff is not None:
        return pd.Timestamp(cutoff)
    if tx.empty:
        return None
    end = tx["order_date"].max().normalize() + pd.Timedelta(days=1)
    window = history_window(tx, end, days)
    return None if window is None else end - pd.Timedelta(days=window)


def skipped_text(tx: pd.DataFrame, as_of, days: int, section_key: str, *, lang: str | None = None) -> str:
    """"Skipped: this section needs at least N days of history ...; the data have M."."""
    first = _first_date(tx)
    span = 0 if first is None else max(0, (pd.Timestamp(as_of) - first).days)
    return label("report.summary.skipped", lang, section=label(section_key, lang), need=f"{2 * 14}",
                 have=f"{span:,}")


def files_table(files, *, lang: str | None = None) -> _Html:
    """The files a report wrote (``write_table`` results): what each holds in the report's language, the file
    names (CSV and Parquet) and their size; no paths or Python objects."""
    rows = []
    for f in files:
        paths = [Path(f[kind]) for kind in ("csv", "parquet") if kind in f and Path(f[kind]).exists()]
        if not paths:
            continue
        stem = paths[0].name.split(".")[0]
        key = f"report.file.{stem}"
        what = label(key if key in LABELS else "report.file.other", lang)
        size = sum(p.stat().st_size for p in paths) / 1024
        rows.append({"what": what, "file": ", ".join(p.name for p in paths),
                     "file_size": f"{max(size, 1):,.0f} KB"})
    return table(pd.DataFrame(rows, columns=["what", "file", "file_size"]), max_rows=None, text=("what", "file"),
                 lang=lang)


def reconcile_at_risk(customers: pd.DataFrame, *, lang: str | None = None) -> str:
    """Why the RFM and lifecycle at-risk counts differ, with both counts and their overlap."""
    rfm = customers["rfm_segment"].astype(str).isin(["at_risk", "cant_lose_them", "hibernating", "lost"])
    life = customers["lifecycle_state"].astype(str).isin(["at_risk", "lost"])
    return label("report.reconcile", lang, rfm=f"{int(rfm.sum()):,}", life=f"{int(life.sum()):,}",
                 both=f"{int((rfm & life).sum()):,}")


_WINDOW_FEATURE = __import__("re").compile(r"^(orders|spend|orders_trend|spend_trend)_(\d+)d$")


def feature_label(name: str, lang: str | None = None) -> str:
    """A churn feature's readable name (``"spend_trend_180d"`` -> ``"Spend trend, last 180 days vs the 180
    before"``); an unknown name is returned as it is."""
    m = _WINDOW_FEATURE.match(str(name))
    if m:
        return label(f"feature.{m.group(1)}_window", lang, window=m.group(2))
    for key in (f"feature.{name}", f"column.{name}", f"customer.column.{name}"):
        if key in LABELS:
            return label(key, lang)
    return str(name)


def readable_features(fig, *, lang: str | None = None):
    """The figure with every bar's feature names (its category axis) replaced by :func:`feature_label`."""
    for trace in fig.data:
        if getattr(trace, "orientation", None) == "h" and trace.y is not None:
            trace.y = [feature_label(v, lang) for v in trace.y]
        elif trace.x is not None and trace.type == "bar" and len(trace.x) and isinstance(trace.x[0], str):
            trace.x = [feature_label(v, lang) for v in trace.x]
    return fig


def importance_text(backtest, *, n: int = 3, lang: str | None = None) -> str:
    """The churn report's sentence on what drives the predictions, with readable feature names."""
    ev = getattr(backtest, "evaluation", backtest)
    top = ev.importance.head(n)
    items = label("report.list_join", lang).join(
        f"{feature_label(f, lang)} ({v:.3f})" for f, v in zip(top["feature"], top["importance_mean"]))
    text = label("churn.summary.importance", lang, features=items)
    n_imp = getattr(ev, "n_importance_customers", None)
    n_all = int(ev.metrics["n_customers"].iloc[0]) if "n_customers" in ev.metrics else None
    if n_imp is not None and n_all is not None and n_imp < n_all:
        text += " " + label("churn.summary.importance_sample", lang, n=f"{n_imp:,}", total=f"{n_all:,}")
    return text
