"""Re-apply the template properties that moto's CloudFormation silently drops.

Measured with moto 5.2.5: stacks are created without a bucket's NotificationConfiguration
(so no upload would ever reach the queue), VersioningConfiguration and
PublicAccessBlockConfiguration, without a table's point-in-time recovery, and
AWS::SQS::QueuePolicy and AWS::S3::BucketPolicy are not supported at all. Each property is
read from the translated template, checked against the live resource, and applied through
the ordinary API only when missing, with a log line, so a moto that learns to honour one
simply stops being patched.
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from infra.localstack import LocalStack

log = logging.getLogger(__name__)

# Resource types moto's CloudFormation skips (with a warning quiet_moto_cloudformation silences)
# and that nothing local needs: the one place they are named, each skip logged.
NOT_CREATED_LOCALLY = {
    "AWS::CloudWatch::Alarm": "CloudWatch alarm (moto's CloudFormation lacks it; alarms act on AWS only)",
}

_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class Resolver:
    """Evaluates the intrinsic functions the template uses, against the created stack."""

    def __init__(self, stack: LocalStack, physical: dict[str, str]) -> None:
        self.stack = stack
        self.physical = physical
        self.resources: dict[str, Any] = stack.cfn_template["Resources"]
        params = stack.cfn_template.get("Parameters", {})
        self.values: dict[str, str] = {
            "AWS::StackName": stack.stack_name,
            "AWS::Region": stack.region,
            "AWS::AccountId": _account_id(stack),
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            **{name: str(p.get("Default", "")) for name, p in params.items()},
        }

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Ref":
                return self.ref(str(arg))
            if fn == "Fn::GetAtt":
                logical, attr = arg if isinstance(arg, list) else str(arg).split(".", 1)
                return self.get_att(logical, attr)
            if fn == "Fn::Sub":
                return self.sub(arg)
        return {k: self.resolve(v) for k, v in value.items()}

    def ref(self, name: str) -> str:
        if name in self.values:
            return self.values[name]
        return self.physical[name]

    def get_att(self, logical: str, attr: str) -> str:
        kind = self.resources[logical]["Type"]
        physical = self.physical[logical]
        if kind == "AWS::SQS::Queue" and attr == "Arn":
            attrs = self.stack.client("sqs").get_queue_attributes(
                QueueUrl=physical, AttributeNames=["QueueArn"]
            )
            return str(attrs["Attributes"]["QueueArn"])
        if kind == "AWS::S3::Bucket" and attr == "Arn":
            return f"arn:aws:s3:::{physical}"
        if kind == "AWS::DynamoDB::Table" and attr == "Arn":
            return str(self.stack.client("dynamodb").describe_table(TableName=physical)["Table"]["TableArn"])
        raise NotImplementedError(f"Fn::GetAtt {logical}.{attr} ({kind})")

    def sub(self, arg: Any) -> str:
        text, variables = (arg[0], arg[1]) if isinstance(arg, list) else (arg, {})

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name:
                logical, attr = name.split(".", 1)
                return self.get_att(logical, attr)
            return self.ref(name)

        return _SUB_VARIABLE.sub(replace, str(text))


def apply_dropped_properties(stack: LocalStack, physical: dict[str, str]) -> None:
    resolver = Resolver(stack, physical)
    # Queue policies first: S3 checks a notification's destination when it is configured.
    ordered = sorted(resolver.resources.items(), key=lambda kv: kv[1]["Type"] != "AWS::SQS::QueuePolicy")
    for logical, resource in ordered:
        props = resource.get("Properties", {})
        kind = resource["Type"]
        if kind == "AWS::S3::Bucket":
            _patch_bucket(stack, logical, physical[logical], props, resolver)
        elif kind == "AWS::DynamoDB::Table":
            _patch_table(stack, logical, physical[logical], props)
        elif kind == "AWS::SQS::QueuePolicy":
            _patch_queue_policy(stack, logical, props, resolver)
        elif kind == "AWS::S3::BucketPolicy":
            _skip_bucket_policy(logical)
        elif kind in NOT_CREATED_LOCALLY:
            log.info("not created %s: %s", logical, NOT_CREATED_LOCALLY[kind])


def _patch_bucket(stack: LocalStack, logical: str, bucket: str, props: dict[str, Any], r: Resolver) -> None:
    s3 = stack.client("s3")
    versioning = props.get("VersioningConfiguration")
    if versioning and s3.get_bucket_versioning(Bucket=bucket).get("Status") != versioning["Status"]:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": versioning["Status"]})
        log.info("patched %s: versioning %s (dropped by moto)", logical, versioning["Status"])
    block = props.get("PublicAccessBlockConfiguration")
    if block and not _has_public_access_block(s3, bucket):
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block)
        log.info("patched %s: public access block (dropped by moto)", logical)
    notifications = props.get("NotificationConfiguration")
    if notifications:
        live = s3.get_bucket_notification_configuration(Bucket=bucket)
        if not live.get("QueueConfigurations"):
            s3.put_bucket_notification_configuration(
                Bucket=bucket, NotificationConfiguration=_notification_api_shape(r.resolve(notifications))
            )
            log.info("patched %s: event notifications to SQS (dropped by moto)", logical)


def _has_public_access_block(s3: Any, bucket: str) -> bool:
    try:
        s3.get_public_access_block(Bucket=bucket)
    except ClientError:
        return False
    return True


def _notification_api_shape(cfn: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's NotificationConfiguration -> PutBucketNotificationConfiguration's shape."""
    queues = []
    for q in cfn.get("QueueConfigurations", []):
        entry: dict[str, Any] = {"QueueArn": q["Queue"], "Events": [q["Event"]]}
        rules = q.get("Filter", {}).get("S3Key", {}).get("Rules", [])
        if rules:
            entry["Filter"] = {
                "Key": {"FilterRules": [{"Name": x["Name"], "Value": x["Value"]} for x in rules]}
            }
        queues.append(entry)
    return {"QueueConfigurations": queues}


def _patch_table(stack: LocalStack, logical: str, table: str, props: dict[str, Any]) -> None:
    wanted = props.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled")
    if not wanted:
        return
    ddb = stack.client("dynamodb")
    live = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    status = live.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus")
    if status != "ENABLED":
        ddb.update_continuous_backups(
            TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
        log.info("patched %s: point-in-time recovery (dropped by moto)", logical)


def _patch_queue_policy(stack: LocalStack, logical: str, props: dict[str, Any], r: Resolver) -> None:
    sqs = stack.client("sqs")
    policy = json.dumps(r.resolve(props["PolicyDocument"]))
    for queue_url in r.resolve(props["Queues"]):
        live = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["Policy"]).get("Attributes", {})
        if "Policy" not in live:
            sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": policy})
            log.info("patched %s: queue policy on %s (unsupported by moto)", logical, queue_url)


def _skip_bucket_policy(logical: str) -> None:
    # The template's bucket policies deny requests without TLS. The local endpoints are plain
    # http (and moto evaluates bucket policies), so applied here they would deny every request.
    log.info("not applied %s: TLS-only bucket policy (the local endpoint is plain http)", logical)


def _account_id(stack: LocalStack) -> str:
    return str(stack.client("sts").get_caller_identity()["Account"])
