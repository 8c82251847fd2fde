"""Private itemset engines and the itemset index (input already validated by the callers).

Itemsets are held as integer item codes: one table per length ``k``, a matrix of shape
``(m_k, k)`` whose rows are sorted (ascending codes) and whose rows are in lexicographic
order, with the count of each itemset beside it. The index finds any itemset by its
codes with ``numpy.searchsorted`` on a recursive key: the key of ``(z_1, ..., z_k)`` is
``id(z_1, ..., z_{k-1}) * n_items + z_k``, where ``id`` is the row number in the table of
length ``k - 1``; lexicographic row order makes these keys sorted.

Engines
-------
``mlxtend``    mlxtend's ``fpgrowth`` / ``apriori`` on a sparse DataFrame (the reference).
``vertical``   crmmine's own level-wise miner on vertical (column) tid-lists: the counts of
               every one-item extension of all frequent ``(k-1)``-itemsets come from one sparse
               matrix product ``Y_{k-1}^T X`` (orders x itemsets times orders x items), in
               chunks; extensions are only by items larger than the itemset's last item, so each
               itemset is counted once (the Eclat prefix order of Zaki 2000, computed
               breadth-first). It finds exactly the itemsets mlxtend finds (tested).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

#: Tolerance under which a threshold product ``min_support * n`` is rounded down to the
#: integer (``0.3 * 10 == 3.0000000000000004`` must mean 3 orders, not 4).
_EPS = 1e-9


def min_count(min_support: float, n: int) -> int:
    """Smallest count that meets a relative, inclusive support threshold (R arules' semantics).

    An itemset is frequent iff ``count >= min_support * n``; the product is rounded up after
    removing float noise, so ``min_count(0.3, 10) == 3``.
    """
    return max(1, int(math.ceil(min_support * n - _EPS)))


@dataclass
class ItemsetTable:
    """Frequent itemsets by length, with a vectorised lookup by codes.

    ``codes[k-1]`` is an int64 matrix ``(m_k, k)`` of sorted rows in lexicographic order,
    ``counts[k-1]`` their counts, ``n_items`` the number of item codes, ``n`` the number of
    transactions.
    """

    codes: list
    counts: list
    n_items: int
    n: int

    def __post_init__(self):
        self._keys = []
        self.offsets = np.cumsum([0] + [len(c) for c in self.counts])
        first = np.full(self.n_items, -1, dtype=np.int64)
        if self.codes:
            first[self.codes[0][:, 0]] = np.arange(len(self.codes[0]))
        self._first = first
        for k, c in enumerate(self.codes, start=1):
            if k == 1:
                keys = c[:, 0].astype(np.int64)
            else:
                keys = self.lookup(c[:, :-1]) * self.n_items + c[:, -1]
            self._keys.append(keys)

    @property
    def max_len(self) -> int:
        return len(self.codes)

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def lookup(self, q: np.ndarray) -> np.ndarray:
        """Row number in the table of length ``q.shape[1]`` of each sorted row of ``q``; -1 when absent."""
        q = np.asarray(q, dtype=np.int64)
        m, k = q.shape
        if k == 0:
            return np.full(m, -1, dtype=np.int64)
        if k > len(self._keys) + 1 or k > self.max_len:
            return np.full(m, -1, dtype=np.int64)
        ids = self._first[q[:, 0]]
        for j in range(1, k):
            keys = self._keys[j]
            key = ids * self.n_items + q[:, j]
            pos = np.searchsorted(keys, key)
            pos_c = np.minimum(pos, max(len(keys) - 1, 0))
            ok = (ids >= 0) & (pos < len(keys)) & (keys[pos_c] == key) if len(keys) else np.zeros(m, bool)
            ids = np.where(ok, pos_c, -1)
        return ids

    def count_of(self, q: np.ndarray) -> np.ndarray:
        """Counts of the sorted rows of ``q`` (``n`` for the empty itemset); -1 when absent."""
        q = np.asarray(q, dtype=np.int64)
        if q.shape[1] == 0:
            return np.full(q.shape[0], self.n, dtype=np.int64)
        idx = self.lookup(q)
        counts = self.counts[q.shape[1] - 1]
        return np.where(idx >= 0, counts[np.maximum(idx, 0)], -1)

    def global_id(self, q: np.ndarray) -> np.ndarray:
        """A number unique over all lengths (offset of the length + row), -1 when absent; -2 for the empty set."""
        q = np.asarray(q, dtype=np.int64)
        if q.shape[1] == 0:
            return np.full(q.shape[0], -2, dtype=np.int64)
        idx = self.lookup(q)
        return np.where(idx >= 0, idx + self.offsets[q.shape[1] - 1], -1)


def _sort_level(codes: np.ndarray, counts: np.ndarray):
    """Rows sorted inside, then in lexicographic order."""
    codes = np.sort(codes, axis=1)
    if len(codes):
        order = np.lexsort(codes.T[::-1])
        codes, counts = codes[order], counts[order]
    return np.ascontiguousarray(codes, dtype=np.int64), np.asarray(counts, dtype=np.int64)


def table_from_lists(sets_by_len: dict, n_items: int, n: int) -> ItemsetTable:
    """Build an :class:`ItemsetTable` from ``{k: (codes (m, k), counts (m,))}``."""
    codes, counts = [], []
    k = 1
    while k in sets_by_len and len(sets_by_len[k][1]):
        c, n_ = _sort_level(*sets_by_len[k])
        codes.append(c)
        counts.append(n_)
        k += 1
    return ItemsetTable(codes, counts, n_items, n)


# --------------------------------------------------------------------------------------
# engines
# --------------------------------------------------------------------------------------


def mine_mlxtend(X: sp.csr_matrix, minc: int, max_len: int | None, algorithm: str) -> ItemsetTable:
    """Frequent itemsets of the bool CSR matrix ``X`` (orders x items) with mlxtend.

    mlxtend compares ``count / n >= min_support`` in floating point; it is given the
    threshold ``(minc - 0.5) / n``, halfway between two counts, so its answer is exactly
    ``count >= minc`` whatever the rounding.
    """
    import pandas as pd
    from mlxtend.frequent_patterns import apriori, fpgrowth, fpmax

    n, n_items = X.shape
    fn = {"fpgrowth": fpgrowth, "apriori": apriori, "fpmax": fpmax}[algorithm]
    df = pd.DataFrame.sparse.from_spmatrix(X.astype(bool), columns=np.arange(n_items))
    res = fn(df, min_support=(minc - 0.5) / n, use_colnames=True, max_len=max_len)
    sets = res["itemsets"].to_list()
    counts = np.rint(res["support"].to_numpy(dtype=float) * n).astype(np.int64)
    lens = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
    by_len = {}
    for k in np.unique(lens):
        sel = np.flatnonzero(lens == k)
        mat = np.array([sorted(sets[i]) for i in sel], dtype=np.int64).reshape(len(sel), int(k))
        by_len[int(k)] = (mat, counts[sel])
    if algorithm == "fpmax":
        return _maximal_only_table(by_len, n_items, n)
    return table_from_lists(by_len, n_items, n)


def _maximal_only_table(by_len: dict, n_items: int, n: int) -> ItemsetTable:
    """fpmax returns only maximal itemsets, so lengths may skip; keep them per length as given."""
    tab = ItemsetTable([], [], n_items, n)
    tab.maximal_by_len = {k: _sort_level(*v) for k, v in by_len.items()}
    return tab


def mine_vertical(X: sp.csr_matrix, minc: int, max_len: int | None, chunk_nnz: int = 4_000_000) -> ItemsetTable:
    """Frequent itemsets by level-wise vertical counting with sparse products (see module doc)."""
    n, n_items = X.shape
    Xc = sp.csc_matrix(X, dtype=np.int32)
    Xc.sum_duplicates()
    Xc.data[:] = 1
    item_count = np.diff(Xc.indptr).astype(np.int64)
    freq1 = np.flatnonzero(item_count >= minc)
    codes = [freq1.reshape(-1, 1).astype(np.int64)]
    counts = [item_count[freq1]]
    # restrict the matrix to frequent items; column j of Xf is item freq1[j]
    Xf = Xc[:, freq1]
    # drop orders with fewer than 2 frequent items: they cannot hold a frequent pair
    Xr = Xf.tocsr()
    rows = np.flatnonzero(np.diff(Xr.indptr) >= 2)
    Xr = Xr[rows]
    Xf = Xr.tocsc()
    XfT = Xr  # CSR rows = orders
    # Y: orders x itemsets of the previous level (CSC), parent's last item (local code)
    Y = Xf
    last = np.arange(len(freq1), dtype=np.int64)  # local code of the last item of each itemset
    prev_local = last.reshape(-1, 1)
    k = 1
    while (max_len is None or k < max_len) and Y.shape[1] > 0:
        k += 1
        new_parent, new_item, new_count = [], [], []
        m = Y.shape[1]
        col_nnz = np.diff(Y.indptr)
        # chunk the itemsets so that the product stays small
        mean_row = np.diff(XfT.indptr).mean() if XfT.shape[0] else 0.0
        cum = np.cumsum(col_nnz * mean_row)
        cuts = np.searchsorted(cum, np.arange(1, int(cum[-1] // chunk_nnz) + 1) * chunk_nnz) if m else []
        bounds = np.unique(np.concatenate([[0], np.asarray(cuts, dtype=np.int64) + 1, [m]]).clip(0, m))
        for a, b in zip(bounds[:-1], bounds[1:]):
            P = (Y[:, a:b].T @ XfT).tocoo()  # (itemsets x items) co-occurrence counts
            r, c, v = P.row.astype(np.int64) + a, P.col.astype(np.int64), P.data.astype(np.int64)
            keep = (c > last[r]) & (v >= minc)
            new_parent.append(r[keep])
            new_item.append(c[keep])
            new_count.append(v[keep])
        if not new_parent:
            break
        parent = np.concatenate(new_parent)
        item = np.concatenate(new_item)
        cnt = np.concatenate(new_count)
        if parent.size == 0:
            break
        order = np.lexsort((item, parent))
        parent, item, cnt = parent[order], item[order], cnt[order]
        local = np.hstack([prev_local[parent], item.reshape(-1, 1)])
        codes.append(freq1[local])
        counts.append(cnt)
        if max_len is not None and k >= max_len:
            break
        # tid-lists of the new itemsets: parent's column AND the item's column
        Ynew = Y[:, parent].multiply(Xf[:, item]).tocsc()
        Ynew.eliminate_zeros()
        Y = Ynew
        last = item
        prev_local = local
    # the rows of each level are in lexicographic order by construction (parents in order,
    # then items ascending), codes within rows ascending because freq1 is ascending
    return ItemsetTable([np.ascontiguousarray(c) for c in codes], counts, n_items, n)


def closed_maximal_flags(tab: ItemsetTable):
    """Per length, bool arrays (closed, maximal) among the itemsets of the table.

    An itemset is maximal when no one-item superset is frequent, closed when no one-item
    superset has the same count (if any superset has the same count, a one-item superset
    does). Itemsets of the longest mined length count as having no superset.
    """
    closed = [np.ones(len(c), bool) for c in tab.counts]
    maximal = [np.ones(len(c), bool) for c in tab.counts]
    for k in range(2, tab.max_len + 1):
        sup = tab.codes[k - 1]
        cnt = tab.counts[k - 1]
        for j in range(k):
            sub = np.delete(sup, j, axis=1)
            idx = tab.lookup(sub)
            maximal[k - 2][idx] = False
            same = cnt == tab.counts[k - 2][idx]
            closed[k - 2][idx[same]] = False
    return closed, maximal
