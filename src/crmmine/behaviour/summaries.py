"""One-sentence findings of the behaviour report (words from :mod:`crmmine.text`, numbers from the data),
and tables made readable for a person (labelled columns, formatted numbers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import MissingColumnError, ParameterError
from ..text.labels import label
from .events import EventLog

__all__ = [
    "summarise_events",
    "summarise_funnel",
    "summarise_traffic",
    "summarise_peak",
    "summarise_time_to_purchase",
    "summarise_categories",
    "summarise_prospects",
    "summarise_carts",
    "summarise_items",
    "summarise_event_rules",
    "readable_table",
    "traffic_table",
]


def _pct(x) -> str:
    return "-" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.1%}"


def _need(df, cols, name, source):
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"The '{name}' parameter must be the DataFrame of {source}. Got {type(df).__name__} instead.")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise MissingColumnError(f"The '{name}' table has no column {missing[0]!r}; pass the result of {source}.")


def summarise_events(log, *, lang=None) -> str:
    """Lines read, events kept, visitors, period and the reasons lines were rejected."""
    if not isinstance(log, EventLog):
        raise ParameterError(f"The 'log' parameter must be the EventLog of read_events. Got {type(log).__name__} instead.")
    a = log.audit.set_index("rule")
    rej = a.drop(index=["input", "kept"])
    rej = rej[rej["lines"] > 0]
    reasons = "; ".join(f"{r['description']} {int(r['lines']):,}" for _, r in rej.iterrows()) or \
        label("behaviour.summary.no_rejects", lang)
    ev = log.events
    from ..engine.lazy import is_lazy

    if is_lazy(ev):  # counted in the engine
        r = ev.arrow("SELECT count(*) AS n, count(DISTINCT customer_id) AS v, min(event_time) AS a, "
                     "max(event_time) AS b FROM {src}").to_pylist()[0]
        n, visitors, first, last = int(r["n"]), int(r["v"]), pd.Timestamp(r["a"]), pd.Timestamp(r["b"])
    else:
        n, visitors, first, last = len(ev), ev["customer_id"].nunique(), ev["event_time"].min(), ev["event_time"].max()
    return label("behaviour.summary.read", lang, kept=f"{n:,}", lines=f"{int(a.loc['input', 'lines']):,}",
                 visitors=f"{visitors:,}", start=f"{first:%Y-%m-%d}", end=f"{last:%Y-%m-%d}",
                 tz=log.source.get("tz") or "UTC", rejected=f"{int(rej['lines'].sum()):,}", reasons=reasons)


def summarise_fit_sample(model, *, lang=None) -> str:
    """One sentence when the propensity model was fitted on a sample of the visitors (``max_fit_visitors``),
    else ``""``."""
    from .prospects import PropensityBacktest, PropensityModel

    m = model.model if isinstance(model, PropensityBacktest) else model
    if not isinstance(m, PropensityModel) or not hasattr(m, "n_fit_"):
        raise ParameterError(f"The 'model' parameter must be a fitted PropensityModel or a PropensityBacktest. Got "
                             f"{type(model).__name__} instead.")
    if m.n_fit_ >= m.n_visitors_:
        return ""
    return label("behaviour.summary.fit_sample", lang, n_fit=f"{m.n_fit_:,}", n=f"{m.n_visitors_:,}")


def summarise_funnel(funnel_table, *, lang=None) -> str:
    """Visitors at each stage and where the funnel loses most (a table of :func:`funnel` without ``by``)."""
    _need(funnel_table, ["stage", "users", "step_conversion", "overall_conversion"], "funnel_table", "funnel")
    f = funnel_table.reset_index(drop=True)
    worst = int(f["step_conversion"].iloc[1:].idxmin())
    names = [label(f"behaviour.stage.{s}", lang) for s in f["stage"]]
    return label("behaviour.summary.funnel", lang, uv=f"{int(f['users'].iloc[0]):,}", stage1=f"{int(f['users'].iloc[1]):,}",
                 name1=names[1], rate1=_pct(f["step_conversion"].iloc[1]), stage2=f"{int(f['users'].iloc[-1]):,}",
                 rate2=_pct(f["step_conversion"].iloc[-1]), overall=_pct(f["overall_conversion"].iloc[-1]),
                 worst_from=names[worst - 1], worst_to=names[worst])


def summarise_traffic(summary, *, lang=None) -> str:
    """PV, UV, paying, repurchase and bounce rates (the Series of :func:`traffic_summary`)."""
    if not isinstance(summary, pd.Series) or "pv" not in summary.index:
        raise ParameterError("The 'summary' parameter must be the Series of traffic_summary.")
    return label("behaviour.summary.traffic", lang, pv=f"{int(summary['pv']):,}", uv=f"{int(summary['uv']):,}",
                 pv_per_uv=f"{summary['pv_per_uv']:.1f}", paying=_pct(summary["paying_rate"]),
                 repurchase=_pct(summary["repurchase_rate"]), bounce=_pct(summary["bounce_rate"]))


def summarise_peak(matrix, *, lang=None) -> str:
    """The busiest weekday x hour cell and the busiest and quietest hours (:func:`activity_matrix`)."""
    if not isinstance(matrix, pd.DataFrame) or matrix.shape != (7, 24):
        raise ParameterError("The 'matrix' parameter must be the 7 x 24 DataFrame of activity_matrix.")
    arr = matrix.to_numpy()
    wd, hr = np.unravel_index(int(arr.argmax()), arr.shape)
    hours = arr.sum(axis=0)
    return label("behaviour.summary.peak", lang, weekday=label(f"behaviour.weekday.{wd}", lang), hour=int(hr),
                 best_hour=int(hours.argmax()), worst_hour=int(hours.argmin()))


def summarise_time_to_purchase(ttp, *, lang=None) -> str:
    """Median hours from first view to purchase and the share within an hour (:func:`time_to_purchase`)."""
    _need(ttp, ["hours"], "ttp", "time_to_purchase")
    h = ttp["hours"]
    return label("behaviour.summary.time_to_purchase", lang, median=f"{h.median():.1f}" if len(h) else "-",
                 share=_pct(float((h <= 1).mean()) if len(h) else np.nan))


def summarise_categories(conversion, *, n=10, lang=None) -> str:
    """Best and worst view-to-buy conversion among the ``n`` most viewed categories (:func:`item_conversion`)."""
    _need(conversion, ["viewers", "view_to_buy"], "conversion", "item_conversion")
    top = conversion.sort_values("viewers", ascending=False, kind="stable").head(n)
    best, worst = top["view_to_buy"].idxmax(), top["view_to_buy"].idxmin()
    return label("behaviour.summary.category", lang, n=len(top), best=best, best_rate=_pct(top.loc[best, "view_to_buy"]),
                 worst=worst, worst_rate=_pct(top.loc[worst, "view_to_buy"]))


def summarise_prospects(prospects, *, as_of, horizon_days, top=None, lang=None) -> str:
    """How many prospects there are and how much of the expected buying the top of the list holds."""
    _need(prospects, ["p_purchase"], "prospects", "prospect_list")
    p = prospects["p_purchase"].to_numpy()
    top = max(1, int(np.ceil(0.1 * len(p)))) if top is None else int(top)
    share = p[:top].sum() / p.sum() if p.sum() > 0 else np.nan
    return label("behaviour.summary.prospects", lang, n=f"{len(p):,}", top=f"{min(top, len(p)):,}", share=_pct(share),
                 as_of=f"{pd.Timestamp(as_of):%Y-%m-%d %H:%M}", horizon=horizon_days)


def summarise_carts(carts, outcomes, *, hours, lang=None) -> str:
    """Abandoned carts (:func:`abandoned_carts`) and the abandonment rate (:func:`cart_outcomes`)."""
    _need(carts, ["customer_id"], "carts", "abandoned_carts")
    _need(outcomes, ["judged", "bought_in_time"], "outcomes", "cart_outcomes")
    judged = outcomes[outcomes["judged"]]
    return label("behaviour.summary.carts", lang, n=f"{len(carts):,}", visitors=f"{carts['customer_id'].nunique():,}",
                 hours=hours, share=_pct(float((~judged["bought_in_time"]).mean()) if len(judged) else np.nan))


def summarise_items(items, *, lang=None) -> str:
    """The items viewed often but bought rarely (:func:`viewed_not_bought`)."""
    _need(items, ["viewers", "view_to_buy"], "items", "viewed_not_bought")
    rate, mv = items.attrs.get("overall_view_to_buy", np.nan), items.attrs.get("min_viewers", "-")
    if items.empty:
        return label("behaviour.summary.no_items", lang, min_viewers=mv, rate=_pct(rate))
    first = items.iloc[0]
    return label("behaviour.summary.items", lang, n=len(items), min_viewers=mv, rate=_pct(rate), item=items.index[0],
                 viewers=int(first["viewers"]), item_rate=_pct(first["view_to_buy"]))


def _set_text(s) -> str:
    return ", ".join(sorted(map(str, s))) if isinstance(s, (frozenset, set, tuple, list)) else str(s)


def summarise_event_rules(rules, *, n_baskets, support, by="user_day", lang=None) -> str:
    """The strongest rule of items viewed together (a table of ``crmmine.mine_rules``)."""
    _need(rules, ["antecedents", "consequents", "confidence", "lift"], "rules", "mine_rules")
    by_word = label(f"behaviour.by.{by}", lang)
    if rules.empty:
        return label("behaviour.summary.no_rules", lang, support=_pct(float(support)), baskets=f"{n_baskets:,}",
                     by=by_word)
    r = rules.sort_values(["lift", "confidence"], ascending=False, kind="stable").iloc[0]
    return label("behaviour.summary.rules", lang, n=f"{len(rules):,}", support=_pct(float(support)),
                 baskets=f"{n_baskets:,}", by=by_word, a=_set_text(r["antecedents"]), c=_set_text(r["consequents"]),
                 confidence=f"{r['confidence']:.0%}", lift=f"{r['lift']:.1f}")  # shares as percentages


_PERCENT = {"share_of_lines", "step_conversion", "overall_conversion", "purchase_rate", "view_to_buy", "p_purchase",
            "paying_rate", "repurchase_rate", "bounce_rate", "cart_abandonment_rate", "support", "confidence"}


def readable_table(df, *, columns=None, lang=None) -> pd.DataFrame:
    """A copy of ``df`` for a person: chosen columns, labelled headers, percentages, thousands separators.

    Column ``c`` is renamed to ``label("behaviour.col.<c>")`` when that label exists; rates become "12.3%",
    counts "1,234", other numbers two decimals, sets "A, B". The full table belongs in the CSV artefact.
    """
    from ..text.labels import LABELS

    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"The 'df' parameter must be a DataFrame. Got {type(df).__name__} instead.")
    out = df.reset_index() if df.index.name is not None else df.copy()
    if columns is not None:
        missing = [c for c in columns if c not in out.columns]
        if missing:
            raise MissingColumnError(f"The table has no column {missing[0]!r} (columns: {', '.join(map(str, out.columns))}).")
        out = out[list(columns)]
    out = out.copy()
    for c in out.columns:
        s = out[c]
        if c in _PERCENT and pd.api.types.is_numeric_dtype(s):
            out[c] = [_pct(v) for v in s.astype(float)]
        elif pd.api.types.is_bool_dtype(s):
            continue
        elif pd.api.types.is_integer_dtype(s):
            out[c] = [f"{v:,}" for v in s]
        elif pd.api.types.is_float_dtype(s):
            out[c] = ["-" if np.isnan(v) else f"{v:,.2f}" for v in s]
        elif pd.api.types.is_datetime64_any_dtype(s):
            out[c] = s.dt.strftime("%Y-%m-%d %H:%M")
        elif s.dtype == object and len(s) and isinstance(s.iloc[0], (frozenset, set)):
            out[c] = [_set_text(v) for v in s]
        elif c == "remind_items":  # ids joined by "|" in the CSV, a list to read on the page
            out[c] = [", ".join(str(v).split("|")) if isinstance(v, str) else v for v in s]
    for c, prefix in (("scorer", "behaviour.scorer."), ("stage", "behaviour.stage.")):
        if c in out.columns:
            out[c] = [label(prefix + str(v), lang) if prefix + str(v) in LABELS else v for v in out[c]]
    names = {c: label(f"behaviour.col.{c}", lang) if f"behaviour.col.{c}" in LABELS else c for c in out.columns}
    return out.rename(columns=names)


_TRAFFIC_ROWS = ("pv", "uv", "pv_per_uv", "buyers", "paying_rate", "repurchase_rate", "bounce_rate",
                 "cart_abandonment_rate", "median_hours_to_purchase")


def traffic_table(summary, *, lang=None) -> pd.DataFrame:
    """The headline figures of :func:`traffic_summary` as a two-column table for a person."""
    if not isinstance(summary, pd.Series) or "pv" not in summary.index:
        raise ParameterError("The 'summary' parameter must be the Series of traffic_summary.")
    values = []
    for k in _TRAFFIC_ROWS:
        v = summary[k]
        values.append(_pct(float(v)) if k.endswith("_rate") else f"{int(v):,}" if k in ("pv", "uv", "buyers")
                      else f"{float(v):,.1f}")
    return pd.DataFrame({label("behaviour.col.metric", lang): [label(f"behaviour.traffic.{k}", lang) for k in _TRAFFIC_ROWS],
                         label("behaviour.col.value", lang): values})
