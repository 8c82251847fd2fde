"""The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005b; Fader & Hardie 2013).

References
----------
.. [2] P. S. Fader, B. G. S. Hardie, K. L. Lee (2005b), "RFM and CLV: Using Iso-Value
   Curves for Customer Base Analysis", Journal of Marketing Research 42(4), 415-430.
.. [4] P. S. Fader, B. G. S. Hardie (2013), "The Gamma-Gamma Model of Monetary Value",
   http://brucehardie.com/notes/025/.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import pandas as pd

from . import _kernels as K
from ..errors import CrmmineWarning, InputError, ParameterError
from ..validation import check_int, check_number


from .base import _check_scalar_horizon, _first_bad, _Model, _summary_arrays
from .beta_geo import BetaGeoModel
from .summary import DISCOUNT_PERIODS, _check_time_unit

__all__ = ['GammaGammaModel']

# --------------------------------------------------------------------------------------
# Gamma-Gamma
# --------------------------------------------------------------------------------------
class GammaGammaModel(_Model):
    """The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005b).

    A customer's purchase values are ``Gamma(p, nu)`` around their mean ``p / nu``;
    across customers ``nu ~ Gamma(q, v)``. Fitted by maximum likelihood on the repeat
    buyers' mean repeat spend (the density of the mean given x, integrated over nu;
    Fader & Hardie 2013), spend rescaled internally to mean 1 (the reported ``v`` is in
    currency units).

    Parameters
    ----------
    penalizer : float, default=0.0
        L2 penalty ``penalizer * (p**2 + q**2 + v**2)`` on the mean negative log-likelihood.
    max_iter : int, default=1000
        Maximum L-BFGS-B iterations per start.

    Attributes
    ----------
    params_ : pandas.Series
        ``p, q, v``.
    standard_errors_ : pandas.Series
        From the inverse Hessian at the optimum.
    log_likelihood_ : float
        Total log-likelihood (currency units).
    n_customers_ : int
        Repeat buyers used (``frequency > 0``).

    References
    ----------
    .. [1] Fader, Hardie & Lee (2005b), JMR 42(4), 415-430, eq. (5) for the expected spend.
    .. [2] Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value".
    """

    _param_names = ("p", "q", "v")
    _init_names = ("penalizer", "max_iter")

    def __init__(self, *, penalizer: float = 0.0, max_iter: int = 1000):
        self.penalizer = penalizer
        self.max_iter = max_iter

    def _xm(self, summary):
        v = _summary_arrays(summary, need=("frequency", "monetary_value"))
        x, m = v["frequency"], v["monetary_value"]
        bad = (x > 0) & (m <= 0)
        if bad.any():
            raise InputError(
                "The 'summary' table's 'monetary_value' must be > 0 for customers with frequency > 0. "
                + _first_bad(summary, bad, ["frequency", "monetary_value"])
                + " Use clean transactions (crmmine.clean drops returns and zero prices)."
            )
        return x, m

    def fit(self, summary: pd.DataFrame) -> GammaGammaModel:
        """Estimate ``p, q, v`` from the customers with ``frequency > 0``.

        Parameters
        ----------
        summary : pandas.DataFrame
            From :func:`clv_summary`: columns ``frequency`` and ``monetary_value`` (or
            ``frequency_cal`` and ``monetary_value_cal`` of :func:`calibration_holdout_summary`).

        Returns
        -------
        self

        Raises
        ------
        InputError
            A column is missing or invalid, ``monetary_value <= 0`` for a repeat buyer, or
            fewer than 2 repeat buyers.
        ConvergenceError
            The optimiser did not reach a maximum.
        """
        penalizer = check_number("penalizer", self.penalizer, lo=0)
        check_int("max_iter", self.max_iter, lo=1)
        x, m = self._xm(summary)
        rep = x > 0
        x, m = x[rep], m[rep]
        if x.size < 2:
            raise InputError(
                f"The Gamma-Gamma model needs at least 2 customers with frequency > 0. Got {x.size}; use a longer "
                "observation period."
            )
        scale = float(m.mean())
        d = K.GGData(x, m / scale)  # spend in internal units (mean 1)
        starts = [np.log([1.0, 2.0, 1.0]), np.log([4.0, 4.0, 3.0]), np.log([0.5, 1.5, 0.5])]
        bounds = [(-K._LOG_BOUND, K._LOG_BOUND)] * 3
        res = self._minimize(K.gg_objective, starts, (d, penalizer, scale), bounds)
        p, q, v = np.exp(res.x)
        ll_int = -(res.fun if penalizer == 0 else K.gg_objective(res.x, d, 0.0, scale)[0]) * d.n
        # the density of m picks up 1/scale per customer: LL_user = LL_int - n log(scale)
        self.log_likelihood_ = float(ll_int - x.size * math.log(scale))
        theta = np.array([p, q, v * scale])
        mult = np.array([1.0, 1.0, scale])
        se = self._standard_errors(lambda th: K.gg_total_loglik_grad(th, d), theta / mult)
        self.standard_errors_ = se * mult
        self.n_customers_ = int(x.size)
        self.n_iter_ = int(res.nit)
        self.params_ = pd.Series(theta, index=list(self._param_names), name="value")
        return self

    def _spend(self, x, m):
        p, q, v = self.params_.to_numpy()
        if q <= 1 and (x == 0).any():
            warnings.warn(
                f"The fitted Gamma-Gamma q = {q:.3g} <= 1, so the population mean spend is infinite; expected spend "
                "of customers with frequency 0 is NaN. Fit on more repeat buyers or use a penalizer.",
                CrmmineWarning, stacklevel=3,
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            out = p * (v + x * m) / (p * x + q - 1)
        return np.where((x == 0) & (q <= 1), np.nan, out)

    def expected_spend(self, summary: pd.DataFrame) -> pd.Series:
        """E[M | x, m_x], the expected spend per purchase (FHL 2005b eq. 5).

        ``p * (v + x * m_x) / (p * x + q - 1)``, a weighted mean of the population mean
        ``p * v / (q - 1)`` and the customer's own mean ``m_x``; customers with
        ``frequency == 0`` get the population mean.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``expected_spend``.
        """
        self._check_fitted()
        x, m = self._xm(summary)
        return pd.Series(self._spend(x, m), index=summary.index, name="expected_spend")

    def customer_lifetime_value(
        self, bg: BetaGeoModel, summary: pd.DataFrame, *, horizon: float = 365, discount_rate: float = 0.10,
        freq_of_discount: str = "year", time_unit: str | None = None,
    ) -> pd.Series:
        """Discounted expected value of each customer's purchases in (T, T + horizon].

        The horizon is cut into steps of one month (30.4375 days; the last step may be
        shorter). The expected purchases in step k come from BG/NBD eq. (10) (difference
        of cumulative expectations), each valued at E[M] (FHL 2005b eq. 5) and discounted
        to the end of the step: ``CLV = E[M] * sum_k dE[Y]_k / (1 + discount_rate) ** (t_k / P)``
        where ``t_k`` is the end of step k and ``P`` the discounting period
        (``freq_of_discount``). This is the discrete version of FHL 2005b eq. (2).

        Parameters
        ----------
        bg : BetaGeoModel
            A fitted BG/NBD model (same time unit as ``summary``).
        summary : pandas.DataFrame
            From :func:`clv_summary`.
        horizon : float, default=365
            Length of the future period in the summary's time unit.
        discount_rate : float, default=0.10
            Discount rate per ``freq_of_discount`` period, in [0, 1).
        freq_of_discount : {"year", "month", "week", "day"}, default="year"
            The period ``discount_rate`` applies to.
        time_unit : {"D", "W", "M"} or None, default=None
            Time unit of ``summary``; ``None`` reads ``summary.attrs["time_unit"]``, else
            the unit ``bg`` was fitted in, else days.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, name ``clv``.
        """
        self._check_fitted()
        if not isinstance(bg, BetaGeoModel):
            raise ParameterError(f"The 'bg' parameter must be a fitted BetaGeoModel. Got {type(bg).__name__} instead.")
        bg._check_fitted()
        horizon = float(_check_scalar_horizon("horizon", horizon))
        if isinstance(discount_rate, bool) or not isinstance(discount_rate, numbers.Real) or not 0 <= discount_rate < 1:
            raise ParameterError(f"The 'discount_rate' parameter must be in [0, 1). Got {discount_rate!r} instead.")
        if freq_of_discount not in DISCOUNT_PERIODS:
            raise ParameterError(
                f"The 'freq_of_discount' parameter must be one of {', '.join(map(repr, DISCOUNT_PERIODS))}. "
                f"Got {freq_of_discount!r} instead."
            )
        unit = time_unit or summary.attrs.get("time_unit") or bg.time_unit_ or "D"
        unit_days = _check_time_unit(unit)
        x, m = self._xm(summary)
        v = _summary_arrays(summary)
        tx, T = v["recency"], v["T"]
        spend = self._spend(x, m)
        step = DISCOUNT_PERIODS["month"] / unit_days
        n_steps = max(1, math.ceil(horizon / step - 1e-9))
        ends = np.minimum(np.arange(1, n_steps + 1) * step, horizon)
        period = DISCOUNT_PERIODS[freq_of_discount] / unit_days
        factors = (1.0 + discount_rate) ** (-ends / period)
        ux, utx, uT, inv = K.unique_rows(x, tx, T)  # predictions once per distinct (x, t_x, T)
        total = np.zeros(ux.size)
        prev = np.zeros(ux.size)
        if horizon > 0:
            for t_k, f_k in zip(ends, factors):  # one vectorised pass per month of the horizon
                cum = bg._cond_expected_rows(float(t_k), ux, utx, uT)
                total += (cum - prev) * f_k
                prev = cum
        return pd.Series(spend * total[inv], index=summary.index, name="clv")
