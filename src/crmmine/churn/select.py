"""Churn scores at least as good as the best baseline: stacking and an honest choice among candidates.

A churn model that loses to "days since the last purchase" or to BG/NBD's probability of no
purchase should not be used. :class:`SelectedChurnModel` fits, at one cutoff:

* the :class:`~crmmine.churn.model.ChurnModel` itself;
* a **stacked** model (stacked generalisation, Wolpert 1992; Breiman 1996): a logistic regression
  on ``logit(P_model)``, ``log(1 + recency_days)`` and ``logit(P_BG/NBD(no purchase))``, trained on
  the model's *out-of-fold* predictions so it learns how far to trust the model against the two
  baselines;

and then **chooses** among the model, the stacked model and the two baselines by their
cross-validated ROC AUC and PR AUC on that cutoff's customers: a learned scorer is chosen only
if it is at least as good as both baselines on both measures; otherwise the better baseline is
used. The choice is made before the test cutoff is seen (:func:`crmmine.churn_backtest` then
reports every candidate at the test cutoff, and which one is used).

References
----------
.. [1] D. H. Wolpert (1992), "Stacked generalization", Neural Networks 5(2), 241-259.
.. [2] L. Breiman (1996), "Stacked regressions", Machine Learning 24(1), 49-64.
.. [3] P. S. Fader, B. G. S. Hardie, K. L. Lee (2005), "'Counting your customers' the easy way: an
   alternative to the Pareto/NBD model", Marketing Science 24(2), 275-284 (BG/NBD).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import MissingColumnError, NotFittedError, ParameterError
from ..validation import check_int
from .model import ChurnModel, _align, _fit_recency_baseline, _fit_sample, _recency_input

__all__ = ["SelectedChurnModel", "CANDIDATES"]

#: Candidate scorers of :class:`SelectedChurnModel`, in order of preference on a tie.
CANDIDATES: tuple[str, ...] = ("stacked", "model", "bgnbd", "recency")
_BASELINES = ("recency", "bgnbd")
_EPS = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype="float64"), _EPS, 1.0 - _EPS)
    return np.log(p / (1.0 - p))


def _stack_inputs(p_model: np.ndarray, X: pd.DataFrame) -> np.ndarray:
    """The stacker's three inputs (input already validated)."""
    return np.column_stack([_logit(p_model), _recency_input(X)[:, 0], _logit(X["p_no_purchase"].to_numpy())])


def _scores_table(y, scores: dict[str, np.ndarray]) -> pd.DataFrame:
    from sklearn.metrics import average_precision_score, roc_auc_score

    rows = [{"scorer": k, "roc_auc": roc_auc_score(y, s), "pr_auc": average_precision_score(y, s)}
            for k, s in scores.items()]
    return pd.DataFrame(rows).set_index("scorer")


def choose_scorer(table: pd.DataFrame) -> str:
    """The scorer to use from a table of ROC AUC and PR AUC per candidate (index ``scorer``).

    A learned scorer (``stacked`` or ``model``) qualifies when its ROC AUC and PR AUC are both at
    least those of each baseline; among the qualified the one with the higher mean of the two is
    chosen (ties: ``stacked`` first). With none qualified, the baseline with the higher mean.
    """
    mean = table[["roc_auc", "pr_auc"]].mean(axis=1)
    best_base = table.loc[[b for b in _BASELINES if b in table.index], ["roc_auc", "pr_auc"]].max()
    learned = [c for c in ("stacked", "model") if c in table.index
               and (table.loc[c, ["roc_auc", "pr_auc"]] >= best_base - 1e-12).all()]
    pool = learned or [b for b in ("bgnbd", "recency") if b in table.index]
    return max(pool, key=lambda c: (round(float(mean[c]), 12), -CANDIDATES.index(c)))


class SelectedChurnModel:
    """A churn scorer chosen among the model, a stacked model and the two baselines (see module docs).

    Parameters
    ----------
    model : {"logistic", "hgb"}, default="logistic"
        The :class:`ChurnModel` inside.
    calibration : {"sigmoid", "isotonic"}, default="sigmoid"
    cv : int, default=3
        Folds of the out-of-fold predictions and of the choice.
    random_state : int or None, default=None
    n_threads : int or None, default=1
    max_fit_customers : int or None, default=1_000_000
        With more customers, everything (the folds, the stacker, the choice, the model) is fitted on a random
        sample of this size stratified by label, drawn with ``random_state`` (see :class:`ChurnModel`); None:
        all customers.

    Attributes
    ----------
    model_ : ChurnModel
        Fitted on every customer (of the sample, above ``max_fit_customers``).
    stacker_ : sklearn.linear_model.LogisticRegression
        Fitted on the out-of-fold model predictions and the baseline scores.
    recency_baseline_ : sklearn.linear_model.LogisticRegression
        ``log(1 + recency_days)`` turned into a probability.
    selection_ : pandas.DataFrame
        Cross-validated ``roc_auc`` and ``pr_auc`` of each candidate at the fitting cutoff, and ``chosen``.
    chosen_ : str
        The candidate :meth:`predict_proba` uses: ``"stacked"``, ``"model"``, ``"bgnbd"`` or ``"recency"``.
    n_customers_, n_fit_customers_ : int
        Customers with features and labels, and those fitted on (fewer above ``max_fit_customers``).
    """

    def __init__(self, model="logistic", *, calibration="sigmoid", cv=3, random_state=None, n_threads=1,
                 max_fit_customers=1_000_000):
        self.model = model
        self.calibration = calibration
        self.cv = cv
        self.random_state = random_state
        self.n_threads = n_threads
        self.max_fit_customers = max_fit_customers

    def get_params(self, deep=True):
        return {k: getattr(self, k) for k in ("model", "calibration", "cv", "random_state", "n_threads", "max_fit_customers")}

    def set_params(self, **params):
        for k, v in params.items():
            if k not in self.get_params():
                raise ParameterError(f"SelectedChurnModel has no parameter {k!r}. Valid: {', '.join(self.get_params())}.")
            setattr(self, k, v)
        return self

    def __repr__(self):
        return f"SelectedChurnModel(model={self.model!r}, cv={self.cv!r}, random_state={self.random_state!r})"

    def _inner(self, seed):
        return ChurnModel(self.model, calibration=self.calibration, random_state=seed, n_threads=self.n_threads,
                          max_fit_customers=self.max_fit_customers)

    def fit(self, features, labels):
        """Fit the model, the stacker and the choice on one cutoff's features and labels.

        Returns
        -------
        self
        """
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict
        from sklearn.utils import check_random_state

        check_int("cv", self.cv, lo=2)
        check_int("max_fit_customers", self.max_fit_customers, lo=1, none_ok=True)
        X, y = _align(features, labels)
        n_customers = len(y)
        for col in ("recency_days", "p_no_purchase"):
            if col not in X.columns:
                raise MissingColumnError(f"The 'features' table has no column {col!r}, which a baseline needs; "
                                         "use churn_features(..., bgnbd=True).")
        rs = check_random_state(self.random_state)
        seed = int(rs.randint(np.iinfo(np.int32).max))
        X, y = _fit_sample(X, y, self.max_fit_customers, rs, self.cv)  # drawn after the seed: unchanged below the bound
        folds = StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=seed)
        oof = np.empty(len(y))
        for tr, te in folds.split(X, y):  # cv folds (a handful), not customers
            m = self._inner(seed).fit(X.iloc[tr], pd.Series(y[tr].astype(bool), index=X.index[tr]))
            oof[te] = m.predict_proba(X.iloc[te]).to_numpy()
        Z = _stack_inputs(oof, X)
        stacker = LogisticRegression()
        oof_stacked = cross_val_predict(stacker, Z, y, cv=folds, method="predict_proba")[:, 1]
        self.stacker_ = LogisticRegression().fit(Z, y)
        self.model_ = self._inner(seed).fit(X, pd.Series(y.astype(bool), index=X.index))
        self.recency_baseline_ = _fit_recency_baseline(X, y)
        table = _scores_table(y, {"stacked": oof_stacked, "model": oof, "bgnbd": X["p_no_purchase"].to_numpy(),
                                  "recency": X["recency_days"].to_numpy()})
        self.chosen_ = choose_scorer(table)
        table["chosen"] = table.index == self.chosen_
        self.selection_ = table
        self.n_customers_ = n_customers
        self.n_fit_customers_ = len(y)
        return self

    def _check_fitted(self):
        if not hasattr(self, "chosen_"):
            raise NotFittedError("This SelectedChurnModel is not fitted yet. Call 'fit' with features and labels first.")

    def candidate_scores(self, features) -> pd.DataFrame:
        """P(churn) of every candidate, one column each (``stacked``, ``model``, ``bgnbd``, ``recency``)."""
        self._check_fitted()
        p_model = self.model_.predict_proba(features).to_numpy()
        X = features
        p_stacked = self.stacker_.predict_proba(_stack_inputs(p_model, X))[:, 1]
        p_rec = self.recency_baseline_.predict_proba(_recency_input(X))[:, 1]
        return pd.DataFrame({"stacked": p_stacked, "model": p_model, "bgnbd": X["p_no_purchase"].to_numpy(dtype="float64"),
                             "recency": p_rec}, index=features.index)

    def predict_proba(self, features) -> pd.Series:
        """P(churn) per customer from the chosen candidate: a Series named ``p_churn``."""
        s = self.candidate_scores(features)[self.chosen_]
        return s.rename("p_churn")
