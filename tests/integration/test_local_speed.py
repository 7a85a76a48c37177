"""What the local stack does to be fast changes no answer: each speed-up against the slow way."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra import sam
from infra.localstack import LocalStack

CODE_URI = "s3://docproc-artifacts-123456789012-us-east-1/ProcessorFunction/0123456789abcdef.zip"


def test_cached_translation_is_the_translation_with_the_real_code_uri(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sam, "CACHE_DIR", tmp_path)
    template = sam.load_sam()
    uris = {logical_id: CODE_URI for logical_id in sam.functions(template)}
    direct = sam.translate(sam.with_code_uris(template, uris))

    assert sam.translate_cached(template, uris) == direct  # a miss: translated and written
    assert (tmp_path / "translated.json").is_file()
    assert sam.translate_cached(template, uris) == direct  # a hit: read back
    # Another zip (edited code) is still a hit, with its own key in the function's Code.
    other = {logical_id: CODE_URI.replace("0123456789abcdef", "fedcba9876543210") for logical_id in uris}
    codes = [
        r["Properties"]["Code"]
        for r in sam.translate_cached(template, other)["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function"
    ]
    assert codes == [
        {
            "S3Bucket": "docproc-artifacts-123456789012-us-east-1",
            "S3Key": "ProcessorFunction/fedcba9876543210.zip",
        }
    ]


def test_records_read_by_key_are_the_records_the_scan_finds(stack: LocalStack, seed_bytes: bytes) -> None:
    keys = ["incoming/a.txt", "incoming/b.txt", "incoming/empty.txt"]
    stack.upload(keys[0], seed_bytes)
    stack.upload(keys[1], seed_bytes)  # a duplicate of a.txt
    stack.upload(keys[2], b"")
    stack.drain()

    by_key = stack.documents([*keys, "incoming/never-uploaded.txt", keys[0]])

    assert by_key == stack.documents()
    assert [d["key"] for d in by_key] == sorted(keys)
    assert {d["status"] for d in by_key} >= {"kept", "duplicate"}


def test_an_item_over_the_size_limit_is_still_refused(stack: LocalStack) -> None:
    ddb = stack.client("dynamodb")
    item = {"pk": {"S": "BIG"}, "sk": {"S": "X"}, "a": {"S": "x" * 200_000}, "b": {"S": "y" * 210_000}}
    with pytest.raises(ClientError) as raised:
        ddb.put_item(TableName=stack.names.table, Item=item)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    item["b"] = {"S": "y" * 100_000}
    ddb.put_item(TableName=stack.names.table, Item=item)  # under the limit: stored whole
    got = ddb.get_item(TableName=stack.names.table, Key={"pk": {"S": "BIG"}, "sk": {"S": "X"}})["Item"]
    assert got == item


def test_a_message_past_its_retention_period_is_not_delivered(stack: LocalStack) -> None:
    assert received(stack, "within-retention", sent_seconds_ago=30) == ["a message"]
    assert received(stack, "past-retention", sent_seconds_ago=120) == []


def received(stack: LocalStack, name: str, sent_seconds_ago: int) -> list[str]:
    """Bodies received from a new queue keeping messages a minute, its one message sent that long ago."""
    from moto.sqs.models import sqs_backends

    sqs = stack.client("sqs")
    queue = sqs.create_queue(QueueName=name, Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody="a message")
    (message,) = sqs_backends["123456789012"][stack.region].get_queue(name)._messages
    sent: Any = message  # moto declares sent_timestamp as None before it is set
    sent.sent_timestamp = int((time.time() - sent_seconds_ago) * 1000)
    return [m["Body"] for m in sqs.receive_message(QueueUrl=queue).get("Messages", [])]
