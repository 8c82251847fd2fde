"""The report runner (``crmmine report``): parameters checked first, atomic run folders, manifest,
``latest``, ``index.html``, failed and killed runs that lose nothing, byte-identical artefacts.

Built on the fixture notebooks in tests/fixtures/notebooks (one that succeeds, one that fails
midway, one that sleeps so it can be killed); the real report notebooks run in the slow tests
when they are present in notebooks/.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

import crmmine
from crmmine.cli import main
from crmmine.errors import ParameterError, ReportError
from crmmine.report import (
    REPORTS,
    export_html,
    init_notebook,
    latest_run,
    list_runs,
    notebook_parameters,
    parse_parameter_value,
    prepare_parameters,
    resolve_notebook,
    run_report,
    run_reports,
    write_index,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
OK, FAIL, SLEEP = (FIXTURES / f"{n}_report.ipynb" for n in ("ok", "fail", "sleep"))
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
REAL = [name for name, nb in REPORTS.items() if (NOTEBOOKS / nb).exists()]


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """One good run of the fixture report, in a module-wide output folder."""
    out = tmp_path_factory.mktemp("reports")
    return out, run_report(OK, parameters={"top_n": 3}, out=out)


# --------------------------------------------------------------------------- parameters (no notebook runs)
@pytest.mark.parametrize(("text", "default", "expected"), [
    ("7", 5, 7),
    ("7", 0.5, 7.0),
    ("0.25", 0.5, 0.25),
    ("12345", "abc", "12345"),          # a text parameter keeps the text as given
    ("True", "abc", "True"),
    ("False", True, False),
    ("None", None, None),
    ("2011-09-01", None, "2011-09-01"),
    ("3", None, 3),                      # a None default takes papermill's reading
    ("[1, 2]", [0], [1, 2]),
    ("None", "2011-01-01", None),        # as_of is a known parameter: None allowed (check_parameters decides)
])
def test_parse_parameter_value(text, default, expected):
    name = "as_of" if default == "2011-01-01" else "p"
    value = parse_parameter_value(name, text, default)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(("text", "default", "message"), [
    ("abc", 5, r"The 'p' parameter of the notebook must be an integer like its default 5\. Got 'abc' instead\."),
    ("2.5", 5, r"must be an integer like its default 5\. Got '2\.5'"),
    ("yes", True, r"must be True or False like its default True\. Got 'yes'"),
    ("abc", 0.5, r"must be a number like its default 0\.5"),
    ("None", 5, r"must be an integer like its default 5\. Got 'None'"),
    ("{'a': 1}", [0], r"must be a list like its default \[0\]"),
])
def test_parse_parameter_value_rejects_wrong_types(text, default, message):
    with pytest.raises(ParameterError, match=message):
        parse_parameter_value("p", text, default)


def test_notebook_parameters_reads_every_assignment(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        'a = 1  # a count\nb = "x"  # comment with = sign, which papermill skips\nc = None\nd = 2 * 3  # expression\n'
        'e: float = 0.5\n',
        metadata={"tags": ["parameters"]})])
    path = tmp_path / "p.ipynb"
    nbformat.write(nb, str(path))
    params = notebook_parameters(path)
    assert list(params) == ["a", "b", "c", "d", "e"]
    assert params["a"] == {"default": 1, "literal": True, "help": "a count"}
    assert params["b"]["default"] == "x" and params["c"]["default"] is None
    assert params["d"] == {"default": "2 * 3", "literal": False, "help": "expression"}
    assert params["e"]["default"] == 0.5


def test_notebook_without_parameters_cell(tmp_path):
    path = tmp_path / "bare.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), str(path))
    with pytest.raises(ReportError, match=r"has no cell tagged 'parameters'.*Tag the cell"):
        notebook_parameters(path)


def test_prepare_parameters():
    values = prepare_parameters(OK, {"top_n": "10", "as_of": "2011-09-01", "title": "Best"})
    assert values["top_n"] == 10 and values["title"] == "Best" and values["as_of"] == "2011-09-01"
    assert values["data_path"] == "sample" and values["output_dir"] == "artifacts"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"nope": "1"}, r"The 'nope' parameter is not a parameter of ok_report\.ipynb\. Its parameters are: as_of, "
                    r"data_path, lang"),
    ({"top_n": "x"}, r"The 'top_n' parameter of ok_report\.ipynb must be an integer like its default 5\. Got 'x'"),
    ({"top_n": "0"}, r"The 'top_n' parameter must be an integer >= 1\. Got 0 instead\."),
    ({"lang": "fr"}, r"The 'lang' parameter must be one of 'en', 'zh'\. Got 'fr' instead\."),
    ({"as_of": "2011-13-45"}, r"The 'as_of' parameter must be a date like"),
    ({"data_path": "/no/such/file.csv"}, r"The 'data_path' parameter points to '/no/such/file\.csv', which does not"),
    ({"output_dir": "x"}, r"The 'output_dir' parameter is set by the runner.*use --out"),
])
def test_prepare_parameters_rejects(overrides, message):
    with pytest.raises(ParameterError, match=message):
        prepare_parameters(OK, overrides)


def test_resolve_notebook():
    assert resolve_notebook(OK) == ("ok", OK)
    assert resolve_notebook(str(SLEEP))[0] == "sleep"
    with pytest.raises(ParameterError, match=r"The 'report' parameter must be one of 'segments', 'crosssell', "
                                             r"'churn', ('[a-z]+', )*'all' or the path of a \.ipynb notebook\. Got 'sales'"):
        resolve_notebook("sales")
    with pytest.raises(ParameterError, match=r"The notebook '.*missing\.ipynb' does not exist"):
        resolve_notebook("missing.ipynb")


def test_as_of_goes_to_as_of_or_cutoff(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('x = 1  # nothing', metadata={"tags": ["parameters"]})])
    path = tmp_path / "no_date.ipynb"
    nbformat.write(nb, str(path))
    with pytest.raises(ParameterError, match=r"The --as-of option needs an 'as_of' or 'cutoff' parameter, and "
                                             r"no_date\.ipynb has neither"):
        run_reports([path], as_of="2011-09-01", out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv, message", [
    (["-p", "nope=1"], "The 'nope' parameter is not a parameter of ok_report.ipynb"),
    (["-p", "top_n"], "The -p option must look like name=value, e.g. -p top_n=10. Got 'top_n' instead."),
    (["-p", "top_n=many"], "The 'top_n' parameter of ok_report.ipynb must be an integer"),
    (["--data", "/no/such.csv"], "The 'data_path' parameter points to '/no/such.csv', which does not exist."),
    (["--as-of", "soon"], "The 'as_of' parameter must be a date like '2011-06-01' or None. Got 'soon' instead."),
])
def test_cli_bad_parameters_exit_2_before_anything_runs(argv, message, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["report", str(OK), "--out", str(out), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("crmmine: error: ") and message in err
    assert not out.exists()


def test_cli_unknown_report_exits_2(capsys):
    assert main(["report", "sales"]) == 2
    assert "The 'report' parameter must be one of 'segments'" in capsys.readouterr().err


# --------------------------------------------------------------------------- a good run
def test_good_run_folder(good):
    out, run = good
    assert run.status == "ok" and run.path == out / "ok" / run.run_id
    assert sorted(p.name for p in run.path.iterdir()) == ["artifacts", "manifest.json", "ok_report.ipynb",
                                                          "report.html"]
    assert sorted(p.name for p in run.artifacts.iterdir()) == ["top_products.csv", "top_products.parquet"]
    assert latest_run(out, "ok") == run.path
    assert (out / "ok" / "latest").is_symlink() and os.readlink(out / "ok" / "latest") == run.run_id
    assert not list((out / "ok").glob(".tmp-*"))
    csv = (run.artifacts / "top_products.csv").read_text(encoding="utf-8").splitlines()
    assert csv[0] == "product_name,amount" and len(csv) == 4  # top_n=3 reached the notebook


def test_good_run_manifest(good):
    out, run = good
    m = json.loads((run.path / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "ok" and m["error"] is None and m["report"] == "ok" and m["run_id"] == run.run_id
    assert m["parameters"]["top_n"] == 3 and m["parameters"]["output_dir"] == "artifacts"
    assert m["parameters"]["data_path"] == "sample"
    sample = crmmine.datasets.online_retail_sample_path()
    assert m["input"]["sha256"] == hashlib.sha256(sample.read_bytes()).hexdigest()
    cleaned = crmmine.load_clean("sample")
    assert m["input"]["lines"] == {"input": int(cleaned.audit["lines"].iloc[0]), "clean": len(cleaned.transactions),
                                   "returns": len(cleaned.returns), "rejected": len(cleaned.rejected)}
    assert m["input"]["lines"]["input"] == 92069  # the bundled sample (data/sample/README.md)
    assert [row["rule"] for row in m["input"]["audit"]] == cleaned.audit["rule"].tolist()
    assert m["versions"]["crmmine"] == crmmine.__version__ and m["versions"]["pandas"]
    assert m["duration_s"] > 0 and m["started"] <= m["finished"]
    assert {a["file"] for a in m["artifacts"]} == {"top_products.csv", "top_products.parquet"}
    for a in m["artifacts"]:
        assert a["sha256"] == hashlib.sha256((run.artifacts / a["file"]).read_bytes()).hexdigest()


def test_good_run_html_is_offline_with_code_hidden(good):
    _, run = good
    html = run.html.read_text(encoding="utf-8")
    assert html.count("Plotly.newPlot(") == 2              # two figures ...
    assert html.count("* plotly.js v") == 1                 # ... one embedded plotly.js
    start = html.index("* plotly.js v")
    page = html[:start] + html[html.index("</script>", start):]  # the page without the plotly.js bundle
    assert "<script src=" not in page and "cdnjs" not in page and "mathjax.js" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:|import\s*["']https?:|url\(["']?https?:""", page)
    assert "crmmine.load_clean" not in html                 # code hidden
    assert "Fixture report" in html                         # markdown kept
    assert 3_000_000 < len(html.encode()) < 8_000_000       # plotly.js (~4.7 MB) once, plus the report


def test_index_lists_runs(good):
    out, run = good
    index = (out / "index.html").read_text(encoding="utf-8")
    assert run.run_id in index and f'href="ok/{run.run_id}/report.html"' in index
    runs = list_runs(out)
    assert {"report": "ok", "run_id": run.run_id, "status": "ok"}.items() <= next(
        r for r in runs if r["run_id"] == run.run_id).items()


def test_index_in_chinese(good, tmp_path):
    from crmmine.text.labels import set_language

    out, _ = good
    set_language("zh")
    try:
        write_index(out)
        assert "报告运行记录" in (out / "index.html").read_text(encoding="utf-8")
    finally:
        set_language("en")
        write_index(out)


@pytest.mark.slow
def test_rerun_gives_byte_identical_csv_and_moves_latest(good):
    out, first = good
    before = _digest(first.path)
    second = run_report(OK, parameters={"top_n": 3}, out=out)
    assert second.run_id != first.run_id
    for name in ("top_products.csv",):
        assert (second.artifacts / name).read_bytes() == (first.artifacts / name).read_bytes()
    assert latest_run(out, "ok") == second.path
    assert _digest(first.path) == before  # the earlier run is untouched


# --------------------------------------------------------------------------- failed and killed runs
@pytest.mark.slow
def test_failed_run_keeps_the_evidence_and_loses_nothing(good, capsys):
    out, _ = good
    latest_before = latest_run(out, "ok")
    before = _digest(latest_before)
    assert main(["report", str(FAIL), "--out", str(out)]) == 1  # through the command line: exit status 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and re.fullmatch(
        r"crmmine: error: The fail report failed: ParameterError in cell \[\d+\]: The 'top_n' parameter must be an "
        r"integer >= 1\. Got 0 instead\. The executed notebook is (.*)\.failed/fail_report\.ipynb and the manifest "
        r"\1\.failed/manifest\.json; earlier runs are untouched\.\n", err)
    (failed,) = (out / "fail").glob("*.failed")
    m = json.loads((failed / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "failed" and "integer >= 1" in m["error"] and failed.name == f"{m['run_id']}.failed"
    assert {a["file"] for a in m["artifacts"]} == {"top_products.csv", "top_products.parquet"}  # written before
    nb = nbformat.read(str(failed / "fail_report.ipynb"), as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors and errors[0]["ename"] == "ParameterError"
    assert "Got 0 instead" in (failed / "report.html").read_text(encoding="utf-8")  # error visible
    assert not (out / "fail" / "latest").exists()
    assert latest_run(out, "ok") == latest_before and _digest(latest_before) == before
    statuses = {r["run_id"]: r["status"] for r in list_runs(out)}
    assert statuses[m["run_id"]] == "failed"
    assert "failed" in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_killed_run_loses_nothing(tmp_path):
    out = tmp_path / "reports"
    first = run_report(SLEEP, parameters={"sleep_seconds": 0.0}, out=out)
    before = _digest(first.path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(crmmine.__file__).parents[1]),
                                                        os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "crmmine", "report", str(SLEEP), "--out", str(out),
                             "-p", "sleep_seconds=120"], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        # wait until the notebook is inside its sleep: the artefact of the cell before it is written
        while not list((out / "sleep").glob(".tmp-*/artifacts/audit.csv")):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the run did not start"
            time.sleep(0.2)
        time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the runner and its kernel, as a scheduler kills a job
        proc.wait(timeout=30)
    stale = list((out / "sleep").glob(".tmp-*"))
    assert len(stale) == 1
    assert json.loads((stale[0] / "manifest.json").read_text())["status"] == "running"
    assert latest_run(out, "sleep") == first.path and _digest(first.path) == before
    # the dead run is shown as killed at once (its process is gone), before any later run renames it
    assert sorted(r["status"] for r in list_runs(out)) == ["killed", "ok"]
    assert "killed" in write_index(out).read_text(encoding="utf-8")

    # a later run works, and turns the dead run's folder into <run-id>.killed
    third = run_report(SLEEP, parameters={"sleep_seconds": 0.0}, out=out)
    assert latest_run(out, "sleep") == third.path and _digest(first.path) == before
    assert not list((out / "sleep").glob(".tmp-*"))
    killed = out / "sleep" / (stale[0].name.removeprefix(".tmp-") + ".killed")
    manifest = json.loads((killed / "manifest.json").read_text())
    assert manifest["status"] == "killed" and "ended before the run completed" in manifest["error"]
    assert (third.artifacts / "audit.csv").read_bytes() == (first.artifacts / "audit.csv").read_bytes()
    assert sorted(r["status"] for r in list_runs(out)) == ["killed", "ok", "ok"]


def test_a_run_in_progress_is_not_swept(tmp_path):
    from crmmine.report.runner import _sweep_stale

    live = tmp_path / ".tmp-20260101T000000Z-aaaa"
    live.mkdir()
    (live / ".owner.json").write_text(json.dumps({"pid": os.getpid(), "host": os.uname().nodename}))
    dead = tmp_path / ".tmp-20260101T000000Z-bbbb"
    dead.mkdir()
    (dead / ".owner.json").write_text(json.dumps({"pid": 2**22 + 12345, "host": os.uname().nodename}))
    (dead / "manifest.json").write_text(json.dumps({"status": "running"}))
    assert _sweep_stale(tmp_path) == [tmp_path / "20260101T000000Z-bbbb.killed"]
    assert live.exists()
    assert json.loads((tmp_path / "20260101T000000Z-bbbb.killed" / "manifest.json").read_text())["status"] == "killed"


# --------------------------------------------------------------------------- rendering helpers
def test_init_notebook_renders_figures_as_offline_html():
    import plotly.graph_objects as go
    import plotly.io as pio

    before = pio.renderers.default
    try:
        init_notebook("en")
        bundle = pio.renderers._build_mime_bundle(go.Figure(go.Bar(x=["a"], y=[1])).to_dict())
        html = bundle["text/html"]
        assert "Plotly.newPlot" in html and "plotly.js v" not in html  # plotly.js comes once, separately
        assert "cdn" not in html and "mathjax" not in html.lower()
        assert "application/vnd.plotly.v1+json" not in bundle
    finally:
        pio.renderers.default = before


def test_export_html_can_show_code(good, tmp_path):
    _, run = good
    path = export_html(run.notebook, tmp_path / "with_code.html", include_code=True, title="T")
    html = path.read_text(encoding="utf-8")
    assert "load_clean" in html and "<title>T</title>" in html


# --------------------------------------------------------------------------- the real reports
@pytest.mark.slow
@pytest.mark.skipif(not REAL, reason="no report notebook in notebooks/ yet")
def test_real_reports_run_and_reproduce_their_csv(tmp_path):
    first = run_reports(REAL, out=tmp_path / "a")
    second = run_reports(REAL, out=tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.status == b.status == "ok"
        csv = sorted(p.name for p in a.artifacts.glob("*.csv"))
        assert csv, f"the {a.report} report wrote no CSV artefact"
        for name in csv:
            assert (a.artifacts / name).read_bytes() == (b.artifacts / name).read_bytes(), f"{a.report}/{name}"
        # the Online Retail sample, or the generated event sample of the behaviour report
        assert a.manifest["input"]["lines"]["input"] == (22_696 if a.report == "behaviour" else 92069)
    index = (tmp_path / "a" / "index.html").read_text(encoding="utf-8")
    assert all(r.run_id in index for r in first)


# --------------------------------------------------------------------------- explorer panels (explore.ipynb)
_EXPLORER_API = ("CustomerSegmenter", "customer_table", "mine_rules", "filter_rules", "ChurnModel", "customer_value",
                 "recommend", "lifecycle_states")
needs_api = pytest.mark.skipif(not all(hasattr(crmmine, n) for n in _EXPLORER_API),
                               reason="the segment, rules, churn and CLV modules are not merged in this branch")


@pytest.fixture(scope="module")
def panels():
    from crmmine.report import explorer

    result = crmmine.load_clean("sample")
    seg = explorer.segment_panel(result, n_clusters=3, random_state=0)
    rules = explorer.rules_panel(result, min_support=0.01, min_confidence=0.3, min_lift=1.0)
    churn = explorer.churn_panel(result, horizon_days=90, threshold=0.5, random_state=0)
    lookup = explorer.customer_lookup(result, segments=seg, rules=rules, churn=churn, top_n=3)
    return result, seg, rules, churn, lookup


@needs_api
@pytest.mark.slow
def test_segment_panel_follows_its_controls(panels):
    _, seg, *_ = panels
    assert len(seg.table) == 3 and seg.segmenter.k_ == 3 and seg.message.startswith("3 segments")
    from crmmine.customers.segment import DEFAULT_FEATURES
    assert tuple(seg.segmenter.feature_names_in_) == DEFAULT_FEATURES  # starts where CustomerSegmenter does
    seg.controls["k"].value = 5
    assert len(seg.table) == 5 and seg.segmenter.k_ == 5 and seg.message.startswith("5 segments")
    assert seg.segments.nunique() == 5 and len(seg.segments) == len(seg.customers)
    assert seg.figure is not None and len(seg.figure.data) >= 1
    seg.controls["features"].value = ("frequency",)
    assert seg.figure is None and seg.message == "Choose at least two features."
    seg.controls["features"].value = ("frequency", "monetary_total")
    assert tuple(seg.segmenter.feature_names_in_) == ("frequency", "monetary_total")
    seg.controls["k"].value = 3
    assert "<table" in seg._table.value and seg.widget.children


@needs_api
@pytest.mark.slow
def test_rules_panel_mines_once_and_filters(panels):
    _, _, rules, *_ = panels
    mined = rules.all_rules
    rules.controls["min_lift"].value = 5.0
    rules.controls["min_confidence"].value = 0.5
    expected = crmmine.filter_rules(mined, min_support=0.01, min_confidence=0.5, min_lift=5.0, sort_by="lift")
    assert rules.all_rules is mined  # not mined again
    assert len(rules.rules) == len(expected) > 0 and len(rules.table) == len(expected)
    assert (rules.rules["lift"] >= 5.0).all() and (rules.rules["confidence"] >= 0.5).all()
    assert rules.message.startswith(f"{len(expected):,} of {len(mined):,} mined rules")
    assert sum(len(t.x) for t in rules.figure.data if t.x is not None) == len(expected)
    rules.controls["min_lift"].value = rules.controls["min_lift"].max
    rules.controls["min_confidence"].value = 1.0
    if rules.rules.empty:
        assert rules.figure is None and rules.message.startswith("No rule passes")
    rules.controls["min_lift"].value = 1.0
    rules.controls["min_confidence"].value = 0.3


@needs_api
@pytest.mark.slow
def test_churn_panel_threshold_and_horizon(panels):
    _, _, _, churn, _ = panels
    risk = churn.risk
    churn.controls["threshold"].value = 0.7
    assert churn.risk is risk  # the threshold only filters
    assert len(churn.table) == int((risk >= 0.7).sum()) and (churn.table["p_churn"] >= 0.7).all()
    assert churn.figure.layout.shapes[0].x0 == 0.7
    churn.controls["horizon_days"].value = 60
    assert churn.risk is not risk and "next 60 days" in churn.message
    churn.controls["horizon_days"].value = 90
    assert churn.risk is risk  # cached per horizon
    churn.controls["threshold"].value = 0.5


@needs_api
@pytest.mark.slow
def test_customer_lookup(panels):
    result, seg, rules, churn, lookup = panels
    first = lookup.controls["customer_id"].value
    assert first == str(lookup.value["predicted_value"].idxmax())
    cid = str(result.transactions["customer_id"].iloc[0])
    lookup.controls["customer_id"].value = cid
    row = lookup.table.iloc[0]
    assert row["customer_id"] == cid and row["segment"] == seg.segments.loc[cid]
    assert row["p_churn"] == pytest.approx(churn.risk.loc[cid])
    assert row["predicted_value"] == pytest.approx(lookup.value.loc[cid, "predicted_value"])
    bought = set(result.transactions.loc[result.transactions["customer_id"] == cid, "product_id"].astype(str))
    assert not bought & set(lookup.recommendations["product_id"].astype(str))  # nothing already bought
    assert len(lookup.recommendations) <= 3 and f"Customer {cid}:" in lookup.message
    assert lookup.figure.layout.title.text == f"Monthly spend of customer {cid}"
    lookup.controls["customer_id"].value = "no-such-id"
    assert lookup.figure is None and lookup.message == "No customer no-such-id in the data."
    overview = lookup.overview()
    assert len(overview) == len(seg.customers) and list(overview.columns) == [
        "customer_id", "lifecycle_state", "historical_value", "predicted_value", "probability_alive", "segment",
        "p_churn"]


def test_explorer_rejects_a_table():
    from crmmine.report import explorer

    with pytest.raises(ParameterError, match=r"The 'result' parameter must be a CleanResult from crmmine\.load_clean"
                                             r" or crmmine\.clean\. Got DataFrame instead\."):
        explorer.segment_panel(crmmine.load_clean("sample").transactions)


def test_latest_is_a_small_file_where_symlinks_fail(tmp_path, monkeypatch):
    from crmmine.report import runner

    (tmp_path / "r" / "20260101T000000Z-aaaa").mkdir(parents=True)

    def no_symlinks(*args, **kwargs):
        raise OSError("symlinks are not supported here")

    monkeypatch.setattr(runner.os, "symlink", no_symlinks)
    runner._point_latest(tmp_path / "r", "20260101T000000Z-aaaa")
    latest = tmp_path / "r" / "latest"
    assert latest.is_file() and not latest.is_symlink()
    assert latest.read_text() == "20260101T000000Z-aaaa\n"
    assert latest_run(tmp_path, "r") == (tmp_path / "r" / "20260101T000000Z-aaaa").resolve()
    assert latest_run(tmp_path, "nothing") is None
