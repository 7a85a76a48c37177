"""The shortcuts the statistics take for speed give what the plain definitions give."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from docproc.keywords import words_without_letter
from docproc.stats.repetition import bigram_keys, char_ngram_counts, ngram_levels

_NO_LETTER = re.compile(r"[\d_\W]+")
_CHARS = "a1_中五①²Ⅻ.-ー〇ｶ٣ß\u0301 "


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=_CHARS, min_size=1, max_size=4), max_size=20))
def test_words_without_letter_is_the_regex_filter(words: list[str]) -> None:
    assert words_without_letter(words) == frozenset(filter(_NO_LETTER.fullmatch, words))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=30), st.sampled_from([1, 1 << 31, 1 << 40]))
def test_bigram_keys_are_one_per_distinct_pair(ids: list[int], scale: int) -> None:
    ids = [i * scale for i in ids]
    keys = bigram_keys(ids)
    pairs = list(pairwise(ids))
    assert len(keys) == len(pairs)
    assert len(set(keys)) == len(set(pairs)) == len(set(zip(keys, pairs, strict=True)))


def test_ngram_levels_with_ids_past_32_bits() -> None:
    ids = [1 << 40, 3, 1 << 40, 3, 7]
    assert ngram_levels(ids, 3)[2].repeated == [0, 2]
    assert ngram_levels(ids, 3)[2].top_count == 2


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="ab中\U00020000", max_size=60), st.integers(1, 10))
def test_char_ngram_counts_match_a_plain_count(text: str, n: int) -> None:
    plain = Counter(text[i : i + n] for i in range(len(text) - n + 1))
    assert char_ngram_counts(text, n) == plain
