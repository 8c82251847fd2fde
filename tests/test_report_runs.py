"""The runner under load and failure: concurrent runs into one --out, dead and disk-full runs, date checks
before any kernel starts, several reports in one command, per-report --help, progress lines.

The concurrency and failure tests replace papermill's execution by a stand-in that copies the notebook
(the runner's own file handling is what they test; the real kernels run in test_report.py).
"""

from __future__ import annotations

import errno
import json
import multiprocessing as mp
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import crmmine
from crmmine.errors import ParameterError, ReportError
from crmmine.report import list_runs, run_report, write_index
from crmmine.report.runner import _OWNER_FILE, _TMP_PREFIX, check_dates

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
OK = FIXTURES / "ok_report.ipynb"


def _fake_execute(input_path, output_path, **kwargs):
    import shutil

    shutil.copyfile(input_path, output_path)


def _one_run(args):
    out, i = args
    import papermill

    from crmmine.report import runner

    papermill.execute_notebook = _fake_execute
    runner._input_summary = lambda *a, **k: {"first_date": "2010-12-01", "last_date": "2011-12-09"}
    try:
        r = run_report(OK, parameters={"top_n": 3}, out=out)
        return r.status
    except Exception as exc:  # noqa: BLE001 - the test reports every failure
        return f"{type(exc).__name__}: {exc}"


def test_48_concurrent_runs_into_one_out_all_succeed(tmp_path):
    ctx = mp.get_context("fork")
    with ctx.Pool(12) as pool:
        statuses = pool.map(_one_run, [(tmp_path, i) for i in range(48)])
    assert statuses == ["ok"] * 48, [s for s in statuses if s != "ok"][:3]
    runs = list_runs(tmp_path)
    assert len(runs) == 48 and {r["status"] for r in runs} == {"ok"}
    assert len({r["run_id"] for r in runs}) == 48
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert index.count('<tr class="ok">') == 48
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(_TMP_PREFIX)]


def test_a_dead_run_shows_as_killed_in_the_index(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    tmp = tmp_path / "ok" / f"{_TMP_PREFIX}20260101T000000Z-dead"
    tmp.mkdir(parents=True)
    (tmp / _OWNER_FILE).write_text(json.dumps({"pid": proc.pid, "host": os.uname().nodename}))
    (tmp / "manifest.json").write_text(json.dumps({"report": "ok", "run_id": "20260101T000000Z-dead",
                                                   "status": "running"}))
    assert [r["status"] for r in list_runs(tmp_path)] == ["killed"]
    assert '<tr class="killed">' in write_index(tmp_path).read_text(encoding="utf-8")


def test_a_disk_full_run_is_marked_failed_with_its_reason(tmp_path, monkeypatch):
    import papermill

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(papermill, "execute_notebook", full)
    with pytest.raises(ReportError, match="No space left on device") as info:
        run_report(OK, parameters={"top_n": 3}, out=tmp_path)
    result = info.value.result
    assert result.status == "failed" and result.path.name.endswith(".failed")
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert manifest["status"] == "failed" and "No space left" in manifest["error"]
    assert not list((tmp_path / "ok").glob(f"{_TMP_PREFIX}*"))
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "No space left on device" in index and '<tr class="failed">' in index


def test_index_lists_headlines_in_the_run_language(tmp_path, monkeypatch):
    import papermill

    def fake(input_path, output_path, **kwargs):
        _fake_execute(input_path, output_path)
        run_dir = Path(kwargs["cwd"])
        (run_dir / "headline.json").write_text(json.dumps(["<b>1,000</b> customers"]))

    monkeypatch.setattr(papermill, "execute_notebook", fake)
    run_report(OK, parameters={"top_n": 3, "lang": "zh"}, out=tmp_path)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in page and "成功" in page and "报告" in page
    assert "&lt;b&gt;1,000&lt;/b&gt; customers" in page


def test_artefacts_are_readable_by_others(tmp_path):
    old = os.umask(0o022)
    try:
        files = crmmine.write_table(crmmine.datasets.load_online_retail_sample().head(), tmp_path, "lines")
    finally:
        os.umask(old)
    for p in files.values():
        assert stat.S_IMODE(p.stat().st_mode) == 0o644


# --------------------------------------------------------------------------- dates against the data
INPUT = {"first_date": "2010-12-01", "last_date": "2011-12-09"}


@pytest.mark.parametrize(("values", "message"), [
    ({"as_of": "2030-01-01"}, r"The 'as_of' parameter of x must be between 2010-12-02 and 2011-12-10 .* Got '2030"),
    ({"as_of": "2009-01-01"}, "The 'as_of' parameter of x must be between"),
    ({"cutoff": "2011-12-01", "horizon_days": 90}, r"The 'cutoff' parameter of x must be between 2011-03-01 and "
                                                    r"2011-09-10 .*90 days each side"),
    ({"cutoff": "2010-11-01"}, "The 'cutoff' parameter of x must be between 2010-12-01 and 2011-12-09"),
])
def test_dates_outside_the_data_are_rejected(values, message):
    with pytest.raises(ParameterError, match=message):
        check_dates(values, INPUT, where="x")


def test_dates_inside_the_data_pass():
    check_dates({"as_of": "2011-12-10", "cutoff": "2011-09-01", "horizon_days": 90}, INPUT)
    check_dates({"as_of": None, "cutoff": "none"}, INPUT)


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "crmmine", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_date_outside_the_data_exits_2_before_any_kernel(tmp_path):
    r = _cli("report", "segments", "--as-of", "2030-01-01", "--out", str(tmp_path / "out"))
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "The 'as_of' parameter of segment_report.ipynb must be between" in lines[0]
    assert not (tmp_path / "out" / "segments").exists()
    assert "+nan%" not in r.stdout + r.stderr


def test_cli_report_name_help_lists_its_parameters():
    r = _cli("report", "crosssell", "--help")
    assert r.returncode == 0, r.stderr
    assert "min_support" in r.stdout and "default None" in r.stdout and "skip_rules" in r.stdout
    assert "choose it from the data" in r.stdout
    both = _cli("report", "segments", "churn", "--help")
    assert "n_clusters" in both.stdout and "horizon_days" in both.stdout
    plain = _cli("report", "--help")
    assert plain.returncode == 0 and "--as-of" in plain.stdout and "NAME --help" in plain.stdout


def test_cli_bad_skip_rule_exits_2():
    r = _cli("report", "segments", "--skip-rules", "nonsense")
    assert r.returncode == 2 and "The 'skip_rules' parameter must name rules among" in r.stderr


def test_cli_runs_two_reports_with_a_line_each(tmp_path, monkeypatch):
    from crmmine.cli import main

    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", _fake_execute)
    out = tmp_path / "out"
    code = main(["report", str(OK), str(FIXTURES / "ok_report.ipynb"), "--out", str(out)])
    assert code == 0
    runs = list_runs(out)
    assert len(runs) == 1  # the same notebook named twice runs once


def test_cli_prints_start_and_end_lines(tmp_path, monkeypatch, capsys):
    from crmmine.cli import main

    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", _fake_execute)
    code = main(["report", str(OK), "--out", str(tmp_path / "out"), "-p", "top_n=3"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "ok: started (1/1)"
    assert out[1].startswith("ok: ok in ") and " s -> " in out[1] and out[1].endswith("report.html")
    assert out[-1].startswith("all 1 report(s) ok in ")


def test_a_horizon_longer_than_the_data_is_named():
    with pytest.raises(ParameterError, match=r"The 'horizon_days' parameter of x \(90\) needs more than 180 days .* "
                                             r"-p horizon_days=4") as info:
        check_dates({"cutoff": None, "horizon_days": 90}, {"first_date": "2011-11-27", "last_date": "2011-12-09"},
                    where="x")
    assert info.value.parameter == "horizon_days"


def test_report_all_on_two_weeks_runs_what_the_data_support(tmp_path, monkeypatch):
    import pandas as pd

    from crmmine.report import runner

    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", _fake_execute)
    raw = pd.read_csv(crmmine.datasets.online_retail_sample_path(), dtype=str)
    d = pd.to_datetime(raw["InvoiceDate"])
    short = tmp_path / "two_weeks.csv"
    raw[d >= d.max() - pd.Timedelta(days=13)].to_csv(short, index=False)
    events = []
    with pytest.raises(ReportError, match="The churn report cannot run on these data: The 'horizon_days'") as info:
        runner.run_reports(["segments", "churn"], parameters={"data_path": str(short)}, out=tmp_path / "out",
                           progress=lambda e, n, i: events.append((e, n)))
    assert ("skipped", "churn") in events and ("end", "segments") in events
    assert [r.status if r else None for r in info.value.results] == [None, "ok"]


@pytest.mark.slow
def test_two_weeks_of_data_give_segment_and_crosssell_reports(tmp_path):
    import pandas as pd

    from crmmine.report import run_reports

    raw = pd.read_csv(crmmine.datasets.online_retail_sample_path(), dtype=str)
    d = pd.to_datetime(raw["InvoiceDate"])
    short = tmp_path / "two_weeks.csv"
    raw[d >= d.max() - pd.Timedelta(days=13)].to_csv(short, index=False)
    runs = run_reports(["segments", "crosssell"], parameters={"data_path": str(short)}, out=tmp_path / "out")
    assert [r.status for r in runs] == ["ok", "ok"]
    for run in runs:
        html = run.html.read_text(encoding="utf-8")
        assert "Skipped:" in html and "days of history" in html, run.report
        assert "+nan%" not in html and "nan%" not in html


def test_reports_run_in_parallel_jobs(tmp_path, monkeypatch):
    from crmmine.report import run_reports

    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", _fake_execute)
    runs = run_reports([OK, OK, OK], parameters={"top_n": 3}, out=tmp_path, jobs=2)
    assert [r.status for r in runs] == ["ok", "ok", "ok"] and len({r.run_id for r in runs}) == 3
    assert len(list_runs(tmp_path)) == 3
    with pytest.raises(ParameterError, match="The 'jobs' parameter must be"):
        run_reports([OK], out=tmp_path, jobs=0)


def test_a_run_id_drawn_twice_never_lands_on_a_finished_run(tmp_path, monkeypatch):
    # two runs in the same second may draw the same 4 hex digits; the first has already left its temporary
    # folder, so only the final names can tell the second that the id is taken (it once failed with
    # "Directory not empty" when renaming into the first run's folder)
    import papermill

    from crmmine.report import runner

    monkeypatch.setattr(papermill, "execute_notebook", _fake_execute)
    monkeypatch.setattr(runner, "_input_summary", lambda *a, **k: {"first_date": "2010-12-01",
                                                                      "last_date": "2011-12-09"})
    ids = iter(["20260101T000000Z-aaaa", "20260101T000000Z-aaaa", "20260101T000000Z-bbbb"])
    monkeypatch.setattr(runner, "_new_run_id", lambda started: next(ids))
    first = run_report(OK, parameters={"top_n": 3}, out=tmp_path)
    second = run_report(OK, parameters={"top_n": 3}, out=tmp_path)
    assert (first.run_id, second.run_id) == ("20260101T000000Z-aaaa", "20260101T000000Z-bbbb")
    assert first.status == second.status == "ok"
    assert not (first.path / _OWNER_FILE).exists() and not (second.path / _OWNER_FILE).exists()
