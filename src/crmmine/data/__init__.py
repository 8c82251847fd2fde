"""The first stage: files to the canonical transaction table, cleaned with a full audit.

:mod:`.io` reads files and maps their columns (presets or a mapping); :mod:`.schema` defines the
canonical columns; :mod:`.dates` parses dates; :mod:`.clean` keeps or rejects every line with a reason;
:mod:`.profile` summarises a file; :mod:`.artifacts` writes result tables (CSV + Parquet) safely.
"""

from .artifacts import write_table
from .clean import CleanResult, clean
from .io import read_transactions
from .schema import validate_transactions

__all__ = ["CleanResult", "clean", "read_transactions", "validate_transactions", "write_table"]
