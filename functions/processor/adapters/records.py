"""DynamoDB: one document record per source key, written idempotently.

Single-table layout (see docs/architecture.md):
  document record   pk=DOC#<source key>   sk=DOC      (this module)
  exact-dup owner   pk=HASH#<sha256>      sk=HASH
  LSH band          pk=BAND#<i>#<hex>     sk=DOC#<key>
  daily counter     pk=COUNTER#<date>     sk=STATUS#<status>
The ByStatus index (gsi1pk=STATUS#<status>, gsi1sk=<processed_at>#<key>) lists documents by outcome.

Idempotency: a record stores `source_tag` (the object's version id, or its ETag when the
bucket gives no version). Writing is conditional on the stored tag being different, so a
second delivery of the same upload changes nothing and counts nothing. A `failed` record
may always be replaced: a redriven message must be able to succeed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

DOC_SK = "DOC"
FAILED = "failed"
# Bounds that keep one item far below DynamoDB's 400 KB limit whatever the core returns:
# the text itself lives in S3, the record carries only numbers and short strings.
MAX_LIST_ITEMS = 50
MAX_MAP_ITEMS = 100
MAX_STRING_CHARS = 1024
MAX_ERROR_CHARS = 2000
MAX_ITEM_BYTES = 350_000


def doc_pk(key: str) -> str:
    return f"DOC#{key}"


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(slots=True)
class DocumentRecord:
    """Everything recorded about one source object; `to_item` gives the DynamoDB item."""

    key: str
    status: str
    source_bucket: str
    source_key: str
    source_tag: str
    pipeline_version: str
    processed_at: str = field(default_factory=utc_now_iso)
    reasons: list[str] = field(default_factory=list)
    source_version: str | None = None
    source_etag: str | None = None
    source_size: int | None = None
    clean_bucket: str | None = None
    clean_key: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    keywords: list[str] = field(default_factory=list)
    content_hash: str | None = None
    duplicate_of: str | None = None
    similarity: float | None = None
    error: str | None = None
    attempts: int = 1

    def to_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": doc_pk(self.key),
            "sk": DOC_SK,
            "gsi1pk": f"STATUS#{self.status}",
            "gsi1sk": f"{self.processed_at}#{self.key}",
            "key": self.key,
            "status": self.status,
            "reasons": _bounded(self.reasons),
            "source_bucket": self.source_bucket,
            "source_key": self.source_key,
            "source_tag": self.source_tag,
            "source_version": self.source_version,
            "source_etag": self.source_etag,
            "source_size": self.source_size,
            "clean_bucket": self.clean_bucket,
            "clean_key": self.clean_key,
            "pipeline_version": self.pipeline_version,
            "processed_at": self.processed_at,
            "stats": _bounded(self.stats),
            "metadata": _bounded(self.metadata),
            "keywords": _bounded(self.keywords),
            "content_hash": self.content_hash,
            "duplicate_of": self.duplicate_of,
            "similarity": self.similarity,
            "error": self.error[:MAX_ERROR_CHARS] if self.error else None,
            "attempts": self.attempts,
        }
        item = {k: to_dynamo(v) for k, v in item.items() if v is not None}
        return _fit(item)


class DocumentRecords:
    """The document records in the table. `table` is a boto3 DynamoDB Table resource."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def get(self, key: str) -> dict[str, Any] | None:
        got = self.table.get_item(Key={"pk": doc_pk(key), "sk": DOC_SK}, ConsistentRead=True)
        item: dict[str, Any] | None = got.get("Item")
        return item

    def is_recorded(self, key: str, source_tag: str | None) -> bool:
        """True when this exact upload already has a final (not failed) record."""
        if not source_tag:
            return False
        item = self.get(key)
        return bool(item and item.get("source_tag") == source_tag and item.get("status") != FAILED)

    def put(self, record: DocumentRecord) -> bool:
        """Write the record unless this upload is already recorded; False means it was (a no-op)."""
        try:
            self.table.put_item(
                Item=record.to_item(),
                ConditionExpression="attribute_not_exists(pk) OR source_tag <> :tag OR #status = :failed",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":tag": record.source_tag, ":failed": FAILED},
            )
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True


def to_dynamo(value: Any) -> Any:
    """Python values -> what DynamoDB stores: floats become Decimal, non-finite floats None."""
    if isinstance(value, bool) or value is None or isinstance(value, int | str | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value)) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): to_dynamo(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_dynamo(v) for v in value]
    return str(value)


def _bounded(value: Any, depth: int = 0) -> Any:
    """Cut lists, maps and strings to fixed sizes, recursively (depth-limited)."""
    if isinstance(value, str):
        return value[:MAX_STRING_CHARS]
    if depth > 4:
        return None
    if isinstance(value, dict):
        items = list(value.items())[:MAX_MAP_ITEMS]
        return {str(k)[:MAX_STRING_CHARS]: _bounded(v, depth + 1) for k, v in items}
    if isinstance(value, list | tuple):
        return [_bounded(v, depth + 1) for v in list(value)[:MAX_LIST_ITEMS]]
    return value


def _fit(item: dict[str, Any]) -> dict[str, Any]:
    """Last guard for the 400 KB limit: drop the free-form maps rather than fail the write."""
    for name in ("metadata", "keywords", "stats"):
        if _approx_size(item) <= MAX_ITEM_BYTES:
            break
        if name in item:
            item.pop(name)
            item.setdefault("truncated", []).append(name)
    return item


def _approx_size(item: dict[str, Any]) -> int:
    return len(json.dumps(item, default=str, ensure_ascii=False).encode("utf-8"))
