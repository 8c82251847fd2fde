"""Writing report artefacts: CSV and Parquet, atomically and deterministically.

A campaign tool imports these files, and spreadsheets open them, so text cells that a
spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return; OWASP "CSV injection") are prefixed with a single quote in the CSV.
The Parquet file keeps the values as they are (typed, not executed by anything).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


import pandas as pd

from ..errors import ParameterError

__all__ = ["write_table", "neutralise_formulas"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells cannot run as spreadsheet formulas (prefixed with ``'``).

    Only the columns that change are new; the others are shared with ``df`` (copy-on-write), so
    writing a table of millions of customers does not hold a second copy of it."""
    out = df.copy(deep=False)
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_string_dtype(s) or s.dtype == object:
            text = s.astype("string")
            risky = text.str.startswith(_FORMULA_START).fillna(False).to_numpy(dtype=bool)
            if risky.any():
                s = s.astype(object).copy()
                s[risky] = ("'" + text[risky]).to_numpy(dtype=object)
                out[col] = s
    return out


def _atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        # mkstemp makes the file 0600; a campaign tool running as another user must read it (0644 under umask 022)
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_table(df: pd.DataFrame, output_dir, name: str, *, index: bool = False) -> dict[str, Path]:
    """Write ``df`` as ``<output_dir>/<name>.csv`` and ``<name>.parquet``.

    Each file is written to a temporary file in the same folder and renamed into place,
    so a reader never sees half a file. The same table gives byte-identical files.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    output_dir : str or pathlib.Path
        Folder (created if absent).
    name : str
        File stem, e.g. ``"customers"``.
    index : bool, default=False
        Write the index as the first column(s).

    Returns
    -------
    dict
        ``{"csv": path, "parquet": path}``.
    """
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"The 'df' parameter must be a pandas DataFrame. Got {type(df).__name__} instead.")
    if not isinstance(name, str) or not name or any(c in name for c in "/\\") or name.startswith("."):
        raise ParameterError(f"The 'name' parameter must be a plain file stem such as 'customers'. Got {name!r} instead.")
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = df.reset_index() if index else df.reset_index(drop=True)
    # categories and pyarrow-backed columns written as plain values, for stable output
    for col in table.columns:
        if isinstance(table[col].dtype, pd.CategoricalDtype):
            table[col] = table[col].astype(object).where(table[col].notna(), None)
    csv_path, pq_path = out / f"{name}.csv", out / f"{name}.parquet"
    safe = neutralise_formulas(table)
    _atomic_write(csv_path, lambda p: safe.to_csv(p, index=False, lineterminator="\n", encoding="utf-8",
                                                  date_format="%Y-%m-%d %H:%M:%S"))
    _atomic_write(pq_path, lambda p: table.to_parquet(p, index=False, engine="pyarrow", compression="snappy"))
    return {"csv": csv_path, "parquet": pq_path}


