"""A synthetic shop's behaviour log with planted truth: ``make_events``.

Visitors arrive over the observation window (more in the evening), come back in a few sessions and view
items, mostly in a favourite category. Three kinds of visitor are planted:

- *bouncers* view one page and leave;
- *normal* visitors reach the cart/favourite stage with probability ``p_engage`` and, once there, buy the
  item with probability ``p_buy`` within a couple of hours;
- *high-intent* visitors view one item again and again over several sessions, cart it, and buy it with
  probability ``p_buy_high`` after a longer wait (a day and a half on average), so at the end of the log
  some of them have carted and not bought yet: the planted prospects.

Planted item pairs are viewed together in a session with a known probability. Everything is vectorised
(no loop per visitor or event): ten million events take about half a minute.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.schema import EVENT_TYPE_DTYPE
from ..errors import ParameterError

__all__ = ["make_events", "EventTruth", "DEFAULT_EVENT_PAIRS"]

#: Planted item pairs: (item ids, probability that a session of a non-bouncing visitor views both).
DEFAULT_EVENT_PAIRS: tuple[tuple[tuple[str, str], float], ...] = (
    (("I00001", "I00002"), 0.03),
    (("I00011", "I00012"), 0.02),
)

# Share of visitors arriving in each hour of the day: a trough at night, a peak around 21:00.
_HOURS = np.array([3, 2, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 9, 10, 10, 8, 5], dtype=float)
_BUY_DELAY_NORMAL_H = 2.0
_BUY_DELAY_HIGH_H = 36.0


@dataclass(frozen=True)
class EventTruth:
    """What :func:`make_events` planted.

    Attributes
    ----------
    stage_rates : dict
        For normal visitors (not bouncers, not high-intent): ``{"cart_or_favourite": p_engage, "purchase":
        p_buy}``, the step conversions of the view -> cart/favourite -> purchase funnel.
    visitors : pandas.DataFrame
        Index ``customer_id``; ``kind`` ("bouncer", "normal", "high_intent"), ``arrival``, ``engaged``,
        ``will_buy``, ``target_item``, ``planned_purchase`` (may lie after the end: then it is not in the log).
    high_intent : pandas.Index
        High-intent visitors who have not bought by the end of the log: the prospects a propensity model
        should rank first.
    item_pairs : pandas.DataFrame
        ``items`` (a pair of item ids) and ``probability`` per session.
    observation_start, observation_end : pandas.Timestamp
    """

    stage_rates: dict
    visitors: pd.DataFrame
    high_intent: pd.Index
    item_pairs: pd.DataFrame
    observation_start: pd.Timestamp
    observation_end: pd.Timestamp
    params: dict = field(default_factory=dict)


def _within(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For groups of sizes ``counts``: the group of each element and the element's position in its group."""
    group = np.repeat(np.arange(len(counts)), counts)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    return group, np.arange(counts.sum()) - np.repeat(starts, counts)


def _cum_within(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Cumulative sums restarting at each group."""
    cs = np.cumsum(values)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    before = np.r_[0, cs][starts]
    return cs - np.repeat(before, counts)


def _check_rate(name, v, lo=0.0, hi=1.0):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
        raise ParameterError(f"The '{name}' parameter must be in [{lo}, {hi}]. Got {v!r} instead.")
    return float(v)


def make_events(n_visitors=5_000, *, n_items=1_000, n_categories=40, start="2026-10-05", days=21, p_engage=0.3,
                p_buy=0.4, high_intent_share=0.05, p_buy_high=0.9, bounce_share=0.15, item_pairs=DEFAULT_EVENT_PAIRS,
                with_price=True, with_sessions=True, random_state=None):
    """Generate a shop's behaviour log (views, carts, favourites, purchases) with planted truth.

    Parameters
    ----------
    n_visitors : int, default=5000
        About 8 events per visitor on average.
    n_items, n_categories : int, default=1000, 40
        Items ``I00001..``, each in one category ``C001..``; item and category popularity is skewed.
    start : date-like, default="2026-10-05"
    days : int, default=21
        Length of the log; events after it are cut off, as in any real extract.
    p_engage, p_buy : float, default=0.3, 0.4
        Normal visitors' step conversions: view -> cart/favourite, and cart/favourite -> purchase.
    high_intent_share, p_buy_high : float, default=0.05, 0.9
        Share of high-intent visitors and their purchase probability.
    bounce_share : float, default=0.15
        Share of visitors with a single page view.
    item_pairs : sequence of ((item, item), probability)
        Planted pairs viewed together in a session.
    with_price, with_sessions : bool, default=True
        Add ``price`` and ``session_id`` columns.
    random_state : int or None

    Returns
    -------
    events : pandas.DataFrame
        Canonical events (see :mod:`crmmine.behaviour.events`), ordered by visitor and time.
    truth : EventTruth
    """
    for name, v in (("n_visitors", n_visitors), ("n_items", n_items), ("n_categories", n_categories), ("days", days)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ParameterError(f"The '{name}' parameter must be a positive integer. Got {v!r} instead.")
    p_engage, p_buy = _check_rate("p_engage", p_engage), _check_rate("p_buy", p_buy)
    h, p_bh = _check_rate("high_intent_share", high_intent_share), _check_rate("p_buy_high", p_buy_high)
    b = _check_rate("bounce_share", bounce_share)
    if h + b > 1:
        raise ParameterError(f"The 'high_intent_share' and 'bounce_share' parameters must add up to at most 1. "
                             f"Got {h} + {b} instead.")
    try:
        t0 = pd.Timestamp(start).normalize()
    except (ValueError, TypeError):
        raise ParameterError(f"The 'start' parameter must be a date like '2026-10-05'. Got {start!r} instead.") from None
    width = max(5, len(str(n_items)))
    item_labels = np.array([f"I{i + 1:0{width}d}" for i in range(n_items)], dtype=object)
    pairs = []
    pos = {lab: i for i, lab in enumerate(item_labels)}
    for items, prob in item_pairs:
        if len(items) != 2 or any(i not in pos for i in items):
            raise ParameterError(f"The 'item_pairs' parameter must hold pairs of item ids between {item_labels[0]} and "
                                 f"{item_labels[-1]}. Got {items!r} instead.")
        pairs.append((pos[items[0]], pos[items[1]], _check_rate("item_pairs probability", prob)))
    rng = np.random.default_rng(random_state)
    end_s = days * 86400

    # items: category (skewed sizes), popularity rank within category, price
    cat_w = 1.0 / np.arange(1, n_categories + 1) ** 0.8
    cat_w /= cat_w.sum()
    item_cat = rng.choice(n_categories, n_items, p=cat_w)
    for a, bb, _ in pairs:  # a planted pair shares a category
        item_cat[bb] = item_cat[a]
    by_cat = np.argsort(item_cat, kind="stable")
    cat_count = np.bincount(item_cat, minlength=n_categories)
    cat_start = np.r_[0, np.cumsum(cat_count)[:-1]]
    nonempty = cat_count > 0
    cat_w_items = np.where(nonempty, cat_w, 0)
    cat_w_items /= cat_w_items.sum()
    price = np.round(rng.lognormal(3.5, 0.8, n_items), 2)

    def pick_items(cats: np.ndarray) -> np.ndarray:
        u = rng.random(len(cats))
        rank = np.floor(cat_count[cats] * u ** 2).astype(np.int64)
        return by_cat[cat_start[cats] + rank]

    # visitors
    V = int(n_visitors)
    kind = rng.choice(3, V, p=[b, 1 - b - h, h])  # 0 bouncer, 1 normal, 2 high intent
    arrival = rng.integers(0, days, V) * 86400 + rng.choice(24, V, p=_HOURS / _HOURS.sum()) * 3600 + \
        rng.integers(0, 3600, V)
    fav_cat = rng.choice(n_categories, V, p=cat_w_items)
    S = np.where(kind == 0, 1, np.where(kind == 1, 1 + rng.poisson(1.0, V), 2 + rng.poisson(1.5, V)))
    S = np.minimum(S, 6)
    sess_v, sess_k = _within(S)
    gaps = rng.exponential(10 * 3600, len(sess_v))
    gaps[sess_k == 0] = 0
    sess_t = arrival[sess_v] + _cum_within(gaps, S).astype(np.int64)
    ks = kind[sess_v]
    n_views = np.where(ks == 0, 1, np.where(ks == 1, 1 + rng.poisson(2.5, len(ks)), 2 + rng.poisson(3.0, len(ks))))
    n_views[(ks == 1) & (sess_k == 0)] = np.maximum(n_views[(ks == 1) & (sess_k == 0)], 2)  # only bouncers bounce
    view_s, _ = _within(n_views)
    offs = rng.exponential(90, len(view_s)) + 5
    view_t = sess_t[view_s] + _cum_within(offs, n_views).astype(np.int64)
    vv = sess_v[view_s]
    in_fav = rng.random(len(view_s)) < 0.7
    view_cat = np.where(in_fav, fav_cat[vv], rng.choice(n_categories, len(view_s), p=cat_w_items))
    view_item = pick_items(view_cat)
    parts = [(vv, view_item, np.zeros(len(vv), np.int8), view_t, view_s)]

    # engagement: a target item in the favourite category
    engaged = np.where(kind == 2, True, (kind == 1) & (rng.random(V) < p_engage))
    will_buy = np.where(kind == 2, rng.random(V) < p_bh, engaged & (rng.random(V) < p_buy))
    target = pick_items(fav_cat)
    first_sess = np.r_[0, np.cumsum(S)[:-1]]
    # normal engaged: one session, a view of the target then a cart (70%) or a favourite (30%)
    ne = np.flatnonzero((kind == 1) & engaged)
    s_ne = first_sess[ne] + np.floor(rng.random(len(ne)) * S[ne]).astype(np.int64)
    tv = sess_t[s_ne] + rng.integers(0, 600, len(ne))
    act_t = tv + rng.integers(30, 300, len(ne))
    act = np.where(rng.random(len(ne)) < 0.7, 1, 2).astype(np.int8)
    parts += [(ne, target[ne], np.zeros(len(ne), np.int8), tv, s_ne), (ne, target[ne], act, act_t, s_ne)]
    # high intent: the target viewed 1-3 extra times in every session, carted in the last one
    hi = np.flatnonzero(kind == 2)
    hs = np.flatnonzero(kind[sess_v] == 2)
    reps = 1 + rng.poisson(1.0, len(hs))
    rs, _ = _within(reps)
    rsess = hs[rs]
    parts.append((sess_v[rsess], target[sess_v[rsess]], np.zeros(len(rsess), np.int8),
                  sess_t[rsess] + rng.integers(0, 900, len(rsess)), rsess))
    last_sess = first_sess[hi] + S[hi] - 1
    cart_hi = sess_t[last_sess] + 900 + rng.integers(0, 300, len(hi))
    parts.append((hi, target[hi], np.ones(len(hi), np.int8), cart_hi, last_sess))
    fav_hi = rng.random(len(hi)) < 0.5
    parts.append((hi[fav_hi], target[hi[fav_hi]], np.full(fav_hi.sum(), 2, np.int8), cart_hi[fav_hi] + 60,
                  last_sess[fav_hi]))
    # purchases of the target (cut off at the end of the log like every event)
    planned = np.full(V, -1, dtype=np.int64)
    planned[ne] = np.where(will_buy[ne], act_t + rng.exponential(_BUY_DELAY_NORMAL_H * 3600, len(ne)).astype(np.int64), -1)
    planned[hi] = np.where(will_buy[hi], cart_hi + rng.exponential(_BUY_DELAY_HIGH_H * 3600, len(hi)).astype(np.int64), -1)
    buyers = np.flatnonzero(planned >= 0)
    buy_sess = np.where(kind[buyers] == 2, first_sess[buyers] + S[buyers] - 1, -1)
    buy_sess[kind[buyers] == 1] = s_ne[np.searchsorted(ne, buyers[kind[buyers] == 1])]
    parts.append((buyers, target[buyers], np.full(len(buyers), 3, np.int8), planned[buyers], buy_sess))
    # planted pairs: both items viewed in the same session
    active_sess = np.flatnonzero(kind[sess_v] > 0)
    for a, bb, prob in pairs:
        hit = active_sess[rng.random(len(active_sess)) < prob]
        for it in (a, bb):
            parts.append((sess_v[hit], np.full(len(hit), it), np.zeros(len(hit), np.int8),
                          sess_t[hit] + rng.integers(0, 900, len(hit)), hit))

    cust = np.concatenate([p[0] for p in parts])
    item = np.concatenate([p[1] for p in parts]).astype(np.int64)
    etype = np.concatenate([p[2] for p in parts])
    t = np.concatenate([p[3] for p in parts]).astype(np.int64)
    sess = np.concatenate([p[4] for p in parts])
    keep = t < end_s
    cust, item, etype, t, sess = cust[keep], item[keep], etype[keep], t[keep], sess[keep]
    order = np.lexsort((etype, t, cust))
    cust, item, etype, t, sess = cust[order], item[order], etype[order], t[order], sess[order]

    vis_labels = pd.Index([f"V{i + 1:0{max(6, len(str(V)))}d}" for i in range(V)], dtype="str")
    cat_labels = pd.Index([f"C{i + 1:03d}" for i in range(n_categories)], dtype="str")
    data = {
        "customer_id": pd.Categorical.from_codes(cust.astype(np.int32), categories=vis_labels),
        "item_id": pd.Categorical.from_codes(item.astype(np.int32), categories=pd.Index(item_labels, dtype="str")),
        "category": pd.Categorical.from_codes(item_cat[item].astype(np.int32), categories=cat_labels),
        "event_type": pd.Categorical.from_codes(etype, dtype=EVENT_TYPE_DTYPE),
        "event_time": t0 + pd.to_timedelta(t, unit="s"),
    }
    if with_sessions:
        used, codes = np.unique(sess, return_inverse=True)
        labels = pd.Index(vis_labels[sess_v[used]].astype(str) + "-" + (sess_k[used] + 1).astype(str), dtype="str")
        data["session_id"] = pd.Categorical.from_codes(codes.astype(np.int32), categories=labels)
    if with_price:
        data["price"] = price[item]
    events = pd.DataFrame(data)
    events["event_time"] = events["event_time"].astype("datetime64[ns]")
    events["source_line"] = np.arange(1, len(events) + 1, dtype=np.int64)

    bought_in_log = np.zeros(V, dtype=bool)
    bought_in_log[cust[etype == 3]] = True
    kinds = np.array(["bouncer", "normal", "high_intent"], dtype=object)
    visitors = pd.DataFrame({
        "kind": kinds[kind], "arrival": t0 + pd.to_timedelta(arrival, unit="s"), "engaged": engaged,
        "will_buy": will_buy, "target_item": item_labels[target],
        "planned_purchase": pd.to_datetime(np.where(planned >= 0, planned, np.nan) * 1e9 + t0.value),
    }, index=pd.Index(vis_labels, name="customer_id"))
    seen = np.zeros(V, dtype=bool)
    seen[cust] = True
    visitors = visitors[seen]
    high = visitors.index[(visitors["kind"] == "high_intent").to_numpy() & ~bought_in_log[seen]]
    truth = EventTruth(
        stage_rates={"cart_or_favourite": p_engage, "purchase": p_buy},
        visitors=visitors, high_intent=high,
        item_pairs=pd.DataFrame({"items": [tuple(item_labels[[a, bb]]) for a, bb, _ in pairs],
                                 "probability": [p for _, _, p in pairs]}),
        observation_start=t0, observation_end=t0 + pd.Timedelta(days=days),
        params={"n_visitors": V, "n_items": n_items, "n_categories": n_categories, "days": days,
                "p_engage": p_engage, "p_buy": p_buy, "high_intent_share": h, "p_buy_high": p_bh,
                "bounce_share": b, "random_state": random_state},
    )
    return events, truth
