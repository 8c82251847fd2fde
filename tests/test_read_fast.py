"""Reading CSVs whose quoted values may hold line breaks (issue 11's fast reader).

``read_transactions`` lets pyarrow cut a file at any line break (``newlines_in_values=False``) only
after proving on the raw bytes that no quoted value holds one; otherwise it reads the file again the
safe way. These tests compare the fast reader with pyarrow's safe reader on random small files,
cut into tiny blocks so that block boundaries fall everywhere.
"""

from __future__ import annotations

import gzip
import importlib
import io
import random

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest

import crmmine

rio = importlib.import_module("crmmine.data.io")


def _field(r: random.Random, p_break: float) -> str:
    k = r.random()
    if k < 0.4:
        return "".join(r.choice("ab12 ") for _ in range(r.randint(0, 4)))
    if k < 0.85:  # a quoted value, with "" for a quote inside
        alphabet = 'ab1 ,"\n\r' if r.random() < p_break else 'ab1 ,"'
        inner = "".join(r.choice(alphabet) for _ in range(r.randint(0, 6)))
        return '"' + inner.replace('"', '""') + '"'
    return "".join(r.choice('ab"1 ') for _ in range(r.randint(0, 4)))  # stray quotes


def _file(r: random.Random, p_break: float) -> bytes:
    eol = r.choice(["\n", "\r\n", "\r"])
    rows = ["a,b,c"] + [",".join(_field(r, p_break) for _ in range(3)) for _ in range(r.randint(1, 30))]
    return (eol.join(rows) + (eol if r.random() < 0.7 else "")).encode()


def _safe(data: bytes) -> pd.DataFrame:
    table = pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 26, column_names=list("abc"), skip_rows=1),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={c: pa.large_string() for c in "abc"},
                                             strings_can_be_null=True, null_values=[""],
                                             quoted_strings_can_be_null=True))
    return pd.DataFrame({c: table[c].to_pylist() for c in "abc"}, dtype=object)


def _passes_check(data: bytes) -> bool:
    src = rio._QuoteCheckedSource(io.BytesIO(data), ",")
    try:
        while src.read(5):
            pass
    except rio._LineBreakInQuotes:
        return False
    return True


@pytest.mark.parametrize("seed, p_break", [(0, 0.0), (1, 0.01), (2, 0.05)])
def test_fast_reader_equals_safe_reader_on_random_files(tmp_path, monkeypatch, seed, p_break):
    r = random.Random(seed)
    fast_reads = 0
    for i in range(60):
        data = _file(r, p_break)
        try:
            want = _safe(data)
        except pa.ArrowInvalid:
            continue  # not a table pyarrow reads at all (ragged rows)
        fast = _passes_check(data)
        path = tmp_path / ("f.csv.gz" if i % 2 else "f.csv")
        path.write_bytes(gzip.compress(data) if i % 2 else data)
        t = rio._Text("utf-8", ",", list("abc"), True, [], [])
        for block in (64,) if not fast else (7, 16, 1 << 22):
            monkeypatch.setattr(rio, "_BLOCK_SIZE", block)
            try:
                got = rio._arrow_read(path, "gzip" if i % 2 else "text", t)
            except pa.ArrowInvalid as err:  # a row longer than a tiny block: loud, never silent
                assert "straddl" in str(err) and block < 100
                continue
            got = pd.DataFrame({c: got[c].astype(object).where(got[c].notna(), None) for c in "abc"})
            pd.testing.assert_frame_equal(got, want.where(want.notna(), None), check_dtype=False)
        fast_reads += fast
    assert fast_reads >= 3  # the fast path was exercised


def test_quote_check_cases():
    assert _passes_check(b'a,b\n"x, ""y""",1\n"",2\n')
    assert not _passes_check(b'a,b\n"x\ny",1\n')
    assert not _passes_check(b'a,b\n"x\ry",1\n')
    assert not _passes_check(b'a,b\nq"x,"1\n2",3\n')  # a stray quote: parity and pyarrow could disagree
    assert not _passes_check(b'a,b\n"x,1\n')  # unterminated


def test_quoted_line_breaks_are_read_as_values(tmp_path):
    rows = [f'C{i % 7},O{i // 3},2011-01-0{1 + i % 9} 10:00,P{i % 5},"line one\nline two {i}",2,1.5'
            for i in range(200)]
    path = tmp_path / "breaks.csv"
    path.write_text("customer_id,order_id,order_date,product_id,product_name,quantity,unit_price\n"
                    + "\n".join(rows) + "\n")
    tx = crmmine.read_transactions(path)
    assert len(tx) == 200
    assert tx["product_name"].iloc[7] == "line one\nline two 7"
    assert tx["source_line"].iloc[-1] == 201


@pytest.mark.parametrize("values", [
    ["12583.0", "17850.0", None, "-5.0", "100.0"],   # every value: the fast path
    ["12583.0", "12583", None],                      # mixed: value by value
    ["12583.00", "1.0"], ["-.0", "7.0"], ["1a.0", "2.0"], ["071053.0", "0.0"], [None, None],
])
def test_point_zero_ids_fast_path_equals_the_rule(values):
    arr = pa.chunked_array([pa.array(values[:2], pa.large_string()), pa.array(values[2:], pa.large_string())],
                           type=pa.large_string())
    got = rio._to_id(pd.Series(pd.arrays.ArrowStringArray(arr)))
    want = [None if v is None else (rio.re.sub(r"^(-?\d+)\.0+$", r"\1", v)) for v in values]
    assert [None if pd.isna(v) else v for v in got] == want


@pytest.mark.parametrize("values, clean", [
    (["a", "b c", None], True), (["a ", "b"], False), ([" a", "b"], False), (["a", ""], False),
    (["a\u00a0", "b"], False), (["é", "b"], False), (["a\t"], False),
])
def test_trim_skipped_only_when_nothing_to_trim(values, clean):
    arr = pa.chunked_array([pa.array(values, pa.large_string())])
    assert rio._edges_clean(arr) is clean
    got = rio._to_text(pd.Series(pd.arrays.ArrowStringArray(arr)))
    want = [None if v is None or not v.strip() else v.strip() for v in values]
    assert [None if pd.isna(v) else v for v in got] == want


def _verdict(data: bytes, block: int) -> bool:
    src = rio._QuoteCheckedSource(io.BytesIO(data), ",")
    try:
        while src.read(block):
            pass
    except rio._LineBreakInQuotes:
        return False
    return True


def test_quote_check_few_and_many_quotes_agree(monkeypatch):
    # a block's quotes are found with bytes.find when few, by comparing every byte when many: same verdicts
    r = random.Random(7)
    files = [_file(r, p) for p in (0.0, 0.02, 0.1) for _ in range(80)]
    for block in (5, 64, 1 << 16):
        sparse = [_verdict(f, block) for f in files]
        monkeypatch.setattr(rio, "_quote_positions", lambda data: None)
        dense = [_verdict(f, block) for f in files]
        monkeypatch.undo()
        assert sparse == dense
        assert 0 < sum(sparse) < len(files)


def test_point_zero_cut_on_bytes_equals_the_rule():
    # ids of one width written 12583.0 are cut on the bytes; any other form is left to the rule (None)
    r = random.Random(3)
    odd = ["1.0", "12345.00", "-1234.0", "12/45.0", "1a345.0", "12.45.0", "", "1234.5", "\u0661\u0662\u0663.0"]
    fast = 0
    for _ in range(400):
        pool = ["12583.0", "17850.0", "00071.0", None] + (odd if r.random() < 0.3 else [])
        values = [r.choice(pool) for _ in range(r.randint(0, 9))]
        cut = r.randint(0, len(values))
        arr = pa.chunked_array([pa.array(values[:cut], pa.large_string()), pa.array(values[cut:], pa.large_string())],
                               type=pa.large_string())
        if len(values) > 2 and r.random() < 0.3:  # a sliced array: offsets into shared buffers
            arr, values = arr.slice(1, len(values) - 2), values[1:-1]
        got = rio._point_zero_dropped(arr)
        want = [None if v is None else rio.re.sub(r"^(-?\d+)\.0+$", r"\1", v, flags=rio.re.ASCII) for v in values]
        if got is not None:
            got.validate(full=True)
            assert got.to_pylist() == want
            fast += 1
        ids = rio._to_id(pd.Series(pd.arrays.ArrowStringArray(arr)))
        want_ids = [None if v in (None, "") else w for v, w in zip(values, want)]
        assert [None if pd.isna(v) else v for v in ids] == want_ids
    assert fast > 100


@pytest.mark.parametrize("values", [
    ["  a b ", "c", " ", None, "d  "],                    # printable ASCII: the ASCII trim
    ["a\t", " b", "\x1c c", "e\u00a0", "\u3000f ", None],  # controls and Unicode spaces: the UTF-8 trim
])
def test_ascii_and_utf8_trims_agree(values):
    arr = pa.chunked_array([pa.array(values, pa.large_string())])
    got = rio._to_text(pd.Series(pd.arrays.ArrowStringArray(arr)))
    want = pc.utf8_trim_whitespace(arr).to_pylist()
    assert [None if pd.isna(v) else v for v in got] == [None if v in (None, "") else v for v in want]
