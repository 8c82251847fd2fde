"""Behaviour events: views, carts, favourites and purchases of visitors, before and beside transactions.

- :mod:`~crmmine.behaviour.events` - :func:`read_events` (presets such as Taobao, or a mapping; every line
  kept or rejected with a reason), :func:`events_to_transactions`, :func:`sessionize`.
- :mod:`~crmmine.behaviour.funnel` - the funnel (users per stage, step and overall conversion), PV/UV,
  paying, repurchase and bounce rates, cart outcomes, time to purchase, activity by weekday and hour.
- :mod:`~crmmine.behaviour.prospects` - a purchase-propensity model on a time split against plain baselines,
  the ranked prospect list with reasons, abandoned carts.
- :mod:`~crmmine.behaviour.items` - conversion per item and category, items viewed but not bought, baskets of
  items viewed together for the rule engine.
- :mod:`~crmmine.behaviour.summaries` - one-sentence findings and readable tables for the report.
"""

from .events import (
    EVENT_COLUMNS,
    EVENT_PRESETS,
    EVENT_RULES,
    EVENT_TYPE_WORDS,
    EVENT_TYPES,
    EventLog,
    EventPreset,
    events_to_transactions,
    load_events,
    read_events,
    sessionize,
    validate_events,
)
from .funnel import (
    STAGES,
    activity_matrix,
    cart_outcomes,
    funnel,
    funnel_dropouts,
    time_to_purchase,
    traffic_by,
    traffic_summary,
)
from .items import count_baskets, event_baskets, item_conversion, viewed_not_bought
from .prospects import (
    PROPENSITY_SCORERS,
    PropensityBacktest,
    PropensityEvaluation,
    PropensityModel,
    abandoned_carts,
    evaluate_propensity,
    propensity_backtest,
    propensity_cutoffs,
    propensity_features,
    propensity_finding,
    propensity_labels,
    prospect_list,
)
from .summaries import (
    readable_table,
    summarise_carts,
    summarise_categories,
    summarise_event_rules,
    summarise_events,
    summarise_fit_sample,
    summarise_funnel,
    summarise_items,
    summarise_peak,
    summarise_prospects,
    summarise_time_to_purchase,
    summarise_traffic,
    traffic_table,
)

__all__ = [
    "EVENT_COLUMNS", "EVENT_PRESETS", "EVENT_RULES", "EVENT_TYPE_WORDS", "EVENT_TYPES", "EventLog", "EventPreset",
    "events_to_transactions", "load_events", "read_events", "sessionize", "validate_events",
    "STAGES", "activity_matrix", "cart_outcomes", "funnel", "funnel_dropouts", "time_to_purchase", "traffic_by",
    "traffic_summary",
    "count_baskets", "event_baskets", "item_conversion", "viewed_not_bought",
    "PROPENSITY_SCORERS", "PropensityBacktest", "PropensityEvaluation", "PropensityModel", "abandoned_carts",
    "evaluate_propensity", "propensity_backtest", "propensity_cutoffs", "propensity_features", "propensity_finding",
    "propensity_labels", "prospect_list",
    "readable_table", "summarise_carts", "summarise_categories", "summarise_event_rules", "summarise_events",
    "summarise_fit_sample", "summarise_funnel", "summarise_items", "summarise_peak", "summarise_prospects", "summarise_time_to_purchase",
    "summarise_traffic", "traffic_table",
]
