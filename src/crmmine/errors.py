"""The exceptions and warnings crmmine raises.

Every error crmmine raises on purpose derives from :class:`CrmmineError`. A message
names the file, column or parameter, quotes an offending value and says what to do.
The command line turns an :class:`InputError` or :class:`ParameterError` into one
line on stderr and exit status 2.
"""

from __future__ import annotations

__all__ = [
    "CrmmineError",
    "InputError",
    "SourceNotFoundError",
    "EmptySourceError",
    "NotATableError",
    "UnknownSchemaError",
    "MissingColumnError",
    "MappingError",
    "UnparseableValuesError",
    "ParameterError",
    "MiningBudgetError",
    "ConvergenceError",
    "NotFittedError",
    "ReportError",
    "CrmmineWarning",
]


class CrmmineError(Exception):
    """Base class of every error crmmine raises on purpose."""


class InputError(CrmmineError, ValueError):
    """The input data (a file or a table) cannot be used as it is."""


class SourceNotFoundError(InputError, FileNotFoundError):
    """The path given as a source does not exist."""


class EmptySourceError(InputError):
    """The source holds no data lines."""


class NotATableError(InputError):
    """The source is not a table crmmine can read (e.g. an image renamed ``.csv``)."""


class UnknownSchemaError(InputError):
    """The schema name is not a known preset."""


class MissingColumnError(InputError, KeyError):
    """A required canonical column is missing from the source."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class MappingError(InputError):
    """A column mapping points to a column that is not in the source."""


class UnparseableValuesError(InputError):
    """Too many values of a column cannot be read as numbers or dates."""


class ParameterError(CrmmineError, ValueError):
    """A function or command-line parameter has an invalid value."""


class MiningBudgetError(ParameterError):
    """Itemset mining would find more itemsets than its budget (``max_itemsets``); the message
    says which parameter to change (a higher ``min_support``, a ``max_len``, dropping big baskets)."""


class ConvergenceError(CrmmineError, RuntimeError):
    """A model fit did not converge."""


class NotFittedError(CrmmineError, ValueError, AttributeError):
    """A model was used before ``fit`` was called (same bases as scikit-learn's)."""


class ReportError(CrmmineError, RuntimeError):
    """A report run failed; the message says where its debugging material is."""


class CrmmineWarning(UserWarning):
    """Base class of crmmine's warnings."""
