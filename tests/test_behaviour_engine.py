"""The behaviour steps on an engine (DuckDB) give the pandas path's tables: generated logs and the Taobao sample.

Each engine table is compared with ``assert_frame_equal``: counts exactly, floats to 1e-12 relative. Tables whose
pandas rows follow the log's order of first appearance (time to purchase, cart outcomes, features, labels) are
compared in the engine's documented order (sorted by their keys).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

import crmmine
from crmmine.engine import LazyEvents

RTOL = 1e-12


def _same(a, b, *, sort=None, **kw):
    if sort is not None:
        a = a.sort_values(sort, kind="stable").reset_index(drop=True)
        b = b.sort_values(sort, kind="stable").reset_index(drop=True)
    if isinstance(a, pd.Series):
        assert_series_equal(a, b, check_exact=False, rtol=RTOL, **kw)
    else:
        assert_frame_equal(a, b, check_exact=False, rtol=RTOL, **kw)


def _logs():
    ev, _ = crmmine.datasets.make_events(2_500, days=21, random_state=3)
    return ev


@pytest.fixture(scope="module", params=["generated", "taobao"])
def pair(request):
    """(pandas events, the same events held by DuckDB)."""
    if request.param == "generated":
        ev = _logs()
    else:
        ev = crmmine.read_events(request.getfixturevalue("taobao_path"), schema="taobao").events
    lazy = crmmine.read_events(ev, engine="duckdb")
    assert isinstance(lazy, LazyEvents)
    return ev, lazy


@pytest.mark.parametrize("by", ["day", "hour", "weekday"])
def test_traffic_by(pair, by):
    ev, lazy = pair
    _same(crmmine.traffic_by(ev, by=by), crmmine.traffic_by(lazy, by=by))


@pytest.mark.parametrize("event_type, value", [(None, "events"), (None, "users"), ("purchase", "events")])
def test_activity_matrix(pair, event_type, value):
    ev, lazy = pair
    _same(crmmine.activity_matrix(ev, event_type=event_type, value=value),
          crmmine.activity_matrix(lazy, event_type=event_type, value=value))


def test_traffic_summary(pair):
    ev, lazy = pair
    a, b = crmmine.traffic_summary(ev, abandon_hours=12), crmmine.traffic_summary(lazy, abandon_hours=12)
    assert list(a.index) == list(b.index)
    for k in a.index:
        if isinstance(a[k], (int, np.integer, pd.Timestamp)):
            assert a[k] == b[k], k
        else:
            assert np.isclose(a[k], b[k], rtol=RTOL, equal_nan=True), (k, a[k], b[k])


def test_time_to_purchase_and_cart_outcomes(pair):
    ev, lazy = pair
    _same(crmmine.time_to_purchase(ev), crmmine.time_to_purchase(lazy), sort=["purchase_time", "customer_id", "item_id"])
    for kw in ({}, {"hours": 6, "as_of": ev["event_time"].quantile(0.7)}):
        _same(crmmine.cart_outcomes(ev, **kw), crmmine.cart_outcomes(lazy, **kw), sort=["customer_id", "item_id"])


@pytest.mark.parametrize("stages, stage", [(("view", "cart_or_favourite", "purchase"), "cart_or_favourite"),
                                           (("view", "cart", "purchase"), "view")])
def test_funnel_dropouts_same_rows_in_the_same_order(pair, stages, stage):
    ev, lazy = pair
    _same(crmmine.funnel_dropouts(ev, stages=stages, stage=stage), crmmine.funnel_dropouts(lazy, stages=stages, stage=stage))


@pytest.mark.parametrize("level", ["item", "category"])
def test_item_conversion_and_viewed_not_bought(pair, level):
    ev, lazy = pair
    _same(crmmine.item_conversion(ev, level=level), crmmine.item_conversion(lazy, level=level))
    _same(crmmine.item_conversion(ev, level=level, min_viewers=3), crmmine.item_conversion(lazy, level=level, min_viewers=3))
    a, b = crmmine.viewed_not_bought(ev, level=level, top_n=50), crmmine.viewed_not_bought(lazy, level=level, top_n=50)
    _same(a, b)
    assert a.attrs == b.attrs


def test_propensity_features_labels_and_backtest(pair):
    ev, lazy = pair
    cuts = crmmine.propensity_cutoffs(ev)
    assert crmmine.propensity_cutoffs(lazy) == cuts
    for cutoff in (cuts["train_cutoff"], cuts["test_cutoff"]):
        for only in (True, False):
            _same(crmmine.propensity_features(ev, cutoff=cutoff, prospects_only=only).sort_index(),
                  crmmine.propensity_features(lazy, cutoff=cutoff, prospects_only=only))
        _same(crmmine.propensity_labels(ev, cutoff=cutoff, horizon_days=cuts["horizon_days"]).sort_index(),
              crmmine.propensity_labels(lazy, cutoff=cutoff, horizon_days=cuts["horizon_days"]))
    a, b = crmmine.propensity_backtest(ev, random_state=0), crmmine.propensity_backtest(lazy, random_state=0)
    _same(a.metrics, b.metrics)


def test_prospects_and_abandoned_carts_same_rows_in_the_same_order(pair):
    ev, lazy = pair
    bt = crmmine.propensity_backtest(ev, random_state=0)
    final = crmmine.PropensityModel("logistic", random_state=0).fit(bt.test_features, bt.test_labels)
    for lang in ("en", "zh"):
        _same(crmmine.prospect_list(ev, final, lang=lang), crmmine.prospect_list(lazy, final, lang=lang),
              check_dtype=False)
    _same(crmmine.abandoned_carts(ev), crmmine.abandoned_carts(lazy))
    _same(crmmine.abandoned_carts(ev, hours=6), crmmine.abandoned_carts(lazy, hours=6))


def _basket_sets(frame):
    return sorted(tuple(sorted(g)) for g in frame.groupby("order_id")["product_id"].apply(list))


@pytest.mark.parametrize("by", ["user_day", "session"])
@pytest.mark.parametrize("level", ["item", "category"])
def test_viewed_together_baskets_and_rules(pair, by, level):
    ev, lazy = pair
    a, b = crmmine.event_baskets(ev, by=by, level=level), crmmine.event_baskets(lazy, by=by, level=level)
    assert crmmine.engine.is_lazy(b)  # the baskets stay in the engine; mine_rules prunes there
    assert _basket_sets(a) == _basket_sets(b.to_pandas())
    assert crmmine.count_baskets(b) == crmmine.count_baskets(a) == a["order_id"].nunique()
    if by == "user_day":  # the same basket ids too
        assert sorted(a["order_id"].unique()) == sorted(b.to_pandas()["order_id"].unique())
    support = 0.005 if level == "category" or len(ev) < 50_000 else 0.0005  # Taobao's items are many and rare
    ra = crmmine.mine_rules(a, min_support=support, min_confidence=0.1, max_len=2)
    rb = crmmine.mine_rules(b, min_support=support, min_confidence=0.1, max_len=2)
    assert len(ra) > 0
    _same(ra, rb)


def test_fit_on_a_label_stratified_sample_the_same_from_both_paths():
    ev = _logs()
    lazy = crmmine.read_events(ev, engine="duckdb")
    a = crmmine.propensity_backtest(ev, random_state=0, max_fit_visitors=400)
    b = crmmine.propensity_backtest(lazy, random_state=0, max_fit_visitors=400)
    assert a.model.n_fit_ == b.model.n_fit_ == 400 < a.model.n_visitors_
    _same(a.metrics, b.metrics)
    assert "400" in crmmine.behaviour.summarise_fit_sample(a) and "400" in crmmine.behaviour.summarise_fit_sample(a, lang="zh")
    assert crmmine.behaviour.summarise_fit_sample(crmmine.propensity_backtest(ev, random_state=0)) == ""


def test_load_events_with_an_engine(tmp_path):
    ev = _logs()
    csv = tmp_path / "events.csv"
    ev.drop(columns="source_line").to_csv(csv, index=False)
    log = crmmine.load_events(csv, engine="duckdb")  # read and checked by the pandas reader, then handed over
    assert isinstance(log.events, LazyEvents) and log.audit["lines"].iloc[0] == len(ev)
    assert len(log.events) == int(log.audit.set_index("rule").loc["kept", "lines"])
    pq = tmp_path / "parts"
    pq.mkdir()
    text = ev.astype({c: "string" for c in ("customer_id", "item_id", "category", "session_id")})
    text.iloc[: len(ev) // 2].to_parquet(pq / "a.parquet")
    text.iloc[len(ev) // 2:].to_parquet(pq / "b.parquet")
    for source in (pq, str(pq / "*.parquet")):
        log = crmmine.load_events(source, engine="auto")  # a folder or glob: read by DuckDB itself
        assert isinstance(log.events, LazyEvents) and set(log.audit["rule"]) == {"input", "kept"}
        assert {"session_id", "price"} <= set(log.events.columns)
        _same(crmmine.funnel(log.events), crmmine.funnel(ev))
        assert "2,500 visitors" in crmmine.behaviour.summarise_events(log)
    with pytest.raises(crmmine.errors.ParameterError, match="The 'engine' parameter must be one of"):
        crmmine.load_events(csv, engine="spark")


def test_the_report_gives_the_same_artefacts_with_duckdb(tmp_path):
    ev = _logs()
    csv = tmp_path / "events.csv"
    ev.drop(columns="source_line").to_csv(csv, index=False)
    runs = {e: crmmine.report.run_report("behaviour", parameters={"data_path": str(csv), "engine": e, "top_n": 5,
                                                                  "max_fit_visitors": 1_000},
                                         out=tmp_path / e)
            for e in ("pandas", "duckdb")}
    art = {e: r.path / "artifacts" for e, r in runs.items()}
    names = sorted(p.name for p in art["pandas"].glob("*.parquet"))
    assert len(names) >= 9 and names == sorted(p.name for p in art["duckdb"].glob("*.parquet"))
    for name in names:
        a, b = pd.read_parquet(art["pandas"] / name), pd.read_parquet(art["duckdb"] / name)
        _same(a, b, check_dtype=False)
    import re

    html = runs["duckdb"].html.read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S))
    assert "a random sample of 1,000" in text and "NaN" not in text and "nan" not in text.split()
    manifest = (runs["duckdb"].path / "manifest.json").read_text(encoding="utf-8")
    assert '"engine": "duckdb"' in manifest


@pytest.mark.spark
def test_spark_gives_the_same_tables(spark, tmp_path):
    """The same SQL on Spark (local mode): traffic, dropouts, features, labels, prospects' items, carts, baskets."""
    ev, _ = crmmine.datasets.make_events(400, days=14, n_items=150, n_categories=8, random_state=5)
    path = tmp_path / "events.parquet"
    text = ev.astype({c: "string" for c in ("customer_id", "item_id", "category", "session_id")})
    text.to_parquet(path, coerce_timestamps="us", allow_truncated_timestamps=False)
    lazy = crmmine.read_events(str(path), engine=spark)
    assert lazy.engine == "spark"
    _same(crmmine.traffic_by(ev, by="day"), crmmine.traffic_by(lazy, by="day"))
    _same(crmmine.activity_matrix(ev, value="users"), crmmine.activity_matrix(lazy, value="users"))
    _same(crmmine.funnel_dropouts(ev), crmmine.funnel_dropouts(lazy))
    _same(crmmine.item_conversion(ev), crmmine.item_conversion(lazy))
    cuts = crmmine.propensity_cutoffs(ev)
    _same(crmmine.propensity_features(ev, cutoff=cuts["test_cutoff"]).sort_index(),
          crmmine.propensity_features(lazy, cutoff=cuts["test_cutoff"]))
    _same(crmmine.propensity_labels(ev, cutoff=cuts["test_cutoff"], horizon_days=cuts["horizon_days"]).sort_index(),
          crmmine.propensity_labels(lazy, cutoff=cuts["test_cutoff"], horizon_days=cuts["horizon_days"]))
    bt = crmmine.propensity_backtest(ev, random_state=0)
    _same(crmmine.prospect_list(ev, bt.model), crmmine.prospect_list(lazy, bt.model), check_dtype=False)
    _same(crmmine.abandoned_carts(ev), crmmine.abandoned_carts(lazy))
    _same(crmmine.cart_outcomes(ev), crmmine.cart_outcomes(lazy), sort=["customer_id", "item_id"])
    for by in ("user_day", "session"):
        a, b = crmmine.event_baskets(ev, by=by), crmmine.event_baskets(lazy, by=by)
        assert _basket_sets(a) == _basket_sets(b.to_pandas())
