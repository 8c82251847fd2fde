"""Words of the loyalty area: loyalty types, satisfaction vs loyalty, value per resource, the eight RFM classes,
the loyalty report and the course worksheets (English and Chinese)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    # --- loyalty types (customers/loyalty.py) ---------------------------------------------------------
    "loyalty.type.super_value": {"en": "Super-value loyalty", "zh": "超值忠诚"},
    "loyalty.type.inertia": {"en": "Inertia loyalty", "zh": "惰性忠诚"},
    "loyalty.type.incentive": {"en": "Incentive loyalty", "zh": "激励忠诚"},
    "loyalty.type.price": {"en": "Price loyalty", "zh": "价格忠诚"},
    "loyalty.type.none": {"en": "No loyalty type (low repeat)", "zh": "无忠诚类型（重复购买少）"},
    "loyalty.type.monopoly": {"en": "Monopoly loyalty", "zh": "垄断忠诚"},
    "loyalty.cell.true": {"en": "True loyalty", "zh": "真正忠诚"},
    "loyalty.cell.latent": {"en": "Latent loyalty", "zh": "潜在忠诚"},
    "loyalty.cell.spurious": {"en": "Spurious loyalty", "zh": "虚假忠诚"},
    "loyalty.cell.none": {"en": "No loyalty", "zh": "不忠诚"},
    "loyalty.reason.super_value": {
        "en": "Orders: {orders} (high repeat: {repeat_threshold} or more) and attachment {attachment} (high: "
              "{attachment_threshold} or more): full price {full_price} of spend, satisfaction {satisfaction} of 5, "
              "breadth {breadth}, {tenure_days} days a customer.",
        "zh": "{orders} 笔订单（重复购买高：不少于 {repeat_threshold} 笔），情感依附 {attachment}（高：不低于 "
              "{attachment_threshold}）：原价消费占 {full_price}，满意度 {satisfaction}/5，品类广度 {breadth}，"
              "客户时长 {tenure_days} 天。"},
    "loyalty.reason.inertia": {
        "en": "Orders: {orders} (high repeat) but attachment {attachment} (below {attachment_threshold}): buys out of "
              "habit, breadth {breadth}, satisfaction {satisfaction} of 5. Monopoly loyalty (no alternative) would "
              "look the same; a shop log cannot tell them apart.",
        "zh": "{orders} 笔订单（重复购买高），但情感依附仅 {attachment}（低于 {attachment_threshold}）：出于习惯购买，"
              "品类广度 {breadth}，满意度 {satisfaction}/5。垄断忠诚（别无选择）看起来完全一样，仅凭店铺交易记录无法区分。"},
    "loyalty.reason.incentive": {
        "en": "Orders: {orders}, {promotion} of them on promotion; {off} orders off promotion after the first "
              "promotion: buys mainly while rewards run.",
        "zh": "{orders} 笔订单，其中 {promotion} 享受促销；首次促销后非促销订单 {off} 笔：主要在有奖励时购买。"},
    "loyalty.reason.price": {
        "en": "Orders: {orders} (low repeat), attachment {attachment}: price-driven — paid {price_index} of typical "
              "prices, {promotion} of orders on promotion.",
        "zh": "{orders} 笔订单（重复购买低），情感依附 {attachment}：受价格驱动——支付价格为常规价格的 {price_index}，"
              "{promotion} 的订单享受促销。"},
    "loyalty.reason.none": {
        "en": "Orders: {orders} (below {repeat_threshold}): not a repeat buyer yet; attachment {attachment} "
              "(threshold {attachment_threshold}).",
        "zh": "{orders} 笔订单（少于 {repeat_threshold} 笔）：尚未形成重复购买；情感依附 {attachment}（阈值 "
              "{attachment_threshold}）。"},
    "loyalty.note.monopoly": {
        "en": "Monopoly loyalty (customers who repeat because they have no alternative) cannot be told from a shop "
              "log: it needs market data. Such customers are counted under inertia loyalty.",
        "zh": "垄断忠诚（因别无选择而重复购买的客户）无法从店铺交易记录中识别：这需要市场数据。这类客户被计入惰性忠诚。"},
    "loyalty.note.no_promotions": {
        "en": "The data hold no promotion marks, vouchers or campaign periods: incentive loyalty cannot be told "
              "from inertia or super-value loyalty, and price loyalty is judged from the prices paid only.",
        "zh": "数据中没有促销标记、优惠券或活动期：无法把激励忠诚与惰性忠诚、超值忠诚区分开；价格忠诚只能根据支付价格判断。"},
    "loyalty.note.no_campaigns": {
        "en": "No campaign periods were given: whether buying stops when promotions stop is judged from the "
              "promotion marks and vouchers on orders only.",
        "zh": "未提供活动期：“促销一停是否就不买”只能根据订单上的促销标记和优惠券判断。"},
    "loyalty.note.no_reviews": {
        "en": "The data hold no review scores: attachment is measured without satisfaction.",
        "zh": "数据中没有评价分数：情感依附的度量不含满意度。"},
    "loyalty.note.no_price_variation": {
        "en": "Every product sold at one price: price sensitivity cannot be seen in the prices paid.",
        "zh": "每个商品都只以一个价格售出：无法从支付价格看出价格敏感度。"},
    "loyalty.column.orders": {"en": "Orders", "zh": "订单数"},
    "loyalty.column.revenue": {"en": "Revenue", "zh": "收入"},
    "loyalty.column.attachment": {"en": "Attachment", "zh": "情感依附"},
    "loyalty.column.promotion_dependence": {"en": "Promotion dependence", "zh": "促销依赖度"},
    "loyalty.column.price_index": {"en": "Price paid vs typical", "zh": "支付价格/常规价格"},
    "loyalty.column.loyalty_type_name": {"en": "Loyalty type", "zh": "忠诚类型"},
    "loyalty.column.dick_basu_name": {"en": "Dick & Basu cell", "zh": "Dick & Basu 分类"},
    "loyalty.column.reason": {"en": "Reason", "zh": "原因"},
    "loyalty.column.customers": {"en": "Customers", "zh": "客户数"},
    "loyalty.column.customer_share": {"en": "Share of customers", "zh": "客户占比"},
    "loyalty.column.revenue_share": {"en": "Share of revenue", "zh": "收入占比"},
    "loyalty.column.mean_orders": {"en": "Mean orders", "zh": "平均订单数"},
    "loyalty.column.mean_attachment": {"en": "Mean attachment", "zh": "平均情感依附"},
    "loyalty.column.mean_promotion_dependence": {"en": "Mean promotion dependence", "zh": "平均促销依赖度"},
    "loyalty.column.mean_price_index": {"en": "Mean price paid vs typical", "zh": "平均支付价格/常规价格"},
    "loyalty.column.dick_basu": {"en": "Usual Dick & Basu cell", "zh": "常见 Dick & Basu 分类"},
    "loyalty.column.name": {"en": "Loyalty type", "zh": "忠诚类型"},
    "loyalty.thresholds": {
        "en": "High repeat purchase: {repeat} orders or more; high attachment: {attachment:.2f} or more "
              "(attachment from {components}).",
        "zh": "重复购买高：不少于 {repeat} 笔订单；情感依附高：不低于 {attachment:.2f}（情感依附由 {components} 构成）。"},
    "loyalty.component.full_price_share": {"en": "full-price buying", "zh": "原价购买"},
    "loyalty.component.satisfaction": {"en": "satisfaction", "zh": "满意度"},
    "loyalty.component.breadth": {"en": "breadth", "zh": "品类广度"},
    "loyalty.component.tenure": {"en": "tenure", "zh": "客户时长"},
    "loyalty.finding.types": {
        "en": "{top} is the largest loyalty type ({share:.0%} of customers, {revenue:.0%} of revenue); "
              "super-value loyal customers are {super:.0%} of customers and bring {super_revenue:.0%} of revenue.",
        "zh": "“{top}”是人数最多的忠诚类型（占客户 {share:.0%}，收入 {revenue:.0%}）；超值忠诚客户占客户的 "
              "{super:.0%}，贡献 {super_revenue:.0%} 的收入。"},
    "loyalty.finding.recovery": {
        "en": "Planted types recovered: {accuracy:.0%} of the synthetic shop's customers get the type they were "
              "simulated with.",
        "zh": "植入类型的还原率：{accuracy:.0%} 的模拟客户被判定为其模拟时的类型。"},
    # --- satisfaction vs loyalty ---------------------------------------------------------------------
    "satisfaction.driver.late_delivery": {"en": "Delivered later than promised", "zh": "晚于承诺日期送达"},
    "satisfaction.driver.high_freight_share": {"en": "Freight in the top quarter of the order's cost",
                                               "zh": "运费占订单成本比例最高的四分之一"},
    "satisfaction.status.satisfied_loyal": {"en": "Satisfied and buying", "zh": "满意且在购买"},
    "satisfaction.status.satisfied_gone": {"en": "Satisfied but gone", "zh": "满意却已离开"},
    "satisfaction.status.unhappy_staying": {"en": "Unhappy but staying", "zh": "不满意却仍留下"},
    "satisfaction.status.unhappy_gone": {"en": "Unhappy and gone", "zh": "不满意且已离开"},
    "satisfaction.status.neutral": {"en": "Neutral", "zh": "中立"},
    "satisfaction.finding.repeat": {
        "en": "Satisfaction is not loyalty: {satisfied:.0%} of satisfied reviewers bought again, against "
              "{unhappy:.0%} of unhappy ones; {gone} satisfied customers are gone and {staying} unhappy ones stayed.",
        "zh": "满意不等于忠诚：满意的评价者中 {satisfied:.0%} 再次购买，不满意的评价者中为 {unhappy:.0%}；"
              "{gone} 位满意客户已离开，{staying} 位不满意客户仍留下。"},
    "satisfaction.finding.driver": {
        "en": "The strongest driver of low scores: {driver} — {with_:.0%} low scores against {without:.0%} "
              "(risk ratio {rr:.1f}, 95% CI {lo:.1f}-{hi:.1f}).",
        "zh": "低分的最强驱动因素：{driver}——低分率 {with_:.0%}，对照 {without:.0%}（风险比 {rr:.1f}，95% 置信区间 "
              "{lo:.1f}-{hi:.1f}）。"},
    "satisfaction.column.score": {"en": "Review score", "zh": "评分"},
    "satisfaction.column.customers": {"en": "Customers", "zh": "客户数"},
    "satisfaction.column.repeat_rate": {"en": "Bought again", "zh": "再次购买率"},
    "satisfaction.column.mean_orders": {"en": "Mean orders", "zh": "平均订单数"},
    "satisfaction.column.mean_revenue": {"en": "Mean revenue", "zh": "平均收入"},
    "satisfaction.column.gone_rate": {"en": "Gone", "zh": "已离开比例"},
    "satisfaction.column.name": {"en": "Driver", "zh": "驱动因素"},
    "satisfaction.column.orders_with": {"en": "Orders with", "zh": "有该因素的订单"},
    "satisfaction.column.orders_without": {"en": "Orders without", "zh": "无该因素的订单"},
    "satisfaction.column.low_rate_with": {"en": "Low scores with", "zh": "有该因素的低分率"},
    "satisfaction.column.low_rate_without": {"en": "Low scores without", "zh": "无该因素的低分率"},
    "satisfaction.column.risk_ratio": {"en": "Risk ratio", "zh": "风险比"},
    "satisfaction.column.score_difference": {"en": "Score difference", "zh": "评分差"},
    "satisfaction.column.mean_score": {"en": "Mean score", "zh": "平均评分"},
    "satisfaction.column.orders": {"en": "Orders", "zh": "订单数"},
    "satisfaction.column.revenue": {"en": "Revenue", "zh": "收入"},
    "satisfaction.column.recency_days": {"en": "Days since last order", "zh": "距上次购买天数"},
    # --- value per resource (customers/cohorts.py value_ranking) ---------------------------------------
    "value.finding.per_resource": {
        "en": "Ranked by demand value per unit of resources (the course's customer value ranking), the top "
              "{top:.0%} of customers bring {share:.0%} of demand value while using {resources:.0%} of the "
              "resources.",
        "zh": "按“需求价值/所耗资源”排序（课程中的客户价值排序），前 {top:.0%} 的客户贡献 {share:.0%} 的需求价值，"
              "只消耗 {resources:.0%} 的资源。"},
    # --- the eight RFM classes (customers/rfm.py, rfm_scheme="cn8") ---------------------------------------
    "rfm.segment.important_value": {"en": "Important value", "zh": "重要价值客户"},
    "rfm.segment.important_development": {"en": "Important to develop", "zh": "重要发展客户"},
    "rfm.segment.important_retention": {"en": "Important to retain", "zh": "重要保持客户"},
    "rfm.segment.important_winback": {"en": "Important to win back", "zh": "重要挽留客户"},
    "rfm.segment.general_value": {"en": "General value", "zh": "一般价值客户"},
    "rfm.segment.general_development": {"en": "General to develop", "zh": "一般发展客户"},
    "rfm.segment.general_retention": {"en": "General to retain", "zh": "一般保持客户"},
    "rfm.segment.general_winback": {"en": "General to win back", "zh": "一般挽留客户"},
    "rfm.action.important_value": {
        "en": "Recent, frequent, high spenders: keep them with VIP service and exclusive offers; never discount "
              "them by default.",
        "zh": "最近买过、买得多、花得多：以 VIP 服务和专属权益维系，不要默认给他们打折。"},
    "rfm.action.important_development": {
        "en": "Recent high spenders who buy rarely: raise frequency with membership, reminders and "
              "recommendations.",
        "zh": "最近买过、花得多但购买次数少：通过会员、提醒和推荐提高购买频率。"},
    "rfm.action.important_retention": {
        "en": "Frequent high spenders who have not bought lately: contact them now, before they drift away.",
        "zh": "买得多、花得多，但最近没来：现在就主动联系，防止流失。"},
    "rfm.action.important_winback": {
        "en": "High spenders who bought rarely and long ago: win them back personally; find out why they left.",
        "zh": "花得多但买得少、很久没来：一对一挽回，了解离开的原因。"},
    "rfm.action.general_value": {
        "en": "Recent, frequent, low spenders: upsell and cross-sell to lift the basket value.",
        "zh": "最近买过、买得多但花得少：通过向上销售和交叉销售提高客单价。"},
    "rfm.action.general_development": {
        "en": "Recent low spenders who buy rarely (often new): onboard them and make the second purchase easy.",
        "zh": "最近买过但买得少、花得少（多为新客）：做好新客培育，促成第二次购买。"},
    "rfm.action.general_retention": {
        "en": "Frequent low spenders gone quiet: low-cost reminders and small offers.",
        "zh": "买得多、花得少但最近沉寂：低成本提醒和小额优惠。"},
    "rfm.action.general_winback": {
        "en": "Rare, low, long-ago buyers: a cheap broad campaign at most.",
        "zh": "买得少、花得少、很久没来：至多做低成本的广泛触达。"},
    "rfm.cn8.above": {"en": "above", "zh": "高于"},
    "rfm.cn8.below": {"en": "at or below", "zh": "不高于"},
    "rfm.cn8.rule": {"en": "R {r} average, F {f} average, M {m} average",
                     "zh": "R {r}平均，F {f}平均，M {m}平均"},
}
LABELS.update({
    "loyalty.figure.map": {"en": "Attachment against repeat purchase, by loyalty type",
                           "zh": "情感依附与重复购买（按忠诚类型）"},
    "satisfaction.figure.repeat": {"en": "Bought again, by review score", "zh": "各评分的再次购买率"},
})
LABELS.update({
    "loyalty.report.title": {"en": "Loyalty: types, satisfaction and value per resource",
                             "zh": "客户忠诚：忠诚类型、满意度与单位资源价值"},
    "loyalty.report.data": {"en": "Data: {source}; {customers:,} customers, {orders:,} orders.",
                            "zh": "数据：{source}；{customers:,} 位客户，{orders:,} 笔订单。"},
    "loyalty.report.types": {"en": "Loyalty types", "zh": "忠诚类型"},
    "loyalty.report.types_note": {
        "en": "Each customer gets the course's loyalty type (super-value, inertia, incentive, price) from repeat "
              "purchase against attachment, and the Dick & Basu (1994) cell. What the data cannot tell apart:",
        "zh": "按重复购买与情感依附，为每位客户判定课程中的忠诚类型（超值、惰性、激励、价格）以及 Dick & Basu（1994）"
              "分类。数据无法区分的情况："},
    "loyalty.report.cells": {"en": "Loyalty types against Dick & Basu's cells",
                             "zh": "忠诚类型与 Dick & Basu 分类对照"},
    "loyalty.report.examples": {"en": "The highest-revenue customers of each type, with the reason in words",
                                "zh": "各类型中收入最高的客户及判定原因"},
    "loyalty.report.recovery": {"en": "Planted against found types (synthetic shop)",
                                "zh": "植入类型与判定类型对照（模拟店铺）"},
    "loyalty.report.satisfaction": {"en": "Satisfaction is not loyalty", "zh": "满意不等于忠诚"},
    "loyalty.report.no_reviews": {"en": "The data hold no review scores: satisfaction cannot be compared with loyalty.",
                                  "zh": "数据中没有评价分数：无法比较满意度与忠诚度。"},
    "loyalty.report.drivers": {"en": "What drives low scores (effect sizes)", "zh": "低分的驱动因素（效应量）"},
    "loyalty.report.satisfied_gone": {"en": "Satisfied but gone (highest revenue first)",
                                      "zh": "满意却已离开（按收入从高到低）"},
    "loyalty.report.unhappy_staying": {"en": "Unhappy but staying (highest revenue first)",
                                       "zh": "不满意却仍留下（按收入从高到低）"},
    "loyalty.report.resources": {"en": "Customer value per resource", "zh": "客户价值与所耗资源"},
    "loyalty.report.no_resources": {
        "en": "The data hold no delivery or service costs: the ranking uses purchases net of returns only.",
        "zh": "数据中没有配送或服务成本：排序只使用扣除退货后的购买额。"},
    "loyalty.report.outputs": {"en": "Files written", "zh": "输出文件"},
    "value.column.demand_value": {"en": "Demand value", "zh": "需求价值"},
    "value.column.resources": {"en": "Resources", "zh": "所耗资源"},
    "value.column.freight_value": {"en": "Freight", "zh": "运费"},
    "value.column.value_per_resource": {"en": "Value per resource", "zh": "单位资源价值"},
    "value.column.rank": {"en": "Rank", "zh": "排名"},
    "value.column.net_value": {"en": "Net value", "zh": "净价值"},
})
LABELS.update({
    "satisfaction.column.risk_ratio_low": {"en": "95% CI from", "zh": "95% 置信区间下限"},
    "satisfaction.column.risk_ratio_high": {"en": "95% CI to", "zh": "95% 置信区间上限"},
    "satisfaction.column.driver": {"en": "Driver", "zh": "驱动因素"},
    "loyalty.column.loyalty_type": {"en": "Loyalty type (code)", "zh": "忠诚类型（代码）"},
})
