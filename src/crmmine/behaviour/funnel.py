"""Funnel and traffic: users and events per stage, conversion, PV/UV, paying and repurchase rates, bounce.

Definitions follow the e-commerce analytics taught with the Taobao UserBehavior data (PV = page views,
UV = unique visitors, 付费率 paying rate = buyers / UV, 复购率 repurchase rate = buyers on two or more days /
buyers, 跳失率 bounce rate = visitors whose only event is one page view / UV) and the conversion funnel of
Moe & Fader (2004, "Dynamic conversion behavior at e-commerce sites", Management Science 50(3)).
Everything runs on integer codes with numpy (no loop per event).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..validation import check_int
from . import _codes as K
from .events import EVENT_TYPES, _lazy, validate_events

__all__ = ["STAGES", "funnel", "funnel_dropouts", "traffic_summary", "traffic_by", "activity_matrix", "time_to_purchase",
           "cart_outcomes"]

#: Funnel stage -> the event types that reach it.
STAGES: dict[str, tuple[int, ...]] = {"view": (K.VIEW,), "cart": (K.CART,), "favourite": (K.FAV,),
                                      "cart_or_favourite": (K.CART, K.FAV), "purchase": (K.BUY,)}
_BY = ("day", "hour", "weekday", "category")


def _check_stages(stages) -> tuple[str, ...]:
    if isinstance(stages, str) or not isinstance(stages, (tuple, list)) or len(stages) < 2:
        raise ParameterError(f"The 'stages' parameter must be a sequence of at least two stages from "
                             f"{', '.join(STAGES)}. Got {stages!r} instead.")
    bad = [s for s in stages if s not in STAGES]
    if bad:
        raise ParameterError(f"The 'stages' parameter names {bad[0]!r}, which is not a stage. Stages: "
                             f"{', '.join(STAGES)}.")
    return tuple(stages)


def _group_codes(ev: pd.DataFrame, by: str) -> tuple[np.ndarray, pd.Index]:
    if by == "category":
        if "category" not in ev.columns:
            from ..errors import MissingColumnError

            raise MissingColumnError("The events have no 'category' column, needed for by='category'. Map the log's "
                                     "category column with read_events(..., schema={'category': '<column>', ...}).")
        return K.factor(ev["category"])
    t = ev["event_time"]
    if by == "day":
        day = K.seconds(t) // 86400
        lo = day.min() if len(day) else 0
        g = (day - lo).astype(np.int64)
        labels = pd.DatetimeIndex(pd.to_datetime((np.arange(g.max() + 1 if len(g) else 0) + lo) * 86400, unit="s"),
                                  name="day")
        return g, labels
    sec = K.seconds(t)
    if by == "hour":
        return (sec % 86400) // 3600, pd.RangeIndex(24, name="hour")
    return (sec // 86400 + 3) % 7, pd.RangeIndex(7, name="weekday")  # 1970-01-01 was a Thursday (Monday = 0)


def funnel(events, *, stages=("view", "cart_or_favourite", "purchase"), by=None) -> pd.DataFrame:
    """Users and events at each funnel stage, with step and overall conversion.

    A user reaches a stage when they have at least one event of its types (in the group, with ``by``),
    whatever the order: logs such as Taobao's hold purchases without a logged view. Step conversion is
    users at a stage / users at the stage before; overall conversion is users at a stage / users at the
    first stage (Moe & Fader 2004).

    Parameters
    ----------
    events : pandas.DataFrame, EventLog or crmmine.engine.LazyEvents
        A lazy log (``read_events(..., engine="duckdb")`` or a SparkSession) is counted in its engine.
    stages : sequence of str, default=("view", "cart_or_favourite", "purchase")
        From :data:`STAGES`: ``view``, ``cart``, ``favourite``, ``cart_or_favourite``, ``purchase``.
    by : {None, "day", "hour", "weekday", "category"}, default=None
        One funnel per calendar day, hour of day (0-23), weekday (0 = Monday) or item category.

    Returns
    -------
    pandas.DataFrame
        Columns ``[by,] stage, events, users, step_conversion, overall_conversion``; stages in the
        given order (per group).

    Examples
    --------
    >>> import pandas as pd, crmmine
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c"], "item_id": ["x", "x", "x", "y", "y"],
    ...                    "event_type": ["view", "purchase", "view", "cart", "view"],
    ...                    "event_time": pd.to_datetime(["2024-01-01"] * 5)})
    >>> crmmine.funnel(crmmine.read_events(ev))[["stage", "users"]].to_dict("list")
    {'stage': ['view', 'cart_or_favourite', 'purchase'], 'users': [3, 1, 1]}
    """
    from ..engine.lazy import LazyEvents

    if _lazy(events) is not None:
        events = _lazy(events)
    if not isinstance(events, LazyEvents):
        ev = validate_events(events)
    stages = _check_stages(stages)
    if by is not None and by not in _BY:
        raise ParameterError(f"The 'by' parameter must be None or one of {', '.join(map(repr, _BY))}. Got {by!r} "
                             "instead.")
    if isinstance(events, LazyEvents):  # counted in its engine (DuckDB, Spark), assembled like below
        return _engine_funnel(events, stages, by)
    c = K.codes(ev)
    ok = c.cust >= 0
    if by is None:
        seen = K.seen_matrix(c.cust[ok], c.etype[ok], c.n_customers)
        counts = np.bincount(c.etype, minlength=4)
        users = [int(seen[:, list(STAGES[s])].any(axis=1).sum()) for s in stages]
        n_events = [int(counts[list(STAGES[s])].sum()) for s in stages]
        out = pd.DataFrame({"stage": list(stages), "events": n_events, "users": users})
        return _rates(out, None)
    g, labels = _group_codes(ev, by)
    ok &= g >= 0
    n_g = len(labels)
    ev_counts = np.bincount(g[ok] * 4 + c.etype[ok], minlength=4 * n_g).reshape(n_g, 4)
    key = (g[ok].astype(np.int64) * max(c.n_customers, 1) + c.cust[ok]) * 4 + c.etype[ok]
    uniq = pd.unique(key)
    ug, ut = (uniq // 4) // max(c.n_customers, 1), uniq % 4
    user_type = np.bincount(ug * 4 + ut, minlength=4 * n_g).reshape(n_g, 4)
    rows = []
    for s in stages:
        cols = list(STAGES[s])
        if len(cols) == 1:
            u = user_type[:, cols[0]]
        else:  # users with any of several types: count distinct (group, user) pairs among those types
            sel = np.isin(ut, cols)
            pairs = pd.unique(uniq[sel] // 4)
            u = np.bincount(pairs // max(c.n_customers, 1), minlength=n_g)
        rows.append(pd.DataFrame({by: labels, "stage": s, "events": ev_counts[:, cols].sum(axis=1), "users": u}))
    return _stage_table(rows, stages, by)


def _stage_table(rows: list[pd.DataFrame], stages, by) -> pd.DataFrame:
    """The per-group rows in (group, stage) order, groups without an event of the stages dropped."""
    out = pd.concat(rows, ignore_index=True)
    out["stage"] = pd.Categorical(out["stage"], categories=list(stages), ordered=True)
    out = out.sort_values([by, "stage"], kind="stable").reset_index(drop=True)
    out = out[out.groupby(by, observed=True, sort=False)["events"].transform("sum").to_numpy() > 0]
    out["stage"] = out["stage"].astype(str)
    return _rates(out.reset_index(drop=True), by)


def _engine_funnel(events, stages, by) -> pd.DataFrame:
    """:func:`funnel` of a lazy log: events and users counted in the engine, the table built here."""
    from ..engine import aggregate

    names = [tuple(EVENT_TYPES[t] for t in STAGES[s]) for s in stages]
    counts, users = aggregate.funnel_counts(events, stage_types=names, by=by)
    if by is None:
        out = pd.DataFrame({"stage": list(stages), "events": [sum(counts[t] for t in n) for n in names],
                            "users": users})
        return _rates(out, None)
    g = counts.index.to_numpy()
    if by == "day":
        labels = pd.DatetimeIndex(pd.to_datetime(g.astype(np.int64) * 86400, unit="s"), name="day")
    elif by == "category":
        labels = pd.Index(g.astype(object), name="category")
    else:
        labels = pd.Index(g.astype(np.int64), name=by)
    rows = [pd.DataFrame({by: labels, "stage": s, "events": counts[list(n)].sum(axis=1).to_numpy(),
                          "users": users[f"u{i}"].to_numpy()}) for i, (s, n) in enumerate(zip(stages, names))]
    return _stage_table(rows, stages, by)


def _rates(out: pd.DataFrame, by) -> pd.DataFrame:
    users = out["users"].to_numpy(dtype=float)
    if by is None:
        prev = np.r_[np.nan, users[:-1]]
        first = np.full(len(users), users[0])
    else:
        grp = out.groupby(by, observed=True, sort=False)["users"]
        prev = grp.shift(1).to_numpy(dtype=float)
        first = grp.transform("first").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["step_conversion"] = np.where(prev > 0, users / prev, np.nan)
        out["overall_conversion"] = np.where(first > 0, users / first, np.nan)
    out["events"] = out["events"].astype(np.int64)
    out["users"] = out["users"].astype(np.int64)
    return out


def _first_purchase_days(c: K.Codes) -> tuple[np.ndarray, np.ndarray]:
    """Per customer: number of distinct purchase days, and whether the customer bought."""
    buy = (c.etype == K.BUY) & (c.cust >= 0)
    day = c.t[buy] // 86400
    pairs = pd.unique(c.cust[buy].astype(np.int64) * 1_000_000 + (day - day.min() if len(day) else day))
    days = np.bincount(pairs // 1_000_000, minlength=c.n_customers)
    return days, days > 0


def traffic_summary(events, *, abandon_hours: int = 24) -> pd.Series:
    """The headline figures of a shop's traffic, as one labelled Series.

    Returns
    -------
    pandas.Series
        ``events``, ``pv`` (page views), ``uv`` (unique visitors), ``pv_per_uv``, ``items``, ``categories``,
        ``buyers``, ``purchases``, ``paying_rate`` (buyers / UV), ``purchases_per_buyer``,
        ``repurchase_rate`` (buyers who bought on two or more days / buyers), ``bounce_rate`` (visitors
        whose only event is a single page view / UV), ``cart_abandonment_rate`` (see
        :func:`cart_outcomes`), ``median_hours_to_purchase`` (from a user's first view of an item to the
        purchase of it, see :func:`time_to_purchase`), ``first_event``, ``last_event``, ``days``.
    """
    abandon_hours = check_int("abandon_hours", abandon_hours, lo=1)
    if _lazy(events) is not None:  # counted in the engine
        from ..engine import events as E

        return E.traffic_summary(_lazy(events), abandon_hours=abandon_hours)
    ev = validate_events(events)
    c = K.codes(ev)
    ok = c.cust >= 0
    counts = np.bincount(c.etype, minlength=4)
    uv = int(np.unique(c.cust[ok]).size) if c.n_customers else 0
    per_user = np.bincount(c.cust[ok], minlength=c.n_customers)
    views = np.bincount(c.cust[ok & (c.etype == K.VIEW)], minlength=c.n_customers)
    bounce = int(((per_user == 1) & (views == 1)).sum())
    days, bought = _first_purchase_days(c)
    buyers = int(bought.sum())
    carts = cart_outcomes(ev, hours=abandon_hours)
    judged = carts[carts["judged"]]
    ttp = time_to_purchase(ev)
    t = ev["event_time"]
    return pd.Series({
        "events": int(len(ev)), "pv": int(counts[K.VIEW]), "uv": uv,
        "pv_per_uv": counts[K.VIEW] / uv if uv else np.nan,
        "items": int(ev["item_id"].nunique()),
        "categories": int(ev["category"].nunique()) if "category" in ev else np.nan,
        "carts": int(counts[K.CART]), "favourites": int(counts[K.FAV]),
        "buyers": buyers, "purchases": int(counts[K.BUY]),
        "paying_rate": buyers / uv if uv else np.nan,
        "purchases_per_buyer": counts[K.BUY] / buyers if buyers else np.nan,
        "repurchase_rate": float((days >= 2).sum() / buyers) if buyers else np.nan,
        "bounce_rate": bounce / uv if uv else np.nan,
        "cart_abandonment_rate": float((~judged["bought_in_time"]).mean()) if len(judged) else np.nan,
        "median_hours_to_purchase": float(ttp["hours"].median()) if len(ttp) else np.nan,
        "first_event": t.min(), "last_event": t.max(),
        "days": int((t.max().normalize() - t.min().normalize()).days + 1) if len(t) else 0,
    }, name="value")


def traffic_by(events, *, by="day") -> pd.DataFrame:
    """PV, UV, events per type, buyers and paying rate per day, hour of day or weekday.

    Returns
    -------
    pandas.DataFrame
        Index ``by``; columns ``pv, uv, carts, favourites, purchases, buyers, paying_rate``.
    """
    if by not in ("day", "hour", "weekday"):
        raise ParameterError(f"The 'by' parameter must be one of 'day', 'hour', 'weekday'. Got {by!r} instead.")
    if _lazy(events) is not None:  # counted in the engine
        from ..engine import events as E

        return E.traffic_by(_lazy(events), by=by)
    ev = validate_events(events)
    f = funnel(ev, stages=("view", "cart", "favourite", "purchase"), by=by)
    wide_e = f.pivot(index=by, columns="stage", values="events")
    uv_key = K.codes(ev)
    g, labels = _group_codes(ev, by)
    ok = uv_key.cust >= 0
    pairs = pd.unique(g[ok].astype(np.int64) * max(uv_key.n_customers, 1) + uv_key.cust[ok])
    uv = pd.Series(np.bincount(pairs // max(uv_key.n_customers, 1), minlength=len(labels)), index=labels)
    buyers = f[f["stage"] == "purchase"].set_index(by)["users"]
    out = pd.DataFrame({"pv": wide_e["view"], "uv": uv.reindex(wide_e.index), "carts": wide_e["cart"],
                        "favourites": wide_e["favourite"], "purchases": wide_e["purchase"],
                        "buyers": buyers.reindex(wide_e.index)})
    out = out.fillna(0).astype(np.int64)
    out["paying_rate"] = out["buyers"] / out["uv"].where(out["uv"] > 0)
    out.index.name = by
    return out


def activity_matrix(events, *, event_type=None, value="events") -> pd.DataFrame:
    """Events (or distinct users) by weekday (rows, 0 = Monday) and hour of day (columns 0-23).

    Parameters
    ----------
    event_type : str or None, default=None
        Only events of this type (``view``, ``cart``, ``favourite``, ``purchase``); None counts all.
    value : {"events", "users"}, default="events"
    """
    if event_type is not None and event_type not in EVENT_TYPES:
        raise ParameterError(f"The 'event_type' parameter must be None or one of {', '.join(EVENT_TYPES)}. "
                             f"Got {event_type!r} instead.")
    if value not in ("events", "users"):
        raise ParameterError(f"The 'value' parameter must be one of 'events', 'users'. Got {value!r} instead.")
    if _lazy(events) is not None:  # counted in the engine
        from ..engine import events as E

        return E.activity_matrix(_lazy(events), event_type=event_type, value=value)
    ev = validate_events(events)
    sec = K.seconds(ev["event_time"])
    cell = ((sec // 86400 + 3) % 7) * 24 + (sec % 86400) // 3600  # 1970-01-01 was a Thursday (Monday = 0)
    keep = np.ones(len(ev), dtype=bool) if event_type is None else (ev["event_type"] == event_type).to_numpy()
    if value == "events":
        counts = np.bincount(cell[keep], minlength=168)
    else:
        cust, _ = K.factor(ev["customer_id"])
        n = int(cust.max()) + 1 if len(cust) else 1
        pairs = pd.unique(cell[keep] * n + cust[keep])
        counts = np.bincount(pairs // n, minlength=168)
    return pd.DataFrame(counts.reshape(7, 24), index=pd.RangeIndex(7, name="weekday"),
                        columns=pd.RangeIndex(24, name="hour"))


def _pair_keys(ev: pd.DataFrame, c: K.Codes) -> tuple[np.ndarray, pd.Index]:
    item, items = K.factor(ev["item_id"])
    return c.cust.astype(np.int64) * max(len(items), 1) + item, items


def time_to_purchase(events) -> pd.DataFrame:
    """For each purchase of an item viewed before: the time from the customer's first view of it.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, item_id, first_view, purchase_time, hours``: one row per purchase event that has an
        earlier view of the same item by the same customer. With a lazy log (DuckDB, Spark) computed in
        the engine, rows by purchase time, customer and item.
    """
    if _lazy(events) is not None:
        from ..engine import events as E

        return E.time_to_purchase(_lazy(events))
    ev = validate_events(events)
    c = K.codes(ev)
    key, _ = _pair_keys(ev, c)
    view = c.etype == K.VIEW
    first_view = pd.Series(c.t[view]).groupby(key[view]).min()
    buy = np.flatnonzero(c.etype == K.BUY)
    fv = first_view.reindex(key[buy]).to_numpy()
    ok = ~np.isnan(fv) & (fv <= c.t[buy])
    rows = buy[ok]
    fv = fv[ok].astype(np.int64)
    return pd.DataFrame({
        "customer_id": ev["customer_id"].take(rows).to_numpy(), "item_id": ev["item_id"].take(rows).to_numpy(),
        "first_view": pd.to_datetime(fv, unit="s"), "purchase_time": ev["event_time"].take(rows).to_numpy(),
        "hours": (c.t[rows] - fv) / 3600.0,
    })


def cart_outcomes(events, *, hours: int = 24, as_of=None) -> pd.DataFrame:
    """Each carted (customer, item): when it was first carted and whether it was bought within ``hours``.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, item_id, carted_at, bought_at`` (first purchase of the item after the cart, NaT if
        none), ``bought_in_time`` (within ``hours``), ``judged`` (the cart is at least ``hours`` old at
        ``as_of``, default the last event, so the outcome is known). The cart abandonment rate is the
        share of judged carts not bought in time.
    """
    from ..validation import check_date

    hours = check_int("hours", hours, lo=1)
    as_of = check_date("as_of", as_of)
    if _lazy(events) is not None:  # computed in the engine; rows by customer, then item
        from ..engine import events as E

        return E.cart_outcomes(_lazy(events), hours=hours, as_of=as_of)
    ev = validate_events(events)
    if as_of is not None:
        ev = ev.loc[(ev["event_time"] <= as_of).to_numpy()]
    c = K.codes(ev)
    key, _ = _pair_keys(ev, c)
    cart = c.etype == K.CART
    first_cart = pd.Series(c.t[cart]).groupby(key[cart]).min()
    buy = c.etype == K.BUY
    bt = pd.DataFrame({"k": key[buy], "t": c.t[buy]})
    bt = bt[bt["k"].isin(first_cart.index)]
    bt = bt.assign(fc=first_cart.reindex(bt["k"]).to_numpy())
    first_buy = bt[bt["t"] >= bt["fc"]].groupby("k")["t"].min()
    pos = pd.Series(np.flatnonzero(cart)).groupby(key[cart]).first()  # a row of each pair's first cart
    rows = pos.loc[first_cart.index].to_numpy()
    fb = first_buy.reindex(first_cart.index).to_numpy()
    end = int(K.seconds(pd.Series([as_of]))[0]) if as_of is not None else (int(c.t.max()) if len(c.t) else 0)
    carted = first_cart.to_numpy()
    return pd.DataFrame({
        "customer_id": ev["customer_id"].take(rows).to_numpy(), "item_id": ev["item_id"].take(rows).to_numpy(),
        "carted_at": pd.to_datetime(carted, unit="s"),
        "bought_at": pd.to_datetime(fb, unit="s"),
        "bought_in_time": ~np.isnan(fb) & (fb - carted <= 3600 * hours),
        "judged": carted + 3600 * hours <= end,
    })


def funnel_dropouts(events, *, stages=("view", "cart_or_favourite", "purchase"), stage="cart_or_favourite",
                    as_of=None) -> pd.DataFrame:
    """Visitors who reached ``stage`` but not the stage after it: the funnel's campaign list.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, views, carts, favourites, last_event, hours_since_last_event`` (to ``as_of``, default
        the last event), most recently active first (ties by customer_id).
    """
    stages = _check_stages(stages)
    if stage not in stages[:-1]:
        raise ParameterError(f"The 'stage' parameter must be one of the stages before the last: "
                             f"{', '.join(stages[:-1])}. Got {stage!r} instead.")
    nxt = stages[stages.index(stage) + 1]
    from ..validation import check_date

    if _lazy(events) is not None:  # one row per visitor who stopped comes back from the engine
        from ..engine import events as E

        return E.funnel_dropouts(_lazy(events), reached=STAGES[stage], onward=STAGES[nxt],
                                 as_of=check_date("as_of", as_of))
    ev = validate_events(events)
    c = K.codes(ev)
    ok = c.cust >= 0
    n = c.n_customers
    counts = np.bincount(c.cust[ok] * 4 + c.etype[ok], minlength=4 * n).reshape(n, 4)
    reached = counts[:, list(STAGES[stage])].sum(axis=1) > 0
    onward = counts[:, list(STAGES[nxt])].sum(axis=1) > 0
    sel = np.flatnonzero(reached & ~onward)
    last = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(last, c.cust[ok], c.t[ok])
    from ..validation import check_date

    as_of = check_date("as_of", as_of)
    end = int(K.seconds(pd.Series([as_of]))[0]) if as_of is not None else int(c.t.max())
    out = pd.DataFrame({"customer_id": c.customers[sel].astype(str), "views": counts[sel, K.VIEW],
                        "carts": counts[sel, K.CART], "favourites": counts[sel, K.FAV],
                        "last_event": pd.to_datetime(last[sel], unit="s"),
                        "hours_since_last_event": (end - last[sel]) / 3600.0})
    order = np.lexsort((out["customer_id"].to_numpy(), out["hours_since_last_event"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)
