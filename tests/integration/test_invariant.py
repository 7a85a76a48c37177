"""The invariant, checked over everything the pipeline touches after a mixed, faulty run.

Every uploaded object ends with exactly one final document record (kept, dropped, duplicate,
rejected with a reason; deleted when it vanished before it was read) or, after the configured
retries, its message in the DLQ plus a `failed` record saying why. Nothing silently skipped,
nothing counted twice. `check_invariant` reads the table, the clean bucket and both queues.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from infra.localstack import LocalStack
from tests.integration.boundary import metric_values
from tests.integration.faults import article, dynamodb_client, fail, key_is, s3_client, throttle

FINAL = {"kept", "dropped", "duplicate", "rejected", "deleted"}


@dataclass
class Invariant:
    records: dict[str, dict[str, Any]]
    dead_letter_keys: list[str]
    statuses: Counter[str]


def dead_letter_keys(stack: LocalStack) -> list[str]:
    """Keys named by the messages in the DLQ (each read once; they stay in the queue)."""
    sqs = stack.client("sqs")
    keys: list[str] = []
    seen: set[str] = set()
    while True:
        got = sqs.receive_message(QueueUrl=stack.names.dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=30)
        messages = [m for m in got.get("Messages", []) if m["MessageId"] not in seen]
        if not messages:
            break
        for m in messages:
            seen.add(m["MessageId"])
            body = json.loads(m["Body"])
            keys.extend(unquote_plus(r["s3"]["object"]["key"]) for r in body.get("Records", []))
    return keys


def check_invariant(stack: LocalStack, uploaded: list[str]) -> Invariant:
    records = {str(d["key"]): d for d in stack.documents()}
    # Exactly one record per uploaded object: none missing, none extra (one item per key by design).
    assert sorted(records) == sorted(uploaded)
    for key, doc in records.items():
        status = str(doc["status"])
        assert status in FINAL | {"failed"}, (key, status)
        if status in {"rejected", "failed", "dropped", "duplicate", "deleted"}:
            assert doc.get("reasons"), f"{key}: {status} without a reason"
        if status == "failed":
            assert doc.get("error"), f"{key}: failed without saying why"
        if status == "duplicate":
            assert records[str(doc["duplicate_of"])]["status"] == "kept", key
    # Failed <=> parked in the DLQ; nothing left waiting in the queue.
    parked = dead_letter_keys(stack)
    assert sorted(parked) == sorted(k for k, d in records.items() if d["status"] == "failed")
    assert stack.queue_depth(stack.names.queue_url) == 0
    # The clean bucket holds exactly the objects the records point at.
    listed = stack.client("s3").list_objects_v2(Bucket=stack.names.clean_bucket).get("Contents", [])
    clean_keys = sorted(str(o["Key"]) for o in listed)
    referenced = sorted(str(d["clean_key"]) for d in records.values() if d.get("clean_key"))
    assert clean_keys == referenced
    # Counted once: the daily counters and the Documents metric agree with the records.
    statuses = Counter(str(d["status"]) for d in records.values())
    table = stack.resource("dynamodb").Table(stack.names.table)
    counters: Counter[str] = Counter()
    for item in table.scan()["Items"]:
        if str(item["pk"]).startswith("COUNTER#"):
            counters[str(item["sk"]).removeprefix("STATUS#")] += int(item.get("documents", 0))
    assert +counters == statuses
    assert sum(metric_values(stack, "Documents")) == len(records)
    return Invariant(records, parked, statuses)


def test_a_mixed_upload_with_faults_keeps_the_invariant(stack: LocalStack) -> None:
    max_receive = int(stack.function_env["MAX_RECEIVE_COUNT"])
    uploads: dict[str, bytes] = {f"incoming/mix/article-{i}.txt": article(200 + i) for i in range(8)}
    uploads |= {
        "incoming/mix/copy of article-0.txt": article(200),  # exact duplicate of another key
        "incoming/mix/empty.txt": b"",
        "incoming/mix/image.png": b"\x89PNG\r\n\x1a\n" + bytes(300),
        "incoming/mix/compressed.txt.gz": gzip.compress(article(220)),
        "incoming/mix/gbk.txt": article(221).decode().encode("gbk"),
        "incoming/mix/短文 +%.txt": "太短。".encode(),
        "incoming/mix/flaky-read.txt": article(222),
        "incoming/mix/flaky-write.txt": article(223),
        "incoming/mix/poison.txt": article(224),
    }
    fail(s3_client(stack), "GetObject", key_is("incoming/mix/flaky-read.txt"), times=1)
    fail(s3_client(stack), "PutObject", key_is("clean/mix/flaky-write.txt.txt"), times=1)
    fail(s3_client(stack), "GetObject", key_is("incoming/mix/poison.txt"))  # every time
    # Four throttles in a row: more than botocore's three retries, so one delivery fails.
    throttle(dynamodb_client(stack), "TransactWriteItems", times=4)
    for key, data in uploads.items():
        stack.upload(key, data)
    stack.upload("incoming/mix/vanished.txt", article(225))
    stack.client("s3").delete_object(Bucket=stack.names.raw_bucket, Key="incoming/mix/vanished.txt")

    report = stack.drain()

    seen = check_invariant(stack, [*uploads, "incoming/mix/vanished.txt"])
    assert seen.dead_letter_keys == ["incoming/mix/poison.txt"]
    assert seen.records["incoming/mix/poison.txt"]["attempts"] == max_receive
    assert seen.records["incoming/mix/copy of article-0.txt"]["status"] == "duplicate"
    assert seen.records["incoming/mix/vanished.txt"]["status"] == "deleted"
    assert seen.records["incoming/mix/flaky-read.txt"]["status"] == "kept"
    assert seen.records["incoming/mix/flaky-write.txt"]["status"] == "kept"
    assert seen.statuses["rejected"] == 2 and seen.statuses["failed"] == 1
    # Two failed S3 calls, one write throttled past the SDK's retries, every poison delivery.
    assert report.failures == 3 + max_receive


def test_the_invariant_check_catches_a_silently_skipped_object(stack: LocalStack) -> None:
    """The harness itself must be able to fail: an upload whose message is lost is caught."""
    stack.upload("incoming/lost.txt", article(230))
    stack.client("sqs").purge_queue(QueueUrl=stack.names.queue_url)  # the notification never arrives
    stack.drain()

    try:
        check_invariant(stack, ["incoming/lost.txt"])
    except AssertionError:
        return
    raise AssertionError("check_invariant accepted an upload with no record")
