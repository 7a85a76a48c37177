"""Plays the part of Lambda's SQS event source mapping for the local stack.

moto cannot run the function without a container engine, so the local stack disables its
event source mappings and this driver polls the queue instead, with the settings read from
the mapping: batches of up to BatchSize records shaped exactly like Lambda's SQS event, the
handler's partial batch response honoured (successes deleted, failures left for redelivery),
and the queue's own redrive policy moving a message to the DLQ after maxReceiveCount receives.

Differences from Lambda, on purpose, to keep local runs fast and deterministic:
- batches run one after another (MaximumConcurrency is read but concurrency is 1);
- the batching window is not waited for (everything already queued is taken at once);
- a failed message's visibility is set to 0 instead of waiting out the visibility timeout,
  so its retries happen within the same drain.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], Any], Any]
SQS_MAX_RECEIVE = 10  # ReceiveMessage returns at most 10 messages per call


@dataclass(frozen=True, slots=True)
class EventSourceSettings:
    """What Lambda's event source mapping would do, as read from the mapping and the template."""

    queue_arn: str
    batch_size: int = 10
    batching_window_seconds: int = 0
    report_batch_item_failures: bool = True
    maximum_concurrency: int | None = None


@dataclass(slots=True)
class LambdaContext:
    """The attributes of Lambda's context object that Powertools and handlers use."""

    function_name: str
    memory_limit_in_mb: int = 512
    timeout_seconds: int = 30
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    region: str = "us-east-1"
    account_id: str = "123456789012"
    log_group_name: str = ""
    log_stream_name: str = "local"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_seconds * 1000


@dataclass(slots=True)
class DrainReport:
    batches: int = 0
    messages: int = 0  # deliveries, retries included
    failures: int = 0  # deliveries the handler reported as failed
    handler_errors: int = 0  # invocations that raised (every record in them failed)


class QueueDriver:
    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        settings: EventSourceSettings,
        handler: Handler,
        context: LambdaContext,
        function_output: TextIO | None = None,
    ) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.settings = settings
        self.handler = handler
        self.context = context
        # Where the function's stdout goes (its logs and metrics, as Lambda sends to CloudWatch).
        self.function_output = function_output or sys.stderr

    def drain(self, on_batch: Callable[[int], None] | None = None, max_batches: int = 10_000) -> DrainReport:
        """Deliver batches until the queue has nothing visible left; returns what happened."""
        report = DrainReport()
        while report.batches < max_batches:
            messages = self.receive_batch()
            if not messages:
                break
            self.deliver(messages, report)
            if on_batch:
                on_batch(len(messages))
        return report

    def receive_batch(self) -> list[dict[str, Any]]:
        """Up to BatchSize messages, gathered over as many ReceiveMessage calls as needed."""
        batch: list[dict[str, Any]] = []
        while len(batch) < self.settings.batch_size:
            got = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(SQS_MAX_RECEIVE, self.settings.batch_size - len(batch)),
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if not got:
                break
            batch.extend(got)
        return batch

    def deliver(self, messages: list[dict[str, Any]], report: DrainReport) -> None:
        event = {"Records": [self.lambda_record(m) for m in messages]}
        failed_ids = self.invoke(event, report)
        report.batches += 1
        report.messages += len(messages)
        report.failures += len(failed_ids)
        done = [m for m in messages if m["MessageId"] not in failed_ids]
        retry = [m for m in messages if m["MessageId"] in failed_ids]
        for chunk in _chunks(done, SQS_MAX_RECEIVE):
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        for m in retry:
            # Lambda would leave it invisible for the visibility timeout; locally retry at once.
            self.sqs.change_message_visibility(
                QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0
            )

    def invoke(self, event: dict[str, Any], report: DrainReport) -> set[str]:
        """Run the handler; the ids of the records it failed (all of them if it raised)."""
        all_ids = {r["messageId"] for r in event["Records"]}
        self.context.aws_request_id = str(uuid.uuid4())
        try:
            with contextlib.redirect_stdout(self.function_output):
                response = self.handler(event, self.context)
        except Exception:
            log.exception("the handler raised: every record of the batch is retried")
            report.handler_errors += 1
            return all_ids
        if not self.settings.report_batch_item_failures:
            return set()
        failures = (response or {}).get("batchItemFailures", [])
        return {f["itemIdentifier"] for f in failures} & all_ids

    def lambda_record(self, message: dict[str, Any]) -> dict[str, Any]:
        """One SQS message as Lambda's event source mapping hands it to the function."""
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": dict(message.get("Attributes", {})),
            "messageAttributes": {
                name: _lambda_message_attribute(value)
                for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.settings.queue_arn,
            "awsRegion": self.context.region,
        }


def _lambda_message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """SQS API attribute shape (StringValue...) -> Lambda event shape (stringValue...)."""
    return {
        "stringValue": value.get("StringValue"),
        "binaryValue": value.get("BinaryValue"),
        "stringListValues": value.get("StringListValues", []),
        "binaryListValues": value.get("BinaryListValues", []),
        "dataType": value.get("DataType", "String"),
    }


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
