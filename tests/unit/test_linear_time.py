"""Pathological inputs run in time proportional to their size.

A regular expression that backtracks over a long run (`[一二三...]+` rescanned from every
position, three `\\s*` around optional tokens) turns a 20,000-character run into seconds. Each
case times a function on a run of n and of 8n characters and compares CPU times: linear work
gives a ratio near 8, quadratic 64, cubic 512. Ratios, not absolute times, so a loaded
machine does not fail the test.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

import pytest

from docproc.keywords import top_keywords
from docproc.language import han_script
from docproc.quantities import find_quantities
from docproc.stats import compute_stats
from docproc.stats.composition import composition
from docproc.stats.lines import count_sentences, split_paragraphs
from docproc.stats.repetition import char_ngram_repetition
from docproc.text_metadata import publication_date

BASE = 12_500  # characters at 1x; 8x is 100,000
MAX_RATIO = 32  # linear: ~8 (up to ~16 where a long text takes another path); quadratic ~64


def _cpu(fn: Callable[[str], object], text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        fn(text)
        best = min(best, time.process_time() - start)
    return best


def _ratio(fn: Callable[[str], object], make: Callable[[int], str]) -> float:
    small, large = make(BASE), make(8 * BASE)
    fn(small)  # warm-up: lazy tables and compiled patterns
    # A floor of 1 ms keeps timer resolution from inflating the ratio of very fast calls.
    return _cpu(fn, large) / max(_cpu(fn, small), 1e-3)


def _stats(text: str) -> object:
    return compute_stats(text.encode(), text, text, [])


RUNS: dict[str, Callable[[int], str]] = {
    "chinese numerals": lambda n: "六" * n,
    "numerals with magnitudes": lambda n: "三千" * (n // 2),
    "digits": lambda n: "1" * n,
    "digits and separators": lambda n: "1." * (n // 2),
    "date label then spaces": lambda n: "日期" + " " * n + "x",
    "meta date then spaces": lambda n: "pubdate:" + " " * n + "x",
    "year then spaces": lambda n: "2023" + " " * n + "年",
    "count then digits": lambda n: "三个" + "1" * n,
    "sentence enders": lambda n: "。" * n,
    "newlines and spaces": lambda n: "\n" + " " * n + "x",
    "one character": lambda n: "a" * n,
}
FUNCTIONS: dict[str, Callable[[str], object]] = {
    "find_quantities": find_quantities,
    "publication_date": publication_date,
    "count_sentences": count_sentences,
    "split_paragraphs": split_paragraphs,
    "composition": composition,
    "han_script": han_script,
    "char_ngram_repetition": char_ngram_repetition,
    "top_keywords": lambda t: top_keywords(Counter(t.split(" ")), 1),
}


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_regex_statistics_are_linear(function: str, run: str) -> None:
    ratio = _ratio(FUNCTIONS[function], RUNS[run])
    assert ratio < MAX_RATIO, f"{function} on {run}: 8x the input took {ratio:.1f}x the time"


@pytest.mark.parametrize("run", ["chinese numerals", "date label then spaces", "sentence enders", "one character"])
def test_all_statistics_are_linear(run: str) -> None:
    ratio = _ratio(_stats, RUNS[run])
    assert ratio < MAX_RATIO, f"compute_stats on {run}: 8x the input took {ratio:.1f}x the time"


def test_long_numeral_runs_still_find_quantities() -> None:
    # The bound on a Chinese numeral changes nothing on real numbers.
    assert find_quantities("共计三千万元，一千二百三十四万五千人，两百余场")[0] == ["三千万元", "五千人", "两百余场"]
    assert find_quantities("六" * 20_000)[1] == 0
