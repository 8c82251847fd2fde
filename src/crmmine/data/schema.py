"""The canonical transaction schema (one row per order line) and its validation.

See ``DESIGN.md``: every later stage takes this table and trusts it.

==============  ================  ==================================================
column          dtype             notes
==============  ================  ==================================================
customer_id     string            missing for guest lines (cleaning rejects them)
order_id        string            invoice / basket id
order_date      datetime64[ns]    NaT where the source value could not be read
product_id      string            stock code / SKU
product_name    string            optional
quantity        float64           negative = return
unit_price      float64           optional when ``amount`` is given
amount          float64           quantity x unit_price unless the source gives it
country         string            optional
category        string            optional
discount        float64           optional
source_line     int64             line (row) of the source the row came from
==============  ================  ==================================================
"""

from __future__ import annotations

import pandas as pd

from ..errors import MissingColumnError
from ..validation import check_table

__all__ = [
    "CANONICAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "ID_COLUMNS",
    "NUMERIC_COLUMNS",
    "STRING_DTYPE",
    "EVENT_TYPES",
    "EVENT_TYPE_DTYPE",
    "validate_transactions",
]

#: Canonical column order.
CANONICAL_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "order_id",
    "order_date",
    "product_id",
    "product_name",
    "quantity",
    "unit_price",
    "amount",
    "country",
    "category",
    "discount",
    "source_line",
)

#: Columns every canonical table has (after reading; ``amount`` is derived if absent).
REQUIRED_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "order_id",
    "order_date",
    "product_id",
    "quantity",
    "amount",
)

ID_COLUMNS: tuple[str, ...] = ("customer_id", "order_id", "product_id")
TEXT_COLUMNS: tuple[str, ...] = ID_COLUMNS + ("product_name", "country", "category")
NUMERIC_COLUMNS: tuple[str, ...] = ("quantity", "unit_price", "amount", "discount")

#: The dtype of every text column of the canonical table.
STRING_DTYPE = pd.StringDtype("pyarrow")

#: Canonical behaviour-event types, in funnel order (the event table itself: :mod:`crmmine.behaviour.events`).
EVENT_TYPES: tuple[str, ...] = ("view", "cart", "favourite", "purchase")
#: The dtype of the canonical ``event_type`` column.
EVENT_TYPE_DTYPE = pd.CategoricalDtype(list(EVENT_TYPES), ordered=True)


def validate_transactions(tx: pd.DataFrame, *, name: str = "tx") -> pd.DataFrame:
    """Check that ``tx`` is a canonical transaction table and return it.

    Parameters
    ----------
    tx : pandas.DataFrame
        The table to check, usually from :func:`crmmine.read_transactions` or
        ``crmmine.clean(...).transactions``.
    name : str, default="tx"
        The parameter name used in error messages.

    Raises
    ------
    MissingColumnError
        A required column is missing, or ``order_date`` is not a datetime column.
    """
    missing = [c for c in REQUIRED_COLUMNS if isinstance(tx, pd.DataFrame) and c not in tx.columns]
    mapping = ", ".join(f"'{c}': '<your column>'" for c in missing)
    check_table(tx, REQUIRED_COLUMNS, name=name, what="of canonical transactions",
                hint=(f"Read the file with crmmine.read_transactions(path, schema={{{mapping}, ...}}) to map "
                      f"{'them' if len(missing) > 1 else 'it'}." if missing else
                      "Read a file with crmmine.read_transactions(path)."))
    if not pd.api.types.is_datetime64_any_dtype(tx["order_date"]):
        raise MissingColumnError(
            f"The '{name}' table's 'order_date' column must hold datetimes. Got dtype "
            f"{tx['order_date'].dtype} instead; read the file with crmmine.read_transactions."
        )
    return tx
