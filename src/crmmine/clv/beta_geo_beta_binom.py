"""The BG/BB model for discrete transaction opportunities (Fader, Hardie & Shang 2010).

For yearly donations, campaigns, events, subscriptions boxes: anything where a customer can buy at
most once per opportunity. While alive, a customer buys at each opportunity with probability ``p``;
at the start of each opportunity an alive customer dies with probability ``theta``. Across customers
``p ~ Beta(alpha, beta)`` and ``theta ~ Beta(gamma, delta)``. A summary row is ``(x, t_x, n)``:
purchases in the ``n`` opportunities after the first, the opportunity of the last one (0 if none).

References
----------
.. [1] P. S. Fader, B. G. S. Hardie, J. Shang (2010), "Customer-Base Analysis in a Discrete-Time
   Noncontractual Setting", Marketing Science 29(6), 1086-1108 (eq. 5 likelihood, eq. 11 P(alive),
   eq. 8 E[X(n)], eq. 13 conditional expectation).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln

from ..errors import InputError, ParameterError
from ..validation import check_int, check_number
from ._btyd import _BTYDModel, group_keys, numeric_hessian
from .base import _first_bad, _summary_arrays

__all__ = ["BetaGeoBetaBinomModel"]

_LOG_BOUND = 20.0


def _loglik(theta, x, tx, n):
    """Per-row BG/BB log-likelihood (FHS 2010 eq. 5; input already validated).

    ``L = B(al + x, be + n - x) / B(al, be) * B(ga, de + n) / B(ga, de)
    + sum_{i=0}^{n - t_x - 1} B(al + x, be + t_x - x + i) / B(al, be) * B(ga + 1, de + t_x + i) / B(ga, de)``.
    The sum runs over at most ``max(n - t_x)`` terms, vectorised as a masked matrix.
    """
    al, be, ga, de = theta
    base = betaln(al + x, be + n - x) - betaln(al, be) + betaln(ga, de + n) - betaln(ga, de)
    m = int(np.max(n - tx)) if x.size else 0
    if m <= 0:
        return base
    i = np.arange(m)[None, :]
    terms = (betaln(al + x[:, None], be + tx[:, None] - x[:, None] + i) - betaln(al, be)
             + betaln(ga + 1, de + tx[:, None] + i) - betaln(ga, de))
    terms = np.where(i < (n - tx)[:, None], terms, -np.inf)
    return np.logaddexp(base, np.logaddexp.reduce(terms, axis=1))


def _objective(z, x, tx, n, w, total):
    theta = np.exp(np.clip(z, -_LOG_BOUND, _LOG_BOUND))
    f = -float((w * _loglik(theta, x, tx, n)).sum()) / total
    return f if np.isfinite(f) else np.inf


def _objective_grad(z, x, tx, n, w, total):
    """Objective and central-difference gradient (4 parameters; rows are the few distinct (x, t_x, n))."""
    f = _objective(z, x, tx, n, w, total)
    g = np.empty(4)
    for j in range(4):  # one pair of evaluations per parameter
        h = 1e-6
        up, dn = z.copy(), z.copy()
        up[j] += h
        dn[j] -= h
        g[j] = (_objective(up, x, tx, n, w, total) - _objective(dn, x, tx, n, w, total)) / (2 * h)
    if not np.isfinite(f) or not np.all(np.isfinite(g)):
        return np.inf, np.zeros(4)
    return f, g


class BetaGeoBetaBinomModel(_BTYDModel):
    """The BG/BB model (Fader, Hardie & Shang 2010) for discrete-time opportunities.

    The summary has one row per customer (or per group of customers with a ``weights`` column) with
    ``frequency`` (purchases after the first opportunity), ``recency`` (the opportunity of the last one,
    0 if none) and ``n_periods`` (opportunities observed after the first).

    Parameters
    ----------
    max_iter : int, default=1000
        Maximum L-BFGS-B iterations per start.

    Attributes
    ----------
    params_ : pandas.Series
        ``alpha, beta`` (purchase probability) and ``gamma, delta`` (dropout probability).
    standard_errors_ : pandas.Series
    covariance_ : pandas.DataFrame
        Of the log-parameters.
    log_likelihood_ : float
    n_customers_ : int
        Customers (sum of the weights).

    References
    ----------
    .. [1] Fader, Hardie & Shang (2010), Marketing Science 29(6), 1086-1108.

    Examples
    --------
    >>> import crmmine
    >>> s = crmmine.BetaGeoBetaBinomModel.simulate(3000, n_periods=6, random_state=0,
    ...     params={"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8})
    >>> crmmine.BetaGeoBetaBinomModel().fit(s).params_.index.tolist()
    ['alpha', 'beta', 'gamma', 'delta']
    """

    _param_names = ("alpha", "beta", "gamma", "delta")
    _init_names = ("max_iter",)

    def __init__(self, *, max_iter: int = 1000):
        self.max_iter = max_iter

    def _arrays(self, summary, name="summary"):
        v = _summary_arrays(summary, name=name, need=("frequency", "recency", "n_periods"),
                            cols={"frequency": "frequency", "recency": "recency", "T": "n_periods"})
        x, tx, n = v["frequency"], v["recency"], v["T"]
        bad = (tx != np.round(tx)) | (n != np.round(n))
        if bad.any():
            raise InputError(f"The '{name}' table's 'recency' and 'n_periods' must be whole numbers of "
                             "opportunities. " + _first_bad(summary, bad, ["recency", "n_periods"]))
        bad = x > tx
        if bad.any():
            raise InputError(f"The '{name}' table's 'frequency' cannot exceed 'recency' (one purchase per "
                             "opportunity). " + _first_bad(summary, bad, ["frequency", "recency"]))
        if "weights" in summary.columns:
            w = summary["weights"].to_numpy(dtype=float, na_value=np.nan)
            bad = ~(np.isfinite(w) & (w >= 0))
            if bad.any():
                raise InputError(f"The '{name}' table's 'weights' must be numbers >= 0. "
                                 + _first_bad(summary, bad, ["weights"]))
        else:
            w = np.ones(x.size)
        return {"frequency": x, "recency": tx, "T": n, "weights": w}

    def fit(self, summary: pd.DataFrame) -> BetaGeoBetaBinomModel:
        """Estimate ``alpha, beta, gamma, delta`` by maximum likelihood.

        Parameters
        ----------
        summary : pandas.DataFrame
            Columns ``frequency``, ``recency``, ``n_periods`` and optionally ``weights``.

        Returns
        -------
        self
        """
        check_int("max_iter", self.max_iter, lo=1)
        v = self._arrays(summary)
        x, tx, n, w0 = v["frequency"], v["recency"], v["T"], v["weights"]
        if x.size == 0 or w0.sum() <= 0:
            raise InputError("The 'summary' table has no customers; there is nothing to fit.")
        first, inv, _ = group_keys(x, tx, n)
        w = np.bincount(inv, weights=w0, minlength=first.size)
        gx, gt, gn = x[first], tx[first], n[first]
        total = float(w.sum())
        starts = [np.zeros(4), np.log([0.5, 2.0, 0.5, 2.0]), np.log([2.0, 0.5, 2.0, 0.5])]
        args = (gx, gt, gn, w, total)
        res = self._minimize(_objective_grad, starts, args, [(-_LOG_BOUND, _LOG_BOUND)] * 4)
        zhat = res.x
        self.log_likelihood_ = float(-_objective(zhat, *args) * total)
        H = numeric_hessian(lambda zz: -_objective_grad(zz, *args)[1] * total, zhat, rel_step=1e-4)
        theta = np.exp(zhat)
        return self._store_fit(res, H, ["log_alpha", "log_beta", "log_gamma", "log_delta"], theta, self._param_names, n_customers=round(total),
                               time_unit=None, se_scale=theta)

    # -- predictions ---------------------------------------------------------------------
    def _rows_loglik(self, values, arr):
        return _loglik(values[:4], arr["frequency"], arr["recency"], arr["T"])

    def probability_alive(self, summary: pd.DataFrame, *, future: int = 1) -> pd.Series:
        """P(alive at opportunity ``n + future`` | x, t_x, n) (FHS 2010 eq. 11 for ``future=1``):
        ``B(al + x, be + n - x) / B(al, be) * B(ga, de + n + future) / B(ga, de) / L``.

        Parameters
        ----------
        summary : pandas.DataFrame
        future : int, default=1
            0 gives P(alive at the last observed opportunity n).

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``probability_alive``.
        """
        self._check_fitted()
        future = check_int("future", future, lo=0)
        v = self._arrays(summary)
        al, be, ga, de = self.params_.to_numpy()
        x, n = v["frequency"], v["T"]
        lnum = betaln(al + x, be + n - x) - betaln(al, be) + betaln(ga, de + n + future) - betaln(ga, de)
        return pd.Series(np.exp(lnum - self._rows_loglik(self.params_.to_numpy(), v)), index=summary.index,
                         name="probability_alive")

    def expected_purchases_new(self, n):
        """E[X(n)], purchases in the first ``n`` opportunities of a new customer (FHS 2010 eq. 8):
        ``al / (al + be) * de / (ga - 1) * [1 - Gamma(ga + de) Gamma(1 + de + n) / (Gamma(ga + de + n) Gamma(1 + de))]``.
        """
        self._check_fitted()
        nn = np.asarray(n, dtype=float)
        al, be, ga, de = self.params_.to_numpy()
        ratio = np.exp(gammaln(ga + de) + gammaln(1 + de + nn) - gammaln(ga + de + nn) - gammaln(1 + de))
        val = al / (al + be) * de / (ga - 1) * (1 - ratio)
        return float(val) if np.ndim(val) == 0 else val

    def expected_purchases(self, t, summary: pd.DataFrame) -> pd.Series:
        """Expected purchases in the next ``t`` opportunities (FHS 2010 eq. 13):
        ``1/L * B(al + x + 1, be + n - x) / B(al, be) * de / (ga - 1) * Gamma(ga + de) / Gamma(1 + de) *
        [Gamma(1 + de + n) / Gamma(ga + de + n) - Gamma(1 + de + n + t) / Gamma(ga + de + n + t)]``.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``expected_purchases``.
        """
        self._check_fitted()
        t = check_int("t", t, lo=0)
        v = self._arrays(summary)
        al, be, ga, de = self.params_.to_numpy()
        x, n = v["frequency"], v["T"]
        lead = np.exp(betaln(al + x + 1, be + n - x) - betaln(al, be) - self._rows_loglik(self.params_.to_numpy(), v))
        diff = (np.exp(gammaln(1 + de + n) - gammaln(ga + de + n))
                - np.exp(gammaln(1 + de + n + t) - gammaln(ga + de + n + t)))
        val = lead * de / (ga - 1) * np.exp(gammaln(ga + de) - gammaln(1 + de)) * diff
        return pd.Series(val, index=summary.index, name="expected_purchases")

    def probability_no_purchase(self, t, summary: pd.DataFrame) -> pd.Series:
        """P(no purchase in the next ``t`` opportunities | x, t_x, n) = L(x, t_x, n + t) / L(x, t_x, n).

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``probability_no_purchase``.
        """
        self._check_fitted()
        t = check_int("t", t, lo=0)
        v = self._arrays(summary)
        later = dict(v, T=v["T"] + t)
        vals = self.params_.to_numpy()
        p = np.exp(self._rows_loglik(vals, later) - self._rows_loglik(vals, v))
        return pd.Series(np.clip(p, 0, 1), index=summary.index, name="probability_no_purchase")

    @staticmethod
    def simulate(n_customers: int, *, n_periods: int = 6, params: dict | None = None,
                 random_state=None) -> pd.DataFrame:
        """Simulate a BG/BB summary: death at the start of each opportunity with ``theta``, then a
        purchase with ``p`` while alive (FHS 2010 section 2).

        Returns
        -------
        pandas.DataFrame
            ``frequency, recency, n_periods`` and the latent ``p_``, ``theta_``, ``alive_``.
        """
        n = check_int("n_customers", n_customers, lo=1)
        m = check_int("n_periods", n_periods, lo=1)
        if not isinstance(params, dict) or any(k not in params for k in ("alpha", "beta", "gamma", "delta")):
            raise ParameterError(
                f"The 'params' parameter must be a dict with keys alpha, beta, gamma, delta. Got {params!r}.")
        rng = np.random.default_rng(random_state)
        p = rng.beta(float(params["alpha"]), float(params["beta"]), size=n)
        theta = rng.beta(float(params["gamma"]), float(params["delta"]), size=n)
        death = rng.geometric(theta)  # the opportunity at whose start the customer dies (1, 2, ...)
        x = np.zeros(n, dtype=np.int64)
        last = np.zeros(n, dtype=np.int64)
        for t in range(1, m + 1):  # one vectorised pass per opportunity (n_periods is small)
            buy = (death > t) & (rng.uniform(size=n) < p)
            x += buy
            last = np.where(buy, t, last)
        return pd.DataFrame({"frequency": x, "recency": last, "n_periods": np.full(n, m, dtype=np.int64),
                             "p_": p, "theta_": theta, "alive_": death > m},
                            index=pd.RangeIndex(n, name="customer_id"))
