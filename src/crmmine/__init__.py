"""crmmine: analytical-CRM data mining for online retail.

Read a shop's transaction log, clean it with a full audit, and turn it into customer value,
segments, cross-sell rules and churn risk. See the README for a tour.
"""

from . import datasets
from .errors import CrmmineError

# --- data: read, clean, write ---
from .data import CleanResult, clean, read_transactions, validate_transactions, write_table
from .datasets import load_clean
from .report.parameters import check_parameters

# --- customers: customer table, RFM, lifecycle, cohorts, segments ---
from .customers import (
    LIFECYCLE_STATES,
    RFM_SEGMENTS,
    CustomerSegmenter,
    cohort_table,
    customer_table,
    gini,
    lifecycle_states,
    lifecycle_thresholds,
    lorenz_curve,
    pareto_classes,
    rfm_scores,
    rfm_segment_guide,
    rfm_segments,
    rfm_table,
    segment_summary,
    state_transitions,
    value_ranking,
)
from .text import findings

# --- clv ---
from .clv import (
    BetaGeoModel,
    GammaGammaModel,
    calibration_holdout_summary,
    clv_summary,
    customer_value,
    summarise_calibration_holdout,
    summarise_value,
)

# --- cross-sell: baskets, rules, recommendations, evaluation ---
from .crosssell import (
    Baskets,
    RecommendationEvaluation,
    bought_together,
    evaluate_recommendations,
    filter_rules,
    frequent_itemsets,
    item_frequency,
    make_baskets,
    mine_rules,
    potential_value,
    prune_redundant_rules,
    recommend,
    recommend_popular,
    rule_labels,
    rule_text,
    sets_to_text,
    summarise_bought_together,
    summarise_evaluation,
    summarise_item_frequency,
    summarise_recommendations,
    summarise_rules,
)

# --- churn and win-back ---
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
    winback_list,
)

# --- new areas: add an import block per area below this line ---
# --- loyalty: loyalty types, satisfaction vs loyalty, the eight RFM classes ---
from .customers import (
    DICK_BASU_CELLS,
    LOYALTY_TYPES,
    RFM_CN8_CLASSES,
    RFM_SCHEMES,
    SatisfactionLoyalty,
    loyalty_summary,
    loyalty_types,
    satisfaction_loyalty,
    summarise_loyalty,
    summarise_resources,
)
# (end of loyalty)
# --- reports: the lists a campaign tool imports ---
from .report.actions import contact_list, customer_offers, winback_actions
# (end of reports imports)

# --- clv models, model choice, intervals, tracking (issue 13) ---
from .clv import (
    BetaGeoBetaBinomModel,
    ModelComparison,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
    ShiftedBetaGeoModel,
    acquisition_covariates,
    choose_model,
    compare_models,
    format_holdout_check,
    holdout_check,
    likelihood_ratio_test,
    parameter_draws,
    predict_interval,
    probability_alive_history,
    reconcile_alive_lifecycle,
    segment_totals,
    format_segment_totals,
    summarise_segment_totals,
    summarise_holdout_check,
    summarise_model_choice,
    tracking_table,
)
# --- predict (issue 17): recommenders beyond rules, their comparison ---
from .crosssell import (
    COMPARISON_COLUMNS,
    RECOMMENDER_COLUMNS,
    RECOMMENDERS,
    RecommenderComparison,
    compare_recommenders,
    recommend_buy_again,
    recommend_hybrid,
    recommend_item_cf,
    recommend_random,
    recommend_with,
    summarise_comparison,
)
from .churn import SelectedChurnModel, churn_choice_finding
# (end of predict imports)

# --- data area (issue 11): basket-per-line files, shop shapes ---
from .crosssell import read_baskets
from .datasets import make_shop
# (end of data area imports)
# --- scale: DuckDB / Spark engines for logs larger than memory ---
from . import engine
from .engine import LazyCleanResult, LazyTransactions

# --- behaviour: events, funnels, prospects, abandoned carts ---
from .behaviour import (
    EVENT_TYPES,
    EventLog,
    PropensityBacktest,
    PropensityEvaluation,
    PropensityModel,
    abandoned_carts,
    activity_matrix,
    cart_outcomes,
    evaluate_propensity,
    count_baskets,
    event_baskets,
    events_to_transactions,
    funnel,
    funnel_dropouts,
    item_conversion,
    load_events,
    propensity_backtest,
    propensity_cutoffs,
    propensity_features,
    propensity_finding,
    propensity_labels,
    prospect_list,
    read_events,
    sessionize,
    time_to_purchase,
    traffic_by,
    traffic_summary,
    validate_events,
    viewed_not_bought,
)
# (end of behaviour)

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
    # --- new areas: add a block of names per area below this line ---
    # --- clv models names (issue 13) ---
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
    # (end of clv models names)
    # --- predict names ---
    "COMPARISON_COLUMNS",
    "RECOMMENDER_COLUMNS",
    "RECOMMENDERS",
    "RecommenderComparison",
    "compare_recommenders",
    "recommend_buy_again",
    "recommend_hybrid",
    "recommend_item_cf",
    "recommend_random",
    "recommend_with",
    "summarise_comparison",
    "SelectedChurnModel",
    "churn_choice_finding",
    # (end of predict names)
    # --- data area (issue 11) ---
    "make_shop",
    "read_baskets",
    # (end of data area names)
    # --- loyalty names ---
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
    # (end of loyalty names)
    # --- scale names ---
    "engine",
    "LazyCleanResult",
    "LazyTransactions",
    # (end of scale names)
    # --- behaviour names ---
    "EVENT_TYPES",
    "EventLog",
    "PropensityBacktest",
    "PropensityEvaluation",
    "PropensityModel",
    "abandoned_carts",
    "activity_matrix",
    "cart_outcomes",
    "evaluate_propensity",
    "count_baskets",
    "event_baskets",
    "events_to_transactions",
    "funnel",
    "funnel_dropouts",
    "item_conversion",
    "load_events",
    "propensity_backtest",
    "propensity_cutoffs",
    "propensity_features",
    "propensity_finding",
    "propensity_labels",
    "prospect_list",
    "read_events",
    "sessionize",
    "time_to_purchase",
    "traffic_by",
    "traffic_summary",
    "validate_events",
    "viewed_not_bought",
    # (end of behaviour names)
    # --- reports names ---
    "contact_list",
    "customer_offers",
    "winback_actions",
    # (end of reports names)
]
