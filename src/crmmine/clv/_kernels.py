"""Private numerical kernels of the CLV models (inputs already validated).

Log-likelihoods with analytic gradients for BG/NBD (Fader, Hardie & Lee 2005a), modified
BG/NBD (Batislam, Denizel & Filiztekin 2007) and Gamma-Gamma (Fader, Hardie & Lee 2005b), written for fitting in log-parameters with
L-BFGS-B. Customers are grouped beforehand: one row per distinct ``(x, t_x, T)`` with a
weight (the number of customers sharing it), and every term that depends on ``x`` alone
is computed once per distinct ``x``.

References
----------
.. [1] P. S. Fader, B. G. S. Hardie, K. L. Lee (2005a), "'Counting Your Customers' the
   Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284.
.. [2] P. S. Fader, B. G. S. Hardie, K. L. Lee (2005b), "RFM and CLV: Using Iso-Value
   Curves for Customer Base Analysis", Journal of Marketing Research 42(4), 415-430.
.. [3] P. S. Fader, B. G. S. Hardie (2013), "The Gamma-Gamma Model of Monetary Value",
   http://brucehardie.com/notes/025/.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln

_LOG_BOUND = 30.0  # log-parameters are kept in [-30, 30] (exp(30) ~ 1e13)


def _group_rows(x, tx, T):
    """Group identical ``(x, t_x, T)`` rows by hashing (no full sort of the rows).

    Returns ``(first, inv, counts)``: the index of one row per group, the group of each
    row, and the group sizes; groups are ordered by x (ties in first-seen order).
    """
    import pandas as pd

    n = x.size
    cx, ux = pd.factorize(x, sort=True)
    ct, ut = pd.factorize(tx)
    cT, uT = pd.factorize(T)
    nx, nt, nT = len(ux), len(ut), len(uT)
    if float(nx) * nt * nT < 2.0**62:
        key = (cx.astype(np.int64) * nt + ct) * nT + cT
    else:  # too many distinct values for one int64 key: sort instead
        order = np.lexsort((T, tx, x))
        new = np.r_[True, (x[order][1:] != x[order][:-1]) | (tx[order][1:] != tx[order][:-1])
                    | (T[order][1:] != T[order][:-1])]
        key = np.empty(n, dtype=np.int64)
        key[order] = np.cumsum(new) - 1
    g, uniq = pd.factorize(key)
    ng = len(uniq)
    first = np.empty(ng, dtype=np.int64)
    first[g[::-1]] = np.arange(n - 1, -1, -1)
    by_x = np.argsort(cx[first], kind="stable")
    rank = np.empty(ng, dtype=np.int64)
    rank[by_x] = np.arange(ng)
    inv = rank[g]
    counts = np.bincount(inv, minlength=ng)
    return first[by_x], inv, counts


class BGData:
    """Customers grouped by distinct ``(x, t_x, T)``, sorted by x (so customers with x == 0
    come first, ``n0`` of them); x-only terms are indexed by ``xinv``."""

    __slots__ = ("x", "tx", "T", "w", "xu", "xinv", "n", "n0", "xp", "txp", "wp", "wx", "Wx", "xpu", "pstarts",
                 "pcounts", "uT", "Tinv", "Tinv_p", "W_T", "WX_T", "utx", "txinv", "utx_all", "txinv_all")

    def __init__(self, x, tx, T, weights=None):
        x = np.asarray(x, dtype=float)
        tx = np.asarray(tx, dtype=float)
        T = np.asarray(T, dtype=float)
        if weights is None and x.size:
            first, inv, counts = _group_rows(x, tx, T)
            x, tx, T, w = x[first], tx[first], T[first], counts.astype(float)
        else:
            w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
            order = np.argsort(x, kind="stable")
            x, tx, T, w = x[order], tx[order], T[order], w[order]
        self.x, self.tx, self.T, self.w = x, tx, T, w
        self.n = float(w.sum())
        self.xu, self.xinv = np.unique(x, return_inverse=True)
        self.n0 = int(np.searchsorted(x, 0.0, side="right"))
        self.xp, self.txp, self.wp = x[self.n0:], tx[self.n0:], w[self.n0:]
        self.wx = w * x  # weights times x, for sums of (r + x) * f
        self.Wx = np.bincount(self.xinv, weights=w, minlength=self.xu.size)  # customers per distinct x
        self.xpu, self.pstarts, self.pcounts = np.unique(self.xp, return_index=True, return_counts=True)
        # T and t_x take few distinct values (whole days): logs once per distinct value
        self.uT, Tinv = np.unique(T, return_inverse=True)
        self.W_T = np.bincount(Tinv, weights=w, minlength=self.uT.size)
        self.WX_T = np.bincount(Tinv, weights=self.wx, minlength=self.uT.size)
        self.Tinv, self.Tinv_p = Tinv, Tinv[self.n0:]
        self.utx, self.txinv = np.unique(self.txp, return_inverse=True)
        self.utx_all, self.txinv_all = np.unique(tx, return_inverse=True)  # every row (MBG/NBD)

    def scaled(self, scale: float) -> "BGData":
        """The same groups with times divided by ``scale``."""
        out = BGData.__new__(BGData)
        for k in self.__slots__:
            setattr(out, k, getattr(self, k))
        out.tx, out.T, out.txp = self.tx / scale, self.T / scale, self.txp / scale
        out.uT, out.utx, out.utx_all = self.uT / scale, self.utx / scale, self.utx_all / scale
        return out


def unique_rows(x, tx, T):
    """Distinct ``(x, t_x, T)`` rows and the inverse index (``rows[inv]`` gives the input back)."""
    if x.size == 0:
        return x, tx, T, np.zeros(0, dtype=np.int64)
    first, inv, _ = _group_rows(x, tx, T)
    return x[first], tx[first], T[first], inv


def _wsum(w, a):
    # elementwise product + sum: a BLAS dot product is pathologically slow when OpenBLAS
    # threads compete with other processes, and the arrays here are short
    return float((w * a).sum())


def bg_loglik(params, x, tx, T):
    """Per-customer BG/NBD log-likelihood, FHL 2005a eq. (6) (natural parameters)."""
    r, alpha, a, b = params
    x = np.asarray(x, dtype=float)
    tx = np.asarray(tx, dtype=float)
    T = np.asarray(T, dtype=float)
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    A3 = -(r + x) * np.log(alpha + T)
    pos = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        A4 = np.where(pos, np.log(a) - np.log(b + np.where(pos, x - 1.0, 0.0)) - (r + x) * np.log(alpha + tx), -np.inf)
    return A1 + A2 + np.logaddexp(A3, A4)


def _penalised(ll, grad_ll, theta, n, penalizer, scale):
    """Mean negative log-likelihood plus the L2 penalty on the user-unit parameters ``(r, alpha * scale, a,
    b)``, and its gradient in log-parameters, from the total log-likelihood ``ll`` and its gradient
    ``grad_ll`` in natural parameters ``theta``."""
    theta = np.asarray(theta, dtype=float)
    mult = np.array([1.0, scale, 1.0, 1.0])
    user = theta * mult
    f = -ll / n + penalizer * float((user * user).sum())
    grad = -np.asarray(grad_ll, dtype=float) / n + penalizer * 2.0 * user * mult
    return f, grad * theta


def bg_objective(logp, d: BGData, penalizer: float, scale: float):
    """Mean negative log-likelihood (+ penalty) and its gradient in log-parameters.

    Per customer (FHL 2005a eq. 6), with ``A3 = -(r + x) log(alpha + T)`` and for x > 0
    ``z = log a - log(b + x - 1) + (r + x) [log(alpha + T) - log(alpha + t_x)]``:
    ``LL = A1(x) + A2(x) + A3 + [x > 0] log(1 + exp(z))``. Terms in x alone are summed once
    per distinct x (weighted by the customers sharing it); only the logs and reciprocals of
    ``alpha + T`` and ``alpha + t_x`` are evaluated per row. ``d`` holds times in internal
    units (user units / ``scale``); the penalty is on the parameters in user units
    (alpha_user = alpha * scale), as in lifetimes.
    """
    logp = np.clip(logp, -_LOG_BOUND, _LOG_BOUND)
    r, al, a, b = np.exp(logp)
    xu, Wx, n0, n = d.xu, d.Wx, d.n0, d.n
    # terms in x alone, once per distinct x, weighted by the customers sharing it
    dab = digamma(a + b)
    dabx_u = digamma(a + b + xu)
    ll_x = _wsum(Wx, gammaln(r + xu) + gammaln(b + xu) - gammaln(a + b + xu))
    gr_x = _wsum(Wx, digamma(r + xu))
    ga_x = -_wsum(Wx, dabx_u)
    gb_x = _wsum(Wx, digamma(b + xu) - dabx_u)
    # log(alpha + T), 1 / (alpha + T) once per distinct T; sums over rows via the weights per T
    lT = np.log(al + d.uT)
    iT = 1.0 / (al + d.uT)
    ltx = np.log(al + d.utx)
    itx = 1.0 / (al + d.utx)
    rWT = r * d.W_T + d.WX_T  # sum of w (r + x) per distinct T
    # rows with x > 0: the "dropped out after the last purchase" branch
    xp, wp = d.xp, d.wp
    dl = lT[d.Tinv_p] - ltx[d.txinv]
    rxp = r + xp
    lb = np.repeat(np.log(a) - np.log(b + d.xpu - 1.0), d.pcounts)
    z = lb + rxp * dl
    sp = np.logaddexp(0.0, z)  # log(1 + exp(z))
    wwt = wp * np.exp(z - sp)  # weight x P(branch 2)
    ll = (ll_x - _wsum(rWT, lT) + _wsum(wp, sp)
          + n * (r * np.log(al) - gammaln(r) + gammaln(a + b) - gammaln(b)))
    g_r = gr_x - _wsum(d.W_T, lT) + _wsum(wwt, dl) + n * (np.log(al) - digamma(r))
    g_al = n * r / al - _wsum(rWT, iT) + _wsum(wwt * rxp, iT[d.Tinv_p] - itx[d.txinv])
    swt = float(wwt.sum())
    g_a = n * dab + ga_x + swt / a
    g_b = n * (dab - digamma(b)) + gb_x - _wsum(np.add.reduceat(wwt, d.pstarts) if wwt.size else wwt,
                                                 1.0 / (b + d.xpu - 1.0))
    return _penalised(ll, (g_r, g_al, g_a, g_b), (r, al, a, b), n, penalizer, scale)


def bg_total_loglik_grad(theta, d: BGData):
    """Total log-likelihood gradient in natural parameters (for the Hessian)."""
    f, g = bg_objective(np.log(theta), d, 0.0, 1.0)
    return -g / theta * d.n


def mbg_objective(logp, d: BGData, penalizer: float, scale: float):
    """Modified BG/NBD (Batislam et al. 2007, eq. 6): mean negative log-likelihood (+ penalty) and its
    gradient in log-parameters, on the same grouped data as :func:`bg_objective`.

    Per customer ``LL = A1(x) + A2'(x) - (r + x) log(alpha + T) + log(1 + exp(z))`` with
    ``A2' = log B(a, b + x + 1) - log B(a, b)`` and ``z = log a - log(b + x) + (r + x) [log(alpha + T)
    - log(alpha + t_x)]`` for every customer (one-time buyers included). Terms in x alone are summed once
    per distinct x, logs of ``alpha + T`` and ``alpha + t_x`` once per distinct value.
    """
    logp = np.clip(logp, -_LOG_BOUND, _LOG_BOUND)
    r, al, a, b = np.exp(logp)
    xu, Wx, n = d.xu, d.Wx, d.n
    dab = digamma(a + b)
    dabx_u = digamma(a + b + xu + 1.0)
    ll_x = _wsum(Wx, gammaln(r + xu) + gammaln(b + xu + 1.0) - gammaln(a + b + xu + 1.0))
    gr_x = _wsum(Wx, digamma(r + xu))
    ga_x = -_wsum(Wx, dabx_u)
    gb_x = _wsum(Wx, digamma(b + xu + 1.0) - dabx_u)
    lT = np.log(al + d.uT)
    iT = 1.0 / (al + d.uT)
    ltx = np.log(al + d.utx_all)
    itx = 1.0 / (al + d.utx_all)
    rWT = r * d.W_T + d.WX_T
    w = d.w
    dl = lT[d.Tinv] - ltx[d.txinv_all]
    rx = r + d.x
    lb_u = np.log(a) - np.log(b + xu)
    z = lb_u[d.xinv] + rx * dl
    sp = np.logaddexp(0.0, z)
    wwt = w * np.exp(z - sp)  # weight x P(dropped out after the last purchase)
    ll = (ll_x - _wsum(rWT, lT) + _wsum(w, sp)
          + n * (r * np.log(al) - gammaln(r) + gammaln(a + b) - gammaln(b)))
    g_r = gr_x - _wsum(d.W_T, lT) + _wsum(wwt, dl) + n * (np.log(al) - digamma(r))
    g_al = n * r / al - _wsum(rWT, iT) + _wsum(wwt * rx, iT[d.Tinv] - itx[d.txinv_all])
    swt = float(wwt.sum())
    g_a = n * dab + ga_x + swt / a
    g_b = n * (dab - digamma(b)) + gb_x - _wsum(np.bincount(d.xinv, weights=wwt, minlength=xu.size), 1.0 / (b + xu))
    f, g = _penalised(ll, (g_r, g_al, g_a, g_b), (r, al, a, b), n, penalizer, scale)
    return (np.inf, np.zeros(4)) if not np.isfinite(f) else (f, g)


def gg_loglik(params, x, m):
    """Per-customer Gamma-Gamma log-likelihood of the mean spend ``m`` over ``x`` purchases.

    The density of the mean of x Gamma(p, nu) spends with nu ~ Gamma(q, v), integrated over nu
    (FHL 2005b, section on the spend model; Fader & Hardie 2013, the likelihood of m_x).
    """
    p, q, v = params
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    px = p * x
    return (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v) + (px - 1) * np.log(m)
            + px * np.log(x) - (px + q) * np.log(x * m + v))


class GGData:
    """Repeat buyers sorted by x, with the sums over customers of each distinct x that the
    Gamma-Gamma likelihood needs (only log(x m + v) must be evaluated per customer)."""

    __slots__ = ("x", "m", "xu", "cnt", "starts", "sum_logm", "n", "const")

    def __init__(self, x, m):
        order = np.argsort(x, kind="stable")
        self.x, self.m = np.asarray(x, float)[order], np.asarray(m, float)[order]
        self.xu, self.starts, self.cnt = np.unique(self.x, return_index=True, return_counts=True)
        self.sum_logm = np.add.reduceat(np.log(self.m), self.starts)
        self.n = self.x.size


def gg_objective(logp, d: GGData, penalizer: float, scale: float):
    """Mean negative Gamma-Gamma log-likelihood (+ penalty) and gradient in log-parameters.

    Per customer, ``(p x + q)`` and ``x`` are constant within a distinct x, so
    ``sum (p x - 1) log m = sum_x (p x - 1) S_x`` with ``S_x`` precomputed, and only
    ``log(x m + v)`` and ``1 / (x m + v)`` are evaluated per customer. ``m`` is in internal
    units (user / ``scale``); the penalty uses v in user units.
    """
    logp = np.clip(logp, -_LOG_BOUND, _LOG_BOUND)
    p, q, v = np.exp(logp)
    xu, cnt = d.xu, d.cnt
    y = d.x * d.m + v
    L = np.add.reduceat(np.log(y), d.starts)  # sum of log(x m + v) per distinct x
    R = np.add.reduceat(1.0 / y, d.starts)  # sum of 1 / (x m + v) per distinct x
    pxu = p * xu
    logxu = np.log(xu)
    psi_pxq = digamma(pxu + q)
    ll = ((cnt * (gammaln(pxu + q) - gammaln(pxu) + pxu * logxu)).sum() + d.n * (q * np.log(v) - gammaln(q))
          + ((pxu - 1.0) * d.sum_logm).sum() - ((pxu + q) * L).sum())
    g_p = (xu * (cnt * (psi_pxq - digamma(pxu) + logxu) + d.sum_logm - L)).sum()
    g_q = (cnt * psi_pxq - L).sum() + d.n * (np.log(v) - digamma(q))
    g_v = d.n * q / v - ((pxu + q) * R).sum()
    n = d.n
    theta = np.array([p, q, v])
    mult = np.array([1.0, 1.0, scale])
    user = theta * mult
    f = -ll / n + penalizer * float((user * user).sum())
    grad = -np.array([g_p, g_q, g_v]) / n + penalizer * 2.0 * user * mult
    return f, grad * theta


def gg_total_loglik_grad(theta, d: GGData):
    """Total Gamma-Gamma log-likelihood gradient in natural parameters."""
    f, g = gg_objective(np.log(theta), d, 0.0, 1.0)
    return -g / theta * d.n


def hessian_from_grad(grad, theta, rel_step=1e-6):
    """Forward-difference Hessian of a function whose gradient is ``grad(theta)``.

    One gradient call per parameter plus one at ``theta`` (the kernels' gradients are
    analytic, so the result is accurate to about ``rel_step``); symmetrised.
    """
    theta = np.asarray(theta, dtype=float)
    k = theta.size
    g0 = grad(theta)
    H = np.empty((k, k))
    for j in range(k):  # one gradient call per parameter (4 or 3), not per customer
        h = rel_step * max(abs(theta[j]), 1e-8)
        up = theta.copy()
        up[j] += h
        H[:, j] = (grad(up) - g0) / h
    return (H + H.T) / 2
