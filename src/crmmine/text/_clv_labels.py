"""User-facing words of the purchase-model choice, holdout check, intervals and tracking plots (issue 13)."""

LABELS: dict[str, dict[str, str]] = {
    # model names
    "clv.model.BG/NBD": {"en": "BG/NBD", "zh": "BG/NBD 模型"},
    "clv.model.Pareto/NBD": {"en": "Pareto/NBD", "zh": "Pareto/NBD 模型"},
    "clv.model.MBG/NBD": {"en": "modified BG/NBD", "zh": "修正 BG/NBD 模型"},
    "clv.model.Pareto/NBD + covariates": {"en": "Pareto/NBD with customer covariates",
                                          "zh": "带客户协变量的 Pareto/NBD 模型"},
    "clv.model.BG/NBD + covariates": {"en": "BG/NBD with customer covariates", "zh": "带客户协变量的 BG/NBD 模型"},
    "clv.model.explain.BG/NBD + covariates": {
        "en": "customers buy at their own pace and may stop after any repeat purchase, at rates that depend on "
              "{covariates}",
        "zh": "客户按各自的节奏购买，每次复购后都可能流失，购买和流失的速度取决于{covariates}"},
    "clv.model.explain.BG/NBD": {
        "en": "customers buy at their own pace and may stop after any repeat purchase",
        "zh": "客户按各自的节奏购买，每次复购后都可能流失"},
    "clv.model.explain.Pareto/NBD": {
        "en": "customers buy at their own pace and may stop at any moment",
        "zh": "客户按各自的节奏购买，任何时候都可能流失"},
    "clv.model.explain.MBG/NBD": {
        "en": "customers buy at their own pace and may stop after any purchase, the first one included",
        "zh": "客户按各自的节奏购买，包括首次购买在内的每次购买后都可能流失"},
    "clv.model.explain.Pareto/NBD + covariates": {
        "en": "customers buy at their own pace and may stop at any moment, at rates that depend on {covariates}",
        "zh": "客户按各自的节奏购买，任何时候都可能流失，购买和流失的速度取决于{covariates}"},
    "clv.covariate.before_data": {"en": "whether they already bought in the first month of the data",
                                  "zh": "是否在数据的第一个月就已购买（老客户）"},
    "clv.covariate.home_country": {"en": "whether they are in the shop's home country",
                                   "zh": "是否在本国"},
    "clv.join.and": {"en": " and ", "zh": "和"},
    "clv.join.list": {"en": "; ", "zh": "；"},
    # model choice
    "clv.heading.model_choice": {"en": "Which purchase model, and why", "zh": "选用哪个购买模型，为什么"},
    "clv.choice.holdout_mae": {
        "en": "We use the {model} model ({explain}). Fitted on the data up to {cal_end} and checked on the "
              "{days:.0f} days after, which it did not see, it missed each customer's number of purchases by "
              "{mae:.2f} on average, the smallest error of the {n} models tried ({others}).",
        "zh": "我们选用{model}（{explain}）。用 {cal_end} 之前的数据拟合、在其后它未见过的 {days:.0f} 天上检验，"
              "它对每位客户购买次数的平均误差为 {mae:.2f}，是所试 {n} 个模型中最小的（{others}）。"},
    "clv.choice.bic": {
        "en": "We use the {model} model ({explain}). Fitted on the data up to {cal_end} and checked on the "
              "{days:.0f} days after, it predicted about as well as the best of the {n} models tried "
              "({mae:.2f} purchases off per customer; {others}) and explains the past with the best balance of "
              "fit and simplicity (lowest BIC).",
        "zh": "我们选用{model}（{explain}）。用 {cal_end} 之前的数据拟合、在其后 {days:.0f} 天上检验，它的预测与所试 "
              "{n} 个模型中最好的一样准（每位客户平均误差 {mae:.2f}；{others}），并且在拟合与简洁之间平衡最好（贝叶斯信息准则 BIC 最低）。"},
    "clv.choice.other": {"en": "{model} {mae:.2f}", "zh": "{model} {mae:.2f}"},
    "clv.choice.total": {
        "en": "In total it predicted {predicted:,.0f} purchase days in those {days:.0f} days; {actual:,.0f} happened "
              "({error_pct:+.0f}%).",
        "zh": "这 {days:.0f} 天里它共预测 {predicted:,.0f} 个购买日，实际为 {actual:,.0f}（{error_pct:+.0f}%）。"},
    "clv.choice.lr.significant": {
        "en": "The covariates improve the fit beyond chance (likelihood-ratio test: chi-squared {stat:.1f} on {df} "
              "degrees of freedom, p {p}).",
        "zh": "协变量显著改善了拟合（似然比检验：卡方 {stat:.1f}，自由度 {df}，p {p}）。"},
    "clv.choice.lr.not_significant": {
        "en": "The covariates do not improve the fit beyond chance (likelihood-ratio test: chi-squared {stat:.1f} "
              "on {df} degrees of freedom, p {p}).",
        "zh": "协变量没有显著改善拟合（似然比检验：卡方 {stat:.1f}，自由度 {df}，p {p}）。"},
    # holdout check by group
    "clv.heading.holdout_check": {"en": "Does the model hold up, group by group?", "zh": "分组检验：模型是否经得起检验？"},
    "clv.check.sentence": {
        "en": "Of the one-time buyers older than {old_days:.0f} days, {actual_pct:.0f}% bought again in the "
              "{days:.0f} days after {cal_end}; the model predicted {pred_pct:.0f}%. Across the groups below the "
              "largest gap is {gap:+.0f} points ({group}).",
        "zh": "首次购买已超过 {old_days:.0f} 天的一次性客户中，有 {actual_pct:.0f}% 在 {cal_end} 之后的 {days:.0f} 天内"
              "再次购买；模型预测为 {pred_pct:.0f}%。下表各组中差距最大的是{group}（{gap:+.0f} 个百分点）。"},
    "clv.check.group.all": {"en": "All customers", "zh": "全部客户"},
    "clv.check.group.one_time": {"en": "One-time buyers", "zh": "一次性客户"},
    "clv.check.group.one_time_old": {"en": "One-time buyers older than {old_days:.0f} days",
                                     "zh": "首购超过 {old_days:.0f} 天的一次性客户"},
    "clv.check.group.repeat": {"en": "Repeat buyers", "zh": "回头客"},
    "clv.check.group.silent": {"en": "Last purchase {lo:g}-{hi:g} days before", "zh": "最近购买在 {lo:g}-{hi:g} 天前"},
    "clv.check.group.silent_over": {"en": "Last purchase over {lo:g} days before",
                                    "zh": "最近购买在 {lo:g} 天以前"},
    "clv.check.col.group": {"en": "Group", "zh": "客户组"},
    "clv.check.col.customers": {"en": "Customers", "zh": "客户数"},
    "clv.check.col.actual_share": {"en": "Bought again (actual)", "zh": "实际再购比例"},
    "clv.check.col.predicted_share": {"en": "Bought again (predicted)", "zh": "预测再购比例"},
    "clv.check.col.difference_points": {"en": "Difference (points)", "zh": "差距（百分点）"},
    # P(alive) vs lifecycle
    "clv.reconcile.high": {
        "en": "The shop's rhythm calls {n_lost:,} customers 'lost' (silent for much longer than they usually wait "
              "between purchases), yet the model gives them a mean probability of being active of {palive:.0%}. "
              "Both are right about different things: in this data the model saw few customers stop for good, so it "
              "reads a long silence as a slow buyer rather than a departed one, and the holdout check above shows "
              "how far to trust it ({actual_pct:.0f}% of the old one-time buyers did come back).",
        "zh": "按本店的购买节奏，有 {n_lost:,} 位客户被判为“流失”（沉默时间远超其通常的购买间隔），但模型给他们的平均活跃概率"
              "是 {palive:.0%}。两者说的是不同的事：在这份数据里模型很少看到客户永久离开，所以把长时间沉默理解为“买得慢”而不是"
              "“已离开”；上面的验证期检验说明了它有多可信（首购较久的一次性客户中有 {actual_pct:.0f}% 确实回来了）。"},
    "clv.reconcile.low": {
        "en": "The shop's rhythm calls {n_lost:,} customers 'lost'; the model agrees for most of them: their mean "
              "probability of being active is {palive:.0%}, against {palive_active:.0%} for the active customers.",
        "zh": "按本店的购买节奏，有 {n_lost:,} 位客户被判为“流失”；模型对其中多数人看法一致：他们的平均活跃概率是 "
              "{palive:.0%}，而活跃客户为 {palive_active:.0%}。"},
    # intervals
    "clv.heading.intervals": {"en": "Predicted purchases by segment, with ranges", "zh": "各客群的预测购买及其区间"},
    "clv.interval.note": {
        "en": "Ranges are {level:.0%} intervals from the uncertainty of the model's estimates ({n_draws} draws of "
              "its parameters); they do not include a single customer's own randomness. Over the next {days:.0f} "
              "days the model expects {total:,.0f} purchase days in all ({lower:,.0f} to {upper:,.0f}).",
        "zh": "区间是由模型参数估计的不确定性得到的 {level:.0%} 区间（参数抽样 {n_draws} 次），不包含单个客户自身的随机性。"
              "未来 {days:.0f} 天模型预计共有 {total:,.0f} 个购买日（{lower:,.0f} 至 {upper:,.0f}）。"},
    "clv.interval.col.customers": {"en": "Customers", "zh": "客户数"},
    "clv.interval.col.estimate": {"en": "Expected purchase days", "zh": "预计购买日"},
    "clv.interval.col.lower": {"en": "Low", "zh": "下限"},
    "clv.interval.col.upper": {"en": "High", "zh": "上限"},
    # tracking plots
    "clv.heading.tracking": {"en": "Tracking: repeat purchases week by week", "zh": "逐周跟踪：复购次数"},
    "clv.tracking.title.incremental": {"en": "Weekly repeat purchases: actual vs model", "zh": "每周复购：实际与模型"},
    "clv.tracking.title.cumulative": {"en": "Cumulative repeat purchases: actual vs model",
                                      "zh": "累计复购：实际与模型"},
    "clv.tracking.axis.week": {"en": "Week", "zh": "周"},
    "clv.tracking.axis.repeat": {"en": "Repeat purchase days", "zh": "复购日数"},
    "clv.tracking.legend.actual": {"en": "Actual", "zh": "实际"},
    "clv.tracking.legend.model": {"en": "Model", "zh": "模型"},
    "clv.tracking.legend.calibration_end": {"en": "End of fitting period", "zh": "拟合期结束"},
    "clv.alive_history.title": {"en": "Probability that customer {customer} is active, day by day",
                                "zh": "客户 {customer} 每天的活跃概率"},
    "clv.alive_history.axis.date": {"en": "Date", "zh": "日期"},
    "clv.alive_history.axis.probability": {"en": "Probability active", "zh": "活跃概率"},
    "clv.alive_history.legend.purchase": {"en": "Purchase", "zh": "购买"},
    # model comparison table columns (shown by crmmine.report.table)
    "column.n_params": {"en": "Parameters", "zh": "参数个数"},
    "column.log_likelihood": {"en": "Log-likelihood", "zh": "对数似然"},
    "column.bic": {"en": "BIC", "zh": "贝叶斯信息准则（BIC）"},
    "column.holdout_mae": {"en": "Holdout error per customer (MAE)", "zh": "验证期每客户误差 (MAE)"},
    "column.holdout_rmse": {"en": "Holdout error per customer (RMSE)", "zh": "验证期每客户误差 (RMSE)"},
    "column.predicted_total": {"en": "Predicted purchase days", "zh": "预测购买天数"},
    "column.actual_total": {"en": "Actual purchase days", "zh": "实际购买天数"},
    "column.total_error_pct": {"en": "Total error (%)", "zh": "总误差 (%)"},
    "column.chosen": {"en": "Chosen", "zh": "选中"},
}
