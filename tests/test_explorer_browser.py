"""The explorer notebook in a real JupyterLab, driven in headless Chromium like a person would.

A JupyterLab server runs on a free local port with a token, on a temporary copy of
``notebooks/explore.ipynb``; Chromium (DevTools protocol, helpers of ``test_browser.py``) opens the
notebook, runs all cells through JupyterLab's own command, waits for the widgets, focuses the
"Min confidence" slider of the rules panel and presses the right-arrow key on it. The panel's
finding must then give the number of rules that crmmine gives for the slider's new value
(computed here in Python), and differ from the number before the move.

Chromium is Debian's ``chromium`` (``.ci/run`` installs it); without it the test skips, except in
CI (``CRMMINE_REQUIRE_SHARED_DATA=1``), where it fails.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from test_browser import _Page, chromium  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.slow  # a JupyterLab server, a kernel and a browser

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explore.ipynb"
FINDING = re.compile(r"([\d,]+) of ([\d,]+) mined rules pass the thresholds")
TIMEOUT = 150.0  # seconds for the whole notebook on a busy machine (about 20 s on an idle one)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server on a copy of the explorer; stopped (server and kernels) afterwards."""
    import psutil

    root = tmp_path / "lab"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"), "PYTHONUNBUFFERED": "1"}
    log = open(tmp_path / "lab.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--allow-root", "--LabApp.expose_app_in_browser=True",
         "--ServerApp.disable_check_xsrf=False", "--LabApp.news_url=", "--LabApp.check_for_updates_class="
         "jupyterlab.NeverCheckForUpdate"],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n"
                                       + (tmp_path / "lab.log").read_text(errors="replace")[-2000:]) from None
                time.sleep(0.3)
        yield {"url": f"{base}/lab/tree/{NOTEBOOK.name}?token={token}", "root": root,
               "log": tmp_path / "lab.log"}
    finally:
        children = []
        try:
            children = psutil.Process(proc.pid).children(recursive=True)  # the kernel(s)
        except psutil.Error:
            pass
        with_shutdown = urllib.request.Request(f"{base}/api/shutdown?token={token}", method="POST")
        try:
            urllib.request.urlopen(with_shutdown, timeout=10).read()
            proc.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait(timeout=10)
        for child in children:
            try:
                child.kill()
            except psutil.Error:
                pass
        log.close()


def _eval(page: _Page, expression: str, timeout: float = 60.0):
    """Evaluate an (async) expression in the page and return its value."""
    result = page.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True,
                       timeout=int(timeout * 1000))
    if "exceptionDetails" in result:
        raise RuntimeError(result["exceptionDetails"].get("exception", {}).get("description")
                           or result["exceptionDetails"].get("text"))
    return result["result"].get("value")


def _wait(page: _Page, expression: str, what: str, timeout: float):
    """Poll ``expression`` (JSON text) until its ``done`` field is true; its last value."""
    deadline = time.monotonic() + timeout
    state = {}
    while time.monotonic() < deadline:
        page.pump(0.5)
        state = json.loads(_eval(page, expression) or "{}")
        if state.get("done"):
            return state
    raise AssertionError(f"timed out waiting for {what}: {str(state)[:1500]}")


_NOTEBOOK_STATE = """
(() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.widgets) return JSON.stringify({done: false, why: 'no notebook'});
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const run = cells.filter(c => c.model.executionCount).length;
  const errors = cells.flatMap(c => c.model.outputs.toJSON()).filter(o => o.output_type === 'error')
    .map(o => o.ename + ': ' + o.evalue);
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const busy = panel.content.node.querySelectorAll('.jp-mod-running, .jp-InputPrompt:not(:empty)').length;
  const text = panel.content.node.innerText;
  const sliders = [...panel.content.node.querySelectorAll('.widget-slider')].map(
    s => (s.querySelector('.widget-label') || {}).innerText);
  return JSON.stringify({cells: cells.length, run, errors, status: kernel ? kernel.status : null,
    sliders, finding: (text.match(/[\\d,]+ of [\\d,]+ mined rules pass the thresholds/) || [null])[0],
    figures: panel.content.node.querySelectorAll('.js-plotly-plot .main-svg').length,
    done: (run === cells.length && kernel && kernel.status === 'idle' && sliders.length > 0) || errors.length > 0});
})()
"""

_FINDING_NOW = """
(() => {
  const text = window.jupyterapp.shell.currentWidget.content.node.innerText;
  const finding = (text.match(/[\\d,]+ of [\\d,]+ mined rules pass the thresholds/) || [''])[0];
  return JSON.stringify({finding, done: finding !== "" && finding.startsWith(%s)});
})()
"""

_SLIDER = """
(() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const slider = [...panel.content.node.querySelectorAll('.widget-slider')].find(
    s => (s.querySelector('.widget-label') || {}).innerText === %s);
  const handle = slider.querySelector('.noUi-handle');
  handle.scrollIntoView({block: 'center'});
  handle.focus();
  return JSON.stringify({focused: document.activeElement === handle,
                         readout: slider.querySelector('.widget-readout').innerText});
})()
"""


def _press(page: _Page, key: str, code: int) -> None:
    for kind in ("rawKeyDown", "keyUp"):
        page.call("Input.dispatchKeyEvent", type=kind, key=key, code=key, windowsVirtualKeyCode=code,
                  nativeVirtualKeyCode=code)


def test_explorer_runs_in_jupyterlab_and_a_slider_changes_the_rules(chromium, lab):  # noqa: F811
    import crmmine
    from crmmine.report import explorer
    from crmmine.text.labels import label, set_language

    set_language("en")
    slider_name = label("report.explore.min_confidence")
    page = _Page(chromium)
    try:
        page.call("Network.emulateNetworkConditions", offline=False, latency=0, downloadThroughput=-1,
                  uploadThroughput=-1)  # JupyterLab is served from 127.0.0.1
        page.call("Emulation.setFocusEmulationEnabled", enabled=True)  # headless: JupyterLab tracks the focused notebook
        page.call("Emulation.setDeviceMetricsOverride", width=1400, height=1000, deviceScaleFactor=1, mobile=False)
        page.call("Page.navigate", url=lab["url"])
        _wait(page, "JSON.stringify({done: !!(window.jupyterapp && window.jupyterapp.shell.currentWidget"
                    " && window.jupyterapp.shell.currentWidget.sessionContext"
                    " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                    " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel)})",
              "the notebook and its kernel", 90)
        assert _eval(page, "window.jupyterapp.commands.execute('notebook:run-all-cells').then(() => 'ok')",
                     timeout=TIMEOUT) == "ok"
        state = _wait(page, _NOTEBOOK_STATE, "all cells to run", TIMEOUT)
        assert state["errors"] == [], state["errors"]
        assert slider_name in state["sliders"], state["sliders"]
        before = FINDING.search(_wait(page, _FINDING_NOW % '""', "the rules panel's finding", 30)["finding"])
        assert before, state
        assert state["figures"] >= 1, "no plotly figure drawn in JupyterLab"

        focus = json.loads(_eval(page, _SLIDER % json.dumps(slider_name)))
        assert focus["focused"], focus
        start = float(focus["readout"])
        for _ in range(4):  # 4 steps of 0.05: 0.30 -> 0.50
            _press(page, "ArrowRight", 39)
            page.pump(0.2)
        moved = json.loads(_eval(page, _SLIDER % json.dumps(slider_name)))
        value = float(moved["readout"])
        assert value > start, f"the slider did not move: {focus['readout']} -> {moved['readout']}"

        # what crmmine gives at the new value, computed here
        panel = explorer.rules_panel(crmmine.load_clean("sample"), min_support=0.01, min_confidence=0.3,
                                     min_lift=1.0)
        expected_before = FINDING.search(panel.message).group(1)
        assert before.group(1) == expected_before, (before.group(0), panel.message)
        panel.controls["min_confidence"].value = value
        expected = FINDING.search(panel.message).group(1)
        assert expected != expected_before, "the move must change the rule count for this test to mean anything"

        after = _wait(page, _FINDING_NOW % json.dumps(f"{expected} of "), "the rules panel to update", 60)
        got = FINDING.search(after["finding"])
        assert got and got.group(1) == expected, (after["finding"], expected, value)
        assert got.group(2) == before.group(2)  # the mined rules are the same; only the filter moved
    finally:
        page.close()
    assert page.dialogs == []
