"""Repetition, as Gopher (Rae et al. 2021, table A1) and FineWeb measure it, on words.

Words are the segmenter's tokens (Chinese words from rjieba, Latin-script words split on
spaces), so the same definitions hold for every language. The character n-gram ratio is
data-juicer's `character_repetition` (n = 10), on characters.
"""

from __future__ import annotations

import math
from collections import Counter
from itertools import compress
from operator import ne

TOP_NGRAM_SIZES = (2, 3, 4)
DUP_NGRAM_SIZES = (5, 6, 7, 8, 9, 10)
CHAR_NGRAM = 10


def duplicate_fractions(items: list[str]) -> tuple[float, float]:
    """(share of items that repeat an earlier one, share of characters in those repeats)."""
    if not items:
        return 0.0, 0.0
    seen: set[str] = set()
    dup_items = dup_chars = 0
    for item in items:
        if item in seen:
            dup_items += 1
            dup_chars += len(item)
        else:
            seen.add(item)
    total_chars = sum(map(len, items))
    return round(dup_items / len(items), 4), round(dup_chars / total_chars, 4) if total_chars else 0.0


def _ngrams(words: list[str], n: int) -> list[tuple[str, ...]]:
    return list(zip(*(words[i:] for i in range(n)), strict=False))


def top_ngram_char_frac(words: list[str], n: int, total_chars: int) -> float:
    """Characters covered by the most frequent word n-gram (all its occurrences) / all word characters."""
    grams = _ngrams(words, n)
    if not grams or not total_chars:
        return 0.0
    gram, count = Counter(grams).most_common(1)[0]
    if count < 2:
        return 0.0
    return round(sum(map(len, gram)) * count / total_chars, 4)


def dup_ngram_char_frac(words: list[str], n: int, word_chars: list[int], total_chars: int) -> float:
    """Characters of the words covered by an n-gram occurrence that repeats an earlier occurrence
    (overlapping repeats counted once) / all word characters.

    Gopher's definition; datatrove walks the words and jumps past each repeat, which counts the
    same characters except where repeats overlap. This form runs in C (dict, map, compress):
    only the repeated positions, few in most documents, are visited in Python.
    """
    grams = _ngrams(words, n)
    if not total_chars or not grams:
        return 0.0
    # First index of each n-gram: built from the end, so the earliest occurrence wins.
    first = dict(zip(reversed(grams), range(len(grams) - 1, -1, -1), strict=True))
    if len(first) == len(grams):
        return 0.0  # fast path: no n-gram repeats
    positions = range(len(grams))
    repeats = compress(positions, map(ne, map(first.__getitem__, grams), positions))
    covered = bytearray(len(words))
    for i in repeats:
        covered[i : i + n] = b"\x01" * n
    return round(sum(compress(word_chars, covered)) / total_chars, 4)


def char_ngram_repetition(text: str, n: int = CHAR_NGRAM) -> float:
    """data-juicer's character repetition: the sqrt(#distinct)-most frequent n-grams' share of all."""
    if len(text) < n:
        return 0.0
    starts = range(len(text) - n + 1)
    freqs = sorted(Counter(map(text.__getitem__, map(slice, starts, range(n, len(text) + 1)))).values())
    freqs.reverse()
    repeated = len(freqs) - freqs.count(1)
    top = min(int(math.sqrt(len(freqs))), repeated)
    return round(sum(freqs[:top]) / sum(freqs), 4) if top else 0.0


def repetition_stats(
    lines: list[str], paragraphs: list[str], words: list[str], text: str
) -> dict[str, float]:
    out: dict[str, float] = {}
    out["dup_line_frac"], out["dup_line_char_frac"] = duplicate_fractions(lines)
    out["dup_para_frac"], out["dup_para_char_frac"] = duplicate_fractions(paragraphs)
    word_chars = list(map(len, words))
    total_chars = sum(word_chars)
    for n in TOP_NGRAM_SIZES:
        out[f"top_{n}gram_char_frac"] = top_ngram_char_frac(words, n, total_chars)
    for n in DUP_NGRAM_SIZES:
        out[f"dup_{n}gram_char_frac"] = dup_ngram_char_frac(words, n, word_chars, total_chars)
        if out[f"dup_{n}gram_char_frac"] == 0.0:
            # No n-gram repeats, so no longer one can: skip the rest.
            for m in DUP_NGRAM_SIZES[DUP_NGRAM_SIZES.index(n) + 1 :]:
                out[f"dup_{m}gram_char_frac"] = 0.0
            break
    out["char_10gram_rep_ratio"] = char_ngram_repetition(text)
    return out
