"""One row per customer and what is read off it: RFM, lifecycle states, cohorts and concentration, segments.

:mod:`.table` builds the customer table; :mod:`.rfm` scores and names RFM segments; :mod:`.lifecycle`
assigns states (new, active, loyal, at risk, lost) and their transitions; :mod:`.cohorts` has acquisition
cohorts, Pareto/ABC classes, Lorenz curve, Gini and value ranking; :mod:`.segment` clusters customers.
"""

from .cohorts import cohort_table, gini, lorenz_curve, pareto_classes, value_ranking
from .loyalty import (
    DICK_BASU_CELLS,
    LOYALTY_TYPES,
    SatisfactionLoyalty,
    loyalty_summary,
    loyalty_types,
    satisfaction_loyalty,
    summarise_loyalty,
    summarise_resources,
)
from .lifecycle import LIFECYCLE_STATES, lifecycle_states, lifecycle_thresholds, state_transitions
from .rfm import RFM_CN8_CLASSES, RFM_SCHEMES, RFM_SEGMENTS, rfm_scores, rfm_segment_guide, rfm_segments, rfm_table
from .segment import CustomerSegmenter, segment_summary
from .table import customer_table

__all__ = [
    "LIFECYCLE_STATES",
    "RFM_SEGMENTS",
    "CustomerSegmenter",
    "cohort_table",
    "customer_table",
    "gini",
    "lifecycle_states",
    "lifecycle_thresholds",
    "lorenz_curve",
    "pareto_classes",
    "rfm_scores",
    "rfm_segment_guide",
    "rfm_segments",
    "rfm_table",
    "segment_summary",
    "state_transitions",
    "value_ranking",
    # --- loyalty ---
    "DICK_BASU_CELLS",
    "LOYALTY_TYPES",
    "RFM_CN8_CLASSES",
    "RFM_SCHEMES",
    "SatisfactionLoyalty",
    "loyalty_summary",
    "loyalty_types",
    "satisfaction_loyalty",
    "summarise_loyalty",
    "summarise_resources",
]
