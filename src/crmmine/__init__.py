"""crmmine: analytical-CRM data mining for online retail.

Read a shop's transaction log, clean it with a full audit, and turn it into customer value,
segments, cross-sell rules and churn risk. See the README for a tour.
"""

from . import datasets
from .artifacts import write_table
from .clean import CleanResult, clean, load_clean
from .errors import CrmmineError
from .io import read_transactions
from .parameters import check_parameters
from .schema import validate_transactions

# --- customer value (customers, rfm, lifecycle, cohorts, segment) imports ---
from .customers import customer_table
from .rfm import RFM_SEGMENTS, rfm_scores, rfm_segment_guide, rfm_segments, rfm_table
from .lifecycle import LIFECYCLE_STATES, lifecycle_states, lifecycle_thresholds, state_transitions
from .cohorts import cohort_table, gini, lorenz_curve, pareto_classes, value_ranking
from .segment import CustomerSegmenter, segment_summary
from . import findings
# (end of customer value imports)

# --- clv imports ---
from .clv import (
    BetaGeoModel,
    GammaGammaModel,
    calibration_holdout_summary,
    clv_summary,
    customer_value,
    summarise_calibration_holdout,
    summarise_value,
)
# (end of clv imports)

# --- cross-sell: baskets and rules imports ---
from .basket import Baskets, make_baskets
from .rules import filter_rules, frequent_itemsets, mine_rules, prune_redundant_rules, rule_labels, summarise_rules
# (end of rules imports)

# --- cross-sell: recommendations imports ---
from .evaluate import RecommendationEvaluation, evaluate_recommendations, recommend_popular, summarise_evaluation
from .recommend import (
    bought_together,
    item_frequency,
    potential_value,
    recommend,
    rule_text,
    sets_to_text,
    summarise_bought_together,
    summarise_item_frequency,
    summarise_recommendations,
)
# (end of recommend imports)

# --- churn imports ---
from .churn import (
    ChurnBacktest,
    ChurnEvaluation,
    ChurnModel,
    churn_backtest,
    churn_cutoffs,
    churn_features,
    churn_finding,
    churn_labels,
    evaluate_churn,
)
from .winback import winback_list
# (end of churn imports)

__version__ = "0.1.0"

__all__ = [
    "CleanResult",
    "CrmmineError",
    "check_parameters",
    "clean",
    "datasets",
    "load_clean",
    "read_transactions",
    "validate_transactions",
    "write_table",
    # --- customer value names ---
    "customer_table",
    "RFM_SEGMENTS",
    "rfm_scores",
    "rfm_segment_guide",
    "rfm_segments",
    "rfm_table",
    "LIFECYCLE_STATES",
    "lifecycle_states",
    "lifecycle_thresholds",
    "state_transitions",
    "cohort_table",
    "gini",
    "lorenz_curve",
    "pareto_classes",
    "value_ranking",
    "CustomerSegmenter",
    "findings",
    "segment_summary",
    # (end of customer value names)
    # --- clv names ---
    "BetaGeoModel",
    "GammaGammaModel",
    "calibration_holdout_summary",
    "clv_summary",
    "customer_value",
    "summarise_calibration_holdout",
    "summarise_value",
    # (end of clv names)
    # --- rules names ---
    "Baskets",
    "filter_rules",
    "frequent_itemsets",
    "make_baskets",
    "mine_rules",
    "prune_redundant_rules",
    "rule_labels",
    "summarise_rules",
    # (end of rules names)
    # --- recommend names ---
    "RecommendationEvaluation",
    "bought_together",
    "evaluate_recommendations",
    "potential_value",
    "recommend",
    "recommend_popular",
    "rule_text",
    "sets_to_text",
    "summarise_evaluation",
    "summarise_recommendations",
    "item_frequency",
    "summarise_bought_together",
    "summarise_item_frequency",
    # (end of recommend names)
    # --- churn names ---
    "ChurnBacktest",
    "ChurnEvaluation",
    "ChurnModel",
    "churn_backtest",
    "churn_cutoffs",
    "churn_features",
    "churn_finding",
    "churn_labels",
    "evaluate_churn",
    "winback_list",
    # (end of churn names)
]
