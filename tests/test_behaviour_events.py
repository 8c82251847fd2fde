"""Reading behaviour logs: presets, mappings, event words, time zones, every line kept or rejected."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.errors import (
    EmptySourceError,
    MappingError,
    MissingColumnError,
    NotATableError,
    ParameterError,
    SourceNotFoundError,
    UnknownSchemaError,
)

TAOBAO_LINES = (
    "1,100,10,pv,1511544070\n"      # 2017-11-25 01:21:10 China time
    "1,100,10,cart,1511544100\n"
    "1,100,10,buy,1511547670\n"
    "2,200,20,fav,1511600000\n"
    "2,200,20,pv,1511600000\n"
    "2,200,20,pv,1511600000\n"      # exact duplicate of the line before
    "3,300,30,pv,1505000000\n"      # 2017-09-10: before the data set's period
    "3,300,30,share,1511600000\n"   # an unknown word
    "3,300,30,pv"                   # cut off: no time, no final newline
)


@pytest.fixture
def taobao_file(tmp_path):
    p = tmp_path / "UserBehavior.csv"
    p.write_text(TAOBAO_LINES, encoding="utf-8")
    return p


def test_taobao_preset_keeps_or_rejects_every_line(taobao_file):
    log = crmmine.read_events(taobao_file, schema="taobao")
    assert isinstance(log, crmmine.EventLog)
    ev = log.events
    assert list(ev.columns) == ["customer_id", "item_id", "category", "event_type", "event_time", "source_line"]
    assert ev["source_line"].tolist() == [1, 2, 3, 4, 5]
    assert ev["event_type"].astype(str).tolist() == ["view", "cart", "purchase", "favourite", "view"]
    # Unix seconds read as China time (UTC+8), naive local wall-clock time
    assert ev["event_time"].iloc[0] == pd.Timestamp("2017-11-25 01:21:10")
    reasons = dict(zip(log.rejected["source_line"], log.rejected["reason"].astype(str)))
    assert reasons == {6: "duplicate", 7: "out_of_window", 8: "unknown_event_type", 9: "truncated_line"}
    assert log.rejected.loc[log.rejected["reason"] == "truncated_line", "raw_line"].item() == "3,300,30,pv"
    assert log.rejected.loc[log.rejected["reason"] == "unknown_event_type", "source_event"].item() == "share"
    audit = log.audit.set_index("rule")["lines"]
    assert audit["input"] == 9 and audit["kept"] == 5
    assert audit.drop(["input"]).sum() == audit["input"]
    assert log.source["tz"] == "Asia/Shanghai"


def test_auto_recognises_the_headerless_taobao_layout(taobao_file):
    log = crmmine.read_events(taobao_file)
    assert log.source["schema"] == "taobao" and len(log.events) == 5


def test_gzip_and_options(taobao_file, tmp_path):
    gz = tmp_path / "ub.csv.gz"
    gz.write_bytes(gzip.compress(taobao_file.read_bytes()))
    log = crmmine.read_events(gz, schema="taobao", tz="UTC", window=None, skip=("duplicate",))
    assert log.events["event_time"].iloc[0] == pd.Timestamp("2017-11-24 17:21:10")
    assert len(log.events) == 7  # duplicate and the early line kept
    assert log.rejected["reason"].astype(str).tolist() == ["unknown_event_type", "truncated_line"]


def test_a_mapping_with_other_words_and_ignored_events(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text("ts,visitor,product,what,session,price\n"
                 "2024-03-01T10:00:00+01:00,u1,p1,view,s1,9.5\n"
                 "2024-03-01T10:01:00+01:00,u1,p1,cart,s1,9.5\n"
                 "2024-03-01T10:02:00+01:00,u1,p1,remove_from_cart,s1,9.5\n"
                 "2024-03-01T10:03:00+01:00,u1,p1,purchase,s1,9.5\n"
                 "2024-03-01T10:04:00+01:00,,p2,view,s2,3\n", encoding="utf-8")
    schema = {"event_time": "ts", "customer_id": "visitor", "item_id": "product", "event_type": "what",
              "session_id": "session", "price": "price"}
    log = crmmine.read_events(p, schema=schema, tz="Europe/Paris")
    assert log.events["event_type"].astype(str).tolist() == ["view", "cart", "purchase"]
    assert log.events["event_time"].iloc[0] == pd.Timestamp("2024-03-01 10:00:00")
    assert log.events["price"].tolist() == [9.5, 9.5, 9.5]
    assert log.rejected["reason"].astype(str).tolist() == ["ignored_event_type", "missing_customer_id"]
    # the same log in UTC
    assert crmmine.read_events(p, schema=schema).events["event_time"].iloc[0] == pd.Timestamp("2024-03-01 09:00")


def test_retailrocket_layout_from_a_dataframe():
    df = pd.DataFrame({"timestamp": [1433221332117, 1433224214164, 1433221999827], "visitorid": [257597, 992329, 111016],
                       "event": ["view", "addtocart", "transaction"], "itemid": [355908, 248676, 318965],
                       "transactionid": [np.nan, np.nan, 4000.0]})
    log = crmmine.read_events(df)
    assert log.source["schema"] == "retailrocket"
    assert log.events["event_type"].astype(str).tolist() == ["view", "cart", "purchase"]
    assert log.events["customer_id"].astype(str).tolist() == ["257597", "992329", "111016"]
    assert log.events["event_time"].iloc[0] == pd.Timestamp("2015-06-02 05:02:12.117")


def test_rees46_layout_times_in_utc_text():
    df = pd.DataFrame({"event_time": ["2019-10-01 00:00:00 UTC", "2019-10-01 00:00:05 UTC"],
                       "event_type": ["view", "purchase"], "product_id": [44600062, 3900821],
                       "category_id": [2103807459595387724, 2053013552326770905], "category_code": [None, None],
                       "brand": ["shiseido", "aqua"], "price": [35.79, 33.20], "user_id": [541312140, 554748717],
                       "user_session": ["72d76fde", "9333dfbd"]})
    log = crmmine.read_events(df, schema="rees46", tz="Asia/Shanghai")
    assert log.events["event_time"].tolist() == [pd.Timestamp("2019-10-01 08:00:00"), pd.Timestamp("2019-10-01 08:00:05")]
    assert log.events["category"].astype(str).iloc[1] == "2053013552326770905"


def test_events_to_transactions_feeds_the_rest_of_crmmine():
    ev, _ = crmmine.datasets.make_events(300, random_state=1)
    tx = crmmine.events_to_transactions(ev)
    buys = ev[ev["event_type"] == "purchase"]
    assert len(tx) == len(buys) and tx["amount"].sum() == pytest.approx(buys["price"].sum())
    result = crmmine.clean(tx)
    assert len(result.transactions) == len(tx)
    assert crmmine.customer_table(result.transactions)["frequency"].sum() == tx["order_id"].nunique()


def test_sessionize_splits_on_gaps():
    ev = pd.DataFrame({"customer_id": ["a", "a", "a", "b"], "item_id": ["x"] * 4, "event_type": ["view"] * 4,
                       "event_time": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:20", "2024-01-01 11:00",
                                                     "2024-01-01 10:10"])})
    s = crmmine.sessionize(crmmine.read_events(ev).events, gap_minutes=30)
    assert s.tolist() == [0, 0, 1, 2]


@pytest.mark.parametrize("kwargs, error, match", [
    ({"schema": "nope"}, UnknownSchemaError, "The schema 'nope' is not a known event preset"),
    ({"schema": {"customer_id": "who"}}, MappingError, "points 'customer_id' to column 'who'"),
    ({"schema": {"buyer": "visitor"}}, MappingError, "'buyer', which is not a canonical event column"),
    ({"event_types": {"pv": "look"}}, ParameterError, "maps to 'look', which is not an event type"),
    ({"tz": "Mars/Olympus"}, ParameterError, "The 'tz' parameter must be a time zone name"),
    ({"window": ("2024-01-02",)}, ParameterError, "The 'window' parameter must be None or a pair"),
    ({"window": ("2024-01-02", "2024-01-01")}, ParameterError, "window' parameter's end must be after its start"),
    ({"skip": ("truncated_line",)}, ParameterError, "'truncated_line', which is not a switchable rule"),
])
def test_parameter_errors(kwargs, error, match):
    df = pd.DataFrame({"visitor": ["a"], "item_id": ["x"], "event_type": ["pv"], "event_time": ["2024-01-01"]})
    kwargs.setdefault("schema", {"customer_id": "visitor"})
    with pytest.raises(error, match=match):
        crmmine.read_events(df, **kwargs)


def test_source_errors(tmp_path):
    with pytest.raises(SourceNotFoundError, match="does not exist"):
        crmmine.read_events(tmp_path / "missing.csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(EmptySourceError, match="is empty"):
        crmmine.read_events(tmp_path / "empty.csv")
    with pytest.raises(NotATableError, match="is a folder"):
        crmmine.read_events(tmp_path)
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(MissingColumnError, match="has no column for 'customer_id'"):
        crmmine.read_events(tmp_path / "x.csv")
    with pytest.raises(ParameterError, match="The 'source' parameter must be a file path"):
        crmmine.read_events(42)
    with pytest.raises(MissingColumnError, match="has 2 fields per line, but the Taobao"):
        crmmine.read_events(tmp_path / "x.csv", schema="taobao")


def test_validate_events_and_conversion_errors():
    with pytest.raises(MissingColumnError, match="has no column 'event_time'"):
        crmmine.validate_events(pd.DataFrame({"customer_id": [1], "item_id": [1], "event_type": ["view"]}))
    bad = pd.DataFrame({"customer_id": ["a"], "item_id": ["x"], "event_type": ["pv"],
                        "event_time": pd.to_datetime(["2024-01-01"])})
    with pytest.raises(MissingColumnError, match="holds 'pv', which is not an event type"):
        crmmine.validate_events(bad)
    ev = crmmine.read_events(bad).events
    with pytest.raises(MissingColumnError, match="The events have no 'price' column"):
        crmmine.events_to_transactions(ev)
    with pytest.raises(ParameterError, match="The 'order_by' parameter must be one of"):
        crmmine.events_to_transactions(ev, order_by="day")


def test_a_line_with_the_wrong_number_of_fields_in_the_middle(tmp_path):
    p = tmp_path / "ub.csv"
    p.write_text("1,100,10,pv,1511544070\n1,100,10,pv,1511544071,extra\n2,200,20,buy,1511600000\n", encoding="utf-8")
    log = crmmine.read_events(p, schema="taobao")
    assert log.events["source_line"].tolist() == [1, 3]
    bad = log.rejected
    assert bad["source_line"].tolist() == [2] and bad["reason"].astype(str).tolist() == ["malformed_line"]
    assert bad["raw_line"].item() == "1,100,10,pv,1511544071,extra"
