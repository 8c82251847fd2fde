"""Where the report notebooks' cells run: a forked child of the runner (the default) or a Jupyter kernel.

Both go through papermill. The forked child must give the notebook the outputs a kernel gives (streams,
display data, a cell's value, errors), fail a run the same way, keep no state from one report to the next,
and end with the run on Ctrl-C.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

import crmmine
from crmmine.errors import ParameterError, ReportError
from crmmine.report import run_report, run_reports

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
OK, FAIL, SLEEP = (FIXTURES / f"{n}_report.ipynb" for n in ("ok", "fail", "sleep"))

CELLS = [
    'x = 2  # parameters\nlabel = "a"',
    'import sys\nprint("to stdout", x)\nprint("more", end="")\nprint("!")\n_ = sys.stderr.write("to stderr\\n")',
    'from IPython.display import HTML, Markdown, display\ndisplay(HTML("<b>bold</b>"))\n'
    'display(Markdown("# Title " + label))\nprint("after")',
    'import pandas as pd\ndf = pd.DataFrame({"a": [1, 2], "b": [0.5, None]})\ndf',
    "x * 21",
    "x * 21;",  # a trailing semicolon hides the value
    "",
    "import warnings\nwarnings.warn('careful')\nNone",
    "1 / 0 if x < 0 else None\ndef f():\n    raise ValueError('not raised')",
    'display({"text/plain": "raw"}, raw=True)\n{"k": [1, 2.5]}',
]


def _notebook(path: Path, cells=CELLS) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, source in enumerate(cells):
        cell = nbformat.v4.new_code_cell(source)
        if i == 0:
            cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nbformat.write(nb, str(path))
    return path


def _outputs(nb_path: Path) -> list:
    nb = nbformat.read(str(nb_path), as_version=4)
    out = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            outputs = []
            for o in cell.outputs:
                o = dict(o)
                if o.get("output_type") == "stream":
                    o["text"] = re.sub(r"/\S+\.py:\d+", "FILE:LINE", o["text"])  # warnings name their file
                outputs.append(o)
            out.append((cell.execution_count, outputs))
    return out


def test_forked_child_gives_the_outputs_a_kernel_gives(tmp_path):
    nb = _notebook(tmp_path / "probe_report.ipynb")
    fork = run_report(nb, parameters={"x": 3}, out=tmp_path / "fork", executor="fork")
    kernel = run_report(nb, parameters={"x": 3}, out=tmp_path / "kernel", executor="kernel")
    got, want = _outputs(fork.notebook), _outputs(kernel.notebook)
    assert got == want
    # pinned, so that a change in both would show too
    assert got[2] == (3, [{"output_type": "stream", "name": "stdout", "text": "to stdout 3\nmore!\n"},
                          {"output_type": "stream", "name": "stderr", "text": "to stderr\n"}])
    assert got[5] == (6, [{"output_type": "execute_result", "execution_count": 6, "metadata": {},
                           "data": {"text/plain": "63"}}])
    assert got[6] == (7, []) and got[7] == (None, [])
    assert [o["output_type"] for o in got[3][1]] == ["display_data", "display_data", "stream"]
    assert set(got[4][1][0]["data"]) == {"text/plain", "text/html"}
    fork_nb = nbformat.read(str(fork.notebook), as_version=4)
    assert fork_nb.metadata.papermill.parameters == {"x": 3, "label": "a"}  # papermill injected them
    assert fork_nb.metadata.language_info.name == "python"
    assert fork.manifest["status"] == "ok"


def test_fixture_report_html_is_the_same_both_ways(tmp_path):
    pages = {}
    for executor in ("fork", "kernel"):
        run = run_report(OK, parameters={"top_n": 3}, out=tmp_path / executor, executor=executor)
        html = run.html.read_text(encoding="utf-8")
        # figure ids and the injected cell's id are random
        html = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID", html)
        pages[executor] = re.sub(r"cell-id=[0-9a-f]{8}", "cell-id=ID", html)
        assert html.count("Plotly.newPlot(") == 2 and html.count("* plotly.js v") == 1
    assert pages["fork"] == pages["kernel"]


def test_a_failed_cell_fails_the_run_with_one_line(tmp_path):
    with pytest.raises(ReportError, match=r"The fail report failed: ParameterError in cell \[\d+\]: The 'top_n' "
                                          r"parameter must be an integer >= 1\. Got 0 instead\. The executed"):
        run_report(FAIL, out=tmp_path, executor="fork")
    (failed,) = (tmp_path / "fail").glob("*.failed")
    nb = nbformat.read(str(failed / "fail_report.ipynb"), as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert len(errors) == 1 and errors[0]["ename"] == "ParameterError" and errors[0]["traceback"]
    assert nb.metadata.papermill.exception is True
    assert "Got 0 instead" in (failed / "report.html").read_text(encoding="utf-8")


def test_no_state_leaks_from_one_report_to_the_next(tmp_path):
    cells = ['x = 1  # parameters', "import json\nimport crmmine\n"
             "assert not hasattr(json, 'leak') and not hasattr(crmmine, 'leak'), 'state leaked'\n"
             "json.leak = crmmine.leak = 1\nassert 'leaky' not in globals()\nleaky = 1"]
    a = _notebook(tmp_path / "a_report.ipynb", cells)
    b = _notebook(tmp_path / "b_report.ipynb", cells)
    for jobs in (1, 2):
        results = run_reports([a, b, a], out=tmp_path / f"out{jobs}", jobs=jobs, executor="fork")
        assert [r.status for r in results] == ["ok"] * 3
    assert not hasattr(crmmine, "leak")  # nor into the process that ran them


def test_executor_is_checked():
    with pytest.raises(ParameterError, match="The 'executor' parameter must be one of 'fork', 'kernel'"):
        run_report(OK, executor="thread")


def _cli(*args, env=None):
    env = {**os.environ, **(env or {}),
           "PYTHONPATH": os.pathsep.join([str(Path(crmmine.__file__).parents[1]), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-m", "crmmine", "report", *args], env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _stop_sleep_report(out, executor, stop, *, env=None, started=None):
    """Start the sleep report, wait until its cell runs, call ``stop(proc)``; returns (returncode, stderr)."""
    proc = _cli(str(SLEEP), "--out", str(out), "-p", "sleep_seconds=120", "--executor", executor, env=env)
    try:
        deadline = time.monotonic() + 90
        while not list((out / "sleep").glob(".tmp-*/artifacts/audit.csv")):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the run did not start"
            time.sleep(0.2)
        if started is not None:
            started()
        time.sleep(0.5)
        stop(proc)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    time.sleep(1.0)
    with pytest.raises(ProcessLookupError):  # nothing of the run is left running
        os.killpg(proc.pid, 0)
    assert not list((out / "sleep").glob(".tmp-*"))
    (run,) = (out / "sleep").glob("*.interrupted")
    assert run.is_dir()
    return proc.returncode, err.decode()


@pytest.mark.parametrize("executor", ["fork", "kernel"])
def test_ctrl_c_ends_cleanly_with_one_line(tmp_path, executor):
    # Ctrl-C reaches the whole foreground group
    code, err = _stop_sleep_report(tmp_path / "reports", executor, lambda p: os.killpg(p.pid, signal.SIGINT))
    assert code == 130 and err == "crmmine: interrupted\n"


@pytest.mark.parametrize("executor", ["fork", "kernel"])
def test_sigterm_ends_cleanly_and_leaves_no_temporary_files(tmp_path, executor):
    """A scheduler's time limit (SIGTERM to the runner only): exit 143, one line, the run marked interrupted,
    no half-written report, no folder of handed-over lines left in the temp dir, nothing left running."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()

    def started():
        assert list(tmp.glob("crmmine-prepared-*")), "the run's private folder is where TMPDIR says"

    code, err = _stop_sleep_report(tmp_path / "reports", executor, lambda p: p.send_signal(signal.SIGTERM),
                                   env={"TMPDIR": str(tmp)}, started=started)  # to the runner only, as `kill PID`
    assert code == 143 and err == "crmmine: terminated\n"
    assert not list(tmp.glob("crmmine-prepared-*"))


def test_c_level_output_goes_to_the_run_log_not_the_terminal(tmp_path, capfd):
    nb = _notebook(tmp_path / "noisy_report.ipynb", ["x = 1  # parameters",
                                                     "import os\nos.write(2, b'from C\\n')\nprint('in the notebook')"])
    run = run_report(nb, out=tmp_path, executor="fork")
    captured = capfd.readouterr()
    assert "from C" not in captured.err + captured.out
    assert (run.path / ".kernel.log").read_text() == "from C\n"
    assert _outputs(run.notebook)[2] == (3, [{"output_type": "stream", "name": "stdout",
                                              "text": "in the notebook\n"}])


def test_fork_falls_back_to_a_kernel_inside_ipython(monkeypatch):
    from crmmine.report import runner

    assert runner._executor("fork") == "fork" and runner._executor("kernel") == "kernel"
    monkeypatch.setattr(runner, "_inside_ipython", lambda: True)
    assert runner._executor("fork") == "kernel"


def test_a_child_that_dies_fails_the_run_with_its_reason(tmp_path):
    nb = _notebook(tmp_path / "dies_report.ipynb", ["x = 1  # parameters", "print('before')",
                                                    "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
                                                    "print('never')"])
    with pytest.raises(ReportError, match=r"The dies report failed: ChildDiedError: The notebook's process ended "
                                          r"before the notebook did \(exit code -9\); it may have run out of memory "
                                          r"or been killed\. The executed notebook is"):
        run_report(nb, out=tmp_path, executor="fork")
    (failed,) = (tmp_path / "dies").glob("*.failed")
    manifest = json.loads((failed / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed" and manifest["error"].startswith("ChildDiedError: ")
