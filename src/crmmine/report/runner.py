"""Run a report notebook into ``OUT/<report>/<run-id>/``, atomically, with a manifest.

A run is built in ``OUT/<report>/.tmp-<run-id>/`` and renamed into place when complete:

``OUT/<report>/<run-id>/``
    ``report.html`` (code hidden, offline), the executed notebook, ``artifacts/`` (CSV and
    Parquet written by the notebook through :func:`crmmine.write_table`) and ``manifest.json``.
``OUT/<report>/<run-id>.failed/``
    A run whose notebook raised: the executed notebook with the error, its HTML and a manifest
    with ``"status": "failed"``.
``OUT/<report>/<run-id>.killed/``
    A run whose process died (killed, power cut): found by the next run, which renames it and
    marks its manifest ``"killed"``.
``OUT/<report>/latest``
    A symbolic link to the newest good run (replaced atomically); where symbolic links cannot be
    made, a small text file holding the run id.
``OUT/index.html``
    Every run of every report with its status.

Earlier runs are never modified by a later one.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as _dt
import functools
import hashlib
import html
import json
import os
import secrets
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ParameterError, ReportError

__all__ = [
    "EVENT_REPORTS",
    "REPORTS",
    "RunResult",
    "notebook_dir",
    "resolve_notebook",
    "notebook_parameters",
    "parse_parameter_value",
    "prepare_parameters",
    "run_report",
    "run_reports",
    "latest_run",
    "list_runs",
    "write_index",
]

#: Report name -> notebook file in ``notebooks/``.
REPORTS: dict[str, str] = {
    "segments": "segment_report.ipynb",
    "crosssell": "crosssell_report.ipynb",
    "churn": "churn_report.ipynb",
    "loyalty": "loyalty_report.ipynb",
    "behaviour": "behaviour_report.ipynb",
}
#: Reports that read a behaviour-event log (crmmine.read_events) instead of transactions.
EVENT_REPORTS: tuple[str, ...] = ("behaviour",)

_PACKAGES = ("crmmine", "pandas", "numpy", "scipy", "scikit-learn", "mlxtend", "plotly", "pyarrow", "papermill",
             "nbconvert", "nbformat", "ipykernel", "jupyter_client")
_TMP_PREFIX = ".tmp-"
_OWNER_FILE = ".owner.json"
_RUNNER_PARAMETERS = ("output_dir",)


@dataclass
class RunResult:
    """What one report run produced.

    Attributes
    ----------
    report : str
        Report name (``"segments"``, or a notebook's stem without ``_report``).
    run_id : str
        Sortable id, e.g. ``"20261123T110512Z-3f9a"``.
    status : {"ok", "failed"}
    path : pathlib.Path
        The run's folder (``<run-id>`` or ``<run-id>.failed``).
    manifest : dict
        The content of ``manifest.json``.
    """

    report: str
    run_id: str
    status: str
    path: Path
    manifest: dict = field(repr=False)

    @property
    def html(self) -> Path:
        """The report page."""
        return self.path / "report.html"

    @property
    def notebook(self) -> Path:
        """The executed notebook."""
        return self.path / self.manifest["notebook"]

    @property
    def artifacts(self) -> Path:
        """The folder of CSV and Parquet artefacts."""
        return self.path / "artifacts"


# --------------------------------------------------------------------------- notebooks and parameters
def notebook_dir() -> Path:
    """The repository's ``notebooks/`` folder (crmmine installed in editable mode from a clone).

    Raises
    ------
    ReportError
        When the folder does not exist (e.g. crmmine installed from a wheel).
    """
    path = Path(__file__).resolve().parents[3] / "notebooks"
    if not path.is_dir():
        raise ReportError(
            f"The report notebooks folder {path} does not exist. Install crmmine from a clone of its repository "
            "('pip install -e .') or give the notebook's path: 'crmmine report path/to/report.ipynb'."
        )
    return path


def resolve_notebook(report: str | os.PathLike) -> tuple[str, Path]:
    """``(report name, notebook path)`` for a report name in :data:`REPORTS` or a notebook path."""
    text = str(report)
    if text in REPORTS:
        path = notebook_dir() / REPORTS[text]
        if not path.exists():
            raise ReportError(f"The {text} report's notebook {path} does not exist; the '{text}' report is not "
                              f"available in this checkout.")
        return text, path
    if text.endswith(".ipynb"):
        path = Path(text).expanduser().resolve()
        if not path.exists():
            raise ParameterError(f"The notebook {text!r} does not exist. Give the path of a parameterised notebook "
                                 f"or one of the reports: {', '.join(REPORTS)}.")
        known = {nb: name for name, nb in REPORTS.items()}
        if path.name in known:
            return known[path.name], path
        stem = path.stem
        return (stem[: -len("_report")] if stem.endswith("_report") else stem), path
    raise ParameterError(f"The 'report' parameter must be one of {', '.join(map(repr, REPORTS))}, 'all' or the path "
                         f"of a .ipynb notebook. Got {text!r} instead.")


def notebook_parameters(notebook) -> dict[str, dict]:
    """The parameters of a notebook's cell tagged ``parameters``: ``{name: {"default", "help"}}``.

    The cell is parsed with :mod:`ast` (every top-level assignment counts, whatever its
    comment holds; papermill's own inspector skips lines with two ``=``). A default that is
    not a literal is recorded as its source text with ``"literal": False``.
    """
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]
    if not cells:
        raise ReportError(f"The notebook {notebook} has no cell tagged 'parameters'; papermill cannot inject "
                          "parameters into it. Tag the cell of defaults 'parameters'.")
    src = cells[0].source
    lines = src.splitlines()
    out: dict[str, dict] = {}
    for node in ast.parse(src).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        line = lines[node.lineno - 1]
        comment = line.split("#", 1)[1].strip() if "#" in line else ""
        try:
            default, literal = ast.literal_eval(value), True
        except ValueError:
            default, literal = ast.get_source_segment(src, value), False
        out[target.id] = {"default": default, "literal": literal, "help": comment}
    return out


def _resolve_text(text: str):
    # papermill's command-line rule (papermill/cli.py, _resolve_type)
    if text in ("True", "False"):
        return text == "True"
    if text == "None":
        return None
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def _type_name(value) -> str:
    return {bool: "True or False", int: "an integer", float: "a number", str: "text", list: "a list",
            dict: "a dict", tuple: "a tuple"}.get(type(value), type(value).__name__)


def parse_parameter_value(name: str, value, default, *, where: str = "the notebook"):
    """A parameter value given as text (``-p name=value``) converted to the type of its default.

    Text is read as papermill's command line reads it (``True``/``False``/``None``, integers,
    numbers, else text), then compared with the default's type: a text default takes the text as
    given (``-p customer_id=12345`` stays ``"12345"``), a float default accepts an integer, a
    list or dict default takes a Python literal. ``None`` is accepted for a default of ``None``
    or for a parameter :func:`crmmine.check_parameters` knows (it checks it next).

    Raises
    ------
    ParameterError
        When the value does not have the default's type.
    """
    from .parameters import PARAMETER_RULES

    raw = value
    value = _resolve_text(raw) if isinstance(raw, str) else raw
    if default is None:
        return value
    if value is None:
        if name in PARAMETER_RULES:
            return None
    elif isinstance(default, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(default, str):
        return raw if isinstance(raw, str) else value if isinstance(value, str) else _bad(name, raw, default, where)
    elif isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(default, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif isinstance(default, (list, tuple, dict)):
        if isinstance(raw, str):
            with contextlib.suppress(ValueError, SyntaxError):
                value = ast.literal_eval(raw)
        if isinstance(value, type(default)):
            return value
    else:
        return value
    return _bad(name, raw, default, where)


def _bad(name, raw, default, where):
    raise ParameterError(f"The '{name}' parameter of {where} must be {_type_name(default)} like its default "
                         f"{default!r}. Got {raw!r} instead.")


def prepare_parameters(notebook, overrides: dict | None = None) -> dict:
    """The parameters a run injects: the notebook's defaults updated by ``overrides``, checked.

    Each override must be a parameter of the notebook, of its default's type
    (:func:`parse_parameter_value`); then :func:`crmmine.check_parameters` checks the values it
    knows. ``output_dir`` is set by the runner and cannot be overridden.

    Raises
    ------
    ParameterError
        An unknown name, a wrong type, or a value :func:`crmmine.check_parameters` rejects.
    """
    from .parameters import check_parameters

    declared = notebook_parameters(notebook)
    where = Path(notebook).name
    values = {n: d["default"] for n, d in declared.items() if d["literal"]}
    for name, value in (overrides or {}).items():
        if name in _RUNNER_PARAMETERS:
            raise ParameterError(f"The '{name}' parameter is set by the runner (artefacts go into the run's "
                                 f"artifacts/ folder); use --out to choose where runs are written.")
        if name not in declared:
            raise ParameterError(f"The '{name}' parameter is not a parameter of {where}. Its parameters are: "
                                 f"{', '.join(sorted(declared))}.")
        values[name] = parse_parameter_value(name, value, declared[name]["default"], where=where)
    check_parameters(**values)  # raises on a bad value; keep the plain values for injection
    return {n: v for n, v in values.items() if n in (overrides or {}) or n in declared}


# --------------------------------------------------------------------------- manifest material
def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def _iso(t: _dt.datetime) -> str:
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")


def _new_run_id(t: _dt.datetime) -> str:
    return f"{t:%Y%m%dT%H%M%S}Z-{secrets.token_hex(2)}"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _versions() -> dict:
    return dict(_package_versions())


@functools.lru_cache(maxsize=1)
def _package_versions() -> dict:
    """Installed versions (read once per process: the runner reads them before it forks its workers)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0]}
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def _event_input_summary(data_path, schema, engine=None) -> dict:
    """Input event log, its sha256, line counts and reading audit (read here: it is fast).

    With ``engine="duckdb"`` (or ``"auto"`` and a folder or glob) the log is counted by DuckDB: a
    Parquet folder or glob is not read into memory here, and every kernel reads it again lazily
    (there is no cleaning to hand over: the engine's reader keeps every event of a known type)."""
    from ..behaviour import load_events
    from ..datasets import events_sample_path

    if engine not in (None, "pandas"):
        log = load_events(data_path, schema=schema, engine=engine)
        from ..engine.lazy import expand_source, is_lazy

        if is_lazy(log.events):
            r = log.events.arrow("SELECT count(*) AS n, count(DISTINCT customer_id) AS v FROM {src}").to_pylist()[0]
            files = [Path(f) for f in (expand_source(events_sample_path() if str(data_path) == "sample"
                                                     else data_path))]
            one = files[0] if len(files) == 1 else None
            return {
                "data_path": str(data_path),
                "file": str(one or data_path),
                "files": [{"file": str(f), "bytes": f.stat().st_size} for f in files] if one is None else None,
                "sha256": _sha256(one) if one is not None else None,
                "bytes": sum(f.stat().st_size for f in files),
                "schema": schema if isinstance(schema, str) else dict(schema),
                "engine": "duckdb",
                "lines": {"input": int(log.audit["lines"].iloc[0]), "events": int(r["n"]),
                          "rejected": len(log.rejected)},
                "visitors": int(r["v"]),
                "time_zone": log.source.get("tz"),
                "audit": log.audit.to_dict(orient="records"),
            }
    path = events_sample_path() if str(data_path) == "sample" else Path(data_path).expanduser().resolve()
    log = load_events(data_path, schema=schema)
    return {
        "data_path": str(data_path),
        "file": str(path),
        "sha256": _sha256(path),
        "bytes": path.stat().st_size,
        "schema": schema if isinstance(schema, str) else dict(schema),
        "lines": {"input": int(log.audit["lines"].iloc[0]), "events": len(log.events), "rejected": len(log.rejected)},
        "visitors": int(log.events["customer_id"].nunique()),
        "time_zone": log.source.get("tz"),
        "audit": log.audit.to_dict(orient="records"),
    }


#: An engine's clean result with at most this many lines is handed to the kernels as pandas.
_HAND_OVER_LINES = 5_000_000
_CLEANING_DEFAULTS = {"encoding": "auto", "dayfirst": None, "header": None, "skip_rules": "", "engine": "auto"}


def _iso_day(t) -> str:
    import pandas as pd

    return f"{pd.Timestamp(t):%Y-%m-%d}"


def _input_summary(data_path, schema, options: dict | None = None, *, prepared_dir=None,
                   kind: str = "transactions") -> dict:
    """Input file, its sha256, line counts, date range and cleaning audit: read and cleaned once.

    With ``prepared_dir`` the cleaned data are also written there (a private folder of this run)
    for the kernels: :func:`crmmine.report.load_data` picks them up through the environment
    variable ``CRMMINE_PREPARED_DATA``, so no kernel reads and cleans the file again.
    """
    import pickle

    if isinstance(options, str):  # _input_summary(path, schema, "events"), the older call
        kind, options = options, None
    if kind == "events":
        return _event_input_summary(data_path, schema, (options or {}).get("engine"))
    from ..datasets import online_retail_sample_path
    from .present import hand_over_lazy, load_data, prepared_key

    options = {k: v for k, v in (options or {}).items() if k in _CLEANING_DEFAULTS}
    full = {**_CLEANING_DEFAULTS, **options}
    path = online_retail_sample_path() if str(data_path) == "sample" else Path(data_path).expanduser().resolve()
    if path.is_dir():  # a folder of tables (the loyalty report reads Olist's): each file's size and sha256
        files = sorted(p for p in path.iterdir() if p.is_file())
        return {"data_path": str(data_path), "folder": str(path),
                "files": [{"file": p.name, "sha256": _sha256(p), "bytes": p.stat().st_size} for p in files]}
    from ..engine.lazy import is_lazy
    from .present import _line_facts

    # an engine's result (-p engine=duckdb, a glob of files) comes back as pandas only when small
    result = load_data(data_path, schema=schema, lazy=True, **full)
    if prepared_dir is not None and is_lazy(result.transactions):  # cleaned once: the kernels read these lines
        result = hand_over_lazy(result, Path(prepared_dir) / f"{prepared_key(data_path, schema=schema, **full)}.lazy")
    if is_lazy(result.transactions) and len(result.transactions) <= _HAND_OVER_LINES:
        result = result.to_pandas()
    if prepared_dir is not None:
        key = prepared_key(data_path, schema=schema, **full)
        fd, tmp = tempfile.mkstemp(prefix=f".{key}.", dir=str(prepared_dir))
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, Path(prepared_dir) / f"{key}.pickle")
        except (pickle.PicklingError, TypeError, AttributeError):  # e.g. a lazy (engine) result: kernels read
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    tx = result.transactions
    n_clean, first, last, n_customers, n_orders = _line_facts(tx)
    audit = result.audit.astype(object).where(result.audit.notna(), None)
    return {
        "data_path": str(data_path),
        "file": str(path),
        "sha256": _sha256(path) if path.is_file() else None,
        "bytes": path.stat().st_size if path.is_file() else None,
        "schema": schema if isinstance(schema, str) else dict(schema),
        "cleaning": full,
        "lines": {"input": int(result.audit["lines"].iloc[0]), "clean": n_clean,
                  "returns": len(result.returns), "rejected": len(result.rejected)},
        "customers": n_customers,
        "orders": n_orders,
        "first_date": None if not n_clean else _iso_day(first),
        "last_date": None if not n_clean else _iso_day(last),
        "audit": audit.to_dict(orient="records"),
    }


def _date_error(name: str, message: str) -> ParameterError:
    err = ParameterError(message)
    err.parameter = name
    return err


def _nothing_left(input_summary: dict) -> str | None:
    """Why no report can run on a transaction file whose every line cleaning rejected, or None."""
    lines = input_summary.get("lines")
    if not lines or lines.get("clean", 1) > 0:
        return None
    rules = [r for r in input_summary.get("audit") or [] if r.get("rule") not in ("input", "kept") and r.get("lines")]
    rules.sort(key=lambda r: -int(r["lines"]))
    why = ", ".join(f"{r['rule']} {int(r['lines']):,}" for r in rules[:3])
    name = Path(str(input_summary.get("file") or input_summary.get("data_path"))).name
    if rules and rules[0]["rule"] == "missing_customer_id" and int(rules[0]["lines"]) == lines.get("input"):
        return (f"no line of {name} has a customer id (all {lines['input']:,} lines are guest lines, rejected as "
                "missing_customer_id); the reports analyse identified customers.")
    return f"cleaning left no line of {name} ({lines.get('input', 0):,} read; rejected: {why or 'none'})."


def check_dates(values: dict, input_summary: dict, *, where: str = "the report") -> None:
    """Date parameters checked against the data's range before any kernel starts.

    ``as_of`` must lie between the first day of the data and the day after its last;
    ``cutoff`` and ``calibration_end`` strictly inside the data (history before, a test window
    after), and with ``horizon_days`` a whole horizon must fit on each side of the cutoff.

    Raises
    ------
    ParameterError
        "The 'as_of' parameter must be between 2010-12-01 and 2011-12-10 (...). Got '2030-01-01' instead."
    """
    import pandas as pd

    from ..validation import check_date

    first, last = input_summary.get("first_date"), input_summary.get("last_date")
    if first is None or last is None:
        return
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    after = last + pd.Timedelta(days=1)
    horizon = values.get("horizon_days")
    cutoff = values.get("cutoff")
    if isinstance(horizon, int) and horizon > 0 and (cutoff is None or str(cutoff).strip().lower() in ("", "none")) \
            and "cutoff" in values:
        span = (last - first).days
        if span <= 2 * horizon:
            raise _date_error("horizon_days",
                f"The 'horizon_days' parameter of {where} ({horizon}) needs more than {2 * horizon} days of data (a "
                f"training and a test horizon); the data cover {span} days ({first:%Y-%m-%d} to {last:%Y-%m-%d}). "
                f"Give a shorter horizon, e.g. -p horizon_days={max(1, span // 3)}.")
    for name in ("as_of", "cutoff", "calibration_end"):
        raw = values.get(name)
        if raw is None or (isinstance(raw, str) and raw.strip().lower() in ("", "none", "auto")):
            continue
        day = check_date(name, raw).normalize()
        if name == "as_of":
            lo, hi = first + pd.Timedelta(days=1), after
            ok = lo <= day <= hi
            rule = "the day after the data's first day and the day after its last"
        else:
            horizon = values.get("horizon_days") if name == "cutoff" else None
            pad = pd.Timedelta(days=int(horizon)) if isinstance(horizon, int) and horizon > 0 else pd.Timedelta(0)
            lo, hi = first + pad, last - pad
            ok = lo < day <= hi
            rule = ("the data's first and last days, leaving history before it and a test window after it"
                    + (f" ({int(horizon)} days each side)" if pad else ""))
        if not ok:
            raise _date_error(name,
                f"The '{name}' parameter of {where} must be between {lo:%Y-%m-%d} and {hi:%Y-%m-%d} ({rule}; the "
                f"data run from {first:%Y-%m-%d} to {last:%Y-%m-%d}). Got {str(raw)!r} instead.")


def _atomic_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a uniquely named temporary file in the same folder (readable 0644)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_json(path: Path, data: dict) -> None:
    _atomic_text(path, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def _artefacts(folder: Path) -> list[dict]:
    if not folder.is_dir():
        return []
    return [{"file": p.name, "bytes": p.stat().st_size, "sha256": _sha256(p)}
            for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")]


# --------------------------------------------------------------------------- stale runs, latest, index
def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sweep_stale(report_dir: Path) -> list[Path]:
    """Rename the temporary folders of dead runs to ``<run-id>.killed`` (their manifest says so)."""
    swept = []
    for tmp in sorted(report_dir.glob(f"{_TMP_PREFIX}*")):
        owner_file = tmp / _OWNER_FILE
        try:
            owner = json.loads(owner_file.read_text())
        except (OSError, ValueError):
            owner = {}
        if owner.get("host") == socket.gethostname() and isinstance(owner.get("pid"), int) \
                and _pid_alive(owner["pid"]):
            continue  # a run in progress
        try:
            if not owner and time.time() - tmp.stat().st_mtime < 60:
                continue  # just created, owner file not written yet
        except OSError:
            continue  # renamed into place (or swept) by its own run meanwhile
        run_id = tmp.name[len(_TMP_PREFIX):]
        manifest_path = tmp / "manifest.json"
        with contextlib.suppress(OSError, ValueError):
            manifest = json.loads(manifest_path.read_text())
            manifest.update(status="killed", error="The run's process ended before the run completed "
                                                   f"(found by a later run at {_iso(_now())}).")
            _write_json(manifest_path, manifest)
        dest = report_dir / f"{run_id}.killed"
        with contextlib.suppress(OSError):
            os.rename(tmp, dest)
            swept.append(dest)
    return swept


def _point_latest(report_dir: Path, run_id: str) -> None:
    link = report_dir / "latest"
    tmp = report_dir / f".latest-{run_id}"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    try:
        os.symlink(run_id, tmp, target_is_directory=True)
    except (OSError, NotImplementedError):  # no symlinks here: a small file naming the run
        tmp.write_text(run_id + "\n", encoding="utf-8")
    os.replace(tmp, link)


def latest_run(out, report: str) -> Path | None:
    """The folder of the newest good run of ``report`` under ``out`` (``None`` if there is none)."""
    link = Path(out) / report / "latest"
    if link.is_symlink() or link.is_dir():
        return link.resolve()
    if link.is_file():
        return (link.parent / link.read_text(encoding="utf-8").strip()).resolve()
    return None


def _owner_dead(run_dir: Path) -> bool:
    """A temporary run folder whose process is gone (same host, pid not alive)."""
    try:
        owner = json.loads((run_dir / _OWNER_FILE).read_text())
    except (OSError, ValueError):
        try:
            return time.time() - run_dir.stat().st_mtime > 60
        except OSError:  # renamed into place meanwhile
            return False
    if owner.get("host") != socket.gethostname() or not isinstance(owner.get("pid"), int):
        return False
    return not _pid_alive(owner["pid"])


def list_runs(out) -> list[dict]:
    """Every run under ``out``: one dict per run folder, from its manifest (newest first per report).

    A run still in its temporary folder is ``"running"`` while its process lives and ``"killed"``
    once it is gone (before the next run renames the folder). Each dict has the run's
    ``headline`` findings (a good run) or ``error`` (a failed one).
    """
    out = Path(out)
    runs = []
    if not out.is_dir():
        return runs
    for report_dir in sorted(p for p in out.iterdir() if p.is_dir() and not p.is_symlink()):
        try:
            run_dirs = list(report_dir.iterdir())
        except OSError:
            continue
        for run_dir in run_dirs:
            try:
                if run_dir.is_symlink() or not run_dir.is_dir():
                    continue
                manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            status = manifest.get("status", "?")
            if run_dir.name.startswith(_TMP_PREFIX):
                status = "killed" if _owner_dead(run_dir) else "running"
            runs.append({"report": manifest.get("report", report_dir.name), "run_id": manifest.get("run_id"),
                         "status": status, "started": manifest.get("started"),
                         "duration_s": manifest.get("duration_s"), "data_path": manifest.get("parameters", {})
                         .get("data_path"), "path": run_dir.relative_to(out).as_posix(),
                         "headline": manifest.get("headline") or [], "error": manifest.get("error"),
                         "lang": manifest.get("parameters", {}).get("lang"),
                         "has_html": (run_dir / "report.html").exists()})
    runs.sort(key=lambda r: (r["report"], str(r["run_id"])), reverse=True)
    runs.sort(key=lambda r: r["report"])
    return runs


@contextlib.contextmanager
def _locked(out: Path):
    """An exclusive lock on ``out/.index.lock`` (POSIX ``flock``; no lock where there is none)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(out / ".index.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _data_text(data_path, lang=None) -> str:
    """The index's data column: the bundled sample by name in the index's language, else the path."""
    from ..text.labels import label

    if str(data_path or "") == "sample":
        return label("report.index.sample", lang)
    return str(data_path or "")


def write_index(out, *, lang: str | None = None) -> Path:
    """Write ``out/index.html``: every run of every report, its status, headline findings and a link.

    Concurrent runs into one ``out`` each write the page under a lock, through a uniquely named
    temporary file. ``lang`` (default: the current language) sets the page's words and
    ``<html lang>``.
    """
    from ..text.labels import get_language, label

    lang = lang or get_language()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    e = html.escape
    with _locked(out):
        rows = []
        for r in list_runs(out):
            link = (f'<a href="{e(r["path"])}/report.html">{e(label("report.index.open", lang))}</a>'
                    if r["has_html"] else "")
            duration = "" if r["duration_s"] is None else f"{r['duration_s']:.1f}"
            status = label("report.status." + r["status"], lang) if r["status"] in _STATUSES else r["status"]
            name = _report_label(r["report"], lang)
            if r["status"] == "ok":
                notes = "".join(f"<p>{e(str(h))}</p>" for h in r["headline"][:2])
            else:
                notes = f"<p>{e(str(r['error'] or ''))}</p>" if r["error"] else ""
            rows.append(f'<tr class="{e(r["status"])}"><td>{e(name)}</td><td>{e(str(r["run_id"]))}</td>'
                        f'<td>{e(status)}</td><td>{e(str(r["started"] or ""))}</td><td>{duration}</td>'
                        f'<td>{e(_data_text(r["data_path"], lang))}</td><td class="notes">{notes}</td><td>{link}</td></tr>')
        heads = "".join(f"<th>{e(label('report.index.' + k, lang))}</th>"
                        for k in ("report", "run_id", "status", "started", "duration", "data", "findings", "page"))
        title = e(label("report.index.title", lang))
        page = (f'<!DOCTYPE html>\n<html lang="{e(lang)}">\n<head>\n<meta charset="utf-8">\n'
                f"<title>{title}</title>\n<style>body{{font-family:sans-serif;margin:2em}}"
                "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;"
                "vertical-align:top;white-space:nowrap}td.notes{max-width:40em;white-space:normal}td.notes p{margin:0 0 .3em 0}"
                "tr.failed td,tr.killed td{background:#fde8e8}tr.running td{background:#fff6d5}</style>\n"
                f"</head>\n<body>\n<h1>{title}</h1>\n<table>\n<tr>{heads}</tr>\n" + "\n".join(rows) +
                "\n</table>\n</body>\n</html>\n")
        path = out / "index.html"
        _atomic_text(path, page)
    return path


_STATUSES = ("ok", "failed", "killed", "running", "interrupted")


# --------------------------------------------------------------------------- running
@contextlib.contextmanager
def _kernel_can_import_crmmine():
    """Make the kernel (a child process) import this crmmine, whether installed or on the path."""
    src = str(Path(__file__).resolve().parents[2])
    old = os.environ.get("PYTHONPATH")
    parts = old.split(os.pathsep) if old else []
    if src in parts:
        yield
        return
    os.environ["PYTHONPATH"] = os.pathsep.join([src, *parts])
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


def _kernel_manager_class():
    """A kernel manager talking to the kernel over local sockets (ipc) instead of TCP.

    Nothing listens on a network port during a run, and ipykernel's warning about unencrypted
    TCP does not reach the user's terminal. The socket files live in the system's temp folder.
    """
    import tempfile

    from jupyter_client.manager import AsyncKernelManager

    class IpcKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            if sys.platform != "win32":
                kwargs.setdefault("transport", "ipc")
                kwargs.setdefault("ip", os.path.join(tempfile.gettempdir(), f"crmmine-kernel-{secrets.token_hex(4)}"))
            super().__init__(**kwargs)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # the kernel's own log (e.g. "KeyboardInterrupt caught in kernel" at shutdown) goes to a file in
            # the run folder, not to the user's terminal
            log = os.environ.get("CRMMINE_RUN_DIR")
            if log and "stderr" not in kw:
                kw["stderr"] = open(os.path.join(log, ".kernel.log"), "ab")  # noqa: SIM115 - closed with the run
                kw.setdefault("stdout", kw["stderr"])
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return IpcKernelManager


def _execution_error(exc: BaseException) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        cell = getattr(exc, "exec_count", None)
        where = f" in cell [{cell}]" if cell else ""
        return f"{ename}{where}: {evalue}"
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


def run_report(report, *, parameters: dict | None = None, out="reports", run_id: str | None = None,
               progress=None, progress_bar: bool = False, executor: str = "fork", _prepared: dict | None = None,
               _input: dict | None = None, _prepared_dir=None) -> RunResult:
    """Run one report notebook with papermill and keep the outcome in ``out/<report>/<run-id>/``.

    Parameters
    ----------
    report : str or path-like
        A report name (``"segments"``, ``"crosssell"``, ``"churn"``; see :data:`REPORTS`) or the
        path of any notebook with a cell tagged ``parameters``.
    parameters : dict, optional
        Parameter values overriding the notebook's defaults; text values are converted to the
        default's type (:func:`prepare_parameters`). ``data_path`` defaults to the bundled sample.
        Date parameters are checked against the data's range before the kernel starts.
    out : str or path-like, default="reports"
        The output folder.
    run_id : str, optional
        The run's id (default: UTC start time plus 4 random hex digits, sortable).
    progress : callable, optional
        ``progress(event, report, info)`` with ``event`` ``"start"`` or ``"end"`` (``info`` holds
        ``status``, ``seconds``, ``path``, ``html``).
    progress_bar : bool, default=False
        papermill's cell progress bar on stderr (the command line shows it on a terminal).
    executor : {"fork", "kernel"}, default="fork"
        Where papermill executes the cells: ``"fork"``, a forked child of this process with the
        libraries already imported (:mod:`crmmine.report.executor`); ``"kernel"``, a fresh Jupyter
        kernel (papermill's usual way, a few seconds slower per report). Where there is no
        ``fork()`` (Windows) or when called from IPython or a notebook, ``"fork"`` runs a kernel.

    Returns
    -------
    RunResult
        For a good run (``status == "ok"``).

    Raises
    ------
    ParameterError
        A parameter is unknown or invalid, or a date lies outside the data (nothing has run).
    ReportError
        The notebook failed; the message gives the error and where the executed notebook and the
        manifest are (the run's ``.failed`` folder). ``err.result`` holds the :class:`RunResult`.
    """
    name, nb_path = resolve_notebook(report)
    executor = _executor(executor)
    values = _prepared if _prepared is not None else prepare_parameters(nb_path, parameters)
    values = _absolute_paths(values)
    own_dir = None
    if _input is None:
        own_dir = _prepared_dir = tempfile.mkdtemp(prefix="crmmine-prepared-")
    try:
        if _input is None:
            _input = _input_summary(values.get("data_path", "sample"), values.get("schema", "auto"),
                                    _cleaning(values), prepared_dir=_prepared_dir, kind=_kind_of(name))
            check_dates(values, _input, where=nb_path.name)
        return _run(name, nb_path, values, out=out, run_id=run_id, input_summary=_input, progress=progress,
                    progress_bar=progress_bar, prepared_dir=_prepared_dir, executor=executor)
    finally:
        if own_dir is not None:
            import shutil

            shutil.rmtree(own_dir, ignore_errors=True)


def _cleaning(values: dict) -> dict:
    return {k: values[k] for k in _CLEANING_DEFAULTS if k in values}


def _absolute_paths(values: dict) -> dict:
    values = dict(values)
    data_path, schema = values.get("data_path", "sample"), values.get("schema", "auto")
    if isinstance(data_path, str) and data_path != "sample":
        values["data_path"] = str(Path(data_path).expanduser().resolve())
    if isinstance(schema, str) and schema.lower().endswith(".json"):
        values["schema"] = str(Path(schema).expanduser().resolve())
    return values


_FINAL_SUFFIXES = ("", ".failed", ".killed", ".interrupted")


def _new_tmp(report_dir: Path, run_id: str | None, started) -> tuple[str, Path]:
    """A new run id and its temporary folder, unique among running AND finished runs.

    The ``mkdir`` of ``.tmp-<id>`` reserves the id against runs in progress; a finished run with
    the same id (two runs started in the same second drew the same 4 hex digits) no longer has
    its temporary folder, so the final names are checked after the ``mkdir``: a run can only
    reach its final name through its temporary folder, which this run now holds.
    """
    for _ in range(100):
        rid = run_id or _new_run_id(started)
        tmp = report_dir / f"{_TMP_PREFIX}{rid}"
        try:
            tmp.mkdir()
        except FileExistsError:
            taken = True
        else:
            taken = any(os.path.lexists(report_dir / f"{rid}{suffix}") for suffix in _FINAL_SUFFIXES)
            if taken:
                tmp.rmdir()
        if not taken:
            return rid, tmp
        if run_id is not None:
            raise ReportError(f"A run with the id {run_id!r} is already in {report_dir}; give another run_id.")
    raise ReportError(f"Could not create a run folder in {report_dir}.")  # pragma: no cover


def _executor(executor: str) -> str:
    from ..validation import check_choice
    from .executor import EXECUTORS

    executor = check_choice("executor", executor, EXECUTORS)
    if executor == "fork" and (not hasattr(os, "fork") or _inside_ipython()):
        return "kernel"  # no fork() (Windows), or called from a notebook: its kernel is no process to fork
    return executor


def _inside_ipython() -> bool:
    ipython = sys.modules.get("IPython")
    return ipython is not None and getattr(ipython, "get_ipython", lambda: None)() is not None


def _run(name, nb_path, values, *, out, run_id, input_summary, progress, progress_bar, prepared_dir,
         executor="fork") -> RunResult:
    import papermill

    from .executor import EXECUTORS, register

    declared = notebook_parameters(nb_path)
    out = Path(out).expanduser().resolve()
    report_dir = out / name
    report_dir.mkdir(parents=True, exist_ok=True)
    _sweep_stale(report_dir)
    started = _now()
    run_id, tmp = _new_tmp(report_dir, run_id, started)
    lang = values.get("lang") if isinstance(values.get("lang"), str) else None
    _write_json(tmp / _OWNER_FILE, {"pid": os.getpid(), "host": socket.gethostname(), "started": _iso(started)})
    injected = dict(values)
    if "output_dir" in declared:
        injected["output_dir"] = "artifacts"  # relative to the run folder (papermill's cwd)
    manifest = {
        "report": name, "run_id": run_id, "status": "running", "notebook": nb_path.name,
        "source_notebook": str(nb_path), "source_notebook_sha256": _sha256(nb_path),
        "parameters": {k: injected[k] for k in sorted(injected)}, "input": input_summary,
        "versions": _versions(), "host": socket.gethostname(), "pid": os.getpid(),
        "started": _iso(started), "finished": None, "duration_s": None, "error": None, "artifacts": [],
        "headline": [],
    }
    _write_json(tmp / "manifest.json", manifest)
    with contextlib.suppress(Exception):  # noqa: BLE001 - the index is a convenience; it never fails a run
        write_index(out, lang=lang)
    if progress is not None:
        progress("start", name, {"run_id": run_id, "path": tmp})
    t0 = time.perf_counter()
    status, error = "ok", None
    executed = None
    env = {"CRMMINE_RUN_DIR": str(tmp)}
    if prepared_dir is not None:
        env["CRMMINE_PREPARED_DATA"] = str(prepared_dir)
    try:
        register()
        with _kernel_can_import_crmmine(), _environment(env):
            executed = papermill.execute_notebook(str(nb_path), str(tmp / nb_path.name), parameters=injected,
                                       engine_name=EXECUTORS[executor],
                                       kernel_name="python3", cwd=str(tmp), progress_bar=progress_bar,
                                       log_output=False, report_mode=False, request_save_on_cell_execute=False,
                                       autosave_cell_every=3600, kernel_manager_class=_kernel_manager_class(),
                                       # a cell's output may reach us after its reply on a busy machine: wait for
                                       # it (nbclient's 4 s default failed a loyalty figure at load 20)
                                       iopub_timeout=120)
    except KeyboardInterrupt:
        status, error = "interrupted", "Interrupted (Ctrl-C) while the notebook ran."
    except OSError as exc:  # the disk is full, a folder vanished: a failed run with its reason
        status, error = "failed", f"{type(exc).__name__}: {exc.strerror or exc}"
    except Exception as exc:  # noqa: BLE001 - any failure of the notebook or the kernel is a failed run
        status, error = "failed", _execution_error(exc)
    if (tmp / nb_path.name).exists() and status != "interrupted":
        try:
            from .html import export_html

            # a good run's notebook is still in memory (papermill's result): no need to read 5 MB back
            export_html(executed if executed is not None and status == "ok" else tmp / nb_path.name,
                        tmp / "report.html", title=_page_title(name, lang), lang=_notebook_lang(executed, lang))
        except Exception as exc:  # noqa: BLE001 - a failed export is a failed run, whatever the cause
            html_error = f"HTML export failed: {type(exc).__name__}: {exc}"
            if status == "ok":
                status, error = "failed", html_error
    finished = _now()
    with contextlib.suppress(OSError, ValueError):
        manifest["headline"] = json.loads((tmp / "headline.json").read_text(encoding="utf-8"))
    manifest.update(status=status, error=error, finished=_iso(finished),
                    duration_s=round(time.perf_counter() - t0, 3))
    with contextlib.suppress(OSError):
        manifest["artifacts"] = _artefacts(tmp / "artifacts")
        if (tmp / "report.html").exists():
            manifest["html_bytes"] = (tmp / "report.html").stat().st_size
    try:
        _write_json(tmp / "manifest.json", manifest)
    except OSError as exc:  # e.g. the disk is full: the folder name still says the run failed
        if status == "ok":
            status, error = "failed", f"{type(exc).__name__}: {exc.strerror or exc}"
    with contextlib.suppress(OSError):
        log = tmp / ".kernel.log"
        if log.exists() and log.stat().st_size == 0:
            log.unlink()
    final = report_dir / (run_id if status == "ok" else f"{run_id}.{status}")
    os.rename(tmp, final)
    # the owner file goes only after the rename: while the temporary folder exists, another run's sweep finds
    # this (live) process in it and leaves the folder alone
    with contextlib.suppress(OSError):
        (final / _OWNER_FILE).unlink()
    if status == "ok":
        _point_latest(report_dir, run_id)
    with contextlib.suppress(Exception):  # noqa: BLE001 - as above
        write_index(out, lang=lang)
    result = RunResult(report=name, run_id=run_id, status=status, path=final, manifest=manifest)
    if progress is not None:
        progress("end", name, {"status": status, "seconds": time.perf_counter() - t0, "path": final,
                               "html": final / "report.html", "error": error})
    if status == "interrupted":
        raise KeyboardInterrupt
    if status != "ok":
        err = ReportError(f"The {name} report failed: {str(error).rstrip('.')}. The executed notebook is "
                          f"{final / nb_path.name} and the manifest {final / 'manifest.json'}; earlier runs "
                          "are untouched.")
        err.result = result
        raise err
    return result


def _notebook_lang(executed, lang):
    """The page language: the run's ``lang`` parameter, else what papermill recorded (``None``: the file's)."""
    if lang:
        return lang
    if executed is not None:
        recorded = executed.get("metadata", {}).get("papermill", {}).get("parameters", {}).get("lang")
        return recorded if isinstance(recorded, str) and recorded else None
    return None


def _warm_up(langs, notebooks=(), executor="kernel") -> None:
    """Import papermill and nbconvert and compile the page templates once, before workers are forked.

    Each forked worker would otherwise import them again (about a second of CPU each on a quiet
    machine, several on a busy one) and compile the same templates. With the ``"fork"`` executor
    the notebooks' libraries (pandas, scikit-learn, plotly, IPython, crmmine) are imported here too:
    every report's child is forked from this warm process.
    """
    import nbclient  # noqa: F401
    import papermill  # noqa: F401

    from .executor import register, warm_imports
    from .html import warm_up

    register()
    if executor == "fork":
        warm_imports(notebooks)
    _package_versions()

    for lang in sorted({lang if isinstance(lang, str) and lang else "en" for lang in langs}):
        with contextlib.suppress(Exception):  # noqa: BLE001 - a cold export still works
            warm_up(lang)


def _report_label(name: str, lang: str | None) -> str:
    from ..text.labels import LABELS, label

    return label(f"report.name.{name}", lang) if f"report.name.{name}" in LABELS else str(name)


def _page_title(name: str, lang: str | None) -> str:
    return f"crmmine - {_report_label(name, lang)}"


@contextlib.contextmanager
def _environment(values: dict):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_reports(reports, *, parameters: dict | None = None, as_of=None, out="reports", progress=None,
                progress_bar: bool = False, jobs: int | None = 1, executor: str = "fork") -> list[RunResult]:
    """Run several reports, after checking every report's parameters first.

    ``jobs`` reports run at once, each in its own process and kernel (``None``: as many as the
    machine has cores, at most one per report); the default 1 runs them one after the other.
    ``executor`` is where each notebook's cells run (see :func:`run_report`): ``"fork"`` (default)
    imports the notebooks' libraries once here and forks one child per report; ``"kernel"`` starts a
    Jupyter kernel per report.

    A parameter given in ``parameters`` goes to every notebook that declares it, and must be
    declared by at least one. The data are read and cleaned once per data set (for the manifests,
    the date checks and the kernels, which take the cleaned copy instead of reading the file).
    ``as_of`` goes to each notebook's ``as_of`` parameter, or to its ``cutoff`` when it has no
    ``as_of`` (the churn report's time split), and is an error for a notebook with neither. Every
    date parameter is checked against the data's range before any notebook runs. A failing report
    does not stop the others.

    Raises
    ------
    ParameterError
        Before anything runs, as :func:`prepare_parameters` and :func:`check_dates`.
    ReportError
        After all reports ran, when at least one failed (``err.results`` holds every result,
        ``None`` for a failed one).
    """
    import shutil

    parameters = dict(parameters or {})
    reports = list(reports)
    jobs = _jobs(jobs, len(reports))  # checked before anything runs
    executor = _executor(executor)
    plan = []
    for report in reports:
        name, nb_path = resolve_notebook(report)
        declared = notebook_parameters(nb_path)
        mine = {k: v for k, v in parameters.items() if k in declared or len(reports) == 1 or k in _RUNNER_PARAMETERS}
        if as_of is not None:
            date_name = next((n for n in ("as_of", "cutoff") if n in declared), None)
            if date_name is None:
                raise ParameterError(f"The --as-of option needs an 'as_of' or 'cutoff' parameter, and {nb_path.name} "
                                     f"has neither. Its parameters are: {', '.join(sorted(declared))}.")
            mine.setdefault(date_name, as_of)
        plan.append((name, nb_path, _absolute_paths(prepare_parameters(nb_path, mine)), set(mine)))
    unused = [k for k in parameters if not any(k in notebook_parameters(p) for _, p, _, _ in plan)]
    if unused:
        raise ParameterError(f"The '{unused[0]}' parameter is not a parameter of any of the reports "
                             f"({', '.join(n for n, _, _, _ in plan)}).")
    prepared_dir = tempfile.mkdtemp(prefix="crmmine-prepared-")
    try:
        inputs: dict = {}
        results, failures, runnable = [], [], []
        for name, nb_path, values, given in plan:  # read each data set once, check every date before any kernel
            key = _input_key(values, _kind_of(name))
            if key not in inputs:
                inputs[key] = _input_summary(values.get("data_path", "sample"), values.get("schema", "auto"),
                                             _cleaning(values), prepared_dir=prepared_dir, kind=_kind_of(name))
            empty = _nothing_left(inputs[key])
            if empty:  # every line was rejected (e.g. a shop of guests only): no report can say anything
                failures.append(f"The {name} report cannot run on these data: {empty}")
                results.append(None)
                if progress is not None:
                    progress("skipped", name, {"error": empty})
                continue
            try:
                check_dates(values, inputs[key], where=nb_path.name)
            except ParameterError as err:
                if getattr(err, "parameter", None) in given or len(plan) == 1:
                    raise  # a value the user gave: bad parameters, nothing runs
                # a default that these data cannot support: this report cannot run, the others do
                failures.append(f"The {name} report cannot run on these data: {err}")
                results.append(None)
                if progress is not None:
                    progress("skipped", name, {"error": str(err)})
                continue
            runnable.append((name, nb_path, values))
        plan = runnable
        jobs = min(jobs, max(1, len(plan)))
        tasks = [(i, name, nb_path, values, inputs[_input_key(values, _kind_of(name))]) for i, (name, nb_path, values)
                 in enumerate(plan, 1)]
        _warm_up([values.get("lang") for _, _, _, values, _ in tasks], [t[2] for t in tasks], executor)
        outcomes = (_run_parallel(tasks, jobs, out=out, prepared_dir=prepared_dir, progress=progress,
                                  executor=executor)
                    if jobs > 1 else
                    [_run_task(task, len(plan), out=out, prepared_dir=prepared_dir, progress=progress,
                               progress_bar=progress_bar, executor=executor) for task in tasks])
        for result, message in outcomes:
            results.append(result)
            if message is not None:
                failures.append(message)
    finally:
        shutil.rmtree(prepared_dir, ignore_errors=True)
    if failures:
        err = ReportError(" | ".join(failures))
        err.results = results
        raise err
    return results


def _jobs(jobs, n: int) -> int:
    from ..validation import check_int

    if jobs is None:
        return max(1, min(n, os.cpu_count() or 1))
    return max(1, min(n, check_int("jobs", jobs, lo=1)))


def _run_task(task, n, *, out, prepared_dir, progress, progress_bar=False, executor="fork"):
    """(result, failure message or None) of one report of a plan."""
    i, name, nb_path, values, input_summary = task

    def tell(event, report, info):
        if progress is not None:
            progress(event, report, {**info, "i": i, "n": n})

    try:
        return run_report(nb_path, out=out, _prepared=values, _input=input_summary, _prepared_dir=prepared_dir,
                          progress=tell, progress_bar=progress_bar, executor=executor), None
    except ReportError as err:
        return getattr(err, "result", None), str(err)


def _child(task, n, out, prepared_dir, progress, queue, executor="fork"):
    try:
        queue.put((task[0], *_run_task(task, n, out=out, prepared_dir=prepared_dir, progress=progress,
                                       executor=executor)))
    except KeyboardInterrupt:  # Ctrl-C reached every process of the group: the parent says it once
        queue.put((task[0], None, "interrupted"))
    except Exception as exc:  # noqa: BLE001 - reported by the parent as this report's failure
        queue.put((task[0], None, f"The {task[1]} report failed: {type(exc).__name__}: {exc}"))


def _run_parallel(tasks, jobs, *, out, prepared_dir, progress, executor="fork"):
    """Run tasks in ``jobs`` forked processes at a time; results in the tasks' order."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    pending, running, done = list(tasks), {}, {}
    try:
        while pending or running:
            while pending and len(running) < jobs:
                task = pending.pop(0)
                sys.stdout.flush()  # a child must not inherit (and print again) unflushed output
                sys.stderr.flush()
                proc = ctx.Process(target=_child, args=(task, len(tasks), out, prepared_dir, progress, queue,
                                                        executor))
                proc.start()
                running[task[0]] = proc
            i, result, message = queue.get()
            done[i] = (result, message)
            running.pop(i).join()  # it exits right after sending its result
        if any(m == "interrupted" for _, m in done.values()):
            raise KeyboardInterrupt
    finally:
        for proc in running.values():
            proc.join(timeout=60)
    return [done[t[0]] for t in tasks]


def _kind_of(name: str) -> str:
    return "events" if name in EVENT_REPORTS else "transactions"


def _input_key(values: dict, kind: str = "transactions") -> str:
    return json.dumps([str(values.get("data_path", "sample")), values.get("schema", "auto"), _cleaning(values), kind],
                      default=str, sort_keys=True)
