"""Report notebooks and the runner behind ``crmmine report``.

Report notebooks call :func:`init_notebook` in their first cell after the parameters, so
that plotly figures are embedded as HTML (they survive nbconvert's HTML export, offline)
and labels come in the report's language. Nothing happens on import.
"""

from __future__ import annotations

__all__ = ["init_notebook"]


def init_notebook(lang: str = "en") -> None:
    """Prepare a report notebook: plotly figures rendered as embedded HTML, labels in ``lang``.

    Parameters
    ----------
    lang : {"en", "zh"}, default="en"
        Language of every label (see :mod:`crmmine.labels`).
    """
    import plotly.io as pio

    from ..labels import set_language

    set_language(lang)
    # "notebook" emits text/html carrying plotly.js once (offline), which nbconvert keeps;
    # the plotly mimetype alone is dropped from nbconvert's HTML with plotly >= 6.
    pio.renderers.default = "notebook"
