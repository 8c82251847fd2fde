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
``vertical``   crmmine's own miner (:func:`mine_vertical`): Eclat (Zaki 2000) on packed bitsets over
               projections. Items in ascending order of support (rarest first); the itemsets whose first
               item is ``a`` are counted on bitsets of the orders holding ``a`` only, pairs from the
               projection's column counts, deeper levels by AND + popcount over the pairs of members of a
               prefix class (itemsets sharing all but their last item), subtrees of one bitset width
               batched together. It finds exactly the itemsets mlxtend finds (tested).
``levelwise``  the previous engine (:func:`mine_levelwise`, kept for the tests): level-wise vertical
               counting; the counts of all pairs of a level's prefix classes come from one sparse Gram
               product ``Z^T Z`` (``Z``: a row per (class, order), a column per itemset), the deep levels
               on packed bitsets.

References
----------
Zaki, M. J. (2000). Scalable algorithms for association mining. IEEE Transactions on
Knowledge and Data Engineering 12(3), 372-390 (prefix-based equivalence classes, Eclat).
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
        self.offsets = np.cumsum([0] + [len(c) for c in self.counts])
        self._keys_built = None

    @property
    def _keys(self):
        """The recursive keys of every length, built on the first lookup (a frame of itemsets needs none)."""
        if self._keys_built is None:
            first = np.full(self.n_items, -1, dtype=np.int64)
            if self.codes:
                first[self.codes[0][:, 0]] = np.arange(len(self.codes[0]))
            self._first = first
            self._keys_built = []
            for k, c in enumerate(self.codes, start=1):
                if k == 1:
                    keys = c[:, 0].astype(np.int64)
                else:
                    keys = self.lookup(c[:, :-1]) * self.n_items + c[:, -1]
                self._keys_built.append(keys)
        return self._keys_built

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
        if k > self.max_len:
            return np.full(m, -1, dtype=np.int64)
        keys_all = self._keys if self._keys_built is None else self._keys_built
        ids = self._first[q[:, 0]]
        for j in range(1, k):
            keys = keys_all[j]
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
    import warnings

    import pandas as pd

    with warnings.catch_warnings():  # mlxtend sets a global warning filter when imported; keep the user's
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


class BudgetExceeded(Exception):
    """Raised by :func:`mine_vertical` when more than ``max_itemsets`` frequent itemsets turn up
    (private: the callers turn it into a :class:`~crmmine.errors.MiningBudgetError` with advice)."""

    def __init__(self, level: int, found: int):
        super().__init__(level, found)
        self.level, self.found = level, found


def _frequent_items(X, minc, max_itemsets):
    """The 0/1 baskets as a CSC matrix, each item's count and the frequent items in ascending count (so that an
    itemset's prefix, whose tid-list is scanned when it is extended, holds its rarest items); raises
    :class:`BudgetExceeded` when the frequent items alone exceed ``max_itemsets``."""
    Xc = sp.csc_matrix(X, dtype=np.int32)
    Xc.sum_duplicates()
    Xc.data[:] = 1
    item_count = np.diff(Xc.indptr).astype(np.int64)
    freq1 = np.flatnonzero(item_count >= minc)
    freq1 = freq1[np.argsort(item_count[freq1], kind="stable")]
    if max_itemsets is not None and len(freq1) > max_itemsets:
        raise BudgetExceeded(1, len(freq1))
    return Xc, item_count, freq1


def _frequent_rows(X, minc, max_itemsets):
    """As :func:`_frequent_items`, but the orders x frequent items matrix as CSR in local codes
    (rows sorted), built through a 1-byte CSC (the miner needs no counts in the cells)."""
    Xc = sp.csc_matrix(X, dtype=bool)
    Xc.sum_duplicates()
    item_count = np.diff(Xc.indptr).astype(np.int64)
    freq1 = np.flatnonzero(item_count >= minc)
    freq1 = freq1[np.argsort(item_count[freq1], kind="stable")]
    if max_itemsets is not None and len(freq1) > max_itemsets:
        raise BudgetExceeded(1, len(freq1))
    Xs = Xc[:, freq1]
    del Xc
    Xr = Xs.tocsr()  # counting sort by row: each row's items come out in ascending local code
    del Xs
    Xr.sort_indices()  # a check only (one scan): the conversion wrote them sorted
    return Xr, item_count, freq1


def mine_vertical(X: sp.csr_matrix, minc: int, max_len: int | None, max_itemsets: int | None = None,
                  chunk_bytes: int = 16 * 2**20) -> ItemsetTable:
    """Frequent itemsets by Eclat on packed bitsets over projected tid-lists (see module doc).

    Items are ordered by ascending count (local codes). For each item ``a`` in that order, the
    orders holding ``a`` are its projection: every itemset whose first (rarest) item is ``a`` is
    counted on bitsets of only those orders (``ceil(count(a) / 64)`` words each), so a rare
    item's whole subtree is counted on one or a few words per itemset. Inside a subtree the
    levels are mined breadth-first, all prefix classes of a level at once (AND + popcount of the
    pairs of members of a class, in chunks of about ``chunk_bytes``), and the pairs ``(a, b)``
    come from the projection's column counts. Memory is bounded by one subtree's largest level,
    not by a level of the whole search; :class:`BudgetExceeded` is raised as soon as more than
    ``max_itemsets`` frequent itemsets have been found.
    """
    n, n_items = X.shape
    Xr, item_count, freq1 = _frequent_rows(X, minc, max_itemsets)
    F = len(freq1)
    by_len = {1: ([freq1.reshape(-1, 1).astype(np.int64)], [item_count[freq1]])}
    found = F
    if F < 2 or (max_len is not None and max_len < 2):
        return _table_from_parts(by_len, freq1, n_items, n, local=False)
    Xr = Xr[np.flatnonzero(np.diff(Xr.indptr) >= 2)]  # an order with one frequent item holds no pair
    # 32-bit positions while the entries fit (one order-item pair: 12 bytes below, not 24)
    pos_t = np.int32 if Xr.nnz < 2**31 - 1 else np.int64
    indptr, indices = Xr.indptr.astype(np.int64), Xr.indices.astype(pos_t, copy=False)
    # the entries of item a, in CSR position, by item then order: the CSC of the CSR positions
    # (scipy's conversion is a stable counting sort, so orders stay ascending within an item)
    T = sp.csr_matrix((np.arange(1, Xr.nnz + 1, dtype=pos_t), Xr.indices, Xr.indptr), shape=Xr.shape).tocsc()
    by_item = T.data - 1
    item_ptr = T.indptr.astype(np.int64)
    del T, Xr
    row_end = np.repeat(indptr[1:].astype(pos_t), np.diff(indptr))  # one past the last entry of each entry's order
    pending, held = [], 0  # subtrees of the same bitset width, mined together (fewer, larger numpy calls)
    for a in range(F - 1):
        at = by_item[item_ptr[a]:item_ptr[a + 1]]  # a's entries; its orders are the rows of the projection
        ca = len(at)
        if ca < minc:
            continue
        # the projection: the items after a in each of a's orders (rows hold items ascending, so a suffix)
        lens = row_end[at] - at - 1
        pos = np.arange(int(lens.sum()), dtype=np.int64) + np.repeat(at + 1 - (np.cumsum(lens) - lens), lens)
        c = indices[pos]
        cnt = np.bincount(c, minlength=F)
        partners = np.flatnonzero(cnt >= minc)
        m = len(partners)
        if not m:
            continue
        _add(by_len, 2, np.column_stack([np.full(m, a, dtype=np.int64), partners]), cnt[partners])
        found += m
        if max_itemsets is not None and found > max_itemsets:
            raise BudgetExceeded(2, found)
        if m < 2 or (max_len is not None and max_len <= 2):
            continue
        r = np.repeat(np.arange(ca, dtype=np.int64), lens)
        slot = np.full(F, -1, dtype=np.int64)
        slot[partners] = np.arange(m)
        s = slot[c]
        keep = s >= 0
        n_words = (ca + 63) // 64
        if pending and (n_words != pending[0][2].shape[1] or held + m * n_words * 8 > chunk_bytes):
            found = _subtrees(pending, minc, max_len, by_len, found, max_itemsets, chunk_bytes)
            pending, held = [], 0
        dense = np.zeros((m, n_words * 64), dtype=bool)
        dense[s[keep], r[keep]] = True
        pending.append((a, partners, np.packbits(dense, axis=1, bitorder="little").view(np.uint64)))
        held += m * n_words * 8
        del dense
    if pending:
        found = _subtrees(pending, minc, max_len, by_len, found, max_itemsets, chunk_bytes)
    return _table_from_parts(by_len, freq1, n_items, n, local=True)


def _add(by_len: dict, k: int, codes: np.ndarray, counts: np.ndarray) -> None:
    c, n_ = by_len.setdefault(k, ([], []))
    c.append(codes.astype(np.int32 if k > 1 else np.int64))  # local codes (k > 1) are below the item count
    n_.append(counts.astype(np.int64))


def _table_from_parts(by_len: dict, freq1: np.ndarray, n_items: int, n: int, local: bool) -> ItemsetTable:
    out = {}
    for k, (c, n_) in by_len.items():
        codes = np.concatenate(c).astype(np.int64)
        out[k] = (freq1[codes] if local and k > 1 else codes, np.concatenate(n_))
    return table_from_lists(out, n_items, n)


def _subtrees(pending: list, minc: int, max_len, by_len: dict, found: int, max_itemsets, chunk_bytes: int) -> int:
    """Levels 3, 4, ... of the itemsets whose first item is one of the ``(a, partners, bits)`` of
    ``pending`` (bitsets of one width); returns the running count of itemsets.

    ``local`` holds the current level's itemsets (rows in lexicographic order, first item ``a``),
    ``bits`` their tid-lists over their ``a``'s orders. Two members of a prefix class (all but the
    last item shared, so the same ``a`` and the same projection) make a candidate, whose bitset is
    the AND of theirs; pairs come in (first member, second member) order, so each level comes out
    in lexicographic order with no sort.
    """
    local = np.concatenate([np.column_stack([np.full(len(p), a, dtype=np.int64), p]) for a, p, _ in pending])
    bits = np.concatenate([b for _, _, b in pending]) if len(pending) > 1 else pending[0][2]
    n_words = bits.shape[1]
    per_chunk = max(1, min(chunk_bytes // (n_words * 8), chunk_bytes // 64))
    k = 2
    while (max_len is None or k < max_len) and len(local) > 1:
        k += 1
        m = len(local)
        change = np.any(local[1:, :-1] != local[:-1, :-1], axis=1)
        cls = np.concatenate([[0], np.cumsum(change)])
        class_end = np.searchsorted(cls, cls, side="right")
        n_after = class_end - np.arange(m) - 1
        cum = np.cumsum(n_after)
        if not cum[-1]:
            break
        new_bits, new_first, new_second, new_cnt = [], [], [], []
        lo = 0
        while lo < m:  # members [lo, hi) whose pairs make about per_chunk candidates
            hi = max(lo + 1, int(np.searchsorted(cum, (cum[lo - 1] if lo else 0) + per_chunk, side="right")))
            na = n_after[lo:hi]
            tot = int(na.sum())
            if tot:
                f = np.repeat(np.arange(lo, hi, dtype=np.int64), na)
                g = f + 1 + (np.arange(tot, dtype=np.int64) - np.repeat(np.cumsum(na) - na, na))
                both = bits[f] & bits[g]
                cnt = np.bitwise_count(both).sum(axis=1, dtype=np.int64)
                keep = cnt >= minc
                nk = int(keep.sum())
                if nk:
                    found += nk
                    if max_itemsets is not None and found > max_itemsets:
                        raise BudgetExceeded(k, found)
                    new_bits.append(both[keep])
                    new_first.append(f[keep])
                    new_second.append(g[keep])
                    new_cnt.append(cnt[keep])
            lo = hi
        if not new_cnt:
            break
        f = np.concatenate(new_first)
        g = np.concatenate(new_second)
        cnt = np.concatenate(new_cnt)
        local = np.hstack([local[f], local[g, -1:]])
        _add(by_len, k, local, cnt)
        bits = np.concatenate(new_bits) if len(new_bits) > 1 else new_bits[0]
        del new_bits
    return found


def mine_levelwise(X: sp.csr_matrix, minc: int, max_len: int | None, chunk_nnz: int = 2_000_000,
                   max_itemsets: int | None = None, chunk_pairs: int = 4_000_000) -> ItemsetTable:
    """Frequent itemsets by level-wise vertical counting with sparse products (the previous engine,
    kept as a second implementation the tests compare :func:`mine_vertical` with).

    The work is bounded: each Gram product covers at most about ``chunk_nnz`` tid-list
    entries and ``chunk_pairs`` candidate pairs, and :class:`BudgetExceeded` is raised as soon
    as more than ``max_itemsets`` frequent itemsets have been found (one basket of 262 items
    bought twice would otherwise hold 2^262 frequent itemsets).
    """
    n, n_items = X.shape
    Xc, item_count, freq1 = _frequent_items(X, minc, max_itemsets)
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
    # Y: orders x itemsets of the previous level (CSC); prev_local: their local codes
    Y = Xf
    has_item = _membership(XfT)
    prev_local = np.arange(len(freq1), dtype=np.int64).reshape(-1, 1)
    k = 1
    while (max_len is None or k < max_len) and Y.shape[1] > 0:
        k += 1
        new_parent, new_item, new_count = [], [], []
        found = 0  # itemsets of this level so far
        m = Y.shape[1]
        # prefix classes: itemsets sharing all but their last item (contiguous, rows are in
        # lexicographic order); only two members of one class can make a (k)-itemset together
        if k == 2:
            cls = np.zeros(m, dtype=np.int64)
        else:
            change = np.any(prev_local[1:, :-1] != prev_local[:-1, :-1], axis=1)
            cls = np.concatenate([[0], np.cumsum(change)]).astype(np.int64)
        class_end = np.searchsorted(cls, cls, side="right")  # one past the last member of each one's class
        # Z: one row per (class, order) present, one column per itemset; Z^T Z holds the
        # counts of every pair of members of a class (the block-diagonal Gram matrix)
        col = np.repeat(np.arange(m, dtype=np.int64), np.diff(Y.indptr))
        key = cls[col] * Y.shape[0] + Y.indices
        _, zrow = np.unique(key, return_inverse=True)
        Z = sp.csc_matrix((np.ones(key.size, dtype=np.int32), zrow.reshape(-1), Y.indptr),
                          shape=(int(zrow.max(initial=-1)) + 1, m))
        # chunks of itemsets (rows of the Gram matrix) of about chunk_nnz tid-list entries
        cum = np.cumsum(np.diff(Y.indptr))
        cuts = np.searchsorted(cum, np.arange(1, int(cum[-1] // chunk_nnz) + 1) * chunk_nnz) if cum.size else []
        # and about chunk_pairs candidate pairs (partners of itemset i: the rest of its class)
        pairs = np.cumsum(class_end - np.arange(m) - 1)
        cuts2 = np.searchsorted(pairs, np.arange(1, int(pairs[-1] // chunk_pairs) + 1) * chunk_pairs) \
            if pairs.size and pairs[-1] > chunk_pairs else []
        bounds = np.unique(np.concatenate([[0], np.asarray(cuts, dtype=np.int64) + 1,
                                           np.asarray(cuts2, dtype=np.int64) + 1, [m]]).clip(0, m))
        for a, b in zip(bounds[:-1], bounds[1:]):
            hi = int(class_end[b - 1])
            P = (Z[:, a:b].T @ Z[:, a:hi]).tocoo()  # counts of member pairs (i in [a, b), j in [a, hi))
            r, c, v = P.row.astype(np.int64) + a, P.col.astype(np.int64) + a, P.data.astype(np.int64)
            keep = (c > r) & (v >= minc)
            new_parent.append(r[keep])
            new_item.append(prev_local[c[keep], -1])
            new_count.append(v[keep])
            found += int(keep.sum())
            if max_itemsets is not None and found + sum(len(c) for c in counts) > max_itemsets:
                raise BudgetExceeded(k, found + sum(len(c) for c in counts))
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
        if _bitset_bytes(local, Xr.shape[0]) <= _BITSET_WORK_BYTES:  # the deeper levels on packed bitsets
            _bitset_levels(Xf, local, minc, max_len, k, codes, counts, freq1)
            break
        # tid-lists of the new itemsets: parent's column AND the item's column
        Y = _extend_tidlists(Y, parent, item, cnt, has_item)
        prev_local = local
    return table_from_lists({k: (c, n_) for k, (c, n_) in enumerate(zip(codes, counts), start=1)}, n_items, n)


#: Bytes of bitsets the next level may AND in all before the miner leaves sparse Gram counting for
#: bitsets: on few candidate pairs (the deep levels of low supports) AND + popcount is cheaper than
#: building and multiplying the class matrix again; on many (level 2 and 3) the Gram product,
#: which only meets pairs that co-occur, wins.
_BITSET_WORK_BYTES = 256 * 2**20
#: Largest level (itemsets) from which the miner moves to bitsets.
_BITSET_MAX_LEVEL = 20_000
#: Bytes of bitsets ANDed at once (one chunk of candidate pairs).
_BITSET_CHUNK_BYTES = 32 * 2**20


def _bitset_bytes(local: np.ndarray, n_orders: int) -> int:
    """Bytes the next level's candidate pairs would AND on bitsets of ``n_orders`` bits."""
    if len(local) < 2:
        return 0
    if len(local) > _BITSET_MAX_LEVEL:  # a large level grows larger ones below it: stay sparse
        return 1 << 62
    change = np.any(local[1:, :-1] != local[:-1, :-1], axis=1)
    sizes = np.bincount(np.concatenate([[0], np.cumsum(change)]))
    pairs = int((sizes * (sizes - 1) // 2).sum())
    return pairs * 2 * ((n_orders + 63) // 64) * 8


def _bitset_levels(Xf: sp.csc_matrix, local: np.ndarray, minc: int, max_len: int | None, k: int, codes: list,
                   counts: list, freq1: np.ndarray) -> None:
    """Levels ``k + 1, k + 2, ...`` on packed bitsets (Zaki's Eclat on bit vectors), appended to ``codes``/``counts``.

    Each itemset of the current level holds its tid-list as a row of bits (one per order, packed
    in uint64 words). Two members of a prefix class (all but the last item shared) make a candidate;
    its tid-list is the AND of theirs and its count the popcount, for all candidate pairs of a chunk
    at once. Pairs are generated in (first member, second member) order, so the new level comes out
    in lexicographic order with no sort. ``Xf`` (orders x frequent items, CSC) and ``local`` (the
    current level's local item codes, lexicographic) are as in :func:`mine_vertical`.
    """
    n = Xf.shape[0]
    n_words = (n + 63) // 64
    # item bitsets: a dense bool row per frequent item, packed (little bit order) into uint64 words
    dense = np.zeros((Xf.shape[1], n_words * 64), dtype=bool)
    dense[np.repeat(np.arange(Xf.shape[1]), np.diff(Xf.indptr)), Xf.indices] = True
    items = np.packbits(dense, axis=1, bitorder="little").view(np.uint64)
    del dense
    # bitsets of the current level: AND of its items' bitsets
    bits = items[local[:, 0]].copy()
    for j in range(1, local.shape[1]):
        bits &= items[local[:, j]]
    del items
    per_chunk = max(1, _BITSET_CHUNK_BYTES // (n_words * 8))
    while (max_len is None or k < max_len) and len(local) > 1:
        k += 1
        m = len(local)
        change = np.any(local[1:, :-1] != local[:-1, :-1], axis=1)
        cls = np.concatenate([[0], np.cumsum(change)]).astype(np.int64)
        class_end = np.searchsorted(cls, cls, side="right")
        n_after = class_end - np.arange(m) - 1  # later members of the same class
        total = int(n_after.sum())
        if total == 0:
            break
        first = np.repeat(np.arange(m, dtype=np.int64), n_after)
        offset = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(n_after) - n_after, n_after)
        second = first + 1 + offset
        new_bits, new_first, new_second, new_cnt = [], [], [], []
        for a in range(0, total, per_chunk):
            f, g = first[a:a + per_chunk], second[a:a + per_chunk]
            both = bits[f] & bits[g]
            cnt = np.bitwise_count(both).sum(axis=1, dtype=np.int64)
            keep = cnt >= minc
            if keep.any():
                new_bits.append(both[keep])
                new_first.append(f[keep])
                new_second.append(g[keep])
                new_cnt.append(cnt[keep])
        if not new_cnt:
            break
        f = np.concatenate(new_first)
        g = np.concatenate(new_second)
        cnt = np.concatenate(new_cnt)
        local = np.hstack([local[f], local[g, -1:]])
        codes.append(freq1[local])
        counts.append(cnt)
        bits = np.concatenate(new_bits)
        del new_bits


def _membership(Xr: sp.csr_matrix, max_bytes: int = 256 * 2**20):
    """``f(rows, cols) -> bool array``: is ``Xr[rows, cols]`` set? A packed bitmap (one bit
    per order and item) when it fits in ``max_bytes``, else a binary search in the sorted
    (row, column) keys."""
    n_rows, n_cols = Xr.shape
    rows = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(Xr.indptr))
    cols = Xr.indices.astype(np.int64)
    nb = (n_cols + 7) // 8
    if n_rows * nb <= max_bytes:
        bitmap = np.zeros(n_rows * nb, dtype=np.uint8)
        byte = rows * nb + (cols >> 3)  # non-decreasing: rows ascending, columns sorted
        bit = (1 << (cols & 7)).astype(np.uint8)
        if byte.size:
            starts = np.flatnonzero(np.r_[True, byte[1:] != byte[:-1]])
            bitmap[byte[starts]] = np.add.reduceat(bit, starts).astype(np.uint8)  # distinct bits: sum = or

        def has(r, c):
            return (bitmap[r * nb + (c >> 3)] >> (c & 7).astype(np.uint8)) & 1 == 1

        return has
    keys = rows * n_cols + cols

    def has(r, c):
        q = r * n_cols + c
        pos = np.minimum(np.searchsorted(keys, q), keys.size - 1)
        return keys[pos] == q

    return has


def _extend_tidlists(Y: sp.csc_matrix, parent, item, cnt, has_item) -> sp.csc_matrix:
    """Tid-lists (CSC columns) of ``parent itemset + item``: the parent's orders that hold the item."""
    starts = Y.indptr[parent].astype(np.int64)
    lens = (Y.indptr[parent + 1] - Y.indptr[parent]).astype(np.int64)
    total = int(lens.sum())
    pos = np.arange(total, dtype=np.int64) + np.repeat(starts - (np.cumsum(lens) - lens), lens)
    rows = Y.indices[pos].astype(np.int64)
    hit = has_item(rows, np.repeat(item, lens))
    indptr = np.concatenate([[0], np.cumsum(cnt)]).astype(np.int64)
    out = sp.csc_matrix((np.ones(int(hit.sum()), dtype=np.int32), rows[hit], indptr), shape=(Y.shape[0], len(parent)))
    return out


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


def hypergeom_sf(k, N, K, n, tol: float = 1e-17, max_terms: int | None = None):
    """P(X >= k) for X ~ Hypergeometric(N objects, K successes, n draws), vectorised.

    The same value as ``scipy.stats.hypergeom.sf(k - 1, N, K, n)`` (R's
    ``phyper(k - 1, K, N - K, n, lower.tail = FALSE)``), about 50 times faster on many
    arguments: from the probability of ``k`` (a table of log-factorials), the tail is summed with the
    ratio of consecutive probabilities, away from the mode so that terms shrink
    geometrically: upwards for ``k`` above the mode, else ``1 -`` the lower tail summed
    downwards from ``k - 1``. Terms below ``tol`` times the running sum end the sum, at the
    latest ``max_terms`` after the start (default: 12 standard deviations of the widest
    distribution plus 100, capped at 20,000; the tail beyond 9 standard deviations is below
    1e-17); arguments still unfinished then go to scipy. Relative error below 1e-8 against
    scipy (tested).
    """

    from scipy.special import gammaln

    k = np.asarray(k, dtype=float)
    N = np.broadcast_to(np.asarray(N, dtype=float), k.shape).astype(float)
    K = np.asarray(K, dtype=float) * np.ones_like(k)
    n = np.asarray(n, dtype=float) * np.ones_like(k)
    lo = np.maximum(0.0, n + K - N)
    hi = np.minimum(n, K)
    mode = np.floor((n + 1.0) * (K + 1.0) / (N + 2.0))
    out = np.empty(k.shape)
    upper = k > mode
    out[k <= lo] = 1.0
    out[k > hi] = 0.0

    # log-factorials of 0..max(N) once: log C(a, b) = lf[a] - lf[b] - lf[a - b] by table look-up
    lf = gammaln(np.arange(int(N.max(initial=0)) + 2, dtype=float) + 1.0)

    def logpmf(x, N, K, n):
        xi, Ni, Ki, ni = (np.asarray(v, dtype=np.int64) for v in (x, N, K, n))
        return (lf[Ki] - lf[xi] - lf[Ki - xi] + lf[Ni - Ki] - lf[ni - xi] - lf[Ni - Ki - ni + xi]
                - lf[Ni] + lf[ni] + lf[Ni - ni])

    if max_terms is None:
        var = n * (K / np.maximum(N, 1.0)) * (1.0 - K / np.maximum(N, 1.0)) * (N - n) / np.maximum(N - 1.0, 1.0)
        max_terms = int(min(20_000, 12.0 * np.sqrt(var.max(initial=0.0)) + 100))

    # upper tail, summed upwards from k
    idx = np.flatnonzero(upper & (k <= hi) & (k > lo))
    if idx.size:
        x, NN, KK, nn, top = k[idx].copy(), N[idx], K[idx], n[idx], hi[idx]
        t = np.exp(logpmf(x, NN, KK, nn))
        s = t.copy()
        act = np.arange(idx.size)
        for _ in range(max_terms):
            if not act.size:
                break
            xa = x[act]
            t_new = t[act] * (KK[act] - xa) * (nn[act] - xa) / ((xa + 1.0) * (NN[act] - KK[act] - nn[act] + xa + 1.0))
            x[act] = xa + 1.0
            t[act] = t_new
            s[act] += np.where(x[act] <= top[act], t_new, 0.0)
            act = act[(x[act] < top[act]) & (t_new > tol * s[act])]
        out[idx] = np.minimum(s, 1.0)
        if act.size:
            from scipy.stats import hypergeom  # imported only when needed: scipy.stats takes ~1 s to import

            j = idx[act]
            out[j] = hypergeom.sf(k[j] - 1.0, N[j], K[j], n[j])
    # lower tail, summed downwards from k - 1: sf = 1 - cdf(k - 1)
    idx = np.flatnonzero(~upper & (k <= hi) & (k > lo))
    if idx.size:
        x, NN, KK, nn, bottom = k[idx] - 1.0, N[idx], K[idx], n[idx], lo[idx]
        t = np.exp(logpmf(x, NN, KK, nn))
        s = t.copy()
        act = np.arange(idx.size)
        for _ in range(max_terms):
            if not act.size:
                break
            xa = x[act]
            t_new = t[act] * xa * (NN[act] - KK[act] - nn[act] + xa) / ((KK[act] - xa + 1.0) * (nn[act] - xa + 1.0))
            x[act] = xa - 1.0
            t[act] = t_new
            s[act] += np.where(x[act] >= bottom[act], t_new, 0.0)
            act = act[(x[act] > bottom[act]) & (t_new > tol * s[act])]
        out[idx] = np.clip(1.0 - s, 0.0, 1.0)
        if act.size:
            from scipy.stats import hypergeom  # imported only when needed: scipy.stats takes ~1 s to import

            j = idx[act]
            out[j] = hypergeom.sf(k[j] - 1.0, N[j], K[j], n[j])
    return out
