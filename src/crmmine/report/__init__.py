"""Report notebooks and the runner behind ``crmmine report``.

Report notebooks call :func:`init_notebook` in their first cell after the parameters, so
that plotly figures are embedded as HTML (they survive nbconvert's HTML export, offline, with
plotly.js embedded once) and labels come in the report's language. :func:`run_report` executes
a notebook with papermill into ``OUT/<report>/<run-id>/`` (HTML, executed notebook, artefacts,
manifest), atomically. Nothing happens on import.
"""

from __future__ import annotations

from .actions import (
    WINBACK_TIERS,
    basket_note,
    choose_min_support,
    contact_list,
    customer_offers,
    item_text,
    name_rule_items,
    oversized_sizes,
    report_baskets,
    rule_sides,
    summarise_winback_actions,
    support_note,
    winback_actions,
    winback_intro,
)
from .html import export_html
from .present import (
    PRESET_CURRENCY,
    column_label,
    escape,
    evaluation_cutoff,
    feature_label,
    files_table,
    format_money,
    format_percent,
    headline,
    history_window,
    importance_text,
    lines_before,
    load_data,
    reconcile_at_risk,
    readable_features,
    report_currency,
    run_summary,
    sample_lines,
    show,
    skipped_text,
    table,
)
from .runner import (
    REPORTS,
    RunResult,
    latest_run,
    list_runs,
    notebook_dir,
    notebook_parameters,
    parse_parameter_value,
    prepare_parameters,
    resolve_notebook,
    run_report,
    run_reports,
    write_index,
)

__all__ = [
    # presenting results to people (crmmine.report.present, crmmine.report.actions)
    "PRESET_CURRENCY",
    "WINBACK_TIERS",
    "basket_note",
    "choose_min_support",
    "column_label",
    "contact_list",
    "customer_offers",
    "escape",
    "evaluation_cutoff",
    "feature_label",
    "files_table",
    "format_money",
    "format_percent",
    "headline",
    "history_window",
    "importance_text",
    "item_text",
    "lines_before",
    "load_data",
    "name_rule_items",
    "reconcile_at_risk",
    "readable_features",
    "report_currency",
    "oversized_sizes",
    "report_baskets",
    "rule_sides",
    "run_summary",
    "sample_lines",
    "show",
    "skipped_text",
    "summarise_winback_actions",
    "support_note",
    "table",
    "winback_actions",
    "winback_intro",
    # runner
    "REPORTS",
    "RunResult",
    "export_html",
    "init_notebook",
    "latest_run",
    "list_runs",
    "notebook_dir",
    "notebook_parameters",
    "parse_parameter_value",
    "prepare_parameters",
    "resolve_notebook",
    "run_report",
    "run_reports",
    "write_index",
]


def init_notebook(lang: str = "en") -> None:
    """Prepare a report notebook: plotly figures rendered as offline HTML, labels in ``lang``.

    Registers the renderer :class:`crmmine.report._plotly.OfflineHtmlRenderer` as plotly's
    default: every figure becomes a ``text/html`` output (which nbconvert keeps; plotly >= 6's
    default mimetype output is dropped from nbconvert's HTML), and plotly.js itself is
    displayed once, before the first figure, so an exported report works offline and carries
    plotly.js once however many figures it has.

    Parameters
    ----------
    lang : {"en", "zh"}, default="en"
        Language of every label (see :mod:`crmmine.text.labels`).
    """
    import plotly.io as pio

    from ..text.labels import set_language
    from ._plotly import RENDERER_NAME, OfflineHtmlRenderer

    set_language(lang)
    if pio.renderers.default != RENDERER_NAME:
        pio.renderers[RENDERER_NAME] = OfflineHtmlRenderer()
        pio.renderers.default = RENDERER_NAME
