"""CLV figures: data and titles of the plotly figures (no images)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import crmmine
from crmmine.datasets import make_transactions
from crmmine.errors import InputError, ParameterError
from crmmine.text.labels import label
from crmmine.plotting import plot_calibration_holdout, plot_clv_distribution, plot_probability_alive


@pytest.fixture(scope="module")
def shop():
    tx, truth = make_transactions(3_000, random_state=4, itemsets=())
    cal = crmmine.calibration_holdout_summary(tx, calibration_end="2025-01-01")
    s = cal[["frequency_cal", "recency_cal", "T_cal"]].rename(columns=lambda c: c.removesuffix("_cal"))
    s.attrs["time_unit"] = "D"
    bg = crmmine.BetaGeoModel().fit(s)
    return tx, cal, s, bg


def test_clv_distribution_counts_every_positive_value():
    values = pd.Series([1.0, 10.0, 100.0, 1000.0, 0.0, np.nan], name="clv")
    fig = plot_clv_distribution(values, bins=3)
    assert isinstance(fig, go.Figure)
    bar = fig.data[0]
    assert list(bar.y) == [1, 1, 2]  # log bins 1-10-100-1000; 0 and NaN left out
    np.testing.assert_allclose(bar.x, [10**0.5, 10**1.5, 10**2.5])
    assert fig.layout.title.text == label("clv.title.distribution")
    assert fig.layout.xaxis.type == "log"
    # mean and median lines
    assert [s.x0 for s in fig.layout.shapes] == pytest.approx([277.75, 55.0])


def test_clv_distribution_linear_and_from_customer_value(shop):
    tx = shop[0]
    value = crmmine.customer_value(tx)
    fig = plot_clv_distribution(value, log=False, bins=10)
    assert sum(fig.data[0].y) == len(value)
    assert fig.layout.xaxis.title.text == label("clv.predicted_value")
    fig = plot_clv_distribution(value, column="historical_value")
    assert fig.layout.xaxis.title.text == label("clv.historical_value")


def test_clv_distribution_errors():
    with pytest.raises(InputError, match=r"no column 'predicted_value'"):
        plot_clv_distribution(pd.DataFrame({"x": [1.0]}))
    with pytest.raises(ParameterError, match=r"'value' parameter must be a DataFrame.*Got list"):
        plot_clv_distribution([1, 2])
    with pytest.raises(ParameterError, match=r"'bins' parameter must be an integer >= 1\. Got 0"):
        plot_clv_distribution(pd.Series([1.0]), bins=0)
    with pytest.raises(InputError, match=r"no values to plot"):
        plot_clv_distribution(pd.Series([0.0, -1.0]))


def test_calibration_holdout_figure_matches_the_table(shop):
    _, cal, s, bg = shop
    fig = plot_calibration_holdout(bg, cal, max_frequency=3)
    actual, predicted = fig.data
    assert actual.name == label("clv.legend.actual") and predicted.name == label("clv.legend.predicted")
    assert list(actual.x) == ["0", "1", "2", "3+"]
    group = cal["frequency_cal"].clip(upper=3)
    np.testing.assert_allclose(actual.y, cal.groupby(group)["frequency_holdout"].mean().to_numpy())
    pred = bg.expected_purchases(float(cal["duration_holdout"].iloc[0]), s)
    np.testing.assert_allclose(predicted.y, pred.groupby(group.to_numpy()).mean().to_numpy())
    assert fig.layout.title.text == label("clv.title.calibration_holdout")
    assert fig.layout.yaxis.title.text == label("clv.axis.mean_holdout")
    with pytest.raises(ParameterError, match=r"'max_frequency' parameter must be an integer >= 1\. Got 0"):
        plot_calibration_holdout(bg, cal, max_frequency=0)
    with pytest.raises(InputError, match=r"calibration_holdout_summary"):
        plot_calibration_holdout(bg, s)


def test_probability_alive_map(shop):
    _, _, s, bg = shop
    fig = plot_probability_alive(bg, s, max_frequency=6, n_recency=20)
    hm = fig.data[0]
    z = np.asarray(hm.z)
    assert z.shape == (7, 20)
    assert (z[0] == 1).all()  # no repeat purchase: active for sure in BG/NBD
    # more recent last purchase -> likelier active; at recency == T the customer is as alive as can be
    assert (np.diff(z[1:], axis=1) >= -1e-12).all()
    one = pd.DataFrame({"frequency": [3], "recency": [hm.x[5]], "T": [s["T"].max()]})
    assert z[3, 5] == pytest.approx(bg.probability_alive(one).iloc[0])
    assert fig.layout.xaxis.title.text == label("clv.axis.recency", unit=label("clv.unit.D"))


def test_figures_follow_the_language(shop):
    _, cal, s, bg = shop
    from crmmine.text.labels import get_language, set_language

    before = get_language()
    try:
        set_language("zh")
        assert plot_calibration_holdout(bg, cal).layout.title.text == label("clv.title.calibration_holdout", "zh")
        assert plot_probability_alive(bg, s).layout.title.text == "客户仍然活跃的概率"
    finally:
        set_language(before)


def test_value_decomposition_by_hand():
    from crmmine.plotting import plot_value_decomposition

    value = pd.DataFrame(
        {"historical_value": [10.0, 1.0, 5.0, 0.0], "predicted_value": [20.0, 1.0, 5.0, 1.0],
         "potential_value": [0.0, 0.0, 3.0, 0.0]},
        index=pd.Index(list("abcd"), name="customer_id"))
    value["total_value"] = value.sum(axis=1)  # a 30, b 2, c 13, d 1 -> groups {a, c}, {b, d}
    fig = plot_value_decomposition(value, n_groups=2)
    hist, pred, pot = fig.data
    assert list(hist.x) == ["1", "2"]
    assert list(hist.y) == [15.0, 1.0] and list(pred.y) == [25.0, 2.0] and list(pot.y) == [3.0, 0.0]
    assert [t.name for t in fig.data] == [label("clv.historical_value"), label("clv.predicted_value"),
                                          label("clv.potential_value")]
    assert fig.layout.barmode == "stack" and fig.layout.title.text == label("clv.title.decomposition")
    assert fig.layout.xaxis.title.text == label("clv.axis.value_group", n=2)
    assert len(plot_value_decomposition(value, n_groups=10).data[0].x) == 4  # no more groups than customers
    with pytest.raises(ParameterError, match=r"'n_groups' parameter must be an integer >= 1\. Got 0"):
        plot_value_decomposition(value, n_groups=0)
    with pytest.raises(InputError, match=r"table of crmmine.customer_value"):
        plot_value_decomposition(value.drop(columns="total_value"))


@pytest.mark.parametrize("log", [True, False])
def test_clv_distribution_labels_inside_the_plot_area(log):
    # heavy-tailed values: the mean sits far right of the median (the report's shape)
    rng = np.random.default_rng(0)
    values = pd.Series(rng.lognormal(5, 1.5, 2000))
    fig = plot_clv_distribution(values, log=log)
    lo, hi = fig.layout.xaxis.range
    mean, median = float(values.mean()), float(values.median())
    to_axis = np.log10 if log else (lambda x: x)
    assert lo == pytest.approx(to_axis(values.min())) and hi == pytest.approx(to_axis(values.max()))
    notes = {a.text.split()[0]: a for a in fig.layout.annotations}
    assert set(notes) == {label("clv.legend.mean"), label("clv.legend.median")}
    for key, stat in (("clv.legend.mean", mean), ("clv.legend.median", median)):
        a = notes[label(key)]
        assert a.text == f"{label(key)} {stat:,.0f}"
        assert a.xref == "x" and a.yref == "paper"
        assert a.x == pytest.approx(to_axis(stat))  # a log axis places annotations by log10 of the value
        assert lo <= a.x <= hi and 0 <= a.y <= 1
    # the two labels stand apart: on the log axis (both lines mid-chart) the smaller value's label is left of its
    # line and the larger's right of it; on the linear axis both lines are near the left edge, labels point inwards
    assert notes[label("clv.legend.median")].xanchor == ("right" if log else "left")
    assert notes[label("clv.legend.mean")].xanchor == "left"
    assert notes[label("clv.legend.median")].y != notes[label("clv.legend.mean")].y


def test_clv_distribution_label_near_an_edge_points_inwards():
    # one huge value: the median sits at the left edge, so its label must extend to the right
    values = pd.Series([10.0] * 50 + [100000.0])
    fig = plot_clv_distribution(values)
    lo, _ = fig.layout.xaxis.range
    median = next(a for a in fig.layout.annotations if a.text.startswith(label("clv.legend.median")))
    assert median.x == pytest.approx(lo) and median.xanchor == "left"
