"""Export an executed notebook as one self-contained HTML page with the code hidden."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["export_html"]

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
    notebook : str or pathlib.Path
        The executed notebook.
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
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook), as_version=4)
    if title:
        nb.metadata["title"] = title
    if lang is None:
        lang = nb.metadata.get("papermill", {}).get("parameters", {}).get("lang")
    lang = lang if isinstance(lang, str) and lang else "en"
    exporter = HTMLExporter(template_name="lab", language_code=lang, extra_template_paths=[str(_TEMPLATES)],
                            template_file="crmmine_report.html.j2", exclude_input=not include_code,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": Path(notebook).stem}})
    html_path = Path(html_path)
    tmp = html_path.with_name(f".{html_path.name}.tmp")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, html_path)
    return html_path
