"""The shifted beta-geometric (sBG) model of contractual renewal (Fader & Hardie 2007).

For membership shops (会员制): each period a member either renews or cancels. A member cancels at the
end of each period with probability ``theta``, constant for them; across members
``theta ~ Beta(alpha, beta)``. Heterogeneity makes the cohort's retention rate rise over time (the
members who stay are the loyal ones), which a single average churn rate misses.

- ``P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta)``, ``S(t) = B(alpha, beta + t) / B(alpha, beta)``
  (Fader & Hardie 2007, eq. 2-3); retention rate ``r(t) = (beta + t - 1) / (alpha + beta + t - 1)`` (eq. 4);
- discounted expected residual lifetime of a member who has made ``n - 1`` renewals
  ``DERL(d) = (beta + n - 1) / (alpha + beta + n - 1) 2F1(1, beta + n; alpha + beta + n; 1 / (1 + d))``
  (Fader & Hardie 2010, eq. 6), the number of future payments each worth 1, discounted.

References
----------
.. [1] P. S. Fader, B. G. S. Hardie (2007), "How to Project Customer Retention", Journal of Interactive
   Marketing 21(1), 76-90.
.. [2] P. S. Fader, B. G. S. Hardie (2010), "Customer-Base Valuation in a Contractual Setting: The Perils
   of Ignoring Heterogeneity", Marketing Science 29(1), 85-93.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln

from ..errors import InputError, ParameterError
from ..validation import check_int, check_number
from ._btyd import _BTYDModel, group_keys, hyp2f1_one, numeric_hessian
from .base import _first_bad, _summary_arrays

__all__ = ["ShiftedBetaGeoModel"]

_LOG_BOUND = 20.0


def _loglik(theta, periods, churned):
    """Per-member log-likelihood: log P(T = t) if cancelled after ``t`` periods, log S(t) if still active."""
    a, b = theta
    return np.where(churned, betaln(a + 1, b + periods - 1), betaln(a, b + periods)) - betaln(a, b)


def _objective(z, t, c, w, total):
    f = -float((w * _loglik(np.exp(np.clip(z, -_LOG_BOUND, _LOG_BOUND)), t, c)).sum()) / total
    return f if np.isfinite(f) else np.inf


def _objective_grad(z, t, c, w, total):
    f = _objective(z, t, c, w, total)
    g = np.empty(2)
    for j in range(2):  # central differences; two parameters
        up, dn = z.copy(), z.copy()
        up[j] += 1e-6
        dn[j] -= 1e-6
        g[j] = (_objective(up, t, c, w, total) - _objective(dn, t, c, w, total)) / 2e-6
    if not np.isfinite(f) or not np.all(np.isfinite(g)):
        return np.inf, np.zeros(2)
    return f, g


class ShiftedBetaGeoModel(_BTYDModel):
    """The shifted beta-geometric model of contract renewal (Fader & Hardie 2007).

    The summary has one row per member (or per group, with a ``weights`` column): ``periods``, the
    number of periods paid (>= 1), and ``churned``, whether they cancelled at the end of the last one
    (False: still a member, observation censored). :meth:`summary_from_counts` turns a cohort's
    counts of active members per period (1000, 631, 468, ...) into that table.

    Parameters
    ----------
    max_iter : int, default=1000

    Attributes
    ----------
    params_ : pandas.Series
        ``alpha, beta`` of the Beta distribution of the per-period churn probability.
    standard_errors_ : pandas.Series
    covariance_ : pandas.DataFrame
        Of ``log alpha, log beta``.
    log_likelihood_ : float
    n_customers_ : int

    References
    ----------
    .. [1] Fader & Hardie (2007), Journal of Interactive Marketing 21(1), 76-90.
    .. [2] Fader & Hardie (2010), Marketing Science 29(1), 85-93.

    Examples
    --------
    >>> import crmmine
    >>> counts = [1000, 631, 468, 382, 326, 289, 262, 241]   # Fader & Hardie (2007), "regular" customers
    >>> m = crmmine.ShiftedBetaGeoModel().fit(crmmine.ShiftedBetaGeoModel.summary_from_counts(counts))
    >>> m.params_.round(3).tolist()
    [0.704, 1.182]
    """

    _param_names = ("alpha", "beta")
    _init_names = ("max_iter",)
    _n_positive = 2

    def __init__(self, *, max_iter: int = 1000):
        self.max_iter = max_iter

    @staticmethod
    def summary_from_counts(active) -> pd.DataFrame:
        """A cohort's members still active at the start of periods 1, 2, ... (first entry = cohort size)
        as a weighted summary: one row per period of cancellation plus one row of still-active members.

        Returns
        -------
        pandas.DataFrame
            Columns ``periods``, ``churned``, ``weights``.
        """
        a = np.asarray(active, dtype=float)
        if a.ndim != 1 or a.size < 2 or not np.all(np.isfinite(a)) or np.any(np.diff(a) > 0) or a[-1] < 0:
            raise ParameterError(
                "The 'active' parameter must be a non-increasing sequence of at least 2 member counts. "
                f"Got {active!r} instead.")
        lost = -np.diff(a)
        k = lost.size
        return pd.DataFrame({"periods": np.r_[np.arange(1, k + 1), k].astype(np.int64),
                             "churned": np.r_[np.ones(k, bool), False], "weights": np.r_[lost, a[-1]]})

    def _arrays(self, summary, name="summary"):
        v = _summary_arrays(summary, name=name, need=("periods",), cols={"periods": "periods"})
        t = v["periods"]
        bad = (t != np.round(t)) | (t < 1)
        if bad.any():
            raise InputError(f"The '{name}' table's 'periods' must be whole numbers >= 1 (periods paid). "
                             + _first_bad(summary, bad, ["periods"]))
        if "churned" not in summary.columns or not pd.api.types.is_bool_dtype(summary["churned"]):
            raise InputError(f"The '{name}' table needs a boolean 'churned' column (True: cancelled after its "
                             "last period; False: still a member).")
        w = summary["weights"].to_numpy(dtype=float) if "weights" in summary.columns else np.ones(t.size)
        if not np.all(np.isfinite(w) & (w >= 0)):
            raise InputError(f"The '{name}' table's 'weights' must be numbers >= 0.")
        return {"periods": t, "churned": summary["churned"].to_numpy(dtype=bool), "weights": w}

    def fit(self, summary: pd.DataFrame) -> ShiftedBetaGeoModel:
        """Estimate ``alpha, beta`` by maximum likelihood (Fader & Hardie 2007, eq. 6).

        Parameters
        ----------
        summary : pandas.DataFrame
            Columns ``periods``, ``churned`` (bool), optionally ``weights``.

        Returns
        -------
        self
        """
        check_int("max_iter", self.max_iter, lo=1)
        v = self._arrays(summary)
        t, c, w0 = v["periods"], v["churned"], v["weights"]
        if w0.sum() <= 0:
            raise InputError("The 'summary' table has no members; there is nothing to fit.")
        if not c[w0 > 0].any():
            raise InputError("No member in the 'summary' table has cancelled; the churn rate cannot be estimated.")
        first, inv, _ = group_keys(t, c.astype(np.int64))
        w = np.bincount(inv, weights=w0, minlength=first.size)
        gt, gc = t[first], c[first]
        total = float(w.sum())
        args = (gt, gc, w, total)
        res = self._minimize(_objective_grad, [np.zeros(2), np.log([0.5, 3.0])], args,
                             [(-_LOG_BOUND, _LOG_BOUND)] * 2)
        zhat = res.x
        self.log_likelihood_ = float(-_objective(zhat, *args) * total)
        H = numeric_hessian(lambda zz: -_objective_grad(zz, *args)[1] * total, zhat, rel_step=1e-4)
        theta = np.exp(zhat)
        return self._store_fit(res, H, ["log_alpha", "log_beta"], theta, self._param_names, n_customers=round(total),
                               time_unit=None, se_scale=theta)

    def _rows_loglik(self, values, arr):
        return _loglik(values[:2], arr["periods"], arr["churned"])

    # -- projections ---------------------------------------------------------------------
    def survival(self, t):
        """S(t) = B(alpha, beta + t) / B(alpha, beta): the share of a new cohort still a member after ``t`` periods."""
        self._check_fitted()
        a, b = self.params_.to_numpy()
        tt = np.asarray(t, dtype=float)
        val = np.exp(betaln(a, b + tt) - betaln(a, b))
        return float(val) if np.ndim(val) == 0 else val

    def retention_rate(self, t):
        """r(t) = (beta + t - 1) / (alpha + beta + t - 1): the share of members at the end of period
        ``t - 1`` who renew at the end of period ``t`` (Fader & Hardie 2007, eq. 4); rises with ``t``."""
        self._check_fitted()
        a, b = self.params_.to_numpy()
        tt = np.asarray(t, dtype=float)
        val = (b + tt - 1) / (a + b + tt - 1)
        return float(val) if np.ndim(val) == 0 else val

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(a member renews at the end of the current period | they paid ``periods`` periods): their
        posterior retention ``(beta + n - 1) / (alpha + beta + n - 1)``; 0 for those who cancelled.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``probability_alive``.
        """
        self._check_fitted()
        v = self._arrays(summary)
        val = np.where(v["churned"], 0.0, self.retention_rate(v["periods"]))
        return pd.Series(val, index=summary.index, name="probability_alive")

    def expected_purchases(self, t, summary: pd.DataFrame) -> pd.Series:
        """Expected renewals (payments) in the next ``t`` periods: ``sum_{k=1}^{t} S(n + k) / S(n)`` for
        active members, 0 for those who cancelled.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``expected_purchases``.
        """
        self._check_fitted()
        t = check_int("t", t, lo=0)
        v = self._arrays(summary)
        a, b = self.params_.to_numpy()
        n = v["periods"]
        k = np.arange(1, t + 1)[None, :]
        ratio = np.exp(betaln(a, b + n[:, None] + k) - betaln(a, b + n[:, None])).sum(axis=1) if t else np.zeros(n.size)
        return pd.Series(np.where(v["churned"], 0.0, ratio), index=summary.index, name="expected_purchases")

    def probability_no_purchase(self, t, summary: pd.DataFrame) -> pd.Series:
        """P(no renewal in the next ``t`` periods) = 1 - S(n + 1) / S(n) for active members (t >= 1); 1 if cancelled."""
        self._check_fitted()
        t = check_int("t", t, lo=0)
        v = self._arrays(summary)
        a, b = self.params_.to_numpy()
        n = v["periods"]
        p = 1.0 - np.exp(betaln(a, b + n + 1) - betaln(a, b + n)) if t else np.ones(n.size)
        return pd.Series(np.where(v["churned"], 1.0, p), index=summary.index, name="probability_no_purchase")

    def expected_residual_lifetime(self, summary: pd.DataFrame, *, discount_rate: float = 0.10) -> pd.Series:
        """Discounted expected residual lifetime (DERL, Fader & Hardie 2010 eq. 6) of each active member:
        ``(beta + n - 1) / (alpha + beta + n - 1) * 2F1(1, beta + n; alpha + beta + n; 1 / (1 + d))``
        future payments (each worth 1, discounted at ``d`` per period), ``n`` = periods paid; 0 for
        members who cancelled. Multiply by the fee for the residual value of the member base.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``expected_residual_lifetime``.
        """
        self._check_fitted()
        d = check_number("discount_rate", discount_rate, lo=0, lo_open=True)
        v = self._arrays(summary)
        a, b = self.params_.to_numpy()
        n = v["periods"]
        val = (b + n - 1) / (a + b + n - 1) * hyp2f1_one(b + n, a + b + n, np.full(n.size, 1.0 / (1.0 + d)))
        return pd.Series(np.where(v["churned"], 0.0, val), index=summary.index, name="expected_residual_lifetime")

    def expected_lifetime_value(self, *, discount_rate: float = 0.10) -> float:
        """Discounted expected lifetime of a new member, payments at the start of each period
        (Fader & Hardie 2010, eq. 5): ``2F1(1, beta; alpha + beta; 1 / (1 + d))``."""
        self._check_fitted()
        d = check_number("discount_rate", discount_rate, lo=0, lo_open=True)
        a, b = self.params_.to_numpy()
        return float(hyp2f1_one(b, a + b, 1.0 / (1.0 + d)))

    @staticmethod
    def simulate(n_customers: int, *, n_periods: int = 8, params: dict | None = None,
                 random_state=None) -> pd.DataFrame:
        """Simulate a cohort: ``theta ~ Beta(alpha, beta)``, lifetime ``T ~ Geometric(theta)``, observed for
        ``n_periods`` periods.

        Returns
        -------
        pandas.DataFrame
            ``periods``, ``churned`` and the latent ``theta_``.
        """
        n = check_int("n_customers", n_customers, lo=1)
        m = check_int("n_periods", n_periods, lo=1)
        if not isinstance(params, dict) or any(k not in params for k in ("alpha", "beta")):
            raise ParameterError(f"The 'params' parameter must be a dict with keys alpha, beta. Got {params!r}.")
        rng = np.random.default_rng(random_state)
        theta = rng.beta(float(params["alpha"]), float(params["beta"]), size=n)
        life = rng.geometric(theta)
        return pd.DataFrame({"periods": np.minimum(life, m).astype(np.int64), "churned": life <= m,
                             "theta_": theta}, index=pd.RangeIndex(n, name="customer_id"))
