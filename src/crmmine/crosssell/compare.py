"""Comparing recommenders like R's recommenderlab: curves over the list length, repeated time splits.

For each cutoff *t* (several, e.g. a month apart), every recommender sees only the purchases
before *t* and recommends a list of ``max(ks)`` items to every customer who bought before
*t*; the lists are judged on what those customers bought in ``[t, t + horizon_days)``. All
recommenders are judged on the same customers: those with at least one *relevant* item in
the window, where relevant means new to the customer (``exclude_purchased=True``, cross-
selling) or any item bought (``exclude_purchased=False``, repeat purchases count). For each
list length K = 1..20 (recommenderlab's "topNList" curves, Hahsler 2022):

* ``hit_rate``: share of customers with at least one relevant item in the first K
  (Deshpande & Karypis 2004);
* ``precision``: mean of hits / K; ``recall``: mean of hits / relevant items (Sarwar et
  al. 2000; Herlocker et al. 2004);
* ``coverage``: share of customers who get at least one item; ``catalog_coverage``: distinct
  items recommended / items bought before the cutoff (Herlocker et al. 2004).

The "most popular" and "random" baselines run on the same split. The best recommender is the
one with the highest mean hit rate at ``choice_k`` over the cutoffs; when no personal
recommender beats the most popular items on that mean, the most popular items are chosen,
and the sentence says so.

References
----------
.. [1] M. Hahsler (2022), "recommenderlab: an R framework for developing and testing recommendation
   algorithms", arXiv:2205.12371 (evaluation schemes, topNList, ROC/precision-recall curves).
.. [2] M. Deshpande, G. Karypis (2004), "Item-based top-N recommendation algorithms", ACM TOIS 22(1).
.. [3] J. Herlocker, J. Konstan, L. Terveen, J. Riedl (2004), "Evaluating collaborative filtering
   recommender systems", ACM TOIS 22(1), 5-53.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.schema import STRING_DTYPE
from ..errors import InputError, ParameterError
from ..text.labels import label
from ..validation import check_date, check_int
from .recommend import _level_column
from .recommenders import RECOMMENDERS, _check_bool, recommend_with

__all__ = ["compare_recommenders", "RecommenderComparison", "COMPARISON_COLUMNS", "summarise_comparison"]

#: Columns of :attr:`RecommenderComparison.curves`.
COMPARISON_COLUMNS: tuple[str, ...] = (
    "recommender", "cutoff", "k", "n_customers", "hit_rate", "precision", "recall", "coverage", "catalog_coverage",
)
_METRICS = ("hit_rate", "precision", "recall", "coverage", "catalog_coverage")
_BASELINES = ("popular", "random")


@dataclass
class RecommenderComparison:
    """What :func:`compare_recommenders` returns.

    Attributes
    ----------
    curves : pandas.DataFrame
        One row per (recommender, cutoff, k): :data:`COMPARISON_COLUMNS`.
    summary : pandas.DataFrame
        One row per recommender at ``k = choice_k``: the mean of each metric over the cutoffs,
        ``cutoffs_beating_popular`` (cutoffs where its hit rate is above the most popular
        items') and ``chosen`` (bool); sorted by mean hit rate, best first.
    best : str
        The chosen recommender (a name of :data:`crmmine.RECOMMENDERS`).
    choice_k : int
        List length at which the choice is made.
    cutoffs : list of pandas.Timestamp
    params : dict
        Options of the run (``exclude_purchased``, ``horizon_days``, ``level`` ...).
    """

    curves: pd.DataFrame
    summary: pd.DataFrame
    best: str
    choice_k: int
    cutoffs: list
    params: dict = field(default_factory=dict)

    def finding(self, lang: str | None = None) -> str:
        """One sentence: which recommender is used and how it compares with the most popular items."""
        return summarise_comparison(self, lang=lang)

    def mean_curves(self) -> pd.DataFrame:
        """Each metric averaged over the cutoffs: one row per (recommender, k)."""
        return (self.curves.groupby(["recommender", "k"], sort=False, observed=True)[list(_METRICS)].mean()
                .reset_index())

    def recommend(self, tx: pd.DataFrame, *, rules: pd.DataFrame | None = None, top_n: int = 5, customers=None,
                  as_of=None, lang: str | None = None) -> pd.DataFrame:
        """Recommend with the chosen recommender (same options as compared): see :func:`crmmine.recommend_with`."""
        p = self.params
        return recommend_with(self.best, tx, rules=rules, top_n=top_n, customers=customers,
                              exclude_purchased=p["exclude_purchased"], as_of=as_of, level=p["level"],
                              random_state=p["random_state"], lang=lang, **p["options"].get(self.best, {}))

    def __repr__(self) -> str:
        s = self.summary.set_index("recommender")["hit_rate"]
        return (f"RecommenderComparison(best={self.best!r}, k={self.choice_k}, cutoffs={len(self.cutoffs)}, "
                f"hit_rate={', '.join(f'{k}={v:.3f}' for k, v in s.items())})")


def _default_cutoffs(last: pd.Timestamp, horizon_days: int, n_cutoffs: int, step_days: int) -> list[pd.Timestamp]:
    end = (last + pd.Timedelta(seconds=1)).normalize() if last.normalize() != last else last
    first = end - pd.Timedelta(days=horizon_days)
    return [first - pd.Timedelta(days=step_days * i) for i in range(n_cutoffs)][::-1]


def compare_recommenders(
    tx: pd.DataFrame,
    *,
    cutoffs=None,
    n_cutoffs: int = 3,
    step_days: int = 30,
    horizon_days: int = 90,
    ks=range(1, 21),
    recommenders=None,
    exclude_purchased: bool = True,
    level: str = "product",
    min_support: float | None = None,
    min_confidence: float = 0.1,
    choice_k: int | None = None,
    random_state=0,
    options: dict | None = None,
) -> RecommenderComparison:
    """Every recommender against "most popular" and "random" on the same time splits, at K = 1..20.

    Parameters
    ----------
    tx : pandas.DataFrame
        Canonical clean transactions.
    cutoffs : list of date-like or None, default=None
        Starts of the test windows. ``None``: ``n_cutoffs`` cutoffs ``step_days`` apart, the
        last one ``horizon_days`` before the end of the data.
    n_cutoffs, step_days : int, default=3, 30
        The automatic cutoffs.
    horizon_days : int, default=90
        Length of each test window.
    ks : iterable of int, default=range(1, 21)
        List lengths of the curves.
    recommenders : list of str or None, default=None
        Names from :data:`crmmine.RECOMMENDERS`. ``None``: ``item_cf``, ``hybrid``, ``rules``
        (only when ``min_support`` is given), ``buy_again`` (only with
        ``exclude_purchased=False``), ``popular`` and ``random``. The two baselines are always
        added.
    exclude_purchased : bool, default=True
        ``True``: cross-selling; lists skip items the customer already bought, and only items
        new to the customer count as hits. ``False``: repeat purchases count too.
    level : {"product", "category"}, default="product"
    min_support, min_confidence : float
        Rule mining (:func:`crmmine.mine_rules`) for the ``rules`` recommender, on the
        purchases before each cutoff.
    choice_k : int or None, default=None
        K at which the best recommender is chosen (mean hit rate over the cutoffs); ``None``: 5 when
        5 is in ``ks``, else the largest K.
    random_state : int, default=0
        Seed of the random baseline.
    options : dict or None, default=None
        Extra options per recommender, e.g. ``{"hybrid": {"weight": 0.3}}``.

    Returns
    -------
    RecommenderComparison
        ``.curves``, ``.summary``, ``.best``, ``.finding()``, ``.recommend(tx)``.

    Raises
    ------
    ParameterError
        For an unknown recommender, a cutoff outside the data, or a window with no customer to judge.

    Examples
    --------
    >>> import crmmine
    >>> tx, _ = crmmine.datasets.make_transactions(2000, random_state=0)
    >>> cmp = crmmine.compare_recommenders(tx, n_cutoffs=2, ks=range(1, 6))  # doctest: +SKIP
    >>> cmp.best, cmp.finding()  # doctest: +SKIP
    """
    if not isinstance(tx, pd.DataFrame):
        raise ParameterError(f"The 'tx' parameter must be a pandas DataFrame. Got {type(tx).__name__} instead.")
    exclude_purchased = _check_bool("exclude_purchased", exclude_purchased)
    horizon_days = check_int("horizon_days", horizon_days, lo=1)
    n_cutoffs = check_int("n_cutoffs", n_cutoffs, lo=1)
    step_days = check_int("step_days", step_days, lo=1)
    choice_k = check_int("choice_k", choice_k, lo=1, none_ok=True)
    try:
        ks = sorted({check_int("ks", k, lo=1) for k in ks})
    except TypeError:
        raise ParameterError(f"The 'ks' parameter must be an iterable of positive integers. Got {ks!r} instead.") from None
    if not ks:
        raise ParameterError("The 'ks' parameter must hold at least one list length. Got an empty iterable instead.")
    if choice_k is None:
        choice_k = 5 if 5 in ks else ks[-1]
    if choice_k not in ks:
        raise ParameterError(f"The 'choice_k' parameter must be one of the list lengths 'ks' ({ks[0]}..{ks[-1]}). "
                             f"Got {choice_k!r} instead.")
    item_col = _level_column(level, tx)
    options = {} if options is None else dict(options)
    if recommenders is None:
        names = ["item_cf", "hybrid"] + (["rules"] if min_support is not None else []) + \
                ([] if exclude_purchased else ["buy_again"])
    else:
        if isinstance(recommenders, str):
            recommenders = [recommenders]
        names = list(recommenders)
    for n in names + list(options):
        if n not in RECOMMENDERS:
            raise ParameterError(
                f"The 'recommenders' parameter must name recommenders among {', '.join(map(repr, RECOMMENDERS))}. "
                f"Got {n!r} instead."
            )
    if "rules" in names and min_support is None:
        raise ParameterError("The 'min_support' parameter is needed to compare the 'rules' recommender. Got None instead.")
    if "buy_again" in names and exclude_purchased:
        raise ParameterError("The 'buy_again' recommender only recommends items already bought; compare it with "
                             "exclude_purchased=False. Got exclude_purchased=True instead.")
    names = [n for n in names if n not in _BASELINES] + list(_BASELINES)

    mask = tx["customer_id"].notna().to_numpy() & tx[item_col].notna().to_numpy() & tx["order_date"].notna().to_numpy()
    if "quantity" in tx.columns:
        mask &= (tx["quantity"] > 0).fillna(False).to_numpy(dtype=bool)
    p = tx.loc[mask]
    if p.empty:
        raise InputError("The transactions hold no purchase (quantity > 0 with a customer and a date) to evaluate on.")
    first, last = p["order_date"].min(), p["order_date"].max()
    if cutoffs is None:
        cutoffs = _default_cutoffs(last, horizon_days, n_cutoffs, step_days)
    else:
        if isinstance(cutoffs, (str, pd.Timestamp)):
            cutoffs = [cutoffs]
        cutoffs = sorted(check_date("cutoffs", c, none_ok=False) for c in cutoffs)
    for c in cutoffs:
        if not first < c <= last:
            raise ParameterError(
                f"The 'cutoffs' parameter must fall inside the data ({first.date()} to {last.date()}) so that there are "
                f"purchases before and after each cutoff. Got {c.date()} instead."
            )

    rows = []
    for cutoff in cutoffs:  # a handful of cutoffs, not customers
        rows.append(_one_cutoff(p, cutoff, horizon_days=horizon_days, ks=ks, names=names,
                                exclude=exclude_purchased, level=level, item_col=item_col,
                                min_support=min_support, min_confidence=min_confidence,
                                random_state=random_state, options=options))
    curves = pd.concat(rows, ignore_index=True)
    curves["recommender"] = curves["recommender"].astype(STRING_DTYPE)
    summary, best = _choose(curves, choice_k)
    params = {"exclude_purchased": exclude_purchased, "horizon_days": horizon_days, "level": level,
              "min_support": min_support, "min_confidence": min_confidence, "random_state": random_state,
              "options": options, "recommenders": names}
    return RecommenderComparison(curves=curves, summary=summary, best=best, choice_k=choice_k,
                                 cutoffs=list(cutoffs), params=params)


def _one_cutoff(p, cutoff, *, horizon_days, ks, names, exclude, level, item_col, min_support, min_confidence,
                random_state, options) -> pd.DataFrame:
    """Curves of every recommender at one cutoff (input already validated)."""
    end = cutoff + pd.Timedelta(days=horizon_days)
    train = p[p["order_date"] < cutoff]
    test = p[(p["order_date"] >= cutoff) & (p["order_date"] < end)]
    before = pd.MultiIndex.from_arrays([train["customer_id"].astype(str), train[item_col].astype(str)]).unique()
    after = pd.MultiIndex.from_arrays([test["customer_id"].astype(str), test[item_col].astype(str)]).unique()
    known = pd.Index(before.get_level_values(0).unique())
    after = after[after.get_level_values(0).isin(known)]
    relevant = after[~after.isin(before)] if exclude else after
    customers = pd.Index(np.sort(relevant.get_level_values(0).unique().to_numpy(dtype=object)))
    if not len(customers):
        raise ParameterError(
            f"No customer who bought before the cutoff {cutoff.date()} bought a relevant item in the "
            f"{horizon_days} days after it; move the cutoff earlier or lengthen 'horizon_days'."
        )
    n_rel = np.bincount(customers.get_indexer(relevant.get_level_values(0)), minlength=len(customers)).astype(float)
    n_items = train[item_col].nunique()
    kmax = ks[-1]
    rules = None
    if "rules" in names:
        from .basket import make_baskets
        from .rules import mine_rules

        rules = mine_rules(make_baskets(train, level=level), min_support=min_support, min_confidence=min_confidence)
    out = []
    ks_arr = np.asarray(ks)
    for name in names:
        recs = recommend_with(name, train, rules=rules, top_n=kmax, customers=customers, exclude_purchased=exclude,
                              level=level, random_state=random_state, **options.get(name, {}))
        rc = customers.get_indexer(recs["customer_id"].astype(str).to_numpy())
        rank = recs["rank"].to_numpy()
        key = pd.MultiIndex.from_arrays([recs["customer_id"].astype(str), recs[item_col].astype(str)])
        hit = key.isin(relevant)
        H = np.zeros((len(customers), kmax), dtype=np.int32)
        np.add.at(H, (rc[hit], rank[hit] - 1), 1)
        cum = np.cumsum(H, axis=1)[:, ks_arr - 1]
        L = np.zeros((len(customers), kmax), dtype=np.int32)
        np.add.at(L, (rc, rank - 1), 1)
        got = np.cumsum(L, axis=1)[:, ks_arr - 1]
        items_k = [recs.loc[rank <= k, item_col].nunique() for k in ks]  # one per K (at most 20)
        out.append(pd.DataFrame({
            "recommender": name,
            "cutoff": cutoff,
            "k": ks_arr.astype("int64"),
            "n_customers": len(customers),
            "hit_rate": (cum > 0).mean(axis=0),
            "precision": (cum / ks_arr).mean(axis=0),
            "recall": (cum / n_rel[:, None]).mean(axis=0),
            "coverage": (got > 0).mean(axis=0),
            "catalog_coverage": np.asarray(items_k, dtype=float) / max(n_items, 1),
        }))
    return pd.concat(out, ignore_index=True)


def _choose(curves: pd.DataFrame, k: int) -> tuple[pd.DataFrame, str]:
    """Summary at ``k`` and the chosen recommender: best mean hit rate, popular unless strictly beaten."""
    at = curves[curves["k"] == k]
    pop = at[at["recommender"] == "popular"].set_index("cutoff")["hit_rate"]
    s = at.groupby("recommender", sort=False, observed=True)[list(_METRICS)].mean()
    wins = at.assign(beats=at["hit_rate"].to_numpy() > pop.reindex(at["cutoff"]).to_numpy()) \
        .groupby("recommender", sort=False, observed=True)["beats"].sum()
    s["cutoffs_beating_popular"] = wins.reindex(s.index).astype("int64")
    s["n_cutoffs"] = at["cutoff"].nunique()
    s = s.reset_index()
    s = s.sort_values(["hit_rate", "precision"], ascending=False, kind="stable", ignore_index=True)
    personal = s[~s["recommender"].isin(_BASELINES)]
    pop_mean = float(s.loc[s["recommender"] == "popular", "hit_rate"].iloc[0])
    best = "popular"
    if len(personal) and float(personal["hit_rate"].iloc[0]) > pop_mean:
        best = str(personal["recommender"].iloc[0])
    s["chosen"] = s["recommender"] == best
    s["recommender"] = s["recommender"].astype(STRING_DTYPE)
    return s, best


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def summarise_comparison(comparison: RecommenderComparison, *, lang: str | None = None) -> str:
    """One sentence: the recommender chosen on this shop's own data, and its margin over the popular items.

    When no recommender beats the most popular items, the sentence says so and names the best
    of them, so the reader knows the list shown is the popular one.
    """
    if not isinstance(comparison, RecommenderComparison):
        raise ParameterError(f"The 'comparison' parameter must be a RecommenderComparison. "
                             f"Got {type(comparison).__name__} instead.")
    s = comparison.summary.set_index("recommender")
    pop = s.loc["popular"]
    fmt = dict(k=comparison.choice_k, n=len(comparison.cutoffs), popular_hit=_pct(pop["hit_rate"]))
    if comparison.best == "popular":
        personal = s.drop(index=[r for r in _BASELINES if r in s.index])
        if len(personal):
            name = personal.index[0]
            return label("reco.finding.comparison_popular", lang=lang, best=label(f"reco.recommender.{name}", lang=lang),
                         best_hit=_pct(personal["hit_rate"].iloc[0]), **fmt)
        return label("reco.finding.comparison_only_popular", lang=lang, **fmt)
    b = s.loc[comparison.best]
    return label("reco.finding.comparison_best", lang=lang, best=label(f"reco.recommender.{comparison.best}", lang=lang),
                 best_hit=_pct(b["hit_rate"]), wins=int(b["cutoffs_beating_popular"]), **fmt)
