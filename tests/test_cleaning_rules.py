"""The extreme-value rule on discrete data, notable rules, date rules and the cleaning switches (issue 11)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.data.clean import SWITCHABLE_RULES, extreme_mask
from crmmine.errors import CrmmineWarning, ParameterError


def grocer(n=2000, seed=0):
    """Most quantities 1 (MAD of log quantity = 0), a few 2-6, and one line of 5,000 units."""
    rng = np.random.default_rng(seed)
    q = rng.choice([1, 2, 3, 6], size=n, p=[0.8, 0.14, 0.04, 0.02]).astype(float)
    q[7] = 5000
    p = np.round(rng.lognormal(1.0, 0.5, size=n), 2)
    p[7] = 0.01  # fuel-like: thousands of units at a tiny unit price
    df = pd.DataFrame({"customer_id": [f"c{i % 97}" for i in range(n)], "order_id": [str(i // 3) for i in range(n)],
                       "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n) % 60, unit="D"),
                       "product_id": [f"p{i % 50}" for i in range(n)], "quantity": q, "unit_price": p})
    return crmmine.read_transactions(df)


def test_mostly_ones_keeps_every_ordinary_quantity():
    tx = grocer()
    r = crmmine.clean(tx)
    assert r.rejected["quantity"].tolist() == [5000]  # the old MAD rule rejected every quantity >= 2
    assert r.params["extreme"]["quantity_limit"] == pytest.approx(100.0)


def test_extreme_mask_hand_computed():
    q = np.array([1.0] * 20 + [2, 99, 101, 1000])
    mask, info = extreme_mask(q, np.ones(len(q)), z=8, min_ratio=100)
    assert mask.tolist() == [False] * 22 + [True, True]  # median 1: more than 100 units is extreme
    assert info["flagged"] == 2 and not info["capped"]
    p = np.array([10.0] * 30 + [0.05, 0.2, 500, 2000])
    mask, info = extreme_mask(np.ones(len(p)), p, z=8, min_ratio=100)
    assert mask.tolist() == [False] * 30 + [True, False, False, True]  # price both ways: below 0.1, above 1000
    assert info["price_limits"] == pytest.approx((0.1, 1000.0))


def test_share_cap_keeps_the_rule_an_outlier_rule():
    q = np.array([1.0] * 900 + [1000.0] * 100)  # 10% of the lines would be 'extreme': that is a second mode
    mask, info = extreme_mask(q, np.ones(len(q)), max_share=0.005)
    assert info["capped"] and mask.sum() == 5
    tx = crmmine.read_transactions(pd.DataFrame({
        "customer_id": ["c"] * 1000, "order_id": [str(i) for i in range(1000)],
        "order_date": ["2024-01-02"] * 1000, "product_id": ["p"] * 1000, "quantity": q, "unit_price": 1.0}))
    with pytest.warns(CrmmineWarning, match=r"extreme-value rule hit its cap: only the 5 most extreme lines"):
        r = crmmine.clean(tx)
    assert any("hit its cap" in n for n in r.notes)


def test_notable_rules_are_flagged_noted_and_warned():
    tx = grocer()
    tx.loc[:199, "customer_id"] = pd.NA  # 10% guest lines
    with pytest.warns(CrmmineWarning, match=r"notable share of the data: Missing customer id \(guest line\): 200 lines "
                                            r"removed \(10\.0% of the lines"):
        r = crmmine.clean(tx)
    audit = r.audit.set_index("rule")
    assert audit.loc["missing_customer_id", "notable"] and not audit.loc["duplicate", "notable"]
    assert not audit.loc["input", "notable"] and not audit.loc["kept", "notable"]
    assert audit.loc["input", "share_of_amount"] == pytest.approx(1.0)
    assert audit.drop("input")["share_of_amount"].sum() == pytest.approx(1.0)
    assert len(r.notes) == 1 and r.notes[0].startswith("Missing customer id")
    with warnings.catch_warnings():
        warnings.simplefilter("error", CrmmineWarning)
        quiet = crmmine.clean(tx, skip_rules=["missing_customer_id"], notable_share=0.5, notable_line_share=0.5)
    assert not quiet.notes


def test_every_switchable_rule_can_be_skipped():
    tx = grocer()
    r = crmmine.clean(tx, skip_rules=list(SWITCHABLE_RULES))
    assert r.rejected.empty and r.returns.empty
    assert crmmine.clean(tx, skip_rules="extreme_value").rejected.empty


def test_implausible_dates_and_the_date_range():
    tx = grocer(200)
    tx.loc[0, "order_date"] = pd.Timestamp("1970-01-01")  # Unix epoch 0: a placeholder
    tx.loc[1, "order_date"] = pd.Timestamp("2150-06-01")
    r = crmmine.clean(tx)
    assert sorted(r.rejected.loc[r.rejected["reason"] == "implausible_date", "source_line"]) == [1, 2]
    r = crmmine.clean(tx, date_range=("1960-01-01", "2200-12-31"))
    assert "implausible_date" not in set(r.rejected["reason"].astype(str))


def test_cleaning_parameter_errors():
    tx = grocer(50)
    with pytest.raises(ParameterError, match=r"The 'extreme_max_share' parameter must be a number in \[0, 1\]. Got 2 instead"):
        crmmine.clean(tx, extreme_max_share=2)
    with pytest.raises(ParameterError, match=r"The 'extreme_min_ratio' parameter must be a number >= 1 \(a factor, "
                                             r"e.g. 100\). Got 0.5 instead"):
        crmmine.clean(tx, extreme_min_ratio=0.5)
    with pytest.raises(ParameterError, match=r"The 'date_range' parameter must be a pair of dates \(first, last\)"):
        crmmine.clean(tx, date_range="2020")
    with pytest.raises(ParameterError, match=r"The 'date_range' parameter must be a date like '2011-06-01'. "
                                             r"Got 'soon' instead"):
        crmmine.clean(tx, date_range=("soon", "2020-01-01"))
    with pytest.raises(ParameterError, match=r"The 'notable_share' parameter must be a number in \[0, 1\]"):
        crmmine.clean(tx, notable_share=-1)
    with pytest.raises(ParameterError, match=r"The 'notable_line_share' parameter must be a number in \[0, 1\]"):
        crmmine.clean(tx, notable_line_share=1.5)
    with pytest.raises(ParameterError, match=r"The 'cancellation_prefix' parameter must be a string. Got None"):
        crmmine.clean(tx, cancellation_prefix=None)


def test_load_clean_passes_reading_choices(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("1,2268318,4.5,buy,1511544070\n2,2333346,3,buy,1511561733\n")
    r = crmmine.load_clean(path, header=False, schema={"customer_id": 0, "product_id": 1, "amount": 2,
                                                       "order_date": 4}, skip_rules=["extreme_value"])
    assert len(r.transactions) == 2 and r.params["skip_rules"] == ["extreme_value"]


def test_date_range_beyond_nanoseconds_is_no_upper_bound():
    """A last date past 2262 (where pandas' nanosecond dates end) keeps every line instead of failing."""
    tx, _ = crmmine.datasets.make_transactions(n_customers=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CrmmineWarning)
        far = crmmine.clean(tx, date_range=("1970-01-02", "3000-01-01"))
        default = crmmine.clean(tx)
        early = crmmine.clean(tx, date_range=("1970-01-02", "2000-01-01"))
    pd.testing.assert_frame_equal(far.transactions, default.transactions)
    assert far.params["date_range"] == ["1970-01-02", "3000-01-01"]
    assert len(early.transactions) == 0  # the bound still applies when it fits


def test_extreme_rule_on_codes_hashed_beforehand_equals_the_rule():
    # clean() hashes every line's quantity and price while other rules run, then the rule counts the codes of its
    # candidate lines (distinct values without lines get no weight): same mask and info as hashing the candidates
    from crmmine.data.clean import _extreme_mask

    rng = np.random.default_rng(0)
    for trial in range(60):
        n = int(rng.integers(5, 1500))
        q = [rng.integers(1, 4, n).astype(float), np.round(rng.lognormal(1, 2, n), 2),
             rng.choice([1.0, 2.0, 1000.0, 50000.0, -3.0, 0.0, np.nan, np.inf], n)][trial % 3]
        p = (rng.choice([0.0, -1.0, np.nan, 0.01, 1.25, 999.0, 1e6], n) if trial % 2
             else np.round(rng.lognormal(0, 1.5, n), 2))
        full_q = np.concatenate([q, rng.choice([7.0, -2.0, np.nan, 123.5], 40)])  # lines that are not candidates
        full_p = np.concatenate([p, rng.choice([3.0, 0.0, np.nan, 1e9], 40)])
        perm = rng.permutation(len(full_q))
        at = np.argsort(perm)[:n]  # where the candidate lines are in the shuffled table
        fq, fp = pd.factorize(full_q[perm]), pd.factorize(full_p[perm])
        for z, ratio, share in ((8.0, 100.0, 0.005), (1.0, 1.0, 0.3), (3.0, 10.0, 0.0)):
            want = extreme_mask(q, p, z=z, min_ratio=ratio, max_share=share)
            got = _extreme_mask(q, p, z=z, min_ratio=ratio, max_share=share,
                                factorized=((fq[0][at], fq[1]), (fp[0][at], fp[1])))
            assert (got[0] == want[0]).all() and repr(got[1]) == repr(want[1])
