"""Make moto's TransactWriteItems cost what it costs in DynamoDB: the items it touches.

moto 5.2.5 snapshots a transaction's table with `copy.deepcopy(table)` once per action, to
roll back on failure. Every document write is a transaction (the record and its counters,
docs/table.md), so a local run re-copied the whole table three times per document: the
run grew quadratically (25 documents: a third of the handler's time; 170: many minutes).

`install()` keeps moto's own code and its rollback semantics. It snapshots only the items the
transaction names, makes moto's whole-table copy a no-op during the call, and restores those
items if moto cancels the transaction. Used by the local stack only; the function never sees it.
"""

from __future__ import annotations

import copy
import functools
import logging
from types import SimpleNamespace
from typing import Any

log = logging.getLogger("docproc.local")

_installed = False


def install() -> None:
    """Patch moto's DynamoDB backend once per process (idempotent)."""
    global _installed
    if _installed:
        return
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
    _installed = True
    log.info("patched moto: TransactWriteItems snapshots the items it touches, not whole tables")


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
