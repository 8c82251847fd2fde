"""Cross-selling: baskets, frequent itemsets and rules, recommendations, and their evaluation.

:mod:`.basket` builds the sparse orders x items matrix; :mod:`._itemsets` is crmmine's itemset engine;
:mod:`.rules` mines and filters association rules; :mod:`.recommend` turns rules into offers;
:mod:`.evaluate` judges the offers on a time split against a most-popular baseline.
"""

from .basket import Baskets, make_baskets, read_baskets
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
from .rules import filter_rules, frequent_itemsets, mine_rules, prune_redundant_rules, rule_labels, summarise_rules

__all__ = [
    "Baskets",
    "RecommendationEvaluation",
    "bought_together",
    "evaluate_recommendations",
    "filter_rules",
    "frequent_itemsets",
    "item_frequency",
    "make_baskets",
    "mine_rules",
    "potential_value",
    "prune_redundant_rules",
    "read_baskets",
    "recommend",
    "recommend_popular",
    "rule_labels",
    "rule_text",
    "sets_to_text",
    "summarise_bought_together",
    "summarise_evaluation",
    "summarise_item_frequency",
    "summarise_recommendations",
    "summarise_rules",
]
