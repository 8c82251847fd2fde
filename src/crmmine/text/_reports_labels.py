"""Labels of the reports branch: table columns, run summaries, contact and win-back lists, the index, the CLI."""

LABELS = {
    # --- words and punctuation ------------------------------------------------------------
    "report.yes": {"en": "yes", "zh": "是"},
    "report.no": {"en": "no", "zh": "否"},
    "report.auto": {"en": "automatic", "zh": "自动"},
    "report.none": {"en": "none", "zh": "无"},
    "report.list_join": {"en": "; ", "zh": "；"},
    "report.reason_join": {"en": "; ", "zh": "；"},
    "report.full_stop": {"en": ".", "zh": "。"},
    "report.more_rows": {"en": "The first {shown} of {n} rows; the CSV file has them all.",
                         "zh": "仅显示 {n} 行中的前 {shown} 行；CSV 文件包含全部数据。"},
    # --- what a report was run on ---------------------------------------------------------
    "report.summary.heading": {"en": "Data", "zh": "数据"},
    "report.summary.read": {
        "en": "File {file}: {lines} lines read, {kept} kept ({kept_share} of revenue); {customers} customers, "
              "{orders} orders.",
        "zh": "文件 {file}：读取 {lines} 行，保留 {kept} 行（占收入 {kept_share}）；{customers} 位客户，{orders} 笔订单。"},
    "report.summary.dates": {"en": "Dates from {start} to {end}.", "zh": "日期范围 {start} 至 {end}。"},
    "report.summary.rejected": {"en": "Set aside by cleaning:", "zh": "清洗时剔除："},
    "report.summary.reason": {"en": "{reason}: {lines} lines ({share} of revenue)",
                              "zh": "{reason}：{lines} 行（占收入 {share}）"},
    "report.summary.loud": {
        "en": "Attention: the cleaning rule “{reason}” removed {lines} lines holding {share} of revenue.",
        "zh": "注意：清洗规则“{reason}”剔除了 {lines} 行，占收入的 {share}。"},
    "report.summary.skip_hint": {
        "en": " If these lines are genuine, run the report again with -p skip_rules={rule}.",
        "zh": "如果这些行是真实数据，请加参数 -p skip_rules={rule} 重新运行报告。"},
    "report.summary.as_of": {"en": "Analysis date (as of): {as_of}.", "zh": "分析日期：{as_of}。"},
    "report.summary.parameters": {"en": "Parameters:", "zh": "参数："},
    "report.summary.chosen_support": {
        "en": "Minimum support chosen from the data: {support} of orders (about {items} items are that frequent).",
        "zh": "根据数据选定的最小支持度：订单的 {support}（约 {items} 种商品达到该频率）。"},
    "report.summary.skipped": {
        "en": "Skipped: {section} needs at least {need} days of history before the analysis date; the data have "
              "{have}.",
        "zh": "已跳过：{section}需要分析日期之前至少 {need} 天的历史数据，而数据只有 {have} 天。"},
    "report.summary.currency_none": {
        "en": "Amounts are shown without a currency; give one with -p currency=EUR.",
        "zh": "金额未标注货币；可用 -p currency=CNY 指定。"},
    "report.reconcile": {
        "en": "The RFM segments and the lifecycle states count slipping customers differently: RFM ranks customers "
              "against each other (the least recent fifth scores 1 whatever the gap), while the lifecycle states "
              "compare each customer's silence with how long repeat buyers usually wait between orders. "
              "{rfm} customers are in an RFM at-risk, hibernating or lost segment; {life} are at risk or lost by "
              "their lifecycle state; {both} are both.",
        "zh": "RFM 细分与生命周期状态对“流失中”客户的计数不同：RFM 是客户之间的相对排名（最久未购买的五分之一得 1 分，"
              "无论间隔多长），而生命周期状态把每位客户的沉默时间与重复购买客户通常的购买间隔相比较。"
              "{rfm} 位客户处于 RFM 的流失风险、沉睡或已流失细分；{life} 位按生命周期状态有流失风险或已流失；"
              "两者皆是的有 {both} 位。"},
    "report.profile_note": {
        "en": "Customers and orders here count the kept purchase lines of known customers only; crmmine profile "
              "counts every line read (guests, returns and set-aside lines too), so its counts are larger.",
        "zh": "此处的客户数和订单数只计已知客户的保留购买行；crmmine profile 统计读取的每一行（包括访客行、退货和被剔除的行），"
              "因此其计数更大。"},
    # --- section headings added by the reports branch -------------------------------------
    "report.h.contacts": {"en": "Whom to contact, and how", "zh": "联系谁、如何联系"},
    "report.h.offers": {"en": "Offers per customer", "zh": "每位客户的推荐"},
    "report.h.files": {"en": "Files written", "zh": "输出文件"},
    "report.contacts.intro": {
        "en": "Every customer with their segment, why they are in it, the suggested action and their value; the "
              "whole list is the file contact_list.csv (one row per customer) for a campaign tool.",
        "zh": "每位客户的细分、原因、建议行动与价值；完整名单见 contact_list.csv（每位客户一行），可导入营销工具。"},
    "report.offers.intro": {
        "en": "What to offer each customer and the purchase that suggests it; the whole list is the file "
              "offers.csv.",
        "zh": "向每位客户推荐什么、依据哪次购买；完整名单见 offers.csv。"},
    "report.winback.intro": {
        "en": "Tiers are relative to this shop: “win back now” holds the customers with the highest value at risk "
              "(together {share} of it); customers silent for less than half their own usual gap between orders "
              "({days} days for one-time buyers) come after the action tiers, as there is nothing to win back yet. "
              "The whole list is winback.csv.",
        "zh": "分层相对于本店的分布：“立即挽回”包含风险价值最高、合计占 {share} 的客户；沉默时间不到其平时购买间隔一半的客户"
              "（只购买过一次的客户为 {days} 天）排在各行动层级之后，因为尚无需挽回。完整名单见 winback.csv。"},
    "report.file": {"en": "{name}: {what}", "zh": "{name}：{what}"},
    "report.contact.why": {"en": "last order {days} days ago; {orders} orders; spent {spend}",
                           "zh": "上次下单 {days} 天前；{orders} 笔订单；消费 {spend}"},
    "report.winback.summary": {
        "en": "Win back now: {n} customers hold {value} of value at risk ({share} of the {total} at risk).",
        "zh": "立即挽回：{n} 位客户，风险价值 {value}（占全部风险价值 {total} 的 {share}）。"},
    "report.crosssell.intro": {
        "en": "What sells, which products go together (association rules), what to offer each customer, and "
              "whether those offers beat simply offering the best sellers.",
        "zh": "哪些商品畅销、哪些商品常被一起购买（关联规则）、向每位客户推荐什么，以及这些推荐是否优于直接推荐畅销商品。"},
    "churn.tier.recent": {"en": "Bought recently", "zh": "近期刚购买"},
    "report.winback.action.win_back_now": {
        "en": "Contact personally this week: a tailored offer on what they used to buy.",
        "zh": "本周一对一联系：针对其常买商品提供专属优惠。"},
    "report.winback.action.keep_close": {
        "en": "Keep close: thank them, early access, no discount needed.",
        "zh": "重点维护：致谢、抢先体验，无需折扣。"},
    "report.winback.action.low_cost_reactivation": {
        "en": "Low-cost reactivation: an automated email with popular products.",
        "zh": "低成本唤醒：自动邮件推送热门商品。"},
    "report.winback.action.recent": {
        "en": "No win-back yet: they just bought; follow up with recommendations.",
        "zh": "暂不挽回：刚刚购买过；可跟进推荐。"},
    "report.winback.action.other": {"en": "No action now.", "zh": "暂不行动。"},
    # --- column labels --------------------------------------------------------------------
    "column.customer_id": {"en": "Customer", "zh": "客户"},
    "column.customers": {"en": "Customers", "zh": "客户数"},
    "column.customer_share": {"en": "Share of customers", "zh": "客户占比"},
    "column.revenue": {"en": "Revenue", "zh": "收入"},
    "column.revenue_share": {"en": "Share of revenue", "zh": "收入占比"},
    "column.abc_class": {"en": "ABC class", "zh": "ABC 类"},
    "column.rfm_segment": {"en": "RFM segment", "zh": "RFM 细分"},
    "column.rfm_segment_name": {"en": "RFM segment", "zh": "RFM 细分"},
    "column.segment_name": {"en": "Segment", "zh": "细分"},
    "column.name": {"en": "Segment", "zh": "细分"},
    "column.rule": {"en": "Rule (scores)", "zh": "规则（评分）"},
    "column.action": {"en": "Suggested action", "zh": "建议行动"},
    "column.why": {"en": "Why", "zh": "原因"},
    "column.reason": {"en": "Why", "zh": "原因"},
    "column.lifecycle_state": {"en": "Lifecycle state", "zh": "生命周期状态"},
    "column.cluster_name": {"en": "Cluster", "zh": "聚类"},
    "column.cluster": {"en": "Cluster", "zh": "聚类"},
    "column.country": {"en": "Country", "zh": "国家/地区"},
    "column.orders": {"en": "Orders", "zh": "订单数"},
    "column.frequency": {"en": "Orders", "zh": "订单数"},
    "column.total_spend": {"en": "Total spend", "zh": "累计消费"},
    "column.monetary_total": {"en": "Total spend", "zh": "累计消费"},
    "column.monetary_mean": {"en": "Mean order value", "zh": "平均订单金额"},
    "column.recency_days": {"en": "Days since last purchase", "zh": "距上次购买天数"},
    "column.days_since_last_purchase": {"en": "Days since last purchase", "zh": "距上次购买天数"},
    "column.last_purchase": {"en": "Last purchase", "zh": "上次购买"},
    "column.first_purchase": {"en": "First purchase", "zh": "首次购买"},
    "column.tenure_days": {"en": "Days since first purchase", "zh": "距首次购买天数"},
    "column.historical_value": {"en": "Value so far", "zh": "历史价值"},
    "column.predicted_value": {"en": "Predicted value", "zh": "预测价值"},
    "column.predicted_value_share": {"en": "Share of predicted value", "zh": "预测价值占比"},
    "column.potential_value": {"en": "Cross-sell potential", "zh": "交叉销售潜力"},
    "column.total_value": {"en": "Total value", "zh": "总价值"},
    "column.expected_spend": {"en": "Expected spend per order", "zh": "预计每单消费"},
    "column.expected_purchases": {"en": "Expected purchases", "zh": "预计购买次数"},
    "column.probability_alive": {"en": "Chance still active", "zh": "仍活跃的概率"},
    "column.gross_value": {"en": "Purchases", "zh": "购买金额"},
    "column.returns_value": {"en": "Returned", "zh": "退货金额"},
    "column.returns_count": {"en": "Returned lines", "zh": "退货行数"},
    "column.net_value": {"en": "Net value", "zh": "净价值"},
    "column.return_rate": {"en": "Share returned", "zh": "退货占比"},
    "column.value_rank": {"en": "Rank", "zh": "排名"},
    "column.rank": {"en": "Rank", "zh": "排名"},
    "column.threshold": {"en": "Days or orders", "zh": "天数或订单数"},
    "column.at_risk_after_days": {"en": "At risk after (days without an order)", "zh": "有流失风险（未下单天数）"},
    "column.lost_after_days": {"en": "Lost after (days without an order)", "zh": "已流失（未下单天数）"},
    "column.loyal_min_orders": {"en": "Loyal from (orders)", "zh": "忠诚客户（最少订单数）"},
    # cross-sell
    "column.if_bought": {"en": "Customers who buy", "zh": "购买了"},
    "column.then_offer": {"en": "also buy", "zh": "也会购买"},
    "column.support": {"en": "Orders with all items", "zh": "同时包含的订单占比"},
    "column.confidence": {"en": "Confidence", "zh": "置信度"},
    "column.lift": {"en": "Lift", "zh": "提升度"},
    "column.count": {"en": "Orders", "zh": "订单数"},
    "column.item": {"en": "Product", "zh": "商品"},
    "column.item_name": {"en": "Product name", "zh": "商品名称"},
    "column.product_id": {"en": "Product code", "zh": "商品编码"},
    "column.product_name": {"en": "Product name", "zh": "商品名称"},
    "column.offer": {"en": "Offer", "zh": "推荐商品"},
    "column.because_bought": {"en": "Because they bought", "zh": "依据已购商品"},
    "column.score": {"en": "Score", "zh": "得分"},
    "column.recommender.rules": {"en": "Association rules", "zh": "关联规则"},
    "column.recommender.popular": {"en": "Best sellers (baseline)", "zh": "畅销商品（基线）"},
    "column.recommender.item_cf": {"en": "Bought by similar customers (item-based)",
                                   "zh": "相似客户也购买（基于物品的协同过滤）"},
    "column.recommender.hybrid": {"en": "Hybrid (personal + best sellers)", "zh": "混合（个性化 + 畅销商品）"},
    "column.recommender.buy_again": {"en": "Buy again", "zh": "再次购买"},
    "column.recommender.random": {"en": "Random picks (baseline)", "zh": "随机推荐（基线）"},
    "column.recommender": {"en": "Recommender", "zh": "推荐方法"},
    "column.hit_rate": {"en": "Customers with a hit", "zh": "命中客户占比"},
    "column.precision": {"en": "Precision", "zh": "精确率"},
    "column.recall": {"en": "Recall", "zh": "召回率"},
    "column.coverage": {"en": "Customers covered", "zh": "覆盖客户占比"},
    # churn
    "column.p_churn": {"en": "Chance of churn", "zh": "流失概率"},
    "column.value_at_risk": {"en": "Value at risk", "zh": "风险价值"},
    "column.tier_label": {"en": "Tier", "zh": "分层"},
    "column.tier": {"en": "Tier", "zh": "分层"},
    "column.top_reasons": {"en": "Main reasons", "zh": "主要原因"},
    "column.metric": {"en": "Measure", "zh": "指标"},
    "column.roc_auc": {"en": "ROC AUC", "zh": "ROC AUC"},
    "column.pr_auc": {"en": "PR AUC", "zh": "PR AUC"},
    "column.brier": {"en": "Brier score (lower is better)", "zh": "Brier 分数（越低越好）"},
    "column.top_decile_lift": {"en": "Top-decile lift", "zh": "前 10% 提升度"},
    "column.model": {"en": "Model", "zh": "模型"},
    "column.model.model": {"en": "Churn model", "zh": "流失模型"},
    "column.model.recency": {"en": "Days since last purchase (baseline)", "zh": "距上次购买天数（基线）"},
    "column.model.bgnbd": {"en": "BG/NBD P(no purchase) (baseline)", "zh": "BG/NBD 不再购买概率（基线）"},
    "column.k": {"en": "Offers per customer", "zh": "每位客户推荐数"},
    "column.n_customers": {"en": "Customers scored", "zh": "评估客户数"},
    "column.catalog_coverage": {"en": "Products ever offered", "zh": "被推荐过的商品占比"},
    "column.n_cutoffs": {"en": "Time splits", "zh": "时间切分数"},
    "column.cutoffs_beating_popular": {"en": "Splits beating best sellers", "zh": "胜过畅销商品的切分数"},
    "column.precision_at_k": {"en": "Offers bought (precision)", "zh": "推荐被购买的比例（精确率）"},
    "column.recall_at_k": {"en": "New purchases foreseen (recall)", "zh": "新购买被预见的比例（召回率）"},
    "column.net_share": {"en": "Share of net value", "zh": "净价值占比"},
    "column.measure": {"en": "Measure", "zh": "指标"},
    "column.value": {"en": "Value", "zh": "数值"},
    "column.size": {"en": "Customers", "zh": "客户数"},
    "column.share": {"en": "Share of customers", "zh": "客户占比"},
    "column.antecedents": {"en": "Customers who buy", "zh": "购买了"},
    "column.consequents": {"en": "also buy", "zh": "也会购买"},
    "column.segment": {"en": "Segment", "zh": "细分"},
    "column.file": {"en": "File", "zh": "文件"},
    "column.what": {"en": "Contents", "zh": "内容"},
    # --- churn features (the model's inputs) -------------------------------------------------
    "feature.recency_days": {"en": "Days since last purchase", "zh": "距上次购买天数"},
    "feature.frequency": {"en": "Orders", "zh": "订单数"},
    "feature.monetary_total": {"en": "Total spend", "zh": "累计消费"},
    "feature.monetary_mean": {"en": "Spend per order", "zh": "每单消费"},
    "feature.tenure_days": {"en": "Days since first purchase", "zh": "距首次购买天数"},
    "feature.orders_window": {"en": "Orders, last {window} days", "zh": "近 {window} 天订单数"},
    "feature.spend_window": {"en": "Spend, last {window} days", "zh": "近 {window} 天消费"},
    "feature.orders_trend_window": {"en": "Order trend, last {window} days vs the {window} before",
                                    "zh": "订单趋势（近 {window} 天对比之前 {window} 天）"},
    "feature.spend_trend_window": {"en": "Spend trend, last {window} days vs the {window} before",
                                   "zh": "消费趋势（近 {window} 天对比之前 {window} 天）"},
    "feature.ipt_mean_days": {"en": "Mean days between orders", "zh": "平均购买间隔（天）"},
    "feature.ipt_std_days": {"en": "Irregularity of the gaps (days)", "zh": "购买间隔波动（天）"},
    "feature.last_gap_ratio": {"en": "Last gap / usual gap", "zh": "上次间隔与平时间隔之比"},
    "feature.recency_ratio": {"en": "Silence / usual gap", "zh": "沉默时间与平时间隔之比"},
    "feature.returns_count": {"en": "Returned lines", "zh": "退货行数"},
    "feature.returns_value": {"en": "Value returned", "zh": "退货金额"},
    "feature.return_rate": {"en": "Share of value returned", "zh": "退货金额占比"},
    "feature.distinct_products": {"en": "Distinct products", "zh": "购买商品种类数"},
    "feature.p_alive": {"en": "BG/NBD P(alive)", "zh": "BG/NBD 存活概率"},
    "feature.p_no_purchase": {"en": "BG/NBD P(no purchase)", "zh": "BG/NBD 不再购买概率"},
    # --- index ----------------------------------------------------------------------------
    "report.index.findings": {"en": "Headline", "zh": "主要发现"},
    "report.index.reason": {"en": "Reason", "zh": "原因"},
    "report.name.segments": {"en": "Customer segments", "zh": "客户细分"},
    "report.name.crosssell": {"en": "Cross-sell", "zh": "交叉销售"},
    "report.name.churn": {"en": "Churn and win-back", "zh": "流失与挽回"},
    "report.name.behaviour": {"en": "Behaviour and funnels", "zh": "行为与转化漏斗"},
}
