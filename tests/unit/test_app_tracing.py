"""The handler traces with X-Ray in Lambda, and imports no X-Ray SDK where tracing is off.

Each case is a fresh interpreter: the tracer is made when app.py is imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FUNCTION_DIR = ROOT / "functions" / "processor"
PROBE = """
import json, sys
import app
print(json.dumps({
    "tracer": app.tracer is not None,
    "xray_imported": "aws_xray_sdk.core" in sys.modules,
    "patched": sorted(getattr(sys.modules.get("aws_xray_sdk.core.patcher"), "_PATCHED_MODULES", [])),
}))
"""


def probe(**env: str) -> dict[str, object]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "LAMBDA_", "AWS_SAM"))}
    full = {
        **base,
        "AWS_DEFAULT_REGION": "us-east-1",
        "PYTHONPATH": f"{FUNCTION_DIR}{os.pathsep}{ROOT}",
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=full, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_in_lambda_the_aws_calls_are_traced() -> None:
    assert probe(LAMBDA_TASK_ROOT=str(FUNCTION_DIR)) == {
        "tracer": True,
        "xray_imported": True,
        "patched": ["botocore"],
    }


@pytest.mark.parametrize(
    "env",
    [
        {},  # tests, the local stack, the bench: not in Lambda
        {"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "true"},
        {"LAMBDA_TASK_ROOT": "/var/task", "AWS_SAM_LOCAL": "true"},
    ],
)
def test_without_tracing_the_xray_sdk_is_not_imported(env: dict[str, str]) -> None:
    assert probe(**env) == {"tracer": False, "xray_imported": False, "patched": []}
