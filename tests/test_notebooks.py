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
@pytest.mark.parametrize("nb", [p for p in NOTEBOOKS if p.stem.endswith("_report")],
                         ids=[p.stem for p in NOTEBOOKS if p.stem.endswith("_report")])
def test_report_notebook_runs_on_full_real_file(nb, tmp_path, online_retail_path):
    declared = papermill.inspect_notebook(str(nb))
    assert "data_path" in declared, f"{nb.name} has no data_path parameter"
    _run(nb, tmp_path, data_path=str(online_retail_path))
