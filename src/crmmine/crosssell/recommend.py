"""Recommendations from association rules: "bought together" per product, top-N per customer.

A rule ``X -> Y`` *fires* for a customer when their purchase history contains every item of
``X``; it then recommends the items of ``Y`` the customer has not bought yet. When several
fired rules recommend the same item, the item takes the score of the best of them, and a
customer's items are ranked by that score. This is the rule-based top-N recommender of
Sarwar, Karypis, Konstan & Riedl (2000), paraphrased: take the rules the customer's
history supports, score each candidate item by the confidence of the rules predicting it
(the highest when several do), and recommend the N best items not yet bought.

Everything is computed on sparse matrices (customers x items history ``H``, rules x items
antecedent ``A`` and consequent ``C``): ``H @ A.T`` counts, per customer and rule, how many
antecedent items the customer bought; a rule fires where that count equals the antecedent's
size. No Python loop runs per customer or per transaction (only one pass per rule to read
its item sets).

References
----------
.. [1] B. Sarwar, G. Karypis, J. Konstan, J. Riedl (2000), "Analysis of recommendation
   algorithms for e-commerce", Proc. 2nd ACM Conference on Electronic Commerce, 158-167.
.. [2] R. Agrawal, T. Imielinski, A. Swami (1993), "Mining association rules between sets
   of items in large databases", Proc. ACM SIGMOD, 207-216 (support and confidence).
.. [3] V. Kumar, W. Reinartz (2018), "Customer Relationship Management: Concept, Strategy,
   and Tools", Springer (customer value and its potential from cross-selling).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import CrmmineWarning, InputError, MissingColumnError, ParameterError
from ..validation import check_choice, check_int
from ..text.labels import label
from ..validation import check_date
from ..data.schema import STRING_DTYPE

__all__ = [
    "bought_together",
    "recommend",
    "potential_value",
    "rule_text",
    "sets_to_text",
    "item_frequency",
    "summarise_item_frequency",
    "summarise_bought_together",
    "summarise_recommendations",
    "RECOMMENDATION_COLUMNS",
    "BOUGHT_TOGETHER_COLUMNS",
]

#: Columns of :func:`recommend` (the item column is ``product_id``, or ``category`` at that level).
RECOMMENDATION_COLUMNS: tuple[str, ...] = (
    "customer_id", "rank", "product_id", "score", "confidence", "lift", "support",
    "antecedents", "consequents", "rule",
)
#: Columns of :func:`bought_together`.
BOUGHT_TOGETHER_COLUMNS: tuple[str, ...] = (
    "product_id", "rank", "recommended", "confidence", "lift", "support", "rule",
)

_RULE_COLUMNS = ("antecedents", "consequents", "support", "confidence", "lift")
_SCORES = ("confidence", "lift")
_LEVEL_COLUMN = {"product": "product_id", "category": "category"}


# ---------------------------------------------------------------------------------------
# checks and small helpers
# ---------------------------------------------------------------------------------------




def _check_customers(customers) -> np.ndarray:
    """Customer ids as a sorted array of distinct str (``customers`` not None)."""
    if isinstance(customers, (str, bytes)) or not isinstance(customers, Iterable):
        raise ParameterError(
            f"The 'customers' parameter must be a list of customer ids or None. Got {customers!r}; "
            "wrap a single id in a list."
        )
    return np.unique(np.asarray([str(c) for c in customers], dtype=object)).astype(object)


def _check_rules(rules) -> pd.DataFrame:
    if not isinstance(rules, pd.DataFrame):
        raise ParameterError(
            "The 'rules' parameter must be a DataFrame such as crmmine.mine_rules returns. "
            f"Got {type(rules).__name__} instead."
        )
    missing = [c for c in _RULE_COLUMNS if c not in rules.columns]
    if missing:
        raise MissingColumnError(
            f"The rules table lacks the column {missing[0]!r} (needs {', '.join(_RULE_COLUMNS)}); "
            "pass the table crmmine.mine_rules returns."
        )
    return rules


def _item_lists(sets: pd.Series, name: str) -> list[list[str]]:
    """Sorted item lists of a column of item sets (one pass per rule, not per customer)."""
    out = []
    for i, s in enumerate(sets):
        if isinstance(s, str) or not isinstance(s, Iterable):
            raise InputError(
                f"The rules column {name!r} must hold sets of item labels (frozensets). Row {i} holds {s!r}; "
                "pass the table crmmine.mine_rules returns."
            )
        items = sorted({str(x) for x in s})
        if not items:
            raise InputError(
                f"The rules column {name!r} must hold non-empty item sets. Row {i} is empty; "
                "drop rules with an empty side before recommending."
            )
        out.append(items)
    return out


def rule_text(antecedents, consequents) -> str:
    """A readable rule, items sorted: ``rule_text({"B", "A"}, {"C"}) == "A + B -> C"``."""
    return " + ".join(sorted(map(str, antecedents))) + " -> " + " + ".join(sorted(map(str, consequents)))


def sets_to_text(df: pd.DataFrame, *, sep: str = "|") -> pd.DataFrame:
    """A copy of ``df`` whose set-valued columns are readable text, items sorted and joined by ``sep``.

    Artefact files (CSV, Parquet) cannot hold Python frozensets; write
    ``crmmine.write_table(crmmine.sets_to_text(rules), output_dir, "rules")``.

    Parameters
    ----------
    df : pandas.DataFrame
        Any table; columns whose first non-missing value is a set/frozenset/tuple/list are converted.
    sep : str, default="|"
        Separator between items.

    Examples
    --------
    >>> import pandas as pd, crmmine
    >>> crmmine.sets_to_text(pd.DataFrame({"antecedents": [frozenset({"B", "A"})]}))
      antecedents
    0         A|B
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype != object or s.empty:
            continue
        first = s.dropna()
        if first.empty or not isinstance(first.iloc[0], (set, frozenset, tuple, list)):
            continue
        text = [sep.join(sorted(map(str, v))) if isinstance(v, (set, frozenset, tuple, list)) else v for v in s]
        out[col] = pd.array(text, dtype=STRING_DTYPE)
    return out


def _history(tx: pd.DataFrame, item_col: str, *, as_of=None, customers=None) -> pd.DataFrame:
    """(customer_id, item) purchase lines (quantity > 0) before ``as_of``, for ``customers`` if given."""
    for col in ("customer_id", item_col, "order_date"):
        if col not in tx.columns:
            raise MissingColumnError(
                f"The transactions lack the column {col!r}; pass the canonical table "
                "(crmmine.load_clean(...).transactions)."
            )
    mask = tx["customer_id"].notna().to_numpy() & tx[item_col].notna().to_numpy()
    if "quantity" in tx.columns:
        mask = mask & (tx["quantity"] > 0).to_numpy()
    if as_of is not None:
        mask = mask & (tx["order_date"] < pd.Timestamp(as_of)).to_numpy()
    h = tx.loc[mask, ["customer_id", item_col]]
    if customers is not None:
        wanted = pd.Index(_check_customers(customers), dtype=STRING_DTYPE)
        h = h[h["customer_id"].astype(STRING_DTYPE).isin(wanted).to_numpy(dtype=bool)]
    return h  # repeated (customer, item) pairs are merged when the sparse history is built


def _level_column(level: str, tx: pd.DataFrame) -> str:
    col = _LEVEL_COLUMN[check_choice("level", level, tuple(_LEVEL_COLUMN))]
    if col not in tx.columns:
        raise MissingColumnError(
            f"The transactions lack the column {col!r} that level={level!r} needs; use level='product' or read "
            "the file with a category column."
        )
    return col


def _empty_recommendations(item_col: str) -> pd.DataFrame:
    cols = [item_col if c == "product_id" else c for c in RECOMMENDATION_COLUMNS]
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    for c in ("customer_id", item_col, "rule"):
        out[c] = out[c].astype(STRING_DTYPE)
    out["rank"] = out["rank"].astype("int64")
    for c in ("score", "confidence", "lift", "support"):
        out[c] = out[c].astype("float64")
    return out


# ---------------------------------------------------------------------------------------
# bought together
# ---------------------------------------------------------------------------------------
def bought_together(rules: pd.DataFrame, product=None, *, top_n: int = 5) -> pd.DataFrame:
    """"Frequently bought together": for each product, the best rules ``{product} -> Y``.

    The rules whose antecedent is exactly one product are ranked per product by confidence
    (ties: lift, support, then the rule's text), and the first ``top_n`` are kept.

    Parameters
    ----------
    rules : pandas.DataFrame
        Rules as :func:`crmmine.mine_rules` returns (columns ``antecedents``, ``consequents``,
        ``support``, ``confidence``, ``lift``).
    product : str, list of str or None, default=None
        The product(s) to look up; ``None`` gives every product that is the sole antecedent
        of a rule.
    top_n : int, default=5
        Rules kept per product.

    Returns
    -------
    pandas.DataFrame
        One row per (product, rank), sorted by ``product_id`` then ``rank``:
        ``product_id`` (str), ``rank`` (int, 1 = best), ``recommended`` (frozenset of the
        consequent's items), ``confidence``, ``lift``, ``support`` (float) and ``rule``
        (text ``"A -> B + C"``). Empty when no rule starts from the product(s).

    Warns
    -----
    CrmmineWarning
        When a requested product is the sole antecedent of no rule (e.g. too rare for
        ``min_support``, or a typo).

    Examples
    --------
    >>> import pandas as pd, crmmine
    >>> rules = pd.DataFrame({"antecedents": [frozenset({"A"}), frozenset({"A"})],
    ...                       "consequents": [frozenset({"B"}), frozenset({"C"})],
    ...                       "support": [0.2, 0.1], "confidence": [0.5, 0.8], "lift": [1.5, 2.0]})
    >>> crmmine.bought_together(rules)[["product_id", "rank", "rule", "confidence"]]
      product_id  rank    rule  confidence
    0          A     1  A -> C         0.8
    1          A     2  A -> B         0.5
    """
    rules = _check_rules(rules)
    top_n = check_int("top_n", top_n, lo=1)
    if product is None:
        wanted = None
    elif isinstance(product, str):
        wanted = [product]
    elif isinstance(product, Iterable):
        wanted = [str(p) for p in product]
    else:
        raise ParameterError(
            f"The 'product' parameter must be a product id, a list of them, or None. Got {product!r} instead."
        )
    ante = _item_lists(rules["antecedents"], "antecedents")
    cons = _item_lists(rules["consequents"], "consequents")
    single = np.fromiter((len(a) == 1 for a in ante), dtype=bool, count=len(ante))
    pos = np.flatnonzero(single)
    table = pd.DataFrame(
        {
            "product_id": pd.array([ante[i][0] for i in pos], dtype=STRING_DTYPE),
            "recommended": pd.Series([frozenset(cons[i]) for i in pos], dtype=object),
            "confidence": rules["confidence"].to_numpy(dtype=float)[pos],
            "lift": rules["lift"].to_numpy(dtype=float)[pos],
            "support": rules["support"].to_numpy(dtype=float)[pos],
            "rule": pd.array([rule_text(ante[i], cons[i]) for i in pos], dtype=STRING_DTYPE),
        }
    )
    if wanted is not None:
        absent = sorted(set(wanted) - set(table["product_id"].astype(str)))
        if absent:
            warnings.warn(
                f"The product {absent[0]!r} is the sole antecedent of no rule, so nothing is recommended with it; "
                "lower min_support/min_confidence when mining, or check the product id.",
                CrmmineWarning,
                stacklevel=2,
            )
        table = table[table["product_id"].isin(wanted)]
    table = table.sort_values(
        ["product_id", "confidence", "lift", "support", "rule"],
        ascending=[True, False, False, False, True],
        kind="stable",
    )
    table["rank"] = table.groupby("product_id", sort=False).cumcount().astype("int64") + 1
    table = table[table["rank"] <= top_n]
    return table[list(BOUGHT_TOGETHER_COLUMNS)].reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# per-customer recommendations
# ---------------------------------------------------------------------------------------
def _rule_matrix(lists: list[list[str]], items: pd.Index) -> sp.csr_matrix:
    lengths = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    flat = np.concatenate([np.asarray(x, dtype=object) for x in lists]) if lists else np.array([], dtype=object)
    cols = items.get_indexer(flat)
    indptr = np.r_[0, np.cumsum(lengths)]
    return sp.csr_matrix((np.ones(cols.size, dtype=np.int32), cols, indptr), shape=(len(lists), len(items)))


def _best_rules(H, A, C, a_size, owned, top_n: int) -> tuple[np.ndarray, np.ndarray]:
    """Best rule per (customer, recommendable item), rules given in priority order (input already validated).

    Returns the sorted pair codes ``customer * n_items + item`` and each pair's best rule
    (its priority). Rules are taken in blocks of growing size, best first; a customer who
    already holds ``top_n`` candidate items leaves, since a later (worse) rule can neither
    improve an item's best rule nor add an item that ranks before them. Each block is one
    sparse product ``H @ A_block.T`` (count of antecedent items bought; the rule fires
    where it equals the antecedent's size), expanded to (customer, item, rule) triples
    encoded as one int64 and sorted once (``np.sort``; no per-customer loop).
    """
    n_c, n_i = H.shape
    n_r = A.shape[0]
    active = np.arange(n_c, dtype=np.int64)
    pair = np.zeros(0, dtype=np.int64)
    tp = np.zeros(0, dtype=np.int64)
    lo, size = 0, 256
    while lo < n_r and active.size:
        hi = min(n_r, lo + size)
        M = (H[active] @ A[lo:hi].T).tocsr()
        rows = np.repeat(active, np.diff(M.indptr))
        fired = M.data == a_size[lo:hi][M.indices]
        fc, fr = rows[fired], M.indices[fired].astype(np.int64)
        Cb = C[lo:hi]
        reps = np.diff(Cb.indptr)[fr]
        offs = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
        ti = Cb.indices[np.repeat(Cb.indptr[fr], reps) + offs].astype(np.int64)
        new_pair = np.repeat(fc, reps) * n_i + ti
        new_tp = np.repeat(fr + lo, reps)
        if owned is not None and owned.size and new_pair.size:
            pos = np.minimum(np.searchsorted(owned, new_pair), owned.size - 1)
            keep = owned[pos] != new_pair
            new_pair, new_tp = new_pair[keep], new_tp[keep]
        key = np.sort(np.concatenate([pair * n_r + tp, new_pair * n_r + new_tp]))
        all_pair = key // n_r
        first = np.r_[True, all_pair[1:] != all_pair[:-1]] if key.size else np.zeros(0, dtype=bool)
        pair, tp = all_pair[first], key[first] % n_r
        n_cand = np.bincount(pair // n_i, minlength=n_c)
        active = active[n_cand[active] < top_n]
        lo, size = hi, size * 2
    return pair, tp


def recommend(
    tx: pd.DataFrame,
    rules: pd.DataFrame,
    *,
    top_n: int = 5,
    customers=None,
    exclude_purchased: bool = True,
    as_of=None,
    score: str = "confidence",
    level: str = "product",
) -> pd.DataFrame:
    """Top-N recommendations per customer from the rules their purchase history fires.

    A rule ``X -> Y`` fires for a customer whose history (every purchase before ``as_of``)
    contains all of ``X``; it recommends each item of ``Y``. An item recommended by
    several fired rules takes the best of them by ``score`` (ties: confidence, lift,
    support, then the rule's text), as in the rule-based recommender of Sarwar et al.
    (2000). Items are ranked per customer by their best rule in that same
    order (then by item id), and the first ``top_n`` kept.

    Parameters
    ----------
    tx : pandas.DataFrame
        Canonical transactions (``customer_id``, ``order_date``, ``product_id`` or
        ``category``; lines with ``quantity <= 0`` are not purchases and are ignored).
    rules : pandas.DataFrame
        Rules as :func:`crmmine.mine_rules` returns, mined at the same ``level``.
    top_n : int, default=5
        Recommendations per customer (fewer when fewer rules fire).
    customers : list of str or None, default=None
        Customers to recommend to; ``None`` means every customer in ``tx``. Customers
        without history or without a fired rule get no row.
    exclude_purchased : bool, default=True
        Never recommend an item the customer already bought.
    as_of : date-like or None, default=None
        Only purchases strictly before this date form the history; ``None`` uses all.
    score : {"confidence", "lift"}, default="confidence"
        The rule measure an item's score is: the maximum, over the fired rules that
        recommend it, of the rule's confidence (the estimated probability of buying the
        item given the antecedent, Agrawal et al. 1993) or lift.
    level : {"product", "category"}, default="product"
        Item column of ``tx``: ``product_id`` or ``category``.

    Returns
    -------
    pandas.DataFrame
        One row per (customer, rank), sorted by ``customer_id`` then ``rank``:
        ``customer_id`` (str), ``rank`` (int, 1 = best), ``product_id`` (str; named
        ``category`` when ``level="category"``), ``score``, ``confidence``, ``lift``,
        ``support`` (float, of the rule that fired), ``antecedents`` and ``consequents``
        (frozensets: the rule that fired, the explanation) and ``rule`` (its text,
        ``"A + B -> C"``).

    See Also
    --------
    bought_together : the same rules per product.
    potential_value : expected extra revenue of these recommendations.
    evaluate_recommendations : measure the recommender on a time split.

    References
    ----------
    .. [1] Sarwar, Karypis, Konstan, Riedl (2000), "Analysis of recommendation algorithms
       for e-commerce", ACM EC'00, 158-167.

    Examples
    --------
    >>> import pandas as pd, crmmine
    >>> tx = pd.DataFrame({"customer_id": ["c1", "c1", "c2"], "product_id": ["A", "B", "A"],
    ...                    "order_date": pd.to_datetime(["2024-01-01"] * 3), "quantity": [1.0, 1, 1]})
    >>> rules = pd.DataFrame({"antecedents": [frozenset({"A"})], "consequents": [frozenset({"B"})],
    ...                       "support": [0.4], "confidence": [0.6], "lift": [1.2]})
    >>> crmmine.recommend(tx, rules)[["customer_id", "rank", "product_id", "rule"]]
      customer_id  rank product_id    rule
    0          c2     1          B  A -> B
    """
    rules = _check_rules(rules)
    top_n = check_int("top_n", top_n, lo=1)
    score = check_choice("score", score, _SCORES)
    if not isinstance(exclude_purchased, (bool, np.bool_)):
        raise ParameterError(f"The 'exclude_purchased' parameter must be True or False. Got {exclude_purchased!r} instead.")
    if not isinstance(tx, pd.DataFrame):
        raise ParameterError(f"The 'tx' parameter must be a pandas DataFrame. Got {type(tx).__name__} instead.")
    item_col = _level_column(level, tx)
    as_of = check_date("as_of", as_of)
    ante = _item_lists(rules["antecedents"], "antecedents")
    cons = _item_lists(rules["consequents"], "consequents")
    if not len(rules):
        return _empty_recommendations(item_col)
    hist = _history(tx, item_col, as_of=as_of, customers=customers)
    rule_items = sorted({i for x in ante for i in x} | {i for x in cons for i in x})
    items = pd.Index(rule_items, dtype=object)
    hist = hist[hist[item_col].isin(items)]
    if hist.empty:
        return _empty_recommendations(item_col)
    hc, cust_index = pd.factorize(hist["customer_id"].astype(STRING_DTYPE), sort=True)
    hi = items.get_indexer(hist[item_col].astype(STRING_DTYPE))
    n_c, n_i = len(cust_index), len(items)
    H = sp.csr_matrix((np.ones(hc.size, dtype=np.int32), (hc, hi)), shape=(n_c, n_i))
    H.sum_duplicates()
    H.data[:] = 1
    A = _rule_matrix(ante, items)
    C = _rule_matrix(cons, items)
    a_size = np.diff(A.indptr)

    conf = rules["confidence"].to_numpy(dtype=float)
    lift = rules["lift"].to_numpy(dtype=float)
    supp = rules["support"].to_numpy(dtype=float)
    texts = np.array([rule_text(a, c) for a, c in zip(ante, cons)], dtype=object)
    text_rank = np.argsort(np.argsort(texts, kind="stable"), kind="stable")
    s = conf if score == "confidence" else lift
    # rules in priority order: best score first (ties: confidence, lift, support, text);
    # prio[r] is rule r's position in that order
    by_prio = np.lexsort((text_rank, -supp, -lift, -conf, -s))
    prio = np.empty(len(rules), dtype=np.int64)
    prio[by_prio] = np.arange(len(rules))
    n_r = len(rules)
    if float(n_c) * n_i * n_r >= 2.0**62:
        raise ParameterError(
            f"Too many customers x items x rules to rank at once ({n_c:,} x {n_i:,} x {n_r:,}); pass fewer rules "
            "(mine_rules(..., max_rules=...)) or recommend to 'customers' in batches."
        )

    owned = np.repeat(np.arange(n_c, dtype=np.int64), np.diff(H.indptr)) * n_i + H.indices  # sorted (csr)
    A, C, a_size = A[by_prio], C[by_prio], a_size[by_prio]  # rule j below = priority j
    pair, tp = _best_rules(H, A, C, a_size, owned if exclude_purchased else None, top_n)
    # rank items per customer by their best rule's priority, then item id (again one sort)
    key = np.sort(((pair // n_i) * n_r + tp) * n_i + pair % n_i)
    ti = key % n_i
    tc, tp = key // n_i // n_r, key // n_i % n_r
    tr = by_prio[tp]
    starts = np.r_[0, np.flatnonzero(tc[1:] != tc[:-1]) + 1] if tc.size else np.zeros(0, dtype=np.int64)
    counts = np.diff(np.r_[starts, tc.size])
    rank = np.arange(tc.size) - np.repeat(starts, counts) + 1
    keep = rank <= top_n
    tc, tr, ti, rank = tc[keep], tr[keep], ti[keep], rank[keep]
    ante_sets = np.empty(len(ante), dtype=object)
    ante_sets[:] = [frozenset(a) for a in ante]
    cons_sets = np.empty(len(cons), dtype=object)
    cons_sets[:] = [frozenset(c) for c in cons]
    out = pd.DataFrame(
        {
            "customer_id": pd.array(cust_index.take(tc), dtype=STRING_DTYPE),
            "rank": rank.astype("int64"),
            item_col: pd.array(items.to_numpy()[ti], dtype=STRING_DTYPE),
            "score": s[tr],
            "confidence": conf[tr],
            "lift": lift[tr],
            "support": supp[tr],
            "antecedents": ante_sets[tr],
            "consequents": cons_sets[tr],
            "rule": pd.array(texts[tr], dtype=STRING_DTYPE),
        }
    )
    return out


# ---------------------------------------------------------------------------------------
# potential value
# ---------------------------------------------------------------------------------------
def potential_value(
    recommendations: pd.DataFrame,
    tx: pd.DataFrame,
    *,
    as_of=None,
    statistic: str = "median",
    customers=None,
    level: str = "product",
) -> pd.Series:
    """Expected extra revenue from the recommendations: the cross-sell part of potential value.

    For customer *i* with recommended items *j*::

        potential_value_i = sum_j confidence_ij * typical_line_value_j

    where ``confidence_ij`` is the confidence of the rule that recommended *j* (the estimated
    probability that a customer holding the antecedent buys *j*; Agrawal et al. 1993) and
    ``typical_line_value_j`` is the median (or mean) ``amount`` of the purchase lines of
    item *j* before ``as_of``. It is the expected value of an offer (probability of
    acceptance times value), the way the CRM literature frames the potential value of
    cross-selling (e.g. Kumar & Reinartz 2018); the exact formula is crmmine's choice, not
    a published equation. Assumption, stated plainly: confidence is an association,
    not the causal uplift of making the offer, so the figure is an upper-side estimate of
    what the recommendations could add, not a forecast of campaign revenue.

    Parameters
    ----------
    recommendations : pandas.DataFrame
        The table :func:`recommend` returns.
    tx : pandas.DataFrame
        Canonical transactions (``amount`` and the item column are used).
    as_of : date-like or None, default=None
        Only lines before this date give the typical line value.
    statistic : {"median", "mean"}, default="median"
        Typical line value of an item.
    customers : list of str or None, default=None
        Customers to report; ``None`` means every customer with a purchase in ``tx``
        (before ``as_of``). Customers without a recommendation get 0.
    level : {"product", "category"}, default="product"
        Item column, as in :func:`recommend`.

    Returns
    -------
    pandas.Series
        ``potential_value`` (float, currency of ``amount``) indexed by ``customer_id``,
        sorted by id; pass it to ``crmmine.customer_value(tx, potential_value=...)``.
    """
    if not isinstance(recommendations, pd.DataFrame):
        raise ParameterError(
            f"The 'recommendations' parameter must be the DataFrame crmmine.recommend returns. "
            f"Got {type(recommendations).__name__} instead."
        )
    statistic = check_choice("statistic", statistic, ("median", "mean"))
    as_of = check_date("as_of", as_of)
    item_col = _level_column(level, tx)
    for col in ("customer_id", item_col, "confidence"):
        if col not in recommendations.columns:
            raise MissingColumnError(
                f"The recommendations lack the column {col!r}; pass the table crmmine.recommend returns "
                f"(at level={level!r})."
            )
    if "amount" not in tx.columns:
        raise MissingColumnError("The transactions lack the column 'amount'; pass the canonical table.")
    lines = tx
    mask = (tx["quantity"] > 0).to_numpy() if "quantity" in tx.columns else np.ones(len(tx), dtype=bool)
    if as_of is not None:
        mask = mask & (tx["order_date"] < pd.Timestamp(as_of)).to_numpy()
    lines = tx.loc[mask]
    typical = lines.groupby(lines[item_col].astype(str), sort=True)["amount"].agg(statistic)
    rec_items = recommendations[item_col].astype(str)
    value = recommendations["confidence"].to_numpy(dtype=float) * typical.reindex(rec_items).fillna(0.0).to_numpy()
    per = pd.Series(value, index=recommendations["customer_id"].astype(str).to_numpy()).groupby(level=0).sum()
    if customers is None:
        ids = lines["customer_id"].dropna().astype(str).unique()
    else:
        ids = _check_customers(customers)
    index = pd.Index(np.sort(np.asarray(ids, dtype=object)), dtype=STRING_DTYPE, name="customer_id")
    out = per.reindex(index.astype(str)).fillna(0.0).to_numpy()
    return pd.Series(out, index=index, name="potential_value", dtype="float64")


# ---------------------------------------------------------------------------------------
# item frequency and one-sentence findings for reports
# ---------------------------------------------------------------------------------------
def item_frequency(tx: pd.DataFrame, *, level: str = "product", top_n: int | None = None) -> pd.DataFrame:
    """How many orders contain each item (its support count), most frequent first.

    Parameters
    ----------
    tx : pandas.DataFrame
        Canonical transactions; lines with ``quantity <= 0`` are not purchases and are ignored.
    level : {"product", "category"}, default="product"
        Item column.
    top_n : int or None, default=None
        Keep the first ``top_n`` items; ``None`` keeps all.

    Returns
    -------
    pandas.DataFrame
        ``item`` (str), ``item_name`` (str, the most common ``product_name`` of a product;
        the category itself at category level), ``n_orders`` (int), ``support`` (float, share
        of all orders), sorted by ``n_orders`` descending then ``item``. ``attrs["n_orders"]``
        holds the number of orders.
    """
    from ..engine.lazy import is_lazy

    if is_lazy(tx):  # counted in the engine (DuckDB, Spark): one row per item comes back
        from ..engine import aggregate

        if top_n is not None:
            top_n = check_int("top_n", top_n, lo=1)
        counts, n_orders, best = aggregate.item_frequency(tx, level=level)
        out = counts.rename_axis("item").reset_index(name="n_orders")
        return _item_frequency_frame(out, n_orders, best, top_n)
    if not isinstance(tx, pd.DataFrame):
        raise ParameterError(f"The 'tx' parameter must be a pandas DataFrame. Got {type(tx).__name__} instead.")
    item_col = _level_column(level, tx)
    if top_n is not None:
        top_n = check_int("top_n", top_n, lo=1)
    for col in ("order_id",):
        if col not in tx.columns:
            raise MissingColumnError(f"The transactions lack the column {col!r}; pass the canonical table.")
    mask = tx[item_col].notna().to_numpy()
    if "quantity" in tx.columns:
        mask = mask & (tx["quantity"] > 0).to_numpy()
    lines = tx.loc[mask]
    n_orders = lines["order_id"].nunique()
    pairs = lines[["order_id", item_col]].astype(str).drop_duplicates()
    counts = pairs[item_col].value_counts()
    out = counts.rename_axis("item").reset_index(name="n_orders")
    best = None
    if item_col == "product_id" and "product_name" in lines.columns:
        names = lines[["product_id", "product_name"]].dropna().astype(str)
        names = names.assign(product_name=names["product_name"].str.strip())
        best = (names.groupby(["product_id", "product_name"], sort=True).size().rename("n").reset_index()
                .sort_values(["product_id", "n", "product_name"], ascending=[True, False, True], kind="stable")
                .drop_duplicates("product_id").set_index("product_id")["product_name"])
    return _item_frequency_frame(out, n_orders, best, top_n)


def _item_frequency_frame(out: pd.DataFrame, n_orders: int, best, top_n) -> pd.DataFrame:
    """``out`` (item, n_orders) sorted and named: :func:`item_frequency`'s table."""
    out = out.sort_values(["n_orders", "item"], ascending=[False, True], kind="stable", ignore_index=True)
    if top_n is not None:
        out = out.head(top_n)
    if best is not None:
        item_name = best.reindex(out["item"]).to_numpy()
        item_name = np.where(pd.isna(item_name), out["item"].to_numpy(dtype=object), item_name)
    else:
        item_name = out["item"].to_numpy(dtype=object)
    out = pd.DataFrame(
        {
            "item": pd.array(out["item"].to_numpy(dtype=object), dtype=STRING_DTYPE),
            "item_name": pd.array(item_name, dtype=STRING_DTYPE),
            "n_orders": out["n_orders"].to_numpy(dtype="int64"),
            "support": out["n_orders"].to_numpy(dtype=float) / n_orders if n_orders else 0.0,
        }
    )
    out.attrs["n_orders"] = int(n_orders)
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def summarise_item_frequency(frequency: pd.DataFrame, *, k: int = 10, lang: str | None = None) -> str:
    """One sentence on the most frequent items (from :func:`item_frequency`)."""
    n_orders = frequency.attrs.get("n_orders", 0)
    if frequency.empty:
        return label("reco.finding.no_items", lang=lang)
    top = frequency.head(k)
    first = top.iloc[0]
    return label("reco.finding.items", lang=lang, item=f"{first['item_name']} ({first['item']})",
                 share=_pct(first["support"]), n_orders=f"{n_orders:,}", k=len(top),
                 min_share=_pct(top["support"].min()))


def summarise_bought_together(together: pd.DataFrame, *, names=None, lang: str | None = None) -> str:
    """One sentence on a :func:`bought_together` table (``names``: item -> product name, shown beside codes)."""
    if together.empty:
        return label("reco.finding.no_bought_together", lang=lang)
    best = together.sort_values(["confidence", "lift", "rule"], ascending=[False, False, True], kind="stable").iloc[0]
    rule = best["rule"]
    if names is not None and "product_id" in together.columns and "recommended" in together.columns:
        sides = tuple(v if isinstance(v, (set, frozenset, list, tuple)) else [v]
                      for v in (best["product_id"], best["recommended"]))
    elif names is not None and "antecedents" in together.columns and "consequents" in together.columns:
        sides = (best["antecedents"], best["consequents"])
    else:
        sides = None
    if sides is not None:
        def named(items):
            out = []
            for item in sorted(map(str, items)):
                name = names.get(item) if hasattr(names, "get") else None
                out.append(f"{name} ({item})" if isinstance(name, str) and name.strip() and name != item else item)
            return " + ".join(out)

        rule = f"{named(sides[0])} → {named(sides[1])}"
    return label("reco.finding.bought_together", lang=lang, n_products=f"{together['product_id'].nunique():,}",
                 rule=rule, confidence=_pct(best["confidence"]))


def summarise_recommendations(
    recommendations: pd.DataFrame, value: pd.Series, *, currency: str = "", lang: str | None = None
) -> str:
    """One sentence on :func:`recommend`'s output and its :func:`potential_value`.

    ``value`` (indexed by every customer considered) gives the number of customers and
    the total expected extra revenue (followed by ``currency`` when given).
    """
    n_all = len(value)
    n_c = recommendations["customer_id"].nunique()
    per = len(recommendations) / n_c if n_c else 0.0
    return label("reco.finding.recommendations", lang=lang, n_customers=f"{n_c:,}", n_all=f"{n_all:,}",
                 share=_pct(n_c / n_all if n_all else 0.0), per=f"{per:.1f}",
                 total=f"{value.sum():,.0f} {currency}".strip())
