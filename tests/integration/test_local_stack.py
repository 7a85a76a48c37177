"""The local stack reproduces what template.yaml declares, including what moto's CloudFormation drops."""

from __future__ import annotations

import json

from infra.localstack import LocalStack


def test_raw_bucket_is_versioned_private_and_notifies_the_queue_for_incoming(stack: LocalStack) -> None:
    s3 = stack.client("s3")
    bucket = stack.names.raw_bucket
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    queues = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]
    assert {q["QueueArn"] for q in queues} == {stack.event_source.queue_arn}
    assert "s3:ObjectCreated:*" in {e for q in queues for e in q["Events"]}
    for q in queues:
        # S3 answers "Prefix" whatever case it was given; moto echoes the template's "prefix".
        rules = [(r["Name"].lower(), r["Value"]) for r in q["Filter"]["Key"]["FilterRules"]]
        assert rules == [("prefix", "incoming/")]


def test_uploads_outside_incoming_do_not_reach_the_queue(stack: LocalStack) -> None:
    stack.drain()  # the test event
    stack.upload("elsewhere/note.txt", "不在 incoming 下的文件。".encode())

    assert stack.queue_depth(stack.names.queue_url) == 0
    assert stack.drain().messages == 0


def test_clean_output_never_notifies(stack: LocalStack) -> None:
    notifications = stack.client("s3").get_bucket_notification_configuration(Bucket=stack.names.clean_bucket)
    assert not notifications.get("QueueConfigurations")


def test_queue_policy_admits_only_the_raw_bucket(stack: LocalStack) -> None:
    attrs = stack.client("sqs").get_queue_attributes(
        QueueUrl=stack.names.queue_url, AttributeNames=["Policy"]
    )
    (statement,) = json.loads(attrs["Attributes"]["Policy"])["Statement"]
    assert statement["Condition"]["ArnLike"]["aws:SourceArn"] == f"arn:aws:s3:::{stack.names.raw_bucket}"
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"


def test_table_has_point_in_time_recovery(stack: LocalStack) -> None:
    backups = stack.client("dynamodb").describe_continuous_backups(TableName=stack.names.table)
    pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"


def test_moto_never_runs_the_function_itself(stack: LocalStack) -> None:
    lam = stack.client("lambda")
    (mapping,) = lam.list_event_source_mappings(FunctionName=stack.names.function)["EventSourceMappings"]
    assert mapping["State"] in {"Disabled", "Disabling"}


def test_the_handler_sees_the_function_environment_from_the_template(stack: LocalStack) -> None:
    config = stack.handler_module.config()
    assert config.clean_bucket == stack.names.clean_bucket
    assert config.table_name == stack.names.table
    assert config.max_receive_count == int(stack.function_env["MAX_RECEIVE_COUNT"])
