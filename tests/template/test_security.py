"""Security of the template (least privilege, encryption, TLS-only buckets) and of the logs."""

from __future__ import annotations

import json
from typing import Any

from infra import TEMPLATE
from infra.localstack import LocalStack
from infra.sam import functions, load_sam, translate, with_code_uris
from tests.integration.boundary import function_log

SAM = load_sam(TEMPLATE)
FUNCTION = next(iter(functions(SAM)))
CFN = translate(with_code_uris(SAM, {FUNCTION: "s3://docproc-artifacts-123456789012/processor/code.zip"}))
RESOURCES: dict[str, Any] = CFN["Resources"]
DATA_SERVICES = ("s3:", "sqs:", "dynamodb:")


def of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {name: r.get("Properties", {}) for name, r in RESOURCES.items() if r["Type"] == kind}


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_every_policy_names_its_actions_and_resources() -> None:
    roles = of_type("AWS::IAM::Role")
    assert roles
    for role in roles.values():
        for policy in role.get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = _listed(statement["Action"])
                assert all("*" not in a for a in actions), statement
                if any(a.startswith(DATA_SERVICES) for a in actions):
                    assert all(r != "*" for r in _listed(statement["Resource"])), statement


def test_buckets_are_encrypted_versioned_private_and_tls_only() -> None:
    buckets = of_type("AWS::S3::Bucket")
    assert set(buckets) == {"RawBucket", "CleanBucket"}
    for props in buckets.values():
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert props["VersioningConfiguration"]["Status"] == "Enabled"
        assert all(props["PublicAccessBlockConfiguration"].values())
    policies = {json.dumps(p["Bucket"]): p for p in of_type("AWS::S3::BucketPolicy").values()}
    for name in buckets:
        statement = policies[json.dumps({"Ref": name})]["PolicyDocument"]["Statement"][0]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_queues_and_table_are_encrypted_and_the_table_recoverable() -> None:
    for props in of_type("AWS::SQS::Queue").values():
        assert props.get("SqsManagedSseEnabled") or props.get("KmsMasterKeyId")
    (table,) = of_type("AWS::DynamoDB::Table").values()
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_the_alarms_watch_the_dlq_errors_throttles_and_queue_age() -> None:
    watched = {(p["Namespace"], p["MetricName"]) for p in of_type("AWS::CloudWatch::Alarm").values()}
    assert watched == {
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Throttles"),
        ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
    }
    assert of_type("AWS::CloudWatch::Dashboard")


def test_no_line_of_the_article_reaches_the_logs(stack: LocalStack, seed_bytes: bytes) -> None:
    stack.upload("incoming/seed.txt", seed_bytes)
    stack.drain()

    doc = stack.document("incoming/seed.txt")
    assert doc is not None and doc.get("clean_key")
    log = function_log(stack)
    assert "document recorded" in log  # the handler did log, at INFO
    text = seed_bytes.decode("utf-8")
    lines = [line.strip() for line in text.splitlines() if len(line.strip()) >= 8]
    assert lines
    assert [line for line in lines if line in log] == []
    cleaned = stack.clean_text(str(doc["clean_key"]))
    assert [p for p in cleaned.splitlines() if len(p) >= 8 and p in log] == []
