"""build_native.py: a failed in-place build leaves no stale module behind, and says so."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "functions" / "processor" / "build_native.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_native_under_test", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_failed_build_removes_the_older_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    build = _load()
    source = tmp_path / "_native.c"
    source.write_text("this is not C\n")
    stale = tmp_path / build.target_name()
    stale.write_bytes(b"an older build")
    monkeypatch.setattr(build, "SOURCE", source)
    monkeypatch.setenv("CC", "false")  # a compiler that always fails
    assert build.main([]) == 0  # the dev environment goes on, in pure Python
    assert not stale.exists()
    assert "pure-Python statistics run instead" in capsys.readouterr().err


def test_a_failed_package_build_fails_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build = _load()
    monkeypatch.setattr(build.platform, "system", lambda: "Linux")
    monkeypatch.setattr(build.platform, "machine", lambda: "x86_64")
    monkeypatch.setenv("CC", "false")
    (tmp_path / "docproc").mkdir()
    with pytest.raises(subprocess.CalledProcessError):
        build.main(["--lambda", str(tmp_path)])


def test_no_module_is_built_for_lambda_on_another_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    build = _load()
    monkeypatch.setattr(build.platform, "system", lambda: "Darwin")
    monkeypatch.setattr(build.platform, "machine", lambda: "arm64")
    assert build.main(["--lambda", str(tmp_path)]) == 0
    assert list(tmp_path.iterdir()) == []
    assert "could not load it" in capsys.readouterr().err
