"""The line-level aggregations run in the engine, finished by the same numpy code for every engine.

Each function takes a :class:`~crmmine.engine.LazyTransactions`, runs one query of
:mod:`crmmine.engine._sql` and returns what the pandas path returns (the public functions
:func:`crmmine.customer_table`, :func:`crmmine.clv_summary`, :func:`crmmine.cohort_table`,
:func:`crmmine.make_baskets` and :func:`crmmine.clean` call them when given a lazy table).
Input already validated by those callers where they say so.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import CrmmineWarning, InputError
from . import _sql as Q
from .lazy import LazyTransactions, _arrow_to_pandas

__all__ = ["customer_table", "clv_summary", "cohort_cells", "basket_arrays", "pair_counts", "clean",
           "LazyCleanResult"]

_DAY_NS = 86_400 * 10**9


def min_count(min_support: float, n: int) -> int:
    """Smallest count meeting a relative, inclusive support (R arules: ``count >= min_support * n``),
    float noise removed: the rule of :func:`crmmine.frequent_itemsets`."""
    import math

    return max(1, int(math.ceil(min_support * n - 1e-9)))


def _index(values) -> pd.Index:
    from ..data.schema import STRING_DTYPE

    return pd.Index(pd.array(values, dtype=STRING_DTYPE), name="customer_id")


def _ns(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype="datetime64[ns]").view(np.int64)


def default_as_of(tx: LazyTransactions) -> pd.Timestamp:
    """The day after the last transaction (midnight)."""
    b = tx.frame(Q.bounds_sql("{src}"))
    last = b["last"].iloc[0]
    if pd.isna(last):
        raise InputError("The 'tx' table has no dated transactions; give a table with at least one line.")
    return pd.Timestamp(last).normalize() + pd.Timedelta(days=1)


def customer_table(tx: LazyTransactions, *, as_of, returns: LazyTransactions | None = None) -> pd.DataFrame:
    """:func:`crmmine.customer_table` of a lazy table (``as_of`` already checked or None)."""
    if returns is not None and not tx.same_engine(returns):
        raise InputError(
            "The 'returns' table must live in the same engine as 'tx' (read both with the same engine, e.g. "
            "crmmine.clean(lazy_tx).returns)."
        )
    if as_of is None:
        as_of = default_as_of(tx)
    d = tx.dialect
    has_country = "country" in tx.columns
    sql = Q.customer_table_sql("{src}", d, as_of, returns=None if returns is None else returns.view,
                               country=has_country)
    raw = tx.frame(sql)
    if raw.empty:
        first = tx.frame(Q.bounds_sql("{src}"))["first"].iloc[0]
        raise InputError(
            f"No transaction in 'tx' is dated before as_of={as_of}. The first line is dated {first}; "
            "give a later 'as_of' (or None for the day after the last transaction)."
        )
    if raw["customer_id"].isna().any():
        raise InputError(
            "The 'tx' table has lines without a customer id (guest lines). Clean it first: "
            "crmmine.clean(tx).transactions rejects them."
        )
    if raw["negative_lines"].sum() > 0:
        warnings.warn(
            "The 'tx' table has lines with a negative quantity (returns); they are counted as purchases. "
            "Pass crmmine.clean(tx).transactions as 'tx' and CleanResult.returns as 'returns'.",
            CrmmineWarning,
            stacklevel=3,
        )
    if has_country:
        raw["country"] = _country(tx, raw, as_of)
    return finish_customer_table(raw, as_of, has_returns=returns is not None)


def _country(tx: LazyTransactions, raw: pd.DataFrame, as_of) -> pd.Series:
    """Each customer's most frequent country: their only one, or (for the few whose lines name
    several) counted in the engine, ties to the alphabetically first."""
    from ..data.schema import STRING_DTYPE

    lo, hi = raw["country_min"].astype(STRING_DTYPE), raw["country_max"].astype(STRING_DTYPE)
    mixed = (lo != hi).fillna(False).to_numpy(dtype=bool)
    out = lo.copy()
    if mixed.any():
        ids = pd.Index(raw["customer_id"].to_numpy(dtype=object))
        view = _frame_view(tx, pd.DataFrame({"customer_id": ids[mixed].to_numpy(dtype=object)}))
        best = tx.frame(Q.mixed_country_sql("{src}", tx.dialect, as_of, view))
        pos = ids.get_indexer(best["customer_id"].to_numpy(dtype=object))
        vals = out.to_numpy(dtype=object)
        vals[pos] = best["country"].to_numpy(dtype=object)
        out = pd.Series(pd.array(vals, dtype=STRING_DTYPE))
    return out


def finish_customer_table(raw: pd.DataFrame, as_of: pd.Timestamp, *, has_returns: bool) -> pd.DataFrame:
    """The derived columns of the customer table from the raw aggregates (one definition)."""
    from ..data.schema import STRING_DTYPE

    n = len(raw)
    first, last = _ns(raw["first_purchase"]), _ns(raw["last_purchase"])
    frequency = raw["frequency"].to_numpy(dtype=np.int64)
    monetary = raw["monetary_total"].to_numpy(dtype=float)
    as_of_ns = np.datetime64(as_of.to_datetime64(), "ns").view(np.int64)
    span_days = (last - first) / _DAY_NS
    with np.errstate(divide="ignore", invalid="ignore"):
        interpurchase = np.where(frequency > 1, span_days / (frequency - 1), np.nan)
    if has_returns:
        r_count = raw["returns_count"].fillna(0).to_numpy(dtype=np.int64)
        r_value = np.abs(raw["returns_sum"].fillna(0.0).to_numpy(dtype=float))
    else:
        r_count, r_value = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(monetary > 0, r_value / monetary, np.where(r_value > 0, np.inf, 0.0))
    country = (pd.array(raw["country"].to_numpy(dtype=object), dtype=STRING_DTYPE) if "country" in raw.columns
               else pd.array([None] * n, dtype=STRING_DTYPE))
    table = pd.DataFrame(
        {
            "first_purchase": first.view("datetime64[ns]"),
            "last_purchase": last.view("datetime64[ns]"),
            "recency_days": ((as_of_ns - last) // _DAY_NS).astype(np.int64),
            "frequency": frequency,
            "monetary_total": monetary,
            "monetary_mean": monetary / frequency,
            "tenure_days": ((as_of_ns - first) // _DAY_NS).astype(np.int64),
            "mean_interpurchase_days": interpurchase,
            "distinct_products": raw["distinct_products"].to_numpy(dtype=np.int64),
            "returns_count": r_count,
            "returns_value": r_value,
            "return_rate": rate,
            "country": country,
        },
        index=_index(raw["customer_id"].to_numpy(dtype=object)),
    )
    table.attrs["as_of"] = as_of
    return table


def clv_summary(tx: LazyTransactions, *, end, time_unit: str, unit: float) -> pd.DataFrame:
    """:func:`crmmine.clv_summary` of a lazy table (``end`` a normalised Timestamp or None)."""
    d = tx.dialect
    if end is None:
        last = tx.arrow(Q.purchase_day_bounds_sql("{src}", d)).column(0)[0].as_py()
        end_day = None if last is None else int(last) + 1
    else:
        end_day = int(end.to_datetime64().astype("datetime64[D]").view("int64"))
    raw = tx.frame(Q.clv_summary_sql("{src}", d, end_day))
    return _clv_frame(raw, end_day, time_unit, unit)


def _clv_frame(raw: pd.DataFrame, end_day: int | None, time_unit: str, unit: float) -> pd.DataFrame:
    """The CLV summary from the raw per-customer aggregates of ``clv_summary_sql`` (``T`` up to ``end_day``)."""
    first = raw["first_day"].to_numpy(dtype=np.int64)
    last = raw["last_day"].to_numpy(dtype=np.int64)
    freq = raw["n_days"].to_numpy(dtype=np.int64) - 1
    total = raw["total"].to_numpy(dtype=float)
    first_spend = raw["first_spend"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(freq > 0, (total - first_spend) / np.maximum(freq, 1), 0.0)
    end_day_f = float(end_day) if end_day is not None else 0.0
    out = pd.DataFrame(
        {
            "frequency": freq,
            "recency": (last - first).astype(float) / unit,
            "T": (end_day_f - first).astype(float) / unit,
            "monetary_value": monetary.astype(float),
        },
        index=_index(raw["customer_id"].to_numpy(dtype=object)),
    )
    out.attrs["time_unit"] = time_unit
    out.attrs["observation_end"] = str(np.datetime64(end_day, "D")) if end_day is not None else None
    return out


def cohort_cells(tx: LazyTransactions, *, period: str) -> pd.DataFrame:
    """Per (cohort ordinal, periods since first): distinct customers and revenue."""
    return tx.frame(Q.cohort_cells_sql("{src}", tx.dialect, period))


# ------------------------------------------------------------------------------ baskets
def _lines(tx: LazyTransactions, level: str) -> str:
    from ..errors import MissingColumnError

    col = {"product": "product_id", "category": "category"}[level]
    if col not in tx.columns:
        raise MissingColumnError(
            f"The transactions have no {col!r} column, needed for level={level!r} baskets. "
            f"Columns present: {', '.join(tx.columns)}."
        )
    lines = Q.basket_lines_sql(tx.view, col, has_quantity="quantity" in tx.columns)
    if "customer_id" not in tx.columns:
        lines = lines.replace(", customer_id FROM", ", CAST(NULL AS STRING) AS customer_id FROM")
    return lines


def item_counts(tx: LazyTransactions, *, level: str = "product") -> tuple[pd.Series, int]:
    """Orders per item (index: items sorted) and the number of orders, counted in the engine."""
    lines = _lines(tx, level)
    counts = tx.frame(Q.item_counts_sql(lines))
    n = int(tx.arrow(Q.order_count_sql(lines)).column(0)[0].as_py())
    s = pd.Series(counts["n"].to_numpy(dtype=np.int64), index=pd.Index(counts["item"], dtype="string", name="item"),
                  name="count")
    return s, n


def item_frequency(tx: LazyTransactions, *, level: str = "product"):
    """Orders per item, the number of orders and (products with names) each product's most
    common name (ties: the first name in text order), as :func:`crmmine.item_frequency` counts them."""
    counts, n = item_counts(tx, level=level)
    best = None
    if level == "product" and "product_name" in tx.columns:
        cond = "product_id IS NOT NULL AND product_name IS NOT NULL" + (
            " AND quantity > 0" if "quantity" in tx.columns else "")
        names = tx.frame(
            "SELECT product_id, product_name FROM (SELECT product_id, product_name, row_number() OVER "
            "(PARTITION BY product_id ORDER BY n DESC, product_name) AS r FROM (SELECT CAST(product_id AS STRING) "
            "AS product_id, trim(CAST(product_name AS STRING)) AS product_name, count(*) AS n FROM {src} WHERE "
            f"{cond} GROUP BY 1, 2) x) y WHERE r = 1")
        best = pd.Series(names["product_name"].to_numpy(dtype=object),
                         index=pd.Index(names["product_id"].to_numpy(dtype=object)), name="product_name")
    return counts, n, best


def _frame_view(tx: LazyTransactions, frame: pd.DataFrame) -> str:
    """A small in-memory table (text and int64 columns) as a view of ``tx``'s engine."""
    import pyarrow as pa

    from .lazy import _view_name

    name = _view_name()
    cols = {}
    for c in frame.columns:
        v = frame[c].to_numpy()
        cols[c] = (pa.array(v.astype(object), type=pa.string()) if v.dtype == object or
                   isinstance(frame[c].dtype, pd.StringDtype) else pa.array(v))
    table = pa.table(cols)
    be = tx._backend
    if be.name == "duckdb":
        be.con.register(name, table)
    else:
        be.spark.createDataFrame(table).createOrReplaceTempView(name)
    return name


def _frequent_view(tx: LazyTransactions, items: pd.Index) -> str:
    """A view ``item, code`` of the kept items (code = position in ``items``)."""
    return _frame_view(tx, pd.DataFrame({"item": np.asarray(items, dtype=object),
                                         "code": np.arange(len(items), dtype=np.int64)}))


def basket_arrays(tx: LazyTransactions, *, level: str, min_support: float | None, labels: bool = True):
    """Everything :func:`crmmine.make_baskets` needs, with infrequent items pruned in the engine.

    Returns ``(X, items, orders, customers)``: the boolean CSR matrix (every order a row,
    frequent items only), item labels, order ids and the order -> customer Series. With
    ``labels=False`` (what the miners need) no order or customer id leaves the engine: the
    orders holding a frequent item come back as rows of item codes only (one aggregation by
    order, no numbering or sort), the other orders as empty rows after them, ``orders`` is
    ``RangeIndex(n_orders)`` and ``customers`` None, so that the memory grows with the
    frequent order-item pairs, not with the lines or the order ids.
    """
    import scipy.sparse as sp

    counts, n = item_counts(tx, level=level)
    if n == 0:
        raise InputError(
            "There are no baskets to mine: the data holds no orders (or no purchase lines). "
            "Check the input is not empty and holds purchases (quantity > 0)."
        )
    keep = counts.index if min_support is None else counts.index[counts.to_numpy() >= min_count(min_support, n)]
    lines = _lines(tx, level)
    freq = _frequent_view(tx, keep)
    items = pd.Index(np.asarray(keep, dtype=object), dtype="string", name="item")
    if not labels:
        return _basket_rows(tx, Q.basket_rows_sql(lines, freq, tx.dialect), n, len(keep)), items, \
            pd.RangeIndex(n, name="order"), None
    orders_sql, pairs_sql = Q.basket_pairs_sql(lines, freq)
    o = tx.frame(orders_sql)
    p = tx.arrow(pairs_sql)
    rows = p.column("o_code").to_numpy().astype(np.int64)
    cols = p.column("i_code").to_numpy().astype(np.int64)
    indptr = np.searchsorted(rows, np.arange(n + 1), side="left").astype(np.int64)
    X = sp.csr_matrix((np.ones(len(cols), dtype=bool), cols, indptr), shape=(n, len(keep)))
    orders = pd.Index(o["order_id"].to_numpy(dtype=object), dtype="string", name="order_id")
    customers = pd.Series(pd.array(o["customer_id"].to_numpy(dtype=object), dtype="string"), index=orders,
                          name="customer_id")
    return X, items, orders, customers


def _basket_rows(tx: LazyTransactions, sql: str, n: int, n_items: int):
    """The boolean CSR matrix (``n`` rows, ``n_items`` columns) of a query giving one list of
    sorted item codes per order (the orders without any come last, as empty rows)."""
    import pyarrow.compute as pc
    import scipy.sparse as sp

    col = tx.arrow(sql).column("codes")
    lens, vals = [], []
    for chunk in col.chunks:
        if len(chunk):
            lens.append(pc.list_value_length(chunk).to_numpy(zero_copy_only=False).astype(np.int64))
            vals.append(chunk.flatten().to_numpy(zero_copy_only=False).astype(np.int32))
    del col
    m = int(sum(len(v) for v in lens))
    indptr = np.zeros(n + 1, dtype=np.int64)
    if m:
        np.cumsum(np.concatenate(lens), out=indptr[1:m + 1])
        indptr[m + 1:] = indptr[m]
    indices = np.concatenate(vals) if vals else np.zeros(0, dtype=np.int32)
    del lens, vals
    X = sp.csr_matrix((np.ones(len(indices), dtype=bool), indices, indptr), shape=(n, n_items))
    X.has_sorted_indices = True  # each list is sorted and distinct
    return X


def pair_counts(tx: LazyTransactions, *, min_support: float, level: str = "product") -> pd.DataFrame:
    """Pairs of items bought together in at least ``min_support`` of the orders, counted in the engine.

    The first two levels of frequent itemset mining (items, then pairs of frequent items)
    done where the lines are, so that only frequent pairs come back: columns ``item_a``,
    ``item_b`` (``item_a < item_b``) and ``count``.
    """
    counts, n = item_counts(tx, level=level)
    minc = min_count(min_support, n)
    keep = counts.index[counts.to_numpy() >= minc]
    freq = _frequent_view(tx, keep)
    res = tx.arrow(Q.pair_counts_sql(_lines(tx, level), freq, minc))
    i = res.column("i").to_numpy().astype(np.int64)
    j = res.column("j").to_numpy().astype(np.int64)
    labels = np.asarray(keep, dtype=object)
    return pd.DataFrame({"item_a": pd.array(labels[i], dtype="string"), "item_b": pd.array(labels[j], dtype="string"),
                         "count": res.column("n").to_numpy().astype(np.int64)})


# ------------------------------------------------------------------------------ cleaning
@dataclass
class LazyCleanResult:
    """What :func:`crmmine.clean` returns for a lazy table: lazy parts and an in-memory audit.

    ``transactions``, ``returns`` and ``rejected`` (with a ``reason`` column) stay in the
    engine; ``audit`` is the same table as :attr:`crmmine.CleanResult.audit`.
    """

    transactions: LazyTransactions
    rejected: LazyTransactions
    returns: LazyTransactions
    audit: pd.DataFrame
    params: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    def to_pandas(self):
        """The same result as a :class:`crmmine.CleanResult` of pandas DataFrames (brings every line back)."""
        from ..data.clean import CLEANING_RULES, CleanResult

        rejected = self.rejected.to_pandas()
        rules = [r for r in CLEANING_RULES if r != "return"]
        rejected["reason"] = pd.Categorical(rejected["reason"].astype(object), categories=rules)
        return CleanResult(self.transactions.to_pandas(), rejected, self.returns.to_pandas(), self.audit.copy(),
                           dict(self.params), list(self.notes))

    def __repr__(self) -> str:
        return (f"LazyCleanResult(engine={self.transactions.engine!r}, "
                f"kept={int(self.audit.set_index('rule').loc['kept', 'lines']):,} lines)")


def clean(tx: LazyTransactions, *, active: tuple[str, ...], codes: frozenset[str], prefixes: tuple[str, ...],
          cancellation_prefix: str, extreme_z: float, extreme_min_ratio: float, extreme_max_share: float,
          date_range, notable_share: float, notable_line_share: float, skip=()) -> LazyCleanResult:
    """:func:`crmmine.clean` in the engine (parameters already checked): the same rules, the same order."""
    import math

    from ..data.clean import CLEANING_RULES
    from ..text.labels import label

    d = tx.dialect
    cols = tuple(tx.columns)
    code = {rule: i + 1 for i, rule in enumerate(CLEANING_RULES)}
    keep_cols = ", ".join(cols)
    # Nothing line-sized is materialised: the reason of a line is a function of the line, of
    # the few lines sharing its 64-bit row hash (the exact-duplicate rule: equal lines are
    # compared, and ranked by source_line, only inside colliding hashes) and of the medians of
    # the extreme-value rule; every part (kept, returns, rejected) is a view over one reason column.
    src = "{src}"
    if "duplicate" in active:
        cand = tx.derive(Q.duplicate_candidates_sql("{src}", d, cols), materialize=True)
        if len(cand):
            ranked = tx.derive(Q.duplicate_rank_sql("{src}", d, cols, cand.view), materialize=True)
            src = f"({Q.with_duplicate_rank_sql('{src}', d, cols, cand.view, ranked.view)}) s"
        else:
            src = f"(SELECT {keep_cols}, 1 AS _dup FROM {{src}}) s"
    sql = Q.clean_reason_sql(src, d, columns=cols, active=active, non_product_codes=codes, prefixes=prefixes,
                             cancellation_prefix=cancellation_prefix, date_range=date_range)
    marked = tx.derive(sql)
    info = {"quantity_limit": None, "price_limits": None, "candidates": 0, "flagged": 0, "capped": False}
    if "extreme_value" in active:  # crmmine.data.clean.extreme_mask, in SQL
        cand = "_reason = 0 AND quantity > 0"
        unit = Q.unit_price_expr(cols)
        floor = math.log10(extreme_min_ratio)
        scores = []
        sq = marked.arrow(Q.robust_stats_sql("{src}", "quantity", cand)).to_pylist()
        n_cand = sq[0]["n"] if sq else 0
        info["candidates"] = int(n_cand)
        if n_cand > 10:
            t = max(extreme_z * (1.4826 * sq[0]["mad"]), floor)
            scores.append(f"(log10(quantity) - {sq[0]['med']!r}) / {t!r}")
            info["quantity_limit"] = float(10 ** (sq[0]["med"] + t))
        pv = marked.derive(f"SELECT ({unit}) AS p FROM {{src}} WHERE {cand}")
        sp_ = pv.arrow(Q.robust_stats_sql("{src}", "p", f"p > 0 AND {Q._finite('p')}")).to_pylist()
        if sp_ and sp_[0]["n"] > 10:
            t = max(extreme_z * (1.4826 * sp_[0]["mad"]), floor)
            scores.append(f"CASE WHEN ({unit}) > 0 AND {Q._finite('(' + unit + ')')} THEN "
                          f"abs(log10({unit}) - {sp_[0]['med']!r}) / {t!r} ELSE 0.0 END")
            info["price_limits"] = (float(10 ** (sp_[0]["med"] - t)), float(10 ** (sp_[0]["med"] + t)))
        if scores:
            score = scores[0] if len(scores) == 1 else f"greatest({scores[0]}, {scores[1]})"
            order = "source_line" if "source_line" in cols else ", ".join(cols)
            scored = marked.derive(f"SELECT *, CASE WHEN {cand} THEN {score} ELSE 0.0 END AS _score FROM {{src}}")
            over = "coalesce(_score > 1.0, false)"
            n_ext = int(scored.arrow(f"SELECT count(*) AS n FROM {{src}} WHERE {over}").column(0)[0].as_py())
            cap = max(int(math.floor(extreme_max_share * n_cand)), 5)
            flag = code["extreme_value"]
            if n_ext > cap:  # the cap keeps the highest scores: ranked among the flagged lines only
                info["capped"] = True
                info["flagged"] = cap
                top = scored.derive(f"SELECT {keep_cols}, CAST(CASE WHEN row_number() OVER (ORDER BY _score DESC, "
                                    f"{order}) <= {cap} THEN {flag} ELSE _reason END AS INT) AS _reason "
                                    f"FROM {{src}} WHERE {over}", materialize=True)
                marked = scored.derive(f"SELECT {keep_cols}, _reason FROM {{src}} WHERE NOT {over} "
                                       f"UNION ALL SELECT {keep_cols}, _reason FROM {top.view}")
            else:
                info["flagged"] = n_ext
                marked = scored.derive(f"SELECT {keep_cols}, CAST(CASE WHEN {over} THEN {flag} ELSE _reason END "
                                       "AS INT) AS _reason FROM {src}")
    audit_raw = marked.arrow(f"SELECT _reason AS r, count(*) AS n, {marked.dialect.fsum}(CASE WHEN amount IS NULL OR isnan(amount) "
                             "OR abs(amount) = CAST('inf' AS DOUBLE) THEN 0.0 ELSE amount END) AS a "
                             "FROM {src} GROUP BY _reason").to_pylist()
    by = {row["r"]: (int(row["n"]), float(row["a"] or 0.0)) for row in audit_raw}
    n = sum(v[0] for v in by.values())
    total = sum(v[1] for v in by.values())
    rows = [("input", label("audit.input"), n, total)]
    for rule in CLEANING_RULES:
        k = by.get(code[rule], (0, 0.0))
        key = "reason.return" if rule == "return" else f"reason.{rule}"
        rows.append((rule, label(key), k[0], k[1]))
    rows.append(("kept", label("audit.kept"), by.get(0, (0, 0.0))[0], by.get(0, (0, 0.0))[1]))
    audit = pd.DataFrame(rows, columns=["rule", "description", "lines", "amount"])
    audit["share_of_lines"] = audit["lines"] / max(n, 1)
    audit["share_of_amount"] = audit["amount"] / total if total else 0.0
    removed = ~audit["rule"].isin(["input", "kept"])
    audit["notable"] = removed & ((audit["share_of_lines"] > notable_line_share) |
                                  (audit["share_of_amount"].abs() > notable_share))
    notes = [label("clean.note.notable", rule=r.rule, description=r.description, lines=int(r.lines),
                   share_lines=r.share_of_lines, share_amount=r.share_of_amount)
             for r in audit[audit["notable"]].itertuples()]
    if info["capped"]:
        notes.append(label("clean.note.extreme_capped", flagged=info["flagged"], share=extreme_max_share))
    loud = [t for t, r in zip(notes, audit.loc[audit["notable"], "rule"]) if r != "return"] + \
        notes[int(audit["notable"].sum()):]
    if loud:
        warnings.warn("Cleaning removed a notable share of the data: " + " ".join(loud) +
                      " See CleanResult.audit; switch a rule off with clean(..., skip_rules=[...]).",
                      CrmmineWarning, stacklevel=3)
    reject_case = " ".join(f"WHEN {code[r]} THEN {d.string(r)}" for r in CLEANING_RULES if r != "return")
    params = {"skip_rules": list(skip), "duplicates_are_units": False, "non_product_codes": sorted(codes),
              "non_product_prefixes": list(prefixes), "cancellation_prefix": cancellation_prefix,
              "extreme_z": float(extreme_z), "extreme_min_ratio": float(extreme_min_ratio),
              "extreme_max_share": float(extreme_max_share),
              "date_range": [str(pd.Timestamp(date_range[0]).date()), str(pd.Timestamp(date_range[1]).date())],
              "notable_share": float(notable_share), "notable_line_share": float(notable_line_share),
              "extreme": info}
    return LazyCleanResult(
        transactions=marked.derive(f"SELECT {keep_cols} FROM {{src}} WHERE _reason = 0"),
        rejected=marked.derive(f"SELECT {keep_cols}, CASE _reason {reject_case} END AS reason FROM {{src}} "
                               f"WHERE _reason NOT IN (0, {code['return']})"),
        returns=marked.derive(f"SELECT {keep_cols} FROM {{src}} WHERE _reason = {code['return']}"),
        audit=audit,
        params=params,
        notes=notes,
    )


def _z_expr(x: str, med: float, mad: float) -> str:
    """The robust z-score of ``x`` (numpy's :func:`crmmine.data.clean._robust_z` in SQL)."""
    if mad == 0:
        return f"CASE WHEN {x} = {float(med)!r} THEN 0.0 ELSE CAST('inf' AS DOUBLE) END"
    return f"(({x}) - {float(med)!r}) / {float(mad)!r}"


# ------------------------------------------------------------------------------ churn features
def churn_features(tx: LazyTransactions, *, cutoff: pd.Timestamp, windows: tuple[int, ...],
                   returns: LazyTransactions | None) -> pd.DataFrame:
    """:func:`crmmine.churn_features` of a lazy table (parameters already checked) without the BG/NBD
    columns: the per-customer aggregates in one query of the engine, the ratios here, as in pandas."""
    if returns is not None and not tx.same_engine(returns):
        raise InputError(
            "The 'returns' table must live in the same engine as 'tx' (read both with the same engine, e.g. "
            "crmmine.clean(lazy_tx).returns)."
        )
    d = tx.dialect
    has_q = "quantity" in tx.columns
    sql = Q.churn_features_sql("{src}", d, cutoff, windows, returns=None if returns is None else returns.view,
                               has_quantity=has_q, has_product="product_id" in tx.columns)
    raw = tx.frame(sql)
    if raw.empty:
        raise InputError(f"No purchase on or before the cutoff {cutoff:%Y-%m-%d}; use a later 'cutoff'.")
    cut_ns = np.int64(cutoff.value)
    last, first = _ns(raw.pop("last_order")), _ns(raw.pop("first_order"))
    out = pd.DataFrame(index=_index(raw.pop("customer_id").array))  # each raw column is freed once taken
    out["recency_days"] = (cut_ns - last) / _DAY_NS
    tenure = (cut_ns - first) / _DAY_NS
    del last, first
    out["frequency"] = raw.pop("frequency").to_numpy(dtype=np.int64)
    out["monetary_total"] = raw.pop("monetary_total").to_numpy(dtype=np.float64)
    out["monetary_mean"] = out["monetary_total"] / out["frequency"]
    out["tenure_days"] = tenure
    del tenure
    for w in windows:
        n_now, n_prev = raw.pop(f"n_now_{w}").to_numpy(dtype=np.int64), raw.pop(f"n_prev_{w}").to_numpy(dtype=np.int64)
        s_now, s_prev = (raw.pop(f"s_now_{w}").to_numpy(dtype=np.float64),
                         raw.pop(f"s_prev_{w}").to_numpy(dtype=np.float64))
        out[f"orders_{w}d"] = n_now
        out[f"spend_{w}d"] = s_now
        out[f"orders_trend_{w}d"] = n_now - n_prev
        out[f"spend_trend_{w}d"] = s_now - s_prev
    ipt_mean = raw["ipt_mean"].to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_safe = np.where(ipt_mean > 0, ipt_mean, np.nan)
        out["ipt_mean_days"] = ipt_mean
        out["ipt_std_days"] = raw["ipt_std"].to_numpy(dtype=np.float64, na_value=np.nan)
        out["last_gap_ratio"] = raw["last_gap"].to_numpy(dtype=np.float64, na_value=np.nan) / mean_safe
        out["recency_ratio"] = out["recency_days"].to_numpy() / mean_safe
    out["returns_count"] = raw["returns_count"].to_numpy(dtype=np.int64)
    out["returns_value"] = raw["returns_value"].to_numpy(dtype=np.float64)
    out["return_rate"] = out["returns_value"] / out["monetary_total"].where(out["monetary_total"] > 0)
    out["distinct_products"] = (raw["distinct_products"].to_numpy(dtype=np.int64) if "distinct_products" in raw
                                else out["frequency"].to_numpy(dtype=np.int64))
    out.index.name = "customer_id"
    return out


def purchases_until(tx: LazyTransactions, cutoff: pd.Timestamp) -> LazyTransactions:
    """The purchase lines (quantity > 0, else amount > 0) dated on or before ``cutoff``, lazily."""
    buy = "quantity > 0" if "quantity" in tx.columns else "amount > 0"
    return tx.derive(f"SELECT * FROM {{src}} WHERE order_date <= {tx.dialect.ts(cutoff)} AND {buy}")


# ------------------------------------------------------------------------------ event funnel
def funnel_counts(ev, *, stage_types: list[tuple[str, ...]], by: str | None):
    """Events per event type and users per stage, counted in the engine (``ev`` a
    :class:`~crmmine.engine.lazy.LazyEvents`).

    Returns ``(events, users)``: with ``by=None`` a dict event type -> events and a list of users
    per stage; else two DataFrames indexed by the group value ``g`` (sorted): events per type
    (columns: the event types) and users per stage (columns ``u0``, ``u1``, ...).
    """
    from ..data.schema import EVENT_TYPES

    if by == "category" and "category" not in ev.columns:
        from ..errors import MissingColumnError

        raise MissingColumnError("The events have no 'category' column, needed for by='category'. Map the log's "
                                 "category column with read_events(..., schema={'category': '<column>', ...}).")
    ev_sql, users_sql = Q.funnel_sql("{src}", ev.dialect, stage_types, by)
    e = ev.arrow(ev_sql).to_pandas()
    u = ev.arrow(users_sql).to_pandas()
    if by is None:
        counts = {t: 0 for t in EVENT_TYPES}
        counts.update({str(t): int(n) for t, n in zip(e["event_type"], e["n"])})
        users = [0 if pd.isna(u[f"u{i}"].iloc[0]) else int(u[f"u{i}"].iloc[0]) for i in range(len(stage_types))]
        return counts, users
    events = e.pivot_table(index="g", columns="event_type", values="n", aggfunc="sum", fill_value=0)
    events = events.reindex(columns=list(EVENT_TYPES), fill_value=0).sort_index()
    users = u.set_index("g").sort_index().reindex(events.index).fillna(0).astype(np.int64)
    return events.astype(np.int64), users


# ------------------------------------------------------------------------------ FP-growth on Spark
def fpgrowth_itemsets(tx: LazyTransactions, *, min_support: float, level: str = "product",
                      max_len: int | None = None, num_partitions: int | None = None) -> pd.DataFrame:
    """Frequent itemsets of a Spark table's baskets by Spark MLlib's FP-growth (on the cluster).

    The same baskets as :func:`crmmine.make_baskets` (one per order, the items of its purchase
    lines) and the same threshold as :func:`crmmine.frequent_itemsets` (an itemset is frequent
    in at least ``ceil(min_support * n_orders)`` orders, float noise removed), so the result is
    the table crmmine's own miner gives (tested): columns ``itemsets`` (frozenset of str),
    ``support``, ``count``, ``length``, rows by length, count (descending), then items.

    Parameters
    ----------
    tx : LazyTransactions
        A table read with ``engine=spark_session`` (``pyspark.ml.fpm.FPGrowth`` needs Spark).
    min_support : float in (0, 1]
    level : {"product", "category"}, default="product"
    max_len : int or None, default=None
        Longest itemset kept (FP-growth mines them all; longer ones are dropped here).
    num_partitions : int or None, default=None
        FPGrowth's ``numPartitions`` (None: Spark's default, the input's partitions).
    """
    from ..validation import check_choice, check_int, check_number

    min_support = check_number("min_support", min_support, lo=0, hi=1, lo_open=True,
                               hint="a share of orders, e.g. 0.01")
    level = check_choice("level", level, ("product", "category"))
    max_len = check_int("max_len", max_len, lo=1, none_ok=True)
    num_partitions = check_int("num_partitions", num_partitions, lo=1, none_ok=True)
    if not isinstance(tx, LazyTransactions) or tx.engine != "spark":
        raise InputError(
            "fpgrowth_itemsets runs Spark MLlib's FP-growth: give a table read with engine=spark_session "
            "(crmmine.read_transactions(path, engine=spark)). For pandas or DuckDB use crmmine.frequent_itemsets."
        )
    from pyspark.ml.fpm import FPGrowth

    spark = tx._backend.spark
    lines = _lines(tx, level)
    baskets = spark.sql(f"SELECT order_id, collect_set(item) AS items FROM ({lines}) x GROUP BY order_id")
    n = int(baskets.count())
    if n == 0:
        raise InputError(
            "There are no baskets to mine: the data holds no orders (or no purchase lines). "
            "Check the input is not empty and holds purchases (quantity > 0)."
        )
    minc = min_count(min_support, n)
    # Spark keeps an itemset when freq >= ceil(minSupport * n): half a basket below minc gives exactly minc
    fp = FPGrowth(itemsCol="items", minSupport=(minc - 0.5) / n)
    if num_partitions is not None:
        fp = fp.setNumPartitions(num_partitions)
    freq = fp.fit(baskets).freqItemsets.toArrow()
    sets = [tuple(sorted(s)) for s in freq.column("items").to_pylist()]
    counts = np.asarray(freq.column("freq").to_pylist(), dtype=np.int64)
    keep = [i for i, s in enumerate(sets) if counts[i] >= minc and (max_len is None or len(s) <= max_len)]
    order = sorted(keep, key=lambda i: (len(sets[i]), -counts[i], sets[i]))
    cnt = counts[order] if order else np.zeros(0, np.int64)
    df = pd.DataFrame({
        "itemsets": pd.Series([frozenset(sets[i]) for i in order], dtype=object),
        "support": cnt / float(n),
        "count": cnt,
        "length": np.asarray([len(sets[i]) for i in order], dtype=np.int64),
    })
    df.attrs.update(n_transactions=n, min_support=min_support, min_count=int(minc), algorithm="spark-fpgrowth",
                    kind="all")
    return df


# ------------------------------------------------------------------------------ segment report (issue 16)
def _day_number(ts: pd.Timestamp) -> int:
    """Days since the epoch of a (normalised) timestamp."""
    return int(ts.to_datetime64().astype("datetime64[D]").view("int64"))


def _last_purchase_day(tx: LazyTransactions) -> int | None:
    """The last calendar day (days since the epoch) of a line with a customer, a date and an amount."""
    last = tx.arrow(Q.purchase_day_bounds_sql("{src}", tx.dialect)).column(0)[0].as_py()
    return None if last is None else int(last)


def first_date(tx: LazyTransactions):
    """The first ``order_date`` of the lines (a Timestamp), or None when there is none."""
    first = tx.frame(Q.bounds_sql("{src}"))["first"].iloc[0]
    return None if pd.isna(first) else pd.Timestamp(first)


def lines_before(tx: LazyTransactions, date) -> LazyTransactions:
    """The lines dated strictly before ``date``, lazily."""
    return tx.derive(f"SELECT * FROM {{src}} WHERE order_date < {tx.dialect.ts(pd.Timestamp(date))}")


def value_summary(tx: LazyTransactions, *, as_of: pd.Timestamp | None,
                  returns: LazyTransactions | None = None):
    """What :func:`crmmine.customer_value` needs from the lines, counted in the engine (parameters
    already checked): the CLV summary in days of the lines before ``as_of`` (``T`` up to it), each
    customer's spend before it net of returns, and ``as_of`` (None: the day after the last purchase day)."""
    from ..errors import ParameterError

    if returns is not None and not tx.same_engine(returns):
        raise InputError(
            "The 'returns' table must live in the same engine as 'tx' (read both with the same engine, e.g. "
            "crmmine.clean(lazy_tx).returns)."
        )
    d = tx.dialect
    if as_of is None:
        last = _last_purchase_day(tx)
        if last is None:
            raise InputError("The 'tx' table has no transactions with a customer id, date and amount.")
        as_of = pd.Timestamp(np.datetime64(last + 1, "D"))
    end_day = _day_number(as_of)
    raw = tx.frame(Q.clv_summary_sql("{src}", d, end_day - 1))  # lines before as_of
    if raw.empty:
        raise ParameterError(f"The 'as_of' parameter leaves no transactions before it. Got {as_of.date()}; "
                             "choose a later date.")
    summary = _clv_frame(raw, end_day, "D", 1.0)
    hist = raw["total"].to_numpy(dtype=float)
    if returns is not None:
        ret = returns.frame(Q.clv_summary_sql("{src}", d, end_day - 1))
        back = pd.Series(ret["total"].to_numpy(dtype=float), index=ret["customer_id"].to_numpy(dtype=object))
        hist = hist - np.abs(back.reindex(raw["customer_id"].to_numpy(dtype=object), fill_value=0.0).to_numpy())
    return summary, hist, as_of


def calibration_holdout_summary(tx: LazyTransactions, *, cal_day: int, end: pd.Timestamp | None,
                                time_unit: str, unit: float) -> pd.DataFrame:
    """:func:`crmmine.calibration_holdout_summary` of a lazy table (parameters already checked)."""
    from ..errors import ParameterError

    if end is None:
        last = _last_purchase_day(tx)
        end_day = last + 1 if last is not None else cal_day + 1
    else:
        end_day = _day_number(end)
    if end_day <= cal_day:
        raise ParameterError(
            f"The 'calibration_end' parameter must be before observation_end ({np.datetime64(end_day, 'D')}). "
            f"Got {np.datetime64(cal_day, 'D')} instead; choose an earlier calibration end."
        )
    raw = tx.frame(Q.calibration_holdout_sql("{src}", tx.dialect, cal_day, end_day))
    first = raw["first_day"].to_numpy(dtype=np.int64)
    last = raw["last_day"].to_numpy(dtype=np.int64)
    freq = raw["n_days"].to_numpy(dtype=np.int64) - 1
    total, first_spend = raw["total"].to_numpy(dtype=float), raw["first_spend"].to_numpy(dtype=float)
    h_n, h_sum = raw["h_n"].to_numpy(dtype=np.int64), raw["h_sum"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(freq > 0, (total - first_spend) / np.maximum(freq, 1), 0.0)
        monetary_h = np.where(h_n > 0, h_sum / np.maximum(h_n, 1), 0.0)
    out = pd.DataFrame(
        {
            "frequency_cal": freq,
            "recency_cal": (last - first).astype(float) / unit,
            "T_cal": (cal_day - first).astype(float) / unit,
            "monetary_value_cal": monetary.astype(float),
            "frequency_holdout": h_n,
            "monetary_value_holdout": monetary_h.astype(float),
            "duration_holdout": np.full(len(raw), (end_day - cal_day) / unit),
        },
        index=_index(raw["customer_id"].to_numpy(dtype=object)),
    )
    out.attrs["time_unit"] = time_unit
    out.attrs["calibration_end"] = str(np.datetime64(cal_day, "D"))
    out.attrs["observation_end"] = str(np.datetime64(end_day, "D"))
    return out


def tracking_counts(tx: LazyTransactions, *, cal_day: int, end: pd.Timestamp | None):
    """What :func:`crmmine.tracking_table` needs from the lines, counted in the engine: the
    calibration cohort's ids (sorted) and first purchase days, the calendar days with repeat
    purchases of the cohort and how many, and the last day tracked (None: no line)."""
    last = _last_purchase_day(tx)
    if last is None:
        return None
    end_day = _day_number(end) if end is not None else last
    first_sql, repeat_sql = Q.tracking_sql("{src}", tx.dialect, cal_day, end_day)
    f = tx.frame(first_sql)
    r = tx.arrow(repeat_sql)
    return (_index(f["customer_id"].to_numpy(dtype=object)), f["first_day"].to_numpy(dtype=np.int64),
            r.column("day").to_numpy().astype(np.int64), r.column("n").to_numpy().astype(np.int64), end_day)


def acquisition_covariates(tx: LazyTransactions, *, end: pd.Timestamp | None, first_days: int) -> pd.DataFrame:
    """:func:`crmmine.acquisition_covariates` of a lazy table (parameters already checked)."""
    has_country = "country" in tx.columns
    before = None if end is None else end + pd.Timedelta(days=1)
    per_sql, home_sql = Q.acquisition_sql("{src}", tx.dialect, before, country=has_country)
    per = tx.frame(per_sql)
    if per.empty:
        raise InputError("The 'tx' table has no dated lines with a customer id before calibration_end.")
    first = per["first"].to_numpy(dtype="datetime64[ns]")
    start = pd.Timestamp(first.min()).normalize()
    cut = (start + pd.Timedelta(days=first_days)).to_datetime64()
    out = pd.DataFrame({"before_data": (first < cut).astype(float)},
                       index=_index(per["customer_id"].to_numpy(dtype=object)))
    if has_country:
        home = tx.arrow(home_sql).to_pylist()
        if not home:
            raise InputError("The 'tx' table has no country on its lines before calibration_end.")
        country = per["country"].to_numpy(dtype=object)
        out["home_country"] = np.asarray([c == home[0]["country"] for c in country], dtype=float)
    return out


# ------------------------------------------------------------------------------ churn labels
def line_bounds(tx: LazyTransactions) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last ``order_date`` of the lines (NaT when there are none)."""
    b = tx.frame(Q.bounds_sql("{src}"))
    return pd.Timestamp(b["first"].iloc[0]), pd.Timestamp(b["last"].iloc[0])


def churn_labels(tx: LazyTransactions, *, cutoff: pd.Timestamp, horizon_days: int, min_orders: int,
                 lookback_days: int | None) -> pd.DataFrame:
    """:func:`crmmine.churn_labels` of a lazy table (parameters and reach already checked): the
    orders before and within the horizon counted in the engine, one row per eligible customer."""
    end = cutoff + pd.Timedelta(days=horizon_days)
    start = None if lookback_days is None else cutoff - pd.Timedelta(days=lookback_days)
    raw = tx.frame(Q.churn_labels_sql("{src}", tx.dialect, cutoff, end,
                                                       has_quantity="quantity" in tx.columns,
                                                       min_orders=min_orders, lookback_start=start))
    out = pd.DataFrame(index=_index(raw["customer_id"].to_numpy(dtype=object)))
    out["orders_before"] = raw["orders_before"].to_numpy(dtype=np.int64)
    out["last_order_date"] = raw["last_order_date"].to_numpy(dtype="datetime64[ns]")
    out["orders_in_horizon"] = raw["orders_in_horizon"].to_numpy(dtype=np.int64)
    out["churned"] = out["orders_in_horizon"].eq(0)
    return out




# ------------------------------------------------------------------------------ loyalty types
def loyalty_measures(tx: LazyTransactions, *, as_of: pd.Timestamp, promoted: list | None, campaigns):
    """The raw per-customer columns of :func:`crmmine.loyalty_types` counted in the engine (two
    queries: one over the orders, one over the lines), as one DataFrame sorted by customer id, and
    whether the lines carry a discount. ``promoted``: order ids or None; ``campaigns``: a DataFrame of
    ``start``, ``end`` or None (input already validated)."""
    d = tx.dialect
    has_discount = "discount" in tx.columns and bool(
        tx.arrow("SELECT count(discount) AS n FROM {src}").column(0)[0].as_py())
    view = None
    if promoted is not None:
        view = _frame_view(tx, pd.DataFrame({"order_id": np.asarray([str(p) for p in promoted], dtype=object)}))
    days = None
    if campaigns is not None and len(campaigns):
        lo = campaigns["start"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").view("int64")
        hi = campaigns["end"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").view("int64")
        days = list(zip(lo.tolist(), hi.tolist()))
    o = tx.frame(Q.loyalty_orders_sql("{src}", d, as_of, has_discount=has_discount,
                                                       promoted=view, campaign_days=days))
    level = "category" if "category" in tx.columns and bool(
        tx.arrow("SELECT count(category) AS n FROM {src}").column(0)[0].as_py()) else "product_id"
    lines = tx.frame(Q.loyalty_lines_sql("{src}", d, as_of, item=level))
    ids = o["customer_id"].to_numpy(dtype=object)
    pos = pd.Index(lines["customer_id"].to_numpy(dtype=object)).get_indexer(ids)
    for c in ("paid", "at_typical", "varies", "hhi"):
        v = lines[c].to_numpy(dtype=float, na_value=np.nan)
        o[c] = np.where(pos >= 0, v[np.maximum(pos, 0)], np.nan)
    return o, has_discount
