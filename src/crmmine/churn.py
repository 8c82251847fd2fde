"""Churn in a non-contractual shop: time-split labels, leakage-free features, calibrated models.

Nobody announces they have left a web shop, so churn is *defined* on a time split
(Fader, Hardie & Lee 2005 call the state "dead", observable only through silence):

* a **cutoff** splits time; everything the features see has ``order_date <= cutoff``;
* a customer is **churned** when they make no purchase in ``(cutoff, cutoff + horizon_days]``;
* a model is trained at one cutoff and evaluated at a later one (never a random split), beside two
  baselines on the same split: days since the last purchase, and the BG/NBD probability of no
  purchase within the horizon.

The win-back list built from these scores lives in :mod:`crmmine.winback`.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import InputError, MissingColumnError, NotFittedError, ParameterError
from .labels import label
from .parameters import check_date

__all__ = [
    "churn_labels",
    "churn_features",
    "ChurnModel",
    "ChurnEvaluation",
    "ChurnBacktest",
    "evaluate_churn",
    "churn_backtest",
    "churn_finding",
    "churn_cutoffs",
    "summarise_labels",
    "summarise_calibration",
    "summarise_importance",
]

_REQUIRED = ("customer_id", "order_id", "order_date", "amount")
#: Score names of :class:`ChurnEvaluation` tables, model first.
SCORERS = ("model", "recency", "bgnbd")


# --------------------------------------------------------------------------- checks
def _check_tx(tx, name="tx") -> None:
    if not isinstance(tx, pd.DataFrame):
        raise InputError(f"The '{name}' parameter must be a pandas DataFrame of transactions. Got {type(tx).__name__} instead.")
    missing = [c for c in _REQUIRED if c not in tx.columns]
    if missing:
        raise MissingColumnError(
            f"The '{name}' table has no column {missing[0]!r}; churn needs {', '.join(_REQUIRED)}. "
            "Read the file with crmmine.read_transactions or crmmine.load_clean first."
        )
    if not pd.api.types.is_datetime64_any_dtype(tx["order_date"]):
        raise InputError(
            f"The 'order_date' column of '{name}' must hold dates (datetime64). Got dtype {tx['order_date'].dtype} "
            "instead; read the file with crmmine.read_transactions."
        )


def _check_cutoff(cutoff, name="cutoff") -> pd.Timestamp:
    return check_date(name, cutoff, none_ok=False)


def _check_int(name, v, lo) -> int:
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < lo:
        raise ParameterError(f"The '{name}' parameter must be an integer >= {lo}. Got {v!r} instead.")
    return int(v)


def _check_reach(tx, cutoff, horizon_days, cutoff_name="cutoff") -> None:
    first, last = tx["order_date"].min(), tx["order_date"].max()
    end = cutoff + pd.Timedelta(days=horizon_days)
    if pd.isna(last) or end > last:
        raise InputError(
            f"The data do not reach {cutoff_name} + horizon_days = {end:%Y-%m-%d %H:%M} (the last transaction is on "
            f"{last:%Y-%m-%d %H:%M}), so churn in ({cutoff_name}, {cutoff_name} + {horizon_days} days] cannot be observed. "
            f"Use an earlier '{cutoff_name}' or a shorter 'horizon_days'."
        )
    if cutoff < first:
        raise InputError(
            f"The '{cutoff_name}' parameter ({cutoff:%Y-%m-%d}) is before the first transaction ({first:%Y-%m-%d}); "
            "no customer has any history. Use a later cutoff."
        )


def _purchases(tx) -> pd.DataFrame:
    """Purchase lines (quantity > 0 when a quantity column exists, else amount > 0)."""
    keep = tx["quantity"] > 0 if "quantity" in tx.columns else tx["amount"] > 0
    return tx.loc[keep.fillna(False).to_numpy(), :]


def _orders(lines) -> pd.DataFrame:
    """One row per (customer, order): order_date (first line), amount (sum). Input already validated."""
    g = lines.groupby(["customer_id", "order_id"], sort=False, observed=True)
    out = g.agg(order_date=("order_date", "min"), amount=("amount", "sum")).reset_index()
    return out.sort_values(["customer_id", "order_date", "order_id"], kind="stable", ignore_index=True)


def churn_cutoffs(tx, *, cutoff=None, horizon_days=90) -> dict[str, pd.Timestamp]:
    """The cutoffs of the churn report: ``train_cutoff``, ``test_cutoff`` and ``as_of``.

    ``cutoff`` is the evaluation (test) cutoff; None picks it automatically: with ``end`` the day of the
    last transaction (midnight), ``test_cutoff = end - horizon_days``, so the test labels use the last
    ``horizon_days`` of data. Always ``train_cutoff = test_cutoff - horizon_days``: the training label window
    ends where the test one starts, so they never overlap. ``as_of`` (the day after the last transaction,
    midnight) is when the win-back list is scored: every line is history then.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmmine import churn_cutoffs
    >>> tx = pd.DataFrame({"customer_id": ["a"], "order_id": ["1"], "amount": [1.0],
    ...                    "order_date": pd.to_datetime(["2011-12-09 12:50"])})
    >>> {k: f"{v:%Y-%m-%d}" for k, v in churn_cutoffs(tx).items()}
    {'train_cutoff': '2011-06-12', 'test_cutoff': '2011-09-10', 'as_of': '2011-12-10'}
    """
    _check_tx(tx)
    horizon_days = _check_int("horizon_days", horizon_days, 1)
    h = pd.Timedelta(days=horizon_days)
    last = tx["order_date"].max()
    test = last.normalize() - h if cutoff is None else _check_cutoff(cutoff)
    return {"train_cutoff": test - h, "test_cutoff": test, "as_of": last.normalize() + pd.Timedelta(days=1)}


# --------------------------------------------------------------------------- labels
def churn_labels(tx, *, cutoff, horizon_days=90, min_orders=1, lookback_days=None) -> pd.DataFrame:
    """Churn labels on a time split: no purchase in ``(cutoff, cutoff + horizon_days]``.

    Parameters
    ----------
    tx : pandas.DataFrame
        Canonical transactions (``customer_id, order_id, order_date, amount``; lines with
        ``quantity <= 0`` are returns and are ignored).
    cutoff : date-like
        The split. History is every line with ``order_date <= cutoff``.
    horizon_days : int, default=90
        Length of the label window after the cutoff.
    min_orders : int, default=1
        Eligibility: a customer is labelled only with at least this many orders (distinct
        ``order_id``) on or before the cutoff.
    lookback_days : int or None, default=None
        Eligibility: if given, the customer's last order must be within ``lookback_days`` before the
        cutoff (``order_date > cutoff - lookback_days``); customers silent for longer are treated as
        already lost and not labelled.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (eligible customers, sorted); columns ``orders_before`` (int, orders on or
        before the cutoff), ``last_order_date``, ``orders_in_horizon`` (int) and ``churned`` (bool,
        ``orders_in_horizon == 0``).

    Raises
    ------
    InputError
        When the data end before ``cutoff + horizon_days`` or start after the cutoff.
    ParameterError
        For an invalid cutoff, horizon, ``min_orders`` or ``lookback_days``.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmmine import churn_labels
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "order_id": ["1", "2", "3", "4"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-02-15", "2024-01-10", "2024-04-30"]),
    ...     "amount": [10.0, 20.0, 5.0, 7.0]})
    >>> churn_labels(tx, cutoff="2024-01-31", horizon_days=30)["churned"].to_dict()
    {'a': False, 'b': True}
    """
    _check_tx(tx)
    cutoff = _check_cutoff(cutoff)
    horizon_days = _check_int("horizon_days", horizon_days, 1)
    min_orders = _check_int("min_orders", min_orders, 1)
    if lookback_days is not None:
        lookback_days = _check_int("lookback_days", lookback_days, 1)
    _check_reach(tx, cutoff, horizon_days)
    orders = _orders(_purchases(tx))
    end = cutoff + pd.Timedelta(days=horizon_days)
    before = orders["order_date"] <= cutoff
    hist = orders.loc[before].groupby("customer_id", observed=True).agg(
        orders_before=("order_id", "size"), last_order_date=("order_date", "max"))
    future = orders.loc[~before & (orders["order_date"] <= end)].groupby("customer_id", observed=True).size()
    keep = hist["orders_before"] >= min_orders
    if lookback_days is not None:
        keep &= hist["last_order_date"] > cutoff - pd.Timedelta(days=lookback_days)
    out = hist.loc[keep].sort_index()
    out["orders_before"] = out["orders_before"].astype("int64")
    out["orders_in_horizon"] = future.reindex(out.index, fill_value=0).astype("int64")
    out["churned"] = out["orders_in_horizon"].eq(0)
    out.index.name = "customer_id"
    return out


# --------------------------------------------------------------------------- features
def _window_counts(orders, cutoff, lo_days, hi_days):
    """Orders and spend per customer in (cutoff - hi_days, cutoff - lo_days]."""
    d = orders["order_date"]
    m = (d > cutoff - pd.Timedelta(days=hi_days)) & (d <= cutoff - pd.Timedelta(days=lo_days))
    g = orders.loc[m].groupby("customer_id", observed=True)["amount"]
    return g.size(), g.sum()


def churn_features(tx, *, cutoff, horizon_days=90, windows=(30, 90, 180), returns=None, bgnbd=True) -> pd.DataFrame:
    """Per-customer features from the history up to the cutoff only (``order_date <= cutoff``).

    Every line after the cutoff is dropped first, so no feature can look past it (a test changes and adds
    transactions after the cutoff and asserts the frame is unchanged).

    Parameters
    ----------
    tx : pandas.DataFrame
        Canonical transactions. Lines with ``quantity < 0`` count as returns when ``returns`` is None.
    cutoff : date-like
        Last moment of history.
    horizon_days : int, default=90
        Horizon of the BG/NBD probability of no purchase.
    windows : sequence of int, default=(30, 90, 180)
        Recent windows in days.
    returns : pandas.DataFrame or None, default=None
        Return lines (e.g. ``load_clean(...).returns``; amounts negative or positive). None: the
        negative-quantity lines of ``tx``.
    bgnbd : bool, default=True
        Add the BG/NBD columns (model fitted on every customer's history up to the cutoff, time in days).
        They take about a second on 4,000 customers; ``False`` skips them (the baseline "bgnbd" then
        cannot be evaluated).

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (customers with at least one order on or before the cutoff, sorted). Columns:

        - ``recency_days``: days from the last order to the cutoff;
        - ``frequency``: number of orders; ``monetary_total``, ``monetary_mean``: spend and spend per order;
        - ``tenure_days``: days from the first order to the cutoff;
        - for each window ``w``: ``orders_{w}d``, ``spend_{w}d`` (in ``(cutoff - w, cutoff]``) and
          ``orders_trend_{w}d``, ``spend_trend_{w}d`` (last ``w`` days minus the ``w`` days before);
        - ``ipt_mean_days``, ``ipt_std_days``: mean and standard deviation (ddof=0) of the days between
          consecutive distinct purchase days (NaN with one purchase day); ``last_gap_ratio``: the latest
          completed gap over the mean;
          ``recency_ratio``: the current open gap (``recency_days``) over the mean;
        - ``returns_count`` (return lines), ``returns_value`` (absolute value), ``return_rate``
          (``returns_value / monetary_total``);
        - ``distinct_products``;
        - with ``bgnbd``: ``p_alive`` and ``p_no_purchase`` (no purchase in the next ``horizon_days``), from a
          :class:`crmmine.BetaGeoModel` fitted on :func:`crmmine.clv_summary` of the purchases up to the cutoff
          (``observation_end`` = the cutoff's date, time unit days).
    """
    _check_tx(tx)
    cutoff = _check_cutoff(cutoff)
    horizon_days = _check_int("horizon_days", horizon_days, 1)
    try:
        windows = tuple(_check_int("windows", w, 1) for w in windows)
    except TypeError:
        raise ParameterError(f"The 'windows' parameter must be a sequence of positive integers. Got {windows!r} instead.") from None
    if not windows or len(set(windows)) != len(windows):
        raise ParameterError(f"The 'windows' parameter must be a non-empty sequence of distinct positive integers. Got {windows!r} instead.")
    if returns is not None:
        _check_tx(returns, "returns")
    hist = tx.loc[(tx["order_date"] <= cutoff).to_numpy()]
    lines = _purchases(hist)
    if lines.empty:
        raise InputError(f"No purchase on or before the cutoff {cutoff:%Y-%m-%d}; use a later 'cutoff'.")
    orders = _orders(lines)
    day = pd.Timedelta(days=1)
    g = orders.groupby("customer_id", observed=True, sort=True)
    feat = g.agg(first=("order_date", "min"), last=("order_date", "max"), frequency=("order_id", "size"),
                 monetary_total=("amount", "sum"))
    out = pd.DataFrame(index=feat.index)
    out["recency_days"] = (cutoff - feat["last"]) / day
    out["frequency"] = feat["frequency"].astype("int64")
    out["monetary_total"] = feat["monetary_total"].astype("float64")
    out["monetary_mean"] = out["monetary_total"] / out["frequency"]
    out["tenure_days"] = (cutoff - feat["first"]) / day
    for w in windows:
        n_now, s_now = _window_counts(orders, cutoff, 0, w)
        n_prev, s_prev = _window_counts(orders, cutoff, w, 2 * w)
        n_now, s_now = n_now.reindex(out.index, fill_value=0), s_now.reindex(out.index, fill_value=0.0)
        out[f"orders_{w}d"] = n_now.astype("int64")
        out[f"spend_{w}d"] = s_now.astype("float64")
        out[f"orders_trend_{w}d"] = (n_now - n_prev.reindex(out.index, fill_value=0)).astype("int64")
        out[f"spend_trend_{w}d"] = (s_now - s_prev.reindex(out.index, fill_value=0.0)).astype("float64")
    # inter-purchase times between distinct purchase days (orders are sorted by customer, date)
    pdays = orders.assign(d=orders["order_date"].dt.normalize()).drop_duplicates(["customer_id", "d"])
    same = pdays["customer_id"].eq(pdays["customer_id"].shift()).fillna(False).to_numpy()
    gaps = pd.DataFrame({"customer_id": pdays["customer_id"], "gap": pdays["d"].diff() / day}).loc[same]
    gg = gaps.groupby("customer_id", observed=True)["gap"]
    ipt_mean = gg.mean().reindex(out.index)
    out["ipt_mean_days"] = ipt_mean
    out["ipt_std_days"] = gg.std(ddof=0).reindex(out.index)
    mean_safe = ipt_mean.where(ipt_mean > 0)
    out["last_gap_ratio"] = gg.last().reindex(out.index) / mean_safe
    out["recency_ratio"] = out["recency_days"] / mean_safe
    # returns up to the cutoff
    ret = hist.loc[(hist["quantity"] < 0).fillna(False).to_numpy()] if returns is None and "quantity" in hist.columns \
        else (returns.loc[(returns["order_date"] <= cutoff).to_numpy()] if returns is not None else hist.iloc[:0])
    rg = ret.assign(value=ret["amount"].abs()).groupby("customer_id", observed=True)["value"]
    out["returns_count"] = rg.size().reindex(out.index, fill_value=0).astype("int64")
    out["returns_value"] = rg.sum().reindex(out.index, fill_value=0.0).astype("float64")
    out["return_rate"] = out["returns_value"] / out["monetary_total"].where(out["monetary_total"] > 0)
    key = "product_id" if "product_id" in lines.columns else "order_id"
    out["distinct_products"] = lines.groupby("customer_id", observed=True)[key].nunique().reindex(out.index).astype("int64")
    if bgnbd:
        out["p_alive"], out["p_no_purchase"] = _bgnbd_columns(lines, cutoff, horizon_days, out.index)
    out.index.name = "customer_id"
    return out


def _bgnbd_columns(lines, cutoff, horizon_days, index):
    """BG/NBD (:class:`crmmine.BetaGeoModel`, time unit days) fitted on the purchase lines up to the cutoff.

    Returns P(alive) and P(no purchase in the next ``horizon_days``), Fader, Hardie & Lee (2005) eq. (6)
    likelihood; see :meth:`crmmine.BetaGeoModel.probability_no_purchase`. Input already validated.
    """
    from .clv import BetaGeoModel, clv_summary

    summary = clv_summary(lines, observation_end=cutoff.normalize())
    bg = BetaGeoModel().fit(summary)
    p_alive = bg.probability_alive(summary).reindex(index).to_numpy(dtype="float64")
    p_none = bg.probability_no_purchase(float(horizon_days), summary).reindex(index).to_numpy(dtype="float64")
    return p_alive, p_none


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
    """

    def __init__(self, model="logistic", *, calibration="sigmoid", cv=3, C=1.0, max_iter=100, learning_rate=0.1,
                 n_threads=1, random_state=None):
        self.model = model
        self.calibration = calibration
        self.cv = cv
        self.C = C
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.n_threads = n_threads
        self.random_state = random_state

    def get_params(self, deep=True):
        return {k: getattr(self, k) for k in ("model", "calibration", "cv", "C", "max_iter", "learning_rate", "n_threads",
                                          "random_state")}

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
        _check_int("cv", self.cv, 2)
        X, y = _align(features, labels)
        counts = np.bincount(y, minlength=2)
        if counts.min() < self.cv:
            raise InputError(
                f"The labels must hold at least cv={self.cv} churned and {self.cv} retained customers to fit a calibrated "
                f"model. Got {counts[1]} churned and {counts[0]} retained; use more data or another cutoff."
            )
        rs = check_random_state(self.random_state)
        seed = int(rs.randint(np.iinfo(np.int32).max))
        folds = StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=seed)
        if self.n_threads is not None:
            _check_int("n_threads", self.n_threads, 1)
        est = CalibratedClassifierCV(self._pipeline(seed), method=self.calibration, cv=folds)
        with self._threads():
            est.fit(X.to_numpy(dtype="float64"), y)
        self.estimator_ = est
        self.recency_baseline_ = _fit_recency_baseline(X, y)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.reference_ = X.median()
        self.churn_rate_ = float(y.mean())
        return self

    def _threads(self):
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=self.n_threads, user_api="openmp")

    def _check_fitted(self):
        if not hasattr(self, "estimator_"):
            raise NotFittedError("This ChurnModel is not fitted yet. Call 'fit' with features and labels first.")

    def _X(self, features):
        self._check_fitted()
        if not isinstance(features, pd.DataFrame):
            raise InputError(f"The 'features' parameter must be a DataFrame from churn_features. Got {type(features).__name__} instead.")
        missing = [c for c in self.feature_names_in_ if c not in features.columns]
        if missing:
            raise MissingColumnError(
                f"The 'features' table has no column {missing[0]!r}, which the model was fitted with. "
                "Compute the features with the same churn_features options as for fitting."
            )
        return features.loc[:, list(self.feature_names_in_)].astype("float64")

    def predict_proba(self, features) -> pd.Series:
        """P(churn) per customer: a Series named ``p_churn`` indexed like ``features``."""
        X = self._X(features)
        with self._threads():
            p = self.estimator_.predict_proba(X.to_numpy())[:, 1]
        return pd.Series(p, index=features.index, name="p_churn")

    def reason_contributions(self, features) -> pd.DataFrame:
        """How much each feature raises each customer's P(churn) above a typical value.

        For each feature j: ``P(churn | x) - P(churn | x with x_j set to its training median)``, a
        model-agnostic occlusion attribution (Zeiler & Fergus 2014, sec. 4.2; Robnik-Šikonja & Kononenko
        2008). Positive values push this customer's risk up. One prediction of the whole table per feature.

        Returns
        -------
        pandas.DataFrame
            Same index as ``features``, one column per model feature.
        """
        X = self._X(features)
        arr = X.to_numpy()
        out = np.empty_like(arr)
        with self._threads():
            base = self.estimator_.predict_proba(arr)[:, 1]
            for j, name in enumerate(self.feature_names_in_):  # loop over features (tens), not customers
                Z = arr.copy()
                Z[:, j] = self.reference_[name]
                out[:, j] = base - self.estimator_.predict_proba(Z)[:, 1]
        return pd.DataFrame(out, index=features.index, columns=list(self.feature_names_in_))


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
    common = features.index.intersection(labels.index, sort=False)
    if len(common) == 0:
        raise InputError("The 'features' and 'labels' share no customer_id; compute both from the same transactions and cutoff.")
    common = common.sort_values()
    X = features.loc[common].select_dtypes(include=["number", "bool"])
    return X, labels.loc[common].astype(bool).to_numpy().astype("int64")


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
    """

    metrics: pd.DataFrame
    scores: pd.DataFrame
    gains: pd.DataFrame
    roc: pd.DataFrame
    pr: pd.DataFrame
    calibration: pd.DataFrame
    importance: pd.DataFrame
    model_name: str = field(default="logistic")


def _rank_order(score, ids):
    """Positions sorted by score descending, ties broken by customer_id (deterministic)."""
    return np.lexsort((ids, -score))


def _top_decile_lift(y, score, ids):
    order = _rank_order(score, ids)
    k = max(1, int(np.ceil(0.1 * len(y))))
    return float(y[order[:k]].mean() / y.mean()) if y.mean() > 0 else np.nan


def _gains(y, score, ids, name):
    order = _rank_order(score, ids)
    cum = np.concatenate([[0], np.cumsum(y[order])]) / max(y.sum(), 1)
    frac = np.arange(len(y) + 1) / len(y)
    return pd.DataFrame({"scorer": name, "fraction_targeted": frac, "fraction_churners": cum})


def evaluate_churn(model, features, labels, *, n_repeats=3, random_state=0) -> ChurnEvaluation:
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
        Seed of the permutations.

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
    ids = X.index.to_numpy().astype(str)
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
        roc.append(pd.DataFrame({"scorer": name, "fpr": fpr, "tpr": tpr}))
        prec, rec, _ = precision_recall_curve(y, s)
        pr.append(pd.DataFrame({"scorer": name, "recall": rec, "precision": prec}))
        if is_prob:
            frac, mean_pred = calibration_curve(y, prob, n_bins=10, strategy="quantile")
            cal.append(pd.DataFrame({"scorer": name, "mean_predicted": mean_pred, "fraction_churned": frac}))
    metrics = pd.DataFrame(rows).set_index("scorer")
    with model._threads():
        imp = permutation_importance(model.estimator_, X.loc[:, list(model.feature_names_in_)].to_numpy(dtype="float64"),
                                     y, scoring="roc_auc", n_repeats=n_repeats, random_state=random_state)
    importance = pd.DataFrame({"feature": list(model.feature_names_in_), "importance_mean": imp.importances_mean,
                               "importance_std": imp.importances_std})
    importance = importance.sort_values(["importance_mean", "feature"], ascending=[False, True], ignore_index=True)
    return ChurnEvaluation(metrics=metrics, scores=scores, gains=pd.concat(gains, ignore_index=True),
                           roc=pd.concat(roc, ignore_index=True), pr=pd.concat(pr, ignore_index=True),
                           calibration=pd.concat(cal, ignore_index=True), importance=importance, model_name=model.model)


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

    @property
    def metrics(self) -> pd.DataFrame:
        """The metrics table of :attr:`evaluation`, with the cutoffs as columns."""
        m = self.evaluation.metrics.copy()
        m["train_cutoff"], m["test_cutoff"], m["horizon_days"] = self.train_cutoff, self.test_cutoff, self.horizon_days
        return m


def churn_backtest(tx, *, train_cutoff, test_cutoff, horizon_days=90, model="logistic", random_state=0, returns=None,
                   calibration="sigmoid", min_orders=1, lookback_days=None, windows=(30, 90, 180)) -> ChurnBacktest:
    """Train at ``train_cutoff``, evaluate at the later ``test_cutoff``: an honest time split.

    The training label window ``(train_cutoff, train_cutoff + horizon_days]`` must end on or before
    ``test_cutoff``, so nothing the model learned from overlaps what it is judged on.

    Parameters
    ----------
    tx : pandas.DataFrame
        Canonical transactions reaching at least ``test_cutoff + horizon_days``.
    train_cutoff, test_cutoff : date-like
    horizon_days : int, default=90
    model : {"logistic", "hgb"}, default="logistic"
    random_state : int, default=0
    returns : pandas.DataFrame or None
        Return lines (see :func:`churn_features`).
    calibration : {"sigmoid", "isotonic"}, default="sigmoid"
    min_orders, lookback_days : eligibility of :func:`churn_labels`.
    windows : feature windows of :func:`churn_features`.

    Returns
    -------
    ChurnBacktest
        ``.model``, ``.evaluation`` (metrics for the model and both baselines, curves, importance),
        ``.metrics``, and the features/labels at both cutoffs.
    """
    train_cutoff = _check_cutoff(train_cutoff, "train_cutoff")
    test_cutoff = _check_cutoff(test_cutoff, "test_cutoff")
    horizon_days = _check_int("horizon_days", horizon_days, 1)
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
    f_te = churn_features(tx, cutoff=test_cutoff, **kw)
    l_te = churn_labels(tx, cutoff=test_cutoff, **lab_kw)
    m = ChurnModel(model, calibration=calibration, random_state=random_state).fit(f_tr, l_tr)
    ev = evaluate_churn(m, f_te, l_te, random_state=random_state)
    return ChurnBacktest(m, ev, f_tr, l_tr, f_te, l_te, train_cutoff, test_cutoff, horizon_days)


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
    cutoff = _check_cutoff(cutoff)
    return label("churn.summary.labels", lang, n=f"{len(labels):,}", cutoff=f"{cutoff:%Y-%m-%d}",
                 rate=f"{labels['churned'].mean():.0%}", horizon=horizon_days)


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
