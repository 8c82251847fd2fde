"""The command line: profile, and one line on stderr with exit 2 for every bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SAMPLE = "data/sample/online_retail_sample.csv.gz"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "crmmine", *args], capture_output=True, text=True, cwd=cwd)


def test_help():
    r = run("--help")
    assert r.returncode == 0 and "profile" in r.stdout


def test_profile_on_the_sample(request):
    root = request.config.rootpath
    r = run("profile", str(root / SAMPLE))
    assert r.returncode == 0, r.stderr
    assert "lines        92,069" in r.stdout and "customers    1,000" in r.stdout
    assert "missing_customer_id" in r.stdout and "kept" in r.stdout
    j = run("profile", str(root / SAMPLE), "--json")
    summary = json.loads(j.stdout)
    assert summary["lines"] == 92_069 and summary["schema"] == "online_retail"
    assert sum(a["lines"] for a in summary["audit"][1:]) == summary["lines"]


@pytest.mark.slow
def test_profile_on_the_full_file(online_retail_path):
    r = run("profile", str(online_retail_path), "--json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["lines"] == 541_909 and s["customers"] == 4_372 and s["orders"] == 25_900 and s["products"] == 4_070


def bad_inputs(tmp_path):
    header = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    good = "536365,85123A,X,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "picture.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (tmp_path / "nocust.csv").write_text("order,date,sku,qty,price\n1,2011-01-01,A,1,2\n")
    (tmp_path / "dates.csv").write_text(header + good.replace("2010-12-01 08:26:00", "someday") * 3)
    (tmp_path / "numbers.csv").write_text(header + good.replace(",6,", ",six,") * 3)
    (tmp_path / "ok.csv").write_text(header + good)
    (tmp_path / "mapping.json").write_text(json.dumps({"customer_id": "Kunde"}))
    return {
        "missing file": (["profile", str(tmp_path / "absent.csv")], "does not exist"),
        "empty file": (["profile", str(tmp_path / "empty.csv")], "is empty"),
        "not a table": (["profile", str(tmp_path / "picture.csv")], "not a table but a PNG image"),
        "missing column": (["profile", str(tmp_path / "nocust.csv")], "no column for 'customer_id'"),
        "unreadable dates": (["profile", str(tmp_path / "dates.csv")], "cannot be read as dates"),
        "unreadable numbers": (["profile", str(tmp_path / "numbers.csv")], "line 2: 'six'"),
        "unknown preset": (["profile", str(tmp_path / "ok.csv"), "--schema", "nope"], "not a known preset"),
        "mapping to a missing column": (["profile", str(tmp_path / "ok.csv"), "--schema",
                                         str(tmp_path / "mapping.json")], "'Kunde', which is not in"),
        "missing mapping file": (["profile", str(tmp_path / "ok.csv"), "--schema", str(tmp_path / "m2.json")],
                                 "does not exist"),
        "usage error": (["profile"], "required: path"),
        "unknown command": (["frobnicate"], "invalid choice"),
    }


@pytest.mark.parametrize("case", ["missing file", "empty file", "not a table", "missing column", "unreadable dates",
                                  "unreadable numbers", "unknown preset", "mapping to a missing column",
                                  "missing mapping file", "usage error", "unknown command"])
def test_bad_input_is_one_line_and_exit_2(tmp_path, case):
    args, expected = bad_inputs(tmp_path)[case]
    r = run(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("crmmine: error: ") and expected in lines[0]
    assert "Traceback" not in r.stderr
