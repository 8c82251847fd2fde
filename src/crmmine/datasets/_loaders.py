"""Loaders of the bundled sample and of the reference data in ``../shared/data``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import SourceNotFoundError

if TYPE_CHECKING:
    from ..data.clean import CleanResult

__all__ = ["events_sample_path", "load_clean", "load_cdnow_sample", "load_online_retail_sample", "online_retail_sample_path", "shared_data_dir"]

#: Environment variable naming the folder of the reference data sets.
SHARED_DATA_ENV = "CRMMINE_SHARED_DATA"
SAMPLE_FILE = "online_retail_sample.csv.gz"


def _repo_root() -> Path:
    # src/crmmine/datasets/_loaders.py -> the repository root
    return Path(__file__).resolve().parents[3]


def shared_data_dir() -> Path:
    """The folder of the reference data sets: ``$CRMMINE_SHARED_DATA``, else ``<repo>/../shared/data``.

    The folder may not exist (a user's clone has no ``../shared``); callers check.
    """
    env = os.environ.get(SHARED_DATA_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return (_repo_root().parent / "shared" / "data").resolve()


def online_retail_sample_path() -> Path:
    """Path of the bundled Online Retail sample (``data/sample/online_retail_sample.csv.gz``)."""
    path = _repo_root() / "data" / "sample" / SAMPLE_FILE
    if not path.exists():
        raise SourceNotFoundError(
            f"The bundled sample {path} is missing. Run 'python scripts/make_sample.py' in the "
            "repository to derive it from ../shared/data/online_retail."
        )
    return path


def load_online_retail_sample() -> pd.DataFrame:
    """Load the bundled sample of the UCI Online Retail data as a canonical (uncleaned) table.

    Source: Daqing Chen, Sai Liang Sain, Kun Guo (2012), "Data mining for the online retail
    industry", UCI Machine Learning Repository, CC BY 4.0. The sample (made by
    ``scripts/make_sample.py``, deterministic) holds every line of about 1,000 customers
    drawn at random, plus guest lines and cancellations, so cleaning has real work; see
    ``data/sample/README.md``.

    Columns: those of :mod:`crmmine.data.schema` (customer_id, order_id, order_date,
    product_id, product_name, quantity, unit_price, amount, country, source_line).

    Returns
    -------
    pandas.DataFrame
        The raw sample in canonical form; pass it to :func:`crmmine.clean`.
    """
    from ..data.io import read_transactions

    return read_transactions(online_retail_sample_path(), schema="online_retail")


def load_cdnow_sample(path=None) -> pd.DataFrame:
    """Load the CDNOW 1/10 cohort sample (2,357 customers, 6,919 records) as a canonical table.

    Source: P. S. Fader, B. G. S. Hardie, K. L. Lee (2005), "'Counting Your Customers' the
    Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284;
    the file ``CDNOW_sample.txt`` as shipped (MIT) with the ``lifetimes`` package. It is the
    sample on which the published BG/NBD and Gamma-Gamma estimates were made (39-week
    calibration ending 1997-09-30). It is not bundled: it is read from the reference data
    folder (:func:`shared_data_dir`, ``$CRMMINE_SHARED_DATA``).

    Each record becomes one order (``order_id`` = customer-date-sequence) of the single
    product ``"CD"``; ``customer_id`` is the master id (zero-padded, as in the file),
    ``quantity`` the number of CDs and ``amount`` the dollar value (8 records are $0).

    Parameters
    ----------
    path : str or pathlib.Path or None, default=None
        The file; ``None``: ``<shared data>/cdnow/CDNOW_sample.txt``.

    Returns
    -------
    pandas.DataFrame
        Canonical columns customer_id, order_id, order_date, product_id, quantity,
        unit_price, amount, source_line.

    Raises
    ------
    SourceNotFoundError
        The file is absent (set ``CRMMINE_SHARED_DATA`` to the folder holding ``cdnow/``).
    """
    from ..data.io import read_transactions

    if path is None:
        path = shared_data_dir() / "cdnow" / "CDNOW_sample.txt"
        if not path.exists():
            raise SourceNotFoundError(
                f"The CDNOW sample {path} is missing. Set the {SHARED_DATA_ENV} environment variable to the folder "
                "of the reference data (the one holding cdnow/CDNOW_sample.txt), or pass path=."
            )
    return read_transactions(path, schema="cdnow")


def load_clean(data_path="sample", *, schema="auto", encoding: str = "auto", dayfirst: bool | None = None,
               header: bool | None = None, sheet_name=None, engine="auto", **clean_options) -> CleanResult:
    """Read a transaction file and clean it: :func:`read_transactions` then :func:`clean`.

    Parameters
    ----------
    data_path : str or pathlib.Path, default="sample"
        A file :func:`crmmine.read_transactions` reads, or ``"sample"`` for the bundled
        Online Retail sample.
    schema, encoding, dayfirst, header, sheet_name
        Passed to :func:`crmmine.read_transactions` (the reading choices).
    engine : {"auto", "pandas", "duckdb"} or SparkSession, default="auto"
        Passed to :func:`crmmine.read_transactions`. With an engine the file is read and
        cleaned there (out of core with DuckDB) and only the clean result comes back as
        pandas (the reports' ``-p engine=duckdb``).
    **clean_options
        Passed to :func:`crmmine.clean` (the cleaning choices: ``skip_rules``, ``extreme_z``, ...).
    """
    from ..data.clean import clean
    from ..data.io import read_transactions
    from ..engine.lazy import is_lazy

    path = online_retail_sample_path() if str(data_path) == "sample" else data_path
    tx = read_transactions(path, schema=schema, encoding=encoding, dayfirst=dayfirst, header=header,
                           sheet_name=sheet_name, engine=engine)
    result = clean(tx, **clean_options)
    return result.to_pandas() if is_lazy(tx) else result


#: The bundled generated event log (``scripts/make_events_sample.py``).
EVENTS_SAMPLE_FILE = "events_sample.csv.gz"


def events_sample_path() -> Path:
    """Path of the bundled behaviour-event sample (``data/sample/events_sample.csv.gz``).

    Generated by :func:`crmmine.datasets.make_events` (``scripts/make_events_sample.py``), not real data:
    the Taobao log in ``../shared/data`` is for research only and is never shipped.
    """
    path = _repo_root() / "data" / "sample" / EVENTS_SAMPLE_FILE
    if not path.exists():
        raise SourceNotFoundError(f"The bundled event sample {path} is missing. Run 'python scripts/make_events_sample.py' "
                                  "in the repository to generate it.")
    return path
