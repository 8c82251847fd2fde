"""The behaviour steps of a lazy event log, counted in its engine (DuckDB or Spark).

Each function here is the engine half of a public function of :mod:`crmmine.behaviour` (which
dispatches to it when given a :class:`~crmmine.engine.lazy.LazyEvents`): the line-level work runs
as SQL over the events and only one row per visitor, item, (visitor, item) pair, day or cell comes
back, assembled into the same table as the pandas path gives (tested for equality on generated
logs and the Taobao sample). The SQL keeps to what DuckDB and Spark SQL share (``count(DISTINCT)``,
``max_by``, ``row_number() OVER``, ``CASE``); times are whole seconds since the epoch, computed from
the calendar day and the clock as the pandas path's ``K.seconds`` does.

Input already validated: the callers check their parameters before dispatching.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.schema import EVENT_TYPES
from .lazy import LazyEvents, LazyTransactions, _arrow_to_pandas

__all__ = ["bounds", "traffic_by", "activity_matrix", "traffic_summary", "time_to_purchase", "cart_outcomes",
           "funnel_dropouts", "item_conversion", "propensity_features", "propensity_labels", "prospect_rows",
           "abandoned_carts", "event_baskets", "basket_count"]

_VIEW, _CART, _FAV, _BUY = ("'view'", "'cart'", "'favourite'", "'purchase'")


def _sec(ev: LazyEvents, col: str = "event_time") -> str:
    """Whole seconds since 1970-01-01 of a timestamp column (the pandas path's ``K.seconds``)."""
    return (f"(CAST({ev.dialect.epoch_day(col)} AS BIGINT) * 86400 + hour({col}) * 3600 + minute({col}) * 60 "
            f"+ CAST(floor(second({col})) AS BIGINT))")


def _is(t: str) -> str:
    return f"CASE WHEN event_type = {t} THEN 1 ELSE 0 END"


def _types_in(types) -> str:
    return "event_type IN (" + ", ".join(f"'{EVENT_TYPES[i]}'" for i in types) + ")"


def _base(ev: LazyEvents, *, cols=("customer_id", "item_id"), where: str = "customer_id IS NOT NULL") -> str:
    """The events with their second ``t`` (and the wanted columns) as a subquery."""
    extra = "".join(f", {c}" for c in cols if c in ev.columns)
    return f"(SELECT event_type, event_time, {_sec(ev)} AS t{extra} FROM {{src}} WHERE {where})"


def _seconds(ts) -> int:
    return int(pd.Timestamp(ts).value // 10**9)


def _to_datetime(seconds) -> pd.Series:
    return pd.to_datetime(np.asarray(seconds, dtype="float64"), unit="s")


def _text(col) -> np.ndarray:
    """Text as an object array whose equal values share one Python string (dictionary-encoded first:
    millions of rows of a few thousand categories or items cost a pointer each)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    enc = pc.dictionary_encode(col)
    words = np.asarray(enc.dictionary.to_pylist() + [None], dtype=object)
    idx = enc.indices.fill_null(len(enc.dictionary)).to_numpy(zero_copy_only=False)
    return words[idx]


def _ids(col, name: str = "customer_id") -> pd.Index:
    """Ids as a pandas ``str`` Index held by pyarrow (no Python string per row), in buffers of their own:
    a column imported from the engine keeps its whole record batch (every column) alive."""
    import pyarrow as pa

    from .lazy import owned_text

    return pd.Index(pd.array(owned_text(col.cast(pa.large_string())), dtype="str"), name=name)


def _ints(col, fill: int = 0) -> np.ndarray:
    a = col.to_numpy(zero_copy_only=False)
    if a.dtype == object or np.issubdtype(a.dtype, np.floating):
        a = pd.Series(a).fillna(fill).to_numpy()
    return a.astype(np.int64)


def _floats(col) -> np.ndarray:
    return np.array(pd.Series(col.to_numpy(zero_copy_only=False)).astype("float64").to_numpy(), copy=True)


def bounds(ev: LazyEvents) -> tuple[pd.Timestamp | None, pd.Timestamp | None, int, int | None]:
    """First and last event time, the number of events and the last event's second."""
    r = ev.arrow(f"SELECT min(event_time) AS a, max(event_time) AS b, count(*) AS n, max({_sec(ev)}) AS s "
                 "FROM {src}").to_pylist()[0]
    a = None if r["a"] is None else pd.Timestamp(r["a"])
    b = None if r["b"] is None else pd.Timestamp(r["b"])
    return a, b, int(r["n"]), None if r["s"] is None else int(r["s"])


# ------------------------------------------------------------------------------ traffic
def _group(ev: LazyEvents, by: str) -> str:
    from ._sql import funnel_group_expr

    return funnel_group_expr(by, ev.dialect)


def _group_labels(g: np.ndarray, by: str) -> pd.Index:
    if by == "day":
        return pd.DatetimeIndex(pd.to_datetime(g.astype(np.int64) * 86400, unit="s"), name="day")
    return pd.Index(g.astype(np.int64), name=by)


def traffic_by(ev: LazyEvents, *, by: str) -> pd.DataFrame:
    """:func:`crmmine.traffic_by` in the engine: one row per day, hour or weekday."""
    g = _group(ev, by)
    r = ev.arrow(
        f"SELECT {g} AS g, sum({_is(_VIEW)}) AS pv, count(DISTINCT customer_id) AS uv, sum({_is(_CART)}) AS carts, "
        f"sum({_is(_FAV)}) AS favourites, sum({_is(_BUY)}) AS purchases, count(DISTINCT CASE WHEN event_type = "
        f"{_BUY} THEN customer_id END) AS buyers FROM {{src}} WHERE customer_id IS NOT NULL AND {g} IS NOT NULL "
        f"GROUP BY {g} ORDER BY g")
    out = pd.DataFrame({c: _ints(r.column(c)) for c in ("pv", "uv", "carts", "favourites", "purchases", "buyers")},
                       index=_group_labels(_ints(r.column("g")), by))
    out["paying_rate"] = out["buyers"] / out["uv"].where(out["uv"] > 0)
    out.index.name = by
    return out


def activity_matrix(ev: LazyEvents, *, event_type, value: str) -> pd.DataFrame:
    """:func:`crmmine.activity_matrix` in the engine: 168 cells (weekday x hour)."""
    day = ev.dialect.epoch_day("event_time")
    where = "TRUE" if event_type is None else f"event_type = {ev.dialect.string(event_type)}"
    what = "count(*)" if value == "events" else "count(DISTINCT customer_id)"
    r = ev.arrow(f"SELECT ((({day}) + 3) % 7) * 24 + hour(event_time) AS cell, {what} AS n FROM {{src}} "
                 f"WHERE {where} GROUP BY 1")
    counts = np.zeros(168, dtype=np.int64)
    counts[_ints(r.column("cell"))] = _ints(r.column("n"))
    return pd.DataFrame(counts.reshape(7, 24), index=pd.RangeIndex(7, name="weekday"),
                        columns=pd.RangeIndex(24, name="hour"))


def _cart_pairs_sql(ev: LazyEvents, as_of) -> str:
    """Per carted (customer, item): the first cart's second and the first purchase at or after it."""
    where = "customer_id IS NOT NULL" + ("" if as_of is None else f" AND event_time <= {ev.dialect.ts(as_of)}")
    e = _base(ev, where=where)
    return (f"WITH e AS {e}, fc AS (SELECT customer_id, item_id, min(t) AS carted FROM e WHERE event_type = {_CART} "
            "GROUP BY customer_id, item_id), "
            "fb AS (SELECT fc.customer_id AS customer_id, fc.item_id AS item_id, min(e.t) AS bought FROM fc JOIN e "
            f"ON e.customer_id = fc.customer_id AND e.item_id = fc.item_id WHERE e.event_type = {_BUY} AND "
            "e.t >= fc.carted GROUP BY fc.customer_id, fc.item_id) "
            "SELECT fc.customer_id AS customer_id, fc.item_id AS item_id, fc.carted AS carted, fb.bought AS bought "
            "FROM fc LEFT JOIN fb ON fc.customer_id = fb.customer_id AND fc.item_id = fb.item_id")


def _end_second(ev: LazyEvents, as_of) -> int:
    if as_of is not None:
        return _seconds(as_of)
    s = bounds(ev)[3]
    return 0 if s is None else s


def cart_outcomes(ev: LazyEvents, *, hours: int, as_of) -> pd.DataFrame:
    """:func:`crmmine.cart_outcomes` in the engine; rows by customer, then item."""
    r = ev.owned_columns(f"SELECT * FROM ({_cart_pairs_sql(ev, as_of)}) x ORDER BY customer_id, item_id")
    end = _end_second(ev, as_of)
    carted = _ints(r.pop("carted"))
    fb = _floats(r.pop("bought"))
    return pd.DataFrame({
        "customer_id": _text(r.pop("customer_id")), "item_id": _text(r.pop("item_id")),
        "carted_at": _to_datetime(carted), "bought_at": _to_datetime(fb),
        "bought_in_time": ~np.isnan(fb) & (fb - carted <= 3600 * hours),
        "judged": carted + 3600 * hours <= end,
    })


def _ttp_sql(ev: LazyEvents) -> str:
    e = _base(ev, where="customer_id IS NOT NULL")
    return (f"WITH e AS {e}, fv AS (SELECT customer_id, item_id, min(t) AS fv FROM e WHERE event_type = {_VIEW} "
            "GROUP BY customer_id, item_id) "
            "SELECT b.customer_id AS customer_id, b.item_id AS item_id, fv.fv AS fv, b.event_time AS purchase_time, "
            "b.t AS t FROM e b JOIN fv ON b.customer_id = fv.customer_id AND b.item_id = fv.item_id "
            f"WHERE b.event_type = {_BUY} AND fv.fv <= b.t")


def time_to_purchase(ev: LazyEvents) -> pd.DataFrame:
    """:func:`crmmine.time_to_purchase` in the engine; rows by purchase time, customer, item."""
    import pyarrow as pa

    r = ev.owned_columns(f"SELECT * FROM ({_ttp_sql(ev)}) x ORDER BY purchase_time, customer_id, item_id")
    fv = _ints(r.pop("fv"))
    return pd.DataFrame({
        "customer_id": _text(r.pop("customer_id")), "item_id": _text(r.pop("item_id")),
        "first_view": _to_datetime(fv),
        "purchase_time": _arrow_to_pandas(pa.table({"purchase_time": r.pop("purchase_time")}))["purchase_time"],
        "hours": (_ints(r.pop("t")) - fv) / 3600.0,
    })


def traffic_summary(ev: LazyEvents, *, abandon_hours: int) -> pd.Series:
    """:func:`crmmine.traffic_summary` in the engine (a few one-row queries)."""
    has_cat = "category" in ev.columns
    cat = "count(DISTINCT category) AS categories, " if has_cat else ""
    a = ev.arrow(
        f"SELECT count(*) AS events, sum({_is(_VIEW)}) AS pv, count(DISTINCT customer_id) AS uv, "
        f"count(DISTINCT item_id) AS items, {cat}sum({_is(_CART)}) AS carts, sum({_is(_FAV)}) AS favourites, "
        f"sum({_is(_BUY)}) AS purchases, min(event_time) AS first_event, max(event_time) AS last_event, "
        f"max({_sec(ev)}) AS last_s FROM {{src}}").to_pylist()[0]
    day = ev.dialect.epoch_day("event_time")
    b = ev.arrow(
        "SELECT count(*) AS buyers, sum(CASE WHEN n >= 2 THEN 1 ELSE 0 END) AS repeat FROM (SELECT customer_id, "
        f"count(DISTINCT {day}) AS n FROM {{src}} WHERE event_type = {_BUY} AND customer_id IS NOT NULL "
        "GROUP BY customer_id) x").to_pylist()[0]
    bounce = ev.arrow(
        f"SELECT count(*) AS n FROM (SELECT customer_id FROM {{src}} WHERE customer_id IS NOT NULL GROUP BY "
        f"customer_id HAVING count(*) = 1 AND sum({_is(_VIEW)}) = 1) x").to_pylist()[0]["n"]
    end = 0 if a["last_s"] is None else int(a["last_s"])
    h = 3600 * int(abandon_hours)
    c = ev.arrow(
        f"SELECT sum(CASE WHEN carted + {h} <= {end} THEN 1 ELSE 0 END) AS judged, sum(CASE WHEN carted + {h} <= "
        f"{end} AND NOT (bought IS NOT NULL AND bought - carted <= {h}) THEN 1 ELSE 0 END) AS lost "
        f"FROM ({_cart_pairs_sql(ev, None)}) x").to_pylist()[0]
    med = ev.arrow(f"SELECT median((t - fv) / 3600.0) AS m, count(*) AS n FROM ({_ttp_sql(ev)}) x").to_pylist()[0]
    n_events, pv, uv = int(a["events"]), int(a["pv"] or 0), int(a["uv"])
    buyers, purchases = int(b["buyers"]), int(a["purchases"] or 0)
    judged = int(c["judged"] or 0)
    first, last = pd.Timestamp(a["first_event"]) if n_events else pd.NaT, \
        pd.Timestamp(a["last_event"]) if n_events else pd.NaT
    return pd.Series({
        "events": n_events, "pv": pv, "uv": uv, "pv_per_uv": pv / uv if uv else np.nan,
        "items": int(a["items"]), "categories": int(a["categories"]) if has_cat else np.nan,
        "carts": int(a["carts"] or 0), "favourites": int(a["favourites"] or 0),
        "buyers": buyers, "purchases": purchases,
        "paying_rate": buyers / uv if uv else np.nan,
        "purchases_per_buyer": purchases / buyers if buyers else np.nan,
        "repurchase_rate": float(int(b["repeat"] or 0) / buyers) if buyers else np.nan,
        "bounce_rate": int(bounce) / uv if uv else np.nan,
        "cart_abandonment_rate": float(int(c["lost"] or 0) / judged) if judged else np.nan,
        "median_hours_to_purchase": float(med["m"]) if med["n"] else np.nan,
        "first_event": first, "last_event": last,
        "days": int((last.normalize() - first.normalize()).days + 1) if n_events else 0,
    }, name="value")


def funnel_dropouts(ev: LazyEvents, *, reached: tuple[int, ...], onward: tuple[int, ...], as_of) -> pd.DataFrame:
    """:func:`crmmine.funnel_dropouts` in the engine: one row per visitor who stopped at the stage."""
    end = _end_second(ev, as_of)
    r = ev.owned_columns(
        f"SELECT customer_id, views, carts, favourites, last FROM (SELECT customer_id, sum({_is(_VIEW)}) AS views, "
        f"sum({_is(_CART)}) AS carts, sum({_is(_FAV)}) AS favourites, "
        f"sum(CASE WHEN {_types_in(reached)} THEN 1 ELSE 0 END) AS r, "
        f"sum(CASE WHEN {_types_in(onward)} THEN 1 ELSE 0 END) AS o, max({_sec(ev)}) AS last FROM {{src}} "
        "WHERE customer_id IS NOT NULL GROUP BY customer_id) x WHERE r > 0 AND o = 0 ORDER BY last DESC, customer_id")
    last = _ints(r.pop("last"))
    return pd.DataFrame({"customer_id": _ids(r.pop("customer_id")),
                         "views": _ints(r.pop("views")), "carts": _ints(r.pop("carts")),
                         "favourites": _ints(r.pop("favourites")), "last_event": _to_datetime(last),
                         "hours_since_last_event": (end - last) / 3600.0})


# ------------------------------------------------------------------------------ items
def item_conversion(ev: LazyEvents, *, col: str, min_viewers: int) -> pd.DataFrame:
    """:func:`crmmine.item_conversion` in the engine: one row per item (or category)."""
    with_cat = col == "item_id" and "category" in ev.columns
    cat_in = ", min(category) AS cat" if with_cat else ""
    cat_out = ", min(cat) AS category" if with_cat else ""
    r = ev.arrow(
        "SELECT g, sum(nv) AS views, sum(CASE WHEN nv > 0 THEN 1 ELSE 0 END) AS viewers, sum(nc) AS carts, "
        "sum(nf) AS favourites, sum(nb) AS purchases, sum(CASE WHEN nb > 0 THEN 1 ELSE 0 END) AS buyers, "
        "sum(CASE WHEN nv > 0 AND nb > 0 THEN 1 ELSE 0 END) AS vb, sum(CASE WHEN nc > 0 THEN 1 ELSE 0 END) AS carters, "
        f"sum(CASE WHEN nc > 0 AND nb > 0 THEN 1 ELSE 0 END) AS cb{cat_out} FROM (SELECT {col} AS g, customer_id, "
        f"sum({_is(_VIEW)}) AS nv, sum({_is(_CART)}) AS nc, sum({_is(_FAV)}) AS nf, sum({_is(_BUY)}) AS nb{cat_in} "
        f"FROM {{src}} WHERE {col} IS NOT NULL AND customer_id IS NOT NULL GROUP BY {col}, customer_id) x "
        f"GROUP BY g HAVING sum(CASE WHEN nv > 0 THEN 1 ELSE 0 END) >= {int(min_viewers)} ORDER BY viewers DESC, g")
    viewers, carters = _ints(r.column("viewers")), _ints(r.column("carters"))
    out = pd.DataFrame({c: _ints(r.column(c)) for c in ("views", "viewers", "carts", "favourites", "purchases",
                                                          "buyers")},
                       index=pd.Index(_text(r.column("g")), name=col).astype(str))
    with np.errstate(divide="ignore", invalid="ignore"):
        out["view_to_buy"] = np.where(viewers > 0, _ints(r.column("vb")) / viewers, np.nan)
        out["cart_to_buy"] = np.where(carters > 0, _ints(r.column("cb")) / carters, np.nan)
    if with_cat:
        out["category"] = _text(r.column("category"))
    return out


# ------------------------------------------------------------------------------ prospects
def _feature_sql(ev: LazyEvents, cut_s: int, windows, prospects_only: bool) -> str:
    has_cat = "category" in ev.columns
    e = _base(ev, cols=("customer_id", "item_id", "category"), where="customer_id IS NOT NULL")
    win = "".join(
        f", sum(CASE WHEN t > {cut_s - 86400 * w} AND event_type = {t_} THEN 1 ELSE 0 END) AS {n}_{w}d"
        for w in windows for n, t_ in (("views", _VIEW), ("carts", _CART), ("favourites", _FAV)))
    day = "(t - (t % 86400))"  # the calendar day, as whole seconds (t >= 0)
    catv = (f", count(DISTINCT CASE WHEN event_type = {_VIEW} THEN category END) AS categories_viewed"
            if has_cat else "")
    cust = (f"SELECT customer_id, sum({_is(_VIEW)}) AS views, sum({_is(_CART)}) AS carts, sum({_is(_FAV)}) AS "
            f"favourites, sum({_is(_BUY)}) AS purchases, count(*) AS events{win}{catv}, "
            f"count(DISTINCT {day}) AS active_days, max(t) AS last, min(t) AS first, "
            f"max(CASE WHEN event_type = {_CART} THEN t END) AS lc FROM e GROUP BY customer_id"
            + (" HAVING sum(" + _is(_BUY) + ") = 0" if prospects_only else ""))
    pair = (f"SELECT customer_id, item_id, sum({_is(_VIEW)}) AS nv, sum({_is(_FAV)}) AS nf, "
            f"max(CASE WHEN event_type = {_CART} THEN t END) AS lc, max(CASE WHEN event_type = {_BUY} THEN t END) "
            "AS lb FROM e GROUP BY customer_id, item_id")
    items = ("SELECT customer_id, sum(CASE WHEN nv > 0 THEN 1 ELSE 0 END) AS items_viewed, max(nv) AS "
             "max_views_one_item, sum(CASE WHEN lc IS NOT NULL AND NOT (lb IS NOT NULL AND lb >= lc) THEN 1 ELSE 0 "
             "END) AS items_in_cart, sum(CASE WHEN nf > 0 THEN 1 ELSE 0 END) AS items_favourited FROM p "
             "GROUP BY customer_id")
    sql = f"WITH e AS (SELECT * FROM {e} x WHERE t <= {cut_s}), c AS ({cust}), p AS ({pair}), i AS ({items})"
    top = ""
    if has_cat:
        w = (f"CASE WHEN event_type = {_CART} THEN 3 WHEN event_type = {_FAV} THEN 2 WHEN event_type = {_BUY} "
             "THEN 3 ELSE 1 END")
        sql += (f", k AS (SELECT customer_id, category, sum({w}) AS w FROM e WHERE category IS NOT NULL "
                "GROUP BY customer_id, category), "
                "tc AS (SELECT customer_id, category AS top_category FROM (SELECT customer_id, category, row_number() "
                "OVER (PARTITION BY customer_id ORDER BY w DESC, category) AS r FROM k) y WHERE r = 1)")
        top = ", tc.top_category AS top_category"
    sql += (" SELECT c.*, i.items_viewed AS items_viewed, i.max_views_one_item AS max_views_one_item, "
            f"i.items_in_cart AS items_in_cart, i.items_favourited AS items_favourited{top} FROM c "
            "JOIN i ON c.customer_id = i.customer_id"
            + (" LEFT JOIN tc ON c.customer_id = tc.customer_id" if has_cat else ""))
    return sql


def _features_frame(cols: dict, cut_s: int, windows, has_cat: bool) -> pd.DataFrame:
    """The feature table from the query's columns (a dict of arrow columns, emptied as they are converted, so
    that the result and the arrow data are not both held whole)."""
    f = {c: _ints(cols.pop(c)) for c in ("views", "carts", "favourites", "purchases", "events")}
    for w in windows:
        for n in ("views", "carts", "favourites"):
            f[f"{n}_{w}d"] = _ints(cols.pop(f"{n}_{w}d"))
    for c in ("items_viewed", "max_views_one_item", "items_in_cart", "items_favourited"):
        f[c] = _ints(cols.pop(c))
    if has_cat:
        f["categories_viewed"] = _ints(cols.pop("categories_viewed"))
    f["active_days"] = _ints(cols.pop("active_days"))
    last, first = _ints(cols.pop("last")), _ints(cols.pop("first"))
    f["hours_since_last_event"] = (cut_s - last) / 3600.0
    lc = _floats(cols.pop("lc"))
    f["hours_since_last_cart"] = np.where(np.isnan(lc), np.nan, (cut_s - lc) / 3600.0)
    f["hours_active"] = (last - first) / 3600.0
    del last, first, lc
    if has_cat:
        f["top_category"] = _text(cols.pop("top_category"))
    return pd.DataFrame(f, index=_ids(cols.pop("customer_id")), copy=False)


def propensity_features(ev: LazyEvents, *, cutoff, windows, prospects_only: bool) -> pd.DataFrame:
    """:func:`crmmine.propensity_features` in the engine: one row per visitor, sorted by id."""
    cut_s = _seconds(cutoff)
    cols = ev.owned_columns(f"SELECT * FROM ({_feature_sql(ev, cut_s, windows, prospects_only)}) z "
                            "ORDER BY customer_id")
    return _features_frame(cols, cut_s, windows, "category" in ev.columns)


def propensity_labels(ev: LazyEvents, *, cutoff, horizon_days: int, prospects_only: bool = False) -> pd.Series:
    """:func:`crmmine.propensity_labels` in the engine: one row per visitor seen by ``cutoff`` (with
    ``prospects_only``, only those who bought nothing by then: the rows of the features), sorted by id."""
    d = ev.dialect
    cut, end = d.ts(cutoff), d.ts(pd.Timestamp(cutoff) + pd.Timedelta(days=horizon_days))
    prospects = (f" AND sum(CASE WHEN event_type = {_BUY} AND {_sec(ev)} <= {_seconds(cutoff)} THEN 1 ELSE 0 END) = 0"
                 if prospects_only else "")
    r = ev.owned_columns(
        f"SELECT customer_id, max(CASE WHEN event_type = {_BUY} AND event_time > {cut} AND event_time <= {end} "
        f"THEN 1 ELSE 0 END) AS b FROM {{src}} WHERE customer_id IS NOT NULL GROUP BY customer_id "
        f"HAVING min(event_time) <= {cut}{prospects} ORDER BY customer_id")
    return pd.Series(_ints(r.pop("b")).astype(bool), index=_ids(r.pop("customer_id")), name="purchased")


def prospect_rows(ev: LazyEvents, *, as_of, windows, n_items: int):
    """The prospects' features at ``as_of`` (sorted by id) and, aligned with them, the items to remind
    each of: up to ``n_items`` items carted, favourited or viewed most (weights 3, 2, 1; ties: the
    item seen last, then the smaller id), joined by '|'."""
    cut_s = _seconds(as_of)
    d = ev.dialect
    e = _base(ev, where=f"customer_id IS NOT NULL AND item_id IS NOT NULL AND event_time <= {d.ts(as_of)}")
    w = f"CASE WHEN event_type = {_CART} THEN 3 WHEN event_type = {_FAV} THEN 2 ELSE 1 END"
    ranked = (f"SELECT customer_id, item_id, row_number() OVER (PARTITION BY customer_id ORDER BY w DESC, t DESC, "
              f"item_id) AS r FROM (SELECT customer_id, item_id, sum({w}) AS w, max(t) AS t FROM e GROUP BY "
              "customer_id, item_id) y")
    if d.name == "spark":
        agg = "concat_ws('|', transform(sort_array(collect_list(struct(r, item_id))), x -> x.item_id))"
    else:
        agg = "string_agg(item_id, '|' ORDER BY r)"
    remind = (f"WITH e AS {e}, nb AS (SELECT customer_id FROM e GROUP BY customer_id HAVING sum({_is(_BUY)}) = 0) "
              f"SELECT q.customer_id AS customer_id, {agg} AS remind_items FROM ({ranked}) q JOIN nb "
              f"ON q.customer_id = nb.customer_id WHERE q.r <= {int(n_items)} GROUP BY q.customer_id")
    sql = (f"SELECT f.*, m.remind_items AS remind_items FROM ({_feature_sql(ev, cut_s, windows, True)}) f "
           f"LEFT JOIN ({remind}) m ON f.customer_id = m.customer_id ORDER BY f.customer_id")
    cols = ev.owned_columns(sql)
    remind = cols.pop("remind_items")
    return _features_frame(cols, cut_s, windows, "category" in ev.columns), remind


def abandoned_carts(ev: LazyEvents, *, hours: int, as_of) -> pd.DataFrame:
    """:func:`crmmine.abandoned_carts` in the engine: one row per abandoned (visitor, item)."""
    d = ev.dialect
    cut_s = _seconds(as_of)
    has_cat, has_price = "category" in ev.columns, "price" in ev.columns
    e = _base(ev, cols=("customer_id", "item_id", "category", "price"),
              where=f"customer_id IS NOT NULL AND event_time <= {d.ts(as_of)}")
    cat = ", max_by(category, t) AS category" if has_cat else ""
    price = ", max_by(price, t) AS price" if has_price else ""
    r = ev.owned_columns(
        f"WITH e AS {e}, "
        f"p AS (SELECT customer_id, item_id, max(CASE WHEN event_type = {_CART} THEN t END) AS lc, "
        f"max(CASE WHEN event_type = {_BUY} THEN t END) AS lb, sum({_is(_VIEW)}) AS item_views, "
        f"max({_is(_FAV)}) AS fav FROM e GROUP BY customer_id, item_id), "
        f"l AS (SELECT customer_id, item_id{cat}{price} FROM e WHERE event_type = {_CART} GROUP BY customer_id, "
        "item_id), "
        f"a AS (SELECT * FROM p WHERE lc IS NOT NULL AND NOT (lb IS NOT NULL AND lb >= lc) AND lc + {3600 * hours} "
        f"<= {cut_s}), "
        f"b AS (SELECT customer_id, max({_is(_BUY)}) AS bought FROM e GROUP BY customer_id), "
        "o AS (SELECT customer_id, count(*) AS n FROM a GROUP BY customer_id) "
        f"SELECT a.customer_id AS customer_id, a.item_id AS item_id{', l.category AS category' if has_cat else ''}, "
        f"a.lc AS lc, a.item_views AS item_views, a.fav AS fav{', l.price AS price' if has_price else ''}, "
        "o.n AS open_carts, b.bought AS bought FROM a JOIN l ON a.customer_id = l.customer_id AND a.item_id = "
        "l.item_id JOIN o ON a.customer_id = o.customer_id JOIN b ON a.customer_id = b.customer_id "
        "ORDER BY a.lc DESC, a.customer_id, a.item_id")
    lc = _ints(r.pop("lc"))
    out = pd.DataFrame({"customer_id": _text(r.pop("customer_id")).astype(str),
                        "item_id": _text(r.pop("item_id")).astype(str)})
    if has_cat:
        out["category"] = _text(r.pop("category")).astype(str)
    out["carted_at"] = _to_datetime(lc)
    out["hours_since_cart"] = (cut_s - lc) / 3600.0
    out["item_views"] = _ints(r.pop("item_views"))
    out["favourited"] = _ints(r.pop("fav")).astype(bool)
    if has_price:
        out["price"] = _floats(r.pop("price"))
    out["customer_open_carts"] = _ints(r.pop("open_carts"))
    out["customer_has_bought"] = _ints(r.pop("bought")).astype(bool)
    return out


# ------------------------------------------------------------------------------ baskets
def event_baskets(ev: LazyEvents, *, types: tuple[str, ...], by: str, col: str, gap_minutes: int) -> LazyTransactions:
    """:func:`crmmine.event_baskets` in the engine: a lazy table of one line per distinct (basket, item),
    with ``customer_id, order_id, order_date`` (the item's first event in the basket), ``product_id`` and
    ``quantity`` 1, that :func:`crmmine.mine_rules` counts and prunes in the engine. A user-day basket's
    id is the pandas path's (``<customer>-<yyyymmdd>``); a session's is ``<customer>-s<session>``, where
    ``<session>`` is the log's session id, or the session's number within the visitor from inactivity gaps
    of ``gap_minutes`` (the same baskets as :func:`crmmine.sessionize` cuts, numbered per visitor)."""
    d = ev.dialect
    keep = f"event_type IN ({', '.join(d.string(t) for t in types)}) AND {col} IS NOT NULL"
    if by == "user_day":
        key = ("customer_id || '-' || CAST(year(event_time) * 10000 + month(event_time) * 100 + day(event_time) "
               "AS STRING)")
        inner = f"SELECT customer_id, {key} AS order_id, event_time, {col} AS item FROM {{src}} WHERE {keep}"
    elif "session_id" in ev.columns and ev.arrow(
            "SELECT count(*) AS n FROM {src} WHERE session_id IS NULL").column(0)[0].as_py() == 0:
        inner = (f"SELECT customer_id, customer_id || '-s' || session_id AS order_id, event_time, {col} AS item "
                 f"FROM {{src}} WHERE {keep}")
    else:
        t = _sec(ev)
        marks = (f"SELECT customer_id, event_type, event_time, {t} AS t, {col} AS item, CASE WHEN {t} - lag({t}) "
                 f"OVER (PARTITION BY customer_id ORDER BY {t}) <= {60 * int(gap_minutes)} THEN 0 ELSE 1 END AS new "
                 "FROM {src}")
        numbered = ("SELECT customer_id, event_type, event_time, item, sum(new) OVER (PARTITION BY customer_id "
                    "ORDER BY t, new DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS s FROM (" + marks + ") m")
        keep_i = keep.replace(f"{col} IS NOT NULL", "item IS NOT NULL")
        inner = (f"SELECT customer_id, customer_id || '-s' || CAST(s AS STRING) AS order_id, event_time, item "
                 f"FROM ({numbered}) n WHERE {keep_i}")
    return ev.derive(f"SELECT customer_id, order_id, min(event_time) AS order_date, item AS product_id, "
                     f"CAST(1.0 AS DOUBLE) AS quantity FROM ({inner}) b GROUP BY customer_id, order_id, item")


def basket_count(baskets: LazyTransactions) -> int:
    """Distinct baskets of a lazy basket table."""
    return int(baskets.arrow("SELECT count(DISTINCT order_id) AS n FROM {src}").column(0)[0].as_py())
