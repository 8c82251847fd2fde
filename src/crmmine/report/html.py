"""Export an executed notebook as one self-contained HTML page with the code hidden."""

from __future__ import annotations

import copy
import os
import secrets
from pathlib import Path

__all__ = ["export_html", "warm_up"]

_TEMPLATES = Path(__file__).resolve().parent / "templates"


def export_html(notebook, html_path, *, title: str | None = None, include_code: bool = False,
                lang: str | None = None) -> Path:
    """Write ``notebook`` (an executed ``.ipynb``) as a single offline HTML file.

    The page uses JupyterLab's nbconvert template without the scripts that template fetches
    from CDNs (require.js, MathJax, mermaid); the CSS is inlined; plotly.js is in the
    notebook's outputs once (see :func:`crmmine.report.init_notebook`). Error outputs stay
    visible. The file is written beside its destination and renamed into place.

    Parameters
    ----------
    notebook : str, pathlib.Path or dict
        The executed notebook (a file, or a notebook node in memory).
    html_path : str or pathlib.Path
        Where to write the page.
    title : str, optional
        The page title (default: the notebook's file name).
    include_code : bool, default=False
        Show the code cells' input (hidden in reports).
    lang : str, optional
        The page's ``<html lang>`` (default: the notebook's ``lang`` parameter as papermill recorded
        it, else ``"en"``), so that browsers pick CJK fonts for a Chinese report.

    Returns
    -------
    pathlib.Path
        ``html_path``.
    """
    import nbformat

    if isinstance(notebook, dict):  # the executed notebook in memory (the runner passes papermill's result)
        from nbformat.v4.rwbase import rejoin_lines

        nb = rejoin_lines(nbformat.from_dict(copy.deepcopy(notebook)))  # sources as text, as nbformat.read gives
        stem = "notebook"
    else:
        nb = nbformat.read(str(notebook), as_version=4)
        stem = Path(notebook).stem
    if title:
        nb.metadata["title"] = title
    if lang is None:
        lang = nb.metadata.get("papermill", {}).get("parameters", {}).get("lang")
    lang = lang if isinstance(lang, str) and lang else "en"
    # plotly.js (4.7 MB, one output) is set aside while nbconvert renders and parses the page, and put back in
    # the finished text: the page is the same, the export about 3x faster
    scripts = _set_aside_big_scripts(nb)
    body, _ = _exporter(lang, include_code).from_notebook_node(nb, resources={"metadata": {"name": stem}})
    for token, script in scripts.items():
        body = body.replace(token, script, 1)
    html_path = Path(html_path)
    tmp = html_path.with_name(f".{html_path.name}.tmp")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, html_path)
    return html_path


_EXPORTERS: dict = {}
_BIG = 200_000  # characters: an output this long is plotly.js, not a table or a figure's data


def _exporter(lang: str, include_code: bool):
    """One HTML exporter per (language, code shown) and process: its templates are compiled once."""
    key = (lang, bool(include_code))
    if key not in _EXPORTERS:
        from nbconvert import HTMLExporter

        _EXPORTERS[key] = HTMLExporter(
            template_name="lab", language_code=lang, extra_template_paths=[str(_TEMPLATES)],
            template_file="crmmine_report.html.j2", exclude_input=not include_code, exclude_input_prompt=True,
            exclude_output_prompt=True)
    return _EXPORTERS[key]


def warm_up(lang: str = "en") -> None:
    """Import nbconvert and compile the page's templates now (before the runner forks its workers)."""
    exporter = _exporter(lang, False)
    exporter.environment.get_template(exporter.template_file)
    import nbformat

    exporter.from_notebook_node(nbformat.v4.new_notebook(), resources={"metadata": {"name": "warm-up"}})


def _set_aside_big_scripts(nb) -> dict:
    """Replace each very long ``<script>`` HTML output by a short token; ``{token: original text}``."""
    out = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data", {})
            text = data.get("text/html")
            if text is None:
                continue
            text = "".join(text) if isinstance(text, list) else text
            if len(text) > _BIG and text.lstrip().startswith("<script"):
                token = f"<!--crmmine-script-{secrets.token_hex(8)}-->"
                out[token] = text
                data["text/html"] = token
    return out
