"""Recommenders beyond rules: item-based collaborative filtering, a popularity-aware hybrid, "buy again".

Every recommender here takes the canonical transactions and returns the same table
(:data:`RECOMMENDER_COLUMNS`): per customer, the ``top_n`` items ranked by a score, each with
an estimated probability (``confidence``), the item that explains it (``because``) and a
readable explanation (``reason``, English or Chinese).

* **Item-based collaborative filtering** (Sarwar, Karypis, Konstan & Riedl 2001; Deshpande &
  Karypis 2004). ``B`` is the binary customers x items matrix of purchases before ``as_of``.
  The co-occurrence ``C = B.T @ B`` counts the customers who bought both items; the
  similarity of item *j* to item *i* is the cosine ``C[j, i] / sqrt(n_j * n_i)`` (Deshpande &
  Karypis 2004, eq. 1; ``alpha`` generalises the exponents, their eq. 2). Each item keeps its
  ``n_neighbors`` most similar items and that row is normalised to sum to 1 (their section
  4.2); a customer's score for item *i* is ``sum_j B[u, j] * S[j, i]`` (their eq. 3).
  Everything is sparse: ``C`` is built for a block of items at a time and pruned to the
  neighbours before the next block, so a 100k-item catalogue never becomes a dense matrix.
  The explanation is the item of the customer's history with the largest ``S[j, i]``;
  ``confidence`` is the share of that item's buyers who also bought *i* (the confidence of
  the rule ``j -> i`` at customer level, Agrawal et al. 1993).
* **Hybrid** (a weighted hybrid, Burke 2002): ``(1 - w) * personal / max(personal) + w *
  popularity / max(popularity)``, where ``personal`` is the item-CF score (plus the "buy
  again" score when already bought items may be recommended). Customers with a short or no
  personal list get popular items, so every list is filled.
* **Buy again**: the items a customer bought before, ranked by the number of their orders
  that held the item (ties: the more recent), optionally decayed with a half-life (a
  repeat-purchase recommender; Bhagat et al. 2018 show it is hard to beat in groceries).
* **Most popular** and **random**: the baselines of recommenderlab (Hahsler 2022).

References
----------
.. [1] B. Sarwar, G. Karypis, J. Konstan, J. Riedl (2001), "Item-based collaborative filtering
   recommendation algorithms", Proc. WWW10, 285-295.
.. [2] M. Deshpande, G. Karypis (2004), "Item-based top-N recommendation algorithms", ACM
   Transactions on Information Systems 22(1), 143-177.
.. [3] R. Burke (2002), "Hybrid recommender systems: survey and experiments", User Modeling and
   User-Adapted Interaction 12(4), 331-370.
.. [4] R. Bhagat, S. Muralidharan, A. Lobzhanidze, S. Vishwanath (2018), "Buy it again: modeling
   repeat purchase recommendations", Proc. KDD 2018, 62-70.
.. [5] M. Hahsler (2022), "recommenderlab: an R framework for developing and testing recommendation
   algorithms", arXiv:2205.12371.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..data.schema import STRING_DTYPE
from ..errors import MissingColumnError, ParameterError
from ..text.labels import label
from ..validation import check_choice, check_date, check_fraction, check_int, check_number
from .recommend import _check_customers, _level_column, recommend

__all__ = [
    "RECOMMENDER_COLUMNS",
    "RECOMMENDERS",
    "recommend_item_cf",
    "recommend_hybrid",
    "recommend_buy_again",
    "recommend_random",
    "recommend_with",
]

#: Columns of every recommender of this module (the item column is ``product_id``, or ``category``).
RECOMMENDER_COLUMNS: tuple[str, ...] = (
    "customer_id", "rank", "product_id", "score", "confidence", "method", "because", "reason",
)
#: Recommender names understood by :func:`recommend_with` and :func:`crmmine.compare_recommenders`.
RECOMMENDERS: tuple[str, ...] = ("item_cf", "hybrid", "buy_again", "rules", "popular", "random")

_BLOCK_NNZ = 20_000_000  # entries of a co-occurrence or score block before pruning (~400 MB at most)


# ---------------------------------------------------------------------------------------
# checks and the purchase matrix
# ---------------------------------------------------------------------------------------
def _check_bool(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ParameterError(f"The '{name}' parameter must be True or False. Got {value!r} instead.")
    return bool(value)


@dataclass
class _Purchases:
    """The purchases before ``as_of`` as sparse matrices (input already validated).

    ``counts[u, i]`` = number of distinct orders of customer *u* holding item *i*;
    ``last[u, i]`` = day number (days since 1970) of the last such order; ``customers``
    and ``items`` are sorted string indexes; ``target`` the rows to recommend to.
    """

    counts: sp.csr_matrix
    last: sp.csr_matrix
    customers: pd.Index
    items: pd.Index
    target: np.ndarray
    target_ids: np.ndarray
    n_orders: np.ndarray  # orders per customer
    item_col: str


def _purchases(tx, *, level: str, as_of, customers) -> _Purchases:
    if not isinstance(tx, pd.DataFrame):
        raise ParameterError(f"The 'tx' parameter must be a pandas DataFrame. Got {type(tx).__name__} instead.")
    item_col = _level_column(level, tx)
    missing = [c for c in ("customer_id", "order_id", "order_date", item_col) if c not in tx.columns]
    if missing:
        raise MissingColumnError(
            f"The transactions lack the column(s) {', '.join(map(repr, missing))}; pass the canonical table "
            "(crmmine.load_clean(...).transactions)."
        )
    mask = tx["customer_id"].notna().to_numpy() & tx[item_col].notna().to_numpy() & tx["order_date"].notna().to_numpy()
    if "quantity" in tx.columns:
        mask &= (tx["quantity"] > 0).fillna(False).to_numpy(dtype=bool)
    if as_of is not None:
        mask &= (tx["order_date"] < as_of).to_numpy()
    p = tx.loc[mask, ["customer_id", "order_id", "order_date", item_col]]
    cc, cust = pd.factorize(p["customer_id"].astype(STRING_DTYPE), sort=True)
    ic, items = pd.factorize(p[item_col].astype(STRING_DTYPE), sort=True)
    oc = pd.factorize(p["order_id"].astype(STRING_DTYPE))[0].astype(np.int64)
    day = p["order_date"].to_numpy(dtype="datetime64[D]").astype(np.int64).astype(np.float64)
    n_c, n_i = len(cust), max(len(items), 1)
    # one entry per (order, item): an order belongs to one customer
    _, first = np.unique(oc * n_i + ic, return_index=True)
    rc, ri, rd = cc[first].astype(np.int64), ic[first].astype(np.int64), day[first]
    counts = sp.csr_matrix((np.ones(rc.size), (rc, ri)), shape=(n_c, len(items)))
    counts.sum_duplicates()
    # last day per (customer, item): sort by (pair, day), keep each pair's last entry
    pair = rc * n_i + ri
    o = np.lexsort((rd, pair))
    pair, rd = pair[o], rd[o]
    end = np.r_[pair[1:] != pair[:-1], True] if pair.size else np.zeros(0, dtype=bool)
    last = sp.csr_matrix((rd[end] + 1.0, (pair[end] // n_i, pair[end] % n_i)), shape=(n_c, len(items)))
    last.sort_indices()
    counts.sort_indices()
    _, ofirst = np.unique(oc, return_index=True)
    n_orders = np.bincount(cc[ofirst], minlength=n_c)
    cust = pd.Index(np.asarray(cust, dtype=object))
    items = pd.Index(np.asarray(items, dtype=object))
    if customers is None:
        target_ids = cust.to_numpy()
        target = np.arange(n_c)
    else:
        target_ids = _check_customers(customers)
        target = cust.get_indexer(target_ids)
    return _Purchases(counts, last, cust, items, target, target_ids, n_orders, item_col)


def _rows_of(M: sp.csr_matrix, target: np.ndarray) -> sp.csr_matrix:
    """Rows ``target`` of ``M``; a row index -1 (unknown customer) gives an empty row."""
    known = target >= 0
    out = M[np.where(known, target, 0)]
    if not known.all():
        out = sp.diags(known.astype(M.dtype)) @ out
        out.eliminate_zeros()
    return out.tocsr()


def _segment_order(rows: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """Order of entries by row ascending, then value descending, ties by position (stable).

    ``rows`` must be sorted. One float64 sort key ``row * 4 + (1 - value / max)``: values that
    differ by less than about 1e-9 of the largest tie (input already validated).
    """
    if not rows.size:
        return np.zeros(0, dtype=np.int64)
    top = np.abs(vals).max()
    scaled = vals / top if top > 0 else vals
    return np.argsort(rows * 4.0 + (1.0 - scaled), kind="stable")


def _top_per_row(S: sp.csr_matrix, n: int):
    """(row, col, value, rank) of the ``n`` largest entries of each row of ``S`` (entries > 0; ties: smaller column).

    Rows are taken in blocks of about 4 million cells. A dense-enough block (over 5% filled) is
    unpacked and cut with ``np.argpartition`` (linear time per row); a sparse block is ordered
    with one sort of its entries. A block never holds more than the cell budget, so memory stays
    bounded whatever the catalogue size.
    """
    S = S.tocsr()
    S.sort_indices()
    n_r, n_c = S.shape
    step = max(1, 4_000_000 // max(n_c, 1))
    out = []
    for lo in range(0, n_r, step):  # blocks of rows (a few hundred at most), not single rows
        B = S[lo:lo + step]
        b = B.shape[0]
        if B.nnz > 0.05 * b * n_c and n_c > n:
            D = B.toarray()
            k = min(n, n_c)
            idx = np.argpartition(-D, k - 1, axis=1)[:, :k]
            vals = np.take_along_axis(D, idx, axis=1)
            o = np.lexsort((idx, -vals), axis=1)
            idx, vals = np.take_along_axis(idx, o, axis=1), np.take_along_axis(vals, o, axis=1)
            keep = (vals > 0).ravel()
            rows = np.repeat(np.arange(lo, lo + b, dtype=np.int64), k)[keep]
            out.append((rows, idx.ravel()[keep].astype(np.int64), vals.ravel()[keep],
                        np.tile(np.arange(1, k + 1), b)[keep]))
        else:
            rows = np.repeat(np.arange(b, dtype=np.int64), np.diff(B.indptr))
            o = _segment_order(rows, B.data)
            rows, cols, vals = rows[o], B.indices.astype(np.int64)[o], B.data[o]
            rank = np.arange(rows.size) - B.indptr[:-1][rows]
            k = (rank < n) & (vals > 0)
            out.append((rows[k] + lo, cols[k], vals[k], rank[k] + 1))
    if not out:
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0), z
    return tuple(np.concatenate([o[j] for o in out]) for j in range(4))


def _drop_owned(S: sp.csr_matrix, owned: sp.csr_matrix) -> sp.csr_matrix:
    mask = owned.astype(bool).astype(S.dtype)
    out = (S - S.multiply(mask)).tocsr()
    out.eliminate_zeros()
    return out


# ---------------------------------------------------------------------------------------
# item-item similarity (sparse, blockwise, pruned)
# ---------------------------------------------------------------------------------------
def item_neighbors(B: sp.csr_matrix, *, n_neighbors: int = 20, alpha: float = 0.5):
    """Each item's ``n_neighbors`` most similar items: (similarity rows normalised to 1, co-occurrence counts).

    ``B`` is the binary customers x items matrix (input already validated). The co-occurrence
    ``B[:, J].T @ B`` is built for a block ``J`` of items at a time, sized so the block holds
    at most about 20 million entries, and pruned to the neighbours before the next block.
    """
    B = B.tocsc().astype(np.float64)
    n_i = B.shape[1]
    n = np.asarray(B.sum(axis=0)).ravel()
    Bt = B.T.tocsr()
    Br = B.tocsr()
    # estimated entries of row block J: sum over its items of the customers' basket sizes
    row_len = np.diff(Br.indptr).astype(np.float64)
    per_item = np.asarray(Bt @ row_len).ravel()
    rows_s, cols_s, sims, cnts = [], [], [], []
    lo = 0
    while lo < n_i:
        # grow the block while its co-occurrence entries stay under the budget
        cum = np.cumsum(per_item[lo:])
        hi = lo + max(1, int(np.searchsorted(cum, _BLOCK_NNZ, side="right")))
        C = (Bt[lo:hi] @ Br).tocsr()  # items in block x all items, co-occurrence counts
        C.sort_indices()
        r = np.repeat(np.arange(lo, hi, dtype=np.int64), np.diff(C.indptr))
        c = C.indices.astype(np.int64)
        keep = r != c
        r, c, cnt = r[keep], c[keep], C.data[keep]
        sim = cnt / (n[r] ** alpha * n[c] ** (1.0 - alpha))
        Sb = sp.csr_matrix((sim, (r - lo, c)), shape=(hi - lo, n_i))
        r, c, sim, _ = _top_per_row(Sb, n_neighbors)  # ties: smaller item index
        r = r + lo
        rows_s.append(r); cols_s.append(c); sims.append(sim)
        cnts.append(np.round(sim * n[r] ** alpha * n[c] ** (1.0 - alpha)))
        lo = hi
    r = np.concatenate(rows_s) if rows_s else np.zeros(0, np.int64)
    c = np.concatenate(cols_s) if cols_s else np.zeros(0, np.int64)
    s = np.concatenate(sims) if sims else np.zeros(0)
    cnt = np.concatenate(cnts) if cnts else np.zeros(0)
    total = np.bincount(r, weights=s, minlength=n_i)
    s = s / np.where(total[r] > 0, total[r], 1.0)
    S = sp.csr_matrix((s, (r, c)), shape=(n_i, n_i))
    S.sort_indices()
    Cn = sp.csr_matrix((cnt, (r, c)), shape=(n_i, n_i))
    Cn.sort_indices()
    return S, Cn, n


def _lookup(M: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``M[rows, cols]`` for many pairs at once, 0 where absent (M has sorted indices)."""
    if M.shape[0] * M.shape[1] <= 4_000_000:  # a small matrix (e.g. 2,000 items): index a dense copy
        return M.toarray()[rows, cols]
    n_col = M.shape[1]
    mrows = np.repeat(np.arange(M.shape[0], dtype=np.int64), np.diff(M.indptr))
    mkey = mrows * n_col + M.indices
    key = rows.astype(np.int64) * n_col + cols
    pos = np.searchsorted(mkey, key)
    pos = np.minimum(pos, max(mkey.size - 1, 0))
    found = mkey.size > 0
    hit = (mkey[pos] == key) if found else np.zeros(key.size, dtype=bool)
    return np.where(hit, M.data[pos] if found else 0.0, 0.0)


def _anchors(H: sp.csr_matrix, S: sp.csr_matrix, rec_rows: np.ndarray, rec_items: np.ndarray):
    """For each recommended (row, item): the history item j maximising S[j, item], and that similarity.

    The pairs are expanded with the customer's history (sorted item indices), the maximum per
    pair taken with ``np.maximum.reduceat`` and the first (smallest) item reaching it kept:
    linear, no sort. Pairs whose customer has no history, or no similar item, get -1.
    """
    H = H.tocsr()
    H.sort_indices()
    lens = np.diff(H.indptr)[rec_rows]
    anchor = np.full(rec_rows.size, -1, dtype=np.int64)
    best = np.zeros(rec_rows.size)
    has = np.flatnonzero(lens > 0)
    if not has.size:
        return anchor, best
    lens = lens[has]
    pair = np.repeat(np.arange(has.size, dtype=np.int64), lens)
    starts = np.cumsum(lens) - lens
    offs = np.arange(pair.size) - starts[pair]
    j = H.indices[H.indptr[rec_rows[has]][pair] + offs].astype(np.int64)
    val = _lookup(S, j, rec_items[has][pair])
    mx = np.maximum.reduceat(val, starts)
    at_max = np.flatnonzero((val == mx[pair]) & (val > 0))
    first_pair, first = np.unique(pair[at_max], return_index=True)
    anchor[has[first_pair]] = j[at_max[first]]
    best[has] = mx
    return anchor, best


def _cf_scores(P: _Purchases, *, n_neighbors: int, alpha: float, rows: np.ndarray):
    """Item-CF scores (rows x items, sparse) for customer rows ``rows`` and the neighbour matrices."""
    B = P.counts.astype(bool).astype(np.float64)
    S, C, n = item_neighbors(B, n_neighbors=n_neighbors, alpha=alpha)
    H = _rows_of(B.tocsr(), rows)
    return H, (H @ S).tocsr(), S, C, n


# ---------------------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------------------
def _empty(item_col: str) -> pd.DataFrame:
    cols = [item_col if c == "product_id" else c for c in RECOMMENDER_COLUMNS]
    out = pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    for c in ("customer_id", item_col, "method", "because", "reason"):
        out[c] = out[c].astype(STRING_DTYPE)
    out["rank"] = out["rank"].astype("int64")
    return out


def _table(P: _Purchases, rows, items, score, rank, confidence, method, because, reason) -> pd.DataFrame:
    """The output table (rows index P.target_ids), sorted by customer then rank."""
    o = np.lexsort((rank, rows))
    out = pd.DataFrame(
        {
            "customer_id": pd.array(P.target_ids[rows[o]].astype(object), dtype=STRING_DTYPE),
            "rank": np.asarray(rank)[o].astype("int64"),
            P.item_col: pd.array(P.items.to_numpy()[items[o]], dtype=STRING_DTYPE),
            "score": np.asarray(score, dtype="float64")[o],
            "confidence": np.asarray(confidence, dtype="float64")[o],
            "method": pd.array(np.full(o.size, method, dtype=object), dtype=STRING_DTYPE),
            "because": pd.array(np.asarray(because, dtype=object)[o], dtype=STRING_DTYPE),
            "reason": pd.array(np.asarray(reason, dtype=object)[o], dtype=STRING_DTYPE),
        }
    )
    return out.reset_index(drop=True)


def _fmt_pct(x: np.ndarray) -> np.ndarray:
    """Shares as whole percentages, "66%" (vectorised in Arrow)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    pct = pa.array(np.round(100 * np.asarray(x, dtype=float)).astype(np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(pct, pa.scalar("%"), "").to_numpy(zero_copy_only=False).astype(object)


def _reasons(key: str, lang, **columns) -> np.ndarray:
    """``label(key, **{name: columns[name][k]})`` for every row k, without a Python call per row.

    The label's text is split at its ``{placeholders}`` (``string.Formatter``) and the pieces
    are joined column-wise by Arrow (``binary_join_element_wise``).
    """
    from string import Formatter

    import pyarrow as pa
    import pyarrow.compute as pc

    text = label(key, lang=lang)
    n = len(next(iter(columns.values()))) if columns else 0
    parts = []
    for literal, field_name, _, _ in Formatter().parse(text):
        if literal:
            parts.append(pa.scalar(literal))
        if field_name:
            col = np.asarray(columns[field_name])
            arr = pa.array(col if col.dtype != object else col.astype(str))
            parts.append(arr if pa.types.is_string(arr.type) else arr.cast(pa.string()))
    if not any(isinstance(p, pa.Array) for p in parts):
        return np.full(n, text, dtype=object)
    return pc.binary_join_element_wise(*parts, "").to_numpy(zero_copy_only=False).astype(object)


def _popularity(P: _Purchases) -> np.ndarray:
    """Customers who bought each item (before ``as_of``)."""
    return np.bincount(P.counts.indices, minlength=len(P.items)).astype(np.float64)


def _popular_candidates(P: _Purchases, rows: np.ndarray, n: int, exclude: bool, pop: np.ndarray):
    """The ``n`` most popular items per customer row (not owned when ``exclude``); sparse rows x items.

    Walks the popularity list in windows that double in width; only the customers whose list
    is still short go on to the next window (most stop after the first).
    """
    order = np.lexsort((np.arange(pop.size), -pop))
    order = order[pop[order] > 0]
    n_r = rows.size
    H = _rows_of(P.counts, rows).tocsc() if exclude else None
    parts = []
    todo = np.arange(n_r)
    got = np.zeros(n_r, dtype=np.int64)
    lo, width = 0, 4 * n
    while todo.size and lo < order.size:
        win = order[lo:lo + width]
        avail = np.ones((todo.size, win.size), dtype=bool)
        if H is not None:
            avail &= ~H[:, win][todo].toarray().astype(bool)
        rank = got[todo][:, None] + np.cumsum(avail, axis=1)
        take = avail & (rank <= n)
        r, c = np.nonzero(take)
        parts.append((todo[r], win[c]))
        got[todo] = np.minimum(rank[:, -1], n)
        todo = todo[got[todo] < n]
        lo, width = lo + win.size, 2 * width
    if not parts:
        return sp.csr_matrix((n_r, pop.size))
    r = np.concatenate([p[0] for p in parts])
    c = np.concatenate([p[1] for p in parts])
    return sp.csr_matrix((pop[c], (r, c)), shape=(n_r, pop.size))


# ---------------------------------------------------------------------------------------
# public recommenders
# ---------------------------------------------------------------------------------------
def _common(tx, top_n, customers, exclude_purchased, as_of, level):
    top_n = check_int("top_n", top_n, lo=1)
    exclude_purchased = _check_bool("exclude_purchased", exclude_purchased)
    as_of = check_date("as_of", as_of)
    P = _purchases(tx, level=level, as_of=as_of, customers=customers)
    return top_n, exclude_purchased, P


def recommend_item_cf(
    tx: pd.DataFrame,
    *,
    top_n: int = 5,
    customers=None,
    exclude_purchased: bool = True,
    as_of=None,
    level: str = "product",
    n_neighbors: int = 20,
    alpha: float = 0.5,
    lang: str | None = None,
) -> pd.DataFrame:
    """Item-based collaborative filtering: items similar to what the customer bought.

    Cosine similarity of items over customers (Deshpande & Karypis 2004, eq. 1; ``alpha``
    as in their eq. 2), each item's ``n_neighbors`` nearest items with similarities
    normalised to sum to 1, customer score ``sum_j B[u, j] S[j, i]`` (their eq. 3). Sparse
    throughout (see :mod:`crmmine.crosssell.recommenders`).

    Parameters
    ----------
    tx : pandas.DataFrame
        Canonical transactions; purchase lines (``quantity > 0``) before ``as_of`` are used.
    top_n : int, default=5
        Items per customer.
    customers : list of str or None, default=None
        Customers to recommend to; ``None`` means every customer with a purchase before ``as_of``.
        A customer without history gets no row.
    exclude_purchased : bool, default=True
        Skip items the customer already bought; ``False`` lets a neighbour of the history that
        was also bought before be recommended again (repeat purchases).
    as_of : date-like or None, default=None
        Only purchases strictly before this date count.
    level : {"product", "category"}, default="product"
        Item column.
    n_neighbors : int, default=20
        Neighbours kept per item (``k`` of Deshpande & Karypis 2004).
    alpha : float, default=0.5
        Exponent of the similarity ``c_ji / (n_j^alpha n_i^(1-alpha))``; 0.5 is the cosine.
    lang : {"en", "zh"} or None, default=None
        Language of the ``reason`` column.

    Returns
    -------
    pandas.DataFrame
        :data:`RECOMMENDER_COLUMNS`, one row per (customer, rank): ``score`` (the CF score),
        ``confidence`` (share of the buyers of ``because`` who also bought the item),
        ``method`` = ``"item_cf"``, ``because`` (the customer's item most similar to the one
        recommended), ``reason`` ("Customers who bought X also bought this (34%)").

    References
    ----------
    .. [1] Deshpande & Karypis (2004), "Item-based top-N recommendation algorithms", ACM TOIS 22(1).

    Examples
    --------
    >>> import pandas as pd, crmmine
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c"], "order_id": ["1", "1", "2", "2", "3"],
    ...                    "product_id": ["X", "Y", "X", "Y", "X"], "quantity": 1.0,
    ...                    "order_date": pd.to_datetime(["2024-01-01"] * 5)})
    >>> crmmine.recommend_item_cf(tx)[["customer_id", "product_id", "because"]]
      customer_id product_id because
    0           c          Y       X
    """
    top_n, exclude, P = _common(tx, top_n, customers, exclude_purchased, as_of, level)
    n_neighbors = check_int("n_neighbors", n_neighbors, lo=1)
    alpha = check_fraction("alpha", alpha)
    if P.counts.nnz == 0:
        return _empty(P.item_col)
    H, scores, S, C, n = _cf_scores(P, n_neighbors=n_neighbors, alpha=alpha, rows=P.target)
    if exclude:
        scores = _drop_owned(scores, H)
    pop = _popularity(P)
    r, i, v, rank = _top_per_row(scores, top_n)
    return _explain_cf(P, H, S, C, n, r, i, v, rank, "item_cf", lang)


def _explain_cf(P, H, S, C, n, r, i, v, rank, method, lang):
    anchor, _ = _anchors(H, S, r, i)
    has = anchor >= 0
    conf = np.zeros(r.size)
    conf[has] = _lookup(C, anchor[has], i[has]) / n[anchor[has]]
    because = np.full(r.size, None, dtype=object)
    because[has] = P.items.to_numpy()[anchor[has]]
    reason = np.full(r.size, None, dtype=object)
    reason[has] = _reasons("reco.reason.item_cf", lang, item=because[has], share=_fmt_pct(conf[has]))
    pop = _popularity(P)
    if (~has).any():  # popular fill of the hybrid
        share = pop[i[~has]] / max(len(P.customers), 1)
        conf[~has] = share
        reason[~has] = _reasons("reco.reason.popular", lang, share=_fmt_pct(share))
    return _table(P, r, i, v, rank, conf, method, because, reason)


def recommend_buy_again(
    tx: pd.DataFrame,
    *,
    top_n: int = 5,
    customers=None,
    as_of=None,
    level: str = "product",
    half_life_days: float | None = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """"Buy again": the items a customer bought before, most often bought first.

    An item's score is the number of the customer's orders holding it; with
    ``half_life_days`` each order counts ``0.5 ** (age_days / half_life_days)`` instead
    (recency-weighted frequency, after Bhagat et al. 2018). Ties go to the item bought
    more recently, then the smaller id. Only items already bought are recommended, so there
    is no ``exclude_purchased`` option.

    Parameters
    ----------
    tx, top_n, customers, as_of, level, lang
        As in :func:`recommend_item_cf`.
    half_life_days : float or None, default=None
        Half-life of an order's weight; ``None`` counts every order fully.

    Returns
    -------
    pandas.DataFrame
        :data:`RECOMMENDER_COLUMNS`: ``score``, ``confidence`` (share of the customer's orders
        that held the item), ``method`` = ``"buy_again"``, ``because`` = the item itself,
        ``reason`` ("Bought in 4 of 9 orders, last on 2011-11-02").

    References
    ----------
    .. [1] Bhagat, Muralidharan, Lobzhanidze, Vishwanath (2018), "Buy it again: modeling repeat
       purchase recommendations", KDD 2018, 62-70.
    """
    top_n, _, P = _common(tx, top_n, customers, True, as_of, level)
    half_life_days = check_number("half_life_days", half_life_days, lo=0, lo_open=True, none_ok=True)
    if P.counts.nnz == 0:
        return _empty(P.item_col)
    H = _rows_of(P.counts, P.target)
    L = _rows_of(P.last, P.target)
    if half_life_days is not None:
        score = _buy_again_decayed(tx, P, half_life_days, as_of=check_date("as_of", as_of))
        score = _rows_of(score, P.target)
    else:
        score = H
    r, i, v, rank = _top_per_row(score, top_n)
    # tie-break by recency: re-rank within equal scores using the last day
    last = _lookup(L, r, i)
    o = np.lexsort((i, -last, -v, r))
    r, i, v, last = r[o], i[o], v[o], last[o]
    start = np.searchsorted(r, np.arange(H.shape[0]))
    rank = np.arange(r.size) - start[r] + 1
    n_item = _lookup(H, r, i)
    n_ord = P.n_orders[np.where(P.target[r] >= 0, P.target[r], 0)].astype(float)
    conf = n_item / np.maximum(n_ord, 1)
    items = P.items.to_numpy()[i]
    days = (last - 1).astype("int64").astype("datetime64[D]").astype(str)
    reason = _reasons("reco.reason.buy_again", lang, count=n_item.astype(np.int64), orders=n_ord.astype(np.int64),
                      date=days)
    return _table(P, r, i, v, rank, conf, "buy_again", items, reason)


def _buy_again_decayed(tx, P: _Purchases, half_life: float, *, as_of) -> sp.csr_matrix:
    """Recency-weighted counts sum over orders of 0.5 ** (age / half_life) (customers x items)."""
    p = tx.loc[tx["customer_id"].notna().to_numpy() & tx[P.item_col].notna().to_numpy()]
    if "quantity" in p.columns:
        p = p.loc[(p["quantity"] > 0).fillna(False).to_numpy(dtype=bool)]
    if as_of is not None:
        p = p.loc[(p["order_date"] < as_of).to_numpy()]
    p = p.drop_duplicates(["customer_id", "order_id", P.item_col])
    end = as_of if as_of is not None else p["order_date"].max() + pd.Timedelta(days=1)
    age = ((end - p["order_date"]) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    w = 0.5 ** (age / half_life)
    ci = P.customers.get_indexer(p["customer_id"].astype(str).to_numpy())
    ii = P.items.get_indexer(p[P.item_col].astype(str).to_numpy())
    M = sp.csr_matrix((w, (ci, ii)), shape=P.counts.shape)
    M.sum_duplicates()
    return M


def recommend_hybrid(
    tx: pd.DataFrame,
    *,
    top_n: int = 5,
    customers=None,
    exclude_purchased: bool = True,
    as_of=None,
    level: str = "product",
    weight: float = 0.2,
    n_neighbors: int = 20,
    alpha: float = 0.5,
    lang: str | None = None,
) -> pd.DataFrame:
    """Item-CF blended with popularity, so that every list is full (a weighted hybrid, Burke 2002).

    ``score = (1 - weight) * personal / max_u(personal) + weight * popularity / max(popularity)``
    where ``personal`` is the item-CF score of :func:`recommend_item_cf` (with
    ``exclude_purchased=False`` plus the :func:`recommend_buy_again` count, each scaled to a
    maximum of 1 per customer) and ``popularity`` the number of customers who bought the
    item. A customer without a personal score gets the popular items; a short personal list
    is filled with them.

    Parameters
    ----------
    tx, top_n, customers, exclude_purchased, as_of, level, n_neighbors, alpha, lang
        As in :func:`recommend_item_cf`.
    weight : float, default=0.2
        Weight of popularity in [0, 1]: 0 ranks by the personal score (popularity only fills),
        1 is the most-popular list.

    Returns
    -------
    pandas.DataFrame
        :data:`RECOMMENDER_COLUMNS` with ``method`` = ``"hybrid"``; the explanation is the CF
        one ("Customers who bought X also bought this"), "You bought it in 3 of 7 orders" for
        a repeat, or "Popular: bought by 12% of customers" for a popular fill.
    """
    top_n, exclude, P = _common(tx, top_n, customers, exclude_purchased, as_of, level)
    weight = check_fraction("weight", weight)
    n_neighbors = check_int("n_neighbors", n_neighbors, lo=1)
    alpha = check_fraction("alpha", alpha)
    if P.counts.nnz == 0:
        return _empty(P.item_col)
    H, cf, S, C, n = _cf_scores(P, n_neighbors=n_neighbors, alpha=alpha, rows=P.target)
    pop = _popularity(P)
    personal = _row_scale(cf)
    Hc = _rows_of(P.counts, P.target)
    if exclude:
        personal = _drop_owned(personal, H)
    else:
        personal = _row_scale(personal + _row_scale(Hc))
    cand = _popular_candidates(P, P.target, top_n, exclude, pop)
    # candidates: personal nonzeros and each row's popular fill; score on both
    mask = (personal.astype(bool) + cand.astype(bool)).astype(bool).tocsr()
    mask.sort_indices()
    rr = np.repeat(np.arange(mask.shape[0], dtype=np.int64), np.diff(mask.indptr))
    cc = mask.indices.astype(np.int64)
    personal.sort_indices()
    pv = _lookup(personal, rr, cc)
    sc = (1.0 - weight) * pv + weight * pop[cc] / max(pop.max(), 1.0)
    M = sp.csr_matrix((sc + 1e-12, (rr, cc)), shape=mask.shape)
    r, i, v, rank = _top_per_row(M, top_n)
    # explanation: repeats explained as buy-again, the rest by CF (or popularity)
    out = _explain_cf(P, H, S, C, n, r, i, v, rank, "hybrid", lang)
    if not exclude:
        Hc.sort_indices()
        ro = np.lexsort((rank, r))
        n_item = _lookup(Hc, r[ro], i[ro])
        rep = n_item > 0
        if rep.any():
            n_ord = P.n_orders[np.where(P.target[r[ro]] >= 0, P.target[r[ro]], 0)].astype(float)
            reason = _reasons("reco.reason.repeat", lang, count=n_item[rep].astype(np.int64),
                              orders=n_ord[rep].astype(np.int64))
            out.loc[rep, "reason"] = pd.array(reason, dtype=STRING_DTYPE)
            out.loc[rep, "because"] = out.loc[rep, P.item_col]
            out.loc[rep, "confidence"] = n_item[rep] / np.maximum(n_ord[rep], 1)
    return out


def _row_scale(M: sp.csr_matrix) -> sp.csr_matrix:
    """Each row divided by its maximum (rows of zeros stay zero)."""
    M = M.tocsr().astype(np.float64)
    mx = np.asarray(M.max(axis=1).todense()).ravel() if M.nnz else np.zeros(M.shape[0])
    inv = np.where(mx > 0, 1.0 / np.where(mx > 0, mx, 1.0), 0.0)
    out = (sp.diags(inv) @ M).tocsr()
    out.sort_indices()
    return out


def _recommend_popular_explained(tx, *, top_n=5, customers=None, exclude_purchased=True, as_of=None, level="product",
                                lang=None) -> pd.DataFrame:
    """The most-popular baseline in :data:`RECOMMENDER_COLUMNS` (items bought by the most customers)."""
    top_n, exclude, P = _common(tx, top_n, customers, exclude_purchased, as_of, level)
    if P.counts.nnz == 0:
        return _empty(P.item_col)
    pop = _popularity(P)
    rows = P.target
    M = _popular_candidates(P, rows, top_n, exclude, pop)
    # customers without history also get the popular list
    r, i, v, rank = _top_per_row(M, top_n)
    share = pop[i] / max(len(P.customers), 1)
    reason = _reasons("reco.reason.popular", lang, share=_fmt_pct(share))
    return _table(P, r, i, v, rank, share, "popular", np.full(r.size, None, dtype=object), reason)


def recommend_random(
    tx: pd.DataFrame,
    *,
    top_n: int = 5,
    customers=None,
    exclude_purchased: bool = True,
    as_of=None,
    level: str = "product",
    random_state=None,
    lang: str | None = None,
) -> pd.DataFrame:
    """The random baseline of recommenderlab: ``top_n`` items drawn uniformly from the catalogue.

    Items are the ones bought by anyone before ``as_of``; with ``exclude_purchased`` the
    customer's own are skipped. ``random_state`` makes the lists reproducible.
    """
    top_n, exclude, P = _common(tx, top_n, customers, exclude_purchased, as_of, level)
    rng = np.random.default_rng(random_state)
    n_i = len(P.items)
    if n_i == 0:
        return _empty(P.item_col)
    n_r = P.target.size
    H = _rows_of(P.counts, P.target) if exclude else sp.csr_matrix((n_r, n_i))
    # random scores for each row's candidates: draw a few more than needed, drop owned and repeats
    m = min(n_i, 2 * top_n + 8)
    rows_all, items_all = [], []
    todo = np.arange(n_r)
    for _ in range(20):  # rounds (not per customer); almost always 1-2
        if not todo.size:
            break
        draw = rng.integers(0, n_i, size=(todo.size, m))
        r = np.repeat(todo, m)
        M = sp.csr_matrix((rng.random(r.size) + 1.0, (r, draw.ravel())), shape=(n_r, n_i))
        M.sum_duplicates()
        if exclude:
            M = _drop_owned(M, H)
        rows_all.append(M)
        acc = sum(rows_all[1:], rows_all[0])
        have = np.diff(acc.tocsr().indptr)
        todo = np.flatnonzero(have < np.minimum(top_n, n_i - np.diff(H.indptr)))
        m = min(n_i, 4 * m)
    acc = sum(rows_all[1:], rows_all[0]).tocsr() if rows_all else sp.csr_matrix((n_r, n_i))
    r, i, v, rank = _top_per_row(acc, top_n)
    pop = _popularity(P)
    share = pop[i] / max(len(P.customers), 1)
    reason = np.full(r.size, label("reco.reason.random", lang=lang), dtype=object)
    return _table(P, r, i, v, rank, share, "random", np.full(r.size, None, dtype=object), reason)


def _from_rules(tx, rules, *, top_n, customers, exclude_purchased, as_of, level, lang):
    """The rule recommender (:func:`crmmine.recommend`) in :data:`RECOMMENDER_COLUMNS`."""
    if rules is None:
        raise ParameterError(
            "The 'rules' parameter is needed for method='rules'; pass crmmine.mine_rules(...) or choose another method."
        )
    rec = recommend(tx, rules, top_n=top_n, customers=customers, exclude_purchased=exclude_purchased, as_of=as_of,
                    level=level)
    item_col = _level_column(level, tx)
    if rec.empty:
        return _empty(item_col)
    ante = rec["antecedents"].to_numpy()
    because = np.array([" + ".join(sorted(a)) for a in ante], dtype=object)  # one string per row of output
    reason = _reasons("reco.reason.rules", lang, item=because, share=_fmt_pct(rec["confidence"].to_numpy()))
    return pd.DataFrame(
        {
            "customer_id": rec["customer_id"],
            "rank": rec["rank"],
            item_col: rec[item_col],
            "score": rec["score"],
            "confidence": rec["confidence"],
            "method": pd.array(np.full(len(rec), "rules", dtype=object), dtype=STRING_DTYPE),
            "because": pd.array(because, dtype=STRING_DTYPE),
            "reason": pd.array(reason, dtype=STRING_DTYPE),
        }
    )


def recommend_with(
    method: str,
    tx: pd.DataFrame,
    *,
    rules: pd.DataFrame | None = None,
    top_n: int = 5,
    customers=None,
    exclude_purchased: bool = True,
    as_of=None,
    level: str = "product",
    random_state=None,
    lang: str | None = None,
    **options,
) -> pd.DataFrame:
    """Recommend with the recommender named ``method``, in :data:`RECOMMENDER_COLUMNS`.

    ``method`` is one of :data:`RECOMMENDERS`: ``"item_cf"`` (:func:`recommend_item_cf`),
    ``"hybrid"`` (:func:`recommend_hybrid`), ``"buy_again"`` (:func:`recommend_buy_again`),
    ``"rules"`` (:func:`crmmine.recommend`; needs ``rules``), ``"popular"`` (most popular items)
    or ``"random"`` (:func:`recommend_random`). This is how a report applies the recommender
    :func:`crmmine.compare_recommenders` chose: the explanation shown to a customer comes from
    that recommender. ``options`` go to the recommender (e.g. ``n_neighbors``, ``weight``).
    """
    check_choice("method", method, RECOMMENDERS)
    kw = dict(top_n=top_n, customers=customers, as_of=as_of, level=level, lang=lang)
    if method == "item_cf":
        return recommend_item_cf(tx, exclude_purchased=exclude_purchased, **kw, **options)
    if method == "hybrid":
        return recommend_hybrid(tx, exclude_purchased=exclude_purchased, **kw, **options)
    if method == "buy_again":
        return recommend_buy_again(tx, **kw, **options)
    if method == "popular":
        return _recommend_popular_explained(tx, exclude_purchased=exclude_purchased, **kw)
    if method == "random":
        return recommend_random(tx, exclude_purchased=exclude_purchased, random_state=random_state, **kw)
    return _from_rules(tx, rules, exclude_purchased=exclude_purchased, **kw)

