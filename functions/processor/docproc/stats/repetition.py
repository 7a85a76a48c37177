"""Repetition, as Gopher (Rae et al. 2021, table A1) and FineWeb measure it, on words.

Words are the segmenter's tokens (Chinese words from rjieba, Latin-script words split on
spaces), so the same definitions hold for every language. The character n-gram ratio is
data-juicer's `character_repetition` (n = 10), on characters.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from itertools import compress, repeat
from operator import add, mul

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


def ngram_keys(ids: list[int], max_n: int) -> dict[int, list[int]]:
    """n -> one integer per n-gram position (n = 1..max_n), equal exactly when the n-grams are.

    `ids` are the words as small integers (equal words, equal ids). Each n-gram becomes
    id1*K^(n-1) + ... + idn (K > every id), built with map() over whole lists, so counting
    n-grams hashes integers, not tuples of words.
    """
    base = max(ids, default=0) + 2
    keys = {1: ids}
    for n in range(2, max_n + 1):
        prev = keys[n - 1]
        keys[n] = list(map(add, map(mul, prev[:-1], repeat(base)), ids[n - 1 :]))
    return keys


def word_ids(words: list[str]) -> list[int]:
    """Each word as a small integer, equal for equal words."""
    vocab = dict(zip(dict.fromkeys(words), range(len(words)), strict=False))
    return list(map(vocab.__getitem__, words))


def top_ngram_char_frac(keys: list[int], n: int, word_chars: list[int], total_chars: int) -> float:
    """Characters covered by the most frequent word n-gram (all its occurrences) / all word characters."""
    if not keys or not total_chars:
        return 0.0
    counts = Counter(keys)
    key = max(counts, key=counts.__getitem__)  # C-level max: most_common(1) runs in Python
    count = counts[key]
    if count < 2:
        return 0.0
    first = keys.index(key)
    return round(sum(word_chars[first : first + n]) * count / total_chars, 4)


def repeated_candidates(keys: list[int]) -> list[int]:
    """Positions whose n-gram (keys: one per position) occurs more than once: every occurrence of
    any repeated longer n-gram starts at one of them, so those need only be looked for there."""
    counts = Counter(keys)
    if len(counts) == len(keys):
        return []
    return list(compress(range(len(keys)), map((1).__lt__, map(counts.__getitem__, keys))))


def dup_ngram_char_frac(
    words: Sequence[Hashable], n: int, candidates: list[int], word_chars: list[int], total_chars: int
) -> float:
    """Characters of the words covered by an n-gram occurrence that repeats an earlier occurrence
    (overlapping repeats counted once) / all word characters.

    Gopher's definition; datatrove walks the words and jumps past each repeat, which counts the
    same characters except where repeats overlap. Only the candidate positions (few in most
    documents, see repeated_candidates) are visited in Python.
    """
    if not total_chars or not candidates:
        return 0.0
    seen: set[tuple[Hashable, ...]] = set()
    covered = bytearray(len(words))
    last = len(words) - n
    found = False
    for i in candidates:
        if i > last:
            break
        gram = tuple(words[i : i + n])
        if gram in seen:
            covered[i : i + n] = b"\x01" * n
            found = True
        else:
            seen.add(gram)
    return round(sum(compress(word_chars, covered)) / total_chars, 4) if found else 0.0


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
    lines: list[str], paragraphs: list[str], words: list[str], text: str, ids: list[int] | None = None
) -> dict[str, float]:
    """All repetition fields; `ids` (word_ids of `words`, or of their lower-cased forms) may be
    passed in when the caller already has them."""
    out: dict[str, float] = {}
    out["dup_line_frac"], out["dup_line_char_frac"] = duplicate_fractions(lines)
    out["dup_para_frac"], out["dup_para_char_frac"] = duplicate_fractions(paragraphs)
    word_chars = list(map(len, words))
    total_chars = sum(word_chars)
    keys = ngram_keys(word_ids(words) if ids is None else ids, DUP_NGRAM_SIZES[0])
    for n in TOP_NGRAM_SIZES:
        out[f"top_{n}gram_char_frac"] = top_ngram_char_frac(keys[n], n, word_chars, total_chars)
    candidates = repeated_candidates(keys[DUP_NGRAM_SIZES[0]])
    for n in DUP_NGRAM_SIZES:
        out[f"dup_{n}gram_char_frac"] = dup_ngram_char_frac(keys[1], n, candidates, word_chars, total_chars)
    out["char_10gram_rep_ratio"] = char_ngram_repetition(text)
    return out
