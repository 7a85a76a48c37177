"""`docproc calibrate [--corpus DIR]`: the keep/drop confusion figures on the evaluation corpus."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "calibrate", help="run ../shared/corpus through the pipeline and print the keep/drop figures"
    )
    parser.add_argument("--corpus", type=Path, default=None, help="corpus folder (default: ../shared/corpus)")
    parser.add_argument("--misses", type=int, default=10, help="list at most this many misses per set")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from infra.calibrate import DEFAULT_CORPUS, calibrate, format_report

    corpus = args.corpus or DEFAULT_CORPUS
    if not corpus.exists():
        print(f"no corpus at {corpus}")
        return 2
    print(format_report(calibrate(corpus), show_misses=args.misses))
    return 0
