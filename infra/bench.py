"""`make bench`: docproc's speed, cold start, memory and package size, beside the stock chain.

    python -m infra.bench [--json] [--quick] [--skip reference,package,...]

Everything is measured in one run, on a corpus built from seeds/ (and ../shared/corpus when
present). The two contenders run in separate worker processes (docproc in this interpreter's
virtualenv, the reference chain of infra/bench_reference.py in .venv-bench-ref) driven by the
same loop, and their passes are interleaved chunk by chunk of the corpus so that the noise of a
shared machine falls on both. Figures: MB = 10^6 bytes (throughput), MiB = 2^20 bytes (memory,
package: Lambda's "250 MB" limit is 250 MiB). It prints a table; `--json` prints one JSON
object with every figure instead. The last result is also written to bench-results/.

This module imports only the standard library at module level: its worker mode must not add
to the figures it measures.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import functools
import hashlib
import importlib.util
import itertools
import json
import os
import platform
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FUNCTION_DIR = ROOT / "functions" / "processor"
SEEDS = ROOT / "seeds"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
REF_VENV = ROOT / ".venv-bench-ref"
REF_PYTHON = REF_VENV / "bin" / "python"
REF_REQUIREMENTS = ROOT / "infra" / "bench-reference-requirements.txt"
REF_SCRIPT = ROOT / "infra" / "bench_reference.py"
RESULTS_DIR = ROOT / "bench-results"
PACKAGE_CACHE = ROOT / "build" / "bench"
MB = 1_000_000
MIB = 1 << 20
SECTIONS = ("reference", "cold", "memory", "package", "local", "profile")

# Targets from the specification: (key in the flat figures, comparison, bound, label).
TARGETS: list[tuple[str, str, float, str]] = [
    ("core.docproc.cpu.mb_per_s", ">=", 5.0, "core throughput, MB/s of CPU time on one core"),
    ("core.docproc.cpu.sample_ms", "<=", 1.3, "CPU ms for the 6.5 KB sample"),
    ("core.cpu_speedup_vs_reference", ">=", 20.0, "throughput vs reference chain, CPU time (x)"),
    ("cold_start.docproc.total_cpu_s", "<=", 0.5, "cold start, CPU s (import, AWS clients, 1st doc)"),
    ("cold_start.cpu_reference_over_docproc", ">=", 5.0, "cold start vs reference chain, CPU (x)"),
    ("package.docproc.unzipped_mib", "<=", 100.0, "package unzipped, MiB"),
    ("memory.docproc.peak_rss_mib", "<=", 200.0, "peak RSS on a 10 MB document, MiB"),
    ("local_stack.docs_per_s_cpu", ">=", 30.0, "local stack, documents/s (CPU time)"),
]

# The handler module of the function, as Lambda imports it. Until it exists, the core.
APP_MODULE = FUNCTION_DIR / "app.py"

# Environment for fresh processes that import the function: what Lambda would set.
FUNCTION_ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "docproc",
    "POWERTOOLS_SERVICE_NAME": "docproc",
    # The handler's AWS clients are made in the cold start (no request is sent): their names.
    "CLEAN_BUCKET": "bench-clean",
    "DOCUMENTS_TABLE": "bench-documents",
}

# A fresh process: import the handler module (or the core), make the handler's AWS clients as
# its first invocation does (S3, DynamoDB: loading their models is most of their cost), then
# process one document.
COLD_SNIPPET = r"""
import json, resource, sys, time
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0, c0 = time.perf_counter(), time.process_time()
import importlib
module = importlib.import_module(sys.argv[1])
from docproc.pipeline import process_document
t1, c1 = time.perf_counter(), time.process_time()
for make in ("objects", "records"):
    if hasattr(module, make):
        getattr(module, make)()
t2, c2 = time.perf_counter(), time.process_time()
data = open(sys.argv[2], "rb").read()
process_document(data, key=sys.argv[2].rsplit("/", 1)[-1])
t3, c3 = time.perf_counter(), time.process_time()
print(json.dumps({"import_s": t1 - t0, "clients_s": t2 - t1, "first_doc_s": t3 - t2, "total_s": t3 - t0,
                  "import_cpu_s": c1 - c0, "clients_cpu_s": c2 - c1, "first_doc_cpu_s": c3 - c2,
                  "total_cpu_s": c3 - c0,
                  "rss_start_kib": rss0,
                  "rss_peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

MEMORY_SNIPPET = r"""
import json, resource, sys, time
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
import importlib
importlib.import_module(sys.argv[1])
from docproc.pipeline import process_document
process_document("热身。".encode(), key="warm.txt")
data = open(sys.argv[2], "rb").read()
rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
result = process_document(data, key="big.txt")
print(json.dumps({"rss_start_kib": rss0, "rss_ready_kib": rss1,
                  "rss_peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "bytes": len(data), "seconds": time.perf_counter() - t0,
                  "status": str(result.status), "reasons": result.reasons}))
"""


# --------------------------------------------------------------------------- corpus


@dataclass(slots=True)
class Doc:
    name: str  # file name in the corpus directory: NNNN_<source>_<stem>.<ext>
    source: str  # seed, html, web, news
    data: bytes


def build_corpus(*, shared: bool = True, news: int = 300, quick: bool = False) -> list[Doc]:
    """seeds/ first (the sample is document 0), then the shared corpus when present."""
    docs: list[Doc] = [Doc(p.name, "seed", p.read_bytes()) for p in sorted(SEEDS.glob("*")) if p.is_file()]
    if quick or not shared or not SHARED_CORPUS.is_dir():
        return _numbered(docs)
    for p in sorted((SHARED_CORPUS / "icwced" / "original").glob("*.html")):
        docs.append(Doc(p.name, "html", p.read_bytes()))
    for fname, field in (
        ("cc_sample.jsonl", "raw_content"),
        ("clean.jsonl", "text"),
        ("dirty.jsonl", "text"),
    ):
        path = SHARED_CORPUS / "chinesewebtext" / fname
        if path.is_file():
            for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
                if line.strip():
                    text = json.loads(line).get(field) or ""
                    docs.append(Doc(f"{path.stem}_{i:03d}.txt", "web", text.encode("utf-8")))
    path = SHARED_CORPUS / "thucnews" / "cnews.val.txt"
    if path.is_file() and news > 0:
        with path.open(encoding="utf-8") as f:
            for i, line in enumerate(f):
                if i >= news:
                    break
                text = line.split("\t", 1)[-1].strip()
                docs.append(Doc(f"cnews_{i:04d}.txt", "news", text.encode("utf-8")))
    return _numbered([d for d in docs if d.data.strip()])


def _numbered(docs: list[Doc]) -> list[Doc]:
    return [Doc(f"{i:04d}_{d.source}_{d.name}", d.source, d.data) for i, d in enumerate(docs)]


def write_corpus(docs: list[Doc], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for d in docs:
        (directory / d.name).write_bytes(d.data)
    return directory


def big_document(docs: list[Doc], size: int) -> bytes:
    """About `size` bytes of UTF-8 text: the corpus's text documents repeated end to end."""
    texts = [d.data for d in docs if d.source != "html"] or [d.data for d in docs]
    parts: list[bytes] = []
    total = 0
    while total < size:
        for t in texts:
            parts.append(t)
            total += len(t) + 2
            if total >= size:
                break
    return b"\n\n".join(parts)[:size].decode("utf-8", "ignore").encode("utf-8")


# --------------------------------------------------------------------------- workers


def docproc_worker(corpus_dir: str) -> None:
    """Worker mode (`--worker DIR`): docproc's per-document work behind the shared loop."""
    from infra.bench_reference import serve

    package = os.environ.get(PACKAGE_ENV)
    if package:  # the package as deployed (mypyc-compiled modules), ahead of the sources infra put first
        sys.path.insert(0, package)

    def build() -> Any:
        from docproc.pipeline import process_document

        return lambda data, key: process_document(data, key=key)

    ws = re.compile(r"\s+")

    def floor(data: bytes, key: str) -> object:
        return ws.sub(" ", data.decode("utf-8", "replace"))

    serve(build, corpus_dir, floors={"floor": floor, "libraries": libraries_floor()})


def libraries_floor() -> Callable[[bytes, str], object]:
    """The core's native work, with as little Python around it as there can be: decoding, a
    page's parse and main-content extraction (resiliparse), the cut of what the statistics read
    and the signature (NFKC, the shingles, the MinHash; the cut and the MinHash in docproc's C
    module, rjieba's and rensa's where it is not built). No cleaning step, no statistic, no
    script conversion (most documents need none). What the core could approach if the rest of
    docproc took no time at all. (Named `libraries` in the JSON since it was the libraries'
    work alone: the cut was rjieba's and the MinHash rensa's until 2026-12-02.)"""

    @functools.cache
    def parts() -> tuple[Any, ...]:  # imported on the first call: measure_core's warm-up call
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree

        from docproc import decode, dedup, segment, stats

        return decode, dedup, segment, stats, extract_plain_text, HTMLTree.parse

    def run(data: bytes, key: str) -> object:
        decode, dedup, segment, stats, extract, parse = parts()
        decoded = decode.decode_document(data)
        if isinstance(decoded, decode.Rejection):
            return None
        text = decoded.text
        if decoded.content_type == decode.HTML:
            text = extract(parse(text), main_content=True)
        segment.segment(stats.measured_prefix(text))
        return dedup.signature(text)

    return run


class Worker:
    """One contender's worker process; a command a line in, a JSON object a line out."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None) -> None:
        self.err = tempfile.TemporaryFile()  # noqa: SIM115  (closed in close(); shown if the worker dies)
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err, text=True, cwd=ROOT, env=env
        )

    def ask(self, command: str) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            self.err.seek(0)
            tail = self.err.read().decode("utf-8", "replace")[-2000:]
            raise RuntimeError(f"worker {self.proc.args!r} died (exit {self.proc.wait()}):\n{tail}")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.err.close()


def function_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(FUNCTION_ENV)
    env["PYTHONPATH"] = os.pathsep.join([str(FUNCTION_DIR), str(ROOT)])
    return env


# --------------------------------------------------------------------------- core throughput


PACKAGE_ENV = "DOCPROC_BENCH_PACKAGE"  # the worker runs docproc from this folder
FLOORS = ("floor", "libraries")  # docproc_worker's floor functions
PASS_CHUNKS = 16  # a pass over the corpus goes in this many chunks, the contenders taking turns on each


def measure_core(
    docs: list[Doc],
    corpus_dir: Path,
    *,
    rounds: int,
    reps: int,
    reference: bool,
    notes: list[str],
    package: Path | None = None,
) -> dict[str, Any]:
    """docproc (the package as deployed when `package` is given, and then its sources too, side by
    side), the reference chain and the floor, in interleaved passes."""
    sizes = [len(d.data) for d in docs]
    worker = [sys.executable, "-m", "infra.bench", "--worker", str(corpus_dir)]
    contenders: dict[str, Worker] = {}
    if package is not None:
        contenders["docproc"] = Worker(worker, {**function_env(), PACKAGE_ENV: str(package)})
        contenders["docproc_source"] = Worker(worker, function_env())
    else:
        contenders["docproc"] = Worker(worker, function_env())
    if reference:
        contenders["reference"] = Worker([str(REF_PYTHON), str(REF_SCRIPT), "worker", str(corpus_dir)])
    try:
        warm = {name: w.ask("warm") for name, w in contenders.items()}
        contenders["docproc"].ask("floor libraries")  # its imports, outside the timed rounds
        # clock -> contender -> one list of per-document ns per round
        passes: dict[str, dict[str, list[list[int]]]] = {
            clock: {name: [] for name in [*contenders, *FLOORS]} for clock in ("ns", "cpu")
        }
        samples: dict[str, dict[str, list[int]]] = {
            clock: {name: [] for name in [*contenders, "libraries"]} for clock in passes
        }
        names = list(contenders)
        # Each pass goes chunk by chunk, the contenders taking turns on each chunk: a document's
        # times for docproc and for the reference chain are then taken seconds apart, not a
        # whole reference pass (10 s and more) apart, and a slow moment of a shared host weighs
        # on both alike. (Whole passes in turn once let a slow minute fall on docproc's short
        # passes alone: 15.1x against 20.0-20.5x in the runs around it.)
        bounds = [len(docs) * k // PASS_CHUNKS for k in range(PASS_CHUNKS + 1)]
        for r in range(rounds):
            this_round: dict[str, dict[str, list[int]]] = {clock: {n: [] for n in names} for clock in passes}
            for c, (i, j) in enumerate(itertools.pairwise(bounds)):
                if i == j:
                    continue
                for name in names if (r + c) % 2 == 0 else names[::-1]:
                    reply = contenders[name].ask(f"pass {i} {j}")
                    for clock in passes:
                        this_round[clock][name].extend(reply[clock])
            for name in names[:: 1 if r % 2 == 0 else -1]:
                n = reps if name.startswith("docproc") else max(3, reps // 10)
                sample = contenders[name].ask(f"sample 0 {n}")
                for clock in passes:
                    passes[clock][name].append(this_round[clock][name])
                    samples[clock][name].extend(sample[clock])
            for floor in FLOORS:
                reply = contenders["docproc"].ask(f"floor {floor}")
                for clock in passes:
                    passes[clock][floor].append(reply[clock])
            # The sample's share that is the native work: what docproc's own Python leaves.
            sample = contenders["docproc"].ask(f"sample 0 {reps} libraries")
            for clock in passes:
                samples[clock]["libraries"].extend(sample[clock])
    finally:
        for w in contenders.values():
            w.close()

    out: dict[str, Any] = {}
    for name, runs in passes["ns"].items():
        per_doc = [statistics.median(ns) for ns in zip(*runs, strict=True)]  # median over rounds
        fig = _throughput(per_doc, sizes)
        # The same figures in CPU time: what one core would give on a machine nobody else uses.
        per_doc_cpu = [statistics.median(ns) for ns in zip(*passes["cpu"][name], strict=True)]
        fig["cpu"] = _throughput(per_doc_cpu, sizes)
        if name in samples["ns"]:
            fig["sample_ms"] = round(statistics.median(samples["ns"][name]) / 1e6, 3)
            fig["cpu"]["sample_ms"] = round(statistics.median(samples["cpu"][name]) / 1e6, 3)
            fig["sample_bytes"] = sizes[0]
        if name in contenders:
            fig["import_s"] = round(warm[name]["build_ns"] / 1e9, 3)
            fig["first_call_ms"] = round(warm[name]["first_ns"] / 1e6, 2)
            fig["worker_rss_mib"] = round(warm[name]["rss_kib"] / 1024, 1)
        fig["by_source"] = {
            src: _throughput(
                [t for t, d in zip(per_doc, docs, strict=True) if d.source == src],
                [s for s, d in zip(sizes, docs, strict=True) if d.source == src],
            )
            for src in sorted({d.source for d in docs})
        }
        out[name] = fig
    if "reference" in out:
        dp, ref = out["docproc"], out["reference"]
        out["speedup_vs_reference"] = round(dp["mb_per_s"] / ref["mb_per_s"], 1)
        out["sample_speedup_vs_reference"] = round(ref["sample_ms"] / dp["sample_ms"], 1)
        out["cpu_speedup_vs_reference"] = round(dp["cpu"]["mb_per_s"] / ref["cpu"]["mb_per_s"], 1)
    else:
        notes.append("reference chain skipped: no core comparison")
    if "docproc_source" in out:  # what the compiled modules are worth, measured side by side
        out["cpu_package_over_source"] = round(
            out["docproc"]["cpu"]["mb_per_s"] / out["docproc_source"]["cpu"]["mb_per_s"], 3
        )
        out["cpu_sample_source_over_package"] = round(
            out["docproc_source"]["cpu"]["sample_ms"] / out["docproc"]["cpu"]["sample_ms"], 3
        )
    out["code"] = "package" if package is not None else "source"
    # How far the core is from its libraries' own time, and what ratio to the reference chain
    # that time alone would give: the ceiling of any tuning that keeps these libraries.
    out["cpu_libraries_over_core"] = round(
        out["libraries"]["cpu"]["mb_per_s"] / out["docproc"]["cpu"]["mb_per_s"], 2
    )
    if "reference" in out:
        out["cpu_libraries_over_reference"] = round(
            out["libraries"]["cpu"]["mb_per_s"] / out["reference"]["cpu"]["mb_per_s"], 1
        )
    out["core_over_floor"] = round(out["floor"]["mb_per_s"] / out["docproc"]["mb_per_s"], 1)
    out["cpu_core_over_floor"] = round(out["floor"]["cpu"]["mb_per_s"] / out["docproc"]["cpu"]["mb_per_s"], 1)
    out["rounds"] = rounds
    return out


def _throughput(per_doc_ns: list[float], sizes: list[int]) -> dict[str, Any]:
    if not per_doc_ns:
        return {}
    ms = sorted(t / 1e6 for t in per_doc_ns)
    return {
        "docs": len(ms),
        "mb": round(sum(sizes) / MB, 3),
        "mb_per_s": round(sum(sizes) / (sum(per_doc_ns) / 1e9) / MB, 2),
        "ms_median": round(statistics.median(ms), 3),
        "ms_p95": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 3),
    }


# --------------------------------------------------------------------------- cold start, memory


def handler_module() -> str:
    return "app" if APP_MODULE.is_file() else "docproc.pipeline"


# The variants of the function's cold start, the first one the headline (`cold_start.docproc`):
# the package as deployed (Makefile, with bytecode), as SAM's default builder would ship it
# (no bytecode: compiled from source at every cold start on the read-only /var/task), and this
# checkout's virtualenv (bytecode cached by earlier runs, not in Lambda, no tracing). Then the
# core alone in the deployed package (`docproc.pipeline`, no handler: no AWS SDK, Powertools or
# clients), which is what the reference chain's figure holds: chain against chain.
COLD_VARIANTS = ("docproc", "docproc_no_bytecode", "docproc_dev", "docproc_core")
CORE_MODULE = "docproc.pipeline"
COLD_KEYS: tuple[str, ...] = ("import_s", "clients_s", "first_doc_s", "total_s", "process_s")
COLD_KEYS += ("import_cpu_s", "clients_cpu_s", "first_doc_cpu_s", "total_cpu_s", "process_cpu_s")


def measure_cold(
    sample: Path, *, runs: int, reference: bool, notes: list[str], package: bool = True
) -> dict[str, Any]:
    module = handler_module()
    if module != "app":
        notes.append("cold start: functions/processor/app.py absent, measured `import docproc.pipeline`")
    cmds = cold_commands(module, sample, notes, package=package)
    if reference:
        cmds["reference"] = ([str(REF_PYTHON), str(REF_SCRIPT), "cold", str(sample)], dict(os.environ), ROOT)
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in cmds}
    for _ in range(runs):  # interleaved: the machine's noise falls on every variant alike
        for name, (argv, env, cwd) in cmds.items():
            results[name].append(_cold_run(name, argv, env, cwd))
    out: dict[str, Any] = {"runs": runs, "module": module}
    for name, figs in results.items():
        keys = [k for k in COLD_KEYS if all(k in f for f in figs)]
        out[name] = {k: round(statistics.median(f[k] for f in figs), 3) for k in keys}
        out[name]["rss_mib"] = round(statistics.median(f["rss_peak_kib"] for f in figs) / 1024, 1)
    if "reference" in out:
        ref, dp = out["reference"], out["docproc"]
        out["reference_over_docproc"] = round(ref["total_s"] / dp["total_s"], 1)
        out["cpu_reference_over_docproc"] = round(ref["total_cpu_s"] / dp["total_cpu_s"], 1)
        if "docproc_core" in out:  # like for like: neither side with the handler's AWS layer...
            core = out["docproc_core"]
            out["cpu_reference_over_docproc_core"] = round(ref["total_cpu_s"] / core["total_cpu_s"], 1)
            # ...or both with it: the reference chain plus what the handler adds to docproc's core.
            layer = max(0.0, dp["total_cpu_s"] - core["total_cpu_s"])
            out["aws_layer_cpu_s"] = round(layer, 3)
            out["reference_with_layer_cpu_s"] = round(ref["total_cpu_s"] + layer, 3)
            with_layer = (ref["total_cpu_s"] + layer) / dp["total_cpu_s"]
            out["cpu_reference_with_layer_over_docproc"] = round(with_layer, 1)
    argv, env, cwd = cmds["docproc"]
    out["docproc"]["imports_top"] = import_profile(module, argv[: argv.index("-c")], env, cwd)
    return out


def cold_commands(
    module: str, sample: Path, notes: list[str], *, package: bool = True
) -> dict[str, tuple[list[str], dict[str, str], Path]]:
    """Variant -> (argv, environment, working directory) of one fresh cold-start process."""
    snippet = [COLD_SNIPPET, module, str(sample)]
    dev = ([sys.executable, "-c", *snippet], function_env(), ROOT)
    if not package:
        notes.append("cold start: measured in the virtualenv only (--cold-dev-only), not as deployed")
        return {"docproc": dev}
    try:
        built = function_package()
    except RuntimeError as e:
        notes.append(f"cold start: the function package could not be built ({e}); measured the virtualenv")
        return {"docproc": dev}
    # -S: no site-packages; the package (its own botocore), then the runtime's boto3 and co. behind
    # it, as on Lambda's sys.path.
    lambda_argv = [sys.executable, "-S", "-c", *snippet]
    core_argv = [sys.executable, "-S", "-c", COLD_SNIPPET, CORE_MODULE, str(sample)]
    return {
        "docproc": (lambda_argv, lambda_env(built.compiled, built.runtime), built.compiled),
        "docproc_no_bytecode": (lambda_argv, lambda_env(built.source, built.runtime), built.source),
        "docproc_dev": dev,
        "docproc_core": (core_argv, lambda_env(built.compiled, built.runtime), built.compiled),
    }


def _cold_run(name: str, argv: list[str], env: dict[str, str], cwd: Path) -> dict[str, Any]:
    t0, ru0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    wall, ru1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"cold start of {name} failed:\n{proc.stderr[-2000:]}")
    fig: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    fig["process_s"] = wall
    fig["process_cpu_s"] = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    return fig


def lambda_env(package: Path, runtime: Path) -> dict[str, str]:
    """The function's environment on Lambda, as far as the cold start sees it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "POWERTOOLS_", "VIRTUAL_ENV"))}
    env.update(FUNCTION_ENV)
    env.update(
        PYTHONPATH=os.pathsep.join([str(package), str(runtime)]),
        PYTHONDONTWRITEBYTECODE="1",  # /var/task is read-only: nothing compiled is kept
        LAMBDA_TASK_ROOT=str(package),  # in Lambda: Powertools' Tracer is on...
        POWERTOOLS_TRACE_DISABLED="false",  # ...as template.yaml sets it (Tracing: Active)
    )
    return env


def import_profile(
    module: str, interpreter: list[str], env: dict[str, str], cwd: Path, top: int = 8
) -> list[dict[str, Any]]:
    """`python -X importtime`: the heaviest top-level imports of a fresh process, cumulative."""
    proc = subprocess.run(
        [*interpreter, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )
    rows: list[tuple[float, str]] = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m and len(m.group(3)) <= 3:  # top level, and first level below it
            rows.append((int(m.group(2)) / 1000, m.group(4)))
    rows.sort(reverse=True)
    return [{"module": name, "cumulative_ms": round(ms, 1)} for ms, name in rows[:top]]


def measure_memory(big: Path, ref_doc: Path | None, *, notes: list[str], timeout: float) -> dict[str, Any]:
    """Peak RSS of a fresh process processing `big`; the reference chain gets `ref_doc`, smaller:
    it needs minutes and gigabytes at the full size."""
    out: dict[str, Any] = {"doc_mb": round(big.stat().st_size / MB, 2), "module": handler_module()}
    cmds = {"docproc": ([sys.executable, "-c", MEMORY_SNIPPET, handler_module(), str(big)], function_env())}
    if ref_doc is not None:
        out["reference_doc_mb"] = round(ref_doc.stat().st_size / MB, 2)
        cmds["reference"] = ([str(REF_PYTHON), str(REF_SCRIPT), "memory", str(ref_doc)], dict(os.environ))
    for name, (argv, env) in cmds.items():
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout)
        except subprocess.TimeoutExpired:
            notes.append(f"memory: {name} took over {timeout:.0f} s on the big document; not measured")
            continue
        if proc.returncode != 0:
            notes.append(f"memory: {name} failed: {proc.stderr.strip().splitlines()[-1:]}")
            continue
        fig = json.loads(proc.stdout.strip().splitlines()[-1])
        out[name] = {
            "peak_rss_mib": round(fig["rss_peak_kib"] / 1024, 1),
            "ready_rss_mib": round(fig["rss_ready_kib"] / 1024, 1),
            "added_by_document_mib": round((fig["rss_peak_kib"] - fig["rss_ready_kib"]) / 1024, 1),
            "added_over_interpreter_mib": round((fig["rss_peak_kib"] - fig["rss_start_kib"]) / 1024, 1),
            "seconds": round(fig["seconds"], 2),
        }
        if "status" in fig:
            out[name]["status"] = fig["status"]
            out[name]["reasons"] = fig["reasons"]
    return out


# --------------------------------------------------------------------------- package size


def measure_package(*, reference: bool, notes: list[str]) -> dict[str, Any]:
    """The deployment package as `sam build` makes it for python3.11 x86_64, unzipped and zipped.

    docproc's is built by its Makefile (template.yaml: BuildMethod: makefile), bytecode included;
    `source_unzipped_mib` is the same without it. Lambda's python3.11 runs on Amazon Linux 2
    (glibc 2.26): only manylinux2014 (glibc 2.17) wheels load there. When the requirements cannot
    be met with those, the figure is taken from this machine's own wheels instead and flagged
    `lambda_compatible: false`.
    """
    out: dict[str, Any] = {"platform": " ".join(LAMBDA_PLATFORM)}
    try:
        package = function_package()
        out["docproc"] = {
            "lambda_compatible": True,
            "built_by": f"{FUNCTION_MAKEFILE.relative_to(ROOT)} build-{FUNCTION_LOGICAL_ID}",
            **_package_size(_files(package.compiled, bytecode=True)),
            "source_unzipped_mib": _package_size(_files(package.source))["unzipped_mib"],
            "top": _top_dirs(package.compiled),
        }
    except RuntimeError as e:
        notes.append(f"package: docproc: the Makefile build failed ({e}); sized with pip install -t")
        _measure_pip_package("docproc", FUNCTION_DIR / "requirements.txt", True, out, notes)
    if reference:
        _measure_pip_package("reference", REF_REQUIREMENTS, False, out, notes)
    return out


def _measure_pip_package(
    name: str, requirements: Path, with_code: bool, out: dict[str, Any], notes: list[str]
) -> None:
    """A package as SAM's default Python builder makes it: pip install -t, no bytecode."""
    fig: dict[str, Any] = {"lambda_compatible": True, "built_by": "pip install -t --no-compile"}
    try:
        deps = install_target(requirements, lambda_platform=True)
    except RuntimeError as e:
        fig = {"lambda_compatible": False, "lambda_error": str(e)}
        notes.append(
            f"package: {name}: no manylinux2014 cp311 wheel (Lambda python3.11 runs on AL2, "
            f"glibc 2.26): {e}; "
            "sized with this machine's wheels instead"
        )
        try:
            deps = install_target(requirements, lambda_platform=False)
        except RuntimeError as e2:
            notes.append(f"package: {name}: {e2}")
            return
    files = _files(deps)
    if with_code:  # the function's code sits at the root of the zip (CodeUri)
        files += [
            (p, rel) for p, rel in _files(FUNCTION_DIR) if p.name not in ("requirements.txt", "Makefile")
        ]
    out[name] = {**fig, **_package_size(files), "top": _top_dirs(deps)}


def _package_size(files: list[tuple[Path, Path]]) -> dict[str, Any]:
    unzipped = sum(p.stat().st_size for p, _ in files)
    with tempfile.TemporaryDirectory() as tmp:
        zpath = Path(tmp) / "package.zip"
        with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
            for p, arc in files:
                z.write(p, arc)
        zipped = zpath.stat().st_size
    return {
        "unzipped_mib": round(unzipped / MIB, 1),
        "zipped_mib": round(zipped / MIB, 1),
        "files": len(files),
    }


FUNCTION_MAKEFILE = FUNCTION_DIR / "Makefile"
FUNCTION_LOGICAL_ID = "ProcessorFunction"
# Lambda's python3.11 runtime brings these, with their bytecode, after the package on sys.path:
# boto3 and its dependencies. The package ships its own botocore, which shadows the runtime's;
# the function imports nothing else of these (tests/template/test_build.py).
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")


@dataclass(frozen=True, slots=True)
class Package:
    compiled: Path  # as the Makefile builds it: what is deployed
    source: Path  # the same without bytecode or mypyc modules: what SAM's default Python builder would ship
    runtime: Path  # this virtualenv's boto3 and its dependencies, standing in for the runtime's


def function_package() -> Package:
    """The function's package, built by its Makefile as `sam build` runs it; cached by content.

    The key covers every file of functions/processor/ (code, requirements, Makefile): a change
    rebuilds it (pip's own cache keeps that to seconds). Built aside and renamed into place, so
    that two benches on one checkout never see half a package."""
    root = PACKAGE_CACHE / f"function-{_tree_digest(FUNCTION_DIR)}"
    if not (root / ".complete").is_file():
        _prune_packages(keep=root)
        building = root.with_name(f"{root.name}.{os.getpid()}.building")
        shutil.rmtree(building, ignore_errors=True)
        command = [
            "make",
            "--no-print-directory",
            "-f",
            str(FUNCTION_MAKEFILE),
            f"build-{FUNCTION_LOGICAL_ID}",
        ]
        command += [f"ARTIFACTS_DIR={building / 'compiled'}", f"PYTHON={sys.executable}"]
        proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=900)
        if proc.returncode != 0:
            shutil.rmtree(building, ignore_errors=True)
            errors = [line for line in proc.stderr.splitlines() if line.startswith(("ERROR", "make:"))]
            raise RuntimeError((errors or proc.stderr.strip().splitlines() or ["make failed"])[0])
        shutil.copytree(building / "compiled", building / "source", ignore=_not_in_source_package)
        (building / ".complete").write_text(" ".join(command) + "\n")
        try:
            building.rename(root)
        except OSError:  # another bench finished the same build first
            shutil.rmtree(building, ignore_errors=True)
    runtime = PACKAGE_CACHE / "runtime"
    link_runtime(runtime)
    return Package(root / "compiled", root / "source", runtime)


def _not_in_source_package(directory: str, names: list[str]) -> set[str]:
    """What SAM's default Python builder would not ship: bytecode, docproc's mypyc modules and the
    library they share (the C statistics module stays: its figures are docproc's either way)."""
    in_docproc = "docproc" in Path(directory).parts
    return {
        n
        for n in names
        if n == "__pycache__"
        or "__mypyc." in n
        or (in_docproc and n.endswith(".so") and not n.startswith("_native"))
    }


def core_package(notes: list[str]) -> Path | None:
    """The deployed package's folder for the core's figures; None (the sources) if it cannot be built."""
    try:
        return function_package().compiled
    except Exception as e:  # offline, no compiler: the sources still give the core's figures
        notes.append(f"core: measured on the sources, the package did not build: {e}")
        return None


def _prune_packages(keep: Path, max_age_s: float = 3600) -> None:
    """Older builds (~140 MB each), once no bench can still be using them."""
    for old in PACKAGE_CACHE.glob("function-*"):
        if old != keep and time.time() - old.stat().st_mtime > max_age_s:
            shutil.rmtree(old, ignore_errors=True)


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path, rel in _files(root):
        digest.update(f"{rel}\0{path.stat().st_size}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def link_runtime(directory: Path) -> None:
    """A folder of links to this virtualenv's copies of what the Lambda runtime provides."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_PROVIDED:
        spec = importlib.util.find_spec(name)  # locates the module without importing it
        if spec is None or spec.origin is None:
            raise RuntimeError(f"{name} is not installed in this virtualenv")
        origin = Path(spec.origin)
        if origin.name == "__init__.py":  # a package: link its folder
            origin = origin.parent
        staged = directory / f".{origin.name}.{os.getpid()}"
        staged.unlink(missing_ok=True)
        staged.symlink_to(origin)
        os.replace(staged, directory / origin.name)  # atomic: a concurrent bench sees one or the other


LAMBDA_PLATFORM = ["--platform", "manylinux2014_x86_64", "--implementation", "cp", "--python-version", "3.11"]


def install_target(requirements: Path, *, lambda_platform: bool) -> Path:
    """pip install -t (for the Lambda platform, or this machine's), cached by the requirements' content."""
    key = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    kind = "lambda" if lambda_platform else "host"
    target = PACKAGE_CACHE / f"{requirements.stem}-{kind}-{key}"
    failed = target.with_suffix(".failed")
    if (target / ".complete").is_file():
        return target
    if failed.is_file():
        raise RuntimeError(failed.read_text().strip())
    shutil.rmtree(target, ignore_errors=True)
    cmd = [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-compile"]
    cmd += ["--target", str(target), "-r", str(requirements)]
    if lambda_platform:
        cmd += [*LAMBDA_PLATFORM, "--only-binary=:all:"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=900)
    if proc.returncode != 0:
        errors = [line for line in proc.stderr.splitlines() if line.startswith("ERROR")]
        message = (errors or proc.stderr.strip().splitlines() or ["pip failed"])[0]
        failed.parent.mkdir(parents=True, exist_ok=True)
        failed.write_text(message + "\n")  # cached too: the same requirements fail the same way
        raise RuntimeError(message)
    (target / ".complete").write_text(" ".join(cmd) + "\n")
    return target


def _files(root: Path, *, bytecode: bool = False) -> list[tuple[Path, Path]]:
    return [
        (p, p.relative_to(root))
        for p in sorted(root.rglob("*"))
        if p.is_file() and (bytecode or "__pycache__" not in p.parts) and p.name != ".complete"
    ]


def _top_dirs(root: Path, top: int = 6) -> list[dict[str, Any]]:
    sizes: dict[str, int] = {}
    for p, rel in _files(root):
        head = rel.parts[0]
        if head.endswith((".dist-info", ".data")):
            head = "(metadata)"
        sizes[head] = sizes.get(head, 0) + p.stat().st_size
    ranked = sorted(sizes.items(), key=lambda kv: -kv[1])[:top]
    return [{"name": k, "mib": round(v / MIB, 1)} for k, v in ranked]


# --------------------------------------------------------------------------- local stack


def measure_local(docs: list[Doc], *, counts: list[int], notes: list[str], timeout: float) -> dict[str, Any]:
    """Documents per second through `docproc local run DIR`, on growing directories.

    Runs of 1, then each of `counts` documents: the run of one is the start-up (moto, the
    stack), and the rate between two sizes is the steady rate there. A rate that falls as the
    table fills shows a cost that grows with what is already stored.
    """
    docproc = Path(sys.executable).parent / "docproc"
    argv = [str(docproc)] if docproc.is_file() else [sys.executable, "-m", "infra.cli"]
    probe = subprocess.run([*argv, "local", "run", "--help"], capture_output=True, text=True, cwd=ROOT)
    if probe.returncode != 0:
        notes.append("local stack: `docproc local run` does not exist yet; skipped")
        return {"skipped": "docproc local run not available"}
    sizes = [1, *sorted(c for c in set(counts) if c > 1)]
    walls: dict[int, float] = {}
    cpus: dict[int, float] = {}  # the child's user + system time: load does not inflate it
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            picked = [docs[i % len(docs)] for i in range(n)]
            directory = write_corpus(
                [Doc(f"{i:05d}_{d.name}", d.source, d.data) for i, d in enumerate(picked)], Path(tmp) / str(n)
            )
            t0 = time.perf_counter()
            c0 = _children_cpu()
            try:
                proc = subprocess.run(
                    [*argv, "local", "run", str(directory)],
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                    timeout=timeout,
                )
            except subprocess.TimeoutExpired:
                notes.append(f"local stack: {n} documents took over {timeout:.0f} s; larger runs not tried")
                break
            walls[n] = time.perf_counter() - t0
            cpus[n] = _children_cpu() - c0
            if proc.returncode not in (0, 1):  # 1: some documents dropped or rejected is fine
                notes.append(f"local stack: exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
                return {"skipped": f"docproc local run failed (exit {proc.returncode})"}
    out: dict[str, Any] = {
        "startup_s": round(walls[1], 2) if 1 in walls else None,
        "startup_cpu_s": round(cpus[1], 2) if 1 in cpus else None,
        "runs": {},
    }
    done = sorted(walls)
    for a, b in itertools.pairwise(done):
        rate = _rate(b - a, walls[b] - walls[a])
        cpu_rate = _rate(b - a, cpus[b] - cpus[a])
        out["runs"][str(b)] = {
            "wall_s": round(walls[b], 2),
            "cpu_s": round(cpus[b], 2),
            "docs_per_s_overall": round(b / walls[b], 1),
            f"docs_per_s_from_{a}": rate,
            f"docs_per_s_cpu_from_{a}": cpu_rate,
        }
        out["docs_per_s"] = rate  # the last (largest) interval
        out["docs_per_s_cpu"] = cpu_rate
        out["docs"] = b
    return out


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _rate(docs: int, seconds: float) -> float | None:
    return round(docs / seconds, 1) if seconds > 0 else None


# --------------------------------------------------------------------------- profile


def profile_core(corpus_dir: Path, *, top: int = 12) -> dict[str, Any]:
    """cProfile of process_document over the corpus (in a fresh worker), top functions by own time."""
    code = (
        "import sys, json; sys.argv[1:]\n"
        "from infra.bench import _profile_main; _profile_main(sys.argv[1], int(sys.argv[2]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(corpus_dir), str(top)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=function_env(),
        timeout=600,
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _profile_main(corpus_dir: str, top: int) -> None:
    from docproc.pipeline import process_document

    files = sorted(p for p in Path(corpus_dir).iterdir() if p.is_file())
    docs = [(p.read_bytes(), p.name) for p in files]
    for data, key in docs:  # warm: first calls load dictionaries
        process_document(data, key=key)
    out: dict[str, Any] = {"docs": len(docs)}
    # The whole corpus, then the sample (document 0) alone, 50 times.
    for label, batch in (("", docs), ("sample_", docs[:1] * 50)):
        prof = cProfile.Profile()
        prof.enable()
        for data, key in batch:
            process_document(data, key=key)
        prof.disable()
        out.update({label + k: v for k, v in _profile_rows(prof, top).items()})
    print(json.dumps(out))


def _profile_rows(prof: cProfile.Profile, top: int) -> dict[str, Any]:
    raw: dict[Any, Any] = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values()) or 1.0
    rows = []
    for (fname, line, func), (_cc, nc, tt, ct, _callers) in raw.items():
        where = fname
        for marker in ("functions/processor/", "site-packages/", "lib/python3.11/"):
            if marker in fname:
                where = fname.split(marker, 1)[1]
        rows.append(
            {
                "function": f"{where}:{line}({func})",
                "calls": nc,
                "own_pct": round(100 * tt / total, 1),
                "cum_pct": round(100 * ct / total, 1),
            }
        )
    own = sorted(rows, key=lambda r: -r["own_pct"])[:top]
    # Cumulative time of docproc's own functions: which stage the own-time hot spots sit in.
    ours = [r for r in rows if r["function"].startswith("docproc/") and "<" not in r["function"]]
    cum = sorted(ours, key=lambda r: -r["cum_pct"])[:top]
    return {"total_s": round(total, 3), "top_own": own, "top_cum": cum}


# --------------------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit.stdout.strip() or None,
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


def flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            flat.update(flatten(v, f"{prefix}{k}."))
    else:
        flat[prefix[:-1]] = obj
    return flat


def check_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    flat = flatten(result)
    checks = []
    for key, op, bound, label in TARGETS:
        value = flat.get(key)
        ok = (
            None if not isinstance(value, int | float) else (value >= bound if op == ">=" else value <= bound)
        )
        checks.append({"target": label, "key": key, "bound": f"{op} {bound:g}", "measured": value, "ok": ok})
    return checks


def render(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        f"docproc bench  {m['date']}  commit {m['commit']}  {m['cpu']} x{m['cores']}  Python {m['python']}",
        f"corpus: {result['corpus']['docs']} documents, {result['corpus']['mb']} MB "
        f"({', '.join(f'{k} {v}' for k, v in result['corpus']['by_source'].items())})",
        "",
    ]
    core = result.get("core") or {}
    if core.get("docproc"):
        lines.append(
            f"{'core (one core)':<22}{'MB/s':>8}{'ms med':>9}{'ms p95':>9}{'sample ms':>11}"
            f"{'first ms':>10}{'import s':>10}"
        )
        for clock in ("wall", "cpu"):
            for name in ("docproc", "docproc_source", "reference", "libraries", "floor"):
                f = core.get(name)
                if f:
                    c = f if clock == "wall" else f["cpu"]
                    first, imp = (
                        (f.get("first_call_ms", ""), f.get("import_s", "")) if clock == "wall" else ("", "")
                    )
                    label = f"{name} ({clock})"
                    lines.append(
                        f"{label:<22}{c['mb_per_s']:>8}{c['ms_median']:>9}{c['ms_p95']:>9}"
                        f"{c.get('sample_ms', ''):>11}{first:>10}{imp:>10}"
                    )
        lines.append(
            f"docproc vs reference: {core.get('speedup_vs_reference', '-')}x throughput "
            f"({core.get('cpu_speedup_vs_reference', '-')}x in CPU time), "
            f"{core.get('sample_speedup_vs_reference', '-')}x on the sample; "
            f"the floor is {core['core_over_floor']}x faster than the core "
            f"({core['cpu_core_over_floor']}x in CPU time)"
        )
        lines.append(
            "the libraries alone (decode, extraction, cut, signature) run "
            f"{core['cpu_libraries_over_core']}x the core's speed, "
            f"{core.get('cpu_libraries_over_reference', '-')}x the reference chain's (CPU time)"
        )
        if "cpu_package_over_source" in core:
            lines.append(
                "docproc is the package as deployed (mypyc-compiled modules): "
                f"{core['cpu_package_over_source']}x the sources' throughput, "
                f"{core['cpu_sample_source_over_package']}x on the sample (CPU time)"
            )
        by = core["docproc"]["by_source"]
        lines.append("docproc by source: " + ", ".join(f"{k} {v['mb_per_s']} MB/s" for k, v in by.items()))
        lines.append("")
    cold = result.get("cold_start") or {}
    if cold.get("docproc"):
        lines += _render_cold(cold)
        lines.append(
            "heaviest imports: "
            + ", ".join(f"{r['module']} {r['cumulative_ms']} ms" for r in cold["docproc"]["imports_top"][:5])
        )
        lines.append("")
    mem = result.get("memory") or {}
    if mem.get("docproc") or mem.get("reference"):
        lines.append(
            f"peak memory, {mem['doc_mb']} MB document: "
            + "; ".join(
                f"{n} {mem[n]['peak_rss_mib']} MiB peak (+{mem[n]['added_by_document_mib']} by the document"
                + (f" of {mem['reference_doc_mb']} MB" if n == "reference" else "")
                + f", {mem[n]['seconds']} s)"
                for n in ("docproc", "reference")
                if n in mem
            )
        )
    pkg = result.get("package") or {}
    for n in ("docproc", "reference"):
        if n in pkg:
            p = pkg[n]
            lines.append(
                f"package {n}: {p['unzipped_mib']} MiB unzipped"
                + (f" ({p['source_unzipped_mib']} without bytecode)" if "source_unzipped_mib" in p else "")
                + f", {p['zipped_mib']} MiB zipped; largest: "
                + ", ".join(f"{t['name']} {t['mib']}" for t in p["top"][:4])
            )
    local = result.get("local_stack") or {}
    if local:
        if "skipped" in local:
            lines.append(f"local stack: skipped ({local['skipped']})")
        elif "runs" in local:
            lines.append(
                f"local stack (`docproc local run`): start-up {local['startup_s']} s"
                f" ({local.get('startup_cpu_s')} s CPU)"
            )
            for n, r in local["runs"].items():
                rates = ", ".join(
                    f"{v} {k.replace('_', ' ')}" for k, v in r.items() if k.startswith("docs_per")
                )
                lines.append(f"  {n} documents in {r['wall_s']} s ({r.get('cpu_s')} s CPU): {rates}")
    prof = result.get("profile") or {}
    if prof.get("top_own"):
        lines.append("")
        lines.append(f"profile (cProfile, own time, {prof['docs']} docs, {prof['total_s']} s):")
        lines += [f"  {r['own_pct']:>5}%  {r['function']}  ({r['calls']} calls)" for r in prof["top_own"][:8]]
        lines.append("profile, cumulative, docproc's functions:")
        lines += [f"  {r['cum_pct']:>5}%  {r['function']}" for r in prof.get("top_cum", [])[:10]]
        lines.append("profile, cumulative, docproc's functions, the sample alone:")
        lines += [f"  {r['cum_pct']:>5}%  {r['function']}" for r in prof.get("sample_top_cum", [])[:10]]
    lines.append("")
    lines.append("targets:")
    for c in result["targets"]:
        mark = {True: "ok  ", False: "MISS", None: "n/a "}[c["ok"]]
        lines.append(f"  {mark} {c['target']:<44} {c['bound']:>8}  measured {c['measured']}")
    if result["notes"]:
        lines.append("")
        lines += [f"note: {n}" for n in result["notes"]]
    return "\n".join(lines)


def _render_cold(cold: dict[str, Any]) -> list[str]:
    """Per variant, wall then CPU seconds: import, the AWS clients, the first document, total."""
    lines = [
        f"{'cold start (median)':<28}{'import s':>10}{'clients s':>10}{'1st doc s':>10}{'total s':>9}"
        f"{'process s':>11}{'RSS MiB':>9}"
    ]
    for name in (*COLD_VARIANTS, "reference"):
        f = cold.get(name)
        if not f:
            continue
        for clock, suffix in (("wall", "_s"), ("cpu", "_cpu_s")):
            cells = [f.get(k + suffix, "-") for k in ("import", "clients", "first_doc", "total", "process")]
            lines.append(
                f"{f'{name} ({clock})':<28}{cells[0]:>10}{cells[1]:>10}{cells[2]:>10}{cells[3]:>9}"
                f"{cells[4]:>11}{f['rss_mib']:>9}"
            )
    lines.append(
        f"module: {cold['module']}; docproc = the package as deployed (Makefile, bytecode), in a "
        f"Lambda-like process; reference / docproc: {cold.get('reference_over_docproc', '-')}x "
        f"({cold.get('cpu_reference_over_docproc', '-')}x in CPU time); chain against chain, CPU "
        f"(docproc_core: {CORE_MODULE}, no AWS layer): {cold.get('cpu_reference_over_docproc_core', '-')}x; "
        f"the reference with docproc's AWS layer ({cold.get('aws_layer_cpu_s', '-')} s) added: "
        f"{cold.get('cpu_reference_with_layer_over_docproc', '-')}x"
    )
    return lines


def render_markdown(result: dict[str, Any]) -> str:
    """The figures table of docs/performance.md, from one result."""

    def g(path: str, fmt: str = "{}") -> str:
        v = flatten(result).get(path)
        return "-" if v is None else fmt.format(v)

    m = result["machine"]
    ok = {c["key"]: c["ok"] for c in result["targets"]}

    def mark(key: str) -> str:
        return {True: "met", False: "missed", None: "not measured"}[ok.get(key)]

    local_runs = (result.get("local_stack") or {}).get("runs") or {}
    local = "; ".join(
        f"{n} docs in {r['wall_s']} s, {r.get('cpu_s')} s CPU ({r['docs_per_s_overall']}/s overall)"
        for n, r in local_runs.items()
    )
    rows = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['platform']}, Python {m['python']}. "
        f"Run: {m['date']}, commit {m['commit']}, load average {m['loadavg_start'][0]} at the start, "
        f"{m.get('loadavg_end', ['?'])[0]} at the end. Corpus: {result['corpus']['docs']} documents, "
        f"{result['corpus']['mb']} MB.",
        "",
        "| figure | docproc | reference chain | ratio | target | |",
        "|---|---|---|---|---|---|",
        f"| core throughput, CPU time | {g('core.docproc.cpu.mb_per_s')} MB/s | "
        f"{g('core.reference.cpu.mb_per_s')} MB/s | {g('core.cpu_speedup_vs_reference')}x | "
        f">= 5 MB/s, >= 20x | {mark('core.docproc.cpu.mb_per_s')}, {mark('core.cpu_speedup_vs_reference')} |",
        f"| core throughput, wall time | {g('core.docproc.mb_per_s')} MB/s "
        f"| {g('core.reference.mb_per_s')} MB/s "
        f"| {g('core.speedup_vs_reference')}x | | |",
        f"| per document, CPU, median / p95 "
        f"| {g('core.docproc.cpu.ms_median')} / {g('core.docproc.cpu.ms_p95')} ms "
        f"| {g('core.reference.cpu.ms_median')} / {g('core.reference.cpu.ms_p95')} ms | | | |",
        f"| per document, wall, median / p95 "
        f"| {g('core.docproc.ms_median')} / {g('core.docproc.ms_p95')} ms "
        f"| {g('core.reference.ms_median')} / {g('core.reference.ms_p95')} ms | | | |",
        f"| the 6.5 KB sample, CPU / wall "
        f"| {g('core.docproc.cpu.sample_ms')} / {g('core.docproc.sample_ms')} ms "
        f"| {g('core.reference.cpu.sample_ms')} / {g('core.reference.sample_ms')} ms "
        f"| {g('core.sample_speedup_vs_reference')}x | <= 1.3 ms | {mark('core.docproc.cpu.sample_ms')} |",
        f"| core throughput / the sample, CPU, the same code from its sources (not mypyc-compiled) "
        f"| {g('core.docproc_source.cpu.mb_per_s')} MB/s / {g('core.docproc_source.cpu.sample_ms')} ms "
        f"| | package {g('core.cpu_package_over_source')}x | | |",
        f"| the native work alone (decode, extraction, the cut, the signature), CPU: "
        f"throughput / the sample | {g('core.libraries.cpu.mb_per_s')} MB/s / "
        f"{g('core.libraries.cpu.sample_ms')} ms | | {g('core.cpu_libraries_over_core')}x the core, "
        f"{g('core.cpu_libraries_over_reference')}x the reference chain | | |",
        f"| floor (decode + one regex pass), CPU / wall | {g('core.floor.cpu.mb_per_s')} / "
        f"{g('core.floor.mb_per_s')} MB/s | | core {g('core.cpu_core_over_floor')}x slower | | |",
        f"| cold start (import `{g('cold_start.module')}`, its AWS clients, first document; "
        f"package as deployed), CPU / wall "
        f"| {g('cold_start.docproc.total_cpu_s')} / {g('cold_start.docproc.total_s')} s "
        f"| {g('cold_start.reference.total_cpu_s')} / {g('cold_start.reference.total_s')} s "
        f"| {g('cold_start.cpu_reference_over_docproc')}x | <= 0.5 s, >= 5x "
        f"| {mark('cold_start.docproc.total_cpu_s')}, {mark('cold_start.cpu_reference_over_docproc')} |",
        f"| cold start: import / AWS clients / first document, CPU "
        f"| {g('cold_start.docproc.import_cpu_s')} / {g('cold_start.docproc.clients_cpu_s')} / "
        f"{g('cold_start.docproc.first_doc_cpu_s')} s | | | | |",
        f"| cold start, chain against chain: the core alone (import `{CORE_MODULE}`, first document; "
        f"no AWS SDK, Powertools or clients, as in the reference chain's figure), CPU "
        f"| {g('cold_start.docproc_core.total_cpu_s')} s | {g('cold_start.reference.total_cpu_s')} s "
        f"| {g('cold_start.cpu_reference_over_docproc_core')}x | | |",
        f"| cold start, both with the handler's AWS layer: the reference chain plus docproc's "
        f"({g('cold_start.aws_layer_cpu_s')} s), CPU | {g('cold_start.docproc.total_cpu_s')} s | "
        f"{g('cold_start.reference_with_layer_cpu_s')} s "
        f"| {g('cold_start.cpu_reference_with_layer_over_docproc')}x | | |",
        f"| cold start, the package without bytecode (SAM's default builder) / the dev virtualenv, CPU "
        f"| {g('cold_start.docproc_no_bytecode.total_cpu_s')} / {g('cold_start.docproc_dev.total_cpu_s')} s "
        f"| | | | |",
        f"| whole process incl. interpreter start, CPU / wall | {g('cold_start.docproc.process_cpu_s')} / "
        f"{g('cold_start.docproc.process_s')} s | {g('cold_start.reference.process_cpu_s')} / "
        f"{g('cold_start.reference.process_s')} s | | | |",
        f"| peak RSS, {g('memory.doc_mb')} MB document | {g('memory.docproc.peak_rss_mib')} MiB "
        f"(+{g('memory.docproc.added_by_document_mib')} by the document) "
        f"| {g('memory.reference.peak_rss_mib')} MiB "
        f"on {g('memory.reference_doc_mb')} MB | | <= 200 MiB | {mark('memory.docproc.peak_rss_mib')} |",
        f"| package, unzipped / zipped "
        f"| {g('package.docproc.unzipped_mib')} / {g('package.docproc.zipped_mib')} MiB "
        f"| {g('package.reference.unzipped_mib')} / {g('package.reference.zipped_mib')} MiB | | <= 100 MiB "
        f"| {mark('package.docproc.unzipped_mib')} |",
        f"| local stack, steady docs/s, CPU / wall (start-up {g('local_stack.startup_cpu_s')} / "
        f"{g('local_stack.startup_s')} s) "
        f"| {g('local_stack.docs_per_s_cpu')} / {g('local_stack.docs_per_s')} "
        f"({local}) | | | >= 30 docs/s | {mark('local_stack.docs_per_s_cpu')} |",
    ]
    return "\n".join(rows)


def run(args: argparse.Namespace) -> dict[str, Any]:
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = skip - set(SECTIONS)
    if unknown:
        raise SystemExit(f"--skip: unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    notes: list[str] = []
    reference = "reference" not in skip
    if reference and not REF_PYTHON.is_file():
        notes.append(f"reference chain skipped: {REF_VENV.name} missing (`make bench` creates it)")
        reference = False
    docs = build_corpus(shared=not args.no_shared, news=args.news, quick=args.quick)
    by_source: dict[str, int] = {}
    for d in docs:
        by_source[d.source] = by_source.get(d.source, 0) + 1
    result: dict[str, Any] = {
        "machine": machine(),
        "corpus": {
            "docs": len(docs),
            "mb": round(sum(len(d.data) for d in docs) / MB, 3),
            "by_source": by_source,
            "sample": docs[0].name,
            "sample_bytes": len(docs[0].data),
        },
    }
    with tempfile.TemporaryDirectory(prefix="docproc-bench-") as tmp:
        corpus_dir = write_corpus(docs, Path(tmp) / "corpus")
        sample = corpus_dir / docs[0].name
        big = Path(tmp) / "big.txt"
        ref_big = Path(tmp) / "ref_big.txt"
        sections: list[tuple[str, str, Callable[[], dict[str, Any]]]] = [
            (
                "core",
                "core",
                lambda: measure_core(
                    docs,
                    corpus_dir,
                    rounds=args.rounds,
                    reps=args.reps,
                    reference=reference,
                    notes=notes,
                    package=None if args.cold_dev_only else core_package(notes),
                ),
            ),
            (
                "cold",
                "cold_start",
                lambda: measure_cold(
                    sample,
                    runs=args.cold_runs,
                    reference=reference,
                    notes=notes,
                    package=not args.cold_dev_only,
                ),
            ),
            (
                "memory",
                "memory",
                lambda: measure_memory(
                    big,
                    ref_big if reference and args.ref_big_mb > 0 else None,
                    notes=notes,
                    timeout=args.timeout,
                ),
            ),
            ("package", "package", lambda: measure_package(reference=reference, notes=notes)),
            (
                "local",
                "local_stack",
                lambda: measure_local(docs, counts=args.local_docs, notes=notes, timeout=args.timeout),
            ),
            ("profile", "profile", lambda: profile_core(corpus_dir)),
        ]
        big.write_bytes(big_document(docs, int(args.big_mb * MB)))
        ref_big.write_bytes(big_document(docs, int(args.ref_big_mb * MB)))
        for section, key, measure in sections:
            if section in skip:
                continue
            try:  # one section failing (the core being edited, a network error) keeps the others
                result[key] = measure()
            except Exception as e:
                message = str(e).strip().splitlines()
                notes.append(f"{key}: failed: {message[-1] if message else type(e).__name__}")
                result[key] = {"error": "\n".join(message[-20:])}
            if args.progress:
                print(f"bench: {key} done", file=sys.stderr, flush=True)
    result["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["targets"] = check_targets(result)
    result["notes"] = notes
    return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m infra.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true", help="print one JSON object with every figure")
    p.add_argument("--quick", action="store_true", help="seeds only, one round: a smoke run")
    p.add_argument("--skip", default="", help=f"comma-separated sections to skip: {','.join(SECTIONS)}")
    p.add_argument("--rounds", type=int, default=3, help="interleaved passes over the corpus per contender")
    p.add_argument("--reps", type=int, default=100, help="runs of the sample per round (docproc)")
    p.add_argument("--news", type=int, default=300, help="THUCNews articles taken into the corpus")
    p.add_argument("--no-shared", action="store_true", help="ignore ../shared/corpus")
    p.add_argument("--cold-runs", type=int, default=5)
    p.add_argument(
        "--cold-dev-only",
        action="store_true",
        help="cold start in this virtualenv only: no package build (offline, smoke runs)",
    )
    p.add_argument("--big-mb", type=float, default=10.0, help="size of the peak-memory document, MB")
    p.add_argument(
        "--ref-big-mb", type=float, default=1.0, help="the reference chain's memory document, MB (0: skip)"
    )
    p.add_argument(
        "--local-docs",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[30, 100],
        help="directory sizes for `docproc local run`, comma-separated (a run of 1 is added)",
    )
    p.add_argument("--timeout", type=float, default=600.0, help="seconds for any one subprocess")
    p.add_argument("--out", type=Path, default=RESULTS_DIR / "latest.json", help="where the JSON is kept")
    p.add_argument("--progress", action="store_true", help="say on stderr when each section is done")
    p.add_argument(
        "--markdown", type=Path, metavar="JSON", help="print the docs' figures table from a result"
    )
    p.add_argument("--worker", metavar="DIR", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.rounds, args.reps, args.cold_runs, args.big_mb, args.ref_big_mb = 1, 3, 1, 0.2, 0.05
        args.local_docs = [5]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        docproc_worker(args.worker)
        return 0
    if args.markdown:
        print(render_markdown(json.loads(args.markdown.read_text(encoding="utf-8"))))
        return 0
    result = run(args)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
