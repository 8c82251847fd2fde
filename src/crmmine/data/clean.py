"""Cleaning the canonical table: every line is kept, rejected with a reason, or a return.

The rules, applied in this order (a line takes the reason of the first rule it breaks):

====================  ==========  ==============================================================
rule                  switchable  a line breaks it when
====================  ==========  ==============================================================
unparseable_date      no          its date could not be read (``order_date`` is NaT; this includes
                                  dates outside 1677-2262 such as the placeholder 9999-12-31)
unparseable_number    no          its quantity or amount could not be read (NaN, or infinite)
implausible_date      yes         its date is outside ``date_range`` (default 1970-01-02 to
                                  2099-12-31): placeholders such as 1900-01-01 or the Unix epoch
missing_customer_id   yes         it has no customer id (a guest line)
duplicate             yes         it repeats an earlier line exactly (every column but the line number);
                                  not applied when the source had no quantity column (each line is
                                  one unit, so identical lines are several units)
non_product_code      yes         its product code is not a product: postage, manual adjustments, bank
                                  charges, fees, discounts, samples, bad-debt adjustments
                                  (:data:`DEFAULT_NON_PRODUCT_CODES`, extendable)
non_positive_price    yes         its unit price is zero or negative
return                yes         it is a cancellation (order id starts with ``cancellation_prefix``)
                                  or has a negative quantity; kept in ``returns``, not rejected
extreme_value         yes         its quantity (upwards) or unit price (either way) is far out on a
                                  log scale: see :func:`extreme_mask`
====================  ==========  ==============================================================

The extreme-value rule holds on discrete data where most values are equal (a grocer whose
lines are mostly quantity 1 has a median absolute deviation of 0): a value must be both
``extreme_z`` robust standard deviations and a factor ``extreme_min_ratio`` away from the
median, and the rule never takes more than ``extreme_max_share`` of the lines.

Every rule that removes more than ``notable_share`` (2%) of the revenue or more than
``notable_line_share`` (5%) of the lines is *notable*: the audit's ``notable`` column says
so, :attr:`CleanResult.notes` holds one sentence per notable rule for reports to show, and
:func:`clean` issues one :class:`~crmmine.errors.CrmmineWarning` naming the notable
rejection rules (returns are kept apart, not lost, so they are noted but not warned about).

Invariant: ``len(input) == len(transactions) + len(rejected) + len(returns)``, and the
amounts add up the same way; :class:`CleanResult` checks it when it is built.
"""

from __future__ import annotations

import copy
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import CrmmineError, CrmmineWarning, ParameterError
from ..text.labels import label
from ..validation import check_date, check_fraction, check_number
from .schema import validate_transactions

__all__ = [
    "clean",
    "CleanResult",
    "CLEANING_RULES",
    "SWITCHABLE_RULES",
    "DEFAULT_NON_PRODUCT_CODES",
    "extreme_mask",
]

#: Every rule, in the order applied.
CLEANING_RULES: tuple[str, ...] = (
    "unparseable_date",
    "unparseable_number",
    "implausible_date",
    "missing_customer_id",
    "duplicate",
    "non_product_code",
    "non_positive_price",
    "return",
    "extreme_value",
)
#: Rules that can be turned off with ``clean(..., skip_rules=...)``.
SWITCHABLE_RULES: tuple[str, ...] = CLEANING_RULES[2:]

#: Stock codes of the UCI Online Retail data that are not products (matched case-insensitively).
DEFAULT_NON_PRODUCT_CODES: frozenset[str] = frozenset(
    {
        "POST",  # postage
        "DOT",  # dotcom postage
        "M",  # manual adjustment
        "C2",  # carriage
        "BANK CHARGES",
        "AMAZONFEE",
        "D",  # discount
        "S",  # samples
        "B",  # adjust bad debt
        "CRUK",  # CRUK commission
        "PADS",  # pads to match all cushions (a pricing adjustment line)
    }
)
#: Code prefixes that are not products: gift vouchers in the UCI data.
DEFAULT_NON_PRODUCT_PREFIXES: tuple[str, ...] = ("GIFT_",)


@dataclass
class CleanResult:
    """What :func:`clean` returns.

    Attributes
    ----------
    transactions : pandas.DataFrame
        The clean lines (canonical columns).
    rejected : pandas.DataFrame
        The rejected lines (canonical columns plus ``reason``, a rule name).
    returns : pandas.DataFrame
        Cancellations and negative-quantity lines of known customers (canonical columns):
        the cost-to-serve side of each customer, kept apart from purchases.
    audit : pandas.DataFrame
        One row per outcome: ``rule``, ``description``, ``lines``, ``amount``,
        ``share_of_lines``, ``share_of_amount`` and ``notable`` (True for a rule that removed
        more than ``notable_share`` of the lines or of the amount); the first row is the
        input, the others add up to it.
    params : dict
        The options the cleaning ran with.
    notes : list of str
        One sentence per notable rule (and when the extreme-value rule hit its cap), in
        the current language, for a report's first paragraph.
    """

    transactions: pd.DataFrame
    rejected: pd.DataFrame
    returns: pd.DataFrame
    audit: pd.DataFrame
    params: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"CleanResult(transactions={len(self.transactions):,} lines, rejected={len(self.rejected):,}, "
            f"returns={len(self.returns):,})"
        )


#: From this many lines on, :func:`clean` saves memory before time (a 10M-line table goes through every
#: analysis in 4 GB, benchmarks/README.md): text ids encoded chunk by chunk into int32 codes, every
#: temporary array freed before the lines are taken, the lines taken by mask instead of by position, the
#: audit summed before the take instead of during it, and the memory pyarrow freed given back on the way.
#: Same outputs either way (tested with the threshold at 0).
_LARGE = 2_000_000


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(integer code per line, -1 for missing; the distinct values as a Series) of a text column.

    Hashed once by pyarrow when the column is pyarrow text; rules that look at the text
    (codes that are not products, the cancellation prefix) then run on the distinct values
    only and are taken back to the lines by code.
    """
    arr = getattr(values.array, "_pa_array", None)
    if arr is not None and _is_pa_string(arr.type):
        import pyarrow.compute as pc

        if arr.num_chunks > 1 and len(arr) >= _LARGE:
            # chunk by chunk into int32 codes (one dictionary for all chunks): no joined copy of the column
            enc = [c for c in pc.dictionary_encode(arr).chunks if len(c)]
            if all(len(c.dictionary) == len(enc[-1].dictionary) for c in enc):
                codes = np.empty(len(arr), dtype=np.int32)
                at = 0
                for c in enc:
                    idx = c.indices
                    codes[at:at + len(c)] = (idx.fill_null(-1) if idx.null_count else idx).to_numpy()
                    at += len(c)
                return codes, pd.Series(pd.arrays.ArrowStringArray(enc[-1].dictionary))
        enc = pc.dictionary_encode(arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0))
        indices = enc.indices.fill_null(-1) if enc.indices.null_count else enc.indices
        codes = indices.to_numpy(zero_copy_only=False)  # pyarrow's int32 codes, not copied to int64
        return codes, pd.Series(pd.arrays.ArrowStringArray(enc.dictionary))
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes.astype(np.int64), pd.Series(np.asarray(uniques, dtype=object), dtype=object)


def _by_code(codes: np.ndarray, per_value: pd.Series) -> np.ndarray:
    """A per-distinct-value boolean taken back to the lines (missing values: False)."""
    flags = np.append(per_value.fillna(False).to_numpy(dtype=bool), False)  # code -1 -> the False at the end
    return flags[codes]


def _non_product_mask(codes: np.ndarray, distinct: pd.Series, exact: frozenset[str],
                      prefixes: tuple[str, ...]) -> np.ndarray:
    upper = distinct.str.upper()
    mask = upper.isin(list(exact)).fillna(False).to_numpy(dtype=bool, copy=True)
    for pre in prefixes:
        mask |= upper.str.startswith(pre).fillna(False).to_numpy(dtype=bool)
    return _by_code(codes, pd.Series(mask))


def _is_pa_string(t) -> bool:
    import pyarrow as pa

    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _exact_duplicates(tx: pd.DataFrame, order_codes: np.ndarray, product_codes: np.ndarray,
                      among: np.ndarray | None = None) -> np.ndarray:
    """Lines equal to an earlier line in every column but ``source_line`` (among the lines
    ``among`` when given: a duplicate of a line outside it is not looked for).

    Only lines sharing order and product with another line can be exact duplicates, so the
    full comparison runs on those few candidates (same result as ``DataFrame.duplicated``).
    The candidates are found by sorting one integer key per line (order code x product code).
    """
    cols = [c for c in tx.columns if c not in ("source_line", "order_id", "product_id")]
    rows_at = np.arange(len(tx)) if among is None else np.flatnonzero(among)
    # key = (order + 1) * (products + 2) + (product + 1), computed in place
    key = order_codes[rows_at].astype(np.int64, copy=False)
    key += 1
    key *= int(product_codes.max(initial=-1)) + 2
    key += product_codes[rows_at]
    key += 1
    bits = max(len(key) - 1, 1).bit_length()
    if len(key) and int(key.max()) < 2 ** (62 - bits):
        # one plain sort of (key, position) packed in an int64: cheaper than an argsort
        packed = np.sort((key << bits) | np.arange(len(key)))
        order, key_sorted = packed & ((1 << bits) - 1), packed >> bits
        del packed
    else:
        order = np.argsort(key, kind="stable")
        key_sorted = key[order]
    same = key_sorted[1:] == key_sorted[:-1]
    del key_sorted
    cand_sorted = np.zeros(len(key), dtype=bool)
    cand_sorted[1:] |= same
    cand_sorted[:-1] |= same
    cand = np.empty(len(key), dtype=bool)
    cand[order] = cand_sorted
    dup = np.zeros(len(tx), dtype=bool)
    if cand.any():
        at = rows_at[cand]
        # narrow the candidates to lines that also share every number and date with a neighbour
        numeric = [tx[c].to_numpy() for c in cols if tx[c].dtype.kind in "fiM"]
        if numeric:
            keys = [v[at] for v in numeric] + [key[cand]]
            order = np.lexsort(keys[::-1])
            same = np.ones(len(at) - 1, dtype=bool)
            for v in keys:
                v = v[order]
                eq = v[1:] == v[:-1]
                if v.dtype.kind == "f":
                    eq |= np.isnan(v[1:]) & np.isnan(v[:-1])
                elif v.dtype.kind == "M":
                    eq |= np.isnat(v[1:]) & np.isnat(v[:-1])
                same &= eq
            near = np.zeros(len(at), dtype=bool)
            near[1:] |= same
            near[:-1] |= same
            keep = np.empty(len(at), dtype=bool)
            keep[order] = near
            at, cand_key = at[keep], key[cand][keep]
        else:
            cand_key = key[cand]
        if not len(at):
            return dup
        # order and product enter through their joint code
        picked = np.zeros(len(tx), dtype=bool)
        picked[at] = True
        picked = pa.array(picked)  # text columns are filtered by it (a sparse mask is cheap to filter by)
        rows = pd.DataFrame({"__order_product": cand_key, **{c: _filter(tx[c].array, picked, at) for c in cols}},
                            copy=False)
        dup[at] = rows.duplicated(keep="first").to_numpy()
    return dup


def _release_arrow_memory() -> None:
    """Hand the memory pyarrow freed back to the system (its allocator keeps freed pages for reuse, so a
    process that hashed or read 10M lines holds their transient buffers long after; microseconds)."""
    pa.default_memory_pool().release_unused()


def _take(values, positions: np.ndarray):
    """``values.take(positions)`` for increasing ``positions``; a pyarrow-backed column is taken
    chunk by chunk (pyarrow's take on a chunked array first joins the chunks: a copy of the column)."""
    arr = getattr(values, "_pa_array", None)
    if arr is None or arr.num_chunks < 2 or type(values) is not pd.arrays.ArrowStringArray:
        return values.take(positions)
    bounds = np.cumsum([0] + [len(c) for c in arr.chunks])
    cut = np.searchsorted(positions, bounds)
    parts = [chunk.take(pa.array(positions[cut[i]:cut[i + 1]] - bounds[i]))
             for i, chunk in enumerate(arr.chunks) if cut[i + 1] > cut[i]]
    return pd.arrays.ArrowStringArray(pa.chunked_array(parts, type=arr.type))


def _filter(values, mask: pa.Array, positions: np.ndarray):
    """The lines of ``values`` where ``mask`` (the lines ``positions``): a pyarrow text column is
    filtered by the mask chunk by chunk (faster than a take by position on text, and no join of
    the chunks), any other column is taken by position."""
    if type(values) is pd.arrays.ArrowStringArray:
        return pd.arrays.ArrowStringArray(values._pa_array.filter(mask))
    return _take(values, positions)


def _take_lines(tx: pd.DataFrame, masks, attrs: dict | None = None, meanwhile=None):
    """``tx.loc[mask].reset_index(drop=True)`` for each mask, every column taken in two threads
    (numpy's takes and pyarrow's filters release the GIL); same frames, with (a deep copy of)
    ``attrs``, by default ``tx.attrs``. With ``meanwhile`` (a function of no argument), it runs
    in the calling thread while the lines are taken, and ``(frames, its result)`` is returned."""
    large = len(tx) >= _LARGE  # no line-length array of positions
    positions = [None if large else np.flatnonzero(m) for m in masks]
    pa_masks = [pa.array(m) for m in masks]
    arrays = [tx[c].array for c in tx.columns]

    def job(k: int, j: int):
        if positions[k] is None and type(arrays[j]) is not pd.arrays.ArrowStringArray:
            return arrays[j][masks[k]]  # a large table: selected by the mask, no array of positions
        return _filter(arrays[j], pa_masks[k], positions[k])

    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [pool.submit(job, k, j) for k in range(len(masks)) for j in range(len(arrays))]
        extra = meanwhile() if meanwhile is not None else None
        taken = [done.result() for done in jobs]
    frames = []
    for k in range(len(masks)):
        frame = pd.DataFrame(dict(enumerate(taken[k * len(arrays):(k + 1) * len(arrays)])), copy=False)
        frame.columns = tx.columns
        frame.attrs = copy.deepcopy(tx.attrs if attrs is None else attrs)
        frames.append(frame)
    return frames if meanwhile is None else (frames, extra)


def _median_of_counts(values: np.ndarray, counts: np.ndarray) -> float:
    """``np.median`` of the sample holding each of ``values`` ``counts`` times (same float result)."""
    order = np.argsort(values, kind="stable")
    v, cum = values[order], np.cumsum(counts[order])
    n = int(cum[-1])
    lo, hi = v[np.searchsorted(cum, (n - 1) // 2, side="right")], v[np.searchsorted(cum, n // 2, side="right")]
    return float(lo) if n % 2 else float(np.mean(np.array([lo, hi])))


def _log_distance(values: np.ndarray, z: float, min_ratio: float) -> tuple[np.ndarray, np.ndarray, float, float]:
    """(integer code per value, signed log10 distance from the median per distinct value,
    threshold, median) for positive ``values``: the distance of value ``i`` is
    ``distance[codes[i]]``.

    The threshold is the larger of ``z`` robust standard deviations (1.4826 x the median
    absolute deviation of the log10 values; Rousseeuw & Croux 1993) and ``log10(min_ratio)``:
    on discrete data where most values are equal the MAD is 0, and the ratio floor keeps an
    ordinary 2 or 12 from being called extreme. Quantities and prices repeat a lot, so the
    logs, medians and distances are computed once per distinct value.
    """
    codes, uniques = pd.factorize(values)
    return _distance_by_code(codes, uniques, z, min_ratio)


def _distance_by_code(codes: np.ndarray, uniques: np.ndarray, z: float, min_ratio: float):
    """:func:`_log_distance` of the values ``uniques[codes]``. ``uniques`` may hold values no
    line has (from a factorisation of more lines): they get no count, so no weight in the medians."""
    counts = np.bincount(codes, minlength=len(uniques))
    with np.errstate(divide="ignore", invalid="ignore"):  # values <= 0 can only be the ones without lines
        logs = np.log10(uniques)
    med = _median_of_counts(logs, counts)
    mad = 1.4826 * _median_of_counts(np.abs(logs - med), counts)
    return codes, logs - med, max(z * mad, float(np.log10(min_ratio))), med


def _scores(ok: np.ndarray, values: np.ndarray, z: float, min_ratio: float, two_sided: bool, factorized=None):
    """(per-line score ``distance / threshold`` on the lines ``ok``, 0 elsewhere; threshold;
    median), or None when ``ok`` holds 10 lines or fewer. The score is divided per distinct
    value and taken to the lines once (the same floats as dividing per line). ``factorized``:
    (code per line of ``values``, distinct values) when already hashed."""
    k = int(ok.sum())
    if k <= 10:
        return None
    every = k == len(ok)
    if factorized is None:
        codes, d, t, med = _log_distance(values if every else values[ok], z, min_ratio)
    else:
        line_codes, uniques = factorized
        codes, d, t, med = _distance_by_code(line_codes if every else line_codes[ok], uniques, z, min_ratio)
    # the score starts at 0: quantities count upwards only, prices either way
    per = np.abs(d) / t if two_sided else np.maximum(0.0, d / t)
    if every:
        return per[codes], t, med
    score = np.zeros(len(ok))
    score[ok] = per[codes]
    return score, t, med


def extreme_mask(quantity, unit_price, *, z: float = 8.0, min_ratio: float = 100.0,
                 max_share: float = 0.005) -> tuple[np.ndarray, dict]:
    """Lines whose quantity or unit price is extreme, and how the rule decided.

    A positive quantity is extreme when its log10 lies more than ``t`` above the median
    log10 quantity, where ``t = max(z * 1.4826 * MAD, log10(min_ratio))`` (MAD: median
    absolute deviation of the log10 values, a robust z-score on a log scale; Rousseeuw &
    Croux 1993; Leys et al. 2013). A positive unit price is extreme when it lies more than
    its own ``t`` above *or below* the median log10 price. Lines with missing or
    non-positive values are never extreme (other rules handle them).

    The share cap keeps the rule an outlier rule: if more than ``max_share`` of the lines
    would be extreme, only the ``max_share`` most extreme ones are (the largest distances
    beyond ``t``, in units of ``t``), and ``info["capped"]`` is True.

    Parameters
    ----------
    quantity, unit_price : array-like of float
        One value per line (NaN allowed).
    z : float, default=8.0
        Robust z threshold on the log10 scale.
    min_ratio : float, default=100.0
        A value must also be at least this factor away from the median (for prices: above
        ``median x min_ratio`` or below ``median / min_ratio``).
    max_share : float, default=0.005
        At most this share of the (positive) lines is extreme.

    Returns
    -------
    mask : ndarray of bool
    info : dict
        ``quantity_limit`` (largest ordinary quantity), ``price_limits`` (ordinary price
        range), ``candidates``, ``flagged`` and ``capped``.

    References
    ----------
    .. [1] Rousseeuw, P. J., Croux, C. (1993). Alternatives to the median absolute deviation.
       Journal of the American Statistical Association 88(424), 1273-1283.
    .. [2] Leys, C., Ley, C., Klein, O., Bernard, P., Licata, L. (2013). Detecting outliers: do not
       use standard deviation around the mean, use absolute deviation around the median.
       Journal of Experimental Social Psychology 49(4), 764-766.
    """
    return _extreme_mask(quantity, unit_price, z=z, min_ratio=min_ratio, max_share=max_share)


def _extreme_mask(quantity, unit_price, *, z: float, min_ratio: float, max_share: float, factorized=None):
    """:func:`extreme_mask`; ``factorized``: ((code per line, distinct values) of the quantities,
    the same of the prices) when hashed beforehand (:func:`clean` does it while other rules run)."""
    q = np.asarray(quantity, dtype=float)
    p = np.asarray(unit_price, dtype=float)
    n = len(q)
    info = {"quantity_limit": None, "price_limits": None, "candidates": 0, "flagged": 0, "capped": False}
    okq = np.isfinite(q) & (q > 0)
    okp = np.isfinite(p) & (p > 0)
    info["candidates"] = int(okq.sum())
    # score: distance beyond the threshold, in thresholds (> 1: extreme); quantities and
    # prices are hashed side by side (pandas' float hashing releases the GIL)
    if factorized is not None:
        sq, sp = (_scores(okq, q, z, min_ratio, False, factorized[0]),
                  _scores(okp, p, z, min_ratio, True, factorized[1]))
    elif n > 100_000:
        with ThreadPoolExecutor(max_workers=2) as pool:
            sq, sp = pool.map(lambda job: _scores(job[0], job[1], z, min_ratio, job[2]),
                              ((okq, q, False), (okp, p, True)))
    else:
        sq, sp = _scores(okq, q, z, min_ratio, False), _scores(okp, p, z, min_ratio, True)
    score = np.zeros(n)
    if sq is not None:
        score = np.maximum(score, sq[0])
        info["quantity_limit"] = float(10 ** (sq[2] + sq[1]))
    if sp is not None:
        score = np.maximum(score, sp[0])
        info["price_limits"] = (float(10 ** (sp[2] - sp[1])), float(10 ** (sp[2] + sp[1])))
    mask = score > 1.0
    cap = max(int(np.floor(max_share * int((okq | okp).sum()))), 5)  # a handful always allowed on small data
    if mask.sum() > cap:
        info["capped"] = True
        keep = np.zeros(n, dtype=bool)
        if cap > 0:
            top = np.argsort(-score, kind="stable")[:cap]
            keep[top] = True
        mask &= keep
    info["flagged"] = int(mask.sum())
    return mask, info


def _ns_bounds(dates: pd.Series, first: pd.Timestamp, last: pd.Timestamp):
    """``first`` and ``last`` as numpy nanosecond values when ``dates`` are time-zone-free
    nanoseconds and both fit in that unit; otherwise None (pandas compares)."""
    if dates.dtype != np.dtype("datetime64[ns]") or first.tzinfo is not None or last.tzinfo is not None:
        return None
    try:
        return first.as_unit("ns").to_datetime64(), last.as_unit("ns").to_datetime64()
    except (OverflowError, ValueError):  # pandas' OutOfBoundsDatetime is a ValueError
        return None


def clean(
    tx: pd.DataFrame,
    *,
    skip_rules: Iterable[str] = (),
    non_product_codes: Iterable[str] | None = None,
    extra_non_product_codes: Iterable[str] = (),
    cancellation_prefix: str = "C",
    extreme_z: float = 8.0,
    extreme_min_ratio: float = 100.0,
    extreme_max_share: float = 0.005,
    date_range: tuple = ("1970-01-02", "2099-12-31"),
    notable_share: float = 0.02,
    notable_line_share: float = 0.05,
) -> CleanResult:
    """Split canonical transactions into clean lines, rejected lines (with a reason) and returns.

    Parameters
    ----------
    tx : pandas.DataFrame or crmmine.engine.LazyTransactions
        Canonical transactions, e.g. from :func:`crmmine.read_transactions`. A lazy table is
        cleaned in its engine by the same rules (:class:`crmmine.engine.LazyCleanResult`).
    skip_rules : iterable of str, default=()
        Rules to turn off, from :data:`SWITCHABLE_RULES` (e.g. ``skip_rules=("duplicate",)``
        keeps exact duplicates; ``skip_rules=("return",)`` keeps returns among the
        transactions; ``skip_rules=("extreme_value",)`` keeps every quantity and price).
    non_product_codes : iterable of str or None, default=None
        The product codes that are not products; ``None`` uses
        :data:`DEFAULT_NON_PRODUCT_CODES` and gift vouchers (``gift_*``).
    extra_non_product_codes : iterable of str, default=()
        Codes added to the list, e.g. a shop's own fee codes.
    cancellation_prefix : str, default="C"
        Order ids starting with it are cancellations (UCI Online Retail convention);
        ``""`` turns the prefix test off (negative quantities still count as returns).
    extreme_z : float, default=8.0
        Threshold of the robust z-score of log10(quantity) and log10(unit price) for
        the ``extreme_value`` rule (see :func:`extreme_mask`). On the real Online Retail
        data, 8 flags the two bulk orders of 74,215 and 80,995 units and nothing else.
    extreme_min_ratio : float, default=100.0
        An extreme value is also at least this factor from the median: on a grocer's log
        where most quantities are 1, only quantities above 100 can be extreme.
    extreme_max_share : float, default=0.005
        The extreme-value rule rejects at most this share of the lines (the most extreme
        ones); a capped rule is reported in :attr:`CleanResult.notes`.
    date_range : (date, date), default=("1970-01-02", "2099-12-31")
        Dates outside this range (inclusive ends) are rejected as ``implausible_date``:
        placeholders such as 1900-01-01 and the Unix epoch 1970-01-01.
    notable_share, notable_line_share : float, default=0.02, 0.05
        A rule that removes more than ``notable_share`` of the amount (in absolute value) or
        more than ``notable_line_share`` of the lines is notable: flagged in the audit,
        described in :attr:`CleanResult.notes` and (except returns, which are kept apart,
        not lost) warned about.

    Returns
    -------
    CleanResult
        ``transactions``, ``rejected`` (with ``reason``), ``returns``, ``audit`` and ``notes``.

    Warns
    -----
    CrmmineWarning
        Once, naming every rule that removed more than ``notable_share`` of the lines or
        of the amount.

    Examples
    --------
    >>> import crmmine
    >>> result = crmmine.clean(crmmine.datasets.load_online_retail_sample())
    >>> int(result.audit.loc[0, "lines"]) == (len(result.transactions) + len(result.rejected)
    ...                                        + len(result.returns))
    True
    """
    from ..engine.lazy import is_lazy

    lazy = is_lazy(tx)
    if not lazy:
        validate_transactions(tx)
    skip = (skip_rules,) if isinstance(skip_rules, str) else tuple(skip_rules)
    unknown = [r for r in skip if r not in SWITCHABLE_RULES]
    if unknown:
        raise ParameterError(
            f"The 'skip_rules' parameter names {unknown[0]!r}, which is not a switchable rule. "
            f"Switchable rules: {', '.join(SWITCHABLE_RULES)}."
        )
    extreme_z = check_number("extreme_z", extreme_z, lo=0, lo_open=True, hint="a robust z-score, e.g. 8")
    extreme_min_ratio = check_number("extreme_min_ratio", extreme_min_ratio, lo=1, hint="a factor, e.g. 100")
    extreme_max_share = check_fraction("extreme_max_share", extreme_max_share)
    notable_share = check_fraction("notable_share", notable_share)
    notable_line_share = check_fraction("notable_line_share", notable_line_share)
    if not isinstance(cancellation_prefix, str):
        raise ParameterError(
            f"The 'cancellation_prefix' parameter must be a string. Got {cancellation_prefix!r} instead."
        )
    if not (isinstance(date_range, (tuple, list)) and len(date_range) == 2):
        raise ParameterError(f"The 'date_range' parameter must be a pair of dates (first, last). Got {date_range!r} "
                             "instead.")
    first_ok = check_date("date_range", date_range[0], none_ok=False)
    last_ok = check_date("date_range", date_range[1], none_ok=False)
    codes = frozenset(str(c).strip().upper() for c in (DEFAULT_NON_PRODUCT_CODES if non_product_codes is None
                                                       else non_product_codes))
    codes = codes | frozenset(str(c).strip().upper() for c in extra_non_product_codes)
    prefixes = DEFAULT_NON_PRODUCT_PREFIXES if non_product_codes is None else ()
    active = [r for r in CLEANING_RULES if r not in skip]
    if lazy:  # the same rules, run in the engine (crmmine.engine.aggregate.clean)
        from ..engine import aggregate

        return aggregate.clean(
            tx, active=tuple(active), codes=codes, prefixes=prefixes, cancellation_prefix=cancellation_prefix,
            extreme_z=float(extreme_z), extreme_min_ratio=float(extreme_min_ratio),
            extreme_max_share=float(extreme_max_share), date_range=(first_ok, last_ok),
            notable_share=float(notable_share), notable_line_share=float(notable_line_share), skip=skip)

    n = len(tx)
    large = n >= _LARGE
    if large:
        _release_arrow_memory()
    attrs = tx.attrs
    # a view of the same columns without the attrs: pandas deep-copies a frame's attrs into every
    # column taken from it, dozens of times per call
    tx = tx.copy(deep=False)
    tx.attrs = {}
    code_of = {rule: i + 1 for i, rule in enumerate(CLEANING_RULES)}  # 0 = kept
    reason = np.zeros(n, dtype=np.int8)
    undecided = np.ones(n, dtype=bool)

    def mark(rule: str, mask: np.ndarray) -> None:
        hit = mask & undecided
        np.putmask(reason, hit, code_of[rule])
        undecided[...] ^= hit  # the lines hit were undecided: they leave it

    # order and product ids are hashed in two threads (pyarrow's hashing releases the GIL) while the
    # first rules run
    with ThreadPoolExecutor(max_workers=2) as pool:
        encoding = [pool.submit(_distinct, tx[c]) for c in ("order_id", "product_id")]
        quantity = tx["quantity"].to_numpy(dtype=float)
        amount = tx["amount"].to_numpy(dtype=float)
        price = tx["unit_price"].to_numpy(dtype=float) if "unit_price" in tx else np.full(n, np.nan)
        mark("unparseable_date", tx["order_date"].isna().to_numpy())
        mark("unparseable_number", ~np.isfinite(quantity) | ~np.isfinite(amount))
        if "implausible_date" in active:
            dates = tx["order_date"]
            try:
                last_moment = last_ok.normalize() + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
            except (OverflowError, ValueError):  # a last date past 2262 (nanoseconds end there): no upper bound
                last_moment = pd.Timestamp.max
            bounds = _ns_bounds(dates, first_ok, last_moment)
            if bounds is not None:  # the same comparisons on the numpy values (NaT compares False either way)
                d = dates.to_numpy()
                mark("implausible_date", (d < bounds[0]) | (d > bounds[1]))
                del d
            else:
                mark("implausible_date", ((dates < first_ok) | (dates > last_moment)).to_numpy())
        if "missing_customer_id" in active:
            mark("missing_customer_id", tx["customer_id"].isna().to_numpy())
        units = bool(attrs.get("crmmine_source", {}).get("quantity_defaulted"))
        (order_codes, orders), (product_codes, products) = (job.result() for job in encoding)
    if large:
        _release_arrow_memory()
    no_price = np.isnan(price)
    unit = (np.where(no_price, np.divide(amount, quantity, out=np.full(n, np.nan), where=quantity != 0), price)
            if no_price.any() else price)  # read-only from here on
    del no_price
    # on large tables the extreme-value rule's quantities and prices are hashed (every line) in two
    # threads while this one runs the next rules; the rule then counts its candidate lines' codes
    hashing = factorized = None
    if "extreme_value" in active and n > 100_000:
        hashing = ThreadPoolExecutor(max_workers=2)
        factorized = [hashing.submit(pd.factorize, values) for values in (quantity, unit)]
    try:
        if "duplicate" in active and not units:  # without a quantity column, repeated lines are units
            # a line and its exact duplicate break the earlier rules alike, so only undecided lines are compared
            mark("duplicate", _exact_duplicates(tx, order_codes, product_codes, undecided))
        if "non_product_code" in active:
            mark("non_product_code", _non_product_mask(product_codes, products, codes, prefixes))
        if "non_positive_price" in active:
            mark("non_positive_price", ~(unit > 0))
        if "return" in active:
            is_return = quantity < 0
            if cancellation_prefix:
                is_return |= _by_code(order_codes, orders.str.startswith(cancellation_prefix))
            mark("return", is_return)
        extreme_info = None
        if "extreme_value" in active:
            cand = np.flatnonzero(undecided & (quantity > 0))  # the rule sees these lines only
            if factorized is not None:
                factorized = tuple((line_codes[cand], uniques) for line_codes, uniques in
                                   (job.result() for job in factorized))
            ext, extreme_info = _extreme_mask(quantity[cand], unit[cand], z=extreme_z, min_ratio=extreme_min_ratio,
                                              max_share=extreme_max_share, factorized=factorized)
            hit = np.zeros(n, dtype=bool)
            hit[cand[ext]] = True
            mark("extreme_value", hit)
            del cand, ext, hit
    finally:
        if hashing is not None:
            hashing.shutdown(wait=True)
    # the codes (the futures hold them too) and the extreme-value hashes are freed before the lines are taken
    del order_codes, product_codes, orders, products, unit, encoding, factorized

    def audit_rows() -> tuple[list, float]:
        """The audit's lines and sums (run while the worker threads take the lines)."""
        amt = np.where(np.isfinite(amount), amount, 0.0)
        total = float(amt.sum())
        rows = [("input", label("audit.input"), n, total)]
        # each outcome's lines in file order: amt[reason == code].sum(), only for outcomes with lines
        counts = np.bincount(reason, minlength=len(CLEANING_RULES) + 1)

        def outcome_sum(c: int) -> float:
            return float(amt[reason == c].sum()) if counts[c] else float(amt[:0].sum())

        for rule in CLEANING_RULES:
            c = code_of[rule]
            key = "reason.return" if rule == "return" else f"reason.{rule}"
            rows.append((rule, label(key), int(counts[c]), outcome_sum(c)))
        rows.append(("kept", label("audit.kept"), int(counts[0]), outcome_sum(0)))
        return rows, total

    kept_mask = undecided
    return_mask = reason == code_of["return"]
    rejected_mask = ~kept_mask & ~return_mask
    if large:  # the audit's temporary arrays are freed before the lines are taken
        audit_sums = audit_rows()
        _release_arrow_memory()
        transactions, returns, rejected = _take_lines(tx, (kept_mask, return_mask, rejected_mask), attrs)
        rows, total = audit_sums
    else:
        (transactions, returns, rejected), (rows, total) = _take_lines(
            tx, (kept_mask, return_mask, rejected_mask), attrs, meanwhile=audit_rows)
    reject_rules = [r for r in CLEANING_RULES if r != "return"]
    # reason codes 1.. follow CLEANING_RULES; "return" is never among the rejected lines
    to_category = np.array([-1] + [reject_rules.index(r) if r in reject_rules else -1 for r in CLEANING_RULES])
    rejected["reason"] = pd.Categorical.from_codes(to_category[reason[rejected_mask]], categories=reject_rules)

    audit = pd.DataFrame(rows, columns=["rule", "description", "lines", "amount"])
    audit["share_of_lines"] = audit["lines"] / max(n, 1)
    audit["share_of_amount"] = audit["amount"] / total if total else 0.0
    # the invariant, checked on every call
    parts = audit.iloc[1:]
    if int(parts["lines"].sum()) != n or not np.isclose(parts["amount"].sum(), total, rtol=1e-9, atol=1e-6):
        raise CrmmineError("Internal error: cleaning did not account for every line; please report it.")
    removed = ~audit["rule"].isin(["input", "kept"])
    audit["notable"] = removed & ((audit["share_of_lines"] > notable_line_share) |
                                  (audit["share_of_amount"].abs() > notable_share))
    notes = [label("clean.note.notable", rule=r.rule, description=r.description, lines=int(r.lines),
                   share_lines=r.share_of_lines, share_amount=r.share_of_amount)
             for r in audit[audit["notable"]].itertuples()]
    if extreme_info and extreme_info["capped"]:
        notes.append(label("clean.note.extreme_capped", flagged=extreme_info["flagged"], share=extreme_max_share))
    loud = [t for t, r in zip(notes, audit.loc[audit["notable"], "rule"]) if r != "return"] + notes[int(audit["notable"].sum()):]
    if loud:
        warnings.warn("Cleaning removed a notable share of the data: " + " ".join(loud) +
                      " See CleanResult.audit; switch a rule off with clean(..., skip_rules=[...]).",
                      CrmmineWarning, stacklevel=2)
    params = {"skip_rules": list(skip), "duplicates_are_units": units, "non_product_codes": sorted(codes), "non_product_prefixes": list(prefixes),
              "cancellation_prefix": cancellation_prefix, "extreme_z": float(extreme_z),
              "extreme_min_ratio": float(extreme_min_ratio), "extreme_max_share": float(extreme_max_share),
              "date_range": [str(first_ok.date()), str(last_ok.date())], "notable_share": float(notable_share),
              "notable_line_share": float(notable_line_share),
              "extreme": extreme_info}
    transactions.attrs = dict(attrs)
    return CleanResult(transactions, rejected, returns, audit, params, notes)

