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
    "report.explore.features": {"en": "Features", "zh": "特征"},
    "report.explore.k": {"en": "Segments (k)", "zh": "细分数（k）"},
    "report.explore.need_two_features": {"en": "Choose at least two features.", "zh": "请至少选择两个特征。"},
    "report.explore.segments_title": {"en": "Customer segments", "zh": "客户细分"},
    "report.explore.segments_finding": {
        "en": "{k} segments; the largest, {name}, holds {share} of the customers.",
        "zh": "共 {k} 个细分；最大的细分“{name}”占客户的 {share}。"},
    "report.explore.rules_title": {"en": "Cross-sell rules", "zh": "交叉销售规则"},
    "report.explore.min_support": {"en": "Min support", "zh": "最小支持度"},
    "report.explore.min_confidence": {"en": "Min confidence", "zh": "最小置信度"},
    "report.explore.min_lift": {"en": "Min lift", "zh": "最小提升度"},
    "report.explore.no_rules": {"en": "No rule passes these thresholds (of {n} mined).",
                                "zh": "在已挖掘的 {n} 条规则中，没有规则满足这些阈值。"},
    "report.explore.rules_finding": {"en": "{n} of {total} mined rules pass the thresholds ({orders} orders).",
                                     "zh": "已挖掘的 {total} 条规则中有 {n} 条满足阈值（{orders} 个订单）。"},
    "report.explore.churn_title": {"en": "Churn risk", "zh": "流失风险"},
    "report.explore.horizon": {"en": "Horizon (days)", "zh": "预测期（天）"},
    "report.explore.threshold": {"en": "Risk threshold", "zh": "风险阈值"},
    "report.explore.p_churn": {"en": "P(churn)", "zh": "流失概率"},
    "report.explore.churn_figure": {"en": "P(no purchase in the next {h} days)", "zh": "未来 {h} 天不再购买的概率"},
    "report.explore.churn_finding": {
        "en": "{n} customers ({share}) have a churn risk of at least {threshold} over the next {h} days.",
        "zh": "{n} 位客户（{share}）在未来 {h} 天的流失风险不低于 {threshold}。"},
    "report.explore.customer_title": {"en": "One customer", "zh": "单个客户"},
    "report.explore.customer": {"en": "Customer", "zh": "客户"},
    "report.explore.unknown_customer": {"en": "No customer {customer} in the data.", "zh": "数据中没有客户 {customer}。"},
    "report.explore.customer_figure": {"en": "Monthly spend of customer {customer}", "zh": "客户 {customer} 的月度消费"},
    "report.explore.customer_finding": {
        "en": "Customer {customer}: {state}, predicted value {clv}, segment {segment}, churn risk {risk}; "
              "{n} recommendations.",
        "zh": "客户 {customer}：{state}，预测价值 {clv}，细分 {segment}，流失风险 {risk}；{n} 条推荐。"},
    "report.explore.figure_placeholder": {"en": "plotly figure", "zh": "plotly 图表"},
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
