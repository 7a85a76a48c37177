"""S3 event notifications, as they arrive in an SQS message body, -> what the handler acts on.

Three kinds of body reach the queue: S3's `s3:TestEvent` (sent once when the notification is
configured), a notification with one or more `Records`, and anything else (a message someone
sent by hand). Each gets its own type so the handler can answer each one deliberately.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus


@dataclass(frozen=True, slots=True)
class ObjectEvent:
    """One object created (or removed) in a bucket, with the key decoded."""

    event_name: str  # e.g. "ObjectCreated:Put"
    bucket: str
    key: str  # decoded exactly once: S3 form-encodes keys in notifications
    size: int | None  # absent from ObjectRemoved events
    etag: str | None
    version_id: str | None  # absent when the bucket is not versioned (and in moto's events)

    @property
    def created(self) -> bool:
        return self.event_name.startswith("ObjectCreated:")

    @property
    def removed(self) -> bool:
        return self.event_name.startswith("ObjectRemoved:")

    @property
    def source_tag(self) -> str | None:
        """What identifies this exact content of the key: the version if known, else the ETag."""
        return self.version_id or self.etag


@dataclass(frozen=True, slots=True)
class TestEvent:
    bucket: str


@dataclass(frozen=True, slots=True)
class UnrecognisedMessage:
    reason: str  # one sentence for the log; the body itself is not repeated


Message = list[ObjectEvent] | TestEvent | UnrecognisedMessage


def parse_message(body: str) -> Message:
    """Classify an SQS message body sent by an S3 notification (or not)."""
    try:
        payload = json.loads(body)
    except ValueError:
        return UnrecognisedMessage("body is not JSON")
    if not isinstance(payload, dict):
        return UnrecognisedMessage("body is JSON but not an object")
    if payload.get("Event") == "s3:TestEvent":
        return TestEvent(bucket=str(payload.get("Bucket", "")))
    records = payload.get("Records")
    if not isinstance(records, list) or not records:
        return UnrecognisedMessage("body has no Records")
    events = [_object_event(r) for r in records if isinstance(r, dict) and r.get("eventSource") == "aws:s3"]
    if not events:
        return UnrecognisedMessage("body has no aws:s3 records")
    return events


def _object_event(record: dict[str, Any]) -> ObjectEvent:
    s3 = record.get("s3", {})
    obj = s3.get("object", {})
    size = obj.get("size")
    return ObjectEvent(
        event_name=str(record.get("eventName", "")),
        bucket=str(s3.get("bucket", {}).get("name", "")),
        key=unquote_plus(str(obj.get("key", ""))),
        size=int(size) if size is not None else None,
        etag=_bare_etag(obj.get("eTag")),
        version_id=obj.get("versionId") or None,
    )


def _bare_etag(etag: Any) -> str | None:
    """ETags arrive quoted from HeadObject/GetObject and bare in events: compare them bare."""
    return str(etag).strip('"') if etag else None
