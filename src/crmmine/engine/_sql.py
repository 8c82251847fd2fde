"""Each line-level aggregation written once, in the SQL that DuckDB and Spark SQL share.

The queries use only what both engines understand the same way (``count(DISTINCT)``,
``min_by``, ``median``, ``row_number() OVER``, ``CASE``, ``substr``, ``isnan``, ``CAST``);
the few places where they differ (the timestamp type and its literal, days since the epoch)
go through a :class:`Dialect`. Every query reads a view ``{src}`` with canonical columns
(``customer_id``, ``order_id``, ``order_date``, ``product_id``, ``quantity``, ``amount``, and
optionally ``unit_price``, ``country``, ``product_name``, ``category``, ``source_line``).

What comes back is one row per customer (or per item, cell, order-item pair), never one row
per line; the derived columns (recency in days, rates, means) are computed afterwards by the
same numpy code for every engine (:mod:`crmmine.engine.aggregate`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["Dialect", "DUCKDB", "SPARK"]


@dataclass(frozen=True)
class Dialect:
    """What differs between the engines' SQL: the timestamp type, literals and day numbers."""

    name: str
    timestamp_type: str
    timestamp_literal: str
    epoch_day_template: str
    hash_function: str = "hash"
    #: the sum of floating-point values: DuckDB's compensated ``fsum``, whose result does not depend on the order in
    #: which threads combine their parts (``sum`` gave per-customer spend differing in the last bits from run to
    #: run); Spark SQL has only ``sum``
    fsum: str = "fsum"
    #: identifier quotes, and whether a backslash in a string literal escapes the next character
    quote_char: str = '"'
    backslash_escapes: bool = False
    #: a regular-expression split of text into an array, and the array's ``i``-th element (from 1; NULL past the end)
    split_template: str = "string_split_regex({e}, {p})"
    element_template: str = "{a}[{i}]"
    #: text of 8 digits read as YYYYMMDD (NULL when not a date), a timestamp's calendar day as YYYYMMDD text
    yyyymmdd_template: str = "try_strptime({e}, '%Y%m%d')"
    day_text_template: str = "strftime({e}, '%Y%m%d')"
    #: the tz-naive timestamp ``{e}`` (an integer) microseconds after 1970-01-01 00:00
    epoch_us_template: str = "make_timestamp({e})"

    def ts(self, value) -> str:
        """A timestamp literal (tz-naive, microseconds)."""
        return f"{self.timestamp_literal} '{pd.Timestamp(value):%Y-%m-%d %H:%M:%S.%f}'"

    def epoch_day(self, expr: str) -> str:
        """Whole days from 1970-01-01 to the calendar day of ``expr`` (an integer)."""
        return self.epoch_day_template.format(e=expr)

    def ident(self, name: str) -> str:
        """A quoted column name."""
        return f"{self.quote_char}{name}{self.quote_char}"

    def regex(self, pattern: str) -> str:
        """A string literal holding the regular expression ``pattern`` as written."""
        return "'" + (pattern.replace("\\", "\\\\") if self.backslash_escapes else pattern) + "'"

    def split(self, expr: str, pattern: str) -> str:
        """``expr`` split at the matches of the regular expression ``pattern`` (an array)."""
        return self.split_template.format(e=expr, p=self.regex(pattern))

    def element(self, array: str, i: int) -> str:
        """The ``i``-th element (from 1) of ``array``; NULL when the array is shorter."""
        return self.element_template.format(a=array, i=int(i))

    def yyyymmdd(self, expr: str) -> str:
        """Text ``expr`` of the form YYYYMMDD as a timestamp; NULL when it is no calendar day."""
        return self.yyyymmdd_template.format(e=expr)

    def day_text(self, expr: str) -> str:
        """The calendar day of the timestamp ``expr`` as YYYYMMDD text."""
        return self.day_text_template.format(e=expr)

    def epoch_us(self, expr: str) -> str:
        """The tz-naive timestamp ``expr`` (an integer) microseconds after 1970-01-01 00:00."""
        return self.epoch_us_template.format(e=expr)

    def string(self, value: str) -> str:
        """A string literal (both engines accept a backslash-escaped quote)."""
        return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


DUCKDB = Dialect("duckdb", "TIMESTAMP", "TIMESTAMP", "(CAST({e} AS DATE) - DATE '1970-01-01')", "hash")
SPARK = Dialect("spark", "TIMESTAMP_NTZ", "TIMESTAMP_NTZ", "unix_date(CAST({e} AS DATE))", "xxhash64", fsum="sum",
                quote_char="`", backslash_escapes=True, split_template="split({e}, {p})",
                element_template="try_element_at({a}, {i})",
                # parsed and turned tz-naive in the session's time zone: the wall-clock day is kept
                yyyymmdd_template="CAST(try_to_timestamp({e}, 'yyyyMMdd') AS TIMESTAMP_NTZ)",
                day_text_template="date_format({e}, 'yyyyMMdd')",
                epoch_us_template="timestampadd(MICROSECOND, {e}, TIMESTAMP_NTZ '1970-01-01 00:00:00')")


def _finite(col: str) -> str:
    """``col`` is a finite number (not NULL, NaN or infinite)."""
    return f"({col} IS NOT NULL AND NOT isnan({col}) AND abs({col}) < CAST('inf' AS DOUBLE))"


def _valid_amount(col: str = "amount") -> str:
    return f"{col} IS NOT NULL AND NOT isnan({col})"


# ------------------------------------------------------------------------------ bounds
def bounds_sql(src: str) -> str:
    """First and last ``order_date`` and the number of lines."""
    return f"SELECT min(order_date) AS first, max(order_date) AS last, count(*) AS n FROM {src}"


# ------------------------------------------------------------------------------ customer table
def customer_table_sql(src: str, d: Dialect, as_of, *, returns: str | None, country: bool) -> str:
    """One row per customer with a line before ``as_of`` (sorted by id, guests as a NULL id): the
    raw aggregates of :func:`crmmine.customer_table` in one scan of the lines (dates, distinct
    orders, spend, distinct products, the alphabetically first and last country, the number of
    negative-quantity lines), joined with the distinct return orders and summed return amount."""
    cut = d.ts(as_of)
    cty = ", min(country) AS country_min, max(country) AS country_max" if country else ""
    base = (
        "SELECT customer_id, min(order_date) AS first_purchase, max(order_date) AS last_purchase, "
        f"count(DISTINCT order_id) AS frequency, {d.fsum}(amount) AS monetary_total, "
        f"count(DISTINCT product_id) AS distinct_products{cty}, "
        "sum(CASE WHEN quantity < 0 THEN 1 ELSE 0 END) AS negative_lines "
        f"FROM {src} WHERE order_date < {cut} GROUP BY customer_id"
    )
    if returns is None:
        return f"{base} ORDER BY customer_id"
    ret = (f"SELECT customer_id, count(DISTINCT order_id) AS returns_count, {d.fsum}(amount) AS returns_sum "
           f"FROM {returns} WHERE order_date < {cut} AND customer_id IS NOT NULL GROUP BY customer_id")
    return (f"SELECT b.*, r.returns_count, r.returns_sum FROM ({base}) b LEFT JOIN ({ret}) r "
            "ON b.customer_id = r.customer_id ORDER BY b.customer_id")


def mixed_country_sql(src: str, d: Dialect, as_of, customers: str) -> str:
    """The most frequent country (ties: alphabetically first) of the customers in the view
    ``customers`` (those whose lines name more than one country)."""
    return (
        "SELECT customer_id, country FROM (SELECT customer_id, country, row_number() OVER "
        "(PARTITION BY customer_id ORDER BY n DESC, country) AS rn FROM (SELECT l.customer_id AS customer_id, "
        f"l.country AS country, count(*) AS n FROM {src} l JOIN {customers} m ON l.customer_id = m.customer_id "
        f"WHERE l.order_date < {d.ts(as_of)} AND l.country IS NOT NULL GROUP BY l.customer_id, l.country) c) r "
        "WHERE rn = 1"
    )


# ------------------------------------------------------------------------------ CLV summary
def purchase_day_bounds_sql(src: str, d: Dialect) -> str:
    """Last calendar day (days since the epoch) among lines with a customer, a date and an amount."""
    return (f"SELECT max({d.epoch_day('order_date')}) AS last_day FROM {src} WHERE customer_id IS NOT NULL "
            f"AND order_date IS NOT NULL AND {_valid_amount()}")


def clv_summary_sql(src: str, d: Dialect, end_day: int | None, *, start_day: int | None = None) -> str:
    """One row per customer (sorted): first and last purchase day, number of purchase days,
    total spend and the first day's spend, over the calendar days ``<= end_day``
    (Fader, Hardie & Lee 2005: purchases are counted by day)."""
    day = d.epoch_day("order_date")
    cond = f"customer_id IS NOT NULL AND order_date IS NOT NULL AND {_valid_amount()}"
    if end_day is not None:
        cond += f" AND {day} <= {int(end_day)}"
    return (
        f"WITH l AS (SELECT customer_id, {day} AS day, amount FROM {src} WHERE {cond}), "
        f"d AS (SELECT customer_id, day, {d.fsum}(amount) AS spend FROM l GROUP BY customer_id, day) "
        "SELECT customer_id, min(day) AS first_day, max(day) AS last_day, count(*) AS n_days, "
        f"{d.fsum}(spend) AS total, min_by(spend, day) AS first_spend FROM d GROUP BY customer_id ORDER BY customer_id"
    )


# ------------------------------------------------------------------------------ cohorts
def period_expr(period: str, d: Dialect, col: str = "order_date") -> str:
    """The pandas Period ordinal of ``col`` for month, quarter or week (W-SUN)."""
    if period == "W":
        return f"(CAST(floor(({d.epoch_day(col)} + 3) / 7) AS BIGINT) + 1)"
    year = f"(CAST(year({col}) AS BIGINT) - 1970)"
    month = f"(CAST(month({col}) AS BIGINT) - 1)"
    if period == "M":
        return f"({year} * 12 + {month})"
    return f"({year} * 4 + CAST(floor({month} / 3) AS BIGINT))"


def cohort_cells_sql(src: str, d: Dialect, period: str) -> str:
    """Per (cohort, periods since first): distinct customers and summed amount."""
    per = period_expr(period, d)
    return (
        f"WITH p AS (SELECT customer_id, {per} AS per, amount FROM {src} WHERE order_date IS NOT NULL), "
        "f AS (SELECT customer_id, min(per) AS cohort FROM p GROUP BY customer_id) "
        "SELECT f.cohort AS cohort, p.per - f.cohort AS since, count(DISTINCT p.customer_id) AS customers, "
        f"{d.fsum}(p.amount) AS revenue FROM p JOIN f ON p.customer_id = f.customer_id "
        "GROUP BY f.cohort, p.per - f.cohort"
    )


# ------------------------------------------------------------------------------ baskets
def basket_lines_sql(src: str, item_col: str, *, has_quantity: bool) -> str:
    """The purchase lines that enter baskets (order and item present, quantity > 0)."""
    cond = f"{item_col} IS NOT NULL AND order_id IS NOT NULL"
    if has_quantity:
        cond += " AND quantity > 0"
    return f"SELECT order_id, CAST({item_col} AS STRING) AS item, customer_id FROM {src} WHERE {cond}"


def item_counts_sql(lines: str) -> str:
    """Orders per item, and the number of orders (every order counts, as in R arules)."""
    return (f"SELECT item, count(DISTINCT order_id) AS n FROM ({lines}) x GROUP BY item ORDER BY item")


def order_count_sql(lines: str) -> str:
    return f"SELECT count(DISTINCT order_id) AS n FROM ({lines}) x"


def basket_pairs_sql(lines: str, frequent: str | None) -> tuple[str, str]:
    """Two queries: the orders numbered in id order (with a customer), and the distinct
    (order number, item number) pairs of the items in ``frequent`` (a view of ``item, code``)."""
    orders = (
        f"SELECT order_id, min(customer_id) AS customer_id FROM ({lines}) x GROUP BY order_id ORDER BY order_id"
    )
    pairs = (
        f"WITH o AS (SELECT order_id, row_number() OVER (ORDER BY order_id) - 1 AS o_code FROM "
        f"(SELECT DISTINCT order_id FROM ({lines}) x) y) "
        f"SELECT DISTINCT o.o_code AS o_code, f.code AS i_code FROM ({lines}) l JOIN o ON l.order_id = o.order_id "
        f"JOIN {frequent} f ON l.item = f.item ORDER BY o_code, i_code"
    )
    return orders, pairs


def basket_rows_sql(lines: str, frequent: str, d: Dialect) -> str:
    """One row per order holding an item of ``frequent`` (a view of ``item, code``): the sorted
    codes of its frequent items, and nothing else (no ids, no numbering): the rows, in any order,
    are the CSR rows of the pruned baskets (the arrays' offsets and values)."""
    agg = "list_sort(list(DISTINCT f.code))" if d is DUCKDB else "array_sort(collect_set(f.code))"
    return (f"SELECT {agg} AS codes FROM ({lines}) l JOIN {frequent} f ON l.item = f.item GROUP BY l.order_id")


def pair_counts_sql(lines: str, frequent: str, min_count: int) -> str:
    """Orders holding both items of each pair of frequent items (level 2 of itemset mining)."""
    return (
        f"WITH p AS (SELECT DISTINCT l.order_id AS order_id, f.code AS code FROM ({lines}) l "
        f"JOIN {frequent} f ON l.item = f.item) "
        "SELECT a.code AS i, b.code AS j, count(*) AS n FROM p a JOIN p b ON a.order_id = b.order_id "
        f"AND a.code < b.code GROUP BY a.code, b.code HAVING count(*) >= {int(min_count)} ORDER BY i, j"
    )


# ------------------------------------------------------------------------------ cleaning
#: Reason codes of the cleaning rules (0 = kept), as in crmmine.clean.
def row_hash_sql(columns, d: Dialect) -> str:
    """A 64-bit hash of every column but ``source_line`` (equal lines, equal hashes: ``-0.0`` is
    added to ``0.0`` first, and both engines hash every NaN alike)."""
    numbers = {"quantity", "amount", "unit_price", "discount"}
    args = ", ".join(f"({c} + 0.0)" if c in numbers else c for c in columns if c != "source_line")
    return f"{d.hash_function}({args})"


def duplicate_candidates_sql(src: str, d: Dialect, columns) -> str:
    """The row hashes shared by more than one line: the only lines that can be exact duplicates."""
    return f"SELECT h FROM (SELECT {row_hash_sql(columns, d)} AS h FROM {src}) s GROUP BY h HAVING count(*) > 1"


def duplicate_rank_sql(src: str, d: Dialect, columns, candidates: str) -> str:
    """The lines whose hash is in ``candidates``, with ``_dup``: 1 for the first of equal lines
    (by ``source_line``), 2, 3, ... for its repeats (the exact comparison, on these lines only)."""
    cols = ", ".join(columns)
    same = [c for c in columns if c != "source_line"]
    order = "source_line" if "source_line" in columns else same[0]
    return (f"SELECT {cols}, row_number() OVER (PARTITION BY {', '.join(same)} ORDER BY {order}) AS _dup "
            f"FROM {src} WHERE {row_hash_sql(columns, d)} IN (SELECT h FROM {candidates})")


def with_duplicate_rank_sql(src: str, d: Dialect, columns, candidates: str | None, ranked: str | None) -> str:
    """Every line of ``src`` with ``_dup`` (see :func:`duplicate_rank_sql`): 1 for the lines whose
    hash no other line shares, the ranked candidates' own ``_dup`` otherwise."""
    cols = ", ".join(columns)
    if candidates is None:
        return f"SELECT {cols}, 1 AS _dup FROM {src}"
    return (f"SELECT {cols}, 1 AS _dup FROM {src} WHERE {row_hash_sql(columns, d)} NOT IN "
            f"(SELECT h FROM {candidates}) UNION ALL SELECT {cols}, _dup FROM {ranked}")


def clean_reason_sql(src: str, d: Dialect, *, columns: tuple[str, ...], active: tuple[str, ...],
                     non_product_codes: frozenset[str], prefixes: tuple[str, ...], cancellation_prefix: str,
                     date_range=None) -> str:
    """Every line with the code of the first cleaning rule it breaks (0 when kept), before
    the ``extreme_value`` rule, which needs medians over the lines still kept. ``src`` has a
    ``_dup`` column when the ``duplicate`` rule is active (:func:`with_duplicate_rank_sql`)."""
    from ..data.clean import CLEANING_RULES

    code = {rule: i + 1 for i, rule in enumerate(CLEANING_RULES)}
    cases = [
        f"WHEN order_date IS NULL THEN {code['unparseable_date']}",
        f"WHEN NOT ({_finite('quantity')} AND {_finite('amount')}) THEN {code['unparseable_number']}",
    ]
    if "implausible_date" in active and date_range is not None:
        lo, hi = date_range
        after = pd.Timestamp(hi).normalize() + pd.Timedelta(days=1)  # the last day counts whole
        cases.append(f"WHEN order_date < {d.ts(lo)} OR order_date >= {d.ts(after)} THEN {code['implausible_date']}")
    if "missing_customer_id" in active:
        cases.append(f"WHEN customer_id IS NULL THEN {code['missing_customer_id']}")
    if "duplicate" in active:
        cases.append(f"WHEN _dup > 1 THEN {code['duplicate']}")
    if "non_product_code" in active:
        tests = []
        if non_product_codes:
            tests.append(f"upper(product_id) IN ({', '.join(d.string(c) for c in sorted(non_product_codes))})")
        tests += [f"substr(upper(product_id), 1, {len(p)}) = {d.string(p.upper())}" for p in prefixes]
        if tests:
            cases.append(f"WHEN {' OR '.join(tests)} THEN {code['non_product_code']}")
    if "non_positive_price" in active:
        derived = "CASE WHEN quantity <> 0 THEN amount / quantity END"
        unit = (f"CASE WHEN unit_price IS NULL OR isnan(unit_price) THEN {derived} ELSE unit_price END"
                if "unit_price" in columns else derived)
        cases.append(f"WHEN NOT coalesce(({unit}) > 0, false) THEN {code['non_positive_price']}")
    if "return" in active:
        test = "quantity < 0"
        if cancellation_prefix:
            test += f" OR substr(order_id, 1, {len(cancellation_prefix)}) = {d.string(cancellation_prefix)}"
        cases.append(f"WHEN {test} THEN {code['return']}")
    cols = ", ".join(columns)
    return f"SELECT {cols}, CAST(CASE {' '.join(cases)} ELSE 0 END AS INT) AS _reason FROM {src}"


def unit_price_expr(columns) -> str:
    """The unit price of a line: ``unit_price``, else ``amount / quantity`` (NULL when undefined)."""
    derived = "CASE WHEN quantity <> 0 THEN amount / quantity END"
    if "unit_price" in columns:
        return f"CASE WHEN unit_price IS NULL OR isnan(unit_price) THEN {derived} ELSE unit_price END"
    return derived


def robust_stats_sql(src: str, col: str, cond: str) -> str:
    """Count, median and MAD (median absolute deviation) of ``log10(col)`` over ``cond``."""
    return (
        f"WITH v AS (SELECT log10({col}) AS x FROM {src} WHERE {cond}), m AS (SELECT median(x) AS med, "
        "count(*) AS n FROM v) SELECT m.n AS n, m.med AS med, median(abs(v.x - m.med)) AS mad FROM v CROSS JOIN m "
        "GROUP BY m.n, m.med"
    )


# ------------------------------------------------------------------------------ churn features
def churn_features_sql(src: str, d: Dialect, cutoff, windows: tuple[int, ...], *, returns: str | None,
                       has_quantity: bool, has_product: bool) -> str:
    """One row per customer with an order on or before ``cutoff`` (sorted by id): the raw
    aggregates of :func:`crmmine.churn_features` (first and last order date, orders and spend,
    orders and spend in each window and the window before it, the mean, population standard
    deviation and latest of the gaps between distinct purchase days, return lines and their
    absolute value, distinct products). An order is dated by its first line; windows compare
    order dates with timestamps computed from the cutoff, so no engine does day arithmetic."""
    cut = pd.Timestamp(cutoff)
    buy = "quantity > 0" if has_quantity else "amount > 0"
    lines = f"(SELECT * FROM {src} WHERE order_date <= {d.ts(cut)} AND {buy})"
    win = []
    for w in windows:
        now, prev = d.ts(cut - pd.Timedelta(days=w)), d.ts(cut - pd.Timedelta(days=2 * w))
        win += [f"sum(CASE WHEN f > {now} THEN 1 ELSE 0 END) AS n_now_{w}",
                f"{d.fsum}(CASE WHEN f > {now} THEN s ELSE 0.0 END) AS s_now_{w}",
                f"sum(CASE WHEN f <= {now} AND f > {prev} THEN 1 ELSE 0 END) AS n_prev_{w}",
                f"{d.fsum}(CASE WHEN f <= {now} AND f > {prev} THEN s ELSE 0.0 END) AS s_prev_{w}"]
    ctes = [
        f"o AS (SELECT customer_id, order_id, min(order_date) AS f, {d.fsum}(amount) AS s FROM {lines} l "
        "WHERE customer_id IS NOT NULL AND order_id IS NOT NULL GROUP BY customer_id, order_id)",
        "c AS (SELECT customer_id, min(f) AS first_order, max(f) AS last_order, count(*) AS frequency, "
        f"{d.fsum}(s) AS monetary_total, {', '.join(win)} FROM o GROUP BY customer_id)",
        f"dd AS (SELECT DISTINCT customer_id, {d.epoch_day('f')} AS day FROM o)",
        "g AS (SELECT customer_id, day, day - lag(day) OVER (PARTITION BY customer_id ORDER BY day) AS gap FROM dd)",
        "gs AS (SELECT customer_id, count(*) AS n_gaps, avg(CAST(gap AS DOUBLE)) AS ipt_mean, "
        # the population std from exact integer sums of the whole-day gaps: stddev_pop's running updates, combined
        # across threads in no fixed order, changed the last bits from run to run
        "sqrt(CAST(count(*) * sum(gap * gap) - sum(gap) * sum(gap) AS DOUBLE) / (CAST(count(*) AS DOUBLE) * count(*))) "
        "AS ipt_std, max_by(gap, day) AS last_gap FROM g WHERE gap IS NOT NULL "
        "GROUP BY customer_id)",
    ]
    sel = ("c.*, gs.ipt_mean, gs.ipt_std, CAST(gs.last_gap AS DOUBLE) AS last_gap, "
           "coalesce(r.returns_count, 0) AS returns_count, coalesce(r.returns_value, 0.0) AS returns_value")
    joins = " LEFT JOIN gs ON c.customer_id = gs.customer_id LEFT JOIN r ON c.customer_id = r.customer_id"
    ret = (f"(SELECT * FROM {src} WHERE order_date <= {d.ts(cut)} AND quantity < 0)" if returns is None and has_quantity
           else f"(SELECT * FROM {returns} WHERE order_date <= {d.ts(cut)})" if returns is not None else None)
    if ret is None:
        ctes.append(f"r AS (SELECT customer_id, 0 AS returns_count, 0.0 AS returns_value FROM {src} WHERE 1 = 0)")
    else:
        ctes.append(f"r AS (SELECT customer_id, count(*) AS returns_count, {d.fsum}(CASE WHEN amount IS NULL OR "
                    f"isnan(amount) THEN 0.0 ELSE abs(amount) END) AS returns_value FROM {ret} rl "
                    "WHERE customer_id IS NOT NULL GROUP BY customer_id)")
    if has_product:
        ctes.append("p AS (SELECT customer_id, count(*) AS distinct_products FROM (SELECT DISTINCT customer_id, "
                    f"product_id FROM {lines} l WHERE customer_id IS NOT NULL AND product_id IS NOT NULL) lp "
                    "GROUP BY customer_id)")
        sel += ", coalesce(p.distinct_products, 0) AS distinct_products"
        joins += " LEFT JOIN p ON c.customer_id = p.customer_id"
    return f"WITH {', '.join(ctes)} SELECT {sel} FROM c{joins} ORDER BY c.customer_id"


# ------------------------------------------------------------------------------ event funnel
def funnel_group_expr(by: str | None, d: Dialect) -> str | None:
    """The group of an event: calendar day (days since the epoch), hour 0-23, weekday (0 = Monday)
    or category; None for the whole log."""
    if by is None:
        return None
    day = d.epoch_day("event_time")
    return {"day": day, "hour": "hour(event_time)", "weekday": f"(({day} + 3) % 7)", "category": "category"}[by]


def funnel_sql(src: str, d: Dialect, stage_types: list[tuple[str, ...]], by: str | None) -> tuple[str, str]:
    """Two queries: events per (group,) event type, and users per (group,) reaching each stage (a
    user reaches a stage with at least one event of its types: ``u0``, ``u1``, ...). Per group,
    only events with a customer and a group count (as in :func:`crmmine.funnel`)."""
    g = funnel_group_expr(by, d)
    flags = ", ".join(f"max(CASE WHEN event_type IN ({', '.join(d.string(t) for t in types)}) THEN 1 ELSE 0 END) "
                      f"AS u{i}" for i, types in enumerate(stage_types))
    sums = ", ".join(f"sum(u{i}) AS u{i}" for i in range(len(stage_types)))
    if g is None:
        events = f"SELECT event_type, count(*) AS n FROM {src} GROUP BY event_type"
        users = (f"SELECT {sums} FROM (SELECT customer_id, {flags} FROM {src} WHERE customer_id IS NOT NULL "
                 "GROUP BY customer_id) u")
        return events, users
    where = f"customer_id IS NOT NULL AND {g} IS NOT NULL"
    events = f"SELECT {g} AS g, event_type, count(*) AS n FROM {src} WHERE {where} GROUP BY {g}, event_type"
    users = (f"SELECT g, {sums} FROM (SELECT {g} AS g, customer_id, {flags} FROM {src} WHERE {where} "
             f"GROUP BY {g}, customer_id) u GROUP BY g")
    return events, users


# ------------------------------------------------------------------------------ segment report (issue 16)
def _purchase_day_lines(src: str, d: Dialect) -> str:
    """The lines the CLV summaries count (customer, date and amount present), with their calendar day."""
    return (f"SELECT customer_id, {d.epoch_day('order_date')} AS day, amount FROM {src} WHERE customer_id IS NOT "
            f"NULL AND order_date IS NOT NULL AND {_valid_amount()}")


def calibration_holdout_sql(src: str, d: Dialect, cal_day: int, end_day: int) -> str:
    """One row per customer with a purchase day ``<= cal_day`` (sorted): first and last purchase
    day, purchase days, total and first-day spend up to ``cal_day``, and the purchase days and
    their spend in ``(cal_day, end_day]`` (the raw columns of
    :func:`crmmine.calibration_holdout_summary`)."""
    return (
        f"WITH l AS ({_purchase_day_lines(src, d)} AND {d.epoch_day('order_date')} <= {int(end_day)}), "
        f"dd AS (SELECT customer_id, day, {d.fsum}(amount) AS spend FROM l GROUP BY customer_id, day), "
        "c AS (SELECT customer_id, min(day) AS first_day, max(day) AS last_day, count(*) AS n_days, "
        f"{d.fsum}(spend) AS total, min_by(spend, day) AS first_spend FROM dd WHERE day <= {int(cal_day)} "
        "GROUP BY customer_id), "
        f"h AS (SELECT customer_id, count(*) AS h_n, {d.fsum}(spend) AS h_sum FROM dd WHERE day > {int(cal_day)} "
        "GROUP BY customer_id) "
        "SELECT c.*, coalesce(h.h_n, 0) AS h_n, coalesce(h.h_sum, 0.0) AS h_sum FROM c LEFT JOIN h "
        "ON c.customer_id = h.customer_id ORDER BY c.customer_id"
    )


def tracking_sql(src: str, d: Dialect, cal_day: int, end_day: int) -> tuple[str, str]:
    """Two queries for :func:`crmmine.tracking_table`: the first purchase day of each customer
    of the calibration cohort (first day ``<= cal_day``, sorted by id), and per calendar day
    ``<= end_day`` the number of cohort customers making a repeat purchase that day."""
    lines = _purchase_day_lines(src, d)
    first = (f"SELECT customer_id, min(day) AS first_day FROM ({lines}) l GROUP BY customer_id "
             f"HAVING min(day) <= {int(cal_day)} ORDER BY customer_id")
    repeat = (
        f"WITH dd AS (SELECT DISTINCT customer_id, day FROM ({lines}) l), "
        "f AS (SELECT customer_id, min(day) AS first_day FROM dd GROUP BY customer_id) "
        "SELECT dd.day AS day, count(*) AS n FROM dd JOIN f ON dd.customer_id = f.customer_id "
        f"WHERE f.first_day <= {int(cal_day)} AND dd.day > f.first_day AND dd.day <= {int(end_day)} "
        "GROUP BY dd.day ORDER BY dd.day"
    )
    return first, repeat


def acquisition_sql(src: str, d: Dialect, before, *, country: bool) -> tuple[str, str | None]:
    """Two queries for :func:`crmmine.acquisition_covariates` over the lines with a customer and
    a date (before the timestamp ``before`` unless None): each customer's first order date and
    (with ``country``) most frequent country (ties: alphabetically first; NULL when none), sorted
    by id; and the most frequent country of all these lines (None without ``country``)."""
    cond = "customer_id IS NOT NULL AND order_date IS NOT NULL"
    if before is not None:
        cond += f" AND order_date < {d.ts(before)}"
    cols = "customer_id, order_date" + (", country" if country else "")
    t = f"SELECT {cols} FROM {src} WHERE {cond}"
    if not country:
        return (f"SELECT customer_id, min(order_date) AS first FROM ({t}) t GROUP BY customer_id "
                "ORDER BY customer_id"), None
    per = (
        f"WITH t AS ({t}), f AS (SELECT customer_id, min(order_date) AS first FROM t GROUP BY customer_id), "
        "c AS (SELECT customer_id, country, count(*) AS n FROM t WHERE country IS NOT NULL "
        "GROUP BY customer_id, country), "
        "r AS (SELECT customer_id, country, row_number() OVER (PARTITION BY customer_id ORDER BY n DESC, country) "
        "AS rn FROM c) "
        "SELECT f.customer_id AS customer_id, f.first AS first, r.country AS country FROM f LEFT JOIN r "
        "ON f.customer_id = r.customer_id AND r.rn = 1 ORDER BY f.customer_id"
    )
    home = (f"SELECT country, count(*) AS n FROM ({t}) t WHERE country IS NOT NULL GROUP BY country "
            "ORDER BY n DESC, country LIMIT 1")
    return per, home


# ------------------------------------------------------------------------------ churn labels
def churn_labels_sql(src: str, d: Dialect, cutoff, end, *, has_quantity: bool, min_orders: int = 1,
                     lookback_start=None) -> str:
    """One row per customer with at least ``min_orders`` orders on or before ``cutoff`` (sorted by
    id): those orders, the last one's date and the orders dated in ``(cutoff, end]`` (the raw
    columns of :func:`crmmine.churn_labels`). Orders are the (customer, order id) pairs of the
    purchase lines, dated by their first line, as in pandas; ``lookback_start`` (a timestamp)
    keeps only customers whose last order is after it."""
    buy = "quantity > 0" if has_quantity else "amount > 0"
    cut, stop = d.ts(cutoff), d.ts(end)
    o = (f"SELECT customer_id, order_id, min(order_date) AS f FROM {src} WHERE {buy} AND customer_id IS NOT NULL "
         "AND order_id IS NOT NULL GROUP BY customer_id, order_id")
    per = (f"SELECT customer_id, sum(CASE WHEN f <= {cut} THEN 1 ELSE 0 END) AS orders_before, "
           f"max(CASE WHEN f <= {cut} THEN f END) AS last_order_date, "
           f"sum(CASE WHEN f > {cut} AND f <= {stop} THEN 1 ELSE 0 END) AS orders_in_horizon "
           f"FROM ({o}) o GROUP BY customer_id")
    cond = f"orders_before >= {int(min_orders)}"
    if lookback_start is not None:
        cond += f" AND last_order_date > {d.ts(lookback_start)}"
    return f"SELECT * FROM ({per}) c WHERE {cond} ORDER BY customer_id"




# ------------------------------------------------------------------------------ loyalty types
def loyalty_orders_sql(src: str, d: Dialect, as_of, *, has_discount: bool, promoted: str | None,
                       campaign_days: list[tuple[int, int]] | None) -> str:
    """One row per customer (sorted) from the orders dated before ``as_of`` (an order: the lines of
    an order id, dated by its first line, worth their sum, promoted when a line has a discount or
    its id is in the view ``promoted`` of ``order_id``; in a campaign when its day falls in one of
    ``campaign_days``, inclusive (start, end) days since the epoch): orders, revenue, first and last
    order, promoted orders and their spend, campaign orders, the first promoted or campaign order
    and the orders neither promoted nor in a campaign after it (the raw columns of
    :func:`crmmine.loyalty_types`)."""
    disc = "max(CASE WHEN discount > 0 THEN 1 ELSE 0 END)" if has_discount else "0"
    o = (f"SELECT order_id, min(customer_id) AS customer_id, min(order_date) AS f, {d.fsum}(amount) AS amount, "
         f"{disc} AS disc FROM {src} WHERE order_date < {d.ts(as_of)} AND order_id IS NOT NULL GROUP BY order_id")
    pr = "CASE WHEN o.disc = 1 THEN 1 ELSE 0 END"
    join = ""
    if promoted is not None:
        pr = "CASE WHEN o.disc = 1 OR p.order_id IS NOT NULL THEN 1 ELSE 0 END"
        join = f" LEFT JOIN (SELECT DISTINCT order_id FROM {promoted}) p ON o.order_id = p.order_id"
    day = d.epoch_day("o.f")
    ca = ("CASE WHEN " + " OR ".join(f"({day} >= {int(a)} AND {day} <= {int(b)})" for a, b in campaign_days)
          + " THEN 1 ELSE 0 END") if campaign_days else "0"
    return (
        f"WITH o AS ({o}), m AS (SELECT o.customer_id AS customer_id, o.f AS f, o.amount AS amount, {pr} AS pr, "
        f"{ca} AS ca FROM o{join}), w AS (SELECT customer_id, f, amount, pr, ca, min(CASE WHEN pr = 1 OR ca = 1 "
        "THEN f END) OVER (PARTITION BY customer_id) AS first_on FROM m) "
        f"SELECT customer_id, count(*) AS orders, {d.fsum}(amount) AS revenue, min(f) AS first_order, max(f) AS last_order, "
        f"sum(pr) AS promo_orders, {d.fsum}(CASE WHEN pr = 1 THEN amount ELSE 0.0 END) AS promo_spend, "
        "sum(ca) AS camp_orders, min(first_on) AS first_on, "
        "sum(CASE WHEN pr = 0 AND ca = 0 AND f > first_on THEN 1 ELSE 0 END) AS orders_off "
        "FROM w GROUP BY customer_id ORDER BY customer_id"
    )


def loyalty_lines_sql(src: str, d: Dialect, as_of, *, item: str) -> str:
    """One row per customer (sorted) from the lines dated before ``as_of``: spend, spend at the
    products' median unit prices (``at_typical``), whether a line's unit price differs from its
    product's median (``varies``), and the Herfindahl index of spend over ``item`` (spend per
    item clipped at 0; NULL when the customer spent nothing) (:func:`crmmine.loyalty_types`)."""
    unit = "CASE WHEN quantity <> 0 THEN amount / quantity END"
    return (
        # DuckDB would materialise the lines for the three uses below (on 99M lines this step spilled until the disk
        # was full); they are read where used instead (Spark SQL inlines a CTE anyway)
        f"WITH l AS {'NOT MATERIALIZED ' if d.name == 'duckdb' else ''}(SELECT customer_id, product_id, "
        f"coalesce(CAST({item} AS STRING), '') AS item, quantity, amount, "
        f"{unit} AS unit FROM {src} WHERE order_date < {d.ts(as_of)}), "
        "t AS (SELECT product_id, median(unit) AS typical FROM l WHERE product_id IS NOT NULL AND unit IS NOT NULL "
        "AND NOT isnan(unit) GROUP BY product_id), "
        f"pc AS (SELECT l.customer_id AS customer_id, {d.fsum}(l.amount) AS paid, {d.fsum}(l.quantity * t.typical) AS at_typical, "
        "max(CASE WHEN abs(l.unit - t.typical) > 1e-9 * greatest(1.0, abs(t.typical)) THEN 1 ELSE 0 END) AS varies "
        "FROM l LEFT JOIN t ON l.product_id = t.product_id GROUP BY l.customer_id), "
        f"ci AS (SELECT customer_id, item, {d.fsum}(CASE WHEN amount > 0 THEN amount ELSE 0.0 END) AS s FROM l "
        "GROUP BY customer_id, item), "
        f"h AS (SELECT customer_id, {d.fsum}(s) AS tot FROM ci GROUP BY customer_id), "
        f"hh AS (SELECT ci.customer_id AS customer_id, CASE WHEN max(h.tot) > 0 THEN {d.fsum}((ci.s / nullif(h.tot, 0.0)) * (ci.s / nullif(h.tot, 0.0))) "
        "END AS hhi FROM ci JOIN h ON ci.customer_id = h.customer_id GROUP BY ci.customer_id) "
        "SELECT pc.customer_id AS customer_id, pc.paid, pc.at_typical, pc.varies, hh.hhi FROM pc "
        "LEFT JOIN hh ON pc.customer_id = hh.customer_id ORDER BY customer_id"
    )
