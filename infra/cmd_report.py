"""`docproc report [--out report.html]`: the corpus report, one self-contained HTML page."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from infra.queries import add_target_arguments, open_table, target_from_args
from infra.report import collect, run_summary, write_report


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("report", help="write the corpus report (self-contained HTML)")
    parser.add_argument("--out", default="report.html", help="where to write it (default: report.html)")
    add_target_arguments(parser)
    parser.set_defaults(func=run_report)


def run_report(args: argparse.Namespace) -> int:
    data = collect(open_table(target_from_args(args)))
    write_report(data, args.out)
    print(run_summary(data.records))
    print(f"report: {args.out}", file=sys.stderr)
    return 0
