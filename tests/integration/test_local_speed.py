"""What the local stack does to be fast changes no answer: each speed-up against the slow way."""

from __future__ import annotations

import io
import re
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra import sam
from infra.localstack import LocalStack

CODE_URI = "s3://docproc-artifacts-123456789012-us-east-1/ProcessorFunction/0123456789abcdef.zip"
# Attribute values of every DynamoDB type, nested, for the value fast paths' tests.
ODD_VALUES: dict[str, Any] = {
    "empty": {"S": ""},
    "n": {"N": "-1.5e3"},
    "flags": {"L": [{"BOOL": False}, {"NULL": True}, {"L": []}, {"M": {}}]},
    "sets": {"M": {"ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"\x00", b"\xff"]}}},
    "blob": {"B": b"\x00\x01"},
    "nested": {
        "M": {"deeper": {"M": {"s": {"S": "字"}, "b": {"B": b"x"}, "l": {"L": [{"N": "1"}, {"S": "x"}]}}}}
    },
}


def test_cached_translation_is_the_translation_with_the_real_code_uri(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sam, "CACHE_DIR", tmp_path)
    template = sam.load_sam()
    uris = {logical_id: CODE_URI for logical_id in sam.functions(template)}
    direct = sam.translate(sam.with_code_uris(template, uris))

    assert sam.translate_cached(template, uris) == direct  # a miss: translated and written
    assert (tmp_path / "translated.json").is_file()
    assert sam.translate_cached(template, uris) == direct  # a hit: read back
    # Another zip (edited code) is still a hit, with its own key in the function's Code.
    other = {logical_id: CODE_URI.replace("0123456789abcdef", "fedcba9876543210") for logical_id in uris}
    codes = [
        r["Properties"]["Code"]
        for r in sam.translate_cached(template, other)["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function"
    ]
    assert codes == [
        {
            "S3Bucket": "docproc-artifacts-123456789012-us-east-1",
            "S3Key": "ProcessorFunction/fedcba9876543210.zip",
        }
    ]


def test_records_read_by_key_are_the_records_the_scan_finds(stack: LocalStack, seed_bytes: bytes) -> None:
    keys = ["incoming/a.txt", "incoming/b.txt", "incoming/empty.txt"]
    stack.upload(keys[0], seed_bytes)
    stack.upload(keys[1], seed_bytes)  # a duplicate of a.txt
    stack.upload(keys[2], b"")
    stack.drain()

    by_key = stack.documents([*keys, "incoming/never-uploaded.txt", keys[0]])

    assert by_key == stack.documents()
    assert [d["key"] for d in by_key] == sorted(keys)
    assert {d["status"] for d in by_key} >= {"kept", "duplicate"}


def test_an_item_over_the_size_limit_is_still_refused(stack: LocalStack) -> None:
    ddb = stack.client("dynamodb")
    item = {"pk": {"S": "BIG"}, "sk": {"S": "X"}, "a": {"S": "x" * 200_000}, "b": {"S": "y" * 210_000}}
    with pytest.raises(ClientError) as raised:
        ddb.put_item(TableName=stack.names.table, Item=item)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    item["b"] = {"S": "y" * 100_000}
    ddb.put_item(TableName=stack.names.table, Item=item)  # under the limit: stored whole
    got = ddb.get_item(TableName=stack.names.table, Key={"pk": {"S": "BIG"}, "sk": {"S": "X"}})["Item"]
    assert got == item


def test_a_message_past_its_retention_period_is_not_delivered(stack: LocalStack) -> None:
    assert received(stack, "within-retention", sent_seconds_ago=30) == ["a message"]
    assert received(stack, "past-retention", sent_seconds_ago=120) == []


def received(stack: LocalStack, name: str, sent_seconds_ago: int) -> list[str]:
    """Bodies received from a new queue keeping messages a minute, its one message sent that long ago."""
    from moto.sqs.models import sqs_backends

    sqs = stack.client("sqs")
    queue = sqs.create_queue(QueueName=name, Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody="a message")
    (message,) = sqs_backends["123456789012"][stack.region].get_queue(name)._messages
    sent: Any = message  # moto declares sent_timestamp as None before it is set
    sent.sent_timestamp = int((time.time() - sent_seconds_ago) * 1000)
    return [m["Body"] for m in sqs.receive_message(QueueUrl=queue).get("Messages", [])]


def test_requests_moto_answers_keep_sigv4_headers_without_the_hmac(stack: LocalStack) -> None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from infra.moto_speedups import PLACEHOLDER_SIGNATURE

    sts = stack.client("sts")
    sent: list[str] = []
    sts.meta.events.register(
        "before-send", lambda request, **_: sent.append(request.headers["Authorization"].decode())
    )
    assert sts.get_caller_identity()["Account"] == "123456789012"  # the account moto reads from the key
    (header,) = sent
    assert re.match(
        rf"AWS4-HMAC-SHA256 Credential=\w+/\d{{8}}/{stack.region}/sts/aws4_request, SignedHeaders=", header
    )
    assert header.endswith(f"Signature={PLACEHOLDER_SIGNATURE}")

    # A request moto does not answer in process (a local server, say) is signed for real.
    credentials = Credentials("testing", "testing", "testing")
    signed = []
    for add_auth in (SigV4Auth.add_auth, SigV4Auth.add_auth.__wrapped__):
        request = AWSRequest(method="POST", url="http://127.0.0.1:5000/", data=b"{}")
        request.context["timestamp"] = "20261202T000000Z"
        add_auth(SigV4Auth(credentials, "sqs", stack.region), request)
        signed.append(request.headers["Authorization"].rpartition("Signature=")[2])
    assert PLACEHOLDER_SIGNATURE not in signed
    assert len(signed[0]) == 64


def test_sending_to_a_queue_answers_as_before(stack: LocalStack) -> None:
    sqs = stack.client("sqs")
    standard = sqs.create_queue(QueueName="standard")["QueueUrl"]
    for body in ("a", "b", "a"):
        sqs.send_message(QueueUrl=standard, MessageBody=body)
    counts = sqs.get_queue_attributes(QueueUrl=standard, AttributeNames=["ApproximateNumberOfMessages"])
    assert counts["Attributes"]["ApproximateNumberOfMessages"] == "3"

    deduplicated = sqs.create_queue(
        QueueName="deduplicated.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    for body in ("a", "b", "a"):
        sqs.send_message(QueueUrl=deduplicated, MessageBody=body, MessageGroupId="g")
    counts = sqs.get_queue_attributes(QueueUrl=deduplicated, AttributeNames=["ApproximateNumberOfMessages"])
    assert counts["Attributes"]["ApproximateNumberOfMessages"] == "2"

    plain_fifo = sqs.create_queue(QueueName="plain.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with pytest.raises(ClientError, match="MessageDeduplicationId"):
        sqs.send_message(QueueUrl=plain_fifo, MessageBody="a", MessageGroupId="g")


def test_an_update_expression_parsed_once_still_updates_and_still_refuses(stack: LocalStack) -> None:
    ddb = stack.client("dynamodb")
    key = {"pk": {"S": "COUNTER#x"}, "sk": {"S": "STATUS#kept"}}
    for _ in range(3):
        ddb.update_item(
            TableName=stack.names.table,
            Key=key,
            UpdateExpression="ADD documents :d SET gsi1pk = :g",
            ExpressionAttributeValues={":d": {"N": "2"}, ":g": {"S": "COUNTERS"}},
        )
    item = ddb.get_item(TableName=stack.names.table, Key=key)["Item"]
    assert item["documents"] == {"N": "6"}
    for _ in range(2):  # a parse error is not remembered as a tree
        with pytest.raises(ClientError, match="Invalid UpdateExpression"):
            ddb.update_item(TableName=stack.names.table, Key=key, UpdateExpression="ADD documents :d SET")


def test_requests_are_routed_and_answered_with_request_ids(stack: LocalStack) -> None:
    s3 = stack.client("s3")
    s3.put_object(Bucket=stack.names.raw_bucket, Key="other/a.txt", Body=b"a")
    got = s3.get_object(Bucket=stack.names.raw_bucket, Key="other/a.txt")
    assert got["Body"].read() == b"a"
    described = stack.client("dynamodb").describe_table(TableName=stack.names.table)
    assert re.fullmatch(r"[A-Za-z0-9]{52}", described["ResponseMetadata"]["RequestId"])


def test_attribute_values_are_written_as_moto_writes_them(
    stack: LocalStack, seed_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.core.serialize import BaseJSONSerializer

    stack.upload("incoming/a.txt", seed_bytes)
    stack.drain()
    ddb = stack.client("dynamodb")
    odd = {"pk": {"S": "ODD"}, "sk": {"S": "X"}, **ODD_VALUES}
    ddb.put_item(TableName=stack.names.table, Item=odd)
    keys = [{"pk": {"S": "DOC#incoming/a.txt"}, "sk": {"S": "DOC"}}, {"pk": {"S": "ODD"}, "sk": {"S": "X"}}]

    def read() -> Any:
        got = ddb.batch_get_item(RequestItems={stack.names.table: {"Keys": keys}})["Responses"]
        return sorted(got[stack.names.table], key=lambda item: item["pk"]["S"])

    fast = read()
    wrapped = BaseJSONSerializer._serialize_type_structure.__wrapped__  # type: ignore[attr-defined]
    monkeypatch.setattr(BaseJSONSerializer, "_serialize_type_structure", wrapped)
    assert fast == read()
    assert fast[1] == odd
    assert len(fast[0]["stats"]["M"]) > 10  # a real record, with its statistics


def test_attribute_values_in_requests_are_read_as_moto_reads_them(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.core.parse import BaseJSONParser

    ddb = stack.client("dynamodb")
    item = ODD_VALUES

    def written(sk: str) -> Any:
        key = {"pk": {"S": "ODD"}, "sk": {"S": sk}}
        ddb.put_item(TableName=stack.names.table, Item={**key, **item})
        ddb.update_item(
            TableName=stack.names.table,
            Key=key,
            UpdateExpression="SET added = :m",
            ExpressionAttributeValues={":m": item["nested"]},
        )
        got = ddb.get_item(TableName=stack.names.table, Key=key)["Item"]
        return {name: value for name, value in got.items() if name != "sk"}

    fast = written("fast")
    wrapped = BaseJSONParser._parse_structure.__wrapped__  # type: ignore[attr-defined]
    monkeypatch.setattr(BaseJSONParser, "_parse_structure", wrapped)
    assert fast == written("moto")
    assert fast["added"] == item["nested"]


def test_backends_are_looked_up_and_reset_as_before(stack: LocalStack) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.core.base_backend import BackendDict
    from moto.sqs.models import sqs_backends

    sqs = stack.client("sqs")
    sqs.create_queue(QueueName="kept-until-reset")
    assert any(d is sqs_backends for d in BackendDict._instances)  # type: ignore[misc]
    assert "kept-until-reset" in sqs_backends[DEFAULT_ACCOUNT_ID][stack.region].queues
    BackendDict.reset()  # what a new mock does: every account cleared, every dict unregistered
    assert sqs_backends[DEFAULT_ACCOUNT_ID][stack.region].queues == {}
    assert any(d is sqs_backends for d in BackendDict._instances)  # type: ignore[misc]


# Values botocore's own walk must judge, write and read: the fast paths step aside for these.
ODD_REQUEST_VALUES: list[Any] = [
    {"S": 1},
    {"S": "a", "N": "1"},
    {},
    {"X": "y"},
    {"SS": ["a", 1]},
    {"NS": ("1", "2")},
    {"M": {"k": {"S": None}}},
    {"M": {1: {"S": "x"}}},
    {"L": [{"BOOL": "yes"}]},
    {"B": 5},
    {"NULL": 1},
    "not a value",
]


def test_attribute_values_are_validated_as_botocore_validates_them(stack: LocalStack) -> None:
    from botocore.validate import ParamValidator

    shape = stack.client("dynamodb").meta.service_model.operation_model("PutItem").input_shape
    fast = ParamValidator._validate_structure
    slow = fast.__wrapped__

    def report(validate: Any, item: dict[str, Any]) -> str:
        ParamValidator._validate_structure = validate
        try:
            return str(ParamValidator().validate({"TableName": "t", "Item": item}, shape).generate_report())
        finally:
            ParamValidator._validate_structure = fast

    for value in [*ODD_VALUES.values(), *ODD_REQUEST_VALUES]:
        item = {"a": value, "b": {"M": {"inner": value}}, "c": {"L": [value, {"S": "ok"}]}}
        assert report(fast, item) == report(slow, item), value
    assert report(fast, {"a": {"S": 1}}).startswith("Invalid type for parameter Item.a.S")


def test_attribute_values_are_sent_and_read_as_botocore_sends_and_reads_them(
    stack: LocalStack, seed_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.parsers import BaseJSONParser
    from botocore.serialize import JSONSerializer

    stack.upload("incoming/a.txt", seed_bytes)
    stack.drain()
    ddb = stack.client("dynamodb")
    bodies: list[bytes] = []
    ddb.meta.events.register("before-send", lambda request, **_: bodies.append(request.body))
    record = {"pk": {"S": "DOC#incoming/a.txt"}, "sk": {"S": "DOC"}}

    def round_trip(sk: str) -> Any:
        item = {"pk": {"S": "ODD"}, "sk": {"S": sk}, **ODD_VALUES}
        ddb.put_item(TableName=stack.names.table, Item=item)
        keys = [record, {"pk": {"S": "ODD"}, "sk": {"S": sk}}]
        got = ddb.batch_get_item(RequestItems={stack.names.table: {"Keys": keys}})["Responses"]
        return sorted(got[stack.names.table], key=lambda i: i["pk"]["S"])

    fast = round_trip("x")
    fast_bodies = bodies[:]
    monkeypatch.setattr(
        JSONSerializer, "_serialize_type_structure", JSONSerializer._serialize_type_structure.__wrapped__
    )
    monkeypatch.setattr(BaseJSONParser, "_handle_structure", BaseJSONParser._handle_structure.__wrapped__)
    bodies.clear()
    assert round_trip("x") == fast
    assert bodies == fast_bodies  # the same bytes on the wire
    assert fast[1] == {"pk": {"S": "ODD"}, "sk": {"S": "x"}, **ODD_VALUES}
    assert len(fast[0]["stats"]["M"]) > 10  # a real record, with its statistics


def test_items_are_answered_as_moto_answers_them(
    stack: LocalStack, seed_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.dynamodb import responses
    from moto.dynamodb.models import utilities

    stack.upload("incoming/a.txt", seed_bytes)
    stack.drain()
    ddb = stack.client("dynamodb")
    ddb.put_item(TableName=stack.names.table, Item={"pk": {"S": "ODD"}, "sk": {"S": "X"}, **ODD_VALUES})
    keys = [{"pk": {"S": "DOC#incoming/a.txt"}, "sk": {"S": "DOC"}}, {"pk": {"S": "ODD"}, "sk": {"S": "X"}}]

    def answers() -> Any:
        got = ddb.batch_get_item(RequestItems={stack.names.table: {"Keys": keys}})["Responses"]
        scanned = ddb.scan(TableName=stack.names.table)["Items"]
        return sorted(got[stack.names.table], key=str), sorted(scanned, key=str)

    fast = answers()
    slow = utilities.dynamo_to_dict.__wrapped__  # type: ignore[attr-defined]
    monkeypatch.setattr(utilities, "dynamo_to_dict", slow)
    monkeypatch.setattr(responses, "dynamo_to_dict", slow)
    assert answers() == fast
    assert {"pk": {"S": "ODD"}, "sk": {"S": "X"}, **ODD_VALUES} in fast[0]


def test_a_stack_started_for_one_run_leaves_collection_on_and_its_load_frozen() -> None:
    import gc

    from infra.localstack import FREEZE_GC_THRESHOLD

    threshold = gc.get_threshold()
    try:
        with LocalStack(function_output=io.StringIO(), freeze_after_start=True) as stack:
            assert gc.isenabled()
            assert gc.get_freeze_count() > 100_000  # moto, botocore and the handler, left out
            assert gc.get_threshold() == (FREEZE_GC_THRESHOLD, *threshold[1:])
            stack.upload("incoming/a.txt", b"hello")
            stack.drain()
            assert stack.documents(["incoming/a.txt"])[0]["status"]
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


# Update expressions of every clause, function and path kind, and some moto refuses.
UPDATES: list[tuple[str, dict[str, Any]]] = [
    ("SET a = :s, b.c = :n, l[0] = :s", {":s": {"S": "x"}, ":n": {"N": "2"}}),
    ("SET n = n + :n, m = if_not_exists(m, :n), l = list_append(l, :l)", {":n": {"N": "3"}, ":l": {"L": []}}),
    (
        "ADD documents :n, tags :ss SET gsi1pk = :s",
        {":n": {"N": "1"}, ":ss": {"SS": ["t"]}, ":s": {"S": "g"}},
    ),
    ("REMOVE a, b.c DELETE tags :ss", {":ss": {"SS": ["t"]}}),
    ("SET pk = :s", {":s": {"S": "changed"}}),
    ("SET a = :s, a = :s", {":s": {"S": "x"}}),
    ("SET a = :missing", {":s": {"S": "x"}}),
    ("SET nope.deeper = :s", {":s": {"S": "x"}}),
    ("ADD a :n", {":n": {"N": "1"}}),
    ("SET n = n - :s", {":s": {"S": "x"}}),
]


def test_update_expressions_are_validated_as_moto_validates_them(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser  # type: ignore[attr-defined]

    ddb = stack.client("dynamodb")

    def outcomes(sk: str) -> list[Any]:
        key = {"pk": {"S": "UPD"}, "sk": {"S": sk}}
        start = {"n": {"N": "1"}, "b": {"M": {"c": {"S": "y"}}}, "l": {"L": [{"S": "z"}]}, "a": {"S": "w"}}
        ddb.put_item(TableName=stack.names.table, Item={**key, **start})
        seen: list[Any] = []
        for expression, values in UPDATES:
            try:
                ddb.update_item(
                    TableName=stack.names.table,
                    Key=key,
                    UpdateExpression=expression,
                    ExpressionAttributeValues=values,
                )
                got = ddb.get_item(TableName=stack.names.table, Key=key)["Item"]
                seen.append({name: value for name, value in got.items() if name != "sk"})
            except ClientError as err:
                seen.append(err.response["Error"])
        return seen

    fast = outcomes("fast")
    slow = DepthFirstTraverser.traverse_node_recursively.__wrapped__
    monkeypatch.setattr(DepthFirstTraverser, "traverse_node_recursively", slow)
    assert outcomes("moto") == fast
    assert sum(isinstance(o, dict) and "Code" in o for o in fast) >= 4  # the refusals were made
    assert fast[2]["documents"] == {"N": "1"}


def test_key_sizes_are_checked_as_moto_checks_them(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.dynamodb.models.table import Table

    ddb = stack.client("dynamodb")
    items = [
        {"pk": {"S": "字" * 682}, "sk": {"S": "s" * 1024}},  # 2046 and 1024 bytes: at the limits
        {"pk": {"S": "字" * 683}, "sk": {"S": "s"}},  # a hash key of 2049 bytes
        {"pk": {"S": "p"}, "sk": {"S": "é" * 513}},  # a range key of 1026 bytes
        {"pk": {"S": "p"}, "sk": {"S": "s"}, "gsi1pk": {"S": "g" * 2049}},  # the index's hash key
        {"pk": {"S": "p"}, "sk": {"S": "s"}, "gsi1pk": {"S": "g"}, "gsi1sk": {"S": "x" * 1025}},
        {"pk": {"S": "p"}, "sk": {"S": "s"}, "gsi1pk": {"N": "1" * 38}},  # not a string: moto's own
    ]

    def outcomes() -> list[str]:
        seen = []
        for item in items:
            try:
                ddb.put_item(TableName=stack.names.table, Item=item)
                seen.append("stored")
            except ClientError as err:
                seen.append(str(err.response["Error"]))
        return seen

    fast = outcomes()
    monkeypatch.setattr(Table, "_validate_key_sizes", Table._validate_key_sizes.__wrapped__)  # type: ignore[attr-defined]
    assert outcomes() == fast
    assert fast[0] == "stored"
    assert "Size of hashkey" in fast[1] and "range keys" in fast[2] and "Size of hashkey" in fast[3]
    assert "range keys" in fast[4]


def test_item_sizes_are_measured_as_moto_measures_them(stack: LocalStack, seed_bytes: bytes) -> None:
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType

    stack.upload("incoming/a.txt", seed_bytes)
    stack.drain()
    ddb = stack.client("dynamodb")
    ddb.put_item(TableName=stack.names.table, Item={"pk": {"S": "ODD"}, "sk": {"S": "X"}, **ODD_VALUES})
    table = dynamodb_backends["123456789012"][stack.region].get_table(stack.names.table)
    items = [item for partition in table.items.values() for item in partition.values()]
    values = [value for item in items for value in item.attrs.values()]
    values += [DynamoType({"SS": ["é", "x"]}), DynamoType({"NS": ["1.50", "-2"]}), DynamoType({"NULL": True})]

    fast = [value.size() for value in values]
    slow = [DynamoType.size.__wrapped__(value) for value in values]  # type: ignore[attr-defined]
    assert fast == slow
    assert len(items) > 10 and any(value.type == "M" for value in values)  # a record, its bands, ODD


def test_attribute_values_are_built_as_moto_builds_them(stack: LocalStack, seed_bytes: bytes) -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    stack.upload("incoming/a.txt", seed_bytes)
    stack.drain()
    record = stack.client("dynamodb").get_item(
        TableName=stack.names.table, Key={"pk": {"S": "DOC#incoming/a.txt"}, "sk": {"S": "DOC"}}
    )["Item"]
    odd: list[Any] = [{"S": "a", "N": "1"}, {"L": {"x": 1}}, {"M": {}}, {"L": []}]
    values = [*record.values(), *ODD_VALUES.values(), *odd]

    def slow(value: Any) -> Any:
        built = object.__new__(DynamoType)
        DynamoType.__init__.__wrapped__(built, value)  # type: ignore[attr-defined]
        return built

    def shape(value: Any) -> Any:  # a DynamoType's whole content, recursively
        if isinstance(value, DynamoType):
            return (type(value), value.type, shape(value.value))
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        if isinstance(value, list):
            return [shape(v) for v in value]
        return (type(value), value)

    def built(build: Any, value: Any) -> Any:
        try:
            return shape(build(value))
        except Exception as err:  # a malformed value fails the same way
            return (type(err), str(err))

    for value in values:
        assert built(DynamoType, value) == built(slow, value), value
        assert built(lambda v: DynamoType(DynamoType(v)), value) == built(lambda v: slow(slow(v)), value)
    assert built(DynamoType, {"L": {"x": 1}})[0] is AttributeError
    assert any(v.get("M") for v in values if isinstance(v, dict))


def test_requests_reach_moto_as_werkzeug_builds_them(
    stack: LocalStack, seed_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.core.request import Request
    from werkzeug.test import EnvironBuilder

    from infra.moto_speedups import _builder_environ

    built = Request.__dict__["from_values"]
    seen: list[dict[str, Any]] = []

    def recording(cls: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs)
        return built.__func__(cls, *args, **kwargs)

    monkeypatch.setattr(Request, "from_values", classmethod(recording))
    stack.upload("incoming/a.txt", seed_bytes)
    stack.upload("incoming/dir/ü b+c%20.html", b"<p>x</p>", Metadata={"my_key": "v", "other": "w"})
    stack.drain()
    s3 = stack.client("s3")
    s3.list_objects_v2(Bucket=stack.names.raw_bucket, Prefix="incoming/", MaxKeys=5)
    s3.head_object(Bucket=stack.names.raw_bucket, Key="incoming/a.txt")
    stack.client("sqs").get_queue_attributes(QueueUrl=stack.names.queue_url, AttributeNames=["All"])
    stack.documents(["incoming/a.txt"])
    odd = {"method": "POST", "base_url": "http://localhost:5000", "path": "/", "query_string": ""}
    seen += [
        {**odd, "data": b"", "headers": [("Content-Type", "application/x-www-form-urlencoded")]},
        {**odd, "data": b"", "headers": [("Content-Type", "multipart/form-data")]},
        {**odd, "data": b"x", "headers": [("X-A", "1"), ("x-a", "2"), ("Content-Length", "9")]},
        {**odd, "data": b"", "headers": [("Host", "h")], "path": "//x"},
        {**odd, "data": b"", "headers": [], "base_url": "https://h", "query_string": "a=%C3%BC&b"},
    ]

    def comparable(environ: dict[str, Any]) -> list[tuple[str, Any]]:
        return [(k, v.read() if k == "wsgi.input" else v) for k, v in environ.items()]

    fast = 0
    for kwargs in seen:
        ours = _builder_environ(**kwargs)
        if ours is None:
            continue
        fast += 1
        assert comparable(ours) == comparable(EnvironBuilder(**kwargs).get_environ()), kwargs
    assert fast == len(seen) - 2 and len(seen) > 20  # multipart and "//x" go through werkzeug
