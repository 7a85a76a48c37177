"""Arbitrary input never makes decode or the character-level steps raise, and their work grows
linearly with the input, also on inputs built to make regexes backtrack."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docproc.decode import Decoded, decode_document
from docproc.result import StepOutput
from docproc.steps.chars import normalize_characters
from docproc.steps.garble import repair_garbled_spans
from docproc.steps.pinyin import remove_pinyin_annotations
from docproc.steps.script import convert_script
from docproc.steps.tags import remove_html_tags

STEPS: list[Callable[[str], StepOutput]] = [
    normalize_characters,
    remove_html_tags,
    repair_garbled_spans,
    remove_pinyin_annotations,
    convert_script,
]

# Characters the steps react to, so that generated text exercises their code paths.
NOISY = st.sampled_from(
    [
        *"?\ufffd()（）<>/&#;=\"' \n!_u^網絡鼻鄭慕睢尿丝的。”，杰\ue1ea\x00\u200bǎùī",
        *["&nbsp;", "<br/>", "<div id='x'>", "</p>", "<!--", "-->", "<script>", "(wǎng)", "(yan)", "fù)"],
    ]
)
TEXT = st.lists(st.one_of(NOISY, st.text(max_size=5)), max_size=80).map("".join)


def run_steps(text: str) -> str:
    for step in STEPS:
        out = step(text)
        assert isinstance(out.text, str)
        assert out.report.count >= 0 and out.report.chars_removed >= 0
        text = out.text
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.sampled_from([None, "text/plain", "text/html", "application/octet-stream"]))
def test_arbitrary_bytes_never_raise(data: bytes, hint: str | None) -> None:
    result = decode_document(data, hint, max_output_bytes=100_000)
    if isinstance(result, Decoded):
        run_steps(result.text)
    else:
        assert result.reason and result.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_arbitrary_noisy_text_never_raises(text: str) -> None:
    run_steps(text)
    # Encoded in the codecs the decoder tries, the same text decodes without raising.
    for codec in ("utf-8", "utf-16-le", "gb18030"):
        data = text.encode(codec, errors="ignore")
        result = decode_document(data)
        if isinstance(result, Decoded):
            run_steps(result.text)


# Inputs built against each step's patterns: unclosed tags and comments, attribute runs with no
# `>`, entity-like runs, `(` runs with letters and no `)`, `?` followed by rare characters, ...
ADVERSARIAL: dict[str, str] = {
    "unclosed tag": "<div" + ' a="1"' * 40 + " 中",
    "open brackets": "<" * 50 + "中文",
    "comments": "<!--" * 30 + "x",
    "scripts": "<script>" * 20 + "中",
    "entities": "&#" * 40 + "&amp" * 20,
    "pinyin": "網(wǎng" * 30 + "網(" * 20,
    "markers": "?鼻" * 8 + "?" * 4,
    "rare run": "?" + "睢鼻慕苯眨" * 12 + "u",
    "pua": "\ue1ea睢" * 40,
    "mixed": "網(wǎng)購?fù)丝睢\ue1ea尿_局忽悠?!苯眨易∏鄭u市",
}


def _best_time(func: Callable[[], object], repeats: int = 5) -> float:
    """Best CPU time of a few runs: CPU time of this process, not wall-clock, so other work on the
    machine (parallel test runs) does not inflate one side of a ratio."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        func()
        best = min(best, time.process_time() - start)
    return best


def test_work_grows_linearly_with_input_size() -> None:
    """1x vs 8x the input: linear work gives a ratio near 8, quadratic near 64. The bound (24) leaves
    room for noise without letting a quadratic pattern through. Compared as ratios of CPU time, never
    as absolute times, so a slow or busy machine does not make the test flaky."""
    for name, unit in ADVERSARIAL.items():
        small, large = unit * 8, unit * 64
        run_steps(small)  # warm the lazily loaded tables first
        ratio = _best_time(partial(run_steps, large)) / max(_best_time(partial(run_steps, small)), 1e-6)
        assert ratio < 24, f"{name}: 8x input took {ratio:.1f}x the time"


def test_decode_work_grows_linearly() -> None:
    unit = "青岛市刑侦支队，“反诈”宣传。abc\n".encode("gb18030")
    small, large = unit * 200, unit * 1600
    decode_document(small)
    ratio = _best_time(partial(decode_document, large)) / max(_best_time(partial(decode_document, small)), 1e-6)
    assert ratio < 24, ratio
