"""The ``crmmine`` command.

Bad input (a missing file, a wrong column, an invalid parameter) prints exactly one line
on stderr and exits with status 2; no traceback. A run that fails for another reason
exits with status 1 (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import CrmmineError, InputError, ParameterError, ReportError

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit 2."""

    def error(self, message: str) -> None:  # noqa: D102 - argparse API
        raise ParameterError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _profile(args: argparse.Namespace) -> int:
    from .data.profile import format_profile, profile

    schema = args.schema
    summary = profile(args.path, schema=schema, encoding=args.encoding, dayfirst=args.dayfirst,
                      header=False if args.no_header else None, sheet_name=args.sheet,
                      skip_rules=tuple(args.skip_rule or ()))
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False, default=str))
    else:
        print(format_profile(summary))
    return EXIT_OK


def _report_help(names) -> str:
    """The parameters of each named report: name, default and meaning (from its parameters cell)."""
    from .report import notebook_parameters, resolve_notebook

    lines = []
    for report in names:
        name, nb = resolve_notebook(report)
        lines.append(f"crmmine report {name}: parameters of {nb.name} (set with -p NAME=VALUE)")
        params = notebook_parameters(nb)
        width = max((len(p) for p in params), default=0)
        for pname, info in params.items():
            default = info["default"] if info["literal"] else info["default"]
            lines.append(f"  {pname:<{width}}  default {default!r}: {info['help']}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _report(args: argparse.Namespace) -> int:
    import time

    from .report import REPORTS, run_reports
    from .report.runner import EVENT_REPORTS

    names = list(args.report or [])
    if args.help:
        if names and names != ["all"]:
            print(_report_help([n for n in names if n != "all"] or list(REPORTS)), end="")
        elif names == ["all"]:
            print(_report_help(list(REPORTS)), end="")
        else:
            args.report_parser.print_help()
        return EXIT_OK
    parameters = {}
    for item in args.parameter or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"The -p option must look like name=value, e.g. -p top_n=10. Got {item!r} instead.")
        parameters[name.strip()] = value
    for name, value in (("data_path", args.data), ("schema", args.schema), ("encoding", args.encoding),
                        ("skip_rules", args.skip_rules), ("lang", args.lang), ("currency", args.currency)):
        if value is not None:
            parameters[name] = value
    if args.dayfirst is not None:
        parameters["dayfirst"] = args.dayfirst
    if args.no_header:
        parameters["header"] = False
    # "all" with --data runs the transaction reports; an event log goes to an event report by name
    every = [r for r in REPORTS if args.data is None or r not in EVENT_REPORTS]
    if not names or names == ["all"]:
        reports = every
    else:
        reports = []
        for n in names:
            for r in (every if n == "all" else [n]):
                if r not in reports:
                    reports.append(r)
    started = time.perf_counter()
    if "jsonschema" not in sys.modules:
        # nbformat validates notebooks with jsonschema, which builds a Lark grammar for IRI checks at import when
        # rfc3987_syntax is installed (a JupyterLab dependency): over a second of CPU in this process for a format
        # no notebook schema uses. This process only runs reports, so that import is skipped here.
        sys.modules.setdefault("rfc3987_syntax", None)

    def progress(event: str, name: str, info: dict) -> None:
        if event == "start":
            print(f"{name}: started ({info['i']}/{info['n']})", flush=True)
        elif event == "skipped":
            print(f"{name}: SKIPPED (the data cannot support it)", flush=True)
        elif event == "end":
            status = info["status"]
            where = info.get("html") if status == "ok" else info.get("path")
            text = "ok" if status == "ok" else status.upper()
            print(f"{name}: {text} in {info['seconds']:.1f} s -> {where}", flush=True)

    try:
        run_reports(reports, parameters=parameters, as_of=args.as_of, out=args.out, progress=progress,
                    progress_bar=sys.stderr.isatty() and args.jobs == 1, jobs=args.jobs,
                    executor=args.executor)
    except ReportError as err:
        for line in str(err).split(" | "):
            print(f"crmmine: error: {_one_line(line)}", file=sys.stderr)
        print(f"index: {Path(args.out).expanduser().resolve() / 'index.html'}")
        return EXIT_FAILED
    print(f"all {len(reports)} report(s) ok in {time.perf_counter() - started:.1f} s; index: "
          f"{Path(args.out).expanduser().resolve() / 'index.html'}")  # written by each run, in its language
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="crmmine",
        description="Analytical-CRM data mining for online retail: profile a transaction file, run reports.",
    )
    parser.add_argument("--debug", action="store_true", help="show a traceback when a run fails")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_OneLineParser)

    p = sub.add_parser("profile", help="data-quality summary of a transaction file (read + clean audit)",
                       description="Print lines, customers, orders, products, date range and the cleaning audit.")
    p.add_argument("path", help="transaction file: CSV, CSV.gz, XLSX, Parquet or whitespace-separated text")
    p.add_argument("--schema", default="auto",
                   help="preset name (online_retail, online_retail_ii, cdnow), 'auto' (default) or a mapping .json "
                        "file {canonical column: your column}")
    p.add_argument("--encoding", default="auto",
                   help="text encoding, e.g. utf-8, cp1252, gb18030, utf-16-le (default: detect UTF-8, UTF-8-BOM, "
                        "UTF-16, GBK/GB18030, Windows-1252)")
    p.add_argument("--no-header", action="store_true",
                   help="the file has no header row: columns are column_1, column_2, ...; map them by position in "
                        "the --schema file, e.g. {\"customer_id\": 0, \"order_date\": 4}")
    p.add_argument("--sheet", metavar="NAME", default=None, help="read one sheet of a workbook (default: every sheet)")
    p.add_argument("--skip-rule", metavar="RULE", action="append",
                   help="turn a cleaning rule off (repeatable): implausible_date, missing_customer_id, duplicate, "
                        "non_product_code, non_positive_price, return, extreme_value")
    p.add_argument("--dayfirst", choices=["yes", "no"], default=None,
                   help="day/month order of dates like 03/04/2011 when the data cannot tell")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=_profile)

    r = sub.add_parser(
        "report", add_help=False,
        help="run report notebooks into HTML + CSV/Parquet artefacts + manifest (default: all, sample)",
        description="Run report notebooks with papermill. Each run writes OUT/<report>/<run-id>/ (report.html, the "
                    "executed notebook, artifacts/, manifest.json), built in a temporary folder and renamed into "
                    "place when complete; OUT/<report>/latest points to the newest good run; OUT/index.html lists "
                    "every run. Exit status: 0 all reports ran, 1 a report failed (its executed notebook and "
                    "manifest are kept in OUT/<report>/<run-id>.failed/), 2 bad parameters (nothing ran). "
                    "'crmmine report NAME --help' lists that report's parameters.")
    r.add_argument("-h", "--help", action="store_true",
                   help="show this help; with report names, list their parameters with defaults and meaning")
    r.add_argument("report", nargs="*", default=[],
                   help="one or more of segments, crosssell, churn, behaviour (an event log, e.g. --schema taobao), "
                        "all (default; with --data, the transaction reports) or paths of parameterised notebooks")
    r.add_argument("--data", metavar="PATH", default=None,
                   help="transaction file (CSV, CSV.gz, XLSX, Parquet, text); default: the bundled sample")
    r.add_argument("--schema", metavar="NAME|mapping.json", default=None,
                   help="preset name, 'auto' (default) or a mapping .json file {canonical column: your column}")
    r.add_argument("--as-of", metavar="DATE", default=None,
                   help="analysis date, e.g. 2011-09-01: the notebook's as_of parameter, or cutoff when it has none "
                        "(the churn and cross-sell reports); checked against the data's dates before anything runs")
    r.add_argument("--out", metavar="DIR", default="reports", help="output folder (default: reports)")
    r.add_argument("-j", "--jobs", type=int, default=None,
                   help="reports run at once, each in its own kernel (default: one per core, at most one per report)")
    r.add_argument("--executor", choices=["fork", "kernel"], default="fork",
                   help="where each notebook's cells run (always through papermill): 'fork' (default), a child "
                        "forked from this process with pandas, scikit-learn, plotly and crmmine already imported; "
                        "'kernel', a fresh Jupyter kernel per report (a few seconds more per report)")
    r.add_argument("--lang", choices=["en", "zh"], default=None, help="report language (default: en)")
    r.add_argument("--currency", metavar="CODE", default=None,
                   help="currency shown after amounts (default: the preset's, else none)")
    r.add_argument("--encoding", default=None, help="text encoding of the file (default: detect)")
    r.add_argument("--dayfirst", choices=["yes", "no"], default=None,
                   help="day/month order of dates like 03/04/2011 when the data cannot tell")
    r.add_argument("--no-header", action="store_true", help="the file has no header row")
    r.add_argument("--skip-rules", metavar="RULE[,RULE]", default=None,
                   help="cleaning rules to switch off, e.g. extreme_value or duplicate,return")
    r.add_argument("-p", "--parameter", metavar="NAME=VALUE", action="append",
                   help="set a notebook parameter (repeatable); the value is read like papermill's -p and must "
                        "have the type of the parameter's default")
    r.set_defaults(func=_report, report_parser=r)
    return parser


def _version() -> str:
    from . import __version__

    return __version__


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler's time limit, ``kill PID``): ended like Ctrl-C, so that the run's temporary
    folders (the half-written report, the cleaned lines handed to the kernels) are removed, not left behind."""


_TERMINATED: list[bool] = []  # set by the handler: the runner turns any interruption into its own KeyboardInterrupt


def _on_sigterm(signum, frame):  # noqa: ARG001 - a signal handler's signature
    import multiprocessing

    _TERMINATED.append(True)
    for child in multiprocessing.active_children():  # reports run with -j N: each ends the same way
        child.terminate()
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            with _quiet_library_logs(argv):
                return _main(argv)
        finally:
            signal.signal(signal.SIGTERM, previous)
    with _quiet_library_logs(argv):
        return _main(argv)


#: Loggers of the libraries a report run drives. Without a handler of their own their errors reach the terminal
#: through logging's last resort: when a run is stopped, papermill logs "Kernel died while waiting for execute
#: reply." and asyncio "Task exception was never retrieved" with a traceback, beside the command's one line. The run's
#: outcome is in its manifest and notebook; ``--debug`` lets them through.
_LIBRARY_LOGGERS = ("papermill", "asyncio")


class _quiet_library_logs:
    def __init__(self, argv):
        self.on = "--debug" not in (sys.argv[1:] if argv is None else argv)

    def __enter__(self):
        import logging

        self.saved = []
        if self.on:
            for name in _LIBRARY_LOGGERS:
                log = logging.getLogger(name)
                handler = logging.NullHandler()
                self.saved.append((log, handler, log.propagate))
                log.addHandler(handler)
                log.propagate = False

    def __exit__(self, *exc):
        import gc

        if self.saved:
            gc.collect()  # an abandoned task of a stopped kernel says its piece now, while it is still quiet
        for log, handler, propagate in self.saved:
            log.removeHandler(handler)
            log.propagate = propagate
        return False


def _main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
        if getattr(args, "dayfirst", None) is not None:
            args.dayfirst = args.dayfirst == "yes"
        if args.command is None:
            parser.print_help()
            return EXIT_OK
        return args.func(args)
    except (InputError, ParameterError) as err:
        if debug:
            raise
        print(f"crmmine: error: {_one_line(err)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except CrmmineError as err:
        if debug:
            raise
        print(f"crmmine: error: {_one_line(err)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        if _TERMINATED:
            _TERMINATED.clear()
            print("crmmine: terminated", file=sys.stderr)
            return 143
        print("crmmine: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # an internal error: still one line unless --debug
        if debug:
            raise
        print(f"crmmine: internal error: {type(err).__name__}: {_one_line(err)} (rerun with --debug for the "
              "traceback)", file=sys.stderr)
        return EXIT_FAILED


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
