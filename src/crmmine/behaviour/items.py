"""Items: view-to-buy conversion per item and category, items viewed often but rarely bought, and the
baskets of items viewed (or carted) together, for crmmine's association-rule engine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import MissingColumnError, ParameterError
from ..validation import check_int
from . import _codes as K
from .events import EVENT_TYPES, _lazy, sessionize, validate_events

__all__ = ["item_conversion", "viewed_not_bought", "event_baskets", "count_baskets"]

_LEVELS = {"item": "item_id", "category": "category"}


def _level_col(ev, level):
    if level not in _LEVELS:
        raise ParameterError(f"The 'level' parameter must be one of 'item', 'category'. Got {level!r} instead.")
    col = _LEVELS[level]
    if col not in ev.columns:
        raise MissingColumnError("The events have no 'category' column, needed for level='category'. Map the log's "
                                 "category column with read_events(..., schema={'category': '<column>', ...}).")
    return col


def item_conversion(events, *, level="item", min_viewers=0) -> pd.DataFrame:
    """Views, carts, favourites, purchases and conversion per item (or category).

    Returns
    -------
    pandas.DataFrame
        Index ``item_id`` (or ``category``); columns ``views, viewers, carts, favourites, purchases, buyers,
        view_to_buy`` (buyers among viewers / viewers), ``cart_to_buy`` (buyers among carters / carters) and
        ``category`` (the item's category, for items: the first in text order when an item has several).
        Items with fewer than ``min_viewers`` viewers are left out; sorted by viewers, then id.
    """
    if _lazy(events) is not None:  # one row per item comes back from the engine
        from ..engine import events as E

        lazy = _lazy(events)
        return E.item_conversion(lazy, col=_level_col(lazy, level),
                                 min_viewers=check_int("min_viewers", min_viewers, lo=0))
    ev = validate_events(events)
    col = _level_col(ev, level)
    min_viewers = check_int("min_viewers", min_viewers, lo=0)
    g, labels = K.factor(ev[col])
    cust, _ = K.factor(ev["customer_id"])
    et = ev["event_type"].cat.codes.to_numpy().astype(np.int64)
    ok = (g >= 0) & (cust >= 0)
    g, cust, et = g[ok].astype(np.int64), cust[ok].astype(np.int64), et[ok]
    n_g = len(labels)
    counts = np.bincount(g * 4 + et, minlength=4 * n_g).reshape(n_g, 4)
    n_c = int(cust.max()) + 1 if len(cust) else 1
    seen = pd.unique((g * n_c + cust) * 4 + et)
    pair, typ = seen // 4, seen % 4
    users = np.bincount((pair // n_c) * 4 + typ, minlength=4 * n_g).reshape(n_g, 4)
    viewed = pd.Index(pair[typ == K.VIEW])
    carted = pd.Index(pair[typ == K.CART])
    bought = pair[typ == K.BUY]
    vb = np.bincount(bought[viewed.get_indexer(bought) >= 0] // n_c, minlength=n_g) if len(bought) else np.zeros(n_g)
    cb = np.bincount(bought[carted.get_indexer(bought) >= 0] // n_c, minlength=n_g) if len(bought) else np.zeros(n_g)
    out = pd.DataFrame({"views": counts[:, K.VIEW], "viewers": users[:, K.VIEW], "carts": counts[:, K.CART],
                        "favourites": counts[:, K.FAV], "purchases": counts[:, K.BUY], "buyers": users[:, K.BUY]},
                       index=pd.Index(labels.astype(str), name=col))
    with np.errstate(divide="ignore", invalid="ignore"):
        out["view_to_buy"] = np.where(users[:, K.VIEW] > 0, vb / users[:, K.VIEW], np.nan)
        out["cart_to_buy"] = np.where(users[:, K.CART] > 0, cb / users[:, K.CART], np.nan)
    if level == "item" and "category" in ev.columns:  # the first category in text order (one for most items)
        cat, cats = K.factor(ev["category"])
        cat = cat[ok]
        text = np.asarray(cats.astype(str), dtype=object)
        rank = np.argsort(np.argsort(text, kind="stable"), kind="stable")
        has = cat >= 0
        best = pd.Series(rank[cat[has]]).groupby(g[has]).min()
        first = np.full(n_g, None, dtype=object)
        first[best.index.to_numpy()] = text[np.argsort(rank)][best.to_numpy()]
        out["category"] = first
    # items with an event only (a categorical also knows the ids of rejected lines)
    out = out[(out["viewers"] >= min_viewers).to_numpy() & (counts.sum(axis=1) > 0)]
    order = np.lexsort((out.index.to_numpy(), -out["viewers"].to_numpy()))
    return out.iloc[order]


def viewed_not_bought(events, *, level="item", min_viewers=None, top_n=20) -> pd.DataFrame:
    """Items many people look at but few buy: the largest shortfall of buyers against the shop's rate.

    An item qualifies with at least ``min_viewers`` viewers (None: the 90th percentile of viewers per item,
    at least 5) and a view-to-buy rate below the shop's overall rate (buyers among viewers / viewers over
    all items). ``missing_buyers = viewers x overall rate - buyers among viewers`` ranks them.

    Returns
    -------
    pandas.DataFrame
        The :func:`item_conversion` columns plus ``expected_buyers`` and ``missing_buyers``; ``top_n`` rows.
    """
    conv = item_conversion(events, level=level)
    top_n = check_int("top_n", top_n, lo=1)
    if min_viewers is None:
        min_viewers = int(max(5, np.ceil(conv["viewers"].quantile(0.9)))) if len(conv) else 5
    min_viewers = check_int("min_viewers", min_viewers, lo=1)
    rate = float((conv["view_to_buy"] * conv["viewers"]).sum() / max(conv["viewers"].sum(), 1))
    out = conv[(conv["viewers"] >= min_viewers) & (conv["view_to_buy"] < rate)].copy()
    out["expected_buyers"] = out["viewers"] * rate
    out["missing_buyers"] = out["expected_buyers"] - out["view_to_buy"] * out["viewers"]
    order = np.lexsort((out.index.to_numpy(), -out["missing_buyers"].to_numpy()))
    out = out.iloc[order].head(top_n)
    out.attrs["overall_view_to_buy"] = rate
    out.attrs["min_viewers"] = min_viewers
    return out


def event_baskets(events, *, event_type="view", by="user_day", level="item", gap_minutes=30) -> pd.DataFrame:
    """Baskets of items viewed (or carted, ...) together, for :func:`crmmine.make_baskets` / ``mine_rules``.

    Parameters
    ----------
    event_type : str or sequence of str, default="view"
        The event types that put an item in a basket, e.g. ``"view"`` (viewed together) or ``"cart"``.
    by : {"user_day", "session"}, default="user_day"
        A basket is one visitor's day, or one session (the log's ``session_id``, else inactivity gaps of
        ``gap_minutes``, :func:`sessionize`).
    level : {"item", "category"}, default="item"

    Returns
    -------
    pandas.DataFrame or crmmine.engine.LazyTransactions
        ``customer_id, order_id`` (the basket key), ``order_date`` (the basket's first event),
        ``product_id`` (item or category): one row per distinct (basket, item); pass it to
        ``crmmine.mine_rules(baskets, min_support=...)``. For a lazy log (DuckDB, Spark) the baskets stay
        in the engine (with ``quantity`` 1), so that ``mine_rules`` counts the items and prunes the
        infrequent ones there before any basket comes back; the same baskets, a session's id then being
        the session id (or number within the visitor) rather than a number over the whole log.
    """
    lazy = _lazy(events)
    ev = lazy if lazy is not None else validate_events(events)
    col = _level_col(ev, level)
    types = (event_type,) if isinstance(event_type, str) else tuple(event_type)
    bad = [t for t in types if t not in EVENT_TYPES]
    if bad or not types:
        raise ParameterError(f"The 'event_type' parameter must be event types from {', '.join(EVENT_TYPES)}. "
                             f"Got {event_type!r} instead.")
    if by not in ("user_day", "session"):
        raise ParameterError(f"The 'by' parameter must be one of 'user_day', 'session'. Got {by!r} instead.")
    if lazy is not None:
        from ..engine import events as E

        return E.event_baskets(lazy, types=types, by=by, col=col, gap_minutes=check_int("gap_minutes", gap_minutes,
                                                                                           lo=1))
    keep = ev["event_type"].isin(types).to_numpy() & ev[col].notna().to_numpy()
    if by == "session":
        if "session_id" in ev.columns and ev["session_id"].notna().all():
            sess, _ = K.factor(ev["session_id"])
        else:
            sess = sessionize(ev, gap_minutes=gap_minutes).to_numpy()
    sub = ev.loc[keep]
    cust = sub["customer_id"].astype(str).to_numpy()
    if by == "user_day":
        key = pd.Series(cust) + "-" + sub["event_time"].dt.strftime("%Y%m%d").to_numpy()
    else:
        key = pd.Series(cust) + "-s" + pd.Series(sess[keep]).astype(str)
    frame = pd.DataFrame({"customer_id": cust, "order_id": key.to_numpy(), "order_date": sub["event_time"].to_numpy(),
                          "product_id": sub[col].astype(str).to_numpy()})
    frame = frame.sort_values(["order_id", "order_date"], kind="stable")
    frame = frame.drop_duplicates(["order_id", "product_id"]).reset_index(drop=True)
    return frame


def count_baskets(baskets) -> int:
    """The number of baskets (distinct ``order_id``) of :func:`event_baskets`' table, pandas or lazy."""
    from ..engine.lazy import is_lazy

    if is_lazy(baskets):
        from ..engine import events as E

        return E.basket_count(baskets)
    if not isinstance(baskets, pd.DataFrame) or "order_id" not in baskets.columns:
        raise ParameterError(f"The 'baskets' parameter must be the table of event_baskets. Got "
                             f"{type(baskets).__name__} instead.")
    return int(baskets["order_id"].nunique())
