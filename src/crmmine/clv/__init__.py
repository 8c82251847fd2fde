"""Customer lifetime value: summaries, purchase and spend models (one per file), value decomposition.

- :mod:`.summary`: :func:`clv_summary`, :func:`calibration_holdout_summary` (transactions -> frequency,
  recency, T, monetary value);
- :mod:`.base`: checks and fitting plumbing every model shares; :mod:`._kernels`: likelihoods and gradients;
- :mod:`.beta_geo`: :class:`BetaGeoModel` (BG/NBD); :mod:`.gamma_gamma`: :class:`GammaGammaModel`;
- :mod:`.value`: :func:`customer_value` (historical, predicted and potential value) and its sentences;
- :mod:`.pareto_nbd`: :class:`ParetoNBDModel`; :mod:`.modified_beta_geo`: :class:`ModifiedBetaGeoModel`;
  :mod:`.beta_geo_beta_binom`: :class:`BetaGeoBetaBinomModel` (discrete opportunities);
  :mod:`.shifted_beta_geo`: :class:`ShiftedBetaGeoModel` (contract renewal); :mod:`._btyd`: their plumbing;
- :mod:`.model_choice`: :func:`compare_models`, :func:`choose_model`, :func:`holdout_check` and their sentences;
- :mod:`.intervals`: :func:`predict_interval`, :func:`segment_totals`; :mod:`.tracking`: tracking tables.
"""

from .beta_geo import BetaGeoModel
from .gamma_gamma import GammaGammaModel
from .summary import DISCOUNT_PERIODS, TIME_UNITS, calibration_holdout_summary, clv_summary
from .value import customer_value, summarise_calibration_holdout, summarise_value

# --- issue 13: more purchase models, model choice, intervals, tracking ---
from .beta_geo_beta_binom import BetaGeoBetaBinomModel
from .intervals import (
    format_segment_totals,
    parameter_draws,
    predict_interval,
    segment_totals,
    summarise_segment_totals,
)
from .model_choice import (
    ModelComparison,
    acquisition_covariates,
    choose_model,
    compare_models,
    format_holdout_check,
    holdout_check,
    likelihood_ratio_test,
    reconcile_alive_lifecycle,
    summarise_holdout_check,
    summarise_model_choice,
)
from .modified_beta_geo import ModifiedBetaGeoModel
from .pareto_nbd import ParetoNBDModel
from .shifted_beta_geo import ShiftedBetaGeoModel
from .tracking import probability_alive_history, tracking_table

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
    # issue 13
    "BetaGeoBetaBinomModel",
    "ModelComparison",
    "ModifiedBetaGeoModel",
    "ParetoNBDModel",
    "ShiftedBetaGeoModel",
    "acquisition_covariates",
    "choose_model",
    "compare_models",
    "format_holdout_check",
    "holdout_check",
    "likelihood_ratio_test",
    "parameter_draws",
    "predict_interval",
    "probability_alive_history",
    "reconcile_alive_lifecycle",
    "segment_totals",
    "format_segment_totals",
    "summarise_segment_totals",
    "summarise_holdout_check",
    "summarise_model_choice",
    "tracking_table",
]
