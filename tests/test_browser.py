"""The HTML reports open in a real browser (headless Chromium), offline, with every figure drawn.

Chromium is driven through the DevTools protocol (``websocket-client``): the network is switched
off before the page loads, and every script exception, console error, failed load and JavaScript
dialog (``alert``) is recorded. A page passes when the number of plotly figures drawn (a
``.js-plotly-plot`` holding an ``svg.main-svg``) equals the number of figure outputs in the
executed notebook and nothing was recorded.

Chromium is Debian's ``chromium`` (``.ci/run`` installs it). Without it the tests skip, except in
CI (``CRMMINE_REQUIRE_SHARED_DATA=1``), where they fail.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

import crmmine
from crmmine.report import REPORTS, run_report, run_reports

websocket = pytest.importorskip("websocket")

pytestmark = pytest.mark.slow  # each test runs a notebook and a browser

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "--remote-allow-origins=*"]
EVIL_NAME = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def chromium():
    if CHROMIUM is None:
        msg = "chromium is not installed (apt-get install chromium; .ci/run does it)"
        if os.environ.get("CRMMINE_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    return CHROMIUM


class _Page:
    """A headless Chromium tab driven over the DevTools protocol; records errors and dialogs."""

    def __init__(self, binary: str, timeout: float = 60.0):
        self.user_dir = tempfile.mkdtemp(prefix="crmmine-chromium-")
        self.proc = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={self.user_dir}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.user_dir) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=timeout))
        url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(url, timeout=timeout, suppress_origin=True)
        self.next_id = 0
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.loaded = False
        for method in ("Runtime.enable", "Log.enable", "Page.enable", "Network.enable"):
            self.call(method)
        self.call("Network.emulateNetworkConditions", offline=True, latency=0, downloadThroughput=-1,
                  uploadThroughput=-1)

    def _event(self, msg: dict) -> None:
        method, params = msg.get("method"), msg.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = params["exceptionDetails"]
            self.errors.append(f"exception: {d.get('exception', {}).get('description') or d.get('text')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append("console: " + " ".join(str(a.get("value", a.get("description")))
                                                      for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}")
        elif method == "Network.loadingFailed":
            self.errors.append(f"network: {params.get('errorText')}")
        elif method == "Page.javascriptDialogOpening":
            self.dialogs.append(params.get("message", ""))
            self.send("Page.handleJavaScriptDialog", accept=True)
        elif method == "Page.loadEventFired":
            self.loaded = True

    def send(self, method: str, **params) -> int:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        return self.next_id

    def call(self, method: str, **params) -> dict:
        wanted = self.send(method, **params)
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == wanted:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._event(msg)

    def pump(self, seconds: float) -> None:
        self.ws.settimeout(seconds)
        try:
            while True:
                self._event(json.loads(self.ws.recv()))
        except websocket.WebSocketTimeoutException:
            pass
        finally:
            self.ws.settimeout(60)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def open(self, path: Path, n_figures: int, timeout: float = 60.0) -> dict:
        self.call("Page.navigate", url=path.resolve().as_uri())
        deadline = time.monotonic() + timeout
        state = {}
        while time.monotonic() < deadline:
            self.pump(0.5)
            state = self.evaluate(
                "JSON.stringify({plots: document.querySelectorAll('.js-plotly-plot').length,"
                " drawn: [...document.querySelectorAll('.js-plotly-plot')]"
                ".filter(el => el.querySelector('svg.main-svg') && el.querySelector('.plot-container')).length,"
                " plotly: typeof window.Plotly, text: document.body ? document.body.innerText : ''})")
            state = json.loads(state)
            if self.loaded and (state["drawn"] >= n_figures or self.errors or self.dialogs):
                break
        self.pump(1.0)  # late errors
        return state

    def close(self) -> None:
        if getattr(self, "ws", None) is not None:
            self.ws.close()
        self.proc.kill()
        self.proc.wait(timeout=30)
        shutil.rmtree(self.user_dir, ignore_errors=True)


def _figure_outputs(notebook: Path) -> int:
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    return sum('class="plotly-graph-div"' in "".join(o.get("data", {}).get("text/html", ""))
               for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


def _check_page(binary: str, run) -> dict:
    n = _figure_outputs(run.notebook)
    assert n > 0, f"{run.notebook} has no figure output"
    page = _Page(binary)
    try:
        state = page.open(run.html, n)
    finally:
        page.close()
    assert page.dialogs == [], f"{run.html}: a script in the data ran (dialog {page.dialogs})"
    assert page.errors == [], f"{run.html}: {page.errors}"
    assert state["plotly"] == "object", "plotly.js is not loaded in the page"
    assert state["plots"] == n and state["drawn"] == n, f"{run.html}: {state['drawn']} of {n} figures drawn"
    return state


@pytest.fixture(scope="module")
def evil_data(tmp_path_factory):
    """The bundled sample with its best-selling products renamed to a script and to formulas."""
    import pandas as pd

    raw = pd.read_csv(crmmine.datasets.online_retail_sample_path(), dtype=str)
    top = (crmmine.load_clean("sample").transactions.groupby("product_id")["amount"].sum()
           .sort_values(ascending=False).index[:3])
    for code, name in zip(top, [EVIL_NAME, '=HYPERLINK("http://example.com","x")', "@SUM(1+1)"], strict=True):
        raw.loc[raw["StockCode"] == code, "Description"] = name
    path = tmp_path_factory.mktemp("evil") / "evil_shop.csv"
    raw.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def evil_run(evil_data, tmp_path_factory):
    return run_report(FIXTURES / "ok_report.ipynb", parameters={"data_path": str(evil_data), "top_n": 5},
                      out=tmp_path_factory.mktemp("reports"))


def test_fixture_report_renders_offline_and_data_stays_text(chromium, evil_run):
    run = evil_run
    state = _check_page(chromium, run)
    assert EVIL_NAME in state["text"]  # shown as text in the table
    html = run.html.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    csv = (run.artifacts / "top_products.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in csv and "'@SUM(1+1)" in csv
    assert "\n=" not in csv and ",=" not in csv and ",@" not in csv


def test_browser_check_can_fail(chromium, evil_run, tmp_path):
    # the checks must be able to fail: the same report with plotly.js removed draws no figure ...
    shutil.copytree(evil_run.path, tmp_path / "run")
    run = dataclasses.replace(evil_run, path=tmp_path / "run")
    html = run.html.read_text(encoding="utf-8")
    start = html.index('<script type="text/javascript">', html.index("window.PlotlyConfig"))
    end = html.index("</script>", start)
    run.html.write_text(html[:start] + "<script>" + html[end:], encoding="utf-8")
    with pytest.raises(AssertionError, match="plotly.js is not loaded|figures drawn|ReferenceError"):
        _check_page(chromium, run)
    # ... and a page whose data became code opens a dialog, which is recorded
    page = _Page(chromium)
    try:
        evil = tmp_path / "evil.html"
        evil.write_text(f"<html><body>{EVIL_NAME}</body></html>", encoding="utf-8")
        page.open(evil, 0)
    finally:
        page.close()
    assert page.dialogs == ["1"]


REAL = [name for name, nb in REPORTS.items() if (NOTEBOOKS / nb).exists()]


@pytest.mark.skipif(not REAL, reason="no report notebook in notebooks/ yet")
def test_every_report_renders_in_chromium(chromium, tmp_path):
    results = run_reports(REAL, out=tmp_path / "reports")
    for run in results:
        _check_page(chromium, run)


@pytest.mark.skipif("crosssell" not in REAL, reason="the cross-sell report notebook is not in notebooks/ yet")
def test_real_report_keeps_script_names_as_text(chromium, evil_data, tmp_path):
    # product names are shown by the cross-sell report (item frequency, rules, recommendations)
    run = run_report("crosssell", parameters={"data_path": str(evil_data)}, out=tmp_path / "reports")
    _check_page(chromium, run)  # no dialog: the script in the data did not run
    html = run.html.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    cells = [cell for p in sorted(run.artifacts.glob("*.csv"))
             for row in csv.reader(io.StringIO(p.read_text(encoding="utf-8"))) for cell in row]
    assert "alert(1)" in html  # the name did reach the report, as text
    bad = [c for c in cells if c.startswith(("=", "@", "+")) or (c.startswith("-") and not _is_number(c))]
    assert bad == [], f"formulas reached a CSV artefact: {bad[:3]}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
