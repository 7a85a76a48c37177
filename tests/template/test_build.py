"""The function's build (functions/processor/Makefile, run by `sam build`) ships valid bytecode.

On Lambda /var/task is read-only: without .pyc in the zip, every cold start compiles every
module from source. The Makefile compiles them once, hash-based and unchecked (the zip resets
the timestamps a default .pyc is checked against). The build downloads the Lambda wheels: it
is skipped, with the reason, when the package index cannot be reached.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore.loaders
import pytest

from infra.bench import RUNTIME_PROVIDED, link_runtime
from infra.localstack import FAKE_CREDENTIALS, LocalStack
from infra.sam import code_dir, functions, load_sam
from tests.integration.faults import article
from tests.template.test_lambda_wheels import _OFFLINE
from tests.unit.test_dedup import with_paragraph_changed

FUNCTION = "ProcessorFunction"
SAM = load_sam()
CODE = code_dir(functions(SAM)[FUNCTION])
BUILD_FILES = (
    "Makefile",
    "requirements.txt",
    "build-requirements.txt",
    "build_native.py",
    "trim_botocore.py",
)
# PEP 552: bit 0 set = hash-based, bit 1 clear = the source is never checked.
UNCHECKED_HASH = 0b01
SAMPLE = Path(__file__).resolve().parents[2] / "seeds" / "000_9d31691385c9101d.txt"
PAGE = (
    "<html><head><title>新闻</title></head><body><nav><a href='/'>首页</a></nav><article>"
    + "".join(f"<p>第{i}段：本报记者从市统计局获悉，今年前三季度全市经济运行总体平稳。</p>" for i in range(6))
    + "</article></body></html>"
).encode()
# What the code imports on first use only (a non-Chinese, non-UTF-8 or HTML document...).
LAZY_IMPORTS = (
    "pycld2", "opencc", "rjieba", "charset_normalizer", "rensa", "resiliparse.parse.html",
    "resiliparse.extract.html2text",
)  # fmt: skip


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
    for name in (*BUILD_FILES, "docproc/_native.c", "docproc/_pagewalk.c"):
        assert not (artifacts / name).exists(), name
    for path in CODE.rglob("*"):
        rel = path.relative_to(CODE)
        if (
            path.is_file()
            and "__pycache__" not in rel.parts
            and rel.name not in BUILD_FILES
            and path.suffix not in {".c", ".so"}  # the module is compiled for the package, below
        ):
            assert (artifacts / rel).read_bytes() == path.read_bytes(), rel


# manylinux2014: what Lambda's python3.11 (Amazon Linux 2, glibc 2.26) is sure to load.
MAX_GLIBC = (2, 17)


def test_the_compiled_modules_are_built_for_the_runtime(artifacts: Path) -> None:
    built = sorted((artifacts / "docproc").glob("_*.so"))
    assert [p.name for p in built] == [
        "_native.cpython-311-x86_64-linux-gnu.so", "_pagewalk.cpython-311-x86_64-linux-gnu.so",
    ]  # fmt: skip
    # docproc's modules (mypyc) and the library they share, at the package's top.
    built += sorted((artifacts / "docproc").rglob("[!_]*.cpython-311-x86_64-linux-gnu.so"))
    built += sorted(artifacts.glob("*__mypyc.cpython-311-x86_64-linux-gnu.so"))
    assert len(built) > 20
    for so in built:
        # The symbol versions it needs are strings in its .gnu.version_r section (none in a
        # module's own extension: it only loads the shared library).
        needed = {tuple(map(int, v)) for v in re.findall(rb"GLIBC_(\d+)\.(\d+)", so.read_bytes())}
        assert max(needed, default=(0, 0)) <= MAX_GLIBC, (so.name, sorted(needed))
        assert needed or (not so.name.startswith("_native") and "__mypyc" not in so.name), so.name


def _compiled_modules(artifacts: Path) -> list[str]:
    return sorted(
        p.relative_to(artifacts).as_posix().split(".")[0]
        for p in (artifacts / "docproc").rglob("*.cpython-311-x86_64-linux-gnu.so")
        if not p.name.startswith(("_native", "_pagewalk"))
    )


def test_docprocs_modules_are_compiled_with_mypyc_all_but_the_build_time_ones(artifacts: Path) -> None:
    sources = sorted(
        p.relative_to(artifacts).as_posix().removesuffix(".py") for p in (artifacts / "docproc").rglob("*.py")
    )
    assert "docproc/stats/__init__" in _compiled_modules(artifacts)
    assert sorted(set(sources) - set(_compiled_modules(artifacts))) == [
        "docproc/__init__", "docproc/native", "docproc/patterns", "docproc/steps/__init__",
    ]  # fmt: skip
    # mypyc is pinned where the type checker is: the code it compiles is the code mypy checks.
    dev = re.search(
        r"^mypy==(\S+)", (Path(__file__).parents[2] / "requirements-dev.txt").read_text(), re.MULTILINE
    )
    build_tools = re.search(r"^mypy==(\S+)", (CODE / "build-requirements.txt").read_text(), re.MULTILINE)
    assert dev and build_tools and dev.group(1) == build_tools.group(1)


def _documents() -> dict[str, bytes]:
    """Real and broken documents: the seeds, the sample with each kind of noise the cleaner
    removes, other encodings, a page, other languages, a long text, empty and binary objects,
    and seeded random mixes."""
    import gzip
    import random

    from infra.corrupt import NOISE_KINDS, corrupt

    sample = SAMPLE.read_text(encoding="utf-8")
    docs = {p.name: p.read_bytes() for p in sorted(SAMPLE.parent.iterdir()) if p.is_file()}
    clean = "\n".join(line for line in sample.splitlines()[2:] if "?" not in line)
    for i, kind in enumerate(NOISE_KINDS):
        docs[f"noise-{kind}"] = corrupt(clean, seed=i, kinds=[kind]).text.encode()
    docs["noise-all"] = corrupt(clean, seed=99, kinds=NOISE_KINDS).text.encode()
    docs["gb18030"] = sample.encode("gb18030")
    docs["utf-16"] = sample.encode("utf-16")
    docs["gzip"] = gzip.compress(sample.encode())
    docs["page.html"] = PAGE
    docs["english"] = (b"The council met on Tuesday, 3 May 2022, and approved the budget. " * 40).strip()
    docs["japanese"] = ("東京都は火曜日、新しい予算案を発表しました。" * 30).encode()
    docs["long"] = ((clean + "\n") * 80).encode()  # past the measured prefix and one MinHash update
    docs["empty"] = b""
    docs["binary"] = random.Random(7).randbytes(4096)
    docs["pdf"] = b"%PDF-1.7\n" + random.Random(8).randbytes(512)
    # Mixes no one wrote: the sample's lines shuffled with markup, markers, Private Use Area and
    # control characters, pinyin and Latin text, in several encodings (odd paths of every step).
    rng = random.Random(11)
    lines = sample.splitlines()
    bits = [
        "<p>",
        "</div>",
        "&nbsp;",
        "?",
        "\ue001\ue0f3",
        "\x07",
        "wǎng",
        "(luò)",
        "Copyright ©",
        "2023年5月1日",
    ]
    for i in range(40):
        mixed = "\n".join(
            rng.choice(lines)[rng.randrange(20) :] + "".join(rng.choices(bits, k=rng.randrange(3)))
            for _ in range(rng.randrange(1, 25))
        )
        docs[f"mix-{i}"] = mixed.encode(rng.choice(["utf-8", "utf-8", "gb18030", "utf-16"]), "replace")
    return docs


_RESULTS = """
import dataclasses, json, sys
from docproc.pipeline import process_document
docs = json.load(sys.stdin)
out = {}
for name, data in docs.items():
    result = process_document(data.encode("latin-1"), key=name)
    out[name] = json.loads(json.dumps(dataclasses.asdict(result), default=str, ensure_ascii=False))
print(json.dumps(out, ensure_ascii=False))
"""


def test_the_compiled_package_gives_the_sources_results(artifacts: Path, tmp_path: Path) -> None:
    """mypyc checks types at run time and binds calls early: the compiled package must still give,
    field for field, what the sources (which the unit tests run) give."""
    link_runtime(tmp_path / "runtime")
    docs = {name: data.decode("latin-1") for name, data in _documents().items()}
    code = "import docproc.pipeline as p; print(p.__file__)"
    assert run_in_lambda_layout(artifacts, tmp_path / "runtime", code)[0].endswith(".so")

    def results(*path: str | Path) -> dict[str, Any]:
        """Every document's result, from a process with only `path` (and the stdlib) to import from."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env |= {"PYTHONPATH": os.pathsep.join(map(str, path)), "PYTHONDONTWRITEBYTECODE": "1"}
        done = subprocess.run(
            [sys.executable, "-S", "-c", _RESULTS], input=json.dumps(docs), capture_output=True, text=True,
            env=env, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        parsed: dict[str, Any] = json.loads(done.stdout)
        return parsed

    got, want = results(artifacts, tmp_path / "runtime"), results(CODE, *sys.path)
    assert {r["status"] for r in want.values()} >= {"kept", "rejected"}
    for name in docs:
        assert got[name] == want[name], name


def test_resiliparse_dependencies_docproc_never_imports_are_left_out(artifacts: Path) -> None:
    # Its WARC reader and that reader's helpers; extraction runs without them (the test below).
    shipped = {p.name.split("-")[0].lower() for p in artifacts.glob("*.dist-info")}
    assert shipped & {"fastwarc", "brotli", "click", "tqdm"} == set()
    assert not any((artifacts / name).exists() for name in ("fastwarc", "click", "tqdm", "brotli.py", "bin"))
    assert "resiliparse" in shipped


def pinned(requirement: str) -> str:
    found = re.search(rf"^{requirement}==(\S+)", (CODE / "requirements.txt").read_text(), re.MULTILINE)
    assert found, f"{requirement} is not pinned in requirements.txt"
    return found.group(1)


def test_the_package_ships_the_aws_sdk_the_tests_run(artifacts: Path) -> None:
    # Shipped, not the runtime's: the versions pinned, which are also this environment's.
    for dist in ("botocore", "jmespath", "urllib3"):
        assert (artifacts / f"{dist}-{pinned(dist)}.dist-info").is_dir(), dist
        assert importlib.metadata.version(dist) == pinned(dist), dist
    # Not boto3: the runtime's would load beside this botocore (a pair never released together).
    assert not list(artifacts.glob("boto3*")) and not list(artifacts.glob("s3transfer*"))


def test_botocore_models_are_trimmed_to_the_services_the_function_calls(artifacts: Path) -> None:
    trim = load_module(CODE / "trim_botocore.py")
    services = trim.called_services()
    assert set(services) == {"s3", "dynamodb"}
    data = artifacts / "botocore" / "data"
    assert {p.name for p in data.iterdir() if p.is_dir()} == set(services)
    assert not list(data.rglob("*.gz")) and not list(data.rglob("examples-*"))
    # Each model is this environment's (the same botocore): the operations called, the shapes they
    # reach, without documentation strings.
    trimmed = botocore.loaders.Loader(extra_search_paths=[str(data)], include_default_search_paths=False)
    full = botocore.loaders.Loader()
    for service, operations in services.items():
        for kind in ("service-2", "endpoint-rule-set-1", "paginators-1", "waiters-2"):
            model = full.load_service_model(service, kind)
            if kind == "service-2":
                model = trim.without_documentation(trim.used_only(model, operations))
            assert trimmed.load_service_model(service, kind) == model, (service, kind)
        assert sorted(trimmed.load_service_model(service, "service-2")["operations"]) == sorted(operations)
    s3 = full.load_service_model("s3", "service-2")
    assert len(s3["operations"]) > 50 and "documentation" in s3["operations"]["GetObject"]  # what went
    assert trimmed.load_data("endpoints") == trim.endpoints_for(full.load_data("endpoints"), services)
    for name in ("partitions", "sdk-default-configuration", "_retry"):
        assert trimmed.load_data(name) == full.load_data(name), name


def load_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_in_lambda_layout(
    artifacts: Path, runtime: Path, code: str, env: dict[str, str] | None = None, stdin: str = ""
) -> list[str]:
    """`code` in a process that sees what a Lambda function sees: the package, then the runtime's
    boto3 (python -S: no site-packages), in Lambda with tracing on, no bytecode written."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "POWERTOOLS_"))},
        "PYTHONPATH": os.pathsep.join([str(artifacts), str(runtime)]),
        "PYTHONDONTWRITEBYTECODE": "1",
        "LAMBDA_TASK_ROOT": str(artifacts),
        "AWS_DEFAULT_REGION": "us-east-1",
        "CLEAN_BUCKET": "clean",
        "DOCUMENTS_TABLE": "documents",
        **(env or {}),
    }
    done = subprocess.run(
        [sys.executable, "-S", "-c", code],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=artifacts,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_the_page_walk_loads_the_packages_lexbor_before_resiliparse_does(
    artifacts: Path, tmp_path: Path
) -> None:
    # Linked against resiliparse's lexbor by file name, found through $ORIGIN: in a fresh process,
    # the module loads first and resiliparse then uses the same library.
    link_runtime(tmp_path / "runtime")
    code = (
        "import docproc._pagewalk as walk\n"
        "from resiliparse.parse.html import HTMLTree\n"
        "tree = HTMLTree.parse('<body><div><a href=x>link</a> and text</div></body>')\n"
        "chars = walk.page_walk(hash(tree.body), hash(tree.document), frozenset(), 120)[2]\n"
        "print(walk.__file__, ','.join(map(str, chars)))\n"
    )
    walk_file, chars = run_in_lambda_layout(artifacts, tmp_path / "runtime", code)
    assert Path(walk_file).parent == artifacts / "docproc"
    assert chars == "11,11,4"  # body, div, a: `link` is 4 of the 11 visible characters


def test_the_handler_runs_from_the_bytecode_and_the_package_alone(artifacts: Path, tmp_path: Path) -> None:
    link_runtime(tmp_path / "runtime")
    assert {p.name.removesuffix(".py") for p in (tmp_path / "runtime").iterdir()} == set(RUNTIME_PROVIDED)
    # The source of app.py no longer compiles: the import works only if the .pyc is used as is.
    (artifacts / "app.py").write_text("raise SystemExit('app.py was compiled from source')\n")
    code = (
        "import importlib, sys, app, docproc\n"
        "from docproc.pipeline import process_document\n"
        f"for name in {LAZY_IMPORTS!r}: importlib.import_module(name)\n"
        "app.objects(); app.records()\n"
        f"result = process_document(open({str(SAMPLE)!r}, 'rb').read(), key='sample.txt')\n"
        f"page = process_document({PAGE!r}, key='page.html')\n"
        "assert page.steps[0].step == 'extract_main_content' and '统计局' in page.text, page\n"
        "from docproc.native import native\n"
        "from docproc.html import _page_walk\n"
        "from docproc.patterns import counts\n"
        "print(app.__file__, docproc.__file__, app.tracer is not None, result.status, native.__file__)\n"
        "print(_page_walk().__file__)\n"
        "print(counts['from_table'], counts['compiled'])\n"
        "assert 'boto3' not in sys.modules, 'the function imported boto3'\n"
        "print(*sorted({m.__file__ for m in list(sys.modules.values()) if getattr(m, '__file__', None)}))\n"
    )
    app_file, docproc_file, traced, status, native_file, walk_file, from_table, compiled, *files = (
        run_in_lambda_layout(artifacts, tmp_path / "runtime", code)
    )
    assert Path(native_file).parent == artifacts / "docproc"  # the C statistics, from the package
    assert Path(walk_file).parent == artifacts / "docproc"  # the page walk, on the package's lexbor
    # Every regular expression the sample and the page needed came compiled with the package.
    assert int(from_table) > 50 and int(compiled) == 0, (from_table, compiled)
    assert Path(app_file) == artifacts / "app.py"
    assert Path(docproc_file) == artifacts / "docproc" / "__init__.py"
    assert traced == "True" and status == "kept"
    # Nothing came from outside the package and the standard library: the package's own AWS SDK
    # shadows the runtime's, which is on the path behind it as on Lambda.
    stdlib = Path(os.__file__).parent
    outside = [
        f for f in files if not Path(f).is_relative_to(artifacts) and not Path(f).is_relative_to(stdlib)
    ]
    assert outside == []
    assert str(artifacts / "botocore" / "client.py") in files


# A Lambda context with what Powertools reads of it.
CONTEXT = """
class Context:
    function_name = "docproc-processor"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:docproc-processor"
    aws_request_id = "00000000-0000-0000-0000-000000000001"
    def get_remaining_time_in_millis(self):
        return 30000
"""


def test_the_packaged_handler_processes_uploads_on_the_template_stack(
    artifacts: Path, tmp_path: Path
) -> None:
    # The package as deployed (trimmed models, tracing on) against template.yaml's resources on
    # moto's server, over HTTP: every S3 and DynamoDB call the function makes goes through it.
    # Three invocations: a new text; a near copy under another key (its band buckets are
    # queried); a new text under the first key (the old version's hash and bands are released).
    link_runtime(tmp_path / "runtime")
    sample = SAMPLE.read_bytes()
    near_copy = with_paragraph_changed(sample.decode()).encode()
    with LocalStack(port=free_port()) as stack:

        def invoke_packaged(key: str, data: bytes) -> dict[str, Any]:
            stack.upload(key, data)
            encoded = key.replace("/", "%2F")
            messages: list[dict[str, Any]] = []  # S3's test event first, then the upload's
            for _ in range(5):
                messages += (
                    stack.client("sqs")
                    .receive_message(
                        QueueUrl=stack.names.queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]
                    )
                    .get("Messages", [])
                )
                if any(encoded in m["Body"] for m in messages):
                    break
            assert any(encoded in m["Body"] for m in messages), messages
            *logs, response, botocore_file = run_in_lambda_layout(
                artifacts, tmp_path / "runtime", HANDLER_RUN, env=packaged_env(stack),
                stdin=json.dumps({"Records": [stack.driver.lambda_record(m) for m in messages]}),
            )  # fmt: skip
            assert json.loads(response) == {"batchItemFailures": []}, " ".join(logs)
            assert Path(json.loads(botocore_file)).is_relative_to(artifacts)
            doc = stack.document(key)
            assert doc is not None
            return doc

        first = invoke_packaged("incoming/sample.txt", sample)
        assert first["status"] == "kept", first
        assert "青岛" in stack.clean_text(first["clean_key"])  # cleaned: Simplified script
        assert "青島" not in stack.clean_text(first["clean_key"])

        copy = invoke_packaged("incoming/copy.txt", near_copy)
        assert copy["status"] == "duplicate" and copy["reasons"] == ["near_duplicate"], copy
        assert copy["duplicate_of"] == "incoming/sample.txt"

        replaced = invoke_packaged("incoming/sample.txt", article(1))
        assert replaced["status"] == "kept" and replaced["content_hash"] != first["content_hash"]
        ddb = stack.client("dynamodb")
        old_hash = {"pk": {"S": f"HASH#{first['content_hash']}"}, "sk": {"S": "HASH"}}
        assert "Item" not in ddb.get_item(TableName=stack.names.table, Key=old_hash)


# The handler, invoked once with the event on stdin; then where botocore came from.
HANDLER_RUN = (
    "import json, sys, app\n"
    f"{CONTEXT}"
    "print(json.dumps(app.lambda_handler(json.load(sys.stdin), Context()), separators=(',', ':')))\n"
    "import botocore\n"
    "print(json.dumps(botocore.__file__))\n"
)


def packaged_env(stack: LocalStack) -> dict[str, str]:
    """The function's environment as the template sets it, pointed at the stack's endpoint."""
    return {
        **stack.function_env,
        **FAKE_CREDENTIALS,
        "AWS_REGION": stack.region,
        "AWS_DEFAULT_REGION": stack.region,
        "AWS_ENDPOINT_URL": str(stack.endpoint_url),
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
