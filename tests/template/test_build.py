"""The function's build (functions/processor/Makefile, run by `sam build`) ships valid bytecode.

On Lambda /var/task is read-only: without .pyc in the zip, every cold start compiles every
module from source. The Makefile compiles them once, hash-based and unchecked (the zip resets
the timestamps a default .pyc is checked against). The build downloads the Lambda wheels: it
is skipped, with the reason, when the package index cannot be reached.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from infra.sam import code_dir, functions, load_sam
from tests.template.test_lambda_wheels import _OFFLINE

FUNCTION = "ProcessorFunction"
SAM = load_sam()
CODE = code_dir(functions(SAM)[FUNCTION])
# PEP 552: bit 0 set = hash-based, bit 1 clear = the source is never checked.
UNCHECKED_HASH = 0b01


def build(artifacts: Path) -> subprocess.CompletedProcess[str]:
    command = [
        "make", "--no-print-directory", "-f", str(CODE / "Makefile"), f"build-{FUNCTION}",
        f"ARTIFACTS_DIR={artifacts}", f"PYTHON={sys.executable}",
    ]  # fmt: skip
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    except subprocess.TimeoutExpired:
        pytest.skip("the package index did not answer within 900 s: the build needs it")


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("artifacts")
    done = build(out)
    if done.returncode != 0 and _OFFLINE.search(done.stderr):
        pytest.skip("the package index is unreachable: the build downloads the Lambda wheels")
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_the_template_builds_the_function_with_its_makefile() -> None:
    assert SAM["Resources"][FUNCTION]["Metadata"]["BuildMethod"] == "makefile"
    makefile = (CODE / "Makefile").read_text(encoding="utf-8")
    assert re.search(rf"^build-{FUNCTION}:", makefile, re.MULTILINE)
    assert "$(ARTIFACTS_DIR)" in makefile


def test_every_module_has_unchecked_hash_bytecode_for_the_runtime(artifacts: Path) -> None:
    sources = sorted(artifacts.rglob("*.py"))
    assert (artifacts / "app.py") in sources and (artifacts / "aws_lambda_powertools").is_dir()
    missing, checked = [], []
    for source in sources:
        cached = Path(importlib.util.cache_from_source(str(source)))  # this interpreter: 3.11
        if not cached.is_file():
            missing.append(source.relative_to(artifacts))
        elif int.from_bytes(cached.read_bytes()[4:8], "little") != UNCHECKED_HASH:
            checked.append(source.relative_to(artifacts))
    assert missing == [] and checked == []


def test_the_code_is_copied_without_build_files_or_dev_bytecode(artifacts: Path) -> None:
    assert not (artifacts / "Makefile").exists() and not (artifacts / "requirements.txt").exists()
    for path in CODE.rglob("*"):
        rel = path.relative_to(CODE)
        if (
            path.is_file()
            and "__pycache__" not in rel.parts
            and rel.name not in {"Makefile", "requirements.txt"}
        ):
            assert (artifacts / rel).read_bytes() == path.read_bytes(), rel


def test_the_handler_imports_from_the_bytecode_alone(artifacts: Path) -> None:
    # The source of app.py no longer compiles: the import works only if the .pyc is used as is,
    # as Lambda would use it (read-only folder, no bytecode written).
    (artifacts / "app.py").write_text("raise SystemExit('app.py was compiled from source')\n")
    env = {
        **os.environ,
        "PYTHONPATH": str(artifacts),
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    code = "import app, docproc; print(app.__file__); print(docproc.__file__); print(callable(app.lambda_handler))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=artifacts, timeout=120
    )
    assert done.returncode == 0, done.stderr
    app_file, docproc_file, handler = done.stdout.split()
    assert Path(app_file) == artifacts / "app.py"
    assert Path(docproc_file) == artifacts / "docproc" / "__init__.py"
    assert handler == "True"
