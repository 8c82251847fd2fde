"""Write the course worksheets notebooks/course/*.ipynb (committed without outputs).

Each worksheet: a ``parameters`` cell (``lang``, ``answers``), a goal, guided steps on bundled or generated
data, questions, and the teacher's answers computed from the steps when ``answers=True``. All words come
from crmmine.text (labels ``course.*``). Run ``python scripts/make_course.py`` after changing a worksheet
here; cell ids are fixed so diffs stay small.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

OUT = Path(__file__).resolve().parents[1] / "notebooks" / "course"

SETUP = '''import crmmine
from IPython.display import Markdown, display
from crmmine.report import init_notebook
from crmmine.text.labels import label

params = crmmine.check_parameters(lang=lang, answers=answers)
init_notebook(lang)
Markdown(f"# {{label('course.{s}.title')}}\\n\\n**{{label('course.goal')}}** {{label('course.{s}.goal')}}\\n\\n"
         f"{{label('course.data.{data}')}}")'''

QUESTIONS = '''Markdown(f"## {{label('course.questions')}}\\n\\n1. {{label('course.{s}.q1')}}\\n2. {{label('course.{s}.q2')}}\\n"
         f"3. {{label('course.{s}.q3')}}")'''

# worksheet -> (data key, [step code], answer arguments for a1, a2, a3)
SHEETS = {
    "01_customer_value": ("value", "sample", [
        '''tx = crmmine.load_clean("sample").transactions
rules = crmmine.mine_rules(tx, min_support=0.01, min_confidence=0.3)
potential = crmmine.potential_value(crmmine.recommend(tx, rules, top_n=5), tx)
value = crmmine.customer_value(tx, horizon_days=365, discount_rate=0.10, potential_value=potential)
value[["historical_value", "predicted_value", "potential_value", "total_value"]].head()''',
        '''parts = value[["historical_value", "predicted_value", "potential_value"]].sum()
parts.round(0)''',
        '''value.sort_values("predicted_value", ascending=False)[["historical_value", "probability_alive",
                                                        "predicted_value"]].head(5).round(2)''',
    ], ["share=parts['historical_value'] / parts.sum()",
        "customer=value['predicted_value'].idxmax(), p=value.loc[value['predicted_value'].idxmax(), 'probability_alive']",
        "share=parts['potential_value'] / parts.sum()"]),
    "02_customer_states": ("states", "sample", [
        '''result = crmmine.load_clean("sample")
customers = crmmine.rfm_table(result.transactions, returns=result.returns)
customers["lifecycle_state"] = crmmine.lifecycle_states(customers)
customers["lifecycle_state"].value_counts()''',
        '''crmmine.lifecycle_thresholds(customers).to_frame()''',
        '''revenue = customers.groupby("lifecycle_state", observed=True)["monetary_total"].sum()
(revenue / revenue.sum()).round(3)''',
    ], ["share=customers['lifecycle_state'].isin(['at_risk', 'lost']).mean()",
        "days=int(crmmine.lifecycle_thresholds(customers)['at_risk_after_days'])",
        "state=label('lifecycle.state.' + str(revenue.idxmax())), share=revenue.max() / revenue.sum()"]),
    "03_loyalty_types": ("loyalty", "loyalty_shop", [
        '''shop = crmmine.datasets.make_loyalty_shop(400, random_state=0)
types = crmmine.loyalty_types(shop.transactions, promoted_orders=shop.promoted_orders, reviews=shop.reviews,
                              campaigns=shop.campaigns)
types[["orders", "promotion_dependence", "attachment", "loyalty_type_name", "dick_basu_name"]].head()''',
        '''summary = crmmine.loyalty_summary(types)
summary[["name", "customers", "revenue_share", "mean_orders", "mean_attachment",
         "mean_promotion_dependence"]].round(2)''',
        '''Markdown("\\n".join(f"- {n}" for n in types.attrs["notes"]))''',
    ], ["n=int(summary.loc['super_value', 'customers']), share=summary.loc['super_value', 'revenue_share']",
        "share=summary.loc['incentive', 'mean_promotion_dependence']",
        ""]),
    "04_satisfaction_loyalty": ("satisfaction", "loyalty_shop", [
        '''shop = crmmine.datasets.make_loyalty_shop(400, random_state=0)
sl = crmmine.satisfaction_loyalty(shop.transactions, shop.reviews, orders=shop.orders)
sl.by_score.round(2)''',
        '''sl.drivers[["name", "low_rate_with", "low_rate_without", "risk_ratio", "score_difference"]].round(2)''',
        '''sl.unhappy_but_staying[["mean_score", "orders", "revenue"]].head().round(2)''',
    ], ["satisfied=sl.customers.loc[sl.customers['satisfied'], 'repeat'].mean(), "
        "unhappy=sl.customers.loc[sl.customers['unhappy'], 'repeat'].mean()",
        "rr=sl.drivers.loc['late_delivery', 'risk_ratio']",
        "n=len(sl.unhappy_but_staying)"]),
    "05_rfm_eight_classes": ("rfm", "sample", [
        '''result = crmmine.load_clean("sample")
customers = crmmine.rfm_table(result.transactions, returns=result.returns, rfm_scheme="cn8")
customers[["recency_days", "frequency", "monetary_total", "r_score", "f_score", "m_score", "rfm_segment_name"]].head()''',
        '''customers[["r_score", "f_score", "m_score"]].mean().round(2)''',
        '''crmmine.rfm_segment_guide(rfm_scheme="cn8").join(
    crmmine.segment_summary(customers, by="rfm_segment")[["customers", "revenue_share"]], how="left").round(3)''',
    ], ["name=customers['rfm_segment_name'].value_counts().idxmax(), "
        "share=customers['rfm_segment_name'].value_counts(normalize=True).max()",
        "r=customers['r_score'].mean(), f=customers['f_score'].mean(), m=customers['m_score'].mean()",
        "action=label('rfm.action.important_retention')"]),
    "06_segmentation": ("segments", "sample", [
        '''result = crmmine.load_clean("sample")
customers = crmmine.rfm_table(result.transactions, returns=result.returns)
segmenter = crmmine.CustomerSegmenter(random_state=0).fit(customers)
segmenter.k_scores_.round(3)''',
        '''segmenter.profiles_.round(1)''',
        '''customers["cluster_name"] = segmenter.names_.reindex(segmenter.labels_).to_numpy()
crmmine.segment_summary(customers, by="cluster_name")[["customers", "customer_share", "revenue_share"]].round(3)''',
    ], ["k=segmenter.k_, silhouette=segmenter.k_scores_.set_index('k').loc[segmenter.k_, 'silhouette']",
        "name=customers['cluster_name'].value_counts().idxmax(), "
        "share=customers['cluster_name'].value_counts(normalize=True).max()",
        ""]),
    "07_market_baskets": ("baskets", "sample", [
        '''tx = crmmine.load_clean("sample").transactions
rules = crmmine.mine_rules(tx, min_support=0.02, min_confidence=0.3)
len(rules)''',
        '''top = rules.sort_values(["lift", "confidence"], ascending=False).head(5)
top[["antecedents", "consequents", "support", "confidence", "lift"]].round(3)''',
        '''crmmine.bought_together(rules, next(iter(top["antecedents"].iloc[0])), top_n=3)''',
    ], ["n=len(rules)",
        "rule=crmmine.rule_text(top['antecedents'].iloc[0], top['consequents'].iloc[0]), "
        "confidence=top['confidence'].iloc[0], lift=top['lift'].iloc[0]",
        ""]),
    "08_churn_winback": ("churn", "sample", [
        '''tx = crmmine.load_clean("sample").transactions
cuts = crmmine.churn_cutoffs(tx, horizon_days=90)
bt = crmmine.churn_backtest(tx, train_cutoff=cuts["train_cutoff"], test_cutoff=cuts["test_cutoff"],
                            model="logistic", random_state=0)
bt.test_labels["churned"].mean().round(3)''',
        '''bt.metrics[["roc_auc", "pr_auc"]].round(3)''',
        '''model = crmmine.ChurnModel("logistic", random_state=0).fit(bt.test_features, bt.test_labels["churned"])
now = crmmine.churn_features(tx, cutoff=cuts["as_of"])
winback = crmmine.winback_list(model.predict_proba(now), crmmine.customer_value(tx))
winback.head(5)''',
    ], ["share=bt.test_labels['churned'].mean()",
        "model=bt.metrics.loc['model', 'roc_auc'], recency=bt.metrics.loc['recency', 'roc_auc']",
        "customer=winback['customer_id'].iloc[0]"]),
    "09_prospects": ("prospects", "sample", [
        '''log = crmmine.load_events("sample")
crmmine.funnel(log)''',
        '''result = crmmine.load_clean("sample")
to_date = result.transactions["order_date"].max().normalize() + pd.Timedelta(days=1)
transitions = crmmine.state_transitions(result.transactions, from_date=to_date - pd.DateOffset(months=3),
                                        to_date=to_date)
transitions''',
        '''cohorts = crmmine.cohort_table(result.transactions, value="customers", period="M", normalize=True)
cohorts.iloc[:, :4].round(3)''',
    ], ["share=crmmine.funnel(log)['overall_conversion'].iloc[-1]",
        "n=int(transitions.loc['prospect'].sum())",
        "share=cohorts[1].mean()"]),
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (s, data, steps, answers) in SHEETS.items():
        cells = []
        p = new_code_cell('lang = "en"  # worksheet language: "en" or "zh"\n'
                          'answers = False  # True: the teacher\'s version, with the answers computed', id="params")
        p.metadata["tags"] = ["parameters"]
        cells.append(p)
        setup = SETUP.format(s=s, data=data)
        if name == "09_prospects":
            setup = "import pandas as pd\n" + setup
        cells.append(new_code_cell(setup, id="setup"))
        for i, code in enumerate(steps, 1):
            cells.append(new_code_cell(f'display(Markdown(f"### {{label(\'course.step\')}} {i}. '
                                       f'{{label(\'course.{s}.step{i}\')}}"))\n{code}', id=f"step-{i}"))
        cells.append(new_code_cell(QUESTIONS.format(s=s), id="questions"))
        items = []
        for i, args in enumerate(answers, 1):
            items.append(f'    "{i}. " + label("course.{s}.a{i}"' + (f", {args})" if args else ")"))
        body = ",\n".join(items)
        cells.append(new_code_cell(
            f'Markdown(f"## {{label(\'course.answers\')}}\\n\\n" + "\\n".join([\n{body},\n]) if answers\n'
            f'         else label("course.answers_hidden"))', id="answers"))
        nb = new_notebook(cells=cells, metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"}})
        nbformat.write(nb, OUT / f"{name}.ipynb")
    print(f"wrote {len(SHEETS)} worksheets to {OUT}")


if __name__ == "__main__":
    main()
