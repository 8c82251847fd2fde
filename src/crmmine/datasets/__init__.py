"""Bundled sample data and synthetic shops with planted truth.

- :func:`load_online_retail_sample` - a real subset of the UCI Online Retail data (CC BY 4.0).
- :func:`load_clean` - read and clean a file, or ``"sample"`` for the bundled sample.
- :func:`load_cdnow_sample` - the CDNOW 1/10 cohort sample, when ``../shared/data`` is present.
- :func:`make_transactions` - a synthetic shop whose truth (BG/NBD and Gamma-Gamma parameters,
  segments, planted itemsets, dropout dates) is known.
- :func:`make_shop` - the same, bent into one of the :data:`SHOP_SHAPES` real logs have (a grocer
  whose lines are mostly quantity 1, integer ids, two weeks of history, 100k products, ...).
- :func:`make_events` - a synthetic behaviour log (views, carts, favourites, purchases) with planted stage
  rates, high-intent visitors and item pairs; :func:`events_sample_path` - the bundled one.
- :func:`make_loyalty_shop` - a synthetic shop with promotions, campaigns, deliveries and reviews whose
  customers have planted loyalty types; :func:`load_olist` reads the Olist tables from a folder you
  give (never shipped); :func:`load_shop` picks one for a report.
- :func:`catalogue` - every data set above with its source, licence, size, columns and the concepts it
  teaches.
"""

from ._generating import DEFAULT_ITEMSETS, DEFAULT_SEGMENTS, BEHAVIOURAL_SEGMENTS, SyntheticTruth, make_transactions
from ._shops import SHOP_SHAPES, make_shop
from ._catalogue import catalogue
from ._events import DEFAULT_EVENT_PAIRS, EventTruth, make_events
from ._loyalty import LOYALTY_TYPE_SHARES, OLIST_FILES, ShopData, load_olist, load_shop, make_loyalty_shop
from ._loaders import events_sample_path, load_cdnow_sample, load_clean, load_online_retail_sample, online_retail_sample_path, shared_data_dir

__all__ = [
    # --- loyalty ---
    "LOYALTY_TYPE_SHARES",
    "OLIST_FILES",
    "ShopData",
    "catalogue",
    "load_olist",
    "load_shop",
    "make_loyalty_shop",
    # (end of loyalty)
    "DEFAULT_EVENT_PAIRS",
    "EventTruth",
    "events_sample_path",
    "make_events",
    "DEFAULT_ITEMSETS",
    "DEFAULT_SEGMENTS",
    "BEHAVIOURAL_SEGMENTS",
    "SHOP_SHAPES",
    "SyntheticTruth",
    "load_cdnow_sample",
    "load_clean",
    "load_online_retail_sample",
    "make_shop",
    "make_transactions",
    "online_retail_sample_path",
    "shared_data_dir",
]
