"""Market baskets: the orders x items sparse matrix that itemset and rule mining work on.

:func:`make_baskets` turns canonical clean transactions (one row per order line) or an
iterable of baskets (lists of item labels) into a :class:`Baskets` object: a boolean
``scipy.sparse.csr_matrix`` with one row per order and one column per item, built without
a Python loop per line or per order.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._itemsets import min_count
from ..errors import InputError, MissingColumnError, ParameterError
from ..validation import check_number

__all__ = ["Baskets", "make_baskets", "read_baskets"]

_LEVEL_COLUMNS = {"product": "product_id", "category": "category"}
_OVERSIZED = ("flag", "drop")


@dataclass(frozen=True, eq=False)
class Baskets:
    """Orders as sets of items: a boolean sparse matrix with its row and column labels.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix of shape (n_orders, n_items), dtype bool
        ``matrix[i, j]`` is True when order ``orders[i]`` contains item ``items[j]``.
        Orders whose items all fell under ``min_support`` keep an empty row: they still
        count as transactions, as in R arules.
    items : pandas.Index of str
        Item labels (product ids, or category names with ``level="category"``), sorted.
    orders : pandas.Index
        Order ids (sorted), or positions 0..n-1 when built from an iterable of baskets.
    n_orders : int
        Number of orders (rows), the ``N`` of every relative support.
    oversized : pandas.Index
        Orders with more than ``max_basket_size`` distinct items: flagged (still in the
        matrix) with ``oversized="flag"``, removed with ``oversized="drop"``.
    customers : pandas.Series or None
        ``order_id -> customer_id`` (index ``orders``) when built from transactions.
    level : str
        ``"product"``, ``"category"`` or ``"basket"`` (built from an iterable of baskets).
    item_names : pandas.Series or None
        ``item -> product_name`` (the name on the item's first line; index ``items``) for
        product baskets built from transactions with a ``product_name`` column.
    params : dict
        The options the baskets were built with.
    """

    matrix: sp.csr_matrix
    items: pd.Index
    orders: pd.Index
    n_orders: int
    oversized: pd.Index
    customers: pd.Series | None = None
    level: str = "product"
    params: dict = field(default_factory=dict)
    item_names: pd.Series | None = None

    @property
    def n_items(self) -> int:
        """Number of items (columns)."""
        return len(self.items)

    @property
    def item_counts(self) -> pd.Series:
        """Number of orders containing each item (index ``items``, name ``count``)."""
        counts = np.diff(self.matrix.tocsc().indptr)
        return pd.Series(counts.astype(np.int64), index=self.items, name="count")

    @property
    def basket_sizes(self) -> pd.Series:
        """Number of items of each order (index ``orders``, name ``size``)."""
        return pd.Series(np.diff(self.matrix.indptr).astype(np.int64), index=self.orders, name="size")

    def __len__(self) -> int:
        return self.n_orders

    def __repr__(self) -> str:
        return (
            f"Baskets({self.n_orders:,} orders x {self.n_items:,} items at level {self.level!r}, "
            f"{self.matrix.nnz:,} order-item pairs, {len(self.oversized):,} oversized)"
        )




def _pairs_from_frame(df: pd.DataFrame, level: str):
    """(order labels, item labels, customer labels or None, product names or None) of the purchase lines."""
    col = _LEVEL_COLUMNS[level]
    for needed in ("order_id", col):
        if needed not in df.columns:
            hint = (
                " Category baskets need a 'category' column in the transactions; map one when reading "
                "(read_transactions(..., columns={'category': '<your column>'})) or use level='product'."
                if needed == "category"
                else " Give canonical transactions (crmmine.load_clean(...).transactions)."
            )
            raise MissingColumnError(
                f"The transactions have no {needed!r} column, needed for level={level!r} baskets.{hint} "
                f"Columns present: {', '.join(map(str, df.columns))}."
            )
    keep = df[col].notna().to_numpy() & df["order_id"].notna().to_numpy()
    if "quantity" in df.columns:  # returns are not purchases
        keep &= (df["quantity"].to_numpy(dtype=float, na_value=np.nan) > 0)
    df = df.loc[keep]
    cust = df["customer_id"] if "customer_id" in df.columns else None
    names = df["product_name"] if level == "product" and "product_name" in df.columns else None
    return df["order_id"], df[col].astype("string"), cust, names


def _pairs_from_iterable(data):
    """Order positions and item labels from an iterable of baskets (one Python pass over baskets)."""
    baskets = list(data)
    for pos, b in enumerate(baskets):
        if isinstance(b, (str, bytes)) or not isinstance(b, Iterable):
            raise InputError(
                f"Each basket must be a list (or set) of item labels. Basket {pos} is {b!r}; "
                "wrap a single item in a list: ['item']."
            )
    sizes = np.fromiter((len(b) if hasattr(b, "__len__") else -1 for b in baskets), dtype=np.int64, count=len(baskets))
    if (sizes < 0).any():
        baskets = [list(b) for b in baskets]
        sizes = np.fromiter((len(b) for b in baskets), dtype=np.int64, count=len(baskets))
    flat = [x for b in baskets for x in b]
    order_pos = np.repeat(np.arange(len(baskets), dtype=np.int64), sizes)
    items = pd.Series(flat, dtype=object).astype(str).astype("string") if flat else pd.Series([], dtype="string")
    return len(baskets), order_pos, items


def make_baskets(
    data,
    *,
    level: str = "product",
    min_support: float | None = None,
    max_basket_size: int | None = None,
    oversized: str = "flag",
) -> Baskets:
    """Build the orders x items basket matrix from transactions or lists of items.

    Parameters
    ----------
    data : pandas.DataFrame, LazyTransactions, CleanResult, Baskets or iterable of iterables
        Canonical clean transactions (a lazy DuckDB/Spark table is counted in its engine) (columns ``order_id`` and ``product_id``, or
        ``category`` for ``level="category"``; ``customer_id`` is carried when present;
        lines with ``quantity <= 0`` are returns and are ignored), a
        :class:`~crmmine.CleanResult` (its ``transactions`` are used), or an iterable of
        baskets, each a list/set of item labels (converted to ``str``). A :class:`Baskets`
        object is returned unchanged when no option asks for a change.
    level : {"product", "category"}, default="product"
        Items are products (``product_id``) or categories (``category``). Ignored for an
        iterable of baskets.
    min_support : float in (0, 1] or None, default=None
        Drop items bought in fewer than ``min_support * n_orders`` orders *before* encoding
        (inclusive, as R arules: an item in exactly that many orders is kept). The orders
        stay (possibly empty), so relative supports keep their meaning.
    max_basket_size : int or None, default=None
        Baskets with more distinct items than this (counted before ``min_support``) are
        oversized: wholesale orders or data errors that dominate pair counts.
    oversized : {"flag", "drop"}, default="flag"
        ``"flag"`` keeps oversized orders and lists them in ``Baskets.oversized``;
        ``"drop"`` removes them (they no longer count in ``n_orders``).

    Returns
    -------
    Baskets

    Raises
    ------
    ParameterError
        An option is out of range.
    MissingColumnError
        The column of the requested level (e.g. ``category``) is absent.
    InputError
        There are no orders (or no baskets).

    Examples
    --------
    >>> import crmmine
    >>> b = crmmine.make_baskets([["milk", "bread"], ["milk"], ["beer", "bread"]])
    >>> b.n_orders, list(b.items)
    (3, ['beer', 'bread', 'milk'])
    >>> b.matrix.toarray().astype(int)
    array([[0, 1, 1],
           [0, 0, 1],
           [1, 1, 0]])
    """
    if level not in _LEVEL_COLUMNS:
        raise ParameterError(f"The 'level' parameter must be 'product' or 'category'. Got {level!r} instead.")
    min_support = check_number("min_support", min_support, lo=0, hi=1, lo_open=True, none_ok=True, hint="a share of orders, e.g. 0.01")
    if max_basket_size is not None and (
        isinstance(max_basket_size, bool) or not isinstance(max_basket_size, numbers.Integral) or max_basket_size < 1
    ):
        raise ParameterError(
            f"The 'max_basket_size' parameter must be a positive integer or None. Got {max_basket_size!r} instead."
        )
    if oversized not in _OVERSIZED:
        raise ParameterError(f"The 'oversized' parameter must be 'flag' or 'drop'. Got {oversized!r} instead.")
    params = {"level": level, "min_support": min_support, "max_basket_size": max_basket_size, "oversized": oversized}

    if isinstance(data, Baskets):
        if min_support is None and max_basket_size is None:
            return data
        return _rebuild(data, params)
    from ..engine.lazy import is_lazy

    if is_lazy(data):  # item counts and infrequent-item pruning in the engine, the rest as below
        from ..engine import aggregate

        # a basket's size counts every item, so with a size cap the pruning waits for _finish
        X, items, orders, customers = aggregate.basket_arrays(
            data, level=level, min_support=min_support if max_basket_size is None else None)
        return _finish(X, items, orders, customers, level, params)
    if hasattr(data, "transactions") and isinstance(getattr(data, "transactions"), pd.DataFrame):
        data = data.transactions
    customers = names = None
    if isinstance(data, pd.DataFrame):
        order_lab, item_lab, cust, names = _pairs_from_frame(data, level)
        o_codes, orders = pd.factorize(order_lab, sort=True)
        n_orders = len(orders)
        if cust is not None:
            _, first = np.unique(o_codes, return_index=True)  # first line of each order
            customers = pd.Series(cust.to_numpy()[first] if n_orders else [], index=orders, name="customer_id",
                                  dtype=cust.dtype)
            customers.index.name = "order_id"
        orders = pd.Index(orders, name="order_id")
        basket_level = level
    elif isinstance(data, Iterable) and not isinstance(data, (str, bytes)):
        n_orders, o_codes, item_lab = _pairs_from_iterable(data)
        orders = pd.RangeIndex(n_orders, name="order")
        basket_level = "basket"
    else:
        raise InputError(
            "The 'data' must be canonical transactions (a DataFrame), a CleanResult, or an iterable of baskets "
            f"(lists of item labels). Got {type(data).__name__} instead."
        )
    if n_orders == 0:
        raise InputError(
            "There are no baskets to mine: the data holds no orders (or no purchase lines). "
            "Check the input is not empty and holds purchases (quantity > 0)."
        )
    i_codes, items = pd.factorize(item_lab, sort=True)
    items = pd.Index(np.asarray(items, dtype=object).astype(str), dtype="string", name="item")
    item_names = None
    if names is not None:
        _, first = np.unique(i_codes, return_index=True)  # first line of each item
        item_names = pd.Series(names.to_numpy()[first], index=items, name="product_name", dtype=names.dtype)
    X = _encode(o_codes, i_codes, n_orders, len(items))
    return _finish(X, items, orders, customers, basket_level, params, item_names)


def _encode(o_codes, i_codes, n_orders, n_items) -> sp.csr_matrix:
    X = sp.csr_matrix(
        (np.ones(len(o_codes), dtype=bool), (np.asarray(o_codes, dtype=np.int64), np.asarray(i_codes, dtype=np.int64))),
        shape=(n_orders, n_items),
    )
    X.sum_duplicates()  # an order with the same item on two lines holds it once
    X.sort_indices()
    return X


def _finish(X, items, orders, customers, level, params, item_names=None) -> Baskets:
    sizes = np.diff(X.indptr)
    big = np.zeros(X.shape[0], bool) if params["max_basket_size"] is None else sizes > params["max_basket_size"]
    flagged = orders[big]
    if params["oversized"] == "drop" and big.any():
        X = X[~big]
        orders = orders[~big]
        if customers is not None:
            customers = customers[~big]
    n = X.shape[0]
    if n == 0:
        raise InputError(
            f"There are no baskets left: all {len(big):,} orders have more than max_basket_size="
            f"{params['max_basket_size']} items and oversized='drop' removed them. Raise max_basket_size."
        )
    if params["min_support"] is not None:
        X.sum_duplicates()  # canonical: each item once per row, so counting column indices counts orders
        counts = np.bincount(X.indices, minlength=X.shape[1])
        keep = np.flatnonzero(counts >= min_count(params["min_support"], n))
        if len(keep) < X.shape[1]:
            X = X[:, keep]
            items = items[keep]
            if item_names is not None:
                item_names = item_names.iloc[keep]
    X = sp.csr_matrix(X, dtype=bool)
    X.sort_indices()
    return Baskets(matrix=X, items=items, orders=orders, n_orders=int(n), oversized=flagged,
                   customers=customers, level=level, params=params, item_names=item_names)


def _rebuild(b: Baskets, params: dict) -> Baskets:
    params = {**b.params, **{k: v for k, v in params.items() if v is not None}, "level": b.level}
    return _finish(b.matrix, b.items, b.orders, b.customers, b.level, params, b.item_names)


def read_baskets(path, *, sep: str | None = None, encoding: str = "auto", min_support: float | None = None,
                 max_basket_size: int | None = None, oversized: str = "flag") -> Baskets:
    """Read a basket-per-line file into :class:`Baskets`: each line is one basket of items.

    This is the format of R arules' ``Groceries`` data (``read.transactions(file,
    format = "basket", sep = ",")``), which :func:`crmmine.read_transactions` refuses as
    "not a table": ``citrus fruit,semi-finished bread,margarine,ready soups``. Items are
    stripped of surrounding spaces; an item repeated in a line counts once.

    Parameters
    ----------
    path : str or pathlib.Path
        A text file (optionally gzip-compressed), one basket per line.
    sep : str or None, default=None
        Item separator; ``None`` picks the most frequent of ``,`` ``;`` tab ``|``
        (whitespace when none occurs).
    encoding : str, default="auto"
        As :func:`crmmine.read_transactions`.
    min_support, max_basket_size, oversized
        As :func:`make_baskets`.

    Returns
    -------
    Baskets
        Level ``"basket"``; orders are the line positions 0..n-1.

    Examples
    --------
    >>> import crmmine, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "groceries.csv"
    >>> _ = p.write_text("citrus fruit,margarine\nwhole milk\nmargarine,whole milk,rolls\n")
    >>> b = crmmine.read_baskets(p)
    >>> b.n_orders, list(b.items)
    (3, ['citrus fruit', 'margarine', 'rolls', 'whole milk'])
    """
    from ..data.io import read_basket_lines

    return make_baskets(read_basket_lines(path, sep=sep, encoding=encoding), min_support=min_support,
                        max_basket_size=max_basket_size, oversized=oversized)


def as_baskets(data, *, level: str = "product", min_support: float | None = None) -> Baskets:
    """``data`` as :class:`Baskets` (the entry point of the miners).

    ``min_support`` is used only for a lazy table (DuckDB, Spark): items below it are
    pruned in the engine, so only the frequent items' order-item pairs come back, as item
    codes without order ids (``orders`` is then ``RangeIndex(n_orders)``, ``customers`` None).
    """
    if isinstance(data, Baskets):
        return data
    from ..engine.lazy import is_lazy

    if is_lazy(data):  # the miners need no order or customer id: only the codes leave the engine
        from ..engine import aggregate

        params = {"level": level, "min_support": min_support, "max_basket_size": None, "oversized": "flag"}
        X, items, orders, _ = aggregate.basket_arrays(data, level=level, min_support=min_support, labels=False)
        return _finish(X, items, orders, None, level, params)
    return make_baskets(data, level=level)
