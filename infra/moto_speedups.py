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
    _install_transactions()
    _install_partition_queries()
    _installed = True
    log.info("patched moto: queries read one partition, transactions snapshot the items they touch")


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
