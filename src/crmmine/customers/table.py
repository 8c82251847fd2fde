"""The customer table: one row per customer, as of a date.

Every customer analysis (RFM, lifecycle states, clustering, CLV, churn) starts from this
table. It is computed from clean purchase lines (``crmmine.clean(...).transactions``) and,
optionally, the returns the cleaning set apart (``CleanResult.returns``), which measure the
cost-to-serve side of each customer.

Columns (index ``customer_id``):

=========================  ==============  ====================================================
column                     dtype           meaning
=========================  ==============  ====================================================
first_purchase             datetime64[ns]  date-time of the first order line before ``as_of``
last_purchase              datetime64[ns]  date-time of the last order line before ``as_of``
recency_days               int64           whole days from ``last_purchase`` to ``as_of``
frequency                  int64           distinct orders (``order_id``)
monetary_total             float64         sum of ``amount`` over the purchase lines
monetary_mean              float64         mean order value: ``monetary_total / frequency``
tenure_days                int64           whole days from ``first_purchase`` to ``as_of``
mean_interpurchase_days    float64         ``(last_purchase - first_purchase) / (frequency - 1)``
                                           in (fractional) days; NaN for one-order customers
distinct_products          int64           distinct ``product_id``
returns_count              int64           distinct return orders (0 without ``returns``)
returns_value              float64         value returned, as a positive number
return_rate                float64         ``returns_value / monetary_total`` (share of the
                                           purchase value returned; can exceed 1 when goods
                                           bought before the data starts are returned)
country                    string          the customer's most frequent country (by lines;
                                           ties: alphabetical first); missing without ``country``
=========================  ==============  ====================================================
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import CrmmineWarning, InputError
from ..validation import check_date
from ..data.schema import STRING_DTYPE, validate_transactions

__all__ = ["customer_table", "CUSTOMER_COLUMNS"]

#: The columns of :func:`customer_table`, in order.
CUSTOMER_COLUMNS: tuple[str, ...] = (
    "first_purchase",
    "last_purchase",
    "recency_days",
    "frequency",
    "monetary_total",
    "monetary_mean",
    "tenure_days",
    "mean_interpurchase_days",
    "distinct_products",
    "returns_count",
    "returns_value",
    "return_rate",
    "country",
)

_DAY_NS = 86_400 * 10**9


def _resolve_as_of(tx: pd.DataFrame, as_of, name: str = "as_of") -> pd.Timestamp:
    """``as_of`` as a Timestamp; ``None`` -> the day after the last transaction (midnight)."""
    if as_of is None:
        last = tx["order_date"].max()
        if pd.isna(last):
            raise InputError("The 'tx' table has no dated transactions; give a table with at least one line.")
        return pd.Timestamp(last).normalize() + pd.Timedelta(days=1)
    return check_date(name, as_of)


def _pair_counts(group: np.ndarray, item: np.ndarray, n_groups: int) -> np.ndarray:
    """Number of distinct ``item`` codes per ``group`` code (both non-negative int arrays).

    Fast path when every item belongs to a single group (an order id to one customer):
    then the count is a bincount of each item's group, without hashing pairs.
    """
    ok = item >= 0  # missing ids (code -1) are not counted
    if not ok.all():
        group, item = group[ok], item[ok]
    if group.size == 0:
        return np.zeros(n_groups, dtype=np.int64)
    n_items = int(item.max()) + 1
    owner = np.empty(n_items, dtype=np.int64)
    owner[item] = group
    if np.array_equal(owner[item], group):
        seen = np.zeros(n_items, dtype=bool)
        seen[item] = True
        return np.bincount(owner[seen], minlength=n_groups).astype(np.int64)
    width = np.int64(n_items)
    pairs = pd.unique(group.astype(np.int64) * width + item.astype(np.int64))
    return np.bincount(pairs // width, minlength=n_groups).astype(np.int64)


def _most_frequent(group_sorted: np.ndarray, order: np.ndarray, starts: np.ndarray, values: pd.Series,
                   n_groups: int) -> pd.arrays.ArrowStringArray:
    """The most frequent value of ``values`` per group (ties: smallest value); missing when none.

    ``order`` sorts the lines by group, ``group_sorted`` is the group code of each sorted line and
    ``starts`` the first sorted position of each group. Groups whose lines all share one value
    (nearly every customer and country) are answered without counting.
    """
    vcodes, vuniq = pd.factorize(values, sort=True)  # sorted: code order = alphabetical order
    vs = vcodes[order]
    out = vs[starts].astype(np.int64)
    sizes = np.diff(np.r_[starts, len(vs)])
    mixed_line = vs != np.repeat(out, sizes)
    if mixed_line.any():
        mixed = np.zeros(n_groups, dtype=bool)
        mixed[group_sorted[mixed_line]] = True
        sel = mixed[group_sorted] & (vs >= 0)
        g_all, v_all = group_sorted[sel], vs[sel]
        out[mixed] = -1
        if g_all.size:
            width = np.int64(max(len(vuniq), 1))
            keys, counts = np.unique(g_all.astype(np.int64) * width + v_all, return_counts=True)
            g, v = keys // width, keys % width
            # per group: highest count, then lowest code (alphabetical)
            o = np.lexsort((v, -counts, g))
            g, v = g[o], v[o]
            first = np.r_[True, g[1:] != g[:-1]]
            out[g[first]] = v[first]
    labels = np.asarray(vuniq, dtype=object) if len(vuniq) else np.array([None], dtype=object)
    result = np.where(out >= 0, labels[np.clip(out, 0, None)], None)
    return pd.array(result, dtype=STRING_DTYPE)


def customer_table(tx: pd.DataFrame, *, as_of=None, returns: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per customer: recency, frequency, monetary value, tenure, returns, country.

    The classic RFM variables (Hughes 1994; Chen, Sain & Guo 2012 on this very Online
    Retail data) plus the customer descriptors the CRM texts use: tenure (time since
    acquisition), mean inter-purchase time, breadth of purchases (distinct products) and
    the cost-to-serve side (returns).

    Parameters
    ----------
    tx : pandas.DataFrame or crmmine.engine.LazyTransactions
        Clean canonical purchase lines, e.g. ``crmmine.load_clean(path).transactions``. A
        lazy table (DuckDB, Spark) is aggregated in its engine; ``returns`` must then be
        lazy in the same engine (``crmmine.clean(lazy).returns``).
    as_of : date-like or None, default=None
        The date the table describes. Only lines strictly before it are used (an ``as_of``
        of ``"2011-06-01"`` means "at the start of 1 June 2011"). ``None`` means the day
        after the last transaction, so every line counts.
    returns : pandas.DataFrame or None, default=None
        Return lines (``CleanResult.returns``: cancellations and negative quantities) with
        at least ``customer_id``, ``order_id``, ``order_date`` and ``amount``. Lines dated
        at or after ``as_of`` and returns of customers with no purchase before ``as_of``
        are ignored. ``None``: the return columns are 0.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (sorted), columns :data:`CUSTOMER_COLUMNS` (see the module
        docstring for the exact definitions).

    Raises
    ------
    MissingColumnError
        ``tx`` or ``returns`` lacks a required column.
    InputError
        No transaction line falls before ``as_of``, or ``tx`` has lines without a customer id.
    ParameterError
        ``as_of`` is not a date.

    Warns
    -----
    CrmmineWarning
        ``tx`` holds lines with a negative quantity (returns not separated by
        :func:`crmmine.clean`); they are counted as given.

    Examples
    --------
    >>> import crmmine
    >>> result = crmmine.load_clean("sample")
    >>> customers = crmmine.customer_table(result.transactions, returns=result.returns)
    >>> customers.index.is_unique
    True
    >>> bool((customers["frequency"] >= 1).all())
    True
    """
    from ..engine.lazy import is_lazy

    if is_lazy(tx):  # aggregated in its engine (DuckDB, Spark), finished like below
        from ..engine import aggregate

        return aggregate.customer_table(tx, as_of=check_date("as_of", as_of), returns=returns)
    validate_transactions(tx)
    as_of = _resolve_as_of(tx, as_of)
    if returns is not None:
        validate_transactions(returns, name="returns")
    dates_all = tx["order_date"]
    keep = (dates_all < as_of).to_numpy(dtype=bool, na_value=False)
    if not keep.any():
        first = dates_all.min()
        raise InputError(
            f"No transaction in 'tx' is dated before as_of={as_of}. The first line is dated {first}; "
            "give a later 'as_of' (or None for the day after the last transaction)."
        )
    sub = tx if keep.all() else tx.loc[keep]
    if sub["customer_id"].isna().any():
        raise InputError(
            "The 'tx' table has lines without a customer id (guest lines). Clean it first: "
            "crmmine.clean(tx).transactions rejects them."
        )
    if (sub["quantity"].to_numpy(dtype=float) < 0).any():
        warnings.warn(
            "The 'tx' table has lines with a negative quantity (returns); they are counted as purchases. "
            "Pass crmmine.clean(tx).transactions as 'tx' and CleanResult.returns as 'returns'.",
            CrmmineWarning,
            stacklevel=2,
        )

    cust, ids = pd.factorize(sub["customer_id"], sort=True)
    n = len(ids)
    dates = sub["order_date"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    amount = sub["amount"].to_numpy(dtype=float)

    # one sort of the lines by (customer, product) serves first/last dates, distinct products
    # and the country: no per-customer loop, no hashing of (customer, product) pairs
    prod = pd.factorize(sub["product_id"])[0].astype(np.int64)
    width = np.int64(prod.max()) + 2  # missing product code -1 -> 0
    key = cust.astype(np.int64) * width + (prod + 1)
    order = np.argsort(key)
    key_sorted = key[order]
    cust_sorted = cust[order]
    starts = np.r_[0, np.flatnonzero(np.diff(cust_sorted)) + 1]
    d_sorted = dates[order]
    first = np.minimum.reduceat(d_sorted, starts)
    last = np.maximum.reduceat(d_sorted, starts)
    monetary = np.bincount(cust, weights=amount, minlength=n)
    frequency = _pair_counts(cust, pd.factorize(sub["order_id"])[0], n)
    new_product = np.r_[True, key_sorted[1:] != key_sorted[:-1]] & (key_sorted % width != 0)
    products = np.bincount(cust_sorted[new_product], minlength=n).astype(np.int64)
    del key, key_sorted, prod

    as_of_ns = np.datetime64(as_of.to_datetime64(), "ns").view(np.int64)
    recency = (as_of_ns - last) // _DAY_NS
    tenure = (as_of_ns - first) // _DAY_NS
    span_days = (last - first) / _DAY_NS
    with np.errstate(divide="ignore", invalid="ignore"):
        interpurchase = np.where(frequency > 1, span_days / (frequency - 1), np.nan)

    r_count = np.zeros(n, dtype=np.int64)
    r_value = np.zeros(n, dtype=float)
    if returns is not None and len(returns):
        rkeep = (returns["order_date"] < as_of).to_numpy(dtype=bool, na_value=False)
        ret = returns.loc[rkeep]
        rc = pd.Index(ids).get_indexer(ret["customer_id"])
        ok = rc >= 0
        if ok.any():
            rc = rc[ok]
            r_value = np.abs(np.bincount(rc, weights=ret["amount"].to_numpy(dtype=float)[ok], minlength=n))
            r_count = _pair_counts(rc, pd.factorize(ret["order_id"])[0][ok], n)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(monetary > 0, r_value / monetary, np.where(r_value > 0, np.inf, 0.0))

    if "country" in sub.columns:
        country = _most_frequent(cust_sorted, order, starts, sub["country"], n)
    else:
        country = pd.array([None] * n, dtype=STRING_DTYPE)

    if pd.api.types.is_string_dtype(ids.dtype) or ids.dtype == object:
        index = pd.Index(pd.array(np.asarray(ids, dtype=object), dtype=STRING_DTYPE), name="customer_id")
    else:  # ids of another type (e.g. integers in a hand-made table) keep their type
        index = pd.Index(ids, name="customer_id")
    table = pd.DataFrame(
        {
            "first_purchase": first.view("datetime64[ns]"),
            "last_purchase": last.view("datetime64[ns]"),
            "recency_days": recency.astype(np.int64),
            "frequency": frequency,
            "monetary_total": monetary,
            "monetary_mean": monetary / frequency,
            "tenure_days": tenure.astype(np.int64),
            "mean_interpurchase_days": interpurchase,
            "distinct_products": products,
            "returns_count": r_count,
            "returns_value": r_value,
            "return_rate": rate,
            "country": country,
        },
        index=index,
    )
    table.attrs["as_of"] = as_of
    return table
