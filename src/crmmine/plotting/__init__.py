"""Plotly figures: ``plot_*`` functions take a crmmine result and return a ``plotly.graph_objects.Figure``.

One module per area; none of them calls ``show()``. Titles and axis labels come from
:mod:`crmmine.labels`.
"""

# --- customer value / segments ---
# (end of segments)

# --- clv ---
# (end of clv)

# --- cross-sell ---
from .crosssell import plot_evaluation, plot_item_frequency, plot_rule_matrix, plot_rule_network, plot_rules_scatter
# (end of cross-sell)

# --- churn ---
# (end of churn)

__all__ = [
    # --- segments names ---
    # (end of segments names)
    # --- clv names ---
    # (end of clv names)
    # --- cross-sell names ---
    "plot_evaluation",
    "plot_item_frequency",
    "plot_rule_matrix",
    "plot_rule_network",
    "plot_rules_scatter",
    # (end of cross-sell names)
    # --- churn names ---
    # (end of churn names)
]
