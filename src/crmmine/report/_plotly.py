"""A plotly renderer for report notebooks: offline HTML, plotly.js embedded once per notebook.

With plotly >= 6 the default notebook output is the plotly mimetype, which nbconvert's HTML
export drops, so figures vanish from an exported report. plotly's own ``"notebook"`` renderer
emits HTML, but every figure also loads MathJax from a CDN. This renderer emits, for each
figure, a ``<div>`` and the ``Plotly.newPlot`` call only (no network), and when it is
activated, once, a ``<script>`` holding plotly.js itself.
"""

from __future__ import annotations

from plotly.io._base_renderers import MimetypeRenderer

__all__ = ["OfflineHtmlRenderer", "RENDERER_NAME"]

#: Name under which :func:`crmmine.report.init_notebook` registers the renderer.
RENDERER_NAME = "crmmine_offline"


class OfflineHtmlRenderer(MimetypeRenderer):
    """Figures as ``text/html`` without plotly.js; plotly.js displayed once on activation.

    Parameters
    ----------
    config : dict, optional
        plotly.js config (e.g. ``{"displaylogo": False}``).
    height : int, default=480
        Figure height in pixels when the figure sets none.
    """

    def __init__(self, config=None, height=480):
        self.config = dict(config) if config else {"displaylogo": False, "responsive": True}
        self.height = height

    def activate(self):
        """Display plotly.js (the whole bundle, offline) once, before the first figure."""
        from IPython.display import display_html
        from plotly.offline import get_plotlyjs

        display_html(
            "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>\n"
            f"<script type=\"text/javascript\">{get_plotlyjs()}</script>",
            raw=True,
        )

    def to_mimebundle(self, fig_dict):
        """The figure as an HTML ``<div>`` plus its ``Plotly.newPlot`` call."""
        from plotly.io import to_html

        html = to_html(fig_dict, config=self.config, include_plotlyjs=False, include_mathjax=False,
                       full_html=False, default_width="100%", default_height=self.height, validate=False)
        return {"text/html": html}
