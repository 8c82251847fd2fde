"""Reading files a new user brings (issue 11): numbers, encodings, ids, headers, workbooks, and every bad input."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest

import crmmine
from crmmine.data.io import detect_encoding
from crmmine.errors import (
    EmptySourceError,
    InputError,
    MappingError,
    MissingColumnError,
    NotATableError,
    ParameterError,
    UnparseableValuesError,
)

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def line(i, qty="6", price="2.55", cust="17850", date="2010-12-01 08:26:00", country="United Kingdom", sep=","):
    return sep.join([str(536365 + i), "85123A", "WHITE HEART", qty, date, price, cust, country]) + "\n"


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


# --- numbers: one separator convention per column ---------------------------------------------


def test_thousands_commas_are_read_per_column(tmp_path):
    body = "".join(line(i) for i in range(20)) + line(99, qty='"1,000"', price='"2,500"')
    tx = crmmine.read_transactions(write(tmp_path / "t.csv", HEADER + body))
    assert tx["quantity"].iloc[-1] == 1000  # not 1
    assert tx["unit_price"].iloc[-1] == 2500  # not 2.5: the column's other values (2.55) use a decimal point
    assert tx["unit_price"].iloc[0] == 2.55


def test_million_and_grouped_decimals(tmp_path):
    body = line(0, qty='"1,000,000"', price='"1,234.50"') + line(1)
    tx = crmmine.read_transactions(write(tmp_path / "t.csv", HEADER + body))
    assert tx["quantity"].tolist() == [1_000_000, 6] and tx["unit_price"].tolist() == [1234.5, 2.55]


def test_european_export_with_semicolons(tmp_path):
    header = HEADER.replace(",", ";")
    body = "".join(line(i, price="1.234,56", sep=";") for i in range(5)) + line(9, price="2,5", qty="3", sep=";")
    tx = crmmine.read_transactions(write(tmp_path / "e.csv", header + body))
    assert tx["unit_price"].tolist() == [1234.56] * 5 + [2.5]
    assert tx["amount"].iloc[-1] == pytest.approx(7.5)


def test_ambiguous_column_follows_the_delimiter(tmp_path):
    # "1.500" alone could be 1.5 or 1500: a ';' file is a European export (1500), a ',' file is not (1.5)
    semi = HEADER.replace(",", ";") + line(0, price="1.500", sep=";") + line(1, price="2", sep=";")
    comma = HEADER + line(0, price="1.500") + line(1, price="2")
    assert crmmine.read_transactions(write(tmp_path / "s.csv", semi))["unit_price"].tolist() == [1500, 2]
    assert crmmine.read_transactions(write(tmp_path / "c.csv", comma))["unit_price"].tolist() == [1.5, 2]


def test_a_value_the_column_convention_cannot_read_is_a_rejected_line(tmp_path):
    body = "".join(line(i, price="2.55") for i in range(20)) + line(50, price='"2,5"')  # decimal comma among points
    tx = crmmine.read_transactions(write(tmp_path / "m.csv", HEADER + body))
    assert np.isnan(tx["unit_price"].iloc[-1])
    assert any("'UnitPrice': 1 unreadable numbers (line 22: '2,5')" in n for n in tx.attrs["crmmine_source"]["notes"])
    result = crmmine.clean(tx)
    assert result.rejected["reason"].astype(str).tolist() == ["unparseable_number"]
    assert result.rejected["source_line"].tolist() == [22]


def test_currency_signs_and_spaces_are_dropped(tmp_path):
    body = line(0, price='"£1 234.50"') + line(1, price="€2.00") + line(2, price="3")
    tx = crmmine.read_transactions(write(tmp_path / "c.csv", HEADER + body))
    assert tx["unit_price"].tolist() == [1234.5, 2.0, 3.0]


# --- column names and mappings -------------------------------------------------------------------


def test_duplicate_column_names_are_an_error(tmp_path):
    path = write(tmp_path / "d.csv", HEADER.replace("\n", ",Quantity\n") + line(0).replace("\n", ",7\n"))
    with pytest.raises(MappingError, match=r"d\.csv has more than one column named 'Quantity' \(2 times\)\. Rename"):
        crmmine.read_transactions(path)
    df = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(MappingError, match=r"DataFrame passed as source has more than one column named 'a'"):
        crmmine.read_transactions(df)


def test_two_canonical_columns_cannot_share_a_source_column(tmp_path):
    path = write(tmp_path / "u.csv", HEADER + line(0))
    mapping = {"customer_id": "CustomerID", "order_id": "CustomerID", "order_date": "InvoiceDate",
               "product_id": "StockCode", "quantity": "Quantity", "unit_price": "UnitPrice"}
    with pytest.raises(MappingError, match=r"points 'customer_id' and 'order_id' to the same column 'CustomerID'"):
        crmmine.read_transactions(path, schema=mapping)


def test_every_missing_column_in_one_message_with_a_suggested_mapping(tmp_path):
    cj = "household_key,BASKET_ID,DAY,PRODUCT_ID,QUANTITY,SALES_VALUE,STORE_ID,RETAIL_DISC,TRANS_TIME\n" \
         "2375,26984851472,1,1004906,1,1.39,364,-0.6,1631\n"
    path = write(tmp_path / "transaction_data.csv", cj)
    with pytest.raises(MissingColumnError) as info:
        crmmine.read_transactions(path)
    msg = str(info.value)
    assert "no column for 'customer_id', 'order_date', 'product_id', 'amount'" in msg
    suggested = json.loads(msg.split("schema=")[1].split("}, or")[0] + "}")
    assert suggested == {"customer_id": "household_key", "order_id": "BASKET_ID", "order_date": "DAY",
                         "product_id": "PRODUCT_ID", "amount": "SALES_VALUE", "quantity": "QUANTITY"}


def test_amount_alone_is_enough_quantity_defaults_to_one(tmp_path):
    path = write(tmp_path / "a.csv", "cust,basket,day,sku,sales\nA,1,2024-01-02,X,9.5\nB,2,2024-01-03,Y,3\n")
    tx = crmmine.read_transactions(path, schema={"customer_id": "cust", "order_id": "basket", "order_date": "day",
                                                 "product_id": "sku", "amount": "sales"})
    assert tx["quantity"].tolist() == [1, 1] and tx["unit_price"].tolist() == [9.5, 3.0]
    assert any("quantity 1" in n for n in tx.attrs["crmmine_source"]["notes"])


def test_without_an_order_id_a_customer_moment_is_one_order(tmp_path):
    path = write(tmp_path / "o.csv", "cust,time,sku,price\nA,2024-01-02 10:00,X,1\nA,2024-01-02 10:00,Y,2\n"
                                     "A,2024-01-05 09:00,X,1\n")
    tx = crmmine.read_transactions(path, schema={"customer_id": "cust", "order_date": "time", "product_id": "sku",
                                                 "unit_price": "price"})
    assert tx["order_id"].tolist() == ["A-20240102100000", "A-20240102100000", "A-20240105090000"]


def test_ids_are_normalised_per_value(tmp_path):
    body = line(0, cust="12583") + line(1, cust="12583.0") + line(2, cust="00123") + line(3, cust="A12.0")
    tx = crmmine.read_transactions(write(tmp_path / "i.csv", HEADER + body))
    assert tx["customer_id"].tolist() == ["12583", "12583", "00123", "A12.0"]
    assert tx["customer_id"].nunique() == 3


# --- headers -----------------------------------------------------------------------------------------


def test_headerless_file_with_a_positional_mapping(tmp_path):
    path = write(tmp_path / "h.csv", "1,2268318,2520377,pv,1511544070,3.5\n1,2333346,2520771,buy,1511561733,2\n")
    with pytest.raises(MissingColumnError, match=r"The first line \(1, 2268318, 2520377, pv, 1511544070, 3\.5\) looks "
                                                 r"like data, not column names: pass header=False"):
        crmmine.read_transactions(path)
    tx = crmmine.read_transactions(path, header=False, schema={"customer_id": 0, "product_id": 1, "category": 2,
                                                              "order_date": 4, "unit_price": 5})
    assert tx["customer_id"].tolist() == ["1", "1"] and tx["product_id"].tolist() == ["2268318", "2333346"]
    assert tx["order_date"].iloc[0] == pd.Timestamp("2017-11-24 17:21:10")
    assert tx["source_line"].tolist() == [1, 2]
    same = crmmine.read_transactions(path, header=False, schema={"customer_id": "column_1", "product_id": "column_2",
                                                                "order_date": "column_5", "unit_price": "column_6"})
    assert same["product_id"].tolist() == tx["product_id"].tolist()
    with pytest.raises(MappingError, match=r"points 'customer_id' to column position 9, but .* has 6 columns"):
        crmmine.read_transactions(path, header=False, schema={"customer_id": 9})
    with pytest.raises(ParameterError, match=r"The 'header' parameter must be None, True or False. Got 'no' instead"):
        crmmine.read_transactions(path, header="no")


def test_mapping_to_an_absent_column_hints_at_header_false(tmp_path):
    path = write(tmp_path / "h.csv", "1,2268318,2520377,pv,1511544070\n2,2268318,2520377,pv,1511544070\n")
    with pytest.raises(MappingError, match=r"not in .*looks like data, not column names: pass header=False"):
        crmmine.read_transactions(path, schema={"customer_id": "user_id"})


# --- encodings ---------------------------------------------------------------------------------------


ENCODING_CASES = {
    "cp1252 short": ("id,country,product\n1,España,Café crème\n2,Österreich,Bücher\n", "cp1252", "cp1252"),
    "cp1252 one accent": ("id,country\n1,España\n2,France\n3,UK\n", "cp1252", "cp1252"),
    "cp1252 euro and quotes": ("id,price,desc\n1,€5,naïve “quoted”\n", "cp1252", "cp1252"),
    "gbk": ("会员ID,订单号,商品名称,数量\n1,A1,苹果手机,2\n2,A2,华为电脑,1\n", "gbk", "gb18030"),
    "gbk short": ("id,name\n1,北京\n2,abc\n", "gbk", "gb18030"),
    "gbk long": ("会员,国家,描述\n" + "".join(f"{i},中国,红色的苹果 {i}\n" for i in range(3000)), "gb18030", "gb18030"),
    "latin long": ("c,country,desc\n" + "".join(f"{i},España,Gâteau à la crème {i}\n" for i in range(3000)),
                   "cp1252", "cp1252"),
    "utf-8": ("id,name\n1,España 北京\n", "utf-8", "utf-8"),
    "utf-8 bom": ("\ufeffid,name\n1,España\n", "utf-8", "utf-8-sig"),
    "utf-16 bom": ("id,name\n1,España 北京\n", "utf-16", "utf-16"),
    "utf-16-le without bom": ("id,name\n1,España\n", "utf-16-le", "utf-16-le"),
}


@pytest.mark.parametrize("case", sorted(ENCODING_CASES))
def test_detect_encoding_cases(case):
    text, enc, expected = ENCODING_CASES[case]
    assert detect_encoding(text.encode(enc)) == expected


def test_latin1_and_gbk_files_read_right(tmp_path):
    latin = write(tmp_path / "l.csv", HEADER + "".join(line(i, country="España") for i in range(5)), "cp1252")
    assert crmmine.read_transactions(latin)["country"].unique().tolist() == ["España"]
    assert crmmine.read_transactions(latin).attrs["crmmine_source"]["encoding"] == "cp1252"
    gbk = write(tmp_path / "g.csv", HEADER + "".join(line(i, country="中国") for i in range(5)), "gbk")
    assert crmmine.read_transactions(gbk)["country"].unique().tolist() == ["中国"]


def test_a_non_utf8_byte_after_the_first_64_kib(tmp_path):
    body = "".join(line(i) for i in range(1500))  # > 64 KiB of ASCII
    path = tmp_path / "late.csv"
    path.write_bytes((HEADER + body).encode() + line(9999, country="España").encode("cp1252"))
    tx = crmmine.read_transactions(path)
    assert tx["country"].iloc[-1] == "España" and len(tx) == 1501
    assert tx.attrs["crmmine_source"]["encoding"] == "cp1252"
    assert any("line 1502" in n for n in tx.attrs["crmmine_source"]["notes"])


def test_a_file_mixing_utf8_and_latin1_is_an_error_naming_the_line(tmp_path):
    body = "".join(line(i, country="Côte d'Ivoire") for i in range(1500))
    path = tmp_path / "mixed.csv"
    path.write_bytes((HEADER + body).encode() + line(9999, country="España").encode("cp1252"))
    with pytest.raises(UnparseableValuesError, match=r"mixes text encodings: line 1502 is not UTF-8 .*encoding='cp1252'"):
        crmmine.read_transactions(path)


def test_explicit_encoding_wins(tmp_path):
    path = write(tmp_path / "w.csv", HEADER + line(0, country="España"), "utf-16-le")
    assert crmmine.read_transactions(path, encoding="utf-16-le")["country"].iloc[0] == "España"
    latin = write(tmp_path / "l.csv", HEADER + line(0, country="España"), "cp1252")
    assert crmmine.read_transactions(latin, encoding="latin-1")["country"].iloc[0] == "España"
    with pytest.raises(UnparseableValuesError, match=r"cannot be decoded as 'utf-8'"):
        crmmine.read_transactions(latin, encoding="utf-8")
    with pytest.raises(ParameterError, match=r"The 'encoding' parameter 'klingon' is not a known encoding"):
        crmmine.read_transactions(latin, encoding="klingon")


# --- bad input: one clear message, never an internal error --------------------------------------------


def test_truncated_gzip(tmp_path):
    data = gzip.compress((HEADER + "".join(line(i, qty=str(i)) for i in range(3000))).encode())
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"cut\.csv\.gz is a damaged or truncated gzip file"):
        crmmine.read_transactions(path)


def test_unreadable_file(tmp_path, monkeypatch):
    path = write(tmp_path / "locked.csv", HEADER + line(0))
    real_open = open

    def deny(p, *a, **k):
        if str(p) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(p, *a, **k)

    monkeypatch.setattr("builtins.open", deny)
    with pytest.raises(InputError, match=r"locked\.csv cannot be read \(Permission denied\)"):
        crmmine.read_transactions(path)


def test_placeholder_and_out_of_range_dates_are_rejected_lines(tmp_path):
    body = "".join(line(i) for i in range(30)) + line(90, date="9999-12-31") + line(91, date="1900-01-01 00:00:00")
    tx = crmmine.read_transactions(write(tmp_path / "p.csv", HEADER + body))
    assert pd.isna(tx["order_date"].iloc[-2])
    result = crmmine.clean(tx)
    assert result.rejected["reason"].astype(str).tolist() == ["unparseable_date", "implausible_date"]
    assert result.rejected["source_line"].tolist() == [32, 33]


def test_seven_digit_numbers_in_a_date_column(tmp_path):
    body = "".join(line(i, date=str(2011001 + i)) for i in range(20))
    with pytest.raises(UnparseableValuesError, match=r"'InvoiceDate' of .* holds numbers that are not dates \(line 2: "
                                                     r"'2011001'.*YYYYMMDD \(8 digits\)"):
        crmmine.read_transactions(write(tmp_path / "7.csv", HEADER + body))


def test_mixed_time_zones_go_to_utc(tmp_path):
    body = line(0, date="2010-12-01T08:26:00+01:00") + line(1, date="2010-12-01T08:26:00+02:00") + \
        line(2, date="2010-12-01T08:26:00Z")
    tx = crmmine.read_transactions(write(tmp_path / "tz.csv", HEADER + body))
    assert tx["order_date"].tolist() == [pd.Timestamp("2010-12-01 07:26"), pd.Timestamp("2010-12-01 06:26"),
                                         pd.Timestamp("2010-12-01 08:26")]


@pytest.mark.parametrize("kind", ["folder", "gbk", "bom", "list"])
def test_mapping_files(tmp_path, kind):
    data = write(tmp_path / "cn.csv", "会员,InvoiceNo,InvoiceDate,StockCode,Quantity,UnitPrice\n1,1,2010-12-01,A,1,2\n")
    mapping = {"customer_id": "会员", "order_id": "InvoiceNo", "order_date": "InvoiceDate", "product_id": "StockCode",
               "quantity": "Quantity", "unit_price": "UnitPrice"}
    path = tmp_path / "mapping.json"
    if kind == "folder":
        path.mkdir()
        with pytest.raises(MappingError, match=r"mapping\.json is a folder"):
            crmmine.read_transactions(data, schema=str(path))
        return
    if kind == "list":
        path.write_text("[1, 2]")
        with pytest.raises(MappingError, match=r"must hold one JSON object"):
            crmmine.read_transactions(data, schema=str(path))
        return
    text = json.dumps(mapping, ensure_ascii=False)
    path.write_bytes(text.encode("gbk") if kind == "gbk" else b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert crmmine.read_transactions(data, schema=str(path))["customer_id"].tolist() == ["1"]


def test_basket_per_line_file_hints_at_read_baskets(tmp_path):
    path = write(tmp_path / "groceries.csv", "citrus fruit,semi-finished bread,margarine,ready soups\n"
                                              "tropical fruit,yogurt,coffee\nwhole milk\n"
                                              "pip fruit,yogurt,cream cheese ,meat spreads\nbeef\n")
    with pytest.raises(NotATableError, match=r"different numbers of fields.*crmmine\.read_baskets\(path\)"):
        crmmine.read_transactions(path)
    b = crmmine.read_baskets(path)
    assert b.n_orders == 5 and b.basket_sizes.tolist() == [4, 3, 1, 4, 1]
    assert "cream cheese" in set(b.items)
    fi = crmmine.frequent_itemsets(b, min_support=0.4)
    assert fi["itemsets"].tolist() == [frozenset({"yogurt"})]
    with pytest.raises(EmptySourceError, match=r"empty; a basket file holds one basket"):
        crmmine.read_baskets(write(tmp_path / "blank.csv", "\n\n"))


# --- workbooks -----------------------------------------------------------------------------------------


def test_workbook_sheets_of_different_layouts_are_each_mapped_or_named(tmp_path):
    a = pd.DataFrame({"InvoiceNo": ["1"], "StockCode": ["A"], "Description": ["x"], "Quantity": [1],
                      "InvoiceDate": [pd.Timestamp("2011-01-01")], "UnitPrice": [2.0], "CustomerID": [1.0],
                      "Country": ["UK"]})
    b = a.assign(InvoiceNo=["2"], Channel=["web"])  # one extra column
    path = tmp_path / "two.xlsx"
    with pd.ExcelWriter(path) as xw:
        a.to_excel(xw, sheet_name="2010", index=False)
        b.to_excel(xw, sheet_name="2011", index=False)
    tx = crmmine.read_transactions(path)
    assert tx["order_id"].tolist() == ["1", "2"]  # the second sheet is not dropped
    c = a.rename(columns={"Quantity": "Qty"}).assign(InvoiceNo=["3"])
    with pd.ExcelWriter(path) as xw:
        a.to_excel(xw, sheet_name="2010", index=False)
        c.to_excel(xw, sheet_name="2011", index=False)
    with pytest.raises(MappingError, match=r"sheets of .*two\.xlsx have different columns \(sheet '2010': InvoiceNo, "
                                           r".*sheet '2011': .*Qty.*sheet '2011' does not fit the schema. Read one "
                                           r"sheet with sheet_name='2011'"):
        crmmine.read_transactions(path)
    assert crmmine.read_transactions(path, sheet_name="2010")["order_id"].tolist() == ["1"]


def test_cli_no_header_and_encoding(tmp_path, capsys):
    from crmmine.cli import main

    path = write(tmp_path / "ev.csv", "1,2268318,4.5,buy,1511544070\n2,2333346,3,buy,1511561733\n")
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"customer_id": 0, "product_id": 1, "amount": 2, "order_date": 4}))
    assert main(["profile", str(path), "--no-header", "--schema", str(mapping)]) == 0
    out = capsys.readouterr().out
    assert "lines" in out and "no order id column" in out
    named = tmp_path / "n.json"
    named.write_text(json.dumps({"customer_id": "column_1", "product_id": "column_2", "amount": "column_3",
                                 "order_date": "column_5"}))
    assert main(["profile", str(path), "--no-header", "--schema", str(named)]) == 0
    capsys.readouterr()
    assert main(["profile", str(path), "--schema", str(named)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "looks like data, not column names: pass header=False (crmmine profile " \
        "--no-header)" in err
    latin = write(tmp_path / "l.csv", HEADER + line(0, country="España"), "utf-16-le")
    assert main(["profile", str(latin), "--encoding", "utf-16-le", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["encoding"] == "utf-16-le"


# --- the remaining messages, one test each ---------------------------------------------------------------


def test_a_line_with_extra_fields_is_not_a_table(tmp_path):
    body = "".join(line(i) for i in range(10)) + line(10).replace("\n", ",extra,fields\n")
    with pytest.raises(NotATableError, match=r"x\.csv cannot be read as a table \(Error tokenizing data.*"
                                             r"crmmine\.read_baskets\(path\).*separator and quoting"):
        crmmine.read_transactions(write(tmp_path / "x.csv", HEADER + body))


def test_undecodable_after_redetection(tmp_path, monkeypatch):
    import crmmine.data.io as io

    path = tmp_path / "late.csv"
    path.write_bytes((HEADER + "".join(line(i) for i in range(1500))).encode() +
                     line(9, country="España").encode("cp1252"))
    monkeypatch.setattr(io, "detect_encoding", lambda sample, complete=True: "ascii")
    with pytest.raises(UnparseableValuesError, match=r"late\.csv cannot be decoded as ascii or ascii \(line 1502: "
                                                     r"byte 0xf1\)\. Pass encoding="):
        crmmine.read_transactions(path)


def test_encoding_must_be_a_string(tmp_path):
    with pytest.raises(ParameterError, match=r"The 'encoding' parameter must be a string such as 'auto'. Got 8"):
        crmmine.read_transactions(write(tmp_path / "a.csv", HEADER + line(0)), encoding=8)


def test_read_baskets_refuses_workbooks(tmp_path):
    path = tmp_path / "b.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(path, index=False)
    with pytest.raises(NotATableError, match=r"b\.xlsx is a xlsx file, not a text file of baskets"):
        crmmine.read_baskets(path)


def test_workbook_errors(tmp_path):
    path = tmp_path / "w.xlsx"
    pd.DataFrame({"InvoiceNo": ["1"]}).to_excel(path, index=False, sheet_name="Data")
    with pytest.raises(ParameterError, match=r"The 'sheet_name' parameter 'Nope' is not a sheet of .*w\.xlsx"):
        crmmine.read_transactions(path, sheet_name="Nope")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(NotATableError, match=r"broken\.xlsx cannot be read as an Excel workbook"):
        crmmine.read_transactions(broken)


def test_mapping_value_errors(tmp_path):
    data = write(tmp_path / "u.csv", HEADER + line(0))
    with pytest.raises(MappingError, match=r"points 'customer_id' to 1\.5; give a column name or a position"):
        crmmine.read_transactions(data, schema={"customer_id": 1.5})
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"customer_id": "\xff\xff"}')
    with pytest.raises(MappingError, match=r"bad\.json is not UTF-8 or GBK text. Save it as UTF-8 JSON"):
        crmmine.read_transactions(data, schema=str(bad))
    broken = tmp_path / "broken.json"
    broken.write_text('{"customer_id": ')
    with pytest.raises(MappingError, match=r"broken\.json is not valid JSON"):
        crmmine.read_transactions(data, schema=str(broken))


@pytest.mark.parametrize("case", ["truncated gzip", "mapping folder", "bad encoding", "mixed encodings",
                                  "numbers as dates", "duplicate names", "basket file"])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, capsys, case):
    from crmmine.cli import main

    args = []
    if case == "truncated gzip":
        data = gzip.compress((HEADER + "".join(line(i, qty=str(i)) for i in range(3000))).encode())
        path = tmp_path / "cut.csv.gz"
        path.write_bytes(data[: len(data) // 2])
    elif case == "mapping folder":
        path = write(tmp_path / "a.csv", HEADER + line(0))
        (tmp_path / "m.json").mkdir()
        args = ["--schema", str(tmp_path / "m.json")]
    elif case == "bad encoding":
        path = write(tmp_path / "a.csv", HEADER + line(0))
        args = ["--encoding", "klingon"]
    elif case == "mixed encodings":
        path = tmp_path / "mixed.csv"
        path.write_bytes((HEADER + "".join(line(i, country="Côte") for i in range(1500))).encode() +
                         line(9, country="España").encode("cp1252"))
    elif case == "numbers as dates":
        path = write(tmp_path / "7.csv", HEADER + "".join(line(i, date=str(2011001 + i)) for i in range(5)))
    elif case == "duplicate names":
        path = write(tmp_path / "d.csv", HEADER.replace("\n", ",Quantity\n") + line(0).replace("\n", ",7\n"))
    else:
        path = write(tmp_path / "g.csv", "milk,bread,eggs\nbeer\nmilk,rolls\nsoap,milk,tea,jam\n")
    assert main(["profile", str(path), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("crmmine: error: ") and err.count("\n") == 1 and "internal error" not in err


def test_an_empty_date_column_and_infinite_numbers(tmp_path):
    body = "".join(line(i, date="") for i in range(5))
    with pytest.raises(UnparseableValuesError, match=r"'InvoiceDate' of .*e\.csv holds no dates \(every one of its 5 "
                                                     r"values is empty\)"):
        crmmine.read_transactions(write(tmp_path / "e.csv", HEADER + body))
    tx = crmmine.read_transactions(write(tmp_path / "i.csv", HEADER + line(0, qty="1e400") + line(1)))
    r = crmmine.clean(tx, notable_share=1, notable_line_share=1)
    assert r.rejected["reason"].astype(str).tolist() == ["unparseable_number"]
    assert np.isfinite(r.audit["amount"]).all()


def test_older_reading_messages(tmp_path):
    good = write(tmp_path / "g.csv", HEADER + line(0))
    with pytest.raises(ParameterError, match=r"The 'max_bad_fraction' parameter must be in \[0, 1\]. Got 2 instead"):
        crmmine.read_transactions(good, max_bad_fraction=2)
    with pytest.raises(ParameterError, match=r"The 'source' parameter must be a file path or a pandas DataFrame. "
                                             r"Got list instead"):
        crmmine.read_transactions([1, 2])
    with pytest.raises(ParameterError, match=r"The 'dayfirst' parameter must be None, True or False. Got 'yes'"):
        crmmine.read_transactions(good, dayfirst="yes")
    with pytest.raises(ParameterError, match=r"The 'schema' parameter must be 'auto', a preset name, a dict or a "
                                             r"\.json mapping file. Got 3 instead"):
        crmmine.read_transactions(good, schema=3)
    with pytest.raises(EmptySourceError, match=r"The DataFrame passed as source has no rows"):
        crmmine.read_transactions(pd.DataFrame({"a": []}))
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"abc\x00def\x00" * 100)
    with pytest.raises(NotATableError, match=r"b\.csv is not a table but a binary file"):
        crmmine.read_transactions(binary)
    empty_pq = tmp_path / "e.parquet"
    pd.DataFrame({"a": pd.Series([], dtype="float64")}).to_parquet(empty_pq)
    with pytest.raises(EmptySourceError, match=r"e\.parquet has no rows"):
        crmmine.read_transactions(empty_pq)
    bad_pq = tmp_path / "bad.parquet"
    bad_pq.write_bytes(b"PAR1" + b"\x00" * 50)
    with pytest.raises(NotATableError, match=r"bad\.parquet cannot be read as Parquet"):
        crmmine.read_transactions(bad_pq)
    empty_xl = tmp_path / "e.xlsx"
    pd.DataFrame({"a": pd.Series([], dtype="float64")}).to_excel(empty_xl, index=False)
    with pytest.raises(EmptySourceError, match=r"e\.xlsx has no data rows in any sheet"):
        crmmine.read_transactions(empty_xl)
