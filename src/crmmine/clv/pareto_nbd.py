"""The Pareto/NBD model of repeat purchasing (Schmittlein, Morrison & Colombo 1987), with covariates.

While active, a customer buys by a Poisson process with rate ``lambda``; their lifetime is exponential
with rate ``mu``, unobserved. Across customers ``lambda ~ Gamma(r, alpha)`` and ``mu ~ Gamma(s, beta)``,
independent. Time-invariant covariates ``z`` enter as in R CLVTools:
``alpha_i = alpha * exp(-gamma_purchase' z_i)`` and ``beta_i = beta * exp(-gamma_dropout' z_i)``, so a
coefficient scales the mean purchase (dropout) rate by ``exp(gamma)``.

The likelihood is Fader & Hardie (2005, "A Note on Deriving the Pareto/NBD Model and Related Expressions",
eq. 22 with A0 of eq. 23/24) written with Euler's transformation so that every Gauss hypergeometric function
is ``2F1(1, b; c; z)`` with ``0 <= z < 1`` and positive series terms (see :func:`._btyd.hyp2f1_one`):

- alpha >= beta, ``z_y = (alpha - beta) / (alpha + y)``:
  ``L = C [A(T) + S(t_x) - S(T)]``, ``S(y) = s / (r + s + x) (alpha + y)^-(r + x) (beta + y)^-s
  2F1(1, r + x; r + s + x + 1; z_y)``, ``A(T) = (alpha + T)^-(r + x) (beta + T)^-s``;
- alpha < beta, ``z_y = (beta - alpha) / (beta + y)``:
  ``L = C [S'(t_x) + R(T)]`` with ``S'(y) = s / (r + s + x) (alpha + y)^(1 - r - x) (beta + y)^-(s + 1)
  2F1(1, s + 1; r + s + x + 1; z_y)`` and ``R(y) = (r + x) / (r + s + x) (alpha + y)^-(r + x) (beta + y)^-s
  2F1(1, s; r + s + x + 1; z_y)``;

with ``C = Gamma(r + x) alpha^r beta^s / Gamma(r)``. Both are sums of positive terms up to one subtraction
whose rounding error is at most machine precision relative to L (``S(T) <= A(T)``). The series depend on
``(x, t_x)`` or ``(x, T)`` only, so they are summed once per distinct pair.

References
----------
.. [1] D. C. Schmittlein, D. G. Morrison, R. Colombo (1987), "Counting Your Customers: Who Are They and
   What Will They Do Next?", Management Science 33(1), 1-24.
.. [2] P. S. Fader, B. G. S. Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related
   Expressions", http://brucehardie.com/notes/009/.
.. [3] P. S. Fader, B. G. S. Hardie, K. L. Lee (2005), "'Counting Your Customers' the Easy Way",
   Marketing Science 24(2), 275-284 (the CDNOW estimates).
.. [4] P. Bachmann, M. Meierer, J. Naef (2021), "The Role of Time-Varying Contextual Factors in Latent
   Attrition Models for Customer Base Analysis", Marketing Science 40(4) (CLVTools' covariate form).
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln

from ..errors import InputError, ParameterError
from ..validation import check_int, check_number
from ._btyd import _BTYDModel, covariance_from_hessian, group_keys, hyp2f1_one, numeric_hessian
from .base import _check_horizon, _check_scalar_horizon, _summary_arrays

__all__ = ["ParetoNBDModel"]

_LOG_BOUND = 30.0


# --------------------------------------------------------------------------------------
# kernel (input already validated)
# --------------------------------------------------------------------------------------
class _PNBDData:
    """Customers grouped by distinct ``(x, t_x, T, covariate group)``; pairs ``(x, t_x, g)``, ``(x, T, g)``."""

    def __init__(self, x, tx, T, Z):
        n = x.size
        if Z.shape[1]:
            gfirst, g, _ = group_keys(*Z.T) if Z.shape[1] else (None, None, None)
            Zg = Z[gfirst]
        else:
            g = np.zeros(n, dtype=np.int64)
            Zg = np.zeros((1, 0))
        first, inv, counts = group_keys(x, tx, T, g)
        self.x, self.tx, self.T, self.g = x[first], tx[first], T[first], g[first]
        self.w = counts.astype(float)
        self.n = float(self.w.sum())
        self.Z = Zg
        f1, self.i_tx, _ = group_keys(self.x, self.tx, self.g)
        self.p1 = (self.x[f1], self.tx[f1], self.g[f1])
        f2, self.i_T, _ = group_keys(self.x, self.T, self.g)
        self.p2 = (self.x[f2], self.T[f2], self.g[f2])

    def scaled(self, scale):
        out = _PNBDData.__new__(_PNBDData)
        out.__dict__.update(self.__dict__)
        out.tx, out.T = self.tx / scale, self.T / scale
        out.p1 = (self.p1[0], self.p1[1] / scale, self.p1[2])
        out.p2 = (self.p2[0], self.p2[1] / scale, self.p2[2])
        return out


def _series(px, py, pg, r, s, alg, beg, branch_a, role):
    """log 2F1 at the pairs and its derivatives in r, s, alpha, beta (see the module docstring)."""
    al, be = alg[pg], beg[pg]
    A = branch_a[pg]
    u = r + px
    b = np.where(A, u, s + 1.0 if role == "tx" else s)
    c = r + s + px + 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(A, (al - be) / (al + py), (be - al) / (be + py))
    F, Fb, Fc, Fz = hyp2f1_one(b, c, z, derivatives=True)
    dr = (np.where(A, Fb, 0.0) + Fc) / F
    ds = (np.where(A, 0.0, Fb) + Fc) / F
    fz = Fz / F
    dz_da = np.where(A, (be + py) / (al + py) ** 2, -1.0 / (be + py))
    dz_db = np.where(A, -1.0 / (al + py), (al + py) / (be + py) ** 2)
    return np.log(F), dr, ds, fz * dz_da, fz * dz_db


def _rows(r, s, alg, beg, d, grad=True):
    """Per-row log-likelihood (and partial derivatives in r, s and the row's alpha_i, beta_i)."""
    branch_a = alg >= beg
    s1 = _series(*d.p1, r, s, alg, beg, branch_a, "tx")
    s2 = _series(*d.p2, r, s, alg, beg, branch_a, "T")
    lF1, r1, s1_, a1, b1 = (v[d.i_tx] for v in s1)
    lF2, r2, s2_, a2, b2 = (v[d.i_T] for v in s2)
    x, tx, T, g = d.x, d.tx, d.T, d.g
    al, be = alg[g], beg[g]
    A = branch_a[g]
    u = r + x
    a = r + s + x
    lat, lbt, laT, lbT = np.log(al + tx), np.log(be + tx), np.log(al + T), np.log(be + T)
    ls_a = np.log(s) - np.log(a)
    l0 = -u * laT - s * lbT  # alive through T
    l1 = ls_a + np.where(A, -u * lat - s * lbt, (1 - u) * lat - (s + 1) * lbt) + lF1
    l2 = np.where(A, ls_a, np.log(u) - np.log(a)) - u * laT - s * lbT + lF2
    m = np.where(A, np.maximum(l0, l1), np.maximum(l1, l2))
    e0 = np.where(A, np.exp(l0 - m), 0.0)
    e1 = np.exp(l1 - m)
    e2 = np.where(A, -1.0, 1.0) * np.exp(l2 - m)
    tot = np.maximum(e0 + e1 + e2, 1e-300 * (e0 + e1))
    br = m + np.log(tot)
    ll = gammaln(u) - gammaln(r) + r * np.log(al) + s * np.log(be) + br
    if not grad:
        return ll, l0 - br
    w0, w1, w2 = e0 / tot, e1 / tot, e2 / tot
    d1r = -1.0 / a - lat + r1
    d1s = 1.0 / s - 1.0 / a - lbt + s1_
    d1a = np.where(A, -u, 1 - u) / (al + tx) + a1
    d1b = np.where(A, -s, -(s + 1)) / (be + tx) + b1
    d2r = np.where(A, -1.0 / a, 1.0 / u - 1.0 / a) - laT + r2
    d2s = np.where(A, 1.0 / s - 1.0 / a, -1.0 / a) - lbT + s2_
    d2a = -u / (al + T) + a2
    d2b = -s / (be + T) + b2
    gr = digamma(u) - digamma(r) + np.log(al) - w0 * laT + w1 * d1r + w2 * d2r
    gs = np.log(be) - w0 * lbT + w1 * d1s + w2 * d2s
    ga = r / al - w0 * u / (al + T) + w1 * d1a + w2 * d2a
    gb = s / be - w0 * s / (be + T) + w1 * d1b + w2 * d2b
    return ll, (gr, gs, ga, gb, al, be)


def _group_params(theta, d, k):
    r, al, s, be = theta[:4]
    if k:
        return r, s, al * np.exp(-d.Z @ theta[4:4 + k]), be * np.exp(-d.Z @ theta[4 + k:])
    return r, s, np.array([al]), np.array([be])


def _objective(z, d, penalizer, scale, k):
    """Mean negative log-likelihood (+ L2 penalty) and gradient in (log r, log alpha, log s, log beta, gammas)."""
    z = np.asarray(z, dtype=float)
    lp = np.clip(z[:4], -_LOG_BOUND, _LOG_BOUND)
    theta = np.r_[np.exp(lp), z[4:]]
    r, s, alg, beg = _group_params(theta, d, k)
    ll, (gr, gs, ga, gb, ali, bei) = _rows(r, s, alg, beg, d)
    w, n = d.w, d.n
    wa, wb = w * ga * ali, w * gb * bei  # d LL / d log alpha_i, d log beta_i
    g = np.empty(z.size)
    g[0] = float((w * gr).sum()) * r
    g[1] = float(wa.sum())
    g[2] = float((w * gs).sum()) * s
    g[3] = float(wb.sum())
    if k:
        Zr = d.Z[d.g]
        g[4:4 + k] = -(Zr * wa[:, None]).sum(axis=0)
        g[4 + k:] = -(Zr * wb[:, None]).sum(axis=0)
    f = -float((w * ll).sum()) / n
    g = -g / n
    user = np.array([theta[0], theta[1] * scale, theta[2], theta[3] * scale])
    f += penalizer * float((user * user).sum())
    g[:4] += penalizer * 2.0 * user * user
    if not np.isfinite(f):
        return np.inf, np.zeros_like(g)
    return f, g


# --------------------------------------------------------------------------------------
# the model
# --------------------------------------------------------------------------------------
class ParetoNBDModel(_BTYDModel):
    """The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987), optionally with covariates.

    Fitted by maximum likelihood (Fader & Hardie 2005, eq. 22) with L-BFGS-B on log-parameters and an
    analytic gradient; customers are grouped by distinct ``(x, t_x, T)`` and the hypergeometric series
    summed once per distinct ``(x, t_x)`` and ``(x, T)`` (see the module docstring for the stable form).

    Parameters
    ----------
    covariates : tuple of str or None, default=None
        Numeric (or boolean) columns of the summary, constant per customer (country dummies, acquisition
        channel, ...). Each gets a purchase coefficient ``gamma_purchase`` and a dropout coefficient
        ``gamma_dropout`` (CLVTools form: ``alpha_i = alpha exp(-gamma_purchase' z_i)``,
        ``beta_i = beta exp(-gamma_dropout' z_i)``). Predictions read the same columns.
    penalizer : float, default=0.0
        L2 penalty ``penalizer * (r**2 + alpha**2 + s**2 + beta**2)`` on the mean negative log-likelihood.
    max_iter : int, default=1000
        Maximum L-BFGS-B iterations per start.

    Attributes
    ----------
    params_ : pandas.Series
        ``r, alpha, s, beta`` (alpha and beta in the summary's time unit), then
        ``purchase:<column>`` and ``dropout:<column>`` for each covariate.
    standard_errors_ : pandas.Series
        Asymptotic standard errors (delta method from the inverse Hessian on the internal scale).
    covariance_ : pandas.DataFrame
        Asymptotic covariance of ``(log r, log alpha, log s, log beta, gammas)``; the intervals of
        :func:`crmmine.predict_interval` draw from the normal distribution it defines.
    log_likelihood_ : float
        Total log-likelihood at the optimum (summary time units, without the penalty).
    n_customers_, n_iter_ : int
    time_unit_ : str or None

    References
    ----------
    .. [1] Schmittlein, Morrison & Colombo (1987), Management Science 33(1), 1-24.
    .. [2] Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related Expressions".

    Examples
    --------
    >>> import crmmine
    >>> summary = crmmine.ParetoNBDModel.simulate(2000, T=52, params={"r": 0.5, "alpha": 10, "s": 0.6,
    ...                                            "beta": 12}, random_state=0)
    >>> m = crmmine.ParetoNBDModel().fit(summary)
    >>> list(m.params_.index)
    ['r', 'alpha', 's', 'beta']
    """

    _param_names = ("r", "alpha", "s", "beta")
    _init_names = ("covariates", "penalizer", "max_iter")

    def __init__(self, *, covariates=None, penalizer: float = 0.0, max_iter: int = 1000):
        self.covariates = covariates
        self.penalizer = penalizer
        self.max_iter = max_iter

    # -- fitting -------------------------------------------------------------------------
    def fit(self, summary: pd.DataFrame) -> ParetoNBDModel:
        """Estimate ``r, alpha, s, beta`` (and covariate coefficients) from a summary.

        Parameters
        ----------
        summary : pandas.DataFrame
            From :func:`crmmine.clv_summary` (``frequency``, ``recency``, ``T``) or the table of
            :func:`crmmine.calibration_holdout_summary` (read through its ``_cal`` columns), plus the
            ``covariates`` columns.

        Returns
        -------
        self

        Raises
        ------
        InputError
            A column is missing or invalid.
        ConvergenceError
            The optimiser did not reach a maximum.
        """
        covs = self._check_covariates_param(self.covariates)
        penalizer = check_number("penalizer", self.penalizer, lo=0)
        check_int("max_iter", self.max_iter, lo=1)
        v = _summary_arrays(summary)
        x, tx, T = v["frequency"], v["recency"], v["T"]
        if x.size == 0:
            raise InputError("The 'summary' table has no customers; there is nothing to fit.")
        if not (T > 0).any():
            raise InputError("Every customer in the 'summary' table has T == 0; choose a later observation_end.")
        Z = self._covariate_matrix(summary)
        k = Z.shape[1]
        scale = float(T.max()) / 10.0
        d = _PNBDData(x, tx, T, Z).scaled(scale)
        mean_x = max(float(np.average(d.x, weights=d.w)), 0.05)
        mean_T = float(np.average(d.T, weights=d.w))
        starts = [np.r_[np.log([1.0, mean_T / mean_x, 1.0, mean_T]), np.zeros(2 * k)],
                  np.r_[np.log([0.5, 0.5 * mean_T / mean_x, 0.5, 0.5 * mean_T]), np.zeros(2 * k)],
                  np.r_[np.log([2.0, 2.0 * mean_T / mean_x, 2.0, 5.0 * mean_T]), np.zeros(2 * k)]]
        bounds = [(-_LOG_BOUND, _LOG_BOUND)] * 4 + [(-20.0, 20.0)] * (2 * k)
        res = self._minimize(_objective, starts, (d, penalizer, scale, k), bounds)
        zhat = res.x
        ll_int = -_objective(zhat, d, 0.0, scale, k)[0] * d.n
        self.log_likelihood_ = float(ll_int - float(x.sum()) * math.log(scale))
        # covariance on the internal scale (log-parameters, gammas); alpha, beta in user units
        zuser = zhat.copy()
        zuser[[1, 3]] += math.log(scale)
        H = numeric_hessian(lambda zz: -_objective(zz, d, 0.0, scale, k)[1] * d.n, zhat)
        names = ["log_r", "log_alpha", "log_s", "log_beta"] + [f"purchase:{c}" for c in covs] + [
            f"dropout:{c}" for c in covs]
        self.covariance_ = covariance_from_hessian(H, names)
        theta = np.r_[np.exp(zuser[:4]), zuser[4:]]
        grad_nat = np.r_[theta[:4], np.ones(2 * k)]
        se = np.sqrt(np.clip(np.diag(self.covariance_.to_numpy()), 0, None)) * grad_nat
        index = list(self._param_names) + [f"purchase:{c}" for c in covs] + [f"dropout:{c}" for c in covs]
        self.standard_errors_ = pd.Series(se, index=index, name="standard_error")
        self.covariates_ = covs
        self.n_customers_ = int(x.size)
        self.time_unit_ = summary.attrs.get("time_unit")
        self.n_iter_ = int(res.nit)
        self.params_ = pd.Series(theta, index=index, name="value")
        return self

    def _benign_edge(self, logp):
        # s -> 0 with beta -> 0 or beta -> infinity: (almost) no dropout in the data
        out = np.zeros(len(logp), dtype=bool)
        out[2:4] = True
        return out

    # -- predictions ---------------------------------------------------------------------
    def _arrays(self, summary):
        self._check_fitted()
        v = _summary_arrays(summary)
        v["Z"] = self._covariate_matrix(summary)
        return v

    def _customer_params(self, values, Z):
        r, al, s, be = values[:4]
        k = Z.shape[1]
        if k:
            return r, s, al * np.exp(-Z @ values[4:4 + k]), be * np.exp(-Z @ values[4 + k:])
        return r, s, np.full(Z.shape[0], al), np.full(Z.shape[0], be)

    def _rows_all(self, values, arr):
        """Per-customer log-likelihood and log P(alive), one row per customer (grouped internally)."""
        r, s, ali, bei = self._customer_params(values, arr["Z"])
        x, tx, T = arr["frequency"], arr["recency"], arr["T"]
        # customers as their own covariate "groups" of alpha_i, beta_i (distinct pairs found by hashing)
        ga, gcodes = np.unique(np.c_[ali, bei], axis=0, return_inverse=True) if x.size else (np.zeros((0, 2)), None)
        gcodes = np.asarray(gcodes).ravel() if x.size else np.zeros(0, dtype=np.int64)
        d = _PNBDData.__new__(_PNBDData)
        first, inv, counts = group_keys(x, tx, T, gcodes)
        d.x, d.tx, d.T, d.g = x[first], tx[first], T[first], gcodes[first]
        f1, d.i_tx, _ = group_keys(d.x, d.tx, d.g)
        d.p1 = (d.x[f1], d.tx[f1], d.g[f1])
        f2, d.i_T, _ = group_keys(d.x, d.T, d.g)
        d.p2 = (d.x[f2], d.T[f2], d.g[f2])
        ll, lpa = _rows(r, s, ga[:, 0], ga[:, 1], d, grad=False)
        return ll[inv], lpa[inv]

    def _rows_loglik(self, values, arr):
        if arr["frequency"].size == 0:
            return np.zeros(0)
        return self._rows_all(values, arr)[0]

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(alive at T | x, t_x, T) = ``C A(T) / L`` (Fader & Hardie 2005, eq. 18).

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``probability_alive``.
        """
        arr = self._arrays(summary)
        pa = np.exp(self._rows_all(self.params_.to_numpy(), arr)[1]) if arr["frequency"].size else np.zeros(0)
        return pd.Series(np.clip(pa, 0.0, 1.0), index=summary.index, name="probability_alive")

    def expected_purchases_new(self, t):
        """E[X(t)] for a new customer (no covariates, or all covariates 0): Fader & Hardie (2005) eq. (16).

        ``r beta / (alpha (s - 1)) [1 - (beta / (beta + t))^(s - 1)]``, evaluated as
        ``r / alpha * beta * expm1((1 - s) log((beta + t) / beta)) / (1 - s)`` (also at s = 1).
        """
        self._check_fitted()
        tt = _check_horizon("t", t)
        r, al, s, be = self.params_.to_numpy()[:4]
        val = r / al * _lifetime_integral(s, be, tt)
        return float(val) if np.ndim(val) == 0 else val

    def expected_purchases(self, t, summary: pd.DataFrame) -> pd.Series:
        """E[Y(t) | x, t_x, T], the expected purchases in (T, T + t] (Fader & Hardie 2005, eq. 21).

        ``(r + x) (beta + T) / ((alpha + T)(s - 1)) [1 - ((beta + T) / (beta + T + t))^(s - 1)] P(alive)``.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``expected_purchases``.
        """
        tt = float(_check_scalar_horizon("t", t))
        arr = self._arrays(summary)
        values = self.params_.to_numpy()
        r, s, ali, bei = self._customer_params(values, arr["Z"])
        x, T = arr["frequency"], arr["T"]
        if x.size == 0:
            return pd.Series(np.zeros(0), index=summary.index, name="expected_purchases")
        pa = np.exp(self._rows_all(values, arr)[1])
        val = (r + x) / (ali + T) * _lifetime_integral(s, bei + T, tt) * pa
        return pd.Series(val, index=summary.index, name="expected_purchases")

    # -- simulation ----------------------------------------------------------------------
    @staticmethod
    def simulate(n_customers: int, *, T=52.0, params: dict | None = None, covariates: pd.DataFrame | None = None,
                 random_state=None) -> pd.DataFrame:
        """Simulate a summary from the Pareto/NBD story (for tests of recovery and for teaching).

        Parameters
        ----------
        n_customers : int
        T : float or array-like of shape (n_customers,), default=52.0
            Observation length of each customer after the first purchase.
        params : dict
            ``{r, alpha, s, beta}`` and, with covariates, ``purchase:<col>`` / ``dropout:<col>``
            coefficients (missing ones are 0).
        covariates : pandas.DataFrame or None
            One row per customer, numeric columns; joined to the output.
        random_state : int or None

        Returns
        -------
        pandas.DataFrame
            ``frequency, recency, T`` (+ covariates) and the latent ``lambda_``, ``mu_``, ``alive_``.
        """
        n = check_int("n_customers", n_customers, lo=1)
        if not isinstance(params, dict) or any(k not in params for k in ("r", "alpha", "s", "beta")):
            raise ParameterError(f"The 'params' parameter must be a dict with keys r, alpha, s, beta. Got {params!r}.")
        rng = np.random.default_rng(random_state)
        Tn = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
        al = np.full(n, float(params["alpha"]))
        be = np.full(n, float(params["beta"]))
        if covariates is not None:
            for c in covariates.columns:
                zc = covariates[c].to_numpy(dtype=float)
                al = al * np.exp(-float(params.get(f"purchase:{c}", 0.0)) * zc)
                be = be * np.exp(-float(params.get(f"dropout:{c}", 0.0)) * zc)
        lam = rng.gamma(float(params["r"]), 1.0 / al)
        mu = rng.gamma(float(params["s"]), 1.0 / be)
        tau = rng.exponential(1.0 / mu)
        window = np.minimum(tau, Tn)
        x = rng.poisson(lam * window)
        recency = np.where(x > 0, window * rng.uniform(size=n) ** (1.0 / np.maximum(x, 1)), 0.0)
        out = pd.DataFrame({"frequency": x.astype(np.int64), "recency": recency, "T": Tn,
                            "lambda_": lam, "mu_": mu, "alive_": tau > Tn},
                           index=pd.RangeIndex(n, name="customer_id"))
        if covariates is not None:
            for c in covariates.columns:
                out[c] = covariates[c].to_numpy()
        return out


def _lifetime_integral(s, b, t):
    """``int_0^t (b / (b + u))^s du = b expm1((1 - s) log((b + t) / b)) / (1 - s)``; ``b log(1 + t / b)`` at s = 1."""
    q = np.log1p(np.asarray(t, dtype=float) / b)
    one = abs(1.0 - s) < 1e-10
    return b * (q if one else np.expm1((1.0 - s) * q) / (1.0 - s))
