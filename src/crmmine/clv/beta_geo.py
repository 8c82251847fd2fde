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
from ..errors import ParameterError
from ..validation import check_int, check_number


from ._btyd import _BTYDModel
from .base import (_check_horizon, _check_scalar_horizon, _fit_arrays, _Model, _moment_starts, _simulation_setup,
                   _summary_arrays)

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
    _init_names = ("penalizer", "max_iter", "initial_params", "covariates")

    def __init__(self, *, penalizer: float = 0.0, max_iter: int = 1000, initial_params: dict | None = None,
                 covariates=None):
        self.penalizer = penalizer
        self.max_iter = max_iter
        self.initial_params = initial_params
        self.covariates = covariates

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
        covs = _BTYDModel._check_covariates_param(self.covariates)
        x, tx, T = _fit_arrays(summary)
        self.covariates_ = covs
        if covs:
            return self._fit_covariates(summary, x, tx, T, covs, penalizer)
        scale = float(T.max()) / 10.0
        d_user = K.BGData(x, tx, T)  # grouped by distinct (x, t_x, T)
        d = d_user.scaled(scale)
        if self.initial_params is not None:
            ip = self._check_initial(self.initial_params)
            starts = [np.log([ip["r"], ip["alpha"] / scale, ip["a"], ip["b"]])]
        else:
            starts = _moment_starts(d.x, d.T, d.w, lambda mean_T: (1.0, 2.0, 10.0))
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
        from .base import covariance_from_hessian, numeric_hessian

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
        out = np.zeros(len(logp), dtype=bool)
        out[2], out[3] = logp[2] < 0, logp[3] > 0
        return out

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
        cur = getattr(self, "_cur", None)  # per-customer parameters while predicting with covariates
        return cur if cur is not None else self.params_.to_numpy()[:4]

    def _xtT(self, summary):
        v = _summary_arrays(summary)
        self._cur = None
        if getattr(self, "covariates_", ()):
            self._cur = self._customer_params(self.params_.to_numpy(), _BTYDModel._covariate_matrix(self, summary))
        return v["frequency"], v["recency"], v["T"]

    def _customer_params(self, values, Z):
        """(r, alpha_i, a_i, b_i): alpha_i = alpha exp(-gamma_purchase' z), a_i = a exp(gamma_dropout' z),
        b_i = b exp(gamma_dropout' z) (CLVTools' BG/NBD with static covariates)."""
        r, al, a, b = values[:4]
        k = Z.shape[1]
        gp, gd = values[4:4 + k], values[4 + k:4 + 2 * k]
        ed = np.exp(Z @ gd)
        return r, al * np.exp(-(Z @ gp)), a * ed, b * ed

    def _fit_covariates(self, summary, x, tx, T, covs, penalizer):
        """Maximum likelihood with covariates: per-row BG/NBD likelihood (FHL 2005a eq. 6) with the customer's
        alpha_i, a_i, b_i; analytic gradient; customers grouped by distinct (x, t_x, T, z)."""
        from ._btyd import group_keys, numeric_hessian

        Z = _BTYDModel._covariate_matrix(self, summary)
        k = Z.shape[1]
        scale = float(T.max()) / 10.0
        first, inv, counts = group_keys(x, tx, T, *Z.T)
        gx, gt, gT, gZ, w = x[first], tx[first] / scale, T[first] / scale, Z[first], counts.astype(float)
        n = float(w.sum())
        starts = _moment_starts(gx, gT, w, lambda mean_T: (1.0, 2.0, 10.0), 2 * k)[:2]
        bounds = [(-K._LOG_BOUND, K._LOG_BOUND)] * 4 + [(-20.0, 20.0)] * (2 * k)
        args = (gx, gt, gT, gZ, w, n, penalizer, scale)
        res = self._minimize(_cov_objective, starts, args, bounds)
        z = res.x
        self.log_likelihood_ = float(-_cov_objective(z, *args[:6], 0.0, scale)[0] * n - float(x.sum()) * math.log(scale))
        with np.errstate(all="ignore"):
            H = numeric_hessian(lambda zz: -_cov_objective(zz, *args[:6], 0.0, scale)[1] * n, z)
        names = ["log_r", "log_alpha", "log_a", "log_b"] + [f"purchase:{c}" for c in covs] + [
            f"dropout:{c}" for c in covs]
        theta = np.r_[np.exp(z[:4]) * np.array([1.0, scale, 1.0, 1.0]), z[4:]]
        return self._store_fit(res, H, names, theta, list(self._param_names) + names[4:], n_customers=x.size,
                               time_unit=summary.attrs.get("time_unit"), se_scale=np.r_[theta[:4], np.ones(2 * k)])

    @staticmethod
    def simulate(n_customers: int, *, T=52.0, params: dict | None = None, covariates: pd.DataFrame | None = None,
                 random_state=None) -> pd.DataFrame:
        """Simulate a summary from the BG/NBD story (FHL 2005a section 2), optionally with covariates.

        Parameters
        ----------
        n_customers : int
        T : float or array-like, default=52.0
        params : dict
            ``{r, alpha, a, b}`` and optionally ``purchase:<col>`` / ``dropout:<col>`` coefficients.
        covariates : pandas.DataFrame or None
        random_state : int or None

        Returns
        -------
        pandas.DataFrame
            ``frequency, recency, T`` (+ covariates) and the latent ``lambda_``, ``p_``, ``alive_``.
        """
        n, rng, Tn = _simulation_setup(n_customers, params, ("r", "alpha", "a", "b"), random_state, T)
        al, a, b = (np.full(n, float(params[k])) for k in ("alpha", "a", "b"))
        if covariates is not None:
            for c in covariates.columns:
                zc = covariates[c].to_numpy(dtype=float)
                al = al * np.exp(-float(params.get(f"purchase:{c}", 0.0)) * zc)
                ed = np.exp(float(params.get(f"dropout:{c}", 0.0)) * zc)
                a, b = a * ed, b * ed
        lam = rng.gamma(float(params["r"]), 1.0 / al)
        p = rng.beta(a, b)
        n_events = rng.poisson(lam * Tn)
        J = rng.geometric(p)  # repeat purchases until (and including) the one after which the customer leaves
        x = np.minimum(n_events, J)
        u = rng.beta(np.maximum(x, 1), np.maximum(n_events - x + 1, 1))
        out = pd.DataFrame({"frequency": x.astype(np.int64), "recency": np.where(x > 0, Tn * u, 0.0), "T": Tn,
                            "lambda_": lam, "p_": p, "alive_": J > n_events},
                           index=pd.RangeIndex(n, name="customer_id"))
        if covariates is not None:
            for c in covariates.columns:
                out[c] = covariates[c].to_numpy()
        return out

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
        self._check_fitted()
        r, al, a, b = self.params_.to_numpy()[:4]  # a customer with all covariates 0
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
        if x.size > 10_000 and getattr(self, "_cur", None) is None:  # hyp2f1 is the cost: evaluate once per distinct (x, t_x, T)
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


def _cov_objective(z, x, tx, T, Z, w, n, penalizer, scale):
    """Mean negative BG/NBD log-likelihood with covariates and its gradient (input already validated).

    Per row, with alpha_i, a_i, b_i as in :meth:`BetaGeoModel._customer_params`:
    ``LL = log G(r + x) - log G(r) + r log alpha_i + log B(a_i, b_i + x) - log B(a_i, b_i)
    + log(exp(A3) + [x > 0] exp(A4))``, ``A3 = -(r + x) log(alpha_i + T)``,
    ``A4 = log a_i - log(b_i + x - 1) - (r + x) log(alpha_i + t_x)`` (FHL 2005a eq. 6).
    """
    from scipy.special import digamma, gammaln

    z = np.asarray(z, dtype=float)
    lp = np.clip(z[:4], -K._LOG_BOUND, K._LOG_BOUND)
    r, al0, a0, b0 = np.exp(lp)
    k = Z.shape[1]
    gp, gd = z[4:4 + k], z[4 + k:]
    al = al0 * np.exp(-(Z @ gp))
    ed = np.exp(Z @ gd)
    a, b = a0 * ed, b0 * ed
    rx = r + x
    pos = x > 0
    laT, lat = np.log(al + T), np.log(al + tx)
    A3 = -rx * laT
    with np.errstate(divide="ignore", invalid="ignore"):
        A4 = np.where(pos, np.log(a) - np.log(np.where(pos, b + x - 1, 1.0)) - rx * lat, -np.inf)
    m = np.logaddexp(A3, A4)
    sig = np.where(pos, np.exp(A4 - m), 0.0)
    ll = (gammaln(rx) - gammaln(r) + r * np.log(al) + gammaln(a + b) + gammaln(b + x) - gammaln(b)
          - gammaln(a + b + x) + m)
    g_r = digamma(rx) - digamma(r) + np.log(al) - (1 - sig) * laT - sig * lat
    g_al = r / al - (1 - sig) * rx / (al + T) - sig * rx / (al + tx)
    dab, dabx = digamma(a + b), digamma(a + b + x)
    g_a = dab - dabx + sig / a
    g_b = dab + digamma(b + x) - digamma(b) - dabx - np.where(pos, sig / np.where(pos, b + x - 1, 1.0), 0.0)
    wa, wb, wal = w * g_a * a, w * g_b * b, w * g_al * al
    g = np.empty(z.size)
    g[0] = float((w * g_r).sum()) * r
    g[1] = float(wal.sum())
    g[2] = float(wa.sum())
    g[3] = float(wb.sum())
    if k:
        g[4:4 + k] = -(Z * wal[:, None]).sum(axis=0)
        g[4 + k:] = (Z * (wa + wb)[:, None]).sum(axis=0)
    f = -float((w * ll).sum()) / n
    g = -g / n
    user = np.array([r, al0 * scale, a0, b0])
    f += penalizer * float((user * user).sum())
    g[:4] += penalizer * 2.0 * user * user
    if not np.isfinite(f):
        return np.inf, np.zeros_like(g)
    return f, g
