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
              "{attachment_threshold} or more): full-price share of spend {full_price}, satisfaction {satisfaction}, "
              "breadth {breadth}, {tenure_days} days a customer.",
        "zh": "{orders} 笔订单（重复购买高：不少于 {repeat_threshold} 笔），情感依附 {attachment}（高：不低于 "
              "{attachment_threshold}）：原价消费占比 {full_price}，满意度 {satisfaction}，品类广度 {breadth}，"
              "客户时长 {tenure_days} 天。"},
    "loyalty.reason.inertia": {
        "en": "Orders: {orders} (high repeat) but attachment {attachment} (below {attachment_threshold}): buys out of "
              "habit, breadth {breadth}, satisfaction {satisfaction}. Monopoly loyalty (no alternative) would "
              "look the same; a shop log cannot tell them apart.",
        "zh": "{orders} 笔订单（重复购买高），但情感依附仅 {attachment}（低于 {attachment_threshold}）：出于习惯购买，"
              "品类广度 {breadth}，满意度 {satisfaction}。垄断忠诚（别无选择）看起来完全一样，仅凭店铺交易记录无法区分。"},
    "loyalty.reason.incentive": {
        "en": "Orders: {orders}, {promotion} of them on promotion; {off} orders off promotion after the first "
              "promotion: buys mainly while rewards run.",
        "zh": "{orders} 笔订单，其中 {promotion} 享受促销；首次促销后非促销订单 {off} 笔：主要在有奖励时购买。"},
    "loyalty.reason.price": {
        "en": "Orders: {orders} (low repeat), attachment {attachment}: price-driven — price paid vs typical "
              "{price_index}, share of orders on promotion {promotion}.",
        "zh": "{orders} 笔订单（重复购买低），情感依附 {attachment}：受价格驱动——支付价格/常规价格 {price_index}，"
              "促销订单占比 {promotion}。"},
    "loyalty.reason.none": {
        "en": "Orders: {orders} (below {repeat_threshold}): not a repeat buyer yet; attachment {attachment} "
              "(threshold {attachment_threshold}).",
        "zh": "{orders} 笔订单（少于 {repeat_threshold} 笔）：尚未形成重复购买；情感依附 {attachment}（阈值 "
              "{attachment_threshold}）。"},
    "loyalty.unknown": {"en": "not known", "zh": "未知"},
    "loyalty.list_join": {"en": ", ", "zh": "、"},
    "loyalty.satisfaction_of_5": {"en": "{score} of 5", "zh": "{score}/5"},
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
    "loyalty.column.planted": {"en": "Planted type (rows) / found type (columns)",
                               "zh": "模拟设定的类型（行）/ 识别出的类型（列）"},
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
        "zh": "重复购买高：不少于 {repeat} 笔订单；情感依附高：不低于 {attachment:.2f}（情感依附由{components}构成）。"},
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
        "en": "Satisfaction is not loyalty: {satisfied} of satisfied reviewers bought again, against "
              "{unhappy} of unhappy ones; {gone} satisfied customers are gone and {staying} unhappy ones stayed.",
        "zh": "满意不等于忠诚：满意的评价者中 {satisfied} 再次购买，不满意的评价者中为 {unhappy}；"
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

# --- course worksheets (notebooks/course, scripts/make_course.py) ----------------------------------------------
LABELS.update({
    "course.goal": {"en": "Goal:", "zh": "目标："},
    "course.step": {"en": "Step", "zh": "步骤"},
    "course.questions": {"en": "Questions", "zh": "问题"},
    "course.answers": {"en": "Answers (teacher's version, computed from the data above)",
                       "zh": "参考答案（教师版，由上面的数据计算）"},
    "course.answers_hidden": {
        "en": "*Answer the questions from the tables above. The teacher's version (run with `answers=True`) "
              "computes the answers.*",
        "zh": "*请根据上面的表格回答问题。教师版（以 `answers=True` 运行）会计算出答案。*"},
    "course.data.sample": {
        "en": "Data: the bundled sample of the UCI Online Retail data (about 1,000 real customers of a UK gift shop, "
              "CC BY 4.0).",
        "zh": "数据：随包附带的 UCI Online Retail 样本（英国一家礼品网店约 1,000 位真实客户，CC BY 4.0）。"},
    "course.data.loyalty_shop": {
        "en": "Data: a synthetic shop (crmmine.datasets.make_loyalty_shop) with promotions, campaigns, deliveries "
              "and reviews, whose customers were simulated with known loyalty types.",
        "zh": "数据：一个模拟店铺（crmmine.datasets.make_loyalty_shop），包含促销、活动、配送和评价，"
              "其客户按已知的忠诚类型模拟生成。"},
    # 1 customer value
    "course.value.title": {"en": "Worksheet 1 — Customer value: historical, predicted, potential",
                           "zh": "练习 1——客户价值：历史价值、当前（预测）价值、潜在价值"},
    "course.value.goal": {
        "en": "Split each customer's value into the three parts of the course: what they have brought "
              "(historical), what they will bring if they keep behaving the same (predicted, BG/NBD + Gamma-Gamma), "
              "and what cross-selling could add (potential).",
        "zh": "把每位客户的价值拆成课程中的三部分：已经带来的（历史价值）、保持现有行为将带来的（当前价值，"
              "BG/NBD + Gamma-Gamma 预测）以及交叉销售可增加的（潜在价值）。"},
    "course.value.step1": {"en": "Compute each customer's value over the next 365 days (potential: expected revenue of the top-5 "
                                  "cross-sell recommendations).",
                           "zh": "计算每位客户未来 365 天的价值（潜在价值：前 5 条交叉销售推荐的预期收入）。"},
    "course.value.step2": {"en": "Add up the three parts over all customers.", "zh": "汇总全部客户的三部分价值。"},
    "course.value.step3": {"en": "Look at the customers with the largest predicted value.",
                           "zh": "查看预测价值最高的客户。"},
    "course.value.q1": {"en": "What share of the total value is historical (already realised)?",
                        "zh": "总价值中有多少比例是历史价值（已经实现的）？"},
    "course.value.q2": {"en": "Which customer has the largest predicted value, and how likely are they still active?",
                        "zh": "哪位客户的预测价值最高？他仍然活跃的概率是多少？"},
    "course.value.q3": {"en": "How large is the potential (cross-sell) part, and why is it the least certain?",
                        "zh": "潜在（交叉销售）价值有多大？为什么它最不确定？"},
    "course.value.a1": {"en": "{share:.0%} of the total value is historical.", "zh": "总价值中 {share:.0%} 是历史价值。"},
    "course.value.a2": {"en": "Customer {customer}, still active with probability {p:.0%}.",
                        "zh": "客户 {customer}，仍然活跃的概率为 {p:.0%}。"},
    "course.value.a3": {
        "en": "{share:.1%} of the total: it assumes the customer accepts a recommendation, which has not happened yet.",
        "zh": "占总价值的 {share:.1%}：它假设客户会接受推荐，而这尚未发生。"},
    # 2 customer states
    "course.states.title": {"en": "Worksheet 2 — Customer states", "zh": "练习 2——客户状态"},
    "course.states.goal": {
        "en": "Place every customer in a lifecycle state (new, active, loyal, at risk, lost) with thresholds taken "
              "from the data, and see where the revenue sits.",
        "zh": "用从数据中得出的阈值，把每位客户归入生命周期状态（新客、活跃、忠诚、有流失风险、已流失），"
              "并观察收入分布在哪里。"},
    "course.states.step1": {"en": "Build the customer table and assign the states.", "zh": "建立客户表并判定状态。"},
    "course.states.step2": {"en": "Read the thresholds the data gave.", "zh": "查看由数据得出的阈值。"},
    "course.states.step3": {"en": "Share of past revenue per state.", "zh": "各状态的历史收入占比。"},
    "course.states.q1": {"en": "What share of customers is at risk or lost?", "zh": "有流失风险或已流失的客户占多少？"},
    "course.states.q2": {"en": "After how many days without a purchase is a customer at risk?",
                         "zh": "客户多少天未购买就被视为有流失风险？"},
    "course.states.q3": {"en": "Which state holds the largest share of past revenue?", "zh": "哪个状态的历史收入占比最大？"},
    "course.states.a1": {"en": "{share:.0%} of customers.", "zh": "占客户的 {share:.0%}。"},
    "course.states.a2": {"en": "After {days} days.", "zh": "{days} 天。"},
    "course.states.a3": {"en": "{state}, with {share:.0%} of past revenue.", "zh": "“{state}”，占历史收入的 {share:.0%}。"},
    # 3 loyalty types
    "course.loyalty.title": {"en": "Worksheet 3 — Loyalty types", "zh": "练习 3——忠诚类型"},
    "course.loyalty.goal": {
        "en": "Tell super-value, inertia, incentive and price loyalty apart from repeat purchase and attachment, "
              "and see which loyalty a shop log cannot identify.",
        "zh": "根据重复购买与情感依附区分超值忠诚、惰性忠诚、激励忠诚和价格忠诚，并看看哪种忠诚无法从店铺记录中识别。"},
    "course.loyalty.step1": {"en": "Generate the shop and assign each customer a loyalty type.",
                             "zh": "生成店铺数据并为每位客户判定忠诚类型。"},
    "course.loyalty.step2": {"en": "Compare the types.", "zh": "比较各类型。"},
    "course.loyalty.step3": {"en": "Read what the data cannot tell apart.", "zh": "查看数据无法区分的情况。"},
    "course.loyalty.q1": {"en": "How many customers have super-value loyalty, and what share of revenue do they bring?",
                          "zh": "有多少客户属于超值忠诚？他们贡献多少收入？"},
    "course.loyalty.q2": {"en": "How dependent on promotions are the incentive-loyal customers?",
                          "zh": "激励忠诚客户对促销的依赖程度有多高？"},
    "course.loyalty.q3": {"en": "Why can monopoly loyalty not be identified here?", "zh": "为什么这里无法识别垄断忠诚？"},
    "course.loyalty.a1": {"en": "{n} customers, bringing {share:.0%} of revenue.", "zh": "{n} 位客户，贡献 {share:.0%} 的收入。"},
    "course.loyalty.a2": {"en": "On average {share:.0%} of their orders were on promotion.",
                          "zh": "他们平均 {share:.0%} 的订单享受了促销。"},
    "course.loyalty.a3": {
        "en": "It depends on whether the customer had an alternative — market data no shop log holds; in the log it "
              "looks exactly like inertia loyalty.",
        "zh": "这取决于客户是否有其他选择——这是店铺记录中没有的市场数据；在记录中它与惰性忠诚完全一样。"},
    # 4 satisfaction vs loyalty
    "course.satisfaction.title": {"en": "Worksheet 4 — Satisfaction is not loyalty", "zh": "练习 4——满意不等于忠诚"},
    "course.satisfaction.goal": {
        "en": "Cross review scores with repeat purchase, measure what drives low scores, and find satisfied "
              "customers who left and unhappy ones who stayed.",
        "zh": "把评价分数与重复购买交叉分析，度量低分的驱动因素，找出满意却离开、不满意却留下的客户。"},
    "course.satisfaction.step1": {"en": "Repeat purchase and value by review score.", "zh": "各评分的重复购买与价值。"},
    "course.satisfaction.step2": {"en": "What drives low scores, with effect sizes.", "zh": "低分的驱动因素及效应量。"},
    "course.satisfaction.step3": {"en": "The unhappy customers who keep buying.", "zh": "不满意却仍在购买的客户。"},
    "course.satisfaction.q1": {"en": "Do satisfied reviewers buy again more often than unhappy ones?",
                               "zh": "满意的评价者是否比不满意的更常再次购买？"},
    "course.satisfaction.q2": {"en": "How much more likely is a low score when delivery is late?",
                               "zh": "配送延迟时，给出低分的可能性高出多少？"},
    "course.satisfaction.q3": {"en": "How many unhappy customers stayed, and why might they?",
                               "zh": "有多少不满意的客户留了下来？他们为什么会留下？"},
    "course.satisfaction.a1": {"en": "{satisfied:.0%} of satisfied against {unhappy:.0%} of unhappy reviewers bought again.",
                               "zh": "满意者中 {satisfied:.0%} 再次购买，不满意者中为 {unhappy:.0%}。"},
    "course.satisfaction.a2": {"en": "A risk ratio of {rr:.1f}.", "zh": "风险比为 {rr:.1f}。"},
    "course.satisfaction.a3": {"en": "{n} customers: habit (inertia), no better alternative, or switching costs.",
                               "zh": "{n} 位客户：出于习惯（惰性）、没有更好的选择或转换成本高。"},
    # 5 RFM and the eight classes
    "course.rfm.title": {"en": "Worksheet 5 — RFM and the eight customer classes", "zh": "练习 5——RFM 与八类客户"},
    "course.rfm.goal": {
        "en": "Score recency, frequency and money, then sort customers into the eight classes (important/general "
              "value, development, retention, win-back) by whether each score is above its average.",
        "zh": "为近度、频度和金额打分，再按各分数是否高于平均值，把客户分为八类（重要/一般 价值、发展、保持、挽留客户）。"},
    "course.rfm.step1": {"en": "Score the customers and assign the eight classes.", "zh": "为客户打分并划分八类。"},
    "course.rfm.step2": {"en": "The averages each score is compared with.", "zh": "各分数用来比较的平均值。"},
    "course.rfm.step3": {"en": "Each class's rule, strategy, size and revenue.", "zh": "各类的规则、策略、人数与收入。"},
    "course.rfm.q1": {"en": "Which class is the largest?", "zh": "哪一类人数最多？"},
    "course.rfm.q2": {"en": "What are the average R, F and M scores?", "zh": "R、F、M 的平均分各是多少？"},
    "course.rfm.q3": {"en": "What should the shop do for 'important to retain' customers?", "zh": "店铺应如何对待“重要保持客户”？"},
    "course.rfm.a1": {"en": "{name}, {share:.0%} of customers.", "zh": "“{name}”，占客户的 {share:.0%}。"},
    "course.rfm.a2": {"en": "R {r:.2f}, F {f:.2f}, M {m:.2f}.", "zh": "R {r:.2f}，F {f:.2f}，M {m:.2f}。"},
    "course.rfm.a3": {"en": "{action}", "zh": "{action}"},
    # 6 segmentation
    "course.segments.title": {"en": "Worksheet 6 — Segmentation", "zh": "练习 6——客户细分"},
    "course.segments.goal": {
        "en": "Let k-means find groups of customers that behave alike, choose the number of groups by the "
              "silhouette and the stability of each candidate, and name the groups.",
        "zh": "用 k-means 找出行为相似的客户群，依据各候选群数的轮廓系数和稳定性选择群数，并为各群命名。"},
    "course.segments.step1": {"en": "Cluster the customers and compare the candidate numbers of groups.",
                              "zh": "对客户聚类，并比较候选的群数。"},
    "course.segments.step2": {"en": "The profile of each group.", "zh": "各群的画像。"},
    "course.segments.step3": {"en": "Size and revenue of each group.", "zh": "各群的人数与收入。"},
    "course.segments.q1": {"en": "How many groups were chosen, and with what silhouette?", "zh": "选出了几个群？轮廓系数是多少？"},
    "course.segments.q2": {"en": "Which group is the largest?", "zh": "哪个群人数最多？"},
    "course.segments.q3": {"en": "Why should the groups not all get the same treatment?", "zh": "为什么不应对所有群采取相同的策略？"},
    "course.segments.a1": {"en": "{k} groups, silhouette {silhouette:.2f}.", "zh": "{k} 个群，轮廓系数 {silhouette:.2f}。"},
    "course.segments.a2": {"en": "{name}, {share:.0%} of customers.", "zh": "“{name}”，占客户的 {share:.0%}。"},
    "course.segments.a3": {
        "en": "They bring very different value and respond to different offers: spend where the return is.",
        "zh": "它们带来的价值差异很大，对不同优惠的反应也不同：资源应投向回报所在之处。"},
    # 7 market baskets
    "course.baskets.title": {"en": "Worksheet 7 — Market baskets and cross-selling", "zh": "练习 7——购物篮分析与交叉销售"},
    "course.baskets.goal": {
        "en": "Find products bought together (association rules: support, confidence, lift) and turn them into "
              "'frequently bought together' offers.",
        "zh": "找出经常一起购买的商品（关联规则：支持度、置信度、提升度），并把它们变成“经常一起购买”的推荐。"},
    "course.baskets.step1": {"en": "Mine the rules (support at least 2%, confidence at least 30%).",
                             "zh": "挖掘关联规则（支持度至少 2%，置信度至少 30%）。"},
    "course.baskets.step2": {"en": "The rules with the highest lift.", "zh": "提升度最高的规则。"},
    "course.baskets.step3": {"en": "What to offer beside a product.", "zh": "某个商品旁边该推荐什么。"},
    "course.baskets.q1": {"en": "How many rules were found?", "zh": "找到了多少条规则？"},
    "course.baskets.q2": {"en": "Which rule has the highest lift, and what do its confidence and lift mean?",
                          "zh": "哪条规则的提升度最高？其置信度和提升度是什么意思？"},
    "course.baskets.q3": {"en": "Why is a rule with high confidence but lift near 1 useless for cross-selling?",
                          "zh": "为什么置信度高但提升度接近 1 的规则对交叉销售没有用？"},
    "course.baskets.a1": {"en": "{n} rules.", "zh": "{n} 条规则。"},
    "course.baskets.a2": {
        "en": "{rule}: {confidence:.0%} of the orders with the left side also hold the right side, {lift:.1f} times "
              "as often as in all orders.",
        "zh": "{rule}：含左侧商品的订单中有 {confidence:.0%} 也含右侧商品，是全部订单中比例的 {lift:.1f} 倍。"},
    "course.baskets.a3": {"en": "The right side sells that often anyway: the rule adds nothing to chance.",
                          "zh": "右侧商品本来就卖得这么多：这条规则并不比随机更好。"},
    # 8 churn and win-back
    "course.churn.title": {"en": "Worksheet 8 — Churn and win-back", "zh": "练习 8——客户流失与挽回"},
    "course.churn.goal": {
        "en": "Predict who stops buying in the next 90 days, check the model against a plain baseline on a later "
              "period, and list whom to win back first.",
        "zh": "预测哪些客户会在未来 90 天内停止购买，在更晚的时期把模型与简单基准比较，并列出优先挽回的客户。"},
    "course.churn.step1": {"en": "Train at one cutoff and test at a later one.", "zh": "在一个截止日训练，在更晚的截止日检验。"},
    "course.churn.step2": {"en": "The model against the baselines.", "zh": "模型与基准的比较。"},
    "course.churn.step3": {"en": "The win-back list today.", "zh": "当前的挽回名单。"},
    "course.churn.q1": {"en": "What share of the test customers churned?", "zh": "测试客户中有多少流失了？"},
    "course.churn.q2": {"en": "Does the model beat ranking by recency alone (ROC AUC)?", "zh": "模型是否优于仅按近度排序（ROC AUC）？"},
    "course.churn.q3": {"en": "Who is first on the win-back list?", "zh": "挽回名单上排第一的是谁？"},
    "course.churn.a1": {"en": "{share:.0%}.", "zh": "{share:.0%}。"},
    "course.churn.a2": {"en": "Model {model:.3f} against recency {recency:.3f}.", "zh": "模型 {model:.3f}，近度基准 {recency:.3f}。"},
    "course.churn.a3": {"en": "Customer {customer}.", "zh": "客户 {customer}。"},
    # 9 prospects
    "course.prospects.title": {"en": "Worksheet 9 — Prospects and first purchases", "zh": "练习 9——潜在客户与首次购买"},
    "course.prospects.goal": {
        "en": "Follow prospects into first-time buyers and see how many come back: the step from prospect to "
              "repeat customer. (A shop log only shows prospects once they buy; behaviour events show them earlier, as in step 1.)",
        "zh": "追踪潜在客户成为首次购买者，并看有多少人再次光顾：从潜在客户到重复购买客户的一步。"
              "（交易记录只能在潜在客户购买后看到他们；行为事件能更早看到，见步骤 1。）"},
    "course.prospects.step1": {"en": "The funnel of the bundled behaviour-event sample: visitors who view, put in the "
                                     "cart or favourites, and buy.",
                               "zh": "随包附带的行为事件样本的漏斗：浏览、加购或收藏、购买的访客。"},
    "course.prospects.step2": {"en": "In the shop's orders: where the customers acquired in the last three months are now.",
                               "zh": "在店铺订单中：最近三个月获得的客户现在处于什么状态。"},
    "course.prospects.step3": {"en": "Monthly cohorts: share still buying 1, 2, 3 months after the first purchase.",
                               "zh": "月度同期群：首次购买后第 1、2、3 个月仍在购买的比例。"},
    "course.prospects.q1": {"en": "What share of the visitors (prospects) bought anything?",
                            "zh": "访客（潜在客户）中有多少比例购买了商品？"},
    "course.prospects.q2": {"en": "How many prospects became customers of the shop in the last three months?",
                            "zh": "最近三个月有多少潜在客户成为了店铺的客户？"},
    "course.prospects.q3": {"en": "On average, what share of a cohort buys again in its second month?",
                            "zh": "平均而言，一个同期群在第二个月再次购买的比例是多少？"},
    "course.prospects.a1": {"en": "{share:.1%} of the visitors.", "zh": "访客中的 {share:.1%}。"},
    "course.prospects.a2": {"en": "{n} customers.", "zh": "{n} 位客户。"},
    "course.prospects.a3": {"en": "{share:.0%}.", "zh": "{share:.0%}。"},
})
