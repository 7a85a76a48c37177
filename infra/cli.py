"""The `docproc` command. Each subcommand lives in its own module with a `register(subparsers)`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Modules under infra/ that add subcommands. Add one line per new command module.
COMMAND_MODULES: list[str] = [
    "infra.cmd_local",
    "infra.cmd_clean",
    "infra.cmd_query",
    "infra.cmd_report",
    "infra.cmd_ops",
    "infra.cmd_calibrate",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docproc", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Each subcommand sets `func` with set_defaults(func=...) and returns an exit code.
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
