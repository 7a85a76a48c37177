"""Make two moto DynamoDB calls cost what they cost in DynamoDB, for the local stack.

Each document write queries its 16 LSH band partitions and ends in a transaction
(docs/table.md). In moto 5.2.5 both were O(table), so local runs grew quadratically:

- A Query on the base table sorted and filtered every item of the table to find one
  partition. The patched query reads that partition only (the same items, the same code).
- TransactWriteItems snapshots a transaction's table with `copy.deepcopy(table)` once per action, to
roll back on failure: three whole-table copies per document. The patched call snapshots
only the items the transaction names, makes moto's whole-table copy a no-op during the call,
and restores those items if moto cancels the transaction.

Measured with `docproc local run` on 170 documents (the sample, its edits, news articles and
crawled pages; a shared 2-core machine): 14 min wall / 4 min 13 s CPU before, 3.5 min / 59 s
after, with the same records. moto's own code and semantics are kept; only which items
it looks at changes. Used by the local stack only; the function never sees it.

Three more, for start-up and per-request cost (issue #7):
- Region lists: moto's EC2 models (imported by its CloudFormation) ask a new boto3 Session for
  the regions of EC2 three times at import, each loading botocore's endpoint data and EC2's
  whole service model (~1 s CPU of a 2.4 s import). The lists come from botocore's bundled
  data, so they are computed once per process with one shared session.
- SQS ReceiveMessage checked each message's retention period through GetQueueAttributes,
  which recomputes every attribute, message counts included: O(queue) per message received,
  so draining n queued messages cost O(n^2). The check now reads the one attribute it needs.
- Every request listed its response class's methods with inspect.getmembers (~7% of a
  small DynamoDB call); the list is remembered per class.
- moto's response serializer looks each output member up under every alias its alias
  providers propose, deciding the aliases anew for every value: 36 ms of CPU to return one
  document record (each attribute value is a structure of ten members). The aliases depend
  only on the member's name and shape, the shape's parent and the value's class, so they
  are decided once per such combination (objects with their own alias table are left alone).
- A new DynamoDB item re-measured all the attributes it already had each time it took one
  (O(attributes^2), nested maps walked each time): the same 405000-byte check is made with
  a running total while the item is built.
"""

from __future__ import annotations

import copy
import functools
import logging
import threading
from types import SimpleNamespace
from typing import Any

log = logging.getLogger("docproc.local")

_installed = False
_query_scope = threading.local()  # (table, items of one partition) while a query runs
QUERY_INDEX_NAME_POSITION = 6  # Table.query(hash_key, range_comparison, ..., index_name, ...)


def install() -> None:
    """Patch moto's DynamoDB backend once per process (idempotent)."""
    global _installed
    if _installed:
        return
    _install_region_lists()
    _install_transactions()
    _install_partition_queries()
    _install_sqs_retention_check()
    _install_action_lookup()
    _install_serializer_aliases()
    _install_item_size_check()
    _installed = True
    log.info("patched moto: queries read one partition, transactions snapshot the items they touch")


def _install_region_lists() -> None:
    import boto3.session

    original = boto3.session.Session.get_available_regions
    shared: list[Any] = []  # one session, made on first use (after the caller set its env)
    known: dict[tuple[str, str, bool], list[str]] = {}

    @functools.wraps(original)
    def get_available_regions(
        self: Any, service_name: str, partition_name: str = "aws", allow_non_regional: bool = False
    ) -> list[str]:
        key = (service_name, partition_name, allow_non_regional)
        if key not in known:
            if not shared:
                shared.append(boto3.session.Session())
            known[key] = original(shared[0], *key)
        return list(known[key])

    boto3.session.Session.get_available_regions = get_available_regions


def _install_sqs_retention_check() -> None:
    from moto.sqs.models import SQSBackend, unix_time

    def is_message_valid_based_on_retention_period(self: Any, queue_name: str, message: Any) -> bool:
        # moto's own test, with the period read from the queue instead of from all its attributes.
        retention_period = int(self.get_queue(queue_name).message_retention_period)
        return bool(retention_period + message.sent_timestamp / 1000 > unix_time())

    SQSBackend.is_message_valid_based_on_retention_period = (  # type: ignore[method-assign]
        is_message_valid_based_on_retention_period
    )


def _install_action_lookup() -> None:
    from moto.core import responses

    original = responses.method_names_from_class
    cache: dict[type, list[str]] = {}

    @functools.wraps(original)
    def method_names_from_class(clazz: Any) -> list[str]:
        if clazz not in cache:
            cache[clazz] = original(clazz)
        return cache[clazz]

    responses.method_names_from_class = method_names_from_class


def _install_serializer_aliases() -> None:
    from moto.core.serialize import AttributePickerContext, ResponseSerializer, XFormedAttributePicker

    original_keys = XFormedAttributePicker.get_possible_keys
    original_value = ResponseSerializer.get_value
    decided: dict[tuple[Any, ...], tuple[str, ...]] = {}

    def possible_keys(picker: Any, context: Any) -> tuple[str, ...]:
        shape = context.shape
        # The shape objects themselves (not their ids) are in the key: kept alive, never reused.
        parent = getattr(shape, "parent", None)
        key = (context.key, shape, parent, type(context.obj), tuple(picker.alias_providers))
        keys = decided.get(key)
        if keys is None:
            keys = decided[key] = tuple(original_keys(picker, context))
        return keys

    @functools.wraps(original_keys)
    def get_possible_keys(self: Any, context: Any) -> Any:
        if hasattr(context.obj, "Meta"):  # ExplicitAlias reads the object's own alias table
            return original_keys(self, context)
        return possible_keys(self, context)

    @functools.wraps(original_value)
    def get_value(self: Any, value: Any, key: str, shape: Any) -> Any:
        picker = self._value_picker
        plain = type(value) is dict and type(picker) is XFormedAttributePicker
        if not plain or picker.response_transformers:
            return original_value(self, value, key, shape)
        # A plain dict (every DynamoDB attribute value): the picker's own lookup, minus its
        # per-value context and dotted-path machinery (member names hold no dots).
        keys = decided.get((key, shape, getattr(shape, "parent", None), dict, tuple(picker.alias_providers)))
        if keys is None:
            keys = possible_keys(picker, AttributePickerContext(obj=value, key=key, shape=shape))
        for name in keys:
            if name in value:
                return value[name]
        return None

    XFormedAttributePicker.get_possible_keys = get_possible_keys  # type: ignore[method-assign]
    ResponseSerializer.get_value = get_value  # type: ignore[method-assign]


def _install_partition_queries() -> None:
    from moto.dynamodb.models.table import Table

    original_query = Table.query
    original_all_items = Table.all_items

    @functools.wraps(original_all_items)
    def all_items(self: Any) -> Any:
        scope = getattr(_query_scope, "partition", None)
        if scope is not None and scope[0] is self:
            return scope[1]
        return original_all_items(self)

    @functools.wraps(original_query)
    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[QUERY_INDEX_NAME_POSITION] if len(args) > QUERY_INDEX_NAME_POSITION else None
        index_name = kwargs.get("index_name", index_name)
        if index_name is not None or hash_key is None or not self.range_key_attr:
            return original_query(self, hash_key, *args, **kwargs)
        partition = self.items.get(hash_key, {})  # .get: items is a defaultdict
        # A thread-local scope: band queries run concurrently, each sees its own partition.
        _query_scope.partition = (self, sorted(partition.values(), key=lambda item: item.range_key))
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _query_scope.partition = None

    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]


def _install_item_size_check() -> None:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict, bytesize

    original = Item.__init__
    limit = 405000  # moto's limit (LimitedSizeDict.__setitem__)

    @functools.wraps(original)
    def __init__(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        self.attrs = LimitedSizeDict()
        total = 0  # what LimitedSizeDict would sum: the keys and values set so far
        for key, value in attrs.items():
            typed = DynamoType(value)
            size = bytesize(key) + typed.size()
            if total + size > limit:
                raise ItemSizeTooLarge
            dict.__setitem__(self.attrs, key, typed)
            total += size

    Item.__init__ = __init__  # type: ignore[method-assign]


def _install_transactions() -> None:
    from moto.dynamodb import models

    original = models.DynamoDBBackend.transact_write_items
    table_class = models.Table

    def deepcopy_except_tables(value: Any, memo: Any = None) -> Any:
        return value if isinstance(value, table_class) else copy.deepcopy(value, memo)

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        snapshot = [_snapshot(self, action) for action in transact_items]
        real_copy = models.copy
        models.copy = SimpleNamespace(deepcopy=deepcopy_except_tables, copy=copy.copy)  # type: ignore[assignment]
        try:
            original(self, transact_items)
        except Exception:
            for saved in snapshot:
                if saved is not None:
                    _restore(*saved)
            raise
        finally:
            models.copy = real_copy

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _snapshot(backend: Any, action: dict[str, Any]) -> tuple[Any, Any, Any, Any] | None:
    """(table, hash key, range key, deep copy of the item or None) for one action."""
    try:
        _, op = next(iter(action.items()))
        table = backend.get_table(op["TableName"])
        key = op["Item"] if "Item" in op else op["Key"]
        hash_value = _dynamo(key[table.hash_key_attr])
        range_value = _dynamo(key[table.range_key_attr]) if table.range_key_attr else None
    except Exception:
        return None  # a malformed action: moto rejects it before changing anything
    current = table.get_item(hash_value, range_value)
    return table, hash_value, range_value, copy.deepcopy(current)


def _restore(table: Any, hash_value: Any, range_value: Any, item: Any) -> None:
    if item is None:
        if table.get_item(hash_value, range_value) is not None:
            table.delete_item(hash_value, range_value)
        return
    if table.range_key_attr:
        table.items[hash_value][range_value] = item
    else:
        table.items[hash_value] = item


def _dynamo(value: dict[str, Any]) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType(value)
