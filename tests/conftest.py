"""Shared fixtures: the stack of template.yaml on moto, with the real handler behind its queue."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.localstack import DEFAULT_REGION, FAKE_CREDENTIALS, LocalStack

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_9d31691385c9101d.txt"


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    """A started local stack: `names`, `client(service)`, `upload(key, bytes)`, `drain()`,
    `document(key)`. The function's stdout (logs, metric lines) is kept in `function_output`."""
    with LocalStack(function_output=io.StringIO()) as started:
        yield started


@pytest.fixture
def seed_bytes() -> bytes:
    return SEED.read_bytes()


@pytest.fixture
def fake_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials and region for a bare mock_aws() test, so no real profile is ever read."""
    for name, value in {**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": DEFAULT_REGION}.items():
        monkeypatch.setenv(name, value)
