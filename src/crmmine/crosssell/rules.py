"""Frequent itemsets and association rules with R arules' semantics and a full set of measures.

:func:`frequent_itemsets` mines all, closed or maximal frequent itemsets through mlxtend
(on sparse input) or crmmine's own vertical engine; :func:`mine_rules` turns them into
rules with their counts and 15 measures (support to improvement), vectorised over all rules;
:func:`filter_rules` narrows a mined table without mining again (for classroom sliders);
:func:`prune_redundant_rules` removes rules a more general rule already explains.

Support thresholds are relative and inclusive, as in R arules (Hahsler, Gruen & Hornik
2005): an itemset is frequent iff ``count >= min_support * n_transactions``, where the
product is taken without float noise (``0.3 * 10`` means 3 transactions).

References
----------
.. [1] Agrawal, R., Imielinski, T., Swami, A. (1993). Mining association rules between
   sets of items in large databases. SIGMOD '93, 207-216.
.. [2] Tan, P.-N., Kumar, V., Srivastava, J. (2004). Selecting the right objective measure
   for association analysis. Information Systems 29(4), 293-313.
.. [3] Hahsler, M. (2015). A probabilistic comparison of commonly used interest measures for
   association rules. https://mhahsler.github.io/arules/docs/measures
.. [4] Bayardo, R. J., Agrawal, R., Gunopulos, D. (2000). Constraint-based rule mining in
   large, dense databases. Data Mining and Knowledge Discovery 4, 217-240 (minimum
   improvement).
.. [5] Brin, S., Motwani, R., Ullman, J. D., Tsur, S. (1997). Dynamic itemset counting and
   implication rules for market basket data. SIGMOD '97 (conviction).
.. [6] Zhang, T. (2000). Association rules. PAKDD 2000, Lecture Notes in Computer Science 1805
   (Zhang's metric).
.. [7] Berzal, F., Blanco, I., Sanchez, D., Vila, M.-A. (2002). Measuring the accuracy and
   interest of association rules: a new framework. Intelligent Data Analysis 6(3),
   221-235 (certainty factor).
.. [8] Hahsler, M., Hornik, K. (2007). New probabilistic interest measures for association
   rules. Intelligent Data Analysis 11(5), 437-455 (Fisher's exact test, hyper-confidence).
.. [9] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
   Scandinavian Journal of Statistics 6(2), 65-70.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ._itemsets import (
    BudgetExceeded,
    ItemsetTable,
    closed_maximal_flags,
    hypergeom_sf,
    mine_mlxtend,
    mine_vertical,
    min_count,
)
from .basket import Baskets, as_baskets
from ..errors import InputError, MiningBudgetError, ParameterError
from ..validation import check_choice, check_fraction, check_int, check_number

__all__ = [
    "ALGORITHMS",
    "RULE_COLUMNS",
    "ITEMSET_COLUMNS",
    "frequent_itemsets",
    "mine_rules",
    "filter_rules",
    "prune_redundant_rules",
    "rule_labels",
    "summarise_rules",
]

#: Itemset miners: mlxtend's three, crmmine's own ``"vertical"`` engine, and ``"auto"``
#: (the fastest engine that gives the answer asked for: ``"vertical"``).
ALGORITHMS: tuple[str, ...] = ("fpgrowth", "apriori", "fpmax", "vertical", "auto")
_KINDS = ("all", "closed", "maximal")
_P_ADJUST = ("holm", "bh", "bonferroni")

#: Default work budget of the miners: at most this many frequent itemsets (and twice as many
#: candidate rules); more raises :class:`~crmmine.errors.MiningBudgetError` with advice.
MAX_ITEMSETS = 1_000_000

#: Columns of :func:`frequent_itemsets`.
ITEMSET_COLUMNS: tuple[str, ...] = ("itemsets", "support", "count", "length")

#: Columns of :func:`mine_rules`, in order.
RULE_COLUMNS: tuple[str, ...] = (
    "antecedents",
    "consequents",
    "antecedent_count",
    "consequent_count",
    "count",
    "antecedent_support",
    "consequent_support",
    "support",
    "confidence",
    "lift",
    "leverage",
    "conviction",
    "zhangs_metric",
    "jaccard",
    "certainty",
    "kulczynski",
    "odds_ratio",
    "fisher_p",
    "fisher_p_adjusted",
    "improvement",
)
_ASCENDING = ("fisher_p", "fisher_p_adjusted")
_SORTABLE = tuple(c for c in RULE_COLUMNS if c not in ("antecedents", "consequents"))


# --------------------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------------------








def _algorithm(algorithm):
    return "vertical" if check_choice("algorithm", algorithm, ALGORITHMS) == "auto" else algorithm


def _check_items(name, v):
    """An item label or a collection of labels -> frozenset of str (None stays None)."""
    if v is None:
        return None
    if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
        v = [v]
    out = frozenset(str(x) for x in v)
    if not out:
        raise ParameterError(f"The '{name}' parameter must name at least one item or be None. Got {v!r} instead.")
    return out


# --------------------------------------------------------------------------------------
# itemsets
# --------------------------------------------------------------------------------------


def _budget_error(b: Baskets, what: str, found: int, budget: int, min_support, minc: int, max_len) -> MiningBudgetError:
    sizes = np.diff(b.matrix.indptr)
    top = np.sort(sizes)[::-1][:3]
    big = b.orders[int(np.argmax(sizes))] if len(sizes) else None
    # baskets counted in an engine carry no order ids (their orders are numbered 0..n-1)
    which = f" (order {big!r})" if b.level == "basket" or not isinstance(b.orders, pd.RangeIndex) else ""
    limit = f", max_len={max_len}" if max_len is not None else ""
    return MiningBudgetError(
        f"Mining stopped: more than {budget:,} {what} (at least {found:,}) at min_support={min_support}{limit} "
        f"(an itemset must be in {minc:,} of {b.n_orders:,} orders). The largest baskets hold "
        f"{', '.join(f'{int(t):,}' for t in top)} items{which}; every subset of a big basket that "
        f"is in {minc:,} orders is frequent. Raise min_support, set max_len (e.g. max_len=3), drop big baskets with "
        "make_baskets(..., max_basket_size=50, oversized='drop'), or raise max_itemsets."
    )


def _mine(b: Baskets, minc: int, max_len, algorithm, max_itemsets=None, min_support=None) -> ItemsetTable:
    if algorithm == "vertical":
        try:
            return mine_vertical(b.matrix, minc, max_len, max_itemsets=max_itemsets)
        except BudgetExceeded as err:
            raise _budget_error(b, "frequent itemsets", err.found, max_itemsets, min_support, minc, max_len) from None
    tab = mine_mlxtend(b.matrix, minc, max_len, algorithm)
    if max_itemsets is not None and len(tab) > max_itemsets:
        raise _budget_error(b, "frequent itemsets", len(tab), max_itemsets, min_support, minc, max_len)
    return tab


def _frozensets_of_rows(items: np.ndarray, codes: np.ndarray):
    """frozensets of the labels of each row of ``codes`` (m, k), lazily.

    Columns zipped (no list per row); from 5 items on through a ``set``, whose copy into a
    frozenset keeps the table small (472 rather than 728 bytes for 5-7 items: 340k itemsets at
    support 0.001 on Online Retail hold tens of MB less).
    """
    cols = zip(*[items[c] for c in codes.T])
    return map(frozenset, map(set, cols) if codes.shape[1] >= 5 else cols)


def _itemset_frame(items: np.ndarray, parts, n: int) -> pd.DataFrame:
    """DataFrame from ``[(codes (m, k), counts (m,)), ...]`` (rows of each in lexicographic order, as an
    :class:`ItemsetTable` holds them): length ascending, count descending, then items."""
    sets, counts, lens = [], [], []
    for codes, cnt in parts:
        if not len(cnt):
            continue
        k = codes.shape[1]
        order = np.argsort(-cnt, kind="stable")  # rows come in lexicographic order: ties stay so
        codes, cnt = codes[order], cnt[order]
        sets.extend(_frozensets_of_rows(items, codes))
        counts.append(cnt)
        lens.append(np.full(len(cnt), k, dtype=np.int64))
    cnt = np.concatenate(counts) if counts else np.zeros(0, np.int64)
    df = pd.DataFrame(
        {
            "itemsets": pd.Series(sets, dtype=object),
            "support": cnt / float(n),
            "count": cnt,
            "length": np.concatenate(lens) if lens else np.zeros(0, np.int64),
        }
    )
    return df


def frequent_itemsets(data, *, min_support, algorithm="auto", max_len=None, kind="all",
                      max_itemsets=MAX_ITEMSETS) -> pd.DataFrame:
    """Frequent itemsets of the baskets: all, closed or maximal.

    Parameters
    ----------
    data : Baskets, pandas.DataFrame, CleanResult or iterable of baskets
        Anything :func:`~crmmine.make_baskets` accepts (product level), or its result.
    min_support : float in (0, 1]
        Relative, inclusive threshold: an itemset is frequent iff it is in at least
        ``min_support * n_transactions`` baskets (R arules' semantics; float noise in the
        product is ignored, so 0.3 of 10 baskets means 3).
    algorithm : {"auto", "vertical", "fpgrowth", "apriori", "fpmax"}, default="auto"
        ``"fpgrowth"``, ``"apriori"``, ``"fpmax"``: mlxtend's miners on a sparse DataFrame
        (never a dense one-hot table), the reference. ``"fpmax"`` finds maximal itemsets only,
        so it needs ``kind="maximal"``. ``"vertical"``: crmmine's own engine (Eclat on bitsets
        over projected tid-lists, see :mod:`crmmine.crosssell._itemsets`), which finds exactly the
        itemsets mlxtend finds (tested on random baskets and on the full Online Retail data)
        in a fraction of the time (``benchmarks/README.md``); ``"auto"`` (the default) picks it.
    max_len : int or None, default=None
        Longest itemset mined.
    kind : {"all", "closed", "maximal"}, default="all"
        ``"closed"``: no proper superset has the same count (Pasquier et al. 1999);
        ``"maximal"``: no proper superset is frequent. With ``max_len``, supersets longer than
        ``max_len`` are not considered (as mlxtend's fpmax does).
    max_itemsets : int or None, default=1_000_000
        Work budget: mining stops with a :class:`~crmmine.errors.MiningBudgetError` (which
        suggests a higher ``min_support``, a ``max_len`` or dropping big baskets) as soon as
        more frequent itemsets turn up, instead of running out of memory: one basket of 262
        items bought twice holds 2^262 frequent itemsets. ``None``: no budget. The mlxtend
        engines are checked after they finish.

    Returns
    -------
    pandas.DataFrame
        One row per itemset, columns ``itemsets`` (frozenset of str), ``support`` (share of
        baskets), ``count`` (number of baskets), ``length``. Rows by length, then count
        (descending), then items. ``attrs`` holds ``n_transactions``, ``min_support``,
        ``min_count``, ``algorithm``, ``kind``.

    Raises
    ------
    ParameterError
        ``min_support`` outside (0, 1], an unknown ``algorithm`` or ``kind``, a bad ``max_len``.

    Examples
    --------
    >>> import crmmine
    >>> fi = crmmine.frequent_itemsets([["a", "b"], ["a", "b", "c"], ["a"]], min_support=0.6)
    >>> [sorted(s) for s in fi["itemsets"]], fi["count"].tolist()
    ([['a'], ['b'], ['a', 'b']], [3, 2, 2])
    """
    min_support = check_number("min_support", min_support, lo=0, hi=1, lo_open=True, hint="a share of orders, e.g. 0.01")
    algo = _algorithm(algorithm)
    max_len = check_int("max_len", max_len, lo=1, none_ok=True)
    max_itemsets = check_int("max_itemsets", max_itemsets, lo=1, none_ok=True)
    if kind not in _KINDS:
        raise ParameterError(f"The 'kind' parameter must be one of 'all', 'closed', 'maximal'. Got {kind!r} instead.")
    if algo == "fpmax" and kind != "maximal":
        raise ParameterError(
            f"The 'fpmax' algorithm finds maximal itemsets only; use kind='maximal' with it, or another algorithm "
            f"for kind={kind!r}."
        )
    b = as_baskets(data, min_support=min_support)
    n = b.n_orders
    minc = min_count(min_support, n)
    tab = _mine(b, minc, max_len, algo, max_itemsets, min_support)
    items = np.asarray(b.items, dtype=object)
    if algo == "fpmax":
        parts = [tab.maximal_by_len[k] for k in sorted(tab.maximal_by_len)]
    elif kind == "all":
        parts = list(zip(tab.codes, tab.counts))
    else:
        closed, maximal = closed_maximal_flags(tab)
        flags = closed if kind == "closed" else maximal
        parts = [(c[f], n_[f]) for c, n_, f in zip(tab.codes, tab.counts, flags)]
    df = _itemset_frame(items, parts, n)
    df.attrs.update(n_transactions=int(n), min_support=min_support, min_count=int(minc),
                    algorithm=algorithm, kind=kind)
    return df


# --------------------------------------------------------------------------------------
# rules: candidates, measures, improvement
# --------------------------------------------------------------------------------------


def _candidates(tab: ItemsetTable, single_consequent: bool, min_len: int):
    """Every rule A => C with A u C frequent, as padded code arrays and counts (vectorised per mask).

    For an itemset Z of length k, every subset (a bit mask over Z's columns) is looked up
    once; a rule's antecedent is one mask and its consequent the complementary mask.
    """
    L = max(tab.max_len, 1)
    parts = []  # (A codes, C codes, n_A, n_C, n_AC, gid of Z, gid of A)
    for k in range(1, tab.max_len + 1):
        Z = tab.codes[k - 1]
        cnt = tab.counts[k - 1]
        gid = np.arange(len(cnt), dtype=np.int64) + tab.offsets[k - 1]
        if min_len <= 1 and (k == 1 or not single_consequent):  # {} => Z, arules' minlen = 1
            parts.append((Z[:, :0], Z, np.full(len(cnt), tab.n, np.int64), cnt, cnt, gid,
                          np.full(len(cnt), -2, np.int64), gid))
        if k < 2:
            continue
        full = 2**k - 1
        masks = [m for m in range(1, full) if not single_consequent or bin(full ^ m).count("1") == 1]
        bits = {m: np.array([(m >> j) & 1 for j in range(k)], dtype=bool) for m in range(1, full)}
        idx = {}
        for m in set(masks) | {full ^ m for m in masks}:
            j = int(bits[m].sum())
            idx[m] = (tab.lookup(Z[:, bits[m]]), j)  # row in the table of length j
        for m in masks:
            (ia, ja), (ic, jc) = idx[m], idx[full ^ m]
            parts.append((Z[:, bits[m]], Z[:, bits[full ^ m]], tab.counts[ja - 1][ia], tab.counts[jc - 1][ic], cnt,
                          gid, ia + tab.offsets[ja - 1], ic + tab.offsets[jc - 1]))
    total = sum(len(p[4]) for p in parts)
    A = np.full((total, L), -1, dtype=np.int64)
    C = np.full((total, L), -1, dtype=np.int64)
    alen, clen, na, nc, nac, zg, ag, cg = (np.empty(total, np.int64) for _ in range(8))
    at = 0
    for a_codes, c_codes, n_a, n_c, n_ac, z_gid, a_gid, c_gid in parts:
        m = len(n_ac)
        sl = slice(at, at + m)
        A[sl, : a_codes.shape[1]] = a_codes
        C[sl, : c_codes.shape[1]] = c_codes
        alen[sl], clen[sl] = a_codes.shape[1], c_codes.shape[1]
        na[sl], nc[sl], nac[sl], zg[sl], ag[sl], cg[sl] = n_a, n_c, n_ac, z_gid, a_gid, c_gid
        at += m
    return dict(A=A, C=C, alen=alen, clen=clen, na=na, nc=nc, nac=nac, zg=zg, ag=ag, cg=cg)


def _measures(n_a, n_c, n_ac, N) -> dict:
    """All rule measures from the 2x2 contingency counts, vectorised (definitions in :func:`mine_rules`)."""
    n_a = n_a.astype(float)
    n_c = n_c.astype(float)
    n_ac = n_ac.astype(float)
    N = float(N)
    with np.errstate(divide="ignore", invalid="ignore"):
        s_a, s_c, s = n_a / N, n_c / N, n_ac / N
        conf = n_ac / n_a
        lift = n_ac * N / (n_a * n_c)
        leverage = s - s_a * s_c
        conviction = np.where(n_a == n_ac, np.inf, n_a * (N - n_c) / (N * (n_a - n_ac)))
        z_den = np.maximum(n_ac * (N - n_a), n_a * (n_c - n_ac))
        zhang = np.where(z_den == 0, 0.0, (N * n_ac - n_a * n_c) / z_den)
        jaccard = n_ac / (n_a + n_c - n_ac)
        certainty = np.where(n_c == N, 0.0, (conf - s_c) / (1.0 - s_c))
        kulc = 0.5 * (n_ac / n_a + n_ac / n_c)
        f11, f10, f01 = n_ac, n_a - n_ac, n_c - n_ac
        f00 = N - n_a - n_c + n_ac
        odds = (f11 * f00) / (f10 * f01)
    fisher = hypergeom_sf(n_ac, N, n_c, n_a) if len(n_ac) else np.zeros(0)
    return {
        "antecedent_support": s_a, "consequent_support": s_c, "support": s, "confidence": conf, "lift": lift,
        "leverage": leverage, "conviction": conviction, "zhangs_metric": zhang, "jaccard": jaccard,
        "certainty": certainty, "kulczynski": kulc, "odds_ratio": odds, "fisher_p": fisher,
    }


def _adjust(p: np.ndarray, method: str) -> np.ndarray:
    """Multiple-testing correction of p-values: Holm (1979) step-down, Benjamini-Hochberg, or Bonferroni."""
    m = len(p)
    if m == 0:
        return p.copy()
    if method == "bonferroni":
        return np.minimum(p * m, 1.0)
    order = np.argsort(p, kind="stable")
    ps = p[order]
    if method == "bh":  # p_(i) m / i, made monotone from the largest p down (Benjamini & Hochberg 1995)
        adj = np.minimum.accumulate((ps * m / np.arange(1, m + 1))[::-1])[::-1]
    else:  # Holm: (m - i + 1) p_(i), made monotone from the smallest p up
        adj = np.maximum.accumulate((m - np.arange(m)) * ps)
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out


def _improvement(tab: ItemsetTable, cand: dict, conf: np.ndarray):
    """(improvement, best confidence of a non-empty proper sub-rule) for every candidate rule.

    Bayardo et al. (2000), minimum improvement: imp(A => C) = conf(A => C) - max over proper subsets
    A' of A (the empty set included, conf({} => C) = supp(C)) of conf(A' => C). Computed by
    induction on |A|: the best sub-rule of A => C is the best of its immediate sub-rules
    A \\ {x} => C and of their own best sub-rules, all found in the candidate set.
    """
    R = len(conf)
    alen, clen = cand["alen"], cand["clen"]
    best_all = np.full(R, -np.inf)
    best_ne = np.full(R, -np.inf)
    one = alen == 1
    best_all[one] = cand["nc"][one] / tab.n
    has = cand["ag"] >= 0
    n_tot = len(tab) + 2
    keys = cand["zg"] * n_tot + cand["ag"]
    order = np.argsort(np.where(has, keys, -1), kind="stable")
    sorted_keys = np.where(has, keys, -1)[order]
    for a in range(2, int(alen.max(initial=0)) + 1):
        for c in np.unique(clen[alen == a]):
            sel = np.flatnonzero((alen == a) & (clen == c))
            A = cand["A"][sel, :a]
            C = cand["C"][sel, :c]
            for j in range(a):
                Ap = np.delete(A, j, axis=1)
                Zp = np.sort(np.hstack([Ap, C]), axis=1)
                key = tab.global_id(Zp) * n_tot + tab.global_id(Ap)
                pos = np.searchsorted(sorted_keys, key)
                r = order[np.minimum(pos, R - 1)]  # sub-rules always exist (subsets of frequent sets)
                best_ne[sel] = np.maximum(best_ne[sel], np.maximum(conf[r], best_ne[r]))
                best_all[sel] = np.maximum(best_all[sel], np.maximum(conf[r], best_all[r]))
    imp = np.where(alen == 0, np.nan, conf - best_all)
    return imp, best_ne


def _contains_any(codes: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    return np.isin(codes, wanted).any(axis=1) if len(wanted) else np.zeros(len(codes), bool)


def _codes_of(items: pd.Index, labels: frozenset | None):
    if labels is None:
        return None
    idx = items.get_indexer(pd.Index(sorted(labels), dtype="string"))
    return idx[idx >= 0].astype(np.int64)


def _sort_order(cols: dict, A: np.ndarray, C: np.ndarray, sort_by: str) -> np.ndarray:
    """Row order: ``sort_by`` (descending; p-values ascending), confidence, support, then items."""
    primary = cols[sort_by]
    primary = primary if sort_by in _ASCENDING else -primary
    keys = tuple(C.T[::-1]) + tuple(A.T[::-1]) + (-cols["support"], -cols["confidence"], primary)
    return np.lexsort(keys)


def mine_rules(
    data,
    *,
    min_support,
    min_confidence=0.8,
    min_lift=None,
    max_len=None,
    min_len=2,
    single_consequent=False,
    antecedent_contains=None,
    antecedent_excludes=None,
    consequent_contains=None,
    consequent_excludes=None,
    prune_redundant=False,
    max_rules=None,
    sort_by="lift",
    algorithm="auto",
    p_adjust="holm",
    max_itemsets=MAX_ITEMSETS,
) -> pd.DataFrame:
    """Association rules A => C with their counts and interest measures.

    A rule is generated from every frequent itemset Z (``count(Z) >= min_support * N``,
    inclusive) and every split of Z into a non-empty antecedent A and consequent C; it is
    kept when its confidence, lift and length meet the thresholds and the item constraints.

    Parameters
    ----------
    data : Baskets, pandas.DataFrame, CleanResult or iterable of baskets
        Anything :func:`~crmmine.make_baskets` accepts, or its result.
    min_support : float in (0, 1]
        Minimum support of A u C, relative and inclusive (see :func:`frequent_itemsets`).
    min_confidence : float in [0, 1], default=0.8
        Minimum confidence (inclusive), arules' ``conf``.
    min_lift : float or None, default=None
        Minimum lift (inclusive).
    max_len, min_len : int or None, int, default=None, 2
        Limits on the number of items of A u C (arules' ``maxlen``/``minlen``; note arules'
        default ``maxlen`` is 10, crmmine's is no limit). ``min_len=1`` also gives arules'
        empty-antecedent rules ``{} => C`` (confidence = supp(C)), for every frequent C (every
        frequent item with ``single_consequent=True``); the default 2 gives non-empty
        antecedents only.
    single_consequent : bool, default=False
        Only one item in C. ``mine_rules(b, min_support=s, min_confidence=c, max_len=M,
        min_len=m, single_consequent=True)`` gives exactly the rule set of R's
        ``arules::apriori(b, parameter=list(supp=s, conf=c, maxlen=M, minlen=m))``.
    antecedent_contains, antecedent_excludes, consequent_contains, consequent_excludes : item or collection of items, default=None
        Item constraints: keep rules whose antecedent (consequent) holds at least one of the
        items given (``*_contains``) / none of them (``*_excludes``). Unknown items simply
        match nothing.
    prune_redundant : bool, default=False
        Drop redundant rules (see :func:`prune_redundant_rules`): a rule is redundant when a
        more general rule (a proper, non-empty subset of its antecedent) with the same
        consequent has at least its confidence. Judged against every more general rule that
        meets the support threshold (these always meet the confidence, lift and length
        thresholds too, except ``min_len``), before the item constraints and ``max_rules``.
    max_rules : int or None, default=None
        Keep the first ``max_rules`` rules in ``sort_by`` order.
    sort_by : str, default="lift"
        A measure column; descending (ascending for the p-values), ties broken by confidence,
        support, then items, so the row order is deterministic.
    algorithm : str, default="auto"
        Itemset miner (see :func:`frequent_itemsets`; ``"fpmax"`` is not allowed here).
    max_itemsets : int or None, default=1_000_000
        Work budget (see :func:`frequent_itemsets`); the candidate rules, one per split of
        each frequent itemset, are held to twice this number.
    p_adjust : {"holm", "bh", "bonferroni"}, default="holm"
        Multiple-testing correction of ``fisher_p`` into ``fisher_p_adjusted``: Holm (1979),
        Benjamini-Hochberg (1995) or Bonferroni, over all rules tested, i.e. every rule
        generated from the frequent itemsets within ``max_len``/``min_len`` (before the
        confidence, lift, redundancy and item filters); their number is in
        ``attrs["n_rules_tested"]``.

    Returns
    -------
    pandas.DataFrame
        One row per rule, columns :data:`RULE_COLUMNS`, with counts ``n_A``, ``n_C``,
        ``n_AC`` and ``N`` baskets (supports ``s = n / N``):

        - ``antecedents``, ``consequents``: frozenset of str.
        - ``antecedent_count`` n_A, ``consequent_count`` n_C, ``count`` n_AC.
        - ``antecedent_support``, ``consequent_support``, ``support`` = n_AC / N [1].
        - ``confidence`` = n_AC / n_A [1]; ``lift`` = conf / s_C [2].
        - ``leverage`` = s_AC - s_A s_C (Piatetsky-Shapiro) [2].
        - ``conviction`` = (1 - s_C) / (1 - conf) [5]; ``inf`` when conf = 1.
        - ``zhangs_metric`` = (s_AC - s_A s_C) / max(s_AC (1 - s_A), s_A (s_C - s_AC)) [6];
          0 when the denominator is 0 (as mlxtend).
        - ``jaccard`` = s_AC / (s_A + s_C - s_AC) [2].
        - ``certainty`` = (conf - s_C) / (1 - s_C) [7]; 0 when s_C = 1 (as mlxtend).
        - ``kulczynski`` = (conf(A=>C) + conf(C=>A)) / 2 [3].
        - ``odds_ratio`` = f11 f00 / (f10 f01) from the 2x2 table [2, 3], no smoothing (arules'
          default); ``inf`` when f10 f01 = 0 < f11 f00, ``nan`` when both products are 0.
        - ``fisher_p``: one-sided Fisher exact test of positive association,
          P(X >= n_AC) for X ~ Hypergeometric(N, n_C, n_A), ``scipy.stats.hypergeom.sf(n_AC - 1,
          N, n_C, n_A)``, as arules' ``fishersExactTest`` (``phyper(n_AC - 1, n_C, N - n_C,
          n_A, lower.tail=FALSE)``) [8]; summed by crmmine's vectorised tail sum (relative
          error below 1e-8 against scipy).
        - ``fisher_p_adjusted``: ``fisher_p`` corrected with ``p_adjust`` (Holm by default) [9].
        - ``improvement`` = conf(A => C) - max conf(A' => C) over every proper subset A' of A,
          the empty set included (conf({} => C) = s_C) [4]; computed from counts, so it does not
          depend on which rules passed the thresholds (arules compares only with the rules in
          the set; the two agree when the set holds all sub-rules). ``nan`` for ``{} => C``.

        Non-finite values stay ``inf`` / ``nan`` (R arules reports them as NA).

        ``attrs``: ``n_transactions``, ``min_support``, ``min_count``, ``min_confidence``,
        ``min_lift``, ``max_len``, ``min_len``, ``n_itemsets``, ``n_rules_tested``,
        ``p_adjust``, ``algorithm``.

    Raises
    ------
    ParameterError
        A threshold out of range, an unknown ``algorithm``, ``sort_by`` or ``p_adjust``.
    InputError
        There are no baskets.

    See Also
    --------
    filter_rules : narrow a mined table without mining again.

    Examples
    --------
    >>> import crmmine
    >>> baskets = [["milk", "bread"], ["milk", "bread", "butter"], ["milk"], ["bread", "butter"]]
    >>> r = crmmine.mine_rules(baskets, min_support=0.5, min_confidence=0.6)
    >>> r[["antecedents", "consequents", "count", "confidence"]].to_dict("records")[0]
    {'antecedents': frozenset({'butter'}), 'consequents': frozenset({'bread'}), 'count': 2, 'confidence': 1.0}
    """
    min_support = check_number("min_support", min_support, lo=0, hi=1, lo_open=True, hint="a share of orders, e.g. 0.01")
    min_confidence = check_fraction("min_confidence", min_confidence)
    min_lift = check_number("min_lift", min_lift, lo=0, none_ok=True, hint="1 = independence")
    max_len = check_int("max_len", max_len, lo=1, none_ok=True)
    min_len = check_int("min_len", min_len, lo=1)
    max_rules = check_int("max_rules", max_rules, lo=1, none_ok=True)
    max_itemsets = check_int("max_itemsets", max_itemsets, lo=1, none_ok=True)
    algo = _algorithm(algorithm)
    if algo == "fpmax":
        raise ParameterError(
            "The 'algorithm' parameter cannot be 'fpmax' for rules: rules need every frequent itemset, fpmax finds "
            "only maximal ones. Use 'fpgrowth', 'apriori', 'vertical' or 'auto'."
        )
    if sort_by not in _SORTABLE:
        raise ParameterError(f"The 'sort_by' parameter must be a measure column ({', '.join(_SORTABLE)}). "
                             f"Got {sort_by!r} instead.")
    if p_adjust not in _P_ADJUST:
        raise ParameterError(f"The 'p_adjust' parameter must be one of 'holm', 'bh', 'bonferroni'. "
                             f"Got {p_adjust!r} instead.")
    constraints = {
        name: _check_items(name, v)
        for name, v in (("antecedent_contains", antecedent_contains), ("antecedent_excludes", antecedent_excludes),
                        ("consequent_contains", consequent_contains), ("consequent_excludes", consequent_excludes))
    }

    b = as_baskets(data, min_support=min_support)
    N = b.n_orders
    minc = min_count(min_support, N)
    tab = _mine(b, minc, max_len, algo, max_itemsets, min_support)
    if max_itemsets is not None:
        per_set = [(k if single_consequent else 2 ** k - 2) for k in range(1, tab.max_len + 1)]
        n_cand = sum(len(c) * m for c, m in zip(tab.counts, per_set))
        if n_cand > 2 * max_itemsets:
            raise _budget_error(b, "candidate rules", n_cand, 2 * max_itemsets, min_support, minc, max_len)
    cand = _candidates(tab, bool(single_consequent), min_len)
    cols = _measures(cand["na"], cand["nc"], cand["nac"], N)
    conf = cols["confidence"]
    imp, best_ne = _improvement(tab, cand, conf)
    length = cand["alen"] + cand["clen"]
    tested = length >= min_len
    cols["fisher_p_adjusted"] = np.full(len(conf), np.nan)
    cols["fisher_p_adjusted"][tested] = _adjust(cols["fisher_p"][tested], p_adjust)
    cols["improvement"] = imp

    keep = tested & (conf >= min_confidence)
    if min_lift is not None:
        keep &= cols["lift"] >= min_lift
    if prune_redundant:
        keep &= ~(best_ne >= conf)
    items = b.items
    for name, want in constraints.items():
        if want is None:
            continue
        codes = _codes_of(items, want)
        side = cand["A"] if name.startswith("antecedent") else cand["C"]
        hit = _contains_any(side, codes)
        keep &= hit if name.endswith("contains") else ~hit
    sel = np.flatnonzero(keep)
    cols_sel = {k: v[sel] for k, v in cols.items()}
    A, C = cand["A"][sel], cand["C"][sel]
    order = _sort_order(cols_sel, A, C, sort_by)
    if max_rules is not None:
        order = order[:max_rules]
    sel = sel[order]
    out = _rule_frame(tab, np.asarray(items, dtype=object), cand, sel, {k: v[order] for k, v in cols_sel.items()})
    out.attrs.update(
        n_transactions=int(N), min_support=min_support, min_count=int(minc), min_confidence=min_confidence,
        min_lift=min_lift, max_len=max_len, min_len=min_len, n_itemsets=len(tab),
        n_rules_tested=int(tested.sum()), p_adjust=p_adjust, algorithm=algorithm,
    )
    return out


def _frozensets(tab: ItemsetTable, items: np.ndarray, gids: np.ndarray) -> np.ndarray:
    """frozensets of labels for itemset global ids (-2: the empty set), each distinct itemset built once."""
    out = np.empty(len(gids), dtype=object)
    empty = gids < 0
    out[empty] = [frozenset()] * int(empty.sum())
    uniq, inv = np.unique(gids[~empty], return_inverse=True)
    sets = np.empty(len(uniq), dtype=object)
    for k in range(1, tab.max_len + 1):
        lo, hi = np.searchsorted(uniq, [tab.offsets[k - 1], tab.offsets[k]])
        if hi > lo:
            rows = uniq[lo:hi] - tab.offsets[k - 1]
            sets[lo:hi] = list(_frozensets_of_rows(items, tab.codes[k - 1][rows]))
    out[~empty] = sets[inv.reshape(-1)]
    return out


def _rule_frame(tab, items, cand, sel, cols) -> pd.DataFrame:
    data = {
        "antecedents": _frozensets(tab, items, cand["ag"][sel]),
        "consequents": _frozensets(tab, items, cand["cg"][sel]),
        "antecedent_count": cand["na"][sel].astype(np.int64),
        "consequent_count": cand["nc"][sel].astype(np.int64),
        "count": cand["nac"][sel].astype(np.int64),
    }
    for c in RULE_COLUMNS[5:]:
        data[c] = np.asarray(cols[c], dtype=float)
    df = pd.DataFrame(data, columns=list(RULE_COLUMNS))
    return df


# --------------------------------------------------------------------------------------
# working on a mined table
# --------------------------------------------------------------------------------------


def _check_rules(rules):
    if not isinstance(rules, pd.DataFrame):
        raise InputError(f"The 'rules' must be the DataFrame mine_rules returns. Got {type(rules).__name__} instead.")
    missing = [c for c in ("antecedents", "consequents", "count", "support", "confidence", "lift") if c not in rules]
    if missing:
        raise InputError(
            f"The rules table has no {missing[0]!r} column; give the DataFrame crmmine.mine_rules returns."
        )


def _padded_codes(sets: pd.Series, vocab: pd.Index):
    """Padded sorted code matrix (-1 padding) and lengths of a Series of frozensets."""
    lens = sets.map(len).to_numpy(dtype=np.int64)
    flat = pd.Index([x for s in sets for x in sorted(s)], dtype=object)
    codes = vocab.get_indexer(flat) if len(flat) else np.zeros(0, np.int64)
    width = int(lens.max(initial=0))
    M = np.full((len(lens), max(width, 1)), -1, dtype=np.int64)
    rows = np.repeat(np.arange(len(lens)), lens)
    cols = np.arange(len(flat)) - np.repeat(np.cumsum(lens) - lens, lens)
    M[rows, cols] = codes
    # rows sorted by code (labels were sorted as str; vocab is sorted the same way)
    return M, lens


def _row_lookup(table: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Index of each row of ``query`` in ``table`` (rows unique, small non-negative ints or -1), -1 when absent.

    Rows are numbered column by column: the number of a row's first j + 1 entries is the rank
    of (number of its first j entries, entry j) among all rows, so every step is a 1-D
    ``numpy.unique`` of int64 keys (no overflow, whatever the width).
    """
    if not len(query) or not len(table):
        return np.full(len(query), -1, dtype=np.int64)
    both = np.vstack([table, query]).astype(np.int64) + 1  # -1 padding -> 0
    width = int(both.max()) + 1
    ids = np.zeros(len(both), dtype=np.int64)
    for j in range(both.shape[1]):
        _, ids = np.unique(ids * width + both[:, j], return_inverse=True)
        ids = ids.reshape(-1)
    pos = np.full(int(ids.max()) + 1, -1, dtype=np.int64)
    pos[ids[: len(table)]] = np.arange(len(table))
    return pos[ids[len(table):]]


def prune_redundant_rules(rules: pd.DataFrame) -> pd.DataFrame:
    """Drop the rules a more general rule in the table already explains.

    A rule A => C is redundant when the table holds a more general rule A' => C (A' a proper,
    non-empty subset of A, same consequent) with at least its confidence, i.e. its
    improvement over the rules present is not positive (Bayardo et al. 2000; R arules'
    ``is.redundant``). Row order is kept.

    Parameters
    ----------
    rules : pandas.DataFrame
        A table from :func:`mine_rules` (or :func:`filter_rules`).

    Returns
    -------
    pandas.DataFrame
        The non-redundant rows, same columns and ``attrs``.

    Examples
    --------
    >>> import crmmine
    >>> baskets = [["a", "b", "c"], ["a", "c"], ["a", "b", "c"], ["b"]]
    >>> r = crmmine.mine_rules(baskets, min_support=0.25, min_confidence=0.5, consequent_contains="c")
    >>> len(r), len(crmmine.prune_redundant_rules(r))
    (5, 4)
    """
    _check_rules(rules)
    if len(rules) == 0:
        return rules.copy()
    vocab = pd.Index(sorted({x for s in rules["antecedents"] for x in s} | {x for s in rules["consequents"] for x in s}),
                     dtype=object)
    A, alen = _padded_codes(rules["antecedents"], vocab)
    C, clen = _padded_codes(rules["consequents"], vocab)
    La = A.shape[1]
    table = np.hstack([C, A])
    conf = rules["confidence"].to_numpy(dtype=float)
    redundant = np.zeros(len(rules), bool)
    for a in range(2, int(alen.max(initial=0)) + 1):
        sel = np.flatnonzero(alen == a)
        queries, owners = [], []
        for mask in range(1, 2**a - 1):  # every proper, non-empty subset of the antecedent, all masks at once
            bits = np.array([(mask >> j) & 1 for j in range(a)], dtype=bool)
            sub = np.full((len(sel), La), -1, dtype=np.int64)
            sub[:, : bits.sum()] = A[sel][:, :a][:, bits]
            queries.append(np.hstack([C[sel], sub]))
            owners.append(sel)
        owner = np.concatenate(owners)
        idx = _row_lookup(table, np.vstack(queries))
        found = idx >= 0
        hit = owner[found][conf[idx[found]] >= conf[owner[found]]]
        redundant[hit] = True
    out = rules.loc[~redundant].copy()
    out.attrs.update(rules.attrs)
    return out


def filter_rules(
    rules: pd.DataFrame,
    *,
    min_support=None,
    min_confidence=None,
    min_lift=None,
    max_len=None,
    min_len=None,
    single_consequent=False,
    antecedent_contains=None,
    antecedent_excludes=None,
    consequent_contains=None,
    consequent_excludes=None,
    prune_redundant=False,
    max_rules=None,
    sort_by=None,
) -> pd.DataFrame:
    """Narrow a mined rule table without mining again (for sliders: mine once at the lowest thresholds).

    Every option has :func:`mine_rules`' meaning; ``None`` leaves that aspect as it is.
    Filtering a table mined at lower thresholds gives the same rows as mining at the higher
    ones (tested), except ``fisher_p_adjusted``, which stays corrected over the rules tested
    when mining, and ``prune_redundant``, which here compares with the rules in the table.

    Parameters
    ----------
    rules : pandas.DataFrame
        A table from :func:`mine_rules`.
    min_support, min_confidence, min_lift, max_len, min_len, single_consequent,
    antecedent_contains, antecedent_excludes, consequent_contains, consequent_excludes,
    prune_redundant, max_rules
        As in :func:`mine_rules`. ``min_support`` compares counts with
        ``attrs["n_transactions"]`` (inclusive, arules' semantics).
    sort_by : str or None, default=None
        Re-sort by this measure (descending, p-values ascending; stable, so ties keep their
        order); None keeps the order.

    Returns
    -------
    pandas.DataFrame
        The rows kept, same columns; ``attrs`` copied and updated with the thresholds.

    Examples
    --------
    >>> import crmmine
    >>> baskets = [["milk", "bread"], ["milk", "bread", "butter"], ["milk"], ["bread", "butter"]]
    >>> r = crmmine.mine_rules(baskets, min_support=0.25, min_confidence=0.0)
    >>> len(r), len(crmmine.filter_rules(r, min_support=0.5, min_confidence=0.6))
    (12, 4)
    """
    _check_rules(rules)
    min_support = check_number("min_support", min_support, lo=0, hi=1, lo_open=True, none_ok=True, hint="a share of orders, e.g. 0.01")
    min_confidence = check_fraction("min_confidence", min_confidence, none_ok=True)
    min_lift = check_number("min_lift", min_lift, lo=0, none_ok=True, hint="1 = independence")
    max_len = check_int("max_len", max_len, lo=1, none_ok=True)
    min_len = check_int("min_len", min_len, lo=1, none_ok=True)
    max_rules = check_int("max_rules", max_rules, lo=1, none_ok=True)
    if sort_by is not None and (sort_by not in _SORTABLE or sort_by not in rules):
        raise ParameterError(f"The 'sort_by' parameter must be a measure column ({', '.join(_SORTABLE)}) or None. "
                             f"Got {sort_by!r} instead.")
    keep = np.ones(len(rules), bool)
    if min_support is not None:
        n = rules.attrs.get("n_transactions")
        if n:
            keep &= rules["count"].to_numpy() >= min_count(min_support, int(n))
        else:
            keep &= rules["support"].to_numpy() >= min_support - 1e-12
    if min_confidence is not None:
        keep &= rules["confidence"].to_numpy() >= min_confidence
    if min_lift is not None:
        keep &= rules["lift"].to_numpy() >= min_lift
    if max_len is not None or min_len is not None or single_consequent:
        alen = rules["antecedents"].map(len).to_numpy()
        clen = rules["consequents"].map(len).to_numpy()
        if max_len is not None:
            keep &= alen + clen <= max_len
        if min_len is not None:
            keep &= alen + clen >= min_len
        if single_consequent:
            keep &= clen == 1
    for name, v, col in (
        ("antecedent_contains", antecedent_contains, "antecedents"),
        ("antecedent_excludes", antecedent_excludes, "antecedents"),
        ("consequent_contains", consequent_contains, "consequents"),
        ("consequent_excludes", consequent_excludes, "consequents"),
    ):
        want = _check_items(name, v)
        if want is None:
            continue
        hit = rules[col].map(lambda s: not want.isdisjoint(s)).to_numpy(dtype=bool)
        keep &= hit if name.endswith("contains") else ~hit
    out = rules.loc[keep]
    if prune_redundant:
        out = prune_redundant_rules(out)
    if sort_by is not None:
        out = out.sort_values(sort_by, ascending=sort_by in _ASCENDING, kind="stable")
    if max_rules is not None:
        out = out.head(max_rules)
    out = out.copy()
    out.attrs.update(rules.attrs)
    out.attrs.update({k: v for k, v in (("min_support", min_support), ("min_confidence", min_confidence),
                                        ("min_lift", min_lift), ("max_len", max_len)) if v is not None})
    return out


# --------------------------------------------------------------------------------------
# text for reports
# --------------------------------------------------------------------------------------


def _side_text(s: frozenset, names) -> str:
    labels = sorted(s)
    if names is not None:
        labels = [str(names.get(x, x)) if not pd.isna(names.get(x, x)) else x for x in labels]
    return "{" + ", ".join(labels) + "}"


def rule_labels(rules: pd.DataFrame, *, names=None) -> pd.Series:
    """One readable string per rule, ``{A, B} => {C}``, for tables, hover text and reports.

    Parameters
    ----------
    rules : pandas.DataFrame
        A table from :func:`mine_rules`.
    names : pandas.Series, dict or None, default=None
        ``item -> display name`` (e.g. ``Baskets.item_names``); items without a name keep
        their label.

    Returns
    -------
    pandas.Series of str, same index as ``rules``, name ``rule``.

    Examples
    --------
    >>> import crmmine
    >>> r = crmmine.mine_rules([["a", "b"], ["a", "b"], ["a"]], min_support=0.5, min_confidence=0.6)
    >>> crmmine.rule_labels(r, names={"a": "Apples"}).tolist()
    ['{b} => {Apples}', '{Apples} => {b}']
    """
    _check_rules(rules)
    if isinstance(names, dict):
        names = pd.Series(names, dtype=object)
    text = [f"{_side_text(a, names)} => {_side_text(c, names)}" for a, c in zip(rules["antecedents"], rules["consequents"])]
    return pd.Series(text, index=rules.index, name="rule", dtype=object)


def summarise_rules(rules: pd.DataFrame, *, names=None, lang: str | None = None) -> str:
    """The one-sentence finding of a rule table, in English or Chinese (for report sections).

    Counts and thresholds come from ``rules.attrs`` (set by :func:`mine_rules`); the
    strongest rule is the one with the highest lift.

    Parameters
    ----------
    rules : pandas.DataFrame
        A table from :func:`mine_rules` (or :func:`filter_rules`).
    names : pandas.Series, dict or None, default=None
        ``item -> display name`` for the rule quoted (e.g. ``Baskets.item_names``).
    lang : {"en", "zh"} or None, default=None
        Language; ``None`` uses :func:`crmmine.text.labels.get_language`.

    Returns
    -------
    str

    Examples
    --------
    >>> import crmmine
    >>> r = crmmine.mine_rules([["a", "b"], ["a", "b"], ["a"], ["c"]], min_support=0.5, min_confidence=0.6)
    >>> print(crmmine.summarise_rules(r))  # doctest: +NORMALIZE_WHITESPACE
    2 rules come from 3 frequent itemsets in 4 orders (support at least 50.0%, confidence at least 60%); the
    strongest by lift is b → a: lift 1.33, confidence 100%, in 2 orders.
    """
    from ..text.labels import label

    _check_rules(rules)
    a = rules.attrs
    n_orders = int(a.get("n_transactions", 0))
    fmt = {
        "n_orders": f"{n_orders:,}",
        "support": f"{a.get('min_support', float('nan')):.1%}",
        "confidence": f"{a.get('min_confidence', float('nan')):.0%}",
    }
    if len(rules) == 0:
        return label("rules.finding_none", lang, **fmt)
    best = rules.loc[rules["lift"].idxmax()]
    if isinstance(names, dict):
        names = pd.Series(names, dtype=object)

    def side(items) -> str:  # "NAME (code) + NAME (code)": words, not set notation
        out = []
        for x in sorted(items):
            name = names.get(x) if names is not None else None
            out.append(f"{name} ({x})" if isinstance(name, str) and name and name != x else str(x))
        return " + ".join(out)

    rule = f"{side(best['antecedents'])} → {side(best['consequents'])}"
    return label(
        "rules.finding", lang, n_rules=f"{len(rules):,}", n_itemsets=f"{int(a.get('n_itemsets', 0)):,}", rule=rule,
        lift=f"{best['lift']:.2f}", rule_confidence=f"{best['confidence']:.0%}", count=f"{int(best['count']):,}", **fmt,
    )
