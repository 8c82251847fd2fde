"""Every user-facing label in one place: segment names, axis titles, report headings.

Reports can be produced in English (``"en"``) and Chinese (``"zh"``). Code never writes
a user-facing string literal; it asks :func:`label` for it::

    >>> from crmmine.text import label
    >>> label("axis.revenue")
    'Revenue'
    >>> label("axis.revenue", lang="zh")
    '收入'

A key missing in a language falls back to English; a key missing in English is an error
(a test checks that every key has both languages).
"""

from __future__ import annotations

from ..errors import ParameterError
from ..validation import check_choice

__all__ = ["LANGUAGES", "LABELS", "label", "set_language", "get_language", "currency_unit"]

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
    "rfm.segment.champions": {"en": "Champions", "zh": "冠军客户"},
    "rfm.segment.loyal": {"en": "Loyal", "zh": "忠诚客户"},
    "rfm.segment.new": {"en": "New", "zh": "新客户"},
    "rfm.segment.promising": {"en": "Promising", "zh": "有潜力的新客户"},
    "rfm.segment.potential_loyalist": {"en": "Potential loyalist", "zh": "潜在忠诚客户"},
    "rfm.segment.need_attention": {"en": "Need attention", "zh": "需要关注"},
    "rfm.segment.about_to_sleep": {"en": "About to sleep", "zh": "即将沉睡"},
    "rfm.segment.at_risk": {"en": "At risk", "zh": "有流失风险"},
    "rfm.segment.cant_lose_them": {"en": "Can't lose them", "zh": "不能失去的客户"},
    "rfm.segment.hibernating": {"en": "Hibernating", "zh": "沉睡客户"},
    "rfm.segment.lost": {"en": "Lost", "zh": "已流失"},
    "rfm.segment.other": {"en": "Other", "zh": "其他"},
    "rfm.action.champions": {"en": "Reward them: early access, loyalty perks; ask for reviews and referrals.",
                             "zh": "奖励他们：抢先体验、会员礼遇；邀请评价和推荐。"},
    "rfm.action.loyal": {"en": "Upsell higher-value products; invite them to the loyalty programme.",
                         "zh": "向上销售更高价值的商品；邀请加入会员计划。"},
    "rfm.action.new": {"en": "Onboard them: a welcome series that makes the second purchase easy.",
                       "zh": "新客培育：发送欢迎系列，促成第二次购买。"},
    "rfm.action.promising": {"en": "Show them the range: recommendations, samples, a small incentive to return.",
                             "zh": "展示商品范围：推荐、试用装、小额回购激励。"},
    "rfm.action.potential_loyalist": {"en": "Recommend related products; offer membership before they drift.",
                                      "zh": "推荐相关商品；在其流失前提供会员资格。"},
    "rfm.action.need_attention": {"en": "Time-limited offers built on what they bought before.",
                                  "zh": "基于其历史购买的限时优惠。"},
    "rfm.action.about_to_sleep": {"en": "Re-awaken interest: popular products, a modest discount.",
                                  "zh": "重新唤起兴趣：热门商品、适度折扣。"},
    "rfm.action.at_risk": {"en": "Personal win-back messages and offers on what they used to buy.",
                           "zh": "个性化召回信息，针对其常买商品提供优惠。"},
    "rfm.action.cant_lose_them": {"en": "Win them back personally: call or write, ask what went wrong.",
                                  "zh": "一对一挽回：电话或来信，了解问题所在。"},
    "rfm.action.hibernating": {"en": "Low-cost reactivation only; do not overspend.", "zh": "仅做低成本唤醒，避免过度投入。"},
    "rfm.action.lost": {"en": "A cheap broad campaign at most; otherwise stop spending on them.",
                        "zh": "至多做低成本的广泛触达；否则停止投入。"},
    "rfm.action.other": {"en": "Not covered by the segment map; review the rules.", "zh": "未被细分规则覆盖；请检查规则。"},
    "rfm.guide.name": {"en": "Segment", "zh": "细分"},
    "rfm.guide.rule": {"en": "Rule", "zh": "规则"},
    "rfm.guide.action": {"en": "Suggested action", "zh": "建议行动"},
    "lifecycle.state.prospect": {"en": "Not yet a customer", "zh": "尚未成为客户"},
    "lifecycle.state.new": {"en": "New", "zh": "新客户"},
    "lifecycle.state.active": {"en": "Active (repeat)", "zh": "活跃（重复购买）"},
    "lifecycle.state.loyal": {"en": "Loyal", "zh": "忠诚"},
    "lifecycle.state.at_risk": {"en": "At risk", "zh": "有流失风险"},
    "lifecycle.state.lost": {"en": "Lost", "zh": "已流失"},
    "lifecycle.state.all": {"en": "All customers", "zh": "全部客户"},
    "segment.value.high": {"en": "High value", "zh": "高价值"},
    "segment.value.mid": {"en": "Mid value", "zh": "中等价值"},
    "segment.value.low": {"en": "Low value", "zh": "低价值"},
    "segment.frequency.high": {"en": "frequent", "zh": "购买频繁"},
    "segment.frequency.mid": {"en": "occasional", "zh": "偶尔购买"},
    "segment.frequency.low": {"en": "rare", "zh": "很少购买"},
    "segment.recency.low": {"en": "recent", "zh": "近期活跃"},
    "segment.recency.mid": {"en": "cooling", "zh": "活跃度下降"},
    "segment.recency.high": {"en": "lapsed", "zh": "久未购买"},
    "segment.join": {"en": ", ", "zh": "，"},
    "segment.cluster": {"en": "Cluster {i}", "zh": "第{i}类"},
    "segment.tenure.low": {"en": "new", "zh": "新近加入"},
    "segment.qualified": {"en": "{name} ({word})", "zh": "{name}（{word}）"},
    "segment.more.recency_days": {"en": "less recent", "zh": "较久未购买"},
    "segment.less.recency_days": {"en": "more recent", "zh": "较近期购买"},
    "segment.more.frequency": {"en": "more frequent", "zh": "购买较频繁"},
    "segment.less.frequency": {"en": "less frequent", "zh": "购买较少"},
    "segment.more.monetary_mean": {"en": "bigger orders", "zh": "订单金额较高"},
    "segment.less.monetary_mean": {"en": "smaller orders", "zh": "订单金额较低"},
    "segment.more.monetary_total": {"en": "higher spend", "zh": "消费较高"},
    "segment.less.monetary_total": {"en": "lower spend", "zh": "消费较低"},
    "segment.more.tenure_days": {"en": "longer-standing", "zh": "加入较早"},
    "segment.less.tenure_days": {"en": "newer", "zh": "加入较晚"},
    "segment.higher": {"en": "higher {feature}", "zh": "{feature}较高"},
    "segment.lower": {"en": "lower {feature}", "zh": "{feature}较低"},
    "customer.column.recency_days": {"en": "Days since last purchase", "zh": "距上次购买天数"},
    "customer.column.frequency": {"en": "Orders", "zh": "订单数"},
    "customer.column.monetary_total": {"en": "Total spend", "zh": "累计消费"},
    "customer.column.monetary_mean": {"en": "Mean order value", "zh": "平均订单金额"},
    "customer.column.tenure_days": {"en": "Days since first purchase", "zh": "距首次购买天数"},
    "customer.column.mean_interpurchase_days": {"en": "Mean days between orders", "zh": "平均购买间隔（天）"},
    "customer.column.distinct_products": {"en": "Distinct products", "zh": "购买商品种类数"},
    "customer.column.return_rate": {"en": "Share of value returned", "zh": "退货金额占比"},
    "rfm.grid.title": {"en": "Customers by recency and frequency score", "zh": "按近度与频度评分的客户分布"},
    "rfm.grid.customers": {"en": "Customers", "zh": "客户数"},
    "rfm.grid.revenue": {"en": "Revenue", "zh": "收入"},
    "rfm.grid.mean_monetary": {"en": "Mean spend", "zh": "平均消费"},
    "rfm.axis.r_score": {"en": "Recency score (5 = most recent)", "zh": "近度评分（5 = 最近）"},
    "rfm.axis.f_score": {"en": "Frequency score (5 = most orders)", "zh": "频度评分（5 = 订单最多）"},
    "rfm.treemap.title": {"en": "RFM segments: size (area) and share of revenue (colour)",
                          "zh": "RFM 细分：客户数（面积）与收入占比（颜色）"},
    "segment.sizes.title": {"en": "Share of customers and of revenue by segment", "zh": "各细分的客户占比与收入占比"},
    "segment.axis.customer_share": {"en": "Share of customers", "zh": "客户占比"},
    "segment.axis.revenue_share": {"en": "Share of revenue", "zh": "收入占比"},
    "segment.axis.percent": {"en": "Percent", "zh": "百分比"},
    "segment.axis.segment": {"en": "Segment", "zh": "细分"},
    "segment.axis.z": {"en": "Std. dev. from average", "zh": "偏离平均的标准差"},
    "segment.axis.silhouette": {"en": "Silhouette", "zh": "轮廓系数"},
    "segment.axis.stability": {"en": "Stability (agreement of refits)", "zh": "稳定性（重新拟合的一致度）"},
    "segment.axis.inertia": {"en": "Inertia (within-cluster sum of squares)", "zh": "簇内平方和"},
    "segment.scatter.title": {"en": "Customer clusters", "zh": "客户聚类"},
    "segment.profiles.title": {"en": "Cluster profiles (cells: cluster means)", "zh": "聚类画像（单元格为类内均值）"},
    "segment.k.title": {"en": "Choosing the number of clusters", "zh": "选择聚类数"},
    "segment.k_chosen": {"en": "chosen k = {k}", "zh": "选定 k = {k}"},
    "cohort.heatmap.title": {"en": "Acquisition cohorts", "zh": "获客同期群"},
    "cohort.axis.cohort": {"en": "Cohort (first purchase)", "zh": "同期群（首次购买）"},
    "cohort.axis.periods_since_first": {"en": "Periods since first purchase", "zh": "距首次购买的期数"},
    "concentration.lorenz": {"en": "Lorenz curve", "zh": "洛伦兹曲线"},
    "concentration.equality": {"en": "Equal value", "zh": "完全均等"},
    "concentration.lorenz.title": {"en": "Concentration of customer value (Gini {gini:.2f})",
                                   "zh": "客户价值集中度（基尼系数 {gini:.2f}）"},
    "concentration.axis.customer_share": {"en": "Customers, smallest first (%)", "zh": "客户（由小到大，%）"},
    "concentration.axis.value_share": {"en": "Share of value (%)", "zh": "价值占比（%）"},
    "lifecycle.transitions.title": {"en": "Lifecycle transitions", "zh": "生命周期状态迁移"},
    "lifecycle.transitions.title_dates": {"en": "Lifecycle transitions from {start} to {end}",
                                          "zh": "生命周期状态迁移（{start} 至 {end}）"},
    "lifecycle.axis.from": {"en": "State at the start", "zh": "期初状态"},
    "lifecycle.axis.to": {"en": "State at the end", "zh": "期末状态"},
    "lifecycle.axis.share": {"en": "Share of the row", "zh": "行内占比"},
    "segment_report.money": {"en": "{amount:,.0f} {currency}", "zh": "{amount:,.0f} {currency}"},
    "segment_report.h.title": {"en": "Customer segments report", "zh": "客户细分报告"},
    "segment_report.h.overview": {"en": "Overview", "zh": "概览"},
    "segment_report.h.concentration": {"en": "Who brings the revenue", "zh": "收入来自哪些客户"},
    "segment_report.h.rfm": {"en": "RFM segments (recency, frequency, monetary value)",
                             "zh": "RFM 细分（R 最近购买、F 购买频率、M 消费金额）"},
    "segment_report.h.lifecycle": {"en": "Lifecycle states", "zh": "生命周期状态"},
    "segment_report.h.cohorts": {"en": "Acquisition cohorts and retention", "zh": "获客同期群与留存"},
    "segment_report.h.clusters": {"en": "Behavioural clusters", "zh": "行为聚类"},
    "segment_report.h.value": {"en": "Customer lifetime value", "zh": "客户终身价值"},
    "segment_report.h.returns": {"en": "Value net of returns", "zh": "扣除退货后的价值"},
    "segment_report.h.outputs": {"en": "Files written", "zh": "输出文件"},
    "segment_report.note.lorenz": {
        "en": "How to read: the further the curve sags below the diagonal, the more revenue rests on few customers.",
        "zh": "阅读提示：曲线越低于对角线，收入越集中在少数客户身上。"},
    "segment_report.note.abc": {
        "en": "ABC classes: A customers together bring the first 80% of revenue, B the next 15%, C the last 5%.",
        "zh": "ABC 分类：A 类客户合计贡献前 80% 的收入，B 类贡献其后 15%，C 类贡献最后 5%。"},
    "segment_report.note.rfm": {
        "en": "Each customer gets 1-5 scores for recency, frequency and spend (5 = best; customers with equal "
              "values always share a score); the segment follows from the rules below, each with a suggested action.",
        "zh": "每位客户在近度、频度和消费金额上各得 1-5 分（5 为最好；数值相同的客户得分相同）；细分由下表规则决定，并附建议行动。"},
    "segment_report.note.lifecycle": {
        "en": "States follow the customer's own behaviour: new (one order), active (repeat), loyal (many orders), "
              "at risk and lost (no order for longer than the thresholds below, derived from how long repeat "
              "buyers usually wait between orders).",
        "zh": "状态依据客户自身行为：新客户（一笔订单）、活跃（重复购买）、忠诚（订单多），有流失风险与已流失"
              "（超过下表阈值未购买；阈值由重复购买客户的常见购买间隔得出）。"},
    "segment_report.note.cohorts": {
        "en": "Each row is the customers first acquired in a month; each cell the share of them who bought again "
              "that many months later.",
        "zh": "每行是某月首次购买的客户；每格是其中在若干月后再次购买的比例。"},
    "segment_report.note.clusters": {
        "en": "Clusters group customers with similar recency, purchase frequency, order value and time since the "
              "first purchase (k-means on log scales). From 3 to 7 clusters, the number chosen is the largest "
              "whose groups are nearly as clearly separated as the best split (silhouette at least 90% of the "
              "best), come out the same when refitted, and are none of them tiny.",
        "zh": "聚类把近度、购买频度、平均订单金额和首购至今天数相近的客户归为一组（对数尺度上的 k 均值）。"
              "在 3 到 7 类之间，取各组仍与最佳划分几乎同样清晰（轮廓系数不低于最佳的 90%）、重新拟合结果一致、"
              "且没有过小类别的最大类数。"},
    "segment_report.note.value": {
        "en": "Predicted value is what each customer is expected to spend over the horizon, discounted, from the "
              "BG/NBD and Gamma-Gamma models fitted on the whole history.",
        "zh": "预测价值是每位客户在预测期内的预计消费（已折现），来自基于全部历史拟合的 BG/NBD 与 Gamma-Gamma 模型。"},
    "segment_report.finding.overview": {
        "en": "{n:,} customers placed {orders:,} orders worth {revenue} between {start} and {end}.",
        "zh": "{start} 至 {end} 期间，{n:,} 位客户下了 {orders:,} 笔订单，金额 {revenue}。"},
    "segment_report.finding.concentration": {
        "en": "The top {fraction:.0%} of customers bring {share:.0%} of revenue (Gini {gini:.2f}).",
        "zh": "前 {fraction:.0%} 的客户贡献了 {share:.0%} 的收入（基尼系数 {gini:.2f}）。"},
    "segment_report.finding.rfm": {
        "en": "{segment} are {customers:.0%} of customers and bring {revenue:.0%} of revenue; "
              "{slipping:.0%} of customers are at risk, hibernating or lost.",
        "zh": "“{segment}”占客户的 {customers:.0%}，贡献 {revenue:.0%} 的收入；{slipping:.0%} 的客户处于流失风险、沉睡或已流失状态。"},
    "segment_report.finding.lifecycle": {
        "en": "Of {n:,} customers, {loyal:,} ({loyal_share:.0%}) are loyal and {gone:,} ({gone_share:.0%}) are at "
              "risk or lost; those brought {gone_revenue:.0%} of past revenue.",
        "zh": "{n:,} 位客户中，{loyal:,} 位（{loyal_share:.0%}）为忠诚客户，{gone:,} 位（{gone_share:.0%}）有流失风险或已流失，"
              "他们贡献了过去 {gone_revenue:.0%} 的收入。"},
    "segment_report.finding.transitions": {
        "en": "Between {start} and {end}, {moved:,} of {loyal:,} loyal customers ({share:.0%}) became at risk or "
              "lost, and {acquired:,} new customers were acquired.",
        "zh": "{start} 至 {end} 期间，{loyal:,} 位忠诚客户中有 {moved:,} 位（{share:.0%}）变为有流失风险或已流失，"
              "同时新增 {acquired:,} 位客户。"},
    "segment_report.finding.cohorts": {
        "en": "On average {share:.0%} of a month's new customers buy again the following month; the {best} "
              "cohort did best ({best_share:.0%}).",
        "zh": "平均而言，每月新客户中有 {share:.0%} 在下个月再次购买；{best} 同期群表现最好（{best_share:.0%}）。"},
    "segment_report.finding.cohorts_short": {
        "en": "The data cover a single period, too short to measure repeat purchase by cohort.",
        "zh": "数据只覆盖一个周期，无法按同期群衡量重复购买。"},
    "segment_report.finding.clusters": {
        "en": "The customers fall into {k} clusters: the most groups that are still nearly as clearly separated as "
              "the best split (silhouette {silhouette:.2f} against {best:.2f} for {best_k}), stable when refitted "
              "(stability {stability:.2f}), with none smaller than {floor:.0%} of customers; the most valuable, "
              "“{name}”, is {customers:.0%} of customers and brings {revenue:.0%} of revenue.",
        "zh": "客户分为 {k} 类：在各组仍与最佳划分几乎同样清晰（轮廓系数 {silhouette:.2f}，最佳为 {best_k} 类时的 "
              "{best:.2f}）、重新拟合结果稳定（稳定性 {stability:.2f}）且没有一类少于 {floor:.0%} 客户的前提下，"
              "取最多的类数；价值最高的“{name}”占客户的 {customers:.0%}，贡献 {revenue:.0%} 的收入。"},
    "segment_report.finding.clusters_best": {
        "en": "The customers fall into {k} clusters: the most clearly separated stable split (silhouette "
              "{silhouette:.2f}, stability {stability:.2f}); {next_k} clusters would be less clearly separated "
              "(silhouette {next:.2f}, under 90% of it). The most valuable, “{name}”, is {customers:.0%} of "
              "customers and brings {revenue:.0%} of revenue.",
        "zh": "客户分为 {k} 类：这是最清晰且稳定的划分（轮廓系数 {silhouette:.2f}，稳定性 {stability:.2f}）；"
              "分为 {next_k} 类时区分不够清晰（轮廓系数 {next:.2f}，低于其 90%）。价值最高的“{name}”占客户的 "
              "{customers:.0%}，贡献 {revenue:.0%} 的收入。"},
    "segment_report.finding.clusters_best_unstable": {
        "en": "The customers fall into {k} clusters: the most clearly separated stable split (silhouette "
              "{silhouette:.2f}, stability {stability:.2f}); {next_k} clusters would be unstable when refitted or "
              "leave a cluster under {floor:.0%} of customers. The most valuable, “{name}”, is {customers:.0%} of "
              "customers and brings {revenue:.0%} of revenue.",
        "zh": "客户分为 {k} 类：这是最清晰且稳定的划分（轮廓系数 {silhouette:.2f}，稳定性 {stability:.2f}）；"
              "分为 {next_k} 类时重新拟合不稳定，或有一类少于 {floor:.0%} 客户。价值最高的“{name}”占客户的 "
              "{customers:.0%}，贡献 {revenue:.0%} 的收入。"},
    "segment_report.finding.clusters_best_top": {
        "en": "The customers fall into {k} clusters, the most tried: the most clearly separated stable split "
              "(silhouette {silhouette:.2f}, stability {stability:.2f}). The most valuable, “{name}”, is "
              "{customers:.0%} of customers and brings {revenue:.0%} of revenue.",
        "zh": "客户分为 {k} 类（所试的最大类数）：这是最清晰且稳定的划分（轮廓系数 {silhouette:.2f}，稳定性 "
              "{stability:.2f}）。价值最高的“{name}”占客户的 {customers:.0%}，贡献 {revenue:.0%} 的收入。"},
    "segment_report.finding.clusters_none": {
        "en": "The customers were split into {k} clusters, the most clearly separated split (silhouette "
              "{silhouette:.2f}, stability {stability:.2f}), but no number of clusters tried was both stable and "
              "free of clusters under {floor:.0%} of customers: read the clusters with care. The most valuable, "
              "“{name}”, is {customers:.0%} of customers and brings {revenue:.0%} of revenue.",
        "zh": "客户被分为 {k} 类，这是区分最清晰的划分（轮廓系数 {silhouette:.2f}，稳定性 {stability:.2f}），"
              "但所试的类数中没有一个既稳定又没有少于 {floor:.0%} 客户的类：请谨慎解读。价值最高的“{name}”"
              "占客户的 {customers:.0%}，贡献 {revenue:.0%} 的收入。"},
    "segment_report.finding.clusters_given": {
        "en": "Split into the requested {k} clusters (silhouette {silhouette:.2f}, stability {stability:.2f}); "
              "the most valuable, “{name}”, is {customers:.0%} of customers and brings {revenue:.0%} of revenue.",
        "zh": "按要求分为 {k} 类（轮廓系数 {silhouette:.2f}，稳定性 {stability:.2f}）；价值最高的“{name}”"
              "占客户的 {customers:.0%}，贡献 {revenue:.0%} 的收入。"},
    "segment_report.finding.value": {
        "en": "Over the next {horizon} days customers are expected to spend {total} (discounted); the top "
              "{fraction:.0%} of customers hold {share:.0%} of it.",
        "zh": "未来 {horizon} 天客户预计消费 {total}（已折现）；前 {fraction:.0%} 的客户占其中 {share:.0%}。"},
    "segment_report.finding.returns": {
        "en": "Returns take back {share:.1%} of purchase value; for {negative:,} of {n:,} customers the returns "
              "exceed the purchases.",
        "zh": "退货收回了 {share:.1%} 的购买金额；{n:,} 位客户中有 {negative:,} 位的退货金额超过了购买金额。"},
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
        "zh": "在 {cutoff} 之后购买了新商品的 {n} 位客户中，规则推荐的前 {k} 项命中了 {rules_hit} 的客户，优于热门商品基线的 {popular_hit}（前 {k} 项精确率：{rules_prec} 对 {popular_prec}；规则覆盖了其中 {coverage} 的客户）。",
    },
    "reco.finding.evaluation_worse": {
        "en": "On {n} customers who bought something new after {cutoff}, the rules' top {k} held an item they then bought for {rules_hit} of them, worse than the most-popular baseline's {popular_hit} (precision@{k} {rules_prec} vs {popular_prec}; the rules reached {coverage} of these customers).",
        "zh": "在 {cutoff} 之后购买了新商品的 {n} 位客户中，规则推荐的前 {k} 项命中了 {rules_hit} 的客户，不如热门商品基线的 {popular_hit}（前 {k} 项精确率：{rules_prec} 对 {popular_prec}；规则覆盖了其中 {coverage} 的客户）。",
    },
    "reco.finding.evaluation_same": {
        "en": "On {n} customers who bought something new after {cutoff}, the rules' top {k} held an item they then bought for {rules_hit} of them, about the same as the most-popular baseline's {popular_hit} (precision@{k} {rules_prec} vs {popular_prec}; the rules reached {coverage} of these customers).",
        "zh": "在 {cutoff} 之后购买了新商品的 {n} 位客户中，规则推荐的前 {k} 项命中了 {rules_hit} 的客户，与热门商品基线的 {popular_hit} 大致相同（前 {k} 项精确率：{rules_prec} 对 {popular_prec}；规则覆盖了其中 {coverage} 的客户）。",
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
        "en": "{n_customers} of {n_all} customers ({share}) get at least one recommendation, {per} on average; the expected extra revenue (confidence × typical line value) totals {total}.",
        "zh": "{n_all} 位客户中有 {n_customers} 位（{share}）至少获得一条推荐，平均 {per} 条；预期额外收入（置信度 × 典型单行金额）合计 {total}。",
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
    "reco.title.rule_matrix": {"en": "Rule matrix: antecedent × consequent (colour: lift)", "zh": "规则矩阵：前项 × 后项（颜色：提升度）"},
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
    "reco.metric.precision_at_k": {"en": "Precision@K", "zh": "推荐被购买的比例（精确率）"},
    "reco.metric.recall_at_k": {"en": "Recall@K", "zh": "新购买被预见的比例（召回率）"},
    "reco.metric.coverage": {"en": "Customer coverage", "zh": "客户覆盖率"},
    # (end of section: recommend)
    # --- churn and win-back ------------------------------------------
    "churn.metric.roc_auc": {"en": "ROC AUC", "zh": "ROC 曲线下面积（AUC）"},
    "churn.metric.pr_auc": {"en": "PR AUC", "zh": "精确率-召回率曲线下面积（PR AUC）"},
    "churn.metric.brier": {"en": "Brier score", "zh": "Brier 分数"},
    "churn.metric.top_decile_lift": {"en": "top-decile lift", "zh": "前10%提升度"},
    "churn.scorer.model": {"en": "Model", "zh": "模型"},
    "churn.scorer.recency": {"en": "recency (days since last purchase)", "zh": "最近购买间隔（天）"},
    "churn.scorer.bgnbd": {"en": "BG/NBD P(no purchase)", "zh": "BG/NBD 不再购买概率"},
    "churn.model.logistic": {"en": "logistic regression", "zh": "逻辑回归"},
    "churn.model.hgb": {"en": "gradient boosting", "zh": "梯度提升"},
    "churn.finding.beats": {
        "en": "The {model} model beats the best baseline, {baseline}: {metric} {model_value} vs {baseline_value} (+{margin}).",
        "zh": "{model}模型优于最佳基线（{baseline}）：{metric} {model_value} 对 {baseline_value}（+{margin}）。",
    },
    "churn.finding.as_good": {
        "en": "The {baseline} baseline is as good as the {model} model here: {metric} {baseline_value} vs {model_value}.",
        "zh": "在这里，基线（{baseline}）与{model}模型一样好：{metric} {baseline_value} 对 {model_value}。",
    },
    "churn.finding.worse": {
        "en": "The {baseline} baseline is better than the {model} model here: {metric} {baseline_value} vs {model_value} (-{margin} for the model).",
        "zh": "在这里，基线（{baseline}）优于{model}模型：{metric} {baseline_value} 对 {model_value}（模型低 {margin}）。",
    },
    # win-back tiers and reasons
    "churn.tier.win_back_now": {"en": "Win back now", "zh": "立即挽回"},
    "churn.tier.keep_close": {"en": "Keep close (valuable, still active)", "zh": "重点维护（高价值、仍活跃）"},
    "churn.tier.low_cost_reactivation": {"en": "Low-cost reactivation", "zh": "低成本唤醒"},
    "churn.tier.other": {"en": "No action", "zh": "暂不行动"},
    "churn.reason.recency_days": {"en": "{value:.0f} days since last purchase", "zh": "距上次购买 {value:.0f} 天"},
    "churn.reason.frequency": {"en": "{value:.0f} orders in total", "zh": "共 {value:.0f} 笔订单"},
    "churn.reason.monetary_total": {"en": "total spend {value:,.0f}", "zh": "累计消费 {value:,.0f}"},
    "churn.reason.monetary_mean": {"en": "spend per order {value:,.0f}", "zh": "每单消费 {value:,.0f}"},
    "churn.reason.tenure_days": {"en": "customer for {value:.0f} days", "zh": "成为客户 {value:.0f} 天"},
    "churn.reason.orders_window": {"en": "{value:.0f} orders in the last {window} days", "zh": "近 {window} 天 {value:.0f} 笔订单"},
    "churn.reason.spend_window": {"en": "spend {value:,.0f} in the last {window} days", "zh": "近 {window} 天消费 {value:,.0f}"},
    "churn.reason.orders_trend_window": {"en": "order trend {value:+.0f} (last {window} days vs the {window} before)", "zh": "订单趋势 {value:+.0f}（近 {window} 天对比之前 {window} 天）"},
    "churn.reason.spend_trend_window": {"en": "spend trend {value:+,.0f} (last {window} days vs the {window} before)", "zh": "消费趋势 {value:+,.0f}（近 {window} 天对比之前 {window} 天）"},
    "churn.reason.ipt_mean_days": {"en": "{value:.0f} days between orders on average", "zh": "平均购买间隔 {value:.0f} 天"},
    "churn.reason.ipt_std_days": {"en": "irregular buying (std {value:.0f} days)", "zh": "购买不规律（标准差 {value:.0f} 天）"},
    "churn.reason.last_gap_ratio": {"en": "last gap {value:.1f}x the usual", "zh": "上次间隔为平时的 {value:.1f} 倍"},
    "churn.reason.recency_ratio": {"en": "silent {value:.1f}x the usual gap", "zh": "沉默时间为平时间隔的 {value:.1f} 倍"},
    "churn.reason.returns_count": {"en": "returned lines: {value:.0f}", "zh": "退货 {value:.0f} 行"},
    "churn.reason.returns_value": {"en": "returns worth {value:,.0f}", "zh": "退货金额 {value:,.0f}"},
    "churn.reason.return_rate": {"en": "return rate {value:.0%}", "zh": "退货率 {value:.0%}"},
    "churn.reason.distinct_products": {"en": "{value:.0f} distinct products bought", "zh": "购买过 {value:.0f} 种商品"},
    "churn.reason.p_alive": {"en": "BG/NBD P(alive) {value:.0%}", "zh": "BG/NBD 存活概率 {value:.0%}"},
    "churn.reason.p_no_purchase": {"en": "BG/NBD P(no purchase) {value:.0%}", "zh": "BG/NBD 不再购买概率 {value:.0%}"},
    "churn.reason.single_purchase": {"en": "only one purchase day so far", "zh": "迄今只有一个购买日"},
    "churn.reason.other": {"en": "{feature} = {value:.3g}", "zh": "{feature} = {value:.3g}"},
    # figures and report
    "churn.fig.roc": {"en": "ROC curve: model vs baselines", "zh": "ROC 曲线：模型与基线"},
    "churn.fig.pr": {"en": "Precision-recall: model vs baselines", "zh": "精确率-召回率：模型与基线"},
    "churn.fig.gains": {"en": "Cumulative gains", "zh": "累积增益"},
    "churn.fig.calibration": {"en": "Calibration (reliability)", "zh": "校准（可靠性）曲线"},
    "churn.fig.importance": {"en": "Permutation importance (drop in ROC AUC)", "zh": "置换重要性（ROC 曲线下面积的下降）"},
    "churn.fig.value_at_risk": {"en": "Value at risk by action tier", "zh": "各行动层级的风险价值"},
    "churn.axis.fpr": {"en": "False positive rate", "zh": "假阳性率"},
    "churn.axis.tpr": {"en": "True positive rate", "zh": "真阳性率"},
    "churn.axis.recall": {"en": "Recall", "zh": "召回率"},
    "churn.axis.precision": {"en": "Precision", "zh": "精确率"},
    "churn.axis.fraction_targeted": {"en": "Share of customers targeted", "zh": "目标客户占比"},
    "churn.axis.fraction_churners": {"en": "Share of churners reached", "zh": "覆盖的流失客户占比"},
    "churn.axis.mean_predicted": {"en": "Mean predicted P(churn)", "zh": "平均预测流失概率"},
    "churn.axis.fraction_churned": {"en": "Observed churn rate", "zh": "实际流失率"},
    "churn.axis.importance": {"en": "Drop in ROC AUC", "zh": "ROC 曲线下面积（AUC）的下降"},
    "churn.axis.feature": {"en": "Feature", "zh": "特征"},
    "churn.axis.value_at_risk": {"en": "Value at risk", "zh": "风险价值"},
    "churn.axis.tier": {"en": "Action tier", "zh": "行动层级"},
    "churn.random": {"en": "Random", "zh": "随机"},
    "churn.perfect": {"en": "Perfectly calibrated", "zh": "完美校准"},
    "churn.summary.labels": {
        "en": "At the cutoff {cutoff}, {n} customers had bought before; {rate} of them made no purchase in the next {horizon} days (churned).",
        "zh": "截至 {cutoff}，共有 {n} 位客户曾购买；其中 {rate} 在随后 {horizon} 天内没有购买（流失）。",
    },
    "churn.summary.fit_sample": {
        "en": "At the cutoff {cutoff}, {n} customers have labels; the churn models were fitted on a random sample of {n_fit} of them (churned and retained customers in proportion) to bound memory and time, and every customer is scored.",
        "zh": "截至 {cutoff}，共有 {n} 位客户有标签；为控制内存和时间，流失模型在其中按流失与留存比例随机抽取的 {n_fit} 位客户上拟合，所有客户均会打分。",
    },
    "churn.summary.calibration": {
        "en": "The {model} model's predicted churn probability is on average {gap} points from the observed churn rate (10 bins); BG/NBD's is {baseline_gap} points away.",
        "zh": "{model}模型的预测流失概率与实际流失率平均相差 {gap} 个百分点（10 个分箱）；BG/NBD 相差 {baseline_gap} 个百分点。",
    },
    "churn.summary.importance": {
        "en": "Shuffling these features costs the model the most ROC AUC: {features}.",
        "zh": "打乱以下特征使模型的 ROC 曲线下面积（AUC）下降最多：{features}。",
    },
    "churn.summary.importance_sample": {
        "en": "The importance was measured on a random sample of {n} of the {total} customers (in proportion to "
              "churned and retained); the metrics and curves above use every customer.",
        "zh": "特征重要性是在 {total} 位客户中按流失与留存比例随机抽取的 {n} 位客户上测得的；上面的指标和曲线使用全部客户。",
    },
    "churn.summary.winback": {
        "en": "The tier \"{tier}\" holds {n} of the listed customers and {value} of value at risk ({share} of the {total} in total).",
        "zh": "{n} 位客户属于“{tier}”层级，风险价值 {value}（占总计 {total} 的 {share}）。",
    },
    "churn.report.title": {"en": "Churn and win-back report", "zh": "客户流失与挽回报告"},
    "churn.report.definition": {"en": "Who churned: labels on a time split", "zh": "谁流失了：基于时间切分的标签"},
    "churn.report.comparison": {"en": "Model versus baselines", "zh": "模型与基线对比"},
    "churn.report.calibration": {"en": "Are the probabilities honest?", "zh": "概率可信吗？"},
    "churn.report.importance": {"en": "What drives the predictions", "zh": "哪些因素驱动预测"},
    "churn.report.winback": {"en": "The win-back list", "zh": "挽回名单"},
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

#: Further label modules of :mod:`crmmine.text`, one per area (``_<area>_labels.py``, each defining
#: ``LABELS`` like the dict above); kept apart so that work on different areas merges cleanly.
_AREA_MODULES: tuple[str, ...] = (
    "_clv_labels",
    "_data_labels",
    "_loyalty_labels",
    "_behaviour_labels",
    "_predict_labels",
    "_reports_labels",
)


def _merge_area_labels() -> None:
    import importlib

    for name in _AREA_MODULES:
        extra = importlib.import_module(f"{__package__}.{name}").LABELS
        clash = sorted(set(extra) & set(LABELS))
        if clash:
            raise RuntimeError(f"Label keys defined twice (crmmine.text.{name} and crmmine.text.labels): {clash[:5]}")
        LABELS.update(extra)


_merge_area_labels()

_state = {"lang": "en"}


def _check_lang(lang: str) -> str:
    return check_choice("lang", lang, LANGUAGES)


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
        raise ParameterError(f"No label has the key {key!r}; add it to crmmine/text/labels.py (or an area module listed in _AREA_MODULES).") from None
    text = entry.get(lang) or entry["en"]
    return text.format(**fmt) if fmt else text


def currency_unit(currency: str, lang: str | None = None) -> str:
    """The unit after an axis or column name: ``" (GBP)"`` in English, ``"（英镑）"`` in Chinese, ``""`` without."""
    if not currency:
        return ""
    lang = _check_lang(lang) if lang is not None else _state["lang"]
    return f"（{currency}）" if lang == "zh" else f" ({currency})"
