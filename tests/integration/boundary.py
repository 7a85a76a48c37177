"""Observing and breaking the handler at its boundary clients, never inside our own code."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from infra.localstack import LocalStack


def function_log(stack: LocalStack) -> str:
    """Everything the function wrote to stdout so far (its JSON logs and EMF metric lines)."""
    out = stack.function_output
    assert isinstance(out, io.StringIO)
    return out.getvalue()


def metric_values(stack: LocalStack, name: str) -> list[float]:
    """All values of one metric in the function's EMF lines (the CloudWatch embedded format)."""
    values: list[float] = []
    for line in function_log(stack).splitlines():
        if line.startswith('{"_aws"'):
            value = json.loads(line).get(name, [])
            values.extend(value if isinstance(value, list) else [value])
    return values


def fail_calls(
    stack: LocalStack,
    operation: str,
    when: Callable[[dict[str, Any]], bool],
    times: int | None = None,
) -> list[dict[str, Any]]:
    """Make the handler's own S3 client fail `operation` for calls whose params match `when`.

    The failure is injected at the boundary (a botocore before-parameter-build hook on the client the
    handler made), so everything inside the function runs unchanged. Fails `times` calls
    (every matching call when None); returns the list of params of the calls it failed.
    """
    failed: list[dict[str, Any]] = []

    def hook(params: dict[str, Any], **_: Any) -> None:
        if when(params) and (times is None or len(failed) < times):
            failed.append(params)
            raise ClientError(
                {"Error": {"Code": "InternalError", "Message": "injected S3 failure"}}, operation
            )

    client = stack.handler_module.objects().client
    client.meta.events.register(f"before-parameter-build.s3.{operation}", hook)
    return failed


def count_calls(stack: LocalStack, operation: str) -> list[dict[str, Any]]:
    """Record the params of every `operation` call the handler's S3 client makes."""
    calls: list[dict[str, Any]] = []

    def hook(params: dict[str, Any], **_: Any) -> None:
        calls.append(params)

    stack.handler_module.objects().client.meta.events.register(f"before-parameter-build.s3.{operation}", hook)
    return calls
