"""read_transactions: presets, encodings, ids, dates, workbooks, and every bad input."""

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
    SourceNotFoundError,
    UnknownSchemaError,
    UnparseableValuesError,
)

UCI_HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
UCI_LINES = (
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"
    "536365,071053,WHITE METAL LANTERN ,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\n"
    "C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,United Kingdom\n"
    "536414,22139,,56,2010-12-01 11:52:00,0.0,,United Kingdom\n"
)


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_online_retail_preset_keeps_ids_as_text(tmp_path):
    tx = crmmine.read_transactions(write(tmp_path / "x.csv", UCI_HEADER + UCI_LINES))
    assert list(tx.columns) == ["customer_id", "order_id", "order_date", "product_id", "product_name",
                                "quantity", "unit_price", "amount", "country", "source_line"]
    assert tx["customer_id"].tolist()[:3] == ["17850", "17850", "14527"]
    assert pd.isna(tx["customer_id"].iloc[3])
    assert tx["product_id"].tolist() == ["85123A", "071053", "D", "22139"]  # leading zero kept
    assert tx["order_id"].tolist()[2] == "C536379"
    assert tx["product_name"].iloc[1] == "WHITE METAL LANTERN"
    assert pd.isna(tx["product_name"].iloc[3])
    assert tx["amount"].tolist() == pytest.approx([15.3, 20.34, -27.5, 0.0])
    assert tx["source_line"].tolist() == [2, 3, 4, 5]
    assert tx["order_date"].iloc[0] == pd.Timestamp("2010-12-01 08:26:00")
    assert tx.attrs["crmmine_source"]["schema"] == "online_retail"


def test_online_retail_ii_preset_and_gzip(tmp_path):
    header = "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
    body = "489434,85048,15CM CHRISTMAS GLASS BALL 20 LIGHTS,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom\n"
    path = tmp_path / "ii.csv.gz"
    path.write_bytes(gzip.compress((header + body).encode()))
    tx = crmmine.read_transactions(path)
    assert tx.attrs["crmmine_source"]["schema"] == "online_retail_ii"
    assert tx["customer_id"].iloc[0] == "13085" and tx["unit_price"].iloc[0] == 6.95


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_chinese_headers_through_a_mapping(tmp_path, encoding):
    text = ("订单号,会员ID,下单时间,商品编码,商品名称,数量,单价\n"
            "A001,00123,2023-05-01 10:00:00,SKU-1,绿茶,2,15.5\n"
            "A001,00123,2023-05-01 10:00:00,SKU-2,乌龙茶,1,30\n"
            "A002,00456,2023-05-03 12:30:00,SKU-1,绿茶,3,15.5\n")
    path = write(tmp_path / "orders.csv", text, encoding)
    mapping = {"customer_id": "会员ID", "order_id": "订单号", "order_date": "下单时间", "product_id": "商品编码",
               "product_name": "商品名称", "quantity": "数量", "unit_price": "单价"}
    tx = crmmine.read_transactions(path, schema=mapping)
    assert tx["customer_id"].tolist() == ["00123", "00123", "00456"]
    assert tx["product_name"].tolist() == ["绿茶", "乌龙茶", "绿茶"]
    assert tx["amount"].sum() == pytest.approx(31 + 30 + 46.5)
    expected = "gb18030" if encoding != "utf-8-sig" else "utf-8-sig"
    assert tx.attrs["crmmine_source"]["encoding"] == expected


def test_mapping_from_json_file(tmp_path):
    import json

    path = write(tmp_path / "o.csv", "cust,ord,dt,sku,qty,total\nA,1,2024-01-02,X,2,10\n")
    mp = tmp_path / "mapping.json"
    mp.write_text(json.dumps({"customer_id": "cust", "order_id": "ord", "order_date": "dt", "product_id": "sku",
                              "quantity": "qty", "amount": "total"}))
    tx = crmmine.read_transactions(path, schema=str(mp))
    assert tx["unit_price"].iloc[0] == 5.0 and tx["amount"].iloc[0] == 10.0


def test_canonical_names_are_read_as_they_are(tmp_path):
    path = write(tmp_path / "c.csv", "customer_id;order_id;order_date;product_id;quantity;unit_price\n"
                                     "7;1;2024-01-02;X;2;2,5\n7;2;2024-02-02;Y;1;1,25\n")
    tx = crmmine.read_transactions(path)
    assert tx["unit_price"].tolist() == [2.5, 1.25]  # decimal commas of a ';' file
    assert tx["amount"].tolist() == [5.0, 1.25]


@pytest.mark.parametrize(
    "values, expected",
    [
        (["2011-03-04 10:00", "2011-12-31 23:59"], ["2011-03-04 10:00", "2011-12-31 23:59"]),
        (["31/12/2011 10:00", "04/03/2011 09:00"], ["2011-12-31 10:00", "2011-03-04 09:00"]),  # day first, proven
        (["12/31/2011", "03/04/2011"], ["2011-12-31", "2011-03-04"]),  # month first, proven
        (["20110304", "20111231"], ["2011-03-04", "2011-12-31"]),
        ([40606, 40908.5], ["2011-03-04", "2011-12-31 12:00"]),  # Excel serial days
        ([1299196800, 1325289600], ["2011-03-04", "2011-12-31"]),  # Unix seconds
        ([1299196800000, 1325289600000], ["2011-03-04", "2011-12-31"]),  # Unix milliseconds
        (["4 Mar 2011", "31 Dec 2011"], ["2011-03-04", "2011-12-31"]),
    ],
)
def test_date_forms(values, expected):
    df = pd.DataFrame({"customer_id": ["a", "b"], "order_id": ["1", "2"], "order_date": values,
                       "product_id": ["x", "y"], "quantity": [1, 1], "unit_price": [1.0, 1.0]})
    tx = crmmine.read_transactions(df)
    assert tx["order_date"].tolist() == [pd.Timestamp(e) for e in expected]


def test_ambiguous_day_month_needs_dayfirst():
    df = pd.DataFrame({"customer_id": ["a", "b"], "order_id": ["1", "2"], "order_date": ["03/04/2011", "05/06/2011"],
                       "product_id": ["x", "y"], "quantity": [1, 1], "unit_price": [1.0, 1.0]})
    with pytest.raises(UnparseableValuesError, match=r"fit both day/month orders.*dayfirst=True"):
        crmmine.read_transactions(df)
    assert crmmine.read_transactions(df, dayfirst=True)["order_date"].iloc[0] == pd.Timestamp("2011-04-03")
    assert crmmine.read_transactions(df, dayfirst=False)["order_date"].iloc[0] == pd.Timestamp("2011-03-04")


def test_a_few_bad_dates_become_missing_and_are_rejected_by_clean():
    dates = [f"2011-01-{d:02d}" for d in range(1, 21)] + ["not a date"]
    df = pd.DataFrame({"customer_id": ["a"] * 21, "order_id": [str(i) for i in range(21)], "order_date": dates,
                       "product_id": ["x"] * 21, "quantity": [1] * 21, "unit_price": [1.0] * 21})
    tx = crmmine.read_transactions(df)
    assert tx["order_date"].isna().sum() == 1
    result = crmmine.clean(tx)
    assert result.rejected["reason"].tolist() == ["unparseable_date"]
    assert result.rejected["source_line"].tolist() == [21]


def test_mostly_unparseable_dates_is_an_error_with_line_numbers(tmp_path):
    path = write(tmp_path / "d.csv", UCI_HEADER + UCI_LINES.replace("2010-12-01", "sometime"))
    with pytest.raises(UnparseableValuesError, match=r"'InvoiceDate'.*cannot be read as dates.*line 2: 'sometime"):
        crmmine.read_transactions(path)


def test_unreadable_numbers_error_names_column_and_lines(tmp_path):
    path = write(tmp_path / "n.csv", UCI_HEADER + UCI_LINES.replace(",6,", ",six,"))
    with pytest.raises(UnparseableValuesError, match=r"Column 'Quantity'.*2 of 4 values.*line 2: 'six'.*line 3: 'six'"):
        crmmine.read_transactions(path)


def test_missing_required_column_names_it_and_suggests_mapping(tmp_path):
    path = write(tmp_path / "m.csv", "cust,order,date,sku,qty,price\nA,1,2024-01-02,X,2,10\n")
    with pytest.raises(MissingColumnError, match=r"no column for 'customer_id', 'order_date', "
                                                 r"'product_id', 'amount'.*columns found: cust, order, date, sku, qty, "
                                                 r"price.*schema=\{\"customer_id\": \"cust\", \"order_id\": \"order\", "
                                                 r"\"order_date\": \"date\", \"product_id\": \"sku\", \"unit_price\": "
                                                 r"\"price\", \"quantity\": \"qty\"\}"):
        crmmine.read_transactions(path)


def test_preset_with_a_missing_column(tmp_path):
    path = write(tmp_path / "p.csv", "InvoiceNo,StockCode\n1,2\n")
    with pytest.raises(MissingColumnError, match=r"no column 'Description', which the UCI Online Retail preset needs"):
        crmmine.read_transactions(path, schema="online_retail")


def test_unknown_preset(tmp_path):
    path = write(tmp_path / "u.csv", UCI_HEADER + UCI_LINES)
    with pytest.raises(UnknownSchemaError, match=r"'uci' is not a known preset. Known presets: online_retail"):
        crmmine.read_transactions(path, schema="uci")


def test_mapping_to_a_missing_column(tmp_path):
    path = write(tmp_path / "u.csv", UCI_HEADER + UCI_LINES)
    with pytest.raises(MappingError, match=r"points 'customer_id' to column '会员ID', which is not in .*columns found: InvoiceNo"):
        crmmine.read_transactions(path, schema={"customer_id": "会员ID"})


def test_missing_empty_and_non_table_files(tmp_path):
    with pytest.raises(SourceNotFoundError, match=r"nothing\.csv does not exist"):
        crmmine.read_transactions(tmp_path / "nothing.csv")
    with pytest.raises(EmptySourceError, match=r"empty"):
        crmmine.read_transactions(write(tmp_path / "e.csv", ""))
    with pytest.raises(EmptySourceError, match=r"header but no transaction lines"):
        crmmine.read_transactions(write(tmp_path / "h.csv", UCI_HEADER))
    png = tmp_path / "photo.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(NotATableError, match=r"photo\.csv is not a table but a PNG image"):
        crmmine.read_transactions(png)
    jpg = tmp_path / "photo2.csv"
    jpg.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)))
    with pytest.raises(NotATableError, match=r"JPEG image"):
        crmmine.read_transactions(jpg)


def test_parquet_and_dataframe_sources(tmp_path):
    df = pd.DataFrame({"InvoiceNo": ["1", "2"], "StockCode": ["A", "B"], "Description": ["a", "b"],
                       "Quantity": [1, 2], "InvoiceDate": pd.to_datetime(["2011-01-01", "2011-01-02"]),
                       "UnitPrice": [1.5, 2.0], "CustomerID": [12345.0, np.nan], "Country": ["UK", "UK"]})
    df.to_parquet(tmp_path / "t.parquet")
    for source in (tmp_path / "t.parquet", df):
        tx = crmmine.read_transactions(source)
        assert tx["customer_id"].iloc[0] == "12345" and pd.isna(tx["customer_id"].iloc[1])
        assert tx["amount"].tolist() == [1.5, 4.0]


def test_online_retail_ii_workbook_reads_the_overlap_once(tmp_path):
    cols = ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country"]
    def line(inv, day, code="A"):
        return [inv, code, "thing", 1, pd.Timestamp(f"2010-12-{day:02d} 10:00"), 1.0, 12345.0, "UK"]
    sheet1 = pd.DataFrame([line("1", 1), line("2", 5), line("2", 5),  # a duplicate within the sheet: real data
                           line("3", 9)], columns=cols)
    sheet1 = pd.concat([pd.DataFrame([line("0", 1)], columns=cols).assign(InvoiceDate=pd.Timestamp("2009-12-01")),
                        sheet1], ignore_index=True)
    sheet2 = pd.DataFrame([line("1", 1), line("2", 5), line("2", 5), line("3", 9), line("4", 10),
                           line("5", 11)], columns=cols)
    path = tmp_path / "online_retail_II.xlsx"
    with pd.ExcelWriter(path) as xw:
        sheet1.to_excel(xw, sheet_name="Year 2009-2010", index=False)
        sheet2.to_excel(xw, sheet_name="Year 2010-2011", index=False)
    tx = crmmine.read_transactions(path)
    assert tx.attrs["crmmine_source"]["schema"] == "online_retail_ii"
    assert tx["order_id"].tolist() == ["0", "1", "2", "2", "3", "4", "5"]
    assert tx["customer_id"].unique().tolist() == ["12345"]


def test_cdnow_with_and_without_header(tmp_path):
    with_header = " customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n" \
                  " 00002 19970112  1   12.00\r\n 00002 19970112  5   77.00\r\n"
    no_header = "00004 0001 19970101  2   29.33\r\n00004 0001 19970118  2   29.73\r\n"
    a = crmmine.read_transactions(write(tmp_path / "a.txt", with_header))
    b = crmmine.read_transactions(write(tmp_path / "b.txt", no_header), schema="cdnow")
    assert a["customer_id"].tolist() == ["00001", "00002", "00002"]
    assert a["order_id"].tolist() == ["00001-19970101-1", "00002-19970112-1", "00002-19970112-2"]
    assert a["product_id"].unique().tolist() == ["CD"]
    assert a["amount"].tolist() == [11.77, 12.0, 77.0] and a["quantity"].tolist() == [1, 1, 5]
    assert b["customer_id"].tolist() == ["00004", "00004"]
    assert b["order_date"].tolist() == [pd.Timestamp("1997-01-01"), pd.Timestamp("1997-01-18")]


def test_validate_transactions_names_the_missing_column():
    with pytest.raises(MissingColumnError, match=r"no columns? 'customer_id'"):
        crmmine.validate_transactions(pd.DataFrame({"x": [1]}))
