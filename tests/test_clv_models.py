"""Pareto/NBD, modified BG/NBD, BG/BB and sBG: published values, hand checks, planted truth (issue 13)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad
from scipy.special import gammaln, hyp2f1

import crmmine
from crmmine.clv._btyd import hyp2f1_one
from crmmine.errors import InputError, NotFittedError, ParameterError


@pytest.fixture(scope="module")
def cdnow(shared_data):
    return pd.read_csv(shared_data / "btyd_reference" / "cdnow_customers_summary.csv").set_index("ID")


@pytest.fixture(scope="module")
def donations(shared_data):
    return pd.read_csv(shared_data / "btyd_reference" / "donations.csv").rename(columns={"periods": "n_periods"})


@pytest.fixture(scope="module")
def pnbd_cdnow(cdnow):
    return crmmine.ParetoNBDModel().fit(cdnow)


# --------------------------------------------------------------------------------------
# the hypergeometric series and the Pareto/NBD likelihood, checked by hand
# --------------------------------------------------------------------------------------
def test_hyp2f1_one_matches_scipy_and_its_derivatives():
    b = np.array([0.5, 3.0, 10.0, 0.2, 50.0, 1.3])
    c = np.array([2.0, 5.0, 12.0, 1.5, 60.0, 4.0])
    z = np.array([0.3, 0.9, 0.99, 0.5, 0.0, 0.999])
    S, Sb, Sc, Sz = hyp2f1_one(b, c, z, derivatives=True)
    np.testing.assert_allclose(S, hyp2f1(1, b, c, z), rtol=1e-12)
    # derivatives where the series converges within max_terms (z <= 0.9); closer to 1 they are approximate
    b, c, z, Sb, Sc, Sz = b[:5], c[:5], np.array([0.3, 0.9, 0.8, 0.5, 0.0]), *(v[:5] for v in (Sb, Sc, Sz))
    S, Sb, Sc, Sz = hyp2f1_one(b, c, z, derivatives=True)
    h = 1e-6
    np.testing.assert_allclose(Sb, (hyp2f1(1, b + h, c, z) - hyp2f1(1, b - h, c, z)) / (2 * h), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(Sc, (hyp2f1(1, b, c + h, z) - hyp2f1(1, b, c - h, z)) / (2 * h), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(Sz, (hyp2f1(1, b, c, z + h) - hyp2f1(1, b, c, z - h)) / (2 * h), rtol=1e-5, atol=1e-7)
    # z = 1 limit for c - b > 1: (c - 1) / (c - 1 - b)
    assert hyp2f1_one(1.0, 4.0, 1 - 1e-9) == pytest.approx(3.0 / 2.0, rel=1e-3)


@pytest.mark.parametrize("params", [(0.55, 10.6, 0.61, 11.7), (0.5, 20.0, 0.6, 3.0), (2.0, 3.0, 0.3, 50.0),
                                    (0.3, 100.0, 2.0, 0.5)])
def test_pareto_nbd_likelihood_equals_the_integral_form(params):
    """L = C [A(T) + s int_{t_x}^T (alpha + y)^-(r + x) (beta + y)^-(s + 1) dy] (Fader & Hardie 2005, eq. 13), by quadrature."""
    r, al, s, be = params
    rows = pd.DataFrame({"frequency": [0, 1, 2, 7, 30], "recency": [0.0, 1.7, 30.4, 20.0, 35.0],
                         "T": [38.9, 38.9, 38.9, 27.0, 36.0]})
    m = crmmine.ParetoNBDModel()
    m.params_ = pd.Series(params, index=["r", "alpha", "s", "beta"])
    arr = m._arrays(rows)
    got = m._rows_loglik(np.array(params), arr)
    for i, (x, tx, T) in enumerate(rows[["frequency", "recency", "T"]].to_numpy()):
        integral = quad(lambda y: (al + y) ** -(r + x) * (be + y) ** -(s + 1), tx, T, epsabs=0, epsrel=1e-13)[0]
        want = (gammaln(r + x) - gammaln(r) + r * np.log(al) + s * np.log(be)
                + np.log((al + T) ** -(r + x) * (be + T) ** -s + s * integral))
        assert got[i] == pytest.approx(want, abs=1e-10)


# --------------------------------------------------------------------------------------
# Pareto/NBD: published CDNOW values
# --------------------------------------------------------------------------------------
def test_pareto_nbd_reproduces_the_published_cdnow_estimates(pnbd_cdnow):
    """Fader, Hardie & Lee (2005) / R CLVTools on the 2,357-customer CDNOW sample, weeks: +-0.005."""
    p = pnbd_cdnow.params_
    for name, value in {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}.items():
        assert p[name] == pytest.approx(value, abs=0.005), name
    assert pnbd_cdnow.log_likelihood_ == pytest.approx(-9595.0, abs=0.05)
    # CLVTools' standard errors: 0.0476, 0.8427, 0.1873, 6.2105
    np.testing.assert_allclose(pnbd_cdnow.standard_errors_.to_numpy(), [0.0476, 0.8427, 0.1873, 6.2105], rtol=0.01)


def test_pareto_nbd_expected_purchases_of_a_new_customer(pnbd_cdnow):
    """E[X(t)], t = 1..9 weeks, as published (R BTYD, pinned in lifetimes' tests with atol 0.01); our fit is
    within 0.0025 of every value (the published ones come from a slightly different fit)."""
    published = [.05078, .09916, .14543, .18980, .23247, .27361, .31335, .35181, .38909]
    got = pnbd_cdnow.expected_purchases_new(np.arange(1, 10))
    np.testing.assert_allclose(got, published, atol=0.0025)
    # the closed form with the fitted parameters, by hand
    r, al, s, be = pnbd_cdnow.params_
    assert pnbd_cdnow.expected_purchases_new(39.0) == pytest.approx(
        r * be / (al * (s - 1)) * (1 - (be / (be + 39)) ** (s - 1)), rel=1e-12)


def test_pareto_nbd_predictions_are_consistent(pnbd_cdnow, cdnow):
    pa = pnbd_cdnow.probability_alive(cdnow)
    assert ((pa > 0) & (pa <= 1)).all()
    # a customer who bought recently is more likely alive than one silent for long with the same x
    two = pd.DataFrame({"frequency": [3, 3], "recency": [38.0, 5.0], "T": [38.86, 38.86]})
    a = pnbd_cdnow.probability_alive(two)
    assert a.iloc[0] > a.iloc[1]
    # P(no purchase in 0 weeks) = 1 and decreasing in t
    p0 = pnbd_cdnow.probability_no_purchase(0, cdnow)
    np.testing.assert_allclose(p0, 1.0)
    assert (pnbd_cdnow.probability_no_purchase(10, cdnow) >= pnbd_cdnow.probability_no_purchase(20, cdnow)).all()
    # conditional expectation by hand for the first customer (Fader & Hardie 2005, eq. 21)
    r, al, s, be = pnbd_cdnow.params_
    x, tx, T = cdnow.iloc[0]
    want = (r + x) * (be + T) / ((al + T) * (s - 1)) * (1 - ((be + T) / (be + T + 39)) ** (s - 1)) * pa.iloc[0]
    assert pnbd_cdnow.expected_purchases(39, cdnow).iloc[0] == pytest.approx(want, rel=1e-10)


def test_pareto_nbd_recovers_planted_parameters():
    truth = {"r": 0.8, "alpha": 8.0, "s": 0.7, "beta": 15.0}
    T = np.random.default_rng(7).uniform(20, 80, 6000)
    sim = crmmine.ParetoNBDModel.simulate(6000, T=T, params=truth, random_state=11)
    m = crmmine.ParetoNBDModel().fit(sim)
    for k, v in truth.items():
        assert abs(m.params_[k] - v) < 4 * m.standard_errors_[k], (k, m.params_[k], m.standard_errors_[k])
    # P(alive) is calibrated against who really is alive
    assert m.probability_alive(sim).mean() == pytest.approx(sim["alive_"].mean(), abs=0.03)


def test_pareto_nbd_covariates_recover_planted_effects_and_pass_the_lr_test():
    rng = np.random.default_rng(5)
    n = 8000
    Z = pd.DataFrame({"web": rng.integers(0, 2, n).astype(float), "noise": rng.integers(0, 2, n).astype(float)})
    truth = {"r": 0.8, "alpha": 10.0, "s": 0.6, "beta": 12.0, "purchase:web": 0.5, "dropout:web": -0.7}
    sim = crmmine.ParetoNBDModel.simulate(n, T=52.0, params=truth, covariates=Z, random_state=4)
    full = crmmine.ParetoNBDModel(covariates=("web",)).fit(sim)
    base = crmmine.ParetoNBDModel().fit(sim)
    for k in ("purchase:web", "dropout:web"):
        assert abs(full.params_[k] - truth[k]) < 4 * full.standard_errors_[k], (k, full.params_[k])
    lr = crmmine.likelihood_ratio_test(base, full)
    assert lr["df"] == 2 and lr["p_value"] < 1e-6
    # a covariate with no planted effect is not significant
    noise = crmmine.ParetoNBDModel(covariates=("web", "noise")).fit(sim)
    assert crmmine.likelihood_ratio_test(full, noise)["p_value"] > 0.001
    # predictions read the covariate column
    assert len(full.probability_alive(sim)) == n
    with pytest.raises(InputError, match="no covariate column 'web'"):
        full.probability_alive(sim.drop(columns="web"))


def test_pareto_nbd_errors():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        crmmine.ParetoNBDModel().probability_alive(pd.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0]}))
    with pytest.raises(ParameterError, match="The 'penalizer' parameter must be a number >= 0. Got -1 instead."):
        crmmine.ParetoNBDModel(penalizer=-1).fit(pd.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0]}))
    with pytest.raises(ParameterError, match="The 'covariates' parameter must be None or a tuple of column names"):
        crmmine.ParetoNBDModel(covariates=[1]).fit(pd.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0]}))
    with pytest.raises(InputError, match="no customers"):
        crmmine.ParetoNBDModel().fit(pd.DataFrame({"frequency": [], "recency": [], "T": []}))
    with pytest.raises(ParameterError, match="keys r, alpha, s, beta"):
        crmmine.ParetoNBDModel.simulate(10, params={"r": 1})


# --------------------------------------------------------------------------------------
# modified BG/NBD
# --------------------------------------------------------------------------------------
def test_modified_bg_nbd_reproduces_btydplus_on_cdnow(cdnow):
    m = crmmine.ModifiedBetaGeoModel().fit(cdnow)
    for name, value in {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}.items():
        assert m.params_[name] == pytest.approx(value, abs=0.005), name
    pa = m.probability_alive(cdnow)
    # one-time buyers can be gone: P(alive) < 1, by hand 1 / (1 + a / b * ((alpha + T) / alpha)**r)
    r, al, a, b = m.params_
    one = cdnow["frequency"] == 0
    T0 = cdnow.loc[one, "T"].iloc[0]
    assert pa[one].iloc[0] == pytest.approx(1 / (1 + a / b * ((al + T0) / al) ** r), rel=1e-12)
    assert pa[one].max() < 1


def test_modified_bg_nbd_recovers_planted_parameters():
    truth = {"r": 0.5, "alpha": 6.0, "a": 0.9, "b": 1.6}
    sim = crmmine.ModifiedBetaGeoModel.simulate(8000, T=np.random.default_rng(2).uniform(20, 60, 8000),
                                                params=truth, random_state=1)
    m = crmmine.ModifiedBetaGeoModel().fit(sim)
    for k, v in truth.items():
        assert abs(m.params_[k] - v) < 4 * m.standard_errors_[k], (k, m.params_[k])
    # with the planted parameters, P(alive) is calibrated: its mean is the share really alive
    planted = crmmine.ModifiedBetaGeoModel()
    planted.params_ = pd.Series(truth)
    assert planted.probability_alive(sim).mean() == pytest.approx(sim["alive_"].mean(), abs=0.015)
    # expected purchases: the model's own simulation of the next 20 weeks agrees on average
    assert m.expected_purchases(20, sim).mean() > 0
    assert (m.probability_no_purchase(20, sim) <= 1).all()


# --------------------------------------------------------------------------------------
# BG/BB
# --------------------------------------------------------------------------------------
def test_bg_bb_reproduces_the_donations_estimates(donations):
    m = crmmine.BetaGeoBetaBinomModel().fit(donations)
    for name, value in {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}.items():
        assert m.params_[name] == pytest.approx(value, abs=0.005), name
    assert m.n_customers_ == 11104
    q = pd.DataFrame({"frequency": [0, 2, 6], "recency": [0, 4, 6], "n_periods": [6, 6, 6]})
    np.testing.assert_allclose(m.probability_alive(q), [0.11, 0.59, 0.93], atol=0.005)
    # E[X(n)] is increasing; the conditional expectation of the best donor is the largest
    ex = m.expected_purchases_new(np.arange(1, 7))
    assert np.all(np.diff(ex) > 0)
    e = m.expected_purchases(5, q)
    assert e.iloc[2] > e.iloc[1] > e.iloc[0]
    np.testing.assert_allclose(m.probability_no_purchase(0, q), 1.0)


def test_bg_bb_recovers_planted_parameters_and_checks_input():
    truth = {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8}
    sim = crmmine.BetaGeoBetaBinomModel.simulate(20000, n_periods=8, params=truth, random_state=0)
    m = crmmine.BetaGeoBetaBinomModel().fit(sim)
    for k, v in truth.items():
        assert abs(m.params_[k] - v) < 4 * m.standard_errors_[k], (k, m.params_[k])
    with pytest.raises(InputError, match="'frequency' cannot exceed 'recency'"):
        m.probability_alive(pd.DataFrame({"frequency": [3], "recency": [2], "n_periods": [6]}))
    with pytest.raises(InputError, match="no column 'n_periods'"):
        m.fit(pd.DataFrame({"frequency": [1], "recency": [2]}))


# --------------------------------------------------------------------------------------
# shifted beta-geometric
# --------------------------------------------------------------------------------------
def test_sbg_reproduces_fader_hardie_2007():
    """Fader & Hardie (2007), "How to Project Customer Retention": regular 0.704/1.182, high end 0.668/3.806."""
    S = crmmine.ShiftedBetaGeoModel
    reg = S().fit(S.summary_from_counts([1000, 631, 468, 382, 326, 289, 262, 241]))
    high = S().fit(S.summary_from_counts([1000, 869, 743, 653, 593, 551, 517, 491]))
    np.testing.assert_allclose(reg.params_, [0.704, 1.182], atol=0.002)
    np.testing.assert_allclose(high.params_, [0.668, 3.806], atol=0.002)
    # survival by hand: S(1) = beta / (alpha + beta); retention rises with tenure
    a, b = reg.params_
    assert reg.survival(1) == pytest.approx(b / (a + b))
    assert np.all(np.diff(reg.retention_rate(np.arange(1, 12))) > 0)


def test_sbg_recovers_planted_truth_and_derl():
    S = crmmine.ShiftedBetaGeoModel
    sim = S.simulate(30000, n_periods=8, params={"alpha": 0.7, "beta": 3.0}, random_state=0)
    m = S().fit(sim)
    assert abs(m.params_["alpha"] - 0.7) < 4 * m.standard_errors_["alpha"]
    assert abs(m.params_["beta"] - 3.0) < 4 * m.standard_errors_["beta"]
    # DERL of a member who paid n periods (n - 1 renewals) is the discounted sum of the chances of each next
    # payment, sum_{k>=1} S(n + k - 1) / S(n - 1) / (1 + d)^(k - 1) (the next renewal undiscounted)
    d, n = 0.1, 3
    k = np.arange(1, 2000)
    want = float((m.survival(n + k - 1) / m.survival(n - 1) / (1 + d) ** (k - 1)).sum())
    got = m.expected_residual_lifetime(pd.DataFrame({"periods": [n], "churned": [False]}), discount_rate=d)
    assert got.iloc[0] == pytest.approx(want, rel=1e-6)
    # DEL of a new member: sum_t S(t - 1) / (1 + d)^(t - 1), t >= 1
    want_new = float((m.survival(k - 1) / (1 + d) ** (k - 1)).sum())
    assert m.expected_lifetime_value(discount_rate=d) == pytest.approx(want_new, rel=1e-6)
    with pytest.raises(ParameterError, match="non-increasing sequence"):
        S.summary_from_counts([10, 12])
    with pytest.raises(InputError, match="boolean 'churned' column"):
        m.fit(pd.DataFrame({"periods": [1, 2]}))


def test_bg_nbd_simulation_and_covariates_recover_planted_effects():
    rng = np.random.default_rng(5)
    n = 8000
    Z = pd.DataFrame({"web": rng.integers(0, 2, n).astype(float)})
    truth = {"r": 0.8, "alpha": 10.0, "a": 0.8, "b": 2.5, "purchase:web": 0.5, "dropout:web": -0.6}
    sim = crmmine.BetaGeoModel.simulate(n, T=52.0, params=truth, covariates=Z, random_state=2)
    full = crmmine.BetaGeoModel(covariates=("web",)).fit(sim)
    base = crmmine.BetaGeoModel().fit(sim)
    for k in ("purchase:web", "dropout:web"):
        assert abs(full.params_[k] - truth[k]) < 4 * full.standard_errors_[k], (k, full.params_[k])
    assert crmmine.likelihood_ratio_test(base, full)["p_value"] < 1e-6
    assert full.probability_alive(sim).mean() == pytest.approx(sim["alive_"].mean(), abs=0.03)
    # without covariates, the simulation gives back its parameters
    sim0 = crmmine.BetaGeoModel.simulate(8000, T=np.random.default_rng(1).uniform(20, 60, 8000),
                                         params={"r": 0.8, "alpha": 10.0, "a": 0.8, "b": 2.5}, random_state=3)
    m0 = crmmine.BetaGeoModel().fit(sim0)
    for k, v in {"r": 0.8, "alpha": 10.0, "a": 0.8, "b": 2.5}.items():
        assert abs(m0.params_[k] - v) < 4 * m0.standard_errors_[k], k
    with pytest.raises(ParameterError, match="keys r, alpha, a, b"):
        crmmine.BetaGeoModel.simulate(5, params={})


# -- fast kernels (issue 13 item 7): same values as the plain formulas ----------------------------------------
def _numeric_grad(f, z, h=1e-6):
    return np.array([(f(z + e) - f(z - e)) / (2 * h) for e in np.eye(z.size) * h])


def test_mbg_grouped_kernel_equals_per_customer_likelihood_and_its_gradient():
    from crmmine.clv import _kernels as K
    from crmmine.clv.modified_beta_geo import _loglik

    rng = np.random.default_rng(5)
    sim = crmmine.ModifiedBetaGeoModel.simulate(3000, T=np.round(rng.uniform(10, 60, 3000)),
                                                params={"r": 0.5, "alpha": 6, "a": 0.9, "b": 1.6}, random_state=5)
    x, tx, T = (sim[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    tx = np.round(tx)
    d = K.BGData(x, tx, T)
    for theta in ([0.5, 6.0, 0.9, 1.6], [1.7, 2.0, 0.2, 9.0]):
        f, g = K.mbg_objective(np.log(theta), d, 0.0, 1.0)
        plain = float(_loglik(np.array(theta), x, tx, T)[0].sum())
        assert -f * x.size == pytest.approx(plain, rel=1e-12)
        num = _numeric_grad(lambda z: K.mbg_objective(z, d, 0.0, 1.0)[0], np.log(theta))
        np.testing.assert_allclose(g, num, atol=1e-7)


@pytest.mark.parametrize("params", [(1.2, 10.0, 2.69, 264.0), (0.3, 0.2, 5.0, 0.5), (2.0, 3.0, 0.3, 40.0)])
def test_pareto_recurrences_and_quadrature_match_the_series(params):
    from crmmine.clv.pareto_nbd import _hyp_pairs

    r, s, al, be = params
    rng = np.random.default_rng(0)
    n = 2000
    px = rng.integers(0, 40, n).astype(float)
    py = np.round(rng.uniform(0, 10, n), 1)
    A = np.full(n, al >= be)
    for b_fixed in (s + 1.0, s):
        b = np.where(A, r + px, b_fixed)
        c = r + s + px + 1.0
        z = np.where(A, (al - be) / (al + py), (be - al) / (be + py))
        got = _hyp_pairs(px, py, np.zeros(n, dtype=np.int64), A, b, c, z)
        ref = hyp2f1_one(b, c, z, derivatives=True, max_terms=100_000)
        for a_, r_ in zip(got, ref):
            np.testing.assert_allclose(a_, r_, rtol=1e-12)


def test_pareto_objective_gradient_with_and_without_covariates():
    from crmmine.clv import pareto_nbd as P

    rng = np.random.default_rng(1)
    n = 2000
    cov = pd.DataFrame({"z1": rng.normal(size=n), "z2": (rng.uniform(size=n) < 0.4).astype(float)})
    sim = crmmine.ParetoNBDModel.simulate(n, T=np.round(rng.uniform(10, 60, n)),
                                          params={"r": 0.6, "alpha": 8, "s": 0.7, "beta": 10, "purchase:z1": 0.3,
                                                  "dropout:z2": -0.4}, covariates=cov, random_state=3)
    x, tx, T = (sim[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    tx = np.round(tx)
    for k, Z in ((0, np.zeros((n, 0))), (2, cov.to_numpy())):
        d = P._PNBDData(x, tx, T, Z).scaled(6.0)
        # alpha < beta with z near 1 (recurrence upwards, quadrature seeds); alpha > beta (downwards)
        for lp in ([0.6, 1.3, 0.7, 1.7], [1.2, 2.0, 9.0, 300.0], [0.5, 3.0, 0.4, 0.5]):
            z0 = np.r_[np.log(lp), -0.2 * np.ones(2 * k)]
            f, g = P._objective(z0, d, 0.0, 6.0, k)
            num = _numeric_grad(lambda zz: P._objective(zz, d, 0.0, 6.0, k)[0], z0)
            np.testing.assert_allclose(g, num, atol=2e-7)
