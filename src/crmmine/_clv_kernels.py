"""Private numerical kernels of the CLV models (inputs already validated).

Log-likelihoods with analytic gradients for BG/NBD (Fader, Hardie & Lee 2005a) and
Gamma-Gamma (Fader, Hardie & Lee 2005b), written for fitting in log-parameters with
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


class BGData:
    """Customers grouped by distinct ``(x, t_x, T)``, sorted by x (so customers with x == 0
    come first, ``n0`` of them); x-only terms are indexed by ``xinv``."""

    __slots__ = ("x", "tx", "T", "w", "xu", "xinv", "n", "n0", "xp", "txp", "wp")

    def __init__(self, x, tx, T, weights=None):
        x = np.asarray(x, dtype=float)
        tx = np.asarray(tx, dtype=float)
        T = np.asarray(T, dtype=float)
        w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
        if x.size:
            order = np.lexsort((T, tx, x))
            x, tx, T, w = x[order], tx[order], T[order], w[order]
            new = np.r_[True, (x[1:] != x[:-1]) | (tx[1:] != tx[:-1]) | (T[1:] != T[:-1])]
            starts = np.flatnonzero(new)
            w = np.add.reduceat(w, starts)
            x, tx, T = x[starts], tx[starts], T[starts]
        self.x, self.tx, self.T, self.w = x, tx, T, w
        self.n = float(w.sum())
        self.xu, self.xinv = np.unique(x, return_inverse=True)
        self.n0 = int(np.searchsorted(x, 0.0, side="right"))
        self.xp, self.txp, self.wp = x[self.n0:], tx[self.n0:], w[self.n0:]


def unique_rows(x, tx, T):
    """Distinct ``(x, t_x, T)`` rows and the inverse index (``rows[inv]`` gives the input back)."""
    n = x.size
    if n == 0:
        return x, tx, T, np.zeros(0, dtype=np.int64)
    order = np.lexsort((T, tx, x))
    xs, txs, Ts = x[order], tx[order], T[order]
    new = np.r_[True, (xs[1:] != xs[:-1]) | (txs[1:] != txs[:-1]) | (Ts[1:] != Ts[:-1])]
    group = np.cumsum(new) - 1
    inv = np.empty(n, dtype=np.int64)
    inv[order] = group
    return xs[new], txs[new], Ts[new], inv


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


def bg_objective(logp, d: BGData, penalizer: float, scale: float):
    """Mean negative log-likelihood (+ penalty) and its gradient in log-parameters.

    ``d`` holds times in internal units (user units / ``scale``); the penalty is on the
    parameters in user units (alpha_user = alpha * scale), as in lifetimes.
    """
    logp = np.clip(logp, -_LOG_BOUND, _LOG_BOUND)
    r, al, a, b = np.exp(logp)
    xu, xinv, n0 = d.xu, d.xinv, d.n0
    # terms in x alone, once per distinct x
    A12u = gammaln(r + xu) + gammaln(b + xu) - gammaln(a + b + xu)
    dr_u = digamma(r + xu)
    dabx_u = digamma(a + b + xu)
    db_u = digamma(b + xu) - dabx_u
    # per row: A3 = -(r + x) log(alpha + T) for everyone; for x > 0 the second branch
    # A4 = log a - log(b + x - 1) - (r + x) log(alpha + t_x) and the log-sum of both
    rx = r + d.x
    aT = al + d.T
    laT = np.log(aT)
    mix = -rx * laT
    rxp = rx[n0:]
    atp = al + d.txp
    latp = np.log(atp)
    bx1 = b + d.xp - 1.0
    A4 = np.log(a) - np.log(bx1) - rxp * latp
    A3p = mix[n0:]
    mixp = np.logaddexp(A3p, A4)
    wt = np.exp(A4 - mixp)  # weight of the "dropped after the last purchase" branch
    mix[n0:] = mixp
    w, wp = d.w, d.wp
    n = d.n
    ll = _wsum(w, A12u[xinv] + mix) + n * (r * np.log(al) - gammaln(r) + gammaln(a + b) - gammaln(b))
    g_r = _wsum(w, dr_u[xinv] - laT) + _wsum(wp, wt * (laT[n0:] - latp)) + n * (np.log(al) - digamma(r))
    g_al = n * r / al - _wsum(w, rx / aT) + _wsum(wp, wt * rxp * (1.0 / aT[n0:] - 1.0 / atp))
    dab = digamma(a + b)
    g_a = n * dab - _wsum(w, dabx_u[xinv]) + _wsum(wp, wt) / a
    g_b = n * (dab - digamma(b)) + _wsum(w, db_u[xinv]) - _wsum(wp, wt / bx1)
    theta = np.array([r, al, a, b])
    mult = np.array([1.0, scale, 1.0, 1.0])
    user = theta * mult
    f = -ll / n + penalizer * float((user * user).sum())
    grad = -np.array([g_r, g_al, g_a, g_b]) / n + penalizer * 2.0 * user * mult
    return f, grad * theta


def bg_total_loglik_grad(theta, d: BGData):
    """Total log-likelihood gradient in natural parameters (for the Hessian)."""
    f, g = bg_objective(np.log(theta), d, 0.0, 1.0)
    return -g / theta * d.n


def gg_loglik(params, x, m):
    """Per-customer Gamma-Gamma log-likelihood of the mean spend ``m`` over ``x`` purchases.

    FHL 2005b, the density of the mean below eq. (4) / Fader & Hardie (2013) eq. (3).
    """
    p, q, v = params
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    px = p * x
    return (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v) + (px - 1) * np.log(m)
            + px * np.log(x) - (px + q) * np.log(x * m + v))


def gg_objective(logp, x, m, logx, logm, penalizer: float, scale: float):
    """Mean negative Gamma-Gamma log-likelihood (+ penalty) and gradient in log-parameters.

    ``m`` is in internal units (user / ``scale``); the penalty uses v in user units.
    """
    logp = np.clip(logp, -_LOG_BOUND, _LOG_BOUND)
    p, q, v = np.exp(logp)
    px = p * x
    xmv = x * m + v
    lxmv = np.log(xmv)
    psi_pxq = digamma(px + q)
    ll = (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v) + (px - 1) * logm + px * logx
          - (px + q) * lxmv)
    g_p = x * (psi_pxq - digamma(px) + logm + logx - lxmv)
    g_q = psi_pxq - digamma(q) + np.log(v) - lxmv
    g_v = q / v - (px + q) / xmv
    n = x.size
    theta = np.array([p, q, v])
    mult = np.array([1.0, 1.0, scale])
    user = theta * mult
    f = -ll.sum() / n + penalizer * float((user * user).sum())
    grad = -np.array([g_p.sum(), g_q.sum(), g_v.sum()]) / n + penalizer * 2.0 * user * mult
    return f, grad * theta


def gg_total_loglik_grad(theta, x, m):
    """Total Gamma-Gamma log-likelihood gradient in natural parameters."""
    f, g = gg_objective(np.log(theta), x, m, np.log(x), np.log(m), 0.0, 1.0)
    return -g / theta * x.size


def hessian_from_grad(grad, theta, rel_step=1e-5):
    """Central-difference Hessian of a function whose gradient is ``grad(theta)``."""
    theta = np.asarray(theta, dtype=float)
    k = theta.size
    H = np.empty((k, k))
    for j in range(k):  # one pair of gradient calls per parameter (4 or 3), not per customer
        h = rel_step * max(abs(theta[j]), 1e-8)
        up, dn = theta.copy(), theta.copy()
        up[j] += h
        dn[j] -= h
        H[:, j] = (grad(up) - grad(dn)) / (2 * h)
    return (H + H.T) / 2
