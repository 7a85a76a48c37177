"""`docproc redrive` and `docproc backfill` against the local stack, through the real CLI."""

from __future__ import annotations

import io
import socket
from typing import Any

import pytest
from botocore.stub import Stubber

from docproc import PIPELINE_VERSION, dedup
from infra.cli import main
from infra.cmd_ops import OpsTarget, start_move_task
from infra.localstack import LocalStack
from tests.integration.boundary import metric_values
from tests.integration.faults import article, fail, key_is, s3_client
from tests.integration.test_faults import assert_settled, daily_documents
from tests.integration.test_table_dedup import band_heads, band_members, upload_all
from tests.unit.test_dedup import SAMPLE, with_paragraph_changed


def records_by_key(stack: LocalStack) -> dict[str, dict[str, Any]]:
    return {str(d["key"]): d for d in stack.documents()}


def test_redrive_after_a_fix_moves_the_dead_letters_back_and_they_succeed(stack: LocalStack) -> None:
    key = "incoming/ops/broken-then-fixed.txt"
    max_receive = int(stack.function_env["MAX_RECEIVE_COUNT"])
    # Broken for every delivery of the first round, fine afterwards (the "fix").
    fail(s3_client(stack), "GetObject", key_is(key), times=max_receive)
    stack.upload(key, article(100))
    stack.drain()
    assert stack.queue_depth(stack.names.dlq_url) == 1
    assert records_by_key(stack)[key]["status"] == "failed"

    assert main(["redrive", "--stack", stack.names.stack]) == 0

    assert stack.queue_depth(stack.names.dlq_url) == 0
    assert stack.queue_depth(stack.names.queue_url) == 1
    report = stack.drain()
    assert report.failures == 0
    docs = assert_settled(stack, [key])  # the failed record replaced, counted once
    assert docs[key]["status"] == "kept"


def test_redrive_moves_at_most_max(stack: LocalStack) -> None:
    sqs = stack.client("sqs")
    for i in range(5):
        sqs.send_message(QueueUrl=stack.names.dlq_url, MessageBody=f"parked {i}")

    assert main(["redrive", "--max", "3", "--manual", "--stack", stack.names.stack]) == 0

    assert stack.queue_depth(stack.names.dlq_url) == 2


def test_redrive_uses_sqs_move_task_where_the_api_exists() -> None:
    import boto3

    sqs = boto3.client("sqs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    target = OpsTarget("https://sqs/q", "https://sqs/dlq", "raw", "us-east-1")
    with Stubber(sqs) as stub:
        arn = "arn:aws:sqs:us-east-1:123456789012:"
        stub.add_response("get_queue_attributes", {"Attributes": {"QueueArn": arn + "dlq"}})
        stub.add_response("get_queue_attributes", {"Attributes": {"QueueArn": arn + "q"}})
        stub.add_response(
            "start_message_move_task",
            {"TaskHandle": "handle-1"},
            {"SourceArn": arn + "dlq", "DestinationArn": arn + "q"},
        )
        assert start_move_task(sqs, target, 0) == "handle-1"
        stub.assert_no_pending_responses()


def test_backfill_enqueues_objects_that_never_reached_the_queue(stack: LocalStack) -> None:
    # Uploaded "before deployment": the objects exist, their notifications never got processed.
    keys = [f"incoming/old/{i}.txt" for i in range(3)]
    for i, key in enumerate(keys):
        stack.upload(key, article(110 + i))
    stack.upload("incoming/other/skip.txt", article(113))
    stack.client("sqs").purge_queue(QueueUrl=stack.names.queue_url)
    assert stack.documents() == []

    assert main(["backfill", "--prefix", "incoming/old/", "--stack", stack.names.stack]) == 0
    report = stack.drain()

    assert report.messages == 3 and report.failures == 0
    docs = assert_settled(stack, keys)  # only the prefix, each once
    assert all(d["status"] == "kept" for d in docs.values())


def test_backfill_with_the_same_pipeline_version_changes_nothing(stack: LocalStack) -> None:
    keys = [f"incoming/same/{name}.txt" for name in ("a b", "c+d", "文件")]
    for i, key in enumerate(keys):
        stack.upload(key, article(120 + i))
    stack.drain()
    before = records_by_key(stack)

    assert main(["backfill", "--prefix", "incoming/same/", "--stack", stack.names.stack]) == 0
    report = stack.drain()

    assert report.messages == 3 and report.failures == 0
    assert records_by_key(stack) == before  # not rewritten: same processed_at, same everything
    assert sum(metric_values(stack, "DuplicateDeliveries")) == 3
    assert daily_documents(stack) == {"kept": 3}


def test_backfill_after_a_pipeline_version_bump_reprocesses_and_replaces(stack: LocalStack) -> None:
    keys = [f"incoming/bump/{i}.txt" for i in range(2)]
    for i, key in enumerate(keys):
        stack.upload(key, article(130 + i))
    stack.drain()
    # The records as an older pipeline left them (what a deployment of a new version finds).
    table = stack.resource("dynamodb").Table(stack.names.table)
    for key in keys:
        table.update_item(
            Key={"pk": f"DOC#{key}", "sk": "DOC"},
            UpdateExpression="SET pipeline_version = :old",
            ExpressionAttributeValues={":old": "0.0.1-older"},
        )
    before = records_by_key(stack)

    assert main(["backfill", "--prefix", "incoming/bump/", "--stack", stack.names.stack]) == 0
    report = stack.drain()

    assert report.failures == 0
    after = assert_settled(stack, keys)  # replaced, not added: still one record and one count each
    for key in keys:
        assert after[key]["pipeline_version"] == PIPELINE_VERSION
        assert after[key]["processed_at"] > before[key]["processed_at"]
        assert stack.clean_text(str(after[key]["clean_key"]))


def test_backfill_dry_run_sends_nothing(stack: LocalStack, capsys: Any) -> None:
    stack.upload("incoming/dry/a.txt", article(140))
    stack.drain()

    assert main(["backfill", "--prefix", "incoming/dry/", "--dry-run", "--stack", stack.names.stack]) == 0

    assert "incoming/dry/a.txt" in capsys.readouterr().out
    assert stack.queue_depth(stack.names.queue_url) == 0


def test_redrive_and_backfill_through_a_served_endpoint() -> None:
    """Against `docproc local serve`'s endpoint, as against a deployed stack: plain HTTP, the
    move task API answered as unsupported by the server, the receive/send/delete move used."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    with LocalStack(port=port, function_output=io.StringIO()) as stack:
        url = str(stack.endpoint_url)
        stack.upload("incoming/served/a.txt", article(150))
        stack.client("sqs").purge_queue(QueueUrl=stack.names.queue_url)
        stack.client("sqs").send_message(QueueUrl=stack.names.dlq_url, MessageBody="parked")

        assert main(["backfill", "--prefix", "incoming/served/", "--endpoint-url", url]) == 0
        assert main(["redrive", "--endpoint-url", url]) == 0

        assert stack.queue_depth(stack.names.dlq_url) == 0
        assert stack.queue_depth(stack.names.queue_url) == 2  # the backfill message and "parked"
        stack.drain()
        assert stack.document("incoming/served/a.txt") is not None


def test_band_heads_gives_an_older_tables_buckets_their_heads(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    original_key = "incoming/ops/original.txt"
    upload_all(stack, {original_key: SAMPLE})
    original = records_by_key(stack)[original_key]
    table = stack.resource("dynamodb").Table(stack.names.table)
    # What a table written before heads existed holds: member items only.
    for band in original["bands"]:
        table.delete_item(Key={"pk": f"BAND#{band}", "sk": "BAND"})
        table.put_item(Item={"pk": f"BAND#{band}", "sk": f"DOC#{original_key}", "key": original_key})
    assert band_heads(stack) == {}

    assert main(["band-heads", "--stack", stack.names.stack]) == 0

    assert f"{dedup.BANDS} band bucket(s) got a head" in capsys.readouterr().out
    assert band_heads(stack) == dict.fromkeys(original["bands"], original_key)
    assert len(band_members(stack)) == dedup.BANDS  # the members stay
    # The lookup finds the original again.
    upload_all(stack, {"incoming/ops/edited.txt": with_paragraph_changed(SAMPLE)})
    edited = records_by_key(stack)["incoming/ops/edited.txt"]
    assert edited["status"] == "duplicate" and edited["duplicate_of"] == original_key
    # A second run finds every bucket with its head and writes nothing.
    assert main(["band-heads", "--table", stack.names.table]) == 0
    assert "0 band bucket(s) got a head" in capsys.readouterr().out
    assert band_heads(stack) == dict.fromkeys(original["bands"], original_key)
