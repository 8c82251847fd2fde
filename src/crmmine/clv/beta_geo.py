"""The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005a).

References
----------
.. [1] P. S. Fader, B. G. S. Hardie, K. L. Lee (2005a), "'Counting Your Customers' the
   Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284.
.. [3] P. S. Fader, B. G. S. Hardie, K. L. Lee (2008), "Computing P(alive) Using the
   BG/NBD Model", http://brucehardie.com/notes/021/.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd
from scipy.special import hyp2f1

from . import _kernels as K
from ..errors import InputError, ParameterError
from ..validation import check_int, check_number


from .base import _check_horizon, _check_scalar_horizon, _Model, _summary_arrays

__all__ = ['BetaGeoModel']

# --------------------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------------------
class BetaGeoModel(_Model):
    """The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005a).

    While active, a customer buys by a Poisson process with rate ``lambda``; after each
    purchase they become inactive with probability ``p``. Across customers
    ``lambda ~ Gamma(r, alpha)`` and ``p ~ Beta(a, b)``. Parameters are estimated by
    maximum likelihood (eq. 6 of [1]) with L-BFGS-B on log-parameters, analytic gradient,
    customers grouped by distinct ``(x, t_x, T)``, times rescaled internally so that
    ``T`` is of order 10 (the reported ``alpha`` is in the summary's time unit).

    Parameters
    ----------
    penalizer : float, default=0.0
        L2 penalty ``penalizer * (r**2 + alpha**2 + a**2 + b**2)`` added to the mean
        negative log-likelihood (the lifetimes convention; ``alpha`` in summary units).
        A small value (1e-3) helps on data with almost no repeat purchases.
    max_iter : int, default=1000
        Maximum L-BFGS-B iterations per start.
    initial_params : dict or None, default=None
        Starting values ``{r, alpha, a, b}`` (alpha in summary units); ``None`` uses
        moment-based starts, retried from other points if the first does not converge.

    Attributes
    ----------
    params_ : pandas.Series
        ``r, alpha, a, b``.
    standard_errors_ : pandas.Series
        Asymptotic standard errors from the inverse Hessian of the log-likelihood at the
        optimum (numerical derivative of the analytic gradient); NaN where it is not
        negative definite.
    covariance_ : pandas.DataFrame
        Asymptotic covariance of ``(log r, log alpha, log a, log b)`` (inverse of the negative
        Hessian); :func:`crmmine.predict_interval` draws from it.
    log_likelihood_ : float
        Total log-likelihood at the optimum (summary time units; without the penalty).
    n_customers_ : int
        Customers in the fitted summary.
    time_unit_ : str or None
        ``summary.attrs["time_unit"]`` of the fitted summary.
    n_iter_ : int
        L-BFGS-B iterations of the retained start.

    Notes
    -----
    An estimate of ``a`` near 0 or of ``b`` very large means the data show (almost) no
    dropout: the mean dropout probability ``a / (a + b)`` is about 0 and P(alive) about 1
    for everyone; the likelihood is then flat along a ridge, so ``a`` and ``b`` themselves
    are poorly determined (the full Online Retail year gives ``a`` = 0.004, ``b`` = 7.2
    with a standard error of 24; cut at other dates, ``b`` runs to 10^4-10^6). A
    :class:`~crmmine.errors.CrmmineWarning` is issued when ``r`` or ``alpha`` (or ``a``
    upwards, ``b`` downwards) runs to the edge of the parameter space (e.g. no repeat
    purchases at all), where predictions are unreliable.

    References
    ----------
    .. [1] Fader, Hardie & Lee (2005a), Marketing Science 24(2), 275-284.
    .. [2] Fader, Hardie & Lee (2008), "Computing P(alive) Using the BG/NBD Model".

    Examples
    --------
    >>> import crmmine
    >>> from crmmine.datasets import make_transactions
    >>> tx, truth = make_transactions(2000, random_state=1)
    >>> bg = crmmine.BetaGeoModel().fit(crmmine.clv_summary(tx))
    >>> list(bg.params_.index)
    ['r', 'alpha', 'a', 'b']
    """

    _param_names = ("r", "alpha", "a", "b")
    _init_names = ("penalizer", "max_iter", "initial_params")

    def __init__(self, *, penalizer: float = 0.0, max_iter: int = 1000, initial_params: dict | None = None):
        self.penalizer = penalizer
        self.max_iter = max_iter
        self.initial_params = initial_params

    def fit(self, summary: pd.DataFrame) -> BetaGeoModel:
        """Estimate ``r, alpha, a, b`` from a summary.

        Parameters
        ----------
        summary : pandas.DataFrame
            From :func:`clv_summary`: columns ``frequency``, ``recency``, ``T``; or the
            table of :func:`calibration_holdout_summary`, read through its calibration
            columns (``frequency_cal``, ``recency_cal``, ``T_cal``), as are the predictions.

        Returns
        -------
        self

        Raises
        ------
        InputError
            A column is missing, negative, not whole (frequency), or recency > T.
        ConvergenceError
            The optimiser did not reach a maximum from any start.
        """
        penalizer = check_number("penalizer", self.penalizer, lo=0)
        check_int("max_iter", self.max_iter, lo=1)
        v = _summary_arrays(summary)
        x, tx, T = v["frequency"], v["recency"], v["T"]
        if x.size == 0:
            raise InputError("The 'summary' table has no customers; there is nothing to fit.")
        if not (T > 0).any():
            raise InputError("Every customer in the 'summary' table has T == 0; choose a later observation_end.")
        scale = float(T.max()) / 10.0
        d_user = K.BGData(x, tx, T)  # grouped by distinct (x, t_x, T)
        d = d_user.scaled(scale)
        mean_x = max(float(np.average(d.x, weights=d.w)), 0.05)
        mean_T = float(np.average(d.T, weights=d.w))
        if self.initial_params is not None:
            ip = self._check_initial(self.initial_params)
            starts = [np.log([ip["r"], ip["alpha"] / scale, ip["a"], ip["b"]])]
        else:
            starts = [
                np.log([1.0, mean_T / mean_x, 1.0, 1.0]),
                np.log([0.5, 0.5 * mean_T / mean_x, 0.5, 2.0]),
                np.log([2.0, 2.0 * mean_T / mean_x, 2.0, 10.0]),
            ]
        bounds = [(-K._LOG_BOUND, K._LOG_BOUND)] * 4
        res = self._minimize(K.bg_objective, starts, (d, penalizer, scale), bounds)
        r, al, a, b = np.exp(res.x)
        ll_int = -(res.fun if penalizer == 0 else K.bg_objective(res.x, d, 0.0, scale)[0]) * d.n
        # times in internal units: LL_user = LL_int - sum(x) log(scale), alpha_user = alpha * scale
        self.log_likelihood_ = float(ll_int - float(x.sum()) * math.log(scale))
        theta = np.array([r, al * scale, a, b])
        mult = np.array([1.0, scale, 1.0, 1.0])
        se = self._standard_errors(lambda th: K.bg_total_loglik_grad(th, d), theta / mult)
        self.standard_errors_ = se * mult
        # covariance of (log r, log alpha, log a, log b), for crmmine.predict_interval (the shift of log alpha
        # by log(scale) leaves it unchanged)
        from ._btyd import covariance_from_hessian, numeric_hessian

        with np.errstate(all="ignore"):
            H = numeric_hessian(lambda z: -K.bg_objective(z, d, 0.0, scale)[1] * d.n, res.x)
        self.covariance_ = covariance_from_hessian(H, ["log_r", "log_alpha", "log_a", "log_b"])
        self.n_customers_ = int(x.size)
        self.time_unit_ = summary.attrs.get("time_unit")
        self.n_iter_ = int(res.nit)
        self.params_ = pd.Series(theta, index=list(self._param_names), name="value")
        return self

    def _benign_edge(self, logp):
        # a -> 0 or b -> infinity: the mean dropout probability a / (a + b) -> 0, i.e. the data
        # show no dropout; P(alive) -> 1 and predictions stay finite
        return np.array([False, False, logp[2] < 0, logp[3] > 0])

    @staticmethod
    def _check_initial(ip):
        if not isinstance(ip, dict) or set(ip) != {"r", "alpha", "a", "b"} or any(
            not isinstance(ip[k], numbers.Real) or not ip[k] > 0 for k in ip
        ):
            raise ParameterError(
                f"The 'initial_params' parameter must be None or a dict of positive numbers with keys r, alpha, a, b. "
                f"Got {ip!r} instead."
            )
        return {k: float(v) for k, v in ip.items()}

    # -- predictions ---------------------------------------------------------------------
    def _p(self):
        self._check_fitted()
        return self.params_.to_numpy()

    def _xtT(self, summary):
        v = _summary_arrays(summary)
        return v["frequency"], v["recency"], v["T"]

    def _series(self, values, summary, name):
        return pd.Series(values, index=summary.index, name=name)

    def _log_odds_dead(self, x, tx, T):
        """log of the second term of the P(alive) denominator; -inf for x == 0."""
        r, al, a, b = self._p()
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.log(a) - np.log(b + np.maximum(x, 1) - 1) + (r + x) * (np.log(al + T) - np.log(al + tx))
            return np.where(x > 0, z, -np.inf)

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(active at T | x, t_x, T) (Fader, Hardie & Lee 2008, "Computing P(alive) Using the BG/NBD Model").

        ``1 / (1 + [x > 0] * a / (b + x - 1) * ((alpha + T) / (alpha + t_x))**(r + x))``;
        1 for customers without repeat purchases (in BG/NBD they cannot drop out
        before their first repeat purchase).

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``probability_alive``.
        """
        x, tx, T = self._xtT(summary)
        return self._series(self._palive(x, tx, T), summary, "probability_alive")

    def _palive(self, x, tx, T):
        z = self._log_odds_dead(x, tx, T)
        return np.exp(-np.logaddexp(0.0, z))

    def expected_purchases_new(self, t):
        """Expected purchases E[X(t)] of a new customer in a period of length t (FHL 2005a eq. 9).

        ``(a + b - 1) / (a - 1) * [1 - (alpha / (alpha + t))**r * 2F1(r, b; a + b - 1; t / (alpha + t))]``.

        Parameters
        ----------
        t : float or array-like
            Period length(s) in the summary's time unit.

        Returns
        -------
        float or numpy.ndarray
        """
        r, al, a, b = self._p()
        tt = _check_horizon("t", t)
        z = tt / (al + tt)
        # Pfaff's transformation (A&S 15.3.4): (1 - z)^r 2F1(r, b; c; z) = 2F1(r, c - b; c; z / (z - 1)), which
        # stays accurate when b is huge (a fit with almost no dropout), where the direct form overflows
        with np.errstate(all="ignore"):
            body = 1 - hyp2f1(r, a - 1, a + b - 1, z / (z - 1))
            body = np.where(np.isfinite(body), body, 1 - (al / (al + tt)) ** r * hyp2f1(r, b, a + b - 1, z))
        val = (a + b - 1) / (a - 1) * body
        return float(val) if np.ndim(val) == 0 else val

    def _cond_expected(self, t, x, tx, T):
        if x.size > 10_000:  # hyp2f1 is the cost: evaluate once per distinct (x, t_x, T)
            ux, utx, uT, inv = K.unique_rows(x, tx, T)
            return self._cond_expected_rows(t, ux, utx, uT)[inv]
        return self._cond_expected_rows(t, x, tx, T)

    def _cond_expected_rows(self, t, x, tx, T):
        r, al, a, b = self._p()
        aT = al + T
        z = t / (aT + t)
        head = (a + b + x - 1) / (a - 1)
        with np.errstate(all="ignore"):  # Pfaff's form (see expected_purchases_new), else the direct one
            body = 1 - hyp2f1(r + x, a - 1, a + b + x - 1, z / (z - 1))
            body = np.where(np.isfinite(body), body,
                            1 - (aT / (aT + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z))
        return head * body * self._palive(x, tx, T)

    def expected_purchases(self, t, summary: pd.DataFrame) -> pd.Series:
        """Conditional expected purchases in (T, T + t] given x, t_x, T (FHL 2005a eq. 10).

        ``(a + b + x - 1) / (a - 1) * [1 - ((alpha + T) / (alpha + T + t))**(r + x) *
        2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))] * P(alive)``.

        Parameters
        ----------
        t : float
            Length of the future period in the summary's time unit.
        summary : pandas.DataFrame
            From :func:`clv_summary` (``frequency``, ``recency``, ``T``).

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``expected_purchases``.
        """
        tt = float(_check_scalar_horizon("t", t))
        x, tx, T = self._xtT(summary)
        return self._series(self._cond_expected(tt, x, tx, T), summary, "expected_purchases")

    def probability_no_purchase(self, t, summary: pd.DataFrame) -> pd.Series:
        """P(no purchase in (T, T + t] | x, t_x, T).

        The customer is inactive, or active and does not buy:
        ``1 - P(alive) + P(alive) * ((alpha + T) / (alpha + T + t))**(r + x)``, the ratio
        of the BG/NBD likelihoods (FHL 2005a eq. 6) at ``T + t`` and ``T``.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``probability_no_purchase``.
        """
        tt = float(_check_scalar_horizon("t", t))
        x, tx, T = self._xtT(summary)
        r, al, a, b = self._p()
        pa = self._palive(x, tx, T)
        stay = ((al + T) / (al + T + tt)) ** (r + x)
        return self._series(1 - pa + pa * stay, summary, "probability_no_purchase")
