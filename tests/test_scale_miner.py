"""crmmine's own miner: projected bitset Eclat (the engine) and the level-wise engine (sparse Gram counting, then
bitsets) find exactly the same itemsets, and both what mlxtend finds."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import crmmine
from crmmine.crosssell import _itemsets as I


def _tables_equal(a, b) -> bool:
    return (len(a.codes) == len(b.codes)
            and all(np.array_equal(x, y) for x, y in zip(a.codes, b.codes))
            and all(np.array_equal(x, y) for x, y in zip(a.counts, b.counts)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bitset_levels_match_sparse_counting(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    n, m = 400, 30
    # correlated items: a few planted itemsets on top of random noise, so levels reach 5+
    X = rng.random((n, m)) < 0.08
    for items in ([0, 1, 2, 3, 4], [5, 6, 7], [2, 8, 9, 10]):
        rows = rng.random(n) < 0.25
        X[np.ix_(rows, items)] = True
    X = sp.csr_matrix(X)
    minc = I.min_count(0.03, n)
    monkeypatch.setattr(I, "_BITSET_WORK_BYTES", -1)  # never switch: sparse Gram counting all the way
    sparse = I.mine_levelwise(X, minc, None)
    monkeypatch.setattr(I, "_BITSET_WORK_BYTES", 1 << 40)  # switch after level 2
    bits = I.mine_levelwise(X, minc, None)
    eclat = I.mine_vertical(X, minc, None)
    assert sparse.max_len >= 4
    assert _tables_equal(sparse, bits)
    assert _tables_equal(sparse, eclat)
    for max_len in (1, 2, 3):
        assert _tables_equal(I.table_from_lists(
            {k: (c, n_) for k, (c, n_) in enumerate(zip(sparse.codes[:max_len], sparse.counts[:max_len]), start=1)},
            m, n), I.mine_vertical(X, minc, max_len))
    bits3 = I.mine_levelwise(X, minc, 3)
    assert bits3.max_len == 3 and _tables_equal(I.table_from_lists(
        {k: (c, n_) for k, (c, n_) in enumerate(zip(sparse.codes[:3], sparse.counts[:3]), start=1)}, m, n), bits3)


def test_bitset_miner_matches_mlxtend_on_the_sample(monkeypatch):
    b = crmmine.make_baskets(crmmine.load_clean("sample").transactions)
    ref = crmmine.frequent_itemsets(b, min_support=0.02, algorithm="fpgrowth")
    key = lambda f: sorted((tuple(sorted(s)), int(c)) for s, c in zip(f["itemsets"], f["count"]))  # noqa: E731
    assert key(crmmine.frequent_itemsets(b, min_support=0.02)) == key(ref)
    monkeypatch.setattr(I, "mine_vertical", I.mine_levelwise)  # the level-wise engine with bitsets at depth
    monkeypatch.setattr(I, "_BITSET_WORK_BYTES", 1 << 40)
    import crmmine.crosssell.rules as R
    monkeypatch.setattr(R, "mine_vertical", I.mine_levelwise)
    assert key(crmmine.frequent_itemsets(b, min_support=0.02)) == key(ref)


def test_budget_counts_every_level_and_chunk():
    X = sp.csr_matrix(np.ones((2, 12), dtype=bool))  # 2^12 - 1 = 4,095 frequent itemsets
    assert len(I.mine_vertical(X, 1, None)) == 4095
    assert len(I.mine_vertical(X, 1, None, max_itemsets=4095)) == 4095
    with pytest.raises(I.BudgetExceeded) as err:
        I.mine_vertical(X, 1, None, max_itemsets=4094)
    assert err.value.found > 4094
    with pytest.raises(I.BudgetExceeded) as err:
        I.mine_vertical(X, 1, None, max_itemsets=50, chunk_bytes=8)
    # 12 items; 11 pairs with the first, 10 with the second; then the first's triples, one member (10, 9, ...
    # partners) per chunk: stopped inside the level, not at its end
    assert err.value.level == 3 and err.value.found == 12 + 11 + 10 + 10 + 9
