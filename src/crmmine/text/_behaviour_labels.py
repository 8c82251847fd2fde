"""Words of the behaviour area (events, funnels, prospects, abandoned carts), English and Chinese."""

LABELS = {
    # --- reading events (crmmine.read_events) ---------------------------------
    "events.audit.input": {"en": "Input lines", "zh": "输入行"},
    "events.audit.kept": {"en": "Kept (events)", "zh": "保留（事件）"},
    "events.reason.truncated_line": {"en": "Line cut off at the end of the file", "zh": "文件末尾被截断的行"},
    "events.reason.malformed_line": {"en": "Wrong number of fields", "zh": "字段数不正确"},
    "events.reason.unparseable_time": {"en": "Unreadable or missing time", "zh": "时间无法解析或缺失"},
    "events.reason.missing_customer_id": {"en": "Missing visitor id", "zh": "缺少用户ID"},
    "events.reason.missing_item_id": {"en": "Missing item id", "zh": "缺少商品ID"},
    "events.reason.unknown_event_type": {"en": "Unknown behaviour word", "zh": "未知的行为类型"},
    "events.reason.ignored_event_type": {"en": "Not a funnel event (e.g. removed from cart)",
                                         "zh": "非漏斗事件（如移出购物车）"},
    "events.reason.duplicate": {"en": "Exact duplicate event", "zh": "完全重复的事件"},
    "events.reason.out_of_window": {"en": "Outside the data's period", "zh": "超出数据时间范围"},
    # --- event types and funnel stages -------------------------------------------
    "behaviour.event.view": {"en": "View", "zh": "浏览"},
    "behaviour.event.cart": {"en": "Cart", "zh": "加购"},
    "behaviour.event.favourite": {"en": "Favourite", "zh": "收藏"},
    "behaviour.event.purchase": {"en": "Purchase", "zh": "购买"},
    "behaviour.stage.view": {"en": "Viewed", "zh": "浏览"},
    "behaviour.stage.cart": {"en": "Carted", "zh": "加购"},
    "behaviour.stage.favourite": {"en": "Favourited", "zh": "收藏"},
    "behaviour.stage.cart_or_favourite": {"en": "Carted or favourited", "zh": "加购或收藏"},
    "behaviour.stage.purchase": {"en": "Bought", "zh": "购买"},
    # --- model comparison -------------------------------------------------------
    "behaviour.scorer.model": {"en": "Propensity model", "zh": "购买倾向模型"},
    "behaviour.scorer.cart": {"en": "Items in cart", "zh": "购物车商品数"},
    "behaviour.scorer.recency": {"en": "Recency of last event", "zh": "最近一次行为"},
    "behaviour.funnel.cell": {"en": "{n}<br>{initial} of the first stage<br>{previous} of the stage before",
                              "zh": "{n}<br>占第一步的 {initial}<br>占上一步的 {previous}"},
    "behaviour.metric.roc_auc": {"en": "ROC AUC", "zh": "ROC 曲线下面积（AUC）"},
    "behaviour.metric.pr_auc": {"en": "PR AUC", "zh": "精确率-召回率曲线下面积（PR AUC）"},
    "behaviour.metric.top_decile_lift": {"en": "Top-decile lift", "zh": "前10%提升度"},
    "behaviour.finding.model_beats": {
        "en": "The propensity model beats the best plain baseline ({baseline}) on {metric}: {model_value} vs "
              "{baseline_value}, on {n} prospects of whom {rate} bought in the test window.",
        "zh": "购买倾向模型在{metric}上优于最好的简单基准（{baseline}）：{model_value} 对 {baseline_value}；"
              "测试窗口内 {n} 位潜在客户中有 {rate} 购买。"},
    "behaviour.finding.model_as_good": {
        "en": "The plain baseline '{baseline}' ranks prospects as well as the propensity model on {metric} "
              "({baseline_value} vs {model_value}), on {n} prospects of whom {rate} bought in the test window: "
              "the simple rule is enough here.",
        "zh": "简单基准“{baseline}”在{metric}上与购买倾向模型一样好（{baseline_value} 对 {model_value}）；"
              "测试窗口内 {n} 位潜在客户中有 {rate} 购买：此处简单规则已足够。"},
    "behaviour.finding.model_worse": {
        "en": "The plain baseline '{baseline}' ranks prospects better than the propensity model on {metric} "
              "({baseline_value} vs {model_value}), on {n} prospects of whom {rate} bought in the test window: "
              "use the baseline's order for the campaign.",
        "zh": "简单基准“{baseline}”在{metric}上优于购买倾向模型（{baseline_value} 对 {model_value}）；"
              "测试窗口内 {n} 位潜在客户中有 {rate} 购买：营销活动请按基准排序。"},
    # --- reasons of a prospect ---------------------------------------------------
    "behaviour.ago.now": {"en": "less than an hour ago", "zh": "不到一小时前"},
    "behaviour.ago.hours": {"en": "{n} h ago", "zh": "{n}小时前"},
    "behaviour.ago.days": {"en": "{n} days ago", "zh": "{n}天前"},
    "behaviour.reason.cart": {"en": "{n} item(s) in the cart, mostly category {category}; last seen {ago}",
                              "zh": "购物车中有{n}件商品，主要在类目{category}；最近一次访问：{ago}"},
    "behaviour.reason.favourite": {"en": "favourited {n} item(s), mostly category {category}; last seen {ago}",
                                   "zh": "收藏了{n}件商品，主要在类目{category}；最近一次访问：{ago}"},
    "behaviour.reason.view": {"en": "viewed {n} item(s) (one of them {repeats} times), mostly category {category}; "
                                    "last seen {ago}",
                              "zh": "浏览了{n}件商品（其中一件{repeats}次），主要在类目{category}；最近一次访问：{ago}"},
    # --- figures -----------------------------------------------------------------
    "behaviour.plot.funnel": {"en": "Conversion funnel (visitors)", "zh": "转化漏斗（访客数）"},
    "behaviour.plot.heatmap": {"en": "Events by weekday and hour", "zh": "按星期与小时的行为量"},
    "behaviour.plot.category": {"en": "View-to-buy conversion of the most viewed categories",
                                "zh": "浏览量最高类目的浏览-购买转化率"},
    "behaviour.plot.daily": {"en": "Visitors and buyers per day", "zh": "每日访客与购买用户"},
    "behaviour.plot.gains": {"en": "Prospects: cumulative gains on the test window",
                             "zh": "潜在客户：测试窗口累积增益"},
    "behaviour.plot.time_to_purchase": {"en": "Time from first view to purchase", "zh": "从首次浏览到购买的时间"},
    "behaviour.axis.users": {"en": "Visitors", "zh": "访客数"},
    "behaviour.axis.hour": {"en": "Hour of day", "zh": "小时"},
    "behaviour.axis.weekday": {"en": "Weekday", "zh": "星期"},
    "behaviour.axis.day": {"en": "Day", "zh": "日期"},
    "behaviour.axis.category": {"en": "Category", "zh": "类目"},
    "behaviour.axis.view_to_buy": {"en": "Viewers who bought", "zh": "浏览后购买的比例"},
    "behaviour.axis.fraction_targeted": {"en": "Share of prospects contacted", "zh": "触达的潜在客户比例"},
    "behaviour.axis.fraction_buyers": {"en": "Share of buyers reached", "zh": "覆盖的购买者比例"},
    "behaviour.axis.hours_to_purchase": {"en": "Hours from first view to purchase", "zh": "首次浏览到购买的小时数"},
    "behaviour.axis.purchases": {"en": "Purchases", "zh": "购买次数"},
    "behaviour.axis.events": {"en": "Events", "zh": "行为数"},
    "behaviour.axis.random": {"en": "Random order", "zh": "随机顺序"},
    "behaviour.series.uv": {"en": "Visitors (UV)", "zh": "访客数（UV）"},
    "behaviour.series.buyers": {"en": "Buyers", "zh": "购买用户"},
    "behaviour.weekday.0": {"en": "Mon", "zh": "周一"},
    "behaviour.weekday.1": {"en": "Tue", "zh": "周二"},
    "behaviour.weekday.2": {"en": "Wed", "zh": "周三"},
    "behaviour.weekday.3": {"en": "Thu", "zh": "周四"},
    "behaviour.weekday.4": {"en": "Fri", "zh": "周五"},
    "behaviour.weekday.5": {"en": "Sat", "zh": "周六"},
    "behaviour.weekday.6": {"en": "Sun", "zh": "周日"},
    # --- table columns shown in reports ----------------------------------------
    "behaviour.col.rule": {"en": "Rule", "zh": "规则"},
    "behaviour.col.description": {"en": "Outcome", "zh": "结果"},
    "behaviour.col.lines": {"en": "Lines", "zh": "行数"},
    "behaviour.col.share_of_lines": {"en": "Share", "zh": "占比"},
    "behaviour.col.stage": {"en": "Stage", "zh": "阶段"},
    "behaviour.col.events": {"en": "Events", "zh": "行为数"},
    "behaviour.col.users": {"en": "Visitors", "zh": "访客数"},
    "behaviour.col.step_conversion": {"en": "Step conversion", "zh": "环节转化率"},
    "behaviour.col.overall_conversion": {"en": "Overall conversion", "zh": "总体转化率"},
    "behaviour.col.metric": {"en": "Figure", "zh": "指标"},
    "behaviour.col.value": {"en": "Value", "zh": "数值"},
    "behaviour.col.scorer": {"en": "Ranking", "zh": "排序方式"},
    "behaviour.col.roc_auc": {"en": "ROC AUC", "zh": "ROC 曲线下面积（AUC）"},
    "behaviour.col.pr_auc": {"en": "PR AUC", "zh": "精确率-召回率曲线下面积（PR AUC）"},
    "behaviour.col.top_decile_lift": {"en": "Top-decile lift", "zh": "前10%提升度"},
    "behaviour.col.n_visitors": {"en": "Prospects", "zh": "潜在客户数"},
    "behaviour.col.purchase_rate": {"en": "Bought in window", "zh": "窗口内购买率"},
    "behaviour.col.rank": {"en": "Rank", "zh": "排名"},
    "behaviour.col.customer_id": {"en": "Visitor", "zh": "用户"},
    "behaviour.col.p_purchase": {"en": "P(purchase)", "zh": "购买概率"},
    "behaviour.col.reason": {"en": "Why", "zh": "原因"},
    "behaviour.col.remind_items": {"en": "Items to remind of", "zh": "提醒商品"},
    "behaviour.col.item_id": {"en": "Item", "zh": "商品"},
    "behaviour.col.category": {"en": "Category", "zh": "类目"},
    "behaviour.col.carted_at": {"en": "Carted at", "zh": "加购时间"},
    "behaviour.col.hours_since_cart": {"en": "Hours since cart", "zh": "距加购小时数"},
    "behaviour.col.item_views": {"en": "Views of the item", "zh": "该商品浏览次数"},
    "behaviour.col.customer_open_carts": {"en": "Abandoned items of the visitor", "zh": "该用户放弃的商品数"},
    "behaviour.col.customer_has_bought": {"en": "Has bought before", "zh": "曾购买过"},
    "behaviour.col.price": {"en": "Price", "zh": "价格"},
    "behaviour.col.views": {"en": "Views", "zh": "浏览次数"},
    "behaviour.col.carts": {"en": "Carts", "zh": "加购次数"},
    "behaviour.col.favourites": {"en": "Favourites", "zh": "收藏次数"},
    "behaviour.col.purchases": {"en": "Purchases", "zh": "购买次数"},
    "behaviour.col.last_event": {"en": "Last seen", "zh": "最近访问"},
    "behaviour.col.hours_since_last_event": {"en": "Hours since last seen", "zh": "距最近访问小时数"},
    "behaviour.col.items_in_cart": {"en": "Items in cart", "zh": "购物车商品数"},
    "behaviour.col.top_category": {"en": "Main category", "zh": "主要类目"},
    "behaviour.col.favourited": {"en": "Favourited", "zh": "已收藏"},
    "behaviour.col.viewers": {"en": "Viewers", "zh": "浏览人数"},
    "behaviour.col.buyers": {"en": "Buyers", "zh": "购买人数"},
    "behaviour.col.view_to_buy": {"en": "View-to-buy", "zh": "浏览-购买转化率"},
    "behaviour.col.missing_buyers": {"en": "Buyers short of the shop's rate", "zh": "低于全店转化率的缺口人数"},
    "behaviour.col.antecedents": {"en": "Viewed", "zh": "浏览了"},
    "behaviour.col.consequents": {"en": "Also viewed", "zh": "同时浏览"},
    "behaviour.col.support": {"en": "Support", "zh": "支持度"},
    "behaviour.col.confidence": {"en": "Confidence", "zh": "置信度"},
    "behaviour.col.lift": {"en": "Lift", "zh": "提升度"},
    "behaviour.traffic.pv": {"en": "Page views (PV)", "zh": "浏览量（PV）"},
    "behaviour.traffic.uv": {"en": "Unique visitors (UV)", "zh": "访客数（UV）"},
    "behaviour.traffic.pv_per_uv": {"en": "Page views per visitor", "zh": "人均浏览量"},
    "behaviour.traffic.buyers": {"en": "Buyers", "zh": "购买用户数"},
    "behaviour.traffic.paying_rate": {"en": "Paying rate (buyers / UV)", "zh": "付费率（购买用户/UV）"},
    "behaviour.traffic.repurchase_rate": {"en": "Repurchase rate (bought on 2+ days)", "zh": "复购率（2天及以上购买）"},
    "behaviour.traffic.bounce_rate": {"en": "Bounce rate (one page view only)", "zh": "跳失率（仅一次浏览）"},
    "behaviour.traffic.cart_abandonment_rate": {"en": "Cart abandonment", "zh": "购物车放弃率"},
    "behaviour.traffic.median_hours_to_purchase": {"en": "Median hours from first view to purchase",
                                                   "zh": "首次浏览到购买的中位小时数"},
    # --- report -------------------------------------------------------------------
    "behaviour.report.title": {"en": "Visitor behaviour: funnel, prospects and abandoned carts",
                               "zh": "用户行为分析：漏斗、潜在客户与放弃的购物车"},
    "behaviour.report.data": {"en": "The data", "zh": "数据"},
    "behaviour.report.funnel": {"en": "The funnel", "zh": "转化漏斗"},
    "behaviour.report.traffic": {"en": "Traffic and when it happens", "zh": "流量与时间分布"},
    "behaviour.report.prospects": {"en": "Prospects: who is likely to buy next", "zh": "潜在客户：谁可能购买"},
    "behaviour.report.model": {"en": "Does the model beat simple rules?", "zh": "模型是否优于简单规则？"},
    "behaviour.report.carts": {"en": "Abandoned carts", "zh": "放弃的购物车"},
    "behaviour.report.items": {"en": "Items: looked at, not bought", "zh": "商品：看了却没买"},
    "behaviour.report.rules": {"en": "Items viewed together", "zh": "经常一起浏览的商品"},
    "behaviour.report.campaign": {"en": "Campaign list: {name} ({n} rows; the full list is in {file})",
                                  "zh": "营销名单：{name}（{n} 行；完整名单见 {file}）"},
    "behaviour.list.funnel": {"en": "carted or favourited, never bought", "zh": "加购或收藏但未购买"},
    "behaviour.list.prospects": {"en": "prospects by purchase propensity", "zh": "按购买倾向排序的潜在客户"},
    "behaviour.list.carts": {"en": "abandoned carts", "zh": "放弃的购物车"},
    # --- one-sentence findings -------------------------------------------------
    "behaviour.summary.fit_sample": {
        "en": "With this many visitors the model was fitted on a random sample of {n_fit} of the {n} visitors (in "
              "proportion to buyers and non-buyers; every visitor is scored, and the comparison above covers all).",
        "zh": "访客较多，模型在 {n} 位访客中按购买与未购买比例随机抽取的 {n_fit} 位上拟合；所有访客均参与评分，上面的"
              "比较也涵盖全部访客。"},
    "behaviour.summary.read": {
        "en": "{kept} of {lines} lines are events of {visitors} visitors from {start} to {end} ({tz}); {rejected} "
              "lines were rejected: {reasons}.",
        "zh": "{lines} 行中有 {kept} 行为有效事件，涉及 {visitors} 位访客，时间 {start} 至 {end}（{tz}）；"
              "拒绝 {rejected} 行：{reasons}。"},
    "behaviour.summary.no_rejects": {"en": "none", "zh": "无"},
    "behaviour.summary.funnel": {
        "en": "Of {uv} visitors, {stage1} reached '{name1}' ({rate1}) and {stage2} bought ({rate2} of them; {overall} "
              "of all visitors). The biggest loss is between '{worst_from}' and '{worst_to}'.",
        "zh": "{uv} 位访客中，{stage1} 位进入“{name1}”（{rate1}），{stage2} 位购买（占其 {rate2}；占全部访客 "
              "{overall}）。流失最大的环节是“{worst_from}”到“{worst_to}”。"},
    "behaviour.summary.traffic": {
        "en": "{pv} page views by {uv} visitors ({pv_per_uv} each); paying rate {paying}, repurchase rate "
              "{repurchase}, bounce rate {bounce}.",
        "zh": "{uv} 位访客共浏览 {pv} 次（人均 {pv_per_uv}）；付费率 {paying}，复购率 {repurchase}，跳失率 {bounce}。"},
    "behaviour.summary.peak": {
        "en": "Activity peaks on {weekday} at {hour}:00; the busiest hour of the day is {best_hour}:00 and the "
              "quietest {worst_hour}:00.",
        "zh": "行为高峰在{weekday} {hour}:00；一天中最繁忙的是 {best_hour}:00，最清淡的是 {worst_hour}:00。"},
    "behaviour.summary.time_to_purchase": {
        "en": "Half of the purchases follow the first view of the item within {median} hours; {share} within one hour.",
        "zh": "一半的购买发生在首次浏览该商品后 {median} 小时内；{share} 在一小时内完成。"},
    "behaviour.summary.category": {
        "en": "Among the {n} most viewed categories, {best} converts best ({best_rate} of viewers buy) and {worst} "
              "worst ({worst_rate}).",
        "zh": "在浏览量最高的 {n} 个类目中，{best} 转化最好（{best_rate} 的浏览者购买），{worst} 最差（{worst_rate}）。"},
    "behaviour.summary.prospects": {
        "en": "{n} visitors looked but never bought; the {top} ranked highest hold {share} of the expected buyers "
              "among them (scored as of {as_of}, horizon {horizon} days).",
        "zh": "{n} 位访客浏览过但从未购买；排名前 {top} 位占其中预期购买者的 {share}（评分时点 {as_of}，预测窗口 "
              "{horizon} 天）。"},
    "behaviour.summary.carts": {
        "en": "{n} carted items of {visitors} visitors were not bought within {hours} hours; {share} of judged carts "
              "end like this.",
        "zh": "{visitors} 位访客的 {n} 件加购商品在 {hours} 小时内未购买；已可判断的加购中有 {share} 如此。"},
    "behaviour.summary.items": {
        "en": "{n} items are viewed by at least {min_viewers} visitors yet convert below the shop's rate of {rate}; "
              "the largest gap is item {item} ({viewers} viewers, {item_rate} bought).",
        "zh": "{n} 件商品至少有 {min_viewers} 位浏览者，但转化率低于全店的 {rate}；差距最大的是商品 {item}"
              "（{viewers} 位浏览者，{item_rate} 购买）。"},
    "behaviour.summary.no_items": {"en": "No item is viewed by {min_viewers} visitors or more and converts below the "
                                         "shop's rate of {rate}.",
                                   "zh": "没有浏览者达到 {min_viewers} 位且转化率低于全店 {rate} 的商品。"},
    "behaviour.summary.rules": {
        "en": "{n} rules at support {support} over {baskets} {by} baskets; the strongest: visitors who view {a} also "
              "view {c} (confidence {confidence}, lift {lift}).",
        "zh": "在 {baskets} 个{by}篮子中、支持度 {support} 下得到 {n} 条规则；最强的是：浏览 {a} 的访客也浏览 {c}"
              "（置信度 {confidence}，提升度 {lift}）。"},
    "behaviour.summary.no_rules": {"en": "No rule reaches support {support} over {baskets} {by} baskets; lower "
                                         "min_support to see weaker associations.",
                                   "zh": "在 {baskets} 个{by}篮子中没有规则达到支持度 {support}；可降低 min_support。"},
    "behaviour.by.user_day": {"en": "visitor-day", "zh": "用户-日"},
    "behaviour.by.session": {"en": "session", "zh": "会话"},
}
