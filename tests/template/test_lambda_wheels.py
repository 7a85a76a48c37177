"""Every runtime requirement installs for the template's Lambda runtime.

python3.11 on Lambda runs on Amazon Linux 2 (glibc 2.26): it loads manylinux2014 (glibc 2.17)
wheels, not manylinux_2_28 ones. A pin with only newer wheels installs fine on a developer's
machine, then fails `sam build` or, built elsewhere, fails at import once deployed. pip resolves
the whole file for that platform without installing anything (`--dry-run` reads the wheels'
metadata only). Needs PyPI: skipped with the reason when it cannot be reached.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "functions" / "processor" / "requirements.txt"
TEMPLATE = ROOT / "template.yaml"
# What the python3.11 runtime's Amazon Linux 2 loads.
PLATFORM = "manylinux2014_x86_64"
# pip's messages when the index cannot be reached at all (as opposed to "no matching distribution").
_OFFLINE = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution"
    r"|Network is unreachable|ConnectTimeout|Read timed out|ProxyError|No route to host"
)


def test_the_template_runtime_is_the_one_checked() -> None:
    # The wheel check below is for python3.11; a runtime change must revisit PLATFORM too.
    assert re.search(r"^\s+Runtime: python3\.11\s*$", TEMPLATE.read_text(encoding="utf-8"), re.M)


def test_every_runtime_requirement_has_a_manylinux2014_cp311_wheel() -> None:
    with tempfile.TemporaryDirectory() as target:
        command = [
            sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
            "--disable-pip-version-check", "--retries", "1", "--timeout", "20",
            "--target", target, "--platform", PLATFORM, "--implementation", "cp",
            "--python-version", "3.11", "--only-binary=:all:", "-r", str(REQUIREMENTS),
        ]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        except subprocess.TimeoutExpired:
            pytest.skip("PyPI did not answer within 300 s: the Lambda wheel check needs it")
    if done.returncode != 0 and _OFFLINE.search(done.stderr):
        pytest.skip("PyPI is unreachable: the Lambda wheel check needs it")
    assert done.returncode == 0, (
        f"a runtime requirement has no {PLATFORM} cp311 wheel (Lambda python3.11 cannot load it):\n"
        + done.stderr
    )
