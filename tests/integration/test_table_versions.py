"""A key's life in the table: new versions, removal, repeated deliveries; counters stay true.

moto sends no ObjectRemoved notification on delete_object, so removals are tested by sending
the queue a message shaped exactly like S3's (the key form-encoded, as S3 encodes it).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from docproc import dedup
from infra.localstack import LocalStack
from tests.integration.test_table_dedup import (
    band_entries,
    band_heads,
    band_members,
    counters,
    items_with_prefix,
    upload_all,
)
from tests.unit.test_dedup import SAMPLE

KEY = "incoming/新闻 稿.txt"  # a space and Chinese: both arrive encoded in events
OTHER_ARTICLE = SAMPLE[len(SAMPLE) // 2 :]


def removal_message(bucket: str, key: str, version_id: str | None) -> str:
    """The body S3 sends the queue when an object is deleted from a versioned bucket."""
    obj: dict[str, Any] = {"key": quote_plus(key), "sequencer": "0065A1B2C3D4E5F601"}
    if version_id:
        obj["versionId"] = version_id
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "eventName": "ObjectRemoved:DeleteMarkerCreated" if version_id else "ObjectRemoved:Delete",
        "userIdentity": {"principalId": "AWS:AIDAEXAMPLE"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": "EXAMPLE123456789", "x-amz-id-2": "EXAMPLE/abc"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "removed",
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": "EXAMPLE"},
                "arn": f"arn:aws:s3:::{bucket}",
            },
            "object": obj,
        },
    }
    return json.dumps({"Records": [record]})


def delete_and_notify(stack: LocalStack, key: str) -> str:
    """Delete the object for real, then deliver the notification moto does not send."""
    deleted = stack.client("s3").delete_object(Bucket=stack.names.raw_bucket, Key=key)
    body = removal_message(stack.names.raw_bucket, key, deleted.get("VersionId"))
    stack.client("sqs").send_message(QueueUrl=stack.names.queue_url, MessageBody=body)
    stack.drain()
    return body


def held_by(stack: LocalStack, key: str) -> tuple[list[str], list[str]]:
    """(hashes, band keys) whose items name `key` as their owner / as a member after the head."""
    hashes = [str(i["pk"]) for i in items_with_prefix(stack, "HASH#") if i["owner"] == key]
    bands = [str(i["pk"]).removeprefix("BAND#") for i in band_members(stack) if i["key"] == key]
    return hashes, sorted(bands)


def test_a_new_version_replaces_the_record_and_releases_what_the_old_one_held(stack: LocalStack) -> None:
    upload_all(stack, {KEY: SAMPLE})
    first = stack.document(KEY)
    assert first is not None and first["status"] == "kept"

    upload_all(stack, {KEY: OTHER_ARTICLE})

    second = stack.document(KEY)
    assert second is not None and second["status"] == "kept"
    assert second["content_hash"] != first["content_hash"]
    hashes, members = held_by(stack, KEY)
    assert hashes == [f"HASH#{second['content_hash']}"]  # the old hash item is gone
    # Findable in each of its 16 buckets; no member item of the old version is left.
    entries = band_entries(stack, KEY)
    assert set(second["bands"]) <= entries and len(second["bands"]) == dedup.BANDS
    assert set(members) <= set(second["bands"])
    # What else names it are the old version's heads: they stay, stale (its record no longer
    # lists those bands, so lookups pass them over).
    heads = band_heads(stack)
    assert entries - set(second["bands"]) <= set(first["bands"])
    assert all(heads[band] == KEY for band in entries - set(second["bands"]))
    assert counters(stack) == {"kept": (1, int(second["characters"]))}
    # The old content is free again: under another name it is an original, not a duplicate.
    upload_all(stack, {"incoming/old-content.txt": SAMPLE})
    assert stack.document("incoming/old-content.txt")["status"] == "kept"  # type: ignore[index]


def test_a_duplicate_that_becomes_original_moves_between_counters(stack: LocalStack) -> None:
    upload_all(stack, {"incoming/a.txt": SAMPLE, KEY: SAMPLE})
    assert stack.document(KEY)["status"] == "duplicate"  # type: ignore[index]
    assert counters(stack)["duplicate"][0] == 1

    upload_all(stack, {KEY: OTHER_ARTICLE})

    assert stack.document(KEY)["status"] == "kept"  # type: ignore[index]
    totals = counters(stack)
    assert "duplicate" not in totals and totals["kept"][0] == 2


def test_removal_marks_the_record_deleted_and_releases_hash_bands_and_counts(stack: LocalStack) -> None:
    upload_all(stack, {KEY: SAMPLE})
    kept = stack.document(KEY)
    assert kept is not None

    body = delete_and_notify(stack, KEY)

    deleted = stack.document(KEY)
    assert deleted is not None
    assert deleted["status"] == "deleted" and deleted["reasons"] == ["object_removed"]
    assert held_by(stack, KEY) == ([], [])
    # Its bucket heads stay, stale: the lookup below reads them and passes over this record.
    assert band_heads(stack) == dict.fromkeys(kept["bands"], KEY)
    assert counters(stack) == {"deleted": (1, 0)}
    # The same notification delivered again changes nothing.
    stack.client("sqs").send_message(QueueUrl=stack.names.queue_url, MessageBody=body)
    stack.drain()
    assert stack.document(KEY) == deleted
    assert counters(stack) == {"deleted": (1, 0)}
    # Its content, uploaded again under another name, is an original.
    upload_all(stack, {"incoming/again.txt": SAMPLE})
    assert stack.document("incoming/again.txt")["status"] == "kept"  # type: ignore[index]


def test_the_same_upload_delivered_twice_counts_once(stack: LocalStack) -> None:
    stack.upload(KEY, SAMPLE.encode())
    messages = stack.driver.receive_batch()
    upload_body = next(m["Body"] for m in messages if "Records" in json.loads(m["Body"]))
    sqs = stack.client("sqs")
    for m in messages:
        sqs.change_message_visibility(
            QueueUrl=stack.names.queue_url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0
        )
    stack.drain()
    once = counters(stack)

    sqs.send_message(QueueUrl=stack.names.queue_url, MessageBody=upload_body)
    stack.drain()

    assert counters(stack) == once
    assert once["kept"][0] == 1
    assert len(items_with_prefix(stack, "BAND#")) == dedup.BANDS == len(band_heads(stack))
