"""DynamoDB calls with plain Python values, on a botocore client: what boto3's Table resource and
its client give `adapters.records`, without importing boto3.

Importing boto3 (and the s3transfer and multiprocessing it imports) and building the resource
took about 15 ms of every cold start, for a type conversion. `Table` and `Client` make the calls
`DocumentRecords` makes, converting values as boto3's TypeSerializer and TypeDeserializer do
(numbers come back as Decimal, sets as sets, binary as bytes where boto3 wraps it in its
Binary): tests/unit/test_dynamo.py checks
that against boto3's own on generated values. AWS Lambda Powertools keeps its own deserializer
for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

# DynamoDB's number limits, as boto3 enforces them: 38 digits, exponents -130 to 125.
_NUMBER_CONTEXT = Context(
    Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow]
)


def serialize(value: Any) -> dict[str, Any]:
    """A Python value -> its DynamoDB attribute value (boto3's TypeSerializer.serialize)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | Decimal):
        return {"N": _number(value)}
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes | bytearray):
        return {"B": bytes(value)}
    if isinstance(value, Set):
        return _serialize_set(value)
    if isinstance(value, Mapping):
        return {"M": {str(k): serialize(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [serialize(v) for v in value]}
    raise TypeError(f"Unsupported type {type(value)!r} for value {value!r}")


def _serialize_set(values: Set[Any]) -> dict[str, Any]:
    if not values:
        raise TypeError("an empty set has no DynamoDB type")
    if all(isinstance(v, str) for v in values):
        return {"SS": list(values)}
    if all(isinstance(v, int | Decimal) and not isinstance(v, bool) for v in values):
        return {"NS": [_number(v) for v in values]}
    if all(isinstance(v, bytes | bytearray) for v in values):
        return {"BS": [bytes(v) for v in values]}
    raise TypeError(f"a set of mixed or unsupported types: {values!r}")


def _number(value: int | Decimal) -> str:
    number = str(_NUMBER_CONTEXT.create_decimal(value))
    if number in ("Infinity", "NaN"):
        raise TypeError("Infinity and NaN not supported")
    return number


def deserialize(attribute: Mapping[str, Any]) -> Any:
    """A DynamoDB attribute value -> the Python value (boto3's TypeDeserializer.deserialize)."""
    if len(attribute) != 1:
        raise TypeError(f"an attribute value has one type, not {sorted(attribute)}")
    (kind, value), *_ = attribute.items()
    if kind == "S":
        return value
    if kind == "N":
        return _NUMBER_CONTEXT.create_decimal(value)
    if kind == "B":
        return bytes(value)
    if kind == "BOOL":
        return value
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: deserialize(v) for k, v in value.items()}
    if kind == "L":
        return [deserialize(v) for v in value]
    if kind == "SS":
        return set(value)
    if kind == "NS":
        return {_NUMBER_CONTEXT.create_decimal(v) for v in value}
    if kind == "BS":
        return {bytes(v) for v in value}
    raise TypeError(f"Dynamodb type {kind} is not supported")


def _item(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: serialize(v) for k, v in values.items()}


def _plain(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: deserialize(v) for k, v in item.items()}


# Request members that hold an item, a key or expression values (name -> attribute value):
# everything else in a request is passed as it is.
_ITEMS = ("Item", "Key", "ExpressionAttributeValues", "ExclusiveStartKey")


def _request(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _item(v) if k in _ITEMS else v for k, v in params.items()}


class Client:
    """The calls DocumentRecords makes on the table's client, with plain values in and out.

    `meta` is the botocore client's: event hooks registered on it (the tests' fault injection)
    see the calls as they go out."""

    def __init__(self, client: Any) -> None:
        self.botocore = client
        self.meta = client.meta

    def get_item(self, **params: Any) -> dict[str, Any]:
        response = self.botocore.get_item(**_request(params))
        if "Item" in response:
            response["Item"] = _plain(response["Item"])
        return dict(response)

    def put_item(self, **params: Any) -> dict[str, Any]:
        return dict(self.botocore.put_item(**_request(params)))

    def delete_item(self, **params: Any) -> dict[str, Any]:
        return dict(self.botocore.delete_item(**_request(params)))

    def query(self, **params: Any) -> dict[str, Any]:
        response = self.botocore.query(**_request(params))
        response["Items"] = [_plain(i) for i in response.get("Items", [])]
        if "LastEvaluatedKey" in response:
            response["LastEvaluatedKey"] = _plain(response["LastEvaluatedKey"])
        return dict(response)

    def transact_write_items(self, *, TransactItems: list[dict[str, Any]], **params: Any) -> dict[str, Any]:
        actions = [{kind: _request(action) for kind, action in entry.items()} for entry in TransactItems]
        return dict(self.botocore.transact_write_items(TransactItems=actions, **params))

    def batch_write_item(
        self, *, RequestItems: dict[str, list[dict[str, Any]]], **params: Any
    ) -> dict[str, Any]:
        response = self.botocore.batch_write_item(RequestItems=_write_requests(RequestItems, _item), **params)
        if response.get("UnprocessedItems"):
            response["UnprocessedItems"] = _write_requests(response["UnprocessedItems"], _plain)
        return dict(response)

    def batch_get_item(self, *, RequestItems: dict[str, dict[str, Any]], **params: Any) -> dict[str, Any]:
        request = {t: {**r, "Keys": [_item(k) for k in r["Keys"]]} for t, r in RequestItems.items()}
        response = self.botocore.batch_get_item(RequestItems=request, **params)
        response["Responses"] = {
            t: [_plain(i) for i in items] for t, items in response.get("Responses", {}).items()
        }
        if response.get("UnprocessedKeys"):
            response["UnprocessedKeys"] = {
                t: {**r, "Keys": [_plain(k) for k in r["Keys"]]}
                for t, r in response["UnprocessedKeys"].items()
            }
        return dict(response)


def _write_requests(
    requests: Mapping[str, list[dict[str, Any]]], convert: Callable[[Mapping[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    """BatchWriteItem's RequestItems (or UnprocessedItems) with each item or key converted."""
    out: dict[str, Any] = {}
    for table, entries in requests.items():
        out[table] = [
            {kind: {field: convert(values) for field, values in body.items()} for kind, body in entry.items()}
            for entry in entries
        ]
    return out


class Table:
    """One table's get, put and delete with plain values, as boto3's Table resource offers them;
    `meta.client` makes the other calls (as the resource's does)."""

    def __init__(self, client: Any, name: str) -> None:
        self.name = name
        self.client = Client(client)
        self.meta = _Meta(self.client)

    def get_item(self, **params: Any) -> dict[str, Any]:
        return self.client.get_item(TableName=self.name, **params)

    def put_item(self, **params: Any) -> dict[str, Any]:
        return self.client.put_item(TableName=self.name, **params)

    def delete_item(self, **params: Any) -> dict[str, Any]:
        return self.client.delete_item(TableName=self.name, **params)


class _Meta:
    __slots__ = ("client",)

    def __init__(self, client: Client) -> None:
        self.client = client
