"""A zoo of shop shapes: ``make_shop`` bends :func:`make_transactions` into the shapes real logs have.

Each shape is one way a real shop's log differs from the UCI Online Retail sample that
crmmine was first tuned on; tests run reading, cleaning and the reports on every one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ._generating import SyntheticTruth, _take, make_transactions

__all__ = ["SHOP_SHAPES", "make_shop"]

#: The shapes :func:`make_shop` makes, with what is special about each.
SHOP_SHAPES: dict[str, str] = {
    "grocer": "a grocer like dunnhumby's Complete Journey: most lines have quantity 1, integer ids, a few fuel "
              "lines with quantities in the thousands at a tiny unit price",
    "integer_ids": "customer, order and product ids are plain integers",
    "no_product_names": "no product_name and no category column",
    "two_weeks": "two weeks of history only",
    "big_catalogue": "a catalogue of 100,000 products, most bought once or never",
    "low_churn": "nearly every customer stays active (dropout probability about 1%)",
    "huge_basket": "one order holds 262 distinct products",
    "guests_only": "no line has a customer id (guest checkout only)",
}

_LOW_CHURN = {
    "loyal": {"share": 0.5, "r": 8.0, "alpha": 400.0, "a": 1.0, "b": 99.0, "p": 8.0, "q": 20.0, "v": 150.0},
    "steady": {"share": 0.5, "r": 8.0, "alpha": 1200.0, "a": 1.0, "b": 99.0, "p": 8.0, "q": 20.0, "v": 60.0},
}


def _digits(values: pd.Series, width: int = 0) -> pd.Series:
    """Replace each distinct id by an integer (as text), in order of first appearance."""
    codes, _ = pd.factorize(values)
    base = 10 ** width if width else 1
    labels = np.char.mod("%d", np.arange(codes.max() + 1) + base).astype(object)
    return pd.Series(_take(labels, codes), index=values.index)


def make_shop(shape: str = "grocer", n_customers: int = 500, *, random_state: int | None = None
              ) -> tuple[pd.DataFrame, SyntheticTruth]:
    """A synthetic shop of one of the :data:`SHOP_SHAPES`, as a raw canonical table with truth.

    Parameters
    ----------
    shape : str, default="grocer"
        One of :data:`SHOP_SHAPES`.
    n_customers : int, default=500
        Number of customers (of buyers; ``"guests_only"`` drops the ids afterwards).
    random_state : int or None, default=None
        Seed; the same seed, shape and size give an identical table.

    Returns
    -------
    transactions : pandas.DataFrame
        Canonical columns (see :mod:`crmmine.data.schema`), not cleaned.
    truth : SyntheticTruth
        What :func:`make_transactions` planted (the post-processing of a shape does not
        change purchase timing or order values, except ``"grocer"``'s quantities).

    Examples
    --------
    >>> from crmmine.datasets import make_shop
    >>> tx, _ = make_shop("grocer", 200, random_state=0)
    >>> float((tx["quantity"] == 1).mean()) > 0.7
    True
    """
    if shape not in SHOP_SHAPES:
        raise ParameterError(f"The 'shape' parameter must be one of {', '.join(map(repr, SHOP_SHAPES))}. "
                             f"Got {shape!r} instead.")
    kw: dict = {}
    if shape == "two_weeks":
        kw.update(acquisition_days=14, period_days=14)
    elif shape == "big_catalogue":
        kw.update(n_products=100_000)
    elif shape == "low_churn":
        kw.update(segments=_LOW_CHURN)
    elif shape == "grocer":
        kw.update(mean_basket_size=8.0, n_products=5_000, itemsets=())
    tx, truth = make_transactions(n_customers, random_state=random_state, **kw)
    rng = np.random.default_rng(None if random_state is None else random_state + 1)
    if shape == "grocer":
        qty = rng.choice(np.arange(1, 7), size=len(tx), p=[0.80, 0.12, 0.04, 0.02, 0.01, 0.01]).astype(float)
        price = np.round(np.exp(rng.normal(1.0, 0.6, size=len(tx))), 2) + 0.09
        fuel = rng.uniform(size=len(tx)) < 0.001  # fuel: gallons x 1000 at a tiny unit price
        qty[fuel] = np.round(rng.uniform(5_000, 20_000, size=int(fuel.sum())))
        price[fuel] = 30.0 / qty[fuel]
        tx["quantity"] = qty
        tx["unit_price"] = price
        tx["amount"] = qty * price
        tx.loc[fuel, "product_id"] = "6534178"
        tx.loc[fuel, "product_name"] = "KIOSK-GAS"
    if shape in ("grocer", "integer_ids"):
        for col, width in (("customer_id", 0), ("order_id", 0), ("product_id", 0)):
            tx[col] = _digits(tx[col], width)
    if shape == "no_product_names":
        tx = tx.drop(columns=["product_name", "category"])
    if shape == "huge_basket":
        order = tx["order_id"].iloc[len(tx) // 2]
        head = tx[tx["order_id"] == order].iloc[:1]
        have = set(tx.loc[tx["order_id"] == order, "product_id"])
        extra = [p for p in pd.unique(tx["product_id"]) if p not in have][: 262 - len(have)]
        add = head.loc[head.index.repeat(len(extra))].copy()
        add["product_id"] = pd.array(extra, dtype=tx["product_id"].dtype)
        if "product_name" in add:
            add["product_name"] = pd.array([f"Product {p}" for p in extra], dtype=tx["product_name"].dtype)
        tx = pd.concat([tx, add], ignore_index=True).sort_values(["order_date", "order_id"], kind="stable",
                                                                 ignore_index=True)
        tx["source_line"] = np.arange(1, len(tx) + 1, dtype="int64")
    if shape == "guests_only":
        tx["customer_id"] = pd.array([None] * len(tx), dtype=tx["customer_id"].dtype)
    tx.attrs["crmmine_shape"] = shape
    return tx, truth
