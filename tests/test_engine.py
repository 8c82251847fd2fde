"""crmmine.engine: the line-level aggregations in DuckDB and Spark give the pandas path's tables.

Each test builds the same lines once, runs the public function on the pandas DataFrame and
on a lazy table of the same lines (written to Parquet), and compares the results: integer
and date columns exactly, sums to 1e-9 relative (the engines add in another order).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.engine import LazyCleanResult, LazyTransactions, pair_counts
from crmmine.errors import InputError, ParameterError, SourceNotFoundError

pytest.importorskip("duckdb")


def _write(tx: pd.DataFrame, path) -> None:
    """Parquet with microsecond timestamps (what Spark and DuckDB both read)."""
    tx.to_parquet(path, coerce_timestamps="us", allow_truncated_timestamps=False, index=False)


def _messy(n_customers: int = 300, random_state: int = 0) -> pd.DataFrame:
    """Generator lines plus what cleaning must catch: guests, duplicates, fees, zero prices, returns."""
    tx, _ = crmmine.datasets.make_transactions(n_customers, random_state=random_state)
    rng = np.random.default_rng(random_state)
    pick = lambda k: tx.iloc[rng.choice(len(tx), k, replace=False)].copy()  # noqa: E731
    guests = pick(20)
    guests["customer_id"] = pd.NA
    dups = pick(15)
    fees = pick(10)
    fees["product_id"] = "POST"
    free = pick(5)
    free["unit_price"] = 0.0
    free["amount"] = 0.0
    rets = pick(30)
    rets["quantity"] = -rets["quantity"]
    rets["amount"] = -rets["amount"]
    cancels = pick(10)
    cancels["order_id"] = "C" + cancels["order_id"].astype(str)
    huge = pick(2)
    huge["quantity"] = 1e7
    huge["amount"] = huge["quantity"] * huge["unit_price"]
    out = pd.concat([tx, guests, dups, fees, free, rets, cancels, huge], ignore_index=True)
    out["source_line"] = np.arange(2, len(out) + 2, dtype="int64")
    for c in ("customer_id", "order_id", "product_id"):
        out[c] = out[c].astype(crmmine.data.schema.STRING_DTYPE)
    return out


def _compare(expected: pd.DataFrame, got: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(expected, got, check_exact=False, rtol=1e-9, check_index_type=False)


@pytest.fixture(scope="module")
def messy_file(tmp_path_factory):
    tx = _messy()
    path = tmp_path_factory.mktemp("engine") / "lines.parquet"
    _write(tx, path)
    return tx, path


@pytest.fixture(scope="module")
def pandas_clean(messy_file):
    return crmmine.clean(messy_file[0])


@pytest.fixture(scope="module")
def duck_clean(messy_file):
    lazy = crmmine.read_transactions(messy_file[1], engine="duckdb")
    return crmmine.clean(lazy)


# ------------------------------------------------------------------------------ DuckDB
def test_frame_streams_the_same_table_as_arrow(duck_clean):
    """LazyTransactions.frame converts a batch at a time: the same frame as converting the whole Arrow result
    (text, timestamps, integers, floats, nulls in some batches only, an empty result)."""
    from crmmine.engine.lazy import _arrow_to_pandas

    tx = duck_clean.transactions
    sql = ("SELECT customer_id, order_id, order_date, quantity, amount, "
           "CASE WHEN quantity > 3 THEN NULL ELSE quantity END AS q_null, "
           "CASE WHEN quantity > 3 THEN NULL ELSE order_date END AS d_null, "
           "CASE WHEN quantity > 3 THEN NULL ELSE product_id END AS p_null FROM {src} ORDER BY source_line")
    whole = _arrow_to_pandas(tx.arrow(sql))
    assert len(whole) > 100 and whole["q_null"].isna().any() and whole["q_null"].notna().any()
    for rows in (7, 64, 10**6):
        pd.testing.assert_frame_equal(tx.frame(sql, rows=rows), whole, check_exact=True)
    empty = tx.frame("SELECT customer_id, amount FROM {src} WHERE 1 = 0")
    pd.testing.assert_frame_equal(empty, _arrow_to_pandas(tx.arrow("SELECT customer_id, amount FROM {src} WHERE 1 = 0")))
    assert empty.empty and list(empty.columns) == ["customer_id", "amount"]


def test_owned_columns_are_the_arrow_result_in_buffers_of_their_own(duck_clean):
    """LazyTransactions.owned_columns reads a batch at a time and copies each column out of its batch (an imported
    batch keeps all its columns alive while one is referenced): the same columns as the whole Arrow result."""
    import pyarrow as pa

    tx = duck_clean.transactions
    sql = ("SELECT customer_id, order_date, quantity, CASE WHEN quantity > 3 THEN NULL ELSE amount END AS a_null "
           "FROM {src} ORDER BY source_line")
    whole = tx.arrow(sql)
    for rows in (5, 10**6):
        cols = tx.owned_columns(sql, rows=rows)
        assert list(cols) == whole.column_names
        assert pa.table(cols).equals(whole)
        if rows == 5:
            assert cols["customer_id"].num_chunks > 1
    empty = tx.owned_columns("SELECT customer_id, amount FROM {src} WHERE 1 = 0")
    assert list(empty) == ["customer_id", "amount"] and len(empty["amount"]) == 0


def test_duckdb_memory_is_handed_back_after_a_query():
    """DuckDB's allocator keeps freed pages ~10 s (3.3 GB after a 23M-event summary, measured); the engine purges
    them after each result through the allocator of the duckdb module this project installs: if a DuckDB release
    stops exporting it, this fails and the purge silently stops working."""
    from crmmine.engine import lazy

    lazy.purge_duckdb()
    assert callable(lazy._PURGE), "duckdb's module no longer exports duckdb_je_mallctl: purge_duckdb is a no-op"
    assert lazy._PURGE(b"arena.4096.purge", None, None, None, 0) == 0


def test_duckdb_sums_of_money_do_not_change_from_run_to_run(tmp_path):
    """DuckDB's threads combine their partial sums in no fixed order: with plain sum() the spend of a customer
    differed in its last bits from one run to the next (and with it P(churn) and the ranks of near-tied
    customers in the win-back list). The engine sums money with fsum: the same bits every run."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from crmmine.engine import duckdb_connection

    rng = np.random.default_rng(3)
    n = 600_000
    shop = pa.table({"customer_id": pa.array(rng.integers(0, 5_000, n).astype(str)),
                     "order_id": pa.array((np.arange(n) // 3).astype(str)),
                     "order_date": pa.array(pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365 * 1440, n), unit="min")),
                     "product_id": pa.array(rng.integers(0, 300, n).astype(str)),
                     "quantity": pa.array(rng.integers(1, 4, n).astype(float)),
                     "unit_price": pa.array(np.round(rng.lognormal(1.5, 1.0, n), 2))})
    pq.write_table(shop, tmp_path / "shop.parquet", row_group_size=20_000)
    runs = []
    for _ in range(4):
        tx = crmmine.read_transactions(tmp_path / "shop.parquet", engine=duckdb_connection(threads=4))
        runs.append((crmmine.customer_table(tx), crmmine.churn_features(tx, cutoff="2024-10-01"),
                     crmmine.clv_summary(tx)))
    for other in runs[1:]:
        for a, b in zip(runs[0], other):
            pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_read_glob_and_folder_give_lazy_tables(tmp_path):
    tx = _messy(60)
    half = len(tx) // 2
    _write(tx.iloc[:half], tmp_path / "part-0.parquet")
    _write(tx.iloc[half:], tmp_path / "part-1.parquet")
    by_glob = crmmine.read_transactions(str(tmp_path / "*.parquet"))
    by_folder = crmmine.read_transactions(tmp_path)
    assert isinstance(by_glob, LazyTransactions) and by_glob.engine == "duckdb"
    assert isinstance(by_folder, LazyTransactions)
    assert len(by_glob) == len(by_folder) == len(tx)
    assert {"customer_id", "order_id", "order_date", "product_id", "quantity", "amount"} <= set(by_glob.columns)
    # a single small file stays in pandas unless an engine is asked for
    assert isinstance(crmmine.read_transactions(tmp_path / "part-0.parquet"), pd.DataFrame)


def test_read_errors_name_the_problem(tmp_path):
    with pytest.raises(ParameterError, match="The 'engine' parameter must be one of 'auto', 'pandas', 'duckdb'"):
        crmmine.read_transactions(tmp_path / "x.parquet", engine="polars")
    with pytest.raises(SourceNotFoundError, match="No file matches"):
        crmmine.read_transactions(str(tmp_path / "nothing-*.parquet"))


def test_duckdb_clean_matches_pandas_rule_by_rule(pandas_clean, duck_clean):
    assert isinstance(duck_clean, LazyCleanResult)
    _compare(pandas_clean.audit, duck_clean.audit)
    # every rule fired at least once on these lines (so each SQL mask was exercised)
    fired = pandas_clean.audit.set_index("rule")["lines"]
    for rule in ("missing_customer_id", "duplicate", "non_product_code", "non_positive_price", "return",
                 "extreme_value"):
        assert fired[rule] > 0, rule
    assert len(duck_clean.returns) == len(pandas_clean.returns)
    rej = duck_clean.rejected.to_pandas()
    assert rej["reason"].value_counts().to_dict() == pandas_clean.rejected["reason"].astype(str).value_counts().to_dict()


def _sorted(df: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in like.columns if c != "reason"]
    return df[cols].sort_values(cols, na_position="first", kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("line_numbers", [True, False])
def test_duckdb_clean_duplicates_and_capped_extremes_line_by_line(tmp_path, line_numbers):
    """Triplicates, NaN and -0.0 in a duplicated line, no ``source_line`` (equal lines have no
    order), and an extreme-value cap that binds: the same kept, returned and rejected lines."""
    tx = _messy(80, random_state=3)
    extra = tx.iloc[[5, 5, 9, 40]].copy()
    extra.loc[extra.index[2], ["unit_price"]] = np.nan
    nan_line = extra.iloc[[2]].copy()
    zero = tx.iloc[[12]].copy()
    zero["amount"] = -0.0
    zero["quantity"] = -zero["quantity"]
    zero2 = zero.copy()
    zero2["amount"] = 0.0
    out = pd.concat([tx, extra, nan_line, zero, zero2], ignore_index=True)
    if line_numbers:
        out["source_line"] = np.arange(len(out), dtype="int64")
    else:
        out = out.drop(columns="source_line")
    _write(out, tmp_path / "x.parquet")
    kw = {"extreme_z": 1.0, "extreme_min_ratio": 1.0, "extreme_max_share": 0.005}  # the cap keeps the top ones
    expected = crmmine.clean(out, **kw)
    got = crmmine.clean(crmmine.read_transactions(tmp_path / "x.parquet", engine="duckdb"), **kw)
    assert expected.params["extreme"]["capped"] and got.params["extreme"]["capped"]
    assert expected.audit.set_index("rule").loc["duplicate", "lines"] == 15 + 5  # _messy has 15
    _compare(expected.audit, got.audit)
    if line_numbers:  # equal lines are told apart by their line number only
        for part in ("transactions", "returns"):
            want = getattr(expected, part).reset_index(drop=True)
            _compare(want, getattr(got, part).to_pandas()[list(want.columns)])
        rej = got.rejected.to_pandas()
        assert rej["reason"].astype(str).tolist() == expected.rejected["reason"].astype(str).tolist()
    else:
        for part in ("transactions", "returns"):
            want = getattr(expected, part)
            _compare(_sorted(want, want), _sorted(getattr(got, part).to_pandas(), want))


def test_duckdb_customer_table_and_rfm_match_pandas(pandas_clean, duck_clean):
    expected = crmmine.customer_table(pandas_clean.transactions, returns=pandas_clean.returns)
    got = crmmine.customer_table(duck_clean.transactions, returns=duck_clean.returns)
    _compare(expected, got)
    assert got["returns_count"].sum() > 0
    assert got.attrs["as_of"] == expected.attrs["as_of"]
    as_of = "2011-06-01" if expected["first_purchase"].min() < pd.Timestamp("2011-06-01") else None
    _compare(crmmine.customer_table(pandas_clean.transactions, as_of=as_of),
             crmmine.customer_table(duck_clean.transactions, as_of=as_of))
    _compare(crmmine.rfm_table(pandas_clean.transactions, returns=pandas_clean.returns),
             crmmine.rfm_table(duck_clean.transactions, returns=duck_clean.returns))


def test_duckdb_clv_summary_matches_pandas(pandas_clean, duck_clean):
    tx, lazy = pandas_clean.transactions, duck_clean.transactions
    _compare(crmmine.clv_summary(tx), crmmine.clv_summary(lazy))
    end = tx["order_date"].quantile(0.7).normalize()
    a, b = crmmine.clv_summary(tx, observation_end=end, time_unit="W"), crmmine.clv_summary(lazy, observation_end=end,
                                                                                             time_unit="W")
    _compare(a, b)
    assert a.attrs == b.attrs


@pytest.mark.parametrize("period", ["M", "W"])
def test_duckdb_cohort_table_matches_pandas(pandas_clean, duck_clean, period):
    for value in ("customers", "revenue"):
        _compare(crmmine.cohort_table(pandas_clean.transactions, value=value, period=period),
                 crmmine.cohort_table(duck_clean.transactions, value=value, period=period))


def test_duckdb_baskets_itemsets_and_pairs_match_pandas(pandas_clean, duck_clean):
    tx, lazy = pandas_clean.transactions, duck_clean.transactions
    b = crmmine.make_baskets(tx, min_support=0.02)
    lb = crmmine.make_baskets(lazy, min_support=0.02)
    assert list(b.items) == list(lb.items) and list(b.orders) == list(lb.orders)
    assert (b.matrix != lb.matrix).nnz == 0
    assert lb.n_orders == b.n_orders
    fi = crmmine.frequent_itemsets(tx, min_support=0.01)
    lfi = crmmine.frequent_itemsets(lazy, min_support=0.01)
    key = lambda f: sorted((tuple(sorted(s)), int(c)) for s, c in zip(f["itemsets"], f["count"]))  # noqa: E731
    assert key(fi) == key(lfi)
    pairs = pair_counts(lazy, min_support=0.01)
    two = fi[fi["length"] == 2]
    assert sorted(zip(pairs["item_a"], pairs["item_b"], pairs["count"])) == sorted(
        (*sorted(s), int(c)) for s, c in zip(two["itemsets"], two["count"]))


def _itemset_key(f: pd.DataFrame) -> list:
    return sorted((tuple(sorted(s)), int(c)) for s, c in zip(f["itemsets"], f["count"]))


def _rule_key(r: pd.DataFrame) -> list:
    cols = ["support", "confidence", "lift", "leverage", "conviction", "fisher_p"]
    return [(tuple(sorted(a)), tuple(sorted(c)), *np.round(row, 12)) for a, c, row in
            zip(r["antecedents"], r["consequents"], r[cols].to_numpy(dtype=float))]


def test_duckdb_miners_get_item_codes_only_and_match_pandas(pandas_clean, duck_clean):
    """The miners' baskets from an engine: pruned in SQL, one row of item codes per order, no ids."""
    tx, lazy = pandas_clean.transactions, duck_clean.transactions
    b = crmmine.crosssell.basket.as_baskets(tx)
    lb = crmmine.crosssell.basket.as_baskets(lazy, min_support=0.01)
    assert isinstance(lb.orders, pd.RangeIndex) and lb.customers is None and lb.n_orders == b.n_orders == 1131
    freq = b.item_counts[b.item_counts >= crmmine.crosssell.basket.min_count(0.01, b.n_orders)]
    pd.testing.assert_series_equal(lb.item_counts, freq, check_index_type=False)
    assert lb.matrix.nnz == b.matrix[:, np.flatnonzero(b.item_counts >= freq.min())].nnz
    # orders come back in no particular order: compare the multiset of rows
    rows = lambda m, items: sorted(tuple(items[m.indices[m.indptr[i]:m.indptr[i + 1]]])  # noqa: E731
                                   for i in range(m.shape[0]) if m.indptr[i + 1] > m.indptr[i])
    sub = b.matrix[:, [b.items.get_loc(i) for i in freq.index]].tocsr()
    sub.sort_indices()
    assert rows(lb.matrix, np.asarray(lb.items)) == rows(sub, np.asarray(freq.index))
    for sup in (0.01, 0.004):
        assert _itemset_key(crmmine.frequent_itemsets(tx, min_support=sup)) == _itemset_key(
            crmmine.frequent_itemsets(lazy, min_support=sup))
    rules = crmmine.mine_rules(tx, min_support=0.004, min_confidence=0.1)
    lrules = crmmine.mine_rules(lazy, min_support=0.004, min_confidence=0.1)
    assert len(rules) > 10 and _rule_key(rules) == _rule_key(lrules)
    assert lrules.attrs["n_transactions"] == rules.attrs["n_transactions"]
    with pytest.raises(crmmine.errors.MiningBudgetError, match=r"The largest baskets hold [0-9, ]+ items; every"):
        crmmine.frequent_itemsets(lazy, min_support=0.004, max_itemsets=5)


def test_duckdb_item_frequency_matches_pandas(pandas_clean, duck_clean):
    for level in ("product", "category"):
        _compare(crmmine.item_frequency(pandas_clean.transactions, level=level),
                 crmmine.item_frequency(duck_clean.transactions, level=level))
    got = crmmine.item_frequency(duck_clean.transactions, top_n=3)
    assert len(got) == 3 and got.attrs["n_orders"] == 1131


def test_report_helpers_on_an_engine_result(pandas_clean, duck_clean):
    """A report's opening and the lines its recommender sections use, from a result DuckDB holds."""
    from crmmine.report import run_summary, sample_lines

    assert str(run_summary(pandas_clean)) == str(run_summary(duck_clean))
    assert sample_lines(pandas_clean) == (pandas_clean.transactions, None)
    whole, note = sample_lines(duck_clean)
    assert note is None and len(whole) == len(pandas_clean.transactions)
    part, note = sample_lines(duck_clean, max_lines=2_000)
    n = len(pandas_clean.transactions)
    assert 0 < len(part) < n and "lines of a sample of" in note and f"{n:,} lines" in note
    # every line of a sampled customer, none of the others
    full = pandas_clean.transactions
    assert len(part) == int(full["customer_id"].isin(set(part["customer_id"])).sum())


def test_crosssell_report_on_duckdb_gives_the_pandas_rules(tmp_path):
    """-p engine=duckdb: the lines stay in DuckDB (baskets counted there); the rules are pandas' rules."""
    from crmmine.report import run_report

    path = str(crmmine.datasets.online_retail_sample_path())
    rules = {}
    for engine in ("pandas", "duckdb"):
        out = tmp_path / engine
        run = run_report("crosssell", parameters={"data_path": path, "engine": engine}, out=out)
        assert run.status == "ok", engine
        rules[engine] = pd.read_csv(next(run.path.rglob("rules*.csv")))
    assert len(rules["pandas"]) > 5
    pd.testing.assert_frame_equal(rules["pandas"], rules["duckdb"])


def _churn_cutoff(tx: pd.DataFrame) -> pd.Timestamp:
    return tx["order_date"].quantile(0.6).normalize() + pd.Timedelta(hours=13)  # not at midnight: windows by time


def test_duckdb_churn_features_match_pandas(messy_file, pandas_clean, duck_clean):
    """Windows, trends, gaps between purchase days, returns and BG/NBD columns: the pandas features."""
    cut = _churn_cutoff(pandas_clean.transactions)
    expected = crmmine.churn_features(pandas_clean.transactions, cutoff=cut, returns=pandas_clean.returns)
    got = crmmine.churn_features(duck_clean.transactions, cutoff=cut, returns=duck_clean.returns)
    _compare(expected, got)
    assert got["returns_count"].sum() > 0 and got["orders_trend_30d"].abs().sum() > 0
    assert got["ipt_std_days"].notna().sum() > 100
    # raw lines, returns taken from the negative quantities; other windows; no BG/NBD
    raw, lazy = messy_file[0], crmmine.read_transactions(messy_file[1], engine="duckdb")
    raw = raw[raw["customer_id"].notna()]
    lazy = lazy.derive("SELECT * FROM {src} WHERE customer_id IS NOT NULL")
    _compare(crmmine.churn_features(raw, cutoff=cut, windows=(7, 45), bgnbd=False),
             crmmine.churn_features(lazy, cutoff=cut, windows=(7, 45), bgnbd=False))
    with pytest.raises(InputError, match="No purchase on or before the cutoff 1990-01-01"):
        crmmine.churn_features(duck_clean.transactions, cutoff="1990-01-01")


# ------------------------------------------------------------------------------ churn report on an engine
def _churn_split(tx: pd.DataFrame) -> dict:
    """Two cutoffs 60 days apart that a 60-day horizon fits after (not at midnight)."""
    cut = tx["order_date"].quantile(0.5).normalize() + pd.Timedelta(hours=9)
    return {"train_cutoff": cut - pd.Timedelta(days=60), "test_cutoff": cut, "horizon_days": 60}


def test_duckdb_churn_labels_cutoffs_and_value_match_pandas(pandas_clean, duck_clean):
    """The churn report's line-level steps on lines with returns: cutoffs, labels (with eligibility),
    customer value (net of returns) and the whole backtest are pandas' in DuckDB."""
    tx, lazy = pandas_clean.transactions, duck_clean.transactions
    assert crmmine.churn_cutoffs(tx, horizon_days=60) == crmmine.churn_cutoffs(lazy, horizon_days=60)
    split = _churn_split(tx)
    for cut in (split["train_cutoff"], split["test_cutoff"]):
        expected = crmmine.churn_labels(tx, cutoff=cut, horizon_days=60)
        got = crmmine.churn_labels(lazy, cutoff=cut, horizon_days=60)
        _compare(expected, got)
        assert 0 < got["churned"].sum() < len(got)
        _compare(crmmine.churn_labels(tx, cutoff=cut, horizon_days=60, min_orders=2, lookback_days=45),
                 crmmine.churn_labels(lazy, cutoff=cut, horizon_days=60, min_orders=2, lookback_days=45))
    for as_of in (None, split["test_cutoff"].normalize()):
        expected = crmmine.customer_value(tx, as_of=as_of, returns=pandas_clean.returns, horizon_days=180)
        got = crmmine.customer_value(lazy, as_of=as_of, returns=duck_clean.returns, horizon_days=180)
        inputs = ["historical_value", "frequency", "recency", "T"]
        _compare(expected[inputs], got[inputs])
        # the fits (Gamma-Gamma with q < 1 on these lines: a flat likelihood) move with the sums' last bits
        pd.testing.assert_frame_equal(expected, got, check_exact=False, rtol=1e-6, check_index_type=False)
        assert got.attrs["as_of"] == expected.attrs["as_of"]
        assert got.attrs["bg_params"] == pytest.approx(expected.attrs["bg_params"], rel=1e-6)
    # returns lowered the historical value of some customers, as in pandas
    assert (got["historical_value"] < crmmine.customer_value(lazy, as_of=as_of)["historical_value"] - 1e-9).sum() > 0
    kw = dict(model="logistic", random_state=0)
    a = crmmine.churn_backtest(tx, returns=pandas_clean.returns, **split, **kw)
    b = crmmine.churn_backtest(lazy, returns=duck_clean.returns, **split, **kw)
    for name in ("train_features", "train_labels", "test_features", "test_labels"):
        _compare(getattr(a, name), getattr(b, name))
    _compare(a.metrics, b.metrics)
    assert a.chosen == b.chosen
    with pytest.raises(InputError, match="The data do not reach test_cutoff \\+ horizon_days"):
        crmmine.churn_backtest(lazy, train_cutoff=split["test_cutoff"], test_cutoff=tx["order_date"].max(),
                               horizon_days=60)
    with pytest.raises(ParameterError, match="The 'as_of' parameter leaves no transactions before it"):
        crmmine.customer_value(lazy, as_of="1990-01-01")


def test_churn_report_on_duckdb_gives_the_pandas_winback_list(tmp_path):
    """-p engine=duckdb on the bundled sample: the lines stay in DuckDB (only per-customer tables come
    back) and the artefacts are pandas' (to 1e-6: the CLV fits; a reason's rounded amount may differ by one
    at an exact .5, e.g. -623.5 summed as -623.4999999999999, so numbers in reasons are masked)."""
    from crmmine.report import run_report

    path = str(crmmine.datasets.online_retail_sample_path())
    arts = {}
    for engine in ("pandas", "duckdb"):
        run = run_report("churn", parameters={"data_path": path, "engine": engine}, out=tmp_path / engine)
        assert run.status == "ok", engine
        arts[engine] = {p.name: pd.read_csv(p) for p in (run.path / "artifacts").glob("*.csv")}
    assert sorted(arts["pandas"]) == sorted(arts["duckdb"]) == ["churn_importance.csv", "churn_metrics.csv",
                                                                 "winback.csv"]
    mask = lambda s: s.str.replace(r"[-+]?[\d,]+(\.\d+)?", "#", regex=True)  # noqa: E731
    for name, expected in arts["pandas"].items():
        got = arts["duckdb"][name]
        for col in ("reason", "top_reasons"):
            if col in expected:
                pd.testing.assert_series_equal(mask(expected.pop(col)), mask(got.pop(col)))
        # the CLV fits move with the sums' last bits (relative 1e-8 on the sample)
        pd.testing.assert_frame_equal(expected, got, check_exact=False, rtol=1e-6)
    assert len(arts["pandas"]["winback.csv"]) > 500


# ------------------------------------------------------------------------------ loyalty report on an engine
@pytest.fixture(scope="module")
def loyalty_shop():
    shop = crmmine.datasets.make_loyalty_shop(400, random_state=1)  # discounts, vouchers, campaigns, categories
    return shop, crmmine.read_transactions(shop.transactions, engine="duckdb")


def _loyalty_cases(shop) -> list[dict]:
    late = shop.transactions["order_date"].quantile(0.6)
    return [{}, {"promoted_orders": shop.promoted_orders}, {"campaigns": shop.campaigns},
            {"promoted_orders": shop.promoted_orders, "campaigns": shop.campaigns, "as_of": late}]


def test_duckdb_loyalty_types_match_pandas(loyalty_shop, pandas_clean, duck_clean):
    """Orders, promotions, campaigns, price index and breadth counted in DuckDB: pandas' loyalty types."""
    shop, lazy = loyalty_shop
    for kw in _loyalty_cases(shop):
        expected, got = crmmine.loyalty_types(shop.transactions, **kw), crmmine.loyalty_types(lazy, **kw)
        _compare(expected, got)
        assert got.attrs == expected.attrs
    assert got["loyalty_type"].nunique() == 5 and got["orders_off_promotion"].notna().sum() > 50
    # generated lines cleaned of returns (no discount, no category: breadth over products)
    expected = crmmine.loyalty_types(pandas_clean.transactions)
    _compare(expected, crmmine.loyalty_types(duck_clean.transactions))
    assert expected["price_index"].notna().all() and expected["breadth"].gt(0).sum() > 100
    with pytest.raises(ParameterError, match="The 'reviews' parameter needs the order lines in pandas"):
        crmmine.loyalty_types(lazy, reviews=shop.reviews)
    with pytest.raises(InputError, match="No order line of 'tx' falls before as_of=1990-01-01"):
        crmmine.loyalty_types(lazy, as_of="1990-01-01")


def test_loyalty_report_on_duckdb_gives_the_pandas_tables(tmp_path):
    """-p engine=duckdb on the bundled sample: loyalty types and summary are pandas'; the value ranking
    too, up to the order of customers whose net values tie in the last bit (1224.06 summed in another
    order is 1224.0600000000002, and ties are broken by id)."""
    from crmmine.report import run_report

    path = str(crmmine.datasets.online_retail_sample_path())
    arts = {}
    for engine in ("pandas", "duckdb"):
        run = run_report("loyalty", parameters={"data_path": path, "engine": engine}, out=tmp_path / engine)
        assert run.status == "ok", engine
        arts[engine] = {p.name: pd.read_csv(p) for p in (run.path / "artifacts").glob("*.csv")}
    assert sorted(arts["pandas"]) == ["loyalty_summary.csv", "loyalty_types.csv", "value_ranking.csv"]
    for name in ("loyalty_summary.csv", "loyalty_types.csv"):
        pd.testing.assert_frame_equal(arts["pandas"][name], arts["duckdb"][name], check_exact=False, rtol=1e-9)
    a, b = arts["pandas"]["value_ranking.csv"], arts["duckdb"]["value_ranking.csv"]
    np.testing.assert_allclose(a["net_value"], b["net_value"], rtol=1e-9)  # the same values in rank order
    drop = ["rank", "cumulative_net_share"]
    pd.testing.assert_frame_equal(a.drop(columns=drop).set_index("customer_id").sort_index(),
                                  b.drop(columns=drop).set_index("customer_id").sort_index(),
                                  check_exact=False, rtol=1e-9)
    assert len(a) > 900


@pytest.fixture(scope="module")
def events_file(tmp_path_factory):
    ev, _ = crmmine.datasets.make_events(1500, n_items=200, n_categories=12, random_state=4)
    log = crmmine.read_events(ev)
    path = tmp_path_factory.mktemp("events") / "events.parquet"
    _write(log.events, path)
    return log, path


_FUNNELS = [(st, by) for by in (None, "day", "hour", "weekday", "category")
            for st in (("view", "cart_or_favourite", "purchase"), ("cart", "favourite", "purchase"))]


def test_duckdb_funnel_matches_pandas(events_file):
    log, path = events_file
    lazy = crmmine.read_events(path, engine="duckdb")
    assert isinstance(lazy, crmmine.engine.LazyEvents) and lazy.engine == "duckdb"
    for stages, by in _FUNNELS:
        _compare(crmmine.funnel(log, stages=stages, by=by), crmmine.funnel(lazy, stages=stages, by=by))
    # the log's own words and column names, mapped in SQL
    raw = log.events.rename(columns={"customer_id": "visitor", "event_type": "what"})
    raw["what"] = raw["what"].astype(str).map({"view": "pv", "cart": "cart", "favourite": "fav", "purchase": "buy"})
    mapped = crmmine.read_events(raw, {"customer_id": "visitor", "event_type": "what"}, engine="duckdb",
                                 event_types={"pv": "view", "cart": "cart", "fav": "favourite", "buy": "purchase"})
    _compare(crmmine.funnel(log, by="day"), crmmine.funnel(mapped, by="day"))
    with pytest.raises(ParameterError, match="The 'event_types' parameter maps to 'click'"):
        crmmine.read_events(raw, {"customer_id": "visitor", "event_type": "what"}, engine="duckdb",
                            event_types={"pv": "click"})
    with pytest.raises(crmmine.errors.MissingColumnError, match="no column for 'customer_id'"):
        crmmine.read_events(raw, engine="duckdb")


def test_duckdb_funnel_on_the_taobao_file(taobao_path, tmp_path):
    log = crmmine.read_events(taobao_path, schema="taobao")
    _write(log.events, tmp_path / "taobao.parquet")
    lazy = crmmine.read_events(tmp_path / "taobao.parquet", engine="duckdb")
    for by in (None, "day", "hour", "category"):
        _compare(crmmine.funnel(log, by=by), crmmine.funnel(lazy, by=by))


def test_lazy_errors(duck_clean, tmp_path):
    lazy = duck_clean.transactions
    with pytest.raises(InputError, match="No transaction in 'tx' is dated before as_of=1990-01-01"):
        crmmine.customer_table(lazy, as_of="1990-01-01")
    raw = crmmine.read_transactions(duck_clean.transactions.source, engine="duckdb")
    with pytest.raises(InputError, match="lines without a customer id"):
        crmmine.customer_table(raw)
    other = crmmine.read_transactions(duck_clean.transactions.source, engine="duckdb")
    with pytest.raises(InputError, match="must live in the same engine"):
        crmmine.customer_table(lazy, returns=other)


@pytest.mark.slow
def test_duckdb_on_the_raw_online_retail_file(online_retail_path):
    """DuckDB reads the UCI CSV itself (preset mapping in SQL) and cleans it line for line as pandas does."""
    expected = crmmine.clean(crmmine.read_transactions(online_retail_path))
    got = crmmine.clean(crmmine.read_transactions(online_retail_path, engine="duckdb"))
    _compare(expected.audit, got.audit)
    assert int(got.audit.set_index("rule").loc["kept", "lines"]) == 391_148
    _compare(crmmine.customer_table(expected.transactions, returns=expected.returns),
             crmmine.customer_table(got.transactions, returns=got.returns))
    _compare(crmmine.clv_summary(expected.transactions), crmmine.clv_summary(got.transactions))
    cut = pd.Timestamp("2011-09-01")
    _compare(crmmine.churn_features(expected.transactions, cutoff=cut, returns=expected.returns),
             crmmine.churn_features(got.transactions, cutoff=cut, returns=got.returns))
    for sup in (0.01, 0.005):  # the miners on baskets pruned in DuckDB: the same itemsets and rules
        assert _itemset_key(crmmine.frequent_itemsets(expected.transactions, min_support=sup)) == _itemset_key(
            crmmine.frequent_itemsets(got.transactions, min_support=sup))
    assert _rule_key(crmmine.mine_rules(expected.transactions, min_support=0.01, min_confidence=0.3)) == _rule_key(
        crmmine.mine_rules(got.transactions, min_support=0.01, min_confidence=0.3))


def _same_as_pandas(path, engine, schema="auto") -> pd.DataFrame:
    """Read ``path`` with pandas and with ``engine``, clean both and compare the audits, customer tables and
    CLV summaries; returns the pandas customer table."""
    expected = crmmine.clean(crmmine.read_transactions(path, schema=schema))
    lazy = crmmine.read_transactions(path, schema=schema, engine=engine)
    assert isinstance(lazy, LazyTransactions)
    got = crmmine.clean(lazy)
    _compare(expected.audit, got.audit)
    table = crmmine.customer_table(expected.transactions)
    _compare(table, crmmine.customer_table(got.transactions))
    _compare(crmmine.clv_summary(expected.transactions), crmmine.clv_summary(got.transactions))
    return table


@pytest.mark.parametrize("name, lines, customers", [("CDNOW_master.txt", 69_659, 23_502),
                                                     ("CDNOW_sample.txt", 6_919, 2_349)])
def test_duckdb_reads_the_cdnow_text_files(shared_data, name, lines, customers):
    """Whitespace-separated, CRLF, with (master) or without (sample, 5 fields) a header: DuckDB splits the
    lines as the pandas reader does, keeps the ids' leading zeros and derives the preset's orders."""
    path = shared_data / "cdnow" / name
    lazy = crmmine.read_transactions(path, engine="duckdb")
    assert len(lazy) == lines and lazy.attrs["crmmine_source"]["schema"] == "cdnow"
    head = lazy.to_pandas().sort_values("order_id").iloc[0]
    assert head["customer_id"].startswith("000") and head["product_id"] == "CD"
    assert head["order_id"].startswith(head["customer_id"] + "-1997")
    assert len(_same_as_pandas(path, "duckdb")) == customers  # with a purchase kept by cleaning


def _small_shop(date_form: str) -> pd.DataFrame:
    """Integer ids and numeric dates (YYYYMMDD or Unix seconds), a blank date and a non-date among them."""
    rng = np.random.default_rng(7)
    n = 400
    when = pd.Timestamp("2011-01-03") + pd.to_timedelta(rng.integers(0, 300 * 86400, n), unit="s")
    dates = (when.strftime("%Y%m%d").astype(int) if date_form == "yyyymmdd"
             else (when - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1))
    shop = pd.DataFrame({"customer_id": rng.integers(1, 60, n), "order_id": np.arange(5000, 5000 + n) // 2,
                         "order_date": np.asarray(dates, dtype="int64"), "product_id": rng.integers(100, 130, n),
                         "quantity": rng.integers(1, 5, n), "unit_price": rng.integers(50, 2000, n) / 100})
    shop.loc[5, "order_date"] = 19001  # outside the form: rejected as an unparseable date
    return shop


@pytest.mark.parametrize("date_form", ["yyyymmdd", "unix_seconds"])
def test_duckdb_reads_whitespace_and_headerless_text_like_pandas(tmp_path, date_form):
    shop = _small_shop(date_form)
    spaced = tmp_path / "spaced.txt"
    text = shop.to_string(index=False, header=True)
    spaced.write_text(text.replace("\n", "\r\n") + "\r\n\r\n")  # right-aligned columns, CRLF, a blank line
    plain = tmp_path / "plain.csv"
    shop.to_csv(plain, index=False, header=False)
    positions = {c: f"column_{i + 1}" for i, c in enumerate(shop.columns)}
    for path, schema in ((spaced, "auto"), (plain, positions)):
        assert len(_same_as_pandas(path, "duckdb", schema)) == shop["customer_id"].nunique()
    got = crmmine.clean(crmmine.read_transactions(spaced, engine="duckdb"))
    assert got.audit.set_index("rule").loc["unparseable_date", "lines"] == 1


def test_engine_names_a_separator_it_did_not_recognise(tmp_path, monkeypatch):
    """A text file the sniffing cannot tell is left to DuckDB; read as one column, the error says why."""
    from crmmine.engine import lazy as lazy_module

    path = tmp_path / "cd.txt"
    path.write_text("customer_id  date number_of_cds  dollar_value\n 00001 19970101  1   11.77\n")
    monkeypatch.setattr(lazy_module, "_sniff_layout", lambda files: None)
    with pytest.raises(crmmine.errors.MissingColumnError,
                       match=r"The separator of .*cd\.txt was not recognised: the engine read it as one column, "
                             r"'customer_id  date number_of_cds  dollar_value'\. Convert the file .* or read it "
                             r"with engine='pandas'"):
        crmmine.read_transactions(path, engine="duckdb")


def _accented_shop(path, encoding, sep=","):
    shop = pd.DataFrame({"customer_id": ["Zoë", "José", "张三", "Zoë"], "order_id": ["1", "2", "3", "4"],
                         "product_id": ["Crème", "Café", "茶叶", "Café"],
                         "order_date": ["2024-01-02", "2024-02-03", "2024-02-05", "2024-03-01"],
                         "quantity": [1, 2, 1, 3], "unit_price": [3.5, 4.0, 12.0, 4.0]})
    if encoding not in ("utf-16", "utf-8-sig", "gb18030"):
        shop["customer_id"] = shop["customer_id"].replace("张三", "Ana")
        shop["product_id"] = shop["product_id"].replace("茶叶", "Thé")
    shop.to_csv(path, index=False, encoding=encoding, sep=sep)
    return shop


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_duckdb_reads_utf16_and_bom_files_like_pandas(tmp_path, encoding):
    path = tmp_path / "shop.csv"
    shop = _accented_shop(path, encoding)
    got = crmmine.read_transactions(path, engine="duckdb").to_pandas()
    assert got["customer_id"].tolist() == shop["customer_id"].tolist()
    assert got["product_id"].tolist() == shop["product_id"].tolist()
    _same_as_pandas(path, "duckdb")


@pytest.mark.parametrize("encoding", ["gb18030", "cp1252"])
def test_duckdb_names_an_encoding_it_cannot_read(tmp_path, encoding):
    """DuckDB reads UTF-8, UTF-16 and Latin-1 only; a GB18030 or Windows-1252 file gets an error naming the
    file and its encoding, with the fix, instead of DuckDB's own decoding error (or garbled text)."""
    path = tmp_path / "shop.csv"
    _accented_shop(path, encoding)
    with pytest.raises(InputError, match=rf"shop\.csv is encoded in {encoding}, which the duckdb engine does not read\. "
                                         rf"Convert the file to UTF-8 \(e\.g\. iconv -f {encoding} -t utf-8\), or read it "
                                         r"with engine='pandas'"):
        crmmine.read_transactions(path, engine="duckdb")


# ------------------------------------------------------------------------------ Spark
@pytest.mark.spark
def test_spark_matches_pandas(spark, pandas_clean, tmp_path):
    """Spark SQL (local mode) gives the pandas tables: customer table with returns, CLV summary, cohorts, baskets."""
    _write(pandas_clean.transactions, tmp_path / "tx.parquet")
    _write(pandas_clean.returns, tmp_path / "returns.parquet")
    tx = crmmine.read_transactions(tmp_path / "tx.parquet", engine=spark)
    assert isinstance(tx, LazyTransactions) and tx.engine == "spark"
    returns = crmmine.read_transactions(spark.read.parquet(str(tmp_path / "returns.parquet")))
    _compare(crmmine.customer_table(pandas_clean.transactions, returns=pandas_clean.returns),
             crmmine.customer_table(tx, returns=returns))
    _compare(crmmine.clv_summary(pandas_clean.transactions), crmmine.clv_summary(tx))
    _compare(crmmine.cohort_table(pandas_clean.transactions), crmmine.cohort_table(tx))
    cut = _churn_cutoff(pandas_clean.transactions)
    _compare(crmmine.churn_features(pandas_clean.transactions, cutoff=cut, returns=pandas_clean.returns),
             crmmine.churn_features(tx, cutoff=cut, returns=returns))
    b, lb = crmmine.make_baskets(pandas_clean.transactions, min_support=0.02), crmmine.make_baskets(tx, min_support=0.02)
    assert list(b.items) == list(lb.items) and (b.matrix != lb.matrix).nnz == 0
    for sup in (0.01, 0.004):  # the miners' code-only baskets (collect_set in Spark SQL)
        assert _itemset_key(crmmine.frequent_itemsets(pandas_clean.transactions, min_support=sup)) == _itemset_key(
            crmmine.frequent_itemsets(tx, min_support=sup))


@pytest.mark.spark
def test_spark_churn_labels_value_and_loyalty_match_pandas(spark, pandas_clean, loyalty_shop, tmp_path):
    """Spark SQL runs the churn labels', customer value's and loyalty types' queries as DuckDB does."""
    _write(pandas_clean.transactions, tmp_path / "tx.parquet")
    _write(pandas_clean.returns, tmp_path / "returns.parquet")
    tx = crmmine.read_transactions(tmp_path / "tx.parquet", engine=spark)
    returns = crmmine.read_transactions(tmp_path / "returns.parquet", engine=spark)
    split = _churn_split(pandas_clean.transactions)
    assert crmmine.churn_cutoffs(pandas_clean.transactions) == crmmine.churn_cutoffs(tx)
    _compare(crmmine.churn_labels(pandas_clean.transactions, cutoff=split["test_cutoff"], horizon_days=60,
                                  lookback_days=45),
             crmmine.churn_labels(tx, cutoff=split["test_cutoff"], horizon_days=60, lookback_days=45))
    expected = crmmine.customer_value(pandas_clean.transactions, returns=pandas_clean.returns)
    got = crmmine.customer_value(tx, returns=returns)
    inputs = ["historical_value", "frequency", "recency", "T"]
    _compare(expected[inputs], got[inputs])
    # the fits (Gamma-Gamma with q < 1 on these lines: a flat likelihood) move with the sums' last bits
    pd.testing.assert_frame_equal(expected, got, check_exact=False, rtol=1e-5, check_index_type=False)
    shop = loyalty_shop[0]
    _write(shop.transactions, tmp_path / "shop.parquet")
    lazy = crmmine.read_transactions(tmp_path / "shop.parquet", engine=spark)
    kw = _loyalty_cases(shop)[-1]
    _compare(crmmine.loyalty_types(shop.transactions, **kw), crmmine.loyalty_types(lazy, **kw))


@pytest.mark.spark
def test_spark_funnel_matches_pandas(spark, events_file):
    log, path = events_file
    lazy = crmmine.read_events(path, engine=spark)
    assert lazy.engine == "spark"
    for stages, by in _FUNNELS[::3]:
        _compare(crmmine.funnel(log, stages=stages, by=by), crmmine.funnel(lazy, stages=stages, by=by))


@pytest.mark.spark
def test_spark_fpgrowth_gives_crmmines_itemsets(spark, pandas_clean, tmp_path):
    """Spark MLlib's FP-growth on the cluster finds the itemsets (and counts) of crmmine's own miner."""
    _write(pandas_clean.transactions, tmp_path / "tx.parquet")
    tx = crmmine.read_transactions(tmp_path / "tx.parquet", engine=spark)
    for min_support in (0.01, 0.004):
        expected = crmmine.frequent_itemsets(pandas_clean.transactions, min_support=min_support)
        got = crmmine.engine.fpgrowth_itemsets(tx, min_support=min_support)
        assert len(got) > 50 and got["length"].max() >= 2
        _compare(expected, got)
        assert got.attrs["min_count"] == expected.attrs["min_count"]
    assert len(crmmine.engine.fpgrowth_itemsets(tx, min_support=0.004, max_len=1)) == (expected["length"] == 1).sum()
    with pytest.raises(InputError, match="give a table read with engine=spark_session"):
        crmmine.engine.fpgrowth_itemsets(pandas_clean.transactions, min_support=0.01)


@pytest.mark.spark
def test_spark_clean_matches_pandas(spark, messy_file, pandas_clean):
    got = crmmine.clean(crmmine.read_transactions(messy_file[1], engine=spark))
    _compare(pandas_clean.audit, got.audit)


@pytest.mark.spark
@pytest.mark.slow
def test_spark_on_online_retail(spark, online_retail_path, tmp_path):
    r = crmmine.clean(crmmine.read_transactions(online_retail_path))
    _write(r.transactions, tmp_path / "tx.parquet")
    tx = crmmine.read_transactions(tmp_path / "tx.parquet", engine=spark)
    _compare(crmmine.customer_table(r.transactions), crmmine.customer_table(tx))
    _compare(crmmine.clv_summary(r.transactions), crmmine.clv_summary(tx))


@pytest.mark.spark
def test_spark_reads_the_cdnow_sample(spark, cdnow_sample_path):
    """Spark splits the header-less whitespace file in SQL and gives the pandas tables."""
    _same_as_pandas(cdnow_sample_path, spark)


@pytest.mark.spark
@pytest.mark.parametrize("encoding", ["gb18030", "utf-16"])
def test_spark_names_an_encoding_it_cannot_read(spark, tmp_path, encoding):
    """Spark's CSV reader decodes UTF-8 and Latin-1 only (UTF-16 lines it splits wrongly): the error names it."""
    path = tmp_path / "shop.csv"
    _accented_shop(path, encoding)
    with pytest.raises(InputError, match=rf"shop\.csv is encoded in {encoding}, which the spark engine does not read"):
        crmmine.read_transactions(path, engine=spark)


def test_report_engine_parameter_and_load_clean():
    with pytest.raises(ParameterError, match="The 'engine' parameter must be one of 'auto', 'pandas', 'duckdb'. Got 'spark'"):
        crmmine.check_parameters(engine="spark")
    expected = crmmine.load_clean("sample")
    got = crmmine.load_clean("sample", engine="duckdb")  # read + cleaned in DuckDB, back as a CleanResult
    assert isinstance(got, crmmine.CleanResult)
    _compare(expected.audit, got.audit)
    _compare(crmmine.customer_table(expected.transactions, returns=expected.returns),
             crmmine.customer_table(got.transactions, returns=got.returns))


def test_glob_is_a_valid_report_data_path(tmp_path):
    _write(_messy(30), tmp_path / "part-0.parquet")
    pattern = str(tmp_path / "*.parquet")
    assert crmmine.check_parameters(data_path=pattern)["data_path"] == pattern
    with pytest.raises(ParameterError, match="does not exist"):
        crmmine.check_parameters(data_path=str(tmp_path / "none-*.parquet"))
