"""Row orders, look-ups and words over millions of rows without Python string objects (the campaign lists).

pandas sorts and re-keys a text column by first making one Python string per row and a hash table of them
(about 100 bytes a row, plus the sorted copy of every column); pyarrow does both on the Arrow buffers. UTF-8
byte order is code-point order, so texts sort as Python and pandas sort them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def arrow_text(values):
    """The texts of a Series, Index or array as a pyarrow (chunked) array: no copy for pyarrow-backed text,
    other values converted with ``astype(str)`` as pandas would show them."""
    import pyarrow as pa

    if isinstance(values, (pa.Array, pa.ChunkedArray)) and (pa.types.is_string(values.type)
                                                            or pa.types.is_large_string(values.type)):
        return values
    arr = getattr(getattr(values, "array", values), "_pa_array", None)
    if arr is not None and (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return arr
    return pa.array(np.asarray(pd.Index(values).astype(str), dtype=object), type=pa.large_string())


def stable_order(*keys) -> np.ndarray:
    """The permutation that sorts rows by ``keys`` — pairs ``(values, descending)`` of numbers or texts, the
    first pair first — stably (equal rows keep their order), missing values (None, NaN) last for every key:
    what ``DataFrame.sort_values(..., kind="stable", na_position="last")`` gives."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns, sort_keys = {}, []
    for i, (values, descending) in enumerate(keys):
        if isinstance(values, (pa.Array, pa.ChunkedArray)):
            col = values
        else:
            v = np.asarray(values)
            col = pa.array(v, from_pandas=True) if v.dtype.kind == "f" else pa.array(v)  # NaN -> null: last
        columns[f"k{i}"] = col
        sort_keys.append((f"k{i}", "descending" if descending else "ascending"))
    if not columns or len(next(iter(columns.values()))) == 0:
        return np.zeros(0, dtype=np.int64)
    order = pc.sort_indices(pa.table(columns), sort_keys=sort_keys)  # nulls at the end: the default
    return order.to_numpy().astype(np.int64, copy=False)


def positions_in(targets, keys, *, what: str = "keys") -> np.ndarray:
    """Position of each of ``targets`` among ``keys`` (texts; -1 when absent): ``Index(keys).get_indexer(targets)``
    by pyarrow's hash table. ``keys`` must be distinct (``what`` names them in the error)."""
    import pyarrow.compute as pc

    from ..errors import InputError

    k = arrow_text(keys)
    if pc.count_distinct(k, mode="all").as_py() != len(k):
        texts = pd.Series(k.to_pandas())
        raise InputError(f"The {what} hold customer_id {texts[texts.duplicated()].iloc[0]!r} more than once; "
                         f"give one row per customer.")
    pos = pc.index_in(arrow_text(targets), value_set=k)
    return pos.fill_null(-1).to_numpy().astype(np.int64, copy=False)


def words_by_code(codes, words) -> pd.Series:
    """A "str" Series with ``words[code]`` for each of ``codes`` (integer positions into the few ``words``), built
    through a Categorical: no Python string per row. Two codes may share a word."""
    cats = pd.Index(list(dict.fromkeys(words)), dtype=object)  # distinct words, in order
    return pd.Series(pd.Categorical.from_codes(cats.get_indexer(words)[codes], categories=cats)).astype("str")
