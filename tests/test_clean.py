"""clean(): one hand-made fixture per rule, the invariant, switches and options."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.data.clean import CLEANING_RULES
from crmmine.errors import ParameterError


def make(rows):
    """rows: (customer_id, order_id, date, product_id, quantity, unit_price)."""
    df = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "product_id", "quantity", "unit_price"])
    return crmmine.read_transactions(df)


BASE = [("c1", "1", "2011-01-01", "A", 2, 1.5), ("c1", "1", "2011-01-01", "P2", 1, 4.0),
        ("c2", "2", "2011-01-02", "A", 3, 1.5)]


def outcome(rows, **kw):
    result = crmmine.clean(make(BASE + rows), **kw)
    return result


def reasons(result):
    return result.rejected["reason"].astype(str).tolist()


def test_clean_lines_pass_untouched():
    r = outcome([])
    assert len(r.transactions) == 3 and r.rejected.empty and r.returns.empty
    assert r.transactions["amount"].tolist() == [3.0, 4.0, 4.5]


def test_missing_customer_id():
    r = outcome([(None, "3", "2011-01-03", "A", 1, 1.5)])
    assert reasons(r) == ["missing_customer_id"] and r.rejected["source_line"].tolist() == [4]


def test_cancellation_and_negative_quantity_are_returns():
    r = outcome([("c1", "C9", "2011-01-05", "A", -1, 1.5), ("c2", "7", "2011-01-06", "A", -2, 1.5)])
    assert r.rejected.empty
    assert r.returns["order_id"].tolist() == ["C9", "7"]
    assert r.returns["amount"].sum() == pytest.approx(-4.5)


def test_zero_and_negative_price():
    r = outcome([("c1", "3", "2011-01-03", "A", 1, 0.0), ("c1", "3", "2011-01-03", "Z", 1, -11062.06)])
    assert reasons(r) == ["non_positive_price", "non_positive_price"]


def test_exact_duplicates_keep_the_first():
    r = outcome([BASE[1]])
    assert reasons(r) == ["duplicate"] and r.rejected["source_line"].tolist() == [4]
    assert len(r.transactions) == 3


@pytest.mark.parametrize("code", ["POST", "DOT", "M", "m", "C2", "BANK CHARGES", "AMAZONFEE", "D", "S", "B",
                                  "CRUK", "PADS", "gift_0001_20"])
def test_non_product_codes(code):
    r = outcome([("c1", "3", "2011-01-03", code, 1, 18.0)])
    assert reasons(r) == ["non_product_code"]


def test_non_product_codes_are_extendable_and_replaceable():
    r = outcome([("c1", "3", "2011-01-03", "FEE-X", 1, 2.0)], extra_non_product_codes=["fee-x"])
    assert reasons(r) == ["non_product_code"]
    r = outcome([("c1", "3", "2011-01-03", "POST", 1, 2.0)], non_product_codes=["FEE-X"])
    assert r.rejected.empty  # POST is a product when the list is replaced


def test_extreme_quantity_and_price():
    rng = np.random.default_rng(0)
    rows = [(f"c{i}", str(i), "2011-02-01", "A", int(q), float(p))
            for i, (q, p) in enumerate(zip(rng.integers(1, 25, 300), rng.uniform(0.5, 8, 300)))]
    rows += [("x", "big", "2011-02-02", "A", 80995, 2.08), ("y", "dear", "2011-02-02", "A", 1, 38970.0)]
    r = crmmine.clean(make(rows))
    assert reasons(r) == ["extreme_value", "extreme_value"]
    assert r.rejected["order_id"].tolist() == ["big", "dear"]
    r = crmmine.clean(make(rows), extreme_z=1000)
    assert r.rejected.empty


def test_unparseable_number_and_date_lines():
    tx = make(BASE)
    tx.loc[0, "quantity"] = np.nan
    tx.loc[1, "order_date"] = pd.NaT
    r = crmmine.clean(tx)
    assert reasons(r) == ["unparseable_number", "unparseable_date"]  # rejected lines keep input order


def test_first_rule_wins_and_order_is_documented():
    # a guest cancellation of postage: missing customer id comes first
    r = outcome([(None, "C3", "2011-01-03", "POST", -1, 18.0)])
    assert reasons(r) == ["missing_customer_id"]
    assert CLEANING_RULES[:4] == ("unparseable_date", "unparseable_number", "implausible_date", "missing_customer_id")


def test_skip_rules_turns_a_rule_off():
    rows = [BASE[1], ("c1", "C9", "2011-01-05", "A", -1, 1.5)]
    r = outcome(rows, skip_rules=("duplicate", "return"))
    assert r.rejected.empty and r.returns.empty and len(r.transactions) == 5


def test_invariant_lines_and_amounts():
    rows = [(None, "3", "2011-01-03", "A", 1, 1.5), BASE[0], ("c1", "C9", "2011-01-05", "A", -1, 1.5),
            ("c1", "4", "2011-01-03", "POST", 1, 18.0), ("c1", "5", "2011-01-03", "A", 1, 0.0)]
    tx = make(BASE + rows)
    r = crmmine.clean(tx)
    assert len(tx) == len(r.transactions) + len(r.rejected) + len(r.returns)
    a = r.audit.set_index("rule")
    assert a.loc["input", "lines"] == len(tx) == a.drop("input")["lines"].sum()
    assert a.loc["input", "amount"] == pytest.approx(tx["amount"].sum())
    assert a.drop("input")["amount"].sum() == pytest.approx(tx["amount"].sum())
    assert a.loc["kept", "lines"] == 3 and a.loc["return", "lines"] == 1
    assert set(tx["source_line"]) == set(r.transactions["source_line"]) | set(r.rejected["source_line"]) | \
        set(r.returns["source_line"])


def test_parameter_errors():
    tx = make(BASE)
    with pytest.raises(ParameterError, match=r"'skip_rules' parameter names 'dupes', which is not a switchable rule"):
        crmmine.clean(tx, skip_rules=("dupes",))
    with pytest.raises(ParameterError, match=r"'extreme_z' parameter must be a number > 0 \(a robust z-score, e.g. 8\). "
                                             r"Got -1 instead"):
        crmmine.clean(tx, extreme_z=-1)
    with pytest.raises(crmmine.errors.MissingColumnError, match=r"DataFrame of canonical transactions"):
        crmmine.clean([1, 2])


def test_sample_cleans_with_known_audit():
    r = crmmine.load_clean("sample")
    a = r.audit.set_index("rule")["lines"]
    assert a["input"] == 92_069
    assert a["missing_customer_id"] == 2_000
    assert a["kept"] + a.drop(["input", "kept"]).sum() == a["input"]
    assert r.transactions["customer_id"].nunique() == 993


def test_large_table_path_same_outputs(monkeypatch):
    """From ``_LARGE`` lines on, clean() saves memory (codes chunk by chunk, lines taken by mask, audit
    summed first): the same four tables, to the bit, as the path for smaller tables."""
    clean_module = importlib.import_module("crmmine.data.clean")

    tx = crmmine.datasets.load_online_retail_sample()
    tx = pd.concat([tx.iloc[i:i + 9_001] for i in range(0, len(tx), 9_001)], ignore_index=True)
    assert tx["order_id"].array._pa_array.num_chunks > 1
    small = crmmine.clean(tx)
    monkeypatch.setattr(clean_module, "_LARGE", 0)
    large = crmmine.clean(tx)
    for name in ("transactions", "returns", "rejected", "audit"):
        pd.testing.assert_frame_equal(getattr(large, name), getattr(small, name), check_exact=True)
    assert large.params == small.params and large.notes == small.notes
    assert large.transactions.attrs == small.transactions.attrs
