"""Customer lifetime value: summaries, purchase and spend models (one per file), value decomposition.

- :mod:`.summary`: :func:`clv_summary`, :func:`calibration_holdout_summary` (transactions -> frequency,
  recency, T, monetary value);
- :mod:`.base`: checks and fitting plumbing every model shares; :mod:`._kernels`: likelihoods and gradients;
- :mod:`.beta_geo`: :class:`BetaGeoModel` (BG/NBD); :mod:`.gamma_gamma`: :class:`GammaGammaModel`;
- :mod:`.value`: :func:`customer_value` (historical, predicted and potential value) and its sentences.
"""

from .beta_geo import BetaGeoModel
from .gamma_gamma import GammaGammaModel
from .summary import DISCOUNT_PERIODS, TIME_UNITS, calibration_holdout_summary, clv_summary
from .value import customer_value, summarise_calibration_holdout, summarise_value

__all__ = [
    "DISCOUNT_PERIODS",
    "TIME_UNITS",
    "BetaGeoModel",
    "GammaGammaModel",
    "calibration_holdout_summary",
    "clv_summary",
    "customer_value",
    "summarise_calibration_holdout",
    "summarise_value",
]
