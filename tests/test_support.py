"""Labels, parameter checks and artefact writing."""

from __future__ import annotations

import pandas as pd
import pytest

import crmmine
from crmmine.errors import ParameterError
from crmmine.text.labels import LABELS, LANGUAGES, label


def test_every_label_has_every_language():
    for key, entry in LABELS.items():
        for lang in LANGUAGES:
            assert entry.get(lang), f"label {key!r} has no {lang!r} text"


def test_label_lookup_and_errors():
    assert label("axis.revenue", lang="zh") == "收入"
    with pytest.raises(ParameterError, match=r"No label has the key 'nope'"):
        label("nope")
    with pytest.raises(ParameterError, match=r"'lang' parameter must be one of 'en', 'zh'. Got 'fr'"):
        label("axis.revenue", lang="fr")


def test_check_parameters():
    got = crmmine.check_parameters(data_path="sample", as_of="2011-06-01", min_support=0.01, top_n=5.0,
                                   max_len=None, custom="x")
    assert got == {"data_path": "sample", "as_of": pd.Timestamp("2011-06-01"), "min_support": 0.01, "top_n": 5,
                   "max_len": None, "custom": "x"}
    for kw, msg in [({"min_support": 0}, r"'min_support' parameter must be a number in \(0, 1\] or None. Got 0"),
                    ({"top_n": "5"}, r"'top_n' parameter must be an integer. Got '5'"),
                    ({"as_of": "yesterday-ish"}, r"'as_of' parameter must be a date"),
                    ({"level": "sku"}, r"'level' parameter must be one of 'product', 'category'. Got 'sku'"),
                    ({"data_path": "/no/such.csv"}, r"'data_path' parameter points to '/no/such.csv'"),
                    ({"random_state": True}, r"'random_state' parameter must be an integer or None"),
                    ({"schema": "uci"}, r"'schema' parameter must be 'auto', a preset")]:
        with pytest.raises(ParameterError, match=msg):
            crmmine.check_parameters(**kw)


def test_write_table_is_atomic_deterministic_and_neutralises_formulas(tmp_path):
    df = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "+1", "-cmd", "@SUM(A1)", "<script>alert(1)</script>", "ok"],
                       "value": [1.5, -2.0, 3.0, 4.0, 5.0, 6.0]})
    paths = crmmine.write_table(df, tmp_path / "out", "t")
    text = paths["csv"].read_text()
    assert text.splitlines()[1:5] == ['"\'=HYPERLINK(""x"")",1.5', "'+1,-2.0", "'-cmd,3.0", "'@SUM(A1),4.0"]
    assert "-2.0" in text  # numbers are not touched
    first = paths["csv"].read_bytes(), paths["parquet"].read_bytes()
    crmmine.write_table(df, tmp_path / "out", "t")
    assert (paths["csv"].read_bytes(), paths["parquet"].read_bytes()) == first
    assert pd.read_parquet(paths["parquet"])["name"].tolist() == df["name"].tolist()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["t.csv", "t.parquet"]  # no temp files left
    with pytest.raises(ParameterError, match=r"'name' parameter must be a plain file stem"):
        crmmine.write_table(df, tmp_path, "../x")


def test_check_date_is_the_one_date_rule():
    from crmmine.validation import check_date

    assert check_date("as_of", None) is None
    assert check_date("as_of", "2011-06-01 13:45", normalize=True) == pd.Timestamp("2011-06-01")
    assert check_date("as_of", pd.Timestamp("2011-06-01 02:00", tz="Asia/Shanghai")) == pd.Timestamp("2011-05-31 18:00")
    with pytest.raises(ParameterError, match=r"^The 'cutoff' parameter must be a date like '2011-06-01'. Got None instead."):
        check_date("cutoff", None, none_ok=False)
    with pytest.raises(ParameterError, match=r"^The 'as_of' parameter must be a date like '2011-06-01' or None. Got 'soon'"):
        check_date("as_of", "soon")
