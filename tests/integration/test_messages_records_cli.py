"""Several records in one message, the record's size and number types, and `docproc local run`."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.records import DocumentRecord, DocumentRecords
from infra.cli import main
from infra.localstack import LocalStack

DYNAMODB_ITEM_LIMIT = 400 * 1024


def test_one_message_with_several_s3_records_records_each_document(stack: LocalStack) -> None:
    stack.drain()  # the test event
    keys = ["incoming/pair/one.txt", "incoming/pair/two.txt"]
    for i, key in enumerate(keys):
        stack.upload(key, f"同一条消息里的第{i}篇文章。".encode())
    sqs = stack.client("sqs")
    messages = stack.driver.receive_batch()
    assert len(messages) == 2
    # S3 may put several records in one notification: merge the two into one message.
    records = [r for m in messages for r in json.loads(m["Body"])["Records"]]
    sqs.send_message(QueueUrl=stack.names.queue_url, MessageBody=json.dumps({"Records": records}))
    for m in messages:
        sqs.delete_message(QueueUrl=stack.names.queue_url, ReceiptHandle=m["ReceiptHandle"])

    report = stack.drain()

    assert (report.messages, report.failures) == (1, 0)
    assert sorted(d["key"] for d in stack.documents()) == keys


def test_a_record_stays_under_the_item_limit_and_stores_floats_as_decimals(stack: LocalStack) -> None:
    records = DocumentRecords(stack.resource("dynamodb").Table(stack.names.table))
    huge = DocumentRecord(
        key="incoming/huge.txt",
        status="dropped",
        source_bucket=stack.names.raw_bucket,
        source_key="incoming/huge.txt",
        source_tag="etag-1",
        pipeline_version="test",
        reasons=[f"reason_{i}" for i in range(5_000)],
        stats={"ratio": 0.25, "not_a_number": float("nan"), "per_line": [0.5] * 100_000},
        metadata={f"field_{i}": "长" * 5_000 for i in range(500)},
        keywords=["词" * 100] * 10_000,
    )

    assert records.put(huge) is True  # DynamoDB (moto enforces the limit) accepted it

    item = records.get("incoming/huge.txt")
    assert item is not None
    assert len(json.dumps(item, default=str, ensure_ascii=False).encode()) < DYNAMODB_ITEM_LIMIT
    assert item["stats"]["ratio"] == Decimal("0.25")
    assert "not_a_number" not in item["stats"] or item["stats"]["not_a_number"] is None


def test_local_run_prints_one_json_record_per_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_bytes("第一篇文章，内容完整，句子通顺。".encode())
    (tmp_path / "sub" / "b c.txt").write_bytes("第二篇文章，位于子目录，文件名带空格。".encode())

    code = main(["local", "run", str(tmp_path), "--json"])

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["key"] for line in lines] == ["incoming/a.txt", "incoming/sub/b c.txt"]
    for line in lines:
        assert line["status"] in {"kept", "dropped", "duplicate", "rejected"}
        assert isinstance(line["stats"], dict)
        assert "pk" not in line
    assert code == 0


def test_local_run_prints_a_summary_line_per_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "only.txt").write_bytes("一篇文章。".encode())

    main(["local", "run", str(tmp_path)])

    (line,) = [line for line in capsys.readouterr().out.splitlines() if "incoming/only.txt" in line]
    assert f"in={len('一篇文章。'.encode())}B" in line


def test_local_run_of_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    assert main(["local", "run", str(tmp_path)]) == 2
