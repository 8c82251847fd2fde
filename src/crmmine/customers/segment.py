"""Customer segmentation by k-means on log-scaled, standardised customer features.

:class:`CustomerSegmenter` follows the scikit-learn estimator contract. The default features
are recency, frequency, mean order value and tenure (days since the first purchase): the
recency/frequency/monetary triple of RFM analysis with spend split into how often and how much
per order (total spend is their product, so clustering on it beside frequency would count the
purchase rate twice), plus the customer's age, the "L" of the LRFM model (Chang & Tsay 2004),
which separates new customers from old occasional ones. The steps of ``fit``:

1. each feature ``x`` is put on a log scale, ``sign(x) * log1p(|x|)`` (spend and order
   counts are heavily right-skewed; the log keeps the few wholesale customers from
   forming clusters of their own), centred and divided by its standard deviation, but by no
   less than :data:`MIN_LOG_SCALE` (0.5 on the log scale, a factor of about 1.6): a feature on
   which customers hardly differ (CDNOW's tenure, every customer having arrived in one
   quarter) is not blown up into a full dimension of noise;
2. k-means (``sklearn.cluster.KMeans``, k-means++ starts) is fitted on a random subsample
   of at most ``fit_sample_size`` customers: for the given ``n_clusters``, or, when it is
   None, for every ``k`` in ``k_range`` (3 to 7 by default: a number of segments a manager
   can act on). Each candidate is scored by the mean silhouette
   ``s(i) = (b(i) - a(i)) / max(a(i), b(i))``, ``a(i)`` being the mean distance of
   customer ``i`` to its own cluster and ``b(i)`` to the nearest other one (Rousseeuw
   1987, "Silhouettes: a graphical aid to the interpretation and validation of cluster
   analysis", J. Comput. Appl. Math. 20, 53-65), computed on a smaller subsample of
   ``sample_size`` customers (it costs O(sample_size^2)); by its stability, the mean
   adjusted Rand index (Hubert & Arabie 1985, "Comparing partitions", J. Classification 2,
   193-218) between it and ``stability_runs`` refits with other seeds (on at most 10,000
   customers of the subsample, so the check costs the same on any table); and by the share of
   customers in its smallest cluster. A ``k`` is *eligible* when its stability is at least
   :data:`STABLE_ARI` (0.9) and its smallest cluster holds at least ``min_cluster_share`` of
   the customers. The chosen ``k`` is the **largest eligible k whose silhouette is at least
   :data:`SILHOUETTE_TOLERANCE` (90%) of the best eligible silhouette**: the silhouette
   favours the coarsest split (often 2 or 3 groups, one axis of the data), and among splits
   that are nearly as well separated and as stable, the finer one gives a manager more to act
   on. When no ``k`` is eligible, the best silhouette wins. The reason is in ``k_reason_``.
   The inertia (within-cluster sum of squares) of each ``k`` is reported as well, with the
   elbow ``k`` (the point of the inertia curve farthest from the chord between its ends);
3. the final model is fitted on all customers, started from the subsample's centres:
   ``KMeans``, or ``MiniBatchKMeans`` for more than :data:`MINIBATCH_THRESHOLD`
   customers with ``algorithm="auto"`` (started near the optimum, it stops after a few
   mini-batches; on a table no larger than the subsample, the subsample's model is the
   final model);
4. clusters are numbered by decreasing mean ``monetary_total`` (if the table has it,
   otherwise by the first feature), so cluster 0 is the most valuable, and named from
   their profile (high/mid/low value, frequent/occasional/rare, recent/cooling/lapsed, and
   "new" for short tenure); two clusters that would get the same name are told apart by the
   feature in which they differ most ("more recent" / "less recent", ...);
5. stability: ``stability_`` is the chosen ``k``'s stability (for a given ``n_clusters``,
   k-means is refitted with ``stability_runs`` other seeds on the fitting subsample and
   compared with the model).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ..errors import InputError, MissingColumnError, NotFittedError, ParameterError
from ..validation import check_fraction, check_int
from ..text.labels import label

__all__ = ["CustomerSegmenter", "segment_summary", "MINIBATCH_THRESHOLD", "DEFAULT_FEATURES", "MIN_LOG_SCALE",
           "SILHOUETTE_TOLERANCE", "STABLE_ARI"]

#: With ``algorithm="auto"``, tables with more customers than this use MiniBatchKMeans.
MINIBATCH_THRESHOLD = 50_000
#: The default clustering features (columns of :func:`crmmine.customer_table`): recency,
#: frequency, mean order value and tenure.
DEFAULT_FEATURES: tuple[str, ...] = ("recency_days", "frequency", "monetary_mean", "tenure_days")
#: The smallest standard deviation a log-scaled feature is divided by (see the module notes).
MIN_LOG_SCALE = 0.5
#: Automatic k: the largest eligible k whose silhouette is at least this share of the best.
SILHOUETTE_TOLERANCE = 0.9
#: Automatic k: a k is eligible only if refits with other seeds agree with it at least this much (ARI).
STABLE_ARI = 0.9
_ALGORITHMS = ("auto", "kmeans", "minibatch")
# naming: the feature families and the z-score (of the cluster centre) that makes a level high/low
_VALUE_FEATURES = ("monetary_total", "predicted_value", "total_value", "historical_value", "monetary_mean")
# words that tell two clusters apart by a feature: (label when higher, label when lower)
_COMPARE = {"recency_days": ("segment.more.recency_days", "segment.less.recency_days"),
            "frequency": ("segment.more.frequency", "segment.less.frequency"),
            "monetary_mean": ("segment.more.monetary_mean", "segment.less.monetary_mean"),
            "monetary_total": ("segment.more.monetary_total", "segment.less.monetary_total"),
            "tenure_days": ("segment.more.tenure_days", "segment.less.tenure_days")}
_NAME_Z = 0.5
_SINGLE_THREAD_ROWS = 100_000
_STABILITY_ROWS = 10_000  # automatic k: candidates' stability refits on at most this many customers


def _threads(n_rows: int):
    """One thread for small fits: k-means and silhouette on a few thousand rows gain nothing
    from OpenMP/BLAS threads, and on a busy machine the threads' spin-waiting makes them many
    times slower. Scoped to the call (threadpoolctl), nothing global changes."""
    from contextlib import nullcontext

    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1) if n_rows < _SINGLE_THREAD_ROWS else nullcontext()


def _log_scale(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))




class CustomerSegmenter:
    """k-means segments of customers, with automatic k, cluster profiles and names.

    Parameters
    ----------
    n_clusters : int or None, default=None
        Number of segments; ``None`` chooses it over ``k_range`` (see the module notes: the
        largest stable ``k`` with no tiny cluster whose silhouette is within 90% of the best).
    features : tuple of str, default=("recency_days", "frequency", "monetary_mean", "tenure_days")
        Columns of the customer table to cluster on (numeric, no missing values).
    k_range : tuple of (int, int), default=(3, 7)
        Smallest and largest ``k`` tried when ``n_clusters`` is None (inclusive).
    min_cluster_share : float, default=0.02
        Automatic ``k``: a ``k`` whose smallest cluster holds a smaller share of the
        customers is not chosen (unless no ``k`` qualifies).
    sample_size : int, default=2000
        Customers on which the silhouette of each ``k`` is computed (O(sample_size^2)).
    fit_sample_size : int, default=50000
        Customers on which the candidate ``k`` and the stability refits are fitted.
    algorithm : {"auto", "kmeans", "minibatch"}, default="auto"
        ``"auto"``: KMeans up to :data:`MINIBATCH_THRESHOLD` customers, MiniBatchKMeans above.
    n_init : int, default=10
        k-means++ initialisations per fit (the best inertia is kept); enough that refits with
        other seeds find the same optimum, so the stability measures the data, not the starts.
    stability_runs : int, default=3
        Refits with other seeds for the stability of each candidate ``k`` and
        ``stability_`` (0 to skip; automatic ``k`` then checks only the cluster sizes).
    random_state : int, numpy.random.RandomState or None, default=None
        Seed of the subsamples and of k-means; stored as given, resolved in ``fit``.

    Attributes
    ----------
    k_ : int
        The number of clusters used.
    labels_ : pandas.Series of shape (n_customers,)
        Cluster (0 = highest mean ``monetary_total``) per customer, named ``cluster``.
    profiles_ : pandas.DataFrame
        One row per cluster: ``name``, ``size``, ``share`` (of customers),
        ``revenue_share`` (of ``monetary_total``, NaN without it) and the mean of each
        feature on its original scale.
    names_ : pandas.Series
        A readable name per cluster derived from its profile, in the current language.
    k_scores_ : pandas.DataFrame
        For each ``k`` tried, on the fitting subsample: ``k``, ``silhouette``, ``inertia``,
        ``stability`` (NaN with ``stability_runs=0``), ``smallest_share`` (share of customers
        in the smallest cluster) and ``eligible`` (stable and no cluster too small).
    k_reason_ : str
        Why ``k_`` was used: ``"given"`` (``n_clusters``), ``"largest_near_best"`` (the
        largest eligible ``k`` within the silhouette tolerance), ``"best_silhouette"`` (the
        eligible ``k`` with the best silhouette, when no larger one is near it) or
        ``"none_eligible"`` (no ``k`` stable with no tiny cluster: the best silhouette).
    elbow_k_ : int
        The elbow of the inertia curve (equals ``k_`` when ``n_clusters`` is given).
    stability_ : float
        Mean adjusted Rand index between the model and refits with other seeds (1 = the
        same partition every time); NaN when ``stability_runs=0``.
    cluster_centers_ : numpy.ndarray of shape (k_, n_features)
        Centres in the log-scaled, standardised feature space, in cluster order.
    mean_, scale_ : numpy.ndarray of shape (n_features,)
        Standardisation of the log-scaled features.
    algorithm_ : str
        ``"kmeans"`` or ``"minibatch"``.
    feature_names_in_ : numpy.ndarray of str

    Notes
    -----
    Choose features that carry the differences you want segments for. The behavioural
    segments of :data:`crmmine.datasets.RFM_SEGMENTS` (champions, loyal regulars, new,
    lapsing and hibernating customers, differing jointly in recency, frequency and spend)
    are recovered by the defaults: automatic k = 5 and an adjusted Rand index of about 0.9
    on 3,000 customers (``tests/test_segment.py``). The older spend-only planted segments of
    :data:`crmmine.datasets.DEFAULT_SEGMENTS` differ only in order value and purchase rate:
    there ``features=("monetary_total", "monetary_mean")`` recovers them.

    Examples
    --------
    >>> import crmmine
    >>> tx, truth = crmmine.datasets.make_transactions(600, random_state=0)
    >>> seg = crmmine.CustomerSegmenter(3, random_state=0).fit(crmmine.customer_table(tx))
    >>> seg.k_, int(seg.profiles_["size"].sum())
    (3, 600)
    """

    def __init__(self, n_clusters=None, *, features=DEFAULT_FEATURES, k_range=(3, 7), min_cluster_share=0.02,
                 sample_size=2000, fit_sample_size=50_000, algorithm="auto", n_init=10, stability_runs=3,
                 random_state=None):
        self.n_clusters = n_clusters
        self.features = features
        self.k_range = k_range
        self.min_cluster_share = min_cluster_share
        self.sample_size = sample_size
        self.fit_sample_size = fit_sample_size
        self.algorithm = algorithm
        self.n_init = n_init
        self.stability_runs = stability_runs
        self.random_state = random_state

    def __repr__(self) -> str:
        return f"CustomerSegmenter(n_clusters={self.n_clusters!r}, features={tuple(self.features)!r})"

    # --- scikit-learn style parameter access ---------------------------------------
    def get_params(self, deep: bool = True) -> dict:
        """The constructor parameters (scikit-learn convention)."""
        return {k: getattr(self, k) for k in ("n_clusters", "features", "k_range", "min_cluster_share", "sample_size",
                                              "fit_sample_size", "algorithm", "n_init", "stability_runs",
                                              "random_state")}

    def set_params(self, **params) -> "CustomerSegmenter":
        """Set constructor parameters (scikit-learn convention)."""
        valid = self.get_params()
        for k, v in params.items():
            if k not in valid:
                raise ParameterError(f"CustomerSegmenter has no parameter {k!r}; parameters: {', '.join(valid)}.")
            setattr(self, k, v)
        return self

    # --- checks --------------------------------------------------------------------
    def _check_params(self, n: int):
        n_clusters = check_int("n_clusters", self.n_clusters, lo=2, none_ok=True)
        features = self.features
        if isinstance(features, str):
            features = (features,)
        if not isinstance(features, (tuple, list)) or not features or not all(isinstance(f, str) for f in features):
            raise ParameterError(
                f"The 'features' parameter must be a non-empty tuple of column names. Got {self.features!r} instead."
            )
        kr = self.k_range
        if (not isinstance(kr, (tuple, list)) or len(kr) != 2 or any(isinstance(v, bool) or not isinstance(v, numbers.Integral)
                                                                    for v in kr) or not 2 <= kr[0] <= kr[1]):
            raise ParameterError(
                f"The 'k_range' parameter must be a pair (low, high) of integers with 2 <= low <= high. Got {kr!r} instead."
            )
        min_share = check_fraction("min_cluster_share", self.min_cluster_share, hi_open=True)
        sample_size = check_int("sample_size", self.sample_size, lo=100)
        fit_sample_size = check_int("fit_sample_size", self.fit_sample_size, lo=100)
        n_init = check_int("n_init", self.n_init, lo=1)
        stability_runs = check_int("stability_runs", self.stability_runs, lo=0)
        if self.algorithm not in _ALGORITHMS:
            raise ParameterError(
                f"The 'algorithm' parameter must be one of 'auto', 'kmeans', 'minibatch'. Got {self.algorithm!r} instead."
            )
        k_max = n_clusters if n_clusters is not None else int(kr[1])
        if k_max >= n:
            raise InputError(
                f"Cannot make {k_max} clusters of {n} customers; give fewer clusters (n_clusters or k_range) "
                "or more customers."
            )
        return (n_clusters, tuple(features), (int(kr[0]), int(kr[1])), min_share, sample_size, fit_sample_size, n_init,
                stability_runs)

    def _matrix(self, customers: pd.DataFrame, features) -> np.ndarray:
        if not isinstance(customers, pd.DataFrame):
            raise ParameterError(
                f"The 'customers' parameter must be a DataFrame from crmmine.customer_table. Got {type(customers).__name__} instead."
            )
        for f in features:
            if f not in customers.columns:
                raise MissingColumnError(
                    f"The 'customers' table has no feature column {f!r} (columns: {', '.join(map(str, customers.columns))}). "
                    "Make it with crmmine.customer_table(tx), or choose other features."
                )
            if not pd.api.types.is_numeric_dtype(customers[f]) or pd.api.types.is_bool_dtype(customers[f]):
                raise InputError(f"The feature column {f!r} must be numeric. Got dtype {customers[f].dtype} instead.")
        X = customers[list(features)].to_numpy(dtype=float, na_value=np.nan)
        if not np.isfinite(X).all():
            row, col = np.argwhere(~np.isfinite(X))[0]
            raise InputError(
                f"The feature column {features[col]!r} has a missing or infinite value (customer "
                f"{customers.index[row]!r}); fill or drop it, or choose other features (mean_interpurchase_days "
                "is NaN for one-order customers)."
            )
        return _log_scale(X)

    @staticmethod
    def _kmeans(k: int, algorithm: str, seed: int, n_init: int, init=None):
        from sklearn.cluster import KMeans, MiniBatchKMeans

        start = "k-means++" if init is None else init
        if algorithm == "minibatch":
            return MiniBatchKMeans(n_clusters=k, init=start, n_init=n_init, random_state=seed, batch_size=4096)
        return KMeans(n_clusters=k, init=start, n_init=n_init, random_state=seed)

    def _candidates(self, Xf, ks, seed, n_init, sil_pos, st_pos, refit_seeds):
        """Each candidate k fitted on the subsample ``Xf`` and scored: silhouette (on ``sil_pos``),
        inertia, stability (mean ARI against refits with ``refit_seeds`` on ``st_pos``) and the share
        of the smallest cluster. Input already validated."""
        from sklearn.metrics import adjusted_rand_score

        rows, models = [], {}
        for k, seeds in zip(ks, refit_seeds):  # a loop over candidate k
            models[k] = self._kmeans(k, "kmeans", seed, n_init).fit(Xf)
            lab = models[k].labels_
            refits = [self._kmeans(k, "kmeans", int(s), n_init).fit(Xf[st_pos]).labels_ for s in seeds]
            stab = float(np.mean([adjusted_rand_score(lab[st_pos], r) for r in refits])) if refits else np.nan
            rows.append((k, _silhouette(Xf[sil_pos], lab[sil_pos]), float(models[k].inertia_), stab,
                         float(np.bincount(lab, minlength=k).min() / len(lab))))
        return pd.DataFrame(rows, columns=["k", "silhouette", "inertia", "stability", "smallest_share"]), models

    # --- fit -----------------------------------------------------------------------
    def fit(self, customers: pd.DataFrame, y=None) -> "CustomerSegmenter":
        """Fit the segments on a customer table.

        Parameters
        ----------
        customers : pandas.DataFrame
            A customer table (:func:`crmmine.customer_table`), one row per customer.
        y : ignored

        Returns
        -------
        self
        """
        from sklearn.metrics import adjusted_rand_score
        from sklearn.utils import check_random_state

        n = len(customers) if isinstance(customers, pd.DataFrame) else 0
        if isinstance(customers, pd.DataFrame) and n < 3:
            raise InputError(f"The 'customers' table has {n} rows; clustering needs at least 3 customers.")
        n_clusters, features, k_range, min_share, sample_size, fit_sample_size, n_init, stability_runs = \
            self._check_params(max(n, 3))
        L = self._matrix(customers, features)
        rng = check_random_state(self.random_state)
        mean = L.mean(axis=0)
        scale = np.maximum(L.std(axis=0), MIN_LOG_SCALE)
        X = (L - mean) / scale
        algorithm = self.algorithm
        if algorithm == "auto":
            algorithm = "minibatch" if n > MINIBATCH_THRESHOLD else "kmeans"

        fit_idx = np.sort(rng.choice(n, size=fit_sample_size, replace=False)) if n > fit_sample_size else np.arange(n)
        Xf = X[fit_idx]
        sil_pos = (np.sort(rng.choice(len(fit_idx), size=sample_size, replace=False)) if len(fit_idx) > sample_size
                   else np.arange(len(fit_idx)))
        st_pos = (np.sort(rng.choice(len(fit_idx), size=_STABILITY_ROWS, replace=False))
                  if n_clusters is None and len(fit_idx) > _STABILITY_ROWS else np.arange(len(fit_idx)))
        seed = int(rng.randint(0, 2**31 - 1))
        with _threads(len(Xf)):  # k-means on the fitting subsample: candidates, or the given k
            if n_clusters is None:
                ks = range(k_range[0], min(k_range[1], n - 1) + 1)
                k_scores, models = self._candidates(Xf, ks, seed, n_init, sil_pos, st_pos,
                                                    rng.randint(0, 2**31 - 1, size=(len(ks), stability_runs)))
                k_scores["eligible"] = ((k_scores["stability"].fillna(1.0) >= STABLE_ARI)
                                        & (k_scores["smallest_share"] >= min_share))
                k, reason = _choose_k(k_scores)
                elbow = _elbow(k_scores["k"].to_numpy(), k_scores["inertia"].to_numpy())
                sample_model = models[k]
            else:
                k, elbow, reason = n_clusters, n_clusters, "given"
                sample_model = self._kmeans(k, "kmeans", seed, n_init).fit(Xf)
                lab = sample_model.labels_
                k_scores = pd.DataFrame({"k": [k], "silhouette": [_silhouette(Xf[sil_pos], lab[sil_pos])],
                                         "inertia": [float(sample_model.inertia_)], "stability": [np.nan],
                                         "smallest_share": [float(np.bincount(lab, minlength=k).min() / len(lab))],
                                         "eligible": [True]})
        # the final model on every customer, started from the subsample's centres
        if algorithm == "kmeans" and len(fit_idx) == n:
            model = sample_model
        elif algorithm == "kmeans":
            with _threads(len(X)):
                model = self._kmeans(k, "kmeans", seed, 1, init=sample_model.cluster_centers_).fit(X)
        else:
            with _threads(0):  # mini-batches of 4,096 rows: threads only add overhead
                model = self._kmeans(k, "minibatch", seed, 1, init=sample_model.cluster_centers_).fit(X)
        raw = model.labels_
        # number clusters by decreasing mean monetary_total (or first feature)
        key_col = "monetary_total" if "monetary_total" in customers.columns else features[0]
        key = customers[key_col].to_numpy(dtype=float, na_value=np.nan)
        sizes = np.bincount(raw, minlength=k)
        means = np.bincount(raw, weights=np.nan_to_num(key), minlength=k) / np.maximum(sizes, 1)
        order = np.lexsort((np.arange(k), -means))  # old cluster ids, best first
        relabel = np.empty(k, dtype=np.int64)
        relabel[order] = np.arange(k)
        labels = relabel[raw]
        centers = model.cluster_centers_[order]

        stability = np.nan
        if n_clusters is None:
            stability = float(k_scores.set_index("k").loc[k, "stability"])
        elif stability_runs:
            base = relabel[model.predict(Xf)]
            aris = []
            with _threads(len(Xf)):
                for _ in range(stability_runs):
                    other = self._kmeans(k, "kmeans", int(rng.randint(0, 2**31 - 1)), n_init).fit(Xf)
                    aris.append(adjusted_rand_score(base, other.labels_))
            stability = float(np.mean(aris))
            k_scores["stability"] = stability

        self.feature_names_in_ = np.array(features, dtype=object)
        self.n_features_in_ = len(features)
        self.mean_, self.scale_ = mean, scale
        self.algorithm_ = algorithm
        self.k_ = int(k)
        self.k_scores_ = k_scores
        self.k_reason_ = reason
        self.elbow_k_ = int(elbow)
        self.cluster_centers_ = centers
        self.model_ = model
        self.labels_ = pd.Series(labels, index=customers.index, name="cluster")
        self.profiles_ = self._profiles(customers, labels, features)
        self.names_ = self.profiles_["name"].rename("name")
        self.stability_ = stability
        return self

    def _profiles(self, customers, labels, features) -> pd.DataFrame:
        k = self.k_
        size = np.bincount(labels, minlength=k)
        prof = pd.DataFrame({"size": size.astype(np.int64), "share": size / size.sum()},
                            index=pd.RangeIndex(k, name="cluster"))
        if "monetary_total" in customers.columns:
            m = customers["monetary_total"].to_numpy(dtype=float)
            prof["revenue_share"] = np.bincount(labels, weights=m, minlength=k) / m.sum()
        else:
            prof["revenue_share"] = np.nan
        for f in features:
            prof[f] = np.bincount(labels, weights=customers[f].to_numpy(dtype=float), minlength=k) / np.maximum(size, 1)
        value_z = None
        if "monetary_total" in customers.columns and "monetary_total" not in features:
            lm = _log_scale(customers["monetary_total"].to_numpy(dtype=float))
            sd = max(float(lm.std()), MIN_LOG_SCALE)
            value_z = (np.bincount(labels, weights=lm, minlength=k) / np.maximum(size, 1) - lm.mean()) / sd
        prof.insert(0, "name", pd.array(_cluster_names(self.cluster_centers_, list(features), value_z), dtype="string"))
        return prof

    def _check_fitted(self):
        if not hasattr(self, "model_"):
            raise NotFittedError(
                "This CustomerSegmenter is not fitted yet; call fit(customers) before predict or fit_predict."
            )

    def predict(self, customers: pd.DataFrame) -> pd.Series:
        """The cluster of each customer of a (new) customer table.

        Parameters
        ----------
        customers : pandas.DataFrame
            With the columns ``feature_names_in_``.

        Returns
        -------
        pandas.Series
            Cluster per customer (same numbering as ``labels_``), named ``cluster``.
        """
        self._check_fitted()
        X = (self._matrix(customers, tuple(self.feature_names_in_)) - self.mean_) / self.scale_
        out = np.empty(len(X), dtype=np.int64)
        step = 100_000  # chunks keep the distance matrix small on large tables
        for s in range(0, len(X), step):
            xs = X[s:s + step]
            out[s:s + step] = ((xs[:, None, :] - self.cluster_centers_[None]) ** 2).sum(axis=2).argmin(axis=1)
        return pd.Series(out.astype(np.int64), index=customers.index, name="cluster")

    def fit_predict(self, customers: pd.DataFrame, y=None) -> pd.Series:
        """``fit(customers).labels_``."""
        return self.fit(customers).labels_


def _silhouette(X: np.ndarray, labels: np.ndarray) -> float:
    from sklearn.metrics import silhouette_score

    return float(silhouette_score(X, labels)) if len(np.unique(labels)) > 1 else float("nan")


def _choose_k(k_scores: pd.DataFrame) -> tuple[int, str]:
    """The k to use and why, from the candidates' scores (see the module notes)."""
    sil = k_scores["silhouette"].fillna(-1.0)
    ok = k_scores["eligible"].to_numpy()
    if not ok.any():
        return int(k_scores.loc[sil.idxmax(), "k"]), "none_eligible"
    best = sil[ok].max()
    near = ok & (sil.to_numpy() >= SILHOUETTE_TOLERANCE * best if best > 0 else sil.to_numpy() >= best)
    k = int(k_scores.loc[near, "k"].max())
    return k, ("best_silhouette" if sil[k_scores["k"] == k].iloc[0] >= best else "largest_near_best")


def _elbow(k: np.ndarray, inertia: np.ndarray) -> int:
    """The k of the point farthest from the chord between the ends of the (normalised) inertia curve."""
    if len(k) < 3:
        return int(k[0])
    x = (k - k[0]) / (k[-1] - k[0])
    span = inertia[0] - inertia[-1]
    y = (inertia - inertia[-1]) / span if span > 0 else np.zeros_like(inertia)
    # chord from (0, 1) to (1, 0): distance proportional to |x + y - 1|
    return int(k[np.argmax(np.abs(x + y - 1))])


def _level(z: float) -> str:
    return "high" if z > _NAME_Z else ("low" if z < -_NAME_Z else "mid")


def _cluster_names(centers: np.ndarray, features: list[str], value_z=None) -> list[str]:
    """A readable, unique name per cluster from its standardised centre: value, frequency, recency
    and tenure levels. ``value_z``: the clusters' standardised mean log spend, when spend is not a feature."""
    names = []
    value_f = next((f for f in _VALUE_FEATURES if f in features), None)
    for i, c in enumerate(centers):
        parts = []
        if value_z is not None:
            parts.append(label(f"segment.value.{_level(value_z[i])}"))
        elif value_f is not None:
            parts.append(label(f"segment.value.{_level(c[features.index(value_f)])}"))
        if "frequency" in features:
            parts.append(label(f"segment.frequency.{_level(c[features.index('frequency')])}"))
        if "recency_days" in features:
            parts.append(label(f"segment.recency.{_level(c[features.index('recency_days')])}"))
        if "tenure_days" in features and _level(c[features.index("tenure_days")]) == "low":
            parts.append(label("segment.tenure.low"))
        names.append(label("segment.join").join(parts) if parts else label("segment.cluster", i=i))
    return _disambiguate(names, centers, features)


def _disambiguate(names: list[str], centers: np.ndarray, features: list[str]) -> list[str]:
    """Tell apart clusters that got the same name: split the group at the middle of the feature in
    which their centres differ most, qualify each side in words ("more recent" / "less recent",
    "bigger orders" / "smaller orders", ...), and repeat inside a side that still holds several."""
    quals: list[list[str]] = [[] for _ in names]

    def split(group: list[int]) -> None:
        if len(group) < 2:
            return
        spread = centers[group].max(axis=0) - centers[group].min(axis=0)
        j = int(np.argmax(spread))
        if spread[j] <= 0:
            return
        mid = (centers[group, j].max() + centers[group, j].min()) / 2
        high = [i for i in group if centers[i, j] > mid]
        low = [i for i in group if centers[i, j] <= mid]
        f = features[j]
        more, less = _COMPARE.get(f, (None, None))
        for side, key, generic in ((high, more, "segment.higher"), (low, less, "segment.lower")):
            word = label(key) if key is not None else label(generic, feature=_feature_word(f))
            for i in side:
                quals[i].append(word)
            split(side)

    for name in dict.fromkeys(names):
        split([i for i, n in enumerate(names) if n == name])
    out = [label("segment.qualified", name=n, word=label("segment.join").join(q)) if q else n
           for n, q in zip(names, quals)]
    seen: dict[str, int] = {}
    for n in out:
        seen[n] = seen.get(n, 0) + 1
    return [f"{n} ({i})" if seen[n] > 1 else n for i, n in enumerate(out)]


def _feature_word(f: str) -> str:
    from ..text.labels import LABELS

    return label(f"customer.column.{f}") if f"customer.column.{f}" in LABELS else f


def segment_summary(customers: pd.DataFrame, *, by: str = "rfm_segment") -> pd.DataFrame:
    """One row per segment: size, revenue and mean behaviour (and value, when present).

    Parameters
    ----------
    customers : pandas.DataFrame
        A customer table with ``monetary_total`` and the segment column ``by`` (e.g. from
        :func:`crmmine.rfm_table`, with ``lifecycle_state`` or ``cluster`` added).
    by : str, default="rfm_segment"
        The segment column.

    Returns
    -------
    pandas.DataFrame
        Index: the segments (in category order for a categorical column, else by size).
        Columns ``customers``, ``customer_share``, ``revenue``, ``revenue_share``, the means
        ``recency_days``, ``frequency``, ``monetary_total`` (those present), and, when the
        table has them, ``predicted_value`` (sum), ``predicted_value_share`` and
        ``probability_alive`` (mean).

    Examples
    --------
    >>> import pandas as pd
    >>> from crmmine import segment_summary
    >>> c = pd.DataFrame({"seg": ["a", "a", "b"], "monetary_total": [10.0, 30.0, 60.0]})
    >>> segment_summary(c, by="seg")[["customers", "revenue_share"]].to_dict("list")
    {'customers': [2, 1], 'revenue_share': [0.4, 0.6]}
    """
    if not isinstance(customers, pd.DataFrame):
        raise ParameterError(
            f"The 'customers' parameter must be a DataFrame. Got {type(customers).__name__} instead."
        )
    for col in (by, "monetary_total"):
        if col not in customers.columns:
            raise MissingColumnError(
                f"The 'customers' table has no column {col!r}; add the segment column (e.g. "
                "crmmine.rfm_table(tx) has 'rfm_segment') or name it with by='<column>'."
            )
    key = customers[by]
    categorical = isinstance(key.dtype, pd.CategoricalDtype)
    g = customers.groupby(key, observed=True, sort=categorical)
    out = pd.DataFrame({"customers": g.size().astype(np.int64)})
    out["customer_share"] = out["customers"] / len(customers)
    out["revenue"] = g["monetary_total"].sum()
    out["revenue_share"] = out["revenue"] / customers["monetary_total"].sum()
    for col in ("recency_days", "frequency", "monetary_total"):
        if col in customers.columns:
            out[col] = g[col].mean()
    if "predicted_value" in customers.columns:
        out["predicted_value"] = g["predicted_value"].sum()
        total = customers["predicted_value"].sum()
        out["predicted_value_share"] = out["predicted_value"] / total if total else np.nan
    if "probability_alive" in customers.columns:
        out["probability_alive"] = g["probability_alive"].mean()
    if not categorical:
        out = out.sort_values("customers", ascending=False, kind="stable")
    out.index.name = by
    return out
