"""Every user-facing label in one place: segment names, axis titles, report headings.

Reports can be produced in English (``"en"``) and Chinese (``"zh"``). Code never writes
a user-facing string literal; it asks :func:`label` for it::

    >>> from crmmine.labels import label
    >>> label("axis.revenue")
    'Revenue'
    >>> label("axis.revenue", lang="zh")
    '收入'

A key missing in a language falls back to English; a key missing in English is an error
(a test checks that every key has both languages).
"""

from __future__ import annotations

from .errors import ParameterError

__all__ = ["LANGUAGES", "LABELS", "label", "set_language", "get_language"]

LANGUAGES: tuple[str, ...] = ("en", "zh")

# Keys are dotted: "<area>.<name>". Add keys in the section of your module, both languages.
LABELS: dict[str, dict[str, str]] = {
    # --- general axes -------------------------------------------------------
    "axis.revenue": {"en": "Revenue", "zh": "收入"},
    "axis.customers": {"en": "Customers", "zh": "客户数"},
    "axis.orders": {"en": "Orders", "zh": "订单数"},
    "axis.date": {"en": "Date", "zh": "日期"},
    "axis.count": {"en": "Count", "zh": "数量"},
    # --- cleaning audit (crmmine.clean) -------------------------------------
    "audit.input": {"en": "Input lines", "zh": "输入行"},
    "audit.kept": {"en": "Kept (clean)", "zh": "保留（干净）"},
    "audit.returns": {"en": "Returns and cancellations", "zh": "退货与取消"},
    "reason.unparseable_date": {"en": "Unparseable date", "zh": "日期无法解析"},
    "reason.unparseable_number": {"en": "Unreadable quantity, price or amount", "zh": "数量、价格或金额无法读取"},
    "reason.missing_customer_id": {"en": "Missing customer id (guest line)", "zh": "缺少客户ID（访客行）"},
    "reason.duplicate": {"en": "Exact duplicate line", "zh": "完全重复的行"},
    "reason.non_product_code": {"en": "Non-product code (postage, fees, adjustments)", "zh": "非商品代码（邮费、手续费、调整）"},
    "reason.non_positive_price": {"en": "Zero or negative price", "zh": "价格为零或负数"},
    "reason.extreme_value": {"en": "Extreme quantity or price", "zh": "数量或价格异常"},
    "reason.return": {"en": "Return or cancellation", "zh": "退货或取消"},
    # --- customer value (customers, rfm, lifecycle, cohorts, segment) 
    # (end of section: customer value)
    # --- clv (BG/NBD, Gamma-Gamma, value decomposition) --------------
    # (end of section: clv)
    # --- cross-sell: baskets and rules -------------------------------
    # (end of section: rules)
    # --- cross-sell: recommendations and evaluation ------------------
    # (end of section: recommend)
    # --- churn and win-back ------------------------------------------
    # (end of section: churn)
    # --- reports (runner, html, explore) -----------------------------
    "report.index.title": {"en": "crmmine report runs", "zh": "crmmine 报告运行记录"},
    "report.index.report": {"en": "Report", "zh": "报告"},
    "report.index.run_id": {"en": "Run", "zh": "运行编号"},
    "report.index.status": {"en": "Status", "zh": "状态"},
    "report.index.started": {"en": "Started (UTC)", "zh": "开始时间（UTC）"},
    "report.index.duration": {"en": "Duration (s)", "zh": "耗时（秒）"},
    "report.index.data": {"en": "Data", "zh": "数据"},
    "report.index.page": {"en": "Page", "zh": "页面"},
    "report.index.open": {"en": "open", "zh": "打开"},
    "report.status.ok": {"en": "ok", "zh": "成功"},
    "report.status.failed": {"en": "failed", "zh": "失败"},
    "report.status.killed": {"en": "killed (incomplete)", "zh": "被终止（不完整）"},
    "report.status.running": {"en": "running", "zh": "运行中"},
    "report.status.interrupted": {"en": "interrupted", "zh": "已中断"},
    # (end of section: reports)
}

_state = {"lang": "en"}


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ParameterError(
            f"The 'lang' parameter must be one of {', '.join(LANGUAGES)}. Got {lang!r} instead."
        )
    return lang


def set_language(lang: str) -> None:
    """Set the language :func:`label` uses when none is given (``"en"`` or ``"zh"``)."""
    _state["lang"] = _check_lang(lang)


def get_language() -> str:
    """The language :func:`label` uses when none is given."""
    return _state["lang"]


def label(key: str, lang: str | None = None, **fmt: object) -> str:
    """The user-facing text for ``key`` in ``lang`` (default: :func:`get_language`).

    Keyword arguments fill ``{placeholders}`` in the text.
    """
    lang = _check_lang(lang) if lang is not None else _state["lang"]
    try:
        entry = LABELS[key]
    except KeyError:
        raise ParameterError(f"No label has the key {key!r}; add it to crmmine/labels.py.") from None
    text = entry.get(lang) or entry["en"]
    return text.format(**fmt) if fmt else text
