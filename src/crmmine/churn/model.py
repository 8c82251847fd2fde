"""The churn model: a calibrated classifier on the churn features (logistic or gradient boosting)."""

from __future__ import annotations


import numpy as np
import pandas as pd

from ..errors import InputError, MissingColumnError, NotFittedError, ParameterError
from ..validation import check_int

__all__ = ['ChurnModel']

# --------------------------------------------------------------------------- model
def _signed_log1p(X):
    """sign(x) log(1 + |x|): tames the long tails of spend and counts for the logistic model."""
    return np.sign(X) * np.log1p(np.abs(X))


def _clip5(X):
    """Clip standardised features to [-5, 5]: a near-constant training column (e.g. P(alive) close to 1)
    must not explode on customers scored at another cutoff."""
    return np.clip(X, -5.0, 5.0)


class ChurnModel:
    """A calibrated churn classifier: P(churn) from :func:`churn_features`.

    Parameters
    ----------
    model : {"logistic", "hgb"}, default="logistic"
        ``"logistic"``: median imputation (with missing-value indicators), dropping near-constant columns
        (variance < 1e-6, e.g. P(alive) when the BG/NBD dropout rate is ~0), signed ``log1p``, standard
        scaling clipped to [-5, 5] and an L2 logistic regression. ``"hgb"``: scikit-learn's HistGradientBoostingClassifier
        (missing values handled natively).
    calibration : {"sigmoid", "isotonic"}, default="sigmoid"
        Method of :class:`sklearn.calibration.CalibratedClassifierCV` (Platt 1999; Zadrozny & Elkan 2002).
    cv : int, default=3
        Folds of the calibration. All rows are customers at the *same* training cutoff with labels from the
        same window, so the folds split customers, not time; no data after the training label window is used,
        and evaluation is always at a later cutoff (:func:`churn_backtest`).
    C : float, default=1.0
        Inverse regularisation strength of the logistic model.
    max_iter : int, default=100
        Boosting iterations of ``"hgb"`` (and iterations of the logistic solver x 5).
    learning_rate : float, default=0.1
        Learning rate of ``"hgb"``.
    n_threads : int or None, default=1
        OpenMP threads of ``"hgb"`` while fitting and predicting (None: OpenMP's default). Churn tables have
        thousands of rows, where threads save little, and on a busy machine OpenMP's busy-waiting made a
        fit 40 times slower in our measurements (benchmarks/README.md).
    random_state : int or None, default=None
        Seed of the folds and of the boosting; stored as given, resolved in :meth:`fit`.
    max_fit_customers : int or None, default=1_000_000
        At most this many customers are used to fit: with more, a random sample of this size stratified
        by label (churned or not), drawn with ``random_state``, so a shop with millions of customers fits in
        bounded memory and time; predictions are still made for every customer. None: always all customers.
        Below the bound nothing changes.

    Attributes
    ----------
    estimator_ : sklearn.calibration.CalibratedClassifierCV
    feature_names_in_ : numpy.ndarray of str
    reference_ : pandas.Series
        Training medians of the features (used by :meth:`reason_contributions`).
    churn_rate_ : float
        Share of churned customers in the training labels.
    recency_baseline_ : sklearn.linear_model.LogisticRegression or None
        The "days since last purchase" baseline turned into a probability at the training cutoff: a logistic
        regression on ``log(1 + recency_days)`` (Platt 1999 scaling of one score); None without that column.
        :func:`evaluate_churn` uses it for the baseline's Brier score and reliability curve.
    n_customers_ : int
        Customers with both features and labels.
    n_fit_customers_ : int
        Customers the model was fitted on (``n_customers_`` unless above ``max_fit_customers``).
    """

    def __init__(self, model="logistic", *, calibration="sigmoid", cv=3, C=1.0, max_iter=100, learning_rate=0.1,
                 n_threads=1, random_state=None, max_fit_customers=1_000_000):
        self.model = model
        self.calibration = calibration
        self.cv = cv
        self.C = C
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.n_threads = n_threads
        self.random_state = random_state
        self.max_fit_customers = max_fit_customers

    def get_params(self, deep=True):
        return {k: getattr(self, k) for k in ("model", "calibration", "cv", "C", "max_iter", "learning_rate", "n_threads",
                                          "random_state", "max_fit_customers")}

    def set_params(self, **params):
        for k, v in params.items():
            if k not in self.get_params():
                raise ParameterError(f"ChurnModel has no parameter {k!r}. Valid: {', '.join(self.get_params())}.")
            setattr(self, k, v)
        return self

    def __repr__(self):
        return f"ChurnModel(model={self.model!r}, calibration={self.calibration!r}, random_state={self.random_state!r})"

    def _pipeline(self, rs):
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.feature_selection import VarianceThreshold
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import FunctionTransformer, StandardScaler

        if self.model == "logistic":
            return make_pipeline(SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                                 VarianceThreshold(1e-6), FunctionTransformer(_signed_log1p), StandardScaler(), FunctionTransformer(_clip5),
                                 LogisticRegression(C=self.C, max_iter=5 * self.max_iter))
        return HistGradientBoostingClassifier(max_iter=self.max_iter, learning_rate=self.learning_rate,
                                              early_stopping=False, random_state=rs)

    def fit(self, features, labels):
        """Fit on the features and labels of one cutoff (aligned on ``customer_id``).

        Parameters
        ----------
        features : pandas.DataFrame
            From :func:`churn_features`.
        labels : pandas.DataFrame or pandas.Series
            From :func:`churn_labels` (its ``churned`` column) or a boolean Series; customers present in both
            are used.

        Returns
        -------
        self
        """
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.model_selection import StratifiedKFold
        from sklearn.utils import check_random_state

        if self.model not in ("logistic", "hgb"):
            raise ParameterError(f"The 'model' parameter must be one of 'logistic', 'hgb'. Got {self.model!r} instead.")
        if self.calibration not in ("sigmoid", "isotonic"):
            raise ParameterError(
                f"The 'calibration' parameter must be one of 'sigmoid', 'isotonic'. Got {self.calibration!r} instead.")
        check_int("cv", self.cv, lo=2)
        check_int("max_fit_customers", self.max_fit_customers, lo=1, none_ok=True)
        X, y = _align(features, labels)
        n_customers = len(y)
        counts = np.bincount(y, minlength=2)
        if counts.min() < self.cv:
            raise InputError(
                f"The labels must hold at least cv={self.cv} churned and {self.cv} retained customers to fit a calibrated "
                f"model. Got {counts[1]} churned and {counts[0]} retained; use more data or another cutoff."
            )
        rs = check_random_state(self.random_state)
        seed = int(rs.randint(np.iinfo(np.int32).max))
        X, y = _fit_sample(X, y, self.max_fit_customers, rs, self.cv)  # drawn after the seed: unchanged below the bound
        folds = StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=seed)
        if self.n_threads is not None:
            check_int("n_threads", self.n_threads, lo=1)
        est = CalibratedClassifierCV(self._pipeline(seed), method=self.calibration, cv=folds)
        with self._threads():
            est.fit(X.to_numpy(dtype="float64"), y)
        self.estimator_ = est
        self.recency_baseline_ = _fit_recency_baseline(X, y)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.reference_ = X.median()
        self.churn_rate_ = float(y.mean())
        self.n_customers_ = n_customers
        self.n_fit_customers_ = len(y)
        return self

    def _threads(self):
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=self.n_threads, user_api="openmp")

    def _check_fitted(self):
        if not hasattr(self, "estimator_"):
            raise NotFittedError("This ChurnModel is not fitted yet. Call 'fit' with features and labels first.")

    def _X(self, features):
        """The model's columns of ``features`` as floats (a copy), after :meth:`_check_features`."""
        self._check_features(features)
        return features.loc[:, list(self.feature_names_in_)].astype("float64")

    def _check_features(self, features):
        self._check_fitted()
        if not isinstance(features, pd.DataFrame):
            raise InputError(f"The 'features' parameter must be a DataFrame from churn_features. Got {type(features).__name__} instead.")
        missing = [c for c in self.feature_names_in_ if c not in features.columns]
        if missing:
            raise MissingColumnError(
                f"The 'features' table has no column {missing[0]!r}, which the model was fitted with. "
                "Compute the features with the same churn_features options as for fitting."
            )

    def predict_proba(self, features) -> pd.Series:
        """P(churn) per customer: a Series named ``p_churn`` indexed like ``features``."""
        self._check_features(features)
        p = np.empty(len(features))
        with self._threads():
            # blocks of rows taken from the features: the model's float copy of them is one block's
            for i in range(0, max(len(features), 1), _BLOCK):  # an empty table fails in the model as before
                p[i:i + _BLOCK] = self.estimator_.predict_proba(self._X(features.iloc[i:i + _BLOCK]).to_numpy())[:, 1]
        return pd.Series(p, index=features.index, name="p_churn")

    def reason_contributions(self, features) -> pd.DataFrame:
        """How much each feature raises each customer's P(churn) above a typical value.

        For each feature j: ``P(churn | x) - P(churn | x with x_j set to its training median)``, a
        model-agnostic occlusion attribution (Zeiler & Fergus 2014, sec. 4.2; Robnik-Šikonja & Kononenko
        2008). Positive values push this customer's risk up. The gradient-boosting model predicts the table once per
        feature; the logistic model's pipeline maps each column on its own, so its contributions come from one pass
        of the pipeline through the regression's score (the same numbers to ~1e-16, exactly 0 for a feature at its
        reference; checked against prediction on the first rows, else the per-feature prediction is used): about 15x
        faster on 1M customers.

        Returns
        -------
        pandas.DataFrame
            Same index as ``features``, one column per model feature.
        """
        X = self._X(features)
        arr = X.to_numpy()
        del X
        out = np.empty_like(arr)
        ref = self.reference_[list(self.feature_names_in_)].to_numpy(dtype="float64")
        with self._threads():
            folds = _linear_folds(self.estimator_, arr.shape[1])
            if folds is not None and not _same_contributions(folds, self.estimator_, arr[:_CHECK_ROWS], ref):
                folds = None  # a pipeline the shortcut misreads: predict each occluded table instead
            # blocks of rows: the copies and the model's temporaries stay the size of a block (rows are independent)
            for i in range(0, max(len(arr), 1), _BLOCK):  # an empty table fails in the model as before
                part = arr[i:i + _BLOCK]
                if folds is not None and len(part):
                    out[i:i + _BLOCK] = _linear_contributions(folds, part, ref)
                    continue
                out[i:i + _BLOCK] = _occluded_contributions(self.estimator_, part, ref)
        return pd.DataFrame(out, index=features.index, columns=list(self.feature_names_in_))


def _occluded_contributions(est, part, ref):
    """``P(x) - P(x with x_j := ref_j)`` for every column j of the block ``part``: one prediction per column."""
    out = np.empty_like(part)
    base = est.predict_proba(part)[:, 1]
    for j in range(part.shape[1]):  # loop over features (tens), not customers
        Z = part.copy()
        Z[:, j] = ref[j]
        out[:, j] = base - est.predict_proba(Z)[:, 1]
    return out


#: Rows checked against the occlusion by prediction before the linear shortcut is trusted.
_CHECK_ROWS = 64


def _linear_folds(est, n_features):
    """The calibrated folds of a column-wise pipeline ending in a logistic regression (the "logistic" model), as
    ``(preprocessing, owner, regression, calibrator)`` with ``owner[k]`` the input column that the k-th transformed
    column is made from; None for any other model (gradient boosting, an unknown step).

    Every preprocessing step maps each input column on its own (median imputation and its missing indicators,
    the variance filter, the signed log, scaling, clipping), so setting input column j to its reference changes
    only the transformed columns that j owns, and the regression's score by their weighted change: one pass of
    the pipeline per block instead of one per feature."""
    from sklearn.feature_selection import VarianceThreshold
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    folds = []
    for cc in getattr(est, "calibrated_classifiers_", None) or []:
        pipe = cc.estimator
        if (not isinstance(pipe, Pipeline) or cc.method not in ("sigmoid", "isotonic") or len(cc.calibrators) != 1
                or len(cc.classes) != 2):
            return None
        *pre, last = [step for _, step in pipe.steps]
        if not isinstance(last, LogisticRegression) or last.coef_.shape[0] != 1:
            return None
        owner = np.arange(n_features)
        for step in pre:
            if isinstance(step, SimpleImputer):
                if not step.keep_empty_features and np.isnan(np.asarray(step.statistics_, dtype=float)).any():
                    return None  # columns dropped: the owners would shift
                if step.add_indicator:
                    owner = np.concatenate([owner, owner[np.asarray(step.indicator_.features_, dtype=int)]])
            elif isinstance(step, VarianceThreshold):
                owner = owner[step.get_support()]
            elif not (isinstance(step, StandardScaler) or isinstance(step, FunctionTransformer)
                      and step.func in (_signed_log1p, _clip5) and step.inverse_func is None):
                return None
        if owner.size != last.coef_.shape[1]:
            return None
        folds.append((pipe[:-1], owner, last, cc.calibrators[0]))
    return folds or None


def _linear_contributions(folds, part, ref):
    """:func:`_occluded_contributions` through the regression's score: per fold, the block is transformed once,
    and the score with column j at its reference is the score minus the weighted change of j's transformed
    columns. A column already at its reference changes nothing (exactly 0, as by prediction); otherwise the
    result equals the prediction's to rounding (~1e-16)."""
    n, m = part.shape
    same = (part == ref) | (np.isnan(part) & np.isnan(ref))
    base = np.zeros(n)
    occluded = np.zeros((n, m))
    for pre, owner, reg, cal in folds:  # the calibrated model's mean over folds, summed in its order
        T = pre.transform(part)
        T_ref = pre.transform(ref[None, :])[0]
        score = reg.decision_function(T)
        dz = np.zeros((n, m))
        for k, j in enumerate(owner):  # column by column: no second matrix of the block's size
            dz[:, j] += (T[:, k] - T_ref[k]) * reg.coef_[0, k]
        del T
        dz[same] = 0.0
        base += cal.predict(score)
        for j in range(m):
            occluded[:, j] += cal.predict(score - dz[:, j])
    base /= len(folds)
    occluded /= len(folds)
    return base[:, None] - occluded


def _same_contributions(folds, est, part, ref):
    """Whether the shortcut gives the prediction's contributions on ``part`` (to 1e-9)."""
    if not len(part):
        return True
    return bool(np.allclose(_linear_contributions(folds, part, ref), _occluded_contributions(est, part, ref),
                            rtol=0, atol=1e-9))


#: Rows per block of predictions: the pipeline's temporaries (imputed, log, scaled copies: about 1 GB for a block of
#: 1M customers, measured) stay this size. A table of up to this many rows is predicted whole; in blocks the last
#: bits of a few probabilities can differ (~1e-16: the linear algebra groups sums by the size of its input).
_BLOCK = 250_000


def _blocked(est, n_rows):
    """``est`` for scikit-learn's scorers, predicting in blocks of rows when there are more than a block."""
    if n_rows <= _BLOCK:
        return est
    from sklearn.base import BaseEstimator, ClassifierMixin

    class _Blocked(ClassifierMixin, BaseEstimator):
        def __init__(self, inner=None):
            self.inner = inner
            self.classes_ = inner.classes_

        def fit(self, X, y):  # already fitted; permutation_importance only checks that it exists
            return self

        def predict_proba(self, X):
            out = np.empty((len(X), len(self.classes_)))
            for i in range(0, len(X), _BLOCK):
                out[i:i + _BLOCK] = self.inner.predict_proba(X[i:i + _BLOCK])
            return out

    return _Blocked(est)


def _fit_sample(X, y, max_fit_customers, rs, cv):
    """At most ``max_fit_customers`` rows of ``X, y``: all of them below the bound, else a random sample stratified by
    label (each class in proportion, at least ``cv`` of each when there are), in their original order."""
    n = len(y)
    if max_fit_customers is None or n <= max_fit_customers:
        return X, y
    from ..data._stratified import stratified_rows

    idx = stratified_rows(y, max_fit_customers, rs, cv)
    return X.iloc[idx], y[idx]


def _recency_input(X):
    return np.log1p(X[["recency_days"]].to_numpy(dtype="float64").clip(min=0))


def _fit_recency_baseline(X, y):
    from sklearn.linear_model import LogisticRegression

    if "recency_days" not in X.columns:
        return None
    return LogisticRegression().fit(_recency_input(X), y)


def _align(features, labels):
    if not isinstance(features, pd.DataFrame):
        raise InputError(f"The 'features' parameter must be a DataFrame from churn_features. Got {type(features).__name__} instead.")
    if isinstance(labels, pd.DataFrame):
        if "churned" not in labels.columns:
            raise MissingColumnError("The 'labels' table has no column 'churned'; pass the result of churn_labels.")
        labels = labels["churned"]
    if not isinstance(labels, pd.Series):
        raise InputError(f"The 'labels' parameter must be the DataFrame of churn_labels or a boolean Series. Got {type(labels).__name__} instead.")
    if (len(features.index) and features.index.is_monotonic_increasing and features.index.is_unique
            and features.index.equals(labels.index)
            and features.index.names == labels.index.names):  # the usual case: the same customers, sorted (no copy)
        X = features.select_dtypes(include=["number", "bool"])
        return X, labels.astype(bool).to_numpy().astype("int64")
    common = features.index.intersection(labels.index, sort=False)
    if len(common) == 0:
        raise InputError("The 'features' and 'labels' share no customer_id; compute both from the same transactions and cutoff.")
    common = common.sort_values()
    X = features.loc[common].select_dtypes(include=["number", "bool"])
    return X, labels.loc[common].astype(bool).to_numpy().astype("int64")
