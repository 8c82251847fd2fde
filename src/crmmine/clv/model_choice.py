"""Choosing a purchase model on a calibration/holdout split, checking it by group, in words.

:func:`compare_models` fits each candidate (BG/NBD, Pareto/NBD, modified BG/NBD and, when covariates
are given, Pareto/NBD with covariates) on the calibration part of
:func:`crmmine.calibration_holdout_summary` and scores it on the holdout it never saw.
:func:`choose_model` applies the rule (documented there). :func:`holdout_check` compares predicted and
actual shares of customers who bought again, by group (one-time and repeat buyers, recency bands), the
check a manager can read. :func:`acquisition_covariates` makes time-invariant covariates from the
transactions.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import CrmmineWarning, InputError, ParameterError
from ..validation import check_int, check_number, check_table
from .base import _summary_arrays

__all__ = [
    "ModelComparison",
    "compare_models",
    "choose_model",
    "holdout_check",
    "acquisition_covariates",
    "likelihood_ratio_test",
    "summarise_model_choice",
    "summarise_holdout_check",
    "format_holdout_check",
    "reconcile_alive_lifecycle",
]

#: Candidates are "close" on holdout error when within this fraction of the best; BIC breaks the tie.
MAE_TOLERANCE = 0.02


@dataclass
class ModelComparison:
    """What :func:`compare_models` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per candidate (index ``model``): ``n_params``, ``log_likelihood`` and ``bic`` on the
        calibration data, ``holdout_mae`` and ``holdout_rmse`` (per customer: expected vs actual
        holdout purchases), ``predicted_total``, ``actual_total``, ``total_error_pct``, ``chosen``.
    models : dict
        The fitted models by name.
    chosen : str
        The name of the chosen model (see :func:`choose_model`).
    reason : str
        ``"holdout_mae"`` (clearly the lowest holdout error) or ``"bic"`` (holdout errors within
        :data:`MAE_TOLERANCE` of the best; the lowest BIC among them).
    duration : float
        Length of the holdout (summary time units).
    """

    table: pd.DataFrame
    models: dict
    chosen: str
    reason: str
    duration: float
    lr_test: dict | None = field(default=None)

    @property
    def model(self):
        """The chosen fitted model."""
        return self.models[self.chosen]

    def refit(self, summary: pd.DataFrame):
        """A new model of the chosen kind and settings, fitted on ``summary`` (e.g. all data up to today)."""
        m = self.model
        return type(m)(**m.get_params()).fit(summary)


def _default_candidates(covariates):
    from .beta_geo import BetaGeoModel
    from .modified_beta_geo import ModifiedBetaGeoModel
    from .pareto_nbd import ParetoNBDModel

    out = {"BG/NBD": BetaGeoModel(), "Pareto/NBD": ParetoNBDModel(), "MBG/NBD": ModifiedBetaGeoModel()}
    if covariates:
        out["BG/NBD + covariates"] = BetaGeoModel(covariates=tuple(covariates))
        out["Pareto/NBD + covariates"] = ParetoNBDModel(covariates=tuple(covariates))
    return out


def choose_model(table: pd.DataFrame) -> tuple[str, str]:
    """The rule: the lowest per-customer holdout error (MAE), unless others are within 2% of it; then
    the lowest BIC among those (fewer parameters for the same fit).

    Holdout error comes first because it measures what the report uses the model for: predicting
    purchases customers have not made yet. BIC (``k ln n - 2 LL`` on the calibration data, Schwarz 1978)
    decides between models that predict equally well.

    Parameters
    ----------
    table : pandas.DataFrame
        ``ModelComparison.table`` (columns ``holdout_mae`` and ``bic``).

    Returns
    -------
    (name, reason) : tuple of str
    """
    check_table(table, ["holdout_mae", "bic"], name="table", hint="Pass compare_models(...).table.")
    ok = table[np.isfinite(table["holdout_mae"])]
    if ok.empty:
        raise InputError("No candidate model has a finite holdout error; check the calibration/holdout table.")
    best = float(ok["holdout_mae"].min())
    close = ok[ok["holdout_mae"] <= best * (1 + MAE_TOLERANCE)]
    if len(close) == 1:
        return str(close.index[0]), "holdout_mae"
    return str(close["bic"].idxmin()), "bic"


def compare_models(cal: pd.DataFrame, *, candidates: dict | None = None, covariates=None) -> ModelComparison:
    """Fit every candidate on the calibration period and score it on the holdout.

    Parameters
    ----------
    cal : pandas.DataFrame
        From :func:`crmmine.calibration_holdout_summary` (plus covariate columns if used).
    candidates : dict or None, default=None
        ``name -> unfitted model`` (any model with ``fit``, ``expected_purchases``, ``log_likelihood_``,
        ``params_``). ``None``: BG/NBD, Pareto/NBD, modified BG/NBD, and BG/NBD and Pareto/NBD with
        ``covariates`` when given.
    covariates : sequence of str or None, default=None
        Covariate columns of ``cal`` for the candidates with covariates; with it, a likelihood-ratio
        test against Pareto/NBD without covariates is reported in ``lr_test``.

    Returns
    -------
    ModelComparison

    Raises
    ------
    InputError
        ``cal`` is not a calibration/holdout table.

    Examples
    --------
    >>> import crmmine
    >>> tx, truth = crmmine.datasets.make_transactions(800, random_state=0)
    >>> cal = crmmine.calibration_holdout_summary(tx, calibration_end="2025-06-30")
    >>> comp = crmmine.compare_models(cal)
    >>> comp.chosen in comp.table.index
    True
    """
    check_table(cal, ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout"],
                name="cal", hint="Make it with crmmine.calibration_holdout_summary(tx, calibration_end=...).")
    if len(cal) == 0:
        raise InputError("The 'cal' table has no customers.")
    if covariates is not None:
        covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    models = dict(candidates) if candidates is not None else _default_candidates(covariates)
    if not models:
        raise ParameterError("The 'candidates' parameter must name at least one model. Got an empty dict.")
    duration = float(cal["duration_holdout"].iloc[0])
    actual = cal["frequency_holdout"].to_numpy(dtype=float)
    n = len(cal)
    rows = []
    fitted = {}
    for name, model in models.items():  # a handful of candidate models
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CrmmineWarning)  # edges are reported in the table (LL, BIC)
            with np.errstate(all="ignore"):
                model.fit(cal)
                pred = model.expected_purchases(duration, cal).to_numpy(dtype=float)
        fitted[name] = model
        k = len(model.params_)
        ll = float(model.log_likelihood_)
        err = pred - actual
        finite = bool(np.all(np.isfinite(pred)))
        rows.append({
            "model": name, "n_params": k, "log_likelihood": ll, "bic": k * math.log(n) - 2 * ll,
            "holdout_mae": float(np.mean(np.abs(err))) if finite else np.nan,
            "holdout_rmse": float(np.sqrt(np.mean(err ** 2))) if finite else np.nan,
            "predicted_total": float(pred.sum()) if finite else np.nan,
            "actual_total": float(actual.sum()),
        })
    table = pd.DataFrame(rows).set_index("model")
    table["total_error_pct"] = 100 * (table["predicted_total"] / table["actual_total"] - 1)
    chosen, reason = choose_model(table)
    table["chosen"] = table.index == chosen
    lr = None
    if covariates and "Pareto/NBD" in fitted and "Pareto/NBD + covariates" in fitted:
        lr = likelihood_ratio_test(fitted["Pareto/NBD"], fitted["Pareto/NBD + covariates"])
    return ModelComparison(table=table, models=fitted, chosen=chosen, reason=reason, duration=duration, lr_test=lr)


def likelihood_ratio_test(restricted, full) -> dict:
    """Likelihood-ratio test of a model with covariates against the same model without them.

    ``LR = 2 (LL_full - LL_restricted)`` is asymptotically chi-squared with as many degrees of freedom
    as extra parameters (Wilks 1938); CLVTools reports the same test.

    Returns
    -------
    dict
        ``statistic``, ``df``, ``p_value``.
    """
    from scipy.stats import chi2

    df = len(full.params_) - len(restricted.params_)
    if df <= 0:
        raise ParameterError(f"The 'full' model must have more parameters than the 'restricted' one. Got {df} more.")
    stat = max(0.0, 2.0 * (float(full.log_likelihood_) - float(restricted.log_likelihood_)))
    return {"statistic": stat, "df": int(df), "p_value": float(chi2.sf(stat, df))}


def holdout_check(model, cal: pd.DataFrame, *, recency_bands=(30, 90, 180), old_days: float = 90) -> pd.DataFrame:
    """Predicted vs actual share of customers who bought again in the holdout, by group.

    The predicted share of a group is the mean of ``1 - P(no purchase in the holdout)``
    (``model.probability_no_purchase``); the actual share is the fraction with at least one holdout purchase.

    Groups: all customers; one-time buyers (no repeat purchase in the calibration period); one-time
    buyers older than ``old_days`` (first purchase more than ``old_days`` before the calibration end);
    repeat buyers; and bands of days since the last purchase at the calibration end
    (``T - recency``) cut at ``recency_bands``.

    Parameters
    ----------
    model : fitted purchase model
        Fitted on ``cal``'s calibration columns.
    cal : pandas.DataFrame
        From :func:`crmmine.calibration_holdout_summary`, in days.
    recency_bands : tuple of float, default=(30, 90, 180)
        Band edges in summary time units.
    old_days : float, default=90
        Age (summary time units) beyond which a one-time buyer counts as old.

    Returns
    -------
    pandas.DataFrame
        Index ``group`` (keys of the ``clv.check.group.*`` labels), columns ``customers``,
        ``actual_share``, ``predicted_share``, ``difference_points`` (predicted - actual, in points),
        ``actual_purchases``, ``predicted_purchases`` (means per customer).
    """
    check_table(cal, ["frequency_holdout", "duration_holdout"], name="cal",
                hint="Make it with crmmine.calibration_holdout_summary(tx, calibration_end=...).")
    old_days = check_number("old_days", old_days, lo=0)
    bands = tuple(check_number("recency_bands", b, lo=0, lo_open=True) for b in recency_bands)
    if list(bands) != sorted(set(bands)):
        raise ParameterError(f"The 'recency_bands' parameter must be increasing numbers > 0. Got {recency_bands!r}.")
    v = _summary_arrays(cal)
    x, tx, T = v["frequency"], v["recency"], v["T"]
    duration = float(cal["duration_holdout"].iloc[0])
    bought = (cal["frequency_holdout"].to_numpy() > 0).astype(float)
    hold = cal["frequency_holdout"].to_numpy(dtype=float)
    with np.errstate(all="ignore"):
        p_buy = 1.0 - model.probability_no_purchase(duration, cal).to_numpy(dtype=float)
        e_buy = model.expected_purchases(duration, cal).to_numpy(dtype=float)
    silence = T - tx
    groups = {"all": np.ones(x.size, bool), "one_time": x == 0, "one_time_old": (x == 0) & (T > old_days),
              "repeat": x > 0}
    edges = (0.0, *bands, np.inf)
    for lo, hi in zip(edges[:-1], edges[1:]):
        key = f"silent_{lo:g}_{hi:g}" if np.isfinite(hi) else f"silent_over_{lo:g}"
        groups[key] = (silence > lo if lo > 0 else silence >= 0) & (silence <= hi)
    rows = []
    for key, m in groups.items():  # a few groups
        nm = int(m.sum())
        rows.append({"group": key, "customers": nm,
                     "actual_share": float(bought[m].mean()) if nm else np.nan,
                     "predicted_share": float(p_buy[m].mean()) if nm else np.nan,
                     "actual_purchases": float(hold[m].mean()) if nm else np.nan,
                     "predicted_purchases": float(e_buy[m].mean()) if nm else np.nan})
    out = pd.DataFrame(rows).set_index("group")
    out.insert(3, "difference_points", 100 * (out["predicted_share"] - out["actual_share"]))
    out.attrs["duration"] = duration
    out.attrs["old_days"] = old_days
    return out


def acquisition_covariates(tx: pd.DataFrame, *, calibration_end=None, first_days: int = 30) -> pd.DataFrame:
    """Time-invariant covariates per customer from the transactions (0/1 columns).

    - ``before_data``: the first purchase falls in the first ``first_days`` days of the data, so the
      customer most likely bought before the data start (their relationship is older than it looks:
      left-censored); such customers often behave differently from truly new ones;
    - ``home_country``: the customer's country is the most common one.

    Parameters
    ----------
    tx : pandas.DataFrame
        Canonical transactions (``customer_id``, ``order_date``; ``country`` if present).
    calibration_end : date-like or None, default=None
        Only lines up to this day are used (so the covariates are known at the calibration end).
    first_days : int, default=30

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id``, float columns ``before_data`` (and ``home_country`` when ``tx`` has ``country``).
    """
    from ..engine.lazy import is_lazy
    from ..validation import check_date

    lazy = is_lazy(tx)
    if not lazy:
        check_table(tx, ["customer_id", "order_date"], name="tx", datetime_columns=["order_date"],
                    hint="Pass canonical transactions, e.g. crmmine.load_clean(path).transactions.")
    first_days = check_int("first_days", first_days, lo=1)
    end = check_date("calibration_end", calibration_end, normalize=True)
    if lazy:  # first dates and countries counted in the engine (DuckDB, Spark)
        from ..engine import aggregate

        return aggregate.acquisition_covariates(tx, end=end, first_days=first_days)
    t = tx[["customer_id", "order_date"] + (["country"] if "country" in tx.columns else [])].dropna(
        subset=["customer_id", "order_date"])
    if end is not None:
        t = t[t["order_date"] < end + pd.Timedelta(days=1)]
    if t.empty:
        raise InputError("The 'tx' table has no dated lines with a customer id before calibration_end.")
    start = t["order_date"].min().normalize()
    first = t.groupby("customer_id", observed=True)["order_date"].min()
    out = pd.DataFrame({"before_data": (first < start + pd.Timedelta(days=first_days)).astype(float)})
    if "country" in t.columns:
        country = t.groupby("customer_id", observed=True)["country"].agg(lambda s: s.mode().iat[0] if len(s.mode())
                                                                          else None)
        home = t["country"].mode().iat[0]
        out["home_country"] = (country.reindex(out.index) == home).astype(float)
    out.index.name = "customer_id"
    return out


# --------------------------------------------------------------------------------------
# in words (for the reports)
# --------------------------------------------------------------------------------------
def _model_words(name, model, lang):
    from ..text.labels import LABELS, label

    shown = label(f"clv.model.{name}", lang) if f"clv.model.{name}" in LABELS else name
    key = f"clv.model.explain.{name}"
    if key not in LABELS:
        return shown, ""
    covs = getattr(model, "covariates_", ()) or ()
    words = [label(f"clv.covariate.{c}", lang) if f"clv.covariate.{c}" in LABELS else c for c in covs]
    return shown, label(key, lang, covariates=label("clv.join.and", lang).join(words))


def summarise_model_choice(comparison: ModelComparison, *, cal: pd.DataFrame | None = None,
                           lang: str | None = None) -> str:
    """Which model was chosen and why, in sentences a manager can read (``lang`` "en" or "zh").

    Parameters
    ----------
    comparison : ModelComparison
        From :func:`compare_models`.
    cal : pandas.DataFrame or None
        The calibration/holdout table (for the calibration end date in the sentence).
    lang : {"en", "zh"} or None

    Returns
    -------
    str
    """
    from ..text.labels import label

    if not isinstance(comparison, ModelComparison):
        raise ParameterError(f"The 'comparison' parameter must come from crmmine.compare_models. "
                             f"Got {type(comparison).__name__} instead.")
    t = comparison.table
    row = t.loc[comparison.chosen]
    shown, explain = _model_words(comparison.chosen, comparison.model, lang)
    others = label("clv.join.list", lang).join(label("clv.choice.other", lang, model=_model_words(n, comparison.models[n], lang)[0],
                             mae=float(t.loc[n, "holdout_mae"]))
                       for n in t.index if n != comparison.chosen)
    cal_end = (cal.attrs.get("calibration_end") if cal is not None else None) or "?"
    out = label(f"clv.choice.{comparison.reason}", lang, model=shown, explain=explain, cal_end=cal_end,
                days=comparison.duration, mae=float(row["holdout_mae"]), n=len(t), others=others)
    out += " " + label("clv.choice.total", lang, predicted=float(row["predicted_total"]),
                       actual=float(row["actual_total"]), error_pct=float(row["total_error_pct"]),
                       days=comparison.duration)
    if comparison.lr_test is not None:
        lr = comparison.lr_test
        key = "clv.choice.lr.significant" if lr["p_value"] < 0.05 else "clv.choice.lr.not_significant"
        p = float(lr["p_value"])  # "p < 0.001", never scientific notation on a report page
        out += " " + label(key, lang, stat=lr["statistic"], df=lr["df"],
                           p="< 0.001" if p < 0.001 else f"= {p:.3f}")
    return out


def _group_name(key, old_days, lang):
    from ..text.labels import label

    if key.startswith("silent_over_"):
        return label("clv.check.group.silent_over", lang, lo=float(key.rsplit("_", 1)[1]))
    if key.startswith("silent_"):
        lo, hi = key.split("_")[1:3]
        return label("clv.check.group.silent", lang, lo=float(lo), hi=float(hi))
    return label(f"clv.check.group.{key}", lang, old_days=old_days)


def summarise_holdout_check(check: pd.DataFrame, *, cal: pd.DataFrame | None = None, lang: str | None = None) -> str:
    """One sentence on :func:`holdout_check`: old one-time buyers, and the group with the largest gap."""
    from ..text.labels import label

    check_table(check, ["actual_share", "predicted_share", "difference_points"], name="check",
                hint="Pass crmmine.holdout_check(model, cal).")
    old_days = float(check.attrs.get("old_days", 90))
    row = check.loc["one_time_old"]
    ok = check[check["customers"] > 0]
    worst = ok["difference_points"].abs().idxmax()
    cal_end = (cal.attrs.get("calibration_end") if cal is not None else None) or "?"
    return label("clv.check.sentence", lang, old_days=old_days, actual_pct=100 * float(row["actual_share"]),
                 pred_pct=100 * float(row["predicted_share"]), days=float(check.attrs.get("duration", np.nan)),
                 cal_end=cal_end, gap=float(ok.loc[worst, "difference_points"]),
                 group=_group_name(worst, old_days, lang))


def format_holdout_check(check: pd.DataFrame, *, lang: str | None = None) -> pd.DataFrame:
    """:func:`holdout_check` for people: group names, customers, shares in percent, gap in points."""
    from ..text.labels import label

    old_days = float(check.attrs.get("old_days", 90))
    out = pd.DataFrame({
        label("clv.check.col.customers", lang): check["customers"].map("{:,}".format),
        label("clv.check.col.actual_share", lang): (100 * check["actual_share"]).map("{:.0f}%".format),
        label("clv.check.col.predicted_share", lang): (100 * check["predicted_share"]).map("{:.0f}%".format),
        label("clv.check.col.difference_points", lang): check["difference_points"].map("{:+.0f}".format),
    })
    out.index = pd.Index([_group_name(k, old_days, lang) for k in check.index], name=label("clv.check.col.group", lang))
    return out


def reconcile_alive_lifecycle(probability_alive: pd.Series, lifecycle_state: pd.Series, *,
                              check: pd.DataFrame | None = None, lost_state: str = "lost",
                              active_states=("active", "loyal", "new"), lang: str | None = None) -> str:
    """A sentence reconciling the model's P(alive) with the lifecycle states (rule-based, from the shop's rhythm).

    When the customers the lifecycle rules call ``lost_state`` still have a high mean P(alive) (above
    0.5), the sentence says why both can hold and points to the holdout check; otherwise it says the
    two agree.

    Parameters
    ----------
    probability_alive : pandas.Series
        Per customer (e.g. ``model.probability_alive(summary)``).
    lifecycle_state : pandas.Series
        Per customer, from :func:`crmmine.lifecycle_states`.
    check : pandas.DataFrame or None
        :func:`holdout_check` output, for the share of old one-time buyers who came back.
    lang : {"en", "zh"} or None

    Returns
    -------
    str
    """
    from ..text.labels import label

    for name, s in (("probability_alive", probability_alive), ("lifecycle_state", lifecycle_state)):
        if not isinstance(s, pd.Series):
            raise ParameterError(f"The '{name}' parameter must be a pandas Series indexed by customer_id. "
                                 f"Got {type(s).__name__} instead.")
    state = lifecycle_state.astype(str).reindex(probability_alive.index)
    lost = probability_alive[state == lost_state]
    active = probability_alive[state.isin(list(active_states))]
    palive = float(lost.mean()) if len(lost) else float("nan")
    palive_active = float(active.mean()) if len(active) else float("nan")
    if len(lost) and palive > 0.5:
        actual = float(check.loc["one_time_old", "actual_share"]) * 100 if check is not None else float("nan")
        return label("clv.reconcile.high", lang, n_lost=len(lost), palive=palive, actual_pct=actual)
    return label("clv.reconcile.low", lang, n_lost=len(lost), palive=palive if len(lost) else 0.0,
                 palive_active=palive_active)
