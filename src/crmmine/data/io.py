"""Reading a shop's transaction file into the canonical table (see :mod:`crmmine.data.schema`).

One code path serves every source: the file is sniffed (CSV, gzip'd CSV, whitespace
separated text, XLSX, Parquet), its encoding detected (UTF-8, UTF-8 with BOM, UTF-16,
GBK/GB18030, Windows-1252/Latin-1), its header matched against a preset or mapped with a
user's dict (by name, or by position for a file without a header row), and its values
converted: ids keep their text form (one normalisation per value: ``12583.0`` is
``12583``, leading zeros stay), numbers are read with the thousands and decimal separators
decided once per column from the whole column (and the file's delimiter), dates with one
format per column. Values that cannot be read become missing (``clean`` rejects those
lines with a reason) unless there are so many that the column is clearly wrong, which is
an error naming the file, the column and offending values.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import json
import re
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import (
    EmptySourceError,
    InputError,
    MappingError,
    MissingColumnError,
    NotATableError,
    ParameterError,
    SourceNotFoundError,
    UnknownSchemaError,
    UnparseableValuesError,
)
from .dates import parse_dates
from .schema import CANONICAL_COLUMNS, NUMERIC_COLUMNS, STRING_DTYPE, TEXT_COLUMNS

__all__ = ["read_transactions", "read_basket_lines", "detect_encoding", "PRESETS", "Preset"]


@dataclass(frozen=True)
class Preset:
    """A known source layout: canonical name -> source column, plus derived columns."""

    name: str
    title: str
    columns: Mapping[str, str]
    derive: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    header_names: tuple[str, ...] | None = field(default=None)  # names for header-less files


def _derive_cdnow(tx: pd.DataFrame) -> pd.DataFrame:
    """CDNOW has no order or product ids: one order per record, one product ("CD")."""
    day = tx["order_date"].dt.strftime("%Y%m%d").astype("string")
    cust = tx["customer_id"].astype("string")
    key = cust + "-" + day
    seq = key.groupby(key, sort=False).cumcount() + 1
    tx["order_id"] = (key + "-" + seq.astype("string")).astype(STRING_DTYPE)
    tx["product_id"] = pd.array(["CD"] * len(tx), dtype=STRING_DTYPE)
    return tx


PRESETS: dict[str, Preset] = {
    "online_retail": Preset(
        "online_retail",
        "UCI Online Retail",
        {"order_id": "InvoiceNo", "product_id": "StockCode", "product_name": "Description",
         "quantity": "Quantity", "order_date": "InvoiceDate", "unit_price": "UnitPrice",
         "customer_id": "CustomerID", "country": "Country"},
    ),
    "online_retail_ii": Preset(
        "online_retail_ii",
        "UCI Online Retail II",
        {"order_id": "Invoice", "product_id": "StockCode", "product_name": "Description",
         "quantity": "Quantity", "order_date": "InvoiceDate", "unit_price": "Price",
         "customer_id": "Customer ID", "country": "Country"},
    ),
    "cdnow": Preset(
        "cdnow",
        "CDNOW (Fader, Hardie & Lee 2005)",
        {"customer_id": "customer_id", "order_date": "date", "quantity": "number_of_cds",
         "amount": "dollar_value"},
        derive=_derive_cdnow,
        header_names=("customer_id", "date", "number_of_cds", "dollar_value"),
    ),
}
_CDNOW_SAMPLE_NAMES = ("customer_id", "sample_customer_id", "date", "number_of_cds", "dollar_value")

_MAGIC_NOT_TABLE = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"BM": None,  # checked with more context below
    b"\x7fELF": "a program (ELF binary)",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"\xd0\xcf\x11\xe0": "an old Office (.xls/.doc) file; save it as .xlsx or .csv",
}
_SAMPLE_BYTES = 1 << 16
_SEPARATORS = (",", ";", "\t", "|")
_BASKET_HINT = ("If each line is one basket of items (the R arules 'Groceries' format), read it with "
                "crmmine.read_baskets(path).")


def _fail_not_table(path: Path, what: str) -> None:
    raise NotATableError(
        f"{path} is not a table but {what}. Export the transactions as CSV, XLSX or Parquet and read that file."
    )


def _sniff_kind(path: Path, head: bytes) -> str:
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    for magic, what in _MAGIC_NOT_TABLE.items():
        if head.startswith(magic) and what:
            _fail_not_table(path, what)
    if head.startswith(b"BM") and path.suffix.lower() in {".bmp", ".csv", ".txt", ""}:
        if len(head) > 14 and b"\x00" in head[:64]:
            _fail_not_table(path, "a BMP image")
    return "text"


# --------------------------------------------------------------------------------------
# bytes and encodings
# --------------------------------------------------------------------------------------


def _unreadable(path: Path, err: OSError) -> InputError:
    why = err.strerror or type(err).__name__
    return InputError(f"{path} cannot be read ({why}). Check the file's permissions, or copy it somewhere readable.")


def _damaged_gzip(path: Path, err: Exception) -> InputError:
    return InputError(
        f"{path} is a damaged or truncated gzip file ({' '.join(str(err).split()) or type(err).__name__}). "
        "Download or export it again, or unpack what is left and read the .csv."
    )


def _read_bytes(path: Path, kind: str, limit: int | None = None) -> bytes:
    """The (decompressed) bytes of a text file, the first ``limit`` of them when given."""
    try:
        if kind == "gzip":
            with gzip.open(path, "rb") as fh:
                return fh.read(-1 if limit is None else limit)
        with open(path, "rb") as fh:
            return fh.read(-1 if limit is None else limit)
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise _damaged_gzip(path, err) from None
    except OSError as err:
        raise _unreadable(path, err) from None


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when every other byte of a text sample is NUL."""
    n = len(sample) - len(sample) % 2
    if n < 8:
        return None
    even, odd = sample[0:n:2], sample[1:n:2]
    half = n // 2
    if odd.count(0) > 0.7 * half and even.count(0) < 0.05 * half:
        return "utf-16-le"
    if even.count(0) > 0.7 * half and odd.count(0) < 0.05 * half:
        return "utf-16-be"
    return None


def _gb_share(text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are common GB2312 characters.

    Chinese text in GBK/GB18030 is mostly GB2312 hanzi and punctuation: both bytes of each
    character are 0xA1 or above. Western text in Windows-1252 or Latin-1 that happens to
    decode as GB18030 ("España" -> "Espa馻") pairs an accented byte with a following ASCII
    letter, which GB2312 never uses.
    """
    counts: dict[str, int] = {}
    for ch in text:
        if ord(ch) > 127:
            counts[ch] = counts.get(ch, 0) + 1
    total = sum(counts.values())
    if not total:
        return 1.0
    common = 0
    for ch, k in counts.items():
        b = ch.encode("gb18030")
        if len(b) == 2 and b[0] >= 0xA1 and b[1] >= 0xA1:
            common += k
    return common / total


def detect_encoding(sample: bytes, *, complete: bool = True) -> str:
    """The text encoding of ``sample`` (bytes of a file): one of ``"utf-8-sig"``, ``"utf-16"``,
    ``"utf-16-le"``, ``"utf-16-be"``, ``"utf-8"``, ``"gb18030"``, ``"cp1252"``, ``"latin-1"``.

    A byte-order mark decides first; then a sample that is valid UTF-8 is UTF-8 (a character
    cut at the end of an incomplete sample is allowed); then GB18030 when the sample decodes
    as GB18030 and at least half its non-ASCII characters are common GB2312 characters (see
    :func:`_gb_share`); otherwise Windows-1252, or Latin-1 for the five bytes Windows-1252
    leaves undefined.

    Measured against ``charset-normalizer`` 3.5 on the same samples
    (``benchmarks/bench_encoding.py``, 11 cases a shop exports): charset-normalizer gets 5
    right, reading short Windows-1252 files as cp1250 ("Espańa") and a 3,000-line GB18030
    file as cp874 (Thai); these rules get all 11, so crmmine keeps them and no dependency.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    wide = _utf16_without_bom(sample[:4096])
    if wide:
        return wide
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as err:
        # a multi-byte character cut at the end of a partial sample is fine
        if not complete and err.start >= len(sample) - 3 and err.reason == "unexpected end of data":
            return "utf-8"
    try:
        text = sample.decode("gb18030")
    except UnicodeDecodeError as err:
        if complete or err.start < len(sample) - 4:
            text = None
        else:
            text = sample[: err.start].decode("gb18030", errors="ignore")
    if text is not None and _gb_share(text) >= 0.5:
        return "gb18030"
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _check_encoding_name(encoding: str) -> str:
    if not isinstance(encoding, str):
        raise ParameterError(f"The 'encoding' parameter must be a string such as 'auto'. Got {encoding!r} instead.")
    if encoding == "auto":
        return encoding
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ParameterError(
            f"The 'encoding' parameter {encoding!r} is not a known encoding. Use e.g. 'utf-8', 'cp1252', 'gb18030', "
            "'utf-16-le' or 'auto'."
        ) from None


def _redetect(path: Path, kind: str, failed: str) -> tuple[str, str]:
    """After ``failed`` could not decode the whole file: (encoding for the whole file, a note).

    Only the lines holding non-ASCII bytes are looked at. A file that is UTF-8 in some lines
    and not in others mixes encodings: an error naming the first bad line.
    """
    data = _read_bytes(path, kind)
    lines = data.splitlines()
    high = [i for i, ln in enumerate(lines) if max(ln, default=0) > 127]
    bad, good_utf8 = [], 0
    for i in high:
        try:
            lines[i].decode("utf-8")
            good_utf8 += 1
        except UnicodeDecodeError:
            bad.append(i)
    if not bad:  # nothing wrong per line: a decoder problem, let the strict reader say so
        return failed, ""
    first = bad[0]
    shown = lines[first][:80].decode("latin-1")
    if failed in ("utf-8", "utf-8-sig") and good_utf8 and len(bad) < len(high):
        raise UnparseableValuesError(
            f"{path} mixes text encodings: line {first + 1} is not UTF-8 ({shown!r}) while other lines are. "
            "Re-export the file in one encoding (UTF-8), or pass encoding='cp1252' (or the file's encoding) to read "
            "every line in that one."
        )
    enc = detect_encoding(b"\n".join(lines[i] for i in bad[:2000]))
    if enc in ("utf-8", "utf-8-sig"):
        enc = "cp1252"
    try:
        data.decode(enc)
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise UnparseableValuesError(
            f"{path} cannot be decoded as {failed} or {enc} (line {line}: byte 0x{data[err.start]:02x}). "
            "Pass encoding= with the file's real encoding."
        ) from None
    return enc, f"decoded as {enc}: the first non-{failed} byte is on line {first + 1} ({shown!r})"


# --------------------------------------------------------------------------------------
# text tables
# --------------------------------------------------------------------------------------


def _sample_lines(text: str, complete: bool) -> list[str]:
    lines = text.lstrip("\ufeff").splitlines()
    if not complete and len(lines) > 1:
        lines = lines[:-1]  # may be cut
    return [ln for ln in lines[:200] if ln.strip()]


def _field_counts(lines: list[str], sep: str | None) -> list[int]:
    if sep is None:
        return [len(ln.split()) for ln in lines]
    try:
        return [len(row) for row in csv.reader(lines, delimiter=sep)]
    except csv.Error:
        return [ln.count(sep) + 1 for ln in lines]


def _sniff_separator(lines: list[str]) -> str | None:
    """The delimiter (None = whitespace): the candidate whose field count is steadiest, then largest."""
    best, best_key = None, None
    for sep in _SEPARATORS:
        counts = _field_counts(lines[:50], sep)
        if not counts or counts[0] < 2:
            continue
        steady = sum(c == counts[0] for c in counts) / len(counts)
        key = (steady >= 0.9, steady, counts[0])
        if best_key is None or key > best_key:
            best, best_key = sep, key
    return best


def _split_fields(line: str, sep: str | None) -> list[str]:
    if sep is None:
        return line.split()
    try:
        row = next(csv.reader([line], delimiter=sep))
    except (csv.Error, StopIteration):
        row = line.split(sep)
    return [c.strip() for c in row]


def _is_number(token: str) -> bool:
    try:
        float(token.replace(",", ""))
        return True
    except ValueError:
        return False


def _looks_like_data(fields: list[str]) -> bool:
    """A first line whose fields are mostly numbers or dates is data, not column names."""
    filled = [f for f in fields if f]
    if len(filled) < 2:
        return False
    datalike = sum(_is_number(f) or bool(re.fullmatch(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}.*", f)) for f in filled)
    return datalike >= max(2, (len(filled) + 1) // 2)


def _check_unique_names(names: list[str], source_name: str) -> None:
    seen: dict[str, int] = {}
    for n in names:
        seen[n] = seen.get(n, 0) + 1
    dups = [n for n, k in seen.items() if k > 1]
    if dups:
        listed = ", ".join(f"{d!r} ({seen[d]} times)" for d in dups)
        raise MappingError(
            f"{source_name} has more than one column named {listed}. Rename the columns in the export so each name "
            "is unique, or read it with header=False and map columns by position."
        )


@dataclass
class _Text:
    """What the sniffing of a text file decided."""

    encoding: str
    sep: str | None
    names: list[str]
    has_header: bool
    first_fields: list[str]
    notes: list[str]


def _sniff_text(path: Path, kind: str, encoding: str, header, schema) -> _Text:
    sample = _read_bytes(path, kind, _SAMPLE_BYTES)
    complete = len(sample) < _SAMPLE_BYTES
    if kind == "gzip":
        _sniff_kind(path, sample[:16])  # a gzip'd picture is still not a table
    if not sample.strip():
        raise EmptySourceError(f"{path} is empty. Check the export; it should hold a header line and transaction lines.")
    enc = detect_encoding(sample, complete=complete) if encoding == "auto" else encoding
    if b"\x00" in sample[:4096] and not enc.startswith("utf-16") and not enc.startswith("utf-32"):
        _fail_not_table(path, "a binary file")
    text = sample.decode(enc, errors="replace")
    lines = _sample_lines(text, complete)
    if not lines:
        raise EmptySourceError(f"{path} is empty. Check the export; it should hold a header line and transaction lines.")
    sep = _sniff_separator(lines)
    fields = _split_fields(lines[0], sep)
    if header is None:
        header_less = len(fields) > 1 and all(_is_number(f) for f in fields if f)
    else:
        header_less = not header
    if header_less:
        if sep is None and len(fields) == 4 and header is None:
            names = list(PRESETS["cdnow"].header_names)
        elif sep is None and len(fields) == 5 and header is None:
            names = list(_CDNOW_SAMPLE_NAMES)
        else:
            names = [f"column_{i + 1}" for i in range(len(fields))]
    else:
        names = [f.strip().lstrip("\ufeff") for f in fields]
        names = [n if n else f"column_{i + 1}" for i, n in enumerate(names)]
        _check_unique_names(names, str(path))
    counts = _field_counts(lines[1:] if not header_less else lines, sep)
    if len(counts) >= 3 and sum(c == len(names) for c in counts) < 0.5 * len(counts):
        raise NotATableError(
            f"{path} is not a table: its lines have different numbers of fields (line 1 has {len(fields)}, the next "
            f"lines {', '.join(map(str, counts[:5]))}). {_BASKET_HINT} Otherwise check the separator and quoting."
        )
    return _Text(enc, sep, names, not header_less, fields, [])


#: Encodings in which the bytes of a quote, a line break and the separator only ever stand for those
#: characters (never inside a multi-byte character), so the raw bytes can be checked for quoted line breaks.
_BYTE_CHECKABLE = frozenset({"utf-8", "utf-8-sig", "ascii", "cp1252", "iso8859-1", "gb18030", "gbk"})
_CR, _LF, _QUOTE = 13, 10, 34
_BLOCK_SIZE = 1 << 22  # bytes pyarrow parses per task


class _LineBreakInQuotes(Exception):
    """Raised by :class:`_QuoteCheckedSource` to stop a read that assumed no quoted line break."""


class _QuoteCheckedSource:
    """A binary file for pyarrow that checks, while pyarrow reads it, that no quoted value holds a line break.

    pyarrow's CSV reader is much faster with ``newlines_in_values=False`` (it then cuts the
    file into blocks at any line break), but that is only right when no value holds a line
    break. This proves it on the raw bytes: every quote must sit where the quote-parity
    model and pyarrow's parser agree (an odd-numbered quote opens a field: after the
    separator, a line break, another quote or at the start; an even-numbered one closes it:
    before the separator, a line break, another quote or at the end; ``""`` inside a value
    is one closing and one opening quote), and no line break may lie at odd parity. Any
    doubt stops the read (:class:`_LineBreakInQuotes`) and the caller reads the file again
    with ``newlines_in_values=True``.
    """

    closed = False

    def __init__(self, fh, sep: str):
        self._fh, self._sep = fh, ord(sep)
        self._parity = 0  # quotes seen so far, mod 2
        self._last = -1  # the byte before the current chunk (-1: start of the file)
        self._pending_close = False  # the previous chunk ended with a closing quote
        self.ok = True
        self.done = False  # the end of the file was read (and checked)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self._fh.close()

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        if data:
            self._check(data)
        else:
            if self._parity:  # an unterminated quote at the end
                self._fail()
            self.done = True
        return data

    def _fail(self):
        self.ok = False
        raise _LineBreakInQuotes

    def _edge(self, b) -> np.ndarray:
        return (b == self._sep) | (b == _LF) | (b == _CR) | (b == _QUOTE)

    def _check(self, data: bytes) -> None:
        a = np.frombuffer(data, dtype=np.uint8)
        if self._pending_close and not self._edge(a[0]):
            self._fail()
        self._pending_close = False
        found = _quote_positions(data)
        q = np.flatnonzero(a == _QUOTE) if found is None else np.array(found, dtype=np.intp)
        if len(q):
            closing = ((np.arange(len(q)) + self._parity) & 1).astype(bool)
            opens, closes = q[~closing], q[closing]
            if len(opens):
                before = a[np.maximum(opens - 1, 0)]
                ok = self._edge(before)
                if opens[0] == 0:
                    ok[0] = self._last < 0 or bool(self._edge(np.uint8(self._last)))
                if not ok.all():
                    self._fail()
            if len(closes):
                if closes[-1] == len(a) - 1:
                    self._pending_close = True
                    closes = closes[:-1]
                if not self._edge(a[closes + 1]).all():
                    self._fail()
        end_parity = (self._parity + len(q)) & 1
        if found is not None:
            # few quotes: look for a line break inside each quoted stretch (memchr on the bytes)
            bounds = ([0] if self._parity else []) + found + ([len(data)] if end_parity else [])
            find = data.find
            for start, stop in zip(bounds[::2], bounds[1::2]):
                if find(b"\n", start, stop) >= 0 or find(b"\r", start, stop) >= 0:
                    self._fail()
        elif len(q) or self._parity:
            breaks = a == _LF
            if data.find(b"\r") >= 0:
                breaks |= a == _CR
            at = np.flatnonzero(breaks)
            if ((np.searchsorted(q, at) + self._parity) & 1).any():
                self._fail()
        self._parity = end_parity
        self._last = int(a[-1])


#: Up to this many quotes per kilobyte, a block's quotes are found with ``bytes.find`` (memchr) rather
#: than by comparing every byte; a quote-dense file (every field quoted) takes the vectorised path.
_SPARSE_QUOTES_PER_KB = 1


def _quote_positions(data: bytes) -> list[int] | None:
    """The positions of the quotes in ``data`` when there are few of them, else None."""
    limit = _SPARSE_QUOTES_PER_KB * (len(data) >> 10) + 16
    out: list[int] = []
    find, append = data.find, out.append
    i = find(b'"')
    while i >= 0:
        if len(out) >= limit:
            return None
        append(i)
        i = find(b'"', i + 1)
    return out


def _open_binary(path: Path, kind: str):
    """The file's (decompressed) bytes as a binary stream; gzip through ISA-L when installed."""
    try:
        if kind == "gzip":
            try:
                from isal import igzip
            except ImportError:  # pragma: no cover - isal is a dependency; a build without it still reads
                return gzip.open(path, "rb")
            return igzip.open(path, "rb")
        return open(path, "rb")
    except OSError as err:
        raise _unreadable(path, err) from None


def _gzip_errors() -> tuple[type[BaseException], ...]:
    errs: tuple[type[BaseException], ...] = (EOFError, zlib.error, gzip.BadGzipFile)
    try:
        from isal import isal_zlib

        errs += (isal_zlib.error,)
    except ImportError:  # pragma: no cover
        pass
    return errs


def _arrow_read(path: Path, kind: str, t: _Text, native: tuple[str, ...] = ()) -> pd.DataFrame:
    """pyarrow's multi-threaded CSV reader; raises on what it cannot read.

    Every column is read as text except those in ``native`` (the date and number columns of
    the mapping), whose type pyarrow infers while parsing (ISO timestamps, integers,
    decimals) - several times faster than converting text afterwards. A value that breaks
    the inferred type raises, and the caller reads again with every column as text.

    The bytes reach pyarrow through :class:`_QuoteCheckedSource` (gzip inflated by ISA-L),
    which lets pyarrow cut the file at any line break; if a quoted value may hold a line
    break the file is read again, cutting only between rows.
    """
    arrow_enc = "utf8" if t.encoding in ("utf-8", "utf-8-sig") else t.encoding
    read_options = pacsv.ReadOptions(encoding=arrow_enc, block_size=_BLOCK_SIZE, column_names=t.names,
                                     skip_rows=1 if t.has_header else 0)
    convert_options = pacsv.ConvertOptions(
        column_types={c: pa.large_string() for c in t.names if c not in native}, strings_can_be_null=True,
        null_values=[""], quoted_strings_can_be_null=True)
    table = None
    try:
        if t.encoding in _BYTE_CHECKABLE and not (t.sep == "|" and t.encoding in ("gb18030", "gbk")):
            src = _QuoteCheckedSource(_open_binary(path, kind), t.sep)
            try:
                table = pacsv.read_csv(pa.PythonFile(src, mode="r"), read_options=read_options,
                                       parse_options=pacsv.ParseOptions(delimiter=t.sep, newlines_in_values=False),
                                       convert_options=convert_options)
            except _LineBreakInQuotes:
                table = None
            finally:
                src.close()
            if not src.done:  # every byte must have passed the check
                table = None
        if table is None:
            fh = _open_binary(path, kind)
            try:
                table = pacsv.read_csv(pa.PythonFile(fh, mode="r"), read_options=read_options,
                                       parse_options=pacsv.ParseOptions(delimiter=t.sep, newlines_in_values=True),
                                       convert_options=convert_options)
            finally:
                fh.close()
    except _gzip_errors() as err:
        if kind == "gzip":
            raise _damaged_gzip(path, err) from None
        raise
    cols = {}
    for name, col in zip(t.names, table.columns):
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            cols[name] = pd.Series(pd.arrays.ArrowStringArray(col))
        elif pa.types.is_null(col.type):
            cols[name] = pd.Series(np.full(len(col), np.nan))
        elif pa.types.is_timestamp(col.type):
            if col.type.tz is None and col.type.unit != "ns" and col.null_count < len(col):
                # every date inside the range parse_dates keeps (datetime64[ns]): pyarrow casts (the common case)
                lo_hi = pc.min_max(col)
                unit = col.type.unit
                if (np.datetime64("1677-09-22", unit).astype(np.int64) <= lo_hi["min"].value
                        and lo_hi["max"].value <= np.datetime64("2262-04-11", unit).astype(np.int64)):
                    col = col.cast(pa.timestamp("ns"))
            cols[name] = pd.Series(_owned(col.to_numpy()), copy=False)
        elif pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
            cols[name] = pd.Series(_owned(col.to_numpy().astype("float64", copy=False)), copy=False)
        else:  # booleans, dates, times: as text, converted like any text column
            cols[name] = pd.Series(pd.arrays.ArrowStringArray(col.cast(pa.large_string())))
    return pd.DataFrame(cols, copy=False)


def _owned(values: np.ndarray) -> np.ndarray:
    """``values`` when it is writeable (pyarrow made it: joined chunks, a cast), else a copy (a read-only
    view of pyarrow's memory): pandas then takes it without copying it again."""
    return values if values.flags.writeable else values.copy()


def _pandas_read(path: Path, kind: str, t: _Text) -> pd.DataFrame:
    """pandas' parser (ragged lines are padded, whitespace separators), every column as text."""
    try:
        frame = pd.read_csv(
            path, sep=r"\s+" if t.sep is None else t.sep, header=None, names=t.names,
            skiprows=1 if t.has_header else 0, dtype=str, keep_default_na=False, na_values=[""],
            compression="gzip" if kind == "gzip" else None, encoding=t.encoding,
            skipinitialspace=t.sep is not None, engine="c" if t.sep is not None else None,
            index_col=False,
        )
    except pd.errors.EmptyDataError:
        raise EmptySourceError(f"{path} has a header but no transaction lines.") from None
    except pd.errors.ParserError as err:
        raise NotATableError(
            f"{path} cannot be read as a table ({' '.join(str(err).split())}). {_BASKET_HINT} Otherwise check the "
            "separator and quoting."
        ) from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise _damaged_gzip(path, err) from None
    return frame


def _native_columns(t: _Text, schema) -> tuple[str, ...]:
    """Source columns pyarrow may type itself: the mapped date column, and the number columns
    unless the file is ';'-separated (a European export's ``1.234`` is 1234, not 1.234)."""
    try:
        mapping, _ = _resolve_schema(schema, t.names, "the file")
    except (MappingError, MissingColumnError, UnknownSchemaError, ParameterError, SourceNotFoundError):
        return ()
    wanted = ["order_date"] + ([] if t.sep == ";" else list(NUMERIC_COLUMNS))
    return tuple(mapping[c] for c in wanted if c in mapping)


def _read_text(path: Path, kind: str, encoding: str, header, schema) -> tuple[pd.DataFrame, _Text]:
    t = _sniff_text(path, kind, encoding, header, schema)
    native = _native_columns(t, schema) if t.sep is not None else ()
    for attempt in range(2):
        try:
            if t.sep is not None:
                if native:
                    try:
                        return _arrow_read(path, kind, t, native), t
                    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError):
                        pass  # a value breaks an inferred type (or anything else): read as text below
                try:
                    return _arrow_read(path, kind, t), t
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
                    msg = str(err)
                    if "UTF8" in msg or "UTF-8" in msg or "decode" in msg:
                        raise UnicodeDecodeError(t.encoding, b"", 0, 1, msg) from None
                    if kind == "gzip" and ("gzip" in msg.lower() or "compress" in msg.lower()):
                        raise _damaged_gzip(path, err) from None
                except OSError as err:
                    if kind == "gzip":
                        raise _damaged_gzip(path, err) from None
                    raise _unreadable(path, err) from None
            return _pandas_read(path, kind, t), t
        except UnicodeDecodeError:
            if encoding != "auto" or attempt:
                raise UnparseableValuesError(
                    f"{path} cannot be decoded as {t.encoding!r}. Pass encoding='auto' or the file's real encoding "
                    "(e.g. 'cp1252', 'gb18030', 'utf-16-le')."
                ) from None
            enc, note = _redetect(path, kind, t.encoding)
            t.encoding = enc
            if note:
                t.notes.append(note)
    raise AssertionError("unreachable")  # pragma: no cover


def read_basket_lines(path, *, sep: str | None = None, encoding: str = "auto") -> list[list[str]]:
    """Read a basket-per-line text file: each line is one basket, its items separated by ``sep``.

    This is the format of R arules' ``Groceries`` (``read.transactions(format="basket")``):
    ``citrus fruit,semi-finished bread,margarine,ready soups``. Items are stripped of
    surrounding spaces; empty items and blank lines are dropped (a blank line is an empty
    basket only in the middle of the file).

    Parameters
    ----------
    path : str or pathlib.Path
        A text file, optionally gzip-compressed.
    sep : str or None, default=None
        The item separator; ``None`` picks the most frequent of ``,``, ``;``, tab and ``|``
        (whitespace when none occurs).
    encoding : str, default="auto"
        As :func:`read_transactions`.

    Returns
    -------
    list of list of str
        One list of items per line, in file order.
    """
    encoding = _check_encoding_name(encoding)
    p = _check_path(path)
    with open(p, "rb") as fh:
        head = fh.read(64)
    kind = _sniff_kind(p, head)
    if kind not in ("text", "gzip"):
        raise NotATableError(f"{p} is a {kind} file, not a text file of baskets. Read it with read_transactions.")
    data = _read_bytes(p, kind)
    enc = detect_encoding(data[:_SAMPLE_BYTES], complete=len(data) <= _SAMPLE_BYTES) if encoding == "auto" \
        else encoding
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        enc = detect_encoding(data)
        text = data.decode(enc, errors="strict") if enc != "utf-8" else data.decode("cp1252", errors="replace")
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise EmptySourceError(f"{p} is empty; a basket file holds one basket (items separated by commas) per line.")
    if sep is None:
        sample = "\n".join(lines[:1000])
        counts = {s: sample.count(s) for s in _SEPARATORS}
        sep = max(counts, key=counts.get) if max(counts.values()) else None
    return [[it.strip() for it in (ln.split(sep) if sep else ln.split()) if it.strip()] for ln in lines]


# --------------------------------------------------------------------------------------
# workbooks
# --------------------------------------------------------------------------------------


def _read_excel(path: Path, sheet_name, header) -> dict[str, pd.DataFrame]:
    try:
        sheets = pd.read_excel(path, sheet_name=sheet_name if sheet_name is not None else None, dtype=object,
                               header=None if header is False else 0)
    except ValueError as err:
        if sheet_name is not None and ("not found" in str(err).lower() or "worksheet" in str(err).lower()):
            raise ParameterError(f"The 'sheet_name' parameter {sheet_name!r} is not a sheet of {path}.") from None
        raise NotATableError(f"{path} cannot be read as an Excel workbook ({err}). Save it again as .xlsx or .csv.") from None
    except Exception as err:  # openpyxl raises many kinds for a broken zip
        raise NotATableError(f"{path} cannot be read as an Excel workbook ({err}). Save it again as .xlsx or .csv.") from None
    if isinstance(sheets, pd.DataFrame):
        sheets = {str(sheet_name): sheets}
    out = {}
    for name, sheet in sheets.items():
        sheet = sheet.copy()
        if header is False:
            sheet.columns = [f"column_{i + 1}" for i in range(sheet.shape[1])]
        else:
            sheet.columns = [str(c).strip() for c in sheet.columns]
            _check_unique_names(list(sheet.columns), f"Sheet {name!r} of {path}")
        first = 1 if header is False else 2
        sheet["__line"] = np.arange(first, len(sheet) + first)
        sheet["__sheet"] = name
        if len(sheet):
            out[str(name)] = sheet
    if not out:
        raise EmptySourceError(f"{path} has no data rows in any sheet.")
    return out


def _columns_of(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if not str(c).startswith("__")]


def _stack_sheets(path: Path, sheets: dict[str, pd.DataFrame], schema) -> tuple[pd.DataFrame, bool]:
    """One frame of every sheet: -> (frame, premapped). Sheets of one layout are stacked as they
    are (the overlap read once); sheets of different layouts are each mapped to canonical
    names when the schema fits every one, else an error names the sheets and their columns."""
    frames = list(sheets.values())
    if len(frames) == 1:
        return frames[0], False
    first_cols = _columns_of(frames[0])
    if all(_columns_of(f) == first_cols for f in frames):
        return _merge_overlapping_sheets(frames, first_cols), False
    mapped, problems = [], []
    for name, f in sheets.items():
        cols = _columns_of(f)
        try:
            mapping, _ = _resolve_schema(schema, cols, f"sheet {name!r} of {path}")
            _check_required(mapping, None, cols, f"sheet {name!r}", schema, None)
        except (MappingError, MissingColumnError, UnknownSchemaError) as err:
            problems.append((name, str(err)))
            continue
        renamed = f[[*mapping.values(), "__line", "__sheet"]].copy()
        renamed.columns = [*mapping.keys(), "__line", "__sheet"]
        mapped.append(renamed)
    if problems:
        layouts = "; ".join(f"sheet {n!r}: {', '.join(map(str, _columns_of(f)))}" for n, f in sheets.items())
        raise MappingError(
            f"The sheets of {path} have different columns ({layouts}) and sheet {problems[0][0]!r} does not fit the "
            f"schema. Read one sheet with sheet_name='{problems[0][0]}' (or another), or pass a mapping whose columns "
            "every sheet has."
        )
    common = [c for c in CANONICAL_COLUMNS if all(c in f.columns for f in mapped)]
    mapped = [f[[*common, "__line", "__sheet"]] for f in mapped]
    return _merge_overlapping_sheets(mapped, common), True


def _merge_overlapping_sheets(frames: list[pd.DataFrame], cols: list[str]) -> pd.DataFrame:
    """Stack sheets of one layout; lines repeated in two sheets' overlapping period appear once.

    UCI Online Retail II's two sheets both hold 2010-12-01..2010-12-09. Within the date
    window where sheets overlap, a line that occurs k times in one sheet and m times in
    another is kept max(k, m) times: lines duplicated within a sheet stay (they are data
    for cleaning), lines repeated across sheets are read once. Outside the overlap
    nothing is dropped.
    """
    date_col = next((c for c in cols if "date" in str(c).lower()), None)
    out = [frames[0]]
    for nxt in frames[1:]:
        prev = pd.concat(out, ignore_index=True)
        if date_col is None:
            out.append(nxt)
            continue
        pd_dates = pd.to_datetime(prev[date_col], errors="coerce")
        nx_dates = pd.to_datetime(nxt[date_col], errors="coerce")
        lo, hi = max(pd_dates.min(), nx_dates.min()), min(pd_dates.max(), nx_dates.max())
        if pd.isna(lo) or pd.isna(hi) or lo > hi:
            out.append(nxt)
            continue
        in_prev = prev[(pd_dates >= lo) & (pd_dates <= hi)]
        in_next_mask = (nx_dates >= lo) & (nx_dates <= hi)
        in_next = nxt[in_next_mask]
        key_prev = in_prev[cols].astype(str).agg("\x1f".join, axis=1)
        key_next = in_next[cols].astype(str).agg("\x1f".join, axis=1)
        have = key_prev.value_counts()
        occurrence = key_next.groupby(key_next).cumcount() + 1
        already = key_next.map(have).fillna(0).to_numpy()
        keep_next = occurrence.to_numpy() > already
        kept = nxt[~in_next_mask.to_numpy()]
        out.append(pd.concat([in_next[keep_next], kept]).sort_values("__line", kind="stable"))
    return pd.concat(out, ignore_index=True)


# --------------------------------------------------------------------------------------
# sources
# --------------------------------------------------------------------------------------


def _check_path(source) -> Path:
    path = Path(source).expanduser()
    if not path.exists():
        raise SourceNotFoundError(f"{path} does not exist. Check the path (working directory: {Path.cwd()}).")
    if path.is_dir():
        raise NotATableError(f"{path} is a folder, not a file. Give the path of the transaction file inside it.")
    if path.stat().st_size == 0:
        raise EmptySourceError(f"{path} is empty (0 bytes). Check the export; it should hold a header and transaction lines.")
    return path


def _read_source(source, *, encoding: str, sheet_name, schema, header) -> tuple[pd.DataFrame, np.ndarray, dict]:
    """Any source -> (frame of raw columns, source line per row, info)."""
    if isinstance(source, pd.DataFrame):
        if source.empty:
            raise EmptySourceError("The DataFrame passed as source has no rows.")
        frame = source.copy()
        frame.columns = [str(c).strip() for c in frame.columns]
        _check_unique_names(list(frame.columns), "The DataFrame passed as source")
        return frame, np.arange(1, len(frame) + 1), {"source": "DataFrame", "format": "DataFrame"}
    if not isinstance(source, (str, Path)):
        raise ParameterError(
            f"The 'source' parameter must be a file path or a pandas DataFrame. Got {type(source).__name__} instead."
        )
    path = _check_path(source)
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError as err:
        raise _unreadable(path, err) from None
    kind = _sniff_kind(path, head)
    info = {"source": str(path), "format": kind}
    if kind == "parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as err:
            raise NotATableError(f"{path} cannot be read as Parquet ({err}).") from None
        if frame.empty:
            raise EmptySourceError(f"{path} has no rows.")
        frame.columns = [str(c).strip() for c in frame.columns]
        _check_unique_names(list(frame.columns), str(path))
        return frame, np.arange(1, len(frame) + 1), info
    if kind == "xlsx":
        frame, premapped = _stack_sheets(path, _read_excel(path, sheet_name, header), schema)
        lines = frame.pop("__line").to_numpy()
        frame.pop("__sheet")
        info["premapped"] = premapped
        return frame, lines, info
    frame, t = _read_text(path, kind, encoding, header, schema)
    if frame.empty:
        raise EmptySourceError(f"{path} has a header but no transaction lines.")
    info.update(encoding=t.encoding, separator=t.sep or "whitespace", header=t.has_header,
                first_fields=t.first_fields, notes=list(t.notes))
    first = 2 if t.has_header else 1
    return frame, np.arange(first, first + len(frame)), info


# --------------------------------------------------------------------------------------
# mapping
# --------------------------------------------------------------------------------------


def _decode_mapping_bytes(p: Path, data: bytes) -> str:
    for enc in ("utf-8-sig", "utf-16", "gb18030"):
        if enc == "utf-16" and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            continue
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise MappingError(f"The schema mapping file {p} is not UTF-8 or GBK text. Save it as UTF-8 JSON.")


def _load_mapping_file(p: Path) -> dict:
    if not p.exists():
        raise SourceNotFoundError(f"The schema mapping file {p} does not exist.")
    if p.is_dir():
        raise MappingError(f"The schema mapping file {p} is a folder. Give the path of a .json file holding "
                           "{canonical column: your column}.")
    try:
        data = p.read_bytes()
    except OSError as err:
        raise _unreadable(p, err) from None
    try:
        mapping = json.loads(_decode_mapping_bytes(p, data))
    except json.JSONDecodeError as err:
        raise MappingError(f"The schema mapping file {p} is not valid JSON ({err}).") from None
    if not isinstance(mapping, dict):
        raise MappingError(f"The schema mapping file {p} must hold one JSON object {{canonical column: your column}}. "
                           f"Got {type(mapping).__name__} instead.")
    return mapping


def _first_row_hint(first_fields) -> str:
    if first_fields and _looks_like_data(list(first_fields)):
        shown = ", ".join(list(first_fields)[:6])
        return (f" The first line ({shown}) looks like data, not column names: pass header=False (crmmine profile "
                "--no-header) and map the columns by position, e.g. schema={'customer_id': 0, ...}.")
    return ""


def _resolve_schema(schema, columns: list[str], source_name: str, first_fields=None) -> tuple[dict[str, str], Preset | None]:
    """-> ({canonical: source column}, preset or None)."""
    if isinstance(schema, (str, Path)) and str(schema).lower().endswith(".json"):
        schema = _load_mapping_file(Path(schema).expanduser())
    if isinstance(schema, Mapping):
        unknown = [k for k in schema if k not in CANONICAL_COLUMNS or k == "source_line"]
        if unknown:
            raise MappingError(
                f"The schema mapping uses {unknown[0]!r}, which is not a canonical column. Canonical columns: "
                f"{', '.join(c for c in CANONICAL_COLUMNS if c != 'source_line')}."
            )
        mapping: dict[str, str] = {}
        for canon, col in schema.items():
            if isinstance(col, (int, np.integer)) and not isinstance(col, bool):
                if not 0 <= int(col) < len(columns):
                    raise MappingError(
                        f"The schema mapping points {canon!r} to column position {int(col)}, but {source_name} has "
                        f"{len(columns)} columns (positions 0 to {len(columns) - 1})."
                    )
                col = columns[int(col)]
            elif not isinstance(col, str):
                raise MappingError(
                    f"The schema mapping points {canon!r} to {col!r}; give a column name or a position (0 is the "
                    "first column)."
                )
            elif col not in columns:
                raise MappingError(
                    f"The schema mapping points {canon!r} to column {col!r}, which is not in {source_name} "
                    f"(columns found: {', '.join(columns)}).{_first_row_hint(first_fields)}"
                )
            mapping[canon] = col
        shared: dict[str, list[str]] = {}
        for canon, col in mapping.items():
            shared.setdefault(col, []).append(canon)
        clash = {col: cs for col, cs in shared.items() if len(cs) > 1}
        if clash:
            col, cs = next(iter(clash.items()))
            raise MappingError(
                f"The schema mapping points {' and '.join(map(repr, cs))} to the same column {col!r} of "
                f"{source_name}. Each canonical column needs its own source column."
            )
        for c in CANONICAL_COLUMNS:  # canonical names already in the file are taken as they are
            if c not in mapping and c in columns and c not in mapping.values():
                mapping[c] = c
        return mapping, None
    if not isinstance(schema, str):
        raise ParameterError(
            f"The 'schema' parameter must be 'auto', a preset name, a dict or a .json mapping file. Got {schema!r} instead."
        )
    if schema == "auto":
        colset = set(columns)
        for preset in PRESETS.values():
            if set(preset.columns.values()) <= colset:
                return dict(preset.columns), preset
        canon = {c: c for c in CANONICAL_COLUMNS if c in colset and c != "source_line"}
        return canon, None
    if schema not in PRESETS:
        raise UnknownSchemaError(
            f"The schema {schema!r} is not a known preset. Known presets: {', '.join(PRESETS)}; "
            "or pass 'auto' or a mapping {canonical column: your column}."
        )
    preset = PRESETS[schema]
    missing = [src for src in preset.columns.values() if src not in columns]
    if missing:
        raise MissingColumnError(
            f"{source_name} has no column {missing[0]!r}, which the {preset.title} preset needs (columns found: "
            f"{', '.join(columns)}). Pass schema='auto' or a mapping.{_first_row_hint(first_fields)}"
        )
    return dict(preset.columns), preset


#: Words in a column name that suggest a canonical column (lower case; English and Chinese).
_HINTS: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer", "cust", "client", "member", "household", "user", "buyer", "shopper", "account",
                    "会员", "客户", "用户", "买家"),
    "order_id": ("order", "invoice", "basket", "transaction", "receipt", "ticket", "bill", "trans", "订单", "单号"),
    "order_date": ("date", "time", "timestamp", "day", "日期", "时间"),
    "product_id": ("product", "item", "sku", "stock", "article", "upc", "ean", "商品", "货号", "产品"),
    "quantity": ("quantity", "qty", "units", "pieces", "count", "number", "数量", "件数"),
    "unit_price": ("unitprice", "unit_price", "price", "单价", "价格"),
    "amount": ("amount", "sales", "revenue", "value", "total", "spend", "金额", "销售额", "总价"),
}


def _suggest_mapping(wanted: list[str], columns: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """A mapping guess {canonical: source column} for ``wanted`` from the column names' words."""
    used = set(mapping.values())
    out = {}
    for canon in wanted:
        best, best_score = None, 0
        for col in columns:
            if col in used:
                continue
            low = str(col).lower().replace(" ", "_")
            score = 0
            for rank, word in enumerate(_HINTS.get(canon, ())):
                if word in low:
                    score = max(score, 100 - rank + (10 if low.startswith(word) else 0)
                                + (5 if canon.endswith("_id") and ("id" in low or "key" in low or "no" in low) else 0))
            if score > best_score:
                best, best_score = col, score
        if best is not None:
            out[canon] = best
            used.add(best)
        else:
            out[canon] = "<your column>"
    return out


def _check_required(mapping: dict[str, str], preset: Preset | None, columns: list[str], source_name: str, schema,
                    first_fields) -> None:
    """Every required canonical column is mapped, or one message names them all with a suggested mapping."""
    has = set(mapping)
    if preset and preset.derive:
        needed = ["customer_id", "order_date"]
    else:  # without an order id, a customer's lines at one moment are one order
        needed = ["customer_id", "order_date", "product_id"]
    missing = [c for c in needed if c not in has]
    if not ({"unit_price", "amount"} & has):
        missing.append("amount")
    if not missing:
        return
    how = "recognised as no preset; " if isinstance(schema, str) and schema == "auto" else ""
    wanted = [c for c in missing if c != "amount"]
    if "amount" in missing:
        price = _suggest_mapping(["unit_price"], columns, {**mapping, **_suggest_mapping(wanted, columns, mapping)})
        wanted += ["unit_price", "quantity"] if price["unit_price"] != "<your column>" else ["amount", "quantity"]
    elif "quantity" not in mapping:
        wanted.append("quantity")
    if "order_id" not in mapping and not (preset and preset.derive):
        wanted.insert(1, "order_id")
    guess = {k: v for k, v in _suggest_mapping(wanted, columns, mapping).items()
             if k in missing or v != "<your column>"}
    full = {**{k: v for k, v in mapping.items() if k in needed or k in ("quantity", "unit_price", "amount")}, **guess}
    names = ", ".join(map(repr, missing))
    money = " ('amount' is the line's value; 'unit_price' with 'quantity' works too)" if "amount" in missing else ""
    raise MissingColumnError(
        f"{source_name} has no column for {names}{money} ({how}columns found: {', '.join(map(str, columns))}). "
        f"Map them, e.g. schema={json.dumps(full, ensure_ascii=False)}, or use a preset: {', '.join(PRESETS)}."
        f"{_first_row_hint(first_fields)}"
    )


# --------------------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------------------


def _text_by_codes(values: pd.Series, clean_one) -> pd.Series:
    """Apply ``clean_one`` to each distinct value once, then take by code (fast on repeated text)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    cleaned = [clean_one(u) for u in np.asarray(uniques, dtype=object)]
    dictionary = pa.array(cleaned, type=pa.large_string())
    idx = pa.array(codes, mask=codes < 0, type=pa.int64())
    return pd.Series(pd.arrays.ArrowStringArray(dictionary.take(idx)), index=values.index)


def _clean_text(x) -> str | None:
    if x is None or (isinstance(x, float) and x != x) or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    t = str(x).strip()
    return t or None


def _as_arrow(values: pd.Series):
    """The values as a pyarrow string (chunked) array, without copying pyarrow-backed text."""
    if _is_arrow_text(values):
        arr = values.array._pa_array if hasattr(values.array, "_pa_array") else pa.array(values.array)
    else:
        arr = _text_by_codes(values, _clean_text).array._pa_array
    if pa.types.is_string(arr.type):
        arr = arr.cast(pa.large_string())  # pandas' own text type: no copy when the result goes back
    return arr


def _arrow_text(values: pd.Series) -> pa.Array:
    """Trimmed, blank -> missing, as a pyarrow (large) string array."""
    return _trimmed(_as_arrow(values))


def _is_arrow_text(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"


def _series(arr: pa.Array, index) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=index)


def _edges_clean(arr) -> bool:
    """True when no value of a (large) string array starts or ends with white space and none is
    empty: trimming would change nothing (checked on the first and last byte of each value)."""
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    for chunk in chunks:
        if not pa.types.is_large_string(chunk.type) or len(chunk) == 0:
            if len(chunk):
                return False
            continue
        _, offsets, data = chunk.buffers()
        off = np.frombuffer(offsets, dtype=np.int64)[chunk.offset: chunk.offset + len(chunk) + 1]
        start, end = off[:-1], off[1:]
        filled = end > start
        if chunk.null_count:
            bits = np.frombuffer(chunk.buffers()[0], dtype=np.uint8)
            valid = np.unpackbits(bits, bitorder="little")[chunk.offset: chunk.offset + len(chunk)].view(bool)
            if (~filled & valid).any():
                return False  # an empty text
            start, end = start[filled], end[filled]
        elif not filled.all():
            return False
        if not len(start):
            continue
        # a first or last byte that may be (part of) white space: a control, a space or any non-ASCII
        # byte, i.e. <= 0x20 read as a signed byte (0x80-0xff are negative)
        byte = np.frombuffer(data, dtype=np.int8)
        if (byte[start] <= 0x20).any() or (byte[end - 1] <= 0x20).any():
            return False
    return True


def _value_bytes(chunk) -> np.ndarray | None:
    """The bytes of a (large) string array's values, all of them in one view (None: another type)."""
    if pa.types.is_large_string(chunk.type):
        width = np.int64
    elif pa.types.is_string(chunk.type):
        width = np.int32
    else:
        return None
    if len(chunk) == 0:
        return np.zeros(0, dtype=np.uint8)
    _, offsets, data = chunk.buffers()
    off = np.frombuffer(offsets, dtype=width)[chunk.offset: chunk.offset + len(chunk) + 1]
    return np.frombuffer(data, dtype=np.uint8)[int(off[0]):int(off[-1])] if data is not None \
        else np.zeros(0, dtype=np.uint8)


def _holds_byte(arr, byte: int) -> bool:
    """Whether some value of a text array may hold ``byte`` (an ASCII character): False only when
    no value's bytes contain it (one scan of the data buffers, no per-value work)."""
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        data = _value_bytes(chunk)
        if data is None or (len(data) and (data == byte).any()):
            return True
    return False


def _printable_ascii(arr) -> bool:
    """Whether every byte of every value of a text array is printable ASCII (0x20-0x7e)."""
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        data = _value_bytes(chunk)
        if data is None or (len(data) and (data.min() < 0x20 or data.max() > 0x7E)):
            return False
    return True


def _trimmed(arr) -> pa.ChunkedArray | pa.Array:
    """Trimmed, blank -> missing, on every value (a linear pass; no hashing, no copy back)."""
    if _edges_clean(arr):
        return arr
    # on printable ASCII the only white space is ' ', which both kernels trim; the ASCII one is faster
    arr = pc.ascii_trim_whitespace(arr) if _printable_ascii(arr) else pc.utf8_trim_whitespace(arr)
    if pc.any(pc.equal(pc.binary_length(arr), 0)).as_py():
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
    return arr


_FLOAT_ID = r"^(-?\d+)\.0+$"  # 12583.0: an integral id exported as a float


def _point_zero_dropped(arr) -> pa.ChunkedArray | None:
    """``arr`` with the ``.0`` cut off every value when every value is written as digits of one
    width followed by ``.0`` (``12583.0``: customer numbers exported as floats; missing values
    allowed), else None. Checked and cut on the bytes, without hashing: the same values as
    replacing :data:`_FLOAT_ID` by its digits."""
    out = []
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        if not pa.types.is_large_string(chunk.type):
            return None
        n, filled = len(chunk), len(chunk) - chunk.null_count
        if filled == 0:
            out.append(chunk)
            continue
        validity, offsets, data = chunk.buffers()
        off = np.frombuffer(offsets, dtype=np.int64)[chunk.offset: chunk.offset + n + 1]
        lo, hi = int(off[0]), int(off[-1])
        width = (hi - lo) // filled
        if width < 3 or width * filled != hi - lo:
            return None
        if chunk.null_count:
            valid = np.unpackbits(np.frombuffer(validity, dtype=np.uint8),
                                  bitorder="little")[chunk.offset: chunk.offset + n].view(bool)
            if not (np.diff(off) == np.where(valid, width, 0)).all():  # missing values hold no bytes
                return None
        else:
            valid = None
            if not (np.diff(off) == width).all():
                return None
        values = np.frombuffer(data, dtype=np.uint8)[lo:hi].reshape(filled, width)
        if not ((values[:, -1] == 0x30).all() and (values[:, -2] == 0x2E).all()):
            return None
        digits = values[:, :-2].copy()
        if digits.min() < 0x30 or digits.max() > 0x39:
            return None
        before = np.arange(n + 1) if valid is None else np.concatenate(([0], np.cumsum(valid)))
        bitmap = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
        out.append(pa.Array.from_buffers(pa.large_string(), n, [bitmap, pa.py_buffer(before * (width - 2)),
                                                                 pa.py_buffer(digits)],
                                         null_count=chunk.null_count))
    return pa.chunked_array(out, type=pa.large_string())


def _to_id(values: pd.Series) -> pd.Series:
    """Ids as text, one normalisation per value: trimmed, blank -> missing, an integral number
    written with a decimal zero part (``12583.0``, an export artefact of floats) -> ``12583``;
    leading zeros stay (``071053``). The number fix is done once per distinct value, and only
    when some id ends in a zero after a decimal point."""
    if pd.api.types.is_float_dtype(values) or pd.api.types.is_integer_dtype(values):
        return _text_by_codes(values, _clean_text)
    arr = _trimmed(_as_arrow(values))
    if not _holds_byte(arr, ord(".")):  # no decimal point anywhere (order numbers, stock codes)
        return _series(arr, values.index)
    every = _point_zero_dropped(arr)  # every id written 12583.0 (a float export): cut on the bytes
    if every is not None:
        return _series(every, values.index)
    if not pc.any(pc.match_substring_regex(arr.slice(0, 1000), _FLOAT_ID)).as_py():  # else: surely needed
        ends_in_zero = pc.filter(arr, pc.fill_null(pc.ends_with(arr, "0"), False))
        if not pc.any(pc.match_substring(ends_in_zero, ".")).as_py():
            return _series(arr, values.index)
    enc = pc.dictionary_encode(arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr)
    fixed = pc.replace_substring_regex(enc.dictionary, _FLOAT_ID, r"\1")
    return _series(fixed.take(enc.indices), values.index)


def _to_text(values: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(values) or pd.api.types.is_integer_dtype(values):
        return _text_by_codes(values, _clean_text)
    return _series(_trimmed(_as_arrow(values)), values.index)


# separators: the patterns of the distinct (trimmed, currency-stripped) values of a column
_PLAIN = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_COMMA_GROUPS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"      # 1,000  1,234.50   (comma thousands)
_DOT_GROUPS = r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$"        # 1.000  1.234,56   (dot thousands)
_COMMA_DECIMAL = r"^[+-]?\d*,\d+$"                      # 2,5  0,99  1234,5
_CURRENCY = "[£$€¥₹\u00a0\u202f' ]|^[A-Z]{3}|[A-Z]{3}$"


def _match(arr, pattern) -> np.ndarray:
    return pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_numpy(zero_copy_only=False)


def _number_convention(u: pa.Array, weight: np.ndarray, sep: str | None) -> str:
    """'point' (1,234.5) or 'comma' (1.234,5) for a column, from its distinct values ``u``
    weighted by their line counts; a column that cannot tell follows the delimiter
    (';' files are European exports, decimal comma)."""
    plain, cg, dg, cd = (_match(u, p) for p in (_PLAIN, _COMMA_GROUPS, _DOT_GROUPS, _COMMA_DECIMAL))
    has_dot = _match(u, r"\.")
    has_comma = _match(u, ",")
    n_groups_c = _match(u, r",\d{3},")
    n_groups_d = _match(u, r"\.\d{3}\.")
    point_only = (plain & has_dot & ~dg) | (cg & has_dot) | (cg & n_groups_c)
    comma_only = (cd & ~cg) | (dg & has_comma) | (dg & n_groups_d)
    p, c = float(weight[point_only].sum()), float(weight[comma_only].sum())
    if p or c:
        return "point" if p >= c else "comma"
    return "comma" if sep == ";" else "point"


def _to_number(values: pd.Series, column: str, lines: np.ndarray, source_name: str, max_bad_fraction: float,
               sep: str | None, problems: list) -> pd.Series:
    """A column of numbers. Text is read with one convention for the whole column: the
    decimal point with optional comma thousands (``1,234.5``) or the decimal comma with
    optional point thousands (``1.234,5``), chosen from the values that only one convention
    reads and otherwise from the delimiter; currency signs and spaces are dropped. A value the
    chosen convention cannot read becomes missing (a rejected line), or an error when more
    than ``max_bad_fraction`` of the column is unreadable."""
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    arr = _arrow_text(values)
    blank = pc.is_null(arr).to_numpy(zero_copy_only=False)
    try:
        num = pc.cast(arr, pa.float64())
        if sep == ";" and pc.any(pc.match_substring_regex(pc.unique(arr), _DOT_GROUPS)).as_py():
            raise pa.ArrowInvalid("1.234 in a ';' file: decide the convention")  # European export: 1.500 = 1500
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        enc = pc.dictionary_encode(arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr)
        u = pc.replace_substring_regex(enc.dictionary, _CURRENCY, "")
        weight = np.bincount(enc.indices.fill_null(-1).to_numpy(zero_copy_only=False) + 1,
                             minlength=len(u) + 1)[1:].astype(float)
        convention = _number_convention(u, weight, sep)
        if convention == "point":
            ok = _match(u, _PLAIN) | _match(u, _COMMA_GROUPS)
            fixed = pc.replace_substring(u, ",", "")
        else:
            ok = (_match(u, _PLAIN) & ~_match(u, r"\.")) | _match(u, _DOT_GROUPS) | _match(u, _COMMA_DECIMAL)
            fixed = pc.replace_substring(pc.replace_substring(u, ".", ""), ",", ".")
        fixed = pc.if_else(pa.array(ok), fixed, pa.scalar(None, fixed.type))
        num = pc.cast(fixed, pa.float64()).take(enc.indices)
    out = num.to_numpy(zero_copy_only=False).astype("float64")
    bad = np.isnan(out) & ~blank
    n_filled = int((~blank).sum())
    if bad.any():
        pos = np.flatnonzero(bad)[:3]
        raw = values.to_numpy(dtype=object)
        examples = ", ".join(f"line {lines[i]}: {raw[i]!r}" for i in pos)
        if bad.sum() > max_bad_fraction * n_filled:
            raise UnparseableValuesError(
                f"Column {column!r} of {source_name} cannot be read as numbers ({int(bad.sum())} of {n_filled} values "
                f"unreadable; {examples}). Fix the export or map another column with schema={{...}}."
            )
        problems.append(f"column {column!r}: {int(bad.sum())} unreadable numbers ({examples}); those lines are "
                        "rejected as unparseable_number")
    return pd.Series(out, index=values.index)


def _resolve_engine(source, engine):
    """``"pandas"``, ``"duckdb"`` or the engine object given (a SparkSession or duckdb connection)."""
    from ..engine.lazy import DUCKDB_THRESHOLD_BYTES, ENGINES, _is_duckdb_connection, _is_spark_session

    if _is_spark_session(engine) or _is_duckdb_connection(engine):
        return engine
    if engine not in ENGINES:
        raise ParameterError(
            f"The 'engine' parameter must be one of {', '.join(map(repr, ENGINES))}, a SparkSession or a duckdb "
            f"connection. Got {engine!r} instead."
        )
    if hasattr(source, "sparkSession") and type(source).__name__ == "DataFrame":  # a Spark DataFrame
        return source.sparkSession
    if engine != "auto":
        return engine
    if isinstance(source, (str, Path)):
        text = str(source)
        path = Path(text).expanduser()
        if any(ch in text for ch in "*?[") and not path.exists():
            return "duckdb"
        if path.is_dir():
            return "duckdb"
        try:
            big = path.is_file() and path.stat().st_size > DUCKDB_THRESHOLD_BYTES
        except OSError:
            big = False
        if big and path.name.lower().endswith((".parquet", ".pq", ".csv", ".csv.gz", ".tsv", ".txt")):
            return "duckdb"
    return "pandas"


def read_transactions(
    source,
    schema="auto",
    *,
    encoding: str = "auto",
    dayfirst: bool | None = None,
    sheet_name: str | int | None = None,
    header: bool | None = None,
    max_bad_fraction: float = 0.1,
    engine="auto",
):
    """Read a transaction file (or DataFrame) into the canonical table.

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        A CSV (optionally gzip-compressed, any common separator or whitespace), XLSX or
        Parquet file, or a DataFrame with the source's columns.
    schema : {"auto", "online_retail", "online_retail_ii", "cdnow"}, dict or str, default="auto"
        How the source's columns map to canonical ones. ``"auto"`` recognises the presets
        from the header (and files already in canonical names); a dict maps canonical
        names to the source's columns, by name (``{"customer_id": "会员ID", "order_id":
        "订单号"}``) or by position, 0 being the first column (``{"customer_id": 0}``; the
        way to map a file without a header row); a path ending in ``.json`` holds such a
        dict. Two canonical columns cannot share one source column.
    encoding : str, default="auto"
        Text encoding. ``"auto"`` detects UTF-8, UTF-8 with BOM, UTF-16 (with or without
        BOM), GBK/GB18030 and Windows-1252/Latin-1 (see :func:`detect_encoding`); a file whose
        first 64 KiB are UTF-8 but a later line is not is re-detected on its non-ASCII lines.
        Any name Python knows (``"utf-16-le"``, ``"cp1252"``, ``"gbk"``) is used as given.
    dayfirst : bool or None, default=None
        Day/month order of dates like ``03/04/2011``; ``None`` decides from the data and
        raises if the data cannot tell.
    sheet_name : str, int or None, default=None
        For workbooks: one sheet; ``None`` reads every sheet. Sheets of one layout are
        stacked, lines repeated in the overlap of two sheets read once (UCI Online Retail
        II); sheets of different layouts are each mapped with ``schema``, or, when one does
        not fit, an error names the sheets and their columns.
    header : bool or None, default=None
        Whether the first line holds column names. ``None``: yes, unless every field of the
        first line is a number; ``False``: no header, columns are named ``column_1``,
        ``column_2``, ... and mapped by position or by those names.
    max_bad_fraction : float, default=0.1
        A numeric or date column with more unreadable values than this fraction is an
        error; fewer become missing values that :func:`crmmine.clean` rejects with a reason.
    engine : {"auto", "pandas", "duckdb"}, SparkSession or duckdb connection, default="auto"
        Where the lines live. ``"pandas"``: in memory, as a DataFrame. ``"duckdb"`` (or a
        duckdb connection): a :class:`crmmine.engine.LazyTransactions` held by DuckDB, which
        spills to disk, so a log larger than memory works. A ``SparkSession``: held by Spark
        (the ``crmmine[spark]`` extra). ``"auto"``: DuckDB for a folder or glob of
        Parquet/CSV files and for a file over :data:`crmmine.engine.DUCKDB_THRESHOLD_BYTES`,
        else pandas. Engine reads take Parquet or CSV with canonical column names, a preset
        without derived columns or a mapping dict; dates must already be timestamps or ISO text.

    Returns
    -------
    pandas.DataFrame
        Canonical columns (see :mod:`crmmine.data.schema`), in canonical order, one row per
        source line, in source order; ``source_line`` is the line (CSV) or row (sheet)
        number in the source. ``quantity`` is 1 on every line when the source has none
        (a line's amount, or its unit price, is then the line's value); without an order
        id, a customer's lines with the same date and time form one order. ``attrs
        ["crmmine_source"]`` records the source, format, encoding, separator, header,
        schema, the mapping used and ``notes`` (defaults taken, unreadable values).

    Raises
    ------
    SourceNotFoundError, EmptySourceError, NotATableError, InputError
        The path is missing, empty, unreadable, a damaged gzip file or not a table (a
        basket-per-line file: see :func:`crmmine.read_baskets`).
    UnknownSchemaError, MappingError, MissingColumnError
        The schema is not a preset; a mapping points to a missing column, or two canonical
        columns to one; the file has duplicate column names; required columns are missing
        (all named in one message, with a mapping suggested from the file's own names).
    UnparseableValuesError
        Most values of a number or date column cannot be read, or the text cannot be decoded.

    Examples
    --------
    >>> import crmmine
    >>> tx = crmmine.read_transactions(crmmine.datasets.online_retail_sample_path())
    >>> list(tx.columns[:4])
    ['customer_id', 'order_id', 'order_date', 'product_id']
    """
    if isinstance(max_bad_fraction, bool) or not isinstance(max_bad_fraction, (int, float)) \
            or not 0 <= max_bad_fraction <= 1:
        raise ParameterError(f"The 'max_bad_fraction' parameter must be in [0, 1]. Got {max_bad_fraction!r} instead.")
    encoding = _check_encoding_name(encoding)
    if header not in (None, True, False):
        raise ParameterError(f"The 'header' parameter must be None, True or False. Got {header!r} instead.")
    engine = _resolve_engine(source, engine)
    if engine != "pandas":
        from ..engine.lazy import read_lazy

        return read_lazy(source, schema, engine=engine)
    frame, lines, info = _read_source(source, encoding=encoding, sheet_name=sheet_name, schema=schema, header=header)
    source_name = info["source"] if info["source"] != "DataFrame" else "the DataFrame"
    columns = [str(c) for c in frame.columns]
    first_fields = info.get("first_fields") if info.get("header") else None
    if info.get("premapped"):
        mapping, preset = {c: c for c in columns}, None
    else:
        mapping, preset = _resolve_schema(schema, columns, source_name, first_fields)
    _check_required(mapping, preset, columns, source_name, schema, first_fields)
    notes: list[str] = list(info.pop("notes", []) or [])
    info.pop("first_fields", None)

    out: dict = {}
    # the text columns are tidied in two threads (pyarrow's kernels release the GIL) while this one reads
    # the numbers and dates; a column's result does not depend on the others
    with ThreadPoolExecutor(max_workers=2) as pool:
        for canon, col in mapping.items():
            values = frame[col]
            if canon in TEXT_COLUMNS:
                is_id = canon in ("customer_id", "order_id", "product_id")
                out[canon] = pool.submit(_to_id if is_id else _to_text, values)
            elif canon in NUMERIC_COLUMNS:
                out[canon] = _to_number(values, col, lines, source_name, max_bad_fraction, info.get("separator"),
                                        notes)
            elif canon == "order_date":
                out[canon] = parse_dates(values, column=col, dayfirst=dayfirst, line_numbers=lines,
                                         max_bad_fraction=max_bad_fraction, source=source_name, problems=notes)
        out = {k: v.result() if isinstance(v, Future) else v for k, v in out.items()}
    del frame
    tx = pd.DataFrame(out, copy=False)
    tx.index = pd.RangeIndex(len(tx))
    if "order_id" not in tx and not (preset and preset.derive):
        stamp = pd.Series(tx["order_date"].dt.strftime("%Y%m%d%H%M%S").to_numpy(dtype=object), index=tx.index)
        key = tx["customer_id"].astype(object).fillna("guest").astype(str) + "-" + stamp.fillna("NaT")
        tx["order_id"] = pd.array(key.to_numpy(dtype=object), dtype=STRING_DTYPE)
        notes.append("no order id column: a customer's lines with the same date and time form one order "
                     "(order_id = customer_id-YYYYMMDDHHMMSS)")
    if "quantity" not in tx:
        tx["quantity"] = 1.0
        what = "amount" if "amount" in tx else "unit_price"
        notes.append(f"no quantity column: every line counts as quantity 1 (its {what} is the line's value); "
                     "identical lines are separate units, so clean() does not treat them as duplicates")
        info["quantity_defaulted"] = True
    if "amount" not in tx:
        tx["amount"] = tx["quantity"] * tx["unit_price"]
    elif "unit_price" not in tx:
        q = tx["quantity"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            tx["unit_price"] = np.where(q != 0, tx["amount"].to_numpy() / q, np.nan)
    tx["source_line"] = pd.Series(_owned(np.asarray(lines, dtype="int64")), index=tx.index, copy=False)
    if preset and preset.derive:
        tx = preset.derive(tx)
    tx = tx[[c for c in CANONICAL_COLUMNS if c in tx.columns]]
    schema_name = preset.name if preset else ("mapping" if isinstance(schema, Mapping) or
                                              str(schema).lower().endswith(".json") else str(schema))
    tx.attrs["crmmine_source"] = {**info, "schema": schema_name, "mapping": dict(mapping),
                                  "lines": int(len(tx)), "notes": notes}
    return tx
