"""`docproc local run DIR` and `docproc local serve`: the template's stack on moto, the real handler."""

from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import sys
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

from boto3.dynamodb.types import Binary
from tqdm import tqdm

from infra.localstack import LocalStack
from infra.report import collect, run_summary, write_report

INCOMING = "incoming/"
# Quiet by default: the function's INFO logs and metric lines would bury the records.
QUIET_FUNCTION = {"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}
# A document that failed, or got no record at all, makes the run exit non-zero.
UNFINISHED = {"failed", "missing"}


# The statistics worth a glance on one line (the full set is in --json).
HEADLINE_STATS = ("paragraphs", "noise_ratio", "han_ratio", "language", "script_in")


def register(subparsers: Any) -> None:
    local = subparsers.add_parser("local", help="the stack of template.yaml on moto, in this process")
    sub = local.add_subparsers(dest="local_command", required=True)

    run = sub.add_parser("run", help="upload every file under DIR, process them all, print the records")
    run.add_argument("directory", type=Path)
    run.add_argument("--json", action="store_true", help="one JSON object per document record")
    run.add_argument("--verbose", action="store_true", help="the function's logs and metrics on stderr")
    run.add_argument(
        "--report",
        nargs="?",
        const="report.html",
        metavar="FILE",
        help="also write the corpus report (self-contained HTML; default file: report.html)",
    )
    run.set_defaults(func=run_command)

    serve = sub.add_parser("serve", help="the stack behind a local endpoint, processing uploads as they come")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument("--verbose", action="store_true", help="the function's logs and metrics on stderr")
    serve.set_defaults(func=serve_command)


def function_io(verbose: bool) -> dict[str, Any]:
    """The function's logs and metric lines: on stderr when verbose, otherwise discarded
    (each record carries its own outcome and error)."""
    if verbose:
        return {"env_overrides": {}, "function_output": sys.stderr}
    return {"env_overrides": QUIET_FUNCTION, "function_output": open(os.devnull, "w")}


def run_command(args: argparse.Namespace) -> int:
    _configure_logging(args.verbose)
    files = sorted(p for p in args.directory.rglob("*") if p.is_file())
    if not files:
        print(f"no files under {args.directory}", file=sys.stderr)
        return 2
    with LocalStack(freeze_after_start=True, **function_io(args.verbose)) as stack:
        keys = upload_all(stack, args.directory, files)
        with tqdm(total=len(keys), desc="processing", unit="msg", disable=None, file=sys.stderr) as bar:
            stack.drain(on_batch=bar.update)
        documents = {str(d["key"]): d for d in stack.documents(keys)}
        if args.report:
            write_report(collect(stack.resource("dynamodb").Table(stack.names.table)), args.report)
    finished = []
    for key in keys:
        doc = documents.get(key)
        if doc is None:
            doc = {"key": key, "status": "missing", "reasons": ["no record was written"], "stats": {}}
        finished.append(plain(doc))
        print(json.dumps(plain(doc), ensure_ascii=False, sort_keys=True) if args.json else summary_line(doc))
    # The totals last, where a reader looks; kept off stdout when stdout is JSON lines.
    print(run_summary(finished), file=sys.stderr if args.json else sys.stdout)
    if args.report:
        print(f"report: {args.report}", file=sys.stderr)
    return 1 if any(documents.get(k, {}).get("status", "missing") in UNFINISHED for k in keys) else 0


def upload_all(stack: LocalStack, directory: Path, files: list[Path]) -> list[str]:
    keys = []
    for path in tqdm(files, desc="uploading", unit="file", disable=None, file=sys.stderr):
        key = INCOMING + path.relative_to(directory).as_posix()
        stack.upload(key, path.read_bytes())
        keys.append(key)
    return keys


def summary_line(doc: dict[str, Any]) -> str:
    """One line per record: key, status, size in and out, headline statistics, reasons."""
    stats = doc.get("stats", {})
    parts = [
        f"{doc.get('status', '?'):<9}",
        str(doc["key"]),
        f"in={_number(doc.get('source_size', stats.get('bytes_in', 0)))}B",
        f"out={_number(stats.get('chars_out', 0))}chars",
    ]
    for name in HEADLINE_STATS:
        if name in stats and not isinstance(stats[name], dict | list):
            parts.append(f"{name}={_number(stats[name])}")
    words = [str(k[0]) for k in stats.get("keywords", [])[:3] if isinstance(k, list | tuple) and k]
    if words:
        parts.append("keywords=" + ",".join(words))
    if doc.get("duplicate_of"):
        parts.append(f"duplicate_of={doc['duplicate_of']}")
    if doc.get("reasons"):
        parts.append("reasons=" + ",".join(map(str, doc["reasons"])))
    if doc.get("error"):
        parts.append(f"error={doc['error']}")
    return "  ".join(parts)


def plain(value: Any) -> Any:
    """DynamoDB's Decimals back to int/float so the record prints as ordinary JSON."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k not in {"pk", "sk", "gsi1pk", "gsi1sk"}}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if isinstance(value, Binary | bytes | bytearray):
        # Packed signatures (the MinHash) mean nothing on a terminal: show them as base64.
        return base64.b64encode(bytes(value.value if isinstance(value, Binary) else value)).decode("ascii")
    return value


def _number(value: Any) -> str:
    value = plain(value)
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def serve_command(args: argparse.Namespace) -> int:
    _configure_logging(args.verbose)
    stop = threading.Event()
    with LocalStack(port=args.port, freeze_after_start=True, **function_io(args.verbose)) as stack:
        print_serve_banner(stack)
        worker = threading.Thread(target=drain_forever, args=(stack, stop), daemon=True)
        worker.start()
        try:
            while worker.is_alive():
                worker.join(timeout=0.5)
        except KeyboardInterrupt:
            print("stopping", file=sys.stderr)
        finally:
            stop.set()
            worker.join(timeout=5)
    return 0


def drain_forever(stack: LocalStack, stop: threading.Event, poll_seconds: float = 0.5) -> None:
    """Deliver whatever arrives, as the event source mapping would, until told to stop."""
    log = logging.getLogger(__name__)
    while not stop.is_set():
        try:
            report = stack.drain()
        except Exception:
            # Keep serving: one bad round (say, the server shutting down) is logged, not fatal.
            log.exception("drain failed")
            report = None
        if report and report.messages:
            log.info("delivered %d message(s), %d failed", report.messages, report.failures)
        stop.wait(poll_seconds)


def print_serve_banner(stack: LocalStack) -> None:
    n = stack.names
    url = stack.endpoint_url
    lines = [
        f"docproc local stack on {url} (Ctrl-C to stop)",
        f"  raw bucket    {n.raw_bucket}",
        f"  clean bucket  {n.clean_bucket}",
        f"  queue         {n.queue_url}",
        f"  dead letters  {n.dlq_url}",
        f"  table         {n.table}",
        "",
        "try (any credentials work; region " + stack.region + "):",
        f"  aws --endpoint-url {url} s3 cp my.txt s3://{n.raw_bucket}/incoming/my.txt",
        f"  aws --endpoint-url {url} dynamodb get-item --table-name {n.table} "
        """--key '{"pk":{"S":"DOC#incoming/my.txt"},"sk":{"S":"DOC"}}'""",
        f"  aws --endpoint-url {url} s3 cp s3://{n.clean_bucket}/clean/my.txt.txt -",
    ]
    print("\n".join(lines), flush=True)


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
