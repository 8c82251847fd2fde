"""Intervals for predictions from the sampling distribution of the parameter estimates.

Method (documented once, used by every purchase model): the maximum-likelihood estimate of the
internal parameters (logs of the positive parameters; covariate coefficients as they are) is
asymptotically normal with the inverse of the observed information as covariance (the model's
``covariance_``, a numerical Hessian of the analytic gradient). We draw ``n_draws`` parameter vectors
from that normal distribution, recompute the prediction with each, and report the ``(1 - level) / 2``
and ``(1 + level) / 2`` quantiles. Drawing on the log scale keeps parameters positive and makes the
normal approximation better for the skewed scale parameters (the approach of King, Tomz & Wittenberg
2000, "Making the Most of Statistical Analyses", AJPS 44(2), often called "simulation from the
asymptotic distribution"; CLVTools offers a bootstrap instead, slower by a refit per draw).

The intervals express estimation uncertainty only: a customer's own purchases vary far more (Poisson
noise) than the expectation does, so they are intervals for the *expected* value, not prediction
intervals for what one customer will do. Segment totals sum the draws within a segment, so the
correlation between customers (they share the parameters) is kept.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from ..errors import InputError, ParameterError
from ..validation import check_choice, check_int, check_number

__all__ = ["predict_interval", "segment_totals", "parameter_draws", "summarise_segment_totals", "format_segment_totals"]

_WHAT = ("expected_purchases", "probability_alive", "probability_no_purchase")


def _internal(model):
    model._check_fitted()
    cov = getattr(model, "covariance_", None)
    if cov is None:
        raise InputError(
            f"The {type(model).__name__} has no 'covariance_' of its estimates, so intervals cannot be drawn. "
            "Refit it with this version of crmmine."
        )
    k = getattr(model, "_n_positive", len(model.params_))
    v = model.params_.to_numpy(dtype=float).copy()
    v[:k] = np.log(v[:k])
    c = cov.to_numpy(dtype=float)
    if not np.all(np.isfinite(c)):
        raise InputError(
            f"The {type(model).__name__}'s covariance of its estimates is not finite (the likelihood is flat at the "
            "optimum, e.g. a parameter ran to an edge); intervals cannot be drawn. Use more customers or a "
            "simpler model."
        )
    return v, c, k


def parameter_draws(model, n_draws: int = 200, *, random_state=0) -> pd.DataFrame:
    """Parameter vectors drawn from the asymptotic normal distribution of the estimates (log scale).

    Returns
    -------
    pandas.DataFrame
        ``n_draws`` rows, the columns of ``model.params_`` (natural scale).
    """
    n_draws = check_int("n_draws", n_draws, lo=2)
    v, c, k = _internal(model)
    rng = np.random.default_rng(random_state)
    d = rng.multivariate_normal(v, c, size=n_draws, method="eigh")
    d[:, :k] = np.exp(d[:, :k])
    return pd.DataFrame(d, columns=model.params_.index)


def _predict(model, what, t, summary):
    if callable(what):
        return np.asarray(what(model, summary), dtype=float)
    if what == "probability_alive":
        return model.probability_alive(summary).to_numpy(dtype=float)
    return getattr(model, what)(t, summary).to_numpy(dtype=float)


def _draw_rows(model, summary, what, t, n_draws, random_state):
    """The prediction at the estimates, then an iterator of one prediction per parameter draw."""
    if not callable(what):
        check_choice("what", what, _WHAT)
        if what != "probability_alive" and t is None:
            raise ParameterError(f"The 't' parameter is needed for what={what!r} (a horizon in summary units).")
    draws = parameter_draws(model, n_draws, random_state=random_state)
    est = _predict(model, what, t, summary)

    def rows():
        other = copy.copy(model)
        with np.errstate(all="ignore"):
            for row in draws.to_numpy():  # one prediction pass per draw (vectorised over customers)
                other.params_ = pd.Series(row, index=model.params_.index, name="value")
                yield _predict(other, what, t, summary)

    return est, rows()


def _draw_matrix(model, summary, what, t, n_draws, random_state):
    est, rows = _draw_rows(model, summary, what, t, n_draws, random_state)
    out = np.empty((n_draws, est.size))
    for i, row in enumerate(rows):
        out[i] = row
    return est, out


def predict_interval(model, summary: pd.DataFrame, *, what="expected_purchases", t=None, level: float = 0.9,
                     n_draws: int = 200, random_state=0) -> pd.DataFrame:
    """A prediction per customer with an interval from the parameters' sampling distribution.

    Parameters
    ----------
    model : fitted purchase model
        BetaGeoModel, ParetoNBDModel, ModifiedBetaGeoModel, BetaGeoBetaBinomModel (with ``covariance_``).
    summary : pandas.DataFrame
        The customers to predict for (as for the model's methods).
    what : {"expected_purchases", "probability_alive", "probability_no_purchase"} or callable
        The prediction; a callable ``f(model, summary) -> array`` for anything else (e.g. CLV).
    t : float or None
        Horizon for expected purchases / P(no purchase).
    level : float, default=0.9
        Coverage of the interval, in (0, 1).
    n_draws : int, default=200
    random_state : int or None, default=0

    Returns
    -------
    pandas.DataFrame
        Indexed like ``summary``: ``estimate`` (at the estimates), ``lower``, ``upper``.

    Notes
    -----
    See the module docstring for the method; the interval is for the expected value, not for one
    customer's realised purchases.
    """
    level = check_number("level", level, lo=0, hi=1, lo_open=True, hi_open=True)
    est, mat = _draw_matrix(model, summary, what, t, n_draws, random_state)
    lo, hi = np.nanquantile(mat, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return pd.DataFrame({"estimate": est, "lower": lo, "upper": hi}, index=summary.index)


def segment_totals(model, summary: pd.DataFrame, groups, *, what="expected_purchases", t=None,
                   value_per_purchase=None, level: float = 0.9, n_draws: int = 200,
                   random_state=0) -> pd.DataFrame:
    """Totals (or means, for probabilities) of a prediction by segment, with intervals.

    For ``expected_purchases`` the segment total is the sum over its customers (times
    ``value_per_purchase`` when given, e.g. :meth:`crmmine.GammaGammaModel.expected_spend`, taken as
    fixed); for the probabilities it is the mean. Each draw of the parameters gives one total per
    segment, so the interval keeps the correlation between customers.

    Parameters
    ----------
    model, summary, what, t, level, n_draws, random_state
        As in :func:`predict_interval`.
    groups : pandas.Series
        Segment of each customer, indexed like ``summary`` (e.g. the lifecycle state).
    value_per_purchase : pandas.Series or None, default=None

    Returns
    -------
    pandas.DataFrame
        Index: the segments (plus ``"all"``), columns ``customers``, ``estimate``, ``lower``, ``upper``.
    """
    level = check_number("level", level, lo=0, hi=1, lo_open=True, hi_open=True)
    if not isinstance(groups, pd.Series):
        raise ParameterError(f"The 'groups' parameter must be a pandas Series indexed like summary. "
                             f"Got {type(groups).__name__} instead.")
    g = groups.reindex(summary.index)
    if g.isna().any():
        raise InputError(f"The 'groups' Series has no segment for customer {g.index[g.isna().to_numpy()][0]!r}; "
                         "give every customer of the summary a segment.")
    n_draws = check_int("n_draws", n_draws, lo=2)
    est, rows = _draw_rows(model, summary, what, t, n_draws, random_state)
    w = None if value_per_purchase is None else value_per_purchase.reindex(summary.index).to_numpy(dtype=float)
    codes, names = pd.factorize(g, sort=True)
    k = len(names)
    mean = callable(what) is False and what != "expected_purchases"
    counts = np.bincount(codes, minlength=k).astype(float)

    def agg(row):  # one draw's (or the estimate's) totals by segment, then over all customers
        row = np.nan_to_num(row if w is None else row * w)
        s = np.r_[np.bincount(codes, weights=row, minlength=k), row.sum()]
        return s / np.r_[counts, counts.sum()] if mean else s

    e = agg(est)
    # draw by draw: memory grows with the customers, not with customers x draws (9.5M customers x 100 draws
    # would be a 7.6 GB matrix)
    m = np.stack([agg(row) for row in rows])
    lo, hi = np.quantile(m, [(1 - level) / 2, (1 + level) / 2], axis=0)
    idx = pd.Index(list(names) + ["all"], name=groups.name or "segment")
    return pd.DataFrame({"customers": np.r_[counts, counts.sum()].astype(np.int64), "estimate": e,
                         "lower": lo, "upper": hi}, index=idx)


def summarise_segment_totals(totals: pd.DataFrame, *, days: float, level: float = 0.9, n_draws: int = 200,
                             lang: str | None = None) -> str:
    """One sentence on :func:`segment_totals` of expected purchases: the method and the overall range."""
    from ..text.labels import label

    if not isinstance(totals, pd.DataFrame) or "all" not in totals.index:
        raise ParameterError("The 'totals' parameter must be the table of crmmine.segment_totals(...).")
    row = totals.loc["all"]
    return label("clv.interval.note", lang, level=level, n_draws=n_draws, days=days, total=float(row["estimate"]),
                 lower=float(row["lower"]), upper=float(row["upper"]))


def format_segment_totals(totals: pd.DataFrame, *, lang: str | None = None) -> pd.DataFrame:
    """:func:`segment_totals` for people: labelled columns, whole numbers with thousands separators."""
    from ..text.labels import label

    out = pd.DataFrame({label(f"clv.interval.col.{c}", lang): totals[c].map("{:,.0f}".format)
                        for c in ("customers", "estimate", "lower", "upper")})
    out.index = totals.index.astype(str)
    return out
