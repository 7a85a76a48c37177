"""The benchmark script runs and reports every figure. Not a timed test: no figure is checked."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from infra import bench


def test_quick_run_emits_the_json_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "latest.json"
    # --cold-dev-only: no package build (it downloads the Lambda wheels; tests/template/test_build.py)
    args = ["--quick", "--json", "--skip", "reference,memory,package,local,profile", "--cold-dev-only"]
    args += ["--out", str(out)]
    assert bench.main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert json.loads(out.read_text(encoding="utf-8")) == result
    for key in ("machine", "corpus", "core", "cold_start", "targets", "notes"):
        assert key in result
    for key in ("cpu", "cores", "python", "date"):
        assert key in result["machine"]
    core = result["core"]
    for name in ("docproc", "floor", "libraries"):
        assert {"mb_per_s", "ms_median", "ms_p95"} <= set(core[name])
        assert {"mb_per_s", "ms_median", "ms_p95"} <= set(core[name]["cpu"])
    assert core["docproc"]["sample_ms"] > 0
    assert core["core_over_floor"] > 0
    # The libraries' work is part of the core's: alone, it cannot be slower (noise aside).
    assert core["cpu_libraries_over_core"] > 0.8
    assert 0 < core["libraries"]["cpu"]["sample_ms"] < core["docproc"]["cpu"]["sample_ms"]
    assert result["cold_start"]["docproc"]["total_s"] > 0
    assert result["cold_start"]["docproc"]["total_cpu_s"] > 0
    assert result["cold_start"]["docproc"]["clients_cpu_s"] > 0  # the handler's AWS clients
    assert {t["key"] for t in result["targets"]} == {k for k, *_ in bench.TARGETS}
    assert "reference chain skipped: no core comparison" in result["notes"]
    assert "targets:" in bench.render(result)
    assert "| core throughput, CPU time |" in bench.render_markdown(result)


def test_corpus_starts_with_the_sample_and_the_big_document_has_its_size() -> None:
    docs = bench.build_corpus(quick=True)
    assert docs[0].source == "seed" and docs[0].data.strip()
    big = bench.big_document(docs, 100_000)
    assert 99_990 <= len(big) <= 100_000
    big.decode("utf-8")  # cut on a character boundary


def test_targets_are_checked_against_flat_keys() -> None:
    result = {"core": {"docproc": {"cpu": {"mb_per_s": 6.0, "sample_ms": 2.0}}}}
    checks = {c["key"]: c["ok"] for c in bench.check_targets(result)}
    assert checks["core.docproc.cpu.mb_per_s"] is True
    assert checks["core.docproc.cpu.sample_ms"] is False
    assert checks["local_stack.docs_per_s_cpu"] is None


def test_unknown_section_is_refused() -> None:
    with pytest.raises(SystemExit):
        bench.run(bench.parse_args(["--skip", "nonsense"]))


def test_cold_start_is_measured_on_the_package_as_deployed_in_a_lambda_like_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = bench.Package(tmp_path / "compiled", tmp_path / "source", tmp_path / "runtime")
    monkeypatch.setattr(bench, "function_package", lambda: package)
    notes: list[str] = []
    cmds = bench.cold_commands("app", tmp_path / "sample.txt", notes)
    assert list(cmds) == list(bench.COLD_VARIANTS) and notes == []
    for name, folder in (("docproc", package.compiled), ("docproc_no_bytecode", package.source)):
        argv, env, cwd = cmds[name]
        assert argv[1] == "-S" and cwd == folder  # no site-packages: only the package and boto3
        assert env["PYTHONPATH"].split(os.pathsep) == [str(folder), str(package.runtime)]
        assert env["PYTHONDONTWRITEBYTECODE"] == "1" and env["LAMBDA_TASK_ROOT"] == str(folder)
        assert env["POWERTOOLS_TRACE_DISABLED"] == "false"  # traced, as template.yaml sets it
    # The core alone, in the deployed package: what the reference chain's figure holds.
    argv, env, cwd = cmds["docproc_core"]
    assert argv[1] == "-S" and argv[4] == bench.CORE_MODULE and cwd == package.compiled
    assert env["PYTHONPATH"].split(os.pathsep) == [str(package.compiled), str(package.runtime)]


def test_cold_start_falls_back_to_the_virtualenv_when_the_package_cannot_be_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def offline() -> bench.Package:
        raise RuntimeError("ERROR: no network")

    monkeypatch.setattr(bench, "function_package", offline)
    notes: list[str] = []
    cmds = bench.cold_commands("app", tmp_path / "sample.txt", notes)
    assert list(cmds) == ["docproc"] and cmds["docproc"][2] == bench.ROOT
    assert "no network" in notes[0]


def test_the_core_runs_the_package_beside_its_sources_when_there_is_one(tmp_path: Path) -> None:
    # A stand-in package whose docproc does nothing: if the worker ran the sources instead, the
    # two would take the same time.
    (tmp_path / "package" / "docproc").mkdir(parents=True)
    # Its other modules (the libraries' floor imports some) are the sources'.
    sources = bench.FUNCTION_DIR / "docproc"
    (tmp_path / "package" / "docproc" / "__init__.py").write_text(f"__path__.append({str(sources)!r})\n")
    (tmp_path / "package" / "docproc" / "pipeline.py").write_text(
        "def process_document(data, key=''):\n    return len(data)\n"
    )
    docs = bench.build_corpus(quick=True)
    corpus = bench.write_corpus(docs, tmp_path / "corpus")
    notes: list[str] = []
    core = bench.measure_core(
        docs, corpus, rounds=1, reps=3, reference=False, notes=notes, package=tmp_path / "package"
    )
    assert core["code"] == "package" and {"docproc", "docproc_source", "floor"} <= set(core)
    assert core["cpu_sample_source_over_package"] > 10  # the sources clean; the stand-in does not
    assert "docproc_source" in bench.render({"core": core, **_minimal_result()})


def _minimal_result() -> dict[str, object]:
    return {
        "machine": {"date": "-", "commit": "-", "cpu": "-", "cores": 1, "python": "-"},
        "corpus": {"docs": 1, "mb": 0, "by_source": {}},
        "targets": [],
        "notes": [],
    }


def test_the_source_package_leaves_out_what_sams_default_builder_would_not_ship(tmp_path: Path) -> None:
    top = ["app.py", "0578ee174f71a29f9260__mypyc.cpython-311-x86_64-linux-gnu.so", "__pycache__", "rjieba"]
    assert bench._not_in_source_package(str(tmp_path), top) == {top[1], "__pycache__"}
    inside = ["clean.py", "clean.cpython-311-x86_64-linux-gnu.so", "_native.cpython-311-x86_64-linux-gnu.so"]
    assert bench._not_in_source_package(str(tmp_path / "docproc"), inside) == {inside[1]}
    libs = ["rjieba.cpython-311-x86_64-linux-gnu.so"]
    assert bench._not_in_source_package(str(tmp_path / "rjieba"), libs) == set()
