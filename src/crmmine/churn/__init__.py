"""Churn in a non-contractual shop: time-split labels, leakage-free features, calibrated models, win-back.

Nobody announces they have left a web shop, so churn is *defined* on a time split
(Fader, Hardie & Lee 2005 call the state "dead", observable only through silence):

* a **cutoff** splits time; everything the features see has ``order_date <= cutoff``
  (:mod:`.features`);
* a customer is **churned** when they make no purchase in ``(cutoff, cutoff + horizon_days]``
  (:mod:`.labels`);
* a model (:mod:`.model`) is trained at one cutoff and evaluated at a later one (never a random split),
  beside two baselines on the same split: days since the last purchase, and the BG/NBD probability of
  no purchase within the horizon (:mod:`.backtest`);
* :mod:`.select` stacks the model with the baselines and chooses the scores to use on the training cutoff;
* :mod:`.winback` ranks the customers at risk by value and says why and what to do.
"""

from .backtest import (
    SCORERS,
    ChurnBacktest,
    ChurnEvaluation,
    churn_backtest,
    churn_choice_finding,
    churn_finding,
    evaluate_churn,
    summarise_calibration,
    summarise_fit_sample,
    summarise_importance,
    summarise_labels,
)
from .features import churn_features
from .labels import churn_cutoffs, churn_labels
from .model import ChurnModel
from .select import SelectedChurnModel
from .winback import reason_text, summarise_winback, winback_list

__all__ = [
    "SCORERS",
    "ChurnBacktest",
    "ChurnEvaluation",
    "ChurnModel",
    "churn_backtest",
    "churn_cutoffs",
    "churn_features",
    "churn_finding",
    "churn_labels",
    "evaluate_churn",
    "reason_text",
    "summarise_calibration",
    "summarise_fit_sample",
    "summarise_importance",
    "summarise_labels",
    "summarise_winback",
    "winback_list",
    # --- predict: scores at least as good as the best baseline ---
    "SelectedChurnModel",
    "churn_choice_finding",
]
