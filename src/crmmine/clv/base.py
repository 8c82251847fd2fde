"""What every purchase model shares: summary checks, the fitted-model plumbing, the optimiser.

Input already validated by :func:`_summary_arrays` is trusted by the kernels in :mod:`._kernels`.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import pandas as pd

from . import _kernels as K
from ..validation import check_table
from ..errors import ConvergenceError, CrmmineWarning, InputError, NotFittedError, ParameterError


#: |log-parameter| (internal units) beyond which an estimate is reported as at the edge.
_EDGE = 12.0

# --------------------------------------------------------------------------------------
# validation of summaries
# --------------------------------------------------------------------------------------
def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _first_bad(summary, mask, cols):
    i = int(np.flatnonzero(mask)[0])
    vals = ", ".join(f"{c}={_plain(summary[c].iloc[i])!r}" for c in cols)
    return f"First bad customer: {summary.index[i]!r} ({vals})."


def _summary_arrays(summary, *, name="summary", need=("frequency", "recency", "T"), cols=None):
    """Check a summary table once and return its columns as float arrays."""
    if not isinstance(summary, pd.DataFrame):
        raise InputError(
            f"The '{name}' parameter must be a pandas DataFrame from crmmine.clv_summary. "
            f"Got {type(summary).__name__} instead."
        )
    if cols is None:
        # a calibration/holdout table is read through its calibration columns (frequency_cal, ...)
        cols = {c: c if c in summary.columns or f"{c}_cal" not in summary.columns else f"{c}_cal" for c in need}
    check_table(summary, list(cols.values()), name=name, hint="Make it with crmmine.clv_summary(transactions).")
    out = {}
    for role, col in cols.items():
        s = summary[col]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            raise InputError(f"The '{name}' table's {col!r} column must be numeric. Got dtype {s.dtype} instead.")
        a = s.to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(a)
        if bad.any():
            raise InputError(f"The '{name}' table's {col!r} column has missing or infinite values. "
                             + _first_bad(summary, bad, [col]))
        bad = a < 0
        if bad.any():
            raise InputError(f"The '{name}' table's {col!r} column must not be negative. "
                             + _first_bad(summary, bad, [col]))
        out[role] = a
    if "frequency" in out:
        x = out["frequency"]
        bad = x != np.round(x)
        if bad.any():
            raise InputError(f"The '{name}' table's {cols['frequency']!r} column must hold whole numbers "
                             "(repeat purchase days). " + _first_bad(summary, bad, [cols["frequency"]]))
    if "recency" in out and "T" in out:
        bad = out["recency"] > out["T"] * (1 + 1e-12)
        if bad.any():
            raise InputError(
                f"Some values in {cols['recency']!r} are larger than {cols['T']!r} in the '{name}' table. "
                + _first_bad(summary, bad, [cols["recency"], cols["T"]])
                + " Make both with one observation_end, e.g. with crmmine.clv_summary."
            )
        if "frequency" in out:
            bad = (out["frequency"] == 0) & (out["recency"] > 0)
            if bad.any():
                raise InputError(
                    f"Customers with {cols['frequency']!r} 0 must have {cols['recency']!r} 0 in the '{name}' table. "
                    + _first_bad(summary, bad, [cols["frequency"], cols["recency"]])
                )
    return out






def _fit_arrays(summary):
    """``x, t_x, T`` of a summary to fit a purchase model on (checked; at least one customer with T > 0)."""
    v = _summary_arrays(summary)
    x, tx, T = v["frequency"], v["recency"], v["T"]
    if x.size == 0:
        raise InputError("The 'summary' table has no customers; there is nothing to fit.")
    if not (T > 0).any():
        raise InputError("Every customer in the 'summary' table has T == 0; choose a later observation_end.")
    return x, tx, T


def _moment_starts(x, T, w, last, extra=0):
    """Three starting points in log-parameters for (r, alpha, <3rd>, <4th>) from the mean x and T.

    ``last(mean_T)`` gives the 4th parameter at the three starts; ``extra`` zeros are appended (covariates).
    """
    mean_x = max(float(np.average(x, weights=w)), 0.05)
    mean_T = float(np.average(T, weights=w))
    l1, l2, l3 = last(mean_T)
    return [np.r_[np.log([1.0, mean_T / mean_x, 1.0, l1]), np.zeros(extra)],
            np.r_[np.log([0.5, 0.5 * mean_T / mean_x, 0.5, l2]), np.zeros(extra)],
            np.r_[np.log([2.0, 2.0 * mean_T / mean_x, 2.0, l3]), np.zeros(extra)]]


def _simulation_setup(n_customers, params, keys, random_state, T=None):
    """``(n, rng, T per customer)`` for a model's ``simulate`` (checked)."""
    from ..validation import check_int

    n = check_int("n_customers", n_customers, lo=1)
    if not isinstance(params, dict) or any(k not in params for k in keys):
        raise ParameterError(f"The 'params' parameter must be a dict with keys {', '.join(keys)}. Got {params!r}.")
    rng = np.random.default_rng(random_state)
    Tn = None if T is None else np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    return n, rng, Tn


def _check_horizon(name, t):
    arr = np.asarray(t, dtype=float) if not isinstance(t, (str, bytes)) else np.array(np.nan)
    if arr.ndim > 1 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ParameterError(
            f"The '{name}' parameter must be a number >= 0 (or a 1-d array of them). Got {t!r} instead."
        )
    return arr


class _Model:
    """Shared plumbing: parameter access, repr, fitted check."""

    _param_names: tuple[str, ...] = ()

    def get_params(self, deep: bool = True) -> dict:
        """The constructor parameters (scikit-learn convention)."""
        return {k: getattr(self, k) for k in self._init_names}

    def set_params(self, **params):
        """Set constructor parameters (scikit-learn convention); returns self."""
        for k, v in params.items():
            if k not in self._init_names:
                raise ParameterError(
                    f"{type(self).__name__} has no parameter {k!r}. Valid: {', '.join(self._init_names)}."
                )
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._init_names)
        return f"{type(self).__name__}({args})"

    def _check_fitted(self):
        if not hasattr(self, "params_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with a summary from "
                "crmmine.clv_summary before using it."
            )

    def _minimize(self, fun, x0s, args, bounds):
        from scipy.optimize import minimize  # imported here: scipy.optimize costs ~0.3 s on `import crmmine`

        best = None
        for x0 in x0s:
            with np.errstate(all="ignore"):  # extreme trial points; the result is checked below
                res = minimize(fun, x0, args=args, jac=True, method="L-BFGS-B", bounds=bounds,
                               options={"maxiter": self.max_iter, "ftol": 1e-14, "gtol": 1e-9, "maxcor": 20})
            if np.all(np.isfinite(res.x)) and np.isfinite(res.fun) and (best is None or res.fun < best.fun - 1e-12):
                best = res
            if best is not None and np.max(np.abs(best.jac)) < 1e-4:  # a maximum (even if the line search
                break  # then stalled on a flat ridge): no other start needed
        ok = best is not None and np.isfinite(best.fun) and (best.success or np.max(np.abs(best.jac)) < 1e-4)
        if not ok:
            msg = best.message if best is not None else "the likelihood was not finite"
            raise ConvergenceError(
                f"{type(self).__name__} did not converge ({msg}). Try a small 'penalizer' (e.g. 0.001), a larger "
                "'max_iter', or check the summary (time unit, customers' values)."
            )
        edge = (np.abs(best.x) > _EDGE) & ~self._benign_edge(best.x)
        if edge.any():
            names = [n for n, e in zip(self._param_names, edge) if e]
            values = ", ".join(f"{n}={v:.3g}" for n, v in zip(self._param_names, np.exp(best.x)) if n in names)
            warnings.warn(
                f"{type(self).__name__}: the estimate of {', '.join(map(repr, names))} ran to the edge of the "
                f"parameter space ({values}"
                " in internal units): the data hardly identify it (e.g. almost no repeat purchases, or all customers "
                "alike) and predictions may be unreliable. Check the time unit and observation period, or try a small "
                "'penalizer' (e.g. 0.001).",
                CrmmineWarning, stacklevel=3,
            )
        return best

    def _store_fit(self, res, H, names, values, index, *, n_customers, time_unit, se_scale):
        """Set the fitted attributes from an optimum ``res`` and the Hessian ``H`` of the log-likelihood in the
        internal parameters ``names``: ``covariance_`` (their covariance), ``standard_errors_`` (delta method:
        internal standard errors times ``se_scale``), ``params_`` (``values``), ``n_customers_``, ``time_unit_``,
        ``n_iter_``."""
        self.covariance_ = covariance_from_hessian(H, names)
        se = np.sqrt(np.clip(np.diag(self.covariance_.to_numpy()), 0, None)) * se_scale
        self.standard_errors_ = pd.Series(se, index=list(index), name="standard_error")
        self.n_customers_ = int(n_customers)
        self.time_unit_ = time_unit
        self.n_iter_ = int(res.nit)
        self.params_ = pd.Series(values, index=list(index), name="value")
        return self

    def _benign_edge(self, logp):
        """Edges that are a meaningful answer, not a failure (none by default)."""
        return np.zeros(len(logp), dtype=bool)

    def _standard_errors(self, grad, theta):
        with np.errstate(all="ignore"):
            H = K.hessian_from_grad(grad, theta)
        try:
            cov = np.linalg.inv(-H)
            se = np.sqrt(np.where(np.diag(cov) > 0, np.diag(cov), np.nan))
        except np.linalg.LinAlgError:
            se = np.full(theta.size, np.nan)
        return pd.Series(se, index=list(self._param_names), name="standard_error")



def numeric_hessian(grad, theta, rel_step=1e-5):
    """Central-difference Hessian from an analytic gradient ``grad(theta)`` (2 calls per parameter), symmetrised."""
    theta = np.asarray(theta, dtype=float)
    k = theta.size
    H = np.empty((k, k))
    for j in range(k):  # one pair of gradient calls per parameter (4 to ~10), not per customer
        h = rel_step * max(abs(theta[j]), 1e-3)
        up, dn = theta.copy(), theta.copy()
        up[j] += h
        dn[j] -= h
        H[:, j] = (grad(up) - grad(dn)) / (2 * h)
    return (H + H.T) / 2


def covariance_from_hessian(H, names):
    """Inverse of the observed information ``-H`` as a labelled DataFrame.

    Directions in which the log-likelihood is flat (eigenvalues of ``-H`` at most 1e-9 times the largest,
    or negative: an estimate at an edge of the parameter space, e.g. "no dropout" with s -> 0 and
    beta -> infinity, where the predictions hardly move along the ridge) get zero variance: a
    pseudo-inverse, so intervals reflect the directions the data do inform. All NaN if ``H`` is not finite.
    """
    H = np.asarray(H, dtype=float)
    if not np.all(np.isfinite(H)):
        return pd.DataFrame(np.full(H.shape, np.nan), index=list(names), columns=list(names))
    A = -(H + H.T) / 2
    w, V = np.linalg.eigh(A)
    keep = w > 1e-9 * max(float(np.abs(w).max()), 1e-300)
    inv = np.where(keep, 1.0 / np.where(keep, w, 1.0), 0.0)
    cov = (V * inv) @ V.T
    return pd.DataFrame(cov, index=list(names), columns=list(names))


def _check_scalar_horizon(name, t):
    if isinstance(t, bool) or not isinstance(t, numbers.Real) or not math.isfinite(t) or t < 0:
        raise ParameterError(f"The '{name}' parameter must be a number >= 0 (summary time units). Got {t!r} instead.")
    return t
