"""RFM scores and named RFM segments.

Scoring (:func:`rfm_scores`)
----------------------------
Each of recency, frequency and monetary value gets a score from 1 (worst) to ``n_bins``
(best; for recency, the most recent). The usual quintile scoring (Hughes 1994) cuts the
customers into five equal-size groups by rank; with heavy ties that is meaningless: in
the Online Retail data 35% of customers bought exactly once, so cutting by rank gives
some one-time buyers a frequency score of 1 and others a 2 for the same behaviour, and
``pandas.qcut`` on the values fails on duplicate bin edges.

crmmine uses **equal-frequency bins that never split a tie**. The distinct values are
sorted from worst to best and the bins are filled in turn: bin ``s`` takes the run of
distinct values whose cumulative customer count comes closest to an equal share of the
customers not yet scored, ``(n - assigned) / (bins left)``, while leaving at least one
distinct value for every bin still to fill. Consequences:

* equal values always get equal scores (the score is a function of the value);
* without ties the bins are the usual quintiles (sizes differ by at most one customer);
* a heavy tie takes one score alone (the one-time buyers get ``f_score`` 1) and the other
  customers are spread evenly over the remaining scores, so every score is used whenever
  there are at least ``n_bins`` distinct values.

The loop runs over the ``n_bins`` scores, never over customers.

Segments (:func:`rfm_segments`)
-------------------------------
A customer's segment is the first rule of :data:`RFM_SEGMENTS` they satisfy. A rule gives
inclusive ``(low, high)`` ranges on any of ``r`` (``r_score``), ``f``, ``m`` and ``fm``
(the mean of ``f_score`` and ``m_score``); a customer matching no rule is ``"other"``.
The default map is the widely used eleven-segment RFM grid of recency against the
frequency-monetary average (e.g. Putler's "RFM analysis for successful customer
segmentation"), written for 1-5 scores and ordered so that every score combination has
exactly one segment:

====================  ===============================  ===========================================
segment               rule (first match wins)          meaning
====================  ===============================  ===========================================
champions             r 4-5, fm 4-5                    bought recently, buy often, spend the most
loyal                 r 3-5, f 2-5, fm 3-5             repeat buyers who spend well
new                   r 5,   f 1                       first purchase very recently
promising             r 4,   f 1                       recent first purchase
potential_loyalist    r 4-5, fm 1-3                    recent repeat buyers of average value
need_attention        r 3,   fm 2-3                    average recency, frequency and value
about_to_sleep        r 3,   fm 1-2                    below-average recency and value
cant_lose_them        r 1-2, fm 4-5                    were among the best, long gone
at_risk               r 1-2, fm 3-4                    spent well and often, long ago
hibernating           r 2,   fm 1-3                    low value, last purchase long ago
lost                  r 1,   fm 1-3                    lowest recency, low value
====================  ===============================  ===========================================

The eight classes (``rfm_scheme="cn8"``)
----------------------------------------
Chinese CRM courses and tutorials segment customers into eight classes by whether each of
R, F and M is above its average (R "above" meaning more recent). crmmine compares each
customer's ``r_score``, ``f_score`` and ``m_score`` with the mean of that score over the
customers scored (the usual practice: score first, then compare with the mean; scores, unlike
raw values, are not dominated by a few wholesale buyers). A score equal to the mean counts as
not above. The classes and their strategies are in :data:`RFM_CN8_CLASSES` and
:func:`rfm_segment_guide`:

===============================  =====  =====  =====
class                            R      F      M
===============================  =====  =====  =====
important_value (重要价值客户)     above  above  above
important_development (重要发展)  above  below  above
important_retention (重要保持)    below  above  above
important_winback (重要挽留)      below  below  above
general_value (一般价值客户)       above  above  below
general_development (一般发展)    above  below  below
general_retention (一般保持)      below  above  below
general_winback (一般挽留)        below  below  below
===============================  =====  =====  =====
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ..errors import InputError, MissingColumnError, ParameterError
from ..text.labels import label
from ..validation import check_choice

__all__ = ["rfm_scores", "rfm_segments", "rfm_table", "rfm_segment_guide", "RFM_SEGMENTS", "tie_aware_scores",
           "RFM_SCHEMES", "RFM_CN8_CLASSES"]

#: segment -> {score name: (low, high)} (inclusive); first match wins; see the module docstring.
RFM_SEGMENTS: dict[str, dict[str, tuple[float, float]]] = {
    "champions": {"r": (4, 5), "fm": (4, 5)},
    "loyal": {"r": (3, 5), "f": (2, 5), "fm": (3, 5)},
    "new": {"r": (5, 5), "f": (1, 1)},
    "promising": {"r": (4, 4), "f": (1, 1)},
    "potential_loyalist": {"r": (4, 5), "fm": (1, 3)},
    "need_attention": {"r": (3, 3), "fm": (2, 3)},
    "about_to_sleep": {"r": (3, 3), "fm": (1, 2)},
    "cant_lose_them": {"r": (1, 2), "fm": (4, 5)},
    "at_risk": {"r": (1, 2), "fm": (3, 4)},
    "hibernating": {"r": (2, 2), "fm": (1, 3)},
    "lost": {"r": (1, 1), "fm": (1, 3)},
}

_RULE_KEYS = ("r", "f", "m", "fm")

#: The RFM segment schemes: ``"default"`` (the rules of :data:`RFM_SEGMENTS` or a custom
#: ``segment_map``) and ``"cn8"`` (the eight classes of :data:`RFM_CN8_CLASSES`).
RFM_SCHEMES: tuple[str, ...] = ("default", "cn8")

#: The eight classes: class -> (R above average, F above average, M above average); R above
#: average means a more recent purchase (a higher ``r_score``). See the module docstring.
RFM_CN8_CLASSES: dict[str, tuple[bool, bool, bool]] = {
    "important_value": (True, True, True),
    "important_development": (True, False, True),
    "important_retention": (False, True, True),
    "important_winback": (False, False, True),
    "general_value": (True, True, False),
    "general_development": (True, False, False),
    "general_retention": (False, True, False),
    "general_winback": (False, False, False),
}


def _check_scheme(rfm_scheme, segment_map) -> str:
    check_choice("rfm_scheme", rfm_scheme, RFM_SCHEMES)
    if rfm_scheme == "cn8" and segment_map is not None:
        raise ParameterError("The 'segment_map' parameter applies to rfm_scheme='default' only; the eight classes "
                             f"of rfm_scheme='cn8' are fixed. Got segment_map={segment_map!r} with rfm_scheme='cn8'.")
    return rfm_scheme


def _cn8_codes(scores: pd.DataFrame) -> np.ndarray:
    """Index into :data:`RFM_CN8_CLASSES` of each customer (each score against its mean)."""
    above = [scores[c].to_numpy(dtype=float) > scores[c].to_numpy(dtype=float).mean()
             for c in ("r_score", "f_score", "m_score")]
    bits = above[0].astype(np.int64) * 4 + above[1].astype(np.int64) * 2 + above[2].astype(np.int64)
    lookup = np.empty(8, dtype=np.int64)
    for i, (r, f, m) in enumerate(RFM_CN8_CLASSES.values()):
        lookup[int(r) * 4 + int(f) * 2 + int(m)] = i
    return lookup[bits]


def tie_aware_scores(values, n_bins: int = 5, *, higher_is_better: bool = True) -> np.ndarray:
    """Scores 1..n_bins by equal-frequency bins that never split a tie.

    Parameters
    ----------
    values : array-like of shape (n_customers,)
        Numbers without NaN.
    n_bins : int, default=5
        Number of scores.
    higher_is_better : bool, default=True
        ``False`` gives the highest score to the smallest values (recency).

    Returns
    -------
    numpy.ndarray of int64, shape (n_customers,)
        The score of each value; see the module docstring for the rule.

    Examples
    --------
    >>> from crmmine.customers.rfm import tie_aware_scores
    >>> tie_aware_scores([1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 5], 5).tolist()
    [1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 5]
    >>> tie_aware_scores([1, 1, 1, 1, 1, 1, 2, 2, 3, 4], 5).tolist()
    [1, 1, 1, 1, 1, 1, 2, 2, 4, 5]
    >>> tie_aware_scores([10, 20, 30, 40, 50], 5, higher_is_better=False).tolist()
    [5, 4, 3, 2, 1]
    """
    x = np.asarray(values, dtype=float)
    if not higher_is_better:
        x = -x
    uniq, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    n, k = x.size, uniq.size
    cum = np.cumsum(counts)
    score_of_value = np.empty(k, dtype=np.int64)
    j0, assigned = 0, 0
    for s in range(1, n_bins + 1):
        if j0 >= k:
            break
        left = n_bins - s + 1
        if left == 1:
            score_of_value[j0:] = s
            break
        target = assigned + (n - assigned) / left
        hi = max(j0, k - left)  # leave a distinct value for each later bin when possible
        j = int(np.searchsorted(cum, target, side="left"))
        j = min(max(j, j0), hi)
        if j > j0 and abs(cum[j - 1] - target) <= abs(cum[j] - target):
            j -= 1
        score_of_value[j0:j + 1] = s
        assigned, j0 = int(cum[j]), j + 1
    used = int(score_of_value.max()) if k else 0
    if used == 1:  # a single value: no information, the middle score
        score_of_value[:] = (n_bins + 1) // 2
    elif 1 < used < n_bins:  # fewer distinct values than scores: spread them over 1..n_bins
        score_of_value = 1 + np.rint((score_of_value - 1) * (n_bins - 1) / (used - 1)).astype(np.int64)
    return score_of_value[inverse.reshape(-1)]


def _check_n_bins(n_bins) -> int:
    if isinstance(n_bins, bool) or not isinstance(n_bins, numbers.Integral) or not 2 <= n_bins <= 9:
        raise ParameterError(f"The 'n_bins' parameter must be an integer from 2 to 9. Got {n_bins!r} instead.")
    return int(n_bins)


def rfm_scores(customers: pd.DataFrame, *, n_bins: int = 5, recency: str = "recency_days",
               frequency: str = "frequency", monetary: str = "monetary_total") -> pd.DataFrame:
    """Recency, frequency and monetary scores (1..n_bins) that stay meaningful under ties.

    Parameters
    ----------
    customers : pandas.DataFrame
        A customer table, e.g. from :func:`crmmine.customer_table`.
    n_bins : int, default=5
        Number of scores per variable (2..9, so that ``rfm_cell`` has one digit each).
    recency, frequency, monetary : str
        The columns to score (defaults: ``recency_days``, ``frequency``, ``monetary_total``).
        A smaller recency scores higher.

    Returns
    -------
    pandas.DataFrame
        Same index as ``customers``; columns ``r_score``, ``f_score``, ``m_score`` (int64,
        1..n_bins), ``rfm_score`` (their sum) and ``rfm_cell`` (string such as ``"545"``).

    Notes
    -----
    Scores are equal-frequency bins that never split a tie (module docstring); the score
    of a value therefore depends only on the value, so two customers with the same
    frequency always share ``f_score``.

    References
    ----------
    A. M. Hughes (1994), *Strategic Database Marketing*, Probus (RFM quintile scoring).

    Examples
    --------
    >>> import pandas as pd
    >>> from crmmine import rfm_scores
    >>> c = pd.DataFrame({"recency_days": [1, 5, 30, 90, 200], "frequency": [9, 3, 1, 1, 1],
    ...                   "monetary_total": [900., 80., 50., 20., 10.]})
    >>> rfm_scores(c)["rfm_cell"].tolist()
    ['555', '434', '313', '212', '111']
    >>> rfm_scores(c)["f_score"].tolist()  # one-time buyers share the lowest score
    [5, 3, 1, 1, 1]
    """
    n_bins = _check_n_bins(n_bins)
    if not isinstance(customers, pd.DataFrame):
        raise ParameterError(
            f"The 'customers' parameter must be a DataFrame from crmmine.customer_table. Got {type(customers).__name__} instead."
        )
    cols = {"recency": recency, "frequency": frequency, "monetary": monetary}
    for role, col in cols.items():
        if col not in customers.columns:
            raise MissingColumnError(
                f"The 'customers' table has no {role} column {col!r}. Make it with crmmine.customer_table(tx), "
                f"or name the column with {role}='<column>'."
            )
        if customers[col].isna().any():
            bad = customers.index[customers[col].isna().to_numpy()][0]
            raise InputError(f"The 'customers' column {col!r} has missing values (first: customer {bad!r}); "
                             "fill or drop them before scoring.")
    r = tie_aware_scores(customers[recency].to_numpy(dtype=float), n_bins, higher_is_better=False)
    f = tie_aware_scores(customers[frequency].to_numpy(dtype=float), n_bins)
    m = tie_aware_scores(customers[monetary].to_numpy(dtype=float), n_bins)
    cell = pd.array((r * 100 + f * 10 + m).astype(str), dtype="string")
    return pd.DataFrame({"r_score": r, "f_score": f, "m_score": m, "rfm_score": r + f + m, "rfm_cell": cell},
                        index=customers.index)


def _check_segment_map(segment_map) -> dict:
    if not isinstance(segment_map, dict) or not segment_map:
        raise ParameterError(
            "The 'segment_map' parameter must be a non-empty dict: segment -> {'r': (low, high), ...}. "
            f"Got {segment_map!r} instead."
        )
    for name, rule in segment_map.items():
        if not isinstance(rule, dict) or not rule or any(k not in _RULE_KEYS for k in rule):
            raise ParameterError(
                f"The 'segment_map' rule for {name!r} must be a dict with keys among {', '.join(_RULE_KEYS)} "
                f"and (low, high) values. Got {rule!r} instead."
            )
        for key, bounds in rule.items():
            ok = isinstance(bounds, (tuple, list)) and len(bounds) == 2 and all(
                isinstance(b, numbers.Real) for b in bounds) and bounds[0] <= bounds[1]
            if not ok:
                raise ParameterError(
                    f"The 'segment_map' rule for {name!r} has {key}={bounds!r}; give an inclusive (low, high) "
                    "pair of numbers with low <= high."
                )
    return segment_map


def _segment_name(key: str, lang: str | None = None) -> str:
    from ..text.labels import LABELS

    return label(f"rfm.segment.{key}", lang) if f"rfm.segment.{key}" in LABELS else str(key)


def rfm_segments(scores: pd.DataFrame, *, segment_map: dict | None = None,
                 rfm_scheme: str = "default") -> pd.DataFrame:
    """Named RFM segments from RFM scores, by the first matching rule of a config dict.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`rfm_scores` (``r_score``, ``f_score``, ``m_score``).
    segment_map : dict or None, default=None
        ``segment -> {"r"|"f"|"m"|"fm": (low, high)}``, inclusive ranges, tried in order;
        ``fm`` is the mean of ``f_score`` and ``m_score``. ``None`` uses
        :data:`RFM_SEGMENTS` (written for 1-5 scores).
    rfm_scheme : {"default", "cn8"}, default="default"
        ``"cn8"``: the eight classes (重要价值客户 ... 一般挽留客户) by each score against its
        mean (module docstring); ``segment_map`` must then be None.

    Returns
    -------
    pandas.DataFrame
        Same index; ``rfm_segment`` (categorical of the map's keys then ``"other"``, in
        map order) and ``rfm_segment_name`` (the segment's label in the current language,
        see :func:`crmmine.text.labels.set_language`; custom keys without a label are shown as is).

    Examples
    --------
    >>> import pandas as pd
    >>> from crmmine import rfm_segments
    >>> s = pd.DataFrame({"r_score": [5, 5, 1], "f_score": [5, 1, 1], "m_score": [4, 2, 1]})
    >>> rfm_segments(s)["rfm_segment"].tolist()
    ['champions', 'new', 'lost']
    >>> rfm_segments(s, rfm_scheme="cn8")["rfm_segment"].tolist()
    ['important_value', 'general_development', 'general_winback']
    """
    rfm_scheme = _check_scheme(rfm_scheme, segment_map)
    segment_map = RFM_SEGMENTS if segment_map is None else _check_segment_map(segment_map)
    if not isinstance(scores, pd.DataFrame):
        raise ParameterError(
            f"The 'scores' parameter must be a DataFrame from crmmine.rfm_scores. Got {type(scores).__name__} instead."
        )
    for col in ("r_score", "f_score", "m_score"):
        if col not in scores.columns:
            raise MissingColumnError(
                f"The 'scores' table has no column {col!r}. Make it with crmmine.rfm_scores(customers)."
            )
    if rfm_scheme == "cn8":
        keys = list(RFM_CN8_CLASSES)
        code = _cn8_codes(scores)
        names = np.array([_segment_name(k) for k in keys], dtype=object)[code]
        return pd.DataFrame({"rfm_segment": pd.Categorical.from_codes(code, categories=keys),
                             "rfm_segment_name": pd.array(names, dtype="string")}, index=scores.index)
    values = {
        "r": scores["r_score"].to_numpy(dtype=float),
        "f": scores["f_score"].to_numpy(dtype=float),
        "m": scores["m_score"].to_numpy(dtype=float),
    }
    values["fm"] = (values["f"] + values["m"]) / 2
    keys = list(segment_map)
    if "other" not in keys:
        keys.append("other")
    code = np.full(len(scores), keys.index("other"), dtype=np.int64)
    undecided = np.ones(len(scores), dtype=bool)
    for i, (name, rule) in enumerate(segment_map.items()):
        hit = undecided.copy()
        for key, (lo, hi) in rule.items():
            hit &= (values[key] >= lo) & (values[key] <= hi)
        code[hit] = keys.index(name)
        undecided &= ~hit
    seg = pd.Categorical.from_codes(code, categories=keys)
    names = np.array([_segment_name(k) for k in keys], dtype=object)[code]
    return pd.DataFrame({"rfm_segment": seg, "rfm_segment_name": pd.array(names, dtype="string")},
                        index=scores.index)


def rfm_table(tx: pd.DataFrame, *, as_of=None, returns: pd.DataFrame | None = None, n_bins: int = 5,
              segment_map: dict | None = None, rfm_scheme: str = "default") -> pd.DataFrame:
    """Customer table, RFM scores and RFM segments in one table.

    ``customer_table(tx, as_of=as_of, returns=returns)`` joined with
    :func:`rfm_scores` and :func:`rfm_segments` (see them for the columns;
    ``rfm_scheme="cn8"`` gives the eight classes).

    Examples
    --------
    >>> import crmmine
    >>> r = crmmine.load_clean("sample")
    >>> t = crmmine.rfm_table(r.transactions)
    >>> {"recency_days", "r_score", "rfm_cell", "rfm_segment"} <= set(t.columns)
    True
    """
    from .table import customer_table

    customers = customer_table(tx, as_of=as_of, returns=returns)
    scores = rfm_scores(customers, n_bins=n_bins)
    _check_scheme(rfm_scheme, segment_map)
    table = customers.join(scores).join(rfm_segments(scores, segment_map=segment_map, rfm_scheme=rfm_scheme))
    table.attrs = dict(customers.attrs)
    return table


def _rule_text(rule: dict) -> str:
    parts = []
    for key in _RULE_KEYS:
        if key in rule:
            lo, hi = rule[key]
            parts.append(f"{key} {lo:g}" if lo == hi else f"{key} {lo:g}-{hi:g}")
    return ", ".join(parts)


def rfm_segment_guide(segment_map: dict | None = None, *, rfm_scheme: str = "default") -> pd.DataFrame:
    """The segment map as a table for readers: name, rule and a suggested action per segment.

    Parameters
    ----------
    segment_map : dict or None, default=None
        As in :func:`rfm_segments`; ``None`` uses :data:`RFM_SEGMENTS`.
    rfm_scheme : {"default", "cn8"}, default="default"
        ``"cn8"``: the eight classes, each with its rule ("R above average, F ...") and
        strategy.

    Returns
    -------
    pandas.DataFrame
        Index ``rfm_segment`` (the map's keys then ``"other"``); columns ``name``, ``rule``
        (e.g. ``"r 4-5, fm 4-5"``; ``fm`` is the mean of the f and m scores) and
        ``action`` (a suggested CRM action; labels in the current language; empty for
        custom segments without a label).

    Examples
    --------
    >>> from crmmine.customers.rfm import rfm_segment_guide
    >>> rfm_segment_guide().loc["champions", "rule"]
    'r 4-5, fm 4-5'
    >>> rfm_segment_guide(rfm_scheme="cn8").loc["important_winback", "rule"]
    'R at or below average, F at or below average, M above average'
    """
    if _check_scheme(rfm_scheme, segment_map) == "cn8":
        keys = list(RFM_CN8_CLASSES)
        word = {True: label("rfm.cn8.above"), False: label("rfm.cn8.below")}
        rules = [label("rfm.cn8.rule", r=word[r], f=word[f], m=word[m]) for r, f, m in RFM_CN8_CLASSES.values()]
        return pd.DataFrame({"name": [_segment_name(k) for k in keys], "rule": rules,
                             "action": [label(f"rfm.action.{k}") for k in keys]},
                            index=pd.Index(keys, name="rfm_segment"))
    from ..text.labels import LABELS

    segment_map = RFM_SEGMENTS if segment_map is None else _check_segment_map(segment_map)
    keys = list(segment_map) + ([] if "other" in segment_map else ["other"])
    rows = {
        "name": [_segment_name(k) for k in keys],
        "rule": [_rule_text(segment_map[k]) if k in segment_map else "" for k in keys],
        "action": [label(f"rfm.action.{k}") if f"rfm.action.{k}" in LABELS else "" for k in keys],
    }
    return pd.DataFrame(rows, index=pd.Index(keys, name="rfm_segment"))
