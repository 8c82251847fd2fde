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
whose rounding error is at most machine precision relative to L (``S(T) <= A(T)``). The functions depend on
``(x, t_x)`` or ``(x, T)`` only; with times on a grid (whole days or weeks) they are computed per distinct time
by a recurrence over x (Gauss' contiguous relations, each run in its stable direction) from one value per time,
which comes from the series or, for z > 0.9 where the series would need thousands of terms, from Gauss-Legendre
quadrature of Euler's integral (see :func:`_hyp_pairs`); otherwise once per distinct pair.

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

from ..validation import check_int, check_number
from ._btyd import _BTYDModel, group_keys, hyp2f1_one, hyp2f1_one_quad, numeric_hessian
from .base import _check_horizon, _check_scalar_horizon, _fit_arrays, _moment_starts, _simulation_setup, _summary_arrays

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
        self.xu, self.xinv = np.unique(self.x, return_inverse=True)
        self.Wx = np.bincount(self.xinv, weights=self.w, minlength=self.xu.size)
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


_QUAD_Z = 0.9  # above this z, 2F1 by quadrature (the series would need hundreds to millions of terms)


def _hyp(b, c, z, **kw):
    """hyp2f1_one with derivatives, by quadrature where z > _QUAD_Z."""
    out = [np.empty(z.size) for _ in range(4)]
    q = z > _QUAD_Z
    if q.any():
        for o, v in zip(out, hyp2f1_one_quad(b[q], c[q], z[q])):
            o[q] = v
    if not q.all():
        for o, v in zip(out, hyp2f1_one(b[~q], c[~q], z[~q], derivatives=True, **kw)):
            o[~q] = v
    return out


def _hyp_pairs(px, py, pg, A, b, c, z):
    """``2F1(1, b; c; z)`` and its derivatives in b, c, z at the pairs ``(x, y, g)`` of the likelihood.

    On a line of fixed ``(y, g)`` the argument ``z`` is fixed and ``c = r + s + x + 1`` steps by one with x,
    so instead of one series per pair, one series per line seeds a recurrence over x = 0, 1, ...:

    - branch alpha >= beta (``b = r + x``): ``F(b, c) = 1 + b z / c F(b + 1, c + 1)``, run downwards from the
      line's largest x (every term positive: stable);
    - branch alpha < beta (b fixed): ``F(b, c + 1) = c (1 - (1 - z) F(b, c)) / ((c - b) z)`` (Gauss' contiguous
      relations), run upwards from x = 0 where ``z > 1/2`` and ``(1 - z) F <= 1/2`` at the seed, so an error is
      not amplified from one step to the next (the remaining lines have ``z <= 1/2``: the series converges
      in ~50 terms).

    Derivatives follow the same recurrences differentiated. Pairs not covered (times on a continuous scale,
    i.e. too many lines for the grid to pay off) are summed by :func:`._btyd.hyp2f1_one` one by one.
    """
    n = px.size
    out = [np.empty(n) for _ in range(4)]
    rest = np.ones(n, dtype=bool)
    if n:
        X = int(px.max())
        first, linv, _ = group_keys(py, pg)
        nl = first.size
        if nl * (X + 1.0) <= 4.0 * n + 4096:
            xi = px.astype(np.int64)
            zl, Al = z[first], A[first]
            # branch A: downwards from X
            la = np.flatnonzero(Al & (zl > 0))
            if la.size:
                za = zl[la]
                base_b = b[first[la]] - px[first[la]]  # r
                base_c = c[first[la]] - px[first[la]]  # r + s + 1
                G = np.empty((4, la.size, X + 1))
                F, Fb, Fc, Fz = _hyp(base_b + X, base_c + X, za)
                G[:, :, X] = F, Fb, Fc, Fz
                for xx in range(X - 1, -1, -1):
                    bx, cx = base_b + xx, base_c + xx
                    q = bx * za / cx
                    F, Fb, Fc, Fz = (1.0 + q * F, za / cx * F + q * Fb, -q / cx * F + q * Fc,
                                     bx / cx * F + q * Fz)
                    G[:, :, xx] = F, Fb, Fc, Fz
                pos = np.full(nl, -1, dtype=np.int64)
                pos[la] = np.arange(la.size)
                pr = pos[linv]
                sel = pr >= 0
                for k in range(4):
                    out[k][sel] = G[k, pr[sel], xi[sel]]
                rest &= ~sel
            # branch B: upwards from x = 0 where z > 1/2
            lb = np.flatnonzero(~Al & (zl > 0.5))
            if lb.size:
                zb = zl[lb]
                bb = b[first[lb]]
                base_c = c[first[lb]] - px[first[lb]]
                F, Fb, Fc, Fz = _hyp(np.full(lb.size, bb) if np.ndim(bb) == 0 else bb, base_c, zb)
                ok = (1.0 - zb) * F <= 0.5
                G = np.empty((4, lb.size, X + 1))
                G[:, :, 0] = F, Fb, Fc, Fz
                omz = 1.0 - zb
                for xx in range(X):
                    cx = base_c + xx
                    k_ = cx / ((cx - bb) * zb)
                    Fn = k_ * (1.0 - omz * F)
                    Fb, Fc, Fz = (-k_ * omz * Fb + Fn / (cx - bb), Fn / cx - k_ * omz * Fc - Fn / (cx - bb),
                                  k_ * (F - omz * Fz) - Fn / zb)
                    F = Fn
                    G[:, :, xx + 1] = F, Fb, Fc, Fz
                pos = np.full(nl, -1, dtype=np.int64)
                pos[lb[ok]] = np.flatnonzero(ok)
                pr = pos[linv]
                sel = pr >= 0
                for k in range(4):
                    out[k][sel] = G[k, pr[sel], xi[sel]]
                rest &= ~sel
    if rest.any():
        vals = _hyp(b[rest], c[rest], z[rest])
        for k in range(4):
            out[k][rest] = vals[k]
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
    F, Fb, Fc, Fz = _hyp_pairs(px, py, pg, A, b, c, z)
    dr = (np.where(A, Fb, 0.0) + Fc) / F
    ds = (np.where(A, 0.0, Fb) + Fc) / F
    fz = Fz / F
    dz_da = np.where(A, (be + py) / (al + py) ** 2, -1.0 / (be + py))
    dz_db = np.where(A, -1.0 / (al + py), (al + py) / (be + py) ** 2)
    return np.log(F), dr, ds, fz * dz_da, fz * dz_db


def _rows(r, s, alg, beg, d, grad=True):
    """Per-row log-likelihood; with ``grad`` also the gradient sums (see :func:`_objective`).

    Everything but the final log-sum-exp depends on a pair ``(x, t_x, g)`` or ``(x, T, g)`` only, so it is
    evaluated once per pair; per row remain three look-ups, the log-sum-exp and its weights, and the
    gradient is summed per pair first (weights of the rows sharing it).
    """
    branch_a = alg >= beg
    lF1, r1, s1_, a1, b1 = _series(*d.p1, r, s, alg, beg, branch_a, "tx")
    lF2, r2, s2_, a2, b2 = _series(*d.p2, r, s, alg, beg, branch_a, "T")
    # pairs (x, t_x, g)
    x1, tx, g1 = d.p1
    al1, be1, A1 = alg[g1], beg[g1], branch_a[g1]
    u1, a_1 = r + x1, r + s + x1
    lat, lbt = np.log(al1 + tx), np.log(be1 + tx)
    l1 = np.log(s) - np.log(a_1) + np.where(A1, -u1 * lat - s * lbt, (1 - u1) * lat - (s + 1) * lbt) + lF1
    # pairs (x, T, g)
    x2, T, g2 = d.p2
    al2, be2, A2 = alg[g2], beg[g2], branch_a[g2]
    u2, a_2 = r + x2, r + s + x2
    laT, lbT = np.log(al2 + T), np.log(be2 + T)
    l0 = -u2 * laT - s * lbT  # alive through T
    l2 = np.where(A2, np.log(s) - np.log(a_2), np.log(u2) - np.log(a_2)) + l0 + lF2
    # rows: log of [e0 + e1 + e2] (branch A: A(T) + S(t_x) - S(T); branch B: S'(t_x) + R(T))
    L0, L1, L2 = l0[d.i_T], l1[d.i_tx], l2[d.i_T]
    if branch_a.size == 1 and not branch_a[0]:  # one group, branch B: two positive terms
        br = np.logaddexp(L1, L2)
        p0, p1 = 0.0, np.exp(L1 - br)
        p2 = 1.0 - p1
    else:
        A = branch_a[d.g]
        m = np.where(A, np.maximum(L0, L1), np.maximum(L1, L2))
        e0 = np.where(A, np.exp(L0 - m), 0.0)
        e1 = np.exp(L1 - m)
        e2 = np.where(A, -1.0, 1.0) * np.exp(L2 - m)
        tot = np.maximum(e0 + e1 + e2, 1e-300 * (e0 + e1))
        br = m + np.log(tot)
        p0, p1, p2 = e0 / tot, e1 / tot, e2 / tot
    ll_const = r * np.log(alg) + s * np.log(beg) - gammaln(r)  # per group
    xu, xinv = d.xu, d.xinv
    if not grad:
        return gammaln(r + xu)[xinv] + ll_const[d.g] + br, L0 - br
    ng = alg.size
    w = d.w
    Wg = np.bincount(d.g, weights=w, minlength=ng) if ng > 1 else np.array([d.n])  # customers per group
    ll = float((d.Wx * gammaln(r + xu)).sum()) + float((Wg * ll_const).sum()) + float((w * br).sum())
    W0 = np.bincount(d.i_T, weights=w * p0, minlength=l0.size) if np.ndim(p0) else np.zeros(l0.size)
    W1 = np.bincount(d.i_tx, weights=w * p1, minlength=l1.size)
    W2 = np.bincount(d.i_T, weights=w * p2, minlength=l2.size)
    d1r = -1.0 / a_1 - lat + r1
    d1s = 1.0 / s - 1.0 / a_1 - lbt + s1_
    d1a = np.where(A1, -u1, 1 - u1) / (al1 + tx) + a1
    d1b = np.where(A1, -s, -(s + 1)) / (be1 + tx) + b1
    d2r = np.where(A2, -1.0 / a_2, 1.0 / u2 - 1.0 / a_2) - laT + r2
    d2s = np.where(A2, 1.0 / s - 1.0 / a_2, -1.0 / a_2) - lbT + s2_
    d2a = -u2 / (al2 + T) + a2
    d2b = -s / (be2 + T) + b2
    G_r = (float((d.Wx * digamma(r + xu)).sum()) + float(Wg.sum()) * -digamma(r) + float((Wg * np.log(alg)).sum())
           - float((W0 * laT).sum()) + float((W1 * d1r).sum()) + float((W2 * d2r).sum()))
    G_s = (float((Wg * np.log(beg)).sum()) - float((W0 * lbT).sum()) + float((W1 * d1s).sum())
           + float((W2 * d2s).sum()))
    # d LL / d alpha_g and d beta_g, summed over the rows of each group
    Ga = (Wg * r / alg - np.bincount(g2, weights=W0 * u2 / (al2 + T), minlength=ng)
          + np.bincount(g1, weights=W1 * d1a, minlength=ng) + np.bincount(g2, weights=W2 * d2a, minlength=ng))
    Gb = (Wg * s / beg - np.bincount(g2, weights=W0 * s / (be2 + T), minlength=ng)
          + np.bincount(g1, weights=W1 * d1b, minlength=ng) + np.bincount(g2, weights=W2 * d2b, minlength=ng))
    return ll, (G_r, G_s, Ga, Gb)


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
    ll, (G_r, G_s, Ga, Gb) = _rows(r, s, alg, beg, d)
    w, n = d.w, d.n
    wa, wb = Ga * alg, Gb * beg  # d LL / d log alpha_g, d log beta_g
    g = np.empty(z.size)
    g[0] = G_r * r
    g[1] = float(wa.sum())
    g[2] = G_s * s
    g[3] = float(wb.sum())
    if k:
        g[4:4 + k] = -(d.Z * wa[:, None]).sum(axis=0)
        g[4 + k:] = -(d.Z * wb[:, None]).sum(axis=0)
    f = -ll / n
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
    analytic gradient; customers are grouped by distinct ``(x, t_x, T)``, and everything but the final
    log-sum-exp is evaluated once per distinct ``(x, t_x)`` and ``(x, T)`` (see the module docstring for the
    stable form and how the hypergeometric functions are computed).

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
        x, tx, T = _fit_arrays(summary)
        Z = self._covariate_matrix(summary)
        k = Z.shape[1]
        scale = float(T.max()) / 10.0
        d = _PNBDData(x, tx, T, Z).scaled(scale)
        starts = _moment_starts(d.x, d.T, d.w, lambda mean_T: (mean_T, 0.5 * mean_T, 5.0 * mean_T), 2 * k)
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
        theta = np.r_[np.exp(zuser[:4]), zuser[4:]]
        self.covariates_ = covs
        return self._store_fit(res, H, names, theta, list(self._param_names) + names[4:], n_customers=x.size,
                               time_unit=summary.attrs.get("time_unit"), se_scale=np.r_[theta[:4], np.ones(2 * k)])

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
        d.xu, d.xinv = np.unique(d.x, return_inverse=True)
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
        n, rng, Tn = _simulation_setup(n_customers, params, ("r", "alpha", "s", "beta"), random_state, T)
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
