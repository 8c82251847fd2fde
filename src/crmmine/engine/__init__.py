"""Line-level aggregations run where the lines are: pandas, DuckDB (out of core) or Spark.

Every aggregation that turns N order lines into one row per customer or item (cleaning's
masks, the customer table, the CLV summary, RFM inputs, cohort counts, item and pair
counts of baskets, churn-feature windows and labels, the event funnel) is written once in SQL (:mod:`crmmine.engine._sql`) that DuckDB and
Spark SQL share, plus a small :class:`~crmmine.engine._sql.Dialect` for the few places
where they differ. :func:`crmmine.read_transactions` returns a :class:`LazyTransactions`
for a folder or glob of Parquet/CSV files, a file over :data:`DUCKDB_THRESHOLD_BYTES`,
``engine="duckdb"`` or ``engine=spark_session``; the analysis functions recognise it and
aggregate in the engine, then finish with the same numpy code as the pandas path, so the
per-customer tables are the same whatever the engine (tested). Nothing here imports
duckdb or pyspark until a lazy table is made.
"""

from .aggregate import LazyCleanResult, fpgrowth_itemsets, item_counts, pair_counts
from .lazy import DUCKDB_THRESHOLD_BYTES, ENGINES, LazyEvents, LazyTransactions, duckdb_connection, is_lazy

__all__ = [
    "LazyTransactions",
    "LazyEvents",
    "LazyCleanResult",
    "DUCKDB_THRESHOLD_BYTES",
    "ENGINES",
    "duckdb_connection",
    "is_lazy",
    "item_counts",
    "pair_counts",
    "fpgrowth_itemsets",
]
