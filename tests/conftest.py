"""Shared fixtures. The reference data sets are found through CRMMINE_SHARED_DATA (default ../shared/data)."""

from __future__ import annotations

import os

import pytest

from crmmine.datasets import shared_data_dir


@pytest.fixture(scope="session")
def shared_data():
    """The folder of the real reference data; skip when absent (an error when CRMMINE_REQUIRE_SHARED_DATA=1)."""
    path = shared_data_dir()
    if not (path / "online_retail" / "online_retail.csv.gz").exists():
        msg = f"reference data not found at {path}; set CRMMINE_SHARED_DATA to the shared/data folder"
        if os.environ.get("CRMMINE_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@pytest.fixture(scope="session")
def online_retail_path(shared_data):
    return shared_data / "online_retail" / "online_retail.csv.gz"


@pytest.fixture(scope="session")
def cdnow_sample_path(shared_data):
    return shared_data / "cdnow" / "CDNOW_sample.txt"


@pytest.fixture(scope="session")
def cdnow_master_path(shared_data):
    return shared_data / "cdnow" / "CDNOW_master.txt"


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession for every Spark test (the JVM starts once; UTC, 2 shuffle partitions).

    Skipped when pyspark or Java is missing; an error when CRMMINE_REQUIRE_SPARK=1 (CI sets it).
    """
    import shutil

    reason = None
    try:
        import pyspark  # noqa: F401
    except ImportError:
        reason = "pyspark is not installed (pip install 'crmmine[spark]')"
    if reason is None and shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        reason = "no Java runtime for Spark (apt-get install default-jre-headless)"
    if reason is not None:
        if os.environ.get("CRMMINE_REQUIRE_SPARK") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("crmmine-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def taobao_path(shared_data):
    path = shared_data / "taobao_userbehavior" / "UserBehavior_head.csv"
    if not path.exists():
        msg = f"the Taobao events are not at {path}"
        if os.environ.get("CRMMINE_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    return path
