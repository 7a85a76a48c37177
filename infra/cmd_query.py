"""`docproc show KEY`, `docproc list [--status S] [--since T]`, `docproc stats`: read the table."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from infra.queries import (
    STATUSES,
    Totals,
    add_target_arguments,
    corpus_totals,
    daily_counters,
    get_document,
    list_documents,
    open_table,
    parse_since,
    public_view,
    target_from_args,
)


def register(subparsers: Any) -> None:
    show = subparsers.add_parser("show", help="one document's record, as JSON")
    show.add_argument("key", help="the source object key, e.g. incoming/a.txt")
    show.add_argument("--raw", action="store_true", help="include index keys and the MinHash signature")
    add_target_arguments(show)
    show.set_defaults(func=run_show)

    lister = subparsers.add_parser("list", help="documents by status and time, newest first")
    lister.add_argument("--status", choices=STATUSES, help="only this status (default: all)")
    lister.add_argument("--since", help="processed at or after: 2026-11-28, an ISO time, or 6h / 2d ago")
    lister.add_argument("--limit", type=int, default=50, help="at most this many (0: all; default 50)")
    lister.add_argument("--json", action="store_true", help="one JSON record per line")
    add_target_arguments(lister)
    lister.set_defaults(func=run_list)

    stats = subparsers.add_parser("stats", help="corpus totals: documents and characters by status")
    stats.add_argument("--since", help="only days from this one: 2026-11-28, or 2d ago")
    stats.add_argument("--by-day", action="store_true", help="one row per day and status")
    stats.add_argument("--json", action="store_true", help="print JSON")
    add_target_arguments(stats)
    stats.set_defaults(func=run_stats)


def run_show(args: argparse.Namespace) -> int:
    record = get_document(open_table(target_from_args(args)), args.key)
    if record is None:
        print(f"no record for {args.key!r}", file=sys.stderr)
        return 1
    shown = record if args.raw else public_view(record)
    print(json.dumps(shown, ensure_ascii=False, indent=2, sort_keys=True, default=_json_default))
    return 0


def run_list(args: argparse.Namespace) -> int:
    since = parse_since(args.since) if args.since else None
    limit = args.limit if args.limit > 0 else None
    records = list_documents(open_table(target_from_args(args)), status=args.status, since=since, limit=limit)
    count = 0
    for record in records:
        count += 1
        if args.json:
            line = json.dumps(public_view(record), ensure_ascii=False, sort_keys=True, default=_json_default)
            print(line)
        else:
            print(format_list_row(record))
    if not args.json:
        print(f"{count} document(s)", file=sys.stderr)
    return 0


def format_list_row(record: dict[str, Any]) -> str:
    chars = record.get("stats", {}).get("chars_out", "")
    columns = [record.get("processed_at", ""), record.get("status", ""), chars, record["key"], detail(record)]
    return "\t".join(str(c) for c in columns)


def detail(record: dict[str, Any]) -> str:
    """Why a document has its status, in a few words."""
    if record.get("duplicate_of"):
        similarity = record.get("similarity")
        kind = "exact" if similarity is None or similarity >= 1 else f"near, J~{similarity:.2f}"
        return f"duplicate of {record['duplicate_of']} ({kind})"
    if record.get("error"):
        return str(record["error"]).splitlines()[0][:120]
    return ",".join(record.get("reasons", []))


def run_stats(args: argparse.Namespace) -> int:
    since = parse_since(args.since) if args.since else None
    counters = daily_counters(open_table(target_from_args(args)), since)
    if args.json:
        totals = {s: vars_of(t) for s, t in corpus_totals(counters).items()}
        payload = {"totals": totals, "days": counters} if args.by_day else {"totals": totals}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    if args.by_day:
        print(f"{'day':<12}{'status':<11}{'documents':>10}{'characters':>14}")
        for r in counters:
            print(f"{r['day']:<12}{r['status']:<11}{r['documents']:>10}{r['characters']:>14}")
        print()
    print(format_totals(corpus_totals(counters)))
    return 0


def format_totals(totals: dict[str, Totals]) -> str:
    lines = [f"{'status':<11}{'documents':>10}{'characters':>14}"]
    for status, t in totals.items():
        lines.append(f"{status:<11}{t.documents:>10}{t.characters:>14}")
    lines.append(
        f"{'total':<11}{sum(t.documents for t in totals.values()):>10}"
        f"{sum(t.characters for t in totals.values()):>14}"
    )
    return "\n".join(lines)


def vars_of(totals: Totals) -> dict[str, int]:
    return {"documents": totals.documents, "characters": totals.characters}


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return value.hex()
    return str(value)
