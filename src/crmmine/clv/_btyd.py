"""Private plumbing shared by the purchase models added with issue 13 (inputs already validated).

- :func:`hyp2f1_one`: the Gauss hypergeometric function 2F1(1, b; c; z) on [0, 1) by its positive power
  series, with derivatives, for the Pareto/NBD likelihood and the sBG residual lifetime;
- :func:`group_keys`: distinct rows of several arrays (customers sharing a summary row are fitted once);
- :class:`_BTYDModel`: covariate columns, the covariance of the log-parameters, parameter draws for
  intervals, and the per-customer likelihood ratio behind P(no purchase).
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from ..errors import InputError, ParameterError
from .base import _Model, _first_bad, covariance_from_hessian, numeric_hessian  # noqa: F401 (re-exported)


_BLOCK = 16  # series terms summed per vectorised pass


def hyp2f1_one(b, c, z, *, tol: float = 1e-16, max_terms: int = 512, derivatives: bool = False):
    """2F1(1, b; c; z) for ``0 <= z < 1``, ``b, c > 0``, elementwise; with ``derivatives`` also d/db, d/dc, d/dz.

    The series ``sum_k (b)_k / (c)_k z^k`` has positive terms (no cancellation); it is summed until the
    next term is below ``tol`` times the sum, carrying on only the rows not yet converged. This is the
    form the Pareto/NBD likelihood takes after Euler's transformation
    ``2F1(a, b; a + 1; z) = (1 - z)^(1 - b) 2F1(1, a + 1 - b; a + 1; z)`` (Abramowitz & Stegun 15.3.3);
    ``scipy.special.hyp2f1`` is not used for the general form because it loses accuracy (or returns
    inf/nan) for some arguments close to z = 1.
    Derivatives: ``d t_k / d b = t_k sum_{j<k} 1 / (b + j)``, ``d t_k / d c = -t_k sum_{j<k} 1 / (c + j)``,
    ``d t_k / d z = k t_k / z``.

    Rows still not converged after ``max_terms`` terms (z within about 1e-3 of 1, which happens only at
    extreme parameters, e.g. a fit running to "no dropout") get the value of ``scipy.special.hyp2f1``
    when it is finite and not below the partial sum, else the partial sum plus a geometric tail; their
    derivatives are those of the partial sum (approximate; they only steer the optimiser near an edge).
    """
    b, c, z = (np.asarray(v, dtype=float) for v in np.broadcast_arrays(b, c, z))
    shape = z.shape
    b, c, z = b.ravel(), c.ravel(), z.ravel()
    n = z.size
    S = np.ones(n)
    if derivatives:
        Sb, Sc, Sz = np.zeros(n), np.zeros(n), np.zeros(n)
    idx = np.flatnonzero(z > 0)
    tb, tc, tz = b[idx, None], c[idx, None], z[idx, None]
    t = np.ones((idx.size, 1))
    if derivatives:
        cb, cc = np.zeros((idx.size, 1)), np.zeros((idx.size, 1))
    k = 0
    block = np.arange(_BLOCK, dtype=float)[None, :]
    while idx.size and k < max_terms:  # one vectorised pass per block of terms, over the rows not converged
        jb, jc = tb + k + block, tc + k + block
        terms = t * np.cumprod(jb / jc * tz, axis=1)  # t_{k+1} .. t_{k+B}
        if derivatives:
            cbs = cb + np.cumsum(1.0 / jb, axis=1)
            ccs = cc + np.cumsum(1.0 / jc, axis=1)
            Sb[idx] += (terms * cbs).sum(axis=1)
            Sc[idx] -= (terms * ccs).sum(axis=1)
            Sz[idx] += (terms * (k + 1 + block)).sum(axis=1)
            cb, cc = cbs[:, -1:], ccs[:, -1:]
        S[idx] += terms.sum(axis=1)
        t = terms[:, -1:]
        k += _BLOCK
        keep = ((t[:, 0] * (k + 1) > tol * S[idx]) | ((tb[:, 0] + k) * tz[:, 0] >= (tc[:, 0] + k)))
        if not keep.all():
            idx, tb, tc, tz, t = idx[keep], tb[keep], tc[keep], tz[keep], t[keep]
            if derivatives:
                cb, cc = cb[keep], cc[keep]
    t, tb, tc, tz = t[:, 0], tb[:, 0], tc[:, 0], tz[:, 0]
    if idx.size:  # not converged: see the docstring
        from scipy.special import hyp2f1

        with np.errstate(all="ignore"):
            ref = hyp2f1(1.0, tb, tc, tz)
            rho = np.minimum((tb + k) / (tc + k) * tz, 1 - 1e-12)
            tail = S[idx] + t * rho / (1 - rho)
        S[idx] = np.where(np.isfinite(ref) & (ref >= S[idx]), ref, tail)
    if not derivatives:
        return S.reshape(shape)
    pos = z > 0
    Sz = np.where(pos, Sz / np.where(pos, z, 1.0), b / c)
    return S.reshape(shape), Sb.reshape(shape), Sc.reshape(shape), Sz.reshape(shape)


_GL_X, _GL_W = np.polynomial.legendre.leggauss(48)


def hyp2f1_one_quad(b, c, z):
    """2F1(1, b; c; z) and d/db, d/dc, d/dz for 0 < z < 1, c > 1, by Gauss-Legendre quadrature of
    (c - 1) int_0^inf exp(-(c - 1) v) (1 - z + z e^-v)^-b dv (Euler's integral with 1 - t = e^-v).

    For z close to 1, where the series of :func:`hyp2f1_one` needs thousands of terms. In v the integrand
    decays like ``exp(-(c - 1 - b) v)`` up to the bend at ``v0 = log(z / (1 - z))`` and like
    ``exp(-(c - 1) v)`` after it; three panels of 48 Gauss-Legendre nodes (before, around, after the bend,
    each cut where the integrand has fallen by e^-45) give about 1e-13 relative accuracy, derivatives
    (under the integral sign) likewise.
    """
    b, c, z = (np.asarray(a, float) for a in np.broadcast_arrays(b, c, z))
    k1 = np.maximum(c - 1.0 - b, 1e-3)  # decay rate before the bend at v0 = log(z / (1 - z))
    k2 = c - 1.0  # after it
    v0 = np.log(z) - np.log1p(-z)
    e1 = np.clip(v0 - 4.0, 0.0, 45.0 / k1)
    e2 = np.maximum(np.minimum(v0 + 4.0, e1 + 45.0 / k1), e1)
    e3 = e2 + 45.0 / k2
    edges = [np.zeros_like(z), e1, e2, e3]
    F = Fb = Fc = Fz = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        half = (hi - lo)[:, None] / 2
        v = lo[:, None] + half * (_GL_X[None, :] + 1.0)
        wq = half * _GL_W[None, :]
        ev = np.exp(-v)
        q = 1.0 - z[:, None] + z[:, None] * ev
        lq = np.log(q)
        h = wq * np.exp(-k2[:, None] * v - b[:, None] * lq)
        F = F + h.sum(1)
        Fb = Fb - (h * lq).sum(1)
        Fc = Fc - (h * v).sum(1)
        Fz = Fz + (h * (1.0 - ev) / q).sum(1)
    F, Fb, Fc, Fz = k2 * F, k2 * Fb, F + k2 * Fc, k2 * b * Fz
    return F, Fb, Fc, Fz


def group_keys(*cols):
    """``(first, inv, counts)`` of the distinct rows of equal-length 1-d arrays (hashing, no sort)."""
    n = cols[0].size
    key = np.zeros(n, dtype=np.int64)
    mult = 1
    for c in cols:
        codes, uniq = pd.factorize(c)
        m = max(len(uniq), 1)
        if mult * m >= 2**62:  # too many combinations for one int64: re-number the key so far
            key, u = pd.factorize(key)
            key = key.astype(np.int64)
            mult = max(len(u), 1)
        key = key * m + codes
        mult *= m
    g, uniq = pd.factorize(key)
    first = np.empty(len(uniq), dtype=np.int64)
    first[g[::-1]] = np.arange(n - 1, -1, -1)
    return first, g.astype(np.int64), np.bincount(g, minlength=len(uniq))


class _BTYDModel(_Model):
    """What the issue-13 purchase models share on top of :class:`~crmmine.clv.base._Model`.

    Subclasses set ``params_`` (natural parameters, then covariate coefficients), ``covariance_``
    (of the *internal* parameters: logs of the positive parameters, covariate coefficients as they
    are) and implement ``_rows_loglik(values, arrays)`` (per-customer log-likelihood, used for
    P(no purchase) as a likelihood ratio) and ``_arrays(summary)``.
    """

    _n_positive = 4  # the first parameters are positive (drawn on the log scale)

    def _covariate_matrix(self, summary, name="summary"):
        cov = self.covariates if hasattr(self, "covariates") else None
        if not cov:
            return np.zeros((len(summary), 0))
        cols = [cov] if isinstance(cov, str) else list(cov)
        missing = [c for c in cols if c not in summary.columns]
        if missing:
            raise InputError(
                f"The '{name}' table has no covariate column {', '.join(map(repr, missing))} (columns found: "
                f"{', '.join(map(str, summary.columns))}). Join the covariates to the summary by customer_id."
            )
        Z = np.empty((len(summary), len(cols)))
        for j, c in enumerate(cols):
            s = summary[c]
            if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
                raise InputError(
                    f"The covariate column {c!r} must be numeric or boolean (make dummies with pandas.get_dummies). "
                    f"Got dtype {s.dtype} instead."
                )
            a = s.to_numpy(dtype=float, na_value=np.nan)
            bad = ~np.isfinite(a)
            if bad.any():
                raise InputError(f"The covariate column {c!r} has missing values. " + _first_bad(summary, bad, [c]))
            Z[:, j] = a
        return Z

    @staticmethod
    def _check_covariates_param(covariates):
        if covariates is None:
            return ()
        if isinstance(covariates, str):
            covariates = (covariates,)
        if not isinstance(covariates, (tuple, list)) or not all(isinstance(c, str) and c for c in covariates):
            raise ParameterError(
                f"The 'covariates' parameter must be None or a tuple of column names. Got {covariates!r} instead."
            )
        return tuple(covariates)

    def _with_internal(self, values):
        """A copy of the fitted model whose parameters are ``values`` (internal scale)."""
        out = copy.copy(self)
        v = np.asarray(values, dtype=float).copy()
        k = self._n_positive
        v[:k] = np.exp(v[:k])
        out.params_ = pd.Series(v, index=self.params_.index, name="value")
        return out

    def _internal(self):
        v = self.params_.to_numpy(dtype=float).copy()
        v[: self._n_positive] = np.log(v[: self._n_positive])
        return v

    def _draws(self, n_draws, rng):
        """Parameter draws from the asymptotic normal distribution of the MLE on the internal scale."""
        self._check_fitted()
        cov = self.covariance_.to_numpy()
        if not np.all(np.isfinite(cov)):
            raise InputError(
                f"The {type(self).__name__} has no finite covariance of its estimates (the likelihood is flat at the "
                "optimum); intervals cannot be drawn. Fit on more customers or use a small penalizer."
            )
        return rng.multivariate_normal(self._internal(), cov, size=n_draws, method="eigh")

    def probability_no_purchase(self, t, summary: pd.DataFrame) -> pd.Series:
        """P(no purchase in (T, T + t] | history): the ratio of the model's likelihoods of the history
        observed up to ``T + t`` and up to ``T`` (the customer made no purchase in between).

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``probability_no_purchase``.
        """
        from .base import _check_scalar_horizon

        self._check_fitted()
        tt = float(_check_scalar_horizon("t", t))
        arr = self._arrays(summary)
        later = dict(arr)
        later["T"] = arr["T"] + tt
        v = self.params_.to_numpy(dtype=float)
        p = np.exp(self._rows_loglik(v, later) - self._rows_loglik(v, arr))
        return pd.Series(np.clip(p, 0.0, 1.0), index=summary.index, name="probability_no_purchase")
