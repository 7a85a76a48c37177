"""template.yaml: lint-clean, and the rules AWS advises that no linter checks on SAM source."""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint

from docproc.config import ENV_NAMES as CORE_ENV_NAMES
from infra import ROOT, TEMPLATE
from infra.sam import code_dir, functions, load_sam, translate, with_code_uris

FUNCTION = "ProcessorFunction"
SOURCE = TEMPLATE.read_text(encoding="utf-8")
SAM = load_sam()
# A realistic artifact location, as `sam package` would write it.
CFN = translate(with_code_uris(SAM, {FUNCTION: "s3://docproc-artifacts-123456789012/processor/code.zip"}))


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r.get("Properties", {}) for name, r in template["Resources"].items() if r["Type"] == kind}


def function_props() -> dict[str, Any]:
    return functions(SAM)[FUNCTION]


def sqs_event(props: dict[str, Any]) -> dict[str, Any]:
    (event,) = [e["Properties"] for e in props["Events"].values() if e["Type"] == "SQS"]
    return event


def test_sam_source_is_lint_clean() -> None:
    assert [str(m) for m in lint(SOURCE)] == []


def test_translated_template_is_lint_clean() -> None:
    # cfn-lint only checks some rules (E3505, visibility timeout) on plain CloudFormation.
    assert [str(m) for m in lint(json.dumps(CFN))] == []


def test_visibility_timeout_is_at_least_six_function_timeouts_plus_the_batching_window() -> None:
    props = function_props()
    event = sqs_event(props)
    queue_name = event["Queue"]["Fn::GetAtt"][0]
    visibility = SAM["Resources"][queue_name]["Properties"]["VisibilityTimeout"]
    assert visibility >= 6 * props["Timeout"] + event.get("MaximumBatchingWindowInSeconds", 0)


def test_the_sqs_event_reports_partial_batch_failures_and_caps_concurrency() -> None:
    event = sqs_event(function_props())
    assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert event["ScalingConfig"]["MaximumConcurrency"] >= 2
    assert 1 <= event["BatchSize"] <= 10_000


def test_the_dead_letter_queue_keeps_messages_14_days_after_a_small_receive_count() -> None:
    queue = SAM["Resources"]["IngestQueue"]["Properties"]
    redrive = queue["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}
    assert int(SAM["Parameters"]["MaxReceiveCount"]["Default"]) <= 5
    assert SAM["Resources"]["DeadLetterQueue"]["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_the_function_knows_the_same_max_receive_count_as_the_redrive_policy() -> None:
    redrive = SAM["Resources"]["IngestQueue"]["Properties"]["RedrivePolicy"]
    env = function_props()["Environment"]["Variables"]
    assert env["MAX_RECEIVE_COUNT"] == redrive["maxReceiveCount"] == {"Ref": "MaxReceiveCount"}


# Run by the build (functions/processor/Makefile), not shipped: what they read (CC) is the
# build machine's, not the function's configuration.
BUILD_SCRIPTS = frozenset({"build_native.py"})


def _env_names_read_in_source(directory: Path) -> set[str]:
    """Names passed to os.environ[...] / os.environ.get(...) / os.getenv(...) in the function's code."""
    names: set[str] = set()
    for path in directory.rglob("*.py"):
        if path.name in BUILD_SCRIPTS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            key: ast.expr | None
            if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
                key = node.slice
            elif isinstance(node, ast.Call) and ast.unparse(node.func) in {"os.environ.get", "os.getenv"}:
                key = node.args[0] if node.args else None
            else:
                continue
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                names.add(key.value)
    return names


def test_every_environment_variable_the_code_reads_is_declared() -> None:
    import app  # the handler module, from the template's CodeUri (on the test path)

    declared = set(function_props()["Environment"]["Variables"])
    read = (
        set(CORE_ENV_NAMES.values())
        | set(app.ENV_NAMES)
        | _env_names_read_in_source(code_dir(function_props()))
    )
    assert read - declared == set()


def test_handler_and_runtime_match_the_code_and_the_tests() -> None:
    props = function_props()
    module, _, handler = props["Handler"].rpartition(".")
    source = (code_dir(props) / f"{module}.py").read_text(encoding="utf-8")
    assert re.search(rf"^def {handler}\(", source, re.MULTILINE)
    assert props["Runtime"] == f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert code_dir(props) == ROOT / "functions" / "processor"


def _policy_statements() -> list[dict[str, Any]]:
    role = CFN["Resources"][f"{FUNCTION}Role"]["Properties"]
    return [s for policy in role.get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]


def test_function_policies_name_their_resources_and_actions() -> None:
    statements = _policy_statements()
    assert statements
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all("*" not in a for a in actions), statement
        resources_ = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        assert all(r != "*" for r in resources_), statement


def test_function_may_read_raw_write_clean_and_write_the_table_only() -> None:
    actions = {
        a
        for s in _policy_statements()
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert {"s3:GetObject", "s3:PutObject", "dynamodb:PutItem"} <= actions
    assert (
        not {"s3:DeleteObject", "s3:PutBucketNotification", "dynamodb:DeleteTable", "dynamodb:Scan"} & actions
    )


def test_raw_bucket_is_versioned_private_encrypted_and_notifies_only_for_incoming() -> None:
    raw = SAM["Resources"]["RawBucket"]["Properties"]
    assert raw["VersioningConfiguration"]["Status"] == "Enabled"
    assert all(raw["PublicAccessBlockConfiguration"].values())
    assert raw["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    notifications = raw["NotificationConfiguration"]["QueueConfigurations"]
    assert "s3:ObjectCreated:*" in [n["Event"] for n in notifications]
    for notification in notifications:
        assert notification["Queue"] == {"Fn::GetAtt": ["IngestQueue", "Arn"]}
        assert notification["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "incoming/"}]


def test_clean_bucket_is_separate_and_never_notifies() -> None:
    buckets = resources(SAM, "AWS::S3::Bucket")
    assert set(buckets) == {"RawBucket", "CleanBucket"}
    assert "NotificationConfiguration" not in buckets["CleanBucket"]
    env = function_props()["Environment"]["Variables"]
    assert env["CLEAN_BUCKET"] == {"Ref": "CleanBucket"}


@pytest.mark.parametrize("bucket", ["RawBucket", "CleanBucket"])
def test_buckets_refuse_requests_without_tls(bucket: str) -> None:
    policies = [p for p in resources(SAM, "AWS::S3::BucketPolicy").values() if p["Bucket"] == {"Ref": bucket}]
    (policy,) = policies
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_queue_policy_admits_only_this_bucket_in_this_account() -> None:
    (policy,) = resources(SAM, "AWS::SQS::QueuePolicy").values()
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    raw_name = SAM["Resources"]["RawBucket"]["Properties"]["BucketName"]["Fn::Sub"]
    assert statement["Condition"]["ArnLike"]["aws:SourceArn"] == {
        "Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{raw_name}"
    }
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}


def test_table_is_on_demand_recoverable_encrypted_and_keyed_by_document() -> None:
    table = SAM["Resources"]["DocumentsTable"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    (index,) = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "ByStatus"
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["gsi1pk", "gsi1sk"]


def test_outputs_name_everything_a_user_needs() -> None:
    assert set(SAM["Outputs"]) >= {
        "RawBucketName",
        "CleanBucketName",
        "IngestQueueUrl",
        "DeadLetterQueueUrl",
        "DocumentsTableName",
        "ProcessorFunctionName",
    }
