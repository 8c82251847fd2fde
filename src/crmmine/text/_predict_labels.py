"""Words of the recommenders beyond rules, their comparison, and the churn scorer choice (issue 17)."""

LABELS: dict[str, dict[str, str]] = {
    # --- explanations shown to a customer (crmmine.crosssell.recommenders) ---
    "reco.reason.item_cf": {"en": "Customers who bought {item} also bought this ({share} of them)",
                            "zh": "购买了 {item} 的客户也购买了此商品（{share}）"},
    "reco.reason.popular": {"en": "Popular: bought by {share} of customers", "zh": "热门商品：{share} 的客户购买过"},
    "reco.reason.buy_again": {"en": "Bought in {count} of {orders} orders, last on {date}",
                              "zh": "在 {orders} 笔订单中有 {count} 笔购买过，最近一次在 {date}"},
    "reco.reason.repeat": {"en": "You bought it in {count} of {orders} orders",
                           "zh": "您在 {orders} 笔订单中有 {count} 笔购买过"},
    "reco.reason.random": {"en": "Random pick (baseline)", "zh": "随机选择（基线）"},
    "reco.reason.rules": {"en": "Rule {item} -> this item (confidence {share})",
                          "zh": "规则 {item} -> 此商品（置信度 {share}）"},
    # --- recommender names and the comparison (crmmine.crosssell.compare) ---
    "reco.recommender.item_cf": {"en": "Item-based collaborative filtering", "zh": "基于物品的协同过滤"},
    "reco.recommender.hybrid": {"en": "Hybrid (personal + popular)", "zh": "混合方法（个性化 + 热门）"},
    "reco.recommender.buy_again": {"en": "Buy again", "zh": "再次购买"},
    "reco.recommender.random": {"en": "Random (baseline)", "zh": "随机（基线）"},
    "reco.finding.comparison_best": {
        "en": "On this shop's own data the best recommender is {best}: hit rate at {k} of {best_hit} on average over "
              "{n} time splits, against {popular_hit} for the most popular items (better at {wins} of {n}); the "
              "recommendations and explanations below come from it.",
        "zh": "在本店自己的数据上，最佳推荐方法是{best}：在 {n} 个时间切分上前 {k} 项的平均命中率为 {best_hit}，"
              "热门商品为 {popular_hit}（{n} 次中有 {wins} 次更好）；下文的推荐及其理由均来自该方法。"},
    "reco.finding.comparison_popular": {
        "en": "On this shop's own data no recommender beat the most popular items: the best, {best}, reached a hit "
              "rate at {k} of {best_hit} on average over {n} time splits against {popular_hit} for the popular items; "
              "the recommendations below are therefore the most popular items.",
        "zh": "在本店自己的数据上，没有推荐方法胜过热门商品：最好的{best}在 {n} 个时间切分上前 {k} 项的平均命中率为 "
              "{best_hit}，热门商品为 {popular_hit}；因此下文的推荐即为热门商品。"},
    "reco.finding.comparison_only_popular": {
        "en": "Only the most popular items were compared: hit rate at {k} of {popular_hit} over {n} time splits.",
        "zh": "仅比较了热门商品：在 {n} 个时间切分上前 {k} 项的命中率为 {popular_hit}。"},
    "reco.heading.comparison": {"en": "Which recommender fits this shop?", "zh": "哪种推荐方法适合本店？"},
    "reco.title.comparison": {"en": "Recommenders on the shop's own data: {metric} by list length (mean of {n} splits)",
                              "zh": "本店数据上的推荐方法：{metric}随列表长度的变化（{n} 个切分的平均）"},
    "reco.axis.list_length": {"en": "List length K", "zh": "列表长度 K"},
    "reco.metric.precision": {"en": "Precision", "zh": "精确率"},
    "reco.metric.recall": {"en": "Recall", "zh": "召回率"},
    "reco.metric.catalog_coverage": {"en": "Catalogue coverage", "zh": "商品覆盖率"},
    # --- churn: which scores are used (crmmine.churn.select) ---
    "churn.candidate.stacked": {"en": "the stacked model ({model} + both baselines)",
                                "zh": "堆叠模型（{model} + 两个基线）"},
    "churn.candidate.model": {"en": "the {model} model", "zh": "{model}模型"},
    "churn.candidate.bgnbd": {"en": "the BG/NBD baseline (P(no purchase))", "zh": "BG/NBD 基线（不再购买概率）"},
    "churn.candidate.recency": {"en": "the recency baseline (days since last purchase)", "zh": "最近购买间隔基线（距上次购买天数）"},
    "churn.finding.choice_ok": {
        "en": "The churn scores used are those of {chosen}, chosen by cross-validation at the training cutoff "
              "{cutoff}; at the test cutoff they reach ROC AUC {roc} and PR AUC {pr}, at least the best baseline's "
              "{base_roc} and {base_pr}.",
        "zh": "所用的流失分数来自{chosen}，由训练截止日 {cutoff} 上的交叉验证选出；在测试截止日其 ROC 曲线下面积（AUC） 为 {roc}、"
              "精确率-召回率曲线下面积（PR AUC） 为 {pr}，不低于最佳基线的 {base_roc} 和 {base_pr}。"},
    "churn.finding.choice_short": {
        "en": "The churn scores used are those of {chosen}, chosen by cross-validation at the training cutoff "
              "{cutoff}; at the test cutoff they reach ROC AUC {roc} and PR AUC {pr}, below the best baseline's "
              "{base_roc} or {base_pr} — treat the ranking with care.",
        "zh": "所用的流失分数来自{chosen}，由训练截止日 {cutoff} 上的交叉验证选出；在测试截止日其 ROC 曲线下面积（AUC） 为 {roc}、"
              "精确率-召回率曲线下面积（PR AUC） 为 {pr}，低于最佳基线的 {base_roc} 或 {base_pr}——请谨慎使用该排序。"},
    "churn.heading.choice": {"en": "Which churn scores are used?", "zh": "使用哪种流失分数？"},
    "churn.finding.winback_uses": {
        "en": "The win-back list below ranks customers by the scores of {chosen}, chosen again on the latest "
              "labelled cutoff.",
        "zh": "下方的挽回名单按{chosen}的分数排序，该分数在最近一个有标签的截止日上重新选出。"},
    "column.cv_roc_auc": {"en": "ROC AUC (cross-validated, training cutoff)", "zh": "ROC 曲线下面积 AUC（训练截止日交叉验证）"},
    "column.cv_pr_auc": {"en": "PR AUC (cross-validated, training cutoff)", "zh": "精确率-召回率曲线下面积 PR AUC（训练截止日交叉验证）"},
}
