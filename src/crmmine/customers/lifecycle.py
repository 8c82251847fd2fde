"""Customer lifecycle states and the transitions between two dates.

The CRM texts follow a customer from prospect to first-time buyer, to repeat and loyal
customer, and then, when purchases stop, to "at risk" and "lost" (the customer-development
process of Kotler & Keller, *Marketing Management*; the customer lifecycle of Blattberg,
Kim & Neslin 2008, *Database Marketing: Analyzing and Managing Customers*, Springer).
crmmine writes these states as rules on the customer table, tried in order (first match
wins):

==========  =================================================================
state       rule
==========  =================================================================
lost        ``recency_days > lost_after_days``
at_risk     ``recency_days > at_risk_after_days``
new         ``frequency == 1`` (a first-time buyer still inside the usual gap)
loyal       ``frequency >= loyal_min_orders``
active      everyone else: a repeat buyer, recent, fewer orders than loyal
==========  =================================================================

The thresholds come from the data (:func:`lifecycle_thresholds`), from the distribution
of the customers' mean inter-purchase time (``mean_interpurchase_days`` of the repeat
buyers, one value per customer):

* ``at_risk_after_days``: its 80th percentile, rounded up: a customer who has not bought
  for longer than four in five repeat buyers usually wait between orders is overdue;
* ``lost_after_days``: its 95th percentile, rounded up: longer than almost any repeat
  buyer waits;
* ``loyal_min_orders``: the median number of orders of the repeat buyers, at least 3.

Each can be overridden with ``thresholds={"at_risk_after_days": 90, ...}``.

The states describe observed behaviour, not whether a customer is still a customer. On a
simulated shop whose active customers buy about every 30 days (``tests/test_lifecycle.py``),
98% of the customers who had stopped buying were at risk or lost, and 28% of those still
active were flagged too, because their latest gap happened to be long. For the probability
that a customer is still active, use the BG/NBD ``probability_alive`` of
:func:`crmmine.customer_value`.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from ..errors import InputError, ParameterError
from ..text.labels import label
from ..validation import check_table

__all__ = ["lifecycle_states", "lifecycle_thresholds", "state_transitions", "LIFECYCLE_STATES",
           "THRESHOLD_NAMES"]

#: The states, in lifecycle order.
LIFECYCLE_STATES: tuple[str, ...] = ("new", "active", "loyal", "at_risk", "lost")
#: The row of :func:`state_transitions` for customers acquired between the two dates.
PROSPECT = "prospect"
#: The thresholds, in the order :func:`lifecycle_thresholds` returns them.
THRESHOLD_NAMES: tuple[str, ...] = ("at_risk_after_days", "lost_after_days", "loyal_min_orders")

_AT_RISK_Q, _LOST_Q = 0.80, 0.95


def _check_customers(customers, needed=("recency_days", "frequency", "mean_interpurchase_days")) -> None:
    check_table(customers, needed, name="customers", what="from crmmine.customer_table",
                hint="Make it with crmmine.customer_table(tx).")


def lifecycle_thresholds(customers: pd.DataFrame) -> pd.Series:
    """The thresholds of the lifecycle rules derived from the data.

    Parameters
    ----------
    customers : pandas.DataFrame
        A customer table from :func:`crmmine.customer_table`.

    Returns
    -------
    pandas.Series
        ``at_risk_after_days`` (80th percentile of the repeat buyers' mean inter-purchase
        days, rounded up), ``lost_after_days`` (95th percentile, rounded up, and more than
        ``at_risk_after_days``) and ``loyal_min_orders`` (median orders of repeat buyers,
        at least 3); all int.

    Raises
    ------
    InputError
        No customer bought twice, so there is no inter-purchase time to learn from.

    Examples
    --------
    >>> import crmmine
    >>> r = crmmine.load_clean("sample")
    >>> th = crmmine.lifecycle_thresholds(crmmine.customer_table(r.transactions))
    >>> list(th.index)
    ['at_risk_after_days', 'lost_after_days', 'loyal_min_orders']
    """
    _check_customers(customers)
    repeat = customers["frequency"].to_numpy() > 1
    gaps = customers["mean_interpurchase_days"].to_numpy(dtype=float)[repeat]
    if gaps.size == 0:
        raise InputError(
            "No customer in 'customers' bought twice, so lifecycle thresholds cannot be derived from "
            "inter-purchase times; pass thresholds={'at_risk_after_days': ..., 'lost_after_days': ..., "
            "'loyal_min_orders': ...}."
        )
    at_risk = max(1, math.ceil(float(np.quantile(gaps, _AT_RISK_Q))))
    lost = max(at_risk + 1, math.ceil(float(np.quantile(gaps, _LOST_Q))))
    loyal = max(3, math.ceil(float(np.median(customers["frequency"].to_numpy()[repeat]))))
    return pd.Series({"at_risk_after_days": at_risk, "lost_after_days": lost, "loyal_min_orders": loyal},
                     name="threshold", dtype="int64")


def _resolve_thresholds(customers, thresholds) -> pd.Series:
    if thresholds is None:
        return lifecycle_thresholds(customers)
    if isinstance(thresholds, pd.Series):
        thresholds = thresholds.to_dict()
    if not isinstance(thresholds, dict):
        raise ParameterError(
            f"The 'thresholds' parameter must be a dict with keys among {', '.join(THRESHOLD_NAMES)}, or None. "
            f"Got {type(thresholds).__name__} instead."
        )
    unknown = [k for k in thresholds if k not in THRESHOLD_NAMES]
    if unknown:
        raise ParameterError(
            f"The 'thresholds' parameter has the unknown key {unknown[0]!r}; known keys: {', '.join(THRESHOLD_NAMES)}."
        )
    for k, v in thresholds.items():
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not v > 0:
            raise ParameterError(f"The threshold {k!r} must be a positive number. Got {v!r} instead.")
    if all(k in thresholds for k in THRESHOLD_NAMES):
        out = pd.Series({k: thresholds[k] for k in THRESHOLD_NAMES}, name="threshold")
    else:
        out = lifecycle_thresholds(customers).astype(float)
        for k, v in thresholds.items():
            out[k] = v
    if out["lost_after_days"] <= out["at_risk_after_days"]:
        raise ParameterError(
            f"The threshold 'lost_after_days' must be larger than 'at_risk_after_days'. Got "
            f"{float(out['lost_after_days']):g} and {float(out['at_risk_after_days']):g} instead."
        )
    return out


def lifecycle_states(customers: pd.DataFrame, *, thresholds: dict | None = None) -> pd.Series:
    """Each customer's lifecycle state: new, active, loyal, at_risk or lost.

    Parameters
    ----------
    customers : pandas.DataFrame
        A customer table from :func:`crmmine.customer_table`.
    thresholds : dict or None, default=None
        Overrides of :func:`lifecycle_thresholds` (any of ``at_risk_after_days``,
        ``lost_after_days``, ``loyal_min_orders``); the others are derived.

    Returns
    -------
    pandas.Series
        Named ``lifecycle_state``, same index, categorical with the categories
        :data:`LIFECYCLE_STATES` in lifecycle order. The rules are in the module
        docstring; the thresholds used are in ``result.attrs["thresholds"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmmine import lifecycle_states
    >>> c = pd.DataFrame({"recency_days": [5, 5, 5, 50, 400], "frequency": [1, 2, 9, 3, 3],
    ...                   "mean_interpurchase_days": [None, 10, 10, 20, 30]})
    >>> th = {"at_risk_after_days": 30, "lost_after_days": 180, "loyal_min_orders": 4}
    >>> lifecycle_states(c, thresholds=th).tolist()
    ['new', 'active', 'loyal', 'at_risk', 'lost']
    """
    _check_customers(customers, needed=("recency_days", "frequency")
                     if isinstance(thresholds, dict) and all(k in thresholds for k in THRESHOLD_NAMES) else
                     ("recency_days", "frequency", "mean_interpurchase_days"))
    th = _resolve_thresholds(customers, thresholds)
    recency = customers["recency_days"].to_numpy(dtype=float)
    frequency = customers["frequency"].to_numpy(dtype=float)
    conditions = [
        ("lost", recency > th["lost_after_days"]),
        ("at_risk", recency > th["at_risk_after_days"]),
        ("new", frequency <= 1),
        ("loyal", frequency >= th["loyal_min_orders"]),
    ]
    code = np.full(len(customers), LIFECYCLE_STATES.index("active"), dtype=np.int64)
    undecided = np.ones(len(customers), dtype=bool)
    for state, hit in conditions:
        hit = hit & undecided
        code[hit] = LIFECYCLE_STATES.index(state)
        undecided &= ~hit
    states = pd.Series(pd.Categorical.from_codes(code, categories=list(LIFECYCLE_STATES)),
                       index=customers.index, name="lifecycle_state")
    states.attrs["thresholds"] = th.to_dict()
    return states


def state_name(state: str, lang: str | None = None) -> str:
    """The label of a lifecycle state (or ``"prospect"``) in ``lang``."""
    return label(f"lifecycle.state.{state}", lang)


def state_transitions(tx: pd.DataFrame, *, from_date, to_date, thresholds: dict | None = None,
                      returns: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many customers moved from each lifecycle state at ``from_date`` to each at ``to_date``.

    Parameters
    ----------
    tx : pandas.DataFrame
        Clean canonical purchase lines.
    from_date, to_date : date-like
        The two as-of dates (``from_date < to_date``); each state is computed from the
        lines strictly before its date (:func:`crmmine.customer_table`).
    thresholds : dict or None, default=None
        As in :func:`lifecycle_states`. ``None`` derives them once, from the customer
        table at ``to_date``, and uses the same values at both dates, so a change of
        state is a change of behaviour, not of rule.
    returns : pandas.DataFrame or None, default=None
        Passed to :func:`crmmine.customer_table` (does not change the states).

    Returns
    -------
    pandas.DataFrame
        Counts (int64). Index ``from_state``: ``"prospect"`` (customers whose first
        purchase falls between the dates) then :data:`LIFECYCLE_STATES`; columns
        ``to_state``: :data:`LIFECYCLE_STATES`. Every customer with a purchase before
        ``to_date`` is counted once. ``attrs`` holds the dates and thresholds.

    Examples
    --------
    >>> import crmmine
    >>> r = crmmine.load_clean("sample")
    >>> m = crmmine.state_transitions(r.transactions, from_date="2011-09-01", to_date="2011-12-01")
    >>> list(m.index)
    ['prospect', 'new', 'active', 'loyal', 'at_risk', 'lost']
    >>> int(m.loc["prospect"].sum()) > 0
    True
    """
    from .table import _resolve_as_of, customer_table
    from ..data.schema import validate_transactions
    from ..engine.lazy import is_lazy

    lazy = is_lazy(tx)  # an engine's lines (DuckDB, Spark): the two customer tables are counted there
    if not lazy:
        validate_transactions(tx)
    start = _resolve_as_of(tx, from_date, "from_date") if from_date is not None else None
    end = _resolve_as_of(tx, to_date, "to_date") if to_date is not None else None
    if start is None or end is None:
        missing = "from_date" if start is None else "to_date"
        raise ParameterError(f"The '{missing}' parameter must be a date like '2011-06-01'. Got None instead.")
    if not start < end:
        raise ParameterError(
            f"The 'from_date' parameter must be before 'to_date'. Got from_date={start.date()} and "
            f"to_date={end.date()} instead."
        )
    after = customer_table(tx, as_of=end, returns=returns)
    th = _resolve_thresholds(after, thresholds)
    to_state = lifecycle_states(after, thresholds=th.to_dict())
    if lazy:
        from ..engine.aggregate import first_date

        first = first_date(tx)
        any_before = first is not None and first < start
    else:
        any_before = bool((tx["order_date"] < start).any())
    if any_before:
        before = customer_table(tx, as_of=start, returns=returns)
        from_state = lifecycle_states(before, thresholds=th.to_dict())
    else:
        from_state = pd.Series(pd.Categorical([], categories=list(LIFECYCLE_STATES)), index=after.index[:0])
    rows = [PROSPECT, *LIFECYCLE_STATES]
    from_code = np.zeros(len(after), dtype=np.int64)  # 0 = prospect
    pos = after.index.get_indexer(from_state.index)
    from_code[pos] = from_state.cat.codes.to_numpy() + 1
    to_code = to_state.cat.codes.to_numpy()
    counts = np.bincount(from_code * len(LIFECYCLE_STATES) + to_code, minlength=len(rows) * len(LIFECYCLE_STATES))
    matrix = pd.DataFrame(counts.reshape(len(rows), len(LIFECYCLE_STATES)).astype(np.int64),
                          index=pd.Index(rows, name="from_state"),
                          columns=pd.Index(list(LIFECYCLE_STATES), name="to_state"))
    matrix.attrs = {"from_date": start, "to_date": end, "thresholds": th.to_dict()}
    return matrix
