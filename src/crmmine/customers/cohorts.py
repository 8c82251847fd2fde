"""Acquisition cohorts and value concentration: cohort tables, ABC classes, Lorenz curve, Gini, value ranking."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ..errors import InputError, MissingColumnError, ParameterError
from ..validation import check_choice, check_number, check_table
from ..data.schema import validate_transactions

__all__ = ["cohort_table", "pareto_classes", "lorenz_curve", "gini", "value_ranking", "top_share",
           "COHORT_PERIODS"]

#: Periods :func:`cohort_table` knows: month, quarter, week (weeks start on Monday).
COHORT_PERIODS: tuple[str, ...] = ("M", "Q", "W")
_COHORT_VALUES = ("customers", "revenue")


def _period_ordinals(dates: pd.Series, period: str) -> np.ndarray:
    """The pandas Period ordinal of each date (vectorised, no Period objects per row)."""
    if period == "W":
        days = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").view(np.int64)
        # pandas weekly periods W-SUN (Monday..Sunday): 1970-01-01, a Thursday, is in week ordinal 1
        return (days + 3) // 7 + 1
    year = dates.dt.year.to_numpy(dtype=np.int64) - 1970
    month = dates.dt.month.to_numpy(dtype=np.int64) - 1
    return year * 12 + month if period == "M" else year * 4 + month // 3


def cohort_table(tx: pd.DataFrame, *, value: str = "customers", period: str = "M",
                 normalize: bool = False) -> pd.DataFrame:
    """Acquisition cohorts x periods since the first purchase.

    A customer's cohort is the period of their first purchase; period ``k`` of a cohort
    is ``k`` periods later (``0`` is the acquisition period itself).

    Parameters
    ----------
    tx : pandas.DataFrame
        Clean canonical purchase lines.
    value : {"customers", "revenue"}, default="customers"
        ``"customers"``: distinct customers of the cohort who bought in the period;
        ``"revenue"``: their total ``amount`` in the period.
    period : {"M", "Q", "W"}, default="M"
        Month, quarter or week (Monday to Sunday).
    normalize : bool, default=False
        Divide each row by its period-0 value: retention rates for customers (period 0 is
        the cohort size), revenue relative to the acquisition period for revenue.

    Returns
    -------
    pandas.DataFrame
        Index ``cohort`` (a ``PeriodIndex``, every period from the first to the last
        cohort, so a period without acquisitions is a row of zeros); columns
        ``periods_since_first`` 0, 1, ... up to the span of the data (int). A cell after the end of
        the data is NaN; a cell with no purchase is 0. Counts are float64 because of the NaN.

    Examples
    --------
    >>> import crmmine
    >>> r = crmmine.load_clean("sample")
    >>> c = crmmine.cohort_table(r.transactions)
    >>> str(c.index[0]), int(c.iloc[0, 0]) == int(c.iloc[0, 0])
    ('2010-12', True)
    """
    from ..engine.lazy import is_lazy

    lazy = is_lazy(tx)
    if not lazy:
        validate_transactions(tx)
    if value not in _COHORT_VALUES:
        raise ParameterError(f"The 'value' parameter must be one of 'customers', 'revenue'. Got {value!r} instead.")
    if period not in COHORT_PERIODS:
        raise ParameterError(f"The 'period' parameter must be one of 'M', 'Q', 'W'. Got {period!r} instead.")
    if lazy:  # (cohort, periods since) cells counted in the engine (DuckDB, Spark)
        from ..engine import aggregate

        cells = aggregate.cohort_cells(tx, period=period)
        if cells.empty:
            raise InputError("The 'tx' table has no dated transactions; a cohort table needs at least one.")
        cohort = cells["cohort"].to_numpy(dtype=np.int64)
        since = cells["since"].to_numpy(dtype=np.int64)
        lo, hi = int(cohort.min()), int((cohort + since).max())
        n_rows, n_cols = int(cohort.max()) - lo + 1, hi - lo + 1
        weights = cells["customers" if value == "customers" else "revenue"].to_numpy(dtype=float)
        counts = np.bincount((cohort - lo) * n_cols + since, weights=weights, minlength=n_rows * n_cols)
        return _cohort_grid(counts, lo, hi, n_rows, n_cols, period, normalize)
    if len(tx) == 0 or tx["order_date"].isna().all():
        raise InputError("The 'tx' table has no dated transactions; a cohort table needs at least one.")
    ok = tx["order_date"].notna().to_numpy()
    sub = tx.loc[ok] if not ok.all() else tx
    per = _period_ordinals(sub["order_date"], period)
    cust = pd.factorize(sub["customer_id"])[0]
    n_cust = int(cust.max()) + 1
    order = np.argsort(cust, kind="stable")
    starts = np.r_[0, np.flatnonzero(np.diff(cust[order])) + 1]
    first = np.minimum.reduceat(per[order], starts)  # first period per customer code 0..n_cust-1
    cohort = first[cust]
    since = per - cohort
    lo, hi = int(first.min()), int(per.max())
    n_rows, n_cols = int(first.max()) - lo + 1, hi - lo + 1
    cell = (cohort - lo) * n_cols + since
    if value == "customers":
        pairs = pd.unique(cell.astype(np.int64) * n_cust + cust)
        counts = np.bincount(pairs // n_cust, minlength=n_rows * n_cols).astype(float)
    else:
        counts = np.bincount(cell, weights=sub["amount"].to_numpy(dtype=float), minlength=n_rows * n_cols)
    return _cohort_grid(counts, lo, hi, n_rows, n_cols, period, normalize)


def _cohort_grid(counts, lo, hi, n_rows, n_cols, period, normalize) -> pd.DataFrame:
    """The cohort x periods-since table from the flat cell counts (one definition for every engine)."""
    grid = counts.reshape(n_rows, n_cols)
    # cells past the end of the data: cohort + k > last period
    beyond = (np.arange(n_rows)[:, None] + np.arange(n_cols)[None, :]) > (hi - lo)
    grid[beyond] = np.nan
    if normalize:
        with np.errstate(divide="ignore", invalid="ignore"):
            grid = grid / grid[:, [0]]
    index = pd.PeriodIndex.from_ordinals(np.arange(lo, lo + n_rows), freq="W" if period == "W" else period)
    return pd.DataFrame(grid, index=index.rename("cohort"),
                        columns=pd.Index(np.arange(n_cols), name="periods_since_first"))


def _values(values, name: str = "values") -> np.ndarray:
    if isinstance(values, (pd.Series, pd.Index)):
        arr = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        try:
            arr = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise ParameterError(f"The '{name}' parameter must be numbers. Got {type(values).__name__} instead.") from None
    arr = arr.reshape(-1)
    if arr.size == 0:
        raise InputError(f"The '{name}' parameter is empty; give at least one value.")
    if np.isnan(arr).any():
        raise InputError(f"The '{name}' parameter has missing values (first at position {int(np.flatnonzero(np.isnan(arr))[0])}); drop them first.")
    if (arr < 0).any():
        raise InputError(
            f"The '{name}' parameter must not be negative (a concentration measure needs shares). "
            f"Got {arr[arr < 0][0]:g}; clip or drop negative values first."
        )
    if arr.sum() <= 0:
        raise InputError(f"The '{name}' parameter sums to 0; concentration needs a positive total.")
    return arr


def lorenz_curve(values) -> pd.DataFrame:
    """The Lorenz curve of a non-negative value (e.g. revenue per customer).

    Parameters
    ----------
    values : array-like of shape (n_customers,)
        Non-negative numbers.

    Returns
    -------
    pandas.DataFrame
        ``n_customers + 1`` rows from (0, 0) to (1, 1): ``customer_share`` (share of
        customers, smallest values first) and ``value_share`` (their share of the total).

    References
    ----------
    M. O. Lorenz (1905), "Methods of measuring the concentration of wealth",
    Publications of the American Statistical Association 9(70), 209-219.

    Examples
    --------
    >>> from crmmine import lorenz_curve
    >>> lorenz_curve([1, 1, 2])["value_share"].tolist()
    [0.0, 0.25, 0.5, 1.0]
    """
    x = np.sort(_values(values))
    n = x.size
    return pd.DataFrame({"customer_share": np.arange(n + 1) / n, "value_share": np.r_[0.0, np.cumsum(x) / x.sum()]})


def gini(values) -> float:
    """The Gini coefficient of a non-negative value: 0 = all equal, towards 1 = one customer has all.

    ``G = sum_i (2 i - n - 1) x_(i) / (n^2 mean(x))`` with ``x`` sorted ascending and
    ``i = 1..n`` (the sample Gini of Dixon, Weiner, Mitchell-Olds & Woodley 1987,
    "Bootstrapping the Gini coefficient of inequality", Ecology 68(5), 1548-1551;
    equivalently one minus twice the area under the Lorenz curve of the sample).

    Parameters
    ----------
    values : array-like of shape (n_customers,)
        Non-negative numbers.

    Returns
    -------
    float

    Examples
    --------
    >>> from crmmine import gini
    >>> gini([1, 1, 1, 1])
    0.0
    >>> gini([0, 0, 0, 4])
    0.75
    """
    x = np.sort(_values(values))
    n = x.size
    i = np.arange(1, n + 1)
    return float(np.sum((2 * i - n - 1) * x) / (n * x.sum()))


def top_share(values, fraction: float = 0.2) -> float:
    """Share of the total held by the top ``fraction`` of customers (e.g. the top 20%).

    The top ``ceil(fraction * n)`` values are counted.

    Examples
    --------
    >>> from crmmine.customers.cohorts import top_share
    >>> top_share([1, 1, 1, 1, 6], 0.2)
    0.6
    """
    if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real) or not 0 < fraction <= 1:
        raise ParameterError(f"The 'fraction' parameter must be in (0, 1]. Got {fraction!r} instead.")
    x = np.sort(_values(values))[::-1]
    k = int(np.ceil(fraction * x.size - 1e-9))
    return float(x[:k].sum() / x.sum())




def _ranked(values: np.ndarray, index: pd.Index) -> np.ndarray:
    """Order by value descending, ties by index ascending (deterministic)."""
    keys = pd.Index(index).astype(str).to_numpy(dtype=object) if len(index) else np.array([], dtype=object)
    tie = pd.factorize(keys, sort=True)[0]
    return np.lexsort((tie, -values))


def pareto_classes(customers: pd.DataFrame, *, value: str = "monetary_total", a: float = 0.8,
                   b: float = 0.95) -> pd.DataFrame:
    """ABC (Pareto) classes: the few customers that bring most of the value.

    Customers are sorted by ``value`` (largest first; ties by customer id). A customer is
    class ``A`` when the customers ranked above them hold less than ``a`` of the total
    (so class A is the smallest group that reaches ``a``), ``B`` when they hold less than
    ``b``, and ``C`` otherwise.

    Parameters
    ----------
    customers : pandas.DataFrame
        A customer table (:func:`crmmine.customer_table`).
    value : str, default="monetary_total"
        The non-negative column to rank by.
    a, b : float, default=0.8, 0.95
        Cumulative value shares closing classes A and B, ``0 < a < b < 1``.

    Returns
    -------
    pandas.DataFrame
        Same index, sorted by ``rank``: ``value``, ``rank`` (1 = largest), ``customer_share``
        and ``value_share`` (cumulative, including the customer) and ``abc_class``
        (categorical A, B, C).

    Examples
    --------
    >>> import pandas as pd
    >>> from crmmine import pareto_classes
    >>> c = pd.DataFrame({"monetary_total": [70., 20., 6., 4.]}, index=["w", "x", "y", "z"])
    >>> pareto_classes(c)["abc_class"].tolist()
    ['A', 'A', 'B', 'C']
    """
    a, b = check_number("a", a, lo=0, hi=1, lo_open=True, hi_open=True), check_number("b", b, lo=0, hi=1, lo_open=True, hi_open=True)
    if not a < b:
        raise ParameterError(f"The 'a' parameter must be smaller than 'b'. Got a={a:g} and b={b:g} instead.")
    if not isinstance(customers, pd.DataFrame) or value not in customers.columns:
        raise MissingColumnError(
            f"The 'customers' table has no column {value!r}. Make it with crmmine.customer_table(tx), or name "
            "the column with value='<column>'."
        )
    x = _values(customers[value], value)
    order = _ranked(x, customers.index)
    xs = x[order]
    cum = np.cumsum(xs) / xs.sum()
    before = np.r_[0.0, cum[:-1]]
    cls = np.where(before < a, 0, np.where(before < b, 1, 2))
    n = x.size
    return pd.DataFrame(
        {
            "value": xs,
            "rank": np.arange(1, n + 1, dtype=np.int64),
            "customer_share": np.arange(1, n + 1) / n,
            "value_share": cum,
            "abc_class": pd.Categorical.from_codes(cls, categories=["A", "B", "C"]),
        },
        index=customers.index[order],
    )


def value_ranking(customers: pd.DataFrame, *, return_cost: float = 0.0, order_cost: float = 0.0,
                  cost_columns=(), rank_by: str = "net_value") -> pd.DataFrame:
    """Customers ranked by the value they bring net of the resources they consume.

    ``net_value = monetary_total - returns_value - return_cost * returns_count
    - order_cost * frequency``: what a customer bought, less what they sent back, less
    the cost of handling their returns and serving their orders (the cost-to-serve view
    of customer profitability: Kaplan & Narayanan 2001, "Measuring and managing customer
    profitability", Journal of Cost Management 15(5), 5-15). With the default zero costs
    the ranking is by purchases net of returns.

    With ``cost_columns`` (per-customer resource costs the data hold, e.g. the freight of
    their deliveries or service contacts) or ``rank_by="value_per_resource"``, the table
    also shows the course's customer value ranking: **demand value ÷ resources**, where
    demand value is ``monetary_total - returns_value`` and resources are ``service_cost``
    plus every cost column; the cost columns are subtracted from ``net_value`` too.

    Parameters
    ----------
    customers : pandas.DataFrame
        A customer table with ``monetary_total``, ``frequency``, ``returns_value`` and
        ``returns_count`` (:func:`crmmine.customer_table` with ``returns=``), plus the
        ``cost_columns``.
    return_cost : float, default=0.0
        Handling cost of one return order, in the currency of ``amount``.
    order_cost : float, default=0.0
        Cost of serving one order (picking, shipping, service).
    cost_columns : sequence of str, default=()
        Columns of ``customers`` holding resource costs per customer (non-negative; a
        missing value counts as 0), e.g. ``("freight_value",)``.
    rank_by : {"net_value", "value_per_resource"}, default="net_value"
        What ``rank`` orders by. ``"value_per_resource"`` ranks by demand value ÷
        resources (customers using no resources last, then by demand value).

    Returns
    -------
    pandas.DataFrame
        Same index, sorted by ``rank``: ``gross_value``, ``returns_value``,
        ``service_cost``, ``net_value``, ``rank`` (1 = highest net value; ties by
        customer id), ``net_share`` (share of the total net value; can be negative) and
        ``cumulative_net_share``. With cost columns or ``rank_by="value_per_resource"``
        also: each cost column, ``demand_value``, ``resources``, ``value_per_resource``,
        ``resource_share`` and ``cumulative_demand_share``.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmmine import value_ranking
    >>> c = pd.DataFrame({"monetary_total": [100., 80.], "frequency": [2, 1],
    ...                   "returns_value": [40., 0.], "returns_count": [1, 0]}, index=["x", "y"])
    >>> value_ranking(c, return_cost=5.0)["net_value"].to_dict()
    {'y': 80.0, 'x': 55.0}
    >>> c["freight"] = [6.0, 20.0]
    >>> value_ranking(c, return_cost=5.0, cost_columns=["freight"], rank_by="value_per_resource")[
    ...     "value_per_resource"].to_dict()
    {'x': 5.454545454545454, 'y': 4.0}
    """
    for name, v in (("return_cost", return_cost), ("order_cost", order_cost)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not v >= 0:
            raise ParameterError(f"The '{name}' parameter must be a non-negative number. Got {v!r} instead.")
    check_choice("rank_by", rank_by, ("net_value", "value_per_resource"))
    if isinstance(cost_columns, str):
        cost_columns = (cost_columns,)
    cost_columns = tuple(cost_columns)
    for col in ("monetary_total", "frequency", "returns_value", "returns_count"):
        if not isinstance(customers, pd.DataFrame) or col not in customers.columns:
            raise MissingColumnError(
                f"The 'customers' table has no column {col!r}. Make it with crmmine.customer_table(tx, returns=...)."
            )
    check_table(customers, cost_columns, name="customers", what="a customer table",
                hint="Join each cost column (one value per customer) to the customer table, or leave cost_columns "
                     "empty.", numeric_columns=cost_columns)
    gross = customers["monetary_total"].to_numpy(dtype=float)
    ret = customers["returns_value"].to_numpy(dtype=float)
    cost = return_cost * customers["returns_count"].to_numpy(dtype=float) + order_cost * customers[
        "frequency"].to_numpy(dtype=float)
    extra = {c: np.nan_to_num(customers[c].to_numpy(dtype=float, na_value=np.nan), nan=0.0) for c in cost_columns}
    for c, v in extra.items():
        if (v < 0).any():
            raise InputError(f"The 'customers' column {c!r} holds a negative cost ({v[v < 0][0]!r}); resource costs "
                             "must be non-negative.")
    resources = cost + sum(extra.values(), np.zeros(gross.size))
    demand = gross - ret
    net = demand - resources
    extended = bool(cost_columns) or rank_by == "value_per_resource"
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(resources > 0, demand / resources, np.nan)
    if rank_by == "value_per_resource":
        keys = pd.Index(customers.index).astype(str).to_numpy(dtype=object) if len(customers) else np.array([], object)
        tie = pd.factorize(keys, sort=True)[0]
        order = np.lexsort((tie, -demand, np.isnan(ratio), -np.nan_to_num(ratio, nan=0.0)))
    else:
        order = _ranked(net, customers.index)
    total = net.sum()
    share = net[order] / total if total != 0 else np.full(net.size, np.nan)
    out = pd.DataFrame(
        {
            "gross_value": gross[order],
            "returns_value": ret[order],
            "service_cost": cost[order],
            "net_value": net[order],
            "rank": np.arange(1, net.size + 1, dtype=np.int64),
            "net_share": share,
            "cumulative_net_share": np.cumsum(share),
        },
        index=customers.index[order],
    )
    if extended:
        for c, v in extra.items():
            out[c] = v[order]
        total_res, total_dem = resources.sum(), demand.sum()
        out["demand_value"] = demand[order]
        out["resources"] = resources[order]
        out["value_per_resource"] = ratio[order]
        out["resource_share"] = resources[order] / total_res if total_res > 0 else np.nan
        out["cumulative_demand_share"] = np.cumsum(demand[order]) / total_dem if total_dem != 0 else np.nan
    return out
