"""Table writes under the faults DynamoDB really produces and moto never does.

moto processes every batch item and never races; real DynamoDB throttles (unprocessed items
and keys come back) and other writers change a record between our read and our write. These
faults are injected at the boundary: the handler's own DynamoDB client is wrapped, nothing of
ours is replaced.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.records import BATCH_ATTEMPTS, BATCH_MAX_DELAY_S, DocumentRecord, DocumentRecords
from docproc import dedup
from infra.localstack import LocalStack
from tests.integration.test_table_dedup import (
    band_entries,
    band_heads,
    counters,
    items_with_prefix,
    upload_all,
)
from tests.unit.test_dedup import SAMPLE, with_paragraph_changed

KEY = "incoming/article.txt"


class BoundaryClient:
    """The real client, passed through, except for the calls a test overrides."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class ThrottledWrites(BoundaryClient):
    """The first `throttled` BatchWriteItem calls write only `accept` items; the rest come back
    as UnprocessedItems, as DynamoDB answers when a partition is throttled."""

    def __init__(self, real: Any, throttled: int, accept: int = 5) -> None:
        super().__init__(real)
        self.throttled, self.accept = throttled, accept

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        self.calls["batch_write_item"] = self.calls.get("batch_write_item", 0) + 1
        if self.throttled <= 0:
            return dict(self.real.batch_write_item(RequestItems=RequestItems))
        self.throttled -= 1
        ((table, requests),) = RequestItems.items()
        done, rest = requests[: self.accept], requests[self.accept :]
        if done:
            self.real.batch_write_item(RequestItems={table: done})
        return {"UnprocessedItems": {table: rest} if rest else {}}


class ThrottledReads(BoundaryClient):
    """The first BatchGetItem call returns nothing and hands every key back as unprocessed."""

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        self.calls["batch_get_item"] = self.calls.get("batch_get_item", 0) + 1
        if self.calls["batch_get_item"] == 1:
            return {"Responses": {}, "UnprocessedKeys": RequestItems}
        return dict(self.real.batch_get_item(RequestItems=RequestItems))


class ConcurrentWriter(BoundaryClient):
    """Before our first transaction lands, another writer records the same key."""

    def __init__(self, real: Any, table: Any) -> None:
        super().__init__(real)
        self.table = table

    def transact_write_items(self, **kwargs: Any) -> dict[str, Any]:
        self.calls["transact_write_items"] = self.calls.get("transact_write_items", 0) + 1
        if self.calls["transact_write_items"] == 1:
            other = DocumentRecords(self.table, client=self.real)
            other.put(
                DocumentRecord(
                    key=KEY,
                    status="failed",
                    source_bucket="raw",
                    source_key=KEY,
                    source_tag="an-earlier-version",
                    pipeline_version="0",
                    reasons=["error"],
                    error="RuntimeError: the other writer's attempt",
                )
            )
        return dict(self.real.transact_write_items(**kwargs))


def handler_records(stack: LocalStack) -> DocumentRecords:
    records = stack.handler_module.records()
    assert isinstance(records, DocumentRecords)
    return records


def test_unprocessed_band_items_are_resent_with_bounded_backoff(stack: LocalStack) -> None:
    records = handler_records(stack)
    client = ThrottledWrites(records.client, throttled=2)
    delays: list[float] = []
    records.client, records.sleep = client, delays.append

    upload_all(stack, {KEY: SAMPLE})

    doc = stack.document(KEY)
    assert doc is not None and doc["status"] == "kept" and doc["attempts"] == 1
    assert band_entries(stack, KEY) == set(doc["bands"]) and len(doc["bands"]) == dedup.BANDS
    assert client.calls["batch_write_item"] == 3  # 16 items: 5, then 5 more, then the last 6
    assert len(delays) == 2 and all(0 <= d <= BATCH_MAX_DELAY_S for d in delays)


def test_writes_still_unprocessed_fail_the_message_and_its_retry_counts_once(stack: LocalStack) -> None:
    records = handler_records(stack)
    # Every attempt of the first delivery is throttled with nothing accepted: it must fail.
    client = ThrottledWrites(records.client, throttled=BATCH_ATTEMPTS, accept=0)
    records.client, records.sleep = client, lambda _: None

    report = upload_and_drain(stack)

    assert report.failures == 1
    doc = stack.document(KEY)
    assert doc is not None and doc["status"] == "kept" and doc["attempts"] == 2
    assert counters(stack) == {"kept": (1, int(doc["characters"]))}
    assert band_heads(stack) == dict.fromkeys(doc["bands"], KEY)
    assert len(items_with_prefix(stack, "BAND#")) == dedup.BANDS


def test_unprocessed_keys_of_the_candidate_lookup_are_asked_again(stack: LocalStack) -> None:
    upload_all(stack, {KEY: SAMPLE})
    records = handler_records(stack)
    client = ThrottledReads(records.client)
    records.client, records.sleep = client, lambda _: None

    upload_all(stack, {"incoming/edited.txt": with_paragraph_changed(SAMPLE)})

    # The heads' read comes back unprocessed and is asked again; then the candidates' read.
    assert client.calls["batch_get_item"] == 3
    edited = stack.document("incoming/edited.txt")
    assert edited is not None and edited["status"] == "duplicate" and edited["duplicate_of"] == KEY


def test_a_record_changed_between_read_and_write_is_decided_again(stack: LocalStack) -> None:
    records = handler_records(stack)
    client = ConcurrentWriter(records.client, records.table)
    records.client = client

    upload_all(stack, {KEY: SAMPLE})

    assert client.calls["transact_write_items"] == 2  # ours, cancelled; ours again, on the new facts
    doc = stack.document(KEY)
    assert doc is not None and doc["status"] == "kept"
    # The other writer's record was counted, then moved out when ours replaced it.
    assert counters(stack) == {"kept": (1, int(doc["characters"]))}


def upload_and_drain(stack: LocalStack) -> Any:
    stack.upload(KEY, SAMPLE.encode())
    return stack.drain()


@pytest.fixture
def speedy_table(fake_aws_env: None) -> Iterator[Any]:
    """A pk/sk table in moto with the local stack's speed-ups installed."""
    import boto3
    from moto import mock_aws

    from infra import moto_speedups

    moto_speedups.install()
    with mock_aws():
        yield boto3.resource("dynamodb").create_table(
            TableName="t",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk")],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
        )


def test_local_transactions_still_roll_back_everything_they_touched(speedy_table: Any) -> None:
    """The local stack's cheaper moto transactions keep DynamoDB's all-or-nothing."""
    from botocore.exceptions import ClientError

    table = speedy_table
    table.put_item(Item={"pk": "DOC#a", "sk": "DOC", "v": 1})
    table.put_item(Item={"pk": "COUNTER#d", "sk": "STATUS#kept", "documents": 5})
    client = table.meta.client

    def transaction(condition_holds: bool) -> None:
        client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": "t",
                        "Key": {"pk": "COUNTER#d", "sk": "STATUS#kept"},
                        "UpdateExpression": "ADD documents :one",
                        "ExpressionAttributeValues": {":one": 1},
                    }
                },
                {"Put": {"TableName": "t", "Item": {"pk": "NEW#b", "sk": "X"}}},
                {
                    "Put": {
                        "TableName": "t",
                        "Item": {"pk": "DOC#a", "sk": "DOC", "v": 2},
                        "ConditionExpression": "v = :v",
                        "ExpressionAttributeValues": {":v": 1 if condition_holds else 99},
                    }
                },
            ]
        )

    with pytest.raises(ClientError, match="TransactionCanceled"):
        transaction(condition_holds=False)
    assert table.get_item(Key={"pk": "COUNTER#d", "sk": "STATUS#kept"})["Item"]["documents"] == 5
    assert "Item" not in table.get_item(Key={"pk": "NEW#b", "sk": "X"})
    assert table.get_item(Key={"pk": "DOC#a", "sk": "DOC"})["Item"]["v"] == 1

    transaction(condition_holds=True)
    assert table.get_item(Key={"pk": "COUNTER#d", "sk": "STATUS#kept"})["Item"]["documents"] == 6
    assert "Item" in table.get_item(Key={"pk": "NEW#b", "sk": "X"})
    assert table.get_item(Key={"pk": "DOC#a", "sk": "DOC"})["Item"]["v"] == 2


def test_local_partition_queries_return_what_dynamodb_would(speedy_table: Any) -> None:
    """The local stack's one-partition moto queries: same items, order and pages."""
    from boto3.dynamodb.conditions import Key

    table = speedy_table
    for band in ("BAND#0#aa", "BAND#0#bb", "BAND#1#aa"):
        for doc in ("c", "a", "b"):
            table.put_item(Item={"pk": band, "sk": f"DOC#{doc}", "key": doc})

    page = table.query(KeyConditionExpression=Key("pk").eq("BAND#0#bb"), Limit=2, ScanIndexForward=False)
    assert [i["sk"] for i in page["Items"]] == ["DOC#c", "DOC#b"]
    rest = table.query(
        KeyConditionExpression=Key("pk").eq("BAND#0#bb"),
        ScanIndexForward=False,
        ExclusiveStartKey=page["LastEvaluatedKey"],
    )
    assert [i["sk"] for i in rest["Items"]] == ["DOC#a"]
    assert table.query(KeyConditionExpression=Key("pk").eq("BAND#9#zz"))["Items"] == []
    # The rest of the table is untouched by a query of a missing partition.
    assert len(table.scan()["Items"]) == 9


class RacingHead(BoundaryClient):
    """Right after our first BatchWriteItem, another first member of one of our buckets writes
    that bucket's head too, and its write lands last."""

    def __init__(self, real: Any, racer: str) -> None:
        super().__init__(real)
        self.racer = racer
        self.overwritten: str | None = None

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        response = dict(self.real.batch_write_item(RequestItems=RequestItems))
        if self.overwritten is None:
            ((table, requests),) = RequestItems.items()
            head = next(r["PutRequest"]["Item"] for r in requests if r["PutRequest"]["Item"]["sk"] == "BAND")
            self.real.put_item(TableName=table, Item={**head, "key": self.racer})
            self.overwritten = str(head["pk"]).removeprefix("BAND#")
        return response


def test_a_head_lost_to_a_racing_first_member_costs_that_band_only(stack: LocalStack) -> None:
    records = handler_records(stack)
    client = RacingHead(records.client, racer="incoming/racer.txt")
    records.client = client

    upload_all(stack, {KEY: SAMPLE})

    doc = stack.document(KEY)
    assert doc is not None and doc["status"] == "kept" and client.overwritten in doc["bands"]
    assert band_entries(stack, KEY) == set(doc["bands"]) - {client.overwritten}
    # Its near-duplicates are still found through its other 15 bands.
    upload_all(stack, {"incoming/edited.txt": with_paragraph_changed(SAMPLE)})
    edited = stack.document("incoming/edited.txt")
    assert edited is not None and edited["status"] == "duplicate" and edited["duplicate_of"] == KEY
