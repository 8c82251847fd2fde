"""read_transactions + clean give the same lines as before the speed work of issue 11.

Two kinds of check: counts pinned from main before the change (aa98acc) on every shop shape of
``make_shop``, the bundled sample and the full Online Retail file; and the fast paths (the reader
that lets pyarrow cut the file at any line break, the skipped trim, the chunk-wise takes) against
the plain ones on the same files, frame by frame.
"""

from __future__ import annotations

import importlib
import warnings

import pandas as pd
import pytest

import crmmine
from crmmine.datasets import SHOP_SHAPES, make_shop, online_retail_sample_path

rio = importlib.import_module("crmmine.data.io")
rclean = importlib.import_module("crmmine.data.clean")

# kept, rejected, returns, audit lines (input, each rule in order, kept), kept amount; from main aa98acc
PINNED = {
    "grocer": (3239, 4, 0, (3243, 0, 0, 0, 0, 0, 0, 0, 0, 4, 3239), 15025.24),
    "integer_ids": (1154, 0, 0, (1154, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1154), 41011.74),
    "no_product_names": (1154, 0, 0, (1154, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1154), 41011.74),
    "two_weeks": (337, 0, 0, (337, 0, 0, 0, 0, 0, 0, 0, 0, 0, 337), 7904.21),
    "big_catalogue": (1146, 0, 0, (1146, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1146), 41011.74),
    "low_churn": (2496, 0, 0, (2496, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2496), 52325.96),
    "huge_basket": (1415, 0, 0, (1415, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1415), 54226.1),
    "guests_only": (0, 1154, 0, (1154, 0, 0, 0, 1154, 0, 0, 0, 0, 0, 0), 0.0),
    "sample": (86710, 3686, 1673, (92069, 0, 0, 0, 2000, 1191, 486, 9, 1673, 0, 86710), 1672854.91),
    "online_retail": (391148, 142255, 8506, (541909, 0, 0, 0, 135080, 5225, 1915, 33, 8506, 2, 391148),
                      8491574.44),
}


def _run(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tx = crmmine.read_transactions(path)
        return tx, crmmine.clean(tx)


def _slow(monkeypatch):
    monkeypatch.setattr(rio, "_BYTE_CHECKABLE", frozenset())  # pyarrow cuts only between rows
    monkeypatch.setattr(rio, "_edges_clean", lambda arr: False)  # always trim
    monkeypatch.setattr(rclean, "_take", lambda values, positions: values.take(positions))
    monkeypatch.setattr(rclean, "_filter", lambda values, mask, positions: values.take(positions))


def _check(path, name, monkeypatch):
    tx, r = _run(path)
    kept, rejected, returns, lines, amount = PINNED[name]
    assert (len(r.transactions), len(r.rejected), len(r.returns)) == (kept, rejected, returns)
    assert tuple(int(x) for x in r.audit["lines"]) == lines
    assert round(float(r.transactions["amount"].sum()), 2) == amount
    _slow(monkeypatch)
    tx2, r2 = _run(path)
    pd.testing.assert_frame_equal(tx, tx2, check_exact=True)
    for a, b in ((r.transactions, r2.transactions), (r.rejected, r2.rejected), (r.returns, r2.returns),
                 (r.audit, r2.audit)):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert r.notes == r2.notes and r.params == r2.params and tx.attrs == tx2.attrs


@pytest.mark.parametrize("shape", list(SHOP_SHAPES))
def test_zoo_shapes_read_and_clean_as_before(shape, tmp_path, monkeypatch):
    tx, _ = make_shop(shape, 120, random_state=3)
    path = tmp_path / f"{shape}.csv"
    tx.drop(columns=["source_line"]).to_csv(path, index=False)
    _check(path, shape, monkeypatch)


def test_sample_reads_and_cleans_as_before(monkeypatch):
    _check(online_retail_sample_path(), "sample", monkeypatch)


def test_online_retail_reads_and_cleans_as_before(online_retail_path, monkeypatch):
    _check(online_retail_path, "online_retail", monkeypatch)
