"""The segment report's line-level steps in DuckDB (and Spark) give the pandas path's tables.

Lifecycle transitions, cohorts of the lines before a date, customer value, calibration/holdout
summaries, acquisition covariates, tracking tables and the history checks of the segment report
run on a lazy table (the lines stay in the engine) and must equal the pandas results: integer
and date columns exactly, sums to 1e-9 relative (the engines add in another order). The fitted
models' outputs (P(alive), expected spend, predicted value) are compared to 1e-6: a sum in another
order moves the optimiser's end point by about 1e-9.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.engine import LazyTransactions
from crmmine.errors import InputError, ParameterError
from crmmine.report import history_window, lines_before, skipped_text

pytest.importorskip("duckdb")

_MODEL_COLUMNS = ["probability_alive", "expected_purchases", "expected_spend", "predicted_value", "total_value"]


def _compare(expected: pd.DataFrame, got: pd.DataFrame, rtol: float = 1e-9) -> None:
    pd.testing.assert_frame_equal(expected, got, check_exact=False, rtol=rtol, atol=1e-9, check_index_type=False)


def _compare_value(expected: pd.DataFrame, got: pd.DataFrame) -> None:
    exact = [c for c in expected.columns if c not in _MODEL_COLUMNS]
    _compare(expected[exact], got[exact])
    _compare(expected[_MODEL_COLUMNS], got[_MODEL_COLUMNS], rtol=1e-6)
    assert {k: expected.attrs[k] for k in ("as_of", "horizon_days", "discount_rate")} == \
        {k: got.attrs[k] for k in ("as_of", "horizon_days", "discount_rate")}
    for k, v in expected.attrs["gg_params"].items():
        assert got.attrs["gg_params"][k] == pytest.approx(v, rel=1e-6)


def _lines() -> pd.DataFrame:
    """Generator lines with returns, and customers who buy from more than one country (ties included)."""
    tx, _ = crmmine.datasets.make_transactions(400, random_state=3, return_rate=0.05)
    rng = np.random.default_rng(3)
    moved = rng.choice(len(tx), len(tx) // 25, replace=False)
    tx.loc[tx.index[moved], "country"] = rng.choice(["Germany", "France", "Spain"], len(moved))
    for c in ("customer_id", "order_id", "product_id", "country"):
        tx[c] = tx[c].astype(crmmine.data.schema.STRING_DTYPE)
    return tx


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """(pandas clean result, DuckDB clean result) of the same generated lines."""
    tx = _lines()
    path = tmp_path_factory.mktemp("segments") / "lines.parquet"
    tx.to_parquet(path, coerce_timestamps="us", allow_truncated_timestamps=False, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", crmmine.errors.CrmmineWarning)
        return crmmine.clean(tx), crmmine.clean(crmmine.read_transactions(path, engine="duckdb"))


@pytest.fixture(scope="module")
def sample():
    """(pandas, DuckDB) clean results of the bundled Online Retail sample, as the report loads them."""
    return crmmine.report.load_data("sample"), crmmine.report.load_data("sample", engine="duckdb", lazy=True)


def _check_segment_steps(pandas_result, lazy_result) -> None:
    """Every step of the segment report that reads lines, on both results."""
    tx, lazy = pandas_result.transactions, lazy_result.transactions
    assert isinstance(lazy, LazyTransactions)
    to_date = crmmine.customer_table(tx).attrs["as_of"]
    # lifecycle transitions over the last three months (two customer tables in the engine)
    a = crmmine.state_transitions(tx, from_date=to_date - pd.DateOffset(months=3), to_date=to_date)
    b = crmmine.state_transitions(lazy, from_date=to_date - pd.DateOffset(months=3), to_date=to_date)
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs == b.attrs and int(a.to_numpy().sum()) == tx["customer_id"].nunique()
    assert int(a.iloc[1:].to_numpy().sum()) > 100  # most customers had a state three months before
    # from the first line's date: every customer is a prospect
    first = tx["order_date"].min()
    a = crmmine.state_transitions(tx, from_date=first, to_date=to_date)
    pd.testing.assert_frame_equal(a, crmmine.state_transitions(lazy, from_date=first, to_date=to_date))
    assert int(a.loc["prospect"].sum()) == tx["customer_id"].nunique()
    # cohorts of the lines before a date
    cut = to_date - pd.Timedelta(days=40)
    assert isinstance(lines_before(lazy, cut), LazyTransactions)
    assert len(lines_before(lazy, cut)) == len(lines_before(tx, cut)) < len(tx)
    _compare(crmmine.cohort_table(lines_before(tx, cut)), crmmine.cohort_table(lines_before(lazy, cut)))
    # customer value: summary, spend net of returns, fitted models
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", crmmine.errors.CrmmineWarning)
        _compare_value(crmmine.customer_value(tx, returns=pandas_result.returns),
                       crmmine.customer_value(lazy, returns=lazy_result.returns))
        _compare_value(crmmine.customer_value(tx, as_of=cut, horizon_days=90),
                       crmmine.customer_value(lazy, as_of=cut, horizon_days=90))
    # history checks
    for days in (90, 183, 10_000):
        assert history_window(tx, to_date, days) == history_window(lazy, to_date, days)
        assert skipped_text(tx, to_date, days, "segment_report.h.value") == skipped_text(
            lazy, to_date, days, "segment_report.h.value")
    # calibration / holdout, acquisition covariates, tracking
    cal_end = to_date - pd.Timedelta(days=history_window(tx, to_date, 183))
    cal = crmmine.calibration_holdout_summary(tx, calibration_end=cal_end, observation_end=to_date)
    lcal = crmmine.calibration_holdout_summary(lazy, calibration_end=cal_end, observation_end=to_date)
    _compare(cal, lcal)
    assert cal.attrs == lcal.attrs and cal["frequency_holdout"].sum() > 0
    for unit in ("D", "W"):
        _compare(crmmine.calibration_holdout_summary(tx, calibration_end=cal_end, time_unit=unit),
                 crmmine.calibration_holdout_summary(lazy, calibration_end=cal_end, time_unit=unit))
    cov = crmmine.acquisition_covariates(tx, calibration_end=cal_end)
    _compare(cov, crmmine.acquisition_covariates(lazy, calibration_end=cal_end))
    assert 0 < cov["home_country"].sum() < len(cov) and 0 < cov["before_data"].sum() < len(cov)
    now = lines_before(tx, to_date)
    lnow = lines_before(lazy, to_date)
    _compare(crmmine.acquisition_covariates(now, first_days=60), crmmine.acquisition_covariates(lnow, first_days=60))
    _compare(crmmine.clv_summary(now, observation_end=to_date), crmmine.clv_summary(lnow, observation_end=to_date))
    bg = crmmine.BetaGeoModel().fit(cal)
    for end in (to_date, None):
        track = crmmine.tracking_table(bg, tx, calibration_end=cal_end, observation_end=end)
        _compare(track, crmmine.tracking_table(bg, lazy, calibration_end=cal_end, observation_end=end))
        assert track["actual"].sum() > 0
    cal[list(cov.columns)] = cov.reindex(cal.index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pareto = crmmine.ParetoNBDModel(covariates=["before_data"]).fit(cal)
    _compare(crmmine.tracking_table(pareto, tx, calibration_end=cal_end, observation_end=to_date, covariates=cov),
             crmmine.tracking_table(pareto, lazy, calibration_end=cal_end, observation_end=to_date, covariates=cov))


def test_duckdb_segment_steps_match_pandas_on_generated_lines(shop):
    assert len(shop[0].returns) > 100  # returns netted from the historical value
    _check_segment_steps(*shop)


def test_duckdb_segment_steps_match_pandas_on_the_sample(sample):
    _check_segment_steps(*sample)


def test_lazy_segment_steps_name_the_problem(shop):
    lazy = shop[1].transactions
    with pytest.raises(ParameterError, match="The 'calibration_end' parameter must be before observation_end"):
        crmmine.calibration_holdout_summary(lazy, calibration_end="2030-01-01")
    with pytest.raises(ParameterError, match="The 'as_of' parameter leaves no transactions before it"):
        crmmine.customer_value(lazy, as_of="1990-01-01")
    cal = crmmine.calibration_holdout_summary(shop[0].transactions, calibration_end="2025-01-01")
    bg = crmmine.BetaGeoModel().fit(cal)
    with pytest.raises(ParameterError, match="The 'observation_end' parameter must be after calibration_end"):
        crmmine.tracking_table(bg, lazy, calibration_end="2025-01-01", observation_end="2024-12-01")
    with pytest.raises(InputError, match="no dated lines with a customer id before calibration_end"):
        crmmine.acquisition_covariates(lazy, calibration_end="1990-01-01")
    empty = lines_before(lazy, "1990-01-01")
    assert history_window(empty, "2024-06-01", 90) is None
    assert "0" in skipped_text(empty, "2024-06-01", 90, "segment_report.h.value")


def test_segment_report_on_duckdb_writes_the_pandas_tables(tmp_path):
    """-p engine=duckdb: the lines stay in DuckDB; customers, segment summary and contact list are pandas'."""
    from crmmine.report import run_report

    tables = {}
    for engine in ("pandas", "duckdb"):
        run = run_report("segments", parameters={"data_path": "sample", "engine": engine}, out=tmp_path / engine)
        assert run.status == "ok", engine
        tables[engine] = {name: pd.read_csv(next(run.path.rglob(f"{name}.csv"))) for name in
                          ("customers", "segment_summary", "contact_list", "cluster_summary")}
    # the contact list's sentence rounds the spend to whole pounds: a sum of exactly x.5 in pandas can come out
    # x.5 +- 1e-13 from DuckDB's other order of addition and round the other way (two customers of the sample)
    a, b = tables["pandas"]["contact_list"], tables["duckdb"]["contact_list"]
    off = (a["why"] != b["why"]).to_numpy()
    half = np.abs(a["total_spend"] - np.floor(a["total_spend"]) - 0.5) < 1e-6
    assert off.sum() <= 5 and half[off].all(), a.loc[off, ["customer_id", "why", "total_spend"]]
    b.loc[off, "why"] = a.loc[off, "why"]
    # the contact list's money is rounded to cents, and the predicted value comes from a fit that moves with the
    # sums' last bits (DuckDB adds in a thread-dependent order): customer 13285's 2170.64502 came out 2170.64 once
    # under load, so a cent either way is allowed there (the customers table keeps the unrounded values at 1e-6);
    # a sum that is 0 in pandas can be 2.8e-14 in DuckDB (seen for one customer's historical value), hence atol 1e-9
    for name, expected in tables["pandas"].items():
        assert len(expected) >= 3, name
        pd.testing.assert_frame_equal(expected, tables["duckdb"][name], check_exact=False, rtol=1e-6,
                                      atol=0.0100001 if name == "contact_list" else 1e-9, obj=name)
    assert len(tables["pandas"]["customers"]) > 900


@pytest.mark.spark
def test_spark_segment_steps_match_pandas(spark, shop, tmp_path):
    """The new SQL on Spark (local mode): value, calibration/holdout, lines before a date, covariates, tracking."""
    pandas_result = shop[0]
    for part in ("transactions", "returns"):
        getattr(pandas_result, part).to_parquet(tmp_path / f"{part}.parquet", coerce_timestamps="us", index=False)
    tx = pandas_result.transactions
    lazy = crmmine.read_transactions(tmp_path / "transactions.parquet", engine=spark)
    returns = crmmine.read_transactions(tmp_path / "returns.parquet", engine=spark)
    assert lazy.engine == "spark"
    to_date = crmmine.customer_table(tx).attrs["as_of"]
    _compare_value(crmmine.customer_value(tx, returns=pandas_result.returns),
                   crmmine.customer_value(lazy, returns=returns))
    cal_end = to_date - pd.Timedelta(days=183)
    cal = crmmine.calibration_holdout_summary(tx, calibration_end=cal_end, observation_end=to_date)
    _compare(cal, crmmine.calibration_holdout_summary(lazy, calibration_end=cal_end, observation_end=to_date))
    now, lnow = lines_before(tx, to_date - pd.Timedelta(days=30)), lines_before(lazy, to_date - pd.Timedelta(days=30))
    _compare(crmmine.acquisition_covariates(now), crmmine.acquisition_covariates(lnow))
    bg = crmmine.BetaGeoModel().fit(cal)
    _compare(crmmine.tracking_table(bg, tx, calibration_end=cal_end),
             crmmine.tracking_table(bg, lazy, calibration_end=cal_end))
