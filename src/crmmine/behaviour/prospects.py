"""Prospects: visitors who looked but never bought, ranked by a purchase-propensity model.

The model is trained on a time split, as crmmine's churn models are: features from the events up to a
cutoff, label = a purchase within the next ``horizon_days``; it is trained at one cutoff and judged at a
later one against two plain baselines, "has an item in the cart" and the recency of the last event
(Moe & Fader 2004 on how browsing predicts buying; Sismeiro & Bucklin 2004, "Modeling purchase behavior
at an e-commerce web site: a task-completion approach", J. Marketing Research 41(3), on cart use as the
strongest single signal). Abandoned carts are listed for a reminder campaign.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError, MissingColumnError, NotFittedError, ParameterError
from ..text.labels import label
from ..validation import check_date, check_int
from . import _codes as K
from .events import _lazy, validate_events

__all__ = [
    "PROPENSITY_SCORERS",
    "propensity_cutoffs",
    "propensity_features",
    "propensity_labels",
    "PropensityModel",
    "PropensityEvaluation",
    "PropensityBacktest",
    "evaluate_propensity",
    "propensity_backtest",
    "propensity_finding",
    "prospect_list",
    "abandoned_carts",
]

#: The scorers compared: the model and its two baselines.
PROPENSITY_SCORERS: tuple[str, ...] = ("model", "cart", "recency")


def _end_of_log(ev: pd.DataFrame) -> pd.Timestamp:
    return ev["event_time"].max().floor("D") + pd.Timedelta(days=1)


def _time_bounds(events):
    """First and last event time of a table or a lazy log (None, None when empty)."""
    lazy = _lazy(events)
    if lazy is not None:
        from ..engine import events as E

        first, last, _, _ = E.bounds(lazy)
        return first, last
    ev = validate_events(events)
    if len(ev) == 0:
        return None, None
    return ev["event_time"].min(), ev["event_time"].max()


def propensity_cutoffs(events, *, horizon_days=None, test_cutoff=None) -> dict:
    """The time split: ``train_cutoff``, ``test_cutoff``, ``as_of`` and ``horizon_days``.

    ``as_of`` is the end of the log's last day; ``test_cutoff = as_of - horizon_days`` (or as given) and
    ``train_cutoff = test_cutoff - horizon_days``, so the training label window ends where the test one
    starts. ``horizon_days=None`` derives it from the log: a quarter of its span in days, between 1 and 7.
    """
    first, last = _time_bounds(events)
    if first is None:
        raise InputError("The events table is empty; there is nothing to split in time.")
    as_of = last.floor("D") + pd.Timedelta(days=1)
    span = (as_of - first.floor("D")).days
    if horizon_days is None:
        horizon_days = int(min(7, max(1, span // 4)))
    horizon_days = check_int("horizon_days", horizon_days, lo=1)
    test_cutoff = check_date("test_cutoff", test_cutoff)
    test = as_of - pd.Timedelta(days=horizon_days) if test_cutoff is None else test_cutoff
    train = test - pd.Timedelta(days=horizon_days)
    if train <= first:
        raise InputError(f"The log spans {span} days, too short for a training cutoff, a test cutoff and "
                         f"{horizon_days}-day label windows. Pass a smaller horizon_days.")
    return {"train_cutoff": train, "test_cutoff": test, "as_of": as_of, "horizon_days": horizon_days}


def _before(ev: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """The events up to ``cutoff`` (the table itself, not a copy, when nothing is later)."""
    if len(ev) == 0 or ev["event_time"].max() <= cutoff:
        return ev
    return ev.loc[(ev["event_time"] <= cutoff).to_numpy()]


def propensity_features(events, *, cutoff, windows=(1, 3), prospects_only=True) -> pd.DataFrame:
    """One row per visitor with the behaviour up to ``cutoff`` (nothing after it is seen).

    Parameters
    ----------
    events : pandas.DataFrame or EventLog
    cutoff : date-like
    windows : tuple of int, default=(1, 3)
        Recent windows in days for the counts of views, carts and favourites.
    prospects_only : bool, default=True
        Only visitors with no purchase up to ``cutoff`` (the prospects).

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id``; columns ``views, carts, favourites, purchases, events, views_<w>d, carts_<w>d,
        favourites_<w>d`` per window, ``items_viewed, categories_viewed, max_views_one_item,
        items_in_cart`` (carted and not bought since), ``items_favourited, active_days,
        hours_since_last_event, hours_since_last_cart`` (NaN without a cart), ``hours_active``
        (first to last event) and ``top_category`` (the category with most events, carts and purchases
        weighing 3 and favourites 2; ties: the first in text order). A lazy log (DuckDB, Spark) is
        aggregated in its engine; its rows come back sorted by ``customer_id``.
    """
    cutoff = check_date("cutoff", cutoff, none_ok=False)
    windows = tuple(check_int("windows", w, lo=1) for w in windows)
    if _lazy(events) is not None:
        from ..engine import events as E

        return E.propensity_features(_lazy(events), cutoff=cutoff, windows=windows, prospects_only=prospects_only)
    ev = validate_events(events)
    h = ev  # masked below, not copied: the log may hold tens of millions of events
    c = K.codes(h)
    n = c.n_customers
    cut_s = int(K.seconds(pd.Series([cutoff]))[0])
    ok = (c.cust >= 0) & (c.t <= cut_s)
    cu, et, t = c.cust[ok], c.etype[ok], c.t[ok]
    counts = np.bincount(cu * 4 + et, minlength=4 * n).reshape(n, 4)
    present = counts.sum(axis=1) > 0
    f = {"views": counts[:, K.VIEW], "carts": counts[:, K.CART], "favourites": counts[:, K.FAV],
         "purchases": counts[:, K.BUY], "events": counts.sum(axis=1)}
    for w in windows:
        recent = t > cut_s - 86400 * w
        rc = np.bincount(cu[recent] * 4 + et[recent], minlength=4 * n).reshape(n, 4)
        f[f"views_{w}d"], f[f"carts_{w}d"], f[f"favourites_{w}d"] = rc[:, K.VIEW], rc[:, K.CART], rc[:, K.FAV]
    item, items = K.factor(h["item_id"])
    item = item[ok]
    n_items = max(len(items), 1)
    pair = cu.astype(np.int64) * n_items + item
    v = et == K.VIEW
    pv = pd.Series(pair[v]).value_counts()
    pv_cust = (pv.index.to_numpy() // n_items)
    f["items_viewed"] = np.bincount(pv_cust, minlength=n)
    mx = np.zeros(n, dtype=np.int64)
    np.maximum.at(mx, pv_cust, pv.to_numpy())
    f["max_views_one_item"] = mx
    # carted and not bought after the last cart
    last_cart = pd.Series(t[et == K.CART]).groupby(pair[et == K.CART]).max()
    last_buy = pd.Series(t[et == K.BUY]).groupby(pair[et == K.BUY]).max().reindex(last_cart.index)
    open_cart = ~(last_buy.to_numpy() >= last_cart.to_numpy())
    f["items_in_cart"] = np.bincount(last_cart.index.to_numpy()[open_cart] // n_items, minlength=n)
    fav_pairs = pd.unique(pair[et == K.FAV])
    f["items_favourited"] = np.bincount(fav_pairs // n_items, minlength=n)
    if "category" in h.columns:
        cat, cats = K.factor(h["category"])
        cat = cat[ok]
        okc = cat >= 0
        cp = pd.unique(cu[v & okc].astype(np.int64) * max(len(cats), 1) + cat[v & okc])
        f["categories_viewed"] = np.bincount(cp // max(len(cats), 1), minlength=n)
    days = pd.unique(cu.astype(np.int64) * 100_000 + (t // 86400 - (t.min() // 86400 if len(t) else 0)))
    f["active_days"] = np.bincount(days // 100_000, minlength=n)
    last = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(last, cu, t)
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, cu, t)
    lc = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(lc, cu[et == K.CART], t[et == K.CART])
    f["hours_since_last_event"] = (cut_s - last) / 3600.0
    f["hours_since_last_cart"] = np.where(lc > np.iinfo(np.int64).min, (cut_s - lc) / 3600.0, np.nan)
    f["hours_active"] = (last - first) / 3600.0
    out = pd.DataFrame(f, index=pd.Index(c.customers, name="customer_id"))
    if "category" in h.columns:
        okc = cat >= 0
        w_ = np.select([et == K.CART, et == K.FAV, et == K.BUY], [3, 2, 3], 1)[okc]
        ck = pd.Series(w_).groupby([cu[okc], cat[okc]]).sum()
        text_rank = np.argsort(np.argsort(np.asarray(pd.Index(cats).astype(str), dtype=object), kind="stable"),
                               kind="stable")
        lv0, lv1 = ck.index.get_level_values(0).to_numpy(), ck.index.get_level_values(1).to_numpy()
        ck = ck.iloc[np.lexsort((text_rank[lv1], -ck.to_numpy(), lv0))]  # most weight, then the category's text
        top = ck[~ck.index.get_level_values(0).duplicated()]
        tc = pd.Series(pd.Index(cats)[top.index.get_level_values(1)].astype(str), index=top.index.get_level_values(0))
        out["top_category"] = tc.reindex(np.arange(n)).to_numpy()
    out = out[present]
    if prospects_only:
        out = out[out["purchases"] == 0]
    return out


def propensity_labels(events, *, cutoff, horizon_days) -> pd.Series:
    """``purchased``: whether each visitor bought within ``(cutoff, cutoff + horizon_days]``.

    Returns
    -------
    pandas.Series of bool
        Index ``customer_id`` of every visitor with an event up to ``cutoff``.
    """
    cutoff = check_date("cutoff", cutoff, none_ok=False)
    horizon_days = check_int("horizon_days", horizon_days, lo=1)
    if _lazy(events) is not None:  # one row per visitor comes back from the engine, sorted by id
        from ..engine import events as E

        return E.propensity_labels(_lazy(events), cutoff=cutoff, horizon_days=horizon_days)
    ev = validate_events(events)
    t = ev["event_time"]
    before = (t <= cutoff).to_numpy()
    win = ((t > cutoff) & (t <= cutoff + pd.Timedelta(days=horizon_days))).to_numpy() & \
        (ev["event_type"] == "purchase").to_numpy()
    cust, customers = K.factor(ev["customer_id"])
    n = len(customers)
    seen = np.bincount(cust[before & (cust >= 0)], minlength=n) > 0
    bought = np.bincount(cust[win & (cust >= 0)], minlength=n) > 0
    return pd.Series(bought[seen], index=pd.Index(customers[seen], name="customer_id"), name="purchased")


def _model_input(X):
    return np.sign(X) * np.log1p(np.abs(X))


#: Visitors scored at a time by :meth:`PropensityModel.predict_proba` (each step of the pipeline copies its input).
_PREDICT_ROWS = 262_144


class PropensityModel:
    """P(purchase within the horizon) from :func:`propensity_features`.

    Parameters
    ----------
    model : {"logistic", "hgb"}, default="logistic"
        ``"logistic"``: missing values imputed (with indicators), signed ``log1p``, standard scaling and an
        L2 logistic regression. ``"hgb"``: scikit-learn's HistGradientBoostingClassifier.
    C : float, default=1.0
        Inverse regularisation strength of the logistic model.
    max_iter : int, default=200
        Iterations of the solver, or boosting iterations of ``"hgb"``.
    random_state : int or None, default=None
        Seed of the boosting (and of the fitting sample); stored as given, resolved in :meth:`fit`.
    max_fit_visitors : int or None, default=None
        With more visitors than this, the model is fitted on a random sample of this many, drawn in
        proportion to buyers and non-buyers (in customer_id order, so the same sample from every
        engine); None fits on all. Scoring always covers every visitor.

    Attributes
    ----------
    estimator_ : sklearn estimator
    feature_names_in_ : numpy.ndarray of str
    purchase_rate_ : float
        Share of buyers in the training labels.
    n_visitors_ : int
        Visitors with features and labels given to :meth:`fit`.
    n_fit_ : int
        Visitors the model was fitted on (``n_visitors_`` unless above ``max_fit_visitors``).
    """

    def __init__(self, model="logistic", *, C=1.0, max_iter=200, random_state=None, max_fit_visitors=None):
        self.model = model
        self.C = C
        self.max_iter = max_iter
        self.random_state = random_state
        self.max_fit_visitors = max_fit_visitors

    def get_params(self, deep=True):
        return {k: getattr(self, k) for k in ("model", "C", "max_iter", "random_state", "max_fit_visitors")}

    def set_params(self, **params):
        for k, v in params.items():
            if k not in self.get_params():
                raise ParameterError(f"PropensityModel has no parameter {k!r}. Valid: {', '.join(self.get_params())}.")
            setattr(self, k, v)
        return self

    def __repr__(self):
        return f"PropensityModel(model={self.model!r}, random_state={self.random_state!r})"

    def fit(self, features, labels):
        """Fit on the features and labels of one cutoff (aligned on ``customer_id``); returns ``self``."""
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import FunctionTransformer, StandardScaler
        from sklearn.utils import check_random_state

        if self.model not in ("logistic", "hgb"):
            raise ParameterError(f"The 'model' parameter must be one of 'logistic', 'hgb'. Got {self.model!r} instead.")
        max_iter = check_int("max_iter", self.max_iter, lo=1)
        max_fit = check_int("max_fit_visitors", self.max_fit_visitors, lo=10, none_ok=True)
        X, y = _align(features, labels)
        n_visitors = len(y)
        counts = np.bincount(y, minlength=2)
        if counts.min() < 2:
            raise InputError(f"The labels must hold at least 2 buyers and 2 non-buyers to fit a model. Got {counts[1]} "
                             f"buyers and {counts[0]} non-buyers; use a longer horizon_days or more events.")
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        if max_fit is not None and n_visitors > max_fit:  # a sample stratified by label, in customer_id order
            X, y = _fit_sample(X, y, max_fit, np.random.RandomState(seed))
        if self.model == "logistic":
            est = make_pipeline(SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                                FunctionTransformer(_model_input), StandardScaler(),
                                LogisticRegression(C=self.C, max_iter=max_iter))
        else:
            est = HistGradientBoostingClassifier(max_iter=max_iter, learning_rate=0.05, max_leaf_nodes=15,
                                                 random_state=seed)
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="openmp"):
            est.fit(X.to_numpy(dtype="float64"), y)
        self.estimator_ = est
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.purchase_rate_ = float(y.mean())
        self.n_visitors_ = n_visitors
        self.n_fit_ = len(y)
        return self

    def predict_proba(self, features) -> pd.Series:
        """P(purchase) per visitor: a Series named ``p_purchase`` indexed like ``features``."""
        if not hasattr(self, "estimator_"):
            raise NotFittedError("This PropensityModel is not fitted yet. Call 'fit' with features and labels first.")
        if not isinstance(features, pd.DataFrame):
            raise InputError(f"The 'features' parameter must be a DataFrame from propensity_features. "
                             f"Got {type(features).__name__} instead.")
        missing = [c for c in self.feature_names_in_ if c not in features.columns]
        if missing:
            raise MissingColumnError(f"The 'features' table has no column {missing[0]!r}, which the model was fitted "
                                     "with. Compute the features with the same propensity_features options.")
        from threadpoolctl import threadpool_limits

        cols = list(self.feature_names_in_)
        p = np.zeros(len(features))
        with threadpool_limits(limits=1, user_api="openmp"):
            for lo in range(0, len(features), _PREDICT_ROWS):  # in blocks: the pipeline copies its input
                X = features.iloc[lo:lo + _PREDICT_ROWS].loc[:, cols].to_numpy(dtype="float64")
                p[lo:lo + len(X)] = self.estimator_.predict_proba(X)[:, 1]
        return pd.Series(p, index=features.index, name="p_purchase")


def _fit_sample(X, y, n_max, rs, n_min=2):
    """``n_max`` rows of ``X, y`` drawn at random in proportion to the labels (at least ``n_min`` of each class
    when there are), kept in their order (as the churn models' ``max_fit_customers`` sample)."""
    from ..data._stratified import stratified_rows

    idx = stratified_rows(y, n_max, rs, n_min)
    return X.iloc[idx], y[idx]


def _align(features, labels):
    if not isinstance(features, pd.DataFrame):
        raise InputError(f"The 'features' parameter must be a DataFrame from propensity_features. "
                         f"Got {type(features).__name__} instead.")
    if isinstance(labels, pd.DataFrame):
        labels = labels["purchased"]
    if not isinstance(labels, pd.Series):
        raise InputError(f"The 'labels' parameter must be the Series of propensity_labels. Got {type(labels).__name__} "
                         "instead.")
    same = len(features) == len(labels) and features.index.equals(labels.index)
    common = features.index if same else features.index.intersection(labels.index, sort=False)
    if len(common) == 0:
        raise InputError("The 'features' and 'labels' share no customer_id; compute both from the same events and "
                         "cutoff.")
    # rows in customer_id order, so that a fit does not depend on the order the visitors came in (an engine
    # gives them sorted, the pandas path in order of first appearance)
    order = np.asarray(common.astype(str).argsort())
    if not (order[1:] > order[:-1]).all():
        common = common[order]
    if len(common) == len(features) and common.equals(features.index):  # no copy of millions of rows
        X = features.select_dtypes(include=["number", "bool"])
    else:
        X = features.loc[common].select_dtypes(include=["number", "bool"])
    y = labels.reindex(common) if not common.equals(labels.index) else labels
    return X, y.astype(bool).to_numpy().astype(np.int64)


@dataclass
class PropensityEvaluation:
    """The model beside its baselines on the same visitors at the test cutoff.

    Attributes
    ----------
    metrics : pandas.DataFrame
        Index ``scorer`` (``model``, ``cart`` = items in the cart, ``recency`` = minus hours since the last
        event); columns ``roc_auc``, ``pr_auc`` (average precision), ``top_decile_lift`` (purchase rate of
        the top 10% over the overall rate; ties broken by customer_id), ``n_visitors``, ``purchase_rate``.
    scores : pandas.DataFrame
        Per visitor: ``p_purchase``, ``items_in_cart``, ``hours_since_last_event``, ``purchased``.
    gains, roc, pr : pandas.DataFrame
        ``scorer, fraction_targeted, fraction_buyers``; ``scorer, fpr, tpr``; ``scorer, recall, precision``
        (each curve thinned to 10,001 evenly spaced points when longer).
    """

    metrics: pd.DataFrame
    scores: pd.DataFrame
    gains: pd.DataFrame
    roc: pd.DataFrame
    pr: pd.DataFrame
    model_name: str = field(default="logistic")


#: Points a curve of :class:`PropensityEvaluation` keeps at most (evenly spaced, first and last kept).
_CURVE_POINTS = 10_001


def _thin(values: np.ndarray) -> np.ndarray:
    """A curve's points, thinned to :data:`_CURVE_POINTS` when longer (millions of visitors)."""
    if len(values) <= _CURVE_POINTS:
        return values
    return values[np.unique(np.linspace(0, len(values) - 1, _CURVE_POINTS).round().astype(np.int64))]


def _order(score, ids):
    return np.lexsort((ids, -score))


def evaluate_propensity(model, features, labels) -> PropensityEvaluation:
    """ROC AUC, PR AUC and top-decile lift of a fitted model and of the two baselines (same visitors)."""
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

    if not isinstance(model, PropensityModel):
        raise ParameterError(f"The 'model' parameter must be a fitted PropensityModel. Got {type(model).__name__} "
                             "instead.")
    X, y = _align(features, labels)
    if y.min() == y.max():
        raise InputError("The evaluation labels hold only one class (every visitor bought, or none did); ROC AUC is "
                         "undefined. Use another cutoff or a longer horizon_days.")
    ids = X.index.to_numpy().astype(str)
    scores = pd.DataFrame({"p_purchase": model.predict_proba(X).to_numpy(),
                           "items_in_cart": X["items_in_cart"].to_numpy(dtype=float),
                           "hours_since_last_event": X["hours_since_last_event"].to_numpy(dtype=float),
                           "purchased": y.astype(bool)}, index=X.index)
    cols = {"model": scores["p_purchase"].to_numpy(), "cart": scores["items_in_cart"].to_numpy(),
            "recency": -scores["hours_since_last_event"].to_numpy()}
    rows, gains, roc, pr = [], [], [], []
    k = max(1, int(np.ceil(0.1 * len(y))))
    for name, s in cols.items():
        order = _order(s, ids)
        rows.append({"scorer": name, "roc_auc": roc_auc_score(y, s), "pr_auc": average_precision_score(y, s),
                     "top_decile_lift": float(y[order[:k]].mean() / y.mean()), "n_visitors": len(y),
                     "purchase_rate": float(y.mean())})
        cum = np.concatenate([[0], np.cumsum(y[order])]) / y.sum()
        frac = np.arange(len(y) + 1) / len(y)
        fpr, tpr, _ = roc_curve(y, s)
        prec, rec, _ = precision_recall_curve(y, s)
        gains.append(pd.DataFrame({"scorer": name, "fraction_targeted": _thin(frac), "fraction_buyers": _thin(cum)}))
        roc.append(pd.DataFrame({"scorer": name, "fpr": _thin(fpr), "tpr": _thin(tpr)}))
        pr.append(pd.DataFrame({"scorer": name, "recall": _thin(rec), "precision": _thin(prec)}))
    return PropensityEvaluation(pd.DataFrame(rows).set_index("scorer"), scores, pd.concat(gains, ignore_index=True),
                                pd.concat(roc, ignore_index=True), pd.concat(pr, ignore_index=True), model.model)


@dataclass
class PropensityBacktest:
    """A propensity model trained at ``train_cutoff`` and judged at ``test_cutoff`` (:func:`propensity_backtest`)."""

    model: PropensityModel
    evaluation: PropensityEvaluation
    train_features: pd.DataFrame
    train_labels: pd.Series
    test_features: pd.DataFrame
    test_labels: pd.Series
    train_cutoff: pd.Timestamp
    test_cutoff: pd.Timestamp
    as_of: pd.Timestamp
    horizon_days: int

    def without_visitors(self) -> "PropensityBacktest":
        """The same back-test without its per-visitor tables (features, labels and scores emptied), to free
        the memory of millions of visitors once the final model is fitted; metrics and curves are kept."""
        from dataclasses import replace

        ev = replace(self.evaluation, scores=self.evaluation.scores.iloc[:0])
        return replace(self, evaluation=ev, train_features=self.train_features.iloc[:0],
                       train_labels=self.train_labels.iloc[:0], test_features=self.test_features.iloc[:0],
                       test_labels=self.test_labels.iloc[:0])

    @property
    def metrics(self) -> pd.DataFrame:
        """The metrics table with the cutoffs as columns."""
        m = self.evaluation.metrics.copy()
        m["train_cutoff"], m["test_cutoff"], m["horizon_days"] = self.train_cutoff, self.test_cutoff, self.horizon_days
        return m


def propensity_backtest(events, *, horizon_days=None, test_cutoff=None, model="logistic", windows=(1, 3),
                        random_state=0, max_fit_visitors=None, keep_train=True) -> PropensityBacktest:
    """Train at one cutoff, judge at a later one: the honest time split of the prospects' model.

    Parameters
    ----------
    events : pandas.DataFrame or EventLog
    horizon_days : int or None, default=None
        Label window; None derives it (:func:`propensity_cutoffs`).
    test_cutoff : date-like or None, default=None
        None: the log's end minus ``horizon_days``; training one horizon earlier.
    model : {"logistic", "hgb"}, default="logistic"
    windows : feature windows in days (:func:`propensity_features`).
    random_state : int, default=0
    max_fit_visitors : int or None, default=None
        Fit on a label-stratified sample of at most this many visitors (:class:`PropensityModel`); the
        evaluation covers every visitor at the test cutoff.
    keep_train : bool, default=True
        False: the training cutoff's features and labels are dropped once the model is fitted (empty tables in the
        result), so a log of millions of visitors does not hold both cutoffs' tables while the test cutoff's are
        computed and scored (the report does this). The model and the evaluation are the same.

    Returns
    -------
    PropensityBacktest
        ``.model``, ``.evaluation`` (model vs the cart and recency baselines), ``.metrics`` and the features
        and labels at both cutoffs (prospects only: visitors with no purchase up to the cutoff). A lazy
        log (DuckDB, Spark) is aggregated in its engine: only one row per visitor and cutoff comes back.
    """
    ev = _lazy(events) if _lazy(events) is not None else validate_events(events)
    cuts = propensity_cutoffs(ev, horizon_days=horizon_days, test_cutoff=test_cutoff)
    h = cuts["horizon_days"]
    if _lazy(ev) is not None:  # the engine labels the prospects only: the same rows as the features, same order
        from ..engine import events as E

        labels = lambda cutoff: E.propensity_labels(ev, cutoff=cutoff, horizon_days=h, prospects_only=True)  # noqa: E731
    else:
        labels = lambda cutoff: propensity_labels(ev, cutoff=cutoff, horizon_days=h)  # noqa: E731
    f_tr = propensity_features(ev, cutoff=cuts["train_cutoff"], windows=windows)
    l_tr = _rows_of(labels(cuts["train_cutoff"]), f_tr)
    m = PropensityModel(model, random_state=random_state, max_fit_visitors=max_fit_visitors).fit(f_tr, l_tr)
    if not keep_train:
        f_tr, l_tr = f_tr.iloc[:0].copy(), l_tr.iloc[:0].copy()  # the model is fitted: freed before the test cutoff
    f_te = propensity_features(ev, cutoff=cuts["test_cutoff"], windows=windows)
    l_te = _rows_of(labels(cuts["test_cutoff"]), f_te)
    evaluation = evaluate_propensity(m, f_te, l_te)
    return PropensityBacktest(m, evaluation, f_tr, l_tr, f_te, l_te,
                              cuts["train_cutoff"], cuts["test_cutoff"], cuts["as_of"], h)


def _rows_of(labels: pd.Series, features: pd.DataFrame) -> pd.Series:
    """The labels of the features' visitors, in their order (no lookup when they are the same rows already)."""
    return labels if labels.index.equals(features.index) else labels.loc[features.index]


def propensity_finding(result, *, metric="pr_auc", tolerance=0.01, lang=None) -> str:
    """One honest sentence: does the model beat the best baseline on ``metric``?"""
    ev = result.evaluation if isinstance(result, PropensityBacktest) else result
    if not isinstance(ev, PropensityEvaluation):
        raise ParameterError(f"The 'result' parameter must be a PropensityBacktest or PropensityEvaluation. "
                             f"Got {type(result).__name__} instead.")
    if metric not in ("roc_auc", "pr_auc", "top_decile_lift"):
        raise ParameterError(f"The 'metric' parameter must be one of 'roc_auc', 'pr_auc', 'top_decile_lift'. "
                             f"Got {metric!r} instead.")
    m = ev.metrics[metric]
    best = str(m.drop("model").idxmax())
    diff = float(m["model"] - m[best])
    key = "beats" if diff > tolerance else ("as_good" if diff >= -tolerance else "worse")
    return label(f"behaviour.finding.model_{key}", lang, metric=label(f"behaviour.metric.{metric}", lang),
                 baseline=label(f"behaviour.scorer.{best}", lang), model_value=f"{m['model']:.2f}",
                 baseline_value=f"{m[best]:.2f}", rate=f"{ev.metrics['purchase_rate'].iloc[0]:.1%}",
                 n=f"{int(ev.metrics['n_visitors'].iloc[0]):,}")


def _fill(template: str, **columns) -> pd.Series:
    """``template.format(**row)`` for every row, vectorised: literal parts and columns concatenated."""
    import string

    n = len(next(iter(columns.values())))
    out = pd.Series([""] * n, dtype=object)
    for literal, field, _, _ in string.Formatter().parse(template):
        if literal:
            out = out + literal
        if field is not None:
            out = out + pd.Series(columns[field]).astype(str).to_numpy(dtype=object)
    return out


def _ago(hours: np.ndarray, lang) -> np.ndarray:
    """'less than an hour ago', '5 h ago' under two days, else '3 days ago' (words from :mod:`crmmine.text`)."""
    h = np.floor(hours).astype(np.int64)
    in_hours = _fill(label("behaviour.ago.hours", lang), n=h)
    in_days = _fill(label("behaviour.ago.days", lang), n=h // 24)
    return np.where(h < 1, label("behaviour.ago.now", lang), np.where(h < 48, in_hours.to_numpy(), in_days.to_numpy()))


def _remind_items(ev: pd.DataFrame, n_items: int) -> pd.Series:
    """Per prospect (no purchase in ``ev``): up to ``n_items`` items carted, favourited or viewed most (weights
    3, 2, 1), joined by '|'. Ties go to the item seen last, then the smaller item id; vectorised on codes.
    """
    cust, cust_labels = K.factor(ev["customer_id"])
    item, item_labels = K.factor(ev["item_id"])
    et_all = ev["event_type"].cat.codes.to_numpy()
    buyer = np.bincount(cust[(et_all == K.BUY) & (cust >= 0)], minlength=len(cust_labels)) > 0
    keep = ~buyer[np.maximum(cust, 0)] & (cust >= 0) & (item >= 0)
    et = et_all[keep]
    w = np.select([et == K.CART, et == K.FAV], [3, 2], 1)
    n_i = max(len(item_labels), 1)
    key = cust[keep] * n_i + item[keep]
    g = pd.DataFrame({"k": key, "w": w, "t": K.seconds(ev["event_time"])[keep]}).groupby("k", sort=False)
    agg = pd.DataFrame({"w": g["w"].sum(), "t": g["t"].max()})
    k = agg.index.to_numpy()
    c, i = k // n_i, k % n_i
    item_rank = np.argsort(np.argsort(np.asarray(item_labels.astype(str)), kind="stable"), kind="stable")
    order = np.lexsort((item_rank[i], -agg["t"].to_numpy(), -agg["w"].to_numpy(), c))
    c, i = c[order], i[order]
    pos = np.arange(len(c)) - np.searchsorted(c, c, side="left")
    top = pos < n_items
    c, i, pos = c[top], i[top], pos[top]
    names = np.asarray(item_labels.astype(str), dtype=object)[i]
    out = np.full(len(cust_labels), "", dtype=object)
    for p in range(n_items):  # a few columns, not a loop over customers
        sel = pos == p
        out[c[sel]] = out[c[sel]] + ("" if p == 0 else "|") + names[sel]
    return pd.Series(out, index=pd.Index(cust_labels.astype(str)))


def _reasons(out: pd.DataFrame, lang) -> np.ndarray:
    """The reason sentence of each prospect (object array)."""
    cols = dict(ago=_ago(out["hours_since_last_event"].to_numpy(), lang),
                category=out["top_category"].fillna("-").astype(str).to_numpy(),
                repeats=out["max_views_one_item"].to_numpy())
    kind = np.select([out["items_in_cart"] > 0, out["items_favourited"] > 0], ["cart", "favourite"], "view")
    reason = np.empty(len(out), dtype=object)
    for k, n_col in (("cart", "items_in_cart"), ("favourite", "items_favourited"), ("view", "items_viewed")):
        sel = kind == k  # three sentence forms, each filled for all its prospects at once
        if sel.any():
            reason[sel] = _fill(label(f"behaviour.reason.{k}", lang), n=out[n_col].to_numpy()[sel],
                                **{c: v[sel] for c, v in cols.items()}).to_numpy()
    return reason


#: Prospects whose reasons are written at a time on the engine path (bounds the Python strings alive).
_BLOCK = 500_000


def _engine_prospect_list(lazy, model, *, as_of, windows, n_items, lang) -> pd.DataFrame:
    """:func:`prospect_list` of a lazy log: features and items from the engine, reasons in blocks."""
    import pyarrow as pa

    from ..data.schema import STRING_DTYPE
    from ..engine import events as E

    if as_of is None:
        as_of = _time_bounds(lazy)[1].floor("D") + pd.Timedelta(days=1)
    else:
        as_of = check_date("as_of", as_of)
    feats, remind = E.prospect_rows(lazy, as_of=as_of, windows=windows, n_items=n_items)
    p = model.predict_proba(feats).to_numpy()
    order = np.lexsort((np.arange(len(p)), -p))  # ids are sorted already: ties go to the smaller customer_id
    keep = ["views", "carts", "favourites", "items_in_cart", "items_favourited", "items_viewed", "max_views_one_item",
            "top_category", "hours_since_last_event"]

    def taken(c):  # text stays in pyarrow (no Python string per prospect)
        if c not in feats.columns:
            return np.full(len(p), None, dtype=object)
        col = feats[c]
        return col.array.take(order) if isinstance(col.dtype, pd.StringDtype) else col.to_numpy()[order]

    cols = {c: taken(c) for c in keep}
    ids = feats.index.array.take(order)
    del feats  # only the columns of the list stay
    small = pd.DataFrame(cols, copy=False)
    text = lambda a: pd.array(a, dtype=STRING_DTYPE)  # noqa: E731
    reasons = [pa.array(_reasons(small.iloc[lo:lo + _BLOCK], lang), type=pa.large_string())
               for lo in range(0, len(small), _BLOCK)]
    out = pd.DataFrame({"rank": np.arange(1, len(p) + 1), "customer_id": ids, "p_purchase": p[order]})
    for c in ("views", "carts", "favourites", "items_in_cart", "top_category", "hours_since_last_event"):
        out[c] = cols.pop(c)
    del small, cols
    out["reason"] = text(pa.chunked_array(reasons, type=pa.large_string())) if reasons else text([])
    r = remind.take(pa.array(order)).cast(pa.large_string()).fill_null("")
    out["remind_items"] = text(r)
    return out


def prospect_list(events, model, *, as_of=None, windows=(1, 3), n_items=3, lang=None) -> pd.DataFrame:
    """Prospects ranked by purchase propensity, each with a reason in words and items to remind them of.

    Parameters
    ----------
    events : pandas.DataFrame or EventLog
    model : PropensityModel
        Fitted (e.g. at the test cutoff of :func:`propensity_backtest`, the latest labelled window).
    as_of : date-like or None, default=None
        Score the behaviour up to this time; None = the end of the log's last day.
    windows : must match the model's features.
    n_items : int, default=3
        Items to remind each prospect of (carted, favourited, most viewed first).
    lang : {"en", "zh"} or None

    Returns
    -------
    pandas.DataFrame
        ``rank, customer_id, p_purchase, views, carts, favourites, items_in_cart, top_category,
        hours_since_last_event, reason, remind_items`` (item ids joined by ``|``), highest propensity first
        (ties broken by customer_id). For a lazy log (DuckDB, Spark) the features and the items come from
        the engine (one row per prospect) and the reasons are written in blocks of ``_BLOCK`` prospects;
        the text columns are then pyarrow-backed strings.
    """
    n_items = check_int("n_items", n_items, lo=1)
    if _lazy(events) is not None:
        return _engine_prospect_list(_lazy(events), model, as_of=as_of, windows=windows, n_items=n_items, lang=lang)
    ev = validate_events(events)
    as_of = _end_of_log(ev) if as_of is None else check_date("as_of", as_of)
    feats = propensity_features(ev, cutoff=as_of, windows=windows)
    p = model.predict_proba(feats)
    out = feats.assign(p_purchase=p.to_numpy())
    if "top_category" not in out.columns:
        out["top_category"] = None
    out = out.reset_index()
    order = np.lexsort((out["customer_id"].astype(str).to_numpy(), -out["p_purchase"].to_numpy()))
    out = out.iloc[order].reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out["reason"] = _reasons(out, lang)
    remind = _remind_items(_before(ev, as_of), n_items)
    out["remind_items"] = out["customer_id"].astype(str).map(remind).fillna("").to_numpy()
    cols = ["rank", "customer_id", "p_purchase", "views", "carts", "favourites", "items_in_cart", "top_category",
            "hours_since_last_event", "reason", "remind_items"]
    out["customer_id"] = out["customer_id"].astype(str)
    return out[cols]


def abandoned_carts(events, *, hours=24, as_of=None) -> pd.DataFrame:
    """Carted items not bought within ``hours`` and still not bought at ``as_of``: a reminder campaign list.

    Parameters
    ----------
    events : pandas.DataFrame or EventLog
    hours : int, default=24
        A cart counts as abandoned when its item has not been bought this many hours after the last cart.
    as_of : date-like or None, default=None
        The campaign date; None = the end of the log's last day. Only events up to it are seen.

    Returns
    -------
    pandas.DataFrame
        One row per abandoned (customer, item): ``customer_id, item_id, category`` (when present),
        ``carted_at`` (last cart), ``hours_since_cart, item_views`` (the customer's views of the item),
        ``favourited``, ``price`` (when present), ``customer_open_carts`` (the customer's abandoned items),
        ``customer_has_bought`` (anything before ``as_of``); the most recently abandoned first. A lazy log
        (DuckDB, Spark) is aggregated in its engine (the category and price of a pair's last cart).
    """
    hours = check_int("hours", hours, lo=1)
    if _lazy(events) is not None:
        from ..engine import events as E

        lazy = _lazy(events)
        as_of = _time_bounds(lazy)[1].floor("D") + pd.Timedelta(days=1) if as_of is None else check_date("as_of", as_of)
        return E.abandoned_carts(lazy, hours=hours, as_of=as_of)
    ev = validate_events(events)
    as_of = _end_of_log(ev) if as_of is None else check_date("as_of", as_of)
    h = _before(ev, as_of)
    c = K.codes(h)
    item, items = K.factor(h["item_id"])
    n_items = max(len(items), 1)
    key = c.cust.astype(np.int64) * n_items + item
    et, t = c.etype, c.t
    cart = et == K.CART
    rows = pd.Series(np.flatnonzero(cart)).groupby(key[cart]).last()  # last cart of each pair (time order)
    last_cart_t = pd.Series(t[cart]).groupby(key[cart]).max()
    rows = pd.Series(np.flatnonzero(cart)[np.lexsort((t[cart], key[cart]))]).groupby(
        np.sort(key[cart], kind="stable")).last()
    last_buy = pd.Series(t[et == K.BUY]).groupby(key[et == K.BUY]).max().reindex(last_cart_t.index).to_numpy()
    cut_s = int(K.seconds(pd.Series([as_of]))[0])
    lc = last_cart_t.to_numpy()
    abandoned = ~(last_buy >= lc) & (lc + 3600 * hours <= cut_s)
    keys = last_cart_t.index.to_numpy()[abandoned]
    r = rows.reindex(keys).to_numpy()
    views = pd.Series(key[et == K.VIEW]).value_counts()
    favs = set(pd.unique(key[et == K.FAV]).tolist()) if (et == K.FAV).any() else set()
    out = pd.DataFrame({"customer_id": h["customer_id"].take(r).to_numpy().astype(str),
                        "item_id": h["item_id"].take(r).to_numpy().astype(str)})
    if "category" in h.columns:
        out["category"] = h["category"].take(r).to_numpy().astype(str)
    out["carted_at"] = pd.to_datetime(lc[abandoned], unit="s")
    out["hours_since_cart"] = (cut_s - lc[abandoned]) / 3600.0
    out["item_views"] = views.reindex(keys).fillna(0).to_numpy(dtype=np.int64)
    out["favourited"] = pd.Index(keys).isin(list(favs)) if favs else np.zeros(len(keys), dtype=bool)
    if "price" in h.columns:
        out["price"] = h["price"].take(r).to_numpy()
    bought_any = np.bincount(c.cust[(et == K.BUY) & (c.cust >= 0)], minlength=c.n_customers) > 0
    cust_codes = keys // n_items
    out["customer_open_carts"] = np.bincount(cust_codes, minlength=c.n_customers)[cust_codes]
    out["customer_has_bought"] = bought_any[cust_codes]
    out = out.sort_values(["hours_since_cart", "customer_id", "item_id"], kind="stable").reset_index(drop=True)
    return out
