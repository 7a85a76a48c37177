"""app.SERVICES lists every AWS operation the function's code calls.

The package's botocore keeps only the models of the operations in app.SERVICES
(functions/processor/trim_botocore.py): a call to one missing from it would work here, where
botocore is whole, and fail in Lambda. So every call in the function's code whose name is an S3
or DynamoDB operation's (botocore's snake_case method names) must be listed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import botocore.session
from botocore import xform_name

import app

CODE = Path(__file__).resolve().parents[2] / "functions" / "processor"
FUNCTION_FILES = [CODE / "app.py", *sorted((CODE / "adapters").glob("*.py"))]


def operation_names(service: str) -> dict[str, str]:
    """snake_case method name -> operation name, for every operation of `service`."""
    model = botocore.session.get_session().get_service_model(service)
    return {xform_name(op): op for op in model.operation_names}


def called_methods(path: Path) -> set[str]:
    """The names of the attributes called in `path` (`x.get_item(...)` -> get_item)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }


def test_every_aws_operation_the_code_calls_is_listed() -> None:
    calls = set().union(*(called_methods(p) for p in FUNCTION_FILES))
    found: dict[str, set[str]] = {}
    for service in ("s3", "dynamodb"):
        names = operation_names(service)
        found[service] = {names[c] for c in calls if c in names}
    assert found["dynamodb"] and found["s3"]  # the scan sees the adapters' calls
    for service, operations in found.items():
        assert operations <= set(app.SERVICES[service]), (
            service,
            sorted(operations - set(app.SERVICES[service])),
        )


def test_every_listed_operation_exists_and_is_called() -> None:
    calls = set().union(*(called_methods(p) for p in FUNCTION_FILES))
    for service, operations in app.SERVICES.items():
        names = {op: snake for snake, op in operation_names(service).items()}
        for op in operations:
            assert op in names, (service, op)
            assert names[op] in calls, f"{service} {op} is listed but never called"
