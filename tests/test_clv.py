"""CLV: summaries, BG/NBD and Gamma-Gamma fits, predictions and the value decomposition.

Four layers: hand-computed fixtures; the published CDNOW estimates (Fader, Hardie & Lee
2005a/b); recovery of make_transactions' planted truth; agreement with independent
implementations of the likelihoods written here with scipy.special / scipy.integrate.
"""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

import crmmine
from crmmine.datasets import make_transactions
from crmmine.errors import (
    ConvergenceError,
    CrmmineWarning,
    InputError,
    MissingColumnError,
    NotFittedError,
    ParameterError,
    SourceNotFoundError,
)


# --------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------
def _tx(rows):
    df = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "amount"])
    df["customer_id"] = df["customer_id"].astype("string[pyarrow]")
    df["order_date"] = pd.to_datetime(df["order_date"])
    return df


@pytest.fixture
def tiny():
    return _tx(
        [
            ("a", "o1", "2024-01-01 10:00", 10.0),
            ("a", "o2", "2024-01-01 15:00", 5.0),  # second order the same day: same purchase day
            ("a", "o3", "2024-01-08 09:00", 20.0),
            ("a", "o3", "2024-01-08 09:00", 4.0),  # second line of o3
            ("a", "o4", "2024-01-15 23:59", 30.0),
            ("b", "o5", "2024-01-03 12:00", 7.0),
            ("c", "o6", "2024-01-05 08:00", 3.0),
            ("c", "o7", "2024-01-20 08:00", 9.0),
        ]
    )


@pytest.fixture(scope="module")
def cdnow_cal():
    """CDNOW sample, 39-week calibration ending 1997-09-30, weeks (the published set-up)."""
    try:
        tx = crmmine.datasets.load_cdnow_sample()
    except SourceNotFoundError as exc:  # follows the shared_data fixture's policy
        import os

        if os.environ.get("CRMMINE_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    return crmmine.calibration_holdout_summary(
        tx, calibration_end="1997-09-30", observation_end="1998-06-30", time_unit="W"
    )


def _cal_to_summary(cal):
    s = cal[["frequency_cal", "recency_cal", "T_cal", "monetary_value_cal"]]
    s = s.rename(columns=lambda c: c.removesuffix("_cal"))
    s.attrs["time_unit"] = cal.attrs["time_unit"]
    return s


@pytest.fixture(scope="module")
def cdnow_models(cdnow_cal):
    s = _cal_to_summary(cdnow_cal)
    return s, crmmine.BetaGeoModel().fit(s), crmmine.GammaGammaModel().fit(s)


def _summary(x, tx, T, m=None):
    d = {"frequency": np.asarray(x), "recency": np.asarray(tx, float), "T": np.asarray(T, float)}
    if m is not None:
        d["monetary_value"] = np.asarray(m, float)
    return pd.DataFrame(d, index=pd.Index([f"c{i}" for i in range(len(d["T"]))], name="customer_id"))


# --------------------------------------------------------------------------------------
# clv_summary / calibration_holdout_summary: hand-computed
# --------------------------------------------------------------------------------------
def test_summary_counts_purchase_days_not_orders(tiny):
    s = crmmine.clv_summary(tiny, observation_end="2024-01-16")
    expected = pd.DataFrame(
        {
            "frequency": np.array([2, 0, 0], dtype=np.int64),  # a: days 1, 8, 15 -> 2 repeat days
            "recency": [14.0, 0.0, 0.0],
            "T": [15.0, 13.0, 11.0],
            "monetary_value": [27.0, 0.0, 0.0],  # a: (20 + 4 + 30) / 2, first day's 15 excluded
        },
        index=pd.Index(["a", "b", "c"], dtype="string[pyarrow]", name="customer_id"),
    )
    pd.testing.assert_frame_equal(s, expected)
    assert s.attrs == {"time_unit": "D", "observation_end": "2024-01-16"}


def test_summary_default_end_is_the_day_after_the_last_line(tiny):
    s = crmmine.clv_summary(tiny)
    assert s.attrs["observation_end"] == "2024-01-21"
    assert s.loc["a", "T"] == 20.0 and s.loc["b", "T"] == 18.0
    # c's purchase on the 20th now counts
    assert (s.loc["c", "frequency"], s.loc["c", "recency"], s.loc["c", "T"], s.loc["c", "monetary_value"]) == (
        1, 15.0, 16.0, 9.0)


def test_summary_time_units(tiny):
    w = crmmine.clv_summary(tiny, observation_end="2024-01-16", time_unit="W")
    assert w.loc["a", "recency"] == 2.0 and w.loc["a", "T"] == pytest.approx(15 / 7)
    m = crmmine.clv_summary(tiny, observation_end="2024-01-16", time_unit="M")
    assert m.loc["a", "T"] == pytest.approx(15 / 30.4375)
    assert w.attrs["time_unit"] == "W"
    assert w["monetary_value"].equals(m["monetary_value"])


def test_summary_ignores_lines_after_the_end_and_customers_who_start_later(tiny):
    s = crmmine.clv_summary(tiny, observation_end="2024-01-04")
    assert list(s.index) == ["a", "b"]
    assert s.loc["a", "frequency"] == 0 and s.loc["a", "T"] == 3.0 and s.loc["b", "T"] == 1.0


def test_summary_ignores_lines_without_customer(tiny):
    rows = tiny.copy()
    rows.loc[len(rows)] = [pd.NA, "o9", pd.Timestamp("2024-01-02"), 100.0]
    s = crmmine.clv_summary(rows, observation_end="2024-01-16")
    pd.testing.assert_frame_equal(s, crmmine.clv_summary(tiny, observation_end="2024-01-16"))


def test_calibration_holdout_by_hand(tiny):
    rows = pd.concat([tiny, _tx([("d", "o8", "2024-01-10", 50.0)])], ignore_index=True)
    cal = crmmine.calibration_holdout_summary(rows, calibration_end="2024-01-08", observation_end="2024-01-20")
    expected = pd.DataFrame(
        {
            "frequency_cal": np.array([1, 0, 0], dtype=np.int64),
            "recency_cal": [7.0, 0.0, 0.0],
            "T_cal": [7.0, 5.0, 3.0],
            "monetary_value_cal": [24.0, 0.0, 0.0],
            "frequency_holdout": np.array([1, 0, 1], dtype=np.int64),
            "monetary_value_holdout": [30.0, 0.0, 9.0],
            "duration_holdout": [12.0, 12.0, 12.0],
        },
        index=pd.Index(["a", "b", "c"], dtype="string[pyarrow]", name="customer_id"),
    )
    pd.testing.assert_frame_equal(cal, expected)  # d first bought after calibration_end: excluded
    assert cal.attrs == {"time_unit": "D", "calibration_end": "2024-01-08", "observation_end": "2024-01-20"}


def test_summary_bad_parameters(tiny):
    with pytest.raises(ParameterError, match=r"'time_unit' parameter must be one of 'D', 'W', 'M'.*Got 'Y'"):
        crmmine.clv_summary(tiny, time_unit="Y")
    with pytest.raises(ParameterError, match=r"'observation_end' parameter must be a date.*Got 'soon'"):
        crmmine.clv_summary(tiny, observation_end="soon")
    with pytest.raises(MissingColumnError, match=r"no column 'amount'"):
        crmmine.clv_summary(tiny.drop(columns="amount"))
    with pytest.raises(MissingColumnError, match=r"must be a pandas DataFrame.*Got list"):
        crmmine.clv_summary([1, 2])
    with pytest.raises(ParameterError, match=r"'calibration_end' parameter must be before observation_end "
                                             r"\(2024-01-10\)\. Got 2024-01-12"):
        crmmine.calibration_holdout_summary(tiny, calibration_end="2024-01-12", observation_end="2024-01-10")
    with pytest.raises(ParameterError, match=r"'calibration_end' parameter must be a date like"):
        crmmine.calibration_holdout_summary(tiny, calibration_end=None)


def test_summary_attrs_write_to_parquet(tiny, tmp_path):
    s = crmmine.clv_summary(tiny)
    paths = crmmine.write_table(s, tmp_path, "summary", index=True)
    back = pd.read_parquet(paths["parquet"])
    assert back.attrs == s.attrs
    assert list(back.columns) == ["customer_id", "frequency", "recency", "T", "monetary_value"]


# --------------------------------------------------------------------------------------
# input validation of the models
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("frame", "match"),
    [
        (_summary([1, 2], [3.0, 5.0], [4.0, 4.5]),
         r"Some values in 'recency' are larger than 'T'.*First bad customer: 'c1' \(recency=5\.0, T=4\.5\)"),
        (_summary([1, -1], [3.0, 0.0], [4.0, 4.0]),
         r"'frequency' column must not be negative\. First bad customer: 'c1'"),
        (_summary([1.5, 1.0], [3.0, 2.0], [4.0, 4.0]),
         r"'frequency' column must hold whole numbers.*First bad customer: 'c0' \(frequency=1\.5\)"),
        (_summary([1, 0], [3.0, 2.0], [4.0, 4.0]),
         r"Customers with 'frequency' 0 must have 'recency' 0.*'c1'"),
        (_summary([1, 0], [3.0, np.nan], [4.0, 4.0]),
         r"'recency' column has missing or infinite values\. First bad customer: 'c1'"),
        (_summary([1, 0], [3.0, 0.0], [4.0, 4.0]).drop(columns="T"), r"has no column 'T'"),
    ],
)
def test_bg_fit_rejects_bad_summaries(frame, match):
    with pytest.raises(InputError, match=match):
        crmmine.BetaGeoModel().fit(frame)


def test_gg_rejects_non_positive_spend_of_repeat_buyers():
    s = _summary([1, 2, 0], [3.0, 4.0, 0.0], [4.0, 4.0, 4.0], m=[10.0, 0.0, 0.0])
    with pytest.raises(InputError, match=r"'monetary_value' must be > 0 for customers with frequency > 0\. "
                                         r"First bad customer: 'c1' \(frequency=2, monetary_value=0\.0\)"):
        crmmine.GammaGammaModel().fit(s)
    with pytest.raises(InputError, match=r"at least 2 customers with frequency > 0\. Got 1"):
        crmmine.GammaGammaModel().fit(s.iloc[[0, 2]])


@pytest.mark.parametrize("model", [crmmine.BetaGeoModel, crmmine.GammaGammaModel])
def test_bad_model_parameters(model):
    s = _summary([1, 2, 0], [3.0, 4.0, 0.0], [4.0, 5.0, 6.0], m=[10.0, 5.0, 0.0])
    with pytest.raises(ParameterError, match=r"'penalizer' parameter must be a number >= 0\. Got -1 instead"):
        model(penalizer=-1).fit(s)
    with pytest.raises(ParameterError, match=r"'max_iter' parameter must be an integer >= 1\. Got 0 instead"):
        model(max_iter=0).fit(s)


def test_not_fitted_errors_on_predictions():
    s = _summary([1], [3.0], [4.0], m=[10.0])
    with pytest.raises(NotFittedError, match="not fitted yet. Call 'fit'"):
        crmmine.BetaGeoModel().probability_alive(s)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        crmmine.BetaGeoModel().expected_purchases_new(10)
    with pytest.raises(NotFittedError, match="This GammaGammaModel instance is not fitted yet"):
        crmmine.GammaGammaModel().expected_spend(s)
    with pytest.raises(NotFittedError, match="This GammaGammaModel instance is not fitted yet"):
        crmmine.GammaGammaModel().customer_lifetime_value(crmmine.BetaGeoModel(), s)


def test_initial_params_checked():
    s = _summary([1, 2, 0], [3.0, 4.0, 0.0], [4.0, 5.0, 6.0])
    with pytest.raises(ParameterError, match=r"'initial_params' parameter must be None or a dict of positive numbers"):
        crmmine.BetaGeoModel(initial_params={"r": 1}).fit(s)


def test_convergence_error_is_clear():
    s = _summary([1, 2, 0, 3], [3.0, 4.0, 0.0, 5.0], [4.0, 5.0, 6.0, 7.0])
    with pytest.raises(ConvergenceError, match=r"BetaGeoModel did not converge .*Try a small 'penalizer'"):
        crmmine.BetaGeoModel(max_iter=1).fit(s)


# --------------------------------------------------------------------------------------
# likelihoods against independent implementations
# --------------------------------------------------------------------------------------
def _bg_ll_direct(r, alpha, a, b, x, tx, T):
    """FHL 2005a eq. (6), written straightforwardly with Beta and Gamma functions."""
    x = np.asarray(x, float)
    common = special.gamma(r + x) * alpha**r / special.gamma(r)
    first = special.beta(a, b + x) / special.beta(a, b) * common / (alpha + T) ** (r + x)
    second = np.where(
        x > 0,
        special.beta(a + 1, b + np.maximum(x, 1) - 1) / special.beta(a, b) * common / (alpha + tx) ** (r + x),
        0.0,
    )
    return np.log(first + second)


def _gg_ll_direct(p, q, v, x, m):
    """Density of the mean of x Gamma(p, nu) spends, nu ~ Gamma(q, v), by numerical integration over nu."""
    out = []
    for xi, mi in zip(x, m):
        # x * mean ~ Gamma(p x, nu)  =>  mean ~ Gamma(p x, rate x nu)
        def f(nu, xi=xi, mi=mi):
            return stats.gamma.pdf(mi, p * xi, scale=1 / (xi * nu)) * stats.gamma.pdf(nu, q, scale=1 / v)

        val, _ = integrate.quad(f, 0, np.inf, limit=200)
        out.append(math.log(val))
    return np.array(out)


def test_bg_likelihood_and_gradient_match_a_direct_implementation():
    from scipy.optimize import approx_fprime

    from crmmine.clv import _kernels as K

    rng = np.random.default_rng(0)
    x = rng.poisson(2.0, 300).astype(float)
    T = rng.uniform(1, 10, 300)
    tx = np.where(x > 0, rng.uniform(0, 1, 300) * T, 0.0)
    data = K.BGData(x, tx, T)
    for _ in range(5):
        theta = rng.uniform([0.2, 0.5, 0.2, 0.5], [3.0, 10.0, 3.0, 8.0])
        direct = _bg_ll_direct(*theta, x, tx, T)
        np.testing.assert_allclose(K.bg_loglik(theta, x, tx, T), direct, rtol=1e-10)
        f, g = K.bg_objective(np.log(theta), data, 0.0, 1.0)
        assert -f * len(x) == pytest.approx(direct.sum(), rel=1e-10)
        num = approx_fprime(np.log(theta), lambda lp: K.bg_objective(lp, data, 0.0, 1.0)[0], 1e-7)
        np.testing.assert_allclose(g, num, rtol=1e-4, atol=1e-7)


def test_gg_likelihood_matches_numerical_integration():
    from crmmine.clv import _kernels as K

    rng = np.random.default_rng(1)
    x = rng.integers(1, 6, 8).astype(float)
    m = rng.gamma(3.0, 10.0, 8)
    for theta in ([6.0, 3.7, 15.0], [1.5, 2.5, 40.0]):
        np.testing.assert_allclose(K.gg_loglik(theta, x, m), _gg_ll_direct(*theta, x, m), rtol=1e-6)


def test_gg_objective_and_gradient_match_the_per_customer_formula():
    from scipy.optimize import approx_fprime

    from crmmine.clv import _kernels as K

    rng = np.random.default_rng(2)
    x = rng.integers(1, 8, 500).astype(float)
    m = rng.gamma(3.0, 1.0, 500)
    data = K.GGData(x, m)
    for _ in range(5):
        theta = rng.uniform([0.5, 1.2, 0.5], [8.0, 6.0, 5.0])
        f, g = K.gg_objective(np.log(theta), data, 0.0, 1.0)
        assert -f * len(x) == pytest.approx(K.gg_loglik(theta, x, m).sum(), rel=1e-10)
        num = approx_fprime(np.log(theta), lambda lp: K.gg_objective(lp, data, 0.0, 1.0)[0], 1e-7)
        np.testing.assert_allclose(g, num, rtol=1e-4, atol=1e-7)


def test_reported_log_likelihood_is_the_direct_one_in_user_units(cdnow_models):
    s, bg, gg = cdnow_models
    p = bg.params_
    direct = _bg_ll_direct(p["r"], p["alpha"], p["a"], p["b"], s["frequency"], s["recency"], s["T"]).sum()
    assert bg.log_likelihood_ == pytest.approx(direct, rel=1e-9)
    rep = s[s["frequency"] > 0]
    gp = gg.params_
    from crmmine.clv import _kernels as K

    assert gg.log_likelihood_ == pytest.approx(
        K.gg_loglik((gp["p"], gp["q"], gp["v"]), rep["frequency"], rep["monetary_value"]).sum(), rel=1e-9)


# --------------------------------------------------------------------------------------
# published CDNOW results (Fader, Hardie & Lee 2005a, 2005b; ../shared/data/README.md)
# --------------------------------------------------------------------------------------
@pytest.mark.shared_data
def test_cdnow_summary_counts(cdnow_cal):
    assert len(cdnow_cal) == 2_357
    assert int((cdnow_cal["frequency_cal"] > 0).sum()) == 946  # repeat buyers
    assert int(cdnow_cal["frequency_cal"].sum()) == 2_457  # repeat purchases
    assert cdnow_cal["T_cal"].max() == pytest.approx(38.857, abs=1e-3)
    assert (cdnow_cal["duration_holdout"] == 39.0).all()


@pytest.mark.shared_data
def test_cdnow_bgnbd_published_estimates(cdnow_models):
    """FHL 2005a, section 4: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4."""
    s, bg, _ = cdnow_models
    published = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    assert (bg.params_ - published).abs().max() <= 0.005
    assert bg.log_likelihood_ == pytest.approx(-9582.4, abs=0.1)
    assert bg.n_customers_ == 2_357 and bg.time_unit_ == "W"
    # standard errors exist and are small relative to the estimates
    assert bg.standard_errors_.notna().all() and (bg.standard_errors_ < bg.params_).all()


@pytest.mark.shared_data
def test_cdnow_conditional_expectation(cdnow_models):
    """FHL 2005a eq. (10): x = 2, t_x = 30.43, T = 38.86, next 39 weeks -> 1.226."""
    _, bg, _ = cdnow_models
    one = _summary([2], [30.43], [38.86])
    assert bg.expected_purchases(39, one).iloc[0] == pytest.approx(1.226, abs=0.002)


@pytest.mark.shared_data
def test_cdnow_gamma_gamma_published_estimates(cdnow_models):
    """FHL 2005b / Fader & Hardie (2013): p = 6.25, q = 3.74, v = 15.44, LL = -4055.9 on 946 repeat buyers."""
    _, _, gg = cdnow_models
    published = pd.Series({"p": 6.25, "q": 3.74, "v": 15.44})
    assert (gg.params_ - published).abs().max() <= 0.02
    assert gg.log_likelihood_ == pytest.approx(-4055.9, abs=0.1)
    assert gg.n_customers_ == 946


@pytest.mark.shared_data
def test_cdnow_holdout_prediction_is_close_to_what_happened(cdnow_cal, cdnow_models):
    """Sum of the conditional expectations (eq. 10) over the 39 holdout weeks vs what happened.

    Measured: 1,653 predicted vs 1,882 realised purchase days (-12 %); the model tracks the holdout
    (FHL 2005a, Figure 4) but under-predicts the total a little on this sample.
    """
    s, bg, _ = cdnow_models
    predicted = bg.expected_purchases(39, s).sum()
    actual = cdnow_cal["frequency_holdout"].sum()
    assert actual == 1_882
    assert predicted == pytest.approx(1_653.4, abs=0.5)


def test_load_cdnow_sample_missing_names_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("CRMMINE_SHARED_DATA", str(tmp_path))
    with pytest.raises(SourceNotFoundError, match=r"CDNOW sample .* is missing\. Set the CRMMINE_SHARED_DATA"):
        crmmine.datasets.load_cdnow_sample()


@pytest.mark.shared_data
def test_load_cdnow_sample_is_canonical(cdnow_sample_path):
    tx = crmmine.datasets.load_cdnow_sample()
    crmmine.validate_transactions(tx)
    assert len(tx) == 6_919 and tx["customer_id"].nunique() == 2_357
    pd.testing.assert_frame_equal(tx, crmmine.datasets.load_cdnow_sample(cdnow_sample_path))


# --------------------------------------------------------------------------------------
# predictions: formulas and identities
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fitted_small():
    tx, truth = make_transactions(3_000, random_state=5, itemsets=())
    s = crmmine.clv_summary(tx)
    return s, crmmine.BetaGeoModel().fit(s), crmmine.GammaGammaModel().fit(s)


def test_probability_alive_by_hand(fitted_small):
    _, bg, _ = fitted_small
    r, alpha, a, b = bg.params_
    s = _summary([0, 3], [0.0, 50.0], [100.0, 200.0])
    pa = bg.probability_alive(s)
    expected_1 = 1 / (1 + a / (b + 2) * ((alpha + 200) / (alpha + 50)) ** (r + 3))
    np.testing.assert_allclose(pa.to_numpy(), [1.0, expected_1], rtol=1e-12)
    assert pa.name == "probability_alive" and list(pa.index) == ["c0", "c1"]


def test_conditional_expectation_without_history_is_the_unconditional_one(fitted_small):
    _, bg, _ = fitted_small
    t = np.array([10.0, 100.0, 365.0])
    new = bg.expected_purchases_new(t)
    zero = _summary([0], [0.0], [0.0])
    cond = [bg.expected_purchases(float(tt), zero).iloc[0] for tt in t]
    np.testing.assert_allclose(cond, new, rtol=1e-10)
    assert isinstance(bg.expected_purchases_new(10.0), float)
    assert bg.expected_purchases_new(0.0) == 0.0


def test_unconditional_expectation_against_simulation():
    """E[X(t)] (FHL 2005a eq. 9) vs the mean repeat purchases of a simulated cohort all acquired on day 0."""
    params = dict(r=0.8, alpha=60.0, a=0.8, b=3.0, p=6.0, q=4.0, v=80.0)
    tx, truth = make_transactions(20_000, random_state=11, params=params, acquisition_days=1, period_days=365,
                                  itemsets=(), mean_basket_size=1.0)
    n_orders = tx.groupby("customer_id", observed=True)["order_id"].nunique()
    bg = crmmine.BetaGeoModel()
    bg.params_ = pd.Series({k: params[k] for k in ("r", "alpha", "a", "b")})  # the truth, no fit
    predicted = bg.expected_purchases_new(365.0 - 0.5)  # arrivals uniform in the first day
    assert (n_orders - 1).mean() == pytest.approx(predicted, rel=0.03)


def test_probability_no_purchase(fitted_small):
    s, bg, _ = fitted_small
    p0 = bg.probability_no_purchase(0.0, s)
    np.testing.assert_allclose(p0, 1.0)
    p30, p365 = bg.probability_no_purchase(30.0, s), bg.probability_no_purchase(365.0, s)
    assert ((p365 <= p30 + 1e-12) & (p365 >= 1 - bg.probability_alive(s) - 1e-12)).all()
    r, alpha, a, b = bg.params_
    one = _summary([2], [40.0], [100.0])
    pa = bg.probability_alive(one).iloc[0]
    assert bg.probability_no_purchase(30.0, one).iloc[0] == pytest.approx(
        1 - pa + pa * ((alpha + 100) / (alpha + 130)) ** (r + 2), rel=1e-12)
    with pytest.raises(ParameterError, match=r"'t' parameter must be a number >= 0 .*Got -1"):
        bg.probability_no_purchase(-1, s)


def test_expected_spend_by_hand(fitted_small):
    _, _, gg = fitted_small
    p, q, v = gg.params_
    s = _summary([0, 4], [0.0, 10.0], [20.0, 20.0], m=[0.0, 50.0])
    np.testing.assert_allclose(gg.expected_spend(s), [p * v / (q - 1), p * (v + 4 * 50.0) / (p * 4 + q - 1)],
                               rtol=1e-12)


def test_clv_discounting_by_hand(fitted_small):
    s, bg, gg = fitted_small
    spend = gg.expected_spend(s)
    # no discounting: the monthly increments telescope to E[Y(horizon)] * E[M]
    undiscounted = gg.customer_lifetime_value(bg, s, horizon=365, discount_rate=0.0)
    np.testing.assert_allclose(undiscounted, spend * bg.expected_purchases(365, s), rtol=1e-9)
    # one monthly step: discounted to its end at 10 % a year
    month = gg.customer_lifetime_value(bg, s, horizon=30.4375, discount_rate=0.10)
    np.testing.assert_allclose(month, spend * bg.expected_purchases(30.4375, s) * 1.1 ** (-30.4375 / 365.25),
                               rtol=1e-9)
    # discounting lowers value; the same in weeks
    d = gg.customer_lifetime_value(bg, s, horizon=365, discount_rate=0.10)
    assert (d < undiscounted).all() and (d > 0).all() and d.name == "clv"
    zero = gg.customer_lifetime_value(bg, s, horizon=0)
    assert (zero == 0).all()


def test_clv_bad_parameters(fitted_small):
    s, bg, gg = fitted_small
    with pytest.raises(ParameterError, match=r"'discount_rate' parameter must be in \[0, 1\)\. Got 5"):
        gg.customer_lifetime_value(bg, s, discount_rate=5)
    with pytest.raises(ParameterError, match=r"'freq_of_discount' parameter must be one of 'day'.*Got 'decade'"):
        gg.customer_lifetime_value(bg, s, freq_of_discount="decade")
    with pytest.raises(ParameterError, match=r"'bg' parameter must be a fitted BetaGeoModel\. Got GammaGammaModel"):
        gg.customer_lifetime_value(gg, s)


def test_models_follow_the_estimator_contract(fitted_small):
    s, bg, gg = fitted_small
    m = crmmine.BetaGeoModel(penalizer=0.001)
    assert m.get_params() == {"penalizer": 0.001, "max_iter": 1000, "initial_params": None, "covariates": None}
    assert repr(m) == "BetaGeoModel(penalizer=0.001, max_iter=1000, initial_params=None, covariates=None)"
    assert not hasattr(m, "params_")
    assert m.fit(s) is m
    assert list(m.params_.index) == ["r", "alpha", "a", "b"] and list(gg.params_.index) == ["p", "q", "v"]
    for model in (bg, gg):
        back = pickle.loads(pickle.dumps(model))
        pd.testing.assert_series_equal(back.params_, model.params_)
    pd.testing.assert_series_equal(bg.probability_alive(s), pickle.loads(pickle.dumps(bg)).probability_alive(s))
    # deterministic
    again = crmmine.BetaGeoModel().fit(s)
    pd.testing.assert_series_equal(again.params_, bg.params_)
    # the penalizer shrinks the parameters
    assert (m.params_["alpha"] < bg.params_["alpha"])


def test_initial_params_give_the_same_optimum(fitted_small):
    s, bg, _ = fitted_small
    other = crmmine.BetaGeoModel(initial_params={"r": 2.0, "alpha": 10.0, "a": 2.0, "b": 2.0}).fit(s)
    np.testing.assert_allclose(other.params_, bg.params_, rtol=1e-3)


# --------------------------------------------------------------------------------------
# planted truth
# --------------------------------------------------------------------------------------
TRUTH = dict(r=0.8, alpha=40.0, a=0.8, b=2.5, p=6.0, q=4.0, v=60.0)


@pytest.fixture(scope="module")
def planted():
    return make_transactions(40_000, params=TRUTH, random_state=1, itemsets=(), mean_basket_size=1.0)


def test_recovers_planted_bgnbd_truth_from_order_times(planted):
    """With exact (continuous) purchase times the estimates are within 4 standard errors of the truth."""
    tx, truth = planted
    orders = tx.groupby("order_id", observed=True).agg(c=("customer_id", "first"), d=("order_date", "first"))
    g = orders.groupby("c", observed=True)["d"].agg(["min", "max", "count"])
    day = pd.Timedelta(days=1)
    s = pd.DataFrame({"frequency": g["count"] - 1, "recency": (g["max"] - g["min"]) / day,
                      "T": (truth.observation_end - g["min"]) / day})
    bg = crmmine.BetaGeoModel().fit(s)
    z = (bg.params_ - pd.Series(TRUTH)[["r", "alpha", "a", "b"]]) / bg.standard_errors_
    assert (z.abs() < 4).all(), z


def test_recovers_planted_truth_from_the_daily_summary(planted):
    """clv_summary counts purchase days, merging same-day purchases (about 2 % of repeats here), which lowers
    the purchase rate a little: r, a, b within 6 %, alpha within 10 %, Gamma-Gamma within 6 % (v 10 %)."""
    tx, truth = planted
    s = crmmine.clv_summary(tx, observation_end=truth.observation_end)
    bg = crmmine.BetaGeoModel().fit(s)
    gg = crmmine.GammaGammaModel().fit(s)
    rel = bg.params_ / pd.Series(TRUTH)[["r", "alpha", "a", "b"]] - 1
    assert (rel[["r", "a", "b"]].abs() < 0.06).all() and abs(rel["alpha"]) < 0.10, rel
    rel = gg.params_ / pd.Series(TRUTH)[["p", "q", "v"]] - 1
    assert (rel[["p", "q"]].abs() < 0.06).all() and abs(rel["v"]) < 0.10, rel


def test_default_multi_segment_shop_fits_and_predicts_the_holdout():
    tx, truth = make_transactions(5_000, random_state=2, itemsets=())
    cal = crmmine.calibration_holdout_summary(tx, calibration_end="2025-01-01")
    s = _cal_to_summary(cal)
    bg = crmmine.BetaGeoModel().fit(s)
    gg = crmmine.GammaGammaModel().fit(s)
    assert np.isfinite(bg.params_).all() and np.isfinite(gg.params_).all()
    predicted = bg.expected_purchases(float(cal["duration_holdout"].iloc[0]), s).sum()
    assert predicted == pytest.approx(cal["frequency_holdout"].sum(), rel=0.15)
    # customers still alive in the truth have a higher P(alive) on average
    pa = bg.probability_alive(s)
    alive = truth.customers["alive"].reindex(pa.index)
    assert pa[alive].mean() > pa[~alive].mean()


# --------------------------------------------------------------------------------------
# customer_value
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample():
    return crmmine.load_clean("sample")


@pytest.fixture(scope="module")
def sample_value(sample):
    return crmmine.customer_value(sample.transactions, return_models=True)


def test_customer_value_columns_and_identities(sample, sample_value):
    value, bg, gg = sample_value
    tx = sample.transactions
    assert list(value.columns) == ["historical_value", "frequency", "recency", "T", "probability_alive",
                                   "expected_purchases", "expected_spend", "predicted_value", "potential_value",
                                   "total_value"]
    assert value.index.name == "customer_id" and value.index.is_unique
    assert len(value) == tx["customer_id"].nunique()
    hist = tx.groupby("customer_id", observed=True)["amount"].sum()
    np.testing.assert_allclose(value["historical_value"], hist.reindex(value.index), rtol=1e-12)
    np.testing.assert_allclose(value["total_value"],
                               value["historical_value"] + value["predicted_value"] + value["potential_value"])
    assert (value["potential_value"] == 0).all()
    assert value["probability_alive"].between(0, 1).all() and (value["predicted_value"] >= 0).all()
    s = crmmine.clv_summary(tx)
    np.testing.assert_allclose(value["predicted_value"],
                               gg.customer_lifetime_value(bg, s, horizon=365, discount_rate=0.10), rtol=1e-12)
    assert value.attrs["as_of"] == "2011-12-10" and value.attrs["horizon_days"] == 365
    assert value.attrs["bg_params"] == {k: float(v) for k, v in bg.params_.items()}
    json.dumps(value.attrs)  # JSON-safe, so write_table's Parquet keeps them


def test_customer_value_as_of_and_potential(sample):
    tx = sample.transactions
    who = tx["customer_id"].iloc[0]
    value = crmmine.customer_value(tx, as_of="2011-06-01", horizon_days=90, discount_rate=0.0,
                                   potential_value=pd.Series({who: 100.0, "nobody": 5.0}))
    before = tx[tx["order_date"] < "2011-06-01"]
    assert len(value) == before["customer_id"].nunique()
    assert value["T"].max() == (pd.Timestamp("2011-06-01") - before["order_date"].min().normalize()).days
    assert value.loc[who, "potential_value"] == 100.0 and value["potential_value"].sum() == 100.0
    assert value.attrs["as_of"] == "2011-06-01"


def test_customer_value_nets_returns(sample, sample_value):
    value = crmmine.customer_value(sample.transactions, returns=sample.returns)
    returned = sample.returns.groupby("customer_id", observed=True)["amount"].sum().abs()
    diff = (sample_value[0]["historical_value"] - value["historical_value"])
    np.testing.assert_allclose(diff[diff > 0], returned.reindex(diff[diff > 0].index), rtol=1e-9)
    assert diff.sum() == pytest.approx(returned.reindex(value.index).fillna(0).sum())


def test_customer_value_falls_back_to_a_penalised_spend_model(sample, monkeypatch):
    # a grocer's steady baskets (make_shop("grocer", 120, random_state=0)) made the unpenalised Gamma-Gamma fit
    # stop ABNORMAL and the segment report fail; customer_value refits with the penalty the error recommends
    from crmmine.clv import value as value_module
    from crmmine.errors import ConvergenceError

    fit = crmmine.GammaGammaModel.fit

    def fails_unpenalised(self, *args, **kwargs):
        if self.penalizer == 0:
            raise ConvergenceError("GammaGammaModel did not converge (ABNORMAL: ).")
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(crmmine.GammaGammaModel, "fit", fails_unpenalised)
    with pytest.warns(crmmine.errors.CrmmineWarning, match=r"fitted with penalizer=0\.001"):
        value = crmmine.customer_value(sample.transactions)
    assert value.attrs["gg_penalizer"] == value_module.GG_FALLBACK_PENALIZER == 0.001
    assert value.attrs["bg_penalizer"] == 0.0  # only the model that failed is penalised
    repeat = value.loc[value["frequency"] > 0, "expected_spend"]
    assert np.isfinite(repeat).all() and (repeat > 0).all()
    monkeypatch.setattr(crmmine.GammaGammaModel, "fit", fit)
    assert crmmine.customer_value(sample.transactions).attrs["gg_penalizer"] == 0.0


def test_customer_value_bad_parameters(sample):
    tx = sample.transactions
    with pytest.raises(ParameterError, match=r"'horizon_days' parameter must be an integer >= 1\. Got 0"):
        crmmine.customer_value(tx, horizon_days=0)
    with pytest.raises(ParameterError, match=r"'discount_rate' parameter must be a number in \[0, 1\)\. Got 1\.5"):
        crmmine.customer_value(tx, discount_rate=1.5)
    with pytest.raises(ParameterError, match=r"'as_of' parameter leaves no transactions before it\. Got 2000-01-01"):
        crmmine.customer_value(tx, as_of="2000-01-01")
    with pytest.raises(ParameterError, match=r"'potential_value' parameter must be None or a numeric pandas Series"):
        crmmine.customer_value(tx, potential_value={"12347": 1.0})


# --------------------------------------------------------------------------------------
# the real Online Retail file
# --------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.shared_data
def test_online_retail_fits(online_retail_path):
    r = crmmine.load_clean(online_retail_path)
    s = crmmine.clv_summary(r.transactions)
    assert len(s) == r.transactions["customer_id"].nunique()
    bg = crmmine.BetaGeoModel().fit(s)
    gg = crmmine.GammaGammaModel().fit(s)
    # recorded in the CLV report: r ~ 0.82, alpha ~ 69 days, a ~ 0.004 (almost no dropout), GG q ~ 3.5
    assert bg.params_["r"] == pytest.approx(0.822, abs=0.01)
    assert bg.params_["alpha"] == pytest.approx(69.4, abs=0.5)
    assert gg.params_["q"] == pytest.approx(3.49, abs=0.05)
    value = crmmine.customer_value(r.transactions, returns=r.returns)
    assert np.isfinite(value.to_numpy()).all()
    # cut at other dates the likelihood runs along its no-dropout ridge (b -> 10^6): a meaningful answer,
    # no warning, finite predictions
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", CrmmineWarning)
        for as_of in ("2011-07-01", "2011-10-01", "2011-12-01"):
            v, bg_cut, _ = crmmine.customer_value(r.transactions, as_of=as_of, return_models=True)
            assert np.isfinite(v.to_numpy()).all() and v["probability_alive"].min() > 0.99, as_of
    # predicted purchases in the next year vs the year's purchase days: same order of magnitude
    assert 0.5 < value["expected_purchases"].sum() / (s["frequency"].sum() + len(s)) < 2.0


def test_large_inputs_are_predicted_once_per_distinct_row(planted):
    """Above 10,000 customers predictions are computed per distinct (x, t_x, T): same numbers as in chunks."""
    tx, truth = planted
    s = crmmine.clv_summary(tx, observation_end=truth.observation_end)
    bg = crmmine.BetaGeoModel().fit(s)
    gg = crmmine.GammaGammaModel().fit(s)
    whole = bg.expected_purchases(90, s)
    chunks = pd.concat([bg.expected_purchases(90, s.iloc[i:i + 5_000]) for i in range(0, len(s), 5_000)])
    np.testing.assert_allclose(whole, chunks, rtol=1e-13)
    clv = gg.customer_lifetime_value(bg, s, horizon=90)
    chunks = pd.concat([gg.customer_lifetime_value(bg, s.iloc[i:i + 5_000], horizon=90)
                        for i in range(0, len(s), 5_000)])
    np.testing.assert_allclose(clv, chunks, rtol=1e-13)


# --------------------------------------------------------------------------------------
# findings in words
# --------------------------------------------------------------------------------------
def _value_table():
    v = pd.DataFrame(
        {
            "historical_value": [100.0, 50.0, 30.0, 20.0, 0.0],
            "frequency": [5, 2, 0, 0, 1],
            "probability_alive": [0.9, 0.6, 1.0, 1.0, 0.2],
            "predicted_value": [600.0, 200.0, 100.0, 60.0, 40.0],
        },
        index=pd.Index(list("abcde"), name="customer_id"),
    )
    v.attrs = {"horizon_days": 365, "discount_rate": 0.1}
    return v


def test_summarise_value_by_hand():
    en = crmmine.summarise_value(_value_table(), currency="£")
    assert en == [
        "The top 20% of customers by predicted value hold 60% of the value predicted for the next 365 days "
        "(£1,000 in total).",
        "80% of customers are more likely active than not (probability active above 50%); 40% have bought on a "
        "single day so far.",
        "Customers have realised £200 so far; the models expect another £1,000 over the next 365 days "
        "(discounted at 10% a year).",
    ]
    zh = crmmine.summarise_value(_value_table(), top=0.4, lang="zh")
    assert zh[0] == "按预测价值排名前 40% 的客户占未来 365 天预测价值的 80%（合计 1,000）。"
    with pytest.raises(ParameterError, match=r"'top' parameter must be in \(0, 1\)\. Got 1\.5"):
        crmmine.summarise_value(_value_table(), top=1.5)
    with pytest.raises(InputError, match=r"table of crmmine.customer_value"):
        crmmine.summarise_value(_value_table().drop(columns="frequency"))
    merged = _value_table()
    merged.attrs = {}
    with pytest.raises(ParameterError, match=r"'horizon_days' and 'discount_rate' parameters are needed"):
        crmmine.summarise_value(merged)
    assert crmmine.summarise_value(merged, horizon_days=90, discount_rate=0.0)[2].endswith(
        "over the next 90 days (discounted at 0% a year).")


def test_summarise_calibration_holdout(cdnow_cal, cdnow_models):
    _, bg, _ = cdnow_models
    assert crmmine.summarise_calibration_holdout(bg, cdnow_cal) == (
        "In the holdout period customers made 1,882 purchase days against 1,653 predicted (-12%).")


def test_edge_estimates_warn():
    s = _summary(np.zeros(50, dtype=int), np.zeros(50), np.linspace(1, 300, 50))  # nobody came back
    with pytest.warns(CrmmineWarning, match=r"BetaGeoModel: the estimate of 'r', 'alpha' ran to the edge|"
                                            r"BetaGeoModel: the estimate of 'alpha' ran to the edge"):
        crmmine.BetaGeoModel().fit(s)


def test_summary_of_many_customers_and_days_matches_a_groupby():
    """The radix-sorted (customer, day) table against a plain pandas groupby, keys wider than 32 bits included."""
    rng = np.random.default_rng(3)
    n = 60_000
    cust = rng.integers(0, 60_000, n)
    days = rng.integers(0, 200_000, n)  # ~38,000 customers x 200,000 days: the key needs more than 32 bits
    days[:2] = [0, 199_999]
    tx = pd.DataFrame({"customer_id": pd.array([f"k{c:05d}" for c in cust], dtype="string[pyarrow]"),
                       "order_date": pd.Timestamp("1700-01-01") + pd.to_timedelta(days, unit="D"),
                       "amount": rng.uniform(1, 100, n).round(2)})
    assert tx["customer_id"].nunique() * 200_000 > 2**32
    s = crmmine.clv_summary(tx)
    day = tx.assign(day=tx["order_date"].dt.normalize()).groupby(["customer_id", "day"])["amount"].sum()
    day = day.reset_index()
    g = day.groupby("customer_id").agg(first=("day", "min"), last=("day", "max"), n=("day", "size"),
                                       total=("amount", "sum"), first_amount=("amount", "first"))
    one = pd.Timedelta(days=1)
    end = tx["order_date"].max() + one
    np.testing.assert_array_equal(s["frequency"], g["n"] - 1)
    np.testing.assert_allclose(s["recency"], (g["last"] - g["first"]) / one)
    np.testing.assert_allclose(s["T"], (end - g["first"]) / one)
    expected_m = ((g["total"] - g["first_amount"]) / (g["n"] - 1)).where(g["n"] > 1, 0.0)
    np.testing.assert_allclose(s["monetary_value"], expected_m, rtol=1e-12)


def test_models_read_a_calibration_table_directly(cdnow_cal, cdnow_models):
    s, bg, gg = cdnow_models
    bg_cal = crmmine.BetaGeoModel().fit(cdnow_cal)
    gg_cal = crmmine.GammaGammaModel().fit(cdnow_cal)
    pd.testing.assert_series_equal(bg_cal.params_, bg.params_)
    pd.testing.assert_series_equal(gg_cal.params_, gg.params_)
    pd.testing.assert_series_equal(bg.expected_purchases(39, cdnow_cal), bg.expected_purchases(39, s))
    bad = cdnow_cal.copy()
    bad.iloc[0, bad.columns.get_loc("recency_cal")] = 99.0
    with pytest.raises(InputError, match=r"Some values in 'recency_cal' are larger than 'T_cal'"):
        crmmine.BetaGeoModel().fit(bad)


def test_summaries_before_the_first_purchase_are_empty(tiny):
    s = crmmine.clv_summary(tiny, observation_end="2023-12-31")
    assert len(s) == 0 and list(s.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert s["frequency"].dtype == np.int64
    cal = crmmine.calibration_holdout_summary(tiny, calibration_end="2023-12-31")
    assert len(cal) == 0 and "frequency_holdout" in cal.columns
    with pytest.raises(InputError, match=r"'summary' table has no customers"):
        crmmine.BetaGeoModel().fit(s)
