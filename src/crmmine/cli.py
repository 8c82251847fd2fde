"""The ``crmmine`` command.

Bad input (a missing file, a wrong column, an invalid parameter) prints exactly one line
on stderr and exits with status 2; no traceback. A run that fails for another reason
exits with status 1 (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import json
import sys

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


def _report(args: argparse.Namespace) -> int:
    from .report import REPORTS, run_reports, write_index
    from .report.runner import EVENT_REPORTS

    parameters = {}
    for item in args.parameter or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"The -p option must look like name=value, e.g. -p top_n=10. Got {item!r} instead.")
        parameters[name.strip()] = value
    for name, value in (("data_path", args.data), ("schema", args.schema)):
        if value is not None:
            parameters[name] = value
    # "all" with --data runs the transaction reports; an event log goes to an event report by name
    reports = [r for r in REPORTS if args.data is None or r not in EVENT_REPORTS] if args.report == "all" \
        else [args.report]
    try:
        results = run_reports(reports, parameters=parameters, as_of=args.as_of, out=args.out)
    except ReportError as err:
        for result in getattr(err, "results", []):
            if result is not None and result.status == "ok":
                print(f"{result.report}: ok -> {result.html}")
        for line in str(err).split(" | "):
            print(f"crmmine: error: {_one_line(line)}", file=sys.stderr)
        return EXIT_FAILED
    for result in results:
        print(f"{result.report}: ok in {result.manifest['duration_s']:.1f} s -> {result.html}")
    print(f"index: {write_index(args.out)}")
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
        "report", help="run report notebooks into HTML + CSV/Parquet artefacts + manifest (default: all, sample)",
        description="Run report notebooks with papermill. Each run writes OUT/<report>/<run-id>/ (report.html, the "
                    "executed notebook, artifacts/, manifest.json), built in a temporary folder and renamed into "
                    "place when complete; OUT/<report>/latest points to the newest good run; OUT/index.html lists "
                    "every run. Exit status: 0 all reports ran, 1 a report failed (its executed notebook and "
                    "manifest are kept in OUT/<report>/<run-id>.failed/), 2 bad parameters (nothing ran).")
    r.add_argument("report", nargs="?", default="all",
                   help="segments, crosssell, churn, behaviour (an event log, e.g. --schema taobao), all (default; "
                        "with --data, the transaction reports) or the path of a parameterised notebook")
    r.add_argument("--data", metavar="PATH", default=None,
                   help="transaction file (CSV, CSV.gz, XLSX, Parquet, text); default: the bundled sample")
    r.add_argument("--schema", metavar="NAME|mapping.json", default=None,
                   help="preset name, 'auto' (default) or a mapping .json file {canonical column: your column}")
    r.add_argument("--as-of", metavar="DATE", default=None,
                   help="analysis date, e.g. 2011-09-01: the notebook's as_of parameter, or cutoff when it has none "
                        "(the churn and cross-sell reports)")
    r.add_argument("--out", metavar="DIR", default="reports", help="output folder (default: reports)")
    r.add_argument("-p", "--parameter", metavar="NAME=VALUE", action="append",
                   help="set a notebook parameter (repeatable); the value is read like papermill's -p and must "
                        "have the type of the parameter's default")
    r.set_defaults(func=_report)
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
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
