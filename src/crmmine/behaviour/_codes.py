"""Integer codes of an event table, computed once per call: the kernels below work on numpy arrays.

Input already validated (:func:`crmmine.behaviour.events.validate_events`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

VIEW, CART, FAV, BUY = 0, 1, 2, 3


@dataclass
class Codes:
    """Customer and item codes, event types 0..3 (view, cart, favourite, purchase), times in seconds."""

    cust: np.ndarray
    customers: pd.Index
    etype: np.ndarray
    t: np.ndarray  # int64 seconds (local wall-clock)

    @property
    def n_customers(self) -> int:
        return len(self.customers)


def factor(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes (int32/int64, -1 for missing) and their labels; categoricals reuse their codes (no hashing)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.int64), pd.Index(values.cat.categories)
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64), pd.Index(uniques)


def seconds(times: pd.Series) -> np.ndarray:
    return times.to_numpy(dtype="datetime64[ns]").astype("datetime64[s]").astype(np.int64)


def codes(ev: pd.DataFrame) -> Codes:
    cust, customers = factor(ev["customer_id"])
    etype = ev["event_type"].cat.codes.to_numpy().astype(np.int8)
    return Codes(cust=cust, customers=customers, etype=etype, t=seconds(ev["event_time"]))


def seen_matrix(cust: np.ndarray, etype: np.ndarray, n: int) -> np.ndarray:
    """Boolean (n_customers, 4): customer did at least one event of the type."""
    seen = np.zeros((n, 4), dtype=bool)
    seen[cust, etype] = True
    return seen
