"""Repetition, as Gopher (Rae et al. 2021, table A1) and FineWeb measure it, on words.

Words are the segmenter's tokens (Chinese words from rjieba, Latin-script words split on
spaces), so the same definitions hold for every language. The character n-gram ratio is
data-juicer's `character_repetition` (n = 10), on characters.
"""

from __future__ import annotations

import math
import re
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, compress, repeat
from operator import add, countOf, ne, sub
from typing import Final

from docproc.native import native
from docproc.patterns import compiled
from docproc.rounding import round_to

TOP_NGRAM_SIZES: Final = (2, 3, 4)
DUP_NGRAM_SIZES: Final = (5, 6, 7, 8, 9, 10)
CHAR_NGRAM: Final = 10


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
    return round_to(dup_items / len(items), 4), round_to(dup_chars / total_chars, 4) if total_chars else 0.0


@dataclass(frozen=True, slots=True)
class NgramLevel:
    """What one n-gram size says about repetition."""

    top_count: int  # occurrences of the most frequent n-gram; 0 when no n-gram repeats
    top_position: int  # where that n-gram first occurs
    repeated: list[int]  # positions whose n-gram occurs more than once, ascending
    keys: list[int]  # the n-gram (as an integer) at each of those positions


def ngram_levels(ids: list[int], max_n: int) -> dict[int, NgramLevel]:
    """For n = 2..max_n: the most frequent word n-gram and the positions of repeated n-grams.

    `ids` are the words as small non-negative integers (equal words, equal ids). An n-gram
    becomes one integer, so counting hashes integers, not tuples of words: a bigram is its two
    ids packed in one integer (bigram_keys), an n-gram the (n-1)-gram's key * K + its last id
    (K > every id), built with map() over whole lists. An n-gram can only repeat where its
    first n-1 words repeat, so each size only looks at the positions the previous one kept:
    few after n = 3 in most documents.
    """
    base = max(ids, default=0) + 2
    levels: dict[int, NgramLevel] = {}
    keys = bigram_keys(ids)
    positions: Sequence[int] = range(len(keys))
    for n in range(2, max_n + 1):
        if n > 2:
            fits = bisect_right(positions, len(ids) - n)  # the n-gram must end inside the text
            positions, keys = positions[:fits], keys[:fits]
            last_words = ids[n - 1 :]  # the last word of the n-gram at p is last_words[p]
            keys = list(map(add, map(base.__mul__, keys), map(last_words.__getitem__, positions)))
        counts = Counter(keys)
        top_count = max(counts.values(), default=0)
        if top_count < 2:  # no n-gram repeats, so no longer one does either
            levels.update((m, NgramLevel(0, 0, [], [])) for m in range(n, max_n + 1))
            break
        # The first n-gram reaching the top count, in order of first occurrence (as max() picks it).
        top = next(compress(counts, map(top_count.__eq__, counts.values())))
        top_position = positions[keys.index(top)]
        # Past n = 2 most positions kept repeat again: where all do, there is nothing to filter.
        if n == 2 or countOf(counts.values(), 1):
            repeats = list(map((1).__lt__, map(counts.__getitem__, keys)))
            positions, keys = list(compress(positions, repeats)), list(compress(keys, repeats))
        levels[n] = NgramLevel(top_count, top_position, list(positions), keys)
    return levels


def bigram_keys(ids: list[int]) -> list[int]:
    """(ids[p], ids[p + 1]) as one integer, for every p: the ids written as 32-bit integers and
    read back as 64-bit ones at both offsets, in C (3x faster than building them with map())."""
    pairs = len(ids) - 1
    if pairs < 1:
        return []
    if max(ids) >> 32:  # not word ids: any injective pairing will do
        return list(map(add, map((max(ids) + 1).__mul__, ids), ids[1:]))
    data = array("I", ids).tobytes()
    keys = [0] * pairs
    keys[0::2] = memoryview(data[: (pairs + 1) // 2 * 8]).cast("Q").tolist()
    keys[1::2] = memoryview(data[4 : 4 + pairs // 2 * 8]).cast("Q").tolist()
    return keys


def top_ngram_char_frac(level: NgramLevel, n: int, word_chars: Sequence[int], total_chars: int) -> float:
    """Characters covered by the most frequent word n-gram (all its occurrences) / all word characters."""
    if not level.top_count or not total_chars:
        return 0.0
    start = level.top_position
    return round_to(sum(word_chars[start : start + n]) * level.top_count / total_chars, 4)


def dup_ngram_char_frac(level: NgramLevel, n: int, cumulative: list[int], total_chars: int) -> float:
    """Characters of the words covered by an n-gram occurrence that repeats an earlier occurrence
    (overlapping repeats counted once) / all word characters.

    Gopher's definition; datatrove walks the words and jumps past each repeat, which counts the
    same characters except where repeats overlap. Here without a Python loop: the repeating
    occurrences are the positions whose n-gram first occurred earlier, and the characters they
    cover are read from `cumulative` (word characters before each position), interval by
    interval, each cut where the next one starts.
    """
    if not total_chars or not level.repeated:
        return 0.0
    positions, keys = level.repeated, level.keys
    # Earliest position of each n-gram: built from the end, so the first occurrence wins.
    first = dict(zip(reversed(keys), reversed(positions), strict=True))
    starts = list(compress(positions, map(ne, map(first.__getitem__, keys), positions)))
    ends = list(map(min, map(add, starts, repeat(n)), [*starts[1:], starts[-1] + n]))
    covered = sum(map(sub, map(cumulative.__getitem__, ends), map(cumulative.__getitem__, starts)))
    return round_to(covered / total_chars, 4)


SHORT_TEXT_CHARS: Final = 1 << 16  # up to this, character n-grams are counted as strings


@cache
def _blocks(n: int) -> re.Pattern[str]:
    return compiled(f".{{{n}}}", re.DOTALL)


def char_ngram_counts(text: str, n: int = CHAR_NGRAM) -> Counter[str | int]:
    """Occurrences of every character n-gram of `text` (by 64-bit hash past SHORT_TEXT_CHARS).

    The n-grams starting at i, i + n, i + 2n... are the non-overlapping n-character blocks of
    `text[i:]`: n findall() calls give every n-gram, built by the regex engine in C, with a list
    of a tenth of them at a time. One findall of overlapping matches (a lookahead and a group at
    every position) took 30% longer.
    """
    counts: Counter[str | int] = Counter()
    blocks = _blocks(n)
    for offset in range(n):
        grams = blocks.findall(text, offset)
        # Past SHORT_TEXT_CHARS counted by hash: an int key takes a third of the memory of a
        # 10-character string key, and only the counts matter (two 10-grams sharing a 64-bit
        # hash: ~1e-9 at 100k).
        counts.update(grams if len(text) <= SHORT_TEXT_CHARS else map(hash, grams))
    return counts


def char_ngram_repetition(text: str, n: int = CHAR_NGRAM) -> float:
    """data-juicer's character repetition: the sqrt(#distinct)-most frequent n-grams' share of all."""
    if len(text) < n:
        return 0.0
    if native is not None:  # the same count in one C pass, no string per position
        top_occurrences = native.char_ngram_top(text, n)
        return round_to(top_occurrences / (len(text) - n + 1), 4) if top_occurrences else 0.0
    counts = char_ngram_counts(text, n)
    # Only repeated n-grams can be among the most frequent ones (few: they alone are sorted).
    repeated = sorted(filter((1).__lt__, counts.values()), reverse=True)
    top = min(int(math.sqrt(len(counts))), len(repeated))
    return round_to(sum(repeated[:top]) / (len(text) - n + 1), 4) if top else 0.0


def repetition_stats(
    lines: list[str],
    paragraphs: list[str],
    text: str,
    ids: Sequence[int],
    word_chars: Sequence[int],
    total_chars: int | None = None,
) -> dict[str, float]:
    """All repetition fields; `ids` are the words' ids (equal ids for equal words, or for
    equal lower-cased forms), `word_chars` their lengths, `total_chars` their sum when the caller has it."""
    out: dict[str, float] = {}
    out["dup_line_frac"], out["dup_line_char_frac"] = duplicate_fractions(lines)
    out["dup_para_frac"], out["dup_para_char_frac"] = duplicate_fractions(paragraphs)
    out.update(word_ngram_fractions(ids, word_chars, total_chars))
    out["char_10gram_rep_ratio"] = char_ngram_repetition(text)
    return out


def word_ngram_fractions(
    ids: Sequence[int], word_chars: Sequence[int], total_chars: int | None = None
) -> dict[str, float]:
    """top_{n}gram_char_frac for TOP_NGRAM_SIZES and dup_{n}gram_char_frac for DUP_NGRAM_SIZES;
    `total_chars` is sum(word_chars), when the caller has it."""
    out: dict[str, float] = {}
    total_chars = sum(word_chars) if total_chars is None else total_chars
    max_n = DUP_NGRAM_SIZES[-1]
    if native is not None and (isinstance(ids, memoryview) or max(ids, default=0) < 1 << 32):
        # One C pass per size, the same counts as ngram_levels; the divisions stay here, so
        # the rounding is the same too. Native uint32 as they come from the word census.
        levels = native.ngram_levels(_uint32(ids), _uint32(word_chars), max_n)  # n = 2, 3, ...
        for n, key in _TOP_KEYS:
            top_count, start, _ = levels[n - 2]
            out[key] = (
                round_to(sum(word_chars[start : start + n]) * top_count / total_chars, 4)
                if top_count and total_chars
                else 0.0
            )
        for n, key in _DUP_KEYS:
            covered = levels[n - 2][2]
            out[key] = round_to(covered / total_chars, 4) if covered else 0.0
        return out
    by_size = ngram_levels(ids if isinstance(ids, list) else list(ids), max_n)
    for n, key in _TOP_KEYS:
        out[key] = top_ngram_char_frac(by_size[n], n, word_chars, total_chars)
    cumulative = list(accumulate(word_chars, initial=0))
    for n, key in _DUP_KEYS:
        out[key] = dup_ngram_char_frac(by_size[n], n, cumulative, total_chars)
    return out


# The fields' names, made once: (n, name).
_TOP_KEYS: Final = tuple((n, f"top_{n}gram_char_frac") for n in TOP_NGRAM_SIZES)
_DUP_KEYS: Final = tuple((n, f"dup_{n}gram_char_frac") for n in DUP_NGRAM_SIZES)


def _uint32(values: Sequence[int]) -> memoryview | array[int]:
    """`values` as native uint32: as they are when they already are."""
    return values if isinstance(values, memoryview) else array("I", values)
