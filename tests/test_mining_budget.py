"""Bounded mining (issue 11): a basket of hundreds of items cannot blow up time or memory."""

from __future__ import annotations

import numpy as np
import pytest

import crmmine
from crmmine.errors import MiningBudgetError, ParameterError

BIG = [f"i{j:03d}" for j in range(262)]


def baskets_with_a_huge_one(copies=2, seed=0):
    rng = np.random.default_rng(seed)
    return [BIG] * copies + [list(rng.choice(BIG, 3, replace=False)) for _ in range(100)]


def test_a_262_item_basket_bought_twice_stops_with_advice():
    with pytest.raises(MiningBudgetError, match=r"Mining stopped: more than 1,000,000 frequent itemsets .*"
                                                r"min_support=0.01 .*in 2 of 102 orders.*largest baskets hold 262, "
                                                r"262, 3 items.*Raise min_support, set max_len"):
        crmmine.frequent_itemsets(baskets_with_a_huge_one(), min_support=0.01)
    with pytest.raises(MiningBudgetError, match=r"more than 1,000,000 frequent itemsets"):
        crmmine.mine_rules(baskets_with_a_huge_one(), min_support=0.01)


def test_the_advice_works():
    data = baskets_with_a_huge_one()
    fi = crmmine.frequent_itemsets(data, min_support=0.01, max_len=2)
    assert fi["length"].max() == 2 and (fi["length"] == 2).sum() >= 262 * 261 // 2
    b = crmmine.make_baskets(data, max_basket_size=50, oversized="drop")
    assert len(b.oversized) == 2
    assert len(crmmine.frequent_itemsets(b, min_support=0.01)) < 1000
    assert len(crmmine.frequent_itemsets(data, min_support=0.03)) < 1000  # now a subset must be in 4 orders


def test_eighteen_items_fit_the_budget_but_their_rules_do_not():
    one = [[f"x{j}" for j in range(18)]]
    assert len(crmmine.frequent_itemsets(one, min_support=1.0)) == 2 ** 18 - 1
    with pytest.raises(MiningBudgetError, match=r"more than 2,000,000 candidate rules"):
        crmmine.mine_rules(one, min_support=1.0, min_confidence=0.5)
    assert len(crmmine.mine_rules(one, min_support=1.0, min_confidence=0.5, max_len=2)) == 18 * 17
    with pytest.raises(MiningBudgetError, match=r"more than 100 frequent itemsets"):
        crmmine.frequent_itemsets(one, min_support=1.0, max_itemsets=100, algorithm="fpgrowth")


def test_max_itemsets_parameter():
    with pytest.raises(ParameterError, match=r"The 'max_itemsets' parameter must be an integer >= 1 or None. "
                                             r"Got 0 instead"):
        crmmine.frequent_itemsets([["a"]], min_support=0.5, max_itemsets=0)
    assert len(crmmine.frequent_itemsets(baskets_with_a_huge_one(copies=1), min_support=0.01,
                                         max_itemsets=None)) < 1000
