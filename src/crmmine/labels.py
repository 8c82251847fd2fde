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
    "reco.finding.evaluation_better": {
        "en": "On {n} customers who bought something new after {cutoff}, the rules' top {k} held an item they then bought for {rules_hit} of them, better than the most-popular baseline's {popular_hit} (precision@{k} {rules_prec} vs {popular_prec}; the rules reached {coverage} of these customers).",
        "zh": "在 {cutoff} 之后购买了新商品的 {n} 位客户中，规则推荐的前 {k} 项命中了 {rules_hit} 的客户，优于热门商品基线的 {popular_hit}（precision@{k}：{rules_prec} 对 {popular_prec}；规则覆盖了其中 {coverage} 的客户）。",
    },
    "reco.finding.evaluation_worse": {
        "en": "On {n} customers who bought something new after {cutoff}, the rules' top {k} held an item they then bought for {rules_hit} of them, worse than the most-popular baseline's {popular_hit} (precision@{k} {rules_prec} vs {popular_prec}; the rules reached {coverage} of these customers).",
        "zh": "在 {cutoff} 之后购买了新商品的 {n} 位客户中，规则推荐的前 {k} 项命中了 {rules_hit} 的客户，不如热门商品基线的 {popular_hit}（precision@{k}：{rules_prec} 对 {popular_prec}；规则覆盖了其中 {coverage} 的客户）。",
    },
    "reco.finding.evaluation_same": {
        "en": "On {n} customers who bought something new after {cutoff}, the rules' top {k} held an item they then bought for {rules_hit} of them, about the same as the most-popular baseline's {popular_hit} (precision@{k} {rules_prec} vs {popular_prec}; the rules reached {coverage} of these customers).",
        "zh": "在 {cutoff} 之后购买了新商品的 {n} 位客户中，规则推荐的前 {k} 项命中了 {rules_hit} 的客户，与热门商品基线的 {popular_hit} 大致相同（precision@{k}：{rules_prec} 对 {popular_prec}；规则覆盖了其中 {coverage} 的客户）。",
    },
    "reco.finding.no_items": {
        "en": "The data hold no purchase, so there is nothing to count.",
        "zh": "数据中没有购买记录，无可统计。",
    },
    "reco.finding.no_bought_together": {
        "en": "No product is the sole antecedent of a rule, so there is no 'bought together' suggestion; lower min_support or min_confidence.",
        "zh": "没有商品单独构成规则的前项，因此没有“经常一起购买”的推荐；请降低 min_support 或 min_confidence。",
    },
    "reco.finding.items": {
        "en": "The most frequent item, {item}, is in {share} of the {n_orders} orders; the top {k} items are each in at least {min_share}.",
        "zh": "最常见的商品 {item} 出现在 {n_orders} 个订单中的 {share}；前 {k} 个商品各自至少出现在 {min_share} 的订单中。",
    },
    "reco.finding.recommendations": {
        "en": "{n_customers} of {n_all} customers ({share}) get at least one recommendation, {per} on average; the expected extra revenue (confidence x typical line value) totals {total}.",
        "zh": "{n_all} 位客户中有 {n_customers} 位（{share}）至少获得一条推荐，平均 {per} 条；预期额外收入（置信度 x 典型单行金额）合计 {total}。",
    },
    "reco.finding.bought_together": {
        "en": "{n_products} products have a 'bought together' suggestion; the most confident is {rule} (confidence {confidence}).",
        "zh": "{n_products} 个商品有“经常一起购买”的推荐；置信度最高的是 {rule}（置信度 {confidence}）。",
    },
    "reco.heading.report": {"en": "Cross-sell report", "zh": "交叉销售报告"},
    "reco.heading.items": {"en": "What sells", "zh": "畅销商品"},
    "reco.heading.rules": {"en": "Association rules", "zh": "关联规则"},
    "reco.heading.bought_together": {"en": "Frequently bought together", "zh": "经常一起购买"},
    "reco.heading.recommendations": {"en": "Recommendations per customer", "zh": "每位客户的推荐"},
    "reco.heading.evaluation": {"en": "Do the rules beat the most popular items?", "zh": "规则是否优于热门商品？"},
    "reco.title.rules_scatter": {"en": "Rules: support vs confidence (colour: lift)", "zh": "规则：支持度与置信度（颜色：提升度）"},
    "reco.title.rule_matrix": {"en": "Rule matrix: antecedent x consequent (colour: lift)", "zh": "规则矩阵：前项 x 后项（颜色：提升度）"},
    "reco.title.rule_network": {"en": "Top rules as a network", "zh": "主要规则网络图"},
    "reco.title.item_frequency": {"en": "Most frequent items", "zh": "最常购买的商品"},
    "reco.title.evaluation": {"en": "Rules vs most-popular baseline on the test window", "zh": "测试期内规则与热门基线的对比"},
    "reco.axis.support": {"en": "Support", "zh": "支持度"},
    "reco.axis.confidence": {"en": "Confidence", "zh": "置信度"},
    "reco.axis.lift": {"en": "Lift", "zh": "提升度"},
    "reco.axis.antecedents": {"en": "Antecedent (if bought)", "zh": "前项（若购买）"},
    "reco.axis.consequents": {"en": "Consequent (then also)", "zh": "后项（则也购买）"},
    "reco.axis.item": {"en": "Item", "zh": "商品"},
    "reco.axis.share_of_orders": {"en": "Share of orders", "zh": "订单占比"},
    "reco.axis.metric": {"en": "Metric", "zh": "指标"},
    "reco.axis.value": {"en": "Value", "zh": "数值"},
    "reco.recommender.rules": {"en": "Association rules", "zh": "关联规则"},
    "reco.recommender.popular": {"en": "Most popular (baseline)", "zh": "最热门（基线）"},
    "reco.metric.hit_rate": {"en": "Hit rate", "zh": "命中率"},
    "reco.metric.precision_at_k": {"en": "Precision@K", "zh": "Precision@K"},
    "reco.metric.recall_at_k": {"en": "Recall@K", "zh": "Recall@K"},
    "reco.metric.coverage": {"en": "Customer coverage", "zh": "客户覆盖率"},
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
