"""Churn labels on a time split, and the checks every churn step shares.

A customer is **churned** at a cutoff when they make no purchase in ``(cutoff, cutoff + horizon_days]``
(Fader, Hardie & Lee 2005 call the state "dead", observable only through silence).
"""

from __future__ import annotations


import pandas as pd

from ..errors import InputError
from ..validation import check_date, check_int, check_table

__all__ = ['churn_cutoffs', 'churn_labels']

_REQUIRED = ("customer_id", "order_id", "order_date", "amount")


# --------------------------------------------------------------------------- checks
def _check_tx(tx, name="tx") -> None:
    """Churn needs these columns; input checked once here, trusted after. A lazy table (DuckDB,
    Spark) holds canonical columns by construction."""
    from ..engine.lazy import is_lazy

    if is_lazy(tx):
        return
    check_table(tx, _REQUIRED, name=name, what="of canonical transactions", datetime_columns=("order_date",),
                hint="Read the file with crmmine.read_transactions or crmmine.load_clean first.")


def _bounds(tx) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last ``order_date`` (one query for a lazy table)."""
    from ..engine.lazy import is_lazy

    if is_lazy(tx):
        from ..engine.aggregate import line_bounds

        return line_bounds(tx)
    return tx["order_date"].min(), tx["order_date"].max()


def _check_reach(tx, cutoff, horizon_days, cutoff_name="cutoff") -> None:
    first, last = _bounds(tx)
    end = cutoff + pd.Timedelta(days=horizon_days)
    if pd.isna(last) or end > last:
        raise InputError(
            f"The data do not reach {cutoff_name} + horizon_days = {end:%Y-%m-%d %H:%M} (the last transaction is on "
            f"{last:%Y-%m-%d %H:%M}), so churn in ({cutoff_name}, {cutoff_name} + {horizon_days} days] cannot be observed. "
            f"Use an earlier '{cutoff_name}' or a shorter 'horizon_days'."
        )
    if cutoff < first:
        raise InputError(
            f"The '{cutoff_name}' parameter ({cutoff:%Y-%m-%d}) is before the first transaction ({first:%Y-%m-%d}); "
            "no customer has any history. Use a later cutoff."
        )


def _purchases(tx) -> pd.DataFrame:
    """Purchase lines (quantity > 0 when a quantity column exists, else amount > 0)."""
    keep = tx["quantity"] > 0 if "quantity" in tx.columns else tx["amount"] > 0
    return tx.loc[keep.fillna(False).to_numpy(), :]


def _orders(lines) -> pd.DataFrame:
    """One row per (customer, order): order_date (first line), amount (sum). Input already validated."""
    g = lines.groupby(["customer_id", "order_id"], sort=False, observed=True)
    out = g.agg(order_date=("order_date", "min"), amount=("amount", "sum")).reset_index()
    return out.sort_values(["customer_id", "order_date", "order_id"], kind="stable", ignore_index=True)


def churn_cutoffs(tx, *, cutoff=None, horizon_days=90) -> dict[str, pd.Timestamp]:
    """The cutoffs of the churn report: ``train_cutoff``, ``test_cutoff`` and ``as_of``.

    ``cutoff`` is the evaluation (test) cutoff; None picks it automatically: with ``end`` the day of the
    last transaction (midnight), ``test_cutoff = end - horizon_days``, so the test labels use the last
    ``horizon_days`` of data. Always ``train_cutoff = test_cutoff - horizon_days``: the training label window
    ends where the test one starts, so they never overlap. ``as_of`` (the day after the last transaction,
    midnight) is when the win-back list is scored: every line is history then. ``tx`` may be a lazy
    table (DuckDB, Spark): its last date is one query.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmmine import churn_cutoffs
    >>> tx = pd.DataFrame({"customer_id": ["a"], "order_id": ["1"], "amount": [1.0],
    ...                    "order_date": pd.to_datetime(["2011-12-09 12:50"])})
    >>> {k: f"{v:%Y-%m-%d}" for k, v in churn_cutoffs(tx).items()}
    {'train_cutoff': '2011-06-12', 'test_cutoff': '2011-09-10', 'as_of': '2011-12-10'}
    """
    _check_tx(tx)
    horizon_days = check_int("horizon_days", horizon_days, lo=1)
    h = pd.Timedelta(days=horizon_days)
    last = _bounds(tx)[1]
    test = last.normalize() - h if cutoff is None else check_date("cutoff", cutoff, none_ok=False)
    return {"train_cutoff": test - h, "test_cutoff": test, "as_of": last.normalize() + pd.Timedelta(days=1)}


# --------------------------------------------------------------------------- labels
def churn_labels(tx, *, cutoff, horizon_days=90, min_orders=1, lookback_days=None) -> pd.DataFrame:
    """Churn labels on a time split: no purchase in ``(cutoff, cutoff + horizon_days]``.

    Parameters
    ----------
    tx : pandas.DataFrame or crmmine.engine.LazyTransactions
        Canonical transactions (``customer_id, order_id, order_date, amount``; lines with
        ``quantity <= 0`` are returns and are ignored). A lazy table (DuckDB, Spark) is counted
        in its engine (the same labels).
    cutoff : date-like
        The split. History is every line with ``order_date <= cutoff``.
    horizon_days : int, default=90
        Length of the label window after the cutoff.
    min_orders : int, default=1
        Eligibility: a customer is labelled only with at least this many orders (distinct
        ``order_id``) on or before the cutoff.
    lookback_days : int or None, default=None
        Eligibility: if given, the customer's last order must be within ``lookback_days`` before the
        cutoff (``order_date > cutoff - lookback_days``); customers silent for longer are treated as
        already lost and not labelled.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (eligible customers, sorted); columns ``orders_before`` (int, orders on or
        before the cutoff), ``last_order_date``, ``orders_in_horizon`` (int) and ``churned`` (bool,
        ``orders_in_horizon == 0``).

    Raises
    ------
    InputError
        When the data end before ``cutoff + horizon_days`` or start after the cutoff.
    ParameterError
        For an invalid cutoff, horizon, ``min_orders`` or ``lookback_days``.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmmine import churn_labels
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "order_id": ["1", "2", "3", "4"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-02-15", "2024-01-10", "2024-04-30"]),
    ...     "amount": [10.0, 20.0, 5.0, 7.0]})
    >>> churn_labels(tx, cutoff="2024-01-31", horizon_days=30)["churned"].to_dict()
    {'a': False, 'b': True}
    """
    _check_tx(tx)
    cutoff = check_date("cutoff", cutoff, none_ok=False)
    horizon_days = check_int("horizon_days", horizon_days, lo=1)
    min_orders = check_int("min_orders", min_orders, lo=1)
    if lookback_days is not None:
        lookback_days = check_int("lookback_days", lookback_days, lo=1)
    _check_reach(tx, cutoff, horizon_days)
    from ..engine.lazy import is_lazy

    if is_lazy(tx):  # orders counted in its engine (DuckDB, Spark): one row per eligible customer comes back
        from ..engine.aggregate import churn_labels as lazy_labels

        return lazy_labels(tx, cutoff=cutoff, horizon_days=horizon_days, min_orders=min_orders,
                           lookback_days=lookback_days)
    orders = _orders(_purchases(tx))
    end = cutoff + pd.Timedelta(days=horizon_days)
    before = orders["order_date"] <= cutoff
    hist = orders.loc[before].groupby("customer_id", observed=True).agg(
        orders_before=("order_id", "size"), last_order_date=("order_date", "max"))
    future = orders.loc[~before & (orders["order_date"] <= end)].groupby("customer_id", observed=True).size()
    keep = hist["orders_before"] >= min_orders
    if lookback_days is not None:
        keep &= hist["last_order_date"] > cutoff - pd.Timedelta(days=lookback_days)
    out = hist.loc[keep].sort_index()
    out["orders_before"] = out["orders_before"].astype("int64")
    out["orders_in_horizon"] = future.reindex(out.index, fill_value=0).astype("int64")
    out["churned"] = out["orders_in_horizon"].eq(0)
    out.index.name = "customer_id"
    return out
