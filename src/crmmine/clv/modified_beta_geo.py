"""The modified BG/NBD model (Batislam, Denizel & Filiztekin 2007): a one-time buyer can be gone.

BG/NBD lets a customer drop out only right after a *repeat* purchase, so a customer who bought once
is alive with probability 1. The modified model (MBG/NBD) also lets them drop out right after the
first purchase: after every purchase, including the first, a customer becomes inactive with
probability ``p``. While active they buy by a Poisson process with rate ``lambda``;
``lambda ~ Gamma(r, alpha)``, ``p ~ Beta(a, b)``.

References
----------
.. [1] E. P. Batislam, M. Denizel, A. Filiztekin (2007), "Empirical validation and comparison of models
   for customer base analysis", International Journal of Research in Marketing 24(3), 201-209.
.. [2] P. S. Fader, B. G. S. Hardie, K. L. Lee (2005), "'Counting Your Customers' the Easy Way",
   Marketing Science 24(2), 275-284 (the BG/NBD expressions it modifies).
.. [3] M. Platzer, T. Reutterer (2016), R package BTYDplus, ``mbgnbd.cbs.LL`` (the reference estimates).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import gammaln, hyp2f1

from . import _kernels as K
from ..validation import check_int, check_number
from ._btyd import _BTYDModel, group_keys, numeric_hessian
from .base import _check_horizon, _check_scalar_horizon, _fit_arrays, _moment_starts, _simulation_setup, _summary_arrays

__all__ = ["ModifiedBetaGeoModel"]

_LOG_BOUND = 30.0


def _loglik(theta, x, tx, T):
    """Per-customer MBG/NBD log-likelihood (Batislam et al. 2007, eq. 6; input already validated).

    ``LL = A1 + A2 - (r + x) log(alpha + T) + log(1 + exp(A4))`` with
    ``A1 = log Gamma(r + x) - log Gamma(r) + r log alpha``,
    ``A2 = log B(a, b + x + 1) - log B(a, b)`` and
    ``A4 = log a - log(b + x) + (r + x) [log(alpha + T) - log(alpha + t_x)]``.
    """
    r, al, a, b = theta
    laT, lat = np.log(al + T), np.log(al + tx)
    A4 = np.log(a) - np.log(b + x) + (r + x) * (laT - lat)
    return (gammaln(r + x) - gammaln(r) + r * np.log(al) + gammaln(a + b) + gammaln(b + x + 1) - gammaln(b)
            - gammaln(a + b + x + 1) - (r + x) * laT + np.logaddexp(0.0, A4)), A4


class ModifiedBetaGeoModel(_BTYDModel):
    """The modified BG/NBD model (MBG/NBD; Batislam, Denizel & Filiztekin 2007).

    Like :class:`crmmine.BetaGeoModel`, but a customer can drop out right after the first purchase
    too, so customers without repeat purchases get P(alive) < 1.

    Parameters
    ----------
    penalizer : float, default=0.0
        L2 penalty ``penalizer * (r**2 + alpha**2 + a**2 + b**2)`` on the mean negative log-likelihood.
    max_iter : int, default=1000
        Maximum L-BFGS-B iterations per start.

    Attributes
    ----------
    params_ : pandas.Series
        ``r, alpha, a, b`` (alpha in the summary's time unit).
    standard_errors_ : pandas.Series
    covariance_ : pandas.DataFrame
        Asymptotic covariance of the log-parameters (used for intervals).
    log_likelihood_ : float
    n_customers_, n_iter_ : int
    time_unit_ : str or None

    References
    ----------
    .. [1] Batislam, Denizel & Filiztekin (2007), IJRM 24(3), 201-209.

    Examples
    --------
    >>> import crmmine
    >>> s = crmmine.ModifiedBetaGeoModel.simulate(2000, T=52, params={"r": 0.5, "alpha": 6, "a": 0.9, "b": 1.6},
    ...                                           random_state=0)
    >>> crmmine.ModifiedBetaGeoModel().fit(s).params_.index.tolist()
    ['r', 'alpha', 'a', 'b']
    """

    _param_names = ("r", "alpha", "a", "b")
    _init_names = ("penalizer", "max_iter")

    def __init__(self, *, penalizer: float = 0.0, max_iter: int = 1000):
        self.penalizer = penalizer
        self.max_iter = max_iter

    def fit(self, summary: pd.DataFrame) -> ModifiedBetaGeoModel:
        """Estimate ``r, alpha, a, b`` by maximum likelihood from a summary.

        Parameters
        ----------
        summary : pandas.DataFrame
            From :func:`crmmine.clv_summary` (or the ``_cal`` columns of
            :func:`crmmine.calibration_holdout_summary`).

        Returns
        -------
        self
        """
        penalizer = check_number("penalizer", self.penalizer, lo=0)
        check_int("max_iter", self.max_iter, lo=1)
        x, tx, T = _fit_arrays(summary)
        scale = float(T.max()) / 10.0
        d = K.BGData(x, tx, T).scaled(scale)  # grouped by distinct (x, t_x, T), as for BG/NBD
        starts = _moment_starts(d.x, d.T, d.w, lambda mean_T: (1.0, 2.0, 10.0))
        n = d.n
        res = self._minimize(K.mbg_objective, starts, (d, penalizer, scale), [(-_LOG_BOUND, _LOG_BOUND)] * 4)
        zhat = res.x
        self.log_likelihood_ = float(-K.mbg_objective(zhat, d, 0.0, scale)[0] * n - float(x.sum()) * math.log(scale))
        H = numeric_hessian(lambda zz: -K.mbg_objective(zz, d, 0.0, scale)[1] * n, zhat)
        theta = np.exp(zhat) * np.array([1.0, scale, 1.0, 1.0])
        return self._store_fit(res, H, ["log_r", "log_alpha", "log_a", "log_b"], theta, self._param_names,
                               n_customers=x.size, time_unit=summary.attrs.get("time_unit"), se_scale=theta)

    def _benign_edge(self, logp):
        return np.array([False, False, logp[2] < 0, logp[3] > 0])

    # -- predictions ---------------------------------------------------------------------
    def _arrays(self, summary):
        self._check_fitted()
        return _summary_arrays(summary)

    def _rows_loglik(self, values, arr):
        return _loglik(values[:4], arr["frequency"], arr["recency"], arr["T"])[0]

    def _palive(self, x, tx, T):
        r, al, a, b = self.params_.to_numpy()[:4]
        z = np.log(a) - np.log(b + x) + (r + x) * (np.log(al + T) - np.log(al + tx))
        return np.exp(-np.logaddexp(0.0, z))

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(alive | x, t_x, T) = ``1 / (1 + a / (b + x) ((alpha + T) / (alpha + t_x))^(r + x))``
        (Batislam et al. 2007, eq. 8); below 1 for one-time buyers too.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``probability_alive``.
        """
        v = self._arrays(summary)
        return pd.Series(self._palive(v["frequency"], v["recency"], v["T"]), index=summary.index,
                         name="probability_alive")

    def expected_purchases_new(self, t):
        """E[X(t)] of a new customer (Batislam et al. 2007, eq. 9):
        ``b / (a - 1) [1 - (alpha / (alpha + t))^r 2F1(r, b + 1; a + b; t / (alpha + t))]``."""
        self._check_fitted()
        tt = _check_horizon("t", t)
        r, al, a, b = self.params_.to_numpy()[:4]
        val = b / (a - 1) * (1 - (al / (al + tt)) ** r * hyp2f1(r, b + 1, a + b, tt / (al + tt)))
        return float(val) if np.ndim(val) == 0 else val

    def expected_purchases(self, t, summary: pd.DataFrame) -> pd.Series:
        """E[Y(t) | x, t_x, T] (Batislam et al. 2007, eq. 10):
        ``(a + b + x) / (a - 1) [1 - ((alpha + T) / (alpha + T + t))^(r + x)
        2F1(r + x, b + x + 1; a + b + x; t / (alpha + T + t))] P(alive)``.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``expected_purchases``.
        """
        tt = float(_check_scalar_horizon("t", t))
        v = self._arrays(summary)
        x, tx, T = v["frequency"], v["recency"], v["T"]
        r, al, a, b = self.params_.to_numpy()[:4]
        first, inv, _ = group_keys(x, T) if x.size else (np.zeros(0, int), np.zeros(0, int), None)
        ux, uT = x[first], T[first]  # hyp2f1 once per distinct (x, T)
        body = 1 - ((al + uT) / (al + uT + tt)) ** (r + ux) * hyp2f1(r + ux, b + ux + 1, a + b + ux,
                                                                       tt / (al + uT + tt))
        val = (a + b + x) / (a - 1) * body[inv] * self._palive(x, tx, T)
        return pd.Series(val, index=summary.index, name="expected_purchases")

    @staticmethod
    def simulate(n_customers: int, *, T=52.0, params: dict | None = None, random_state=None) -> pd.DataFrame:
        """Simulate a summary from the MBG/NBD story: ``J ~ Geometric(p)`` purchases (the first one
        included) before dropping out, Poisson(lambda) timing while active.

        Returns
        -------
        pandas.DataFrame
            ``frequency, recency, T`` and the latent ``lambda_``, ``p_``, ``alive_``.
        """
        n, rng, Tn = _simulation_setup(n_customers, params, ("r", "alpha", "a", "b"), random_state, T)
        lam = rng.gamma(float(params["r"]), 1.0 / float(params["alpha"]), size=n)
        p = rng.beta(float(params["a"]), float(params["b"]), size=n)
        n_events = rng.poisson(lam * Tn)  # purchases in (0, T] if never inactive
        J = rng.geometric(p) - 1  # repeat purchases made before dropping out (0: gone after the first)
        x = np.minimum(n_events, J)
        alive = J > n_events
        # times of the first x of n_events uniform points on (0, T]: the x-th order statistic is the recency
        u = rng.beta(np.maximum(x, 1), np.maximum(n_events - x + 1, 1))
        recency = np.where(x > 0, Tn * u, 0.0)
        return pd.DataFrame({"frequency": x.astype(np.int64), "recency": recency, "T": Tn, "lambda_": lam,
                             "p_": p, "alive_": alive}, index=pd.RangeIndex(n, name="customer_id"))
