"""The stack of template.yaml, stood up on moto, with the real handler draining its queue.

Steps (docs/architecture.md has the why of each):
1. translate template.yaml (SAM) to CloudFormation offline, CodeUri rewritten to an s3:// zip;
2. create it in moto's CloudFormation;
3. re-apply what moto's CloudFormation silently drops, through the ordinary APIs, logging each
   patch (bucket versioning, public access block, notifications; queue policies; table PITR);
4. read the function's environment and its event source mapping, then disable the mapping
   (moto cannot run the function without a container engine);
5. import the handler from the template's CodeUri/Handler with that environment applied, and
   let infra.driver.QueueDriver play the event source mapping.

Two ways to run: in process (moto's `mock_aws`, for tests and `docproc local run`) or behind
`ThreadedMotoServer` on 127.0.0.1 (for `docproc local serve`, reachable by the `aws` CLI).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import importlib.util
import io
import json
import logging
import os
import sys
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

import boto3

from infra import TEMPLATE, moto_speedups
from infra.driver import DrainReport, EventSourceSettings, LambdaContext, QueueDriver
from infra.patches import apply_dropped_properties
from infra.sam import code_dir, functions, load_sam, translate_cached

log = logging.getLogger(__name__)

ACCOUNT_ID = "123456789012"  # moto's default account
BATCH_GET_KEYS = 100  # BatchGetItem's limit per call
DEFAULT_REGION = "us-east-1"
FREEZE_GC_THRESHOLD = 10_000  # the youngest generation's, once a stack is started and frozen
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


@dataclass(frozen=True, slots=True)
class StackNames:
    """Physical names a user needs, from the stack's Outputs."""

    stack: str
    raw_bucket: str
    clean_bucket: str
    queue_url: str
    dlq_url: str
    table: str
    function: str


class LocalStack:
    """template.yaml on moto. Use as a context manager, or call start() / stop()."""

    def __init__(
        self,
        *,
        stack_name: str = "docproc",
        region: str = DEFAULT_REGION,
        port: int | None = None,
        template: Path = TEMPLATE,
        env_overrides: dict[str, str] | None = None,
        function_output: TextIO | None = None,
        freeze_after_start: bool = False,
    ) -> None:
        self.stack_name = stack_name
        self.region = region
        self.port = port  # None: in process; a number: ThreadedMotoServer on 127.0.0.1:port
        self.template = template
        self.env_overrides = env_overrides or {}
        self.function_output = function_output
        self.freeze_after_start = freeze_after_start
        self._saved_env: dict[str, str | None] = {}
        self._mock: Any = None
        self._server: Any = None
        self._clients: dict[str, Any] = {}
        self._resources: dict[str, Any] = {}
        self.names: StackNames
        self.sam: dict[str, Any]
        self.cfn_template: dict[str, Any]
        self.function_env: dict[str, str]
        self.event_source: EventSourceSettings
        self.handler_module: ModuleType
        self.driver: QueueDriver

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> LocalStack:
        with self._collection_paused():
            self._start_moto()
            try:
                self._deploy()
            except BaseException:
                self.stop()
                raise
        return self

    @contextlib.contextmanager
    def _collection_paused(self) -> Iterator[None]:
        """With freeze_after_start (a process that starts one stack, as `docproc local run`
        does): no garbage collection while moto, the stack and the handler load, then what they
        loaded is frozen, left out of every later collection. Loading makes ~10^6 objects and
        frees almost none, so the collector's passes over them were ~0.5 s of a 2.5 s start,
        and each full collection while documents ran walked them all again. A process that
        starts many stacks (the tests) leaves the collector alone: frozen objects are never
        freed."""
        if not self.freeze_after_start:
            yield
            return
        enabled = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            gc.freeze()
            # Fewer young collections while documents run (each request makes and drops a few
            # thousand objects): 10,000 allocations between them instead of 700.
            gc.set_threshold(FREEZE_GC_THRESHOLD, *gc.get_threshold()[1:])
            if enabled:
                gc.enable()

    def stop(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        if self._server is not None:
            self._server.stop()
            self._server = None
        self._clients.clear()
        self._resources.clear()
        self._restore_env()

    @property
    def endpoint_url(self) -> str | None:
        return f"http://127.0.0.1:{self.port}" if self.port is not None else None

    def client(self, service: str) -> Any:
        """A client for this stack (made once per service: making one costs ~0.1 s)."""
        if service not in self._clients:
            self._clients[service] = boto3.client(
                service, region_name=self.region, endpoint_url=self.endpoint_url
            )
        return self._clients[service]

    def resource(self, service: str) -> Any:
        if service not in self._resources:
            self._resources[service] = boto3.resource(
                service, region_name=self.region, endpoint_url=self.endpoint_url
            )
        return self._resources[service]

    # -- what users and tests do -------------------------------------------------------------

    def upload(self, key: str, data: bytes, **extra: Any) -> None:
        """Put an object in the raw bucket (under incoming/ it notifies the queue)."""
        self.client("s3").put_object(Bucket=self.names.raw_bucket, Key=key, Body=data, **extra)

    def drain(self, on_batch: Any = None) -> DrainReport:
        """Run the handler over everything in the queue, retries included."""
        return self.driver.drain(on_batch=on_batch)

    def document(self, key: str) -> dict[str, Any] | None:
        """The document record of a source key, or None."""
        got = (
            self.resource("dynamodb")
            .Table(self.names.table)
            .get_item(Key={"pk": f"DOC#{key}", "sk": "DOC"}, ConsistentRead=True)
        )
        item: dict[str, Any] | None = got.get("Item")
        return item

    def documents(self, keys: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """The document records of `keys` (those that have one), or every record in the table.

        By keys it reads only the records (BatchGetItem); the scan reads every item of the
        table, band and hash items included, which cost more than the whole drain.
        """
        if keys is not None:
            return sorted(self._records_of(keys), key=lambda i: str(i["key"]))
        table = self.resource("dynamodb").Table(self.names.table)
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {}
        while True:
            page = table.scan(**kwargs)
            items.extend(i for i in page["Items"] if i.get("sk") == "DOC")
            if "LastEvaluatedKey" not in page:
                return sorted(items, key=lambda i: str(i["key"]))
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _records_of(self, keys: Sequence[str]) -> Iterator[dict[str, Any]]:
        ddb = self.resource("dynamodb")
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), BATCH_GET_KEYS):
            request: dict[str, Any] = {
                self.names.table: {
                    "Keys": [{"pk": f"DOC#{k}", "sk": "DOC"} for k in unique[start : start + BATCH_GET_KEYS]],
                    "ConsistentRead": True,
                }
            }
            while request:  # moto answers every key at once; the loop is for the API's contract
                got = ddb.batch_get_item(RequestItems=request)
                yield from got["Responses"].get(self.names.table, [])
                request = got.get("UnprocessedKeys") or {}

    def clean_text(self, clean_key: str) -> str:
        body = self.client("s3").get_object(Bucket=self.names.clean_bucket, Key=clean_key)["Body"]
        return str(body.read().decode("utf-8"))

    def queue_depth(self, queue_url: str) -> int:
        attrs = self.client("sqs").get_queue_attributes(
            QueueUrl=queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])

    # -- moto ------------------------------------------------------------------------------

    def _start_moto(self) -> None:
        self._set_env({**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": self.region, "AWS_REGION": self.region})
        # Transactions cost the items they touch, not the whole table (see the module).
        moto_speedups.install()
        if self.port is None:
            from moto import mock_aws

            self._mock = mock_aws()
            self._mock.start()
            return
        from moto.server import ThreadedMotoServer

        # One log line per HTTP request would drown everything else.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        # Every client made from here on, the handler's included, talks to the server.
        self._set_env({"AWS_ENDPOINT_URL": str(self.endpoint_url)})

    def _set_env(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    def _restore_env(self) -> None:
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()

    # -- deploy ----------------------------------------------------------------------------

    def _deploy(self) -> None:
        sam = self.sam = load_sam(self.template)
        uris = {
            logical_id: self._upload_code(logical_id, props) for logical_id, props in functions(sam).items()
        }
        self.cfn_template = translate_cached(sam, uris, region=self.region)
        cfn = self.client("cloudformation")
        with quiet_moto_cloudformation():
            cfn.create_stack(
                StackName=self.stack_name,
                TemplateBody=json.dumps(self.cfn_template),
                Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
            )
            physical = {
                r["LogicalResourceId"]: r["PhysicalResourceId"]
                for r in cfn.list_stack_resources(StackName=self.stack_name)["StackResourceSummaries"]
            }
            outputs = {
                o["OutputKey"]: o["OutputValue"]
                for o in cfn.describe_stacks(StackName=self.stack_name)["Stacks"][0].get("Outputs", [])
            }
        self.names = StackNames(
            stack=self.stack_name,
            raw_bucket=outputs["RawBucketName"],
            clean_bucket=outputs["CleanBucketName"],
            queue_url=outputs["IngestQueueUrl"],
            dlq_url=outputs["DeadLetterQueueUrl"],
            table=outputs["DocumentsTableName"],
            function=outputs["ProcessorFunctionName"],
        )
        lam = self.client("lambda")
        # Before any message can arrive (the notification patch sends S3's test event at once):
        # an enabled mapping would make moto try, and fail, to run the function in a container.
        self.event_source = self._take_over_event_source(lam)
        apply_dropped_properties(self, physical)
        self._wire_function(lam)

    def _upload_code(self, logical_id: str, props: dict[str, Any]) -> str:
        """Zip the function's CodeUri directory into an artifacts bucket, as `sam package` does."""
        data = zip_directory(code_dir(props))
        bucket = f"{self.stack_name}-artifacts-{ACCOUNT_ID}-{self.region}"
        key = f"{logical_id}/{hashlib.sha256(data).hexdigest()[:16]}.zip"
        s3 = self.client("s3")
        if self.region == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": self.region})
        s3.put_object(Bucket=bucket, Key=key, Body=data)
        return f"s3://{bucket}/{key}"

    def _wire_function(self, lam: Any) -> None:
        """Apply the function's environment as moto resolved it, and load the handler."""
        conf = lam.get_function_configuration(FunctionName=self.names.function)
        # Lambda hands every variable to the function as a string; moto keeps a Number as int.
        self.function_env = {k: str(v) for k, v in conf.get("Environment", {}).get("Variables", {}).items()}
        self._set_env({**self.function_env, **self.env_overrides})
        props = next(iter(functions(self.sam).values()))
        self.handler_module, handler_name = load_handler(code_dir(props), str(props["Handler"]))
        context = LambdaContext(
            function_name=self.names.function,
            memory_limit_in_mb=int(conf.get("MemorySize", 512)),
            timeout_seconds=int(conf.get("Timeout", 30)),
            region=self.region,
            account_id=ACCOUNT_ID,
            log_group_name=f"/aws/lambda/{self.names.function}",
        )
        self.driver = QueueDriver(
            self.client("sqs"),
            self.names.queue_url,
            self.event_source,
            getattr(self.handler_module, handler_name),
            context,
            function_output=self.function_output,
        )

    def _take_over_event_source(self, lam: Any) -> EventSourceSettings:
        """Read the SQS mapping's settings (the template's where moto leaves a field out), disable it."""
        mappings = lam.list_event_source_mappings(FunctionName=self.names.function)["EventSourceMappings"]
        if len(mappings) != 1:
            raise RuntimeError(f"expected one event source mapping, found {len(mappings)}")
        live = mappings[0]
        declared = next(
            r["Properties"]
            for r in self.cfn_template["Resources"].values()
            if r["Type"] == "AWS::Lambda::EventSourceMapping"
        )
        lam.update_event_source_mapping(UUID=live["UUID"], Enabled=False)
        log.info("disabled event source mapping %s: the local driver delivers its batches", live["UUID"])

        def setting(name: str, default: Any) -> Any:
            return live.get(name, declared.get(name, default))

        return EventSourceSettings(
            queue_arn=str(live["EventSourceArn"]),
            batch_size=int(setting("BatchSize", 10)),
            batching_window_seconds=int(setting("MaximumBatchingWindowInSeconds", 0)),
            report_batch_item_failures="ReportBatchItemFailures" in setting("FunctionResponseTypes", []),
            maximum_concurrency=setting("ScalingConfig", {}).get("MaximumConcurrency"),
        )


@contextlib.contextmanager
def quiet_moto_cloudformation() -> Iterator[None]:
    """Silence moto's warnings about resource types it skips: infra.patches applies those."""
    moto_log = logging.getLogger("moto")
    level = moto_log.level
    moto_log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*not supported by moto's CloudFormation.*")
            yield
    finally:
        moto_log.setLevel(level)


def zip_directory(directory: Path) -> bytes:
    """A deterministic zip of a directory's source files (caches left out).

    Remembered per process for as long as no file changes: the tests start many stacks.
    """
    files = tuple(
        (str(p.relative_to(directory)), p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(directory.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )
    return _zip_files(directory, files)


@functools.lru_cache(maxsize=4)
def _zip_files(directory: Path, files: tuple[tuple[str, int, int], ...]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for relative, _, _ in files:
            info = zipfile.ZipInfo(relative, date_time=(1980, 1, 1, 0, 0, 0))
            zf.writestr(info, (directory / relative).read_bytes())
    return buffer.getvalue()


def load_handler(directory: Path, handler: str) -> tuple[ModuleType, str]:
    """Import the handler's module afresh from `directory`, as Lambda would from the zip.

    A fresh import gives each stack its own lazily made clients. Powertools' Logger binds the
    stream it finds at import time (and later imports reuse that handler), so the import runs
    with stdout set to a forwarder that writes wherever sys.stdout points at each write: the
    driver points it at the stack's function_output while the handler runs.
    """
    module_name, _, function_name = handler.rpartition(".")
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
    spec = importlib.util.spec_from_file_location(module_name, directory / f"{module_name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {handler} from {directory}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    with contextlib.redirect_stdout(CurrentStdout()):
        spec.loader.exec_module(module)
    return module, function_name


class CurrentStdout:
    """A stream that writes to whatever sys.stdout is at the time of each write."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()
