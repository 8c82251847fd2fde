"""Every report notebook in notebooks/ runs top to bottom through papermill (a real Jupyter kernel).

On the bundled sample with its default parameters, and (slow) on the full real Online Retail file.
A notebook with an ``output_dir`` parameter must write at least one CSV and Parquet artefact there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

papermill = pytest.importorskip("papermill")

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
# report notebooks that read a behaviour-event log, not transactions (run on the Taobao events below)
EVENT_NOTEBOOKS = {"behaviour_report"}
TX_REPORTS = [p for p in NOTEBOOKS if p.stem.endswith("_report") and p.stem not in EVENT_NOTEBOOKS]


def _run(nb: Path, tmp_path: Path, **params) -> Path:
    declared = papermill.inspect_notebook(str(nb))
    if "output_dir" in declared:
        params["output_dir"] = str(tmp_path / "artifacts")
    out = tmp_path / nb.name
    papermill.execute_notebook(str(nb), str(out), parameters=params, kernel_name="python3", cwd=str(tmp_path),
                               progress_bar=False)
    if "output_dir" in declared:
        csv = sorted((tmp_path / "artifacts").glob("*.csv"))
        assert csv, f"{nb.name} wrote no CSV artefact"
        assert all(p.with_suffix(".parquet").exists() for p in csv)
    return out


def test_notebooks_exist():
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOK_DIR}"


@pytest.mark.slow
@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_on_sample(nb, tmp_path):
    _run(nb, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("nb", TX_REPORTS, ids=[p.stem for p in TX_REPORTS])
def test_report_notebook_runs_on_full_real_file(nb, tmp_path, online_retail_path):
    declared = papermill.inspect_notebook(str(nb))
    assert "data_path" in declared, f"{nb.name} has no data_path parameter"
    _run(nb, tmp_path, data_path=str(online_retail_path))


def test_behaviour_report_smoke(tmp_path):
    """The behaviour report on a small generated log (a few hundred visitors), with small parameters."""
    import crmmine

    events, _ = crmmine.datasets.make_events(600, days=14, random_state=11)
    log = tmp_path / "events.csv"
    events.drop(columns="source_line").to_csv(log, index=False)
    out = _run(NOTEBOOK_DIR / "behaviour_report.ipynb", tmp_path, data_path=str(log), top_n=3, min_support=0.01)
    art = tmp_path / "artifacts"
    for name in ("prospects", "abandoned_carts", "funnel_dropouts", "propensity_metrics", "funnel", "event_audit"):
        assert (art / f"{name}.csv").exists(), name
    assert "Propensity model" in out.read_text(encoding="utf-8")


@pytest.mark.slow
def test_behaviour_report_on_the_real_taobao_log(tmp_path, taobao_path):
    """The Taobao head file (its last line cut off) through the report, in Chinese."""
    import pandas as pd

    out = _run(NOTEBOOK_DIR / "behaviour_report.ipynb", tmp_path, data_path=str(taobao_path), schema="taobao",
               lang="zh")
    text = out.read_text(encoding="utf-8")
    assert "文件末尾被截断的行" in text and "购买倾向模型" in text
    audit = pd.read_csv(tmp_path / "artifacts" / "event_audit.csv").set_index("rule")["lines"]
    assert audit["truncated_line"] == 1 and audit["input"] == 84_476
    prospects = pd.read_csv(tmp_path / "artifacts" / "prospects.csv")
    assert len(prospects) > 100 and prospects["reason"].str.contains("类目").all()
    assert len(pd.read_csv(tmp_path / "artifacts" / "abandoned_carts.csv")) > 1000
