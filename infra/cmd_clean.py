"""`docproc clean PATH... [--json]` and `docproc eval [--json]`: the cleaner on local files,
and its quality against the gold texts. Both run the core in this process; no AWS involved."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import infra  # noqa: F401  (puts the function's code on sys.path)

_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}


def register(subparsers: Any) -> None:
    clean = subparsers.add_parser("clean", help="clean local files and print the text (or JSON lines)")
    clean.add_argument("paths", nargs="+", type=Path, help="files or directories (directories recurse)")
    clean.add_argument("--json", action="store_true", help="one JSON object per file, one per line")
    clean.set_defaults(func=run_clean)

    ev = subparsers.add_parser("eval", help="character P/R/F1 against the gold texts in ../shared/corpus")
    ev.add_argument("--corpus", type=Path, default=None, help="corpus folder (default: ../shared/corpus)")
    ev.add_argument("--set", dest="sets", action="append", choices=["icwced", "synthetic", "false_positives"])
    ev.add_argument("--limit", type=int, default=None, help="at most this many documents per set")
    ev.add_argument("--worst", type=int, default=0, help="also list the K worst documents of each set")
    ev.add_argument("--json", action="store_true", help="machine-readable summary")
    ev.add_argument("--per-doc", action="store_true", help="with --json: every document's scores")
    ev.set_defaults(func=run_eval)


def iter_files(paths: list[Path]) -> Iterator[Path]:
    """The files named, with directories walked recursively in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            yield path


def run_clean(args: argparse.Namespace) -> int:
    try:
        return _clean_files(args)
    except BrokenPipeError:  # `docproc clean dir | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return 0


def _clean_files(args: argparse.Namespace) -> int:
    from docproc.pipeline import process_document

    status = 0
    files = list(iter_files(args.paths))
    for n, path in enumerate(files):
        try:
            data = path.read_bytes()
        except OSError as exc:
            print(f"docproc clean: {path}: {exc.strerror}", file=sys.stderr)
            status = 1
            continue
        content_type = "text/html" if path.suffix.lower() in _HTML_SUFFIXES else None
        result = process_document(data, key=str(path), content_type=content_type)
        if args.json:
            record = {"source": str(path), **result.to_dict()}
            print(json.dumps(record, ensure_ascii=False, default=str))
        else:
            if len(files) > 1:
                print(f"{'' if n == 0 else chr(10)}==> {path} [{result.status}] <==")
            print(result.text)
    return status


def run_eval(args: argparse.Namespace) -> int:
    from infra.evaluate import DEFAULT_CORPUS, SETS, evaluate, format_table, to_json, worst

    corpus = args.corpus or DEFAULT_CORPUS
    if not corpus.is_dir():
        print(f"docproc eval: corpus folder {corpus} not found: nothing to evaluate", file=sys.stderr)
        return 0
    scores = evaluate(corpus, tuple(args.sets or SETS), args.limit)
    for score in scores:
        if score.skipped:
            print(f"docproc eval: skipping {score.name}: {score.skipped}", file=sys.stderr)
    if args.json:
        print(to_json(scores, per_doc=args.per_doc))
    else:
        print(format_table(scores))
        if args.worst:
            print()
            print(worst(scores, args.worst))
    return 0
