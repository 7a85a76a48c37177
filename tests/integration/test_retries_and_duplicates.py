"""Failures, retries, the dead-letter queue and duplicate deliveries, on the local stack.

Failures are injected at the boundary: the handler's own S3 client is made to fail a call.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from infra.localstack import LocalStack
from tests.integration.boundary import fail_calls, metric_values


def _key_is(key: str) -> Any:
    return lambda params: params.get("Key") == key


def test_a_poison_message_reaches_the_dlq_with_a_failed_record(stack: LocalStack) -> None:
    key = "incoming/poison.txt"
    failed_calls = fail_calls(stack, "GetObject", _key_is(key))
    stack.upload(key, "读不出来的文件。".encode())

    stack.drain()

    max_receive = int(stack.function_env["MAX_RECEIVE_COUNT"])
    assert len(failed_calls) == max_receive  # one read per delivery, no more
    assert stack.queue_depth(stack.names.queue_url) == 0
    assert stack.queue_depth(stack.names.dlq_url) == 1
    parked = stack.client("sqs").receive_message(QueueUrl=stack.names.dlq_url)["Messages"][0]
    assert unquote_plus(json.loads(parked["Body"])["Records"][0]["s3"]["object"]["key"]) == key
    doc = stack.document(key)
    assert doc is not None
    assert doc["status"] == "failed"
    assert doc["attempts"] == max_receive
    assert "injected S3 failure" in doc["error"]


def test_a_failure_that_clears_is_retried_and_recorded_once(stack: LocalStack) -> None:
    key = "incoming/flaky.txt"
    fail_calls(stack, "GetObject", _key_is(key), times=1)
    stack.upload(key, "第一次读取失败的文件。".encode())

    report = stack.drain()

    assert report.failures == 1
    doc = stack.document(key)
    assert doc is not None
    assert doc["status"] != "failed"
    assert doc["attempts"] == 2
    assert "error" not in doc
    assert stack.queue_depth(stack.names.dlq_url) == 0


def test_one_failing_record_does_not_fail_its_four_neighbours(stack: LocalStack) -> None:
    stack.drain()  # the test event, so the next batch holds exactly the five uploads
    keys = [f"incoming/five/{i}.txt" for i in range(5)]
    bad = keys[2]
    fail_calls(stack, "GetObject", _key_is(bad), times=1)
    for i, key in enumerate(keys):
        stack.upload(key, f"第{i}篇，内容不同的短文。".encode())

    first_batch = stack.driver.receive_batch()
    assert len(first_batch) == 5
    for message in first_batch:  # put them back, then let the driver deliver them as one batch
        stack.client("sqs").change_message_visibility(
            QueueUrl=stack.names.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )

    report = stack.drain()

    # One batch of five with one failure reported, then one retry of the bad record alone.
    assert (report.batches, report.messages, report.failures) == (2, 6, 1)
    docs = {d["key"]: d for d in stack.documents()}
    assert sorted(docs) == sorted(keys)
    assert [docs[k]["attempts"] for k in keys] == [2, 2, 3, 2, 2]  # receive counts incl. the peek above


def test_a_duplicate_delivery_leaves_one_record_and_counts_nothing(stack: LocalStack) -> None:
    key = "incoming/twice.txt"
    stack.upload(key, "只应记录一次的文章。".encode())
    sqs = stack.client("sqs")
    # Keep a copy of the notification S3 sent, then let the handler have the original.
    messages = stack.driver.receive_batch()
    upload_body = next(m["Body"] for m in messages if "Records" in json.loads(m["Body"]))
    for m in messages:
        sqs.change_message_visibility(QueueUrl=stack.names.queue_url, ReceiptHandle=m["ReceiptHandle"],
                                      VisibilityTimeout=0)
    stack.drain()
    first = stack.document(key)

    sqs.send_message(QueueUrl=stack.names.queue_url, MessageBody=upload_body)
    report = stack.drain()

    assert report.messages == 1 and report.failures == 0
    assert stack.document(key) == first  # not rewritten: same processed_at, same everything
    assert len(stack.documents()) == 1
    assert metric_values(stack, "Documents") == [1.0]
    assert metric_values(stack, "DuplicateDeliveries") == [1.0]


def test_a_new_version_of_the_same_key_replaces_the_record(stack: LocalStack) -> None:
    key = "incoming/edited.txt"
    stack.upload(key, "第一版的内容。".encode())
    stack.drain()
    first = stack.document(key)
    stack.upload(key, "第二版的内容，比第一版长一些。".encode())

    stack.drain()

    second = stack.document(key)
    assert first is not None and second is not None
    assert second["source_etag"] != first["source_etag"]
    assert second["source_size"] == len("第二版的内容，比第一版长一些。".encode())
    assert len(stack.documents()) == 1


def test_a_multipart_upload_is_recorded_once(stack: LocalStack, tmp_path: Any) -> None:
    # S3 (and moto) notify twice for a multipart upload: Put and CompleteMultipartUpload.
    from boto3.s3.transfer import TransferConfig

    data = "多段上传的文章，只有一段。".encode()
    path = tmp_path / "multi.txt"
    path.write_bytes(data)
    # A threshold below the size forces a multipart upload (of one part: the last may be small).
    config = TransferConfig(multipart_threshold=1, multipart_chunksize=5 * 1024 * 1024)
    stack.client("s3").upload_file(str(path), stack.names.raw_bucket, "incoming/multi.txt", Config=config)

    report = stack.drain()

    assert report.messages == 3  # the test event, then two notifications of one upload
    assert len(stack.documents()) == 1
    assert sum(metric_values(stack, "Documents")) == 1
