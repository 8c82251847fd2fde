"""A random sample of rows in proportion to a binary label (the churn and propensity models' bounded fits)."""

from __future__ import annotations

import numpy as np


def stratified_rows(y: np.ndarray, n_max: int, rs: np.random.RandomState, n_min: int) -> np.ndarray:
    """Positions of ``n_max`` rows drawn at random from the 0/1 labels ``y`` in proportion to the two classes (at
    least ``n_min`` of each class when there are), sorted, so the rows keep their order."""
    counts = np.bincount(y, minlength=2)
    n1 = int(round(n_max * counts[1] / len(y)))
    n1 = min(max(n1, min(n_min, counts[1])), counts[1], n_max)
    n0 = min(n_max - n1, counts[0])
    idx = np.concatenate([rs.choice(np.flatnonzero(y == 0), n0, replace=False),
                          rs.choice(np.flatnonzero(y == 1), n1, replace=False)])
    idx.sort()
    return idx
