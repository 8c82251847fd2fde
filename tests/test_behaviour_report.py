"""The behaviour report's plumbing: registered in REPORTS, event presets accepted, sentences in both languages."""

from __future__ import annotations

import pytest

import crmmine
from crmmine import behaviour as bh
from crmmine.errors import ParameterError
from crmmine.report import REPORTS
from crmmine.text.labels import LABELS


def test_registered_and_parameters_checked():
    assert REPORTS["behaviour"] == "behaviour_report.ipynb"
    assert crmmine.check_parameters(schema="taobao", prediction_days=None, abandon_hours=12)["schema"] == "taobao"
    with pytest.raises(ParameterError, match="The 'abandon_hours' parameter must be an integer >= 1"):
        crmmine.check_parameters(abandon_hours=0)
    with pytest.raises(ParameterError, match="The 'basket_by' parameter must be one of 'user_day', 'session'"):
        crmmine.check_parameters(basket_by="week")
    with pytest.raises(ParameterError, match="a preset \\(online_retail, .*taobao"):
        crmmine.check_parameters(schema="tmall")


def test_event_input_summary_for_the_manifest():
    from crmmine.report.runner import _input_summary

    s = _input_summary("sample", "auto", "events")
    assert s["lines"]["input"] == s["lines"]["events"] + s["lines"]["rejected"]
    assert s["visitors"] > 1000 and len(s["sha256"]) == 64


def test_every_behaviour_label_has_both_languages():
    keys = [k for k in LABELS if k.startswith(("behaviour.", "events."))]
    assert len(keys) > 100
    assert all(LABELS[k].get("en") and LABELS[k].get("zh") for k in keys)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sentences(lang):
    log = crmmine.load_events()
    ev = log.events
    f = crmmine.funnel(ev)
    for text in (bh.summarise_events(log, lang=lang), bh.summarise_funnel(f, lang=lang),
                 bh.summarise_traffic(crmmine.traffic_summary(ev), lang=lang),
                 bh.summarise_peak(crmmine.activity_matrix(ev), lang=lang),
                 bh.summarise_time_to_purchase(crmmine.time_to_purchase(ev), lang=lang),
                 bh.summarise_items(crmmine.viewed_not_bought(ev), lang=lang),
                 bh.summarise_categories(crmmine.item_conversion(ev, level="category"), lang=lang)):
        assert text and "{" not in text
    en = bh.summarise_funnel(f, lang="en")
    users = f["users"].tolist()
    assert en.startswith(f"Of {users[0]:,} visitors, {users[1]:,} reached 'Carted or favourited'")
    t = bh.readable_table(f, lang="zh")
    assert list(t.columns) == ["阶段", "行为数", "访客数", "环节转化率", "总体转化率"] and t.iloc[0, 0] == "浏览"


def test_summary_errors():
    with pytest.raises(ParameterError, match="The 'log' parameter must be the EventLog of read_events"):
        bh.summarise_events(crmmine.load_events().events)
    with pytest.raises(ParameterError, match="The 'summary' parameter must be the Series of traffic_summary"):
        bh.traffic_table({"pv": 1})


@pytest.mark.slow
def test_crmmine_report_behaviour_on_the_taobao_log(tmp_path, taobao_path, capsys):
    """The issue's command: `crmmine report behaviour --data <Taobao file> --schema taobao`."""
    import json

    from crmmine.cli import main

    assert main(["report", "behaviour", "--data", str(taobao_path), "--schema", "taobao", "--out", str(tmp_path)]) == 0
    run = crmmine.report.latest_run(tmp_path, "behaviour")
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok" and manifest["input"]["lines"] == {"input": 84_476, "events": 84_440,
                                                                         "rejected": 36}
    names = {a["file"] for a in manifest["artifacts"]}
    assert {"prospects.csv", "abandoned_carts.csv", "funnel_dropouts.csv", "propensity_metrics.csv"} <= names
