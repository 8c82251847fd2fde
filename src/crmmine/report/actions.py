"""The lists a campaign tool imports: who to contact, why, what to do, what they are worth.

Each function takes the tables a report already computed and returns one plain table with
named columns in the report's language where they are words (segment, reason, action,
product names) and numbers as numbers; :func:`crmmine.write_table` writes it as CSV and
Parquet, and :func:`crmmine.report.table` shows its first rows.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..data._order import arrow_text, positions_in, stable_order, words_by_code
from ..errors import MissingColumnError, ParameterError
from ..text.labels import LABELS, label

__all__ = ["basket_note", "contact_list", "winback_actions", "customer_offers", "item_text", "rule_sides",
           "choose_min_support", "report_baskets", "oversized_sizes",
           "name_rule_items", "support_note", "summarise_winback_actions", "winback_intro",
           "WINBACK_TIERS"]

#: Tiers of :func:`winback_actions`, most urgent first.
WINBACK_TIERS = ("win_back_now", "keep_close", "low_cost_reactivation", "recent", "other")


def _need(df, cols, name, fix):
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"The '{name}' parameter must be a DataFrame ({fix}). Got {type(df).__name__} instead.")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise MissingColumnError(f"The '{name}' table has no column(s) {', '.join(map(repr, missing))}; make it "
                                 f"with {fix}.")


def contact_list(customers: pd.DataFrame, *, currency: str = "", lang: str | None = None) -> pd.DataFrame:
    """One row per customer: segment, why they are in it, the suggested action, and their value.

    Parameters
    ----------
    customers : pandas.DataFrame
        :func:`crmmine.rfm_table` (index ``customer_id``), optionally joined with
        :func:`crmmine.customer_value` columns (``predicted_value``) and ``lifecycle_state``.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id, segment, segment_name, why, action, orders, total_spend,
        predicted_value, last_purchase, days_since_last_purchase, country`` (missing inputs are
        left out), ordered by segment (the order of :data:`crmmine.RFM_SEGMENTS`), then by
        predicted value (or total spend), highest first. ``currency`` follows the spend in ``why``.
    """
    _need(customers, ["rfm_segment", "recency_days", "frequency", "monetary_total"], "customers",
          "crmmine.rfm_table(tx)")
    # Built for millions of customers: the row order is found first on three small columns and
    # every output column is taken in that order once (no sorted copy of the whole table); the
    # segment words are taken from the few distinct segments, and the one sentence per customer
    # is formatted in blocks, so no list of millions of Python strings is ever held.
    codes, keys = pd.factorize(customers["rfm_segment"].astype(str), use_na_sentinel=False)
    keys = [str(k) for k in keys]
    from ..customers.rfm import RFM_SEGMENTS

    order = {k: i for i, k in enumerate([*RFM_SEGMENTS, "other"])}
    names = [label(f"rfm.segment.{k}", lang) if f"rfm.segment.{k}" in LABELS else k for k in keys]
    actions = [label(f"rfm.action.{k}", lang) if f"rfm.action.{k}" in LABELS else "" for k in keys]
    days = customers["recency_days"].to_numpy(dtype=float)
    orders = customers["frequency"].to_numpy(dtype=float)
    spend = customers["monetary_total"].to_numpy(dtype=float)  # the sentence rounds the spend itself
    ids = customers.index.astype(str)
    if "predicted_value" in customers.columns:
        value_col, value = "predicted_value", customers["predicted_value"].to_numpy(dtype=float).round(2)
    else:
        value_col, value = "total_spend", spend.round(2)
    rank = np.array([order.get(k, len(order)) for k in keys], dtype=np.int64)[codes]
    perm = stable_order((rank, False), (value, True), (arrow_text(ids), False))
    codes, days, orders, spend = codes[perm], days[perm], orders[perm], spend[perm]

    def words(values):  # one word per segment key -> one per customer, as text without Python objects
        return words_by_code(codes, values)

    template = LABELS["report.contact.why"].get(lang or _lang()) or LABELS["report.contact.why"]["en"]
    unit = f" {currency}" if currency else ""
    block = 500_000
    why = pd.concat([pd.Series([template.format(days=f"{d:,.0f}", orders=f"{o:,.0f}", spend=f"{s:,.0f}{unit}")
                                for d, o, s in zip(days[i:i + block], orders[i:i + block], spend[i:i + block])],
                               dtype="str") for i in range(0, len(days), block)] or [pd.Series([], dtype="str")],
                    ignore_index=True)
    out = pd.DataFrame({
        "customer_id": pd.Series(ids.take(perm), dtype="str"),
        "segment": words(keys),
        "segment_name": words(names),
        "why": why,
        "action": words(actions),
        "orders": orders.astype(np.int64),
        "total_spend": spend.round(2),
    })
    if value_col == "predicted_value":
        out["predicted_value"] = value[perm]
    if "last_purchase" in customers.columns:
        out["last_purchase"] = pd.to_datetime(customers["last_purchase"]).dt.normalize().to_numpy()[perm]
    out["days_since_last_purchase"] = days.astype(np.int64)
    if "country" in customers.columns:
        out["country"] = customers["country"].astype(object).to_numpy()[perm]
    return out


def _lang():
    from ..text.labels import get_language

    return get_language()


#: Rows per block of the win-back reasons (each block's strings become one "str" Series).
_TEXT_BLOCK = 500_000


def winback_actions(winback: pd.DataFrame, features: pd.DataFrame, *, share_now: float = 0.5,
                    lang: str | None = None) -> pd.DataFrame:
    """The win-back list with tiers relative to the shop's own distribution, a reason and an action.

    The tiers of :func:`crmmine.winback_list` are absolute (P(churn) >= 0.5), so on a shop with low
    churn its top tier is empty while value at risk sits in "no action", and customers who bought
    yesterday can lead the list (BG/NBD gives them a high predicted value). Here:

    - ``recent``: customers silent for less than half their own usual gap between orders (half the
      shop's median gap for one-time buyers; at least 7 days): they just bought, there is nothing to
      win back yet; they come after the three action tiers.
    - ``win_back_now``: of the others, those with the highest value at risk that together hold
      ``share_now`` (half) of it; never empty when any value is at risk.
    - ``keep_close``: the most valuable fifth (predicted value) among the rest, with P(churn) below
      the shop's median; ``low_cost_reactivation``: P(churn) at or above the median; ``other``: the rest.

    Parameters
    ----------
    winback : pandas.DataFrame
        From :func:`crmmine.winback_list`.
    features : pandas.DataFrame
        :func:`crmmine.churn_features` at the same cutoff (``recency_days``, ``ipt_mean_days``).
    share_now : float, default=0.5
    lang : {"en", "zh"}, optional

    Returns
    -------
    pandas.DataFrame
        ``rank, customer_id, tier, tier_label, action, reason, days_since_last_purchase, p_churn,
        predicted_value, value_at_risk`` plus the columns of ``winback``; ranked by tier, then value
        at risk.
    """
    _need(winback, ["customer_id", "p_churn", "predicted_value", "value_at_risk"], "winback",
          "crmmine.winback_list(...)")
    _need(features, ["recency_days"], "features", "crmmine.churn_features(tx, cutoff=...)")
    if not 0 < float(share_now) <= 1:
        raise ParameterError(f"The 'share_now' parameter must be in (0, 1]. Got {share_now!r} instead.")
    # Built for millions of customers: the two feature columns used are looked up by position (pyarrow's hash table of
    # the ids as text, no Python string per customer), the tiers are small integer codes, the row order is found on
    # the three sort keys alone and every column is taken in that order once (no sorted copy of the whole table); the
    # words of the few tiers and of the distinct recency values are formatted once, and the one reason per customer
    # is built in blocks, already in the list's order, turned into "str" Series.
    n = len(winback)
    ids = arrow_text(winback["customer_id"])
    at = positions_in(ids, features.index, what="'features' table")
    found = at >= 0

    def feature(name):  # the feature of each listed customer (NaN when absent)
        out = np.full(n, np.nan)
        if name in features.columns:
            out[found] = features[name].to_numpy(dtype=float)[at[found]]
        return out

    recency, own_gap = feature("recency_days"), feature("ipt_mean_days")
    del at, found
    gaps = own_gap[np.isfinite(own_gap)]
    shop_gap = float(np.median(gaps)) if len(gaps) else 14.0
    # silent for less than half their own usual gap (the shop's for one-time buyers), at least a week: just bought
    recent_days = np.maximum(7.0, 0.5 * np.where(np.isfinite(own_gap), own_gap, shop_gap))
    recent = recency < recent_days
    del own_gap, recent_days
    var = winback["value_at_risk"].to_numpy(dtype=float)
    p = winback["p_churn"].to_numpy(dtype=float)
    pv = winback["predicted_value"].to_numpy(dtype=float)
    now, keep, low, rec, other = range(len(WINBACK_TIERS))  # codes in the order of WINBACK_TIERS
    tier = np.full(n, other, dtype=np.int8)
    tier[recent] = rec
    candidates = ~recent & (var > 0)
    if candidates.any():
        idx = np.flatnonzero(candidates)
        idx = idx[stable_order((var[idx], True), (ids.take(idx), False))]
        cum = np.cumsum(var[idx]) / var[idx].sum()
        n_now = int(np.searchsorted(cum, float(share_now) - 1e-12) + 1)
        tier[idx[:n_now]] = now
        del idx, cum
    rest = tier == other
    p_median = float(np.median(p)) if len(p) else 0.5
    top_value = pv >= np.quantile(pv, 0.8) if len(pv) else np.zeros(0, bool)
    tier[rest & top_value & (p < p_median)] = keep
    tier[(tier == other) & (p >= p_median)] = low
    del rest, top_value, candidates, recent
    order = stable_order((tier, False), (var, True), (ids, False))
    tier, recency = tier[order], recency[order]

    def words(values):  # one word per tier code -> one per customer, as text without Python objects
        return words_by_code(tier, values) if n else []  # [] as before (the column's dtype on an empty list included)

    def taken(col):  # a column of the winback table in the list's order
        return winback[col].iloc[order].reset_index(drop=True)

    # the "N days since last purchase" text once per distinct number of days (bit for bit), "" when unknown
    d_bits, d_inv = np.unique(recency.view(np.int64), return_inverse=True)
    d_words = np.array([label("churn.reason.recency_days", lang, value=d) if np.isfinite(d) else ""
                        for d in d_bits.view(np.float64)], dtype=object)
    d_inv = d_inv.reshape(-1)
    sep = label("report.reason_join", lang)
    has_base = "top_reasons" in winback.columns
    parts = []
    for i in range(0, n, _TEXT_BLOCK):
        base = (winback["top_reasons"].iloc[order[i:i + _TEXT_BLOCK]].fillna("").astype(str).to_numpy() if has_base
                else np.full(len(recency[i:i + _TEXT_BLOCK]), ""))
        days_text = d_words[d_inv[i:i + _TEXT_BLOCK]]
        parts.append(pd.Series([a if (b and b in a) or not b else (f"{b}{sep}{a}" if a else b)
                                for a, b in zip(base, days_text)], dtype="str"))
        del base, days_text
    del d_inv
    columns = {
        "rank": np.arange(1, n + 1),
        "customer_id": taken("customer_id"),
        "tier": words(list(WINBACK_TIERS)),
        "tier_label": words([label(f"churn.tier.{t}", lang) if f"churn.tier.{t}" in LABELS else t
                             for t in WINBACK_TIERS]),
        "action": words([label(f"report.winback.action.{t}", lang) for t in WINBACK_TIERS]),
        "reason": pd.concat(parts, ignore_index=True) if parts else [],
        "days_since_last_purchase": recency,
    }
    del parts
    for col in ("p_churn", "predicted_value", "value_at_risk"):
        columns[col] = taken(col)
    for col in winback.columns:
        if col not in columns:
            columns[col] = taken(col)
    out = pd.DataFrame(columns, copy=False)
    out.attrs.update(winback.attrs)
    out.attrs.update(recent_days=max(7.0, 0.5 * shop_gap), p_median=p_median, share_now=float(share_now))
    return out


def item_text(item, names=None) -> str:
    """``"WHITE HANGING HEART T-LIGHT HOLDER (85123A)"``: the name with the code beside it."""
    item = str(item)
    if names is None:
        return item
    name = names.get(item) if hasattr(names, "get") else None
    if name is None or (isinstance(name, float) and np.isnan(name)) or name is pd.NA or str(name).strip() == "" \
            or str(name) == item:
        return item
    return f"{name} ({item})"


def _items_text(items, names, sep=" + ") -> str:
    if isinstance(items, (set, frozenset, tuple, list)):
        return sep.join(item_text(x, names) for x in sorted(map(str, items)))
    if items is None or (isinstance(items, float) and np.isnan(items)):
        return ""
    return item_text(items, names)


def rule_sides(rules: pd.DataFrame, names=None) -> pd.DataFrame:
    """A copy of a rule table with ``if_bought`` and ``then_offer``: item names with their codes.

    Works for :func:`crmmine.mine_rules` (``antecedents``/``consequents``) and
    :func:`crmmine.bought_together` tables (``product_id``/``also_bought`` or the same sets).
    """
    out = rules.copy()
    if isinstance(names, dict):
        names = pd.Series(names, dtype=object)
    cols = [c for c in out.columns]
    if "antecedents" in cols:
        out.insert(0, "if_bought", [_items_text(s, names) for s in out["antecedents"]])
    elif "product_id" in cols:
        out.insert(0, "if_bought", [_items_text(s, names) for s in out["product_id"]])
    if "consequents" in cols:
        out.insert(1, "then_offer", [_items_text(s, names) for s in out["consequents"]])
    elif "recommended" in cols:
        out.insert(1, "then_offer", [_items_text(s, names) for s in out["recommended"]])
    return out


def customer_offers(recommendations: pd.DataFrame, names=None, *, value: pd.Series | None = None,
                    lang: str | None = None) -> pd.DataFrame:
    """Per-customer offers with product names: what to offer, and the purchase that suggests it.

    Parameters
    ----------
    recommendations : pandas.DataFrame
        From :func:`crmmine.recommend` (rules: ``antecedents`` explain an offer) or a recommender of
        :func:`crmmine.recommend_with` (``because``, ``reason``, ``method``).
    names : pandas.Series or dict, optional
        ``item -> name`` (e.g. ``Baskets.item_names``).
    value : pandas.Series, optional
        :func:`crmmine.potential_value` per customer.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, rank, product_id, product_name, offer, because_bought, confidence, lift``
        (+ ``potential_value``).
    """
    _need(recommendations, ["customer_id", "rank"], "recommendations", "crmmine.recommend(tx, rules)")
    if isinstance(names, dict):
        names = pd.Series(names, dtype=object)
    item_col = "product_id" if "product_id" in recommendations.columns else (
        "category" if "category" in recommendations.columns else recommendations.columns[2])
    r = recommendations
    items = r[item_col].astype(str)
    out = pd.DataFrame({"customer_id": r["customer_id"].astype(str).to_numpy(), "rank": r["rank"].to_numpy()})
    out[item_col] = items.to_numpy()
    out["product_name"] = (items.map(names).astype(object).to_numpy() if names is not None
                           else np.full(len(r), None, dtype=object))
    out["offer"] = [item_text(x, names) for x in items]
    if "antecedents" in r.columns:
        out["because_bought"] = [_items_text(s, names) for s in r["antecedents"]]
    elif "because" in r.columns:  # the recommenders of crmmine.recommend_with: one item explains the offer
        out["because_bought"] = [item_text(str(x), names) if pd.notna(x) else "" for x in r["because"]]
    if "reason" in r.columns:  # "Customers who bought 23293 also ..." -> "... bought NAME (23293) also ..."
        reasons = r["reason"].astype(object).to_numpy()
        if "because" in r.columns and names is not None:
            reasons = [_name_in_reason(text, because, names) for text, because in zip(reasons, r["because"])]
        out["reason"] = reasons
    if "method" in r.columns:
        out["method"] = r["method"].astype(object).to_numpy()
    for c in ("confidence", "lift"):
        if c in r.columns:
            out[c] = r[c].to_numpy(dtype=float)
    if value is not None:
        v = value.copy()
        v.index = v.index.astype(str)
        out["potential_value"] = v.reindex(out["customer_id"]).to_numpy(dtype=float)
    return out


def _name_in_reason(text, because, names):
    if not isinstance(text, str) or because is None or (isinstance(because, float) and np.isnan(because)):
        return text
    code = str(because)
    named = item_text(code, names)
    if named == code:
        return text
    return re.sub(rf"(?<![\w(]){re.escape(code)}(?![\w)])", lambda _m: named, text, count=1)


def report_baskets(tx, *, level: str = "product", max_basket_size: int | None = None):
    """The cross-sell report's baskets: :func:`crmmine.make_baskets` of a pandas table; of a table
    an engine holds (``load_data(..., lazy=True)``), the miners' baskets (item codes counted in the
    engine, no order or customer id comes back) named by each product's most common name.

    ``max_basket_size`` given: orders with more distinct items are dropped (``oversized="drop"``,
    listed in ``Baskets.oversized``); None keeps every order and flags the big ones."""
    from dataclasses import replace

    from ..crosssell.basket import as_baskets, make_baskets
    from ..crosssell.recommend import item_frequency
    from ..engine.lazy import is_lazy

    if not is_lazy(tx) or max_basket_size is not None:
        b = make_baskets(tx, level=level, max_basket_size=max_basket_size,
                         oversized="flag" if max_basket_size is None else "drop")
        if not is_lazy(tx) or b.item_names is not None:
            return b
    else:
        b = as_baskets(tx, level=level, min_support=None)
    if level != "product" or "product_name" not in tx.columns:
        return b
    freq = item_frequency(tx, level=level).set_index("item")["item_name"]
    names = pd.Series(freq.reindex(b.items).to_numpy(dtype=object), index=b.items, name="product_name",
                      dtype=freq.dtype)
    return replace(b, item_names=names)


def oversized_sizes(tx, baskets):
    """Distinct items of each order in ``baskets.oversized`` (order -> size), from the lines of a pandas
    table; None when no order is oversized or the lines stay in an engine."""
    from ..engine.lazy import is_lazy

    if not len(baskets.oversized) or is_lazy(tx):
        return None
    lines = tx.loc[tx["order_id"].isin(baskets.oversized)]
    return lines.groupby("order_id", observed=True)["product_id"].nunique()


def choose_min_support(baskets, *, min_support=None, target_items: int = 30, floor_count: int = 5,
                       ceiling: float = 0.01) -> float:
    """The support threshold of a report: ``min_support`` when given, else one chosen from the data.

    A fixed default (1% of orders) finds no rules in a shop with a large catalogue. Chosen:
    the support of the ``target_items``-th most frequent item (so that about that many items
    are frequent), at most ``ceiling`` (the old default) and at least ``floor_count`` orders.
    """
    if min_support is not None:
        return float(min_support)
    X = baskets.matrix
    n = X.shape[0]
    if n == 0:
        return ceiling
    counts = np.sort(np.asarray(X.sum(axis=0)).ravel())[::-1]
    k = min(target_items, len(counts)) - 1
    support = counts[k] / n if k >= 0 else ceiling
    support = min(ceiling, support)
    return float(max(support, floor_count / n, 1.0 / n))


def name_rule_items(rules: pd.DataFrame, names=None) -> pd.DataFrame:
    """A copy of a rule table whose item sets hold ``"name (code)"`` instead of codes (for figures)."""
    if names is None:
        return rules
    if isinstance(names, dict):
        names = pd.Series(names, dtype=object)
    out = rules.copy()
    for col in ("antecedents", "consequents"):
        if col in out.columns:
            out[col] = [frozenset(item_text(x, names) for x in s) for s in out[col]]
    return out


def support_note(baskets, support: float, *, given=None, lang: str | None = None) -> str:
    """The sentence saying which minimum support the report chose from the data ("" when it was given)."""
    if given is not None:
        return ""
    X = baskets.matrix
    n = max(X.shape[0], 1)
    counts = np.asarray(X.sum(axis=0)).ravel()
    items = int((counts >= np.ceil(support * n - 1e-9)).sum())
    from .present import format_percent

    return label("report.summary.chosen_support", lang, support=format_percent(support), items=f"{items:,}")


def summarise_winback_actions(winback: pd.DataFrame, *, currency: str = "", lang: str | None = None) -> str:
    """One sentence: customers to win back now, their value at risk and its share of all value at risk."""
    from .present import format_money, format_percent

    sel = winback["tier"] == "win_back_now"
    total = float(winback["value_at_risk"].sum())
    part = float(winback.loc[sel, "value_at_risk"].sum())
    return label("report.winback.summary", lang, n=f"{int(sel.sum()):,}", value=format_money(part, currency),
                 share=format_percent(part / total if total > 0 else 0.0), total=format_money(total, currency))


def winback_intro(winback: pd.DataFrame, *, lang: str | None = None) -> str:
    """How the win-back tiers were chosen for this shop."""
    from .present import format_percent

    return label("report.winback.intro", lang, share=format_percent(winback.attrs.get("share_now", 0.5)),
                 days=f"{winback.attrs.get('recent_days', 7):.0f}")


#: a basket with more distinct items than this is "big" in the cross-sell report's note
BIG_BASKET = 50


def basket_note(baskets, support: float, rules=None, *, max_basket_size=None, dropped_sizes=None,
                lang: str | None = None) -> str:
    """What the miner did with big baskets, in one or two sentences ("" when no basket is big).

    Kept: the largest order, its size, how many orders hold more than :data:`BIG_BASKET` items, and why
    mining stayed bounded (an itemset must be in ``ceil(support * n_orders)`` orders; the work budget
    ``crmmine.crosssell.rules.MAX_ITEMSETS``). Dropped (``max_basket_size`` given): how many orders, the
    largest of them (``dropped_sizes``: order -> distinct items, from the transactions), and that they no
    longer count as orders.
    """
    from ..crosssell.rules import MAX_ITEMSETS

    n_dropped = len(baskets.oversized) if max_basket_size is not None else 0
    if n_dropped:
        sizes = dropped_sizes if dropped_sizes is not None else pd.Series(dtype="int64")
        sizes = sizes.reindex(baskets.oversized).dropna() if len(sizes) else sizes
        order = sizes.idxmax() if len(sizes) else baskets.oversized[0]
        size = f"{int(sizes.max()):,}" if len(sizes) else "?"
        return label("report.baskets.dropped", lang, n=f"{n_dropped:,}", limit=f"{int(max_basket_size):,}",
                     order=str(order), size=size, orders=f"{baskets.n_orders:,}")
    sizes = baskets.basket_sizes
    if sizes.empty or int(sizes.max()) <= BIG_BASKET:
        return ""
    n = max(int(baskets.n_orders), 1)
    minc = max(int(np.ceil(support * n - 1e-9)), 1)
    n_itemsets = int(rules.attrs.get("n_itemsets", 0)) if rules is not None else 0
    return label("report.baskets.kept", lang, order=str(sizes.idxmax()), size=f"{int(sizes.max()):,}",
                 n_big=f"{int((sizes > BIG_BASKET).sum()):,}", big=f"{BIG_BASKET}", minc=f"{minc:,}",
                 itemsets=f"{n_itemsets:,}", budget=f"{MAX_ITEMSETS:,}")
