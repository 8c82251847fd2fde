"""Behaviour figures: data and titles, both languages; bad input is a one-line error."""

from __future__ import annotations

import pytest

import crmmine
from crmmine import plotting
from crmmine.errors import MissingColumnError, ParameterError


@pytest.fixture(scope="module")
def shop():
    ev, _ = crmmine.datasets.make_events(2_000, random_state=2)
    return ev


def test_funnel_figure(shop):
    f = crmmine.funnel(shop)
    fig = plotting.plot_funnel(f)
    assert list(fig.data[0].x) == f["users"].tolist()
    assert list(fig.data[0].y) == ["Viewed", "Carted or favourited", "Bought"]
    assert fig.layout.title.text == "Conversion funnel (visitors)"
    assert list(plotting.plot_funnel(f, lang="zh").data[0].y) == ["浏览", "加购或收藏", "购买"]
    with pytest.raises(ParameterError, match="must be one funnel"):
        plotting.plot_funnel(crmmine.funnel(shop, by="hour"))


def test_heatmap_and_daily_figures(shop):
    m = crmmine.activity_matrix(shop)
    fig = plotting.plot_activity_heatmap(m, lang="zh")
    assert fig.data[0].z.sum() == len(shop) and list(fig.data[0].y)[0] == "周一"
    with pytest.raises(ParameterError, match="7 x 24 DataFrame"):
        plotting.plot_activity_heatmap(m.iloc[:3])
    d = crmmine.traffic_by(shop, by="day")
    fig = plotting.plot_traffic_by_day(d)
    assert list(fig.data[0].y) == d["uv"].tolist() and list(fig.data[1].y) == d["buyers"].tolist()


def test_category_and_time_figures(shop):
    conv = crmmine.item_conversion(shop, level="category")
    fig = plotting.plot_conversion_by_category(conv, top_n=5)
    assert len(fig.data[0].x) == 5 and max(fig.data[0].x) <= 1
    ttp = crmmine.time_to_purchase(shop)
    fig = plotting.plot_time_to_purchase(ttp)
    assert sum(fig.data[0].y) == len(ttp)
    with pytest.raises(MissingColumnError, match="has no column 'hours'"):
        plotting.plot_time_to_purchase(conv)


def test_gains_figure(shop):
    bt = crmmine.propensity_backtest(shop, random_state=0)
    fig = plotting.plot_propensity_gains(bt)
    assert [t.name for t in fig.data] == ["Propensity model", "Items in cart", "Recency of last event", "Random order"]
    assert fig.data[0].y[-1] == pytest.approx(1.0)
    with pytest.raises(ParameterError, match="must be a PropensityBacktest or PropensityEvaluation"):
        plotting.plot_propensity_gains(shop)
