"""crmmine report cleans an engine's input once and hands the clean lines to every kernel."""

import shutil

import pandas as pd

import crmmine
from crmmine.report import present, runner


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns), kind="stable").reset_index(drop=True)


def test_kernels_read_the_runners_clean_lines_not_the_input(tmp_path, monkeypatch):
    """The runner writes kept / returns / rejected lines and the audit once; load_data(lazy=True) in a
    kernel reads them back (never the input) and gets exactly a fresh clean's result."""
    data = tmp_path / "orders.csv.gz"
    shutil.copy(crmmine.datasets.online_retail_sample_path(), data)
    fresh = present.load_data(str(data), engine="duckdb", lazy=True)
    assert crmmine.engine.is_lazy(fresh.transactions)
    prepared = tmp_path / "prepared"
    prepared.mkdir()
    summary = runner._input_summary(str(data), "auto", {"engine": "duckdb"}, prepared_dir=prepared)
    assert summary["lines"]["clean"] == len(fresh.transactions)
    assert [p.suffix for p in prepared.iterdir() if p.is_dir()] == [".lazy"]

    def no_read(*args, **kwargs):
        raise AssertionError("the kernel read the input again")

    monkeypatch.setattr(crmmine.data.io, "read_transactions", no_read)
    monkeypatch.setenv("CRMMINE_PREPARED_DATA", str(prepared))
    handed = present.load_data(str(data), engine="duckdb", lazy=True)
    assert crmmine.engine.is_lazy(handed.transactions)
    a, b = handed.to_pandas(), fresh.to_pandas()
    for part in ("transactions", "returns", "rejected"):
        assert len(getattr(a, part)) > 0, part
        pd.testing.assert_frame_equal(_sorted(getattr(a, part)), _sorted(getattr(b, part)), check_exact=True)
    pd.testing.assert_frame_equal(a.audit, b.audit)
    assert a.params == b.params and a.notes == b.notes
    # other cleaning choices are another key: not handed over
    assert present._prepared_lazy(str(data), schema="auto", encoding="auto", dayfirst=None, header=None,
                                  skip_rules="duplicate", engine="duckdb") is None
