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
    "rules.antecedents": {"en": "If bought", "zh": "若购买"},
    "rules.consequents": {"en": "Then also bought", "zh": "则也购买"},
    "rules.support": {"en": "Support", "zh": "支持度"},
    "rules.confidence": {"en": "Confidence", "zh": "置信度"},
    "rules.lift": {"en": "Lift", "zh": "提升度"},
    "rules.count": {"en": "Orders with both", "zh": "同时购买的订单数"},
    "rules.item": {"en": "Item", "zh": "商品"},
    "rules.itemset": {"en": "Itemset", "zh": "项集"},
    "rules.finding": {
        "en": ("{n_rules} rules come from {n_itemsets} frequent itemsets in {n_orders} orders (support at least "
               "{support}, confidence at least {confidence}); the strongest by lift is {rule}: lift {lift}, "
               "confidence {rule_confidence}, in {count} orders."),
        "zh": ("在 {n_orders} 个订单中（支持度不低于 {support}，置信度不低于 {confidence}），{n_itemsets} 个频繁项集"
               "产生 {n_rules} 条规则；提升度最高的是 {rule}：提升度 {lift}，置信度 {rule_confidence}，"
               "出现在 {count} 个订单中。"),
    },
    "rules.finding_none": {
        "en": ("No rule reaches support {support} and confidence {confidence} in {n_orders} orders; lower the "
               "thresholds."),
        "zh": "在 {n_orders} 个订单中没有规则达到支持度 {support} 和置信度 {confidence}；请降低阈值。",
    },
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
