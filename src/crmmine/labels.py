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
    "clv.title.distribution": {"en": "Distribution of predicted customer value", "zh": "预测客户价值分布"},
    "clv.title.calibration_holdout": {"en": "Holdout purchases: actual vs predicted (BG/NBD)",
                                      "zh": "验证期购买次数：实际与预测（BG/NBD）"},
    "clv.title.probability_alive": {"en": "Probability that a customer is still active",
                                    "zh": "客户仍然活跃的概率"},
    "clv.title.decomposition": {"en": "Customer value: realised, predicted and potential",
                                "zh": "客户价值：已实现、预测与潜在"},
    "clv.axis.value_group": {"en": "Customers ranked by total value, in {n} equal groups (1 = top)",
                             "zh": "按总价值排序的客户，分为 {n} 个等量组（1 = 最高）"},
    "clv.axis.value": {"en": "Value", "zh": "价值"},
    "clv.axis.customers": {"en": "Customers", "zh": "客户数"},
    "clv.axis.frequency_cal": {"en": "Repeat purchase days in the calibration period",
                               "zh": "校准期内的重复购买天数"},
    "clv.axis.mean_holdout": {"en": "Mean purchase days per customer in the holdout period",
                              "zh": "验证期内每位客户的平均购买天数"},
    "clv.axis.frequency": {"en": "Repeat purchase days (frequency)", "zh": "重复购买天数（频率）"},
    "clv.axis.recency": {"en": "Recency: time from first to last purchase ({unit})",
                         "zh": "最近度：首次到最后一次购买的时间（{unit}）"},
    "clv.unit.D": {"en": "days", "zh": "天"},
    "clv.unit.W": {"en": "weeks", "zh": "周"},
    "clv.unit.M": {"en": "months", "zh": "月"},
    "clv.legend.actual": {"en": "Actual", "zh": "实际"},
    "clv.legend.predicted": {"en": "Predicted", "zh": "预测"},
    "clv.legend.mean": {"en": "Mean", "zh": "均值"},
    "clv.legend.median": {"en": "Median", "zh": "中位数"},
    "clv.historical_value": {"en": "Historical value", "zh": "历史价值"},
    "clv.predicted_value": {"en": "Predicted value", "zh": "预测价值"},
    "clv.potential_value": {"en": "Potential value", "zh": "潜在价值"},
    "clv.total_value": {"en": "Total value", "zh": "总价值"},
    "clv.probability_alive": {"en": "Probability active", "zh": "活跃概率"},
    "clv.expected_purchases": {"en": "Expected purchases", "zh": "预期购买次数"},
    "clv.expected_spend": {"en": "Expected spend per purchase", "zh": "每次购买的预期金额"},
    "clv.customers_n": {"en": "customers: {n}", "zh": "客户：{n}"},
    "clv.finding.concentration": {
        "en": "The top {top_pct:.0f}% of customers by predicted value hold {share_pct:.0f}% of the value predicted "
              "for the next {horizon} days ({total} in total).",
        "zh": "按预测价值排名前 {top_pct:.0f}% 的客户占未来 {horizon} 天预测价值的 {share_pct:.0f}%（合计 {total}）。"},
    "clv.finding.alive": {
        "en": "{alive_pct:.0f}% of customers are more likely active than not (probability active above 50%); "
              "{one_time_pct:.0f}% have bought on a single day so far.",
        "zh": "{alive_pct:.0f}% 的客户更可能仍然活跃（活跃概率高于 50%）；{one_time_pct:.0f}% 的客户至今只在一天购买过。"},
    "clv.finding.split": {
        "en": "Customers have realised {historical} so far; the models expect another {predicted} over the next "
              "{horizon} days (discounted at {rate_pct:.0f}% a year).",
        "zh": "客户至今已实现 {historical}；模型预计未来 {horizon} 天还有 {predicted}（按每年 {rate_pct:.0f}% 折现）。"},
    "clv.finding.holdout": {
        "en": "In the holdout period customers made {actual:,.0f} purchase days against {predicted:,.0f} predicted "
              "({error_pct:+.0f}%).",
        "zh": "验证期内客户共有 {actual:,.0f} 个购买日，预测为 {predicted:,.0f}（{error_pct:+.0f}%）。"},
    # (end of section: clv)
    # --- cross-sell: baskets and rules -------------------------------
    # (end of section: rules)
    # --- cross-sell: recommendations and evaluation ------------------
    # (end of section: recommend)
    # --- churn and win-back ------------------------------------------
    # (end of section: churn)
    # --- reports (runner, html, explore) -----------------------------
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
