"""A document's whole path on the local stack: upload -> notification -> queue -> handler ->
clean object + document record. Real moto resources, the real handler, real bytes."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import pytest

from adapters.records import MAX_LIST_ITEMS
from docproc import PIPELINE_VERSION
from docproc.config import Settings
from docproc.pipeline import process_document
from infra.localstack import LocalStack
from tests.integration.boundary import count_calls, function_log, metric_values


def test_seed_goes_through_the_whole_path(stack: LocalStack, seed_bytes: bytes) -> None:
    key = "incoming/000_9d31691385c9101d.txt"
    stack.upload(key, seed_bytes)

    report = stack.drain()

    # The test event S3 sent when the notification was configured, then the upload.
    assert report.messages == 2 and report.failures == 0
    doc = stack.document(key)
    assert doc is not None
    # What the core makes of the same bytes with the function's own settings.
    expected = process_document(seed_bytes, key=key, settings=Settings.from_env(stack.function_env))
    assert doc["status"] == str(expected.status)
    assert doc["reasons"] == expected.reasons
    assert doc["source_bucket"] == stack.names.raw_bucket
    assert doc["source_key"] == key
    assert doc["source_size"] == len(seed_bytes)
    assert doc["source_etag"] == hashlib.md5(seed_bytes).hexdigest()  # single-part upload ETag
    assert doc["pipeline_version"] == PIPELINE_VERSION
    assert datetime.fromisoformat(doc["processed_at"]).tzinfo is not None
    assert doc["gsi1pk"] == f"STATUS#{doc['status']}"
    assert doc["gsi1sk"] == f"{doc['processed_at']}#{key}"
    assert doc["stats"]["chars_out"] == len(expected.text)
    # The keywords' words, searchable without the statistics' scores.
    assert doc.get("keywords", []) == [k[0] for k in expected.stats.get("keywords", [])][:MAX_LIST_ITEMS]
    assert doc["attempts"] == 1
    # The cleaned text is in the clean bucket, not in the record.
    assert doc["clean_bucket"] == stack.names.clean_bucket
    assert doc["clean_key"] == "clean/000_9d31691385c9101d.txt.txt"
    assert stack.clean_text(doc["clean_key"]) == expected.text
    assert "text" not in doc
    # Nothing left behind anywhere.
    assert stack.queue_depth(stack.names.queue_url) == 0
    assert stack.queue_depth(stack.names.dlq_url) == 0


@pytest.mark.parametrize(
    "relative",
    ["a b+c é.txt", "deep/dir/文件 1.txt"],
    ids=["space-plus-accent", "nested-chinese"],
)
def test_keys_are_decoded_exactly_once(stack: LocalStack, relative: str) -> None:
    key = f"incoming/{relative}"
    stack.upload(key, "第一段文字，内容充实。\n\n第二段文字，也很完整。".encode())

    stack.drain()

    doc = stack.document(key)
    assert doc is not None, f"no record under the decoded key {key!r}"
    assert doc["source_key"] == key
    if doc.get("clean_key"):
        assert doc["clean_key"] == f"clean/{relative}.txt"
        assert stack.clean_text(doc["clean_key"])
    # Exactly one record: no second one under a still-encoded or doubly-decoded key.
    assert [d["key"] for d in stack.documents()] == [key]


def test_test_event_is_acknowledged_without_a_record(stack: LocalStack) -> None:
    # Configuring the notification already queued one; send a second by hand, as S3 may.
    body = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-01-01T00:00:00Z",
            "Bucket": stack.names.raw_bucket}
    stack.client("sqs").send_message(QueueUrl=stack.names.queue_url, MessageBody=json.dumps(body))

    report = stack.drain()

    assert report.messages == 2 and report.failures == 0
    assert stack.documents() == []
    assert stack.queue_depth(stack.names.queue_url) == 0
    assert stack.queue_depth(stack.names.dlq_url) == 0
    assert sum(metric_values(stack, "TestEvents")) == 2


@pytest.mark.parametrize("body", ["not json at all", "[1, 2]", '{"Records": []}', '{"hello": "world"}'])
def test_a_body_that_is_not_an_s3_event_is_logged_and_not_retried(stack: LocalStack, body: str) -> None:
    stack.drain()  # the test event
    stack.client("sqs").send_message(QueueUrl=stack.names.queue_url, MessageBody=body)

    report = stack.drain()

    assert report.messages == 1 and report.failures == 0
    assert stack.queue_depth(stack.names.dlq_url) == 0
    assert "message is not an S3 event notification" in function_log(stack)
    assert metric_values(stack, "UnrecognisedMessages") == [1.0]


def test_object_deleted_before_it_is_read_is_recorded_as_deleted(stack: LocalStack) -> None:
    key = "incoming/gone.txt"
    stack.upload(key, "很快就被删除的文件。".encode())
    stack.client("s3").delete_object(Bucket=stack.names.raw_bucket, Key=key)

    report = stack.drain()

    assert report.failures == 0
    doc = stack.document(key)
    assert doc is not None
    assert doc["status"] == "deleted"
    assert doc["reasons"] == ["object_missing"]
    assert stack.queue_depth(stack.names.dlq_url) == 0


def test_object_over_the_size_limit_is_rejected_without_being_read() -> None:
    with LocalStack(env_overrides={"MAX_OBJECT_BYTES": "100"}) as stack:
        gets = count_calls(stack, "GetObject")
        stack.upload("incoming/big.txt", "长".encode() * 200)

        stack.drain()

        doc = stack.document("incoming/big.txt")
        assert doc is not None
        assert doc["status"] == "rejected"
        assert doc["reasons"] == ["too_large"]
        assert doc["stats"]["bytes_in"] == 600
        assert gets == []


def test_an_event_without_a_size_is_checked_with_a_head_before_reading() -> None:
    with LocalStack(env_overrides={"MAX_OBJECT_BYTES": "100"}) as stack:
        heads, gets = count_calls(stack, "HeadObject"), count_calls(stack, "GetObject")
        stack.upload("incoming/unsized.txt", "长".encode() * 200)
        sqs = stack.client("sqs")
        # Rewrite the notification without its size, as some producers send them.
        for message in stack.driver.receive_batch():
            body = json.loads(message["Body"])
            for record in body.get("Records", []):
                del record["s3"]["object"]["size"]
            sqs.send_message(QueueUrl=stack.names.queue_url, MessageBody=json.dumps(body))
            sqs.delete_message(QueueUrl=stack.names.queue_url, ReceiptHandle=message["ReceiptHandle"])

        stack.drain()

        doc = stack.document("incoming/unsized.txt")
        assert doc is not None
        assert (doc["status"], doc["reasons"]) == ("rejected", ["too_large"])
        assert [h["Key"] for h in heads] == ["incoming/unsized.txt"]
        assert gets == []


def test_every_document_in_a_batch_gets_its_own_record(stack: LocalStack) -> None:
    texts = {f"incoming/batch/{i:02d}.txt": f"第{i}篇文章。内容各不相同，编号{i}。" for i in range(23)}
    for key, text in texts.items():
        stack.upload(key, text.encode())

    report = stack.drain()

    # BatchSize from the template (10): 24 messages (23 uploads + test event) -> 3 batches.
    assert stack.event_source.batch_size == 10
    assert report.batches == 3
    assert sorted(d["key"] for d in stack.documents()) == sorted(texts)


def test_metrics_count_documents_and_bytes(stack: LocalStack) -> None:
    data = "一篇用来计数的文章。".encode()
    stack.upload("incoming/metrics.txt", data)

    stack.drain()

    emf = [json.loads(line) for line in function_log(stack).splitlines() if line.startswith('{"_aws"')]
    document_lines = [m for m in emf if "Documents" in m]
    assert len(document_lines) == 1
    assert document_lines[0]["Documents"] == [1.0]
    assert document_lines[0]["BytesIn"] == [float(len(data))]
    namespace = document_lines[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"]
    assert namespace == stack.function_env["POWERTOOLS_METRICS_NAMESPACE"]
