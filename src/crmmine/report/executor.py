"""papermill engines for the report runner: cells run in a forked child of the runner, or in a Jupyter kernel.

``crmmine report`` executes every notebook through papermill (parameters injected into the cell after
the one tagged ``parameters``, papermill's metadata, its error cell on failure). Two engines:

``"fork"`` (:class:`ForkEngine`, the default)
    The runner imports pandas, scikit-learn, plotly, IPython and crmmine once; for each report it forks
    a child of itself that runs the notebook's cells one by one in a fresh IPython shell (no Jupyter
    kernel, no ZMQ). The child captures what a kernel would send: stdout and stderr as stream outputs,
    ``display()`` and plotly figures as ``display_data``, a cell's last value as ``execute_result``, an
    exception as an ``error`` output with its traceback. One child per report and the child ends with
    its report, so nothing a notebook does reaches the next one; the child's own file descriptors 1 and
    2 go to the run's ``.kernel.log``. On Linux the child dies with the process that forked it.
``"kernel"`` (:class:`KernelEngine`)
    papermill's own engine (nbclient and a fresh Jupyter kernel per report, which imports everything
    again: a few seconds of CPU per report).

Nothing happens on import.
"""

from __future__ import annotations

import json
import os
import sys

__all__ = ["EXECUTORS", "ForkEngine", "KernelEngine", "ChildDiedError", "register", "warm_imports"]

#: ``executor`` values of :func:`crmmine.report.run_report`: papermill engine name of each.
EXECUTORS: dict[str, str] = {"fork": "crmmine-fork", "kernel": "crmmine-kernel"}

#: Modules the report notebooks and the functions they call import: imported once by the runner before
#: it forks, so that no report pays for them again (the notebooks' own imports are added by
#: :func:`warm_imports`).
_WARM_MODULES = (
    "numpy", "pandas", "scipy.optimize", "scipy.special", "scipy.stats", "plotly.graph_objects", "plotly.io",
    "plotly.offline", "plotly.subplots", "sklearn.cluster", "sklearn.metrics", "sklearn.linear_model",
    "sklearn.ensemble", "sklearn.preprocessing", "sklearn.model_selection", "sklearn.calibration",
    "sklearn.inspection", "IPython.core.interactiveshell", "IPython.display", "crmmine", "crmmine.report",
    "crmmine.plotting",
)


class ChildDiedError(RuntimeError):
    """The forked child running a notebook ended before the notebook did (killed, out of memory)."""


def warm_imports(notebooks=()) -> None:
    """Import what the report notebooks need, in this process, before it forks (errors ignored).

    Besides :data:`_WARM_MODULES`, every module a notebook's code cells import at their top level.
    The notebooks' lazily loaded data (plotly.js for the offline renderer) is read once as well.
    """
    import ast
    import contextlib
    import importlib

    names = list(_WARM_MODULES)
    for path in notebooks:
        with contextlib.suppress(Exception):  # noqa: BLE001 - a notebook we cannot read imports nothing here
            import nbformat

            for cell in nbformat.read(str(path), as_version=4).cells:
                if cell.cell_type != "code":
                    continue
                try:
                    tree = ast.parse("\n".join(line for line in cell.source.splitlines()
                                               if not line.lstrip().startswith(("%", "!"))))
                except SyntaxError:
                    continue
                for node in tree.body:
                    if isinstance(node, ast.Import):
                        names += [a.name for a in node.names]
                    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                        names.append(node.module)
                        names += [f"{node.module}.{a.name}" for a in node.names]
    for name in dict.fromkeys(names):
        if name in sys.modules:
            continue
        with contextlib.suppress(Exception):  # noqa: BLE001 - "from m import function" is not a module
            importlib.import_module(name)
    with contextlib.suppress(Exception):  # noqa: BLE001
        from plotly.offline import get_plotlyjs

        get_plotlyjs()


# --------------------------------------------------------------------------- the engines
def _engines():
    from papermill.engines import Engine, NBClientEngine

    class KernelEngine(NBClientEngine):
        """papermill's nbclient engine: a Jupyter kernel per notebook."""

    class ForkEngine(Engine):
        """Cells executed in a forked child of this (already warm) process; see the module's docstring."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, **kwargs):
            import nbformat

            child = _Child(os.getcwd(), os.environ.get("CRMMINE_RUN_DIR"))
            try:
                for index, cell in enumerate(nb_man.nb.cells):
                    nb_man.cell_start(cell, index)
                    try:
                        if cell.cell_type != "code" or not cell.source.strip():
                            continue
                        cell.outputs = []
                        outputs, count, failed = child.run(cell.source)
                        cell.execution_count = count
                        cell.outputs = [nbformat.from_dict(o) for o in outputs]
                        if failed and "raises-exception" not in cell.metadata.get("tags", []):
                            nb_man.cell_exception(cell, cell_index=index)
                            break
                    finally:
                        nb_man.cell_complete(cell, cell_index=index)
                nb_man.nb.metadata["language_info"] = child.language_info()
            finally:
                child.close()

    return KernelEngine, ForkEngine


def register() -> None:
    """Register the engines of :data:`EXECUTORS` with papermill (idempotent)."""
    from papermill.engines import papermill_engines

    kernel, fork = _engines()
    for name, engine in ((EXECUTORS["kernel"], kernel), (EXECUTORS["fork"], fork)):
        if name not in papermill_engines._engines:
            papermill_engines.register(name, engine)


def __getattr__(name):  # ForkEngine and KernelEngine are built on first use (papermill imported then)
    if name in ("ForkEngine", "KernelEngine"):
        kernel, fork = _engines()
        return fork if name == "ForkEngine" else kernel
    raise AttributeError(name)


# --------------------------------------------------------------------------- the child
class _Child:
    """A forked child of this process executing cells sent through a pipe."""

    def __init__(self, cwd: str, log_dir: str | None):
        import multiprocessing as mp

        ctx = mp.get_context("fork")
        self.conn, theirs = ctx.Pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        self.proc = ctx.Process(target=_serve, args=(theirs, cwd, log_dir), daemon=False)
        self.proc.start()
        theirs.close()

    def _ask(self, message):
        try:
            self.conn.send(message)
            return self.conn.recv()
        except (EOFError, OSError) as exc:
            self.proc.join(timeout=5)
            raise ChildDiedError(f"The notebook's process ended before the notebook did (exit code "
                                 f"{self.proc.exitcode}); it may have run out of memory or been killed.") from exc

    def run(self, source: str):
        """``(outputs as dicts, execution count, failed)`` of one cell."""
        return self._ask(("run", source))

    def language_info(self) -> dict:
        return self._ask(("info", None))

    def close(self) -> None:
        """End the child (at once when it is still working: Ctrl-C or a failure in this process)."""
        import contextlib

        if self.proc.is_alive():
            with contextlib.suppress(OSError):
                self.proc.kill()
        self.proc.join(timeout=30)
        self.conn.close()


def _die_with_parent() -> None:
    import contextlib
    import signal

    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):  # noqa: BLE001 - without it the child still ends with its pipe
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _serve(conn, cwd: str, log_dir: str | None) -> None:
    """The child's loop: run each cell the parent sends, answer with its outputs."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent says it once and ends this process
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the runner's handler: a SIGTERM here just ends the child
    _die_with_parent()
    if log_dir:  # C-level output (libraries writing to fd 1 or 2) goes to the run's log, as a kernel's does
        fd = os.open(os.path.join(log_dir, ".kernel.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    os.chdir(cwd)
    if "" not in sys.path:
        sys.path.insert(0, "")  # as in a kernel: modules next to the notebook's working folder
    shell = _make_shell()
    while True:
        try:
            kind, payload = conn.recv()
        except (EOFError, OSError):
            break
        if kind == "run":
            conn.send(shell.run(payload))
        elif kind == "info":
            conn.send(shell.language_info())
    conn.close()


def _make_shell():
    import platform

    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class Stream:
        """sys.stdout / sys.stderr of the child: text collected as a stream output of the current cell."""

        encoding = "utf-8"
        errors = "strict"

        def __init__(self, shell, name):
            self.shell, self.name = shell, name

        def write(self, text):
            if not isinstance(text, str):
                raise TypeError(f"write() argument must be str, not {type(text).__name__}")
            if text:
                self.shell.stream(self.name, text)
            return len(text)

        def writelines(self, lines):
            for line in lines:
                self.write(line)

        def flush(self):
            pass

        def isatty(self):
            return False

        def fileno(self):
            return 1 if self.name == "stdout" else 2

        @property
        def closed(self):
            return False

        def readable(self):
            return False

        def writable(self):
            return True

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            display_id = (transient or {}).get("display_id")
            out = {"output_type": "display_data", "data": data, "metadata": metadata or {}}
            if update and display_id is not None:
                self.shell.update_display(display_id, out)
            else:
                self.shell.add(out, display_id)

        def clear_output(self, wait=False):
            self.shell.clear(wait)

    class Hook(DisplayHook):
        def start_displayhook(self):
            pass

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            self.shell.add({"output_type": "execute_result", "execution_count": self.prompt_count,
                            "data": format_dict, "metadata": md_dict or {}})

        def finish_displayhook(self):
            pass

    class Shell(InteractiveShell):
        display_pub_class = Publisher
        displayhook_class = Hook

        def init_io(self):  # noqa: D102 - the streams are set per cell in run()
            pass

        def _showtraceback(self, etype, evalue, stb):
            self.add({"output_type": "error", "ename": str(etype.__name__), "evalue": str(evalue),
                      "traceback": list(stb)})
            self.failed = True

        # ----- outputs of the current cell
        def stream(self, name, text):
            if self.clear_pending:
                self.clear(False)
            last = self.outputs[-1] if self.outputs else None
            if last is not None and last["output_type"] == "stream" and last["name"] == name:
                last["text"] += text
            else:
                self.outputs.append({"output_type": "stream", "name": name, "text": text})

        def add(self, out, display_id=None):
            if self.clear_pending:
                self.clear(False)
            if display_id is not None:
                self.display_ids.setdefault(display_id, []).append(len(self.outputs))
            self.outputs.append(out)

        def update_display(self, display_id, out):
            for i in self.display_ids.get(display_id, []):
                if i < len(self.outputs):
                    self.outputs[i] = {**out, "output_type": self.outputs[i]["output_type"],
                                       **({"execution_count": self.outputs[i]["execution_count"]}
                                          if "execution_count" in self.outputs[i] else {})}

        def clear(self, wait):
            if wait:
                self.clear_pending = True
            else:
                self.outputs, self.display_ids, self.clear_pending = [], {}, False

        def run(self, source):
            self.outputs, self.display_ids, self.clear_pending, self.failed = [], {}, False, False
            saved = sys.stdout, sys.stderr
            sys.stdout, sys.stderr = Stream(self, "stdout"), Stream(self, "stderr")
            try:
                result = self.run_cell(source, store_history=True, silent=False)
            finally:
                sys.stdout, sys.stderr = saved
            failed = self.failed or not result.success
            if failed and not any(o["output_type"] == "error" for o in self.outputs):
                exc = result.error_in_exec or result.error_before_exec
                self.outputs.append({"output_type": "error", "ename": type(exc).__name__ if exc else "Error",
                                     "evalue": str(exc) if exc else "the cell failed", "traceback": []})
            count = result.execution_count if result.execution_count is not None else self.execution_count - 1
            return _json_clean(self.outputs), count, failed

        def language_info(self):
            return {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                    "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                    "pygments_lexer": "ipython3", "version": platform.python_version()}

    try:  # cells compiled to /tmp/ipykernel_<pid>/<hash>.py, as a kernel does: the same tracebacks and warnings
        from ipykernel.compiler import XCachingCompiler

        Shell.compiler_class = XCachingCompiler
    except ImportError:  # pragma: no cover - ipykernel is a dependency
        pass
    import warnings

    def show_warning(message, category, filename, lineno, file=None, line=None):
        (file or sys.stderr).write(warnings.formatwarning(message, category, filename, lineno, line))

    # warnings are printed (to the cell's stderr) as in a fresh kernel, whoever was recording them in the parent
    warnings.showwarning = show_warning
    config = Config()
    config.HistoryManager.enabled = False  # no sqlite history file shared by concurrent runs
    shell = Shell.instance(config=config)
    shell.outputs, shell.display_ids, shell.clear_pending, shell.failed = [], {}, False, False
    return shell


def _json_clean(outputs: list) -> list:
    """Outputs as plain JSON types (a kernel sends JSON: numpy numbers and the like become numbers or text)."""
    return json.loads(json.dumps(outputs, default=_default))


def _default(obj):
    import numbers

    if isinstance(obj, numbers.Integral):
        return int(obj)
    if isinstance(obj, numbers.Real):
        return float(obj)
    if isinstance(obj, bytes):
        import base64

        return base64.b64encode(obj).decode("ascii")
    return str(obj)
