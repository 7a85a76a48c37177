"""Read the documents table the way users ask: one document, documents by status and time,
corpus totals. Every read is a GetItem or a Query: nothing here scans the table.

The table is found from a CloudFormation stack's outputs (`--stack`, the default being the
local stack's name), or named directly (`--table`). `--endpoint-url` points every client at
`docproc local serve`; without it the ordinary AWS credential chain and `--profile` apply.
Key layout: docs/table.md.
"""

from __future__ import annotations

import argparse
import heapq
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3

from docproc.result import Status

INDEX = "ByStatus"
TABLE_OUTPUT = "DocumentsTableName"
DEFAULT_STACK = "docproc"  # the local stack's name (infra.localstack.LocalStack)
STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
# Daily counter items are also in the ByStatus index, under one partition, so the corpus
# totals are one Query however many days the table spans.
COUNTERS_PARTITION = "COUNTERS"
# Attributes for machines, not people: hidden by `show` unless --raw.
INTERNAL_ATTRIBUTES = ("pk", "sk", "gsi1pk", "gsi1sk", "minhash")


@dataclass(frozen=True, slots=True)
class Target:
    """Where the table is: a stack (outputs) or a table name, and how to reach AWS."""

    stack: str = DEFAULT_STACK
    table: str | None = None
    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stack",
        default=os.environ.get("DOCPROC_STACK", DEFAULT_STACK),
        help="CloudFormation stack whose outputs name the table (default: $DOCPROC_STACK or docproc)",
    )
    parser.add_argument("--table", help="table name, instead of reading it from the stack")
    parser.add_argument("--endpoint-url", help="e.g. the URL printed by `docproc local serve`")
    parser.add_argument("--region", help="AWS region (default: the profile's or $AWS_DEFAULT_REGION)")
    parser.add_argument("--profile", help="AWS named profile")


def target_from_args(args: argparse.Namespace) -> Target:
    return Target(
        stack=args.stack,
        table=args.table,
        endpoint_url=args.endpoint_url,
        region=args.region,
        profile=args.profile,
    )


def open_table(target: Target) -> Any:
    """A boto3 Table resource for the target's documents table."""
    session = boto3.Session(profile_name=target.profile, region_name=target.region)
    if session.region_name is None:
        # No region anywhere (profile, environment): moto's and most users' default.
        session = boto3.Session(profile_name=target.profile, region_name="us-east-1")
    name = target.table
    if not name:
        cfn = session.client("cloudformation", endpoint_url=target.endpoint_url)
        name = table_name_from_stack(cfn, target.stack)
    return session.resource("dynamodb", endpoint_url=target.endpoint_url).Table(name)


def table_name_from_stack(cfn: Any, stack: str) -> str:
    outputs = cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    for output in outputs:
        if output["OutputKey"] == TABLE_OUTPUT:
            return str(output["OutputValue"])
    raise LookupError(f"stack {stack!r} has no {TABLE_OUTPUT} output")


def get_document(table: Any, key: str) -> dict[str, Any] | None:
    got = table.get_item(Key={"pk": f"DOC#{key}", "sk": "DOC"})
    item = got.get("Item")
    return plain(item) if item else None


def list_documents(
    table: Any,
    *,
    status: str | None = None,
    since: str | None = None,
    limit: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Document records, newest first, from the ByStatus index (one Query per status)."""
    statuses = [status] if status else list(STATUSES)
    streams = [_query_status(table, s, since) for s in statuses]
    merged = heapq.merge(*streams, key=lambda item: str(item.get("gsi1sk", "")), reverse=True)
    for count, item in enumerate(merged):
        if limit is not None and count >= limit:
            return
        yield item


def _query_status(table: Any, status: str, since: str | None) -> Iterator[dict[str, Any]]:
    condition = "gsi1pk = :pk"
    values: dict[str, Any] = {":pk": f"STATUS#{status}"}
    if since:
        condition += " AND gsi1sk >= :since"
        values[":since"] = since
    yield from _paged_query(
        table,
        IndexName=INDEX,
        KeyConditionExpression=condition,
        ExpressionAttributeValues=values,
        ScanIndexForward=False,
    )


def _paged_query(table: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
    while True:
        page = table.query(**kwargs)
        for item in page.get("Items", []):
            yield plain(item)
        last = page.get("LastEvaluatedKey")
        if not last:
            return
        kwargs["ExclusiveStartKey"] = last


@dataclass(slots=True)
class Totals:
    documents: int = 0
    characters: int = 0


def daily_counters(table: Any, since_day: str | None = None) -> list[dict[str, Any]]:
    """Counter items (day, status, documents, characters), oldest day first."""
    condition = "gsi1pk = :pk"
    values: dict[str, Any] = {":pk": COUNTERS_PARTITION}
    if since_day:
        condition += " AND gsi1sk >= :since"
        values[":since"] = since_day[:10]
    rows = []
    for item in _paged_query(
        table, IndexName=INDEX, KeyConditionExpression=condition, ExpressionAttributeValues=values
    ):
        rows.append(
            {
                "day": str(item["pk"]).removeprefix("COUNTER#"),
                "status": str(item["sk"]).removeprefix("STATUS#"),
                "documents": int(item.get("documents", 0)),
                "characters": int(item.get("characters", 0)),
            }
        )
    return rows


def corpus_totals(counters: Iterable[dict[str, Any]]) -> dict[str, Totals]:
    """Documents and characters per status, summed over days (every status present, maybe 0)."""
    totals = {s: Totals() for s in STATUSES}
    for row in counters:
        t = totals.setdefault(row["status"], Totals())
        t.documents += row["documents"]
        t.characters += row["characters"]
    return totals


_RELATIVE = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str, now: datetime | None = None) -> str:
    """`2026-11-28`, `2026-11-28T14:00`, an ISO time with offset, or `30m`/`6h`/`2d`/`1w` ago
    -> the UTC ISO prefix records' processed_at values sort against."""
    value = value.strip()
    match = _RELATIVE.match(value)
    if match:
        now = now or datetime.now(UTC)
        moment = now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
        return _iso(moment)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as err:
        raise ValueError(f"--since: expected a date, an ISO time or e.g. 6h / 2d, got {value!r}") from err
    if moment.tzinfo is None:
        if len(value) == 10:  # a bare date: keep it as a prefix, so the whole day is included
            return value
        moment = moment.replace(tzinfo=UTC)
    return _iso(moment)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def plain(value: Any) -> Any:
    """DynamoDB values -> plain Python: Decimal to int/float, sets to sorted lists, bytes to length."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    if isinstance(value, bytes | bytearray):
        return value
    if hasattr(value, "value") and isinstance(value.value, bytes | bytearray):  # boto3 Binary
        return bytes(value.value)
    return value


def public_view(record: dict[str, Any]) -> dict[str, Any]:
    """A record without the index keys and binary signature, for people."""
    return {k: v for k, v in record.items() if k not in INTERNAL_ATTRIBUTES}
