"""CustomerSegmenter: planted-segment recovery, automatic k, profiles and names, contract, errors, real data."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

import crmmine
from crmmine.errors import InputError, MissingColumnError, NotFittedError, ParameterError
from crmmine.text.labels import set_language


@pytest.fixture(scope="module")
def planted():
    tx, truth = crmmine.datasets.make_transactions(3000, random_state=0)
    customers = crmmine.customer_table(tx)
    return customers, truth.segments.reindex(customers.index)


# Seeds of the behavioural shop written down before any result on them was seen (the defaults were
# developed on seeds 0, 1 and 2); their results are pinned as found, not tuned.
_UNTUNED_SEEDS = (11, 23, 37, 58)


@pytest.fixture(scope="module", params=_UNTUNED_SEEDS)
def behavioural(request):
    tx, truth = crmmine.datasets.make_transactions(3000, random_state=request.param,
                                                   segments=crmmine.datasets.BEHAVIOURAL_SEGMENTS)
    customers = crmmine.customer_table(tx)
    return request.param, customers, truth.segments.reindex(customers.index)


def test_default_settings_recover_behavioural_segments(behavioural):
    # champions, loyal, new, lapsing and hibernating customers differ jointly in recency, frequency and
    # spend; the default features, scaling and choice of k find them
    seed, customers, truth = behavioural
    seg = crmmine.CustomerSegmenter(random_state=0).fit(customers)
    ari = adjusted_rand_score(truth, seg.labels_)
    # found: ARI 0.879, 0.861, 0.855, 0.876; k 5, 5, 6, 5 (seed 37: the new customers split by how new
    # they are, the 87 who arrived in the last days (3%) apart; the silhouette of 6 is 0.45 against 0.46
    # for 5 and the split is stable, so the rule takes the finer one)
    assert ari >= 0.8
    assert seg.k_ == {11: 5, 23: 5, 37: 6, 58: 5}[seed]
    assert seg.k_reason_ == "largest_near_best"
    assert seg.stability_ >= 0.95
    assert seg.names_.is_unique
    # cluster 0 (highest mean spend) is the champions; the new customers are named new
    assert (seg.labels_[truth == "champions"] == 0).mean() > 0.8
    new_cluster = seg.labels_[truth == "new"].mode()[0]
    assert ", new" in seg.names_[new_cluster]
    assert list(seg.k_scores_.columns) == ["k", "silhouette", "inertia", "stability", "smallest_share", "eligible"]
    assert seg.k_scores_["k"].tolist() == [3, 4, 5, 6, 7]
    # the silhouette alone would take 3 groups: the best silhouette is the coarsest split
    assert int(seg.k_scores_.loc[seg.k_scores_["silhouette"].idxmax(), "k"]) == 3


def test_the_old_default_features_did_not_recover_them():
    # the former defaults (recency, frequency, total spend; silhouette over 2..10) on the same untuned seed
    tx, truth = crmmine.datasets.make_transactions(3000, random_state=11, segments=crmmine.datasets.BEHAVIOURAL_SEGMENTS)
    customers = crmmine.customer_table(tx)
    old = crmmine.CustomerSegmenter(features=("recency_days", "frequency", "monetary_total"), k_range=(2, 10),
                                    stability_runs=0, random_state=0).fit(customers)
    assert adjusted_rand_score(truth.segments.reindex(customers.index), old.labels_) < 0.8


def test_choice_of_k_by_hand():
    from crmmine.customers.segment import _choose_k

    ks = pd.DataFrame({"k": [3, 4, 5, 6], "silhouette": [0.50, 0.46, 0.44, 0.30],
                       "stability": [1.0, 0.99, 0.95, 0.99], "smallest_share": [0.2, 0.1, 0.05, 0.01]})
    ks["eligible"] = (ks["stability"] >= 0.9) & (ks["smallest_share"] >= 0.02)
    assert _choose_k(ks) == (4, "largest_near_best")  # 0.46 >= 0.9 * 0.50 > 0.44
    ks.loc[2, "silhouette"] = 0.45  # exactly 90% of the best
    assert _choose_k(ks) == (5, "largest_near_best")
    ks.loc[2, "stability"] = 0.8  # unstable: not eligible
    ks["eligible"] = (ks["stability"] >= 0.9) & (ks["smallest_share"] >= 0.02)
    assert _choose_k(ks) == (4, "largest_near_best")
    ks.loc[1, "silhouette"] = 0.40
    assert _choose_k(ks) == (3, "best_silhouette")
    ks["eligible"] = False
    assert _choose_k(ks) == (3, "none_eligible")


def test_automatic_k_recovers_the_planted_segments(planted):
    customers, truth = planted
    # the spend-only planted segments differ in order value and purchase rate: cluster on total and mean spend
    seg = crmmine.CustomerSegmenter(features=("monetary_total", "monetary_mean"), k_range=(2, 10),
                                    random_state=0).fit(customers)
    assert seg.k_ == 3
    assert adjusted_rand_score(truth, seg.labels_) >= 0.8
    assert seg.stability_ >= 0.95
    # cluster 0 is the most valuable: the planted VIPs
    vip = truth == "vip"
    assert (seg.labels_[vip] == 0).mean() > 0.8
    assert seg.k_scores_["k"].tolist() == list(range(2, 11))
    assert seg.k_scores_["inertia"].is_monotonic_decreasing
    assert seg.elbow_k_ == 3


def test_given_k_with_frequency_and_order_value(planted):
    customers, truth = planted
    seg = crmmine.CustomerSegmenter(3, features=("frequency", "monetary_mean"), random_state=1).fit(customers)
    assert adjusted_rand_score(truth, seg.labels_) >= 0.8
    assert seg.k_scores_["k"].tolist() == [3]


def test_minibatch_recovers_too(planted):
    customers, truth = planted
    seg = crmmine.CustomerSegmenter(3, features=("monetary_total", "monetary_mean"), algorithm="minibatch",
                                    stability_runs=0, random_state=0).fit(customers)
    assert seg.algorithm_ == "minibatch"
    assert adjusted_rand_score(truth, seg.labels_) >= 0.8
    assert np.isnan(seg.stability_)


def test_profiles_names_and_predict(planted):
    customers, _ = planted
    seg = crmmine.CustomerSegmenter(3, random_state=0).fit(customers)
    p = seg.profiles_
    assert list(p.columns) == ["name", "size", "share", "revenue_share", "recency_days", "frequency",
                               "monetary_mean", "tenure_days"]
    assert p["size"].sum() == len(customers) and p["share"].sum() == pytest.approx(1.0)
    assert p["revenue_share"].sum() == pytest.approx(1.0)
    assert customers.groupby(seg.labels_)["monetary_total"].mean().is_monotonic_decreasing  # numbered by value
    # the profile means are the plain means of each cluster
    means = customers.groupby(seg.labels_)["frequency"].mean()
    np.testing.assert_allclose(p["frequency"].to_numpy(), means.to_numpy())
    assert p["name"].is_unique and seg.names_.iloc[0].startswith("High value")
    assert (seg.predict(customers) == seg.labels_).mean() > 0.999
    assert seg.labels_.name == "cluster" and seg.labels_.index.equals(customers.index)
    assert seg.cluster_centers_.shape == (3, 4)
    assert seg.k_reason_ == "given" and seg.k_scores_["k"].tolist() == [3]


def test_names_follow_the_language(planted):
    customers, _ = planted
    set_language("zh")
    try:
        seg = crmmine.CustomerSegmenter(3, stability_runs=0, random_state=0).fit(customers)
    finally:
        set_language("en")
    assert seg.names_.iloc[0].startswith("高价值")


def test_deterministic_and_picklable(planted):
    customers, _ = planted
    a = crmmine.CustomerSegmenter(random_state=5, k_range=(2, 4), stability_runs=1).fit(customers)
    b = crmmine.CustomerSegmenter(random_state=5, k_range=(2, 4), stability_runs=1).fit(customers)
    pd.testing.assert_series_equal(a.labels_, b.labels_)
    pd.testing.assert_frame_equal(a.k_scores_, b.k_scores_)
    c = pickle.loads(pickle.dumps(a))
    pd.testing.assert_series_equal(c.predict(customers), a.predict(customers))


def test_estimator_contract():
    seg = crmmine.CustomerSegmenter(4, features=("frequency",), random_state=np.random.RandomState(0))
    assert seg.n_clusters == 4 and seg.features == ("frequency",)
    assert isinstance(seg.random_state, np.random.RandomState)  # stored as given
    assert seg.get_params()["n_clusters"] == 4
    assert seg.set_params(n_clusters=3) is seg and seg.n_clusters == 3
    assert not hasattr(seg, "labels_")
    with pytest.raises(NotFittedError, match=r"not fitted yet; call fit\(customers\)"):
        seg.predict(pd.DataFrame({"frequency": [1]}))
    with pytest.raises(ParameterError, match=r"CustomerSegmenter has no parameter 'k'"):
        seg.set_params(k=3)


def test_hand_made_clusters_exact():
    # two tight groups on a log scale: {1, 1, 2} orders and {100, 120, 110}
    c = pd.DataFrame({"frequency": [1, 1, 2, 100, 120, 110], "monetary_total": [10, 11, 12, 5000, 6000, 5500]},
                     index=list("abcdef"))
    seg = crmmine.CustomerSegmenter(2, features=("frequency", "monetary_total"), stability_runs=2,
                                    random_state=0).fit(c)
    assert seg.labels_.tolist() == [1, 1, 1, 0, 0, 0]
    assert seg.profiles_["size"].tolist() == [3, 3]
    assert seg.profiles_["frequency"].tolist() == pytest.approx([110.0, 4 / 3])
    assert seg.profiles_["revenue_share"].tolist() == pytest.approx([16500 / 16533, 33 / 16533])
    assert seg.stability_ == pytest.approx(1.0)
    assert seg.names_.tolist() == ["High value, frequent", "Low value, rare"]


def test_names_that_would_collide_are_told_apart_in_words():
    from crmmine.customers.segment import _cluster_names

    feats = ["recency_days", "frequency", "monetary_mean", "tenure_days"]
    # three clusters "High value, frequent, recent" differing most in recency, then in order value
    centers = np.array([[-1.0, 1.0, 0.9, 0.0], [-0.6, 1.0, 0.2, 0.0], [-2.0, 1.0, 0.2, 0.0], [1.5, -1.0, 0.0, -1.0]])
    names = _cluster_names(centers, feats, value_z=np.array([1.0, 1.0, 1.0, -1.0]))
    assert names == ["High value, frequent, recent (less recent, bigger orders)",
                     "High value, frequent, recent (less recent, smaller orders)",
                     "High value, frequent, recent (more recent)",
                     "Low value, rare, lapsed, new"]
    set_language("zh")
    try:
        zh = _cluster_names(centers[:2], feats, value_z=np.array([1.0, 1.0]))
    finally:
        set_language("en")
    assert zh == ["高价值，购买频繁，近期活跃（订单金额较高）", "高价值，购买频繁，近期活跃（订单金额较低）"]
    # identical centres cannot be told apart by any feature: the cluster number is added
    same = _cluster_names(np.zeros((2, 4)), feats)
    assert same == ["Mid value, occasional, cooling (0)", "Mid value, occasional, cooling (1)"]


def test_errors(planted):
    customers, _ = planted
    with pytest.raises(ParameterError, match=r"The 'n_clusters' parameter must be an integer >= 2 or None. Got 1"):
        crmmine.CustomerSegmenter(1).fit(customers)
    with pytest.raises(ParameterError, match=r"The 'k_range' parameter must be a pair .* Got \(5, 2\)"):
        crmmine.CustomerSegmenter(k_range=(5, 2)).fit(customers)
    with pytest.raises(ParameterError, match=r"The 'algorithm' parameter must be one of 'auto', 'kmeans', 'minibatch'"):
        crmmine.CustomerSegmenter(algorithm="dbscan").fit(customers)
    with pytest.raises(ParameterError, match=r"The 'min_cluster_share' parameter must be .* Got 1"):
        crmmine.CustomerSegmenter(min_cluster_share=1).fit(customers)
    with pytest.raises(ParameterError, match=r"The 'sample_size' parameter must be an integer >= 100. Got 5"):
        crmmine.CustomerSegmenter(sample_size=5).fit(customers)
    with pytest.raises(ParameterError, match=r"The 'features' parameter must be a non-empty tuple"):
        crmmine.CustomerSegmenter(features=()).fit(customers)
    with pytest.raises(MissingColumnError, match=r"no feature column 'clv'"):
        crmmine.CustomerSegmenter(features=("clv",)).fit(customers)
    with pytest.raises(InputError, match=r"'mean_interpurchase_days' has a missing or infinite value.*NaN for one-order"):
        crmmine.CustomerSegmenter(features=("mean_interpurchase_days",)).fit(customers)
    with pytest.raises(InputError, match=r"The feature column 'country' must be numeric"):
        crmmine.CustomerSegmenter(features=("country",)).fit(customers)
    with pytest.raises(InputError, match=r"Cannot make 5 clusters of 4 customers"):
        crmmine.CustomerSegmenter(5, features=("frequency",)).fit(customers.head(4))
    with pytest.raises(InputError, match=r"has 2 rows; clustering needs at least 3"):
        crmmine.CustomerSegmenter(features=("frequency",)).fit(customers.head(2))
    with pytest.raises(ParameterError, match=r"The 'customers' parameter must be a DataFrame"):
        crmmine.CustomerSegmenter(2).fit(np.zeros((10, 3)))


def test_bundled_sample_gets_three_named_groups():
    customers = crmmine.customer_table(crmmine.load_clean("sample").transactions)
    seg = crmmine.CustomerSegmenter(random_state=0).fit(customers)
    # (the former defaults gave k = 2) four and five are stable too but clearly less separated
    assert seg.k_ == 3 and seg.k_reason_ == "best_silhouette"
    assert seg.names_.tolist() == ["High value, frequent, recent", "Mid value, occasional, lapsed",
                                   "Low value, rare, cooling, new"]
    assert seg.profiles_["size"].tolist() == [316, 469, 208]
    assert seg.profiles_.loc[0, "revenue_share"] == pytest.approx(0.745, abs=0.001)


@pytest.mark.slow
@pytest.mark.shared_data
def test_full_online_retail(online_retail_path):
    r = crmmine.load_clean(online_retail_path)
    customers = crmmine.customer_table(r.transactions)
    seg = crmmine.CustomerSegmenter(random_state=0).fit(customers)
    # the former defaults gave two groups (a frequent high-value core and the rest); now three named ones
    assert seg.k_ == 3
    assert seg.names_.tolist() == ["High value, frequent, recent", "Mid value, occasional, lapsed",
                                   "Low value, rare, cooling, new"]
    assert seg.profiles_["share"].min() > 0.2
    assert seg.profiles_.loc[0, "revenue_share"] > 0.75
    assert seg.stability_ > 0.9
    four = crmmine.CustomerSegmenter(4, random_state=0).fit(customers)
    assert four.profiles_["size"].sum() == 4333
    assert customers.groupby(four.labels_)["monetary_total"].mean().is_monotonic_decreasing


# --- segment_summary and findings ----------------------------------------------------
def test_segment_summary_by_hand():
    c = pd.DataFrame({"seg": pd.Categorical(["b", "a", "b", "b"], categories=["a", "b", "z"]),
                      "monetary_total": [10.0, 50.0, 30.0, 10.0], "frequency": [1, 5, 3, 2],
                      "predicted_value": [0.0, 20.0, 5.0, 15.0]})
    s = crmmine.segment_summary(c, by="seg")
    assert s.index.tolist() == ["a", "b"]  # category order, empty categories dropped
    assert s["customers"].tolist() == [1, 3]
    assert s["revenue_share"].tolist() == pytest.approx([0.5, 0.5])
    assert s["frequency"].tolist() == pytest.approx([5.0, 2.0])
    assert s["predicted_value_share"].tolist() == pytest.approx([0.5, 0.5])
    with pytest.raises(MissingColumnError, match=r"no column 'cluster'.*by='<column>'"):
        crmmine.segment_summary(c, by="cluster")


def test_findings_by_hand():
    from crmmine import findings

    c = pd.DataFrame({"monetary_total": [1.0, 1.0, 1.0, 1.0, 6.0],
                      "lifecycle_state": ["loyal", "loyal", "lost", "at_risk", "new"]})
    assert findings.finding_concentration(c) == "The top 20% of customers bring 60% of revenue (Gini 0.40)."
    assert findings.note("cohorts").startswith("Each row is the customers first acquired in a month")
    assert findings.finding_lifecycle(c) == (
        "Of 5 customers, 2 (40%) are loyal and 2 (40%) are at risk or lost; those brought 20% of past revenue.")
    m = pd.DataFrame([[3, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 6, 3, 1], [0] * 5, [0] * 5],
                     index=pd.Index(["prospect", "new", "active", "loyal", "at_risk", "lost"], name="from_state"),
                     columns=pd.Index(["new", "active", "loyal", "at_risk", "lost"], name="to_state"))
    m.attrs = {"from_date": pd.Timestamp("2011-01-01"), "to_date": pd.Timestamp("2011-04-01")}
    assert findings.finding_transitions(m) == ("Between 2011-01-01 and 2011-04-01, 4 of 10 loyal customers (40%) "
                                               "became at risk or lost, and 3 new customers were acquired.")
    cohorts = pd.DataFrame([[10.0, 2.0, 1.0], [20.0, 8.0, np.nan], [5.0, np.nan, np.nan]],
                           index=pd.PeriodIndex(["2011-01", "2011-02", "2011-03"], freq="M", name="cohort"),
                           columns=pd.Index([0, 1, 2], name="periods_since_first"))
    assert findings.finding_cohorts(cohorts) == ("On average 33% of a month's new customers buy again the following "
                                                 "month; the 2011-02 cohort did best (40%).")
    r = pd.DataFrame({"gross_value": [100.0, 50.0], "returns_value": [10.0, 60.0], "net_value": [90.0, -10.0]})
    assert findings.finding_returns(r) == (
        "Returns take back 46.7% of purchase value; for 1 of 2 customers the returns exceed the purchases.")
    set_language("zh")
    try:
        assert findings.finding_concentration(c) == "前 20% 的客户贡献了 60% 的收入（基尼系数 0.40）。"
        assert findings.heading("rfm") == "RFM 细分（R 最近购买、F 购买频率、M 消费金额）"  # the abbreviation explained
        assert findings.note("cohorts").startswith("每行")
    finally:
        set_language("en")


def test_finding_clusters_uses_the_fit(planted):
    from crmmine import findings

    customers, _ = planted
    seg = crmmine.CustomerSegmenter(3, stability_runs=1, random_state=0).fit(customers)
    text = findings.finding_clusters(seg)
    assert text.startswith("Split into the requested 3 clusters")
    auto = crmmine.CustomerSegmenter(k_range=(2, 4), stability_runs=1, random_state=0).fit(customers)
    assert findings.finding_clusters(auto).startswith(f"The customers fall into {auto.k_} clusters")
    ks = pd.DataFrame({"k": [3, 4, 5], "silhouette": [0.5, 0.46, 0.3], "stability": [1.0, 0.95, 0.99],
                       "smallest_share": [0.2, 0.1, 0.01], "eligible": [True, True, False]})
    auto.k_scores_, auto.k_, auto.k_reason_, auto.stability_ = ks, 4, "largest_near_best", 0.95
    assert findings.finding_clusters(auto).startswith(
        "The customers fall into 4 clusters: the most groups that are still nearly as clearly separated as the best "
        "split (silhouette 0.46 against 0.50 for 3), stable when refitted (stability 0.95), with none smaller than 2% "
        "of customers; the most valuable, “")
    auto.k_, auto.k_reason_ = 3, "best_silhouette"
    assert findings.finding_clusters(auto).startswith(
        "The customers fall into 3 clusters: the most clearly separated stable split (silhouette 0.50, stability "
        "0.95); 4 clusters would be less clearly separated (silhouette 0.46, under 90% of it).")
    auto.k_ = 4  # (as if) the next k were not eligible
    assert "5 clusters would be unstable when refitted or leave a cluster under 2%" in findings.finding_clusters(auto)
    auto.k_ = 5
    assert "5 clusters, the most tried" in findings.finding_clusters(auto)
    auto.k_reason_ = "none_eligible"
    assert "read the clusters with care" in findings.finding_clusters(auto)
    assert f"“{seg.names_.iloc[0]}”" in text
    with pytest.raises(ParameterError, match=r"must be a fitted crmmine.CustomerSegmenter"):
        findings.finding_clusters(None)


def test_spend_only_planted_segments_need_spend_features(planted):
    # documented in CustomerSegmenter's Notes: the old planted segments differ only in spend and purchase
    # rate (arrival is uniform, so recency says little); the behavioural defaults find them only in part
    customers, truth = planted
    seg = crmmine.CustomerSegmenter(3, stability_runs=0, random_state=0).fit(customers)
    assert 0.6 < adjusted_rand_score(truth, seg.labels_) < 0.8


@pytest.mark.slow
@pytest.mark.shared_data
def test_cdnow_master_gets_a_usable_number_of_groups(cdnow_master_path):
    tx = crmmine.read_transactions(cdnow_master_path, schema="cdnow")
    customers = crmmine.customer_table(tx)
    seg = crmmine.CustomerSegmenter(random_state=0).fit(customers)
    # one cohort, all arrived in 1997 Q1: tenure hardly varies and is not blown up (MIN_LOG_SCALE); the
    # silhouette is flat from 3 to 7 groups (0.36-0.39), so the finest stable split is taken
    assert seg.k_ == 7 and seg.k_reason_ == "largest_near_best"
    assert seg.names_.is_unique
    assert seg.profiles_["share"].min() > 0.02
    assert seg.stability_ > 0.9
