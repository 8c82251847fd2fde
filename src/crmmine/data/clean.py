"""Cleaning the canonical table: every line is kept, rejected with a reason, or a return.

The rules, applied in this order (a line takes the reason of the first rule it breaks):

====================  ==========  ==============================================================
rule                  switchable  a line breaks it when
====================  ==========  ==============================================================
unparseable_date      no          its date could not be read (``order_date`` is NaT)
unparseable_number    no          its quantity or amount could not be read (NaN)
missing_customer_id   yes         it has no customer id (a guest line)
duplicate             yes         it repeats an earlier line exactly (every column but the line number)
non_product_code      yes         its product code is not a product: postage, manual adjustments, bank
                                  charges, fees, discounts, samples, bad-debt adjustments
                                  (:data:`DEFAULT_NON_PRODUCT_CODES`, extendable)
non_positive_price    yes         its unit price is zero or negative
return                yes         it is a cancellation (order id starts with ``cancellation_prefix``)
                                  or has a negative quantity; kept in ``returns``, not rejected
extreme_value         yes         its quantity or unit price is far out on a log scale: a robust
                                  z-score (median and MAD of log10 values of the lines still kept)
                                  above ``extreme_z``
====================  ==========  ==============================================================

Invariant: ``len(input) == len(transactions) + len(rejected) + len(returns)``, and the
amounts add up the same way; :class:`CleanResult` checks it when it is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd

from ..errors import CrmmineError, ParameterError
from ..text.labels import label
from .schema import validate_transactions

__all__ = [
    "clean",
    "CleanResult",
    "CLEANING_RULES",
    "SWITCHABLE_RULES",
    "DEFAULT_NON_PRODUCT_CODES",
]

#: Every rule, in the order applied.
CLEANING_RULES: tuple[str, ...] = (
    "unparseable_date",
    "unparseable_number",
    "missing_customer_id",
    "duplicate",
    "non_product_code",
    "non_positive_price",
    "return",
    "extreme_value",
)
#: Rules that can be turned off with ``clean(..., skip=...)``.
SWITCHABLE_RULES: tuple[str, ...] = CLEANING_RULES[2:]

#: Stock codes of the UCI Online Retail data that are not products (matched case-insensitively).
DEFAULT_NON_PRODUCT_CODES: frozenset[str] = frozenset(
    {
        "POST",  # postage
        "DOT",  # dotcom postage
        "M",  # manual adjustment
        "C2",  # carriage
        "BANK CHARGES",
        "AMAZONFEE",
        "D",  # discount
        "S",  # samples
        "B",  # adjust bad debt
        "CRUK",  # CRUK commission
        "PADS",  # pads to match all cushions (a pricing adjustment line)
    }
)
#: Code prefixes that are not products: gift vouchers in the UCI data.
DEFAULT_NON_PRODUCT_PREFIXES: tuple[str, ...] = ("GIFT_",)


@dataclass
class CleanResult:
    """What :func:`clean` returns.

    Attributes
    ----------
    transactions : pandas.DataFrame
        The clean lines (canonical columns).
    rejected : pandas.DataFrame
        The rejected lines (canonical columns plus ``reason``, a rule name).
    returns : pandas.DataFrame
        Cancellations and negative-quantity lines of known customers (canonical columns):
        the cost-to-serve side of each customer, kept apart from purchases.
    audit : pandas.DataFrame
        One row per outcome: ``rule``, ``description``, ``lines``, ``amount``,
        ``share_of_lines``; the first row is the input, the others add up to it.
    params : dict
        The options the cleaning ran with.
    """

    transactions: pd.DataFrame
    rejected: pd.DataFrame
    returns: pd.DataFrame
    audit: pd.DataFrame
    params: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"CleanResult(transactions={len(self.transactions):,} lines, rejected={len(self.rejected):,}, "
            f"returns={len(self.returns):,})"
        )


def _non_product_mask(codes: pd.Series, exact: frozenset[str], prefixes: tuple[str, ...]) -> np.ndarray:
    upper = codes.str.upper()
    mask = upper.isin(list(exact)).fillna(False).to_numpy(dtype=bool, copy=True)
    for pre in prefixes:
        mask |= upper.str.startswith(pre).fillna(False).to_numpy(dtype=bool)
    return mask


def _exact_duplicates(tx: pd.DataFrame) -> np.ndarray:
    """Lines equal to an earlier line in every column but ``source_line``.

    Only lines sharing order and product with another line can be exact duplicates, so the
    full comparison runs on those few candidates (same result as ``DataFrame.duplicated``).
    """
    cols = [c for c in tx.columns if c != "source_line"]
    cand = tx.duplicated(subset=["order_id", "product_id"], keep=False).to_numpy()
    dup = np.zeros(len(tx), dtype=bool)
    if cand.any():
        dup[cand] = tx.loc[cand, cols].duplicated(keep="first").to_numpy()
    return dup


def _robust_z(values: np.ndarray) -> np.ndarray:
    """Robust z-score: (x - median) / (1.4826 MAD); 0 where MAD is 0 and x equals the median."""
    med = np.median(values)
    mad = 1.4826 * np.median(np.abs(values - med))
    if mad == 0:
        return np.where(values == med, 0.0, np.inf)
    return (values - med) / mad


def clean(
    tx: pd.DataFrame,
    *,
    skip: Iterable[str] = (),
    non_product_codes: Iterable[str] | None = None,
    extra_non_product_codes: Iterable[str] = (),
    cancellation_prefix: str = "C",
    extreme_z: float = 8.0,
) -> CleanResult:
    """Split canonical transactions into clean lines, rejected lines (with a reason) and returns.

    Parameters
    ----------
    tx : pandas.DataFrame or crmmine.engine.LazyTransactions
        Canonical transactions, e.g. from :func:`crmmine.read_transactions`. A lazy table is
        cleaned in its engine by the same rules (:class:`crmmine.engine.LazyCleanResult`).
    skip : iterable of str, default=()
        Rules to turn off, from :data:`SWITCHABLE_RULES` (e.g. ``skip=("duplicate",)`` keeps
        exact duplicates; ``skip=("return",)`` keeps returns among the transactions).
    non_product_codes : iterable of str or None, default=None
        The product codes that are not products; ``None`` uses
        :data:`DEFAULT_NON_PRODUCT_CODES` and gift vouchers (``gift_*``).
    extra_non_product_codes : iterable of str, default=()
        Codes added to the list, e.g. a shop's own fee codes.
    cancellation_prefix : str, default="C"
        Order ids starting with it are cancellations (UCI Online Retail convention);
        ``""`` turns the prefix test off (negative quantities still count as returns).
    extreme_z : float, default=8.0
        Threshold of the robust z-score of log10(quantity) and log10(unit price) for
        the ``extreme_value`` rule. On log10 scale with the real Online Retail data, 8
        flags quantities in the tens of thousands and prices in the thousands.

    Returns
    -------
    CleanResult
        ``transactions``, ``rejected`` (with ``reason``), ``returns`` and ``audit``.

    Examples
    --------
    >>> import crmmine
    >>> result = crmmine.clean(crmmine.datasets.load_online_retail_sample())
    >>> int(result.audit.loc[0, "lines"]) == (len(result.transactions) + len(result.rejected)
    ...                                        + len(result.returns))
    True
    """
    from ..engine.lazy import is_lazy

    lazy = is_lazy(tx)
    if not lazy:
        validate_transactions(tx)
    skip = tuple(skip) if not isinstance(skip, str) else (skip,)
    unknown = [s for s in skip if s not in SWITCHABLE_RULES]
    if unknown:
        raise ParameterError(
            f"The 'skip' parameter names {unknown[0]!r}, which is not a switchable rule. "
            f"Switchable rules: {', '.join(SWITCHABLE_RULES)}."
        )
    if not (isinstance(extreme_z, (int, float)) and extreme_z > 0):
        raise ParameterError(f"The 'extreme_z' parameter must be a positive number. Got {extreme_z!r} instead.")
    if not isinstance(cancellation_prefix, str):
        raise ParameterError(
            f"The 'cancellation_prefix' parameter must be a string. Got {cancellation_prefix!r} instead."
        )
    codes = frozenset(str(c).strip().upper() for c in (DEFAULT_NON_PRODUCT_CODES if non_product_codes is None
                                                       else non_product_codes))
    codes = codes | frozenset(str(c).strip().upper() for c in extra_non_product_codes)
    prefixes = DEFAULT_NON_PRODUCT_PREFIXES if non_product_codes is None else ()
    active = [r for r in CLEANING_RULES if r not in skip]
    if lazy:  # the same rules, run in the engine (crmmine.engine.aggregate.clean)
        from ..engine import aggregate

        result = aggregate.clean(tx, active=tuple(active), codes=codes, prefixes=prefixes,
                                 cancellation_prefix=cancellation_prefix, extreme_z=float(extreme_z))
        result.params = {"skip": list(skip), "non_product_codes": sorted(codes), "non_product_prefixes": list(prefixes),
                         "cancellation_prefix": cancellation_prefix, "extreme_z": float(extreme_z)}
        return result

    n = len(tx)
    code_of = {rule: i + 1 for i, rule in enumerate(CLEANING_RULES)}  # 0 = kept
    reason = np.zeros(n, dtype=np.int8)
    undecided = np.ones(n, dtype=bool)

    def mark(rule: str, mask: np.ndarray) -> None:
        hit = mask & undecided
        reason[hit] = code_of[rule]
        undecided[hit] = False

    quantity = tx["quantity"].to_numpy(dtype=float)
    amount = tx["amount"].to_numpy(dtype=float)
    price = tx["unit_price"].to_numpy(dtype=float) if "unit_price" in tx else np.full(n, np.nan)
    mark("unparseable_date", tx["order_date"].isna().to_numpy())
    mark("unparseable_number", np.isnan(quantity) | np.isnan(amount))
    if "missing_customer_id" in active:
        mark("missing_customer_id", tx["customer_id"].isna().to_numpy())
    if "duplicate" in active:
        mark("duplicate", _exact_duplicates(tx))
    if "non_product_code" in active:
        mark("non_product_code", _non_product_mask(tx["product_id"], codes, prefixes))
    if "non_positive_price" in active:
        unit = np.where(np.isnan(price), np.divide(amount, quantity, out=np.full(n, np.nan), where=quantity != 0), price)
        mark("non_positive_price", ~(unit > 0))
    if "return" in active:
        is_return = quantity < 0
        if cancellation_prefix:
            is_return |= tx["order_id"].str.startswith(cancellation_prefix).fillna(False).to_numpy(dtype=bool)
        mark("return", is_return)
    if "extreme_value" in active:
        cand = undecided & (quantity > 0)
        if cand.sum() > 10:
            z = np.zeros(n)
            z[cand] = _robust_z(np.log10(quantity[cand]))
            zp = np.zeros(n)
            ok = cand & (price > 0)
            if ok.sum() > 10:
                zp[ok] = np.abs(_robust_z(np.log10(price[ok])))
            mark("extreme_value", cand & ((z > extreme_z) | (zp > extreme_z)))

    kept_mask = undecided
    return_mask = reason == code_of["return"]
    rejected_mask = ~kept_mask & ~return_mask
    transactions = tx.loc[kept_mask].reset_index(drop=True)
    returns = tx.loc[return_mask].reset_index(drop=True)
    rejected = tx.loc[rejected_mask].reset_index(drop=True)
    reject_rules = [r for r in CLEANING_RULES if r != "return"]
    # reason codes 1.. follow CLEANING_RULES; "return" is never among the rejected lines
    to_category = np.array([-1] + [reject_rules.index(r) if r in reject_rules else -1 for r in CLEANING_RULES])
    rejected["reason"] = pd.Categorical.from_codes(to_category[reason[rejected_mask]], categories=reject_rules)

    amt = np.nan_to_num(amount)
    rows = [("input", label("audit.input"), n, float(amt.sum()))]
    for rule in CLEANING_RULES:
        m = reason == code_of[rule]
        key = "reason.return" if rule == "return" else f"reason.{rule}"
        rows.append((rule, label(key), int(m.sum()), float(amt[m].sum())))
    rows.append(("kept", label("audit.kept"), int(kept_mask.sum()), float(amt[kept_mask].sum())))
    audit = pd.DataFrame(rows, columns=["rule", "description", "lines", "amount"])
    audit["share_of_lines"] = audit["lines"] / max(n, 1)
    # the invariant, checked on every call
    parts = audit.iloc[1:]
    if int(parts["lines"].sum()) != n or not np.isclose(parts["amount"].sum(), amt.sum(), rtol=1e-9, atol=1e-6):
        raise CrmmineError("Internal error: cleaning did not account for every line; please report it.")
    params = {"skip": list(skip), "non_product_codes": sorted(codes), "non_product_prefixes": list(prefixes),
              "cancellation_prefix": cancellation_prefix, "extreme_z": float(extreme_z)}
    transactions.attrs = dict(tx.attrs)
    return CleanResult(transactions, rejected, returns, audit, params)
