"""The win-back list: customers ranked by value at risk, with an action tier and readable reasons.

Value at risk = P(churn) x predicted customer value (the ``predicted_value`` of
:func:`crmmine.customer_value`, or any per-customer value). A campaign with a limited budget works down
the list: the "win back now" tier holds valuable customers at high risk.
"""

from __future__ import annotations

import numbers
import re

import numpy as np
import pandas as pd

from .model import ChurnModel
from ..data._order import arrow_text, stable_order, words_by_code
from ..errors import InputError, MissingColumnError, ParameterError
from ..text.labels import label

__all__ = ["winback_list", "DEFAULT_TIERS", "reason_text", "summarise_winback"]

#: Action tiers, checked in order (first match wins); a customer matching none is in "other".
#: Bounds: ``min_*`` inclusive, ``max_*`` exclusive; ``p_churn`` is the model's probability,
#: ``value_pct`` the customer's percentile rank (0-1] of predicted value within the list.
DEFAULT_TIERS: dict[str, dict[str, float]] = {
    "win_back_now": {"min_p_churn": 0.5, "min_value_pct": 0.8},
    "keep_close": {"max_p_churn": 0.5, "min_value_pct": 0.8},
    "low_cost_reactivation": {"min_p_churn": 0.5},
}
_BOUNDS = {"min_p_churn", "max_p_churn", "min_value_pct", "max_value_pct"}
_WINDOWED = re.compile(r"^(orders|spend|orders_trend|spend_trend)_(\d+)d$")
_NEEDS_REPEAT = {"ipt_mean_days", "ipt_std_days", "last_gap_ratio", "recency_ratio"}


def _series(obj, col, name):
    if isinstance(obj, pd.DataFrame):
        if col not in obj.columns:
            raise MissingColumnError(f"The '{name}' table has no column {col!r}; pass a Series or a table with {col!r}.")
        obj = obj[col]
    if not isinstance(obj, pd.Series):
        raise InputError(f"The '{name}' parameter must be a pandas Series indexed by customer_id. Got {type(obj).__name__} instead.")
    if not pd.api.types.is_numeric_dtype(obj):
        raise InputError(f"The '{name}' values must be numbers. Got dtype {obj.dtype} instead.")
    return obj.astype("float64")


def _check_tiers(tiers):
    if not isinstance(tiers, dict) or not tiers:
        raise ParameterError(f"The 'tiers' parameter must be a non-empty dict name -> bounds. Got {tiers!r} instead.")
    for name, rule in tiers.items():
        if name == "other":
            raise ParameterError("The 'tiers' parameter must not define 'other': it is the fallback for customers no tier matches.")
        if not isinstance(rule, dict) or not set(rule) <= _BOUNDS:
            raise ParameterError(
                f"The 'tiers' rule for {name!r} must be a dict with keys among {', '.join(sorted(_BOUNDS))}. Got {rule!r} instead.")


_MONEY_REASONS = ("monetary_total", "monetary_mean", "spend", "spend_trend", "returns_value")


def reason_text(feature: str, value: float, lang: str | None = None, *, currency: str = "") -> str:
    """A readable reason for one feature value, e.g. ``"120 days since last purchase"`` (via labels);
    an amount of money is followed by ``currency`` when given (``"spend per order 1,815 GBP"``)."""
    m = _WINDOWED.match(feature)
    base = m.group(1) if m else feature
    if currency and base in _MONEY_REASONS and value is not None and np.isfinite(value):
        value = _Amount(value, currency)
    return _reason_text(feature, value, lang)


class _Amount(float):
    """A number that prints with its currency after it, whatever format the label gives it."""

    def __new__(cls, value, currency):
        obj = super().__new__(cls, value)
        obj.currency = currency
        return obj

    def __format__(self, spec):
        return f"{format(float(self), spec)} {self.currency}"


def _reason_text(feature: str, value: float, lang: str | None = None) -> str:
    m = _WINDOWED.match(feature)
    if feature in _NEEDS_REPEAT and (value is None or np.isnan(value)):
        return label("churn.reason.single_purchase", lang)
    if m:
        return label(f"churn.reason.{m.group(1)}_window", lang, value=value, window=m.group(2))
    key = f"churn.reason.{feature}"
    try:
        return label(key, lang, value=value)
    except ParameterError:
        return label("churn.reason.other", lang, feature=feature, value=value)


def winback_list(scores, value, *, value_column="predicted_value", model=None, features=None, tiers=None, top_reasons=3,
                 lang=None, currency: str = "") -> pd.DataFrame:
    """Customers ranked by value at risk = P(churn) x predicted value, with action tiers and top reasons.

    Parameters
    ----------
    scores : pandas.Series or pandas.DataFrame
        P(churn) per customer (index ``customer_id``), e.g. ``ChurnModel.predict_proba`` or a table with a
        ``p_churn`` column.
    value : pandas.Series or pandas.DataFrame
        Predicted customer value (index ``customer_id``), e.g. :func:`crmmine.customer_value`'s table (its
        ``value_column`` is used). Customers present in both ``scores`` and ``value`` are listed;
        a missing or negative value counts as 0.
    value_column : str, default="predicted_value"
        Column of a ``value`` table. Note that BG/NBD's predicted value already discounts customers who
        look inactive, so P(churn) x predicted value ranks the valuable customers who are still likely to
        buy; ``"historical_value"`` ranks by what a customer has brought so far instead.
    model : ChurnModel or None, default=None
        With ``features``: the fitted model whose :meth:`ChurnModel.reason_contributions` give the reasons.
    features : pandas.DataFrame or None, default=None
        :func:`crmmine.churn_features` of the listed customers (the same cutoff as ``scores``).
    tiers : dict or None, default=None
        ``name -> {min_p_churn, max_p_churn, min_value_pct, max_value_pct}`` checked in order; customers
        matching none get ``"other"``. None: :data:`DEFAULT_TIERS`. Tier names are shown through the label
        ``churn.tier.<name>`` when it exists.
    top_reasons : int, default=3
        Reasons per customer: the features that raise this customer's P(churn) most (positive
        contributions only).
    lang : {"en", "zh"} or None, default=None
    currency : str, default=""
        Shown after the amounts of money in the reasons ("spend per order 1,815 GBP").

    Returns
    -------
    pandas.DataFrame
        One row per customer, highest value at risk first (ties by ``customer_id``), columns
        ``rank, customer_id, p_churn, predicted_value, value_at_risk, value_pct, tier, tier_label,
        top_reasons, reason_features`` (reasons joined by ``"; "`` and ``","``; empty without a model).
    """
    p = _series(scores, "p_churn", "scores")
    if not isinstance(value_column, str):
        raise ParameterError(f"The 'value_column' parameter must be a column name. Got {value_column!r} instead.")
    v = _series(value, value_column, "value")
    if tiers is None:
        tiers = DEFAULT_TIERS
    _check_tiers(tiers)
    if isinstance(top_reasons, bool) or not isinstance(top_reasons, numbers.Integral) or top_reasons < 0:
        raise ParameterError(f"The 'top_reasons' parameter must be an integer >= 0. Got {top_reasons!r} instead.")
    if (model is None) != (features is None):
        raise ParameterError("The 'model' and 'features' parameters go together: give both (for reasons) or neither.")
    if model is not None and not isinstance(model, ChurnModel):
        raise ParameterError(f"The 'model' parameter must be a fitted ChurnModel. Got {type(model).__name__} instead.")
    if p.isna().any() or ((p < 0) | (p > 1)).any():
        bad = float(p[p.isna() | (p < 0) | (p > 1)].iloc[0])
        raise InputError(f"The 'scores' must be probabilities in [0, 1]. Got {bad!r} instead.")
    ids = p.index.intersection(v.index, sort=False).sort_values()
    if len(ids) == 0:
        raise InputError("The 'scores' and 'value' share no customer_id; score and value the same customers.")
    if model is not None and top_reasons > 0:  # positions of the listed customers in 'features' (no copy of them)
        at = np.arange(len(ids)) if features.index.equals(ids) else features.index.get_indexer(ids)
        if (at < 0).any():
            raise InputError(f"The 'features' table lacks customer {ids[np.flatnonzero(at < 0)[0]]!r} of 'scores'; "
                             "compute features at the same cutoff.")
    # Built for millions of customers: the row order (value at risk, then customer_id as text) is found on the two
    # keys alone (pyarrow: no Python string per customer), every column is taken in that order once, and the reasons
    # are computed straight in that order, so no sorted copy of the table's text is made.
    text_ids = pd.Index(ids.astype(str), dtype="str")
    pv = v.loc[ids].fillna(0.0).clip(lower=0.0).to_numpy()
    pc_ = p.loc[ids].to_numpy()
    var = pc_ * pv
    order = stable_order((var, True), (arrow_text(text_ids), False))
    pv, pc_, var = pv[order], pc_[order], var[order]
    value_pct = pd.Series(pv).rank(pct=True, method="max").to_numpy()
    codes = np.full(len(order), len(tiers), dtype=np.int64)  # "other" unless a tier matches (first match wins)
    for k, rule in reversed(list(enumerate(tiers.values()))):
        c = ((pc_ >= rule.get("min_p_churn", -np.inf)) & (pc_ < rule.get("max_p_churn", np.inf))
             & (value_pct >= rule.get("min_value_pct", -np.inf)) & (value_pct < rule.get("max_value_pct", np.inf)))
        codes[c] = k
    names = [*tiers, "other"]
    out = pd.DataFrame({"rank": np.arange(1, len(order) + 1), "customer_id": text_ids.take(order),
                        "p_churn": pc_, "predicted_value": pv, "value_at_risk": var, "value_pct": value_pct})
    out["tier"] = words_by_code(codes, names)
    out["tier_label"] = words_by_code(codes, [_tier_label(t, lang) for t in names])
    del codes, text_ids
    out["top_reasons"], out["reason_features"] = "", ""
    if model is not None and top_reasons > 0:
        out["top_reasons"], out["reason_features"] = _reasons(model, features, top_reasons, lang, currency=currency,
                                                              at=at[order])
    return out


def _tier_label(tier, lang):
    try:
        return label(f"churn.tier.{tier}", lang)
    except ParameterError:
        return tier


def _reasons(model, features, k, lang, *, currency="", at=None):
    """The joined reason texts and feature names per customer, as two "str" Series (positions of ``features``, or
    of ``features.iloc[at]`` when ``at`` is given, taken a block at a time).

    Built for millions of customers: contributions are computed a block of rows at a time (the model's prediction
    block, so the numbers are those of one call), each (feature, value) text is formatted once per distinct value
    of a block, and every block's sentences become an Arrow-backed "str" Series before the next block, so no
    list of millions of Python strings and no matrix of all contributions is held.
    """
    from .model import _BLOCK

    names = np.asarray(list(model.feature_names_in_), dtype=object)
    sep = label("report.reason_join", lang)  # "; " in English, "；" in Chinese
    texts, feats = [], []
    n = len(features) if at is None else len(at)
    for i in range(0, max(n, 1), _BLOCK):  # an empty table fails in the model as before
        part = features.iloc[i:i + _BLOCK] if at is None else features.iloc[at[i:i + _BLOCK]]
        C = model.reason_contributions(part).to_numpy()
        vals = part.loc[:, list(names)].to_numpy(dtype="float64")
        kk = min(k, C.shape[1])
        top = np.argsort(-C, axis=1, kind="stable")[:, :kk]
        del part
        for j0 in range(0, len(C), _TEXT_BLOCK):
            t = top[j0:j0 + _TEXT_BLOCK]
            rows = np.arange(len(t))[:, None]
            positive = C[j0:j0 + _TEXT_BLOCK][rows, t] > 0
            v = vals[j0:j0 + _TEXT_BLOCK][rows, t]
            cols_t = [_reason_column(names, t[:, r], v[:, r], positive[:, r], lang, currency) for r in range(kk)]
            cols_f = [np.where(positive[:, r], names[t[:, r]], "").astype(object) for r in range(kk)]
            texts.append(pd.Series(_join(cols_t, sep, len(t)), dtype="str"))
            feats.append(pd.Series(_join(cols_f, ",", len(t)), dtype="str"))
        del C, vals, top
    empty = [pd.Series([], dtype="str")]
    return (pd.concat(texts or empty, ignore_index=True), pd.concat(feats or empty, ignore_index=True))


#: Rows per block of reason sentences (each block's strings become one "str" Series).
_TEXT_BLOCK = 500_000


def _reason_column(names, feature, value, positive, lang, currency):
    """The reason text of one rank for a block of customers ("" where the contribution is not positive): one
    call of :func:`reason_text` per distinct (feature, value) (values compared bit for bit, so -0.0 and NaNs keep
    their own text)."""
    out = np.full(len(feature), "", dtype=object)
    idx = np.flatnonzero(positive)
    if len(idx) == 0:
        return out
    bits = value[idx].view(np.int64)
    f = feature[idx].astype(np.int64)
    keys = np.stack([f, bits], axis=1)
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    words = np.array([reason_text(names[a], np.int64(b).view(np.float64), lang, currency=currency)
                      for a, b in uniq], dtype=object)
    out[idx] = words[inv.reshape(-1)]
    return out


def _join(columns, sep, n):
    """Row-wise ``sep.join`` of the non-empty strings of object arrays (as the old per-row join)."""
    if not columns:
        return np.full(n, "", dtype=object)
    acc = columns[0]
    for col in columns[1:]:
        both = (acc != "") & (col != "")
        acc = np.where(both, acc + sep + col, np.where(acc != "", acc, col)).astype(object) if len(acc) else acc
    return acc


def summarise_winback(winback, *, tier="win_back_now", lang=None) -> str:
    """One sentence: customers and value at risk in ``tier``, and its share of all value at risk."""
    if not isinstance(winback, pd.DataFrame):
        raise ParameterError(f"The 'winback' parameter must be the DataFrame of winback_list. Got {type(winback).__name__} instead.")
    for col in ("tier", "value_at_risk"):
        if col not in winback.columns:
            raise MissingColumnError(f"The 'winback' table has no column {col!r}; pass the result of winback_list.")
    sel = winback["tier"] == tier
    total = float(winback["value_at_risk"].sum())
    part = float(winback.loc[sel, "value_at_risk"].sum())
    return label("churn.summary.winback", lang, n=f"{int(sel.sum()):,}", tier=_tier_label(tier, lang),
                 value=f"{part:,.0f}", share=f"{part / total:.0%}" if total > 0 else "0%", total=f"{total:,.0f}")
