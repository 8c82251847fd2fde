"""Plotly figures: ``plot_*`` functions take a crmmine result and return a ``plotly.graph_objects.Figure``.

One module per area; none of them calls ``show()``. Titles and axis labels come from
:mod:`crmmine.labels`.
"""

# --- customer value / segments ---
# (end of segments)

# --- clv ---
from .clv import (
    plot_calibration_holdout,
    plot_clv_distribution,
    plot_probability_alive,
    plot_value_decomposition,
)
# (end of clv)

# --- cross-sell ---
# (end of cross-sell)

# --- churn ---
# (end of churn)

__all__ = [
    # --- segments names ---
    # (end of segments names)
    # --- clv names ---
    "plot_calibration_holdout",
    "plot_clv_distribution",
    "plot_probability_alive",
    "plot_value_decomposition",
    # (end of clv names)
    # --- cross-sell names ---
    # (end of cross-sell names)
    # --- churn names ---
    # (end of churn names)
]
