"""Itemsets and rules: hand-computed measures, arules semantics against a brute-force oracle,
mlxtend as the itemset oracle, planted truth, real data, errors."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import crmmine
from crmmine.errors import InputError, ParameterError
from crmmine.crosssell.rules import RULE_COLUMNS

# --------------------------------------------------------------------------------------
# helpers: a brute-force oracle written from the definitions (R arules' apriori semantics)
# --------------------------------------------------------------------------------------


def random_baskets(rng, n_baskets, n_items, p):
    items = [f"i{j}" for j in range(n_items)]
    probs = rng.uniform(0.1, p, size=n_items)
    return [[it for it, q in zip(items, probs) if rng.uniform() < q] for _ in range(n_baskets)]


def brute_itemsets(baskets, min_count, max_len=None):
    sets = [frozenset(b) for b in baskets]
    universe = sorted(set().union(*sets)) if sets else []
    out = {}
    top = len(universe) if max_len is None else min(max_len, len(universe))
    for k in range(1, top + 1):
        for combo in itertools.combinations(universe, k):
            z = frozenset(combo)
            c = sum(z <= s for s in sets)
            if c >= min_count:
                out[z] = c
    return out


def arules_rules(baskets, supp, conf, maxlen=None, minlen=1):
    """The rule set arules::apriori(parameter=list(supp, conf, maxlen, minlen)) defines:
    single-item rhs, |lhs|+|rhs| in [minlen, maxlen], supp(lhs u rhs) >= supp, conf >= conf,
    and {} => {y} when minlen = 1."""
    n = len(baskets)
    mc = math.ceil(supp * n - 1e-9)
    freq = brute_itemsets(baskets, mc, maxlen)
    rules = {}
    for z, c in freq.items():
        if len(z) < minlen:
            continue
        for y in z:
            lhs = z - {y}
            n_lhs = n if not lhs else freq[lhs]
            if c / n_lhs >= conf:
                rules[(lhs, frozenset([y]))] = c
    return rules


def as_rule_dict(df):
    return {(a, c): int(n) for a, c, n in zip(df["antecedents"], df["consequents"], df["count"])}


# --------------------------------------------------------------------------------------
# hand-computed fixture
# --------------------------------------------------------------------------------------

BASKETS = [
    ["milk", "bread"],
    ["milk", "bread", "butter"],
    ["milk"],
    ["bread", "butter"],
    ["milk", "bread", "butter"],
    ["beer"],
]


def test_itemsets_hand_computed():
    fi = crmmine.frequent_itemsets(BASKETS, min_support=2 / 6)
    assert list(fi.columns) == ["itemsets", "support", "count", "length"]
    got = {s: c for s, c in zip(fi["itemsets"], fi["count"])}
    assert got == {
        frozenset({"milk"}): 4,
        frozenset({"bread"}): 4,
        frozenset({"butter"}): 3,
        frozenset({"milk", "bread"}): 3,
        frozenset({"bread", "butter"}): 3,
        frozenset({"milk", "butter"}): 2,
        frozenset({"milk", "bread", "butter"}): 2,
    }
    # order: length, then count descending, then items
    assert fi["length"].tolist() == [1, 1, 1, 2, 2, 2, 3]
    assert [sorted(s) for s in fi["itemsets"]][:3] == [["bread"], ["milk"], ["butter"]]
    np.testing.assert_allclose(fi["support"], fi["count"] / 6)
    assert fi.attrs["n_transactions"] == 6 and fi.attrs["min_count"] == 2


def test_rule_measures_hand_computed():
    r = crmmine.mine_rules(BASKETS, min_support=2 / 6, min_confidence=0.0)
    assert list(r.columns) == list(RULE_COLUMNS)
    row = r[(r["antecedents"] == frozenset({"butter"})) & (r["consequents"] == frozenset({"milk"}))].iloc[0]
    # N = 6, n_A = 3 (butter), n_C = 4 (milk), n_AC = 2; 2x2 table f11=2, f10=1, f01=2, f00=1
    assert (row["antecedent_count"], row["consequent_count"], row["count"]) == (3, 4, 2)
    assert row["support"] == pytest.approx(2 / 6)
    assert row["confidence"] == pytest.approx(2 / 3)
    assert row["lift"] == pytest.approx((2 / 3) / (4 / 6))  # = 1.0
    assert row["leverage"] == pytest.approx(2 / 6 - (3 / 6) * (4 / 6))  # = 0
    assert row["conviction"] == pytest.approx((1 - 4 / 6) / (1 - 2 / 3))  # = 1
    assert row["zhangs_metric"] == pytest.approx(0.0)
    assert row["jaccard"] == pytest.approx(2 / (3 + 4 - 2))
    assert row["certainty"] == pytest.approx(0.0)
    assert row["kulczynski"] == pytest.approx(0.5 * (2 / 3 + 2 / 4))
    assert row["odds_ratio"] == pytest.approx(2 * 1 / (1 * 2))
    # P(X >= 2), X ~ Hypergeom(N=6, K=4 milk baskets, n=3 butter baskets): 1 - P(X=1) = 1 - 4*1/20 ... exact:
    p = sum(math.comb(4, x) * math.comb(2, 3 - x) for x in (2, 3)) / math.comb(6, 3)
    assert row["fisher_p"] == pytest.approx(p)  # = 16/20 = 0.8
    assert p == pytest.approx(0.8)
    # improvement of butter => milk: conf 2/3 - conf({} => milk) = 2/3 - 4/6 = 0
    assert row["improvement"] == pytest.approx(0.0)

    row = r[(r["antecedents"] == frozenset({"bread", "butter"})) & (r["consequents"] == frozenset({"milk"}))].iloc[0]
    # n_A = 3, n_C = 4, n_AC = 2: conf 2/3; sub-rules bread => milk (3/4), butter => milk (2/3), {} => milk (4/6)
    assert row["improvement"] == pytest.approx(2 / 3 - 3 / 4)

    row = r[(r["antecedents"] == frozenset({"butter"})) & (r["consequents"] == frozenset({"bread"}))].iloc[0]
    assert row["confidence"] == 1.0 and row["conviction"] == np.inf
    # f10 = 0: odds ratio infinite; f11 f00 = 3 * 2 > 0
    assert row["odds_ratio"] == np.inf
    assert row["certainty"] == pytest.approx((1 - 4 / 6) / (1 - 4 / 6))


def test_odds_ratio_nan_and_certainty_zero_when_consequent_everywhere():
    r = crmmine.mine_rules([["a", "b"], ["a", "b"], ["b"]], min_support=0.1, min_confidence=0.0)
    row = r[(r["antecedents"] == frozenset({"a"})) & (r["consequents"] == frozenset({"b"}))].iloc[0]
    # b in every basket: f10 = 0, f01 = 1, f00 = 0 -> 0/0; certainty defined as 0 (mlxtend)
    assert np.isnan(row["odds_ratio"])
    assert row["certainty"] == 0.0
    assert row["lift"] == pytest.approx(1.0)


def test_fisher_p_matches_scipy_fisher_exact_and_holm():
    rng = np.random.default_rng(3)
    baskets = random_baskets(rng, 60, 6, 0.6)
    r = crmmine.mine_rules(baskets, min_support=0.05, min_confidence=0.0, single_consequent=True)
    N = r.attrs["n_transactions"]
    for _, row in r.head(15).iterrows():
        f11 = row["count"]
        f10 = row["antecedent_count"] - f11
        f01 = row["consequent_count"] - f11
        f00 = N - row["antecedent_count"] - row["consequent_count"] + f11
        p = stats.fisher_exact([[f11, f10], [f01, f00]], alternative="greater").pvalue
        assert row["fisher_p"] == pytest.approx(p, rel=1e-9, abs=1e-15)
    # Holm over all rules tested (here: all, as min_confidence = 0)
    p = r["fisher_p"].to_numpy()
    m = len(p)
    assert r.attrs["n_rules_tested"] == m
    o = np.argsort(p)
    holm = np.minimum(np.maximum.accumulate((m - np.arange(m)) * p[o]), 1)
    expected = np.empty(m)
    expected[o] = holm
    np.testing.assert_allclose(r["fisher_p_adjusted"], expected)
    bh = crmmine.mine_rules(baskets, min_support=0.05, min_confidence=0.0, single_consequent=True, p_adjust="bh")
    np.testing.assert_allclose(bh["fisher_p_adjusted"], stats.false_discovery_control(bh["fisher_p"]))


# --------------------------------------------------------------------------------------
# arules semantics against the brute-force oracle
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(25))
def test_single_consequent_equals_arules_apriori(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 40))
    baskets = random_baskets(rng, n, int(rng.integers(3, 7)), 0.7)
    # boundary supports: exactly k / n for a k, so ceil matters (0.3 * 10 style float noise)
    supp = float(rng.choice([int(rng.integers(1, max(2, n // 2))) / n, rng.uniform(0.05, 0.5), 0.3, 0.1]))
    conf = float(rng.choice([0.0, 0.5, rng.uniform(0.2, 0.9), 1.0]))
    maxlen = rng.choice([None, 2, 3])
    minlen = int(rng.choice([1, 2]))
    expected = arules_rules(baskets, supp, conf, None if maxlen is None else int(maxlen), minlen)
    got = crmmine.mine_rules(
        baskets, min_support=supp, min_confidence=conf, max_len=None if maxlen is None else int(maxlen),
        min_len=minlen, single_consequent=True,
    )
    assert as_rule_dict(got) == expected
    # the default engine ("auto", crmmine's own) and mlxtend's fpgrowth give the identical table
    ref = crmmine.mine_rules(
        baskets, min_support=supp, min_confidence=conf, max_len=None if maxlen is None else int(maxlen),
        min_len=minlen, single_consequent=True, algorithm="fpgrowth",
    )
    pd.testing.assert_frame_equal(got, ref)


def test_support_boundary_is_inclusive_without_float_noise():
    # 10 baskets, {a, b} in exactly 3: 0.3 * 10 = 3.0000000000000004 must still mean 3
    baskets = [["a", "b"]] * 3 + [["a"]] * 4 + [["c"]] * 3
    for algo in ("fpgrowth", "apriori", "vertical"):
        fi = crmmine.frequent_itemsets(baskets, min_support=0.3, algorithm=algo)
        assert frozenset({"a", "b"}) in set(fi["itemsets"]), algo
        assert frozenset({"c"}) in set(fi["itemsets"])
        fi = crmmine.frequent_itemsets(baskets, min_support=0.30000001, algorithm=algo)
        assert frozenset({"a", "b"}) not in set(fi["itemsets"]), algo
    r = crmmine.mine_rules(baskets, min_support=0.3, min_confidence=1.0)
    assert as_rule_dict(r) == {(frozenset({"b"}), frozenset({"a"})): 3}


def test_empty_antecedent_rules_with_min_len_1():
    r = crmmine.mine_rules(BASKETS, min_support=0.5, min_confidence=0.6, min_len=1, single_consequent=True)
    empties = r[r["antecedents"] == frozenset()]
    assert set(empties["consequents"]) == {frozenset({"milk"}), frozenset({"bread"})}  # supp 4/6 >= 0.6
    assert (empties["lift"] == 1.0).all() and empties["improvement"].isna().all()
    assert (empties["antecedent_count"] == 6).all()


@pytest.mark.parametrize("seed", range(8))
def test_all_rules_and_improvement_against_brute_force(seed):
    rng = np.random.default_rng(100 + seed)
    baskets = random_baskets(rng, int(rng.integers(8, 30)), 5, 0.7)
    n = len(baskets)
    mc = 2
    freq = brute_itemsets(baskets, mc)
    r = crmmine.mine_rules(baskets, min_support=mc / n, min_confidence=0.0)
    expected = {}
    for z, c in freq.items():
        for k in range(1, len(z)):
            for lhs in itertools.combinations(sorted(z), k):
                a = frozenset(lhs)
                expected[(a, z - a)] = c
    assert as_rule_dict(r) == expected

    def conf(a, cons):
        return (freq[a | cons] / (freq[a] if a else n))

    for a, cons, imp in zip(r["antecedents"], r["consequents"], r["improvement"]):
        subs = [frozenset(s) for k in range(len(a)) for s in itertools.combinations(sorted(a), k)]
        assert imp == pytest.approx(conf(a, cons) - max(conf(s, cons) for s in subs))


# --------------------------------------------------------------------------------------
# mlxtend as the oracle
# --------------------------------------------------------------------------------------


def _mlxtend_itemsets(baskets, min_support, max_len=None):
    from mlxtend.frequent_patterns import fpgrowth
    from mlxtend.preprocessing import TransactionEncoder

    te = TransactionEncoder()
    df = pd.DataFrame(te.fit(baskets).transform(baskets), columns=te.columns_)
    res = fpgrowth(df, min_support=min_support, use_colnames=True, max_len=max_len)
    n = len(baskets)
    return {frozenset(map(str, s)): int(round(v * n)) for s, v in zip(res["itemsets"], res["support"])}


@pytest.mark.parametrize("algorithm", ["fpgrowth", "apriori", "vertical", "auto"])
@pytest.mark.parametrize("seed", range(6))
def test_itemsets_equal_mlxtend(algorithm, seed):
    rng = np.random.default_rng(seed)
    baskets = random_baskets(rng, 200, 12, 0.5)
    supp = [0.02, 0.05, 0.1, 0.2, 0.015, 0.3][seed]
    max_len = [None, 3, None, 2, None, 1][seed]
    fi = crmmine.frequent_itemsets(baskets, min_support=supp, algorithm=algorithm, max_len=max_len)
    got = dict(zip(fi["itemsets"], fi["count"]))
    assert got == _mlxtend_itemsets(baskets, supp, max_len)


@pytest.mark.parametrize("seed", range(5))
def test_closed_and_maximal_against_definition_and_fpmax(seed):
    rng = np.random.default_rng(seed)
    baskets = random_baskets(rng, 60, 7, 0.6)
    supp = 0.1
    fi = crmmine.frequent_itemsets(baskets, min_support=supp)
    allsets = dict(zip(fi["itemsets"], fi["count"]))
    closed = {s for s, c in allsets.items() if not any(s < t and allsets[t] == c for t in allsets)}
    maximal = {s for s in allsets if not any(s < t for t in allsets)}
    got_closed = crmmine.frequent_itemsets(baskets, min_support=supp, kind="closed")
    got_max = crmmine.frequent_itemsets(baskets, min_support=supp, kind="maximal", algorithm="vertical")
    assert set(got_closed["itemsets"]) == closed
    assert set(got_max["itemsets"]) == maximal
    fpmax = crmmine.frequent_itemsets(baskets, min_support=supp, algorithm="fpmax", kind="maximal")
    assert dict(zip(fpmax["itemsets"], fpmax["count"])) == {s: allsets[s] for s in maximal}


def test_measures_equal_mlxtend_association_rules():
    from mlxtend.frequent_patterns import association_rules, fpgrowth
    from mlxtend.preprocessing import TransactionEncoder

    rng = np.random.default_rng(11)
    baskets = random_baskets(rng, 150, 8, 0.8)
    te = TransactionEncoder()
    df = pd.DataFrame(te.fit(baskets).transform(baskets), columns=te.columns_)
    fi = fpgrowth(df, min_support=0.05, use_colnames=True)
    ref = association_rules(fi, num_itemsets=len(df), metric="confidence", min_threshold=0.3)
    ref = ref.set_index(["antecedents", "consequents"]).sort_index()
    got = crmmine.mine_rules(baskets, min_support=0.05, min_confidence=0.3)
    got = got.set_index(["antecedents", "consequents"]).sort_index()
    assert len(got) == len(ref) > 20
    assert set(got.index) == set(ref.index)
    ref = ref.loc[got.index]
    for ours, theirs in [
        ("antecedent_support", "antecedent support"), ("consequent_support", "consequent support"),
        ("support", "support"), ("confidence", "confidence"), ("lift", "lift"), ("leverage", "leverage"),
        ("conviction", "conviction"), ("zhangs_metric", "zhangs_metric"), ("jaccard", "jaccard"),
        ("certainty", "certainty"), ("kulczynski", "kulczynski"),
    ]:
        np.testing.assert_allclose(got[ours].to_numpy(), ref[theirs].to_numpy(), rtol=1e-9, err_msg=ours)


# --------------------------------------------------------------------------------------
# redundancy, filtering, constraints, order
# --------------------------------------------------------------------------------------


def test_prune_redundant_hand_computed():
    baskets = [["a", "b", "c"], ["a", "c"], ["a", "b", "c"], ["b"]]
    r = crmmine.mine_rules(baskets, min_support=0.25, min_confidence=0.5, consequent_contains="c")
    # {a, b} => c has confidence 1, as a => c: redundant
    pruned = crmmine.prune_redundant_rules(r)
    assert (frozenset({"a", "b"}), frozenset({"c"})) in as_rule_dict(r)
    assert (frozenset({"a", "b"}), frozenset({"c"})) not in as_rule_dict(pruned)
    assert len(pruned) == len(r) - 1
    assert list(pruned.columns) == list(r.columns)


@pytest.mark.parametrize("seed", range(5))
def test_prune_in_mining_equals_prune_after(seed):
    rng = np.random.default_rng(seed)
    baskets = random_baskets(rng, 80, 8, 0.6)
    for single in (False, True):
        full = crmmine.mine_rules(baskets, min_support=0.05, min_confidence=0.4, single_consequent=single)
        a = crmmine.mine_rules(baskets, min_support=0.05, min_confidence=0.4, single_consequent=single,
                               prune_redundant=True)
        b = crmmine.prune_redundant_rules(full)
        assert as_rule_dict(a) == as_rule_dict(b)
        assert len(a) < len(full)


@pytest.mark.parametrize("seed", range(5))
def test_filter_rules_equals_mining_again(seed):
    rng = np.random.default_rng(seed)
    baskets = random_baskets(rng, 120, 9, 0.55)
    low = crmmine.mine_rules(baskets, min_support=0.02, min_confidence=0.1)
    kw = dict(min_support=0.1, min_confidence=0.5, min_lift=1.1, max_len=3)
    mined = crmmine.mine_rules(baskets, **kw)
    filtered = crmmine.filter_rules(low, **kw)
    cols = [c for c in RULE_COLUMNS if c != "fisher_p_adjusted"]
    pd.testing.assert_frame_equal(filtered[cols].reset_index(drop=True), mined[cols].reset_index(drop=True))
    # constraints the same way
    kw2 = dict(antecedent_contains=["i1", "i2"], consequent_excludes="i3", single_consequent=True)
    pd.testing.assert_frame_equal(
        crmmine.filter_rules(low, **kw2)[cols].reset_index(drop=True),
        crmmine.mine_rules(baskets, min_support=0.02, min_confidence=0.1, **kw2)[cols].reset_index(drop=True),
    )


def test_item_constraints_cap_and_sort():
    rng = np.random.default_rng(5)
    baskets = random_baskets(rng, 100, 8, 0.6)
    r = crmmine.mine_rules(baskets, min_support=0.05, min_confidence=0.3)
    assert r["lift"].is_monotonic_decreasing
    c = crmmine.mine_rules(baskets, min_support=0.05, min_confidence=0.3, antecedent_contains="i1",
                           antecedent_excludes=["i2"], consequent_contains={"i3", "i4"}, consequent_excludes="i5")
    assert len(c) > 0
    assert all("i1" in a and "i2" not in a for a in c["antecedents"])
    assert all(({"i3", "i4"} & s) and "i5" not in s for s in c["consequents"])
    top = crmmine.mine_rules(baskets, min_support=0.05, min_confidence=0.3, max_rules=7, sort_by="fisher_p")
    assert len(top) == 7 and top["fisher_p"].is_monotonic_increasing
    assert set(zip(top["antecedents"], top["consequents"])) <= set(zip(r["antecedents"], r["consequents"]))
    # unknown items match nothing
    assert len(crmmine.mine_rules(baskets, min_support=0.05, antecedent_contains="nope")) == 0
    # deterministic
    again = crmmine.mine_rules(baskets, min_support=0.05, min_confidence=0.3)
    pd.testing.assert_frame_equal(r, again)
    re_sorted = crmmine.filter_rules(r, sort_by="confidence", max_rules=5)
    assert re_sorted["confidence"].is_monotonic_decreasing and len(re_sorted) == 5


def test_no_rules_gives_empty_table_with_columns():
    r = crmmine.mine_rules([["a"], ["b"]], min_support=0.5)
    assert len(r) == 0 and list(r.columns) == list(RULE_COLUMNS)
    assert len(crmmine.prune_redundant_rules(r)) == 0
    fi = crmmine.frequent_itemsets([["a"], ["b"]], min_support=1.0)
    assert len(fi) == 0 and list(fi.columns) == ["itemsets", "support", "count", "length"]


# --------------------------------------------------------------------------------------
# planted truth
# --------------------------------------------------------------------------------------


def _planted_rules(planted):
    """Every rule A => C with A u C a subset (of 2 or more items) of a planted set."""
    out = set()
    for s in planted:
        for k in range(2, len(s) + 1):
            for z in map(frozenset, itertools.combinations(sorted(s), k)):
                for j in range(1, k):
                    for a in map(frozenset, itertools.combinations(sorted(z), j)):
                        out.add((a, z - a))
    return out


def test_planted_itemsets_are_the_top_rules_by_lift():
    tx, truth = crmmine.datasets.make_transactions(3000, random_state=7)
    b = crmmine.make_baskets(tx)
    planted = [frozenset(items) for items in truth.itemsets["items"]]
    expected = _planted_rules(planted)  # 2 + 2 + 12 + 12 = 28 rules
    # min_support 0.012: above the support any planted set keeps when extended by another item
    # (the most popular product is in 25 % of orders, the most frequent planted set in 4 %)
    r = crmmine.mine_rules(b, min_support=0.012, min_confidence=0.0, algorithm="auto")
    top = r.head(len(expected))
    assert set(zip(top["antecedents"], top["consequents"])) == expected
    assert top["lift"].min() > 10 > 1 > r["lift"].iloc[len(expected)]
    # at a lower support, every rule with lift > 2 carries a planted association
    low = crmmine.mine_rules(b, min_support=0.004, min_confidence=0.0, algorithm="auto")
    strong = low[low["lift"] > 2]
    assert len(strong) > len(expected)
    for a, c in zip(strong["antecedents"], strong["consequents"]):
        assert any(len((a | c) & s) >= 2 for s in planted)
    assert expected <= set(zip(low["antecedents"], low["consequents"]))
    # and every planted set is found with its realised support
    fi = crmmine.frequent_itemsets(b, min_support=0.005, algorithm="auto")
    got = dict(zip(fi["itemsets"], fi["support"]))
    for s, sup in zip(planted, truth.itemsets["support"]):
        assert got[s] == pytest.approx(sup)


# --------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "kwargs", "match"),
    [
        ("frequent_itemsets", {"min_support": 0}, r"The 'min_support' parameter must be a number in \(0, 1\].*Got 0"),
        ("frequent_itemsets", {"min_support": 2}, r"'min_support'.*Got 2 instead"),
        ("frequent_itemsets", {"min_support": 0.1, "algorithm": "eclat"},
         r"The 'algorithm' parameter must be one of 'fpgrowth', 'apriori', 'fpmax', 'vertical', 'auto'. Got 'eclat'"),
        ("frequent_itemsets", {"min_support": 0.1, "kind": "free"}, r"The 'kind' parameter must be one of.*'free'"),
        ("frequent_itemsets", {"min_support": 0.1, "algorithm": "fpmax"}, r"'fpmax' algorithm finds maximal.*kind='maximal'"),
        ("frequent_itemsets", {"min_support": 0.1, "max_len": 0}, r"The 'max_len' parameter must be an integer >= 1"),
        ("mine_rules", {"min_support": -0.1}, r"'min_support'.*Got -0.1 instead"),
        ("mine_rules", {"min_support": 0.1, "min_confidence": 1.2}, r"The 'min_confidence' parameter must be a number in \[0, 1\]. Got 1.2"),
        ("mine_rules", {"min_support": 0.1, "min_lift": -1}, r"The 'min_lift' parameter must be a number >= 0"),
        ("mine_rules", {"min_support": 0.1, "algorithm": "fpmax"}, r"cannot be 'fpmax' for rules"),
        ("mine_rules", {"min_support": 0.1, "algorithm": "magic"}, r"'algorithm' parameter must be one of.*Got 'magic'"),
        ("mine_rules", {"min_support": 0.1, "sort_by": "hype"}, r"The 'sort_by' parameter must be a measure column.*'hype'"),
        ("mine_rules", {"min_support": 0.1, "p_adjust": "sidak"}, r"The 'p_adjust' parameter must be one of.*'sidak'"),
        ("mine_rules", {"min_support": 0.1, "min_len": 0}, r"The 'min_len' parameter must be an integer >= 1"),
        ("mine_rules", {"min_support": 0.1, "max_rules": 0}, r"The 'max_rules' parameter must be an integer >= 1"),
        ("mine_rules", {"min_support": 0.1, "antecedent_contains": []}, r"'antecedent_contains' parameter must name at least one item"),
    ],
)
def test_parameter_errors(fn, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        getattr(crmmine, fn)(BASKETS, **kwargs)


def test_input_errors():
    with pytest.raises(InputError, match="There are no baskets to mine"):
        crmmine.mine_rules([], min_support=0.1)
    with pytest.raises(InputError, match="There are no baskets to mine"):
        crmmine.frequent_itemsets([], min_support=0.1)
    with pytest.raises(InputError, match=r"The 'rules' must be the DataFrame mine_rules returns. Got list"):
        crmmine.filter_rules([], min_confidence=0.5)
    with pytest.raises(InputError, match=r"The rules table has no 'antecedents' column"):
        crmmine.prune_redundant_rules(pd.DataFrame({"x": [1]}))
    with pytest.raises(ParameterError, match=r"'sort_by' parameter must be a measure column.*or None. Got 'x'"):
        crmmine.filter_rules(crmmine.mine_rules(BASKETS, min_support=0.3), sort_by="x")


# --------------------------------------------------------------------------------------
# real data
# --------------------------------------------------------------------------------------


def test_sample_rules_run_and_engines_agree():
    b = crmmine.make_baskets(crmmine.load_clean("sample"))
    v = crmmine.frequent_itemsets(b, min_support=0.01, algorithm="vertical")
    assert len(v) > 500
    r = crmmine.mine_rules(b, min_support=0.01, min_confidence=0.5, algorithm="auto")
    assert len(r) > 100 and (r["lift"] > 1).all()


@pytest.fixture(scope="module")
def retail_baskets(online_retail_path):
    return crmmine.make_baskets(crmmine.load_clean(online_retail_path))


@pytest.mark.slow
@pytest.mark.shared_data
def test_real_online_retail_itemsets_equal_mlxtend_at_002(retail_baskets):
    b = retail_baskets
    assert 18_000 <= b.n_orders <= 20_000 and 3_500 <= b.n_items <= 3_800
    ours = crmmine.frequent_itemsets(b, min_support=0.02, algorithm="vertical")
    ref = crmmine.frequent_itemsets(b, min_support=0.02, algorithm="fpgrowth")
    assert dict(zip(ours["itemsets"], ours["count"])) == dict(zip(ref["itemsets"], ref["count"]))
    assert len(ours) == 251  # 18,400 invoices after cleaning; recorded in benchmarks/README.md


@pytest.mark.shared_data
def test_real_online_retail_counts_at_lower_supports(retail_baskets):
    b = retail_baskets
    counts = {s: len(crmmine.frequent_itemsets(b, min_support=s, algorithm="auto")) for s in (0.01, 0.005)}
    assert counts == {0.01: 1049, 0.005: 4542}  # the same counts as pyfim (benchmarks/bench_rules.py)
    r = crmmine.mine_rules(b, min_support=0.005, min_confidence=0.8, single_consequent=True, algorithm="auto")
    # Fisher p-values of all 614 rules against scipy's hypergeometric survival function
    expected = stats.hypergeom.sf(r["count"] - 1, b.n_orders, r["consequent_count"], r["antecedent_count"])
    np.testing.assert_allclose(r["fisher_p"], expected, rtol=1e-8, atol=1e-300)
    assert len(r) == 614  # pyfim: fim.arules(supp=-92, conf=80, zmin=2, mode="o") (rule support = body and head)


# --------------------------------------------------------------------------------------
# text for reports
# --------------------------------------------------------------------------------------


def test_rule_labels_and_summary_in_both_languages():
    r = crmmine.mine_rules(BASKETS, min_support=2 / 6, min_confidence=0.9)
    # rules with confidence 1: butter => bread, {milk, butter} => bread (lift 1.5 both)
    assert crmmine.rule_labels(r, names={"bread": "Bread"}).tolist() == [
        "{butter} => {Bread}", "{butter, milk} => {Bread}"]
    en = crmmine.summarise_rules(r, lang="en")
    assert en == ("2 rules come from 7 frequent itemsets in 6 orders (support at least 33.3%, confidence at least "
                  "90%); the strongest by lift is butter → bread: lift 1.50, confidence 100%, in 3 orders.")
    zh = crmmine.summarise_rules(r, lang="zh", names=pd.Series({"bread": "面包"}))
    assert "6 个订单" in zh and "butter → 面包 (bread)" in zh and "提升度 1.50" in zh  # words, name beside code
    none = crmmine.summarise_rules(crmmine.filter_rules(r, min_lift=10), lang="en")
    assert none == "No rule reaches support 33.3% and confidence 90% in 6 orders; lower the thresholds."


def test_mlxtend_engine_leaves_warning_filters_alone():
    """mlxtend calls warnings.simplefilter when imported; crmmine imports it so that the filters stay the user's
    (in a fresh interpreter: here pytest and earlier tests may have imported mlxtend already)."""
    import subprocess
    import sys

    code = (
        "import warnings, crmmine\n"
        "before = list(warnings.filters)\n"
        "crmmine.frequent_itemsets([['a', 'b'], ['a']], min_support=0.5, algorithm='apriori')\n"
        "assert list(warnings.filters) == before, warnings.filters[:3]\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_closed_and_maximal_hand_computed():
    baskets = [["a", "b"], ["a", "b"], ["a"], ["a", "c"], ["c"]]
    # counts: a 4, b 2, c 2, ab 2, ac 1 -> at 0.4 (2 baskets): a, b, c, ab frequent
    closed = crmmine.frequent_itemsets(baskets, min_support=0.4, kind="closed")
    assert dict(zip(closed["itemsets"], closed["count"])) == {
        frozenset("a"): 4, frozenset("c"): 2, frozenset("ab"): 2}  # b is not closed: ab has its count
    maximal = crmmine.frequent_itemsets(baskets, min_support=0.4, kind="maximal")
    assert set(maximal["itemsets"]) == {frozenset("c"), frozenset("ab")}
    # with max_len=1 no superset is considered: every frequent item is closed and maximal
    assert len(crmmine.frequent_itemsets(baskets, min_support=0.4, kind="maximal", max_len=1)) == 3
    assert closed.attrs["kind"] == "closed"


def test_filter_rules_support_boundary_uses_counts():
    baskets = [["a", "b"]] * 3 + [["a"]] * 7  # {a, b} in 3 of 10: support 0.3 exactly
    r = crmmine.mine_rules(baskets, min_support=0.1, min_confidence=0.0)
    assert len(crmmine.filter_rules(r, min_support=0.3)) == 2  # 0.3 * 10 = 3.0000000000000004 still means 3
    assert len(crmmine.filter_rules(r, min_support=0.31)) == 0


def test_category_level_rules():
    tx, _ = crmmine.datasets.make_transactions(300, random_state=1)
    b = crmmine.make_baskets(tx, level="category")
    assert b.n_items == tx["category"].nunique() and b.level == "category"
    r = crmmine.mine_rules(b, min_support=0.01, min_confidence=0.0)
    assert len(r) > 0 and all(x.startswith("Category") for s in r["antecedents"] for x in s)


def test_report_parameters_of_rules_are_checked():
    assert crmmine.check_parameters(min_len=2, max_rules=None, max_basket_size=50.0) == {
        "min_len": 2, "max_rules": None, "max_basket_size": 50}
    with pytest.raises(ParameterError, match=r"The 'min_len' parameter must be an integer >= 1. Got 0 instead."):
        crmmine.check_parameters(min_len=0)
    with pytest.raises(ParameterError, match=r"The 'max_rules' parameter must be an integer or None. Got 'ten'"):
        crmmine.check_parameters(max_rules="ten")
