"""crmmine: analytical-CRM data mining for online retail.

Read a shop's transaction log, clean it with a full audit, and turn it into customer value,
segments, cross-sell rules and churn risk. See the README for a tour.
"""

from . import datasets
from .errors import CrmmineError
from .schema import validate_transactions

__version__ = "0.1.0"

__all__ = [
    "CrmmineError",
    "datasets",
    "validate_transactions",
]
