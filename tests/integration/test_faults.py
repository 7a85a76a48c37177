"""Faults on the local stack, each injected at a boundary client, each with its recorded outcome.

Whatever fails, every upload must end with exactly one record, its clean object when it has
text, and nothing left in the queues. The helpers in tests/integration/faults.py say how each
fault is made; the cleaning core is never patched.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

import pytest

from infra.localstack import LocalStack
from tests.integration.boundary import metric_values
from tests.integration.faults import (
    article,
    before_call,
    crash_after,
    crash_before,
    deliver_until_killed,
    dynamodb_client,
    fail,
    invoke,
    key_is,
    lost_answer,
    s3_client,
    second_environment,
    throttle,
)


def daily_documents(stack: LocalStack) -> dict[str, int]:
    """The table's daily counters, summed per status: what `docproc stats` reports."""
    table = stack.resource("dynamodb").Table(stack.names.table)
    totals: dict[str, int] = {}
    for item in table.scan()["Items"]:
        if str(item["pk"]).startswith("COUNTER#"):
            status = str(item["sk"]).removeprefix("STATUS#")
            totals[status] = totals.get(status, 0) + int(item.get("documents", 0))
    return {s: n for s, n in totals.items() if n}


def assert_settled(stack: LocalStack, keys: list[str]) -> dict[str, dict[str, Any]]:
    """One final record per key, its clean object present, counted once, queues empty."""
    docs = {str(d["key"]): d for d in stack.documents()}
    assert sorted(docs) == sorted(keys)
    for key, doc in docs.items():
        assert doc["status"] in {"kept", "dropped", "duplicate", "rejected"}, (key, doc.get("error"))
        if doc.get("clean_key"):
            assert stack.clean_text(str(doc["clean_key"])), key
    by_status: dict[str, int] = {}
    for doc in docs.values():
        by_status[str(doc["status"])] = by_status.get(str(doc["status"]), 0) + 1
    assert daily_documents(stack) == by_status
    assert stack.queue_depth(stack.names.queue_url) == 0
    assert stack.queue_depth(stack.names.dlq_url) == 0
    return docs


def upload_and_receive(stack: LocalStack, key: str, data: bytes) -> dict[str, Any]:
    """Upload, then take its notification off the queue, as the event source mapping would."""
    stack.drain()  # whatever is queued before (S3's test event), so what follows is this upload
    stack.upload(key, data)
    (message,) = stack.driver.receive_batch()
    return message


@pytest.mark.parametrize("operation", ["GetObject", "PutObject"])
def test_s3_failing_once_then_succeeding_records_the_document_once(stack: LocalStack, operation: str) -> None:
    key = "incoming/s3-flaky.txt"
    # GetObject reads the raw key; PutObject writes the clean one (clean/<...>.txt).
    when = key_is(key) if operation == "GetObject" else key_is("clean/s3-flaky.txt.txt")
    injected = fail(s3_client(stack), operation, when, times=1)
    stack.upload(key, article(1))

    report = stack.drain()

    assert len(injected) == 1
    assert report.failures == 1  # the first delivery, retried by SQS
    docs = assert_settled(stack, [key])
    assert docs[key]["status"] == "kept"
    assert docs[key]["attempts"] == 2
    assert "error" not in docs[key]
    assert sum(metric_values(stack, "Documents")) == 1


def test_dynamodb_throttling_is_absorbed_by_the_sdk_retries(stack: LocalStack) -> None:
    key = "incoming/throttled.txt"
    # Every record write is a transaction: throttle the first three, as a hot table would.
    injected = throttle(dynamodb_client(stack), "TransactWriteItems", times=3)
    stack.upload(key, article(2))

    report = stack.drain()

    assert len(injected) == 3
    assert report.failures == 0  # botocore retried; the message never had to be redelivered
    docs = assert_settled(stack, [key])
    assert docs[key]["attempts"] == 1
    assert docs[key]["status"] == "kept"
    assert sum(metric_values(stack, "Documents")) == 1
    assert metric_values(stack, "DuplicateDeliveries") == []  # the throttled writes never landed


def test_throttled_reads_of_the_record_are_retried_too(stack: LocalStack) -> None:
    key = "incoming/throttled-read.txt"
    injected = throttle(dynamodb_client(stack), "GetItem", times=2)
    stack.upload(key, article(3))

    report = stack.drain()

    assert len(injected) == 2 and report.failures == 0
    assert assert_settled(stack, [key])[key]["status"] == "kept"


def test_two_concurrent_deliveries_of_one_upload_leave_one_record(stack: LocalStack) -> None:
    """Delivery A has read the (missing) record and is about to commit when delivery B, in
    another execution environment, processes the same message to the end. A's conditional
    write then fails; A re-reads, finds the same upload recorded, and changes nothing."""
    key = "incoming/raced.txt"
    message = upload_and_receive(stack, key, article(4))
    event = {"Records": [stack.driver.lambda_record(message)]}
    other = second_environment(stack)
    responses: list[Any] = []
    raced = before_call(
        dynamodb_client(stack), "TransactWriteItems", lambda _: responses.append(other(event))
    )

    first = invoke(stack, event)

    assert len(raced) == 1
    assert responses == [{"batchItemFailures": []}]  # B recorded it
    assert first == {"batchItemFailures": []}  # A lost the race and gave up quietly
    stack.client("sqs").delete_message(QueueUrl=stack.names.queue_url, ReceiptHandle=message["ReceiptHandle"])
    docs = assert_settled(stack, [key])
    assert docs[key]["status"] == "kept"
    assert sum(metric_values(stack, "Documents")) == 1
    assert sum(metric_values(stack, "DuplicateDeliveries")) == 1


def test_two_uploads_of_one_text_racing_for_its_hash_keep_exactly_one(stack: LocalStack) -> None:
    """A is about to claim the content hash when B (another environment, another key with the
    same text) claims it and commits. A's conditional claim fails: A becomes B's duplicate."""
    a, b = "incoming/race-a.txt", "incoming/race-b.txt"
    message_a = upload_and_receive(stack, a, article(5))
    message_b = upload_and_receive(stack, b, article(5))
    other = second_environment(stack)
    claims = before_call(
        dynamodb_client(stack),
        "PutItem",
        lambda _: other({"Records": [stack.driver.lambda_record(message_b)]}),
    )

    invoke(stack, {"Records": [stack.driver.lambda_record(message_a)]})

    assert len(claims) == 1
    sqs = stack.client("sqs")
    for m in (message_a, message_b):
        sqs.delete_message(QueueUrl=stack.names.queue_url, ReceiptHandle=m["ReceiptHandle"])
    docs = assert_settled(stack, [a, b])
    assert docs[b]["status"] == "kept"
    assert docs[a]["status"] == "duplicate"
    assert docs[a]["duplicate_of"] == b
    assert docs[a]["reasons"] == ["exact_duplicate"]


def test_a_function_timeout_mid_batch_is_completed_by_the_retry(stack: LocalStack) -> None:
    """Killed while writing the third record of five: two are done, one is half done (its clean
    object written, no record), two untouched. The whole batch comes back; the retry completes
    the third, processes the last two and changes nothing for the first two."""
    keys = [f"incoming/timeout/{i}.txt" for i in range(5)]
    stack.drain()
    for i, key in enumerate(keys):
        stack.upload(key, article(10 + i))
    batch = stack.driver.receive_batch()
    assert len(batch) == 5
    order = [unquote_plus(json.loads(m["Body"])["Records"][0]["s3"]["object"]["key"]) for m in batch]
    third = order[2]
    commits: list[int] = []

    def third_commit(_: dict[str, Any]) -> bool:
        commits.append(1)  # one record transaction per document: the third is the third document's
        return len(commits) == 3

    crash = crash_before(dynamodb_client(stack), "TransactWriteItems", when=third_commit)
    deliver_until_killed(stack, batch)

    assert len(crash) == 1
    half = {str(d["key"]) for d in stack.documents()}
    assert half == set(order[:2])  # nothing of the third is recorded, nothing after it ran
    written = stack.client("s3").list_objects_v2(Bucket=stack.names.clean_bucket).get("Contents", [])
    assert f"clean/{third.removeprefix('incoming/')}.txt" in {o["Key"] for o in written}

    report = stack.drain()

    assert report.failures == 0 and report.messages == 5
    docs = assert_settled(stack, keys)
    assert all(d["status"] == "kept" for d in docs.values())
    assert [docs[k]["attempts"] for k in order] == [1, 1, 2, 2, 2]


def test_a_crash_after_the_clean_object_and_before_the_record_is_repaired(stack: LocalStack) -> None:
    key = "incoming/crash.txt"
    clean_key = "clean/crash.txt.txt"
    crash = crash_after(s3_client(stack), "PutObject", key_is(clean_key))
    message = upload_and_receive(stack, key, article(20))

    deliver_until_killed(stack, [message])

    assert len(crash) == 1
    assert stack.document(key) is None  # the crash came before the record
    written = stack.clean_text(clean_key)

    report = stack.drain()

    assert report.failures == 0
    docs = assert_settled(stack, [key])
    assert docs[key]["clean_key"] == clean_key
    assert stack.clean_text(clean_key) == written  # rewritten with the same text
    assert docs[key]["attempts"] == 2


def test_a_persistent_failure_ends_in_the_dlq_with_a_failed_record(stack: LocalStack) -> None:
    key = "incoming/always-fails.txt"
    injected = fail(s3_client(stack), "GetObject", key_is(key))
    stack.upload(key, article(30))

    stack.drain()

    max_receive = int(stack.function_env["MAX_RECEIVE_COUNT"])
    assert len(injected) == max_receive
    assert stack.queue_depth(stack.names.queue_url) == 0
    assert stack.queue_depth(stack.names.dlq_url) == 1
    doc = stack.document(key)
    assert doc is not None and doc["status"] == "failed"
    assert doc["reasons"] == ["error"]
    assert "injected GetObject failure" in doc["error"]
    assert daily_documents(stack) == {"failed": 1}


def test_a_delivery_killed_every_time_still_ends_with_a_failed_record(stack: LocalStack) -> None:
    """A timeout (or out-of-memory kill) on every delivery: no code of ours runs after the kill,
    so the last delivery writes its `failed` record before it starts."""
    key = "incoming/never-finishes.txt"
    max_receive = int(stack.function_env["MAX_RECEIVE_COUNT"])
    killed = crash_before(s3_client(stack), "GetObject", key_is(key), times=max_receive)
    message = upload_and_receive(stack, key, article(40))
    deliver_until_killed(stack, [message])
    for _ in range(max_receive - 1):
        (message,) = stack.driver.receive_batch()
        deliver_until_killed(stack, [message])

    report = stack.drain()  # past maxReceiveCount: SQS moves it to the DLQ instead of delivering it

    assert report.messages == 0
    assert len(killed) == max_receive
    assert stack.queue_depth(stack.names.queue_url) == 0
    assert stack.queue_depth(stack.names.dlq_url) == 1
    doc = stack.document(key)
    assert doc is not None
    assert (doc["status"], doc["reasons"], doc["attempts"]) == ("failed", ["unfinished"], max_receive)
    assert "timeout" in doc["error"]
    assert daily_documents(stack) == {"failed": 1}


def test_a_last_delivery_that_succeeds_replaces_its_provisional_failed_record(stack: LocalStack) -> None:
    key = "incoming/third-time-lucky.txt"
    max_receive = int(stack.function_env["MAX_RECEIVE_COUNT"])
    fail(s3_client(stack), "GetObject", key_is(key), times=max_receive - 1)
    stack.upload(key, article(41))

    report = stack.drain()

    assert report.failures == max_receive - 1
    docs = assert_settled(stack, [key])
    assert (docs[key]["status"], docs[key]["attempts"]) == ("kept", max_receive)
    assert "error" not in docs[key]
    assert sum(metric_values(stack, "Documents")) == 1  # the provisional record is not counted


def test_a_record_write_whose_answer_is_lost_is_recorded_once(stack: LocalStack) -> None:
    """The transaction landed but the handler saw an error: botocore retries it, the retry's
    condition fails (the record exists), and the handler re-reads and finds its own upload."""
    key = "incoming/lost-answer.txt"
    lost = lost_answer(dynamodb_client(stack), "TransactWriteItems")
    stack.upload(key, article(42))

    report = stack.drain()

    assert len(lost) == 1 and report.failures == 0
    docs = assert_settled(stack, [key])  # one record, counted once in the daily counters
    assert (docs[key]["status"], docs[key]["attempts"]) == ("kept", 1)
