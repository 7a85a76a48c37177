"""adapters.dynamo converts values exactly as boto3's TypeSerializer and TypeDeserializer do."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.dynamo import Client, deserialize, serialize

numbers = st.one_of(
    st.integers(-(10**37), 10**37),
    st.decimals(allow_nan=False, allow_infinity=False, places=6).filter(lambda d: abs(d) < Decimal(10) ** 30),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    st.text(max_size=20),
    st.binary(max_size=20),
    st.sampled_from(["", "中文"]),
)
sets = st.one_of(
    st.frozensets(st.text(max_size=8), min_size=1, max_size=4),
    st.frozensets(st.integers(-1000, 1000), min_size=1, max_size=4),
    st.frozensets(st.binary(min_size=1, max_size=8), min_size=1, max_size=4),
)
values = st.recursive(
    st.one_of(scalars, sets),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def boto3_plain(value: Any) -> Any:
    """boto3's deserialized value with its Binary unwrapped (adapters.dynamo gives bytes)."""
    if isinstance(value, Binary):
        return bytes(value)
    if isinstance(value, dict):
        return {k: boto3_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [boto3_plain(v) for v in value]
    if isinstance(value, set):
        return {boto3_plain(v) for v in value}
    return value


def canonical(attribute: Any) -> Any:
    """Attribute values with set members in order (a set has none)."""
    if isinstance(attribute, dict):
        return {k: sorted(v) if k in ("SS", "NS", "BS") else canonical(v) for k, v in attribute.items()}
    if isinstance(attribute, list):
        return [canonical(v) for v in attribute]
    return attribute


@settings(max_examples=400, deadline=None)
@given(values)
def test_serializing_and_back_is_what_boto3_gives(value: Any) -> None:
    ours = serialize(value)
    assert canonical(ours) == canonical(TypeSerializer().serialize(value))
    assert deserialize(ours) == boto3_plain(TypeDeserializer().deserialize(ours))


@pytest.mark.parametrize(
    "value", [1.5, float("nan"), Decimal("NaN"), Decimal("Infinity"), Decimal(10) ** 200, object(), {1, "a"}]
)
def test_what_boto3_refuses_is_refused(value: Any) -> None:
    # Floats, non-finite or out-of-range numbers, unknown types, mixed sets.
    with pytest.raises((TypeError, ArithmeticError)):
        TypeSerializer().serialize(value)
    with pytest.raises((TypeError, ArithmeticError)):
        serialize(value)


def test_numbers_come_back_as_decimal_and_binary_as_bytes() -> None:
    item: dict[str, dict[str, Any]] = {
        "n": {"N": "12.50"},
        "b": {"B": b"\x00\x01"},
        "ns": {"NS": ["1", "2"]},
        "l": {"L": [{"NULL": True}]},
    }
    assert {k: deserialize(v) for k, v in item.items()} == {
        "n": Decimal("12.50"),
        "b": b"\x00\x01",
        "ns": {Decimal(1), Decimal(2)},
        "l": [None],
    }


class RecordingClient:
    """A botocore client's stand-in: records each request, answers with canned responses."""

    meta = object()

    def __init__(self, **answers: dict[str, Any]) -> None:
        self.answers = answers
        self.requests: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        def call(**params: Any) -> dict[str, Any]:
            self.requests.append((name, params))
            return dict(self.answers.get(name, {}))

        return call


def test_batch_calls_convert_requests_and_unprocessed_entries_both_ways() -> None:
    unprocessed = {"t": [{"PutRequest": {"Item": {"pk": {"S": "a"}, "n": {"N": "1"}}}}]}
    keys = {"t": {"Keys": [{"pk": {"S": "b"}}], "ConsistentRead": True}}
    botocore = RecordingClient(
        batch_write_item={"UnprocessedItems": unprocessed},
        batch_get_item={"Responses": {"t": [{"pk": {"S": "c"}}]}, "UnprocessedKeys": keys},
    )
    client = Client(botocore)
    left = client.batch_write_item(RequestItems={"t": [{"DeleteRequest": {"Key": {"pk": "x", "sk": "y"}}}]})
    assert botocore.requests[0] == (
        "batch_write_item",
        {"RequestItems": {"t": [{"DeleteRequest": {"Key": {"pk": {"S": "x"}, "sk": {"S": "y"}}}}]}},
    )
    assert left["UnprocessedItems"] == {"t": [{"PutRequest": {"Item": {"pk": "a", "n": Decimal(1)}}}]}
    got = client.batch_get_item(RequestItems={"t": {"Keys": [{"pk": "b"}], "ConsistentRead": False}})
    assert botocore.requests[1][1] == {
        "RequestItems": {"t": {"Keys": [{"pk": {"S": "b"}}], "ConsistentRead": False}}
    }
    assert got["Responses"] == {"t": [{"pk": "c"}]}
    assert got["UnprocessedKeys"] == {"t": {"Keys": [{"pk": "b"}], "ConsistentRead": True}}


def test_a_transaction_converts_each_actions_item_key_and_values() -> None:
    botocore = RecordingClient()
    Client(botocore).transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "t", "Item": {"pk": "a", "n": 2}, "ConditionExpression": "x"}},
            {"Update": {"TableName": "t", "Key": {"pk": "c"}, "ExpressionAttributeValues": {":d": -1}}},
        ]
    )
    (name, params), *_ = botocore.requests
    assert name == "transact_write_items"
    assert params["TransactItems"] == [
        {"Put": {"TableName": "t", "Item": {"pk": {"S": "a"}, "n": {"N": "2"}}, "ConditionExpression": "x"}},
        {
            "Update": {
                "TableName": "t",
                "Key": {"pk": {"S": "c"}},
                "ExpressionAttributeValues": {":d": {"N": "-1"}},
            }
        },
    ]


def test_a_query_converts_its_values_its_start_key_and_its_page() -> None:
    botocore = RecordingClient(
        query={"Items": [{"key": {"S": "a"}, "n": {"N": "3"}}], "LastEvaluatedKey": {"pk": {"S": "p"}}}
    )
    page = Client(botocore).query(
        TableName="t",
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": "p"},
        ExclusiveStartKey={"pk": "p", "sk": "s"},
    )
    assert botocore.requests[0][1] == {
        "TableName": "t",
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": "p"}},
        "ExclusiveStartKey": {"pk": {"S": "p"}, "sk": {"S": "s"}},
    }
    assert page["Items"] == [{"key": "a", "n": Decimal(3)}] and page["LastEvaluatedKey"] == {"pk": "p"}
