"""Evaluating recommendations on a time split, against a most-popular baseline.

Mine rules on the purchases before a cutoff, recommend to the customers active before it,
and look at what they bought after it. The same customers also get the most-popular
baseline (the top-N items most often bought before the cutoff that they have not bought),
so the rules are judged against the simplest thing that could work.

Metrics, over the evaluated customers *U* (bought before the cutoff, and bought at least
one item new to them in the test window), with ``Rec_u`` the top-K list and ``R_u`` the
items customer *u* bought in the window but not before the cutoff:

* ``hit_rate``  = share of *U* with ``|Rec_u ∩ R_u| >= 1`` (Deshpande & Karypis 2004, "hit-rate");
* ``precision_at_k`` = mean of ``|Rec_u ∩ R_u| / K`` (Sarwar et al. 2000; K fixed,
  so a short list is not rewarded);
* ``recall_at_k`` = mean of ``|Rec_u ∩ R_u| / |R_u|`` (same source);
* ``coverage`` = share of *U* who get at least one recommendation;
* ``catalog_coverage`` = distinct items recommended / distinct items bought before the cutoff
  (Herlocker et al. 2004, "coverage").

References
----------
.. [1] M. Deshpande, G. Karypis (2004), "Item-based top-N recommendation algorithms",
   ACM Transactions on Information Systems 22(1), 143-177.
.. [2] B. Sarwar, G. Karypis, J. Konstan, J. Riedl (2000), "Analysis of recommendation
   algorithms for e-commerce", ACM EC'00, 158-167.
.. [3] J. Herlocker, J. Konstan, L. Terveen, J. Riedl (2004), "Evaluating collaborative
   filtering recommender systems", ACM Transactions on Information Systems 22(1), 5-53.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import InputError, MissingColumnError, ParameterError
from ..validation import check_choice, check_int
from ..text.labels import label
from ..validation import check_date
from .recommend import (
    _check_customers,
    _level_column,
    recommend,
)
from ..data.schema import STRING_DTYPE

__all__ = [
    "evaluate_recommendations",
    "recommend_popular",
    "RecommendationEvaluation",
    "EVALUATION_COLUMNS",
    "default_cutoff",
    "summarise_evaluation",
]

#: Columns of :attr:`RecommendationEvaluation.table`.
EVALUATION_COLUMNS: tuple[str, ...] = (
    "recommender", "k", "n_customers", "coverage", "catalog_coverage", "hit_rate", "precision_at_k", "recall_at_k",
)
_METRICS = ("hit_rate", "precision_at_k", "recall_at_k")
#: Default length of the test window when the cutoff is automatic (about three months).
DEFAULT_TEST_DAYS = 90


@dataclass
class RecommendationEvaluation:
    """What :func:`evaluate_recommendations` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        Two rows, ``recommender`` = ``"rules"`` and ``"popular"`` (the baseline), columns
        :data:`EVALUATION_COLUMNS`.
    lift : pandas.Series
        ``hit_rate``, ``precision_at_k``, ``recall_at_k`` of the rules divided by the
        baseline's (NaN where the baseline's is 0): above 1, the rules do better.
    per_customer : pandas.DataFrame
        One row per evaluated customer: ``customer_id``, ``n_new_items`` (``|R_u|``),
        ``rules_recommended``, ``rules_hits``, ``popular_recommended``, ``popular_hits``.
    rules : pandas.DataFrame
        The rules mined on the purchases before the cutoff.
    recommendations, baseline : pandas.DataFrame
        The rules' and the baseline's top-K lists for the evaluated customers.
    cutoff, test_end : pandas.Timestamp
        The test window is ``[cutoff, test_end)``.
    params : dict
        The options of the run.
    """

    table: pd.DataFrame
    lift: pd.Series
    per_customer: pd.DataFrame
    rules: pd.DataFrame
    recommendations: pd.DataFrame
    baseline: pd.DataFrame
    cutoff: pd.Timestamp
    test_end: pd.Timestamp
    params: dict = field(default_factory=dict)

    def finding(self, lang: str | None = None) -> str:
        """One sentence comparing the rules with the baseline, whatever the result."""
        return summarise_evaluation(self, lang=lang)

    def __repr__(self) -> str:
        r = self.table.set_index("recommender")
        return (
            f"RecommendationEvaluation(cutoff={self.cutoff.date()}, n_customers={int(r.loc['rules', 'n_customers'])}, "
            f"hit_rate rules={r.loc['rules', 'hit_rate']:.3f} vs popular={r.loc['popular', 'hit_rate']:.3f})"
        )


def default_cutoff(tx: pd.DataFrame, *, test_days: int = DEFAULT_TEST_DAYS) -> pd.Timestamp:
    """The automatic cutoff: midnight ``test_days`` days before the last ``order_date``."""
    if "order_date" not in tx.columns or tx["order_date"].notna().sum() == 0:
        raise MissingColumnError("The transactions have no 'order_date' values; pass the canonical table.")
    return (tx["order_date"].max() - pd.Timedelta(days=test_days)).normalize()


def _purchases(tx: pd.DataFrame, item_col: str) -> pd.DataFrame:
    mask = tx["customer_id"].notna().to_numpy() & tx[item_col].notna().to_numpy() & tx["order_date"].notna().to_numpy()
    if "quantity" in tx.columns:
        mask = mask & (tx["quantity"] > 0).to_numpy()
    return tx.loc[mask]


def recommend_popular(
    tx: pd.DataFrame,
    *,
    top_n: int = 5,
    customers=None,
    exclude_purchased: bool = True,
    as_of=None,
    level: str = "product",
) -> pd.DataFrame:
    """The most-popular baseline: the ``top_n`` items in most orders that a customer has not bought.

    Popularity is the number of distinct orders containing the item (its support count),
    counted on purchases before ``as_of``; ties go to the smaller item id.

    Parameters
    ----------
    tx : pandas.DataFrame
        Canonical transactions.
    top_n : int, default=5
        Items per customer.
    customers : list of str or None, default=None
        Customers to recommend to; ``None`` means every customer with a purchase before ``as_of``.
    exclude_purchased : bool, default=True
        Skip items the customer already bought (before ``as_of``).
    as_of : date-like or None, default=None
        Only purchases strictly before this date count.
    level : {"product", "category"}, default="product"
        Item column.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``rank`` (1 = best), ``product_id`` (``category`` at that level) and
        ``score`` (the item's order count), sorted by customer then rank.
    """
    top_n = check_int("top_n", top_n, lo=1)
    as_of = check_date("as_of", as_of)
    item_col = _level_column(level, tx)
    p = _purchases(tx, item_col)
    if as_of is not None:
        p = p[p["order_date"] < as_of]
    counts = p[["order_id", item_col]].drop_duplicates()[item_col].astype(str).value_counts()
    pop = counts.rename_axis("item").reset_index(name="n").sort_values(["n", "item"], ascending=[False, True])
    pop_items = pop["item"].to_numpy(dtype=object)
    pop_n = pop["n"].to_numpy(dtype=float)
    if customers is None:
        cust = np.sort(p["customer_id"].astype(str).unique())
    else:
        cust = _check_customers(customers)
    cust = np.asarray(cust, dtype=object)
    if exclude_purchased:
        owned = p[["customer_id", item_col]].drop_duplicates()
        oc = pd.Index(cust).get_indexer(owned["customer_id"].astype(str).to_numpy())
        oi = pd.Index(pop_items).get_indexer(owned[item_col].astype(str).to_numpy())
        ok = (oc >= 0) & (oi >= 0)
        H = sp.csc_matrix((np.ones(ok.sum(), dtype=bool), (oc[ok], oi[ok])), shape=(cust.size, pop_items.size))
    else:
        H = sp.csc_matrix((cust.size, pop_items.size), dtype=bool)
    # walk the popularity list in growing windows until every customer has top_n items (or the list ends)
    rows_c, rows_i, rows_r = [], [], []
    todo = np.arange(cust.size)
    width = min(pop_items.size, 4 * top_n)
    lo = 0
    got = np.zeros(cust.size, dtype=np.int64)
    while todo.size and lo < pop_items.size:
        hi = min(pop_items.size, lo + width)
        avail = ~H[todo][:, lo:hi].toarray()
        rank = got[todo][:, None] + np.cumsum(avail, axis=1)
        take = avail & (rank <= top_n)
        r, c = np.nonzero(take)
        rows_c.append(todo[r])
        rows_i.append(lo + c)
        rows_r.append(rank[r, c])
        got[todo] = np.minimum(rank[:, -1], top_n)
        todo = todo[got[todo] < top_n]
        lo, width = hi, width * 2
    if rows_c:
        rc, ri, rr = np.concatenate(rows_c), np.concatenate(rows_i), np.concatenate(rows_r)
    else:
        rc = ri = rr = np.zeros(0, dtype=np.int64)
    o = np.lexsort((rr, rc))
    rc, ri, rr = rc[o], ri[o], rr[o]
    return pd.DataFrame(
        {
            "customer_id": pd.array(cust[rc], dtype=STRING_DTYPE),
            "rank": rr.astype("int64"),
            item_col: pd.array(pop_items[ri], dtype=STRING_DTYPE),
            "score": pop_n[ri],
        }
    )


def _hits(recs: pd.DataFrame, relevant: pd.DataFrame, customers: pd.Index, item_col: str) -> tuple[np.ndarray, np.ndarray]:
    """Per evaluated customer: number of recommendations and of hits (input already validated)."""
    rc = customers.get_indexer(recs["customer_id"].astype(str).to_numpy())
    keep = rc >= 0
    n_rec = np.bincount(rc[keep], minlength=len(customers))
    key_rel = pd.MultiIndex.from_arrays([relevant["customer_id"].astype(str), relevant[item_col].astype(str)])
    key_rec = pd.MultiIndex.from_arrays([recs["customer_id"].astype(str), recs[item_col].astype(str)])
    hit = key_rec.isin(key_rel) & keep
    n_hit = np.bincount(rc[hit], minlength=len(customers))
    return n_rec, n_hit


def _mine(train: pd.DataFrame, *, min_support, min_confidence, min_lift, max_len, level) -> pd.DataFrame:
    from .basket import make_baskets
    from .rules import mine_rules

    return mine_rules(make_baskets(train, level=level), min_support=min_support, min_confidence=min_confidence,
                      min_lift=min_lift, max_len=max_len)


def evaluate_recommendations(
    tx: pd.DataFrame,
    *,
    cutoff=None,
    min_support: float,
    min_confidence: float = 0.1,
    min_lift: float | None = None,
    max_len: int | None = None,
    top_n: int = 5,
    horizon_days: int | None = None,
    level: str = "product",
    score: str = "confidence",
) -> RecommendationEvaluation:
    """Rules recommender vs most-popular baseline on a time split.

    1. Mine rules (:func:`crmmine.mine_rules`) on the orders strictly before ``cutoff``.
    2. Recommend ``top_n`` items to every customer who bought before the cutoff, with the
       rules (:func:`crmmine.recommend`, history before the cutoff, already-bought items
       excluded) and with the baseline (:func:`recommend_popular`).
    3. Measure both on the same customers: those who, in ``[cutoff, cutoff + horizon_days)``,
       bought at least one item they had not bought before (the only items either
       recommender may propose). A customer who got no rule recommendation counts with
       zero hits. Metric definitions and sources are in :mod:`crmmine.crosssell.evaluate`.

    Parameters
    ----------
    tx : pandas.DataFrame
        Canonical clean transactions (e.g. ``crmmine.load_clean(...).transactions``).
    cutoff : date-like or None, default=None
        Start of the test window; ``None`` = :func:`default_cutoff` (90 days before the end).
    min_support, min_confidence, min_lift, max_len
        Passed to :func:`crmmine.mine_rules`. ``min_confidence`` defaults lower than for
        mining (0.1) because a recommender needs rules for many customers.
    top_n : int, default=5
        K, the length of each list.
    horizon_days : int or None, default=None
        Length of the test window in days; ``None`` = to the end of the data.
    level : {"product", "category"}, default="product"
        Item level.
    score : {"confidence", "lift"}, default="confidence"
        How the rules recommender ranks items (see :func:`crmmine.recommend`).

    Returns
    -------
    RecommendationEvaluation
        ``.table`` (one row per recommender), ``.lift`` (rules / baseline per metric),
        ``.finding()`` (one sentence) and the material behind them.

    Raises
    ------
    ParameterError
        When the cutoff leaves no purchase before or after it, or an option is invalid.

    Examples
    --------
    >>> import crmmine
    >>> tx = crmmine.load_clean("sample").transactions
    >>> ev = crmmine.evaluate_recommendations(tx, cutoff="2011-09-01", min_support=0.02)  # doctest: +SKIP
    >>> ev.table  # doctest: +SKIP
    """
    if not isinstance(tx, pd.DataFrame):
        raise ParameterError(f"The 'tx' parameter must be a pandas DataFrame. Got {type(tx).__name__} instead.")
    top_n = check_int("top_n", top_n, lo=1)
    score = check_choice("score", score, ("confidence", "lift"))
    item_col = _level_column(level, tx)
    for col in ("customer_id", "order_id", "order_date"):
        if col not in tx.columns:
            raise MissingColumnError(
                f"The transactions lack the column {col!r}; pass the canonical table "
                "(crmmine.load_clean(...).transactions)."
            )
    if horizon_days is not None and (
        isinstance(horizon_days, bool) or not isinstance(horizon_days, (int, np.integer)) or horizon_days < 1
    ):
        raise ParameterError(f"The 'horizon_days' parameter must be a positive integer or None. Got {horizon_days!r} instead.")
    p = _purchases(tx, item_col)
    if p.empty:
        raise InputError("The transactions hold no purchase (quantity > 0 with a customer and a date) to evaluate on.")
    if cutoff is None:
        cutoff = default_cutoff(p)
    else:
        cutoff = check_date("cutoff", cutoff)
    first, last = p["order_date"].min(), p["order_date"].max()
    if not first < cutoff <= last:
        raise ParameterError(
            f"The 'cutoff' parameter must fall inside the data ({first.date()} to {last.date()}) so that there are "
            f"purchases before and after it. Got {cutoff.date()} instead."
        )
    test_end = last + pd.Timedelta(seconds=1) if horizon_days is None else cutoff + pd.Timedelta(days=int(horizon_days))
    train = p[p["order_date"] < cutoff]
    test = p[(p["order_date"] >= cutoff) & (p["order_date"] < test_end)]

    rules = _mine(train, min_support=min_support, min_confidence=min_confidence, min_lift=min_lift,
                  max_len=max_len, level=level)

    # relevant items: bought in the window, not bought before the cutoff
    before = train[["customer_id", item_col]].astype(str).drop_duplicates()
    after = test[["customer_id", item_col]].astype(str).drop_duplicates()
    after = after[after["customer_id"].isin(before["customer_id"])]
    seen = pd.MultiIndex.from_frame(before)
    relevant = after[~pd.MultiIndex.from_frame(after).isin(seen)]
    customers = pd.Index(np.sort(relevant["customer_id"].unique()), dtype=object)
    if len(customers) == 0:
        raise ParameterError(
            f"No customer who bought before the cutoff {cutoff.date()} bought a new item in the test window; "
            "move the 'cutoff' earlier or widen 'horizon_days'."
        )
    n_new = np.bincount(customers.get_indexer(relevant["customer_id"].to_numpy()), minlength=len(customers))

    recs = recommend(train, rules, top_n=top_n, customers=customers, as_of=None, score=score, level=level)
    base = recommend_popular(train, top_n=top_n, customers=customers, level=level)
    rows, per = [], {"customer_id": pd.array(customers.to_numpy(), dtype=STRING_DTYPE), "n_new_items": n_new}
    n_train_items = train[item_col].nunique()
    for name, table in (("rules", recs), ("popular", base)):
        n_rec, n_hit = _hits(table, relevant, customers, item_col)
        per[f"{name}_recommended"] = n_rec
        per[f"{name}_hits"] = n_hit
        rows.append(
            {
                "recommender": name,
                "k": top_n,
                "n_customers": len(customers),
                "coverage": float(np.mean(n_rec > 0)),
                "catalog_coverage": table[item_col].nunique() / n_train_items if n_train_items else 0.0,
                "hit_rate": float(np.mean(n_hit > 0)),
                "precision_at_k": float(np.mean(n_hit / top_n)),
                "recall_at_k": float(np.mean(n_hit / n_new)),
            }
        )
    table = pd.DataFrame(rows, columns=list(EVALUATION_COLUMNS))
    table["recommender"] = table["recommender"].astype(STRING_DTYPE)
    r, b = table.iloc[0], table.iloc[1]
    lift = pd.Series({m: (r[m] / b[m] if b[m] > 0 else np.nan) for m in _METRICS}, name="lift_over_baseline",
                     dtype="float64")
    return RecommendationEvaluation(
        table=table,
        lift=lift,
        per_customer=pd.DataFrame(per),
        rules=rules,
        recommendations=recs,
        baseline=base,
        cutoff=cutoff,
        test_end=test_end,
        params={"min_support": min_support, "min_confidence": min_confidence, "min_lift": min_lift,
                "max_len": max_len, "top_n": top_n, "horizon_days": horizon_days, "level": level, "score": score},
    )


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def summarise_evaluation(evaluation: RecommendationEvaluation, *, lang: str | None = None) -> str:
    """One sentence comparing the rules with the most-popular baseline, stated as it is.

    The verb ("beat", "did worse than", "matched") is chosen from the hit rates, so the
    sentence is honest whatever the outcome.
    """
    t = evaluation.table.set_index("recommender")
    r, b = t.loc["rules"], t.loc["popular"]
    diff = r["hit_rate"] - b["hit_rate"]
    # within half a percentage point counts as a tie
    verdict = "better" if diff > 0.005 else "worse" if diff < -0.005 else "same"
    return label(
        f"reco.finding.evaluation_{verdict}",
        lang=lang,
        n=f"{int(r['n_customers']):,}",
        cutoff=str(evaluation.cutoff.date()),
        k=int(r["k"]),
        rules_hit=_pct(r["hit_rate"]),
        popular_hit=_pct(b["hit_rate"]),
        rules_prec=_pct(r["precision_at_k"]),
        popular_prec=_pct(b["precision_at_k"]),
        coverage=_pct(r["coverage"]),
    )
