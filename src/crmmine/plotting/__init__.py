"""Plotly figures: ``plot_*`` functions take a crmmine result and return a ``plotly.graph_objects.Figure``.

One module per area; none of them calls ``show()``. Titles and axis labels come from
:mod:`crmmine.text.labels`.
"""

# --- customer value / segments ---
from .segments import (
    plot_cluster_profiles,
    plot_cluster_scatter,
    plot_cohort_heatmap,
    plot_k_selection,
    plot_lifecycle_transitions,
    plot_lorenz_curve,
    plot_rfm_grid,
    plot_rfm_treemap,
    plot_segment_sizes,
)
# (end of segments)

# --- clv ---
from .clv import (
    plot_calibration_holdout,
    plot_clv_distribution,
    plot_probability_alive,
    plot_probability_alive_history,
    plot_tracking,
    plot_value_decomposition,
)
# (end of clv)

# --- cross-sell ---
from .crosssell import plot_evaluation, plot_item_frequency, plot_rule_matrix, plot_rule_network, plot_rules_scatter
# (end of cross-sell)

# --- churn ---
from .churn import (
    plot_churn_calibration,
    plot_churn_gains,
    plot_churn_importance,
    plot_churn_pr,
    plot_churn_roc,
    plot_value_at_risk,
)
# (end of churn)

# --- loyalty ---
from .loyalty import plot_loyalty_map, plot_satisfaction_repeat
# (end of loyalty)
# --- behaviour ---
from .behaviour import (
    plot_activity_heatmap,
    plot_conversion_by_category,
    plot_funnel,
    plot_propensity_gains,
    plot_time_to_purchase,
    plot_traffic_by_day,
)
# (end of behaviour)

__all__ = [
    # --- segments names ---
    "plot_cluster_profiles",
    "plot_cluster_scatter",
    "plot_cohort_heatmap",
    "plot_k_selection",
    "plot_lifecycle_transitions",
    "plot_lorenz_curve",
    "plot_rfm_grid",
    "plot_rfm_treemap",
    "plot_segment_sizes",
    # (end of segments names)
    # --- clv names ---
    "plot_calibration_holdout",
    "plot_clv_distribution",
    "plot_probability_alive",
    "plot_value_decomposition",
    "plot_tracking",
    "plot_probability_alive_history",
    # (end of clv names)
    # --- cross-sell names ---
    "plot_evaluation",
    "plot_item_frequency",
    "plot_rule_matrix",
    "plot_rule_network",
    "plot_rules_scatter",
    # (end of cross-sell names)
    # --- churn names ---
    "plot_churn_calibration",
    "plot_churn_gains",
    "plot_churn_importance",
    "plot_churn_pr",
    "plot_churn_roc",
    "plot_value_at_risk",
    # (end of churn names)
    # --- loyalty names ---
    "plot_loyalty_map",
    "plot_satisfaction_repeat",
    # (end of loyalty names)
    # --- behaviour names ---
    "plot_activity_heatmap",
    "plot_conversion_by_category",
    "plot_funnel",
    "plot_propensity_gains",
    "plot_time_to_purchase",
    "plot_traffic_by_day",
    # (end of behaviour names)
]
