"""Data is never markup: every report, in both languages, on a shop whose product names, customer ids and
countries hold a script, HTML markup and spreadsheet formulas. The page shows them as text (no dialog
opens in a real browser), the CSV files neutralise the formulas, and the Chinese edition is Chinese.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest

import crmmine
from crmmine.report import REPORTS, run_reports
from crmmine.report.runner import EVENT_REPORTS

TRANSACTION_REPORTS = [r for r in REPORTS if r not in EVENT_REPORTS]

pytestmark = pytest.mark.slow  # six report runs

EVIL_SCRIPT = "<script>alert(1)</script>"
EVIL_MARKUP = '<img src=x onerror="alert(2)"><b>bold</b>'
FORMULA = '=HYPERLINK("http://example.com","x")'


@pytest.fixture(scope="module")
def evil_shop(tmp_path_factory):
    raw = pd.read_csv(crmmine.datasets.online_retail_sample_path(), dtype=str)
    clean = crmmine.load_clean("sample").transactions
    top = clean.groupby("product_id")["amount"].sum().sort_values(ascending=False).index[:4]
    for code, name in zip(top, [EVIL_SCRIPT, EVIL_MARKUP, FORMULA, "@SUM(1+1)"], strict=True):
        raw.loc[raw["StockCode"] == code, "Description"] = name
    best = clean.groupby("customer_id")["amount"].sum().sort_values(ascending=False).index[:2]
    ids = raw["CustomerID"].str.replace(r"\.0$", "", regex=True)
    raw.loc[ids == best[0], "CustomerID"] = "<b>VIP</b>"
    raw.loc[ids == best[1], "Country"] = EVIL_SCRIPT
    path = tmp_path_factory.mktemp("evil") / "evil_shop.csv"
    raw.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module", params=["en", "zh"])
def evil_runs(request, evil_shop, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"reports-{request.param}")
    return request.param, run_reports(TRANSACTION_REPORTS, parameters={"data_path": str(evil_shop), "lang": request.param},
                                      out=out)


def _text(html: str) -> str:
    body = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    body = re.sub(r"<style.*?</style>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_every_report_keeps_data_as_text(evil_runs):
    lang, runs = evil_runs
    for run in runs:
        html = run.html.read_text(encoding="utf-8")
        assert "<script>alert(1)</script>" not in html, run.report
        assert "<img src=x" not in html and "<b>VIP</b>" not in html and "<b>bold</b>" not in html, run.report
        if run.report != "churn":  # the churn report shows only the top of its win-back list
            assert "alert(1)" in html or "&lt;b&gt;VIP&lt;/b&gt;" in html, run.report  # data reached the page
        for p in sorted(run.artifacts.glob("*.csv")):
            cells = [c for row in csv.reader(io.StringIO(p.read_text(encoding="utf-8"))) for c in row]
            bad = [c for c in cells if c.startswith(("=", "@", "+"))]
            assert bad == [], f"{p.name}: {bad[:3]}"


def test_action_lists_name_products_and_people(evil_runs):
    lang, runs = evil_runs
    by_name = {r.report: r for r in runs}
    offers = pd.read_csv(by_name["crosssell"].artifacts / "offers.csv", dtype=str)
    assert {"customer_id", "offer", "product_name", "because_bought"} <= set(offers.columns)
    assert offers["product_name"].notna().mean() > 0.9
    contacts = pd.read_csv(by_name["segments"].artifacts / "contact_list.csv", dtype=str)
    assert {"customer_id", "segment_name", "why", "action"} <= set(contacts.columns)
    assert contacts["action"].notna().all()
    winback = pd.read_csv(by_name["churn"].artifacts / "winback.csv", dtype=str)
    assert winback.loc[0, "tier"] == "win_back_now" and int(float(winback.loc[0, "days_since_last_purchase"])) > 7


def test_chinese_edition_has_no_english_words(evil_runs):
    lang, runs = evil_runs
    if lang != "zh":
        pytest.skip("the English edition")
    index = (runs[0].path.parents[1] / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in index
    allowed = re.compile(r"^(GBP|CSV|RFM|BG/NBD|Gamma-Gamma|ROC|AUC|PR|Brier|ABC|k|KB|Gini|lang|zh|skip_rules|"
                         r"n_clusters|clv_horizon_days|discount_rate|currency|random_state|level|product|"
                         r"min_support|min_confidence|min_lift|max_len|top_n|cutoff|horizon_days|model|logistic|"
                         r"csv|parquet|gz|sample|online_retail_sample|evil_shop|crmmine|profile|r|f|m|fm|p|P|x|"
                         r"alert|script|img|src|onerror|bold|VIP|HYPERLINK|SUM|http|example|com|United|Kingdom|"
                         r"Pareto|Dick|Basu|amp|"  # names (Pareto/NBD, Dick & Basu), an entity
                         r"[A-Z0-9][A-Z0-9&'./-]*)$")
    countries = set(pd.read_csv(crmmine.datasets.online_retail_sample_path(), usecols=["Country"])["Country"]
                    .dropna().str.split().explode())
    for run in runs:
        html = run.html.read_text(encoding="utf-8")
        assert '<html lang="zh"' in html or 'lang="zh"' in html[:2000], run.report
        tokens = re.findall(r"[A-Za-z][\w.'/-]*", _text(html))
        words = {w for t in tokens if "_" not in t and "." not in t  # parameter and file names are not words
                 for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", t)}
        english = sorted(w for w in words if not allowed.match(w) and not w.isupper() and w not in countries)
        assert len(english) <= 2, f"{run.report}: {english[:40]}"
        # the "files written" table says what each file holds in Chinese (a file name is not the only text)
        files = re.findall(r'<table class="crmmine-table">(.*?)</table>', html, flags=re.S)[-1]
        first_cells = re.findall(r"<tr><td[^>]*>([^<]*)</td>", files)
        assert first_cells and all(re.search(r"[\u4e00-\u9fff]", c) for c in first_cells), (run.report, first_cells)
        # numbers are right-aligned, money carries the currency by its Chinese name
        assert 'class="num" style="text-align:right' in html, run.report
        if run.report in ("segments", "churn", "loyalty"):
            assert "英镑" in html and " GBP" not in _text(html), run.report


def test_pages_open_without_running_the_data(evil_runs):
    import shutil

    from test_browser import CHROMIUM, _check_page

    if CHROMIUM is None or shutil.which(CHROMIUM) is None:
        pytest.skip("chromium is not installed")
    lang, runs = evil_runs
    for run in runs:
        _check_page(CHROMIUM, run)


@pytest.fixture(scope="module")
def evil_events(tmp_path_factory):
    """The bundled event log with markup and formulas in the most viewed items, the top category and the
    most active visitor's id."""
    raw = pd.read_csv(crmmine.datasets.events_sample_path(), dtype=str)
    items = raw["item_id"].value_counts().index[:3]
    for code, name in zip(items, [EVIL_SCRIPT, FORMULA, "@SUM(1+1)"], strict=True):
        raw.loc[raw["item_id"] == code, "item_id"] = name
    raw.loc[raw["category"] == raw["category"].value_counts().index[0], "category"] = EVIL_MARKUP
    raw.loc[raw["customer_id"] == raw["customer_id"].value_counts().index[0], "customer_id"] = "<b>VIP</b>"
    path = tmp_path_factory.mktemp("evil-events") / "evil_events.csv"
    raw.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_behaviour_report_keeps_data_as_text(evil_events, tmp_path, lang):
    (run,) = run_reports(list(EVENT_REPORTS), parameters={"data_path": str(evil_events), "lang": lang},
                         out=tmp_path)
    assert run.status == "ok", run
    html = run.html.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html and "<b>VIP</b>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the item reached the page, as text
    for p in sorted(run.artifacts.glob("*.csv")):
        cells = [c for row in csv.reader(io.StringIO(p.read_text(encoding="utf-8"))) for c in row]
        bad = [c for c in cells if c.startswith(("=", "@", "+"))]
        assert bad == [], f"{p.name}: {bad[:3]}"
