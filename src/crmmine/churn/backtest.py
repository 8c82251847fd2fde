"""Judging churn scores on a later cutoff beside two baselines (recency, BG/NBD), and the report sentences."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError, MissingColumnError, ParameterError
from ..text.labels import label
from ..validation import check_date, check_int

from .features import churn_features
from .labels import _check_reach, _check_tx, churn_labels
from .model import ChurnModel, _align, _blocked, _fit_sample, _recency_input
from .select import CANDIDATES, SelectedChurnModel, _scores_table

__all__ = ['SCORERS', 'ChurnEvaluation', 'ChurnBacktest', 'evaluate_churn', 'churn_backtest', 'churn_finding', 'summarise_labels', 'summarise_fit_sample', 'summarise_calibration', 'summarise_importance']

#: Score names of :class:`ChurnEvaluation` tables, model first.
SCORERS = ("model", "recency", "bgnbd")


# --------------------------------------------------------------------------- evaluation
@dataclass
class ChurnEvaluation:
    """Metrics of a churn model beside its baselines on the same customers.

    Attributes
    ----------
    metrics : pandas.DataFrame
        Index ``scorer`` (``model``, ``recency``, ``bgnbd``); columns ``roc_auc``, ``pr_auc`` (average
        precision), ``brier`` (Brier 1950), ``top_decile_lift``, ``n_customers``, ``churn_rate``. Ranking
        metrics of ``recency`` use the days themselves; its Brier score and reliability curve use the days
        turned into a probability at the training cutoff (:attr:`ChurnModel.recency_baseline_`).
    scores : pandas.DataFrame
        Per customer: ``p_churn`` (model), ``recency_days``, ``p_churn_recency`` (the recency baseline as a
        probability), ``p_no_purchase`` (BG/NBD), ``churned``.
    gains : pandas.DataFrame
        Cumulative gains: ``scorer``, ``fraction_targeted``, ``fraction_churners``.
    roc, pr : pandas.DataFrame
        Curves: ``scorer, fpr, tpr`` and ``scorer, recall, precision``.
    calibration : pandas.DataFrame
        Reliability table (10 quantile bins): ``scorer, mean_predicted, fraction_churned, n_customers``.
    importance : pandas.DataFrame
        Permutation importance (drop of ROC AUC): ``feature, importance_mean, importance_std``, largest first.
    n_importance_customers : int or None
        Customers the importance was measured on (fewer than ``metrics``' ``n_customers`` when sampled).
    """

    metrics: pd.DataFrame
    scores: pd.DataFrame
    gains: pd.DataFrame
    roc: pd.DataFrame
    pr: pd.DataFrame
    calibration: pd.DataFrame
    importance: pd.DataFrame
    model_name: str = field(default="logistic")
    n_importance_customers: int | None = field(default=None)


#: Curves (gains, ROC, precision-recall) with more points than this are thinned for the figures.
_MAX_CURVE_POINTS = 20_001

#: Permutation importance is measured on at most this many customers by default (a stratified sample above).
MAX_IMPORTANCE_CUSTOMERS = 200_000


def _rank_order(score, ids):
    """Positions sorted by score descending, ties broken by customer_id (deterministic).

    ``ids=None`` says the positions are already in customer_id order (a sorted, unique index), so
    ties keep their positions: the same order without sorting millions of id strings."""
    if ids is None:
        return np.argsort(-score, kind="stable")
    return np.lexsort((ids, -score))


def _thin(frame: pd.DataFrame, max_points: int | None = None) -> pd.DataFrame:
    """At most ``max_points`` rows of a curve: evenly spaced points of it, the first and last kept (every point is a
    point of the exact curve; a curve of a million customers is drawn from 20,001 of them)."""
    max_points = _MAX_CURVE_POINTS if max_points is None else max_points
    if len(frame) <= max_points:
        return frame
    keep = np.unique(np.linspace(0, len(frame) - 1, max_points).round().astype(np.int64))
    return frame.iloc[keep].reset_index(drop=True)


def _top_decile_lift(y, score, ids):
    order = _rank_order(score, ids)
    k = max(1, int(np.ceil(0.1 * len(y))))
    return float(y[order[:k]].mean() / y.mean()) if y.mean() > 0 else np.nan


def _gains(y, score, ids, name):
    order = _rank_order(score, ids)
    cum = np.concatenate([[0], np.cumsum(y[order])]) / max(y.sum(), 1)
    frac = np.arange(len(y) + 1) / len(y)
    return _thin(pd.DataFrame({"scorer": name, "fraction_targeted": frac, "fraction_churners": cum}))


def evaluate_churn(model, features, labels, *, n_repeats=3, random_state=0,
                   max_importance_customers=MAX_IMPORTANCE_CUSTOMERS) -> ChurnEvaluation:
    """Evaluate a fitted :class:`ChurnModel` and the two baselines on the same customers.

    Baselines: ``recency`` ranks customers by days since their last purchase (``recency_days``);
    ``bgnbd`` uses the BG/NBD probability of no purchase within the horizon (``p_no_purchase``).
    Metrics: ROC AUC, PR AUC (average precision), Brier score (Brier 1950), top-decile lift (churn rate of
    the 10% highest scores over the overall churn rate; ties broken by customer_id), cumulative gains and
    permutation importance of the model (Breiman 2001; scikit-learn ``permutation_importance`` with ROC AUC).

    Parameters
    ----------
    model : ChurnModel
        Fitted at an earlier cutoff.
    features, labels : pandas.DataFrame
        :func:`churn_features` and :func:`churn_labels` at the evaluation cutoff.
    n_repeats : int, default=3
        Repeats of the permutation importance.
    random_state : int, default=0
        Seed of the permutations (and of the importance sample).
    max_importance_customers : int or None, default=200_000
        The permutation importance is measured on at most this many customers: with more, on a random
        sample of this size stratified by label (``n_importance_customers`` says how many; None: all).
        The metrics and curves always use every customer; curves of more than 20,001 points are kept as
        20,001 evenly spaced points of the exact curve.

    Returns
    -------
    ChurnEvaluation
    """
    from sklearn.calibration import calibration_curve
    from sklearn.inspection import permutation_importance
    from sklearn.metrics import (
        average_precision_score,
        brier_score_loss,
        precision_recall_curve,
        roc_auc_score,
        roc_curve,
    )

    if not isinstance(model, ChurnModel):
        raise ParameterError(f"The 'model' parameter must be a fitted ChurnModel. Got {type(model).__name__} instead.")
    model._check_fitted()
    X, y = _align(features, labels)
    for col in ("recency_days", "p_no_purchase"):
        if col not in X.columns:
            raise MissingColumnError(
                f"The 'features' table has no column {col!r}, which a baseline needs; use churn_features(..., bgnbd=True).")
    if y.min() == y.max():
        raise InputError("The evaluation labels hold only one class (all churned or none); ROC AUC is undefined. "
                         "Use another cutoff or more customers.")
    max_importance_customers = check_int("max_importance_customers", max_importance_customers, lo=2, none_ok=True)
    # ties are broken by customer_id: X's index is sorted and unique (see _align), so by position
    ids = None if X.index.is_monotonic_increasing and X.index.is_unique else X.index.to_numpy().astype(str)
    p = model.predict_proba(X).to_numpy()
    base = getattr(model, "recency_baseline_", None)
    p_rec = base.predict_proba(_recency_input(X))[:, 1] if base is not None else np.full(len(y), np.nan)
    scores = pd.DataFrame({"p_churn": p, "recency_days": X["recency_days"].to_numpy(), "p_churn_recency": p_rec,
                           "p_no_purchase": X["p_no_purchase"].to_numpy(), "churned": y.astype(bool)}, index=X.index)
    cols = {"model": "p_churn", "recency": "recency_days", "bgnbd": "p_no_purchase"}
    probs = {"model": "p_churn", "recency": "p_churn_recency", "bgnbd": "p_no_purchase"}
    rows, gains, roc, pr, cal = [], [], [], [], []
    for name, col in cols.items():  # three scorers
        s = scores[col].to_numpy(dtype="float64")
        prob = scores[probs[name]].to_numpy(dtype="float64")
        is_prob = not np.isnan(prob).any()
        rows.append({"scorer": name, "roc_auc": roc_auc_score(y, s), "pr_auc": average_precision_score(y, s),
                     "brier": brier_score_loss(y, prob) if is_prob else np.nan,
                     "top_decile_lift": _top_decile_lift(y, s, ids), "n_customers": len(y), "churn_rate": float(y.mean())})
        gains.append(_gains(y, s, ids, name))
        fpr, tpr, _ = roc_curve(y, s)
        roc.append(_thin(pd.DataFrame({"scorer": name, "fpr": fpr, "tpr": tpr})))
        prec, rec, _ = precision_recall_curve(y, s)
        pr.append(_thin(pd.DataFrame({"scorer": name, "recall": rec, "precision": prec})))
        if is_prob:
            frac, mean_pred = calibration_curve(y, prob, n_bins=10, strategy="quantile")
            cal.append(pd.DataFrame({"scorer": name, "mean_predicted": mean_pred, "fraction_churned": frac}))
    metrics = pd.DataFrame(rows).set_index("scorer")
    X_imp, y_imp = _fit_sample(X.loc[:, list(model.feature_names_in_)], y, max_importance_customers,
                               np.random.RandomState(random_state), 2)
    with model._threads():
        imp = permutation_importance(_blocked(model.estimator_, len(y_imp)), X_imp.to_numpy(dtype="float64"),
                                     y_imp, scoring="roc_auc", n_repeats=n_repeats, random_state=random_state)
    n_importance = len(y_imp)
    del X_imp, y_imp
    importance = pd.DataFrame({"feature": list(model.feature_names_in_), "importance_mean": imp.importances_mean,
                               "importance_std": imp.importances_std})
    importance = importance.sort_values(["importance_mean", "feature"], ascending=[False, True], ignore_index=True)
    return ChurnEvaluation(metrics=metrics, scores=scores, gains=pd.concat(gains, ignore_index=True),
                           roc=pd.concat(roc, ignore_index=True), pr=pd.concat(pr, ignore_index=True),
                           calibration=pd.concat(cal, ignore_index=True), importance=importance, model_name=model.model,
                           n_importance_customers=n_importance)


@dataclass
class ChurnBacktest:
    """A churn model trained at ``train_cutoff`` and evaluated at ``test_cutoff`` (see :func:`churn_backtest`)."""

    model: ChurnModel
    evaluation: ChurnEvaluation
    train_features: pd.DataFrame
    train_labels: pd.DataFrame
    test_features: pd.DataFrame
    test_labels: pd.DataFrame
    train_cutoff: pd.Timestamp
    test_cutoff: pd.Timestamp
    horizon_days: int
    #: The scorer chosen at the training cutoff (:class:`crmmine.SelectedChurnModel`); None with ``choose=False``.
    selected: object = None
    #: Every candidate at the test cutoff: ``roc_auc``, ``pr_auc``, the cross-validated ``cv_roc_auc``,
    #: ``cv_pr_auc`` at the training cutoff, and ``chosen`` (index: stacked, model, bgnbd, recency).
    choice: pd.DataFrame | None = None

    @property
    def chosen(self) -> str:
        """The scorer the report uses: ``"stacked"``, ``"model"``, ``"bgnbd"`` or ``"recency"`` (``"model"`` without a choice)."""
        return "model" if self.selected is None else self.selected.chosen_

    @property
    def metrics(self) -> pd.DataFrame:
        """The metrics table of :attr:`evaluation`, with the cutoffs as columns."""
        m = self.evaluation.metrics.copy()
        m["train_cutoff"], m["test_cutoff"], m["horizon_days"] = self.train_cutoff, self.test_cutoff, self.horizon_days
        return m


def churn_backtest(tx, *, train_cutoff, test_cutoff, horizon_days=90, model="logistic", random_state=0, returns=None,
                   calibration="sigmoid", min_orders=1, lookback_days=None, windows=(30, 90, 180),
                   choose=True, max_fit_customers=1_000_000) -> ChurnBacktest:
    """Train at ``train_cutoff``, evaluate at the later ``test_cutoff``: an honest time split.

    The training label window ``(train_cutoff, train_cutoff + horizon_days]`` must end on or before
    ``test_cutoff``, so nothing the model learned from overlaps what it is judged on.

    Parameters
    ----------
    tx : pandas.DataFrame or crmmine.engine.LazyTransactions
        Canonical transactions reaching at least ``test_cutoff + horizon_days``. A lazy table (DuckDB,
        Spark): features and labels are counted in its engine, the models fitted on what comes back.
    train_cutoff, test_cutoff : date-like
    horizon_days : int, default=90
    model : {"logistic", "hgb"}, default="logistic"
    random_state : int, default=0
    returns : pandas.DataFrame or None
        Return lines (see :func:`churn_features`).
    calibration : {"sigmoid", "isotonic"}, default="sigmoid"
    min_orders, lookback_days : eligibility of :func:`churn_labels`.
    windows : feature windows of :func:`churn_features`.
    choose : bool, default=True
        Also fit a :class:`crmmine.SelectedChurnModel` at the training cutoff: the model, a stacked model
        (the model with both baseline scores) and the baselines, one of them chosen by cross-validation
        there, so the scores used are never knowingly worse than a baseline. ``.chosen`` names it and
        ``.choice`` reports every candidate at the test cutoff.
    max_fit_customers : int or None, default=1_000_000
        The models are fitted on a label-stratified random sample of this many customers when the training
        cutoff has more (:class:`ChurnModel`); they are evaluated on every customer. None: all customers.

    Returns
    -------
    ChurnBacktest
        ``.model``, ``.evaluation`` (metrics for the model and both baselines, curves, importance),
        ``.metrics``, the features/labels at both cutoffs, and with ``choose``: ``.selected``,
        ``.chosen``, ``.choice``.
    """
    train_cutoff = check_date("train_cutoff", train_cutoff, none_ok=False)
    test_cutoff = check_date("test_cutoff", test_cutoff, none_ok=False)
    horizon_days = check_int("horizon_days", horizon_days, lo=1)
    if train_cutoff + pd.Timedelta(days=horizon_days) > test_cutoff:
        raise ParameterError(
            f"The 'train_cutoff' parameter must be at least horizon_days={horizon_days} days before 'test_cutoff' "
            f"({test_cutoff:%Y-%m-%d}) so the label windows do not overlap. Got {train_cutoff:%Y-%m-%d} instead."
        )
    _check_tx(tx)
    _check_reach(tx, test_cutoff, horizon_days, "test_cutoff")
    kw = dict(horizon_days=horizon_days, windows=windows, returns=returns)
    lab_kw = dict(horizon_days=horizon_days, min_orders=min_orders, lookback_days=lookback_days)
    f_tr = churn_features(tx, cutoff=train_cutoff, **kw)
    l_tr = churn_labels(tx, cutoff=train_cutoff, **lab_kw)
    # both models are fitted before the test tables exist: on millions of customers the fits' working memory
    # and the test features are never held at once
    m = ChurnModel(model, calibration=calibration, random_state=random_state,
                   max_fit_customers=max_fit_customers).fit(f_tr, l_tr)
    selected = choice = None
    if choose:
        selected = SelectedChurnModel(model, calibration=calibration, random_state=random_state,
                                      max_fit_customers=max_fit_customers).fit(f_tr, l_tr)
    f_te = churn_features(tx, cutoff=test_cutoff, **kw)
    l_te = churn_labels(tx, cutoff=test_cutoff, **lab_kw)
    ev = evaluate_churn(m, f_te, l_te, random_state=random_state)
    if choose:
        choice = _choice_table(selected, f_te, l_te)
    return ChurnBacktest(m, ev, f_tr, l_tr, f_te, l_te, train_cutoff, test_cutoff, horizon_days, selected, choice)


def _choice_table(selected, features, labels) -> pd.DataFrame:
    """Every candidate of ``selected`` scored at the test cutoff beside its cross-validated figures."""
    X, y = _align(features, labels)
    scores = selected.candidate_scores(X)
    table = _scores_table(y, {c: scores[c].to_numpy() for c in CANDIDATES})
    cv = selected.selection_
    table["cv_roc_auc"] = cv["roc_auc"].reindex(table.index)
    table["cv_pr_auc"] = cv["pr_auc"].reindex(table.index)
    table["chosen"] = table.index == selected.chosen_
    return table


def churn_choice_finding(backtest, *, lang=None) -> str:
    """One sentence: which churn scores are used, why, and how they did at the test cutoff.

    Parameters
    ----------
    backtest : ChurnBacktest
        From :func:`churn_backtest` with ``choose=True``.
    lang : {"en", "zh"} or None
    """
    if not isinstance(backtest, ChurnBacktest) or backtest.choice is None:
        raise ParameterError("The 'backtest' parameter must be a ChurnBacktest made with choose=True. "
                             f"Got {type(backtest).__name__} instead.")
    t = backtest.choice
    c = backtest.chosen
    base = t.loc[["recency", "bgnbd"]]
    key = "churn.finding.choice_ok" if (t.loc[c, ["roc_auc", "pr_auc"]] >= base[["roc_auc", "pr_auc"]].max() - 1e-12).all() \
        else "churn.finding.choice_short"
    model = label(f"churn.model.{backtest.model.model}", lang)
    return label(key, lang, chosen=label(f"churn.candidate.{c}", lang, model=model),
                 roc=f"{t.loc[c, 'roc_auc']:.3f}", pr=f"{t.loc[c, 'pr_auc']:.3f}",
                 base_roc=f"{base['roc_auc'].max():.3f}", base_pr=f"{base['pr_auc'].max():.3f}",
                 cutoff=f"{backtest.train_cutoff:%Y-%m-%d}")


def churn_finding(evaluation, *, metric="roc_auc", tolerance=0.01, lang=None) -> str:
    """One honest sentence: does the model beat the best baseline on ``metric``?

    A baseline within ``tolerance`` of the model is reported as "as good as the model"; one more than
    ``tolerance`` above it as "better than the model".

    Parameters
    ----------
    evaluation : ChurnEvaluation or ChurnBacktest
    metric : {"roc_auc", "pr_auc", "top_decile_lift"}, default="roc_auc"
    tolerance : float, default=0.01
    lang : {"en", "zh"} or None

    Examples
    --------
    The sentence reads e.g. "The recency baseline is as good as the model here: ROC AUC 0.71 vs 0.72."
    """
    if isinstance(evaluation, ChurnBacktest):
        evaluation = evaluation.evaluation
    if not isinstance(evaluation, ChurnEvaluation):
        raise ParameterError(f"The 'evaluation' parameter must be a ChurnEvaluation or ChurnBacktest. Got {type(evaluation).__name__} instead.")
    if metric not in ("roc_auc", "pr_auc", "top_decile_lift"):
        raise ParameterError(f"The 'metric' parameter must be one of 'roc_auc', 'pr_auc', 'top_decile_lift'. Got {metric!r} instead.")
    m = evaluation.metrics[metric]
    model_v = float(m["model"])
    base = m.drop("model")
    best = str(base.idxmax())
    best_v = float(base[best])
    fmt = dict(metric=label(f"churn.metric.{metric}", lang), baseline=label(f"churn.scorer.{best}", lang),
               model=label(f"churn.model.{evaluation.model_name}", lang), model_value=f"{model_v:.2f}",
               baseline_value=f"{best_v:.2f}", margin=f"{abs(model_v - best_v):.2f}")
    diff = model_v - best_v
    key = "churn.finding.beats" if diff > tolerance else ("churn.finding.as_good" if diff >= -tolerance else "churn.finding.worse")
    return label(key, lang, **fmt)


# --------------------------------------------------------------------------- sentences for reports
def summarise_labels(labels, *, cutoff, horizon_days, lang=None) -> str:
    """One sentence: how many customers were eligible at the cutoff and what share churned."""
    if not isinstance(labels, pd.DataFrame) or "churned" not in labels.columns:
        raise MissingColumnError("The 'labels' table has no column 'churned'; pass the result of churn_labels.")
    cutoff = check_date("cutoff", cutoff, none_ok=False)
    return label("churn.summary.labels", lang, n=f"{len(labels):,}", cutoff=f"{cutoff:%Y-%m-%d}",
                 rate=f"{labels['churned'].mean():.0%}", horizon=horizon_days)


def summarise_fit_sample(model, *, cutoff=None, lang=None) -> str:
    """One sentence when the churn models were fitted on a sample of the customers (``max_fit_customers``), else ``""``.

    Parameters
    ----------
    model : ChurnBacktest, ChurnModel or SelectedChurnModel
        Fitted. A backtest speaks of its training cutoff and of the model and selected scorer fitted there.
    cutoff : date-like, optional
        The cutoff the model was fitted at (taken from a backtest).
    lang : {"en", "zh"} or None
    """
    if isinstance(model, ChurnBacktest):
        cutoff = model.train_cutoff if cutoff is None else cutoff
        models = [m for m in (model.model, model.selected) if m is not None]
    elif isinstance(model, (ChurnModel, SelectedChurnModel)):
        models = [model]
    else:
        raise ParameterError("The 'model' parameter must be a ChurnBacktest, ChurnModel or SelectedChurnModel. "
                             f"Got {type(model).__name__} instead.")
    for m in models:
        if not hasattr(m, "n_fit_customers_"):
            raise ParameterError(f"The {type(m).__name__} is not fitted yet.")
    sampled = [m for m in models if m.n_fit_customers_ < m.n_customers_]
    if not sampled:
        return ""
    cutoff = check_date("cutoff", cutoff, none_ok=False)
    m = sampled[0]
    return label("churn.summary.fit_sample", lang, cutoff=f"{cutoff:%Y-%m-%d}", n=f"{m.n_customers_:,}",
                 n_fit=f"{m.n_fit_customers_:,}")


def summarise_calibration(evaluation, *, lang=None) -> str:
    """One sentence: the mean gap between predicted and observed churn over the reliability bins."""
    ev = evaluation.evaluation if isinstance(evaluation, ChurnBacktest) else evaluation
    if not isinstance(ev, ChurnEvaluation):
        raise ParameterError(f"The 'evaluation' parameter must be a ChurnEvaluation or ChurnBacktest. Got {type(ev).__name__} instead.")
    gap = (ev.calibration["mean_predicted"] - ev.calibration["fraction_churned"]).abs().groupby(ev.calibration["scorer"]).mean()
    return label("churn.summary.calibration", lang, model=label(f"churn.model.{ev.model_name}", lang),
                 gap=f"{100 * gap.get('model', np.nan):.1f}", baseline_gap=f"{100 * gap.get('bgnbd', np.nan):.1f}")


def summarise_importance(evaluation, *, n=3, lang=None) -> str:
    """One sentence: the ``n`` features whose shuffling costs the most ROC AUC."""
    ev = evaluation.evaluation if isinstance(evaluation, ChurnBacktest) else evaluation
    if not isinstance(ev, ChurnEvaluation):
        raise ParameterError(f"The 'evaluation' parameter must be a ChurnEvaluation or ChurnBacktest. Got {type(ev).__name__} instead.")
    top = ev.importance.head(n)
    items = ", ".join(f"{f} ({v:.3f})" for f, v in zip(top["feature"], top["importance_mean"]))
    return label("churn.summary.importance", lang, features=items)
