"""The course edition: every worksheet in notebooks/course runs through papermill in English and Chinese,
as the student's version (answers hidden) and the teacher's (answers computed from the data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

COURSE = Path(__file__).resolve().parents[1] / "notebooks" / "course"
SHEETS = sorted(COURSE.glob("*.ipynb"))
CONCEPTS = ("customer_value", "customer_states", "loyalty_types", "satisfaction_loyalty", "rfm_eight_classes",
            "segmentation", "market_baskets", "churn_winback", "prospects")


def test_a_worksheet_per_concept():
    names = {p.stem.split("_", 1)[1] for p in SHEETS}
    assert names == set(CONCEPTS)


@pytest.mark.parametrize("sheet", SHEETS, ids=[p.stem for p in SHEETS])
def test_worksheet_shape(sheet):
    nb = json.loads(sheet.read_text(encoding="utf-8"))
    first = nb["cells"][0]
    assert "parameters" in first["metadata"].get("tags", [])
    src = "".join(first["source"])
    assert 'lang = "en"' in src and "answers = False" in src
    for cell in nb["cells"]:
        assert not cell.get("outputs"), f"{sheet.name} is committed with outputs"
        text = "".join(cell["source"])
        assert "def " not in text and "class " not in text
    ids = [c["id"] for c in nb["cells"]]
    assert {"params", "setup", "questions", "answers"} <= set(ids)


def test_worksheet_words_exist_in_both_languages():
    from crmmine.text.labels import LABELS

    keys = [k for k in LABELS if k.startswith("course.")]
    assert len(keys) > 100
    assert all(LABELS[k].get("en") and LABELS[k].get("zh") for k in keys)


@pytest.mark.slow
@pytest.mark.parametrize("answers", [False, True], ids=["student", "teacher"])
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("sheet", SHEETS, ids=[p.stem for p in SHEETS])
def test_worksheet_runs(sheet, lang, answers, tmp_path):
    papermill = pytest.importorskip("papermill")
    import nbformat

    out = tmp_path / sheet.name
    papermill.execute_notebook(str(sheet), str(out), parameters={"lang": lang, "answers": answers},
                               kernel_name="python3", cwd=str(tmp_path), progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    cell = next(c for c in nb.cells if c.get("id") == "answers")
    text = "".join(o.get("data", {}).get("text/markdown", "") for o in cell.outputs)
    from crmmine.text.labels import label

    if answers:
        assert text.startswith("## " + label("course.answers", lang)) and "\n3. " in text
    else:
        assert text == label("course.answers_hidden", lang)
