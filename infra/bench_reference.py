"""The reference chain for `make bench`, and the worker loop both contenders share.

The reference chain does docproc's per-document work with the stock libraries: ftfy for text
repair, OpenCC for the script, jieba for segmentation and `jieba.analyse` for keywords, lingua
for the language and datasketch for the MinHash signature. It runs in its own virtualenv
(.venv-bench-ref, from infra/bench-reference-requirements.txt), so this file imports nothing
from docproc and only the standard library at module level: run it as a script,
`python infra/bench_reference.py worker|cold|memory ...`.

The worker loop (`serve`) is also used by the docproc side (infra/bench.py), so both
contenders are timed by the same code: the driver sends one command a line on stdin and reads
one JSON object a line on stdout.
"""

from __future__ import annotations

import hashlib
import json
import re
import resource
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

Process = Callable[[bytes, str], object]  # (data, object key) -> anything

SHINGLE = 5  # characters per shingle for the MinHash
NUM_PERM = 128
TOP_K = 20

_TAG = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S | re.I)
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_BLANKS = re.compile(r"\n\s*\n+")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def build_reference() -> Process:
    """Import the stock libraries and return their per-document function."""
    import datasketch
    import ftfy
    import jieba
    import jieba.analyse
    import opencc
    from lingua import LanguageDetectorBuilder

    converter = opencc.OpenCC("t2s")
    detector = LanguageDetectorBuilder.from_all_languages().build()

    def process(data: bytes, key: str = "") -> dict[str, Any]:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        if "<" in text and ">" in text:  # crude HTML to text: the stock chain has no extractor
            text = _TAG.sub("\n", text)
        text = ftfy.fix_text(text)
        text = converter.convert(text)
        lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
        text = _BLANKS.sub("\n\n", "\n".join(lines)).strip()
        tokens = jieba.lcut(text)
        keywords = jieba.analyse.extract_tags(text, topK=TOP_K)
        language = detector.detect_language_of(text[:5000]) if text else None
        norm = "".join(unicodedata.normalize("NFKC", text).split())
        mh = datasketch.MinHash(num_perm=NUM_PERM)
        shingles = [norm[i : i + SHINGLE].encode("utf-8") for i in range(max(1, len(norm) - SHINGLE + 1))]
        for start in range(0, len(shingles), 20000):  # bounded memory on large documents
            mh.update_batch(shingles[start : start + 20000])
        return {
            "chars": len(text),
            "tokens": len(tokens),
            "cjk": len(_CJK.findall(text)),
            "keywords": keywords,
            "language": str(language),
            "hash": hashlib.sha256(norm.encode("utf-8")).hexdigest(),
            "minhash": mh.hashvalues.tolist(),
        }

    return process


def load_docs(corpus_dir: str) -> list[tuple[bytes, str]]:
    """The corpus as the driver wrote it: (bytes, file name), in name order."""
    return [(p.read_bytes(), p.name) for p in sorted(Path(corpus_dir).iterdir()) if p.is_file()]


def serve(build: Callable[[], Process], corpus_dir: str, floors: dict[str, Process] | None = None) -> None:
    """The worker loop. Commands (one a line): `warm`, `pass [I J]`, `sample I N [FLOOR]`,
    `floor [NAME]`, `quit`.

    `warm` builds the function (imports included) and runs every document once; it answers
    with the build time and the first document's time. `pass` runs every document once (`pass
    I J`: documents I to J-1) and answers with the wall time (ns) of each. `sample I N` runs
    document I N times (with FLOOR, that floor function instead). `floor NAME` runs that floor
    function (default: `floor`) over every document.
    """
    floors = floors or {}
    docs = load_docs(corpus_dir)
    process: Process | None = None
    out = sys.stdout
    for line in sys.stdin:
        cmd, *args = line.split()
        reply: dict[str, Any]
        if cmd == "warm":
            t0 = time.perf_counter_ns()
            process = build()
            t1 = time.perf_counter_ns()
            process(*docs[0])
            t2 = time.perf_counter_ns()
            for d in docs[1:]:
                process(*d)
            reply = {"build_ns": t1 - t0, "first_ns": t2 - t1, "rss_kib": _maxrss_kib()}
        elif cmd == "pass":  # pass [I J]: every document, or documents I to J-1
            assert process is not None, "send `warm` first"
            reply = _timed(process, docs[int(args[0]) : int(args[1])] if args else docs)
        elif cmd == "floor":
            reply = _timed(floors[args[0] if args else "floor"], docs)
        elif cmd == "sample":  # sample I N [FLOOR]: the function, or that floor function
            fn = floors[args[2]] if len(args) > 2 else process
            assert fn is not None, "send `warm` first"
            doc = docs[int(args[0])]
            reply = _timed(fn, [doc] * int(args[1]))
        elif cmd == "quit":
            return
        else:
            reply = {"error": f"unknown command {cmd!r}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


def _timed(fn: Process, docs: list[tuple[bytes, str]]) -> dict[str, Any]:
    """Wall time and CPU time (this process, all threads) of each document, in ns."""
    times: list[int] = []
    cpu: list[int] = []
    clock, cpu_clock = time.perf_counter_ns, time.process_time_ns
    for data, key in docs:
        c0, t0 = cpu_clock(), clock()
        fn(data, key)
        times.append(clock() - t0)
        cpu.append(cpu_clock() - c0)
    return {"ns": times, "cpu": cpu}


def _maxrss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def cold(path: str) -> None:
    """A fresh process: import the chain, process one document, print the figures as JSON."""
    rss0 = _maxrss_kib()
    t0, c0 = time.perf_counter(), time.process_time()
    process = build_reference()
    t1 = time.perf_counter()
    process(Path(path).read_bytes(), Path(path).name)
    t2 = time.perf_counter()
    print(
        json.dumps(
            {
                "import_s": t1 - t0,
                "first_doc_s": t2 - t1,
                "total_s": t2 - t0,
                "total_cpu_s": time.process_time() - c0,
                "rss_start_kib": rss0,
                "rss_peak_kib": _maxrss_kib(),
            }
        )
    )


def memory(path: str) -> None:
    """A fresh process: peak RSS before and after processing one (large) document."""
    rss0 = _maxrss_kib()
    process = build_reference()
    data = Path(path).read_bytes()
    rss1 = _maxrss_kib()
    t0 = time.perf_counter()
    process(data, Path(path).name)
    print(
        json.dumps(
            {
                "rss_start_kib": rss0,
                "rss_ready_kib": rss1,
                "rss_peak_kib": _maxrss_kib(),
                "bytes": len(data),
                "seconds": time.perf_counter() - t0,
            }
        )
    )


def main(argv: list[str]) -> int:
    mode, arg = argv[0], argv[1]
    if mode == "worker":
        serve(build_reference, arg)
    elif mode == "cold":
        cold(arg)
    elif mode == "memory":
        memory(arg)
    else:
        print(f"unknown mode {mode!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
