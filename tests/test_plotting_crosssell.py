"""Cross-sell figures: data and titles of the plotly figures (no images)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import crmmine
from crmmine.errors import ParameterError
from crmmine.plotting import (
    plot_evaluation,
    plot_item_frequency,
    plot_rule_matrix,
    plot_rule_network,
    plot_rules_scatter,
)


@pytest.fixture
def rules():
    return pd.DataFrame(
        {
            "antecedents": [frozenset({"A"}), frozenset({"A", "C"}), frozenset({"A"}), frozenset({"B"})],
            "consequents": [frozenset({"B"}), frozenset({"D"}), frozenset({"C", "D"}), frozenset({"A"})],
            "support": [0.4, 0.2, 0.1, 0.4],
            "confidence": [0.6, 0.9, 0.3, 0.8],
            "lift": [1.2, 3.0, 2.0, 1.2],
        }
    )


def test_rules_scatter(rules):
    fig = plot_rules_scatter(rules)
    assert isinstance(fig, go.Figure) and len(fig.data) == 1
    tr = fig.data[0]
    # drawn weakest first so the strongest (lift 3) is on top
    np.testing.assert_allclose(tr.x, [0.4, 0.4, 0.1, 0.2])
    np.testing.assert_allclose(tr.y, [0.6, 0.8, 0.3, 0.9])
    np.testing.assert_allclose(tr.marker.color, [1.2, 1.2, 2.0, 3.0])
    assert tr.text[-1].startswith("A + C -> D<br>")
    assert fig.layout.title.text == "Rules: support vs confidence (colour: lift)"
    assert fig.layout.xaxis.title.text == "Support" and fig.layout.yaxis.title.text == "Confidence"


def test_rule_matrix(rules):
    fig = plot_rule_matrix(rules, top_n=3)
    hm = fig.data[0]
    # top 3 by lift: A + C -> D (3), A -> C + D (2), then of the two at 1.2 the more confident B -> A
    assert list(hm.y) == ["A", "A + C", "B"] and list(hm.x) == ["A", "C + D", "D"]
    z = np.array(hm.z, dtype=float)
    assert z[1, 2] == 3.0 and z[0, 1] == 2.0 and z[2, 0] == 1.2
    assert np.isnan(z).sum() == 6
    assert fig.layout.title.text.startswith("Rule matrix")
    assert fig.layout.yaxis.title.text == "Antecedent (if bought)"
    assert list(fig.layout.yaxis.ticktext) == ["A", "A + C", "B"]  # short labels stay as they are


def test_rule_matrix_shortens_long_axis_labels_and_keeps_codes():
    from crmmine.plotting.crosssell import _short_side

    long = "HERB MARKER ROSEMARY (22917) + HERB MARKER MINT (22919)"
    assert _short_side(long) == "HERB MA…ROSEMARY (22917) + HERB MARKER MINT (22919)"
    assert _short_side("22917") == "22917"


def test_rule_network(rules):
    fig = plot_rule_network(rules, top_n=4, names={"A": "Apple"})
    edges, rule_nodes, item_nodes = fig.data
    # order of first appearance, strongest rule first; a node with a known name shows it beside its code
    assert list(item_nodes.text) == ["Apple (A)", "C", "D", "B"]
    assert len(rule_nodes.x) == 4
    # edges: A + C -> D (3 items), A -> C + D (3), B -> A (2), A -> B (2): each edge is 3 points (with a gap)
    assert len(edges.x) == 3 * 10
    np.testing.assert_allclose(np.hypot(item_nodes.x, item_nodes.y), 1.0)
    assert "Apple" in item_nodes.hovertext[0]
    again = plot_rule_network(rules.iloc[::-1].reset_index(drop=True), top_n=4, names={"A": "Apple"})
    assert again.to_json() == fig.to_json()  # deterministic whatever the input order
    assert fig.layout.title.text == "Top rules as a network"


def test_item_frequency_figure():
    tx = crmmine.load_clean("sample").transactions
    freq = crmmine.item_frequency(tx)
    fig = plot_item_frequency(freq, top_n=5)
    bar = fig.data[0]
    assert len(bar.y) == 5
    np.testing.assert_allclose(bar.x, freq["support"].head(5).to_numpy()[::-1])
    assert bar.y[-1].endswith("(85123A)")  # the most frequent item at the top
    with pytest.raises(ParameterError, match=r"The 'frequency' parameter must be the table crmmine.item_frequency"):
        plot_item_frequency(tx)


def test_evaluation_figure():
    table = pd.DataFrame({"recommender": ["rules", "popular"], "k": [5, 5], "n_customers": [10, 10],
                          "coverage": [0.5, 1.0], "catalog_coverage": [0.1, 0.01], "hit_rate": [0.3, 0.2],
                          "precision_at_k": [0.08, 0.05], "recall_at_k": [0.02, 0.01]})
    ev = crmmine.RecommendationEvaluation(table=table, lift=pd.Series(dtype=float), per_customer=pd.DataFrame(),
                                          rules=pd.DataFrame(), recommendations=pd.DataFrame(),
                                          baseline=pd.DataFrame(), cutoff=pd.Timestamp("2024-01-01"),
                                          test_end=pd.Timestamp("2024-02-01"))
    fig = plot_evaluation(ev)
    assert [t.name for t in fig.data] == ["Association rules", "Most popular (baseline)"]
    assert list(fig.data[0].y) == [0.3, 0.08, 0.02, 0.5]
    assert list(fig.data[0].x) == ["Hit rate", "Precision@K", "Recall@K", "Customer coverage"]
    with pytest.raises(ParameterError, match=r"The 'evaluation' parameter must be what crmmine.evaluate_recommendations"):
        plot_evaluation(table)


def test_labels_follow_the_language(rules):
    from crmmine.text.labels import get_language, set_language

    before = get_language()
    try:
        set_language("zh")
        assert plot_rules_scatter(rules).layout.xaxis.title.text == "支持度"
    finally:
        set_language(before)


def test_bad_inputs(rules):
    with pytest.raises(ParameterError, match=r"The 'top_n' parameter must be an integer >= 1. Got 0 instead"):
        plot_rule_matrix(rules, top_n=0)
    with pytest.raises(crmmine.errors.MissingColumnError, match=r"The rules table lacks the column 'support'"):
        plot_rules_scatter(rules.drop(columns="support"))


def test_rule_network_on_real_rules_with_basket_names():
    tx = crmmine.load_clean("sample").transactions
    baskets = crmmine.make_baskets(tx)
    rules = crmmine.mine_rules(baskets, min_support=0.02, min_confidence=0.3)
    fig = plot_rule_network(rules, top_n=10, names=baskets.item_names)
    edges, rule_nodes, item_nodes = fig.data
    assert len(rule_nodes.x) == 10
    # the items drawn are exactly the items of the 10 rules drawn (read back from the hover text)
    drawn = {it for h in rule_nodes.text for side in h.split("<br>")[0].split(" -> ") for it in side.split(" + ")}
    assert {t.rsplit(" (", 1)[1].rstrip(")") for t in item_nodes.text} == drawn  # "NAME (code)" per node
    assert all(" (" in t for t in item_nodes.text)  # every node of the sample has its name
    assert min(float(h.split("<br>")[3].split(": ")[1]) for h in rule_nodes.text) >= rules["lift"].nlargest(10).min() - 0.01
    assert any("<br>" in h and h.split("<br>")[1] for h in item_nodes.hovertext)  # product names shown


def test_rule_network_nodes_show_names_with_codes():
    rules = pd.DataFrame({"antecedents": [frozenset({"22916"})], "consequents": [frozenset({"22917"})],
                          "support": [0.01], "confidence": [0.9], "lift": [80.0]})
    names = {"22916": "HERB MARKER THYME", "22917": "A VERY LONG PRODUCT NAME THAT GOES ON AND ON"}
    fig = crmmine.plotting.plot_rule_network(rules, names=names)
    texts = [t for trace in fig.data if trace.mode == "markers+text" for t in trace.text]
    assert sorted(texts) == ["A VERY LONG PRODUCT NA… (22917)", "HERB MARKER THYME (22916)"]
