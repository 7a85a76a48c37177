"""`docproc redrive` and `docproc backfill --prefix P`: put work back on the ingest queue;
`docproc band-heads`: bring a table written before band heads existed up to date.

redrive: after a fix, move the messages parked in the dead-letter queue back to the ingest queue.
  SQS's own DLQ redrive (StartMessageMoveTask) is used where the endpoint has it; elsewhere (moto,
  the local stack) the move is receive -> send -> delete, message by message. A crash between the
  send and the delete leaves a copy in both queues: a duplicate delivery, which the handler's
  idempotency absorbs.
backfill: send an S3-event-shaped message for every object under a prefix of the raw bucket,
  through the same queue as live uploads. A record made by the current pipeline version for the
  same object is left alone (a no-op); an older pipeline's record is reprocessed and replaced.

band-heads: a near-duplicate lookup reads each band bucket's head item and queries only the
  buckets that have one (docs/table.md); in a table written before heads existed, every bucket
  with members gets its first member as head, once, after upgrading. One Scan; idempotent.

All find the stack's resources the way the other commands do: the CloudFormation outputs of
`--stack` (default $DOCPROC_STACK or docproc), with `--endpoint-url` for `docproc local serve`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import quote_plus

import boto3
from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from adapters.records import BAND_HEAD_SK, BAND_MEMBER_PREFIX
from infra.queries import DEFAULT_STACK, add_target_arguments, open_table, target_from_args

SQS_BATCH = 10  # SendMessageBatch / DeleteMessageBatch / ReceiveMessage take at most 10
# The message attribute that marks a backfill message (live S3 notifications carry none).
ORIGIN_ATTRIBUTE = "docproc-origin"


@dataclass(frozen=True, slots=True)
class OpsTarget:
    queue_url: str
    dlq_url: str
    raw_bucket: str
    region: str


def register(subparsers: Any) -> None:
    redrive = subparsers.add_parser("redrive", help="move the dead-letter queue's messages back to the queue")
    redrive.add_argument("--max", type=int, default=0, help="move at most this many (0: all)")
    redrive.add_argument(
        "--manual", action="store_true", help="receive/send/delete even where StartMessageMoveTask exists"
    )
    redrive.add_argument("--wait", action="store_true", help="wait for SQS's move task to finish")
    _add_target_arguments(redrive)
    redrive.set_defaults(func=run_redrive)

    backfill = subparsers.add_parser(
        "backfill", help="enqueue existing objects under a prefix, as if they had just been uploaded"
    )
    backfill.add_argument("--prefix", required=True, help="key prefix in the raw bucket, e.g. incoming/2026/")
    backfill.add_argument("--dry-run", action="store_true", help="list what would be enqueued, send nothing")
    _add_target_arguments(backfill)
    backfill.set_defaults(func=run_backfill)

    heads = subparsers.add_parser(
        "band-heads", help="give each band bucket of an older table its head item (once, after upgrading)"
    )
    add_target_arguments(heads)
    heads.set_defaults(func=run_band_heads)


def _add_target_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stack",
        default=os.environ.get("DOCPROC_STACK", DEFAULT_STACK),
        help="CloudFormation stack whose outputs name the queues and bucket"
        " (default: $DOCPROC_STACK or docproc)",
    )
    parser.add_argument("--endpoint-url", help="e.g. the URL printed by `docproc local serve`")
    parser.add_argument("--region", help="AWS region (default: the profile's or $AWS_DEFAULT_REGION)")
    parser.add_argument("--profile", help="AWS named profile")


def _session(args: argparse.Namespace) -> boto3.Session:
    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    if session.region_name is None:
        session = boto3.Session(profile_name=args.profile, region_name="us-east-1")
    return session


def resolve(session: boto3.Session, stack: str, endpoint_url: str | None) -> OpsTarget:
    cfn = session.client("cloudformation", endpoint_url=endpoint_url)
    outputs = {
        o["OutputKey"]: o["OutputValue"]
        for o in cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    }
    return OpsTarget(
        queue_url=outputs["IngestQueueUrl"],
        dlq_url=outputs["DeadLetterQueueUrl"],
        raw_bucket=outputs["RawBucketName"],
        region=str(session.region_name),
    )


# -- redrive --------------------------------------------------------------------------------------


def run_redrive(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout  # read at call time: tests and callers may have replaced it
    session = _session(args)
    target = resolve(session, args.stack, args.endpoint_url)
    sqs = session.client("sqs", endpoint_url=args.endpoint_url)
    if not args.manual:
        task = start_move_task(sqs, target, args.max)
        if task is not None:
            print(f"SQS move task started: {task}", file=out)
            if args.wait:
                status = wait_for_move_task(sqs, queue_arn(sqs, target.dlq_url))
                print(f"move task {status}", file=out)
                return 0 if status == "COMPLETED" else 1
            return 0
    moved = move_messages(sqs, target.dlq_url, target.queue_url, limit=args.max or None)
    print(f"moved {moved} message(s) from the dead-letter queue to the queue", file=out)
    return 0


def queue_arn(sqs: Any, url: str) -> str:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return str(attrs["QueueArn"])


def start_move_task(sqs: Any, target: OpsTarget, limit: int) -> str | None:
    """SQS's own DLQ redrive; None where the endpoint does not implement it (moto)."""
    params: dict[str, Any] = {
        "SourceArn": queue_arn(sqs, target.dlq_url),
        "DestinationArn": queue_arn(sqs, target.queue_url),
    }
    if limit:
        params["MaxNumberOfMessagesPerSecond"] = min(limit, 500)
    try:
        response = sqs.start_message_move_task(**params)
    except NotImplementedError:  # moto in process
        return None
    except ClientError as err:
        code = str(err.response.get("Error", {}).get("Code", ""))
        # moto's server answers an HTML 500 (botocore reports code "500"); other endpoints may say
        # NotImplemented. The fallback move is correct anywhere, only slower.
        if code in {"NotImplemented", "InvalidAction", "UnknownOperationException", "501", "500"}:
            return None
        raise
    return str(response["TaskHandle"])


def wait_for_move_task(sqs: Any, dlq_arn: str, poll_seconds: float = 5.0) -> str:
    while True:
        tasks = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=1).get("Results", [])
        status = str(tasks[0]["Status"]) if tasks else "COMPLETED"
        if status not in {"RUNNING", "CANCELLING"}:
            return status
        time.sleep(poll_seconds)


def move_messages(sqs: Any, source_url: str, destination_url: str, limit: int | None = None) -> int:
    """Receive from source, send to destination (body and attributes kept), then delete."""
    moved = 0
    while limit is None or moved < limit:
        want = SQS_BATCH if limit is None else min(SQS_BATCH, limit - moved)
        messages = sqs.receive_message(
            QueueUrl=source_url,
            MaxNumberOfMessages=want,
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
            # Long enough to send and delete them; if we die, they reappear in the DLQ.
            VisibilityTimeout=60,
        ).get("Messages", [])
        if not messages:
            break
        entries = [
            {
                "Id": str(i),
                "MessageBody": m["Body"],
                **({"MessageAttributes": m["MessageAttributes"]} if m.get("MessageAttributes") else {}),
            }
            for i, m in enumerate(messages)
        ]
        sent = sqs.send_message_batch(QueueUrl=destination_url, Entries=entries)
        failed = {f["Id"] for f in sent.get("Failed", [])}
        done = [(str(i), m) for i, m in enumerate(messages) if str(i) not in failed]
        if done:
            sqs.delete_message_batch(
                QueueUrl=source_url, Entries=[{"Id": i, "ReceiptHandle": m["ReceiptHandle"]} for i, m in done]
            )
        moved += len(done)
        if failed:
            raise RuntimeError(
                f"{len(failed)} message(s) could not be sent; they stay in the dead-letter queue"
            )
    return moved


# -- backfill -------------------------------------------------------------------------------------


def run_backfill(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout  # read at call time: tests and callers may have replaced it
    session = _session(args)
    target = resolve(session, args.stack, args.endpoint_url)
    s3 = session.client("s3", endpoint_url=args.endpoint_url)
    sqs = session.client("sqs", endpoint_url=args.endpoint_url)
    objects = list_objects(s3, target.raw_bucket, args.prefix)
    if args.dry_run:
        for obj in objects:
            print(obj["Key"], file=out)
        print(f"{len(objects)} object(s) would be enqueued", file=out)
        return 0
    sent = enqueue(sqs, target, objects)
    print(f"enqueued {sent} object(s) under {args.prefix!r}", file=out)
    return 0


def list_objects(s3: Any, bucket: str, prefix: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        found.extend(page.get("Contents", []))
    return found


def event_body(bucket: str, obj: dict[str, Any], region: str) -> str:
    """An S3 ObjectCreated notification for one listed object, shaped as S3 sends it.

    The key is form-encoded as S3 encodes it (the handler decodes it exactly once). No version
    id: the handler reads the current object, and its ETag identifies the upload."""
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "eventName": "ObjectCreated:Put",
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "docproc-backfill",
            "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
            "object": {"key": quote_plus(obj["Key"], safe="/"), "size": int(obj["Size"]), "eTag": _bare(obj)},
        },
    }
    return json.dumps({"Records": [record]})


def _bare(obj: dict[str, Any]) -> str:
    return str(obj.get("ETag", "")).strip('"')


def enqueue(sqs: Any, target: OpsTarget, objects: list[dict[str, Any]]) -> int:
    sent = 0
    for chunk in _chunks(objects, SQS_BATCH):
        entries = [
            {
                "Id": str(i),
                "MessageBody": event_body(target.raw_bucket, obj, target.region),
                "MessageAttributes": {ORIGIN_ATTRIBUTE: {"DataType": "String", "StringValue": "backfill"}},
            }
            for i, obj in enumerate(chunk)
        ]
        response = sqs.send_message_batch(QueueUrl=target.queue_url, Entries=entries)
        if response.get("Failed"):
            raise RuntimeError(
                f"SQS refused {len(response['Failed'])} backfill message(s): {response['Failed']}"
            )
        sent += len(chunk)
    return sent


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- band heads -----------------------------------------------------------------------------------


def run_band_heads(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    written = add_band_heads(open_table(target_from_args(args)))
    print(f"{written} band bucket(s) got a head", file=out)
    return 0


def add_band_heads(table: Any) -> int:
    """Give every band bucket that has members but no head one: its first member's key, as a
    head. Returns how many were written.

    Each put is conditional on the bucket still having no head, so a head a live write put
    meanwhile stays, and a second run writes nothing."""
    members: dict[str, tuple[str, str]] = {}  # bucket -> (sort key, key) of its first member
    headed: set[str] = set()
    kwargs: dict[str, Any] = {
        "FilterExpression": Attr("pk").begins_with("BAND#"),
        "ProjectionExpression": "pk, sk, #k",
        "ExpressionAttributeNames": {"#k": "key"},
    }
    while True:
        page = table.scan(**kwargs)
        for item in page.get("Items", []):
            pk, sk = str(item["pk"]), str(item["sk"])
            if sk == BAND_HEAD_SK:
                headed.add(pk)
            elif sk.startswith(BAND_MEMBER_PREFIX) and (pk not in members or sk < members[pk][0]):
                members[pk] = (sk, str(item["key"]))
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    written = 0
    for pk in sorted(set(members) - headed):
        try:
            table.put_item(
                Item={"pk": pk, "sk": BAND_HEAD_SK, "key": members[pk][1]},
                ConditionExpression="attribute_not_exists(pk)",
            )
            written += 1
        except ClientError as err:
            if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
    return written
