"""The ``crmmine`` command.

Bad input (a missing file, a wrong column, an invalid parameter) prints exactly one line
on stderr and exits with status 2; no traceback. A run that fails for another reason
exits with status 1 (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import json
import sys

from .errors import CrmmineError, InputError, ParameterError

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit 2."""

    def error(self, message: str) -> None:  # noqa: D102 - argparse API
        raise ParameterError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _profile(args: argparse.Namespace) -> int:
    from .profile import format_profile, profile

    schema = args.schema
    summary = profile(args.path, schema=schema, encoding=args.encoding, dayfirst=args.dayfirst)
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False, default=str))
    else:
        print(format_profile(summary))
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
    p.add_argument("--encoding", default="auto", help="text encoding (default: detect UTF-8, UTF-8-BOM, GBK/GB18030)")
    p.add_argument("--dayfirst", choices=["yes", "no"], default=None,
                   help="day/month order of dates like 03/04/2011 when the data cannot tell")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=_profile)
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
