"""The Lambda handler: one SQS batch of S3 upload notifications -> cleaned text + document records.

Wiring only: the cleaning lives in docproc (pure), the AWS calls in adapters/. Each SQS record
is handled on its own (BatchProcessor), so one bad document never fails its neighbours: only
the failing messages are reported back and retried.
"""

from __future__ import annotations

# ruff: noqa: E402 (garbage collection is paused before the imports below)
import gc

# Cold start: boto3, botocore and the rest create ~10^5 objects as they load, and the collector
# keeps scanning them while finding almost nothing to free (~25 ms of CPU per cold start, with
# the clients'). Collection is paused until this module is loaded, then what was loaded is frozen
# (left out of later collections) and collection resumes: see the end of this module.
_GC_WAS_ENABLED = gc.isenabled()
gc.disable()

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar, cast

import botocore.loaders
import botocore.session
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.shared import constants
from aws_lambda_powertools.shared.functions import resolve_truthy_env_var_choice
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from adapters.dynamo import Table
from adapters.events import ObjectEvent, TestEvent, UnrecognisedMessage, parse_message
from adapters.objects import ObjectMissing, ObjectStore, RawObject
from adapters.records import DocumentRecord, DocumentRecords
from docproc import PIPELINE_VERSION
from docproc.config import Settings
from docproc.pipeline import process_document
from docproc.result import Result, Status

# Environment variables this module reads (the core's are docproc.config.ENV_NAMES).
# Every one is declared in template.yaml; a template test checks it.
ENV_NAMES = ("CLEAN_BUCKET", "DOCUMENTS_TABLE", "MAX_RECEIVE_COUNT", "POWERTOOLS_TRACE_DISABLED")

# The error of a last delivery that never finished (its record is written before it starts).
UNFINISHED = "the last delivery did not finish: function timeout or out of memory (see the function's logs)"

# X-Ray subsegments for the AWS calls only: patching every library the X-Ray SDK knows (the
# default) tries to import each of them at cold start, for no call this function makes.
TRACED_MODULES = ("botocore",)

F = TypeVar("F", bound=Callable[..., Any])


def tracing_enabled() -> bool:
    """The rule Powertools' Tracer applies: X-Ray in Lambda only, unless switched off.

    Decided before a Tracer exists because making one imports the X-Ray SDK (0.1-0.2 s of a
    cold start) even when it then disables itself: in the tests, the local stack, `sam local`."""
    if resolve_truthy_env_var_choice(env=os.environ.get("POWERTOOLS_TRACE_DISABLED", "false")):
        return False
    # Set by the Lambda runtime and by SAM CLI's emulator, never by the template.
    emulated = os.getenv(constants.SAM_LOCAL_ENV) or os.getenv(constants.CHALICE_LOCAL_ENV)
    return bool(os.getenv(constants.LAMBDA_TASK_ROOT_ENV)) and not emulated


logger = Logger()
tracer = Tracer(patch_modules=TRACED_MODULES) if tracing_enabled() else None
metrics = Metrics()
# With every record failed, list them all as failures instead of raising: the effect is the
# same for SQS (all retried), and the handler's own metrics and logs still get flushed.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    clean_bucket: str
    table_name: str
    max_receive_count: int  # the queue's redrive maxReceiveCount: the last attempt's number
    settings: Settings


@cache
def config() -> FunctionConfig:
    return FunctionConfig(
        clean_bucket=os.environ["CLEAN_BUCKET"],
        table_name=os.environ["DOCUMENTS_TABLE"],
        max_receive_count=int(os.environ.get("MAX_RECEIVE_COUNT", "3")),
        settings=Settings.from_env(),
    )


# The AWS operations this function calls, by service: ModelLoader loads these services only, and
# the package's botocore keeps only these operations' models (trim_botocore.py). A call missing
# here fails in the package: tests/unit/test_services.py finds every call the code makes.
SERVICES: dict[str, tuple[str, ...]] = {
    "s3": ("GetObject", "HeadObject", "PutObject"),
    "dynamodb": (
        "BatchGetItem", "BatchWriteItem", "DeleteItem", "GetItem", "PutItem", "Query", "TransactWriteItems",
    ),
}  # fmt: skip


class ModelLoader(botocore.loaders.Loader):
    """botocore's model loader, without its check that a service exists: before loading any
    model it lists every service botocore ships (~420 directories and ~1,400 file checks per model
    type), ~20 ms of CPU per process where botocore is whole (the local stack, the tests; the
    package's trimmed botocore has two). A client for a service not in SERVICES fails
    (UnknownServiceError): add it there."""

    def list_available_services(self, type_name: str) -> list[str]:
        return list(SERVICES)


@cache
def session() -> botocore.session.Session:
    """One botocore session for both clients, with the model loader above. No boto3: its import
    (with s3transfer's) and the Table resource were ~11 ms of every cold start, for the value
    conversions adapters.dynamo makes."""
    core = botocore.session.get_session()
    paths = list(core.get_component("data_loader").search_paths)  # AWS_DATA_PATH's, then botocore's
    loader = ModelLoader(extra_search_paths=paths, include_default_search_paths=False)
    core.register_component("data_loader", loader)
    return core


@contextmanager
def frozen_after() -> Iterator[None]:
    """No garbage collection while the block runs, then everything alive is frozen: for the clients,
    whose models botocore builds from JSON (~15 ms of collections that free nothing at cold start)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


# Clients are made on first use, not at import: a client made before moto's mock starts (or
# before the local stack sets its endpoint) would talk to the wrong place.
@cache
def objects() -> ObjectStore:
    with frozen_after():
        return ObjectStore(session().create_client("s3"), clean_bucket=config().clean_bucket)


@cache
def records() -> DocumentRecords:
    with frozen_after():
        table = Table(session().create_client("dynamodb"), config().table_name)
        return DocumentRecords(table, near_duplicate_threshold=config().settings.near_duplicate_threshold)


def traced(method: F) -> F:
    """A subsegment per call when tracing is on; the method itself otherwise."""
    return method if tracer is None else tracer.capture_method(method)


def traced_handler(handler: F) -> F:
    return handler if tracer is None else cast(F, tracer.capture_lambda_handler(handler))


def count(name: str, value: float = 1, unit: MetricUnit = MetricUnit.Count) -> None:
    metrics.add_metric(name=name, unit=unit, value=value)


def record_handler(record: SQSRecord) -> None:
    """One SQS message: a test event, one or more S3 records, or something unrecognised."""
    logger.set_correlation_id(None)  # not the previous record's key
    message = parse_message(record.body)
    if isinstance(message, TestEvent):
        # S3 sends this once when the notification is configured: acknowledge it.
        logger.info("s3 test event acknowledged", extra={"bucket": message.bucket})
        count("TestEvents")
        return
    if isinstance(message, UnrecognisedMessage):
        # Retrying cannot make such a body readable: log it, count it, and let it go.
        logger.error(
            "message is not an S3 event notification",
            extra={"reason": message.reason, "message_id": record.message_id},
        )
        count("UnrecognisedMessages")
        return
    attempt = int(record.attributes.approximate_receive_count or 1)
    for event in message:
        handle_object_event(event, attempt)


def handle_object_event(event: ObjectEvent, attempt: int) -> None:
    logger.set_correlation_id(event.key)
    try:
        if attempt >= config().max_receive_count and event.created:
            # A timeout or out-of-memory kill on the last delivery would send the message to the
            # DLQ with no record at all: write `failed` first; the real outcome replaces it.
            record_outcome(event, Status.FAILED, ["unfinished"], attempt, error=UNFINISHED, provisional=True)
        process_object_event(event, attempt)
    except Exception as err:
        logger.exception("document failed", extra={"attempt": attempt})
        if attempt >= config().max_receive_count:
            # Last delivery before the DLQ: leave a record saying why, then still fail.
            record_failure(event, attempt, err)
        raise


@traced
def process_object_event(event: ObjectEvent, attempt: int) -> None:
    if event.removed:
        record_outcome(event, Status.DELETED, ["object_removed"], attempt)
        return
    if not event.created:
        logger.info("event ignored", extra={"event_name": event.event_name})
        return
    # The same upload under the same pipeline version: nothing to do. A newer pipeline
    # (a `docproc backfill` after a change) reprocesses it and replaces the record.
    if records().is_recorded(event.key, event.source_tag, PIPELINE_VERSION):
        logger.info("duplicate delivery ignored", extra={"source_tag": event.source_tag})
        count("DuplicateDeliveries")
        return
    settings = config().settings
    try:
        size = event.size if event.size is not None else objects().size_of(event.bucket, event.key)
        if size > settings.max_object_bytes:
            # Rejected from the size alone: never read a huge object into memory.
            record_outcome(event, Status.REJECTED, ["too_large"], attempt, stats={"bytes_in": size})
            return
        raw = objects().read(event.bucket, event.key, event.version_id)
    except ObjectMissing as missing:
        logger.warning("object deleted before it was read", extra={"detail": str(missing)})
        record_outcome(event, Status.DELETED, ["object_missing"], attempt)
        return
    result = process_document(raw.data, key=event.key, content_type=raw.content_type, settings=settings)
    record_result(event, raw, result, attempt)


def record_result(event: ObjectEvent, raw: RawObject, result: Result, attempt: int) -> None:
    """Write the cleaned text (when there is any), then the record that points at it."""
    clean_key = None
    if result.text:
        meta = {"status": str(result.status), "pipeline-version": PIPELINE_VERSION}
        clean_key = objects().write_clean(event.key, result.text, meta)
    signature = result.signature
    record = DocumentRecord(
        key=event.key,
        status=str(result.status),
        reasons=list(result.reasons),
        source_bucket=event.bucket,
        source_key=event.key,
        # The same tag the duplicate check used: the event's version, else the ETag read.
        source_tag=event.version_id or raw.etag,
        source_version=raw.version_id,
        source_etag=raw.etag,
        source_size=len(raw.data),
        clean_bucket=config().clean_bucket if clean_key else None,
        clean_key=clean_key,
        pipeline_version=PIPELINE_VERSION,
        stats=result.stats,
        metadata=result.metadata,
        keywords=keyword_words(result),
        content_hash=signature.content_hash if signature else None,
        minhash=list(signature.minhash) if signature else [],
        characters=len(result.text),
        attempts=attempt,
    )
    # put() checks a kept document for duplicates: record.status may come back "duplicate".
    if not records().put(record):
        count("DuplicateDeliveries")
        return
    count("Documents")
    count(f"Documents{record.status.title()}")
    count("BytesIn", len(raw.data), MetricUnit.Bytes)
    count("BytesOut", len(result.text.encode("utf-8")), MetricUnit.Bytes)
    logger.info(
        "document recorded",
        extra={"status": record.status, "reasons": record.reasons, "bytes_in": len(raw.data)},
    )


def keyword_words(result: Result) -> list[str]:
    """The keywords' words: the statistics carry them as [word, score] pairs, best first."""
    found = result.stats.get("keywords") or []
    return [str(k[0]) if isinstance(k, list | tuple) else str(k) for k in found]


def record_outcome(
    event: ObjectEvent,
    status: Status,
    reasons: list[str],
    attempt: int,
    stats: dict[str, Any] | None = None,
    error: str | None = None,
    provisional: bool = False,
) -> None:
    """A record for a document that was never cleaned: rejected, deleted or failed.

    A provisional record (the last delivery's `unfinished`) is not counted in the metrics: the
    outcome that replaces it is."""
    record = DocumentRecord(
        key=event.key,
        status=str(status),
        reasons=reasons,
        source_bucket=event.bucket,
        source_key=event.key,
        source_tag=event.source_tag or "unknown",
        source_version=event.version_id,
        source_etag=event.etag,
        source_size=event.size,
        pipeline_version=PIPELINE_VERSION,
        stats=stats or {},
        error=error,
        attempts=attempt,
    )
    if records().put(record) and not provisional:
        count("Documents")
        count(f"Documents{status.value.title()}")
        logger.info("document recorded", extra={"status": record.status, "reasons": reasons})


def record_failure(event: ObjectEvent, attempt: int, err: Exception) -> None:
    try:
        record_outcome(event, Status.FAILED, ["error"], attempt, error=f"{type(err).__name__}: {err}")
    except Exception:
        # The original error is what matters; the message still goes to the DLQ.
        logger.exception("could not record the failure")


@logger.inject_lambda_context(clear_state=True)
@traced_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )


# The end of the cold start's imports (see the top of this module).
gc.freeze()
if _GC_WAS_ENABLED:
    gc.enable()
